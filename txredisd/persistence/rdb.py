"""
The RDB file format, without I/O.

L{RDBReader} decodes versions 1 to 11 (every encoding Redis has written:
integer and LZF strings, linked lists, ziplists, quicklists of ziplists and
of listpacks, intsets, zipmaps, listpacks, binary and text doubles, stream
listpacks with consumer groups) into plain values; L{RDBWriter} encodes
plain values as version 9, 10 or 11.

Plain values, by type name:
    - C{string}: L{bytes}
    - C{list}: a L{list} of L{bytes}
    - C{set}: a L{list} of L{bytes}
    - C{hash}: a L{list} of C{(field, value)}
    - C{zset}: a L{list} of C{(member, score)}
    - C{stream}: a L{StreamData}
"""

import math
import struct

from txredisd.numbers import parseInt
from txredisd.persistence.checksums import crc64, lzfCompress, lzfDecompress

MAX_VERSION = 11
DEFAULT_VERSION = 11

# Opcodes.
OP_FUNCTION2 = 0xF5
OP_FUNCTION = 0xF6
OP_MODULE_AUX = 0xF7
OP_IDLE = 0xF8
OP_FREQ = 0xF9
OP_AUX = 0xFA
OP_RESIZEDB = 0xFB
OP_EXPIRETIME_MS = 0xFC
OP_EXPIRETIME = 0xFD
OP_SELECTDB = 0xFE
OP_EOF = 0xFF

# Value types.
TYPE_STRING = 0
TYPE_LIST = 1
TYPE_SET = 2
TYPE_ZSET = 3
TYPE_HASH = 4
TYPE_ZSET_2 = 5
TYPE_MODULE = 6
TYPE_MODULE_2 = 7
TYPE_HASH_ZIPMAP = 9
TYPE_LIST_ZIPLIST = 10
TYPE_SET_INTSET = 11
TYPE_ZSET_ZIPLIST = 12
TYPE_HASH_ZIPLIST = 13
TYPE_LIST_QUICKLIST = 14
TYPE_STREAM_LISTPACKS = 15
TYPE_HASH_LISTPACK = 16
TYPE_ZSET_LISTPACK = 17
TYPE_LIST_QUICKLIST_2 = 18
TYPE_STREAM_LISTPACKS_2 = 19
TYPE_SET_LISTPACK = 20
TYPE_STREAM_LISTPACKS_3 = 21

#: Value type byte to Redis type name.
TYPE_NAMES = {
    TYPE_STRING: b"string",
    TYPE_LIST: b"list",
    TYPE_LIST_ZIPLIST: b"list",
    TYPE_LIST_QUICKLIST: b"list",
    TYPE_LIST_QUICKLIST_2: b"list",
    TYPE_SET: b"set",
    TYPE_SET_INTSET: b"set",
    TYPE_SET_LISTPACK: b"set",
    TYPE_ZSET: b"zset",
    TYPE_ZSET_2: b"zset",
    TYPE_ZSET_ZIPLIST: b"zset",
    TYPE_ZSET_LISTPACK: b"zset",
    TYPE_HASH: b"hash",
    TYPE_HASH_ZIPMAP: b"hash",
    TYPE_HASH_ZIPLIST: b"hash",
    TYPE_HASH_LISTPACK: b"hash",
    TYPE_STREAM_LISTPACKS: b"stream",
    TYPE_STREAM_LISTPACKS_2: b"stream",
    TYPE_STREAM_LISTPACKS_3: b"stream",
}

_ENC_INT8 = 0
_ENC_INT16 = 1
_ENC_INT32 = 2
_ENC_LZF = 3

_QUICKLIST_NODE_PLAIN = 1
_LZF_MAX_RATIO = 88
_QUICKLIST_NODE_PACKED = 2


class RDBError(Exception):
    """
    A file that is not a valid RDB file.

    @ivar offset: the byte offset where decoding failed.
    """

    def __init__(self, message, offset):
        Exception.__init__(self, "%s at offset %d" % (message, offset))
        self.reason = message
        self.offset = offset


class StreamData:
    """
    A stream as the RDB file holds it.

    @ivar entries: a list of C{((ms, seq), [field, value, ...])} in id order.
    @ivar length: the number of entries.
    @ivar lastId: C{(ms, seq)}.
    @ivar firstId: C{(ms, seq)} (version 10+; else derived).
    @ivar maxDeletedId: C{(ms, seq)}.
    @ivar entriesAdded: the count of entries ever added.
    @ivar groups: a list of L{GroupData}.
    @ivar nodes: how the entries are packed into listpack nodes, deleted
        entries (which Redis keeps, flagged, until their node goes)
        included: a list of C{(masterId, masterFields, [(id, fields,
        deleted), ...])}, or L{None} to pack the entries anew.  It is
        layout, not content: equality ignores it.
    """

    def __init__(self):
        self.entries = []
        self.length = 0
        self.lastId = (0, 0)
        self.firstId = (0, 0)
        self.maxDeletedId = (0, 0)
        self.entriesAdded = 0
        self.groups = []
        self.nodes = None

    def __eq__(self, other):
        if not isinstance(other, StreamData):
            return False
        mine, theirs = dict(vars(self)), dict(vars(other))
        mine.pop("nodes")
        theirs.pop("nodes")
        return mine == theirs

    def __repr__(self):
        return "StreamData(%r)" % (vars(self),)


