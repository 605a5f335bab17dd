"""
HyperLogLog commands (Redis 7.0's C{hyperloglog.c}): PFADD, PFCOUNT,
PFMERGE and the PFDEBUG and PFSELFTEST internals.

An HLL is a string value whose bytes are Redis's (see
L{txredisd.hyperloglog}).  Redis changes that string in place; here the
handlers build the new bytes and put them back in the database's table,
then signal the change exactly where Redis does: PFADD and PFMERGE as
writes, PFCOUNT when it refreshes the cached cardinality (a change WATCH
sees and replicas receive as the PFCOUNT itself), PFDEBUG's conversion to
dense only in the dirty counter.
"""

import math
import random
import re
import struct

from txredisd import errors, hyperloglog
from txredisd.errors import CommandError
from txredisd.introspection import arg, keySpec
from txredisd.registry import command
from txredisd.resp import OK, ONE, ZERO, Status

_GROUP = "hyperloglog"
_SINCE = "2.8.9"


def _checkHLL(value):
    # Redis's isHLLObjectOrReply on a found key.
    if type(value) is not bytes:
        raise CommandError(errors.WRONGTYPE)
    if not hyperloglog.isValid(value):
        raise CommandError(errors.HLL_WRONGTYPE)


def _registers(value):
    # Redis's hllMerge: a corrupt sparse HLL fails the whole command.
    raw = hyperloglog.registers(value)
    if raw is None:
        raise CommandError(errors.HLL_INVALID)
    return raw


def _replace(db, key, value):
    # Redis changes the string object in place: no expiry is dropped, no
    # "new key" event fires; the caller signals what Redis signals.
    db.data[key] = value


@command(
    "pfadd", -2, ["write", "denyoom", "fast"], 1, 1, 1, group=_GROUP, since=_SINCE,
    summary="Adds the specified elements to the specified HyperLogLog.",
    keySpecs=[keySpec("RW insert", 1, 0)],
    docs={
        "complexity": "O(1) to add every element.",
        "arguments": [
            arg("key", "key", keySpecIndex=0),
            arg("element", "string", flags="optional multiple"),
        ],
    },
)
def pfadd(client, argv):
    db = client.db
    key = argv[1]
    value = db.getForWrite(key)
    if value is None:
        buf = bytearray(hyperloglog.create())
        # Creating the key is a change of its own (Redis's updated++).
        updated = 1
    else:
        _checkHLL(value)
        buf = bytearray(value)
        updated = 0
    maxBytes = client.server.config["hll-sparse-max-bytes"]
    add = hyperloglog.add
    for element in argv[2:]:
        result = add(buf, element, maxBytes)
        if result < 0:
            # Redis has already changed the string in place for the
            # elements before this one, and keeps those changes without
            # counting them as a write.
            if value is not None and buf != value:
                _replace(db, key, bytes(buf))
            raise CommandError(errors.HLL_INVALID)
        updated += result
    if not updated:
        return ZERO
    hyperloglog.invalidateCache(buf)
    if value is None:
        db.set(key, bytes(buf))
        client.server.store.dirty += updated - 1
    else:
        _replace(db, key, bytes(buf))
        db.modified(key, updated)
    client.server.store.notify("$", b"pfadd", key, client.dbIndex)
    return ONE


