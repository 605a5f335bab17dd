"""
The append-only file, in Redis 7's multi-part format.

C{appenddirname} holds a manifest naming one base file (an RDB when
C{aof-use-rdb-preamble} is on, as by default) and incremental files of
RESP commands.  Every command that changed the keyspace is appended to the
current incremental file before its reply is sent; C{appendfsync} decides
when it reaches the disk (C{always}: before the reply; C{everysec}: a
thread fsyncs once a second; C{no}: the kernel decides).  BGREWRITEAOF
starts a new incremental file at once and writes a new base from a
snapshot in a thread; the manifest switches to them when the base is done,
so no write is lost whenever the rewrite or the process stops.
"""

import os
import re
import time

from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

from txredisd.client import Client
from txredisd.loglevel import observer as logObserver
from txredisd.persistence import rdb
from txredisd.persistence.snapshot import Snapshot
from txredisd.persistence.values import fromPlain
from txredisd.resp import RequestParser, encodeCommand

_MANIFEST_LINE = re.compile(rb"^file (\S+) seq (\d+) type ([bhi])$")


class AOFError(Exception):
    """
    An AOF that cannot be loaded; the server must not start on top of it.
    """


class Manifest:
    """
    The list of AOF files: one base and the incremental files after it.

    @ivar base: C{(name, seq)} or L{None}.
    @ivar incrs: a list of C{(name, seq)}.
    @ivar history: files no longer needed, to be deleted.
    """

    def __init__(self, base=None, incrs=(), history=()):
        self.base = base
        self.incrs = list(incrs)
        self.history = list(history)

    @classmethod
    def parse(cls, text, path="manifest"):
        """
        @raise AOFError: a malformed manifest.
        """
        manifest = cls()
        for number, line in enumerate(text.split(b"\n"), 1):
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            match = _MANIFEST_LINE.match(line)
            if match is None:
                raise AOFError("Invalid AOF manifest file format: %s line %d" % (path, number))
            name, seq, kind = match.group(1).decode(), int(match.group(2)), match.group(3)
            if kind == b"b":
                manifest.base = (name, seq)
            elif kind == b"i":
                manifest.incrs.append((name, seq))
            else:
                manifest.history.append((name, seq))
        return manifest

    def render(self):
        """
        @return: the manifest's text as Redis 7 writes it.
        """
        lines = []
        if self.base is not None:
            lines.append(b"file %s seq %d type b\n" % (self.base[0].encode(), self.base[1]))
        for name, seq in self.history:
            lines.append(b"file %s seq %d type h\n" % (name.encode(), seq))
        for name, seq in self.incrs:
            lines.append(b"file %s seq %d type i\n" % (name.encode(), seq))
        return b"".join(lines)


