"""
The twistd plugin's options and service: C{twistd -n redis [options]}.
"""

import os
import sys

from twisted.application import service
from twisted.logger import Logger
from twisted.python import usage

import txredisd
from txredisd.config import PARAMETERS, Config, ConfigError, ConfigFileError, loadFile
from txredisd.loglevel import observer as logObserver

_log = Logger(observer=logObserver)


def _option(parameter):
    return [parameter.name, None, None, "redis.conf's %s." % (parameter.name,)]


class Options(usage.Options):
    """
    C{redis-server}'s options as twistd plugin options: every configuration
    parameter is C{--name value}, plus C{--listen ENDPOINT} (repeatable,
    Twisted endpoint strings) and C{--replicaof host port} as one or two
    words.
    """

    synopsis = "[options] [config-file]"
    longdesc = (
        "A Redis 7 compatible server.  Every redis.conf parameter is an "
        "option (--port 6380, --dir /var/lib/txredisd, --replicaof 'host "
        "port'); --listen adds Twisted endpoints (tcp:, unix:, ssl:, "
        "systemd:)."
    )
    optParameters = [_option(p) for p in PARAMETERS] + [
        ["config", None, None, "A redis.conf-style configuration file."],
    ]
    optFlags = [["no-hiredis", None, "Use the pure-Python request parser."]]

    def __init__(self):
        usage.Options.__init__(self)
        self["listen"] = []
        self._given = []

    def opt_listen(self, endpoint):
        """
        Listen on a Twisted endpoint (tcp:6380, unix:/run/redis.sock,
        ssl:6380:privateKey=key.pem, systemd:domain=INET:index=0); repeatable.
        """
        self["listen"].append(endpoint)

    def parseArgs(self, *args):
        args = list(args)
        replicaof = self["replicaof"]
        if replicaof is not None and len(replicaof.split()) == 1:
            # getopt gave --replicaof one word: the port is the next one.
            if not args:
                raise usage.UsageError("--replicaof needs 'host port'")
            self["replicaof"] = "%s %s" % (replicaof, args.pop(0))
        if len(args) > 1:
            raise usage.UsageError("Unexpected arguments: %s" % (" ".join(args),))
        if args:
            self["config"] = args[0]

    def postOptions(self):
        config = Config()
        if self["config"]:
            # As redis-server: the file first, the command line over it.
            try:
                loadFile(config, self["config"])
            except (OSError, ConfigFileError) as e:
                raise usage.UsageError("Cannot load configuration: %s" % (e,))
        for parameter in PARAMETERS:
            value = self[parameter.name]
            if value is None:
                continue
            try:
                config.set(parameter.name, value.encode("utf-8"), startup=True)
            except ConfigError as e:
                raise usage.UsageError("Invalid --%s %r: %s" % (parameter.name, value, e))
        self.config = config


class CronService(service.Service):
    """
    Runs the L{txredisd.server.RedisServer}'s periodic work (Redis's
    C{serverCron}: active expiry and the rest of L{RedisServer.cronHooks}).
    """

    def __init__(self, server):
        self.server = server

    def startService(self):
        service.Service.startService(self)
        self.server.start()

    def stopService(self):
        service.Service.stopService(self)
        self.server.stop()


class StartupLogService(service.Service):
    """
    Logs the startup line once the reactor runs: by then the listeners
    (started before this service) listen and the signal handlers are in
    place, so a supervisor reading the line may stop the server cleanly.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, reactor, describe):
        self._reactor = reactor
        self._describe = describe

    def startService(self):
        service.Service.startService(self)
        self._reactor.callWhenRunning(self._logStartup)

    def _logStartup(self):
        self._installSignalHandlers()
        self._log.info(
            "txredisd {version} (Redis {redisVersion} compatible) pid={pid} "
            "listening on {addresses}",
            version=txredisd.__version__,
            redisVersion=txredisd.redisVersion,
            pid=os.getpid(),
            addresses=", ".join(self._describe()) or "nothing",
        )

    def _installSignalHandlers(self):
        # Redis exits 0 after SIGTERM/SIGINT; twistd would re-raise the
        # signal after shutting down (exit status 143), which supervisors
        # and scripts read as a failure.  Replace the reactor's handlers.
        import signal

        def handler(signum, frame):
            name = signal.Signals(signum).name
            self._reactor.callFromThread(self._shutdown, name)

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, handler)

    def _shutdown(self, name):
        # Redis's lines: the signal, then prepareForShutdown's.
        self._log.info("Received {signal} scheduling shutdown...", signal=name)
        self._log.info("User requested shutdown...")
        self._reactor.stop()


class ExitLogService(service.Service):
    """
    Logs Redis's last line once everything else has stopped: after the
    reactor's shutdown phase, whose services (the final save) it waits for.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, reactor):
        self._reactor = reactor

    def startService(self):
        service.Service.startService(self)
        addTrigger = getattr(self._reactor, "addSystemEventTrigger", None)
        if addTrigger is not None:
            addTrigger("after", "shutdown", self._bye)

    def _bye(self):
        self._log.info("Redis is now ready to exit, bye bye...")


class TCPPortService(service.Service):
    """
    Listens on C{--port} at each C{--bind} address with eager writes.

    Addresses prefixed with C{-} are optional, as in redis.conf: failing to
    bind them is logged, not fatal.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, reactor, port, bind, factory):
        self.reactor = reactor
        self.port = port
        self.bind = bind
        self.factory = factory
        self.ports = []

    def startService(self):
        from twisted.internet.error import CannotListenError

        from txredisd.protocol import listenTCPEager

        service.Service.startService(self)
        for address in self.bind:
            optional = address.startswith("-")
            address = address.lstrip("-")
            if address == "*":
                address = ""
            try:
                self.ports.append(listenTCPEager(self.reactor, self.port, self.factory, address))
            except CannotListenError as e:
                if not optional:
                    raise
                self._log.warn("Could not bind {address}: {error}", address=address, error=e)

    def stopService(self):
        service.Service.stopService(self)
        ports, self.ports = self.ports, []
        from twisted.internet.defer import gatherResults, maybeDeferred

        return gatherResults([maybeDeferred(p.stopListening) for p in ports])

    def describe(self):
        return ["%s:%d" % (p.getHost().host, p.getHost().port) for p in self.ports]


def makeService(options, reactor=None):
    """
    Build the server's service tree: a L{txredisd.embed.RedisService} that
    also logs the startup line, handles SIGTERM and SIGINT as Redis does, and
    whose SHUTDOWN stops the reactor.

    @param options: a parsed L{Options}.
    @param reactor: the reactor (the global one when L{None}).
    @return: the L{txredisd.embed.RedisService}.
    """
    if reactor is None:
        # Under twistd without --reactor nothing is installed yet: use the
        # epoll reactor without per-event logging contexts.
        from txredisd.reactor import installIfNone

        installIfNone()
        from twisted.internet import reactor
    from txredisd.allocator import fixMmapThreshold
    from txredisd.embed import RedisService

    # Large blocks go back to the system when freed (txredisd.allocator).
    fixMmapThreshold()
    top = RedisService(reactor, options)
    ExitLogService(reactor).setServiceParent(top)
    # The server's default: SHUTDOWN stops the reactor, ending the process
    # as it ends redis-server.
    top.redisServer.onShutdown = None
    # Last, so it starts once the listeners listen.
    StartupLogService(reactor, top.describe).setServiceParent(top)
    return top
