"""
Generic key commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY,
RENAME, RENAMENX, COPY, MOVE, TOUCH, the EXPIRE and TTL families, PERSIST,
OBJECT, DUMP and RESTORE.

KEYS and SCAN work on point-in-time snapshots of a database's key list
(C{list(db.data)}, a copy at C speed): KEYS filters a large snapshot a
chunk per reactor turn so other clients are served meanwhile, and SCAN's
cursor names a snapshot and an offset into it (see L{ScanSnapshots}).
"""

import re
import weakref
from collections import OrderedDict

from twisted.internet.defer import Deferred

from txredisd import errors, glob
from txredisd.errors import CommandError
from txredisd.introspection import arg, keySpec
from txredisd.numbers import LLONG_MAX, LLONG_MIN, parseInt
from txredisd.persistence.dump import dumpValue, loadValue, verifyPayload
from txredisd.registry import command, container
from txredisd.resp import OK, Raw, Status
from txredisd.store import copyValue, encodingOf, typeName

_INT_MIN = -(1 << 31)
_INT_MAX = (1 << 31) - 1
_ULONG_MAX = (1 << 64) - 1


def _notifyGeneric(client, event, key, index=None):
    client.server.store.notify("g", event, key, client.dbIndex if index is None else index)


def _parseDbIndex(client, data):
    """
    Parse a database number as Redis's C{getIntFromObjectOrReply} followed
    by C{selectDb} do (COPY ... DB, MOVE).

    @return: the L{txredisd.store.Database}.
    """
    index = parseInt(data)
    if index is None:
        raise CommandError(errors.NOT_INTEGER)
    if not _INT_MIN <= index <= _INT_MAX:
        raise CommandError(errors.INT_OUT_OF_RANGE)
    databases = client.server.store.databases
    if not 0 <= index < len(databases):
        raise CommandError(errors.DB_INDEX)
    return databases[index]


# --- DEL, UNLINK, EXISTS, TOUCH, TYPE, RANDOMKEY ----------------------------


def _deleteKeys(client, argv):
    db = client.db
    deleted = 0
    for key in argv[1:]:
        if db.delete(key):
            _notifyGeneric(client, b"del", key)
            deleted += 1
    return deleted


@command("del", -2, ["write"], 1, -1, 1, group="generic")
def delete(client, argv):
    return _deleteKeys(client, argv)


@command("unlink", -2, ["write", "fast"], 1, -1, 1, group="generic")
def unlink(client, argv):
    # Redis frees big values in a background thread; the reply and the
    # keyspace effect are DEL's.
    return _deleteKeys(client, argv)


def _countLive(client, argv):
    # A key named twice counts twice, as Redis's EXISTS and TOUCH do.
    get = client.db.get
    return sum(1 for key in argv[1:] if get(key) is not None)


@command("exists", -2, ["readonly", "fast"], 1, -1, 1, group="generic")
def exists(client, argv):
    return _countLive(client, argv)


@command("touch", -2, ["readonly", "fast"], 1, -1, 1, group="generic")
def touch(client, argv):
    # No access times are kept (see OBJECT IDLETIME), so only the count.
    return _countLive(client, argv)


@command("type", 2, ["readonly", "fast"], 1, 1, 1, group="generic")
def type_(client, argv):
    value = client.db.get(argv[1])
    if value is None:
        return Status("none")
    return Status(typeName(value).decode("latin-1"))


@command("randomkey", 1, ["readonly"], group="generic")
def randomkey(client, argv):
    return client.db.randomKey()


# --- KEYS --------------------------------------------------------------------

#: Above this many keys, KEYS from a normal connection filters its snapshot
#: over several reactor turns instead of at once.
KEYS_CHUNKED_ABOVE = 50000
#: Keys filtered per reactor turn by a chunked KEYS.
KEYS_CHUNK = 10000


def _matcher(pattern):
    """
    @return: a function telling whether a key matches the glob, or L{None}
        for C{*}, which matches everything (Redis's C{allkeys} shortcut).
    """
    if pattern == b"*":
        return None
    return glob.compile(pattern).match


