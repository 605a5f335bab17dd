"""
Helpers for unit tests: an in-memory server on a L{task.Clock} and a client
connection over L{StringTransport}.
"""

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from txredisd.protocol import RedisFactory
from txredisd.registry import loadCommands
from txredisd.resp import encodeCommand
from txredisd.server import RedisServer

loadCommands()


def makeServer(clock=None, config=None):
    """
    @return: a L{RedisServer} on a L{Clock} (C{server.clock}).
    """
    if clock is None:
        clock = Clock()
        clock.advance(1_700_000_000)
    return RedisServer(clock, config)


class Connection:
    """
    A client connection to an in-memory server over a L{StringTransport}.

    @ivar transport: the L{StringTransport}; C{value()} holds what the
        server wrote.  Its peer is C{127.0.0.1} unless C{peer} (an
        L{IPv4Address} or L{IPv6Address}) says otherwise.
    """

    def __init__(self, server=None, useHiredis=True, peer=None):
        self.server = server if server is not None else makeServer()
        self.protocol = RedisFactory(self.server, useHiredis).buildProtocol(None)
        if peer is None:
            # A loopback peer, as protected mode serves only those.
            peer = IPv4Address("TCP", "127.0.0.1", 54321)
        self.transport = StringTransport(peerAddress=peer)
        self.protocol.makeConnection(self.transport)

    @property
    def client(self):
        return self.protocol.client

    def feed(self, data):
        """
        Send raw bytes; return what the server wrote in answer.
        """
        self.transport.clear()
        self.protocol.dataReceived(data)
        return self.transport.value()

    def call(self, *args):
        """
        Send one command as a multibulk request; return the raw reply bytes.
        """
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        return self.feed(encodeCommand(argv))

    def close(self):
        """
        Drop the connection.
        """
        from twisted.python.failure import Failure
        from twisted.internet.error import ConnectionDone

        self.protocol.connectionLost(Failure(ConnectionDone()))
