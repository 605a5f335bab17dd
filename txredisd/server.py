"""
The server: the keyspace, the configuration, the connected clients and the
counters INFO reports, independent of any transport.
"""

import os
import random

from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from txredisd.acl import ACL
from txredisd.blocking import BlockingManager
from txredisd.config import Config
from txredisd.eviction import Evictor
from txredisd.limits import Limits, closeIdleClients
from txredisd.loglevel import observer as logObserver
from txredisd.monitoring import ClientPause, LatencyMonitor, SlowLog, watchFloor
from txredisd.pubsub import PubSub
from txredisd.info import InstantaneousMetrics, defaultSections, sampleMetrics
from txredisd.store import Keyspace


class RedisServer:
    """
    Everything the command handlers share.

    @ivar clock: the L{IReactorTime} every timer and time stamp comes from.
    @ivar reactor: the reactor (for threads and listening), may be the clock.
    @ivar store: the L{txredisd.store.Keyspace}.
    @ivar config: the L{txredisd.config.Config}.
    @ivar clients: client id to L{txredisd.client.Client}.
    @ivar propagators: callables C{(dbIndex, argv)} that receive every
        command that changed the keyspace (replication, the AOF).
    @ivar stats: counters for INFO stats.
    @ivar alsoPropagate: while a transaction runs, the list its writes are
        gathered in (C{(dbIndex, commands)}), to be propagated together
        once it ends (L{startPropagationBatch}); else L{None}.
    @ivar pubsub: the L{txredisd.pubsub.PubSub} subscriptions.
    @ivar commandStats: command name to C{[calls, seconds, rejected,
        failed]}.
    @ivar errorStats: error code (C{ERR}, C{WRONGTYPE}) to its count.
    @ivar infoSections: the L{txredisd.info.InfoSections} INFO prints;
        other parts of the server add their fields there.
    @ivar cronHooks: callables C{(server)} run on every cron tick (C{hz}
        times a second), as Redis's C{serverCron} does its periodic work.
    @ivar acl: the L{txredisd.acl.ACL} users and log.
    @ivar evictor: the L{txredisd.eviction.Evictor}, whose C{memory} is the
        one C{used_memory} estimate.
    @ivar slowlog: the L{txredisd.monitoring.SlowLog}.
    @ivar latency: the L{txredisd.monitoring.LatencyMonitor}.
    @ivar monitors: the clients in MONITOR mode.
    @ivar clientPause: the L{txredisd.monitoring.ClientPause}.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, clock, config=None, reactor=None):
        self.clock = clock
        self.reactor = reactor if reactor is not None else clock
        self.config = config if config is not None else Config()
        self.store = Keyspace(self.config["databases"])
        self.clients = {}
        self.propagators = []
        self._nextClientId = 0
        self.startTime = clock.seconds()
        self.runId = "%040x" % (random.getrandbits(160),)
        self.pid = os.getpid()
        self.listeners = []
        self.stats = {}
        self.commandStats = {}
        self.errorStats = {}
        self.resetStats()
        self._expireLoop = None
        self.shutdownHooks = []
        self.readOnlyReplica = False
        self.shutdownRequested = False
        # What SHUTDOWN stops: the reactor (the process) unless an embedding
        # service stops only itself (txredisd.embed.RedisService).
        self.onShutdown = None
        # Set when SHUTDOWN already saved, so stopping does not save again.
        self.shutdownSaved = False
        # A SHUTDOWN waiting for lagging replicas (commands/persistence.py).
        self.pendingShutdown = None
        self.persistence = None
        self.replication = None
        self.replicaOf = None
        self.aof = None
        # True while a file is being loaded: its commands are not
        # propagated again.
        self.loading = False
        self.isReplica = False
        self.disconnectHooks = []
        self.blocking = BlockingManager(self)
        self.store.removedHook = self.blocking.keyRemoved
        self.resetHooks = []
        self.alsoPropagate = None
        self.pubsub = PubSub(self)
        self.infoSections = defaultSections()
        self.metrics = InstantaneousMetrics()
        self.acl = ACL(self)
        # The run of a script past busy-reply-threshold: other clients get
        # -BUSY (txredisd.scripting).
        self.busyScript = None
        self.scripting = None
        self.limits = Limits(self.config)
        self.slowlog = SlowLog(self.config)
        self.latency = LatencyMonitor(self.config)
        self.watchFloor = watchFloor(self)
        # loglevel filters every txredisd logger, process-wide as Twisted's
        # logging is.
        logObserver.setLevel(self.config["loglevel"])
        self.config.observers.append(self._watchChanged)
        # Clients in MONITOR mode, in the order they asked.
        self.monitors = []
        self.clientPause = ClientPause(self)
        self.evictor = Evictor(self)
        self.disconnectHooks.append(self._forgetMonitor)
        self.cronHooks = [sampleMetrics, closeIdleClients, self.evictor.cron]

    def resetStats(self):
        """
        Zero the counters CONFIG RESETSTAT resets.
        """
        self.stats = {
            "total_connections_received": 0,
            "total_commands_processed": 0,
            "rejected_connections": 0,
            "total_net_input_bytes": 0,
            "total_net_output_bytes": 0,
            "total_error_replies": 0,
            "unexpected_error_replies": 0,
            "client_output_buffer_limit_disconnections": 0,
        }
        # Zeroed in place: the command running CONFIG RESETSTAT holds its
        # entry and counts itself afterwards, as in Redis.
        for stat in self.commandStats.values():
            stat[:] = [0, 0, 0, 0]
        self.errorStats.clear()
        if hasattr(self, "evictor"):
            self.evictor.evicted = 0
        self.store.hits = self.store.misses = self.store.expiredKeys = 0

    def nextClientId(self):
        """
        @return: a new client id.
        """
        self._nextClientId += 1
        return self._nextClientId

    def now(self):
        """
        @return: the clock's time in milliseconds.
        """
        return int(self.clock.seconds() * 1000)

    def start(self):
        """
        Begin the periodic work (active expiry at C{hz} times a second).
        """
        self.store.now = self.now()
        hz = max(self.config["hz"], 1)
        self._expireLoop = LoopingCall(self._cron)
        self._expireLoop.clock = self.clock
        self._expireLoop.start(1.0 / hz, now=False)

    def stop(self):
        """
        Stop the periodic work.
        """
        if self._expireLoop is not None and self._expireLoop.running:
            self._expireLoop.stop()
        self._expireLoop = None
        self.clientPause.stop()

    def _cron(self):
        self.store.now = self.now()
        self.store.activeExpireCycle()
        for hook in self.cronHooks:
            hook(self)

    def shutdown(self):
        """
        Stop the process (SHUTDOWN): stop the reactor on its next turn,
        after the current replies are written; or call L{onShutdown} then
        instead, when it is set.
        """
        self.shutdownRequested = True
        self._log.info("User requested shutdown...")
        stop = self.onShutdown or getattr(self.reactor, "stop", None)
        if stop is not None:
            self.clock.callLater(0, stop)

    def _watchChanged(self, name, value):
        if name in ("slowlog-log-slower-than", "latency-monitor-threshold"):
            self.watchFloor = watchFloor(self)
        elif name == "loglevel":
            logObserver.setLevel(value)

    def _forgetMonitor(self, client):
        if client.monitor:
            client.monitor = False
            self.monitors.remove(client)

    def addClient(self, client):
        """
        Register a connected client.
        """
        self.clients[client.id] = client
        self.stats["total_connections_received"] += 1

    def removeClient(self, client):
        """
        Forget a client that went away.
        """
        self.clients.pop(client.id, None)
        if client.watchedKeys:
            self.store.unwatchAll(client)

    def countError(self, message):
        """
        Count an error reply for INFO errorstats, by its code (the first
        word, as Redis's C{afterErrorReply} counts it).
        """
        self.stats["total_error_replies"] += 1
        code = message.split(" ", 1)[0]
        self.errorStats[code] = self.errorStats.get(code, 0) + 1

    def propagate(self, dbIndex, commands):
        """
        Hand commands that changed the keyspace to replication and the AOF,
        or gather them while a transaction runs.

        @param commands: a list of argv lists.
        """
        if not commands or self.loading:
            return
        if self.alsoPropagate is not None:
            self.alsoPropagate.append((dbIndex, commands))
            return
        for propagator in self.propagators:
            propagator(dbIndex, commands)

    def propagateToReplicas(self, dbIndex, commands):
        """
        Send commands to replicas only, not to the AOF (PUBLISH, as Redis's
        C{PROPAGATE_REPL}).
        """
        replication = self.replication
        if replication is not None and not self.loading:
            replication.feed(dbIndex, commands)

    def startPropagationBatch(self):
        """
        Gather what is propagated from now on (MULTI/EXEC, scripts) until
        L{endPropagationBatch}.

        @return: a token for L{endPropagationBatch}.
        """
        outer = self.alsoPropagate
        if outer is None:
            self.alsoPropagate = []
        return outer

    def endPropagationBatch(self, outer):
        """
        Propagate what was gathered since L{startPropagationBatch} returned
        C{outer}, as Redis 7.0's C{propagatePendingCommands}: one command
        goes as it is, several are wrapped in C{MULTI} ... C{EXEC}.  A batch
        inside another is left to the outer one.
        """
        if outer is not None:
            return
        batch, self.alsoPropagate = self.alsoPropagate, None
        flat = [(dbIndex, argv) for dbIndex, commands in batch for argv in commands]
        if len(flat) > 1:
            flat.insert(0, (flat[0][0], [b"MULTI"]))
            flat.append((flat[-1][0], [b"EXEC"]))
        # Consecutive commands of one database go in one call, so the
        # propagators select databases as they change.
        groups = []
        for dbIndex, argv in flat:
            if groups and groups[-1][0] == dbIndex:
                groups[-1][1].append(argv)
            else:
                groups.append((dbIndex, [argv]))
        for dbIndex, commands in groups:
            self.propagate(dbIndex, commands)
