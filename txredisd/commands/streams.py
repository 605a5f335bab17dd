"""
Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XREAD,
XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XSETID, XGROUP and XINFO,
as Redis 7.0's C{t_stream.c}.

The value is L{txredisd.stream.Stream}.  Commands that Redis propagates in
another form set C{client.propagateAs}: XADD the generated id and the
exact trim threshold after C{~}, XREADGROUP, XCLAIM and XAUTOCLAIM one
C{XCLAIM ... FORCE JUSTID LASTID} per entry they hand over (and
C{XGROUP SETID} when only the group's position moved).

Known differences from Redis 7.0:
    - A client blocked on several streams is served from the first of them
      (in argument order) that has new entries; Redis serves it from the
      first one signalled.
    - A stream overwritten by SET (or any other write that replaces the
      value rather than deleting the key) does not answer clients blocked
      on it with XREADGROUP; deletion, expiry, RENAME and FLUSHALL do.
    - See L{txredisd.stream} for the node model behind C{~} trimming.
"""

import itertools
import re

from txredisd import blocking, errors, store
from txredisd.errors import CommandError, safe
from txredisd.numbers import LLONG_MAX, integerArgument, parseInt
from txredisd.registry import command, container
from txredisd.resp import NULL_ARRAY, OK, Map, Status
from txredisd.stream import (
    ID_MAX,
    INVALID_ENTRIES_READ,
    MAX_ID,
    MIN_ID,
    NODE_MAX_ENTRIES,
    ConsumerGroup,
    Pending,
    Stream,
    decrId,
    formatId,
    incrId,
)

store.registerType(Stream, b"stream", lambda value: b"stream")

#: COUNT of a blocked XREAD/XREADGROUP given none (XREAD_BLOCKED_DEFAULT_COUNT).
BLOCKED_DEFAULT_COUNT = 1000
#: XAUTOCLAIM scans at most COUNT times this many pending entries.
_AUTOCLAIM_ATTEMPTS = 10
_LONG_MAX = LLONG_MAX

_STRTOULL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]+)")


def _notify(client, event, key):
    client.server.store.notify("t", event, key, client.dbIndex)


# --- ids ---------------------------------------------------------------------


def _parseUnsigned(data):
    # Redis's string2ull: string2ll for the common case, else strtoull,
    # which takes leading blanks, a sign (negatives wrap) and leading zeros.
    value = parseInt(data)
    if value is not None:
        return value if value >= 0 else None
    match = _STRTOULL.fullmatch(data)
    if match is None:
        return None
    value = int(match.group(2))
    if value > ID_MAX:
        return None
    if match.group(1) == b"-":
        value = -value % (1 << 64)
    return value


def parseId(data, missingSeq=0, strict=True, seqStar=False):
    """
    Parse a stream id as Redis's C{streamGenericParseIDOrReply}.

    @param missingSeq: the sequence of an id given as C{ms} alone.
    @param strict: refuse C{-} and C{+} (else they are the smallest and
        largest ids).
    @param seqStar: accept C{ms-*} (XADD).
    @return: C{((ms, seq), seqGiven)}.
    @raise CommandError: the id is invalid.
    """
    if len(data) > 127:
        raise CommandError(errors.INVALID_STREAM_ID)
    if data == b"-" or data == b"+":
        if strict:
            raise CommandError(errors.INVALID_STREAM_ID)
        return (MIN_ID if data == b"-" else MAX_ID), True
    dash = data.find(b"-")
    if dash == -1:
        ms = _parseUnsigned(data)
        seq = missingSeq
    else:
        ms = _parseUnsigned(data[:dash])
        rest = data[dash + 1 :]
        if seqStar and rest == b"*":
            if ms is None:
                raise CommandError(errors.INVALID_STREAM_ID)
            return (ms, 0), False
        seq = _parseUnsigned(rest)
    if ms is None or seq is None:
        raise CommandError(errors.INVALID_STREAM_ID)
    return (ms, seq), True


def _strictId(data):
    return parseId(data)[0]


def _intervalStart(data):
    # streamParseIntervalIDOrReply, then streamIncrID for "(".
    if len(data) > 1 and data[:1] == b"(":
        start = incrId(_strictId(data[1:]))
        if start is None:
            raise CommandError(errors.INVALID_START_ID)
        return start
    return parseId(data, 0, strict=False)[0]


def _intervalEnd(data):
    if len(data) > 1 and data[:1] == b"(":
        end = decrId(parseId(data[1:], ID_MAX)[0])
        if end is None:
            raise CommandError(errors.INVALID_END_ID)
        return end
    return parseId(data, ID_MAX, strict=False)[0]


# --- replies -------------------------------------------------------------------


def _entry(entryId, fields):
    return [formatId(entryId), list(fields)]


def _entries(items):
    return [_entry(entryId, fields) for entryId, fields in items]


def _streamReply(client, results):
    """
    XREAD's reply: C{[[key, entries], ...]}, a map in RESP3.
    """
    if client.resp3:
        return Map(results)
    return [[key, entries] for key, entries in results]


# --- XADD, XTRIM -------------------------------------------------------------


class _TrimArgs:
    """
    The options shared by XADD and XTRIM (C{streamAddTrimArgs}).

    @ivar argIndex: where the MAXLEN/MINID threshold is in argv.
    """

    def __init__(self):
        self.maxlen = None
        self.minid = None
        self.approx = False
        self.limit = 0
        self.argIndex = 0
        self.noMkStream = False
        self.id = None
        self.seqGiven = True

    @property
    def strategy(self):
        return self.maxlen is not None or self.minid is not None


