"""
Tests for L{txredisd.hyperloglog} and L{txredisd.commands.hyperloglog}.
"""

import random

from hypothesis import given, settings, strategies as st
from twisted.trial.unittest import SynchronousTestCase

from tests.commands.recording import RecordingMixin
from txredisd import hyperloglog as H

_STALE_SPARSE = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80"


def _sparseWith(registers):
    """
    A sparse HLL holding C{registers} (a dict of index to value 1-32),
    built by setting them in increasing order.
    """
    buf = bytearray(H.create())
    for index in sorted(registers):
        H.sparseSet(buf, index, registers[index], 1 << 20)
    return buf


class HashTests(SynchronousTestCase):
    def test_patternLength(self):
        """
        Elements land in the registers and with the run lengths Redis gives
        them (read from redis-server's PFDEBUG DECODE), for empty, short,
        whole-block and block-plus-tail elements.
        """
        self.assertEqual(H.patternLength(b""), (5938, 2))
        self.assertEqual(H.patternLength(b"a"), (12711, 2))
        self.assertEqual(H.patternLength(b"abcdefgh"), (1383, 1))
        self.assertEqual(H.patternLength(b"abcdefghijklmnopq"), (4271, 1))
        self.assertEqual(H.patternLength(b"\xff" * 15), (12391, 4))

    def test_hashIs64Bits(self):
        """
        The hash stays below 2**64 and depends on every byte.
        """
        seen = set()
        for i in range(200):
            value = H.murmurHash64A(b"x" * i)
            self.assertLess(value, 1 << 64)
            seen.add(value)
        self.assertEqual(len(seen), 200)

    def test_patternLengthRange(self):
        """
        The run length is 1 to 51 and the index below 16384.
        """
        for i in range(2000):
            index, count = H.patternLength(b"%d" % i)
            self.assertTrue(0 <= index < H.REGISTERS)
            self.assertTrue(1 <= count <= 51)


class LayoutTests(SynchronousTestCase):
    def test_create(self):
        """
        A new HLL is sparse, one XZERO covering all registers, cache zero.
        """
        self.assertEqual(H.create(), b"HYLL\x01" + bytes(11) + b"\x7f\xff")
        self.assertEqual(H.cachedCardinality(H.create()), 0)

    def test_isValid(self):
        """
        Only strings with the header, a known encoding and, for dense, the
        exact size are HLLs.
        """
        dense = b"HYLL\x00" + bytes(11) + bytes(12288)
        self.assertTrue(H.isValid(H.create()))
        self.assertTrue(H.isValid(dense))
        self.assertTrue(H.isValid(b"HYLL\x01" + bytes(11)))
        self.assertFalse(H.isValid(dense[:-1]))
        self.assertFalse(H.isValid(dense + b"\x00"))
        self.assertFalse(H.isValid(b"HYLL\x01" + bytes(10)))
        self.assertFalse(H.isValid(b"HYLX\x01" + bytes(11)))
        self.assertFalse(H.isValid(b"HYLL\x02" + bytes(11)))

    def test_cache(self):
        """
        The cached cardinality is little-endian in bytes 8-15, stale when
        its top bit is set.
        """
        value = H.withCardinality(H.create(), 0x0102)
        self.assertEqual(value[8:16], b"\x02\x01" + bytes(6))
        self.assertEqual(H.cachedCardinality(value), 0x0102)
        buf = bytearray(value)
        H.invalidateCache(buf)
        self.assertIsNone(H.cachedCardinality(bytes(buf)))
        self.assertEqual(buf[8:15], value[8:15])


