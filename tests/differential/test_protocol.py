"""
Differential tests of the request framing: every reply vector of
L{tests.test_protocol} sent as raw bytes to redis-server and to txredisd,
whole and in small pieces, comparing the reply bytes and whether the
connection is closed afterwards.
"""

import socket
import time

import pytest

from tests.test_protocol import REPLY_VECTORS

# Sent after a vector whose connection stays open: its reply marks the end
# of the vector's replies.
_SENTINEL = b"ECHO __end__\r\n"
_SENTINEL_REPLY = b"$7\r\n__end__\r\n"


def exchange(port, data, outcome, pieces=1):
    """
    Send C{data} on a fresh connection and collect the reply.

    @param pieces: send it in this many separate writes.
    @return: C{(reply bytes, closed)}.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        size = max(1, -(-len(data) // pieces))
        try:
            for start in range(0, len(data), size):
                sock.sendall(data[start : start + size])
                if pieces > 1:
                    time.sleep(0.001)
            if outcome == "open":
                sock.sendall(_SENTINEL)
        except (BrokenPipeError, ConnectionResetError):
            # The server closed after an error, before the rest was sent.
            pass
        if outcome == "waits":
            # Nothing marks the end: a short silence does.
            sock.settimeout(0.3)
        received = b""
        closed = False
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
            if outcome == "open" and received.endswith(_SENTINEL_REPLY):
                received = received[: -len(_SENTINEL_REPLY)]
                break
        return received, closed
    finally:
        sock.close()


@pytest.mark.parametrize(
    "data, reply, outcome", REPLY_VECTORS, ids=[repr(v[0][:30]) for v in REPLY_VECTORS]
)
def test_vector(sharedRedisServer, sharedTxredisd, data, reply, outcome):
    """
    redis-server answers each vector with the recorded reply and closes
    the connection exactly when recorded, and txredisd does the same.
    """
    for port in (sharedRedisServer.port, sharedTxredisd.port):
        got = exchange(port, data, outcome)
        assert got == (reply, outcome == "closes"), (port, data[:60])


@pytest.mark.parametrize(
    "data, reply, outcome",
    [v for v in REPLY_VECTORS if v[2] != "waits" and len(v[0]) < 200],
    ids=[repr(v[0][:30]) for v in REPLY_VECTORS if v[2] != "waits" and len(v[0]) < 200],
)
def test_vectorInPieces(sharedRedisServer, sharedTxredisd, data, reply, outcome):
    """
    The same vectors sent in small pieces get the same replies from both.
    """
    expected = exchange(sharedRedisServer.port, data, outcome, pieces=5)
    assert expected == (reply, outcome == "closes")
    assert exchange(sharedTxredisd.port, data, outcome, pieces=5) == expected


def test_pipelineThroughRedisPy(sharedRedisServer, sharedTxredisd):
    """
    A redis-py pipeline of binary SETs and GETs gets the same results from
    both servers, in RESP2 and RESP3.
    """
    for protocol in (2, 3):
        results = []
        for server in (sharedRedisServer, sharedTxredisd):
            client = server.client(protocol=protocol)
            client.flushall()
            pipe = client.pipeline(transaction=False)
            for i in range(200):
                pipe.set(b"k\r\n%d" % i, bytes([i % 256]) * i)
                pipe.get(b"k\r\n%d" % i)
            pipe.get(b"missing")
            results.append(pipe.execute())
            client.close()
        assert results[0] == results[1]
