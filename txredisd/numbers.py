"""
Number parsing and formatting exactly as Redis does it.

Redis parses integers with C{string2ll} (no sign but C{-}, no leading zeros,
no spaces, 64-bit signed range) and doubles with C{strtod} (no surrounding
spaces, no NaN, no overflow); Python's C{int()} and C{float()} are more
lenient, so every argument goes through these functions instead.
"""

import math
import re

from txredisd import errors
from txredisd.errors import CommandError

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)

_INT = re.compile(rb"-?[1-9][0-9]*|0")
_HEXFLOAT = re.compile(rb"[+-]?0[xX]")
_INFINITIES = {
    b"inf": math.inf,
    b"+inf": math.inf,
    b"-inf": -math.inf,
    b"infinity": math.inf,
    b"+infinity": math.inf,
    b"-infinity": -math.inf,
}


def parseInt(data):
    """
    Parse a signed 64-bit integer the way Redis's C{string2ll} does.

    @param data: L{bytes}.
    @return: L{int}, or L{None} if C{data} is not a canonical integer in
        range.
    """
    if len(data) > 20 or _INT.fullmatch(data) is None:
        return None
    value = int(data)
    if value > LLONG_MAX or value < LLONG_MIN:
        return None
    return value


def parseFloat(data):
    """
    Parse a double the way Redis's C{getDoubleFromObject} does (C{strtod},
    rejecting spaces, trailing garbage, NaN and out-of-range values).

    @param data: L{bytes}.
    @return: L{float}, or L{None} if C{data} is not acceptable.
    """
    if not data or data[:1].isspace() or data[-1:].isspace() or b"_" in data:
        return None
    lowered = data.lower()
    if lowered in _INFINITIES:
        return _INFINITIES[lowered]
    try:
        if _HEXFLOAT.match(data):
            value = float.fromhex(data.decode("ascii"))
        else:
            value = float(data)
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    if math.isnan(value) or math.isinf(value):
        # strtod's ERANGE on overflow, or "nan" which Redis refuses.
        return None
    if value == 0.0 and re.search(rb"[1-9]", data.split(b"e")[0].split(b"E")[0]):
        # strtod's ERANGE on underflow.
        return None
    return value


def formatDouble(value):
    """
    Format a double as Redis 7.0's C{addReplyDouble} does (C{%.17g},
    C{inf}/C{-inf}).

    @return: L{bytes}.
    """
    if math.isinf(value):
        return b"inf" if value > 0 else b"-inf"
    return b"%.17g" % (value,)



# --- long doubles ------------------------------------------------------------
#
# INCRBYFLOAT and HINCRBYFLOAT compute in C's long double, which on the
# platforms Redis ships for is the x87 80-bit format: a 64-bit significand,
# exponents down to 2**-16445 (subnormal) and overflow at 2**16384.  Their
# results are printed with "%.17Lf" and trailing zeros stripped
# (ld2string's LD_STR_HUMAN).  Python has no such type, so a finite value is
# kept exactly as a pair C{(mantissa, exponent)} of integers meaning
# M{mantissa * 2**exponent} (infinities as the floats C{inf}/C{-inf}), and
# every parse and sum is rounded to the nearest representable long double,
# ties to even, exactly as strtold and the FPU do.  Integer arithmetic keeps
# this a few microseconds per operation.

