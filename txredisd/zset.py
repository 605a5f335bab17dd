"""
The sorted set value: members ordered by score, ties by member bytes, as
Redis's skiplist and listpack keep them.

A L{sortedcontainers.SortedList} of C{(score, member)} gives order and
ranks; a L{dict} of member to score answers ZSCORE in constant time.
"""

from sortedcontainers import SortedList

from txredisd import store


class _Above:
    """
    Sorts after every member, so C{(score, ABOVE)} sits after all entries
    with that score.
    """

    __slots__ = ()

    def __lt__(self, other):
        return False

    def __le__(self, other):
        return other is self

    def __gt__(self, other):
        return other is not self

    def __ge__(self, other):
        return True

    def __eq__(self, other):
        return other is self

    __hash__ = object.__hash__


_ABOVE = _Above()

#: Lex range bounds beyond every member (Redis's shared.minstring/maxstring).
LEX_MIN = object()
LEX_MAX = object()


class _Range:
    """
    An interval with bounds that may each be exclusive.
    """

    __slots__ = ("min", "minex", "max", "maxex")

    def __init__(self, min, minex, max, maxex):
        self.min = min
        self.minex = minex
        self.max = max
        self.maxex = maxex


class ScoreRange(_Range):
    """
    A score interval as Redis's C{zrangespec}.
    """

    __slots__ = ()

    def gteMin(self, score):
        return score > self.min if self.minex else score >= self.min

    def lteMax(self, score):
        return score < self.max if self.maxex else score <= self.max


class LexRange(_Range):
    """
    A member interval as Redis's C{zlexrangespec}; bounds are L{bytes},
    L{LEX_MIN} or L{LEX_MAX}.
    """

    __slots__ = ()

    def gteMin(self, member):
        bound = self.min
        if bound is LEX_MIN:
            return True
        if bound is LEX_MAX:
            return False
        return member > bound if self.minex else member >= bound

    def lteMax(self, member):
        bound = self.max
        if bound is LEX_MAX:
            return True
        if bound is LEX_MIN:
            return False
        return member < bound if self.maxex else member <= bound

    def isEmpty(self):
        """
        Redis's C{sdscmplex} test for ranges that can hold nothing.
        """
        order = _lexCompare(self.min, self.max)
        return order > 0 or (order == 0 and (self.minex or self.maxex))


def _lexCompare(a, b):
    if a is b:
        return 0
    if a is LEX_MIN or b is LEX_MAX:
        return -1
    if a is LEX_MAX or b is LEX_MIN:
        return 1
    return (a > b) - (a < b)


