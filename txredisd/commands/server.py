"""
Server commands.
"""

from txredisd.errors import CommandError
from txredisd import errors
from txredisd.registry import command
from txredisd.resp import OK


def _flushMode(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in (b"sync", b"async")):
        raise CommandError(errors.SYNTAX)


@command("flushall", -1, ["write"], group="server")
def flushall(client, argv):
    _flushMode(argv)
    store = client.server.store
    store.dirty += store.flushAll()
    # Redis counts a FLUSHALL as a change even on an empty keyspace.
    store.dirty += 1
    return OK


@command("flushdb", -1, ["write"], group="server")
def flushdb(client, argv):
    _flushMode(argv)
    store = client.server.store
    store.dirty += client.db.flush() + 1
    return OK


@command("dbsize", 1, ["readonly", "fast"], group="server")
def dbsize(client, argv):
    return client.db.size()
