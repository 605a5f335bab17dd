"""
String commands (Redis 7.0's C{t_string.c}).

GET and plain C{SET key value} are the benchmark's hot path: they take a
short path with no option parsing and no allocation beyond the reply.
"""

from txredisd import errors, longdouble
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MAX, LLONG_MIN, integerArgument, parseInt
from txredisd.registry import command
from txredisd.resp import OK, ONE, ZERO, Map, Raw, encodeBulks

_STRING = "string"

# setGenericCommand's and parseExtendedStringArgumentsOrReply's flags.
_NX = 1 << 0
_XX = 1 << 1
_EX = 1 << 2
_PX = 1 << 3
_KEEPTTL = 1 << 4
_GET = 1 << 5
_EXAT = 1 << 6
_PXAT = 1 << 7
_PERSIST = 1 << 8
_ANY_EXPIRE = _EX | _PX | _EXAT | _PXAT

# Which flags each option may not follow, as Redis's parser checks them
# (note that an expire option may repeat itself: the last one wins).
_CONFLICTS = {
    b"nx": _XX,
    b"xx": _NX,
    b"get": 0,
    b"keepttl": _PERSIST | _ANY_EXPIRE,
    b"persist": _KEEPTTL | _ANY_EXPIRE,
    b"ex": _KEEPTTL | _PERSIST | _EXAT | _PX | _PXAT,
    b"px": _KEEPTTL | _PERSIST | _EX | _EXAT | _PXAT,
    b"exat": _KEEPTTL | _PERSIST | _EX | _PX | _PXAT,
    b"pxat": _KEEPTTL | _PERSIST | _EX | _EXAT | _PX,
}
_FLAG = {
    b"nx": _NX,
    b"xx": _XX,
    b"get": _GET,
    b"keepttl": _KEEPTTL,
    b"persist": _PERSIST,
    b"ex": _EX,
    b"px": _PX,
    b"exat": _EXAT,
    b"pxat": _PXAT,
}
_SET_ONLY = _NX | _XX | _GET | _KEEPTTL

_WRONGTYPE = errors.WRONGTYPE


def cString(arg):
    """
    An option word as Redis's C{strcasecmp} sees it: lower-cased, and
    ended by a NUL byte as a C string is.

    @param arg: L{bytes}.
    @return: L{bytes}.
    """
    nul = arg.find(b"\0")
    return (arg if nul < 0 else arg[:nul]).lower()


def _parseOptions(argv, start, forSet):
    """
    Parse SET's or GETEX's options as Redis's
    C{parseExtendedStringArgumentsOrReply} does.

    @return: C{(flags, expireArgument)}; the argument is L{None} without
        an expire option.
    """
    flags = 0
    expire = None
    j = start
    count = len(argv)
    while j < count:
        opt = cString(argv[j])
        flag = _FLAG.get(opt)
        if (
            flag is None
            or flags & _CONFLICTS[opt]
            or (flag & _SET_ONLY and not forSet)
            or (flag == _PERSIST and forSet)
        ):
            raise CommandError(errors.SYNTAX)
        if flag & _ANY_EXPIRE:
            if j == count - 1:
                raise CommandError(errors.SYNTAX)
            j += 1
            expire = argv[j]
        flags |= flag
        j += 1
    return flags, expire


def _expireAt(client, expire, flags, name):
    """
    The absolute expiry time in milliseconds of an EX/PX/EXAT/PXAT
    argument, as Redis's C{getExpireMillisecondsOrReply} computes it.

    @param name: the command name for the error text.
    """
    value = parseInt(expire)
    if value is None:
        raise CommandError(errors.NOT_INTEGER)
    seconds = flags & (_EX | _EXAT)
    if value <= 0 or (seconds and value > LLONG_MAX // 1000):
        raise CommandError(errors.INVALID_EXPIRE.format(name))
    if seconds:
        value *= 1000
    if flags & (_EX | _PX):
        value += client.server.store.now
        if value > LLONG_MAX:
            # Redis's signed addition wraps to a negative number here.
            raise CommandError(errors.INVALID_EXPIRE.format(name))
    return value


def _notify(client, event, key, typeFlag="$"):
    store = client.server.store
    if store.notifier is not None:
        store.notify(typeFlag, event, key, client.dbIndex)


def _checkLength(client, size, append):
    """
    Refuse strings longer than C{proto-max-bulk-len}, except from a master
    or the AOF, which must be obeyed (Redis's C{checkStringLength}).
    """
    if client.kind in ("master", "aof"):
        return
    if size + append > client.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.STRING_TOO_LONG)


