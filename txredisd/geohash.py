"""
Redis's geohash: 52-bit interleaved scores, their neighbours, the search
areas for a radius or box, and the haversine distance, operation for
operation as C{geohash.c}, C{geohash_helper.c} and C{geo.c} so that scores,
coordinates and distances come out bit-identical.
"""

import math

STEP_MAX = 26
LAT_MIN = -85.05112878
LAT_MAX = 85.05112878
LONG_MIN = -180.0
LONG_MAX = 180.0

EARTH_RADIUS_IN_METERS = 6372797.560856
MERCATOR_MAX = 20037726.37
_D_R = math.pi / 180.0

_MASK64 = (1 << 64) - 1
_EVEN = 0x5555555555555555
_ODD = 0xAAAAAAAAAAAAAAAA

#: Redis's lat/long ranges for scores, and the standard ones GEOHASH uses.
WGS84 = ((LONG_MIN, LONG_MAX), (LAT_MIN, LAT_MAX))
STANDARD = ((-180.0, 180.0), (-90.0, 90.0))


def degRad(angle):
    return angle * _D_R


def radDeg(angle):
    return angle / _D_R


def _spread(v):
    # Put the 32 bits of v in the even positions of 64 (Redis's
    # interleave64 magic numbers).
    v &= 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & _EVEN


def _squash(v):
    # The inverse of _spread: the even bits of v, packed.
    v &= _EVEN
    v = (v | (v >> 1)) & 0x3333333333333333
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FF
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFF
    return (v | (v >> 16)) & 0xFFFFFFFF


def _interleave(x, y):
    # interleave64: x's bits to the even positions, y's to the odd ones.
    return _spread(x) | (_spread(y) << 1)


def _deinterleave(bits):
    # deinterleave64: the even bits, then the odd ones.
    return _squash(bits), _squash(bits >> 1)


def encode(longitude, latitude, step=STEP_MAX, ranges=WGS84):
    """
    C{geohashEncode}.

    @return: the hash bits (L{int}), or L{None} outside the limits.
    """
    (longMin, longMax), (latMin, latMax) = ranges
    if longitude > 180 or longitude < -180 or latitude > LAT_MAX or latitude < LAT_MIN:
        return None
    if latitude < latMin or latitude > latMax or longitude < longMin or longitude > longMax:
        return None
    latOffset = (latitude - latMin) / (latMax - latMin)
    longOffset = (longitude - longMin) / (longMax - longMin)
    latOffset *= 1 << step
    longOffset *= 1 << step
    return _interleave(int(latOffset) & 0xFFFFFFFF, int(longOffset) & 0xFFFFFFFF)


def decodeArea(bits, step, ranges=WGS84):
    """
    C{geohashDecode}.

    @return: C{(longMin, longMax, latMin, latMax)} of the cell.
    """
    (longMin, longMax), (latMin, latMax) = ranges
    latScale = latMax - latMin
    longScale = longMax - longMin
    ilato, ilono = _deinterleave(bits)
    cells = float(1 << step)
    return (
        longMin + (ilono * 1.0 / cells) * longScale,
        longMin + ((ilono + 1) * 1.0 / cells) * longScale,
        latMin + (ilato * 1.0 / cells) * latScale,
        latMin + ((ilato + 1) * 1.0 / cells) * latScale,
    )


def decodeScore(score):
    """
    The coordinates of a 52-bit score (C{decodeGeohash}).

    @return: C{(longitude, latitude)}.
    """
    # Redis's (uint64_t) cast as gcc compiles it on x86-64: from 2**63 up,
    # convert score - 2**63 and flip the top bit; a conversion out of range
    # (infinities, NaN, huge scores) gives 1 << 63.
    if score >= 2.0**63:
        rest = score - 2.0**63
        bits = (int(rest) if rest < 2.0**63 else 1 << 63) ^ (1 << 63)
    elif score > -(2.0**63):
        bits = int(score) & _MASK64
    else:
        bits = 1 << 63
    longMin, longMax, latMin, latMax = decodeArea(bits, STEP_MAX)
    longitude = (longMin + longMax) / 2
    longitude = min(max(longitude, LONG_MIN), LONG_MAX)
    latitude = (latMin + latMax) / 2
    latitude = min(max(latitude, LAT_MIN), LAT_MAX)
    return longitude, latitude


