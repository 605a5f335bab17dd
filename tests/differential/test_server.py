"""
Differential tests of the server commands (INFO, CONFIG, COMMAND, TIME)
against Debian's redis-server 7.0.15.

Where Redis's reply depends on its hash tables' order, its time or its
larger command and parameter tables, the replies are compared structurally.
"""

import hiredis

from tests.differential import RawConnection, assertSameReplies, runSequence


def _parse(raw):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def _both(redis, txredisd, commands, resp3=False):
    return (
        runSequence(redis.port, commands, resp3),
        runSequence(txredisd.port, commands, resp3),
    )


def _infoFields(text):
    """
    The sections and field names of an INFO text.
    """
    sections = []
    fields = {}
    for line in text.decode().split("\r\n"):
        if line.startswith("# "):
            sections.append(line[2:])
            fields[line[2:]] = []
        elif line:
            fields[sections[-1]].append(line.split(":", 1)[0])
    return sections, fields


# --- INFO ----------------------------------------------------------------------


def test_infoSectionsChosen(sharedRedisServer, sharedTxredisd):
    """
    INFO with no argument, default, all, everything, several names and
    unknown names selects the same sections, in the same order, as Redis.
    """
    requests = [
        ["INFO"],
        ["INFO", "default"],
        ["INFO", "all"],
        ["INFO", "everything"],
        ["INFO", "server", "clients"],
        ["INFO", "CPU", "Server"],
        ["INFO", "keyspace", "keyspace"],
        ["INFO", "all", "commandstats"],
        ["INFO", "commandstats", "latencystats"],
        ["INFO", "modules"],
        ["INFO", "cpu", "everything"],
    ]
    expected, actual = _both(sharedRedisServer, sharedTxredisd, requests)
    for request, want, got in zip(requests, expected, actual):
        assert _infoFields(_parse(got))[0] == _infoFields(_parse(want))[0], request


def test_infoFieldNamesAreRedis(sharedRedisServer, sharedTxredisd):
    """
    Every field txredisd's INFO everything shows is one Redis 7.0 shows, in
    the same section and in Redis's relative order.
    """
    [want], [got] = _both(sharedRedisServer, sharedTxredisd, [["INFO", "everything"]])
    _, redisFields = _infoFields(_parse(want))
    _, ourFields = _infoFields(_parse(got))
    for section, names in ourFields.items():
        if section in ("Keyspace", "Commandstats", "Errorstats"):
            continue
        reference = redisFields[section]
        assert [n for n in reference if n in names] == names, section


def test_infoRequiredFields(sharedTxredisd):
    """
    INFO carries the fields clients and tools rely on, with values of the
    right shape.
    """
    [raw] = runSequence(sharedTxredisd.port, [["INFO", "everything"]])
    text = _parse(raw).decode()
    values = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    assert values["redis_version"] == "7.0.15"
    assert values["redis_mode"] == "standalone"
    assert values["role"] == "master"
    assert values["tcp_port"] == str(sharedTxredisd.port)
    assert len(values["run_id"]) == 40 and len(values["master_replid"]) == 40
    for name in (
        "process_id",
        "uptime_in_seconds",
        "connected_clients",
        "blocked_clients",
        "used_memory",
        "maxmemory",
        "total_connections_received",
        "total_commands_processed",
        "instantaneous_ops_per_sec",
        "keyspace_hits",
        "keyspace_misses",
        "expired_keys",
        "master_repl_offset",
        "rdb_changes_since_last_save",
    ):
        int(values[name])
    float(values["used_cpu_sys"])
    float(values["used_cpu_user"])
    assert values["loading"] == "0" and values["aof_enabled"] == "0"


