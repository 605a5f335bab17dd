"""
Bitmap commands (Redis 7.0's C{bitops.c}): SETBIT, GETBIT, BITCOUNT,
BITPOS, BITOP, BITFIELD and BITFIELD_RO.

A bitmap is a plain string: bit 0 is the most significant bit of the first
byte.  Strings are immutable L{bytes} in the keyspace, so a command that
changes bits builds the new value and stores it in one L{IDatabase.set}.
"""

import operator
import re

from txredisd import errors
from txredisd.commands.strings import cString, getString, getStringForWrite
from txredisd.errors import CommandError
from txredisd.introspection import arg, keySpec
from txredisd.numbers import LLONG_MAX, integerArgument, parseInt
from txredisd.registry import command
from txredisd.resp import ONE, ZERO

_BITMAP = "bitmap"

_ULLONG = 1 << 64

# The bytes BITPOS skips: those with no bit of the kind it looks for.
_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_FF = re.compile(rb"[^\xff]")
_INVERT = bytes(255 - b for b in range(256))


def _notify(client, event, key, typeFlag="$"):
    client.server.store.notify(typeFlag, event, key, client.dbIndex)


def _wrap64(value):
    # C int64_t arithmetic that overflows wraps around on the machines
    # Redis runs on.
    value &= _ULLONG - 1
    return value - _ULLONG if value > LLONG_MAX else value


def _bitOffset(client, argument, bits=0):
    """
    Redis's C{getBitOffsetFromArgument}: a bit offset, or with C{bits} (a
    BITFIELD type's width) also C{#N}, meaning C{N * bits}.  Offsets whose
    byte lies past C{proto-max-bulk-len} are refused.

    @return: the offset in bits (L{int}).
    """
    useHash = bits and argument[:1] == b"#"
    offset = parseInt(argument[1:] if useHash else argument)
    if offset is None:
        raise CommandError(errors.BIT_OFFSET)
    if useHash:
        offset = _wrap64(offset * bits)
    if offset < 0 or (offset >> 3) >= client.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.BIT_OFFSET)
    return offset


class _Patch:
    """
    Redis's C{lookupStringForBitCommand}, without copying the string until
    the end: the bytes a SETBIT or BITFIELD reads and writes, as a zero
    padded L{bytearray} C{window} of the stored string's bytes C{low} to
    C{high}, then spliced into a new value in one copy.

    @ivar old: the stored L{bytes}, or L{None}.
    @ivar size: the length of the new value: enough for the highest bit
        written.
    @ivar grown: whether the key is new or longer (Redis counts every
        write as a change then).
    """

    def __init__(self, client, key, low, high, maxBit):
        """
        @param low: the first byte read or written.
        @param high: the last byte read or written.
        @param maxBit: the highest bit written.
        """
        self.old = old = getStringForWrite(client, key)
        self.low = low
        self.window = bytearray(old[low : high + 1]) if old else bytearray()
        self.window.extend(bytes(high + 1 - low - len(self.window)))
        length = 0 if old is None else len(old)
        self.size = max(length, (maxBit >> 3) + 1)
        self.grown = old is None or self.size > length

    def store(self, client, key, changes):
        """
        Store the new value, counting C{changes} in the dirty counter as
        Redis does (C{server.dirty += changes}) and notifying C{setbit}
        when there are any.

        A key that only grew (BITFIELD whose writes all failed) is stored
        without a change counted, notified or seen by WATCH, as Redis grows
        it in place without telling anyone.
        """
        if not changes and not self.grown:
            return
        old = self.old or b""
        low = self.low
        view = memoryview(old)
        value = b"".join(
            (
                view[:low],
                bytes(max(low - len(old), 0)),
                memoryview(self.window)[: self.size - low],
                view[low + len(self.window) :],
            )
        )
        client.db.set(key, value, keepTTL=self.old is not None, signal=bool(changes))
        if changes:
            # IDatabase.set counted one change.
            client.server.store.dirty += changes - 1
            _notify(client, b"setbit", key)


# --- SETBIT, GETBIT ------------------------------------------------------------


_KEY_DOC = arg("key", "key", keySpecIndex=0)


