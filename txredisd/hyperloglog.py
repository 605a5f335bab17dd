"""
Redis 7.0's HyperLogLog (C{hyperloglog.c}) as a pure data structure.

An HLL is a plain Redis string, so it is stored as L{bytes} and a client
may GET it, SET it elsewhere or move it between servers through RDB files:
every byte here is the byte Redis writes.  The layout:

    - a 16-byte header: C{HYLL}, the encoding (0 dense, 1 sparse), three
      unused bytes, then the cached cardinality as a little-endian 64-bit
      integer whose top bit set means "stale";
    - dense: 16384 registers of 6 bits, packed from the least significant
      bit of each byte upwards (12288 bytes);
    - sparse: run-length opcodes, C{ZERO} (C{00xxxxxx}, 1-64 zero
      registers), C{XZERO} (C{01xxxxxx yyyyyyyy}, 1-16384 zero registers)
      and C{VAL} (C{1vvvvvxx}, 1-4 registers of value 1-32).

Writes work on a L{bytearray} copy of the value and mirror Redis's in-place
algorithms step for step (where a sparse opcode is split, which adjacent
values are merged, when the representation is promoted to dense), because
the resulting bytes depend on that history, not only on the registers.

Whole-register work (counting, merging, conversions) avoids Python loops
over the 16384 registers: the dense bytes are split into four 4096-byte
streams with slicing, shifted and masked with C{bytes.translate} tables and
combined as big integers, so that it runs at C speed.
"""

import math
import re
import struct

P = 14
REGISTERS = 1 << P
_P_MASK = REGISTERS - 1
# The bits of the hash left for the run of zeroes once the register index
# is taken (Redis's HLL_Q).
_Q = 64 - P
HEADER_SIZE = 16
DENSE_SIZE = HEADER_SIZE + (REGISTERS * 6 + 7) // 8
DENSE = 0
SPARSE = 1
MAGIC = b"HYLL"

# The sparse opcodes' limits.
_VAL_MAX_VALUE = 32
_VAL_MAX_LEN = 4
_ZERO_MAX_LEN = 64

_ALPHA_INF = 0.721347520444481703680
_MASK64 = (1 << 64) - 1
_MURMUR_M = 0xC6A4A7935BD1E995
_SEED = 0xADC83B19

_iterUnpack = struct.Struct("<Q").iter_unpack


def murmurHash64A(data, seed=_SEED):
    """
    MurmurHash2, 64-bit version, as Redis computes it (endian neutral: the
    8-byte blocks are read little-endian).

    @param data: L{bytes}.
    @return: the hash, an L{int} below 2**64.
    """
    m = _MURMUR_M
    mask = _MASK64
    length = len(data)
    h = (seed ^ (length * m)) & mask
    blocks = length & ~7
    if blocks:
        for (k,) in _iterUnpack(data[:blocks]):
            k = (k * m) & mask
            k ^= k >> 47
            h ^= (k * m) & mask
            h = (h * m) & mask
    if length & 7:
        # The tail's bytes, XORed in from the highest down, are its
        # little-endian value.
        h ^= int.from_bytes(data[blocks:], "little")
        h = (h * m) & mask
    h ^= h >> 47
    h = (h * m) & mask
    return h ^ (h >> 47)


def patternLength(element):
    """
    Redis's C{hllPatLen}: the register an element hashes to and the length
    of the C{000...1} pattern after the index bits (1 to 51).

    @return: C{(index, count)}.
    """
    h = murmurHash64A(element)
    # The lowest set bit of the remaining 50 bits, or the guard bit above
    # them when they are all zero.
    rest = (h >> P) | (1 << _Q)
    return h & _P_MASK, (rest & -rest).bit_length()


def isValid(value):
    """
    Redis's C{isHLLObjectOrReply} for a string value: long enough for the
    header, the magic, a known encoding, and a dense HLL's exact size.
    """
    if len(value) < HEADER_SIZE or value[:4] != MAGIC:
        return False
    encoding = value[4]
    if encoding > SPARSE:
        return False
    return encoding == SPARSE or len(value) == DENSE_SIZE


def create():
    """
    Redis's C{createHLLObject}: an empty sparse HLL (one XZERO opcode
    covering every register) with a cached cardinality of zero.
    """
    return MAGIC + b"\x01" + bytes(11) + _xzero(REGISTERS)