def test_infoKeyspace(sharedRedisServer, sharedTxredisd):
    """
    INFO keyspace lists the non-empty databases exactly as Redis does, and
    an unknown section gives an empty text.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["INFO", "keyspace"],
            ["SET", "a", "1"],
            ["SET", "b", "2"],
            ["SELECT", "3"],
            ["SET", "c", "3"],
            ["INFO", "keyspace"],
            ["INFO", "KEYSPACE", "nosuch"],
            ["INFO", "nosuch"],
            ["FLUSHALL"],
        ],
    )


def test_infoResp3IsVerbatim(sharedRedisServer, sharedTxredisd):
    """
    Under RESP3, INFO answers a verbatim text string, as Redis does.
    """
    assertSameReplies(
        sharedRedisServer.port, sharedTxredisd.port, [["INFO", "keyspace"], ["INFO", "nosuch"]], resp3=True
    )


def test_infoErrorstats(sharedRedisServer, sharedTxredisd):
    """
    INFO errorstats counts error replies by code after CONFIG RESETSTAT.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CONFIG", "RESETSTAT"],
            ["NOSUCHCOMMAND"],
            ["GET"],
            ["SET", "k", "v"],
            ["INFO", "errorstats"],
            ["CONFIG", "RESETSTAT"],
            ["INFO", "errorstats"],
        ],
    )


def test_infoCommandstats(sharedRedisServer, sharedTxredisd):
    """
    INFO commandstats counts calls, rejected calls (arity) and failed calls
    per command and subcommand as Redis does (times aside).
    """
    commands = [
        ["CONFIG", "RESETSTAT"],
        ["GET"],
        ["SET", "k", "v"],
        ["GET", "k"],
        ["GET", "k"],
        ["CONFIG", "SET", "hz", "x"],
        ["CONFIG", "GET", "hz"],
        ["INFO", "commandstats"],
    ]

    def counts(raw):
        stats = {}
        for line in _parse(raw).decode().split("\r\n")[1:]:
            if line:
                name, values = line.split(":", 1)
                fields = dict(pair.split("=") for pair in values.split(","))
                stats[name] = (fields["calls"], fields["rejected_calls"], fields["failed_calls"])
        return stats

    want = runSequence(sharedRedisServer.port, commands)[-1]
    got = runSequence(sharedTxredisd.port, commands)[-1]
    assert counts(got) == counts(want)


# --- CONFIG --------------------------------------------------------------------


def test_configGet(sharedRedisServer, sharedTxredisd):
    """
    CONFIG GET of single parameters, aliases, exact names in any case, and
    unknown names answers as Redis does.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CONFIG", "GET", "hz"],
            ["CONFIG", "GET", "HZ"],
            ["CONFIG", "GET", "Hz*"],
            ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "GET", "maxmemory-policy"],
            ["CONFIG", "GET", "appendonly"],
            ["CONFIG", "GET", "databases"],
            ["CONFIG", "GET", "timeout"],
            ["CONFIG", "GET", "slaveof"],
            ["CONFIG", "GET", "replicaof"],
            ["CONFIG", "GET", "slave-read-only"],
            ["CONFIG", "GET", "nosuch"],
            ["CONFIG", "GET", "nosuch*"],
            ["CONFIG", "GET", "hz", "hz", "HZ"],
            ["CONFIG", "GET"],
            ["CONFIG", "GET", "maxmemory"],
        ],
    )
    assertSameReplies(
        sharedRedisServer.port, sharedTxredisd.port, [["CONFIG", "GET", "hz"], ["CONFIG", "GET", "nosuch"]], resp3=True
    )


def test_configGetSeveral(sharedRedisServer, sharedTxredisd):
    """
    CONFIG GET of several names and patterns answers the same pairs as Redis
    (whose order comes from its hash table).
    """
    requests = [
        ["CONFIG", "GET", "maxmemory", "hz", "appendonly"],
        ["CONFIG", "GET", "maxmemory-p*", "timeout"],
    ]
    expected, actual = _both(sharedRedisServer, sharedTxredisd, requests)
    for want, got in zip(expected, actual):
        want, got = _parse(want), _parse(got)
        assert dict(zip(got[::2], got[1::2])) == dict(zip(want[::2], want[1::2]))
        assert len(got) == len(want)


def test_configSetErrors(sharedRedisServer, sharedTxredisd):
    """
    CONFIG SET refuses unknown, immutable, duplicate and badly valued
    parameters with Redis's texts, and applies nothing when one is refused.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CONFIG", "SET", "hz"],
            ["CONFIG", "SET", "hz", "5", "maxmemory"],
            ["CONFIG", "SET", "nosuch", "1"],
            ["CONFIG", "SET", "hz", "abc"],
            ["CONFIG", "SET", "hz", "-1"],
            ["CONFIG", "SET", "hz", "5", "hz", "6"],
            ["CONFIG", "SET", "hz", "5", "HZ", "6"],
            ["CONFIG", "SET", "databases", "3"],
            ["CONFIG", "SET", "databases", "3", "nosuch", "1"],
            ["CONFIG", "SET", "nosuch", "1", "databases", "3"],
            ["CONFIG", "SET", "maxmemory-policy", "bad"],
            ["CONFIG", "SET", "appendonly", "maybe"],
            ["CONFIG", "SET", "dir", "/tmp"],
            ["CONFIG", "SET", "dbfilename", "x.rdb", "hz", "5"],
            ["CONFIG", "SET", "enable-protected-configs", "yes"],
            ["CONFIG", "GET", "enable-protected-configs"],
            ["CONFIG", "SET", "maxmemory", "abc"],
            ["CONFIG", "SET", "hz", "11", "maxmemory", "abc"],
            ["CONFIG", "GET", "hz"],
            ["CONFIG", "GET", "maxmemory"],
        ],
    )


