"""
Clients blocked on keys: BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK and their
kin.

A blocking handler first tries to answer at once.  When it cannot, it calls
L{BlockingManager.block} with a function that tries again, and returns the
L{Deferred} it gets; the protocol holds that client's later pipelined
requests until it fires.  Commands that add to a key call
L{BlockingManager.signal}; L{txredisd.dispatch.execute} calls
L{BlockingManager.serveReady} after each top-level command, so a push
inside MULTI/EXEC or a script wakes clients only once it has finished, as
in Redis's C{handleClientsBlockedOnKeys}.  Clients blocked on a key are
tried first-come first-served.
"""

import collections
import math

from twisted.internet.defer import Deferred

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MAX, parseInt
from txredisd.resp import NULL_ARRAY

UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK"


def parseTimeout(arg, now, milliseconds=False):
    """
    Parse a blocking timeout as Redis's C{getTimeoutFromObjectOrReply}.

    @param arg: the argument (L{bytes}): seconds as a decimal, or
        milliseconds as an integer when C{milliseconds}.
    @param now: the command's time stamp in milliseconds.
    @return: the absolute deadline in milliseconds, or 0 to wait for ever.
    @raise CommandError: with Redis's texts.
    """
    if milliseconds:
        value = parseInt(arg)
        if value is None:
            raise CommandError("ERR timeout is not an integer or out of range")
    else:
        seconds = _parseLongDouble(arg)
        if seconds is None:
            raise CommandError(errors.TIMEOUT_NOT_FLOAT)
        seconds *= 1000.0
        if seconds > LLONG_MAX:
            raise CommandError(errors.TIMEOUT_OUT_OF_RANGE)
        value = math.ceil(seconds)
    if value < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if value > 0:
        if value > LLONG_MAX - now:
            raise CommandError(errors.TIMEOUT_OUT_OF_RANGE)
        value += now
    return value


def _parseLongDouble(arg):
    # strtold as Redis's getLongDoubleFromObject: no spaces, no NaN.
    if not arg or arg[:1].isspace() or arg[-1:].isspace() or b"_" in arg:
        return None
    try:
        value = float(arg)
    except ValueError:
        return None
    if math.isnan(value):
        return None
    return value


class _Waiter:
    """
    One blocked client.

    @ivar retry: a function of no arguments that tries to serve the client
        and returns its reply, or L{None} to keep waiting.
    """

    __slots__ = ("client", "keys", "retry", "deferred", "timer", "timeoutReply", "dbIndex")

    def __init__(self, client, keys, retry, timeoutReply):
        self.client = client
        self.dbIndex = client.dbIndex
        self.keys = keys
        self.retry = retry
        self.timeoutReply = timeoutReply
        self.deferred = None
        self.timer = None


class BlockingManager:
    """
    The clients blocked on keys of one server.

    @ivar ready: the C{(dbIndex, key)} signalled since the last
        L{serveReady}, in signalling order.
    """

    def __init__(self, server):
        self.server = server
        self._waiters = {}
        self._byClient = {}
        self.ready = collections.OrderedDict()

    def canBlock(self, client):
        """
        @return: L{False} where Redis runs blocking commands without
            blocking (inside MULTI/EXEC and scripts), answering the timeout
            reply when nothing is there.
        """
        return not client.denyBlocking

    def blockedCount(self):
        """
        @return: the number of blocked clients (INFO's C{blocked_clients}).
        """
        return len(self._byClient)

    def isBlocked(self, client):
        """
        @return: L{True} if C{client} waits on keys.
        """
        return client.id in self._byClient

    def block(self, client, keys, deadline, retry, timeoutReply=NULL_ARRAY):
        """
        Block C{client} until C{retry} answers or the deadline passes.

        @param keys: the keys (L{bytes}) of the client's database to wait on.
        @param deadline: absolute milliseconds, 0 for ever.
        @param retry: see L{_Waiter.retry}; called after any of C{keys} was
            signalled.
        @param timeoutReply: the reply when the deadline passes.
        @return: a L{Deferred} firing with the reply; cancelling it (the
            client went away) unblocks the client.
        """
        waiter = _Waiter(client, list(dict.fromkeys(keys)), retry, timeoutReply)
        waiter.deferred = Deferred(lambda d: self._remove(waiter))
        for key in waiter.keys:
            self._waiters.setdefault((waiter.dbIndex, key), collections.deque()).append(waiter)
        self._byClient[client.id] = waiter
        if deadline:
            delay = max(deadline - self.server.store.now, 0) / 1000.0
            waiter.timer = self.server.clock.callLater(delay, self._timedOut, waiter)
        return waiter.deferred

    def signal(self, dbIndex, key):
        """
        Note that C{key} may now serve blocked clients (an element was
        added).  Cheap when nobody waits on it.
        """
        if (dbIndex, key) in self._waiters:
            self.ready[(dbIndex, key)] = None

    def keyRemoved(self, dbIndex, key):
        """
        Note that C{key} (every key of the database when L{None}) was
        deleted: clients blocked on it are tried again, as Redis 7.0's
        C{signalDeletedKeyAsReady}, so those that cannot wait for a missing
        key (XREADGROUP) are answered.
        """
        if not self._waiters:
            return
        if key is not None:
            self.signal(dbIndex, key)
            return
        for item in list(self._waiters):
            if item[0] == dbIndex:
                self.ready[item] = None

    def serveReady(self):
        """
        Serve clients blocked on keys signalled since the last call, in
        blocking order, until no signalled key can serve anyone.
        """
        store = self.server.store
        while self.ready:
            ready, self.ready = self.ready, collections.OrderedDict()
            for item in ready:
                queue = self._waiters.get(item)
                if not queue:
                    continue
                for waiter in list(queue):
                    if waiter.deferred is None:
                        continue
                    client = waiter.client
                    client.propagateAs = None
                    store.now = int(self.server.clock.seconds() * 1000)
                    dirty = store.dirty
                    try:
                        reply = waiter.retry()
                    except CommandError as e:
                        reply = e
                    if reply is None:
                        continue
                    if store.dirty != dirty and client.propagateAs:
                        self.server.propagate(waiter.dbIndex, client.propagateAs)
                    self._finish(waiter, reply)

    def unblock(self, client, error=False):
        """
        CLIENT UNBLOCK: answer a blocked client with its timeout reply, or
        with Redis's UNBLOCKED error.

        @return: L{True} if the client was blocked.
        """
        waiter = self._byClient.get(client.id)
        if waiter is None:
            return False
        self._finish(waiter, CommandError(UNBLOCKED) if error else waiter.timeoutReply)
        return True

    def _timedOut(self, waiter):
        waiter.timer = None
        self._finish(waiter, waiter.timeoutReply)

    def _finish(self, waiter, reply):
        deferred = waiter.deferred
        self._remove(waiter)
        deferred.callback(reply)

    def _remove(self, waiter):
        if waiter.deferred is None:
            return
        waiter.deferred = None
        if waiter.timer is not None and waiter.timer.active():
            waiter.timer.cancel()
        waiter.timer = None
        for key in waiter.keys:
            item = (waiter.dbIndex, key)
            queue = self._waiters.get(item)
            if queue is not None:
                try:
                    queue.remove(waiter)
                except ValueError:
                    pass
                if not queue:
                    del self._waiters[item]
        if self._byClient.get(waiter.client.id) is waiter:
            del self._byClient[waiter.client.id]
