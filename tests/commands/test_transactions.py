"""
Tests for L{txredisd.commands.transactions} and the MULTI handling of
L{txredisd.dispatch}.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection
from txredisd.registry import COMMANDS, CommandSpec, container, register
from txredisd.resp import OK


class StubCommands:
    """
    Register stand-ins for commands other families provide, for as long
    as a test runs, when the table does not hold them yet.
    """

    def __init__(self, testCase):
        self.testCase = testCase
        self.calls = []

    def add(self, name, arity, flags=(), handler=None):
        if handler is None:

            def handler(client, argv):
                self.calls.append(argv)
                return OK

        if "|" in name:
            parent, sub = name.split("|")
            containerSpec = COMMANDS.get(parent.encode())
            if containerSpec is None:
                containerSpec = container(parent)
                self.testCase.addCleanup(COMMANDS.pop, parent.encode())
            if sub.encode() in containerSpec.subcommands:
                return
            self.testCase.addCleanup(containerSpec.subcommands.pop, sub.encode())
        elif name.encode() in COMMANDS:
            return
        else:
            self.testCase.addCleanup(COMMANDS.pop, name.encode())
        register(CommandSpec(name, arity, flags, handler=handler))


def begin(conn, *queued):
    """
    Start a transaction on C{conn} and queue commands in it.

    @return: C{conn}.
    """
    conn.call("MULTI")
    for argv in queued:
        conn.call(*argv)
    return conn


class MultiExecTests(SynchronousTestCase):
    """
    MULTI queues, EXEC runs, DISCARD forgets.
    """

    def setUp(self):
        self.conn = Connection()

    def test_queueAndExec(self):
        """
        Commands after MULTI answer +QUEUED and run at EXEC, whose array
        holds their replies in order.
        """
        c = self.conn
        self.assertEqual(c.call("MULTI"), b"+OK\r\n")
        self.assertEqual(c.call("SET", "a", "1"), b"+QUEUED\r\n")
        self.assertEqual(c.call("GET", "a"), b"+QUEUED\r\n")
        self.assertEqual(c.server.store.db(0).data, {})
        self.assertEqual(c.call("EXEC"), b"*2\r\n+OK\r\n$1\r\n1\r\n")
        self.assertIsNone(c.client.multi)

    def test_emptyExec(self):
        """
        EXEC of an empty transaction answers an empty array.
        """
        self.conn.call("MULTI")
        self.assertEqual(self.conn.call("EXEC"), b"*0\r\n")

    def test_runtimeErrorsAreElements(self):
        """
        A command failing while EXEC runs gives an error element; the
        others still run.
        """
        c = self.conn
        c.call("MULTI")
        c.call("SELECT", "99")
        c.call("SET", "a", "1")
        self.assertEqual(
            c.call("EXEC"),
            b"*2\r\n-ERR DB index is out of range\r\n+OK\r\n",
        )
        self.assertEqual(c.call("GET", "a"), b"$1\r\n1\r\n")

    def test_execAbortAfterQueueError(self):
        """
        An unknown command or a wrong arity while queueing is answered at
        once and EXEC then answers EXECABORT without running anything.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        self.assertEqual(
            c.call("NOPE", "x"),
            b"-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n",
        )
        self.assertEqual(c.call("GET"), b"-ERR wrong number of arguments for 'get' command\r\n")
        self.assertEqual(
            c.call("EXEC"),
            b"-EXECABORT Transaction discarded because of previous errors.\r\n",
        )
        self.assertEqual(c.call("GET", "a"), b"$-1\r\n")
        self.assertIsNone(c.client.multi)

    def test_nestedMulti(self):
        """
        MULTI inside MULTI is refused without spoiling the transaction.
        """
        c = self.conn
        c.call("MULTI")
        self.assertEqual(c.call("MULTI"), b"-ERR MULTI calls can not be nested\r\n")
        c.call("SET", "a", "1")
        self.assertEqual(c.call("EXEC"), b"*1\r\n+OK\r\n")

    def test_withoutMulti(self):
        """
        EXEC and DISCARD outside MULTI are errors.
        """
        self.assertEqual(self.conn.call("EXEC"), b"-ERR EXEC without MULTI\r\n")
        self.assertEqual(self.conn.call("DISCARD"), b"-ERR DISCARD without MULTI\r\n")

    def test_malformedExecDiscards(self):
        """
        EXEC with arguments is rejected as Redis's execCommandAbort does:
        EXECABORT with the reason, and the transaction is gone.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        self.assertEqual(
            c.call("EXEC", "x"),
            b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
        )
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")

    def test_discard(self):
        """
        DISCARD forgets the queue.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        self.assertEqual(c.call("DISCARD"), b"+OK\r\n")
        self.assertEqual(c.call("GET", "a"), b"$-1\r\n")

    def test_noMultiCommands(self):
        """
        A command flagged no_multi is refused inside MULTI and the
        transaction aborts.
        """
        StubCommands(self).add("save", 1, ["admin", "noscript", "no_multi"])
        c = self.conn
        c.call("MULTI")
        self.assertEqual(c.call("SAVE"), b"-ERR Command not allowed inside a transaction\r\n")
        self.assertEqual(
            c.call("EXEC"),
            b"-EXECABORT Transaction discarded because of previous errors.\r\n",
        )

    def test_sentinelPromotionQueues(self):
        """
        Sentinel's promotion sequence, sent in one write, queues every
        command: only names and arities are checked while queueing, and
        nothing runs before EXEC.
        """
        stubs = StubCommands(self)
        stubs.add("slaveof", 3, ["admin", "noscript", "stale"])
        stubs.add("config|rewrite", 2, ["admin", "noscript", "loading", "stale"])
        stubs.add("client|kill", -3, ["admin", "noscript", "loading", "stale"])
        request = (
            b"*1\r\n$5\r\nMULTI\r\n"
            b"*3\r\n$7\r\nSLAVEOF\r\n$2\r\nNO\r\n$3\r\nONE\r\n"
            b"*2\r\n$6\r\nCONFIG\r\n$7\r\nREWRITE\r\n"
            b"*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$4\r\nTYPE\r\n$6\r\nnormal\r\n"
            b"*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$4\r\nTYPE\r\n$6\r\npubsub\r\n"
        )
        self.assertEqual(self.conn.feed(request), b"+OK\r\n" + b"+QUEUED\r\n" * 4)
        self.assertEqual(stubs.calls, [])
        self.assertEqual(len(self.conn.client.multi), 4)
        self.assertFalse(self.conn.client.multiError)

    def test_resetLeavesMulti(self):
        """
        RESET inside MULTI runs at once and ends the transaction.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        self.assertEqual(c.call("RESET"), b"+RESET\r\n")
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")
        self.assertEqual(c.call("GET", "a"), b"$-1\r\n")

    def test_quitInsideMulti(self):
        """
        QUIT inside MULTI is not queued: it answers +OK and closes.
        """
        c = self.conn
        c.call("MULTI")
        self.assertEqual(c.call("QUIT"), b"+OK\r\n")
        self.assertTrue(c.transport.disconnecting)

    def test_resp3(self):
        """
        In RESP3 EXEC's elements use RESP3 types and a failed WATCH is _.
        """
        c = self.conn
        c.call("HELLO", "3")
        c.call("MULTI")
        c.call("GET", "missing")
        self.assertEqual(c.call("EXEC"), b"*1\r\n_\r\n")
        c.call("WATCH", "k")
        c.call("SET", "k", "1")
        c.call("MULTI")
        self.assertEqual(c.call("EXEC"), b"_\r\n")

    def test_denyBlockingWhileRunning(self):
        """
        Commands run by EXEC see blocking denied, so blocking commands
        answer at once; it is restored afterwards.
        """
        seen = []
        StubCommands(self).add("txprobe", 1, handler=lambda client, argv: seen.append(client.denyBlocking) or OK)
        c = self.conn
        c.call("MULTI")
        c.call("TXPROBE")
        c.call("EXEC")
        self.assertEqual(seen, [True])
        self.assertFalse(c.client.denyBlocking)

    def test_readOnlyReplica(self):
        """
        On a read-only replica writes are refused while queueing, and an
        EXEC whose queue holds a write (the server became a replica after
        queueing) is rejected with EXECABORT and the reason.
        """
        c = self.conn
        server = c.server
        c.call("MULTI")
        c.call("SET", "a", "1")
        server.readOnlyReplica = True
        self.assertEqual(
            c.call("EXEC"),
            b"-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n",
        )
        c.call("MULTI")
        self.assertEqual(c.call("SET", "a", "1"), b"-READONLY You can't write against a read only replica.\r\n")
        self.assertEqual(c.call("GET", "a"), b"+QUEUED\r\n")
        self.assertEqual(
            c.call("EXEC"),
            b"-EXECABORT Transaction discarded because of previous errors.\r\n",
        )


class PropagationTests(SynchronousTestCase):
    """
    What a transaction hands to replication and the AOF.
    """

    def setUp(self):
        self.conn = Connection()
        self.propagated = []
        self.conn.server.propagators.append(lambda db, commands: self.propagated.append((db, commands)))

    def test_wrapped(self):
        """
        Several writes are propagated once, wrapped in MULTI ... EXEC;
        reads are left out.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        c.call("GET", "a")
        c.call("SET", "b", "2")
        c.call("EXEC")
        self.assertEqual(
            self.propagated,
            [(0, [[b"MULTI"], [b"SET", b"a", b"1"], [b"SET", b"b", b"2"], [b"EXEC"]])],
        )

    def test_single(self):
        """
        A transaction with one write propagates it alone, as Redis 7.0.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        c.call("EXEC")
        self.assertEqual(self.propagated, [(0, [[b"SET", b"a", b"1"]])])

    def test_readOnly(self):
        """
        A transaction that wrote nothing propagates nothing.
        """
        c = self.conn
        c.call("MULTI")
        c.call("GET", "a")
        c.call("EXEC")
        self.assertEqual(self.propagated, [])

    def test_databases(self):
        """
        A transaction changing database propagates in runs per database, so
        the propagators select between them.
        """
        c = begin(self.conn, ["SET", "a", "1"])
        c.call("SELECT", "2")
        c.call("SET", "c", "1")
        c.call("EXEC")
        self.assertEqual(
            self.propagated,
            [(0, [[b"MULTI"], [b"SET", b"a", b"1"]]), (2, [[b"SET", b"c", b"1"], [b"EXEC"]])],
        )


class WatchTests(SynchronousTestCase):
    """
    WATCH makes EXEC fail when a watched key changed.
    """

    def setUp(self):
        self.conn = Connection()
        self.other = Connection(self.conn.server)

    def attempt(self):
        self.conn.call("MULTI")
        self.conn.call("SET", "result", "x")
        return self.conn.call("EXEC")

    def test_changedByOther(self):
        """
        Another client writing a watched key makes EXEC answer a null array
        and run nothing.
        """
        self.conn.call("WATCH", "k")
        self.other.call("SET", "k", "1")
        self.assertEqual(self.attempt(), b"*-1\r\n")
        self.assertEqual(self.conn.call("GET", "result"), b"$-1\r\n")

    def test_untouched(self):
        """
        EXEC runs when no watched key changed, and unwatches.
        """
        self.assertEqual(self.conn.call("WATCH", "k", "j"), b"+OK\r\n")
        self.other.call("SET", "other", "1")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")
        self.assertEqual(self.conn.server.store.watched, {})

    def test_created(self):
        """
        A watched key that did not exist being created counts as a change.
        """
        self.conn.call("WATCH", "k")
        self.other.call("SET", "k", "1")
        self.assertEqual(self.attempt(), b"*-1\r\n")

    def test_deleteMissing(self):
        """
        Deleting a watched key that does not exist changes nothing.
        """
        self.conn.call("WATCH", "k")
        self.other.call("DEL", "k")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")

    def test_flush(self):
        """
        FLUSHDB and FLUSHALL touch watched keys that existed, not missing
        ones.
        """
        self.other.call("SET", "k", "1")
        self.conn.call("WATCH", "k")
        self.other.call("FLUSHDB")
        self.assertEqual(self.attempt(), b"*-1\r\n")
        self.conn.call("WATCH", "missing")
        self.other.call("FLUSHALL")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")

    def test_otherDatabase(self):
        """
        The same key name in another database is another key.
        """
        self.conn.call("WATCH", "k")
        self.other.call("SELECT", "1")
        self.other.call("SET", "k", "1")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")

    def test_ownWriteBeforeMulti(self):
        """
        The watching client's own write counts too.
        """
        self.conn.call("WATCH", "k")
        self.conn.call("SET", "k", "1")
        self.assertEqual(self.attempt(), b"*-1\r\n")

    def test_unwatchAndDiscard(self):
        """
        UNWATCH and DISCARD forget the watched keys.
        """
        self.conn.call("WATCH", "k")
        self.assertEqual(self.conn.call("UNWATCH"), b"+OK\r\n")
        self.other.call("SET", "k", "1")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")
        self.conn.call("WATCH", "k")
        self.conn.call("MULTI")
        self.conn.call("DISCARD")
        self.other.call("SET", "k", "2")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")

    def test_watchInsideMulti(self):
        """
        WATCH inside MULTI is refused without spoiling the transaction.
        """
        self.conn.call("MULTI")
        self.assertEqual(self.conn.call("WATCH", "k"), b"-ERR WATCH inside MULTI is not allowed\r\n")
        self.assertEqual(self.conn.call("EXEC"), b"*0\r\n")

    def test_execAbortUnwatches(self):
        """
        An aborted EXEC forgets the watched keys too.
        """
        self.conn.call("WATCH", "k")
        self.conn.call("MULTI")
        self.conn.call("NOPE")
        self.conn.call("EXEC")
        self.assertEqual(self.conn.server.store.watched, {})

    def test_disconnectUnwatches(self):
        """
        A client going away stops watching.
        """
        self.conn.call("WATCH", "k")
        self.conn.close()
        self.assertEqual(self.conn.server.store.watched, {})

    def setWithExpiry(self, key, milliseconds):
        store = self.conn.server.store
        store.now = int(self.conn.server.clock.seconds() * 1000)
        store.db(0).set(key, b"v")
        store.db(0).setExpire(key, store.now + milliseconds)

    def test_expiresAfterWatch(self):
        """
        A watched key that expires after WATCH makes EXEC fail even though
        nobody touched it (Redis 7.0's isWatchedKeyExpired).
        """
        self.setWithExpiry(b"k", 100)
        self.conn.call("WATCH", "k")
        self.conn.server.clock.advance(1)
        self.assertEqual(self.attempt(), b"*-1\r\n")

    def test_expiredBeforeWatch(self):
        """
        A key already expired when watched does not fail EXEC, nor does
        its removal; writing it again does.
        """
        self.setWithExpiry(b"k", 100)
        self.conn.server.clock.advance(1)
        self.conn.call("WATCH", "k")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")
        self.setWithExpiry(b"k", 100)
        self.conn.server.clock.advance(1)
        self.conn.call("WATCH", "k")
        self.other.call("GET", "k")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")
        self.setWithExpiry(b"k", 100)
        self.conn.server.clock.advance(1)
        self.conn.call("WATCH", "k")
        self.other.call("FLUSHALL")
        self.assertEqual(self.attempt(), b"*1\r\n+OK\r\n")
        self.setWithExpiry(b"k", 100)
        self.conn.server.clock.advance(1)
        self.conn.call("WATCH", "k")
        self.other.call("SET", "k", "new")
        self.assertEqual(self.attempt(), b"*-1\r\n")
