"""
Differential tests of the stream commands: the same requests to Debian's
redis-server and to txredisd, compared byte for byte.  Ids are explicit so
that replies do not depend on the time; replies holding idle times are
compared structurally.
"""

import random
import re
import time

import pytest

from tests.differential import RawConnection, assertSameReplies, runSequence
from txredisd.resp import encodeCommand


def _entries(key, start, count, fields=("f", "v")):
    return [["XADD", key, "%d-1" % i] + list(fields) for i in range(start, start + count)]


def test_xaddIds(sharedRedisServer, sharedTxredisd):
    """
    XADD takes explicit, ms-* and bare-ms ids and refuses ids not above the
    top item, 0-0 and malformed ids with Redis's texts.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["XADD", "s", "0-0", "f", "v"],
            ["XADD", "s", "0", "f", "v"],
            ["XADD", "s", "0-*", "f", "v"],
            ["XADD", "s", "0-*", "f", "v"],
            ["XADD", "s", "5", "f", "v"],
            ["XADD", "s", "5-*", "f", "v"],
            ["XADD", "s", "5-1", "f", "v"],
            ["XADD", "s", "4-*", "f", "v"],
            ["XADD", "s", "6-3", "a", "1", "b", "2"],
            ["XADD", "s", "7-*", "a"],
            ["XADD", "s", "7-*"],
            ["XADD", "s", "abc", "f", "v"],
            ["XADD", "s", "-", "f", "v"],
            ["XADD", "s", "+", "f", "v"],
            ["XADD", "s", "1-", "f", "v"],
            ["XADD", "s", "-1", "f", "v"],
            ["XADD", "s", "1-x", "f", "v"],
            ["XADD", "s", "18446744073709551616-0", "f", "v"],
            ["XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"],
            ["XADD", "s", "*", "f", "v"],
            ["XADD", "s", "18446744073709551615-*", "f", "v"],
            ["XADD", "t", "18446744073709551615-18446744073709551614", "f", "v"],
            ["XADD", "t", "18446744073709551615-*", "f", "v"],
            ["XADD", "t", "18446744073709551615-*", "f", "v"],
            ["XADD", "u", "00012-0", "f", "v"],
            ["XADD", "u", " 13-0", "f", "v"],
            ["XADD", "u", "14-+1", "f", "v"],
            ["XRANGE", "u", "-", "+"],
            ["XLEN", "s"],
            ["XRANGE", "s", "-", "+"],
            ["SET", "str", "x"],
            ["XADD", "str", "1-1", "f", "v"],
            ["XADD", "str", "0-0", "f", "v"],
            ["XADD", "str", "NOMKSTREAM", "1-1", "f", "v"],
            ["XADD", "missing", "NOMKSTREAM", "1-1", "f", "v"],
            ["EXISTS", "missing"],
            ["XADD", "s"],
            ["XADD", "s", "NOMKSTREAM", "NOMKSTREAM", "NOMKSTREAM"],
            ["TYPE", "s"],
            ["OBJECT", "ENCODING", "s"],
        ],
    )


def test_xaddTrimOptions(sharedRedisServer, sharedTxredisd):
    """
    XADD's MAXLEN/MINID options with = and ~, LIMIT, and their errors.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _entries("s", 1, 10)
        + [
            ["XADD", "s", "MAXLEN", "5", "11-1", "f", "v"],
            ["XLEN", "s"],
            ["XADD", "s", "MAXLEN", "=", "3", "12-1", "f", "v"],
            ["XRANGE", "s", "-", "+"],
            ["XADD", "s", "MINID", "11", "13-1", "f", "v"],
            ["XRANGE", "s", "-", "+"],
            ["XADD", "s", "MAXLEN", "~", "1", "14-1", "f", "v"],
            ["XLEN", "s"],
            ["XADD", "s", "MAXLEN", "-1", "15-1", "f", "v"],
            ["XADD", "s", "MAXLEN", "x", "15-1", "f", "v"],
            ["XADD", "s", "MAXLEN", "1", "MINID", "1", "15-1", "f", "v"],
            ["XADD", "s", "LIMIT", "10", "15-1", "f", "v"],
            ["XADD", "s", "LIMIT", "0", "15-1", "f", "v"],
            ["XADD", "s", "MAXLEN", "1", "LIMIT", "10", "16-1", "f", "v"],
            ["XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "16-1", "f", "v"],
            ["XADD", "s", "MAXLEN", "~", "1", "LIMIT", "10", "16-1", "f", "v"],
            ["XADD", "s", "MINID", "bad", "17-1", "f", "v"],
            ["XADD", "s", "MINID", "~", "100", "17-1", "f", "v"],
            ["XLEN", "s"],
            ["XADD", "s", "MAXLEN"],
            ["XADD", "s", "MAXLEN", "5"],
            ["XADD", "s", "maxlen", "=", "0", "18-1", "f", "v"],
            ["XINFO", "STREAM", "s"],
        ],
    )


