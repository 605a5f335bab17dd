"""
Tests for L{txredisd.embed}: a server started inside the test process on
the real reactor, driven by txredisapi and by a raw Twisted protocol.

The pytest-style tests run under pytest-twisted, whose reactor is shared by
the whole session, so every test stops its server and its clients and
checks that the reactor holds no delayed call and no connection more than
before.  L{TxredisapiTrialTests} runs the txredisapi scenarios under trial
(C{python3 -m twisted.trial tests.test_embed}); pytest runs that through
trial in a subprocess, since trial's TestCase cannot wait on a reactor that
pytest-twisted already runs.
"""

import os
import re
import subprocess
import sys

import pytest
import pytest_twisted
from twisted.application.service import MultiService
from twisted.internet import defer, endpoints, protocol
from twisted.internet.error import ConnectionDone, ConnectionRefusedError
from twisted.python import usage
from twisted.trial import unittest

from txredisd.embed import RedisService, makeOptions, startServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _reactor():
    from twisted.internet import reactor

    return reactor


class ReactorState:
    """
    The delayed calls and connections a reactor holds at one moment, to
    find what a test left behind.
    """

    def __init__(self, reactor):
        self.reactor = reactor
        self.delayedCalls = set(reactor.getDelayedCalls())
        self.selectables = self._selectables()

    def _selectables(self):
        return set(self.reactor.getReaders()) | set(self.reactor.getWriters())

    def leftovers(self):
        """
        @return: the delayed calls still pending and the connections or
            ports still open that were not there before.
        """
        delayed = [c for c in self.reactor.getDelayedCalls() if c.active() and c not in self.delayedCalls]
        return delayed + sorted(self._selectables() - self.selectables, key=repr)


class RawClient(protocol.Protocol):
    """
    A plain Twisted client: sends bytes and collects the bytes that come
    back.

    @ivar lost: fires with the reason (a L{Failure}) once the connection
        is closed.
    """

    def __init__(self):
        self._buffer = b""
        self._wanted = None
        self.lost = defer.Deferred()

    def dataReceived(self, data):
        self._buffer += data
        self._deliver()

    def connectionLost(self, reason):
        # Wrapped: a Failure given to callback would fail the Deferred.
        self.lost.callback([reason])

    def request(self, data, replyLength):
        """
        Send C{data}; fire with the next C{replyLength} bytes received.
        """
        self._wanted = (replyLength, defer.Deferred())
        self.transport.write(data)
        d = self._wanted[1]
        self._deliver()
        return d

    def _deliver(self):
        if self._wanted is not None and len(self._buffer) >= self._wanted[0]:
            (length, d), self._wanted = self._wanted, None
            reply, self._buffer = self._buffer[:length], self._buffer[length:]
            d.callback(reply)


class Embedded:
    """
    A server started with L{startServer} for one test, the clients the test
    connected to it, and the check that stopping both leaves the reactor
    as it was.  Use as C{async with Embedded(**config) as embedded:}.

    @ivar running: the L{txredisd.embed.RunningServer}.
    """

    def __init__(self, checkReactor=True, **config):
        """
        @param checkReactor: check the reactor after stopping (trial's
            janitor does that check itself).
        @param config: the server's configuration (L{startServer}).
        """
        self.reactor = _reactor()
        self.running = None
        self._config = config
        self._checkReactor = checkReactor
        self._state = None
        self._closers = []

    async def start(self):
        self._state = ReactorState(self.reactor)
        self.running = await startServer(self.reactor, **self._config)
        return self

    async def stop(self):
        """
        Close the clients, stop the server, and fail if anything of either
        is left in the reactor.
        """
        for close in reversed(self._closers):
            await defer.maybeDeferred(close)
        await self.running.stop()
        if self._checkReactor:
            leftovers = self._state.leftovers()
            assert not leftovers, "left in the reactor: %r" % (leftovers,)

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, excType, exc, traceback):
        if excType is None:
            await self.stop()
        else:
            # Clean up, but let the test's own failure be the one reported.
            try:
                await self.stop()
            except Exception:
                pass

    async def redis(self):
        """
        @return: a txredisapi connection (one connection, no reconnecting).
        """
        import txredisapi

        connection = await txredisapi.Connection("127.0.0.1", self.running.port, reconnect=False)
        self._closers.append(connection.disconnect)
        return connection

    async def connect(self, client):
        """
        Connect a protocol instance (a L{RawClient}, a txredisapi
        C{SubscriberProtocol}) to the server.
        """
        endpoint = endpoints.TCP4ClientEndpoint(self.reactor, "127.0.0.1", self.running.port)
        client = await endpoints.connectProtocol(endpoint, client)

        def close():
            if not client.transport.connected:
                return None
            lost = defer.Deferred()
            previous = client.connectionLost

            def connectionLost(reason):
                previous(reason)
                lost.callback(None)

            client.connectionLost = connectionLost
            client.transport.loseConnection()
            return lost

        self._closers.append(close)
        return client


