"""
Set commands.

A set is a L{Set}, a Python set of members (L{bytes}).  Redis 7.0 keeps a
set whose members are all integers (C{string2ll}-canonical) as a sorted
intset while it has at most C{set-max-intset-entries} members, and as a hash
table otherwise; OBJECT ENCODING shows which.  The encoding shows in replies:
an intset is walked in ascending numeric order, so every reply that walks
one (SMEMBERS, SSCAN, SINTER, SUNION, ...) lists intset members sorted here
too.  Hash-table order is Redis's own and is not reproduced.
"""

from txredisd import errors, resp
from txredisd.config import Config
from txredisd.cursors import EMPTY_SCAN, scanCollection
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MAX, parseInt
from txredisd.registry import command
from txredisd.sampling import invalidate, randomDistinctMembers, randomMember, randomMembers
from txredisd.store import registerType

# SPOP_MOVE_STRATEGY_MUL: past this ratio SPOP keeps a new set of the
# survivors instead of removing the popped members one by one.
_SPOP_MOVE_STRATEGY_MUL = 5
# The default configuration, for values built without a server at hand.
_DEFAULTS = Config()


class Set(set):
    """
    A set value.

    @ivar hashtable: L{True} once converted from intset to hash table
        encoding.
    @ivar scanSnapshots: SSCAN's cursor snapshots (see
        L{txredisd.cursors}), or L{None}.
    @ivar randomCache: the member list random picks use (see
        L{txredisd.sampling}), or L{None}.
    """

    __slots__ = ("hashtable", "scanSnapshots", "randomCache")

    def __init__(self, members=()):
        set.__init__(self, members)
        self.hashtable = False
        self.scanSnapshots = None
        self.randomCache = None

    @classmethod
    def fromPlain(cls, members):
        """
        A set loaded from a dump (see L{txredisd.persistence.values}).
        Redis derives the encoding of a loaded set from its contents; no
        server configuration is at hand here, so the default
        C{set-max-intset-entries} decides.
        """
        return _newSet(members, _DEFAULTS["set-max-intset-entries"])

    @classmethod
    def fromDump(cls, members, config, packed):
        """
        A set read from a DUMP payload: an intset while its members are
        integers and few enough (C{set-max-intset-entries}), as Redis's
        C{rdbLoadObject} builds it.
        """
        return _newSet(members, config["set-max-intset-entries"])


def _encoding(value):
    return b"hashtable" if value.hashtable else b"intset"


def _copy(value):
    # Redis's setTypeDup keeps the encoding: a hash-table set stays one
    # however few or numeric its members.
    duplicate = Set(value)
    duplicate.hashtable = value.hashtable
    return duplicate


registerType(Set, b"set", _encoding, copy=_copy)


def _notify(client, event, key, typeFlag="s"):
    client.server.store.notify(typeFlag, event, key, client.dbIndex)


def _maxIntset(client):
    return client.server.config["set-max-intset-entries"]


def _fitsIntset(members, maxEntries):
    """
    @return: whether Redis would keep C{members} as an intset.
    """
    if len(members) > maxEntries:
        return False
    for member in members:
        if parseInt(member) is None:
            return False
    return True


def _newSet(members, maxEntries):
    """
    A new set holding C{members}, encoded as Redis would encode a set built
    by adding them one by one to an empty intset.
    """
    value = Set(members)
    value.hashtable = not _fitsIntset(value, maxEntries)
    return value


def setMembers(value):
    """
    The members of a set in Redis's order: ascending numbers for an intset.
    """
    if value.hashtable:
        return list(value)
    return sorted(value, key=int)


def _resultOrder(members, maxEntries):
    """
    The members of a computed set (SUNION, SDIFF, whole-set SRANDMEMBER and
    SPOP) in the order Redis walks the set it builds for them.
    """
    if _fitsIntset(members, maxEntries):
        return sorted(members, key=int)
    return list(members)


def _add(value, members, maxEntries):
    """
    C{setTypeAdd} for each member, converting to a hash table on the first
    non-integer or when the intset grows too long.

    @return: the number of members added.
    """
    before = len(value)
    invalidate(value)
    if value.hashtable:
        value.update(members)
        return len(value) - before
    for member in members:
        if member not in value:
            value.add(member)
            if not value.hashtable and parseInt(member) is None:
                value.hashtable = True
    if len(value) > maxEntries:
        value.hashtable = True
    return len(value) - before


def _deleteIfEmpty(client, key, value):
    if not value:
        client.db.delete(key)
        _notify(client, b"del", key, "g")


@command("sadd", -3, ["write", "denyoom", "fast"], 1, 1, 1, group="set")
def sadd(client, argv):
    key = argv[1]
    db = client.db
    value = db.getTyped(key, Set, write=True)
    if value is None:
        value = Set()
        added = _add(value, argv[2:], _maxIntset(client))
        db.set(key, value)
    else:
        added = _add(value, argv[2:], _maxIntset(client))
        if added:
            db.modified(key, added)
    if added:
        _notify(client, b"sadd", key)
    return added


