"""
The network side: frames requests into argument lists and writes replies.

L{RedisProtocol} knows no commands: it hands each request to
L{txredisd.dispatch.execute} and writes the encoded replies of one read in
one C{transport.write}.
"""

import socket

from twisted.internet import main, tcp
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IPushProducer
from twisted.internet.protocol import ServerFactory
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

from txredisd import errors
from txredisd.client import Client
from txredisd.dispatch import execute, runPlain
from txredisd.errors import CommandError, ProtocolError
from txredisd.limits import MAXCLIENTS_REPLY, acceptsClient, checkOutputBuffer, checkQueryBuffer
from txredisd.loglevel import observer as logObserver
from txredisd.resp import BULK_HEADERS, HiredisRequestParser, Raw, RequestParser, UnauthenticatedLimit, encode

try:
    import hiredis
except ImportError:  # pragma: no cover - hiredis is a dependency
    hiredis = None

_PROTOCOL_ERROR = b"-ERR Protocol error: %s\r\n"
# Replies of one read are written in one call up to this size.
_FLUSH_AT = 1024 * 1024

#: What an unauthenticated client may send: multibulks of at most this many
#: arguments, bulks of at most this many bytes (Redis's processMultibulkBuffer).
UNAUTH_MAX_ARGS = 10
UNAUTH_MAX_BULK = 16384


def _protectedModeDenies(server, peer):
    """
    Redis's protected mode: with C{protected-mode yes} and no password for
    the default user, only loopback and Unix socket clients are served.
    """
    if not server.config["protected-mode"] or not server.acl.default.nopass:
        return False
    host = getattr(peer, "host", None)
    if host is None:
        # Unix sockets and other non-IP transports are local.
        return False
    return not (host.startswith("127.") or host == "::1")


def makeParser(maxBulkLen, useHiredis=True):
    """
    @return: the fastest request parser available.
    """
    if useHiredis and hiredis is not None:
        return HiredisRequestParser(hiredis, maxBulkLen)
    return RequestParser(maxBulkLen)


