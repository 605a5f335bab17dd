"""
The list commands against Debian's redis-server: the same requests, the
same reply bytes, in RESP2 and RESP3.
"""

import pytest

from tests.differential import RawConnection, assertSameReplies
from txredisd.resp import encodeCommand

LONG_MIN = "-9223372036854775808"
LONG_MAX = "9223372036854775807"
TOO_BIG = "9223372036854775808"

# A list of six and a string to be the wrong type.
SETUP = [
    ["RPUSH", "l", "a", "b", "c", "a", "b", "c"],
    ["SET", "s", "string"],
]


def _both(servers, commands):
    redis, txredisd = servers
    assertSameReplies(redis.port, txredisd.port, commands)
    assertSameReplies(redis.port, txredisd.port, commands, resp3=True)


@pytest.fixture(scope="module")
def servers(sharedRedisServer, sharedTxredisd):
    return sharedRedisServer, sharedTxredisd


def test_pushes(servers):
    """LPUSH, RPUSH, LPUSHX and RPUSHX answer the new length, push in
    argument order, and refuse other types and missing arguments."""
    _both(
        servers,
        SETUP
        + [
            ["LPUSH", "n", "x", "y", "z"],
            ["LRANGE", "n", "0", "-1"],
            ["RPUSH", "n", "1", "2"],
            ["LRANGE", "n", "0", "-1"],
            ["LPUSHX", "missing", "a"],
            ["RPUSHX", "missing", "a", "b"],
            ["GET", "missing"],
            ["LPUSHX", "n", "p", "q"],
            ["RPUSHX", "n", "r"],
            ["LRANGE", "n", "0", "-1"],
            ["LPUSH", "s", "a"],
            ["RPUSH", "s", "a"],
            ["LPUSHX", "s", "a"],
            ["RPUSHX", "s", "a"],
            ["LPUSH", "n"],
            ["RPUSH"],
            ["LPUSHX", "n"],
            ["RPUSHX", "n"],
            ["RPUSH", "e", ""],
            ["LRANGE", "e", "0", "-1"],
        ],
    )


def test_pops(servers):
    """LPOP and RPOP with and without COUNT: null bulk or null array on a
    missing key, an empty array for COUNT 0, Redis's error for a negative
    or non-numeric count, and the key deleted with its last element."""
    _both(
        servers,
        SETUP
        + [
            ["LPOP", "l"],
            ["RPOP", "l"],
            ["LPOP", "l", "2"],
            ["RPOP", "l", "1"],
            ["LPOP", "l", "0"],
            ["RPOP", "l", "0"],
            ["LPOP", "l", "-1"],
            ["RPOP", "l", "x"],
            ["LPOP", "l", TOO_BIG],
            ["LPOP", "l", "1", "2"],
            ["RPOP", "l", "1", "2"],
            ["LPOP", "missing"],
            ["RPOP", "missing"],
            ["LPOP", "missing", "1"],
            ["RPOP", "missing", "0"],
            ["LPOP", "missing", "-1"],
            ["LPOP", "s"],
            ["RPOP", "s", "1"],
            ["LPOP", "s", "-1"],
            ["RPOP", "l", "100"],
            ["GET", "l"],
            ["RPUSH", "l", "a", "b", "c"],
            ["LPOP", "l", LONG_MAX],
            ["GET", "l"],
            ["LPOP"],
        ],
    )


