"""
Hash commands.

A hash is a L{Hash}, a dict of field to value (both L{bytes}).  Redis 7.0
keeps small hashes as a listpack and converts them, once and for good, to a
hash table when they get more than C{hash-max-listpack-entries} fields or a
field or value longer than C{hash-max-listpack-value} bytes; OBJECT ENCODING
shows which, and the order of HGETALL and friends depends on it.  A Python
dict keeps insertion order, updates in place and removals closing the gap,
exactly as a listpack does, so a listpack-encoded hash answers in Redis's
own order; the C{hashtable} flag only records the conversion.
"""

from txredisd import errors, longdouble, resp
from txredisd.config import Config
from txredisd.cursors import EMPTY_SCAN, scanCollection
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MAX, LLONG_MIN, parseInt
from txredisd.registry import command
from txredisd.sampling import invalidate, randomDistinctMembers, randomMember, randomMembers
from txredisd.store import registerType

# LONG_MAX, the bound of getRangeLongFromObjectOrReply in HRANDFIELD.
_LONG_MAX = LLONG_MAX
# The default configuration, for values built without a server at hand.
_DEFAULTS = Config()


class Hash(dict):
    """
    A hash value.

    @ivar hashtable: L{True} once converted from listpack to hash table
        encoding (Redis never converts back).
    @ivar scanSnapshots: HSCAN's cursor snapshots (see
        L{txredisd.cursors}), or L{None}.
    @ivar randomCache: the field list random picks use (see
        L{txredisd.sampling}), or L{None}.
    """

    __slots__ = ("hashtable", "scanSnapshots", "randomCache")

    def __init__(self):
        dict.__init__(self)
        self.hashtable = False
        self.scanSnapshots = None
        self.randomCache = None

    @classmethod
    def fromPlain(cls, pairs):
        """
        A hash loaded from a dump (see L{txredisd.persistence.values}).
        Redis derives the encoding of a loaded hash from its contents; no
        server configuration is at hand here, so the default thresholds
        decide.

        @param pairs: C{(field, value)} pairs in order.
        """
        value = cls()
        value.update(pairs)
        maxValue = _DEFAULTS["hash-max-listpack-value"]
        value.hashtable = len(value) > _DEFAULTS["hash-max-listpack-entries"] or any(
            len(field) > maxValue or len(data) > maxValue for field, data in value.items()
        )
        return value

    @classmethod
    def fromDump(cls, pairs, config, packed):
        """
        A hash read from a DUMP payload, encoded as Redis's C{rdbLoadObject}
        encodes it (see L{txredisd.persistence.values.fromDump}): a listpack
        stays one unless it has too many fields; pairs become a listpack
        unless there are too many or one is too long.

        @raise ValueError: duplicate fields in a hash table.
        """
        value = cls()
        value.update(pairs)
        maxValue = config["hash-max-listpack-value"]
        value.hashtable = len(pairs) > config["hash-max-listpack-entries"] or (
            not packed and any(len(field) > maxValue or len(data) > maxValue for field, data in pairs)
        )
        if value.hashtable and len(value) != len(pairs):
            raise ValueError("duplicate hash fields")
        return value


def _encoding(value):
    return b"hashtable" if value.hashtable else b"listpack"


def _copy(value):
    # Redis's hashTypeDup keeps the encoding (listpack or hash table).
    duplicate = Hash()
    duplicate.update(value)
    duplicate.hashtable = value.hashtable
    return duplicate


registerType(Hash, b"hash", _encoding, copy=_copy)


def _notify(client, event, key):
    client.server.store.notify("h", event, key, client.dbIndex)


def _lookupForWrite(client, key):
    """
    The hash at C{key} for a write, or a new empty one (C{hashTypeLookupWriteOrCreate}).

    @return: C{(hash, isNew)}; a new hash is not in the keyspace until
        L{_commit} puts it there.
    """
    value = client.db.getTyped(key, Hash, write=True)
    if value is None:
        return Hash(), True
    return value, False


def _commit(client, key, value, isNew, changes=1):
    """
    Record a change to a hash: add a new one to the keyspace, or count the
    change of an existing one (dirty counter, WATCH).
    """
    db = client.db
    if isNew:
        db.set(key, value)
        changes -= 1
    if changes > 0:
        db.modified(key, changes)


