"""
Users, their rules and the permission checks, as Redis 7.0's C{acl.c}.

A L{User} has flags, password hashes and selectors: the root selector and
any C{(...)} selectors.  A L{Selector} holds the commands it allows (a set
of L{txredisd.registry.CommandSpec}s, Redis's command bitmap), the first
arguments allowed for otherwise denied commands, key patterns with their
read/write permissions and channel patterns.  L{ACL} is the server's set of
users and the ACL LOG.

The hot path only reads L{User.unrestricted}: a user that may run anything
on any key and channel (the C{default} user as shipped) skips the checks.
"""

import hashlib
import hmac
import os

from txredisd import errors, glob
from txredisd.registry import ACL_CATEGORIES, COMMANDS, aclCategories, allSpecs

READ = 1
WRITE = 2
ALL = READ | WRITE

#: Redis's ACL check results (their order matters when picking the error
#: to report for a user with several selectors).
OK = 0
DENIED_CMD = 1
DENIED_KEY = 2
DENIED_AUTH = 3
DENIED_CHANNEL = 4

#: How ACL LOG names each denial.
REASONS = {DENIED_CMD: b"command", DENIED_KEY: b"key", DENIED_AUTH: b"auth", DENIED_CHANNEL: b"channel"}

# Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA: repeats within a minute merge.
_LOG_GROUPING_MS = 60000

# Commands whose arguments are channels (Redis's getChannelsFromCommand):
# name to (first argument, last argument or None for all, is pattern).
_CHANNEL_ARGS = {
    "publish": (1, 1, False),
    "spublish": (1, 1, False),
    "subscribe": (1, None, False),
    "ssubscribe": (1, None, False),
    "psubscribe": (1, None, True),
}


class RuleError(Exception):
    """
    A rule L{User.apply} refuses; the text is Redis's
    C{ACLSetUserStringError}.
    """


def hashPassword(password):
    """
    @return: the SHA-256 of C{password} as lower-case hex L{bytes}, the form
        Redis stores and shows.
    """
    return hashlib.sha256(password).hexdigest().encode("ascii")


def _ruleHash(op):
    # >pass and <pass give a password, #hash and !hash its SHA-256 in hex.
    if op[:1] in (b">", b"<"):
        return hashPassword(op[1:])
    text = op[1:]
    if len(text) != 64 or any(c not in b"0123456789abcdef" for c in text):
        raise RuleError(errors.ACL_BAD_HASH)
    return text


def hasSpaces(text):
    """
    @return: L{True} if C{text} holds whitespace or NUL (Redis's
        C{ACLStringHasSpaces}).
    """
    return any(c in b" \t\n\r\v\f\x00" for c in text)


def lookupCommand(name):
    """
    Find a command by its full name (C{get}, C{config|get}), as Redis's
    C{ACLLookupCommand}: one level of subcommands, any case.

    @param name: L{bytes}.
    @return: the L{txredisd.registry.CommandSpec} or L{None}.
    """
    parts = name.lower().split(b"|")
    if len(parts) > 2:
        return None
    spec = COMMANDS.get(parts[0])
    if len(parts) == 1 or spec is None:
        return spec
    if not spec.subcommands:
        return None
    return spec.subcommands.get(parts[1])


_membersCache = {}


def categoryMembers(category):
    """
    @param category: a category name (L{str}) of L{ACL_CATEGORIES}.
    @return: the commands and subcommands in it, in table order.
    """
    specs = allSpecs()
    cached = _membersCache.get(category)
    if cached is None or cached[0] != len(specs):
        cached = _membersCache[category] = (
            len(specs),
            [spec for spec in specs if category in aclCategories(spec)],
        )
    return cached[1]


# Writing commands whose key specifications in Redis 7.0 lack the ACCESS
# flag: they never return the keys' contents, so a %W~ pattern is enough.
_WRITE_ONLY = frozenset(
    [
        "set", "setex", "psetex", "setnx", "mset", "msetnx", "append", "setrange",
        "del", "unlink", "expire", "pexpire", "expireat", "pexpireat", "persist",
        "lpush", "rpush", "lpushx", "rpushx", "lrem", "ltrim", "lset",
        "sadd", "srem", "hset", "hmset", "hsetnx", "hdel", "zadd", "zrem",
        "zremrangebyscore", "zremrangebyrank", "zremrangebylex", "pfadd",
        "xadd", "xdel", "xtrim", "geoadd", "linsert", "xack", "xclaim", "xautoclaim", "xsetid",
    ]
)

