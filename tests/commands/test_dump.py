"""
Unit tests of DUMP and RESTORE (L{txredisd.commands.keys}) and of their
payloads (L{txredisd.persistence.dump}), against payloads Redis 7.0.15
produced for the same values.
"""

import struct

from twisted.trial.unittest import SynchronousTestCase

from tests.commands.recording import RecordingMixin
from tests.helpers import Connection, makeServer
from txredisd.config import Config
from txredisd.persistence import dump, rdb
from txredisd.store import encodingOf

# DUMP replies of redis-server 7.0.15 (payloads, without RESP framing).
REDIS_PAYLOADS = {
    # SET s hello
    "string": b"\x00\x05hello\n\x00cr\xdfve4 \n",
    # SET l <"x" * 100>: LZF-compressed.
    "compressed": b"\x00\xc3\t@d\x01xx\xe0W\x00\x01xx\n\x00]\xb7\xf6c\xbb\x08b_",
    # RPUSH L 0 1 2 3 4
    "list": b"\x12\x01\x02\x11\x11\x00\x00\x00\x05\x00\x00\x01\x01\x01\x02\x01\x03\x01\x04\x01\xff\n\x00\x93\xb6g\xf6\xa1';f",
    # SADD S 1 2 3
    "intset": b"\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00\n\x00\xa5\x02\\\xe2mnM\x1b",
    # HSET H a 1 b x
    "hash": b"\x10\x12\x12\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x81b\x02\x81x\x02\xff\n\x00x\x07Lk\xd9\xd7\x05\x1f",
    # ZADD Z 1.5 a 2 b
    "zset": b"\x11\x14\x14\x00\x00\x00\x04\x00\x81a\x02\x831.5\x04\x81b\x02\x02\x01\xff\n\x00\xfa\x02\xb4%\xaf\x18\x87c",
    # XADD X 1-1 f 1
    "stream": (
        b"\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x1c\x1c\x00\x00\x00"
        b"\n\x00\x01\x01\x00\x01\x01\x01\x81f\x02\x00\x01\x02\x01\x00\x01\x00\x01\x01\x01\x04\x01\xff"
        b"\x01\x01\x01\x01\x01\x00\x00\x01\x00\n\x00\x1d\xd8\xb5\xe5\\\n\xa7\x01"
    ),
    # SADD S 1 <2**40>: a 64-bit intset that LZF cannot shrink enough.
    "intset64": b"\x0b\x18\x08\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00\x01\x00\x00\n\x001\"\xf0m\xf5B\xc0\xb4",
}

BUILD = {
    "string": [("SET", "k", "hello")],
    "compressed": [("SET", "k", "x" * 100)],
    "list": [("RPUSH", "k", "0", "1", "2", "3", "4")],
    "intset": [("SADD", "k", "1", "2", "3")],
    "hash": [("HSET", "k", "a", "1", "b", "x")],
    "zset": [("ZADD", "k", "1.5", "a", "2", "b")],
    "stream": [("XADD", "k", "1-1", "f", "1")],
    "intset64": [("SADD", "k", "1", str(1 << 40))],
}


def bulk(data):
    return b"$%d\r\n%s\r\n" % (len(data), data)


