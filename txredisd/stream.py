"""
The stream value: entries in id order, consumer groups and their pending
entries lists, and a model of Redis's listpack nodes.

Entries live in a L{SortedDict} keyed by C{(ms, seq)} tuples, which gives
appends, deletions and id range scans in logarithmic time.  Beside it the
stream keeps a model of how Redis 7.0 packs entries into listpack nodes
(C{stream-node-max-entries} 100, C{stream-node-max-bytes} 4096): which
entries share a node, how many of them are marked deleted, and how many
bytes the tail node's listpack takes.  Approximate trimming (C{MAXLEN ~},
C{MINID ~}) removes only whole nodes, and XINFO STREAM reports the node
count, so both follow Redis from this model.

The model is exact while the stream lives in memory, and it keeps the
fields of the entries marked deleted, so the RDB codec and DUMP write the
nodes Redis would.  A dump read back (RDB file, RESTORE) keeps its node
layout; a dump without one (an older or made-up file) is packed anew (by
entries and bytes as on append).  XINFO's
C{radix-tree-nodes} is computed for the compressed layout of the node
keys, which is what Redis's rax holds after appends and trims.
"""

import bisect
import struct

from sortedcontainers import SortedDict

from txredisd.numbers import parseInt
from txredisd.persistence.rdb import GroupData, StreamData

#: The largest id part, C{UINT64_MAX}.
ID_MAX = (1 << 64) - 1
MIN_ID = (0, 0)
MAX_ID = (ID_MAX, ID_MAX)

#: Redis's defaults for C{stream-node-max-entries} and C{-bytes}.
NODE_MAX_ENTRIES = 100
NODE_MAX_BYTES = 4096

#: A group's C{entries_read} when it is not known (C{SCG_INVALID_ENTRIES_READ}).
INVALID_ENTRIES_READ = -1


def formatId(streamId):
    """
    @return: C{ms-seq} as L{bytes}.
    """
    return b"%d-%d" % streamId


def incrId(streamId):
    """
    The next id, as Redis's C{streamIncrID}.

    @return: the id, or L{None} past C{MAX_ID}.
    """
    ms, seq = streamId
    if seq == ID_MAX:
        if ms == ID_MAX:
            return None
        return (ms + 1, 0)
    return (ms, seq + 1)


def decrId(streamId):
    """
    The previous id, as Redis's C{streamDecrID}.

    @return: the id, or L{None} before C{MIN_ID}.
    """
    ms, seq = streamId
    if seq == 0:
        if ms == 0:
            return None
        return (ms - 1, ID_MAX)
    return (ms, seq - 1)


# --- listpack sizes ----------------------------------------------------------


def _intSize(value):
    # lpEncodeIntegerGetType: 7-bit uint, 13, 16, 24, 32 and 64-bit ints.
    if 0 <= value <= 127:
        return 1
    if -4096 <= value <= 4095:
        return 2
    if -32768 <= value <= 32767:
        return 3
    if -8388608 <= value <= 8388607:
        return 4
    if -2147483648 <= value <= 2147483647:
        return 5
    return 9


def _backlenSize(length):
    if length <= 127:
        return 1
    if length < 16383:
        return 2
    if length < 2097151:
        return 3
    if length < 268435455:
        return 4
    return 5


_NUMBER_STARTS = frozenset(bytes((c,)) for c in b"-0123456789")


def _elementSize(value):
    """
    The bytes one listpack element takes (encoding, data and back length).

    @param value: an L{int}, or L{bytes} stored as an integer when it is
        one (C{lpStringToInt64}).
    """
    if type(value) is not int:
        # Only strings that start like a number can be stored as one.
        number = parseInt(value) if value[:1] in _NUMBER_STARTS else None
        if number is None:
            n = len(value)
            size = n + (1 if n < 64 else 2 if n < 4096 else 5)
            return size + _backlenSize(size)
        value = number
    size = _intSize(value)
    return size + _backlenSize(size)