def test_lmpop(servers):
    """LMPOP pops from the first non-empty list, COUNT elements at most, and
    checks numkeys, the direction and COUNT with Redis's texts."""
    _both(
        servers,
        SETUP
        + [
            ["LMPOP", "2", "missing", "l", "LEFT"],
            ["LMPOP", "2", "missing", "l", "right", "COUNT", "2"],
            ["LMPOP", "1", "l", "left", "count", "100"],
            ["GET", "l"],
            ["LMPOP", "1", "l", "LEFT"],
            ["LMPOP", "2", "missing", "s", "LEFT"],
            ["LMPOP", "0", "l", "LEFT"],
            ["LMPOP", "-1", "l", "LEFT"],
            ["LMPOP", "x", "l", "LEFT"],
            ["LMPOP", "3", "a", "b", "LEFT"],
            ["LMPOP", "1", "a", "UP"],
            ["LMPOP", "1", "a", "LEFT", "COUNT"],
            ["LMPOP", "1", "a", "LEFT", "COUNT", "0"],
            ["LMPOP", "1", "a", "LEFT", "COUNT", "-1"],
            ["LMPOP", "1", "a", "LEFT", "COUNT", "x"],
            ["LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"],
            ["LMPOP", "1", "a", "LEFT", "FOO"],
            ["LMPOP", "1", "a"],
            ["LMPOP", TOO_BIG, "a", "LEFT"],
        ],
    )


def test_reading(servers):
    """LLEN, LRANGE and LINDEX with negative and out-of-range indexes,
    missing keys, wrong types and non-numeric indexes, in Redis's order of
    checks."""
    _both(
        servers,
        SETUP
        + [
            ["LLEN", "l"],
            ["LLEN", "missing"],
            ["LLEN", "s"],
            ["LRANGE", "l", "0", "-1"],
            ["LRANGE", "l", "1", "3"],
            ["LRANGE", "l", "-3", "-1"],
            ["LRANGE", "l", "-100", "100"],
            ["LRANGE", "l", "4", "2"],
            ["LRANGE", "l", "6", "10"],
            ["LRANGE", "l", "-1", "-2"],
            ["LRANGE", "l", "5", "5"],
            ["LRANGE", "l", LONG_MIN, LONG_MAX],
            ["LRANGE", "l", "0", TOO_BIG],
            ["LRANGE", "l", "a", "1"],
            ["LRANGE", "missing", "0", "-1"],
            ["LRANGE", "missing", "x", "1"],
            ["LRANGE", "s", "0", "1"],
            ["LRANGE", "s", "x", "1"],
            ["LRANGE", "l", "0"],
            ["LINDEX", "l", "0"],
            ["LINDEX", "l", "-1"],
            ["LINDEX", "l", "-6"],
            ["LINDEX", "l", "-7"],
            ["LINDEX", "l", "6"],
            ["LINDEX", "l", LONG_MIN],
            ["LINDEX", "l", "x"],
            ["LINDEX", "missing", "x"],
            ["LINDEX", "s", "x"],
            ["LINDEX", "s", "0"],
            ["LINDEX", "l"],
        ],
    )


def test_lpos(servers):
    """LPOS with RANK, COUNT and MAXLEN in every direction, and every error
    Redis gives for them."""
    _both(
        servers,
        SETUP
        + [
            ["LPOS", "l", "a"],
            ["LPOS", "l", "c"],
            ["LPOS", "l", "z"],
            ["LPOS", "l", "a", "RANK", "2"],
            ["LPOS", "l", "a", "RANK", "3"],
            ["LPOS", "l", "a", "RANK", "-1"],
            ["LPOS", "l", "a", "RANK", "-2"],
            ["LPOS", "l", "a", "RANK", "-3"],
            ["LPOS", "l", "a", "COUNT", "0"],
            ["LPOS", "l", "a", "COUNT", "1"],
            ["LPOS", "l", "b", "COUNT", "5"],
            ["LPOS", "l", "z", "COUNT", "0"],
            ["LPOS", "l", "a", "RANK", "-1", "COUNT", "0"],
            ["LPOS", "l", "a", "RANK", "2", "COUNT", "0"],
            ["LPOS", "l", "a", "MAXLEN", "1"],
            ["LPOS", "l", "a", "MAXLEN", "3", "COUNT", "0"],
            ["LPOS", "l", "a", "MAXLEN", "4", "COUNT", "0"],
            ["LPOS", "l", "c", "RANK", "-1", "MAXLEN", "1"],
            ["LPOS", "l", "a", "RANK", "-1", "MAXLEN", "2"],
            ["LPOS", "l", "a", "rank", "1", "rank", "2"],
            ["LPOS", "l", "a", "RANK", LONG_MIN],
            ["LPOS", "l", "a", "RANK", LONG_MIN, "COUNT", "1"],
            ["LPOS", "l", "a", "RANK", LONG_MAX],
            ["LPOS", "l", "a", "RANK", "0"],
            ["LPOS", "l", "a", "RANK", "x"],
            ["LPOS", "l", "a", "RANK"],
            ["LPOS", "l", "a", "COUNT", "-1"],
            ["LPOS", "l", "a", "COUNT", "x"],
            ["LPOS", "l", "a", "MAXLEN", "-1"],
            ["LPOS", "l", "a", "MAXLEN", "x"],
            ["LPOS", "l", "a", "FOO", "1"],
            ["LPOS", "l", "a", "RANK", "0", "FOO"],
            ["LPOS", "missing", "a"],
            ["LPOS", "missing", "a", "COUNT", "0"],
            ["LPOS", "missing", "a", "RANK", "0"],
            ["LPOS", "s", "a"],
            ["LPOS", "s", "a", "RANK", "0"],
            ["LPOS", "l"],
        ],
    )


