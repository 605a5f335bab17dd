"""
Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH and
CLIENT.
"""

import txredisd
from txredisd import errors
from txredisd.commands.server import helpSubcommand
from txredisd.errors import CommandError
from txredisd.introspection import arg
from txredisd.numbers import parseInt
from txredisd.registry import command, container
from txredisd.resp import OK, PONG, Map, Raw, Verbatim

_RESET = Raw(b"+RESET\r\n")


@command(
    "ping",
    -1,
    ["fast", "sentinel"],
    group="connection",
    tips=("request_policy:all_shards", "response_policy:all_succeeded"),
    summary="Ping the server",
    docs={"complexity": "O(1)", "arguments": [arg("message", "string", flags="optional")]},
)
def ping(client, argv):
    if len(argv) > 2:
        raise CommandError(errors.wrongArity("ping"))
    if client.subscriptions and not client.resp3:
        # RESP2 subscribed clients get PING's answer as a pub/sub frame.
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    if len(argv) == 2:
        return argv[1]
    return PONG


@command(
    "echo",
    2,
    ["loading", "stale", "fast"],
    group="connection",
    summary="Echo the given string",
    docs={"complexity": "O(1)", "arguments": [arg("message", "string")]},
)
def echo(client, argv):
    return argv[1]


@command(
    "select",
    2,
    ["loading", "stale", "fast"],
    group="connection",
    summary="Change the selected database for the current connection",
    docs={"complexity": "O(1)", "arguments": [arg("index", "integer")]},
)
def select(client, argv):
    index = parseInt(argv[1])
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 <= index < len(client.server.store.databases):
        raise CommandError(errors.DB_INDEX)
    client.select(index)
    return OK


_HANDSHAKE_FLAGS = ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"]


@command(
    "quit",
    -1,
    _HANDSHAKE_FLAGS,
    group="connection",
    summary="Close the connection",
    docs={"complexity": "O(1)"},
)
def quit(client, argv):
    client.closeAfterReply = True
    return OK


@command(
    "reset",
    1,
    _HANDSHAKE_FLAGS,
    group="connection",
    summary="Reset the connection",
    since="6.2.0",
    docs={"complexity": "O(1)"},
)
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


@command(
    "auth",
    -2,
    _HANDSHAKE_FLAGS,
    group="connection",
    summary="Authenticate to the server",
    docs={
        "complexity": "O(N) where N is the number of passwords defined for the user",
        "history": [("6.0.0", "Added ACL style (username and password).")],
        "arguments": [arg("username", "string", since="6.0.0", flags="optional"), arg("password", "string")],
    },
)
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


@command(
    "hello",
    -1,
    _HANDSHAKE_FLAGS,
    group="connection",
    summary="Handshake with Redis",
    since="6.0.0",
    docs={
        "complexity": "O(1)",
        "history": [
            (
                "6.2.0",
                "`protover` made optional; when called without arguments the "
                "command reports the current connection's context.",
            )
        ],
        "arguments": [
            arg(
                "arguments",
                "block",
                flags="optional",
                args=[
                    arg("protover", "integer"),
                    arg(
                        "username_password",
                        "block",
                        token="AUTH",
                        flags="optional",
                        args=[arg("username", "string"), arg("password", "string")],
                    ),
                    arg("clientname", "string", token="SETNAME", flags="optional"),
                ],
            )
        ],
    },
)
def hello(client, argv):
    version = None
    i = 1
    if len(argv) > 1:
        version = parseInt(argv[1])
        if version is None:
            raise CommandError(errors.PROTOCOL_VERSION)
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
            raise CommandError(errors.HELLO_SYNTAX.format(errors.safe(argv[i])))
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


# --- CLIENT --------------------------------------------------------------------

container(
    "client",
    -2,
    group="connection",
    summary="A container for client connection commands",
    since="2.4.0",
    docs={"complexity": "Depends on subcommand."},
)

