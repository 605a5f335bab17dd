"""
RESP without I/O: request parsing and reply encoding.

Requests are parsed exactly as Redis 7.0's C{processMultibulkBuffer} and
C{processInlineBuffer} do, including their limits and error texts.  Replies
are Python values encoded for the connection's protocol version:

    - L{bytes}: bulk string
    - L{Status}: simple string
    - L{int}: integer; L{bool}: RESP3 boolean (C{:1}/C{:0} in RESP2)
    - L{None}: null bulk (C{_} in RESP3); L{NULL_ARRAY}: null array
    - L{list}/L{tuple}: array; L{Map}, L{Set}, L{Push}: aggregate types
      that degrade to arrays in RESP2
    - L{float}: double (bulk string in RESP2)
    - L{Verbatim}: verbatim string (bulk string in RESP2)
    - L{CommandError}: error
    - L{Raw}: bytes already encoded, sent as they are
"""

import itertools
import re
from operator import itemgetter as _itemgetter

from txredisd.errors import CommandError, ProtocolError
from txredisd.numbers import formatDouble, parseInt

# Redis's PROTO_INLINE_MAX_SIZE and default proto-max-bulk-len.
INLINE_MAX = 64 * 1024
MAX_BULK_LEN = 512 * 1024 * 1024
_INT_MAX = (1 << 31) - 1


class Status(str):
    """
    A simple string reply (C{+OK}).
    """


class Raw(bytes):
    """
    A reply already encoded as RESP, identical in RESP2 and RESP3.
    """


class Map:
    """
    A map reply: C{%} in RESP3, a flat array in RESP2.

    @ivar items: a sequence of C{(key, value)} pairs.
    """

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = list(items.items()) if isinstance(items, dict) else items


class Set:
    """
    A set reply: C{~} in RESP3, an array in RESP2.
    """

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


class Push:
    """
    An out-of-band push (pub/sub messages): C{>} in RESP3, an array in RESP2.
    """

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


class Verbatim:
    """
    A verbatim string (C{=}), sent as a bulk string in RESP2.
    """

    __slots__ = ("text", "format")

    def __init__(self, text, format=b"txt"):
        self.text = text
        self.format = format


class _NullArray:
    """
    The null array (C{*-1}), C{_} in RESP3.
    """

    __slots__ = ()

    def __repr__(self):
        return "NULL_ARRAY"


NULL_ARRAY = _NullArray()

OK = Raw(b"+OK\r\n")
PONG = Raw(b"+PONG\r\n")
QUEUED = Raw(b"+QUEUED\r\n")
ZERO = Raw(b":0\r\n")
ONE = Raw(b":1\r\n")
EMPTY_ARRAY = Raw(b"*0\r\n")
#: For commands that answer nothing (SHUTDOWN closing the connection).
NO_REPLY = Raw(b"")

#: Bulk string headers (C{$<length>\r\n}) by length, for the lengths most
#: replies have: appending header, payload and CRLF costs half of
#: formatting them into one string, and does not copy the payload twice.
BULK_HEADERS = [b"$%d\r\n" % (size,) for size in range(4096)]
_flatten = itertools.chain.from_iterable
_repeat = itertools.repeat


#: The largest run of bulk strings L{encodeBulks} joins: larger ones go
#: through the protocol's reply loop, which flushes as they grow.
_BULKS_MAX = 65536


def encodeBulks(values):
    """
    Encode bulk strings of one length (the same in RESP2 and RESP3) in one
    piece, at C speed: a run of GET replies.

    @param values: a L{list} of L{bytes}.
    @return: a L{Raw}, or L{None} if one is L{None} or of another length
        than the first, or if they are many bytes.
    """
    try:
        size = len(values[0])
        if (
            len(values[-1]) != size
            or size * len(values) > _BULKS_MAX
            or list(map(len, values)).count(size) != len(values)
        ):
            return None
    except TypeError:
        # A miss: its null depends on the protocol version.
        return None
    return Raw((b"$%d\r\n%%s\r\n" % (size,) * len(values)) % tuple(values))