def test_lset_linsert(servers):
    """LSET replaces by index or answers no such key / index out of range;
    LINSERT inserts before or after the first pivot, or answers -1 or 0."""
    _both(
        servers,
        SETUP
        + [
            ["LSET", "l", "0", "A"],
            ["LSET", "l", "-1", "C"],
            ["LSET", "l", "-6", "first"],
            ["LRANGE", "l", "0", "-1"],
            ["LSET", "l", "6", "x"],
            ["LSET", "l", "-7", "x"],
            ["LSET", "l", "x", "x"],
            ["LSET", "missing", "0", "x"],
            ["LSET", "missing", "x", "x"],
            ["LSET", "s", "0", "x"],
            ["LSET", "s", "x", "x"],
            ["LINSERT", "l", "BEFORE", "b", "X"],
            ["LINSERT", "l", "after", "b", "Y"],
            ["LINSERT", "l", "AFTER", "C", "end"],
            ["LRANGE", "l", "0", "-1"],
            ["LINSERT", "l", "BEFORE", "zz", "x"],
            ["LINSERT", "l", "MIDDLE", "b", "x"],
            ["LINSERT", "missing", "BEFORE", "b", "x"],
            ["LINSERT", "missing", "MIDDLE", "b", "x"],
            ["LINSERT", "s", "BEFORE", "b", "x"],
            ["LINSERT", "s", "MIDDLE", "b", "x"],
            ["LINSERT", "l", "BEFORE", "b"],
            ["LSET", "l", "0"],
        ],
    )


def test_lrem(servers):
    """LREM removes all, the first N or the last N matches, deletes the key
    when it empties, and checks the count before the key."""
    _both(
        servers,
        SETUP
        + [
            ["RPUSH", "m", "x", "y", "x", "z", "x", "y", "x"],
            ["LREM", "m", "2", "x"],
            ["LRANGE", "m", "0", "-1"],
            ["LREM", "m", "-1", "x"],
            ["LRANGE", "m", "0", "-1"],
            ["LREM", "m", "0", "y"],
            ["LRANGE", "m", "0", "-1"],
            ["LREM", "m", "0", "nope"],
            ["LREM", "m", LONG_MIN, "x"],
            ["LREM", "m", "100", "z"],
            ["GET", "m"],
            ["LREM", "missing", "0", "x"],
            ["LREM", "missing", "x", "x"],
            ["LREM", "s", "0", "x"],
            ["LREM", "s", "x", "x"],
            ["LREM", "l", "x", "a"],
            ["LREM", "l", "1"],
        ],
    )


