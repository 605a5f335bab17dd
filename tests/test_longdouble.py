"""
Tests for the long double arithmetic of L{txredisd.numbers} (INCRBYFLOAT,
HINCRBYFLOAT).  Expected texts are what Redis 7.0 on x86-64 answers.
"""

import math
from fractions import Fraction

from twisted.trial.unittest import SynchronousTestCase

from txredisd.errors import CommandError
from txredisd.numbers import (
    addLongDouble,
    formatLongDouble,
    incrLongDouble,
    isFiniteLongDouble,
    parseLongDouble,
)


def exact(value):
    """
    @return: the exact value of a finite long double as a L{Fraction}.
    """
    mantissa, exponent = value
    return Fraction(mantissa) * Fraction(2) ** exponent


class ParseTests(SynchronousTestCase):
    def test_accepted(self):
        """
        strtold's syntax: signs, missing integer or fraction digits,
        exponents, hexadecimal floats, spelled-out infinities.
        """
        for text, value in [
            (b"1", 1),
            (b"-2.5", Fraction(-5, 2)),
            (b"+.5", Fraction(1, 2)),
            (b"5.", 5),
            (b"1E3", 1000),
            (b"0x1p3", 8),
            (b"0X.8", Fraction(1, 2)),
            (b"0e99999999999", 0),
        ]:
            self.assertEqual(exact(parseLongDouble(text)), value, text)
        self.assertEqual(parseLongDouble(b"inf"), math.inf)
        self.assertEqual(parseLongDouble(b"-Infinity"), -math.inf)

    def test_refused(self):
        """
        Spaces, trailing garbage, NaN, overflow, underflow to zero and
        strings of 5120 bytes or more are refused.
        """
        for text in [
            b"",
            b" 1",
            b"1 ",
            b"1e",
            b"0x",
            b".",
            b"nan",
            b"1_0",
            b"+-1",
            b"1.19e4932",
            b"1e99999999999",
            b"1e-4952",
            b"1e-99999999999",
            b"9" * 5120,
        ]:
            self.assertIsNone(parseLongDouble(text), text)

    def test_rounding(self):
        """
        Decimal input rounds to the nearest 64-bit significand, ties to
        even, keeping subnormals.
        """
        self.assertEqual(exact(parseLongDouble(b"3.0000000000000000005")), 3 + Fraction(1, 2**61))
        self.assertEqual(exact(parseLongDouble(b"%d" % (2**65 + 2,))), 2**65)
        self.assertEqual(exact(parseLongDouble(b"%d" % (2**65 + 6,))), 2**65 + 8)
        self.assertEqual(exact(parseLongDouble(b"0x1p-16445")), Fraction(1, 2**16445))
        self.assertEqual(exact(parseLongDouble(b"0.1")), Fraction(14757395258967641293, 2**67))
        self.assertIsNone(parseLongDouble(b"0x1p-16446"))


class FormatTests(SynchronousTestCase):
    def test_format(self):
        """
        %.17Lf with trailing zeros and point removed, and no negative zero.
        """
        self.assertEqual(formatLongDouble((5, -1)), b"2.5")
        self.assertEqual(formatLongDouble((25, 2)), b"100")
        self.assertEqual(formatLongDouble((-1, -70)), b"0")
        self.assertEqual(formatLongDouble((-3, -58)), b"-0.00000000000000001")
        # Exact ties after the 17th decimal round to even, as glibc does.
        self.assertEqual(formatLongDouble((1, -18)), b"0.00000381469726562")
        self.assertEqual(formatLongDouble((3, -18)), b"0.00001144409179688")
        self.assertEqual(formatLongDouble(math.inf), b"inf")

    def test_hugeValues(self):
        """
        Values beyond Python's 4300-digit conversion limit are printed in
        full.
        """
        text = formatLongDouble(parseLongDouble(b"1.18e4932"))
        self.assertEqual(len(text), 4933)
        self.assertTrue(text.startswith(b"1180000000000000000000652812918093699202690437"))
        self.assertTrue(text.endswith(b"1070887222606896512585853888628785152"))


class IncrementTests(SynchronousTestCase):
    def test_results(self):
        """
        Sums are rounded to long double and printed as Redis prints them.
        """
        for current, increment, result in [
            (b"10.5", b"0.1", b"10.6"),
            (b"0.1", b"0.7", b"0.8"),
            (b"0.1", b"0.2", b"0.3"),
            (b"1e10", b"0.1", b"10000000000.09999999962747097"),
            (b"-1e17", b"0.1", b"-99999999999999999.8984375"),
            (b"3", b"1e17", b"100000000000000003"),
            (b"5.0e3", b"200", b"5200"),
            (b"-5", b"5.0", b"0"),
            (None, b"0x1p3", b"8"),
        ]:
            self.assertEqual(incrLongDouble(current, increment), result, (current, increment))

    def test_errors(self):
        """
        Unparsable operands and non-finite sums raise Redis's errors.
        """
        for current, increment, message in [
            (b"abc", b"1", "ERR value is not a valid float"),
            (b"1", b"abc", "ERR value is not a valid float"),
            (b"inf", b"1", "ERR increment would produce NaN or Infinity"),
            (b"1e4932", b"1e4932", "ERR increment would produce NaN or Infinity"),
        ]:
            error = self.assertRaises(CommandError, incrLongDouble, current, increment)
            self.assertEqual(error.message, message)

    def test_infinities(self):
        """
        Adding opposite infinities gives NaN, which is not finite.
        """
        total = addLongDouble(math.inf, -math.inf)
        self.assertTrue(math.isnan(total))
        self.assertFalse(isFiniteLongDouble(total))
