"""
Tests for L{txredisd.persistence.rdb}, the RDB codec.
"""

import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from txredisd.persistence import checksums, rdb
from txredisd.persistence.rdb import GroupData, RDBError, StreamData


def ziplist(items):
    """
    Build a ziplist the way Redis 6 wrote them (test vectors for the
    encodings Redis 7 no longer writes).
    """
    body = b""
    prev = 0
    for item in items:
        entry = (bytes((prev,)) if prev < 254 else b"\xfe" + struct.pack("<I", prev))
        if isinstance(item, int):
            if 0 <= item <= 12:
                entry += bytes((0xF1 + item,))
            elif -128 <= item < 128:
                entry += b"\xfe" + struct.pack("<b", item)
            elif -(1 << 15) <= item < 1 << 15:
                entry += b"\xc0" + struct.pack("<h", item)
            elif -(1 << 23) <= item < 1 << 23:
                entry += b"\xf0" + (item & 0xFFFFFF).to_bytes(3, "little")
            elif -(1 << 31) <= item < 1 << 31:
                entry += b"\xd0" + struct.pack("<i", item)
            else:
                entry += b"\xe0" + struct.pack("<q", item)
        else:
            n = len(item)
            if n < 64:
                entry += bytes((n,)) + item
            elif n < 16384:
                entry += bytes((0x40 | (n >> 8), n & 0xFF)) + item
            else:
                entry += b"\x80" + struct.pack(">I", n) + item
        prev = len(entry)
        body += entry
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, 10, len(items)) + body + b"\xff"


def zipmap(pairs):
    """
    Build a zipmap (Redis 2.x hashes).
    """
    out = bytes((len(pairs),))
    for key, value in pairs:
        out += bytes((len(key),)) + key + bytes((len(value),)) + b"\x00" + value
    return out + b"\xff"


def intset(values, width):
    """
    Build an intset of the given integer width.
    """
    code = {2: "h", 4: "i", 8: "q"}[width]
    return struct.pack("<II", width, len(values)) + struct.pack("<%d%s" % (len(values), code), *values)


def fileWith(kind, key, payload, version=9):
    """
    A complete RDB file holding one key of a raw type and payload.
    """
    body = b"REDIS%04d" % version + b"\xfe\x00" + bytes((kind,)) + rdb.encodeString(key) + payload + b"\xff"
    return body + struct.pack("<Q", checksums.crc64(body))


class RoundTripTests(SynchronousTestCase):
    """
    What the writer encodes, the reader decodes unchanged, in every version
    it writes.
    """

    def values(self):
        stream = StreamData()
        stream.entries = [((1, 0), [b"f", b"v"]), ((1, 1), [b"f", b"w"]), ((5, 0), [b"a", b"1", b"b", b"2"])]
        stream.length = 3
        stream.lastId = (5, 0)
        stream.firstId = (1, 0)
        stream.maxDeletedId = (0, 0)
        stream.entriesAdded = 3
        group = GroupData(b"g", (1, 1), 2)
        group.pending = [((1, 0), 1000, 1), ((1, 1), 2000, 3)]
        group.consumers = [(b"alice", 1500, 1500, [(1, 0), (1, 1)])]
        stream.groups = [group]
        return [
            (b"s", b"string", b"hello", None),
            (b"i", b"string", b"-12345", 1_700_000_000_123),
            (b"big", b"string", b"ab" * 5000, None),
            (b"bin", b"string", bytes(range(256)), None),
            (b"l", b"list", [b"a", b"1", b"x" * 200] * 100, None),
            (b"set", b"set", [b"a", b"b", b"3"], None),
            (b"h", b"hash", [(b"f", b"v"), (b"n", b"7")], None),
            (b"z", b"zset", [(b"a", -math.inf), (b"b", 0.1), (b"c", math.inf)], None),
            (b"st", b"stream", stream, None),
        ]

    def check(self, version):
        values = self.values()
        data = rdb.dumps({0: values, 5: [(b"other", b"string", b"db5", None)]}, [(b"redis-ver", b"7.0.15")], version)
        records, aux = rdb.loads(data)
        self.assertEqual(aux, {b"redis-ver": b"7.0.15"})
        byKey = {(r.db, r.key): r for r in records}
        self.assertEqual(byKey[(5, b"other")].value, b"db5")
        for key, typeName, value, expire in values:
            record = byKey[(0, key)]
            self.assertEqual(record.type, typeName)
            self.assertEqual(record.expire, expire)
            if typeName == b"zset":
                self.assertEqual(sorted(record.value, key=lambda p: p[1]), value)
            elif typeName == b"stream" and version == 9:
                self.assertEqual(record.value.entries, value.entries)
            else:
                self.assertEqual(record.value, value)

    def test_version11(self):
        """
        Version 11 (the default) round-trips every type.
        """
        self.check(11)

    def test_version10(self):
        """
        Version 10 (what Redis 7.0 reads) round-trips every type.
        """
        self.check(10)

    def test_version9(self):
        """
        Version 9 round-trips every type.
        """
        self.check(9)

    def test_refusesOtherVersions(self):
        """
        The writer refuses versions it cannot write.
        """
        self.assertRaises(ValueError, rdb.RDBWriter, 12)

    @settings(max_examples=50, deadline=None)
    @given(
        st.dictionaries(
            st.binary(min_size=0, max_size=40),
            st.one_of(
                st.binary(max_size=300).map(lambda b: (b"string", b)),
                st.lists(st.binary(max_size=70), min_size=1, max_size=300).map(lambda l: (b"list", l)),
                st.lists(st.integers(-(1 << 63), (1 << 63) - 1).map(lambda i: b"%d" % i), min_size=1, max_size=20).map(
                    lambda l: (b"set", l)
                ),
            ),
            max_size=20,
        ),
        st.sampled_from([9, 10, 11]),
    )
    def test_propertyRoundTrip(self, keys, version):
        """
        Any strings, lists and integer-looking sets round-trip.
        """
        values = [(k, t, v, None) for k, (t, v) in keys.items()]
        records, _ = rdb.loads(rdb.dumps({0: values}, (), version))
        self.assertEqual([(r.key, r.type, r.value) for r in records], [(k, t, v) for k, t, v, _ in values])


