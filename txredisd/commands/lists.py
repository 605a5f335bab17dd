"""
List commands: the pushes and pops at both ends (with and without COUNT,
LMPOP), LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE and
RPOPLPUSH, and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.

A list is a L{List}, a L{collections.deque}: pushes and pops at either end
are O(1), and indexing walks from the nearer end as Redis's quicklist does.
Blocking commands answer at once when they can and otherwise wait in the
server's L{txredisd.blocking.BlockingManager}; every command that adds
elements signals the key so that waiters are served after it.
"""

import collections
import re
from itertools import islice

from txredisd import errors
from txredisd.blocking import parseTimeout
from txredisd.errors import CommandError
from txredisd.numbers import LLONG_MIN, integerArgument, parseInt
from txredisd.registry import command
from txredisd.resp import EMPTY_ARRAY, NULL_ARRAY, OK
from txredisd.store import registerType

#: Redis's C{LIST_HEAD} and C{LIST_TAIL}.
LEFT = 0
RIGHT = 1

_DIRECTIONS = {b"left": LEFT, b"right": RIGHT}
_DIRECTION_NAMES = {LEFT: b"LEFT", RIGHT: b"RIGHT"}
_POP_NAMES = {LEFT: b"LPOP", RIGHT: b"RPOP"}
_POP_EVENTS = {LEFT: b"lpop", RIGHT: b"rpop"}
_PUSH_EVENTS = {LEFT: b"lpush", RIGHT: b"rpush"}


class List(collections.deque):
    """
    The value of a Redis list: its elements (L{bytes}) from head to tail.
    """

    __slots__ = ()


def _encoding(value):
    # Redis 7.0 keeps every list in a quicklist.
    return b"quicklist"


registerType(List, b"list", _encoding)


# --- helpers -----------------------------------------------------------------


def _positive(arg, message, minimum=0):
    """
    Parse a C{long} no smaller than C{minimum} as Redis's
    C{getRangeLongFromObjectOrReply} with a message: the one text answers
    both a non-number and a number out of range.
    """
    value = parseInt(arg)
    if value is None or value < minimum:
        raise CommandError(message)
    return value


def _direction(arg):
    """
    Parse C{LEFT} or C{RIGHT} as Redis's C{getListPositionFromObjectOrReply}.
    """
    where = _DIRECTIONS.get(arg.lower())
    if where is None:
        raise CommandError(errors.SYNTAX)
    return where


def _slice(value, start, stop):
    """
    The elements from C{start} to C{stop} inclusive, both within the list,
    walking from whichever end is nearer.

    @return: a L{list}.
    """
    length = len(value)
    if start == 0 and stop == length - 1:
        return list(value)
    fromTail = length - 1 - stop
    if fromTail < start:
        items = list(islice(reversed(value), fromTail, length - start))
        items.reverse()
        return items
    return list(islice(value, start, stop + 1))


def _range(value, start, end):
    """
    Redis's C{addListRangeReply} index arithmetic: negative indexes count
    from the tail, the range is clamped to the list.

    @return: C{(start, stop)} inclusive, or L{None} for an empty range.
    """
    length = len(value)
    if start < 0:
        start += length
    if end < 0:
        end += length
    if start < 0:
        start = 0
    if start > end or start >= length:
        return None
    return start, min(end, length - 1)


def _notify(client, event, key):
    store = client.server.store
    if store.notifier is not None:
        store.notify("l", event, key, client.dbIndex)


def _push(client, key, value, elements, where):
    """
    Push C{elements} one by one at one end, creating the list when
    C{value} is L{None}, as Redis's C{pushGenericCommand} and
    C{lmoveHandlePush}; signals clients blocked on C{key}.

    @return: the list.
    """
    db = client.db
    changes = len(elements)
    if value is None:
        value = List()
        db.set(key, value)
        changes -= 1
    if where == LEFT:
        value.extendleft(elements)
    else:
        value.extend(elements)
    db.modified(key, changes)
    server = client.server
    store = server.store
    # _notify, inline: pushes are a hot path.
    if store.notifier is not None:
        store.notify("l", _PUSH_EVENTS[where], key, client.dbIndex)
    server.blocking.signal(client.dbIndex, key)
    return value