def test_ltrim(servers):
    """LTRIM keeps the range with Redis's index arithmetic and deletes the
    key when the range is empty."""
    _both(
        servers,
        SETUP
        + [
            ["LTRIM", "l", "1", "-2"],
            ["LRANGE", "l", "0", "-1"],
            ["LTRIM", "l", "-100", "100"],
            ["LRANGE", "l", "0", "-1"],
            ["LTRIM", "l", "1", "1"],
            ["LRANGE", "l", "0", "-1"],
            ["LTRIM", "l", "1", "0"],
            ["GET", "l"],
            ["RPUSH", "l", "a", "b", "c"],
            ["LTRIM", "l", "5", "10"],
            ["GET", "l"],
            ["RPUSH", "l", "a", "b", "c"],
            ["LTRIM", "l", "0", "-4"],
            ["GET", "l"],
            ["LTRIM", "missing", "0", "1"],
            ["LTRIM", "missing", "x", "1"],
            ["LTRIM", "s", "0", "1"],
            ["LTRIM", "s", "0", "x"],
            ["LTRIM", "l", "0"],
        ]
        + [["RPUSH", "big"] + [str(i) for i in range(200)]]
        + [
            ["LTRIM", "big", "50", "-50"],
            ["LRANGE", "big", "0", "-1"],
            ["LTRIM", "big", "-3", "-1"],
            ["LRANGE", "big", "0", "-1"],
        ],
    )


def test_lmove(servers):
    """LMOVE and RPOPLPUSH in every direction, onto the same list, onto a
    new list, from a missing key, and with wrong types and directions."""
    _both(
        servers,
        SETUP
        + [
            ["LMOVE", "l", "m", "LEFT", "RIGHT"],
            ["LMOVE", "l", "m", "right", "left"],
            ["LMOVE", "l", "m", "LEFT", "LEFT"],
            ["LMOVE", "l", "m", "RIGHT", "RIGHT"],
            ["LRANGE", "l", "0", "-1"],
            ["LRANGE", "m", "0", "-1"],
            ["LMOVE", "l", "l", "LEFT", "RIGHT"],
            ["LRANGE", "l", "0", "-1"],
            ["RPOPLPUSH", "l", "l"],
            ["RPOPLPUSH", "l", "n"],
            ["RPOPLPUSH", "l", "n"],
            ["GET", "l"],
            ["LRANGE", "n", "0", "-1"],
            ["RPUSH", "one", "x"],
            ["LMOVE", "one", "one", "LEFT", "LEFT"],
            ["LRANGE", "one", "0", "-1"],
            ["LMOVE", "missing", "m", "LEFT", "RIGHT"],
            ["LMOVE", "missing", "s", "LEFT", "RIGHT"],
            ["RPOPLPUSH", "missing", "s"],
            ["LMOVE", "m", "s", "LEFT", "RIGHT"],
            ["RPOPLPUSH", "m", "s"],
            ["LMOVE", "s", "m", "LEFT", "RIGHT"],
            ["RPOPLPUSH", "s", "m"],
            ["LMOVE", "m", "n", "UP", "RIGHT"],
            ["LMOVE", "m", "n", "LEFT", "DOWN"],
            ["LMOVE", "missing", "n", "UP", "RIGHT"],
            ["LMOVE", "m", "n", "LEFT"],
            ["RPOPLPUSH", "m"],
        ],
    )