def _parseTrimArgs(client, argv, xadd):
    """
    Parse XADD's or XTRIM's options as C{streamParseAddOrTrimArgsOrReply}.

    @return: C{(args, index)} where index is XADD's id position.
    """
    args = _TrimArgs()
    limitGiven = False
    i = 2
    argc = len(argv)
    while i < argc:
        moreargs = argc - 1 - i
        opt = argv[i]
        lower = opt.lower()
        if xadd and opt == b"*":
            break
        if lower in (b"maxlen", b"minid") and moreargs:
            if args.strategy:
                raise CommandError(errors.MAXLEN_AND_MINID)
            args.approx = False
            following = argv[i + 1]
            if moreargs >= 2 and following == b"~":
                args.approx = True
                i += 1
            elif moreargs >= 2 and following == b"=":
                i += 1
            if lower == b"maxlen":
                maxlen = integerArgument(argv[i + 1])
                if maxlen < 0:
                    raise CommandError(errors.XADD_MAXLEN_NEGATIVE)
                args.maxlen = maxlen
            else:
                args.minid = _strictId(argv[i + 1])
            i += 1
            args.argIndex = i
        elif lower == b"limit" and moreargs:
            args.limit = integerArgument(argv[i + 1])
            if args.limit < 0:
                raise CommandError(errors.XADD_LIMIT_NEGATIVE)
            limitGiven = True
            i += 1
        elif xadd and lower == b"nomkstream":
            args.noMkStream = True
        elif xadd:
            args.id, args.seqGiven = parseId(opt, seqStar=True)
            break
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    if args.limit and not args.strategy:
        raise CommandError(errors.LIMIT_WITHOUT_STRATEGY)
    if not xadd and not args.strategy:
        raise CommandError(errors.XTRIM_WITHOUT_STRATEGY)
    if client.kind in ("master", "aof"):
        # The threshold was rewritten exactly: no LIMIT from a master.
        args.limit = 0
    elif limitGiven:
        if not args.approx:
            raise CommandError(errors.LIMIT_WITHOUT_APPROX)
    elif args.approx:
        args.limit = 100 * NODE_MAX_ENTRIES
    else:
        args.limit = 0
    return args, i


def _trim(stream, args):
    return stream.trim(args.maxlen, args.minid, args.approx, args.limit)


def _rewriteApproxTrim(stream, args, argv):
    # streamRewriteApproxSpecifier and streamRewriteTrimArgument: replicas
    # and the AOF get the exact threshold this trim reached.
    argv[args.argIndex - 1] = b"="
    if args.maxlen is not None:
        argv[args.argIndex] = b"%d" % (len(stream),)
    else:
        first = stream.entries.peekitem(0)[0] if stream.entries else MAX_ID
        argv[args.argIndex] = formatId(first)


@command("xadd", -5, ["write", "denyoom", "fast"], 1, 1, 1, group="stream")
def xadd(client, argv):
    args, idIndex = _parseTrimArgs(client, argv, True)
    fieldIndex = idIndex + 1
    if len(argv) - fieldIndex < 2 or (len(argv) - fieldIndex) % 2:
        raise CommandError(errors.wrongArity("xadd"))
    if args.id is not None and args.seqGiven and args.id == MIN_ID:
        raise CommandError(errors.XADD_ID_ZERO)
    key = argv[1]
    db = client.db
    stream = db.getTyped(key, Stream, write=True)
    created = stream is None
    if created:
        if args.noMkStream:
            return None
        stream = Stream()
        db.set(key, stream)
    if stream.lastId == MAX_ID:
        raise CommandError(errors.XADD_EXHAUSTED)
    last = stream.lastId
    if args.id is None:
        entryId = stream.nextId(client.server.store.now)
    elif args.seqGiven:
        entryId = args.id
    elif args.id[0] == last[0]:
        if last[1] == ID_MAX:
            raise CommandError(errors.XADD_ID_TOO_SMALL)
        entryId = (last[0], last[1] + 1)
    else:
        entryId = args.id
    if entryId <= last:
        raise CommandError(errors.XADD_ID_TOO_SMALL)
    stream.append(entryId, argv[fieldIndex:])
    if not created:
        db.modified(key)
    _notify(client, b"xadd", key)
    rewritten = None
    if args.strategy:
        if _trim(stream, args):
            _notify(client, b"xtrim", key)
        if args.approx:
            rewritten = list(argv)
            _rewriteApproxTrim(stream, args, rewritten)
    if args.id is None or not args.seqGiven:
        rewritten = rewritten or list(argv)
        rewritten[idIndex] = formatId(entryId)
    if rewritten is not None:
        client.propagateAs = [rewritten]
    client.server.blocking.signal(client.dbIndex, key)
    return formatId(entryId)


@command("xtrim", -4, ["write"], 1, 1, 1, group="stream")
def xtrim(client, argv):
    args, _ = _parseTrimArgs(client, argv, False)
    key = argv[1]
    stream = client.db.getTyped(key, Stream, write=True)
    if stream is None:
        return 0
    deleted = _trim(stream, args)
    if deleted:
        _notify(client, b"xtrim", key)
        if args.approx:
            rewritten = list(argv)
            _rewriteApproxTrim(stream, args, rewritten)
            client.propagateAs = [rewritten]
        client.db.modified(key, deleted)
    return deleted


