"""
The text INFO answers, built from a registry of section providers.

Each section (C{server}, C{clients}, ...) has a list of providers,
callables C{provider(server)} returning a list of C{(field, value)} pairs;
the parts of the server that own a subject (persistence, replication) add
their own fields or replace a section without touching this module::

    server.infoSections.add("replication", replicationFields, replace=True)
    server.infoSections.add("persistence", aofFields)

The text is Redis 7.0's C{genRedisInfoString}: C{# Title} then
C{field:value} lines, each ending in CRLF, sections separated by an empty
line, in a fixed order whatever order they were asked for.
"""

import os
import platform
import resource
import sys

import txredisd

#: The sections C{INFO} with no argument (or C{default}) shows.
_DEFAULT = "default"
#: Shown by C{all} and C{everything} but not by default.
_ALL = "all"


class _Section:
    def __init__(self, name, title, selection, aliases):
        self.name = name
        self.title = title
        self.selection = selection
        self.aliases = aliases
        self.providers = []


class InfoSections:
    """
    The INFO sections, in the order INFO prints them.
    """

    def __init__(self):
        self._sections = {}

    def section(self, name, title=None, selection=_DEFAULT, aliases=()):
        """
        Declare a section (at the end, if it is new).

        @param name: the lower-case name INFO selects it by.
        @param title: the heading (C{Server}, C{CPU}); defaults to the name
            capitalised.
        @param selection: C{"default"} for sections plain C{INFO} shows,
            C{"all"} for those only C{INFO all}/C{everything} (or their own
            name) show.
        @param aliases: other names that select it (C{module_list}).
        """
        section = self._sections.get(name)
        if section is None:
            section = self._sections[name] = _Section(
                name, title or name.capitalize(), selection, frozenset(aliases)
            )
        return section

    def add(self, name, provider, replace=False, **kwargs):
        """
        Add a provider of fields to a section, declaring the section if it
        is new.

        @param provider: C{provider(server)} returning a L{list} of
            C{(field, value)}; values are L{str}, L{bytes} or L{int}.
        @param replace: drop the section's existing providers first.
        """
        section = self.section(name, **kwargs)
        if replace:
            section.providers = []
        section.providers.append(provider)

    def names(self):
        """
        @return: the section names, in order.
        """
        return list(self._sections)

    def select(self, args):
        """
        The sections an INFO request asks for, as Redis 7.0's
        C{genInfoSectionDict} chooses them.

        @param args: the arguments after C{INFO} (L{bytes}).
        @return: a L{list} of section names, in print order.
        """
        wanted = set()
        everything = False
        if not args:
            args = [b"default"]
        for arg in args:
            arg = arg.lower().decode("utf-8", "replace")
            if arg == "default":
                wanted.add(_DEFAULT)
            elif arg in ("all", "everything"):
                everything = True
            else:
                wanted.add(arg)
        return [
            s.name
            for s in self._sections.values()
            if everything
            or s.name in wanted
            or (s.selection == _DEFAULT and _DEFAULT in wanted)
            or s.aliases & wanted
        ]

    def generate(self, server, args):
        """
        The INFO text for a request.

        @return: L{bytes}.
        """
        out = []
        for name in self.select(args):
            section = self._sections[name]
            if out:
                out.append(b"\r\n")
            out.append(b"# %s\r\n" % (section.title.encode(),))
            for provider in section.providers:
                for field, value in provider(server):
                    out.append(b"%s:%s\r\n" % (_text(field), _text(value)))
        return b"".join(out)


def _text(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, int):
        return b"%d" % (value,)
    return str(value).encode("utf-8")


def bytesToHuman(n):
    """
    A byte count as Redis's C{bytesToHuman} writes it (C{895.00K}).
    """
    if n < 1024:
        return "%dB" % (n,)
    for power, unit in enumerate("KMGTP", 1):
        if n < 1024 ** (power + 1):
            return "%.2f%s" % (n / 1024**power, unit)
    return "%dB" % (n,)