class GroupData:
    """
    A consumer group as the RDB file holds it.

    @ivar pending: a list of C{((ms, seq), deliveryTimeMs, deliveryCount)}.
    @ivar consumers: a list of C{(name, seenTimeMs, activeTimeMs, [ids])}.
    """

    def __init__(self, name, lastId, entriesRead):
        self.name = name
        self.lastId = lastId
        self.entriesRead = entriesRead
        self.pending = []
        self.consumers = []

    def __eq__(self, other):
        return isinstance(other, GroupData) and vars(self) == vars(other)

    def __repr__(self):
        return "GroupData(%r)" % (vars(self),)


class KeyRecord:
    """
    One key read from a file.
    """

    __slots__ = ("db", "key", "type", "value", "expire", "encoding")

    def __init__(self, db, key, type, value, expire, encoding):
        self.db = db
        self.key = key
        self.type = type
        self.value = value
        self.expire = expire
        self.encoding = encoding


# --- reading -----------------------------------------------------------------


class RDBReader:
    """
    Decodes a whole RDB file held in memory.

    @ivar aux: the auxiliary fields (L{bytes} to L{bytes}).
    @ivar functions: the function library sources (version 10+).
    @ivar version: the file's RDB version.
    """

    def __init__(self, data, verifyChecksum=True):
        self.data = data
        self.pos = 0
        self.aux = {}
        self.functions = []
        self.version = None
        self.verifyChecksum = verifyChecksum

    def fail(self, message, offset=None):
        raise RDBError(message, self.pos if offset is None else offset)

    def read(self, n):
        start = self.pos
        end = start + n
        if end > len(self.data):
            self.fail("unexpected end of file (wanted %d bytes)" % (n,), start)
        self.pos = end
        return self.data[start:end]

    def byte(self):
        if self.pos >= len(self.data):
            self.fail("unexpected end of file")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def length(self):
        """
        @return: C{(value, isEncoded)}.
        """
        first = self.byte()
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, False
        if kind == 1:
            return ((first & 0x3F) << 8) | self.byte(), False
        if kind == 3:
            return first & 0x3F, True
        if first == 0x80:
            return struct.unpack(">I", self.read(4))[0], False
        if first == 0x81:
            return struct.unpack(">Q", self.read(8))[0], False
        self.fail("unknown length encoding 0x%02x" % (first,), self.pos - 1)

    def plainLength(self):
        value, encoded = self.length()
        if encoded:
            self.fail("unexpected encoded length", self.pos - 1)
        return value

    def string(self):
        value, encoded = self.length()
        if not encoded:
            return self.read(value)
        if value == _ENC_INT8:
            return b"%d" % struct.unpack("<b", self.read(1))
        if value == _ENC_INT16:
            return b"%d" % struct.unpack("<h", self.read(2))
        if value == _ENC_INT32:
            return b"%d" % struct.unpack("<i", self.read(4))
        if value == _ENC_LZF:
            start = self.pos
            compressed = self.plainLength()
            size = self.plainLength()
            blob = self.read(compressed)
            if size > _LZF_MAX_RATIO * compressed:
                # LZF expands 3 bytes to at most 264: a larger size is a
                # lie that must not allocate.
                self.fail("LZF length %d is impossible" % (size,), start)
            if not size:
                # Redis compares what lzf_decompress wrote (0 bytes, an
                # error there) with the size, and finds them equal.
                return b""
            try:
                return lzfDecompress(blob, size)
            except ValueError as e:
                self.fail("invalid LZF data (%s)" % (e,), start)
        self.fail("unknown string encoding %d" % (value,), self.pos - 1)

    def doubleText(self):
        size = self.byte()
        if size == 253:
            return math.nan
        if size == 254:
            return math.inf
        if size == 255:
            return -math.inf
        text = self.read(size)
        try:
            return float(text)
        except ValueError:
            self.fail("invalid double %r" % (text,))

    def doubleBinary(self):
        return struct.unpack("<d", self.read(8))[0]

    def millis(self):
        return struct.unpack("<q", self.read(8))[0]

    def records(self):
        """
        Decode the file.

        @return: an iterator of L{KeyRecord}; the aux fields fill in as it
            goes.
        @raise RDBError: the file is invalid.
        """
        if self.read(5) != b"REDIS":
            self.fail("not an RDB file (no REDIS signature)", 0)
        versionText = self.read(4)
        if not versionText.isdigit():
            self.fail("invalid RDB version %r" % (versionText,), 5)
        self.version = int(versionText)
        if not 1 <= self.version <= MAX_VERSION:
            self.fail("can't handle RDB format version %d" % (self.version,), 5)
        db = 0
        expire = None
        while True:
            start = self.pos
            op = self.byte()
            if op == OP_EOF:
                self._checkEnd(start)
                return
            if op == OP_SELECTDB:
                db = self.plainLength()
            elif op == OP_RESIZEDB:
                self.plainLength()
                self.plainLength()
            elif op == OP_AUX:
                key = self.string()
                self.aux[key] = self.string()
            elif op == OP_EXPIRETIME_MS:
                expire = self.millis()
            elif op == OP_EXPIRETIME:
                expire = struct.unpack("<i", self.read(4))[0] * 1000
            elif op == OP_IDLE:
                self.plainLength()
            elif op == OP_FREQ:
                self.byte()
            elif op == OP_FUNCTION2:
                self.functions.append(self.string())
            elif op == OP_FUNCTION:
                self.fail("pre-release function format is not supported", start)
            elif op == OP_MODULE_AUX:
                self.fail("module data is not supported", start)
            else:
                key = self.string()
                value = self.value(op)
                yield KeyRecord(db, key, TYPE_NAMES[op], value, expire, op)
                expire = None

    def _checkEnd(self, eofOffset):
        if self.version < 5:
            return
        stored = self.read(8)
        expected = struct.unpack("<Q", stored)[0]
        if expected and self.verifyChecksum:
            actual = crc64(self.data[: self.pos - 8])
            if actual != expected:
                self.fail(
                    "wrong RDB checksum (expected %016x, got %016x)" % (actual, expected),
                    self.pos - 8,
                )

    def value(self, kind):
        if kind == TYPE_STRING:
            return self.string()
        if kind == TYPE_LIST or kind == TYPE_SET:
            return [self.string() for _ in range(self.plainLength())]
        if kind == TYPE_ZSET or kind == TYPE_ZSET_2:
            read = self.doubleText if kind == TYPE_ZSET else self.doubleBinary
            result = []
            for _ in range(self.plainLength()):
                member = self.string()
                result.append((member, read()))
            return result
        if kind == TYPE_HASH:
            result = []
            for _ in range(self.plainLength()):
                field = self.string()
                result.append((field, self.string()))
            return result
        if kind == TYPE_HASH_ZIPMAP:
            return _pairs(self._blob(parseZipmap))
        if kind == TYPE_LIST_ZIPLIST:
            return self._blob(parseZiplist)
        if kind == TYPE_SET_INTSET:
            return self._blob(parseIntset)
        if kind == TYPE_ZSET_ZIPLIST:
            return _scores(self._blob(parseZiplist))
        if kind == TYPE_HASH_ZIPLIST:
            return _pairs(self._blob(parseZiplist))
        if kind == TYPE_HASH_LISTPACK:
            return _pairs(self._blob(parseListpack))
        if kind == TYPE_ZSET_LISTPACK:
            return _scores(self._blob(parseListpack))
        if kind == TYPE_SET_LISTPACK:
            return self._blob(parseListpack)
        if kind == TYPE_LIST_QUICKLIST:
            result = []
            for _ in range(self.plainLength()):
                result.extend(self._blob(parseZiplist))
            return result
        if kind == TYPE_LIST_QUICKLIST_2:
            result = []
            for _ in range(self.plainLength()):
                container = self.plainLength()
                if container == _QUICKLIST_NODE_PLAIN:
                    result.append(self.string())
                elif container == _QUICKLIST_NODE_PACKED:
                    result.extend(self._blob(parseListpack))
                else:
                    self.fail("unknown quicklist container %d" % (container,))
            return result
        if kind in (TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3):
            return self._stream(kind)
        if kind in (TYPE_MODULE, TYPE_MODULE_2):
            self.fail("module values are not supported", self.pos - 1)
        self.fail("unknown value type %d" % (kind,), self.pos - 1)

    def _blob(self, parser):
        start = self.pos
        blob = self.string()
        try:
            return parser(blob)
        except (ValueError, IndexError, struct.error) as e:
            self.fail("corrupt %s (%s)" % (parser.__name__[5:], e), start)

    def _streamId(self):
        return (self.plainLength(), self.plainLength())

    def _stream(self, kind):
        stream = StreamData()
        stream.nodes = []
        for _ in range(self.plainLength()):
            start = self.pos
            master = self.string()
            if len(master) != 16:
                self.fail("invalid stream node key", start)
            masterId = struct.unpack(">QQ", master)
            listpack = self._blob(parseListpack)
            try:
                masterFields, entries = _streamNode(masterId, listpack)
            except (ValueError, IndexError, StopIteration) as e:
                self.fail("corrupt stream listpack (%s)" % (e,), start)
            if entries:
                # Redis removes a node once its last entry goes, so only
                # a made-up file holds one without entries: it holds nothing.
                stream.nodes.append((masterId, masterFields, entries))
            stream.entries.extend((i, fields) for i, fields, deleted in entries if not deleted)
        stream.length = self.plainLength()
        stream.lastId = self._streamId()
        if kind >= TYPE_STREAM_LISTPACKS_2:
            stream.firstId = self._streamId()
            stream.maxDeletedId = self._streamId()
            stream.entriesAdded = self.plainLength()
        else:
            stream.firstId = stream.entries[0][0] if stream.entries else (0, 0)
            stream.entriesAdded = stream.length
        for _ in range(self.plainLength()):
            name = self.string()
            lastId = self._streamId()
            entriesRead = self.plainLength() if kind >= TYPE_STREAM_LISTPACKS_2 else None
            group = GroupData(name, lastId, entriesRead)
            for _ in range(self.plainLength()):
                entryId = struct.unpack(">QQ", self.read(16))
                deliveryTime = self.millis()
                count = self.plainLength()
                group.pending.append((entryId, deliveryTime, count))
            for _ in range(self.plainLength()):
                consumer = self.string()
                seen = self.millis()
                active = self.millis() if kind >= TYPE_STREAM_LISTPACKS_3 else seen
                ids = [struct.unpack(">QQ", self.read(16)) for _ in range(self.plainLength())]
                group.consumers.append((consumer, seen, active, ids))
            stream.groups.append(group)
        return stream


