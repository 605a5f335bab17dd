"""
The C libraries Redis links into its Lua (LuaBitOp, Roberto Ierusalimschy's
struct, lua-cmsgpack and lua-cjson), written in Python for lupa's plain
Lua 5.1.

Each function answers C{(True, results...)} or C{(False, message)};
L{txredisd.scripting} raises the message at the caller's line, as
C{luaL_error} does.  They follow the C libraries, error texts included, for
the common cases; known gaps: struct's C{!} alignment is ignored, cjson's
configuration functions (C{encode_keep_buffer}, C{encode_max_depth} ...)
and its acceptance of C{nan}/C{inf}/hex numbers in decode are absent, and
cmsgpack's C{unpack_one}/C{unpack_limit} are absent.
"""

import math
import re
import struct
import sys

from lupa import lua51

_MASK32 = 0xFFFFFFFF


# -- bit (LuaBitOp) ----------------------------------------------------------


def _tobit(value):
    # LuaBitOp normalises with the 2^52+2^51 trick: round half to even,
    # then keep the low 32 bits as a signed number.
    if type(value) is bytes:
        try:
            value = float(value)
        except ValueError:
            raise TypeError("string")
    if type(value) not in (int, float) or isinstance(value, bool):
        raise TypeError(_luaTypeName(value))
    if type(value) is float:
        if value != value or math.isinf(value):
            return 0
        value = round(value)
    value &= _MASK32
    return value - (1 << 32) if value & 0x80000000 else value


def _luaTypeName(value):
    if value is None:
        return "nil"
    if type(value) is bool:
        return "boolean"
    if type(value) is bytes:
        return "string"
    if type(value) in (int, float):
        return "number"
    return lua51.lua_type(value) or "userdata"


def _bitFunction(name, function, minimum=1):
    def wrapper(*args):
        if len(args) < minimum:
            return False, "bad argument #%d to '%s' (number expected, got no value)" % (len(args) + 1, name)
        values = []
        for index, arg in enumerate(args, 1):
            try:
                values.append(_tobit(arg))
            except TypeError as e:
                return False, "bad argument #%d to '%s' (number expected, got %s)" % (index, name, e.args[0])
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
        b"tobit": _bitFunction("tobit", lambda x: x),
        b"tohex": tohex,
        b"bnot": _bitFunction("bnot", lambda x: ~x),
        b"band": _bitFunction("band", fold(lambda a, b: a & b)),
        b"bor": _bitFunction("bor", fold(lambda a, b: a | b)),
        b"bxor": _bitFunction("bxor", fold(lambda a, b: a ^ b)),
        b"lshift": _bitFunction("lshift", lambda x, n: (x & _MASK32) << (n & 31), 2),
        b"rshift": _bitFunction("rshift", lambda x, n: (x & _MASK32) >> (n & 31), 2),
        b"arshift": _bitFunction("arshift", lambda x, n: x >> (n & 31), 2),
        b"rol": _bitFunction("rol", lambda x, n: ((x & _MASK32) << (n & 31)) | ((x & _MASK32) >> (32 - (n & 31))), 2),
        b"ror": _bitFunction("ror", lambda x, n: ((x & _MASK32) >> (n & 31)) | ((x & _MASK32) << (32 - (n & 31))), 2),
        b"bswap": _bitFunction("bswap", lambda x: int.from_bytes((x & _MASK32).to_bytes(4, "little"), "big")),
    }


# -- struct -----------------------------------------------------------------

_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "i": 4, "I": 4}


def _structItems(fmt, name):
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
            if not 1 <= size <= 32:
                raise ValueError("integral size %d is larger than limit of 32" % (size,))
            yield little, c, size
        elif c in _SIZES:
            yield little, c, _SIZES[c]
        elif c == "c":
            yield little, c, int(number) if number else 1
        elif c in "fdsx":
            yield little, c, {"f": 4, "d": 8, "s": 0, "x": 1}[c]
        else:
            raise _ArgumentError("bad argument #1 to '%s' (invalid format option '%s')" % (name, c))


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
            for little, code, size in _structItems(fmt, "pack"):
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
                        return False, "bad argument #%d to 'pack' (string too short)" % (position + 1,)
                    out.append(data[:size])
                elif code == "s":
                    out.append((value if type(value) is bytes else b"%d" % (value,)) + b"\0")
                else:
                    # A C long long, its bytes beyond the eighth zero.
                    number = int(_checkNumber(value, position, "pack")) & ((1 << 64) - 1)
                    number &= (1 << (8 * size)) - 1
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
            for little, code, size in _structItems(fmt, "unpack"):
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
            for _, code, n in _structItems(fmt, "size"):
                if code == "s" or (code == "c" and n == 0):
                    option = "s" if code == "s" else "c0"
                    return False, "bad argument #1 to 'size' (option '%s' has no fixed size)" % (option,)
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
            return False, "bad argument #0 to 'pack' (MessagePack pack needs input.)"
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
_JSON_ESCAPES[127] = "\\u007f"
_JSON_ESCAPES.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\", 47: "\\/"})


def _jsonString(data):
    text = data.decode("latin-1")
    return '"' + "".join(_JSON_ESCAPES.get(ord(ch), ch) for ch in text) + '"'


def _jsonNumber(value):
    # lua-cjson formats every number with %.14g.
    value = float(value)
    if value != value or math.isinf(value):
        raise ValueError("Cannot serialise number: must not be NaN or Inf")
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


class _JSONError(Exception):
    pass


