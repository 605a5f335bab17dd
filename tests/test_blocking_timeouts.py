"""
Tests for L{txredisd.blocking.parseTimeout}, which reads timeouts as Redis
7.0.15 does: C{strtold}, an 80-bit long double product rounded up with
C{ceill}, an x86 conversion to C{long long}, and a deadline added without
an overflow check.
"""

from twisted.trial.unittest import SynchronousTestCase

from txredisd.blocking import parseTimeout
from txredisd.errors import CommandError

NOW = 1_700_000_000_000


class ParseTimeoutTests(SynchronousTestCase):
    def assertError(self, arg, message):
        with self.assertRaises(CommandError) as raised:
            parseTimeout(arg, NOW)
        self.assertEqual(raised.exception.message, message)

    def test_seconds(self):
        """
        Seconds, whole, decimal, with an exponent or in hexadecimal, become
        a deadline in milliseconds rounded up; 0 waits for ever.
        """
        self.assertEqual(parseTimeout(b"0", NOW), 0)
        self.assertEqual(parseTimeout(b"2", NOW), NOW + 2000)
        self.assertEqual(parseTimeout(b"0.1", NOW), NOW + 100)
        self.assertEqual(parseTimeout(b".5e-2", NOW), NOW + 5)
        self.assertEqual(parseTimeout(b"0.0000001", NOW), NOW + 1)
        self.assertEqual(parseTimeout(b"1e-320", NOW), NOW + 1)
        self.assertEqual(parseTimeout(b"0x10", NOW), NOW + 16000)
        self.assertEqual(parseTimeout(b"+1.", NOW), NOW + 1000)

    def test_roundedToZero(self):
        """
        Small negative timeouts round up to zero in Redis's long double
        arithmetic, so they wait for ever instead of being refused: -0.001
        is just above -1 ms as a long double.
        """
        self.assertEqual(parseTimeout(b"-0.0001", NOW), 0)
        self.assertEqual(parseTimeout(b"-0.001", NOW), 0)
        self.assertEqual(parseTimeout(b"-0", NOW), 0)
        self.assertError(b"-0.002", "ERR timeout is negative")
        self.assertError(b"-0.0010000000000000000001", "ERR timeout is negative")

    def test_huge(self):
        """
        A timeout whose milliseconds do not fit a long long (infinity
        included) is "negative"; one that fits but overflows the deadline
        waits for ever; one beyond the long double's range is not a float.
        """
        self.assertError(b"1e16", "ERR timeout is negative")
        self.assertError(b"9223372036854775.808", "ERR timeout is negative")
        self.assertError(b"inf", "ERR timeout is negative")
        self.assertError(b"1e4932", "ERR timeout is negative")
        self.assertEqual(parseTimeout(b"9223372036854770", NOW), 0)
        self.assertEqual(parseTimeout(b"1e15", NOW), NOW + 10**18)
        self.assertError(b"1e4933", "ERR timeout is not a float or out of range")
        self.assertError(b"1e-5000", "ERR timeout is not a float or out of range")

    def test_syntax(self):
        """
        Anything strtold does not read whole is not a float.
        """
        for arg in [b"", b".", b"x", b"1e", b"0x", b" 1", b"1 ", b"1_0", b"nan", b"1" * 5120]:
            self.assertError(arg, "ERR timeout is not a float or out of range")

    def test_milliseconds(self):
        """
        Millisecond timeouts are integers; negative ones are refused.
        """
        self.assertEqual(parseTimeout(b"250", NOW, milliseconds=True), NOW + 250)
        with self.assertRaises(CommandError):
            parseTimeout(b"1.5", NOW, milliseconds=True)
        with self.assertRaises(CommandError):
            parseTimeout(b"-1", NOW, milliseconds=True)