def _encode(value, out, resp3):
    """
    Append the encoding of C{value} to the list C{out}.
    """
    t = type(value)
    if t is bytes:
        try:
            out.append(BULK_HEADERS[len(value)])
        except IndexError:
            out.append(b"$%d\r\n" % (len(value),))
        out.append(value)
        out.append(b"\r\n")
    elif t is Raw:
        out.append(value)
    elif t is int:
        out.append(b":%d\r\n" % (value,))
    elif t is list or t is tuple:
        out.append(b"*%d\r\n" % (len(value),))
        for item in value:
            _encode(item, out, resp3)
    elif value is None:
        out.append(b"_\r\n" if resp3 else b"$-1\r\n")
    elif t is Status:
        out.append(b"+%s\r\n" % (value.encode("latin-1"),))
    elif t is CommandError:
        out.append(b"-%s\r\n" % (_errorText(value.message),))
    elif t is Map:
        items = value.items
        out.append((b"%%%d\r\n" if resp3 else b"*%d\r\n") % (len(items) * (1 if resp3 else 2),))
        for k, v in items:
            _encode(k, out, resp3)
            _encode(v, out, resp3)
    elif t is Set or t is Push:
        items = value.items
        prefix = (b"~" if t is Set else b">") if resp3 else b"*"
        out.append(b"%s%d\r\n" % (prefix, len(items)))
        for item in items:
            _encode(item, out, resp3)
    elif t is float:
        text = formatDouble(value)
        if resp3:
            out.append(b",%s\r\n" % (text,))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(text), text))
    elif t is bool:
        if resp3:
            out.append(b"#t\r\n" if value else b"#f\r\n")
        else:
            out.append(b":1\r\n" if value else b":0\r\n")
    elif value is NULL_ARRAY:
        out.append(b"_\r\n" if resp3 else b"*-1\r\n")
    elif t is Verbatim:
        if resp3:
            out.append(b"=%d\r\n%s:%s\r\n" % (len(value.text) + 4, value.format, value.text))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(value.text), value.text))
    elif t is bytearray or t is memoryview:
        _encode(bytes(value), out, resp3)
    elif isinstance(value, CommandError):
        out.append(b"-%s\r\n" % (_errorText(value.message),))
    elif isinstance(value, int):
        _encode(int(value), out, resp3)
    else:
        raise TypeError("cannot encode %r as a reply" % (value,))


def _errorText(message):
    # Error lines must stay on one line whatever the message holds.
    text = message.encode("latin-1", "replace") if isinstance(message, str) else message
    return text.replace(b"\r", b" ").replace(b"\n", b" ")


def encode(value, resp3=False):
    """
    Encode one reply.

    @param value: a reply value (see the module docstring).
    @param resp3: L{True} to use RESP3 types.
    @return: L{bytes}.
    """
    t = type(value)
    if t is bytes:
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if t is Raw:
        return value
    out = []
    _encode(value, out, resp3)
    return b"".join(out)


def encodeCommand(argv):
    """
    Encode a command as a RESP multibulk request (for replication links,
    the AOF and clients).

    @param argv: a sequence of L{bytes}.
    @return: L{bytes}.
    """
    parts = [b"*%d\r\n" % (len(argv),)]
    for arg in argv:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


# --- requests ----------------------------------------------------------------

_ESCAPES = {
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("b"): b"\b",
    ord("a"): b"\a",
}
_HEX = b"0123456789abcdefABCDEF"
_BLANKS = b" \t\n\r\v\f"


def _splitsPlainly(text):
    """
    Whether C{sdssplitargs} splits C{text} (without NUL bytes) as
    L{bytes.split} does: no quotes, and no vertical tab or form feed, which
    bytes.split() takes as word ends where Redis only skips them before a
    word.
    """
    return b'"' not in text and b"'" not in text and b"\x0b" not in text and b"\x0c" not in text


