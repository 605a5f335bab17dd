"""
Running txredisd inside a Twisted program or test suite.

L{RedisService} is a whole server (keyspace, persistence, expiry,
replication, listeners) as one L{service.MultiService}: add it to an
application's service tree, or start and stop it yourself.  The twistd
plugin (L{txredisd.tap.makeService}) is this service plus the startup log
line and Redis's signal handling.

L{startServer} is the short way for tests: it starts a server on a TCP port
(any free one by default) and gives back a L{RunningServer} to stop it::

    running = yield startServer(reactor, requirepass="secret")
    ... connect to 127.0.0.1:running.port ...
    yield running.stop()
"""

import os

from twisted.application import internet, service
from twisted.internet import defer, endpoints
from twisted.logger import Logger
from twisted.python.failure import Failure

from txredisd.loglevel import observer as logObserver
from txredisd.tap import CronService, Options, TCPPortService


def makeOptions(**config):
    """
    Parse a configuration given as keyword arguments, exactly as the
    command line would be parsed: C{makeOptions(requirepass="secret",
    protected_mode="no")} is C{--requirepass secret --protected-mode no}.

    Underscores stand for dashes.  Values may be L{str}, L{bytes}, L{int}
    or paths; L{True} and L{False} are C{yes} and C{no}, except for flags
    such as C{no_hiredis=True}, which are given or left out.  C{listen}
    takes a list of endpoint strings and C{config} a redis.conf-style file
    (whose values the other keywords override, as on the command line).

    @raise twisted.python.usage.UsageError: an unknown parameter or a value
        the parameter refuses.
    @return: a parsed L{txredisd.tap.Options}.
    """
    flags = {flag[0] for flag in Options.optFlags}
    argv = []
    for name, value in config.items():
        option = name.replace("_", "-")
        if option == "listen":
            for description in value:
                argv += ["--listen", description]
        elif option in flags:
            if value:
                argv.append("--" + option)
        else:
            argv += ["--" + option, _optionText(value)]
    options = Options()
    options.parseOptions(argv)
    return options


def _optionText(value):
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


class _ClientsService(service.Service):
    """
    Closes the client connections when the server stops, as Redis's exit
    does, and waits until every one of them is gone.

    Replies already written are sent first (C{loseConnection}); a client
    that has not read them after L{closeTimeout} seconds is cut off, so one
    stuck client cannot hold up the stop.
    """

    closeTimeout = 10

    def __init__(self, server):
        self.server = server

    def stopService(self):
        service.Service.stopService(self)
        server = self.server
        clients = list(server.clients.values())
        if not clients:
            return None
        remaining = {client.id: client for client in clients}
        allGone = defer.Deferred()

        def abort():
            for client in list(remaining.values()):
                client.transport.abortConnection()

        timer = server.clock.callLater(self.closeTimeout, abort)

        def gone(client):
            remaining.pop(client.id, None)
            if not remaining:
                server.disconnectHooks.remove(gone)
                if timer.active():
                    timer.cancel()
                # The hooks run before the protocol forgets the client:
                # fire once its connectionLost has finished.
                server.clock.callLater(0, allGone.callback, None)

        server.disconnectHooks.append(gone)
        for client in clients:
            client.transport.loseConnection()
        return allGone


