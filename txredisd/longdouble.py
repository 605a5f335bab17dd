"""
Redis's C{long double} arithmetic, emulated exactly.

C{INCRBYFLOAT} parses both operands with C{strtold}, adds them as x86's
80-bit extended floats (a 64-bit significand) and prints the sum with
C{"%.17Lf"}, trimming trailing zeros (C{ld2string}'s C{LD_STR_HUMAN}).  The
replies show the rounding of every one of those steps (C{0.1 + 0.2} is
C{0.3} there, not C{0.30000000000000004}), so the steps are reproduced with
exact rational arithmetic: values are L{Fraction}s already rounded to the
extended format, or C{math.inf}/C{-math.inf}.
"""

import math
import re
from fractions import Fraction

#: Significand bits of the x87 extended format.
_PRECISION = 64
#: Exponent of the unit in the last place of the smallest subnormal.
_MIN_ULP_EXPONENT = -16445
#: Values of at least 2**_OVERFLOW_EXPONENT are infinite.
_OVERFLOW_EXPONENT = 16384
#: Redis's MAX_LONG_DOUBLE_CHARS: C{string2ld} refuses longer input.
_MAX_CHARS = 5 * 1024

_DECIMAL = re.compile(rb"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_HEXADECIMAL = re.compile(
    rb"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?"
)
_INFINITY = re.compile(rb"([+-]?)(?:inf|infinity)", re.IGNORECASE)
_TEN_TO_17 = 10**17
# Python refuses int/str conversions of more than 4300 digits by default;
# values here have up to about 5000, converted in pieces instead.
_CHUNK = 4000
_TEN_TO_CHUNK = 10**_CHUNK


def _parseDigits(digits):
    value = 0
    for start in range(0, len(digits), _CHUNK):
        piece = digits[start : start + _CHUNK]
        value = value * 10 ** len(piece) + int(piece)
    return value


def _formatDigits(value, width):
    if value < _TEN_TO_CHUNK:
        return b"%0*d" % (width, value)
    high, low = divmod(value, _TEN_TO_CHUNK)
    return _formatDigits(high, max(width - _CHUNK, 0)) + b"%0*d" % (_CHUNK, low)


def roundExtended(value):
    """
    Round an exact value to the nearest 80-bit extended float, ties to
    even, as the FPU does.

    @param value: a L{Fraction} (or L{int}).
    @return: the rounded L{Fraction}, or C{math.inf}/C{-math.inf} when it
        overflows.
    """
    if value == 0:
        return Fraction(0)
    negative = value < 0
    if negative:
        value = -value
    num = value.numerator
    den = value.denominator
    # floor(log2(value)): the bit length difference, or one less.
    exponent = num.bit_length() - den.bit_length()
    if exponent >= 0:
        if num < den << exponent:
            exponent -= 1
    elif num << -exponent < den:
        exponent -= 1
    ulp = max(exponent - (_PRECISION - 1), _MIN_ULP_EXPONENT)
    if ulp >= 0:
        quotient, remainder = divmod(num, den << ulp)
        twice, divisor = remainder << 1, den << ulp
    else:
        quotient, remainder = divmod(num << -ulp, den)
        twice, divisor = remainder << 1, den
    if twice > divisor or (twice == divisor and quotient & 1):
        quotient += 1
    if quotient.bit_length() + ulp > _OVERFLOW_EXPONENT:
        return -math.inf if negative else math.inf
    if quotient == 0:
        return Fraction(0)
    result = Fraction(quotient << ulp) if ulp >= 0 else Fraction(quotient, 1 << -ulp)
    return -result if negative else result


def _decimal(digits, fraction, exponent):
    if not digits and not fraction:
        return None
    significant = ((digits or b"") + (fraction or b"")).lstrip(b"0")
    if not significant:
        return Fraction(0)
    mantissa = _parseDigits(significant)
    power = (int(exponent) if exponent else 0) - len(fraction or b"")
    magnitude = len(significant) + power
    # Decide far-out exponents without building huge powers of ten: the
    # largest extended float is about 1.19e4932, half the smallest
    # subnormal about 1.8e-4951.
    if magnitude - 1 > 4933:
        return math.inf
    if magnitude < -4952:
        return Fraction(0)
    if power >= 0:
        return roundExtended(Fraction(mantissa * 10**power))
    return roundExtended(Fraction(mantissa, 10**-power))


def _hexadecimal(digits, fraction, exponent):
    if not digits and not fraction:
        return None
    mantissa = int((digits or b"0") + (fraction or b""), 16)
    if mantissa == 0:
        return Fraction(0)
    power = (int(exponent) if exponent else 0) - 4 * len(fraction or b"")
    top = mantissa.bit_length() - 1 + power
    if top > _OVERFLOW_EXPONENT:
        return math.inf
    if top < _MIN_ULP_EXPONENT - 2:
        return Fraction(0)
    if power >= 0:
        return roundExtended(Fraction(mantissa << power))
    return roundExtended(Fraction(mantissa, 1 << -power))


def parse(data):
    """
    Parse a long double as Redis's C{string2ld} does: all of C{data} must
    be C{strtold} syntax (decimal, C{0x} hexadecimal or infinity, no
    spaces), not NaN, not out of range, and shorter than 5120 bytes.

    @param data: L{bytes}.
    @return: a rounded L{Fraction}, C{math.inf}/C{-math.inf}, or L{None}
        when Redis would refuse it.
    """
    if not data or len(data) >= _MAX_CHARS:
        return None
    match = _HEXADECIMAL.fullmatch(data)
    if match is not None:
        sign, digits, fraction, exponent = match.groups()
        value = _hexadecimal(digits, fraction, exponent)
    else:
        match = _DECIMAL.fullmatch(data)
        if match is not None:
            sign, digits, fraction, exponent = match.groups()
            value = _decimal(digits, fraction, exponent)
        else:
            match = _INFINITY.fullmatch(data)
            if match is None:
                return None
            return -math.inf if match.group(1) == b"-" else math.inf
    if value is None or isinstance(value, float):
        # No digits, or strtold's ERANGE with HUGE_VAL.
        return None
    if value == 0 and re.search(rb"[1-9a-fA-F]", digits + (fraction or b"")):
        # ERANGE with a zero result: an underflow.
        return None
    return -value if sign == b"-" else value


def add(a, b):
    """
    Add two extended floats with the FPU's rounding.

    @return: the rounded sum, C{math.inf}/C{-math.inf}, or C{math.nan}.
    """
    if isinstance(a, float):
        # An infinity absorbs any finite value; opposite ones give NaN.
        return a + b if isinstance(b, float) else a
    if isinstance(b, float):
        return b
    return roundExtended(a + b)


def formatHuman(value):
    """
    Format a finite extended float as C{ld2string}'s C{LD_STR_HUMAN}:
    C{"%.17Lf"} (exact, ties to even as glibc), trailing zeros and a
    trailing dot removed, C{-0} shown as C{0}.

    @param value: a finite L{Fraction}.
    @return: L{bytes}.
    """
    negative = value < 0
    if negative:
        value = -value
    quotient, remainder = divmod(value.numerator * _TEN_TO_17, value.denominator)
    twice = remainder << 1
    if twice > value.denominator or (twice == value.denominator and quotient & 1):
        quotient += 1
    digits = _formatDigits(quotient, 18)
    text = (digits[:-17] + b"." + digits[-17:]).rstrip(b"0").rstrip(b".")
    if negative and text != b"0":
        return b"-" + text
    return text
