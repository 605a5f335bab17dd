"""
The command table, as data.

Each command is declared once, next to its handler, with Redis's arity
convention (positive: exact count, negative: minimum count, both including
the command name), Redis's flag names and its key positions.  C{COMMAND},
ACL categories, key extraction and dispatch all read this one table.
"""

import importlib
import pkgutil

#: Redis's command flags that the table may use, in the order
#: C{addReplyCommandFlags} prints them (COMMAND INFO hides those in
#: L{HIDDEN_FLAGS}).
FLAG_ORDER = (
    "write",
    "readonly",
    "denyoom",
    "module",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "asking",
    "fast",
    "no_auth",
    "may_replicate",
    "sentinel",
    "only_sentinel",
    "no_mandatory_keys",
    "protected",
    "no_async_loading",
    "no_multi",
    "movablekeys",
    "allow_busy",
)
HIDDEN_FLAGS = frozenset(["may_replicate", "sentinel", "only_sentinel", "protected"])
FLAGS = frozenset(FLAG_ORDER)

class _Table(dict):
    """
    The command table: a L{dict} that counts its changes, so that views
    derived from it (L{txredisd.dispatch.plainCommands}) know when to
    rebuild (tests add and remove commands).
    """

    version = 0

    def __setitem__(self, key, value):
        self.version += 1
        dict.__setitem__(self, key, value)

    def __delitem__(self, key):
        self.version += 1
        dict.__delitem__(self, key)

    def pop(self, *args):
        self.version += 1
        return dict.pop(self, *args)


#: Command name (lower-case L{bytes}) to L{CommandSpec}.
COMMANDS = _Table()

#: Redis's C{ACLCommandCategories}, in the order ACL CAT lists them.
ACL_CATEGORIES = (
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
)

# The category the commands of a group have in Redis's JSON files (pub/sub
# commands get @pubsub from their flag: PUBSUB HELP has neither).
_GROUP_CATEGORIES = {
    "generic": "keyspace",
    "string": "string",
    "list": "list",
    "hash": "hash",
    "set": "set",
    "sorted_set": "sortedset",
    "stream": "stream",
    "geo": "geo",
    "hyperloglog": "hyperloglog",
    "bitmap": "bitmap",
    "connection": "connection",
    "transactions": "transaction",
    "scripting": "scripting",
}


#: More arguments than any request can carry.
_UNBOUNDED = 1 << 62


class CommandSpec:
    """
    One command (or subcommand) of the table.

    @ivar name: lower-case L{str}; C{container|sub} for subcommands.
    @ivar arity: Redis's arity.
    @ivar flags: L{frozenset} of flag names.
    @ivar firstKey: position of the first key argument (0: none).
    @ivar lastKey: position of the last key (negative: from the end).
    @ivar step: distance between keys.
    @ivar handler: C{handler(client, argv)} returning a reply, or L{None}
        for a container whose subcommand decides.
    @ivar subcommands: L{dict} of lower-case L{bytes} to L{CommandSpec}.
    @ivar group: Redis's command group (C{string}, C{generic}, ...).
    @ivar getKeys: for commands whose keys are not at fixed positions, a
        function of C{argv} returning the key positions.
    @ivar keyFlags: for commands whose key specs have Redis's
        C{variable_flags}, a function of C{argv} returning the key-spec
        flags (a L{tuple} of names, C{("RO", "access")}) that every key of
        that request has, as Redis's C{getkeys_proc} tells them to ACL
        checks and C{COMMAND GETKEYSANDFLAGS}; else L{None}.
    @ivar keySpecs: Redis 7's key specifications for C{COMMAND INFO}, a
        L{list} of L{dict}s (see L{txredisd.introspection.keySpec}), or
        L{None} to derive one from the key positions and flags.
    @ivar tips: Redis's command tips (C{nondeterministic_output}, ...).
    @ivar batch: for a hot command, C{batch(client, run)} running a run of
        requests of it at once, as L{txredisd.dispatch.runPlain} finds
        them in a pipeline (the same name and argument count, two or
        more): it returns what the protocol writes for them, in order (a
        L{list} of replies, which may join several in one
        L{txredisd.resp.Raw}), exactly as the handler run on each in turn
        would; or L{None}, having changed nothing, and they run one by
        one.  It must not wake blocked clients.  L{None} for most
        commands.
    @ivar docs: further C{COMMAND DOCS} fields (C{complexity},
        C{doc_flags}, C{history}, C{arguments}, ...) as a L{dict}.
    """

    __slots__ = (
        "name",
        "arity",
        "minArgs",
        "maxArgs",
        "flags",
        "firstKey",
        "lastKey",
        "step",
        "handler",
        "subcommands",
        "group",
        "summary",
        "since",
        "getKeys",
        "keyFlags",
        "container",
        "aclCategories",
        "keySpecs",
        "tips",
        "docs",
        "batch",
    )

    def __init__(
        self,
        name,
        arity,
        flags=(),
        firstKey=0,
        lastKey=0,
        step=0,
        handler=None,
        group="generic",
        summary="",
        since="1.0.0",
        getKeys=None,
        keyFlags=None,
        container=None,
        aclCategories=(),
        keySpecs=None,
        tips=(),
        docs=None,
        batch=None,
    ):
        unknown = set(flags) - FLAGS
        if unknown:
            raise ValueError("unknown flags %r for %s" % (unknown, name))
        self.name = name
        self.arity = arity
        # The arity as the range of argument counts it allows.
        self.minArgs = abs(arity)
        self.maxArgs = arity if arity > 0 else _UNBOUNDED
        self.flags = frozenset(flags)
        self.firstKey = firstKey
        self.lastKey = lastKey
        self.step = step if step or not firstKey else 1
        self.handler = handler
        self.subcommands = {}
        self.group = group
        self.summary = summary
        self.since = since
        self.getKeys = getKeys
        self.keyFlags = keyFlags
        self.container = container
        self.aclCategories = tuple(aclCategories)
        self.keySpecs = keySpecs
        self.tips = tuple(tips)
        self.docs = docs if docs is not None else {}
        self.batch = batch

    def __repr__(self):
        return "<CommandSpec %s>" % (self.name,)

    def keyPositions(self, argv):
        """
        The positions of the key arguments in C{argv}.

        @return: a L{list} of L{int}.
        """
        if self.getKeys is not None:
            return self.getKeys(argv)
        if not self.firstKey:
            return []
        last = self.lastKey
        if last < 0:
            last = len(argv) + last
        return list(range(self.firstKey, min(last, len(argv) - 1) + 1, self.step))

    def keys(self, argv):
        """
        The key arguments of C{argv}.
        """
        return [argv[i] for i in self.keyPositions(argv)]