def _pairs(items):
    if len(items) % 2:
        raise ValueError("odd number of hash items")
    return list(zip(items[0::2], items[1::2]))


def _scores(items):
    return [(member, float(score)) for member, score in _pairs(items)]


def parseZiplist(blob):
    """
    The entries of a ziplist, integers as decimal L{bytes}.
    """
    count = struct.unpack_from("<H", blob, 8)[0]
    pos = 10
    items = []
    while True:
        if blob[pos] == 0xFF:
            break
        pos += 5 if blob[pos] == 0xFE else 1
        enc = blob[pos]
        kind = enc >> 6
        if kind == 0:
            size = enc & 0x3F
            pos += 1
        elif kind == 1:
            size = ((enc & 0x3F) << 8) | blob[pos + 1]
            pos += 2
        elif kind == 2:
            size = struct.unpack_from(">I", blob, pos + 1)[0]
            pos += 5
        else:
            pos += 1
            if enc == 0xC0:
                value = struct.unpack_from("<h", blob, pos)[0]
                pos += 2
            elif enc == 0xD0:
                value = struct.unpack_from("<i", blob, pos)[0]
                pos += 4
            elif enc == 0xE0:
                value = struct.unpack_from("<q", blob, pos)[0]
                pos += 8
            elif enc == 0xF0:
                value = int.from_bytes(blob[pos : pos + 3], "little", signed=True)
                pos += 3
            elif enc == 0xFE:
                value = struct.unpack_from("<b", blob, pos)[0]
                pos += 1
            elif 0xF1 <= enc <= 0xFD:
                value = (enc & 0x0F) - 1
            else:
                raise ValueError("bad ziplist encoding 0x%02x" % (enc,))
            items.append(b"%d" % (value,))
            continue
        if pos + size > len(blob):
            raise ValueError("ziplist entry past the end")
        items.append(blob[pos : pos + size])
        pos += size
    if count != 0xFFFF and count != len(items):
        raise ValueError("ziplist count mismatch")
    return items


