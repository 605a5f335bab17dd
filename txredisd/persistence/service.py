"""
RDB persistence for a running server: load at startup, SAVE, BGSAVE, save
points, and the final save at shutdown.

Every save takes a L{Snapshot} on the reactor thread (shallow copies of the
key tables, copy-on-write for collections) and encodes and writes it in a
thread through C{deferToThread}, so clients keep being served.  Files are
written to C{temp-<pid>.rdb}, fsynced, renamed over the target and the
directory fsynced: a crash during a save never destroys the previous file.
"""

import os
import time

from twisted.application import service
from twisted.internet import defer
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

import txredisd
from txredisd.errors import CommandError
from txredisd.loglevel import observer as logObserver
from txredisd.persistence import rdb
from txredisd.persistence.snapshot import Snapshot
from txredisd.persistence.values import fromPlain

# Redis retries a failed automatic BGSAVE only after this many seconds.
_RETRY_DELAY = 5


class LoadError(Exception):
    """
    The RDB file cannot be loaded; the server must not start on top of it.
    """


class Persistence:
    """
    The RDB state of one server.

    @ivar lastSave: UNIX time of the last successful save.
    @ivar lastStatus: C{"ok"} or C{"err"} for the last background save.
    @ivar inProgress: the L{Deferred} of the save running, or L{None}.
    @ivar scheduled: a BGSAVE SCHEDULE waits for the running save.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, server, deferToThread=deferToThread, fsync=os.fsync):
        self.server = server
        self._deferToThread = deferToThread
        self._fsync = fsync
        self.lastSave = int(server.clock.seconds())
        self.lastTry = 0
        self.lastStatus = "ok"
        self.lastSaveDuration = -1
        self.dirtyAtLastSave = 0
        self.inProgress = None
        self.scheduled = False
        self.startedAt = None
        self.savesDone = 0
        self.loadedAux = {}
        server.persistence = self

    def path(self):
        """
        @return: the RDB file's path (C{dir}/C{dbfilename}).
        """
        config = self.server.config
        return os.path.join(os.fsdecode(config["dir"]), os.fsdecode(config["dbfilename"]))

    def changesSinceLastSave(self):
        """
        @return: INFO's C{rdb_changes_since_last_save}.
        """
        return self.server.store.dirty - self.dirtyAtLastSave

    # --- loading ---------------------------------------------------------

    def load(self, path=None):
        """
        Load the RDB file into the (empty) keyspace.  A missing file is an
        empty database.

        @raise LoadError: the file is unreadable, truncated, corrupt or of
            a newer version; the message names the file and the offset.
        @return: the number of keys loaded.
        """
        path = path or self.path()
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            self._log.info("No RDB file at {path}: starting empty", path=path)
            return 0
        except OSError as e:
            raise LoadError("Cannot read %s: %s" % (path, e))
        started = time.monotonic()
        store = self.server.store
        now = self.server.now()
        store.now = now
        reader = rdb.RDBReader(data)
        loaded = expired = 0
        lastReport = started
        databases = store.databases
        try:
            for record in reader.records():
                if record.db >= len(databases):
                    raise LoadError(
                        "%s: FATAL: Data file was created with a Redis server configured "
                        "to handle more than %d databases" % (path, len(databases))
                    )
                if record.expire is not None and record.expire < now and store.deleteExpired:
                    # As a master Redis drops keys that expired while down.
                    expired += 1
                    continue
                try:
                    value = fromPlain(record.type, record.value)
                except KeyError:
                    raise LoadError("%s: type %r is not supported by this server" % (path, record.type))
                db = databases[record.db]
                db.data[record.key] = value
                if record.expire is not None:
                    db.setExpire(record.key, record.expire)
                loaded += 1
                if not loaded % 10000:
                    clock = time.monotonic()
                    if clock - lastReport >= 1:
                        lastReport = clock
                        self._log.info(
                            "Loading RDB {path}: {keys} keys, {percent:.0f}%, {seconds:.1f} seconds",
                            path=path,
                            keys=loaded,
                            percent=100.0 * reader.pos / len(data),
                            seconds=clock - started,
                        )
        except rdb.RDBError as e:
            raise LoadError(
                "Bad RDB file %s: %s at offset %d of %d bytes" % (path, e.reason, e.offset, len(data))
            )
        if reader.functions:
            from txredisd.scripting import engine

            try:
                engine(self.server).restoreLibraries(reader.functions, b"replace")
            except CommandError as e:
                raise LoadError("%s: cannot load its functions: %s" % (path, e.message))
        store.dirty = 0
        self.dirtyAtLastSave = 0
        self.loadedAux = reader.aux
        self._log.info(
            "DB loaded from disk: {keys} keys ({expired} expired skipped) in {seconds:.3f} seconds",
            keys=loaded,
            expired=expired,
            seconds=time.monotonic() - started,
        )
        return loaded

    # --- saving ----------------------------------------------------------

    def aux(self):
        """
        The auxiliary fields Redis 7.0 writes, with the replication id and
        offset so that a restarted replica can ask to continue.
        """
        fields = [
            (b"redis-ver", txredisd.redisVersion.encode()),
            (b"redis-bits", b"64"),
            (b"ctime", b"%d" % int(self.server.clock.seconds())),
            (b"used-mem", b"0"),
        ]
        replication = self.server.replication
        if replication is not None:
            fields += [
                (b"repl-stream-db", b"0"),
                (b"repl-id", replication.replid.encode()),
                (b"repl-offset", b"%d" % replication.offset),
            ]
        fields.append((b"aof-base", b"0"))
        return fields

    def save(self, path=None):
        """
        Save a snapshot of the keyspace as it is now.

        @return: a L{Deferred} firing with L{None} once the file is on
            disk, or failing; only one save runs at a time (callers check
            L{inProgress}).
        """
        server = self.server
        store = server.store
        path = path or self.path()
        snapshot = Snapshot(store)
        store.snapshot = snapshot
        dirty = store.dirty
        self.startedAt = time.monotonic()
        self.lastTry = int(server.clock.seconds())
        aux = self.aux()
        version = server.config["rdb-version"]

        def finished(result):
            store.snapshot = None
            snapshot.release()
            self.inProgress = None
            self.lastSaveDuration = int(time.monotonic() - self.startedAt)
            if isinstance(result, Exception) or hasattr(result, "trap"):
                self.lastStatus = "err"
                self._log.error("Background saving error: {error}", error=getattr(result, "value", result))
            else:
                self.lastStatus = "ok"
                self.lastSave = int(server.clock.seconds())
                self.dirtyAtLastSave = dirty
                self.savesDone += 1
                self._log.info("DB saved on disk")
            if self.scheduled:
                self.scheduled = False
                self.background()
            return result

        d = self._deferToThread(writeSnapshot, snapshot, path, version, aux, self._fsync)
        d.addBoth(finished)
        _shortSwitchInterval(d)
        self.inProgress = d
        return d

    def background(self):
        """
        Start a background save, logging failures (BGSAVE and save points).
        """
        self._log.info("Background saving started")
        d = self.save()
        d.addErrback(lambda f: None)
        return d

    def saveSync(self, path=None):
        """
        Save on the calling thread (SAVE inside MULTI, and where no thread
        may be used).
        """
        store = self.server.store
        snapshot = Snapshot(store)
        try:
            writeSnapshot(snapshot, path or self.path(), self.server.config["rdb-version"], self.aux(), self._fsync)
        except Exception:
            self.lastStatus = "err"
            raise
        finally:
            snapshot.release()
        self.lastStatus = "ok"
        self.lastSave = int(self.server.clock.seconds())
        self.dirtyAtLastSave = store.dirty
        self.savesDone += 1

    def checkSavePoints(self):
        """
        Start a background save when a save point is reached (Redis's
        C{serverCron} check).
        """
        if self.inProgress is not None:
            return
        now = int(self.server.clock.seconds())
        changes = self.changesSinceLastSave()
        for seconds, wanted in self.server.config["save"]:
            if (
                changes >= wanted
                and now - self.lastSave > seconds
                and (self.lastStatus == "ok" or now - self.lastTry > _RETRY_DELAY)
            ):
                self._log.info("{changes} changes in {seconds} seconds. Saving...", changes=wanted, seconds=seconds)
                self.background()
                return

    def info(self):
        """
        INFO's persistence section.

        @return: a list of C{(field, value)}.
        """
        running = self.inProgress is not None
        return [
            ("loading", 0),
            ("async_loading", 0),
            ("current_cow_peak", 0),
            ("current_cow_size", 0),
            ("current_cow_size_age", 0),
            ("current_fork_perc", "0.00"),
            ("current_save_keys_processed", 0),
            ("current_save_keys_total", 0),
            ("rdb_changes_since_last_save", self.changesSinceLastSave()),
            ("rdb_bgsave_in_progress", 1 if running else 0),
            ("rdb_last_save_time", self.lastSave),
            ("rdb_last_bgsave_status", self.lastStatus),
            ("rdb_last_bgsave_time_sec", self.lastSaveDuration),
            ("rdb_current_bgsave_time_sec", int(time.monotonic() - self.startedAt) if running else -1),
            ("rdb_saves", self.savesDone),
            ("rdb_last_cow_size", 0),
            ("rdb_last_load_keys_expired", 0),
            ("rdb_last_load_keys_loaded", 0),
        ]


def _shortSwitchInterval(d):
    """
    While a thread encodes a snapshot, hand the GIL back to the reactor
    thread more often than CPython's default 5 ms, so that clients' latency
    stays low; restored when the L{Deferred} C{d} fires.
    """
    import sys

    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, 0.0005))

    def restore(result):
        sys.setswitchinterval(previous)
        return result

    d.addBoth(restore)


def writeSnapshot(snapshot, path, version, aux, fsync=os.fsync):
    """
    Encode a snapshot and write it to C{path} safely (runs in a thread).
    """
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, "temp-%d-%d.rdb" % (os.getpid(), id(snapshot)))
    writer = rdb.RDBWriter(version)
    writer.header(aux)
    writer.functions(snapshot.functions)
    try:
        with open(temp, "wb") as f:
            f.write(writer.take())
            for index, data, expires in snapshot.databases:
                writer.selectDB(index, len(data), len(expires))
                pending = 0
                for key, name, plain, expire in snapshot.items(index):
                    writer.key(key, name, plain, expire)
                    pending += 1
                    if pending == 1000:
                        f.write(writer.take())
                        pending = 0
                f.write(writer.take())
            f.write(writer.footer())
            f.flush()
            fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    dirfd = os.open(directory, os.O_RDONLY)
    try:
        fsync(dirfd)
    finally:
        os.close(dirfd)


class PersistenceService(service.Service):
    """
    Loads the RDB file when starting, checks save points every second, and
    saves when stopping if save points are configured.
    """

    _log = Logger(observer=logObserver)

    def __init__(self, server):
        self.server = server
        self.persistence = Persistence(server)
        self._loop = None

    def startService(self):
        from twisted.internet.task import LoopingCall

        from txredisd.persistence.aof import AOFError, AppendOnlyFile

        try:
            if self.server.config["appendonly"]:
                # As Redis: with the AOF on, the AOF is the data; the RDB
                # file is not read.
                aof = AppendOnlyFile(self.server)
                if aof.exists():
                    aof.load()
                aof.start()
            else:
                self.persistence.load()
        except AOFError as e:
            self._log.critical("{error}. Not starting.", error=str(e))
            raise SystemExit(1)
        except LoadError as e:
            # As Redis: refuse to start on top of data we cannot read, and
            # leave the file alone.  SystemExit ends twistd with status 1
            # without a traceback.
            self._log.critical("{error}. Not starting.", error=str(e))
            raise SystemExit(1)
        service.Service.startService(self)
        self._loop = LoopingCall(self.persistence.checkSavePoints)
        self._loop.clock = self.server.clock
        self._loop.start(1.0, now=False)

    def stopService(self):
        service.Service.stopService(self)
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.server.aof is not None and self.server.aof.enabled:
            self.server.aof.stop()
        persistence = self.persistence
        if getattr(self.server, "shutdownSaved", False) or not self.server.config["save"]:
            return None
        self._log.info("Saving the final RDB snapshot before exiting.")
        result = defer.Deferred()

        def saveNow():
            persistence.save().chainDeferred(result)

        running = persistence.inProgress
        if running is not None:
            # One save at a time: the final one follows the running one.
            running.addBoth(lambda r: (saveNow(), None)[1])
        else:
            saveNow()
        result.addErrback(lambda f: self._log.failure("Final save failed", f))
        return result