def test_blocking_at_once(servers):
    """The blocking commands answer at once when a list has elements, and
    check their timeouts, keys and options first, with Redis's texts."""
    _both(
        servers,
        SETUP
        + [
            ["RPUSH", "l", "d", "e", "f", "g"],
            ["BLPOP", "missing", "l", "0"],
            ["BRPOP", "l", "missing", "0"],
            ["BLPOP", "l", "s", "1"],
            ["BLPOP", "missing", "s", "0"],
            ["BLPOP", "l", "-1"],
            ["BLPOP", "l", "x"],
            ["BLPOP", "l", "1e400"],
            ["BLPOP", "l", "0.5x"],
            ["BLPOP", "l", " 1"],
            ["BLPOP", "l", "inf"],
            ["BLPOP", "l", "nan"],
            ["BLPOP", "l", "-inf"],
            ["BLPOP", "l", "1e16"],
            ["BLPOP", "l", "9223372036854776"],
            ["BLPOP", "l", "9223372036854775.808"],
            ["BLPOP", "l", "1e4933"],
            ["BLPOP", "l", "1e-5000"],
            ["BLPOP", "l", "-0.002"],
            ["BLPOP", "l", "-0.0010000000000000000001"],
            ["BLPOP", "l", "0x"],
            ["BLPOP", "l", "1e"],
            ["BLPOP", "l", "."],
            ["BLPOP", "l", ""],
            ["BLPOP", "l", "1_0"],
            ["BLPOP", "l", "0x1p20000"],
            ["BLPOP", "l", "-0x1p3"],
            ["BLPOP", "l", "0x1p2000"],
            ["BLPOP", "l", "9223372036854775808"],
            ["BLPOP", "l", "-9223372036854775808"],
            ["BLPOP", "l", "1" * 5120],
            ["BLPOP", "l"],
            ["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"],
            ["BLMOVE", "l", "m", "RIGHT", "LEFT", "0.5"],
            ["BLMOVE", "l", "s", "LEFT", "RIGHT", "0"],
            ["BLMOVE", "s", "m", "LEFT", "RIGHT", "0"],
            ["BLMOVE", "l", "m", "UP", "RIGHT", "-1"],
            ["BLMOVE", "l", "m", "LEFT", "RIGHT", "-1"],
            ["BLMOVE", "l", "m", "LEFT", "RIGHT"],
            ["BRPOPLPUSH", "l", "m", "0"],
            ["BRPOPLPUSH", "l", "m", "-1"],
            ["BRPOPLPUSH", "l", "s", "0"],
            ["BRPOPLPUSH", "s", "m", "0"],
            ["LRANGE", "m", "0", "-1"],
            ["BLMPOP", "0", "2", "missing", "m", "LEFT"],
            ["BLMPOP", "0", "1", "m", "RIGHT", "COUNT", "10"],
            ["BLMPOP", "0", "2", "missing", "s", "LEFT"],
            ["BLMPOP", "-1", "0", "m", "LEFT"],
            ["BLMPOP", "-1", "1", "m", "LEFT"],
            ["BLMPOP", "x", "1", "m", "LEFT"],
            ["BLMPOP", "0", "1", "m", "LEFT", "COUNT", "0"],
            ["BLMPOP", "0", "2", "m", "LEFT"],
            ["BLMPOP", "0", "1", "m", "UP"],
            ["BLMPOP", "0", "1", "m"],
            ["GET", "l"],
            ["GET", "m"],
        ],
    )


def test_blocking_timeouts(servers):
    """Short timeouts end in a null array for every blocking list command,
    and inside MULTI/EXEC they answer at once: a null array for the pops, a
    null bulk for BLMOVE and BRPOPLPUSH."""
    _both(
        servers,
        [
            ["BLPOP", "a", "b", "0.01"],
            ["BRPOP", "a", "0.02"],
            ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0.01"],
            ["BRPOPLPUSH", "a", "b", "0.01"],
            ["BLMPOP", "0.01", "2", "a", "b", "LEFT"],
            ["BLPOP", "a", "0x1p-10"],
            ["BLPOP", "a", "1e-320"],
            ["BRPOP", "a", ".5e-2"],
            ["SET", "s", "x"],
            ["BLMOVE", "a", "s", "LEFT", "RIGHT", "0.01"],
        ],
    )


def _skipWithout(port, *argv):
    """
    Skip unless txredisd knows a command another family provides.
    """
    conn = RawConnection(port)
    try:
        if conn.call(*argv).startswith(b"-ERR unknown command"):
            pytest.skip("txredisd has no %s yet" % (argv[0],))
    finally:
        conn.close()


def test_blocking_in_multi(servers):
    """Inside MULTI/EXEC the blocking list commands answer at once: a null
    array for the pops, a null bulk for BLMOVE and BRPOPLPUSH."""
    _skipWithout(servers[1].port, "MULTI")
    _both(
        servers,
        [
            ["MULTI"],
            ["BLPOP", "a", "0"],
            ["BRPOP", "a", "0"],
            ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"],
            ["BRPOPLPUSH", "a", "b", "0"],
            ["BLMPOP", "0", "1", "a", "LEFT"],
            ["EXEC"],
        ],
    )


