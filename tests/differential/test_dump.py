"""
DUMP and RESTORE against Debian's redis-server, over real sockets: the
same values give byte-identical payloads, a payload made by either server
restores on the other, and the errors and options answer alike.

Hash tables (big hashes and sets) are the exception: Redis walks them in
an order seeded at random per process, so two redis-servers disagree too;
their payloads are compared by what they restore to.
"""

import random

import hiredis
import pytest

from tests.differential import RawConnection, assertSameReplies, runSequence


def parse(raw):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def _text(rng, n, alphabet=b"abcdefgh0123456789"):
    return bytes(rng.choice(alphabet) for _ in range(n))


def _builders():
    """
    Commands building one key C{k} of every kind whose payload is
    deterministic, by name.
    """
    rng = random.Random(20240607)
    streamTombstones = [["XADD", "k", "%d-1" % (i + 1)] + (["f", "1"] if i % 3 else ["a", "b", "c", "d"]) for i in range(150)]
    streamTombstones += [
        ["XDEL", "k", "5-1", "7-1", "149-1"],
        ["XGROUP", "CREATE", "k", "g1", "0"],
        ["XGROUP", "CREATE", "k", "a" * 30, "$"],
    ]
    return {
        "empty string": [["SET", "k", ""]],
        "short string": [["SET", "k", "hello"]],
        "integers": [["SET", "k", "-129"]],
        "long integer": [["SET", "k", "9223372036854775807"]],
        "not canonical": [["SET", "k", "012"]],
        "compressible": [["SET", "k", "x" * 100]],
        "barely compressible": [["SET", "k", "bbbbbbabbabaaaaabaaabaaa"]],
        "random string": [["SET", "k", _text(rng, 5000)]],
        "binary": [["SET", "k", bytes(range(256)) * 4]],
        "small list": [["RPUSH", "k", "a", "1", "-4096", "70000", "x" * 70, "3000000000", "-1"]],
        "list of nodes": [["RPUSH", "k"] + [_text(rng, rng.randint(1, 90)) for _ in range(900)]],
        "list of numbers": [["RPUSH", "k"] + [str(rng.randint(-10**12, 10**12)) for _ in range(2000)]],
        "list of big elements": [["RPUSH", "k"] + [_text(rng, 9000) for _ in range(3)]],
        # Reset by the tests (after DUMP: the nodes are split as pushed).
        "count-limited list": [["CONFIG", "SET", "list-max-listpack-size", "5"], ["RPUSH", "k"] + [str(i) for i in range(23)]],
        "intset 16": [["SADD", "k", "3", "-7", "100"]],
        "intset 32": [["SADD", "k", "1", "-1048576"]],
        "intset 64": [["SADD", "k", "1", str(1 << 40)]],
        "big intset": [["SADD", "k"] + [str(i * 7) for i in range(512)]],
        "hash listpack": [["HSET", "k", "a", "1", "b", "x", "c", "-99999", "d", "y" * 64]],
        "hash after deletes": [["HSET", "k", "a", "1", "b", "2", "c", "3"], ["HDEL", "k", "b"], ["HSET", "k", "a", "9", "e", "5"]],
        "zset listpack": [["ZADD", "k", "1.5", "a", "2", "b", "-0", "c", "inf", "d", "-inf", "e", "0.1", "f",
                           "4503599627370495", "g", "4503599627370496", "h", "1e16", "i"]],
        "zset skiplist": [["ZADD", "k", "1", "x" * 80, "2.5", "b", "-3", "c"]],
        "big zset": [["ZADD", "k"] + [x for i in range(200) for x in (str(i * 0.25), "m%d" % i)]],
        "stream": [["XADD", "k", "%d-%d" % (i // 3 + 1, i % 3), "f", _text(rng, 8), "n", str(i)] for i in range(250)],
        "stream by bytes": [["XADD", "k", "%d-1" % (i + 1), "f", "x" * 300] for i in range(40)],
        "stream tombstones": streamTombstones,
        "trimmed stream": [["XADD", "k", "%d-1" % (i + 1), "f", "v"] for i in range(250)] + [["XTRIM", "k", "MAXLEN", "130"]],
        "emptied stream": [["XADD", "k", "1-1", "a", "b"], ["XDEL", "k", "1-1"]],
        "sorted into a list": [["RPUSH", "src"] + [str(rng.randint(0, 10**6)) for _ in range(1500)], ["SORT", "src", "STORE", "k"]],
        "zset sorted": [["ZADD", "k", "1", "a", "2", "b"], ["SORT", "k"]],
    }


_BUILDERS = _builders()
_RESET = [["CONFIG", "SET", "list-max-listpack-size", "-2"]]
# Values holding times of their own server (pending entries' delivery and
# consumers' seen times): compared through payloads moved between servers.
_TIMED = {
    "stream with pending entries": [["XADD", "k", "%d-1" % (i + 1), "f", "v%d" % i] for i in range(20)]
    + [
        ["XGROUP", "CREATE", "k", "g1", "0"],
        ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "k", ">"],
        ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "k", ">"],
        ["XACK", "k", "g1", "2-1"],
        ["XDEL", "k", "4-1"],
    ],
}


@pytest.mark.parametrize("name", sorted(_BUILDERS))
def test_payloadsIdentical(sharedRedisServer, sharedTxredisd, name):
    """
    DUMP answers the very bytes Redis 7.0 answers for the same value: the
    same type byte and encoding, node splits, integer and LZF encodings,
    RDB version 10 and CRC64.
    """
    commands = _BUILDERS[name] + [["DUMP", "k"], ["DUMP", "missing"]] + _RESET
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


_HASH_TABLES = {
    "hash table hash": ([["HSET", "k"] + [x for i in range(600) for x in ("f%d" % i, "v%d" % i)]], "HGETALL"),
    "long hash value": ([["HSET", "k", "a", "x" * 65, "b", "1"]], "HGETALL"),
    "hash table set": ([["SADD", "k", "a", "b", "1"]], "SMEMBERS"),
}


@pytest.mark.parametrize("name", sorted(_HASH_TABLES))
def test_hashTablesRestore(sharedRedisServer, sharedTxredisd, name):
    """
    Payloads of hash tables, whose order is Redis's own, restore on the
    other server to the same contents and encoding.
    """
    commands, read = _HASH_TABLES[name]
    payloads = {}
    for port in (sharedRedisServer.port, sharedTxredisd.port):
        payloads[port] = parse(runSequence(port, commands + [["DUMP", "k"]])[-1])
    results = []
    for source, target in ((sharedRedisServer.port, sharedTxredisd.port), (sharedTxredisd.port, sharedRedisServer.port)):
        replies = runSequence(target, [["RESTORE", "r", "0", payloads[source]], ["OBJECT", "ENCODING", "r"], [read, "r"]])
        assert replies[0] == b"+OK\r\n"
        results.append((replies[1], sorted(parse(replies[2]))))
    assert results[0] == results[1]


# A restored list is split into nodes anew when dumped, by the current
# list-max-listpack-size, where Redis keeps the payload's nodes.
_RESPLIT = {"count-limited list"}


@pytest.mark.parametrize("name", sorted(set(_BUILDERS) - _RESPLIT) + sorted(_TIMED))
def test_interop(sharedRedisServer, sharedTxredisd, name):
    """
    A payload dumped by redis-server restores here and dumps again to the
    bytes redis-server dumps after restoring it itself; that payload of
    ours restores on redis-server, which dumps it unchanged.
    """
    build = _BUILDERS.get(name) or _TIMED[name]
    redisPayload = parse(runSequence(sharedRedisServer.port, build + [["DUMP", "k"]] + _RESET)[-2])
    again = [["RESTORE", "r", "0", redisPayload], ["DUMP", "r"]]
    expected = runSequence(sharedRedisServer.port, again)
    assert expected[0] == b"+OK\r\n"
    assert runSequence(sharedTxredisd.port, again) == expected
    ourPayload = parse(expected[1])
    assert runSequence(sharedRedisServer.port, [["RESTORE", "r", "0", ourPayload], ["DUMP", "r"]]) == expected


def test_restoredEncodings(sharedRedisServer, sharedTxredisd):
    """
    RESTORE gives a value the encoding Redis's loader gives it with the
    current limits: a listpack stays one unless it has too many elements,
    whatever their lengths; plain pairs become a listpack when few and
    short; integers become an intset.
    """
    conn = RawConnection(sharedRedisServer.port)
    payloads = {}
    builds = {
        "hashlp": ["HSET", "src", "a", "1", "b", "x" * 40],
        "hashtable": ["HSET", "src", "a", "1", "b", "x" * 100],
        "zsetlp": ["ZADD", "src", "1", "a", "2", "y" * 40],
        "skiplist": ["ZADD", "src", "1", "a", "2", "y" * 100],
        "intset": ["SADD", "src", "1", "2", "3"],
    }
    try:
        for name, build in builds.items():
            conn.call("DEL", "src")
            conn.call(*build)
            payloads[name] = parse(conn.call("DUMP", "src"))
    finally:
        conn.close()
    commands = [
        ["CONFIG", "SET", "hash-max-listpack-value", "10"],
        ["CONFIG", "SET", "zset-max-listpack-value", "10"],
        ["CONFIG", "SET", "set-max-intset-entries", "2"],
    ]
    for name, payload in payloads.items():
        commands += [["RESTORE", name, "0", payload], ["OBJECT", "ENCODING", name]]
    commands += [
        ["CONFIG", "SET", "hash-max-listpack-value", "64"],
        ["CONFIG", "SET", "hash-max-listpack-entries", "1"],
        ["CONFIG", "SET", "zset-max-listpack-value", "200"],
        ["CONFIG", "SET", "set-max-intset-entries", "512"],
    ]
    for name, payload in payloads.items():
        commands += [["RESTORE", name, "0", payload, "REPLACE"], ["OBJECT", "ENCODING", name]]
    commands += [
        ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
        ["CONFIG", "SET", "zset-max-listpack-value", "64"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def _payload(port, *build):
    replies = runSequence(port, [list(build), ["DUMP", build[1]]])
    return parse(replies[-1])


@pytest.mark.parametrize("resp3", [False, True])
def test_restoreErrorsAndOptions(sharedRedisServer, sharedTxredisd, resp3):
    """
    RESTORE's checks in Redis's order (options, BUSYKEY, TTL, payload
    footer, payload contents), REPLACE, ABSTTL, IDLETIME, FREQ, a TTL
    already past, arity.
    """
    good = _payload(sharedRedisServer.port, "SET", "s", "hello")
    listPayload = _payload(sharedRedisServer.port, "RPUSH", "l", "a", "b")
    badCrc = good[:-1] + bytes([good[-1] ^ 1])
    newer = good[:-10] + b"\x0b\x00" + good[-8:]
    commands = [
        ["SET", "k", "old"],
        ["RESTORE", "k", "0", good],
        ["RESTORE", "k", "x", good],
        ["RESTORE", "n", "x", good],
        ["RESTORE", "n", "-1", good],
        ["RESTORE", "n", "0", badCrc],
        ["RESTORE", "n", "0", newer],
        ["RESTORE", "n", "0", good[:-8] + b"\x00" * 8],
        ["RESTORE", "n", "0", b"short"],
        ["RESTORE", "n", "0", good, "bogus"],
        ["RESTORE", "n", "0", good, "IDLETIME"],
        ["RESTORE", "n", "0", good, "IDLETIME", "-1"],
        ["RESTORE", "n", "0", good, "IDLETIME", "x"],
        ["RESTORE", "n", "0", good, "FREQ", "256"],
        ["RESTORE", "n", "0", good, "FREQ", "-1"],
        ["RESTORE", "n", "0", good, "FREQ", "1", "IDLETIME", "1"],
        ["RESTORE", "n", "0", good, "IDLETIME", "1", "FREQ", "1"],
        ["RESTORE", "k", "0", good, "bogus"],
        ["RESTORE", "k", "-1", badCrc],
        ["RESTORE", "n", "0", good, "IDLETIME", "100", "REPLACE", "ABSTTL"],
        ["GET", "n"],
        ["RESTORE", "k", "0", listPayload, "REPLACE"],
        ["TYPE", "k"],
        ["LRANGE", "k", "0", "-1"],
        ["RESTORE", "k", "0", good, "replace", "FREQ", "5"],
        ["GET", "k"],
        ["RESTORE", "e", "1", good, "ABSTTL"],
        ["EXISTS", "e"],
        ["RESTORE", "k", "1", good, "ABSTTL", "REPLACE"],
        ["EXISTS", "k"],
        ["RESTORE", "t", "100000", good],
        ["TTL", "t"],
        ["RESTORE", "t2", "4102444800000", good, "ABSTTL"],
        ["PEXPIRETIME", "t2"],
        ["RESTORE", "z", "0", b"\x00" * 10],
        ["GET", "z"],
        ["RESTORE"],
        ["RESTORE", "k", "0"],
        ["DUMP"],
        ["DUMP", "k", "x"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def test_badData(sharedRedisServer, sharedTxredisd):
    """
    Payloads with a good footer but a bad body: unknown types, empty
    collections, duplicates where Redis looks for them, NaN scores, cut
    short; and bodies that read on into the footer, which Redis accepts.
    """
    from txredisd.persistence.dump import wrapPayload

    bodies = {
        "emptyhash": b"\x04\x00",
        "emptyhashlp": b"\x10\x07\x07\x00\x00\x00\x00\x00\xff",
        "emptyset": b"\x02\x00",
        "emptylist": b"\x12\x00",
        "emptyzset": b"\x05\x00",
        "dupset": b"\x02\x02\x01a\x01a",
        "dupintset": b"\x02\x02\xc0\x01\xc0\x01",
        "nanzset": b"\x05\x01\x01a\x00\x00\x00\x00\x00\x00\xf8\x7f",
        "dupzset": b"\x05\x02\x01a\x00\x00\x00\x00\x00\x00\xf0\x3f\x01a\x00\x00\x00\x00\x00\x00\x00\x40",
        "oddhashlp": b"\x10\x0a\x0a\x00\x00\x00\x01\x00\x81a\x02\xff",
        "type20": b"\x14\x00",
        "type8": b"\x08\x00",
        "module": b"\x07\x00",
        "badintset": b"\x0b\x05\x03\x00\x00\x00\x00",
        "badlzf": b"\x00\xc3\x05\x40\x00abcde",
        "oldlist": b"\x01\x02\x01a\x01b",
        "oldzset": b"\x03\x02\x01a\x031.5\x01b\x01" + b"2",
        "trailing": b"\x00\x01ajunk",
        "intoFooter": b"\x00\x05ab",
    }
    commands = []
    for name, body in bodies.items():
        commands += [["RESTORE", name, "0", wrapPayload(body)], ["TYPE", name]]
    commands += [["LRANGE", "oldlist", "0", "-1"], ["ZRANGE", "oldzset", "0", "-1", "WITHSCORES"], ["GET", "trailing"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    # What the body read of the footer depends on its CRC, the same on both.
    intoFooter = [["RESTORE", "f", "0", wrapPayload(b"\x00\x05ab")], ["GET", "f"], ["DUMP", "f"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, intoFooter)


def test_introspection(sharedRedisServer, sharedTxredisd):
    """
    COMMAND INFO and DOCS of DUMP and RESTORE are Redis's.
    """
    requests = [["COMMAND", "INFO", "dump", "restore"], ["COMMAND", "DOCS", "dump", "restore"],
                ["COMMAND", "GETKEYSANDFLAGS", "RESTORE", "k", "0", "x"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests, resp3=True)
