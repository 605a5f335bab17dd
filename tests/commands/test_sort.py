"""
Tests for L{txredisd.commands.sort}: SORT and SORT_RO replies, weights,
patterns, STORE's side effects (keyspace events, dirty count, propagation,
blocked clients, WATCH) and the ACL rule for BY and GET.
"""

import math

from twisted.trial.unittest import SynchronousTestCase

from tests.commands.recording import RecordingMixin
from tests.helpers import Connection
from txredisd.commands.sort import lookupByPattern, sortScore, _sortKeys
from txredisd.store import encodingOf


def bulks(*items):
    """
    The RESP2 array of bulk strings (L{None}: null) C{items}.
    """
    out = [b"*%d\r\n" % (len(items),)]
    for item in items:
        if item is None:
            out.append(b"$-1\r\n")
            continue
        item = item.encode() if isinstance(item, str) else item
        out.append(b"$%d\r\n%s\r\n" % (len(item), item))
    return b"".join(out)


class SortTestCase(RecordingMixin, SynchronousTestCase):
    """
    A server with one connection whose propagated commands and keyspace
    events are recorded.
    """


class OrderTests(SortTestCase):
    def test_numeric(self):
        """
        Without options elements sort as numbers, ties by their bytes, so
        C{1} and C{1.0} keep a fixed order.
        """
        self.call("RPUSH", "l", "10", "2", "1.0", "1", "-3")
        self.assertEqual(self.call("SORT", "l"), bulks("-3", "1", "1.0", "2", "10"))
        self.assertEqual(self.call("SORT", "l", "DESC"), bulks("10", "2", "1.0", "1", "-3"))

    def test_alpha(self):
        """
        ALPHA compares bytes up to a NUL (C{strcoll} in the C locale): two
        strings equal up to a NUL keep their order, also descending; with
        STORE the whole strings compare.
        """
        self.call("RPUSH", "l", "b", "a\x00z", "a\x00y", "A")
        self.assertEqual(self.call("SORT", "l", "ALPHA"), bulks("A", "a\x00z", "a\x00y", "b"))
        self.assertEqual(self.call("SORT", "l", "ALPHA", "DESC"), bulks("b", "a\x00z", "a\x00y", "A"))
        self.call("SORT", "l", "ALPHA", "STORE", "d")
        self.assertEqual(self.call("LRANGE", "d", "0", "-1"), bulks("A", "a\x00y", "a\x00z", "b"))

    def test_notNumbers(self):
        """
        One weight that is no number fails the whole sort, even outside the
        LIMIT window; nothing is parsed when nothing is sorted.
        """
        self.call("RPUSH", "l", "1", "x")
        error = b"-ERR One or more scores can't be converted into double\r\n"
        self.assertEqual(self.call("SORT", "l", "LIMIT", "0", "1"), error)
        self.assertEqual(self.call("SORT", "l", "BY", "nosort"), bulks("1", "x"))
        self.assertEqual(self.call("SORT", "l", "ALPHA"), bulks("1", "x"))

    def test_partialSortTies(self):
        """
        BY with a LIMIT sorts with Redis's partial quicksort, which moves
        ties (as redis-server answers for these seven elements).
        """
        self.call("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g")
        self.call("SET", "w_d", "z")
        self.assertEqual(self.call("SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "0", "6"), bulks(*"gbcaef"))
        self.assertEqual(self.call("SORT", "l", "BY", "w_*", "ALPHA"), bulks(*"abcefgd"))
        self.call("SET", "w_g", "y")
        self.assertEqual(self.call("SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "0", "6"), bulks(*"bcaefg"))

    def test_sortedSetNosort(self):
        """
        BY without C{*} keeps a sorted set's order (descending from its
        end), LIMIT applied; sorting turns a listpack into a skiplist.
        """
        self.call("ZADD", "z", "3", "a", "1", "c", "2", "b")
        self.assertEqual(encodingOf(self.store.db(0).get(b"z")), b"listpack")
        self.assertEqual(self.call("SORT", "z", "BY", "k", "DESC", "LIMIT", "1", "5"), bulks("b", "c"))
        self.assertEqual(self.call("SORT", "z", "BY", "k", "LIMIT", "1", "1"), bulks("b"))
        self.assertEqual(encodingOf(self.store.db(0).get(b"z")), b"skiplist")

    def test_listNosortDescending(self):
        """
        BY without C{*} reads a list from its end for DESC, the LIMIT window
        counted from there.
        """
        self.call("RPUSH", "l", "a", "b", "c", "d")
        self.assertEqual(self.call("SORT", "l", "BY", "k", "DESC", "LIMIT", "1", "2"), bulks("c", "b"))

    def test_limitClamps(self):
        """
        LIMIT's offset and count are clamped to the length: a negative
        offset is 0, a negative count is everything, an offset past the end
        is nothing, and huge values do not overflow.
        """
        self.call("RPUSH", "l", "3", "1", "2")
        self.assertEqual(self.call("SORT", "l", "LIMIT", "-1", "2"), bulks("1", "2"))
        self.assertEqual(self.call("SORT", "l", "LIMIT", "1", "-7"), bulks("2", "3"))
        self.assertEqual(self.call("SORT", "l", "LIMIT", "3", "1"), bulks())
        self.assertEqual(
            self.call("SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"), bulks()
        )
        self.assertEqual(self.call("SORT", "l", "LIMIT", "x", "1"), b"-ERR value is not an integer or out of range\r\n")

    def test_errorsInOrder(self):
        """
        Options are parsed before the key's type is looked at; SORT_RO
        knows no STORE.
        """
        self.call("SET", "s", "x")
        self.assertEqual(self.call("SORT", "s", "bogus"), b"-ERR syntax error\r\n")
        self.assertEqual(
            self.call("SORT", "s"), b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        )
        self.assertEqual(self.call("SORT_RO", "l", "STORE", "d"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("SORT", "missing"), bulks())


class PatternTests(SortTestCase):
    def test_byAndGet(self):
        """
        BY weighs by keys and hash fields (missing ones weigh 0); GET gives
        the element (C{#}), a key or a field, null for what is missing.
        """
        self.call("SADD", "s", "1", "2", "3")
        self.call("MSET", "w_1", "3", "w_2", "1", "v_1", "one")
        self.call("HSET", "h_3", "f", "-1", "name", "three")
        self.assertEqual(self.call("SORT", "s", "BY", "w_*"), bulks("3", "2", "1"))
        self.assertEqual(self.call("SORT", "s", "BY", "h_*->f", "GET", "#", "GET", "h_*->name"),
                         bulks("3", "three", "1", None, "2", None))
        self.assertEqual(self.call("SORT", "s", "GET", "v_*"), bulks("one", None, None))

    def test_lookupByPattern(self):
        """
        The first C{*} takes the element; C{->} after it names a hash field
        unless nothing follows; a pattern without C{*}, or whose C{*} comes
        after a NUL, names nothing; keys of other types give nothing.
        """
        db = self.store.db(0)
        self.call("SET", "k_x", "v")
        self.call("SET", "k_x->", "arrow")
        self.call("HSET", "h_x", "f", "fv")
        self.call("RPUSH", "l_x", "a")
        self.assertEqual(lookupByPattern(db, b"k_*", b"x"), b"v")
        self.assertEqual(lookupByPattern(db, b"k_*->", b"x"), b"arrow")
        self.assertEqual(lookupByPattern(db, b"h_*->f", b"x"), b"fv")
        self.assertIsNone(lookupByPattern(db, b"h_*->g", b"x"))
        self.assertIsNone(lookupByPattern(db, b"k_*->f", b"x"))
        self.assertIsNone(lookupByPattern(db, b"l_*", b"x"))
        self.assertIsNone(lookupByPattern(db, b"k_x", b"x"))
        self.assertIsNone(lookupByPattern(db, b"k\x00*", b"x"))
        self.assertEqual(lookupByPattern(db, b"#", b"x"), b"x")
        self.assertEqual(lookupByPattern(db, b"#\x00junk", b"x"), b"x")

    def test_aclFullKeyAccess(self):
        """
        A user without read access to every key may sort but not use BY
        with a pattern or GET.
        """
        self.call("ACL", "SETUSER", "u", "on", "nopass", "+@all", "~l")
        self.call("RPUSH", "l", "2", "1")
        self.call("AUTH", "u", "x")
        self.assertEqual(self.call("SORT", "l", "BY", "k"), bulks("2", "1"))
        self.assertEqual(
            self.call("SORT", "l", "BY", "w_*"),
            b"-ERR BY option of SORT denied due to insufficient ACL permissions.\r\n",
        )
        self.assertEqual(
            self.call("SORT", "l", "GET", "#"),
            b"-ERR GET option of SORT denied due to insufficient ACL permissions.\r\n",
        )


class StoreTests(SortTestCase):
    def test_store(self):
        """
        STORE replaces the destination with a list (its expiry gone),
        notifies C{sortstore}, counts a change per element and propagates
        the command as it came.
        """
        self.call("RPUSH", "l", "2", "1")
        self.call("SET", "d", "x", "EX", "100")
        del self.propagated[:]
        dirty = self.store.dirty
        self.assertEqual(self.call("SORT", "l", "STORE", "d"), b":2\r\n")
        self.assertEqual(self.call("LRANGE", "d", "0", "-1"), bulks("1", "2"))
        self.assertEqual(self.call("TTL", "d"), b":-1\r\n")
        self.assertEqual(self.store.dirty - dirty, 2)
        self.assertIn(("l", b"sortstore", b"d"), self.events)
        self.assertEqual(self.propagated, [[b"SORT", b"l", b"STORE", b"d"]])

    def test_emptyResultDeletes(self):
        """
        An empty result deletes the destination (a C{del} event); with no
        destination nothing changes and nothing propagates.
        """
        self.call("SET", "d", "x")
        del self.propagated[:]
        self.assertEqual(self.call("SORT", "missing", "STORE", "d"), b":0\r\n")
        self.assertEqual(self.call("EXISTS", "d"), b":0\r\n")
        self.assertIn(("g", b"del", b"d"), self.events)
        self.assertEqual(self.call("SORT", "missing", "STORE", "d"), b":0\r\n")
        self.assertEqual(self.propagated, [[b"SORT", b"missing", b"STORE", b"d"]])

    def test_readingDoesNotPropagate(self):
        """
        SORT without STORE changes nothing and is not propagated.
        """
        self.call("ZADD", "z", "1", "a")
        del self.propagated[:]
        self.call("SORT", "z", "ALPHA")
        self.assertEqual(self.propagated, [])

    def test_getFillsEmptyStrings(self):
        """
        Stored GET results that are missing become empty strings.
        """
        self.call("RPUSH", "l", "1")
        self.assertEqual(self.call("SORT", "l", "GET", "#", "GET", "nope_*", "STORE", "d"), b":2\r\n")
        self.assertEqual(self.call("LRANGE", "d", "0", "-1"), bulks("1", ""))

    def test_setNosortStoredSorted(self):
        """
        A set stored with BY nosort is sorted as ALPHA, so that replicas
        store the same list.
        """
        self.call("SADD", "s", "b", "c", "a")
        self.call("SORT", "s", "BY", "nosort", "DESC", "STORE", "d")
        self.assertEqual(self.call("LRANGE", "d", "0", "-1"), bulks("c", "b", "a"))

    def test_wakesBlockedClient(self):
        """
        A client blocked on the destination gets the stored list's head.
        """
        self.call("RPUSH", "l", "2", "1")
        other = Connection(self.server)
        self.assertEqual(other.call("BLPOP", "d", "0"), b"")
        self.call("SORT", "l", "STORE", "d")
        self.assertEqual(other.transport.value(), bulks("d", "1"))

    def test_watch(self):
        """
        Storing into a watched key fails the watcher's transaction.
        """
        other = Connection(self.server)
        other.call("WATCH", "d")
        self.call("RPUSH", "l", "1")
        self.call("SORT", "l", "STORE", "d")
        other.call("MULTI")
        other.call("PING")
        self.assertEqual(other.call("EXEC"), b"*-1\r\n")


class KeysTests(SynchronousTestCase):
    def test_sortKeys(self):
        """
        The keys are the sorted key and the last STORE's, found as Redis's
        sortGetKeys skips LIMIT's, BY's and GET's arguments (and looks at
        the word after STORE as an option).
        """
        def keys(*argv):
            return _sortKeys([a.encode() for a in argv])

        self.assertEqual(keys("SORT", "k"), [1])
        self.assertEqual(keys("SORT", "k", "STORE", "d"), [1, 3])
        self.assertEqual(keys("SORT", "k", "STORE", "d", "STORE", "e"), [1, 5])
        self.assertEqual(keys("SORT", "k", "GET", "store", "x"), [1])
        self.assertEqual(keys("SORT", "k", "LIMIT", "store", "x", "store", "y"), [1, 6])
        self.assertEqual(keys("SORT", "k", "STORE", "limit", "1", "2"), [1, 3])
        self.assertEqual(keys("SORT", "k", "STORE"), [1])


class ScoreTests(SynchronousTestCase):
    def test_accepted(self):
        """
        C{strtod}'s forms: white space before, hex, infinities, partial
        decimals; the empty string is 0 and a NUL ends the number.
        """
        cases = {
            b" 3": 3.0, b"\t-2": -2.0, b"0x10": 16.0, b"0x1.8p1": 3.0, b"inf": math.inf,
            b"-Infinity": -math.inf, b"5.": 5.0, b".5": 0.5, b"+7": 7.0, b"": 0.0,
            b"\x00": 0.0, b"12\x00ab": 12.0, b"1e3": 1000.0, b"0x1p-1074": 5e-324, b"0e-999": 0.0,
        }
        for text, value in cases.items():
            self.assertEqual(sortScore(text), value, text)

    def test_refused(self):
        """
        Trailing text, NaN, white space only or after, overflow and inexact
        underflow (glibc's ERANGE) are refused.
        """
        for text in [b"nan", b"-nan(1)", b"1 ", b" ", b"0x", b"1e", b"1_0", b"abc", b"-", b"1e400",
                     b"-1e400", b"0x1p2000", b"1e-400", b"1e-310", b"2.225073858507201e-308"]:
            self.assertIsNone(sortScore(text), text)
