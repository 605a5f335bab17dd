"""
Replication commands: REPLCONF, PSYNC, SYNC, WAIT, REPLICAOF (SLAVEOF), ROLE.
"""

from txredisd import errors
from txredisd.blocking import parseTimeout
from txredisd.errors import CommandError
from txredisd.numbers import parseInt
from txredisd.registry import command
from txredisd.resp import NO_REPLY, OK, Raw, Status


def _master(client):
    replication = client.server.replication
    if replication is None:
        from txredisd.replication.master import ReplicationMaster

        replication = ReplicationMaster(client.server)
    return replication


@command("replconf", -1, ["admin", "noscript", "loading", "stale", "allow_busy"], group="server")
def replconf(client, argv):
    if len(argv) % 2 == 0:
        raise CommandError(errors.SYNTAX)
    master = _master(client)
    state = master.replicaFor(client)
    for i in range(1, len(argv), 2):
        option = argv[i].lower()
        value = argv[i + 1]
        if option == b"listening-port":
            port = parseInt(value)
            if port is None:
                raise CommandError(errors.NOT_INTEGER)
            state.listeningPort = port
        elif option == b"ip-address":
            state.ipAddress = value.decode("latin-1")
        elif option == b"capa":
            state.capabilities.add(value.lower().decode("latin-1"))
        elif option == b"ack":
            offset = parseInt(value)
            if offset is not None:
                master.ack(client, offset)
            # Redis never answers an ACK.
            return NO_REPLY
        elif option == b"getack":
            # Only meaningful for a replica; a master ignores it.
            return NO_REPLY
        elif option in (b"rdb-only", b"rdb-filter-only"):
            pass
        else:
            raise CommandError("ERR Unrecognized REPLCONF option: %s" % (errors.safe(argv[i]),))
    return OK


@command("psync", -3, ["admin", "noscript", "no_async_loading", "no_multi"], group="server")
def psync(client, argv):
    offset = parseInt(argv[2])
    if offset is None:
        raise CommandError(errors.NOT_INTEGER)
    if client.server.isReplica and client.server.replicaOf.linkStatus != "up":
        raise CommandError("NOMASTERLINK Can't SYNC while not connected with my master")
    _master(client).psync(client, argv[1], offset)
    return NO_REPLY


@command("sync", 1, ["admin", "noscript", "no_async_loading", "no_multi"], group="server")
def sync(client, argv):
    if client.server.isReplica and client.server.replicaOf.linkStatus != "up":
        raise CommandError("NOMASTERLINK Can't SYNC while not connected with my master")
    _master(client).psync(client, None, -1)
    return NO_REPLY


@command("wait", 3, ["noscript"], group="generic", aclCategories=("connection",))
def wait(client, argv):
    server = client.server
    if server.isReplica:
        raise CommandError(
            "ERR WAIT cannot be used with replica instances. Please also note that since "
            "Redis 4.0 if a replica is configured to be writable (which is not the default) "
            "writes to replicas are just local and are not propagated."
        )
    wanted = parseInt(argv[1])
    if wanted is None:
        raise CommandError(errors.NOT_INTEGER)
    deadline = parseTimeout(argv[2], server.store.now, milliseconds=True)
    master = _master(client)
    count = master.acknowledged(client.woff)
    if count >= wanted or client.denyBlocking:
        return count
    timeout = max(deadline - server.store.now, 0) / 1000.0 if deadline else 0
    return master.wait(client, wanted, client.woff, timeout)


def _replicaOf(client, argv):
    server = client.server
    replicaOf = server.replicaOf
    if replicaOf is None:
        from txredisd.replication.replica import ReplicaOf

        replicaOf = ReplicaOf(server, _master(client), server.reactor)
    if argv[1].lower() == b"no" and argv[2].lower() == b"one":
        replicaOf.promote()
        return OK
    port = parseInt(argv[2])
    if port is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 <= port <= 65535:
        raise CommandError("ERR Invalid master port")
    if replicaOf.master == (argv[1], port):
        return Status("OK Already connected to specified master")
    replicaOf.follow(argv[1], port)
    return OK


@command("replicaof", 3, ["admin", "noscript", "stale", "no_async_loading"], group="server")
def replicaof(client, argv):
    return _replicaOf(client, argv)


@command("slaveof", 3, ["admin", "noscript", "stale", "no_async_loading"], group="server")
def slaveof(client, argv):
    return _replicaOf(client, argv)


@command("role", 1, ["noscript", "loading", "stale", "fast", "sentinel"], group="server", aclCategories=("admin", "dangerous"))
def role(client, argv):
    server = client.server
    master = _master(client)
    replicaOf = server.replicaOf
    if replicaOf is not None and replicaOf.master is not None:
        host, port = replicaOf.master
        if replicaOf.linkStatus == "up":
            state = b"connected"
        elif replicaOf.syncInProgress:
            state = b"sync"
        elif replicaOf.link is not None:
            state = b"handshake"
        else:
            state = b"connect"
        return [b"slave", host, port, state, replicaOf.offset]
    replicas = [
        [r.address().encode(), b"%d" % r.listeningPort, b"%d" % r.ackOffset]
        for r in master.replicas.values()
        if r.state == "online"
    ]
    return [b"master", master.offset, replicas]