def test_type_and_encoding(servers):
    """TYPE says list and OBJECT ENCODING quicklist, as Redis 7.0."""
    _skipWithout(servers[1].port, "OBJECT", "HELP")
    _both(
        servers,
        [
            ["RPUSH", "l", "a"],
            ["TYPE", "l"],
            ["OBJECT", "ENCODING", "l"],
        ],
    )


def blockOn(conn, argv):
    """
    Send a blocking command on C{conn} and return once the server has run
    it: it goes in one write behind an ECHO, and both servers run every
    command of one read before writing the ECHO's reply.
    """
    conn.send(_encode(["ECHO", "blocking"]) + _encode(argv))
    assert conn.readReply() == b"$8\r\nblocking\r\n"


def _blockThenPush(port, blocked, pushes, resp3=False):
    """
    Block one connection on C{blocked}, run C{pushes} from another and
    return the blocked reply, the pushes' replies and the lists afterwards.
    """
    waiter = RawConnection(port)
    other = RawConnection(port)
    try:
        if resp3:
            waiter.call("HELLO", "3")
        other.call("FLUSHALL")
        blockOn(waiter, blocked)
        replies = [other.call(*argv) for argv in pushes]
        reply = waiter.readReply()
        state = [other.call("LRANGE", key, "0", "-1") for key in ("a", "b", "c")]
        return reply, replies, state
    finally:
        waiter.close()
        other.close()


def _encode(argv):
    return encodeCommand([a.encode() for a in argv])


@pytest.mark.parametrize("resp3", [False, True])
@pytest.mark.parametrize(
    "blocked, pushes",
    [
        (["BLPOP", "a", "b", "0"], [["RPUSH", "b", "x", "y"]]),
        (["BRPOP", "a", "b", "5"], [["RPUSH", "a", "x", "y"]]),
        (["BLMOVE", "a", "b", "RIGHT", "LEFT", "0"], [["RPUSH", "a", "x", "y"]]),
        (["BRPOPLPUSH", "a", "a", "0"], [["RPUSH", "a", "x", "y"]]),
        (["BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "5"], [["LPUSH", "b", "x", "y"]]),
        (["BLMOVE", "a", "c", "LEFT", "LEFT", "0"], [["SET", "c", "s"], ["RPUSH", "a", "x"]]),
        # Timeouts Redis 7.0 turns into waiting for ever: rounded up to
        # zero, or a deadline that overflows.
        (["BLPOP", "a", "-0.001"], [["RPUSH", "a", "x"]]),
        (["BRPOP", "a", "9223372036854770"], [["RPUSH", "a", "x"]]),
        # A key that becomes another type does not wake a Redis 7.0 list
        # waiter; the list pushed after it does.
        (["BLPOP", "a", "b", "0"], [["SET", "a", "s"], ["RPUSH", "b", "x"]]),
        # Served from the key that became ready first, not the first key.
        (
            ["BLPOP", "a", "b", "0"],
            [["MULTI"], ["RPUSH", "b", "x"], ["RPUSH", "a", "y"], ["EXEC"]],
        ),
        # A list pushed and emptied inside one transaction wakes nobody.
        (
            ["BLPOP", "a", "0"],
            [["MULTI"], ["RPUSH", "a", "x"], ["DEL", "a"], ["EXEC"], ["RPUSH", "a", "z"]],
        ),
    ],
)
def test_woken(servers, blocked, pushes, resp3):
    """A client blocked on lists gets the same reply as from Redis when
    another client pushes, and the lists end the same."""
    redis, txredisd = servers
    if ["MULTI"] in pushes:
        _skipWithout(txredisd.port, "MULTI")
    expected = _blockThenPush(redis.port, blocked, pushes, resp3)
    actual = _blockThenPush(txredisd.port, blocked, pushes, resp3)
    assert actual == expected