class _Node:
    """
    One listpack node of Redis's radix tree.

    @ivar masterId: the id of the node's first entry, its radix tree key.
    @ivar masterFields: the field names of the master entry.
    @ivar ids: every entry id the node holds, deleted ones included.
    @ivar live: entries not marked deleted.
    @ivar deleted: entries marked deleted.
    @ivar tombstones: the fields of the entries marked deleted, which
        Redis keeps in the listpack (and DUMP shows) until the node goes.
    @ivar size: the listpack's bytes (kept for the tail node's decisions).
    """

    __slots__ = ("masterId", "masterFields", "ids", "live", "deleted", "tombstones", "size")

    def __init__(self, masterId, masterFields):
        self.masterId = masterId
        self.masterFields = masterFields
        self.ids = []
        self.live = 0
        self.deleted = 0
        self.tombstones = {}
        # Header (6 bytes), terminator (1), the master entry: count,
        # deleted, number of fields, the fields and its 0 terminator.
        self.size = 7 + 2 + 2 + _elementSize(len(masterFields)) + 2
        self.size += sum(_elementSize(f) for f in masterFields)

    def add(self, entryId, fields):
        names = fields[0::2]
        ms, seq = entryId
        size = 2 + _elementSize(ms - self.masterId[0]) + _elementSize(seq - self.masterId[1])
        if names == self.masterFields:
            size += sum(_elementSize(v) for v in fields[1::2])
            count = len(names) + 3
        else:
            size += _elementSize(len(names)) + sum(_elementSize(v) for v in fields)
            count = len(fields) + 4
        size += _elementSize(count)
        self.size += size
        self.ids.append(entryId)
        self.live += 1

    def markDeleted(self, entryId, fields):
        """
        Flag an entry deleted, as Redis's C{streamIteratorRemoveEntry}.
        """
        self.live -= 1
        self.deleted += 1
        self.tombstones[entryId] = fields


class Consumer:
    """
    A consumer of a group.

    @ivar pending: its part of the group's pending entries list, id to
        L{Pending}.
    """

    __slots__ = ("name", "seenTime", "pending")

    def __init__(self, name, seenTime):
        self.name = name
        self.seenTime = seenTime
        self.pending = SortedDict()


class Pending:
    """
    A delivered, unacknowledged entry (Redis's C{streamNACK}).
    """

    __slots__ = ("consumer", "deliveryTime", "deliveryCount")

    def __init__(self, consumer, deliveryTime, deliveryCount=1):
        self.consumer = consumer
        self.deliveryTime = deliveryTime
        self.deliveryCount = deliveryCount


class ConsumerGroup:
    """
    A consumer group.

    @ivar lastId: the last delivered id.
    @ivar entriesRead: the logical read counter, or L{INVALID_ENTRIES_READ}.
    @ivar pending: id to L{Pending}, in id order.
    @ivar consumers: name to L{Consumer}.
    """

    def __init__(self, name, lastId, entriesRead):
        self.name = name
        self.lastId = lastId
        self.entriesRead = entriesRead
        self.pending = SortedDict()
        self.consumers = {}

    def createConsumer(self, name, now):
        """
        @return: the new L{Consumer}, or L{None} if the name is taken.
        """
        if name in self.consumers:
            return None
        consumer = self.consumers[name] = Consumer(name, now)
        return consumer

    def deleteConsumer(self, consumer):
        """
        Remove a consumer and its pending entries.
        """
        for entryId in consumer.pending:
            del self.pending[entryId]
        del self.consumers[consumer.name]

    def sortedConsumers(self):
        """
        @return: the consumers in name order, as Redis's radix tree gives them.
        """
        return [self.consumers[name] for name in sorted(self.consumers)]

    def removePending(self, entryId):
        """
        Acknowledge an entry: remove it from the group's and its consumer's
        pending lists.

        @return: L{True} if it was pending.
        """
        pending = self.pending.pop(entryId, None)
        if pending is None:
            return False
        if pending.consumer is not None:
            pending.consumer.pending.pop(entryId, None)
        return True