def test_configSet(sharedRedisServer, sharedTxredisd):
    """
    CONFIG SET changes several parameters at once, aliases included, and
    CONFIG GET shows the new values as Redis does.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CONFIG", "SET", "hz", "20", "maxmemory", "10mb", "maxmemory-policy", "ALLKEYS-LRU"],
            ["CONFIG", "GET", "hz"],
            ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "GET", "maxmemory-policy"],
            ["CONFIG", "SET", "slave-read-only", "no"],
            ["CONFIG", "GET", "replica-read-only"],
            ["CONFIG", "SET", "maxmemory", "1k"],
            ["CONFIG", "GET", "maxmemory"],
            ["CONFIG", "SET", "hz", "10", "maxmemory", "0", "maxmemory-policy", "noeviction"],
            ["CONFIG", "SET", "replica-read-only", "yes"],
            ["CONFIG", "GET", "hz"],
        ],
    )


def test_configOtherSubcommands(sharedRedisServer, sharedTxredisd):
    """
    CONFIG RESETSTAT, REWRITE without a file, HELP, unknown subcommands and
    wrong arities answer as Redis does.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CONFIG", "RESETSTAT"],
            ["CONFIG", "RESETSTAT", "x"],
            ["CONFIG", "REWRITE"],
            ["CONFIG", "HELP"],
            ["CONFIG", "help", "x"],
            ["CONFIG", "nosuch"],
            ["CONFIG"],
        ],
    )


# --- COMMAND -------------------------------------------------------------------

# Commands whose whole COMMAND INFO entry (key specs and tips included) is
# declared or derived exactly.
_EXACT = [
    "get",
    "ping",
    "echo",
    "select",
    "quit",
    "hello",
    "auth",
    "reset",
    "dbsize",
    "flushall",
    "flushdb",
    "info",
    "time",
    "config|get",
    "config|set",
    "config|resetstat",
    "config|rewrite",
    "config|help",
    "command|info",
    "command|count",
    "command|docs",
    "command|list",
    "command|getkeys",
    "command|getkeysandflags",
    "client|id",
    "client|setname",
    "client|getname",
    "client|info",
    "client|list",
    "client|kill",
    "client|help",
    "client|no-evict",
    "client|unblock",
]


