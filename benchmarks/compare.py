"""
txredisd and redis-server side by side under redis-benchmark.

Starts Debian's redis-server and C{twistd -n redis} (this checkout first on
PYTHONPATH), then runs the same redis-benchmark invocations against each,
alternating the two servers in every round so that machine noise hits both
alike.  For every scenario and test it prints the median requests per
second of each server, their ratio (of the medians, and paired: the median
of each round's ratio, which cancels the machine's slower and faster
spells), the per-round range, and each server's
CPU time per request (user + system, from C{/proc/<pid>/stat} deltas around
the run).  Finally it loads 1M small keys into each and reports the RSS
growth per key.

This is a benchmark, not a test: it asserts nothing.

    python3 benchmarks/compare.py             # the full run
    python3 benchmarks/compare.py --quick     # fewer requests, 5 rounds
"""

import argparse
import csv
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.conftest import freePort, waitForPort  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")

#: (name, redis-benchmark arguments, requests, requests in --quick mode)
SCENARIOS = [
    ("-c 50", ["-c", "50"], 200000, 50000),
    ("-c 50 -P 16", ["-c", "50", "-P", "16"], 1000000, 200000),
    ("-c 1", ["-c", "1"], 50000, 10000),
    ("-c 500", ["-c", "500"], 200000, 50000),
]
TESTS = "ping,set,get,incr,lpush,mset"


class Server:
    """
    A server process under test.
    """

    def __init__(self, name, argv, port, directory, env=None):
        self.name = name
        self.port = port
        self.log = open(os.path.join(directory, name + ".log"), "wb")
        self.process = subprocess.Popen(
            argv, cwd=directory, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        waitForPort(port, self.process)

    def cpuSeconds(self):
        with open("/proc/%d/stat" % (self.process.pid,)) as f:
            # The command name may hold spaces; fields count from after it.
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss(self):
        with open("/proc/%d/status" % (self.process.pid,)) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def startServers(directory):
    redisPort = freePort()
    redis = Server(
        "redis-server",
        [shutil.which("redis-server"), "--port", str(redisPort), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", directory],
        redisPort,
        directory,
    )
    txPort = freePort()
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    twistd = shutil.which("twistd") or os.path.join(os.path.dirname(sys.executable), "twistd")
    tx = Server(
        "txredisd",
        # As redis-server: no save points (a BGSAVE every 60s of SETs would
        # count towards the SET figures), no AOF.
        [twistd, "-n", "--pidfile=", "-l", "-", "redis", "--port", str(txPort),
         "--save", "", "--appendonly", "no"],
        txPort,
        directory,
        env,
    )
    return redis, tx


def bench(server, test, args, requests):
    """
    Run one redis-benchmark test against one server.

    @return: C{(requests per second, CPU seconds per request)}, or L{None}
        if the server answered with an error.
    """
    argv = ["redis-benchmark", "-p", str(server.port), "-t", test, "-n", str(requests),
            "--csv"] + args
    before = server.cpuSeconds()
    result = subprocess.run(argv, capture_output=True, text=True)
    cpu = server.cpuSeconds() - before
    if result.returncode:
        # redis-benchmark stops at an error reply (a command the server
        # does not implement yet).
        return None
    output = result.stdout
    # A header, then one row per command run: "ping" runs PING_INLINE and
    # PING_MBULK, each C{requests} times.
    rows = list(csv.reader(io.StringIO(output)))[1:]
    rps = statistics.mean(float(row[1]) for row in rows)
    return rps, cpu / (requests * len(rows))


def sendPipelined(port, commands, batch=10000):
    """
    Send pre-encoded commands in batches and read back every reply.
    """
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for start in range(0, len(commands), batch):
            chunk = commands[start : start + batch]
            sock.sendall(b"".join(chunk))
            expected = len(chunk)
            count = 0
            while count < expected:
                data = sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("closed")
                # Every reply here (+OK) is one line.
                count += data.count(b"\n")


def bytesPerKey(server, keys):
    """
    Load C{keys} small string keys and measure the RSS growth per key.
    """
    sendPipelined(server.port, [b"*1\r\n$8\r\nFLUSHALL\r\n"], 1)
    time.sleep(0.5)
    before = server.rss()
    commands = [
        b"*3\r\n$3\r\nSET\r\n$11\r\nkey:%07d\r\n$5\r\nvalue\r\n" % (i,) for i in range(keys)
    ]
    sendPipelined(server.port, commands)
    time.sleep(0.5)
    after = server.rss()
    sendPipelined(server.port, [b"*1\r\n$8\r\nFLUSHALL\r\n"], 1)
    return (after - before) / keys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests per run")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--tests", default=TESTS, help="redis-benchmark -t list")
    parser.add_argument("--scenarios", default=None,
                        help="comma-separated scenario numbers to run (1-%d)" % len(SCENARIOS))
    parser.add_argument("--keys", type=int, default=None,
                        help="keys for the memory figure (1M; 100k with --quick)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory figure")
    options = parser.parse_args(argv)

    scenarios = SCENARIOS
    if options.scenarios:
        scenarios = [SCENARIOS[int(n) - 1] for n in options.scenarios.split(",")]
    tests = options.tests.split(",")
    directory = tempfile.mkdtemp(prefix="txredisd-bench-")
    redis, tx = startServers(directory)
    servers = (redis, tx)
    try:
        results = {}
        for round in range(options.rounds):
            order = servers if round % 2 == 0 else servers[::-1]
            for name, args, full, quick in scenarios:
                requests = quick if options.quick else full
                for test in tests:
                    for server in order:
                        result = bench(server, test, args, requests)
                        if result is not None:
                            results.setdefault((name, test, server.name), []).append(result)
            print("round %d/%d done" % (round + 1, options.rounds), file=sys.stderr)

        print("median of %d alternating rounds; ratio is of the medians, paired the median of"
              " each round's ratio; CPU is server user+sys per request" % (options.rounds,))
        print("%-12s %-6s %12s %12s %6s %6s %23s %23s %8s %8s %6s" % (
            "scenario", "test", "redis rps", "txredisd", "ratio", "paired", "redis range",
            "txredisd range", "redis us", "tx us", "cpu x"))
        for name, args, full, quick in scenarios:
            for test in tests:
                row = []
                if any((name, test, server.name) not in results for server in servers):
                    print("%-12s %-6s %s" % (name, test, "error replies: not implemented"))
                    continue
                for server in servers:
                    runs = results[(name, test, server.name)]
                    rps = [r for r, _ in runs]
                    cpu = [c for _, c in runs]
                    row.append((statistics.median(rps), min(rps), max(rps),
                                statistics.median(cpu) * 1e6))
                (rm, rlo, rhi, rc), (tm, tlo, thi, tc) = row
                # The two servers' runs of one round are back to back: the
                # median of their ratios cancels the machine's slower and
                # faster spells that last longer than a round.
                paired = statistics.median(
                    t / r for (r, _), (t, _) in zip(results[(name, test, redis.name)],
                                                    results[(name, test, tx.name)]))
                print("%-12s %-6s %12.0f %12.0f %6.2f %6.2f %23s %23s %8.2f %8.2f %6.2f" % (
                    name, test, rm, tm, tm / rm, paired,
                    "%.0f-%.0f" % (rlo, rhi), "%.0f-%.0f" % (tlo, thi),
                    rc, tc, tc / rc if rc else float("nan")))
        if not options.no_memory:
            keys = options.keys or (100000 if options.quick else 1000000)
            for server in servers:
                print("%s: %.1f bytes per key after %d SETs of small values" % (
                    server.name, bytesPerKey(server, keys), keys))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