def scoreOf(longitude, latitude):
    """
    The sorted set score GEOADD gives a position (C{geohashAlign52Bits}
    of a step 26 hash).
    """
    return encode(longitude, latitude)


def standardHash(longitude, latitude):
    """
    The 11-character geohash GEOHASH answers.
    """
    alphabet = b"0123456789bcdefghjkmnpqrstuvwxyz"
    bits = encode(longitude, latitude, STEP_MAX, STANDARD)
    out = bytearray()
    for i in range(11):
        index = 0 if i == 10 else (bits >> (52 - (i + 1) * 5)) & 0x1F
        out.append(alphabet[index])
    return bytes(out)


def latDistance(lat1, lat2):
    return EARTH_RADIUS_IN_METERS * abs(degRad(lat2) - degRad(lat1))


def distance(lon1, lat1, lon2, lat2):
    """
    C{geohashGetDistance}: haversine on Redis's sphere, in metres.
    """
    lon1r = degRad(lon1)
    lon2r = degRad(lon2)
    v = math.sin((lon2r - lon1r) / 2)
    if v == 0.0:
        return latDistance(lat1, lat2)
    lat1r = degRad(lat1)
    lat2r = degRad(lat2)
    u = math.sin((lat2r - lat1r) / 2)
    a = u * u + math.cos(lat1r) * math.cos(lat2r) * v * v
    return 2.0 * EARTH_RADIUS_IN_METERS * math.asin(math.sqrt(a))


class Shape:
    """
    A search area (C{GeoShape}): a circle of C{radius} or a box of
    C{width} by C{height}, in C{conversion} metres per unit, centred on
    C{longitude}, C{latitude}.
    """

    def __init__(self, longitude, latitude, conversion, radius=None, width=None, height=None):
        self.longitude = longitude
        self.latitude = latitude
        self.conversion = conversion
        self.radius = radius
        self.width = width
        self.height = height

    def contains(self, longitude, latitude):
        """
        C{geoWithinShape}.

        @return: the distance in metres, or L{None} outside.
        """
        if self.radius is not None:
            d = distance(self.longitude, self.latitude, longitude, latitude)
            return None if d > self.radius * self.conversion else d
        widthM = self.width * self.conversion
        heightM = self.height * self.conversion
        if latDistance(latitude, self.latitude) > heightM / 2:
            return None
        if distance(longitude, latitude, self.longitude, latitude) > widthM / 2:
            return None
        return distance(self.longitude, self.latitude, longitude, latitude)

    def boundingBox(self):
        """
        C{geohashBoundingBox}: C{(minLon, minLat, maxLon, maxLat)}.
        """
        if self.radius is not None:
            height = width = self.conversion * self.radius
        else:
            height = self.conversion * (self.height / 2)
            width = self.conversion * (self.width / 2)
        latitude = self.latitude
        latDelta = radDeg(height / EARTH_RADIUS_IN_METERS)
        longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / math.cos(degRad(latitude + latDelta)))
        longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / math.cos(degRad(latitude - latDelta)))
        southern = latitude < 0
        delta = longDeltaBottom if southern else longDeltaTop
        return (
            self.longitude - delta,
            latitude - latDelta,
            self.longitude + delta,
            latitude + latDelta,
        )

    def radiusMeters(self):
        if self.radius is not None:
            radius = self.radius
        else:
            radius = math.sqrt(
                (self.width / 2) * (self.width / 2) + (self.height / 2) * (self.height / 2)
            )
        return radius * self.conversion


