"""
Differential tests of the connection commands (CLIENT, HELLO, AUTH, RESET,
PING, ECHO, SELECT, QUIT) against Debian's redis-server 7.0.15.
"""

import hiredis
import pytest

from tests.differential import RawConnection, assertSameReplies, runSequence


def _parse(raw):
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def test_clientNames(sharedRedisServer, sharedTxredisd):
    """
    CLIENT SETNAME validates names as Redis does, an empty name removes the
    name, and CLIENT GETNAME shows it.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CLIENT", "GETNAME"],
            ["CLIENT", "SETNAME", "a b"],
            ["CLIENT", "SETNAME", "a\nb"],
            ["CLIENT", "SETNAME", "\xe9"],
            ["CLIENT", "SETNAME", "a\x7fb"],
            ["CLIENT", "SETNAME", "name-1:x"],
            ["CLIENT", "GETNAME"],
            ["CLIENT", "SETNAME", ""],
            ["CLIENT", "GETNAME"],
            ["CLIENT", "SETNAME"],
            ["CLIENT", "SETNAME", "a", "b"],
            ["CLIENT", "GETNAME", "x"],
            ["CLIENT", "ID", "x"],
            ["CLIENT", "INFO", "x"],
        ],
    )


def test_clientErrors(sharedRedisServer, sharedTxredisd):
    """
    CLIENT LIST and CLIENT KILL refuse bad filters with Redis's texts, and
    CLIENT SETINFO is unknown, as it is to Redis 7.0.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["CLIENT"],
            ["CLIENT", "nosuch"],
            ["CLIENT", "SETINFO", "LIB-NAME", "redis-py"],
            ["CLIENT", "HELP"],
            ["CLIENT", "LIST", "TYPE", "bad"],
            ["CLIENT", "LIST", "TYPE", "pubsub"],
            ["CLIENT", "LIST", "TYPE", "master"],
            ["CLIENT", "LIST", "TYPE", "replica"],
            ["CLIENT", "LIST", "TYPE", "SLAVE"],
            ["CLIENT", "LIST", "ID", "x"],
            ["CLIENT", "LIST", "ID", "999999"],
            ["CLIENT", "LIST", "ID", "0", "-1"],
            ["CLIENT", "LIST", "ID"],
            ["CLIENT", "LIST", "foo"],
            ["CLIENT", "LIST", "TYPE", "normal", "x"],
            ["CLIENT", "KILL"],
            ["CLIENT", "KILL", "1.2.3.4:5"],
            ["CLIENT", "KILL", "id"],
            ["CLIENT", "KILL", "ID", "999999"],
            ["CLIENT", "KILL", "ID", "x"],
            ["CLIENT", "KILL", "ID", "0"],
            ["CLIENT", "KILL", "ID", "-5"],
            ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
            ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"],
            ["CLIENT", "KILL", "TYPE", "bad"],
            ["CLIENT", "KILL", "TYPE", "pubsub"],
            ["CLIENT", "KILL", "USER", "nobody"],
            ["CLIENT", "KILL", "SKIPME", "maybe"],
            ["CLIENT", "KILL", "SKIPME"],
            ["CLIENT", "KILL", "foo", "bar"],
            ["CLIENT", "KILL", "MAXAGE", "10"],
            ["CLIENT", "KILL", "ID", "999999", "SKIPME"],
            ["CLIENT", "UNBLOCK"],
            ["CLIENT", "UNBLOCK", "x"],
            ["CLIENT", "UNBLOCK", "1", "foo"],
            ["CLIENT", "UNBLOCK", "x", "foo"],
            ["CLIENT", "UNBLOCK", "999999"],
            ["CLIENT", "UNBLOCK", "999999", "ERROR"],
            ["CLIENT", "UNBLOCK", "1", "timeout", "x"],
            ["CLIENT", "NO-EVICT", "maybe"],
            ["CLIENT", "NO-EVICT"],
            ["CLIENT", "NO-EVICT", "ON"],
            ["CLIENT", "NO-EVICT", "off"],
        ],
    )


