"""
Tests for L{txredisd.commands.strings}.
"""

from hypothesis import given, strategies as st
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection
from txredisd.client import Client
from txredisd.commands.strings import lcsAt, lcsTable
from txredisd.dispatch import execute

NOW = 1_700_000_000_000


class _OtherType:
    """
    A value of some type other than string.
    """


class StringTestCase(SynchronousTestCase):
    """
    A connection to a fresh server whose propagated commands and keyspace
    events are recorded.
    """

    def setUp(self):
        self.conn = Connection()
        self.server = self.conn.server
        self.store = self.server.store
        self.db = self.store.db(0)
        self.propagated = []
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))
        self.events = []
        self.store.notifier = lambda flag, event, key, index: self.events.append((flag, event, key))

    def call(self, *args):
        return self.conn.call(*args)

    def otherType(self, key):
        self.db.data[key] = _OtherType()


class GetSetTests(StringTestCase):
    def test_getMissing(self):
        """
        GET of a missing key answers a null bulk.
        """
        self.assertEqual(self.call("GET", "k"), b"$-1\r\n")

    def test_setGet(self):
        """
        SET stores the value, GET answers it as a bulk string.
        """
        self.assertEqual(self.call("SET", "k", "hello"), b"+OK\r\n")
        self.assertEqual(self.call("GET", "k"), b"$5\r\nhello\r\n")

    def test_setBinary(self):
        """
        Keys and values are binary safe.
        """
        self.call("SET", b"\x00k\r\n", b"\xff\x00\r\n")
        self.assertEqual(self.call("GET", b"\x00k\r\n"), b"$4\r\n\xff\x00\r\n\r\n")

    def test_getWrongType(self):
        """
        GET of a key of another type answers WRONGTYPE.
        """
        self.otherType(b"l")
        self.assertEqual(
            self.call("GET", "l"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        )

    def test_setClearsTTL(self):
        """
        A plain SET removes the key's time to live.
        """
        self.call("SET", "k", "v", "EX", "10")
        self.call("SET", "k", "w")
        self.assertIsNone(self.db.getExpire(b"k"))

    def test_setEvent(self):
        """
        SET notifies a C{set} string event and propagates as it came.
        """
        self.call("SET", "k", "v")
        self.assertEqual(self.events, [("$", b"set", b"k")])
        self.assertEqual(self.propagated, [[b"SET", b"k", b"v"]])

    def test_setOverwritesOtherType(self):
        """
        SET replaces a value of any type.
        """
        self.otherType(b"l")
        self.assertEqual(self.call("SET", "l", "v"), b"+OK\r\n")
        self.assertEqual(self.call("GET", "l"), b"$1\r\nv\r\n")

    def test_hitsAndMisses(self):
        """
        GET counts keyspace hits and misses.
        """
        self.call("SET", "k", "v")
        self.call("GET", "k")
        self.call("GET", "nope")
        self.assertEqual((self.store.hits, self.store.misses), (1, 1))


class SetOptionTests(StringTestCase):
    def test_nx(self):
        """
        SET NX sets only a missing key and answers null otherwise.
        """
        self.assertEqual(self.call("SET", "k", "1", "NX"), b"+OK\r\n")
        self.assertEqual(self.call("SET", "k", "2", "nx"), b"$-1\r\n")
        self.assertEqual(self.call("GET", "k"), b"$1\r\n1\r\n")

    def test_xx(self):
        """
        SET XX sets only an existing key.
        """
        self.assertEqual(self.call("SET", "k", "1", "XX"), b"$-1\r\n")
        self.call("SET", "k", "1")
        self.assertEqual(self.call("SET", "k", "2", "XX"), b"+OK\r\n")
        self.assertEqual(self.call("GET", "k"), b"$1\r\n2\r\n")

    def test_nxAndXx(self):
        """
        NX and XX together are a syntax error.
        """
        self.assertEqual(self.call("SET", "k", "1", "NX", "XX"), b"-ERR syntax error\r\n")

    def test_get(self):
        """
        SET GET answers the old value (null for none) instead of OK.
        """
        self.assertEqual(self.call("SET", "k", "1", "GET"), b"$-1\r\n")
        self.assertEqual(self.call("SET", "k", "2", "GET"), b"$1\r\n1\r\n")

    def test_getWithNxAnswersOldValue(self):
        """
        SET NX GET on an existing key answers its value and sets nothing.
        """
        self.call("SET", "k", "1")
        self.assertEqual(self.call("SET", "k", "2", "NX", "GET"), b"$1\r\n1\r\n")
        self.assertEqual(self.call("GET", "k"), b"$1\r\n1\r\n")

    def test_getWrongType(self):
        """
        SET GET on a key of another type answers WRONGTYPE and sets nothing.
        """
        self.otherType(b"l")
        self.assertEqual(
            self.call("SET", "l", "v", "GET"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        )
        self.assertIsInstance(self.db.data[b"l"], _OtherType)

    def test_getPropagatesWithoutGet(self):
        """
        SET GET is propagated without its (repeatable) GET options.
        """
        self.call("SET", "k", "v", "get", "NX", "GET")
        self.assertEqual(self.propagated, [[b"SET", b"k", b"v", b"NX"]])

    def test_ex(self):
        """
        SET EX sets an expiry in seconds from the command's time stamp and
        propagates as SET with an absolute PXAT.
        """
        self.assertEqual(self.call("SET", "k", "v", "EX", "10", "NX"), b"+OK\r\n")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 10_000)
        self.assertEqual(
            self.propagated, [[b"SET", b"k", b"v", b"PXAT", b"%d" % (NOW + 10_000,)]]
        )
        self.assertEqual(self.events, [("$", b"set", b"k"), ("g", b"expire", b"k")])

    def test_px(self):
        """
        SET PX sets an expiry in milliseconds.
        """
        self.call("SET", "k", "v", "PX", "1500")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 1500)

    def test_exat(self):
        """
        SET EXAT sets an absolute expiry in seconds.
        """
        self.call("SET", "k", "v", "EXAT", "1800000000")
        self.assertEqual(self.db.getExpire(b"k"), 1_800_000_000_000)
        self.assertEqual(self.propagated, [[b"SET", b"k", b"v", b"PXAT", b"1800000000000"]])

    def test_pxat(self):
        """
        SET PXAT sets an absolute expiry in milliseconds.
        """
        self.call("SET", "k", "v", "PXAT", "1800000000123", "GET")
        self.assertEqual(self.db.getExpire(b"k"), 1_800_000_000_123)
        self.assertEqual(self.propagated, [[b"SET", b"k", b"v", b"PXAT", b"1800000000123"]])

    def test_expires(self):
        """
        A key set with PX is gone once the clock passes its time.
        """
        self.call("SET", "k", "v", "PX", "100")
        self.server.clock.advance(0.099)
        self.assertEqual(self.call("GET", "k"), b"$1\r\nv\r\n")
        self.server.clock.advance(0.002)
        self.assertEqual(self.call("GET", "k"), b"$-1\r\n")

    def test_keepTTL(self):
        """
        SET KEEPTTL keeps the key's time to live.
        """
        self.call("SET", "k", "v", "EX", "10")
        self.call("SET", "k", "w", "KEEPTTL")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 10_000)

    def test_repeatedExpireLastWins(self):
        """
        The same expire option given twice: the last value counts.
        """
        self.call("SET", "k", "v", "EX", "10", "ex", "20")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 20_000)

    def test_conflicts(self):
        """
        Different expire options, or one with KEEPTTL, are a syntax error.
        """
        for options in [
            ("EX", "1", "PX", "1"),
            ("PX", "1", "EXAT", "1"),
            ("EXAT", "1", "PXAT", "1"),
            ("PXAT", "1", "EX", "1"),
            ("EX", "1", "KEEPTTL"),
            ("KEEPTTL", "PXAT", "1"),
            ("PERSIST",),
            ("EX",),
            ("BOGUS",),
        ]:
            self.assertEqual(self.call("SET", "k", "v", *options), b"-ERR syntax error\r\n")

    def test_optionsAreCStrings(self):
        """
        Redis compares options as C strings, so a NUL byte ends them.
        """
        self.assertEqual(self.call("SET", "k", "v", b"NX\x00junk"), b"+OK\r\n")
        self.assertEqual(self.call("SET", "k", "v", b"NX\x00junk"), b"$-1\r\n")

    def test_invalidExpire(self):
        """
        Zero, negative and overflowing expire times name the command.
        """
        for options in [
            ("EX", "0"),
            ("PX", "-1"),
            ("EXAT", "0"),
            ("EX", "9223372036854776"),
            ("PX", "9223372036854775807"),
        ]:
            self.assertEqual(
                self.call("SET", "k", "v", *options),
                b"-ERR invalid expire time in 'set' command\r\n",
            )
        self.assertEqual(self.call("GET", "k"), b"$-1\r\n")

    def test_expireNotInteger(self):
        """
        An expire time that is not an integer is refused as such.
        """
        self.assertEqual(
            self.call("SET", "k", "v", "EX", "1.5"),
            b"-ERR value is not an integer or out of range\r\n",
        )

    def test_expireCheckedBeforeGet(self):
        """
        An invalid expire time wins over SET GET's WRONGTYPE.
        """
        self.otherType(b"l")
        self.assertEqual(
            self.call("SET", "l", "v", "EX", "0", "GET"),
            b"-ERR invalid expire time in 'set' command\r\n",
        )

    def test_nothingPropagatedWhenNotSet(self):
        """
        A SET that NX prevents changes nothing and propagates nothing.
        """
        self.call("SET", "k", "v")
        del self.propagated[:]
        self.call("SET", "k", "w", "NX", "EX", "10")
        self.assertEqual(self.propagated, [])
        self.assertIsNone(self.db.getExpire(b"k"))


