"""
Sorted set and geo commands through redis-py against the real twistd
process, in RESP2 and RESP3, compared with what redis-py makes of
redis-server's replies.
"""

import threading
import time

import pytest


def _zsetCalls(client):
    client.flushall()
    return [
        client.zadd("z", {"a": 1, "b": 2.5, "c": 3}),
        client.zscore("z", "b"),
        client.zmscore("z", ["a", "x"]),
        client.zrange("z", 0, -1, withscores=True),
        client.zrangebyscore("z", "(1", "+inf", withscores=True),
        client.zincrby("z", 0.5, "a"),
        client.zpopmin("z"),
        client.zpopmax("z", 1),
        client.zunion(["z"], withscores=True),
        client.zinterstore("d", ["z", "z"], aggregate="MAX"),
        client.zrank("z", "b"),
        client.zscan("z"),
        client.zmpop(1, ["z"], max=True),
        client.bzpopmin(["nothing", "d"], timeout=1),
    ]


def _geoCalls(client):
    client.flushall()
    return [
        client.geoadd("g", [13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"]),
        client.geopos("g", "Palermo", "nope"),
        client.geodist("g", "Palermo", "Catania", unit="km"),
        client.geohash("g", "Palermo"),
        client.geosearch(
            "g", longitude=15, latitude=37, radius=200, unit="km",
            withdist=True, withcoord=True, withhash=True, sort="ASC",
        ),
        client.georadiusbymember("g", "Palermo", 300, unit="km", withdist=True),
        client.geosearchstore("d", "g", member="Palermo", width=400, height=400, unit="km", storedist=True),
    ]


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize("calls", [_zsetCalls, _geoCalls], ids=["zsets", "geo"])
def test_sameThroughRedisPy(sharedRedisServer, sharedTxredisd, calls, protocol):
    """
    redis-py parses the sorted set and geo replies of txredisd into the
    same Python values as those of redis-server.
    """
    results = []
    for server in (sharedRedisServer, sharedTxredisd):
        client = server.client(protocol=protocol)
        results.append(calls(client))
        client.close()
    assert results[1] == results[0]
    # Not vacuous: the second call found something on redis-server.
    assert results[0][1] not in (None, [None, None])


def test_bzpopminWakes(sharedTxredisd):
    """
    A redis-py BZPOPMIN blocked in one connection is served by a ZADD from
    another.
    """
    waiter = sharedTxredisd.client()
    writer = sharedTxredisd.client()
    writer.delete("bz")
    result = []
    thread = threading.Thread(target=lambda: result.append(waiter.bzpopmin("bz", timeout=10)))
    thread.start()
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        writer.zadd("bz", {"m": 7})
        thread.join(0.05)
    assert result == [(b"bz", b"m", 7.0)]
    waiter.close()
    writer.close()
