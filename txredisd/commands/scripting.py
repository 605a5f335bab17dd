"""
Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FUNCTION,
FCALL, FCALL_RO.

The Lua side lives in L{txredisd.scripting}; a script runs atomically on
the reactor thread, its commands go through L{txredisd.dispatch.call} as a
script client and are propagated together, wrapped in MULTI/EXEC (Redis
7.0's effects replication).
"""

import time

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.glob import match
from txredisd.numbers import parseInt
from txredisd.persistence.dump import verifyPayload, wrapPayload
from txredisd.persistence.rdb import OP_FUNCTION2, RDBError, RDBReader, encodeString
from txredisd.registry import command, container
from txredisd.resp import OK, Map, Set, Status
from txredisd.scripting import engine


def _evalKeys(argv):
    # getKeys for EVAL-like commands: numkeys at 2, then the keys.
    try:
        numkeys = int(argv[2])
    except (ValueError, IndexError):
        return []
    if numkeys < 0 or numkeys > len(argv) - 3:
        return []
    return list(range(3, 3 + numkeys))


def _checkNumkeys(argv):
    numkeys = parseInt(argv[2])
    if numkeys is None:
        raise CommandError(errors.NOT_INTEGER)
    if numkeys > len(argv) - 3:
        raise CommandError(errors.NUMKEYS_TOO_BIG)
    if numkeys < 0:
        raise CommandError(errors.NUMKEYS_NEGATIVE)


_EVAL_FLAGS = ["noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale", "movablekeys"]
_EVAL_RO_FLAGS = ["noscript", "skip_monitor", "no_mandatory_keys", "stale", "readonly", "movablekeys"]


def _eval(client, argv, readOnly):
    _checkNumkeys(argv)
    scripting = engine(client.server)
    sha, entry = scripting.compileScript(argv[1])
    return scripting.evalScript(client, argv, entry, sha, readOnly)


def _evalsha(client, argv, readOnly):
    # Redis's evalShaCommand refuses a wrong-sized SHA1 before looking at
    # numkeys.
    if len(argv[1]) != 40:
        raise CommandError(errors.NOSCRIPT)
    _checkNumkeys(argv)
    scripting = engine(client.server)
    sha = argv[1].lower()
    entry = scripting.scripts.get(sha)
    if entry is None:
        raise CommandError(errors.NOSCRIPT)
    return scripting.evalScript(client, argv, entry, sha, readOnly)


@command("eval", -3, _EVAL_FLAGS, group="scripting",
         summary="Execute a Lua script server side", since="2.6.0", getKeys=_evalKeys)
def eval_(client, argv):
    return _eval(client, argv, False)


@command("eval_ro", -3, _EVAL_RO_FLAGS, group="scripting",
         summary="Execute a read-only Lua script server side", since="7.0.0", getKeys=_evalKeys)
def evalRo(client, argv):
    return _eval(client, argv, True)


@command("evalsha", -3, _EVAL_FLAGS, group="scripting",
         summary="Execute a Lua script server side", since="2.6.0", getKeys=_evalKeys)
def evalsha(client, argv):
    return _evalsha(client, argv, False)


@command("evalsha_ro", -3, _EVAL_RO_FLAGS, group="scripting",
         summary="Execute a read-only Lua script server side", since="7.0.0", getKeys=_evalKeys)
def evalshaRo(client, argv):
    return _evalsha(client, argv, True)


def _fcall(client, argv, readOnly):
    # Redis's fcallCommandGeneric looks the function up before numkeys.
    scripting = engine(client.server)
    function = scripting.functions.get(argv[1].lower())
    if function is None:
        raise CommandError(errors.FUNCTION_NOT_FOUND)
    if parseInt(argv[2]) is None:
        raise CommandError(errors.FUNCTION_BAD_NUMKEYS)
    _checkNumkeys(argv)
    return scripting.callFunction(client, argv, function, readOnly)