class DumpTests(RecordingMixin, SynchronousTestCase):
    def test_redisPayloads(self):
        """
        DUMP answers the bytes redis-server answers for the same value, and
        RESTORE of Redis's payload gives that value back.
        """
        for name, payload in REDIS_PAYLOADS.items():
            self.call("FLUSHALL")
            for command in BUILD[name]:
                self.call(*command)
            self.assertEqual(self.call("DUMP", "k"), bulk(payload), name)
            self.assertEqual(self.call("RESTORE", "r", "0", payload), b"+OK\r\n", name)
            self.assertEqual(self.call("DUMP", "r"), bulk(payload), name)

    def test_missing(self):
        """
        DUMP of a missing key is null.
        """
        self.assertEqual(self.call("DUMP", "nope"), b"$-1\r\n")

    def test_busyKeyAndReplace(self):
        """
        RESTORE refuses an existing key unless REPLACE; REPLACE takes the
        key's place, type and all, and notifies C{restore}.
        """
        self.call("RPUSH", "k", "a")
        payload = REDIS_PAYLOADS["string"]
        self.assertEqual(self.call("RESTORE", "k", "0", payload), b"-BUSYKEY Target key name already exists.\r\n")
        self.assertEqual(self.call("RESTORE", "k", "0", payload, "REPLACE"), b"+OK\r\n")
        self.assertEqual(self.call("GET", "k"), bulk(b"hello"))
        self.assertIn(("g", b"restore", b"k"), self.events)

    def test_checksOrder(self):
        """
        Options are checked first, then an existing key, then the TTL, then
        the payload's footer and contents.
        """
        self.call("SET", "k", "v")
        payload = REDIS_PAYLOADS["string"]
        bad = payload[:-1] + b"\x00"
        cases = [
            (("RESTORE", "k", "x", bad, "FREQ", "300"), b"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n"),
            (("RESTORE", "k", "x", bad, "IDLETIME", "-1"), b"-ERR Invalid IDLETIME value, must be >= 0\r\n"),
            (("RESTORE", "k", "x", bad, "IDLETIME", "1", "FREQ", "1"), b"-ERR syntax error\r\n"),
            (("RESTORE", "k", "x", bad), b"-BUSYKEY Target key name already exists.\r\n"),
            (("RESTORE", "n", "x", bad), b"-ERR value is not an integer or out of range\r\n"),
            (("RESTORE", "n", "-1", bad), b"-ERR Invalid TTL value, must be >= 0\r\n"),
            (("RESTORE", "n", "0", bad), b"-ERR DUMP payload version or checksum are wrong\r\n"),
            (("RESTORE", "n", "0", dump.wrapPayload(b"\x14\x00")), b"-ERR Bad data format\r\n"),
        ]
        for argv, reply in cases:
            self.assertEqual(self.call(*argv), reply, argv)

    def test_relativeTtlPropagatesAbsolute(self):
        """
        A relative TTL becomes an absolute one with ABSTTL for replicas and
        the AOF.
        """
        payload = REDIS_PAYLOADS["string"]
        self.call("RESTORE", "k", "5000", payload, "REPLACE")
        when = self.store.now + 5000
        self.assertEqual(self.store.db(0).getExpire(b"k"), when)
        self.assertEqual(self.propagated, [[b"RESTORE", b"k", b"%d" % when, payload, b"REPLACE", b"ABSTTL"]])

    def test_pastTtl(self):
        """
        An absolute TTL already past restores nothing; with REPLACE the old
        key is deleted, propagated as DEL with a C{del} event.
        """
        payload = REDIS_PAYLOADS["string"]
        self.assertEqual(self.call("RESTORE", "k", "1", payload, "ABSTTL"), b"+OK\r\n")
        self.assertEqual(self.call("EXISTS", "k"), b":0\r\n")
        self.assertEqual(self.propagated, [])
        self.call("SET", "k", "v")
        self.assertEqual(self.call("RESTORE", "k", "1", payload, "ABSTTL", "REPLACE"), b"+OK\r\n")
        self.assertEqual(self.call("EXISTS", "k"), b":0\r\n")
        self.assertEqual(self.propagated[-1], [b"DEL", b"k"])
        self.assertIn(("g", b"del", b"k"), self.events)

    def test_hugeTtlWraps(self):
        """
        A relative TTL whose sum with the time passes LLONG_MAX wraps into
        the past, as Redis's C arithmetic does: nothing is restored.
        """
        self.assertEqual(self.call("RESTORE", "k", "9223372036854775807", REDIS_PAYLOADS["string"]), b"+OK\r\n")
        self.assertEqual(self.call("EXISTS", "k"), b":0\r\n")

    def test_replicaKeepsExpired(self):
        """
        On a replica (which leaves expiry to its master) a past TTL still
        restores the key.
        """
        self.store.deleteExpired = False
        self.call("RESTORE", "k", "1", REDIS_PAYLOADS["string"], "ABSTTL")
        self.assertIn(b"k", self.store.db(0).data)

    def test_idletimeAndFreq(self):
        """
        IDLETIME sets the idle time under an LRU policy, FREQ the counter
        under an LFU one.
        """
        payload = REDIS_PAYLOADS["string"]
        self.call("CONFIG", "SET", "maxmemory", "1000000000")
        self.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        self.call("RESTORE", "a", "0", payload, "IDLETIME", "1000")
        self.assertEqual(self.call("OBJECT", "IDLETIME", "a"), b":1000\r\n")
        self.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        self.call("RESTORE", "b", "0", payload, "FREQ", "77")
        self.assertEqual(self.call("OBJECT", "FREQ", "b"), b":77\r\n")

    def test_watch(self):
        """
        RESTORE touches a watched key.
        """
        other = Connection(self.server)
        other.call("WATCH", "k")
        self.call("RESTORE", "k", "0", REDIS_PAYLOADS["string"])
        other.call("MULTI")
        self.assertEqual(other.call("EXEC"), b"*-1\r\n")

    def test_sortedSetAfterSort(self):
        """
        SORT turns a listpack sorted set into a skiplist, which DUMP then
        writes as one (as Redis does).
        """
        self.call("ZADD", "z", "1", "a")
        self.call("SORT", "z")
        payload = self.conn.call("DUMP", "z")
        self.assertEqual(payload[payload.index(b"\r\n") + 2], rdb.TYPE_ZSET_2)


