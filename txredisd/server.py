"""
The server: the keyspace, the configuration, the connected clients and the
counters INFO reports, independent of any transport.
"""

import os
import random

from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from txredisd.config import Config
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
    @ivar commandStats: command name to C{[calls, seconds, rejected,
        failed]}.
    @ivar errorStats: error code (C{ERR}, C{WRONGTYPE}) to its count.
    @ivar infoSections: the L{txredisd.info.InfoSections} INFO prints;
        other parts of the server add their fields there.
    @ivar cronHooks: callables C{(server)} run on every cron tick (C{hz}
        times a second), as Redis's C{serverCron} does its periodic work.
    """

    _log = Logger()

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
        self.disconnectHooks = []
        self.resetHooks = []
        self.infoSections = defaultSections()
        self.metrics = InstantaneousMetrics()
        self.cronHooks = [sampleMetrics]

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
        }
        # Zeroed in place: the command running CONFIG RESETSTAT holds its
        # entry and counts itself afterwards, as in Redis.
        for stat in self.commandStats.values():
            stat[:] = [0, 0, 0, 0]
        self.errorStats.clear()
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

    def _cron(self):
        self.store.now = self.now()
        self.store.activeExpireCycle()
        for hook in self.cronHooks:
            hook(self)

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
        Hand commands that changed the keyspace to replication and the AOF.

        @param commands: a list of argv lists.
        """
        for propagator in self.propagators:
            propagator(dbIndex, commands)