@command("fcall", -3, _EVAL_FLAGS, group="scripting",
         summary="Invoke a function", since="7.0.0", getKeys=_evalKeys)
def fcall(client, argv):
    return _fcall(client, argv, False)


@command("fcall_ro", -3, _EVAL_RO_FLAGS, group="scripting",
         summary="Invoke a read-only function", since="7.0.0", getKeys=_evalKeys)
def fcallRo(client, argv):
    return _fcall(client, argv, True)


# -- SCRIPT -------------------------------------------------------------------


def _checkFlushMode(argv, message):
    # SCRIPT FLUSH and FUNCTION FLUSH take an optional SYNC or ASYNC (both
    # flush at once here).
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise CommandError(message)


container("script", -2, group="scripting", summary="A container for Lua scripts management commands", since="2.6.0")

_SCRIPT_HELP = [
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
]


@command("script|load", 3, ["noscript", "stale"], group="scripting",
         summary="Load the specified Lua script into the script cache.", since="2.6.0")
def scriptLoad(client, argv):
    sha, _ = engine(client.server).compileScript(argv[2])
    return sha


@command("script|exists", -3, ["noscript"], group="scripting",
         summary="Check existence of scripts in the script cache.", since="2.6.0")
def scriptExists(client, argv):
    scripts = engine(client.server).scripts
    return [1 if sha.lower() in scripts else 0 for sha in argv[2:]]


@command("script|flush", -2, ["noscript"], group="scripting",
         summary="Remove all the scripts from the script cache.", since="2.6.0")
def scriptFlush(client, argv):
    _checkFlushMode(argv, errors.SCRIPT_FLUSH_MODE)
    engine(client.server).scripts.clear()
    return OK


@command("script|kill", 2, ["noscript", "allow_busy"], group="scripting",
         summary="Kill the script currently in execution.", since="2.6.0")
def scriptKill(client, argv):
    engine(client.server).kill(True)
    return OK


@command("script|help", 2, ["loading", "stale"], group="scripting",
         summary="Show helpful text about the different subcommands", since="5.0.0")
def scriptHelp(client, argv):
    return [Status(line) for line in _SCRIPT_HELP]


# -- FUNCTION -----------------------------------------------------------------

container("function", -2, group="scripting", summary="A container for function commands", since="7.0.0")

_FUNCTION_HELP = [
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
]


def _changed(client):
    # Library changes count as writes (replicated and in the AOF).
    client.server.store.dirty += 1


@command("function|load", -3, ["write", "denyoom", "noscript"], group="scripting",
         summary="Create a function with the given arguments (name, code, description)", since="7.0.0")
def functionLoad(client, argv):
    replace = False
    index = 2
    while index < len(argv) - 1:
        word = argv[index].lower()
        if word != b"replace":
            raise CommandError(errors.FUNCTION_LOAD_OPTION % (errors.safe(argv[index]),))
        replace = True
        index += 1
    if index != len(argv) - 1:
        raise CommandError(errors.FUNCTION_NO_METADATA)
    name = engine(client.server).loadLibrary(argv[index], replace)
    _changed(client)
    return name


@command("function|delete", 3, ["write", "noscript"], group="scripting",
         summary="Delete a function by name", since="7.0.0")
def functionDelete(client, argv):
    engine(client.server).deleteLibrary(argv[2])
    _changed(client)
    return OK


@command("function|flush", -2, ["write", "noscript"], group="scripting",
         summary="Deleting all functions", since="7.0.0")
def functionFlush(client, argv):
    _checkFlushMode(argv, errors.FUNCTION_FLUSH_MODE)
    engine(client.server).flushLibraries()
    _changed(client)
    return OK


@command("function|list", -2, ["noscript"], group="scripting",
         summary="List information about all the functions", since="7.0.0")
