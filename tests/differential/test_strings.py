"""
The string commands against Debian's redis-server: same requests, same
raw replies (most sequences in both RESP2 and RESP3).
"""

import random

import pytest

from tests.differential import RawConnection, assertSameReplies

LLONG_MAX = str((1 << 63) - 1)
LLONG_MIN = str(-(1 << 63))


def requireCommands(port, *names):
    """
    Skip unless txredisd knows the commands a sequence needs from another
    family (they arrive with that family's branch).
    """
    conn = RawConnection(port)
    try:
        for name in names:
            if conn.call(name).startswith(b"-ERR unknown command"):
                pytest.skip("txredisd has no %s yet" % (name,))
    finally:
        conn.close()


@pytest.mark.parametrize("resp3", [False, True])
def test_getSet(sharedRedisServer, sharedTxredisd, resp3):
    """
    GET and plain SET, including empty and binary values and arity errors.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["GET", "k"],
            ["SET", "k", "v"],
            ["GET", "k"],
            ["SET", "k", ""],
            ["GET", "k"],
            ["SET", b"\x00\r\n", b"\xff\x00\r\nbinary"],
            ["GET", b"\x00\r\n"],
            ["GET"],
            ["GET", "a", "b"],
            ["SET", "k"],
            ["set", "k"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_setOptions(sharedRedisServer, sharedTxredisd, resp3):
    """
    SET's NX, XX, GET and KEEPTTL options and their combinations.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SET", "k", "1", "XX"],
            ["GET", "k"],
            ["SET", "k", "1", "NX"],
            ["SET", "k", "2", "NX"],
            ["SET", "k", "3", "XX"],
            ["GET", "k"],
            ["SET", "k", "4", "GET"],
            ["SET", "n", "4", "GET"],
            ["SET", "k", "5", "NX", "GET"],
            ["SET", "k", "6", "XX", "GET"],
            ["SET", "m", "6", "XX", "GET"],
            ["SET", "o", "7", "NX", "GET", "GET", "nx"],
            ["SET", "k", "8", "KEEPTTL"],
            ["SET", "k", "9", "keepttl", "KEEPTTL", "get"],
            ["SET", "k", "9", "NX", "XX"],
            ["SET", "k", "9", "XX", "NX"],
            ["SET", "k", "9", "XX", "XX"],
            ["SET", "k", "9", "NX", "NX"],
            ["SET", "k", "9", "PERSIST"],
            ["SET", "k", "9", "BOGUS"],
            ["SET", "k", "9", ""],
            ["SET", "k", "9", "nx\x00ignored"],
            ["SET", "k", "9", "GETX"],
            ["GET", "k"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_setExpireOptions(sharedRedisServer, sharedTxredisd, resp3):
    """
    SET's EX, PX, EXAT and PXAT: conflicts, repeats, missing values and
    invalid or overflowing times.
    """
    far = "99999999999"
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SET", "k", "v", "EX", "100"],
            ["SET", "k", "v", "PX", "100000"],
            ["SET", "k", "v", "EXAT", far],
            ["SET", "k", "v", "PXAT", far + "000"],
            ["SET", "k", "v", "EX", "100", "EX", "200"],
            ["SET", "k", "v", "EX", "100", "PX", "200"],
            ["SET", "k", "v", "PX", "100", "EX", "200"],
            ["SET", "k", "v", "EX", "100", "EXAT", far],
            ["SET", "k", "v", "EXAT", far, "PXAT", far],
            ["SET", "k", "v", "PXAT", far, "EX", "1"],
            ["SET", "k", "v", "EX", "100", "KEEPTTL"],
            ["SET", "k", "v", "KEEPTTL", "PX", "100"],
            ["SET", "k", "v", "EX"],
            ["SET", "k", "v", "PXAT"],
            ["SET", "k", "v", "EX", "abc"],
            ["SET", "k", "v", "EX", "1.5"],
            ["SET", "k", "v", "EX", "0"],
            ["SET", "k", "v", "PX", "-1"],
            ["SET", "k", "v", "EXAT", "0"],
            ["SET", "k", "v", "PXAT", "-5"],
            ["SET", "k", "v", "EX", LLONG_MAX],
            ["SET", "k", "v", "EX", "9223372036854775"],
            ["SET", "k", "v", "EX", "9223372036854776"],
            ["SET", "k", "v", "PX", LLONG_MAX],
            ["SET", "k", "v", "EXAT", "9223372036854775"],
            ["SET", "k", "v", "EXAT", "9223372036854776"],
            ["SET", "k", "v", "PXAT", LLONG_MAX],
            ["SET", "k", "v", "EX", "99999999999999999999"],
            ["SET", "k", "v", "EX", "10", "GET"],
            ["SET", "k", "w", "EX", "0", "GET"],
            ["GET", "k"],
            ["SET", "k", "x", "NX", "EX", "10"],
            ["SET", "k", "x", "XX", "PX", "10000", "GET"],
            ["SETEX", "k", "100", "y"],
            ["SETEX", "k", "0", "y"],
            ["SETEX", "k", "-1", "y"],
            ["SETEX", "k", "x", "y"],
            ["SETEX", "k", "9223372036854776", "y"],
            ["SETEX", "k", "100"],
            ["PSETEX", "k", "100000", "z"],
            ["PSETEX", "k", "0", "z"],
            ["PSETEX", "k", LLONG_MAX, "z"],
            ["PSETEX", "k", "1.5", "z"],
            ["GET", "k"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_pastExpiry(sharedRedisServer, sharedTxredisd, resp3):
    """
    An absolute time already past makes SET's key vanish on access and
    GETEX delete the key at once.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SET", "k", "v", "EXAT", "1"],
            ["GET", "k"],
            ["SET", "k", "v", "PXAT", "1", "GET"],
            ["GET", "k"],
            ["SET", "k", "v"],
            ["GETEX", "k", "EXAT", "1"],
            ["GET", "k"],
            ["DBSIZE"],
            ["SET", "k", "v"],
            ["GETEX", "k", "PXAT", "1"],
            ["DBSIZE"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_setnxGetsetGetdel(sharedRedisServer, sharedTxredisd, resp3):
    """
    SETNX, GETSET and GETDEL replies and arity.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SETNX", "k", "1"],
            ["SETNX", "k", "2"],
            ["GET", "k"],
            ["SETNX", "k"],
            ["GETSET", "k", "3"],
            ["GETSET", "n", "4"],
            ["GET", "n"],
            ["GETSET", "k"],
            ["GETDEL", "k"],
            ["GETDEL", "k"],
            ["GET", "k"],
            ["GETDEL"],
            ["GETDEL", "a", "b"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_getex(sharedRedisServer, sharedTxredisd, resp3):
    """
    GETEX's options, their conflicts and the order of its checks (a missing
    key answers null before its expire time is validated).
    """
    far = "99999999999"
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["GETEX", "k"],
            ["GETEX", "k", "EX", "0"],
            ["GETEX", "k", "EX", "abc"],
            ["GETEX", "k", "BOGUS"],
            ["SET", "k", "v"],
            ["GETEX", "k"],
            ["GETEX", "k", "EX", "100"],
            ["GETEX", "k", "PX", "100000"],
            ["GETEX", "k", "EXAT", far],
            ["GETEX", "k", "PXAT", far + "000"],
            ["GETEX", "k", "PERSIST"],
            ["GETEX", "k", "PERSIST", "PERSIST"],
            ["GETEX", "k", "EX", "0"],
            ["GETEX", "k", "EX", "-1"],
            ["GETEX", "k", "EX", "abc"],
            ["GETEX", "k", "EX", LLONG_MAX],
            ["GETEX", "k", "PX", LLONG_MAX],
            ["GETEX", "k", "EX", "1", "PX", "1"],
            ["GETEX", "k", "PERSIST", "EX", "1"],
            ["GETEX", "k", "EX", "1", "PERSIST"],
            ["GETEX", "k", "EX"],
            ["GETEX", "k", "NX"],
            ["GETEX", "k", "XX"],
            ["GETEX", "k", "GET"],
            ["GETEX", "k", "KEEPTTL"],
            ["GETEX", "k", "EX", "10", "EX", "20"],
            ["GETEX"],
            ["GET", "k"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_mgetMset(sharedRedisServer, sharedTxredisd, resp3):
    """
    MGET, MSET and MSETNX, including odd argument counts.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["MGET", "a", "b", "c"],
            ["MSET", "a", "1", "b", "2"],
            ["MGET", "a", "b", "c", "a"],
            ["MSET", "a", "1", "b"],
            ["MSET", "a"],
            ["MSETNX", "c", "3", "a", "9"],
            ["MGET", "c", "a"],
            ["MSETNX", "c", "3", "d", "4"],
            ["MGET", "c", "d"],
            ["MSETNX", "e", "5", "e", "6"],
            ["GET", "e"],
            ["MSETNX", "e", "5", "f"],
            ["MSET", "a", "x", "a", "y"],
            ["GET", "a"],
            ["MGET"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_incrDecr(sharedRedisServer, sharedTxredisd, resp3):
    """
    INCR, DECR, INCRBY and DECRBY: parsing (string2ll), overflow and the
    check order.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["INCR", "n"],
            ["INCR", "n"],
            ["DECR", "n"],
            ["DECR", "m"],
            ["INCRBY", "n", "100"],
            ["INCRBY", "n", "-1000"],
            ["DECRBY", "n", "-5"],
            ["DECRBY", "n", "5"],
            ["INCRBY", "n", "abc"],
            ["INCRBY", "n", "1.5"],
            ["INCRBY", "n", " 1"],
            ["INCRBY", "n", "+1"],
            ["INCRBY", "n", "01"],
            ["INCRBY", "n", "-0"],
            ["INCRBY", "n", ""],
            ["INCRBY", "n", "9223372036854775808"],
            ["DECRBY", "n", LLONG_MIN],
            ["DECRBY", "missing", LLONG_MIN],
            ["SET", "n", LLONG_MAX],
            ["INCR", "n"],
            ["INCRBY", "n", "0"],
            ["DECRBY", "n", "-1"],
            ["SET", "n", LLONG_MIN],
            ["DECR", "n"],
            ["INCRBY", "n", "-1"],
            ["INCRBY", "n", LLONG_MAX],
            ["SET", "n", "-1"],
            ["INCRBY", "n", LLONG_MIN],
            ["SET", "s", "abc"],
            ["INCR", "s"],
            ["SET", "s", " 1"],
            ["INCR", "s"],
            ["SET", "s", "1 "],
            ["INCR", "s"],
            ["SET", "s", "00"],
            ["INCR", "s"],
            ["SET", "s", "1.0"],
            ["INCR", "s"],
            ["SET", "s", ""],
            ["INCR", "s"],
            ["SET", "s", "-0"],
            ["INCR", "s"],
            ["SET", "s", "99999999999999999999"],
            ["DECR", "s"],
            ["INCR"],
            ["INCR", "a", "b"],
            ["INCRBY", "n"],
            ["DECRBY", "n"],
            ["DECR"],
        ],
        resp3,
    )


INCRBYFLOAT_VALUES = [
    "0.1",
    "0.2",
    "-0.3",
    "5.0e3",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1e400",
    "1e4932",
    "1.18e4932",
    "1.19e4932",
    "1e4933",
    "1e-4950",
    "1e-4952",
    "1e-5000",
    "0.000003814697265625",
    "0.000011444091796875",
    "1e-18",
    "-1e-18",
    "3.0",
    "+1.5",
    ".5",
    "5.",
    "-.5",
    "1E+2",
    "1e-2",
    "0x1p3",
    "0X1.8P-3",
    "0x10",
    "-0x.8",
    "0x1p16383",
    "0x1p16384",
    "0x1p-16445",
    "0x1p-16446",
    "inf",
    "-inf",
    "+inf",
    "Infinity",
    "-INFINITY",
    "nan",
    "-nan",
    "NaN(123)",
    "",
    " 1",
    "1 ",
    "1e",
    "1e+",
    "e1",
    ".",
    "-",
    "0x",
    "0xg",
    "1,5",
    "1_0",
    "12abc",
    "9223372036854775807",
    "18446744073709551617",
    "123456789012345678901234567890",
    "0.1234567890123456789",
    "-0",
    "0e99999999999999999999",
    "1e99999999999999999999",
    "1e-99999999999999999999",
    "1" * 5119,
    "1" * 5120,
    "0." + "0" * 5000 + "1",
    "0" * 5100 + "1",
]


def test_incrbyfloat(sharedRedisServer, sharedTxredisd):
    """
    INCRBYFLOAT on a missing key for each of many increments: the long
    double rounding, the %.17Lf formatting and the errors.
    """
    commands = []
    for value in INCRBYFLOAT_VALUES:
        commands.append(["DEL", "f"])
        commands.append(["INCRBYFLOAT", "f", value])
        commands.append(["GET", "f"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_incrbyfloatStoredValues(sharedRedisServer, sharedTxredisd):
    """
    INCRBYFLOAT parses the stored value as it parses its increment (and
    checks the stored value first).
    """
    commands = []
    for value in INCRBYFLOAT_VALUES:
        commands.append(["SET", "f", value])
        commands.append(["INCRBYFLOAT", "f", "1"])
        commands.append(["INCRBYFLOAT", "f", "x"])
        commands.append(["INCRBYFLOAT", "f", "-inf"])
    commands += [["INCRBYFLOAT", "f"], ["INCRBYFLOAT"], ["INCRBYFLOAT", "a", "1", "2"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_incrbyfloatSequences(sharedRedisServer, sharedTxredisd):
    """
    Random chains of INCRBYFLOAT (each step re-parses the formatted value,
    so rounding errors accumulate exactly as Redis's do).
    """
    rng = random.Random(7)
    commands = []
    for _ in range(400):
        kind = rng.random()
        if kind < 0.25:
            value = repr(rng.uniform(-1e6, 1e6))
        elif kind < 0.5:
            value = "%.*e" % (rng.randint(0, 20), rng.uniform(-10, 10) * 10.0 ** rng.randint(-300, 300))
        elif kind < 0.7:
            value = "%.25f" % (rng.uniform(-1, 1),)
        elif kind < 0.85:
            value = str(rng.randint(-(10**25), 10**25))
        else:
            value = "0x%x.%xp%d" % (rng.getrandbits(70), rng.getrandbits(20), rng.randint(-100, 100))
        commands.append(["INCRBYFLOAT", "k%d" % (rng.randrange(3),), value])
    commands += [["MGET", "k0", "k1", "k2"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


@pytest.mark.parametrize("resp3", [False, True])
def test_appendStrlen(sharedRedisServer, sharedTxredisd, resp3):
    """
    APPEND and STRLEN, on missing keys, integers and binary data.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["STRLEN", "k"],
            ["APPEND", "k", ""],
            ["STRLEN", "k"],
            ["GET", "k"],
            ["APPEND", "k", "abc"],
            ["APPEND", "k", b"\x00\xff"],
            ["GET", "k"],
            ["STRLEN", "k"],
            ["SET", "n", "123"],
            ["APPEND", "n", "4"],
            ["INCR", "n"],
            ["STRLEN", "n"],
            ["APPEND", "k"],
            ["STRLEN"],
            ["STRLEN", "a", "b"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_setrange(sharedRedisServer, sharedTxredisd, resp3):
    """
    SETRANGE: padding with zero bytes, empty values, offsets out of range
    and the proto-max-bulk-len limit (checked before any allocation).
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SETRANGE", "k", "0", ""],
            ["GET", "k"],
            ["SETRANGE", "k", "5", ""],
            ["SETRANGE", "k", "3", "abc"],
            ["GET", "k"],
            ["SETRANGE", "k", "1", "X"],
            ["GET", "k"],
            ["SETRANGE", "k", "5", "YZW"],
            ["GET", "k"],
            ["SETRANGE", "k", "100", ""],
            ["SETRANGE", "k", "-1", "x"],
            ["SETRANGE", "k", "-1", ""],
            ["SETRANGE", "missing", "-1", ""],
            ["SETRANGE", "k", "x", "y"],
            ["SETRANGE", "k", "1.5", "y"],
            ["SETRANGE", "k", "536870911", "ab"],
            ["SETRANGE", "k", "536870912", "a"],
            ["SETRANGE", "new", "536870911", "ab"],
            ["SETRANGE", "k", LLONG_MAX, "a"],
            ["SETRANGE", "k", "9223372036854775808", "a"],
            ["SET", "n", "12345"],
            ["SETRANGE", "n", "2", "x"],
            ["GET", "n"],
            ["SETRANGE", "k", "1"],
            ["GET", "missing"],
            ["GET", "new"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_getrange(sharedRedisServer, sharedTxredisd, resp3):
    """
    GETRANGE and SUBSTR index arithmetic, including negative and huge
    indexes and empty strings.
    """
    commands = [["SET", "k", "Hello World"], ["SET", "e", ""], ["SET", "n", "-12345"]]
    indexes = ["0", "1", "4", "-1", "-2", "-5", "-11", "-12", "-100", "10", "11", "100", LLONG_MAX, LLONG_MIN]
    for key in ["k", "e", "n", "missing"]:
        for start in indexes:
            for end in indexes:
                commands.append(["GETRANGE", key, start, end])
    commands += [
        ["SUBSTR", "k", "0", "4"],
        ["SUBSTR", "k", "-3", "-1"],
        ["GETRANGE", "k", "a", "1"],
        ["GETRANGE", "k", "1", "a"],
        ["GETRANGE", "missing", "a", "1"],
        ["GETRANGE", "k", "9223372036854775808", "1"],
        ["GETRANGE", "k", "0"],
        ["SUBSTR", "k", "0"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def test_lcs(sharedRedisServer, sharedTxredisd):
    """
    LCS and its LEN, IDX, MINMATCHLEN and WITHMATCHLEN options, in RESP2.
    """
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, _lcsCommands())


def test_lcsResp3(sharedRedisServer, sharedTxredisd):
    """
    LCS IDX answers a map in RESP3.
    """
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, _lcsCommands(), resp3=True)


def _lcsCommands():
    commands = [
        ["MSET", "a", "ohmytext", "b", "mynewtext", "e", "", "x", "abcabcabc", "y", "cbacbacba"],
        ["LCS", "a", "b"],
        ["LCS", "b", "a"],
        ["LCS", "a", "b", "LEN"],
        ["LCS", "a", "b", "IDX"],
        ["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
        ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"],
        ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
        ["LCS", "a", "b", "IDX", "MINMATCHLEN", "-4", "WITHMATCHLEN"],
        ["LCS", "a", "b", "MINMATCHLEN", "4"],
        ["LCS", "a", "b", "WITHMATCHLEN"],
        ["LCS", "a", "b", "LEN", "WITHMATCHLEN"],
        ["LCS", "a", "b", "LEN", "IDX"],
        ["LCS", "a", "b", "LEN", "IDX", "BOGUS"],
        ["LCS", "a", "b", "MINMATCHLEN"],
        ["LCS", "a", "b", "MINMATCHLEN", "x"],
        ["LCS", "a", "b", "BOGUS"],
        ["LCS", "a", "missing"],
        ["LCS", "missing", "missing", "IDX"],
        ["LCS", "a", "e", "IDX", "WITHMATCHLEN"],
        ["LCS", "x", "y"],
        ["LCS", "x", "y", "IDX", "WITHMATCHLEN"],
        ["LCS", "a", "a", "IDX", "WITHMATCHLEN"],
        ["LCS", "a"],
    ]
    rng = random.Random(3)
    for i in range(30):
        left = "".join(rng.choice("abc") for _ in range(rng.randrange(0, 40)))
        right = "".join(rng.choice("abc") for _ in range(rng.randrange(0, 40)))
        commands.append(["MSET", "r1", left, "r2", right])
        commands.append(["LCS", "r1", "r2"])
        commands.append(["LCS", "r1", "r2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", str(i % 3)])
    return commands


def test_lcsTooBig(sharedRedisServer, sharedTxredisd):
    """
    LCS refuses inputs whose table would exceed proto-max-bulk-len.
    """
    big = "a" * 12000
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [["MSET", "a", big, "b", big], ["LCS", "a", "b", "LEN"], ["LCS", "a", "missing", "LEN"]],
    )


def test_wrongType(sharedRedisServer, sharedTxredisd):
    """
    Every string command on a key of another type (WRONGTYPE, null in
    MGET, LCS's own error) and the check order around it.
    """
    requireCommands(sharedTxredisd.port, "LPUSH")
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["LPUSH", "l", "x"],
            ["SET", "s", "v"],
            ["GET", "l"],
            ["SET", "l", "v", "GET"],
            ["SET", "l", "v", "EX", "0", "GET"],
            ["SET", "l", "v", "NX", "GET"],
            ["GETSET", "l", "v"],
            ["GETDEL", "l"],
            ["GETEX", "l"],
            ["GETEX", "l", "EX", "0"],
            ["GETEX", "l", "BOGUS"],
            ["MGET", "s", "l", "missing"],
            ["MSETNX", "l", "1", "z", "2"],
            ["INCR", "l"],
            ["DECR", "l"],
            ["INCRBY", "l", "1"],
            ["INCRBY", "l", "x"],
            ["DECRBY", "l", "1"],
            ["DECRBY", "l", LLONG_MIN],
            ["INCRBYFLOAT", "l", "1"],
            ["INCRBYFLOAT", "l", "x"],
            ["APPEND", "l", "x"],
            ["STRLEN", "l"],
            ["SETRANGE", "l", "0", "x"],
            ["SETRANGE", "l", "0", ""],
            ["SETRANGE", "l", "-1", "x"],
            ["GETRANGE", "l", "0", "1"],
            ["GETRANGE", "l", "x", "1"],
            ["SUBSTR", "l", "0", "1"],
            ["LCS", "l", "s"],
            ["LCS", "s", "l", "BOGUS"],
            ["SETNX", "l", "v"],
            ["SET", "l", "v", "XX"],
            ["GET", "l"],
        ],
    )


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedRedisServer, sharedTxredisd, protocol):
    """
    redis-py, in RESP2 and RESP3, gets the same parsed results from both
    servers for the string commands' reply shapes.
    """

    def run(server):
        client = server.client(protocol=protocol)
        try:
            client.flushall()
            return [
                client.set("k", "v", ex=100, get=True),
                client.set("k", "w", nx=True),
                client.set("k", "w", xx=True, keepttl=True),
                client.get("k"),
                client.getex("k", persist=True),
                client.getset("k", "x"),
                client.mset({"a": "1", "b": "2"}),
                client.msetnx({"a": "1", "c": "3"}),
                client.mget("a", "b", "c", "k"),
                client.incr("a"),
                client.decrby("a", 5),
                client.incrbyfloat("f", 0.1),
                client.incrbyfloat("f", 0.2),
                client.append("k", "yz"),
                client.strlen("k"),
                client.setrange("k", 5, "!"),
                client.getrange("k", 0, -1),
                client.getdel("k"),
                client.setnx("k", "1"),
                client.setex("e", 100, "v"),
                client.psetex("p", 100000, "v"),
                client.lcs("a", "b"),
                client.mset({"s1": "ohmytext", "s2": "mynewtext"}),
                client.lcs("s1", "s2", idx=True, minmatchlen=2, withmatchlen=True),
                client.lcs("s1", "s2", len=True),
            ]
        finally:
            client.close()

    expected = run(sharedRedisServer)
    assert run(sharedTxredisd) == expected
    assert expected[11:13] == [0.1, 0.3]


def _randomCommands(rng, count):
    """
    A seeded random mix of every string command over three keys, with
    values, integers and options chosen to hit edge cases (relative
    expiry times are long enough that nothing expires during the test).
    """
    keys = ["a", "b", "c"]
    values = ["", "0", "1", "-1", "abc", "10", LLONG_MAX, LLONG_MIN, "1.5", "x" * 30, "00", " 1", "ex", "get"]
    integers = ["0", "1", "-1", "2", "-5", "100", LLONG_MAX, LLONG_MIN, "x", "1.0", "99999999999", ""]
    options = [
        ["NX"], ["XX"], ["GET"], ["KEEPTTL"], ["EX", "1000"], ["PX", "1000000"], ["EXAT", "1"],
        ["EXAT", "99999999999"], ["PXAT", "1"], ["PXAT", "99999999999999"], ["PERSIST"], ["EX", "0"],
        ["EX", "x"], ["EX"], ["BOGUS"], ["LEN"], ["IDX"], ["WITHMATCHLEN"], ["MINMATCHLEN", "2"],
    ]

    def key():
        return rng.choice(keys)

    def value():
        return rng.choice(values)

    def integer():
        return rng.choice(integers)

    def opts():
        return sum((rng.choice(options) for _ in range(rng.randint(0, 3))), [])

    def pairs():
        return sum(([key(), value()] for _ in range(rng.randint(0, 2))), [])

    generators = [
        lambda: ["SET", key(), value()] + opts(),
        lambda: ["GET", key()],
        lambda: ["GETEX", key()] + opts(),
        lambda: ["GETDEL", key()],
        lambda: ["GETSET", key(), value()],
        lambda: ["SETNX", key(), value()],
        lambda: ["SETEX", key(), rng.choice(["0", "-1", "x", "1000", LLONG_MAX]), value()],
        lambda: ["PSETEX", key(), rng.choice(["0", "-1", "x", "10000000", LLONG_MAX]), value()],
        lambda: ["MGET"] + [key() for _ in range(rng.randint(0, 3))],
        lambda: ["MSET"] + pairs() + ([key()] if rng.random() < 0.2 else []),
        lambda: ["MSETNX"] + pairs(),
        lambda: ["INCR", key()],
        lambda: ["DECR", key()],
        lambda: ["INCRBY", key(), integer()],
        lambda: ["DECRBY", key(), integer()],
        lambda: ["INCRBYFLOAT", key(), rng.choice(integers + values)],
        lambda: ["APPEND", key(), value()],
        lambda: ["STRLEN", key()],
        lambda: ["SETRANGE", key(), rng.choice(["0", "1", "3", "20", "-1", "x"]), value()],
        lambda: ["GETRANGE", key(), integer(), integer()],
        lambda: ["SUBSTR", key(), integer(), integer()],
        lambda: ["LCS", key(), key()] + opts(),
        lambda: ["DEL", key()],
        lambda: ["DBSIZE"],
    ]
    commands = []
    for _ in range(count):
        command = rng.choice(generators)()
        if len(command) > 1 and rng.random() < 0.02:
            # Now and then a wrong argument count.
            command = command[:-1]
        commands.append(command)
    return commands


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_randomSequences(sharedRedisServer, sharedTxredisd, seed):
    """
    Seeded random sequences of all the string commands get the same
    replies from both servers.
    """
    commands = _randomCommands(random.Random(seed), 1500)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
