"""
MULTI, EXEC, DISCARD, WATCH and UNWATCH compared with redis-server byte
for byte, and transactions through redis-py against the twistd process.
"""

import threading

import pytest
import redis

from tests.differential import assertSameReplies
from tests.differential.multiconn import assertSameScript


def test_queueAndExec(sharedRedisServer, sharedTxredisd):
    """
    Commands are queued with +QUEUED and EXEC answers their replies in one
    array, runtime errors included as elements.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["MULTI"],
            ["SET", "a", "1"],
            ["GET", "a"],
            ["SELECT", "99"],
            ["SELECT", "x"],
            ["FLUSHALL", "bogus"],
            ["DEL", "a", "b"],
            ["EXEC"],
            ["GET", "a"],
            ["MULTI"],
            ["EXEC"],
        ],
    )


def test_queueTimeErrors(sharedRedisServer, sharedTxredisd):
    """
    Unknown commands and wrong arity inside MULTI are answered at once and
    make EXEC answer EXECABORT; nothing queued runs.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["MULTI"],
            ["SET", "a", "1"],
            ["SET", "a"],
            ["EXEC"],
            ["GET", "a"],
            ["MULTI"],
            ["NOSUCHCOMMAND", "x"],
            ["EXEC"],
            ["MULTI"],
            ["DISCARD", "x"],
            ["EXEC"],
            ["MULTI"],
            ["WATCH"],
            ["EXEC"],
            ["MULTI"],
            ["PUBSUB", "NOSUCH"],
            ["EXEC"],
        ],
    )


def test_controlErrors(sharedRedisServer, sharedTxredisd):
    """
    Nested MULTI, WATCH inside MULTI, EXEC and DISCARD without MULTI and a
    malformed EXEC are refused with Redis's texts; only the last discards
    the transaction.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["EXEC"],
            ["DISCARD"],
            ["EXEC", "x"],
            ["MULTI", "x"],
            ["MULTI"],
            ["MULTI"],
            ["WATCH", "a"],
            ["SET", "a", "1"],
            ["EXEC"],
            ["MULTI"],
            ["SET", "b", "2"],
            ["EXEC", "x"],
            ["EXEC"],
            ["GET", "b"],
            ["UNWATCH", "x"],
            ["UNWATCH"],
            ["MULTI"],
            ["UNWATCH"],
            ["PING"],
            ["EXEC"],
            ["MULTI"],
            ["PING"],
            ["DISCARD"],
            ["DISCARD"],
        ],
    )


def test_resetInsideMulti(sharedRedisServer, sharedTxredisd):
    """
    RESET inside MULTI runs at once and leaves the transaction.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [["MULTI"], ["SET", "a", "1"], ["RESET"], ["EXEC"], ["GET", "a"]],
    )


def test_execRESP3(sharedRedisServer, sharedTxredisd):
    """
    In RESP3 EXEC's array holds RESP3 replies and a failed WATCH answers _.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["MULTI"],
            ["GET", "nosuch"],
            ["SET", "a", "1"],
            ["EXEC"],
            ["WATCH", "a"],
            ["SET", "a", "2"],
            ["MULTI"],
            ["GET", "a"],
            ["EXEC"],
        ],
        resp3=True,
    )


def test_watchConflicts(sharedRedisServer, sharedTxredisd):
    """
    A watched key changed by another connection, created, deleted or
    flushed makes EXEC answer a null array; untouched keys, other
    databases, DISCARD and UNWATCH do not.
    """

    def attempt(*between):
        return (
            [(0, ["WATCH", "k"])]
            + [(1, argv) for argv in between]
            + [(0, ["MULTI"]), (0, ["SET", "result", "done"]), (0, ["EXEC"])]
        )

    script = (
        attempt(["SET", "k", "1"])
        + attempt(["SET", "other", "1"])
        + attempt(["DEL", "k"])
        + attempt(["DEL", "k"])
        + attempt(["SET", "k", "2"], ["FLUSHDB"])
        + attempt(["FLUSHALL"])
        + attempt(["SELECT", "1"], ["SET", "k", "x"], ["SELECT", "0"])
        + [(0, ["WATCH", "k"]), (0, ["MULTI"]), (0, ["DISCARD"]), (1, ["SET", "k", "3"])]
        + [(0, ["MULTI"]), (0, ["PING"]), (0, ["EXEC"])]
        + [(0, ["WATCH", "k"]), (0, ["UNWATCH"]), (1, ["SET", "k", "4"])]
        + [(0, ["MULTI"]), (0, ["PING"]), (0, ["EXEC"])]
        + [(0, ["WATCH", "k", "k2"]), (0, ["SET", "k2", "mine"])]
        + [(0, ["MULTI"]), (0, ["PING"]), (0, ["EXEC"])]
        + [(0, ["WATCH", "k"]), (0, ["MULTI"]), (0, ["SET", "k", "in-tx"]), (0, ["EXEC"])]
        + [(0, ["GET", "k"])]
    )
    assertSameScript(sharedRedisServer.port, sharedTxredisd.port, script)


def test_redisPyPipelineTransaction(sharedTxredisd):
    """
    A redis-py pipeline with transaction=True sends MULTI ... EXEC and gets
    every reply, errors raised as redis-py raises them.
    """
    client = sharedTxredisd.client()
    client.flushall()
    with client.pipeline(transaction=True) as pipe:
        pipe.set("a", "1").get("a").delete("a").get("a")
        assert pipe.execute() == [True, b"1", 1, None]
    with client.pipeline(transaction=True) as pipe:
        pipe.set("a", "1").select(99)
        with pytest.raises(redis.ResponseError):
            pipe.execute()
    assert client.get("a") == b"1"


def _incrementWithWatch(port, key, times, failures):
    client = redis.Redis(port=port, socket_timeout=30)
    done = 0
    with client.pipeline() as pipe:
        while done < times:
            try:
                pipe.watch(key)
                value = int(pipe.get(key) or 0)
                pipe.multi()
                pipe.set(key, value + 1)
                pipe.execute()
                done += 1
            except redis.WatchError:
                failures.append(1)
    client.close()


def test_optimisticLockingNeverLosesIncrements(sharedTxredisd):
    """
    Several threads incrementing one key by GET then SET under WATCH, while
    conflicting, never lose an increment: conflicts make EXEC fail and the
    loser retries.
    """
    client = sharedTxredisd.client()
    client.flushall()
    threads, per, failures = 6, 60, []
    workers = [
        threading.Thread(target=_incrementWithWatch, args=(sharedTxredisd.port, "counter", per, failures))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not any(worker.is_alive() for worker in workers)
    assert int(client.get("counter")) == threads * per