def _liveMatching(keys, match, expires, now):
    """
    The keys of C{keys} that match and had not expired at C{now}.

    Keys are tested without being deleted, as Redis's KEYS uses
    C{keyIsExpired}: listing keys is not a write.
    """
    if match is not None:
        keys = list(filter(match, keys))
    if expires:
        # A key without expiry reads as expiring after now.
        get = expires.get
        keys = [key for key in keys if get(key, now + 1) > now]
    return keys


@command("keys", 2, ["readonly"], group="generic", aclCategories=("keyspace", "dangerous"))
def keys(client, argv):
    db = client.db
    snapshot = list(db.data)
    match = _matcher(argv[1])
    now = client.server.store.now
    if len(snapshot) <= KEYS_CHUNKED_ABOVE or client.multi is not None or client.kind != "normal":
        return _liveMatching(snapshot, match, db.expires, now)
    # The expiry times are copied with the key list: the reply is the keys
    # live at this moment, whatever happens while the chunks run.
    return _ChunkedKeys(client.server.clock, snapshot, match, dict(db.expires), now).start()


class _ChunkedKeys:
    """
    KEYS over a large snapshot: one chunk of keys filtered and encoded per
    reactor turn (C{callLater(0)}), so the connections the reactor serves
    in between get their replies while it runs.

    @ivar deferred: fires with the whole reply as L{Raw} RESP (an array of
        bulk strings is the same in RESP2 and RESP3).
    """

    def __init__(self, clock, snapshot, match, expires, now):
        self._clock = clock
        self._snapshot = snapshot
        self._match = match
        self._expires = expires
        self._now = now
        self._offset = 0
        self._count = 0
        self._encoded = []
        self._call = None
        self.deferred = Deferred(self._cancel)

    def start(self):
        self._call = self._clock.callLater(0, self._step)
        return self.deferred

    def _cancel(self, deferred):
        # The client went away: stop filtering.
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None

    def _step(self):
        self._call = None
        start = self._offset
        self._offset = end = start + KEYS_CHUNK
        found = _liveMatching(self._snapshot[start:end], self._match, self._expires, self._now)
        self._count += len(found)
        self._encoded.append(b"".join([b"$%d\r\n%s\r\n" % (len(key), key) for key in found]))
        if end < len(self._snapshot):
            self._call = self._clock.callLater(0, self._step)
            return
        self._encoded.insert(0, b"*%d\r\n" % (self._count,))
        reply = Raw(b"".join(self._encoded))
        self._snapshot = self._encoded = self._expires = None
        self.deferred.callback(reply)


# --- SCAN --------------------------------------------------------------------

_CURSOR = re.compile(rb"([+-]?)([0-9]+)")


def parseScanCursor(data):
    """
    Parse a SCAN cursor as Redis does, with C{strtoul}: decimal, an optional
    sign (a negative value wraps around 2**64), no leading space, nothing
    after the digits; the empty string is cursor 0.

    @return: the cursor, an unsigned 64-bit L{int}.
    @raise CommandError: C{ERR invalid cursor}.
    """
    if not data:
        return 0
    match = _CURSOR.fullmatch(data)
    if match is None:
        raise CommandError(errors.INVALID_CURSOR)
    digits = match.group(2).lstrip(b"0") or b"0"
    # The length check keeps int() off huge digit strings (ERANGE anyway).
    value = int(digits) if len(digits) <= 20 else _ULONG_MAX + 1
    if value > _ULONG_MAX:
        raise CommandError(errors.INVALID_CURSOR)
    if match.group(1) == b"-":
        value = -value & _ULONG_MAX
    return value


def parseScanOptions(argv, start, allowType=True):
    """
    Parse SCAN's options (also HSCAN's, SSCAN's and ZSCAN's, which have no
    TYPE), later ones winning as in Redis's C{scanGenericCommand}.

    @return: C{(count, pattern, typeName)}; C{pattern} and C{typeName} are
        L{None} when not given.
    """
    count = 10
    pattern = typeFilter = None
    i = start
    while i < len(argv):
        option = argv[i].lower()
        more = len(argv) - i - 1
        if option == b"count" and more >= 1:
            count = parseInt(argv[i + 1])
            if count is None:
                raise CommandError(errors.NOT_INTEGER)
            if count < 1:
                raise CommandError(errors.SYNTAX)
        elif option == b"match" and more >= 1:
            pattern = argv[i + 1]
        elif option == b"type" and allowType and more >= 1:
            typeFilter = argv[i + 1].lower()
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    return count, pattern, typeFilter


