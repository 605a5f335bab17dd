"""
The server's parameters, in one table.

The same L{Parameter} entries serve the command-line options of
L{txredisd.tap}, the C{redis.conf}-style file and C{CONFIG GET/SET}.  Values
are kept parsed; L{Parameter.render} gives the text CONFIG GET shows.
"""

import fnmatch

from txredisd import errors
from txredisd.numbers import parseInt

_UNITS = {
    b"": 1,
    b"b": 1,
    b"k": 1000,
    b"kb": 1024,
    b"m": 1000**2,
    b"mb": 1024**2,
    b"g": 1000**3,
    b"gb": 1024**3,
}


class ConfigError(ValueError):
    """
    A value a parameter does not accept; the text follows Redis's
    C{CONFIG SET failed (possibly related to argument ...) - } prefix.
    """


def parseMemory(text):
    """
    Parse a memory amount as Redis does (C{1gb}, C{100mb}, C{5k}, C{1024}).

    @param text: L{bytes}.
    @return: L{int} bytes.
    @raise ConfigError: not a memory amount.
    """
    lowered = text.lower()
    digits = lowered.rstrip(b"kmgb")
    unit = lowered[len(digits):]
    value = parseInt(digits) if digits else None
    # Redis's memtoull takes no sign: a negative amount is no memory value.
    if value is None or value < 0 or unit not in _UNITS:
        raise ConfigError("argument must be a memory value")
    return value * _UNITS[unit]


class Parameter:
    """
    One configuration parameter.

    @ivar name: the canonical name (L{str}).
    @ivar kind: C{string}, C{int}, C{bool}, C{memory}, C{enum} or C{list}.
    @ivar default: the parsed default value.
    @ivar mutable: whether CONFIG SET may change it at run time.
    @ivar choices: for C{enum}, the accepted words.
    @ivar minimum: for numbers, the smallest accepted value.
    @ivar maximum: for numbers, the largest accepted value.
    @ivar aliases: other names (C{slaveof} for C{replicaof}).
    @ivar merge: for parameters whose value sets only part of the setting
        (C{client-output-buffer-limit <class> ...}), a function of the
        current and the parsed value giving the new one, else L{None}.
    @ivar protected: CONFIG SET may change it only as
        C{enable-protected-configs} allows (Redis's C{PROTECTED_CONFIG}).
    """

    def __init__(
        self,
        name,
        kind,
        default,
        mutable=True,
        choices=(),
        minimum=None,
        maximum=None,
        aliases=(),
        parse=None,
        render=None,
        merge=None,
        protected=False,
    ):
        self.name = name
        self.protected = protected
        self.kind = kind
        self.default = default
        self.mutable = mutable
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.aliases = aliases
        self._parse = parse
        self._render = render
        self.merge = merge

    def parse(self, text):
        """
        @param text: the value as L{bytes}.
        @return: the parsed value.
        @raise ConfigError: the value is refused, with Redis's reason.
        """
        if self._parse is not None:
            return self._parse(text)
        kind = self.kind
        if kind == "string":
            return text
        if kind == "bool":
            lowered = text.lower()
            if lowered == b"yes":
                return True
            if lowered == b"no":
                return False
            raise ConfigError("argument must be 'yes' or 'no'")
        if kind == "enum":
            lowered = text.lower()
            if lowered not in self.choices:
                raise ConfigError(
                    "argument(s) must be one of the following: "
                    + ", ".join(c.decode() for c in self.choices)
                )
            return lowered
        if kind in ("int", "memory"):
            if kind == "memory":
                value = parseMemory(text)
            else:
                value = parseInt(text)
                if value is None:
                    raise ConfigError("argument couldn't be parsed into an integer")
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise ConfigError(
                    "argument must be between %d and %d inclusive"
                    % (self.minimum, self.maximum)
                )
            return value
        raise AssertionError(kind)

    def render(self, value):
        """
        @return: the value as CONFIG GET shows it (L{bytes}).
        """
        if self._render is not None:
            return self._render(value)
        if self.kind == "bool":
            return b"yes" if value else b"no"
        if isinstance(value, int):
            return b"%d" % (value,)
        return value


