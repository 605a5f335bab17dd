"""
Tests for L{txredisd.eviction}: the memory estimate, maxmemory policies,
key access tracking and evicted keys' propagation.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.eviction import KeySampler, LFUTracker, LRUTracker, MemoryEstimator, allocated

OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"


def fill(conn, count, prefix=b"key", size=10, ttl=None):
    db = conn.client.db
    for i in range(count):
        db.set(b"%s:%d" % (prefix, i), b"v" * size)
        if ttl is not None:
            db.setExpire(b"%s:%d" % (prefix, i), conn.server.store.now + ttl + i)


class EstimateTests(SynchronousTestCase):
    """
    One memory estimate serves INFO and eviction.
    """

    def test_growsWithData(self):
        """
        Adding 10000 keys of 100 bytes adds at least their payload to
        used_memory, and INFO shows the same figure eviction uses.
        """
        conn = Connection()
        before = conn.server.evictor.memory.used()
        fill(conn, 10000, size=100)
        used = conn.server.evictor.memory.used()
        self.assertGreater(used - before, 10000 * 100)
        info = conn.call("INFO", "memory")
        self.assertIn(b"used_memory:%d\r\n" % (used,), info)

    def test_allocated(self):
        """
        Small objects are counted in pymalloc's 16-byte size classes.
        """
        self.assertEqual(allocated(33), 48)
        self.assertEqual(allocated(48), 48)
        self.assertEqual(allocated(1000), 1024)

    def test_cached(self):
        """
        Without writes the estimate is not computed again.
        """
        server = makeServer()
        memory = server.evictor.memory
        first = memory.used()
        server.store.databases[0].data[b"sneaky"] = b"x" * 10000
        self.assertEqual(memory.used(), first)
        server.store.dirty += 1
        self.assertGreater(memory.used(), first)

    def test_sampler(self):
        """
        Sampled keys are distinct live keys, also after deletions.
        """
        server = makeServer()
        db = server.store.databases[0]
        for i in range(1000):
            db.set(b"k%d" % i, b"v")
        sampler = KeySampler()
        keys = sampler.sample(db, False, 5)
        self.assertEqual(len(set(keys)), len(keys))
        for i in range(900):
            db.delete(b"k%d" % i)
        for _ in range(50):
            for key in sampler.sample(db, False, 5):
                self.assertIn(key, db.data)
        self.assertIsInstance(MemoryEstimator(server, sampler).used(), int)


class NoEvictionTests(SynchronousTestCase):
    """
    Under noeviction, denyoom commands are refused over maxmemory.
    """

    def setUp(self):
        self.conn = Connection()
        fill(self.conn, 2000)
        self.conn.call("CONFIG", "SET", "maxmemory", "1")

    def test_denyoomRefused(self):
        """
        SET is refused with Redis's OOM error; reads and DEL still run.
        """
        self.assertEqual(self.conn.call("SET", "a", "b"), OOM)
        self.assertEqual(self.conn.call("GET", "key:1"), b"$10\r\nvvvvvvvvvv\r\n")
        self.assertEqual(self.conn.call("DEL", "key:1"), b":1\r\n")
        self.assertIn(b"errorstat_OOM:count=1", self.conn.call("INFO", "errorstats"))

    def test_multi(self):
        """
        Inside MULTI any command but EXEC/DISCARD is refused over the limit,
        and EXEC then aborts.
        """
        self.assertEqual(self.conn.call("MULTI"), b"+OK\r\n")
        self.assertEqual(self.conn.call("GET", "key:1"), OOM)
        self.assertEqual(
            self.conn.call("EXEC"),
            b"-EXECABORT Transaction discarded because of previous errors.\r\n",
        )

    def test_underLimit(self):
        """
        Raising maxmemory lets writes run again.
        """
        self.conn.call("CONFIG", "SET", "maxmemory", "1gb")
        self.assertEqual(self.conn.call("SET", "a", "b"), b"+OK\r\n")

    def test_replicaIgnores(self):
        """
        A replica does not enforce maxmemory (its master evicts).
        """
        self.conn.server.isReplica = True
        self.assertEqual(self.conn.call("SET", "a", "b"), b"+OK\r\n")


class PolicyTests(SynchronousTestCase):
    """
    The eviction policies choose their keys as Redis's do.
    """

    def makeConn(self, policy):
        # A roomy maxmemory first: the policy keeps its records from then on.
        conn = Connection()
        conn.call("CONFIG", "SET", "maxmemory-policy", policy)
        conn.call("CONFIG", "SET", "maxmemory-samples", "10")
        conn.call("CONFIG", "SET", "maxmemory", "1gb")
        return conn

    def survivors(self, conn, prefix, numbers):
        db = conn.client.db
        return sum(1 for i in numbers if b"%s:%d" % (prefix, i) in db.data)

    def limitTo(self, conn, fraction):
        used = conn.server.evictor.memory.used()
        conn.call("CONFIG", "SET", "maxmemory", str(int(used * fraction)))

    def test_allkeysLru(self):
        """
        allkeys-lru evicts keys not used for the longest time: keys read
        recently survive.
        """
        conn = self.makeConn("allkeys-lru")
        fill(conn, 2000)
        conn.server.clock.advance(100)
        for i in range(200):
            conn.call("GET", "key:%d" % i)
        self.limitTo(conn, 0.7)
        conn.call("SET", "new", "x")
        db = conn.client.db
        survivors = sum(1 for i in range(200) if db.exists(b"key:%d" % i))
        self.assertEqual(survivors, 200)
        self.assertLess(len(db.data), 2000)
        info = conn.call("INFO", "stats")
        self.assertIn(b"evicted_keys:%d\r\n" % (conn.server.evictor.evicted,), info)
        self.assertGreater(conn.server.evictor.evicted, 0)

    def test_volatileLruOnlyVolatile(self):
        """
        volatile-lru evicts only keys with a TTL; with none left it fails
        with OOM.
        """
        conn = self.makeConn("volatile-lru")
        fill(conn, 1000, prefix=b"keep")
        fill(conn, 1000, prefix=b"ttl", ttl=100000)
        self.limitTo(conn, 0.8)
        conn.call("SET", "x", "y")
        db = conn.client.db
        self.assertEqual(self.survivors(conn, b"keep", range(1000)), 1000)
        self.assertLess(len(db.expires), 1000)
        self.limitTo(conn, 0.2)
        self.assertEqual(conn.call("SET", "z", "y"), OOM)
        self.assertEqual(len(db.expires), 0)

    def test_allkeysLfu(self):
        """
        allkeys-lfu keeps frequently used keys.
        """
        conn = self.makeConn("allkeys-lfu")
        fill(conn, 1000)
        for _ in range(30):
            for i in range(100):
                conn.client.db.get(b"key:%d" % i)
        self.limitTo(conn, 0.6)
        conn.call("SET", "x", "y")
        db = conn.client.db
        self.assertGreaterEqual(self.survivors(conn, b"key", range(100)), 95)
        self.assertLess(len(db.data), 1000)

    def test_volatileTtl(self):
        """
        volatile-ttl evicts the keys that expire soonest first.
        """
        conn = self.makeConn("volatile-ttl")
        fill(conn, 1000, ttl=100000)
        self.limitTo(conn, 0.8)
        conn.call("SET", "x", "y")
        db = conn.client.db
        # The latest expiring keys (highest numbers) survive.
        self.assertEqual(self.survivors(conn, b"key", range(900, 1000)), 100)
        self.assertLess(len(db.data), 1001)

    def test_random(self):
        """
        allkeys-random evicts until under the limit; volatile-random only
        keys with a TTL.
        """
        conn = self.makeConn("allkeys-random")
        fill(conn, 1000)
        self.limitTo(conn, 0.7)
        self.assertEqual(conn.call("SET", "x", "y"), b"+OK\r\n")
        self.assertLess(len(conn.client.db.data), 1000)
        self.assertLessEqual(conn.server.evictor.memory.used(), conn.server.config["maxmemory"] * 1.01)

        conn = self.makeConn("volatile-random")
        fill(conn, 500, prefix=b"keep")
        fill(conn, 500, prefix=b"ttl", ttl=1000)
        self.limitTo(conn, 0.8)
        conn.call("SET", "x", "y")
        db = conn.client.db
        self.assertEqual(self.survivors(conn, b"keep", range(500)), 500)
        self.assertLess(len(db.expires), 500)

    def test_trackingOnlyWhileNeeded(self):
        """
        Access records exist only while an LRU/LFU policy has a maxmemory.
        """
        conn = Connection()
        db = conn.client.db
        self.assertIsNone(db.access)
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        self.assertIsNone(db.access)
        conn.call("CONFIG", "SET", "maxmemory", "1gb")
        self.assertEqual(db.access, {})
        self.assertIsInstance(conn.server.store.tracker, LRUTracker)
        conn.call("SET", "a", "b")
        self.assertIn(b"a", db.access)
        conn.call("DEL", "a")
        self.assertNotIn(b"a", db.access)
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        self.assertIsInstance(conn.server.store.tracker, LFUTracker)
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        self.assertIsNone(db.access)
        self.assertIsNone(conn.server.store.tracker)


class LFUTests(SynchronousTestCase):
    """
    The LFU counter follows Redis's logarithmic increment and decay.
    """

    def test_newKeyAndDecay(self):
        """
        A new key starts at LFU_INIT_VAL (5); each lfu-decay-time minutes
        idle takes one off.
        """
        server = makeServer()
        server.config.set("maxmemory", b"1gb")
        server.config.set("maxmemory-policy", b"allkeys-lfu")
        store = server.store
        store.now = server.now()
        db = store.databases[0]
        db.set(b"k", b"v")
        tracker = store.tracker
        self.assertEqual(tracker.frequency(db.access, b"k"), 5)
        store.now += 3 * 60000
        self.assertEqual(tracker.frequency(db.access, b"k"), 2)

    def test_logarithmic(self):
        """
        With lfu-log-factor 0 every access counts, up to 255.
        """
        server = makeServer()
        server.config.set("maxmemory", b"1gb")
        server.config.set("maxmemory-policy", b"allkeys-lfu")
        server.config.set("lfu-log-factor", b"0")
        db = server.store.databases[0]
        db.set(b"k", b"v")
        for _ in range(300):
            db.get(b"k")
        self.assertEqual(server.store.tracker.frequency(db.access, b"k"), 255)


class PropagationTests(SynchronousTestCase):
    """
    Evicted keys are propagated as DEL, notified and seen by WATCH.
    """

    def test_propagatedAndNotified(self):
        """
        Each evicted key reaches the expiredHooks (replication and the AOF
        write DEL) and publishes an 'evicted' keyspace event.
        """
        conn = Connection()
        server = conn.server
        deleted = []
        server.store.expiredHooks.append(lambda index, key: deleted.append(key))
        listener = Connection(server)
        conn.call("CONFIG", "SET", "notify-keyspace-events", "Ee")
        listener.call("SUBSCRIBE", "__keyevent@0__:evicted")
        listener.transport.clear()
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        fill(conn, 300)
        used = server.evictor.memory.used()
        conn.call("CONFIG", "SET", "maxmemory", str(int(used * 0.9)))
        dirty = server.store.dirty
        conn.call("SET", "x", "y")
        self.assertTrue(deleted)
        self.assertEqual(server.evictor.evicted, len(deleted))
        for key in deleted:
            self.assertNotIn(key, conn.client.db.data)
            self.assertIn(b"$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$%d\r\n%s\r\n" % (len(key), key), listener.transport.value())
        # Only SET counts as a change, as Redis leaves dirty alone.
        self.assertEqual(server.store.dirty, dirty + 1)

    def test_watch(self):
        """
        Evicting a watched key makes EXEC fail.
        """
        conn = Connection()
        conn.call("SET", "w", "1")
        conn.call("WATCH", "w")
        conn.client.db.evict(b"w")
        conn.call("MULTI")
        conn.call("SET", "x", "1")
        self.assertEqual(conn.call("EXEC"), b"*-1\r\n")


class ObjectTests(SynchronousTestCase):
    """
    OBJECT IDLETIME and FREQ read the access records while they are kept.
    """

    def test_idletime(self):
        """
        Under an LRU policy IDLETIME counts seconds since the last access,
        and OBJECT itself does not touch the key.
        """
        conn = Connection()
        conn.call("CONFIG", "SET", "maxmemory", "1gb")
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        conn.call("SET", "k", "v")
        conn.server.clock.advance(5)
        self.assertEqual(conn.call("OBJECT", "IDLETIME", "k"), b":5\r\n")
        conn.server.clock.advance(2)
        self.assertEqual(conn.call("OBJECT", "IDLETIME", "k"), b":7\r\n")
        conn.call("GET", "k")
        self.assertEqual(conn.call("OBJECT", "IDLETIME", "k"), b":0\r\n")

    def test_freq(self):
        """
        Under an LFU policy FREQ gives the key's counter.
        """
        conn = Connection()
        conn.call("CONFIG", "SET", "maxmemory", "1gb")
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        conn.call("CONFIG", "SET", "lfu-log-factor", "0")
        conn.call("SET", "k", "v")
        for _ in range(3):
            conn.call("GET", "k")
        self.assertEqual(conn.call("OBJECT", "FREQ", "k"), b":8\r\n")