@command(
    "setbit", 4, ["write", "denyoom"], 1, 1, 1, group=_BITMAP, since="2.2.0",
    summary="Sets or clears the bit at offset in the string value stored at key",
    keySpecs=[keySpec("RW access update")],
    docs={
        "complexity": "O(1)",
        "arguments": [_KEY_DOC, arg("offset", "integer"), arg("value", "integer")],
    },
)
def setbit(client, argv):
    key = argv[1]
    offset = _bitOffset(client, argv[2])
    on = integerArgument(argv[3], errors.BIT_VALUE)
    if on & ~1:
        raise CommandError(errors.BIT_VALUE)
    byte = offset >> 3
    patch = _Patch(client, key, byte, byte, offset)
    mask = 0x80 >> (offset & 7)
    was = patch.window[0] & mask
    # Redis 7.0 counts (and propagates) a change only if the key grew or
    # the bit flipped.
    if patch.grown or bool(was) != on:
        patch.window[0] = (patch.window[0] | mask) if on else (patch.window[0] & ~mask)
        patch.store(client, key, 1)
    return ONE if was else ZERO


@command(
    "getbit", 3, ["readonly", "fast"], 1, 1, 1, group=_BITMAP, since="2.2.0",
    summary="Returns the bit value at offset in the string value stored at key",
    keySpecs=[keySpec("RO access")],
    docs={"complexity": "O(1)", "arguments": [_KEY_DOC, arg("offset", "integer")]},
)
def getbit(client, argv):
    offset = _bitOffset(client, argv[2])
    value = getString(client, argv[1])
    byte = offset >> 3
    if value is None or byte >= len(value):
        return ZERO
    return ONE if value[byte] & (0x80 >> (offset & 7)) else ZERO


# --- BITCOUNT, BITPOS ----------------------------------------------------------


def _rangeUnit(argument):
    """
    The C{BYTE|BIT} argument of BITCOUNT and BITPOS.

    @return: L{True} for C{BIT}.
    """
    unit = cString(argument)
    if unit == b"bit":
        return True
    if unit != b"byte":
        raise CommandError(errors.SYNTAX)
    return False


def _clamp(start, end, total):
    """
    Redis's conversion of a BITCOUNT or BITPOS range: negative indexes
    count from the end, and the range is cut to C{[0, total - 1]}.

    @return: C{(start, end)}; C{start > end} for an empty range.
    """
    if start < 0:
        start = max(total + start, 0)
    if end < 0:
        end = max(total + end, 0)
    return start, min(end, total - 1)


def _bitRange(start, end, isBit):
    """
    A clamped range of BITCOUNT or BITPOS in bits.

    @return: C{(first, last)} bit positions, inclusive.
    """
    if isBit:
        return start, end
    return start * 8, end * 8 + 7


_INDEX_UNIT_DOC = arg(
    "index_unit", "oneof", since="7.0.0", flags="optional",
    args=[arg("byte", "pure-token", token="BYTE"), arg("bit", "pure-token", token="BIT")],
)
_UNIT_HISTORY = [("7.0.0", "Added the `BYTE|BIT` option.")]


@command(
    "bitcount", -2, ["readonly"], 1, 1, 1, group=_BITMAP, since="2.6.0",
    summary="Count set bits in a string",
    keySpecs=[keySpec("RO access")],
    docs={
        "complexity": "O(N)",
        "history": _UNIT_HISTORY,
        "arguments": [
            _KEY_DOC,
            arg(
                "index", "block", flags="optional",
                args=[arg("start", "integer"), arg("end", "integer"), _INDEX_UNIT_DOC],
            ),
        ],
    },
)
def bitcount(client, argv):
    # Redis 7.0 looks the key up first: a missing key answers 0 whatever
    # the other arguments are.
    value = getString(client, argv[1])
    if value is None:
        return 0
    if len(argv) == 2:
        return int.from_bytes(value, "big").bit_count()
    if len(argv) not in (4, 5):
        raise CommandError(errors.SYNTAX)
    start = integerArgument(argv[2])
    end = integerArgument(argv[3])
    # Redis 7.0 answers this reversed range before reading the unit.
    if start < 0 and end < 0 and start > end:
        return 0
    isBit = len(argv) == 5 and _rangeUnit(argv[4])
    start, end = _clamp(start, end, len(value) * 8 if isBit else len(value))
    if start > end:
        return 0
    first, last = _bitRange(start, end, isBit)
    bits = int.from_bytes(value[first >> 3 : (last >> 3) + 1], "big")
    bits >>= 7 - (last & 7)
    return (bits & ((1 << (last - first + 1)) - 1)).bit_count()


def _firstBitIn(byte, bit, low, high):
    """
    The first bit equal to C{bit} among bits C{low} to C{high} (0: the
    most significant) of one byte, or L{None}.
    """
    for i in range(low, high + 1):
        if bool(byte & (0x80 >> i)) == bit:
            return i
    return None