_LD_DIGITS = 64
_LD_MIN_EXPONENT = -16445
_LD_MAX_BITS = 16384
# MAX_LONG_DOUBLE_CHARS: string2ld refuses anything this long or longer.
_LD_MAX_CHARS = 5 * 1024
_LD_DECIMAL = re.compile(rb"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_LD_HEX = re.compile(rb"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?")
_LD_INFINITIES = {b"inf", b"infinity"}
_LD_ZERO = (0, 0)
# Chunk size for converting long digit strings: Python refuses int/str
# conversions beyond 4300 digits, and long doubles reach 4933.
_CHUNK = 1000
_CHUNK_SCALE = 10**_CHUNK


def _finish(negative, quotient, exponent):
    # The rounded magnitude, signed, or an infinity past the largest value.
    if quotient.bit_length() + exponent > _LD_MAX_BITS:
        return -math.inf if negative else math.inf
    return (-quotient if negative else quotient), exponent


def _roundDyadic(mantissa, exponent):
    """
    Round M{mantissa * 2**exponent} to the nearest long double.

    @return: C{(mantissa, exponent)}, or an infinity.
    """
    negative = mantissa < 0
    magnitude = -mantissa if negative else mantissa
    drop = max(magnitude.bit_length() - _LD_DIGITS, _LD_MIN_EXPONENT - exponent)
    if drop <= 0:
        return _finish(negative, magnitude, exponent)
    quotient = magnitude >> drop
    remainder = magnitude & ((1 << drop) - 1)
    half = 1 << (drop - 1)
    if remainder > half or (remainder == half and quotient & 1):
        quotient += 1
    return _finish(negative, quotient, exponent + drop)


def _roundRational(negative, numerator, denominator, exponent):
    """
    Round M{numerator / denominator * 2**exponent} (positive integers) to
    the nearest long double.

    @return: C{(mantissa, exponent)}, or an infinity.
    """
    shift = numerator.bit_length() - denominator.bit_length() - _LD_DIGITS
    while True:
        shift = max(shift, _LD_MIN_EXPONENT - exponent)
        if shift >= 0:
            divisor = denominator << shift
            quotient, remainder = divmod(numerator, divisor)
        else:
            divisor = denominator
            quotient, remainder = divmod(numerator << -shift, denominator)
        if quotient.bit_length() > _LD_DIGITS:
            shift += 1
        elif quotient.bit_length() < _LD_DIGITS and shift > _LD_MIN_EXPONENT - exponent:
            shift -= 1
        else:
            break
    twice = remainder * 2
    if twice > divisor or (twice == divisor and quotient & 1):
        quotient += 1
    return _finish(negative, quotient, exponent + shift)


def _parseDigits(digits, base=10):
    if len(digits) <= _CHUNK:
        return int(digits, base)
    value = 0
    for start in range(0, len(digits), _CHUNK):
        chunk = digits[start : start + _CHUNK]
        value = value * base ** len(chunk) + int(chunk, base)
    return value


def _formatDigits(value):
    if value < _CHUNK_SCALE:
        return b"%d" % (value,)
    chunks = []
    while value >= _CHUNK_SCALE:
        value, chunk = divmod(value, _CHUNK_SCALE)
        chunks.append(b"%0*d" % (_CHUNK, chunk))
    chunks.append(b"%d" % (value,))
    return b"".join(reversed(chunks))


def _parseDecimal(sign, whole, fraction, exponent):
    whole, fraction = whole or b"", fraction or b""
    digits = (whole + fraction).lstrip(b"0")
    if not digits:
        return _LD_ZERO
    power = (int(exponent) if exponent else 0) - len(fraction)
    magnitude = len(digits) + power
    # Far outside the long double range: decide without building huge
    # numbers (strtold would return HUGE_VALL, or 0 with ERANGE).
    if magnitude > 4940:
        return math.inf
    if magnitude < -4960:
        return None
    number = _parseDigits(digits)
    negative = sign == b"-"
    if power >= 0:
        # D * 10**p = D * 5**p * 2**p, exactly.
        return _roundDyadic(-(number * 5**power) if negative else number * 5**power, power)
    # D / 10**k = D / 5**k * 2**-k.
    return _roundRational(negative, number, 5**-power, power)


def _parseHex(sign, whole, fraction, exponent):
    whole, fraction = whole or b"", fraction or b""
    digits = (whole + fraction).lstrip(b"0")
    if not digits:
        return _LD_ZERO
    power = (int(exponent) if exponent else 0) - 4 * len(fraction)
    magnitude = 4 * len(digits) + power
    if magnitude > 16400:
        return math.inf
    if magnitude < -16500:
        return None
    number = _parseDigits(digits, 16)
    return _roundDyadic(-number if sign == b"-" else number, power)


def parseLongDouble(data):
    """
    Parse a long double the way Redis's C{string2ld} does: C{strtold} over
    the whole string, no leading space, no NaN, no overflow to infinity and
    no underflow to zero (infinity itself, spelled out, is accepted).

    @param data: L{bytes}.
    @return: C{(mantissa, exponent)} for a finite value,
        C{math.inf}/C{-math.inf}, or L{None} if C{data} is not acceptable.
    """
    if not data or len(data) >= _LD_MAX_CHARS:
        return None
    match = _LD_HEX.fullmatch(data)
    if match is not None and (match.group(2) or match.group(3)):
        value = _parseHex(*match.groups())
    else:
        match = _LD_DECIMAL.fullmatch(data)
        if match is None or not (match.group(2) or match.group(3)):
            unsigned = data.lstrip(b"+-").lower()
            if len(data) - len(unsigned) <= 1 and unsigned in _LD_INFINITIES:
                return -math.inf if data[:1] == b"-" else math.inf
            return None
        value = _parseDecimal(*match.groups())
    if value is None or isinstance(value, float):
        # ERANGE: overflow to HUGE_VALL or underflow to zero.
        return None
    if value[0] == 0 and value is not _LD_ZERO:
        return None
    return value


def addLongDouble(a, b):
    """
    Add two long doubles as the FPU does.

    @param a: a value from L{parseLongDouble}.
    @param b: a value from L{parseLongDouble}.
    @return: the rounded sum, C{math.inf}/C{-math.inf}, or C{math.nan}.
    """
    if isinstance(a, float) or isinstance(b, float):
        return _toFloat(a) + _toFloat(b)
    (m1, e1), (m2, e2) = a, b
    if e1 < e2:
        return _roundDyadic(m1 + (m2 << (e2 - e1)), e1)
    return _roundDyadic((m1 << (e1 - e2)) + m2, e2)


def _toFloat(value):
    # Only the sign matters once an infinity is involved.
    if isinstance(value, float):
        return value
    return math.copysign(1.0, value[0]) if value[0] else 0.0


def isFiniteLongDouble(value):
    """
    @return: L{False} for the infinities and NaN L{addLongDouble} may give.
    """
    return not isinstance(value, float)


def formatLongDouble(value):
    """
    Format a long double as Redis's C{ld2string} in C{LD_STR_HUMAN} mode:
    C{%.17Lf} (exact value, rounded half to even), trailing zeros and a
    trailing point removed, C{-0} shown as C{0}.

    @return: L{bytes}.
    """
    if isinstance(value, float):
        return b"inf" if value > 0 else b"-inf"
    mantissa, exponent = value
    scaled = abs(mantissa) * 10**17
    if exponent >= 0:
        units = scaled << exponent
    else:
        units = scaled >> -exponent
        remainder = scaled & ((1 << -exponent) - 1)
        half = 1 << (-exponent - 1)
        if remainder > half or (remainder == half and units & 1):
            units += 1
    whole, fraction = divmod(units, 10**17)
    text = b"%s.%017d" % (_formatDigits(whole), fraction)
    text = text.rstrip(b"0").rstrip(b".")
    if mantissa < 0 and text != b"0":
        text = b"-" + text
    return text


def incrLongDouble(currentBytes, incrementBytes):
    """
    INCRBYFLOAT's arithmetic: parse both as long doubles (current value
    first, as Redis does), add, and format the result.

    @param currentBytes: the stored value (L{bytes}), or L{None} for 0.
    @param incrementBytes: the increment argument (L{bytes}).
    @return: the new value as L{bytes}.
    @raise CommandError: C{ERR value is not a valid float} when either does
        not parse, C{ERR increment would produce NaN or Infinity} when the
        sum is not finite.
    """
    current = _LD_ZERO if currentBytes is None else parseLongDouble(currentBytes)
    increment = parseLongDouble(incrementBytes)
    if current is None or increment is None:
        raise CommandError(errors.NOT_FLOAT)
    total = addLongDouble(current, increment)
    if not isFiniteLongDouble(total):
        raise CommandError(errors.NAN_OR_INFINITY)
    return formatLongDouble(total)