def splitArgs(line):
    """
    Split an inline command as Redis's C{sdssplitargs} does: blanks separate
    arguments, C{"..."} quotes understand C{\\n \\r \\t \\b \\a \\xHH} and
    C{\\<char>}, C{'...'} quotes understand only C{\\'}; a closing quote must
    be followed by a blank or the end.

    @param line: L{bytes} without the line end.
    @return: a L{list} of L{bytes}, or L{None} for unbalanced quotes.
    """
    nul = line.find(b"\0")
    if nul >= 0:
        # Redis handles the line as a C string: it stops at a NUL byte.
        line = line[:nul]
    if _splitsPlainly(line):
        return line.split()
    args = []
    n = len(line)
    i = 0
    while True:
        while i < n and line[i] in _BLANKS:
            i += 1
        if i >= n:
            return args
        current = bytearray()
        inDouble = inSingle = False
        while True:
            c = line[i] if i < n else None
            if inDouble:
                if c is None:
                    return None
                nxt = line[i + 1] if i + 1 < n else None
                if (
                    c == 0x5C
                    and nxt == 0x78
                    and i + 3 < n
                    and line[i + 2] in _HEX
                    and line[i + 3] in _HEX
                ):
                    current.append(int(line[i + 2 : i + 4], 16))
                    i += 3
                elif c == 0x5C and nxt is not None:
                    current += _ESCAPES.get(nxt, bytes((nxt,)))
                    i += 1
                elif c == 0x22:
                    if nxt is not None and nxt not in _BLANKS:
                        return None
                    i += 1
                    break
                else:
                    current.append(c)
            elif inSingle:
                if c is None:
                    return None
                nxt = line[i + 1] if i + 1 < n else None
                if c == 0x5C and nxt == 0x27:
                    current.append(0x27)
                    i += 1
                elif c == 0x27:
                    if nxt is not None and nxt not in _BLANKS:
                        return None
                    i += 1
                    break
                else:
                    current.append(c)
            else:
                if c is None or c in b" \n\r\t":
                    break
                if c == 0x22:
                    inDouble = True
                elif c == 0x27:
                    inSingle = True
                else:
                    current.append(c)
            i += 1
        args.append(bytes(current))


def _findCR(data, pos):
    """
    Find the end of a count line as Redis does, with strchr(): a NUL byte
    before the C{\\r} hides it, and the line never ends.
    """
    cr = data.find(b"\r", pos)
    if cr >= 0 and data.find(b"\0", pos, cr) >= 0:
        return -1
    return cr


def _bulkLength(text):
    # The common case without string2ll's regular expression.
    if text.isdigit() and (text[0] != 0x30 or len(text) == 1) and len(text) < 19:
        return int(text)
    return parseInt(text)


class UnauthenticatedLimit(ProtocolError):
    """
    An unauthenticated client sent a request over the limits
    (C{maxArgs}, C{maxUnauthBulk}).

    @ivar position: where the refused element starts in the parsed data.
    """

    def __init__(self, message, position):
        ProtocolError.__init__(self, message)
        self.position = position


