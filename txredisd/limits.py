"""
Client limits: C{maxclients}, the idle C{timeout}, the query buffer limit
and the output buffer limits of every client class.

Each rule is Redis's (C{acceptCommonHandler}, C{clientsCronHandleTimeout},
C{processInputBuffer}'s C{client_max_querybuf_len} check and
C{checkClientOutputBufferLimits}); the protocol and the cron call these
functions, so the rules live in one place whatever kind of client they
apply to.
"""

from twisted.logger import Logger

from txredisd import errors
from txredisd.loglevel import observer as logObserver

_log = Logger(observer=logObserver)

MAXCLIENTS_REPLY = b"-%s\r\n" % (errors.MAX_CLIENTS.encode(),)


class Limits:
    """
    The limit parameters the per-request paths read, kept up to date from
    the configuration so that no request looks them up.

    @ivar queryBuffer: C{client-query-buffer-limit}.
    @ivar outputBuffer: C{client-output-buffer-limit}, class to C{(hard,
        soft, seconds)}.
    @ivar normalOutputLimited: whether the normal class has any limit (by
        default it has none, and its writes need no check).
    """

    def __init__(self, config):
        self.queryBuffer = config["client-query-buffer-limit"]
        self._setOutput(config["client-output-buffer-limit"])
        config.observers.append(self._configChanged)

    def _setOutput(self, limits):
        self.outputBuffer = limits
        hard, soft, _ = limits["normal"]
        self.normalOutputLimited = bool(hard or soft)

    def _configChanged(self, name, value):
        if name == "client-query-buffer-limit":
            self.queryBuffer = value
        elif name == "client-output-buffer-limit":
            self._setOutput(value)


def acceptsClient(server):
    """
    Whether a new connection may be served, as Redis's
    C{acceptCommonHandler}: the clients already connected (replicas and a
    master link included) must be fewer than C{maxclients}.  A refused
    connection counts in C{rejected_connections}; the caller answers it
    L{MAXCLIENTS_REPLY} and closes it.

    @return: L{True} if the connection may be served.
    """
    if len(server.clients) >= server.config["maxclients"]:
        server.stats["rejected_connections"] += 1
        return False
    return True


def bufferedBytes(transport):
    """
    How many bytes written to C{transport} wait to be sent.

    @param transport: a Twisted TCP or UNIX transport (its C{dataBuffer}
        from C{offset} plus C{_tempDataLen} not yet joined), a
        L{StringTransport}, whose every written byte stays until cleared,
        or a wrapper such as TLS, measured by the transport under it.
    @return: an L{int}.
    """
    for _ in range(4):
        dataBuffer = getattr(transport, "dataBuffer", None)
        if dataBuffer is not None:
            return len(dataBuffer) - transport.offset + transport._tempDataLen
        io = getattr(transport, "io", None)
        if io is not None:
            return io.tell()
        transport = getattr(transport, "transport", None)
        if transport is None:
            break
    return 0


def outputBufferClass(client):
    """
    The C{client-output-buffer-limit} class of a client, as Redis's
    C{getClientType}: C{replica}, C{pubsub} or C{normal} (monitors are
    normal clients here); L{None} for a master link, which has no limit.
    """
    kind = client.kind
    if kind == "master" or kind == "aof":
        return None
    if kind == "replica":
        return "replica"
    if client.subscriptions:
        return "pubsub"
    return "normal"


def checkOutputBuffer(client):
    """
    Close a client whose unsent output is over its class's limits, as
    Redis's C{checkClientOutputBufferLimits}: at once over the hard limit,
    or once it has stayed over the soft limit for more than the soft
    seconds.  Called after every write to the client, except where it
    cannot apply: the protocol skips the call for a normal client while
    the normal class has no limit (L{Limits.normalOutputLimited}).

    @return: L{True} if the client was closed.
    """
    server = client.server
    limits = server.limits
    if client.closed or client.transport is None:
        return False
    name = outputBufferClass(client)
    if name is None:
        return False
    hard, soft, seconds = limits.outputBuffer[name]
    if not hard and not soft:
        return False
    used = bufferedBytes(client.transport)
    over = bool(hard) and used >= hard
    if soft and used >= soft:
        now = server.clock.seconds()
        since = client.obufSoftSince
        if since is None:
            client.obufSoftSince = now
        elif now - since > seconds:
            over = True
    else:
        client.obufSoftSince = None
    if not over:
        return False
    _log.warn(
        "Client {client} scheduled to be closed ASAP for overcoming of output buffer limits.",
        client=describe(client),
    )
    server.stats["client_output_buffer_limit_disconnections"] += 1
    abortClient(client)
    return True


def abortClient(client):
    """
    Drop a client's connection at once, without sending what it has not
    read (Redis's C{freeClientAsync}): it takes no more commands.
    """
    client.closed = True
    transport = client.transport
    if transport is None:
        return
    abort = getattr(transport, "abortConnection", None)
    if abort is not None:
        abort()
    else:
        transport.loseConnection()


def checkQueryBuffer(client, size):
    """
    Close a client whose unparsed requests are over
    C{client-query-buffer-limit}, as Redis's check on C{querybuf}: no
    reply, the connection just goes.  A master link is never limited.

    @param size: the bytes held for requests not yet run.
    @return: L{True} if the client was closed.
    """
    if size <= client.server.limits.queryBuffer or client.kind == "master":
        return False
    _log.warn(
        "Closing client that reached max query buffer length: {client} (qbuf bytes: {size})",
        client=describe(client),
        size=size,
    )
    abortClient(client)
    return True


def describe(client):
    """
    The short description of a client Redis's log lines carry.
    """
    return "id=%d addr=%s laddr=%s name=%s" % (
        client.id,
        client.address,
        client.localAddress,
        (client.name or b"").decode("utf-8", "replace"),
    )


def _exemptFromTimeout(server, client):
    # Redis's clientsCronHandleTimeout spares replicas (and monitors),
    # masters and the AOF, blocked clients and pub/sub subscribers.
    if client.kind != "normal" or client.subscriptions or client.monitor:
        return True
    isBlocked = getattr(server.blocking, "isBlocked", None)
    if isBlocked is not None and isBlocked(client):
        return True
    return client.paused


def closeIdleClients(server):
    """
    A cron hook: close the clients idle for more than C{timeout} seconds.
    """
    limit = server.config["timeout"]
    if not limit:
        return
    now = server.clock.seconds()
    for client in list(server.clients.values()):
        if client.closed or client.transport is None or now - client.lastInteraction <= limit:
            continue
        if _exemptFromTimeout(server, client):
            continue
        _log.info("Closing idle client {client}", client=describe(client))
        client.closed = True
        client.transport.loseConnection()
