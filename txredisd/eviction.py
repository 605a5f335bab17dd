"""
C{maxmemory}: the memory estimate INFO and eviction share, key access
tracking for the LRU and LFU policies, and eviction itself.

Python has no allocator count as cheap as Redis's C{zmalloc_used_memory},
so L{MemoryEstimator} estimates: each database's hash tables are measured
exactly (C{sys.getsizeof} of a dict is its allocated table), and its keys
and values from a random sample of entries (C{sys.getsizeof} rounded up to
pymalloc's 16-byte size classes, collections scaled from a sample of their
members), resampled as the database grows or shrinks by an eighth and every
cron tick.  Between writes the figure is cached, so checking it before every
command, as Redis's C{processCommand} does, costs next to nothing.  The
interpreter itself, the code and the reactor are not counted, as Redis does
not count its binary: C{used_memory} is the data set and the clients.

Eviction is Redis's approximation (C{evict.c}): C{maxmemory-samples} keys
sampled from each database feed a pool of the 16 best candidates, and the
best of the pool goes.  Access times (LRU, one-second resolution, as
C{LRU_CLOCK_RESOLUTION}) and logarithmic access counters (LFU, C{lfu-log-factor}
and C{lfu-decay-time}, packed with the minute of last decrement as Redis
packs them in 24 bits) are kept in a per-database dict only while such a
policy is set with a C{maxmemory}: other configurations pay nothing per key.
"""

import random
import sys
from itertools import repeat

from twisted.logger import Logger

from txredisd import allocator
from txredisd.loglevel import observer as logObserver

_log = Logger(observer=logObserver)

_LRU_POLICIES = frozenset([b"allkeys-lru", b"volatile-lru"])
_LFU_POLICIES = frozenset([b"allkeys-lfu", b"volatile-lfu"])
#: Redis's EVPOOL_SIZE.
POOL_SIZE = 16
#: Redis's LFU_INIT_VAL: the counter of a new key.
LFU_INIT_VAL = 5

# Entries sampled to estimate a database's average key and value size, and
# members sampled per collection value.
_KEY_SAMPLE = 32
_ELEMENT_SAMPLE = 16
# Up to this size a dict is sampled by listing it; beyond, from a kept list
# of its keys (random.sample of a dict would list it every time).
_SMALL = 256
# What one client costs beyond its buffers: the protocol, the client state,
# the transport, the parser (measured with sys.getsizeof, rounded up).
CLIENT_OVERHEAD = 4096
# The most table memory a dict entry can take: CPython grows a dict to the
# power of two at or above three times its entries, so up to six slots per
# entry, each a 4-byte index plus two thirds of a 24-byte entry.
_DICT_ENTRY_WORST = 6 * (4 + 16)
# Eviction rounds per command before giving up (the estimate of what a
# round freed is checked after it).
_ROUNDS = 8
# What a key's expiry costs besides the expires dict's table: the time (an
# int) and its entry in the expiry heap (a tuple and a list slot).
_EXPIRE_ENTRY = 32 + 64 + 8


def allocated(size):
    """
    The memory an object of C{size} bytes (C{sys.getsizeof}) takes:
    pymalloc serves objects up to 512 bytes from 16-byte size classes,
    larger ones come from malloc with its 16-byte header.
    """
    if size <= 512:
        return (size + 15) & ~15
    return (size + 31) & ~15


def dictSize(d):
    """
    The memory a large dict's table is charged: the most it can take at
    its length, not what it takes now.  A dict never shrinks and grows in
    steps of up to six times its length; charging the step before it
    comes keeps the estimate from jumping when it does, which would evict
    many keys whose memory Python keeps for new objects (RSS would then
    hold both).
    """
    return max(sys.getsizeof(d), len(d) * _DICT_ENTRY_WORST)


def valueSize(value):
    """
    The estimated memory of one value: the object, plus for a collection
    a sample of its members scaled to its length.
    """
    size = allocated(sys.getsizeof(value))
    if type(value) is bytes:
        return size
    try:
        count = len(value)
        items = value.items() if hasattr(value, "items") else value
        sampled = total = 0
        for item in items:
            if sampled == _ELEMENT_SAMPLE:
                break
            if isinstance(item, tuple):
                total += sum(allocated(sys.getsizeof(part)) for part in item)
            else:
                total += allocated(sys.getsizeof(item))
            sampled += 1
    except TypeError:
        return size
    if sampled:
        size += total * count // sampled
    return size


