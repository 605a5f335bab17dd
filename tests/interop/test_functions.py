"""
Function libraries in RDB files shared with Debian's redis-server 7.0.
"""

import shutil
import subprocess

from tests.conftest import requireTool, startRedisServer, startTxredisd

_LIBRARY = "#!lua name=shared\nredis.register_function('twice', function(keys, args) return args[1] * 2 end)"


def test_redisFunctionsLoadIntoTxredisd(tmp_path):
    """
    Libraries in a dump written by redis-server are callable on txredisd.
    """
    redisDir = tmp_path / "redis"
    redisDir.mkdir()
    redis = startRedisServer(redisDir)
    try:
        client = redis.client()
        client.function_load(_LIBRARY)
        client.set("k", "v")
        client.execute_command("SAVE")
    finally:
        redis.stop()
    ourDir = tmp_path / "ours"
    ourDir.mkdir()
    shutil.copy(str(redisDir / "dump.rdb"), str(ourDir / "dump.rdb"))
    ours = startTxredisd(ourDir)
    try:
        assert ours.client().fcall("twice", 0, 21) == 42
    finally:
        ours.stop()


def test_txredisdFunctionsReadByRedis(tmp_path):
    """
    Libraries saved by txredisd pass redis-check-rdb and are callable on
    redis-server.
    """
    checker = requireTool("redis-check-rdb")
    ourDir = tmp_path / "ours"
    ourDir.mkdir()
    ours = startTxredisd(ourDir, "--rdb-version", "10")
    try:
        client = ours.client()
        client.function_load(_LIBRARY)
        client.execute_command("SAVE")
    finally:
        ours.stop()
    dump = ourDir / "dump.rdb"
    check = subprocess.run([checker, str(dump)], capture_output=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    redisDir = tmp_path / "redis"
    redisDir.mkdir()
    shutil.copy(str(dump), str(redisDir / "dump.rdb"))
    redis = startRedisServer(redisDir)
    try:
        assert redis.client().fcall("twice", 0, 21) == 42
    finally:
        redis.stop()
