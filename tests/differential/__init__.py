"""
Differential testing: the same raw requests to Debian's redis-server and to
txredisd, comparing the raw reply bytes.
"""

import socket

from txredisd.resp import encodeCommand


class RawConnection:
    """
    A blocking socket that sends requests and reads whole RESP replies.
    """

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        self.buffer += data

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line + b"\r\n"

    def readReply(self):
        """
        @return: the raw bytes of one complete reply.
        """
        line = self._line()
        kind = line[:1]
        if kind in b"$=!":
            length = int(line[1:-2])
            if length < 0:
                return line
            while len(self.buffer) < length + 2:
                self._fill()
            body, self.buffer = self.buffer[: length + 2], self.buffer[length + 2 :]
            return line + body
        if kind in b"*~>%|":
            count = int(line[1:-2])
            if kind in b"%|":
                count *= 2
            return line + b"".join(self.readReply() for _ in range(max(count, 0)))
        return line

    def send(self, data):
        self.sock.sendall(data)

    def call(self, *argv):
        """
        Send one command; return its raw reply.
        """
        self.send(encodeCommand([a if isinstance(a, bytes) else str(a).encode() for a in argv]))
        return self.readReply()


def runSequence(port, commands, resp3=False):
    """
    Run commands on a fresh connection after FLUSHALL.

    @return: the list of raw replies.
    """
    conn = RawConnection(port)
    try:
        if resp3:
            conn.call("HELLO", "3")
        conn.call("FLUSHALL")
        return [conn.call(*argv) for argv in commands]
    finally:
        conn.close()


def assertSameReplies(redisPort, txredisdPort, commands, resp3=False):
    """
    Assert both servers answer every command with the same bytes.
    """
    expected = runSequence(redisPort, commands, resp3)
    actual = runSequence(txredisdPort, commands, resp3)
    for argv, want, got in zip(commands, expected, actual):
        assert got == want, "%r: redis-server answered %r, txredisd %r" % (argv, want, got)
