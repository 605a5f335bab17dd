"""
The one command path.

Every command, from a socket, a MULTI queue, a script or a replication
link, goes through L{execute}: Redis's checks in Redis's order
(C{processCommand}: lookup, arity, authentication, ACL permissions,
...), then L{call}, which stamps the time, runs the handler
and hands keyspace changes to the propagators (C{call} in Redis).
"""

from operator import itemgetter
from time import perf_counter

from twisted.internet.defer import Deferred
from twisted.logger import Logger

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.loglevel import observer as logObserver
from txredisd.monitoring import afterCall
from txredisd.registry import COMMANDS
from txredisd.resp import QUEUED

_log = Logger(observer=logObserver)

# Commands that run at once inside MULTI instead of being queued.
_MULTI_CONTROL = frozenset([b"exec", b"discard", b"multi", b"watch", b"quit", b"reset"])
# What a client in MULTI may still send when memory is over maxmemory
# (Redis's processCommand: queueing would grow memory without bound).
_OOM_MULTI_ALLOWED = frozenset([b"exec", b"discard", b"quit", b"reset"])
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
    # A queue-time error inside MULTI makes EXEC answer EXECABORT (Redis's
    # flagTransaction); a rejected EXEC itself discards the transaction and
    # says why (execCommandAbort), even outside MULTI.
    if spec is not None and spec.name == "exec":
        discardTransaction(client)
        message = errors.execAbort(message)
    elif client.multi is not None:
        client.multiError = True
    server = client.server
    server.countError(message)
    if spec is not None:
        # INFO commandstats: refused before running (rejected_calls).
        _commandStat(server, spec)[2] += 1
    return CommandError(message)


def discardTransaction(client):
    """
    Leave MULTI and forget the queue and the watched keys (Redis's
    C{discardTransaction}).
    """
    client.multi = None
    client.multiError = False
    if client.watchedKeys or client.watchDirty:
        client.server.store.unwatchAll(client)

def _commandStat(server, spec):
    # [calls, seconds, rejected_calls, failed_calls] for INFO commandstats.
    stat = server.commandStats.get(spec.name)
    if stat is None:
        stat = server.commandStats[spec.name] = [0, 0, 0, 0]
    return stat


def _countCalls(stats, server, spec, calls, seconds):
    stat = stats.get(spec.name)
    if stat is None:
        stat = _commandStat(server, spec)
    stat[0] += calls
    stat[1] += seconds


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
    if not spec.minArgs <= len(argv) <= spec.maxArgs:
        return _fail(client, spec, errors.wrongArity(spec.name))
    return spec


def _writes(client, spec, argv):
    # EXEC counts as a write when its queue holds one (Redis 7.0's
    # processCommand looks at the transaction's accumulated flags).
    if "write" in spec.flags:
        return True
    return argv[0].lower() == b"exec" and client.multi is not None and any(
        "write" in queued.flags for queued, _ in client.multi
    )


def _mayReplicate(client, spec, argv):
    # What CLIENT PAUSE WRITE holds back (Redis's is_may_replicate_command).
    return "may_replicate" in spec.flags or _writes(client, spec, argv) or (
        argv[0].lower() == b"exec"
        and client.multi is not None
        and any("may_replicate" in queued.flags for queued, _ in client.multi)
    )


def _rejectOnOOM(client, spec, argv):
    # Redis's reject_cmd_on_oom: commands flagged denyoom (EXEC when its
    # queue holds one), and anything but EXEC/DISCARD/QUIT/RESET in MULTI.
    if "denyoom" in spec.flags:
        return True
    if client.multi is None:
        return False
    name = argv[0].lower()
    if name == b"exec":
        return any("denyoom" in queued.flags for queued, _ in client.multi)
    return name not in _OOM_MULTI_ALLOWED


#: Command groups whose commands only read and write the keyspace.
_PLAIN_GROUPS = frozenset(
    ["string", "list", "hash", "set", "sorted_set", "geo", "stream", "bitmap", "hyperloglog", "generic"]
)
#: Commands of other groups that touch nothing but their reply.
_PLAIN_NAMES = frozenset(["ping", "echo"])
#: Flags of commands that may block, wait or change what execute() checks.
_UNPLAIN_FLAGS = frozenset(["blocking", "admin", "noscript", "no_multi", "pubsub", "no_auth"])
_plain = {}
_name = itemgetter(0)
_plainBuiltFrom = None


