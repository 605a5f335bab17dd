"""
Server commands: FLUSHALL, FLUSHDB, SWAPDB, DBSIZE, INFO, TIME, CONFIG and
COMMAND.
"""

from txredisd import errors, glob
from txredisd.config import ConfigError
from txredisd.configrewrite import rewriteFile
from txredisd.errors import CommandError
from txredisd.introspection import (
    ACL_CATEGORIES,
    aclCategories,
    arg,
    allSpecs,
    commandDocs,
    commandInfo,
    findSpec,
    keySpecs,
)
from txredisd.numbers import parseInt
from txredisd.registry import COMMANDS, command, container
from txredisd.resp import OK, Map, Set, Status, Verbatim


def _flushMode(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in (b"sync", b"async")):
        raise CommandError(errors.SYNTAX)


_FLUSH_HISTORY = [
    ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
    ("6.2.0", "Added the `SYNC` flushing mode modifier."),
]
_FLUSH_ARGS = [
    arg(
        "async",
        "oneof",
        flags="optional",
        args=[
            arg("async", "pure-token", token="ASYNC", since="4.0.0"),
            arg("sync", "pure-token", token="SYNC", since="6.2.0"),
        ],
    )
]
_FLUSH_KW = dict(
    group="server",
    aclCategories=("keyspace", "dangerous"),
    tips=("request_policy:all_shards", "response_policy:all_succeeded"),
)


@command(
    "flushall",
    -1,
    ["write"],
    summary="Remove all keys from all databases",
    docs={
        "complexity": "O(N) where N is the total number of keys in all databases",
        "history": _FLUSH_HISTORY,
        "arguments": _FLUSH_ARGS,
    },
    **_FLUSH_KW
)
def flushall(client, argv):
    _flushMode(argv)
    store = client.server.store
    store.dirty += store.flushAll()
    # Redis counts a FLUSHALL as a change even on an empty keyspace.
    store.dirty += 1
    return OK


@command(
    "flushdb",
    -1,
    ["write"],
    summary="Remove all keys from the current database",
    docs={
        "complexity": "O(N) where N is the number of keys in the selected database",
        "history": _FLUSH_HISTORY,
        "arguments": _FLUSH_ARGS,
    },
    **_FLUSH_KW
)
def flushdb(client, argv):
    _flushMode(argv)
    store = client.server.store
    store.dirty += client.db.flush() + 1
    return OK


def _swapIndex(data, message):
    # Redis's getIntFromObjectOrReply with SWAPDB's own message, for a
    # non-number and for a number beyond an int alike.
    index = parseInt(data)
    if index is None or not -(1 << 31) <= index < 1 << 31:
        raise CommandError(message)
    return index


@command(
    "swapdb",
    3,
    ["write", "fast"],
    summary="Swaps two Redis databases",
    since="4.0.0",
    docs={
        "complexity": "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        "arguments": [arg("index1", "integer"), arg("index2", "integer")],
    },
    group="server",
    aclCategories=("keyspace", "dangerous"),
)
def swapdb(client, argv):
    first = _swapIndex(argv[1], errors.SWAPDB_FIRST)
    second = _swapIndex(argv[2], errors.SWAPDB_SECOND)
    server = client.server
    store = server.store
    count = len(store.databases)
    if not (0 <= first < count and 0 <= second < count):
        raise CommandError(errors.DB_INDEX)
    if first != second:
        store.swapDatabases(first, second)
        server.blocking.databasesSwapped(first, second)
    store.dirty += 1
    return OK


@command(
    "dbsize",
    1,
    ["readonly", "fast"],
    group="server",
    aclCategories=("keyspace",),
    tips=("request_policy:all_shards", "response_policy:agg_sum"),
    summary="Return the number of keys in the selected database",
    docs={"complexity": "O(1)"},
)
def dbsize(client, argv):
    return client.db.size()


@command(
    "info",
    -1,
    ["loading", "stale", "sentinel"],
    group="server",
    aclCategories=("dangerous",),
    tips=("nondeterministic_output", "request_policy:all_shards", "response_policy:special"),
    summary="Get information and statistics about the server",
    docs={
        "complexity": "O(1)",
        "history": [("7.0.0", "Added support for taking multiple section arguments.")],
        "arguments": [arg("section", "string", flags="optional multiple")],
    },
)
def info(client, argv):
    server = client.server
    server.store.now = server.now()
    return Verbatim(server.infoSections.generate(server, argv[1:]))


