"""
Tests for L{txredisd.pubsub} and L{txredisd.commands.pubsub}.
"""

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.config import Config, ConfigError
from txredisd.pubsub import bufferedBytes


def message(channel, payload, resp3=False):
    return b"%s3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        b">" if resp3 else b"*",
        len(channel),
        channel,
        len(payload),
        payload,
    )


class SubscribeTests(SynchronousTestCase):
    """
    Subscribing and unsubscribing, and their confirmations.
    """

    def setUp(self):
        self.conn = Connection()
        self.other = Connection(self.conn.server)

    def test_subscribe(self):
        """
        SUBSCRIBE confirms every channel in order with the number of
        subscriptions, a repeated channel included.
        """
        self.assertEqual(
            self.conn.call("SUBSCRIBE", "a", "b", "a"),
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n",
        )
        self.assertEqual(self.conn.client.subscriptions, 2)

    def test_subscribeRESP3(self):
        """
        In RESP3 confirmations are push frames.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(
            self.conn.call("SUBSCRIBE", "a"),
            b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n",
        )

    def test_counts(self):
        """
        Channel and pattern confirmations count both kinds; shard channels
        count only themselves.
        """
        c = self.conn
        c.call("SUBSCRIBE", "a")
        self.assertEqual(c.call("PSUBSCRIBE", "p*"), b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:2\r\n")
        self.assertEqual(c.call("SSUBSCRIBE", "s"), b"*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n")
        self.assertEqual(c.call("PUNSUBSCRIBE", "nope"), b"*3\r\n$12\r\npunsubscribe\r\n$4\r\nnope\r\n:2\r\n")
        self.assertEqual(c.client.subscriptions, 3)

    def test_unsubscribeNothing(self):
        """
        Unsubscribing from all with no subscription answers a nil channel
        and the count.
        """
        c = self.conn
        self.assertEqual(c.call("UNSUBSCRIBE"), b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n")
        c.call("PSUBSCRIBE", "p")
        self.assertEqual(c.call("UNSUBSCRIBE"), b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n")
        self.assertEqual(c.call("SUNSUBSCRIBE"), b"*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n")
        self.assertEqual(c.call("PUNSUBSCRIBE"), b"*3\r\n$12\r\npunsubscribe\r\n$1\r\np\r\n:0\r\n")
        c.call("HELLO", "3")
        self.assertEqual(c.call("PUNSUBSCRIBE"), b">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n")

    def test_unsubscribeAll(self):
        """
        UNSUBSCRIBE without arguments leaves every channel, one
        confirmation each, and the client leaves subscribed mode.
        """
        c = self.conn
        c.call("SUBSCRIBE", "a", "b")
        self.assertEqual(
            c.call("UNSUBSCRIBE"),
            b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n",
        )
        self.assertEqual(c.client.subscriptions, 0)
        self.assertEqual(c.call("GET", "x"), b"$-1\r\n")
        self.assertEqual(c.server.pubsub.channels, {})

    def test_resp2Restricted(self):
        """
        A RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET,
        until its last subscription of any kind goes.
        """
        c = self.conn
        c.call("SSUBSCRIBE", "s")
        c.call("SUBSCRIBE", "a")
        c.call("UNSUBSCRIBE")
        self.assertEqual(
            c.call("GET", "x"),
            b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
            b"PING / QUIT / RESET are allowed in this context\r\n",
        )
        self.assertEqual(
            c.call("PUBSUB", "NUMPAT"),
            b"-ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
            b"PING / QUIT / RESET are allowed in this context\r\n",
        )
        self.assertEqual(c.call("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        self.assertEqual(c.call("PING", "hi"), b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n")
        c.call("SUNSUBSCRIBE")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    def test_resp3Unrestricted(self):
        """
        A RESP3 subscriber may run any command.
        """
        c = self.conn
        c.call("HELLO", "3")
        c.call("SUBSCRIBE", "a")
        self.assertEqual(c.call("GET", "x"), b"_\r\n")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    def test_disconnect(self):
        """
        A client going away leaves all its subscriptions.
        """
        self.conn.call("SUBSCRIBE", "a")
        self.conn.call("PSUBSCRIBE", "p*")
        self.conn.call("SSUBSCRIBE", "s")
        self.conn.close()
        pubsub = self.conn.server.pubsub
        self.assertEqual((pubsub.channels, pubsub.patterns, pubsub.shardChannels), ({}, {}, {}))
        self.assertEqual(self.other.call("PUBLISH", "a", "x"), b":0\r\n")

    def test_reset(self):
        """
        RESET leaves all subscriptions without confirmations.
        """
        c = self.conn
        c.call("SUBSCRIBE", "a")
        c.call("PSUBSCRIBE", "p*")
        self.assertEqual(c.call("RESET"), b"+RESET\r\n")
        self.assertEqual(c.client.subscriptions, 0)
        self.assertEqual(self.other.call("PUBLISH", "a", "x"), b":0\r\n")

    def test_insideMulti(self):
        """
        SUBSCRIBE and PSUBSCRIBE work inside MULTI (their confirmations are
        EXEC's elements); SSUBSCRIBE is refused there.
        """
        c = self.conn
        c.call("MULTI")
        c.call("PSUBSCRIBE", "a*")
        c.call("SSUBSCRIBE", "s")
        c.call("SUBSCRIBE", "x")
        self.assertEqual(
            c.call("EXEC"),
            b"*3\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:1\r\n"
            b"-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n"
            b"*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:2\r\n",
        )

    def test_arity(self):
        """
        SUBSCRIBE needs a channel and PUBLISH a channel and a message.
        """
        self.assertEqual(self.conn.call("SUBSCRIBE"), b"-ERR wrong number of arguments for 'subscribe' command\r\n")
        self.assertEqual(self.conn.call("PUBLISH", "a"), b"-ERR wrong number of arguments for 'publish' command\r\n")


class PublishTests(SynchronousTestCase):
    """
    Messages reach channel, pattern and shard subscribers.
    """

    def setUp(self):
        self.server = makeServer()
        self.publisher = Connection(self.server)

    def subscriber(self, *argv, resp3=False):
        conn = Connection(self.server)
        if resp3:
            conn.call("HELLO", "3")
        conn.call(*argv)
        conn.transport.clear()
        return conn

    def test_message(self):
        """
        PUBLISH answers how many clients received the message; each gets a
        message frame in its protocol.
        """
        two = self.subscriber("SUBSCRIBE", "ch")
        three = self.subscriber("SUBSCRIBE", "ch", resp3=True)
        self.assertEqual(self.publisher.call("PUBLISH", "ch", "hello"), b":2\r\n")
        self.assertEqual(two.transport.value(), message(b"ch", b"hello"))
        self.assertEqual(three.transport.value(), message(b"ch", b"hello", resp3=True))
        self.assertEqual(self.publisher.call("PUBLISH", "other", "x"), b":0\r\n")

    def test_pattern(self):
        """
        Pattern subscribers get pmessage frames naming the pattern, and
        count among the receivers, after the channel's own subscribers.
        """
        conn = self.subscriber("PSUBSCRIBE", "h[ae]llo")
        conn.call("SUBSCRIBE", "hello")
        conn.transport.clear()
        self.assertEqual(self.publisher.call("PUBLISH", "hello", "m"), b":2\r\n")
        self.assertEqual(
            conn.transport.value(),
            message(b"hello", b"m") + b"*4\r\n$8\r\npmessage\r\n$8\r\nh[ae]llo\r\n$5\r\nhello\r\n$1\r\nm\r\n",
        )
        self.assertEqual(self.publisher.call("PUBLISH", "hillo", "m"), b":0\r\n")

    def test_escapedPattern(self):
        """
        Patterns follow Redis's glob: a backslash makes C{*} literal.
        """
        conn = self.subscriber("PSUBSCRIBE", "a\\*")
        self.assertEqual(self.publisher.call("PUBLISH", "ab", "m"), b":0\r\n")
        self.assertEqual(self.publisher.call("PUBLISH", "a*", "m"), b":1\r\n")
        self.assertIn(b"pmessage", conn.transport.value())

    def test_shard(self):
        """
        SPUBLISH reaches shard subscribers only, as smessage frames.
        """
        shard = self.subscriber("SSUBSCRIBE", "ch")
        plain = self.subscriber("SUBSCRIBE", "ch")
        self.assertEqual(self.publisher.call("SPUBLISH", "ch", "x"), b":1\r\n")
        self.assertEqual(shard.transport.value(), b"*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\nx\r\n")
        self.assertEqual(plain.transport.value(), b"")
        self.assertEqual(self.publisher.call("PUBLISH", "ch", "y"), b":1\r\n")
        self.assertEqual(shard.transport.value(), b"*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\nx\r\n")

    def test_publishToSelfRESP3(self):
        """
        A RESP3 client publishing to a channel it listens to gets the
        message before PUBLISH's reply, as Redis writes them.
        """
        conn = self.subscriber("SUBSCRIBE", "ch", resp3=True)
        self.assertEqual(conn.call("PUBLISH", "ch", "me"), message(b"ch", b"me", resp3=True) + b":1\r\n")
        self.assertEqual(
            conn.feed(b"PING\r\nPUBLISH ch again\r\n"),
            b"+PONG\r\n" + message(b"ch", b"again", resp3=True) + b":1\r\n",
        )

    def test_thousandSubscribers(self):
        """
        A thousand subscribers of one channel each receive every message, in
        publishing order.
        """
        subscribers = [self.subscriber("SUBSCRIBE", "news", resp3=bool(i % 2)) for i in range(1000)]
        payloads = [b"m%d" % (i,) for i in range(20)]
        for payload in payloads:
            self.assertEqual(self.publisher.call("PUBLISH", "news", payload), b":1000\r\n")
        for i, conn in enumerate(subscribers):
            expected = b"".join(message(b"news", p, resp3=bool(i % 2)) for p in payloads)
            self.assertEqual(conn.transport.value(), expected)


class IntrospectionTests(SynchronousTestCase):
    """
    PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB, HELP.
    """

    def setUp(self):
        self.server = makeServer()
        self.conn = Connection(self.server)
        a = Connection(self.server)
        a.call("SUBSCRIBE", "news", "sport")
        a.call("PSUBSCRIBE", "n*", "x*")
        a.call("SSUBSCRIBE", "shard")
        b = Connection(self.server)
        b.call("SUBSCRIBE", "news")
        b.call("PSUBSCRIBE", "n*")

    def test_channels(self):
        """
        CHANNELS lists channels with subscribers, filtered by a pattern.
        """
        self.assertEqual(self.conn.call("PUBSUB", "CHANNELS"), b"*2\r\n$4\r\nnews\r\n$5\r\nsport\r\n")
        self.assertEqual(self.conn.call("PUBSUB", "channels", "s*"), b"*1\r\n$5\r\nsport\r\n")
        self.assertEqual(
            self.conn.call("PUBSUB", "Channels", "a", "b"),
            b"-ERR unknown subcommand or wrong number of arguments for 'Channels'. Try PUBSUB HELP.\r\n",
        )
        self.assertEqual(self.conn.call("PUBSUB", "SHARDCHANNELS"), b"*1\r\n$5\r\nshard\r\n")

    def test_numsub(self):
        """
        NUMSUB counts each channel's subscribers, patterns excluded.
        """
        self.assertEqual(
            self.conn.call("PUBSUB", "NUMSUB", "news", "nobody"),
            b"*4\r\n$4\r\nnews\r\n:2\r\n$6\r\nnobody\r\n:0\r\n",
        )
        self.assertEqual(self.conn.call("PUBSUB", "NUMSUB"), b"*0\r\n")
        self.assertEqual(self.conn.call("PUBSUB", "SHARDNUMSUB", "shard"), b"*2\r\n$5\r\nshard\r\n:1\r\n")

    def test_numpat(self):
        """
        NUMPAT counts distinct patterns.
        """
        self.assertEqual(self.conn.call("PUBSUB", "NUMPAT"), b":2\r\n")
        self.assertEqual(
            self.conn.call("PUBSUB", "NUMPAT", "x"),
            b"-ERR wrong number of arguments for 'pubsub|numpat' command\r\n",
        )

    def test_errors(self):
        """
        PUBSUB needs a known subcommand.
        """
        self.assertEqual(self.conn.call("PUBSUB"), b"-ERR wrong number of arguments for 'pubsub' command\r\n")
        self.assertEqual(self.conn.call("PUBSUB", "foo"), b"-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n")

    def test_help(self):
        """
        HELP lists the subcommands as status lines.
        """
        reply = self.conn.call("PUBSUB", "HELP")
        self.assertTrue(reply.startswith(b"*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"))
        self.assertTrue(reply.endswith(b"+HELP\r\n+    Prints this help.\r\n"))


class KeyspaceNotificationTests(SynchronousTestCase):
    """
    notify-keyspace-events and the messages store.notify publishes.
    """

    def setUp(self):
        self.server = makeServer()
        self.listener = Connection(self.server)
        self.listener.call("PSUBSCRIBE", "__key*__:*")
        self.listener.transport.clear()

    def pmessage(self, channel, payload):
        pattern = b"__key*__:*"
        return b"*4\r\n$8\r\npmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
            len(pattern), pattern, len(channel), channel, len(payload), payload,
        )

    def test_disabledByDefault(self):
        """
        Nothing is published while notify-keyspace-events is empty.
        """
        self.server.store.notify("g", b"del", b"k", 0)
        self.assertEqual(self.listener.transport.value(), b"")

    def test_keyspaceAndKeyevent(self):
        """
        With K and E and the event's class, both channels get a message:
        the event on the key's channel, the key on the event's.
        """
        self.server.config.set("notify-keyspace-events", b"KEg")
        self.server.store.notify("g", b"del", b"k", 3)
        self.assertEqual(
            self.listener.transport.value(),
            self.pmessage(b"__keyspace@3__:k", b"del") + self.pmessage(b"__keyevent@3__:del", b"k"),
        )

    def test_classFilter(self):
        """
        Events of classes not enabled are not published, and without K or
        E nothing is.
        """
        self.server.config.set("notify-keyspace-events", b"K$")
        self.server.store.notify("l", b"lpush", b"k", 0)
        self.assertEqual(self.listener.transport.value(), b"")
        self.server.config.set("notify-keyspace-events", b"A")
        self.server.store.notify("g", b"del", b"k", 0)
        self.assertEqual(self.listener.transport.value(), b"")

    def test_expired(self):
        """
        A key expiring publishes the expired event of class x.
        """
        self.server.config.set("notify-keyspace-events", b"Ex")
        store = self.server.store
        store.now = 1000
        store.db(0).set(b"k", b"v")
        store.db(0).setExpire(b"k", 1500)
        store.now = 2000
        store.db(0).get(b"k")
        self.assertEqual(self.listener.transport.value(), self.pmessage(b"__keyevent@0__:expired", b"k"))

    def test_newAndKeymiss(self):
        """
        With n a key coming into being publishes new (before the command's
        own events); with m a read of a missing key publishes keymiss.
        """
        self.server.config.set("notify-keyspace-events", b"Enm")
        conn = Connection(self.server)
        conn.call("SET", "k", "v")
        conn.call("SET", "k", "w")
        conn.call("GET", "k")
        conn.call("GET", "nope")
        self.assertEqual(
            self.listener.transport.value(),
            self.pmessage(b"__keyevent@0__:new", b"k") + self.pmessage(b"__keyevent@0__:keymiss", b"nope"),
        )

    def test_parseAndRender(self):
        """
        The flags render as Redis's keyspaceEventsFlagsToString does: A
        for all classes, then K, E and m.
        """
        config = Config()
        for given, shown in [
            (b"", b""),
            (b"KEA", b"AKE"),
            (b"Kx", b"xK"),
            (b"Eg$lshzxetd", b"AE"),
            (b"mnK", b"nKm"),
            (b"AAK", b"AK"),
        ]:
            config.set("notify-keyspace-events", given)
            self.assertEqual(config.render("notify-keyspace-events"), shown)

    def test_invalid(self):
        """
        Unknown class characters are refused with Redis's text.
        """
        with self.assertRaises(ConfigError) as raised:
            Config().set("notify-keyspace-events", b"KQ")
        self.assertEqual(str(raised.exception), "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")


class OutputBufferLimitTests(SynchronousTestCase):
    """
    Subscribers that do not read are disconnected at the pubsub class's
    output buffer limits.
    """

    def setUp(self):
        self.server = makeServer()
        self.publisher = Connection(self.server)
        self.subscriber = Connection(self.server)
        self.subscriber.call("SUBSCRIBE", "ch")
        self.subscriber.transport.clear()

    def test_defaults(self):
        """
        The default limits are Redis's and render as CONFIG GET shows them.
        """
        self.assertEqual(
            self.server.config.render("client-output-buffer-limit"),
            b"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        )

    def test_setMerges(self):
        """
        Setting some classes keeps the others; units and aliases are
        accepted; mistakes are refused whole with Redis's texts.
        """
        config = Config()
        config.set("client-output-buffer-limit", b"pubsub 1mb 512kb 10 REPLICA 1gb 0 0")
        self.assertEqual(
            config.render("client-output-buffer-limit"),
            b"normal 0 0 0 slave 1073741824 0 0 pubsub 1048576 524288 10",
        )
        for text, error in [
            (b"pubsub 1mb 0", "Wrong number of arguments in buffer limit configuration."),
            (b"master 1 1 1", "Invalid client class specified in buffer limit configuration."),
            (b"pubsub 1mb 1 x", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            (b"normal 1 1 1 pubsub -1 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ]:
            with self.assertRaises(ConfigError) as raised:
                config.set("client-output-buffer-limit", text)
            self.assertEqual(str(raised.exception), error)
        self.assertEqual(config["client-output-buffer-limit"]["normal"], (0, 0, 0))

    def test_bufferedBytes(self):
        """
        A StringTransport's buffer is what was written since it was last
        cleared.
        """
        transport = StringTransport()
        transport.write(b"12345")
        self.assertEqual(bufferedBytes(transport), 5)

    def test_bufferedBytesWrapped(self):
        """
        A wrapping transport (TLS) is measured by the transport under it.
        """
        inner = StringTransport()
        inner.write(b"123")

        class Wrapper:
            transport = inner

        self.assertEqual(bufferedBytes(Wrapper()), 3)

    def test_hardLimit(self):
        """
        A subscriber whose unread output passes the hard limit is closed and
        gets no more messages; the publisher is still served.
        """
        self.server.config.set("client-output-buffer-limit", b"pubsub 1000 0 0")
        payload = b"x" * 300
        for _ in range(3):
            self.assertEqual(self.publisher.call("PUBLISH", "ch", payload), b":1\r\n")
        self.assertFalse(self.subscriber.transport.disconnecting)
        self.publisher.call("PUBLISH", "ch", payload)
        self.assertTrue(self.subscriber.transport.disconnecting)
        size = len(self.subscriber.transport.value())
        self.publisher.call("PUBLISH", "ch", payload)
        self.assertEqual(len(self.subscriber.transport.value()), size)
        self.subscriber.close()
        self.assertEqual(self.publisher.call("PUBLISH", "ch", payload), b":0\r\n")
        self.assertEqual(self.server.stats["client_output_buffer_limit_disconnections"], 1)

    def test_softLimit(self):
        """
        Over the soft limit a subscriber is closed only once it has stayed
        over for longer than the soft seconds.
        """
        self.server.config.set("client-output-buffer-limit", b"pubsub 0 100 10")
        clock = self.server.clock
        self.publisher.call("PUBLISH", "ch", b"x" * 200)
        clock.advance(10)
        self.publisher.call("PUBLISH", "ch", b"y")
        self.assertFalse(self.subscriber.transport.disconnecting)
        clock.advance(1)
        self.publisher.call("PUBLISH", "ch", b"z")
        self.assertTrue(self.subscriber.transport.disconnecting)

    def test_softLimitResets(self):
        """
        A subscriber that drains its buffer below the soft limit starts its
        soft-limit time again.
        """
        self.server.config.set("client-output-buffer-limit", b"pubsub 0 100 10")
        clock = self.server.clock
        self.publisher.call("PUBLISH", "ch", b"x" * 200)
        clock.advance(8)
        self.subscriber.transport.clear()
        self.publisher.call("PUBLISH", "ch", b"y")
        clock.advance(8)
        self.publisher.call("PUBLISH", "ch", b"x" * 200)
        clock.advance(8)
        self.publisher.call("PUBLISH", "ch", b"z")
        self.assertFalse(self.subscriber.transport.disconnecting)