class ScanSnapshots:
    """
    The key-list snapshots SCAN cursors point into: a bounded LRU.

    Python's dict exposes no buckets to walk with Redis's reverse-binary
    cursor, so C{SCAN 0} copies the database's key list and the cursor it
    returns is C{snapshotId << 32 | offset}.  This gives Redis's guarantees
    and a stronger one:

      - a key present from the start to the end of a full iteration is
        returned (it is in the snapshot, and still exists when reached);
      - within one snapshot no key is returned twice (each offset is
        visited once);
      - keys added during the iteration are not returned, keys deleted
        before they are reached are not returned.

    Snapshots are kept for the last L{size} iterations (least recently
    used first out) and dropped when their iteration ends.  An evicted
    snapshot leaves a tombstone: its length and a hash of its key sequence
    (bytes cache their hash, so this runs at C speed).  If a fresh copy of
    the database's key list has the same length and hash, it is the same
    list (but for a 64-bit hash collision) and the cursor goes on where it
    was.  Only as a last resort, a
    cursor whose snapshot is gone and whose database's keys changed (or
    that is from before a restart, or made up) starts over with a fresh
    snapshot at offset 0: the iteration still returns every key but may
    return some twice, which Redis's contract allows.  So more than
    L{size} iterations interleaved on a database whose keys change can keep
    restarting each other.

    Memory: a snapshot is one pointer per key; snapshots with equal key
    lists share one list.
    """

    size = 64
    tombstones = 4096

    def __init__(self):
        # id -> (database index, keys)
        self._snapshots = OrderedDict()
        # id -> (database index, length, hash) of evicted snapshots.
        self._evicted = OrderedDict()
        self._nextId = 0

    def _copyKeys(self, db):
        # A fresh copy, or the equal list of a live snapshot (comparing
        # lists of the same objects is a pointer walk).
        keys = list(db.data)
        seen = set()
        for index, live in self._snapshots.values():
            if index == db.index and len(live) == len(keys) and id(live) not in seen:
                if live == keys:
                    return live
                seen.add(id(live))
        return keys

    def _store(self, snapshotId, index, keys):
        self._evicted.pop(snapshotId, None)
        self._snapshots[snapshotId] = (index, keys)
        while len(self._snapshots) > self.size:
            oldId, (oldIndex, oldKeys) = self._snapshots.popitem(last=False)
            self._evicted[oldId] = (oldIndex, len(oldKeys), hash(tuple(oldKeys)))
            if len(self._evicted) > self.tombstones:
                self._evicted.popitem(last=False)

    def take(self, db):
        """
        Snapshot C{db}'s keys.

        @return: C{(snapshotId, keys)}.
        """
        keys = self._copyKeys(db)
        snapshotId = self._newId()
        self._store(snapshotId, db.index, keys)
        return snapshotId, keys

    def _newId(self):
        # Ids are 1 .. 2**32-1 so that no cursor is 0; with at most size
        # snapshots alive, skipping live ids always ends.
        while True:
            self._nextId = self._nextId % 0xFFFFFFFF + 1
            if self._nextId not in self._snapshots:
                return self._nextId

    def get(self, snapshotId, db):
        """
        @return: the keys of snapshot C{snapshotId} of C{db}, or L{None} if
            it is gone and cannot be taken again identically.
        """
        entry = self._snapshots.get(snapshotId)
        if entry is not None:
            if entry[0] != db.index:
                return None
            self._snapshots.move_to_end(snapshotId)
            return entry[1]
        tombstone = self._evicted.get(snapshotId)
        if tombstone is None or tombstone[:2] != (db.index, len(db.data)):
            return None
        keys = self._copyKeys(db)
        if hash(tuple(keys)) != tombstone[2]:
            return None
        self._store(snapshotId, db.index, keys)
        return keys

    def drop(self, snapshotId):
        """
        Forget a finished iteration's snapshot.
        """
        self._snapshots.pop(snapshotId, None)
        self._evicted.pop(snapshotId, None)

    def __len__(self):
        return len(self._snapshots)


_scanSnapshots = weakref.WeakKeyDictionary()


def scanSnapshots(server):
    """
    @return: the L{ScanSnapshots} of a server.
    """
    snapshots = _scanSnapshots.get(server)
    if snapshots is None:
        snapshots = _scanSnapshots[server] = ScanSnapshots()
    return snapshots


