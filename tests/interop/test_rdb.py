"""
RDB files crossing between Debian's redis-server and txredisd, checked with
redis-check-rdb.
"""

import os
import shutil
import subprocess

import pytest

from tests.conftest import requireTool, startRedisServer, startTxredisd
from tests.interop import contents, populate

# What the families merged so far support; the stream family extends it.
TYPES = ("string", "list", "hash", "set", "zset", "stream")


def test_redisDumpLoadsIntoTxredisd(tmp_path):
    """
    A dump written by redis-server, every type in every encoding it picks,
    loads into txredisd with identical contents.
    """
    redisDir = tmp_path / "redis"
    redisDir.mkdir()
    redis = startRedisServer(redisDir)
    try:
        client = redis.client()
        populate(client, TYPES)
        expected = contents(client)
        client.execute_command("SAVE")
    finally:
        redis.stop()
    ourDir = tmp_path / "ours"
    ourDir.mkdir()
    shutil.copy(str(redisDir / "dump.rdb"), str(ourDir / "dump.rdb"))
    ours = startTxredisd(ourDir)
    try:
        assert contents(ours.client()) == expected
    finally:
        ours.stop()


def test_txredisdDumpReadByRedis(tmp_path):
    """
    A dump written by txredisd (RDB version 10, which Redis 7.0 reads)
    passes redis-check-rdb and loads into redis-server with identical
    contents.
    """
    checker = requireTool("redis-check-rdb")
    ourDir = tmp_path / "ours"
    ourDir.mkdir()
    ours = startTxredisd(ourDir, "--rdb-version", "10")
    try:
        client = ours.client()
        populate(client, TYPES)
        expected = contents(client)
        assert client.execute_command("SAVE") in (b"OK", "OK", True)
    finally:
        ours.stop()
    dump = ourDir / "dump.rdb"
    check = subprocess.run([checker, str(dump)], capture_output=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert b"RDB looks OK" in check.stdout
    redisDir = tmp_path / "redis"
    redisDir.mkdir()
    shutil.copy(str(dump), str(redisDir / "dump.rdb"))
    redis = startRedisServer(redisDir)
    try:
        assert contents(redis.client()) == expected
    finally:
        redis.stop()


def test_restartKeepsData(tmp_path):
    """
    Data written over a socket survives SHUTDOWN and a restart.
    """
    ours = startTxredisd(tmp_path)
    client = ours.client()
    populate(client, TYPES)
    expected = contents(client)
    try:
        client.execute_command("SHUTDOWN")
    except Exception:
        pass
    assert ours.process.wait(30) == 0
    ours.stop()
    again = startTxredisd(tmp_path, port=ours.port)
    try:
        assert contents(again.client()) == expected
    finally:
        again.stop()


def test_sigtermSaves(tmp_path):
    """
    SIGTERM with save points configured saves before exiting 0.
    """
    import signal

    ours = startTxredisd(tmp_path)
    ours.waitForLog("pid=")
    ours.client().set("k", "v")
    ours.process.send_signal(signal.SIGTERM)
    assert ours.process.wait(30) == 0
    ours.stop()
    assert "Saving the final RDB snapshot" in ours.log()
    again = startTxredisd(tmp_path)
    try:
        assert again.client().get("k") == b"v"
    finally:
        again.stop()


def test_corruptFileRefused(tmp_path):
    """
    A truncated dump stops startup with a log line naming the file and the
    offset, exit status non-zero, and the file untouched.
    """
    from tests.conftest import ServerProcess, freePort, txredisdArgv, txredisdEnv

    good = startTxredisd(tmp_path)
    good.client().set("k", "v" * 100)
    good.client().execute_command("SAVE")
    good.stop()
    dump = tmp_path / "dump.rdb"
    data = dump.read_bytes()
    dump.write_bytes(data[:-10])
    result = subprocess.run(
        txredisdArgv(freePort()), cwd=str(tmp_path), env=txredisdEnv(), capture_output=True, timeout=60
    )
    assert result.returncode != 0
    output = (result.stdout + result.stderr).decode()
    assert "dump.rdb" in output and "offset" in output
    assert dump.read_bytes() == data[:-10]