class LegacyEncodingTests(SynchronousTestCase):
    """
    Encodings that Redis 7 reads but no longer writes decode correctly.
    """

    def load(self, data):
        records, _ = rdb.loads(data)
        self.assertEqual(len(records), 1)
        return records[0]

    def test_ziplistList(self):
        """
        A ziplist-encoded list (type 10) with every integer width.
        """
        items = [b"a", 0, 12, -1, 300, 70000, -(1 << 20), 1 << 40, b"x" * 100]
        record = self.load(fileWith(rdb.TYPE_LIST_ZIPLIST, b"l", rdb.encodeString(ziplist(items))))
        self.assertEqual(record.value, [i if isinstance(i, bytes) else b"%d" % i for i in items])

    def test_quicklistOfZiplists(self):
        """
        A quicklist of ziplists (type 14, Redis 3.2 to 6.2).
        """
        payload = rdb.encodeLength(2) + rdb.encodeString(ziplist([b"a", b"b"])) + rdb.encodeString(ziplist([3]))
        record = self.load(fileWith(rdb.TYPE_LIST_QUICKLIST, b"q", payload))
        self.assertEqual(record.value, [b"a", b"b", b"3"])

    def test_quicklist2PlainNode(self):
        """
        A quicklist2 (type 18) with a plain node and a packed node.
        """
        payload = (
            rdb.encodeLength(2)
            + rdb.encodeLength(1)
            + rdb.encodeString(b"big element")
            + rdb.encodeLength(2)
            + rdb.encodeString(rdb.buildListpack([b"x", 5, -3000, 1 << 40]))
        )
        record = self.load(fileWith(rdb.TYPE_LIST_QUICKLIST_2, b"q", payload, version=10))
        self.assertEqual(record.value, [b"big element", b"x", b"5", b"-3000", b"1099511627776"])

    def test_intsets(self):
        """
        Intsets (type 11) of 16, 32 and 64-bit members.
        """
        for width, values in [(2, [-5, 1, 300]), (4, [-70000, 1]), (8, [-(1 << 40), 1 << 40])]:
            record = self.load(fileWith(rdb.TYPE_SET_INTSET, b"s", rdb.encodeString(intset(values, width))))
            self.assertEqual(record.value, [b"%d" % v for v in values])

    def test_zipmap(self):
        """
        A zipmap hash (type 9).
        """
        record = self.load(fileWith(rdb.TYPE_HASH_ZIPMAP, b"h", rdb.encodeString(zipmap([(b"f", b"v"), (b"g", b"")]))))
        self.assertEqual(record.value, [(b"f", b"v"), (b"g", b"")])

    def test_ziplistHashAndZset(self):
        """
        Ziplist hashes (13) and sorted sets (12), scores as strings or
        integers.
        """
        record = self.load(fileWith(rdb.TYPE_HASH_ZIPLIST, b"h", rdb.encodeString(ziplist([b"f", 1, b"g", b"v"]))))
        self.assertEqual(record.value, [(b"f", b"1"), (b"g", b"v")])
        record = self.load(fileWith(rdb.TYPE_ZSET_ZIPLIST, b"z", rdb.encodeString(ziplist([b"a", 1, b"b", b"2.5"]))))
        self.assertEqual(record.value, [(b"a", 1.0), (b"b", 2.5)])

    def test_textDoubleZset(self):
        """
        Old sorted sets (type 3) store scores as text with special lengths
        for infinities.
        """
        payload = rdb.encodeLength(3) + rdb.encodeString(b"a") + b"\x031.5" + rdb.encodeString(b"b") + b"\xfe"
        payload += rdb.encodeString(b"c") + b"\xff"
        record = self.load(fileWith(rdb.TYPE_ZSET, b"z", payload))
        self.assertEqual(record.value, [(b"a", 1.5), (b"b", math.inf), (b"c", -math.inf)])

    def test_listpackSetVersion11(self):
        """
        Version 11's listpack sets (type 20).
        """
        record = self.load(fileWith(rdb.TYPE_SET_LISTPACK, b"s", rdb.encodeString(rdb.buildListpack([b"a", 7])), version=11))
        self.assertEqual(record.value, [b"a", b"7"])

    def test_secondsExpiry(self):
        """
        The old seconds expiry opcode is read as milliseconds.
        """
        body = b"REDIS0003\xfe\x00\xfd" + struct.pack("<i", 1000) + b"\x00" + rdb.encodeString(b"k") + rdb.encodeString(b"v") + b"\xff"
        records, _ = rdb.loads(body)
        self.assertEqual(records[0].expire, 1_000_000)

    def test_lzfStrings(self):
        """
        LZF-compressed strings written by the C library and by the
        fallback compressor both decode.
        """
        value = b"hello world " * 50
        for compressed in (checksums.lzfCompress(value), checksums.lzfCompressPython(value)):
            payload = b"\xc3" + rdb.encodeLength(len(compressed)) + rdb.encodeLength(len(value)) + compressed
            record = self.load(fileWith(rdb.TYPE_STRING, b"k", payload))
            self.assertEqual(record.value, value)