class DenseTests(SynchronousTestCase):
    def test_setAndGet(self):
        """
        Every register keeps its value without disturbing its neighbours.
        """
        rng = random.Random(1)
        values = [rng.getrandbits(6) for _ in range(H.REGISTERS)]
        buf = bytearray(b"HYLL\x00" + bytes(11) + bytes(12288))
        for i, v in enumerate(values):
            H.denseSet(buf, i, v)
        self.assertEqual([H.denseGet(buf, i) for i in range(H.REGISTERS)], values)
        self.assertEqual(list(H.denseRegisters(bytes(buf))), values)
        self.assertEqual(H.packDense(bytes(values)), buf[16:])

    def test_setOnlyRaises(self):
        """
        denseSet changes a register only to a higher value.
        """
        buf = bytearray(b"HYLL\x00" + bytes(11) + bytes(12288))
        self.assertTrue(H.denseSet(buf, 5, 10))
        self.assertFalse(H.denseSet(buf, 5, 10))
        self.assertFalse(H.denseSet(buf, 5, 3))
        self.assertTrue(H.denseSet(buf, 5, 11))
        self.assertEqual(H.denseGet(buf, 5), 11)
        self.assertTrue(H.denseSet(buf, H.REGISTERS - 1, 63))
        self.assertEqual(len(buf), H.DENSE_SIZE)

    @settings(max_examples=30, deadline=None)
    @given(st.integers(0, 2**32))
    def test_packRoundTrip(self, seed):
        """
        Packing registers and unpacking them gives them back (six bits).
        """
        rng = random.Random(seed)
        raw = bytes(rng.getrandbits(6) for _ in range(H.REGISTERS))
        value = b"HYLL\x00" + bytes(11) + bytes(H.packDense(raw))
        self.assertEqual(bytes(H.denseRegisters(value)), raw)

    @settings(max_examples=30, deadline=None)
    @given(st.integers(0, 2**32), st.integers(1, 63))
    def test_maxRegisters(self, seed, top):
        """
        The big-integer maximum is the register-wise maximum.
        """
        rng = random.Random(seed)
        a = bytes(rng.randint(0, top) for _ in range(H.REGISTERS))
        b = bytes(rng.randint(0, 63) for _ in range(H.REGISTERS))
        self.assertEqual(H.maxRegisters(a, b), bytes(map(max, a, b)))