def test_approximateTrimByNodes(sharedRedisServer, sharedTxredisd):
    """
    MAXLEN ~ and MINID ~ remove whole nodes of 100 entries only, and
    LIMIT bounds how many; the node counts of XINFO STREAM follow.
    """
    commands = _entries("s", 1, 250)
    commands += [
        ["XINFO", "STREAM", "s"],
        ["XTRIM", "s", "MAXLEN", "~", "200"],
        ["XTRIM", "s", "MAXLEN", "~", "140"],
        ["XLEN", "s"],
        ["XINFO", "STREAM", "s"],
        ["XTRIM", "s", "MINID", "~", "180"],
        ["XTRIM", "s", "MINID", "~", "230"],
        ["XRANGE", "s", "-", "+", "COUNT", "1"],
        ["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "30"],
        ["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "60"],
        ["XLEN", "s"],
        ["XINFO", "STREAM", "s"],
    ]
    commands += _entries("t", 1, 120, ("field", "x" * 200))
    commands += [
        ["XINFO", "STREAM", "t"],
        ["XTRIM", "t", "MAXLEN", "~", "100"],
        ["XLEN", "t"],
        ["XINFO", "STREAM", "t"],
    ]
    commands += [["XADD", "u", "%d-0" % i, "a%d" % (i % 3), "%d" % (i * 1000)] for i in range(1, 301)]
    commands += [
        ["XINFO", "STREAM", "u"],
        ["XDEL", "u"] + ["%d-0" % i for i in range(1, 101)],
        ["XINFO", "STREAM", "u"],
        ["XDEL", "u"] + ["%d-0" % i for i in range(150, 181)],
        ["XTRIM", "u", "MAXLEN", "~", "100"],
        ["XTRIM", "u", "MINID", "=", "190"],
        ["XINFO", "STREAM", "u"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_xtrimErrors(sharedRedisServer, sharedTxredisd):
    """
    XTRIM's option errors, a missing key and exact trims.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _entries("s", 1, 5)
        + [
            ["XTRIM", "s", "5"],
            ["XTRIM", "s", "LIMIT", "5"],
            ["XTRIM", "s", "MAXLEN", "~", "2", "LIMIT", "5", "extra"],
            ["XTRIM", "s", "MAXLEN", "2", "LIMIT", "5"],
            ["XTRIM", "s", "NOMKSTREAM", "MAXLEN", "2"],
            ["XTRIM", "missing", "MAXLEN", "2"],
            ["XTRIM", "s", "MAXLEN", "3"],
            ["XTRIM", "s", "MINID", "5"],
            ["XTRIM", "s", "MINID", "(5"],
            ["XRANGE", "s", "-", "+"],
            ["XTRIM", "s"],
            ["SET", "str", "x"],
            ["XTRIM", "str", "MAXLEN", "1"],
            ["XTRIM", "str", "MAXLEN", "x"],
        ],
    )


def test_ranges(sharedRedisServer, sharedTxredisd):
    """
    XRANGE and XREVRANGE with -, +, exclusive and incomplete ids, COUNT and
    their errors.
    """
    commands = [
        ["XADD", "s", "%d-%d" % (ms, seq), "n", "%d" % (ms * 10 + seq)]
        for ms in (1, 2, 5)
        for seq in (0, 1, 2)
    ]
    queries = [
        ("-", "+"),
        ("2", "2"),
        ("(2-0", "5"),
        ("(1-2", "(5-1"),
        ("2-1", "2-1"),
        ("(2-1", "(2-2"),
        ("5", "1"),
        ("(18446744073709551615-18446744073709551615", "+"),
        ("-", "(0-0"),
        ("(-", "+"),
        ("-", "(+"),
        ("(", "+"),
        ("x", "+"),
        ("-", "1-x"),
    ]
    for start, end in queries:
        commands.append(["XRANGE", "s", start, end])
        commands.append(["XREVRANGE", "s", end, start])
    commands += [
        ["XRANGE", "s", "-", "+", "COUNT", "2"],
        ["XRANGE", "s", "-", "+", "COUNT", "0"],
        ["XRANGE", "s", "-", "+", "COUNT", "-3"],
        ["XRANGE", "s", "-", "+", "COUNT", "x"],
        ["XRANGE", "s", "-", "+", "COUNT"],
        ["XRANGE", "s", "-", "+", "LIMIT", "2"],
        ["XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "3"],
        ["XREVRANGE", "s", "+", "-", "COUNT", "4"],
        ["XRANGE", "missing", "-", "+"],
        ["XRANGE", "missing", "-", "+", "COUNT", "0"],
        ["XRANGE", "missing", "x", "+"],
        ["SET", "str", "v"],
        ["XRANGE", "str", "-", "+"],
        ["XRANGE", "str", "-", "+", "COUNT", "0"],
        ["XRANGE", "s", "-"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_xdelAndXlen(sharedRedisServer, sharedTxredisd):
    """
    XDEL counts deleted entries, parses all ids first, keeps the empty
    stream and moves the recorded first id and max deleted id.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _entries("s", 1, 5)
        + [
            ["XDEL", "s", "1-1", "9-9", "1-1"],
            ["XDEL", "s", "2-1", "bad"],
            ["XLEN", "s"],
            ["XDEL", "s", "3-1", "2-1"],
            ["XINFO", "STREAM", "s"],
            ["XDEL", "s", "4-1", "5-1"],
            ["XINFO", "STREAM", "s"],
            ["EXISTS", "s"],
            ["XDEL", "missing", "bad"],
            ["XLEN", "missing"],
            ["SET", "str", "v"],
            ["XDEL", "str", "1-1"],
            ["XLEN", "str"],
            ["XDEL", "s"],
            ["XADD", "s", "6-1", "f", "v"],
            ["XINFO", "STREAM", "s"],
        ],
    )


def test_xsetid(sharedRedisServer, sharedTxredisd):
    """
    XSETID with ENTRIESADDED and MAXDELETEDID and each of its errors.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _entries("s", 1, 3)
        + [
            ["XDEL", "s", "2-1"],
            ["XSETID", "s", "2-0"],
            ["XSETID", "s", "1-1"],
            ["XSETID", "s", "3-0"],
            ["XSETID", "s", "10-0", "ENTRIESADDED", "1"],
            ["XSETID", "s", "10-0", "ENTRIESADDED", "-1"],
            ["XSETID", "s", "10-0", "ENTRIESADDED", "x"],
            ["XSETID", "s", "10-0", "MAXDELETEDID", "11-0"],
            ["XSETID", "s", "10-0", "MAXDELETEDID", "x"],
            ["XSETID", "s", "10-0", "ENTRIESADDED", "100", "MAXDELETEDID", "9-0"],
            ["XSETID", "s", "10-0", "FOO", "1"],
            ["XSETID", "s", "10-0", "ENTRIESADDED"],
            ["XINFO", "STREAM", "s"],
            ["XSETID", "s", "9-0"],
            ["XADD", "s", "10-0", "f", "v"],
            ["XADD", "s", "10-*", "f", "v"],
            ["XSETID", "missing", "1-0"],
            ["XSETID", "missing", "x"],
            ["SET", "str", "v"],
            ["XSETID", "str", "1-0"],
            ["XSETID", "s", "-"],
            ["XSETID", "s", "+"],
        ],
    )


def test_xsetidBelowMaxDeleted(sharedRedisServer, sharedTxredisd):
    """
    Redis 7.0 lets XSETID go below the stream's max_deleted_entry_id (only
    a MAXDELETEDID argument above the new ID is refused).
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _entries("s", 1, 2)
        + [
            ["XDEL", "s", "2-1"],
            ["XSETID", "s", "1-5"],
            ["XDEL", "s", "1-1"],
            ["XSETID", "s", "0-1"],
            ["XSETID", "s", "5-0", "MAXDELETEDID", "1-0"],
            ["XINFO", "STREAM", "s"],
        ],
    )


def test_xread(sharedRedisServer, sharedTxredisd):
    """
    XREAD over several streams with COUNT, $ and every parsing error, in
    RESP2 and RESP3.
    """
    commands = _entries("a", 1, 3) + _entries("b", 1, 2) + [
        ["XREAD", "STREAMS", "a", "b", "0", "0"],
        ["XREAD", "COUNT", "2", "STREAMS", "a", "b", "1", "1-1"],
        ["XREAD", "STREAMS", "a", "b", "$", "$"],
        ["XREAD", "STREAMS", "a", "missing", "2", "0"],
        ["XREAD", "STREAMS", "missing", "0"],
        ["XREAD", "COUNT", "0", "STREAMS", "a", "0"],
        ["XREAD", "COUNT", "-5", "STREAMS", "a", "0"],
        ["XREAD", "COUNT", "x", "STREAMS", "a", "0"],
        ["XREAD", "STREAMS", "a", "b", "0"],
        ["XREAD", "STREAMS", "a", ">"],
        ["XREAD", "STREAMS", "a", "bad"],
        ["XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"],
        ["XREAD", "NOACK", "STREAMS", "a", "0"],
        ["XREAD", "FOO", "STREAMS", "a", "0"],
        ["XREAD", "COUNT", "1", "a", "0"],
        ["XREAD", "BLOCK", "x", "STREAMS", "a", "0"],
        ["XREAD", "BLOCK", "-1", "STREAMS", "a", "0"],
        ["XREAD", "BLOCK", "10", "STREAMS", "a", "0"],
        ["XREAD", "STREAMS", "a", "-"],
        ["XREAD", "STREAMS", "a", "+"],
        ["XREAD", "STREAMS"],
        ["SET", "str", "v"],
        ["XREAD", "STREAMS", "a", "str", "0", "0"],
        ["XREAD", "STREAMS", "a", "18446744073709551615-18446744073709551615"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_groups(sharedRedisServer, sharedTxredisd):
    """
    XGROUP's subcommands with their options and errors, and XINFO GROUPS'
    entries-read and lag as entries are read, deleted and added.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["XGROUP", "CREATE", "s", "g", "$"],
            ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
            ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
            ["XINFO", "GROUPS", "s"],
        ]
        + _entries("s", 1, 5)
        + [
            ["XINFO", "GROUPS", "s"],
            ["XGROUP", "CREATE", "s", "h", "0", "ENTRIESREAD", "2"],
            ["XGROUP", "CREATE", "s", "i", "3-1", "ENTRIESREAD", "-1"],
            ["XGROUP", "CREATE", "s", "j", "3-1", "ENTRIESREAD", "-2"],
            ["XGROUP", "CREATE", "s", "j", "3-1", "ENTRIESREAD", "x"],
            ["XGROUP", "CREATE", "s", "j", "3-1", "ENTRIESREAD"],
            ["XGROUP", "CREATE", "s", "j", "3-1", "FOO"],
            ["XGROUP", "CREATE", "s", "j", "bad"],
            ["XGROUP", "CREATE", "s", "j", "-"],
            ["XGROUP", "CREATE", "s", "j", "+"],
            ["XGROUP", "CREATE", "s", "j", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"],
            ["XGROUP", "CREATE", "missing", "j", "0"],
            ["XINFO", "GROUPS", "s"],
            ["XREADGROUP", "GROUP", "i", "c", "STREAMS", "s", ">"],
            ["XDEL", "s", "5-1"],
            ["XINFO", "GROUPS", "s"],
            ["XGROUP", "SETID", "s", "g", "2-1"],
            ["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0"],
            ["XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "5"],
            ["XGROUP", "SETID", "s", "g", "-"],
            ["XGROUP", "SETID", "s", "g", "+"],
            ["XINFO", "GROUPS", "s"],
            ["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-3"],
            ["XGROUP", "SETID", "s", "g", "0", "FOO", "1"],
            ["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"],
            ["XGROUP", "SETID", "s", "g", "bad"],
            ["XGROUP", "SETID", "s", "nogroup", "0"],
            ["XGROUP", "SETID", "missing", "g", "0"],
            ["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
            ["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
            ["XGROUP", "CREATECONSUMER", "s", "nogroup", "alice"],
            ["XGROUP", "DELCONSUMER", "s", "g", "bob"],
            ["XGROUP", "DELCONSUMER", "s", "nogroup", "bob"],
            ["XGROUP", "DESTROY", "s", "h"],
            ["XGROUP", "DESTROY", "s", "h"],
            ["XGROUP", "DESTROY", "missing", "h"],
            ["XGROUP", "DESTROY", "s"],
            ["XGROUP", "CREATECONSUMER", "s", "g"],
            ["XGROUP", "FOO"],
            ["XGROUP"],
            ["XGROUP", "HELP"],
            ["XGROUP", "HELP", "x"],
            ["SET", "str", "v"],
            ["XGROUP", "CREATE", "str", "g", "0"],
            ["XGROUP", "DESTROY", "str", "g"],
            ["XINFO", "GROUPS", "str"],
            ["XINFO", "GROUPS", "missing"],
            ["XINFO", "HELP"],
            ["XINFO", "FOO"],
            ["XINFO", "CONSUMERS", "s"],
            ["XINFO", "CONSUMERS", "s", "nogroup"],
            ["XINFO", "CONSUMERS", "missing", "g"],
            ["XINFO", "STREAM", "missing", "FULL"],
            ["XINFO", "STREAM", "s", "FOO"],
            ["XINFO", "STREAM", "s", "FULL", "FOO"],
            ["XINFO", "STREAM", "s", "FULL", "COUNT"],
            ["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
            ["XINFO", "GROUPS", "s"],
        ],
    )


def test_lagWithTombstones(sharedRedisServer, sharedTxredisd):
    """
    entries-read and lag when deleted entries lie before or after the
    group's position, after trims and on an emptied stream.
    """
    commands = _entries("s", 1, 6) + [
        ["XGROUP", "CREATE", "s", "a", "0"],
        ["XGROUP", "CREATE", "s", "b", "0"],
        ["XGROUP", "CREATE", "s", "c", "$"],
        ["XREADGROUP", "GROUP", "a", "x", "COUNT", "2", "STREAMS", "s", ">"],
        ["XDEL", "s", "4-1"],
        ["XINFO", "GROUPS", "s"],
        ["XREADGROUP", "GROUP", "a", "x", "COUNT", "1", "STREAMS", "s", ">"],
        ["XINFO", "GROUPS", "s"],
        ["XREADGROUP", "GROUP", "a", "x", "STREAMS", "s", ">"],
        ["XINFO", "GROUPS", "s"],
        ["XTRIM", "s", "MAXLEN", "1"],
        ["XINFO", "GROUPS", "s"],
        ["XREADGROUP", "GROUP", "b", "x", "NOACK", "STREAMS", "s", ">"],
        ["XINFO", "GROUPS", "s"],
        ["XDEL", "s", "6-1"],
        ["XINFO", "GROUPS", "s"],
        ["XADD", "s", "7-1", "f", "v"],
        ["XINFO", "GROUPS", "s"],
        ["XINFO", "STREAM", "s"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_xreadgroup(sharedRedisServer, sharedTxredisd):
    """
    XREADGROUP with >, history ids, NOACK and COUNT, re-delivery after
    XGROUP SETID, deleted entries in the history, and its errors.
    """
    commands = _entries("s", 1, 5) + [
        ["XGROUP", "CREATE", "s", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "1", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-1"],
        ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"],
        ["XREADGROUP", "GROUP", "g", "dave", "STREAMS", "s", "0"],
        ["XDEL", "s", "2-1"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
        ["XGROUP", "SETID", "s", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"],
        ["XPENDING", "s", "g"],
        ["XINFO", "GROUPS", "s"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$"],
        ["XREADGROUP", "GROUP", "nogroup", "alice", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "missing", ">"],
        ["XREADGROUP", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "bad"],
        ["XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "x", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "10", "STREAMS", "s", ">"],
        ["SET", "str", "v"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "str", ">"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_xackAndXpending(sharedRedisServer, sharedTxredisd):
    """
    XACK and XPENDING's summary and extended forms (idle times zeroed by
    an IDLE filter that nothing passes), with their errors.
    """
    commands = _entries("s", 1, 6) + [
        ["XGROUP", "CREATE", "s", "g", "0"],
        ["XPENDING", "s", "g"],
        ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
        ["XPENDING", "s", "g"],
        ["XPENDING", "s", "g", "IDLE", "100000000", "-", "+", "10"],
        ["XPENDING", "s", "g", "-", "+", "0"],
        ["XPENDING", "s", "g", "-", "+", "10", "nobody"],
        ["XPENDING", "s", "g", "(6-1", "+", "10"],
        ["XPENDING", "s", "g", "5", "1", "10"],
        ["XPENDING", "s", "g", "-", "+"],
        ["XPENDING", "s", "g", "-"],
        ["XPENDING", "s", "g", "-", "+", "x"],
        ["XPENDING", "s", "g", "bad", "+", "10"],
        ["XPENDING", "s", "g", "-", "bad", "10"],
        ["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"],
        ["XPENDING", "s", "g", "IDLE", "10", "-", "+"],
        ["XPENDING", "s", "g", "-", "+", "10", "nobody", "extra"],
        ["XPENDING", "s", "g", "IDLE", "100000000", "-", "+", "10", "alice"],
        ["XPENDING", "s", "nogroup"],
        ["XPENDING", "missing", "g"],
        ["XPENDING", "missing", "g", "bad", "+", "10"],
        ["XACK", "s", "g", "1-1", "2-1", "9-9"],
        ["XACK", "s", "g", "3-1", "bad"],
        ["XACK", "s", "nogroup", "3-1"],
        ["XACK", "missing", "g", "bad"],
        ["XACK", "s", "g", "1-1"],
        ["XPENDING", "s", "g"],
        ["XACK", "s", "g", "3-1", "4-1", "5-1", "6-1"],
        ["XPENDING", "s", "g"],
        ["XINFO", "GROUPS", "s"],
        ["SET", "str", "v"],
        ["XACK", "str", "g", "1-1"],
        ["XPENDING", "str", "g"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_xclaim(sharedRedisServer, sharedTxredisd):
    """
    XCLAIM with JUSTID, RETRYCOUNT, FORCE, LASTID, min-idle-time, deleted
    entries and its errors (delivery times set with TIME so replies agree).
    """
    commands = _entries("s", 1, 5) + [
        ["XGROUP", "CREATE", "s", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"],
        ["XCLAIM", "s", "g", "bob", "0", "1-1", "TIME", "1000"],
        ["XCLAIM", "s", "g", "bob", "0", "2-1", "JUSTID", "RETRYCOUNT", "7", "TIME", "2000"],
        ["XCLAIM", "s", "g", "bob", "0", "3-1", "JUSTID", "TIME", "3000"],
        ["XCLAIM", "s", "g", "carol", "0", "4-1", "TIME", "4000"],
        ["XCLAIM", "s", "g", "carol", "0", "4-1", "FORCE", "JUSTID", "TIME", "4000"],
        ["XCLAIM", "s", "g", "carol", "0", "5-1", "FORCE", "TIME", "5000"],
        ["XCLAIM", "s", "g", "dave", "100000000", "1-1", "2-1"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "LASTID", "9-0", "JUSTID", "TIME", "6000"],
        ["XINFO", "GROUPS", "s"],
        ["XDEL", "s", "2-1"],
        ["XCLAIM", "s", "g", "dave", "0", "2-1", "3-1", "TIME", "7000"],
        ["XPENDING", "s", "g"],
        ["XCLAIM", "s", "g", "dave", "x", "1-1"],
        ["XCLAIM", "s", "g", "dave", "-5", "1-1", "TIME", "8000"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "IDLE", "x"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "TIME", "x"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "RETRYCOUNT", "x"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "LASTID", "x"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "FOO"],
        ["XCLAIM", "s", "g", "dave", "0", "1-1", "IDLE"],
        ["XCLAIM", "s", "g", "dave", "0", "bad"],
        ["XCLAIM", "s", "nogroup", "dave", "0", "1-1"],
        ["XCLAIM", "missing", "g", "dave", "x", "1-1"],
        ["SET", "str", "v"],
        ["XCLAIM", "str", "g", "dave", "0", "1-1"],
        ["XINFO", "GROUPS", "s"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)


def test_xautoclaim(sharedRedisServer, sharedTxredisd):
    """
    XAUTOCLAIM's cursor, COUNT, JUSTID, deleted ids in the third element and
    its errors.
    """
    commands = _entries("s", 1, 8) + [
        ["XGROUP", "CREATE", "s", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
        ["XDEL", "s", "2-1", "5-1"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "3"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "3-1", "COUNT", "2", "JUSTID"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "(6-1", "JUSTID"],
        ["XAUTOCLAIM", "s", "g", "bob", "100000000", "-"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "9"],
        ["XPENDING", "s", "g"],
        ["XAUTOCLAIM", "s", "g", "bob", "x", "0"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "bad"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "0"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "x"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "1152921504606846976"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT"],
        ["XAUTOCLAIM", "s", "g", "bob", "0", "0", "FOO"],
        ["XAUTOCLAIM", "s", "nogroup", "bob", "0", "0"],
        ["XAUTOCLAIM", "missing", "g", "bob", "0", "0"],
        ["XAUTOCLAIM", "missing", "g", "bob", "0", "0", "FOO"],
        ["SET", "str", "v"],
        ["XAUTOCLAIM", "str", "g", "bob", "0", "0"],
    ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands, resp3=True)


def test_arity(sharedRedisServer, sharedTxredisd):
    """
    Wrong argument counts for every stream command.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["XADD", "s", "1-1", "f"],
            ["XRANGE", "s", "-"],
            ["XREVRANGE", "s"],
            ["XLEN"],
            ["XDEL", "s"],
            ["XTRIM", "s", "MAXLEN"],
            ["XREAD", "STREAMS", "s"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"],
            ["XACK", "s", "g"],
            ["XPENDING", "s"],
            ["XCLAIM", "s", "g", "c", "0"],
            ["XAUTOCLAIM", "s", "g", "c", "0"],
            ["XSETID", "s"],
            ["XGROUP", "CREATE", "s", "g"],
            ["XGROUP", "SETID", "s", "g"],
            ["XGROUP", "DESTROY", "s"],
            ["XGROUP", "CREATECONSUMER", "s", "g"],
            ["XGROUP", "DELCONSUMER", "s", "g", "c", "d"],
            ["XGROUP", "HELP", "x"],
            ["XINFO", "STREAM"],
            ["XINFO", "GROUPS", "s", "x"],
            ["XINFO", "CONSUMERS", "s"],
            ["XINFO"],
        ],
    )


def _consumersWithoutIdle(port, commands):
    conn = RawConnection(port)
    try:
        conn.call("FLUSHALL")
        for argv in commands:
            conn.call(*argv)
        conn.call("HELLO", "3")
        raw = conn.call("XINFO", "CONSUMERS", "s", "g")
    finally:
        conn.close()
    # Drop each consumer's idle value (the last line of each map).
    chunks = raw.split(b"$4\r\nidle\r\n")
    return [chunks[0]] + [c.split(b"\r\n", 1)[1] for c in chunks[1:]]


def test_xinfoConsumersStructure(sharedRedisServer, sharedTxredisd):
    """
    XINFO CONSUMERS lists consumers in name order with their pending counts
    (idle times differ and are left out of the comparison), including the
    consumers XREADGROUP and XCLAIM create.
    """
    commands = _entries("s", 1, 3) + [
        ["XGROUP", "CREATE", "s", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "zed", "COUNT", "1", "STREAMS", "s", ">"],
        ["XGROUP", "CREATECONSUMER", "s", "g", "amy"],
        ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"],
        ["XCLAIM", "s", "g", "carl", "100000000", "1-1"],
        ["XAUTOCLAIM", "s", "g", "dora", "100000000", "0"],
        ["XREADGROUP", "GROUP", "g", "eve", "STREAMS", "s", ">"],
    ]
    assert _consumersWithoutIdle(sharedRedisServer.port, commands) == _consumersWithoutIdle(
        sharedTxredisd.port, commands
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_xinfoStreamFull(sharedRedisServer, sharedTxredisd, resp3):
    """
    XINFO STREAM FULL with COUNT lists entries, groups, pending entries and
    consumers in Redis's order (delivery and seen times fixed with XCLAIM
    TIME and compared apart).
    """
    commands = _entries("s", 1, 4) + [
        ["XGROUP", "CREATE", "s", "g2", "0"],
        ["XGROUP", "CREATE", "s", "g1", "$"],
        ["XCLAIM", "s", "g2", "c", "0", "1-1", "FORCE", "TIME", "1000"],
        ["XCLAIM", "s", "g2", "c", "0", "2-1", "FORCE", "TIME", "2000", "RETRYCOUNT", "4"],
        ["XCLAIM", "s", "g2", "b", "0", "3-1", "FORCE", "TIME", "3000"],
        ["XINFO", "STREAM", "s", "FULL", "COUNT", "1"],
        ["XINFO", "STREAM", "s", "FULL", "COUNT", "0"],
        ["XINFO", "STREAM", "s", "FULL", "COUNT", "-1"],
        ["XINFO", "STREAM", "s", "FULL"],
    ]
    expected = runSequence(sharedRedisServer.port, commands, resp3)
    actual = runSequence(sharedTxredisd.port, commands, resp3)
    # seen-time is the wall clock of the XCLAIM: mask it.
    mask = re.compile(rb"(seen-time\r\n:)[0-9]+")
    for argv, want, got in zip(commands, expected, actual):
        assert mask.sub(rb"\1T", got) == mask.sub(rb"\1T", want), argv


def _blockedSequence(port, setup, blocked, actions):
    """
    Run C{setup}, send the blocking command C{blocked} on a second
    connection, run C{actions} on the first, then read the blocked reply.

    @return: the raw replies of the actions and of the blocked command.
    """
    main, waiter = RawConnection(port), RawConnection(port)
    try:
        main.call("FLUSHALL")
        for argv in setup:
            main.call(*argv)
        waiter.send(encodeCommand([a.encode() for a in blocked]))
        # Let the server read the blocking request before the actions (a
        # late one would be served at once, which shows as a mismatch).
        time.sleep(0.1)
        replies = [main.call(*argv) for argv in actions]
        return replies, waiter.readReply()
    finally:
        main.close()
        waiter.close()


_BLOCKED_CASES = {
    "xaddServesXread": (
        [["XADD", "s", "1-0", "f", "v"]],
        ["XREAD", "BLOCK", "5000", "STREAMS", "s", "$"],
        [["XADD", "s", "2-0", "g", "w"]],
    ),
    "xaddServesXreadgroup": (
        [["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]],
        ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"],
        [["XADD", "s", "1-0", "f", "v"], ["XPENDING", "s", "g"], ["XINFO", "GROUPS", "s"]],
    ),
    "delAnswersXreadgroup": (
        [["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]],
        ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"],
        [["DEL", "s"]],
    ),
    "destroyAnswersXreadgroup": (
        [["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]],
        ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"],
        [["XGROUP", "DESTROY", "s", "g"]],
    ),
    "flushallAnswersXreadgroup": (
        [["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]],
        ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"],
        [["FLUSHALL"]],
    ),
    "recreatedStreamServesXread": (
        [["XADD", "s", "5-0", "f", "v"]],
        ["XREAD", "BLOCK", "5000", "STREAMS", "s", "$"],
        [["DEL", "s"], ["XADD", "s", "3-0", "f", "v"], ["XADD", "s", "6-0", "f", "v"]],
    ),
    "secondKeyServesXread": (
        [],
        ["XREAD", "COUNT", "1", "BLOCK", "5000", "STREAMS", "a", "b", "0", "0"],
        [["XADD", "b", "1-0", "f", "v"]],
    ),
    "timeout": (
        [],
        ["XREAD", "BLOCK", "50", "STREAMS", "s", "0"],
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(_BLOCKED_CASES))
def test_blocked(sharedRedisServer, sharedTxredisd, case):
    """
    Blocked XREAD and XREADGROUP clients get the same answers as from
    redis-server when entries arrive, the stream or group goes, or the
    timeout passes.
    """
    setup, blocked, actions = _BLOCKED_CASES[case]
    assert _blockedSequence(sharedTxredisd.port, setup, blocked, actions) == _blockedSequence(
        sharedRedisServer.port, setup, blocked, actions
    )


def _randomOperations(seed, count):
    # A reproducible mix of appends (values of varied sizes, so nodes end
    # by count and by bytes), deletions, exact and approximate trims and
    # group reads, with XINFO after each step.
    rng = random.Random(seed)
    commands = [["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"]]
    ms = 0
    ids = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.6 or not ids:
            for _ in range(rng.randint(1, 40)):
                ms += rng.randint(0, 3)
                seq = rng.randint(0, 2)
                ids.append("%d-%d" % (ms, seq))
                size = rng.choice([1, 5, 60, 300, 3000])
                if rng.random() < 0.7:
                    fields = ["f", "x" * size]
                else:
                    fields = ["g%d" % rng.randint(0, 3), "%d" % rng.randint(-5000, 100000)]
                commands.append(["XADD", "s", "%d-*" % ms] + fields)
        elif roll < 0.75:
            commands.append(["XDEL", "s"] + rng.sample(ids, min(len(ids), rng.randint(1, 30))))
        elif roll < 0.9:
            how = rng.choice(["~", "="])
            if rng.random() < 0.5:
                args = ["MAXLEN", how, str(rng.randint(0, 400))]
            else:
                args = ["MINID", how, rng.choice(ids)]
            if how == "~" and rng.random() < 0.3:
                args += ["LIMIT", str(rng.randint(0, 150))]
            commands.append(["XTRIM", "s"] + args)
        else:
            count = str(rng.randint(1, 50))
            commands.append(["XREADGROUP", "GROUP", "g", "c", "COUNT", count, "STREAMS", "s", ">"])
        commands.append(["XINFO", "STREAM", "s"])
        commands.append(["XINFO", "GROUPS", "s"])
    return commands


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_randomNodeHistory(sharedRedisServer, sharedTxredisd, seed):
    """
    Random appends, deletions, trims and group reads leave the same
    lengths, node counts, first and deleted ids, entries-read and lag as
    redis-server after every step.
    """
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, _randomOperations(seed, 60))


def test_xgroupSetidArgumentsFirst(sharedRedisServer, sharedTxredisd):
    """
    XGROUP SETID refuses a wrong argument count and a bad ENTRIESREAD
    before it looks at the key (its type, existence and group).
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SET", "str", "x"],
            ["XADD", "s", "1-1", "a", "b"],
            ["XGROUP", "CREATE", "s", "g", "0"],
            ["XGROUP", "SETID", "str", "g", "0", "x"],
            ["XGROUP", "SETID", "missing", "g", "0", "x"],
            ["XGROUP", "SETID", "s", "nog", "0", "x"],
            ["XGROUP", "SETID", "str", "g", "0", "ENTRIESREAD", "x"],
            ["XGROUP", "SETID", "missing", "g", "0", "ENTRIESREAD", "-5"],
            ["XGROUP", "SETID", "str", "g", "0", "FOO", "1"],
            ["XGROUP", "SETID", "str", "g", "0", "ENTRIESREAD", "1"],
            ["XGROUP", "SETID", "s", "nog", "x"],
        ],
    )


def test_watchSeesOnlyKeyChanges(sharedRedisServer, sharedTxredisd):
    """
    Consumer-group changes and XSETID do not abort a transaction WATCHing
    the stream (Redis counts them as dirty without signalModifiedKey);
    XGROUP CREATE ... MKSTREAM, which makes the key, does.
    """
    commands = []
    for argv in (
        ["XGROUP", "CREATE", "s", "g2", "0"],
        ["XGROUP", "CREATE", "new", "g", "0", "MKSTREAM"],
        ["XGROUP", "SETID", "s", "g", "0"],
        ["XGROUP", "DESTROY", "s", "g"],
        ["XGROUP", "CREATECONSUMER", "s", "g", "c9"],
        ["XACK", "s", "g", "1-1"],
        ["XCLAIM", "s", "g", "c3", "0", "1-1"],
        ["XSETID", "s", "5-0"],
    ):
        commands += [
            ["DEL", "s", "new"],
            ["XADD", "s", "1-1", "a", "b"],
            ["XGROUP", "CREATE", "s", "g", "0"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
            ["WATCH", "s", "new"],
            argv,
            ["MULTI"],
            ["EXEC"],
        ]
    assertSameReplies(sharedRedisServer.port, sharedTxredisd.port, commands)