# --- XRANGE, XREVRANGE, XLEN, XDEL -------------------------------------------


def _range(client, argv, reverse):
    startArg, endArg = (argv[3], argv[2]) if reverse else (argv[2], argv[3])
    start = _intervalStart(startArg)
    end = _intervalEnd(endArg)
    count = -1
    j = 4
    while j < len(argv):
        if argv[j].lower() == b"count" and j + 1 < len(argv):
            count = max(integerArgument(argv[j + 1]), 0)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    stream = client.db.getTyped(argv[1], Stream)
    if stream is None:
        return []
    if count == 0:
        return NULL_ARRAY
    return _entries(stream.range(start, end, max(count, 0), reverse))


@command("xrange", -4, ["readonly"], 1, 1, 1, group="stream")
def xrange(client, argv):
    return _range(client, argv, False)


@command("xrevrange", -4, ["readonly"], 1, 1, 1, group="stream")
def xrevrange(client, argv):
    return _range(client, argv, True)


@command("xlen", 2, ["readonly", "fast"], 1, 1, 1, group="stream")
def xlen(client, argv):
    stream = client.db.getTyped(argv[1], Stream)
    return 0 if stream is None else len(stream)


@command("xdel", -3, ["write", "fast"], 1, 1, 1, group="stream")
def xdel(client, argv):
    key = argv[1]
    stream = client.db.getTyped(key, Stream, write=True)
    if stream is None:
        return 0
    ids = [_strictId(arg) for arg in argv[2:]]
    deleted = 0
    firstEntry = False
    for entryId in ids:
        if stream.delete(entryId):
            if entryId == stream.firstId:
                firstEntry = True
            if entryId > stream.maxDeletedId:
                stream.maxDeletedId = entryId
            deleted += 1
    if deleted:
        if not stream.entries:
            stream.firstId = MIN_ID
        elif firstEntry:
            stream.firstId = stream.entries.peekitem(0)[0]
        client.db.modified(key, deleted)
        _notify(client, b"xdel", key)
    return deleted


# --- XSETID ------------------------------------------------------------------


@command("xsetid", -3, ["write", "denyoom", "fast"], 1, 1, 1, group="stream")
def xsetid(client, argv):
    lastId = _strictId(argv[2])
    entriesAdded = -1
    maxDeleted = MIN_ID
    i = 3
    while i < len(argv):
        moreargs = len(argv) - 1 - i
        opt = argv[i].lower()
        if opt == b"entriesadded" and moreargs:
            entriesAdded = integerArgument(argv[i + 1])
            if entriesAdded < 0:
                raise CommandError(errors.XSETID_ENTRIES_ADDED_NEGATIVE)
        elif opt == b"maxdeletedid" and moreargs:
            maxDeleted = _strictId(argv[i + 1])
            if lastId < maxDeleted:
                raise CommandError(errors.XSETID_BELOW_MAX_DELETED_ARG)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    key = argv[1]
    stream = client.db.getTyped(key, Stream, write=True)
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    if stream.entries:
        if lastId < stream.lastValidId():
            raise CommandError(errors.XSETID_BELOW_TOP)
        if entriesAdded != -1 and len(stream) > entriesAdded:
            raise CommandError(errors.XSETID_ENTRIES_ADDED_SMALL)
    stream.lastId = lastId
    if entriesAdded != -1:
        stream.entriesAdded = entriesAdded
    if maxDeleted != MIN_ID:
        stream.maxDeletedId = maxDeleted
    # Redis 7.0's XSETID does not signalModifiedKey: WATCH does not see it.
    _dirty(client)
    _notify(client, b"xsetid", key)
    return OK


# --- consumer groups: propagation helpers --------------------------------------


def _xclaimArgv(key, group, entryId, pending):
    # streamPropagateXCLAIM: what replicas apply for one delivered entry.
    return [
        b"XCLAIM",
        key,
        group.name,
        pending.consumer.name,
        b"0",
        entryId if type(entryId) is bytes else formatId(entryId),
        b"TIME",
        b"%d" % (pending.deliveryTime,),
        b"RETRYCOUNT",
        b"%d" % (pending.deliveryCount,),
        b"FORCE",
        b"JUSTID",
        b"LASTID",
        formatId(group.lastId),
    ]


def _setIdArgv(key, group):
    # streamPropagateGroupID.
    return [
        b"XGROUP",
        b"SETID",
        key,
        group.name,
        formatId(group.lastId),
        b"ENTRIESREAD",
        b"%d" % (group.entriesRead,),
    ]


def _dirty(client, changes=1):
    # Redis counts these changes with server.dirty++ alone, without
    # signalModifiedKey.
    client.server.store.dirty += changes


# --- XREAD, XREADGROUP ---------------------------------------------------------


class _ReadRequest:
    """
    A parsed XREAD or XREADGROUP.

    @ivar ids: per key, the id entries must be greater than; L{None} for
        XREADGROUP's C{>}.
    """

    def __init__(self):
        self.count = 0
        self.block = None
        self.keys = []
        self.ids = []
        self.group = None
        self.consumer = None
        self.noack = False


