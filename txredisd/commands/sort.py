"""
SORT and SORT_RO: the elements of a list, set or sorted set, sorted as
numbers or (ALPHA) as strings, by themselves or by keys a pattern names
(BY), each replaced by keys other patterns name (GET), a LIMIT window of
them, returned or (SORT's STORE) stored as a list.

This follows Redis 7.0's C{sortCommandGeneric} step by step: the options
are parsed first (their errors in order), then the key is looked up, the
elements loaded (directly in their order, LIMIT applied, when nothing is
to be sorted), weighted, sorted, and written out.  Ties (equal ALPHA
weights, say) come out in Redis's order too: Python's sort is stable like
glibc's C{qsort} (a merge sort), and BY with a LIMIT uses L{partialSort},
Redis's partial quicksort.  ALPHA compares as C{strcoll} does in the C and
C.UTF-8 locales: bytes, up to a NUL.
"""

import math
import re
from fractions import Fraction
from functools import cmp_to_key

from txredisd import errors
from txredisd.commands.lists import List
from txredisd.commands.sets import Set, setMembers
from txredisd.errors import CommandError
from txredisd.introspection import arg, keySpec
from txredisd.numbers import parseInt
from txredisd.pqsort import partialSort
from txredisd.registry import command, lookup
from txredisd.store import typeName
from txredisd.zset import ZSet

_SORT_TYPES = (List, Set, ZSet)

_SORT_DOCS_ARGS = [
    arg("key", "key", keySpecIndex=0),
    arg("pattern", "pattern", keySpecIndex=1, token="BY", flags="optional"),
    arg(
        "offset_count",
        "block",
        token="LIMIT",
        flags="optional",
        args=[arg("offset", "integer"), arg("count", "integer")],
    ),
    arg("pattern", "pattern", keySpecIndex=1, token="GET", flags="optional multiple multiple_token"),
    arg(
        "order",
        "oneof",
        flags="optional",
        args=[arg("asc", "pure-token", token="ASC"), arg("desc", "pure-token", token="DESC")],
    ),
    arg("sorting", "pure-token", token="ALPHA", flags="optional"),
]
_COMPLEXITY = (
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
    "number of returned elements. When the elements are not sorted, complexity is O(N)."
)
_BY_GET_SPEC = keySpec(
    "RO access",
    notes="For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
    "from the content of the key we sort",
    unknown=True,
)
_STORE_SPEC = keySpec(
    "OW update",
    notes="For the optional STORE keyword. It is marked 'unknown' because the keyword can appear "
    "anywhere in the argument array",
    unknown=True,
)
_KW = dict(group="generic", aclCategories=("set", "sortedset", "list", "dangerous"))


def _sortKeys(argv):
    """
    Redis 7.0's C{sortGetKeys}: the sorted key, and the key of the last
    STORE, found by skipping LIMIT's two arguments and BY's and GET's one.
    The word after STORE is looked at as an option too, as Redis does.
    """
    keys = [1]
    store = None
    i = 2
    while i < len(argv):
        option = argv[i].lower()
        if option == b"limit":
            i += 2
        elif option in (b"get", b"by"):
            i += 1
        elif option == b"store" and i + 1 < len(argv):
            store = i + 1
        i += 1
    if store is not None:
        keys.append(store)
    return keys


def _cString(data):
    # What C's string functions see of an sds: up to its first NUL.
    return data.split(b"\0", 1)[0]


def lookupByPattern(db, pattern, subject):
    """
    Redis's C{lookupKeyByPattern}: C{#} is the element itself; otherwise
    the first C{*} is replaced by it and the key read, a string, or with
    C{->field} after the C{*} that field of a hash.

    @return: L{bytes}, or L{None} when there is nothing there (or no C{*}).
    """
    if _cString(pattern) == b"#":
        return subject
    star = _cString(pattern).find(b"*")
    if star < 0:
        return None
    arrow = _cString(pattern).find(b"->", star + 1)
    field = None
    end = len(pattern)
    if arrow >= 0 and arrow + 2 < len(pattern) and pattern[arrow + 2] != 0:
        field = pattern[arrow + 2 :]
        end = arrow
    key = pattern[:star] + subject + pattern[star + 1 : end]
    value = db.get(key)
    if value is None:
        return None
    if field is None:
        return value if type(value) is bytes else None
    if typeName(value) != b"hash":
        return None
    return value.get(field)