def plainCommands():
    """
    The commands that only touch the keyspace (GET, SET, LPUSH, ...), or
    nothing (PING, ECHO), by their name as clients send it (lower and
    upper case), for L{runPlain}.

    Running one changes nothing that L{execute} checks before running a
    command (authentication, MULTI, ACL, subscriptions, pauses, scripts,
    loading), so while none of those checks applies to a client,
    L{runPlain} may run them directly.

    @return: a L{dict} of L{bytes} to L{txredisd.registry.CommandSpec}.
    """
    global _plainBuiltFrom
    if _plainBuiltFrom != COMMANDS.version:
        _plain.clear()
        for spec in COMMANDS.values():
            if (
                (spec.group in _PLAIN_GROUPS or spec.name in _PLAIN_NAMES)
                and spec.handler is not None
                and not spec.subcommands
                and not (spec.flags & _UNPLAIN_FLAGS)
            ):
                name = spec.name.encode("ascii")
                _plain[name] = _plain[name.upper()] = spec
        _plainBuiltFrom = COMMANDS.version
    return _plain


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
    server = client.server
    # Redis's authRequired: a client that has not authenticated may run
    # no_auth commands only, unless the default user needs no password now.
    if not client.authenticated and "no_auth" not in flags and server.acl.authRequired:
        return _fail(client, spec, errors.NOAUTH)
    server = client.server
    if server.loading and "loading" not in flags and client.kind == "normal":
        return _fail(client, spec, errors.LOADING)
    multi = client.multi
    if multi is not None and "no_multi" in flags:
        return _fail(client, spec, errors.NO_MULTI)
    if not client.aclUser.unrestricted:
        denied = server.acl.denial(client, spec, argv)
        if denied is not None:
            return _fail(client, spec, denied)
    evictor = server.evictor
    if evictor.active and not evictor.makeRoom() and _rejectOnOOM(client, spec, argv):
        return _fail(client, spec, errors.OOM)
    if server.readOnlyReplica and client.kind != "master" and _writes(client, spec, argv):
        return _fail(client, spec, errors.READONLY)
    if client.subscriptions and not client.resp3 and argv[0].lower() not in _SUBSCRIBED_ALLOWED:
        return _fail(client, spec, errors.SUBSCRIBED_CONTEXT % (spec.name,))
    busy = server.busyScript
    if busy is not None and "allow_busy" not in flags and client.kind != "master":
        # Redis postpones its master's stream instead; refusing it would
        # lose writes, so it runs.
        return _fail(client, spec, busy.busyError)
    pause = server.clientPause
    if pause.mode is not None and pause.mustWait(client, spec, _mayReplicate(client, spec, argv)):
        # Redis's blockPostponeClient: the command runs, all checks again,
        # once the pause ends.
        return pause.wait(client).addCallback(lambda _: execute(client, argv))
    if multi is not None and argv[0].lower() not in _MULTI_CONTROL:
        multi.append((spec, argv))
        return QUEUED
    reply = call(client, spec, argv)
    blocking = server.blocking
    # Clients blocked on keys a busy script pushed to wait for its end.
    if blocking.ready and server.busyScript is None:
        blocking.serveReady()
    return reply


def _failed(server, spec, argv, error):
    """
    What a handler's exception becomes: its L{CommandError}, counted in
    INFO errorstats and commandstats (failed_calls), or an internal error.
    """
    if isinstance(error, CommandError):
        reply = error
    else:
        _log.failure("Unexpected error running {command!r}", command=argv[:8])
        reply = CommandError("ERR internal error running '%s'" % (spec.name,))
    server.countError(reply.message)
    _commandStat(server, spec)[3] += 1
    return reply


def _propagate(server, client, argv):
    """
    Hand a command that changed the keyspace to replicas and the AOF, as
    it ran or as its handler rewrote it (C{client.propagateAs}).
    """
    commands = client.propagateAs
    if commands is None:
        server.propagate(client.dbIndex, [argv])
    else:
        # A command rewritten as several (SPOP with a count) reaches
        # replicas and the AOF atomically, in MULTI/EXEC, as Redis 7.0.
        outer = server.startPropagationBatch()
        server.propagate(client.dbIndex, commands)
        server.endPropagationBatch(outer)
    replication = server.replication
    if replication is not None:
        # WAIT waits for replicas to reach the client's last write.
        client.woff = replication.offset


def call(client, spec, argv):
    """
    Run a handler: stamp the time, call it, propagate what it changed.

    @return: the handler's reply (a L{CommandError} for its errors).
    """
    server = client.server
    store = server.store
    if client.kind != "script":
        # A script's commands all see the time it started at (Redis 7.0's
        # script time snapshot).
        store.now = int(server.clock.seconds() * 1000)
    dirty = store.dirty
    client.propagateAs = None
    # Set before running, as Redis does: CLIENT INFO shows itself.
    client.lastCommand = name = spec.name
    started = perf_counter()
    try:
        reply = spec.handler(client, argv)
    except Exception as e:
        reply = _failed(server, spec, argv, e)
    elapsed = perf_counter() - started
    stat = server.commandStats.get(name)
    if stat is None:
        stat = _commandStat(server, spec)
    stat[0] += 1
    stat[1] += elapsed
    if elapsed >= server.watchFloor or server.monitors:
        afterCall(server, client, spec, argv, elapsed)
    server.stats["total_commands_processed"] += 1
    if store.dirty != dirty and server.propagators:
        _propagate(server, client, argv)
    return reply