def getString(client, key):
    """
    Redis's C{lookupKeyRead} and C{checkType}: the string at C{key}, or
    L{None}; WRONGTYPE for other types.
    """
    return client.db.getTyped(key, bytes)


def getStringForWrite(client, key):
    """
    Redis's C{lookupKeyWrite} and C{checkType}: the string at C{key}, or
    L{None}; WRONGTYPE for other types.
    """
    return client.db.getTyped(key, bytes, write=True)


def _keys(run):
    return [argv[1] for argv in run]


def _getRun(client, run):
    # GET for a run of them (CommandSpec.batch).
    if len(run[0]) != 2:
        return None
    values = client.db.getStrings(_keys(run))
    if values is None:
        return None
    encoded = encodeBulks(values)
    return values if encoded is None else [encoded]


@command(
    "get", 2, ["readonly", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Get the value of a key", batch=_getRun,
)
def get(client, argv):
    value = client.db.get(argv[1])
    if value is not None and type(value) is not bytes:
        raise CommandError(_WRONGTYPE)
    return value


def _setGeneric(client, argv, flags, key, value, expire, okReply, abortReply):
    """
    Redis's C{setGenericCommand}: every form of SET.

    @param okReply: the reply when the key was set.
    @param abortReply: the reply when NX or XX prevented it.
    """
    db = client.db
    if expire is not None:
        when = _expireAt(client, expire, flags, argv[0].lower().decode("ascii", "replace"))
    if flags & _GET:
        okReply = abortReply = getString(client, key)
    found = db.getForWrite(key) is not None
    if (flags & _NX and found) or (flags & _XX and not found):
        return abortReply
    db.set(key, value, keepTTL=bool(flags & _KEEPTTL))
    _notify(client, b"set", key)
    if expire is not None:
        db.setExpire(key, when)
        # Replicas and the AOF get the absolute time (Redis 7.0).
        client.propagateAs = [[b"SET", key, value, b"PXAT", b"%d" % (when,)]]
        _notify(client, b"expire", key, "g")
    elif flags & _GET:
        # Propagated without its GET options, which may repeat.
        client.propagateAs = [
            argv[:3] + [arg for arg in argv[3:] if cString(arg) != b"get"]
        ]
    return okReply


def _setRun(client, run):
    # SET without options for a run of them (CommandSpec.batch).
    if len(run[0]) != 3 or client.server.store.notifier is not None:
        return None
    client.db.setMany(_keys(run), [argv[2] for argv in run])
    # One reply for the run: the protocol writes them joined anyway.
    return [Raw(OK * len(run))]


@command(
    "set", -3, ["write", "denyoom"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Set the string value of a key", batch=_setRun,
)
def set_(client, argv):
    if len(argv) == 3:
        client.db.set(argv[1], argv[2])
        store = client.server.store
        if store.notifier is not None:
            store.notify("$", b"set", argv[1], client.dbIndex)
        return OK
    flags, expire = _parseOptions(argv, 3, True)
    return _setGeneric(client, argv, flags, argv[1], argv[2], expire, OK, None)


@command(
    "setnx", 3, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Set the value of a key, only if the key does not exist",
)
def setnx(client, argv):
    return _setGeneric(client, argv, _NX, argv[1], argv[2], None, ONE, ZERO)


@command(
    "setex", 4, ["write", "denyoom"], 1, 1, 1, group=_STRING, since="2.0.0",
    summary="Set the value and expiration of a key",
)
def setex(client, argv):
    return _setGeneric(client, argv, _EX, argv[1], argv[3], argv[2], OK, None)


@command(
    "psetex", 4, ["write", "denyoom"], 1, 1, 1, group=_STRING, since="2.6.0",
    summary="Set the value and expiration in milliseconds of a key",
)
def psetex(client, argv):
    return _setGeneric(client, argv, _PX, argv[1], argv[3], argv[2], OK, None)


@command(
    "getset", 3, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Set the string value of a key and return its old value",
)
def getset(client, argv):
    old = getString(client, argv[1])
    client.db.set(argv[1], argv[2])
    _notify(client, b"set", argv[1])
    client.propagateAs = [[b"SET", argv[1], argv[2]]]
    return old


@command(
    "getdel", 2, ["write", "fast"], 1, 1, 1, group=_STRING, since="6.2.0",
    summary="Get the value of a key and delete the key",
)
def getdel(client, argv):
    value = getString(client, argv[1])
    if value is not None and client.db.delete(argv[1]):
        client.propagateAs = [[b"DEL", argv[1]]]
        _notify(client, b"del", argv[1], "g")
    return value


@command(
    "getex", -2, ["write", "fast"], 1, 1, 1, group=_STRING, since="6.2.0",
    summary="Get the value of a key and optionally set its expiration",
)
def getex(client, argv):
    flags, expire = _parseOptions(argv, 2, False)
    key = argv[1]
    value = getString(client, key)
    if value is None:
        return None
    db = client.db
    if expire is not None:
        when = _expireAt(client, expire, flags, "getex")
        store = client.server.store
        if flags & (_EXAT | _PXAT) and when <= store.now and store.deleteExpired:
            # An absolute time already past deletes the key (not on a
            # replica, which waits for its master's DEL).
            db.delete(key)
            client.propagateAs = [[b"DEL", key]]
            _notify(client, b"del", key, "g")
        else:
            db.setExpire(key, when)
            client.propagateAs = [[b"PEXPIREAT", key, b"%d" % (when,)]]
            _notify(client, b"expire", key, "g")
    elif flags & _PERSIST and db.persist(key):
        client.propagateAs = [[b"PERSIST", key]]
        _notify(client, b"persist", key, "g")
    return value


@command(
    "mget", -2, ["readonly", "fast"], 1, -1, 1, group=_STRING, since="1.0.0",
    summary="Get the values of all the given keys",
)
def mget(client, argv):
    values = client.db.getStrings(argv[1:])
    if values is not None:
        return values
    lookup = client.db.get
    replies = []
    for key in argv[1:]:
        value = lookup(key)
        replies.append(value if type(value) is bytes else None)
    return replies


def _mset(client, argv, nx):
    if len(argv) % 2 == 0:
        raise CommandError(errors.wrongArity(argv[0].lower().decode("ascii", "replace")))
    db = client.db
    if nx:
        for j in range(1, len(argv), 2):
            if db.getForWrite(argv[j]) is not None:
                return ZERO
    store = client.server.store
    if store.notifier is None:
        db.setMany(argv[1::2], argv[2::2])
    else:
        for j in range(1, len(argv), 2):
            db.set(argv[j], argv[j + 1])
            # After each key, as Redis notifies.
            store.notify("$", b"set", argv[j], client.dbIndex)
    return ONE if nx else OK


@command(
    "mset", -3, ["write", "denyoom"], 1, -1, 2, group=_STRING, since="1.0.1",
    summary="Set multiple keys to multiple values",
)
def mset(client, argv):
    return _mset(client, argv, False)


@command(
    "msetnx", -3, ["write", "denyoom"], 1, -1, 2, group=_STRING, since="1.0.1",
    summary="Set multiple keys to multiple values, only if none of the keys exist",
)
def msetnx(client, argv):
    return _mset(client, argv, True)


def _incrBy(client, key, increment):
    """
    Redis's C{incrDecrCommand}: add to the integer held at C{key}.
    """
    db = client.db
    # getTyped and _notify, inline: INCR is a hot path.
    value = db.getForWrite(key)
    if value is None:
        old = 0
    elif type(value) is not bytes:
        raise CommandError(_WRONGTYPE)
    elif len(value) < 19 and value.isdigit() and (value[0] != 0x30 or len(value) == 1):
        # The common case, without string2ll's regular expression.
        old = int(value)
    else:
        old = parseInt(value)
        if old is None:
            raise CommandError(errors.NOT_INTEGER)
    new = old + increment
    if new > LLONG_MAX or new < LLONG_MIN:
        raise CommandError(errors.OVERFLOW)
    # INCR keeps the key's time to live (Redis's dbOverwrite).
    db.set(key, b"%d" % (new,), keepTTL=value is not None)
    store = client.server.store
    if store.notifier is not None:
        store.notify("$", b"incrby", key, client.dbIndex)
    return new


@command(
    "incr", 2, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Increment the integer value of a key by one",
)
def incr(client, argv):
    return _incrBy(client, argv[1], 1)


@command(
    "decr", 2, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Decrement the integer value of a key by one",
)
def decr(client, argv):
    return _incrBy(client, argv[1], -1)


@command(
    "incrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Increment the integer value of a key by the given amount",
)
def incrby(client, argv):
    return _incrBy(client, argv[1], integerArgument(argv[2]))


@command(
    "decrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Decrement the integer value of a key by the given number",
)
def decrby(client, argv):
    increment = integerArgument(argv[2])
    if increment == LLONG_MIN:
        # Negating it would overflow (Redis checks before the key).
        raise CommandError(errors.DECREMENT_OVERFLOW)
    return _incrBy(client, argv[1], -increment)


@command(
    "incrbyfloat", 3, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="2.6.0",
    summary="Increment the float value of a key by the given amount",
)
def incrbyfloat(client, argv):
    key = argv[1]
    db = client.db
    old = getStringForWrite(client, key)
    value = longdouble.parse(old) if old is not None else 0
    if value is None:
        raise CommandError(errors.NOT_FLOAT)
    increment = longdouble.parse(argv[2])
    if increment is None:
        raise CommandError(errors.NOT_FLOAT)
    total = longdouble.add(value, increment)
    if isinstance(total, float):
        # Only infinities and NaN are floats here.
        raise CommandError(errors.NAN_OR_INFINITY)
    new = longdouble.formatHuman(total)
    db.set(key, new, keepTTL=old is not None)
    _notify(client, b"incrbyfloat", key)
    # Replicated as the resulting value, so that no replica rounds again.
    client.propagateAs = [[b"SET", key, new, b"KEEPTTL"]]
    return new


@command(
    "append", 3, ["write", "denyoom", "fast"], 1, 1, 1, group=_STRING, since="2.0.0",
    summary="Append a value to a key",
)
def append(client, argv):
    key = argv[1]
    db = client.db
    value = getStringForWrite(client, key)
    if value is None:
        new = argv[2]
        db.set(key, new)
    else:
        _checkLength(client, len(value), len(argv[2]))
        new = value + argv[2]
        db.set(key, new, keepTTL=True)
    _notify(client, b"append", key)
    return len(new)


@command(
    "strlen", 2, ["readonly", "fast"], 1, 1, 1, group=_STRING, since="2.2.0",
    summary="Get the length of the value stored in a key",
)
def strlen(client, argv):
    value = getString(client, argv[1])
    return 0 if value is None else len(value)


@command(
    "setrange", 4, ["write", "denyoom"], 1, 1, 1, group=_STRING, since="2.2.0",
    summary="Overwrite part of a string at key starting at the specified offset",
)
def setrange(client, argv):
    key = argv[1]
    offset = parseInt(argv[2])
    if offset is None:
        raise CommandError(errors.NOT_INTEGER)
    if offset < 0:
        raise CommandError(errors.OFFSET_OUT_OF_RANGE)
    patch = argv[3]
    db = client.db
    value = getStringForWrite(client, key)
    if value is None:
        if not patch:
            return 0
        _checkLength(client, offset, len(patch))
        new = bytes(offset) + patch
        db.set(key, new)
    else:
        if not patch:
            return len(value)
        _checkLength(client, offset, len(patch))
        if offset > len(value):
            # Redis's sdsgrowzero: the gap is zero bytes.
            value += bytes(offset - len(value))
        new = value[:offset] + patch + value[offset + len(patch) :]
        db.set(key, new, keepTTL=True)
    _notify(client, b"setrange", key)
    return len(new)


def _getrange(client, argv):
    start = parseInt(argv[2])
    end = parseInt(argv[3])
    if start is None or end is None:
        raise CommandError(errors.NOT_INTEGER)
    value = getString(client, argv[1])
    if value is None:
        return b""
    size = len(value)
    if start < 0 and end < 0 and start > end:
        return b""
    if start < 0:
        start = max(size + start, 0)
    if end < 0:
        end = max(size + end, 0)
    if end >= size:
        end = size - 1
    if start > end or size == 0:
        return b""
    return value[start : end + 1]


@command(
    "getrange", 4, ["readonly"], 1, 1, 1, group=_STRING, since="2.4.0",
    summary="Get a substring of the string stored at a key",
)
def getrange(client, argv):
    return _getrange(client, argv)


@command(
    "substr", 4, ["readonly"], 1, 1, 1, group=_STRING, since="1.0.0",
    summary="Get a substring of the string stored at a key",
)
def substr(client, argv):
    return _getrange(client, argv)


def lcsTable(a, b):
    """
    The rows of the LCS dynamic programming table, bit-parallel: row C{i}
    is an integer whose zero bits among the low C{len(b)} mark the C{j}
    where C{LCS(a[:i], b[:j])} grows by one (Hyyro's algorithm), which
    costs C{len(a)} big-integer operations instead of C{len(a) * len(b)}
    Python steps.

    @return: a L{list} of C{len(a) + 1} L{int}s.
    """
    mask = (1 << len(b)) - 1
    matches = {}
    for j, byte in enumerate(b):
        matches[byte] = matches.get(byte, 0) | (1 << j)
    row = mask
    rows = [row]
    for byte in a:
        u = row & matches.get(byte, 0)
        row = ((row + u) | (row - u)) & mask
        rows.append(row)
    return rows


def lcsAt(rows, i, j):
    """
    C{LCS(a[:i], b[:j])} from L{lcsTable}'s rows: the zero bits of row
    C{i} below bit C{j}.
    """
    return j - (rows[i] & ((1 << j) - 1)).bit_count()


@command(
    "lcs", -3, ["readonly"], 1, 2, 1, group=_STRING, since="7.0.0",
    summary="Find longest common substring",
)
def lcs(client, argv):
    db = client.db
    a = db.get(argv[1])
    b = db.get(argv[2])
    if (a is not None and type(a) is not bytes) or (b is not None and type(b) is not bytes):
        raise CommandError(errors.LCS_NOT_STRINGS)
    a = a or b""
    b = b or b""
    getLen = getIdx = withMatchLen = False
    minMatchLen = 0
    j = 3
    while j < len(argv):
        opt = cString(argv[j])
        if opt == b"idx":
            getIdx = True
        elif opt == b"len":
            getLen = True
        elif opt == b"withmatchlen":
            withMatchLen = True
        elif opt == b"minmatchlen" and j < len(argv) - 1:
            minMatchLen = parseInt(argv[j + 1])
            if minMatchLen is None:
                raise CommandError(errors.NOT_INTEGER)
            minMatchLen = max(minMatchLen, 0)
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    if getIdx and getLen:
        raise CommandError(errors.LCS_LEN_AND_IDX)
    if (len(a) + 1) * (len(b) + 1) * 4 > client.server.config["proto-max-bulk-len"]:
        raise CommandError(errors.LCS_TOO_BIG)
    rows = lcsTable(a, b)
    alen = len(a)
    blen = len(b)
    total = lcsAt(rows, alen, blen)
    if getLen:
        return total
    # Walk back from the end as Redis does, collecting the string and the
    # matching ranges (longest-first, the order Redis emits them).
    result = bytearray(total)
    idx = total
    matches = []
    i, j = alen, blen
    aStart = alen  # alen: no range in progress
    aEnd = bStart = bEnd = 0
    while i > 0 and j > 0:
        emit = False
        if a[i - 1] == b[j - 1]:
            result[idx - 1] = a[i - 1]
            if aStart == alen:
                aStart = aEnd = i - 1
                bStart = bEnd = j - 1
            elif aStart == i and bStart == j:
                aStart -= 1
                bStart -= 1
            else:
                emit = True
            if aStart == 0 or bStart == 0:
                emit = True
            idx -= 1
            i -= 1
            j -= 1
        else:
            if lcsAt(rows, i - 1, j) > lcsAt(rows, i, j - 1):
                i -= 1
            else:
                j -= 1
            if aStart != alen:
                emit = True
        if emit:
            matchLen = aEnd - aStart + 1
            if getIdx and (minMatchLen == 0 or matchLen >= minMatchLen):
                match = [[aStart, aEnd], [bStart, bEnd]]
                if withMatchLen:
                    match.append(matchLen)
                matches.append(match)
            aStart = alen
    if getIdx:
        return Map([(b"matches", matches), (b"len", total)])
    return bytes(result)
