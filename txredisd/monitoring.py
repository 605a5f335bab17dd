"""
Watching the server run: the slow log, the latency monitor, MONITOR
clients and CLIENT PAUSE.

Dispatch calls L{afterCall} once per command it runs (Redis's C{call}
feeding C{slowlogPushCurrentCommand}, C{latencyAddSampleIfNeeded} and
C{replicationFeedMonitors}) and asks L{ClientPause.mustWait} before running
a command (Redis's C{blockPostponeClient}).
"""

from collections import deque

from twisted.internet.defer import Deferred

from txredisd.resp import Raw

#: Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING.
SLOWLOG_MAX_ARGC = 32
SLOWLOG_MAX_STRING = 128
#: Redis's LATENCY_TS_LEN: samples kept per event.
LATENCY_HISTORY = 160


class SlowLog:
    """
    The commands that ran longer than C{slowlog-log-slower-than}
    microseconds, newest first, at most C{slowlog-max-len} of them.
    """

    def __init__(self, config):
        self.entries = deque()
        self.nextId = 0
        # Kept here, not read from the configuration for every command.
        self.threshold = config["slowlog-log-slower-than"]
        config.observers.append(self._configChanged)

    def _configChanged(self, name, value):
        if name == "slowlog-log-slower-than":
            self.threshold = value

    def push(self, server, client, argv, micros):
        """
        Log a command if it was slow enough (Redis's
        C{slowlogPushEntryIfNeeded}).
        """
        threshold = self.threshold
        if threshold < 0 or micros < threshold:
            return
        self.entries.appendleft(
            [
                self.nextId,
                int(server.clock.seconds()),
                int(micros),
                trimArguments(argv),
                client.address.encode() if client.transport is not None else b"",
                client.name or b"",
            ]
        )
        self.nextId += 1
        self.trim(server.config["slowlog-max-len"])

    def trim(self, maximum):
        entries = self.entries
        while len(entries) > maximum:
            entries.pop()

    def reset(self):
        self.entries.clear()


def trimArguments(argv):
    """
    A command's arguments as the slow log keeps them: at most 32, the last
    of a longer command saying how many more there were, strings over 128
    bytes cut with how many more bytes they had (Redis's
    C{slowlogCreateEntry}).
    """
    count = min(len(argv), SLOWLOG_MAX_ARGC)
    out = []
    for index in range(count):
        if count != len(argv) and index == count - 1:
            out.append(b"... (%d more arguments)" % (len(argv) - count + 1,))
            break
        arg = argv[index]
        if len(arg) > SLOWLOG_MAX_STRING:
            arg = arg[:SLOWLOG_MAX_STRING] + b"... (%d more bytes)" % (len(arg) - SLOWLOG_MAX_STRING,)
        out.append(arg)
    return out


class LatencyMonitor:
    """
    Latency spikes per event (C{command}, C{fast-command},
    C{eviction-cycle}, ...), at most one sample per second, the worst of
    that second, as Redis's C{latencyAddSample}.

    @ivar events: event name (L{bytes}) to C{[samples, max]}, the samples
        a L{deque} of C{[seconds, milliseconds]}.
    """

    def __init__(self, config):
        self.events = {}
        self.threshold = config["latency-monitor-threshold"]
        config.observers.append(self._configChanged)

    def _configChanged(self, name, value):
        if name == "latency-monitor-threshold":
            self.threshold = value

    def add(self, server, event, millis):
        """
        Record a latency if it reaches C{latency-monitor-threshold} (Redis's
        C{latencyAddSampleIfNeeded}).
        """
        threshold = self.threshold
        if not threshold or millis < threshold:
            return
        now = int(server.clock.seconds())
        millis = int(millis)
        record = self.events.get(event)
        if record is None:
            record = self.events[event] = [deque(maxlen=LATENCY_HISTORY), 0]
        samples = record[0]
        if samples and samples[-1][0] == now:
            samples[-1][1] = max(samples[-1][1], millis)
        else:
            samples.append([now, millis])
        record[1] = max(record[1], millis)

    def reset(self, names=None):
        """
        Forget the named events, or all.

        @return: how many were forgotten.
        """
        if not names:
            count = len(self.events)
            self.events.clear()
            return count
        count = 0
        for name in names:
            if self.events.pop(name, None) is not None:
                count += 1
        return count