def cachedCardinality(value):
    """
    @return: the cached cardinality, or L{None} when it is stale.
    """
    if value[15] & 0x80:
        return None
    return int.from_bytes(value[8:16], "little")


def withCardinality(value, card):
    """
    @return: C{value} with C{card} cached in its header.
    """
    return value[:8] + card.to_bytes(8, "little") + value[16:]


def invalidateCache(buf):
    """
    Mark the cached cardinality of a L{bytearray} HLL stale.
    """
    buf[15] |= 0x80


def _xzero(length):
    length -= 1
    return bytes((0x40 | (length >> 8), length & 0xFF))


def _valOpcode(value, length):
    return 0x80 | ((value - 1) << 2) | (length - 1)


# --- dense registers -----------------------------------------------------------


def denseGet(buf, index):
    """
    The value of one register of a dense HLL (header included in C{buf}).
    """
    bit = index * 6
    pos = HEADER_SIZE + (bit >> 3)
    fb = bit & 7
    value = buf[pos] >> fb
    if fb > 2:
        value |= buf[pos + 1] << (8 - fb)
    return value & 63


def denseSet(buf, index, count):
    """
    Redis's C{hllDenseSet}: raise one register of a dense L{bytearray} HLL
    to C{count} if it is lower.

    @return: L{True} if the register changed.
    """
    bit = index * 6
    pos = HEADER_SIZE + (bit >> 3)
    fb = bit & 7
    b0 = buf[pos]
    if fb > 2:
        b1 = buf[pos + 1]
        old = ((b0 >> fb) | (b1 << (8 - fb))) & 63
        if count <= old:
            return False
        buf[pos] = (b0 & ~(63 << fb) & 0xFF) | ((count << fb) & 0xFF)
        # The bits of the register that spill into the next byte.
        buf[pos + 1] = (b1 & ~(63 >> (8 - fb)) & 0xFF) | (count >> (8 - fb))
        return True
    old = (b0 >> fb) & 63
    if count <= old:
        return False
    buf[pos] = (b0 & ~(63 << fb) & 0xFF) | (count << fb)
    return True


def _table(function):
    return bytes(function(b) & 0xFF for b in range(256))


_AND63 = _table(lambda b: b & 63)
_SHR2 = _table(lambda b: b >> 2)
_SHR4 = _table(lambda b: b >> 4)
_SHR6 = _table(lambda b: b >> 6)
_LOW2_SHL4 = _table(lambda b: (b & 3) << 4)
_LOW2_SHL6 = _table(lambda b: (b & 3) << 6)
_LOW4_SHL2 = _table(lambda b: (b & 15) << 2)
_LOW4_SHL4 = _table(lambda b: (b & 15) << 4)
_SHL2 = _table(lambda b: (b & 63) << 2)
_BITS2TO5 = _table(lambda b: (b & 63) >> 2)
_BITS4TO5 = _table(lambda b: (b & 63) >> 4)
_QUARTER = REGISTERS // 4


def _or(a, b):
    # Byte-wise OR of two 4096-byte strings with disjoint bits, at C speed.
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(_QUARTER, "little")


def _denseStreams(value):
    # Every 3 bytes hold 4 registers: r0 = b0[0:6], r1 = b0[6:8] + b1[0:4],
    # r2 = b1[4:8] + b2[0:2], r3 = b2[2:8].  Each stream holds the
    # registers 4k + i, one per byte.
    b0 = value[HEADER_SIZE:DENSE_SIZE:3]
    b1 = value[HEADER_SIZE + 1:DENSE_SIZE:3]
    b2 = value[HEADER_SIZE + 2:DENSE_SIZE:3]
    return (
        b0.translate(_AND63),
        _or(b0.translate(_SHR6), b1.translate(_LOW4_SHL2)),
        _or(b1.translate(_SHR4), b2.translate(_LOW2_SHL4)),
        b2.translate(_SHR2),
    )


def denseRegisters(value):
    """
    The registers of a dense HLL, one per byte.

    @return: a L{bytearray} of 16384 values.
    """
    raw = bytearray(REGISTERS)
    raw[0::4], raw[1::4], raw[2::4], raw[3::4] = _denseStreams(value)
    return raw


def packDense(raw):
    """
    Pack 16384 one-byte registers (each below 64) into the 12288 bytes of
    a dense HLL's body.
    """
    r0 = raw[0::4]
    r1 = raw[1::4]
    r2 = raw[2::4]
    r3 = raw[3::4]
    body = bytearray(DENSE_SIZE - HEADER_SIZE)
    body[0::3] = _or(r0.translate(_AND63), r1.translate(_LOW2_SHL6))
    body[1::3] = _or(r1.translate(_BITS2TO5), r2.translate(_LOW4_SHL4))
    body[2::3] = _or(r2.translate(_BITS4TO5), r3.translate(_SHL2))
    return body


