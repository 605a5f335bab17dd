"""
Tests for L{txredisd.commands.zsets} and L{txredisd.zset}.
"""

import random

from twisted.trial.unittest import SynchronousTestCase

from txredisd import store
from txredisd.commands.zsets import parseLexRange, parseScoreRange
from txredisd.errors import CommandError
from txredisd.zset import LEX_MAX, LEX_MIN, ZSet

from tests.helpers import Connection, makeServer


class _FakeSet(set):
    """
    A stand-in for the set family's value class: iterable members,
    membership tests, and the type name C{set}.
    """


def _registerFakeSet(testCase):
    # Registered for one test only, so no other module sees the class.
    store.registerType(_FakeSet, b"set", lambda value: b"hashtable")

    def unregister():
        del store.TYPE_NAMES[_FakeSet]
        del store._ENCODINGS[_FakeSet]

    testCase.addCleanup(unregister)


class ZSetTests(SynchronousTestCase):
    """
    The L{ZSet} value class.
    """

    def test_orderTiesByMember(self):
        """
        Entries are ordered by score, then by member bytes.
        """
        zset = ZSet([(b"b", 1.0), (b"a", 1.0), (b"c", 0.5)])
        self.assertEqual(list(zset), [(0.5, b"c"), (1.0, b"a"), (1.0, b"b")])
        self.assertEqual(zset.rank(b"b"), 2)

    def test_plainRoundTrip(self):
        """
        L{ZSet.toPlain} gives the RDB codec's C{(member, score)} pairs and
        L{ZSet.fromPlain} rebuilds the set with the encoding its size calls
        for.
        """
        zset = ZSet([(b"b", 2.0), (b"a", 1.0)])
        self.assertEqual(zset.toPlain(), [(b"a", 1.0), (b"b", 2.0)])
        self.assertEqual(list(ZSet.fromPlain(zset.toPlain())), list(zset))
        self.assertTrue(ZSet.fromPlain(zset.toPlain()).listpack)
        self.assertFalse(ZSet.fromPlain([(b"m%d" % i, 0.0) for i in range(129)]).listpack)

    def test_addMoves(self):
        """
        Adding an existing member moves it and reports it as not new.
        """
        zset = ZSet([(b"a", 1.0), (b"b", 2.0)])
        self.assertFalse(zset.add(b"a", 3.0))
        self.assertEqual(list(zset), [(2.0, b"b"), (3.0, b"a")])
        self.assertEqual(len(zset), 2)

    def test_scoreBoundsExclusive(self):
        """
        Exclusive bounds leave out entries with exactly that score.
        """
        zset = ZSet([(b"a", 1.0), (b"b", 2.0), (b"c", 2.0), (b"d", 3.0)])
        self.assertEqual(zset.scoreBounds(parseScoreRange(b"(1", b"(3")), (1, 3))
        self.assertEqual(zset.scoreBounds(parseScoreRange(b"2", b"2")), (1, 3))
        self.assertEqual(zset.scoreBounds(parseScoreRange(b"(2", b"2")), (3, 3))

    def test_lexSpan(self):
        """
        Lex bounds select runs of members of a set with equal scores.
        """
        zset = ZSet([(m, 0.0) for m in (b"a", b"b", b"c", b"d")])
        self.assertEqual(zset.lexSpan(parseLexRange(b"[b", b"(d")), (1, 3))
        self.assertEqual(zset.lexSpan(parseLexRange(b"-", b"+")), (0, 4))
        self.assertEqual(zset.lexSpan(parseLexRange(b"(a", b"[c")), (1, 3))
        self.assertEqual(zset.lexSpan(parseLexRange(b"(b", b"[bb")), (2, 2))
        start, stop = zset.lexSpan(parseLexRange(b"+", b"-"))
        self.assertEqual(start, stop)
        start, stop = zset.lexSpan(parseLexRange(b"[c", b"[b"))
        self.assertEqual(start, stop)

    def test_parseLexRange(self):
        """
        C{-} and C{+} are the open ends; other items need C{[} or C{(}.
        """
        spec = parseLexRange(b"-", b"+")
        self.assertIs(spec.min, LEX_MIN)
        self.assertIs(spec.max, LEX_MAX)
        self.assertRaises(CommandError, parseLexRange, b"a", b"+")
        self.assertRaises(CommandError, parseLexRange, b"-x", b"+")
        self.assertRaises(CommandError, parseLexRange, b"", b"+")

    def test_parseScoreRange(self):
        """
        Score bounds follow C{strtod}: leading spaces and the empty string
        are accepted, NaN and trailing junk are not.
        """
        spec = parseScoreRange(b" 1.5", b"(+inf")
        self.assertEqual((spec.min, spec.minex, spec.max, spec.maxex), (1.5, False, float("inf"), True))
        self.assertEqual(parseScoreRange(b"", b"(").max, 0.0)
        self.assertEqual(parseScoreRange(b"0x10", b"1e400").min, 16.0)
        for bad in (b"nan", b"1 ", b"x", b"1_0", b" "):
            self.assertRaises(CommandError, parseScoreRange, bad, b"1")