def _setFields(client, value, argv, start):
    """
    HSET's work (C{hashTypeTryConversion} then C{hashTypeSet} for each
    pair): convert first if any argument is too long for a listpack, then
    after each new field if there are too many.

    @return: the number of fields created.
    """
    config = client.server.config
    if not value.hashtable:
        maxValue = config["hash-max-listpack-value"]
        for i in range(start, len(argv)):
            if len(argv[i]) > maxValue:
                value.hashtable = True
                break
    before = len(value)
    for i in range(start, len(argv), 2):
        value[argv[i]] = argv[i + 1]
    created = len(value) - before
    if created:
        invalidate(value)
    if not value.hashtable and len(value) > config["hash-max-listpack-entries"]:
        value.hashtable = True
    return created


def _setOne(client, value, field, data):
    """
    C{hashTypeSet} for HINCRBY and HINCRBYFLOAT, which skip the early
    conversion check: a long field or value converts here.
    """
    if field not in value:
        invalidate(value)
    if not value.hashtable:
        config = client.server.config
        maxValue = config["hash-max-listpack-value"]
        value[field] = data
        if len(field) > maxValue or len(data) > maxValue or len(value) > config["hash-max-listpack-entries"]:
            value.hashtable = True
    else:
        value[field] = data


def _hset(client, argv):
    """
    HSET and HMSET: set the pairs, notify C{hset}.

    @return: the number of fields created.
    """
    if len(argv) % 2:
        raise CommandError(errors.wrongArity(argv[0].lower().decode("ascii")))
    key = argv[1]
    value, isNew = _lookupForWrite(client, key)
    created = _setFields(client, value, argv, 2)
    _commit(client, key, value, isNew, (len(argv) - 2) // 2)
    _notify(client, b"hset", key)
    return created


@command("hset", -4, ["write", "denyoom", "fast"], 1, 1, 1, group="hash")
def hset(client, argv):
    return _hset(client, argv)


@command("hmset", -4, ["write", "denyoom", "fast"], 1, 1, 1, group="hash")
def hmset(client, argv):
    _hset(client, argv)
    return resp.OK


@command("hsetnx", 4, ["write", "denyoom", "fast"], 1, 1, 1, group="hash")
def hsetnx(client, argv):
    key, field = argv[1], argv[2]
    value, isNew = _lookupForWrite(client, key)
    if field in value:
        # Nothing is set, so a long value does not convert the hash.
        return 0
    _setFields(client, value, argv, 2)
    _commit(client, key, value, isNew)
    _notify(client, b"hset", key)
    return 1


@command("hget", 3, ["readonly", "fast"], 1, 1, 1, group="hash")
def hget(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    if value is None:
        return None
    return value.get(argv[2])


@command("hmget", -3, ["readonly", "fast"], 1, 1, 1, group="hash")
def hmget(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    if value is None:
        return [None] * (len(argv) - 2)
    get = value.get
    return [get(field) for field in argv[2:]]


@command("hdel", -3, ["write", "fast"], 1, 1, 1, group="hash")
def hdel(client, argv):
    key = argv[1]
    db = client.db
    value = db.getTyped(key, Hash, write=True)
    if value is None:
        return 0
    deleted = 0
    for field in argv[2:]:
        if value.pop(field, None) is not None:
            deleted += 1
    if deleted:
        db.modified(key, deleted)
        _notify(client, b"hdel", key)
        if not value:
            db.delete(key)
            client.server.store.notify("g", b"del", key, client.dbIndex)
    return deleted


@command("hlen", 2, ["readonly", "fast"], 1, 1, 1, group="hash")
def hlen(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    return 0 if value is None else len(value)


@command("hstrlen", 3, ["readonly", "fast"], 1, 1, 1, group="hash")
def hstrlen(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    if value is None:
        return 0
    return len(value.get(argv[2], b""))


@command("hexists", 3, ["readonly", "fast"], 1, 1, 1, group="hash")
def hexists(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    return 1 if value is not None and argv[2] in value else 0


@command("hgetall", 2, ["readonly"], 1, 1, 1, group="hash")
def hgetall(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    if value is None:
        return resp.Map([])
    return resp.Map(list(value.items()))


@command("hkeys", 2, ["readonly"], 1, 1, 1, group="hash")
def hkeys(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    return [] if value is None else list(value)


@command("hvals", 2, ["readonly"], 1, 1, 1, group="hash")
def hvals(client, argv):
    value = client.db.getTyped(argv[1], Hash)
    return [] if value is None else list(value.values())


@command("hincrby", 4, ["write", "denyoom", "fast"], 1, 1, 1, group="hash")
def hincrby(client, argv):
    key, field = argv[1], argv[2]
    increment = parseInt(argv[3])
    if increment is None:
        raise CommandError(errors.NOT_INTEGER)
    value, isNew = _lookupForWrite(client, key)
    current = value.get(field)
    if current is None:
        number = 0
    else:
        number = parseInt(current)
        if number is None:
            raise CommandError(errors.HASH_NOT_INTEGER)
    number += increment
    if number > LLONG_MAX or number < LLONG_MIN:
        raise CommandError(errors.OVERFLOW)
    _setOne(client, value, field, b"%d" % (number,))
    _commit(client, key, value, isNew)
    _notify(client, b"hincrby", key)
    return number


@command("hincrbyfloat", 4, ["write", "denyoom", "fast"], 1, 1, 1, group="hash")
def hincrbyfloat(client, argv):
    key, field = argv[1], argv[2]
    increment = longdouble.parse(argv[3])
    if increment is None:
        raise CommandError(errors.NOT_FLOAT)
    if isinstance(increment, float):
        # Only the infinities are floats here.
        raise CommandError(errors.VALUE_NAN_OR_INFINITY)
    value, isNew = _lookupForWrite(client, key)
    current = value.get(field)
    if current is None:
        number = increment
    else:
        number = longdouble.parse(current)
        if number is None:
            raise CommandError(errors.HASH_NOT_FLOAT)
        number = longdouble.add(number, increment)
        if isinstance(number, float):
            raise CommandError(errors.NAN_OR_INFINITY)
    text = longdouble.formatHuman(number)
    _setOne(client, value, field, text)
    _commit(client, key, value, isNew)
    _notify(client, b"hincrbyfloat", key)
    # Redis propagates the result as an HSET so that replicas and the AOF
    # never redo the float arithmetic.
    client.propagateAs = [[b"HSET", key, field, text]]
    return text


@command("hrandfield", -2, ["readonly"], 1, 1, 1, group="hash")
def hrandfield(client, argv):
    if len(argv) == 2:
        value = client.db.getTyped(argv[1], Hash)
        if value is None:
            return None
        return randomMember(value)
    count = parseInt(argv[2])
    if count is None:
        raise CommandError(errors.NOT_INTEGER)
    if count < -_LONG_MAX:
        raise CommandError(errors.RANDOM_COUNT_RANGE)
    withValues = False
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != b"withvalues"):
        raise CommandError(errors.SYNTAX)
    if len(argv) == 4:
        withValues = True
        if count < -(_LONG_MAX // 2) or count > _LONG_MAX // 2:
            raise CommandError(errors.HRANDFIELD_RANGE)
    value = client.db.getTyped(argv[1], Hash)
    if value is None or count == 0:
        return []
    if count < 0 or count == 1:
        # Repetitions allowed: independent draws, in random order.
        fields = randomMembers(value, abs(count))
    elif count >= len(value):
        # The whole hash, in its own order.
        fields = list(value)
    else:
        fields = randomDistinctMembers(value, count)
    if not withValues:
        return fields
    if client.resp3:
        return [[field, value[field]] for field in fields]
    reply = []
    for field in fields:
        reply.append(field)
        reply.append(value[field])
    return reply


@command("hscan", -3, ["readonly"], 1, 1, 1, group="hash")
def hscan(client, argv):
    result = scanCollection(client, argv, Hash, list)
    if result is None:
        return EMPTY_SCAN
    cursor, fields, value = result
    reply = []
    for field in fields:
        reply.append(field)
        reply.append(value[field])
    return [cursor, reply]
