"""
Tests for L{txredisd.longdouble}, the emulation of x87 long double
arithmetic that INCRBYFLOAT relies on.
"""

import math
from fractions import Fraction

from hypothesis import given, strategies as st
from twisted.trial.unittest import SynchronousTestCase

from txredisd import longdouble


class RoundExtendedTests(SynchronousTestCase):
    def test_oneTenth(self):
        """
        0.1 rounds to the 64-bit significand 0xCCCCCCCCCCCCCCCD * 2**-67.
        """
        self.assertEqual(
            longdouble.roundExtended(Fraction(1, 10)), Fraction(0xCCCCCCCCCCCCCCCD, 1 << 67)
        )

    def test_tiesToEven(self):
        """
        A value halfway between two neighbours rounds to the even one.
        """
        self.assertEqual(longdouble.roundExtended(Fraction((1 << 64) + 1, 2)), 1 << 63)
        self.assertEqual(longdouble.roundExtended(Fraction((1 << 64) + 3, 2)), (1 << 63) + 2)

    def test_exactIntegers(self):
        """
        Every 64-bit integer is exact.
        """
        self.assertEqual(longdouble.roundExtended((1 << 64) - 1), (1 << 64) - 1)

    def test_overflow(self):
        """
        Values rounding to 2**16384 or beyond are infinite.
        """
        largest = Fraction(((1 << 64) - 1) << (16384 - 64))
        self.assertEqual(longdouble.roundExtended(largest), largest)
        self.assertEqual(longdouble.roundExtended(Fraction(1 << 16384)), math.inf)
        self.assertEqual(longdouble.roundExtended(-Fraction(1 << 16384)), -math.inf)

    def test_subnormals(self):
        """
        The smallest subnormal is 2**-16445; half of it rounds to zero.
        """
        smallest = Fraction(1, 1 << 16445)
        self.assertEqual(longdouble.roundExtended(smallest), smallest)
        self.assertEqual(longdouble.roundExtended(smallest / 2), 0)
        self.assertEqual(longdouble.roundExtended(smallest * 3 / 4), smallest)

    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_doublesAreExact(self, value):
        """
        Every double is exactly representable as a long double.
        """
        self.assertEqual(longdouble.roundExtended(Fraction(value)), Fraction(value))


class ParseTests(SynchronousTestCase):
    def test_syntax(self):
        """
        strtold's decimal, hexadecimal and infinity syntaxes are accepted.
        """
        self.assertEqual(longdouble.parse(b"1.5"), Fraction(3, 2))
        self.assertEqual(longdouble.parse(b"-.5e1"), -5)
        self.assertEqual(longdouble.parse(b"5."), 5)
        self.assertEqual(longdouble.parse(b"0x1.8p1"), 3)
        self.assertEqual(longdouble.parse(b"0X10"), 16)
        self.assertEqual(longdouble.parse(b"-Infinity"), -math.inf)
        self.assertEqual(longdouble.parse(b"+inf"), math.inf)

    def test_refused(self):
        """
        NaN, spaces, garbage, range errors and 5120-byte input are refused.
        """
        for text in [b"", b"nan", b" 1", b"1 ", b"1e", b".", b"0x", b"1e5000", b"1e-5000", b"1" * 5120]:
            self.assertIsNone(longdouble.parse(text), text)

    def test_hugeExponents(self):
        """
        Exponents far out of range are decided without building the number.
        """
        self.assertIsNone(longdouble.parse(b"1e99999999999999999999"))
        self.assertIsNone(longdouble.parse(b"1e-99999999999999999999"))
        self.assertEqual(longdouble.parse(b"0e99999999999999999999"), 0)


class AddTests(SynchronousTestCase):
    def test_infinities(self):
        """
        Infinities absorb finite values; opposite infinities give NaN.
        """
        self.assertEqual(longdouble.add(Fraction(1), math.inf), math.inf)
        self.assertEqual(longdouble.add(-math.inf, Fraction(1)), -math.inf)
        self.assertTrue(math.isnan(longdouble.add(math.inf, -math.inf)))

    def test_rounds(self):
        """
        A sum is rounded to the 64-bit significand.
        """
        self.assertEqual(longdouble.add(Fraction(1 << 64), Fraction(1)), 1 << 64)


class FormatHumanTests(SynchronousTestCase):
    def test_trailingZeros(self):
        """
        Trailing zeros and a trailing dot go.
        """
        self.assertEqual(longdouble.formatHuman(Fraction(5, 2)), b"2.5")
        self.assertEqual(longdouble.formatHuman(Fraction(3)), b"3")

    def test_negativeZero(self):
        """
        A tiny negative value shows as 0, not -0.
        """
        self.assertEqual(longdouble.formatHuman(Fraction(-1, 10**20)), b"0")

    def test_seventeenDecimals(self):
        """
        Seventeen decimals are kept, rounded half to even.
        """
        self.assertEqual(longdouble.formatHuman(Fraction(1, 3)), b"0.33333333333333333")
        self.assertEqual(longdouble.formatHuman(Fraction(1, 1 << 18)), b"0.00000381469726562")

    def test_thousandsOfDigits(self):
        """
        Values with more digits than Python converts by default are printed.
        """
        self.assertEqual(longdouble.formatHuman(Fraction(10**4900)), b"1" + b"0" * 4900)
