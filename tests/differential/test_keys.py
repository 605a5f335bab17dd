"""
Differential tests of the generic key commands against Debian's
redis-server: raw replies compared byte for byte, except where they depend
on hash order or the clock, which are compared structurally.
"""

import time

import hiredis

from tests.conftest import startRedisServer, startTxredisd
from tests.differential import RawConnection, assertSameReplies, runSequence

FUTURE_S = "4102444800"  # 2100-01-01
FUTURE_MS = "4102444800123"


def parse(raw):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def test_delExistsTouchType(sharedRedisServer, sharedTxredisd):
    """
    DEL, UNLINK, EXISTS, TOUCH and TYPE answer as Redis, arity errors included.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SET", "a", "1"],
            ["SET", "b", "2"],
            ["EXISTS", "a", "a", "b", "c"],
            ["TOUCH", "a", "c", "a"],
            ["TYPE", "a"],
            ["TYPE", "c"],
            ["DEL", "a", "a", "c"],
            ["UNLINK", "b", "b"],
            ["EXISTS", "a", "b"],
            ["DEL"],
            ["UNLINK"],
            ["EXISTS"],
            ["TOUCH"],
            ["TYPE"],
            ["TYPE", "a", "b"],
            ["RANDOMKEY"],
            ["RANDOMKEY", "x"],
            ["SET", "only", "1"],
            ["RANDOMKEY"],
            ["KEYS"],
            ["KEYS", "a", "b"],
        ],
    )


def test_renameFamily(sharedRedisServer, sharedTxredisd):
    """
    RENAME and RENAMENX answer as Redis, expiries following the key.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["RENAME", "nokey", "x"],
            ["RENAME", "nokey", "nokey"],
            ["RENAMENX", "nokey", "x"],
            ["RENAMENX", "nokey", "nokey"],
            ["SET", "a", "1"],
            ["RENAME", "a", "a"],
            ["RENAMENX", "a", "a"],
            ["PEXPIREAT", "a", FUTURE_MS],
            ["SET", "b", "2"],
            ["EXPIREAT", "b", FUTURE_S],
            ["RENAMENX", "a", "b"],
            ["RENAME", "a", "b"],
            ["GET", "b"],
            ["PEXPIRETIME", "b"],
            ["EXISTS", "a"],
            ["SET", "c", "3"],
            ["RENAME", "c", "b"],
            ["TTL", "b"],
            ["RENAMENX", "b", "d"],
            ["GET", "d"],
            ["RENAME", "d"],
            ["RENAME", "d", "e", "f"],
            ["RENAMENX", "d"],
        ],
    )