_CLIENT_FLAGS = ["noscript", "loading", "stale"]
_CLIENT_ADMIN_FLAGS = ["admin", "noscript", "loading", "stale"]
_O1 = {"complexity": "O(1)"}


@command(
    "client|id",
    2,
    _CLIENT_FLAGS,
    summary="Returns the client ID for the current connection",
    since="5.0.0",
    group="connection",
    docs=_O1,
)
def clientId(client, argv):
    return client.id


@command(
    "client|setname",
    3,
    _CLIENT_FLAGS,
    summary="Set the current connection name",
    since="2.6.9",
    group="connection",
    docs=dict(_O1, arguments=[arg("connection-name", "string")]),
)
def clientSetname(client, argv):
    name = argv[2]
    validateClientName(name)
    # An empty name removes the name, as in Redis.
    client.name = name or None
    return OK


@command(
    "client|getname",
    2,
    _CLIENT_FLAGS,
    summary="Get the current connection name",
    since="2.6.9",
    group="connection",
    docs=_O1,
)
def clientGetname(client, argv):
    return client.name


@command(
    "client|no-evict",
    3,
    _CLIENT_ADMIN_FLAGS,
    group="connection",
    summary="Set client eviction mode for the current connection",
    since="7.0.0",
    docs=dict(
        _O1,
        arguments=[
            arg("enabled", "oneof", args=[arg("on", "pure-token", token="ON"), arg("off", "pure-token", token="OFF")])
        ],
    ),
)
def clientNoEvict(client, argv):
    # Nothing here evicts clients; the mode is kept for CLIENT LIST's "e".
    mode = argv[2].lower()
    if mode == b"on":
        client.flags.add("no-evict")
    elif mode == b"off":
        client.flags.discard("no-evict")
    else:
        raise CommandError(errors.SYNTAX)
    return OK


@command(
    "client|unblock",
    -3,
    _CLIENT_ADMIN_FLAGS,
    group="connection",
    summary="Unblock a client blocked in a blocking command from a different connection",
    since="5.0.0",
    docs={
        "complexity": "O(log N) where N is the number of client connections",
        "arguments": [
            arg("client-id", "integer"),
            arg(
                "timeout_error",
                "oneof",
                flags="optional",
                args=[arg("timeout", "pure-token", token="TIMEOUT"), arg("error", "pure-token", token="ERROR")],
            ),
        ],
    },
)
def clientUnblock(client, argv):
    if len(argv) > 4:
        # Redis's catch-all for a known subcommand with too many arguments.
        raise CommandError(errors.CLIENT_SUBCOMMAND_ARGS.format(errors.safe(argv[1])))
    error = False
    if len(argv) == 4:
        reason = argv[3].lower()
        if reason not in (b"timeout", b"error"):
            raise CommandError(errors.UNBLOCK_REASON)
        error = reason == b"error"
    clientId = parseInt(argv[2])
    if clientId is None:
        raise CommandError(errors.NOT_INTEGER)
    target = client.server.clients.get(clientId)
    # The blocking manager answers the blocked client (its timeout reply,
    # or the UNBLOCKED error) and says whether it was blocked.
    unblock = getattr(getattr(client.server, "blocking", None), "unblock", None)
    if target is None or target.closed or unblock is None:
        return 0
    return 1 if unblock(target, error) else 0


