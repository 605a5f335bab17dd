"""
HyperLogLogs crossing between Debian's redis-server and txredisd in RDB
files and over replication: the same bytes arrive, and both servers go on
counting and adding alike.
"""

import shutil

from tests.conftest import startRedisServer, startTxredisd
from tests.interop.test_replication import linkUp, waitFor

# Keys of each representation: sparse, dense, a merge, a refreshed cache.
_KEYS = [b"sparse", b"dense", b"merged", b"counted"]


def _build(client):
    """
    Write HLLs of both encodings with PFADD, PFMERGE and PFCOUNT.
    """
    client.execute_command("PFADD", "sparse", *[b"s%d" % i for i in range(300)])
    for start in range(0, 6000, 1000):
        client.execute_command("PFADD", "dense", *[b"d%d" % i for i in range(start, start + 1000)])
    client.execute_command("PFMERGE", "merged", "sparse", "dense")
    client.execute_command("PFADD", "counted", "a", "b", "c")
    client.execute_command("PFCOUNT", "counted")
    client.execute_command("EXPIRE", "merged", 100000)


def _snapshot(client):
    """
    The raw bytes of every HLL key and their estimates.
    """
    values = {key: client.execute_command("GET", key) for key in _KEYS}
    counts = {key: client.execute_command("PFCOUNT", key) for key in _KEYS}
    return values, counts


def _continue(client):
    """
    Go on adding and merging; return what that left.
    """
    client.execute_command("PFADD", "sparse", *[b"x%d" % i for i in range(2000)])
    client.execute_command("PFADD", "dense", *[b"x%d" % i for i in range(2000)])
    client.execute_command("PFMERGE", "union", *_KEYS)
    return [client.execute_command("GET", key) for key in _KEYS + [b"union"]] + [
        client.execute_command("PFCOUNT", *_KEYS)
    ]


def _roundTrip(tmp_path, writer, reader):
    (tmp_path / "w").mkdir(parents=True)
    (tmp_path / "r").mkdir()
    source = writer(tmp_path / "w")
    try:
        client = source.client()
        _build(client)
        expected = [client.execute_command("GET", key) for key in _KEYS]
        client.execute_command("SAVE")
    finally:
        source.stop()
    shutil.copy(str(tmp_path / "w" / "dump.rdb"), str(tmp_path / "r" / "dump.rdb"))
    target = reader(tmp_path / "r")
    try:
        client = target.client()
        assert [client.execute_command("GET", key) for key in _KEYS] == expected
        assert client.execute_command("TTL", "merged") > 0
        return _snapshot(client), _continue(client)
    finally:
        target.stop()


def test_rdbBothWays(tmp_path):
    """
    HLLs saved by redis-server load into txredisd and those saved by
    txredisd (RDB version 10) load into redis-server, byte for byte; each
    then counts, adds and merges exactly as the other would.
    """
    fromRedis = _roundTrip(tmp_path / "a", startRedisServer, startTxredisd)
    fromUs = _roundTrip(
        tmp_path / "b",
        lambda d: startTxredisd(d, "--rdb-version", "10"),
        startRedisServer,
    )
    assert fromRedis == fromUs


def test_replicationToRedis(tmp_path):
    """
    A redis-server replica of txredisd receives PFADD, PFMERGE, the cache
    refresh of PFCOUNT and PFDEBUG's conversion, and holds the master's
    bytes.
    """
    (tmp_path / "m").mkdir()
    (tmp_path / "r").mkdir()
    master = startTxredisd(tmp_path / "m", "--save", "")
    replica = None
    try:
        m = master.client()
        m.execute_command("PFADD", "before-sync", "a", "b")
        replica = startRedisServer(tmp_path / "r", "--replicaof", "127.0.0.1", str(master.port))
        r = replica.client()
        waitFor(linkUp(r), what="link up")
        _build(m)
        m.execute_command("PFADD", "todense", "x")
        m.execute_command("PFDEBUG", "TODENSE", "todense")
        m.execute_command("PFCOUNT", "sparse", "dense")
        assert m.execute_command("WAIT", 1, 5000) == 1
        keys = _KEYS + [b"before-sync", b"todense"]
        expected = [m.execute_command("GET", key) for key in keys]
        assert [r.execute_command("GET", key) for key in keys] == expected
        # The replica's cache was refreshed by the propagated PFCOUNT.
        assert r.execute_command("GET", "counted")[15] & 0x80 == 0
    finally:
        if replica is not None:
            replica.stop()
        master.stop()
