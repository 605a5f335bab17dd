"""
The in-memory keyspace.

The reactor thread owns every structure here.  Expiry is absolute
milliseconds, checked lazily on every access and collected actively by
L{Keyspace.activeExpireCycle} from a per-database heap ordered by expiry
time, so no key ever needs a timer of its own.
"""

import collections
import heapq
import itertools
import random
import time
from copy import deepcopy
from itertools import repeat

from zope.interface import implementer

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.hyperloglog import isValid as isHyperLogLog
from txredisd.interfaces import IDatabase, IStore
from txredisd.numbers import parseInt

#: Value class to Redis type name.
TYPE_NAMES = {bytes: b"string"}
#: Value class to a function giving its OBJECT ENCODING.
_ENCODINGS = {}
#: Value class to a function giving an independent copy of a value (COPY).
_COPIERS = {bytes: None}
# Builtin containers whose constructor, given an instance, makes a shallow
# copy: enough for Redis values, whose members are immutable bytes.
_CONSTRUCTOR_COPIES = (list, dict, set, frozenset, bytearray, collections.deque)


def registerType(cls, name, encoding, copy=None):
    """
    Declare the Python class that holds values of a Redis type.

    @param cls: the value class.
    @param name: the Redis type name (L{bytes}, as TYPE answers).
    @param encoding: a function of a value returning its OBJECT ENCODING
        as L{bytes}.
    @param copy: a function of a value returning an independent copy of it,
        for COPY.  Without it, a subclass of a builtin container is copied
        by calling C{cls(value)} (a shallow copy, right when the members
        are immutable L{bytes}) and any other class by L{copy.deepcopy}.
    """
    TYPE_NAMES[cls] = name
    _ENCODINGS[cls] = encoding
    if copy is None and issubclass(cls, _CONSTRUCTOR_COPIES):
        copy = cls
    # deepcopy is the safe default for a class that did not say how to copy
    # itself: nothing of the copy is shared with the original.
    _COPIERS[cls] = copy if copy is not None else deepcopy


def copyValue(value):
    """
    An independent copy of a value, as Redis's COPY makes with
    C{dupStringObject}, C{setTypeDup} and friends: changing one never
    changes the other.  Strings are immutable L{bytes}, returned as is.

    @param value: a value of a registered type.
    @return: the copy.
    """
    copier = _COPIERS[type(value)]
    return value if copier is None else copier(value)


def typeName(value):
    """
    @return: the Redis type name of a value (L{bytes}).
    """
    return TYPE_NAMES[type(value)]


def _stringEncoding(value):
    # Redis stores integers that fit a long as "int", short strings as
    # "embstr" (up to 44 bytes), others as "raw".
    if len(value) <= 20 and parseInt(value) is not None:
        return b"int"
    if len(value) <= 44:
        # Redis's HLL commands create and unshare their strings as "raw"
        # (createHLLObject, dbUnshareStringValue), however short: a short
        # HLL was most likely made by one of them.
        if value[:4] == b"HYLL" and isHyperLogLog(value):
            return b"raw"
        return b"embstr"
    return b"raw"


_ENCODINGS[bytes] = _stringEncoding


def encodingOf(value):
    """
    @return: the OBJECT ENCODING of a value (L{bytes}).
    """
    return _ENCODINGS[type(value)](value)


_WRONGTYPE = errors.WRONGTYPE
_STRING_OR_MISSING = frozenset([bytes, type(None)])
_NEVER = float("inf")