def _renderSave(points):
    return b" ".join(b"%d %d" % point for point in points)


def _parseSave(text):
    words = text.split()
    if len(words) % 2:
        raise ConfigError("Invalid save parameters")
    points = []
    for i in range(0, len(words), 2):
        seconds, changes = parseInt(words[i]), parseInt(words[i + 1])
        if seconds is None or changes is None or seconds < 1 or changes < 0:
            raise ConfigError("Invalid save parameters")
        points.append((seconds, changes))
    return points


def _parseReplicaOf(text):
    words = text.split()
    if len(words) != 2:
        raise ConfigError("argument must be 'host port' or 'no one'")
    if [w.lower() for w in words] == [b"no", b"one"]:
        return None
    port = parseInt(words[1])
    if port is None or not 0 < port < 65536:
        raise ConfigError("Invalid master port")
    return (words[0], port)


def _renderReplicaOf(value):
    return b"" if value is None else b"%s %d" % value


#: Keyspace notification classes (Redis's NOTIFY_* flags) by their letter.
NOTIFY_BITS = {
    "K": 1 << 0,
    "E": 1 << 1,
    "g": 1 << 2,
    "$": 1 << 3,
    "l": 1 << 4,
    "s": 1 << 5,
    "h": 1 << 6,
    "z": 1 << 7,
    "x": 1 << 8,
    "e": 1 << 9,
    "t": 1 << 10,
    "m": 1 << 11,
    "d": 1 << 12,
    "n": 1 << 13,
}
#: What C{A} stands for: every class but key misses and new keys.
_NOTIFY_ALL = sum(NOTIFY_BITS[c] for c in "g$lshzxetd")


def parseNotifyFlags(text):
    """
    Parse C{notify-keyspace-events} as Redis's
    C{keyspaceEventsStringToFlags}.

    @param text: L{bytes} such as C{b"KEA"}.
    @return: the flags as an L{int}.
    @raise ConfigError: a character that is no class.
    """
    flags = 0
    for char in text.decode("latin-1"):
        if char == "A":
            flags |= _NOTIFY_ALL
            continue
        bit = NOTIFY_BITS.get(char)
        if bit is None:
            raise ConfigError(errors.NOTIFY_CLASSES)
        flags |= bit
    return flags


def renderNotifyFlags(flags):
    """
    Render flags as CONFIG GET shows them (Redis's
    C{keyspaceEventsFlagsToString}: classes in a fixed order, C{A} when all
    are on, then C{K}, C{E} and C{m}).

    @return: L{bytes}.
    """
    if flags & _NOTIFY_ALL == _NOTIFY_ALL:
        out = "A"
    else:
        out = "".join(c for c in "g$lshzxetdn" if flags & NOTIFY_BITS[c])
    out += "".join(c for c in "KEm" if flags & NOTIFY_BITS[c])
    return out.encode("latin-1")


#: Client output buffer limit classes as Redis names them (C{replica} is
#: an alias of C{slave}; C{master} has no limits to set).
_OBUF_CLASSES = {b"normal": "normal", b"slave": "replica", b"replica": "replica", b"pubsub": "pubsub"}


def parseOutputBufferLimits(text):
    """
    Parse C{client-output-buffer-limit} as Redis's
    C{setConfigClientOutputBufferLimitOption}: groups of C{<class> <hard>
    <soft> <soft seconds>}, all checked before any applies.

    @param text: L{bytes}.
    @return: a L{dict} of the classes given, each to C{(hard, soft,
        seconds)}; L{mergeOutputBufferLimits} applies it.
    @raise ConfigError: with Redis's texts.
    """
    words = text.split()
    if len(words) % 4:
        raise ConfigError(errors.OBUF_ARGUMENTS)
    limits = {}
    for i in range(0, len(words), 4):
        name = _OBUF_CLASSES.get(words[i].lower())
        if name is None:
            raise ConfigError(errors.OBUF_CLASS)
        try:
            hard = parseMemory(words[i + 1])
            soft = parseMemory(words[i + 2])
        except ConfigError:
            raise ConfigError(errors.OBUF_VALUES)
        seconds = parseInt(words[i + 3])
        if seconds is None or hard < 0 or soft < 0 or seconds < 0:
            raise ConfigError(errors.OBUF_VALUES)
        limits[name] = (hard, soft, seconds)
    return limits