@command("srem", -3, ["write", "fast"], 1, 1, 1, group="set")
def srem(client, argv):
    key = argv[1]
    value = client.db.getTyped(key, Set, write=True)
    if value is None:
        return 0
    before = len(value)
    value.difference_update(argv[2:])
    removed = before - len(value)
    if removed:
        client.db.modified(key, removed)
        _notify(client, b"srem", key)
        _deleteIfEmpty(client, key, value)
    return removed


@command("smembers", 2, ["readonly"], 1, 1, 1, group="set")
def smembers(client, argv):
    # Redis 7.0 runs SMEMBERS as a one-key SINTER.
    return resp.Set(_intersection(client, argv[1:2], write=False))


@command("sismember", 3, ["readonly", "fast"], 1, 1, 1, group="set")
def sismember(client, argv):
    value = client.db.getTyped(argv[1], Set)
    return 1 if value is not None and argv[2] in value else 0


@command("smismember", -3, ["readonly", "fast"], 1, 1, 1, group="set")
def smismember(client, argv):
    value = client.db.getTyped(argv[1], Set)
    if value is None:
        return [0] * (len(argv) - 2)
    return [1 if member in value else 0 for member in argv[2:]]


@command("scard", 2, ["readonly", "fast"], 1, 1, 1, group="set")
def scard(client, argv):
    value = client.db.getTyped(argv[1], Set)
    return 0 if value is None else len(value)


@command("spop", -2, ["write", "fast"], 1, 1, 1, group="set")
def spop(client, argv):
    if len(argv) == 3:
        return _spopCount(client, argv)
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    key = argv[1]
    value = client.db.getTyped(key, Set, write=True)
    if value is None:
        return None
    member = randomMember(value)
    value.remove(member)
    client.db.modified(key)
    _notify(client, b"spop", key)
    # Replicas must remove the same member: propagate what was chosen.
    client.propagateAs = [[b"SREM", key, member]]
    _deleteIfEmpty(client, key, value)
    return member


def _spopCount(client, argv):
    count = parseInt(argv[2])
    if count is None or count < 0:
        raise CommandError(errors.NOT_POSITIVE)
    key = argv[1]
    db = client.db
    value = db.getTyped(key, Set, write=True)
    if value is None or count == 0:
        return resp.Set([])
    _notify(client, b"spop", key)
    size = len(value)
    if count >= size:
        # The whole set goes, propagated as a DEL.
        members = _resultOrder(value, _maxIntset(client))
        db.delete(key)
        _notify(client, b"del", key, "g")
        client.propagateAs = [[b"DEL", key]]
        return resp.Set(members)
    remaining = size - count
    if remaining * _SPOP_MOVE_STRATEGY_MUL > count:
        popped = randomDistinctMembers(value, count)
        value.difference_update(popped)
    else:
        # Redis picks the survivors into a new set (encoded afresh, so it
        # may become an intset again) and replies with the rest of the old
        # one in its order.
        kept = set(randomDistinctMembers(value, remaining))
        popped = [member for member in setMembers(value) if member not in kept]
        value.intersection_update(kept)
        value.hashtable = not _fitsIntset(value, _maxIntset(client))
    db.modified(key, count)
    client.propagateAs = [[b"SREM", key, member] for member in popped]
    return resp.Set(popped)


@command("srandmember", -2, ["readonly"], 1, 1, 1, group="set")
def srandmember(client, argv):
    if len(argv) == 2:
        value = client.db.getTyped(argv[1], Set)
        if value is None:
            return None
        return randomMember(value)
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    count = parseInt(argv[2])
    if count is None:
        raise CommandError(errors.NOT_INTEGER)
    if count < -LLONG_MAX:
        raise CommandError(errors.RANDOM_COUNT_RANGE)
    value = client.db.getTyped(argv[1], Set)
    if value is None or count == 0:
        return []
    if count < 0 or count == 1:
        # Repetitions allowed: independent draws.
        return randomMembers(value, abs(count))
    if count >= len(value):
        # The whole set, in its own order, as an array (SPOP answers a set).
        return setMembers(value)
    return randomDistinctMembers(value, count)


@command("smove", 4, ["write", "fast"], 1, 2, 1, group="set")
def smove(client, argv):
    source, destination, member = argv[1], argv[2], argv[3]
    db = client.db
    sourceValue = db.getForWrite(source)
    destinationValue = db.getForWrite(destination)
    if sourceValue is None:
        return 0
    if type(sourceValue) is not Set or (destinationValue is not None and type(destinationValue) is not Set):
        raise CommandError(errors.WRONGTYPE)
    if sourceValue is destinationValue:
        return 1 if member in sourceValue else 0
    if member not in sourceValue:
        return 0
    sourceValue.remove(member)
    db.modified(source)
    _notify(client, b"srem", source)
    _deleteIfEmpty(client, source, sourceValue)
    maxEntries = _maxIntset(client)
    if destinationValue is None:
        db.set(destination, _newSet([member], maxEntries))
        _notify(client, b"sadd", destination)
    elif _add(destinationValue, [member], maxEntries):
        db.modified(destination)
        _notify(client, b"sadd", destination)
    return 1


