"""
Geo commands compared byte for byte with Debian's redis-server.
"""

import random

import pytest

from tests.differential import assertSameReplies
from tests.differential.test_zsets import _commands

_BASICS = """
geoadd g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
geoadd g 200 100 x
geoadd g -180 -85.05112878 sw 180 85.05112878 ne 0 0 zero
geoadd g 180.1 0 x
geoadd g 0 85.06 x
geoadd g -180.0000001 0 x
geoadd g x 0 a
geoadd g 0 x a
geoadd g nx xx 1 1 a
geoadd g ch 1 1
geoadd g 1 1
geoadd g ch 13.361389 38.115556 Palermo 2 2 new
geoadd g xx ch 1 1 Palermo 3 3 nope
geoadd g nx 13 38 Palermo 4 4 four
geoadd g gt 1 1 a
geoadd g 1 1 a 2 2
zrange g 0 -1 withscores
geopos g Palermo Catania nope sw ne zero
geopos nog a
geopos g
geodist g Palermo Catania
geodist g Palermo Catania km
geodist g Palermo Catania KM
geodist g Palermo Catania mi
geodist g Palermo Catania ft
geodist g Palermo Catania m
geodist g Palermo Catania foo
geodist g Palermo Catania km x
geodist g Palermo nope
geodist g Palermo Palermo
geodist nog a b
geodist g sw ne
geodist g
geohash g Palermo Catania nope sw ne zero
geohash nog a
geohash g
zadd g 1.5 odd 0 low
geopos g odd low
geohash g odd
set str x
geoadd str 1 1 a
geopos str a
geodist str a b
geohash str a
geosearch str frommember a byradius 1 km
georadius str 1 1 1 km
georadiusbymember str a 1 km
"""

_SEARCH = """
geoadd s 2.2945 48.8584 eiffel 2.3522 48.8566 paris 2.3376 48.8606 louvre 2.3499 48.8530 notre 2.2950 48.8738 arc 2.3265 48.8656 concorde 2.3120 48.8555 invalides 2.2426 48.8462 boulogne
geosearch s fromlonlat 2.32 48.86 byradius 3 km
geosearch s fromlonlat 2.32 48.86 byradius 3 km asc
geosearch s fromlonlat 2.32 48.86 byradius 3 km desc withdist withcoord withhash
geosearch s fromlonlat 2.32 48.86 byradius 30 km count 3
geosearch s fromlonlat 2.32 48.86 byradius 30 km count 3 any
geosearch s fromlonlat 2.32 48.86 byradius 30 km count 3 any desc
geosearch s frommember paris bybox 4 4 km withdist
geosearch s frommember paris bybox 10 2 km withdist
geosearch s frommember paris bybox 2000 1000 m asc withcoord
geosearch s frommember paris bybox 2 2 mi withhash
geosearch s frommember paris byradius 10000 ft withdist
geosearch s frommember nope byradius 1 km
geosearch s frommember paris fromlonlat 1 1 byradius 1 km
geosearch s fromlonlat 1 1 frommember paris byradius 1 km
geosearch s frommember paris byradius 1 km bybox 1 1 km
geosearch s frommember paris bybox 1 1 km byradius 1 km
geosearch s frommember paris byradius 1 km
geosearch s byradius 1 km
geosearch s frommember paris withdist
geosearch s frommember paris byradius -1 km
geosearch s frommember paris byradius x km
geosearch s frommember paris byradius 1 parsec
geosearch s frommember paris bybox x 1 km
geosearch s frommember paris bybox 1 x km
geosearch s frommember paris bybox -1 1 km
geosearch s frommember paris byradius 10 km count 0
geosearch s frommember paris byradius 10 km count -3
geosearch s frommember paris byradius 10 km count x
geosearch s frommember paris byradius 10 km any
geosearch s frommember paris byradius 10 km store d
geosearch s frommember paris byradius 10 km storedist
geosearch s fromlonlat 200 1 byradius 10 km
geosearch s fromlonlat x 1 byradius 10 km
geosearch s frommember paris byradius 10 km count
geosearch nos frommember paris byradius 10 km
geosearch nos fromlonlat 1 1 byradius 10 km withdist
GEOsearch s byradius 10 km
geosearch s frommember paris byradius 0 km withdist
geosearchstore d s frommember paris byradius 3 km
zrange d 0 -1 withscores
geosearchstore d s frommember paris byradius 3 km storedist
zrange d 0 -1 withscores
geosearchstore d s frommember paris byradius 3 km count 2 desc storedist
zrange d 0 -1 withscores
geosearchstore d s frommember paris byradius 3 km withdist
geosearchstore d s frommember paris byradius 3 km store x
geoSearchStore d s byradius 3 km
geosearchstore d s fromlonlat 0 0 byradius 3 km
zcard d
geosearchstore d s frommember paris byradius 3 km
geosearchstore d nos fromlonlat 0 0 byradius 3 km
zcard d
georadius s 2.32 48.86 3 km
georadius s 2.32 48.86 3 km withdist withcoord withhash asc count 4
georadius s 2.32 48.86 3 km count 2 any
georadius s 2.32 48.86 3 km store d
zrange d 0 -1 withscores
georadius s 2.32 48.86 3 km storedist d asc count 2
zrange d 0 -1 withscores
georadius s 2.32 48.86 3 km store d withdist
georadius s 2.32 48.86 3 km store
georadius s 2.32 48.86 -3 km
georadius s 200 48.86 3 km
georadius s 2.32 48.86 3 parsec
georadius s 2.32 48.86 3 km frommember paris
georadius s 2.32 48.86 3 km bybox 1 1 km
georadius s 2.32 48.86 0.001 km store d
zcard d
georadius nos 2.32 48.86 3 km
georadius_ro s 2.32 48.86 3 km store d
georadius_ro s 2.32 48.86 3 km withdist
georadiusbymember s paris 3 km withdist
georadiusbymember s nope 3 km withdist
georadiusbymember nos nope x km withdist
georadiusbymember s paris x km
georadiusbymember s paris 3 km store d
zrange d 0 -1
georadiusbymember_ro s paris 3 km desc count 2
georadiusbymember_ro s paris 3 km storedist d
"""

