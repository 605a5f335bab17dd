"""
Tests for L{txredisd.store}: the keyspace provides its interfaces, and the
many-key forms of get and set behave as the one-key forms in turn.
"""

from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from tests.helpers import Connection
from txredisd.errors import CommandError
from txredisd.interfaces import IDatabase, IStore
from txredisd.store import Keyspace


class InterfaceTests(SynchronousTestCase):
    """
    L{Keyspace} and its databases provide L{IStore} and L{IDatabase}.
    """

    def test_keyspace(self):
        keyspace = Keyspace()
        self.assertTrue(verifyObject(IStore, keyspace))
        self.assertEqual(len(keyspace.databases), 16)

    def test_database(self):
        database = Keyspace(databases=2).db(1)
        self.assertTrue(verifyObject(IDatabase, database))
        self.assertEqual(database.index, 1)


class ManyKeysTests(SynchronousTestCase):
    """
    L{IDatabase.getStrings} and L{IDatabase.setMany}.
    """

    def setUp(self):
        self.keyspace = Keyspace()
        self.keyspace.now = 1000
        self.db = self.keyspace.db(0)
        self.db.set(b"a", b"1")
        self.db.set(b"b", b"2")
        self.events = []
        self.dirty = self.keyspace.dirty

    def notifyInto(self):
        self.keyspace.notifier = lambda flag, event, key, index: self.events.append((event, key))

    def test_getStrings(self):
        """
        The values in order, a miss as L{None}, hits and misses counted.
        """
        self.assertEqual(self.db.getStrings([b"a", b"x", b"b", b"a"]), [b"1", None, b"2", b"1"])
        self.assertEqual((self.keyspace.hits, self.keyspace.misses), (3, 1))
        self.db.setExpire(b"b", 5000)
        self.assertEqual(self.db.getStrings([]), [])

    def test_getStringsOtherType(self):
        """
        A key of another type: L{None}, nothing counted; get() then gives
        WRONGTYPE.
        """
        self.db.set(b"l", [b"x"])
        self.assertIsNone(self.db.getStrings([b"a", b"l"]))
        self.assertEqual((self.keyspace.hits, self.keyspace.misses), (0, 0))
        self.assertRaises(CommandError, self.db.getTyped, b"l", bytes)

    def test_getStringsExpiry(self):
        """
        A key with a time to live is read until its time has passed; then
        L{None}, and the key is left for get() to delete.
        """
        self.db.setExpire(b"a", 1000)
        self.assertEqual(self.db.getStrings([b"a", b"b"]), [b"1", b"2"])
        self.keyspace.now = 1001
        self.assertIsNone(self.db.getStrings([b"a", b"b"]))
        self.assertIn(b"a", self.db.data)
        self.assertEqual(self.keyspace.expiredKeys, 0)

    def test_getStringsMissEvents(self):
        """
        While C{keymiss} events are on: L{None}, for get() to announce
        each.
        """
        self.keyspace.notifyMiss = True
        self.assertIsNone(self.db.getStrings([b"a"]))

    def test_setMany(self):
        """
        Each key takes its value in order, loses its time to live, and
        counts as a change.
        """
        self.db.setExpire(b"a", 5000)
        self.db.setExpire(b"b", 5000)
        self.dirty = self.keyspace.dirty
        self.db.setMany([b"a", b"c", b"a"], [b"x", b"y", b"z"])
        self.assertEqual(self.db.data, {b"a": b"z", b"b": b"2", b"c": b"y"})
        self.assertEqual(self.db.expires, {b"b": 5000})
        self.assertEqual(self.keyspace.dirty, self.dirty + 3)

    def test_setManyNewEvents(self):
        """
        While C{new} events are on, keys that come into being are
        announced, once.
        """
        self.notifyInto()
        self.keyspace.notifyNew = True
        self.db.setMany([b"a", b"c", b"c"], [b"x", b"y", b"z"])
        self.assertEqual(self.events, [(b"new", b"c")])
        self.assertEqual(self.db.data[b"c"], b"z")
        self.assertEqual(self.keyspace.dirty, self.dirty + 3)

    def test_setManyWatched(self):
        """
        A transaction watching one of the keys is aborted.
        """
        conn = Connection()
        server = conn.server
        conn.call("WATCH", "k")
        conn.call("MULTI")
        server.store.db(0).setMany([b"j", b"k"], [b"1", b"2"])
        self.assertEqual(conn.call("EXEC"), b"*-1\r\n")

    def test_setManyTracksAccess(self):
        """
        Under an LRU policy each key's access time is kept.
        """
        conn = Connection()
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        conn.call("CONFIG", "SET", "maxmemory", "1gb")
        db = conn.server.store.db(0)
        self.assertIsNotNone(db.access)
        db.setMany([b"j", b"k"], [b"1", b"2"])
        self.assertIn(b"j", db.access)
        self.assertIn(b"k", db.access)