def _shrunk(client, key, value, changes):
    """
    Delete C{key} if its list is now empty (with C{del} notified), and
    count C{changes} to the dirty counter as Redis does, where deleting is
    no change of its own.
    """
    db = client.db
    if value:
        db.modified(key, changes)
    else:
        db.delete(key)
        client.server.store.notify("g", b"del", key, client.dbIndex)
        db.modified(key, changes - 1)


def _removed(client, key, value, where, count):
    """
    What follows popping C{count} elements (Redis's C{listElementsRemoved}):
    the notification, and the key's deletion if the list is now empty.
    """
    _notify(client, _POP_EVENTS[where], key)
    _shrunk(client, key, value, count)


def _popMany(value, where, count):
    """
    Pop up to C{count} elements from one end, in popping order.

    @return: a L{list}.
    """
    if count >= len(value):
        items = list(value) if where == LEFT else list(reversed(value))
        value.clear()
        return items
    pop = value.popleft if where == LEFT else value.pop
    return [pop() for _ in range(count)]


def _popWithKey(client, key, value, where, count):
    """
    Pop up to C{count} elements for LMPOP and BLMPOP, which Redis
    propagates as C{LPOP key count} or C{RPOP key count}.

    @return: the reply, C{[key, [elements]]}.
    """
    items = _popMany(value, where, count)
    _removed(client, key, value, where, len(items))
    client.propagateAs = [[_POP_NAMES[where], key, b"%d" % (len(items),)]]
    return [key, items]


def _popOneWithKey(client, key, value, where):
    """
    Pop one element for BLPOP and BRPOP, which Redis propagates as
    C{LPOP key} or C{RPOP key}.

    @return: the reply, C{[key, element]}.
    """
    item = value.popleft() if where == LEFT else value.pop()
    _removed(client, key, value, where, 1)
    client.propagateAs = [[_POP_NAMES[where], key]]
    return [key, item]


def _move(client, source, value, destination, wherefrom, whereto):
    """
    Move one element (Redis's C{lmoveGenericCommand} once both keys are
    checked): push it on the destination, then the source's pop
    notification and deletion.

    @param value: the source list, not empty.
    @return: the element.
    """
    target = client.db.getForWrite(destination)
    item = value.popleft() if wherefrom == LEFT else value.pop()
    _push(client, destination, target, [item], whereto)
    _notify(client, _POP_EVENTS[wherefrom], source)
    # Redis counts one change for the whole move, already counted by the
    # push.
    _shrunk(client, source, value, 0)
    return item


def _checkDestination(db, key):
    """
    Refuse a destination that holds something other than a list.
    """
    target = db.getForWrite(key)
    if target is not None and type(target) is not List:
        raise CommandError(errors.WRONGTYPE)


def _numkeysGetKeys(countAt):
    """
    Key positions of a C{numkeys key [key ...]} command, as Redis's
    C{genericGetKeys}: none when C{numkeys} (read with C{atoi}) cannot be
    right.
    """

    def getKeys(argv):
        if len(argv) <= countAt:
            return []
        match = re.match(rb"\s*[+-]?[0-9]+", argv[countAt])
        count = int(match.group()) if match else 0
        first = countAt + 1
        if count < 1 or count > len(argv) - first:
            return []
        return list(range(first, first + count))

    return getKeys