def _parseRead(client, argv, xreadgroup):
    request = _ReadRequest()
    streamsArg = 0
    i = 1
    argc = len(argv)
    while i < argc:
        moreargs = argc - i - 1
        opt = argv[i].lower()
        if opt == b"block" and moreargs:
            i += 1
            request.block = blocking.parseTimeout(argv[i], client.server.store.now, milliseconds=True)
        elif opt == b"count" and moreargs:
            i += 1
            request.count = max(integerArgument(argv[i]), 0)
        elif opt == b"streams" and moreargs:
            streamsArg = i + 1
            streamsCount = argc - streamsArg
            if streamsCount % 2:
                # Redis 7.0 words it for XREAD even when XREADGROUP is called.
                raise CommandError(errors.XREAD_UNBALANCED)
            break
        elif opt == b"group" and moreargs >= 2:
            if not xreadgroup:
                raise CommandError(errors.XREAD_GROUP_OPTION)
            request.group = argv[i + 1]
            request.consumer = argv[i + 2]
            i += 2
        elif opt == b"noack":
            if not xreadgroup:
                raise CommandError(errors.XREAD_NOACK_OPTION)
            request.noack = True
        else:
            raise CommandError(errors.SYNTAX)
        i += 1
    if not streamsArg:
        raise CommandError(errors.SYNTAX)
    if xreadgroup and request.group is None:
        raise CommandError(errors.XREADGROUP_MISSING_GROUP)
    half = (argc - streamsArg) // 2
    request.keys = argv[streamsArg : streamsArg + half]
    db = client.db
    for key, arg in zip(request.keys, argv[streamsArg + half :]):
        stream = db.getTyped(key, Stream)
        if request.group is not None:
            if stream is None or request.group not in stream.groups:
                raise CommandError(
                    errors.XREADGROUP_NOGROUP.format(safe(key), safe(request.group))
                )
        if arg == b"$":
            if xreadgroup:
                raise CommandError(errors.XREADGROUP_DOLLAR)
            request.ids.append(stream.lastId if stream is not None else MIN_ID)
        elif arg == b">":
            if not xreadgroup:
                raise CommandError(errors.XREAD_GREATER)
            request.ids.append(None)
        else:
            request.ids.append(_strictId(arg))
    return request


def _serveGroup(client, key, stream, group, consumerName, start, count, noack, history, propagate):
    """
    Read for a consumer of a group (C{streamReplyWithRange} with a group,
    or C{streamReplyWithRangeFromConsumerPEL} for history).

    @param propagate: a list the commands to propagate are appended to.
    @return: the entries reply.
    """
    now = client.server.store.now
    consumer = group.consumers.get(consumerName)
    if consumer is None:
        consumer = group.createConsumer(consumerName, now)
        _dirty(client)
        _notify(client, b"xgroup-createconsumer", key)
        if noack:
            # Without NOACK the XCLAIMs create the consumer on replicas.
            propagate.append([b"XGROUP", b"CREATECONSUMER", key, group.name, consumerName])
    consumer.seenTime = now
    _dirty(client)
    if history:
        # The consumer's own pending entries from start on, delivered once
        # more; entries deleted since are answered with null fields.
        reply = []
        for entryId in consumer.pending.irange(start, None):
            if count and len(reply) == count:
                break
            fields = stream.entries.get(entryId)
            if fields is None:
                reply.append([formatId(entryId), NULL_ARRAY])
                continue
            pending = consumer.pending[entryId]
            pending.deliveryTime = now
            pending.deliveryCount += 1
            reply.append(_entry(entryId, fields))
        return reply
    items = stream.range(start, MAX_ID, count)
    moved = False
    for entryId, fields in items:
        if stream.deliver(group, entryId):
            moved = True
        if noack:
            continue
        pending = group.pending.get(entryId)
        if pending is None:
            pending = group.pending[entryId] = Pending(consumer, now)
        else:
            # The group's position was set back (XGROUP SETID): the entry
            # changes hands and its delivery count starts again.
            pending.consumer.pending.pop(entryId, None)
            pending.consumer = consumer
            pending.deliveryTime = now
            pending.deliveryCount = 1
        consumer.pending[entryId] = pending
        propagate.append(_xclaimArgv(key, group, entryId, pending))
    if noack and moved:
        propagate.append(_setIdArgv(key, group))
    return _entries(items)


def _readOnce(client, request, count, history=None):
    """
    Serve a read if any stream has something for it.

    @return: the reply, or L{None} when nothing can be served.
    """
    db = client.db
    results = []
    propagate = []
    # A group read changes the group in place: a save in progress keeps
    # its own copy first.
    get = db.get if request.group is None else db.getForWrite
    for index, key in enumerate(request.keys):
        stream = get(key)
        if type(stream) is not Stream:
            continue
        wanted = request.ids[index]
        if request.group is not None:
            group = stream.groups[request.group]
            if wanted is not None:
                start = incrId(wanted) or MAX_ID
                entries = _serveGroup(
                    client, key, stream, group, request.consumer, start, count, request.noack, True, propagate
                )
            elif stream.entries and stream.lastValidId() > group.lastId:
                entries = _serveGroup(
                    client,
                    key,
                    stream,
                    group,
                    request.consumer,
                    incrId(group.lastId),
                    count,
                    request.noack,
                    False,
                    propagate,
                )
            else:
                continue
        elif stream.entries and stream.lastValidId() > wanted:
            entries = _entries(stream.range(incrId(wanted), MAX_ID, count))
        else:
            continue
        results.append((key, entries))
    if not results:
        return None
    if request.group is not None:
        client.propagateAs = propagate
    return _streamReply(client, results)