class PayloadTests(SynchronousTestCase):
    def setUp(self):
        self.config = Config()

    def test_footer(self):
        """
        A payload ends with RDB version 10 and the CRC64 of what precedes;
        a newer version, a wrong CRC or a short payload are refused.
        """
        payload = dump.wrapPayload(b"\x00\x01a")
        self.assertEqual(payload[-10:-8], b"\x0a\x00")
        self.assertTrue(dump.verifyPayload(payload))
        self.assertFalse(dump.verifyPayload(payload[:-1] + bytes([payload[-1] ^ 1])))
        self.assertFalse(dump.verifyPayload(dump.wrapPayload(b"\x00\x01a", 11)))
        self.assertTrue(dump.verifyPayload(dump.wrapPayload(b"\x00\x01a", 9)))
        self.assertFalse(dump.verifyPayload(b"\x00" * 9))
        self.assertTrue(dump.verifyPayload(b"\x00" * 10))

    def test_readsIntoFooter(self):
        """
        The value may read on into the footer, as Redis's reader does.
        """
        self.assertEqual(dump.loadValue(b"\x00" * 10, self.config), b"")
        payload = dump.wrapPayload(b"\x00\x05ab")
        self.assertEqual(dump.loadValue(payload, self.config), b"ab" + payload[-10:-7])

    def test_badData(self):
        """
        Types Redis 7.0 does not know, empty collections, duplicates and NaN
        scores are bad data.
        """
        nan = struct.pack("<d", float("nan"))
        for body in [b"\x08\x00", b"\x14\x00", b"\x07\x00", b"\x02\x00", b"\x12\x00", b"\x04\x00",
                     b"\x02\x02\x01a\x01a", b"\x05\x01\x01a" + nan, b"\x00\xc3\x05\x81" + b"\xff" * 8]:
            self.assertRaises(ValueError, dump.loadValue, dump.wrapPayload(body), self.config)

    def test_encodingsFollowConfig(self):
        """
        A listpack stays one unless it has too many entries; pairs become a
        listpack only when few and short enough, integers an intset.
        """
        self.config.set("hash-max-listpack-value", b"3")
        packed = dump.wrapPayload(b"\x10" + rdb.encodeString(rdb.buildListpack([b"field", b"value"])))
        plain = dump.wrapPayload(b"\x04\x01\x05field\x05value")
        self.assertEqual(encodingOf(dump.loadValue(packed, self.config)), b"listpack")
        self.assertEqual(encodingOf(dump.loadValue(plain, self.config)), b"hashtable")
        self.config.set("set-max-intset-entries", b"1")
        self.assertEqual(encodingOf(dump.loadValue(REDIS_PAYLOADS["intset"], self.config)), b"hashtable")
        self.config.set("zset-max-listpack-entries", b"1")
        self.assertEqual(encodingOf(dump.loadValue(REDIS_PAYLOADS["zset"], self.config)), b"skiplist")


