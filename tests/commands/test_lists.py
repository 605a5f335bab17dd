"""
Tests for L{txredisd.commands.lists}: replies, side effects (keyspace
events, propagation, WATCH) and the blocking commands on a L{task.Clock}.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.commands.lists import List
from txredisd.dispatch import call
from txredisd.registry import COMMANDS
from txredisd.store import encodingOf, typeName


def bulks(*items):
    """
    The RESP2 array of bulk strings C{items}.
    """
    out = [b"*%d\r\n" % (len(items),)]
    for item in items:
        item = item.encode() if isinstance(item, str) else item
        out.append(b"$%d\r\n%s\r\n" % (len(item), item))
    return b"".join(out)


class ListTestCase(SynchronousTestCase):
    """
    A server with one connection whose propagated commands and keyspace
    events are recorded; more connections come from L{connect}.
    """

    def setUp(self):
        self.server = makeServer()
        self.clock = self.server.clock
        self.conn = Connection(self.server)
        self.store = self.server.store
        self.propagated = []
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))
        self.events = []
        self.store.notifier = lambda flag, event, key, index: self.events.append((flag, event, key))

    def call(self, *args):
        return self.conn.call(*args)

    def connect(self, resp3=False):
        conn = Connection(self.server)
        if resp3:
            conn.call("HELLO", "3")
        return conn

    def block(self, *args, **kwargs):
        """
        Send a blocking command on a new connection and check that it
        blocked.

        @return: the connection.
        """
        conn = self.connect(**kwargs)
        self.assertEqual(conn.call(*args), b"")
        self.assertTrue(self.server.blocking.isBlocked(conn.client))
        return conn

    def replied(self, conn):
        """
        What the server wrote to C{conn} since its last request.
        """
        return conn.transport.value()


class ValueTests(ListTestCase):
    def test_typeAndEncoding(self):
        """
        Lists are L{List} values of type C{list} whose OBJECT ENCODING is
        C{quicklist}, as Redis 7.0 reports for every list.
        """
        self.call("RPUSH", "l", "a", "b")
        value = self.store.db(0).get(b"l")
        self.assertIs(type(value), List)
        self.assertEqual(list(value), [b"a", b"b"])
        self.assertEqual(typeName(value), b"list")
        self.assertEqual(encodingOf(value), b"quicklist")

    def test_lastElementDeletesKey(self):
        """
        Popping, removing or trimming the last element deletes the key.
        """
        db = self.store.db(0)
        for command in (
            ("LPOP", "l"),
            ("RPOP", "l", "5"),
            ("LREM", "l", "0", "a"),
            ("LTRIM", "l", "1", "0"),
            ("LMPOP", "1", "l", "LEFT"),
            ("LMOVE", "l", "m", "LEFT", "LEFT"),
        ):
            self.call("RPUSH", "l", "a")
            self.call(*command)
            self.assertNotIn(b"l", db.data, command)


class ReplyTests(ListTestCase):
    def test_pushOrder(self):
        """
        LPUSH puts its arguments at the head one by one (so reversed), RPUSH
        at the tail in order; both answer the length.
        """
        self.assertEqual(self.call("LPUSH", "l", "a", "b", "c"), b":3\r\n")
        self.assertEqual(self.call("RPUSH", "l", "x", "y"), b":5\r\n")
        self.assertEqual(self.call("LRANGE", "l", "0", "-1"), bulks("c", "b", "a", "x", "y"))

    def test_pushxMissing(self):
        """
        LPUSHX and RPUSHX answer 0 and create nothing for a missing key.
        """
        self.assertEqual(self.call("LPUSHX", "l", "a"), b":0\r\n")
        self.assertEqual(self.call("RPUSHX", "l", "a"), b":0\r\n")
        self.assertEqual(self.store.db(0).size(), 0)

    def test_popNullShapes(self):
        """
        A pop from a missing key answers a null bulk without COUNT and a
        null array with it (even COUNT 0); COUNT 0 on a list is an empty
        array; RESP3 answers C{_} for both nulls.
        """
        self.assertEqual(self.call("LPOP", "missing"), b"$-1\r\n")
        self.assertEqual(self.call("LPOP", "missing", "1"), b"*-1\r\n")
        self.assertEqual(self.call("RPOP", "missing", "0"), b"*-1\r\n")
        self.call("RPUSH", "l", "a")
        self.assertEqual(self.call("LPOP", "l", "0"), b"*0\r\n")
        self.assertEqual(
            self.call("LPOP", "l", "-1"), b"-ERR value is out of range, must be positive\r\n"
        )
        self.call("HELLO", "3")
        self.assertEqual(self.call("LPOP", "missing"), b"_\r\n")
        self.assertEqual(self.call("RPOP", "missing", "2"), b"_\r\n")
        self.assertEqual(self.call("LMPOP", "1", "missing", "LEFT"), b"_\r\n")

    def test_popCount(self):
        """
        RPOP with COUNT answers the tail elements tail first, at most the
        list's length.
        """
        self.call("RPUSH", "l", "a", "b", "c")
        self.assertEqual(self.call("RPOP", "l", "2"), bulks("c", "b"))
        self.assertEqual(self.call("LPOP", "l", "10"), bulks("a"))

    def test_lrangeFromEitherEnd(self):
        """
        LRANGE answers the same elements whether the range is nearer the
        head or the tail of a long list.
        """
        self.call("RPUSH", "l", *[str(i) for i in range(100)])
        self.assertEqual(self.call("LRANGE", "l", "2", "4"), bulks("2", "3", "4"))
        self.assertEqual(self.call("LRANGE", "l", "95", "97"), bulks("95", "96", "97"))
        self.assertEqual(self.call("LRANGE", "l", "-3", "-1"), bulks("97", "98", "99"))

    def test_ltrimLarge(self):
        """
        LTRIM keeps exactly the range, whether few or many elements go.
        """
        self.call("RPUSH", "l", *[str(i) for i in range(300)])
        self.call("LTRIM", "l", "1", "-2")
        self.assertEqual(self.call("LLEN", "l"), b":298\r\n")
        self.call("LTRIM", "l", "100", "102")
        self.assertEqual(self.call("LRANGE", "l", "0", "-1"), bulks("101", "102", "103"))

    def test_lposRankMin(self):
        """
        LPOS with RANK LLONG_MIN behaves as Redis 7.0's C arithmetic makes
        it: from the tail, and COUNT never stops the scan.
        """
        self.call("RPUSH", "l", "a", "b", "a", "a")
        self.assertEqual(self.call("LPOS", "l", "a", "RANK", "-9223372036854775808"), b":3\r\n")
        self.assertEqual(
            self.call("LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1"),
            b"*3\r\n:3\r\n:2\r\n:0\r\n",
        )

    def test_errors(self):
        """
        The family's error texts are Redis's.
        """
        self.call("RPUSH", "l", "a")
        self.call("SET", "s", "x")
        for command, error in [
            (("LSET", "missing", "0", "x"), b"-ERR no such key\r\n"),
            (("LSET", "l", "1", "x"), b"-ERR index out of range\r\n"),
            (
                ("LPOS", "l", "a", "RANK", "0"),
                b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                b"second ... or use negative to start from the end of the list\r\n",
            ),
            (("LPOS", "l", "a", "COUNT", "-1"), b"-ERR COUNT can't be negative\r\n"),
            (("LPOS", "l", "a", "MAXLEN", "-1"), b"-ERR MAXLEN can't be negative\r\n"),
            (("LMPOP", "0", "l", "LEFT"), b"-ERR numkeys should be greater than 0\r\n"),
            (("LMPOP", "1", "l", "LEFT", "COUNT", "0"), b"-ERR count should be greater than 0\r\n"),
            (("LMOVE", "l", "m", "UP", "LEFT"), b"-ERR syntax error\r\n"),
            (("LPUSH", "s", "a"), b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
            (("LPOP", "l", "1", "2"), b"-ERR wrong number of arguments for 'lpop' command\r\n"),
            (("BLPOP", "l", "-1"), b"-ERR timeout is negative\r\n"),
            (("BLPOP", "l", "x"), b"-ERR timeout is not a float or out of range\r\n"),
        ]:
            self.assertEqual(self.call(*command), error, command)


class SideEffectTests(ListTestCase):
    def test_pushEvents(self):
        """
        Pushes notify C{lpush}/C{rpush}; a pop that empties the list
        notifies the pop then C{del}.
        """
        self.call("LPUSH", "l", "a", "b")
        self.call("RPOP", "l", "2")
        self.assertEqual(
            self.events, [("l", b"lpush", b"l"), ("l", b"rpop", b"l"), ("g", b"del", b"l")]
        )

    def test_lmoveEvents(self):
        """
        LMOVE notifies the push on the destination before the pop (and
        deletion) of the source, as Redis's C{lmoveGenericCommand}.
        """
        self.call("RPUSH", "src", "a")
        del self.events[:]
        self.call("LMOVE", "src", "dst", "LEFT", "RIGHT")
        self.assertEqual(
            self.events,
            [("l", b"rpush", b"dst"), ("l", b"lpop", b"src"), ("g", b"del", b"src")],
        )

    def test_inPlaceEvents(self):
        """
        LSET, LINSERT, LREM and LTRIM notify their own events; a LINSERT
        that finds no pivot and a LREM that removes nothing notify nothing.
        """
        self.call("RPUSH", "l", "a", "b", "c")
        del self.events[:]
        self.call("LSET", "l", "0", "A")
        self.call("LINSERT", "l", "BEFORE", "b", "x")
        self.call("LINSERT", "l", "BEFORE", "zz", "x")
        self.call("LREM", "l", "0", "x")
        self.call("LREM", "l", "0", "zz")
        self.call("LTRIM", "l", "0", "-1")
        self.assertEqual(
            [event for _, event, _ in self.events], [b"lset", b"linsert", b"lrem", b"ltrim"]
        )

    def test_watchTouched(self):
        """
        A change to a list marks clients watching it.
        """
        self.call("RPUSH", "l", "a", "b")
        watcher = self.connect()
        self.store.watch(watcher.client, 0, b"l")
        self.call("LSET", "l", "0", "x")
        self.assertTrue(watcher.client.watchDirty)

    def test_dirtyCountsElements(self):
        """
        The dirty counter grows by the number of elements pushed or popped,
        and by one for each move, as Redis counts them.
        """
        before = self.store.dirty
        self.call("RPUSH", "l", "a", "b", "c")
        self.assertEqual(self.store.dirty - before, 3)
        self.call("LPOP", "l", "2")
        self.assertEqual(self.store.dirty - before, 5)
        self.call("LPOP", "l")
        self.assertEqual(self.store.dirty - before, 6)
        self.call("RPUSH", "l", "a", "b")
        self.call("LMOVE", "l", "m", "LEFT", "LEFT")
        self.call("LMOVE", "l", "m", "LEFT", "LEFT")
        self.assertEqual(self.store.dirty - before, 10)

    def test_propagation(self):
        """
        LMPOP and blocking pops that answer at once propagate as the plain
        pops Redis rewrites them to; BLMOVE as LMOVE with the client's
        words, BRPOPLPUSH as RPOPLPUSH.
        """
        self.call("RPUSH", "l", "a", "b", "c", "d", "e")
        del self.propagated[:]
        self.call("LMPOP", "2", "x", "l", "RIGHT", "COUNT", "2")
        self.call("BLPOP", "x", "l", "0")
        self.call("BLMPOP", "0", "1", "l", "left", "COUNT", "9")
        self.call("RPUSH", "l", "a", "b")
        self.call("BLMOVE", "l", "m", "left", "Right", "0")
        self.call("BRPOPLPUSH", "l", "m", "0")
        self.call("LPOP", "l")
        self.assertEqual(
            self.propagated,
            [
                [b"RPOP", b"l", b"2"],
                [b"LPOP", b"l"],
                [b"LPOP", b"l", b"2"],
                [b"RPUSH", b"l", b"a", b"b"],
                [b"LMOVE", b"l", b"m", b"left", b"Right"],
                [b"RPOPLPUSH", b"l", b"m"],
            ],
        )

    def test_keyPositions(self):
        """
        Blocking pops' keys run up to the timeout; LMPOP and BLMPOP find
        theirs from numkeys, and none when numkeys cannot be right.
        """
        self.assertEqual(COMMANDS[b"blpop"].keys([b"blpop", b"a", b"b", b"0"]), [b"a", b"b"])
        self.assertEqual(
            COMMANDS[b"blmove"].keys([b"blmove", b"a", b"b", b"LEFT", b"LEFT", b"0"]),
            [b"a", b"b"],
        )
        self.assertEqual(
            COMMANDS[b"lmpop"].keys([b"lmpop", b"2", b"a", b"b", b"LEFT"]), [b"a", b"b"]
        )
        self.assertEqual(
            COMMANDS[b"blmpop"].keys([b"blmpop", b"0", b"1", b"a", b"LEFT", b"COUNT", b"2"]),
            [b"a"],
        )
        self.assertEqual(COMMANDS[b"lmpop"].keys([b"lmpop", b"5", b"a", b"LEFT"]), [])
        self.assertEqual(COMMANDS[b"lmpop"].keys([b"lmpop", b"x", b"a", b"LEFT"]), [])


class BlockingTests(ListTestCase):
    def test_servedByPush(self):
        """
        A client blocked on several keys is served by the first push to any
        of them, with that key's name, and the push's own reply comes first.
        """
        waiter = self.block("BLPOP", "a", "b", "c", "0")
        self.assertEqual(self.call("RPUSH", "c", "x", "y"), b":2\r\n")
        self.assertEqual(self.replied(waiter), bulks("c", "x"))
        self.assertEqual(self.call("LRANGE", "c", "0", "-1"), bulks("y"))
        self.assertEqual(self.server.blocking.blockedCount(), 0)

    def test_fifo(self):
        """
        Clients blocked on one list are served in the order they blocked,
        one element each; the rest keep waiting.
        """
        waiters = [self.block("BRPOP", "l", "0") for _ in range(3)]
        self.assertEqual(self.server.blocking.blockedCount(), 3)
        self.call("RPUSH", "l", "a", "b")
        self.assertEqual(self.replied(waiters[0]), bulks("l", "b"))
        self.assertEqual(self.replied(waiters[1]), bulks("l", "a"))
        self.assertEqual(self.replied(waiters[2]), b"")
        self.assertEqual(self.server.blocking.blockedCount(), 1)
        self.assertNotIn(b"l", self.store.db(0).data)

    def test_manyWaitersInOrder(self):
        """
        Two hundred clients blocked on one list are woken in order by two
        hundred pushes, each getting the element pushed for it.
        """
        waiters = [self.block("BLPOP", "l", "0") for _ in range(200)]
        for i in range(200):
            self.call("RPUSH", "l", str(i))
        for i, waiter in enumerate(waiters):
            self.assertEqual(self.replied(waiter), bulks("l", str(i)))
        self.assertEqual(self.server.blocking.blockedCount(), 0)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_servedFromReadyKey(self):
        """
        When several of a client's keys get elements in one command (as in
        a MULTI/EXEC), it is served from the key that became ready first,
        as Redis 7.0's C{handleClientsBlockedOnKeys}, not its first key.
        """
        waiter = self.block("BLPOP", "a", "b", "0")
        client = self.conn.client
        call(client, COMMANDS[b"rpush"], [b"RPUSH", b"b", b"1"])
        call(client, COMMANDS[b"rpush"], [b"RPUSH", b"a", b"2"])
        self.assertEqual(self.replied(waiter), b"")
        self.server.blocking.serveReady()
        self.assertEqual(self.replied(waiter), bulks("b", "1"))
        self.assertEqual(self.call("LRANGE", "a", "0", "-1"), bulks("2"))

    def test_timeout(self):
        """
        A blocked pop answers a null array when its timeout passes, not
        before; RESP3 clients get C{_}.
        """
        waiter = self.block("BLPOP", "l", "2")
        resp3 = self.block("BRPOP", "l", "2", resp3=True)
        self.clock.advance(1.999)
        self.assertEqual(self.replied(waiter), b"")
        self.clock.advance(0.001)
        self.assertEqual(self.replied(waiter), b"*-1\r\n")
        self.assertEqual(self.replied(resp3), b"_\r\n")
        self.assertEqual(self.server.blocking.blockedCount(), 0)

    def test_decimalTimeout(self):
        """
        Timeouts are seconds with decimals: 0.1 times out after 100 ms.
        """
        waiter = self.block("BLMPOP", "0.1", "1", "l", "LEFT")
        self.clock.advance(0.099)
        self.assertEqual(self.replied(waiter), b"")
        self.clock.advance(0.001)
        self.assertEqual(self.replied(waiter), b"*-1\r\n")

    def test_moveTimeoutIsNullArray(self):
        """
        BLMOVE and BRPOPLPUSH that time out answer a null array, as Redis
        7.0's C{replyToBlockedClientTimedOut} does for every list command.
        """
        blmove = self.block("BLMOVE", "a", "b", "LEFT", "LEFT", "1")
        brpoplpush = self.block("BRPOPLPUSH", "a", "b", "1")
        self.clock.advance(1)
        self.assertEqual(self.replied(blmove), b"*-1\r\n")
        self.assertEqual(self.replied(brpoplpush), b"*-1\r\n")

    def test_cannotBlock(self):
        """
        Where blocking is denied (MULTI/EXEC, scripts) the commands answer
        at once: null arrays for the pops, a null bulk for the moves.
        """
        self.conn.client.denyBlocking = True
        self.assertEqual(self.call("BLPOP", "a", "0"), b"*-1\r\n")
        self.assertEqual(self.call("BLMPOP", "0", "1", "a", "LEFT"), b"*-1\r\n")
        self.assertEqual(self.call("BLMOVE", "a", "b", "LEFT", "LEFT", "0"), b"$-1\r\n")
        self.assertEqual(self.call("BRPOPLPUSH", "a", "b", "0"), b"$-1\r\n")
        self.assertEqual(self.server.blocking.blockedCount(), 0)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_disconnectUnblocks(self):
        """
        A blocked client that goes away stops waiting: its timer is
        cancelled and a later push is left in the list.
        """
        waiter = self.block("BLPOP", "l", "5")
        waiter.close()
        self.assertEqual(self.server.blocking.blockedCount(), 0)
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.call("RPUSH", "l", "a")
        self.assertEqual(self.call("LLEN", "l"), b":1\r\n")

    def test_pipelinedWait(self):
        """
        Commands pipelined behind a blocked command run only after it is
        answered, their replies in order after its reply.
        """
        waiter = self.connect()
        out = waiter.feed(
            b"*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n"
            b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nl\r\n"
        )
        self.assertEqual(out, b"")
        self.call("RPUSH", "l", "a", "b")
        self.assertEqual(self.replied(waiter), bulks("l", "a") + b"+PONG\r\n:1\r\n")

    def test_blmoveChain(self):
        """
        A BLMOVE served by a push pushes on its destination, which serves a
        client blocked there in turn; both propagate as Redis rewrites
        them.
        """
        mover = self.block("BLMOVE", "a", "b", "RIGHT", "LEFT", "0")
        popper = self.block("BLPOP", "b", "0")
        del self.propagated[:]
        self.call("RPUSH", "a", "x")
        self.assertEqual(self.replied(mover), b"$1\r\nx\r\n")
        self.assertEqual(self.replied(popper), bulks("b", "x"))
        self.assertEqual(self.store.db(0).size(), 0)
        self.assertEqual(
            self.propagated,
            [
                [b"RPUSH", b"a", b"x"],
                [b"LMOVE", b"a", b"b", b"RIGHT", b"LEFT"],
                [b"LPOP", b"b"],
            ],
        )

    def test_servedPropagation(self):
        """
        Woken clients propagate the pop or move they did: BRPOP as RPOP,
        BLMPOP as a pop with the count taken, BRPOPLPUSH as RPOPLPUSH.
        """
        self.block("BRPOP", "a", "0")
        self.block("BLMPOP", "0", "1", "b", "LEFT", "COUNT", "5")
        self.block("BRPOPLPUSH", "c", "d", "0")
        del self.propagated[:]
        self.call("RPUSH", "a", "1")
        self.call("RPUSH", "b", "1", "2")
        self.call("RPUSH", "c", "1")
        self.assertEqual(
            self.propagated,
            [
                [b"RPUSH", b"a", b"1"],
                [b"RPOP", b"a"],
                [b"RPUSH", b"b", b"1", b"2"],
                [b"LPOP", b"b", b"2"],
                [b"RPUSH", b"c", b"1"],
                [b"RPOPLPUSH", b"c", b"d"],
            ],
        )

    def test_blmoveWrongTypeDestination(self):
        """
        A blocked BLMOVE whose destination became another type is answered
        WRONGTYPE when its source gets an element, which stays there.
        """
        mover = self.block("BLMOVE", "a", "b", "LEFT", "LEFT", "0")
        self.call("SET", "b", "string")
        self.call("RPUSH", "a", "x")
        self.assertEqual(
            self.replied(mover),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        )
        self.assertEqual(self.call("LLEN", "a"), b":1\r\n")

    def test_unservableWaiterSkipped(self):
        """
        A waiter ahead in the queue that the new list cannot serve (as a
        sorted-set waiter on the same key) keeps waiting, and the list
        waiter behind it is served.
        """
        other = self.connect()
        blocking = self.server.blocking
        blocking.block(other.client, [b"k"], 0, lambda: None)
        waiter = self.block("BLPOP", "k", "0")
        self.call("RPUSH", "k", "x")
        self.assertEqual(self.replied(waiter), bulks("k", "x"))
        self.assertTrue(blocking.isBlocked(other.client))
        self.assertEqual(blocking.blockedCount(), 1)

    def test_goneKeyStopsServing(self):
        """
        Once a pop deleted the key, the clients blocked behind the served
        one are not tried at all, as Redis stops serving a deleted key:
        one push costs the same however many clients wait.
        """
        waiter = self.block("BLPOP", "k", "0")
        tried = []
        for _ in range(100):
            other = self.connect()
            self.server.blocking.block(other.client, [b"k"], 0, lambda: tried.append(1))
        self.call("RPUSH", "k", "x")
        self.assertEqual(self.replied(waiter), bulks("k", "x"))
        self.assertEqual(tried, [])

    def test_errorThenServed(self):
        """
        A BLMOVE answered WRONGTYPE leaves the element for the next client
        blocked on the same list.
        """
        mover = self.block("BLMOVE", "a", "s", "LEFT", "LEFT", "0")
        popper = self.block("BLPOP", "a", "0")
        self.call("SET", "s", "string")
        self.call("RPUSH", "a", "x")
        self.assertTrue(self.replied(mover).startswith(b"-WRONGTYPE"))
        self.assertEqual(self.replied(popper), bulks("a", "x"))

    def test_otherTypeKeepsWaiting(self):
        """
        A client blocked on a key that becomes a string keeps waiting, as in
        Redis 7.0, and is served by a later list there.
        """
        waiter = self.block("BLPOP", "k", "0")
        self.call("SET", "k", "string")
        self.assertTrue(self.server.blocking.isBlocked(waiter.client))
        self.call("DEL", "k")
        self.call("LPUSH", "k", "x")
        self.assertEqual(self.replied(waiter), bulks("k", "x"))

    def test_otherDatabase(self):
        """
        A push in another database does not serve a client blocked on the
        same key name.
        """
        waiter = self.block("BLPOP", "k", "0")
        self.call("SELECT", "1")
        self.call("RPUSH", "k", "x")
        self.assertEqual(self.replied(waiter), b"")
        self.call("SELECT", "0")
        self.call("RPUSH", "k", "y")
        self.assertEqual(self.replied(waiter), bulks("k", "y"))

    def test_unblock(self):
        """
        Unblocking (CLIENT UNBLOCK's work) answers a blocked list client its
        timeout reply, a null array, or the UNBLOCKED error, and says
        whether the client was blocked.
        """
        blocking = self.server.blocking
        first = self.block("BLPOP", "k", "0")
        second = self.block("BLMOVE", "k", "d", "LEFT", "LEFT", "0")
        self.assertTrue(blocking.unblock(first.client))
        self.assertEqual(self.replied(first), b"*-1\r\n")
        self.assertTrue(blocking.unblock(second.client, error=True))
        self.assertEqual(
            self.replied(second), b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        )
        self.assertFalse(blocking.unblock(first.client))
        self.assertEqual(blocking.blockedCount(), 0)
