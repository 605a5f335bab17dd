"""
Channel, pattern and shard-channel subscriptions, message delivery,
keyspace notifications.

One L{PubSub} per server holds who listens to what, as Redis's
C{server.pubsub_channels}, C{server.pubsub_patterns} and
C{server.pubsubshard_channels}; each subscribed client's own subscriptions
are kept here too, so a client carries only its total
(C{client.subscriptions}), which dispatch reads to restrict RESP2
subscribers.  Messages go to clients through L{txredisd.client.Client.push}
as they are published, encoded once per protocol version.
"""

from txredisd import glob
from txredisd.config import NOTIFY_BITS
# Re-exported: the pub/sub tests and callers measured buffers from here.
from txredisd.limits import bufferedBytes  # noqa: F401
from txredisd.resp import Push, Raw, encode

_KEYSPACE = NOTIFY_BITS["K"]
_KEYEVENT = NOTIFY_BITS["E"]


class _Subscriptions:
    """
    What one client listens to, in subscription order.
    """

    __slots__ = ("channels", "patterns", "shardChannels")

    def __init__(self):
        self.channels = {}
        self.patterns = {}
        self.shardChannels = {}


class _Kind:
    """
    One kind of subscription: its server-wide table, its client-side
    attribute and its reply words.
    """

    def __init__(self, attribute, subscribe, unsubscribe, shard):
        self.attribute = attribute
        self.subscribeWord = subscribe
        self.unsubscribeWord = unsubscribe
        self.shard = shard


CHANNELS = _Kind("channels", b"subscribe", b"unsubscribe", False)
PATTERNS = _Kind("patterns", b"psubscribe", b"punsubscribe", False)
SHARD_CHANNELS = _Kind("shardChannels", b"ssubscribe", b"sunsubscribe", True)


