"""
The bitmap commands against Debian's redis-server: same requests, same raw
replies, in RESP2 and RESP3.
"""

import random
import re

import pytest

from tests.differential import RawConnection, assertSameReplies, runSequence
from tests.differential.multiconn import assertSameScript

LLONG_MAX = str((1 << 63) - 1)
LLONG_MIN = str(-(1 << 63))
BITMAP_COMMANDS = ["setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"]


def _same(servers, commands, resp3):
    redis, txredisd = servers
    assertSameReplies(redis.port, txredisd.port, commands, resp3)


@pytest.fixture
def servers(sharedRedisServer, sharedTxredisd):
    return sharedRedisServer, sharedTxredisd


@pytest.mark.parametrize("resp3", [False, True])
def test_setbitGetbit(servers, resp3):
    """
    SETBIT and GETBIT: growth, old bit replies, offset and bit errors in
    Redis's order, WRONGTYPE and arity.
    """
    _same(
        servers,
        [
            ["SETBIT", "k", "9", "1"],
            ["GET", "k"],
            ["SETBIT", "k", "9", "1"],
            ["SETBIT", "k", "9", "0"],
            ["SETBIT", "k", "0", "1"],
            ["GETBIT", "k", "0"],
            ["GETBIT", "k", "9"],
            ["GETBIT", "k", "1000"],
            ["GETBIT", "nokey", "0"],
            ["SET", "s", "abc"],
            ["EXPIRE", "s", "100"],
            ["SETBIT", "s", "40", "1"],
            ["GET", "s"],
            ["TTL", "s"],
            ["SETBIT", "k", "-1", "1"],
            ["SETBIT", "k", "#1", "1"],
            ["SETBIT", "k", "x", "9"],
            ["SETBIT", "k", "4294967296", "1"],
            ["SETBIT", "k", LLONG_MAX, "1"],
            ["SETBIT", "k", "99999999999999999999", "1"],
            ["SETBIT", "k", "0", "2"],
            ["SETBIT", "k", "0", "-1"],
            ["SETBIT", "k", "0", ""],
            ["SETBIT", "k", "0", "01"],
            ["SETBIT", "k", "0", " 1"],
            ["GETBIT", "k", "-1"],
            ["GETBIT", "k", "4294967296"],
            ["GETBIT", "k", "4294967295"],
            ["GETBIT", "k", "1.5"],
            ["RPUSH", "l", "a"],
            ["SETBIT", "l", "x", "1"],
            ["SETBIT", "l", "0", "5"],
            ["SETBIT", "l", "0", "1"],
            ["GETBIT", "l", "x"],
            ["GETBIT", "l", "0"],
            ["SETBIT", "k", "0"],
            ["SETBIT", "k", "0", "1", "1"],
            ["GETBIT", "k"],
            ["GETBIT", "k", "0", "1"],
            ["SET", "n", "12345"],
            ["GETBIT", "n", "2"],
            ["SETBIT", "n", "7", "0"],
            ["GET", "n"],
        ],
        resp3,
    )


