"""
The one command path.

Every command, from a socket, a MULTI queue, a script or a replication
link, goes through L{execute}: Redis's checks in Redis's order
(C{processCommand}), then L{call}, which stamps the time, runs the handler
and hands keyspace changes to the propagators (C{call} in Redis).
"""

from time import perf_counter

from twisted.logger import Logger

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.registry import COMMANDS
from txredisd.resp import QUEUED

_log = Logger()

# Commands that run at once inside MULTI instead of being queued.
_MULTI_CONTROL = frozenset([b"exec", b"discard", b"multi", b"watch", b"quit", b"reset"])
# What a RESP2 client in subscribed mode may still send.
_SUBSCRIBED_ALLOWED = frozenset(
    [
        b"subscribe",
        b"unsubscribe",
        b"psubscribe",
        b"punsubscribe",
        b"ssubscribe",
        b"sunsubscribe",
        b"ping",
        b"quit",
        b"reset",
    ]
)


def _fail(client, spec, message):
    # A queue-time error inside MULTI makes EXEC answer EXECABORT.
    if client.multi is not None:
        client.multiError = True
    server = client.server
    server.countError(message)
    if spec is not None:
        # INFO commandstats: refused before running (rejected_calls).
        _commandStat(server, spec)[2] += 1
    return CommandError(message)


def _commandStat(server, spec):
    # [calls, seconds, rejected_calls, failed_calls] for INFO commandstats.
    stat = server.commandStats.get(spec.name)
    if stat is None:
        stat = server.commandStats[spec.name] = [0, 0, 0, 0]
    return stat


def lookupCommand(client, argv):
    """
    Find the spec for a request and check its arity.

    @return: the L{txredisd.registry.CommandSpec}, or a L{CommandError}.
    """
    name = argv[0].lower()
    spec = COMMANDS.get(name)
    if spec is None:
        return _fail(client, None, errors.unknownCommand(argv))
    if spec.subcommands:
        if len(argv) == 1:
            # A container that also runs bare (COMMAND) checks its own arity.
            if spec.handler is None:
                return _fail(client, spec, errors.wrongArity(spec.name))
            sub = spec
        else:
            sub = spec.subcommands.get(argv[1].lower())
        if sub is None:
            if spec.handler is None:
                return _fail(client, spec, errors.unknownSubcommand(argv[1], spec.name))
        else:
            spec = sub
    arity = spec.arity
    if (arity > 0 and len(argv) != arity) or len(argv) < -arity:
        return _fail(client, spec, errors.wrongArity(spec.name))
    return spec


def execute(client, argv):
    """
    Run one request for C{client}.

    @param argv: the request, a L{list} of L{bytes}.
    @return: the reply value, or a L{twisted.internet.defer.Deferred} of it
        for commands that block.
    """
    spec = lookupCommand(client, argv)
    if type(spec) is CommandError:
        return spec
    flags = spec.flags
    if not client.authenticated and "no_auth" not in flags:
        return _fail(client, spec, errors.NOAUTH)
    if client.multi is not None and argv[0].lower() not in _MULTI_CONTROL:
        client.multi.append((spec, argv))
        return QUEUED
    if client.subscriptions and not client.resp3 and argv[0].lower() not in _SUBSCRIBED_ALLOWED:
        return _fail(
            client,
            spec,
            "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
            "PING / QUIT / RESET are allowed in this context" % (spec.name,),
        )
    server = client.server
    if server.readOnlyReplica and "write" in flags and client.kind != "master":
        return _fail(client, spec, errors.READONLY)
    return call(client, spec, argv)


def call(client, spec, argv):
    """
    Run a handler: stamp the time, call it, propagate what it changed.

    @return: the handler's reply (a L{CommandError} for its errors).
    """
    server = client.server
    store = server.store
    store.now = int(server.clock.seconds() * 1000)
    dirty = store.dirty
    client.propagateAs = None
    stat = server.commandStats.get(spec.name)
    if stat is None:
        stat = _commandStat(server, spec)
    # Set before running, as Redis does: CLIENT INFO shows itself.
    client.lastCommand = spec.name
    started = perf_counter()
    try:
        reply = spec.handler(client, argv)
    except CommandError as e:
        reply = e
        server.countError(e.message)
        stat[3] += 1
    except Exception:
        _log.failure("Unexpected error running {command!r}", command=argv[:8])
        reply = CommandError("ERR internal error running '%s'" % (spec.name,))
        server.countError(reply.message)
        stat[3] += 1
    stat[1] += perf_counter() - started
    server.stats["total_commands_processed"] += 1
    stat[0] += 1
    if store.dirty != dirty and server.propagators:
        commands = client.propagateAs
        server.propagate(client.dbIndex, commands if commands is not None else [argv])
    return reply
