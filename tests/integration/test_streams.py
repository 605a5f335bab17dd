"""
Integration tests of the stream commands through redis-py against the real
C{twistd -n redis} process.
"""

import threading

import pytest


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedTxredisd, protocol):
    """
    redis-py's stream API (xadd, xrange, xread, consumer groups, pending
    entries, claims, trims, xinfo) parses txredisd's replies in RESP2 and
    RESP3.
    """
    r = sharedTxredisd.client(protocol=protocol)
    r.flushall()
    assert r.xadd("s", {"f": "v"}, id="1-1") == b"1-1"
    assert r.xadd("s", {"a": "1", "b": "2"}, id="2-*") == b"2-0"
    assert r.xlen("s") == 2
    assert r.xrange("s") == [(b"1-1", {b"f": b"v"}), (b"2-0", {b"a": b"1", b"b": b"2"})]
    assert r.xrevrange("s", count=1) == [(b"2-0", {b"a": b"1", b"b": b"2"})]
    read = r.xread({"s": "1-1"})
    if protocol == 3:
        assert read == {b"s": [[(b"2-0", {b"a": b"1", b"b": b"2"})]]}
    else:
        assert read == [[b"s", [(b"2-0", {b"a": b"1", b"b": b"2"})]]]
    assert r.xgroup_create("s", "g", id="0") is True
    grouped = r.xreadgroup("g", "alice", {"s": ">"}, count=1)
    if protocol == 3:
        assert grouped == {b"s": [[(b"1-1", {b"f": b"v"})]]}
    else:
        assert grouped == [[b"s", [(b"1-1", {b"f": b"v"})]]]
    pending = r.xpending("s", "g")
    assert pending["pending"] == 1
    assert pending["consumers"] == [{"name": b"alice", "pending": 1}]
    assert r.xclaim("s", "g", "bob", 0, ["1-1"], justid=True) == [b"1-1"]
    assert r.xautoclaim("s", "g", "carol", 0, justid=True) == [b"1-1"]
    assert r.xack("s", "g", "1-1") == 1
    groups = r.xinfo_groups("s")
    assert groups[0]["name"] == b"g"
    assert groups[0]["entries-read"] == 1
    assert groups[0]["lag"] == 1
    info = r.xinfo_stream("s")
    assert info["length"] == 2
    assert info["last-generated-id"] == b"2-0"
    assert r.xtrim("s", maxlen=1) == 0
    assert r.xtrim("s", maxlen=1, approximate=False) == 1
    assert r.xdel("s", "2-0") == 1
    r.close()


def test_blockingXreadWokenByXadd(sharedTxredisd):
    """
    An XREAD BLOCK in one thread is answered with the entry another client
    adds to the stream (read after 1-0, so the reply is the same if the
    XADD arrives first).
    """
    r = sharedTxredisd.client()
    r.flushall()
    r.xadd("s", {"old": "x"}, id="1-0")
    result = {}
    reader = sharedTxredisd.client()
    reader.ping()

    def read():
        result["reply"] = reader.xread({"s": "1-0"}, block=20000)

    thread = threading.Thread(target=read)
    thread.start()
    # Give the reader time to block before the entry arrives.
    thread.join(0.3)
    r.xadd("s", {"new": "y"}, id="2-0")
    thread.join(20)
    assert not thread.is_alive()
    assert result["reply"] == [[b"s", [(b"2-0", {b"new": b"y"})]]]
    reader.close()
    r.close()