def command(name, arity, flags=(), firstKey=0, lastKey=0, step=0, **kwargs):
    """
    Declare a command (or C{container|sub} subcommand) and its handler.

    @return: a decorator registering C{handler(client, argv)}.
    """

    def decorator(handler):
        register(
            CommandSpec(
                name,
                arity,
                flags,
                firstKey,
                lastKey,
                step,
                handler=handler,
                **kwargs
            )
        )
        return handler

    return decorator


def container(name, arity=-2, flags=(), **kwargs):
    """
    Declare a command whose work is done by its subcommands (C{CLIENT},
    C{CONFIG}, ...).
    """
    return register(CommandSpec(name, arity, flags, **kwargs))


def register(spec):
    """
    Add a spec to the table.

    @return: C{spec}.
    """
    if "|" in spec.name:
        parent, sub = spec.name.split("|", 1)
        spec.container = COMMANDS[parent.encode("ascii")]
        spec.container.subcommands[sub.encode("ascii")] = spec
    else:
        COMMANDS[spec.name.encode("ascii")] = spec
    return spec


def lookup(argv):
    """
    The spec for a request, descending into subcommands.

    @return: the L{CommandSpec}, or L{None}.
    """
    spec = COMMANDS.get(argv[0].lower())
    if spec is not None and spec.subcommands and len(argv) > 1:
        return spec.subcommands.get(argv[1].lower(), spec)
    return spec


_loaded = False


def loadCommands():
    """
    Import every module of L{txredisd.commands} so their commands register.
    """
    global _loaded
    if _loaded:
        return COMMANDS
    import txredisd.commands as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        importlib.import_module("txredisd.commands." + info.name)
    _loaded = True
    return COMMANDS


def aclCategories(spec):
    """
    The ACL categories of a command, as Redis's C{setImplicitACLCategories}
    derives them from its flags, plus those it declares or, when it
    declares none, its group's (a container without a handler has none):
    C{WAIT} is in the generic group but not in C{@keyspace}.

    @return: a L{list} of category names in Redis's order.
    """
    flags = spec.flags
    categories = set(spec.aclCategories)
    if not categories and (spec.handler is not None or not spec.subcommands):
        group = _GROUP_CATEGORIES.get(spec.group)
        if group is not None:
            categories.add(group)
    if "write" in flags:
        categories.add("write")
    if "readonly" in flags and "scripting" not in categories:
        categories.add("read")
    if "admin" in flags:
        categories.update(("admin", "dangerous"))
    if "pubsub" in flags:
        categories.add("pubsub")
    if "fast" in flags:
        categories.add("fast")
    if "blocking" in flags:
        categories.add("blocking")
    if "fast" not in categories:
        categories.add("slow")
    return [c for c in ACL_CATEGORIES if c in categories]


def allSpecs():
    """
    Every command and subcommand of the table, each container followed by
    its subcommands.

    @return: a L{list} of L{CommandSpec}.
    """
    specs = []
    for spec in COMMANDS.values():
        specs.append(spec)
        specs.extend(spec.subcommands.values())
    return specs
