"""
Persistence commands: SAVE, BGSAVE, LASTSAVE, SHUTDOWN.
"""

from twisted.internet.defer import Deferred
from twisted.logger import Logger

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.loglevel import observer as logObserver
from txredisd.registry import command
from txredisd.resp import NO_REPLY, OK, Status


_log = Logger(observer=logObserver)


def _persistence(clientOrServer):
    server = getattr(clientOrServer, "server", clientOrServer)
    persistence = server.persistence
    if persistence is None:
        from txredisd.persistence.service import Persistence

        persistence = Persistence(server)
    return persistence


@command("save", 1, ["admin", "noscript", "no_async_loading", "no_multi"], group="server")
def save(client, argv):
    persistence = _persistence(client)
    if persistence.inProgress is not None:
        raise CommandError(errors.BGSAVE_IN_PROGRESS)
    if client.denyBlocking or client.transport is None:
        try:
            persistence.saveSync()
        except Exception:
            raise CommandError("ERR")
        return OK
    # Redis's SAVE blocks every client; here only the caller waits while
    # the snapshot is written in a thread.
    d = persistence.save()
    result = Deferred()
    d.addCallbacks(lambda _: result.callback(OK), lambda f: result.callback(CommandError("ERR")))
    return result


@command("bgsave", -1, ["admin", "noscript", "no_async_loading"], group="server")
def bgsave(client, argv):
    schedule = False
    if len(argv) > 1:
        if len(argv) == 2 and argv[1].lower() == b"schedule":
            schedule = True
        else:
            raise CommandError(errors.SYNTAX)
    persistence = _persistence(client)
    if persistence.inProgress is not None:
        if schedule:
            persistence.scheduled = True
            return Status("Background saving scheduled")
        raise CommandError(errors.BGSAVE_IN_PROGRESS)
    persistence.background()
    return Status("Background saving started")


@command("lastsave", 1, ["loading", "stale", "fast"], group="server", aclCategories=("admin", "dangerous"))
def lastsave(client, argv):
    return _persistence(client).lastSave


@command("shutdown", -1, ["admin", "noscript", "loading", "stale", "no_multi", "sentinel", "allow_busy"], group="server")
def shutdown(client, argv):
    nosave = saveFlag = now = force = abort = False
    for arg in argv[1:]:
        word = arg.lower()
        if word == b"nosave":
            nosave = True
        elif word == b"save":
            saveFlag = True
        elif word == b"now":
            now = True
        elif word == b"force":
            force = True
        elif word == b"abort":
            abort = True
        else:
            raise CommandError(errors.SYNTAX)
    if (abort and (nosave or saveFlag or now or force)) or (nosave and saveFlag):
        raise CommandError(errors.SYNTAX)
    server = client.server
    pending = _pendingShutdown(server)
    if abort:
        if pending is None:
            raise CommandError(errors.SHUTDOWN_NO_SHUTDOWN)
        pending.fail("shutdown aborted")
        return OK
    if server.busyScript is not None and not nosave:
        # Only SHUTDOWN NOSAVE stops a server stuck in a script.
        raise CommandError(server.busyScript.busyError)
    if not now and client.denyBlocking:
        raise CommandError(errors.SHUTDOWN_DENY_BLOCKING)
    if pending is not None:
        # Another SHUTDOWN waits for replicas: this one waits with it.
        return pending.join(client)
    flags = (saveFlag, nosave, force)
    if not now and server.config["shutdown-timeout"] and _laggingReplicas(server):
        # Redis's prepareForShutdown: writes pause while lagging replicas
        # catch up, for at most shutdown-timeout seconds.
        pending = server.pendingShutdown = _PendingShutdown(server, flags)
        return pending.join(client)
    _finishShutdown(server, flags)
    # Redis closes the connection without a reply.
    client.closeAfterReply = True
    return NO_REPLY


def _pendingShutdown(server):
    return getattr(server, "pendingShutdown", None)


def _laggingReplicas(server):
    """
    The online replicas that have not acknowledged everything sent
    (Redis's C{isReadyToShutdown}).
    """
    replication = server.replication
    if replication is None:
        return []
    offset = replication.offset
    return [
        state
        for state in replication.replicas.values()
        if getattr(state, "state", "online") == "online" and state.ackOffset < offset
    ]


def _finishShutdown(server, flags):
    """
    Save as asked and stop (Redis's C{finishShutdown}).

    @raise CommandError: the save failed and FORCE was not given.
    """
    saveFlag, nosave, force = flags
    lagging = _laggingReplicas(server)
    if lagging:
        _log.warn("{count} of the replicas are lagging when shutting down.", count=len(lagging))
    wantSave = saveFlag or (not nosave and bool(server.config["save"]))
    if wantSave:
        try:
            _persistence(server).saveSync()
        except Exception:
            if not force:
                _log.failure("Error trying to save the DB, can't exit.")
                raise CommandError(errors.SHUTDOWN_ERRORS)
            _log.failure("Error trying to save the DB, exiting anyway (FORCE).")
    server.shutdownSaved = True
    server.shutdown()


class _PendingShutdown:
    """
    A SHUTDOWN waiting for lagging replicas, with the clients that asked.
    """

    _POLL = 0.1

    def __init__(self, server, flags):
        self.server = server
        self.flags = flags
        self.waiters = []
        self.deadline = server.clock.seconds() + server.config["shutdown-timeout"]
        server.clientPause.pause(self.deadline, "write")
        server.replication.requestAcks()
        self._timer = server.clock.callLater(self._POLL, self._check)
        _log.info("Waiting for replicas before shutting down.")

    def join(self, client):
        def cancel(d):
            if d in self.waiters:
                self.waiters.remove(d)

        d = Deferred(canceller=cancel)
        self.waiters.append(d)
        return d

    def _check(self):
        self._timer = None
        if _laggingReplicas(self.server) and self.server.clock.seconds() < self.deadline:
            self._timer = self.server.clock.callLater(self._POLL, self._check)
            return
        self._end()
        try:
            _finishShutdown(self.server, self.flags)
        except CommandError as e:
            self._answer(e)

    def fail(self, why):
        """
        Give up (SHUTDOWN ABORT): the waiting clients are answered an error
        and writes resume.
        """
        _log.warn("Shutdown: {why}.", why=why)
        self._end()
        self._answer(CommandError(errors.SHUTDOWN_ERRORS))

    def _end(self):
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        self.server.pendingShutdown = None
        self.server.clientPause.unpause()

    def _answer(self, error):
        waiters, self.waiters = self.waiters, []
        for d in waiters:
            d.callback(error)


@command("bgrewriteaof", 1, ["admin", "noscript", "no_async_loading"], group="server")
def bgrewriteaof(client, argv):
    from txredisd.persistence.aof import AppendOnlyFile

    server = client.server
    aof = server.aof
    if aof is not None and aof.rewriting is not None:
        raise CommandError(errors.AOF_REWRITE_IN_PROGRESS)
    if aof is None or not aof.enabled:
        # With the AOF off, a rewrite still writes the files, which then
        # stay unused until the AOF is turned on.
        aof = aof or AppendOnlyFile(server)
        aof.start()
        aof.rewrite().addBoth(lambda _: aof.stop())
    else:
        aof.rewrite()
    return Status("Background append only file rewriting started")
