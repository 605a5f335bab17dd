"""
Tests for L{txredisd.persistence.service}: loading, SAVE, BGSAVE, save
points and snapshots taken while clients keep writing.
"""

import os
from collections import deque

from twisted.internet.defer import Deferred, succeed
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.persistence import rdb
from txredisd.persistence.service import LoadError, Persistence, PersistenceService
from txredisd.persistence.snapshot import Snapshot
from txredisd.store import registerType


class ManualThread:
    """
    A stand-in for C{deferToThread} that runs the function when told.
    """

    def __init__(self):
        self.calls = []

    def __call__(self, f, *args):
        d = Deferred()
        self.calls.append((d, f, args))
        return d

    def runAll(self):
        calls, self.calls = self.calls, []
        for d, f, args in calls:
            try:
                result = f(*args)
            except Exception as e:
                d.errback(e)
            else:
                d.callback(result)


class _TestList(deque):
    """
    A collection class for these tests, registered as lists only while a
    test uses it (the real families register their own).
    """


def useTestList(testCase):
    """
    Register L{_TestList} for the duration of a test.
    """
    from txredisd import store

    registerType(_TestList, b"list", lambda v: b"quicklist")

    def cleanup():
        store.TYPE_NAMES.pop(_TestList, None)
        store._ENCODINGS.pop(_TestList, None)
        store._COPIERS.pop(_TestList, None)

    testCase.addCleanup(cleanup)


class PersistenceTests(SynchronousTestCase):
    """
    Saving and loading through L{Persistence}.
    """

    def setUp(self):
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.server = makeServer()
        self.server.config.set("dir", self.directory.encode())
        self.thread = ManualThread()
        self.persistence = Persistence(self.server, deferToThread=self.thread, fsync=lambda fd: None)
        self.conn = Connection(self.server)

    def path(self):
        return os.path.join(self.directory, "dump.rdb")

    def test_saveThenLoad(self):
        """
        A saved keyspace loads into a new server with the same keys, values,
        databases and expiry times.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("SET", "b", "x" * 100)
        self.server.store.db(0).setExpire(b"b", self.server.now() + 100_000)
        self.conn.call("SELECT", "3")
        self.conn.call("SET", "c", "in db 3")
        self.persistence.save()
        self.thread.runAll()
        other = makeServer()
        other.config.set("dir", self.directory.encode())
        self.assertEqual(Persistence(other).load(), 3)
        self.assertEqual(other.store.db(0).data, {b"a": b"1", b"b": b"x" * 100})
        self.assertEqual(other.store.db(0).expires, self.server.store.db(0).expires)
        self.assertEqual(other.store.db(3).data, {b"c": b"in db 3"})

    def test_snapshotIsPointInTime(self):
        """
        Writes made while a save runs, to strings and to collections changed
        in place, are not in the file: it holds the keyspace as it was when
        the save started.
        """
        useTestList(self)
        db = self.server.store.db(0)
        db.set(b"s", b"before")
        db.set(b"l", _TestList([b"a", b"b"]))
        self.persistence.save()
        # The save is under way: clients keep writing.
        self.conn.call("SET", "s", "after")
        self.conn.call("SET", "new", "key")
        db.getForWrite(b"l").append(b"c")
        db.delete(b"missing")
        self.thread.runAll()
        records, _ = rdb.loads(open(self.path(), "rb").read())
        self.assertEqual({r.key: r.value for r in records}, {b"s": b"before", b"l": [b"a", b"b"]})
        self.assertEqual(list(db.data[b"l"]), [b"a", b"b", b"c"])
        self.assertIsNone(self.server.store.snapshot)

    def test_changesSinceLastSave(self):
        """
        The change counter counts writes since the last save started.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("SET", "b", "1")
        self.assertEqual(self.persistence.changesSinceLastSave(), 2)
        self.persistence.save()
        self.conn.call("SET", "c", "1")
        self.thread.runAll()
        self.assertEqual(self.persistence.changesSinceLastSave(), 1)

    def test_failedSave(self):
        """
        A save into a missing directory fails, is reported as err, and
        leaves no temp file behind.
        """
        self.server.config.set("dir", os.path.join(self.directory, "nope").encode())
        d = self.persistence.save()
        self.thread.runAll()
        self.failureResultOf(d)
        self.assertEqual(self.persistence.lastStatus, "err")
        self.assertEqual(os.listdir(self.directory), [])

    def test_atomicReplace(self):
        """
        A save replaces the file by rename; the previous file stays whole
        until then, and no temp file remains.
        """
        with open(self.path(), "wb") as f:
            f.write(b"previous")
        self.conn.call("SET", "a", "1")
        self.persistence.save()
        self.assertEqual(open(self.path(), "rb").read(), b"previous")
        self.thread.runAll()
        self.assertEqual(os.listdir(self.directory), ["dump.rdb"])
        records, _ = rdb.loads(open(self.path(), "rb").read())
        self.assertEqual([r.key for r in records], [b"a"])

    def test_missingFileIsEmpty(self):
        """
        With no file, loading gives an empty keyspace.
        """
        self.assertEqual(self.persistence.load(), 0)

    def test_corruptFileRefused(self):
        """
        A truncated file is refused with a message naming the file and the
        offset, and is left as it was.
        """
        data = rdb.dumps({0: [(b"k", b"string", b"v", None)]}, (), 10)
        with open(self.path(), "wb") as f:
            f.write(data[:-5])
        e = self.assertRaises(LoadError, self.persistence.load)
        self.assertIn(self.path(), str(e))
        self.assertIn("offset", str(e))
        self.assertEqual(open(self.path(), "rb").read(), data[:-5])

    def test_expiredKeysSkipped(self):
        """
        Keys whose time passed while the server was down are not loaded.
        """
        now = self.server.now()
        data = rdb.dumps({0: [(b"old", b"string", b"v", now - 1000), (b"new", b"string", b"v", now + 100_000)]}, (), 10)
        with open(self.path(), "wb") as f:
            f.write(data)
        self.assertEqual(self.persistence.load(), 1)
        self.assertEqual(list(self.server.store.db(0).data), [b"new"])

    def test_savePoints(self):
        """
        A save point starts a background save once enough changes happened
        after enough seconds.
        """
        self.server.config.set("save", b"10 2")
        self.conn.call("SET", "a", "1")
        self.server.clock.advance(11)
        self.persistence.checkSavePoints()
        self.assertIsNone(self.persistence.inProgress)
        self.conn.call("SET", "b", "1")
        self.persistence.checkSavePoints()
        self.assertIsNotNone(self.persistence.inProgress)
        self.thread.runAll()
        self.assertTrue(os.path.exists(self.path()))


