"""
Tests for runs of one command run at once (L{txredisd.dispatch.runPlain}
and L{txredisd.registry.CommandSpec.batch}): a pipeline of GETs or SETs
has exactly the effects and replies of the same commands one by one.
"""

import hiredis
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from tests.test_protocol import pipeline
from txredisd import dispatch
from txredisd.registry import COMMANDS


def parse(data):
    reader = hiredis.Reader()
    reader.feed(data)
    replies = []
    while True:
        reply = reader.gets()
        if reply is False:
            return replies
        replies.append(reply)


class BatchSpy:
    """
    Wraps a command's C{batch} for a test, counting the runs it is given
    and the runs it ran.
    """

    def __init__(self, testCase, name):
        self.spec = COMMANDS[name]
        self.original = self.spec.batch
        self.given = []
        self.ran = []
        testCase.patch(self.spec, "batch", self)

    def __call__(self, client, run):
        self.given.append(len(run))
        done = self.original(client, run)
        if done is not None:
            self.ran.append(len(run))
        return done


class SetRunTests(SynchronousTestCase):
    """
    A pipeline of SETs without options.
    """

    def setUp(self):
        self.spy = BatchSpy(self, b"set")
        self.conn = Connection()
        self.server = self.conn.server
        self.db = self.server.store.db(0)

    def test_run(self):
        """
        Every key is set in order (the last value of a repeated key wins),
        each SET answers +OK, each counts as a change, a call in INFO
        commandstats and a processed command, and CLIENT LIST's cmd= names
        it.
        """
        dirty = self.server.store.dirty
        reply = self.conn.feed(
            pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"], [b"SET", b"a", b"3"])
        )
        self.assertEqual(reply, b"+OK\r\n" * 3)
        self.assertEqual(self.spy.ran, [3])
        self.assertEqual(self.db.data, {b"a": b"3", b"b": b"2"})
        self.assertEqual(self.server.store.dirty, dirty + 3)
        self.assertEqual(self.server.commandStats["set"][0], 3)
        self.assertGreater(self.server.commandStats["set"][1], 0)
        self.assertEqual(self.server.stats["total_commands_processed"], 3)
        self.assertEqual(self.conn.client.lastCommand, "set")

    def test_dropsExpiry(self):
        """
        SET forgets the key's time to live, as one by one.
        """
        self.conn.call("SET", "a", "old", "EX", "100")
        self.conn.call("SET", "b", "old", "EX", "100")
        self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"c", b"2"]))
        self.assertEqual(self.spy.ran, [2])
        self.assertEqual(self.conn.call("TTL", "a"), b":-1\r\n")
        self.assertEqual(self.conn.call("TTL", "b"), b":100\r\n")
        self.assertEqual(self.conn.call("TTL", "c"), b":-1\r\n")

    def test_overwritesOtherTypes(self):
        """
        A key of another type becomes a string.
        """
        self.conn.call("RPUSH", "a", "x")
        self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"]))
        self.assertEqual(self.conn.call("TYPE", "a"), b"+string\r\n")
        self.assertEqual(self.conn.call("GET", "a"), b"$1\r\n1\r\n")

    def test_notifiesEachKey(self):
        """
        With keyspace notifications on, each key's event is published
        after its own SET, in order.
        """
        events = []
        self.server.store.notifier = lambda flag, event, key, index: events.append((event, key))
        self.assertEqual(
            self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"])), b"+OK\r\n" * 2
        )
        self.assertEqual(events, [(b"set", b"a"), (b"set", b"b")])
        self.assertEqual(self.spy.ran, [])

    def test_newKeyEvents(self):
        """
        With C{new} events on, only keys that did not exist are announced.
        """
        events = []
        self.conn.call("SET", "a", "0")
        self.conn.call("CONFIG", "SET", "notify-keyspace-events", "En")
        subscriber = Connection(self.server)
        subscriber.call("SUBSCRIBE", "__keyevent@0__:new")
        subscriber.transport.clear()
        self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"], [b"SET", b"b", b"3"]))
        events = parse(subscriber.transport.value())
        self.assertEqual(events, [[b"message", b"__keyevent@0__:new", b"b"]])
        self.assertEqual(self.db.data, {b"a": b"1", b"b": b"3"})

    def test_watched(self):
        """
        A transaction watching one of the keys is aborted.
        """
        watcher = Connection(self.server)
        watcher.call("WATCH", "b")
        watcher.call("MULTI")
        watcher.call("SET", "x", "1")
        self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"]))
        self.assertEqual(watcher.call("EXEC"), b"*-1\r\n")
        self.assertEqual(self.db.data, {b"a": b"1", b"b": b"2"})

    def test_propagated(self):
        """
        With a replica or an AOF fed, each SET is propagated on its own.
        """
        propagated = []
        self.server.propagators.append(lambda index, commands: propagated.extend(commands))
        self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"]))
        self.assertEqual(propagated, [[b"SET", b"a", b"1"], [b"SET", b"b", b"2"]])
        self.assertEqual(self.spy.given, [])

    def test_monitored(self):
        """
        A MONITOR client sees each SET.
        """
        monitor = Connection(self.server)
        monitor.call("MONITOR")
        monitor.transport.clear()
        self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"]))
        self.assertEqual(monitor.transport.value().count(b'"SET"'), 2)
        self.assertEqual(self.spy.given, [])

    def test_optionsRunOneByOne(self):
        """
        SETs with options, or a run mixing the command's spellings, run one
        by one, with the same replies.
        """
        self.assertEqual(
            self.conn.feed(pipeline([b"SET", b"a", b"1", b"NX"], [b"SET", b"a", b"2", b"NX"])),
            b"+OK\r\n$-1\r\n",
        )
        self.assertEqual(
            self.conn.feed(pipeline([b"SET", b"b", b"1"], [b"set", b"c", b"2"])), b"+OK\r\n" * 2
        )
        self.assertEqual(self.spy.ran, [])
        self.assertEqual(self.db.data, {b"a": b"1", b"b": b"1", b"c": b"2"})

    def test_wrongArity(self):
        """
        A run of SETs of too few arguments answers the arity error for each.
        """
        error = b"-ERR wrong number of arguments for 'set' command\r\n"
        self.assertEqual(self.conn.feed(pipeline([b"SET", b"a"], [b"SET", b"b"])), error * 2)
        self.assertEqual(self.spy.given, [])
        self.assertEqual(self.server.commandStats["set"][0], 0)

    def test_afterOtherCommand(self):
        """
        A run that follows a command run on its own (SELECT) is run at
        once, in the database that command chose.
        """
        reply = self.conn.feed(
            pipeline([b"SELECT", b"2"], [b"SET", b"a", b"1"], [b"SET", b"b", b"2"])
        )
        self.assertEqual(reply, b"+OK\r\n" * 3)
        self.assertEqual(self.spy.ran, [2])
        self.assertEqual(self.server.store.db(2).data, {b"a": b"1", b"b": b"2"})
        self.assertEqual(self.db.data, {})

    def test_failureRunsOneByOne(self):
        """
        Should a batch fail, the commands still run one by one.
        """

        def broken(client, run):
            raise RuntimeError("broken")

        self.patch(self.spy.spec, "batch", broken)
        self.assertEqual(
            self.conn.feed(pipeline([b"SET", b"a", b"1"], [b"SET", b"b", b"2"])), b"+OK\r\n" * 2
        )
        self.assertEqual(self.db.data, {b"a": b"1", b"b": b"2"})
        self.assertEqual(self.server.commandStats["set"][0], 2)
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)


