"""
Tests for L{txredisd.commands.geo} and L{txredisd.geohash}.
"""

from twisted.trial.unittest import SynchronousTestCase

from txredisd import geohash
from txredisd.commands.geo import humanDouble

from tests.helpers import Connection


class GeohashTests(SynchronousTestCase):
    """
    The geohash arithmetic, checked against values Redis 7.0 gives.
    """

    def test_score(self):
        """
        GEOADD's score for Palermo is Redis's 52-bit interleaved hash.
        """
        self.assertEqual(geohash.scoreOf(13.361389, 38.115556), 3479099956230698)

    def test_decode(self):
        """
        Decoding a score gives the centre of its cell, as GEOPOS shows it.
        """
        longitude, latitude = geohash.decodeScore(3479099956230698)
        self.assertEqual(humanDouble(longitude), b"13.36138933897018433")
        self.assertEqual(humanDouble(latitude), b"38.11555639549629859")

    def test_limits(self):
        """
        Coordinates beyond Redis's latitude limits do not encode.
        """
        self.assertIsNone(geohash.encode(0, 85.06))
        self.assertIsNone(geohash.encode(180.5, 0))

    def test_distance(self):
        """
        The haversine distance uses Redis's earth radius.
        """
        d = geohash.distance(13.36138933897018433, 38.11555639549629859,
                             15.08726745843887329, 37.50266842333162032)
        self.assertEqual(b"%.4f" % (d,), b"166274.1516")

    def test_standardHash(self):
        """
        GEOHASH re-encodes with the standard latitude range and pads the
        eleventh character with C{0}.
        """
        self.assertEqual(
            geohash.standardHash(*geohash.decodeScore(3479099956230698)), b"sqc8b49rny0"
        )

    def test_humanDouble(self):
        """
        Coordinates are printed with 17 decimals, trailing zeros dropped.
        """
        self.assertEqual(humanDouble(1.5), b"1.5")
        self.assertEqual(humanDouble(-0.0), b"0")
        self.assertEqual(humanDouble(2.0), b"2")


class GeoCommandTests(SynchronousTestCase):
    """
    The geo commands over a connection.
    """

    def setUp(self):
        self.conn = Connection()
        self.conn.call("GEOADD", "g", "13.361389", "38.115556", "Palermo",
                       "15.087269", "37.502669", "Catania")

    def test_invalidPair(self):
        """
        Out-of-range coordinates are refused with Redis's C{%f} text.
        """
        self.assertEqual(
            self.conn.call("GEOADD", "g", "200", "100", "x"),
            b"-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n",
        )

    def test_propagatedAsZadd(self):
        """
        GEOADD is propagated as the ZADD it amounts to.
        """
        propagated = []
        self.conn.server.propagators.append(lambda index, commands: propagated.extend(commands))
        self.conn.call("GEOADD", "g", "CH", "13.361389", "38.115556", "p2")
        self.assertEqual(propagated, [[b"ZADD", b"g", b"CH", b"3479099956230698", b"p2"]])

    def test_geoposResp3(self):
        """
        GEOPOS answers coordinates as doubles in RESP3, null arrays for
        missing members.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(
            self.conn.call("GEOPOS", "g", "Palermo", "nope"),
            b"*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n",
        )

    def test_geodistUnits(self):
        """
        GEODIST converts to the unit asked and refuses unknown units.
        """
        self.assertEqual(self.conn.call("GEODIST", "g", "Palermo", "Catania", "km"), b"$8\r\n166.2742\r\n")
        self.assertEqual(
            self.conn.call("GEODIST", "g", "Palermo", "Catania", "yd"),
            b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n",
        )

    def test_searchSorted(self):
        """
        GEOSEARCH with COUNT returns the nearest first, with distances in
        the unit asked.
        """
        self.assertEqual(
            self.conn.call("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
                           "COUNT", "1", "WITHDIST"),
            b"*1\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n",
        )

    def test_storeDist(self):
        """
        GEOSEARCHSTORE STOREDIST stores distances as scores.
        """
        c = self.conn
        self.assertEqual(
            c.call("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km",
                   "STOREDIST"),
            b":2\r\n",
        )
        self.assertEqual(c.call("ZSCORE", "d", "Palermo"), b"$1\r\n0\r\n")

    def test_searchErrors(self):
        """
        GEOSEARCH names itself as typed in its missing-option errors.
        """
        self.assertEqual(
            self.conn.call("GeoSearch", "g", "BYRADIUS", "1", "km", "ASC", "WITHDIST"),
            b"-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GeoSearch\r\n",
        )
