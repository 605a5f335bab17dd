"""
The replica side of replication: a reconnecting client link to the master.

The link does Redis's handshake (PING, AUTH, REPLCONF listening-port,
REPLCONF capa eof capa psync2, PSYNC), receives the RDB of a full resync in
either framing, loads it, and then applies the master's command stream
through the same dispatch path as clients, with no replies sent back.
Offsets count every byte applied; C{REPLCONF ACK <offset>} goes back every
second and in answer to C{REPLCONF GETACK}.
"""

from twisted.internet.defer import Deferred
from twisted.internet.protocol import Protocol, ReconnectingClientFactory
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

from txredisd.client import Client
from txredisd.dispatch import call, lookupCommand
from txredisd.errors import CommandError
from txredisd.loglevel import observer as logObserver
from txredisd.persistence import rdb
from txredisd.persistence.values import fromPlain
from txredisd.resp import RequestParser, _encodedLength, encodeCommand

_HANDSHAKE_OK_PING = (b"+", b"-NOAUTH", b"-NOPERM", b"-ERR operation not permitted")


def _decodePayload(payload):
    """
    The keys of an RDB payload as C{(db, key, value, expire)}, values built,
    and its function libraries (runs in a thread: it touches no live data).
    """
    reader = rdb.RDBReader(payload)
    records = list(reader.records())
    return [(r.db, r.key, fromPlain(r.type, r.value), r.expire) for r in records], reader.functions


class MasterClient(Client):
    """
    The client commands from the master run as: no replies, allowed to
    write on a read-only replica, able to delete expired keys.
    """

    kind = "master"