def mergeOutputBufferLimits(current, given):
    """
    @return: C{current} with the classes in C{given} replaced.
    """
    merged = dict(current)
    merged.update(given)
    return merged


def renderOutputBufferLimits(limits):
    """
    @return: the limits as CONFIG GET shows them (L{bytes}).
    """
    return b" ".join(
        b"%s %d %d %d" % ((label,) + limits[name])
        for label, name in ((b"normal", "normal"), (b"slave", "replica"), (b"pubsub", "pubsub"))
    )


_POLICIES = (
    b"volatile-lru",
    b"volatile-lfu",
    b"volatile-random",
    b"volatile-ttl",
    b"allkeys-lru",
    b"allkeys-lfu",
    b"allkeys-random",
    b"noeviction",
)

PARAMETERS = [
    Parameter("port", "int", 6379, mutable=False, minimum=0, maximum=65535),
    Parameter("bind", "string", b"127.0.0.1 -::1", mutable=False),
    Parameter("dir", "string", b".", protected=True),
    Parameter("dbfilename", "string", b"dump.rdb", protected=True),
    Parameter("enable-protected-configs", "enum", b"no", mutable=False, choices=(b"no", b"yes", b"local")),
    Parameter("databases", "int", 16, mutable=False, minimum=1, maximum=(1 << 31) - 1),
    Parameter(
        "replicaof",
        "string",
        None,
        mutable=False,
        aliases=("slaveof",),
        parse=_parseReplicaOf,
        render=_renderReplicaOf,
    ),
    Parameter("loglevel", "enum", b"notice", choices=(b"debug", b"verbose", b"notice", b"warning", b"nothing")),
    Parameter("requirepass", "string", b""),
    Parameter("aclfile", "string", b"", mutable=False),
    Parameter("acllog-max-len", "int", 128, minimum=0, maximum=(1 << 63) - 1),
    Parameter("masterauth", "string", b""),
    Parameter("masteruser", "string", b""),
    Parameter("maxclients", "int", 10000, minimum=1, maximum=(1 << 32) - 1),
    Parameter("timeout", "int", 0, minimum=0, maximum=(1 << 31) - 1),
    Parameter("tcp-keepalive", "int", 300, minimum=0, maximum=(1 << 31) - 1),
    Parameter("hz", "int", 10, minimum=0, maximum=(1 << 31) - 1),
    Parameter("proto-max-bulk-len", "memory", 512 * 1024 * 1024, minimum=1024 * 1024, maximum=(1 << 63) - 1),
    Parameter("client-query-buffer-limit", "memory", 1024 * 1024 * 1024, minimum=1024 * 1024, maximum=(1 << 63) - 1),
    Parameter("save", "string", [(3600, 1), (300, 100), (60, 10000)], parse=_parseSave, render=_renderSave),
    Parameter("rdbcompression", "bool", True),
    Parameter("rdbchecksum", "bool", True),
    # txredisd's own: the RDB version written (Redis 7.0 reads up to 10).
    Parameter("rdb-version", "int", 11, minimum=9, maximum=11),
    Parameter("appendonly", "bool", False),
    Parameter("appendfsync", "enum", b"everysec", choices=(b"always", b"everysec", b"no")),
    Parameter("appenddirname", "string", b"appendonlydir", mutable=False),
    Parameter("appendfilename", "string", b"appendonly.aof", mutable=False),
    Parameter("aof-load-truncated", "bool", True),
    Parameter("aof-use-rdb-preamble", "bool", True),
    Parameter("maxmemory", "memory", 0, minimum=0, maximum=(1 << 63) - 1),
    Parameter("maxmemory-policy", "enum", b"noeviction", choices=_POLICIES),
    Parameter("maxmemory-samples", "int", 5, minimum=1, maximum=(1 << 31) - 1),
    Parameter("lfu-log-factor", "int", 10, minimum=0, maximum=(1 << 31) - 1),
    Parameter("lfu-decay-time", "int", 1, minimum=0, maximum=(1 << 31) - 1),
    Parameter("latency-monitor-threshold", "int", 0, minimum=0, maximum=(1 << 63) - 1),
    Parameter("protected-mode", "bool", True),
    Parameter("notify-keyspace-events", "string", 0, parse=parseNotifyFlags, render=renderNotifyFlags),
    Parameter(
        "client-output-buffer-limit",
        "string",
        {"normal": (0, 0, 0), "replica": (256 * 1024**2, 64 * 1024**2, 60), "pubsub": (32 * 1024**2, 8 * 1024**2, 60)},
        parse=parseOutputBufferLimits,
        render=renderOutputBufferLimits,
        merge=mergeOutputBufferLimits,
    ),
    Parameter("repl-backlog-size", "memory", 1024 * 1024, minimum=1, maximum=(1 << 63) - 1),
    Parameter("repl-ping-replica-period", "int", 10, aliases=("repl-ping-slave-period",), minimum=1, maximum=(1 << 31) - 1),
    Parameter("repl-timeout", "int", 60, minimum=1, maximum=(1 << 31) - 1),
    Parameter("replica-announce-ip", "string", b"", aliases=("slave-announce-ip",)),
    Parameter("replica-announce-port", "int", 0, aliases=("slave-announce-port",), minimum=0, maximum=65535),
    Parameter("replica-priority", "int", 100, aliases=("slave-priority",), minimum=0, maximum=(1 << 31) - 1),
    Parameter("replica-read-only", "bool", True, aliases=("slave-read-only",)),
    Parameter("replica-serve-stale-data", "bool", True, aliases=("slave-serve-stale-data",)),
    Parameter("shutdown-timeout", "int", 10, minimum=0, maximum=(1 << 31) - 1),
    Parameter("slowlog-log-slower-than", "int", 10000, minimum=-1, maximum=(1 << 63) - 1),
    Parameter("slowlog-max-len", "int", 128, minimum=0, maximum=(1 << 63) - 1),
    Parameter("lua-time-limit", "int", 5000, aliases=("busy-reply-threshold",), minimum=0, maximum=(1 << 63) - 1),
    Parameter("list-max-listpack-size", "int", -2, aliases=("list-max-ziplist-size",), minimum=-(1 << 31), maximum=(1 << 31) - 1),
    # 512, not redis.conf's 128: the default compiled into Redis 7.0 (config.c).
    Parameter("hash-max-listpack-entries", "int", 512, aliases=("hash-max-ziplist-entries",), minimum=0, maximum=(1 << 63) - 1),
    Parameter("hash-max-listpack-value", "int", 64, aliases=("hash-max-ziplist-value",), minimum=0, maximum=(1 << 63) - 1),
    Parameter("set-max-intset-entries", "int", 512, minimum=0, maximum=(1 << 63) - 1),
    Parameter("zset-max-listpack-entries", "int", 128, aliases=("zset-max-ziplist-entries",), minimum=0, maximum=(1 << 63) - 1),
    Parameter("zset-max-listpack-value", "int", 64, aliases=("zset-max-ziplist-value",), minimum=0, maximum=(1 << 63) - 1),
    # The sparse HLL's size past which it becomes dense (a memory value).
    Parameter("hll-sparse-max-bytes", "memory", 3000, minimum=0, maximum=(1 << 63) - 1),
]


