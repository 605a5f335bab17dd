"""
The Python cost of one request, without the network: reads fed straight to
L{RedisProtocol.dataReceived} with a transport that discards writes.

    python3 benchmarks/hotpath.py            # microseconds per command
    python3 benchmarks/hotpath.py --profile  # and where they go (cProfile)

This is a benchmark, not a test: it asserts nothing.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from twisted.internet.task import Clock  # noqa: E402

from txredisd.protocol import RedisFactory  # noqa: E402
from txredisd.registry import loadCommands  # noqa: E402
from txredisd.resp import encodeCommand  # noqa: E402
from txredisd.server import RedisServer  # noqa: E402


class NullTransport:
    """
    Just enough of a TCP transport, discarding what is written.
    """

    disconnecting = False

    def write(self, data):
        pass

    def registerProducer(self, producer, streaming):
        pass

    def loseConnection(self):
        pass

    def getPeer(self):
        return None


def measure(protocol, data, commands, seconds=0.5, repeats=3):
    """
    @return: the best of C{repeats} runs of the CPU microseconds per command
        fed C{data} (C{commands} each read); CPU time, not wall time, so
        that other processes on the machine disturb it less.
    """
    feed = protocol.dataReceived
    best = None
    for _ in range(repeats):
        reads = 0
        start = time.process_time()
        while True:
            for _ in range(1000):
                feed(data)
            reads += 1000
            elapsed = time.process_time() - start
            if elapsed > seconds:
                break
        cost = elapsed / (reads * commands) * 1e6
        best = cost if best is None else min(best, cost)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-hiredis", action="store_true")
    options = parser.parse_args()
    loadCommands()
    clock = Clock()
    server = RedisServer(clock)
    protocol = RedisFactory(server, not options.no_hiredis).buildProtocol(None)
    protocol.makeConnection(NullTransport())
    cases = [
        ("SET, 1 per read", encodeCommand([b"SET", b"key:000001", b"xxx"]), 1),
        ("GET, 1 per read", encodeCommand([b"GET", b"key:000001"]), 1),
        ("PING inline", b"PING\r\n", 1),
        ("SET, 16 per read", encodeCommand([b"SET", b"key:000001", b"xxx"]) * 16, 16),
        ("GET, 16 per read", encodeCommand([b"GET", b"key:000001"]) * 16, 16),
    ]
    for name, data, count in cases:
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            cost = measure(protocol, data, count)
            profiler.disable()
            print("%-18s %6.2f us/command (profiled)" % (name, cost))
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        else:
            print("%-18s %6.2f us/command" % (name, measure(protocol, data, count)))


if __name__ == "__main__":
    main()