class RequestParser:
    """
    Frames a byte stream into commands as Redis 7.0 does.

    Keeps the partial multibulk state between reads so that a large command
    arriving in many reads is never re-parsed, and never allocates a bulk's
    claimed length before its bytes arrive.

    @ivar maxBulkLen: C{proto-max-bulk-len}.
    @ivar maxArgs: the most arguments one multibulk may claim (Redis allows
        C{INT_MAX}; an unauthenticated client only 10).
    @ivar maxUnauthBulk: the largest bulk an unauthenticated client may
        claim, or L{None} for no such limit.
    """

    def __init__(self, maxBulkLen=MAX_BULK_LEN):
        self.maxBulkLen = maxBulkLen
        self.maxArgs = _INT_MAX
        self.maxUnauthBulk = None
        self._buf = b""
        self._chunks = None
        self._have = 0
        self._need = 0
        self._args = None
        self._remaining = 0
        self._bulkLen = -1

    def idle(self):
        """
        @return: L{True} if no partial command is buffered.
        """
        return not self._buf and self._chunks is None and self._args is None

    @property
    def partial(self):
        """
        L{True} while a partial command is buffered (not L{idle}).
        """
        return not self.idle()

    def buffered(self):
        """
        @return: the number of bytes held for a partial command.
        """
        return self._have if self._chunks is not None else len(self._buf)

    def feed(self, data):
        """
        Add bytes and frame every complete command.

        @param data: L{bytes} just read.
        @return: C{(commands, error)}: the complete commands (lists of
            L{bytes}) in order, and a L{ProtocolError} if the stream broke
            after them (or L{None}).
        """
        if self._chunks is not None:
            self._chunks.append(data)
            self._have += len(data)
            if self._have < self._need:
                return [], None
            data = b"".join(self._chunks)
            self._chunks = None
        elif self._buf:
            data = self._buf + data
            self._buf = b""
        commands = []
        try:
            pos = self._parse(data, commands)
        except UnauthenticatedLimit as e:
            # Kept from the refused element on: the commands before it may
            # authenticate the client, which then may send it (resume).
            self._buf = data[e.position :]
            return commands, e
        except ProtocolError as e:
            self._args = None
            return commands, e
        if pos < len(data):
            tail = data[pos:] if pos else data
            if self._args is not None and self._bulkLen >= 0:
                self._chunks = [tail]
                self._have = len(tail)
                self._need = self._bulkLen + 2
            else:
                self._buf = tail
        return commands, None

    def resume(self):
        """
        Frame what was kept after an L{UnauthenticatedLimit}, once the
        limits are lifted.

        @return: as L{feed}.
        """
        return self.feed(b"")

    def _parse(self, data, commands):
        n = len(data)
        pos = 0
        find = data.find
        while pos < n:
            args = self._args
            if args is None:
                if data[pos] != 0x2A:
                    newline = find(b"\n", pos)
                    if newline >= 0 and find(b"\0", pos, newline) >= 0:
                        # Redis looks for the line end with strchr(), which
                        # stops at a NUL byte: the line never ends.
                        newline = -1
                    if newline < 0:
                        if n - pos > INLINE_MAX:
                            raise ProtocolError("too big inline request")
                        return pos
                    end = newline - 1 if newline > pos and data[newline - 1] == 0x0D else newline
                    argv = splitArgs(data[pos:end])
                    pos = newline + 1
                    if argv is None:
                        raise ProtocolError("unbalanced quotes in request")
                    if argv:
                        commands.append(argv)
                    continue
                cr = _findCR(data, pos)
                if cr < 0:
                    if n - pos > INLINE_MAX:
                        raise ProtocolError("too big mbulk count string")
                    return pos
                if cr + 2 > n:
                    return pos
                count = parseInt(data[pos + 1 : cr])
                if count is None or count > _INT_MAX:
                    raise ProtocolError("invalid multibulk length")
                if count > self.maxArgs:
                    raise UnauthenticatedLimit("unauthenticated multibulk length", pos)
                pos = cr + 2
                if count <= 0:
                    continue
                args = self._args = []
                self._remaining = count
                self._bulkLen = -1
            while self._remaining:
                bulkLen = self._bulkLen
                if bulkLen < 0:
                    cr = _findCR(data, pos)
                    if cr < 0:
                        if n - pos > INLINE_MAX:
                            raise ProtocolError("too big bulk count string")
                        return pos
                    if cr + 2 > n:
                        return pos
                    if data[pos] != 0x24:
                        raise ProtocolError(
                            "expected '$', got '%s'" % (chr(data[pos]),)
                        )
                    bulkLen = _bulkLength(data[pos + 1 : cr])
                    if bulkLen is None or bulkLen < 0 or bulkLen > self.maxBulkLen:
                        raise ProtocolError("invalid bulk length")
                    if self.maxUnauthBulk is not None and bulkLen > self.maxUnauthBulk:
                        raise UnauthenticatedLimit("unauthenticated bulk length", pos)
                    pos = cr + 2
                    self._bulkLen = bulkLen
                end = pos + bulkLen
                if end + 2 > n:
                    return pos
                # Like Redis, the two bytes after the payload are skipped
                # unchecked.
                args.append(data[pos:end])
                pos = end + 2
                self._bulkLen = -1
                self._remaining -= 1
            commands.append(args)
            self._args = None
        return pos