class ZAddTests(SynchronousTestCase):
    """
    ZADD, ZINCRBY and the reads of what they stored.
    """

    def setUp(self):
        self.conn = Connection()

    def test_scoresFormattedLikeRedis(self):
        """
        Scores are answered with C{%.17g}: bulk strings in RESP2, doubles
        in RESP3.
        """
        self.assertEqual(self.conn.call("ZADD", "z", "0.1", "a"), b":1\r\n")
        self.assertEqual(self.conn.call("ZSCORE", "z", "a"), b"$19\r\n0.10000000000000001\r\n")
        self.conn.call("HELLO", "3")
        self.assertEqual(self.conn.call("ZSCORE", "z", "a"), b",0.10000000000000001\r\n")

    def test_negativeZeroAfterConversion(self):
        """
        A listpack turns -0 into 0, but the member whose insertion turns
        the set into a skiplist is inserted after the conversion and keeps
        -0, as in Redis's zsetAdd.
        """
        c = self.conn
        long = "m" * 70
        c.call("ZADD", "w", "-0", "a", "1", long)
        self.assertEqual(c.call("ZSCORE", "w", "a"), b"$1\r\n0\r\n")
        c.call("ZADD", "y", "-0", long)
        self.assertEqual(c.call("ZSCORE", "y", long), b"$2\r\n-0\r\n")
        c.call("CONFIG", "SET", "zset-max-listpack-entries", "2")
        c.call("ZADD", "q", "1", "a", "2", "b")
        c.call("ZADD", "q", "-0", "c")
        self.assertEqual(c.call("ZSCORE", "q", "c"), b"$2\r\n-0\r\n")
        self.assertEqual(c.call("OBJECT", "ENCODING", "q"), b"$8\r\nskiplist\r\n")

    def test_options(self):
        """
        NX, XX, GT, LT and CH decide what changes and what is counted.
        """
        c = self.conn
        self.assertEqual(c.call("ZADD", "z", "1", "a", "2", "b"), b":2\r\n")
        self.assertEqual(c.call("ZADD", "z", "NX", "5", "a", "3", "c"), b":1\r\n")
        self.assertEqual(c.call("ZADD", "z", "XX", "CH", "5", "a", "4", "d"), b":1\r\n")
        self.assertEqual(c.call("ZADD", "z", "GT", "CH", "1", "a", "9", "b"), b":1\r\n")
        self.assertEqual(c.call("ZADD", "z", "LT", "CH", "6", "a", "1", "c"), b":1\r\n")
        self.assertEqual(
            c.call("ZRANGE", "z", "0", "-1", "WITHSCORES"),
            b"*6\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n5\r\n$1\r\nb\r\n$1\r\n9\r\n",
        )

    def test_errors(self):
        """
        Incompatible options and bad scores are refused with Redis's texts
        before anything changes.
        """
        c = self.conn
        self.assertEqual(
            c.call("ZADD", "z", "NX", "XX", "1", "a"),
            b"-ERR XX and NX options at the same time are not compatible\r\n",
        )
        self.assertEqual(
            c.call("ZADD", "z", "GT", "LT", "1", "a"),
            b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
        )
        self.assertEqual(
            c.call("ZADD", "z", "INCR", "1", "a", "2", "b"),
            b"-ERR INCR option supports a single increment-element pair\r\n",
        )
        self.assertEqual(c.call("ZADD", "z", "1", "a", "x", "b"), b"-ERR value is not a valid float\r\n")
        self.assertEqual(c.call("ZADD", "z", "1", "a", "2"), b"-ERR syntax error\r\n")
        self.assertEqual(c.call("ZCARD", "z"), b":0\r\n")

    def test_incrNaN(self):
        """
        An increment giving NaN is refused and leaves the score alone.
        """
        c = self.conn
        c.call("ZADD", "z", "inf", "a")
        self.assertEqual(
            c.call("ZINCRBY", "z", "-inf", "a"), b"-ERR resulting score is not a number (NaN)\r\n"
        )
        self.assertEqual(c.call("ZSCORE", "z", "a"), b"$3\r\ninf\r\n")

    def test_incrNotProcessed(self):
        """
        ZADD INCR answers null when NX/XX/GT/LT skip the member.
        """
        c = self.conn
        c.call("ZADD", "z", "1", "a")
        self.assertEqual(c.call("ZADD", "z", "NX", "INCR", "1", "a"), b"$-1\r\n")
        self.assertEqual(c.call("ZADD", "z", "XX", "INCR", "1", "b"), b"$-1\r\n")
        self.assertEqual(c.call("ZADD", "z", "INCR", "1.5", "a"), b"$3\r\n2.5\r\n")

    def test_wrongType(self):
        """
        Sorted set commands refuse keys of other types.
        """
        self.conn.call("SET", "s", "x")
        for argv in (("ZADD", "s", "1", "a"), ("ZSCORE", "s", "a"), ("ZRANGE", "s", "0", "1")):
            self.assertTrue(self.conn.call(*argv).startswith(b"-WRONGTYPE"), argv)

    def test_encoding(self):
        """
        A sorted set is a listpack until it has more than 128 members or a
        member longer than 64 bytes, and stays a skiplist after shrinking.
        """
        c = self.conn
        db = c.server.store.db(0)
        c.call("ZADD", "z", *[x for i in range(128) for x in (i, "m%d" % i)])
        self.assertEqual(store.encodingOf(db.get(b"z")), b"listpack")
        c.call("ZADD", "z", "1", "another")
        self.assertEqual(store.encodingOf(db.get(b"z")), b"skiplist")
        c.call("ZREMRANGEBYRANK", "z", "1", "-1")
        self.assertEqual(store.encodingOf(db.get(b"z")), b"skiplist")
        c.call("ZADD", "long", "1", "x" * 65)
        self.assertEqual(store.encodingOf(db.get(b"long")), b"skiplist")

    def test_typeAndDirty(self):
        """
        A sorted set's type is C{zset}, and ZADD counts one change per added
        or updated member.
        """
        c = self.conn
        keyspace = c.server.store
        before = keyspace.dirty
        c.call("ZADD", "z", "1", "a", "2", "b")
        self.assertEqual(keyspace.dirty - before, 2)
        self.assertEqual(store.typeName(keyspace.db(0).get(b"z")), b"zset")
        c.call("ZADD", "z", "1", "a")
        self.assertEqual(keyspace.dirty - before, 2)