# --- scenarios: run under pytest-twisted and under trial ------------------


async def setGetScenario(embedded):
    """
    SET then GET through txredisapi; GET of a missing key is None.
    """
    connection = await embedded.redis()
    assert await connection.set("greeting", "hello") == "OK"
    assert await connection.get("greeting") == "hello"
    assert await connection.get("missing") is None


async def pipelineTransactionScenario(embedded):
    """
    A txredisapi pipeline gets every reply in order; a transaction runs its
    commands together; a WATCHed key changed by another client fails EXEC.
    """
    import txredisapi

    connection = await embedded.redis()
    pipeline = await connection.pipeline()
    pipeline.set("counter", 10)
    pipeline.incr("counter")
    pipeline.get("counter")
    assert await pipeline.execute_pipeline() == ["OK", 11, 11]

    transaction = await connection.multi()
    transaction.incr("counter")
    transaction.lpush("list", ["a", "b"])
    assert await transaction.commit() == [12, 2]

    other = await embedded.redis()
    watched = await connection.watch("counter")
    await other.set("counter", 0)
    transaction = await watched.multi()
    transaction.incr("counter")
    with pytest.raises(txredisapi.WatchError):
        await transaction.commit()
    assert await connection.get("counter") == 0


async def pubsubScenario(embedded):
    """
    A txredisapi SubscriberProtocol receives what another connection
    PUBLISHes to its channel and to channels matching its pattern.
    """
    import txredisapi

    received = defer.DeferredQueue()

    class Subscriber(txredisapi.SubscriberProtocol):
        def messageReceived(self, pattern, channel, message):
            received.put((pattern, channel, message))

    subscriber = await embedded.connect(Subscriber())
    assert await subscriber.subscribe("news") == ["subscribe", "news", 1]
    assert await subscriber.psubscribe("sport.*") == ["psubscribe", "sport.*", 2]
    publisher = await embedded.redis()
    assert await publisher.publish("news", "hello") == 1
    assert await received.get() == (None, "news", "hello")
    assert await publisher.publish("sport.tennis", "ace") == 1
    assert await received.get() == ("sport.*", "sport.tennis", "ace")
    assert await publisher.publish("weather", "rain") == 0


async def waitForBlockedClients(embedded, count):
    """
    Wait until C{count} clients are blocked, so a push that must wake one
    is sent after the blocking command arrived.
    """
    while embedded.running.server.blocking.blockedCount() != count:
        await _deferLater(0.01)


def _deferLater(seconds):
    from twisted.internet import task

    return task.deferLater(_reactor(), seconds, lambda: None)


async def blpopScenario(embedded):
    """
    BLPOP on one txredisapi connection waits until RPUSH on another one
    serves it; a BLPOP whose timeout passes answers None.
    """
    waiter = await embedded.redis()
    pusher = await embedded.redis()
    popped = waiter.blpop(["jobs"], timeout=0)
    await waitForBlockedClients(embedded, 1)
    assert await pusher.rpush("jobs", "first") == 1
    assert await popped == ["jobs", "first"]
    assert await pusher.llen("jobs") == 0
    assert await waiter.blpop(["jobs"], timeout=0.05) is None


# --- pytest-twisted ---------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_setGet():
    """
    A server started in-process answers SET and GET from txredisapi.
    """
    async with Embedded() as embedded:
        await setGetScenario(embedded)