def test_commandInfoExact(sharedRedisServer, sharedTxredisd):
    """
    COMMAND INFO of the connection and server commands is Redis's, byte for
    byte, in RESP2 and RESP3, and unknown names give a null.
    """
    requests = [["COMMAND", "INFO", name] for name in _EXACT]
    requests += [["COMMAND", "INFO", "nosuch", "GET"], ["COMMAND", "INFO", "Config|Get", "ping"]]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests, resp3=True)


def test_commandInfoContainers(sharedRedisServer, sharedTxredisd):
    """
    COMMAND INFO of a container (CONFIG, CLIENT) has Redis's fields, and
    lists as subcommands the ones txredisd has, each as Redis shows it.
    """
    for name in ("config", "client", "command"):
        [want], [got] = _both(sharedRedisServer, sharedTxredisd, [["COMMAND", "INFO", name]])
        want, got = _parse(want)[0], _parse(got)[0]
        assert got[:9] == want[:9]
        reference = {sub[0]: sub for sub in want[9]}
        for sub in got[9]:
            assert sub == reference[sub[0]]


def test_commandInfoOtherFamilies(sharedRedisServer, sharedTxredisd):
    """
    For commands whose key specs are only derived (SET, DEL), the name,
    arity, flags, key positions and ACL categories are Redis's.
    """
    for name in ("set", "del"):
        [want], [got] = _both(sharedRedisServer, sharedTxredisd, [["COMMAND", "INFO", name]])
        assert _parse(got)[0][:7] == _parse(want)[0][:7]


def test_commandDocsExact(sharedRedisServer, sharedTxredisd):
    """
    COMMAND DOCS of the server and connection commands (arguments included)
    is Redis's, byte for byte, in RESP2 and RESP3.
    """
    requests = [["COMMAND", "DOCS", name] for name in _EXACT if name != "get"]
    requests.append(["COMMAND", "DOCS", "nosuch", "PING"])
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, requests, resp3=True)


def test_commandDocs(sharedRedisServer, sharedTxredisd):
    """
    COMMAND DOCS of containers gives Redis's fields, lists only subcommands
    Redis has, and leaves out unknown names.
    """
    names = ["config", "client", "info", "dbsize", "hello", "ping", "command", "time"]
    [want], [got] = _both(sharedRedisServer, sharedTxredisd, [["COMMAND", "DOCS"] + names + ["nosuch"]])
    want, got = _parse(want), _parse(got)
    assert got[::2] == want[::2]

    def fields(docs):
        docs = dict(zip(docs[::2], docs[1::2]))
        subs = docs.pop(b"subcommands", [])
        return docs, subs[::2]

    reference = dict(zip(want[::2], want[1::2]))
    for name, docs in zip(got[::2], got[1::2]):
        ours, ourSubs = fields(docs)
        theirs, theirSubs = fields(reference[name])
        assert ours == theirs, name
        assert set(ourSubs) <= set(theirSubs)


def test_commandCountAndList(sharedRedisServer, sharedTxredisd):
    """
    COMMAND COUNT is an integer and COMMAND LIST names only commands Redis
    has; the filters and their errors behave as Redis's.
    """
    requests = [
        ["COMMAND", "COUNT"],
        ["COMMAND", "LIST"],
        ["COMMAND", "LIST", "FILTERBY", "pattern", "config*"],
        ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "dangerous"],
    ]
    expected, actual = _both(sharedRedisServer, sharedTxredisd, requests)
    assert isinstance(_parse(actual[0]), int)
    for want, got in zip(expected[1:], actual[1:]):
        assert set(_parse(got)) <= set(_parse(want))
    assert set(_parse(actual[2])) == {
        b"config",
        b"config|get",
        b"config|set",
        b"config|help",
        b"config|resetstat",
        b"config|rewrite",
    }
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["COMMAND", "LIST", "FILTERBY", "MODULE", "x"],
            ["COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"],
            ["COMMAND", "LIST", "FILTERBY", "pattern", "fl*shd?"],
            ["COMMAND", "LIST", "FILTERBY"],
            ["COMMAND", "LIST", "x"],
            ["COMMAND", "LIST", "FILTERBY", "nosuch", "x"],
            ["COMMAND", "COUNT", "x"],
        ],
    )


