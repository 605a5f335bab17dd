"""
Geo commands, as Redis 7.0's C{geo.c}: positions stored in sorted sets
with 52-bit geohash scores.
"""

from txredisd import errors, geohash
from txredisd.commands.zsets import zaddGeneric, newZSet, parseDoubleArg, storeResult
from txredisd.errors import CommandError
from txredisd.numbers import parseInt
from txredisd.pqsort import partialSort
from txredisd.registry import command
from txredisd.resp import EMPTY_ARRAY, NULL_ARRAY, Raw
from txredisd.zset import ZSet

_GROUP = "geo"

_UNITS = {b"m": 1.0, b"km": 1000.0, b"ft": 0.3048, b"mi": 1609.34}


def _unit(arg):
    # extractUnitOrReply
    conversion = _UNITS.get(arg.lower())
    if conversion is None:
        raise CommandError(errors.GEO_UNIT)
    return conversion


def _lonLat(argv, index):
    # extractLongLatOrReply
    longitude = parseDoubleArg(argv[index])
    latitude = parseDoubleArg(argv[index + 1])
    if (
        longitude < geohash.LONG_MIN
        or longitude > geohash.LONG_MAX
        or latitude < geohash.LAT_MIN
        or latitude > geohash.LAT_MAX
    ):
        raise CommandError(errors.geoPair(longitude, latitude))
    return longitude, latitude


def _distanceArgs(argv, index):
    # extractDistanceOrReply
    radius = parseDoubleArg(argv[index], "ERR need numeric radius")
    if radius < 0:
        raise CommandError("ERR radius cannot be negative")
    return radius, _unit(argv[index + 1])


def _boxArgs(argv, index):
    # extractBoxOrReply
    width = parseDoubleArg(argv[index], "ERR need numeric width")
    height = parseDoubleArg(argv[index + 1], "ERR need numeric height")
    if height < 0 or width < 0:
        raise CommandError("ERR height or width cannot be negative")
    return width, height, _unit(argv[index + 2])


def humanDouble(value):
    """
    Redis's C{ld2string} in C{LD_STR_HUMAN} mode: C{%.17Lf} without
    trailing zeros.
    """
    text = b"%.17f" % (value,)
    if b"." in text:
        text = text.rstrip(b"0").rstrip(b".")
    if text == b"-0":
        text = b"0"
    return text


def _coordinate(client, value):
    # addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3.
    text = humanDouble(value)
    if client.resp3:
        return Raw(b",%s\r\n" % (text,))
    return text


def _distanceReply(value):
    # addReplyDoubleDistance
    return b"%.4f" % (value,)


def _memberPosition(zset, member):
    # longLatFromMember
    score = zset.score(member)
    if score is None:
        raise CommandError(errors.GEO_DECODE)
    return geohash.decodeScore(score)


@command("geoadd", -5, ["write", "denyoom"], 1, 1, 1, group=_GROUP)
def geoadd(client, argv):
    index = 2
    nx = xx = False
    while index < len(argv):
        option = argv[index].lower()
        if option == b"nx":
            nx = True
        elif option == b"xx":
            xx = True
        elif option != b"ch":
            break
        index += 1
    if (len(argv) - index) % 3 or (xx and nx):
        raise CommandError(errors.SYNTAX)
    zaddArgv = [b"ZADD"] + argv[1:index]
    for i in range(index, len(argv), 3):
        longitude, latitude = _lonLat(argv, i)
        zaddArgv.append(b"%d" % (geohash.scoreOf(longitude, latitude),))
        zaddArgv.append(argv[i + 2])
    # Redis runs (and propagates) GEOADD as the ZADD it amounts to.
    client.propagateAs = [zaddArgv]
    return zaddGeneric(client, zaddArgv, False)


def _positions(client, argv):
    """
    The decoded position of each member asked for, L{None} for those
    missing.
    """
    zset = client.db.getTyped(argv[1], ZSet)
    for member in argv[2:]:
        score = zset.score(member) if zset is not None else None
        yield None if score is None else geohash.decodeScore(score)


@command("geopos", -2, ["readonly"], 1, 1, 1, group=_GROUP)
def geopos(client, argv):
    return [
        NULL_ARRAY if position is None else [_coordinate(client, c) for c in position]
        for position in _positions(client, argv)
    ]


