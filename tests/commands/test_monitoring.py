"""
Tests for L{txredisd.monitoring} and L{txredisd.commands.monitoring}:
SLOWLOG, LATENCY, MONITOR and CLIENT PAUSE.
"""

import hiredis
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.monitoring import quote, trimArguments


def parse(data):
    reader = hiredis.Reader()
    reader.feed(data)
    return reader.gets()


class SlowlogTests(SynchronousTestCase):
    """
    SLOWLOG GET/LEN/RESET and what entries hold.
    """

    def setUp(self):
        self.conn = Connection()
        self.conn.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        self.conn.call("SLOWLOG", "RESET")

    def test_entry(self):
        """
        An entry is id, time, microseconds, arguments, address and name,
        newest first; CONFIG SET itself is logged too.
        """
        self.conn.call("CLIENT", "SETNAME", "me")
        self.conn.call("SET", "k", "v")
        entries = parse(self.conn.call("SLOWLOG", "GET", "1"))
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        self.assertEqual(len(entry), 6)
        self.assertEqual(entry[3], [b"SET", b"k", b"v"])
        self.assertEqual(entry[1], int(self.conn.server.clock.seconds()))
        self.assertGreaterEqual(entry[2], 0)
        self.assertEqual(entry[4], self.conn.client.address.encode())
        self.assertEqual(entry[5], b"me")
        ids = [e[0] for e in parse(self.conn.call("SLOWLOG", "GET", "-1"))]
        self.assertEqual(ids, sorted(ids, reverse=True))

    def test_lenResetAndMax(self):
        """
        SLOWLOG LEN counts entries, at most slowlog-max-len; RESET empties it.
        """
        self.conn.call("CONFIG", "SET", "slowlog-max-len", "3")
        for i in range(10):
            self.conn.call("PING")
        self.assertEqual(self.conn.call("SLOWLOG", "LEN"), b":3\r\n")
        self.assertEqual(self.conn.call("SLOWLOG", "RESET"), b"+OK\r\n")
        # SLOWLOG RESET is logged after it ran.
        self.assertEqual(self.conn.call("SLOWLOG", "LEN"), b":1\r\n")

    def test_threshold(self):
        """
        With a threshold of -1 nothing is logged; fast commands under a
        high threshold are not logged.
        """
        self.conn.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")
        self.conn.call("SLOWLOG", "RESET")
        self.conn.call("PING")
        self.assertEqual(self.conn.call("SLOWLOG", "LEN"), b":0\r\n")
        self.conn.call("CONFIG", "SET", "slowlog-log-slower-than", "10000000")
        self.conn.call("PING")
        self.assertEqual(self.conn.call("SLOWLOG", "LEN"), b":0\r\n")

    def test_trimmed(self):
        """
        Arguments are trimmed to 32 and strings to 128 bytes, as Redis.
        """
        self.assertEqual(
            trimArguments([b"a"] * 40),
            [b"a"] * 31 + [b"... (9 more arguments)"],
        )
        self.assertEqual(trimArguments([b"x" * 130]), [b"x" * 128 + b"... (2 more bytes)"])
        self.conn.call("DEL", *(["k"] * 50))
        entry = parse(self.conn.call("SLOWLOG", "GET", "1"))[0]
        self.assertEqual(entry[3][-1], b"... (20 more arguments)")

    def test_errors(self):
        """
        Bad counts and argument numbers get Redis's errors.
        """
        self.assertEqual(
            self.conn.call("SLOWLOG", "GET", "-2"),
            b"-ERR count should be greater than or equal to -1\r\n",
        )
        self.assertEqual(
            self.conn.call("SLOWLOG", "GET", "x"),
            b"-ERR count should be greater than or equal to -1\r\n",
        )
        self.assertEqual(
            self.conn.call("SLOWLOG", "GET", "1", "2"),
            b"-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n",
        )
        self.assertEqual(
            self.conn.call("SLOWLOG", "FOO"),
            b"-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n",
        )


class LatencyTests(SynchronousTestCase):
    """
    LATENCY LATEST/HISTORY/RESET/DOCTOR.
    """

    def test_disabled(self):
        """
        With latency-monitor-threshold 0 nothing is recorded and DOCTOR
        says monitoring is off.
        """
        conn = Connection()
        conn.call("PING")
        self.assertEqual(conn.call("LATENCY", "LATEST"), b"*0\r\n")
        self.assertIn(b"Latency monitoring is disabled", conn.call("LATENCY", "DOCTOR"))

    def test_samples(self):
        """
        Samples over the threshold are recorded per event, one per second
        (the worst), and RESET forgets them.
        """
        server = makeServer()
        conn = Connection(server)
        server.config.set("latency-monitor-threshold", b"5")
        server.latency.add(server, b"command", 7)
        server.latency.add(server, b"command", 9)
        server.latency.add(server, b"command", 2)
        server.clock.advance(1)
        server.latency.add(server, b"command", 6)
        now = int(server.clock.seconds())
        self.assertEqual(parse(conn.call("LATENCY", "LATEST")), [[b"command", now, 6, 9]])
        self.assertEqual(parse(conn.call("LATENCY", "HISTORY", "command")), [[now - 1, 9], [now, 6]])
        self.assertEqual(conn.call("LATENCY", "HISTORY", "nothing"), b"*0\r\n")
        self.assertIn(b"command: 2 latency spikes", conn.call("LATENCY", "DOCTOR"))
        self.assertEqual(conn.call("LATENCY", "RESET", "nothing"), b":0\r\n")
        self.assertEqual(conn.call("LATENCY", "RESET"), b":1\r\n")
        self.assertIn(b"no latency spike was observed", conn.call("LATENCY", "DOCTOR"))