@command(
    "pfcount", -2, ["readonly", "may_replicate"], 1, -1, 1, group=_GROUP, since=_SINCE,
    summary="Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    keySpecs=[
        keySpec(
            "RW access", 1, -1,
            notes="RW because it may change the internal representation of the key, and propagate to replicas",
        )
    ],
    docs={
        "complexity": (
            "O(1) with a very small average constant time when called with a single key. O(N) "
            "with N being the number of keys, and much bigger constant times, when called with "
            "multiple keys."
        ),
        "arguments": [arg("key", "key", keySpecIndex=0, flags="multiple")],
    },
)
def pfcount(client, argv):
    db = client.db
    if len(argv) > 2:
        # The cardinality of the union, computed on the side: no key
        # changes, not even a cache.
        merged = None
        for key in argv[1:]:
            value = db.get(key)
            if value is None:
                continue
            _checkHLL(value)
            raw = _registers(value)
            merged = raw if merged is None else hyperloglog.maxRegisters(merged, raw)
        if merged is None:
            return ZERO
        return hyperloglog.estimate(hyperloglog.histogram(merged))
    key = argv[1]
    value = db.get(key)
    if value is None:
        return ZERO
    _checkHLL(value)
    card = hyperloglog.cachedCardinality(value)
    if card is None:
        card = hyperloglog.count(value)
        if card is None:
            raise CommandError(errors.HLL_INVALID)
        # Refreshing the cache changes the string: Redis signals the key
        # (WATCH) and counts a change, so the PFCOUNT reaches replicas and
        # the AOF.
        _replace(db, key, hyperloglog.withCardinality(value, card))
        db.modified(key)
    return card


# Any register that is not zero.
_NONZERO = re.compile(rb"[^\x00]")


@command(
    "pfmerge", -2, ["write", "denyoom"], 1, -1, 1, group=_GROUP, since=_SINCE,
    summary="Merge N different HyperLogLogs into a single one.",
    keySpecs=[keySpec("RW access insert", 1, 0), keySpec("RO access", 2, -1)],
    docs={
        "complexity": "O(N) to merge N HyperLogLogs, but with high constant times.",
        "arguments": [
            arg("destkey", "key", keySpecIndex=0),
            arg("sourcekey", "key", keySpecIndex=1, flags="multiple"),
        ],
    },
)
def pfmerge(client, argv):
    db = client.db
    merged = None
    useDense = False
    # The destination is the first source.
    for key in argv[1:]:
        value = db.get(key)
        if value is None:
            continue
        _checkHLL(value)
        if value[4] == hyperloglog.DENSE:
            # A dense input makes the result dense at once.
            useDense = True
        raw = _registers(value)
        merged = raw if merged is None else hyperloglog.maxRegisters(merged, raw)
    dest = argv[1]
    value = db.getForWrite(dest)
    buf = bytearray(hyperloglog.create() if value is None else value)
    if useDense:
        hyperloglog.toDense(buf)
    if merged is not None:
        if buf[4] == hyperloglog.SPARSE:
            # Redis sets each non-zero register in turn on the sparse
            # form, which may turn dense along the way.
            maxBytes = client.server.config["hll-sparse-max-bytes"]
            cursor = hyperloglog.SparseCursor()
            sparseSet = hyperloglog.sparseSet
            for match in _NONZERO.finditer(merged):
                index = match.start()
                sparseSet(buf, index, merged[index], maxBytes, cursor)
                if buf[4] == hyperloglog.DENSE:
                    break
        if buf[4] == hyperloglog.DENSE:
            # The destination's registers were among the inputs: setting
            # every register to the maximum where it is higher leaves the
            # maxima.
            buf[hyperloglog.HEADER_SIZE:] = hyperloglog.packDense(merged)
    hyperloglog.invalidateCache(buf)
    if value is None:
        db.set(dest, bytes(buf))
    else:
        _replace(db, dest, bytes(buf))
        db.modified(dest)
    # Redis announces a merge as a PFADD: in effect, a mass add.
    client.server.store.notify("$", b"pfadd", dest, client.dbIndex)
    return OK


def _cName(arg):
    # PFDEBUG compares its subcommand as a C string: a NUL byte ends it.
    return arg.split(b"\0", 1)[0].lower()


def _toDense(client, key, value):
    """
    PFDEBUG's conversion of a sparse HLL to dense, kept in the database.
    Redis counts it in the dirty counter (so the PFDEBUG propagates) but
    does not signal the key.

    @return: the dense value.
    """
    buf = bytearray(value)
    if not hyperloglog.toDense(buf):
        raise CommandError(errors.HLL_INVALID)
    value = bytes(buf)
    _replace(client.db, key, value)
    client.server.store.dirty += 1
    return value