class RedisService(service.MultiService):
    """
    A txredisd server as one service.

    Its children start in this order and stop in reverse: persistence
    (loads the data set; the final save when stopping), the cron (active
    expiry), replication, the client connections (closed when stopping) and
    the listeners.  So when it stops, the listeners stop first and the final
    save sees no new writes.

    A client's SHUTDOWN stops this service (after saving, as Redis does)
    and leaves the rest of the program running.

    @ivar redisServer: the L{txredisd.server.RedisServer}.
    @ivar factory: the L{txredisd.protocol.RedisFactory} its listeners use.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, reactor, options):
        """
        @param reactor: the reactor to listen with and take time from.
        @param options: a parsed L{txredisd.tap.Options} (see
            L{makeOptions}); its C{port}/C{bind} and C{--listen} endpoints
            become the listeners.
        """
        from txredisd.persistence.service import PersistenceService
        from txredisd.protocol import RedisFactory
        from txredisd.registry import loadCommands
        from txredisd.replication import ReplicationService
        from txredisd.server import RedisServer

        service.MultiService.__init__(self)
        loadCommands()
        self._reactor = reactor
        config = options.config
        self.redisServer = server = RedisServer(reactor, config, reactor=reactor)
        self.factory = RedisFactory(server, useHiredis=not options["no-hiredis"])
        # SHUTDOWN stops this server, not the program it is embedded in.
        server.onShutdown = self._shutdown
        self._listeners = []
        PersistenceService(server).setServiceParent(self)
        CronService(server).setServiceParent(self)
        ReplicationService(server, reactor).setServiceParent(self)
        _ClientsService(server).setServiceParent(self)
        if config["port"]:
            bind = config["bind"].decode().split()
            tcpService = TCPPortService(reactor, config["port"], bind, self.factory)
            self._addListener(tcpService, tcpService.describe)
        for description in options["listen"]:
            self.listen(description)

    def stopService(self):
        if not self.running:
            # Already stopped by SHUTDOWN; now its parent stops.
            return None
        return service.MultiService.stopService(self)

    def _shutdown(self):
        if self.running:
            d = defer.maybeDeferred(self.stopService)
            d.addErrback(lambda f: self._log.failure("Stopping after SHUTDOWN failed", f))

    def listenTCP(self, port, interface="127.0.0.1"):
        """
        Also listen on a TCP port, with the same eager writes as C{--port}.

        @param port: the port number; C{0} picks a free one.
        @param interface: the address to bind; C{"*"} or C{""} binds all.
        @return: the listener's L{TCPPortService}; once started, its
            C{ports} are the listening ports.
        """
        listener = TCPPortService(self._reactor, port, [interface], self.factory)
        return self._addListener(listener, listener.describe)

    def listen(self, description):
        """
        Also listen on a Twisted server endpoint string, as C{--listen}.

        @param description: C{tcp:6380}, C{unix:/run/txredisd.sock}, ...
        @return: the listener's L{StreamServerEndpointService}.
        """
        endpoint = endpoints.serverFromString(self._reactor, description)
        listener = internet.StreamServerEndpointService(endpoint, self.factory)
        return self._addListener(listener, lambda: [description])

    def _addListener(self, listener, describe):
        # Added while running, a listener starts at once (MultiService).
        listener.setServiceParent(self)
        self._listeners.append(describe)
        return listener

    def describe(self):
        """
        @return: what the server listens on, as the startup line names it:
            C{host:port} for TCP ports, the endpoint string for the others.
        """
        found = []
        for describe in self._listeners:
            found.extend(describe())
        return found


class RunningServer:
    """
    A server started by L{startServer}.

    @ivar port: the TCP port number it listens on.
    @ivar host: the address it listens on.
    @ivar server: its L{txredisd.server.RedisServer}.
    @ivar service: its L{RedisService}.
    """

    def __init__(self, service, host, port):
        self.service = service
        self.server = service.redisServer
        self.host = host
        self.port = port

    def stop(self):
        """
        Stop listening, close the client connections, stop every timer.
        Stopping a stopped server does nothing.

        @return: a L{defer.Deferred} that fires when all of that is done.
        """
        return defer.maybeDeferred(self.service.stopService)


def startServer(reactor, port=0, interface="127.0.0.1", **config):
    """
    Start a server listening on one TCP port.

    Unlike C{twistd -n redis}, it has no save points unless C{save} (or a
    C{config} file) is given, so it writes no file, and it installs no
    signal handlers.  It does read C{dir}/C{dbfilename} when that file
    exists, as Redis does.

    @param reactor: the reactor to run on.
    @param port: the TCP port; C{0} (the default) picks a free one.
    @param interface: the address to bind.
    @param config: configuration parameters, as L{makeOptions} takes them
        (C{requirepass="secret"}, C{databases=4}, ...).
    @return: a L{defer.Deferred} firing with a L{RunningServer}, or
        failing with L{twisted.python.usage.UsageError} for a bad
        parameter or L{twisted.internet.error.CannotListenError} when the
        port is taken.
    """
    return defer.maybeDeferred(_startServer, reactor, port, interface, config)


def _startServer(reactor, port, interface, config):
    if "config" not in config:
        config.setdefault("save", "")
    # The configured port stays 0 (no listener from the configuration);
    # the one listener is the one asked for here.
    options = makeOptions(port=0, **config)
    redisService = RedisService(reactor, options)
    listener = redisService.listenTCP(port, interface)
    try:
        redisService.startService()
    except BaseException:
        # Stop what did start (timers, listeners), then fail.
        failure = Failure()
        stopped = defer.maybeDeferred(redisService.stopService)
        return stopped.addBoth(lambda _: failure)
    address = listener.ports[0].getHost()
    # What CONFIG GET port and INFO's tcp_port report.
    redisService.redisServer.config.set("port", b"%d" % (address.port,), startup=True)
    return RunningServer(redisService, address.host, address.port)