@command(
    "client|pause",
    -3,
    _CLIENT_ADMIN_FLAGS,
    group="connection",
    summary="Stop processing commands from clients for some time",
    since="2.9.50",
    docs={
        "complexity": "O(1)",
        "history": [("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")],
        "arguments": [
            arg("timeout", "integer"),
            arg(
                "mode",
                "oneof",
                since="6.2.0",
                flags="optional",
                args=[arg("write", "pure-token", token="WRITE"), arg("all", "pure-token", token="ALL")],
            ),
        ],
    },
)
def clientPause(client, argv):
    if len(argv) > 4:
        raise CommandError(errors.CLIENT_SUBCOMMAND_ARGS.format(errors.safe(argv[1])))
    mode = "all"
    if len(argv) == 4:
        word = argv[3].lower()
        if word == b"write":
            mode = "write"
        elif word != b"all":
            raise CommandError(errors.PAUSE_MODE)
    # Redis's getTimeoutFromObjectOrReply in milliseconds.
    timeout = parseInt(argv[2])
    if timeout is None:
        raise CommandError(errors.PAUSE_TIMEOUT)
    if timeout < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    server = client.server
    now = server.clock.seconds()
    if timeout > (1 << 63) - 1 - int(now * 1000):
        # Redis 7.0's deadline wraps negative: the pause is over at once.
        timeout = 0
    server.clientPause.pause(now + timeout / 1000.0, mode)
    return OK


@command(
    "client|unpause",
    2,
    _CLIENT_ADMIN_FLAGS,
    group="connection",
    summary="Resume processing of clients that were paused",
    since="6.2.0",
    docs={"complexity": "O(N) Where N is the number of paused clients"},
)
def clientUnpause(client, argv):
    client.server.clientPause.unpause()
    return OK


def clientType(client):
    """
    The type CLIENT LIST TYPE and CLIENT KILL TYPE filter on, as Redis's
    C{getClientType}: C{master}, C{replica}, C{pubsub} or C{normal}.
    """
    if client.kind == "master":
        return "master"
    if client.kind in ("replica", "slave"):
        return "replica"
    if client.subscriptions:
        return "pubsub"
    return "normal"


def _parseClientType(name):
    lowered = name.lower()
    if lowered == b"slave":
        lowered = b"replica"
    if lowered not in (b"normal", b"master", b"replica", b"pubsub"):
        raise CommandError(errors.UNKNOWN_CLIENT_TYPE.format(errors.safe(name)))
    return lowered.decode()


def _clientFlags(client):
    # Redis's getClientInfoString flag letters, in its order.
    letters = []
    kind = clientType(client)
    if client.monitor:
        letters.append("O")
    elif kind == "replica":
        letters.append("S")
    elif kind == "master":
        letters.append("M")
    if client.subscriptions:
        letters.append("P")
    if client.multi is not None:
        letters.append("x")
    isBlocked = getattr(getattr(client.server, "blocking", None), "isBlocked", None)
    if isBlocked(client) if isBlocked is not None else getattr(client, "blocked", None) is not None:
        letters.append("b")
    if client.watchDirty:
        letters.append("d")
    if client.closeAfterReply:
        letters.append("c")
    if client.transport is not None and not hasattr(client.transport.getPeer(), "host"):
        letters.append("U")
    if "readonly" in client.flags:
        letters.append("r")
    if "no-evict" in client.flags:
        letters.append("e")
    return "".join(letters) or "N"


def _subscriptionCounts(client):
    # The pub/sub machinery knows each client's channels, patterns and
    # shard channels; without it, the client's total stands for channels.
    counts = getattr(getattr(client.server, "pubsub", None), "counts", None)
    if counts is not None:
        return counts(client)
    return (client.subscriptions, 0, 0)


def _fileno(transport):
    try:
        return transport.fileno()
    except (AttributeError, NotImplementedError, OSError):
        return -1


