"""
Persistence commands: SAVE, BGSAVE, LASTSAVE, SHUTDOWN.
"""

from twisted.internet.defer import Deferred

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.registry import command
from txredisd.resp import NO_REPLY, OK, Status


def _persistence(client):
    persistence = client.server.persistence
    if persistence is None:
        from txredisd.persistence.service import Persistence

        persistence = Persistence(client.server)
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
    if abort:
        raise CommandError("ERR No shutdown in progress.")
    if server.busyScript is not None and not nosave:
        # Only SHUTDOWN NOSAVE stops a server stuck in a script.
        raise CommandError(server.busyScript.busyError)
    persistence = _persistence(client)
    wantSave = saveFlag or (not nosave and bool(server.config["save"]))
    if wantSave:
        try:
            persistence.saveSync()
        except Exception:
            if not force:
                raise CommandError("ERR Errors trying to SHUTDOWN. Check logs.")
    server.shutdownSaved = True
    server.shutdown()
    # Redis closes the connection without a reply.
    client.closeAfterReply = True
    return NO_REPLY


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
