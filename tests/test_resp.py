"""
Tests for L{txredisd.resp}: request framing by both parsers, and reply
encoding in RESP2 and RESP3.

The two parsers must agree with each other and with Redis 7.0's
C{processMultibulkBuffer}/C{processInlineBuffer} on every vector, whole,
byte at a time and split anywhere; the replies these vectors produce are
checked against a real redis-server in
L{tests.differential.test_protocol}.
"""

import random

import hiredis
from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from txredisd.errors import CommandError
from txredisd.resp import (
    EMPTY_ARRAY,
    INLINE_MAX,
    MAX_BULK_LEN,
    NULL_ARRAY,
    OK,
    HiredisRequestParser,
    Map,
    Push,
    Raw,
    RequestParser,
    Set,
    Status,
    Verbatim,
    _encodedLength,
    encode,
    encodeBulks,
    encodeCommand,
    splitArgs,
)

_SET = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"

#: (request bytes, the commands framed before any error, the protocol error
#: text or None).  Each is also a reply vector in tests.differential.
PARSE_VECTORS = [
    # Multibulk.
    (b"*1\r\n$4\r\nPING\r\n", [[b"PING"]], None),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n", [[b"SET", b"k", b"v\r\n"]], None),
    (b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [[b"ECHO", b""]], None),
    (b"*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n", [[b"ECHO", b"a\x00b"]], None),
    (b"*2\r\n$4\r\nECHO\r\n$6\r\n\r\n*1\r\n\r\n", [[b"ECHO", b"\r\n*1\r\n"]], None),
    # Redis skips the two bytes after a payload unchecked.
    (b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", [[b"PING"], [b"PING"]], None),
    # Empty and null multibulks are ignored.
    (b"*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n", [[b"PING"]], None),
    # Inline commands, with \r\n or a bare \n; blank lines are ignored.
    (b"PING\r\n", [[b"PING"]], None),
    (b"PING\nECHO a\n", [[b"PING"], [b"ECHO", b"a"]], None),
    (b"\r\n\n  \r\nPING\r\n", [[b"PING"]], None),
    (b"  SET  k \t v  \r\n", [[b"SET", b"k", b"v"]], None),
    # Words end at space, tab, CR, LF; vertical tab and form feed are
    # only skipped before a word.
    (b"ECHO \x0ba\x0bb\x0c \x0c\r\n", [[b"ECHO", b"a\x0bb\x0c"]], None),
    (b"PING\rECHO a\r\r\n \r\n", [[b"PING", b"ECHO", b"a"]], None),
    (b'ECHO "a\\x41b\\n\\r\\t\\b\\a\\"\\\\"\r\n', [[b"ECHO", b'aAb\n\r\t\b\a"\\']], None),
    (b'ECHO "a\\xZZ"\r\n', [[b"ECHO", b"axZZ"]], None),
    (b"ECHO 'a\\'b\\n'\r\n", [[b"ECHO", b"a'b\\n"]], None),
    (b'ECHO "" \'\'\r\n', [[b"ECHO", b"", b""]], None),
    (b'ECHO "a b"c\r\n', [], "unbalanced quotes in request"),
    (b"ECHO 'ab\r\n", [], "unbalanced quotes in request"),
    (b'PING\r\nECHO "ab\r\nPING\r\n', [[b"PING"]], "unbalanced quotes in request"),
    # Inline after multibulk in the same read, and the other way round.
    (b"*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$4\r\nPING\r\n", [[b"PING"]] * 3, None),
    # What hiredis would frame as RESP3 types is an inline command at the
    # top level and an error inside a multibulk.
    (b"~1\r\n$4\r\nPING\r\n", [[b"~1"], [b"$4"], [b"PING"]], None),
    (b">1\r\n$4\r\nPING\r\n", [[b">1"], [b"$4"], [b"PING"]], None),
    (b"|1\r\n$1\r\na\r\n", [[b"|1"], [b"$1"], [b"a"]], None),
    (b"*1\r\n+PING\r\n", [], "expected '$', got '+'"),
    (b"*1\r\n=8\r\ntxt:PING\r\n", [], "expected '$', got '='"),
    (b"*1\r\n(12\r\n", [], "expected '$', got '('"),
    (b"*1\r\n:1\r\n", [], "expected '$', got ':'"),
    (b"*1\r\n*1\r\n$1\r\na\r\n", [], "expected '$', got '*'"),
    # The same after a whole command in the same read, and element types
    # whose lengths balance out (hiredis returns "+ab" and "=6 txt:ab" both
    # as b"ab", three bytes shorter and longer than "$2 ab").
    (b"*1\r\n$4\r\nPING\r\n~1\r\n$4\r\nPING\r\n", [[b"PING"], [b"~1"], [b"$4"], [b"PING"]], None),
    (b"*1\r\n$4\r\nPING\r\n|1\r\n$1\r\na\r\n", [[b"PING"], [b"|1"], [b"$1"], [b"a"]], None),
    (b"*1\r\n$4\r\nPING\r\n*1\r\n+PING\r\n", [[b"PING"]], "expected '$', got '+'"),
    (b"*3\r\n$4\r\nECHO\r\n+ab\r\n=6\r\ntxt:ab\r\n", [], "expected '$', got '+'"),
    (b"*3\r\n$4\r\nECHO\r\n=6\r\ntxt:ab\r\n+ab\r\n", [], "expected '$', got '='"),
    # Top-level replies hiredis takes as equal to False (:0, #f, ,0) and
    # empty multibulks after whole commands.
    (b"*1\r\n$4\r\nPING\r\n:0\r\n*1\r\n$4\r\nPING\r\n", [[b"PING"], [b":0"], [b"PING"]], None),
    (
        b"*1\r\n$4\r\nPING\r\n#f\r\n,0\r\n*0\r\n*1\r\n$4\r\nPING\r\n",
        [[b"PING"], [b"#f"], [b",0"], [b"PING"]],
        None,
    ),
    (b"*1\r\n$4\r\nPING\r\n*0\r\n*1\r\n$4\r\nPING\r\n", [[b"PING"], [b"PING"]], None),
    # Redis ends a header at its CR whatever follows.
    (b"*1\r\n$4\r\nPING\r\n*1\r\n$4\rXPING\r\n", [[b"PING"], [b"PING"]], None),
    (b"*1\r\n%1\r\n$1\r\na\r\n$1\r\nb\r\n", [], "expected '$', got '%'"),
    (b"*2\r\n$4\r\nECHO\r\nx\r\n", [], "expected '$', got 'x'"),
    # Five or more commands of one shape (one argument count, the same
    # lengths) are proved canonical in one piece (resp._uniformEnd); any
    # element framed otherwise, however its length adds up, is still
    # found.
    (_SET * 6, [[b"SET", b"k", b"v"]] * 6, None),
    (_SET * 3 + b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n+v\r\n" + _SET * 2, [[b"SET", b"k", b"v"]] * 3, "expected '$', got '+'"),
    (_SET * 3 + b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvxy" + _SET * 2, [[b"SET", b"k", b"v"]] * 6, None),
    (_SET * 5 + b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n", [[b"SET", b"k", b"v"]] * 5, None),
    (b"*0\r\n" * 6 + _SET, [[b"SET", b"k", b"v"]], None),
    (
        _SET + b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" * 3 + _SET,
        [[b"SET", b"k", b"v"]] + [[b"GET", b"k"]] * 3 + [[b"SET", b"k", b"v"]],
        None,
    ),
    # Commands before the error in the same read are framed.
    (b"*1\r\n$4\r\nPING\r\n*x\r\n", [[b"PING"]], "invalid multibulk length"),
    (b"*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$x\r\n", [[b"PING"], [b"PING"]], "invalid bulk length"),
    # Counts and lengths: string2ll rules.
    (b"*01\r\n$4\r\nPING\r\n", [], "invalid multibulk length"),
    (b"*+1\r\n$4\r\nPING\r\n", [], "invalid multibulk length"),
    (b"* 1\r\n", [], "invalid multibulk length"),
    (b"*\r\n", [], "invalid multibulk length"),
    (b"*3000000000\r\n", [], "invalid multibulk length"),
    (b"*1\r\n$04\r\nPING\r\n", [], "invalid bulk length"),
    (b"*1\r\n$-1\r\n", [], "invalid bulk length"),
    (b"*1\r\n$\r\n", [], "invalid bulk length"),
    (b"*1\r\n$4x\r\n", [], "invalid bulk length"),
    (b"*1\r\n$%d\r\n" % (MAX_BULK_LEN + 1,), [], "invalid bulk length"),
    # Limits on lines without an end.
    (b"x" * (INLINE_MAX + 1), [], "too big inline request"),
    (b"*" + b"1" * (INLINE_MAX + 1), [], "too big mbulk count string"),
    (b"*1\r\n$" + b"1" * (INLINE_MAX + 1), [], "too big bulk count string"),
    # Redis finds line ends with strchr(), which stops at a NUL byte.
    (b"ECHO a\x00b\r\nPING\r\n", [], None),
    (b"*1\x00\r\n$4\r\nPING\r\n", [], None),
    (b"*1\r\n$4\x00\r\nPING\r\n", [], None),
    (b"PING\x00\r\n" + b"x" * INLINE_MAX, [], "too big inline request"),
    # Incomplete commands wait.
    (b"*2\r\n$4\r\nECHO\r\n$3\r\nab", [], None),
    (b"*1\r\n$%d\r\nab" % (MAX_BULK_LEN,), [], None),
    (b"*2\r\n$3\r\nGET\r\n", [], None),
    (b"*10000\r\n$4\r\nPING\r\n", [], None),
    (b"*2", [], None),
    (b"PING", [], None),
]


def makeParsers():
    """
    @return: a fresh pure-Python parser and a fresh hiredis parser.
    """
    return [RequestParser(), HiredisRequestParser(hiredis)]


def feedChunks(parser, chunks):
    """
    Feed chunks in order, stopping at the first error, as the protocol does,
    checking after each that the parser's C{partial} (what the protocol
    reads) agrees with its C{idle()}.

    @return: C{(commands, error text or None)}.
    """
    commands = []
    for chunk in chunks:
        framed, error = parser.feed(chunk)
        assert parser.partial is not parser.idle(), (type(parser).__name__, chunk)
        commands.extend(framed)
        if error is not None:
            return commands, str(error)
    return commands, None


def byteAtATime(data):
    return [data[i : i + 1] for i in range(len(data))]


def splitAt(data, cuts):
    """
    @return: C{data} cut at the given offsets.
    """
    cuts = sorted(set(c for c in cuts if 0 < c < len(data)))
    return [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]


class ParserVectorTests(SynchronousTestCase):
    """
    Both request parsers frame every vector as Redis does.
    """

    def assertVectors(self, split, vectors=PARSE_VECTORS):
        for data, commands, error in vectors:
            for parser in makeParsers():
                got = feedChunks(parser, split(data))
                self.assertEqual(
                    got, (commands, error), "%r with %s" % (data[:60], type(parser).__name__)
                )

    def test_whole(self):
        """
        Each vector fed in one read gives the expected commands and error.
        """
        self.assertVectors(lambda data: [data])

    def test_byteAtATime(self):
        """
        Each vector fed one byte per read gives the same commands and error.
        """
        # The long vectors one byte at a time are slow and say nothing new.
        self.assertVectors(byteAtATime, [v for v in PARSE_VECTORS if len(v[0]) < 1024])

    def test_twoReads(self):
        """
        Each vector split in two at every offset gives the same result.
        """
        for data, commands, error in PARSE_VECTORS:
            if len(data) > 200:
                continue
            for cut in range(1, len(data)):
                for parser in makeParsers():
                    self.assertEqual(
                        feedChunks(parser, [data[:cut], data[cut:]]),
                        (commands, error),
                        "%r cut at %d with %s" % (data, cut, type(parser).__name__),
                    )

    def test_hiredisPartialCountHeader(self):
        """
        A multibulk whose C{*N} header arrives without its line end, then
        the rest, is framed once (hiredis buffers the partial header).
        """
        for parser in makeParsers():
            self.assertEqual(parser.feed(b"*"), ([], None))
            self.assertEqual(parser.feed(b"2"), ([], None))
            self.assertEqual(parser.feed(b"\r"), ([], None))
            self.assertEqual(parser.feed(b"\n$4\r\nECHO\r\n$1\r\na\r\n*1"), ([[b"ECHO", b"a"]], None))
            self.assertEqual(parser.feed(b"\r\n$4\r\nPING\r\n"), ([[b"PING"]], None))
            self.assertTrue(parser.idle())

    def test_lowerMaxBulkLen(self):
        """
        With a lower C{proto-max-bulk-len}, a bulk claiming more is refused
        as soon as its header arrives, and one within it is accepted.
        """
        for parser in [RequestParser(1000), HiredisRequestParser(hiredis, 1000)]:
            self.assertEqual(
                parser.feed(b"*2\r\n$4\r\nECHO\r\n$999\r\nab"), ([], None)
            )
            self.assertEqual(parser.feed(b"c" * 997 + b"\r\n"), ([[b"ECHO", b"ab" + b"c" * 997]], None))
            self.assertEqual(
                feedChunks(parser, [b"*2\r\n$4\r\nECHO\r\n$1001\r\nab"]), ([], "invalid bulk length")
            )

    def test_commandsAcrossReadsReturnedOnce(self):
        """
        Commands hiredis framed before a read that needs the exact parser
        are not framed again by it.
        """
        parser = HiredisRequestParser(hiredis)
        self.assertEqual(parser.feed(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nEC"), ([[b"PING"]], None))
        self.assertEqual(
            parser.feed(b"HO\r\n$1\r\na\r\nPING\r\n"), ([[b"ECHO", b"a"], [b"PING"]], None)
        )
        self.assertTrue(parser.idle())


class BufferingTests(SynchronousTestCase):
    """
    The parsers hold only the bytes that arrived, and nothing once a
    command is complete.
    """

    def test_claimedLengthNotAllocated(self):
        """
        A 500MB bulk claimed with a few bytes sent holds only those bytes,
        however many reads they come in.
        """
        header = b"*2\r\n$3\r\nSET\r\n$%d\r\n" % (500 * 1024 * 1024,)
        for parser in makeParsers():
            parser.feed(header)
            for _ in range(10):
                parser.feed(b"x" * 1000)
            self.assertLessEqual(parser.buffered(), len(header) + 10000)
            self.assertFalse(parser.idle())

    def test_claimedCountNotAllocated(self):
        """
        A multibulk claiming a billion arguments is held by the exact
        parser, which allocates per argument received, never by hiredis,
        which would allocate (and later free, one slot at a time) a list of
        the claimed size.
        """
        for parser in makeParsers():
            parser.feed(b"*1000000000\r\n$3\r\nSET\r\n")
            self.assertEqual(parser.feed(b"$1\r\nk\r\n"), ([], None))
            self.assertEqual(parser.buffered(), 0)
            self.assertFalse(parser.idle())
        self.assertFalse(parser._fallback.idle())
        self.assertEqual(parser._pending, [])

    def test_largeBulkAccumulated(self):
        """
        A 1MB argument arriving in 16KB reads is framed exactly once, and
        the parser is empty afterwards.
        """
        value = bytes(range(256)) * 4096
        data = encodeCommand([b"SET", b"k", value]) + b"*1\r\n$4\r\nPING\r\n"
        for parser in makeParsers():
            chunks = [data[i : i + 16384] for i in range(0, len(data), 16384)]
            self.assertEqual(
                feedChunks(parser, chunks), ([[b"SET", b"k", value], [b"PING"]], None)
            )
            self.assertEqual(parser.buffered(), 0)
            self.assertTrue(parser.idle())

    def test_nothingHeldAfterCompleteCommands(self):
        """
        After many complete commands nothing is buffered (hiredis's framed
        bytes are accounted exactly).
        """
        data = encodeCommand([b"SET", b"key" * 5, b"v" * 123]) * 50
        for parser in makeParsers():
            for _ in range(20):
                parser.feed(data)
            self.assertEqual(parser.buffered(), 0)
            self.assertTrue(parser.idle())

    def test_partialHeld(self):
        """
        A partial command is counted in C{buffered()} until it completes.
        """
        for parser in makeParsers():
            parser.feed(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nab")
            self.assertGreater(parser.buffered(), 0)
            self.assertEqual(parser.feed(b"c\r\n"), ([[b"ECHO", b"abc"]], None))
            self.assertEqual(parser.buffered(), 0)


_arg = st.binary(max_size=40)
_inlineArg = st.binary(min_size=1, max_size=10).filter(
    lambda a: not any(c in a for c in b" \t\n\r\v\f\"'\x00")
)
_command = st.one_of(
    st.lists(_arg, min_size=1, max_size=5).map(lambda argv: (argv, encodeCommand(argv))),
    st.lists(_inlineArg, min_size=1, max_size=4)
    .filter(lambda argv: argv[0][:1] != b"*")
    .map(lambda argv: (argv, b" ".join(argv) + b"\r\n")),
)
_brokenTail = st.sampled_from(
    [(b"", None)] + [(data, error) for data, commands, error in PARSE_VECTORS if error and not commands]
)


class SplitPropertyTests(SynchronousTestCase):
    """
    Both parsers frame a pipelined stream the same way however it is cut.
    """

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(_command, min_size=1, max_size=12),
        _brokenTail,
        st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
    )
    def test_randomSplits(self, commands, tail, cuts):
        """
        Random splits of a pipeline of multibulk and inline commands, with
        or without a broken request at the end, frame the same commands and
        error in both parsers as the stream in one read.
        """
        brokenData, brokenError = tail
        data = b"".join(encoded for _, encoded in commands) + brokenData
        expected = ([argv for argv, _ in commands], brokenError)
        for parser in makeParsers():
            self.assertEqual(feedChunks(parser, splitAt(data, cuts)), expected)


# One request element as a client may frame it: canonically, or as the
# RESP3 types hiredis accepts where Redis wants a bulk string, with payloads
# and skipped trailing bytes that may hold type bytes themselves.
_payload = st.binary(max_size=12).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
_trailer = st.sampled_from([b"\r\n", b"\r\n", b"\r\n", b"$$", b"*+", b"=(", b"xx"])
_element = st.one_of(
    st.tuples(_payload, _trailer).map(lambda p: b"$%d\r\n%s%s" % (len(p[0]), p[0], p[1])),
    _payload.map(lambda p: b"+%s\r\n" % (p,)),
    _payload.map(lambda p: b"(%s\r\n" % (p,)),
    st.tuples(st.sampled_from([b"txt", b"$$$", b"*=+"]), _payload).map(
        lambda p: b"=%d\r\n%s:%s\r\n" % (len(p[1]) + 4, p[0], p[1])
    ),
)
_request = st.tuples(
    st.sampled_from([b"*", b"*", b"*", b"~", b"|"]), st.lists(_element, min_size=1, max_size=4)
).map(lambda r: b"%s%d\r\n%s" % (r[0], len(r[1]), b"".join(r[1])))


class MixedTypesPropertyTests(SynchronousTestCase):
    """
    Requests mixing bulk strings with the RESP3 types hiredis takes frame
    exactly as the pure-Python parser (Redis's rules) frames them, whatever
    their lengths add up to.
    """

    @settings(max_examples=500, deadline=None)
    @given(st.lists(_request, min_size=1, max_size=6), st.lists(st.integers(0, 300), max_size=3))
    def test_sameAsExactParser(self, requests, cuts):
        data = b"".join(requests)
        expected = feedChunks(RequestParser(), [data])
        self.assertEqual(feedChunks(HiredisRequestParser(hiredis), splitAt(data, cuts)), expected)


def uniformCommands(rng, lengths, count):
    """
    @return: C{count} commands whose arguments have the given lengths,
        their bytes drawn by C{rng} among RESP's own.
    """
    return [[bytes(rng.choice(b"ab\r\n$*+") for _ in range(size)) for size in lengths] for _ in range(count)]


def reframed(rng, commands, element):
    """
    @return: the commands encoded, with one element of one of them, drawn
        by C{rng}, replaced by C{element}.
    """
    encoded = [encodeCommand(argv) for argv in commands]
    which = rng.randrange(len(commands))
    arg = rng.randrange(len(commands[which]))
    encoded[which] = b"*%d\r\n" % (len(commands[which]),) + b"".join(
        element if j == arg else b"$%d\r\n%s\r\n" % (len(a), a) for j, a in enumerate(commands[which])
    )
    return b"".join(encoded)


class UniformPipelineTests(SynchronousTestCase):
    """
    Pipelines of commands of one shape, which the hiredis parser proves
    canonical in one piece, with one element framed by a client in any
    way: the hiredis parser frames them as the pure-Python parser does.
    """

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.integers(0, 6), min_size=1, max_size=3),
        st.integers(5, 20),
        st.integers(0, 1000),
        _element,
        st.lists(st.integers(0, 2000), max_size=2),
    )
    def test_sameAsExactParser(self, lengths, count, seed, element, cuts):
        rng = random.Random(seed)
        data = reframed(rng, uniformCommands(rng, lengths, count), element)
        expected = feedChunks(RequestParser(), [data])
        self.assertEqual(feedChunks(HiredisRequestParser(hiredis), splitAt(data, cuts)), expected)

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.integers(0, 6), min_size=2, max_size=3),
        st.integers(5, 12),
        st.integers(0, 1000),
        _element,
        st.lists(st.integers(0, 2000), max_size=2),
        st.sampled_from([b"", b"PING\r\n", b"*1\r\n$4\r\nPING\r\n", b"*3\r\n$3"]),
    )
    def test_afterTheShapeIsKnown(self, lengths, count, seed, element, cuts, extra):
        """
        After two reads of one shape, later reads are first tried with a
        pattern of that shape: however they differ from it (a reframed
        element, another command, a partial command, an inline one, cut
        anywhere), they frame as the exact parser frames them.
        """
        rng = random.Random(seed)
        first, second = uniformCommands(rng, lengths, count), uniformCommands(rng, lengths, count)
        known = [b"".join(map(encodeCommand, first)), b"".join(map(encodeCommand, second))]
        data = reframed(rng, uniformCommands(rng, lengths, count), element) + extra
        chunks = known + splitAt(data, cuts)
        expected = feedChunks(RequestParser(), chunks)
        parser = HiredisRequestParser(hiredis)
        self.assertEqual(feedChunks(parser, chunks[:2]), (first + second, None))
        self.assertIsNotNone(parser._finder)
        self.assertEqual(feedChunks(parser, chunks), expected)

    def test_patternFrames(self):
        """
        Once two reads showed one shape, reads of whole commands of it are
        framed by its pattern, as lists; another shape stops it.
        """
        parser = HiredisRequestParser(hiredis)
        reads = [[[b"SET", b"key:%06d" % (i + n,), b"v%d" % (n,)] for i in range(8)] for n in range(4)]
        for n, commands in enumerate(reads[:3]):
            self.assertEqual(parser.feed(b"".join(map(encodeCommand, commands))), (commands, None))
            self.assertEqual(parser._finder is not None, n > 0)
        commands = [[b"GET", b"key:%06d" % (i,)] for i in range(8)]
        self.assertEqual(parser.feed(b"".join(map(encodeCommand, commands))), (commands, None))
        self.assertIsNone(parser._finder)
        framed, error = parser.feed(b"".join(map(encodeCommand, reads[3])))
        self.assertEqual((framed, error), (reads[3], None))
        self.assertEqual({type(argv) for argv in framed}, {list})

    def test_whole(self):
        """
        A uniform pipeline in one read is framed whole, nothing held.
        """
        parser = HiredisRequestParser(hiredis)
        commands = [[b"GET", b"key:%06d" % (i,)] for i in range(16)]
        self.assertEqual(parser.feed(b"".join(map(encodeCommand, commands))), (commands, None))
        self.assertTrue(parser.idle())


class SplitArgsTests(SynchronousTestCase):
    """
    L{splitArgs} is Redis's C{sdssplitargs}.
    """

    def test_plain(self):
        """
        Blanks separate arguments.
        """
        self.assertEqual(splitArgs(b" a\tbb  c "), [b"a", b"bb", b"c"])

    def test_quotes(self):
        """
        Double quotes take escapes, single quotes only C{\\'}.
        """
        self.assertEqual(splitArgs(b'"\\x00\\xfF" \'\\x41\''), [b"\x00\xff", b"\\x41"])

    def test_unbalanced(self):
        """
        An unclosed quote, or a closing quote not followed by a blank, is
        unbalanced.
        """
        for line in [b'"a', b"'a", b'"a"b', b"'a'b", b'a "b\\"']:
            self.assertIsNone(splitArgs(line), line)


class EncodeTests(SynchronousTestCase):
    """
    Every reply type in RESP2 and RESP3.
    """

    def assertEncodes(self, value, resp2, resp3):
        self.assertEqual(encode(value, False), resp2)
        self.assertEqual(encode(value, True), resp3)

    def test_bulk(self):
        """
        Bytes are a bulk string, binary-safe.
        """
        self.assertEncodes(b"a\r\n\x00", b"$4\r\na\r\n\x00\r\n", b"$4\r\na\r\n\x00\r\n")
        self.assertEncodes(b"", b"$0\r\n\r\n", b"$0\r\n\r\n")

    def test_bulkLengths(self):
        """
        Bulk strings in arrays have the right header on both sides of the
        table of common lengths.
        """
        for size in (9, 10, 4095, 4096, 100000):
            value = b"v" * size
            bulk = b"$%d\r\n%s\r\n" % (size, value)
            self.assertEncodes([value, b"k"], b"*2\r\n" + bulk + b"$1\r\nk\r\n", b"*2\r\n" + bulk + b"$1\r\nk\r\n")

    def test_bulksOfOneLength(self):
        """
        encodeBulks joins bulk strings of one length, as encode() would
        write them one by one; it declines a miss, another length, or a
        run of many bytes.
        """
        values = [b"abc", b"\r\n\x00", b"xyz"]
        encoded = encodeBulks(values)
        self.assertIsInstance(encoded, Raw)
        self.assertEqual(encoded, b"".join(encode(v) for v in values))
        self.assertEqual(encodeBulks([b""] * 3), b"$0\r\n\r\n" * 3)
        self.assertEqual(encodeBulks([b"x" * 5000] * 2), encode(b"x" * 5000) * 2)
        self.assertIsNone(encodeBulks([b"abc", None, b"abc"]))
        self.assertIsNone(encodeBulks([None, b"abc"]))
        self.assertIsNone(encodeBulks([b"abc", b"ab", b"abc"]))
        self.assertIsNone(encodeBulks([b"abc", b"abcd"]))
        self.assertIsNone(encodeBulks([b"x" * 40000] * 2))

    def test_status(self):
        """
        L{Status} is a simple string.
        """
        self.assertEncodes(Status("OK"), b"+OK\r\n", b"+OK\r\n")

    def test_raw(self):
        """
        L{Raw} constants are sent as they are.
        """
        self.assertEncodes(OK, b"+OK\r\n", b"+OK\r\n")
        self.assertEncodes(EMPTY_ARRAY, b"*0\r\n", b"*0\r\n")

    def test_integer(self):
        """
        Integers, negative and beyond 64 bits too.
        """
        self.assertEncodes(-5, b":-5\r\n", b":-5\r\n")
        self.assertEncodes(1 << 70, b":1180591620717411303424\r\n", b":1180591620717411303424\r\n")

    def test_null(self):
        """
        L{None} is a null bulk in RESP2 and C{_} in RESP3.
        """
        self.assertEncodes(None, b"$-1\r\n", b"_\r\n")

    def test_nullArray(self):
        """
        L{NULL_ARRAY} is C{*-1} in RESP2 and C{_} in RESP3.
        """
        self.assertEncodes(NULL_ARRAY, b"*-1\r\n", b"_\r\n")

    def test_error(self):
        """
        A L{CommandError} is an error line, with CR and LF made spaces.
        """
        self.assertEncodes(CommandError("ERR a\r\nb"), b"-ERR a  b\r\n", b"-ERR a  b\r\n")

    def test_double(self):
        """
        Floats are a bulk string in RESP2 and C{,} in RESP3, with C{inf}
        and C{-inf} as Redis writes them.
        """
        self.assertEncodes(1.5, b"$3\r\n1.5\r\n", b",1.5\r\n")
        self.assertEncodes(float("inf"), b"$3\r\ninf\r\n", b",inf\r\n")
        self.assertEncodes(float("-inf"), b"$4\r\n-inf\r\n", b",-inf\r\n")
        self.assertEncodes(0.1, b"$19\r\n0.10000000000000001\r\n", b",0.10000000000000001\r\n")

    def test_bool(self):
        """
        Booleans are integers in RESP2 and C{#} in RESP3.
        """
        self.assertEncodes(True, b":1\r\n", b"#t\r\n")
        self.assertEncodes(False, b":0\r\n", b"#f\r\n")

    def test_array(self):
        """
        Lists and tuples are arrays, empty ones too.
        """
        self.assertEncodes([b"a", 1, None], b"*3\r\n$1\r\na\r\n:1\r\n$-1\r\n", b"*3\r\n$1\r\na\r\n:1\r\n_\r\n")
        self.assertEncodes((), b"*0\r\n", b"*0\r\n")

    def test_map(self):
        """
        L{Map} is C{%} in RESP3 and a flat array in RESP2, from a dict or
        pairs.
        """
        self.assertEncodes(
            Map({b"a": 1}), b"*2\r\n$1\r\na\r\n:1\r\n", b"%1\r\n$1\r\na\r\n:1\r\n"
        )
        self.assertEncodes(Map([]), b"*0\r\n", b"%0\r\n")

    def test_set(self):
        """
        L{Set} is C{~} in RESP3 and an array in RESP2.
        """
        self.assertEncodes(Set([b"x"]), b"*1\r\n$1\r\nx\r\n", b"~1\r\n$1\r\nx\r\n")

    def test_push(self):
        """
        L{Push} is C{>} in RESP3 and an array in RESP2.
        """
        self.assertEncodes(
            Push([b"message", b"c", b"m"]),
            b"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
            b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
        )

    def test_verbatim(self):
        """
        L{Verbatim} is C{=} with its format in RESP3 and a bulk in RESP2.
        """
        self.assertEncodes(Verbatim(b"hi\n"), b"$3\r\nhi\n\r\n", b"=7\r\ntxt:hi\n\r\n")

    def test_nested(self):
        """
        Aggregates nest, each element encoded for the protocol.
        """
        value = Map([(b"k", [Set([1.0]), NULL_ARRAY, Map({b"x": None}), True])])
        self.assertEncodes(
            value,
            b"*2\r\n$1\r\nk\r\n*4\r\n*1\r\n$1\r\n1\r\n*-1\r\n*2\r\n$1\r\nx\r\n$-1\r\n:1\r\n",
            b"%1\r\n$1\r\nk\r\n*4\r\n~1\r\n,1\r\n_\r\n%1\r\n$1\r\nx\r\n_\r\n#t\r\n",
        )

    def test_unknownType(self):
        """
        A value with no RESP form is a programming error.
        """
        self.assertRaises(TypeError, encode, object())

    def test_encodedLength(self):
        """
        L{_encodedLength} is the length of L{encodeCommand}'s framing, for
        arguments of every digit count (replication offsets count it).
        """
        for argv in ([b"PING"], [b"SET", b"k" * 9, b"v" * 10], [b"x" * 12345] * 11, [b""]):
            self.assertEqual(_encodedLength(argv), len(encodeCommand(argv)))

    def test_encodeCommand(self):
        """
        L{encodeCommand} writes a canonical multibulk request.
        """
        self.assertEqual(encodeCommand([b"SET", b""]), b"*2\r\n$3\r\nSET\r\n$0\r\n\r\n")
        self.assertIsInstance(OK, Raw)
