"""
Tests for L{txredisd.limits}: maxclients, the idle timeout, the query
buffer limit and the output buffer limits of every client class.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.limits import checkOutputBuffer, outputBufferClass
from txredisd.resp import Raw


class MaxClientsTests(SynchronousTestCase):
    """
    Connections over C{maxclients} are answered an error and closed.
    """

    def test_overLimit(self):
        """
        With maxclients 2 a third connection gets Redis's error and is
        closed, counted in rejected_connections; the others are served.
        """
        server = makeServer()
        server.config.set("maxclients", b"2")
        first = Connection(server)
        Connection(server)
        third = Connection(server)
        self.assertEqual(third.transport.value(), b"-ERR max number of clients reached\r\n")
        self.assertTrue(third.transport.disconnecting)
        self.assertEqual(third.feed(b"PING\r\n"), b"")
        self.assertEqual(server.stats["rejected_connections"], 1)
        self.assertEqual(len(server.clients), 2)
        self.assertEqual(first.call("PING"), b"+PONG\r\n")
        third.close()

    def test_roomAgain(self):
        """
        Once a client leaves, a new connection is accepted.
        """
        server = makeServer()
        server.config.set("maxclients", b"1")
        first = Connection(server)
        first.close()
        second = Connection(server)
        self.assertEqual(second.call("PING"), b"+PONG\r\n")

    def test_configSet(self):
        """
        CONFIG SET maxclients applies to the next connection.
        """
        conn = Connection()
        self.assertEqual(conn.call("CONFIG", "SET", "maxclients", "1"), b"+OK\r\n")
        late = Connection(conn.server)
        self.assertEqual(late.transport.value(), b"-ERR max number of clients reached\r\n")


class TimeoutTests(SynchronousTestCase):
    """
    C{timeout}: idle clients are closed by the cron, except replicas,
    blocked clients and subscribers.
    """

    def setUp(self):
        self.server = makeServer()
        self.server.config.set("timeout", b"10")
        self.server.start()
        self.addCleanup(self.server.stop)
        self.clock = self.server.clock

    def test_idleClosed(self):
        """
        A client idle for more than timeout seconds is closed; one that
        spoke recently is not.
        """
        idle = Connection(self.server)
        busy = Connection(self.server)
        self.clock.advance(6)
        busy.call("PING")
        self.clock.advance(5)
        self.assertTrue(idle.transport.disconnecting)
        self.assertFalse(busy.transport.disconnecting)

    def test_disabled(self):
        """
        With timeout 0 (the default) nobody is closed.
        """
        self.server.config.set("timeout", b"0")
        conn = Connection(self.server)
        self.clock.advance(1000)
        self.assertFalse(conn.transport.disconnecting)

    def test_exempt(self):
        """
        Subscribers, blocked clients and replicas stay connected however
        long they are idle.
        """
        subscriber = Connection(self.server)
        subscriber.call("SUBSCRIBE", "ch")
        blocked = Connection(self.server)
        self.assertEqual(blocked.call("BZPOPMIN", "nozset", "0"), b"")
        replica = Connection(self.server)
        replica.client.kind = "replica"
        monitor = Connection(self.server)
        monitor.call("MONITOR")
        self.clock.advance(30)
        for conn in (subscriber, replica, monitor):
            self.assertFalse(conn.transport.disconnecting)
        self.assertFalse(blocked.transport.disconnecting)
        blocked.close()


class QueryBufferTests(SynchronousTestCase):
    """
    C{client-query-buffer-limit}: a client whose unparsed request grows
    past it is closed without a reply.
    """

    def test_endlessBulk(self):
        """
        A bulk claimed at 100 MB whose bytes keep coming closes the
        connection once 1 MB (the limit set) is buffered; others are still
        served.
        """
        server = makeServer()
        server.config.set("client-query-buffer-limit", b"1mb")
        other = Connection(server)
        conn = Connection(server)
        self.assertEqual(conn.feed(b"*2\r\n$3\r\nSET\r\n$104857600\r\n"), b"")
        chunk = b"x" * 65536
        for _ in range(15):
            conn.feed(chunk)
        self.assertFalse(conn.transport.disconnecting)
        for _ in range(2):
            self.assertEqual(conn.feed(chunk), b"")
        self.assertTrue(conn.transport.disconnecting)
        self.assertEqual(other.call("PING"), b"+PONG\r\n")

    def test_pureParser(self):
        """
        The pure-Python parser is held to the same limit.
        """
        server = makeServer()
        server.config.set("client-query-buffer-limit", b"1mb")
        conn = Connection(server, useHiredis=False)
        conn.feed(b"*1\r\n$2000000\r\n" + b"y" * (1024 * 1024 + 1))
        self.assertTrue(conn.transport.disconnecting)

    def test_underLimit(self):
        """
        A large command under the limit runs.
        """
        server = makeServer()
        server.config.set("client-query-buffer-limit", b"1mb")
        conn = Connection(server)
        value = b"v" * 900000
        self.assertEqual(conn.call("SET", "k", value), b"+OK\r\n")

    def test_protoMaxBulkLenNewConnections(self):
        """
        CONFIG SET proto-max-bulk-len applies to connections made after it.
        """
        conn = Connection()
        self.assertEqual(conn.call("CONFIG", "SET", "proto-max-bulk-len", "1mb"), b"+OK\r\n")
        late = Connection(conn.server)
        self.assertEqual(
            late.feed(b"*2\r\n$3\r\nGET\r\n$2000000\r\n"),
            b"-ERR Protocol error: invalid bulk length\r\n",
        )


class OutputBufferTests(SynchronousTestCase):
    """
    One output buffer check serves the normal, replica and pubsub classes.
    """

    def test_classes(self):
        """
        Clients fall in Redis's classes: normal, pubsub when subscribed,
        replica for replica links, none for a master link.
        """
        server = makeServer()
        conn = Connection(server)
        self.assertEqual(outputBufferClass(conn.client), "normal")
        conn.call("SUBSCRIBE", "x")
        self.assertEqual(outputBufferClass(conn.client), "pubsub")
        conn.client.kind = "replica"
        self.assertEqual(outputBufferClass(conn.client), "replica")
        conn.client.kind = "master"
        self.assertIsNone(outputBufferClass(conn.client))

    def test_normalUnlimitedByDefault(self):
        """
        The normal class defaults to 0 0 0: large replies never close.
        """
        conn = Connection()
        conn.call("SET", "k", b"v" * 100000)
        for _ in range(5):
            conn.protocol._write(b"x" * 1000000)
        self.assertFalse(conn.transport.disconnecting)

    def test_normalHard(self):
        """
        A normal client whose unsent replies pass the normal hard limit is
        dropped.
        """
        conn = Connection()
        conn.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1000 0 0")
        conn.call("SET", "k", b"v" * 500)
        # StringTransport keeps every byte written: nothing is ever read.
        conn.protocol.dataReceived(b"GET k\r\n")
        self.assertFalse(conn.transport.disconnecting)
        conn.protocol.dataReceived(b"GET k\r\n")
        self.assertTrue(conn.transport.disconnecting)
        self.assertEqual(conn.server.stats["client_output_buffer_limit_disconnections"], 1)

    def test_replicaHard(self):
        """
        A replica link fed through push past the replica hard limit is
        dropped; a master link never is.
        """
        server = makeServer()
        server.config.set("client-output-buffer-limit", b"replica 1000 0 0")
        replica = Connection(server)
        replica.client.kind = "replica"
        replica.client.push(Raw(b"x" * 800))
        self.assertFalse(replica.transport.disconnecting)
        replica.client.push(Raw(b"x" * 800))
        self.assertTrue(replica.transport.disconnecting)
        master = Connection(server)
        master.client.kind = "master"
        master.client.push(Raw(b"x" * 5000))
        self.assertFalse(checkOutputBuffer(master.client))

    def test_replicaSoft(self):
        """
        A replica over the soft limit is dropped only after staying over
        it for more than the soft seconds.
        """
        server = makeServer()
        server.config.set("client-output-buffer-limit", b"slave 0 100 60")
        replica = Connection(server)
        replica.client.kind = "replica"
        replica.client.push(Raw(b"x" * 200))
        server.clock.advance(60)
        replica.client.push(Raw(b"y"))
        self.assertFalse(replica.transport.disconnecting)
        server.clock.advance(1)
        replica.client.push(Raw(b"z"))
        self.assertTrue(replica.transport.disconnecting)

    def test_replicaDefaults(self):
        """
        Replicas default to Redis's 256mb hard, 64mb for 60 s soft.
        """
        server = makeServer()
        self.assertEqual(
            server.config["client-output-buffer-limit"]["replica"],
            (256 * 1024 * 1024, 64 * 1024 * 1024, 60),
        )