def functionList(client, argv):
    pattern = None
    withCode = False
    index = 2
    while index < len(argv):
        word = argv[index].lower()
        if word == b"withcode":
            withCode = True
        elif word == b"libraryname":
            if index + 1 >= len(argv):
                raise CommandError(errors.FUNCTION_LIST_NO_PATTERN)
            index += 1
            pattern = argv[index]
        else:
            raise CommandError(errors.FUNCTION_LIST_ARGUMENT % (errors.safe(argv[index]),))
        index += 1
    reply = []
    for library in engine(client.server).libraries.values():
        if pattern is not None and not match(pattern, library.name):
            continue
        functions = [
            Map(
                [
                    (b"name", function.name),
                    (b"description", function.description),
                    (b"flags", Set([Status(flag) for flag in _sortedFlags(function.flags)])),
                ]
            )
            for function in library.functions.values()
        ]
        items = [(b"library_name", library.name), (b"engine", b"LUA"), (b"functions", functions)]
        if withCode:
            items.append((b"library_code", library.code))
        reply.append(Map(items))
    return reply


def _sortedFlags(flags):
    from txredisd.scripting import SCRIPT_FLAGS

    return [flag for flag in SCRIPT_FLAGS if flag in flags]


@command("function|dump", 2, ["noscript"], group="scripting",
         summary="Dump all functions into a serialized binary payload", since="7.0.0")
def functionDump(client, argv):
    parts = [bytes((OP_FUNCTION2,)) + encodeString(library.code) for library in engine(client.server).libraries.values()]
    return wrapPayload(b"".join(parts))


@command("function|restore", -3, ["write", "denyoom", "noscript"], group="scripting",
         summary="Restore all the functions on the given payload", since="7.0.0")
def functionRestore(client, argv):
    policy = b"append"
    if len(argv) > 4:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 4:
        policy = argv[3].lower()
        if policy not in (b"flush", b"append", b"replace"):
            raise CommandError(errors.FUNCTION_RESTORE_POLICY)
    payload = argv[2]
    if not verifyPayload(payload):
        raise CommandError(errors.FUNCTION_BAD_PAYLOAD)
    reader = RDBReader(payload[:-10], verifyChecksum=False)
    codes = []
    try:
        while reader.pos < len(reader.data):
            if reader.byte() != OP_FUNCTION2:
                raise CommandError(errors.FUNCTION_RESTORE_BAD_DATA)
            codes.append(reader.string())
    except RDBError:
        raise CommandError(errors.FUNCTION_BAD_PAYLOAD)
    engine(client.server).restoreLibraries(codes, policy)
    _changed(client)
    return OK


@command("function|kill", 2, ["noscript", "allow_busy"], group="scripting",
         summary="Kill the function currently in execution.", since="7.0.0")
def functionKill(client, argv):
    engine(client.server).kill(False)
    return OK


@command("function|stats", 2, ["noscript", "allow_busy"], group="scripting",
         summary="Return information about the function currently running (name, description, duration)", since="7.0.0")
def functionStats(client, argv):
    scripting = engine(client.server)
    run = scripting.running
    if run is not None and run.busy and run.isEval:
        raise CommandError(errors.BUSY_SCRIPT)
    running = None
    if run is not None and not run.isEval:
        running = Map(
            [
                (b"name", run.name.encode("utf-8")),
                (b"command", list(run.argv)),
                (b"duration_ms", int((time.monotonic() - run.start) * 1000)),
            ]
        )
    engines = Map(
        [
            (
                b"LUA",
                Map(
                    [
                        (b"libraries_count", len(scripting.libraries)),
                        (b"functions_count", len(scripting.functions)),
                    ]
                ),
            )
        ]
    )
    return Map([(b"running_script", running), (b"engines", engines)])


@command("function|help", 2, ["loading", "stale"], group="scripting",
         summary="Show helpful text about the different subcommands", since="7.0.0")
def functionHelp(client, argv):
    return [Status(line) for line in _FUNCTION_HELP]