def _parseMpop(argv, countAt):
    """
    Parse C{numkeys key [key ...] LEFT|RIGHT [COUNT count]} as Redis's
    C{lmpopGenericCommand}.

    @return: C{(keys, where, count)}.
    """
    numkeys = _positive(argv[countAt], errors.NUMKEYS_NOT_POSITIVE, 1)
    whereAt = countAt + numkeys + 1
    if whereAt >= len(argv):
        raise CommandError(errors.SYNTAX)
    where = _direction(argv[whereAt])
    count = None
    i = whereAt + 1
    while i < len(argv):
        if count is None and argv[i].lower() == b"count" and i + 1 < len(argv):
            count = _positive(argv[i + 1], errors.COUNT_NOT_POSITIVE, 1)
            i += 2
        else:
            raise CommandError(errors.SYNTAX)
    return argv[countAt + 1 : whereAt], where, 1 if count is None else count


# --- pushes ------------------------------------------------------------------


def _pushCommand(client, argv, where, onlyExisting=False):
    key = argv[1]
    # getTyped, inline: pushes are a hot path.
    value = client.db.getForWrite(key)
    if value is None:
        if onlyExisting:
            return 0
    elif type(value) is not List:
        raise CommandError(errors.WRONGTYPE)
    return len(_push(client, key, value, argv[2:], where))


@command("lpush", -3, ["write", "denyoom", "fast"], 1, 1, 1, group="list",
         summary="Prepend one or multiple elements to a list")
def lpush(client, argv):
    return _pushCommand(client, argv, LEFT)


@command("rpush", -3, ["write", "denyoom", "fast"], 1, 1, 1, group="list",
         summary="Append one or multiple elements to a list")
def rpush(client, argv):
    return _pushCommand(client, argv, RIGHT)


@command("lpushx", -3, ["write", "denyoom", "fast"], 1, 1, 1, group="list", since="2.2.0",
         summary="Prepend an element to a list, only if the list exists")
def lpushx(client, argv):
    return _pushCommand(client, argv, LEFT, onlyExisting=True)


@command("rpushx", -3, ["write", "denyoom", "fast"], 1, 1, 1, group="list", since="2.2.0",
         summary="Append an element to a list, only if the list exists")
def rpushx(client, argv):
    return _pushCommand(client, argv, RIGHT, onlyExisting=True)


# --- pops --------------------------------------------------------------------


def _popCommand(client, argv, where):
    # Redis's popGenericCommand.
    if len(argv) > 3:
        raise CommandError(errors.wrongArity(argv[0].decode("latin-1").lower()))
    hasCount = len(argv) == 3
    if hasCount:
        count = _positive(argv[2], errors.NOT_POSITIVE)
    key = argv[1]
    value = client.db.getTyped(key, List, write=True)
    if value is None:
        return NULL_ARRAY if hasCount else None
    if not hasCount:
        item = value.popleft() if where == LEFT else value.pop()
        _removed(client, key, value, where, 1)
        return item
    if not count:
        return EMPTY_ARRAY
    items = _popMany(value, where, count)
    _removed(client, key, value, where, len(items))
    return items


@command("lpop", -2, ["write", "fast"], 1, 1, 1, group="list",
         summary="Remove and get the first elements in a list")
def lpop(client, argv):
    return _popCommand(client, argv, LEFT)


@command("rpop", -2, ["write", "fast"], 1, 1, 1, group="list",
         summary="Remove and get the last elements in a list")
def rpop(client, argv):
    return _popCommand(client, argv, RIGHT)


@command("lmpop", -4, ["write"], group="list", since="7.0.0", getKeys=_numkeysGetKeys(1),
         summary="Pop elements from a list")
def lmpop(client, argv):
    keys, where, count = _parseMpop(argv, 1)
    db = client.db
    for key in keys:
        value = db.getTyped(key, List, write=True)
        if value:
            return _popWithKey(client, key, value, where, count)
    return NULL_ARRAY


# --- reading -----------------------------------------------------------------


@command("llen", 2, ["readonly", "fast"], 1, 1, 1, group="list",
         summary="Get the length of a list")
def llen(client, argv):
    value = client.db.getTyped(argv[1], List)
    return 0 if value is None else len(value)


@command("lrange", 4, ["readonly"], 1, 1, 1, group="list",
         summary="Get a range of elements from a list")
