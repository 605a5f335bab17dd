"""
The state of one client connection, as command handlers see it.
"""

from zope.interface import implementer

from txredisd.acl import SUPERUSER
from txredisd.interfaces import IClient


@implementer(IClient)
class Client:
    """
    A connected client, or an internal one (the replication link, scripts).

    Handlers read and change this state; only L{txredisd.protocol} writes to
    the network, through C{transport} and L{push}.

    @ivar transport: the connection's transport, or L{None} for internal
        clients, which send no replies.
    @ivar multi: the queued commands while in MULTI, else L{None}.
    @ivar multiError: a queue-time error was seen in this MULTI.
    @ivar watchDirty: a watched key changed since WATCH.
    @ivar propagateAs: set by a handler to the list of commands to propagate
        in place of the one it ran (Redis's rewrites), else L{None}.
    @ivar closeAfterReply: set by QUIT-like handlers.
    """

    kind = "normal"

    def __init__(self, server, transport=None, pusher=None):
        self.server = server
        self.transport = transport
        self._pusher = pusher
        self.id = server.nextClientId()
        self.dbIndex = 0
        self.db = server.store.db(0)
        self.resp3 = False
        self.name = None
        self.libName = None
        self.libVersion = None
        # The ACL user (its name in user, for CLIENT LIST).  Internal
        # clients run as the unrestricted superuser, as Redis's NULL user.
        acl = server.acl
        self.aclUser = acl.default if self.kind == "normal" else SUPERUSER
        self.user = b"default"
        self.authenticated = self.kind != "normal" or not acl.authRequired
        self.multi = None
        self.multiError = False
        self.watchedKeys = set()
        self.watchDirty = False
        self.subscriptions = 0
        self.propagateAs = None
        self.closeAfterReply = False
        self.flags = set()
        self.createdAt = server.clock.seconds()
        self.lastInteraction = self.createdAt
        self.lastCommand = b"NULL"
        # Inside MULTI/EXEC and scripts blocking commands answer at once.
        self.denyBlocking = False
        self.closed = False
        # The replication offset after this client's last write (WAIT).
        self.woff = 0
        # When its unsent output went over the soft limit (seconds), or None
        # (txredisd.limits.checkOutputBuffer).
        self.obufSoftSince = None
        # In MONITOR mode (txredisd.monitoring).
        self.monitor = False
        # A command of this client waits for CLIENT PAUSE to end.
        self.paused = False

    def __repr__(self):
        return "<Client id=%d>" % (self.id,)

    def select(self, index):
        self.dbIndex = index
        self.db = self.server.store.db(index)

    def push(self, reply):
        if self._pusher is not None and not self.closed:
            self._pusher(reply)

    def close(self):
        if self.transport is not None and not self.closed:
            self.transport.loseConnection()

    @property
    def address(self):
        """
        The peer address as CLIENT LIST shows it (C{ip:port}).
        """
        return _formatAddress(self.transport.getPeer()) if self.transport else ""

    @property
    def localAddress(self):
        """
        The local address as CLIENT LIST shows it.
        """
        return _formatAddress(self.transport.getHost()) if self.transport else ""


def _formatAddress(address):
    host = getattr(address, "host", None)
    if host is None:
        name = getattr(address, "name", b"")
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        return "%s:0" % (name or "",)
    # Redis's anetFormatAddr: IPv6 hosts in brackets.
    return ("[%s]:%s" if ":" in host else "%s:%s") % (host, address.port)
