"""
A Sentinel-driven failover of txredisd servers by Debian's redis-sentinel.
"""

from tests.conftest import ServerProcess, freePort, requireTool, startTxredisd
from tests.interop.test_replication import linkUp, waitFor


def test_sentinelFailover(tmp_path):
    """
    redis-sentinel watching a txredisd master with a txredisd replica
    completes SENTINEL FAILOVER: the replica is promoted, the old master
    follows it, and clients asking Sentinel write to the new master.
    """
    import redis.sentinel

    binary = requireTool("redis-sentinel")
    for name in ("m", "r", "s"):
        (tmp_path / name).mkdir()
    master = startTxredisd(tmp_path / "m", "--save", "")
    replica = startTxredisd(tmp_path / "r", "--save", "", "--replicaof", "127.0.0.1", str(master.port))
    sentinelPort = freePort()
    conf = tmp_path / "s" / "sentinel.conf"
    conf.write_text(
        "port %d\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 %d 1\n"
        "sentinel down-after-milliseconds mymaster 2000\n"
        "sentinel failover-timeout mymaster 10000\n" % (sentinelPort, master.port)
    )
    sentinel = ServerProcess([binary, str(conf)], sentinelPort, str(tmp_path / "s")).start()
    try:
        master.client().set("before", "failover")
        waitFor(linkUp(replica.client()), what="replica link")
        s = sentinel.client()
        def replicaReady():
            # Sentinel promotes only a replica it has itself asked for INFO.
            for entry in s.sentinel_slaves("mymaster"):
                if entry.get("master-link-status") == "ok" and entry.get("is_slave") and not entry.get("is_disconnected"):
                    return True
            return False

        waitFor(replicaReady, what="sentinel checking the replica")
        assert s.execute_command("SENTINEL", "FAILOVER", "mymaster") in (b"OK", True, "OK")
        waitFor(
            lambda: s.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")[1] == str(replica.port).encode(),
            what="sentinel switching master",
        )
        waitFor(lambda: replica.client().execute_command("ROLE")[0] == b"master", what="promotion")
        waitFor(lambda: master.client().execute_command("ROLE")[0] == b"slave", what="old master following")
        client = redis.sentinel.Sentinel([("127.0.0.1", sentinelPort)], socket_timeout=10).master_for("mymaster")
        assert client.get("before") == b"failover"
        client.set("after", "failover")
        waitFor(linkUp(master.client()), what="old master link up")
        waitFor(lambda: master.client().get("after") == b"failover", what="old master replicating")
    finally:
        sentinel.stop()
        replica.stop()
        master.stop()


def test_chainedReplication(tmp_path):
    """
    A txredisd replica serves its own replica: writes to the top master
    reach the bottom of the chain.
    """
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    top = startTxredisd(tmp_path / "a", "--save", "")
    middle = startTxredisd(tmp_path / "b", "--save", "", "--replicaof", "127.0.0.1", str(top.port))
    bottom = startTxredisd(tmp_path / "c", "--save", "", "--replicaof", "127.0.0.1", str(middle.port))
    try:
        t = top.client()
        t.set("k", "1")
        waitFor(linkUp(middle.client()), what="middle link")
        waitFor(linkUp(bottom.client()), what="bottom link")
        t.set("k2", "2")
        t.execute_command("SELECT", 4)
        waitFor(lambda: bottom.client().get("k2") == b"2", what="chained write")
        assert bottom.client().get("k") == b"1"
        assert t.execute_command("WAIT", 1, 5000) == 1
    finally:
        bottom.stop()
        middle.stop()
        top.stop()
