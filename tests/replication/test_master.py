"""
Tests for L{txredisd.replication.master}: PSYNC, the backlog and WAIT, over
in-memory connections.
"""

from twisted.internet.defer import succeed
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.persistence import rdb
from txredisd.replication.master import ReplicationMaster
from txredisd.resp import RequestParser


def syncThread(f, *args):
    return succeed(f(*args))


class MasterTests(SynchronousTestCase):
    """
    A master answering replicas.
    """

    def setUp(self):
        self.server = makeServer()
        self.master = ReplicationMaster(self.server, deferToThread=syncThread)
        self.client = Connection(self.server)

    def replica(self, *capas):
        conn = Connection(self.server)
        self.assertEqual(conn.call("REPLCONF", "listening-port", "7000"), b"+OK\r\n")
        if capas:
            args = []
            for capa in capas:
                args += ["capa", capa]
            self.assertEqual(conn.call("REPLCONF", *args), b"+OK\r\n")
        return conn

    def test_fullResync(self):
        """
        PSYNC ? -1 answers +FULLRESYNC with the id and offset, then the RDB
        as $<len> with no trailing CRLF, then the writes made since.
        """
        self.client.call("SET", "a", "1")
        replica = self.replica("psync2")
        out = replica.call("PSYNC", "?", "-1")
        header, rest = out.split(b"\r\n", 1)
        self.assertEqual(header, b"+FULLRESYNC %s %d" % (self.master.replid.encode(), self.master.offset))
        length, payload = rest.split(b"\r\n", 1)
        self.assertTrue(length.startswith(b"$"))
        self.assertEqual(len(payload), int(length[1:]))
        records, aux = rdb.loads(payload)
        self.assertEqual([(r.key, r.value) for r in records], [(b"a", b"1")])
        self.assertEqual(aux[b"repl-id"], self.master.replid.encode())
        replica.transport.clear()
        self.client.call("SET", "b", "2")
        commands, _ = RequestParser().feed(replica.transport.value())
        self.assertEqual(commands, [[b"SELECT", b"0"], [b"SET", b"b", b"2"]])

    def test_eofFraming(self):
        """
        A replica that announced capa eof gets the $EOF:<mark> framing,
        the mark repeated after the payload.
        """
        replica = self.replica("eof", "psync2")
        out = replica.call("PSYNC", "?", "-1")
        rest = out.split(b"\r\n", 1)[1]
        header, payload = rest.split(b"\r\n", 1)
        self.assertTrue(header.startswith(b"$EOF:"))
        mark = header[5:]
        self.assertEqual(len(mark), 40)
        self.assertTrue(payload.endswith(mark))
        rdb.loads(payload[: -len(mark)])

    def test_partialResync(self):
        """
        PSYNC with the master's id and an offset inside the backlog
        continues from there.
        """
        self.replica().call("PSYNC", "?", "-1")
        self.client.call("SET", "a", "1")
        offset = self.master.offset
        self.client.call("SET", "b", "2")
        replica = self.replica("psync2")
        out = replica.call("PSYNC", self.master.replid, offset + 1)
        self.assertTrue(out.startswith(b"+CONTINUE %s\r\n" % (self.master.replid.encode(),)))
        commands, _ = RequestParser().feed(out.split(b"\r\n", 1)[1])
        self.assertEqual(commands, [[b"SET", b"b", b"2"]])
        self.assertEqual(self.master.syncPartialOk, 1)

    def test_unknownIdFullResync(self):
        """
        PSYNC with another id falls back to a full resync.
        """
        replica = self.replica()
        self.assertTrue(replica.call("PSYNC", "f" * 40, "5").startswith(b"+FULLRESYNC"))
        self.assertEqual(self.master.syncPartialErr, 1)

    def test_offsetOutsideBacklog(self):
        """
        An offset the backlog no longer holds means a full resync.
        """
        self.server.config.set("repl-backlog-size", b"100")
        for i in range(20):
            self.client.call("SET", "k%d" % i, "v")
        replica = self.replica()
        self.assertTrue(replica.call("PSYNC", self.master.replid, "1").startswith(b"+FULLRESYNC"))

    def test_afterPromotion(self):
        """
        After a promotion the old id stays valid up to the old offset, so
        replicas of the old master continue partially.
        """
        self.replica().call("PSYNC", "?", "-1")
        self.client.call("SET", "a", "1")
        oldId, offset = self.master.replid, self.master.offset
        self.master.shiftReplicationId()
        replica = self.replica("psync2")
        out = replica.call("PSYNC", oldId, offset + 1)
        self.assertTrue(out.startswith(b"+CONTINUE %s\r\n" % (self.master.replid.encode(),)))

    def test_noBacklogBeforeFirstReplica(self):
        """
        As in Redis, no stream is produced before the first replica: writes
        leave the offset at 0, and the first PSYNC starts a new history.
        """
        self.client.call("SET", "a", "1")
        self.assertEqual(self.master.offset, 0)
        replid = self.master.replid
        out = self.replica().call("PSYNC", replid, "1")
        self.assertTrue(out.startswith(b"+FULLRESYNC"))
        self.assertNotEqual(self.master.replid, replid)
        self.client.call("SET", "b", "1")
        self.assertGreater(self.master.offset, 0)

    def test_waitNoWrites(self):
        """
        WAIT with no writes answers the number of connected replicas at once.
        """
        replica = self.replica()
        replica.call("PSYNC", "?", "-1")
        self.assertEqual(self.client.call("WAIT", "1", "0"), b":1\r\n")

    def test_waitForAck(self):
        """
        WAIT after a write blocks until a replica acknowledges the offset,
        sending REPLCONF GETACK once.
        """
        replica = self.replica()
        replica.call("PSYNC", "?", "-1")
        self.client.call("SET", "a", "1")
        self.assertEqual(self.client.call("WAIT", "1", "0"), b"")
        self.server.clock.advance(0)
        # Skip +FULLRESYNC and the RDB payload ($<len> framing) before the
        # command stream.
        value = replica.transport.value()
        start = value.index(b"$")
        newline = value.index(b"\r\n", start)
        commands, _ = RequestParser().feed(value[newline + 2 + int(value[start + 1 : newline]) :])
        self.assertIn([b"REPLCONF", b"GETACK", b"*"], commands)
        self.assertEqual(replica.call("REPLCONF", "ACK", self.master.offset), b"")
        self.assertEqual(self.client.transport.value(), b":1\r\n")

    def test_waitTimeout(self):
        """
        WAIT answers the count reached when its timeout fires, and leaves no
        timer behind.
        """
        self.client.call("SET", "a", "1")
        self.assertEqual(self.client.call("WAIT", "1", "100"), b"")
        self.server.clock.advance(0.1)
        self.assertEqual(self.client.transport.value(), b":0\r\n")
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_waitDisconnect(self):
        """
        A client that goes away while in WAIT leaves no timer behind.
        """
        self.client.call("SET", "a", "1")
        self.client.call("WAIT", "1", "100")
        self.client.close()
        self.server.clock.advance(0)
        self.assertEqual(self.server.clock.getDelayedCalls(), [])

    def test_replconfErrors(self):
        """
        REPLCONF refuses odd arguments and unknown options as Redis does.
        """
        self.assertEqual(self.client.call("REPLCONF", "a"), b"-ERR syntax error\r\n")
        self.assertEqual(self.client.call("REPLCONF", "bogus", "1"), b"-ERR Unrecognized REPLCONF option: bogus\r\n")

    def test_role(self):
        """
        ROLE on a master lists online replicas with their acknowledged
        offsets.
        """
        replica = self.replica()
        replica.call("PSYNC", "?", "-1")
        replica.call("REPLCONF", "ACK", "0")
        self.assertEqual(
            self.client.call("ROLE"),
            b"*3\r\n$6\r\nmaster\r\n:%d\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n7000\r\n$1\r\n0\r\n" % self.master.offset,
        )

    def test_expiredKeysPropagateAsDel(self):
        """
        A key that expires reaches replicas as DEL.
        """
        replica = self.replica()
        replica.call("PSYNC", "?", "-1")
        self.client.call("SET", "a", "1")
        self.client.call("PEXPIRE", "a", "10")
        replica.transport.clear()
        self.server.clock.advance(0.02)
        self.client.call("GET", "a")
        commands, _ = RequestParser().feed(replica.transport.value())
        self.assertEqual(commands, [[b"DEL", b"a"]])

    def test_publishReachesReplicasOnly(self):
        """
        PUBLISH goes to replicas (so their subscribers get it) but is not a
        keyspace change.
        """
        replica = self.replica()
        replica.call("PSYNC", "?", "-1")
        replica.transport.clear()
        dirty = self.server.store.dirty
        self.client.call("PUBLISH", "ch", "hello")
        commands, _ = RequestParser().feed(replica.transport.value())
        self.assertEqual(commands[-1], [b"PUBLISH", b"ch", b"hello"])
        self.assertEqual(self.server.store.dirty, dirty)

    def test_eofFramingStreamWaitsForAck(self):
        """
        After an RDB in EOF framing, the command stream waits for the
        replica's first REPLCONF ACK: a replica finds the end mark only at
        the end of what it read.
        """
        replica = self.replica("eof", "psync2")
        replica.call("PSYNC", "?", "-1")
        replica.transport.clear()
        self.client.call("SET", "a", "1")
        self.assertEqual(replica.transport.value(), b"")
        replica.call("REPLCONF", "ACK", "0")
        commands, _ = RequestParser().feed(replica.transport.value())
        self.assertEqual(commands, [[b"SELECT", b"0"], [b"SET", b"a", b"1"]])
