"""
Pub/sub compared with redis-server byte for byte over two raw
connections, and through redis-py and real TCP against the twistd process.
"""

import socket
import time

import pytest

from tests.conftest import startTxredisd
from tests.differential import assertSameReplies
from tests.differential.multiconn import assertSameScript, runScript
from txredisd.resp import encodeCommand


def test_subscribeReplies(sharedRedisServer, sharedTxredisd):
    """
    Confirmations for every kind of (un)subscription, counts, nil channels
    and the commands a RESP2 subscriber may still send.
    """
    script = [
        (0, ["UNSUBSCRIBE"]),
        (0, ["PUNSUBSCRIBE"]),
        (0, ["SUNSUBSCRIBE"]),
        (0, ["SUBSCRIBE", "a", "b", "a"], 3),
        (0, ["GET", "x"]),
        (0, ["PING"]),
        (0, ["PING", "hi"]),
        (0, ["PING", "a", "b"]),
        (0, ["UNSUBSCRIBE", "x"]),
        (0, ["PSUBSCRIBE", "p*"]),
        (0, ["SSUBSCRIBE", "s1", "s2"], 2),
        (0, ["SUNSUBSCRIBE", "s1"]),
        (0, ["PUBSUB", "NUMSUB"]),
        (0, ["MULTI"]),
        (0, ["SUBSCRIBE"]),
        (0, ["UNSUBSCRIBE", "a", "b"], 2),
        (0, ["PUNSUBSCRIBE"]),
        (0, ["UNSUBSCRIBE"]),
        (0, ["GET", "x"]),
        (0, ["SUNSUBSCRIBE"]),
        (0, ["GET", "x"]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script, connections=1)


def test_messages(sharedRedisServer, sharedTxredisd):
    """
    PUBLISH and SPUBLISH answer their receiver counts and subscribers get
    message, pmessage and smessage frames, in RESP2 and RESP3.
    """
    for resp3 in ((), (0,)):
        script = [
            (0, ["SUBSCRIBE", "ch"]),
            (0, ["PSUBSCRIBE", "c*"]),
            (0, ["SSUBSCRIBE", "ch"]),
            (1, ["PUBLISH", "ch", "hello"]),
            (0, None, 2),
            (1, ["PUBLISH", "cx", ""]),
            (0, None),
            (1, ["SPUBLISH", "ch", "x"]),
            (0, None),
            (1, ["PUBLISH", "nobody", "x"]),
            (1, ["PUBSUB", "NUMSUB", "ch", "cx"]),
            (1, ["PUBSUB", "SHARDNUMSUB", "ch"]),
            (1, ["PUBSUB", "NUMPAT"]),
            (1, ["PUBSUB", "CHANNELS"]),
            (1, ["PUBSUB", "CHANNELS", "c?"]),
            (1, ["PUBSUB", "CHANNELS", "z*"]),
            (1, ["PUBSUB", "SHARDCHANNELS", "*"]),
            (0, ["PUNSUBSCRIBE", "c*"]),
            (1, ["PUBLISH", "ch", "again"]),
            (0, None),
        ]
        assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script, resp3=resp3)


def test_patterns(sharedRedisServer, sharedTxredisd):
    """
    Pattern subscriptions match channels with Redis's glob.
    """
    script = [(0, ["PSUBSCRIBE", "h?llo", "h[^e]y", "a\\*", "[a-c]x"], 4)]
    for channel in ["hello", "hallo", "hllo", "hey", "hay", "a*", "ab", "bx", "dx"]:
        script.append((1, ["PUBLISH", channel, "m"]))
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)
    replies = runScript(sharedTxredisd.port, script + [(0, None, 4)])
    assert [r.count(b"pmessage") for r in replies[-1:]] == [4]


