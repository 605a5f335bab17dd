"""
Comparing replies whose order is Redis's hash-table order (or random):
same RESP type, same elements once sorted.
"""

import hiredis

from tests.differential import RawConnection, runSequence


def parse(raw):
    """
    @return: the reply as hiredis decodes it (errors as L{hiredis.ReplyError}).
    """
    reader = hiredis.Reader()
    reader.feed(raw)
    return reader.gets()


def _sortedDeep(value):
    if isinstance(value, dict):
        return tuple(sorted(((k, _sortedDeep(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(sorted((_sortedDeep(v) for v in value), key=repr))
    return value


def canonical(raw, pairs=False):
    """
    A comparable form of a collection reply: its RESP type byte and its
    elements, at every level, sorted (pairs kept together when C{pairs} is
    set, as for a RESP2 HGETALL).
    """
    if raw[:1] == b"-":
        return raw
    value = parse(raw)
    if pairs and isinstance(value, list) and value and not isinstance(value[0], list):
        value = [tuple(value[i : i + 2]) for i in range(0, len(value), 2)]
    return raw[:1], _sortedDeep(value)


def assertSameUnordered(redisPort, txredisdPort, commands, unordered, resp3=False, pairs=()):
    """
    Run C{commands} on both servers; the replies of the commands whose
    index is in C{unordered} must agree in type and elements (pairs kept
    together for the indexes in C{pairs}), the others byte for byte.
    """
    expected = runSequence(redisPort, commands, resp3)
    actual = runSequence(txredisdPort, commands, resp3)
    for i, (argv, want, got) in enumerate(zip(commands, expected, actual)):
        if i in unordered and got != want:
            assert canonical(got, i in pairs) == canonical(want, i in pairs), "%r: redis-server answered %r, txredisd %r" % (
                argv,
                want,
                got,
            )
        else:
            assert got == want, "%r: redis-server answered %r, txredisd %r" % (argv, want, got)


def runAfter(port, setup, commands, resp3=False):
    """
    @return: the replies to C{commands}, run after FLUSHALL and C{setup}.
    """
    return runSequence(port, list(setup) + list(commands), resp3)[len(setup) :]


def scanAll(port, setup, scan, limit=10000):
    """
    Run C{setup} after FLUSHALL, then the cursor command C{scan} (its
    cursor argument at index 2) from cursor 0 until it answers cursor 0.

    @return: every element returned, in order, repeats included.
    """
    conn = RawConnection(port)
    try:
        conn.call("FLUSHALL")
        for argv in setup:
            conn.call(*argv)
        cursor = b"0"
        seen = []
        for _ in range(limit):
            cursor, elements = parse(conn.call(*(scan[:2] + [cursor] + scan[3:])))
            seen += elements
            if cursor == b"0":
                return seen
        raise AssertionError("%r never finished" % (scan,))
    finally:
        conn.close()


def requireCommand(port, *argv):
    """
    Skip the test when txredisd does not know a command it needs (one
    another family's branch provides).
    """
    import pytest

    reply = runSequence(port, [list(argv)])[0]
    if reply.startswith(b"-ERR unknown command"):
        pytest.skip("txredisd has no %s command yet" % (argv[0],))
