"""
Unit tests for the generic key commands, expiry and L{store.copyValue}.
"""

import hiredis
from twisted.trial.unittest import SynchronousTestCase

from txredisd import store
from txredisd.commands import keys as keysModule
from txredisd.commands.keys import ScanSnapshots, parseScanCursor, scanSnapshots
from txredisd.errors import CommandError

from tests.helpers import Connection

NOW = 1_700_000_000_000


def parse(raw):
    """
    Decode one RESP reply.
    """
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


class _Bag(dict):
    """
    A container value type for the tests (copied by its constructor).
    """


class _Opaque:
    """
    A value type that is no builtin container (copied by deepcopy).
    """

    def __init__(self, items):
        self.items = list(items)


def registerTestType(case, cls, name, copy=None):
    """
    Register a value type for one test and forget it after.
    """
    store.registerType(cls, name, lambda value: b"testenc", copy)

    def forget():
        for table in (store.TYPE_NAMES, store._ENCODINGS, store._COPIERS):
            table.pop(cls, None)

    case.addCleanup(forget)


class KeysTestCase(SynchronousTestCase):
    """
    Base: a connection to a server on a clock at L{NOW}, recording keyspace
    notifications and propagated commands.
    """

    def setUp(self):
        self.conn = Connection()
        self.server = self.conn.server
        self.clock = self.server.clock
        self.db = self.server.store.db(0)
        self.notifications = []
        self.server.store.notifier = lambda *args: self.notifications.append(args)
        self.propagated = []
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))

    def call(self, *args):
        return self.conn.call(*args)