# --- sparse representation ---------------------------------------------------------

# What each one-byte opcode (ZERO or VAL) expands to, one byte per register.
_EXPANSIONS = [
    bytes(b + 1) if b < 0x40 else bytes([((b >> 2) & 0x1F) + 1]) * ((b & 3) + 1) if b >= 0x80 else None
    for b in range(256)
]
# An XZERO opcode (its second byte may be missing at the very end, where
# Redis reads the string's NUL terminator) or a run of one-byte opcodes.
_XZERO_SPLIT = re.compile(rb"([\x40-\x7f][\x00-\xff]?)", re.DOTALL)


def sparseRegisters(value):
    """
    Decode a sparse HLL's registers, as Redis's C{hllSparseToDense},
    C{hllMerge} and C{hllSparseRegHisto} do: the opcodes must cover exactly
    16384 registers (with the CVE-2025-32023 fix, any opcode going past the
    end makes the HLL invalid; as run lengths are positive, that is the same
    as covering more than 16384).

    @return: a L{bytes} of 16384 one-byte registers, or L{None} when the
        representation is corrupt.
    """
    pieces = []
    append = pieces.append
    expansions = _EXPANSIONS
    total = 0
    for i, part in enumerate(_XZERO_SPLIT.split(value[HEADER_SIZE:])):
        if i & 1:
            length = ((part[0] & 0x3F) << 8 | (part[1] if len(part) > 1 else 0)) + 1
            total += length
            if total > REGISTERS:
                return None
            append(bytes(length))
        elif part:
            run = b"".join(map(expansions.__getitem__, part))
            total += len(run)
            if total > REGISTERS:
                return None
            append(run)
    if total != REGISTERS:
        return None
    return b"".join(pieces)


def registers(value):
    """
    The registers of a valid HLL of either encoding, one per byte.

    @return: 16384 bytes, or L{None} for a corrupt sparse HLL.
    """
    if value[4] == DENSE:
        return denseRegisters(value)
    return sparseRegisters(value)


def toDense(buf):
    """
    Redis's C{hllSparseToDense} on a L{bytearray}, in place: the header is
    kept (cached cardinality included) with the dense encoding.

    @return: L{False} (and C{buf} unchanged) when the sparse
        representation is corrupt.
    """
    if buf[4] == DENSE:
        return True
    raw = sparseRegisters(bytes(buf))
    if raw is None:
        return False
    header = buf[:HEADER_SIZE]
    header[4] = DENSE
    buf[:] = header + packDense(raw)
    return True


class SparseCursor:
    """
    Where a sparse HLL's next scan may start: an opcode's offset and the
    first register it covers.  PFMERGE sets registers in increasing order;
    a change never moves what lies before the opcode preceding the changed
    one, so the next scan resumes there instead of at the beginning.
    """

    __slots__ = ("offset", "first")

    def __init__(self):
        self.offset = HEADER_SIZE
        self.first = 0


def _span(buf, p, end):
    # The number of registers the opcode at p covers.
    b = buf[p]
    if b < 0x40:
        return b + 1
    if b & 0x80:
        return (b & 3) + 1
    return ((b & 0x3F) << 8 | (buf[p + 1] if p + 1 < end else 0)) + 1


# One less than the registers each one-byte opcode (ZERO or VAL) covers.
_SPAN_LESS_ONE = bytes(b if b < 0x40 else (b & 3) if b & 0x80 else 0 for b in range(256))
# The first byte of an XZERO; at an opcode boundary, no other opcode's
# byte lies in this range.
_XZERO_START = re.compile(rb"[\x40-\x7f]")
# Strides over runs of one-byte opcodes, summed at C speed.
_STRIDES = (256, 16)