def test_protoMaxBulkLen(servers):
    """
    Offsets whose byte lies at or past proto-max-bulk-len are refused, for
    SETBIT, GETBIT and BITFIELD, and a write at the last byte works.
    """
    limit = 8 * 1024 * 1024
    commands = [
        ["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
        ["SETBIT", "k", str(limit), "1"],
        ["GETBIT", "k", str(limit)],
        ["BITFIELD", "k", "GET", "u8", str(limit)],
        ["BITFIELD", "k", "GET", "u8", "#1048576"],
        ["SETBIT", "k", str(limit - 1), "1"],
        ["BITFIELD", "k", "SET", "i64", str(limit - 1), "-1"],
        ["STRLEN", "k"],
        ["BITCOUNT", "k"],
        ["BITPOS", "k", "1"],
        ["DEL", "k"],
        ["CONFIG", "SET", "proto-max-bulk-len", "512mb"],
    ]
    _same(servers, commands, False)


@pytest.mark.parametrize("resp3", [False, True])
def test_bitcount(servers, resp3):
    """
    BITCOUNT over the whole string, byte and bit ranges with negative
    indexes, and its errors (none for a missing key, as in 7.0).
    """
    commands = [["SET", "k", b"\xff\xf0\x00\x01\x80"], ["SET", "e", ""]]
    for start, end in [("0", "-1"), ("1", "1"), ("-2", "-1"), ("-100", "100"), ("2", "1"),
                       ("-1", "-3"), ("-10", "-20"), ("3", "38"), ("5", "5"), (LLONG_MIN, LLONG_MAX),
                       (LLONG_MAX, LLONG_MIN), ("-1", "-1"), ("0", "0")]:
        commands.append(["BITCOUNT", "k", start, end])
        commands.append(["BITCOUNT", "k", start, end, "BIT"])
        commands.append(["BITCOUNT", "k", start, end, "byte"])
    commands += [
        ["BITCOUNT", "k"],
        ["BITCOUNT", "e"],
        ["BITCOUNT", "e", "0", "-1", "BIT"],
        ["BITCOUNT", "nokey"],
        ["BITCOUNT", "nokey", "0"],
        ["BITCOUNT", "nokey", "a", "b", "c", "d"],
        ["BITCOUNT", "k", "0"],
        ["BITCOUNT", "k", "a", "b"],
        ["BITCOUNT", "k", "0", "b"],
        ["BITCOUNT", "k", "0", "1", "foo"],
        ["BITCOUNT", "k", "a", "1", "foo"],
        ["BITCOUNT", "k", "0", "1", "BIT", "x"],
        ["BITCOUNT", "k", "-1", "-2", "foo"],
        ["BITCOUNT", "k", "-2", "-1", "foo"],
        ["BITCOUNT", "k", "1", "-2", "foo"],
        ["BITCOUNT", "k", "0", "1", b"bit\x00x"],
        ["BITCOUNT"],
        ["RPUSH", "l", "a"],
        ["BITCOUNT", "l"],
        ["BITCOUNT", "l", "x"],
    ]
    _same(servers, commands, resp3)


@pytest.mark.parametrize("resp3", [False, True])
def test_bitpos(servers, resp3):
    """
    BITPOS for set and clear bits, with and without an end (an all-ones
    string answers the bit after it only when no end was given), in byte
    and bit ranges, and its errors.
    """
    commands = [
        ["SET", "ones", b"\xff\xff\xff"],
        ["SET", "k", b"\x00\x0f\xf0\x00\xff"],
        ["SET", "e", ""],
    ]
    for key in ("ones", "k", "e", "nokey"):
        for bit in ("0", "1"):
            commands.append(["BITPOS", key, bit])
            for start in ("0", "1", "-1", "-100", "7", "100"):
                commands.append(["BITPOS", key, bit, start])
                for end in ("-1", "0", "2", "-3", "30", "100", "-100"):
                    commands.append(["BITPOS", key, bit, start, end])
                    commands.append(["BITPOS", key, bit, start, end, "BIT"])
                    commands.append(["BITPOS", key, bit, start, end, "byte"])
    commands += [
        ["BITPOS", "k", "2"],
        ["BITPOS", "k", "x"],
        ["BITPOS", "nokey", "1", "a", "b", "c", "d", "e"],
        ["BITPOS", "nokey", "0", "a"],
        ["BITPOS", "k", "1", "a"],
        ["BITPOS", "k", "1", "0", "b"],
        ["BITPOS", "k", "1", "0", "1", "x"],
        ["BITPOS", "k", "1", "a", "b", "x"],
        ["BITPOS", "k", "1", "0", "b", "x"],
        ["BITPOS", "k", "1", "0", "1", "BIT", "x"],
        ["BITPOS", "k", "1", "0", "1", b"bit\x00"],
        ["BITPOS", "k"],
        ["RPUSH", "l", "a"],
        ["BITPOS", "l", "5"],
        ["BITPOS", "l", "1"],
        ["BITPOS", "l", "1", "x"],
    ]
    _same(servers, commands, resp3)


@pytest.mark.parametrize("resp3", [False, True])
def test_bitop(servers, resp3):
    """
    BITOP AND, OR, XOR, NOT with zero padding and missing keys, the
    destination replaced or deleted, and its errors.
    """
    _same(
        servers,
        [
            ["SET", "a", b"\xf0\x0f\xff"],
            ["SET", "b", b"\x3c"],
            ["SET", "e", ""],
            ["BITOP", "AND", "d", "a", "b"],
            ["GET", "d"],
            ["BITOP", "or", "d", "a", "b", "nokey"],
            ["GET", "d"],
            ["BITOP", "XoR", "d", "a", "b", "b", "a"],
            ["GET", "d"],
            ["BITOP", "AND", "d", "a", "nokey"],
            ["GET", "d"],
            ["BITOP", "NOT", "d", "a"],
            ["GET", "d"],
            ["BITOP", "NOT", "d", "b"],
            ["GET", "d"],
            ["BITOP", "AND", "a", "a", "b"],
            ["GET", "a"],
            ["EXPIRE", "d", "100"],
            ["BITOP", "OR", "d", "b"],
            ["TTL", "d"],
            ["BITOP", "OR", "d", "nokey", "e"],
            ["EXISTS", "d"],
            ["BITOP", "NOT", "d", "e"],
            ["RPUSH", "l", "x"],
            ["BITOP", "OR", "l", "b"],
            ["TYPE", "l"],
            ["RPUSH", "l2", "x"],
            ["BITOP", "OR", "l2", "nokey"],
            ["EXISTS", "l2"],
            ["BITOP", "AND", "d", "b", "l"],
            ["BITOP", "NOT", "d", "l"],
            ["BITOP", "NOT", "d", "a", "b"],
            ["BITOP", "NOT", "d"],
            ["BITOP", "NAND", "d", "a"],
            ["BITOP", b"and\x00x", "d", "a"],
            ["BITOP", "AND ", "d", "a"],
            ["BITOP", "AND", "d"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_bitfield(servers, resp3):
    """
    BITFIELD GET, SET and INCRBY on signed and unsigned fields, #N offsets,
    the overflow policies and Redis's C-arithmetic overflow quirks.
    """
    _same(
        servers,
        [
            ["SET", "k", b"\xff\xf0"],
            ["BITFIELD", "k", "GET", "i8", "0", "GET", "u8", "0", "GET", "u4", "#2", "GET", "i8", "#1",
             "GET", "u63", "1", "GET", "i64", "0", "GET", "i1", "0", "GET", "u1", "15"],
            ["BITFIELD", "nokey", "GET", "u8", "100"],
            ["EXISTS", "nokey"],
            ["BITFIELD", "k"],
            ["BITFIELD", "k", "OVERFLOW", "SAT"],
            ["BITFIELD", "n", "SET", "u8", "8", "200", "INCRBY", "u8", "8", "10", "GET", "u16", "0",
             "SET", "i4", "#0", "-1"],
            ["GET", "n"],
            ["BITFIELD", "m", "INCRBY", "u8", "0", "300", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300",
             "INCRBY", "i8", "8", "-300", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "GET", "u8", "0",
             "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "1"],
            ["BITFIELD", "q", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0",
             "SET", "i63", "8", LLONG_MIN, "GET", "i63", "8", "SET", "i8", "0", LLONG_MIN, "GET", "i8", "0",
             "SET", "i8", "0", "-200", "SET", "u7", "3", LLONG_MAX, "GET", "u7", "3"],
            ["BITFIELD", "q", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "SET", "i8", "0", LLONG_MIN,
             "SET", "u63", "0", LLONG_MIN, "SET", "i63", "0", LLONG_MIN, "GET", "i63", "0"],
            ["BITFIELD", "w", "SET", "i64", "0", LLONG_MAX, "INCRBY", "i64", "0", "1",
             "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", LLONG_MIN,
             "OVERFLOW", "FAIL", "INCRBY", "i64", "0", LLONG_MAX, "INCRBY", "i64", "0", "-1"],
            ["BITFIELD", "w", "OVERFLOW", "SAT", "INCRBY", "u63", "0", LLONG_MIN,
             "INCRBY", "u63", "0", LLONG_MAX, "INCRBY", "u63", "0", LLONG_MAX],
            ["BITFIELD", "k", "GET", "u8", "#2305843009213693952"],
            ["BITFIELD", "k", "GET", "u8", "#2305843009213693953"],
            ["BITFIELD", "k", "GET", "u8", "#1152921504606846976"],
            ["BITFIELD", "nf", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300"],
            ["GET", "nf"],
            ["BITFIELD_RO", "k", "GET", "i8", "0", "OVERFLOW", "SAT", "GET", "u4", "#3"],
            ["BITFIELD_RO", "k"],
            ["BITFIELD_RO", "nokey", "GET", "u8", "0"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_bitfieldErrors(servers, resp3):
    """
    BITFIELD's type, offset, value, overflow and syntax errors, in the
    order Redis finds them, WRONGTYPE after parsing, and BITFIELD_RO's
    refusal of writes.
    """
    commands = [["SET", "k", b"\x01"], ["RPUSH", "l", "a"]]
    for bad in ("I8", "u64", "i65", "i0", "x8", "u", "", "i-1", "i08", "u+8", b"u8\x00junk", "U8"):
        commands.append(["BITFIELD", "k", "GET", bad, "0"])
    for bad in ("-1", "#-1", "#", "##1", "#-0", "+1", "x", "4294967296", b"0\x00", "1.0"):
        commands.append(["BITFIELD", "k", "GET", "u8", bad])
    commands += [
        ["BITFIELD", "k", "SET", "u8", "0", "x"],
        ["BITFIELD", "k", "INCRBY", "u8", "0", "99999999999999999999"],
        ["BITFIELD", "k", "OVERFLOW", "x"],
        ["BITFIELD", "k", "OVERFLOW", b"sat\x00", "GET", "i8", "0"],
        ["BITFIELD", "k", b"get\x00x", "u8", "0"],
        ["BITFIELD", "k", "GET", "u8"],
        ["BITFIELD", "k", "SET", "u8", "0"],
        ["BITFIELD", "k", "OVERFLOW"],
        ["BITFIELD", "k", "FOO"],
        ["BITFIELD", "k", "SET", "u8", "0", "1", "GET"],
        ["BITFIELD", "k", "SET", "u8", "0", "1", "GET", "x8", "0"],
        ["GET", "k"],
        ["BITFIELD", "l", "GET", "u8", "0"],
        ["BITFIELD", "l", "SET", "u8", "0", "1"],
        ["BITFIELD", "l", "GET", "x8", "0"],
        ["BITFIELD", "l"],
        ["BITFIELD_RO", "k", "SET", "u8", "0", "1"],
        ["BITFIELD_RO", "l", "INCRBY", "u8", "0", "1"],
        ["BITFIELD_RO", "k", "GET", "u8"],
        ["BITFIELD_RO", "l", "GET", "u8", "0"],
        ["BITFIELD"],
        ["BITFIELD_RO"],
    ]
    _same(servers, commands, resp3)


def _generate(rng):
    """
    A random bitmap command on a few short keys: long runs of 0x00 and 0xff
    and edge values, to exercise partial bytes and overflow.
    """
    key = rng.choice([b"a", b"b", b"c"])

    def number(low=-70, high=70):
        return str(rng.randint(low, high)).encode()

    r = rng.random()
    if r < 0.12:
        runs = [bytes([rng.choice([0, 0xFF, rng.randrange(256)])]) * rng.choice([0, 1, 2, 5, 11])
                for _ in range(rng.randint(0, 3))]
        return [b"SET", key, b"".join(runs)]
    if r < 0.27:
        argv = [b"BITCOUNT", key]
        if rng.random() < 0.8:
            argv += [number(), number()]
            if rng.random() < 0.6:
                argv.append(rng.choice([b"BIT", b"BYTE"]))
        return argv
    if r < 0.47:
        argv = [b"BITPOS", key, rng.choice([b"0", b"1"])]
        if rng.random() < 0.8:
            argv.append(number())
            if rng.random() < 0.7:
                argv.append(number())
                if rng.random() < 0.6:
                    argv.append(rng.choice([b"BIT", b"BYTE"]))
        return argv
    if r < 0.57:
        return [b"SETBIT", key, number(0, 150), rng.choice([b"0", b"1"])]
    if r < 0.62:
        return [b"GETBIT", key, number(0, 150)]
    if r < 0.72:
        op = rng.choice([b"AND", b"OR", b"XOR", b"NOT"])
        count = 1 if op == b"NOT" else rng.randint(1, 3)
        sources = [rng.choice([b"a", b"b", b"c", b"d"]) for _ in range(count)]
        return [b"BITOP", op, rng.choice([b"a", b"b", b"c", b"d"])] + sources
    argv = [rng.choice([b"BITFIELD", b"BITFIELD", b"BITFIELD_RO"]), key]
    for _ in range(rng.randint(0, 4)):
        name = rng.choice([b"GET", b"SET", b"INCRBY", b"OVERFLOW"])
        if name == b"OVERFLOW":
            argv += [name, rng.choice([b"WRAP", b"SAT", b"FAIL"])]
            continue
        signed = rng.random() < 0.5
        bits = rng.choice([1, 2, 3, 7, 8, 9, 16, 31, 33, 63] + ([64] if signed else []))
        offset = number(0, 40) if rng.random() < 0.7 else b"#" + number(0, 5)
        argv += [name, (b"i" if signed else b"u") + b"%d" % (bits,), offset]
        if name != b"GET":
            argv.append(b"%d" % (rng.choice([
                rng.randint(-300, 300),
                rng.randint(-(1 << 63), (1 << 63) - 1),
                (1 << 63) - 1,
                -(1 << 63),
                rng.randint(-(1 << bits), 1 << bits),
            ]),))
    return argv


def _changes(info):
    return int(re.search(rb"rdb_changes_since_last_save:(\d+)", info).group(1))


@pytest.mark.parametrize("seed", range(6))
def test_random(servers, seed):
    """
    Random bitmap commands give the same replies, leave the same values and
    count the same number of changes (which decides propagation) on both
    servers.
    """
    redis, txredisd = servers
    rng = random.Random(seed)
    commands = [[b"INFO", b"persistence"]] + [_generate(rng) for _ in range(250)]
    commands += [[b"GET", key] for key in (b"a", b"b", b"c", b"d")] + [[b"INFO", b"persistence"]]
    resp3 = seed % 2 == 1
    expected = runSequence(redis.port, commands, resp3)
    actual = runSequence(txredisd.port, commands, resp3)
    for argv, want, got in zip(commands[1:-1], expected[1:-1], actual[1:-1]):
        assert got == want, "%r: redis-server answered %r, txredisd %r" % (argv, want, got)
    assert _changes(actual[-1]) - _changes(actual[0]) == _changes(expected[-1]) - _changes(expected[0])


def test_keyspaceEvents(servers):
    """
    SETBIT and BITFIELD notify C{setbit} only for real changes, BITOP
    C{set} or C{del}, and new keys and misses are told as Redis tells them.
    """
    commands = [
        [b"SETBIT", b"k", b"3", b"1"],
        [b"SETBIT", b"k", b"3", b"1"],
        [b"SETBIT", b"k", b"30", b"0"],
        [b"BITFIELD", b"n", b"OVERFLOW", b"FAIL", b"INCRBY", b"u8", b"0", b"300"],
        [b"BITFIELD", b"k", b"GET", b"u8", b"0"],
        [b"BITFIELD", b"k", b"SET", b"u8", b"0", b"1"],
        [b"BITFIELD", b"k", b"SET", b"u8", b"0", b"1"],
        [b"BITFIELD_RO", b"k", b"GET", b"u8", b"0"],
        [b"BITOP", b"AND", b"d", b"k", b"n"],
        [b"BITOP", b"AND", b"d", b"x"],
        [b"GETBIT", b"zz", b"0"],
        [b"BITCOUNT", b"zz"],
        [b"BITPOS", b"zz", b"1"],
        [b"SETBIT", b"zz", b"0", b"0"],
    ]

    def events(port):
        conn = RawConnection(port)
        listener = RawConnection(port)
        try:
            conn.call("FLUSHALL")
            conn.call("CONFIG", "SET", "notify-keyspace-events", "KEAnm")
            listener.call("PSUBSCRIBE", "__key*")
            replies = [conn.call(*argv) for argv in commands]
            conn.call("CONFIG", "SET", "notify-keyspace-events", "")
            # The listener's last message: everything before it has come.
            conn.call("PUBLISH", "__keyend", "x")
            messages = []
            while True:
                message = listener.readReply()
                if b"__keyend" in message:
                    return replies, messages
                messages.append(message)
        finally:
            conn.close()
            listener.close()

    redis, txredisd = servers
    assert events(txredisd.port) == events(redis.port)


def test_commandIntrospection(servers):
    """
    COMMAND INFO, COMMAND DOCS and COMMAND GETKEYSANDFLAGS of the bitmap
    commands are Redis's, byte for byte, BITFIELD's key flags following its
    subcommands.
    """
    commands = [["COMMAND", "INFO"] + BITMAP_COMMANDS, ["COMMAND", "DOCS"] + BITMAP_COMMANDS]
    for tail in (["get", "u8", "0"], ["get", "u8"], [], ["overflow", "fail", "get", "u8", "0"],
                 ["foo"], ["incrby", "u8", "0", "1"]):
        commands.append(["COMMAND", "GETKEYSANDFLAGS", "bitfield", "k"] + tail)
    commands += [
        ["COMMAND", "GETKEYSANDFLAGS", "bitfield_ro", "k", "get", "u8", "0"],
        ["COMMAND", "GETKEYSANDFLAGS", "bitop", "and", "d", "a", "b"],
        ["COMMAND", "GETKEYSANDFLAGS", "setbit", "k", "0", "1"],
        ["COMMAND", "GETKEYS", "bitop", "not", "d", "a"],
    ]
    _same(servers, commands, False)
    _same(servers, commands, True)


@pytest.mark.parametrize("resp3", [False, True])
def test_transactionsAndScripts(servers, resp3):
    """
    The bitmap commands in MULTI/EXEC and from Lua (BITFIELD's nulls become
    false; write commands refused by EVAL_RO and BITFIELD_RO).
    """
    _same(
        servers,
        [
            ["MULTI"],
            ["SETBIT", "m", "1", "1"],
            ["BITFIELD", "m", "INCRBY", "u2", "0", "1"],
            ["BITFIELD_RO", "m", "GET", "u2", "0"],
            ["BITCOUNT", "m"],
            ["EXEC"],
            ["EVAL", "return redis.call('bitfield', KEYS[1], 'overflow', 'fail', 'incrby', 'u2', 0, 5, "
             "'get', 'u2', 0)", "1", "m"],
            ["EVAL", "return redis.pcall('bitfield_ro', KEYS[1], 'set', 'u2', 0, 5)", "1", "m"],
            ["EVAL", "return redis.pcall('setbit', KEYS[1], 0, 5)", "1", "m"],
            ["EVAL_RO", "return redis.call('bitfield_ro', KEYS[1], 'get', 'u2', 0)", "1", "m"],
            ["EVAL_RO", "return redis.pcall('bitfield', KEYS[1], 'get', 'u2', 0)", "1", "m"],
            ["EVAL_RO", "return redis.pcall('setbit', KEYS[1], 0, 1)", "1", "m"],
        ],
        resp3,
    )


def test_aclReadOnlyKeys(servers):
    """
    A user who may only read keys runs GETBIT and BITFIELD with GETs only,
    as Redis's BITFIELD key flags allow.
    """
    commands = [
        ["ACL", "SETUSER", "bitreader", "on", "nopass", "+@all", "%R~*"],
        ["AUTH", "bitreader", "x"],
        ["BITFIELD", "k", "GET", "u8", "0"],
        ["BITFIELD", "k", "OVERFLOW", "SAT"],
        ["BITFIELD", "k", "SET", "u8", "0", "1"],
        ["BITFIELD", "k", "GET", "u8"],
        ["BITFIELD_RO", "k", "GET", "u8", "0"],
        ["GETBIT", "k", "0"],
        ["SETBIT", "k", "0", "1"],
        ["AUTH", "default", "x"],
        ["ACL", "DELUSER", "bitreader"],
    ]
    _same(servers, commands, False)


def test_watch(servers):
    """
    WATCH sees SETBIT, BITFIELD and BITOP changes, but not a SETBIT that
    changes nothing nor a BITFIELD whose writes all failed (Redis grows or
    creates the key without signalling it).
    """
    redis, txredisd = servers
    script = [(0, ["SET", "g", "x"]), (0, ["SETBIT", "s", "1", "1"])]
    for change in (
        ["BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
        ["BITFIELD", "g", "OVERFLOW", "FAIL", "INCRBY", "u8", "80", "300"],
        ["SETBIT", "s", "1", "1"],
        ["BITFIELD", "s", "SET", "u1", "1", "1"],
        ["SETBIT", "s", "1", "0"],
        ["BITFIELD", "g", "INCRBY", "u8", "0", "1"],
        ["BITOP", "NOT", "s", "s"],
        ["BITOP", "AND", "s", "nokey"],
    ):
        script += [
            (0, ["WATCH", "n", "g", "s"]),
            (1, change),
            (0, ["MULTI"]),
            (0, ["PING"]),
            (0, ["EXEC"]),
        ]
    script.append((0, ["STRLEN", "g"]))
    assertSameScript(redis.port, txredisd.port, script)
