"""
The server: the keyspace, the configuration, the connected clients and the
counters INFO reports, independent of any transport.
"""

import os
import random

from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from txredisd.blocking import BlockingManager
from txredisd.config import Config
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
        self.resetStats()
        self._expireLoop = None
        self.shutdownHooks = []
        self.readOnlyReplica = False
        self.shutdownRequested = False
        # Set when SHUTDOWN already saved, so stopping does not save again.
        self.shutdownSaved = False
        self.persistence = None
        self.replication = None
        self.replicaOf = None
        self.isReplica = False
        self.disconnectHooks = []
        self.blocking = BlockingManager(self)
        self.store.removedHook = self.blocking.keyRemoved
        self.resetHooks = []

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
        self.commandStats = {}
        self.errorStats = {}
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

    def shutdown(self):
        """
        Stop the process (SHUTDOWN): stop the reactor on its next turn,
        after the current replies are written.
        """
        self.shutdownRequested = True
        stop = getattr(self.reactor, "stop", None)
        if stop is not None:
            self.clock.callLater(0, stop)

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

    def propagate(self, dbIndex, commands):
        """
        Hand commands that changed the keyspace to replication and the AOF.

        @param commands: a list of argv lists.
        """
        for propagator in self.propagators:
            propagator(dbIndex, commands)