@implementer(IDatabase)
class Database:
    """
    One numbered database.

    @ivar keyspace: the owning L{Keyspace}.
    """

    def __init__(self, keyspace, index):
        self.keyspace = keyspace
        self.index = index
        self.data = {}
        self.expires = {}
        self._heap = []
        self._version = 0
        # Key to its access time or frequency, kept only while an LRU or
        # LFU eviction policy needs it (txredisd.eviction), else None.
        self.access = None

    def __repr__(self):
        return "<Database %d: %d keys>" % (self.index, len(self.data))

    def _expired(self, key):
        """
        Lazy expiry: remove C{key} if its time has passed.

        @return: L{True} if the key is to be treated as missing.
        """
        when = self.expires.get(key)
        # Redis's keyIsExpired: expired once now is past the time, not at it.
        if when is None or when >= self.keyspace.now:
            return False
        if self.keyspace.ignoreExpiry:
            # A replica applying its master's stream sees keys as the master
            # does; the master's DEL removes them.
            return False
        if not self.keyspace.deleteExpired:
            # A replica hides expired keys but waits for its master's DEL.
            return True
        self._removeExpired(key)
        return True

    def _removeExpired(self, key):
        del self.data[key]
        del self.expires[key]
        if self.access is not None:
            self.access.pop(key, None)
        keyspace = self.keyspace
        keyspace.expiredKeys += 1
        # No dirty increment, as Redis: the DEL reaches replicas and the AOF
        # through expiredHooks, not as a change made by the running command.
        self._touchWatched(key)
        keyspace.notify("x", b"expired", key, self.index)
        for hook in keyspace.expiredHooks:
            hook(self.index, key)
        if keyspace.removedHook is not None:
            keyspace.removedHook(self.index, key)

    def evict(self, key):
        """
        Remove a key to free memory, as Redis's C{performEvictions}: no
        change to the dirty counter, WATCH sees it, the C{evicted} event is
        notified and C{expiredHooks} propagate a DEL.
        """
        del self.data[key]
        if self.expires:
            self.expires.pop(key, None)
        if self.access is not None:
            self.access.pop(key, None)
        keyspace = self.keyspace
        if keyspace.watched:
            self._touchWatched(key)
        keyspace.notify("e", b"evicted", key, self.index)
        for hook in keyspace.expiredHooks:
            hook(self.index, key)

    def get(self, key):
        value = self.data.get(key)
        if value is not None and self.expires and key in self.expires:
            if self._expired(key):
                value = None
        keyspace = self.keyspace
        if value is None:
            keyspace.misses += 1
            if keyspace.notifyMiss:
                keyspace.notify("m", b"keymiss", key, self.index)
        else:
            keyspace.hits += 1
            if self.access is not None:
                keyspace.tracker.touch(self.access, key)
        return value

    def getForWrite(self, key):
        value = self.data.get(key)
        if value is not None and self.expires and key in self.expires:
            if self._expired(key):
                return None
        snapshot = self.keyspace.snapshot
        if snapshot is not None and value is not None and type(value) is not bytes:
            # The caller may change the value in place: a save in progress
            # keeps its own copy first.
            snapshot.beforeWrite(value)
        if value is not None and self.access is not None:
            self.keyspace.tracker.touch(self.access, key)
        return value

    def getTyped(self, key, cls, write=False):
        value = self.getForWrite(key) if write else self.get(key)
        if value is not None and type(value) is not cls:
            raise CommandError(_WRONGTYPE)
        return value

    def getStrings(self, keys):
        keyspace = self.keyspace
        if keyspace.notifyMiss or self.access is not None:
            return None
        expires = self.expires
        # Redis's keyIsExpired: past its time, not at it.
        if expires and min(map(expires.get, keys, repeat(_NEVER)), default=_NEVER) < keyspace.now:
            return None
        values = list(map(self.data.get, keys))
        if not _STRING_OR_MISSING.issuperset(map(type, values)):
            return None
        misses = values.count(None)
        keyspace.misses += misses
        keyspace.hits += len(values) - misses
        return values

    def setMany(self, keys, values):
        keyspace = self.keyspace
        if keyspace.notifyNew or keyspace.watched or self.access is not None:
            # Something to do for each key: set() does it.
            for key, value in zip(keys, values):
                self.set(key, value)
            return
        self.data.update(zip(keys, values))
        expires = self.expires
        if expires:
            for key in keys:
                expires.pop(key, None)
        keyspace.dirty += len(keys)

    def set(self, key, value, keepTTL=False, signal=True):
        keyspace = self.keyspace
        if keyspace.notifyNew and not self.exists(key):
            # Redis's dbAdd announces keys that come into being.
            keyspace.notify("n", b"new", key, self.index)
        self.data[key] = value
        if not keepTTL and self.expires:
            self.expires.pop(key, None)
        if self.access is not None:
            keyspace.tracker.touch(self.access, key)
        if signal:
            keyspace.dirty += 1
            if keyspace.watched:
                self._touchWatched(key)

    def delete(self, key):
        if key not in self.data:
            return False
        if self.expires and key in self.expires and self._expired(key):
            return False
        del self.data[key]
        if self.expires:
            self.expires.pop(key, None)
        if self.access is not None:
            self.access.pop(key, None)
        self.keyspace.dirty += 1
        if self.keyspace.watched:
            self._touchWatched(key)
        if self.keyspace.removedHook is not None:
            self.keyspace.removedHook(self.index, key)
        return True

    def exists(self, key):
        if key not in self.data:
            return False
        if self.expires and key in self.expires:
            return not self._expired(key)
        return True

    def modified(self, key, changes=1):
        self.keyspace.dirty += changes
        if self.keyspace.watched:
            self._touchWatched(key)

    def _touchWatched(self, key):
        clients = self.keyspace.watched.get((self.index, key))
        if clients:
            for client, expired in clients.items():
                if expired and key not in self.data:
                    # Redis 7.0's touchWatchedKey: deleting a key that had
                    # already expired when it was watched changes nothing
                    # a client could have seen.
                    clients[client] = False
                    continue
                client.watchDirty = True

    def isExpired(self, key):
        """
        @return: L{True} if C{key} is held but its time has passed (Redis's
            C{keyIsExpired}), without removing it.
        """
        when = self.expires.get(key)
        return when is not None and when < self.keyspace.now and key in self.data

    def setExpire(self, key, when):
        self.expires[key] = when
        heap = self._heap
        heapq.heappush(heap, (when, key))
        if len(heap) > 2 * len(self.expires) + 1024:
            # Entries left by keys whose expiry changed: rebuild.
            self._heap = [(w, k) for k, w in self.expires.items()]
            heapq.heapify(self._heap)
        self.keyspace.dirty += 1
        if self.keyspace.watched:
            self._touchWatched(key)

    def getExpire(self, key):
        return self.expires.get(key)

    def persist(self, key):
        if self.expires.pop(key, None) is None:
            return False
        self.modified(key)
        return True

    def randomKey(self):
        for _ in range(100):
            if not self.data:
                return None
            offset = random.randrange(len(self.data))
            key = next(itertools.islice(self.data, offset, None))
            if not self.exists(key):
                continue
            return key
        # Mostly expired keys (as on a replica): any key will do, as Redis.
        return next(iter(self.data), None)

    def size(self):
        return len(self.data)

    def flush(self):
        removed = len(self.data)
        if self.keyspace.watched:
            # Redis's touchAllWatchedKeysInDb: only keys that were there
            # count; an already expired watched key going is no change.
            for (index, key), clients in self.keyspace.watched.items():
                if index == self.index and key in self.data:
                    for client, expired in clients.items():
                        if expired:
                            clients[client] = False
                        else:
                            client.watchDirty = True
        self.data = {}
        self.expires = {}
        self._heap = []
        if removed and self.keyspace.removedHook is not None:
            self.keyspace.removedHook(self.index, None)
        if self.access is not None:
            self.access = {}
        return removed

    def expireSome(self, now, limit):
        """
        Remove up to C{limit} keys whose expiry time is at or before C{now}.

        @return: the number of keys removed.
        """
        heap = self._heap
        expires = self.expires
        removed = 0
        while heap and heap[0][0] < now and removed < limit:
            when, key = heapq.heappop(heap)
            if expires.get(key) == when:
                self._removeExpired(key)
                removed += 1
        return removed


