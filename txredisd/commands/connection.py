"""
Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH.
"""

import txredisd
from txredisd import errors
from txredisd.errors import CommandError
from txredisd.numbers import parseInt
from txredisd.registry import command
from txredisd.resp import OK, PONG, Map, Raw, Status

_RESET = Raw(b"+RESET\r\n")


@command("ping", -1, ["fast", "sentinel"], group="connection")
def ping(client, argv):
    if len(argv) > 2:
        raise CommandError(errors.wrongArity("ping"))
    if client.subscriptions and not client.resp3:
        # RESP2 subscribed clients get PING's answer as a pub/sub frame.
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    if len(argv) == 2:
        return argv[1]
    return PONG


@command("echo", 2, ["fast"], group="connection")
def echo(client, argv):
    return argv[1]


@command("select", 2, ["loading", "stale", "fast"], group="connection")
def select(client, argv):
    index = parseInt(argv[1])
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 <= index < len(client.server.store.databases):
        raise CommandError(errors.DB_INDEX)
    client.select(index)
    return OK


@command("quit", -1, ["allow_busy", "no_auth", "fast"], group="connection")
def quit(client, argv):
    client.closeAfterReply = True
    return OK


@command("reset", 1, ["noscript", "loading", "stale", "no_auth", "allow_busy", "fast"], group="connection")
def reset(client, argv):
    server = client.server
    for hook in server.resetHooks:
        hook(client)
    client.multi = None
    client.multiError = False
    if client.watchedKeys:
        server.store.unwatchAll(client)
    client.select(0)
    client.resp3 = False
    client.name = None
    # Redis's clientSetDefaultAuth.
    acl = server.acl
    client.aclUser = acl.default
    client.user = b"default"
    client.authenticated = not acl.authRequired
    return _RESET


@command("auth", -2, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], group="connection")
def auth(client, argv):
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    acl = client.server.acl
    if len(argv) == 2:
        # The old one-argument form fails when it cannot matter.
        if acl.default.nopass:
            raise CommandError(errors.AUTH_NOT_SET)
        user, password = b"default", argv[1]
    else:
        user, password = argv[1], argv[2]
    if not acl.authenticate(client, user, password, argv[0]):
        raise CommandError(errors.WRONGPASS)
    return OK


def helloFields(client):
    """
    The map HELLO answers.
    """
    server = client.server
    return Map(
        [
            (b"server", b"redis"),
            (b"version", txredisd.redisVersion.encode()),
            (b"proto", 3 if client.resp3 else 2),
            (b"id", client.id),
            (b"mode", b"standalone"),
            (b"role", b"replica" if server.readOnlyReplica else b"master"),
            (b"modules", []),
        ]
    )


@command("hello", -1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], group="connection")
def hello(client, argv):
    version = None
    i = 1
    if len(argv) > 1:
        version = parseInt(argv[1])
        if version is None:
            raise CommandError("ERR Protocol version is not an integer or out of range")
        if version not in (2, 3):
            raise CommandError(errors.NOPROTO)
        i = 2
    user = password = name = None
    while i < len(argv):
        option = argv[i].lower()
        more = len(argv) - i - 1
        if option == b"auth" and more >= 2:
            user, password = argv[i + 1], argv[i + 2]
            i += 3
        elif option == b"setname" and more >= 1:
            name = argv[i + 1]
            i += 2
        else:
            raise CommandError("ERR Syntax error in HELLO option '%s'" % (errors.safe(argv[i]),))
    acl = client.server.acl
    if user is not None:
        if not acl.authenticate(client, user, password, argv[0]):
            raise CommandError(errors.WRONGPASS)
    elif not client.authenticated and acl.authRequired:
        raise CommandError(errors.HELLO_NOAUTH)
    if name is not None:
        validateClientName(name)
        client.name = name or None
    if version is not None:
        client.resp3 = version == 3
    return helloFields(client)


def validateClientName(name):
    """
    Refuse names CLIENT LIST could not show (spaces, control characters).

    @raise CommandError: with Redis's text.
    """
    for byte in name:
        if byte < 0x21 or byte > 0x7E:
            raise CommandError(errors.CLIENT_NAME)