def clientInfo(client, now):
    """
    One line of CLIENT LIST, with Redis 7.0's fields in Redis's order.

    Buffer sizes (C{qbuf}, C{rbs}, C{omem}, C{tot-mem}, ...) belong to
    Redis's own buffers, which this server does not have: they read 0.

    @param now: the time in seconds.
    @return: L{bytes}, without the newline.
    """
    command = client.lastCommand
    if isinstance(command, bytes):
        command = command.decode("utf-8", "replace")
    name = client.name.decode("utf-8", "replace") if client.name else ""
    channels, patterns, shardChannels = _subscriptionCounts(client)
    fields = [
        ("id", client.id),
        ("addr", client.address),
        ("laddr", client.localAddress),
        ("fd", _fileno(client.transport) if client.transport is not None else -1),
        ("name", name),
        ("age", int(now - client.createdAt)),
        ("idle", int(now - client.lastInteraction)),
        ("flags", _clientFlags(client)),
        ("db", client.dbIndex),
        ("sub", channels),
        ("psub", patterns),
        ("ssub", shardChannels),
        ("multi", -1 if client.multi is None else len(client.multi)),
        ("qbuf", 0),
        ("qbuf-free", 0),
        ("argv-mem", 0),
        ("multi-mem", 0),
        ("rbs", 0),
        ("rbp", 0),
        ("obl", 0),
        ("oll", 0),
        ("omem", 0),
        ("tot-mem", 0),
        ("events", "r"),
        ("cmd", command),
        ("user", client.user.decode("utf-8", "replace")),
        ("redir", -1),
        ("resp", 3 if client.resp3 else 2),
    ]
    return " ".join("%s=%s" % field for field in fields).encode("utf-8")


@command(
    "client|info",
    2,
    _CLIENT_FLAGS,
    group="connection",
    tips=("nondeterministic_output",),
    summary="Returns information about the current client connection.",
    since="6.2.0",
    docs={"complexity": "O(1)"},
)
def clientInfoCommand(client, argv):
    return Verbatim(clientInfo(client, client.server.clock.seconds()) + b"\n")


@command(
    "client|list",
    -2,
    _CLIENT_ADMIN_FLAGS,
    group="connection",
    tips=("nondeterministic_output",),
    summary="Get the list of client connections",
    since="2.4.0",
    docs={
        "complexity": "O(N) where N is the number of client connections",
        "history": [
            ("2.8.12", "Added unique client `id` field."),
            ("5.0.0", "Added optional `TYPE` filter."),
            ("6.0.0", "Added `user` field."),
            ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
            ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
            ("7.0.3", "Added `ssub` field."),
        ],
        "arguments": [
            arg(
                "normal_master_replica_pubsub",
                "oneof",
                token="TYPE",
                since="5.0.0",
                flags="optional",
                args=[
                    arg("normal", "pure-token", token="NORMAL"),
                    arg("master", "pure-token", token="MASTER"),
                    arg("replica", "pure-token", token="REPLICA"),
                    arg("pubsub", "pure-token", token="PUBSUB"),
                ],
            ),
            arg(
                "id",
                "block",
                token="ID",
                since="6.2.0",
                flags="optional",
                args=[arg("client-id", "integer", flags="multiple")],
            ),
        ],
    },
)
def clientList(client, argv):
    clients = client.server.clients
    if len(argv) == 4 and argv[2].lower() == b"type":
        kind = _parseClientType(argv[3])
        chosen = [c for c in clients.values() if not c.closed and clientType(c) == kind]
    elif len(argv) > 3 and argv[2].lower() == b"id":
        ids = []
        for text in argv[3:]:
            value = parseInt(text)
            if value is None:
                raise CommandError(errors.INVALID_CLIENT_ID)
            ids.append(value)
        # Redis answers in the order the ids were given.
        chosen = [clients[i] for i in ids if i in clients and not clients[i].closed]
    elif len(argv) != 2:
        raise CommandError(errors.SYNTAX)
    else:
        chosen = [c for c in clients.values() if not c.closed]
    now = client.server.clock.seconds()
    return Verbatim(b"".join(clientInfo(c, now) + b"\n" for c in chosen))


def _knownUser(server, name):
    # The ACL family may keep users; without it only "default" exists.
    users = getattr(server, "users", None)
    if users is not None:
        return name in users
    return name == b"default"


