"""
Hash commands against Debian's redis-server, reply for reply.
"""

import random

import pytest

from tests.differential import assertSameReplies
from tests.differential.unordered import assertSameUnordered, parse, requireCommand, runAfter, scanAll

BIG = 600


def bigHash(key="big"):
    """
    An HSET making a hash-table encoded hash (more than 512 fields, the
    default hash-max-listpack-entries compiled into Redis 7.0).
    """
    argv = ["HSET", key]
    for i in range(BIG):
        argv += ["f%d" % (i,), "v%d" % (i,)]
    return argv


@pytest.fixture(scope="module")
def ports(sharedRedisServer, sharedTxredisd):
    return sharedRedisServer.port, sharedTxredisd.port


SMALL = [
    ["HSET", "h", "a", "1", "b", "2", "c", "3"],
    ["HSET", "h", "b", "20", "d", "4"],
    ["HGET", "h", "b"],
    ["HGET", "h", "nope"],
    ["HGET", "missing", "a"],
    ["HMGET", "h", "a", "nope", "d"],
    ["HMGET", "missing", "a", "b"],
    ["HMSET", "h", "e", "5"],
    ["HSETNX", "h", "a", "100"],
    ["HSETNX", "h", "z", "26"],
    ["HSETNX", "new", "a", "1"],
    ["HLEN", "h"],
    ["HLEN", "missing"],
    ["HEXISTS", "h", "a"],
    ["HEXISTS", "h", "nope"],
    ["HEXISTS", "missing", "a"],
    ["HSTRLEN", "h", "b"],
    ["HSTRLEN", "h", "nope"],
    ["HSTRLEN", "missing", "a"],
    ["HKEYS", "h"],
    ["HVALS", "h"],
    ["HGETALL", "h"],
    ["HKEYS", "missing"],
    ["HVALS", "missing"],
    ["HGETALL", "missing"],
    ["HDEL", "h", "a", "a", "nope", "c"],
    ["HGETALL", "h"],
    ["HSET", "h", "a", "back"],
    ["HGETALL", "h"],
    ["HDEL", "new", "a"],
    ["HLEN", "new"],
    ["HDEL", "missing", "a"],
    ["HSET", "h", "", ""],
    ["HGET", "h", ""],
    ["HSCAN", "h", "0"],
    ["HSCAN", "h", "12345"],
    ["HSCAN", "h", "0", "MATCH", "[a-c]*", "COUNT", "1"],
    ["HSCAN", "h", "0", "match", "*"],
    ["HSCAN", "missing", "0"],
    ["HSCAN", "missing", "0", "COUNT", "0"],
    ["HSET", "m", "field", "abc"],
    ["HSCAN", "m", "0", "MATCH", "a*"],
    ["HSCAN", "m", "0", "MATCH", "f*"],
    ["HRANDFIELD", "h", "100"],
    ["HRANDFIELD", "h", "100", "WITHVALUES"],
    ["HRANDFIELD", "h", "0"],
    ["HRANDFIELD", "missing"],
    ["HRANDFIELD", "missing", "5"],
    ["HRANDFIELD", "missing", "-5", "WITHVALUES"],
]


def test_small(ports):
    """
    Listpack-encoded hashes answer every read and write with Redis's bytes,
    in Redis's field order.
    """
    assertSameReplies(*ports, SMALL)


def test_smallResp3(ports):
    """
    The same commands over RESP3 use the same reply types as Redis (a map
    for HGETALL, nested pairs for HRANDFIELD WITHVALUES).
    """
    assertSameReplies(*ports, SMALL, resp3=True)