# Reading commands whose key specifications lack ACCESS: they tell about a
# key (its length, type, existence) but return none of its contents, so a
# key pattern of any kind lets them through.
_NO_ACCESS = frozenset(
    [
        "exists", "type", "touch", "watch", "strlen", "llen", "scard", "sismember",
        "hlen", "hexists", "hstrlen", "zcard", "xlen",
    ]
)

# Key specifications that Redis 7.0 gives other access than the flags say.
_SPEC_FLAGS = {"xreadgroup": READ, "eval": ALL, "evalsha": ALL, "fcall": ALL}

# Commands whose first key is read and whose other key (SORT's STORE
# destination) is only written, each key by its own key specification.
_READ_FIRST_WRITE_REST = frozenset(["sort"])

# Shard channels are declared as NOT_KEY key specifications: the ACL key
# check skips them.
_NOT_KEYS = frozenset(["spublish", "ssubscribe", "sunsubscribe"])


def _keyFlags(spec, argv):
    # The access a command needs on its keys.  Commands that declare Redis's
    # key specifications say it exactly (access reads, insert/delete/update
    # write); the others are taken from their flags.
    if spec.name in _WRITE_ONLY:
        # SET ... GET returns the old value (Redis's setGetKeys).
        if spec.name == "set" and any(a.lower() == b"get" for a in argv[3:]):
            return ALL
        return WRITE
    if spec.name in _NO_ACCESS:
        return 0
    if spec.name in _SPEC_FLAGS:
        return _SPEC_FLAGS[spec.name]
    keyFlags = getattr(spec, "keyFlags", None)
    if keyFlags is not None:
        # Variable flags (BITFIELD with GETs only reads its key).
        specs = [{"flags": keyFlags(argv)}]
    else:
        specs = getattr(spec, "keySpecs", None)
    if specs:
        flags = 0
        for keySpec in specs:
            words = keySpec["flags"]
            if "access" in words:
                flags |= READ
            if "insert" in words or "delete" in words or "update" in words:
                flags |= WRITE
        return flags
    if "write" in spec.flags:
        return ALL
    return READ


