"""
Sorted set commands, as Redis 7.0's C{t_zset.c}.
"""

import math
import random
import re

from txredisd import blocking, errors, glob
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MAX, formatDouble, parseFloat, parseInt
from txredisd.registry import command
from txredisd.resp import EMPTY_ARRAY, NULL_ARRAY
from txredisd.store import typeName
from txredisd.zset import LEX_MAX, LEX_MIN, LexRange, ScoreRange, ZSet

_GROUP = "sorted_set"


# --- argument parsing --------------------------------------------------------


def _long(arg):
    # getLongFromObjectOrReply
    value = parseInt(arg)
    if value is None:
        raise CommandError(errors.NOT_INTEGER)
    return value


def _positiveLong(arg, message=errors.NOT_POSITIVE):
    # getPositiveLongFromObjectOrReply
    value = parseInt(arg)
    if value is None or value < 0:
        raise CommandError(message)
    return value


def _rangeLong(arg, low, message):
    # getRangeLongFromObjectOrReply with a message for both failures.
    value = parseInt(arg)
    if value is None or value < low:
        raise CommandError(message)
    return value


def parseDoubleArg(arg, message=errors.NOT_FLOAT):
    """
    A double argument (C{getDoubleFromObjectOrReply}).
    """
    value = parseFloat(arg)
    if value is None:
        raise CommandError(message)
    return value


_STRTOD = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)",
    re.IGNORECASE,
)
_HEX = re.compile(rb"[+-]?0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?", re.IGNORECASE)


def _strtod(data):
    """
    C{strtod} as C{zslParseRange} uses it: leading white space allowed,
    nothing after the number, overflow to infinity, and an empty string is
    0.  The argument is read as a C string, so a NUL byte ends it.

    @return: L{float}, or L{None} (NaN is refused too).
    """
    data = data.split(b"\x00", 1)[0]
    text = data.lstrip(b" \t\n\v\f\r")
    if not text:
        return 0.0 if not data else None
    if _HEX.fullmatch(text):
        sign = -1.0 if text[:1] == b"-" else 1.0
        body = text.lstrip(b"+-")
        try:
            return sign * float.fromhex(body.decode("ascii"))
        except OverflowError:
            return sign * math.inf
    if not _STRTOD.fullmatch(text):
        return None
    value = float(text)
    return None if math.isnan(value) else value


def parseScoreRange(low, high):
    """
    Parse ZRANGEBYSCORE-style bounds (C{zslParseRange}): C{(} makes a
    bound exclusive.

    @return: a L{ScoreRange}.
    @raise CommandError: C{ERR min or max is not a float}.
    """
    bounds = []
    for arg in (low, high):
        exclusive = arg[:1] == b"("
        value = _strtod(arg[1:] if exclusive else arg)
        if value is None:
            raise CommandError(errors.ZRANGE_NOT_FLOAT)
        bounds += [value, exclusive]
    return ScoreRange(*bounds)


def _lexItem(arg):
    # zslParseLexRangeItem
    first = arg[:1]
    if first == b"+" and len(arg) == 1:
        return LEX_MAX, True
    if first == b"-" and len(arg) == 1:
        return LEX_MIN, True
    if first == b"(":
        return arg[1:], True
    if first == b"[":
        return arg[1:], False
    raise CommandError(errors.ZRANGE_NOT_LEX)


def parseLexRange(low, high):
    """
    Parse ZRANGEBYLEX bounds: C{-}, C{+}, C{[member}, C{(member}.

    @return: a L{LexRange}.
    """
    low, lowex = _lexItem(low)
    high, highex = _lexItem(high)
    return LexRange(low, lowex, high, highex)


def _numkeysPositions(numkeysIndex, before=()):
    """
    A C{getKeys} for commands whose keys follow a count.  When the count
    is not a valid one Redis's key specs give up and its getkeys procs
    (C{zunionInterDiffStoreGetKeys}, C{genericGetKeys}) read the count with
    C{atoi} and find no key at all, not even a destination, unless it is
    between 1 and the number of arguments left.
    """

    def getKeys(argv):
        if len(argv) <= numkeysIndex:
            return []
        match = re.match(rb"\s*[+-]?[0-9]+", argv[numkeysIndex])
        count = int(match.group()) if match else 0
        first = numkeysIndex + 1
        if count < 1 or count > len(argv) - first:
            return []
        keys = list(range(first, first + count))
        if parseInt(argv[numkeysIndex]) is None:
            # The getkeys proc lists the destination after the sources.
            return keys + list(before)
        return list(before) + keys

    return getKeys