def test_copyAndMove(sharedRedisServer, sharedTxredisd):
    """
    COPY and MOVE answer as Redis, with their option and database errors.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SET", "a", "1"],
            ["PEXPIREAT", "a", FUTURE_MS],
            ["COPY", "a", "a"],
            ["COPY", "a", "a", "DB", "0"],
            ["COPY", "a", "b"],
            ["PEXPIRETIME", "b"],
            ["COPY", "a", "b"],
            ["SET", "a", "new"],
            ["COPY", "a", "b", "replace"],
            ["GET", "b"],
            ["TTL", "b"],
            ["COPY", "a", "a", "db", "3"],
            ["COPY", "a", "a", "db", "3"],
            ["COPY", "a", "a", "db", "3", "REPLACE"],
            ["COPY", "missing", "x"],
            ["COPY", "missing", "x", "db", "99"],
            ["COPY", "a", "b", "REPLACE", "DB"],
            ["COPY", "a", "b", "foo"],
            ["COPY", "a", "b", "db", "99", "foo"],
            ["COPY", "a", "b", "foo", "db", "99"],
            ["COPY", "a", "b", "db", "x"],
            ["COPY", "a", "b", "db", "-1"],
            ["COPY", "a", "b", "db", "4294967296"],
            ["COPY", "a", "b", "db", "99999999999999999999"],
            ["COPY", "a"],
            ["MOVE", "a", "0"],
            ["MOVE", "a", "16"],
            ["MOVE", "a", "-1"],
            ["MOVE", "a", "x"],
            ["MOVE", "a", "2147483648"],
            ["MOVE", "missing", "1"],
            ["MOVE", "a", "3"],
            ["SET", "m", "1"],
            ["PEXPIREAT", "m", FUTURE_MS],
            ["MOVE", "m", "1"],
            ["EXISTS", "m"],
            ["SELECT", "1"],
            ["PEXPIRETIME", "m"],
            ["MOVE", "m"],
            ["MOVE", "m", "1", "2"],
        ],
    )


def test_expireFamily(sharedRedisServer, sharedTxredisd):
    """
    The EXPIRE family's options, errors, overflow checks and deleting past
    times answer as Redis.
    """
    commands = [
        ["EXPIRE", "nokey", "10"],
        ["PEXPIREAT", "nokey", "0"],
        ["SET", "a", "1"],
        ["EXPIRE", "a", "10", "foo"],
        ["EXPIRE", "a", "10", "nx", "xx"],
        ["EXPIRE", "a", "10", "NX", "GT"],
        ["EXPIRE", "a", "10", "nx", "lt"],
        ["EXPIRE", "a", "10", "xx", "nx"],
        ["EXPIRE", "a", "10", "gt", "lt"],
        ["EXPIRE", "a", "10", "gt", "lt", "nx"],
        ["EXPIRE", "a", "x", "nx", "xx"],
        ["EXPIRE", "a", "x", "nx"],
        ["EXPIRE", "a", "1.5"],
        ["EXPIRE", "a", ""],
        ["EXPIRE", "a", "9223372036854776"],
        ["EXPIRE", "a", "-9223372036854776"],
        ["EXPIRE", "a", "9223372036854775807"],
        ["EXPIRE", "a", "99999999999999999999"],
        ["PEXPIRE", "a", "9223372036854775807"],
        ["EXPIREAT", "a", "9223372036854776"],
        ["PEXPIREAT", "nokey", "9223372036854775807"],
        ["EXPIRE", "a", "100", "xx"],
        ["EXPIRE", "a", "100", "gt"],
        ["EXPIREAT", "a", FUTURE_S, "lt"],
        ["EXPIRETIME", "a"],
        ["EXPIREAT", "a", FUTURE_S, "nx"],
        ["EXPIREAT", "a", FUTURE_S, "gt"],
        ["EXPIREAT", "a", FUTURE_S, "lt"],
        ["PEXPIREAT", "a", FUTURE_MS, "GT"],
        ["PEXPIREAT", "a", FUTURE_MS, "LT", "XX"],
        ["PEXPIRETIME", "a"],
        ["EXPIRETIME", "a"],
        ["PEXPIREAT", "a", "9223372036854775807"],
        ["PEXPIRETIME", "a"],
        ["EXPIRETIME", "a"],
        ["EXPIREAT", "a", "9223372036854775"],
        ["EXPIRETIME", "a"],
        ["PERSIST", "a"],
        ["PERSIST", "a"],
        ["PERSIST", "missing"],
        ["TTL", "a"],
        ["EXPIRE", "a", "100", "lt"],
        ["TTL", "a"],
        ["EXPIRE", "a", "-1"],
        ["EXISTS", "a"],
        ["SET", "b", "1"],
        ["PEXPIRE", "b", "-9223372036854775808"],
        ["EXISTS", "b"],
        ["SET", "c", "1"],
        ["EXPIREAT", "c", "1"],
        ["EXISTS", "c"],
        ["SET", "d", "1"],
        ["EXPIRE", "d", "-9223372036854775"],
        ["EXISTS", "d"],
        ["SET", "e", "1"],
        ["EXPIRE", "e", "-1", "GT"],
        ["EXPIRE", "e", "-1", "LT"],
        ["EXISTS", "e"],
        ["SET", "f", "1"],
        ["EXPIRE", "f", "100"],
        ["PEXPIRE", "f", "-1", "XX", "LT"],
        ["EXISTS", "f"],
        ["EXPIRE", "a"],
        ["PEXPIRE", "a"],
        ["EXPIREAT"],
        ["PEXPIREAT", "a"],
        ["PERSIST"],
        ["PERSIST", "a", "b"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_ttlFamily(sharedRedisServer, sharedTxredisd):
    """
    TTL, PTTL, EXPIRETIME and PEXPIRETIME answer -2, -1 and rounded values
    as Redis.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["TTL", "nokey"],
            ["PTTL", "nokey"],
            ["EXPIRETIME", "nokey"],
            ["PEXPIRETIME", "nokey"],
            ["SET", "a", "1"],
            ["TTL", "a"],
            ["PTTL", "a"],
            ["EXPIRETIME", "a"],
            ["PEXPIRETIME", "a"],
            ["EXPIRE", "a", "100"],
            ["TTL", "a"],
            ["PEXPIREAT", "a", "4102444800499"],
            ["EXPIRETIME", "a"],
            ["PEXPIREAT", "a", "4102444800500"],
            ["EXPIRETIME", "a"],
            ["TTL"],
            ["PTTL", "a", "b"],
            ["EXPIRETIME"],
            ["PEXPIRETIME", "a", "b"],
        ],
    )