_NUMBER = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_SIMPLE_TOKENS = {
    ord("{"): "T_OBJ_BEGIN", ord("}"): "T_OBJ_END", ord("["): "T_ARR_BEGIN",
    ord("]"): "T_ARR_END", ord(":"): "T_COLON", ord(","): "T_COMMA",
}
_STRING_ESCAPES = {ord('"'): b'"', ord("\\"): b"\\", ord("/"): b"/", ord("b"): b"\b",
                   ord("f"): b"\f", ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t"}


class _JSONDecoder:
    """
    lua-cjson's decoder: its tokens and its error texts ("Expected X but
    found Y at character N").
    """

    def __init__(self, engine, data):
        self.engine = engine
        self.data = data
        self.pos = 0
        self.depth = 0

    def token(self):
        data, pos = self.data, self.pos
        while pos < len(data) and data[pos] in b" \t\n\r":
            pos += 1
        self.start = pos
        if pos >= len(data):
            self.pos = pos
            return "T_END", None
        c = data[pos]
        if c in _SIMPLE_TOKENS:
            self.pos = pos + 1
            return _SIMPLE_TOKENS[c], None
        if c == ord('"'):
            return self.string(pos + 1)
        if c == ord("-") or 48 <= c <= 57:
            match = _NUMBER.match(data, pos)
            text = match.group() if match else b""
            if not match:
                return "T_ERROR", "invalid number"
            self.pos = match.end()
            return "T_NUMBER", float(text)
        for word, value in ((b"true", True), (b"false", False), (b"null", self.engine.null)):
            if data.startswith(word, pos):
                self.pos = pos + len(word)
                return ("T_NULL" if word == b"null" else "T_BOOLEAN"), value
        return "T_ERROR", "invalid token"

    def string(self, pos):
        data = self.data
        out = bytearray()
        while True:
            if pos >= len(data):
                self.start = pos
                return "T_ERROR", "unexpected end of string"
            c = data[pos]
            if c == ord('"'):
                self.pos = pos + 1
                return "T_STRING", bytes(out)
            if c != ord("\\"):
                out.append(c)
                pos += 1
                continue
            escape = data[pos + 1] if pos + 1 < len(data) else None
            if escape in _STRING_ESCAPES:
                out += _STRING_ESCAPES[escape]
                pos += 2
            elif escape == ord("u"):
                code, after = self.unicode(pos)
                if code is not None:
                    pos = after
                if code is None:
                    self.start = pos
                    return "T_ERROR", "invalid unicode escape code"
                out += chr(code).encode("utf-8", "surrogatepass")
            else:
                self.start = pos
                return "T_ERROR", "invalid escape code"

    def unicode(self, pos):
        def hex4(at):
            text = self.data[at : at + 4]
            if len(text) != 4 or not all(c in b"0123456789abcdefABCDEF" for c in text):
                return None
            return int(text, 16)

        code = hex4(pos + 2)
        if code is None:
            return None, pos
        pos += 6
        if 0xD800 <= code <= 0xDBFF:
            if self.data[pos : pos + 2] != b"\\u":
                return None, pos
            low = hex4(pos + 2)
            if low is None or not 0xDC00 <= low <= 0xDFFF:
                return None, pos
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            pos += 6
        elif 0xDC00 <= code <= 0xDFFF:
            return None, pos
        return code, pos

    def fail(self, expected, token):
        kind, value = token
        found = value if kind == "T_ERROR" else kind
        raise _JSONError("Expected %s but found %s at character %d" % (expected, found, self.start + 1))

    def value(self, token):
        kind, value = token
        if kind in ("T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL"):
            return value
        if kind == "T_OBJ_BEGIN":
            return self.object()
        if kind == "T_ARR_BEGIN":
            return self.array()
        self.fail("value", token)

    def nest(self):
        self.depth += 1
        if self.depth > 1000:
            raise _JSONError(
                "Found too many nested data structures (%d) at character %d" % (self.depth, self.start + 1)
            )

    def object(self):
        self.nest()
        table = self.engine.table()
        token = self.token()
        if token[0] == "T_OBJ_END":
            self.depth -= 1
            return table
        while True:
            if token[0] != "T_STRING":
                self.fail("object key string", token)
            key = token[1]
            token = self.token()
            if token[0] != "T_COLON":
                self.fail("colon", token)
            table[key] = self.value(self.token())
            token = self.token()
            if token[0] == "T_OBJ_END":
                self.depth -= 1
                return table
            if token[0] != "T_COMMA":
                self.fail("comma or object end", token)
            token = self.token()

    def array(self):
        self.nest()
        table = self.engine.table()
        token = self.token()
        if token[0] == "T_ARR_END":
            self.depth -= 1
            return table
        index = 1
        while True:
            table[index] = self.value(token)
            index += 1
            token = self.token()
            if token[0] == "T_ARR_END":
                self.depth -= 1
                return table
            if token[0] != "T_COMMA":
                self.fail("comma or array end", token)
            token = self.token()

    def decode(self):
        # Nesting is refused past 1000 levels, as lua-cjson: leave Python
        # the stack to get there.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4000))
        try:
            return self._decode()
        finally:
            sys.setrecursionlimit(limit)

    def _decode(self):
        result = self.value(self.token())
        token = self.token()
        if token[0] != "T_END":
            self.fail("the end", token)
        return result


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
        if len(args) != 1:
            return False, "bad argument #1 to 'decode' (expected 1 argument)"
        if type(args[0]) in (int, float):
            args = (b"%.14g" % (args[0],),)
        if type(args[0]) is not bytes:
            return False, "bad argument #1 to 'decode' (string expected, got %s)" % (_luaTypeName(args[0]),)
        try:
            return True, _JSONDecoder(engine, args[0]).decode()
        except _JSONError as e:
            return False, str(e)

    return {b"encode": encode, b"decode": decode}