class Selector:
    """
    One set of permissions (Redis's C{aclSelector}).

    @ivar allowed: the L{CommandSpec}s this selector may run.
    @ivar future: Redis's reserved command bit: set by C{+@all}, so the
        rules render as C{+@all} minus what was taken away.
    @ivar allCommands: nothing was denied since C{+@all}; the check skips
        the command test.
    @ivar firstArgs: L{CommandSpec} to the L{list} of first arguments
        allowed for a command otherwise denied (C{+select|0}).
    @ivar patterns: L{list} of C{[pattern, flags]} key patterns.
    @ivar channels: L{list} of channel patterns.
    """

    def __init__(self, root=False):
        self.root = root
        self.allowed = set()
        self.future = False
        self.allCommands = False
        self.firstArgs = {}
        self.allKeys = False
        self.patterns = []
        self._compiledPatterns = []
        self.allChannels = False
        self.channels = []

    def copy(self):
        """
        @return: an independent copy.
        """
        other = Selector(self.root)
        other.allowed = set(self.allowed)
        other.future = self.future
        other.allCommands = self.allCommands
        other.firstArgs = {k: list(v) for k, v in self.firstArgs.items()}
        other.allKeys = self.allKeys
        other.patterns = [list(p) for p in self.patterns]
        other._compiledPatterns = list(self._compiledPatterns)
        other.allChannels = self.allChannels
        other.channels = list(self.channels)
        return other

    @property
    def unrestricted(self):
        return self.allCommands and self.allKeys and self.allChannels

    def setAll(self, allow):
        """
        C{+@all} or C{-@all}.
        """
        self.allowed = set(allSpecs()) if allow else set()
        self.future = self.allCommands = allow
        self.firstArgs = {}

    def changePermission(self, spec, allow):
        """
        Allow or deny a command and its subcommands (Redis's
        C{ACLChangeSelectorPerm}).
        """
        self._setBit(spec, allow)
        self.firstArgs.pop(spec, None)
        for sub in spec.subcommands.values():
            self._setBit(sub, allow)

    def _setBit(self, spec, allow):
        if allow:
            self.allowed.add(spec)
        else:
            self.allowed.discard(spec)
            self.allCommands = False

    def setCategory(self, category, allow):
        """
        C{+@category} or C{-@category}.
        """
        for spec in categoryMembers(category):
            self.changePermission(spec, allow)

    def apply(self, op):
        """
        Apply one rule (Redis's C{ACLSetSelector}).

        @param op: L{bytes}.
        @raise RuleError: the rule is refused.
        """
        lowered = op.lower()
        if lowered in (b"allkeys", b"~*"):
            self.allKeys = True
            self.patterns = []
            self._compiledPatterns = []
        elif lowered == b"resetkeys":
            self.allKeys = False
            self.patterns = []
            self._compiledPatterns = []
        elif lowered in (b"allchannels", b"&*"):
            self.allChannels = True
            self.channels = []
        elif lowered == b"resetchannels":
            self.allChannels = False
            self.channels = []
        elif lowered in (b"allcommands", b"+@all"):
            self.setAll(True)
        elif lowered in (b"nocommands", b"-@all"):
            self.setAll(False)
        elif op[:1] in (b"~", b"%"):
            self._addKeyPattern(op)
        elif op[:1] == b"&":
            if self.allChannels:
                raise RuleError(errors.ACL_PATTERN_AFTER_ALLCHANNELS)
            if hasSpaces(op[1:]):
                raise RuleError(errors.ACL_RULE_SYNTAX)
            if op[1:] not in self.channels:
                self.channels.append(op[1:])
        elif op[:1] == b"+" and op[1:2] != b"@":
            self._allowCommand(op[1:])
        elif op[:1] == b"-" and op[1:2] != b"@":
            spec = lookupCommand(op[1:])
            if spec is None:
                raise RuleError(errors.ACL_UNKNOWN_NAME)
            self.changePermission(spec, False)
        elif op[:1] in (b"+", b"-"):
            category = lowered[2:].decode("latin-1")
            if category not in ACL_CATEGORIES:
                raise RuleError(errors.ACL_UNKNOWN_NAME)
            self.setCategory(category, op[:1] == b"+")
        else:
            raise RuleError(errors.ACL_RULE_SYNTAX)

    def _addKeyPattern(self, op):
        if self.allKeys:
            raise RuleError(errors.ACL_PATTERN_AFTER_ALLKEYS)
        flags = 0
        offset = 1
        if op[:1] == b"%":
            while offset < len(op):
                c = op[offset : offset + 1]
                if c in b"Rr" and not flags & READ:
                    flags |= READ
                elif c in b"Ww" and not flags & WRITE:
                    flags |= WRITE
                elif c == b"~":
                    offset += 1
                    break
                else:
                    raise RuleError(errors.ACL_RULE_SYNTAX)
                offset += 1
        else:
            flags = ALL
        pattern = op[offset:]
        if not flags or hasSpaces(pattern):
            raise RuleError(errors.ACL_RULE_SYNTAX)
        for existing in self.patterns:
            if existing[0] == pattern:
                existing[1] |= flags
                break
        else:
            self.patterns.append([pattern, flags])
            self._compiledPatterns.append(glob.compile(pattern))

    def _allowCommand(self, name):
        # Redis's '+' branch of ACLSetSelector: a full command name, or a
        # command and a first argument split at the last '|'.
        if b"|" not in name:
            spec = lookupCommand(name)
            if spec is None:
                raise RuleError(errors.ACL_UNKNOWN_NAME)
            self.changePermission(spec, True)
            return
        base, _, sub = name.rpartition(b"|")
        spec = lookupCommand(base)
        if spec is None:
            raise RuleError(errors.ACL_UNKNOWN_NAME)
        if spec.container is not None:
            raise RuleError(errors.ACL_FIRSTARG_OF_SUBCOMMAND)
        if not sub:
            raise RuleError(errors.ACL_RULE_SYNTAX)
        if spec.subcommands:
            spec = lookupCommand(name)
            if spec is None:
                raise RuleError(errors.ACL_UNKNOWN_NAME)
            self.changePermission(spec, True)
        else:
            allowed = self.firstArgs.setdefault(spec, [])
            if sub.lower() not in allowed:
                allowed.append(sub.lower())

    def check(self, spec, argv):
        """
        Redis's C{ACLSelectorCheckCmd}.

        @return: C{(result, argument index)}, the result L{OK} or a
            C{DENIED_*} constant.
        """
        if not self.allCommands and "no_auth" not in spec.flags and spec not in self.allowed:
            args = self.firstArgs.get(spec)
            if args is None or len(argv) < 2 or argv[1].lower() not in args:
                return DENIED_CMD, 0
        if not self.allKeys and (spec.firstKey or spec.getKeys is not None) and spec.name not in _NOT_KEYS:
            flags = _keyFlags(spec, argv)
            readFirst = spec.name in _READ_FIRST_WRITE_REST
            for position in spec.keyPositions(argv):
                if readFirst:
                    flags = READ if position == 1 else WRITE
                if not self.keyAllowed(argv[position], flags):
                    return DENIED_KEY, position
        if not self.allChannels:
            channelArgs = _CHANNEL_ARGS.get(spec.name)
            if channelArgs is not None:
                first, last, isPattern = channelArgs
                end = len(argv) if last is None else min(last + 1, len(argv))
                for position in range(first, end):
                    if not self.channelAllowed(argv[position], isPattern):
                        return DENIED_CHANNEL, position
        return OK, 0

    def keyAllowed(self, key, flags):
        """
        Redis's C{ACLSelectorCheckKey}.
        """
        if self.allKeys:
            return True
        for (pattern, patternFlags), compiled in zip(self.patterns, self._compiledPatterns):
            if patternFlags & flags == flags and compiled.match(key) is not None:
                return True
        return False

    def channelAllowed(self, channel, isPattern):
        """
        Redis's C{ACLCheckChannelAgainstList}: patterns a client subscribes
        to must appear literally; channels are matched against the globs.
        """
        if self.allChannels:
            return True
        for pattern in self.channels:
            if (isPattern and pattern == channel) or (not isPattern and glob.match(pattern, channel)):
                return True
        return False

    def describeCommands(self):
        """
        The command rules as Redis 7.0's C{ACLDescribeSelectorCommandRules}
        renders them: C{+@all} or C{-@all}, then the categories that fit
        best, then single commands for the remaining differences.

        @return: L{bytes}.
        """
        fake = Selector()
        additive = not self.future
        fake.setAll(not additive)
        rules = [b"-@all" if additive else b"+@all"]
        temp = Selector()
        temp.allowed = set(self.allowed)
        applied = set()
        while True:
            best = None
            minDiff, maxSame = 1 << 31, 0
            for category in ACL_CATEGORIES:
                if category in applied:
                    continue
                on = off = 0
                for spec in categoryMembers(category):
                    if spec in temp.allowed:
                        on += 1
                    else:
                        off += 1
                diff, same = (off, on) if additive else (on, off)
                if same > diff and (diff < minDiff or (diff == minDiff and same > maxSame)):
                    best, minDiff, maxSame = category, diff, same
            if best is None:
                break
            fake.setCategory(best, additive)
            temp.setCategory(best, not additive)
            rules.append((b"+@" if additive else b"-@") + best.encode())
            applied.add(best)
        self._describeSingles(fake, COMMANDS.values(), rules)
        return b" ".join(rules)

    def _describeSingles(self, fake, specs, rules):
        for spec in specs:
            mine = spec in self.allowed
            if mine != (spec in fake.allowed):
                rules.append((b"+" if mine else b"-") + spec.name.encode())
                fake.changePermission(spec, mine)
            if spec.subcommands:
                self._describeSingles(fake, spec.subcommands.values(), rules)
            if not mine:
                for arg in self.firstArgs.get(spec, ()):
                    rules.append(b"+" + spec.name.encode() + b"|" + arg)

    def describeKeys(self):
        """
        The key patterns as ACL GETUSER shows them.
        """
        if self.allKeys:
            return b"~*"
        return b" ".join(_patternString(p, f) for p, f in self.patterns)

    def describeChannels(self):
        """
        The channel patterns as ACL GETUSER shows them.
        """
        if self.allChannels:
            return b"&*"
        return b" ".join(b"&" + c for c in self.channels)

    def describe(self):
        """
        The selector as ACL LIST shows it (Redis's C{ACLDescribeSelector}).
        """
        words = []
        if self.allKeys:
            words.append(b"~*")
        else:
            words.extend(_patternString(p, f) for p, f in self.patterns)
        if self.allChannels:
            words.append(b"&*")
        else:
            words.append(b"resetchannels")
            words.extend(b"&" + c for c in self.channels)
        words.append(self.describeCommands())
        return b" ".join(words)