def _blockedRead(client, request):
    """
    The retry function of a blocked XREAD/XREADGROUP: Redis's
    C{serveClientsBlockedOnStreamKey}, which hands a blocked client the
    entries of one stream.
    """
    count = request.count or BLOCKED_DEFAULT_COUNT

    def retry():
        db = client.db
        for index, key in enumerate(request.keys):
            stream = db.get(key)
            if request.group is not None:
                if type(stream) is not Stream:
                    raise CommandError(errors.XREADGROUP_KEY_GONE)
                group = stream.groups.get(request.group)
                if group is None:
                    raise CommandError(errors.XREADGROUP_GROUP_GONE)
                if not stream.entries or stream.lastValidId() <= group.lastId:
                    continue
            elif type(stream) is not Stream:
                continue
            elif not stream.entries or stream.lastValidId() <= request.ids[index]:
                continue
            single = _ReadRequest()
            single.keys = [key]
            single.ids = [request.ids[index]]
            single.group = request.group
            single.consumer = request.consumer
            single.noack = request.noack
            reply = _readOnce(client, single, count)
            if reply is not None:
                return reply
        return None

    return retry


def _read(client, argv, xreadgroup):
    request = _parseRead(client, argv, xreadgroup)
    reply = _readOnce(client, request, request.count)
    if reply is not None:
        return reply
    if request.block is None:
        return NULL_ARRAY
    blocking = client.server.blocking
    if not blocking.canBlock(client):
        return NULL_ARRAY
    return blocking.block(client, request.keys, request.block, _blockedRead(client, request), onDelete=True)


