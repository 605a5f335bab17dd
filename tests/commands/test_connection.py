"""
Unit tests of the connection commands: CLIENT, HELLO, AUTH, RESET, PING,
ECHO, SELECT and QUIT, over in-memory connections.
"""

from twisted.internet.address import IPv6Address
from twisted.trial.unittest import SynchronousTestCase

from txredisd.config import Config
from tests.helpers import Connection, makeServer


class ClientTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def test_id(self):
        """
        CLIENT ID answers the connection's id; a second connection gets the
        next one.
        """
        self.assertEqual(self.conn.call("CLIENT", "ID"), b":1\r\n")
        other = Connection(self.conn.server)
        self.assertEqual(other.call("CLIENT", "ID"), b":2\r\n")

    def test_names(self):
        """
        CLIENT SETNAME sets and an empty name clears the name; CLIENT
        GETNAME answers it or a null.
        """
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"$-1\r\n")
        self.assertEqual(self.conn.call("CLIENT", "SETNAME", "worker-1"), b"+OK\r\n")
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"$8\r\nworker-1\r\n")
        self.assertEqual(self.conn.call("CLIENT", "SETNAME", ""), b"+OK\r\n")
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"$-1\r\n")

    def test_badNames(self):
        """
        Names with spaces, control or non-ASCII bytes are refused with
        Redis's text, and the old name stays.
        """
        self.conn.call("CLIENT", "SETNAME", "good")
        for name in (b"a b", b"a\nb", b"\x00", b"\xc3\xa9", b"\x7f"):
            self.assertEqual(
                self.conn.call(b"CLIENT", b"SETNAME", name),
                b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
            )
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"$4\r\ngood\r\n")

    def test_setinfoUnknown(self):
        """
        CLIENT SETINFO is unknown, as to Redis 7.0 (it came in 7.2); redis-py
        ignores the error.
        """
        self.assertEqual(
            self.conn.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py"),
            b"-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n",
        )

    def test_info(self):
        """
        CLIENT INFO is one Redis 7.0 line for the caller, ending in a
        newline, naming itself as the current command.
        """
        self.conn.server.clock.advance(5)
        self.conn.call("SELECT", "3")
        self.conn.call("CLIENT", "SETNAME", "me")
        self.assertEqual(
            self.conn.call("CLIENT", "INFO"),
            b"$253\r\nid=1 addr=127.0.0.1:54321 laddr=10.0.0.1:12345 fd=-1 name=me age=5 idle=0 flags=N db=3 "
            b"sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 "
            b"omem=0 tot-mem=0 events=r cmd=client|info user=default redir=-1 resp=2\n\r\n",
        )

    def test_ipv6Address(self):
        """
        IPv6 peers are shown in brackets, as Redis's anetFormatAddr writes
        them, and CLIENT KILL ADDR matches that form.
        """
        other = Connection(self.conn.server, peer=IPv6Address("TCP", "::1", 4242))
        self.assertIn(b" addr=[::1]:4242 ", other.call("CLIENT", "INFO"))
        self.assertEqual(self.conn.call("CLIENT", "KILL", "ADDR", "[::1]:4242"), b":1\r\n")

    def test_listAndFilters(self):
        """
        CLIENT LIST shows every client, TYPE and ID filter them (ids in the
        order given), and bad filters are refused.
        """
        other = Connection(self.conn.server)
        other.call("HELLO", "3")
        other.server.clock.advance(2)
        lines = self._lines(self.conn.call("CLIENT", "LIST"))
        self.assertEqual([line.split(b" ")[0] for line in lines], [b"id=1", b"id=2"])
        self.assertTrue(lines[1].endswith(b" cmd=hello user=default redir=-1 resp=3"))
        self.assertIn(b" age=2 idle=2 ", lines[1])
        self.assertEqual(len(self._lines(self.conn.call("CLIENT", "LIST", "TYPE", "normal"))), 2)
        self.assertEqual(self.conn.call("CLIENT", "LIST", "TYPE", "pubsub"), b"$0\r\n\r\n")
        ids = self._lines(self.conn.call("CLIENT", "LIST", "ID", "2", "9", "1"))
        self.assertEqual([line.split(b" ")[0] for line in ids], [b"id=2", b"id=1"])
        self.assertEqual(self.conn.call("CLIENT", "LIST", "TYPE", "x"), b"-ERR Unknown client type 'x'\r\n")
        self.assertEqual(self.conn.call("CLIENT", "LIST", "ID", "1", "y"), b"-ERR Invalid client ID\r\n")
        self.assertEqual(self.conn.call("CLIENT", "LIST", "ID"), b"-ERR syntax error\r\n")

    def _lines(self, reply):
        body = reply.split(b"\r\n", 1)[1][:-2]
        self.assertTrue(body.endswith(b"\n"))
        return body[:-1].split(b"\n")

    def test_flags(self):
        """
        The flags field shows pub/sub and MULTI state with Redis's letters,
        and sub/psub/ssub the pub/sub machinery's counts.
        """
        from txredisd.commands.connection import clientInfo

        class PubSub:
            def counts(self, client):
                return (2, 1, 0)

        client = self.conn.client
        client.subscriptions = 3
        client.multi = []
        client.server.pubsub = PubSub()
        self.assertIn(b" flags=Px db=0 sub=2 psub=1 ssub=0 multi=0 ", clientInfo(client, 0))

    def test_noEvict(self):
        """
        CLIENT NO-EVICT ON and OFF set and clear the C{e} flag; other words
        are a syntax error.
        """
        self.assertEqual(self.conn.call("CLIENT", "NO-EVICT", "on"), b"+OK\r\n")
        self.assertIn(b" flags=e ", self.conn.call("CLIENT", "INFO"))
        self.assertEqual(self.conn.call("CLIENT", "NO-EVICT", "maybe"), b"-ERR syntax error\r\n")
        self.assertEqual(self.conn.call("CLIENT", "NO-EVICT", "OFF"), b"+OK\r\n")
        self.assertIn(b" flags=N ", self.conn.call("CLIENT", "INFO"))

    def test_unblock(self):
        """
        CLIENT UNBLOCK hands a blocked client to the blocking manager with
        the reason, and answers 1; a client not blocked or unknown gives 0.
        """
        calls = []

        class Blocking:
            ready = {}

            def unblock(self, client, error=False):
                calls.append((client.id, error))
                return client.id == 2

        self.conn.server.blocking = Blocking()
        Connection(self.conn.server)
        self.assertEqual(self.conn.call("CLIENT", "UNBLOCK", "2", "ERROR"), b":1\r\n")
        self.assertEqual(self.conn.call("CLIENT", "UNBLOCK", "1"), b":0\r\n")
        self.assertEqual(self.conn.call("CLIENT", "UNBLOCK", "9", "timeout"), b":0\r\n")
        self.assertEqual(calls, [(2, True), (1, False)])

    def test_unblockErrors(self):
        """
        CLIENT UNBLOCK checks the reason before the id, as Redis does.
        """
        self.assertEqual(
            self.conn.call("CLIENT", "UNBLOCK", "x", "later"),
            b"-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
        )
        self.assertEqual(
            self.conn.call("CLIENT", "UNBLOCK", "x"), b"-ERR value is not an integer or out of range\r\n"
        )

    def test_killById(self):
        """
        CLIENT KILL ID closes that client at once: it is no longer listed,
        and its connection is lost.
        """
        other = Connection(self.conn.server)
        self.assertEqual(self.conn.call("CLIENT", "KILL", "ID", "2"), b":1\r\n")
        self.assertTrue(other.transport.disconnecting)
        self.assertEqual(self.conn.call("CLIENT", "KILL", "ID", "2"), b":0\r\n")
        self.assertEqual(len(self._lines(self.conn.call("CLIENT", "LIST"))), 1)

    def test_killOldForm(self):
        """
        The old form kills by address and answers OK, or No such client; it
        may kill the caller, which then closes after the reply.
        """
        self.assertEqual(self.conn.call("CLIENT", "KILL", "1.2.3.4:5"), b"-ERR No such client\r\n")
        self.assertEqual(self.conn.call("CLIENT", "KILL", "127.0.0.1:54321"), b"+OK\r\n")
        self.assertTrue(self.conn.transport.disconnecting)

    def test_killSkipMe(self):
        """
        The filter form skips the caller unless SKIPME no.
        """
        self.assertEqual(self.conn.call("CLIENT", "KILL", "TYPE", "normal"), b":0\r\n")
        self.assertFalse(self.conn.transport.disconnecting)
        self.assertEqual(self.conn.call("CLIENT", "KILL", "USER", "default", "SKIPME", "NO"), b":1\r\n")
        self.assertTrue(self.conn.transport.disconnecting)

    def test_killFilterErrors(self):
        """
        CLIENT KILL refuses bad ids, types, users and options with Redis's
        texts.
        """
        self.assertEqual(
            self.conn.call("CLIENT", "KILL", "ID", "0"), b"-ERR client-id should be greater than 0\r\n"
        )
        self.assertEqual(self.conn.call("CLIENT", "KILL", "TYPE", "x"), b"-ERR Unknown client type 'x'\r\n")
        self.assertEqual(self.conn.call("CLIENT", "KILL", "USER", "bob"), b"-ERR No such user 'bob'\r\n")
        self.assertEqual(self.conn.call("CLIENT", "KILL", "ADDR", "a", "LADDR"), b"-ERR syntax error\r\n")
        self.assertEqual(self.conn.call("CLIENT", "KILL", "SKIPME", "x"), b"-ERR syntax error\r\n")

    def test_help(self):
        """
        CLIENT HELP is Redis 7.0's text.
        """
        reply = self.conn.call("CLIENT", "HELP")
        self.assertTrue(reply.startswith(b"*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))
        self.assertTrue(reply.endswith(b"+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n"
                                       b"+HELP\r\n+    Prints this help.\r\n"))


class HelloTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def test_switchesProtocol(self):
        """
        HELLO 3 answers a RESP3 map and switches the connection; HELLO 2
        answers a flat array and switches back.
        """
        self.assertEqual(
            self.conn.call("HELLO", "3"),
            b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
            b"$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
            b"$7\r\nmodules\r\n*0\r\n",
        )
        self.assertEqual(self.conn.call("GET", "missing"), b"_\r\n")
        self.assertTrue(self.conn.call("HELLO", "2").startswith(b"*14\r\n"))
        self.assertEqual(self.conn.call("GET", "missing"), b"$-1\r\n")

    def test_errors(self):
        """
        HELLO refuses unknown versions, non-integers and bad options.
        """
        self.assertEqual(self.conn.call("HELLO", "4"), b"-NOPROTO unsupported protocol version\r\n")
        self.assertEqual(self.conn.call("HELLO", "1"), b"-NOPROTO unsupported protocol version\r\n")
        self.assertEqual(
            self.conn.call("HELLO", "three"), b"-ERR Protocol version is not an integer or out of range\r\n"
        )
        self.assertEqual(
            self.conn.call("HELLO", "3", "AUTH", "default"), b"-ERR Syntax error in HELLO option 'AUTH'\r\n"
        )
        self.assertEqual(self.conn.call("HELLO", "3", "SETNAME", "a b")[:40], b"-ERR Client names cannot contain spaces,")
        self.assertEqual(self.conn.call("GET", "missing"), b"$-1\r\n")

    def test_setname(self):
        """
        HELLO SETNAME names the connection, the last one winning.
        """
        self.conn.call("HELLO", "2", "SETNAME", "a", "SETNAME", "b")
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"$1\r\nb\r\n")


class AuthTests(SynchronousTestCase):
    def setUp(self):
        config = Config()
        config.set("requirepass", b"secret")
        self.conn = Connection(makeServer(config=config))

    def test_noauth(self):
        """
        With a password configured, commands before AUTH get NOAUTH and
        HELLO without AUTH says how to authenticate.
        """
        self.assertEqual(self.conn.call("CLIENT", "ID"), b"-NOAUTH Authentication required.\r\n")
        self.assertTrue(self.conn.call("HELLO", "3").startswith(b"-NOAUTH HELLO must be called with the client"))

    def test_helloAuth(self):
        """
        HELLO 3 AUTH default <password> authenticates and switches to RESP3
        in one step; a wrong password is WRONGPASS.
        """
        self.assertEqual(
            self.conn.call("HELLO", "3", "AUTH", "default", "wrong"),
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
        )
        self.assertTrue(self.conn.call("HELLO", "3", "AUTH", "default", "secret").startswith(b"%7\r\n"))
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"_\r\n")

    def test_auth(self):
        """
        AUTH with the password, or default and the password, authenticates.
        """
        self.assertEqual(self.conn.call("AUTH", "nope")[:10], b"-WRONGPASS")
        self.assertEqual(self.conn.call("AUTH", "secret"), b"+OK\r\n")
        self.assertEqual(self.conn.call("AUTH", "default", "secret"), b"+OK\r\n")
        self.assertEqual(self.conn.call("CLIENT", "ID"), b":1\r\n")

    def test_resetDeauthenticates(self):
        """
        RESET puts a client back to unauthenticated when a password is set.
        """
        self.conn.call("AUTH", "secret")
        self.assertEqual(self.conn.call("RESET"), b"+RESET\r\n")
        self.assertEqual(self.conn.call("CLIENT", "ID"), b"-NOAUTH Authentication required.\r\n")


class ResetAndFriendsTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def test_reset(self):
        """
        RESET answers +RESET and restores RESP2, database 0 and no name.
        """
        self.conn.call("HELLO", "3", "SETNAME", "n")
        self.conn.call("SELECT", "4")
        self.assertEqual(self.conn.call("RESET"), b"+RESET\r\n")
        self.assertEqual(self.conn.call("CLIENT", "GETNAME"), b"$-1\r\n")
        self.assertEqual(self.conn.client.dbIndex, 0)
        self.assertEqual(self.conn.call("RESET", "x"), b"-ERR wrong number of arguments for 'reset' command\r\n")

    def test_pingEcho(self):
        """
        PING answers PONG or its argument, ECHO its argument.
        """
        self.assertEqual(self.conn.call("PING"), b"+PONG\r\n")
        self.assertEqual(self.conn.call("PING", "x"), b"$1\r\nx\r\n")
        self.assertEqual(self.conn.call("ECHO", ""), b"$0\r\n\r\n")
        self.assertEqual(self.conn.call("PING", "a", "b"), b"-ERR wrong number of arguments for 'ping' command\r\n")

    def test_select(self):
        """
        SELECT changes database and refuses bad indexes with Redis's texts.
        """
        self.assertEqual(self.conn.call("SELECT", "15"), b"+OK\r\n")
        self.assertEqual(self.conn.call("SELECT", "16"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.conn.call("SELECT", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.conn.client.dbIndex, 15)

    def test_quit(self):
        """
        QUIT answers OK and closes the connection; nothing after it runs.
        """
        self.assertEqual(self.conn.feed(b"QUIT\r\nPING\r\n"), b"+OK\r\n")
        self.assertTrue(self.conn.transport.disconnecting)