def _patternString(pattern, flags):
    prefix = {ALL: b"~", READ: b"%R~", WRITE: b"%W~"}[flags]
    return prefix + pattern


def mergeSelectorArguments(args):
    """
    Join the words of C{(...)} selectors split over several arguments
    (Redis's C{ACLMergeSelectorArguments}).

    @return: C{(merged, None)}, or C{(None, index)} of an unclosed
        parenthesis.
    """
    merged = []
    current = None
    start = None
    for index, op in enumerate(args):
        if current is None and op[:1] == b"(" and op[-1:] != b")":
            current = op
            start = index
            continue
        if current is not None:
            current += b" " + op
            if op[-1:] == b")":
                merged.append(current)
                current = None
            continue
        merged.append(op)
    if current is not None:
        return None, start
    return merged, None


class User:
    """
    One ACL user (Redis's C{user}).

    @ivar name: L{bytes}.
    @ivar enabled: C{on} (L{True}) or C{off}.
    @ivar nopass: any password is accepted.
    @ivar sanitize: L{None}, C{b"sanitize-payload"} or
        C{b"skip-sanitize-payload"}.
    @ivar passwords: L{list} of SHA-256 hex L{bytes}.
    @ivar selectors: L{list} of L{Selector}, the root one first.
    @ivar unrestricted: precomputed: every command, key and channel is
        allowed, so dispatch skips the checks.
    """

    def __init__(self, name):
        self.name = name
        self.enabled = False
        self.nopass = False
        self.sanitize = None
        self.passwords = []
        self.selectors = [Selector(root=True)]
        self.unrestricted = False

    def copy(self, name=None):
        """
        @return: an independent copy (Redis's C{ACLCopyUser}).
        """
        other = User(self.name if name is None else name)
        other.copyFrom(self)
        return other

    def copyFrom(self, other):
        """
        Take C{other}'s rules, keeping this object (clients hold it).
        """
        self.enabled = other.enabled
        self.nopass = other.nopass
        self.sanitize = other.sanitize
        self.passwords = list(other.passwords)
        self.selectors = [s.copy() for s in other.selectors]
        self._update()

    @property
    def root(self):
        return self.selectors[0]

    def _update(self):
        self.unrestricted = self.root.unrestricted

    def applyAll(self, ops):
        """
        Apply rules to a copy and take them only if all are accepted (Redis's
        C{ACLStringSetUser}).

        @param ops: L{list} of L{bytes} rules, selectors possibly split.
        @raise RuleError: with the full error text for the client.
        """
        merged, bad = mergeSelectorArguments(ops)
        if merged is None:
            raise RuleError(errors.aclUnmatchedParenthesis(ops[bad]))
        temp = self.copy()
        for op in merged:
            try:
                temp.apply(op)
            except RuleError as e:
                raise RuleError(errors.aclSetUserError(op, str(e)))
        self.copyFrom(temp)

    def apply(self, op):
        """
        Apply one rule (Redis's C{ACLSetUser}).

        @raise RuleError: with Redis's reason.
        """
        try:
            self._apply(op)
        finally:
            self._update()

    def _apply(self, op):
        if not op:
            return
        lowered = op.lower()
        first = op[:1]
        if lowered == b"on":
            self.enabled = True
        elif lowered == b"off":
            self.enabled = False
        elif lowered in (b"skip-sanitize-payload", b"sanitize-payload"):
            self.sanitize = lowered
        elif lowered == b"nopass":
            self.nopass = True
            self.passwords = []
        elif lowered == b"resetpass":
            self.nopass = False
            self.passwords = []
        elif first in (b">", b"#"):
            hashed = _ruleHash(op)
            if hashed not in self.passwords:
                self.passwords.append(hashed)
            self.nopass = False
        elif first in (b"<", b"!"):
            hashed = _ruleHash(op)
            if hashed not in self.passwords:
                raise RuleError(errors.ACL_NO_SUCH_PASSWORD)
            self.passwords.remove(hashed)
        elif first == b"(" and op[-1:] == b")":
            selector = Selector()
            words = splitSelector(op[1:-1])
            for word in words:
                selector.apply(word)
            self.selectors.append(selector)
        elif lowered == b"clearselectors":
            del self.selectors[1:]
        elif lowered == b"reset":
            for rule in (b"resetpass", b"resetkeys", b"resetchannels", b"off", b"sanitize-payload", b"clearselectors", b"-@all"):
                self._apply(rule)
        else:
            self.root.apply(op)

    def checkPassword(self, password):
        """
        @return: L{True} if C{password} opens this user (enabled, and
            C{nopass} or a matching hash).
        """
        if not self.enabled:
            return False
        if self.nopass:
            return True
        hashed = hashPassword(password)
        found = False
        for stored in self.passwords:
            # Compare every hash in constant time, as Redis does.
            found |= hmac.compare_digest(stored, hashed)
        return found

    def check(self, spec, argv):
        """
        Redis's C{ACLCheckAllUserCommandPerm}: any selector allowing the
        command allows it; otherwise report the most relevant denial.

        @return: C{(result, argument index)}.
        """
        selectors = self.selectors
        if len(selectors) == 1:
            # The common case: the root selector's answer is the answer.
            return selectors[0].check(spec, argv)
        relevant, lastIndex = DENIED_CMD, 0
        for selector in selectors:
            result, index = selector.check(spec, argv)
            if result == OK:
                return OK, 0
            if result > relevant or (result == relevant and index > lastIndex):
                relevant, lastIndex = result, index
        return relevant, lastIndex

    def hasUnrestrictedKeyAccess(self, spec, argv):
        """
        Redis's C{ACLUserCheckCmdWithUnrestrictedKeyAccess}: may a selector
        that allows this command read any key (C{allkeys}, or a C{*} key
        pattern with read permission)?  SORT's BY and GET read keys named
        by the data, which no key check sees.
        """
        if self.unrestricted:
            return True
        for selector in self.selectors:
            if selector.check(spec, argv)[0] != OK:
                continue
            if selector.allKeys:
                return True
            for pattern, flags in selector.patterns:
                if pattern == b"*" and flags & READ:
                    return True
        return False

    def flagNames(self):
        """
        The flags as ACL GETUSER lists them, in Redis's order.
        """
        flags = [b"on" if self.enabled else b"off"]
        if self.nopass:
            flags.append(b"nopass")
        if self.sanitize == b"skip-sanitize-payload":
            flags.append(b"skip-sanitize-payload")
        elif self.sanitize == b"sanitize-payload":
            flags.append(b"sanitize-payload")
        return flags

    def describe(self):
        """
        The user's rules as ACL LIST shows them (Redis's
        C{ACLDescribeUser}), without the C{user <name>} prefix.
        """
        words = self.flagNames()
        words.extend(b"#" + p for p in self.passwords)
        words.append(self.root.describe())
        for selector in self.selectors[1:]:
            words.append(b"(" + selector.describe() + b")")
        return b" ".join(words)