@command("geodist", -4, ["readonly"], 1, 1, 1, group=_GROUP)
def geodist(client, argv):
    conversion = 1.0
    if len(argv) == 5:
        conversion = _unit(argv[4])
    elif len(argv) > 5:
        raise CommandError(errors.SYNTAX)
    zset = client.db.getTyped(argv[1], ZSet)
    if zset is None:
        return None
    first = zset.score(argv[2])
    second = zset.score(argv[3])
    if first is None or second is None:
        return None
    lon1, lat1 = geohash.decodeScore(first)
    lon2, lat2 = geohash.decodeScore(second)
    return _distanceReply(geohash.distance(lon1, lat1, lon2, lat2) / conversion)


@command("geohash", -2, ["readonly"], 1, 1, 1, group=_GROUP)
def geohashCommand(client, argv):
    return [
        None if position is None else geohash.standardHash(*position)
        for position in _positions(client, argv)
    ]


# --- searching ---------------------------------------------------------------

_COORDS, _MEMBER, _SEARCH = "coords", "member", "search"


class _Point:
    __slots__ = ("member", "score", "longitude", "latitude", "dist")

    def __init__(self, member, score, longitude, latitude, dist):
        self.member = member
        self.score = score
        self.longitude = longitude
        self.latitude = latitude
        self.dist = dist


def _search(zset, shape, limit):
    """
    C{membersOfAllNeighbors}: the members inside C{shape}, in the order
    Redis finds them.

    @param limit: stop after this many (ANY), 0 for all.
    """
    points = []
    entries = zset.entries
    for low, high in geohash.searchAreas(shape):
        if points and limit and len(points) >= limit:
            break
        start = entries.bisect_left((low, b""))
        stop = entries.bisect_left((high, b""))
        for score, member in entries.islice(start, stop):
            longitude, latitude = geohash.decodeScore(score)
            dist = shape.contains(longitude, latitude)
            if dist is None:
                continue
            points.append(_Point(member, score, longitude, latitude, dist))
            if limit and len(points) >= limit:
                break
    return points