class KeySampler:
    """
    Random keys of a database's data or expires dict in constant time,
    amortised.

    A large dict keeps a list of its keys, built on first use; picks of
    keys gone since are dropped; keys added since are not picked until the
    list is rebuilt, once half the picks miss or the dict has grown to
    twice the list's length.  New keys are the last an LRU policy would
    evict anyway.
    """

    def __init__(self):
        self._lists = {}

    def sample(self, db, expires, count):
        """
        @param expires: sample the keys with an expiry (C{volatile-*}).
        @return: up to C{count} distinct keys, in random order.
        """
        source = db.expires if expires else db.data
        size = len(source)
        if not size:
            return []
        if size <= _SMALL:
            keys = list(source)
            return random.sample(keys, min(count, size))
        token = (db.index, expires)
        entry = self._lists.get(token)
        if entry is None or entry[0] is not source or size > 2 * len(entry[1]) + _SMALL:
            entry = self._lists[token] = [source, list(source), 0, 0]
        keys = entry[1]
        picks = random.choices(keys, k=count)
        chosen = [key for key in picks if key in source]
        if not chosen:
            # Every pick was stale: list the dict again rather than come
            # back empty-handed from a dict that has keys.
            entry = self._lists[token] = [source, list(source), 0, 0]
            keys = entry[1]
            chosen = [key for key in random.choices(keys, k=count) if key in source]
        # Keys gone since the list was built are picked and dropped: once
        # half the picks of a window of 256 miss, list the dict again.
        entry[2] += count - len(chosen)
        entry[3] += count
        if entry[3] >= 256:
            if entry[2] * 2 > entry[3]:
                del self._lists[token]
            else:
                entry[2] = entry[3] = 0
        return list(dict.fromkeys(chosen))

    def forget(self):
        """
        Drop the kept lists (FLUSHALL, a policy change).
        """
        self._lists.clear()

    def memory(self):
        """
        @return: the bytes the kept lists take.
        """
        return sum(sys.getsizeof(entry[1]) for entry in self._lists.values())


class MemoryEstimator:
    """
    The server's C{used_memory}: what INFO reports and eviction keeps under
    C{maxmemory}.
    """

    def __init__(self, server, sampler):
        self.server = server
        self.sampler = sampler
        # Database index to (key count when sampled, average entry bytes).
        self._averages = {}
        self._cached = None
        self._cacheKey = None
        self.changes = 0

    def invalidate(self):
        """
        Forget the cached figure and the sampled averages (a cron tick).
        """
        self._cached = None
        self._averages.clear()

    def entrySize(self, db):
        """
        The average memory of one key of C{db} with its value (and its
        access record), from a random sample.
        """
        count = len(db.data)
        cached = self._averages.get(db.index)
        if cached is not None and count - count // 8 <= cached[0] <= count + count // 8:
            return cached[1]
        data = db.data
        keys = self.sampler.sample(db, False, _KEY_SAMPLE)
        total = 0
        for key in keys:
            total += allocated(sys.getsizeof(key)) + valueSize(data[key])
        average = total // len(keys) if keys else 0
        if db.access is not None and db.keyspace.tracker is not None:
            average += db.keyspace.tracker.ENTRY
        self._averages[db.index] = (count, average)
        return average

    def used(self):
        """
        @return: the estimated bytes used by the data set and the clients.
        """
        server = self.server
        store = server.store
        key = (store.dirty, len(server.clients), self.changes)
        if self._cached is not None and key == self._cacheKey:
            return self._cached
        total = len(server.clients) * CLIENT_OVERHEAD + self.sampler.memory()
        getsizeof = sys.getsizeof
        for db in store.databases:
            data = db.data
            if not data:
                continue
            total += dictSize(data) + len(data) * self.entrySize(db)
            expires = db.expires
            if expires:
                total += dictSize(expires) + len(expires) * _EXPIRE_ENTRY + getsizeof(db._heap)
            if db.access is not None:
                total += dictSize(db.access)
        self._cached = total
        self._cacheKey = key
        return total


class LRUTracker:
    """
    Records each key's last access second (Redis's LRU clock), sharing one
    int object per second among the keys touched in it.
    """

    #: What an access record adds to a key (the int is shared).
    ENTRY = 0

    def __init__(self, keyspace):
        self.keyspace = keyspace
        self._second = 0

    def clock(self):
        second = self.keyspace.now // 1000
        if second != self._second:
            self._second = second
        return self._second

    def touch(self, access, key):
        access[key] = self.clock()

    def idle(self, access, key):
        """
        @return: how long the key has been idle, in milliseconds (a key
            never seen counts as idle forever).
        """
        last = access.get(key)
        if last is None:
            return 1 << 62
        return max(self.clock() - last, 0) * 1000

    def scores(self, access, keys):
        """
        @return: the eviction scores of C{keys}, the larger the better to
            evict (their idle times).
        """
        now = self.clock()
        get = access.get
        return [(now - get(key, -(1 << 52))) * 1000 for key in keys]