class GetRunTests(SynchronousTestCase):
    """
    A pipeline of GETs.
    """

    def setUp(self):
        self.spy = BatchSpy(self, b"get")
        self.conn = Connection()
        self.server = self.conn.server
        self.conn.call("SET", "a", "1")
        self.conn.call("SET", "b", "22")

    def test_run(self):
        """
        Each GET answers its value or a null, counting keyspace hits and
        misses.
        """
        reply = self.conn.feed(pipeline([b"GET", b"a"], [b"GET", b"nope"], [b"GET", b"b"]))
        self.assertEqual(reply, b"$1\r\n1\r\n$-1\r\n$2\r\n22\r\n")
        self.assertEqual(self.spy.ran, [3])
        store = self.server.store
        self.assertEqual((store.hits, store.misses), (2, 1))
        self.assertEqual(self.server.commandStats["get"][0], 3)
        self.assertEqual(self.server.stats["total_commands_processed"], 5)

    def test_valuesOfOneLength(self):
        """
        Values of one length, which the run's reply joins in one piece,
        answer as one by one, in RESP2 and RESP3.
        """
        self.conn.call("SET", "c", "33")
        request = pipeline([b"GET", b"b"], [b"GET", b"c"], [b"GET", b"b"])
        self.assertEqual(self.conn.feed(request), b"$2\r\n22\r\n$2\r\n33\r\n$2\r\n22\r\n")
        self.conn.call("HELLO", "3")
        self.assertEqual(self.conn.feed(request), b"$2\r\n22\r\n$2\r\n33\r\n$2\r\n22\r\n")
        self.assertEqual(self.spy.ran, [3, 3])
        self.assertEqual(self.server.store.hits, 6)

    def test_resp3(self):
        """
        A missing key is RESP3's null for a RESP3 client.
        """
        self.conn.call("HELLO", "3")
        reply = self.conn.feed(pipeline([b"GET", b"a"], [b"GET", b"nope"]))
        self.assertEqual(reply, b"$1\r\n1\r\n_\r\n")
        self.assertEqual(self.spy.ran, [2])

    def test_wrongType(self):
        """
        A key of another type answers WRONGTYPE (a failed call), the others
        their values.
        """
        self.conn.call("RPUSH", "l", "x")
        reply = self.conn.feed(pipeline([b"GET", b"a"], [b"GET", b"l"], [b"GET", b"b"]))
        self.assertEqual(
            reply,
            b"$1\r\n1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
            b"$2\r\n22\r\n",
        )
        self.assertEqual((self.spy.given, self.spy.ran), ([3], []))
        self.assertEqual(self.server.commandStats["get"][3], 1)

    def test_expired(self):
        """
        A key whose time has passed is deleted and answers a null; a key
        whose time has not come answers its value.
        """
        self.conn.call("EXPIRE", "a", "10")
        self.conn.call("EXPIRE", "b", "100")
        request = pipeline([b"GET", b"a"], [b"GET", b"b"])
        self.assertEqual(self.conn.feed(request), b"$1\r\n1\r\n$2\r\n22\r\n")
        self.assertEqual(self.spy.ran, [2])
        self.server.clock.advance(11)
        self.assertEqual(self.conn.feed(request), b"$-1\r\n$2\r\n22\r\n")
        self.assertEqual(self.server.store.expiredKeys, 1)
        self.assertNotIn(b"a", self.server.store.db(0).data)

    def test_missEvents(self):
        """
        With C{keymiss} events on, each miss is announced.
        """
        self.conn.call("CONFIG", "SET", "notify-keyspace-events", "Em")
        subscriber = Connection(self.server)
        subscriber.call("SUBSCRIBE", "__keyevent@0__:keymiss")
        subscriber.transport.clear()
        self.conn.feed(pipeline([b"GET", b"x"], [b"GET", b"a"], [b"GET", b"y"]))
        events = parse(subscriber.transport.value())
        self.assertEqual([event[2] for event in events], [b"x", b"y"])

    def test_slowlogEveryCommand(self):
        """
        With a slow log threshold of 0, every GET is logged.
        """
        self.conn.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        self.conn.call("SLOWLOG", "RESET")
        self.conn.feed(pipeline([b"GET", b"a"], [b"GET", b"b"]))
        entries = parse(self.conn.call("SLOWLOG", "GET", "-1"))[0]
        self.assertEqual([entry[3] for entry in entries[:2]], [[b"GET", b"b"], [b"GET", b"a"]])
        self.assertEqual(self.spy.given, [])

    def test_slowRunChargesShares(self):
        """
        A run is timed as a whole: when its commands' equal share of the
        time reaches the slow log's threshold, each is logged with that
        share.
        """
        self.conn.call("CONFIG", "SET", "slowlog-log-slower-than", "1000")
        self.conn.call("SLOWLOG", "RESET")
        ticks = iter(range(0, 1000, 1))
        # Each clock read is a second later than the last.
        self.patch(dispatch, "perf_counter", lambda: float(next(ticks)))
        self.conn.feed(pipeline([b"GET", b"a"], [b"GET", b"b"]))
        self.assertEqual(self.spy.ran, [2])
        entries = parse(self.conn.call("SLOWLOG", "GET", "-1"))[0]
        logged = [(entry[2], entry[3]) for entry in entries if entry[3][0] == b"GET"]
        self.assertEqual(logged, [(500000, [b"GET", b"b"]), (500000, [b"GET", b"a"])])

    def test_mget(self):
        """
        MGET answers a null for keys of other types and for expired keys.
        """
        self.conn.call("RPUSH", "l", "x")
        self.assertEqual(
            self.conn.call("MGET", "a", "l", "nope", "b"),
            b"*4\r\n$1\r\n1\r\n$-1\r\n$-1\r\n$2\r\n22\r\n",
        )
        self.conn.call("PEXPIRE", "b", "1500")
        self.server.clock.advance(1)
        self.assertEqual(self.conn.call("MGET", "a", "b"), b"*2\r\n$1\r\n1\r\n$2\r\n22\r\n")
        self.server.clock.advance(1)
        self.assertEqual(self.conn.call("MGET", "a", "b"), b"*2\r\n$1\r\n1\r\n$-1\r\n")