ERRORS = [
    ["SET", "s", "x"],
    ["HSET", "s", "a", "1"],
    ["HSETNX", "s", "a", "1"],
    ["HMSET", "s", "a", "1"],
    ["HGET", "s", "a"],
    ["HMGET", "s", "a"],
    ["HDEL", "s", "a"],
    ["HLEN", "s"],
    ["HEXISTS", "s", "a"],
    ["HSTRLEN", "s", "a"],
    ["HKEYS", "s"],
    ["HVALS", "s"],
    ["HGETALL", "s"],
    ["HINCRBY", "s", "a", "1"],
    ["HINCRBYFLOAT", "s", "a", "1"],
    ["HINCRBY", "s", "a", "x"],
    ["HINCRBYFLOAT", "s", "a", "x"],
    ["HINCRBYFLOAT", "s", "a", "inf"],
    ["HRANDFIELD", "s", "x"],
    ["HRANDFIELD", "s", "4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "s"],
    ["HRANDFIELD", "s", "1"],
    ["HRANDFIELD", "s", "0"],
    ["HSCAN", "s", "0"],
    ["HSCAN", "s", "x"],
    ["HSET", "h"],
    ["HSET", "h", "a"],
    ["HSET", "h", "a", "1", "b"],
    ["HMSET", "h", "a", "1", "b"],
    ["HMSET", "h", "a"],
    ["HSETNX", "h", "a"],
    ["HGET", "h"],
    ["HMGET", "h"],
    ["HDEL", "h"],
    ["HLEN"],
    ["HEXISTS", "h"],
    ["HSTRLEN", "h"],
    ["HKEYS"],
    ["HVALS", "h", "x"],
    ["HGETALL"],
    ["HINCRBY", "h", "a"],
    ["HINCRBYFLOAT", "h", "a"],
    ["HRANDFIELD"],
    ["HSCAN", "h"],
    ["HSET", "h", "a", "1"],
    ["HRANDFIELD", "h", "x"],
    ["HRANDFIELD", "h", "1", "WITHVALUE"],
    ["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
    ["HRANDFIELD", "h", "-9223372036854775808"],
    ["HRANDFIELD", "h", "9223372036854775808"],
    ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"],
    ["HSCAN", "h", "x"],
    ["HSCAN", "h", " 1"],
    ["HSCAN", "h", "1 "],
    ["HSCAN", "h", "18446744073709551616"],
    ["HSCAN", "h", "18446744073709551615"],
    ["HSCAN", "h", "-1"],
    ["HSCAN", "h", "+0"],
    ["HSCAN", "h", ""],
    ["HSCAN", "h", "-"],
    ["HSCAN", "h", "0", "COUNT"],
    ["HSCAN", "h", "0", "COUNT", "0"],
    ["HSCAN", "h", "0", "COUNT", "-1"],
    ["HSCAN", "h", "0", "COUNT", "x"],
    ["HSCAN", "h", "0", "TYPE", "hash"],
    ["HSCAN", "h", "0", "NOVALUES"],
    ["HSCAN", "h", "0", "MATCH"],
]


def test_errors(ports):
    """
    Wrong types, wrong arities and bad arguments give Redis's errors, in
    Redis's order of checks.
    """
    assertSameReplies(*ports, ERRORS)


INCREMENTS = [
    ["HINCRBY", "h", "n", "5"],
    ["HINCRBY", "h", "n", "-7"],
    ["HINCRBY", "h", "n", "x"],
    ["HINCRBY", "h", "n", "1.5"],
    ["HINCRBY", "h", "n", "9223372036854775808"],
    ["HINCRBY", "h", "n", "9223372036854775807"],
    ["HINCRBY", "h", "n", "9223372036854775807"],
    ["HSET", "h", "m", "9223372036854775807"],
    ["HINCRBY", "h", "m", "1"],
    ["HINCRBY", "h", "m", "0"],
    ["HSET", "h", "m", "-9223372036854775808"],
    ["HINCRBY", "h", "m", "-1"],
    ["HSET", "h", "s", "abc", "sp", " 1", "z", "012", "f", "1.5", "e", ""],
    ["HINCRBY", "h", "s", "1"],
    ["HINCRBY", "h", "sp", "1"],
    ["HINCRBY", "h", "z", "1"],
    ["HINCRBY", "h", "f", "1"],
    ["HINCRBY", "h", "e", "1"],
    ["HINCRBYFLOAT", "h", "s", "1"],
    ["HINCRBYFLOAT", "h", "sp", "1"],
    ["HINCRBYFLOAT", "h", "z", "1"],
    ["HINCRBYFLOAT", "h", "f", "1"],
    ["HINCRBYFLOAT", "h", "e", "1"],
    ["HINCRBY", "new", "n", "3"],
    ["HGETALL", "h"],
    ["HGETALL", "new"],
]

FLOATS = [
    "0.1",
    "0.2",
    "-0.3",
    "1e10",
    "1.5e-20",
    "3.0000000000000000005",
    "1e17",
    "-1e17",
    "0.000000000000000015",
    "0.000000000000000025",
    "0.000003814697265625",
    "0.000011444091796875",
    "0x1p3",
    "0x.8",
    "5.",
    ".5",
    "+2",
    "-0",
    "1e400",
    "-1e400",
    "1.18e4932",
    "1.19e4932",
    "1e-4940",
    "1e-4951",
    "1E5",
    "inf",
    "-inf",
    "+Infinity",
    "nan",
    "NaN",
    "1 ",
    " 1",
    "",
    "1e",
    "0x",
    "abc",
    "1_0",
    "12345678901234567890.123456789",
    "1" * 30,
    "9" * 5200,
]


def test_increments(ports):
    """
    HINCRBY and HINCRBYFLOAT compute, format and refuse exactly as Redis
    (64-bit integers; long doubles printed with %.17Lf).
    """
    commands = list(INCREMENTS)
    for i, increment in enumerate(FLOATS):
        commands.append(["HINCRBYFLOAT", "f", "x", increment])
        commands.append(["HINCRBYFLOAT", "f", "y%d" % (i,), increment])
        commands.append(["HINCRBYFLOAT", "f", "y%d" % (i,), "0.1"])
    commands += [
        ["HSET", "f", "inf", "inf", "big", "1e4932", "neg", "-1e4932"],
        ["HINCRBYFLOAT", "f", "inf", "1"],
        ["HINCRBYFLOAT", "f", "big", "1e4932"],
        ["HINCRBYFLOAT", "f", "neg", "-1e4932"],
        ["HINCRBYFLOAT", "f", "big", "-1e4932"],
        ["HGETALL", "f"],
    ]
    # The long values made "f" a hash table: its HGETALL is compared sorted.
    assertSameUnordered(*ports, commands, unordered={len(commands) - 1}, pairs={len(commands) - 1})


def test_hashTable(ports):
    """
    Hashes past the listpack limits hold and answer the same fields as
    Redis; their order is the hash table's, so it is compared sorted.
    """
    longValue = "v" * 65
    commands = [
        bigHash(),
        ["HLEN", "big"],
        ["HGETALL", "big"],
        ["HKEYS", "big"],
        ["HVALS", "big"],
        ["HDEL", "big", "f0", "f1", "f2"],
        ["HLEN", "big"],
        ["HSET", "long", "a", "1", "b", longValue],
        ["HGETALL", "long"],
        ["HSETNX", "nx", "a", "1"],
        ["HSETNX", "nx", "a", longValue],
        ["HSET", "nx", "b", "2"],
        ["HGETALL", "nx"],
        ["HRANDFIELD", "big", "1000"],
        ["HRANDFIELD", "big", "1000", "WITHVALUES"],
    ]
    assertSameUnordered(*ports, commands, unordered={2, 3, 4, 8, 13, 14}, pairs={2, 8, 14})
    assertSameUnordered(*ports, commands, unordered={2, 3, 4, 8, 13, 14}, resp3=True)


def _scanAll(port, options):
    setup = [bigHash(), ["HDEL", "big", "f7"]]
    items = scanAll(port, setup, ["HSCAN", "big", "0"] + options)
    return sorted(set(zip(items[0::2], items[1::2])))


@pytest.mark.parametrize("options", [[], ["COUNT", "7"], ["MATCH", "f1*"], ["COUNT", "1000"]])
def test_hscanHashTable(ports, options):
    """
    A full HSCAN of a hash-table encoded hash visits the same field-value
    pairs as Redis's, with MATCH and COUNT.
    """
    redisPort, txredisdPort = ports
    assert _scanAll(txredisdPort, options) == _scanAll(redisPort, options)


@pytest.mark.parametrize("resp3", [False, True])
def test_hrandfieldShapes(ports, resp3):
    """
    HRANDFIELD's random replies have Redis's shapes: the reply type, the
    number of elements, distinct fields for positive counts, field-value
    pairs nested in RESP3 and flat in RESP2.
    """
    commands = [
        ["HRANDFIELD", "h"],
        ["HRANDFIELD", "h", "1"],
        ["HRANDFIELD", "h", "3"],
        ["HRANDFIELD", "h", "-10"],
        ["HRANDFIELD", "h", "2", "WITHVALUES"],
        ["HRANDFIELD", "h", "-6", "WITHVALUES"],
        ["HRANDFIELD", "h", "1", "withvalues"],
    ]
    fields = {b"a": b"1", b"b": b"2", b"c": b"3", b"d": b"4"}
    setup = [["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"]]
    expected = runAfter(ports[0], setup, commands, resp3)
    actual = runAfter(ports[1], setup, commands, resp3)
    for argv, want, got in zip(commands, expected, actual):
        assert got[:1] == want[:1], argv
        wanted, gotten = parse(want), parse(got)
        if isinstance(wanted, bytes):
            assert gotten in fields
            continue
        assert len(gotten) == len(wanted), argv
        if len(argv) == 4:
            pairs = gotten if resp3 else [gotten[i : i + 2] for i in range(0, len(gotten), 2)]
            assert all(fields[f] == v for f, v in pairs), argv
            names = [f for f, v in pairs]
        else:
            names = gotten
        assert all(name in fields for name in names), argv
        if not argv[2].startswith("-"):
            assert len(set(names)) == len(names), argv


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedTxredisd, protocol):
    """
    redis-py drives the hash commands over RESP2 and RESP3 and decodes
    the replies into the same Python values.
    """
    client = sharedTxredisd.client(protocol=protocol, decode_responses=True)
    try:
        client.delete("py:h")
        assert client.hset("py:h", mapping={"a": "1", "b": "2"}) == 2
        assert client.hgetall("py:h") == {"a": "1", "b": "2"}
        assert client.hincrby("py:h", "a", 5) == 6
        assert client.hincrbyfloat("py:h", "b", 0.5) == 2.5
        assert client.hmget("py:h", ["a", "nope"]) == ["6", None]
        assert sorted(client.hkeys("py:h")) == ["a", "b"]
        assert client.hrandfield("py:h", 5, withvalues=True) in (
            ["a", "6", "b", "2.5"],
            [["a", "6"], ["b", "2.5"]],
        )
        client.hset("py:h", mapping={"f%d" % i: i for i in range(300)})
        assert dict(client.hscan_iter("py:h", match="f1?", count=20)) == {"f%d" % i: str(i) for i in range(10, 20)}
        assert client.hdel("py:h", "a", "b") == 2
        assert client.hlen("py:h") == 300
    finally:
        client.close()


def test_encodings(ports):
    """
    OBJECT ENCODING follows Redis's listpack to hash table conversions:
    too many fields, a long field or value (HSET, HINCRBY*, not an HSETNX
    that sets nothing), and no way back.
    """
    requireCommand(ports[1], "OBJECT", "ENCODING", "x")
    longValue = "v" * 65
    commands = [
        bigHash(),
        ["OBJECT", "ENCODING", "big"],
        ["HDEL", "big"] + ["f%d" % (i,) for i in range(1, BIG)],
        ["OBJECT", "ENCODING", "big"],
        ["HSET", "h", "a", "1", "b", "v" * 64],
        ["OBJECT", "ENCODING", "h"],
        ["HSETNX", "h", "a", longValue],
        ["OBJECT", "ENCODING", "h"],
        ["HSET", "h", "a", longValue],
        ["OBJECT", "ENCODING", "h"],
        ["HINCRBY", "i", "f" * 65, "1"],
        ["OBJECT", "ENCODING", "i"],
        ["HINCRBYFLOAT", "j", "f" * 65, "1"],
        ["OBJECT", "ENCODING", "j"],
        ["HSET", "k"] + ["f%d" % (i,) for i in range(1024)],
        ["OBJECT", "ENCODING", "k"],
        ["HSET", "l"] + ["f%d" % (i,) for i in range(1026)],
        ["OBJECT", "ENCODING", "l"],
    ]
    assertSameReplies(*ports, commands)


def _randomHashCommands(rng, count):
    keys = ["h", "g", "str"]
    fields = ["a", "b", "c", "d", "f" * 70]
    values = ["1", "-3", "2.5", "1e3", "abc", "", "9223372036854775807", "v" * 70]
    commands = [["SET", "str", "v"]]
    for _ in range(count):
        key = rng.choice(keys)
        field = rng.choice(fields)
        picked = rng.sample(fields, rng.randint(1, 3))
        commands.append(
            rng.choice(
                [
                    ["HSET", key, field, rng.choice(values)],
                    ["HSET", key, field, rng.choice(values), rng.choice(fields), rng.choice(values)],
                    ["HSETNX", key, field, rng.choice(values)],
                    ["HMSET", key, field, rng.choice(values)],
                    ["HDEL", key] + picked,
                    ["HINCRBY", key, field, rng.choice(["1", "-7", "9223372036854775807", "x"])],
                    ["HINCRBYFLOAT", key, field, rng.choice(["0.1", "-2.5", "1e20", "x", "inf"])],
                    ["HGET", key, field],
                    ["HMGET", key] + picked,
                    ["HEXISTS", key, field],
                    ["HSTRLEN", key, field],
                    ["HLEN", key],
                    ["HGETALL", key],
                    ["HKEYS", key],
                    ["HVALS", key],
                    ["HRANDFIELD", key, "100", "WITHVALUES"],
                    ["HSCAN", key, "0"],
                ]
            )
        )
    return commands


@pytest.mark.parametrize("seed", range(5))
def test_randomSequences(ports, seed):
    """
    Random sequences of hash commands over a few keys (both encodings,
    wrong types, bad numbers, missing keys) leave both servers answering
    the same, collections compared sorted where their order is the hash
    table's.
    """
    commands = _randomHashCommands(random.Random(seed), 150)
    unordered = {i for i, argv in enumerate(commands) if argv[0] in ("HGETALL", "HKEYS", "HVALS", "HRANDFIELD", "HSCAN")}
    pairs = {i for i in unordered if commands[i][0] in ("HGETALL", "HRANDFIELD")}
    assertSameUnordered(*ports, commands, unordered, pairs=pairs)
    assertSameUnordered(*ports, commands, unordered, resp3=True)