class CommandTests(SynchronousTestCase):
    """
    SAVE, BGSAVE, LASTSAVE and SHUTDOWN over a connection.
    """

    def setUp(self):
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.server = makeServer()
        self.server.config.set("dir", self.directory.encode())
        self.thread = ManualThread()
        Persistence(self.server, deferToThread=self.thread, fsync=lambda fd: None)
        self.conn = Connection(self.server)

    def test_bgsave(self):
        """
        BGSAVE starts a save; a second one while it runs is refused, and
        BGSAVE SCHEDULE queues one for when it ends.
        """
        self.assertEqual(self.conn.call("BGSAVE"), b"+Background saving started\r\n")
        self.assertEqual(self.conn.call("BGSAVE"), b"-ERR Background save already in progress\r\n")
        self.assertEqual(self.conn.call("BGSAVE", "SCHEDULE"), b"+Background saving scheduled\r\n")
        self.assertEqual(self.conn.call("BGSAVE", "NOW"), b"-ERR syntax error\r\n")
        self.thread.runAll()
        self.assertEqual(len(self.thread.calls), 1)
        self.thread.runAll()
        self.assertIsNone(self.server.persistence.inProgress)

    def test_saveWaitsForTheFile(self):
        """
        SAVE answers +OK once the file is on disk, and later pipelined
        commands wait behind it while other clients are served.
        """
        self.conn.call("SET", "a", "1")
        self.assertEqual(self.conn.feed(b"SAVE\r\nGET a\r\n"), b"")
        other = Connection(self.server)
        self.assertEqual(other.call("GET", "a"), b"$1\r\n1\r\n")
        self.thread.runAll()
        self.assertEqual(self.conn.transport.value(), b"+OK\r\n$1\r\n1\r\n")

    def test_lastsave(self):
        """
        LASTSAVE moves to the time of the last successful save.
        """
        before = int(self.conn.call("LASTSAVE")[1:-2])
        self.server.clock.advance(100)
        self.conn.call("BGSAVE")
        self.thread.runAll()
        self.assertEqual(int(self.conn.call("LASTSAVE")[1:-2]), before + 100)

    def test_shutdownSaves(self):
        """
        SHUTDOWN with save points saves, answers nothing and closes; the
        server is asked to stop.
        """
        self.conn.call("SET", "a", "1")
        self.assertEqual(self.conn.call("SHUTDOWN"), b"")
        self.assertTrue(self.conn.transport.disconnecting)
        self.assertTrue(self.server.shutdownRequested)
        self.assertTrue(os.path.exists(os.path.join(self.directory, "dump.rdb")))

    def test_shutdownNosave(self):
        """
        SHUTDOWN NOSAVE does not save.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("SHUTDOWN", "NOSAVE")
        self.assertFalse(os.path.exists(os.path.join(self.directory, "dump.rdb")))

    def test_shutdownErrors(self):
        """
        SHUTDOWN's option errors are Redis's.
        """
        self.assertEqual(self.conn.call("SHUTDOWN", "SAVE", "NOSAVE"), b"-ERR syntax error\r\n")
        self.assertEqual(self.conn.call("SHUTDOWN", "ABORT"), b"-ERR No shutdown in progress.\r\n")
        self.assertEqual(self.conn.call("SHUTDOWN", "BOGUS"), b"-ERR syntax error\r\n")


class ServiceTests(SynchronousTestCase):
    """
    L{PersistenceService} loads on start and saves on stop.
    """

    def test_stopSaves(self):
        """
        Stopping the service with save points configured saves; without
        them it does not.
        """
        directory = self.mktemp()
        os.makedirs(directory)
        server = makeServer()
        server.config.set("dir", directory.encode())
        service = PersistenceService(server)
        service.persistence._deferToThread = lambda f, *a: succeed(f(*a))
        service.persistence._fsync = lambda fd: None
        service.startService()
        server.store.db(0).set(b"k", b"v")
        self.successResultOf(service.stopService())
        self.assertTrue(os.path.exists(os.path.join(directory, "dump.rdb")))
        os.unlink(os.path.join(directory, "dump.rdb"))
        server.config.set("save", b"")
        service.startService()
        self.assertIsNone(service.stopService())
        self.assertFalse(os.path.exists(os.path.join(directory, "dump.rdb")))

    def test_corruptFileStopsStartup(self):
        """
        A corrupt file stops startup (SystemExit) and is not overwritten.
        """
        directory = self.mktemp()
        os.makedirs(directory)
        with open(os.path.join(directory, "dump.rdb"), "wb") as f:
            f.write(b"REDIS0010\xfe")
        server = makeServer()
        server.config.set("dir", directory.encode())
        self.assertRaises(SystemExit, PersistenceService(server).startService)
        self.assertEqual(open(os.path.join(directory, "dump.rdb"), "rb").read(), b"REDIS0010\xfe")