def _backlenSize(size):
    if size <= 127:
        return 1
    if size < 16383:
        return 2
    if size < 2097151:
        return 3
    if size < 268435455:
        return 4
    return 5


def parseListpack(blob):
    """
    The entries of a listpack, integers as decimal L{bytes}.
    """
    total, count = struct.unpack_from("<IH", blob, 0)
    if total != len(blob):
        raise ValueError("listpack size mismatch")
    pos = 6
    items = []
    while True:
        enc = blob[pos]
        if enc == 0xFF:
            break
        start = pos
        if enc < 0x80:
            items.append(b"%d" % (enc,))
            pos += 1
        elif enc < 0xC0:
            size = enc & 0x3F
            items.append(blob[pos + 1 : pos + 1 + size])
            pos += 1 + size
        elif enc < 0xE0:
            value = ((enc & 0x1F) << 8) | blob[pos + 1]
            if value >= 1 << 12:
                value -= 1 << 13
            items.append(b"%d" % (value,))
            pos += 2
        elif enc < 0xF0:
            size = ((enc & 0x0F) << 8) | blob[pos + 1]
            items.append(blob[pos + 2 : pos + 2 + size])
            pos += 2 + size
        elif enc == 0xF0:
            size = struct.unpack_from("<I", blob, pos + 1)[0]
            items.append(blob[pos + 5 : pos + 5 + size])
            pos += 5 + size
        elif enc in (0xF1, 0xF2, 0xF3, 0xF4):
            width = {0xF1: 2, 0xF2: 3, 0xF3: 4, 0xF4: 8}[enc]
            value = int.from_bytes(blob[pos + 1 : pos + 1 + width], "little", signed=True)
            items.append(b"%d" % (value,))
            pos += 1 + width
        else:
            raise ValueError("bad listpack encoding 0x%02x" % (enc,))
        if pos > len(blob) - 1:
            raise ValueError("listpack entry past the end")
        pos += _backlenSize(pos - start)
    if count != 0xFFFF and count != len(items):
        raise ValueError("listpack count mismatch")
    return items


