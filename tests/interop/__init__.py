"""
Interop tests: txredisd beside Debian's redis-server and redis-tools.
"""


def contents(client):
    """
    Everything a server holds in databases 0-15, read with plain commands,
    as a comparable structure (sets as sorted lists, scores as strings).

    @param client: a redis-py client (RESP2, bytes replies).
    """
    result = {}
    for db in range(16):
        client.execute_command("SELECT", db)
        for key in client.execute_command("KEYS", "*"):
            kind = client.execute_command("TYPE", key)
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind == "string":
                value = client.execute_command("GET", key)
            elif kind == "list":
                value = client.execute_command("LRANGE", key, 0, -1)
            elif kind == "set":
                value = sorted(client.execute_command("SMEMBERS", key))
            elif kind == "hash":
                value = sorted(zip(*[iter(client.execute_command("HGETALL", key))] * 2))
            elif kind == "zset":
                value = client.execute_command("ZRANGE", key, 0, -1, "WITHSCORES")
            elif kind == "stream":
                value = (
                    client.execute_command("XRANGE", key, "-", "+"),
                    client.execute_command("XINFO", "GROUPS", key),
                )
            else:
                raise AssertionError("unexpected type %r" % (kind,))
            ttl = client.execute_command("PEXPIRETIME", key)
            result[(db, key)] = (kind, value, ttl > 0)
    client.execute_command("SELECT", 0)
    return result


def populate(client, types=("string", "list", "set", "hash", "zset", "stream")):
    """
    Write keys of every type in each encoding Redis picks for it (small and
    large collections, integer and binary strings, expiries, several
    databases).
    """
    pipe = client.pipeline(transaction=False)
    if "string" in types:
        pipe.execute_command("SET", "str", "hello")
        pipe.execute_command("SET", "int", "12345")
        pipe.execute_command("SET", "neg", "-70000")
        pipe.execute_command("SET", "big", "x" * 5000)
        pipe.execute_command("SET", "bin", bytes(range(256)))
        pipe.execute_command("SET", "ttl", "v", "PXAT", 4_000_000_000_000)
        pipe.execute_command("SELECT", 7)
        pipe.execute_command("SET", "db7", "seven")
        pipe.execute_command("SELECT", 0)
    if "list" in types:
        pipe.execute_command("RPUSH", "list", "a", "1", "-5", "70000", "5000000000", "x" * 100)
        pipe.execute_command("RPUSH", "biglist", *["item%d" % i for i in range(1000)])
    if "set" in types:
        pipe.execute_command("SADD", "intset", 1, 2, 3, -4, 100000, 1 << 40)
        pipe.execute_command("SADD", "set", "a", "b", "c")
        pipe.execute_command("SADD", "bigset", *["m%d" % i for i in range(600)])
    if "hash" in types:
        pipe.execute_command("HSET", "hash", "f1", "v1", "f2", "2")
        pipe.execute_command("HSET", "bighash", *[x for i in range(300) for x in ("f%d" % i, "v%d" % i)])
        pipe.execute_command("HSET", "longhash", "f", "y" * 100)
    if "zset" in types:
        pipe.execute_command("ZADD", "zset", 1, "a", 2.5, "b", "-inf", "c", "0.1", "d")
        pipe.execute_command("ZADD", "bigzset", *[x for i in range(300) for x in (i * 1.5, "m%d" % i)])
    if "stream" in types:
        pipe.execute_command("XADD", "stream", "1-1", "f", "v")
        pipe.execute_command("XADD", "stream", "2-1", "f", "w", "g", "z")
        pipe.execute_command("XADD", "stream", "3-0", "f", "x")
        pipe.execute_command("XGROUP", "CREATE", "stream", "grp", "0")
        pipe.execute_command("XREADGROUP", "GROUP", "grp", "alice", "COUNT", 2, "STREAMS", "stream", ">")
    pipe.execute()