def _bitpos(value, bit, first, last):
    """
    The position of the first bit equal to C{bit} among bits C{first} to
    C{last} of C{value}, or L{None}.
    """
    startByte, endByte = first >> 3, last >> 3
    if startByte == endByte:
        found = _firstBitIn(value[startByte], bit, first & 7, last & 7)
        return None if found is None else startByte * 8 + found
    found = _firstBitIn(value[startByte], bit, first & 7, 7)
    if found is not None:
        return startByte * 8 + found
    match = (_NOT_ZERO if bit else _NOT_FF).search(value, startByte + 1, endByte)
    if match is not None:
        byte = match.start()
        return byte * 8 + _firstBitIn(value[byte], bit, 0, 7)
    found = _firstBitIn(value[endByte], bit, 0, last & 7)
    return None if found is None else endByte * 8 + found


@command(
    "bitpos", -3, ["readonly"], 1, 1, 1, group=_BITMAP, since="2.8.7",
    summary="Find first bit set or clear in a string",
    keySpecs=[keySpec("RO access")],
    docs={
        "complexity": "O(N)",
        "history": _UNIT_HISTORY,
        "arguments": [
            _KEY_DOC,
            arg("bit", "integer"),
            arg(
                "index", "block", flags="optional",
                args=[
                    arg("start", "integer"),
                    arg(
                        "end_index", "block", flags="optional",
                        args=[arg("end", "integer"), _INDEX_UNIT_DOC],
                    ),
                ],
            ),
        ],
    },
)
def bitpos(client, argv):
    bit = integerArgument(argv[2])
    if bit not in (0, 1):
        raise CommandError(errors.BITPOS_BIT)
    value = getString(client, argv[1])
    if value is None:
        # An infinite run of clear bits, whatever the range.
        return -1 if bit else 0
    count = len(argv)
    if count > 6:
        raise CommandError(errors.SYNTAX)
    endGiven = count >= 5
    isBit = False
    if count == 3:
        start, end = 0, len(value) - 1
    else:
        start = integerArgument(argv[3])
        if count == 6:
            isBit = _rangeUnit(argv[5])
        end = integerArgument(argv[4]) if endGiven else len(value) - 1
        start, end = _clamp(start, end, len(value) * 8 if isBit else len(value))
    if start > end:
        return -1
    first, last = _bitRange(start, end, isBit)
    found = _bitpos(value, bit, first, last)
    if found is not None:
        return found
    if bit or endGiven:
        return -1
    # Without an end, the string continues with clear bits: the first one
    # is right after the range.
    return (last | 7) + 1


# --- BITOP ---------------------------------------------------------------------


_BITOPS = {b"and": operator.and_, b"or": operator.or_, b"xor": operator.xor, b"not": None}


@command(
    "bitop", -4, ["write", "denyoom"], 2, -1, 1, group=_BITMAP, since="2.6.0",
    summary="Perform bitwise operations between strings",
    keySpecs=[keySpec("OW update", 2), keySpec("RO access", 3, -1)],
    docs={
        "complexity": "O(N)",
        "arguments": [
            arg("operation", "string"),
            arg("destkey", "key", keySpecIndex=0),
            arg("key", "key", keySpecIndex=1, flags="multiple"),
        ],
    },
)
def bitop(client, argv):
    name = cString(argv[1])
    if name not in _BITOPS:
        raise CommandError(errors.SYNTAX)
    operation = _BITOPS[name]
    if operation is None and len(argv) != 4:
        raise CommandError(errors.BITOP_NOT_ONE_KEY)
    # Missing keys are empty strings; shorter strings are zero padded.
    sources = [getString(client, key) or b"" for key in argv[3:]]
    size = max(len(source) for source in sources)
    destination = argv[2]
    db = client.db
    if not size:
        if db.delete(destination):
            _notify(client, b"del", destination, "g")
        return 0
    if operation is None:
        result = sources[0].translate(_INVERT)
    else:
        total = None
        for source in sources:
            number = int.from_bytes(source.ljust(size, b"\0"), "big")
            total = number if total is None else operation(total, number)
        result = total.to_bytes(size, "big")
    db.set(destination, result)
    _notify(client, b"set", destination)
    return size


# --- BITFIELD, BITFIELD_RO -----------------------------------------------------


_WRAP, _SAT, _FAIL = b"wrap", b"sat", b"fail"
_GET, _SET, _INCRBY = b"get", b"set", b"incrby"
# Arguments each subcommand takes after its name.
_OPERANDS = {_GET: 2, _SET: 3, _INCRBY: 3}