def parseIntset(blob):
    """
    The members of an intset as decimal L{bytes}.
    """
    width, count = struct.unpack_from("<II", blob, 0)
    if width not in (2, 4, 8) or 8 + width * count != len(blob):
        raise ValueError("bad intset header")
    code = {2: "h", 4: "i", 8: "q"}[width]
    return [b"%d" % v for v in struct.unpack_from("<%d%s" % (count, code), blob, 8)]


def parseZipmap(blob):
    """
    The keys and values of a zipmap, alternating.
    """
    pos = 1
    items = []

    def length():
        nonlocal pos
        first = blob[pos]
        if first < 254:
            pos += 1
            return first
        if first == 254:
            value = struct.unpack_from("<I", blob, pos + 1)[0]
            pos += 5
            return value
        return None

    while True:
        size = length()
        if size is None:
            break
        items.append(blob[pos : pos + size])
        pos += size
        size = length()
        if size is None:
            raise ValueError("zipmap key without value")
        free = blob[pos]
        pos += 1
        items.append(blob[pos : pos + size])
        pos += size + free
    return items


# Stream listpack entry flags.
_STREAM_DELETED = 1
_STREAM_SAMEFIELDS = 2


def _streamNode(masterId, items):
    """
    Decode one stream listpack node.

    @return: C{(masterFields, entries)}, the entries a list of
        C{((ms, seq), fields, deleted)} in id order.
    """
    ints = iter(items)

    def nextInt():
        return int(next(ints))

    count = nextInt()
    deleted = nextInt()
    numFields = nextInt()
    masterFields = [next(ints) for _ in range(numFields)]
    next(ints)  # the master entry's terminator
    entries = []
    for _ in range(count + deleted):
        flags = nextInt()
        ms = masterId[0] + nextInt()
        seq = masterId[1] + nextInt()
        if flags & _STREAM_SAMEFIELDS:
            fields = []
            for name in masterFields:
                fields.append(name)
                fields.append(next(ints))
        else:
            n = nextInt()
            fields = []
            for _ in range(n):
                fields.append(next(ints))
                fields.append(next(ints))
        next(ints)  # lp-count
        entries.append(((ms, seq), fields, bool(flags & _STREAM_DELETED)))
    return masterFields, entries


# --- writing -----------------------------------------------------------------


