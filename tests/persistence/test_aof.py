"""
Tests for L{txredisd.persistence.aof}: the multi-part append-only file.
"""

import os

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from tests.persistence.test_service import ManualThread
from txredisd.persistence.aof import AOFError, AppendOnlyFile, Manifest
from txredisd.resp import RequestParser, encodeCommand


class ManifestTests(SynchronousTestCase):
    """
    The manifest's text format, as Redis 7 writes it.
    """

    def test_roundTrip(self):
        """
        A manifest renders to Redis's lines and parses back.
        """
        manifest = Manifest(("appendonly.aof.3.base.rdb", 3), [("appendonly.aof.3.incr.aof", 3)])
        text = manifest.render()
        self.assertEqual(
            text,
            b"file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n",
        )
        parsed = Manifest.parse(text)
        self.assertEqual((parsed.base, parsed.incrs), (manifest.base, manifest.incrs))

    def test_bad(self):
        """
        A malformed line is refused with its line number.
        """
        e = self.assertRaises(AOFError, Manifest.parse, b"file a seq 1 type b\nnonsense\n", "m")
        self.assertIn("line 2", str(e))


class AOFTests(SynchronousTestCase):
    """
    Appending, loading and rewriting.
    """

    def setUp(self):
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.server = makeServer()
        self.server.config.set("dir", self.directory.encode())
        self.fsyncs = []
        self.thread = ManualThread()
        self.aof = AppendOnlyFile(self.server, deferToThread=self.thread, fsync=self.fsyncs.append)
        self.aof.start()
        self.addCleanup(lambda: self.aof.enabled and self.aof.stop())
        self.conn = Connection(self.server)

    def aofDir(self):
        return os.path.join(self.directory, "appendonlydir")

    def incr(self):
        with open(os.path.join(self.aofDir(), self.aof.manifest.incrs[-1][0]), "rb") as f:
            return RequestParser().feed(f.read())[0]

    def reload(self):
        """
        A new server loading this directory's AOF.
        """
        server = makeServer()
        server.config.set("dir", self.directory.encode())
        AppendOnlyFile(server, fsync=lambda fd: None).load()
        return server

    def test_startCreatesFiles(self):
        """
        Starting creates the directory, a base, an increment and the
        manifest naming them.
        """
        self.assertEqual(
            sorted(os.listdir(self.aofDir())),
            ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"],
        )

    def test_appendsWithSelect(self):
        """
        Writes are appended with SELECT when the database changes, relative
        expiries as absolute ones; reads are not.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("GET", "a")
        self.conn.call("SELECT", "2")
        self.conn.call("SET", "b", "2", "EX", "10")
        now = self.server.now()
        self.assertEqual(
            self.incr(),
            [
                [b"SELECT", b"0"],
                [b"SET", b"a", b"1"],
                [b"SELECT", b"2"],
                [b"SET", b"b", b"2", b"PXAT", b"%d" % (now + 10_000)],
            ],
        )

    def test_expiredKeyAppendsDel(self):
        """
        A key that expires is appended as DEL.
        """
        self.conn.call("SET", "a", "1", "PX", "5")
        self.server.clock.advance(0.01)
        self.conn.call("GET", "a")
        self.assertEqual(self.incr()[-1], [b"DEL", b"a"])

    def test_fsyncAlways(self):
        """
        With appendfsync always every write is fsynced before the reply.
        """
        self.server.config.set("appendfsync", b"always")
        before = len(self.fsyncs)
        self.conn.call("SET", "a", "1")
        self.assertEqual(len(self.fsyncs), before + 1)

    def test_fsyncEverySecond(self):
        """
        With appendfsync everysec a thread fsyncs once a second when there
        were writes.
        """
        before = len(self.fsyncs)
        self.conn.call("SET", "a", "1")
        self.conn.call("SET", "b", "1")
        self.assertEqual(len(self.fsyncs), before)
        self.server.clock.advance(1)
        self.thread.runAll()
        self.assertEqual(len(self.fsyncs), before + 1)
        self.server.clock.advance(1)
        self.thread.runAll()
        self.assertEqual(len(self.fsyncs), before + 1)

    def test_loadReplays(self):
        """
        Loading replays the base and the increments into the keyspace.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("SELECT", "3")
        self.conn.call("SET", "b", "x")
        self.aof.stop()
        server = self.reload()
        self.assertEqual(server.store.db(0).data, {b"a": b"1"})
        self.assertEqual(server.store.db(3).data, {b"b": b"x"})

    def test_truncatedLastCommand(self):
        """
        An AOF whose last command is cut short loads up to the last complete
        command, and the file is truncated there.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("SET", "b", "2")
        self.aof.stop()
        path = os.path.join(self.aofDir(), "appendonly.aof.1.incr.aof")
        with open(path, "ab") as f:
            f.write(encodeCommand([b"SET", b"c", b"3"])[:-4])
        server = self.reload()
        self.assertEqual(server.store.db(0).data, {b"a": b"1", b"b": b"2"})
        self.assertEqual(RequestParser().feed(open(path, "rb").read())[0][-1], [b"SET", b"b", b"2"])

    def test_corruptMiddleRefused(self):
        """
        Garbage in the middle of an increment refuses to load.
        """
        self.conn.call("SET", "a", "1")
        self.aof.stop()
        path = os.path.join(self.aofDir(), "appendonly.aof.1.incr.aof")
        with open(path, "ab") as f:
            f.write(b"*1\r\n:12\r\n" + encodeCommand([b"SET", b"c", b"3"]))
        server = makeServer()
        server.config.set("dir", self.directory.encode())
        e = self.assertRaises(AOFError, AppendOnlyFile(server).load)
        self.assertIn("Bad file format", str(e))

    def test_rewriteKeepsWritesDuringIt(self):
        """
        BGREWRITEAOF writes a new base from a snapshot; writes made while it
        runs go to the new increment, and after it the manifest names only
        the new files.
        """
        self.conn.call("SET", "a", "1")
        self.assertEqual(self.conn.call("BGREWRITEAOF"), b"+Background append only file rewriting started\r\n")
        self.assertEqual(
            self.conn.call("BGREWRITEAOF"), b"-ERR Background append only file rewriting already in progress\r\n"
        )
        self.conn.call("SET", "b", "during")
        self.thread.runAll()
        self.assertEqual(self.aof.manifest.base[0], "appendonly.aof.2.base.rdb")
        self.assertEqual(self.aof.manifest.incrs, [("appendonly.aof.2.incr.aof", 2)])
        self.assertEqual(
            sorted(os.listdir(self.aofDir())),
            ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"],
        )
        self.conn.call("SET", "c", "after")
        self.aof.stop()
        server = self.reload()
        self.assertEqual(server.store.db(0).data, {b"a": b"1", b"b": b"during", b"c": b"after"})

    def test_crashDuringRewrite(self):
        """
        If the process dies while a rewrite runs, the manifest already names
        the new increment after the old files: nothing is lost.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("BGREWRITEAOF")
        self.conn.call("SET", "b", "during")
        # The thread never finishes: load what is on disk.
        self.aof._file.flush()
        server = self.reload()
        self.assertEqual(server.store.db(0).data, {b"a": b"1", b"b": b"during"})