@command("scan", -2, ["readonly"], group="generic")
def scan(client, argv):
    cursor = parseScanCursor(argv[1])
    count, pattern, typeFilter = parseScanOptions(argv, 2)
    db = client.db
    snapshots = scanSnapshots(client.server)
    snapshotId, offset = cursor >> 32, cursor & 0xFFFFFFFF
    snapshot = snapshots.get(snapshotId, db) if cursor else None
    if snapshot is None or offset >= len(snapshot):
        snapshotId, snapshot = snapshots.take(db)
        offset = 0
    end = offset + count
    found = snapshot[offset:end]
    match = _matcher(pattern) if pattern is not None else None
    if match is not None:
        found = list(filter(match, found))
    # Keys deleted or expired since the snapshot are skipped (expired ones
    # are deleted, as Redis's SCAN does).
    found = [key for key in found if db.exists(key)]
    if typeFilter is not None:
        data = db.data
        found = [key for key in found if typeName(data[key]) == typeFilter]
    if end >= len(snapshot):
        snapshots.drop(snapshotId)
        cursor = 0
    else:
        cursor = snapshotId << 32 | end
    return [b"%d" % (cursor,), found]


# --- RENAME, RENAMENX, COPY, MOVE -------------------------------------------


def _rename(client, argv, nx):
    source, destination = argv[1], argv[2]
    db = client.db
    value = db.getForWrite(source)
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if source == destination:
        # Redis answers without touching anything.
        return 0 if nx else OK
    if nx and db.exists(destination):
        return 0
    expire = db.getExpire(source)
    db.delete(source)
    # set() replaces the destination and clears its expiry, as Redis's
    # dbDelete + dbAdd.
    db.set(destination, value)
    if expire is not None:
        db.setExpire(destination, expire)
    _notifyGeneric(client, b"rename_from", source)
    _notifyGeneric(client, b"rename_to", destination)
    return 1 if nx else OK


@command("rename", 3, ["write"], 1, 2, 1, group="generic")
def rename(client, argv):
    return _rename(client, argv, False)


@command("renamenx", 3, ["write", "fast"], 1, 2, 1, group="generic")
def renamenx(client, argv):
    return _rename(client, argv, True)


@command("copy", -3, ["write", "denyoom"], 1, 2, 1, group="generic")
def copy(client, argv):
    source, destination = argv[1], argv[2]
    db = target = client.db
    replace = False
    i = 3
    while i < len(argv):
        option = argv[i].lower()
        if option == b"replace":
            replace = True
        elif option == b"db" and i + 1 < len(argv):
            target = _parseDbIndex(client, argv[i + 1])
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    if target is db and source == destination:
        raise CommandError(errors.SAME_OBJECT)
    value = db.get(source)
    if value is None:
        return 0
    if target.exists(destination) and not replace:
        return 0
    expire = db.getExpire(source)
    target.set(destination, copyValue(value))
    if expire is not None:
        target.setExpire(destination, expire)
    _notifyGeneric(client, b"copy_to", destination, target.index)
    return 1


@command("move", 3, ["write", "fast"], 1, 1, 1, group="generic")
def move(client, argv):
    key = argv[1]
    db = client.db
    target = _parseDbIndex(client, argv[2])
    if target is db:
        raise CommandError(errors.SAME_OBJECT)
    value = db.getForWrite(key)
    if value is None or target.exists(key):
        return 0
    expire = db.getExpire(key)
    target.set(key, value)
    if expire is not None:
        target.setExpire(key, expire)
    db.delete(key)
    _notifyGeneric(client, b"move_from", key, db.index)
    _notifyGeneric(client, b"move_to", key, target.index)
    return 1


# --- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST ---------------------------


def _parseExpireFlags(argv):
    """
    Parse NX, XX, GT, LT as Redis's C{parseExtendedExpireArgumentsOrReply}
    (before the time itself is looked at).

    @return: the L{set} of lower-case flags given.
    """
    flags = set()
    for option in argv[3:]:
        lowered = option.lower()
        if lowered not in (b"nx", b"xx", b"gt", b"lt"):
            # addReplyErrorFormat trims CR and LF off the end of the message.
            raise CommandError(errors.EXPIRE_UNSUPPORTED_OPTION.format(errors.safe(option.rstrip(b"\r\n"))))
        flags.add(lowered)
    if b"nx" in flags and len(flags) > 1:
        raise CommandError(errors.EXPIRE_NX_AND_OTHERS)
    if b"gt" in flags and b"lt" in flags:
        raise CommandError(errors.EXPIRE_GT_AND_LT)
    return flags


