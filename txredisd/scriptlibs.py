"""
The C libraries Redis links into its Lua (LuaBitOp, Roberto Ierusalimschy's
struct, lua-cmsgpack and lua-cjson), written in Python for lupa's plain
Lua 5.1.

Each function answers C{(True, results...)} or C{(False, message)}; the
Lua wrapper in L{txredisd.scripting} raises the message at the caller's
line, as C{luaL_error} does.  They follow the C libraries for the common
cases; known gaps: struct's C{!} alignment is ignored, cjson's
configuration functions (C{encode_keep_buffer} ...) are absent and its
decode errors are reported as "invalid token" at the position Python's
JSON parser stops, and cmsgpack's C{unpack_one}/C{unpack_limit} are
absent.
"""

import json
import math
import struct

from lupa import lua51

_MASK32 = 0xFFFFFFFF


# -- bit (LuaBitOp) ----------------------------------------------------------


def _tobit(value):
    # LuaBitOp normalises with the 2^52+2^51 trick: round half to even,
    # then keep the low 32 bits as a signed number.
    if type(value) is bytes:
        value = float(value)
    if type(value) not in (int, float) or isinstance(value, bool):
        raise TypeError("number expected")
    if type(value) is float:
        if value != value or math.isinf(value):
            return 0
        value = round(value)
    value &= _MASK32
    return value - (1 << 32) if value & 0x80000000 else value


def _bitFunction(function, minimum=1):
    def wrapper(*args):
        if len(args) < minimum:
            return False, "bad argument #%d to '?' (number expected, got no value)" % (len(args) + 1,)
        try:
            values = [_tobit(a) for a in args]
        except TypeError:
            return False, "bad argument #1 to '?' (number expected)"
        return True, _tobit(function(*values))

    return wrapper


def _tohex(x, n=8):
    if n < 0:
        digits, n = "0123456789ABCDEF", -n
    else:
        digits = "0123456789abcdef"
    n = min(n, 8)
    x &= _MASK32
    out = "".join(digits[(x >> (4 * i)) & 15] for i in range(n - 1, -1, -1))
    return out.encode("ascii")


def bitFunctions():
    """
    @return: the C{bit} table's functions.
    """

    def tohex(x=None, n=8, *rest):
        try:
            return True, _tohex(_tobit(x), _tobit(n))
        except TypeError:
            return False, "bad argument #1 to 'tohex' (number expected)"

    def fold(op):
        def f(first, *rest):
            for value in rest:
                first = op(first, value)
            return first

        return f

    return {
        b"tobit": _bitFunction(lambda x: x),
        b"tohex": tohex,
        b"bnot": _bitFunction(lambda x: ~x),
        b"band": _bitFunction(fold(lambda a, b: a & b)),
        b"bor": _bitFunction(fold(lambda a, b: a | b)),
        b"bxor": _bitFunction(fold(lambda a, b: a ^ b)),
        b"lshift": _bitFunction(lambda x, n: (x & _MASK32) << (n & 31), 2),
        b"rshift": _bitFunction(lambda x, n: (x & _MASK32) >> (n & 31), 2),
        b"arshift": _bitFunction(lambda x, n: x >> (n & 31), 2),
        b"rol": _bitFunction(lambda x, n: ((x & _MASK32) << (n & 31)) | ((x & _MASK32) >> (32 - (n & 31))), 2),
        b"ror": _bitFunction(lambda x, n: ((x & _MASK32) >> (n & 31)) | ((x & _MASK32) << (32 - (n & 31))), 2),
        b"bswap": _bitFunction(lambda x: int.from_bytes((x & _MASK32).to_bytes(4, "little"), "big")),
    }


# -- struct -----------------------------------------------------------------

_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "i": 4, "I": 4}


def _structItems(fmt):
    """
    Parse a struct format into C{(endian, [(code, size), ...])} items.
    """
    little = True
    i = 0
    fmt = fmt.decode("latin-1")
    while i < len(fmt):
        c = fmt[i]
        i += 1
        number = ""
        while i < len(fmt) and fmt[i].isdigit():
            number += fmt[i]
            i += 1
        if c in " !":
            continue
        if c == "<" or c == "=":
            little = True
            continue
        if c == ">":
            little = False
            continue
        if c in "iI":
            size = int(number) if number else 4
            if not 1 <= size <= 8:
                raise ValueError("integral size %d is larger than limit of 8" % (size,))
            yield little, c, size
        elif c in _SIZES:
            yield little, c, _SIZES[c]
        elif c == "c":
            yield little, c, int(number) if number else 1
        elif c in "fdsx":
            yield little, c, {"f": 4, "d": 8, "s": 0, "x": 1}[c]
        else:
            raise ValueError("invalid format option '%s'" % (c,))