def _georadius(client, argv, sourceIndex, kind, noStore=False, searchStore=False):
    """
    C{georadiusGeneric}: GEORADIUS, GEORADIUSBYMEMBER, their C{_RO}
    variants, GEOSEARCH and GEOSEARCHSTORE.
    """
    zset = client.db.getTyped(argv[sourceIndex], ZSet)
    storeKey = None
    storeDist = False
    center = None
    radius = box = None
    conversion = None
    if kind == _COORDS:
        base = 6
        center = _lonLat(argv, 2)
        radius, conversion = _distanceArgs(argv, 4)
    elif kind == _MEMBER:
        base = 5
        if zset is not None:
            center = _memberPosition(zset, argv[2])
            radius, conversion = _distanceArgs(argv, 3)
    else:
        base = 2
        if searchStore:
            base = 3
            storeKey = argv[1]
    search = kind == _SEARCH
    withDist = withHash = withCoord = anyOne = False
    fromMember = fromLonLat = False
    sort = None
    count = 0
    remaining = len(argv) - base
    i = 0
    while i < remaining:
        arg = argv[base + i].lower()
        if arg == b"withdist":
            withDist = True
        elif arg == b"withhash":
            withHash = True
        elif arg == b"withcoord":
            withCoord = True
        elif arg == b"any":
            anyOne = True
        elif arg == b"asc":
            sort = "asc"
        elif arg == b"desc":
            sort = "desc"
        elif arg == b"count" and i + 1 < remaining:
            count = parseInt(argv[base + i + 1])
            if count is None:
                raise CommandError(errors.NOT_INTEGER)
            if count <= 0:
                raise CommandError("ERR COUNT must be > 0")
            i += 1
        elif arg in (b"store", b"storedist") and i + 1 < remaining and not noStore and not search:
            storeKey = argv[base + i + 1]
            storeDist = arg == b"storedist"
            i += 1
        elif arg == b"storedist" and search and searchStore:
            storeDist = True
        elif arg == b"frommember" and i + 1 < remaining and search and not fromLonLat:
            if zset is not None:
                center = _memberPosition(zset, argv[base + i + 1])
            fromMember = True
            i += 1
        elif arg == b"fromlonlat" and i + 2 < remaining and search and not fromMember:
            center = _lonLat(argv, base + i + 1)
            fromLonLat = True
            i += 2
        elif arg == b"byradius" and i + 2 < remaining and search and box is None:
            radius, conversion = _distanceArgs(argv, base + i + 1)
            i += 2
        elif arg == b"bybox" and i + 3 < remaining and search and radius is None:
            width, height, conversion = _boxArgs(argv, base + i + 1)
            box = (width, height)
            i += 3
        else:
            raise CommandError(errors.SYNTAX)
        i += 1

    if storeKey is not None and (withDist or withHash or withCoord):
        raise CommandError(
            "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            % ("GEOSEARCHSTORE" if searchStore else "STORE option in GEORADIUS",)
        )
    name = errors.safe(argv[0])
    if search and not (fromMember or fromLonLat):
        raise CommandError(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s" % (name,)
        )
    if search and radius is None and box is None:
        raise CommandError(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for %s" % (name,)
        )
    if anyOne and not count:
        raise CommandError("ERR the ANY argument requires COUNT argument")

    if zset is None:
        if storeKey is not None:
            return storeResult(client, storeKey, ZSet(), b"")
        return EMPTY_ARRAY
    if count and sort is None and not anyOne:
        # COUNT without an order means the closest ones, as Redis.
        sort = "asc"
    if box is not None:
        shape = geohash.Shape(center[0], center[1], conversion, width=box[0], height=box[1])
    else:
        shape = geohash.Shape(center[0], center[1], conversion, radius=radius)
    points = _search(zset, shape, count if anyOne else 0)
    if sort is not None:
        if count and count < len(points):
            sign = -1 if sort == "desc" else 1
            partialSort(
                points, lambda a, b: sign * ((a.dist > b.dist) - (a.dist < b.dist)), 0, count - 1
            )
        else:
            # glibc's qsort is a merge sort here: stable.
            points.sort(key=lambda p: p.dist, reverse=sort == "desc")
    if count:
        points = points[:count]

    if storeKey is not None:
        pairs = [(p.member, p.dist / conversion if storeDist else p.score) for p in points]
        event = b"geosearchstore" if search else b"georadiusstore"
        return storeResult(client, storeKey, newZSet(client, pairs), event)

    out = []
    for p in points:
        if not (withDist or withHash or withCoord):
            out.append(p.member)
            continue
        item = [p.member]
        if withDist:
            item.append(_distanceReply(p.dist / conversion))
        if withHash:
            item.append(int(p.score))
        if withCoord:
            item.append([_coordinate(client, p.longitude), _coordinate(client, p.latitude)])
        out.append(item)
    return out


def _storeKeys(base):
    """
    A C{getKeys} for GEORADIUS*: the source, and the STORE/STOREDIST key.
    """

    def getKeys(argv):
        keys = [1]
        for i in range(base, len(argv) - 1):
            if argv[i].lower() in (b"store", b"storedist"):
                keys.append(i + 1)
        return keys

    return getKeys


@command(
    "georadius", -6, ["write", "denyoom"], 1, 1, 1, group=_GROUP, getKeys=_storeKeys(6)
)
def georadius(client, argv):
    return _georadius(client, argv, 1, _COORDS)


@command(
    "georadiusbymember", -5, ["write", "denyoom"], 1, 1, 1, group=_GROUP,
    getKeys=_storeKeys(5),
)
def georadiusbymember(client, argv):
    return _georadius(client, argv, 1, _MEMBER)


@command("georadius_ro", -6, ["readonly"], 1, 1, 1, group=_GROUP)
def georadiusRO(client, argv):
    return _georadius(client, argv, 1, _COORDS, noStore=True)


@command("georadiusbymember_ro", -5, ["readonly"], 1, 1, 1, group=_GROUP)
def georadiusbymemberRO(client, argv):
    return _georadius(client, argv, 1, _MEMBER, noStore=True)


@command("geosearch", -7, ["readonly"], 1, 1, 1, group=_GROUP)
def geosearch(client, argv):
    return _georadius(client, argv, 1, _SEARCH)


@command("geosearchstore", -8, ["write", "denyoom"], 1, 2, 1, group=_GROUP)
def geosearchstore(client, argv):
    return _georadius(client, argv, 2, _SEARCH, searchStore=True)