class MonitorTests(SynchronousTestCase):
    """
    MONITOR clients see every command as it runs.
    """

    def test_lines(self):
        """
        A monitor gets +<time> [db addr] "args" lines, quoted as Redis's
        sdscatrepr, for commands of other clients; admin commands are not
        shown.
        """
        server = makeServer()
        monitor = Connection(server)
        self.assertEqual(monitor.call("MONITOR"), b"+OK\r\n")
        other = Connection(server)
        monitor.transport.clear()
        other.call("SET", "k", b'a "b"\n\x01')
        other.call("SELECT", "2")
        other.call("CONFIG", "GET", "port")
        seconds = server.clock.seconds()
        addr = other.client.address.encode()
        self.assertEqual(
            monitor.transport.value(),
            b'+%d.000000 [0 %s] "SET" "k" "a \\"b\\"\\n\\x01"\r\n' % (seconds, addr)
            + b'+%d.000000 [2 %s] "SELECT" "2"\r\n' % (seconds, addr),
        )
        self.assertIn(b"flags=O", other.call("CLIENT", "LIST"))

    def test_gone(self):
        """
        A monitor that disconnects is forgotten.
        """
        server = makeServer()
        monitor = Connection(server)
        monitor.call("MONITOR")
        monitor.close()
        self.assertEqual(server.monitors, [])
        Connection(server).call("PING")

    def test_inMulti(self):
        """
        MONITOR inside MULTI fails at EXEC, as Redis's deny-blocking rule.
        """
        conn = Connection()
        conn.call("MULTI")
        conn.call("MONITOR")
        self.assertEqual(
            conn.call("EXEC"),
            b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n",
        )

    def test_quote(self):
        """
        Quoting escapes as sdscatrepr.
        """
        self.assertEqual(quote(b"\\\t\r\x07\x08\xff ok"), b'"\\\\\\t\\r\\a\\b\\xff ok"')


class PauseTests(SynchronousTestCase):
    """
    CLIENT PAUSE and UNPAUSE.
    """

    def setUp(self):
        self.server = makeServer()
        self.admin = Connection(self.server)
        self.conn = Connection(self.server)

    def test_all(self):
        """
        CLIENT PAUSE ms ALL holds every command until the time has passed;
        they then run in order.
        """
        self.assertEqual(self.admin.call("CLIENT", "PAUSE", "1000"), b"+OK\r\n")
        self.assertEqual(self.conn.call("GET", "k"), b"")
        self.assertEqual(self.conn.feed(b"SET k v\r\nGET k\r\n"), b"")
        self.server.clock.advance(1)
        self.assertEqual(self.conn.transport.value(), b"$-1\r\n+OK\r\n$1\r\nv\r\n")

    def test_write(self):
        """
        CLIENT PAUSE WRITE holds writes (and PUBLISH, which may replicate)
        but serves reads.
        """
        self.admin.call("CLIENT", "PAUSE", "500", "WRITE")
        self.assertEqual(self.conn.call("GET", "k"), b"$-1\r\n")
        self.assertEqual(self.conn.call("SET", "k", "v"), b"")
        other = Connection(self.server)
        self.assertEqual(other.call("PUBLISH", "c", "m"), b"")
        self.assertEqual(self.admin.call("CLIENT", "UNPAUSE"), b"+OK\r\n")
        self.assertEqual(self.conn.transport.value(), b"+OK\r\n")
        self.assertEqual(other.transport.value(), b":0\r\n")
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_neverShorter(self):
        """
        A pause in effect is not made shorter or less strict.
        """
        self.admin.call("CLIENT", "PAUSE", "1000", "ALL")
        self.admin.call("CLIENT", "PAUSE", "10", "WRITE")
        self.server.clock.advance(0.5)
        self.assertEqual(self.conn.call("GET", "k"), b"")
        self.server.clock.advance(0.5)
        self.assertEqual(self.conn.transport.value(), b"$-1\r\n")

    def test_disconnectWhilePaused(self):
        """
        A paused client that goes away is forgotten.
        """
        self.admin.call("CLIENT", "PAUSE", "1000")
        self.conn.call("GET", "k")
        self.conn.close()
        self.server.clock.advance(1)
        self.assertEqual(self.server.clientPause._waiters, [])

    def test_errors(self):
        """
        Bad timeouts and modes get Redis's errors.
        """
        call = self.admin.call
        self.assertEqual(call("CLIENT", "PAUSE", "abc"), b"-ERR timeout is not an integer or out of range\r\n")
        self.assertEqual(call("CLIENT", "PAUSE", "-1"), b"-ERR timeout is negative\r\n")
        self.assertEqual(call("CLIENT", "PAUSE", "10", "foo"), b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n")
        self.assertEqual(
            call("CLIENT", "PAUSE", "10", "write", "x"),
            b"-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
        )
        self.assertEqual(call("CLIENT", "PAUSE", "0"), b"+OK\r\n")
        self.server.clock.advance(0)
        self.assertEqual(self.conn.call("PING"), b"+PONG\r\n")

    def test_replicaNotPaused(self):
        """
        Replica links are never paused.
        """
        self.conn.client.kind = "replica"
        self.admin.call("CLIENT", "PAUSE", "1000")
        self.assertEqual(self.conn.call("PING"), b"+PONG\r\n")
        self.server.clientPause.unpause()