class _ArgumentError(ValueError):
    pass


def _checkNumber(value, position, name):
    # luaL_checknumber: numbers and numeric strings.
    if type(value) in (int, float) and type(value) is not bool:
        return value
    if type(value) is bytes:
        try:
            return float(value)
        except ValueError:
            pass
    kind = {bytes: "string", bool: "boolean", type(None): "nil"}.get(type(value), "table")
    raise _ArgumentError("bad argument #%d to '%s' (number expected, got %s)" % (position, name, kind))


def structFunctions():
    """
    @return: the C{struct} table's functions.
    """

    def pack(fmt=None, *args):
        if type(fmt) is not bytes:
            return False, "bad argument #1 to 'pack' (string expected)"
        out = []
        args = list(args)
        total = len(args)
        try:
            for little, code, size in _structItems(fmt):
                if code == "x":
                    out.append(b"\0")
                    continue
                if not args:
                    return False, "bad argument #%d to 'pack' (number expected, got nil)" % (total + 2,)
                value = args.pop(0)
                position = total - len(args) + 1
                if code in "fd":
                    out.append(struct.pack(("<" if little else ">") + code, float(_checkNumber(value, position, "pack"))))
                elif code == "c":
                    data = value if type(value) is bytes else b"%d" % (value,)
                    if size == 0:
                        size = len(data)
                    if len(data) < size:
                        return False, "bad argument #%d to 'pack' (string too short)" % (position,)
                    out.append(data[:size])
                elif code == "s":
                    out.append((value if type(value) is bytes else b"%d" % (value,)) + b"\0")
                else:
                    number = int(_checkNumber(value, position, "pack")) & ((1 << (8 * size)) - 1)
                    out.append(number.to_bytes(size, "little" if little else "big"))
        except (ValueError, TypeError) as e:
            return False, str(e)
        return True, b"".join(out)

    def unpack(fmt=None, data=None, pos=1, *rest):
        if type(fmt) is not bytes or type(data) is not bytes:
            return False, "bad argument #%d to 'unpack' (string expected)" % (1 if type(fmt) is not bytes else 2,)
        pos = int(pos) - 1
        results = []
        try:
            for little, code, size in _structItems(fmt):
                if code == "x":
                    pos += 1
                    continue
                if code == "s":
                    end = data.find(b"\0", pos)
                    if end < 0:
                        return False, "unfinished string in data"
                    results.append(data[pos:end])
                    pos = end + 1
                    continue
                if code == "c" and size == 0:
                    if not results or type(results[-1]) is not int:
                        return False, "format 'c0' needs a previous size"
                    size = results.pop()
                if pos + size > len(data):
                    return False, "bad argument #2 to 'unpack' (data string too short)"
                chunk = data[pos : pos + size]
                pos += size
                if code == "c":
                    results.append(chunk)
                elif code in "fd":
                    results.append(struct.unpack(("<" if little else ">") + code, chunk)[0])
                else:
                    results.append(int.from_bytes(chunk, "little" if little else "big", signed=code in "bhli"))
        except ValueError as e:
            return False, str(e)
        return (True,) + tuple(results) + (pos + 1,)

    def size(fmt=None, *rest):
        if type(fmt) is not bytes:
            return False, "bad argument #1 to 'size' (string expected)"
        try:
            total = 0
            for _, code, n in _structItems(fmt):
                if code == "s" or (code == "c" and n == 0):
                    return False, "options 'c0' - 's' have undefined sizes"
                total += n
        except ValueError as e:
            return False, str(e)
        return True, total

    return {b"pack": pack, b"unpack": unpack, b"size": size}


# -- cmsgpack -----------------------------------------------------------------


def _isArray(table):
    # lua-cmsgpack's table_is_an_array: only positive integer keys, 1..n.
    count, highest = 0, 0
    for key in table.keys():
        if type(key) not in (int, float) or key <= 0 or key != int(key):
            return False, 0
        count += 1
        highest = max(highest, int(key))
    return highest == count, count


def _packInteger(n):
    if n >= 0:
        if n < 128:
            return bytes((n,))
        if n <= 0xFF:
            return b"\xcc" + bytes((n,))
        if n <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", n)
        if n <= _MASK32:
            return b"\xce" + struct.pack(">I", n)
        return b"\xcf" + struct.pack(">Q", n & 0xFFFFFFFFFFFFFFFF)
    if n >= -32:
        return struct.pack(">b", n)
    if n >= -128:
        return b"\xd0" + struct.pack(">b", n)
    if n >= -32768:
        return b"\xd1" + struct.pack(">h", n)
    if n >= -(1 << 31):
        return b"\xd2" + struct.pack(">i", n)
    return b"\xd3" + struct.pack(">q", max(n, -(1 << 63)))


