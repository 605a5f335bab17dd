"""
Fuzz tests: random bytes through both request parsers, and random
arguments to every command in the registry, find no crash and no hang.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.logger import globalLogPublisher

from tests.helpers import Connection
from txredisd.errors import ProtocolError
from txredisd.protocol import makeParser
from txredisd.registry import COMMANDS, loadCommands

loadCommands()

pytestmark = pytest.mark.timeout(300)

_FUZZ = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces requests are made of, so that random streams are often almost
# valid (the interesting case) and sometimes plain noise.
_PIECES = st.sampled_from(
    [b"*", b"$", b"\r\n", b"\n", b"\r", b"0", b"1", b"2", b"3", b"-1", b"9999999999", b"+", b"=", b"(",
     b" ", b'"', b"'", b"\\x41", b"SET", b"GET", b"PING", b"a", b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"\x00"]
)
_STREAM = st.one_of(st.binary(max_size=200), st.lists(_PIECES, max_size=40).map(b"".join))


def _frame(data, cuts, useHiredis):
    parser = makeParser(512 * 1024 * 1024, useHiredis)
    commands = []
    error = None
    positions = sorted(set(c % (len(data) + 1) for c in cuts)) + [len(data)]
    start = 0
    for end in positions:
        got, error = parser.feed(data[start:end])
        start = end
        for argv in got:
            assert type(argv) is list and argv and all(type(a) is bytes for a in argv)
        commands.extend(got)
        if error is not None:
            assert isinstance(error, ProtocolError)
            break
    return commands, error is not None


@_FUZZ
@given(_STREAM, st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_parsers(data, cuts):
    """
    Any byte stream, cut anywhere, frames without an exception, and the
    hiredis-backed parser gives the same commands and errors as the pure
    one.
    """
    assert _frame(data, cuts, True) == _frame(data, cuts, False)


def _commandNames():
    names = []
    for name, spec in sorted(COMMANDS.items()):
        if spec.subcommands:
            for sub in sorted(spec.subcommands):
                names.append((name, sub))
        if spec.handler is not None or not spec.subcommands:
            names.append((name,))
    return names


# Commands that act on the process or the disk rather than on the data.
_SKIP = {
    (b"shutdown",),
    (b"save",),
    (b"bgsave",),
    (b"bgrewriteaof",),
    (b"replicaof",),
    (b"slaveof",),
    (b"sync",),
    (b"psync",),
    (b"config", b"set"),
    (b"config", b"rewrite"),
}
COMMAND_NAMES = [n for n in _commandNames() if n not in _SKIP]

_WORDS = st.sampled_from(
    [b"k", b"s", b"h", b"z", b"l", b"missing", b"0", b"1", b"-1", b"2", b"3", b"10", b"100", b"-100",
     b"1.5", b"-inf", b"+inf", b"inf", b"nan", b"9223372036854775807", b"-9223372036854775808",
     b"18446744073709551616", b"1e400", b"(1", b"[a", b"-", b"+", b"*", b"", b"EX", b"PX", b"EXAT",
     b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR", b"GET", b"KEEPTTL", b"WITHSCORES", b"LIMIT", b"COUNT",
     b"MATCH", b"TYPE", b"BYSCORE", b"BYLEX", b"REV", b"STORE", b"STOREDIST", b"WITHCOORD",
     b"WITHDIST", b"WITHHASH", b"ASC", b"DESC", b"ANY", b"FROMMEMBER", b"FROMLONLAT", b"BYRADIUS",
     b"BYBOX", b"m", b"km", b"WEIGHTS", b"AGGREGATE", b"SUM", b"MIN", b"MAX", b"MINMATCHLEN", b"IDX",
     b"LEN", b"WITHMATCHLEN", b"ID", b"ADDR", b"LADDR", b"USER", b"SKIPME", b"yes", b"no", b"ON",
     b"OFF", b"WRITE", b"ALL", b"TIMEOUT", b"ERROR", b"SETNAME", b"AUTH", b"default", b"REPLACE",
     b"DB", b"ABORT", b"NOW", b"FORCE", b"NOSAVE", b"\x00\xff", b"a b", b"\r\n", b"x" * 200]
)
_ARGS = st.lists(st.one_of(_WORDS, st.binary(max_size=12)), max_size=8)


def _seeded():
    conn = Connection()
    for argv in (
        (b"SET", b"k", b"10"),
        (b"SADD", b"s", b"a", b"b", b"1"),
        (b"HSET", b"h", b"f", b"1", b"g", b"x"),
        (b"ZADD", b"z", b"1", b"a", b"2", b"b"),
        (b"GEOADD", b"g", b"13.36", b"38.11", b"p"),
        (b"PEXPIRE", b"s", b"100000"),
    ):
        conn.call(*argv)
    return conn


@_FUZZ
@given(st.sampled_from(COMMAND_NAMES), _ARGS, st.booleans())
def test_commands(name, args, resp3):
    """
    Every command in the registry, given random arguments (RESP2 or RESP3),
    answers without an internal error, and the connection keeps serving.
    """
    failures = []

    def observe(event):
        if "log_failure" in event:
            failures.append(event["log_failure"])

    globalLogPublisher.addObserver(observe)
    try:
        _runCommand(name, args, resp3)
    finally:
        globalLogPublisher.removeObserver(observe)
    assert not failures, (name, args, failures)


def _runCommand(name, args, resp3):
    conn = _seeded()
    if resp3:
        conn.call("HELLO", "3")
    conn.server.store.now = conn.server.now()
    reply = conn.call(*(list(name) + args))
    assert b"internal error" not in reply, (name, args, reply)
    # A blocked or paused command answers later; release it.
    conn.server.clientPause.unpause()
    conn.server.clock.advance(1000)
    if not conn.transport.disconnecting and not conn.protocol._waiting:
        after = conn.call("ECHO", "alive")
        # Answered: the echo, QUEUED in a transaction, or a refusal.
        assert after and b"internal error" not in after, (name, args, after)
    conn.close()
    assert conn.server.stats.get("unexpected_error_replies", 0) == 0