class LFUTracker:
    """
    Records each key's logarithmic access counter and the minute it was
    last decremented, as Redis's C{updateLFU}: C{(minutes << 8) | counter}.
    """

    ENTRY = 32

    def __init__(self, keyspace, config):
        self.keyspace = keyspace
        self.config = config

    def minutes(self):
        return (self.keyspace.now // 60000) & 0xFFFF

    def decayed(self, packed):
        """
        Redis's C{LFUDecrAndReturn}: the counter less one per
        C{lfu-decay-time} minutes since its last decrement.
        """
        if packed is None:
            return 0
        counter = packed & 0xFF
        period = self.config["lfu-decay-time"]
        if not period:
            return counter
        last = packed >> 8
        now = self.minutes()
        elapsed = now - last if now >= last else 65535 - last + now
        periods = elapsed // period
        return 0 if periods > counter else counter - periods

    def touch(self, access, key):
        packed = access.get(key)
        if packed is None:
            counter = LFU_INIT_VAL
        else:
            counter = self.decayed(packed)
            # Redis's LFULogIncr: the more hits, the less likely another
            # one counts.
            if counter < 255:
                base = max(counter - LFU_INIT_VAL, 0)
                if random.random() < 1.0 / (base * self.config["lfu-log-factor"] + 1):
                    counter += 1
        access[key] = (self.minutes() << 8) | counter

    def idle(self, access, key):
        """
        @return: Redis's LFU eviction score, 255 less the counter.
        """
        return 255 - self.decayed(access.get(key))

    def frequency(self, access, key):
        return self.decayed(access.get(key))

    def scores(self, access, keys):
        return [255 - self.decayed(access.get(key)) for key in keys]


class Evictor:
    """
    Keeps the estimated memory under C{maxmemory} by the configured policy.

    @ivar evicted: keys evicted since the stats were reset.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, server):
        self.server = server
        self.sampler = KeySampler()
        self.memory = MemoryEstimator(server, self.sampler)
        self.pool = []
        self._nextDb = 0
        self.evicted = 0
        self._trimmedAt = 0
        self._lastTrim = 0
        self._configure()
        server.config.observers.append(self._configChanged)

    def _configChanged(self, name, value):
        if name in ("maxmemory", "maxmemory-policy"):
            self._configure()
        if name == "maxmemory" and value:
            used = self.memory.used()
            if used > value:
                # Redis warns as CONFIG SET maxmemory goes under the data.
                self._log.warn(
                    "WARNING: the new maxmemory value set via CONFIG SET ({maxmemory}) is "
                    "smaller than the current memory usage ({used}). This will result in key "
                    "eviction and/or the inability to accept new write commands depending on "
                    "the maxmemory-policy.",
                    maxmemory=value,
                    used=used,
                )

    def _configure(self):
        """
        Keep access records only while a policy with a C{maxmemory} needs
        them.
        """
        config = self.server.config
        policy = config["maxmemory-policy"]
        store = self.server.store
        # Dispatch reads this before every command.
        self.active = bool(config["maxmemory"])
        tracker = None
        if config["maxmemory"]:
            if policy in _LRU_POLICIES:
                tracker = store.tracker if isinstance(store.tracker, LRUTracker) else LRUTracker(store)
            elif policy in _LFU_POLICIES:
                tracker = store.tracker if isinstance(store.tracker, LFUTracker) else LFUTracker(store, config)
        if tracker is not store.tracker:
            store.tracker = tracker
            for db in store.databases:
                db.access = {} if tracker is not None else None
            self.pool = []
            self.memory.invalidate()

    def cron(self, server):
        """
        A cron hook: resample the averages now and then, and once a second
        after evictions give the C heap's free pages back, so the resident
        size follows the estimate.
        """
        self.memory.invalidate()
        now = server.clock.seconds()
        if self.evicted != self._trimmedAt and now - self._lastTrim >= 1:
            self._trimmedAt = self.evicted
            self._lastTrim = now
            allocator.trim()

    def idleTime(self, db, key):
        """
        OBJECT IDLETIME's answer in seconds, or L{None} when no access
        times are kept.
        """
        tracker = self.server.store.tracker
        if not isinstance(tracker, LRUTracker) or db.access is None:
            return None
        if key not in db.access:
            return 0
        return tracker.idle(db.access, key) // 1000

    def frequency(self, db, key):
        """
        OBJECT FREQ's answer, or L{None} when no counters are kept.
        """
        tracker = self.server.store.tracker
        if not isinstance(tracker, LFUTracker) or db.access is None:
            return None
        if key not in db.access:
            return LFU_INIT_VAL
        return tracker.frequency(db.access, key)

    def setAccess(self, db, key, idle=None, freq=None):
        """
        Give a key the access record RESTORE's IDLETIME or FREQ says, as
        Redis's C{objectSetLRUOrLFU}: the frequency under an LFU policy,
        else the idle time (seconds), when access records are kept.
        """
        tracker = self.server.store.tracker
        if db.access is None or key not in db.data:
            return
        if isinstance(tracker, LFUTracker):
            if freq is not None:
                db.access[key] = (tracker.minutes() << 8) | freq
        elif isinstance(tracker, LRUTracker) and idle is not None:
            db.access[key] = tracker.clock() - idle

    def makeRoom(self):
        """
        Evict keys until the estimate is under C{maxmemory}, as Redis's
        C{performEvictions} before each command.

        @return: L{False} if memory is over the limit and nothing more can
            be evicted (C{noeviction}, or no key the policy may take).
        """
        server = self.server
        maxmemory = server.config["maxmemory"]
        if not maxmemory or server.loading or server.isReplica:
            # Replicas leave eviction to their master (replica-ignore-maxmemory).
            return True
        memory = self.memory
        used = memory.used()
        if used <= maxmemory:
            return True
        policy = server.config["maxmemory-policy"]
        if policy == b"noeviction":
            return False
        # What a round frees is counted from the entries' estimated size,
        # not measured again after each key; the next round measures.
        for _ in range(_ROUNDS):
            toFree = used - maxmemory
            freed = 0
            while freed < toFree:
                found = self._choose(policy)
                if found is None:
                    return memory.used() <= maxmemory
                db, key = found
                freed += self._entryCost(db, key)
                db.evict(key)
                self.evicted += 1
                memory.changes += 1
            used = memory.used()
            if used <= maxmemory:
                return True
        return False

    def _entryCost(self, db, key):
        # The key, its value, and the table share its dicts charge it.
        cost = self.memory.entrySize(db) + _DICT_ENTRY_WORST
        if db.access is not None:
            cost += _DICT_ENTRY_WORST
        if key in db.expires:
            cost += _EXPIRE_ENTRY + _DICT_ENTRY_WORST
        return cost

    def _choose(self, policy):
        store = self.server.store
        volatile = policy.startswith(b"volatile-")
        if policy.endswith(b"-random"):
            databases = store.databases
            for _ in range(len(databases)):
                db = databases[self._nextDb % len(databases)]
                self._nextDb += 1
                for _ in range(8):
                    keys = self.sampler.sample(db, volatile, 1)
                    if keys:
                        return db, keys[0]
                    if not (db.expires if volatile else db.data):
                        break
            return None
        for _ in range(8):
            filled = False
            for db in store.databases:
                if db.expires if volatile else db.data:
                    filled = True
                    self._populate(policy, db, volatile)
            if not filled:
                return None
            pool = self.pool
            while pool:
                _, index, key = pool.pop()
                db = store.databases[index]
                if key in (db.expires if volatile else db.data):
                    return db, key
        return None

    def _populate(self, policy, db, volatile):
        """
        Redis's C{evictionPoolPopulate}: score sampled keys, keep the
        pool's best, sorted by score.
        """
        keys = self.sampler.sample(db, volatile, self.server.config["maxmemory-samples"])
        if policy == b"volatile-ttl":
            # The sooner a key expires, the better to evict it.
            expires = db.expires
            scores = [(1 << 62) - expires[key] for key in keys]
        else:
            tracker = self.server.store.tracker
            access = db.access
            if tracker is None or access is None:
                scores = [0] * len(keys)
            else:
                scores = tracker.scores(access, keys)
        pool = self.pool
        pool.extend(zip(scores, repeat(db.index), keys))
        # The best candidates last; a key sampled twice is there twice and
        # the second copy is skipped as gone when its turn comes.
        pool.sort()
        del pool[:-POOL_SIZE]
