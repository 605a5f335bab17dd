"""
Point-in-time snapshots of the keyspace that a thread may read while the
reactor keeps changing the live data.

Taking a snapshot copies each database's key and expiry tables (C-speed
shallow copies).  Strings are immutable, so the snapshot shares them.
Collections are changed in place, so the keyspace calls
L{Snapshot.beforeWrite} before handing a collection to a write command:
the first time, a private copy is made for the snapshot (copy-on-write at
value granularity, as a fork's pages are).  The lock keeps the reactor from
copying a value while the thread converts it and the thread from reading a
value while the reactor copies it.
"""

import threading

from txredisd.persistence.values import toPlain


class Snapshot:
    """
    The keyspace as it was when taken.

    @ivar databases: a list of C{(index, data, expires)} shallow copies.
    @ivar takenAt: the keyspace time (ms) when taken.
    @ivar functions: the function libraries' sources.
    """

    def __init__(self, keyspace):
        self.takenAt = keyspace.now
        # Function libraries' sources (txredisd.scripting keeps them on
        # the keyspace): saved with the data, as Redis 7.0 does.
        self.functions = list(getattr(keyspace, "functionCodes", ()))
        self.databases = [
            (db.index, db.data.copy(), db.expires.copy()) for db in keyspace.databases if db.data
        ]
        self._lock = threading.Lock()
        self._copies = {}
        self._copy = None

    def beforeWrite(self, value):
        """
        Called on the reactor thread before C{value} (a collection) is
        changed in place: keep a copy for the snapshot.
        """
        key = id(value)
        if key in self._copies:
            return
        from txredisd.store import copyValue

        with self._lock:
            # Holding the original keeps its id from being reused.
            self._copies[key] = (value, copyValue(value))

    def items(self, index):
        """
        Iterate the plain items of one database, for a thread.

        @return: an iterator of C{(key, typeName, plain, expire)}.
        """
        for dbIndex, data, expires in self.databases:
            if dbIndex != index:
                continue
            copies = self._copies
            lock = self._lock
            getExpire = expires.get
            for key, value in data.items():
                if type(value) is bytes:
                    yield key, b"string", value, getExpire(key)
                    continue
                with lock:
                    copied = copies.get(id(value))
                    name, plain = toPlain(copied[1] if copied is not None else value)
                yield key, name, plain, getExpire(key)

    def release(self):
        """
        Drop the references the snapshot holds.
        """
        self.databases = []
        self._copies = {}
