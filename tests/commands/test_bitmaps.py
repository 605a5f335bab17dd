"""
Tests for L{txredisd.commands.bitmaps}.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.commands.recording import RecordingMixin
from txredisd.commands.bitmaps import bitfieldKeyFlags

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
BIT_OFFSET = b"-ERR bit offset is not an integer or out of range\r\n"
BIT_VALUE = b"-ERR bit is not an integer or out of range\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
BAD_TYPE = (
    b"-ERR Invalid bitfield type. Use something like i16 u8. "
    b"Note that u64 is not supported but i64 is.\r\n"
)


class BitmapTestCase(RecordingMixin, SynchronousTestCase):
    """
    A connection whose notifications and propagated commands are recorded,
    with helpers to set raw values.
    """

    def setUp(self):
        RecordingMixin.setUp(self)
        self.db = self.store.db(0)

    def put(self, key, value):
        """
        Store C{value} at C{key} and forget the events and propagation.
        """
        self.call("SET", key, value)
        self.clear()

    def clear(self):
        del self.events[:]
        del self.propagated[:]


class SetbitGetbitTests(BitmapTestCase):
    def test_setbitCreatesZeroPaddedString(self):
        """
        SETBIT on a missing key creates a string just long enough for the
        bit, bit 0 being the most significant bit of the first byte, and
        answers the old bit.
        """
        self.assertEqual(self.call("SETBIT", "k", "9", "1"), b":0\r\n")
        self.assertEqual(self.value(b"k"), b"\x00\x40")
        self.assertEqual(self.call("SETBIT", "k", "0", "1"), b":0\r\n")
        self.assertEqual(self.call("SETBIT", "k", "9", "0"), b":1\r\n")
        self.assertEqual(self.value(b"k"), b"\x80\x00")

    def test_setbitGrowsExisting(self):
        """
        SETBIT past the end zero-pads the string and keeps its time to live.
        """
        self.put("k", "a")
        self.call("EXPIRE", "k", "100")
        self.call("SETBIT", "k", "23", "1")
        self.assertEqual(self.value(b"k"), b"a\x00\x01")
        self.assertEqual(self.call("TTL", "k"), b":100\r\n")

    def test_setbitNotifiesAndPropagatesChanges(self):
        """
        SETBIT that flips a bit notifies C{setbit} and propagates as it
        came; one that changes nothing does neither and leaves the dirty
        counter alone.
        """
        self.call("SETBIT", "k", "3", "1")
        self.assertEqual(self.events, [("$", b"setbit", b"k")])
        self.assertEqual(self.propagated, [[b"SETBIT", b"k", b"3", b"1"]])
        self.clear()
        dirty = self.store.dirty
        self.assertEqual(self.call("SETBIT", "k", "3", "1"), b":1\r\n")
        self.assertEqual(self.call("SETBIT", "k", "5", "0"), b":0\r\n")
        self.assertEqual((self.events, self.propagated, self.store.dirty), ([], [], dirty))

    def test_setbitGrowthIsAChange(self):
        """
        SETBIT of a clear bit past the end changes the string's length: it
        counts, notifies and propagates.
        """
        self.put("k", "a")
        self.assertEqual(self.call("SETBIT", "k", "20", "0"), b":0\r\n")
        self.assertEqual(self.events, [("$", b"setbit", b"k")])
        self.assertEqual(len(self.propagated), 1)

    def test_setbitErrors(self):
        """
        SETBIT checks the offset, then the bit, then the key's type.
        """
        self.conn.call("RPUSH", "l", "a")
        self.assertEqual(self.call("SETBIT", "k", "-1", "1"), BIT_OFFSET)
        self.assertEqual(self.call("SETBIT", "k", "x", "2"), BIT_OFFSET)
        self.assertEqual(self.call("SETBIT", "k", "#1", "1"), BIT_OFFSET)
        self.assertEqual(self.call("SETBIT", "k", "4294967296", "1"), BIT_OFFSET)
        for bit in ("2", "-1", "", " 1", "01", "x"):
            self.assertEqual(self.call("SETBIT", "k", "0", bit), BIT_VALUE)
        self.assertEqual(self.call("SETBIT", "l", "0", "5"), BIT_VALUE)
        self.assertEqual(self.call("SETBIT", "l", "0", "1"), WRONGTYPE)
        self.assertEqual(
            self.call("SETBIT", "k", "0"), b"-ERR wrong number of arguments for 'setbit' command\r\n"
        )
        self.assertNotIn(b"k", self.db.data)

    def test_offsetLimitFollowsProtoMaxBulkLen(self):
        """
        A bit offset is refused when its byte would lie at or past
        C{proto-max-bulk-len}.
        """
        self.call("CONFIG", "SET", "proto-max-bulk-len", "1mb")
        limit = 8 * 1024 * 1024
        self.assertEqual(self.call("SETBIT", "k", limit, "1"), BIT_OFFSET)
        self.assertEqual(self.call("GETBIT", "k", limit), BIT_OFFSET)
        self.assertEqual(self.call("SETBIT", "k", limit - 1, "1"), b":0\r\n")
        self.assertEqual(len(self.value(b"k")), 1024 * 1024)

    def test_getbit(self):
        """
        GETBIT reads one bit; missing keys and bits past the end are 0.
        """
        self.put("k", b"\x80\x01")
        self.assertEqual(self.call("GETBIT", "k", "0"), b":1\r\n")
        self.assertEqual(self.call("GETBIT", "k", "1"), b":0\r\n")
        self.assertEqual(self.call("GETBIT", "k", "15"), b":1\r\n")
        self.assertEqual(self.call("GETBIT", "k", "16"), b":0\r\n")
        self.assertEqual(self.call("GETBIT", "nokey", "4294967295"), b":0\r\n")
        self.assertEqual(self.call("GETBIT", "k", "-1"), BIT_OFFSET)
        self.conn.call("RPUSH", "l", "a")
        self.assertEqual(self.call("GETBIT", "l", "x"), BIT_OFFSET)
        self.assertEqual(self.call("GETBIT", "l", "0"), WRONGTYPE)


class BitcountTests(BitmapTestCase):
    def setUp(self):
        BitmapTestCase.setUp(self)
        self.put("k", b"\xff\xf0\x00\x01")

    def test_whole(self):
        """
        BITCOUNT without a range counts every set bit; a missing key has 0.
        """
        self.assertEqual(self.call("BITCOUNT", "k"), b":13\r\n")
        self.assertEqual(self.call("BITCOUNT", "nokey"), b":0\r\n")

    def test_byteRanges(self):
        """
        Byte ranges are inclusive, negative indexes count from the end, and
        a range that is empty after clamping counts 0.
        """
        self.assertEqual(self.call("BITCOUNT", "k", "1", "1"), b":4\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "0", "-1", "BYTE"), b":13\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "-2", "-1"), b":1\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "-100", "100"), b":13\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "2", "1"), b":0\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "-1", "-3"), b":0\r\n")
        # Both negative and reversed answers 0 before clamping would make
        # them both 0.
        self.assertEqual(self.call("BITCOUNT", "k", "-10", "-20"), b":0\r\n")

    def test_bitRanges(self):
        """
        With BIT the range counts single bits.
        """
        self.assertEqual(self.call("BITCOUNT", "k", "4", "11", "BIT"), b":8\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "5", "5", "bit"), b":1\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "-1", "-1", "BIT"), b":1\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "10", "30", "BIT"), b":2\r\n")

    def test_errors(self):
        """
        Redis 7.0 looks the key up first: a missing key answers 0 whatever
        follows; an existing one gets syntax and integer errors.
        """
        self.assertEqual(self.call("BITCOUNT", "nokey", "0"), b":0\r\n")
        self.assertEqual(self.call("BITCOUNT", "nokey", "a", "b", "c"), b":0\r\n")
        self.assertEqual(self.call("BITCOUNT", "k", "0"), SYNTAX)
        self.assertEqual(self.call("BITCOUNT", "k", "0", "1", "BIT", "x"), SYNTAX)
        self.assertEqual(self.call("BITCOUNT", "k", "a", "1", "foo"), NOT_INTEGER)
        self.assertEqual(self.call("BITCOUNT", "k", "0", "1", "foo"), SYNTAX)
        self.assertEqual(self.call("BITCOUNT", "k", "0", "1", b"bit\x00x"), b":2\r\n")
        self.conn.call("RPUSH", "l", "a")
        self.assertEqual(self.call("BITCOUNT", "l", "x"), WRONGTYPE)


class BitposTests(BitmapTestCase):
    def test_missingKey(self):
        """
        A missing key is an endless run of clear bits, whatever the range.
        """
        self.assertEqual(self.call("BITPOS", "nokey", "0"), b":0\r\n")
        self.assertEqual(self.call("BITPOS", "nokey", "1", "5", "x"), b":-1\r\n")

    def test_setBits(self):
        """
        BITPOS finds the first set bit, in byte or bit ranges.
        """
        self.put("k", b"\x00\x00\x01\x80")
        self.assertEqual(self.call("BITPOS", "k", "1"), b":23\r\n")
        self.assertEqual(self.call("BITPOS", "k", "1", "3"), b":24\r\n")
        self.assertEqual(self.call("BITPOS", "k", "1", "0", "1"), b":-1\r\n")
        self.assertEqual(self.call("BITPOS", "k", "1", "24", "-1", "BIT"), b":24\r\n")
        self.assertEqual(self.call("BITPOS", "k", "1", "25", "-1", "BIT"), b":-1\r\n")
        self.assertEqual(self.call("BITPOS", "k", "1", "-2"), b":23\r\n")

    def test_clearBitsEndGivenOrNot(self):
        """
        Looking for a clear bit in an all-ones string answers the bit after
        the string when no end was given, -1 when one was.
        """
        self.put("k", b"\xff\xff")
        self.assertEqual(self.call("BITPOS", "k", "0"), b":16\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "1"), b":16\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "0", "-1"), b":-1\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "0", "-1", "BIT"), b":-1\r\n")
        self.put("k", b"\xff\xfe")
        self.assertEqual(self.call("BITPOS", "k", "0", "0", "14", "BIT"), b":-1\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "0", "15", "BIT"), b":15\r\n")

    def test_emptyRanges(self):
        """
        An empty range, or an empty string, contains no bit at all: -1.
        """
        self.put("k", b"\x00")
        self.assertEqual(self.call("BITPOS", "k", "0", "1"), b":-1\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "0", "-2"), b":0\r\n")
        self.put("e", b"")
        self.assertEqual(self.call("BITPOS", "e", "0"), b":-1\r\n")

    def test_longRuns(self):
        """
        The search skips whole bytes of the wrong kind, in and between the
        partial bytes of a bit range.
        """
        self.put("k", b"\xff" * 100 + b"\xf7" + b"\xff" * 100)
        self.assertEqual(self.call("BITPOS", "k", "0"), b":804\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "3", "1000", "BIT"), b":804\r\n")
        self.assertEqual(self.call("BITPOS", "k", "0", "805", "-1", "BIT"), b":-1\r\n")
        self.put("k", b"\x00" * 50 + b"\x10")
        self.assertEqual(self.call("BITPOS", "k", "1", "1", "-1", "BIT"), b":403\r\n")

    def test_errors(self):
        """
        The bit is checked before the key; the range after the key's type.
        """
        self.conn.call("RPUSH", "l", "a")
        self.assertEqual(
            self.call("BITPOS", "l", "2"), b"-ERR The bit argument must be 1 or 0.\r\n"
        )
        self.assertEqual(self.call("BITPOS", "l", "x"), NOT_INTEGER)
        self.assertEqual(self.call("BITPOS", "l", "1", "x"), WRONGTYPE)
        self.put("k", b"\x01")
        self.assertEqual(self.call("BITPOS", "k", "1", "x"), NOT_INTEGER)
        self.assertEqual(self.call("BITPOS", "k", "1", "0", "0", "x"), SYNTAX)
        self.assertEqual(self.call("BITPOS", "k", "1", "x", "y", "x"), NOT_INTEGER)
        self.assertEqual(self.call("BITPOS", "k", "1", "0", "y", "x"), SYNTAX)
        self.assertEqual(self.call("BITPOS", "k", "1", "0", "1", "BIT", "x"), SYNTAX)


class BitopTests(BitmapTestCase):
    def setUp(self):
        BitmapTestCase.setUp(self)
        self.put("a", b"\xf0\x0f\xff")
        self.put("b", b"\x3c")

    def test_operations(self):
        """
        AND, OR and XOR zero-pad shorter and missing sources; NOT inverts.
        """
        self.assertEqual(self.call("BITOP", "AND", "d", "a", "b"), b":3\r\n")
        self.assertEqual(self.value(b"d"), b"\x30\x00\x00")
        self.assertEqual(self.call("BITOP", "or", "d", "a", "b"), b":3\r\n")
        self.assertEqual(self.value(b"d"), b"\xfc\x0f\xff")
        self.assertEqual(self.call("BITOP", "Xor", "d", "a", "b", "b"), b":3\r\n")
        self.assertEqual(self.value(b"d"), b"\xf0\x0f\xff")
        self.assertEqual(self.call("BITOP", "AND", "d", "a", "nokey"), b":3\r\n")
        self.assertEqual(self.value(b"d"), b"\x00\x00\x00")
        self.assertEqual(self.call("BITOP", "NOT", "d", "a"), b":3\r\n")
        self.assertEqual(self.value(b"d"), b"\x0f\xf0\x00")

    def test_overwritesAndNotifies(self):
        """
        The destination is replaced whatever it held, its time to live
        dropped, with a C{set} event.
        """
        self.conn.call("RPUSH", "d", "x")
        self.call("EXPIRE", "d", "100")
        self.clear()
        self.call("BITOP", "OR", "d", "b")
        self.assertEqual(self.value(b"d"), b"\x3c")
        self.assertEqual(self.call("TTL", "d"), b":-1\r\n")
        self.assertEqual(self.events, [("$", b"set", b"d")])
        self.assertEqual(self.propagated, [[b"BITOP", b"OR", b"d", b"b"]])

    def test_emptyResultDeletes(self):
        """
        When every source is missing or empty the destination is deleted
        (a C{del} event), and the answer is 0.
        """
        self.put("e", b"")
        self.put("d", "x")
        self.assertEqual(self.call("BITOP", "OR", "d", "nokey", "e"), b":0\r\n")
        self.assertNotIn(b"d", self.db.data)
        self.assertEqual(self.events, [("g", b"del", b"d")])
        self.clear()
        self.assertEqual(self.call("BITOP", "NOT", "d", "nokey"), b":0\r\n")
        self.assertEqual((self.events, self.propagated), ([], []))

    def test_errors(self):
        """
        Unknown operations are syntax errors, NOT takes one source, and
        sources of other types answer WRONGTYPE without touching the
        destination.
        """
        self.assertEqual(self.call("BITOP", "NAND", "d", "a"), SYNTAX)
        self.assertEqual(self.call("BITOP", b"and\x00x", "d", "a"), b":3\r\n")
        self.assertEqual(
            self.call("BITOP", "NOT", "d", "a", "b"),
            b"-ERR BITOP NOT must be called with a single source key.\r\n",
        )
        self.conn.call("RPUSH", "l", "x")
        self.assertEqual(self.call("BITOP", "AND", "e", "a", "l"), WRONGTYPE)
        self.assertNotIn(b"e", self.db.data)
        self.assertEqual(
            self.call("BITOP", "AND", "d"), b"-ERR wrong number of arguments for 'bitop' command\r\n"
        )


class BitfieldTests(BitmapTestCase):
    def test_getSignedUnsigned(self):
        """
        GET reads signed and unsigned fields at any bit offset, past the end
        as clear bits, with C{#N} offsets multiplied by the width.
        """
        self.put("k", b"\xff\xf0")
        self.assertEqual(
            self.call("BITFIELD", "k", "GET", "i8", "0", "GET", "u8", "0", "GET", "u4", "#2",
                      "GET", "i8", "#1", "GET", "u63", "1", "GET", "i64", "0"),
            b"*6\r\n:-1\r\n:255\r\n:15\r\n:-16\r\n:9218868437227405312\r\n:-4503599627370496\r\n",
        )
        self.assertEqual(self.call("BITFIELD", "nokey", "GET", "u8", "100"), b"*1\r\n:0\r\n")
        self.assertEqual(self.call("BITFIELD", "k"), b"*0\r\n")
        self.assertNotIn(b"nokey", self.db.data)

    def test_setAndIncrby(self):
        """
        SET answers the old value, INCRBY the new one; the string grows to
        hold the furthest field written and GETs see earlier writes.
        """
        self.assertEqual(
            self.call("BITFIELD", "k", "SET", "u8", "8", "200", "INCRBY", "u8", "8", "10",
                      "GET", "u16", "0", "SET", "i4", "#0", "-1"),
            b"*4\r\n:0\r\n:210\r\n:210\r\n:0\r\n",
        )
        self.assertEqual(self.value(b"k"), b"\xf0\xd2")

    def test_overflowPolicies(self):
        """
        WRAP (the default) wraps around, SAT clamps, FAIL answers a null
        and writes nothing; each OVERFLOW applies to what follows it.
        """
        self.assertEqual(
            self.call("BITFIELD", "k", "INCRBY", "u8", "0", "300", "OVERFLOW", "SAT",
                      "INCRBY", "u8", "0", "300", "INCRBY", "i8", "8", "-300",
                      "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "GET", "u8", "0"),
            b"*5\r\n:44\r\n:255\r\n:-128\r\n$-1\r\n:255\r\n",
        )
        self.conn.call("HELLO", "3")
        self.assertEqual(
            self.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "i8", "0", "128"),
            b"*1\r\n_\r\n",
        )

    def test_overflowQuirks(self):
        """
        Redis's overflow checks are C arithmetic: a negative SET of an
        unsigned field saturates to the maximum, and so does a SET far below
        an C{i63} field's minimum; #N offsets wrap around 64 bits.
        """
        self.assertEqual(
            self.call("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0",
                      "SET", "i63", "8", "-9223372036854775808", "GET", "i63", "8",
                      "SET", "i8", "0", "-9223372036854775808", "GET", "i8", "0"),
            b"*6\r\n:0\r\n:255\r\n:0\r\n:4611686018427387903\r\n:-1\r\n:127\r\n",
        )
        self.assertEqual(
            self.call("BITFIELD", "k", "GET", "u8", "#2305843009213693952"), b"*1\r\n:127\r\n"
        )
        self.assertEqual(
            self.call("BITFIELD", "k", "GET", "u8", "#1152921504606846976"), BIT_OFFSET
        )

    def test_i64Wrap(self):
        """
        An i64 field wraps at the 64-bit limits.
        """
        self.assertEqual(
            self.call("BITFIELD", "k", "SET", "i64", "0", "9223372036854775807",
                      "INCRBY", "i64", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1"),
            b"*3\r\n:0\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n",
        )

    def test_changesCounted(self):
        """
        Only writes that change a value count, notify C{setbit} and make
        the command propagate, unless the key was created or grew.
        """
        self.put("k", b"\x03")
        dirty = self.store.dirty
        self.call("BITFIELD", "k", "SET", "u8", "0", "3", "INCRBY", "u8", "0", "0")
        self.assertEqual((self.events, self.propagated, self.store.dirty), ([], [], dirty))
        self.call("BITFIELD", "k", "SET", "u8", "0", "4", "SET", "u8", "0", "4")
        self.assertEqual(self.store.dirty, dirty + 1)
        self.assertEqual(self.events, [("$", b"setbit", b"k")])
        self.assertEqual(len(self.propagated), 1)
        self.call("BITFIELD", "k", "SET", "u8", "8", "0", "SET", "u8", "0", "4")
        self.assertEqual(self.store.dirty, dirty + 3)

    def test_failedWritesCreateKeySilently(self):
        """
        A BITFIELD whose only write fails still creates (or grows) the key,
        as Redis does, but counts no change and propagates nothing.
        """
        dirty = self.store.dirty
        self.assertEqual(
            self.call("BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300"),
            b"*1\r\n$-1\r\n",
        )
        self.assertEqual(self.value(b"n"), b"\x00\x00")
        self.assertEqual((self.events, self.propagated, self.store.dirty), ([], [], dirty))

    def test_parseErrors(self):
        """
        Every subcommand is parsed before any runs: bad types, offsets,
        values, overflow policies and missing arguments are refused.
        """
        self.put("k", b"\x01")
        for bad in ("I8", "u64", "i65", "i0", "x8", "u", "", "i-1", "i08"):
            self.assertEqual(self.call("BITFIELD", "k", "GET", bad, "0"), BAD_TYPE)
        self.assertEqual(self.call("BITFIELD", "k", "GET", b"u8\x00junk", "0"), b"*1\r\n:1\r\n")
        for bad in ("-1", "#-1", "#", "x", "4294967296"):
            self.assertEqual(self.call("BITFIELD", "k", "GET", "u8", bad), BIT_OFFSET)
        self.assertEqual(self.call("BITFIELD", "k", "SET", "u8", "0", "x"), NOT_INTEGER)
        self.assertEqual(
            self.call("BITFIELD", "k", "OVERFLOW", "x"), b"-ERR Invalid OVERFLOW type specified\r\n"
        )
        for args in (["GET", "u8"], ["SET", "u8", "0"], ["OVERFLOW"], ["FOO"],
                     ["SET", "u8", "0", "1", "GET"]):
            self.assertEqual(self.call("BITFIELD", "k", *args), SYNTAX)
        self.assertEqual(self.value(b"k"), b"\x01")

    def test_wrongType(self):
        """
        Reads and writes of a key of another type answer WRONGTYPE, after
        the arguments are parsed.
        """
        self.conn.call("RPUSH", "l", "a")
        self.assertEqual(self.call("BITFIELD", "l", "GET", "u8", "0"), WRONGTYPE)
        self.assertEqual(self.call("BITFIELD", "l", "SET", "u8", "0", "1"), WRONGTYPE)
        self.assertEqual(self.call("BITFIELD", "l", "GET", "x8", "0"), BAD_TYPE)

    def test_bitfieldRo(self):
        """
        BITFIELD_RO runs GETs (with OVERFLOW allowed) and refuses writes
        before looking at the key.
        """
        self.put("k", b"\x7f")
        self.assertEqual(
            self.call("BITFIELD_RO", "k", "GET", "i8", "0", "OVERFLOW", "SAT"), b"*1\r\n:127\r\n"
        )
        self.conn.call("RPUSH", "l", "a")
        self.assertEqual(
            self.call("BITFIELD_RO", "l", "INCRBY", "u8", "0", "1"),
            b"-ERR BITFIELD_RO only supports the GET subcommand\r\n",
        )

    def test_keyFlags(self):
        """
        BITFIELD's key is read-only when all it does is GET and OVERFLOW;
        anything else, malformed included, reads and writes it.
        """
        self.assertEqual(bitfieldKeyFlags([b"BITFIELD", b"k"]), ("RO", "access"))
        self.assertEqual(
            bitfieldKeyFlags([b"BITFIELD", b"k", b"overflow", b"sat", b"GET", b"u8", b"0"]),
            ("RO", "access"),
        )
        for tail in ([b"GET", b"u8"], [b"foo"], [b"INCRBY", b"u8", b"0", b"1"]):
            self.assertEqual(bitfieldKeyFlags([b"BITFIELD", b"k"] + tail), ("RW", "access", "update"))
        self.assertEqual(
            self.call("COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0"),
            b"*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n",
        )

    def test_aclReadOnlyUser(self):
        """
        A user who may only read keys may run BITFIELD with GETs, not with
        writes.
        """
        self.call("ACL", "SETUSER", "reader", "on", "nopass", "+@all", "%R~*")
        self.call("AUTH", "reader", "x")
        self.assertEqual(self.call("BITFIELD", "k", "GET", "u8", "0"), b"*1\r\n:0\r\n")
        self.assertTrue(self.call("BITFIELD", "k", "SET", "u8", "0", "1").startswith(b"-NOPERM"))
        self.assertTrue(self.call("SETBIT", "k", "0", "1").startswith(b"-NOPERM"))


class WatchTests(BitmapTestCase):
    def test_silentGrowthNotSeenByWatch(self):
        """
        A BITFIELD whose writes all fail grows the key without WATCH seeing
        it; one that changes a value makes EXEC fail.
        """
        other = self.conn.__class__(self.conn.server)
        self.call("WATCH", "n")
        other.call("BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300")
        self.call("MULTI")
        self.assertEqual(self.call("EXEC"), b"*0\r\n")
        self.call("WATCH", "n")
        other.call("BITFIELD", "n", "INCRBY", "u8", "0", "1")
        self.call("MULTI")
        self.assertEqual(self.call("EXEC"), b"*-1\r\n")
