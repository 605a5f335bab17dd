"""
SORT and SORT_RO against Debian's redis-server: the same requests, the
same raw replies, in RESP2 and RESP3.

Redis reads numeric weights with C{strtod} and looks at C{errno} without
clearing it first: once a weight has overflowed or underflowed (ERANGE),
every later non-integer weight of that server process is refused too.  The
shared server therefore never sees such a weight; L{test_rangeErrors} uses
fresh servers and checks one at a time.
"""

import random

import pytest

from tests.conftest import startRedisServer, startTxredisd
from tests.differential import assertSameReplies
from tests.differential.multiconn import assertSameScript

_DATA = [
    ["RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "1"],
    ["SADD", "s", "5", "3", "9", "1"],
    ["SADD", "sa", "b", "a", "c", "d"],
    ["ZADD", "z", "1", "c", "2", "b", "3", "a", "3", "aa"],
    ["MSET", "w_1", "30", "w_3", "20", "w_5", "20", "w_a", "x", "w_b", "y", "w_c", "xx"],
    ["HSET", "h_1", "f", "3", "g", "one"],
    ["HSET", "h_3", "f", "1", "g", "three"],
    ["HSET", "h_5", "f", "2"],
    ["RPUSH", "la", "b", "a", "C", "c", "B", "a\x00z", "a\x00y", "a"],
    ["SET", "str", "x"],
]


@pytest.mark.parametrize("resp3", [False, True])
def test_orders(sharedRedisServer, sharedTxredisd, resp3):
    """
    Numeric and ALPHA sorts of lists, sets and sorted sets, ascending and
    descending, ties broken by the elements' bytes, NUL bytes ending ALPHA
    comparisons.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _DATA
        + [
            ["SORT", "l"],
            ["SORT", "l", "DESC"],
            ["SORT", "l", "ASC", "DESC", "ASC"],
            ["SORT", "l", "ALPHA"],
            ["SORT", "l", "alpha", "desc"],
            ["SORT", "la", "ALPHA"],
            ["SORT", "la", "ALPHA", "DESC"],
            ["SORT", "s"],
            ["SORT", "s", "DESC"],
            ["SORT", "sa", "ALPHA"],
            ["SORT", "z"],
            ["SORT", "z", "ALPHA", "DESC"],
            ["SORT", "nokey"],
            ["SORT", "nokey", "ALPHA", "LIMIT", "0", "1"],
            ["SORT_RO", "l", "DESC"],
            ["SORT_RO", "z", "ALPHA"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_limit(sharedRedisServer, sharedTxredisd, resp3):
    """
    LIMIT's offset and count are clamped as Redis clamps them: negative
    offsets start at 0, negative counts take all, offsets past the end give
    nothing, huge values do not overflow; bad numbers are refused.
    """
    windows = [
        ("0", "2"), ("-5", "2"), ("2", "-1"), ("2", "-100"), ("6", "5"), ("7", "1"), ("100", "2"),
        ("0", "0"), ("3", "1"), ("9223372036854775807", "9223372036854775807"), ("1", "9223372036854775807"),
        ("-9223372036854775808", "3"),
    ]
    commands = list(_DATA)
    for offset, count in windows:
        commands.append(["SORT", "l", "LIMIT", offset, count])
        commands.append(["SORT", "l", "BY", "nosort", "LIMIT", offset, count])
        commands.append(["SORT", "l", "BY", "nosort", "DESC", "LIMIT", offset, count])
        commands.append(["SORT", "z", "BY", "nosort", "DESC", "LIMIT", offset, count])
        commands.append(["SORT", "nokey", "LIMIT", offset, count])
    commands += [
        ["SORT", "l", "LIMIT", "x", "1"],
        ["SORT", "l", "LIMIT", "1", "1.5"],
        ["SORT", "l", "LIMIT", "9223372036854775808", "1"],
        ["SORT", "l", "LIMIT", "1"],
        ["SORT", "l", "LIMIT"],
        ["SORT", "l", "LIMIT", "0", "1", "LIMIT", "2", "2"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


@pytest.mark.parametrize("resp3", [False, True])
def test_byAndGet(sharedRedisServer, sharedTxredisd, resp3):
    """
    BY weights from string keys and hash fields (missing ones weigh 0, or
    sort first with ALPHA), BY without a C{*} keeping the native order,
    GET patterns (C{#}, C{->field}, missing keys and fields as nulls, keys
    of other types and patterns without C{*} as nulls).
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _DATA
        + [
            ["SORT", "s", "BY", "w_*"],
            ["SORT", "s", "BY", "w_*", "DESC"],
            ["SORT", "s", "BY", "w_*", "GET", "#", "GET", "w_*"],
            ["SORT", "s", "BY", "h_*->f", "GET", "h_*->g", "GET", "#", "GET", "h_*->f"],
            ["SORT", "s", "BY", "h_*->nope"],
            ["SORT", "s", "BY", "w_*", "ALPHA"],
            ["SORT", "sa", "BY", "w_*", "ALPHA"],
            ["SORT", "sa", "BY", "w_*", "ALPHA", "DESC"],
            ["SORT", "la", "BY", "nosuch_*", "ALPHA"],
            ["SORT", "l", "BY", "nosort"],
            ["SORT", "l", "BY", "nosort", "DESC"],
            ["SORT", "z", "BY", "nosort"],
            ["SORT", "z", "BY", "nosort", "DESC", "GET", "#"],
            ["SORT", "s", "GET", "nostar"],
            ["SORT", "s", "GET", "w_*->"],
            ["SORT", "s", "GET", "h_*->"],
            ["SORT", "s", "GET", "str"],
            ["SORT", "s", "GET", "h_*"],
            ["SORT", "s", "GET", "*"],
            ["SORT", "s", "GET", "#", "LIMIT", "1", "2"],
            ["SORT", "z", "BY", "w_*", "GET", "#"],
            ["SORT", "la", "BY", "nosort", "ALPHA", "LIMIT", "1", "3"],
            ["SORT_RO", "s", "BY", "h_*->f", "GET", "h_*->g"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_weights(sharedRedisServer, sharedTxredisd, resp3):
    """
    Numeric weights are read as C{strtod} reads them: leading white space,
    hex, C{inf}, a lone sign or dot refused, nothing at all as 0, a NUL
    ending the number; NaN and trailing text are refused for the whole sort,
    whatever LIMIT keeps, but not when nothing is sorted.
    """
    good = ["0x10", " 3", "\t2", "", "inf", "-inf", "5.", ".5", "+7", "1.5e+3", "0x1.8P-1", "\x00", "12\x00ab",
            "infinity", "INF", "0e-999", "0x1p-1074", "2.2250738585072014e-308", "-0"]
    bad = ["nan", "1 ", " ", "0x", "1e", "1_0", "nan(1)", "- 1", "1e5x", "abc", "-", "."]
    commands = [["RPUSH", "good"] + good, ["SORT", "good"], ["SORT", "good", "DESC"], ["SORT", "good", "LIMIT", "2", "3"]]
    for value in bad:
        commands += [
            ["DEL", "b"],
            ["RPUSH", "b", "1", value],
            ["SORT", "b"],
            ["SORT", "b", "LIMIT", "0", "1"],
            ["SORT", "b", "BY", "nosort"],
            ["SORT", "b", "ALPHA"],
            ["SORT", "b", "STORE", "dst"],
            ["EXISTS", "dst"],
        ]
    commands += [["SET", "w_x", "nan"], ["RPUSH", "ids", "x", "y"], ["SORT", "ids", "BY", "w_*"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def test_partialSortTies(sharedRedisServer, sharedTxredisd):
    """
    BY with a LIMIT sorts with Redis's partial quicksort, which does not
    keep ties in their order: equal ALPHA weights (and missing ones) come
    out in its order, for lists of every size class it treats apart.
    """
    rng = random.Random(7)
    commands = []
    for size in (5, 7, 8, 40, 41, 90, 300):
        key = "t%d" % size
        elements = ["%s_%d" % (key, i) for i in range(size)]
        commands.append(["RPUSH", key] + elements)
        weights = [x for e in elements if rng.random() < 0.8 for x in ("w_" + e, rng.choice("abc"))]
        commands.append(["MSET"] + weights)
        for _ in range(6):
            offset, count = rng.randint(-1, size), rng.randint(-1, size)
            order = rng.choice([[], ["DESC"]])
            commands.append(["SORT", key, "BY", "w_*", "ALPHA", "LIMIT", str(offset), str(count)] + order)
        commands.append(["SORT", key, "BY", "w_*", "ALPHA", "GET", "#", "LIMIT", "1", "3"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_store(sharedRedisServer, sharedTxredisd):
    """
    STORE writes a list (replacing any value and its expiry), answers its
    length, deletes the destination for an empty result, fills missing GET
    values with empty strings, and the last STORE wins; a set stored with
    BY nosort is sorted as ALPHA.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _DATA
        + [
            ["SORT", "l", "STORE", "dst"],
            ["LRANGE", "dst", "0", "-1"],
            ["TYPE", "dst"],
            ["OBJECT", "ENCODING", "dst"],
            ["SET", "dst2", "x", "EX", "100"],
            ["SORT", "s", "BY", "w_*", "GET", "w_*", "GET", "nope_*", "GET", "#", "STORE", "dst2"],
            ["LRANGE", "dst2", "0", "-1"],
            ["TTL", "dst2"],
            ["SORT", "nokey", "STORE", "dst"],
            ["EXISTS", "dst"],
            ["SORT", "nokey", "STORE", "dst"],
            ["SORT", "l", "LIMIT", "100", "1", "STORE", "dst2"],
            ["EXISTS", "dst2"],
            ["SORT", "sa", "BY", "nosort", "STORE", "d3"],
            ["LRANGE", "d3", "0", "-1"],
            ["SORT", "sa", "BY", "nosort", "DESC", "STORE", "d3"],
            ["LRANGE", "d3", "0", "-1"],
            ["SORT", "z", "BY", "nosort", "DESC", "STORE", "d4"],
            ["LRANGE", "d4", "0", "-1"],
            ["SORT", "la", "ALPHA", "STORE", "d5"],
            ["LRANGE", "d5", "0", "-1"],
            ["SORT", "l", "STORE", "a", "STORE", "b"],
            ["EXISTS", "a", "b"],
            ["SORT", "l", "STORE", "l"],
            ["LRANGE", "l", "0", "-1"],
            ["SORT", "str", "STORE", "d6"],
            ["EXISTS", "d6"],
        ],
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_errors(sharedRedisServer, sharedTxredisd, resp3):
    """
    Syntax errors, arity, WRONGTYPE (after the options are parsed), SORT_RO
    refusing STORE, and the zset that SORT turns into a skiplist.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _DATA
        + [
            ["SORT"],
            ["SORT_RO"],
            ["SORT", "l", "bogus"],
            ["SORT", "l", "STORE"],
            ["SORT", "l", "BY"],
            ["SORT", "l", "GET"],
            ["SORT", "str"],
            ["SORT", "str", "bogus"],
            ["SORT", "str", "LIMIT", "x", "1"],
            ["SORT", "h_1"],
            ["SORT_RO", "l", "STORE", "x"],
            ["SORT_RO", "str"],
            ["OBJECT", "ENCODING", "z"],
            ["SORT_RO", "z", "BY", "nosort"],
            ["OBJECT", "ENCODING", "z"],
            ["ZADD", "z2", "1", "a"],
            ["SORT", "z2", "LIMIT", "5", "1"],
            ["OBJECT", "ENCODING", "z2"],
            ["SORT", "nokey"],
            ["EXISTS", "nokey"],
        ],
        resp3,
    )


def test_introspection(sharedRedisServer, sharedTxredisd):
    """
    COMMAND INFO and DOCS of SORT and SORT_RO (their 'unknown' key specs
    included), and the keys COMMAND GETKEYS finds as Redis's sortGetKeys.
    """
    requests = [
        ["COMMAND", "INFO", "sort", "sort_ro"],
        ["COMMAND", "DOCS", "sort", "sort_ro"],
        ["COMMAND", "GETKEYS", "SORT", "k"],
        ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "d"],
        ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "d", "STORE", "e"],
        ["COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "STORE", "x", "STORE", "y"],
        ["COMMAND", "GETKEYS", "SORT", "k", "GET", "STORE", "x"],
        ["COMMAND", "GETKEYS", "SORT", "k", "BY", "w", "store", "x"],
        ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "limit", "1", "2"],
        ["COMMAND", "GETKEYS", "SORT", "k", "STORE"],
        ["COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "STORE", "d"],
        ["COMMAND", "GETKEYS", "SORT_RO", "k", "GET", "x"],
        ["COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "k"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests, resp3=True)


def test_scriptsAndTransactions(sharedRedisServer, sharedTxredisd):
    """
    A script sorting a set with BY nosort gets it sorted as ALPHA (Redis's
    determinism rule); SORT inside MULTI answers as outside.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SADD", "s", "c", "a", "b"],
            ["EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", "1", "s"],
            ["EVAL", "return redis.call('SORT_RO', KEYS[1], 'BY', 'nosort', 'DESC')", "1", "s"],
            ["EVAL", "return redis.pcall('SORT', KEYS[1])", "1", "s"],
            ["MULTI"],
            ["SORT", "s", "ALPHA", "STORE", "d"],
            ["SORT", "d", "BY", "nosort", "DESC"],
            ["EXEC"],
        ],
    )


def test_notifications(sharedRedisServer, sharedTxredisd):
    """
    STORE notifies C{sortstore} (list class) and a deleted destination
    C{del} (generic class), and nothing when an empty result meets no key.
    """
    script = [
        (0, ["CONFIG", "SET", "notify-keyspace-events", "KEA"]),
        (1, ["PSUBSCRIBE", "__keyevent@0__:*"]),
        (0, ["RPUSH", "l", "2", "1"]),
        (1, None, 1),
        (0, ["SORT", "l", "STORE", "d"]),
        (1, None, 1),
        (0, ["SORT", "nokey", "STORE", "d"]),
        (1, None, 1),
        (0, ["SORT", "nokey", "STORE", "d"]),
        (0, ["SET", "marker", "1"]),
        (1, None, 1),
        (0, ["CONFIG", "SET", "notify-keyspace-events", ""]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)


def test_aclByAndGet(sharedRedisServer, sharedTxredisd):
    """
    BY with a pattern and GET need a user that may read every key (Redis's
    full key access); BY without C{*} does not; the STORE destination needs
    write access only.
    """
    script = [
        (0, ["ACL", "SETUSER", "sorter", "on", "nopass", "+@all", "~src", "%W~dst"]),
        (0, ["ACL", "SETUSER", "reader", "on", "nopass", "+@all", "%R~*", "~dst"]),
        (0, ["RPUSH", "src", "2", "1"]),
        (1, ["AUTH", "sorter", "x"]),
        (1, ["SORT", "src"]),
        (1, ["SORT", "src", "BY", "w_*"]),
        (1, ["SORT", "src", "GET", "#"]),
        (1, ["SORT", "src", "BY", "nosort"]),
        (1, ["SORT_RO", "src", "GET", "x_*"]),
        (1, ["SORT", "src", "STORE", "dst"]),
        (1, ["SORT", "src", "STORE", "other"]),
        (1, ["SORT", "other"]),
        (1, ["SORT", "src", "BY", "w_*", "bogus"]),
        (1, ["AUTH", "reader", "x"]),
        (1, ["SORT", "src", "BY", "w_*", "GET", "#", "STORE", "dst"]),
        (0, ["ACL", "DELUSER", "sorter", "reader"]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)


def test_rangeErrors(tmp_path):
    """
    A weight that overflows, or underflows inexactly (glibc's ERANGE),
    fails the sort; an exact subnormal does not.  On fresh servers, as Redis
    keeps the error for later weights: only the first range error tells
    (the unit tests check each kind).
    """
    for name in ("redis", "txredisd"):
        (tmp_path / name).mkdir()
    redis = startRedisServer(tmp_path / "redis")
    ours = startTxredisd(tmp_path / "txredisd")
    commands = [["RPUSH", "ok", "1", "0x1p-1074", "0.5"], ["SORT", "ok"]]
    for weight in ["1e-310", "1e400", "-1e400", "1e-400", "2.225073858507201e-308", "0x1p2000"]:
        commands += [["DEL", "l"], ["RPUSH", "l", "1", weight], ["SORT", "l", "BY", "nosort"], ["SORT", "l"]]
    try:
        assertSameReplies(redis.port, ours.port, commands)
    finally:
        redis.stop()
        ours.stop()