def estimateSteps(rangeMeters, latitude):
    """
    C{geohashEstimateStepsByRadius}.
    """
    if rangeMeters == 0:
        return 26
    step = 1
    while rangeMeters < MERCATOR_MAX:
        rangeMeters *= 2
        step += 1
    step -= 2
    if latitude > 66 or latitude < -66:
        step -= 1
        if latitude > 80 or latitude < -80:
            step -= 1
    return min(max(step, 1), 26)


def _move(bits, step, d, moving, kept):
    # geohash_move_x / geohash_move_y: step the bits under the mask
    # C{moving} (odd: longitude, even: latitude) by one cell.
    x = bits & moving
    y = bits & kept
    zz = kept >> (64 - step * 2)
    if d > 0:
        x = x + (zz + 1)
    else:
        x = x | zz
        x = x - (zz + 1)
    x &= moving >> (64 - step * 2)
    return (x | y) & _MASK64


def _moveX(bits, step, d):
    return _move(bits, step, d, _ODD, _EVEN)


def _moveY(bits, step, d):
    return _move(bits, step, d, _EVEN, _ODD)


def _neighbours(bits, step):
    """
    C{geohashNeighbors}, in C{membersOfAllNeighbors}'s order after the
    centre: north, south, east, west, north-east, north-west, south-east,
    south-west.
    """
    return [
        _moveY(bits, step, 1),
        _moveY(bits, step, -1),
        _moveX(bits, step, 1),
        _moveX(bits, step, -1),
        _moveY(_moveX(bits, step, 1), step, 1),
        _moveY(_moveX(bits, step, -1), step, 1),
        _moveY(_moveX(bits, step, 1), step, -1),
        _moveY(_moveX(bits, step, -1), step, -1),
    ]


_NORTH, _SOUTH, _EAST, _WEST, _NE, _NW, _SE, _SW = range(8)


def searchAreas(shape):
    """
    C{geohashCalculateAreasByShapeWGS84} and C{membersOfAllNeighbors}:
    the score ranges to walk, in Redis's order.

    @return: a L{list} of C{(min, max)} with C{max} exclusive.
    """
    minLon, minLat, maxLon, maxLat = shape.boundingBox()
    longitude, latitude = shape.longitude, shape.latitude
    steps = estimateSteps(shape.radiusMeters(), latitude)
    bits = encode(longitude, latitude, steps)
    neighbours = _neighbours(bits, steps)
    north = decodeArea(neighbours[_NORTH], steps)
    south = decodeArea(neighbours[_SOUTH], steps)
    east = decodeArea(neighbours[_EAST], steps)
    west = decodeArea(neighbours[_WEST], steps)
    decrease = (
        north[3] < maxLat or south[2] > minLat or east[1] < maxLon or west[0] > minLon
    )
    if steps > 1 and decrease:
        steps -= 1
        bits = encode(longitude, latitude, steps)
        neighbours = _neighbours(bits, steps)
    area = decodeArea(bits, steps)
    cells = [(bits, steps)] + [(n, steps) for n in neighbours]
    if steps >= 2:
        zero = set()
        if area[2] < minLat:
            zero.update((_SOUTH, _SW, _SE))
        if area[3] > maxLat:
            zero.update((_NORTH, _NE, _NW))
        if area[0] < minLon:
            zero.update((_WEST, _SW, _NW))
        if area[1] > maxLon:
            zero.update((_EAST, _SE, _NE))
        for index in zero:
            cells[index + 1] = (0, 0)
    ranges = []
    last = None
    for index, (cellBits, cellStep) in enumerate(cells):
        if not cellBits and not cellStep:
            continue
        # Huge radii make neighbours coincide; Redis skips a cell equal
        # to the one it walked just before (never the centre itself).
        if last and cells[last] == (cellBits, cellStep):
            continue
        shift = 52 - cellStep * 2
        ranges.append((cellBits << shift, (cellBits + 1) << shift))
        last = index
    return ranges
