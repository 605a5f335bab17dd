"""
Watching the server: SLOWLOG, LATENCY and MONITOR (the state is in
L{txredisd.monitoring}).
"""

from txredisd import errors
from txredisd.commands.server import helpSubcommand
from txredisd.errors import CommandError
from txredisd.numbers import parseInt
from txredisd.registry import command, container
from txredisd.resp import NO_REPLY, OK, Verbatim

_ADMIN = ["admin", "loading", "stale"]
_ADMIN_NOSCRIPT = ["admin", "noscript", "loading", "stale"]
_ALL_NODES = ("request_policy:all_nodes",)

# --- SLOWLOG -------------------------------------------------------------------

container("slowlog", -2, group="server", summary="A container for slow log commands", since="2.2.12")


@command(
    "slowlog|get",
    -2,
    _ADMIN,
    group="server",
    tips=_ALL_NODES + ("nondeterministic_output",),
    summary="Get the slow log's entries",
    since="2.2.12",
)
def slowlogGet(client, argv):
    if len(argv) > 3:
        raise CommandError(errors.SUBCOMMAND_ARGS.format(errors.safe(argv[1]), "SLOWLOG"))
    entries = client.server.slowlog.entries
    count = 10
    if len(argv) == 3:
        count = parseInt(argv[2])
        if count is None or count < -1:
            raise CommandError(errors.SLOWLOG_COUNT)
        if count == -1:
            count = len(entries)
    return [list(entry) for entry, _ in zip(entries, range(count))]


@command(
    "slowlog|len",
    2,
    _ADMIN,
    group="server",
    tips=_ALL_NODES + ("response_policy:agg_sum", "nondeterministic_output"),
    summary="Get the slow log's length",
    since="2.2.12",
)
def slowlogLen(client, argv):
    return len(client.server.slowlog.entries)


@command(
    "slowlog|reset",
    2,
    _ADMIN,
    group="server",
    tips=_ALL_NODES + ("response_policy:all_succeeded",),
    summary="Clear all entries from the slow log",
    since="2.2.12",
)
def slowlogReset(client, argv):
    client.server.slowlog.reset()
    return OK


helpSubcommand(
    "slowlog",
    [
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    ],
    group="server",
)

# --- LATENCY -------------------------------------------------------------------

container("latency", -2, group="server", summary="A container for latency diagnostics commands", since="2.8.13")


@command(
    "latency|latest",
    2,
    _ADMIN_NOSCRIPT,
    group="server",
    tips=_ALL_NODES + ("nondeterministic_output",),
    summary="Return the latest latency samples for all events.",
    since="2.8.13",
)
def latencyLatest(client, argv):
    return [
        [event, samples[-1][0], samples[-1][1], worst]
        for event, (samples, worst) in client.server.latency.events.items()
    ]


@command(
    "latency|history",
    3,
    _ADMIN_NOSCRIPT,
    group="server",
    tips=_ALL_NODES + ("nondeterministic_output",),
    summary="Return timestamp-latency samples for the event.",
    since="2.8.13",
)
def latencyHistory(client, argv):
    record = client.server.latency.events.get(argv[2])
    if record is None:
        return []
    return [list(sample) for sample in record[0]]


@command(
    "latency|reset",
    -2,
    _ADMIN_NOSCRIPT,
    group="server",
    tips=_ALL_NODES + ("response_policy:agg_sum",),
    summary="Reset latency data for one or more events.",
    since="2.8.13",
)
def latencyReset(client, argv):
    return client.server.latency.reset(argv[2:])


_DOCTOR_DISABLED = (
    "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
    'You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. '
    "If we weren't in a deep space mission I'd suggest to take a look at "
    "https://redis.io/topics/latency-monitor.\n"
)
_DOCTOR_CLEAN = (
    "Dave, no latency spike was observed during the lifetime of this Redis instance, "
    "not in the slightest bit. I honestly think you ought to sleep tonight.\n"
)


@command(
    "latency|doctor",
    2,
    _ADMIN_NOSCRIPT,
    group="server",
    tips=_ALL_NODES + ("nondeterministic_output", "response_policy:special"),
    summary="Return a human readable latency analysis report.",
    since="2.8.13",
)
def latencyDoctor(client, argv):
    server = client.server
    events = server.latency.events
    if not events:
        if not server.config["latency-monitor-threshold"]:
            return Verbatim(_DOCTOR_DISABLED.encode())
        return Verbatim(_DOCTOR_CLEAN.encode())
    # Redis's createLatencyReport, its per-event paragraph (the advice
    # that follows in Redis depends on its internals and is left out).
    lines = [
        "Dave, I have observed latency spikes in this Redis instance. "
        "You don't mind talking about it, do you Dave?",
        "",
    ]
    for number, (event, (samples, worst)) in enumerate(events.items(), 1):
        total = sum(sample[1] for sample in samples)
        lines.append(
            "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %s sec). Worst all time event %dms."
            % (
                number,
                event.decode("utf-8", "replace"),
                len(samples),
                total // len(samples),
                _meanDeviation(samples, total / len(samples)),
                _period(samples),
                worst,
            )
        )
    lines.append("")
    return Verbatim(("\n".join(lines) + "\n").encode())


def _meanDeviation(samples, average):
    return int(sum(abs(sample[1] - average) for sample in samples) / len(samples))


def _period(samples):
    if len(samples) < 2:
        return "0"
    return "%.2f" % ((samples[-1][0] - samples[0][0]) / (len(samples) - 1),)


helpSubcommand(
    "latency",
    [
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
    ],
    group="server",
)

# --- MONITOR -------------------------------------------------------------------


@command("monitor", 1, _ADMIN_NOSCRIPT, group="server", summary="Listen for all requests received by the server in real-time", since="1.0.0")
def monitor(client, argv):
    if client.denyBlocking:
        # A client that expects one reply per command (MULTI, scripts).
        raise CommandError(errors.MONITOR_DENY_BLOCKING)
    if client.monitor or client.kind != "normal":
        # Redis ignores MONITOR from a replica or a monitor.
        return NO_REPLY
    client.monitor = True
    client.server.monitors.append(client)
    return OK
