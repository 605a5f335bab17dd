"""
Tests for L{txredisd.reactor}: the epoll reactor without per-event logging
contexts, driven by hand (never installed, never run).
"""

import socket
import sys

from twisted.internet.protocol import Factory, Protocol
from twisted.trial.unittest import SynchronousTestCase

from txredisd import reactor as reactorModule
from txredisd.reactor import LeanEPollReactor


class Recorder(Protocol):
    """
    Echoes what it reads, raises on C{boom}, records how it ended.
    """

    def __init__(self, record):
        self.record = record

    def dataReceived(self, data):
        if data == b"boom":
            raise RuntimeError("boom")
        self.transport.write(data)

    def connectionLost(self, reason):
        self.record.append(reason)


class LeanEPollReactorTests(SynchronousTestCase):
    """
    L{LeanEPollReactor} handles reads, writes, errors and disconnections as
    Twisted's epoll reactor does.
    """

    def setUp(self):
        self.reactor = LeanEPollReactor()
        self.addCleanup(self.reactor._poller.close)
        self.lost = []
        factory = Factory.forProtocol(lambda: Recorder(self.lost))
        self.port = self.reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.addCleanup(self.port.stopListening)
        self.client = socket.create_connection(("127.0.0.1", self.port.getHost().port))
        self.addCleanup(self.client.close)
        self.client.settimeout(5)

    def spinUntil(self, condition, turns=500):
        for _ in range(turns):
            if condition():
                return
            self.reactor.iterate(0.01)
        self.fail("condition never held")

    def test_echo(self):
        """
        Bytes read are handed to the protocol and its writes are sent.
        """
        self.client.sendall(b"hello")
        received = []

        def gotReply():
            self.client.setblocking(False)
            try:
                received.append(self.client.recv(100))
            except BlockingIOError:
                pass
            return b"".join(received) == b"hello"

        self.spinUntil(gotReply)

    def test_exceptionDisconnects(self):
        """
        An exception in C{dataReceived} is logged and loses the connection,
        as with Twisted's reactor.
        """
        self.client.sendall(b"boom")
        self.spinUntil(lambda: self.lost)
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)

    def test_peerClose(self):
        """
        The peer closing is seen as a clean connection loss.
        """
        self.spinUntil(lambda: len(self.reactor.getReaders()) > 1)
        self.client.close()
        self.spinUntil(lambda: self.lost)
        from twisted.internet.error import ConnectionDone

        self.lost[0].trap(ConnectionDone)


class InstallTests(SynchronousTestCase):
    """
    L{installIfNone} never replaces a reactor already chosen.
    """

    def test_notWhenInstalled(self):
        """
        With a reactor installed (as under this test run, or
        C{twistd --reactor}), nothing is installed.
        """
        self.patch(sys, "modules", dict(sys.modules, **{"twisted.internet.reactor": object()}))
        self.assertFalse(reactorModule.installIfNone())

    def test_installs(self):
        """
        With no reactor installed, a L{LeanEPollReactor} is.
        """
        installed = []
        modules = dict(sys.modules)
        modules.pop("twisted.internet.reactor", None)
        self.patch(sys, "modules", modules)
        import twisted.internet.main

        self.patch(twisted.internet.main, "installReactor", installed.append)
        self.assertTrue(reactorModule.installIfNone())
        self.assertIsInstance(installed[0], LeanEPollReactor)
        installed[0]._poller.close()