def test_commandGetkeys(sharedRedisServer, sharedTxredisd):
    """
    COMMAND GETKEYS and GETKEYSANDFLAGS find keys and refuse unknown
    commands, keyless commands and wrong arities with Redis's texts.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["COMMAND", "GETKEYS", "set", "a", "b"],
            ["COMMAND", "GETKEYS", "GET", "a"],
            ["COMMAND", "GETKEYS", "del", "a", "b", "c"],
            ["COMMAND", "GETKEYS", "get", "a", "b"],
            ["COMMAND", "GETKEYS", "ping", "x"],
            ["COMMAND", "GETKEYS", "nosuch", "x"],
            ["COMMAND", "GETKEYS", "config", "get", "x"],
            ["COMMAND", "GETKEYS", "config", "nosuch", "x"],
            ["COMMAND", "GETKEYS", "client", "x"],
            ["COMMAND", "GETKEYS", "get"],
            ["COMMAND", "GETKEYS"],
            ["COMMAND", "GETKEYSANDFLAGS", "get", "a"],
            ["COMMAND", "GETKEYSANDFLAGS", "nosuch", "a"],
        ],
    )


def test_commandHelpAndErrors(sharedRedisServer, sharedTxredisd):
    """
    COMMAND HELP and unknown COMMAND subcommands answer as Redis does.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [["COMMAND", "HELP"], ["COMMAND", "nosuch"], ["COMMAND", "help", "x"], ["COMMAND", "INFO", "nosuch"]],
    )


def test_commandBare(sharedRedisServer, sharedTxredisd):
    """
    Bare COMMAND answers one Redis-shaped entry per command, and the entries
    of commands both servers describe exactly are equal.
    """
    [want], [got] = _both(sharedRedisServer, sharedTxredisd, [["COMMAND"]])
    reference = {entry[0]: entry for entry in _parse(want)}
    entries = _parse(got)
    assert all(len(entry) == 10 for entry in entries)
    for entry in entries:
        if entry[0].decode() in _EXACT:
            assert entry == reference[entry[0]]


# --- TIME ----------------------------------------------------------------------


def test_time(sharedRedisServer, sharedTxredisd):
    """
    TIME answers two bulk strings, seconds and microseconds, close to
    Redis's own clock; extra arguments are refused as Redis refuses them.
    """
    [want], [got] = _both(sharedRedisServer, sharedTxredisd, [["TIME"]])
    seconds, micros = _parse(got)
    assert 0 <= int(micros) < 1000000
    assert abs(int(seconds) - int(_parse(want)[0])) < 60
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, [["TIME", "x"]])


def test_rawConnectionHelper(sharedTxredisd):
    """
    The raw connection reads a whole verbatim INFO reply in RESP3.
    """
    conn = RawConnection(sharedTxredisd.port)
    try:
        conn.call("HELLO", "3")
        assert conn.call("INFO", "nosuch") == b"=4\r\ntxt:\r\n"
    finally:
        conn.close()


# --- SWAPDB --------------------------------------------------------------------