def _refusedByFlags(flags, when, current):
    """
    @param current: the key's expiry time, or L{None} (no expiry counts as
        an infinite one for GT and LT).
    @return: L{True} if NX/XX/GT/LT refuse to set C{when}.
    """
    if b"nx" in flags and current is not None:
        return True
    if b"xx" in flags and current is None:
        return True
    if b"gt" in flags and (current is None or when <= current):
        return True
    if b"lt" in flags and current is not None and when >= current:
        return True
    return False


def _expire(client, argv, name, base, seconds):
    """
    Redis's C{expireGenericCommand}.

    @param name: the command name for the invalid-time error.
    @param base: milliseconds the time is relative to (0 for the -AT forms).
    @param seconds: L{True} if the time is in seconds.
    """
    flags = _parseExpireFlags(argv) if len(argv) > 3 else None
    when = parseInt(argv[2])
    if when is None:
        raise CommandError(errors.NOT_INTEGER)
    if seconds:
        # Overflow checks as Redis (C division truncates toward zero).
        if when > LLONG_MAX // 1000 or when < -(-LLONG_MIN // 1000):
            raise CommandError(errors.INVALID_EXPIRE.format(name))
        when *= 1000
    if when > LLONG_MAX - base:
        raise CommandError(errors.INVALID_EXPIRE.format(name))
    when += base
    key = argv[1]
    db = client.db
    if db.getForWrite(key) is None:
        return 0
    if flags and _refusedByFlags(flags, when, db.getExpire(key)):
        return 0
    store = client.server.store
    if when <= store.now and store.deleteExpired:
        # A time in the past deletes the key, propagated as a DEL.  A
        # replica (which does not delete expired keys) sets it and waits for
        # its master's DEL, as Redis's checkAlreadyExpired.
        db.delete(key)
        client.propagateAs = [[b"DEL", key]]
        _notifyGeneric(client, b"del", key)
        return 1
    db.setExpire(key, when)
    if name != "pexpireat":
        # Replicas and the AOF get the absolute time, options kept.
        client.propagateAs = [[b"PEXPIREAT", key, b"%d" % (when,)] + argv[3:]]
    _notifyGeneric(client, b"expire", key)
    return 1


def _expireCommand(name, relative, seconds):
    def handler(client, argv):
        base = client.server.store.now if relative else 0
        return _expire(client, argv, name, base, seconds)

    handler.__name__ = name
    return command(name, -3, ["write", "fast"], 1, 1, 1, group="generic")(handler)


expire = _expireCommand("expire", True, True)
pexpire = _expireCommand("pexpire", True, False)
expireat = _expireCommand("expireat", False, True)
pexpireat = _expireCommand("pexpireat", False, False)


@command("persist", 2, ["write", "fast"], 1, 1, 1, group="generic")
def persist(client, argv):
    key = argv[1]
    db = client.db
    if db.getForWrite(key) is None or not db.persist(key):
        return 0
    _notifyGeneric(client, b"persist", key)
    return 1


# --- TTL, PTTL, EXPIRETIME, PEXPIRETIME ---------------------------------------


def _ttl(client, argv, milliseconds, absolute):
    """
    Redis's C{ttlGenericCommand}: -2 for a missing key, -1 for a key without
    expiry, else the time left (or the expiry time), never negative, seconds
    rounded to the nearest.
    """
    db = client.db
    key = argv[1]
    if db.get(key) is None:
        return -2
    when = db.getExpire(key)
    if when is None:
        return -1
    ttl = when if absolute else when - client.server.store.now
    if ttl < 0:
        ttl = 0
    return ttl if milliseconds else (ttl + 500) // 1000


def _ttlCommand(name, milliseconds, absolute):
    def handler(client, argv):
        return _ttl(client, argv, milliseconds, absolute)

    handler.__name__ = name
    return command(name, 2, ["readonly", "fast"], 1, 1, 1, group="generic")(handler)