def _readKeys(argv):
    # The keys of XREAD/XREADGROUP: the first half after STREAMS.
    for i in range(1, len(argv)):
        if argv[i].lower() == b"streams":
            rest = len(argv) - i - 1
            return list(range(i + 1, i + 1 + rest // 2))
    return []


@command(
    "xread", -4, ["readonly", "blocking", "movablekeys"], 0, 0, 0, group="stream", getKeys=_readKeys
)
def xread(client, argv):
    return _read(client, argv, False)


@command(
    "xreadgroup", -7, ["write", "blocking", "movablekeys"], 0, 0, 0, group="stream", getKeys=_readKeys
)
def xreadgroup(client, argv):
    return _read(client, argv, True)


# --- XACK, XPENDING ------------------------------------------------------------


def _groupOf(client, key, groupName, write=False):
    stream = client.db.getTyped(key, Stream, write=write)
    group = stream.groups.get(groupName) if stream is not None else None
    return stream, group


def _noGroup(key, groupName):
    return CommandError(errors.NOGROUP_KEY_OR_GROUP.format(safe(key), safe(groupName)))


@command("xack", -4, ["write", "fast"], 1, 1, 1, group="stream")
def xack(client, argv):
    stream, group = _groupOf(client, argv[1], argv[2], write=True)
    if group is None:
        return 0
    ids = [_strictId(arg) for arg in argv[3:]]
    acknowledged = 0
    for entryId in ids:
        if group.removePending(entryId):
            acknowledged += 1
    _dirty(client, acknowledged)
    return acknowledged


@command("xpending", -3, ["readonly"], 1, 1, 1, group="stream")
def xpending(client, argv):
    argc = len(argv)
    if argc != 3 and (argc < 6 or argc > 9):
        raise CommandError(errors.SYNTAX)
    minIdle = 0
    consumerName = None
    if argc >= 6:
        startIndex = 3
        if argv[3].lower() == b"idle":
            minIdle = integerArgument(argv[4])
            if argc < 8:
                raise CommandError(errors.SYNTAX)
            startIndex += 2
        count = max(integerArgument(argv[startIndex + 2]), 0)
        start = _intervalStart(argv[startIndex])
        end = _intervalEnd(argv[startIndex + 1])
        if startIndex + 3 < argc:
            consumerName = argv[startIndex + 3]
    stream, group = _groupOf(client, argv[1], argv[2])
    if group is None:
        raise _noGroup(argv[1], argv[2])
    if argc == 3:
        if not group.pending:
            return [0, None, None, NULL_ARRAY]
        return [
            len(group.pending),
            formatId(group.pending.peekitem(0)[0]),
            formatId(group.pending.peekitem(-1)[0]),
            [
                [c.name, b"%d" % (len(c.pending),)]
                for c in group.sortedConsumers()
                if c.pending
            ],
        ]
    pel = group.pending
    if consumerName is not None:
        consumer = group.consumers.get(consumerName)
        if consumer is None:
            return []
        pel = consumer.pending
    now = client.server.store.now
    reply = []
    if start > end:
        return reply
    for entryId in pel.irange(start, end):
        if not count:
            break
        pending = pel[entryId]
        if minIdle and now - pending.deliveryTime < minIdle:
            continue
        count -= 1
        reply.append(
            [
                formatId(entryId),
                pending.consumer.name,
                max(now - pending.deliveryTime, 0),
                pending.deliveryCount,
            ]
        )
    return reply


# --- XCLAIM, XAUTOCLAIM --------------------------------------------------------


class _Claimer:
    """
    Hands pending entries of a group to one consumer (XCLAIM, XAUTOCLAIM),
    creating it on the first entry that is claimed.
    """

    def __init__(self, client, key, stream, group, name, justId):
        self.client = client
        self.key = key
        self.stream = stream
        self.group = group
        self.name = name
        self.justId = justId
        self.consumer = None

    def claim(self, entryId, pending, deliveryTime, retryCount=-1):
        """
        Give C{pending} to the consumer.

        @return: the reply item: the id (JUSTID) or the entry.
        """
        now = self.client.server.store.now
        consumer = self.consumer
        if consumer is None:
            consumer = self.group.consumers.get(self.name)
            if consumer is None:
                consumer = self.group.createConsumer(self.name, now)
                _dirty(self.client)
                _notify(self.client, b"xgroup-createconsumer", self.key)
            consumer.seenTime = now
            self.consumer = consumer
        pending.deliveryTime = deliveryTime
        if retryCount >= 0:
            pending.deliveryCount = retryCount
        elif not self.justId:
            pending.deliveryCount += 1
        if pending.consumer is not consumer:
            if pending.consumer is not None:
                pending.consumer.pending.pop(entryId, None)
            consumer.pending[entryId] = pending
            pending.consumer = consumer
        _dirty(self.client)
        if self.justId:
            return formatId(entryId)
        return _entry(entryId, self.stream.entries[entryId])


@command("xclaim", -6, ["write", "fast"], 1, 1, 1, group="stream")
def xclaim(client, argv):
    key = argv[1]
    stream, group = _groupOf(client, key, argv[2], write=True)
    if group is None:
        raise _noGroup(key, argv[2])
    minIdle = max(integerArgument(argv[4], errors.XCLAIM_MIN_IDLE), 0)
    ids = []
    j = 5
    while j < len(argv):
        try:
            ids.append((argv[j], _strictId(argv[j])))
        except CommandError:
            break
        j += 1
    now = client.server.store.now
    deliveryTime = -1
    retryCount = -1
    force = justId = False
    lastId = None
    while j < len(argv):
        moreargs = len(argv) - 1 - j
        opt = argv[j].lower()
        if opt == b"force":
            force = True
        elif opt == b"justid":
            justId = True
        elif opt == b"idle" and moreargs:
            j += 1
            deliveryTime = now - integerArgument(argv[j], errors.XCLAIM_IDLE)
        elif opt == b"time" and moreargs:
            j += 1
            deliveryTime = integerArgument(argv[j], errors.XCLAIM_TIME)
        elif opt == b"retrycount" and moreargs:
            j += 1
            retryCount = integerArgument(argv[j], errors.XCLAIM_RETRYCOUNT)
        elif opt == b"lastid" and moreargs:
            j += 1
            lastId = _strictId(argv[j])
        else:
            raise CommandError(errors.XCLAIM_UNRECOGNIZED.format(safe(argv[j])))
        j += 1
    propagateLastId = False
    if lastId is not None and lastId > group.lastId:
        group.lastId = lastId
        propagateLastId = True
    if deliveryTime == -1 or deliveryTime < 0 or deliveryTime > now:
        # Bogus times (a client clock ahead of ours) count as now.
        deliveryTime = now
    claimer = _Claimer(client, key, stream, group, argv[3], justId)
    reply = []
    propagate = []
    for raw, entryId in ids:
        pending = group.pending.get(entryId)
        if entryId not in stream.entries:
            if pending is not None:
                # The entry is gone: drop it from the pending lists.
                propagate.append(_xclaimArgv(key, group, raw, pending))
                propagateLastId = False
                _dirty(client)
                group.removePending(entryId)
            continue
        if force and pending is None:
            pending = group.pending[entryId] = Pending(None, now)
        if pending is None:
            continue
        if pending.consumer is not None and minIdle and now - pending.deliveryTime < minIdle:
            continue
        reply.append(claimer.claim(entryId, pending, deliveryTime, retryCount))
        propagate.append(_xclaimArgv(key, group, raw, pending))
        propagateLastId = False
    if propagateLastId:
        propagate.append(_setIdArgv(key, group))
        _dirty(client)
    client.propagateAs = propagate
    return reply


@command("xautoclaim", -6, ["write", "fast"], 1, 1, 1, group="stream")
def xautoclaim(client, argv):
    minIdle = max(integerArgument(argv[4], errors.XAUTOCLAIM_MIN_IDLE), 0)
    start = _intervalStart(argv[5])
    count = 100
    justId = False
    j = 6
    while j < len(argv):
        moreargs = len(argv) - 1 - j
        opt = argv[j].lower()
        if opt == b"count" and moreargs:
            count = parseInt(argv[j + 1])
            if count is None or not 1 <= count <= _LONG_MAX // 16:
                raise CommandError(errors.XAUTOCLAIM_COUNT)
            j += 1
        elif opt == b"justid":
            justId = True
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    key = argv[1]
    stream, group = _groupOf(client, key, argv[2], write=True)
    if group is None:
        raise _noGroup(key, argv[2])
    now = client.server.store.now
    attempts = count * _AUTOCLAIM_ATTEMPTS
    claimer = _Claimer(client, key, stream, group, argv[3], justId)
    claimed = []
    deleted = []
    propagate = []
    # A copy of the part of the list this call may visit: entries go from
    # the group's list while it runs.
    candidates = list(itertools.islice(group.pending.irange(start, None), attempts + 1))
    cursor = MIN_ID
    for entryId in candidates:
        if not attempts or not count:
            cursor = entryId
            break
        attempts -= 1
        pending = group.pending[entryId]
        if entryId not in stream.entries:
            propagate.append(_xclaimArgv(key, group, entryId, pending))
            _dirty(client)
            group.removePending(entryId)
            deleted.append(formatId(entryId))
            count -= 1
            continue
        if minIdle and now - pending.deliveryTime < minIdle:
            continue
        claimed.append(claimer.claim(entryId, pending, now))
        count -= 1
        propagate.append(_xclaimArgv(key, group, entryId, pending))
    client.propagateAs = propagate
    return [formatId(cursor), claimed, deleted]


# --- XGROUP --------------------------------------------------------------------

container("xgroup", -2, group="stream")

_XGROUP_HELP = [
    b"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"CREATE <key> <groupname> <id|$> [option]",
    b"    Create a new consumer group. Options are:",
    b"    * MKSTREAM",
    b"      Create the empty stream if it does not exist.",
    b"    * ENTRIESREAD entries_read",
    b"      Set the group's entries_read counter (internal use).",
    b"CREATECONSUMER <key> <groupname> <consumer>",
    b"    Create a new consumer in the specified group.",
    b"DELCONSUMER <key> <groupname> <consumer>",
    b"    Remove the specified consumer.",
    b"DESTROY <key> <groupname>",
    b"    Remove the specified group.",
    b"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    b"    Set the current group ID and entries_read counter.",
    b"HELP",
    b"    Prints this help.",
]


def _subcommandSyntax(argv):
    return CommandError(
        errors.SUBCOMMAND_SYNTAX.format(safe(argv[1])[:128], argv[0].decode("latin-1").upper())
    )


def _entriesRead(data):
    value = integerArgument(data)
    if value < 0 and value != INVALID_ENTRIES_READ:
        raise CommandError(errors.ENTRIESREAD_NEGATIVE)
    return value


def _xgroupTarget(client, argv, mkstream=False, needGroup=True):
    """
    The lookups every XGROUP subcommand but HELP starts with.

    @return: C{(stream, group)}.
    """
    stream = client.db.getTyped(argv[2], Stream, write=True)
    if stream is None and not mkstream:
        raise CommandError(errors.XGROUP_KEY_MISSING)
    group = stream.groups.get(argv[3]) if stream is not None else None
    if group is None and needGroup:
        raise CommandError(errors.NOGROUP_FOR_KEY.format(safe(argv[3]), safe(argv[2])))
    return stream, group


@command("xgroup|create", -5, ["write", "denyoom"], 2, 2, 1, group="stream")
def xgroupCreate(client, argv):
    mkstream = False
    entriesRead = INVALID_ENTRIES_READ
    i = 5
    while i < len(argv):
        opt = argv[i].lower()
        if opt == b"mkstream":
            mkstream = True
            i += 1
        elif opt == b"entriesread" and i + 1 < len(argv):
            entriesRead = _entriesRead(argv[i + 1])
            i += 2
        else:
            raise _subcommandSyntax(argv)
    key = argv[2]
    stream, group = _xgroupTarget(client, argv, mkstream, needGroup=False)
    if len(argv) > 8:
        raise _subcommandSyntax(argv)
    if argv[4] == b"$":
        lastId = stream.lastId if stream is not None else MIN_ID
    else:
        lastId = _strictId(argv[4])
    if stream is None:
        stream = Stream()
        client.db.set(key, stream)
    if argv[3] in stream.groups:
        raise CommandError(errors.BUSYGROUP)
    stream.groups[argv[3]] = ConsumerGroup(argv[3], lastId, entriesRead)
    # Only MKSTREAM's new key touches WATCH (dbAdd above).
    _dirty(client)
    _notify(client, b"xgroup-create", key)
    return OK


@command("xgroup|setid", -5, ["write"], 2, 2, 1, group="stream")
def xgroupSetid(client, argv):
    # xgroupCommand checks the argument count and parses ENTRIESREAD
    # before it looks the key up.
    if len(argv) not in (5, 7):
        raise _subcommandSyntax(argv)
    entriesRead = INVALID_ENTRIES_READ
    if len(argv) == 7:
        if argv[5].lower() != b"entriesread":
            raise _subcommandSyntax(argv)
        entriesRead = _entriesRead(argv[6])
    stream, group = _xgroupTarget(client, argv)
    if argv[4] == b"$":
        lastId = stream.lastId
    else:
        lastId = parseId(argv[4], strict=False)[0]
    group.lastId = lastId
    group.entriesRead = entriesRead
    _dirty(client)
    _notify(client, b"xgroup-setid", argv[2])
    return OK


@command("xgroup|destroy", 4, ["write"], 2, 2, 1, group="stream")
def xgroupDestroy(client, argv):
    stream, group = _xgroupTarget(client, argv, needGroup=False)
    if group is None:
        return 0
    del stream.groups[argv[3]]
    _dirty(client)
    _notify(client, b"xgroup-destroy", argv[2])
    # Clients blocked on the group get NOGROUP.
    client.server.blocking.signal(client.dbIndex, argv[2])
    return 1


@command("xgroup|createconsumer", 5, ["write", "denyoom"], 2, 2, 1, group="stream")
def xgroupCreateconsumer(client, argv):
    stream, group = _xgroupTarget(client, argv)
    if group.createConsumer(argv[4], client.server.store.now) is None:
        return 0
    _dirty(client)
    _notify(client, b"xgroup-createconsumer", argv[2])
    return 1


@command("xgroup|delconsumer", 5, ["write"], 2, 2, 1, group="stream")
def xgroupDelconsumer(client, argv):
    stream, group = _xgroupTarget(client, argv)
    consumer = group.consumers.get(argv[4])
    if consumer is None:
        return 0
    pending = len(consumer.pending)
    group.deleteConsumer(consumer)
    _dirty(client)
    _notify(client, b"xgroup-delconsumer", argv[2])
    return pending


@command("xgroup|help", 2, ["loading", "stale"], group="stream")
def xgroupHelp(client, argv):
    return [Status(line.decode()) for line in _XGROUP_HELP]


# --- XINFO ---------------------------------------------------------------------

container("xinfo", -2, group="stream")

_XINFO_HELP = [
    b"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"CONSUMERS <key> <groupname>",
    b"    Show consumers of <groupname>.",
    b"GROUPS <key>",
    b"    Show the stream consumer groups.",
    b"STREAM <key> [FULL [COUNT <count>]",
    b"    Show information about the stream.",
    b"HELP",
    b"    Prints this help.",
]


def _infoStream(client, argv):
    stream = client.db.getTyped(argv[2], Stream)
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    return stream


@command("xinfo|help", 2, ["loading", "stale"], group="stream")
def xinfoHelp(client, argv):
    return [Status(line.decode()) for line in _XINFO_HELP]


@command("xinfo|consumers", 4, ["readonly"], 2, 2, 1, group="stream")
def xinfoConsumers(client, argv):
    stream = _infoStream(client, argv)
    group = stream.groups.get(argv[3])
    if group is None:
        raise CommandError(errors.NOGROUP_FOR_KEY.format(safe(argv[3]), safe(argv[2])))
    now = client.server.now()
    return [
        Map(
            [
                (b"name", consumer.name),
                (b"pending", len(consumer.pending)),
                (b"idle", max(now - consumer.seenTime, 0)),
            ]
        )
        for consumer in group.sortedConsumers()
    ]


def _entriesReadReply(group):
    return None if group.entriesRead == INVALID_ENTRIES_READ else group.entriesRead


@command("xinfo|groups", 3, ["readonly"], 2, 2, 1, group="stream")
def xinfoGroups(client, argv):
    stream = _infoStream(client, argv)
    return [
        Map(
            [
                (b"name", group.name),
                (b"consumers", len(group.consumers)),
                (b"pending", len(group.pending)),
                (b"last-delivered-id", formatId(group.lastId)),
                (b"entries-read", _entriesReadReply(group)),
                (b"lag", stream.lag(group)),
            ]
        )
        for group in stream.sortedGroups()
    ]


@command("xinfo|stream", -3, ["readonly"], 2, 2, 1, group="stream")
def xinfoStream(client, argv):
    stream = _infoStream(client, argv)
    full = False
    count = 10
    if len(argv) > 3:
        if argv[3].lower() != b"full":
            raise _subcommandSyntax(argv)
        full = True
        if len(argv) > 4:
            if len(argv) != 6 or argv[4].lower() != b"count":
                raise _subcommandSyntax(argv)
            count = integerArgument(argv[5])
            if count < 0:
                count = 10
    items = [
        (b"length", len(stream)),
        (b"radix-tree-keys", stream.radixTreeKeys()),
        (b"radix-tree-nodes", stream.radixTreeNodes()),
        (b"last-generated-id", formatId(stream.lastId)),
        (b"max-deleted-entry-id", formatId(stream.maxDeletedId)),
        (b"entries-added", stream.entriesAdded),
        (b"recorded-first-entry-id", formatId(stream.firstId)),
    ]
    if not full:
        first = stream.range(MIN_ID, MAX_ID, 1)
        last = stream.range(MIN_ID, MAX_ID, 1, reverse=True)
        items += [
            (b"groups", len(stream.groups)),
            (b"first-entry", _entry(*first[0]) if first else None),
            (b"last-entry", _entry(*last[0]) if last else None),
        ]
        return Map(items)
    items.append((b"entries", _entries(stream.range(MIN_ID, MAX_ID, count))))
    groups = []
    for group in stream.sortedGroups():
        pel = list(group.pending.items())
        if count:
            pel = pel[:count]
        consumers = []
        for consumer in group.sortedConsumers():
            own = list(consumer.pending.items())
            if count:
                own = own[:count]
            consumers.append(
                Map(
                    [
                        (b"name", consumer.name),
                        (b"seen-time", consumer.seenTime),
                        (b"pel-count", len(consumer.pending)),
                        (
                            b"pending",
                            [[formatId(i), p.deliveryTime, p.deliveryCount] for i, p in own],
                        ),
                    ]
                )
            )
        groups.append(
            Map(
                [
                    (b"name", group.name),
                    (b"last-delivered-id", formatId(group.lastId)),
                    (b"entries-read", _entriesReadReply(group)),
                    (b"lag", stream.lag(group)),
                    (b"pel-count", len(group.pending)),
                    (
                        b"pending",
                        [
                            [formatId(i), p.consumer.name, p.deliveryTime, p.deliveryCount]
                            for i, p in pel
                        ],
                    ),
                    (b"consumers", consumers),
                ]
            )
        )
    items.append((b"groups", groups))
    return Map(items)