# hiredis frames RESP3 types that Redis does not take in requests.  Inside
# a multibulk, Redis answers "expected '$'" for any element but a bulk
# string: hiredis returns most other types as non-bytes values, which are
# checked, but '+', '=' and '(' elements as bytes.  At the top level, Redis
# reads a line that does not start with '*' as an inline command: hiredis
# returns most other types as non-lists, which are checked, but '~' and '>'
# as lists, and '|' (attributes) it merges into the next reply.  A read that
# may hold one of those bytes at the start of a line (a payload rarely
# does) is framed by the exact parser instead.
#
# hiredis allocates an array's claimed size as soon as it reads the count
# (and freeing it is linear in that size), where Redis allocates at most
# 1024 slots before the arguments arrive: a read holding a count of five
# digits or more goes to the exact parser.
#
# A bulk length with as many digits as proto-max-bulk-len (nine for the
# default 512MB) may be over it, which Redis refuses as soon as it reads
# the header while hiredis would wait for the payload: a read that leaves a
# partial command holding one goes to the exact parser too.
#
# Redis takes the byte after a header's CR as its LF whatever it is, where
# hiredis waits for a real CRLF: a CR followed by anything else goes to the
# exact parser as well.
_SUSPECT_START = b"+=(~>|"
_SUSPECT = re.compile(rb"\n[+=(~>|]|\r[^\n]")
_BIG_COUNT = re.compile(rb"\*[0-9]{5}")

def _plainInline(data):
    """
    Frame a read of whole inline commands without quotes (redis-benchmark's
    PING_INLINE, a telnet session) at C speed.

    Redis ends a line at its LF (dropping a CR before it) and splits it
    with C{sdssplitargs}: without NUL bytes, and where L{_splitsPlainly},
    that is L{bytes.split} (see L{splitArgs}).

    @return: the commands, or L{None} if the exact parser must frame the
        read (a multibulk in it, a partial line, quotes, odd blanks).
    """
    if (
        data[-1] != 0x0A
        or len(data) > INLINE_MAX
        or b"\n*" in data
        or b"\0" in data
        or not _splitsPlainly(data)
    ):
        return None
    return [argv for argv in map(bytes.split, data.split(b"\n")) if argv]


def _bulkFraming(size):
    # The bytes of "$<size>\r\n<payload>\r\n".
    return size + 5 + len(str(size))


def _walkHead(count):
    # The bytes of "*<count>\r\n"; *0, which Redis skips and hiredis
    # returns as an empty list, walks off the data.
    return 3 + len(str(count)) if count else 1 << 62


class _Unbounded:
    # A length table computed at each lookup, for lengths past the lists.
    def __init__(self, length):
        self._length = length

    def __getitem__(self, n):
        return self._length(n)


#: L{_bulkFraming} and L{_walkHead} by length, for the lengths pipelines
#: mostly carry: list lookups save a third of L{_headerWalk}'s loop.
_STEPS = [_bulkFraming(size) for size in range(4096)]
_HEADS = [_walkHead(count) for count in range(4096)]
_ANY_STEPS = _Unbounded(_bulkFraming)
_ANY_HEADS = _Unbounded(_walkHead)


def _headerWalk(commands, data, steps=_STEPS, heads=_HEADS):
    """
    Where the canonical encoding of C{commands} ends in C{data}, checking
    the type byte at every header's canonical position ('*' or '$'): with
    hiredis's strict lengths and line ends, that proves the bytes before
    are exactly that encoding, so Redis frames them alike.  (hiredis takes
    some RESP3 types Redis refuses, and returns '+', '=' and '(' elements
    as bulk strings, '~' and '|' aggregates as arrays.)

    It replaces a regular expression scanning every byte, which cost more
    than hiredis itself; counting and gathering in C (translate, repr of
    the lengths, itemgetter) measured slower than this loop.

    @param commands: the lists hiredis returned.
    @param steps: L{_bulkFraming} by payload length.
    @param heads: L{_walkHead} by argument count.
    @return: the length of the encoding, or -1 if C{data} does not start
        with it.
    """
    pos = 0
    try:
        for command in commands:
            if data[pos] != 0x2A:
                return -1
            pos += heads[len(command)]
            for arg in command:
                if data[pos] != 0x24:
                    # An element that is not a bulk string.
                    return -1
                # A '$' header gives bytes, or None for $-1 (TypeError).
                pos += steps[len(arg)]
    except TypeError:
        return -1
    except IndexError:
        # Past the end of the data (the framing is not canonical), or
        # past the lists: walk again without their bound.
        if steps is _STEPS:
            return _headerWalk(commands, data, _ANY_STEPS, _ANY_HEADS)
        return -1
    return pos


