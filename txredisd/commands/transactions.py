"""
Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.

Dispatch queues commands while C{client.multi} is a list and flags
queue-time errors; EXEC runs the queue through L{dispatch.call} with
blocking denied, and the server gathers what it wrote to propagate it
once, wrapped in MULTI ... EXEC as Redis 7.0 does.
"""

from txredisd import dispatch, errors
from txredisd.errors import CommandError
from txredisd.registry import command
from txredisd.resp import NULL_ARRAY, OK

_CONTROL = ["noscript", "loading", "stale", "fast", "allow_busy"]


@command("multi", 1, _CONTROL, group="transactions")
def multi(client, argv):
    if client.multi is not None:
        raise CommandError(errors.MULTI_NESTED)
    client.multi = []
    client.multiError = False
    return OK


@command("discard", 1, _CONTROL, group="transactions")
def discard(client, argv):
    if client.multi is None:
        raise CommandError(errors.DISCARD_WITHOUT_MULTI)
    dispatch.discardTransaction(client)
    return OK


@command("exec", 1, ["noscript", "loading", "stale", "skip_slowlog"], group="transactions")
def exec_(client, argv):
    if client.multi is None:
        raise CommandError(errors.EXEC_WITHOUT_MULTI)
    server = client.server
    store = server.store
    if client.watchedKeys and store.watchedKeyExpired(client):
        client.watchDirty = True
    if client.multiError or client.watchDirty:
        aborted = client.multiError
        dispatch.discardTransaction(client)
        if aborted:
            raise CommandError(errors.EXECABORT)
        return NULL_ARRAY
    # Redis keeps the client in MULTI while the queue runs (SUBSCRIBE
    # inside EXEC relies on it) and answers blocking commands at once.
    denyBlocking = client.denyBlocking
    client.denyBlocking = True
    store.unwatchAll(client)
    outer = server.startPropagationBatch()
    try:
        replies = [_runQueued(client, spec, queued) for spec, queued in client.multi]
    finally:
        server.endPropagationBatch(outer)
        client.denyBlocking = denyBlocking
        dispatch.discardTransaction(client)
    # The writes went out above; EXEC itself is not propagated.
    client.propagateAs = []
    return replies


def _runQueued(client, spec, argv):
    # Redis 7.0's execCommand checks the ACL again: the rules may have
    # changed since the command was queued.
    if not client.aclUser.unrestricted:
        denied = client.server.acl.denial(client, spec, argv, queued=True)
        if denied is not None:
            return CommandError(denied)
    return dispatch.call(client, spec, argv)


@command("watch", -2, _CONTROL, 1, -1, 1, group="transactions")
def watch(client, argv):
    if client.multi is not None:
        raise CommandError(errors.WATCH_INSIDE_MULTI)
    store = client.server.store
    for key in argv[1:]:
        store.watch(client, client.dbIndex, key)
    return OK


@command("unwatch", 1, _CONTROL, group="transactions")
def unwatch(client, argv):
    client.server.store.unwatchAll(client)
    return OK