class SparseTests(SynchronousTestCase):
    def test_registers(self):
        """
        A sparse HLL decodes to its registers; one whose opcodes cover more
        or fewer than 16384 registers is corrupt.
        """
        buf = _sparseWith({0: 3, 1: 3, 100: 32, 16383: 1})
        raw = H.sparseRegisters(bytes(buf))
        expected = bytearray(H.REGISTERS)
        expected[0] = expected[1] = 3
        expected[100] = 32
        expected[16383] = 1
        self.assertEqual(raw, bytes(expected))
        self.assertIsNone(H.sparseRegisters(_STALE_SPARSE + b"\x7f\xff\x00"))
        self.assertIsNone(H.sparseRegisters(_STALE_SPARSE + b"\x7f\xff\x80"))
        self.assertIsNone(H.sparseRegisters(_STALE_SPARSE + b"\x7f\xfe"))
        self.assertIsNone(H.sparseRegisters(_STALE_SPARSE))
        self.assertEqual(H.sparseRegisters(_STALE_SPARSE + b"\x40\x00" * 16384), bytes(H.REGISTERS))

    def test_decode(self):
        """
        PFDEBUG DECODE's text names each opcode.
        """
        buf = _sparseWith({0: 3, 1: 3, 100: 2})
        self.assertEqual(H.decodeSparse(bytes(buf)), b"v:3,2 Z:98 v:2,1 Z:16283")
        self.assertEqual(H.decodeSparse(_STALE_SPARSE), b"")

    def test_splitAndMerge(self):
        """
        Setting registers splits XZERO, ZERO and VAL opcodes and merges
        adjacent equal values up to a run of four.
        """
        buf = bytearray(H.create())
        self.assertEqual(H.sparseSet(buf, 10, 2, 3000), 1)
        self.assertEqual(H.decodeSparse(bytes(buf)), b"z:10 v:2,1 Z:16373")
        self.assertEqual(H.sparseSet(buf, 11, 2, 3000), 1)
        self.assertEqual(H.decodeSparse(bytes(buf)), b"z:10 v:2,2 Z:16372")
        self.assertEqual(H.sparseSet(buf, 11, 1, 3000), 0)
        for index in (12, 13, 14):
            H.sparseSet(buf, index, 2, 3000)
        self.assertEqual(H.decodeSparse(bytes(buf)), b"z:10 v:2,4 v:2,1 Z:16369")
        self.assertEqual(H.sparseSet(buf, 12, 5, 3000), 1)
        self.assertEqual(H.decodeSparse(bytes(buf)), b"z:10 v:2,2 v:5,1 v:2,2 Z:16369")
        self.assertIsNone(H.cachedCardinality(bytes(buf)))

    def test_promotion(self):
        """
        A value above 32, or growth past the size limit, turns the HLL
        dense, keeping the header and every register.
        """
        buf = _sparseWith({7: 4})
        self.assertEqual(H.sparseSet(buf, 9, 33, 3000), 1)
        self.assertEqual(buf[4], H.DENSE)
        self.assertEqual(len(buf), H.DENSE_SIZE)
        self.assertEqual((H.denseGet(buf, 7), H.denseGet(buf, 9)), (4, 33))
        buf = _sparseWith({7: 4})
        size = len(buf)
        self.assertEqual(H.sparseSet(buf, 2000, 1, size + 1), 1)
        self.assertEqual(buf[4], H.DENSE)
        self.assertEqual(H.denseGet(buf, 2000), 1)

    def test_corrupt(self):
        """
        A register beyond the opcodes, or a promotion of a corrupt HLL,
        answers -1 and leaves the HLL as it was.
        """
        buf = bytearray(_STALE_SPARSE + b"\x5f\xff")
        self.assertEqual(H.sparseSet(buf, 9000, 1, 3000), -1)
        self.assertEqual(H.sparseSet(buf, 9000, 40, 3000), -1)
        self.assertEqual(buf, _STALE_SPARSE + b"\x5f\xff")
        self.assertEqual(H.sparseSet(buf, 5, 1, 3000), 1)

    @settings(max_examples=40, deadline=None)
    @given(st.dictionaries(st.integers(0, H.REGISTERS - 1), st.integers(1, 32), max_size=300),
           st.dictionaries(st.integers(0, H.REGISTERS - 1), st.integers(1, 40), max_size=300),
           st.integers(20, 1500))
    def test_cursor(self, initial, updates, maxBytes):
        """
        Setting registers in increasing order with a cursor gives the same
        bytes as scanning from the start each time.
        """
        plain = bytearray(_sparseWith(initial))
        fast = bytearray(plain)
        cursor = H.SparseCursor()
        for index in sorted(updates):
            if plain[4] != H.SPARSE:
                break
            self.assertEqual(
                H.sparseSet(fast, index, updates[index], maxBytes, cursor),
                H.sparseSet(plain, index, updates[index], maxBytes),
            )
            self.assertEqual(fast, plain)


class EstimateTests(SynchronousTestCase):
    def test_empty(self):
        """
        An empty HLL counts zero, sparse or dense.
        """
        self.assertEqual(H.count(H.create()), 0)
        self.assertEqual(H.count(b"HYLL\x00" + bytes(11) + bytes(12288)), 0)

    def test_redisEstimates(self):
        """
        The estimates are redis-server's for the same elements, in both
        encodings.
        """
        buf = bytearray(H.create())
        for i in range(1000):
            H.add(buf, b"%d" % i, 3000)
        self.assertEqual(H.count(bytes(buf)), 1001)
        H.toDense(buf)
        self.assertEqual(H.count(bytes(buf)), 1001)
        for i in range(1000, 100000):
            H.add(buf, b"%d" % i, 3000)
        self.assertEqual(H.count(bytes(buf)), 99565)

    def test_histogram(self):
        """
        The histogram counts values 0 to 51 and ignores higher ones.
        """
        counts = H.histogram(bytes([0, 1, 1, 51, 52, 63]))
        self.assertEqual(len(counts), 52)
        self.assertEqual((counts[0], counts[1], counts[51]), (1, 2, 1))
        self.assertEqual(sum(counts), 4)