#: A command's shape (its argument lengths) to its canonical encoding
#: with C{%s} for each argument (L{_uniformEnd}).
_SHAPES = {}
_SHAPES_MAX = 1024
_SHAPE_ARGS_MAX = 64
_UNPROVED = (-1, None)


def _uniformEnd(commands, data, shapes=_SHAPES):
    """
    Where the commands end in C{data} if they are all shaped alike (one
    argument count, the same argument lengths: a benchmark, a pipeline of
    fixed-width keys), proved without L{_headerWalk}'s loop over every
    argument: their canonical encoding, formatted in C from a template of
    that shape, is the start of C{data}.

    @param commands: what hiredis returned, two or more.
    @return: C{(end, shape)}: the length of their encoding and their
        shape, or C{(-1, None)} if the proof does not apply
        (L{_headerWalk} decides).
    """
    try:
        if len(commands[0]) != len(commands[-1]):
            return _UNPROVED
        shape = (*map(len, commands[0]),)
        if shape != (*map(len, commands[-1]),):
            # Most pipelines of varied commands or lengths show it here,
            # before any formatting.
            return _UNPROVED
        template = shapes.get(shape)
        if template is None:
            if not 0 < len(shape) <= _SHAPE_ARGS_MAX:
                # *0, which Redis skips, or a template too large to keep.
                return _UNPROVED
            template = b"*%d\r\n" % (len(shape),) + b"".join([b"$%d\r\n%%s\r\n" % (size,) for size in shape])
            if len(shapes) >= _SHAPES_MAX:
                shapes.clear()
            shapes[shape] = template
        encoded = (template * len(commands)) % tuple(_flatten(commands))
    except TypeError:
        # Not commands of that shape: hiredis returned something else, or
        # a command has another argument count.
        return _UNPROVED
    end = len(encoded)
    if data[:end] != encoded if end < len(data) else data != encoded:
        return _UNPROVED
    return end, shape


#: A shape (argument lengths) to C{(findall, size)}: the C{findall} of a
#: pattern matching one canonical encoding of a command of that shape,
#: capturing its arguments, and that encoding's length.  Only shapes of
#: 2 to C{_FINDER_ARGS_MAX} arguments shorter than C{_FINDER_ARG_MAX}
#: bytes get one (a single group would make C{findall} return strings).
_FINDERS = {}
_FINDERS_MAX = 256
_FINDER_ARGS_MAX = 16
_FINDER_ARG_MAX = 65536


def _finder(shape):
    """
    @return: the L{_FINDERS} entry for C{shape}, compiled on first use.
    """
    finder = _FINDERS.get(shape)
    if finder is None:
        pattern = b"\\*%d\r\n" % (len(shape),) + b"".join(
            [b"\\$%d\r\n(.{%d})\r\n" % (size, size) for size in shape]
        )
        size = _walkHead(len(shape)) + sum(map(_bulkFraming, shape))
        if len(_FINDERS) >= _FINDERS_MAX:
            _FINDERS.clear()
        finder = _FINDERS[shape] = (re.compile(pattern, re.DOTALL).findall, size)
    return finder


def _bigClaim(maxBulkLen):
    return re.compile(rb"\$[0-9]{%d}" % (len(str(maxBulkLen)),))


def _encodedLength(argv):
    """
    The bytes a command occupies in canonical framing, as a master sends
    it and as hiredis accepts it (its string2ll is Redis's).

    @param argv: a sequence of L{bytes}.
    @return: the length of C{encodeCommand(argv)}, without building it.
    """
    return 3 + len(str(len(argv))) + sum(map(_bulkFraming, map(len, argv)))


#: What hiredis returns while no reply is complete: no reply equals it, as
#: C{:0} and C{#f} equal hiredis's default, C{False}.
_WAITING = object()