def monitorLine(server, client, argv):
    """
    A command as MONITOR clients see it (Redis's
    C{replicationFeedMonitors}): C{+<seconds.micros> [<db> <addr>] "arg"
    ...}, arguments quoted as C{sdscatrepr} does.

    @return: L{bytes}, a whole status reply with its CRLF.
    """
    now = server.clock.seconds()
    seconds = int(now)
    micros = int(round((now - seconds) * 1000000))
    if micros >= 1000000:
        seconds, micros = seconds + 1, micros - 1000000
    if client.transport is None:
        origin = b"lua" if client.kind == "script" else b""
    elif hasattr(client.transport.getPeer(), "host"):
        origin = client.address.encode()
    else:
        # Redis names Unix socket clients by the socket's path.
        origin = ("unix:" + client.localAddress[:-2]).encode()
    head = b"+%d.%06d [%d %s] " % (seconds, micros, client.dbIndex, origin)
    return head + b" ".join(quote(arg) for arg in argv) + b"\r\n"


_ESCAPES = {
    0x5C: b"\\\\",
    0x22: b'\\"',
    0x0A: b"\\n",
    0x0D: b"\\r",
    0x09: b"\\t",
    0x07: b"\\a",
    0x08: b"\\b",
}


def quote(arg):
    """
    Quote bytes as Redis's C{sdscatrepr}: in double quotes, C{\\\\},
    C{\\"}, C{\\n}, C{\\r}, C{\\t}, C{\\a}, C{\\b} escaped, other
    unprintable bytes as C{\\xHH}.
    """
    out = [b'"']
    for byte in arg:
        escaped = _ESCAPES.get(byte)
        if escaped is not None:
            out.append(escaped)
        elif 0x20 <= byte < 0x7F:
            out.append(bytes((byte,)))
        else:
            out.append(b"\\x%02x" % (byte,))
    out.append(b'"')
    return b"".join(out)


def feedMonitors(server, client, argv):
    """
    Send a command that ran to every MONITOR client.
    """
    line = None
    for monitor in list(server.monitors):
        if monitor.closed:
            continue
        if line is None:
            line = Raw(monitorLine(server, client, argv))
        monitor.push(line)


def watchFloor(server):
    """
    The shortest run time (seconds) the slow log or the latency monitor
    records, so that dispatch calls L{afterCall} only when it may matter
    (or MONITOR clients are there).
    """
    floors = []
    if server.slowlog.threshold >= 0:
        floors.append(server.slowlog.threshold / 1000000.0)
    if server.latency.threshold:
        floors.append(server.latency.threshold / 1000.0)
    return min(floors) if floors else float("inf")


def afterCall(server, client, spec, argv, seconds):
    """
    What Redis's C{call} does after a command ran: the slow log, the
    latency monitor, MONITOR clients.

    @param seconds: how long the handler ran.
    """
    flags = spec.flags
    micros = seconds * 1000000
    slowlog = server.slowlog
    if 0 <= slowlog.threshold <= micros and "skip_slowlog" not in flags:
        slowlog.push(server, client, argv, micros)
    latency = server.latency
    if latency.threshold and micros >= latency.threshold * 1000:
        latency.add(server, b"fast-command" if "fast" in flags else b"command", micros / 1000)
    if server.monitors and "admin" not in flags and "skip_monitor" not in flags and not server.loading:
        feedMonitors(server, client, argv)


class ClientPause:
    """
    CLIENT PAUSE: until it ends, the commands of normal clients (all of
    them, or those that may write) wait, in the order they came.

    @ivar mode: L{None}, C{"write"} or C{"all"}.
    @ivar until: when the pause ends (seconds on the server's clock).
    """

    def __init__(self, server):
        self.server = server
        self.mode = None
        self.until = 0
        self._timer = None
        self._waiters = []

    def pause(self, until, mode):
        """
        Pause clients until C{until}; a pause in effect is never made
        shorter or less strict (Redis's C{pauseClients}).
        """
        if self.mode is not None:
            if mode != "all":
                mode = self.mode
            until = max(until, self.until)
        self.mode = mode
        self.until = until
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        delay = max(until - self.server.clock.seconds(), 0)
        self._timer = self.server.clock.callLater(delay, self.unpause)

    def unpause(self):
        """
        End the pause; the waiting commands run in the order they came.
        """
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        self.mode = None
        waiters, self._waiters = self._waiters, []
        for d in waiters:
            d.callback(None)

    def mustWait(self, client, spec, writes):
        """
        Whether a command must wait for the pause to end (replicas and the
        master link never do).

        @param writes: whether the command may write or replicate.
        """
        mode = self.mode
        if mode is None or client.kind != "normal" or client.transport is None:
            return False
        return mode == "all" or writes

    def wait(self, client):
        """
        @return: a L{Deferred} that fires when the pause ends; cancelling
            it (the client went away) forgets it.
        """

        def cancel(d):
            if d in self._waiters:
                self._waiters.remove(d)
            client.paused = False

        d = Deferred(canceller=cancel)
        client.paused = True

        def resumed(result):
            client.paused = False
            return result

        d.addCallback(resumed)
        self._waiters.append(d)
        return d

    def stop(self):
        """
        Cancel the timer (the server stops).
        """
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
