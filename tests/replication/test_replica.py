"""
Tests for L{txredisd.replication.replica}: the link to a master, fed with
what a master sends.
"""

from twisted.internet.defer import succeed
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection
from txredisd.persistence import rdb
from txredisd.replication.master import ReplicationMaster
from txredisd.replication.replica import ReplicaOf
from txredisd.resp import RequestParser, encodeCommand
from txredisd.server import RedisServer


def syncThread(f, *args):
    return succeed(f(*args))


class ReplicaLinkTests(SynchronousTestCase):
    """
    A replica following a master it reaches through a memory reactor.
    """

    def setUp(self):
        self.reactor = MemoryReactorClock()
        self.reactor.advance(1_700_000_000)
        self.server = RedisServer(self.reactor)
        self.master = ReplicationMaster(self.server, deferToThread=syncThread)
        self.replicaOf = ReplicaOf(self.server, self.master, self.reactor, deferToThread=syncThread)
        self.client = Connection(self.server)

    def tearDown(self):
        self.replicaOf.stop()

    def connect(self):
        """
        Follow a master and connect the link; return its protocol and
        transport.
        """
        self.replicaOf.follow(b"127.0.0.1", 6379)
        host, port, factory, timeout, bind = self.reactor.tcpClients[-1]
        self.assertEqual((host, port), ("127.0.0.1", 6379))
        protocol = factory.buildProtocol(None)
        transport = StringTransport()
        protocol.makeConnection(transport)
        return protocol, transport

    def sent(self, transport):
        commands, _ = RequestParser().feed(transport.value())
        transport.clear()
        return commands

    def handshake(self, protocol, transport):
        self.assertEqual(self.sent(transport), [[b"PING"]])
        protocol.dataReceived(b"+PONG\r\n")
        self.assertEqual(self.sent(transport), [[b"REPLCONF", b"listening-port", b"6379"]])
        protocol.dataReceived(b"+OK\r\n")
        self.assertEqual(self.sent(transport), [[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]])
        protocol.dataReceived(b"+OK\r\n")
        return self.sent(transport)

    def rdbPayload(self):
        return rdb.dumps({0: [(b"a", b"string", b"1", None)], 2: [(b"b", b"string", b"2", None)]}, (), 10)

    def test_fullResync(self):
        """
        The handshake, then +FULLRESYNC and an RDB in $<len> framing after
        keep-alive newlines: the data replaces the keyspace and the offset
        is the master's.
        """
        self.client.call("SET", "stale", "x")
        protocol, transport = self.connect()
        self.assertEqual(self.handshake(protocol, transport), [[b"PSYNC", b"?", b"-1"]])
        payload = self.rdbPayload()
        protocol.dataReceived(b"\n\n+FULLRESYNC " + b"a" * 40 + b" 100\r\n\n\n$%d\r\n" % len(payload) + payload)
        self.assertEqual(self.server.store.db(0).data, {b"a": b"1"})
        self.assertEqual(self.server.store.db(2).data, {b"b": b"2"})
        self.assertEqual(self.master.replid, "a" * 40)
        self.assertEqual(self.master.offset, 100)
        self.assertEqual(self.replicaOf.linkStatus, "up")
        self.assertEqual(self.sent(transport), [[b"REPLCONF", b"ACK", b"100"]])

    def test_eofFramingAndStream(self):
        """
        The $EOF:<mark> framing, then the command stream in the same read:
        commands apply with no replies and count in the offset.
        """
        protocol, transport = self.connect()
        self.handshake(protocol, transport)
        payload = self.rdbPayload()
        mark = b"m" * 40
        stream = encodeCommand([b"SELECT", b"0"]) + encodeCommand([b"SET", b"c", b"3"])
        protocol.dataReceived(b"+FULLRESYNC " + b"b" * 40 + b" 0\r\n$EOF:" + mark + b"\r\n" + payload + mark + stream)
        self.assertEqual(self.server.store.db(0).data, {b"a": b"1", b"c": b"3"})
        self.assertEqual(self.master.offset, len(stream))
        self.sent(transport)
        self.assertEqual(transport.value(), b"")

    def test_getack(self):
        """
        REPLCONF GETACK is answered with the offset before it; the GETACK
        itself counts after the answer.
        """
        protocol, transport = self.connect()
        self.handshake(protocol, transport)
        payload = self.rdbPayload()
        protocol.dataReceived(b"+FULLRESYNC " + b"c" * 40 + b" 10\r\n$%d\r\n" % len(payload) + payload)
        self.sent(transport)
        getack = encodeCommand([b"REPLCONF", b"GETACK", b"*"])
        protocol.dataReceived(getack)
        self.assertEqual(self.sent(transport), [[b"REPLCONF", b"ACK", b"10"]])
        self.assertEqual(self.master.offset, 10 + len(getack))

    def test_ackEverySecond(self):
        """
        The replica acknowledges its offset every second.
        """
        protocol, transport = self.connect()
        self.handshake(protocol, transport)
        protocol.dataReceived(b"+CONTINUE\r\n")
        self.sent(transport)
        self.reactor.advance(1)
        self.assertEqual(self.sent(transport), [[b"REPLCONF", b"ACK", b"0"]])

    def test_readOnly(self):
        """
        A replica refuses writes from clients with Redis's READONLY error
        but applies the master's.
        """
        self.connect()
        self.assertEqual(
            self.client.call("SET", "x", "1"), b"-READONLY You can't write against a read only replica.\r\n"
        )
        self.replicaOf.apply([b"SET", b"x", b"1"])
        self.assertEqual(self.client.call("GET", "x"), b"$1\r\n1\r\n")

    def test_expiredHiddenNotDeleted(self):
        """
        A replica answers reads as if expired keys were gone but keeps them
        until the master's DEL.
        """
        self.connect()
        self.replicaOf.apply([b"SET", b"k", b"v"])
        self.replicaOf.apply([b"PEXPIREAT", b"k", b"%d" % (self.server.now() + 10)])
        self.reactor.advance(0.02)
        self.assertEqual(self.client.call("GET", "k"), b"$-1\r\n")
        self.assertIn(b"k", self.server.store.db(0).data)
        self.replicaOf.apply([b"DEL", b"k"])
        self.assertNotIn(b"k", self.server.store.db(0).data)

    def test_continueWithNewId(self):
        """
        +CONTINUE with a new id (the master failed over) keeps the old id as
        replid2.
        """
        self.master.replid = "d" * 40
        self.replicaOf._hasHistory = True
        protocol, transport = self.connect()
        self.assertEqual(self.handshake(protocol, transport), [[b"PSYNC", b"d" * 40, b"1"]])
        protocol.dataReceived(b"+CONTINUE " + b"e" * 40 + b"\r\n")
        self.assertEqual(self.master.replid, "e" * 40)
        self.assertEqual(self.master.replid2, "d" * 40)

    def test_promote(self):
        """
        REPLICAOF NO ONE stops following, keeps the data and makes the
        server writable with a new replication id.
        """
        self.connect()
        self.replicaOf.apply([b"SET", b"k", b"v"])
        oldId = self.master.replid
        self.assertEqual(self.client.call("REPLICAOF", "NO", "ONE"), b"+OK\r\n")
        self.assertEqual(self.client.call("SET", "k2", "v"), b"+OK\r\n")
        self.assertEqual(self.master.replid2, oldId)
        self.assertEqual(self.client.call("GET", "k"), b"$1\r\nv\r\n")

    def test_reconnects(self):
        """
        When the link drops, the factory tries again.
        """
        protocol, transport = self.connect()
        connector = self.reactor.connectors[-1]
        factory = self.reactor.tcpClients[-1][2]
        factory.clientConnectionLost(connector, None)
        self.assertTrue(self.reactor.getDelayedCalls())
        self.assertEqual(self.replicaOf.linkStatus, "down")

    def test_largeLoadInChunks(self):
        """
        A large full resync is installed over several reactor turns; clients
        get -LOADING meanwhile, as from Redis.
        """
        self.replicaOf.loadChunk = 2
        protocol, transport = self.connect()
        self.handshake(protocol, transport)
        payload = rdb.dumps({0: [(b"k%d" % i, b"string", b"v", None) for i in range(5)]}, (), 10)
        protocol.dataReceived(b"+FULLRESYNC " + b"a" * 40 + b" 7\r\n$%d\r\n" % len(payload) + payload)
        self.assertEqual(self.client.call("GET", "k0"), b"-LOADING Redis is loading the dataset in memory\r\n")
        # Commands flagged "loading" still run (PING is not one, as in Redis).
        self.assertTrue(self.client.call("LASTSAVE").startswith(b":"))
        self.reactor.advance(0)
        self.reactor.advance(0)
        self.assertEqual(self.client.call("GET", "k4"), b"$1\r\nv\r\n")
        self.assertEqual(self.master.offset, 7)

    def test_fullResyncLoadsFunctions(self):
        """
        Function libraries in the master's RDB replace the replica's.
        """
        code = (
            b"#!lua name=lib\nredis.register_function{function_name='f', "
            b"callback=function(keys, args) return 7 end, flags={'no-writes'}}"
        )
        protocol, transport = self.connect()
        self.handshake(protocol, transport)
        payload = rdb.dumps({0: [(b"a", b"string", b"1", None)]}, (), 10, functions=[code])
        protocol.dataReceived(b"+FULLRESYNC " + b"a" * 40 + b" 0\r\n$%d\r\n" % len(payload) + payload)
        self.assertEqual(self.client.call("FCALL_RO", "f", "0"), b":7\r\n")