def encodeLength(n):
    """
    @return: the RDB length encoding of C{n}.
    """
    if n < 1 << 6:
        return bytes((n,))
    if n < 1 << 14:
        return bytes((0x40 | (n >> 8), n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


_LENGTHS = [encodeLength(i) for i in range(64)]


def encodeString(value, compress=True):
    """
    @return: the RDB encoding of a string: as an integer when it is one
        Redis would store as one, LZF-compressed when longer than 20 bytes
        and compressible, else raw.
    """
    n = len(value)
    if n <= 11 and n and (value[0] in b"-123456789" or value == b"0"):
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is not None and b"%d" % (number,) == value:
            if -(1 << 7) <= number < 1 << 7:
                return b"\xc0" + struct.pack("<b", number)
            if -(1 << 15) <= number < 1 << 15:
                return b"\xc1" + struct.pack("<h", number)
            if -(1 << 31) <= number < 1 << 31:
                return b"\xc2" + struct.pack("<i", number)
    if compress and n > 20:
        # Redis's rdbSaveLzfStringObject gives LZF room for 4 bytes less
        # than the string, and stores it raw when that is not enough.
        compressed = lzfCompress(value, n - 4)
        if compressed:
            return b"\xc3" + encodeLength(len(compressed)) + encodeLength(n) + compressed
    if n < 64:
        return _LENGTHS[n] + value
    return encodeLength(n) + value


def _encodeBacklen(size):
    if size <= 127:
        return bytes((size,))
    if size < 16383:
        return bytes((size >> 7, (size & 127) | 128))
    if size < 2097151:
        return bytes((size >> 14, ((size >> 7) & 127) | 128, (size & 127) | 128))
    if size < 268435455:
        return bytes((size >> 21, ((size >> 14) & 127) | 128, ((size >> 7) & 127) | 128, (size & 127) | 128))
    return bytes(
        (
            size >> 28,
            ((size >> 21) & 127) | 128,
            ((size >> 14) & 127) | 128,
            ((size >> 7) & 127) | 128,
            (size & 127) | 128,
        )
    )


def _listpackInt(value):
    if 0 <= value <= 127:
        entry = bytes((value,))
    elif -4096 <= value < 4096:
        v = value & 0x1FFF
        entry = bytes((0xC0 | (v >> 8), v & 0xFF))
    elif -(1 << 15) <= value < 1 << 15:
        entry = b"\xf1" + struct.pack("<h", value)
    elif -(1 << 23) <= value < 1 << 23:
        entry = b"\xf2" + (value & 0xFFFFFF).to_bytes(3, "little")
    elif -(1 << 31) <= value < 1 << 31:
        entry = b"\xf3" + struct.pack("<i", value)
    else:
        entry = b"\xf4" + struct.pack("<q", value)
    return entry + _encodeBacklen(len(entry))


def _listpackEntry(item):
    """
    One listpack element: an L{int}, or L{bytes} stored as an integer when
    it is one (C{lpStringToInt64}: canonical decimal, 64-bit), as Redis's
    C{lpAppend} stores it.
    """
    if type(item) is int:
        return _listpackInt(item)
    if item[:1] in _NUMBER_STARTS and len(item) <= 20:
        number = parseInt(item)
        if number is not None:
            return _listpackInt(number)
    return _listpackStringEntry(item)


_NUMBER_STARTS = frozenset(bytes((c,)) for c in b"-0123456789")


def buildListpack(items):
    """
    Encode items (L{bytes}, or L{int} for integer entries) as a listpack,
    numeric strings as integers, as Redis does.
    """
    body = b"".join([_listpackEntry(item) for item in items])
    total = 6 + len(body) + 1
    count = len(items) if len(items) < 0xFFFF else 0xFFFF
    return struct.pack("<IH", total, count) + body + b"\xff"


def _listpackStringEntry(value):
    n = len(value)
    if n < 64:
        head = bytes((0x80 | n,))
    elif n < 4096:
        head = bytes((0xE0 | (n >> 8), n & 0xFF))
    else:
        head = b"\xf0" + struct.pack("<I", n)
    return head + value + _encodeBacklen(len(head) + n)


def buildIntset(members):
    """
    Encode integer members as an intset: ascending, each in the narrowest
    width that holds them all (16, 32 or 64 bits).

    @param members: L{bytes} decimal integers.
    """
    values = sorted(int(m) for m in members)
    width = 2
    if values and (values[0] < -(1 << 15) or values[-1] >= 1 << 15):
        width = 4 if -(1 << 31) <= values[0] and values[-1] < 1 << 31 else 8
    code = {2: "h", 4: "i", 8: "q"}[width]
    return struct.pack("<II", width, len(values)) + struct.pack("<%d%s" % (len(values), code), *values)


# Redis 7.0's quicklist: byte limits of the negative list-max-listpack-size
# values, and the limit on a node with a count limit.
_OPTIMIZATION_LEVEL = (4096, 8192, 16384, 32768, 65536)
_SIZE_SAFETY_LIMIT = 8192
_FILL_MAX = (1 << 15) - 1


def _quicklistAllowInsert(nodeBytes, count, fill, size):
    """
    Redis 7.0's C{_quicklistNodeAllowInsert}: may an element of C{size}
    bytes join a node of C{nodeBytes} bytes and C{count} elements?  It
    estimates an entry's overhead at 8 bytes (C{SIZE_ESTIMATE_OVERHEAD}).
    """
    newBytes = nodeBytes + size + 8
    if fill < 0 and -fill - 1 < len(_OPTIMIZATION_LEVEL):
        if newBytes <= _OPTIMIZATION_LEVEL[-fill - 1]:
            return True
    if newBytes > _SIZE_SAFETY_LIMIT:
        return False
    return count < fill


def quicklistNodes(items, fill=-2):
    """
    Split a list into the listpacks of the quicklist Redis 7.0 builds by
    pushing the items at the tail one by one.

    @param fill: C{list-max-listpack-size}.
    @return: a L{list} of listpack blobs.
    """
    # quicklistSetFill's bounds.
    fill = max(-5, min(fill, _FILL_MAX))
    nodes = []
    entries = []
    nodeBytes = 0
    for item in items:
        if not entries or not _quicklistAllowInsert(nodeBytes, len(entries), fill, len(item)):
            if entries:
                nodes.append(entries)
            entries = []
            nodeBytes = 7
        entry = _listpackEntry(item)
        entries.append(entry)
        nodeBytes += len(entry)
    if entries:
        nodes.append(entries)
    return [_joinListpack(node) for node in nodes]


def _joinListpack(entries):
    body = b"".join(entries)
    count = len(entries) if len(entries) < 0xFFFF else 0xFFFF
    return struct.pack("<IH", 7 + len(body), count) + body + b"\xff"


def formatScore(score):
    """
    A score as Redis 7.0's C{d2string} writes it into a sorted set's
    listpack: integral values below 2**52 as integers, others with
    C{%.17g}.  A listpack keeps no negative zero.
    """
    if math.isinf(score):
        return b"inf" if score > 0 else b"-inf"
    if -4503599627370495 < score < 4503599627370496 and score == int(score):
        return b"%d" % (int(score),)
    return b"%.17g" % (score,)


def _streamNodes(stream):
    """
    The listpack nodes of a stream: its own layout, or, without one, the
    entries packed anew (100 entries a node).
    """
    if stream.nodes is not None:
        return stream.nodes
    return [
        (node[0][0], node[0][1][0::2], [(i, fields, False) for i, fields in node])
        for node in (stream.entries[i : i + 100] for i in range(0, len(stream.entries), 100))
    ]


def _streamListpack(masterId, masterFields, entries):
    """
    One stream node as Redis's C{streamAppendItem} builds it: the master
    entry (live count, deleted count, the master fields), then each entry
    as flags, id deltas, fields or values only, and its element count.
    """
    live = sum(1 for entry in entries if not entry[2])
    masterFields = list(masterFields)
    items = [live, len(entries) - live, len(masterFields)] + masterFields + [0]
    for (ms, seq), fields, deleted in entries:
        names = list(fields[0::2])
        flags = _STREAM_DELETED if deleted else 0
        if names == masterFields:
            items += [flags | _STREAM_SAMEFIELDS, ms - masterId[0], seq - masterId[1]]
            items += list(fields[1::2])
            items.append(3 + len(names))
        else:
            items += [flags, ms - masterId[0], seq - masterId[1], len(names)]
            items += list(fields)
            items.append(4 + len(fields))
    return buildListpack(items)


def encodeValue(typeName, value, version=DEFAULT_VERSION, compress=True, encoding=None, listFill=-2):
    """
    Serialise one value as Redis's C{rdbSaveObjectType} and
    C{rdbSaveObject} do: its type byte, then its body.  This is the value
    part of an RDB file's key entry, and what DUMP wraps.

    @param value: a plain value (see the module docstring).
    @param encoding: the value's OBJECT ENCODING: C{intset} sets, and
        C{listpack} hashes and sorted sets, are written as Redis writes
        those compact encodings, byte for byte; anything else as the
        general form of its type.
    @param listFill: C{list-max-listpack-size}, which decides how a list
        splits into quicklist nodes.
    @return: C{(typeByte, body)}.
    """
    s = encodeString
    if typeName == b"string":
        return TYPE_STRING, s(value, compress)
    if typeName == b"list":
        if version >= 10:
            nodes = quicklistNodes(value, listFill)
            body = [encodeLength(len(nodes))]
            for node in nodes:
                body.append(encodeLength(_QUICKLIST_NODE_PACKED) + s(node, compress))
            return TYPE_LIST_QUICKLIST_2, b"".join(body)
        return TYPE_LIST, encodeLength(len(value)) + b"".join([s(item, compress) for item in value])
    if typeName == b"set":
        if encoding == b"intset":
            return TYPE_SET_INTSET, s(buildIntset(value), compress)
        return TYPE_SET, encodeLength(len(value)) + b"".join([s(m, compress) for m in value])
    if typeName == b"hash":
        if encoding == b"listpack":
            return TYPE_HASH_LISTPACK, s(buildListpack([x for pair in value for x in pair]), compress)
        body = b"".join([s(f, compress) + s(v, compress) for f, v in value])
        return TYPE_HASH, encodeLength(len(value)) + body
    if typeName == b"zset":
        if encoding == b"listpack":
            items = [x for member, score in value for x in (member, formatScore(score))]
            return TYPE_ZSET_LISTPACK, s(buildListpack(items), compress)
        # Redis writes the members highest score first so that loading
        # appends at the head of the skiplist.
        body = b"".join([s(m, compress) + struct.pack("<d", score) for m, score in reversed(value)])
        return TYPE_ZSET_2, encodeLength(len(value)) + body
    if typeName == b"stream":
        return _encodeStream(value, version, compress)
    raise ValueError("cannot write type %r" % (typeName,))


def _encodeStream(stream, version, compress):
    s = encodeString
    kind = {9: TYPE_STREAM_LISTPACKS, 10: TYPE_STREAM_LISTPACKS_2, 11: TYPE_STREAM_LISTPACKS_3}[version]
    nodes = _streamNodes(stream)
    out = [encodeLength(len(nodes))]
    for masterId, masterFields, entries in nodes:
        out.append(s(struct.pack(">QQ", *masterId), compress))
        out.append(s(_streamListpack(masterId, masterFields, entries), compress))
    out.append(encodeLength(stream.length))
    out.append(encodeLength(stream.lastId[0]) + encodeLength(stream.lastId[1]))
    if version >= 10:
        out.append(encodeLength(stream.firstId[0]) + encodeLength(stream.firstId[1]))
        out.append(encodeLength(stream.maxDeletedId[0]) + encodeLength(stream.maxDeletedId[1]))
        out.append(encodeLength(stream.entriesAdded))
    out.append(encodeLength(len(stream.groups)))
    for group in stream.groups:
        out.append(s(group.name, compress))
        out.append(encodeLength(group.lastId[0]) + encodeLength(group.lastId[1]))
        if version >= 10:
            out.append(encodeLength(group.entriesRead if group.entriesRead is not None else 0))
        out.append(encodeLength(len(group.pending)))
        for entryId, deliveryTime, count in group.pending:
            out.append(struct.pack(">QQ", *entryId) + struct.pack("<q", deliveryTime) + encodeLength(count))
        out.append(encodeLength(len(group.consumers)))
        for name, seen, active, ids in group.consumers:
            out.append(s(name, compress) + struct.pack("<q", seen))
            if version >= 11:
                out.append(struct.pack("<q", active))
            out.append(encodeLength(len(ids)))
            out.append(b"".join(struct.pack(">QQ", *i) for i in ids))
    return kind, b"".join(out)


class RDBWriter:
    """
    Encodes a keyspace as an RDB file, piece by piece.

    @ivar version: 9, 10 or 11.
    """

    def __init__(self, version=DEFAULT_VERSION, compress=True):
        if version not in (9, 10, 11):
            raise ValueError("can only write RDB versions 9, 10 and 11")
        self.version = version
        self.compress = compress
        self._crc = 0
        self._parts = []

    def _emit(self, data):
        self._parts.append(data)

    def take(self):
        """
        @return: the bytes encoded since the last call, for streaming
            writes; the checksum keeps running.
        """
        data = b"".join(self._parts)
        self._parts = []
        self._crc = crc64(data, self._crc)
        return data

    def header(self, aux):
        """
        The signature and auxiliary fields.

        @param aux: a list of C{(name, value)} L{bytes} pairs.
        """
        self._emit(b"REDIS%04d" % (self.version,))
        for name, value in aux:
            self._emit(b"\xfa" + encodeString(name, False) + encodeString(value, False))

    def function(self, code):
        """
        A function library's source (version 10 and later).
        """
        self._emit(b"\xf5" + encodeString(code, self.compress))

    def functions(self, codes):
        """
        The function libraries' sources, which version 9 cannot hold.
        """
        if self.version >= 10:
            for code in codes:
                self.function(code)

    def selectDB(self, index, size, expires):
        """
        Start a database.
        """
        self._emit(b"\xfe" + encodeLength(index) + b"\xfb" + encodeLength(size) + encodeLength(expires))

    def key(self, key, typeName, value, expire=None):
        """
        One key with a plain value (see the module docstring).

        @param expire: absolute milliseconds or L{None}.
        """
        kind, body = encodeValue(typeName, value, self.version, self.compress)
        head = b"\xfc" + struct.pack("<q", expire) if expire is not None else b""
        self._emit(head + bytes((kind,)) + encodeString(key, self.compress) + body)

    def footer(self):
        """
        The EOF opcode and the checksum.

        @return: the remaining bytes including the checksum.
        """
        self._emit(b"\xff")
        data = self.take()
        return data + struct.pack("<Q", self._crc)


def dumps(databases, aux=(), version=DEFAULT_VERSION, functions=()):
    """
    Encode a whole file at once.

    @param databases: a mapping of database index to a list of
        C{(key, typeName, value, expire)}.
    @return: L{bytes}.
    """
    writer = RDBWriter(version)
    writer.header(aux)
    for code in functions:
        writer.function(code)
    parts = [writer.take()]
    for index in sorted(databases):
        keys = databases[index]
        if not keys:
            continue
        writer.selectDB(index, len(keys), sum(1 for k in keys if k[3] is not None))
        for key, typeName, value, expire in keys:
            writer.key(key, typeName, value, expire)
        parts.append(writer.take())
    parts.append(writer.footer())
    return b"".join(parts)


def loads(data):
    """
    Decode a whole file.

    @return: C{(records, aux)}: a list of L{KeyRecord} and the aux dict.
    @raise RDBError: invalid file.
    """
    reader = RDBReader(data)
    records = list(reader.records())
    return records, reader.aux
