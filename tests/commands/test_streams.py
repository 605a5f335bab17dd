"""
Tests for L{txredisd.commands.streams} and L{txredisd.stream}: replies as
exact RESP bytes, blocking reads on a L{task.Clock}, propagation rewrites
and RDB round trips.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.persistence import rdb
from txredisd.persistence.values import fromPlain, toPlain
from txredisd.stream import Stream


def _entry(entryId, *fields):
    out = b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(entryId), entryId, len(fields))
    return out + b"".join(b"$%d\r\n%s\r\n" % (len(f), f) for f in fields)


class _StreamCase(SynchronousTestCase):
    def setUp(self):
        self.server = makeServer()
        self.conn = Connection(self.server)
        self.propagated = []
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))

    def call(self, *args):
        return self.conn.call(*args)

    def connect(self):
        return Connection(self.server)


class ReplyTests(_StreamCase):
    """
    Reply shapes of the stream commands.
    """

    def test_xaddReturnsId(self):
        """
        XADD answers the id it used as a bulk string; C{*} takes the
        server's clock in milliseconds, and the same millisecond again
        increments the sequence.
        """
        self.assertEqual(self.call("XADD", "s", "*", "f", "v"), b"$15\r\n1700000000000-0\r\n")
        self.assertEqual(self.call("XADD", "s", "*", "f", "v"), b"$15\r\n1700000000000-1\r\n")
        self.server.clock.advance(0.005)
        self.assertEqual(self.call("XADD", "s", "*", "f", "v"), b"$15\r\n1700000000005-0\r\n")
        self.assertEqual(self.call("TYPE", "s"), b"+stream\r\n")
        self.assertEqual(self.call("OBJECT", "ENCODING", "s"), b"$6\r\nstream\r\n")

    def test_xaddErrors(self):
        """
        XADD refuses ids not above the top item and 0-0 with Redis's texts.
        """
        self.call("XADD", "s", "5-5", "f", "v")
        self.assertEqual(
            self.call("XADD", "s", "5-5", "f", "v"),
            b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
        )
        self.assertEqual(
            self.call("XADD", "t", "0-0", "f", "v"),
            b"-ERR The ID specified in XADD must be greater than 0-0\r\n",
        )
        self.assertEqual(
            self.call("XADD", "s", "x-1", "f", "v"),
            b"-ERR Invalid stream ID specified as stream command argument\r\n",
        )
        self.assertEqual(self.call("EXISTS", "t"), b":0\r\n")

    def test_xrange(self):
        """
        XRANGE answers C{[id, [field, value, ...]]} entries; exclusive and
        incomplete ids bound the range.
        """
        self.call("XADD", "s", "1-0", "a", "1")
        self.call("XADD", "s", "1-1", "b", "2")
        self.call("XADD", "s", "2-0", "c", "3")
        self.assertEqual(
            self.call("XRANGE", "s", "(1-0", "1"),
            b"*1\r\n" + _entry(b"1-1", b"b", b"2"),
        )
        self.assertEqual(
            self.call("XREVRANGE", "s", "+", "-", "COUNT", "1"),
            b"*1\r\n" + _entry(b"2-0", b"c", b"3"),
        )
        self.assertEqual(self.call("XRANGE", "s", "-", "+", "COUNT", "0"), b"*-1\r\n")

    def test_xreadResp3IsMap(self):
        """
        XREAD answers an array of C{[key, entries]} pairs in RESP2 and a map
        in RESP3.
        """
        self.call("XADD", "s", "1-0", "f", "v")
        self.assertEqual(
            self.call("XREAD", "STREAMS", "s", "0"),
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + _entry(b"1-0", b"f", b"v"),
        )
        self.call("HELLO", "3")
        self.assertEqual(
            self.call("XREAD", "STREAMS", "s", "0"),
            b"%1\r\n$1\r\ns\r\n*1\r\n" + _entry(b"1-0", b"f", b"v"),
        )
        self.assertEqual(self.call("XREAD", "STREAMS", "s", "$"), b"_\r\n")

    def test_xinfoGroupsResp3(self):
        """
        XINFO GROUPS answers one map per group in RESP3, with a null
        entries-read for a group created without a counter.
        """
        self.call("XADD", "s", "1-0", "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        self.call("HELLO", "3")
        self.assertEqual(
            self.call("XINFO", "GROUPS", "s"),
            b"*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n"
            b"$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n"
            b"$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n:1\r\n",
        )

    def test_xpendingIdle(self):
        """
        XPENDING's extended form answers the idle time from the server's
        clock and filters by IDLE.
        """
        self.call("XADD", "s", "1-0", "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        self.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
        self.server.clock.advance(1.5)
        self.assertEqual(
            self.call("XPENDING", "s", "g", "-", "+", "10"),
            b"*1\r\n*4\r\n$3\r\n1-0\r\n$1\r\nc\r\n:1500\r\n:1\r\n",
        )
        self.assertEqual(self.call("XPENDING", "s", "g", "IDLE", "2000", "-", "+", "10"), b"*0\r\n")
        self.assertEqual(
            self.call("XPENDING", "s", "g"),
            b"*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n",
        )

    def test_xclaimIdle(self):
        """
        XCLAIM's IDLE sets the entry's delivery time that far in the past,
        and min-idle-time leaves entries delivered more recently.
        """
        self.call("XADD", "s", "1-0", "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        self.call("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
        self.assertEqual(self.call("XCLAIM", "s", "g", "b", "10", "1-0", "JUSTID"), b"*0\r\n")
        self.assertEqual(
            self.call("XCLAIM", "s", "g", "b", "0", "1-0", "IDLE", "5000", "JUSTID"),
            b"*1\r\n$3\r\n1-0\r\n",
        )
        self.assertEqual(
            self.call("XPENDING", "s", "g", "-", "+", "1"),
            b"*1\r\n*4\r\n$3\r\n1-0\r\n$1\r\nb\r\n:5000\r\n:1\r\n",
        )

    def test_xautoclaimIdle(self):
        """
        XAUTOCLAIM hands over only entries idle for at least min-idle-time
        and answers the cursor, the entries and the deleted ids.
        """
        for i in range(1, 4):
            self.call("XADD", "s", "%d-0" % i, "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        self.call("XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">")
        self.server.clock.advance(10)
        self.call("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
        self.call("XDEL", "s", "1-0")
        self.assertEqual(
            self.call("XAUTOCLAIM", "s", "g", "b", "5000", "0", "JUSTID"),
            b"*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n2-0\r\n*1\r\n$3\r\n1-0\r\n",
        )


class NotificationTests(_StreamCase):
    """
    Keyspace notifications of the stream commands.
    """

    def test_events(self):
        """
        Stream commands notify Redis's C{t} class events, group reads and
        claims the consumers they create.
        """
        events = []
        self.server.store.notifier = lambda flag, event, key, index: events.append((flag, event))
        self.call("XADD", "s", "MAXLEN", "0", "1-0", "f", "v")
        self.call("XADD", "s", "2-0", "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        self.call("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
        self.call("XCLAIM", "s", "g", "b", "0", "2-0")
        self.call("XGROUP", "SETID", "s", "g", "0")
        self.call("XGROUP", "DELCONSUMER", "s", "g", "b")
        self.call("XGROUP", "DESTROY", "s", "g")
        self.call("XDEL", "s", "2-0")
        self.call("XSETID", "s", "5-0")
        self.assertEqual(
            [event for flag, event in events if flag == "t"],
            [
                b"xadd",
                b"xtrim",
                b"xadd",
                b"xgroup-create",
                b"xgroup-createconsumer",
                b"xgroup-createconsumer",
                b"xgroup-setid",
                b"xgroup-delconsumer",
                b"xgroup-destroy",
                b"xdel",
                b"xsetid",
            ],
        )


class CopyTests(_StreamCase):
    """
    COPY of a stream.
    """

    def test_copyIsIndependent(self):
        """
        COPY makes a stream whose entries and groups change apart from the
        original's.
        """
        self.call("XADD", "s", "1-0", "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        self.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
        self.assertEqual(self.call("COPY", "s", "t"), b":1\r\n")
        self.call("XADD", "t", "2-0", "f", "w")
        self.call("XACK", "t", "g", "1-0")
        self.assertEqual(self.call("XLEN", "s"), b":1\r\n")
        self.assertEqual(
            self.call("XPENDING", "s", "g"),
            b"*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n",
        )
        self.assertEqual(self.call("XPENDING", "t", "g"), b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n")


class TrimModelTests(SynchronousTestCase):
    """
    The listpack node model behind approximate trimming.
    """

    def test_nodesOfHundred(self):
        """
        Small entries fill nodes of 100; MAXLEN ~ removes whole nodes only.
        """
        stream = Stream()
        for i in range(1, 251):
            stream.append((i, 0), (b"f", b"v"))
        self.assertEqual(stream.radixTreeKeys(), 3)
        self.assertEqual(stream.trim(maxlen=180, approx=True, limit=10000), 0)
        self.assertEqual(stream.trim(maxlen=150, approx=True, limit=10000), 100)
        self.assertEqual(len(stream), 150)
        self.assertEqual(stream.firstId, (101, 0))

    def test_limitCountsWholeNodes(self):
        """
        LIMIT stops an approximate trim before a node that would pass it.
        """
        stream = Stream()
        for i in range(1, 301):
            stream.append((i, 0), (b"f", b"v"))
        self.assertEqual(stream.trim(maxlen=0, approx=True, limit=150), 100)
        self.assertEqual(stream.trim(minid=(301, 0), approx=True, limit=99), 0)
        self.assertEqual(stream.trim(minid=(301, 0), approx=True, limit=0), 200)
        self.assertEqual(len(stream), 0)
        self.assertEqual(stream.firstId, (0, 0))

    def test_byteLimit(self):
        """
        Large values start a new node before 100 entries, at Redis's 4096
        byte listpack limit.
        """
        stream = Stream()
        for i in range(1, 21):
            stream.append((i, 0), (b"f", b"x" * 1000))
        self.assertEqual(stream.radixTreeKeys(), 5)

    def test_radixNodes(self):
        """
        The radix tree node count is Redis's for one and two node keys.
        """
        stream = Stream()
        self.assertEqual(stream.radixTreeNodes(), 1)
        stream.append((1, 1), (b"f", b"v"))
        self.assertEqual(stream.radixTreeNodes(), 2)
        for i in range(2, 102):
            stream.append((i, 0), (b"f", b"v"))
        self.assertEqual(stream.radixTreeNodes(), 6)


class BlockingTests(_StreamCase):
    """
    XREAD and XREADGROUP with BLOCK.
    """

    def test_servedByXadd(self):
        """
        A blocked XREAD gets the entry another client adds, and its timer
        is cancelled.
        """
        self.assertEqual(self.call("XREAD", "BLOCK", "1000", "STREAMS", "s", "$"), b"")
        other = self.connect()
        self.assertEqual(other.call("XADD", "s", "1-0", "f", "v"), b"$3\r\n1-0\r\n")
        self.assertEqual(
            self.conn.transport.value(),
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + _entry(b"1-0", b"f", b"v"),
        )
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_dollarIsResolvedWhenBlocking(self):
        """
        C{$} means the last id when the command blocked: entries already in
        the stream are not answered, the next one is.
        """
        self.call("XADD", "s", "1-0", "old", "x")
        self.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        self.assertEqual(self.server.clock.getDelayedCalls(), [])
        self.connect().call("XADD", "s", "2-0", "new", "y")
        self.assertEqual(
            self.conn.transport.value(),
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + _entry(b"2-0", b"new", b"y"),
        )

    def test_timeout(self):
        """
        Without data a blocked XREAD answers the null array at its deadline.
        """
        self.assertEqual(self.call("XREAD", "BLOCK", "1500", "STREAMS", "s", "0"), b"")
        self.server.clock.advance(1.4)
        self.assertEqual(self.conn.transport.value(), b"")
        self.server.clock.advance(0.1)
        self.assertEqual(self.conn.transport.value(), b"*-1\r\n")

    def test_fifo(self):
        """
        Clients blocked on the same group are served in blocking order, one
        entry each.
        """
        self.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        first, second = self.connect(), self.connect()
        first.call("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">")
        second.call("XREADGROUP", "GROUP", "g", "b", "BLOCK", "0", "STREAMS", "s", ">")
        self.call("XADD", "s", "1-0", "f", "v")
        self.assertEqual(
            first.transport.value(),
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + _entry(b"1-0", b"f", b"v"),
        )
        self.assertEqual(second.transport.value(), b"")
        self.call("XADD", "s", "2-0", "f", "w")
        self.assertEqual(
            second.transport.value(),
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + _entry(b"2-0", b"f", b"w"),
        )

    def test_blockedXreadgroupPropagatesXclaim(self):
        """
        Serving a blocked XREADGROUP propagates an XCLAIM for the entry it
        delivered, as Redis does.
        """
        self.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        reader = self.connect()
        reader.call("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">")
        del self.propagated[:]
        self.call("XADD", "s", "1-0", "f", "v")
        self.assertEqual(
            self.propagated,
            [
                [b"XADD", b"s", b"1-0", b"f", b"v"],
                [
                    b"XCLAIM", b"s", b"g", b"a", b"0", b"1-0", b"TIME", b"1700000000000",
                    b"RETRYCOUNT", b"1", b"FORCE", b"JUSTID", b"LASTID", b"1-0",
                ],
            ],
        )

    def test_deletedStream(self):
        """
        Deleting the stream answers clients blocked on it with XREADGROUP
        Redis 7.0's UNBLOCKED error; plain XREAD clients go on waiting.
        """
        self.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        group, plain = self.connect(), self.connect()
        group.call("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">")
        plain.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        self.call("DEL", "s")
        self.assertEqual(group.transport.value(), b"-UNBLOCKED the stream key no longer exists\r\n")
        self.assertEqual(plain.transport.value(), b"")
        self.assertTrue(self.server.blocking.isBlocked(plain.client))

    def test_destroyedGroup(self):
        """
        XGROUP DESTROY answers clients blocked on the group with NOGROUP.
        """
        self.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        reader = self.connect()
        reader.call("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">")
        self.assertEqual(self.call("XGROUP", "DESTROY", "s", "g"), b":1\r\n")
        self.assertEqual(
            reader.transport.value(),
            b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
        )

    def test_disconnectCleansUp(self):
        """
        A blocked client that disconnects leaves no timer and no waiter.
        """
        reader = self.connect()
        reader.call("XREAD", "BLOCK", "5000", "STREAMS", "s", "0")
        self.assertEqual(len(self.server.clock.getDelayedCalls()), 1)
        reader.close()
        self.assertEqual(self.server.clock.getDelayedCalls(), [])
        self.assertEqual(self.server.blocking.blockedCount(), 0)
        self.call("XADD", "s", "1-0", "f", "v")

    def test_noBlockingWhereDenied(self):
        """
        Where blocking is denied (MULTI, scripts) XREAD BLOCK answers the
        null array at once.
        """
        self.conn.client.denyBlocking = True
        self.assertEqual(self.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$"), b"*-1\r\n")
        self.assertEqual(self.server.blocking.blockedCount(), 0)


class PropagationTests(_StreamCase):
    """
    The commands replicas and the AOF receive.
    """

    def test_xaddGeneratedId(self):
        """
        XADD with C{*} or C{ms-*} propagates the id it generated.
        """
        self.call("XADD", "s", "*", "f", "v")
        self.call("XADD", "s", "1700000000000-*", "f", "v")
        self.assertEqual(
            self.propagated,
            [
                [b"XADD", b"s", b"1700000000000-0", b"f", b"v"],
                [b"XADD", b"s", b"1700000000000-1", b"f", b"v"],
            ],
        )

    def test_approximateTrimExact(self):
        """
        A trim with C{~} propagates with C{=} and the length (or first id)
        it reached; LIMIT stays.
        """
        for i in range(1, 151):
            self.call("XADD", "s", "%d-0" % i, "f", "v")
        del self.propagated[:]
        self.call("XADD", "s", "MAXLEN", "~", "10", "200-0", "f", "v")
        self.call("XTRIM", "s", "MINID", "~", "160", "LIMIT", "100")
        self.assertEqual(
            self.propagated,
            [[b"XADD", b"s", b"MAXLEN", b"=", b"51", b"200-0", b"f", b"v"]],
        )
        self.call("XADD", "t", "MINID", "~", "5", "1-1", "f", "v")
        self.assertEqual(
            self.propagated[-1],
            [b"XADD", b"t", b"MINID", b"=", b"18446744073709551615-18446744073709551615", b"1-1", b"f", b"v"],
        )

    def test_noackCreatesConsumer(self):
        """
        XREADGROUP NOACK propagates the consumer's creation and the group's
        new position, together in MULTI/EXEC as redis-server 7.0.15 writes
        them to its AOF.
        """
        self.call("XADD", "s", "1-0", "f", "v")
        self.call("XGROUP", "CREATE", "s", "g", "0")
        del self.propagated[:]
        self.call("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">")
        self.assertEqual(
            self.propagated,
            [
                [b"MULTI"],
                [b"XGROUP", b"CREATECONSUMER", b"s", b"g", b"c"],
                [b"XGROUP", b"SETID", b"s", b"g", b"1-0", b"ENTRIESREAD", b"1"],
                [b"EXEC"],
            ],
        )


    def test_sameAsRedisAof(self):
        """
        A session of group reads (served at once and after blocking, with
        and without NOACK), claims, history reads, approximate trims and
        XAUTOCLAIM over a deleted entry propagates the commands redis-server
        7.0.15 wrote to its AOF for the same session (delivery times aside).
        """
        blocked = []
        for argv in [
            ["XADD", "s", "1-0", "f", "v"],
            ["XGROUP", "CREATE", "s", "g", "0"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"],
            ["XCLAIM", "s", "g", "d", "0", "1-0"],
            ["XCLAIM", "s", "g", "d", "0", "1-0", "FORCE", "JUSTID"],
            ["XGROUP", "CREATE", "s", "h", "$"],
            ["BLOCK", "XREADGROUP", "GROUP", "h", "newc", "BLOCK", "0", "STREAMS", "s", ">"],
            ["XADD", "s", "2-0", "f", "v"],
            ["BLOCK", "XREADGROUP", "GROUP", "h", "other", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"],
            ["XADD", "s", "3-0", "f", "v"],
            ["XADD", "s", "MAXLEN", "~", "1", "4-0", "f", "v"],
            ["XAUTOCLAIM", "s", "g", "e", "0", "0"],
            ["XDEL", "s", "1-0"],
            ["XAUTOCLAIM", "s", "g", "e", "0", "0"],
        ]:
            if argv[0] == "BLOCK":
                blocked.append(self.connect())
                blocked[-1].call(*argv[1:])
            else:
                self.call(*argv)
        claim = b"XCLAIM s %s %s 0 %s TIME T RETRYCOUNT %d FORCE JUSTID LASTID %s"
        expected = [
            b"XADD s 1-0 f v",
            b"XGROUP CREATE s g 0",
            claim % (b"g", b"c", b"1-0", 1, b"1-0"),
            claim % (b"g", b"d", b"1-0", 3, b"1-0"),
            claim % (b"g", b"d", b"1-0", 3, b"1-0"),
            b"XGROUP CREATE s h $",
            b"XADD s 2-0 f v",
            claim % (b"h", b"newc", b"2-0", 1, b"2-0"),
            b"XADD s 3-0 f v",
            b"XGROUP CREATECONSUMER s h other",
            b"XGROUP SETID s h 3-0 ENTRIESREAD 3",
            b"XADD s MAXLEN = 4 4-0 f v",
            claim % (b"g", b"e", b"1-0", 4, b"1-0"),
            b"XDEL s 1-0",
            claim % (b"g", b"e", b"1-0", 4, b"1-0"),
        ]
        self.assertEqual(
            [b" ".join(b"T" if a == b"1700000000000" else a for a in argv) for argv in self.propagated],
            expected,
        )


class PersistenceTests(SynchronousTestCase):
    """
    Streams through the RDB codec.
    """

    def test_roundTrip(self):
        """
        A stream with deletions, groups, pending entries and consumers comes
        back equal from C{rdb.dumps}/C{rdb.loads} in versions 10 and 11.
        """
        conn = Connection()
        for i in range(1, 6):
            conn.call("XADD", "s", "%d-1" % i, "f", "v%d" % i, "g", "w")
        conn.call("XDEL", "s", "2-1")
        conn.call("XGROUP", "CREATE", "s", "g", "0")
        conn.call("XGROUP", "CREATE", "s", "h", "$", "ENTRIESREAD", "5")
        conn.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
        conn.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
        conn.call("XGROUP", "CREATECONSUMER", "s", "g", "carol")
        stream = conn.server.store.db(0).data[b"s"]
        for version in (10, 11):
            name, plain = toPlain(stream)
            data = rdb.dumps({0: [(b"s", name, plain, None)]}, (), version)
            records, _ = rdb.loads(data)
            self.assertEqual(records[0].type, b"stream")
            loaded = fromPlain(records[0].type, records[0].value)
            self.assertEqual(loaded.toPlain(), stream.toPlain())
            self.assertEqual(loaded.lag(loaded.groups[b"g"]), stream.lag(stream.groups[b"g"]))
            group = loaded.groups[b"g"]
            self.assertIs(group.pending[(1, 1)].consumer, group.consumers[b"alice"])