# --- memory ------------------------------------------------------------------


def estimateMemory(server):
    """
    The server's C{used_memory}: the one estimate eviction also keeps under
    C{maxmemory} (L{txredisd.eviction.MemoryEstimator}, which says how).
    """
    return server.evictor.memory.used()


def _residentBytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _systemMemory():
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


# --- the sections ------------------------------------------------------------


def _multiplexingApi(server):
    # Redis names its event loop's system call; the reactor class says it.
    name = type(server.reactor).__name__.lower()
    for api in ("epoll", "kqueue", "poll", "select", "iocp"):
        if api in name:
            return api
    return name.replace("reactor", "") or "unknown"


def _executable():
    # Redis shows its own binary; here that is the script that started us.
    script = sys.argv[0] if sys.argv else ""
    return os.path.abspath(script) if script and os.path.isfile(script) else sys.executable


def _configFile(server):
    # Redis shows the absolute path of the file it was started with.
    path = getattr(server.config, "path", None)
    if not path:
        return ""
    if isinstance(path, bytes):
        path = path.decode("utf-8", "replace")
    return os.path.abspath(path)


def serverFields(server):
    seconds = server.clock.seconds()
    uptime = int(seconds - server.startTime)
    uname = platform.uname()
    return [
        ("redis_version", txredisd.redisVersion),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", "txredisd-" + txredisd.__version__),
        ("redis_mode", "standalone"),
        ("os", "%s %s %s" % (uname.system, uname.release, uname.machine)),
        ("arch_bits", 64 if sys.maxsize > 2**32 else 32),
        ("multiplexing_api", _multiplexingApi(server)),
        ("process_id", server.pid),
        ("process_supervised", "no"),
        ("run_id", server.runId),
        ("tcp_port", server.config["port"]),
        ("server_time_usec", int(seconds * 1000000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", server.config["hz"]),
        ("configured_hz", server.config["hz"]),
        # Redis's LRU clock: seconds, in 24 bits.
        ("lru_clock", int(seconds) & ((1 << 24) - 1)),
        ("executable", _executable()),
        ("config_file", _configFile(server)),
        ("io_threads_active", 0),
    ]


def blockedClients(server):
    """
    The number of clients blocked in a command, from the blocking manager
    when the server has one.
    """
    count = getattr(getattr(server, "blocking", None), "blockedCount", None)
    if count is not None:
        return count()
    return sum(1 for c in server.clients.values() if getattr(c, "blocked", None) is not None)


def clientsFields(server):
    normal = sum(1 for c in server.clients.values() if c.kind != "replica" and not c.closed)
    return [
        ("connected_clients", normal),
        ("cluster_connections", 0),
        ("maxclients", server.config["maxclients"]),
        ("client_recent_max_input_buffer", 0),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", blockedClients(server)),
        ("tracking_clients", 0),
        ("clients_in_timeout_table", 0),
    ]


def memoryFields(server):
    used = estimateMemory(server)
    peak = server.memoryPeak = max(getattr(server, "memoryPeak", 0), used)
    rss = _residentBytes()
    system = _systemMemory()
    maxmemory = server.config["maxmemory"]
    return [
        ("used_memory", used),
        ("used_memory_human", bytesToHuman(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", bytesToHuman(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", bytesToHuman(peak)),
        ("used_memory_peak_perc", "%.2f%%" % (100.0 * used / peak if peak else 100.0,)),
        ("total_system_memory", system),
        ("total_system_memory_human", bytesToHuman(system)),
        ("maxmemory", maxmemory),
        ("maxmemory_human", bytesToHuman(maxmemory)),
        ("maxmemory_policy", server.config["maxmemory-policy"]),
        ("mem_fragmentation_ratio", "%.2f" % (rss / used if used else 0.0,)),
        ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", 0),
    ]


def persistenceFields(server):
    # The RDB fields come from the persistence service when there is one;
    # the AOF fields follow them, as in Redis's section.
    persistence = getattr(server, "persistence", None)
    if persistence is not None and hasattr(persistence, "info"):
        fields = list(persistence.info())
    else:
        fields = [
            ("loading", 0),
            ("async_loading", 0),
            ("rdb_changes_since_last_save", server.store.dirty),
            ("rdb_bgsave_in_progress", 0),
            ("rdb_last_save_time", int(server.startTime)),
            ("rdb_last_bgsave_status", "ok"),
            ("rdb_last_bgsave_time_sec", -1),
            ("rdb_current_bgsave_time_sec", -1),
            ("rdb_saves", 0),
        ]
    aof = getattr(server, "aof", None)
    if aof is not None:
        return fields + list(aof.info())
    return fields + [
        ("aof_enabled", 1 if server.config["appendonly"] else 0),
        ("aof_rewrite_in_progress", 0),
        ("aof_rewrite_scheduled", 0),
        ("aof_last_rewrite_time_sec", -1),
        ("aof_current_rewrite_time_sec", -1),
        ("aof_last_bgrewrite_status", "ok"),
        ("aof_rewrites", 0),
        ("aof_last_write_status", "ok"),
    ]


class InstantaneousMetrics:
    """
    Redis's C{trackInstantaneousMetric}: a counter sampled every cron tick
    into a ring of 16, giving a per-second rate averaged over the ring.
    """

    SAMPLES = 16

    def __init__(self):
        self._last = {}
        self._rings = {}

    def sample(self, name, nowSeconds, value):
        last = self._last.get(name)
        self._last[name] = (nowSeconds, value)
        if last is None:
            return
        elapsed = nowSeconds - last[0]
        if elapsed <= 0:
            return
        ring = self._rings.setdefault(name, [])
        ring.append((value - last[1]) / elapsed)
        if len(ring) > self.SAMPLES:
            del ring[0]

    def rate(self, name):
        ring = self._rings.get(name)
        return sum(ring) / len(ring) if ring else 0.0


def sampleMetrics(server):
    """
    Take one sample of the instantaneous counters (a cron hook).
    """
    now = server.clock.seconds()
    stats = server.stats
    metrics = server.metrics
    metrics.sample("ops", now, stats["total_commands_processed"])
    metrics.sample("input", now, stats["total_net_input_bytes"])
    metrics.sample("output", now, stats["total_net_output_bytes"])


def _count(server, attribute):
    # Pub/sub lives in another module; ask it if it is there.
    pubsub = getattr(server, "pubsub", None)
    value = getattr(pubsub, attribute, None) if pubsub is not None else None
    if value is None:
        return 0
    return value() if callable(value) else len(value)


def statsFields(server):
    stats = server.stats
    store = server.store
    metrics = server.metrics
    replication = getattr(server, "replication", None)
    return [
        ("total_connections_received", stats["total_connections_received"]),
        ("total_commands_processed", stats["total_commands_processed"]),
        ("instantaneous_ops_per_sec", int(metrics.rate("ops"))),
        ("total_net_input_bytes", stats["total_net_input_bytes"]),
        ("total_net_output_bytes", stats["total_net_output_bytes"]),
        ("instantaneous_input_kbps", "%.2f" % (metrics.rate("input") / 1024,)),
        ("instantaneous_output_kbps", "%.2f" % (metrics.rate("output") / 1024,)),
        ("rejected_connections", stats["rejected_connections"]),
        ("sync_full", getattr(replication, "syncFull", 0)),
        ("sync_partial_ok", getattr(replication, "syncPartialOk", 0)),
        ("sync_partial_err", getattr(replication, "syncPartialErr", 0)),
        ("expired_keys", store.expiredKeys),
        ("evicted_keys", server.evictor.evicted),
        ("keyspace_hits", store.hits),
        ("keyspace_misses", store.misses),
        ("pubsub_channels", _count(server, "channels")),
        ("pubsub_patterns", _count(server, "patterns")),
        ("pubsubshard_channels", _count(server, "shardChannels")),
        ("unexpected_error_replies", stats["unexpected_error_replies"]),
        ("total_error_replies", stats["total_error_replies"]),
    ]


def replicationFields(server):
    # With the replication machinery present, its own fields (role from the
    # replica link, replicas and backlog from the master side); otherwise a
    # master without replicas or backlog.
    master = getattr(server, "replication", None)
    replicaOf = getattr(server, "replicaOf", None)
    if master is not None and hasattr(master, "backlogInfo"):
        if replicaOf is not None and getattr(replicaOf, "master", None) is not None:
            lines = list(replicaOf.info())
        else:
            lines = [("role", "master")]
        return lines + list(master.info()) + list(master.backlogInfo())
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", getattr(server, "replicationId", None) or server.runId),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", 1048576),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _rusage(who):
    usage = resource.getrusage(who)
    return "%.6f" % (usage.ru_stime,), "%.6f" % (usage.ru_utime,)


def cpuFields(server):
    system, user = _rusage(resource.RUSAGE_SELF)
    childSystem, childUser = _rusage(resource.RUSAGE_CHILDREN)
    fields = [
        ("used_cpu_sys", system),
        ("used_cpu_user", user),
        ("used_cpu_sys_children", childSystem),
        ("used_cpu_user_children", childUser),
    ]
    thread = getattr(resource, "RUSAGE_THREAD", None)
    if thread is not None:
        threadSystem, threadUser = _rusage(thread)
        fields += [
            ("used_cpu_sys_main_thread", threadSystem),
            ("used_cpu_user_main_thread", threadUser),
        ]
    return fields


def commandstatsFields(server):
    # Redis's per-command counters; usec is the handler's own time, kept
    # in seconds by dispatch.
    fields = []
    for name, (calls, seconds, rejected, failed) in server.commandStats.items():
        if calls or rejected or failed:
            usec = seconds * 1000000
            fields.append(
                (
                    "cmdstat_" + name,
                    "calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d"
                    % (calls, usec, usec / calls if calls else 0.0, rejected, failed),
                )
            )
    return fields


def errorstatsFields(server):
    # Redis keeps these in a radix tree: listed in byte order.
    return [
        ("errorstat_" + code, "count=%d" % (count,))
        for code, count in sorted(server.errorStats.items())
    ]


def keyspaceFields(server):
    now = server.store.now
    fields = []
    for db in server.store.databases:
        keys = len(db.data)
        if not keys:
            continue
        expires = len(db.expires)
        avgTtl = 0
        if expires:
            # Redis estimates this by sampling during active expiry; an
            # average over a bounded sample is the same kind of estimate.
            ttls = []
            for when in db.expires.values():
                if len(ttls) == 1000:
                    break
                ttls.append(max(when - now, 0))
            avgTtl = sum(ttls) // len(ttls)
        fields.append(("db%d" % (db.index,), "keys=%d,expires=%d,avg_ttl=%d" % (keys, expires, avgTtl)))
    return fields


def _nothing(server):
    return []


def defaultSections():
    """
    @return: an L{InfoSections} with Redis 7.0's sections, in its order.
    """
    sections = InfoSections()
    sections.add("server", serverFields)
    sections.add("clients", clientsFields)
    sections.add("memory", memoryFields)
    sections.add("persistence", persistenceFields)
    sections.add("stats", statsFields)
    sections.add("replication", replicationFields)
    sections.add("cpu", cpuFields, title="CPU")
    sections.add("modules", _nothing, aliases=("module_list",))
    sections.add("commandstats", commandstatsFields, selection=_ALL)
    sections.add("errorstats", errorstatsFields)
    sections.add("latencystats", _nothing, selection=_ALL)
    sections.add("cluster", lambda server: [("cluster_enabled", 0)])
    sections.add("keyspace", keyspaceFields)
    return sections
