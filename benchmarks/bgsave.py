"""
BGSAVE with a large keyspace: how long it takes, and the worst latency
another client sees while it runs; txredisd and redis-server side by side
in the same run.  A benchmark, not a test.

    python3 benchmarks/bgsave.py [--keys 1000000] [--rounds 3]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.conftest import freePort, startRedisServer, startTxredisd  # noqa: E402
from txredisd.resp import encodeCommand  # noqa: E402


def fill(port, keys, batch=1000):
    """
    MSET C{keys} small string keys over one pipelined connection.
    """
    sock = socket.create_connection(("127.0.0.1", port))
    sent = 0
    pending = 0
    while sent < keys:
        argv = [b"MSET"]
        for i in range(sent, min(sent + batch, keys)):
            argv += [b"key:%09d" % i, b"value:%d" % i]
        sock.sendall(encodeCommand(argv))
        sent += batch
        pending += 1
        if pending == 50:
            drain(sock, pending)
            pending = 0
    drain(sock, pending)
    sock.close()


def drain(sock, replies):
    data = b""
    while data.count(b"\r\n") < replies:
        data += sock.recv(65536)


class Probe(threading.Thread):
    """
    PING in a loop, recording each round trip.
    """

    def __init__(self, port):
        threading.Thread.__init__(self, daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.samples = []
        self.running = True

    def run(self):
        while self.running:
            start = time.perf_counter()
            self.sock.sendall(b"PING\r\n")
            data = b""
            while not data.endswith(b"\r\n"):
                data += self.sock.recv(64)
            self.samples.append((start, time.perf_counter() - start))
            time.sleep(0.001)


def command(port, *argv):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(encodeCommand([a if isinstance(a, bytes) else str(a).encode() for a in argv]))
    data = b""
    while not data.endswith(b"\r\n"):
        data += sock.recv(65536)
    sock.close()
    return data


def measure(port):
    """
    Run one BGSAVE; return (seconds, worst probe latency during it).
    """
    before = command(port, "LASTSAVE")
    probe = Probe(port)
    probe.start()
    time.sleep(0.2)
    start = time.perf_counter()
    assert command(port, "BGSAVE").startswith(b"+Background saving started")
    while command(port, "LASTSAVE") == before:
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    probe.running = False
    probe.join()
    during = [rtt for at, rtt in probe.samples if start <= at <= start + elapsed]
    return elapsed, max(during) if during else 0.0, len(during)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = tempfile.mkdtemp()
    try:
        for name, start in (("redis-server", startRedisServer), ("txredisd", startTxredisd)):
            directory = os.path.join(base, name)
            os.makedirs(directory)
            extra = ("--save", "") if name == "txredisd" else ()
            server = start(directory, *extra)
            try:
                began = time.perf_counter()
                fill(server.port, args.keys)
                filled = time.perf_counter() - began
                results = [measure(server.port) for _ in range(args.rounds)]
                # Each round waits out LASTSAVE's one-second resolution.
                size = os.path.getsize(os.path.join(directory, "dump.rdb"))
                print(
                    "%-13s %d keys (filled in %.1fs), dump %.1f MB: BGSAVE median %.2fs "
                    "(range %.2f-%.2f), worst PING during it median %.1f ms (max %.1f ms, %d samples/round)"
                    % (
                        name,
                        args.keys,
                        filled,
                        size / 1e6,
                        statistics.median(r[0] for r in results),
                        min(r[0] for r in results),
                        max(r[0] for r in results),
                        statistics.median(r[1] for r in results) * 1000,
                        max(r[1] for r in results) * 1000,
                        statistics.median(r[2] for r in results),
                    )
                )
            finally:
                server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