ttl = _ttlCommand("ttl", False, False)
pttl = _ttlCommand("pttl", True, False)
expiretime = _ttlCommand("expiretime", False, True)
pexpiretime = _ttlCommand("pexpiretime", True, True)


# --- OBJECT ------------------------------------------------------------------

container("object", -2, group="generic")

_OBJECT_HELP = [
    Status(line)
    for line in (
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    )
]

# Redis shares the objects of the integers 0..9999 between keys (their
# refcount shows as INT_MAX) unless an LRU or LFU maxmemory policy needs
# per-object access data.
_SHARED_INTEGERS = 10000
_SHARED_REFCOUNT = _INT_MAX
_NO_SHARED_INTEGERS_POLICIES = frozenset(
    [b"allkeys-lru", b"volatile-lru", b"allkeys-lfu", b"volatile-lfu"]
)
_LFU_POLICIES = frozenset([b"allkeys-lfu", b"volatile-lfu"])
#: What Redis's LFU counter holds for a new key (LFU_INIT_VAL).
_LFU_INIT_VAL = 5


def _lfuSelected(client):
    return client.server.config["maxmemory-policy"] in _LFU_POLICIES


@command("object|help", 2, ["loading", "stale"], group="generic")
def objectHelp(client, argv):
    return _OBJECT_HELP


def _objectSubcommand(name, withKey=False):
    """
    Declare an OBJECT subcommand about a key: the decorated function gets
    the key's value (and the key, C{withKey}), and a missing key answers
    null (Redis's C{objectCommandLookupOrReply}).
    """

    def decorator(function):
        def handler(client, argv):
            db = client.db
            key = argv[2]
            access = db.access
            record = access.get(key) if access is not None else None
            value = db.get(key)
            if value is None:
                return None
            if record is not None:
                # OBJECT looks without touching (Redis's LOOKUP_NOTOUCH).
                access[key] = record
            return function(client, value, key) if withKey else function(client, value)

        handler.__name__ = function.__name__
        command("object|" + name, 3, ["readonly"], 2, 2, 1, group="generic")(handler)
        return function

    return decorator


@_objectSubcommand("encoding")
def objectEncoding(client, value):
    return encodingOf(value)


@_objectSubcommand("refcount")
def objectRefcount(client, value):
    if type(value) is bytes and len(value) <= 20:
        config = client.server.config
        number = parseInt(value)
        if (
            number is not None
            and 0 <= number < _SHARED_INTEGERS
            and (not config["maxmemory"] or config["maxmemory-policy"] not in _NO_SHARED_INTEGERS_POLICIES)
        ):
            return _SHARED_REFCOUNT
    return 1


@_objectSubcommand("idletime", withKey=True)
def objectIdletime(client, value, key):
    if _lfuSelected(client):
        raise CommandError(errors.LFU_SELECTED)
    # Access times are kept only while an LRU policy with a maxmemory needs
    # them (txredisd.eviction); otherwise every key reads as just used.
    idle = client.server.evictor.idleTime(client.db, key)
    return 0 if idle is None else idle


@_objectSubcommand("freq", withKey=True)
def objectFreq(client, value, key):
    if not _lfuSelected(client):
        raise CommandError(errors.LFU_NOT_SELECTED)
    # Counters are kept only while an LFU policy with a maxmemory needs
    # them; otherwise every key reads as new.
    frequency = client.server.evictor.frequency(client.db, key)
    return _LFU_INIT_VAL if frequency is None else frequency


# --- DUMP, RESTORE -------------------------------------------------------------


_SMALL_VALUES = (
    "For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."
)


@command(
    "dump",
    2,
    ["readonly"],
    1,
    1,
    1,
    group="generic",
    tips=("nondeterministic_output",),
    summary="Return a serialized version of the value stored at the specified key.",
    since="2.6.0",
    docs={
        "complexity": "O(1) to access the key and additional O(N*M) to serialize it, where N is the number "
        "of Redis objects composing the value and M their average size. " + _SMALL_VALUES,
        "arguments": [arg("key", "key", keySpecIndex=0)],
    },
)
def dump(client, argv):
    value = client.db.get(argv[1])
    if value is None:
        return None
    config = client.server.config
    return dumpValue(value, encodingOf(value), config["rdbcompression"], config["list-max-listpack-size"])


