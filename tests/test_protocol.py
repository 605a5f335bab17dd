"""
Tests for L{txredisd.protocol}: framing, pipelining, protocol errors, QUIT,
Deferred replies, backpressure and the eager TCP transport.
"""

import errno
import socket

import pytest_twisted

from twisted.internet import defer, main, task
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.dispatch import plainCommands
from txredisd.protocol import EagerServer, RedisFactory, RedisProtocol, listenTCPEager
from txredisd.registry import COMMANDS, command
from txredisd.resp import encodeCommand

_BIG = 70000


def pipeline(*commands):
    """
    @return: C{commands} (each a L{list} of L{bytes}) encoded in one read.
    """
    return b"".join(map(encodeCommand, commands))


#: (request bytes, the exact reply bytes redis-server 7.0 sends, and what
#: happens to the connection: "open", "closes" after the reply, or "waits"
#: for more bytes).  tests.differential.test_protocol checks each against a
#: real redis-server.
REPLY_VECTORS = [
    (b"*1\r\n$4\r\nPING\r\n", b"+PONG\r\n", "open"),
    (b"PING\r\nPING\nECHO a\n", b"+PONG\r\n+PONG\r\n$1\r\na\r\n", "open"),
    (b"\r\n\r\n\n", b"", "open"),
    (b"*0\r\n*-1\r\n*-7\r\nPING\r\n", b"+PONG\r\n", "open"),
    (b'ECHO "a\\x41b\\n"\r\n', b"$4\r\naAb\n\r\n", "open"),
    (b"ECHO 'a\\'b'\r\n", b"$3\r\na'b\r\n", "open"),
    (b'ECHO ""\r\n', b"$0\r\n\r\n", "open"),
    (b"*2\r\n$4\r\nECHO\r\n$5\r\na\x00\r\nb\r\n", b"$5\r\na\x00\r\nb\r\n", "open"),
    (
        b"*3\r\n$3\r\nSET\r\n$2\r\nk\x00\r\n$3\r\n\xff\r\n\r\n*2\r\n$3\r\nGET\r\n$2\r\nk\x00\r\n",
        b"+OK\r\n$3\r\n\xff\r\n\r\n",
        "open",
    ),
    # Runs of one command, after SELECT as after any command run on its
    # own, run at once (CommandSpec.batch); a key of another type in a run
    # of GETs makes it run one by one.
    (
        pipeline(
            [b"SET", b"run:a", b"1"],
            [b"SET", b"run:b", b"2"],
            [b"SET", b"run:a", b"3"],
            [b"SELECT", b"0"],
            [b"GET", b"run:a"],
            [b"GET", b"run:b"],
            [b"GET", b"run:none"],
        ),
        b"+OK\r\n+OK\r\n+OK\r\n+OK\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n",
        "open",
    ),
    (
        pipeline(
            [b"SET", b"run:l", b"x"],
            [b"DEL", b"run:l"],
            [b"RPUSH", b"run:l", b"x"],
            [b"SET", b"run:c", b"1"],
            [b"SELECT", b"0"],
            [b"GET", b"run:c"],
            [b"GET", b"run:l"],
            [b"GET", b"run:none"],
        ),
        b"+OK\r\n:1\r\n:1\r\n+OK\r\n+OK\r\n$1\r\n1\r\n"
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$-1\r\n",
        "open",
    ),
    (b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", b"+PONG\r\n+PONG\r\n", "open"),
    (
        b"*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n",
        b"+PONG\r\n$1\r\nx\r\n$1\r\ny\r\n",
        "open",
    ),
    (
        b"~1\r\n$4\r\nPING\r\n",
        b"-ERR unknown command '~1', with args beginning with: \r\n"
        b"-ERR unknown command '$4', with args beginning with: \r\n+PONG\r\n",
        "open",
    ),
    (b'ECHO "ab\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n", "closes"),
    (b'ECHO "a"b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n", "closes"),
    (b"ECHO 'a'b\r\n", b"-ERR Protocol error: unbalanced quotes in request\r\n", "closes"),
    (
        b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n",
        b"+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n",
        "closes",
    ),
    (b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n", "closes"),
    (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length\r\n", "closes"),
    (b"*1\r\n$04\r\nPING\r\n", b"-ERR Protocol error: invalid bulk length\r\n", "closes"),
    (b"*1\r\n$536870913\r\n", b"-ERR Protocol error: invalid bulk length\r\n", "closes"),
    (b"*2\r\n$4\r\nECHO\r\nx\r\n", b"-ERR Protocol error: expected '$', got 'x'\r\n", "closes"),
    (b"*1\r\n+PING\r\n", b"-ERR Protocol error: expected '$', got '+'\r\n", "closes"),
    (b"*1\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n", "closes"),
    (b"x" * _BIG, b"-ERR Protocol error: too big inline request\r\n", "closes"),
    (b"*" + b"1" * _BIG, b"-ERR Protocol error: too big mbulk count string\r\n", "closes"),
    (b"*1\r\n$" + b"1" * _BIG, b"-ERR Protocol error: too big bulk count string\r\n", "closes"),
    (b"PING\r\nQUIT\r\nPING\r\n", b"+PONG\r\n+OK\r\n", "closes"),
    (b"ECHO a\x00b\r\nPING\r\n", b"", "waits"),
    (b"*2\r\n$4\r\nECHO\r\n$3\r\nab", b"", "waits"),
    (b"*1\r\n$536870912\r\nab", b"", "waits"),
]


class WriteCounter:
    """
    Wraps a transport's C{write} to count the calls.
    """

    def __init__(self, transport):
        self.calls = 0
        self._write = transport.write
        transport.write = self

    def __call__(self, data):
        self.calls += 1
        self._write(data)


class VectorTests(SynchronousTestCase):
    """
    Every reply vector, through the protocol with either parser.
    """

    def assertVectors(self, split):
        for data, reply, outcome in REPLY_VECTORS:
            if split is not None and len(data) > 1024:
                continue
            for useHiredis in (True, False):
                conn = Connection(useHiredis=useHiredis)
                chunks = [data] if split is None else split(data)
                conn.transport.clear()
                for chunk in chunks:
                    conn.protocol.dataReceived(chunk)
                label = "%r (hiredis=%s)" % (data[:40], useHiredis)
                self.assertEqual(conn.transport.value(), reply, label)
                self.assertEqual(conn.transport.disconnecting, outcome == "closes", label)

    def test_whole(self):
        """
        Each vector in one read gets Redis's reply, and the connection
        closes exactly after protocol errors and QUIT.
        """
        self.assertVectors(None)

    def test_byteAtATime(self):
        """
        Each vector one byte per read gets the same reply.
        """
        self.assertVectors(lambda data: [data[i : i + 1] for i in range(len(data))])


class PipelineTests(SynchronousTestCase):
    """
    Pipelined requests are answered in order, in one write per read.
    """

    def test_orderAndOneWrite(self):
        """
        A read holding many commands gets all their replies, in order, in
        one C{transport.write}.
        """
        conn = Connection()
        counter = WriteCounter(conn.transport)
        data = b"".join(
            encodeCommand([b"SET", b"k%d" % i, b"v%d" % i]) + encodeCommand([b"GET", b"k%d" % i])
            for i in range(100)
        )
        reply = conn.feed(data + b"PING\r\n")
        self.assertEqual(counter.calls, 1)
        self.assertEqual(
            reply, b"".join(b"+OK\r\n$%d\r\nv%d\r\n" % (len(b"v%d" % i), i) for i in range(100)) + b"+PONG\r\n"
        )

    def test_errorAfterCommandsOneWrite(self):
        """
        Commands before a protocol error run, and their replies and the
        error go out in one write before the connection closes.
        """
        conn = Connection()
        counter = WriteCounter(conn.transport)
        reply = conn.feed(encodeCommand([b"SET", b"a", b"1"]) + b"*1\r\n$x\r\n")
        self.assertEqual(reply, b"+OK\r\n-ERR Protocol error: invalid bulk length\r\n")
        self.assertEqual(counter.calls, 1)
        self.assertTrue(conn.transport.disconnecting)
        self.assertEqual(conn.server.store.db(0).data, {b"a": b"1"})

    def test_nothingAfterProtocolError(self):
        """
        Once the protocol broke, later reads are ignored.
        """
        conn = Connection()
        conn.feed(b"*1\r\n$x\r\n")
        self.assertEqual(conn.feed(b"PING\r\n"), b"")

    def test_quitStopsPipeline(self):
        """
        QUIT answers +OK and closes; the rest of the pipeline does not run.
        """
        conn = Connection()
        reply = conn.feed(b"QUIT\r\n" + encodeCommand([b"SET", b"a", b"1"]))
        self.assertEqual(reply, b"+OK\r\n")
        self.assertTrue(conn.transport.disconnecting)
        self.assertEqual(conn.server.store.db(0).data, {})

    def test_inputBytesCounted(self):
        """
        Every byte read counts towards C{total_net_input_bytes}, every byte
        written towards C{total_net_output_bytes}.
        """
        conn = Connection()
        conn.feed(b"PING\r\n")
        self.assertEqual(conn.server.stats["total_net_input_bytes"], 6)
        self.assertEqual(conn.server.stats["total_net_output_bytes"], 7)

    def test_disconnectRemovesClient(self):
        """
        A lost connection forgets its client.
        """
        conn = Connection()
        self.assertIn(conn.client.id, conn.server.clients)
        conn.close()
        self.assertNotIn(conn.client.id, conn.server.clients)


class PlainRunTests(SynchronousTestCase):
    """
    Pipelined keyspace commands run in runs (L{txredisd.dispatch.runPlain})
    with the same effects as one at a time.
    """

    def test_statsCounted(self):
        """
        Each command of a run counts in INFO commandstats and
        total_commands_processed; a command refused before running counts
        in neither.
        """
        conn = Connection()
        request = pipeline([b"SET", b"a", b"1"], [b"incr", b"a"], [b"NOPE"], [b"GET", b"a"], [b"GET"])
        self.assertEqual(
            conn.feed(request),
            b"+OK\r\n:2\r\n-ERR unknown command 'NOPE', with args beginning with: \r\n"
            b"$1\r\n2\r\n-ERR wrong number of arguments for 'get' command\r\n",
        )
        stats = conn.server.commandStats
        self.assertEqual((stats["set"][0], stats["incr"][0], stats["get"][0]), (1, 1, 1))
        self.assertEqual(stats["get"][2], 1)
        self.assertEqual(conn.server.stats["total_commands_processed"], 3)
        self.assertEqual(conn.client.lastCommand, "get")

    def test_bulkRepliesInRuns(self):
        """
        Bulk replies of a run have the right header on both sides of the
        table of common lengths.
        """
        conn = Connection()
        sizes = (0, 9, 10, 4095, 4096, 70000)
        conn.feed(pipeline(*[[b"SET", b"k%d" % size, b"v" * size] for size in sizes]))
        self.assertEqual(
            conn.feed(pipeline(*[[b"GET", b"k%d" % size] for size in sizes])),
            b"".join(b"$%d\r\n%s\r\n" % (size, b"v" * size) for size in sizes),
        )

    def test_statsCountedInStretches(self):
        """
        A run counts its commands in INFO commandstats by stretches of one
        command: every call is counted once, whether the command repeats,
        alternates, or is interrupted by serving a blocked client, and
        the time of each stretch is the sum of its calls' times.
        """
        server = makeServer()
        waiter = Connection(server)
        waiter.feed(encodeCommand([b"BLPOP", b"l", b"0"]))
        conn = Connection(server)
        request = pipeline(
            [b"SET", b"a", b"1"],
            [b"set", b"b", b"2"],
            [b"GET", b"a"],
            [b"SET", b"c", b"3"],
            [b"LPUSH", b"l", b"x"],
            [b"LPUSH", b"l", b"y"],
            [b"GET", b"b"],
            [b"GET", b"c"],
        )
        self.assertEqual(
            conn.feed(request),
            b"+OK\r\n+OK\r\n$1\r\n1\r\n+OK\r\n:1\r\n:1\r\n$1\r\n2\r\n$1\r\n3\r\n",
        )
        stats = server.commandStats
        self.assertEqual(
            {name: stats[name][0] for name in ("set", "get", "lpush", "blpop")},
            {"set": 3, "get": 3, "lpush": 2, "blpop": 1},
        )
        self.assertEqual(server.stats["total_commands_processed"], 9)
        for name in ("set", "get", "lpush"):
            self.assertGreater(stats[name][1], 0)
        self.assertEqual(waiter.transport.value(), b"*2\r\n$1\r\nl\r\n$1\r\nx\r\n")

    def test_blockedServedBetweenCommands(self):
        """
        A client blocked on a key a command of the run pushes to is served
        before the next command runs, as Redis serves blocked clients after
        each command.
        """
        server = makeServer()
        waiter = Connection(server)
        self.assertEqual(waiter.feed(encodeCommand([b"BLPOP", b"l", b"0"])), b"")
        pusher = Connection(server)
        request = pipeline([b"LPUSH", b"l", b"x"], [b"LPOP", b"l"])
        self.assertEqual(pusher.feed(request), b":1\r\n$-1\r\n")
        self.assertEqual(waiter.transport.value(), b"*2\r\n$1\r\nl\r\n$1\r\nx\r\n")

    def test_stateChangeEndsRun(self):
        """
        A command that changes what execute() checks (MULTI) applies to the
        commands after it in the same read.
        """
        conn = Connection()
        request = pipeline([b"SET", b"a", b"1"], [b"MULTI"], [b"SET", b"a", b"2"], [b"EXEC"], [b"GET", b"a"])
        self.assertEqual(
            conn.feed(request),
            b"+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n$1\r\n2\r\n",
        )

    def test_pingInRuns(self):
        """
        PING and ECHO run in runs, with PING's arity error counted as a
        failed call, and a RESP2 SUBSCRIBE earlier in the same read still
        gives PING its pub/sub form.
        """
        self.assertTrue({b"PING", b"ping", b"ECHO"} <= plainCommands().keys())
        conn = Connection()
        request = pipeline([b"PING"], [b"ECHO", b"e"], [b"PING", b"a", b"b"], [b"SUBSCRIBE", b"c"], [b"PING"])
        self.assertEqual(
            conn.feed(request),
            b"+PONG\r\n$1\r\ne\r\n-ERR wrong number of arguments for 'ping' command\r\n"
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n",
        )
        stats = conn.server.commandStats
        self.assertEqual((stats["ping"][0], stats["ping"][3], stats["echo"][0]), (3, 1, 1))
        self.assertEqual(conn.server.stats["total_commands_processed"], 5)


class DeferredReplyTests(SynchronousTestCase):
    """
    A command replying with a Deferred holds the commands pipelined after
    it until it fires.
    """

    def setUp(self):
        self.pending = []

        @command("test-deferred", 2, ["fast"])
        def deferredCommand(client, argv):
            d = defer.Deferred(lambda d: self.pending.remove(d))
            self.pending.append(d)
            return d

        self.addCleanup(COMMANDS.pop, b"test-deferred")

    def test_laterCommandsWait(self):
        """
        Commands after the blocked one, in the same read and in later
        reads, run after its reply, in order.
        """
        conn = Connection()
        request = encodeCommand([b"test-deferred", b"x"]) + encodeCommand([b"SET", b"a", b"1"])
        self.assertEqual(conn.feed(b"PING\r\n" + request), b"+PONG\r\n")
        self.assertEqual(conn.feed(encodeCommand([b"GET", b"a"])), b"")
        self.assertEqual(conn.server.store.db(0).data, {})
        conn.transport.clear()
        self.pending.pop().callback(b"done")
        self.assertEqual(conn.transport.value(), b"$4\r\ndone\r\n+OK\r\n$1\r\n1\r\n")

    def test_errorReply(self):
        """
        A Deferred failing with a L{CommandError} replies with its text.
        """
        from txredisd.errors import CommandError

        conn = Connection()
        conn.feed(encodeCommand([b"test-deferred", b"x"]))
        conn.transport.clear()
        self.pending.pop().errback(CommandError("ERR failed"))
        self.assertEqual(conn.transport.value(), b"-ERR failed\r\n")

    def test_protocolErrorAfterBlocked(self):
        """
        A protocol error behind a blocked command is answered after the
        commands before it, once the command's reply is sent.
        """
        conn = Connection()
        conn.feed(encodeCommand([b"test-deferred", b"x"]) + b"PING\r\n*1\r\n$x\r\n")
        self.assertFalse(conn.transport.disconnecting)
        conn.transport.clear()
        self.pending.pop().callback(1)
        self.assertEqual(
            conn.transport.value(), b":1\r\n+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
        )
        self.assertTrue(conn.transport.disconnecting)

    def test_disconnectCancels(self):
        """
        Losing the connection cancels the pending reply.
        """
        conn = Connection()
        conn.feed(encodeCommand([b"test-deferred", b"x"]))
        self.assertEqual(len(self.pending), 1)
        conn.close()
        self.assertEqual(self.pending, [])


class FakeSocket:
    """
    A non-blocking socket whose C{send} takes at most C{capacity} bytes per
    call, or raises C{error}.
    """

    def __init__(self):
        self.sent = b""
        self.capacity = None
        self.error = None
        self.closed = False
        #: What C{recv} returns (or raises, for an exception), in order.
        self.received = []

    def recv(self, size):
        item = self.received.pop(0)
        if isinstance(item, Exception):
            raise item
        return item[:size]

    def setblocking(self, flag):
        pass

    def fileno(self):
        return 99

    def send(self, data):
        if self.error is not None:
            raise self.error
        data = bytes(data)
        if self.capacity is not None:
            if self.capacity == 0:
                raise BlockingIOError(errno.EAGAIN, "would block")
            data = data[: self.capacity]
        self.sent += data
        return len(data)

    def shutdown(self, how):
        pass

    def close(self):
        self.closed = True


class FakeReactor:
    """
    The file descriptor bookkeeping a TCP transport uses.
    """

    def __init__(self):
        self.readers = set()
        self.writers = set()

    def addReader(self, reader):
        self.readers.add(reader)

    def addWriter(self, writer):
        self.writers.add(writer)

    def removeReader(self, reader):
        self.readers.discard(reader)

    def removeWriter(self, writer):
        self.writers.discard(writer)


class EagerServerTests(SynchronousTestCase):
    """
    L{EagerServer} sends at once when nothing is queued and otherwise
    behaves as Twisted's TCP transport.
    """

    def setUp(self):
        self.socket = FakeSocket()
        self.reactor = FakeReactor()
        self.server = makeServer()
        self.protocol = RedisProtocol(self.server)
        self.transport = EagerServer(
            self.socket, self.protocol, ("127.0.0.1", 4321), None, 1, self.reactor
        )
        self.protocol.makeConnection(self.transport)
        self.lost = []
        connectionLost = self.protocol.connectionLost
        self.protocol.connectionLost = lambda reason: (
            self.lost.append(reason),
            connectionLost(reason),
        )

    def reactorWrite(self):
        """
        Do what the reactor does when the socket is writable.
        """
        why = self.transport.doWrite()
        if why:
            self.reactor.removeWriter(self.transport)
            self.transport.connectionLost(Failure(why))

    def test_sendsAtOnce(self):
        """
        With nothing queued a write is sent immediately, without waiting
        for the socket to become writable.
        """
        self.transport.write(b"hello")
        self.assertEqual(self.socket.sent, b"hello")
        self.assertNotIn(self.transport, self.reactor.writers)

    def test_partialSend(self):
        """
        The unsent tail of a partial send is queued and sent, in order with
        later writes, when the socket is writable.
        """
        self.socket.capacity = 3
        self.transport.write(b"abcdef")
        self.assertEqual(self.socket.sent, b"abc")
        self.assertIn(self.transport, self.reactor.writers)
        self.transport.write(b"ghi")
        self.assertEqual(self.socket.sent, b"abc")
        self.socket.capacity = None
        self.reactorWrite()
        self.assertEqual(self.socket.sent, b"abcdefghi")
        self.assertNotIn(self.transport, self.reactor.writers)
        self.transport.write(b"j")
        self.assertEqual(self.socket.sent, b"abcdefghij")

    def test_wouldBlock(self):
        """
        EAGAIN queues the whole write for later.
        """
        self.socket.capacity = 0
        self.transport.write(b"abc")
        self.assertEqual(self.socket.sent, b"")
        self.assertIn(self.transport, self.reactor.writers)
        self.socket.capacity = None
        self.reactorWrite()
        self.assertEqual(self.socket.sent, b"abc")

    def test_queuedDataKeepsOrder(self):
        """
        While data is queued, writes join the queue instead of jumping it.
        """
        self.socket.capacity = 0
        for chunk in (b"1", b"2", b"3"):
            self.transport.write(chunk)
        self.socket.capacity = 1
        self.reactorWrite()
        self.transport.write(b"4")
        self.socket.capacity = None
        self.reactorWrite()
        self.assertEqual(self.socket.sent, b"1234")

    def test_producerPausedAndResumed(self):
        """
        The protocol is the transport's producer: it is paused (the
        transport stops reading) when more than C{bufferSize} is queued,
        and resumed once the queue drains.
        """
        self.assertIs(self.transport.producer, self.protocol)
        self.assertIn(self.transport, self.reactor.readers)
        self.socket.capacity = 0
        self.transport.write(b"x" * (self.transport.bufferSize + 1))
        self.assertNotIn(self.transport, self.reactor.readers)
        self.socket.capacity = None
        self.reactorWrite()
        self.assertIn(self.transport, self.reactor.readers)

    def test_sendErrorLosesConnection(self):
        """
        An error from C{send} is not raised to the writer: the data is
        queued and the transport's next write attempt loses the connection.
        """
        self.socket.error = ConnectionResetError(errno.ECONNRESET, "reset")
        self.transport.write(b"abc")
        self.assertEqual(self.lost, [])
        self.reactorWrite()
        self.assertEqual(len(self.lost), 1)
        self.lost[0].trap(ConnectionLost)
        self.assertTrue(self.socket.closed)

    def test_loseConnectionAfterWrite(self):
        """
        loseConnection after an eager write closes cleanly once the reactor
        finds the socket writable, having sent everything.
        """
        self.transport.write(b"+OK\r\n")
        self.transport.loseConnection()
        self.transport.write(b"late")
        self.reactorWrite()
        self.assertEqual(len(self.lost), 1)
        self.lost[0].trap(ConnectionDone)
        self.assertEqual(self.socket.sent, b"+OK\r\nlate")

    def test_noWriteAfterClose(self):
        """
        Writes after the connection is gone are dropped.
        """
        self.transport.connectionLost(Failure(ConnectionDone()))
        self.transport.write(b"abc")
        self.assertEqual(self.socket.sent, b"")

    def test_readDelivers(self):
        """
        A read hands what the socket holds to the protocol, whose replies
        are sent at once.
        """
        self.socket.received.append(b"*1\r\n$4\r\nPING\r\n")
        self.assertIsNone(self.transport.doRead())
        self.assertEqual(self.socket.sent, b"+PONG\r\n")

    def test_readWouldBlock(self):
        """
        EAGAIN from C{recv} is no event: the connection stays.
        """
        self.socket.received.append(BlockingIOError(errno.EAGAIN, "would block"))
        self.assertIsNone(self.transport.doRead())

    def test_readEnd(self):
        """
        An empty read is the peer closing: the connection is done.
        """
        self.socket.received.append(b"")
        self.assertIs(self.transport.doRead(), main.CONNECTION_DONE)

    def test_readError(self):
        """
        Any other error from C{recv} loses the connection.
        """
        self.socket.received.append(ConnectionResetError(errno.ECONNRESET, "reset"))
        self.assertIs(self.transport.doRead(), main.CONNECTION_LOST)

    def test_quitThroughEagerTransport(self):
        """
        QUIT through the real transport sends +OK and closes the socket.
        """
        self.protocol.dataReceived(b"PING\r\nQUIT\r\n")
        self.reactorWrite()
        self.assertEqual(self.socket.sent, b"+PONG\r\n+OK\r\n")
        self.assertTrue(self.socket.closed)


class TrackingFactory(RedisFactory):
    """
    Remembers the protocols it builds.
    """

    def __init__(self, server):
        RedisFactory.__init__(self, server)
        self.protocols = []

    def buildProtocol(self, addr):
        protocol = RedisFactory.buildProtocol(self, addr)
        self.protocols.append(protocol)
        return protocol


@pytest_twisted.inlineCallbacks
def test_backpressureBoundedBuffer():
    """
    Over real TCP, many GETs of a large value from a client that sends but
    never reads: the server stops reading, its queued replies stay bounded
    by about one read's worth, and once the client reads every reply
    arrives.
    """
    from twisted.internet import reactor

    server = makeServer()
    value = b"v" * 32768
    server.store.db(0).set(b"big", value)
    factory = TrackingFactory(server)
    port = listenTCPEager(reactor, 0, factory, "127.0.0.1")
    client = socket.socket()
    try:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        # As Redis clients do: without it Nagle holds the small batches
        # back and they arrive as one read.
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.connect(("127.0.0.1", port.getHost().port))
        client.setblocking(False)

        total = 2000
        perSend = 10
        request = encodeCommand([b"GET", b"big"]) * perSend
        reply = b"$32768\r\n" + value + b"\r\n"

        def queued():
            if not factory.protocols:
                return 0
            transport = factory.protocols[0].transport
            return len(transport.dataBuffer) - transport.offset + transport._tempDataLen

        def turn():
            return task.deferLater(reactor, 0, lambda: None)

        # Send everything, one small batch per reactor turn, never reading.
        maxQueued = 0
        for _ in range(total // perSend):
            client.send(request)
            maxQueued = max(maxQueued, queued())
            yield turn()
        for _ in range(200):
            maxQueued = max(maxQueued, queued())
            yield turn()
        transport = factory.protocols[0].transport
        assert transport not in reactor.getReaders()
        assert server.stats["total_commands_processed"] < total
        # Without backpressure all 2000 replies (66MB) would queue; with it
        # the queue stays around one read's replies plus bufferSize.
        assert maxQueued < 4 * 1024 * 1024

        # Now read everything.
        received = 0
        while received < total * len(reply):
            try:
                received += len(client.recv(1 << 20))
            except BlockingIOError:
                pass
            yield turn()
        assert received == total * len(reply)
        assert server.stats["total_commands_processed"] == total
    finally:
        client.close()
        yield port.stopListening()
        for protocol in factory.protocols:
            protocol.transport.abortConnection()
        yield turn()


@pytest_twisted.inlineCallbacks
def test_tcpOptions():
    """
    Over real TCP, a client connection gets Redis's socket options:
    TCP_NODELAY, and keepalive probes after tcp-keepalive idle seconds,
    every third of that, three of them; none with tcp-keepalive 0.
    """
    from twisted.internet import reactor

    for keepalive in (300, 0):
        server = makeServer()
        server.config.set("tcp-keepalive", b"%d" % (keepalive,))
        factory = TrackingFactory(server)
        port = listenTCPEager(reactor, 0, factory, "127.0.0.1")
        client = socket.create_connection(("127.0.0.1", port.getHost().port))
        try:
            for _ in range(200):
                if factory.protocols:
                    break
                yield task.deferLater(reactor, 0.01, lambda: None)
            sock = factory.protocols[0].transport.getHandle()
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == (1 if keepalive else 0)
            if keepalive:
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 300
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 100
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
        finally:
            client.close()
            yield port.stopListening()
