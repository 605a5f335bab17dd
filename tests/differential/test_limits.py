"""
Differential tests of the limits and monitoring commands (SLOWLOG,
LATENCY, CLIENT PAUSE, MONITOR, maxmemory under noeviction) against
Debian's redis-server 7.0.15.
"""

import hiredis

from tests.differential import assertSameReplies, runSequence


def _parse(raw):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def test_slowlogErrors(sharedRedisServer, sharedTxredisd):
    """
    SLOWLOG's argument errors, LEN, RESET and HELP match.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"SLOWLOG"],
            [b"SLOWLOG", b"GET", b"-2"],
            [b"SLOWLOG", b"GET", b"x"],
            [b"SLOWLOG", b"GET", b"1", b"2"],
            [b"SLOWLOG", b"GET", b"99999999999999999999"],
            [b"SLOWLOG", b"FOO"],
            [b"SLOWLOG", b"LEN", b"x"],
            [b"SLOWLOG", b"RESET", b"x"],
            [b"SLOWLOG", b"HELP"],
            [b"SLOWLOG", b"RESET"],
        ],
    )


def test_slowlogEntries(sharedRedisServer, sharedTxredisd):
    """
    With a threshold of 0, entries hold the same arguments (trimmed the
    same way) and the same shape on both servers.
    """
    commands = [
        [b"CONFIG", b"SET", b"slowlog-log-slower-than", b"0"],
        [b"SLOWLOG", b"RESET"],
        [b"CLIENT", b"SETNAME", b"probe"],
        [b"DEL"] + [b"k%d" % i for i in range(40)],
        [b"SET", b"k", b"v" * 300],
        [b"SLOWLOG", b"GET", b"3"],
        [b"SLOWLOG", b"LEN"],
        [b"CONFIG", b"SET", b"slowlog-log-slower-than", b"10000"],
    ]
    expected = runSequence(sharedRedisServer.port, commands)
    actual = runSequence(sharedTxredisd.port, commands)
    want = _parse(expected[5])
    got = _parse(actual[5])
    assert [e[3] for e in got] == [e[3] for e in want]
    assert [e[5] for e in got] == [e[5] for e in want]
    assert [len(e) for e in got] == [len(e) for e in want]
    assert actual[6] == expected[6]


def test_latencyErrors(sharedRedisServer, sharedTxredisd):
    """
    LATENCY's argument errors, empty replies and HELP match.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"LATENCY"],
            [b"LATENCY", b"FOO"],
            [b"LATENCY", b"HISTORY"],
            [b"LATENCY", b"HISTORY", b"nothing"],
            [b"LATENCY", b"LATEST", b"x"],
            [b"LATENCY", b"RESET", b"nothing"],
            [b"LATENCY", b"HELP"],
            [b"LATENCY", b"DOCTOR"],
        ],
    )


def test_clientPause(sharedRedisServer, sharedTxredisd):
    """
    CLIENT PAUSE's errors and UNPAUSE match.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"CLIENT", b"PAUSE"],
            [b"CLIENT", b"PAUSE", b"abc"],
            [b"CLIENT", b"PAUSE", b"-1"],
            [b"CLIENT", b"PAUSE", b"1.5"],
            [b"CLIENT", b"PAUSE", b"10", b"foo"],
            [b"CLIENT", b"PAUSE", b"10", b"write", b"extra"],
            [b"CLIENT", b"PAUSE", b"0", b"WRITE"],
            [b"CLIENT", b"PAUSE", b"9223372036854775807"],
            [b"CLIENT", b"PAUSE", b"9223372036854775808"],
            [b"CLIENT", b"UNPAUSE"],
            [b"CLIENT", b"UNPAUSE", b"x"],
            [b"CLIENT", b"NO-EVICT", b"on"],
            [b"CLIENT", b"NO-EVICT", b"maybe"],
            [b"CLIENT", b"NO-EVICT", b"off"],
        ],
    )


def test_monitorArity(sharedRedisServer, sharedTxredisd):
    """
    MONITOR with arguments, and inside MULTI, answer the same.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"MONITOR", b"x"],
            [b"MULTI"],
            [b"MONITOR"],
            [b"EXEC"],
        ],
    )


def test_noevictionOOM(sharedRedisServer, sharedTxredisd):
    """
    Over maxmemory under noeviction, denyoom commands get the OOM error,
    others run, and MULTI queueing is refused as Redis refuses it.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"SET", b"k", b"v"],
            [b"CONFIG", b"SET", b"maxmemory-policy", b"noeviction"],
            [b"CONFIG", b"SET", b"maxmemory", b"1"],
            [b"SET", b"a", b"b"],
            [b"GET", b"k"],
            [b"APPEND", b"k", b"x"],
            [b"DEL", b"nothing"],
            [b"MULTI"],
            [b"GET", b"k"],
            [b"EXEC"],
            [b"CONFIG", b"SET", b"maxmemory", b"0"],
            [b"SET", b"a", b"b"],
        ],
    )


def test_shutdownErrors(sharedRedisServer, sharedTxredisd):
    """
    SHUTDOWN's option errors and ABORT without a shutdown match.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"SHUTDOWN", b"ABORT"],
            [b"SHUTDOWN", b"ABORT", b"NOW"],
            [b"SHUTDOWN", b"SAVE", b"NOSAVE"],
            [b"SHUTDOWN", b"BOGUS"],
        ],
    )


def test_configParameters(sharedRedisServer, sharedTxredisd):
    """
    The limit parameters read and refuse values as Redis's.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            [b"CONFIG", b"GET", b"latency-monitor-threshold"],
            [b"CONFIG", b"GET", b"lfu-log-factor"],
            [b"CONFIG", b"GET", b"lfu-decay-time"],
            [b"CONFIG", b"GET", b"shutdown-timeout"],
            [b"CONFIG", b"GET", b"maxmemory-samples"],
            [b"CONFIG", b"SET", b"maxmemory-samples", b"0"],
            [b"CONFIG", b"SET", b"maxmemory-policy", b"bogus"],
            [b"CONFIG", b"SET", b"maxclients", b"0"],
            [b"CONFIG", b"SET", b"client-query-buffer-limit", b"1k"],
        ],
    )
