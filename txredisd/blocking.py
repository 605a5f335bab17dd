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
import decimal
import fractions
import math
import re

from twisted.internet.defer import Deferred

from txredisd import errors
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MAX, parseInt
from txredisd.resp import NULL_ARRAY
from txredisd.store import typeName

UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK"


def parseTimeout(arg, now, milliseconds=False):
    """
    Parse a blocking timeout as Redis 7.0's C{getTimeoutFromObjectOrReply}.

    Seconds become milliseconds rounded up (C{ceill}); a product that does
    not fit a C{long long} converts to C{LLONG_MIN} on x86 and so is
    "negative", and a deadline past C{LLONG_MAX} wraps negative in Redis
    7.0, which then never times out: 7.0 has no "timeout is out of range".

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
    elif parseInt(arg) is not None:
        # Whole seconds, the common case, need no long double arithmetic.
        value = parseInt(arg) * 1000
        if not _LLONG_MIN <= value <= LLONG_MAX:
            value = _LLONG_MIN
    else:
        seconds = _parseLongDouble(arg)
        if seconds is None:
            raise CommandError(errors.TIMEOUT_NOT_FLOAT)
        value = _LLONG_MIN
        if isinstance(seconds, fractions.Fraction):
            # Both strtold's result and the product are long doubles.
            milliseconds = math.ceil(_roundExtended(_roundExtended(seconds) * 1000))
            if _LLONG_MIN <= milliseconds <= LLONG_MAX:
                value = milliseconds
        elif math.isfinite(seconds):
            milliseconds = math.ceil(seconds * 1000)
            if _LLONG_MIN <= milliseconds <= LLONG_MAX:
                value = milliseconds
    if value < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if value > 0:
        if value > LLONG_MAX - now:
            return 0
        value += now
    return value


_LLONG_MIN = -LLONG_MAX - 1
# What strtold reads, all of which string2ld insists on: no spaces, no
# trailing text.
_LONG_DOUBLE = re.compile(
    rb"[+-]?(?:(?i:inf|infinity)"
    rb"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    rb"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
# The x87 extended format's largest finite value and smallest subnormal:
# strtold refuses (ERANGE) what overflows it or underflows to zero.
_LONG_DOUBLE_MAX = decimal.Decimal("1.18973149535723176502e4932")
_LONG_DOUBLE_TINY = decimal.Decimal("1.8225997659412373012e-4951")


def _roundExtended(value):
    """
    Round to the nearest value with a 64-bit significand, ties to even, as
    the x87 extended format does (its subnormals cannot change a timeout).

    @param value: a L{fractions.Fraction}.
    @return: a L{fractions.Fraction}.
    """
    if not value:
        return value
    magnitude = abs(value)
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length() - 64
    scaled = magnitude / fractions.Fraction(2) ** exponent
    while scaled >= _TWO_64:
        scaled /= 2
        exponent += 1
    while scaled < _TWO_63:
        scaled *= 2
        exponent -= 1
    rounded = round(scaled) * fractions.Fraction(2) ** exponent
    return rounded if value > 0 else -rounded


_TWO_63 = 1 << 63
_TWO_64 = 1 << 64


def _parseLongDouble(arg):
    """
    Parse seconds as Redis's C{string2ld} (C{strtold} on the whole
    argument, at most 5119 bytes, no NaN, no overflow or underflow to zero
    of the 80-bit C{long double}).

    @return: a L{fractions.Fraction} or L{float}, or L{None} if Redis refuses
        the argument.
    """
    if not arg or len(arg) >= 5120 or _LONG_DOUBLE.fullmatch(arg) is None:
        return None
    text = arg.decode("ascii")
    if "x" in text or "X" in text:
        mantissa, _, exponent = text.lower().partition("p")
        digits = mantissa.lstrip("+-")[2:].replace(".", "").lstrip("0")
        if not digits:
            return 0.0
        # Binary magnitude: refuse outside the extended format's range.
        fraction = len(mantissa.partition(".")[2])
        bits = 4 * len(digits) - 4 * fraction + int(exponent or 0)
        if bits > 16384 or bits < -16445:
            return None
        try:
            value = float.fromhex(text)
        except OverflowError:
            return -math.inf if text.startswith("-") else math.inf
        # Below the double's range but not the extended format's.
        return value or math.copysign(5e-324, -1.0 if text.startswith("-") else 1.0)
    with decimal.localcontext() as context:
        context.prec = 6000
        context.Emax = decimal.MAX_EMAX
        context.Emin = decimal.MIN_EMIN
        value = decimal.Decimal(text)
        if value.is_infinite():
            return float(value)
        if value and not _LONG_DOUBLE_TINY <= abs(value) <= _LONG_DOUBLE_MAX:
            return None
    return fractions.Fraction(value)


class _Waiter:
    """
    One blocked client.

    @ivar retry: a function of no arguments that tries to serve the client
        and returns its reply, or L{None} to keep waiting.
    """

    __slots__ = (
        "client",
        "keys",
        "retry",
        "deferred",
        "timer",
        "timeoutReply",
        "dbIndex",
        "sequence",
        "onDelete",
    )

    def __init__(self, client, keys, retry, timeoutReply):
        self.client = client
        self.dbIndex = client.dbIndex
        self.keys = keys
        self.retry = retry
        self.timeoutReply = timeoutReply
        self.onDelete = False
        self.deferred = None
        self.timer = None


def _isStream(value):
    return value is not None and typeName(value) == b"stream"


class BlockingManager:
    """
    The clients blocked on keys of one server.

    @ivar ready: the C{(dbIndex, key)} signalled since the last
        L{serveReady}, in signalling order.
    @ivar servingKey: while a waiter's C{retry} runs from L{serveReady},
        the signalled key it is being tried for, else L{None}.  Redis 7.0
        serves a client blocked on several keys from the key that became
        ready (C{handleClientsBlockedOnKeys}), not from its first key.
    """

    def __init__(self, server):
        self.server = server
        self._waiters = {}
        self._byClient = {}
        self.ready = collections.OrderedDict()
        # Signalled keys that were deleted rather than added to.
        self._removed = set()
        self.servingKey = None
        self._sequence = 0

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

    def block(self, client, keys, deadline, retry, timeoutReply=NULL_ARRAY, onDelete=False):
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
        waiter.onDelete = onDelete
        self._sequence += 1
        waiter.sequence = self._sequence
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
            items = [(dbIndex, key)] if (dbIndex, key) in self._waiters else []
        else:
            items = [item for item in self._waiters if item[0] == dbIndex]
        for item in items:
            # Only waiters that asked to hear of deletions (XREADGROUP) are
            # retried: a pop emptying a list must not try every client
            # blocked behind the one it served.
            if not any(w.onDelete for w in self._waiters[item]):
                continue
            self.ready[item] = None
            self._removed.add(item)

    def databasesSwapped(self, first, second):
        """
        After SWAPDB: clients blocked on keys of the two databases are tried
        again, as Redis's C{dbSwapDatabases} does (a key they wait for may
        now be there), and those blocked on a stream that is no longer one
        hear of it (C{scanDatabaseForDeletedStreams}).
        """
        if not self._waiters:
            return
        store = self.server.store
        items = [item for item in self._waiters if item[0] in (first, second)]
        for index, key in items:
            before = store.db(second if index == first else first).data.get(key)
            after = store.db(index).data.get(key)
            if _isStream(before) and not _isStream(after):
                self.keyRemoved(index, key)
        for index in (first, second):
            for item in items:
                if item[0] == index and item[1] in store.db(index).data:
                    self.ready[item] = None

    def serveReady(self):
        """
        Serve clients blocked on keys signalled since the last call, in
        blocking order, until no signalled key can serve anyone.
        """
        store = self.server.store
        while self.ready:
            ready, self.ready = self.ready, collections.OrderedDict()
            removed, self._removed = self._removed, set()
            for item in ready:
                queue = self._waiters.get(item)
                if not queue:
                    continue
                db = store.db(item[0])
                for waiter in self._inOrder(queue):
                    store.now = int(self.server.clock.seconds() * 1000)
                    if db.getForWrite(item[1]) is None:
                        # A key that is gone serves nobody: stop, as Redis
                        # does once a pop deleted it, rather than trying
                        # every other client blocked on it.  A deleted key
                        # is offered to the waiters that cannot wait for a
                        # missing key (XREADGROUP), as Redis's
                        # signalDeletedKeyAsReady.
                        if item not in removed:
                            break
                        if not waiter.onDelete:
                            continue
                    client = waiter.client
                    client.propagateAs = None
                    dirty = store.dirty
                    # Set for each retry: serving one client may run its
                    # pipelined commands, and so a nested serveReady.
                    self.servingKey = item[1]
                    try:
                        reply = waiter.retry()
                    except CommandError as e:
                        reply = e
                    finally:
                        self.servingKey = None
                    if reply is None:
                        continue
                    if store.dirty != dirty and client.propagateAs:
                        self.server.propagate(waiter.dbIndex, client.propagateAs)
                    self._finish(waiter, reply)

    def _inOrder(self, queue):
        """
        The waiters of C{queue} that were there when called, first come
        first, skipping those that stop waiting meanwhile.

        Serving a waiter changes the queue, so this finds the next one
        after each, without copying the queue: it is usually at the front,
        which makes serving one of many waiters cheap.
        """
        last = 0
        newest = self._sequence
        while True:
            for waiter in queue:
                if waiter.sequence > last:
                    break
            else:
                return
            if waiter.sequence > newest:
                return
            last = waiter.sequence
            yield waiter

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
