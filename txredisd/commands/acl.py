"""
The ACL command: users, their rules, the log, the ACL file.
"""

import os

from twisted.logger import Logger

from txredisd import errors
from txredisd.acl import (
    DENIED_CMD,
    DENIED_KEY,
    OK as ALLOWED,
    RuleError,
    User,
    REASONS,
    categoryMembers,
    hasSpaces,
)
from txredisd.errors import CommandError
from txredisd.loglevel import observer as logObserver
from txredisd.numbers import parseInt
from txredisd.registry import ACL_CATEGORIES, COMMANDS, command, container
from txredisd.resp import OK, Map, Set, Status

_log = Logger(observer=logObserver)

container("acl", -2, group="server")

# Redis 7.0's ACL subcommand flags: reading one's own state is harmless,
# everything else is an admin command.
_ADMIN = ["admin", "noscript", "loading", "stale"]
_PLAIN = ["noscript", "loading", "stale"]

_HELP = [
    Status(line)
    for line in (
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    )
]


@command("acl|help", 2, ["loading", "stale"], group="server")
def aclHelp(client, argv):
    return _HELP


@command("acl|setuser", -3, _ADMIN, group="server")
def aclSetuser(client, argv):
    name = argv[2]
    if hasSpaces(name):
        raise CommandError(errors.ACL_USERNAME_SPACES)
    acl = client.server.acl
    user = acl.users.get(name)
    # Rules apply to a copy: all of them, or none (Redis's ACLStringSetUser).
    staged = user.copy() if user is not None else User(name)
    try:
        staged.applyAll(list(argv[3:]))
    except RuleError as e:
        raise CommandError(str(e))
    if user is None:
        user = acl.createUser(name)
    else:
        acl.killPubsubClientsIfNeeded(user, staged, client)
    user.copyFrom(staged)
    if user is acl.default:
        acl.updateAuthRequired()
    return OK


@command("acl|getuser", 3, _ADMIN, group="server")
def aclGetuser(client, argv):
    user = client.server.acl.users.get(argv[2])
    if user is None:
        return None
    root = user.root
    fields = [
        (b"flags", Set(user.flagNames())),
        (b"passwords", list(user.passwords)),
    ]
    fields.extend(_selectorFields(root))
    fields.append((b"selectors", [Map(_selectorFields(s)) for s in user.selectors[1:]]))
    return Map(fields)


def _selectorFields(selector):
    return [
        (b"commands", selector.describeCommands()),
        (b"keys", selector.describeKeys()),
        (b"channels", selector.describeChannels()),
    ]


@command("acl|deluser", -3, _ADMIN, group="server")
def aclDeluser(client, argv):
    names = argv[2:]
    if b"default" in names:
        raise CommandError(errors.ACL_DELETE_DEFAULT)
    acl = client.server.acl
    return sum(acl.deleteUser(name, client) for name in names)


@command("acl|users", 2, _ADMIN, group="server")
def aclUsers(client, argv):
    return sorted(client.server.acl.users)


@command("acl|list", 2, _ADMIN, group="server")
def aclList(client, argv):
    return client.server.acl.listLines()


@command("acl|whoami", 2, _PLAIN, group="server")
def aclWhoami(client, argv):
    return client.aclUser.name


@command("acl|cat", -2, _PLAIN, group="server")
def aclCat(client, argv):
    if len(argv) > 3:
        raise CommandError(errors.aclSubcommandSyntax(argv[1]))
    if len(argv) == 2:
        return [c.encode() for c in ACL_CATEGORIES]
    category = argv[2].lower().decode("latin-1")
    if category not in ACL_CATEGORIES:
        raise CommandError("ERR Unknown category '%s'" % (errors.safe(argv[2])[:128],))
    return [spec.name.encode() for spec in categoryMembers(category)]


@command("acl|dryrun", -4, _ADMIN, group="server")
def aclDryrun(client, argv):
    user = client.server.acl.users.get(argv[2])
    if user is None:
        raise CommandError("ERR User '%s' not found" % (errors.safe(argv[2]),))
    request = argv[3:]
    spec = COMMANDS.get(request[0].lower())
    if spec is not None and spec.subcommands and len(request) > 1:
        spec = spec.subcommands.get(request[1].lower())
    if spec is None:
        raise CommandError("ERR Command '%s' not found" % (errors.safe(request[0]),))
    if not spec.minArgs <= len(request) <= spec.maxArgs:
        raise CommandError(errors.wrongArity(spec.name))
    result, index = user.check(spec, request)
    if result == ALLOWED:
        return OK
    if result == DENIED_CMD:
        return b"This user has no permissions to run the '%s' command" % (spec.name.encode(),)
    kind = b"key" if result == DENIED_KEY else b"channel"
    return b"This user has no permissions to access the '%s' %s" % (request[index], kind)


@command("acl|genpass", -2, _PLAIN, group="server")
def aclGenpass(client, argv):
    if len(argv) > 3:
        raise CommandError(errors.aclSubcommandSyntax(argv[1]))
    bits = 256
    if len(argv) == 3:
        bits = parseInt(argv[2])
        if bits is None:
            raise CommandError(errors.NOT_INTEGER)
        if bits <= 0 or bits > 4096:
            raise CommandError(errors.ACL_GENPASS_BITS)
    chars = (bits + 3) // 4
    return os.urandom((chars + 1) // 2).hex()[:chars].encode("ascii")


@command("acl|log", -2, _ADMIN, group="server")
def aclLog(client, argv):
    if len(argv) > 3:
        raise CommandError(errors.aclSubcommandSyntax(argv[1]))
    acl = client.server.acl
    count = 10
    if len(argv) == 3:
        if argv[2].lower() == b"reset":
            acl.log = []
            return OK
        count = parseInt(argv[2])
        if count is None:
            raise CommandError(errors.NOT_INTEGER)
        count = max(count, 0)
    now = int(client.server.clock.seconds() * 1000)
    return [
        Map(
            [
                (b"count", entry.count),
                (b"reason", REASONS[entry.reason]),
                (b"context", entry.context),
                (b"object", entry.object),
                (b"username", entry.username),
                (b"age-seconds", (now - entry.time) / 1000.0),
                (b"client-info", entry.clientInfo),
            ]
        )
        for entry in acl.log[:count]
    ]


def _aclFile(client):
    path = client.server.config["aclfile"]
    if not path:
        raise CommandError(errors.ACL_NO_FILE)
    return path.decode("utf-8", "surrogateescape")


@command("acl|save", 2, _ADMIN, group="server")
def aclSave(client, argv):
    path = _aclFile(client)
    try:
        client.server.acl.saveFile(path)
    except OSError as e:
        _log.error("Cannot save the ACL file {path}: {error}", path=path, error=e)
        raise CommandError(errors.ACL_SAVE_FAILED)
    return OK


@command("acl|load", 2, _ADMIN, group="server")
def aclLoad(client, argv):
    problems = client.server.acl.loadFile(_aclFile(client), client)
    if problems is not None:
        raise CommandError("ERR " + errors.safe(problems))
    return OK
