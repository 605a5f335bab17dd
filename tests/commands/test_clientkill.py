"""
CLIENT KILL's filters by client type, local address, user and SKIPME.
"""

from twisted.internet.address import IPv4Address
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer


class ClientKillTests(SynchronousTestCase):
    def setUp(self):
        self.server = makeServer()
        # The peers are not loopback addresses: without this, protected
        # mode would turn them away.
        self.server.config.set("protected-mode", b"no")
        self.admin = Connection(self.server, peer=IPv4Address("TCP", "10.0.0.1", 1000))
        self.normal = Connection(self.server, peer=IPv4Address("TCP", "10.0.0.2", 2000))
        self.subscriber = Connection(self.server, peer=IPv4Address("TCP", "10.0.0.3", 3000))
        self.subscriber.call("SUBSCRIBE", "ch")
        self.replica = Connection(self.server, peer=IPv4Address("TCP", "10.0.0.4", 4000))
        self.replica.client.kind = "replica"
        self.master = Connection(self.server, peer=IPv4Address("TCP", "10.0.0.5", 5000))
        self.master.client.kind = "master"

    def kill(self, *args):
        return self.admin.call("CLIENT", "KILL", *args)

    def test_types(self):
        """
        TYPE pubsub, replica (or slave), master and normal each close only
        their clients; the caller is skipped by default.
        """
        self.assertEqual(self.kill("TYPE", "pubsub"), b":1\r\n")
        self.assertTrue(self.subscriber.transport.disconnecting)
        self.assertEqual(self.kill("TYPE", "slave"), b":1\r\n")
        self.assertTrue(self.replica.transport.disconnecting)
        self.assertEqual(self.kill("TYPE", "master"), b":1\r\n")
        self.assertTrue(self.master.transport.disconnecting)
        self.assertEqual(self.kill("TYPE", "normal"), b":1\r\n")
        self.assertTrue(self.normal.transport.disconnecting)
        self.assertFalse(self.admin.transport.disconnecting)

    def test_monitorIsNormal(self):
        """
        A MONITOR client is of the normal type, as Redis's getClientType.
        """
        self.normal.call("MONITOR")
        self.assertEqual(self.kill("TYPE", "normal"), b":1\r\n")
        self.assertTrue(self.normal.transport.disconnecting)

    def test_laddr(self):
        """
        LADDR matches the server-side address of connections.
        """
        laddr = self.normal.client.localAddress
        self.assertEqual(self.kill("LADDR", "1.1.1.1:1"), b":0\r\n")
        # Every StringTransport shares the same local address.
        self.assertEqual(self.kill("LADDR", laddr, "TYPE", "normal"), b":1\r\n")

    def test_userAndSkipme(self):
        """
        USER default matches every client; SKIPME no includes the caller,
        closed after its reply.
        """
        self.assertEqual(self.kill("USER", "default", "SKIPME", "no"), b":5\r\n")
        self.assertTrue(self.admin.transport.disconnecting)