def test_resp3Subscriber(sharedRedisServer, sharedTxredisd):
    """
    A RESP3 subscriber runs any command and gets pushes.
    """
    script = [
        (0, ["SUBSCRIBE", "ch"]),
        (0, ["GET", "x"]),
        (0, ["PING"]),
        (0, ["PUBLISH", "ch", "self"], 2),
        (0, ["UNSUBSCRIBE"]),
        (0, ["UNSUBSCRIBE"]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script, connections=1, resp3=(0,))


def test_pubsubErrors(sharedRedisServer, sharedTxredisd):
    """
    PUBSUB's errors and its help.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["PUBSUB"],
            ["PUBSUB", "foo"],
            ["PUBSUB", "NUMPAT", "x"],
            ["PUBSUB", "CHANNELS", "a", "b"],
            ["PUBSUB", "shardchannels", "a", "b"],
            ["PUBSUB", "HELP"],
            ["PUBSUB", "HELP", "x"],
            ["PUBLISH", "a"],
            ["SPUBLISH", "a", "b", "c"],
            ["SUBSCRIBE"],
            ["PSUBSCRIBE"],
            ["SSUBSCRIBE"],
        ],
    )


def test_subscribeInsideMulti(sharedRedisServer, sharedTxredisd):
    """
    SUBSCRIBE and PSUBSCRIBE queued in MULTI subscribe at EXEC; SSUBSCRIBE
    is refused there.
    """
    script = [
        (0, ["MULTI"]),
        (0, ["PSUBSCRIBE", "a*"]),
        (0, ["SSUBSCRIBE", "s"]),
        (0, ["SUBSCRIBE", "x"]),
        (0, ["EXEC"]),
        (0, ["GET", "x"]),
        (0, ["MULTI"]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script, connections=1)


def test_redisPyPubSub(sharedTxredisd):
    """
    redis-py's PubSub object subscribes, receives messages and pattern
    messages in order, and unsubscribes, in RESP2 and RESP3.
    """
    for protocol in (2, 3):
        client = sharedTxredisd.client(protocol=protocol)
        pubsub = client.pubsub()
        pubsub.subscribe("news")
        pubsub.psubscribe("n*")
        assert pubsub.get_message(timeout=5)["type"] == "subscribe"
        assert pubsub.get_message(timeout=5)["type"] == "psubscribe"
        publisher = sharedTxredisd.client()
        for i in range(50):
            assert publisher.publish("news", "m%d" % (i,)) == 2
        received = []
        while len(received) < 100:
            msg = pubsub.get_message(timeout=5)
            assert msg is not None
            received.append((msg["type"], msg["data"]))
        expected = []
        for i in range(50):
            expected += [("message", b"m%d" % (i,)), ("pmessage", b"m%d" % (i,))]
        assert received == expected
        assert publisher.pubsub_numsub("news") == [(b"news", 1)]
        pubsub.unsubscribe()
        pubsub.punsubscribe()
        pubsub.close()
        client.close()
        publisher.close()


def test_redisPyThousandSubscribers(sharedTxredisd):
    """
    A thousand redis-py subscribers on one channel each receive every
    message in order.
    """
    client = sharedTxredisd.client(max_connections=1100)
    subscribers = []
    try:
        for _ in range(1000):
            pubsub = client.pubsub()
            pubsub.subscribe("wide")
            subscribers.append(pubsub)
        for pubsub in subscribers:
            assert pubsub.get_message(timeout=10)["type"] == "subscribe"
        for i in range(5):
            assert client.publish("wide", "m%d" % (i,)) == 1000
        for pubsub in subscribers:
            got = [pubsub.get_message(timeout=10)["data"] for _ in range(5)]
            assert got == [b"m0", b"m1", b"m2", b"m3", b"m4"]
    finally:
        for pubsub in subscribers:
            pubsub.close()
        client.close()


def test_slowSubscriberDisconnected(tmp_path):
    """
    Over real TCP, a subscriber that never reads is disconnected once its
    unsent output passes the pubsub hard limit, while another client keeps
    being served.
    """
    server = startTxredisd(tmp_path, "--client-output-buffer-limit", "pubsub 1mb 0 0")
    try:
        slow = socket.create_connection(("127.0.0.1", server.port))
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.sendall(encodeCommand([b"SUBSCRIBE", b"flood"]))
        client = server.client()
        deadline = time.monotonic() + 30
        while client.pubsub_numsub("flood") != [(b"flood", 1)]:
            assert time.monotonic() < deadline
        payload = b"x" * (256 * 1024)
        published = 0
        while client.pubsub_numsub("flood") == [(b"flood", 1)]:
            assert time.monotonic() < deadline, "the slow subscriber was never disconnected"
            client.publish("flood", payload)
            published += len(payload)
            assert client.ping()
        assert client.ping()
        slow.settimeout(10)
        received = 0
        with pytest.raises((ConnectionError, OSError)):
            while True:
                data = slow.recv(1 << 20)
                if not data:
                    raise ConnectionError("closed")
                received += len(data)
        assert received < published
        slow.close()
        client.close()
    finally:
        server.stop()


def test_keyspaceNotificationsFromCommandLine(tmp_path):
    """
    notify-keyspace-events given on twistd's command line reaches the
    notifier: a key coming into being is announced on both channels.
    """
    server = startTxredisd(tmp_path, "--notify-keyspace-events", "KEn")
    try:
        client = server.client()
        pubsub = client.pubsub()
        pubsub.psubscribe("__key*__:*")
        assert pubsub.get_message(timeout=5)["type"] == "psubscribe"
        client.set("fresh", "1")
        first = pubsub.get_message(timeout=5)
        second = pubsub.get_message(timeout=5)
        assert (first["channel"], first["data"]) == (b"__keyspace@0__:fresh", b"new")
        assert (second["channel"], second["data"]) == (b"__keyevent@0__:new", b"fresh")
        pubsub.close()
        client.close()
    finally:
        server.stop()