def _locate(buf, index, p, first, end):
    """
    Find the opcode covering register C{index}, scanning from the opcode
    at C{p}, which covers registers from C{first} on.

    This is Redis's linear scan, done in strides: between two XZERO
    opcodes every opcode is one byte, so the registers a stretch covers
    are its length plus the sum of its translated bytes.

    @return: C{(p, first, span, prev)}: the opcode's offset (C{end} or
        beyond when no opcode covers the register), its first register,
        the number of registers it covers and the offset of the opcode
        before it (-1 if none was passed).
    """
    prev = -1
    span = 0
    table = _SPAN_LESS_ONE
    while p < end:
        b = buf[p]
        if 0x40 <= b < 0x80:
            # Past the end Redis reads the string's NUL terminator.
            span = ((b & 0x3F) << 8 | (buf[p + 1] if p + 1 < end else 0)) + 1
            if index < first + span:
                return p, first, span, prev
            prev = p
            p += 2
            first += span
            continue
        found = _XZERO_START.search(buf, p)
        stop = found.start() if found is not None else end
        for stride in _STRIDES:
            while stop - p >= stride:
                covered = sum(buf[p:p + stride].translate(table)) + stride
                if index < first + covered:
                    break
                first += covered
                p += stride
                prev = p - 1
        while p < stop:
            b = buf[p]
            span = b + 1 if b < 0x40 else (b & 3) + 1
            if index < first + span:
                return p, first, span, prev
            prev = p
            p += 1
            first += span
    return p, first, span, prev


def sparseSet(buf, index, count, maxBytes, cursor=None):
    """
    Redis's C{hllSparseSet}: raise one register of a sparse L{bytearray}
    HLL to C{count}, splitting the opcode that covers it and merging
    adjacent equal values as Redis does; promote to dense when C{count} is
    above 32 or the string would grow past C{maxBytes}
    (C{hll-sparse-max-bytes}).

    @param cursor: a L{SparseCursor} shared by calls made in increasing
        register order.
    @return: 1 if the register changed, 0 if not, -1 if the HLL is corrupt.
    """
    if count > _VAL_MAX_VALUE:
        return _promote(buf, index, count)
    end = len(buf)
    p = HEADER_SIZE
    first = 0
    if cursor is not None and cursor.offset > HEADER_SIZE:
        p = cursor.offset
        first = cursor.first
        if index < first + _span(buf, p, end):
            # The register is in the cursor's own opcode (a merge extended
            # it): its predecessor, where merging starts, needs a full scan.
            p = HEADER_SIZE
            first = 0
    p, first, span, prev = _locate(buf, index, p, first, end)
    if p >= end:
        return -1
    if cursor is not None and prev >= 0:
        cursor.offset = prev
        cursor.first = first - _span(buf, prev, end)
    b = buf[p]
    if b < 0x40:
        isZero, isXzero, runlen = True, False, b + 1
    elif b & 0x80:
        isZero, isXzero, runlen = False, False, (b & 3) + 1
        if ((b >> 2) & 0x1F) + 1 >= count:
            return 0
        if runlen == 1:
            buf[p] = _valOpcode(count, 1)
            return _updated(buf, prev)
    else:
        isZero, isXzero, runlen = False, True, span
    if isZero and runlen == 1:
        buf[p] = _valOpcode(count, 1)
        return _updated(buf, prev)
    # The general case: the opcode splits in up to three.
    last = first + span - 1
    seq = bytearray()
    if isZero or isXzero:
        if index != first:
            seq += _zeroRun(index - first)
        seq.append(_valOpcode(count, 1))
        if index != last:
            seq += _zeroRun(last - index)
    else:
        current = ((b >> 2) & 0x1F) + 1
        if index != first:
            seq.append(_valOpcode(current, index - first))
        seq.append(_valOpcode(count, 1))
        if index != last:
            seq.append(_valOpcode(current, last - index))
    oldlen = 2 if isXzero else 1
    delta = len(seq) - oldlen
    if delta > 0 and end + delta > maxBytes:
        return _promote(buf, index, count)
    newlen = end + delta
    buf[p:p + oldlen] = seq
    if len(buf) > newlen:
        # An XZERO cut short at the very end: Redis writes the new opcodes
        # over its terminator, and the string ends one byte earlier.
        del buf[newlen:]
    return _updated(buf, prev)


def _zeroRun(length):
    if length > _ZERO_MAX_LEN:
        return _xzero(length)
    return bytes((length - 1,))


