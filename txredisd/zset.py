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

    # Lex ranges: Redis walks the set in order comparing members only, so
    # for sets whose scores differ the answer is what its listpack walk
    # gives (Redis leaves that case unspecified).

    def uniform(self):
        """
        @return: L{True} if every member has the same score.
        """
        entries = self.entries
        return not entries or entries[0][0] == entries[-1][0]

    def _inLexRange(self, spec):
        entries = self.entries
        if not entries or spec.isEmpty():
            return False
        return spec.gteMin(entries[-1][1]) and spec.lteMax(entries[0][1])

    def _firstWhere(self, predicate):
        """
        The rank of the first entry whose member satisfies C{predicate}
        (L{len} if none), walking forward as a listpack does; on a set
        with one score the members are sorted and bisection finds it.
        """
        entries = self.entries
        if not self.uniform():
            index = 0
            while index < len(entries) and not predicate(entries[index][1]):
                index += 1
            return index
        low, high = 0, len(entries)
        while low < high:
            middle = (low + high) // 2
            if predicate(entries[middle][1]):
                high = middle
            else:
                low = middle + 1
        return low

    def _lastWhere(self, predicate):
        """
        The rank of the last entry whose member satisfies C{predicate}
        (-1 if none), walking backward as a listpack does.
        """
        entries = self.entries
        if not self.uniform():
            index = len(entries) - 1
            while index >= 0 and not predicate(entries[index][1]):
                index -= 1
            return index
        return self._firstWhere(lambda member: not predicate(member)) - 1

    def firstInLex(self, spec):
        """
        @return: the rank of the first entry in C{spec}, or L{None}
            (C{zzlFirstInLexRange}).
        """
        if not self._inLexRange(spec):
            return None
        index = self._firstWhere(spec.gteMin)
        if index < len(self.entries) and spec.lteMax(self.entries[index][1]):
            return index
        return None

    def lastInLex(self, spec):
        """
        @return: the rank of the last entry in C{spec}, or L{None}
            (C{zzlLastInLexRange}).
        """
        if not self._inLexRange(spec):
            return None
        index = self._lastWhere(spec.lteMax)
        if index >= 0 and spec.gteMin(self.entries[index][1]):
            return index
        return None

    def lexBounds(self, spec):
        """
        @return: C{(start, stop)} ranks of the run of entries that Redis's
            forward walk from the first entry in C{spec} yields.
        """
        first = self.firstInLex(spec)
        if first is None:
            return 0, 0
        entries = self.entries
        if self.uniform():
            last = self.lastInLex(spec)
            return first, max(first, last + 1)
        stop = first
        while stop < len(entries) and spec.lteMax(entries[stop][1]):
            stop += 1
        return first, stop

    def lexBoundsReverse(self, spec):
        """
        @return: C{(start, stop)} ranks of the run of entries Redis's
            backward walk from the last entry in C{spec} yields.
        """
        last = self.lastInLex(spec)
        if last is None:
            return 0, 0
        if self.uniform():
            return self.firstInLex(spec), last + 1
        start = last
        entries = self.entries
        while start >= 0 and spec.gteMin(entries[start][1]):
            start -= 1
        return start + 1, last + 1


def _encoding(value):
    return b"listpack" if value.listpack else b"skiplist"


store.registerType(ZSet, b"zset", _encoding, copy=ZSet.copy)
