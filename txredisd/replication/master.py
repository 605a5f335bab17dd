"""
The master side of replication.

Every command that changed the keyspace reaches L{ReplicationMaster.feed}
(it is one of the server's propagators), is encoded once, appended to the
backlog and written to each online replica.  A replica that asks for a
full resync gets an RDB made from a L{Snapshot} in a thread while clients
keep being served; what is written meanwhile waits in that replica's
buffer and follows the RDB.
"""

import os
import random

from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

import txredisd
from txredisd.loglevel import observer as logObserver
from txredisd.persistence import rdb
from txredisd.persistence.snapshot import Snapshot
from txredisd.resp import Raw, encodeCommand

# Full resyncs use the RDB version Redis 7.0 reads, whatever the replica.
SYNC_RDB_VERSION = 10
_PING = encodeCommand([b"PING"])
_GETACK = encodeCommand([b"REPLCONF", b"GETACK", b"*"])


def newReplicationId():
    """
    @return: 40 random hex characters (L{str}).
    """
    return "%040x" % (random.getrandbits(160),)


def encodeSnapshot(snapshot, version, aux):
    """
    Encode a snapshot as RDB bytes (runs in a thread).
    """
    writer = rdb.RDBWriter(version)
    writer.header(aux)
    writer.functions(snapshot.functions)
    parts = [writer.take()]
    for index, data, expires in snapshot.databases:
        writer.selectDB(index, len(data), len(expires))
        for key, name, plain, expire in snapshot.items(index):
            writer.key(key, name, plain, expire)
        parts.append(writer.take())
    parts.append(writer.footer())
    return b"".join(parts)


class ReplicaState:
    """
    What the master knows of one connected replica.

    @ivar state: C{wait_bgsave} while its RDB is made, then C{online}.
    @ivar ackOffset: the last offset it acknowledged.
    """

    def __init__(self, client):
        self.client = client
        self.state = "wait_bgsave"
        self.ackOffset = 0
        self.ackTime = 0
        self.listeningPort = 0
        self.ipAddress = None
        self.capabilities = set()
        self.pending = []

    def address(self):
        """
        The replica's address as INFO shows it.
        """
        if self.ipAddress:
            return self.ipAddress
        peer = self.client.transport.getPeer() if self.client.transport else None
        return getattr(peer, "host", "?")


