"""
Tests for L{txredisd.sampling}.
"""

from twisted.trial.unittest import SynchronousTestCase

from txredisd.commands.hashes import Hash
from txredisd.commands.sets import Set
from txredisd.sampling import SMALL, invalidate, randomDistinctMembers, randomMember, randomMembers


def bigSet(size=SMALL * 4):
    return Set(b"m%d" % (i,) for i in range(size))


class RandomMemberTests(SynchronousTestCase):
    def test_everyMemberReachable(self):
        """
        Over many picks every member of a large set comes up.
        """
        value = bigSet()
        seen = {randomMember(value) for _ in range(30000)}
        self.assertEqual(seen, value)

    def test_removedNeverPicked(self):
        """
        Members removed after the member list was built are never picked,
        and every remaining one still is.
        """
        value = bigSet()
        randomMember(value)
        self.assertIsNotNone(value.randomCache)
        survivors = set(list(value)[: SMALL + 50])
        value.intersection_update(survivors)
        seen = {randomMember(value) for _ in range(20000)}
        self.assertEqual(seen, survivors)
        self.assertLessEqual(len(value.randomCache), 2 * len(value) + 1)

    def test_addedAfterInvalidate(self):
        """
        A member added (and the list invalidated, as the commands do) can
        be picked.
        """
        value = bigSet()
        randomMember(value)
        value.add(b"new")
        invalidate(value)
        self.assertIn(b"new", {randomMember(value) for _ in range(30000)})

    def test_hashFields(self):
        """
        For a hash the picks are its fields.
        """
        value = Hash()
        value.update((b"f%d" % (i,), b"v") for i in range(SMALL * 2))
        self.assertIn(randomMember(value), value)

    def test_small(self):
        """
        Small collections are walked and keep no list.
        """
        value = Set([b"a", b"b"])
        self.assertIn(randomMember(value), value)
        self.assertIsNone(value.randomCache)


class SampleTests(SynchronousTestCase):
    def test_distinct(self):
        """
        A distinct sample of a large set has the count asked, no repeats,
        only members.
        """
        value = bigSet()
        for count in (1, 10, 300, len(value) - 1):
            sample = randomDistinctMembers(value, count)
            self.assertEqual(len(sample), count)
            self.assertEqual(len(set(sample)), count)
            self.assertTrue(set(sample) <= value)

    def test_repeats(self):
        """
        Independent picks have the count asked and are all members.
        """
        value = bigSet()
        for count in (1, 5, 5000):
            picks = randomMembers(value, count)
            self.assertEqual(len(picks), count)
            self.assertTrue(set(picks) <= value)
