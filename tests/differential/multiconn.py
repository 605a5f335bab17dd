"""
Differential scripts over several raw connections at once: WATCH conflicts
made by another client, messages arriving at subscribers.
"""

from tests.differential import RawConnection


def runScript(port, script, connections=2, resp3=()):
    """
    Run a script on fresh connections after FLUSHALL.

    @param script: steps, each C{(index, argv)} to send a command on
        connection C{index} and read one reply, C{(index, argv, n)} to read
        C{n} replies (a SUBSCRIBE of C{n} channels), or C{(index, None, n)}
        to read C{n} replies (pushes) without sending anything.
    @param resp3: indexes of the connections to switch to RESP3 first.
    @return: the list of raw replies, one L{bytes} per step.
    """
    conns = [RawConnection(port) for _ in range(connections)]
    try:
        for index in resp3:
            conns[index].call("HELLO", "3")
        conns[0].call("FLUSHALL")
        replies = []
        for step in script:
            index, argv = step[0], step[1]
            count = step[2] if len(step) > 2 else 1
            conn = conns[index]
            if argv is not None:
                conn.send(_encode(argv))
            replies.append(b"".join(conn.readReply() for _ in range(count)))
        return replies
    finally:
        for conn in conns:
            conn.close()


def _encode(argv):
    from txredisd.resp import encodeCommand

    return encodeCommand([a if isinstance(a, bytes) else str(a).encode() for a in argv])


def assertSameScript(redisPort, txredisdPort, script, connections=2, resp3=()):
    """
    Assert both servers answer every step of a script with the same bytes.
    """
    expected = runScript(redisPort, script, connections, resp3)
    actual = runScript(txredisdPort, script, connections, resp3)
    for step, want, got in zip(script, expected, actual):
        assert got == want, "%r: redis-server answered %r, txredisd %r" % (step, want, got)