def test_pttlCloseToRedis(sharedRedisServer, sharedTxredisd):
    """
    PTTL just after PEXPIRE is the time set less the little that passed, on
    both servers (compared by range: it depends on the clock).
    """
    commands = [["SET", "a", "1"], ["PEXPIRE", "a", "100000"], ["PTTL", "a"], ["TTL", "a"]]
    for port in (sharedRedisServer.port, sharedTxredisd.port):
        replies = [parse(r) for r in runSequence(port, commands)]
        assert replies[:2] == [b"OK", 1]
        assert 99000 < replies[2] <= 100000
        assert replies[3] == 100


def test_keysPatterns(sharedRedisServer, sharedTxredisd):
    """
    KEYS answers the same sets of keys as Redis for a range of globs.
    """
    names = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h[llo", "a\\b", "x", "", "foo:1", "foo:22"]
    patterns = ["*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\*llo", "h[llo", "foo:*", "", "x*", "[", "a\\\\b", "*o*"]
    setup = [["SET", name, "v"] for name in names] + [["SET", "gone", "v"], ["PEXPIRE", "gone", "1"]]
    replies = {}
    for port in (sharedRedisServer.port, sharedTxredisd.port):
        conn = RawConnection(port)
        try:
            conn.call("FLUSHALL")
            for argv in setup:
                conn.call(*argv)
            # Let "gone" expire.
            time.sleep(0.01)
            replies[port] = [sorted(parse(conn.call("KEYS", p))) for p in patterns]
        finally:
            conn.close()
    assert replies[sharedTxredisd.port] == replies[sharedRedisServer.port]


def scanAll(conn, *options):
    cursor = b"0"
    found = []
    while True:
        reply = parse(conn.call("SCAN", cursor, *options))
        cursor, batch = reply
        found.extend(batch)
        if cursor == b"0":
            return found


def test_scanStructure(sharedRedisServer, sharedTxredisd):
    """
    A full SCAN with MATCH, COUNT and TYPE returns the same set of keys as
    Redis, each once.
    """
    results = {}
    for port in (sharedRedisServer.port, sharedTxredisd.port):
        conn = RawConnection(port)
        try:
            conn.call("FLUSHALL")
            for i in range(300):
                conn.call("SET", "key:%d" % (i,), "v")
            results[port] = [
                scanAll(conn),
                scanAll(conn, "COUNT", "7"),
                scanAll(conn, "MATCH", "key:1*", "COUNT", "50"),
                scanAll(conn, "TYPE", "string", "COUNT", "1000"),
                scanAll(conn, "TYPE", "STRING"),
                scanAll(conn, "TYPE", "list"),
                scanAll(conn, "TYPE", "nosuch", "MATCH", "*"),
            ]
        finally:
            conn.close()
    for ours, theirs in zip(results[sharedTxredisd.port], results[sharedRedisServer.port]):
        assert len(ours) == len(set(ours))
        assert sorted(ours) == sorted(set(theirs))


def test_scanErrors(sharedRedisServer, sharedTxredisd):
    """
    SCAN's cursor and option errors, and its answers on an empty database,
    are Redis's.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SCAN", "0"],
            ["SCAN", ""],
            ["SCAN", "+0"],
            ["SCAN", "-0"],
            ["SCAN", "x"],
            ["SCAN", " 1"],
            ["SCAN", "1 "],
            ["SCAN", "0x1"],
            ["SCAN", "+"],
            ["SCAN", "18446744073709551616"],
            ["SCAN", "-18446744073709551616"],
            ["SCAN", "0" * 30 + "0"],
            ["SCAN", "9" * 5000],
            ["SCAN", "x", "COUNT", "0"],
            ["SCAN", "0", "COUNT", "0"],
            ["SCAN", "0", "COUNT", "-1"],
            ["SCAN", "0", "COUNT", "x"],
            ["SCAN", "0", "COUNT", "99999999999999999999"],
            ["SCAN", "0", "COUNT"],
            ["SCAN", "0", "MATCH"],
            ["SCAN", "0", "TYPE"],
            ["SCAN", "0", "FOO", "bar"],
            ["SCAN", "0", "COUNT", "0", "FOO"],
            ["SCAN", "0", "FOO", "COUNT", "0"],
            ["SCAN", "0", "MATCH", "*", "COUNT", "5", "TYPE", "string"],
            ["SET", "a", "1"],
            ["SCAN", "0"],
            ["SCAN", "0", "TYPE", "hash"],
            ["SCAN", "0", "MATCH", "b*"],
            ["SCAN"],
        ],
    )


def test_object(sharedRedisServer, sharedTxredisd):
    """
    OBJECT's subcommands, help and errors answer as Redis with the default
    configuration.
    """
    commands = [
        ["SET", "int", "12345"],
        ["SET", "neg", "-5"],
        ["SET", "lead", "012"],
        ["SET", "emb", "hello world"],
        ["SET", "raw", "x" * 45],
        ["SET", "emb44", "y" * 44],
        ["SET", "small", "9999"],
        ["SET", "big", "123456789012345678901"],
        ["OBJECT", "ENCODING", "int"],
        ["OBJECT", "encoding", "neg"],
        ["OBJECT", "ENCODING", "lead"],
        ["OBJECT", "ENCODING", "emb"],
        ["OBJECT", "ENCODING", "raw"],
        ["OBJECT", "ENCODING", "emb44"],
        ["OBJECT", "ENCODING", "big"],
        ["OBJECT", "ENCODING", "missing"],
        ["OBJECT", "REFCOUNT", "small"],
        ["OBJECT", "REFCOUNT", "int"],
        ["OBJECT", "REFCOUNT", "neg"],
        ["OBJECT", "REFCOUNT", "emb"],
        ["OBJECT", "REFCOUNT", "missing"],
        ["OBJECT", "IDLETIME", "missing"],
        ["OBJECT", "FREQ", "missing"],
        ["OBJECT", "FREQ", "int"],
        ["OBJECT", "HELP"],
        ["OBJECT", "help", "extra"],
        ["OBJECT", "foo"],
        ["OBJECT", "foo", "bar"],
        ["OBJECT"],
        ["OBJECT", "ENCODING"],
        ["OBJECT", "ENCODING", "a", "b"],
        ["OBJECT", "REFCOUNT"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_objectUnderLFU(tmp_path):
    """
    Under an LFU maxmemory policy IDLETIME is Redis's error and FREQ of a
    new key is Redis's initial counter; with maxmemory set, small integers
    are not shared.
    """
    options = ("--maxmemory-policy", "allkeys-lfu", "--maxmemory", "100mb")
    (tmp_path / "redis").mkdir()
    (tmp_path / "txredisd").mkdir()
    redis = startRedisServer(tmp_path / "redis", *options)
    try:
        ours = startTxredisd(tmp_path / "txredisd", *options)
        try:
            assertSameReplies(
                redis.port,
                ours.port,
                [
                    ["SET", "fresh", "v"],
                    ["SET", "small", "5"],
                    ["OBJECT", "IDLETIME", "fresh"],
                    ["OBJECT", "FREQ", "fresh"],
                    ["OBJECT", "FREQ", "missing"],
                    ["OBJECT", "REFCOUNT", "small"],
                ],
            )
        finally:
            ours.stop()
    finally:
        redis.stop()


def test_idletimeIsZero(sharedTxredisd):
    """
    OBJECT IDLETIME answers 0 here (no access times are kept), where Redis
    answers the seconds since the last access.
    """
    replies = runSequence(sharedTxredisd.port, [["SET", "a", "1"], ["OBJECT", "IDLETIME", "a"]])
    assert replies[1] == b":0\r\n"


def test_resp3(sharedRedisServer, sharedTxredisd):
    """
    Null and status replies of the key commands are RESP3's under HELLO 3.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["RANDOMKEY"],
            ["TYPE", "missing"],
            ["SET", "a", "1"],
            ["TYPE", "a"],
            ["RENAME", "a", "b"],
            ["SCAN", "0"],
            ["KEYS", "*"],
            ["OBJECT", "ENCODING", "nokey"],
        ],
        resp3=True,
    )


