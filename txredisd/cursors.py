"""
Cursors for the collection SCAN commands (HSCAN, SSCAN, ZSCAN).

Redis answers small collections (listpack, intset) with everything at once
and cursor C{0}, whatever cursor was asked for.  For hash-table encoded ones
it walks the table with a reverse-binary cursor (C{dictScan}), which
guarantees that elements present for the whole iteration are returned at
least once.  Python's dict and set do not expose their tables, so here a
large collection is walked over a point-in-time snapshot of its members:
cursor C{0} takes a snapshot (a list of references) and the returned cursor
encodes the snapshot's id (high 32 bits) and the offset reached (low 32
bits).  Each collection keeps its last L{SNAPSHOTS} snapshots, least
recently used first out.  A cursor whose snapshot was dropped (or that this
server never returned) takes a fresh snapshot and goes on from its offset:
the members of an unchanged collection come out in the same order, so the
iteration still completes correctly; if it changed meanwhile, some members
may be missed, which Redis's cursor can also do for members not present
throughout.  Members deleted since the snapshot are skipped.
"""

import itertools
from collections import OrderedDict

from txredisd import errors, resp
from txredisd.errors import CommandError
from txredisd.glob import compile as compileGlob
from txredisd.numbers import parseInt

#: The reply to a scan of a missing key.
EMPTY_SCAN = resp.Raw(b"*2\r\n$1\r\n0\r\n*0\r\n")
#: Snapshots kept per collection.
SNAPSHOTS = 8

_ULONG = 1 << 64
_OFFSET_BITS = 32
_OFFSET_MASK = (1 << _OFFSET_BITS) - 1
_ids = itertools.count(1)


def parseCursor(data):
    """
    Parse a SCAN cursor as Redis's C{parseScanCursorOrReply} does
    (C{strtoul}: an optional sign, decimal digits, negative numbers wrap
    around, nothing before or after; the empty string is C{0}).

    @param data: L{bytes}.
    @return: the cursor, an L{int} in M{[0, 2**64)}.
    @raise CommandError: C{ERR invalid cursor}.
    """
    # strtoul sees a C string: it stops at a NUL byte.
    text = data.split(b"\0", 1)[0]
    if not text:
        return 0
    sign = text[:1]
    digits = text[1:] if sign in (b"+", b"-") else text
    if not digits.isdigit() or not digits.isascii():
        raise CommandError(errors.INVALID_CURSOR)
    value = int(digits)
    if value >= _ULONG:
        raise CommandError(errors.INVALID_CURSOR)
    return (_ULONG - value) % _ULONG if sign == b"-" else value


def parseScanOptions(argv, start):
    """
    Parse the C{COUNT} and C{MATCH} options of HSCAN/SSCAN/ZSCAN as
    Redis's C{scanGenericCommand} does (C{TYPE} is for SCAN only).

    @return: C{(count, matcher)} where C{matcher} is a function of a member
        returning whether it matches, or L{None} for no pattern.
    @raise CommandError: for a bad count or an unknown option.
    """
    count = 10
    pattern = None
    i = start
    while i < len(argv):
        option = argv[i].lower()
        if option == b"count" and i + 1 < len(argv):
            count = parseInt(argv[i + 1])
            if count is None:
                raise CommandError(errors.NOT_INTEGER)
            if count < 1:
                raise CommandError(errors.SYNTAX)
            i += 2
        elif option == b"match" and i + 1 < len(argv):
            pattern = argv[i + 1]
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    if pattern is None or pattern == b"*":
        return count, None
    regex = compileGlob(pattern)
    return count, lambda member: regex.match(member) is not None


def scanSnapshot(collection, cursor, count):
    """
    One step of a cursor over a large collection.

    @param collection: a value with a C{scanSnapshots} attribute (an
        L{OrderedDict} or L{None}) that iterates over its members.
    @param cursor: the cursor the client sent.
    @param count: how many snapshot entries to visit.
    @return: C{(nextCursor, members)}; the members may have been removed
        since the snapshot, the caller checks.
    """
    snapshots = collection.scanSnapshots
    if snapshots is None:
        snapshots = collection.scanSnapshots = OrderedDict()
    if cursor == 0:
        snapshotId, offset, snapshot = next(_ids) & 0x7FFFFFFF or 1, 0, None
    else:
        snapshotId, offset = cursor >> _OFFSET_BITS, cursor & _OFFSET_MASK
        snapshot = snapshots.get(snapshotId)
    if snapshot is None:
        snapshot = list(collection)
        snapshots[snapshotId] = snapshot
        if len(snapshots) > SNAPSHOTS:
            snapshots.popitem(last=False)
    else:
        snapshots.move_to_end(snapshotId)
    end = offset + count
    members = snapshot[offset:end]
    if end >= len(snapshot):
        del snapshots[snapshotId]
        return 0, members
    return (snapshotId << _OFFSET_BITS) | end, members


def scanCollection(client, argv, cls, ordered):
    """
    The common part of HSCAN, SSCAN and ZSCAN (C{scanGenericCommand}):
    the cursor is checked before the key, the options after its type.

    @param cls: the value class the key must hold.
    @param ordered: a function of a small (listpack, intset) value giving
        all its members in Redis's order.
    @return: C{(cursor, members, value)} with C{cursor} as L{bytes} and
        the members matching C{MATCH}, or L{None} if the key is missing.
    """
    cursor = parseCursor(argv[2])
    value = client.db.getTyped(argv[1], cls)
    if value is None:
        return None
    count, matches = parseScanOptions(argv, 3)
    if value.hashtable:
        cursor, members = scanSnapshot(value, cursor, count)
        members = [member for member in members if member in value]
    else:
        # Small encodings come back whole, whatever the cursor (as Redis).
        cursor, members = 0, ordered(value)
    if matches is not None:
        members = [member for member in members if matches(member)]
    return b"%d" % (cursor,), members, value
