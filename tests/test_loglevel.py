"""
Tests for L{txredisd.loglevel}: C{loglevel} filters txredisd's loggers.
"""

from twisted.logger import Logger, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.config import Config
from txredisd.loglevel import observer


class LogLevelTests(SynchronousTestCase):
    """
    The level set by C{loglevel} decides which events of txredisd's
    loggers reach Twisted's observers.
    """

    def setUp(self):
        self.events = []
        globalLogPublisher.addObserver(self.events.append)
        self.addCleanup(globalLogPublisher.removeObserver, self.events.append)
        self.addCleanup(observer.setLevel, b"notice")
        self.log = Logger(namespace="txredisd.test", observer=observer)

    def emitted(self):
        return [e["log_format"] for e in self.events if e.get("log_namespace") == "txredisd.test"]

    def emitAll(self):
        self.log.debug("debug")
        self.log.info("info")
        self.log.warn("warn")
        self.log.critical("critical")

    def test_configSet(self):
        """
        CONFIG SET loglevel applies at once: notice passes info events on,
        warning drops them, debug passes everything, nothing nothing.
        """
        conn = Connection(makeServer())
        expected = {
            b"notice": ["info", "warn", "critical"],
            b"warning": ["warn", "critical"],
            b"debug": ["debug", "info", "warn", "critical"],
            b"verbose": ["debug", "info", "warn", "critical"],
            b"nothing": [],
        }
        for level, passed in expected.items():
            self.assertEqual(conn.call("CONFIG", "SET", "loglevel", level), b"+OK\r\n")
            del self.events[:]
            self.emitAll()
            self.assertEqual(self.emitted(), passed, level)

    def test_serverConfig(self):
        """
        A new server applies its configured loglevel.
        """
        config = Config()
        config.set("loglevel", b"warning", startup=True)
        makeServer(config=config)
        self.emitAll()
        self.assertEqual(self.emitted(), ["warn", "critical"])
