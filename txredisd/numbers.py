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


def integerArgument(data, message=errors.NOT_INTEGER):
    """
    An integer argument, as Redis's C{getLongLongFromObjectOrReply}.

    @param data: L{bytes}.
    @param message: the error text for an argument that is no integer.
    @return: L{int}.
    @raise CommandError: if C{data} is not a canonical 64-bit integer.
    """
    value = parseInt(data)
    if value is None:
        raise CommandError(message)
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