class ZRangeTests(SynchronousTestCase):
    """
    The ZRANGE family.
    """

    def setUp(self):
        self.conn = Connection()
        self.conn.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d")

    def test_resp3Pairs(self):
        """
        WITHSCORES answers an array of member/score pairs in RESP3.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(
            self.conn.call("ZRANGE", "z", "0", "1", "WITHSCORES"),
            b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n",
        )

    def test_reverseScoreLimit(self):
        """
        REV BYSCORE takes the bounds as max, min and LIMIT counts from the
        top.
        """
        self.assertEqual(
            self.conn.call("ZRANGE", "z", "(4", "-inf", "BYSCORE", "REV", "LIMIT", "1", "5"),
            b"*2\r\n$1\r\nb\r\n$1\r\na\r\n",
        )

    def test_negativeRanks(self):
        """
        Negative ranks count from the end.
        """
        self.assertEqual(self.conn.call("ZREVRANGE", "z", "-2", "-1"), b"*2\r\n$1\r\nb\r\n$1\r\na\r\n")

    def test_conflictingOptions(self):
        """
        LIMIT needs BYSCORE or BYLEX, and BYLEX refuses WITHSCORES.
        """
        self.assertEqual(
            self.conn.call("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"),
            b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        )
        self.assertEqual(
            self.conn.call("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"),
            b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
        )

    def test_scoreBoundEndsAtNul(self):
        """
        Score bounds are read as C strings (zslParseRange's strtod): a NUL
        byte ends the number, and an empty one is 0.
        """
        c = self.conn
        self.assertEqual(c.call("ZCOUNT", "z", b"(2\x00junk", b"3\x00x"), b":1\r\n")
        self.assertEqual(c.call("ZREMRANGEBYSCORE", "z", "0", b"\x00\xff"), b":0\r\n")
        self.assertEqual(c.call("ZRANGEBYSCORE", "z", b"(\x00", "1"), b"*1\r\n$1\r\na\r\n")
        self.assertEqual(c.call("ZCOUNT", "z", b" \x00", "+inf"), b"-ERR min or max is not a float\r\n")

    def test_store(self):
        """
        ZRANGESTORE stores the range, and deletes the destination when the
        range is empty.
        """
        c = self.conn
        self.assertEqual(c.call("ZRANGESTORE", "d", "z", "1", "2"), b":2\r\n")
        self.assertEqual(c.call("ZRANGE", "d", "0", "-1"), b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n")
        self.assertEqual(c.call("ZRANGESTORE", "d", "z", "5", "9"), b":0\r\n")
        self.assertEqual(c.call("ZCARD", "d"), b":0\r\n")


class ZRemoveTests(SynchronousTestCase):
    """
    Removal deletes emptied keys.
    """

    def test_lastMemberDeletesKey(self):
        """
        Removing the last member deletes the key.
        """
        c = Connection()
        c.call("ZADD", "z", "1", "a")
        self.assertEqual(c.call("ZREM", "z", "a", "b"), b":1\r\n")
        self.assertNotIn(b"z", c.server.store.db(0).data)

    def test_popEmpties(self):
        """
        ZPOPMAX returns members highest first and deletes the emptied key.
        """
        c = Connection()
        c.call("ZADD", "z", "1", "a", "2", "b")
        self.assertEqual(
            c.call("ZPOPMAX", "z", "5"), b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"
        )
        self.assertNotIn(b"z", c.server.store.db(0).data)

    def test_mpopNested(self):
        """
        ZMPOP answers the key and nested member/score pairs even in RESP2.
        """
        c = Connection()
        c.call("ZADD", "z", "1", "a", "2", "b")
        self.assertEqual(
            c.call("ZMPOP", "2", "x", "z", "MAX"),
            b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
        )
        self.assertEqual(c.call("ZMPOP", "1", "x", "MIN"), b"*-1\r\n")


class AlgebraTests(SynchronousTestCase):
    """
    ZUNION, ZINTER, ZDIFF and their STORE variants.
    """

    def setUp(self):
        self.conn = Connection()
        self.conn.call("ZADD", "a", "1", "x", "2", "y")
        self.conn.call("ZADD", "b", "10", "y", "20", "z")

    def test_setsScoreOne(self):
        """
        Plain sets take part with every member scoring 1.
        """
        _registerFakeSet(self)
        self.conn.server.store.db(0).set(b"s", _FakeSet([b"y", b"w"]))
        self.assertEqual(
            self.conn.call("ZUNION", "2", "a", "s", "WITHSCORES"),
            b"*6\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n3\r\n",
        )
        self.assertEqual(self.conn.call("ZINTERCARD", "2", "a", "s"), b":1\r\n")

    def test_weightsAggregate(self):
        """
        WEIGHTS multiply each input's scores before AGGREGATE combines them.
        """
        self.assertEqual(
            self.conn.call("ZINTER", "2", "a", "b", "WEIGHTS", "3", "1", "AGGREGATE", "MIN", "WITHSCORES"),
            b"*2\r\n$1\r\ny\r\n$1\r\n6\r\n",
        )

    def test_infinitiesSumToZero(self):
        """
        inf + -inf aggregates to 0, as Redis.
        """
        c = self.conn
        self.assertEqual(
            c.call("ZUNION", "2", "a", "b", "WEIGHTS", "inf", "-inf", "WITHSCORES"),
            b"*6\r\n$1\r\nz\r\n$4\r\n-inf\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nx\r\n$3\r\ninf\r\n",
        )

    def test_diffStore(self):
        """
        ZDIFFSTORE keeps the first input's scores.
        """
        c = self.conn
        self.assertEqual(c.call("ZDIFFSTORE", "d", "2", "b", "a"), b":1\r\n")
        self.assertEqual(c.call("ZSCORE", "d", "z"), b"$2\r\n20\r\n")

    def test_noKeys(self):
        """
        A zero key count names the command in the error.
        """
        self.assertEqual(
            self.conn.call("ZINTERSTORE", "d", "0", "a"),
            b"-ERR at least 1 input key is needed for 'zinterstore' command\r\n",
        )


class BlockingTests(SynchronousTestCase):
    """
    BZPOPMIN, BZPOPMAX and BZMPOP.
    """

    def setUp(self):
        self.server = makeServer()
        self.propagated = []
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))

    def connect(self):
        return Connection(self.server)

    def test_servedAtOnce(self):
        """
        With a member there, BZPOPMIN answers at once, propagated as
        ZPOPMIN.
        """
        c = self.connect()
        c.call("ZADD", "z", "1", "a")
        self.assertEqual(c.call("BZPOPMIN", "x", "z", "0"), b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n")
        self.assertEqual(self.propagated[-1], [b"ZPOPMIN", b"z"])

    def test_fifo(self):
        """
        Clients blocked on a key are served in the order they blocked.
        """
        first, second, writer = self.connect(), self.connect(), self.connect()
        self.assertEqual(first.call("BZPOPMAX", "z", "0"), b"")
        self.assertEqual(second.call("BZPOPMAX", "z", "0"), b"")
        writer.call("ZADD", "z", "1", "a")
        self.assertEqual(first.transport.value(), b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n")
        self.assertEqual(second.transport.value(), b"")
        writer.call("ZADD", "z", "2", "b", "3", "c")
        self.assertEqual(second.transport.value(), b"*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n")
        self.assertEqual(self.propagated[-1], [b"ZPOPMAX", b"z"])

    def test_bzmpopServed(self):
        """
        A served BZMPOP answers in the nested shape and is propagated as
        ZPOPMIN with the count it took.
        """
        waiter, writer = self.connect(), self.connect()
        waiter.call("BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
        writer.call("ZADD", "z", "1", "a", "2", "b")
        self.assertEqual(
            waiter.transport.value(),
            b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
        )
        self.assertEqual(self.propagated[-1], [b"ZPOPMIN", b"z", b"2"])

    def test_timeout(self):
        """
        When the timeout passes the client gets a null array.
        """
        c = self.connect()
        self.assertEqual(c.call("BZPOPMIN", "z", "1.5"), b"")
        self.server.clock.advance(1.4)
        self.assertEqual(c.transport.value(), b"")
        self.server.clock.advance(0.2)
        self.assertEqual(c.transport.value(), b"*-1\r\n")
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_disconnect(self):
        """
        A blocked client that goes away stops waiting and leaves no timer.
        """
        c = self.connect()
        c.call("BZPOPMIN", "z", "10")
        self.assertEqual(self.server.blocking.blockedCount(), 1)
        c.close()
        self.assertEqual(self.server.blocking.blockedCount(), 0)
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_cannotBlock(self):
        """
        Where blocking is denied (MULTI, scripts) an empty key answers null
        at once.
        """
        c = self.connect()
        c.client.denyBlocking = True
        self.assertEqual(c.call("BZPOPMAX", "z", "0"), b"*-1\r\n")
        self.assertEqual(self.server.blocking.blockedCount(), 0)

    def test_wrongTypeWhileWaiting(self):
        """
        A waiting client passes over keys that became another type.
        """
        waiter, writer = self.connect(), self.connect()
        waiter.call("BZPOPMIN", "s", "z", "0")
        writer.call("SET", "s", "x")
        writer.call("ZADD", "z", "1", "a")
        self.assertEqual(waiter.transport.value(), b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n")

    def test_badTimeout(self):
        """
        The timeout is checked before any key.
        """
        c = self.connect()
        self.assertEqual(
            c.call("BZPOPMIN", "z", "x"), b"-ERR timeout is not a float or out of range\r\n"
        )
        self.assertEqual(c.call("BZPOPMIN", "z", "-1"), b"-ERR timeout is negative\r\n")


class NotificationTests(SynchronousTestCase):
    """
    Keyspace notifications carry Redis's event names in Redis's order.
    """

    def test_events(self):
        """
        Adding, incrementing, storing, popping and removing the last member
        notify as Redis does, C{del} after the sorted set event.
        """
        c = Connection()
        events = []
        c.server.store.notifier = lambda flag, event, key, index: events.append((flag, event, key))
        c.call("ZADD", "z", "1", "a", "2", "b")
        c.call("ZADD", "z", "1", "a")
        c.call("ZINCRBY", "z", "1", "a")
        c.call("ZUNIONSTORE", "d", "1", "z")
        c.call("ZPOPMIN", "z")
        c.call("ZREM", "z", "b")
        c.call("ZRANGESTORE", "d", "z", "0", "-1")
        c.call("GEOADD", "g", "1", "1", "m")
        self.assertEqual(
            events,
            [
                ("z", b"zadd", b"z"),
                ("z", b"zincr", b"z"),
                ("z", b"zunionstore", b"d"),
                ("z", b"zpopmin", b"z"),
                ("z", b"zrem", b"z"),
                ("g", b"del", b"z"),
                ("g", b"del", b"d"),
                ("z", b"zadd", b"g"),
            ],
        )


class _RedisSkiplist:
    """
    Redis's skiplist lex searches (C{zslFirstInLexRange},
    C{zslLastInLexRange}, C{zslDeleteRangeByLex}, C{zlexcountCommand},
    C{genericZrangebylexCommand}) over members in score order whose node
    levels are given, to check L{ZSet} against.
    """

    def __init__(self, members, levels):
        self.members = members
        self.levels = levels

    def _descend(self, keepGoing):
        # From the top level down, move forward while the next node at
        # that level satisfies keepGoing; -1 is the header.
        here = -1
        for level in range(max(self.levels, default=1), 0, -1):
            for index in range(here + 1, len(self.members)):
                if self.levels[index] < level:
                    continue
                if not keepGoing(self.members[index]):
                    break
                here = index
        return here

    def _inRange(self, spec):
        members = self.members
        return bool(members) and not spec.isEmpty() and spec.gteMin(members[-1]) and spec.lteMax(members[0])

    def first(self, spec):
        if not self._inRange(spec):
            return None
        index = self._descend(lambda member: not spec.gteMin(member)) + 1
        return index if spec.lteMax(self.members[index]) else None

    def last(self, spec):
        if not self._inRange(spec):
            return None
        index = self._descend(spec.lteMax)
        return index if spec.gteMin(self.members[index]) else None

    def count(self, spec):
        first = self.first(spec)
        if first is None:
            return 0
        last = self.last(spec)
        return len(self.members) - first if last is None else last - first + 1

    def removed(self, spec):
        start = stop = self._descend(lambda member: not spec.gteMin(member)) + 1
        while stop < len(self.members) and spec.lteMax(self.members[stop]):
            stop += 1
        return start, stop

    def walk(self, spec, offset, limit, reverse):
        index = self.last(spec) if reverse else self.first(spec)
        step = -1 if reverse else 1
        while index is not None and 0 <= index < len(self.members) and offset:
            index += step
            offset -= 1
        found = []
        while index is not None and 0 <= index < len(self.members) and limit:
            member = self.members[index]
            if not (spec.gteMin(member) if reverse else spec.lteMax(member)):
                break
            found.append(member)
            index += step
            limit -= 1
        return found


def _array(members):
    return b"*%d\r\n" % (len(members),) + b"".join(b"$%d\r\n%s\r\n" % (len(m), m) for m in members)


class LexMixedScoresTests(SynchronousTestCase):
    """
    Lex ranges over sets whose scores differ: a listpack's linear walks,
    and a skiplist's descents as they go when every node has level 1.
    """

    def _connection(self, skiplist):
        c = Connection()
        if skiplist:
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "0")
        return c

    def test_skiplistAsLevelOne(self):
        """
        On random mixed-score skiplists, every lex command answers what
        Redis's skiplist code answers when all its nodes have level 1.
        """
        rnd = random.Random(3)
        words = [b"", b"a", b"ab", b"b", b"ba", b"c", b"d", b"zz", b"\xff"]
        bounds = [b"-", b"+", b"[", b"(", b"[a", b"(a", b"[b", b"(b", b"[bz", b"(c", b"[zz", b"(zz"]
        c = self._connection(skiplist=True)
        for case in range(300):
            pairs = [(m, float(rnd.randint(-2, 2))) for m in rnd.sample(words, rnd.randint(1, len(words)))]
            zset = ZSet(pairs)
            zset.listpack = False
            members = [m for _, m in zset.entries]
            model = _RedisSkiplist(members, [1] * len(members))
            spec = parseLexRange(rnd.choice(bounds), rnd.choice(bounds))
            where = "case %d: %r %r %r %r %r" % (case, members, spec.min, spec.minex, spec.max, spec.maxex)
            self.assertEqual(zset.firstInLex(spec), model.first(spec), where)
            self.assertEqual(zset.lastInLex(spec), model.last(spec), where)
            self.assertEqual(zset.lexCount(spec), model.count(spec), where)
            self.assertEqual(zset.lexRemoveBounds(spec), model.removed(spec), where)

            c.call("DEL", "z")
            c.call("ZADD", "z", *[x for m, score in pairs for x in (repr(score), m)])
            self.assertEqual(c.call("OBJECT", "ENCODING", "z"), b"$8\r\nskiplist\r\n")
            low, high = rnd.choice(bounds), rnd.choice(bounds)
            offset, limit = rnd.randint(-1, 3), rnd.randint(-1, 3)
            spec = parseLexRange(low, high)
            self.assertEqual(
                c.call("ZRANGE", "z", low, high, "BYLEX", "LIMIT", str(offset), str(limit)),
                _array(model.walk(spec, offset, limit, False) if offset >= 0 else []),
                where,
            )
            self.assertEqual(
                c.call("ZREVRANGEBYLEX", "z", high, low, "LIMIT", str(offset), str(limit)),
                _array(model.walk(spec, offset, limit, True) if offset >= 0 else []),
                where,
            )

    def test_levelsMatter(self):
        """
        Where members on one side of a bound are not in one run, Redis's
        answer depends on its node levels: this set removes two members
        with level-1 nodes and none when C{a} is taller than C{c}.
        txredisd answers as with level-1 nodes.
        """
        members = [b"c", b"a", b"m" * 70, b"100"]
        spec = parseLexRange(b"[c", b"[c")
        self.assertEqual(_RedisSkiplist(members, [1, 1, 1, 1]).removed(spec), (0, 2))
        self.assertEqual(_RedisSkiplist(members, [1, 2, 1, 1]).removed(spec), (2, 2))
        c = self._connection(skiplist=False)
        c.call("ZADD", "z", "-inf", "c", "2", "a", "5", b"m" * 70, "inf", "100")
        self.assertEqual(c.call("OBJECT", "ENCODING", "z"), b"$8\r\nskiplist\r\n")
        self.assertEqual(c.call("ZREMRANGEBYLEX", "z", "[c", "[c"), b":2\r\n")
        self.assertEqual(c.call("ZRANGE", "z", "0", "-1"), _array([b"m" * 70, b"100"]))

    def _both(self, zadd, command):
        """
        @return: the replies to C{command} after C{zadd} on a listpack and
            on a skiplist.
        """
        replies = []
        for skiplist in False, True:
            c = self._connection(skiplist)
            c.call(*zadd)
            self.assertEqual(
                c.call("OBJECT", "ENCODING", "z"), b"$8\r\nskiplist\r\n" if skiplist else b"$8\r\nlistpack\r\n"
            )
            replies.append(c.call(*command))
        return replies

    def test_reverseStart(self):
        """
        ZREVRANGEBYLEX starts where a listpack's backward scan from the
        tail finds a member below the maximum, and where a skiplist's
        forward descent stops.
        """
        self.assertEqual(
            self._both(["ZADD", "z", "1", "a", "2", "z", "3", "b"], ["ZREVRANGEBYLEX", "z", "[c", "-"]),
            [_array([b"b", b"z", b"a"]), _array([b"a"])],
        )

    def test_removeWithoutRangeCheck(self):
        """
        A listpack's ZREMRANGEBYLEX gives up when the tail is below the
        minimum; a skiplist's does not check and removes from the first
        member in range.
        """
        self.assertEqual(
            self._both(["ZADD", "z", "1", "b", "2", "a"], ["ZREMRANGEBYLEX", "z", "[b", "[c"]),
            [b":0\r\n", b":2\r\n"],
        )

    def test_countByRanks(self):
        """
        A listpack's ZLEXCOUNT counts its walk from the first member in
        range; a skiplist's subtracts ranks, counting to the end when the
        last member below the maximum is below the minimum.
        """
        self.assertEqual(
            self._both(["ZADD", "z", "1", "b", "2", "a5", "3", "z"], ["ZLEXCOUNT", "z", "[b", "[c"]),
            [b":2\r\n", b":3\r\n"],
        )

    def test_storeFollowsWalk(self):
        """
        ZRANGESTORE BYLEX stores what the same walk selects, with the
        members' scores.
        """
        for skiplist, stored in (False, [b"a", b"z", b"b"]), (True, [b"a"]):
            c = self._connection(skiplist)
            c.call("ZADD", "z", "1", "a", "2", "z", "3", "b")
            self.assertEqual(
                c.call("ZRANGESTORE", "d", "z", "[c", "-", "BYLEX", "REV"), b":%d\r\n" % (len(stored),)
            )
            self.assertEqual(c.call("ZRANGE", "d", "0", "-1"), _array(stored))