@command(
    "time",
    1,
    ["loading", "stale", "fast"],
    group="server",
    tips=("nondeterministic_output",),
    summary="Return the current server time",
    since="2.6.0",
    docs={"complexity": "O(1)"},
)
def time(client, argv):
    micros = int(client.server.clock.seconds() * 1000000)
    return [b"%d" % (micros // 1000000,), b"%d" % (micros % 1000000,)]


def helpSubcommand(container, lines, **kwargs):
    """
    Declare C{<container>|help}, answering as Redis's C{addReplyHelp}: a
    usage line, the given lines, then HELP's own.

    @param container: the container's name, lower case.
    @param lines: the help lines after the first.
    @param kwargs: further declaration (C{group}, C{aclCategories}).
    """
    reply = [Status("%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" % (container.upper(),))] + [
        Status(line) for line in lines + ["HELP", "    Prints this help."]
    ]

    def help(client, argv):
        return reply

    command(
        container + "|help",
        2,
        ["loading", "stale"],
        summary="Show helpful text about the different subcommands",
        docs={"complexity": "O(1)"},
        **dict(kwargs, since="5.0.0")
    )(help)


# --- CONFIG --------------------------------------------------------------------

container(
    "config",
    -2,
    group="server",
    summary="A container for server configuration commands",
    since="2.0.0",
    docs={"complexity": "Depends on subcommand."},
)

_CONFIG_FLAGS = ["admin", "noscript", "loading", "stale"]
_CONFIG_N = "O(N) when N is the number of configuration parameters provided"


@command(
    "config|get",
    -3,
    _CONFIG_FLAGS,
    group="server",
    summary="Get the values of configuration parameters",
    since="2.0.0",
    docs={
        "complexity": _CONFIG_N,
        "history": [("7.0.0", "Added the ability to pass multiple pattern parameters in one call")],
        "arguments": [arg("parameter", "block", flags="multiple", args=[arg("parameter", "string")])],
    },
)
def configGet(client, argv):
    config = client.server.config
    matches = {}
    for pattern in argv[2:]:
        if not any(c in pattern for c in b"[*?"):
            # Redis answers an exact name under the spelling it was asked.
            name = pattern.decode("utf-8", "replace")
            if name.lower() not in matches and config.parameter(name) is not None:
                matches[name.lower()] = (pattern, name.lower())
            continue
        lowered = pattern.lower()
        for name in config.parameters:
            if name not in matches and glob.match(lowered, name.encode()):
                matches[name] = (name.encode(), name)
    return Map([(key, config.render(name)) for key, name in matches.values()])


@command(
    "config|set",
    -4,
    _CONFIG_FLAGS,
    group="server",
    tips=("request_policy:all_nodes", "response_policy:all_succeeded"),
    summary="Set configuration parameters to the given values",
    since="2.0.0",
    docs={
        "complexity": _CONFIG_N,
        "history": [("7.0.0", "Added the ability to set multiple parameters in one call.")],
        "arguments": [
            arg(
                "parameter_value",
                "block",
                flags="multiple",
                args=[arg("parameter", "string"), arg("value", "string")],
            )
        ],
    },
)
def configSet(client, argv):
    if len(argv) % 2:
        raise CommandError(errors.SYNTAX)
    config = client.server.config
    # Redis's configSetCommand: find every parameter first (the first
    # unknown name wins over other errors), then parse every value, then
    # apply all of them or, if one is refused, none.
    unknown = failedName = failure = None
    chosen = []
    for i in range(2, len(argv), 2):
        name = argv[i]
        parameter = config.parameter(name.decode("utf-8", "replace"))
        if parameter is None:
            if unknown is None and failure is None:
                unknown = name
            continue
        if unknown is not None or failure is not None:
            continue
        if not parameter.mutable:
            failedName, failure = name, errors.CONFIG_IMMUTABLE
        elif parameter.protected and not _allowProtected(client):
            failedName, failure = name, errors.CONFIG_PROTECTED
        elif any(name.lower() == other.lower() for other, _, _ in chosen):
            failedName, failure = name, errors.CONFIG_DUPLICATE
        chosen.append((name, parameter, argv[i + 1]))
    if unknown is not None:
        raise CommandError(errors.CONFIG_UNKNOWN_PARAM.format(errors.safe(unknown)))
    if failure is not None:
        raise CommandError(errors.CONFIG_SET_FAILED.format(errors.safe(failedName), failure))
    parsed = []
    for name, parameter, text in chosen:
        try:
            value = parameter.parse(text)
        except ConfigError as e:
            raise CommandError(errors.CONFIG_SET_FAILED.format(errors.safe(name), e))
        # Parameters that set only part of their setting combine the new
        # part with the current value (client-output-buffer-limit).
        merge = getattr(parameter, "merge", None)
        if merge is not None:
            value = merge(config.values[parameter.name], value)
        parsed.append((name, parameter, value))
    old = [(parameter, config.values[parameter.name]) for _, parameter, _ in parsed]
    try:
        for name, parameter, value in parsed:
            _apply(config, parameter, value, name)
    except _ApplyFailed as e:
        for parameter, value in reversed(old):
            config.values[parameter.name] = value
            for observer in config.observers:
                observer(parameter.name, value)
        raise CommandError(errors.CONFIG_SET_FAILED.format(errors.safe(e.name), e.reason))
    return OK


def _allowProtected(client):
    # Redis's allowProtectedAction: "yes", or "local" for loopback and
    # Unix-socket clients.
    mode = client.server.config["enable-protected-configs"]
    if mode == b"yes":
        return True
    if mode == b"local" and client.transport is not None:
        host = getattr(client.transport.getPeer(), "host", None)
        return host is None or host in ("127.0.0.1", "::1") or host.startswith("127.")
    return False


class _ApplyFailed(Exception):
    def __init__(self, name, reason):
        Exception.__init__(self, name, reason)
        self.name = name
        self.reason = reason


def _apply(config, parameter, value, name):
    # Observers (the parts of the server that follow a parameter) may refuse
    # a value as Redis's apply functions do, by raising ConfigError.
    config.values[parameter.name] = value
    try:
        for observer in config.observers:
            observer(parameter.name, value)
    except ConfigError as e:
        raise _ApplyFailed(name, str(e))


_CONFIG_O1 = dict(group="server", docs={"complexity": "O(1)"})


@command("config|resetstat", 2, _CONFIG_FLAGS, summary="Reset the stats returned by INFO", since="2.0.0", **_CONFIG_O1)
def configResetstat(client, argv):
    client.server.resetStats()
    return OK


@command(
    "config|rewrite",
    2,
    _CONFIG_FLAGS,
    summary="Rewrite the configuration file with the in memory configuration",
    since="2.8.0",
    **_CONFIG_O1
)
def configRewrite(client, argv):
    config = client.server.config
    path = getattr(config, "path", None)
    if not path:
        raise CommandError(errors.CONFIG_NO_FILE)
    try:
        rewriteFile(config, path)
    except OSError as e:
        raise CommandError(errors.CONFIG_REWRITE_FAILED.format(e.strerror))
    return OK


_CONFIG_HELP = [
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
]

helpSubcommand("config", _CONFIG_HELP, group="server")


# --- COMMAND -------------------------------------------------------------------

_COMMAND_FLAGS = ["loading", "stale"]
_COMMAND_KW = {"group": "server", "aclCategories": ("connection",), "since": "2.8.13"}
_ORDER_TIP = ("nondeterministic_output_order",)
_NAMES_ARG = [arg("command-name", "string", flags="optional multiple")]


def _command(client, argv):
    if len(argv) == 1:
        return [commandInfo(spec) for spec in COMMANDS.values()]
    raise CommandError(errors.unknownSubcommand(argv[1], "command"))


container(
    "command",
    -1,
    _COMMAND_FLAGS,
    handler=_command,
    tips=_ORDER_TIP,
    summary="Get array of Redis command details",
    docs={"complexity": "O(N) where N is the total number of Redis commands"},
    **_COMMAND_KW
)


@command(
    "command|count",
    2,
    _COMMAND_FLAGS,
    summary="Get total number of Redis commands",
    docs={"complexity": "O(1)"},
    **_COMMAND_KW
)
def commandCount(client, argv):
    return len(COMMANDS)


@command(
    "command|info",
    -2,
    _COMMAND_FLAGS,
    tips=_ORDER_TIP,
    summary="Get array of specific Redis command details, or all when no argument is given.",
    docs={
        "complexity": "O(N) where N is the number of commands to look up",
        "history": [("7.0.0", "Allowed to be called with no argument to get info on all commands.")],
        "arguments": _NAMES_ARG,
    },
    **_COMMAND_KW
)
def commandInfoCommand(client, argv):
    if len(argv) == 2:
        return [commandInfo(spec) for spec in COMMANDS.values()]
    out = []
    for name in argv[2:]:
        spec = findSpec(COMMANDS, name)
        out.append(None if spec is None else commandInfo(spec))
    return out


@command(
    "command|docs",
    -2,
    _COMMAND_FLAGS,
    tips=_ORDER_TIP,
    summary="Get array of specific Redis command documentation",
    docs={"complexity": "O(N) where N is the number of commands to look up", "arguments": _NAMES_ARG},
    **dict(_COMMAND_KW, since="7.0.0")
)
def commandDocsCommand(client, argv):
    if len(argv) == 2:
        specs = list(COMMANDS.values())
    else:
        # Redis leaves unknown names out of the map.
        specs = [s for s in (findSpec(COMMANDS, name) for name in argv[2:]) if s is not None]
    return Map([(spec.name.encode(), commandDocs(spec)) for spec in specs])


@command(
    "command|list",
    -2,
    _COMMAND_FLAGS,
    tips=_ORDER_TIP,
    summary="Get an array of Redis command names",
    docs={
        "complexity": "O(N) where N is the total number of Redis commands",
        "arguments": [
            arg(
                "filterby",
                "oneof",
                token="FILTERBY",
                flags="optional",
                args=[
                    arg("module-name", "string", token="MODULE"),
                    arg("category", "string", token="ACLCAT"),
                    arg("pattern", "pattern", token="PATTERN"),
                ],
            )
        ],
    },
    **dict(_COMMAND_KW, since="7.0.0")
)
def commandList(client, argv):
    specs = allSpecs(COMMANDS)
    if len(argv) == 2:
        return [spec.name.encode() for spec in specs]
    if len(argv) != 5 or argv[2].lower() != b"filterby":
        raise CommandError(errors.SYNTAX)
    kind, value = argv[3].lower(), argv[4]
    if kind == b"module":
        # No modules here: no command belongs to one.
        return []
    if kind == b"aclcat":
        category = value.lower().decode("utf-8", "replace")
        if category not in ACL_CATEGORIES:
            return []
        return [spec.name.encode() for spec in specs if category in aclCategories(spec)]
    if kind == b"pattern":
        pattern = value.lower()
        return [spec.name.encode() for spec in specs if glob.match(pattern, spec.name.encode())]
    raise CommandError(errors.SYNTAX)


def _commandKeys(argv):
    """
    The keys of the command in C{argv[2:]}, with their key-spec flags, as
    Redis's C{getKeysSubcommandImpl} finds them.

    @return: a L{list} of C{(key, flags)}.
    """
    target = argv[2:]
    spec = COMMANDS.get(target[0].lower())
    if spec is not None and spec.subcommands:
        spec = spec.subcommands.get(target[1].lower()) if len(target) > 1 else None
    if spec is None:
        raise CommandError(errors.COMMAND_INVALID)
    specs = keySpecs(spec)
    if not specs and spec.getKeys is None:
        raise CommandError(errors.COMMAND_NO_KEYS)
    if not spec.minArgs <= len(target) <= spec.maxArgs:
        raise CommandError(errors.COMMAND_BAD_ARITY)
    positions = spec.keyPositions(target)
    if not positions and "no_mandatory_keys" not in spec.flags:
        raise CommandError(errors.COMMAND_BAD_ARGUMENTS)
    flagsAt = {}
    for ks in specs:
        begin, find = ks["begin"], ks["find"]
        if begin[0] != "index" or find[0] != "range":
            continue
        first = begin[1]
        last = first + find[1] if find[1] >= 0 else len(target) + find[1]
        for position in range(first, last + 1, find[2] or 1):
            flagsAt.setdefault(position, ks["flags"])
    # A key found otherwise (a keyword, a count, a getkeys function such
    # as SORT's for its STORE key) has the flags of the last spec that is
    # not a fixed range.
    searched = [ks for ks in specs if ks["begin"][0] != "index" or ks["find"][0] != "range"]
    default = (searched or specs)[-1]["flags"] if specs else ()
    if spec.keyFlags is not None:
        # Redis's getkeys proc decides the flags of this request's keys.
        variable = spec.keyFlags(target)
        return [(target[p], variable) for p in positions]
    return [(target[p], flagsAt.get(p, default)) for p in positions]


_GETKEYS_KW = dict(
    _COMMAND_KW, docs={"complexity": "O(N) where N is the number of arguments to the command"}
)


@command("command|getkeys", -4, _COMMAND_FLAGS, summary="Extract keys given a full Redis command", **_GETKEYS_KW)
def commandGetkeys(client, argv):
    return [key for key, _ in _commandKeys(argv)]


@command(
    "command|getkeysandflags",
    -4,
    _COMMAND_FLAGS,
    summary="Extract keys and access flags given a full Redis command",
    **dict(_GETKEYS_KW, since="7.0.0")
)
def commandGetkeysandflags(client, argv):
    return [[key, Set([Status(f) for f in flags])] for key, flags in _commandKeys(argv)]


_COMMAND_HELP = [
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
]

helpSubcommand("command", _COMMAND_HELP, **_COMMAND_KW)
