"""
Tests for L{txredisd.commands.sets}.
"""

import hiredis
from twisted.trial.unittest import SynchronousTestCase

from txredisd.commands import sets
from txredisd.commands.sets import Set
from txredisd.registry import COMMANDS
from txredisd.store import typeName
from tests.commands.recording import RecordingMixin


def parse(raw):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


class BasicTests(RecordingMixin, SynchronousTestCase):
    def test_saddCreatesSet(self):
        """
        SADD creates a set of type C{set} and counts only new members.
        """
        self.assertEqual(self.conn.call("SADD", "s", "a", "b", "a"), b":2\r\n")
        self.assertEqual(self.conn.call("SADD", "s", "b", "c"), b":1\r\n")
        self.assertIsInstance(self.value(b"s"), Set)
        self.assertEqual(typeName(self.value(b"s")), b"set")
        self.assertEqual(self.value(b"s"), {b"a", b"b", b"c"})

    def test_intsetSorted(self):
        """
        SMEMBERS lists an intset in ascending numeric order.
        """
        self.conn.call("SADD", "s", "10", "-3", "2", "100")
        self.assertEqual(
            self.conn.call("SMEMBERS", "s"),
            b"*4\r\n$2\r\n-3\r\n$1\r\n2\r\n$2\r\n10\r\n$3\r\n100\r\n",
        )

    def test_resp3Types(self):
        """
        Over RESP3 SMEMBERS, SINTER, SUNION and SDIFF answer sets,
        SMISMEMBER an array.
        """
        self.conn.call("HELLO", "3")
        self.conn.call("SADD", "s", "1", "2")
        for command in (["SMEMBERS", "s"], ["SINTER", "s"], ["SUNION", "s"], ["SDIFF", "s"]):
            self.assertEqual(self.conn.call(*command), b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        self.assertEqual(self.conn.call("SMEMBERS", "nope"), b"~0\r\n")
        self.assertEqual(self.conn.call("SMISMEMBER", "s", "1", "3"), b"*2\r\n:1\r\n:0\r\n")

    def test_sremLastMemberDeletesKey(self):
        """
        Removing the last member deletes the key, notifying C{srem} then
        C{del}.
        """
        self.conn.call("SADD", "s", "a")
        del self.events[:]
        self.assertEqual(self.conn.call("SREM", "s", "a", "b"), b":1\r\n")
        self.assertNotIn(b"s", self.conn.server.store.db(0).data)
        self.assertEqual(self.events, [("s", b"srem", b"s"), ("g", b"del", b"s")])

    def test_saddExistingIsNoChange(self):
        """
        SADD of members already there notifies and propagates nothing.
        """
        self.conn.call("SADD", "s", "a")
        del self.events[:], self.propagated[:]
        self.assertEqual(self.conn.call("SADD", "s", "a"), b":0\r\n")
        self.assertEqual(self.events, [])
        self.assertEqual(self.propagated, [])

    def test_smove(self):
        """
        SMOVE moves a member, deleting an emptied source and creating the
        destination, with C{srem}, C{del} and C{sadd} notifications.
        """
        self.conn.call("SADD", "src", "x")
        del self.events[:]
        self.assertEqual(self.conn.call("SMOVE", "src", "dst", "x"), b":1\r\n")
        self.assertEqual(self.value(b"dst"), {b"x"})
        self.assertNotIn(b"src", self.conn.server.store.db(0).data)
        self.assertEqual(
            self.events,
            [("s", b"srem", b"src"), ("g", b"del", b"src"), ("s", b"sadd", b"dst")],
        )

    def test_smoveWrongDestination(self):
        """
        SMOVE to a key of another type answers WRONGTYPE and moves nothing.
        """
        self.conn.call("SADD", "src", "x")
        self.conn.call("SET", "dst", "v")
        self.assertTrue(self.conn.call("SMOVE", "src", "dst", "x").startswith(b"-WRONGTYPE"))
        self.assertEqual(self.value(b"src"), {b"x"})

    def test_storeNotifications(self):
        """
        The STORE variants notify their event on the destination, or C{del}
        when an empty result removes it.
        """
        self.conn.call("SADD", "a", "1", "2")
        self.conn.call("SADD", "b", "2", "3")
        del self.events[:]
        self.assertEqual(self.conn.call("SINTERSTORE", "d", "a", "b"), b":1\r\n")
        self.assertEqual(self.conn.call("SUNIONSTORE", "d", "a", "b"), b":3\r\n")
        self.assertEqual(self.conn.call("SDIFFSTORE", "d", "a", "b"), b":1\r\n")
        self.assertEqual(self.conn.call("SDIFFSTORE", "d", "a", "a"), b":0\r\n")
        self.assertEqual(
            self.events,
            [
                ("s", b"sinterstore", b"d"),
                ("s", b"sunionstore", b"d"),
                ("s", b"sdiffstore", b"d"),
                ("g", b"del", b"d"),
            ],
        )

    def test_sintercardKeys(self):
        """
        SINTERCARD's keys are the C{numkeys} arguments after it.
        """
        spec = COMMANDS[b"sintercard"]
        self.assertEqual(spec.keys([b"SINTERCARD", b"2", b"a", b"b", b"LIMIT", b"1"]), [b"a", b"b"])
        self.assertEqual(spec.keys([b"SINTERCARD", b"3", b"a"]), [])

    def test_sintercardLimit(self):
        """
        SINTERCARD stops counting at LIMIT.
        """
        self.conn.call("SADD", "a", *range(100))
        self.conn.call("SADD", "b", *range(50, 150))
        self.assertEqual(self.conn.call("SINTERCARD", "2", "a", "b"), b":50\r\n")
        self.assertEqual(self.conn.call("SINTERCARD", "2", "a", "b", "LIMIT", "7"), b":7\r\n")


class EncodingTests(RecordingMixin, SynchronousTestCase):
    def test_integersAreIntset(self):
        """
        A set of canonical integers reports C{intset}.
        """
        self.conn.call("SADD", "s", "1", "-9223372036854775808")
        self.assertEqual(self.encoding(b"s"), b"intset")

    def test_nonCanonicalIsHashtable(self):
        """
        Members that are not C{string2ll}-canonical integers make a hash
        table.
        """
        for member in ("007", "-0", "+1", "9223372036854775808", "1.0", "a"):
            self.conn.call("SADD", member, member)
            self.assertEqual(self.encoding(member.encode()), b"hashtable", member)

    def test_neverConvertsBack(self):
        """
        A set converted to a hash table stays one after the string member
        goes, and after shrinking below C{set-max-intset-entries}.
        """
        self.conn.server.config.set("set-max-intset-entries", b"3")
        self.conn.call("SADD", "s", "1", "2", "3")
        self.assertEqual(self.encoding(b"s"), b"intset")
        self.conn.call("SADD", "s", "4")
        self.assertEqual(self.encoding(b"s"), b"hashtable")
        self.conn.call("SREM", "s", "4", "3")
        self.assertEqual(self.encoding(b"s"), b"hashtable")
        self.conn.call("SADD", "t", "1", "x")
        self.conn.call("SREM", "t", "x")
        self.assertEqual(self.encoding(b"t"), b"hashtable")

    def test_storedResultEncoding(self):
        """
        STORE results are encoded by their contents: integers make an
        intset even when a source is a hash table.
        """
        self.conn.call("SADD", "a", "1", "2", "x")
        self.conn.call("SADD", "b", "1", "2")
        self.conn.call("SINTERSTORE", "d", "a", "b")
        self.assertEqual(self.encoding(b"d"), b"intset")
        self.conn.call("SUNIONSTORE", "d", "a", "b")
        self.assertEqual(self.encoding(b"d"), b"hashtable")

    def test_spopRebuildsSurvivors(self):
        """
        An SPOP taking most of a set keeps the survivors as a new set,
        encoded afresh as Redis does (so it can be an intset again).
        """
        self.conn.call("SADD", "s", "x", *range(10))
        self.assertEqual(self.encoding(b"s"), b"hashtable")
        # Let the integers survive.
        self.patch(sets, "randomDistinctMembers", lambda value, k: [m for m in value if m != b"x"][:k])
        self.conn.call("SPOP", "s", "10")
        self.assertEqual(len(self.value(b"s")), 1)
        self.assertEqual(self.encoding(b"s"), b"intset")

    def test_copyKeepsEncoding(self):
        """
        COPY keeps a hash-table set a hash table (Redis's setTypeDup), so
        the copy's replies walk it as one.
        """
        self.conn.call("SADD", "s", "\x00")
        self.assertEqual(self.conn.call("COPY", "s", "t"), b":1\r\n")
        self.assertEqual(self.encoding(b"t"), b"hashtable")
        self.assertEqual(self.conn.call("SRANDMEMBER", "t", "6"), b"*1\r\n$1\r\n\x00\r\n")
        self.conn.call("SADD", "i", "2", "1")
        self.conn.call("COPY", "i", "j")
        self.assertEqual(self.encoding(b"j"), b"intset")


class PopTests(RecordingMixin, SynchronousTestCase):
    def test_spopPropagatesSrem(self):
        """
        SPOP is propagated as an SREM of the member it chose.
        """
        self.conn.call("SADD", "s", "a", "b")
        del self.propagated[:]
        member = parse(self.conn.call("SPOP", "s"))
        self.assertEqual(self.propagated, [[b"SREM", b"s", member]])

    def test_spopCountPropagatesSrems(self):
        """
        SPOP with a count is propagated as one SREM per popped member inside
        MULTI/EXEC (as Redis 7.0's AOF shows), for both of Redis's
        strategies.
        """
        for count in ("2", "9"):
            self.conn.call("SADD", "s", *range(10))
            del self.propagated[:]
            popped = parse(self.conn.call("SPOP", "s", count))
            self.assertEqual(
                self.propagated, [[b"MULTI"]] + [[b"SREM", b"s", m] for m in popped] + [[b"EXEC"]]
            )
            self.assertEqual(len(self.value(b"s")), 10 - int(count))
            self.assertFalse(self.value(b"s") & set(popped))
            self.conn.call("DEL", "s")

    def test_spopEverything(self):
        """
        SPOP of at least the whole set answers it all, deletes the key and
        is propagated as a DEL, notifying C{spop} then C{del}.
        """
        self.conn.call("SADD", "s", "3", "1", "2")
        del self.propagated[:], self.events[:]
        self.assertEqual(self.conn.call("SPOP", "s", "5"), b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n")
        self.assertEqual(self.propagated, [[b"DEL", b"s"]])
        self.assertEqual(self.events, [("s", b"spop", b"s"), ("g", b"del", b"s")])

    def test_spopLastDeletes(self):
        """
        SPOP of the last member deletes the key.
        """
        self.conn.call("SADD", "s", "a")
        del self.events[:]
        self.assertEqual(self.conn.call("SPOP", "s"), b"$1\r\na\r\n")
        self.assertEqual(self.events, [("s", b"spop", b"s"), ("g", b"del", b"s")])
        self.assertNotIn(b"s", self.conn.server.store.db(0).data)

    def test_srandmemberDistinct(self):
        """
        SRANDMEMBER with a positive count under the size gives distinct
        members; a negative count that many, repeats allowed.
        """
        self.conn.call("SADD", "s", *range(5))
        for _ in range(20):
            members = parse(self.conn.call("SRANDMEMBER", "s", "4"))
            self.assertEqual(len(set(members)), 4)
        self.assertEqual(len(parse(self.conn.call("SRANDMEMBER", "s", "-40"))), 40)


class ScanTests(RecordingMixin, SynchronousTestCase):
    def test_intsetWhole(self):
        """
        An intset comes back whole and sorted with cursor 0.
        """
        self.conn.call("SADD", "s", "3", "1", "20", "2")
        self.assertEqual(
            self.conn.call("SSCAN", "s", "5", "MATCH", "2*"),
            b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\n2\r\n$2\r\n20\r\n",
        )

    def test_hashTableCursor(self):
        """
        A hash table is scanned COUNT members at a time until cursor 0,
        returning each member once.
        """
        members = [b"m%d" % (i,) for i in range(95)]
        self.conn.call("SADD", "s", *members)
        cursor, seen = b"0", []
        while True:
            cursor, batch = parse(self.conn.call("SSCAN", "s", cursor, "COUNT", "10"))
            seen += batch
            if cursor == b"0":
                break
        self.assertEqual(sorted(seen), sorted(members))
        self.assertFalse(self.value(b"s").scanSnapshots)


class LoadTests(SynchronousTestCase):
    def test_fromPlainEncoding(self):
        """
        A set loaded from a dump is an intset only if all its members are
        integers and there are at most 512 of them.
        """
        self.assertFalse(Set.fromPlain([b"1", b"2"]).hashtable)
        self.assertTrue(Set.fromPlain([b"1", b"x"]).hashtable)
        self.assertTrue(Set.fromPlain([b"%d" % (i,) for i in range(513)]).hashtable)
        self.assertEqual(Set.fromPlain([b"1", b"2"]), {b"1", b"2"})
