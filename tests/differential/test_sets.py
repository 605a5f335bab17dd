"""
Set commands against Debian's redis-server, reply for reply.

Intset-encoded sets answer in ascending numeric order in both servers and
are compared byte for byte; hash-table encoded ones are compared sorted.
"""

import random

import pytest

from tests.differential import assertSameReplies
from tests.differential.unordered import assertSameUnordered, parse, requireCommand, runAfter, scanAll


@pytest.fixture(scope="module")
def ports(sharedRedisServer, sharedTxredisd):
    return sharedRedisServer.port, sharedTxredisd.port


INTSETS = [
    ["SADD", "a", "5", "3", "-1", "100", "3"],
    ["SADD", "b", "3", "4", "5", "6"],
    ["SADD", "c", "9223372036854775807", "-9223372036854775808", "0"],
    ["SMEMBERS", "a"],
    ["SMEMBERS", "c"],
    ["SMEMBERS", "missing"],
    ["SCARD", "a"],
    ["SCARD", "missing"],
    ["SISMEMBER", "a", "3"],
    ["SISMEMBER", "a", "4"],
    ["SISMEMBER", "missing", "4"],
    ["SMISMEMBER", "a", "3", "4", "5"],
    ["SMISMEMBER", "missing", "3", "4"],
    ["SINTER", "a", "b"],
    ["SINTER", "b", "a"],
    ["SINTER", "a", "missing"],
    ["SINTER", "missing"],
    ["SUNION", "a", "b", "missing", "c"],
    ["SUNION", "missing"],
    ["SDIFF", "a", "b"],
    ["SDIFF", "b", "a", "missing"],
    ["SDIFF", "missing", "a"],
    ["SDIFF", "a", "a"],
    ["SINTERCARD", "2", "a", "b"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "0"],
    ["SINTERCARD", "2", "a", "b", "limit", "1", "LIMIT", "5"],
    ["SINTERCARD", "2", "a", "missing"],
    ["SINTERCARD", "1", "a"],
    ["SINTERSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["SUNIONSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["SDIFFSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["SINTERSTORE", "d", "a", "missing"],
    ["SCARD", "d"],
    ["SUNIONSTORE", "d", "a"],
    ["SDIFFSTORE", "d", "a", "a"],
    ["SCARD", "d"],
    ["SUNIONSTORE", "d", "missing"],
    ["SET", "str", "x"],
    ["SUNIONSTORE", "str", "a"],
    ["SMEMBERS", "str"],
    ["SREM", "a", "5", "5", "7"],
    ["SREM", "missing", "5"],
    ["SMEMBERS", "a"],
    ["SMOVE", "a", "b", "100"],
    ["SMOVE", "a", "b", "100"],
    ["SMOVE", "a", "new", "3"],
    ["SMOVE", "a", "a", "-1"],
    ["SMOVE", "a", "a", "5"],
    ["SMOVE", "missing", "b", "1"],
    ["SMOVE", "a", "b", "-1"],
    ["SCARD", "a"],
    ["SMEMBERS", "b"],
    ["SMEMBERS", "new"],
    ["SREM", "new", "3"],
    ["SCARD", "new"],
    ["SSCAN", "b", "0"],
    ["SSCAN", "b", "999"],
    ["SSCAN", "b", "0", "MATCH", "[1-4]*", "COUNT", "1"],
    ["SSCAN", "missing", "0"],
    ["SSCAN", "missing", "0", "COUNT", "0"],
    ["SRANDMEMBER", "b", "100"],
    ["SRANDMEMBER", "b", "0"],
    ["SRANDMEMBER", "missing"],
    ["SRANDMEMBER", "missing", "3"],
    ["SRANDMEMBER", "missing", "-3"],
    ["SPOP", "missing"],
    ["SPOP", "missing", "3"],
    ["SPOP", "b", "0"],
    ["SPOP", "b", "100"],
    ["SCARD", "b"],
    ["SADD", "one", "7"],
    ["SPOP", "one"],
    ["SCARD", "one"],
]


def test_intsets(ports):
    """
    Intset-encoded sets give Redis's replies byte for byte, numerically
    ordered, and empty results delete their keys.
    """
    assertSameReplies(*ports, INTSETS)


def test_intsetsResp3(ports):
    """
    Over RESP3 the same commands use Redis's reply types: sets for
    SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count; arrays for
    SMISMEMBER and SRANDMEMBER with a count.
    """
    assertSameReplies(*ports, INTSETS, resp3=True)


def _encodingMix():
    big = ["SADD", "big"] + [str(i) for i in range(600)]
    return [
        ["SADD", "s", "b", "a", "1", "c"],
        ["SADD", "t", "1", "2", "3"],
        ["SADD", "t", "x"],
        ["SREM", "t", "x"],
        big,
        ["SMEMBERS", "s"],
        ["SMEMBERS", "t"],
        ["SUNION", "s", "t"],
        ["SINTER", "s", "t"],
        ["SDIFF", "t", "s"],
        ["SMEMBERS", "big"],
        ["SINTER", "big", "t"],
        ["SDIFF", "big", "t"],
        ["SUNION", "t", "big"],
        ["SRANDMEMBER", "s", "10"],
        ["SRANDMEMBER", "big", "1000"],
        ["SINTERSTORE", "d", "t", "big"],
        ["SMEMBERS", "d"],
        ["SUNIONSTORE", "d", "s", "big"],
        ["SCARD", "d"],
        ["SMEMBERS", "d"],
        ["SPOP", "s", "10"],
        ["SCARD", "s"],
        ["SADD", "x"] + [str(i) for i in range(1, 601)],
        ["SREM", "x"] + [str(i) for i in range(6, 601)],
        ["SMEMBERS", "x"],
        ["SRANDMEMBER", "x", "10"],
        ["SUNION", "x"],
        ["SPOP", "x", "10"],
    ]


def test_hashTables(ports):
    """
    Sets with strings or more than 512 members hold the same members as
    Redis's; once converted a set stays a hash table (so results that are
    intsets again come back ordered while the source does not).
    """
    commands = _encodingMix()
    # 25 and 26 walk the converted set "x"; 27 and 28 build a new intset.
    unordered = {5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 20, 21, 25, 26}
    assertSameUnordered(*ports, commands, unordered)
    assertSameUnordered(*ports, commands, unordered, resp3=True)


ERRORS = [
    ["SET", "str", "x"],
    ["SADD", "set", "1"],
    ["SADD", "str", "1"],
    ["SREM", "str", "1"],
    ["SMEMBERS", "str"],
    ["SISMEMBER", "str", "1"],
    ["SMISMEMBER", "str", "1"],
    ["SCARD", "str"],
    ["SPOP", "str"],
    ["SPOP", "str", "1"],
    ["SPOP", "str", "0"],
    ["SRANDMEMBER", "str"],
    ["SRANDMEMBER", "str", "1"],
    ["SRANDMEMBER", "str", "0"],
    ["SRANDMEMBER", "str", "x"],
    ["SPOP", "str", "-1"],
    ["SINTERCARD", "0", "str"],
    ["SMOVE", "str", "set", "1"],
    ["SMOVE", "set", "str", "1"],
    ["SMOVE", "set", "str", "2"],
    ["SMOVE", "missing", "str", "1"],
    ["SINTER", "set", "str"],
    ["SINTER", "missing", "str"],
    ["SINTERCARD", "2", "missing", "str"],
    ["SUNION", "set", "str"],
    ["SDIFF", "missing", "str"],
    ["SINTERSTORE", "d", "set", "str"],
    ["SUNIONSTORE", "d", "str"],
    ["SDIFFSTORE", "d", "missing", "str"],
    ["SSCAN", "str", "0"],
    ["SSCAN", "str", "x"],
    ["SADD", "set"],
    ["SREM", "set"],
    ["SMEMBERS"],
    ["SMEMBERS", "set", "x"],
    ["SISMEMBER", "set"],
    ["SMISMEMBER", "set"],
    ["SCARD"],
    ["SPOP"],
    ["SPOP", "set", "1", "2"],
    ["SPOP", "set", "x"],
    ["SPOP", "set", "-1"],
    ["SPOP", "set", "1.5"],
    ["SRANDMEMBER"],
    ["SRANDMEMBER", "set", "1", "2"],
    ["SRANDMEMBER", "set", "x"],
    ["SRANDMEMBER", "set", "-9223372036854775808"],
    ["SRANDMEMBER", "set", "9223372036854775808"],
    ["SMOVE", "set", "x"],
    ["SINTER"],
    ["SINTERCARD", "1"],
    ["SINTERCARD", "0", "set"],
    ["SINTERCARD", "x", "set"],
    ["SINTERCARD", "-1", "set"],
    ["SINTERCARD", "3", "set", "set"],
    ["SINTERCARD", "1", "set", "LIMIT"],
    ["SINTERCARD", "1", "set", "LIMIT", "-1"],
    ["SINTERCARD", "1", "set", "LIMIT", "x"],
    ["SINTERCARD", "1", "set", "FOO", "1"],
    ["SINTERCARD", "1", "set", "set"],
    ["SUNION"],
    ["SDIFF"],
    ["SINTERSTORE", "d"],
    ["SUNIONSTORE", "d"],
    ["SDIFFSTORE", "d"],
    ["SSCAN", "set"],
    ["SSCAN", "set", "-1"],
    ["SSCAN", "set", "18446744073709551616"],
    ["SSCAN", "set", ""],
    ["SSCAN", "set", "+"],
    ["SSCAN", "set", "1\x00abc"],
    ["SSCAN", "set", "\x00"],
    ["SSCAN", "set", "-0"],
    ["SSCAN", "set", "00"],
    ["SSCAN", "set", "-18446744073709551615"],
    ["SSCAN", "set", "-18446744073709551616"],
    ["SSCAN", "set", "0", "COUNT", "0"],
    ["SSCAN", "set", "0", "COUNT", "x"],
    ["SSCAN", "set", "0", "MATCH"],
    ["SSCAN", "set", "0", "TYPE", "set"],
]


def test_errors(ports):
    """
    Wrong types, wrong arities and bad arguments give Redis's errors, in
    Redis's order of checks.
    """
    assertSameReplies(*ports, ERRORS)


def _scanAll(port, options):
    setup = [["SADD", "s"] + ["m%d" % (i,) for i in range(300)], ["SREM", "s", "m5"]]
    return sorted(set(scanAll(port, setup, ["SSCAN", "s", "0"] + options)))


@pytest.mark.parametrize("options", [[], ["COUNT", "3"], ["MATCH", "m2*", "COUNT", "50"]])
def test_sscanHashTable(ports, options):
    """
    A full SSCAN of a hash-table encoded set visits the same members as
    Redis's.
    """
    redisPort, txredisdPort = ports
    assert _scanAll(txredisdPort, options) == _scanAll(redisPort, options)


@pytest.mark.parametrize("resp3", [False, True])
def test_randomShapes(ports, resp3):
    """
    SRANDMEMBER and SPOP give replies of Redis's types and sizes, with
    distinct members where Redis promises them, and pop as many as Redis.
    """
    commands = []
    for key in ("ints", "strs"):
        commands += [
            ["SRANDMEMBER", key],
            ["SRANDMEMBER", key, "1"],
            ["SRANDMEMBER", key, "5"],
            ["SRANDMEMBER", key, "15"],
            ["SRANDMEMBER", key, "-30"],
            ["SPOP", key],
            ["SPOP", key, "1"],
            ["SPOP", key, "2"],
            ["SPOP", key, "14"],
        ]
    setup = [
        ["SADD", "ints"] + [str(i) for i in range(20)],
        ["SADD", "strs"] + ["s%d" % (i,) for i in range(20)],
    ]
    commands += [["SCARD", "ints"], ["SCARD", "strs"]]
    expected = runAfter(ports[0], setup, commands, resp3)
    actual = runAfter(ports[1], setup, commands, resp3)
    for argv, want, got in zip(commands, expected, actual):
        assert got[:1] == want[:1], argv
        wanted, gotten = parse(want), parse(got)
        if isinstance(wanted, list):
            assert len(gotten) == len(wanted), argv
            if not argv[2].startswith("-"):
                assert len(set(gotten)) == len(gotten), argv
        elif isinstance(wanted, int):
            assert gotten == wanted, argv


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedTxredisd, protocol):
    """
    redis-py drives the set commands over RESP2 and RESP3 and decodes the
    replies into the same Python values.
    """
    client = sharedTxredisd.client(protocol=protocol, decode_responses=True)
    try:
        client.delete("py:a", "py:b", "py:d")
        assert client.sadd("py:a", "1", "2", "3") == 3
        assert client.sadd("py:b", "3", "4") == 2
        assert client.smembers("py:a") == {"1", "2", "3"}
        assert client.sinter("py:a", "py:b") == {"3"}
        assert client.sunion("py:a", "py:b") == {"1", "2", "3", "4"}
        assert client.sdiff("py:a", "py:b") == {"1", "2"}
        assert client.sintercard(2, ["py:a", "py:b"]) == 1
        assert client.smismember("py:a", ["1", "9"]) == [1, 0]
        assert client.sunionstore("py:d", ["py:a", "py:b"]) == 4
        assert client.smove("py:d", "py:a", "4") is True
        assert set(client.srandmember("py:a", 10)) == {"1", "2", "3", "4"}
        popped = client.spop("py:a", 2)
        assert len(popped) == 2 and client.scard("py:a") == 2
        client.sadd("py:b", *["m%d" % i for i in range(100)])
        assert set(client.sscan_iter("py:b", match="m1?", count=7)) == {"m%d" % i for i in range(10, 20)}
    finally:
        client.close()


def test_encodings(ports):
    """
    OBJECT ENCODING follows Redis's intset to hash table conversions:
    a non-canonical integer, more than 512 members, no way back, and
    computed results encoded by their contents.
    """
    requireCommand(ports[1], "OBJECT", "ENCODING", "x")
    commands = [["SADD", "i", "1", "-9223372036854775808", "9223372036854775807"], ["OBJECT", "ENCODING", "i"]]
    for member in ("007", "-0", "+1", "9223372036854775808", "1.0", " 1"):
        commands += [["SADD", "i" + member, "1", member], ["OBJECT", "ENCODING", "i" + member]]
    commands += [
        ["SADD", "big"] + [str(i) for i in range(512)],
        ["OBJECT", "ENCODING", "big"],
        ["SADD", "big", "512"],
        ["OBJECT", "ENCODING", "big"],
        ["SREM", "big"] + [str(i) for i in range(10, 513)],
        ["OBJECT", "ENCODING", "big"],
        ["SADD", "s", "1", "x"],
        ["SREM", "s", "x"],
        ["OBJECT", "ENCODING", "s"],
        ["SINTERSTORE", "d", "s", "big"],
        ["OBJECT", "ENCODING", "d"],
        ["SUNIONSTORE", "d", "s", "big"],
        ["OBJECT", "ENCODING", "d"],
        ["SMOVE", "s", "new", "1"],
        ["OBJECT", "ENCODING", "new"],
        ["SMOVE", "new", "str", "1"],
        ["SADD", "m", "a"],
        ["SADD", "n", "1"],
        ["SMOVE", "m", "n", "a"],
        ["OBJECT", "ENCODING", "n"],
    ]
    assertSameReplies(*ports, commands)


def _randomSetCommands(rng, count):
    keys = ["a", "b", "c", "str"]
    pool = ["1", "2", "3", "10", "-5", "x", "y", "007"]
    commands = [["SET", "str", "v"]]
    for _ in range(count):
        key = rng.choice(keys)
        members = rng.sample(pool, rng.randint(1, 3))
        others = rng.sample(keys, rng.randint(1, 3))
        commands.append(
            rng.choice(
                [
                    ["SADD", key] + members,
                    ["SADD", key] + members,
                    ["SREM", key] + members,
                    ["SMEMBERS", key],
                    ["SCARD", key],
                    ["SISMEMBER", key, members[0]],
                    ["SMISMEMBER", key] + members,
                    ["SMOVE", key, rng.choice(keys), members[0]],
                    ["SINTER"] + others,
                    ["SUNION"] + others,
                    ["SDIFF"] + others,
                    ["SINTERCARD", str(len(others))] + others,
                    ["SINTERSTORE", key] + others,
                    ["SUNIONSTORE", key] + others,
                    ["SDIFFSTORE", key] + others,
                    ["SPOP", key, "10"],
                    ["SRANDMEMBER", key, "10"],
                    ["SSCAN", key, "0"],
                ]
            )
        )
    return commands


@pytest.mark.parametrize("seed", range(5))
def test_randomSequences(ports, seed):
    """
    Random sequences of set commands over a few keys (mixed encodings,
    wrong types, missing keys) leave both servers answering the same,
    collections compared sorted.
    """
    commands = _randomSetCommands(random.Random(seed), 150)
    unordered = {i for i, argv in enumerate(commands) if argv[0] in UNORDERED_SET_REPLIES}
    assertSameUnordered(*ports, commands, unordered)
    assertSameUnordered(*ports, commands, unordered, resp3=True)


UNORDERED_SET_REPLIES = {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER", "SSCAN"}