_EDGES = """
geoadd w 0 0 a 0 0 b 0 0 c
geosearch w fromlonlat 0 0 byradius 1 m withdist
geosearch w fromlonlat 0 0 byradius 1 m count 2
geosearch w fromlonlat 0 0 byradius 0 m
geoadd big 0 0 a 90 0 b -90 0 c 179 0 d -179 0 e 0 80 f 0 -80 g 45 45 h -120 -60 i 170 84 j
geosearch big fromlonlat 0 0 byradius 20000 km
geosearch big fromlonlat 0 0 byradius 5000 km
geosearch big fromlonlat 10 70 bybox 10000 8000 km
geosearch big fromlonlat 178 -1 byradius 500 km withdist
geosearch big fromlonlat 180 0 byradius 300 km withdist
geosearch big fromlonlat -180 0 bybox 1000 1000 km withdist
geosearch big fromlonlat 0 85.05 byradius 1000 km withcoord
geosearch big fromlonlat 0 -85.05 bybox 5000 500 km withcoord
geosearch big fromlonlat 170 84 byradius 1 m withdist withhash
"""


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
@pytest.mark.parametrize("script", [_BASICS, _SEARCH, _EDGES], ids=["basics", "search", "edges"])
def test_sequences(sharedRedisServer, sharedTxredisd, script, resp3):
    """
    Each sequence, with its errors, units, options and extreme
    coordinates, gets the same bytes from both servers.
    """
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, _commands(script), resp3=resp3)


@pytest.mark.parametrize("seed", range(4))
def test_randomSearches(sharedRedisServer, sharedTxredisd, seed):
    """
    Random clouds of points searched by random circles and boxes give
    the same members in the same (unsorted, area walk) order, distances,
    hashes and coordinates.
    """
    rnd = random.Random(seed)
    commands = []
    for region in range(3):
        lon0, lat0 = rnd.uniform(-179, 179), rnd.uniform(-84, 84)
        spread = rnd.choice([0.01, 0.5, 5, 60])
        argv = ["GEOADD", "g%d" % region]
        for i in range(100):
            lon = max(-180, min(180, lon0 + rnd.uniform(-spread, spread)))
            lat = max(-85.05, min(85.05, lat0 + rnd.uniform(-spread, spread)))
            argv += ["%.6f" % lon, "%.6f" % lat, "m%d" % i]
        commands.append(argv)
        for _ in range(20):
            lon = max(-180, min(180, lon0 + rnd.uniform(-spread, spread)))
            lat = max(-85.05, min(85.05, lat0 + rnd.uniform(-spread, spread)))
            unit = rnd.choice(["m", "km", "mi", "ft"])
            scale = {"m": 1, "km": 1000, "mi": 1609.34, "ft": 0.3048}[unit]
            size = rnd.uniform(0, spread * 111000 * 1.5) / scale
            if rnd.random() < 0.5:
                shape = ["BYRADIUS", "%.3f" % size, unit]
            else:
                shape = ["BYBOX", "%.3f" % size, "%.3f" % (size * rnd.uniform(0.2, 3)), unit]
            extra = rnd.choice(
                [[], ["WITHDIST"], ["WITHCOORD", "WITHHASH"], ["COUNT", "5", "ANY"], ["ASC", "WITHDIST"]]
            )
            commands.append(
                ["GEOSEARCH", "g%d" % region, "FROMLONLAT", "%.5f" % lon, "%.5f" % lat] + shape + extra
            )
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


@pytest.mark.parametrize("size", [5, 12, 45, 150])
def test_countTies(sharedRedisServer, sharedTxredisd, size):
    """
    With COUNT below the number found, members at equal distances come
    out in the order of Redis's unstable partial quicksort.
    """
    rnd = random.Random(size)
    spots = [(rnd.uniform(-0.05, 0.05), rnd.uniform(-0.05, 0.05)) for _ in range(4)]
    argv = ["GEOADD", "g"]
    for i in range(size):
        lon, lat = rnd.choice(spots)
        argv += ["%.6f" % (lon if rnd.random() < 0.7 else -lon), "%.6f" % lat, "m%03d" % i]
    commands = [argv]
    for count in sorted({1, 2, size // 3, size // 2, size - 1}):
        for order in ("ASC", "DESC"):
            commands.append(
                ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "100", "km",
                 "COUNT", str(count), order, "WITHDIST"]
            )
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_positionsOfOutOfRangeScores(sharedRedisServer, sharedTxredisd):
    """
    GEOPOS and GEOHASH of scores no GEOADD gives (infinities, negative or
    beyond 2**63) decode what Redis's C{(uint64_t)} cast of the score
    makes of them on x86-64.
    """
    scores = ["1e19", "1e20", "-inf", "-5", "9.3e18", "inf", "-1e19", "-9223372036854775808", "18446744073709551615"]
    members = [str(i) for i in range(len(scores))]
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["ZADD", "k"] + [x for pair in zip(scores, members) for x in pair],
            ["GEOPOS", "k"] + members,
            ["GEOHASH", "k"] + members,
        ],
    )
