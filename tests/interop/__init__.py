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
            if kind == "none":
                # Expired between KEYS and TYPE.
                continue
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


def writeConcurrently(client, seconds, types, seed=0):
    """
    Write keys of the given types at random for C{seconds} (a writer for
    convergence tests).

    @return: the number of commands sent.
    """
    import random
    import time

    rng = random.Random(seed)
    generators = {
        "string": lambda k: [("SET", k, rng.random()), ("APPEND", k, "x"), ("INCRBY", "n" + k, rng.randint(-5, 5))],
        "hash": lambda k: [("HSET", k, "f%d" % rng.randint(0, 20), rng.random()), ("HDEL", k, "f1")],
        "set": lambda k: [("SADD", k, rng.randint(0, 50)), ("SREM", k, rng.randint(0, 50))],
        "zset": lambda k: [("ZADD", k, rng.random(), "m%d" % rng.randint(0, 30)), ("ZPOPMIN", k)],
        "list": lambda k: [("RPUSH", k, rng.random()), ("LPOP", k), ("LTRIM", k, 0, 20)],
        "stream": lambda k: [("XADD", k, "MAXLEN", "~", "50", "*", "f", rng.random())],
    }
    sent = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pipe = client.pipeline(transaction=False)
        for _ in range(50):
            kind = rng.choice(types)
            key = "%s:%d" % (kind, rng.randint(0, 30))
            for command in generators[kind](key):
                pipe.execute_command(*command)
                sent += 1
            if rng.random() < 0.05:
                # Either gone before the comparison or alive long after it,
                # never expiring while the two servers are read.
                ttl = rng.randint(1, 30) if rng.random() < 0.5 else rng.randint(60000, 100000)
                pipe.execute_command("PEXPIRE", key, ttl)
            if rng.random() < 0.02:
                pipe.execute_command("DEL", key)
        pipe.execute(raise_on_error=False)
    return sent