# strtod's grammar (after leading white space), case-insensitive words.
_STRTOD = re.compile(
    rb"[+-]?(?:(?i:infinity|inf|nan(?:\([0-9A-Za-z_]*\))?)"
    rb"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    rb"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
_SPACES = b" \t\n\v\f\r"
_DBL_MIN = 2.2250738585072014e-308


def sortScore(data):
    """
    A weight as SORT reads it: C{strtod} on the C string, which must take
    all of it (leading white space, hex, C{inf} are fine; nothing at all
    reads as 0) and give neither NaN nor a range error (overflow, or an
    inexact result below the normal range, as glibc reports it).

    @return: the L{float}, or L{None} when SORT refuses it.
    """
    text = _cString(data)
    stripped = text.lstrip(_SPACES)
    match = _STRTOD.match(stripped)
    if match is None:
        return 0.0 if not text else None
    if match.end() != len(stripped):
        return None
    number = stripped.decode("ascii")
    lowered = number.lower().lstrip("+-")
    negative = number.startswith("-")
    if lowered.startswith("nan"):
        return None
    if lowered.startswith("inf"):
        return -math.inf if negative else math.inf
    exact = _hexFraction(lowered) if lowered.startswith("0x") else Fraction(lowered)
    try:
        value = float(exact)
    except OverflowError:
        return None
    if abs(value) < _DBL_MIN and Fraction(value) != exact:
        return None
    return -value if negative else value


def _hexFraction(text):
    mantissa, _, exponent = text[2:].partition("p")
    whole, _, fraction = mantissa.partition(".")
    digits = int(whole + fraction or "0", 16)
    return Fraction(digits) * Fraction(2) ** (int(exponent or 0) - 4 * len(fraction))


def _compareBytes(a, b):
    return (a > b) - (a < b)


def _parse(client, argv, readonly):
    """
    Parse SORT's options as Redis does, failing at the first bad one.

    @return: C{(desc, alpha, start, count, sortBy, dontSort, gets, store)}.
    """
    desc = alpha = dontSort = False
    start, count = 0, -1
    sortBy = store = None
    gets = []
    fullAccess = None
    i = 2
    while i < len(argv):
        option = argv[i].lower()
        left = len(argv) - i - 1
        if option == b"asc":
            desc = False
        elif option == b"desc":
            desc = True
        elif option == b"alpha":
            alpha = True
        elif option == b"limit" and left >= 2:
            start, count = parseInt(argv[i + 1]), parseInt(argv[i + 2])
            if start is None or count is None:
                raise CommandError(errors.NOT_INTEGER)
            i += 2
        elif option == b"store" and not readonly and left >= 1:
            store = argv[i + 1]
            i += 1
        elif option == b"by" and left >= 1:
            sortBy = argv[i + 1]
            # A pattern without '*' names one key for all: nothing to sort.
            if b"*" not in _cString(sortBy):
                dontSort = True
            else:
                if fullAccess is None:
                    fullAccess = _fullKeyAccess(client, argv)
                if not fullAccess:
                    raise CommandError(errors.SORT_BY_ACL)
            i += 1
        elif option == b"get" and left >= 1:
            if fullAccess is None:
                fullAccess = _fullKeyAccess(client, argv)
            if not fullAccess:
                raise CommandError(errors.SORT_GET_ACL)
            gets.append(argv[i + 1])
            i += 1
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    return desc, alpha, start, count, sortBy, dontSort, gets, store


def _fullKeyAccess(client, argv):
    # BY and GET read keys no ACL key check sees: only a user that may read
    # every key may use them.
    return client.aclUser.hasUnrestrictedKeyAccess(lookup(argv), argv)


def _sort(client, argv, readonly):
    desc, alpha, limitStart, limitCount, sortBy, dontSort, gets, store = _parse(client, argv, readonly)
    db = client.db
    value = db.get(argv[1])
    if value is not None and type(value) not in _SORT_TYPES:
        raise CommandError(errors.WRONGTYPE)
    if value is None:
        value = List()
    if dontSort and type(value) is Set and (store is not None or client.kind == "script"):
        # A set's order is not deterministic: what is stored or seen by a
        # script is sorted, so that replicas and the AOF agree.
        dontSort, alpha, sortBy = False, True, None
    if type(value) is ZSet:
        # Redis converts a listpack to a skiplist to sort it, for good.
        value.listpack = False

    length = len(value)
    start = min(max(limitStart, 0), length)
    limitCount = min(max(limitCount, -1), length)
    end = length - 1 if limitCount < 0 else start + limitCount - 1
    if start >= length:
        start, end = length - 1, length - 2
    if end >= length:
        end = length - 1

    if dontSort and type(value) is not Set:
        # Lists and sorted sets are loaded in their order, LIMIT applied.
        elements = _range(value, start, end, desc)
        start, end = 0, len(elements) - 1
    else:
        elements = setMembers(value) if type(value) is Set else list(_all(value))

    if not dontSort:
        # Redis's partial sort for BY with a LIMIT that leaves some out.
        partial = sortBy is not None and (start != 0 or end != len(elements) - 1)
        window = (start, end) if partial else None
        elements = _sorted(db, elements, sortBy, alpha, desc, store is not None, window)
    window = elements[start : end + 1] if end >= start else []
    if store is None:
        if not gets:
            return window
        return [lookupByPattern(db, pattern, element) for element in window for pattern in gets]
    return _store(client, store, window, gets)


def _range(value, start, end, desc):
    if end < start:
        return []
    if type(value) is ZSet:
        entries = value.entries
        if desc:
            return [member for score, member in reversed(entries[len(entries) - 1 - end : len(entries) - start])]
        return [member for score, member in entries[start : end + 1]]
    items = list(value)
    if desc:
        items.reverse()
    return items[start : end + 1]


def _all(value):
    if type(value) is ZSet:
        return (member for score, member in value)
    return iter(value)


def _sorted(db, elements, sortBy, alpha, desc, storing, window=None):
    """
    Weigh and sort the elements as Redis's C{sortCompare}.

    @param window: C{(start, end)} when only that part matters (BY with a
        LIMIT): Redis then sorts with its partial quicksort.

    @raise CommandError: a numeric weight is not a number.
    """
    weights = []
    failed = False
    for element in elements:
        weight = lookupByPattern(db, sortBy, element) if sortBy is not None else element
        if alpha:
            # Without BY the element compares itself; a missing weight
            # sorts first.
            weights.append(weight if sortBy is not None else None)
        elif weight is None:
            weights.append(0.0)
        else:
            score = sortScore(weight)
            if score is None:
                failed = True
                score = 0.0
            weights.append(score)
    if failed:
        raise CommandError(errors.SORT_NOT_DOUBLE)

    if not alpha:
        def compare(a, b):
            if a[1] != b[1]:
                return 1 if a[1] > b[1] else -1
            return _compareBytes(a[0], b[0])
    elif sortBy is not None:
        def compare(a, b):
            if a[1] is None or b[1] is None:
                return (a[1] is not None) - (b[1] is not None)
            if storing:
                return _compareBytes(a[1], b[1])
            return _compareBytes(_cString(a[1]), _cString(b[1]))
    else:
        def compare(a, b):
            if storing:
                return _compareBytes(a[0], b[0])
            return _compareBytes(_cString(a[0]), _cString(b[0]))

    if desc:
        ascending = compare

        def compare(a, b):
            return -ascending(a, b)

    pairs = list(zip(elements, weights))
    if window is None:
        pairs.sort(key=cmp_to_key(compare))
    else:
        partialSort(pairs, compare, *window)
    return [element for element, weight in pairs]


def _store(client, key, window, gets):
    db = client.db
    if gets:
        items = [lookupByPattern(db, pattern, element) for element in window for pattern in gets]
        items = [b"" if item is None else item for item in items]
    else:
        items = list(window)
    store = client.server.store
    if items:
        db.set(key, List(items))
        # Redis counts every element stored as a change.
        store.dirty += len(items) - 1
        store.notify("l", b"sortstore", key, client.dbIndex)
        client.server.blocking.signal(client.dbIndex, key)
    elif db.delete(key):
        store.notify("g", b"del", key, client.dbIndex)
    return len(items)


@command(
    "sort",
    -2,
    ["write", "denyoom"],
    1,
    1,
    1,
    getKeys=_sortKeys,
    keySpecs=[keySpec("RO access"), _BY_GET_SPEC, _STORE_SPEC],
    summary="Sort the elements in a list, set or sorted set",
    docs={
        "complexity": _COMPLEXITY,
        "arguments": _SORT_DOCS_ARGS
        + [arg("destination", "key", keySpecIndex=2, token="STORE", flags="optional")],
    },
    **_KW
)
def sort(client, argv):
    return _sort(client, argv, False)


@command(
    "sort_ro",
    -2,
    ["readonly", "movablekeys"],
    1,
    1,
    1,
    keySpecs=[keySpec("RO access"), _BY_GET_SPEC],
    summary="Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    since="7.0.0",
    docs={"complexity": _COMPLEXITY, "arguments": _SORT_DOCS_ARGS},
    **_KW
)
def sortRo(client, argv):
    return _sort(client, argv, True)
