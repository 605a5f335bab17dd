"""
The append-only file over real processes: crashes with kill -9, and AOF
directories crossing between txredisd and redis-server.
"""

import os
import threading
import time

import pytest

from tests.conftest import startRedisServer, startTxredisd
from tests.interop import contents, populate
from tests.interop.test_rdb import TYPES


def writeUntilKilled(server, seconds):
    """
    INCR a counter as fast as possible for C{seconds}, then kill -9 the
    server.

    @return: a list of C{(monotonic time, acknowledged value)}.
    """
    client = server.client()
    acked = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        acked.append((time.monotonic(), client.incr("counter")))
    killedAt = time.monotonic()
    server.kill()
    return acked, killedAt


@pytest.mark.parametrize("policy", ["always", "everysec"])
def test_killLosesAtMostOneSecond(tmp_path, policy):
    """
    After kill -9, appendfsync always keeps every acknowledged write and
    everysec loses at most about the last second of them.
    """
    server = startTxredisd(tmp_path, "--appendonly", "yes", "--appendfsync", policy, "--save", "")
    acked, killedAt = writeUntilKilled(server, 2.5)
    again = startTxredisd(tmp_path, "--appendonly", "yes", "--save", "", port=server.port)
    try:
        value = int(again.client().get("counter"))
    finally:
        again.stop()
    last = acked[-1][1]
    assert value <= last + 1
    if policy == "always":
        assert value >= last
    else:
        # Everything acknowledged more than a second (plus scheduling slack)
        # before the kill survived.
        safe = [v for t, v in acked if t < killedAt - 1.5]
        assert safe and value >= safe[-1]


def test_txredisdAOFLoadsIntoRedis(tmp_path):
    """
    An AOF directory written by txredisd (after a rewrite, plus increments)
    loads into redis-server with appendonly yes.
    """
    ours = startTxredisd(tmp_path, "--appendonly", "yes", "--save", "")
    try:
        client = ours.client()
        populate(client, TYPES)
        client.execute_command("BGREWRITEAOF")
        deadline = time.monotonic() + 30
        while b"aof.2.base" not in b"".join(os.fsencode(n) for n in os.listdir(tmp_path / "appendonlydir")):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        client.set("after-rewrite", "1")
        expected = contents(client)
    finally:
        ours.stop()
    redis = startRedisServer(tmp_path, "--appendonly", "yes")
    try:
        assert contents(redis.client()) == expected
    finally:
        redis.stop()


def test_redisAOFLoadsIntoTxredisd(tmp_path):
    """
    An AOF directory written by redis-server loads into txredisd.
    """
    redis = startRedisServer(tmp_path, "--appendonly", "yes")
    try:
        client = redis.client()
        populate(client, TYPES)
        client.set("plain", "1")
    finally:
        redis.stop()
    # What an AOF holds is what Redis itself reloads from it (consumer
    # groups' entries-read, for one, is not in Redis 7.0's AOF).
    redis = startRedisServer(tmp_path, "--appendonly", "yes")
    try:
        expected = contents(redis.client())
    finally:
        redis.stop()
    ours = startTxredisd(tmp_path, "--appendonly", "yes", "--save", "")
    try:
        assert contents(ours.client()) == expected
    finally:
        ours.stop()