def _bitfieldType(argument):
    """
    Redis's C{getBitfieldTypeFromArgument}: C{i1} to C{i64} or C{u1} to
    C{u63}.

    @return: C{(signed, bits)}.
    """
    signed = argument[:1] == b"i"
    if not signed and argument[:1] != b"u":
        raise CommandError(errors.BITFIELD_TYPE)
    # The width is read as a C string: a NUL byte ends it.
    bits = parseInt(argument[1:].split(b"\0", 1)[0])
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(errors.BITFIELD_TYPE)
    return signed, bits


class _Field:
    """
    One GET, SET or INCRBY of a BITFIELD request, parsed.
    """

    __slots__ = ("opcode", "signed", "bits", "offset", "value", "overflow")

    def __init__(self, opcode, signed, bits, offset, value, overflow):
        self.opcode = opcode
        self.signed = signed
        self.bits = bits
        self.offset = offset
        self.value = value
        self.overflow = overflow


def _parseBitfield(client, argv):
    """
    Parse BITFIELD's subcommands, all of them before any is run.

    @return: a L{list} of L{_Field}.
    """
    fields = []
    overflow = _WRAP
    j = 2
    count = len(argv)
    while j < count:
        name = cString(argv[j])
        remaining = count - j - 1
        if name == b"overflow" and remaining >= 1:
            overflow = cString(argv[j + 1])
            if overflow not in (_WRAP, _SAT, _FAIL):
                raise CommandError(errors.BITFIELD_OVERFLOW)
            j += 2
            continue
        operands = _OPERANDS.get(name)
        if operands is None or remaining < operands:
            raise CommandError(errors.SYNTAX)
        signed, bits = _bitfieldType(argv[j + 1])
        offset = _bitOffset(client, argv[j + 2], bits)
        value = integerArgument(argv[j + 3]) if name != _GET else 0
        fields.append(_Field(name, signed, bits, offset, value, overflow))
        j += 1 + operands
    return fields


def _getField(buffer, offset, bits, signed):
    """
    The integer of C{bits} bits at bit C{offset}; past the end of
    C{buffer} the bits are clear.
    """
    first = offset >> 3
    last = (offset + bits - 1) >> 3
    chunk = bytes(buffer[first : last + 1]).ljust(last - first + 1, b"\0")
    value = int.from_bytes(chunk, "big") >> ((last + 1) * 8 - offset - bits)
    value &= (1 << bits) - 1
    if signed and value >> (bits - 1):
        value -= 1 << bits
    return value


def _setField(buffer, offset, bits, value):
    """
    Write the low C{bits} bits of C{value} at bit C{offset} of C{buffer}
    (a L{bytearray} long enough).
    """
    first = offset >> 3
    last = (offset + bits - 1) >> 3
    shift = (last + 1) * 8 - offset - bits
    mask = ((1 << bits) - 1) << shift
    chunk = int.from_bytes(buffer[first : last + 1], "big")
    chunk = (chunk & ~mask) | ((value << shift) & mask)
    buffer[first : last + 1] = chunk.to_bytes(last - first + 1, "big")


def _signedOverflow(value, increment, bits):
    """
    Redis's C{checkSignedBitfieldOverflow}, whose C{int64_t} arithmetic
    wraps: a SET of a value far below an C{i63} field's minimum (say)
    overflows I{upwards}, and saturates to the maximum.

    @return: C{1} for an overflow upwards, C{-1} downwards, C{0} for none.
    """
    high = LLONG_MAX if bits == 64 else (1 << (bits - 1)) - 1
    low = -high - 1
    maxIncrement = _wrap64(high - value)
    minIncrement = _wrap64(low - value)
    if (
        value > high
        or (bits != 64 and increment > maxIncrement)
        or (value >= 0 and increment > 0 and increment > maxIncrement)
    ):
        return 1
    if (
        value < low
        or (bits != 64 and increment < minIncrement)
        or (value < 0 and increment < 0 and increment < minIncrement)
    ):
        return -1
    return 0


def _overflowed(field, value, increment):
    """
    Redis's C{checkSignedBitfieldOverflow} and
    C{checkUnsignedBitfieldOverflow}: what to store of C{value +
    increment} (SET passes an increment of 0) under the field's OVERFLOW
    policy.

    @return: the value to store, or L{None} when FAIL refuses it.
    """
    bits = field.bits
    if field.signed:
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        direction = _signedOverflow(value, increment, bits)
        total = value + increment
    else:
        # The value is a uint64_t: a negative SET is huge, and saturates
        # to the maximum.  An INCRBY's sum is exact here.
        value &= _ULLONG - 1
        low, high = 0, (1 << bits) - 1
        total = value + increment
        direction = 1 if total > high else -1 if total < low else 0
    if not direction:
        return total
    if field.overflow == _FAIL:
        return None
    if field.overflow == _SAT:
        return high if direction > 0 else low
    total &= (1 << bits) - 1
    if field.signed and total >> (bits - 1):
        total -= 1 << bits
    return total