class EncoderTests(SynchronousTestCase):
    def test_quicklistNodes(self):
        """
        Lists split into nodes as Redis 7.0's tail pushes split them (as
        redis-server splits 200 elements of 90 bytes: 87, 87, 26): by
        about 8 KB (an 8-byte overhead estimate per element), by count for a
        positive fill, everything in one 64 KB node for fills below -5.
        """
        items = [b"x" * 90] * 200
        nodes = rdb.quicklistNodes(items, -2)
        self.assertEqual([len(rdb.parseListpack(n)) for n in nodes], [87, 87, 26])
        self.assertTrue(all(len(n) <= 8192 for n in nodes))
        self.assertEqual([len(rdb.parseListpack(n)) for n in rdb.quicklistNodes([b"1"] * 12, 5)], [5, 5, 2])
        self.assertEqual(len(rdb.quicklistNodes(items, -9)), 1)

    def test_listpackIntegers(self):
        """
        Canonical decimal strings go into listpacks as integers of the
        narrowest width; others stay strings.
        """
        blob = rdb.buildListpack([b"1", b"-1", b"300", b"01", b"-0", b"9223372036854775808"])
        self.assertEqual(blob[6:8], b"\x01\x01")
        self.assertEqual(rdb.parseListpack(blob), [b"1", b"-1", b"300", b"01", b"-0", b"9223372036854775808"])
        self.assertIn(b"\x8201", blob)

    def test_intsetWidths(self):
        """
        An intset takes the narrowest width that holds every member.
        """
        self.assertEqual(rdb.buildIntset([b"3", b"-1"])[:4], b"\x02\x00\x00\x00")
        self.assertEqual(rdb.buildIntset([b"40000"])[:4], b"\x04\x00\x00\x00")
        self.assertEqual(rdb.buildIntset([b"%d" % (1 << 40)])[:4], b"\x08\x00\x00\x00")

    def test_formatScore(self):
        """
        Scores are written as Redis's d2string: integers below 2**52 as
        such, others with %.17g.
        """
        self.assertEqual(rdb.formatScore(2.0), b"2")
        self.assertEqual(rdb.formatScore(0.1), b"0.10000000000000001")
        self.assertEqual(rdb.formatScore(4503599627370496.0), b"4503599627370496")
        self.assertEqual(rdb.formatScore(1e20), b"1e+20")
        self.assertEqual(rdb.formatScore(float("-inf")), b"-inf")

    def test_lzfRoom(self):
        """
        A string is compressed only when LZF fits it in 4 bytes less, as
        Redis's rdbSaveLzfStringObject decides (this one stays raw there).
        """
        self.assertEqual(rdb.encodeString(b"bbbbbbabbabaaaaabaaabaaa"), b"\x18bbbbbbabbabaaaaabaaabaaa")
        self.assertEqual(rdb.encodeString(b"x" * 100)[:1], b"\xc3")

    def test_streamTombstones(self):
        """
        A stream's entries marked deleted stay in its dump, flagged, and a
        restored stream keeps them and its node layout.
        """
        server = makeServer()
        conn = Connection(server)
        for i in range(1, 151):
            conn.call("XADD", "s", "%d-0" % i, "f", "v")
        conn.call("XDEL", "s", "2-0", "120-0")
        payload = conn.call("DUMP", "s")
        payload = payload[payload.index(b"\r\n") + 2 : -2]
        value = dump.loadValue(payload, server.config)
        node = value._nodes[0]
        self.assertEqual((node.live, node.deleted, node.tombstones), (99, 1, {(2, 0): (b"f", b"v")}))
        self.assertEqual(len(value), 148)
        self.assertEqual(dump.dumpValue(value, b"stream"), payload)