class ZSet:
    """
    A sorted set.

    @ivar scores: member (L{bytes}) to score (L{float}).
    @ivar entries: L{SortedList} of C{(score, member)}.
    @ivar listpack: L{True} while Redis would keep the set as a listpack;
        once it outgrows the limits it stays a skiplist, as in Redis.
    """

    __slots__ = ("scores", "entries", "listpack")

    def __init__(self, pairs=()):
        self.scores = {}
        self.entries = SortedList()
        self.listpack = True
        for member, score in pairs:
            self.add(member, score)

    def __len__(self):
        return len(self.scores)

    def __contains__(self, member):
        return member in self.scores

    def __iter__(self):
        """
        The C{(score, member)} pairs in order.
        """
        return iter(self.entries)

    def __repr__(self):
        return "<ZSet %r>" % (list(self.entries),)

    def copy(self):
        """
        An independent copy (COPY, and snapshots taken while a save runs):
        the sorted list and the dict are copied in C, not rebuilt.
        """
        other = ZSet.__new__(ZSet)
        other.scores = dict(self.scores)
        other.entries = self.entries.copy()
        other.listpack = self.listpack
        return other

    def toPlain(self):
        """
        @return: the C{(member, score)} pairs the RDB codec takes.
        """
        return [(member, score) for score, member in self.entries]

    @classmethod
    def fromPlain(cls, pairs, maxEntries=128, maxValue=64):
        """
        A sorted set loaded from C{(member, score)} pairs, with the encoding
        Redis's C{rdbLoad} gives it (defaults: Redis's default limits).
        """
        zset = cls(pairs)
        zset.fitEncoding(maxEntries, maxValue, max((len(m) for m in zset.scores), default=0))
        return zset

    @classmethod
    def fromDump(cls, pairs, config, packed):
        """
        A sorted set read from a DUMP payload, encoded as Redis's
        C{rdbLoadObject} encodes it: a listpack stays one unless it has too
        many members; pairs become a listpack when few and short enough.
        """
        zset = cls()
        zset.listpack = len(pairs) <= config["zset-max-listpack-entries"] and (
            packed or max(len(member) for member, score in pairs) <= config["zset-max-listpack-value"]
        )
        for member, score in pairs:
            zset.add(member, score)
        return zset

    def score(self, member):
        """
        @return: the member's score, or L{None}.
        """
        return self.scores.get(member)

    def add(self, member, score):
        """
        Insert C{member} or move it to C{score}.

        @return: L{True} if the member is new.
        """
        if score == 0.0 and self.listpack:
            # A listpack stores integral scores as integers: -0 becomes 0.
            score = 0.0
        old = self.scores.get(member)
        if old is not None:
            if old == score:
                return False
            self.entries.remove((old, member))
        self.scores[member] = score
        self.entries.add((score, member))
        return old is None

    def remove(self, member):
        """
        @return: L{True} if C{member} was there.
        """
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.entries.remove((score, member))
        return True

    def removeRange(self, start, stop):
        """
        Remove the entries with ranks C{start <= rank < stop}.

        @return: the number removed.
        """
        if start >= stop:
            return 0
        entries = self.entries
        for score, member in entries[start:stop]:
            del self.scores[member]
        del entries[start:stop]
        return stop - start

    def rank(self, member):
        """
        @return: the 0-based rank of C{member} by ascending score, or
            L{None}.
        """
        score = self.scores.get(member)
        if score is None:
            return None
        return self.entries.index((score, member))

    def fitEncoding(self, maxEntries, maxValue, longest=0):
        """
        Turn into a skiplist if the set outgrew the listpack limits
        (C{zset-max-listpack-entries}, C{zset-max-listpack-value}).

        @param longest: the length of the longest member just added.
        """
        if self.listpack and (len(self.scores) > maxEntries or longest > maxValue):
            self.listpack = False

    # Score ranges: the entries are ordered by score, so bisection finds
    # the bounds exactly.

    def scoreBounds(self, spec):
        """
        @return: C{(start, stop)} ranks of the entries within C{spec}.
        """
        entries = self.entries
        if spec.minex:
            start = entries.bisect_left((spec.min, _ABOVE))
        else:
            start = entries.bisect_left((spec.min, b""))
        if spec.maxex:
            stop = entries.bisect_left((spec.max, b""))
        else:
            stop = entries.bisect_left((spec.max, _ABOVE))
        return start, max(start, stop)

    # Lex ranges.  Redis compares members only, walking the set in score
    # order, so on a set of one score (the documented use) the members are
    # sorted and bisection finds a range's ends.  On a set of mixed scores
    # (documented as unspecified) the answer is what Redis's walks give:
    #
    #  - listpack: zzlFirstInLexRange scans forward from the head,
    #    zzlLastInLexRange backward from the tail;
    #  - skiplist: zslFirstInLexRange, zslLastInLexRange and
    #    zslDeleteRangeByLex descend from the top level, so where they stop
    #    depends on the nodes' random levels whenever the members on either
    #    side of a bound are not each in one run.  Redis seeds random()
    #    from the clock and its pid, so that cannot be reproduced: these
    #    model a skiplist whose nodes all have level 1, a state Redis can
    #    be in (its likeliest one for small sets), where every descent is a
    #    forward scan from the head.  Where Redis's answer does not depend
    #    on the levels, that is its answer.

    def uniform(self):
        """
        @return: L{True} if every member has the same score.
        """
        entries = self.entries
        return not entries or entries[0][0] == entries[-1][0]

    def lexSpan(self, spec):
        """
        The ranks of the members within C{spec} of a set with one score
        (L{uniform}), found by bisection: every lex command of either
        encoding selects exactly these on such a set.

        @return: C{(start, stop)}, empty when C{start == stop}.
        """
        entries = self.entries
        if not entries:
            return 0, 0
        score = entries[0][0]
        bound = spec.min
        if bound is LEX_MIN:
            start = 0
        elif bound is LEX_MAX:
            start = len(entries)
        elif spec.minex:
            start = entries.bisect_right((score, bound))
        else:
            start = entries.bisect_left((score, bound))
        bound = spec.max
        if bound is LEX_MAX:
            stop = len(entries)
        elif bound is LEX_MIN:
            stop = 0
        elif spec.maxex:
            stop = entries.bisect_left((score, bound))
        else:
            stop = entries.bisect_right((score, bound))
        return start, max(start, stop)

    def _inLexRange(self, spec):
        # zzlIsInLexRange / zslIsInLexRange: the tail must reach the
        # minimum and the head the maximum.
        entries = self.entries
        if not entries or spec.isEmpty():
            return False
        return spec.gteMin(entries[-1][1]) and spec.lteMax(entries[0][1])

    def _scanForward(self, predicate, start=0):
        """
        @return: the rank of the first member from C{start} on that
            satisfies C{predicate}, or the set's length.
        """
        index = start
        for score, member in self.entries.islice(start):
            if predicate(member):
                return index
            index += 1
        return index

    def _scanBackward(self, predicate):
        """
        @return: the rank of the last member that satisfies C{predicate},
            or -1.
        """
        index = len(self.entries)
        for score, member in reversed(self.entries):
            index -= 1
            if predicate(member):
                return index
        return -1

    def firstInLex(self, spec):
        """
        The starting point of a forward lex walk (C{zzlFirstInLexRange};
        C{zslFirstInLexRange} with all levels 1 is the same scan).

        @return: a rank, or L{None}.
        """
        if not self._inLexRange(spec):
            return None
        if self.uniform():
            start, stop = self.lexSpan(spec)
            return start if start < stop else None
        # The tail reaches the minimum, so some member does.
        index = self._scanForward(spec.gteMin)
        return index if spec.lteMax(self.entries[index][1]) else None

    def lastInLex(self, spec):
        """
        The starting point of a backward lex walk: C{zzlLastInLexRange}
        scans back from the tail for a member below the maximum,
        C{zslLastInLexRange} (all levels 1) goes forward from the head
        while members are below it.

        @return: a rank, or L{None}.
        """
        if not self._inLexRange(spec):
            return None
        if self.uniform():
            start, stop = self.lexSpan(spec)
            return stop - 1 if start < stop else None
        # The head is below the maximum, so both find a member.
        if self.listpack:
            index = self._scanBackward(spec.lteMax)
        else:
            index = self._scanForward(lambda member: not spec.lteMax(member)) - 1
        return index if spec.gteMin(self.entries[index][1]) else None

    def _runFrom(self, start, predicate):
        """
        @return: the rank after the run of members from C{start} on that
            satisfy C{predicate}.
        """
        return self._scanForward(lambda member: not predicate(member), start)

    def lexCount(self, spec):
        """
        ZLEXCOUNT: a listpack counts its forward walk from the first
        member in range; a skiplist subtracts the ranks of the first and
        last members in range (C{zlexcountCommand}).
        """
        if self.uniform():
            start, stop = self.lexSpan(spec)
            return stop - start
        first = self.firstInLex(spec)
        if first is None:
            return 0
        if self.listpack:
            return self._runFrom(first, spec.lteMax) - first
        last = self.lastInLex(spec)
        if last is None:
            return len(self.entries) - first
        return last - first + 1

    def lexRemoveBounds(self, spec):
        """
        ZREMRANGEBYLEX: the run from the first member in range while
        members stay below the maximum.  A skiplist's
        C{zslDeleteRangeByLex} skips C{zslIsInLexRange}'s test of the
        head and the tail that a listpack's C{zzlDeleteRangeByLex} makes.

        @return: C{(start, stop)} ranks to remove.
        """
        if self.uniform():
            return self.lexSpan(spec)
        if self.listpack:
            first = self.firstInLex(spec)
            if first is None:
                return 0, 0
        else:
            first = self._scanForward(spec.gteMin)
        return first, self._runFrom(first, spec.lteMax)


def _encoding(value):
    return b"listpack" if value.listpack else b"skiplist"


store.registerType(ZSet, b"zset", _encoding, copy=ZSet.copy)