class SetVariantTests(StringTestCase):
    def test_setnx(self):
        """
        SETNX answers 1 when it sets and 0 when the key exists.
        """
        self.assertEqual(self.call("SETNX", "k", "1"), b":1\r\n")
        self.assertEqual(self.call("SETNX", "k", "2"), b":0\r\n")
        self.assertEqual(self.call("GET", "k"), b"$1\r\n1\r\n")

    def test_setex(self):
        """
        SETEX sets a value with seconds to live, propagated as SET PXAT.
        """
        self.assertEqual(self.call("SETEX", "k", "5", "v"), b"+OK\r\n")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 5000)
        self.assertEqual(self.propagated, [[b"SET", b"k", b"v", b"PXAT", b"%d" % (NOW + 5000,)]])

    def test_setexInvalid(self):
        """
        SETEX's invalid times name SETEX.
        """
        self.assertEqual(
            self.call("SETEX", "k", "0", "v"), b"-ERR invalid expire time in 'setex' command\r\n"
        )

    def test_psetex(self):
        """
        PSETEX sets a value with milliseconds to live.
        """
        self.assertEqual(self.call("PSETEX", "k", "5", "v"), b"+OK\r\n")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 5)
        self.assertEqual(
            self.call("PSETEX", "k", "-5", "v"), b"-ERR invalid expire time in 'psetex' command\r\n"
        )

    def test_getset(self):
        """
        GETSET answers the old value, sets the new one, clears the TTL and
        propagates as SET.
        """
        self.call("SET", "k", "1", "EX", "10")
        del self.propagated[:]
        self.assertEqual(self.call("GETSET", "k", "2"), b"$1\r\n1\r\n")
        self.assertIsNone(self.db.getExpire(b"k"))
        self.assertEqual(self.propagated, [[b"SET", b"k", b"2"]])

    def test_getdel(self):
        """
        GETDEL answers the value, deletes the key and propagates DEL.
        """
        self.call("SET", "k", "v")
        del self.events[:]
        self.assertEqual(self.call("GETDEL", "k"), b"$1\r\nv\r\n")
        self.assertEqual(self.call("GETDEL", "k"), b"$-1\r\n")
        self.assertEqual(self.propagated[-1], [b"DEL", b"k"])
        self.assertEqual(self.events, [("g", b"del", b"k")])

    def test_mget(self):
        """
        MGET answers null for missing keys and keys of other types.
        """
        self.call("SET", "a", "1")
        self.otherType(b"l")
        self.assertEqual(self.call("MGET", "a", "l", "b"), b"*3\r\n$1\r\n1\r\n$-1\r\n$-1\r\n")

    def test_mset(self):
        """
        MSET sets every pair, one C{set} event per key.
        """
        self.assertEqual(self.call("MSET", "a", "1", "b", "2"), b"+OK\r\n")
        self.assertEqual(self.call("MGET", "a", "b"), b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        self.assertEqual(self.events, [("$", b"set", b"a"), ("$", b"set", b"b")])

    def test_msetOddArguments(self):
        """
        MSET with a key missing its value is an arity error.
        """
        self.assertEqual(
            self.call("MSET", "a", "1", "b"),
            b"-ERR wrong number of arguments for 'mset' command\r\n",
        )

    def test_msetnx(self):
        """
        MSETNX sets nothing if any key exists.
        """
        self.call("SET", "b", "x")
        self.assertEqual(self.call("MSETNX", "a", "1", "b", "2"), b":0\r\n")
        self.assertEqual(self.call("GET", "a"), b"$-1\r\n")
        self.assertEqual(self.call("MSETNX", "a", "1", "c", "2"), b":1\r\n")
        self.assertEqual(
            self.call("MSETNX", "a", "1", "c"),
            b"-ERR wrong number of arguments for 'msetnx' command\r\n",
        )


class GetexTests(StringTestCase):
    def setUp(self):
        StringTestCase.setUp(self)
        self.call("SET", "k", "v")
        del self.propagated[:]
        del self.events[:]

    def test_plain(self):
        """
        GETEX without options is a GET that propagates nothing.
        """
        self.assertEqual(self.call("GETEX", "k"), b"$1\r\nv\r\n")
        self.assertEqual(self.propagated, [])

    def test_ex(self):
        """
        GETEX EX sets a TTL, propagated as PEXPIREAT, with an C{expire}
        event.
        """
        self.assertEqual(self.call("GETEX", "k", "EX", "10"), b"$1\r\nv\r\n")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 10_000)
        self.assertEqual(self.propagated, [[b"PEXPIREAT", b"k", b"%d" % (NOW + 10_000,)]])
        self.assertEqual(self.events, [("g", b"expire", b"k")])

    def test_pxat(self):
        """
        GETEX PXAT is propagated as PEXPIREAT too.
        """
        self.call("GETEX", "k", "PXAT", "1800000000000")
        self.assertEqual(self.propagated, [[b"PEXPIREAT", b"k", b"1800000000000"]])

    def test_pastAbsoluteDeletes(self):
        """
        GETEX EXAT in the past deletes the key and propagates DEL.
        """
        self.assertEqual(self.call("GETEX", "k", "EXAT", "1"), b"$1\r\nv\r\n")
        self.assertNotIn(b"k", self.db.data)
        self.assertEqual(self.propagated, [[b"DEL", b"k"]])
        self.assertEqual(self.events, [("g", b"del", b"k")])

    def test_pastAbsoluteOnReplica(self):
        """
        On a replica, a past absolute time is only set: the master's DEL
        will come.
        """
        self.store.deleteExpired = False
        self.call("GETEX", "k", "PXAT", "1")
        self.assertEqual(self.db.getExpire(b"k"), 1)

    def test_persist(self):
        """
        GETEX PERSIST removes a TTL and propagates PERSIST, only if there
        was one.
        """
        self.call("GETEX", "k", "PERSIST")
        self.assertEqual(self.propagated, [])
        self.call("GETEX", "k", "EX", "10")
        del self.propagated[:]
        del self.events[:]
        self.call("GETEX", "k", "PERSIST")
        self.assertIsNone(self.db.getExpire(b"k"))
        self.assertEqual(self.propagated, [[b"PERSIST", b"k"]])
        self.assertEqual(self.events, [("g", b"persist", b"k")])

    def test_missingKeyBeforeExpireCheck(self):
        """
        A missing key answers null before the expire time is validated.
        """
        self.assertEqual(self.call("GETEX", "nope", "EX", "0"), b"$-1\r\n")
        self.assertEqual(
            self.call("GETEX", "k", "EX", "0"), b"-ERR invalid expire time in 'getex' command\r\n"
        )

    def test_setOnlyOptions(self):
        """
        SET's NX, XX, GET and KEEPTTL are syntax errors in GETEX.
        """
        for option in ["NX", "XX", "GET", "KEEPTTL"]:
            self.assertEqual(self.call("GETEX", "k", option), b"-ERR syntax error\r\n")


