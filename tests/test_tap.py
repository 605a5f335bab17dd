"""
Tests for L{txredisd.tap}: the twistd plugin's options and service tree.
"""

from twisted.application.service import IService, IServiceMaker
from twisted.internet.task import Clock
from twisted.plugin import getPlugins
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from txredisd import tap


class OptionsTests(SynchronousTestCase):
    """
    L{tap.Options} accepts redis-server's option spellings.
    """

    def parse(self, *argv):
        options = tap.Options()
        options.parseOptions(list(argv))
        return options

    def test_defaults(self):
        """
        With no options the server listens on 6379 at Redis 7's default bind
        addresses and keeps dump.rdb in the current directory.
        """
        config = self.parse().config
        self.assertEqual(config["port"], 6379)
        self.assertEqual(config["bind"], b"127.0.0.1 -::1")
        self.assertEqual(config["dir"], b".")
        self.assertEqual(config["dbfilename"], b"dump.rdb")
        self.assertEqual(config["databases"], 16)
        self.assertIsNone(config["replicaof"])

    def test_port(self):
        """
        --port sets the TCP port; 0 is accepted (TCP disabled).
        """
        self.assertEqual(self.parse("--port", "6380").config["port"], 6380)
        self.assertEqual(self.parse("--port", "0").config["port"], 0)

    def test_badPort(self):
        """
        A port that is not a number or out of range is a usage error.
        """
        self.assertRaises(usage.UsageError, self.parse, "--port", "http")
        self.assertRaises(usage.UsageError, self.parse, "--port", "70000")

    def test_unknownOption(self):
        """
        An option redis-server does not have is a usage error.
        """
        self.assertRaises(usage.UsageError, self.parse, "--no-such-option", "1")

    def test_replicaofOneWord(self):
        """
        --replicaof "host port" as one argument, the way redis.conf writes it.
        """
        self.assertEqual(self.parse("--replicaof", "10.0.0.1 6379").config["replicaof"], (b"10.0.0.1", 6379))

    def test_replicaofTwoWords(self):
        """
        --replicaof host port as two arguments, the way redis-server's
        command line takes it.
        """
        self.assertEqual(self.parse("--replicaof", "localhost", "6390").config["replicaof"], (b"localhost", 6390))

    def test_replicaofMissingPort(self):
        """
        --replicaof with a host and no port is a usage error.
        """
        self.assertRaises(usage.UsageError, self.parse, "--replicaof", "localhost")

    def test_replicaofBadPort(self):
        """
        --replicaof with a port that is not a number is a usage error.
        """
        self.assertRaises(usage.UsageError, self.parse, "--replicaof", "localhost", "http")

    def test_listenRepeatable(self):
        """
        --listen may be given several times and keeps every endpoint.
        """
        options = self.parse("--listen", "tcp:6390", "--listen", "unix:/tmp/x.sock")
        self.assertEqual(options["listen"], ["tcp:6390", "unix:/tmp/x.sock"])

    def test_databases(self):
        """
        --databases sets the number of databases; 0 is refused.
        """
        self.assertEqual(self.parse("--databases", "4").config["databases"], 4)
        self.assertRaises(usage.UsageError, self.parse, "--databases", "0")

    def test_extraArguments(self):
        """
        More than one positional argument is a usage error.
        """
        self.assertRaises(usage.UsageError, self.parse, "a.conf", "b.conf")

    def test_loglevel(self):
        """
        --loglevel takes redis.conf's words only.
        """
        self.assertEqual(self.parse("--loglevel", "warning").config["loglevel"], b"warning")
        self.assertRaises(usage.UsageError, self.parse, "--loglevel", "loud")


class ServiceTests(SynchronousTestCase):
    """
    L{tap.makeService} builds the service tree.
    """

    def test_plugin(self):
        """
        The twistd plugin is found under the tapname C{redis}.
        """
        from twisted import plugins

        makers = [p for p in getPlugins(IServiceMaker, plugins) if p.tapname == "redis"]
        self.assertEqual(len(makers), 1)
        self.assertEqual(makers[0].module, "txredisd.tap")

    def test_portZeroListensNowhere(self):
        """
        With --port 0 and no --listen, no TCP listener is created.
        """
        options = tap.Options()
        options.parseOptions(["--port", "0"])
        top = tap.makeService(options, reactor=Clock())
        self.assertTrue(IService.providedBy(top))
        self.assertFalse([s for s in top if isinstance(s, tap.TCPPortService)])

    def test_listenEndpoints(self):
        """
        Each --listen endpoint becomes a service of the tree.
        """
        from twisted.application.internet import StreamServerEndpointService
        from twisted.internet import reactor

        options = tap.Options()
        options.parseOptions(["--port", "0", "--listen", "tcp:0", "--listen", "tcp:0:interface=127.0.0.1"])
        top = tap.makeService(options, reactor=reactor)
        self.assertEqual(len([s for s in top if isinstance(s, StreamServerEndpointService)]), 2)
        self.assertEqual(top.redisServer.config["port"], 0)


    def test_shutdownStopsReactor(self):
        """
        Under twistd, SHUTDOWN stops the reactor (ending the process, as it
        ends redis-server) on the turn after its command.
        """
        from twisted.internet.testing import MemoryReactorClock

        from tests.helpers import Connection

        reactor = MemoryReactorClock()
        options = tap.Options()
        options.parseOptions(["--port", "0", "--save", ""])
        top = tap.makeService(options, reactor=reactor)
        Connection(top.redisServer).call("SHUTDOWN", "NOSAVE")
        self.assertFalse(reactor.hasStopped)
        reactor.advance(0)
        self.assertTrue(reactor.hasStopped)


class ConfigFileTests(SynchronousTestCase):
    """
    A redis.conf-style file given as the argument or --config.
    """

    def write(self, text):
        path = self.mktemp()
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_fileThenCommandLine(self):
        """
        The file's values apply, and command-line options override them.
        """
        path = self.write("# comment\nport 7000\ndir /tmp\nsave 900 1\nsave 300 10\n")
        options = tap.Options()
        options.parseOptions(["--port", "7001", path])
        self.assertEqual(options.config["port"], 7001)
        self.assertEqual(options.config["dir"], b"/tmp")
        self.assertEqual(options.config["save"], [(900, 1), (300, 10)])
        self.assertEqual(options.config.path, path)

    def test_unknownDirective(self):
        """
        An unknown directive stops startup with its line number.
        """
        path = self.write("port 7000\n\nnosuchthing yes\n")
        options = tap.Options()
        e = self.assertRaises(usage.UsageError, options.parseOptions, ["--config", path])
        self.assertIn("line 3", str(e))

    def test_saveEmpty(self):
        """
        save "" disables save points.
        """
        options = tap.Options()
        options.parseOptions([self.write('save ""\n')])
        self.assertEqual(options.config["save"], [])

    def test_sampleConfig(self):
        """
        The sample configuration shipped in etc/ loads.
        """
        import os

        sample = os.path.join(os.path.dirname(os.path.dirname(__file__)), "etc", "txredisd.conf")
        options = tap.Options()
        options.parseOptions([sample])
        self.assertEqual(options.config["dir"], b"/var/lib/txredisd")