def _updated(buf, prev):
    # Step 4 of hllSparseSet: from the opcode before the change, look at up
    # to five opcodes and merge adjacent VALs of the same value while their
    # run fits in one opcode.
    p = prev if prev >= 0 else HEADER_SIZE
    end = len(buf)
    scan = 5
    while p < end and scan:
        scan -= 1
        b = buf[p]
        if b & 0xC0 == 0x40:
            p += 2
            continue
        if b < 0x40:
            p += 1
            continue
        if p + 1 < end:
            following = buf[p + 1]
            if following & 0x80 and (b ^ following) & 0x7C == 0:
                length = (b & 3) + (following & 3) + 2
                if length <= _VAL_MAX_LEN:
                    buf[p + 1] = (following & 0xFC) | (length - 1)
                    del buf[p]
                    end -= 1
                    continue
        p += 1
    buf[15] |= 0x80
    return 1


def _promote(buf, index, count):
    if not toDense(buf):
        return -1
    denseSet(buf, index, count)
    return 1


def add(buf, element, maxBytes):
    """
    Redis's C{hllAdd} on a L{bytearray} HLL.

    @return: 1 if a register changed, 0 if not, -1 if the HLL is corrupt.
    """
    index, count = patternLength(element)
    encoding = buf[4]
    if encoding == DENSE:
        return 1 if denseSet(buf, index, count) else 0
    if encoding == SPARSE:
        return sparseSet(buf, index, count, maxBytes)
    return -1


def decodeSparse(value):
    """
    PFDEBUG DECODE's text: each opcode as C{z:<len>}, C{Z:<len>} or
    C{v:<value>,<len>}, separated by spaces.
    """
    words = []
    data = value
    p = HEADER_SIZE
    end = len(data)
    while p < end:
        b = data[p]
        if b < 0x40:
            words.append(b"z:%d" % (b + 1,))
            p += 1
        elif b & 0x80:
            words.append(b"v:%d,%d" % (((b >> 2) & 0x1F) + 1, (b & 3) + 1))
            p += 1
        else:
            low = data[p + 1] if p + 1 < end else 0
            words.append(b"Z:%d" % (((b & 0x3F) << 8 | low) + 1,))
            p += 2
    return b" ".join(words)


# --- merging ---------------------------------------------------------------------

_HIGH_BITS = int.from_bytes(b"\x80" * REGISTERS, "little")
_ALL_BITS = (1 << (8 * REGISTERS)) - 1


def maxRegisters(a, b):
    """
    The register-wise maximum of two 16384-byte register arrays (values
    below 128), as one big-integer computation: each byte lane computes
    C{(a | 0x80) - b}, whose top bit says whether C{a >= b}, with no borrow
    crossing lanes.

    @return: 16384 bytes.
    """
    x = int.from_bytes(a, "little")
    y = int.from_bytes(b, "little")
    keep = (((x | _HIGH_BITS) - y) & _HIGH_BITS) >> 7
    keep *= 0xFF
    return ((x & keep) | (y & (keep ^ _ALL_BITS))).to_bytes(REGISTERS, "little")


# --- counting ----------------------------------------------------------------------


def _sigma(x):
    # Ertl's sigma ("New cardinality estimation algorithms for HyperLogLog
    # sketches"), with Redis's operations in Redis's order.
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if previous == z:
            return z


def _tau(x):
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1 - x) ** 2 * y
        if previous == z:
            return z / 3


def histogram(raw):
    """
    How many registers hold each value 0 to 51 (the values C{hllCount}
    reads; a corrupt dense HLL's 52 to 63 count for nothing, as in Redis).

    @param raw: the registers, one per byte (in any order).
    @return: a L{list} of 52 counts.
    """
    counts = [0] * (_Q + 2)
    left = len(raw)
    count = raw.count
    for value in range(_Q + 2):
        found = count(value)
        if found:
            counts[value] = found
            left -= found
            if not left:
                break
    return counts


def estimate(counts):
    """
    Redis 7.0's C{hllCount} estimator from a register histogram: Ertl's
    improved raw estimator, rounded half away from zero.
    """
    m = float(REGISTERS)
    z = m * _tau((m - counts[_Q + 1]) / m)
    for j in range(_Q, 0, -1):
        z += counts[j]
        z *= 0.5
    z += m * _sigma(counts[0] / m)
    e = _ALPHA_INF * m * m / z
    whole = math.floor(e)
    return int(whole + 1 if e - whole >= 0.5 else whole)


def count(value):
    """
    The estimated cardinality of a valid HLL, ignoring its cache.

    @return: an L{int}, or L{None} for a corrupt sparse HLL.
    """
    if value[4] == DENSE:
        raw = b"".join(_denseStreams(value))
    else:
        raw = sparseRegisters(value)
        if raw is None:
            return None
    return estimate(histogram(raw))