class Stream:
    """
    A stream.

    @ivar entries: C{(ms, seq)} to the tuple of fields and values.
    @ivar lastId: the last generated id.
    @ivar firstId: the recorded first entry id.
    @ivar maxDeletedId: the largest id deleted by XDEL.
    @ivar entriesAdded: entries ever added.
    @ivar groups: name to L{ConsumerGroup}.
    """

    def __init__(self):
        self.entries = SortedDict()
        self.lastId = MIN_ID
        self.firstId = MIN_ID
        self.maxDeletedId = MIN_ID
        self.entriesAdded = 0
        self.groups = {}
        self._nodes = []
        self._masters = []

    def __len__(self):
        return len(self.entries)

    # --- entries -------------------------------------------------------------

    def append(self, entryId, fields):
        """
        Add an entry whose id is above L{lastId}.

        @param fields: a tuple of field, value, ... L{bytes}.
        """
        fields = tuple(fields)
        node = self._nodes[-1] if self._nodes else None
        if node is not None:
            # streamAppendItem: a new node when the tail listpack would pass
            # the byte limit or holds the maximum count of entries, live
            # and deleted.
            if node.size + sum(len(x) for x in fields) >= NODE_MAX_BYTES:
                node = None
            elif node.live + node.deleted >= NODE_MAX_ENTRIES:
                node = None
        if node is None:
            node = _Node(entryId, fields[0::2])
            self._nodes.append(node)
            self._masters.append(entryId)
        node.add(entryId, fields)
        self.entries[entryId] = fields
        self.lastId = entryId
        self.entriesAdded += 1
        if len(self.entries) == 1:
            self.firstId = entryId

    def _loadNodes(self, nodes):
        """
        Take the node layout of a dump: the same entries in the same
        nodes, those marked deleted included.
        """
        for masterId, masterFields, entries in nodes:
            masterId = tuple(masterId)
            node = _Node(masterId, tuple(masterFields))
            self._nodes.append(node)
            self._masters.append(masterId)
            for entryId, fields, deleted in entries:
                entryId = tuple(entryId)
                fields = tuple(fields)
                node.add(entryId, fields)
                if deleted:
                    node.markDeleted(entryId, fields)
                else:
                    self.entries[entryId] = fields

    def nextId(self, now):
        """
        The id C{*} stands for at C{now} (Redis's C{streamNextID}).

        @return: the id, or L{None} when the last possible id was used.
        """
        if now > self.lastId[0]:
            return (now, 0)
        return incrId(self.lastId)

    def lastValidId(self):
        """
        @return: the id of the last live entry, else L{lastId}
            (C{streamLastValidID}).
        """
        if self.entries:
            return self.entries.peekitem(-1)[0]
        return self.lastId

    def _nodeOf(self, entryId):
        return self._nodes[bisect.bisect_right(self._masters, entryId) - 1]

    def _dropNode(self, index):
        for entryId in self._nodes[index].ids:
            self.entries.pop(entryId, None)
        del self._nodes[index]
        del self._masters[index]

    def delete(self, entryId):
        """
        Delete one entry (XDEL's C{streamDeleteItem}): it is marked deleted
        in its node, and a node left with no live entry goes.

        @return: L{True} if the entry existed.
        """
        fields = self.entries.pop(entryId, None)
        if fields is None:
            return False
        index = bisect.bisect_right(self._masters, entryId) - 1
        node = self._nodes[index]
        node.markDeleted(entryId, fields)
        if not node.live:
            self._dropNode(index)
        return True

    def trim(self, maxlen=None, minid=None, approx=False, limit=0):
        """
        Trim as Redis 7.0's C{streamTrim}: whole nodes from the head while
        they can all go, then (unless C{approx}) entries inside the next
        node.

        @param maxlen: trim to this length, or
        @param minid: trim the entries below this id.
        @param limit: at most this many entries, by whole nodes (0: no limit).
        @return: the number of entries removed.
        """
        entries = self.entries
        deleted = 0
        while self._nodes:
            if maxlen is not None and len(entries) <= maxlen:
                break
            node = self._nodes[0]
            live = node.live
            if limit and deleted + live > limit:
                break
            if maxlen is not None:
                removeNode = len(entries) - live >= maxlen
            else:
                # The node's last entry, deleted or not, decides.
                removeNode = node.ids[-1] < minid
            if removeNode:
                self._dropNode(0)
                deleted += live
                continue
            if approx:
                break
            for entryId in node.ids:
                if maxlen is not None:
                    if len(entries) <= maxlen:
                        break
                elif entryId >= minid:
                    break
                if entryId in entries:
                    node.markDeleted(entryId, entries.pop(entryId))
                    deleted += 1
            break
        if deleted:
            self.firstId = entries.peekitem(0)[0] if entries else MIN_ID
        return deleted

    def range(self, start, end, count=0, reverse=False):
        """
        Entries with ids from C{start} to C{end} inclusive.

        @param count: at most this many (0: all).
        @return: a list of C{(id, fields)}.
        """
        if start > end:
            return []
        ids = self.entries.irange(start, end, reverse=reverse)
        result = []
        entries = self.entries
        for entryId in ids:
            result.append((entryId, entries[entryId]))
            if len(result) == count:
                break
        return result

    def radixTreeKeys(self):
        """
        @return: the number of listpack nodes (XINFO's C{radix-tree-keys}).
        """
        return len(self._nodes)

    def radixTreeNodes(self):
        """
        @return: the node count of a radix tree holding the node keys
            (XINFO's C{radix-tree-nodes}), computed for the compressed
            layout Redis's rax keeps.
        """
        keys = [struct.pack(">QQ", *k) for k in self._masters]
        return _raxNodes(keys, 0) if keys else 1

    # --- groups and lag ---------------------------------------------------------

    def sortedGroups(self):
        """
        @return: the groups in name order.
        """
        return [self.groups[name] for name in sorted(self.groups)]

    def rangeHasTombstones(self, start):
        """
        Whether entries from C{start} on may include deleted ones
        (C{streamRangeHasTombstones} with no end).
        """
        if not self.entries or self.maxDeletedId == MIN_ID:
            return False
        if self.firstId > self.maxDeletedId:
            return False
        return start <= self.maxDeletedId

    def estimateEntriesRead(self, entryId):
        """
        The logical read counter of an id, as Redis 7.0's
        C{streamEstimateDistanceFromFirstEverEntry}.

        @return: the count, or L{INVALID_ENTRIES_READ}.
        """
        if not self.entriesAdded:
            return 0
        if not self.entries and entryId <= self.lastId:
            return self.entriesAdded
        if entryId == self.lastId:
            return self.entriesAdded
        if entryId > self.lastId:
            return INVALID_ENTRIES_READ
        if self.maxDeletedId == MIN_ID or self.maxDeletedId < self.firstId:
            if entryId < self.firstId:
                return self.entriesAdded - len(self.entries)
            if entryId == self.firstId:
                return self.entriesAdded - len(self.entries) + 1
        return INVALID_ENTRIES_READ

    def lag(self, group):
        """
        @return: the group's lag (C{streamReplyWithCGLag}), or L{None} when
            it cannot be known.
        """
        if not self.entriesAdded:
            return 0
        if group.entriesRead != INVALID_ENTRIES_READ and not self.rangeHasTombstones(group.lastId):
            return self.entriesAdded - group.entriesRead
        read = self.estimateEntriesRead(group.lastId)
        if read != INVALID_ENTRIES_READ:
            return self.entriesAdded - read
        return None

    def deliver(self, group, entryId):
        """
        Move a group's last delivered id forward to C{entryId}, keeping its
        read counter as C{streamReplyWithRange} does.
        """
        if entryId <= group.lastId:
            return False
        if group.entriesRead != INVALID_ENTRIES_READ and not self.rangeHasTombstones(entryId):
            group.entriesRead += 1
        elif self.entriesAdded:
            group.entriesRead = self.estimateEntriesRead(entryId)
        group.lastId = entryId
        return True

    # --- persistence ------------------------------------------------------------

    def toPlain(self):
        """
        @return: a L{StreamData} for the RDB codec.
        """
        data = StreamData()
        data.entries = [(entryId, list(fields)) for entryId, fields in self.entries.items()]
        entries = self.entries
        data.nodes = [
            (
                node.masterId,
                list(node.masterFields),
                [
                    (i, list(entries[i]), False) if i in entries else (i, list(node.tombstones[i]), True)
                    for i in node.ids
                ],
            )
            for node in self._nodes
        ]
        data.length = len(self.entries)
        data.lastId = self.lastId
        data.firstId = self.firstId
        data.maxDeletedId = self.maxDeletedId
        data.entriesAdded = self.entriesAdded
        for group in self.sortedGroups():
            # Redis writes an unknown counter (-1) as the unsigned 64-bit
            # length it casts to.
            entriesRead = group.entriesRead % (1 << 64)
            plain = GroupData(group.name, group.lastId, entriesRead)
            plain.pending = [(i, p.deliveryTime, p.deliveryCount) for i, p in group.pending.items()]
            plain.consumers = [
                (c.name, c.seenTime, c.seenTime, list(c.pending)) for c in group.sortedConsumers()
            ]
            data.groups.append(plain)
        return data

    @classmethod
    def fromPlain(cls, data):
        """
        @param data: a L{StreamData}.
        @return: a L{Stream}, its nodes as C{data} has them, or packed anew
            from the entries when it does not say.
        """
        stream = cls()
        if data.nodes is None:
            for entryId, fields in data.entries:
                stream.append(tuple(entryId), fields)
        else:
            stream._loadNodes(data.nodes)
        stream.lastId = tuple(data.lastId)
        stream.firstId = tuple(data.firstId)
        stream.maxDeletedId = tuple(data.maxDeletedId)
        stream.entriesAdded = data.entriesAdded
        for plain in data.groups:
            entriesRead = plain.entriesRead
            lastId = tuple(plain.lastId)
            if entriesRead is None:
                # An RDB before version 10 has no counter: Redis estimates it.
                entriesRead = stream.estimateEntriesRead(lastId)
            elif entriesRead >= 1 << 63:
                entriesRead -= 1 << 64
            group = ConsumerGroup(plain.name, lastId, entriesRead)
            for entryId, deliveryTime, count in plain.pending:
                group.pending[tuple(entryId)] = Pending(None, deliveryTime, count)
            for name, seen, active, ids in plain.consumers:
                consumer = group.consumers[name] = Consumer(name, seen)
                for entryId in ids:
                    pending = group.pending.get(tuple(entryId))
                    if pending is None:
                        # Not in the group's list: a corrupt file; skip it.
                        continue
                    pending.consumer = consumer
                    consumer.pending[tuple(entryId)] = pending
            # Every pending entry belongs to a consumer; a file that lists
            # one no consumer owns is corrupt: drop the entry.
            for entryId in [i for i, p in group.pending.items() if p.consumer is None]:
                del group.pending[entryId]
            stream.groups[group.name] = group
        return stream


def _raxNodes(keys, depth):
    # Nodes of a compressed radix tree below a node at 'depth' holding the
    # sorted, distinct keys that share their first 'depth' bytes: a chain
    # without branches is one compressed node, a branch has a child node
    # per distinct next byte, and every key ends in a node of its own.
    rest = [k for k in keys if len(k) > depth]
    if not rest:
        return 1
    first, last = rest[0], rest[-1]
    if first[depth] == last[depth]:
        common = depth
        limit = min(len(first), len(last))
        while common < limit and first[common] == last[common]:
            common += 1
        return 1 + _raxNodes(rest, common)
    total = 1
    start = 0
    for i in range(1, len(rest) + 1):
        if i == len(rest) or rest[i][depth] != rest[start][depth]:
            total += _raxNodes(rest[start:i], depth + 1)
            start = i
    return total