def splitSelector(text):
    """
    Split the inside of a C{(...)} selector into rules as Redis's
    C{sdssplitargs} does.

    @raise RuleError: unbalanced quotes.
    """
    from txredisd.resp import splitArgs

    words = splitArgs(text)
    if words is None:
        raise RuleError(errors.ACL_RULE_SYNTAX)
    return words


def defaultUser():
    """
    @return: the C{default} user as Redis creates it:
        C{on nopass ~* &* +@all}.
    """
    user = User(b"default")
    for rule in (b"+@all", b"~*", b"&*", b"on", b"nopass"):
        user.apply(rule)
    return user


class LogEntry:
    """
    One ACL LOG entry.
    """

    def __init__(self, reason, context, object, username, time, clientInfo):
        self.count = 1
        self.reason = reason
        self.context = context
        self.object = object
        self.username = username
        self.time = time
        self.clientInfo = clientInfo


def _clientInfo(client):
    # The client's CLIENT LIST line, as Redis records it in the log.
    try:
        from txredisd.commands.connection import clientInfo
    except ImportError:
        clientInfo = None
    if clientInfo is not None:
        return clientInfo(client, client.server.clock.seconds())
    return (
        "id=%d addr=%s laddr=%s fd=-1 name=%s db=%d multi=%d user=%s resp=%d"
        % (
            client.id,
            client.address,
            client.localAddress,
            (client.name or b"").decode("utf-8", "replace"),
            client.dbIndex,
            -1 if client.multi is None else len(client.multi),
            client.user.decode("utf-8", "replace"),
            3 if client.resp3 else 2,
        )
    ).encode("utf-8")