@implementer(IStore)
class Keyspace:
    """
    The numbered databases.

    @ivar now: milliseconds, stamped by dispatch before each command.
    @ivar dirty: changes since the last save.
    @ivar deleteExpired: L{False} on a replica, which hides expired keys
        but leaves their deletion to its master.
    @ivar removedHook: a callable C{(index, key)} told when a key is
        deleted or expires, with C{key} L{None} when a whole database is
        flushed (Redis's C{signalDeletedKeyAsReady}: XREADGROUP clients
        blocked on a stream that goes are answered), or L{None}.
    @ivar expiredHooks: callables C{(index, key)} told of each expired key
        (replication and the AOF propagate a DEL); keys evicted for
        C{maxmemory} go through them too, as Redis propagates both as DEL.
    @ivar notifier: a callable C{(typeFlag, event, key, index)} for keyspace
        notifications, or L{None}.
    @ivar notifyNew: whether to notify C{new} events (class C{n}).
    @ivar notifyMiss: whether to notify C{keymiss} events (class C{m}).
    @ivar watched: C{(index, key)} to a L{dict} of the clients watching it,
        each mapped to whether the key had already expired when watched.
    """

    def __init__(self, databases=16):
        self.databases = [Database(self, i) for i in range(databases)]
        self.now = int(time.time() * 1000)
        self.dirty = 0
        self.deleteExpired = True
        self.ignoreExpiry = False
        self.expiredHooks = []
        self.notifier = None
        # Set by the notifier when "new" and "keymiss" events are enabled:
        # they cost a look-up on paths that are otherwise cheap.
        self.notifyNew = False
        self.notifyMiss = False
        self.watched = {}
        self.hits = 0
        self.misses = 0
        self.expiredKeys = 0
        # A txredisd.persistence.snapshot.Snapshot being written, if any.
        self.snapshot = None
        self.removedHook = None
        # What records key accesses in Database.access while an eviction
        # policy needs them (txredisd.eviction), else None.
        self.tracker = None

    def db(self, index):
        return self.databases[index]

    def flushAll(self):
        removed = 0
        for db in self.databases:
            removed += db.flush()
        return removed

    def activeExpireCycle(self, timeLimit=0.025, clock=time.monotonic):
        if not self.deleteExpired:
            return 0
        removed = 0
        deadline = clock() + timeLimit
        for db in self.databases:
            if not db.expires:
                continue
            while True:
                count = db.expireSome(self.now, 200)
                removed += count
                if count < 200 or clock() > deadline:
                    break
            if clock() > deadline:
                break
        return removed

    def swapDatabases(self, first, second):
        """
        SWAPDB: exchange the contents (keys, expiry times, access records)
        of two databases, as Redis's C{dbSwapDatabases}.  Clients, their
        watched keys and blocked keys stay with the database number.
        """
        if first == second:
            return
        a, b = self.databases[first], self.databases[second]
        if self.watched:
            self._touchSwapped(a, b)
            self._touchSwapped(b, a)
        a.data, b.data = b.data, a.data
        a.expires, b.expires = b.expires, a.expires
        a._heap, b._heap = b._heap, a._heap
        a.access, b.access = b.access, a.access

    def _touchSwapped(self, emptied, replaced):
        # Redis 7.0's touchAllWatchedKeysInDb(emptied, replaced_with): a
        # watched key changes when it is in either database, unless it had
        # expired and is gone or still expired after the swap.
        for (index, key), clients in self.watched.items():
            if index != emptied.index:
                continue
            inEmptied = key in emptied.data
            inReplaced = key in replaced.data
            if not (inEmptied or inReplaced):
                continue
            for client, expired in clients.items():
                if expired:
                    if not inReplaced:
                        # An expired key now missing: no change.
                        clients[client] = False
                        continue
                    if replaced.isExpired(key):
                        continue
                elif not inEmptied and replaced.isExpired(key):
                    # A missing key replaced by an expired one.
                    clients[client] = True
                    continue
                client.watchDirty = True

    def watch(self, client, index, key):
        item = (index, key)
        if item in client.watchedKeys:
            return
        # Redis 7.0 remembers a key that had already expired when watched:
        # its removal is then no change, and EXEC does not fail for it.
        expired = self.databases[index].isExpired(key)
        self.watched.setdefault(item, {})[client] = expired
        client.watchedKeys.add(item)

    def unwatchAll(self, client):
        for item in client.watchedKeys:
            clients = self.watched.get(item)
            if clients is not None:
                clients.pop(client, None)
                if not clients:
                    del self.watched[item]
        client.watchedKeys.clear()
        client.watchDirty = False

    def watchedKeyExpired(self, client):
        """
        @return: L{True} if a key C{client} watches has expired since it was
            watched (Redis 7.0's C{isWatchedKeyExpired}: EXEC then fails).
        """
        for item in client.watchedKeys:
            index, key = item
            if not self.watched[item][client] and self.databases[index].isExpired(key):
                return True
        return False

    def notify(self, typeFlag, event, key, index):
        if self.notifier is not None:
            self.notifier(typeFlag, event, key, index)

    def keyCount(self):
        """
        @return: the number of keys in all databases.
        """
        return sum(len(db.data) for db in self.databases)