def test_swapdb(sharedRedisServer, sharedTxredisd):
    """
    SWAPDB exchanges keys and their expiry times while connections stay on
    their database number; its index errors come in Redis's order.
    """
    commands = [
        ["SET", "a", "0", "EX", "1000"],
        ["SELECT", "1"],
        ["RPUSH", "b", "x", "y"],
        ["SWAPDB", "0", "1"],
        ["GET", "a"],
        ["TTL", "a"],
        ["LRANGE", "b", "0", "-1"],
        ["SELECT", "0"],
        ["EXISTS", "a", "b"],
        ["SWAPDB", "1", "1"],
        ["SWAPDB", "1", "15"],
        ["SELECT", "15"],
        ["TTL", "a"],
        ["DBSIZE"],
        ["SWAPDB", "x", "1"],
        ["SWAPDB", "1", "x"],
        ["SWAPDB", "x", "y"],
        ["SWAPDB", "0", "16"],
        ["SWAPDB", "-1", "0"],
        ["SWAPDB", "16", "x"],
        ["SWAPDB", "2147483648", "0"],
        ["SWAPDB", "0", "-2147483649"],
        ["SWAPDB", "0"],
        ["SWAPDB", "0", "1", "2"],
        ["COMMAND", "INFO", "swapdb"],
        ["COMMAND", "DOCS", "swapdb"],
        ["FLUSHALL"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_swapdbWatch(sharedRedisServer, sharedTxredisd):
    """
    SWAPDB fails the transactions watching keys present in either database,
    and no others.
    """
    from tests.differential.multiconn import assertSameScript

    script = [
        (0, ["SELECT", "1"]),
        (0, ["SET", "only1", "x"]),
        (0, ["SELECT", "0"]),
        (0, ["SET", "only0", "x"]),
        (1, ["WATCH", "only1"]),
        (1, ["MULTI"]),
        (1, ["PING"]),
        (0, ["SWAPDB", "0", "1"]),
        (1, ["EXEC"]),
        (1, ["WATCH", "nowhere"]),
        (1, ["MULTI"]),
        (1, ["PING"]),
        (0, ["SWAPDB", "0", "1"]),
        (1, ["EXEC"]),
        (1, ["WATCH", "only0"]),
        (0, ["SWAPDB", "2", "3"]),
        (1, ["MULTI"]),
        (1, ["PING"]),
        (1, ["EXEC"]),
        (0, ["FLUSHALL"]),
    ]
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)


def _swapWhileBlocked(port, setup, blocked):
    """
    Run C{setup} on one connection, block C{blocked} on another, wait until
    the server counts it blocked, swap databases 0 and 1.

    @return: the blocked command's reply, then what database 0 holds.
    """
    import time

    from txredisd.resp import encodeCommand

    main, waiter = RawConnection(port), RawConnection(port)
    try:
        main.call("FLUSHALL")
        for argv in setup:
            main.call(*argv)
        waiter.send(encodeCommand([a.encode() for a in blocked]))
        deadline = time.monotonic() + 10
        while b"blocked_clients:1\r\n" not in main.call("INFO", "clients"):
            assert time.monotonic() < deadline, "the command did not block"
            time.sleep(0.005)
        main.call("SWAPDB", "0", "1")
        return [waiter.readReply(), main.call("KEYS", "*"), main.call("FLUSHALL")]
    finally:
        main.close()
        waiter.close()


def test_swapdbServesBlockedClients(sharedRedisServer, sharedTxredisd):
    """
    Clients blocked on keys of either database are tried again after
    SWAPDB: a list the swap brings serves BLPOP, a stream that goes (or is
    no longer a stream) answers XREADGROUP's error.
    """
    cases = [
        ([["SELECT", "1"], ["RPUSH", "l", "a", "b"], ["SET", "str", "x"]], ["BLPOP", "str", "l", "0"]),
        (
            [["XADD", "s", "1-1", "f", "v"], ["XGROUP", "CREATE", "s", "g", "$"], ["SELECT", "1"], ["RPUSH", "s", "x"]],
            ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"],
        ),
        (
            [["XADD", "s", "1-1", "f", "v"], ["XGROUP", "CREATE", "s", "g", "$"]],
            ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"],
        ),
        (
            [["XADD", "s", "1-1", "f", "v"], ["XGROUP", "CREATE", "s", "g", "$"], ["SELECT", "1"],
             ["XADD", "s", "2-1", "f", "w"], ["XGROUP", "CREATE", "s", "g", "0"]],
            ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"],
        ),
    ]
    for setup, blocked in cases:
        assert _swapWhileBlocked(sharedTxredisd.port, setup, blocked) == _swapWhileBlocked(
            sharedRedisServer.port, setup, blocked
        ), blocked