class IncrTests(StringTestCase):
    def test_incrMissing(self):
        """
        INCR of a missing key starts from zero, with an C{incrby} event.
        """
        self.assertEqual(self.call("INCR", "n"), b":1\r\n")
        self.assertEqual(self.call("GET", "n"), b"$1\r\n1\r\n")
        self.assertEqual(self.events, [("$", b"incrby", b"n")])

    def test_family(self):
        """
        DECR, INCRBY and DECRBY add what their names say.
        """
        self.assertEqual(self.call("DECR", "n"), b":-1\r\n")
        self.assertEqual(self.call("INCRBY", "n", "10"), b":9\r\n")
        self.assertEqual(self.call("DECRBY", "n", "20"), b":-11\r\n")

    def test_keepsTTL(self):
        """
        INCR keeps the key's time to live.
        """
        self.call("SET", "n", "1", "EX", "10")
        self.call("INCR", "n")
        self.assertEqual(self.db.getExpire(b"n"), NOW + 10_000)

    def test_notInteger(self):
        """
        Values and increments must be canonical 64-bit integers.
        """
        for value in ["abc", " 1", "1 ", "01", "+1", "1.0", "", "9223372036854775808"]:
            self.call("SET", "n", value)
            self.assertEqual(
                self.call("INCR", "n"), b"-ERR value is not an integer or out of range\r\n"
            )
            self.assertEqual(
                self.call("INCRBY", "m", value),
                b"-ERR value is not an integer or out of range\r\n",
            )

    def test_overflow(self):
        """
        Results beyond 64 bits are refused and nothing changes.
        """
        self.call("SET", "n", "9223372036854775807")
        self.assertEqual(self.call("INCR", "n"), b"-ERR increment or decrement would overflow\r\n")
        self.call("SET", "n", "-9223372036854775808")
        self.assertEqual(self.call("DECR", "n"), b"-ERR increment or decrement would overflow\r\n")
        self.assertEqual(self.call("GET", "n"), b"$20\r\n-9223372036854775808\r\n")

    def test_decrbyMinimum(self):
        """
        DECRBY of LLONG_MIN is refused before the key is looked at.
        """
        self.otherType(b"l")
        self.assertEqual(
            self.call("DECRBY", "l", "-9223372036854775808"),
            b"-ERR decrement would overflow\r\n",
        )

    def test_wrongType(self):
        """
        INCR of another type answers WRONGTYPE; INCRBY checks its increment
        first.
        """
        self.otherType(b"l")
        self.assertEqual(
            self.call("INCR", "l"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        )
        self.assertEqual(
            self.call("INCRBY", "l", "x"), b"-ERR value is not an integer or out of range\r\n"
        )


class IncrbyfloatTests(StringTestCase):
    def incr(self, key, value):
        return self.call("INCRBYFLOAT", key, value)

    def test_longDoubleSum(self):
        """
        0.1 + 0.2 is 0.3, as Redis's long double arithmetic prints it.
        """
        self.assertEqual(self.incr("f", "0.1"), b"$3\r\n0.1\r\n")
        self.assertEqual(self.incr("f", "0.2"), b"$3\r\n0.3\r\n")

    def test_formats(self):
        """
        Exponents, hexadecimal and integers are accepted; the result is
        printed in fixed point with 17 decimals, trailing zeros removed.
        """
        self.assertEqual(self.incr("a", "5.0e3"), b"$4\r\n5000\r\n")
        self.assertEqual(self.incr("b", "0x1.8p1"), b"$1\r\n3\r\n")
        self.assertEqual(self.incr("c", "-1e-18"), b"$1\r\n0\r\n")
        self.assertEqual(self.incr("d", "1e-17"), b"$19\r\n0.00000000000000001\r\n")
        self.assertEqual(self.incr("e", "10.5"), b"$4\r\n10.5\r\n")

    def test_tiesToEven(self):
        """
        The 17th decimal is rounded half to even, as glibc's printf does.
        """
        self.assertEqual(self.incr("a", "0.000003814697265625"), b"$19\r\n0.00000381469726562\r\n")
        self.assertEqual(self.incr("b", "0.000011444091796875"), b"$19\r\n0.00001144409179688\r\n")

    def test_beyondDouble(self):
        """
        Long doubles go beyond a double's range: 1e400 is a number.
        """
        reply = self.incr("f", "1e400")
        self.assertTrue(reply.startswith(b"$401\r\n100000000000000000002818"))

    def test_infinity(self):
        """
        An infinite increment or sum is refused and nothing changes.
        """
        self.call("SET", "f", "1")
        self.assertEqual(self.incr("f", "inf"), b"-ERR increment would produce NaN or Infinity\r\n")
        self.assertEqual(self.incr("f", "-Infinity"), b"-ERR increment would produce NaN or Infinity\r\n")
        # Overflowing the long double range while parsing is strtold's ERANGE.
        self.assertEqual(self.incr("f", "1e5000"), b"-ERR value is not a valid float\r\n")
        self.call("SET", "g", "1.18e4932")
        self.assertEqual(self.incr("g", "1e4932"), b"-ERR increment would produce NaN or Infinity\r\n")
        self.assertEqual(self.call("GET", "f"), b"$1\r\n1\r\n")

    def test_notFloat(self):
        """
        NaN, spaces, empty strings and trailing garbage are not floats, in
        the value or in the increment.
        """
        for value in ["nan", " 1", "1 ", "", "1e", "abc", "0x", "1e-5000"]:
            self.assertEqual(self.incr("f", value), b"-ERR value is not a valid float\r\n")
            self.call("SET", "g", value)
            self.assertEqual(self.incr("g", "1"), b"-ERR value is not a valid float\r\n")

    def test_propagatesAsSet(self):
        """
        INCRBYFLOAT propagates as SET of the result with KEEPTTL, keeping
        the key's time to live.
        """
        self.call("SET", "f", "1", "EX", "10")
        self.incr("f", "1.5")
        self.assertEqual(self.propagated[-1], [b"SET", b"f", b"2.5", b"KEEPTTL"])
        self.assertEqual(self.db.getExpire(b"f"), NOW + 10_000)
        self.assertEqual(self.events[-1], ("$", b"incrbyfloat", b"f"))

    def test_wrongType(self):
        """
        INCRBYFLOAT of another type answers WRONGTYPE.
        """
        self.otherType(b"l")
        self.assertEqual(
            self.incr("l", "1"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        )


class AppendSetrangeTests(StringTestCase):
    def test_append(self):
        """
        APPEND creates or extends a string and answers its length.
        """
        self.assertEqual(self.call("APPEND", "k", "ab"), b":2\r\n")
        self.assertEqual(self.call("APPEND", "k", "cd"), b":4\r\n")
        self.assertEqual(self.call("GET", "k"), b"$4\r\nabcd\r\n")
        self.assertEqual(self.events, [("$", b"append", b"k")] * 2)

    def test_appendKeepsTTL(self):
        """
        APPEND keeps the key's time to live.
        """
        self.call("SET", "k", "a", "PX", "100")
        self.call("APPEND", "k", "b")
        self.assertEqual(self.db.getExpire(b"k"), NOW + 100)

    def test_appendLimit(self):
        """
        APPEND refuses to grow a string beyond proto-max-bulk-len.
        """
        self.server.config.set("proto-max-bulk-len", b"1mb")
        self.call("SET", "k", b"x" * (1024 * 1024 - 1))
        self.assertEqual(self.call("APPEND", "k", "y"), b":1048576\r\n")
        self.assertEqual(
            self.call("APPEND", "k", "z"),
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        )

    def test_masterIgnoresLimit(self):
        """
        A master's commands are obeyed whatever the limit.
        """
        self.server.config.set("proto-max-bulk-len", b"1mb")
        master = Client(self.server)
        master.kind = "master"
        self.assertEqual(execute(master, [b"SETRANGE", b"k", b"1048576", b"x"]), 1048577)

    def test_strlen(self):
        """
        STRLEN answers the length, 0 for a missing key.
        """
        self.call("SET", "k", "abc")
        self.assertEqual(self.call("STRLEN", "k"), b":3\r\n")
        self.assertEqual(self.call("STRLEN", "nope"), b":0\r\n")

    def test_setrange(self):
        """
        SETRANGE overwrites from an offset, padding with zero bytes.
        """
        self.assertEqual(self.call("SETRANGE", "k", "2", "ab"), b":4\r\n")
        self.assertEqual(self.call("GET", "k"), b"$4\r\n\x00\x00ab\r\n")
        self.assertEqual(self.call("SETRANGE", "k", "1", "X"), b":4\r\n")
        self.assertEqual(self.call("GET", "k"), b"$4\r\n\x00Xab\r\n")
        self.assertEqual(self.events, [("$", b"setrange", b"k")] * 2)

    def test_setrangeEmpty(self):
        """
        SETRANGE of nothing creates no key and answers the current length.
        """
        self.assertEqual(self.call("SETRANGE", "k", "10", ""), b":0\r\n")
        self.assertNotIn(b"k", self.db.data)
        self.call("SET", "k", "abc")
        self.assertEqual(self.call("SETRANGE", "k", "10", ""), b":3\r\n")

    def test_setrangeErrors(self):
        """
        Negative offsets and results beyond proto-max-bulk-len are refused.
        """
        self.assertEqual(self.call("SETRANGE", "k", "-1", "x"), b"-ERR offset is out of range\r\n")
        self.assertEqual(
            self.call("SETRANGE", "k", "536870912", "x"),
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        )
        self.assertEqual(
            self.call("SETRANGE", "k", "x", "x"),
            b"-ERR value is not an integer or out of range\r\n",
        )

    def test_getrange(self):
        """
        GETRANGE takes inclusive, possibly negative, clamped indexes.
        """
        self.call("SET", "k", "Hello")
        cases = [
            (("0", "-1"), b"$5\r\nHello\r\n"),
            (("1", "2"), b"$2\r\nel\r\n"),
            (("-3", "100"), b"$3\r\nllo\r\n"),
            (("3", "1"), b"$0\r\n\r\n"),
            (("-1", "-3"), b"$0\r\n\r\n"),
            (("-100", "0"), b"$1\r\nH\r\n"),
        ]
        for (start, end), expected in cases:
            self.assertEqual(self.call("GETRANGE", "k", start, end), expected)
        self.assertEqual(self.call("SUBSTR", "k", "0", "0"), b"$1\r\nH\r\n")
        self.assertEqual(self.call("GETRANGE", "nope", "0", "1"), b"$0\r\n\r\n")


class LcsTests(StringTestCase):
    def setUp(self):
        StringTestCase.setUp(self)
        self.call("MSET", "a", "ohmytext", "b", "mynewtext")

    def test_string(self):
        """
        LCS answers the longest common subsequence.
        """
        self.assertEqual(self.call("LCS", "a", "b"), b"$6\r\nmytext\r\n")

    def test_len(self):
        """
        LCS LEN answers its length.
        """
        self.assertEqual(self.call("LCS", "a", "b", "LEN"), b":6\r\n")

    def test_idx(self):
        """
        LCS IDX answers the matching ranges, last first, and the length.
        """
        self.assertEqual(
            self.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"),
            b"*4\r\n$7\r\nmatches\r\n*2\r\n"
            b"*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n"
            b"$3\r\nlen\r\n:6\r\n",
        )

    def test_idxResp3(self):
        """
        In RESP3 LCS IDX answers a map.
        """
        self.call("HELLO", "3")
        self.assertEqual(
            self.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "4"),
            b"%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"$3\r\nlen\r\n:6\r\n",
        )

    def test_errors(self):
        """
        LEN with IDX, unknown options and non-string keys are refused.
        """
        self.assertEqual(
            self.call("LCS", "a", "b", "LEN", "IDX"),
            b"-ERR If you want both the length and indexes, please just use IDX.\r\n",
        )
        self.assertEqual(self.call("LCS", "a", "b", "NOPE"), b"-ERR syntax error\r\n")
        self.otherType(b"l")
        self.assertEqual(
            self.call("LCS", "a", "l"),
            b"-ERR The specified keys must contain string values\r\n",
        )

    def test_tooBig(self):
        """
        LCS refuses tables larger than proto-max-bulk-len.
        """
        self.call("MSET", "x", "a" * 12000, "y", "a" * 12000)
        self.assertEqual(
            self.call("LCS", "x", "y"),
            b"-ERR Insufficient memory, transient memory for LCS exceeds "
            b"proto-max-bulk-len\r\n",
        )


class LcsTableTests(SynchronousTestCase):
    @given(st.binary(max_size=30), st.binary(max_size=30))
    def test_matchesDynamicProgramming(self, a, b):
        """
        The bit-parallel rows give the same LCS lengths as the plain
        dynamic programming table, for every prefix pair.
        """
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                if a[i - 1] == b[j - 1]:
                    table[i][j] = table[i - 1][j - 1] + 1
                else:
                    table[i][j] = max(table[i - 1][j], table[i][j - 1])
        rows = lcsTable(a, b)
        for i in range(len(a) + 1):
            for j in range(len(b) + 1):
                self.assertEqual(lcsAt(rows, i, j), table[i][j])