class CommandTests(RecordingMixin, SynchronousTestCase):
    def test_pfaddPropagatesChanges(self):
        """
        PFADD that changes a register propagates as sent, counts one dirty
        change per register changed and announces C{pfadd}; one that
        changes nothing does none of that.
        """
        store = self.conn.server.store
        dirty = store.dirty
        self.assertEqual(self.conn.call("PFADD", "h", "a", "b", "c"), b":1\r\n")
        # The creation and three registers.
        self.assertEqual(store.dirty - dirty, 4)
        self.assertEqual(self.propagated, [[b"PFADD", b"h", b"a", b"b", b"c"]])
        self.assertEqual(self.events, [("$", b"pfadd", b"h")])
        self.assertEqual(self.conn.call("PFADD", "h", "a", "b"), b":0\r\n")
        self.assertEqual(len(self.propagated), 1)
        self.assertEqual(len(self.events), 1)
        self.assertEqual(self.encoding(b"h"), b"raw")

    def test_pfaddCreatesEmpty(self):
        """
        PFADD with no element creates an empty HLL with a stale cache.
        """
        self.assertEqual(self.conn.call("PFADD", "h"), b":1\r\n")
        self.assertEqual(self.value(b"h"), b"HYLL\x01" + bytes(10) + b"\x80\x7f\xff")
        self.assertEqual(self.conn.call("PFADD", "h"), b":0\r\n")

    def test_pfaddKeepsExpiry(self):
        """
        Changing an HLL keeps its time to live.
        """
        self.conn.call("PFADD", "h", "a")
        self.conn.call("EXPIRE", "h", "100")
        self.conn.call("PFADD", "h", "b", "c")
        self.conn.call("PFMERGE", "h", "other")
        self.assertEqual(self.conn.call("TTL", "h"), b":100\r\n")

    def test_pfcountRefreshPropagates(self):
        """
        A PFCOUNT that refreshes the cached cardinality changes the string
        and propagates; one answered from the cache does not, nor does a
        PFCOUNT of several keys, which caches nothing.
        """
        self.conn.call("PFADD", "h", "a", "b")
        self.conn.call("PFADD", "g", "c")
        del self.propagated[:]
        self.assertEqual(self.conn.call("PFCOUNT", "h", "g"), b":3\r\n")
        self.assertIsNone(H.cachedCardinality(self.value(b"h")))
        self.assertEqual(self.propagated, [])
        self.assertEqual(self.conn.call("PFCOUNT", "h"), b":2\r\n")
        self.assertEqual(H.cachedCardinality(self.value(b"h")), 2)
        self.assertEqual(self.propagated, [[b"PFCOUNT", b"h"]])
        self.assertEqual(self.conn.call("PFCOUNT", "h"), b":2\r\n")
        self.assertEqual(len(self.propagated), 1)

    def test_pfcountAnswersTheCache(self):
        """
        A valid cache is answered as is, without looking at the registers.
        """
        self.conn.call("SET", "h", H.withCardinality(H.create(), 12345))
        self.assertEqual(self.conn.call("PFCOUNT", "h"), b":12345\r\n")

    def test_pfmerge(self):
        """
        PFMERGE writes the union, propagates and announces C{pfadd}, even
        when nothing changed.
        """
        self.conn.call("PFADD", "a", "x", "y")
        self.conn.call("PFADD", "b", "y", "z")
        del self.propagated[:]
        del self.events[:]
        self.assertEqual(self.conn.call("PFMERGE", "d", "a", "b"), b"+OK\r\n")
        self.assertEqual(self.conn.call("PFCOUNT", "d"), b":3\r\n")
        self.assertEqual(self.conn.call("PFMERGE", "d"), b"+OK\r\n")
        self.assertEqual(self.propagated[0], [b"PFMERGE", b"d", b"a", b"b"])
        self.assertEqual(self.propagated[-1], [b"PFMERGE", b"d"])
        self.assertEqual(self.events, [("$", b"pfadd", b"d"), ("$", b"pfadd", b"d")])

    def test_pfmergeDenseInput(self):
        """
        A dense input makes the destination dense with every maximum.
        """
        for i in range(3000):
            self.conn.call("PFADD", "big", b"%d" % i)
        self.assertEqual(self.value(b"big")[4], H.DENSE)
        self.conn.call("PFADD", "small", "x")
        self.conn.call("PFMERGE", "small", "big")
        small = self.value(b"small")
        self.assertEqual(small[4], H.DENSE)
        expected = H.maxRegisters(H.registers(self.value(b"big")), H.sparseRegisters(_sparseOf(b"x")))
        self.assertEqual(bytes(H.registers(small)), expected)

    def test_pfdebugConversionPropagates(self):
        """
        PFDEBUG TODENSE and GETREG of a sparse HLL convert it for good and
        propagate; on a dense one, and PFDEBUG ENCODING, they do not.
        """
        self.conn.call("PFADD", "h", "a")
        del self.propagated[:]
        self.assertEqual(self.conn.call("PFDEBUG", "ENCODING", "h"), b"+sparse\r\n")
        self.assertEqual(self.conn.call("PFDEBUG", "TODENSE", "h"), b":1\r\n")
        self.assertEqual(self.conn.call("PFDEBUG", "TODENSE", "h"), b":0\r\n")
        self.assertEqual(self.conn.call("PFDEBUG", "ENCODING", "h"), b"+dense\r\n")
        self.assertEqual(self.propagated, [[b"PFDEBUG", b"TODENSE", b"h"]])
        self.conn.call("PFADD", "s", "a")
        del self.propagated[:]
        reply = self.conn.call("PFDEBUG", "GETREG", "s")
        self.assertTrue(reply.startswith(b"*16384\r\n"))
        self.assertEqual(reply.count(b":2\r\n"), 1)
        self.assertEqual(self.propagated, [[b"PFDEBUG", b"GETREG", b"s"]])
        self.assertEqual(self.value(b"s")[4], H.DENSE)

    def test_corruptPfaddKeepsPartialChange(self):
        """
        A PFADD that fails on a corrupt HLL keeps the registers it already
        set, as Redis changes the string in place, without counting a write.
        """
        value = _STALE_SPARSE + b"\x5f\xff"
        self.conn.call("SET", "c", value)
        del self.propagated[:]
        low = next(b"%d" % i for i in range(1000) if H.patternLength(b"%d" % i)[0] < 8192)
        high = next(b"%d" % i for i in range(1000) if H.patternLength(b"%d" % i)[0] >= 8192)
        self.assertEqual(
            self.conn.call("PFADD", "c", low, high),
            b"-INVALIDOBJ Corrupted HLL object detected\r\n",
        )
        self.assertNotEqual(self.value(b"c"), value)
        self.assertEqual(self.propagated, [])
        self.assertEqual(self.events, [("$", b"set", b"c")])

    def test_wrongType(self):
        """
        A key of another type gets the generic WRONGTYPE, a string that is
        no HLL the HyperLogLog one.
        """
        self.conn.call("RPUSH", "l", "a")
        self.conn.call("SET", "s", "plain")
        for command in (["PFADD", "l", "a"], ["PFCOUNT", "l"], ["PFMERGE", "d", "l"], ["PFDEBUG", "ENCODING", "l"]):
            self.assertTrue(self.conn.call(*command).startswith(b"-WRONGTYPE Operation against"), command)
        for command in (["PFADD", "s", "a"], ["PFCOUNT", "s"], ["PFCOUNT", "s", "x"], ["PFMERGE", "s"]):
            self.assertEqual(
                self.conn.call(*command),
                b"-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n",
            )
        self.assertEqual(self.conn.call("EXISTS", "d"), b":0\r\n")

    def test_sparseMaxBytes(self):
        """
        hll-sparse-max-bytes bounds the sparse form.
        """
        self.conn.call("CONFIG", "SET", "hll-sparse-max-bytes", "50")
        for i in range(100):
            self.conn.call("PFADD", "h", b"%d" % i)
            value = self.value(b"h")
            if value[4] == H.SPARSE:
                self.assertLessEqual(len(value), 50)
        self.assertEqual(self.value(b"h")[4], H.DENSE)

    def test_pfselftest(self):
        """
        PFSELFTEST passes.
        """
        self.assertEqual(self.conn.call("PFSELFTEST"), b"+OK\r\n")


def _sparseOf(element):
    buf = bytearray(H.create())
    H.add(buf, element, 3000)
    return bytes(buf)