class ACL:
    """
    The server's users and ACL LOG.

    @ivar users: name (L{bytes}) to L{User}.
    @ivar default: the C{default} user (never replaced: clients hold it).
    @ivar authRequired: precomputed: new clients must authenticate (the
        default user has passwords or is off).
    @ivar log: the L{LogEntry}s, newest first.
    """

    def __init__(self, server):
        self.server = server
        self.default = defaultUser()
        self.users = {b"default": self.default}
        self.log = []
        self.authRequired = False
        config = server.config
        if config["requirepass"]:
            self.setDefaultPassword(config["requirepass"])
        for rules in getattr(config, "users", ()):
            self.loadConfiguredUser(rules)
        self.updateAuthRequired()
        config.observers.append(self._configChanged)
        path = config["aclfile"]
        if path:
            # Redis refuses to start with both, or with a broken ACL file.
            if getattr(config, "users", None):
                raise ValueError(
                    "Configuring Redis with users defined in redis.conf and at "
                    "the same setting an ACL file path is invalid. This setup "
                    "is very likely to lead to configuration errors and security "
                    "holes, please define either an ACL file or declare users "
                    "directly in your redis.conf, but not both."
                )
            problems = self.loadFile(path.decode("utf-8", "surrogateescape"))
            if problems is not None:
                raise ValueError("Aborting Redis startup because of ACL errors: " + problems)

    def _configChanged(self, name, value):
        if name == "requirepass":
            self.setDefaultPassword(value)

    def setDefaultPassword(self, password):
        """
        Redis's C{ACLUpdateDefaultUserPassword}: C{requirepass} replaces
        the default user's passwords, an empty one makes it C{nopass}.
        """
        self.default.apply(b"resetpass")
        self.default.apply(b">" + password if password else b"nopass")
        self.updateAuthRequired()

    def updateAuthRequired(self):
        """
        Recompute L{authRequired} after the default user changed.
        """
        default = self.default
        self.authRequired = not (default.nopass and default.enabled)

    def loadConfiguredUser(self, rules):
        """
        Apply a C{user <name> <rules...>} directive (Redis's
        C{ACLLoadConfiguredUsers}); C{default} is reset first.

        @raise RuleError: a rule is refused.
        """
        name = rules[0]
        user = self.users.get(name)
        if user is None:
            user = self.users[name] = User(name)
        else:
            user.apply(b"reset")
        merged, bad = mergeSelectorArguments(list(rules[1:]))
        if merged is None:
            raise RuleError(errors.aclUnmatchedParenthesis(rules[1:][bad]))
        for op in merged:
            user.apply(op)
        self.updateAuthRequired()

    def authenticate(self, client, username, password, commandName):
        """
        Check credentials and log the client in (Redis's
        C{ACLAuthenticateUser}); failures are logged.

        @param commandName: the command as the client spelled it (the log
            entry's object).
        @return: L{True} on success.
        """
        user = self.users.get(username)
        if user is not None and user.checkPassword(password):
            client.authenticated = True
            client.aclUser = user
            client.user = user.name
            return True
        self.addLogEntry(client, DENIED_AUTH, commandName, username)
        return False

    def addLogEntry(self, client, reason, object, username=None):
        """
        Record a denial, merging it with a recent similar entry (Redis's
        C{addACLLogEntry}).
        """
        now = int(self.server.clock.seconds() * 1000)
        entry = LogEntry(
            reason,
            b"multi" if client.multi is not None else b"toplevel",
            object,
            username if username is not None else client.user,
            now,
            _clientInfo(client),
        )
        for index, current in enumerate(self.log[:10]):
            if (
                current.reason == entry.reason
                and current.context == entry.context
                and abs(current.time - entry.time) <= _LOG_GROUPING_MS
                and current.object == entry.object
                and current.username == entry.username
            ):
                del self.log[index]
                self.log.insert(0, current)
                current.clientInfo = entry.clientInfo
                current.time = entry.time
                current.count += 1
                return
        self.log.insert(0, entry)
        del self.log[self.server.config["acllog-max-len"] :]

    def denial(self, client, spec, argv, queued=False):
        """
        Check the client's user may run a command; log a denial.

        @param queued: the command was queued in MULTI and EXEC runs it now
            (Redis's execCommand words the errors differently).
        @return: L{None} if allowed, else the error text for the client.
        """
        result, index = client.aclUser.check(spec, argv)
        if result == OK:
            return None
        # Redis records the command at lookup: the log's client-info shows
        # the refused one (cmd=...).
        client.lastCommand = spec.name
        self.addLogEntry(client, result, spec.name.encode() if result == DENIED_CMD else argv[index])
        if queued:
            return errors.aclChangedInTransaction(result)
        if result == DENIED_CMD:
            return errors.aclNoPermCommand(spec.name)
        if result == DENIED_KEY:
            return errors.ACL_NOPERM_KEY
        return errors.ACL_NOPERM_CHANNEL

    def killPubsubClientsIfNeeded(self, user, changed, current):
        """
        Disconnect the subscribers logged in as C{user} that C{changed}
        rules would no longer allow to listen (Redis's
        C{ACLKillPubsubClientsIfNeeded}).

        @param changed: the L{User} with the new rules.
        """
        pubsub = self.server.pubsub
        if not (pubsub.channels or pubsub.patterns or pubsub.shardChannels):
            return
        if any(s.allChannels for s in changed.selectors):
            return
        upcoming = [c for s in changed.selectors for c in s.channels]
        original = [c for s in user.selectors for c in s.channels]
        if not any(s.allChannels for s in user.selectors) and all(c in upcoming for c in original):
            return
        # A throwaway selector holding the new channels does the matching.
        allowed = Selector()
        allowed.channels = upcoming

        def lost(client):
            if client.aclUser is not user:
                return False
            channels, patterns, shardChannels = pubsub.subscriptionsOf(client)
            return any(not allowed.channelAllowed(p, True) for p in patterns) or any(
                not allowed.channelAllowed(c, False) for c in list(channels) + list(shardChannels)
            )

        self._killClients(lost, current)

    def createUser(self, name):
        """
        @return: the user called C{name}, created (off, no rights) if new.
        """
        user = self.users.get(name)
        if user is None:
            user = self.users[name] = User(name)
        return user

    def deleteUser(self, name, current):
        """
        Remove a user and disconnect the clients logged in as it.

        @param current: the client running the command: it is closed after
            its reply.
        @return: L{True} if the user existed.
        """
        user = self.users.pop(name, None)
        if user is None:
            return False
        self._killClients(lambda c: c.aclUser is user, current)
        return True

    def _killClients(self, predicate, current):
        for client in list(self.server.clients.values()):
            if predicate(client):
                if client is current:
                    client.closeAfterReply = True
                else:
                    client.close()

    def sortedUsers(self):
        """
        @return: the users ordered by name, as Redis's radix tree lists them.
        """
        return [self.users[name] for name in sorted(self.users)]

    def listLines(self):
        """
        @return: the ACL LIST lines.
        """
        return [b"user " + u.name + b" " + u.describe() for u in self.sortedUsers()]

    def loadFile(self, path, current=None):
        """
        Replace the users with those of an ACL file (Redis's
        C{ACLLoadFromFile}); on any error nothing changes.

        @return: L{None}, or the error text.
        """
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            return "Error loading ACLs, opening file '%s': %s" % (path, e.strerror)
        users = {}
        problems = []
        for number, line in enumerate(data.split(b"\n"), 1):
            line = line.strip(b" \t\r\n")
            if not line:
                continue
            words = [w for w in line.split(b" ") if w]
            if not words:
                continue
            if words[0] != b"user" or len(words) < 2:
                problems.append("%s:%d should start with user keyword followed by the username. " % (path, number))
                continue
            name = words[1]
            if hasSpaces(name):
                problems.append(
                    "'%s:%d: username '%s' contains invalid characters. " % (path, number, errors.safe(name))
                )
                continue
            if name in users:
                problems.append("WARNING: Duplicate user '%s' found on line %d. " % (errors.safe(name), number))
                continue
            user = users[name] = User(name)
            merged, _ = mergeSelectorArguments(words[2:])
            if merged is None:
                problems.append("%s:%d: Unmatched parenthesis in selector definition." % (path, number))
                continue
            syntaxError = False
            for op in merged:
                try:
                    user.apply(op.strip(b"\t\r\n"))
                except RuleError as e:
                    if str(e) == errors.ACL_UNKNOWN_NAME:
                        problems.append(
                            "%s:%d: Error in applying operation '%s': %s. "
                            % (path, number, errors.safe(op), e)
                        )
                    elif not syntaxError:
                        problems.append("%s:%d: %s. " % (path, number, e))
                        syntaxError = True
        if problems:
            problems.append("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
            return "".join(problems)
        newDefault = users.pop(b"default", None)
        self.default.copyFrom(newDefault if newDefault is not None else defaultUser())
        users[b"default"] = self.default
        old = self.users
        self.users = users
        self.updateAuthRequired()
        # Redis frees every old user but the default one, disconnecting
        # their clients.
        stale = set(id(u) for u in old.values() if u is not self.default)
        self._killClients(lambda c: id(c.aclUser) in stale, current)
        return None

    def saveFile(self, path):
        """
        Write the users to an ACL file, atomically.

        @raise OSError: the file could not be written.
        """
        temp = "%s.tmp-%d" % (path, os.getpid())
        with open(temp, "wb") as f:
            f.write(b"".join(line + b"\n" for line in self.listLines()))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)


#: The user internal clients (the master link) run as: no restrictions.
SUPERUSER = defaultUser()
