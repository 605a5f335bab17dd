"""
Tests for L{txredisd.commands.hashes}.
"""

import hiredis

from twisted.trial.unittest import SynchronousTestCase

from txredisd.commands.hashes import Hash
from txredisd.cursors import SNAPSHOTS
from txredisd.store import typeName
from tests.commands.recording import RecordingMixin


class BasicTests(RecordingMixin, SynchronousTestCase):
    def test_hsetCreatesHash(self):
        """
        HSET creates a hash of type C{hash} and counts only new fields.
        """
        self.assertEqual(self.conn.call("HSET", "h", "a", "1", "b", "2"), b":2\r\n")
        self.assertEqual(self.conn.call("HSET", "h", "a", "3", "c", "4"), b":1\r\n")
        self.assertIsInstance(self.value(b"h"), Hash)
        self.assertEqual(typeName(self.value(b"h")), b"hash")
        self.assertEqual(self.value(b"h"), {b"a": b"3", b"b": b"2", b"c": b"4"})

    def test_hgetallOrder(self):
        """
        HGETALL lists fields in listpack order: insertion order, updates in
        place, deleted fields gone, re-added ones at the end.
        """
        self.conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
        self.conn.call("HSET", "h", "a", "9")
        self.conn.call("HDEL", "h", "b")
        self.conn.call("HSET", "h", "b", "5")
        self.assertEqual(
            self.conn.call("HGETALL", "h"),
            b"*6\r\n$1\r\na\r\n$1\r\n9\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n5\r\n",
        )

    def test_hgetallResp3(self):
        """
        Over RESP3 HGETALL answers a map, and an empty map for a missing key.
        """
        self.conn.call("HELLO", "3")
        self.conn.call("HSET", "h", "a", "1")
        self.assertEqual(self.conn.call("HGETALL", "h"), b"%1\r\n$1\r\na\r\n$1\r\n1\r\n")
        self.assertEqual(self.conn.call("HGETALL", "nope"), b"%0\r\n")

    def test_hdelLastFieldDeletesKey(self):
        """
        Removing the last field deletes the key, notifying C{hdel} then
        C{del}.
        """
        self.conn.call("HSET", "h", "a", "1")
        del self.events[:]
        self.assertEqual(self.conn.call("HDEL", "h", "a", "b"), b":1\r\n")
        self.assertNotIn(b"h", self.conn.server.store.db(0).data)
        self.assertEqual(self.events, [("h", b"hdel", b"h"), ("g", b"del", b"h")])

    def test_hdelNothingIsNoChange(self):
        """
        HDEL of absent fields changes nothing: no notification, nothing
        propagated.
        """
        self.conn.call("HSET", "h", "a", "1")
        del self.events[:], self.propagated[:]
        self.assertEqual(self.conn.call("HDEL", "h", "x"), b":0\r\n")
        self.assertEqual(self.events, [])
        self.assertEqual(self.propagated, [])

    def test_notifications(self):
        """
        Writes notify Redis's events with the hash flag.
        """
        self.conn.call("HSET", "h", "a", "1")
        self.conn.call("HMSET", "h", "b", "1")
        self.conn.call("HSETNX", "h", "c", "1")
        self.conn.call("HSETNX", "h", "c", "1")
        self.conn.call("HINCRBY", "h", "a", "1")
        self.conn.call("HINCRBYFLOAT", "h", "a", "1.5")
        self.assertEqual(
            self.events,
            [
                ("h", b"hset", b"h"),
                ("h", b"hset", b"h"),
                ("h", b"hset", b"h"),
                ("h", b"hincrby", b"h"),
                ("h", b"hincrbyfloat", b"h"),
            ],
        )

    def test_wrongType(self):
        """
        Hash commands on a string answer WRONGTYPE and leave it alone.
        """
        self.conn.call("SET", "s", "x")
        self.assertEqual(
            self.conn.call("HSET", "s", "a", "1"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        )
        self.assertEqual(self.value(b"s"), b"x")

    def test_oddHset(self):
        """
        HSET with a field but no value is an arity error.
        """
        self.assertEqual(
            self.conn.call("HSET", "h", "a", "1", "b"),
            b"-ERR wrong number of arguments for 'hset' command\r\n",
        )


class IncrementTests(RecordingMixin, SynchronousTestCase):
    def test_hincrby(self):
        """
        HINCRBY adds to a missing field as if it held 0 and stores the
        result as text.
        """
        self.assertEqual(self.conn.call("HINCRBY", "h", "n", "-5"), b":-5\r\n")
        self.assertEqual(self.value(b"h")[b"n"], b"-5")

    def test_hincrbyOverflow(self):
        """
        An increment past the 64-bit range is refused and changes nothing.
        """
        self.conn.call("HSET", "h", "n", "9223372036854775807")
        self.assertEqual(
            self.conn.call("HINCRBY", "h", "n", "1"),
            b"-ERR increment or decrement would overflow\r\n",
        )
        self.assertEqual(self.value(b"h")[b"n"], b"9223372036854775807")

    def test_hincrbyNotInteger(self):
        """
        A field that is not a canonical integer cannot be incremented.
        """
        self.conn.call("HSET", "h", "n", "007")
        self.assertEqual(self.conn.call("HINCRBY", "h", "n", "1"), b"-ERR hash value is not an integer\r\n")

    def test_hincrbyfloatPropagatesHset(self):
        """
        HINCRBYFLOAT is propagated as an HSET of the resulting value.
        """
        self.conn.call("HSET", "h", "x", "10.5")
        del self.propagated[:]
        self.assertEqual(self.conn.call("HINCRBYFLOAT", "h", "x", "0.1"), b"$4\r\n10.6\r\n")
        self.assertEqual(self.propagated, [[b"HSET", b"h", b"x", b"10.6"]])

    def test_hincrbyfloatErrors(self):
        """
        HINCRBYFLOAT refuses non-float increments, infinite increments,
        non-float fields and infinite results, each with Redis's text.
        """
        self.conn.call("HSET", "h", "s", "abc", "i", "inf")
        self.assertEqual(self.conn.call("HINCRBYFLOAT", "h", "x", "y"), b"-ERR value is not a valid float\r\n")
        self.assertEqual(self.conn.call("HINCRBYFLOAT", "h", "x", "inf"), b"-ERR value is NaN or Infinity\r\n")
        self.assertEqual(self.conn.call("HINCRBYFLOAT", "h", "s", "1"), b"-ERR hash value is not a float\r\n")
        self.assertEqual(
            self.conn.call("HINCRBYFLOAT", "h", "i", "1"),
            b"-ERR increment would produce NaN or Infinity\r\n",
        )

    def test_hincrbyfloatLongDouble(self):
        """
        HINCRBYFLOAT adds in long double precision and prints with %.17Lf
        stripped of trailing zeros.
        """
        self.assertEqual(self.conn.call("HINCRBYFLOAT", "h", "x", "3.0000000000000000005"), b"$1\r\n3\r\n")
        self.assertEqual(self.conn.call("HINCRBYFLOAT", "h", "x", "1e17"), b"$18\r\n100000000000000003\r\n")


class EncodingTests(RecordingMixin, SynchronousTestCase):
    def test_smallIsListpack(self):
        """
        A hash with up to 512 short fields (Redis 7.0's compiled-in
        default) reports C{listpack}.
        """
        self.conn.call("HSET", "h", *range(1024))
        self.assertEqual(self.encoding(b"h"), b"listpack")
        self.conn.call("HSET", "h", "a", "1")
        self.assertEqual(self.encoding(b"h"), b"hashtable")

    def test_tooManyEntries(self):
        """
        Past C{hash-max-listpack-entries} fields the hash becomes a hash
        table, and stays one when it shrinks again.
        """
        self.conn.server.config.set("hash-max-listpack-entries", b"3")
        self.conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")
        self.assertEqual(self.encoding(b"h"), b"listpack")
        self.conn.call("HSET", "h", "d", "4")
        self.assertEqual(self.encoding(b"h"), b"hashtable")
        self.conn.call("HDEL", "h", "a", "b", "c")
        self.assertEqual(self.encoding(b"h"), b"hashtable")

    def test_longArgumentConverts(self):
        """
        An HSET argument longer than C{hash-max-listpack-value} converts the
        hash, even when it only overwrites a value; an HSETNX that sets
        nothing does not.
        """
        self.conn.call("HSET", "h", "a", "1")
        self.conn.call("HSETNX", "h", "a", "x" * 65)
        self.assertEqual(self.encoding(b"h"), b"listpack")
        self.conn.call("HSET", "h", "a", "x" * 65)
        self.assertEqual(self.encoding(b"h"), b"hashtable")
        self.conn.call("HSET", "g", "a", "x" * 64)
        self.assertEqual(self.encoding(b"g"), b"listpack")

    def test_incrementLongField(self):
        """
        HINCRBY and HINCRBYFLOAT convert when their field name is too long.
        """
        self.conn.call("HINCRBY", "h", "f" * 65, "1")
        self.assertEqual(self.encoding(b"h"), b"hashtable")
        self.conn.call("HINCRBYFLOAT", "g", "f" * 65, "1.5")
        self.assertEqual(self.encoding(b"g"), b"hashtable")

    def test_copyKeepsEncoding(self):
        """
        COPY duplicates a hash with its encoding (Redis's hashTypeDup).
        """
        self.conn.call("HSET", "h", "1", "0", "f", "58")
        self.assertEqual(self.conn.call("COPY", "h", "g"), b":1\r\n")
        self.assertEqual(self.conn.call("HGETALL", "g"), b"*4\r\n$1\r\n1\r\n$1\r\n0\r\n$1\r\nf\r\n$2\r\n58\r\n")
        self.assertEqual(self.encoding(b"g"), b"listpack")
        self.conn.call("HSET", "h", "long", "x" * 65)
        self.conn.call("COPY", "h", "g", "REPLACE")
        self.assertEqual(self.encoding(b"g"), b"hashtable")
        self.conn.call("HSET", "g", "f", "changed")
        self.assertEqual(self.conn.call("HGET", "h", "f"), b"$2\r\n58\r\n")


class RandomFieldTests(RecordingMixin, SynchronousTestCase):
    def setUp(self):
        RecordingMixin.setUp(self)
        self.conn.call("HSET", "h", "a", "1", "b", "2", "c", "3")

    def test_wholeHash(self):
        """
        A count at least the hash's size gives every field, in hash order.
        """
        self.assertEqual(
            self.conn.call("HRANDFIELD", "h", "5", "WITHVALUES"),
            b"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
        )

    def test_resp3Pairs(self):
        """
        Over RESP3 WITHVALUES nests each field and value in a pair.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(
            self.conn.call("HRANDFIELD", "h", "3", "WITHVALUES"),
            b"*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
        )

    def test_negativeCountRepeats(self):
        """
        A negative count gives that many fields, repeats allowed.
        """
        reply = self.conn.call("HRANDFIELD", "h", "-50")
        self.assertTrue(reply.startswith(b"*50\r\n"))

    def test_positiveCountDistinct(self):
        """
        A positive count under the size gives distinct fields.
        """
        for _ in range(20):
            fields = self.conn.call("HRANDFIELD", "h", "2").split(b"\r\n")[2::2]
            self.assertEqual(len(set(fields)), 2)


class ScanTests(RecordingMixin, SynchronousTestCase):
    def setUp(self):
        RecordingMixin.setUp(self)
        self.conn.server.config.set("hash-max-listpack-entries", b"128")

    def fill(self, count):
        args = []
        for i in range(count):
            args += ["f%d" % (i,), "v%d" % (i,)]
        self.conn.call("HSET", "h", *args)

    def scan(self, cursor, *options):
        reader = hiredis.Reader()
        reader.feed(self.conn.call("HSCAN", "h", cursor, *options))
        return reader.gets()

    def test_listpackWhole(self):
        """
        A listpack hash comes back whole with cursor 0, whatever the cursor.
        """
        self.fill(3)
        self.assertEqual(
            self.conn.call("HSCAN", "h", "77", "MATCH", "f[02]"),
            b"*2\r\n$1\r\n0\r\n*4\r\n$2\r\nf0\r\n$2\r\nv0\r\n$2\r\nf2\r\n$2\r\nv2\r\n",
        )

    def test_hashTableCursor(self):
        """
        A hash table is scanned COUNT fields at a time; the iteration ends
        with cursor 0 having returned every field once.
        """
        self.fill(300)
        cursor, seen, steps = b"0", [], 0
        while True:
            cursor, items = self.scan(cursor, "COUNT", "50")
            seen += items[0::2]
            steps += 1
            if cursor == b"0":
                break
        self.assertEqual(steps, 6)
        self.assertEqual(sorted(seen), sorted(b"f%d" % (i,) for i in range(300)))

    def test_changesDuringScan(self):
        """
        Fields deleted during a scan are not returned; fields present
        throughout are.
        """
        self.fill(200)
        cursor, items = self.scan("0", "COUNT", "100")
        seen = items[0::2]
        self.conn.call("HDEL", "h", *[b"f%d" % (i,) for i in range(100, 200)])
        self.conn.call("HSET", "h", "new", "1")
        cursor, items = self.scan(cursor, "COUNT", "1000")
        self.assertEqual(cursor, b"0")
        self.assertEqual(sorted(seen + items[0::2]), sorted(b"f%d" % (i,) for i in range(100)))

    def test_evictedSnapshot(self):
        """
        A cursor whose snapshot was evicted by newer scans still completes
        the iteration of an unchanged hash.
        """
        self.fill(200)
        cursor, items = self.scan("0", "COUNT", "150")
        for _ in range(SNAPSHOTS):
            self.scan("0", "COUNT", "1")
        self.assertEqual(len(self.value(b"h").scanSnapshots), SNAPSHOTS)
        cursor, rest = self.scan(cursor, "COUNT", "150")
        self.assertEqual(cursor, b"0")
        self.assertEqual(sorted(items[0::2] + rest[0::2]), sorted(b"f%d" % (i,) for i in range(200)))


class LoadTests(SynchronousTestCase):
    def test_fromPlainKeepsOrder(self):
        """
        A hash loaded from a dump keeps its field order and is a listpack
        when small.
        """
        value = Hash.fromPlain([(b"b", b"1"), (b"a", b"2")])
        self.assertEqual(list(value.items()), [(b"b", b"1"), (b"a", b"2")])
        self.assertFalse(value.hashtable)

    def test_fromPlainEncoding(self):
        """
        A loaded hash with a long value or more than 512 fields is a hash
        table, as Redis decides on loading.
        """
        self.assertTrue(Hash.fromPlain([(b"a", b"x" * 65)]).hashtable)
        self.assertTrue(Hash.fromPlain([(b"%d" % (i,), b"") for i in range(513)]).hashtable)
        self.assertFalse(Hash.fromPlain([(b"%d" % (i,), b"") for i in range(512)]).hashtable)