# --- shared helpers ----------------------------------------------------------


def _limits(client):
    config = client.server.config
    return config["zset-max-listpack-entries"], config["zset-max-listpack-value"]


def newZSet(client, pairs):
    """
    A sorted set built by a command (ZUNIONSTORE, ZRANGESTORE, GEO ...
    STORE), with the encoding Redis gives such results
    (C{zsetConvertToListpackIfNeeded}).

    @param pairs: C{(member, score)} pairs.
    """
    return ZSet.fromPlain(pairs, *_limits(client))


def storeResult(client, key, zset, event):
    """
    Store a computed sorted set at C{key}, or delete C{key} when it is
    empty, as Redis's C{*STORE} commands do.

    @return: the reply (the number of members stored).
    """
    db = client.db
    store = client.server.store
    if len(zset):
        db.set(key, zset)
        store.notify("z", event, key, client.dbIndex)
        client.server.blocking.signal(client.dbIndex, key)
        return len(zset)
    if db.delete(key):
        store.notify("g", b"del", key, client.dbIndex)
    return 0


def scoredReply(client, pairs, withScores):
    """
    Members, with their scores when asked: a flat array in RESP2, an array
    of pairs in RESP3.

    @param pairs: C{(score, member)} pairs in reply order.
    """
    if not withScores:
        return [member for score, member in pairs]
    if client.resp3:
        return [[member, score] for score, member in pairs]
    out = []
    for score, member in pairs:
        out.append(member)
        out.append(score)
    return out


def _getZSet(client, key, write=False):
    return client.db.getTyped(key, ZSet, write)


def _removed(client, key, zset, event, count):
    """
    Bookkeeping after removing C{count} members from the set at C{key}.
    """
    if not count:
        return
    store = client.server.store
    db = client.db
    store.notify("z", event, key, client.dbIndex)
    if not len(zset):
        db.delete(key)
        store.notify("g", b"del", key, client.dbIndex)
        count -= 1
    if count:
        db.modified(key, count)


# --- adding ------------------------------------------------------------------


_ZADD_OPTIONS = frozenset([b"nx", b"xx", b"ch", b"incr", b"gt", b"lt"])


def zaddGeneric(client, argv, incr):
    """
    C{zaddGenericCommand}: ZADD, and ZINCRBY (C{incr} set).
    """
    options = set()
    index = 2
    while index < len(argv) and argv[index].lower() in _ZADD_OPTIONS:
        options.add(argv[index].lower())
        index += 1
    nx, xx, gt, lt, ch = (name in options for name in (b"nx", b"xx", b"gt", b"lt", b"ch"))
    incr = incr or b"incr" in options
    rest = argv[index:]
    if not rest or len(rest) % 2:
        raise CommandError(errors.SYNTAX)
    if nx and xx:
        raise CommandError(errors.ZADD_XX_NX)
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise CommandError(errors.ZADD_GT_LT_NX)
    if incr and len(rest) > 2:
        raise CommandError(errors.ZADD_INCR_PAIR)
    pairs = [(parseDoubleArg(rest[i]), rest[i + 1]) for i in range(0, len(rest), 2)]

    key = argv[1]
    db = client.db
    zset = _getZSet(client, key, write=True)
    isNew = zset is None
    if isNew:
        if xx:
            return None if incr else 0
        zset = ZSet()
    maxEntries, maxValue = _limits(client)
    added = updated = processed = 0
    result = None
    for score, member in pairs:
        current = zset.scores.get(member)
        if current is not None:
            if nx:
                continue
            if incr:
                score += current
                if math.isnan(score):
                    raise CommandError(errors.ZSET_NAN)
            if (lt and score >= current) or (gt and score <= current):
                continue
            processed += 1
            result = score
            if score != current:
                zset.add(member, score)
                updated += 1
        elif not xx:
            # zsetAdd converts a listpack before inserting the member that
            # outgrows it, so that member keeps a -0 score.
            if zset.listpack and (len(zset.scores) + 1 > maxEntries or len(member) > maxValue):
                zset.listpack = False
            zset.add(member, score)
            added += 1
            processed += 1
            result = score
    changes = added + updated
    if changes:
        if isNew:
            db.set(key, zset)
            changes -= 1
        if changes:
            db.modified(key, changes)
        client.server.store.notify("z", b"zincr" if incr else b"zadd", key, client.dbIndex)
        if added:
            client.server.blocking.signal(client.dbIndex, key)
    if incr:
        return result if processed else None
    return added + updated if ch else added