class Config:
    """
    The parameters' current values.

    @ivar observers: callables C{(name, value)} told of every change, so
        that the parts of the server that cache a value can follow it.
    """

    def __init__(self, parameters=PARAMETERS):
        self.parameters = {}
        self.values = {}
        for p in parameters:
            self.parameters[p.name] = p
            self.values[p.name] = p.default
            for alias in p.aliases:
                self.parameters[alias] = p
        self.observers = []
        # The file the configuration came from (CONFIG REWRITE's target).
        self.path = None
        # The config file's "user <name> <rules...>" directives, as lists of
        # bytes, applied when the server's users are created.
        self.users = []

    def __getitem__(self, name):
        return self.values[self.parameters[name].name]

    def parameter(self, name):
        """
        @param name: a parameter name or alias (L{str}, any case).
        @return: the L{Parameter}, or L{None}.
        """
        return self.parameters.get(name.lower())

    def set(self, name, text, startup=False):
        """
        Parse and apply a value.

        @param text: L{bytes}.
        @param startup: L{True} when reading options or the config file, where
            immutable parameters may be set.
        @raise KeyError: no such parameter.
        @raise ConfigError: the value is refused.
        """
        parameter = self.parameters[name.lower()]
        if not startup and not parameter.mutable:
            raise ConfigError("can't set immutable config")
        value = parameter.parse(text)
        if parameter.merge is not None:
            value = parameter.merge(self.values[parameter.name], value)
        self.values[parameter.name] = value
        for observer in self.observers:
            observer(parameter.name, value)

    def render(self, name):
        """
        @return: the value of parameter C{name} as CONFIG GET shows it.
        """
        parameter = self.parameters[name]
        return parameter.render(self.values[parameter.name])

    def match(self, pattern):
        """
        The canonical names (and aliases, as Redis 7 lists them) matching a
        glob pattern, in table order.

        @param pattern: L{str}, lower-cased by the caller.
        """
        if pattern in self.parameters:
            return [pattern]
        return [n for n in self.parameters if fnmatch.fnmatchcase(n, pattern)]

    def requiresAuth(self):
        """
        @return: L{True} when clients must authenticate.
        """
        return bool(self.values["requirepass"])


