"""
DUMP and RESTORE payloads, without I/O.

A payload is one value serialised as an RDB file holds it (its type byte
and body, see L{txredisd.persistence.rdb.encodeValue}), then the RDB
version in 2 bytes and a CRC64 of everything before it in 8 bytes, both
little endian: Redis 7.0's C{createDumpPayload} and C{verifyDumpPayload}.
FUNCTION DUMP and FUNCTION RESTORE use the same footer.
"""

import math
import struct

from txredisd.persistence import rdb
from txredisd.persistence.checksums import crc64
from txredisd.persistence.values import fromDump, toPlain

#: The RDB version Redis 7.0 writes into payloads and accepts at most.
DUMP_VERSION = 10

# Redis 7.0's rdbIsObjectType: the value types an RDB version 10 may hold
# (8 was never used; 20 and up came later).
_OBJECT_TYPES = frozenset(range(0, 8)) | frozenset(range(9, 20))
# The types that hold a compact encoding as is (intset, ziplists,
# listpacks, zipmap): Redis keeps it unless it is too long.
_PACKED_TYPES = frozenset(
    [
        rdb.TYPE_SET_INTSET,
        rdb.TYPE_HASH_ZIPMAP,
        rdb.TYPE_HASH_ZIPLIST,
        rdb.TYPE_HASH_LISTPACK,
        rdb.TYPE_ZSET_ZIPLIST,
        rdb.TYPE_ZSET_LISTPACK,
    ]
)
# The types that are checked for duplicate members as they load (hash
# tables and skiplists); the packed ones are only checked by deep
# sanitisation, which Redis does not do by default.
_DUPLICATES_REFUSED = frozenset([rdb.TYPE_SET, rdb.TYPE_ZSET, rdb.TYPE_ZSET_2])


def wrapPayload(body, version=DUMP_VERSION):
    """
    Add the footer: the RDB version and the CRC64.

    @param body: the serialised value (or, for FUNCTION DUMP, libraries).
    @return: the payload (L{bytes}).
    """
    body += struct.pack("<H", version)
    return body + struct.pack("<Q", crc64(body))


def verifyPayload(payload, version=DUMP_VERSION):
    """
    Redis 7.0's C{verifyDumpPayload}: at least a footer, a version no newer
    than this server's, and a matching CRC64 (0 is no exception in 7.0).

    @return: L{True} if the payload may be loaded.
    """
    if len(payload) < 10:
        return False
    if struct.unpack_from("<H", payload, len(payload) - 10)[0] > version:
        return False
    return struct.unpack_from("<Q", payload, len(payload) - 8)[0] == crc64(payload[:-8])


def dumpValue(value, encoding, compress=True, listFill=-2):
    """
    The DUMP payload of a keyspace value.

    @param encoding: its OBJECT ENCODING, which decides the serialisation
        as in Redis (an intset, a listpack, ...).
    @param compress: C{rdbcompression}.
    @param listFill: C{list-max-listpack-size}.
    @return: L{bytes}.
    """
    typeName, plain = toPlain(value)
    kind, body = rdb.encodeValue(typeName, plain, DUMP_VERSION, compress, encoding, listFill)
    return wrapPayload(bytes((kind,)) + body)


def loadValue(payload, config):
    """
    The value a verified payload holds, encoded as Redis's C{rdbLoadObject}
    would encode it with this configuration.

    The reader starts at the payload's first byte and may run on into the
    footer, as Redis's does: it reads from the whole buffer.

    @param config: the server's L{txredisd.config.Config}.
    @return: the keyspace value.
    @raise ValueError: the payload does not hold a valid value (Redis's
        "Bad data format").
    """
    reader = rdb.RDBReader(payload)
    try:
        kind = reader.byte()
        if kind not in _OBJECT_TYPES:
            raise ValueError("not a value type: %d" % (kind,))
        plain = reader.value(kind)
    except rdb.RDBError as e:
        raise ValueError(str(e))
    typeName = rdb.TYPE_NAMES[kind]
    _check(typeName, kind, plain)
    return fromDump(typeName, plain, config, kind in _PACKED_TYPES)


def _check(typeName, kind, plain):
    """
    Refuse what Redis 7.0's loader refuses: empty collections, duplicates
    where it looks for them, NaN scores.
    """
    if typeName == b"string" or typeName == b"stream":
        return
    if not plain:
        raise ValueError("empty %s" % (typeName.decode(),))
    if kind in _DUPLICATES_REFUSED:
        members = plain if typeName == b"set" else [pair[0] for pair in plain]
        if len(set(members)) != len(members):
            raise ValueError("duplicate members")
    if typeName == b"zset" and any(math.isnan(score) for member, score in plain):
        raise ValueError("NaN score")