@command("zadd", -4, ["write", "denyoom", "fast"], 1, 1, 1, group=_GROUP)
def zadd(client, argv):
    return zaddGeneric(client, argv, False)


@command("zincrby", 4, ["write", "denyoom", "fast"], 1, 1, 1, group=_GROUP)
def zincrby(client, argv):
    return zaddGeneric(client, argv, True)


# --- reading -----------------------------------------------------------------


@command("zcard", 2, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zcard(client, argv):
    zset = _getZSet(client, argv[1])
    return len(zset) if zset is not None else 0


@command("zscore", 3, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zscore(client, argv):
    zset = _getZSet(client, argv[1])
    return zset.score(argv[2]) if zset is not None else None


@command("zmscore", -3, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zmscore(client, argv):
    zset = _getZSet(client, argv[1])
    if zset is None:
        return [None] * (len(argv) - 2)
    return [zset.score(member) for member in argv[2:]]


def _rank(client, argv, reverse):
    zset = _getZSet(client, argv[1])
    if zset is None:
        return None
    rank = zset.rank(argv[2])
    if rank is None:
        return None
    return len(zset) - 1 - rank if reverse else rank


@command("zrank", 3, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zrank(client, argv):
    return _rank(client, argv, False)


@command("zrevrank", 3, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zrevrank(client, argv):
    return _rank(client, argv, True)


def _count(client, argv, parse, count):
    spec = parse(argv[2], argv[3])
    zset = _getZSet(client, argv[1])
    if zset is None:
        return 0
    return count(zset, spec)


def _scoreCount(zset, spec):
    start, stop = zset.scoreBounds(spec)
    return stop - start


@command("zcount", 4, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zcount(client, argv):
    return _count(client, argv, parseScoreRange, _scoreCount)


@command("zlexcount", 4, ["readonly", "fast"], 1, 1, 1, group=_GROUP)
def zlexcount(client, argv):
    return _count(client, argv, parseLexRange, ZSet.lexCount)


# --- ranges ------------------------------------------------------------------

_RANK, _SCORE, _LEX = "rank", "score", "lex"


def rankSlice(length, start, end):
    """
    Redis's index sanitising for rank ranges.

    @return: C{(start, stop)} with C{stop} exclusive, empty when
        C{start >= stop}.
    """
    if start < 0:
        start += length
    if end < 0:
        end += length
    if start < 0:
        start = 0
    if start > end or start >= length:
        return 0, 0
    if end >= length:
        end = length - 1
    return start, end + 1


def _zrange(client, argv, first, store, rangeType, reverse):
    """
    C{zrangeGenericCommand}: every ZRANGE flavour and ZRANGESTORE.

    @param first: the index of the source key.
    @param rangeType: L{_RANK}, L{_SCORE}, L{_LEX}, or L{None} to take it
        from BYSCORE/BYLEX.
    @param reverse: L{True}/L{False}, or L{None} to take it from REV.
    """
    key = argv[first]
    lowIndex, highIndex = first + 1, first + 2
    withScores = False
    offset, limit = 0, -1
    j = first + 3
    while j < len(argv):
        option = argv[j].lower()
        left = len(argv) - j - 1
        if not store and option == b"withscores":
            withScores = True
        elif option == b"limit" and left >= 2:
            offset = _long(argv[j + 1])
            limit = _long(argv[j + 2])
            j += 2
        elif reverse is None and option == b"rev":
            reverse = True
        elif rangeType is None and option == b"bylex":
            rangeType = _LEX
        elif rangeType is None and option == b"byscore":
            rangeType = _SCORE
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    reverse = bool(reverse)
    rangeType = rangeType or _RANK
    if limit != -1 and rangeType == _RANK:
        raise CommandError(errors.ZRANGE_LIMIT)
    if withScores and rangeType == _LEX:
        raise CommandError(errors.ZRANGE_BYLEX_WITHSCORES)
    if reverse and rangeType != _RANK:
        # Reverse score and lex ranges are given as max, min.
        lowIndex, highIndex = highIndex, lowIndex
    if rangeType == _RANK:
        start, end = _long(argv[lowIndex]), _long(argv[highIndex])
    elif rangeType == _SCORE:
        spec = parseScoreRange(argv[lowIndex], argv[highIndex])
    else:
        spec = parseLexRange(argv[lowIndex], argv[highIndex])

    zset = _getZSet(client, key)
    if zset is None:
        pairs = []
    elif rangeType == _RANK:
        low, stop = rankSlice(len(zset), start, end)
        length = len(zset)
        if reverse:
            pairs = zset.entries[length - stop : length - low][::-1]
        else:
            pairs = zset.entries[low:stop]
    else:
        if rangeType == _SCORE:
            low, stop = zset.scoreBounds(spec)
        elif zset.uniform():
            low, stop = zset.lexSpan(spec)
        else:
            pairs = _lexWalk(zset, spec, offset, limit, reverse)
            low = stop = None
        if low is not None:
            pairs = _limitRange(zset, low, stop, offset, limit, reverse)
    if store:
        return storeResult(
            client, argv[1], newZSet(client, [(m, s) for s, m in pairs]), b"zrangestore"
        )
    return scoredReply(client, pairs, withScores)


def _lexWalk(zset, spec, offset, limit, reverse):
    # genericZrangebylexCommand's walk on a set whose scores differ: from
    # the first (last) member in range, the offset is skipped without
    # looking at the members (a negative one skips them all), then members
    # are taken while they stay below the maximum (above the minimum).
    if reverse:
        index, inside = zset.lastInLex(spec), spec.gteMin
    else:
        index, inside = zset.firstInLex(spec), spec.lteMax
    if index is None or offset < 0:
        return []
    if reverse:
        if offset > index:
            return []
        run = zset.entries.islice(0, index - offset + 1, reverse=True)
    else:
        run = zset.entries.islice(index + offset)
    pairs = []
    for pair in run:
        if limit == 0 or not inside(pair[1]):
            break
        pairs.append(pair)
        limit -= 1
    return pairs


def _limitRange(zset, low, stop, offset, limit, reverse):
    # genericZrangebyscoreCommand's LIMIT: a negative offset skips
    # everything, a negative count takes everything.
    if offset < 0 or low >= stop:
        return []
    entries = zset.entries
    if reverse:
        stop -= offset
        if limit >= 0:
            low = max(low, stop - limit)
        return entries[low:stop][::-1] if low < stop else []
    low += offset
    if limit >= 0:
        stop = min(stop, low + limit)
    return entries[low:stop] if low < stop else []


def _rangeCommand(name, arity, flags, lastKey, first, store, rangeType, reverse):
    # Every ZRANGE flavour is zrangeGenericCommand with fixed arguments.
    def handler(client, argv):
        return _zrange(client, argv, first, store, rangeType, reverse)

    handler.__name__ = name
    return command(name, arity, flags, 1, lastKey, 1, group=_GROUP)(handler)


zrange = _rangeCommand("zrange", -4, ["readonly"], 1, 1, False, None, None)
zrangestore = _rangeCommand("zrangestore", -5, ["write", "denyoom"], 2, 2, True, None, None)
zrevrange = _rangeCommand("zrevrange", -4, ["readonly"], 1, 1, False, _RANK, True)
zrangebyscore = _rangeCommand("zrangebyscore", -4, ["readonly"], 1, 1, False, _SCORE, False)
zrevrangebyscore = _rangeCommand("zrevrangebyscore", -4, ["readonly"], 1, 1, False, _SCORE, True)
zrangebylex = _rangeCommand("zrangebylex", -4, ["readonly"], 1, 1, False, _LEX, False)
zrevrangebylex = _rangeCommand("zrevrangebylex", -4, ["readonly"], 1, 1, False, _LEX, True)


# --- removing ----------------------------------------------------------------


@command("zrem", -3, ["write", "fast"], 1, 1, 1, group=_GROUP)
def zrem(client, argv):
    key = argv[1]
    zset = _getZSet(client, key, write=True)
    if zset is None:
        return 0
    deleted = 0
    for member in argv[2:]:
        if zset.remove(member):
            deleted += 1
            if not len(zset):
                break
    _removed(client, key, zset, b"zrem", deleted)
    return deleted


def _zremrange(client, argv, rangeType):
    if rangeType == _RANK:
        start, end = _long(argv[2]), _long(argv[3])
    elif rangeType == _SCORE:
        spec = parseScoreRange(argv[2], argv[3])
    else:
        spec = parseLexRange(argv[2], argv[3])
    key = argv[1]
    zset = _getZSet(client, key, write=True)
    if zset is None:
        return 0
    if rangeType == _RANK:
        low, stop = rankSlice(len(zset), start, end)
    elif rangeType == _SCORE:
        low, stop = zset.scoreBounds(spec)
    else:
        low, stop = zset.lexRemoveBounds(spec)
    deleted = zset.removeRange(low, stop)
    _removed(client, key, zset, b"zremrangeby" + rangeType.encode("ascii"), deleted)
    return deleted


@command("zremrangebyrank", 4, ["write"], 1, 1, 1, group=_GROUP)
def zremrangebyrank(client, argv):
    return _zremrange(client, argv, _RANK)


@command("zremrangebyscore", 4, ["write"], 1, 1, 1, group=_GROUP)
def zremrangebyscore(client, argv):
    return _zremrange(client, argv, _SCORE)


@command("zremrangebylex", 4, ["write"], 1, 1, 1, group=_GROUP)
def zremrangebylex(client, argv):
    return _zremrange(client, argv, _LEX)


# --- popping -----------------------------------------------------------------


def _popFrom(client, key, zset, maximum, count):
    """
    Remove up to C{count} members from one end of C{zset}.

    @return: the removed C{(score, member)} pairs in pop order.
    """
    length = len(zset)
    count = min(count, length)
    if maximum:
        pairs = zset.entries[length - count :][::-1]
        zset.removeRange(length - count, length)
    else:
        pairs = zset.entries[:count]
        zset.removeRange(0, count)
    _removed(client, key, zset, b"zpopmax" if maximum else b"zpopmin", count)
    return pairs


def _popReply(client, key, pairs, nested, withKey):
    # genericZpopCommand's four reply shapes.
    if nested:
        items = [[member, score] for score, member in pairs]
        return [key, items] if withKey else items
    flat = [key] if withKey else []
    for score, member in pairs:
        flat.append(member)
        flat.append(score)
    return flat


def _zpop(client, argv, maximum):
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    count = _positiveLong(argv[2]) if len(argv) == 3 else None
    key = argv[1]
    zset = _getZSet(client, key, write=True)
    if zset is None or count == 0:
        return EMPTY_ARRAY
    pairs = _popFrom(client, key, zset, maximum, 1 if count is None else count)
    return _popReply(client, key, pairs, client.resp3 and count is not None, False)


@command("zpopmin", -2, ["write", "fast"], 1, 1, 1, group=_GROUP)
def zpopmin(client, argv):
    return _zpop(client, argv, False)


@command("zpopmax", -2, ["write", "fast"], 1, 1, 1, group=_GROUP)
def zpopmax(client, argv):
    return _zpop(client, argv, True)


def _popFirst(client, keys, maximum, count, retrying=False):
    """
    Pop from the first non-empty sorted set among C{keys}, setting what to
    propagate (Redis replicates BZPOP* and BZMPOP as ZPOPMIN/ZPOPMAX).

    @param count: L{None} for the BZPOPMIN/BZPOPMAX shape, else the
        ZMPOP count.
    @param retrying: when serving a blocked client, keys of other types
        are passed over instead of failing.
    @return: the reply, or L{None} when every key is empty.
    """
    db = client.db
    for key in keys:
        zset = db.getForWrite(key)
        if zset is None:
            continue
        if type(zset) is not ZSet:
            if retrying:
                continue
            raise CommandError(errors.WRONGTYPE)
        name = b"ZPOPMAX" if maximum else b"ZPOPMIN"
        if count is None:
            client.propagateAs = [[name, key]]
            pairs = _popFrom(client, key, zset, maximum, 1)
            return _popReply(client, key, pairs, False, True)
        client.propagateAs = [[name, key, b"%d" % (min(count, len(zset)),)]]
        pairs = _popFrom(client, key, zset, maximum, count)
        return _popReply(client, key, pairs, True, True)
    return None


def _blockingPop(client, keys, timeout, maximum, count):
    """
    C{blockingGenericZpopCommand}: pop now, or block until a key can serve.
    """
    server = client.server
    deadline = blocking.parseTimeout(timeout, server.store.now)
    reply = _popFirst(client, keys, maximum, count)
    if reply is not None:
        return reply
    if not server.blocking.canBlock(client):
        return NULL_ARRAY

    def retry():
        return _popFirst(client, keys, maximum, count, retrying=True)

    return server.blocking.block(client, keys, deadline, retry)


@command("bzpopmin", -3, ["write", "noscript", "blocking", "fast"], 1, -2, 1, group=_GROUP)
def bzpopmin(client, argv):
    return _blockingPop(client, argv[1:-1], argv[-1], False, None)


@command("bzpopmax", -3, ["write", "noscript", "blocking", "fast"], 1, -2, 1, group=_GROUP)
def bzpopmax(client, argv):
    return _blockingPop(client, argv[1:-1], argv[-1], True, None)


def _parseMPop(argv, numkeysIndex):
    """
    Parse ZMPOP/BZMPOP's C{numkeys key [key ...] MIN|MAX [COUNT count]}.

    @return: C{(keys, maximum, count)}.
    """
    numkeys = _rangeLong(argv[numkeysIndex], 1, errors.NUMKEYS_NOT_POSITIVE)
    whereIndex = numkeysIndex + numkeys + 1
    if whereIndex >= len(argv):
        raise CommandError(errors.SYNTAX)
    where = argv[whereIndex].lower()
    if where not in (b"min", b"max"):
        raise CommandError(errors.SYNTAX)
    count = None
    j = whereIndex + 1
    while j < len(argv):
        if count is None and argv[j].lower() == b"count" and j + 1 < len(argv):
            count = _rangeLong(argv[j + 1], 1, errors.COUNT_NOT_POSITIVE)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    return argv[numkeysIndex + 1 : whereIndex], where == b"max", count or 1


@command(
    "zmpop", -4, ["write"], 0, 0, 0, group=_GROUP, getKeys=_numkeysPositions(1)
)
def zmpop(client, argv):
    keys, maximum, count = _parseMPop(argv, 1)
    db = client.db
    for key in keys:
        zset = db.getTyped(key, ZSet, write=True)
        if zset is not None:
            pairs = _popFrom(client, key, zset, maximum, count)
            return _popReply(client, key, pairs, True, True)
    return NULL_ARRAY


@command(
    "bzmpop", -5, ["write", "blocking"], 0, 0, 0, group=_GROUP, getKeys=_numkeysPositions(2)
)
def bzmpop(client, argv):
    keys, maximum, count = _parseMPop(argv, 2)
    return _blockingPop(client, keys, argv[1], maximum, count)


# --- random members ----------------------------------------------------------


@command("zrandmember", -2, ["readonly"], 1, 1, 1, group=_GROUP)
def zrandmember(client, argv):
    if len(argv) == 2:
        zset = _getZSet(client, argv[1])
        if zset is None:
            return None
        return zset.entries[random.randrange(len(zset))][1]
    count = parseInt(argv[2])
    if count is None:
        raise CommandError(errors.NOT_INTEGER)
    if count < -LLONG_MAX:
        raise CommandError(errors.ZRANDMEMBER_RANGE)
    withScores = False
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withscores"):
        raise CommandError(errors.SYNTAX)
    if len(argv) == 4:
        withScores = True
        if count < -LLONG_MAX // 2 or count > LLONG_MAX // 2:
            raise CommandError(errors.ZRANDMEMBER_WITHSCORES_RANGE)
    zset = _getZSet(client, argv[1])
    if zset is None or count == 0:
        return EMPTY_ARRAY
    entries = zset.entries
    if count < 0:
        pairs = [entries[random.randrange(len(entries))] for _ in range(-count)]
    elif count >= len(entries):
        # The whole set, in no particular order.
        pairs = random.sample(list(entries), len(entries))
    else:
        pairs = [entries[i] for i in random.sample(range(len(entries)), count)]
    return scoredReply(client, pairs, withScores)


# --- set algebra -------------------------------------------------------------

_UNION, _INTER, _DIFF = "union", "inter", "diff"


def _sourceItems(value):
    """
    The C{(member, score)} pairs of a sorted set, or of a set (every
    member scoring 1, as Redis's C{zuiNext}).
    """
    if type(value) is ZSet:
        return [(member, score) for score, member in value.entries]
    return [(member, 1.0) for member in value]


def _sourceScore(value, member):
    if type(value) is ZSet:
        return value.scores.get(member)
    return 1.0 if member in value else None


def _aggregate(target, value, how):
    # zunionInterAggregate: inf + -inf sums to 0, as Redis.
    if how == b"sum":
        target += value
        return 0.0 if math.isnan(target) else target
    if how == b"min":
        return value if value < target else target
    return value if value > target else target


def _combine(client, argv, numkeysIndex, op, destination=None, cardinalityOnly=False):
    """
    C{zunionInterDiffGenericCommand}.

    @return: the resulting C{{member: score}}, or the cardinality when
        C{cardinalityOnly}, with whether WITHSCORES was given.
    """
    name = argv[0].lower().decode("ascii", "replace")
    setnum = _long(argv[numkeysIndex])
    if setnum < 1:
        raise CommandError(errors.zsetNoKeys(name))
    if setnum > len(argv) - numkeysIndex - 1:
        raise CommandError(errors.SYNTAX)
    db = client.db
    sources = []
    for key in argv[numkeysIndex + 1 : numkeysIndex + 1 + setnum]:
        value = db.get(key)
        if value is not None and type(value) is not ZSet and typeName(value) != b"set":
            raise CommandError(errors.WRONGTYPE)
        sources.append(value)
    weights = [1.0] * setnum
    how = b"sum"
    withScores = False
    limit = 0
    j = numkeysIndex + 1 + setnum
    while j < len(argv):
        remaining = len(argv) - j
        option = argv[j].lower()
        combining = op != _DIFF and not cardinalityOnly
        if combining and remaining >= setnum + 1 and option == b"weights":
            weights = [parseDoubleArg(arg, errors.ZSET_WEIGHT) for arg in argv[j + 1 : j + 1 + setnum]]
            j += setnum + 1
        elif combining and remaining >= 2 and option == b"aggregate":
            how = argv[j + 1].lower()
            if how not in (b"sum", b"min", b"max"):
                raise CommandError(errors.SYNTAX)
            j += 2
        elif destination is None and not cardinalityOnly and option == b"withscores":
            withScores = True
            j += 1
        elif cardinalityOnly and remaining >= 2 and option == b"limit":
            limit = _positiveLong(argv[j + 1], errors.LIMIT_NEGATIVE)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)

    sources = list(zip(sources, weights))
    if op != _DIFF:
        # Smallest first, as Redis sorts its inputs (glibc's qsort is a
        # merge sort, so equal sizes keep their order).
        sources.sort(key=lambda item: len(item[0]) if item[0] is not None else 0)
    result = {}
    if op == _INTER:
        first, firstWeight = sources[0]
        cardinality = 0
        if first is not None and len(first):
            for member, score in _sourceItems(first):
                score *= firstWeight
                if math.isnan(score):
                    score = 0.0
                for other, weight in sources[1:]:
                    value = _sourceScore(other, member) if other is not None else None
                    if value is None:
                        break
                    score = _aggregate(score, value * weight, how)
                else:
                    if cardinalityOnly:
                        cardinality += 1
                        if limit and cardinality >= limit:
                            break
                    else:
                        result[member] = score
        if cardinalityOnly:
            return cardinality, False
    elif op == _UNION:
        for source, weight in sources:
            if source is None:
                continue
            for member, score in _sourceItems(source):
                score *= weight
                if math.isnan(score):
                    score = 0.0
                if member in result:
                    result[member] = _aggregate(result[member], score, how)
                else:
                    result[member] = score
    else:
        first = sources[0][0]
        if first is not None:
            others = [source for source, weight in sources[1:] if source is not None]
            for member, score in _sourceItems(first):
                if not any(_sourceScore(other, member) is not None for other in others):
                    result[member] = score
    return result, withScores


def _algebraCommands(op):
    # ZUNION/ZINTER/ZDIFF and their STORE variants.
    flags = ["readonly"]

    def reply(client, argv):
        result, withScores = _combine(client, argv, 1, op)
        pairs = sorted((score, member) for member, score in result.items())
        return scoredReply(client, pairs, withScores)

    def store(client, argv):
        result, _ = _combine(client, argv, 2, op, destination=argv[1])
        zset = newZSet(client, result.items())
        return storeResult(client, argv[1], zset, b"z" + op.encode("ascii") + b"store")

    name = "z" + op
    reply.__name__, store.__name__ = name, name + "store"
    command(name, -3, flags, 0, 0, 0, group=_GROUP, getKeys=_numkeysPositions(1))(reply)
    command(
        name + "store", -4, ["write", "denyoom"], 0, 0, 0, group=_GROUP,
        getKeys=_numkeysPositions(2, before=(1,)),
    )(store)
    return reply, store


zunion, zunionstore = _algebraCommands(_UNION)
zinter, zinterstore = _algebraCommands(_INTER)
zdiff, zdiffstore = _algebraCommands(_DIFF)


@command("zintercard", -3, ["readonly"], 0, 0, 0, group=_GROUP, getKeys=_numkeysPositions(1))
def zintercard(client, argv):
    cardinality, _ = _combine(client, argv, 1, _INTER, cardinalityOnly=True)
    return cardinality


# --- scanning ----------------------------------------------------------------

_ULONG_MAX = (1 << 64) - 1
_CURSOR = re.compile(rb"[+-]?[0-9]+")


def parseCursor(arg):
    """
    A SCAN cursor as Redis's C{parseScanCursorOrReply} (C{strtoul}).
    """
    if not _CURSOR.fullmatch(arg):
        raise CommandError(errors.INVALID_CURSOR)
    value = int(arg)
    if abs(value) > _ULONG_MAX:
        raise CommandError(errors.INVALID_CURSOR)
    return value & _ULONG_MAX


@command("zscan", -3, ["readonly"], 1, 1, 1, group=_GROUP)
def zscan(client, argv):
    cursor = parseCursor(argv[2])
    zset = _getZSet(client, argv[1])
    if zset is None:
        return [b"0", []]
    count = 10
    pattern = None
    i = 3
    while i < len(argv):
        option = argv[i].lower()
        if option == b"count" and len(argv) - i >= 2:
            count = _long(argv[i + 1])
            if count < 1:
                raise CommandError(errors.SYNTAX)
            i += 2
        elif option == b"match" and len(argv) - i >= 2:
            pattern = argv[i + 1] if argv[i + 1] != b"*" else None
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    entries = zset.entries
    if zset.listpack:
        # A listpack is answered whole in one call, whatever the cursor.
        batch, cursor = entries, 0
    else:
        # Redis walks its hash table; the cursor here is a rank instead,
        # which gives the same guarantees for a set left unchanged.
        batch = entries[cursor : cursor + count]
        cursor = cursor + count if cursor + count < len(entries) else 0
    if pattern is not None:
        compiled = glob.compile(pattern)
        batch = [(s, m) for s, m in batch if compiled.match(m)]
    out = []
    for score, member in batch:
        out.append(member)
        out.append(formatDouble(score))
    return [b"%d" % (cursor,), out]