@pytest_twisted.ensureDeferred
async def test_pipelineAndTransaction():
    """
    Pipelines, MULTI/EXEC and WATCH work for txredisapi against an
    in-process server.
    """
    async with Embedded() as embedded:
        await pipelineTransactionScenario(embedded)


@pytest_twisted.ensureDeferred
async def test_pubsub():
    """
    txredisapi's SubscriberProtocol gets channel and pattern messages from
    an in-process server.
    """
    async with Embedded() as embedded:
        await pubsubScenario(embedded)


@pytest_twisted.ensureDeferred
async def test_blpop():
    """
    BLPOP is served by another connection's push, and times out to None.
    """
    async with Embedded() as embedded:
        await blpopScenario(embedded)


@pytest_twisted.ensureDeferred
async def test_rawProtocol():
    """
    A raw Twisted protocol gets Redis's exact reply bytes, for multibulk
    and inline requests sent in one write.
    """
    async with Embedded() as embedded:
        client = await embedded.connect(RawClient())
        assert await client.request(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n", 5) == b"+OK\r\n"
        replies = b"$2\r\nv1\r\n+PONG\r\n"
        assert await client.request(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n", len(replies)) == replies


@pytest_twisted.ensureDeferred
async def test_stopClosesClients():
    """
    Stopping the server closes the connections still open (cleanly, after
    their replies) and cancels the timer of a client blocked in BLPOP.
    """
    async with Embedded() as embedded:
        client = await embedded.connect(RawClient())
        blocked = await embedded.connect(RawClient())
        blocked.transport.write(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$3\r\n100\r\n")
        await waitForBlockedClients(embedded, 1)
        assert await client.request(b"PING\r\n", 7) == b"+PONG\r\n"
        await embedded.running.stop()
        assert (await client.lost)[0].check(ConnectionDone)
        assert (await blocked.lost)[0].check(ConnectionDone)
        assert embedded.running.server.clients == {}


@pytest_twisted.ensureDeferred
async def test_stopCutsOffStuckClients():
    """
    A client that does not read its replies is cut off once the close
    timeout passes, so it cannot hold up stopping the server.
    """
    from txredisd.embed import _ClientsService

    async with Embedded() as embedded:
        client = await embedded.connect(RawClient())
        value = b"x" * 1000000
        setBig = b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n" % (len(value), value)
        assert await client.request(setBig, 5) == b"+OK\r\n"
        client.transport.pauseProducing()
        client.transport.write(b"GET big\r\n" * 64)
        (serverClient,) = embedded.running.server.clients.values()
        # The server stops reading a client whose replies pile up.
        while not serverClient.transport.producerPaused:
            await _deferLater(0.01)
        (clients,) = [s for s in embedded.running.service if isinstance(s, _ClientsService)]
        clients.closeTimeout = 0.05
        await embedded.running.stop()
        assert embedded.running.server.clients == {}
        client.transport.resumeProducing()
        await client.lost


@pytest_twisted.ensureDeferred
async def test_stopListening():
    """
    Once stopped, the server's port refuses connections.
    """
    async with Embedded() as embedded:
        port = embedded.running.port
    endpoint = endpoints.TCP4ClientEndpoint(_reactor(), "127.0.0.1", port)
    with pytest.raises(ConnectionRefusedError):
        await endpoints.connectProtocol(endpoint, RawClient())


@pytest_twisted.ensureDeferred
async def test_shutdownStopsOnlyTheServer():
    """
    SHUTDOWN from a client stops the embedded server (the connection closes
    without a reply, the port refuses connections) and leaves the reactor,
    and so the program around it, running.
    """
    reactor = _reactor()
    async with Embedded() as embedded:
        client = await embedded.connect(RawClient())
        client.transport.write(b"SHUTDOWN NOSAVE\r\n")
        assert (await client.lost)[0].check(ConnectionDone)
        assert client._buffer == b""
        assert not embedded.running.service.running
        endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", embedded.running.port)
        with pytest.raises(ConnectionRefusedError):
            await endpoints.connectProtocol(endpoint, RawClient())
    assert reactor.running


@pytest_twisted.ensureDeferred
async def test_configuration():
    """
    Keyword arguments configure the server as command-line options do:
    with requirepass, commands before AUTH are refused with NOAUTH; CONFIG
    GET port reports the port picked.
    """
    async with Embedded(requirepass="secret", databases=2) as embedded:
        client = await embedded.connect(RawClient())
        noauth = b"-NOAUTH Authentication required.\r\n"
        assert await client.request(b"PING\r\n", len(noauth)) == noauth
        assert await client.request(b"AUTH secret\r\n", 5) == b"+OK\r\n"
        port = b"%d" % (embedded.running.port,)
        reply = b"*2\r\n$4\r\nport\r\n$%d\r\n%s\r\n" % (len(port), port)
        assert await client.request(b"CONFIG GET port\r\n", len(reply)) == reply
        reply = b"*2\r\n$9\r\ndatabases\r\n$1\r\n2\r\n"
        assert await client.request(b"CONFIG GET databases\r\n", len(reply)) == reply


@pytest_twisted.ensureDeferred
async def test_saveDefaults(tmp_path):
    """
    Without a C{save} parameter an embedded server has no save points, but
    a configuration file's save points are kept (and stopping saves).
    """
    saveReply = b"*2\r\n$4\r\nsave\r\n$%d\r\n%s\r\n"
    async with Embedded() as embedded:
        client = await embedded.connect(RawClient())
        reply = saveReply % (0, b"")
        assert await client.request(b"CONFIG GET save\r\n", len(reply)) == reply
    path = tmp_path / "redis.conf"
    path.write_text("save 900 1\n")
    async with Embedded(config=path, dir=tmp_path) as embedded:
        client = await embedded.connect(RawClient())
        reply = saveReply % (5, b"900 1")
        assert await client.request(b"CONFIG GET save\r\n", len(reply)) == reply
    # With save points, stopping saves.
    assert (tmp_path / "dump.rdb").exists()


@pytest_twisted.ensureDeferred
async def test_badConfiguration():
    """
    An unknown parameter or a refused value fails the Deferred with a
    UsageError and starts nothing.
    """
    state = ReactorState(_reactor())
    with pytest.raises(usage.UsageError):
        await startServer(_reactor(), no_such_parameter="1")
    with pytest.raises(usage.UsageError):
        await startServer(_reactor(), databases="many")
    assert state.leftovers() == []


@pytest_twisted.ensureDeferred
async def test_portInUse():
    """
    A port already taken fails the Deferred with CannotListenError and
    leaves no timer or listener of the half-started server behind.
    """
    from twisted.internet.error import CannotListenError

    async with Embedded() as embedded:
        state = ReactorState(_reactor())
        with pytest.raises(CannotListenError):
            await startServer(_reactor(), port=embedded.running.port)
        assert state.leftovers() == []


async def startInApplication(reactor):
    """
    Start a L{RedisService} on a free port as the child of a MultiService.

    @return: the parent, the L{RedisService} and a connected L{RawClient}.
    """
    parent = MultiService()
    redisService = RedisService(reactor, makeOptions(port=0, save=""))
    redisService.setServiceParent(parent)
    listener = redisService.listenTCP(0)
    parent.startService()
    port = listener.ports[0].getHost().port
    assert redisService.describe() == ["127.0.0.1:%d" % (port,)]
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    client = await endpoints.connectProtocol(endpoint, RawClient())
    return parent, redisService, client


@pytest_twisted.ensureDeferred
async def test_serviceInApplication():
    """
    L{RedisService} runs as the child of an application's MultiService:
    it serves while the parent runs and stops with it.
    """
    reactor = _reactor()
    state = ReactorState(reactor)
    parent, redisService, client = await startInApplication(reactor)
    assert await client.request(b"PING\r\n", 7) == b"+PONG\r\n"
    await parent.stopService()
    await client.lost
    assert state.leftovers() == []


@pytest_twisted.ensureDeferred
async def test_shutdownInApplication():
    """
    After SHUTDOWN stopped a L{RedisService}, its parent still runs, and
    stopping the parent later finds nothing more to stop.
    """
    reactor = _reactor()
    state = ReactorState(reactor)
    parent, redisService, client = await startInApplication(reactor)
    client.transport.write(b"SHUTDOWN\r\n")
    await client.lost
    assert not redisService.running
    assert parent.running
    await parent.stopService()
    assert state.leftovers() == []


def test_makeOptions():
    """
    Keyword arguments become command-line options: underscores for dashes,
    booleans as yes/no, flags given or not, listen repeated.
    """
    options = makeOptions(
        protected_mode=False,
        appendonly=True,
        dir=b"/tmp",
        port=7000,
        no_hiredis=True,
        listen=["tcp:7001", "unix:/tmp/r.sock"],
    )
    assert options.config["protected-mode"] is False
    assert options.config["appendonly"] is True
    assert options.config["dir"] == b"/tmp"
    assert options.config["port"] == 7000
    assert options["no-hiredis"]
    assert options["listen"] == ["tcp:7001", "unix:/tmp/r.sock"]
    assert not makeOptions(no_hiredis=False)["no-hiredis"]


# --- trial --------------------------------------------------------------------


class TxredisapiTrialTests(unittest.TestCase):
    """
    The txredisapi scenarios as a trial TestCase returning Deferreds.
    """

    # Trial runs this class; pytest runs it through trial (below), as a
    # trial TestCase cannot spin the reactor pytest-twisted runs.
    __test__ = False

    def setUp(self):
        # Trial's janitor checks the reactor after each test.
        self.embedded = Embedded(checkReactor=False)
        return defer.ensureDeferred(self.embedded.start())

    def tearDown(self):
        return defer.ensureDeferred(self.embedded.stop())

    def test_setGet(self):
        """
        SET then GET through txredisapi.
        """
        return defer.ensureDeferred(setGetScenario(self.embedded))

    def test_pipelineAndTransaction(self):
        """
        Pipelines, MULTI/EXEC and WATCH through txredisapi.
        """
        return defer.ensureDeferred(pipelineTransactionScenario(self.embedded))

    def test_pubsub(self):
        """
        Channel and pattern messages reach a txredisapi SubscriberProtocol.
        """
        return defer.ensureDeferred(pubsubScenario(self.embedded))

    def test_blpop(self):
        """
        BLPOP served by another connection's push, and timing out.
        """
        return defer.ensureDeferred(blpopScenario(self.embedded))


def test_trialRunsTrialTests(tmp_path):
    """
    C{python3 -m twisted.trial tests.test_embed} runs the trial TestCase
    and every test of it passes.
    """
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [sys.executable, "-m", "twisted.trial", "tests.test_embed"],
        cwd=str(tmp_path),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=300,
    )
    output = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0, output
    tests = [name for name in dir(TxredisapiTrialTests) if name.startswith("test_")]
    assert "PASSED (successes=%d)" % (len(tests),) in output, output


# --- README -------------------------------------------------------------------


def readmeExamples():
    """
    @return: the Python code blocks of README.md's Embedding section.
    """
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme.split("## Embedding", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readmeProgram(tmp_path):
    """
    README's embedding program runs as written: it starts a server, sets and
    gets a key through txredisapi, prints the value and exits cleanly.
    """
    path = tmp_path / "example.py"
    path.write_text(readmeExamples()[0])
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [sys.executable, str(path)],
        cwd=str(tmp_path),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, b"hello\n")


@pytest_twisted.ensureDeferred
async def test_readmeApplication(tmp_path):
    """
    README's .tac example builds an application whose service tree serves
    clients on the configured port and saves the data set when it stops
    (its default save points); run here on a free port in a scratch
    directory.
    """
    from twisted.application.service import IService

    from tests.conftest import freePort

    port = freePort()
    source = readmeExamples()[1]
    replacements = [("port=6380", "port=%d" % (port,)), ('dir="/var/lib/myapp"', "dir=%r" % (str(tmp_path),))]
    for old, new in replacements:
        assert old in source
        source = source.replace(old, new)
    namespace = {}
    exec(compile(source, "README.md", "exec"), namespace)
    reactor = _reactor()
    state = ReactorState(reactor)
    application = IService(namespace["application"])
    application.startService()
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    client = await endpoints.connectProtocol(endpoint, RawClient())
    assert await client.request(b"SET k v\r\n", 5) == b"+OK\r\n"
    await application.stopService()
    await client.lost
    assert state.leftovers() == []
    assert (tmp_path / "dump.rdb").exists()