def _packLength(n, small, smallLimit, codes):
    if n < smallLimit:
        return bytes((small | n,))
    for code, fmt, limit in codes:
        if n <= limit:
            return code + struct.pack(fmt, n)
    raise ValueError("too long")


def _msgpack(value, out, depth):
    t = type(value)
    if value is None:
        out.append(b"\xc0")
    elif t is bool:
        out.append(b"\xc3" if value else b"\xc2")
    elif t is int or (t is float and value.is_integer() and abs(value) < 2**63):
        out.append(_packInteger(int(value)))
    elif t is float:
        single = struct.pack(">f", value) if abs(value) < 3.4e38 or math.isinf(value) or value != value else None
        if single is not None and (struct.unpack(">f", single)[0] == value or value != value):
            out.append(b"\xca" + single)
        else:
            out.append(b"\xcb" + struct.pack(">d", value))
    elif t is bytes:
        n = len(value)
        if n < 32:
            out.append(bytes((0xA0 | n,)))
        elif n <= 0xFF:
            out.append(b"\xd9" + bytes((n,)))
        elif n <= 0xFFFF:
            out.append(b"\xda" + struct.pack(">H", n))
        else:
            out.append(b"\xdb" + struct.pack(">I", n))
        out.append(value)
    elif lua51.lua_type(value) == "table":
        if depth >= 16:
            # lua-cmsgpack packs tables nested too deep as nil.
            out.append(b"\xc0")
            return
        array, count = _isArray(value)
        if array:
            out.append(_packLength(count, 0x90, 16, [(b"\xdc", ">H", 0xFFFF), (b"\xdd", ">I", _MASK32)]))
            for i in range(1, count + 1):
                _msgpack(value[i], out, depth + 1)
        else:
            items = list(value.items())
            out.append(_packLength(len(items), 0x80, 16, [(b"\xde", ">H", 0xFFFF), (b"\xdf", ">I", _MASK32)]))
            for k, v in items:
                _msgpack(k, out, depth + 1)
                _msgpack(v, out, depth + 1)
    else:
        out.append(b"\xc0")


class _Truncated(Exception):
    pass


def _unmsgpack(engine, data, pos):
    if pos >= len(data):
        raise _Truncated()
    c = data[pos]
    pos += 1

    def take(n):
        if pos + n > len(data):
            raise _Truncated()
        return data[pos : pos + n]

    if c < 0x80:
        return c, pos
    if c >= 0xE0:
        return c - 256, pos
    if 0xA0 <= c <= 0xBF:
        n = c & 31
        return take(n), pos + n
    if 0x90 <= c <= 0x9F:
        return _unpackArray(engine, data, pos, c & 15)
    if 0x80 <= c <= 0x8F:
        return _unpackMap(engine, data, pos, c & 15)
    if c == 0xC0:
        return None, pos
    if c == 0xC2:
        return False, pos
    if c == 0xC3:
        return True, pos
    fixed = {
        0xCA: ">f", 0xCB: ">d", 0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
        0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q",
    }
    if c in fixed:
        fmt = fixed[c]
        n = struct.calcsize(fmt)
        return struct.unpack(fmt, take(n))[0], pos + n
    lengths = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I", 0xC4: ">B", 0xC5: ">H", 0xC6: ">I"}
    if c in lengths:
        fmt = lengths[c]
        size = struct.calcsize(fmt)
        n = struct.unpack(fmt, take(size))[0]
        pos += size
        if pos + n > len(data):
            raise _Truncated()
        return data[pos : pos + n], pos + n
    if c in (0xDC, 0xDD):
        size = 2 if c == 0xDC else 4
        n = int.from_bytes(take(size), "big")
        return _unpackArray(engine, data, pos + size, n)
    if c in (0xDE, 0xDF):
        size = 2 if c == 0xDE else 4
        n = int.from_bytes(take(size), "big")
        return _unpackMap(engine, data, pos + size, n)
    raise ValueError("Bad data format in input.")


def _unpackArray(engine, data, pos, n):
    table = engine.table()
    for i in range(1, n + 1):
        table[i], pos = _unmsgpack(engine, data, pos)
    return table, pos


def _unpackMap(engine, data, pos, n):
    table = engine.table()
    for _ in range(n):
        key, pos = _unmsgpack(engine, data, pos)
        value, pos = _unmsgpack(engine, data, pos)
        if key is not None:
            table[key] = value
    return table, pos