def _lookupSets(client, keys, write):
    """
    The sets at C{keys} (L{None} for missing ones); WRONGTYPE for the first
    key of another type.
    """
    getTyped = client.db.getTyped
    return [getTyped(key, Set, write) for key in keys]


def _intersection(client, keys, write, limit=0, cardinality=False):
    """
    SINTER's walk (C{sinterGenericCommand}): the smallest set in its order,
    keeping the members every other set holds.

    @return: the members in reply order, or their count (up to C{limit}
        unless it is 0) when C{cardinality} is set.
    """
    sets = _lookupSets(client, keys, write)
    if any(value is None for value in sets):
        return 0 if cardinality else []
    sets.sort(key=len)
    smallest, others = sets[0], sets[1:]
    if cardinality:
        if not others:
            return min(len(smallest), limit) if limit else len(smallest)
        found = 0
        for member in smallest:
            if all(member in other for other in others):
                found += 1
                if found == limit:
                    break
        return found
    members = setMembers(smallest)
    if not others:
        return members
    common = smallest.intersection(*others)
    return [member for member in members if member in common]


def _unionOrDifference(client, keys, write, union):
    """
    SUNION's or SDIFF's result (C{sunionDiffGenericCommand}), as a Python
    set.
    """
    sets = _lookupSets(client, keys, write)
    if union:
        result = set()
        for value in sets:
            if value is not None:
                result.update(value)
        return result
    first = sets[0]
    if first is None:
        return set()
    result = set(first)
    for value in sets[1:]:
        if value is not None:
            result.difference_update(value)
    return result


def _store(client, destination, members, event):
    """
    Store a computed set at C{destination} (replacing whatever was there),
    or delete C{destination} when the result is empty.

    @return: the size of the stored set.
    """
    db = client.db
    if members:
        db.set(destination, _newSet(members, _maxIntset(client)))
        _notify(client, event, destination)
        return len(members)
    if db.delete(destination):
        _notify(client, b"del", destination, "g")
    return 0


@command("sinter", -2, ["readonly"], 1, -1, 1, group="set")
def sinter(client, argv):
    return resp.Set(_intersection(client, argv[1:], write=False))


@command("sinterstore", -3, ["write", "denyoom"], 1, -1, 1, group="set")
def sinterstore(client, argv):
    members = _intersection(client, argv[2:], write=True)
    return _store(client, argv[1], members, b"sinterstore")


def _sintercardKeys(argv):
    numKeys = parseInt(argv[1]) if len(argv) > 1 else None
    if numKeys is None or numKeys < 1 or numKeys > len(argv) - 2:
        return []
    return list(range(2, 2 + numKeys))


@command("sintercard", -3, ["readonly", "movablekeys"], group="set", getKeys=_sintercardKeys)
def sintercard(client, argv):
    numKeys = parseInt(argv[1])
    if numKeys is None or numKeys < 1:
        raise CommandError(errors.NUMKEYS_NOT_POSITIVE)
    if numKeys > len(argv) - 2:
        raise CommandError(errors.NUMKEYS_TOO_MANY)
    limit = 0
    i = 2 + numKeys
    while i < len(argv):
        if argv[i].lower() == b"limit" and i + 1 < len(argv):
            limit = parseInt(argv[i + 1])
            if limit is None or limit < 0:
                raise CommandError(errors.LIMIT_NEGATIVE)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return _intersection(client, argv[2 : 2 + numKeys], write=False, limit=limit, cardinality=True)


def _unionOrDifferenceReply(client, keys, union):
    members = _unionOrDifference(client, keys, write=False, union=union)
    return resp.Set(_resultOrder(members, _maxIntset(client)))


@command("sunion", -2, ["readonly"], 1, -1, 1, group="set")
def sunion(client, argv):
    return _unionOrDifferenceReply(client, argv[1:], union=True)


@command("sunionstore", -3, ["write", "denyoom"], 1, -1, 1, group="set")
def sunionstore(client, argv):
    members = _unionOrDifference(client, argv[2:], write=True, union=True)
    return _store(client, argv[1], members, b"sunionstore")


@command("sdiff", -2, ["readonly"], 1, -1, 1, group="set")
def sdiff(client, argv):
    return _unionOrDifferenceReply(client, argv[1:], union=False)


@command("sdiffstore", -3, ["write", "denyoom"], 1, -1, 1, group="set")
def sdiffstore(client, argv):
    members = _unionOrDifference(client, argv[2:], write=True, union=False)
    return _store(client, argv[1], members, b"sdiffstore")


@command("sscan", -3, ["readonly"], 1, 1, 1, group="set")
def sscan(client, argv):
    result = scanCollection(client, argv, Set, setMembers)
    if result is None:
        return EMPTY_SCAN
    return list(result[:2])