class MasterLinkProtocol(Protocol):
    """
    One connection to the master.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, replication):
        self.replication = replication
        self.state = None
        self._buffer = b""
        self._rdbLength = None
        self._rdbMark = None
        self._rdbParts = []
        self._rdbHave = 0
        self._parser = None
        self._ackLoop = None

    # --- handshake -------------------------------------------------------

    def connectionMade(self):
        self.replication.linkUp(self)
        self._send([b"PING"])
        self.state = "ping"

    def _send(self, argv):
        self.transport.write(encodeCommand(argv))

    def connectionLost(self, reason):
        if self._ackLoop is not None and self._ackLoop.running:
            self._ackLoop.stop()
        self.replication.linkDown(self)

    def dataReceived(self, data):
        self.replication.lastIO = self.replication.server.clock.seconds()
        self._buffer += data
        while self._buffer and self.transport is not None:
            if self.state == "stream":
                data, self._buffer = self._buffer, b""
                self._stream(data)
                return
            if self.state == "rdb":
                if not self._rdb():
                    return
                continue
            end = self._buffer.find(b"\r\n")
            if end < 0:
                return
            line, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            # Newlines are keep-alives a master sends while it prepares.
            line = line.lstrip(b"\n")
            if line:
                self._handshake(line)

    def _handshake(self, line):
        replication = self.replication
        config = replication.server.config
        state = self.state
        if state == "ping":
            if not line.startswith(_HANDSHAKE_OK_PING):
                return self._abort("Error reply to PING from master: %r" % (line,))
            if config["masterauth"]:
                argv = [b"AUTH"]
                if config["masteruser"]:
                    argv.append(config["masteruser"])
                self._send(argv + [config["masterauth"]])
                self.state = "auth"
                return
            state = self.state = "auth"
            line = b"+OK"
        if state == "auth":
            if not line.startswith(b"+"):
                return self._abort("Unable to AUTH to MASTER: %r" % (line,))
            port = config["replica-announce-port"] or config["port"]
            self._send([b"REPLCONF", b"listening-port", b"%d" % port])
            self.state = "port"
            return
        if state == "port":
            if config["replica-announce-ip"]:
                self._send([b"REPLCONF", b"ip-address", config["replica-announce-ip"]])
                self.state = "ip"
                return
            state = self.state = "ip"
            line = b"+OK"
        if state == "ip":
            self._send([b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"])
            self.state = "capa"
            return
        if state == "capa":
            replid, offset = replication.psyncArguments()
            self._send([b"PSYNC", replid, b"%d" % offset])
            self.state = "psync"
            return
        if state == "psync":
            if line.startswith(b"+FULLRESYNC"):
                words = line.split()
                replication.fullResyncStarting(words[1].decode("latin-1"), int(words[2]))
                self.state = "rdb"
                return
            if line.startswith(b"+CONTINUE"):
                words = line.split()
                replication.continued(words[1].decode("latin-1") if len(words) > 1 else None)
                self._startStreaming()
                return
            if line.startswith(b"-NOMASTERLINK") or line.startswith(b"-LOADING"):
                return self._abort("Master is currently unable to PSYNC: %r" % (line,))
            if line.startswith(b"-"):
                # A master too old for PSYNC: SYNC starts a full resync
                # without the +FULLRESYNC line.
                self._send([b"SYNC"])
                replication.fullResyncStarting(None, 0)
                self.state = "rdb"
                return
        self._abort("Unexpected reply from master during handshake: %r" % (line,))

    def _abort(self, message):
        self._log.warn("{message}", message=message)
        self.transport.loseConnection()

    # --- the RDB ---------------------------------------------------------

    def _rdb(self):
        """
        Collect the RDB payload.

        @return: L{True} if there may be more to do with the buffer.
        """
        if self._rdbLength is None and self._rdbMark is None:
            # Newlines are the master's keep-alives while it prepares the RDB.
            self._buffer = self._buffer.lstrip(b"\n")
            end = self._buffer.find(b"\r\n")
            if end < 0:
                return False
            header, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            if header.startswith(b"$EOF:"):
                self._rdbMark = header[5:]
            elif header.startswith(b"$"):
                self._rdbLength = int(header[1:])
            else:
                self._abort("Bad protocol from MASTER, the first byte is not '$': %r" % (header,))
                return False
            self.replication._log.info("MASTER <-> REPLICA sync: receiving streamed RDB from master")
        if self._rdbMark is not None:
            self._rdbParts.append(self._buffer)
            self._buffer = b""
            data = b"".join(self._rdbParts)
            self._rdbParts = [data]
            index = data.find(self._rdbMark, max(0, len(data) - len(self._buffer) - 2 * len(self._rdbMark) - 1))
            mark = self._rdbMark
            if len(data) >= len(mark) and data.endswith(mark):
                payload = data[: -len(mark)]
            else:
                index = data.rfind(mark)
                # The mark ends the payload; anything after it is the stream.
                if index < 0 or not self._isPayloadEnd(data, index):
                    return False
                payload, self._buffer = data[:index], data[index + len(mark) :]
            self._rdbParts = []
            self._rdbMark = None
            self._loaded(payload)
            return True
        need = self._rdbLength - self._rdbHave
        chunk, self._buffer = self._buffer[:need], self._buffer[need:]
        self._rdbParts.append(chunk)
        self._rdbHave += len(chunk)
        if self._rdbHave < self._rdbLength:
            return False
        payload = b"".join(self._rdbParts)
        self._rdbParts = []
        self._rdbLength = None
        self._rdbHave = 0
        self._loaded(payload)
        return True

    def _isPayloadEnd(self, data, index):
        # An RDB ends with the EOF opcode and its 8-byte checksum.
        return index >= 9 and data[index - 9] == 0xFF

    def _loaded(self, payload):
        self.state = "loading"
        self.transport.pauseProducing()
        d = self.replication.loadPayload(payload)

        def done(_):
            if self.transport is None or not self.connected:
                return
            self.transport.resumeProducing()
            self._startStreaming()
            if self._buffer:
                data, self._buffer = self._buffer, b""
                self._stream(data)

        def failed(failure):
            self._log.failure("Failed loading the RDB from master", failure)
            if self.transport is not None:
                self.transport.loseConnection()

        d.addCallbacks(done, failed)

    # --- the command stream ----------------------------------------------

    def _startStreaming(self):
        self.state = "stream"
        self._parser = RequestParser(maxBulkLen=1 << 62)
        replication = self.replication
        replication.linkStatus = "up"
        self._ackLoop = LoopingCall(self.sendAck)
        self._ackLoop.clock = replication.server.clock
        self._ackLoop.start(1.0, now=True)

    def sendAck(self):
        """
        Tell the master how much of the stream was applied.
        """
        self._send([b"REPLCONF", b"ACK", b"%d" % (self.replication.offset,)])

    def _stream(self, data):
        replication = self.replication
        commands, error = self._parser.feed(data)
        for argv in commands:
            size = _encodedLength(argv)
            if argv[0].lower() == b"replconf" and len(argv) > 1 and argv[1].lower() == b"getack":
                # Answered with the offset before the GETACK itself.
                self.sendAck()
                replication.applied(argv, size)
                continue
            replication.apply(argv)
            replication.applied(argv, size)
        if error is not None:
            self._abort("Protocol error in the master's stream: %s" % (error,))


class MasterLinkFactory(ReconnectingClientFactory):
    """
    Connects to the master and reconnects, with a back-off bounded by
    C{maxDelay}, for as long as this server is a replica.
    """

    maxDelay = 5
    initialDelay = 0.5
    factor = 1.6

    def __init__(self, replication):
        self.replication = replication

    def buildProtocol(self, addr):
        self.resetDelay()
        protocol = MasterLinkProtocol(self.replication)
        protocol.factory = self
        return protocol


class ReplicaOf:
    """
    The replica side of one server: which master it follows, the link, the
    offset applied.

    @ivar master: C{(host, port)} or L{None} when this server is a master.
    @ivar offset: bytes of the master's stream applied.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, server, replicationMaster, reactor, deferToThread=deferToThread):
        self.server = server
        self.replicationMaster = replicationMaster
        self.reactor = reactor
        self._deferToThread = deferToThread
        self.master = None
        self.factory = None
        self.connector = None
        self.link = None
        self.linkStatus = "down"
        self.lastIO = 0
        self.syncInProgress = False
        self.masterClient = MasterClient(server)
        self.masterClient.closed = False
        self.linkDownSince = 0
        server.replicaOf = self

    @property
    def offset(self):
        return self.replicationMaster.offset

    def follow(self, host, port):
        """
        Become a replica of C{host:port} (REPLICAOF host port).
        """
        if self.master == (host, port):
            return
        self.stop()
        self.master = (host, port)
        server = self.server
        server.readOnlyReplica = server.config["replica-read-only"]
        server.isReplica = True
        server.store.deleteExpired = False
        self.replicationMaster.proxying = True
        self.replicationMaster.backlogActive = True
        self.linkStatus = "down"
        self.linkDownSince = server.clock.seconds()
        self.factory = MasterLinkFactory(self)
        self.factory.clock = self.reactor
        self._log.info("Connecting to MASTER {host}:{port}", host=host.decode("latin-1"), port=port)
        self.connector = self.reactor.connectTCP(host.decode("latin-1"), port, self.factory, timeout=10)
        # Replicas of ours must resync against the new history.
        for replicaClient in [r.client for r in list(self.replicationMaster.replicas.values())]:
            replicaClient.close()

    def promote(self):
        """
        Stop following (REPLICAOF NO ONE): keep the data and the
        replication history so other replicas can continue partially.
        """
        if self.master is None:
            return
        self.stop()
        self.master = None
        server = self.server
        server.readOnlyReplica = False
        server.isReplica = False
        server.store.deleteExpired = True
        self.replicationMaster.proxying = False
        self.replicationMaster.shiftReplicationId()
        self._log.info("MASTER MODE enabled")

    def stop(self):
        """
        Drop the link and stop reconnecting.
        """
        if self.factory is not None:
            self.factory.stopTrying()
            self.factory = None
        if self.connector is not None:
            self.connector.disconnect()
            self.connector = None
        if self.link is not None and self.link.transport is not None:
            self.link.transport.loseConnection()
        self.link = None
        self.linkStatus = "down"

    # --- called by the link -----------------------------------------------

    def linkUp(self, link):
        self.link = link
        self._log.info("MASTER <-> REPLICA sync started")

    def linkDown(self, link):
        if self.link is link:
            self.link = None
            self.linkStatus = "down"
            self.linkDownSince = self.server.clock.seconds()
            self.syncInProgress = False

    def psyncArguments(self):
        """
        @return: C{(replid, offset)} for PSYNC: our history if we have one,
            else C{? -1}.
        """
        master = self.replicationMaster
        if getattr(self, "_hasHistory", False):
            return master.replid.encode(), master.offset + 1
        return b"?", -1

    def fullResyncStarting(self, replid, offset):
        self.syncInProgress = True
        self._pendingReplid = replid
        self._pendingOffset = offset

    def continued(self, newReplid):
        master = self.replicationMaster
        if newReplid is not None and newReplid != master.replid:
            # The master changed history (a failover): keep ours as replid2.
            master.replid2 = master.replid
            master.secondOffset = master.offset + 1
            master.replid = newReplid
        self._log.info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")

    #: Keys inserted per reactor turn while installing a full resync.
    loadChunk = 20000

    def loadPayload(self, payload):
        """
        Decode the master's RDB and build its values in a thread, then
        replace the keyspace in chunks, so that other clients (answered
        C{-LOADING} meanwhile, as Redis does) are not stalled for long.

        @return: a L{Deferred} firing when loaded.
        """
        d = self._deferToThread(_decodePayload, payload)
        d.addCallback(self._install)
        return d

    def _install(self, decoded):
        items, functions = decoded
        server = self.server
        store = server.store
        server.loading = True
        store.flushAll()
        if functions or getattr(store, "functionCodes", None):
            # The master's libraries replace ours, as its keys do.
            from txredisd.scripting import engine

            engine(server).restoreLibraries(functions, b"flush")
        done = Deferred()

        def step(start):
            databases = store.databases
            for index, key, value, expire in items[start : start + self.loadChunk]:
                if index >= len(databases):
                    continue
                db = databases[index]
                db.data[key] = value
                if expire is not None:
                    db.setExpire(key, expire)
            start += self.loadChunk
            if start < len(items):
                server.clock.callLater(0, step, start)
            else:
                self._installed(len(items))
                done.callback(None)

        step(0)
        return done

    def _installed(self, keys):
        self.server.loading = False
        master = self.replicationMaster
        if self._pendingReplid is not None:
            master.replid = self._pendingReplid
        master.offset = self._pendingOffset
        master.backlog = bytearray()
        master.replid2 = "0" * 40
        master.secondOffset = -1
        self._hasHistory = self._pendingReplid is not None
        self.syncInProgress = False
        self.masterClient.select(0)
        self._log.info("MASTER <-> REPLICA sync: Finished with success ({keys} keys)", keys=keys)

    def apply(self, argv):
        """
        Run one command of the master's stream.
        """
        client = self.masterClient
        spec = lookupCommand(client, argv)
        if isinstance(spec, CommandError):
            self._log.warn("Master sent a command we cannot run: {error}", error=spec.message)
            return
        store = self.server.store
        store.ignoreExpiry = True
        try:
            call(client, spec, argv)
        finally:
            store.ignoreExpiry = False
        blocking = self.server.blocking
        if blocking.ready:
            blocking.serveReady()

    def applied(self, argv, size):
        """
        Count applied bytes, and hand them to our own replicas as they came.
        """
        self.replicationMaster.write(encodeCommand(argv))

    def info(self):
        """
        The replica part of INFO replication.
        """
        host, port = self.master
        now = self.server.clock.seconds()
        lines = [
            ("role", "slave"),
            ("master_host", host.decode("latin-1")),
            ("master_port", port),
            ("master_link_status", self.linkStatus),
            ("master_last_io_seconds_ago", int(now - self.lastIO) if self.lastIO else -1),
            ("master_sync_in_progress", 1 if self.syncInProgress else 0),
            ("slave_read_repl_offset", self.offset),
            ("slave_repl_offset", self.offset),
        ]
        if self.linkStatus != "up":
            lines.append(("master_link_down_since_seconds", int(now - self.linkDownSince)))
        lines += [
            ("slave_priority", self.server.config["replica-priority"]),
            ("slave_read_only", 1 if self.server.config["replica-read-only"] else 0),
            ("replica_announced", 1),
        ]
        return lines