def test_clientListFields(sharedRedisServer, sharedTxredisd):
    """
    CLIENT INFO and CLIENT LIST lines have Redis 7.0's fields in Redis's
    order, and the fields txredisd can know have the values Redis gives.
    """
    commands = [["CLIENT", "SETNAME", "me"], ["SELECT", "2"], ["CLIENT", "INFO"], ["CLIENT", "LIST", "TYPE", "normal"]]
    want = runSequence(sharedRedisServer.port, commands)
    got = runSequence(sharedTxredisd.port, commands)

    def fields(line):
        return [pair.split("=", 1) for pair in line.split(" ")]

    for raw in (want[2], got[2]):
        assert _parse(raw).endswith(b"\n")
    ours = fields(_parse(got[2]).decode().rstrip("\n"))
    theirs = fields(_parse(want[2]).decode().rstrip("\n"))
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    same = {"name", "flags", "db", "sub", "psub", "ssub", "multi", "cmd", "user", "redir", "resp"}
    assert {k: v for k, v in ours if k in same} == {k: v for k, v in theirs if k in same}
    listed = _parse(got[3]).decode().split("\n")
    assert listed[-1] == "" and all(line.startswith("id=") for line in listed[:-1])


@pytest.fixture
def victimAndKiller(sharedTxredisd):
    """
    Two raw connections to txredisd: one to be killed, one killing.
    """
    victim = RawConnection(sharedTxredisd.port)
    killer = RawConnection(sharedTxredisd.port)
    yield victim, killer
    victim.close()
    killer.close()


def _assertClosed(conn):
    conn.sock.settimeout(5)
    assert conn.sock.recv(100) == b""


def test_clientKillOldForm(victimAndKiller):
    """
    The old CLIENT KILL addr form kills the client at that address and
    answers OK; the killed connection is closed.
    """
    victim, killer = victimAndKiller
    victimId = int(victim.call("CLIENT", "ID")[1:-2])
    line = _parse(killer.call("CLIENT", "LIST", "ID", str(victimId))).decode()
    addr = dict(pair.split("=", 1) for pair in line.split())["addr"]
    assert killer.call("CLIENT", "KILL", addr) == b"+OK\r\n"
    assert killer.call("CLIENT", "KILL", "ID", str(victimId)) == b":0\r\n"
    _assertClosed(victim)


def test_clientKillFilters(victimAndKiller):
    """
    CLIENT KILL ID kills one other client and answers the count; SKIPME no
    with the caller's own id closes the caller after its reply.
    """
    victim, killer = victimAndKiller
    victimId = victim.call("CLIENT", "ID")[1:-2]
    myId = killer.call("CLIENT", "ID")[1:-2]
    assert killer.call("CLIENT", "KILL", "ID", victimId, "TYPE", "normal") == b":1\r\n"
    assert killer.call("CLIENT", "KILL", "ID", myId) == b":0\r\n"
    assert killer.call("CLIENT", "KILL", "ID", myId, "SKIPME", "no") == b":1\r\n"
    _assertClosed(killer)


def _withoutId(raw):
    reply = _parse(raw)
    if isinstance(reply, dict):
        reply.pop(b"id")
    elif isinstance(reply, list):
        del reply[6:8]
    return reply


def test_hello(sharedRedisServer, sharedTxredisd):
    """
    HELLO refuses bad versions and options with Redis's texts, and answers
    its map in the protocol it switches to (client ids aside).
    """
    commands = [
        ["HELLO", "1"],
        ["HELLO", "4"],
        ["HELLO", "-1"],
        ["HELLO", "x"],
        ["HELLO", "99999999999999999999"],
        ["HELLO", "3", "auth", "a"],
        ["HELLO", "3", "foo"],
        ["HELLO", "2", "setname"],
        ["HELLO", "3", "setname", "a b"],
        ["HELLO", "2", "auth", "default"],
        ["HELLO", "3", "setname", "x", "setname", "y"],
        ["CLIENT", "GETNAME"],
        ["HELLO", "2", "AUTH", "default", "anything", "SETNAME", ""],
        ["CLIENT", "GETNAME"],
        ["HELLO", "3", "AUTH", "nobody", "x"],
    ]
    want = runSequence(sharedRedisServer.port, commands)
    got = runSequence(sharedTxredisd.port, commands)
    for argv, w, g in zip(commands, want, got):
        assert g[:1] == w[:1], argv
        if w[:1] in b"%*":
            assert _withoutId(g) == _withoutId(w), argv
        else:
            assert g == w, argv