def msgpackFunctions(engine):
    """
    @return: the C{cmsgpack} table's functions.
    """

    def pack(*args):
        if not args:
            return False, "MessagePack pack needs input."
        out = []
        for value in args:
            _msgpack(value, out, 0)
        return True, b"".join(out)

    def unpack(data=None, *rest):
        if type(data) is not bytes:
            return False, "bad argument #1 to 'unpack' (string expected)"
        results = []
        pos = 0
        try:
            while pos < len(data):
                value, pos = _unmsgpack(engine, data, pos)
                results.append(value)
        except _Truncated:
            return False, "Missing bytes in input."
        except ValueError as e:
            return False, str(e)
        return (True,) + tuple(results)

    return {b"pack": pack, b"unpack": unpack}


# -- cjson ------------------------------------------------------------------

_JSON_ESCAPES = {i: "\\u%04x" % (i,) for i in range(32)}
_JSON_ESCAPES.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\", 47: "\\/"})


def _jsonString(data):
    text = data.decode("latin-1")
    return '"' + "".join(_JSON_ESCAPES.get(ord(ch), ch) for ch in text) + '"'


def _jsonNumber(value):
    if value != value or math.isinf(value):
        raise ValueError("Cannot serialise number: must not be NaN or Inf")
    if type(value) is int or value.is_integer() and abs(value) < 1e14:
        return "%d" % (value,)
    return "%.14g" % (value,)


def _json(value, out, depth):
    t = type(value)
    if value is None:
        out.append("null")
    elif t is bool:
        out.append("true" if value else "false")
    elif t is int or t is float:
        out.append(_jsonNumber(value))
    elif t is bytes:
        out.append(_jsonString(value))
    else:
        kind = lua51.lua_type(value)
        if kind == "userdata":
            out.append("null")
        elif kind == "table":
            if depth >= 1000:
                raise ValueError("Cannot serialise, excessive nesting (%d)" % (depth + 1,))
            _jsonTable(value, out, depth + 1)
        else:
            raise ValueError("Cannot serialise %s: type not supported" % (kind,))


def _jsonTable(table, out, depth):
    # lua-cjson's lua_array_length: positive integer keys make an array
    # (holes become null) unless it is excessively sparse.
    items = list(table.items())
    highest = 0
    array = True
    for key, _ in items:
        if type(key) in (int, float) and key >= 1 and key == int(key):
            highest = max(highest, int(key))
        else:
            array = False
            break
    if array and items and highest > 10 and highest > len(items) * 2:
        raise ValueError("Cannot serialise table: excessively sparse array")
    if array and items:
        out.append("[")
        for i in range(1, highest + 1):
            if i > 1:
                out.append(",")
            _json(table[i], out, depth)
        out.append("]")
        return
    out.append("{")
    for index, (key, value) in enumerate(items):
        if index:
            out.append(",")
        if type(key) is bytes:
            out.append(_jsonString(key))
        elif type(key) in (int, float):
            out.append('"%s"' % (_jsonNumber(key),))
        else:
            kind = "boolean" if type(key) is bool else lua51.lua_type(key) or "userdata"
            raise ValueError("Cannot serialise %s: table key must be a number or string" % (kind,))
        out.append(":")
        _json(value, out, depth)
    out.append("}")


def _fromJson(engine, value):
    if value is None:
        return engine.null
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, list):
        table = engine.table()
        for i, item in enumerate(value, 1):
            table[i] = _fromJson(engine, item)
        return table
    if isinstance(value, dict):
        table = engine.table()
        for key, item in value.items():
            table[key.encode("utf-8", "surrogateescape")] = _fromJson(engine, item)
        return table
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if abs(value) >= 1 << 53 else value
    return value


def cjsonFunctions(engine):
    """
    @return: the C{cjson} table's functions.
    """

    def encode(*args):
        if len(args) != 1:
            return False, "bad argument #1 to 'encode' (expected 1 argument)"
        out = []
        try:
            _json(args[0], out, 0)
        except ValueError as e:
            return False, str(e)
        return True, "".join(out).encode("latin-1")

    def decode(*args):
        if len(args) != 1 or type(args[0]) is not bytes:
            return False, "bad argument #1 to 'decode' (string expected)"
        try:
            value = json.loads(args[0].decode("utf-8", "surrogateescape"))
        except json.JSONDecodeError as e:
            return False, "Expected value but found invalid token at character %d" % (e.pos + 1,)
        except RecursionError:
            return False, "Found too many nested data structures (1001) at character 1"
        return True, _fromJson(engine, value)

    return {b"encode": encode, b"decode": decode}
