"""
Integration tests of the generic key commands through redis-py against the
real C{twistd -n redis} process.
"""

import select
import time

import pytest

from tests.differential import RawConnection
from txredisd.resp import encodeCommand


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedTxredisd, protocol):
    """
    redis-py's key API (expiry, TTL, SCAN iteration, RENAME, COPY, MOVE,
    OBJECT) works against txredisd in RESP2 and RESP3.
    """
    r = sharedTxredisd.client(protocol=protocol)
    r.flushall()
    r.set("a", "1")
    assert r.expire("a", 100) is True
    assert r.expire("a", 50, gt=True) is False
    assert 99 <= r.ttl("a") <= 100
    assert r.persist("a") is True
    assert r.ttl("a") == -1
    assert r.ttl("missing") == -2
    assert r.exists("a", "a", "missing") == 2
    assert r.type("a") == b"string"
    for i in range(50):
        r.set("k%d" % (i,), "v")
    assert sorted(r.scan_iter(match="k1*", count=7)) == sorted(
        [b"k1"] + [b"k1%d" % (i,) for i in range(10)]
    )
    assert len(list(r.scan_iter(count=3, _type="string"))) == 51
    assert sorted(r.keys("k4*")) == [b"k4"] + [b"k4%d" % (i,) for i in range(10)]
    assert r.rename("a", "b") is True
    assert r.renamenx("b", "k1") is False
    assert r.copy("b", "c") is True
    assert r.copy("b", "c", replace=True) is True
    assert r.move("c", 1) is True
    assert r.exists("c") == 0
    assert r.object("encoding", "b") == b"int"
    assert r.object("refcount", "b") == 2147483647
    assert r.randomkey() is not None
    assert r.delete("b", "k1") == 2
    assert r.unlink("k2") == 1
    r.close()


def loadKeys(port, count):
    """
    Create C{count} keys C{key:<i>} in one pipelined write.
    """
    conn = RawConnection(port)
    try:
        conn.send(b"".join(encodeCommand([b"SET", b"key:%d" % (i,), b"v"]) for i in range(count)))
        expected = b"+OK\r\n" * count
        while len(conn.buffer) < len(expected):
            conn._fill()
        assert conn.buffer == expected
    finally:
        conn.close()


def test_keysDoesNotBlockOtherClients(txredisd):
    """
    While KEYS filters 300,000 keys, another client keeps getting replies,
    and KEYS answers every matching key.
    """
    count = 300000
    loadKeys(txredisd.port, count)
    slow = RawConnection(txredisd.port)
    other = RawConnection(txredisd.port)
    try:
        assert other.call("PING") == b"+PONG\r\n"
        slow.send(encodeCommand([b"KEYS", b"key:1*"]))
        started = time.monotonic()
        pongs = 0
        while not select.select([slow.sock], [], [], 0)[0]:
            assert other.call("PING") == b"+PONG\r\n"
            pongs += 1
        reply = slow.readReply()
        elapsed = time.monotonic() - started
    finally:
        slow.close()
        other.close()
    expected = sum(10**n for n in range(6))  # key:1, key:10..19, ...
    assert reply.startswith(b"*%d\r\n" % (expected,))
    assert reply.count(b"\r\n$") == expected
    # Without chunking the other client gets at most the reply to a PING
    # read before KEYS; with it, one at least every chunk.
    assert pongs >= 5, (pongs, elapsed)