class ReplicationMaster:
    """
    The replication stream of one server.

    @ivar replid: the current replication id (L{str}).
    @ivar replid2: the previous one, valid up to L{secondOffset}.
    @ivar offset: bytes of stream produced so far (C{master_repl_offset});
        the first byte has offset 1.
    @ivar replicas: L{ReplicaState}s by client id.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, server, deferToThread=deferToThread):
        self.server = server
        self._deferToThread = deferToThread
        self.replid = newReplicationId()
        self.replid2 = "0" * 40
        self.secondOffset = -1
        self.offset = 0
        self.backlog = bytearray()
        self.replicas = {}
        self.lastDb = -1
        # When this server is itself a replica, its sub-replicas get the
        # master's stream as it is, not our own encoding of it.
        self._proxying = False
        # As Redis, the stream is only produced once a backlog exists: from
        # the first replica on (or when following a master); until then a
        # write costs nothing here.
        self._backlogActive = False
        self._ackRequested = False
        self._waiters = []
        self._pingLoop = None
        self.syncFull = 0
        self.syncPartialOk = 0
        self.syncPartialErr = 0
        server.replication = self
        server.disconnectHooks.append(self.clientGone)
        server.store.expiredHooks.append(self._expired)

    @property
    def backlogActive(self):
        return self._backlogActive

    @backlogActive.setter
    def backlogActive(self, value):
        self._backlogActive = value
        self._updateFeed()

    @property
    def proxying(self):
        return self._proxying

    @proxying.setter
    def proxying(self, value):
        self._proxying = value
        self._updateFeed()

    def _updateFeed(self):
        # Only a master with a backlog produces a stream of its own: until
        # then it is no propagator, so a write costs nothing here.
        propagators = self.server.propagators
        wanted = self._backlogActive and not self._proxying
        if wanted and self.feed not in propagators:
            propagators.append(self.feed)
        elif not wanted and self.feed in propagators:
            propagators.remove(self.feed)

    def backlogSize(self):
        return self.server.config["repl-backlog-size"]

    def start(self):
        """
        Begin pinging replicas every C{repl-ping-replica-period} seconds.
        """
        period = max(self.server.config["repl-ping-replica-period"], 1)
        self._pingLoop = LoopingCall(self._ping)
        self._pingLoop.clock = self.server.clock
        self._pingLoop.start(period, now=False)

    def stop(self):
        if self._pingLoop is not None and self._pingLoop.running:
            self._pingLoop.stop()
        for waiter in list(self._waiters):
            self._finishWait(waiter)

    # --- the stream ------------------------------------------------------

    def feed(self, dbIndex, commands):
        """
        Propagate commands that changed database C{dbIndex}.
        """
        if self.proxying or not self.backlogActive:
            return
        parts = []
        if dbIndex != self.lastDb:
            parts.append(encodeCommand([b"SELECT", b"%d" % dbIndex]))
            self.lastDb = dbIndex
        for argv in commands:
            parts.append(encodeCommand(argv))
        self.write(b"".join(parts))

    def _expired(self, dbIndex, key):
        # An expired key reaches replicas and the AOF as a DEL.
        self.feed(dbIndex, [[b"DEL", key]])

    def write(self, data):
        """
        Append raw stream bytes: to the backlog and to every replica.
        """
        if not data:
            return
        self.offset += len(data)
        backlog = self.backlog
        backlog += data
        excess = len(backlog) - self.backlogSize()
        if excess > 0:
            del backlog[:excess]
        for replica in self.replicas.values():
            if replica.state == "online":
                replica.client.push(Raw(data))
            else:
                replica.pending.append(data)

    def backlogFirstOffset(self):
        """
        @return: the offset of the backlog's first byte.
        """
        return self.offset - len(self.backlog) + 1

    def _ping(self):
        if self.replicas and not self.proxying:
            self.write(_PING)

    # --- replicas --------------------------------------------------------

    def replicaFor(self, client):
        """
        @return: the L{ReplicaState} of a client that sent REPLCONF, made
            on first use.
        """
        state = self.replicas.get(client.id)
        if state is None:
            state = getattr(client, "replicaState", None)
            if state is None:
                state = client.replicaState = ReplicaState(client)
        return state

    def clientGone(self, client):
        if self.replicas.pop(client.id, None) is not None:
            self._log.info("Connection with replica {address} lost.", address=client.address)
            self._checkWaiters()

    def psync(self, client, replid, offset):
        """
        Answer PSYNC (or SYNC, with C{replid} L{None}): a partial resync
        from the backlog when possible, else a full one.
        """
        if not self.backlogActive:
            # Redis's createReplicationBacklog on the first replica: a new
            # history starts here.
            self.backlogActive = True
            self.replid = newReplicationId()
            self.replid2 = "0" * 40
            self.secondOffset = -1
        state = self.replicaFor(client)
        client.kind = "replica"
        replidText = replid.decode("latin-1") if replid is not None else None
        if replidText is not None and self._canContinue(replidText, offset):
            self.syncPartialOk += 1
            if "psync2" in state.capabilities:
                client.push(Raw(b"+CONTINUE %s\r\n" % (self.replid.encode(),)))
            else:
                client.push(Raw(b"+CONTINUE\r\n"))
            start = offset - self.backlogFirstOffset()
            client.push(Raw(bytes(self.backlog[start:])))
            state.state = "online"
            state.ackOffset = offset - 1
            self.replicas[client.id] = state
            self._log.info(
                "Partial resynchronization request from {address} accepted. Sending {n} bytes of backlog.",
                address=client.address,
                n=len(self.backlog) - start,
            )
            return
        if replidText is not None and replidText != "?":
            self.syncPartialErr += 1
        self.syncFull += 1
        self._fullResync(client, state, replid is not None)

    def _canContinue(self, replid, offset):
        if replid != self.replid and (replid != self.replid2 or offset > self.secondOffset):
            return False
        return self.backlogFirstOffset() <= offset <= self.offset + 1 and (self.backlog or offset == self.offset + 1)

    def _fullResync(self, client, state, psync):
        server = self.server
        state.state = "wait_bgsave"
        state.pending = []
        self.replicas[client.id] = state
        # The stream restarts with an explicit SELECT after the RDB.
        self.lastDb = -1
        if psync:
            client.push(Raw(b"+FULLRESYNC %s %d\r\n" % (self.replid.encode(), self.offset)))
        snapshot = Snapshot(server.store)
        server.store.snapshot = snapshot
        aux = [
            (b"redis-ver", txredisd.redisVersion.encode()),
            (b"redis-bits", b"64"),
            (b"ctime", b"%d" % int(server.clock.seconds())),
            (b"used-mem", b"0"),
            (b"repl-stream-db", b"0"),
            (b"repl-id", self.replid.encode()),
            (b"repl-offset", b"%d" % self.offset),
            (b"aof-base", b"0"),
        ]
        self._log.info("Starting BGSAVE for SYNC with target: replicas sockets")
        d = self._deferToThread(encodeSnapshot, snapshot, SYNC_RDB_VERSION, aux)

        def done(payload):
            if server.store.snapshot is snapshot:
                server.store.snapshot = None
            snapshot.release()
            if self.replicas.get(client.id) is not state or client.closed:
                return
            if "eof" in state.capabilities:
                mark = os.urandom(20).hex().encode()
                client.push(Raw(b"$EOF:" + mark + b"\r\n" + payload + mark))
                # A replica reading EOF framing finds the end by checking
                # whether what it read so far ends with the mark: stream
                # bytes in the same read would hide it.  As Redis's
                # repl_start_cmd_stream_on_ack, the stream starts with the
                # replica's first REPLCONF ACK.
                state.state = "wait_ack"
            else:
                client.push(Raw(b"$%d\r\n" % (len(payload),) + payload))
                self._startStream(state)
            self._log.info("Synchronization with replica {address} succeeded", address=client.address)

        def failed(failure):
            if server.store.snapshot is snapshot:
                server.store.snapshot = None
            self._log.failure("Full resync failed", failure)
            client.close()

        d.addCallbacks(done, failed)

    def _startStream(self, state):
        """
        Send a replica what was written while it synced, and follow the
        stream from now on.
        """
        pending, state.pending = state.pending, []
        state.state = "online"
        if pending:
            state.client.push(Raw(b"".join(pending)))

    def ack(self, client, offset):
        """
        REPLCONF ACK from a replica.
        """
        state = self.replicas.get(client.id)
        if state is None:
            return
        if state.state == "wait_ack":
            self._startStream(state)
        state.ackOffset = max(state.ackOffset, offset)
        state.ackTime = self.server.clock.seconds()
        self._checkWaiters()

    # --- WAIT ------------------------------------------------------------

    def acknowledged(self, offset):
        """
        @return: how many replicas acknowledged at least C{offset}.
        """
        return sum(1 for r in self.replicas.values() if r.state == "online" and r.ackOffset >= offset)

    def requestAcks(self):
        """
        Ask every replica for its offset, once per reactor turn however
        many WAITs ask.
        """
        if self._ackRequested:
            return
        self._ackRequested = True

        def send():
            self._ackRequested = False
            if self.replicas:
                self.write(_GETACK)

        self.server.clock.callLater(0, send)

    def wait(self, client, wanted, offset, timeout):
        """
        Block a client until C{wanted} replicas acknowledged C{offset}, or
        C{timeout} seconds pass (0: for ever).

        @return: a L{Deferred} firing with the count.
        """
        waiter = [None, wanted, offset, None]
        waiter[0] = Deferred(lambda d: self._dropWaiter(waiter))
        if timeout:
            waiter[3] = self.server.clock.callLater(timeout, self._finishWait, waiter)
        self._waiters.append(waiter)
        self.requestAcks()
        return waiter[0]

    def _dropWaiter(self, waiter):
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        if waiter[3] is not None and waiter[3].active():
            waiter[3].cancel()

    def _finishWait(self, waiter):
        if waiter not in self._waiters:
            return
        self._dropWaiter(waiter)
        waiter[0].callback(self.acknowledged(waiter[2]))

    def _checkWaiters(self):
        for waiter in list(self._waiters):
            if self.acknowledged(waiter[2]) >= waiter[1]:
                self._finishWait(waiter)

    # --- promotion and demotion -------------------------------------------

    def shiftReplicationId(self):
        """
        On promotion: keep the old id as replid2, valid up to our offset,
        so replicas of the old master can continue partially.
        """
        self.replid2 = self.replid
        self.secondOffset = self.offset + 1
        self.replid = newReplicationId()

    def info(self):
        """
        The master part of INFO replication.
        """
        lines = [("connected_slaves", len(self.replicas))]
        now = self.server.clock.seconds()
        for i, replica in enumerate(self.replicas.values()):
            lag = int(now - replica.ackTime) if replica.ackTime else 0
            lines.append(
                (
                    "slave%d" % (i,),
                    "ip=%s,port=%d,state=%s,offset=%d,lag=%d"
                    % (
                        replica.address(),
                        replica.listeningPort,
                        "online" if replica.state == "online" else "wait_bgsave",
                        replica.ackOffset,
                        lag,
                    ),
                )
            )
        return lines

    def backlogInfo(self):
        """
        The backlog part of INFO replication.
        """
        return [
            ("master_failover_state", "no-failover"),
            ("master_replid", self.replid),
            ("master_replid2", self.replid2),
            ("master_repl_offset", self.offset),
            ("second_repl_offset", self.secondOffset),
            ("repl_backlog_active", 1 if self.backlogActive else 0),
            ("repl_backlog_size", self.backlogSize()),
            ("repl_backlog_first_byte_offset", self.backlogFirstOffset() if self.backlog else 0),
            ("repl_backlog_histlen", len(self.backlog)),
        ]