class ConfigFileError(Exception):
    """
    A configuration file that cannot be loaded; the text names the file,
    the line and the reason, as Redis's C{*** FATAL CONFIG FILE ERROR ***}.
    """


def _checkUserDirective(rules):
    # Redis's ACLAppendUserForLoading: every rule of a "user" line must
    # apply to a scratch user, else the file is refused.
    from txredisd.acl import RuleError, User, hasSpaces
    from txredisd.registry import loadCommands

    loadCommands()
    if hasSpaces(rules[0]):
        return "Usernames can't contain spaces or null characters"
    try:
        User(rules[0]).applyAll(list(rules[1:]))
    except RuleError as e:
        return str(e)[4:] if str(e).startswith("ERR ") else str(e)
    return None


def loadFile(config, path):
    """
    Apply a C{redis.conf}-style file: one directive per line, arguments
    split and quoted as Redis splits them, C{#} comments.  Repeated
    C{save} lines add save points, as in Redis.

    @param config: the L{Config} to change.
    @param path: the file's path.
    @raise ConfigFileError: an unknown directive or a refused value.
    """
    from txredisd.resp import splitArgs

    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    savePoints = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        words = splitArgs(line)
        if words is None:
            raise ConfigFileError("%s, line %d: unbalanced quotes" % (path, number))
        name = words[0].decode("latin-1").lower()
        value = b" ".join(words[1:])
        if name == "user" and len(words) >= 2:
            problem = _checkUserDirective(words[1:])
            if problem is not None:
                raise ConfigFileError("%s, line %d: %s" % (path, number, problem))
            config.users.append(words[1:])
            continue
        if config.parameter(name) is None:
            raise ConfigFileError(
                "%s, line %d: Bad directive or wrong number of arguments: %r"
                % (path, number, raw.decode("latin-1"))
            )
        try:
            if name == "save":
                points = config.parameter("save").parse(value) if value else []
                savePoints = (savePoints or []) + points if value else []
                config.values["save"] = savePoints
            else:
                config.set(name, value, startup=True)
        except ConfigError as e:
            raise ConfigFileError("%s, line %d: %s: %s" % (path, number, name, e))
    config.path = path
