"""
Tests for SHUTDOWN's NOW, FORCE and ABORT: waiting for lagging replicas
as Redis 7.0 does.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer


class _Replica:
    state = "online"

    def __init__(self, ackOffset):
        self.ackOffset = ackOffset


class _Replication:
    """
    The part of the replication master SHUTDOWN looks at.
    """

    def __init__(self, offset, acks):
        self.offset = offset
        self.replicas = {i: _Replica(a) for i, a in enumerate(acks)}
        self.ackRequests = 0

    def requestAcks(self):
        self.ackRequests += 1


class ShutdownTests(SynchronousTestCase):
    def setUp(self):
        self.server = makeServer()
        self.server.config.set("save", b"")
        self.conn = Connection(self.server)
        self.other = Connection(self.server)

    def lagging(self):
        self.server.replication = _Replication(100, [100, 40])
        return self.server.replication

    def test_noReplicas(self):
        """
        Without replicas SHUTDOWN stops at once, answering nothing.
        """
        self.assertEqual(self.conn.call("SHUTDOWN"), b"")
        self.assertTrue(self.server.shutdownRequested)
        self.assertTrue(self.conn.transport.disconnecting)

    def test_waitsForLaggingReplica(self):
        """
        With a replica behind, SHUTDOWN asks for acknowledgements, pauses
        writes (reads still run) and stops once the replica caught up.
        """
        replication = self.lagging()
        self.assertEqual(self.conn.call("SHUTDOWN"), b"")
        self.assertFalse(self.server.shutdownRequested)
        self.assertEqual(replication.ackRequests, 1)
        self.assertEqual(self.other.call("GET", "k"), b"$-1\r\n")
        self.assertEqual(self.other.call("SET", "k", "v"), b"")
        replication.replicas[1].ackOffset = 100
        self.server.clock.advance(0.1)
        self.assertTrue(self.server.shutdownRequested)

    def test_timeout(self):
        """
        After shutdown-timeout seconds SHUTDOWN stops even with replicas
        still behind.
        """
        self.lagging()
        self.server.config.set("shutdown-timeout", b"2")
        self.conn.call("SHUTDOWN")
        self.server.clock.advance(1.5)
        self.assertFalse(self.server.shutdownRequested)
        for _ in range(6):
            self.server.clock.advance(0.1)
        self.assertTrue(self.server.shutdownRequested)

    def test_now(self):
        """
        SHUTDOWN NOW does not wait for replicas.
        """
        self.lagging()
        self.conn.call("SHUTDOWN", "NOW")
        self.assertTrue(self.server.shutdownRequested)

    def test_abort(self):
        """
        SHUTDOWN ABORT cancels a waiting shutdown: the waiting client gets
        Redis's error, writes resume, and a second ABORT finds none.
        """
        self.lagging()
        self.conn.call("SHUTDOWN")
        self.assertEqual(self.other.call("SET", "k", "v"), b"")
        third = Connection(self.server)
        self.assertEqual(third.call("SHUTDOWN", "ABORT"), b"+OK\r\n")
        self.assertEqual(self.conn.transport.value(), b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n")
        self.assertEqual(self.other.transport.value(), b"+OK\r\n")
        self.assertEqual(third.call("SHUTDOWN", "ABORT"), b"-ERR No shutdown in progress.\r\n")
        self.assertFalse(self.server.shutdownRequested)
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_secondShutdownWaitsToo(self):
        """
        A SHUTDOWN sent while one waits waits with it, and ABORT answers both.
        """
        self.lagging()
        self.conn.call("SHUTDOWN")
        self.assertEqual(self.other.call("SHUTDOWN", "NOSAVE"), b"")
        Connection(self.server).call("SHUTDOWN", "ABORT")
        self.assertEqual(self.other.transport.value(), b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n")

    def test_denyBlocking(self):
        """
        Inside a transaction-like context SHUTDOWN needs NOW.
        """
        self.conn.client.denyBlocking = True
        self.assertEqual(
            self.conn.call("SHUTDOWN"),
            b"-ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client\r\n",
        )

    def test_forceIgnoresSaveErrors(self):
        """
        A failing save makes SHUTDOWN answer an error; with FORCE it stops
        anyway.
        """
        self.server.config.set("dir", b"/nonexistent/directory")
        self.assertEqual(
            self.conn.call("SHUTDOWN", "SAVE"),
            b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n",
        )
        self.flushLoggedErrors()
        self.assertFalse(self.server.shutdownRequested)
        self.conn.call("SHUTDOWN", "SAVE", "FORCE")
        self.flushLoggedErrors()
        self.assertTrue(self.server.shutdownRequested)