def test_expireOptionMatrix(sharedRedisServer, sharedTxredisd):
    """
    Every NX/XX/GT/LT combination of up to two options, on keys with and
    without an expiry, for shorter, longer and past times, answers as Redis.
    """
    flags = ["NX", "XX", "GT", "LT"]
    combinations = [[]] + [[a] for a in flags] + [[a, b] for a in flags for b in flags]
    commands = []
    for initial in (None, "100"):
        for seconds in ("50", "150", "-1"):
            for options in combinations:
                commands.append(["SET", "k", "v"])
                if initial is not None:
                    commands.append(["EXPIRE", "k", initial])
                commands.append(["EXPIRE", "k", seconds] + options)
                commands.append(["TTL", "k"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_binaryArgumentsInErrors(sharedRedisServer, sharedTxredisd):
    """
    Arguments echoed in error replies pass through byte for byte (UTF-8
    and other high bytes alike), end at a NUL byte as Redis's C{%s} does,
    and lose trailing CR/LF where they end the message.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["EXPIRE", "k", "10", b"\x00\xff\r\n"],
            ["EXPIRE", "k", "10", b"C\xca\x1aUM\xf8"],
            ["EXPIRE", "k", "10", b"ab\r\n"],
            ["EXPIRE", "k", "10", b"a\r\nb"],
            ["PEXPIRE", "k", "10", b"\xc3\xa9"],
            ["ACL", "CAT", b"\xc3\xa9\x00x"],
            ["ACL", "DRYRUN", "default", b"\xc3\xa9"],
            ["OBJECT", b"\xc3\xa9"],
            ["CONFIG", "SET", b"\xc3\xa9", "1"],
        ],
    )