def test_helloReplies(sharedRedisServer, sharedTxredisd):
    """
    HELLO's map has Redis's fields and values, apart from the client id.
    """
    commands = [["HELLO"], ["HELLO", "3"], ["HELLO", "2"]]
    want = runSequence(sharedRedisServer.port, commands)
    got = runSequence(sharedTxredisd.port, commands)
    for w, g in zip(want, got):
        assert _withoutId(g) == _withoutId(w)


def test_reset(sharedRedisServer, sharedTxredisd):
    """
    RESET answers RESET and restores the protocol, database and name, in
    RESP2 and RESP3.
    """
    commands = [
        ["HELLO", "3", "SETNAME", "someone"],
        ["SELECT", "5"],
        ["SET", "k", "v"],
        ["RESET"],
        ["CLIENT", "GETNAME"],
        ["GET", "k"],
        ["SELECT", "5"],
        ["GET", "k"],
        ["RESET", "x"],
        ["FLUSHALL"],
    ]
    want = runSequence(sharedRedisServer.port, commands)
    got = runSequence(sharedTxredisd.port, commands)
    assert got[1:] == want[1:]


def test_pingEchoSelectAuth(sharedRedisServer, sharedTxredisd):
    """
    PING, ECHO, SELECT and AUTH answer and refuse as Redis does without a
    password configured.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["PING"],
            ["PING", "hello"],
            ["PING", "a", "b"],
            ["ECHO"],
            ["ECHO", ""],
            ["ECHO", "a", "b"],
            ["SELECT", "x"],
            ["SELECT", "16"],
            ["SELECT", "-1"],
            ["SELECT", "15"],
            ["SELECT", "1.5"],
            ["SELECT"],
            ["AUTH"],
            ["AUTH", "x"],
            ["AUTH", "a", "b"],
            ["AUTH", "default", "x"],
            ["AUTH", "a", "b", "c"],
            ["QUIT"],
        ],
    )
    assertSameReplies(
        sharedRedisServer.port, sharedTxredisd.port, [["PING"], ["PING", "x"], ["ECHO", "e"]], resp3=True
    )


def test_passwordFlows(tmp_path):
    """
    With requirepass set, NOAUTH, HELLO AUTH, AUTH with and without a user
    name, and RESET's return to unauthenticated answer as Redis does.
    """
    from tests.conftest import startRedisServer, startTxredisd

    (tmp_path / "redis").mkdir()
    (tmp_path / "txredisd").mkdir()
    redis = startRedisServer(tmp_path / "redis", "--requirepass", "pw")
    try:
        txredisd = startTxredisd(tmp_path / "txredisd", "--requirepass", "pw")
        try:
            commands = [
                ["PING"],
                ["CLIENT", "ID"],
                ["HELLO"],
                ["HELLO", "3"],
                ["HELLO", "3", "AUTH", "default", "wrong"],
                ["HELLO", "2", "AUTH", "nobody", "pw"],
                ["AUTH", "wrong"],
                ["AUTH", "default", "wrong"],
                ["AUTH", "pw"],
                ["PING"],
                ["RESET"],
                ["PING"],
                ["AUTH", "default", "pw"],
                ["ECHO", "in"],
                ["RESET"],
                ["QUIT"],
            ]
            assertSameReplies(redis.port, txredisd.port, commands)
            commands = [["HELLO", "3", "AUTH", "default", "pw", "SETNAME", "n"], ["CLIENT", "GETNAME"], ["PING"]]
            want = runSequence(redis.port, commands)
            got = runSequence(txredisd.port, commands)
            assert _withoutId(got[0]) == _withoutId(want[0])
            assert got[1:] == want[1:]
        finally:
            txredisd.stop()
    finally:
        redis.stop()