def _parseRestoreOptions(argv):
    """
    Parse RESTORE's options as Redis 7.0's C{restoreCommand}: IDLETIME and
    FREQ exclude each other (the second is a syntax error), and each value
    is checked as it is met.

    @return: C{(replace, absttl, idle, freq)}, L{None} for the last two
        when not given.
    """
    replace = absttl = False
    idle = freq = None
    i = 4
    while i < len(argv):
        option = argv[i].lower()
        more = i + 1 < len(argv)
        if option == b"replace":
            replace = True
        elif option == b"absttl":
            absttl = True
        elif option == b"idletime" and more and freq is None:
            idle = parseInt(argv[i + 1])
            if idle is None:
                raise CommandError(errors.NOT_INTEGER)
            if idle < 0:
                raise CommandError(errors.RESTORE_IDLETIME)
            i += 1
        elif option == b"freq" and more and idle is None:
            freq = parseInt(argv[i + 1])
            if freq is None:
                raise CommandError(errors.NOT_INTEGER)
            if not 0 <= freq <= 255:
                raise CommandError(errors.RESTORE_FREQ)
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    return replace, absttl, idle, freq


@command(
    "restore",
    -4,
    ["write", "denyoom"],
    1,
    1,
    1,
    group="generic",
    aclCategories=("keyspace", "dangerous"),
    # The key is overwritten, never read: write access to it is enough.
    keySpecs=[keySpec("OW update")],
    summary="Create a key using the provided serialized value, previously obtained using DUMP.",
    since="2.6.0",
    docs={
        "complexity": "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, "
        "where N is the number of Redis objects composing the value and M their average size. "
        + _SMALL_VALUES
        + " However for sorted set values the complexity is O(N*M*log(N)) because inserting values into "
        "sorted sets is O(log(N)).",
        "history": [
            ("3.0.0", "Added the `REPLACE` modifier."),
            ("5.0.0", "Added the `ABSTTL` modifier."),
            ("5.0.0", "Added the `IDLETIME` and `FREQ` options."),
        ],
        "arguments": [
            arg("key", "key", keySpecIndex=0),
            arg("ttl", "integer"),
            arg("serialized-value", "string"),
            arg("replace", "pure-token", token="REPLACE", since="3.0.0", flags="optional"),
            arg("absttl", "pure-token", token="ABSTTL", since="5.0.0", flags="optional"),
            arg("seconds", "integer", token="IDLETIME", since="5.0.0", flags="optional"),
            arg("frequency", "integer", token="FREQ", since="5.0.0", flags="optional"),
        ],
    },
)
def restore(client, argv):
    replace, absttl, idle, freq = _parseRestoreOptions(argv)
    key = argv[1]
    db = client.db
    if not replace and db.getForWrite(key) is not None:
        raise CommandError(errors.BUSYKEY)
    ttl = parseInt(argv[2])
    if ttl is None:
        raise CommandError(errors.NOT_INTEGER)
    if ttl < 0:
        raise CommandError(errors.RESTORE_TTL)
    payload = argv[3]
    server = client.server
    if not verifyPayload(payload):
        raise CommandError(errors.DUMP_PAYLOAD)
    try:
        value = loadValue(payload, server.config)
    except ValueError:
        raise CommandError(errors.BAD_DATA_FORMAT)
    deleted = replace and db.delete(key)
    store = server.store
    if ttl and not absttl:
        # Redis adds the time in C: a sum past LLONG_MAX wraps negative,
        # and so into the past.
        ttl = (ttl + store.now + (1 << 63)) % (1 << 64) - (1 << 63)
    if ttl and ttl <= store.now and store.deleteExpired:
        # Already expired (Redis's checkAlreadyExpired; a replica keeps it
        # for its master's DEL): only the replaced key goes.
        if deleted:
            client.propagateAs = [[b"DEL", key]]
            _notifyGeneric(client, b"del", key)
        return OK
    db.set(key, value)
    if ttl:
        db.setExpire(key, ttl)
        if not absttl:
            # Replicas and the AOF get the absolute time.
            client.propagateAs = [argv[:2] + [b"%d" % (ttl,)] + argv[3:] + [b"ABSTTL"]]
    server.evictor.setAccess(db, key, idle, freq)
    _notifyGeneric(client, b"restore", key)
    return OK