def lrange(client, argv):
    start = integerArgument(argv[2])
    end = integerArgument(argv[3])
    value = client.db.getTyped(argv[1], List)
    if value is None:
        return EMPTY_ARRAY
    bounds = _range(value, start, end)
    if bounds is None:
        return EMPTY_ARRAY
    return _slice(value, *bounds)


@command("lindex", 3, ["readonly"], 1, 1, 1, group="list",
         summary="Get an element from a list by its index")
def lindex(client, argv):
    # The key is looked up before the index is parsed, as Redis does.
    value = client.db.getTyped(argv[1], List)
    if value is None:
        return None
    index = integerArgument(argv[2])
    if not -len(value) <= index < len(value):
        return None
    return value[index]


@command("lpos", -3, ["readonly"], 1, 1, 1, group="list", since="6.0.6",
         summary="Return the index of matching elements on a list")
def lpos(client, argv):
    element = argv[2]
    rank = 1
    count = None
    maxlen = 0
    i = 3
    while i < len(argv):
        option = argv[i].lower()
        if i + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        if option == b"rank":
            rank = integerArgument(argv[i + 1])
            if rank == 0:
                raise CommandError(errors.RANK_ZERO)
        elif option == b"count":
            count = _positive(argv[i + 1], errors.COUNT_NEGATIVE)
        elif option == b"maxlen":
            maxlen = _positive(argv[i + 1], errors.MAXLEN_NEGATIVE)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    fromTail = rank < 0
    # Redis negates a negative rank in a C long: LLONG_MIN stays negative,
    # so every match is at or past the rank and COUNT never stops the scan.
    unlimited = rank == LLONG_MIN
    rank = 1 if unlimited else abs(rank)
    value = client.db.getTyped(argv[1], List)
    if value is None:
        return EMPTY_ARRAY if count is not None else None
    length = len(value)
    items = reversed(value) if fromTail else iter(value)
    if maxlen:
        items = islice(items, maxlen)
    matches = 0
    found = []
    for index, item in enumerate(items):
        if item != element:
            continue
        matches += 1
        if matches < rank:
            continue
        found.append(length - 1 - index if fromTail else index)
        if count is None or (count and not unlimited and len(found) >= count):
            break
    if count is not None:
        return found
    return found[0] if found else None


# --- changing in place -------------------------------------------------------


@command("lset", 4, ["write", "denyoom"], 1, 1, 1, group="list",
         summary="Set the value of an element in a list by its index")
def lset(client, argv):
    key = argv[1]
    value = client.db.getTyped(key, List, write=True)
    if value is None:
        raise CommandError(errors.NO_SUCH_KEY)
    index = integerArgument(argv[2])
    if not -len(value) <= index < len(value):
        raise CommandError(errors.OUT_OF_RANGE)
    value[index] = argv[3]
    client.db.modified(key)
    _notify(client, b"lset", key)
    return OK


@command("linsert", 5, ["write", "denyoom"], 1, 1, 1, group="list", since="2.2.0",
         summary="Insert an element before or after another element in a list")
def linsert(client, argv):
    where = argv[2].lower()
    if where not in (b"before", b"after"):
        raise CommandError(errors.SYNTAX)
    key = argv[1]
    value = client.db.getTyped(key, List, write=True)
    if value is None:
        return 0
    try:
        index = value.index(argv[3])
    except ValueError:
        return -1
    value.insert(index if where == b"before" else index + 1, argv[4])
    client.db.modified(key)
    _notify(client, b"linsert", key)
    client.server.blocking.signal(client.dbIndex, key)
    return len(value)


@command("lrem", 4, ["write"], 1, 1, 1, group="list",
         summary="Remove elements from a list")
