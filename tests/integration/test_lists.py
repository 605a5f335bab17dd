"""
Integration tests of the list commands through redis-py and raw sockets
against the real C{twistd -n redis} process.
"""

import threading

import pytest

from tests.differential import RawConnection
from tests.differential.test_lists import blockOn


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedTxredisd, protocol):
    """
    redis-py's list API, blocking calls that answer at once or time out
    included, works against txredisd in RESP2 and RESP3.
    """
    r = sharedTxredisd.client(protocol=protocol)
    r.flushall()
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lpush("l", "z") == 4
    assert r.lpushx("missing", "x") == 0
    assert r.rpushx("l", "d") == 5
    assert r.lrange("l", 0, -1) == [b"z", b"a", b"b", b"c", b"d"]
    assert r.llen("l") == 5
    assert r.lindex("l", -1) == b"d"
    assert r.lindex("l", 99) is None
    assert r.lset("l", 0, "y") is True
    assert r.linsert("l", "AFTER", "a", "a2") == 6
    assert r.lpos("l", "b") == 3
    assert r.lpos("l", "b", count=0) == [3]
    assert r.lpos("l", "nope") is None
    assert r.lrem("l", 0, "a2") == 1
    assert r.ltrim("l", 0, 3) is True
    assert r.lmove("l", "m", "LEFT", "RIGHT") == b"y"
    assert r.rpoplpush("l", "m") == b"c"
    assert r.lpop("l") == b"a"
    assert r.rpop("l", 5) == [b"b"]
    assert r.lpop("l") is None
    assert r.lpop("l", 2) is None
    assert r.lmpop(2, "l", "m", direction="RIGHT", count=5) == [b"m", [b"y", b"c"]]
    r.rpush("q", "1", "2", "3")
    assert r.blpop(["empty", "q"], timeout=1) in ((b"q", b"1"), [b"q", b"1"])
    assert r.brpop(["q"], timeout=0) in ((b"q", b"3"), [b"q", b"3"])
    assert r.blmove("q", "w", 1, "LEFT", "LEFT") == b"2"
    assert r.brpoplpush("w", "w", 1) == b"2"
    assert r.blmpop(1, 1, "w", direction="LEFT", count=3) == [b"w", [b"2"]]
    assert r.blpop(["empty"], timeout=0.05) is None
    assert r.blmove("empty", "w", 0.05, "LEFT", "LEFT") is None
    assert r.blmpop(0.05, 1, "empty", direction="LEFT") is None
    r.close()


@pytest.mark.parametrize("protocol", [2, 3])
def test_blpopInThread(sharedTxredisd, protocol):
    """
    A redis-py BLPOP waiting in one thread gets the element another client
    pushes.
    """
    waiter = sharedTxredisd.client(protocol=protocol)
    pusher = sharedTxredisd.client(protocol=protocol)
    pusher.delete("jobs")
    results = []
    thread = threading.Thread(target=lambda: results.append(waiter.blpop(["jobs"], timeout=20)))
    thread.start()
    try:
        assert pusher.rpush("jobs", "work") == 1
    finally:
        thread.join(30)
    assert [tuple(result) for result in results] == [(b"jobs", b"work")]
    assert pusher.llen("jobs") == 0
    waiter.close()
    pusher.close()


def test_manyBlockedSockets(sharedTxredisd):
    """
    Two hundred clients blocked on one list over real sockets are woken in
    the order they blocked by two hundred pushes.
    """
    control = RawConnection(sharedTxredisd.port)
    control.call("DEL", "line")
    waiters = [RawConnection(sharedTxredisd.port) for _ in range(200)]
    try:
        for waiter in waiters:
            blockOn(waiter, ["BLPOP", "line", "0"])
        for i in range(200):
            assert control.call("RPUSH", "line", str(i)) == b":1\r\n"
        for i, waiter in enumerate(waiters):
            element = str(i).encode()
            assert waiter.readReply() == b"*2\r\n$4\r\nline\r\n$%d\r\n%s\r\n" % (
                len(element),
                element,
            )
        assert control.call("LLEN", "line") == b":0\r\n"
    finally:
        for waiter in waiters:
            waiter.close()
        control.close()