@command(
    "pfdebug", 3, ["write", "denyoom", "admin"], 2, 2, 1, group=_GROUP, since=_SINCE,
    summary="Internal commands for debugging HyperLogLog values",
    keySpecs=[keySpec("RW access", 2, 0)],
    docs={
        "complexity": "N/A",
        "doc_flags": ["syscmd"],
        "arguments": [arg("subcommand", "string"), arg("key", "key", keySpecIndex=0)],
    },
)
def pfdebug(client, argv):
    key = argv[2]
    value = client.db.getForWrite(key)
    if value is None:
        raise CommandError(errors.HLL_NO_KEY)
    _checkHLL(value)
    name = _cName(argv[1])
    sparse = value[4] == hyperloglog.SPARSE
    if name == b"getreg":
        if sparse:
            value = _toDense(client, key, value)
        return list(hyperloglog.denseRegisters(value))
    if name == b"decode":
        if not sparse:
            raise CommandError(errors.HLL_NOT_SPARSE)
        return hyperloglog.decodeSparse(value)
    if name == b"encoding":
        return Status("sparse" if sparse else "dense")
    if name == b"todense":
        if not sparse:
            return ZERO
        _toDense(client, key, value)
        return ONE
    raise CommandError(errors.hllUnknownDebug(argv[1]))


# Redis's PFSELFTEST runs 1000 rounds of register checks and adds ten
# million elements: a few hundred milliseconds in C.  The same checks with
# fewer rounds and elements keep this one under a second.
_SELFTEST_ROUNDS = 5
_SELFTEST_ELEMENTS = 100000


@command(
    "pfselftest", 1, ["admin"], group=_GROUP, since=_SINCE,
    summary="An internal command for testing HyperLogLog values",
    docs={"complexity": "N/A", "doc_flags": ["syscmd"]},
)
def pfselftest(client, argv):
    H = hyperloglog
    rng = random.Random()
    dense = bytearray(H.create())
    H.toDense(dense)
    # Test 1: every register keeps its value and leaves its neighbours'
    # alone, through single-register sets and the whole-array packing.
    for _ in range(_SELFTEST_ROUNDS):
        values = bytes(rng.getrandbits(6) for _ in range(H.REGISTERS))
        dense[H.HEADER_SIZE:] = bytes(H.DENSE_SIZE - H.HEADER_SIZE)
        for i, v in enumerate(values):
            H.denseSet(dense, i, v)
        for i, v in enumerate(values):
            got = H.denseGet(dense, i)
            if got != v:
                raise CommandError(
                    "TESTFAILED Register %d should be %d but is %d" % (i, v, got)
                )
        if H.denseRegisters(dense) != values or H.packDense(values) != dense[H.HEADER_SIZE:]:
            raise CommandError("TESTFAILED register packing")
    # Test 2: the estimate stays within bounds as elements are added, and
    # the sparse and dense forms agree.
    dense[H.HEADER_SIZE:] = bytes(H.DENSE_SIZE - H.HEADER_SIZE)
    sparse = bytearray(H.create())
    maxBytes = client.server.config["hll-sparse-max-bytes"]
    relerr = 1.04 / H.REGISTERS ** 0.5
    checkpoint = 1
    seed = rng.getrandbits(64)
    pack = struct.Struct("<Q").pack
    for j in range(1, _SELFTEST_ELEMENTS + 1):
        element = pack(j ^ seed)
        index, count = H.patternLength(element)
        H.denseSet(dense, index, count)
        H.add(sparse, element, maxBytes)
        if j != checkpoint:
            continue
        if j < maxBytes / 2 and sparse[4] != H.SPARSE:
            raise CommandError("TESTFAILED sparse encoding not used")
        estimated = H.count(bytes(dense))
        if estimated != H.count(bytes(sparse)):
            raise CommandError("TESTFAILED dense/sparse disagree")
        abserr = abs(checkpoint - estimated)
        maxerr = 1 if j == 10 else math.ceil(relerr * 6 * checkpoint)
        if abserr > maxerr:
            raise CommandError(
                "TESTFAILED Too big error. card:%d abserr:%d" % (checkpoint, abserr)
            )
        checkpoint *= 10
    return OK