def lrem(client, argv):
    count = integerArgument(argv[2])
    key = argv[1]
    value = client.db.getTyped(key, List, write=True)
    if value is None:
        return 0
    element = argv[3]
    # A negative count removes from the tail; 0 removes every match.
    limit = abs(count)
    kept = []
    removed = 0
    for item in reversed(value) if count < 0 else value:
        if item == element and (not limit or removed < limit):
            removed += 1
        else:
            kept.append(item)
    if not removed:
        return 0
    if count < 0:
        kept.reverse()
    value.clear()
    value.extend(kept)
    _notify(client, b"lrem", key)
    _shrunk(client, key, value, removed)
    return removed


@command("ltrim", 4, ["write"], 1, 1, 1, group="list",
         summary="Trim a list to the specified range")
def ltrim(client, argv):
    start = integerArgument(argv[2])
    end = integerArgument(argv[3])
    key = argv[1]
    value = client.db.getTyped(key, List, write=True)
    if value is None:
        return OK
    length = len(value)
    bounds = _range(value, start, end)
    if bounds is None:
        trimmed = length
        value.clear()
    else:
        start, stop = bounds
        trimmed = length - (stop - start + 1)
        if trimmed <= 64:
            for _ in range(start):
                value.popleft()
            for _ in range(length - 1 - stop):
                value.pop()
        elif trimmed:
            kept = _slice(value, start, stop)
            value.clear()
            value.extend(kept)
    _notify(client, b"ltrim", key)
    _shrunk(client, key, value, trimmed)
    return OK


# --- moving between lists ----------------------------------------------------


def _moveCommand(client, source, destination, wherefrom, whereto):
    # Redis's lmoveGenericCommand.
    db = client.db
    value = db.getTyped(source, List, write=True)
    if value is None:
        return None
    _checkDestination(db, destination)
    return _move(client, source, value, destination, wherefrom, whereto)


@command("lmove", 5, ["write", "denyoom"], 1, 2, 1, group="list", since="6.2.0",
         summary="Pop an element from a list, push it to another list and return it")
def lmove(client, argv):
    wherefrom = _direction(argv[3])
    whereto = _direction(argv[4])
    return _moveCommand(client, argv[1], argv[2], wherefrom, whereto)


@command("rpoplpush", 3, ["write", "denyoom"], 1, 2, 1, group="list", since="1.2.0",
         summary="Remove the last element in a list, prepend it to another list and return it")
def rpoplpush(client, argv):
    return _moveCommand(client, argv[1], argv[2], RIGHT, LEFT)


# --- blocking ----------------------------------------------------------------


def _firstNonEmpty(db, keys):
    """
    The first key of C{keys} holding a list, as Redis's
    C{blockingPopGenericCommand} scans them: missing keys are skipped, the
    first key of another type is an error.

    @return: C{(key, list)} or C{(None, None)}.
    """
    for key in keys:
        value = db.getTyped(key, List, write=True)
        if value:
            return key, value
    return None, None


def _servable(client, keys):
    """
    The key and list a woken client should pop from: the signalled key
    being served (Redis serves from the key that became ready), or, outside
    L{txredisd.blocking.BlockingManager.serveReady}, its first list.
    Other types are skipped: in Redis 7.0 a client blocked on a key that
    became a string keeps waiting.

    @return: C{(key, list)} or C{(None, None)}.
    """
    serving = client.server.blocking.servingKey
    db = client.db
    for key in keys if serving is None else (serving,):
        value = db.getForWrite(key)
        if type(value) is List and value:
            return key, value
    return None, None


def _popOrBlock(client, keys, deadline, pop):
    """
    BLPOP, BRPOP and BLMPOP once parsed: pop from the first list that has
    elements, or wait for one.

    @param pop: a function of C{(key, list)} popping and returning the
        reply.
    """
    key, value = _firstNonEmpty(client.db, keys)
    if value is not None:
        return pop(key, value)
    blocking = client.server.blocking
    if not blocking.canBlock(client):
        return NULL_ARRAY

    def retry():
        key, value = _servable(client, keys)
        return None if value is None else pop(key, value)

    return blocking.block(client, keys, deadline, retry, NULL_ARRAY)