@command(
    "client|kill",
    -3,
    _CLIENT_ADMIN_FLAGS,
    group="connection",
    summary="Kill the connection of a client",
    since="2.4.0",
    docs={
        "complexity": "O(N) where N is the number of client connections",
        "history": [
            ("2.8.12", "Added new filter format."),
            ("2.8.12", "`ID` option."),
            ("3.2.0", "Added `master` type in for `TYPE` option."),
            (
                "5.0.0",
                "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.",
            ),
            ("6.2.0", "`LADDR` option."),
        ],
        "arguments": [
            arg(
                "filter",
                "oneof",
                args=[
                    arg("ip:port", "string", deprecatedSince="2.8.12"),
                    arg(
                        "new-format",
                        "oneof",
                        flags="multiple",
                        args=[
                            arg("client-id", "integer", token="ID", since="2.8.12", flags="optional"),
                            arg(
                                "normal_master_slave_pubsub",
                                "oneof",
                                token="TYPE",
                                since="2.8.12",
                                flags="optional",
                                args=[
                                    arg("normal", "pure-token", token="NORMAL"),
                                    arg("master", "pure-token", token="MASTER", since="3.2.0"),
                                    arg("slave", "pure-token", token="SLAVE"),
                                    arg("replica", "pure-token", token="REPLICA", since="5.0.0"),
                                    arg("pubsub", "pure-token", token="PUBSUB"),
                                ],
                            ),
                            arg("username", "string", token="USER", flags="optional"),
                            arg("ip:port", "string", token="ADDR", flags="optional"),
                            arg("ip:port", "string", token="LADDR", since="6.2.0", flags="optional"),
                            arg("yes/no", "string", token="SKIPME", flags="optional"),
                        ],
                    ),
                ],
            )
        ],
    },
)
def clientKill(client, argv):
    server = client.server
    addr = laddr = kind = user = None
    clientId = 0
    # The old form (CLIENT KILL addr) may kill the caller; filters skip it
    # unless SKIPME no.
    oldForm = len(argv) == 3
    skipMe = not oldForm
    if oldForm:
        addr = argv[2]
    else:
        i = 2
        while i < len(argv):
            option = argv[i].lower()
            if i + 1 >= len(argv):
                raise CommandError(errors.SYNTAX)
            value = argv[i + 1]
            if option == b"id":
                clientId = parseInt(value)
                if clientId is None or clientId < 1:
                    raise CommandError(errors.CLIENT_ID_NOT_POSITIVE)
            elif option == b"type":
                kind = _parseClientType(value)
            elif option == b"addr":
                addr = value
            elif option == b"laddr":
                laddr = value
            elif option == b"user":
                if not _knownUser(server, value):
                    raise CommandError(errors.NO_SUCH_USER.format(errors.safe(value)))
                user = value
            elif option == b"skipme":
                if value.lower() == b"yes":
                    skipMe = True
                elif value.lower() == b"no":
                    skipMe = False
                else:
                    raise CommandError(errors.SYNTAX)
            else:
                raise CommandError(errors.SYNTAX)
            i += 2
    victims = []
    for other in list(server.clients.values()):
        if other.closed:
            continue
        if addr is not None and other.address.encode() != addr:
            continue
        if laddr is not None and other.localAddress.encode() != laddr:
            continue
        if kind is not None and clientType(other) != kind:
            continue
        if clientId and other.id != clientId:
            continue
        if user is not None and other.user != user:
            continue
        if other is client and skipMe:
            continue
        victims.append(other)
    for other in victims:
        if other is client:
            # After the reply, as Redis's CLIENT_CLOSE_AFTER_REPLY.
            client.closeAfterReply = True
        else:
            # Redis frees the client at once: it takes no more commands and
            # no longer appears to CLIENT LIST or KILL.
            other.close()
            other.closed = True
    if oldForm:
        if not victims:
            raise CommandError(errors.NO_SUCH_CLIENT)
        return OK
    return len(victims)


_CLIENT_HELP = [
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
]

helpSubcommand("client", _CLIENT_HELP, group="connection")