class AppendOnlyFile:
    """
    The AOF of one server.

    @ivar manifest: the L{Manifest} in force.
    @ivar rewriting: the L{Deferred} of the running rewrite, or L{None}.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, server, deferToThread=deferToThread, fsync=os.fsync):
        self.server = server
        self._deferToThread = deferToThread
        self._fsync = fsync
        self.manifest = None
        self._file = None
        self._lastDb = -1
        self._dirty = False
        self._fsyncing = False
        self._loop = None
        self.rewriting = None
        self.rewriteScheduled = False
        self.lastRewriteStatus = "ok"
        self.lastWriteStatus = "ok"
        self.rewrites = 0
        self.enabled = False
        server.aof = self

    # --- paths -----------------------------------------------------------

    def directory(self):
        config = self.server.config
        return os.path.join(os.fsdecode(config["dir"]), os.fsdecode(config["appenddirname"]))

    def _name(self, seq, kind):
        base = os.fsdecode(self.server.config["appendfilename"])
        if kind == "base":
            return "%s.%d.base.%s" % (base, seq, "rdb" if self.server.config["aof-use-rdb-preamble"] else "aof")
        return "%s.%d.incr.aof" % (base, seq)

    def _manifestPath(self):
        return os.path.join(self.directory(), os.fsdecode(self.server.config["appendfilename"]) + ".manifest")

    def _path(self, name):
        return os.path.join(self.directory(), name)

    # --- loading ---------------------------------------------------------

    def exists(self):
        """
        @return: L{True} if there is a manifest to load.
        """
        return os.path.exists(self._manifestPath())

    def load(self):
        """
        Load the base and the incremental files into the keyspace.

        @raise AOFError: unreadable or corrupt files (a truncated last
            command is loaded up to the last complete one, with a warning,
            when C{aof-load-truncated} is on).
        @return: the number of commands replayed.
        """
        path = self._manifestPath()
        with open(path, "rb") as f:
            self.manifest = manifest = Manifest.parse(f.read(), path)
        server = self.server
        server.loading = True
        store = server.store
        store.ignoreExpiry = True
        started = time.monotonic()
        replayed = 0
        try:
            if manifest.base is not None:
                self._loadBase(manifest.base[0])
            for index, (name, seq) in enumerate(manifest.incrs):
                replayed += self._replay(name, last=index == len(manifest.incrs) - 1)
        finally:
            store.ignoreExpiry = False
            server.loading = False
        store.dirty = 0
        self._log.info(
            "DB loaded from append only file: {seconds:.3f} seconds ({commands} commands)",
            seconds=time.monotonic() - started,
            commands=replayed,
        )
        return replayed

    def _loadBase(self, name):
        path = self._path(name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise AOFError("Can't open the append-only file %s: %s" % (path, e))
        if data.startswith(b"REDIS"):
            try:
                records, _ = rdb.loads(data)
            except rdb.RDBError as e:
                raise AOFError("Bad RDB preamble in %s: %s at offset %d" % (path, e.reason, e.offset))
            now = self.server.store.now
            for record in records:
                if record.expire is not None and record.expire < now:
                    continue
                db = self.server.store.databases[record.db]
                db.data[record.key] = fromPlain(record.type, record.value)
                if record.expire is not None:
                    db.setExpire(record.key, record.expire)
        else:
            self._replayData(path, data, last=False)

    def _replay(self, name, last):
        path = self._path(name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            if last:
                return 0
            raise AOFError("The append-only file %s doesn't exist" % (path,))
        return self._replayData(path, data, last)

    def _replayData(self, path, data, last):
        from txredisd.dispatch import execute

        parser = RequestParser(maxBulkLen=1 << 62)
        commands, error = parser.feed(data)
        if error is not None:
            raise AOFError(
                "Bad file format reading the append only file %s: %s. make a backup of "
                "your AOF file, then use ./redis-check-aof --fix <filename.manifest>" % (path, error)
            )
        client = Client(self.server)
        client.kind = "aof"
        client.authenticated = True
        for argv in commands:
            reply = execute(client, argv)
            if getattr(reply, "message", None) and reply.message.startswith("ERR unknown command"):
                raise AOFError("Unknown command '%s' reading the append only file %s" % (argv[0].decode("latin-1"), path))
        if client.multi is not None:
            # A MULTI without its EXEC at the end: as a truncated file.
            truncated = True
        else:
            truncated = not parser.idle()
        if truncated:
            if not last or not self.server.config["aof-load-truncated"]:
                raise AOFError("Unexpected end of file reading the append only file %s" % (path,))
            valid = len(data) - parser.buffered()
            self._log.warn(
                "!!! Warning: short read while loading the AOF file {path}!!! "
                "AOF loaded anyway because aof-load-truncated is enabled; "
                "truncating it to {valid} bytes",
                path=path,
                valid=valid,
            )
            with open(path, "r+b") as f:
                f.truncate(valid)
        return len(commands)

    # --- writing ---------------------------------------------------------

    def start(self):
        """
        Open the AOF for appending (creating the directory, a base of the
        current keyspace and a manifest if there are none) and follow every
        change.
        """
        directory = self.directory()
        os.makedirs(directory, exist_ok=True)
        if self.manifest is None and self.exists():
            with open(self._manifestPath(), "rb") as f:
                self.manifest = Manifest.parse(f.read())
        if self.manifest is None or self.manifest.base is None:
            seq = 1
            name = self._name(seq, "base")
            self._log.info("Creating AOF base file {name} on server start", name=name)
            snapshot = Snapshot(self.server.store)
            _writeBase(snapshot, self._path(name), self._fsync)
            snapshot.release()
            incr = self._name(seq, "incr")
            self.manifest = Manifest((name, seq), [(incr, seq)])
            self._writeManifest(self.manifest)
        if not self.manifest.incrs:
            seq = self.manifest.base[1]
            self.manifest.incrs.append((self._name(seq, "incr"), seq))
            self._writeManifest(self.manifest)
        self._open(self.manifest.incrs[-1][0])
        self.enabled = True
        if self.feed not in self.server.propagators:
            self.server.propagators.append(self.feed)
        if self._expired not in self.server.store.expiredHooks:
            self.server.store.expiredHooks.append(self._expired)
        self._loop = LoopingCall(self._everySecond)
        self._loop.clock = self.server.clock
        self._loop.start(1.0, now=False)

    def stop(self):
        """
        Stop appending: flush and fsync what was written, close the file.
        """
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.feed in self.server.propagators:
            self.server.propagators.remove(self.feed)
        if self._expired in self.server.store.expiredHooks:
            self.server.store.expiredHooks.remove(self._expired)
        if self._file is not None:
            self._file.flush()
            self._fsync(self._file.fileno())
            self._file.close()
            self._file = None
        self.enabled = False

    def _open(self, name):
        if self._file is not None:
            self._file.flush()
            self._file.close()
        self._file = open(self._path(name), "ab", buffering=0)
        self._lastDb = -1

    def _writeManifest(self, manifest):
        path = self._manifestPath()
        temp = os.path.join(self.directory(), "temp-" + os.path.basename(path))
        with open(temp, "wb") as f:
            f.write(manifest.render())
            f.flush()
            self._fsync(f.fileno())
        os.replace(temp, path)
        _fsyncDirectory(self.directory(), self._fsync)

    def feed(self, dbIndex, commands):
        """
        Append commands that changed database C{dbIndex} (a propagator).
        """
        if self._file is None:
            return
        parts = []
        if dbIndex != self._lastDb:
            parts.append(encodeCommand([b"SELECT", b"%d" % dbIndex]))
            self._lastDb = dbIndex
        for argv in commands:
            parts.append(encodeCommand(argv))
        data = b"".join(parts)
        try:
            self._file.write(data)
            if self.server.config["appendfsync"] == b"always":
                self._fsync(self._file.fileno())
            else:
                self._dirty = True
            self.lastWriteStatus = "ok"
        except OSError as e:
            self.lastWriteStatus = "err"
            self._log.error("Error writing to the AOF file: {error}", error=e)

    def _expired(self, dbIndex, key):
        self.feed(dbIndex, [[b"DEL", key]])

    def _everySecond(self):
        if (
            self._dirty
            and not self._fsyncing
            and self._file is not None
            and self.server.config["appendfsync"] == b"everysec"
        ):
            self._dirty = False
            self._fsyncing = True
            d = self._deferToThread(self._fsync, self._file.fileno())

            def done(result):
                self._fsyncing = False
                return None

            d.addBoth(done)

    # --- rewriting -------------------------------------------------------

    def rewrite(self):
        """
        BGREWRITEAOF: switch to a new incremental file now, write a new base
        from a snapshot in a thread, then make the manifest name only them.

        @return: the L{Deferred} of the rewrite.
        """
        manifest = self.manifest
        seq = max([manifest.base[1] if manifest.base else 0] + [s for _, s in manifest.incrs]) + 1
        newIncr = self._name(seq, "incr")
        # From now on writes go to the new increment, recorded at once so
        # that a crash before the rewrite ends loses nothing.
        manifest.incrs.append((newIncr, seq))
        self._writeManifest(manifest)
        self._open(newIncr)
        snapshot = Snapshot(self.server.store)
        self.server.store.snapshot = snapshot
        newBase = self._name(seq, "base")
        started = time.monotonic()
        self._log.info("Background append only file rewriting started")

        def finished(result):
            if self.server.store.snapshot is snapshot:
                self.server.store.snapshot = None
            snapshot.release()
            self.rewriting = None
            if isinstance(result, BaseException) or hasattr(result, "trap"):
                self.lastRewriteStatus = "err"
                self._log.error("Background AOF rewrite failed: {error}", error=getattr(result, "value", result))
            else:
                old = [manifest.base] + manifest.incrs[:-1] if manifest.base else manifest.incrs[:-1]
                self.manifest = Manifest((newBase, seq), [(newIncr, seq)])
                self._writeManifest(self.manifest)
                for name, _ in old:
                    try:
                        os.unlink(self._path(name))
                    except OSError:
                        pass
                self.lastRewriteStatus = "ok"
                self.rewrites += 1
                self.lastRewriteSeconds = int(time.monotonic() - started)
                self._log.info("Background AOF rewrite finished successfully")
            if self.rewriteScheduled:
                self.rewriteScheduled = False
                self.rewrite()
            return None

        d = self._deferToThread(_writeBase, snapshot, self._path(newBase), self._fsync)
        d.addBoth(finished)
        self.rewriting = d
        return d

    def info(self):
        """
        The AOF fields of INFO persistence.
        """
        size = 0
        if self.manifest is not None:
            for name, _ in ([self.manifest.base] if self.manifest.base else []) + self.manifest.incrs:
                try:
                    size += os.path.getsize(self._path(name))
                except OSError:
                    pass
        return [
            ("aof_enabled", 1 if self.enabled else 0),
            ("aof_rewrite_in_progress", 1 if self.rewriting is not None else 0),
            ("aof_rewrite_scheduled", 1 if self.rewriteScheduled else 0),
            ("aof_last_rewrite_time_sec", getattr(self, "lastRewriteSeconds", -1)),
            ("aof_current_rewrite_time_sec", -1),
            ("aof_last_bgrewrite_status", self.lastRewriteStatus),
            ("aof_rewrites", self.rewrites),
            ("aof_rewrites_consecutive_failures", 0),
            ("aof_last_write_status", self.lastWriteStatus),
            ("aof_last_cow_size", 0),
            ("module_fork_in_progress", 0),
            ("module_fork_last_cow_size", 0),
        ] + (
            [
                ("aof_current_size", size),
                ("aof_base_size", 0),
                ("aof_pending_rewrite", 0),
                ("aof_buffer_length", 0),
                ("aof_pending_bio_fsync", 1 if self._fsyncing else 0),
                ("aof_delayed_fsync", 0),
            ]
            if self.enabled
            else []
        )


def _fsyncDirectory(directory, fsync):
    fd = os.open(directory, os.O_RDONLY)
    try:
        fsync(fd)
    finally:
        os.close(fd)


def _writeBase(snapshot, path, fsync):
    """
    Write a snapshot as an RDB-format base file (runs in a thread).
    """
    from txredisd.persistence.service import writeSnapshot

    import txredisd

    aux = [
        (b"redis-ver", txredisd.redisVersion.encode()),
        (b"redis-bits", b"64"),
        (b"ctime", b"%d" % int(time.time())),
        (b"used-mem", b"0"),
        (b"aof-base", b"1"),
    ]
    # Version 10 so that Redis 7.0 can load our AOF directories.
    writeSnapshot(snapshot, path, 10, aux, fsync)