def _blockingPop(client, argv, where):
    # Redis's blockingPopGenericCommand for BLPOP and BRPOP.
    deadline = parseTimeout(argv[-1], client.server.store.now)
    return _popOrBlock(
        client, argv[1:-1], deadline, lambda key, value: _popOneWithKey(client, key, value, where)
    )


@command("blpop", -3, ["write", "noscript", "blocking"], 1, -2, 1, group="list", since="2.0.0",
         summary="Remove and get the first element in a list, or block until one is available")
def blpop(client, argv):
    return _blockingPop(client, argv, LEFT)


@command("brpop", -3, ["write", "noscript", "blocking"], 1, -2, 1, group="list", since="2.0.0",
         summary="Remove and get the last element in a list, or block until one is available")
def brpop(client, argv):
    return _blockingPop(client, argv, RIGHT)


@command("blmpop", -5, ["write", "blocking"], group="list", since="7.0.0",
         getKeys=_numkeysGetKeys(2),
         summary="Pop elements from a list, or block until one is available")
def blmpop(client, argv):
    keys, where, count = _parseMpop(argv, 2)
    deadline = parseTimeout(argv[1], client.server.store.now)
    return _popOrBlock(
        client, keys, deadline, lambda key, value: _popWithKey(client, key, value, where, count)
    )


def _blockingMove(client, argv, wherefrom, whereto, timeout):
    # Redis's blmoveGenericCommand; the timeout was parsed already.
    source, destination = argv[1], argv[2]
    server = client.server
    db = client.db
    value = db.getTyped(source, List, write=True)
    if value is not None:
        _checkDestination(db, destination)
        item = _move(client, source, value, destination, wherefrom, whereto)
        client.propagateAs = [_movePropagation(argv, argv[3:5])]
        return item
    blocking = server.blocking
    if not blocking.canBlock(client):
        # In MULTI/EXEC Redis answers a null bulk here, a null array on a
        # real timeout.
        return None

    def retry():
        key, value = _servable(client, [source])
        if value is None:
            return None
        # Only now is the destination checked: a wrong type unblocks the
        # client with the error and leaves the source alone.
        _checkDestination(client.db, destination)
        item = _move(client, source, value, destination, wherefrom, whereto)
        client.propagateAs = [
            _movePropagation(argv, [_DIRECTION_NAMES[wherefrom], _DIRECTION_NAMES[whereto]])
        ]
        return item

    return blocking.block(client, [source], deadline=timeout, retry=retry, timeoutReply=NULL_ARRAY)


def _movePropagation(argv, directions):
    """
    What a BLMOVE or BRPOPLPUSH that moved an element propagates: LMOVE
    (with the client's own spelling of the directions when it did not
    block, Redis's canonical C{LEFT}/C{RIGHT} when it was woken) or
    RPOPLPUSH.
    """
    if argv[0].lower() == b"brpoplpush":
        return [b"RPOPLPUSH", argv[1], argv[2]]
    return [b"LMOVE", argv[1], argv[2]] + list(directions)


@command("blmove", 6, ["write", "denyoom", "noscript", "blocking"], 1, 2, 1, group="list",
         since="6.2.0",
         summary="Pop an element from a list, push it to another list and return it; "
         "or block until one is available")
def blmove(client, argv):
    wherefrom = _direction(argv[3])
    whereto = _direction(argv[4])
    deadline = parseTimeout(argv[5], client.server.store.now)
    return _blockingMove(client, argv, wherefrom, whereto, deadline)


@command("brpoplpush", 4, ["write", "denyoom", "noscript", "blocking"], 1, 2, 1, group="list",
         since="2.2.0",
         summary="Pop an element from a list, push it to another list and return it; "
         "or block until one is available")
def brpoplpush(client, argv):
    deadline = parseTimeout(argv[3], client.server.store.now)
    return _blockingMove(client, argv, RIGHT, LEFT, deadline)