def bitfieldKeyFlags(argv):
    """
    Redis's C{bitfieldGetKeys}: the key is only read when every subcommand
    is a GET or an OVERFLOW (a malformed one counts as a write).

    @return: the key-spec flags of the key.
    """
    j = 2
    while j < len(argv):
        name = cString(argv[j])
        remaining = len(argv) - j - 1
        if name == _GET and remaining >= 2:
            j += 3
        elif name == b"overflow" and remaining >= 1:
            j += 2
        else:
            return ("RW", "access", "update")
    return ("RO", "access")


def _bitfield(client, argv, readOnly):
    """
    Redis's C{bitfieldGeneric}: run BITFIELD's subcommands in order.
    """
    fields = _parseBitfield(client, argv)
    key = argv[1]
    writes = [f for f in fields if f.opcode != _GET]
    if not writes:
        # A read lookup: a missing key reads as clear bits.
        value = getString(client, key) or b""
        return [_getField(value, f.offset, f.bits, f.signed) for f in fields]
    if readOnly:
        raise CommandError(errors.BITFIELD_RO_GET_ONLY)
    # The window spans the bytes of every field, GETs' included.
    low = min(f.offset for f in fields) >> 3
    high = max((f.offset + f.bits - 1) >> 3 for f in fields)
    patch = _Patch(client, key, low, high, max(f.offset + f.bits - 1 for f in writes))
    window = patch.window
    replies = []
    changes = 0
    for field in fields:
        offset = field.offset - low * 8
        current = _getField(window, offset, field.bits, field.signed)
        if field.opcode == _GET:
            replies.append(current)
            continue
        if field.opcode == _INCRBY:
            new = _overflowed(field, current, field.value)
            reply = new
        else:
            new = _overflowed(field, field.value, 0)
            reply = current
        if new is None:
            replies.append(None)
            continue
        replies.append(reply)
        _setField(window, offset, field.bits, new)
        # Redis 7.0 counts a write that changes nothing only when the key
        # was created or grew.
        if patch.grown or new != current:
            changes += 1
    patch.store(client, key, changes)
    return replies


@command(
    "bitfield", -2, ["write", "denyoom"], 1, 1, 1, group=_BITMAP, since="3.2.0",
    summary="Perform arbitrary bitfield integer operations on strings",
    keySpecs=[
        keySpec(
            "RW access update variable_flags",
            notes="This command allows both access and modification of the key",
        )
    ],
    keyFlags=bitfieldKeyFlags,
    docs={
        "complexity": "O(1) for each subcommand specified",
        "arguments": [
            _KEY_DOC,
            arg(
                "operation", "oneof", flags="optional multiple",
                args=[
                    arg(
                        "encoding_offset", "block", token="GET",
                        args=[arg("encoding", "string"), arg("offset", "integer")],
                    ),
                    arg(
                        "write", "block",
                        args=[
                            arg(
                                "wrap_sat_fail", "oneof", token="OVERFLOW", flags="optional",
                                args=[
                                    arg("wrap", "pure-token", token="WRAP"),
                                    arg("sat", "pure-token", token="SAT"),
                                    arg("fail", "pure-token", token="FAIL"),
                                ],
                            ),
                            arg(
                                "write_operation", "oneof",
                                args=[
                                    arg(
                                        "encoding_offset_value", "block", token="SET",
                                        args=[
                                            arg("encoding", "string"),
                                            arg("offset", "integer"),
                                            arg("value", "integer"),
                                        ],
                                    ),
                                    arg(
                                        "encoding_offset_increment", "block", token="INCRBY",
                                        args=[
                                            arg("encoding", "string"),
                                            arg("offset", "integer"),
                                            arg("increment", "integer"),
                                        ],
                                    ),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
)
def bitfield(client, argv):
    return _bitfield(client, argv, False)


@command(
    "bitfield_ro", -2, ["readonly", "fast"], 1, 1, 1, group=_BITMAP, since="6.0.0",
    summary=(
        "Perform arbitrary bitfield integer operations on strings. "
        "Read-only variant of BITFIELD"
    ),
    keySpecs=[keySpec("RO access")],
    docs={
        "complexity": "O(1) for each subcommand specified",
        "arguments": [
            _KEY_DOC,
            arg(
                "encoding_offset", "block", token="GET",
                flags="optional multiple multiple_token",
                args=[arg("encoding", "string"), arg("offset", "integer")],
            ),
        ],
    },
)
def bitfieldRo(client, argv):
    return _bitfield(client, argv, True)