class PubSub:
    """
    The subscriptions of one server.

    @ivar channels: channel to an ordered L{dict} of its subscribed clients.
    @ivar patterns: pattern to an ordered L{dict} of its clients.
    @ivar shardChannels: shard channel to an ordered L{dict} of its clients.
    """

    def __init__(self, server):
        self.server = server
        self.channels = {}
        self.patterns = {}
        self.shardChannels = {}
        self._clients = {}
        self._setNotifyFlags(server.config["notify-keyspace-events"])
        server.config.observers.append(self._configChanged)
        server.disconnectHooks.append(self.unsubscribeAll)
        # RESET leaves every subscription without telling the client.
        server.resetHooks.append(self.unsubscribeAll)

    def _configChanged(self, name, value):
        if name == "notify-keyspace-events":
            self._setNotifyFlags(value)

    def _setNotifyFlags(self, flags):
        self._notifyFlags = flags
        store = self.server.store
        published = flags & (_KEYSPACE | _KEYEVENT)
        store.notifyNew = bool(published and flags & NOTIFY_BITS["n"])
        store.notifyMiss = bool(published and flags & NOTIFY_BITS["m"])
        if store.notifier is None or store.notifier == self.notify:
            # Every write notifies: with nothing to publish, the store
            # skips the call (a test or an embedder may have its own).
            store.notifier = self.notify if published and flags & ~(_KEYSPACE | _KEYEVENT) else None

    def _table(self, kind):
        return getattr(self, kind.attribute)

    def subscriptionsOf(self, client):
        """
        What a client listens to.

        @return: C{(channels, patterns, shardChannels)}, iterables of
            L{bytes}.
        """
        subs = self._clients.get(client)
        if subs is None:
            return (), (), ()
        return subs.channels, subs.patterns, subs.shardChannels

    def counts(self, client):
        """
        @return: C{(channels, patterns, shardChannels)} subscribed by
            C{client} (CLIENT LIST's C{sub}, C{psub}, C{ssub}).
        """
        subs = self._clients.get(client)
        if subs is None:
            return (0, 0, 0)
        return (len(subs.channels), len(subs.patterns), len(subs.shardChannels))

    def _count(self, subs, kind):
        # Redis answers shard (un)subscriptions with the shard count, the
        # others with channels plus patterns.
        if subs is None:
            return 0
        if kind.shard:
            return len(subs.shardChannels)
        return len(subs.channels) + len(subs.patterns)

    def _updateTotal(self, client, subs):
        total = len(subs.channels) + len(subs.patterns) + len(subs.shardChannels)
        client.subscriptions = total
        if not total:
            self._clients.pop(client, None)

    def subscribe(self, client, kind, names):
        """
        Subscribe C{client} to channels (or patterns), as Redis's
        C{pubsubSubscribeChannel}: every name is confirmed, including one
        already subscribed.

        @return: the confirmations, one push per name, as L{Raw} bytes in
            the client's protocol.
        """
        subs = self._clients.get(client)
        if subs is None:
            subs = self._clients[client] = _Subscriptions()
        mine = getattr(subs, kind.attribute)
        table = self._table(kind)
        frames = []
        for name in names:
            if name not in mine:
                mine[name] = None
                table.setdefault(name, {})[client] = None
            frames.append(encode(Push([kind.subscribeWord, name, self._count(subs, kind)]), client.resp3))
        self._updateTotal(client, subs)
        return Raw(b"".join(frames))

    def unsubscribe(self, client, kind, names):
        """
        Unsubscribe C{client} from the names given, or from all of this kind
        when none are (Redis's C{pubsubUnsubscribeAllChannels}, which
        answers a nil channel when there was nothing to leave).

        @return: the confirmations as L{Raw} bytes in the client's protocol.
        """
        subs = self._clients.get(client)
        mine = getattr(subs, kind.attribute) if subs is not None else {}
        if not names:
            names = list(mine)
            if not names:
                return Raw(encode(Push([kind.unsubscribeWord, None, self._count(subs, kind)]), client.resp3))
        frames = []
        for name in names:
            if name in mine:
                self._leave(client, mine, self._table(kind), name)
            frames.append(encode(Push([kind.unsubscribeWord, name, self._count(subs, kind)]), client.resp3))
        if subs is not None:
            self._updateTotal(client, subs)
        return Raw(b"".join(frames))

    def _leave(self, client, mine, table, name):
        del mine[name]
        clients = table.get(name)
        if clients is not None:
            clients.pop(client, None)
            if not clients:
                del table[name]

    def unsubscribeAll(self, client):
        """
        Drop every subscription of C{client} without telling it (the
        connection went away, or RESET).
        """
        subs = self._clients.pop(client, None)
        if subs is None:
            return
        for kind in (CHANNELS, PATTERNS, SHARD_CHANNELS):
            mine = getattr(subs, kind.attribute)
            table = self._table(kind)
            for name in list(mine):
                self._leave(client, mine, table, name)
        client.subscriptions = 0

    def publish(self, channel, message):
        """
        Send a message to the channel's subscribers, then to the clients
        whose patterns match it (Redis's C{pubsubPublishMessage}).

        @return: the number of clients it was sent to.
        """
        receivers = 0
        clients = self.channels.get(channel)
        if clients:
            frames = _Frames([b"message", channel, message])
            for client in list(clients):
                self._deliver(client, frames)
            receivers += len(clients)
        if self.patterns:
            for pattern, clients in list(self.patterns.items()):
                if not glob.match(pattern, channel):
                    continue
                frames = _Frames([b"pmessage", pattern, channel, message])
                for client in list(clients):
                    self._deliver(client, frames)
                receivers += len(clients)
        return receivers

    def publishShard(self, channel, message):
        """
        SPUBLISH: send a message to a shard channel's subscribers.

        @return: the number of clients it was sent to.
        """
        clients = self.shardChannels.get(channel)
        if not clients:
            return 0
        frames = _Frames([b"smessage", channel, message])
        for client in list(clients):
            self._deliver(client, frames)
        return len(clients)

    def notify(self, typeFlag, event, key, index):
        """
        Publish a keyspace notification as Redis's C{notifyKeyspaceEvent},
        if C{notify-keyspace-events} enables its class.

        @param typeFlag: the class letter (C{g}, C{$}, C{x}, ...).
        @param event: the event name (L{bytes}).
        """
        flags = self._notifyFlags
        if not flags & NOTIFY_BITS[typeFlag]:
            return
        if flags & _KEYSPACE:
            self.publish(b"__keyspace@%d__:%s" % (index, key), event)
        if flags & _KEYEVENT:
            self.publish(b"__keyevent@%d__:%s" % (index, event), key)

    def _deliver(self, client, frames):
        if client.closed:
            return
        # The output buffer limits are checked as the push is written
        # (txredisd.limits.checkOutputBuffer, from the protocol).
        client.push(frames.encoded(client.resp3))


class _Frames:
    """
    One message, encoded at most once per protocol version however many
    clients receive it.
    """

    __slots__ = ("items", "_resp2", "_resp3")

    def __init__(self, items):
        self.items = items
        self._resp2 = self._resp3 = None

    def encoded(self, resp3):
        if resp3:
            if self._resp3 is None:
                self._resp3 = Raw(encode(Push(self.items), True))
            return self._resp3
        if self._resp2 is None:
            self._resp2 = Raw(encode(Push(self.items), False))
        return self._resp2
