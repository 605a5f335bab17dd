"""
The real server process, started as a user starts it (C{twistd -n redis}),
driven by redis-py and redis-cli.
"""

import os
import signal
import subprocess

import pytest

from tests.conftest import freePort, requireTool, startTxredisd, txredisdArgv, txredisdEnv


def test_redisPyRESP2(sharedTxredisd):
    """
    redis-py with RESP2 sets and reads back a binary value.
    """
    r = sharedTxredisd.client(protocol=2)
    assert r.ping() is True
    assert r.set(b"bin\x00key", b"\x00\xff\r\n") is True
    assert r.get(b"bin\x00key") == b"\x00\xff\r\n"
    assert r.get(b"missing") is None


def test_redisPyRESP3(sharedTxredisd):
    """
    redis-py with protocol=3 (which sends HELLO 3 first) connects and works.
    """
    r = sharedTxredisd.client(protocol=3)
    assert r.ping() is True
    assert r.set("k3", "v") is True
    assert r.get("k3") == b"v"


def test_redisPyPipeline(sharedTxredisd):
    """
    A redis-py pipeline without a transaction gets every reply in order.
    """
    r = sharedTxredisd.client()
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.set("p%d" % i, i)
        pipe.get("p%d" % i)
    replies = pipe.execute()
    assert replies == [x for i in range(100) for x in (True, str(i).encode())]


def test_redisPyPipelineRuns(sharedTxredisd, sharedRedisServer):
    """
    Long redis-py pipelines of one command (run at once by the server)
    get the same replies from txredisd as from redis-server: repeated
    keys, a key of another type, missing keys, a key with a time to live.
    """
    results = []
    for server in (sharedRedisServer, sharedTxredisd):
        r = server.client()
        r.delete("runs:list", *["runs:%d" % i for i in range(300)])
        r.rpush("runs:list", "x")
        r.set("runs:ttl", "t", ex=100)
        pipe = r.pipeline(transaction=False)
        for i in range(300):
            pipe.set("runs:%d" % (i % 250), "v%d" % i)
        sets = pipe.execute()
        pipe = r.pipeline(transaction=False)
        for key in ["runs:%d" % i for i in range(0, 300, 7)] + ["runs:list", "runs:ttl"]:
            pipe.get(key)
        gets = pipe.execute(raise_on_error=False)
        results.append((sets, [str(g) if isinstance(g, Exception) else g for g in gets], r.ttl("runs:ttl")))
    assert results[0] == results[1]
    assert results[1][1][1] == b"v257"


def test_redisCli(sharedTxredisd):
    """
    redis-cli sets and gets through the server, and shows errors as Redis's.
    """
    cli = requireTool("redis-cli")
    port = str(sharedTxredisd.port)
    run = lambda *args: subprocess.run([cli, "-p", port] + list(args), capture_output=True, timeout=30).stdout
    assert run("set", "cli", "hello world") == b"OK\n"
    assert run("get", "cli") == b"hello world\n"
    assert run("nosuchcommand", "x").startswith(
        b"ERR unknown command 'nosuchcommand', with args beginning with: 'x' \n"
    )


def test_redisCliInline(sharedTxredisd):
    """
    Inline commands piped in as text, the way redis-cli --pipe users and
    telnet users send them, are answered.
    """
    import socket

    with socket.create_connection(("127.0.0.1", sharedTxredisd.port), timeout=10) as s:
        s.sendall(b'SET inline "a b"\r\nGET inline\n\nPING\r\n')
        data = b""
        while data.count(b"\r\n") < 4:
            data += s.recv(1024)
    assert data == b"+OK\r\n$3\r\na b\r\n+PONG\r\n"


def test_startupLogLine(sharedTxredisd):
    """
    Startup logs one line with the version, the pid and the listening
    addresses.
    """
    log = sharedTxredisd.log()
    sharedTxredisd.waitForLog("pid=")
    log = sharedTxredisd.log()
    lines = [l for l in log.splitlines() if "txredisd" in l and "pid=" in l]
    assert len(lines) == 1, log
    assert "pid=%d" % (sharedTxredisd.process.pid,) in lines[0]
    assert "127.0.0.1:%d" % (sharedTxredisd.port,) in lines[0]


def test_unknownOptionExitsNonZero(tmp_path):
    """
    An unknown option prints a usage error and twistd exits non-zero.
    """
    result = subprocess.run(
        txredisdArgv(freePort(), "--no-such-option", "1"),
        cwd=str(tmp_path),
        env=txredisdEnv(),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert b"no-such-option" in result.stdout + result.stderr


def test_sigtermExitsCleanly(tmp_path):
    """
    SIGTERM stops the server and twistd exits with status 0.
    """
    server = startTxredisd(tmp_path)
    server.waitForLog("pid=")
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(30) == 0
    server.stop()


def test_loglevel(tmp_path):
    """
    --loglevel warning drops the startup notice; CONFIG SET loglevel notice
    brings notices back, as the exit line shows.
    """
    server = startTxredisd(tmp_path, "--loglevel", "warning")
    client = server.client()
    assert client.ping()
    assert client.config_get("loglevel") == {"loglevel": "warning"}
    assert client.config_set("loglevel", "notice")
    client.close()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(30) == 0
    server.stop()
    log = server.log()
    assert "bye bye" in log, log
    assert "pid=" not in log, log


def test_listenEndpoint(tmp_path):
    """
    --listen adds a Twisted endpoint: a Unix socket redis-cli can use.
    """
    cli = requireTool("redis-cli")
    path = str(tmp_path / "redis.sock")
    server = startTxredisd(tmp_path, "--listen", "unix:" + path)
    try:
        result = subprocess.run([cli, "-s", path, "ping"], capture_output=True, timeout=30)
        assert result.stdout == b"PONG\n"
    finally:
        server.stop()
