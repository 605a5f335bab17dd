"""
Random members of a collection (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER).

Redis picks a random hash-table bucket in constant time.  Python's set and
dict cannot be indexed, and walking to a random position of a large one
costs milliseconds (about 70 ms for a million-member set), so a large
collection keeps a list of its members, C{randomCache}, built on first use:
a random index into it is a uniform pick.  Additions drop the list (the
command that adds calls L{invalidate}); removals leave entries behind that
are no longer members, which a pick skips and drops, and the list is
rebuilt once it holds more than twice as many entries as the collection.
Every pick is thus uniform over the current members and costs constant
time, amortised.
"""

import random
from itertools import islice

#: Up to this size, walking the collection is cheaper than keeping a list.
SMALL = 256


def invalidate(collection):
    """
    Forget the list of members after new ones were added.
    """
    collection.randomCache = None


def _members(collection):
    cache = collection.randomCache
    if cache is None or len(cache) > 2 * len(collection):
        cache = collection.randomCache = list(collection)
    return cache


def randomMember(collection):
    """
    @param collection: a non-empty set or dict value with a C{randomCache}
        attribute.
    @return: a member (a key, for a dict) picked uniformly.
    """
    size = len(collection)
    if size <= SMALL:
        return next(islice(collection, random.randrange(size), None))
    cache = _members(collection)
    while True:
        index = random.randrange(len(cache))
        member = cache[index]
        if member in collection:
            return member
        # Removed since the list was built: drop the entry.
        cache[index] = cache[-1]
        cache.pop()


def randomMembers(collection, count):
    """
    Independent uniform picks, repeats allowed (negative counts).

    @return: a L{list} of C{count} members.
    """
    if count * 4 >= len(collection) or len(collection) <= SMALL:
        return random.choices(list(collection), k=count)
    return [randomMember(collection) for _ in range(count)]


def randomDistinctMembers(collection, count):
    """
    A uniform sample of distinct members, C{count} below the size.

    @return: a L{list} of C{count} members, in random order.
    """
    if count * 4 >= len(collection) or len(collection) <= SMALL:
        return random.sample(list(collection), count)
    chosen = []
    seen = set()
    while len(chosen) < count:
        member = randomMember(collection)
        if member not in seen:
            seen.add(member)
            chosen.append(member)
    return chosen