class ErrorTests(SynchronousTestCase):
    """
    Invalid files are refused with the offset of the problem.
    """

    def good(self):
        return rdb.dumps({0: [(b"k", b"string", b"v" * 100, None), (b"l", b"list", [b"a"] * 10, None)]}, (), 10)

    def test_truncated(self):
        """
        Every truncation of a valid file is refused.
        """
        data = self.good()
        for end in range(len(data) - 1):
            self.assertRaises(RDBError, rdb.loads, data[:end])

    def test_badChecksum(self):
        """
        A flipped bit in the checksum fails verification, at the checksum's
        offset; so does one in a value that still decodes.
        """
        good = self.good()
        data = bytearray(good)
        data[-1] ^= 0x01
        e = self.assertRaises(RDBError, rdb.loads, bytes(data))
        self.assertIn("checksum", str(e))
        self.assertEqual(e.offset, len(good) - 8)
        data = bytearray(good)
        data[good.index(b"\x01l") + 1] = ord("m")
        e = self.assertRaises(RDBError, rdb.loads, bytes(data))
        self.assertIn("checksum", str(e))

    def test_zeroChecksumNotVerified(self):
        """
        A zero checksum (rdbchecksum no) is not verified.
        """
        data = self.good()[:-8] + b"\x00" * 8
        records, _ = rdb.loads(data)
        self.assertEqual(len(records), 2)

    def test_newerVersion(self):
        """
        A version newer than 11 is refused, naming the version.
        """
        data = b"REDIS0012" + self.good()[9:]
        e = self.assertRaises(RDBError, rdb.loads, data)
        self.assertIn("version 12", str(e))
        self.assertEqual(e.offset, 5)

    def test_notRDB(self):
        """
        A file without the signature is refused at offset 0.
        """
        e = self.assertRaises(RDBError, rdb.loads, b"HELLO0009\xff")
        self.assertEqual(e.offset, 0)

    def test_moduleType(self):
        """
        Module values cannot be loaded.
        """
        self.assertRaises(RDBError, rdb.loads, fileWith(rdb.TYPE_MODULE_2, b"m", b"\x00"))


class ChecksumTests(SynchronousTestCase):
    """
    The CRC64 and LZF fallbacks agree with the libraries.
    """

    def test_crcCheckValue(self):
        """
        CRC-64/REDIS of "123456789" is e9c6d914c4b8d9ca, in both
        implementations, also when computed in pieces.
        """
        self.assertEqual(checksums.crc64Python(b"123456789"), 0xE9C6D914C4B8D9CA)
        self.assertEqual(checksums.crc64(b"123456789"), 0xE9C6D914C4B8D9CA)
        self.assertEqual(checksums.crc64(b"6789", checksums.crc64(b"12345")), 0xE9C6D914C4B8D9CA)
        self.assertEqual(checksums.crc64Python(b"6789", checksums.crc64Python(b"12345")), 0xE9C6D914C4B8D9CA)

    @given(st.binary(max_size=2000))
    def test_lzfFallbackRoundTrip(self, data):
        """
        The fallback compressor's output decompresses with both
        decompressors.
        """
        compressed = checksums.lzfCompressPython(data)
        if compressed is not None:
            self.assertEqual(checksums.lzfDecompressPython(compressed, len(data)), data)
            self.assertEqual(checksums.lzfDecompress(compressed, len(data)), data)
        compressed = checksums.lzfCompress(data) if data else None
        if compressed:
            self.assertEqual(checksums.lzfDecompressPython(compressed, len(data)), data)
