"""
Replication between txredisd and Debian's redis-server, both ways, over
real sockets and real processes.
"""

import time

import pytest

from tests.conftest import startRedisServer, startTxredisd
from tests.interop import contents, populate, writeConcurrently

from tests.interop.test_rdb import TYPES


def waitFor(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s" % (what,))


def info(client, section="replication"):
    raw = client.execute_command("INFO", section)
    raw = raw.decode() if isinstance(raw, bytes) else raw
    if isinstance(raw, dict):
        return {k: str(v) for k, v in raw.items()}
    return dict(line.split(":", 1) for line in raw.splitlines() if ":" in line)


def linkUp(client):
    return lambda: info(client).get("master_link_status") == "up"


def test_redisReplicaOfTxredisd(tmp_path):
    """
    A real redis-server follows txredisd: the full resync and the command
    stream give it identical contents, WAIT counts it, and after a restart
    it continues with a partial resync.
    """
    (tmp_path / "m").mkdir()
    (tmp_path / "r").mkdir()
    master = startTxredisd(tmp_path / "m", "--save", "")
    replica = None
    try:
        m = master.client()
        populate(m, TYPES)
        replica = startRedisServer(tmp_path / "r", "--replicaof", "127.0.0.1", str(master.port))
        r = replica.client()
        waitFor(linkUp(r), what="link up")
        m.set("after-sync", "1")
        assert m.execute_command("WAIT", 1, 5000) == 1
        assert contents(r) == contents(m)
        # A restart of the replica continues from its offset.
        replica.stop()
        m.set("while-down", "x")
        replica = startRedisServer(tmp_path / "r", "--replicaof", "127.0.0.1", str(master.port))
        r = replica.client()
        waitFor(linkUp(r), what="link up again")
        assert m.execute_command("WAIT", 1, 5000) == 1
        assert contents(r) == contents(m)
    finally:
        if replica is not None:
            replica.stop()
        master.stop()


def test_txredisdReplicaOfRedis(tmp_path):
    """
    txredisd follows a real redis-server (twistd -n redis --replicaof host
    port): identical contents, read-only, counted by WAIT, and a restart
    continues with a partial resync.
    """
    (tmp_path / "m").mkdir()
    (tmp_path / "r").mkdir()
    master = startRedisServer(tmp_path / "m", "--repl-diskless-sync-delay", "0")
    replica = None
    try:
        m = master.client()
        populate(m, TYPES)
        replica = startTxredisd(tmp_path / "r", "--replicaof", "127.0.0.1", str(master.port))
        r = replica.client()
        waitFor(linkUp(r), what="link up")
        m.set("after-sync", "1")
        m.execute_command("SELECT", 3)
        assert m.execute_command("WAIT", 1, 5000) == 1
        assert contents(r) == contents(m)
        import redis

        with pytest.raises(redis.exceptions.ReadOnlyError):
            r.set("x", "y")
        replica.stop()
        m.set("while-down", "x")
        replica = startTxredisd(tmp_path / "r", "--replicaof", "127.0.0.1", str(master.port))
        r = replica.client()
        waitFor(linkUp(r), what="link up again")
        assert m.execute_command("WAIT", 1, 5000) == 1
        assert contents(r) == contents(m)
        assert info(m, "stats")["sync_partial_ok"] == "1"
    finally:
        if replica is not None:
            replica.stop()
        master.stop()


def test_promotionThenPartialResync(tmp_path):
    """
    A txredisd replica promoted with REPLICAOF NO ONE keeps its data, and a
    redis-server that followed the old master and is re-pointed at it
    continues with a partial resync.
    """
    for name in "abc":
        (tmp_path / name).mkdir()
    old = startRedisServer(tmp_path / "a", "--repl-diskless-sync-delay", "0")
    promoted = other = None
    try:
        o = old.client()
        o.set("k", "v")
        promoted = startTxredisd(tmp_path / "b", "--replicaof", "127.0.0.1", str(old.port))
        p = promoted.client()
        other = startRedisServer(tmp_path / "c", "--replicaof", "127.0.0.1", str(old.port))
        c = other.client()
        waitFor(linkUp(p), what="txredisd link up")
        waitFor(linkUp(c), what="redis link up")
        o.set("k2", "v2")
        assert o.execute_command("WAIT", 2, 5000) == 2
        assert p.execute_command("REPLICAOF", "NO", "ONE") in (b"OK", True, "OK")
        p.set("new", "write")
        c.execute_command("REPLICAOF", "127.0.0.1", promoted.port)
        waitFor(linkUp(c), what="re-pointed link up")
        assert p.execute_command("WAIT", 1, 5000) == 1
        assert c.get("new") == b"write"
        assert c.get("k2") == b"v2"
        assert "Successful partial resynchronization" in other.log() or "partial resynchronization" in other.log().lower()
    finally:
        for server in (other, promoted, old):
            if server is not None:
                server.stop()


def _converge(master, replica):
    """
    Write every type on the master while the replica syncs and follows;
    once writes stop and WAIT confirms, both hold the same data.
    """
    import threading

    m = master.client()
    writer = threading.Thread(target=writeConcurrently, args=(master.client(), 3.0, TYPES))
    writer.start()
    writer.join()
    time.sleep(0.2)
    m.execute_command("SELECT", 0)
    # WAIT counts replicas that acknowledged this client's last write.
    m.set("writes-done", "1")
    acked = m.execute_command("WAIT", 1, 10000)
    assert acked == 1, "WAIT: %r\n%s\nmaster log:\n%s\nreplica log:\n%s" % (
        acked,
        m.execute_command("INFO", "replication"),
        "\n".join(master.log().splitlines()[-30:]),
        "\n".join(replica.log().splitlines()[-30:]),
    )
    # Keys with expiry times may expire on the master between the two
    # reads; the master's DEL reaches the replica with the next command.
    m.execute_command("PERSIST", "nothing")
    last = {}

    def same():
        last["replica"], last["master"] = contents(replica.client()), contents(m)
        return last["replica"] == last["master"]

    try:
        waitFor(same, what="convergence")
    except AssertionError:
        differing = sorted(k for k in set(last["replica"]) | set(last["master"]) if last["replica"].get(k) != last["master"].get(k))
        raise AssertionError(
            "not converged: %r\nmaster log:\n%s\nreplica log:\n%s"
            % (
                [(k, last["master"].get(k), last["replica"].get(k)) for k in differing[:3]],
                "\n".join(master.log().splitlines()[-30:]),
                "\n".join(replica.log().splitlines()[-30:]),
            )
        )


def test_convergenceTxredisdMaster(tmp_path):
    """
    A redis-server replica attached while txredisd takes writes of every
    type converges to identical contents.
    """
    (tmp_path / "m").mkdir()
    (tmp_path / "r").mkdir()
    master = startTxredisd(tmp_path / "m", "--save", "")
    replica = startRedisServer(tmp_path / "r", "--replicaof", "127.0.0.1", str(master.port))
    try:
        _converge(master, replica)
    finally:
        replica.stop()
        master.stop()


def test_convergenceRedisMaster(tmp_path):
    """
    A txredisd replica attached while redis-server takes writes of every
    type converges to identical contents.
    """
    (tmp_path / "m").mkdir()
    (tmp_path / "r").mkdir()
    master = startRedisServer(tmp_path / "m", "--repl-diskless-sync-delay", "0")
    replica = startTxredisd(tmp_path / "r", "--save", "", "--replicaof", "127.0.0.1", str(master.port))
    try:
        _converge(master, replica)
    finally:
        replica.stop()
        master.stop()
