"""
The HyperLogLog commands against Debian's redis-server: same requests, same
raw replies, in RESP2 and RESP3.  An HLL is a string, so GET of an HLL key
compares the stored bytes themselves: sparse opcodes, dense registers and
the cached cardinality in the header.
"""

import random

import pytest

from tests.differential import RawConnection, assertSameReplies, runSequence
from tests.differential.multiconn import assertSameScript
from txredisd.hyperloglog import patternLength

_HEADER_SPARSE = b"HYLL\x01\x00\x00\x00"
# A header whose cached cardinality is stale, so PFCOUNT recomputes.
_STALE = b"\x00" * 7 + b"\x80"


def _elements(seed, count, prefix=b"e"):
    rng = random.Random(seed)
    return [prefix + b"%d:%d" % (rng.getrandbits(32), i) for i in range(count)]


def _batches(key, elements, size):
    return [["PFADD", key] + elements[i:i + size] for i in range(0, len(elements), size)]


@pytest.mark.parametrize("resp3", [False, True])
def test_pfaddAndCount(sharedRedisServer, sharedTxredisd, resp3):
    """
    PFADD answers whether a register changed, creates the key even without
    elements, and PFCOUNT caches its estimate in the header GET shows.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["PFCOUNT", "h"],
            ["PFADD", "h"],
            ["GET", "h"],
            ["PFADD", "h"],
            ["PFCOUNT", "h"],
            ["GET", "h"],
            ["PFADD", "h", "a", "b", "c"],
            ["GET", "h"],
            ["PFADD", "h", "a", "b"],
            ["PFADD", "h", "a", "a", "a", "d"],
            ["GET", "h"],
            ["PFCOUNT", "h"],
            ["GET", "h"],
            ["PFCOUNT", "h"],
            ["PFADD", "h", "", b"\x00", b"\xff\r\n", "x" * 1000],
            ["PFCOUNT", "h"],
            ["STRLEN", "h"],
            ["TYPE", "h"],
            ["OBJECT", "ENCODING", "h"],
            ["PFADD", "h2", "only"],
            ["OBJECT", "ENCODING", "h2"],
            ["PFADD"],
            ["PFCOUNT"],
            ["PFMERGE"],
            ["PFDEBUG", "encoding"],
            ["PFDEBUG", "encoding", "h", "x"],
            ["PFSELFTEST", "x"],
        ],
        resp3,
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_sparseThenDenseBytes(sharedRedisServer, sharedTxredisd, resp3):
    """
    The stored bytes after every batch of elements are Redis's, through the
    sparse representation's growth, its promotion to dense and the dense
    representation's updates; PFCOUNT agrees at every step.
    """
    elements = _elements(1, 6000)
    commands = []
    for i, batch in enumerate(_batches("h", elements[:200], 1) + _batches("h", elements[200:], 97)):
        commands.append(batch)
        if i % 7 == 0 or len(batch) > 3:
            commands.append(["GET", "h"])
            commands.append(["PFCOUNT", "h"])
            commands.append(["PFDEBUG", "ENCODING", "h"])
    commands.append(["PFDEBUG", "DECODE", "h"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def test_sparseDecodeAlongTheWay(sharedRedisServer, sharedTxredisd):
    """
    PFDEBUG DECODE shows the same opcodes after each addition while the
    HLL is sparse (splits of XZERO, ZERO and VAL runs, merges of adjacent
    values).
    """
    commands = []
    for batch in _batches("h", _elements(2, 400), 3):
        commands.append(batch)
        commands.append(["PFDEBUG", "DECODE", "h"])
    # Registers next to each other: runs of equal values merge.
    for batch in _batches("n", [b"%d" % i for i in range(3000)], 50):
        commands.append(batch)
        commands.append(["GET", "n"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


@pytest.mark.parametrize("resp3", [False, True])
def test_pfmerge(sharedRedisServer, sharedTxredisd, resp3):
    """
    PFMERGE of sparse and dense HLLs and missing keys into a new or an
    existing destination gives Redis's bytes (sparse while all inputs are
    sparse and the result fits), keeps the destination's expiry, and
    PFCOUNT of several keys estimates the union without changing them.
    """
    small = _elements(3, 150, b"s")
    other = _elements(4, 300, b"o")
    big = _elements(5, 5000, b"b")
    commands = (
        _batches("s1", small, 50)
        + _batches("s2", other, 100)
        + _batches("d1", big, 500)
        + _batches("d2", big[2000:] + other, 500)
    )
    commands += [
        ["PFCOUNT", "s1", "s2"],
        ["PFCOUNT", "s1", "missing", "s2", "d1"],
        ["PFCOUNT", "missing", "nothing"],
        ["PFCOUNT", "s1", "s1"],
        ["GET", "s1"],
        ["GET", "s2"],
        ["PFMERGE", "m1", "s1", "s2"],
        ["GET", "m1"],
        ["PFDEBUG", "ENCODING", "m1"],
        ["PFCOUNT", "m1"],
        ["PFMERGE", "m2", "s1", "d1"],
        ["GET", "m2"],
        ["PFDEBUG", "ENCODING", "m2"],
        ["PFCOUNT", "m2"],
        ["PFMERGE", "m3", "d1", "d2", "missing"],
        ["GET", "m3"],
        ["PFCOUNT", "m3"],
        ["PFCOUNT", "d1", "d2"],
        ["PFMERGE", "s1", "s2"],
        ["GET", "s1"],
        ["PFMERGE", "s1"],
        ["GET", "s1"],
        ["PFMERGE", "empty"],
        ["GET", "empty"],
        ["PFMERGE", "empty2", "missing"],
        ["GET", "empty2"],
        ["EXPIRE", "s2", "1000"],
        ["PFMERGE", "s2", "d2"],
        ["TTL", "s2"],
        ["GET", "s2"],
        ["PFMERGE", "d1", "s1"],
        ["GET", "d1"],
        ["DBSIZE"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def test_pfmergePromotesAlongTheWay(sharedRedisServer, sharedTxredisd):
    """
    Merging sparse inputs whose union outgrows hll-sparse-max-bytes turns
    the destination dense part-way; a register above 32 does too.
    """
    commands = _batches("a", _elements(6, 1200, b"a"), 300) + _batches("b", _elements(7, 1200, b"b"), 300)
    commands += [
        ["PFDEBUG", "ENCODING", "a"],
        ["PFDEBUG", "ENCODING", "b"],
        ["PFMERGE", "u", "a", "b"],
        ["PFDEBUG", "ENCODING", "u"],
        ["GET", "u"],
        ["PFMERGE", "a", "b"],
        ["GET", "a"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_sparseMaxBytes(sharedRedisServer, sharedTxredisd):
    """
    hll-sparse-max-bytes decides when the sparse form turns dense, as a
    memory value CONFIG GET and SET handle like Redis.
    """
    commands = [
        ["CONFIG", "GET", "hll-sparse-max-bytes"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "100"],
        ["CONFIG", "GET", "hll-sparse-max-bytes"],
    ]
    for batch in _batches("h", _elements(8, 80), 2):
        commands += [batch, ["STRLEN", "h"], ["PFDEBUG", "ENCODING", "h"]]
    commands += [
        ["GET", "h"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "0"],
        ["PFADD", "z", "x"],
        ["GET", "z"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "1kb"],
        ["CONFIG", "GET", "hll-sparse-max-bytes"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "x"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "-1"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"],
        ["CONFIG", "GET", "hll-sparse-max-bytes"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


@pytest.mark.parametrize("resp3", [False, True])
def test_wrongType(sharedRedisServer, sharedTxredisd, resp3):
    """
    Keys of another type, and strings that are not HLLs (too short, wrong
    magic, unknown encoding, a dense HLL of the wrong size), are refused
    by every command with Redis's two WRONGTYPE texts.
    """
    dense = b"HYLL\x00\x00\x00\x00" + bytes(8) + bytes(12288)
    commands = [
        ["RPUSH", "list", "a"],
        ["SET", "plain", "hello"],
        ["SET", "int", "12345"],
        ["SET", "short", b"HYLL\x01\x00\x00"],
        ["SET", "magic", b"HYLX\x01\x00\x00\x00" + bytes(8) + b"\x7f\xff"],
        ["SET", "enc", b"HYLL\x02\x00\x00\x00" + bytes(8) + b"\x7f\xff"],
        ["SET", "dense-short", dense[:-1]],
        ["SET", "dense-long", dense + b"\x00"],
        ["SET", "dense", dense],
        ["SET", "header", b"HYLL\x01\x00\x00\x00" + bytes(8)],
        ["PFADD", "h", "x"],
    ]
    for key in ["list", "plain", "int", "short", "magic", "enc", "dense-short", "dense-long"]:
        commands += [
            ["PFADD", key, "a"],
            ["PFADD", key],
            ["PFCOUNT", key],
            ["PFCOUNT", "h", key],
            ["PFCOUNT", "missing", key, "h"],
            ["PFMERGE", "dest", "h", key],
            ["PFMERGE", key, "h"],
            ["PFDEBUG", "GETREG", key],
            ["PFDEBUG", "nosuch", key],
        ]
    commands += [
        ["EXISTS", "dest"],
        ["PFCOUNT", "dense"],
        ["PFADD", "dense", "a"],
        ["PFCOUNT", "dense"],
        ["PFCOUNT", "header"],
        ["PFDEBUG", "DECODE", "header"],
        ["PFADD", "header", "a"],
        ["PFDEBUG", "TODENSE", "header"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def _sparse(body, cache=_STALE):
    return _HEADER_SPARSE + cache + body


@pytest.mark.parametrize(
    "body",
    [
        # Opcodes covering more than the 16384 registers.
        b"\x7f\xff\x00",
        b"\x7f\xff\x80",
        b"\x7f\xfe\x84\x00",
        # Fewer than 16384.
        b"\x7f\xfe",
        b"\x3f\x80",
        b"",
        # Half the registers: PFADD changes some before it fails.
        b"\x5f\xff",
        # An XZERO cut short at the very end.
        b"\x7f",
        b"\x40\x00\x7f",
        # Valid but not canonical: small XZEROs, adjacent ZEROs.
        b"\x40\x00\x00\x3f\x7f\xbd",
        b"\x40\x00" * 16384,
        b"\x3f" * 256,
        b"\x83" * 4096,
        b"\xff" * 4096,
    ],
)
def test_craftedSparse(sharedRedisServer, sharedTxredisd, body):
    """
    Corrupt or unusual sparse strings: PFCOUNT, PFMERGE and PFDEBUG answer
    INVALIDOBJ exactly when Redis does (with the CVE-2025-32023 checks), and
    PFADD changes what Redis changes, errors included.
    """
    value = _sparse(body)
    # Elements for the lower registers first, then one for the upper half.
    low = [e for e in _elements(15, 40) if patternLength(e)[0] < 8192][:3]
    high = [e for e in _elements(16, 40) if patternLength(e)[0] >= 8192][:1]
    commands = [
        ["SET", "c", value],
        ["PFADD", "c"] + low + high + low,
        ["GET", "c"],
        ["SET", "c", value],
        ["PFCOUNT", "c"],
        ["PFCOUNT", "c", "missing"],
        ["PFMERGE", "m", "c"],
        ["EXISTS", "m"],
        ["PFDEBUG", "DECODE", "c"],
        ["PFADD", "c", "a"],
        ["GET", "c"],
        ["PFADD", "c", "b", "c", "d", "e", "f", "g"],
        ["GET", "c"],
        ["SET", "c", value],
        ["PFADD", "c"] + [b"%d" % i for i in range(300)],
        ["GET", "c"],
        ["SET", "c", value],
        ["PFDEBUG", "TODENSE", "c"],
        ["GET", "c"],
        ["SET", "c", value],
        ["PFDEBUG", "GETREG", "c"],
        ["SET", "c", _sparse(body, bytes(8))],
        ["PFCOUNT", "c"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_promotionOfCorruptSparse(sharedRedisServer, sharedTxredisd):
    """
    A corrupt sparse HLL that PFADD must promote to dense fails with
    INVALIDOBJ, keeping the changes Redis made before the promotion.
    """
    value = _sparse(b"\x7f\xff\x00")
    commands = [
        ["CONFIG", "SET", "hll-sparse-max-bytes", "40"],
        ["SET", "c", value],
        ["PFADD", "c"] + [b"%d" % i for i in range(100)],
        ["GET", "c"],
        ["SET", "c", value],
        ["PFADD", "c", "a", "b"],
        ["PFADD", "c"] + [b"x%d" % i for i in range(100)],
        ["GET", "c"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_denseRegistersAbove51(sharedRedisServer, sharedTxredisd):
    """
    A dense HLL whose registers hold values no hash produces (52 to 63)
    counts, merges and decodes as Redis does.
    """
    body = bytes(random.Random(9).getrandbits(8) for _ in range(12288))
    value = b"HYLL\x00\x00\x00\x00" + _STALE + body
    commands = [
        ["SET", "d", value],
        ["PFCOUNT", "d"],
        ["GET", "d"],
        ["SET", "d", value],
        ["PFCOUNT", "d", "missing"],
        ["PFADD", "s", "a", "b"],
        ["PFMERGE", "s", "d"],
        ["GET", "s"],
        ["PFDEBUG", "GETREG", "d"],
        ["PFADD", "d"] + [b"%d" % i for i in range(100)],
        ["GET", "d"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


@pytest.mark.parametrize("resp3", [False, True])
def test_pfdebug(sharedRedisServer, sharedTxredisd, resp3):
    """
    PFDEBUG's subcommands, in any case: GETREG (which makes a sparse HLL
    dense), DECODE, ENCODING, TODENSE, and its errors.
    """
    commands = _batches("h", _elements(10, 30), 10) + [
        ["PFDEBUG", "ENCODING", "h"],
        ["PFDEBUG", "decode", "h"],
        ["PFDEBUG", "GetReg", "h"],
        ["PFDEBUG", "encoding", "h"],
        ["GET", "h"],
        ["PFDEBUG", "decode", "h"],
        ["PFDEBUG", "todense", "h"],
        ["PFADD", "s", "x", "y"],
        ["PFDEBUG", "TODENSE", "s"],
        ["PFDEBUG", "TODENSE", "s"],
        ["GET", "s"],
        ["PFDEBUG", "ENCODING", "s"],
        ["PFADD", "t", "x"],
        ["PFDEBUG", b"encoding\x00junk", "t"],
        ["PFDEBUG", "nosuch", "t"],
        ["PFDEBUG", b"bad\r\nname", "t"],
        ["PFDEBUG", "nosuch", "missing"],
        ["PFDEBUG", "getreg", "missing"],
        ["PFSELFTEST"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3)


def test_hllFromRedisServer(sharedRedisServer, sharedTxredisd):
    """
    HLLs built by redis-server, read with GET and written into both servers
    with SET, keep working the same: counts (cached and recomputed), more
    elements, merges.
    """
    conn = RawConnection(sharedRedisServer.port)
    try:
        conn.call("FLUSHALL")
        for command in _batches("sparse", _elements(11, 500), 100) + _batches("dense", _elements(12, 8000), 1000):
            conn.call(*command)
        conn.call("PFCOUNT", "dense")
        values = {key: conn.call("GET", key) for key in ("sparse", "dense")}
    finally:
        conn.close()
    raw = {key: value.split(b"\r\n", 1)[1][:-2] for key, value in values.items()}
    assert raw["sparse"][4] == 1 and raw["dense"][4] == 0
    more = _elements(13, 3000, b"m")
    commands = [
        ["SET", "s", raw["sparse"]],
        ["SET", "d", raw["dense"]],
        ["PFCOUNT", "d"],
        ["PFCOUNT", "s"],
        ["GET", "s"],
        ["PFCOUNT", "s", "d"],
        ["PFMERGE", "m", "s", "d"],
        ["GET", "m"],
    ]
    commands += _batches("s", more, 250) + [["GET", "s"], ["PFCOUNT", "s"]]
    commands += _batches("d", more, 250) + [["GET", "d"], ["PFCOUNT", "d"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    # And txredisd's own HLL bytes are the ones redis-server produced.
    ours = runSequence(sharedTxredisd.port, _batches("sparse", _elements(11, 500), 100) + [["GET", "sparse"]])
    assert ours[-1] == values["sparse"]


def test_cardinalities(sharedRedisServer, sharedTxredisd):
    """
    The estimates match Redis's from a few elements to large sets, where
    Ertl's estimator's corrections matter.
    """
    commands = []
    rng = random.Random(14)
    total = 0
    for size in [1, 2, 10, 100, 1000, 5000, 20000, 40000]:
        while total < size:
            step = min(size - total, 2000)
            commands.append(["PFADD", "c"] + [b"%d" % rng.getrandbits(64) for _ in range(step)])
            total += step
        commands.append(["PFCOUNT", "c"])
        commands.append(["PFCOUNT", "c", "missing"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_transactionsAndWatch(sharedRedisServer, sharedTxredisd):
    """
    Another client's PFCOUNT that refreshes the cache is a change WATCH
    sees; one answered from the cache, a multi-key PFCOUNT and a PFADD
    that changes nothing are not.
    """
    script = [
        (0, ["PFADD", "h", "a", "b"]),
        (0, ["WATCH", "h"]),
        (1, ["PFCOUNT", "h"]),
        (0, ["MULTI"]),
        (0, ["PFCOUNT", "h"]),
        (0, ["EXEC"]),
        (0, ["WATCH", "h"]),
        (1, ["PFCOUNT", "h"]),
        (1, ["PFCOUNT", "h", "other"]),
        (1, ["PFADD", "h", "a"]),
        (1, ["PFDEBUG", "ENCODING", "h"]),
        (0, ["MULTI"]),
        (0, ["PFADD", "h", "c"]),
        (0, ["PFCOUNT", "h"]),
        (0, ["EXEC"]),
        (0, ["WATCH", "h"]),
        (1, ["PFDEBUG", "TODENSE", "h"]),
        (0, ["MULTI"]),
        (0, ["PFCOUNT", "h"]),
        (0, ["EXEC"]),
        (0, ["WATCH", "h"]),
        (1, ["PFMERGE", "h"]),
        (0, ["MULTI"]),
        (0, ["PFCOUNT", "h"]),
        (0, ["EXEC"]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)


def test_keyspaceEvents(sharedRedisServer, sharedTxredisd):
    """
    PFADD and PFMERGE announce "pfadd" in the string class; PFCOUNT, a
    PFADD changing nothing and PFDEBUG announce nothing (the SET after
    them is the next event).
    """
    script = [
        (0, ["CONFIG", "SET", "notify-keyspace-events", "KEA"]),
        (1, ["PSUBSCRIBE", "__key*@0__:*"]),
        (0, ["PFADD", "h", "a"]),
        (1, None, 2),
        (0, ["PFADD", "h", "a"]),
        (0, ["PFCOUNT", "h"]),
        (0, ["PFCOUNT", "h", "x"]),
        (0, ["PFDEBUG", "TODENSE", "h"]),
        (0, ["SET", "marker", "1"]),
        (1, None, 2),
        (0, ["PFMERGE", "m", "h"]),
        (1, None, 2),
        (0, ["CONFIG", "SET", "notify-keyspace-events", "E$"]),
        (0, ["PFADD", "h", "b"]),
        (0, ["PFADD", "h", "c"]),
        (1, None, 2),
        (0, ["CONFIG", "SET", "notify-keyspace-events", ""]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)


def test_commandIntrospection(sharedRedisServer, sharedTxredisd):
    """
    COMMAND INFO and COMMAND DOCS describe the HyperLogLog commands as
    Redis does: flags, key specifications, ACL categories, arguments.
    """
    names = ["pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"]
    for resp3 in (False, True):
        assertSameReplies(
            sharedRedisServer.port,
            sharedTxredisd.port,
            [["COMMAND", "INFO"] + names]
            + [["COMMAND", "DOCS", name] for name in names]
            + [["COMMAND", "GETKEYS", "PFMERGE", "a", "b", "c"], ["COMMAND", "GETKEYS", "PFDEBUG", "x", "k"]],
            resp3,
        )