def tuneSocket(transport, keepalive):
    """
    Set a TCP client connection's options as Redis's C{acceptTcpHandler}
    does: no Nagle delay (pipelined replies go out at once) and, when
    C{tcp-keepalive} is not 0, keepalive probes after that many idle
    seconds, every third of it, dropping the peer after three
    (C{anetKeepAlive}).

    @param keepalive: the C{tcp-keepalive} setting, in seconds.
    """
    getHandle = getattr(transport, "getHandle", None)
    if getHandle is None:
        return
    try:
        sock = getHandle()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if keepalive > 0:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if hasattr(socket, "TCP_KEEPIDLE"):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(keepalive // 3, 1))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    except (AttributeError, OSError):
        # Not a socket (a test transport, TLS over something else), or
        # one that went away: nothing to tune.
        return


@implementer(IPushProducer)
class RedisProtocol(LineReceiver):
    """
    One client connection.

    Derives from L{LineReceiver} for its interface (C{MAX_LENGTH} is
    Redis's 64 KiB inline limit, C{lineReceived} runs an inline command),
    but frames requests with a whole-buffer parser: LineReceiver's per-line
    path copies the buffer for every line.

    It is the producer of its own transport: when replies pile up because
    the client does not read them, the transport pauses it and it stops
    reading requests, so the replies a client can leave unread are bounded.

    @ivar client: the L{txredisd.client.Client} handlers see.
    """

    MAX_LENGTH = 64 * 1024
    _log = Logger(observer=logObserver)

    def __init__(self, server, useHiredis=True):
        self.server = server
        self.client = None
        self.parser = makeParser(server.config["proto-max-bulk-len"], useHiredis)
        # Requests parsed while a blocking command waits for its reply.
        self._queue = []
        # The request bytes held in _queue (they count against
        # client-query-buffer-limit as Redis's unprocessed querybuf does).
        self._queuedBytes = 0
        self._waiting = None
        self._protocolError = None
        # Replies of the read being processed, not yet written.
        self._out = None
        # The parser's limits, saved while the unauthenticated ones apply.
        self._limits = None
        # Inside _process: a busy script serving other clients from its
        # hook (txredisd.scripting) may deliver this connection's next
        # read, which must wait for the script's reply.
        self._processing = False

    def connectionMade(self):
        if not acceptsClient(self.server):
            # Redis's acceptCommonHandler: a best-effort error, then close.
            self.transport.write(MAXCLIENTS_REPLY)
            self.transport.loseConnection()
            return
        server = self.server
        tuneSocket(self.transport, server.config["tcp-keepalive"])
        client = self.client = Client(server, self.transport, self._push)
        server.addClient(client)
        self.transport.registerProducer(self, True)
        if _protectedModeDenies(server, self.transport.getPeer()):
            # Redis's clientAcceptHandler: explain, then close.
            server.stats["rejected_connections"] += 1
            self._write(b"-" + errors.PROTECTED_MODE.encode("ascii") + b"\r\n")
            client.closed = True
            self.transport.loseConnection()
            return
        if not client.authenticated:
            # Until it authenticates, a client may only send small requests
            # (Redis's processMultibulkBuffer with authRequired).
            parser = self.parser
            self._limits = (parser.maxArgs, parser.maxUnauthBulk)
            parser.maxArgs = UNAUTH_MAX_ARGS
            parser.maxUnauthBulk = UNAUTH_MAX_BULK

    def connectionLost(self, reason):
        client = self.client
        if client is None:
            return
        client.closed = True
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            waiting.cancel()
        self._queue = []
        for hook in list(self.server.disconnectHooks):
            hook(client)
        self.server.removeClient(client)

    # IPushProducer: our transport tells us when its buffer is full.
    def pauseProducing(self):
        self.transport.pauseProducing()

    def resumeProducing(self):
        self.transport.resumeProducing()

    def stopProducing(self):
        pass

    def lineReceived(self, line):
        """
        Run one inline command (for callers using the LineReceiver API).
        """
        self.dataReceived(line + b"\r\n")

    def dataReceived(self, data):
        client = self.client
        if client is None or client.closed:
            return
        server = self.server
        server.stats["total_net_input_bytes"] += len(data)
        client.lastInteraction = server.clock.seconds()
        if self._limits is not None:
            self._liftLimits()
        parser = self.parser
        commands, error = parser.feed(data)
        if error is not None:
            self._protocolError = error
        if self._waiting is not None or self._queue or self._processing:
            self._queue.extend(commands)
            self._queuedBytes += sum(len(arg) for argv in commands for arg in argv)
            if checkQueryBuffer(client, self._queuedBytes + parser.buffered()):
                self._queue = []
            return
        if parser.partial and checkQueryBuffer(client, parser.buffered()):
            return
        self._process(commands)
        while self._queue and self._waiting is None and not client.closed:
            queued, self._queue = self._queue, []
            self._queuedBytes = 0
            self._process(queued)

    def _liftLimits(self):
        """
        Drop the unauthenticated request limits once the client needs no
        authentication any more.

        @return: L{True} if they were lifted now.
        """
        if self._limits is None:
            return False
        client = self.client
        if not client.authenticated and self.server.acl.authRequired:
            return False
        self.parser.maxArgs, self.parser.maxUnauthBulk = self._limits
        self._limits = None
        return True

    def _process(self, commands):
        """
        Run requests in order until one blocks; write all their replies at
        once.
        """
        self._processing = True
        try:
            client = self.client
            resp3 = client.resp3
            out = self._out = []
            pending = 0
            replies = []
            while True:
                index = 0
                count = len(commands)
                stopped = False
                while index < count:
                    # Keyspace commands skip execute()'s checks, in runs, while
                    # none of them can refuse or delay them.
                    index = runPlain(client, commands, index, replies)
                    if not replies:
                        replies.append(execute(client, commands[index]))
                        index += 1
                        # HELLO may have switched protocols: its own reply is in
                        # the new one.
                        resp3 = client.resp3
                    for reply in replies:
                        t = type(reply)
                        if t is Raw:
                            # Constant replies, and a batch's joined
                            # replies (bounded by the read, and by 64 KiB
                            # for resp.encodeBulks): counted by no flush.
                            out.append(reply)
                            continue
                        if t is bytes:
                            # resp._encode's bulk string, inline.
                            size = len(reply)
                            pending += size
                            try:
                                out.append(BULK_HEADERS[size])
                            except IndexError:
                                out.append(b"$%d\r\n" % (size,))
                            out.append(reply)
                            out.append(b"\r\n")
                        elif t is int:
                            out.append(b":%d\r\n" % (reply,))
                        elif t is Deferred:
                            # A run ends at its Deferred.  Requests read while
                            # this one ran (a busy script) follow.
                            self._queue = queue = list(commands[index:]) + self._queue
                            self._queuedBytes = sum(len(arg) for argv in queue for arg in argv)
                            self._waiting = reply
                            reply.addBoth(self._unblocked)
                            stopped = True
                            break
                        else:
                            data = encode(reply, resp3)
                            pending += len(data)
                            out.append(data)
                        if pending > _FLUSH_AT:
                            # Many large replies to one read: write them as they
                            # come so that the output buffer limits see them and
                            # a client that never reads cannot make one huge
                            # join.
                            self._write(b"".join(out))
                            del out[:]
                            pending = 0
                            if client.closed:
                                self._queue = []
                                stopped = True
                                break
                    del replies[:]
                    if stopped:
                        break
                    if client.closeAfterReply:
                        # Only execute()'s commands (QUIT, CLIENT KILL) close
                        # their client, and they are alone in their batch.
                        self._queue = []
                        stopped = True
                        break
                if not stopped:
                    error = self._protocolError
                    if error is not None:
                        if isinstance(error, UnauthenticatedLimit) and self._liftLimits():
                            # An AUTH earlier in the same read succeeded: Redis,
                            # parsing one command at a time, accepts the rest.
                            commands, self._protocolError = self.parser.resume()
                            continue
                        out.append(_PROTOCOL_ERROR % (str(error).encode("latin-1", "replace"),))
                        client.closeAfterReply = True
                break
            self._out = None
            if out:
                self._write(b"".join(out) if len(out) > 1 else out[0])
            if client.closeAfterReply and not client.closed:
                client.closed = True
                self.transport.loseConnection()
        finally:
            self._processing = False

    def _unblocked(self, reply):
        if self._waiting is None:
            # Cancelled because the connection went away.
            return None
        self._waiting = None
        if isinstance(reply, Exception):
            reply = CommandError(str(reply))
        elif hasattr(reply, "value") and hasattr(reply, "trap"):
            # A Failure from the blocking machinery.
            if isinstance(reply.value, CommandError):
                reply = reply.value
            else:
                self._log.failure("Blocked command failed", reply)
                reply = CommandError("ERR internal error")
        self._write(encode(reply, self.client.resp3))
        queued, self._queue = self._queue, []
        self._queuedBytes = 0
        if queued or self._protocolError is not None:
            self._process(queued)
        return None

    def _push(self, reply):
        # A push made while this client's own commands run (a RESP3 client
        # publishing to itself) follows the replies before it, as Redis
        # appends both to one output buffer.
        out = self._out
        if out:
            self._write(b"".join(out))
            del out[:]
        self._write(encode(reply, self.client.resp3))

    def _write(self, data):
        server = self.server
        server.stats["total_net_output_bytes"] += len(data)
        self.transport.write(data)
        # Every class's output buffer limit, at each write, as Redis checks
        # it whenever it appends a reply (normal, pub/sub, replica links).
        # A normal client with no normal-class limit, the common case, has
        # nothing to check: testing that here saves a call per read.
        client = self.client
        if client.kind != "normal" or client.subscriptions or server.limits.normalOutputLimited:
            checkOutputBuffer(client)


class RedisFactory(ServerFactory):
    """
    Builds a L{RedisProtocol} per connection to one L{RedisServer}.
    """

    def __init__(self, server, useHiredis=True):
        self.server = server
        self.useHiredis = useHiredis

    def buildProtocol(self, addr):
        protocol = RedisProtocol(self.server, self.useHiredis)
        protocol.factory = self
        return protocol


class EagerServer(tcp.Server):
    """
    A TCP connection that sends a write at once when nothing is queued.

    Twisted's C{write} always buffers and sends on the next reactor turn,
    which doubles the system calls per request/reply; sending at once and
    handing only the unsent tail to the normal path keeps ordering, the
    producer logic and connection-loss handling Twisted's.
    """

    def doRead(self):
        """
        Read what the socket holds and hand it to the protocol: Twisted's
        C{doRead} with its C{_dataReceived} inline, a call less per read.
        """
        try:
            data = self.socket.recv(self.bufferSize)
        except OSError as e:
            if e.errno == tcp.EWOULDBLOCK:
                return None
            return main.CONNECTION_LOST
        if not data:
            return main.CONNECTION_DONE
        self.protocol.dataReceived(data)
        return None

    def write(self, data):
        if (
            self.connected
            and not self.disconnecting
            and not self._writeDisconnected
            and not self._tempDataBuffer
            and self.offset == len(self.dataBuffer)
            and data
        ):
            try:
                sent = self.socket.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                # Let the normal path see and report the failure.
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
        tcp.Server.write(self, data)


class EagerPort(tcp.Port):
    """
    A listening TCP port whose connections are L{EagerServer}s.
    """

    transport = EagerServer


def listenTCPEager(reactor, port, factory, interface="", backlog=511):
    """
    Listen like C{reactor.listenTCP}, with eager writes.

    @return: the listening L{EagerPort}.
    """
    p = EagerPort(port, factory, backlog, interface, reactor)
    p.startListening()
    return p