def _runBatch(client, plain, run, started, floor, replies):
    """
    Run a pipeline's plain commands at once through their spec's C{batch}
    (L{txredisd.registry.CommandSpec.batch}), if they are all one command
    with one argument count: what L{runPlain} does for each, without a
    Python call per command.

    No MONITOR is there and no replica or AOF is fed (the caller checks):
    the run is timed as a whole, each command charged an equal share in
    INFO commandstats and for the slow log and the latency monitor.

    @param run: the commands, two or more.
    @param started: when the run started (L{perf_counter}).
    @param floor: the shortest time L{afterCall} records (positive).
    @return: how many commands ran: all of them, or none.
    """
    name = run[0][0]
    if run[-1][0] != name:
        # Most pipelines of varied commands show it here.
        return 0
    spec = plain.get(name)
    if spec is None or spec.batch is None:
        return 0
    calls = len(run)
    # Counted in C: a set would hash every name and length.
    if list(map(_name, run)).count(name) != calls or list(map(len, run)).count(len(run[0])) != calls:
        return 0
    if not spec.minArgs <= len(run[0]) <= spec.maxArgs:
        return 0
    try:
        done = spec.batch(client, run)
    except Exception:
        # A bug: the commands still run, one by one (as they would have
        # without a batch; GET and SET may run twice).
        _log.failure("Unexpected error running a batch of {command!r}", command=spec.name)
        return 0
    if done is None:
        return 0
    share = (perf_counter() - started) / calls
    replies.extend(done)
    server = client.server
    _countCalls(server.commandStats, server, spec, calls, share * calls)
    server.stats["total_commands_processed"] += calls
    client.lastCommand = spec.name
    if share >= floor:
        for argv in run:
            afterCall(server, client, spec, argv, share)
    return calls


def runPlain(client, commands, start, replies):
    """
    Run the commands from C{commands[start]} on while they are plain ones
    (L{plainCommands}) with a valid arity, if L{execute} would run them for
    C{client} straight away, with no check refusing, queueing or delaying
    them: what L{execute} and L{call} do for each of them, with the
    bookkeeping that does not depend on the command done once for the
    run (the time stamp, the command count), and one clock read per
    command for its duration.  Pipelined keyspace commands are the bulk of
    a busy server's work.

    A pipeline of one command whose spec has a C{batch} runs at once
    (L{_runBatch}) while no MONITOR, replica or AOF needs each command.

    @param replies: a L{list} the replies are appended to.
    @return: the index of the first command not run.  A run also stops
        after a command whose reply is a
        L{twisted.internet.defer.Deferred}.
    """
    server = client.server
    if not (
        client.multi is None
        and client.kind == "normal"
        and (client.authenticated or not server.acl.authRequired)
        and client.aclUser.unrestricted
        and not client.subscriptions
        and not server.loading
        and not server.evictor.active
        and not server.readOnlyReplica
        and server.busyScript is None
        and server.clientPause.mode is None
    ):
        return start
    # plainCommands()'s own freshness check, without the call: this runs
    # for every read.
    plain = _plain if _plainBuiltFrom == COMMANDS.version else plainCommands()
    store = server.store
    stats = server.commandStats
    blocking = server.blocking
    # No plain command adds a MONITOR, a replica or an AOF, or changes the
    # slow log's threshold: they are read once per run (and again after
    # blocked clients ran).
    floor = -1.0 if server.monitors else server.watchFloor
    propagating = bool(server.propagators)
    store.now = int(server.clock.seconds() * 1000)
    index = start
    started = perf_counter()
    if len(commands) > start + 1 and floor > 0.0 and not propagating:
        done = _runBatch(client, plain, commands[start:] if start else commands, started, floor, replies)
        if done:
            return start + done
    # Commands in a row with one spec are counted in INFO commandstats
    # together: the calls since index stretch, their time since since.
    last = None
    for argv in commands[start:] if start else commands:
        spec = plain.get(argv[0])
        if spec is None or not spec.minArgs <= len(argv) <= spec.maxArgs:
            break
        if spec is not last:
            if last is not None:
                _countCalls(stats, server, last, index - stretch, started - since)
            last = spec
            stretch = index
            since = started
        index += 1
        if propagating:
            dirty = store.dirty
            client.propagateAs = None
        try:
            reply = spec.handler(client, argv)
        except Exception as e:
            reply = _failed(server, spec, argv, e)
        ended = perf_counter()
        elapsed = ended - started
        started = ended
        if elapsed >= floor:
            afterCall(server, client, spec, argv, elapsed)
        if propagating and store.dirty != dirty:
            _propagate(server, client, argv)
        replies.append(reply)
        if blocking.ready:
            # As execute(): clients blocked on keys this command pushed to
            # are served before the next command (and not timed with it).
            _countCalls(stats, server, last, index - stretch, started - since)
            blocking.serveReady()
            floor = -1.0 if server.monitors else server.watchFloor
            propagating = bool(server.propagators)
            store.now = int(server.clock.seconds() * 1000)
            started = since = perf_counter()
            stretch = index
        if type(reply) is Deferred:
            break
    if last is not None:
        # _countCalls, inline: a lone command per read is the common case.
        stat = stats.get(last.name)
        if stat is None:
            stat = _commandStat(server, last)
        stat[0] += index - stretch
        stat[1] += started - since
        server.stats["total_commands_processed"] += index - start
        # CLIENT LIST's cmd= for other clients (no plain command shows it
        # for itself).
        client.lastCommand = last.name
    return index