class DeleteExistsTypeTests(KeysTestCase):
    def test_delCountsDeletedKeysOnce(self):
        """
        DEL answers how many keys it removed; a key named twice counts once.
        """
        self.call("SET", "a", "1")
        self.call("SET", "b", "1")
        self.assertEqual(self.call("DEL", "a", "a", "b", "missing"), b":2\r\n")
        self.assertEqual(self.db.size(), 0)
        self.assertEqual(self.notifications[-2:], [("g", b"del", b"a", 0), ("g", b"del", b"b", 0)])

    def test_unlinkDeletes(self):
        """
        UNLINK removes keys like DEL.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("UNLINK", "a", "b"), b":1\r\n")
        self.assertEqual(self.call("EXISTS", "a"), b":0\r\n")

    def test_existsCountsRepeats(self):
        """
        EXISTS counts a key once for every time it is named.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("EXISTS", "a", "a", "b", "a"), b":3\r\n")

    def test_touchCountsExisting(self):
        """
        TOUCH answers the number of existing keys named.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("TOUCH", "a", "b", "a"), b":2\r\n")

    def test_type(self):
        """
        TYPE answers the registered type name as a status, C{none} if missing.
        """
        registerTestType(self, _Bag, b"testbag")
        self.db.set(b"bag", _Bag(x=b"1"))
        self.call("SET", "s", "v")
        self.assertEqual(self.call("TYPE", "s"), b"+string\r\n")
        self.assertEqual(self.call("TYPE", "bag"), b"+testbag\r\n")
        self.assertEqual(self.call("TYPE", "missing"), b"+none\r\n")

    def test_randomkey(self):
        """
        RANDOMKEY answers an existing key, or null on an empty database.
        """
        self.assertEqual(self.call("RANDOMKEY"), b"$-1\r\n")
        self.call("SET", "only", "1")
        self.assertEqual(self.call("RANDOMKEY"), b"$4\r\nonly\r\n")

    def test_arity(self):
        """
        Wrong argument counts get Redis's arity error with the command name.
        """
        self.assertEqual(self.call("EXISTS"), b"-ERR wrong number of arguments for 'exists' command\r\n")
        self.assertEqual(self.call("TYPE", "a", "b"), b"-ERR wrong number of arguments for 'type' command\r\n")


def runOneTurn(clock):
    """
    Run the timed calls due now but not those they schedule, as one reactor
    turn does (L{Clock.advance} would run those too).
    """
    for call in clock.getDelayedCalls():
        if call.getTime() <= clock.seconds():
            func, args, kw = call.func, call.args, call.kw
            call.cancel()
            func(*args, **kw)


class KeysCommandTests(KeysTestCase):
    def test_pattern(self):
        """
        KEYS answers the keys matching a glob.
        """
        for key in ("hello", "hallo", "hxllo", "world"):
            self.call("SET", key, "1")
        self.assertEqual(sorted(parse(self.call("KEYS", "h[ae]llo"))), [b"hallo", b"hello"])
        self.assertEqual(len(parse(self.call("KEYS", "*"))), 4)

    def test_expiredKeysHiddenNotDeleted(self):
        """
        KEYS leaves out keys whose time has passed without deleting them.
        """
        self.call("SET", "a", "1")
        self.call("SET", "b", "1")
        self.call("PEXPIRE", "b", "10")
        self.clock.advance(1)
        self.assertEqual(parse(self.call("KEYS", "*")), [b"a"])
        self.assertIn(b"b", self.db.data)

    def fillKeys(self, count):
        for i in range(count):
            self.db.data[b"key:%d" % (i,)] = b"v"

    def test_largeKeyspaceFilteredInChunks(self):
        """
        KEYS over more than L{KEYS_CHUNKED_ABOVE} keys answers after several
        reactor turns, other clients are answered meanwhile, and the reply
        is the keys live when KEYS ran.
        """
        count = keysModule.KEYS_CHUNKED_ABOVE + 1
        self.fillKeys(count)
        self.db.setExpire(b"key:11", NOW - 1)
        other = Connection(self.server)
        self.assertEqual(self.call("KEYS", "key:1*"), b"")
        # Changes after the snapshot do not show in the reply.
        self.db.delete(b"key:10")
        self.db.set(b"key:1new", b"v")
        turns = 0
        while not self.conn.transport.value():
            self.assertEqual(other.call("PING"), b"+PONG\r\n")
            runOneTurn(self.clock)
            turns += 1
        self.assertEqual(turns, -(-count // keysModule.KEYS_CHUNK))
        expected = {b"key:%d" % (i,) for i in range(count) if str(i).startswith("1")} - {b"key:11"}
        reply = parse(self.conn.transport.value())
        self.assertEqual(len(reply), len(expected))
        self.assertEqual(set(reply), expected)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_chunkedCommandsQueueBehind(self):
        """
        Commands a client sends after a chunked KEYS are answered after it,
        in order.
        """
        self.fillKeys(keysModule.KEYS_CHUNKED_ABOVE + 1)
        self.assertEqual(self.conn.feed(b"KEYS nomatch*\r\nPING\r\n"), b"")
        while self.clock.getDelayedCalls():
            self.clock.advance(0)
        self.assertEqual(self.conn.transport.value(), b"*0\r\n+PONG\r\n")

    def test_disconnectStopsChunks(self):
        """
        A client that goes away during a chunked KEYS leaves no timer behind.
        """
        self.fillKeys(keysModule.KEYS_CHUNKED_ABOVE + 1)
        self.call("KEYS", "*")
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        self.conn.close()
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_notChunkedInsideMultiOrForInternalClients(self):
        """
        Inside MULTI, and for internal clients, KEYS answers at once even
        over a large keyspace.
        """
        count = keysModule.KEYS_CHUNKED_ABOVE + 1
        self.fillKeys(count)
        client = self.conn.client
        client.multi = []
        self.assertEqual(len(keysModule.keys(client, [b"KEYS", b"*"])), count)
        client.multi = None
        client.kind = "script"
        self.assertEqual(len(keysModule.keys(client, [b"KEYS", b"*"])), count)


class ScanTests(KeysTestCase):
    def scanAll(self, *options, cursor=b"0"):
        """
        Iterate SCAN to the end.

        @return: the list of keys returned, in order, and the number of calls.
        """
        found = []
        calls = 0
        while True:
            cursor, batch = parse(self.call("SCAN", cursor, *options))
            found.extend(batch)
            calls += 1
            if cursor == b"0":
                return found, calls

    def test_fullIteration(self):
        """
        A full SCAN returns every key exactly once, COUNT keys at a time.
        """
        for i in range(25):
            self.call("SET", "k%d" % (i,), "v")
        found, calls = self.scanAll("COUNT", "3")
        self.assertEqual(sorted(found), sorted(b"k%d" % (i,) for i in range(25)))
        self.assertEqual(calls, 9)

    def test_emptyDatabase(self):
        """
        SCAN of an empty database answers cursor 0 and no keys.
        """
        self.assertEqual(self.call("SCAN", "0"), b"*2\r\n$1\r\n0\r\n*0\r\n")

    def test_cursorIsUnsigned64BitDecimal(self):
        """
        Cursors are decimal numbers below 2**64, not 0 while iterating.
        """
        for i in range(5):
            self.call("SET", "k%d" % (i,), "v")
        cursor, batch = parse(self.call("SCAN", "0", "COUNT", "2"))
        self.assertTrue(cursor.isdigit())
        self.assertTrue(0 < int(cursor) < 2**64)
        self.assertEqual(len(batch), 2)

    def test_changesDuringIteration(self):
        """
        Keys present throughout are all returned; keys added during the
        iteration are not, keys deleted before being reached are not.
        """
        for i in range(10):
            self.call("SET", "k%d" % (i,), "v")
        cursor, first = parse(self.call("SCAN", "0", "COUNT", "2"))
        self.call("SET", "added", "v")
        self.call("DEL", "k9")
        found = list(first)
        while cursor != b"0":
            cursor, batch = parse(self.call("SCAN", cursor, "COUNT", "2"))
            found.extend(batch)
        self.assertEqual(sorted(found), sorted(b"k%d" % (i,) for i in range(9)))

    def test_matchAndType(self):
        """
        MATCH and TYPE filter the keys returned; unknown types match nothing.
        """
        registerTestType(self, _Bag, b"testbag")
        self.db.set(b"bag1", _Bag())
        self.call("SET", "str1", "v")
        self.call("SET", "str2", "v")
        self.assertEqual(sorted(self.scanAll("MATCH", "str*")[0]), [b"str1", b"str2"])
        self.assertEqual(self.scanAll("TYPE", "TestBag")[0], [b"bag1"])
        self.assertEqual(self.scanAll("TYPE", "nosuchtype")[0], [])
        self.assertEqual(self.scanAll("MATCH", "*1", "TYPE", "string")[0], [b"str1"])

    def test_expiredKeysSkipped(self):
        """
        SCAN does not return expired keys, and deletes them as Redis does.
        """
        self.call("SET", "a", "1")
        self.call("SET", "b", "1")
        self.call("PEXPIRE", "b", "1")
        self.clock.advance(1)
        self.assertEqual(self.scanAll()[0], [b"a"])
        self.assertNotIn(b"b", self.db.data)

    def test_finishedIterationDropsSnapshot(self):
        """
        A snapshot is forgotten when its iteration ends.
        """
        for i in range(5):
            self.call("SET", "k%d" % (i,), "v")
        self.scanAll("COUNT", "2")
        self.assertEqual(len(scanSnapshots(self.server)), 0)

    def evictFirstIteration(self):
        """
        Start an iteration over six keys, then start enough others to evict
        its snapshot.

        @return: the first batch and the cursor to go on with.
        """
        for i in range(6):
            self.call("SET", "k%d" % (i,), "v")
        cursor, first = parse(self.call("SCAN", "0", "COUNT", "2"))
        for _ in range(ScanSnapshots.size):
            parse(self.call("SCAN", "0", "COUNT", "1"))
        self.assertEqual(len(scanSnapshots(self.server)), ScanSnapshots.size)
        self.assertNotIn(int(cursor) >> 32, scanSnapshots(self.server)._snapshots)
        return first, cursor

    def test_evictedCursorResumesOnUnchangedDatabase(self):
        """
        A cursor whose snapshot was evicted goes on where it was if the
        database has not changed since: every key once.
        """
        first, cursor = self.evictFirstIteration()
        found, calls = self.scanAll("COUNT", "2", cursor=cursor)
        self.assertEqual(sorted(first + found), sorted(b"k%d" % (i,) for i in range(6)))

    def test_evictedCursorRestartsAfterChanges(self):
        """
        A cursor whose snapshot was evicted and whose database's keys
        changed (here, as many keys as before) restarts from a fresh
        snapshot: every key, some twice.
        """
        first, cursor = self.evictFirstIteration()
        self.call("DEL", "k5")
        self.call("SET", "new", "v")
        found, calls = self.scanAll("COUNT", "2", cursor=cursor)
        self.assertEqual(set(found), {b"k%d" % (i,) for i in range(5)} | {b"new"})
        self.assertEqual(found[:2], first)

    def test_unknownCursorRestarts(self):
        """
        A made-up cursor is answered as a fresh iteration.
        """
        self.call("SET", "a", "1")
        self.assertEqual(parse(self.call("SCAN", "12345")), [b"0", [b"a"]])

    def test_cursorOfAnotherDatabaseRestarts(self):
        """
        A cursor used after SELECT on another database iterates that one.
        """
        for i in range(4):
            self.call("SET", "k%d" % (i,), "v")
        cursor, _ = parse(self.call("SCAN", "0", "COUNT", "1"))
        self.call("SELECT", "1")
        self.call("SET", "other", "v")
        self.assertEqual(parse(self.call("SCAN", cursor)), [b"0", [b"other"]])

    def test_snapshotsShared(self):
        """
        Iterations started on an unchanged database share one key list;
        a change makes the next one take its own.
        """
        snapshots = ScanSnapshots()
        self.call("SET", "a", "1")
        first, keys1 = snapshots.take(self.db)
        second, keys2 = snapshots.take(self.db)
        self.assertNotEqual(first, second)
        self.assertIs(keys1, keys2)
        self.call("SET", "b", "1")
        third, keys3 = snapshots.take(self.db)
        self.assertIsNot(keys3, keys1)
        self.assertEqual(keys3, [b"a", b"b"])

    def test_errors(self):
        """
        Bad cursors, counts and options get Redis's errors.
        """
        self.assertEqual(self.call("SCAN", "x"), b"-ERR invalid cursor\r\n")
        self.assertEqual(self.call("SCAN", " 1"), b"-ERR invalid cursor\r\n")
        self.assertEqual(self.call("SCAN", "18446744073709551616"), b"-ERR invalid cursor\r\n")
        self.assertEqual(self.call("SCAN", "x", "COUNT", "0"), b"-ERR invalid cursor\r\n")
        self.assertEqual(self.call("SCAN", "0", "COUNT", "0"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("SCAN", "0", "COUNT", "-1"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("SCAN", "0", "COUNT", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.call("SCAN", "0", "TYPE"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("SCAN", "0", "FOO", "bar"), b"-ERR syntax error\r\n")

    def test_parseScanCursor(self):
        """
        Cursors parse as C{strtoul}: sign, wrap-around, empty string is 0.
        """
        self.assertEqual(parseScanCursor(b""), 0)
        self.assertEqual(parseScanCursor(b"+7"), 7)
        self.assertEqual(parseScanCursor(b"007"), 7)
        self.assertEqual(parseScanCursor(b"-1"), 2**64 - 1)
        self.assertEqual(parseScanCursor(b"18446744073709551615"), 2**64 - 1)
        self.assertEqual(parseScanCursor(b"0" * 5000 + b"3"), 3)
        for bad in (b"+", b"-", b"1x", b"0x1", b"\t1", b"1 ", b"9" * 5000):
            self.assertRaises(CommandError, parseScanCursor, bad)


class RenameCopyMoveTests(KeysTestCase):
    def test_renameKeepsExpiry(self):
        """
        RENAME moves the value and its expiry, replacing the destination and
        dropping the destination's own expiry.
        """
        self.call("SET", "src", "v")
        self.call("PEXPIRE", "src", "5000")
        self.call("SET", "dst", "old")
        self.assertEqual(self.call("RENAME", "src", "dst"), b"+OK\r\n")
        self.assertEqual(self.call("GET", "dst"), b"$1\r\nv\r\n")
        self.assertEqual(self.call("PTTL", "dst"), b":5000\r\n")
        self.assertEqual(self.call("EXISTS", "src"), b":0\r\n")
        self.call("SET", "plain", "p")
        self.call("PEXPIRE", "dst", "100")
        self.call("RENAME", "plain", "dst")
        self.assertEqual(self.call("TTL", "dst"), b":-1\r\n")
        self.assertIn(("g", b"rename_from", b"src", 0), self.notifications)
        self.assertIn(("g", b"rename_to", b"dst", 0), self.notifications)

    def test_renameErrorsAndSameKey(self):
        """
        RENAME of a missing key is an error; renaming a key to itself
        changes nothing.
        """
        self.assertEqual(self.call("RENAME", "nokey", "x"), b"-ERR no such key\r\n")
        self.assertEqual(self.call("RENAMENX", "nokey", "nokey"), b"-ERR no such key\r\n")
        self.call("SET", "a", "1")
        self.propagated.clear()
        self.assertEqual(self.call("RENAME", "a", "a"), b"+OK\r\n")
        self.assertEqual(self.call("RENAMENX", "a", "a"), b":0\r\n")
        self.assertEqual(self.propagated, [])

    def test_renamenx(self):
        """
        RENAMENX does nothing when the destination exists.
        """
        self.call("SET", "a", "1")
        self.call("SET", "b", "2")
        self.assertEqual(self.call("RENAMENX", "a", "b"), b":0\r\n")
        self.assertEqual(self.call("RENAMENX", "a", "c"), b":1\r\n")
        self.assertEqual(self.call("GET", "c"), b"$1\r\n1\r\n")

    def test_copy(self):
        """
        COPY copies value and expiry; it refuses an existing destination
        unless REPLACE is given.
        """
        self.call("SET", "a", "1")
        self.call("PEXPIRE", "a", "3000")
        self.call("SET", "b", "2")
        self.assertEqual(self.call("COPY", "a", "b"), b":0\r\n")
        self.assertEqual(self.call("COPY", "a", "b", "REPLACE"), b":1\r\n")
        self.assertEqual(self.call("GET", "b"), b"$1\r\n1\r\n")
        self.assertEqual(self.call("PTTL", "b"), b":3000\r\n")
        self.assertEqual(self.call("COPY", "missing", "c"), b":0\r\n")
        self.assertEqual(self.notifications[-1], ("g", b"copy_to", b"b", 0))

    def test_copyToDatabase(self):
        """
        COPY ... DB copies into another database, even to the same name.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("COPY", "a", "a", "DB", "2"), b":1\r\n")
        self.assertEqual(self.server.store.db(2).get(b"a"), b"1")
        self.assertEqual(self.notifications[-1], ("g", b"copy_to", b"a", 2))

    def test_copyErrors(self):
        """
        COPY's option errors are Redis's, checked in argument order.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("COPY", "a", "a"), b"-ERR source and destination objects are the same\r\n")
        self.assertEqual(self.call("COPY", "a", "a", "DB", "0"), b"-ERR source and destination objects are the same\r\n")
        self.assertEqual(self.call("COPY", "a", "b", "REPLACE", "DB"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("COPY", "a", "b", "DB", "99", "FOO"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.call("COPY", "a", "b", "FOO", "DB", "99"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("COPY", "a", "b", "DB", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(
            self.call("COPY", "a", "b", "DB", "4294967296"),
            b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
        )

    def test_copyIsIndependentForContainers(self):
        """
        The copy of a container value is a new object: changing it leaves
        the original alone.
        """
        registerTestType(self, _Bag, b"testbag")
        original = _Bag(f=b"1")
        self.db.set(b"bag", original)
        self.assertEqual(self.call("COPY", "bag", "bag2"), b":1\r\n")
        copied = self.db.get(b"bag2")
        self.assertIs(type(copied), _Bag)
        self.assertIsNot(copied, original)
        copied[b"g"] = b"2"
        self.assertEqual(original, {"f": b"1"})

    def test_copyValueDispatch(self):
        """
        copyValue returns strings as they are, copies builtin containers
        with their constructor, other classes deeply, and uses a registered
        copy function when one is given.
        """
        value = b"text"
        self.assertIs(store.copyValue(value), value)
        registerTestType(self, _Opaque, b"testopaque")
        opaque = _Opaque([[b"x"]])
        copied = store.copyValue(opaque)
        self.assertIsNot(copied.items[0], opaque.items[0])
        self.assertEqual(copied.items, [[b"x"]])
        marker = _Bag()
        registerTestType(self, _Bag, b"testbag", copy=lambda bag: marker)
        self.assertIs(store.copyValue(_Bag()), marker)

    def test_move(self):
        """
        MOVE moves a key with its expiry to another database, unless it
        exists there.
        """
        self.call("SET", "a", "1")
        self.call("PEXPIRE", "a", "2000")
        self.assertEqual(self.call("MOVE", "a", "1"), b":1\r\n")
        self.assertEqual(self.call("EXISTS", "a"), b":0\r\n")
        self.call("SELECT", "1")
        self.assertEqual(self.call("PTTL", "a"), b":2000\r\n")
        self.call("SET", "b", "x")
        self.server.store.db(0).set(b"b", b"y")
        self.assertEqual(self.call("MOVE", "b", "0"), b":0\r\n")
        self.assertEqual(self.call("MOVE", "missing", "0"), b":0\r\n")
        self.assertIn(("g", b"move_from", b"a", 0), self.notifications)
        self.assertIn(("g", b"move_to", b"a", 1), self.notifications)

    def test_moveErrors(self):
        """
        MOVE to the same database or a bad index gets Redis's errors.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("MOVE", "a", "0"), b"-ERR source and destination objects are the same\r\n")
        self.assertEqual(self.call("MOVE", "a", "16"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.call("MOVE", "a", "-1"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.call("MOVE", "a", "x"), b"-ERR value is not an integer or out of range\r\n")


class ExpireTests(KeysTestCase):
    def test_relativeExpiryPropagatesAbsolute(self):
        """
        EXPIRE, PEXPIRE and EXPIREAT propagate as PEXPIREAT with the
        absolute time in milliseconds, options kept; PEXPIREAT as given.
        """
        self.call("SET", "a", "1")
        self.propagated.clear()
        self.assertEqual(self.call("EXPIRE", "a", "100"), b":1\r\n")
        self.assertEqual(self.call("PEXPIRE", "a", "200000", "gt"), b":1\r\n")
        self.assertEqual(self.call("EXPIREAT", "a", "1800000000"), b":1\r\n")
        self.assertEqual(self.call("PEXPIREAT", "a", "1800000000001"), b":1\r\n")
        self.assertEqual(
            self.propagated,
            [
                [b"PEXPIREAT", b"a", b"%d" % (NOW + 100000,)],
                [b"PEXPIREAT", b"a", b"%d" % (NOW + 200000,), b"gt"],
                [b"PEXPIREAT", b"a", b"1800000000000"],
                [b"PEXPIREAT", b"a", b"1800000000001"],
            ],
        )
        self.assertEqual(self.notifications[-1], ("g", b"expire", b"a", 0))

    def test_pastTimeDeletes(self):
        """
        An expiry at or before now deletes the key, propagated as DEL and
        notified as C{del}.
        """
        self.call("SET", "a", "1")
        self.propagated.clear()
        self.assertEqual(self.call("EXPIRE", "a", "0"), b":1\r\n")
        self.assertEqual(self.call("EXISTS", "a"), b":0\r\n")
        self.assertEqual(self.propagated, [[b"DEL", b"a"]])
        self.assertEqual(self.notifications[-1], ("g", b"del", b"a", 0))
        self.call("SET", "b", "1")
        self.assertEqual(self.call("PEXPIREAT", "b", str(NOW)), b":1\r\n")
        self.assertEqual(self.call("EXISTS", "b"), b":0\r\n")

    def test_pastTimeOnReplicaSetsExpiry(self):
        """
        A replica keeps a key given a past time (hidden) until its master's
        DEL, as Redis.
        """
        self.call("SET", "a", "1")
        self.server.store.deleteExpired = False
        self.assertEqual(self.call("EXPIRE", "a", "-5"), b":1\r\n")
        self.assertIn(b"a", self.db.data)
        self.assertEqual(self.call("EXISTS", "a"), b":0\r\n")

    def test_missingKey(self):
        """
        EXPIRE of a missing key, or of one whose time has passed, answers 0.
        """
        self.assertEqual(self.call("EXPIRE", "nokey", "10"), b":0\r\n")
        self.assertEqual(self.call("PEXPIREAT", "nokey", "0"), b":0\r\n")
        self.call("SET", "a", "1")
        self.call("PEXPIRE", "a", "5")
        self.clock.advance(0.006)
        self.assertEqual(self.call("EXPIRE", "a", "100"), b":0\r\n")
        self.assertNotIn(b"a", self.db.data)

    def test_options(self):
        """
        NX, XX, GT and LT decide as Redis, no expiry counting as infinite.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("EXPIRE", "a", "100", "XX"), b":0\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "100", "GT"), b":0\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "100", "LT"), b":1\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "200", "NX"), b":0\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "200", "XX"), b":1\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "200", "GT"), b":0\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "300", "gt"), b":1\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "300", "LT"), b":0\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "50", "XX", "LT"), b":1\r\n")
        self.assertEqual(self.call("TTL", "a"), b":50\r\n")
        self.call("PERSIST", "a")
        self.assertEqual(self.call("EXPIRE", "a", "50", "NX"), b":1\r\n")

    def test_errors(self):
        """
        Bad options, times and overflows get Redis's errors, options first.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("EXPIRE", "a", "10", "foo"), b"-ERR Unsupported option foo\r\n")
        self.assertEqual(
            self.call("EXPIRE", "a", "x", "nx", "xx"),
            b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
        )
        self.assertEqual(
            self.call("EXPIRE", "a", "10", "nx", "gt"),
            b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
        )
        self.assertEqual(
            self.call("EXPIRE", "a", "10", "gt", "lt"),
            b"-ERR GT and LT options at the same time are not compatible\r\n",
        )
        self.assertEqual(self.call("EXPIRE", "a", "x", "nx"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "9223372036854776"), b"-ERR invalid expire time in 'expire' command\r\n")
        self.assertEqual(self.call("EXPIRE", "a", "-9223372036854776"), b"-ERR invalid expire time in 'expire' command\r\n")
        self.assertEqual(
            self.call("PEXPIRE", "a", "9223372036854775807"), b"-ERR invalid expire time in 'pexpire' command\r\n"
        )
        self.assertEqual(
            self.call("EXPIREAT", "a", "9223372036854776"), b"-ERR invalid expire time in 'expireat' command\r\n"
        )
        self.assertEqual(self.call("PEXPIREAT", "a", "9223372036854775807"), b":1\r\n")
        self.assertEqual(self.call("PEXPIRETIME", "a"), b":9223372036854775807\r\n")

    def test_persist(self):
        """
        PERSIST removes an expiry (1) and answers 0 when there was none.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("PERSIST", "a"), b":0\r\n")
        self.call("EXPIRE", "a", "10")
        self.assertEqual(self.call("PERSIST", "a"), b":1\r\n")
        self.assertEqual(self.call("TTL", "a"), b":-1\r\n")
        self.assertEqual(self.call("PERSIST", "missing"), b":0\r\n")
        self.assertEqual(self.notifications[-1], ("g", b"persist", b"a", 0))


class TTLTests(KeysTestCase):
    def test_missingAndPersistent(self):
        """
        TTL-family commands answer -2 for a missing key and -1 for a key
        without expiry.
        """
        self.call("SET", "a", "1")
        for name in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
            self.assertEqual(self.call(name, "missing"), b":-2\r\n")
            self.assertEqual(self.call(name, "a"), b":-1\r\n")

    def test_rounding(self):
        """
        TTL rounds the milliseconds left to the nearest second.
        """
        self.call("SET", "a", "1")
        self.call("PEXPIRE", "a", "1499")
        self.assertEqual(self.call("TTL", "a"), b":1\r\n")
        self.call("PEXPIRE", "a", "1500")
        self.assertEqual(self.call("TTL", "a"), b":2\r\n")
        self.clock.advance(1.2)
        self.assertEqual(self.call("PTTL", "a"), b":300\r\n")
        self.assertEqual(self.call("TTL", "a"), b":0\r\n")

    def test_absolute(self):
        """
        EXPIRETIME and PEXPIRETIME answer the absolute Unix time.
        """
        self.call("SET", "a", "1")
        self.call("PEXPIREAT", "a", "1800000000700")
        self.assertEqual(self.call("PEXPIRETIME", "a"), b":1800000000700\r\n")
        self.assertEqual(self.call("EXPIRETIME", "a"), b":1800000001\r\n")


class ExpiryTests(KeysTestCase):
    def test_activeExpiry(self):
        """
        With the server started, expired keys vanish without being accessed,
        each notified as C{expired}.
        """
        for i in range(300):
            self.call("SET", "k%d" % (i,), "v")
            self.call("PEXPIRE", "k%d" % (i,), "50")
        self.call("SET", "keep", "v")
        self.call("EXPIRE", "keep", "1000")
        self.server.start()
        self.addCleanup(self.server.stop)
        self.clock.advance(0.1)
        self.assertEqual(list(self.db.data), [b"keep"])
        expired = [n for n in self.notifications if n[0] == "x"]
        self.assertEqual(len(expired), 300)
        self.assertEqual(expired[0], ("x", b"expired", b"k0", 0))
        self.assertEqual(self.server.store.expiredKeys, 300)

    def test_activeExpiryWaitsForTheTime(self):
        """
        The periodic cycle leaves keys whose time has not come.
        """
        self.call("SET", "a", "v")
        self.call("PEXPIRE", "a", "500")
        self.server.start()
        self.addCleanup(self.server.stop)
        self.clock.advance(0.4)
        self.assertIn(b"a", self.db.data)
        self.clock.advance(0.2)
        self.assertNotIn(b"a", self.db.data)

    def test_lazyExpiry(self):
        """
        Without the periodic cycle, an expired key stays in memory until it
        is accessed, then is deleted and notified.
        """
        self.call("SET", "a", "v")
        self.call("PEXPIRE", "a", "10")
        self.clock.advance(0.011)
        self.assertIn(b"a", self.db.data)
        self.assertEqual(self.call("GET", "a"), b"$-1\r\n")
        self.assertNotIn(b"a", self.db.data)
        self.assertEqual(self.call("TTL", "a"), b":-2\r\n")
        self.assertEqual(self.notifications[-1], ("x", b"expired", b"a", 0))


class ObjectTests(KeysTestCase):
    def test_encoding(self):
        """
        OBJECT ENCODING answers the value's encoding, null for a missing key.
        """
        self.call("SET", "i", "123")
        self.call("SET", "e", "hello")
        self.call("SET", "r", "x" * 45)
        self.assertEqual(self.call("OBJECT", "ENCODING", "i"), b"$3\r\nint\r\n")
        self.assertEqual(self.call("OBJECT", "ENCODING", "e"), b"$6\r\nembstr\r\n")
        self.assertEqual(self.call("OBJECT", "ENCODING", "r"), b"$3\r\nraw\r\n")
        self.assertEqual(self.call("OBJECT", "ENCODING", "missing"), b"$-1\r\n")
        self.call("HELLO", "3")
        self.assertEqual(self.call("OBJECT", "ENCODING", "missing"), b"_\r\n")

    def test_refcount(self):
        """
        Small integers show Redis's shared-object refcount unless an LRU or
        LFU policy with maxmemory turns sharing off.
        """
        self.call("SET", "small", "5")
        self.call("SET", "big", "10000")
        self.assertEqual(self.call("OBJECT", "REFCOUNT", "small"), b":2147483647\r\n")
        self.assertEqual(self.call("OBJECT", "REFCOUNT", "big"), b":1\r\n")
        self.assertEqual(self.call("OBJECT", "REFCOUNT", "missing"), b"$-1\r\n")
        self.server.config.set("maxmemory-policy", b"allkeys-lru")
        self.server.config.set("maxmemory", b"100mb")
        self.assertEqual(self.call("OBJECT", "REFCOUNT", "small"), b":1\r\n")

    def test_idletimeAndFreq(self):
        """
        IDLETIME answers 0 (no access times are kept) except under an LFU
        policy; FREQ is an error except under an LFU policy.
        """
        self.call("SET", "a", "1")
        self.assertEqual(self.call("OBJECT", "IDLETIME", "a"), b":0\r\n")
        self.assertTrue(self.call("OBJECT", "FREQ", "a").startswith(b"-ERR An LFU maxmemory policy is not selected"))
        self.assertEqual(self.call("OBJECT", "FREQ", "missing"), b"$-1\r\n")
        self.server.config.set("maxmemory-policy", b"volatile-lfu")
        self.assertEqual(self.call("OBJECT", "FREQ", "a"), b":5\r\n")
        self.assertTrue(self.call("OBJECT", "IDLETIME", "a").startswith(b"-ERR An LFU maxmemory policy is selected"))

    def test_helpAndErrors(self):
        """
        OBJECT HELP lists the subcommands; unknown subcommands and wrong
        arities get Redis's errors.
        """
        lines = parse(self.call("OBJECT", "HELP"))
        self.assertEqual(len(lines), 15)
        self.assertEqual(lines[-1], b"    Prints this help.")
        self.assertEqual(self.call("OBJECT", "foo"), b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n")
        self.assertEqual(self.call("OBJECT"), b"-ERR wrong number of arguments for 'object' command\r\n")
        self.assertEqual(
            self.call("OBJECT", "encoding"), b"-ERR wrong number of arguments for 'object|encoding' command\r\n"
        )