def _delegate(name):
    # The limits live on the exact parser, which enforces them; while any
    # is below Redis's defaults every read goes to it.
    def get(self):
        return getattr(self._fallback, name)

    def set(self, value):
        fallback = self._fallback
        setattr(fallback, name, value)
        self._restricted = fallback.maxArgs < _INT_MAX or fallback.maxUnauthBulk is not None
        self._bigClaim = _bigClaim(fallback.maxBulkLen)

    return property(get, set)


class HiredisRequestParser:
    """
    A L{RequestParser} whose common case, multibulk requests of bulk
    strings, is framed by C{hiredis.Reader}.

    Everything hiredis cannot frame as Redis does (inline commands, non-bulk
    elements, errors, claimed lengths over the limits, commands too large to
    buffer blindly) is replayed through the pure-Python parser from the last
    command boundary, so both produce identical commands and errors.

    A connection that sends reads of one shape again and again (a
    pipeline of commands with one argument count and the same argument
    lengths, as benchmarks and fixed-width keys give) has them framed by a
    regular expression matching exactly the canonical encoding of that
    shape (L{_finder}) once two reads in a row showed it, without hiredis.
    """

    maxArgs = _delegate("maxArgs")
    maxUnauthBulk = _delegate("maxUnauthBulk")
    maxBulkLen = _delegate("maxBulkLen")

    def __init__(self, hiredis, maxBulkLen=MAX_BULK_LEN):
        self._hiredis = hiredis
        self._fallback = RequestParser(maxBulkLen)
        self._reader = hiredis.Reader(notEnoughData=_WAITING)
        self._hiredisError = hiredis.ProtocolError
        self._bigClaim = _bigClaim(maxBulkLen)
        # Bytes fed to hiredis since the last command boundary, how many of
        # them the commands it returned occupy, and those commands (what a
        # replay must skip).
        self._pending = []
        self._fed = 0
        self._consumed = 0
        self._done = []
        self._tail = b""
        self._restricted = False
        self._shape = None
        self._finder = None
        #: L{True} while a partial command is held (not L{idle}), kept by
        #: every path of L{feed} but the common one, which holds nothing.
        self.partial = False

    def idle(self):
        """
        @return: L{True} if no partial command is buffered.
        """
        return not self._pending and self._fallback.idle()

    def buffered(self):
        """
        @return: the number of bytes held for a partial command.
        """
        return self._fed - self._consumed + self._fallback.buffered()

    def feed(self, data):
        """
        See L{RequestParser.feed}.
        """
        finder = self._finder
        if finder is not None:
            # The shape of the last two reads: a read of whole commands
            # of it is framed by its pattern (matches of one length that
            # add up to the read tile it), any other by what follows.
            found = finder[0](data)
            if len(found) * finder[1] == len(data) and not self._restricted:
                return list(map(list, found)), None
            self._finder = None
        if self.partial or self._restricted or not data or data[0] != 0x2A or _BIG_COUNT.search(data) is not None:
            result = self._feedOther(data)
        else:
            commands = self._frame(data)
            if commands is None:
                result = self._replay(data)
            else:
                pos = -1
                if len(commands) > 4:
                    # The template pays from about five commands.
                    pos, shape = _uniformEnd(commands, data)
                    if pos == len(data):
                        self._learn(shape)
                if pos < 0:
                    pos = _headerWalk(commands, data)
                if pos == len(data):
                    # The common case: whole commands, and nothing was or
                    # is held.
                    return commands, None
                result = self._holdRest(data, commands, pos)
        self.partial = not self.idle()
        return result

    def _learn(self, shape):
        """
        Note the shape of a read of whole commands all of that shape
        (L{_uniformEnd}): the same twice in a row, later reads are tried
        with its pattern first.
        """
        if shape == self._shape and 1 < len(shape) <= _FINDER_ARGS_MAX and max(shape) < _FINDER_ARG_MAX:
            self._finder = _finder(shape)
        self._shape = shape

    def _feedOther(self, data):
        """
        Feed a read the common path of L{feed} does not take: the rest of
        a partial command, a read while the unauthenticated limits apply,
        inline commands, or a claimed count hiredis would allocate.
        """
        if not data:
            return [], None
        fallback = self._fallback
        if fallback._args is not None or fallback._buf or fallback._chunks is not None:
            # The exact parser holds a partial command: it finishes it.
            return fallback.feed(data)
        if self._restricted:
            return self._replay(data)
        if self._pending:
            return self._feedPending(data)
        if data[0] != 0x2A:
            commands = _plainInline(data)
            if commands is None:
                return self._replay(data)
            return commands, None
        # A claimed count hiredis would allocate.
        return self._replay(data)

    def _holdRest(self, data, commands, pos):
        """
        Return the whole commands hiredis framed in a read that ends with a
        partial one, holding its bytes if hiredis frames them as Redis
        does.

        @param pos: where the whole commands end (L{_headerWalk}).
        """
        fed = len(data)
        if pos < 0 or pos > fed:
            return self._replay(data)
        rest = data[pos:]
        if (
            rest[0] != 0x2A
            or _SUSPECT.search(rest) is not None
            or fed - pos > INLINE_MAX
            or self._bigClaim.search(rest) is not None
        ):
            # What follows the last whole command is not a partial command
            # hiredis frames as Redis does (see _feedPending).
            return self._replay(data)
        self._pending.append(rest)
        self._fed = len(rest)
        self._consumed = 0
        self._done = []
        self._tail = rest[-12:]
        return commands, None

    def _frame(self, data):
        """
        Feed hiredis and take the replies it completes.

        They are taken in C, not checked: L{_headerWalk} refuses anything
        but multibulks of bulk strings.

        @return: a L{list} of them, or L{None} on a hiredis error.
        """
        reader = self._reader
        reader.feed(data)
        gets = reader.gets
        try:
            # Without pipelining a read holds one command: taking it by
            # hand, and seeing that no byte follows it (has_data() parses
            # no arguments, where gets() does), costs less than setting up
            # the iteration in C.
            first = gets()
            if first is _WAITING:
                return []
            if not reader.has_data():
                return [first]
            return [first, *iter(gets, _WAITING)]
        except self._hiredisError:
            return None

    def _feedPending(self, data):
        """
        Feed a read that continues a partial command: the bytes since the
        last command boundary are screened as a whole, as their headers'
        positions are not known.
        """
        if self._tail[-1] == 0x0A and data[0] in _SUSPECT_START:
            return self._replay(data)
        scanned = self._tail + data
        if _SUSPECT.search(scanned) is not None or _BIG_COUNT.search(scanned) is not None:
            return self._replay(data)
        commands = self._frame(data)
        if commands is None:
            return self._replay(data)
        fed = self._fed + len(data)
        consumed = self._consumed
        if commands:
            # Every command is checked before it is returned: the bytes
            # both parsers skip after a payload may hide a type byte from
            # the screen above.
            done = self._done + commands
            consumed = _headerWalk(done, b"".join(self._pending) + data)
            if consumed < 0:
                return self._replay(data)
            if consumed == fed:
                # At a command boundary: nothing to remember.
                self._pending = []
                self._done = []
                self._fed = self._consumed = 0
                return commands, None
        if (
            consumed > fed
            or fed - consumed > INLINE_MAX
            or self._bigClaim.search(scanned) is not None
        ):
            # Non-canonical framing, a claim the exact parser refuses at
            # once, or a large command, which it accumulates without
            # re-scanning.
            return self._replay(data)
        self._pending.append(data)
        self._fed = fed
        self._consumed = consumed
        if commands:
            self._done = done
        self._tail = data[-12:] if len(data) >= 12 else (self._tail + data)[-12:]
        return commands, None

    def resume(self):
        """
        See L{RequestParser.resume}.
        """
        result = self._fallback.resume()
        self.partial = not self.idle()
        return result

    def _replay(self, data):
        """
        Frame everything since the last command boundary with the exact
        parser, returning only the commands not returned before.

        @param data: the bytes of this read, not yet in C{_pending}.
        """
        pending = b"".join(self._pending) + data if self._pending else data
        skip = len(self._done)
        self._pending = []
        self._fed = self._consumed = 0
        self._done = []
        self._tail = b""
        self._reader = self._hiredis.Reader(notEnoughData=_WAITING)
        commands, error = self._fallback.feed(pending)
        return commands[skip:], error
