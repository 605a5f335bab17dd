"""
Tests for L{txredisd.acl}, L{txredisd.commands.acl} and the authentication
and permission checks of L{txredisd.dispatch} and L{txredisd.protocol}.
"""

import hashlib
import os
import shutil
import tempfile

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd import acl
from txredisd.config import Config
from txredisd.registry import COMMANDS, aclCategories
from txredisd.resp import encodeCommand

OK = b"+OK\r\n"
NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
NOPERM_KEY = b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"
NOPERM_CHANNEL = b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n"
P1 = hashlib.sha256(b"p1").hexdigest().encode()


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def array(*items):
    return b"*%d\r\n" % (len(items),) + b"".join(items)


def noperm(name):
    return b"-NOPERM this user has no permissions to run the '%s' command\r\n" % (name,)


def ruleError(op, reason):
    return b"-ERR Error in ACL SETUSER modifier '%s': %s\r\n" % (op, reason)


def serverWith(**parameters):
    """
    @return: a server whose configuration has C{parameters} set
        (underscores for dashes).
    """
    config = Config()
    for name, value in parameters.items():
        config.set(name.replace("_", "-"), value, startup=True)
    return makeServer(config=config)


def loggedIn(conn, *rules, name=b"u"):
    """
    Create user C{name} with C{rules} (plus C{on nopass}) and authenticate
    C{conn} as it.
    """
    assert conn.call("ACL", "SETUSER", name, "on", "nopass", *rules) == OK
    assert conn.call("AUTH", name, "x") == OK
    return conn


class SetUserTests(SynchronousTestCase):
    """
    ACL SETUSER applies Redis 7.0's rules, all or none, and ACL LIST and
    ACL GETUSER render them as Redis does.
    """

    def setUp(self):
        self.conn = Connection()

    def listOf(self, name):
        user = self.conn.server.acl.users[name]
        return b"user " + name + b" " + user.describe()

    def test_defaultUser(self):
        """
        The default user is on nopass ~* &* +@all.
        """
        self.assertEqual(
            self.conn.call("ACL", "LIST"),
            array(bulk(b"user default on nopass ~* &* +@all")),
        )

    def test_newUser(self):
        """
        A new user is off, has no passwords, keys, channels or commands.
        """
        self.assertEqual(self.conn.call("ACL", "SETUSER", "u1"), OK)
        self.assertEqual(self.listOf(b"u1"), b"user u1 off resetchannels -@all")

    def test_passwordsAndPatterns(self):
        """
        Passwords show as SHA-256 hashes; key patterns with the same text
        merge their permissions; channels after &* are refused.
        """
        self.assertEqual(
            self.conn.call(
                "ACL", "SETUSER", "u", "on", ">p1", ">p1", "~a*", "%R~b*", "%W~c", "%RW~d",
                "~x", "%R~x", "&ch", "+get",
            ),
            OK,
        )
        self.assertEqual(
            self.listOf(b"u"),
            b"user u on #" + P1 + b" ~a* %R~b* %W~c ~d ~x resetchannels &ch -@all +get",
        )

    def test_allCommandsMinus(self):
        """
        +@all followed by removals renders from +@all.
        """
        self.conn.call("ACL", "SETUSER", "u", "+@all", "-get", "allkeys")
        self.assertEqual(self.listOf(b"u"), b"user u off ~* resetchannels +@all -get")

    def test_category(self):
        """
        A category added alone renders as itself.
        """
        self.conn.call("ACL", "SETUSER", "u", "+@read")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all +@read")

    def test_firstArgument(self):
        """
        +cmd|arg allows a first argument of a command otherwise denied.
        """
        self.conn.call("ACL", "SETUSER", "u", "+select|0")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all +select|0")
        self.conn.call("ACL", "SETUSER", "u", "+select")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all +select")

    def test_subcommand(self):
        """
        +container|sub allows one subcommand; -container denies them all.
        """
        self.conn.call("ACL", "SETUSER", "u", "+acl|whoami")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all +acl|whoami")
        self.conn.call("ACL", "SETUSER", "u", "+acl", "-acl")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all")

    def test_selectors(self):
        """
        (...) selectors, given whole or split over arguments, render in
        parentheses after the root rules; clearselectors drops them.
        """
        self.assertEqual(self.conn.call("ACL", "SETUSER", "u", "(~a +get)", "(", "%R~b", "+@read", ")"), OK)
        self.assertEqual(
            self.listOf(b"u"),
            b"user u off resetchannels -@all (~a resetchannels -@all +get) "
            b"(%R~b resetchannels -@all +@read)",
        )
        self.conn.call("ACL", "SETUSER", "u", "clearselectors")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all")

    def test_reset(self):
        """
        reset returns a user to the state of a new one, with
        sanitize-payload.
        """
        self.conn.call("ACL", "SETUSER", "u", "on", ">p1", "~*", "&*", "+@all", "(~a)")
        self.conn.call("ACL", "SETUSER", "u", "reset")
        self.assertEqual(self.listOf(b"u"), b"user u off sanitize-payload resetchannels -@all")

    def test_passwordRules(self):
        """
        <pass and !hash remove passwords, #hash adds one, nopass clears
        them, resetpass clears nopass too.
        """
        self.conn.call("ACL", "SETUSER", "u", ">p1", ">p2", "<p2")
        self.assertEqual(self.conn.server.acl.users[b"u"].passwords, [P1])
        self.conn.call("ACL", "SETUSER", "u", "!" + P1.decode(), "#" + P1.decode())
        self.assertEqual(self.conn.server.acl.users[b"u"].passwords, [P1])
        self.conn.call("ACL", "SETUSER", "u", "nopass")
        self.assertEqual(self.listOf(b"u"), b"user u off nopass resetchannels -@all")
        self.conn.call("ACL", "SETUSER", "u", "resetpass")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all")

    def test_errors(self):
        """
        Refused rules answer Redis's texts and change nothing.
        """
        cases = [
            (b"foo", b"Syntax error"),
            (b"+nosuch", b"Unknown command or category name in ACL"),
            (b"+@nosuch", b"Unknown command or category name in ACL"),
            (b"-get|foo", b"Unknown command or category name in ACL"),
            (b"+select|0|1", b"Unknown command or category name in ACL"),
            (b"+acl|whoami|x", b"Allowing first-arg of a subcommand is not supported"),
            (b"+get|", b"Syntax error"),
            (b"%X~a", b"Syntax error"),
            (b"%~a", b"Syntax error"),
            (b"%", b"Syntax error"),
            (b"(foo)", b"Syntax error"),
            (b"#abc", b"The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
            (b"!abc", b"The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
            (b"<nopw", b"The password you are trying to remove from the user does not exist"),
        ]
        for op, reason in cases:
            self.assertEqual(self.conn.call("ACL", "SETUSER", "x", "on", op), ruleError(op, reason), op)
        self.assertNotIn(b"x", self.conn.server.acl.users)

    def test_patternAfterAll(self):
        """
        Patterns after ~* or &* are refused with Redis's advice.
        """
        self.assertEqual(
            self.conn.call("ACL", "SETUSER", "x", "~*", "~a"),
            ruleError(
                b"~a",
                b"Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and "
                b"does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            ),
        )
        self.assertEqual(
            self.conn.call("ACL", "SETUSER", "x", "&*", "&a"),
            ruleError(
                b"&a",
                b"Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
                b"does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            ),
        )

    def test_allOrNothing(self):
        """
        An existing user keeps its rules when a later rule is refused.
        """
        self.conn.call("ACL", "SETUSER", "u", "+get")
        self.conn.call("ACL", "SETUSER", "u", "+set", "bad")
        self.assertEqual(self.listOf(b"u"), b"user u off resetchannels -@all +get")

    def test_unmatchedParenthesis(self):
        """
        A selector never closed is refused naming where it started.
        """
        self.assertEqual(
            self.conn.call("ACL", "SETUSER", "x", "(~a"),
            b"-ERR Unmatched parenthesis in acl selector starting at '(~a'.\r\n",
        )
        self.assertEqual(
            self.conn.call("ACL", "SETUSER", "x", "(~a", "foo)"),
            ruleError(b"(~a foo)", b"Syntax error"),
        )

    def test_usernameSpaces(self):
        """
        User names may not hold spaces.
        """
        self.assertEqual(
            self.conn.call("ACL", "SETUSER", "a b"),
            b"-ERR Usernames can't contain spaces or null characters\r\n",
        )

    def test_arity(self):
        """
        ACL SETUSER needs a user name.
        """
        self.assertEqual(
            self.conn.call("ACL", "SETUSER"),
            b"-ERR wrong number of arguments for 'acl|setuser' command\r\n",
        )


class GetUserTests(SynchronousTestCase):
    """
    ACL GETUSER describes a user as a map.
    """

    def test_resp2(self):
        """
        In RESP2 the map is flat: flags, passwords, commands, keys,
        channels, selectors.
        """
        conn = Connection()
        conn.call("ACL", "SETUSER", "u", "on", ">p1", "~a", "&c", "+get", "(%R~b +@read)")
        self.assertEqual(
            conn.call("ACL", "GETUSER", "u"),
            array(
                bulk(b"flags"), array(bulk(b"on")),
                bulk(b"passwords"), array(bulk(P1)),
                bulk(b"commands"), bulk(b"-@all +get"),
                bulk(b"keys"), bulk(b"~a"),
                bulk(b"channels"), bulk(b"&c"),
                bulk(b"selectors"), array(array(
                    bulk(b"commands"), bulk(b"-@all +@read"),
                    bulk(b"keys"), bulk(b"%R~b"),
                    bulk(b"channels"), bulk(b""),
                )),
            ),
        )

    def test_resp3(self):
        """
        In RESP3 it is a map with the flags as a set.
        """
        conn = Connection()
        conn.call("HELLO", "3")
        self.assertEqual(
            conn.call("ACL", "GETUSER", "default"),
            b"%6\r\n" + bulk(b"flags") + b"~2\r\n" + bulk(b"on") + bulk(b"nopass")
            + bulk(b"passwords") + b"*0\r\n"
            + bulk(b"commands") + bulk(b"+@all")
            + bulk(b"keys") + bulk(b"~*")
            + bulk(b"channels") + bulk(b"&*")
            + bulk(b"selectors") + b"*0\r\n",
        )

    def test_missing(self):
        """
        An unknown user is a null.
        """
        self.assertEqual(Connection().call("ACL", "GETUSER", "nosuch"), b"$-1\r\n")


class UserCommandsTests(SynchronousTestCase):
    """
    DELUSER, USERS, WHOAMI, CAT, GENPASS, HELP.
    """

    def setUp(self):
        self.conn = Connection()

    def test_deluser(self):
        """
        DELUSER counts the users it deleted and refuses the default user.
        """
        self.conn.call("ACL", "SETUSER", "a")
        self.assertEqual(self.conn.call("ACL", "DELUSER", "a", "nosuch"), b":1\r\n")
        self.assertEqual(
            self.conn.call("ACL", "DELUSER", "x", "default"),
            b"-ERR The 'default' user cannot be removed\r\n",
        )

    def test_deluserDisconnects(self):
        """
        Clients logged in as a deleted user are disconnected; the one
        deleting its own user gets its reply first.
        """
        other = loggedIn(Connection(self.conn.server), "+@all")
        loggedIn(self.conn, "+@all")
        self.assertEqual(self.conn.call("ACL", "DELUSER", "u"), b":1\r\n")
        self.assertTrue(self.conn.transport.disconnecting)
        self.assertTrue(other.transport.disconnecting)

    def test_revokedChannelsDisconnect(self):
        """
        Subscribers whose channels a rule change revokes are disconnected;
        the others stay.
        """
        self.conn.call("ACL", "SETUSER", "p", "on", "nopass", "+@all", "resetchannels", "&ch*", "&x")
        subscribers = []
        for argv in (("SUBSCRIBE", "ch1"), ("PSUBSCRIBE", "ch*"), ("SUBSCRIBE", "x")):
            conn = Connection(self.conn.server)
            conn.call("AUTH", "p", "x")
            conn.call(*argv)
            subscribers.append(conn)
        self.conn.call("ACL", "SETUSER", "p", "&y")
        self.assertEqual([c.transport.disconnecting for c in subscribers], [False, False, False])
        self.conn.call("ACL", "SETUSER", "p", "resetchannels", "&ch1", "&x")
        self.assertEqual([c.transport.disconnecting for c in subscribers], [False, True, False])

    def test_users(self):
        """
        USERS lists the names in byte order.
        """
        self.conn.call("ACL", "SETUSER", "zed")
        self.conn.call("ACL", "SETUSER", "abe")
        self.assertEqual(
            self.conn.call("ACL", "USERS"),
            array(bulk(b"abe"), bulk(b"default"), bulk(b"zed")),
        )

    def test_whoami(self):
        """
        WHOAMI names the client's user.
        """
        self.assertEqual(self.conn.call("ACL", "WHOAMI"), bulk(b"default"))
        loggedIn(self.conn, "+acl|whoami")
        self.assertEqual(self.conn.call("ACL", "WHOAMI"), bulk(b"u"))
        self.assertEqual(
            self.conn.call("ACL", "WHOAMI", "x"),
            b"-ERR wrong number of arguments for 'acl|whoami' command\r\n",
        )

    def test_catCategories(self):
        """
        CAT alone lists Redis's 21 categories in Redis's order.
        """
        reply = self.conn.call("ACL", "CAT")
        self.assertTrue(reply.startswith(b"*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n"))
        self.assertTrue(reply.endswith(b"$11\r\ntransaction\r\n$9\r\nscripting\r\n"))

    def test_catCommands(self):
        """
        CAT <category> lists the commands of the table in it, subcommands by
        their full names.
        """
        reply = self.conn.call("ACL", "CAT", "transaction")
        for name in (b"multi", b"exec", b"discard", b"watch", b"unwatch"):
            self.assertIn(bulk(name), reply)
        self.assertIn(bulk(b"acl|whoami"), self.conn.call("ACL", "CAT", "SLOW"))

    def test_catErrors(self):
        """
        Unknown categories and extra arguments are refused.
        """
        self.assertEqual(self.conn.call("ACL", "CAT", "nosuch"), b"-ERR Unknown category 'nosuch'\r\n")
        self.assertEqual(
            self.conn.call("ACL", "CAT", "a", "b"),
            b"-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n",
        )

    def test_genpass(self):
        """
        GENPASS gives 64 hex digits, or bits/4 rounded up.
        """
        reply = self.conn.call("ACL", "GENPASS")
        self.assertEqual(reply[:5], b"$64\r\n")
        int(reply[5:-2], 16)
        self.assertEqual(self.conn.call("ACL", "GENPASS", "5")[:4], b"$2\r\n")
        self.assertEqual(self.conn.call("ACL", "GENPASS", "4096")[:7], b"$1024\r\n")
        self.assertNotEqual(self.conn.call("ACL", "GENPASS"), reply)

    def test_genpassErrors(self):
        """
        GENPASS takes bits between 1 and 4096.
        """
        bits = (
            b"-ERR ACL GENPASS argument must be the number of bits for the output password, "
            b"a positive number up to 4096\r\n"
        )
        self.assertEqual(self.conn.call("ACL", "GENPASS", "0"), bits)
        self.assertEqual(self.conn.call("ACL", "GENPASS", "4097"), bits)
        self.assertEqual(self.conn.call("ACL", "GENPASS", "x"), b"-ERR value is not an integer or out of range\r\n")

    def test_help(self):
        """
        HELP lists the subcommands as status lines.
        """
        reply = self.conn.call("ACL", "HELP")
        self.assertTrue(reply.startswith(b"*29\r\n+ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"))
        self.assertTrue(reply.endswith(b"+HELP\r\n+    Prints this help.\r\n"))

    def test_unknownSubcommand(self):
        """
        An unknown subcommand names ACL HELP.
        """
        self.assertEqual(self.conn.call("ACL", "FOO"), b"-ERR unknown subcommand 'FOO'. Try ACL HELP.\r\n")


class DryRunTests(SynchronousTestCase):
    """
    ACL DRYRUN says whether a user could run a command, as bulk strings.
    """

    def setUp(self):
        self.conn = Connection()
        self.conn.call(
            "ACL", "SETUSER", "u", "~a*", "%R~b", "%W~w", "&ch*", "+get", "+set", "+publish",
            "+select|0", "+acl|whoami",
        )

    def dryrun(self, *argv):
        return self.conn.call("ACL", "DRYRUN", "u", *argv)

    def test_allowed(self):
        """
        Allowed commands answer OK.
        """
        self.assertEqual(self.dryrun("get", "a1"), OK)
        self.assertEqual(self.dryrun("select", "0"), OK)
        self.assertEqual(self.dryrun("acl", "whoami"), OK)
        self.assertEqual(self.dryrun("publish", "chan", "m"), OK)

    def test_deniedCommand(self):
        """
        A denied command is named, subcommands by their full name.
        """
        self.assertEqual(self.dryrun("del", "a"), bulk(b"This user has no permissions to run the 'del' command"))
        self.assertEqual(self.dryrun("select", "1"), bulk(b"This user has no permissions to run the 'select' command"))
        self.assertEqual(self.dryrun("acl", "list"), bulk(b"This user has no permissions to run the 'acl|list' command"))

    def test_deniedKeyAndChannel(self):
        """
        A denied key or channel is named.
        """
        self.assertEqual(self.dryrun("get", "zz"), bulk(b"This user has no permissions to access the 'zz' key"))
        self.assertEqual(self.dryrun("publish", "x", "m"), bulk(b"This user has no permissions to access the 'x' channel"))

    def test_readWritePatterns(self):
        """
        %R~ patterns allow reading only, %W~ writing only.
        """
        self.assertEqual(self.dryrun("get", "b"), OK)
        self.assertEqual(self.dryrun("set", "b", "1"), bulk(b"This user has no permissions to access the 'b' key"))
        self.assertEqual(self.dryrun("set", "w", "1"), OK)
        self.assertEqual(self.dryrun("set", "w", "1", "GET"), bulk(b"This user has no permissions to access the 'w' key"))
        self.assertEqual(self.dryrun("get", "w"), bulk(b"This user has no permissions to access the 'w' key"))

    def test_errors(self):
        """
        Unknown users and commands and wrong arities are errors.
        """
        self.assertEqual(self.conn.call("ACL", "DRYRUN", "nosuch", "get", "a"), b"-ERR User 'nosuch' not found\r\n")
        self.assertEqual(self.dryrun("nosuch"), b"-ERR Command 'nosuch' not found\r\n")
        self.assertEqual(self.dryrun("acl", "nosuch"), b"-ERR Command 'acl' not found\r\n")
        self.assertEqual(self.dryrun("get"), b"-ERR wrong number of arguments for 'get' command\r\n")
        self.assertEqual(self.dryrun("acl"), b"-ERR wrong number of arguments for 'acl' command\r\n")


class PermissionTests(SynchronousTestCase):
    """
    Dispatch refuses what the client's user may not do, and logs it.
    """

    def setUp(self):
        self.conn = loggedIn(Connection(), "~a*", "&c*", "+@all", "-flushall")

    def test_deniedCommand(self):
        """
        A denied command answers NOPERM naming it.
        """
        self.assertEqual(self.conn.call("FLUSHALL"), noperm(b"flushall"))

    def test_deniedKey(self):
        """
        A key outside the patterns answers NOPERM.
        """
        self.assertEqual(self.conn.call("GET", "zz"), NOPERM_KEY)
        self.assertEqual(self.conn.call("SET", "a1", "v"), OK)
        self.assertEqual(self.conn.call("MSET", "a2", "v", "b", "v"), NOPERM_KEY)
        self.assertEqual(self.conn.server.store.db(0).size(), 1)

    def test_deniedChannel(self):
        """
        Channels are matched against the patterns; a pattern subscription
        must appear literally.
        """
        self.assertEqual(self.conn.call("PUBLISH", "dd", "x"), NOPERM_CHANNEL)
        self.assertEqual(self.conn.call("PUBLISH", "cat", "x"), b":0\r\n")
        self.assertEqual(self.conn.call("PSUBSCRIBE", "cat*"), NOPERM_CHANNEL)
        self.assertEqual(self.conn.call("PSUBSCRIBE", "c*")[:4], b"*3\r\n")

    def test_multiFlagsTransaction(self):
        """
        A denial while queueing makes EXEC abort.
        """
        self.conn.call("MULTI")
        self.assertEqual(self.conn.call("GET", "zz"), NOPERM_KEY)
        self.assertEqual(self.conn.call("EXEC"), b"-EXECABORT Transaction discarded because of previous errors.\r\n")

    def test_rulesChangedBeforeExec(self):
        """
        EXEC checks queued commands again and refuses those the user lost,
        as Redis 7.0's execCommand.
        """
        other = Connection(self.conn.server)
        other.call("ACL", "SETUSER", "e", "on", "nopass", "~*", "&*", "+@all")
        self.conn.call("AUTH", "e", "x")
        self.conn.call("MULTI")
        for argv in (("SET", "a", "1"), ("GET", "a"), ("PUBLISH", "c", "x"), ("SET", "b", "1")):
            self.conn.call(*argv)
        other.call("ACL", "SETUSER", "e", "resetkeys", "~b", "-get", "resetchannels")
        changed = (
            b"-NOPERM ACLs rules changed between the moment the transaction was accumulated "
            b"and the EXEC call. This command is no longer allowed for the following reason: "
        )
        self.assertEqual(
            self.conn.call("EXEC"),
            b"*4\r\n"
            + changed + b"no permission to touch the specified keys\r\n"
            + changed + b"no permission to execute the command or subcommand\r\n"
            + changed + b"no permission to access one of the channels used as arguments\r\n"
            + OK,
        )
        self.assertEqual(
            [(e.reason, e.context) for e in self.conn.server.acl.log],
            [(acl.DENIED_CHANNEL, b"multi"), (acl.DENIED_CMD, b"multi"), (acl.DENIED_KEY, b"multi")],
        )

    def test_selectors(self):
        """
        Any selector allowing the command allows it.
        """
        conn = loggedIn(Connection(), "+get", "~a", "(+set ~b)", name=b"s")
        self.assertEqual(conn.call("GET", "a"), b"$-1\r\n")
        self.assertEqual(conn.call("SET", "b", "1"), OK)
        self.assertEqual(conn.call("SET", "a", "1"), NOPERM_KEY)
        self.assertEqual(conn.call("GET", "b"), NOPERM_KEY)
        self.assertEqual(conn.call("DEL", "a"), noperm(b"del"))

    def test_noAuthCommands(self):
        """
        Commands flagged no_auth run for any user.
        """
        conn = loggedIn(Connection(), name=b"none")
        self.assertEqual(conn.call("PING"), noperm(b"ping"))
        self.assertEqual(conn.call("AUTH", "none", "x"), OK)

    def test_unrestrictedPrecomputed(self):
        """
        The default user as shipped skips the checks; restricting it turns
        them on.
        """
        server = self.conn.server
        self.assertTrue(server.acl.default.unrestricted)
        self.assertFalse(server.acl.users[b"u"].unrestricted)
        conn = Connection(server)
        conn.call("ACL", "SETUSER", "default", "resetkeys", "~a*")
        self.assertFalse(server.acl.default.unrestricted)
        self.assertEqual(conn.call("GET", "zz"), NOPERM_KEY)


class LogTests(SynchronousTestCase):
    """
    ACL LOG records denials and failed authentications, newest first,
    merging repeats.
    """

    def setUp(self):
        self.conn = Connection()
        self.conn.call("ACL", "SETUSER", "k", "on", "nopass", "~a*", "&c*", "+@all", "-flushall")

    def entries(self):
        return self.conn.server.acl.log

    def test_auth(self):
        """
        A failed AUTH is logged with the user tried and the command as
        spelled.
        """
        self.conn.call("auth", "nosuch", "x")
        [entry] = self.entries()
        self.assertEqual(
            (entry.count, entry.reason, entry.context, entry.object, entry.username),
            (1, acl.DENIED_AUTH, b"toplevel", b"auth", b"nosuch"),
        )

    def test_reply(self):
        """
        ACL LOG answers each entry as a map of seven fields.
        """
        self.conn.call("AUTH", "nosuch", "x")
        self.conn.server.clock.advance(1.5)
        reply = self.conn.call("ACL", "LOG")
        prefix = (
            b"*1\r\n*14\r\n" + bulk(b"count") + b":1\r\n" + bulk(b"reason") + bulk(b"auth")
            + bulk(b"context") + bulk(b"toplevel") + bulk(b"object") + bulk(b"AUTH")
            + bulk(b"username") + bulk(b"nosuch") + bulk(b"age-seconds") + bulk(b"1.5")
            + bulk(b"client-info")
        )
        self.assertTrue(reply.startswith(prefix), reply)
        self.assertIn(b"id=1 addr=127.0.0.1:54321", reply)

    def test_mergesRepeats(self):
        """
        The same denial within a minute counts up one entry; later, a new
        one starts.
        """
        loggedIn(self.conn, name=b"k")
        self.conn.call("GET", "zz")
        self.conn.call("GET", "zz")
        self.assertEqual([e.count for e in self.entries()], [2])
        self.conn.server.clock.advance(61)
        self.conn.call("GET", "zz")
        self.assertEqual([e.count for e in self.entries()], [1, 2])

    def test_reasons(self):
        """
        Command, key and channel denials are logged with their object, in
        the multi context inside MULTI.
        """
        loggedIn(self.conn, name=b"k")
        self.conn.call("GET", "zz")
        self.conn.call("MULTI")
        self.conn.call("FLUSHALL")
        self.conn.call("PUBLISH", "dd", "x")
        self.assertEqual(
            [(e.reason, e.context, e.object, e.username) for e in self.entries()],
            [
                (acl.DENIED_CHANNEL, b"multi", b"dd", b"k"),
                (acl.DENIED_CMD, b"multi", b"flushall", b"k"),
                (acl.DENIED_KEY, b"toplevel", b"zz", b"k"),
            ],
        )

    def test_countAndReset(self):
        """
        LOG <count> limits the entries, LOG RESET empties the log.
        """
        for user in (b"a", b"b", b"c"):
            self.conn.call("AUTH", user, "x")
        self.assertEqual(self.conn.call("ACL", "LOG", "2")[:4], b"*2\r\n")
        self.assertEqual(self.conn.call("ACL", "LOG", "-1"), b"*0\r\n")
        self.assertEqual(self.conn.call("ACL", "LOG", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.conn.call("ACL", "LOG", "RESET"), OK)
        self.assertEqual(self.conn.call("ACL", "LOG"), b"*0\r\n")

    def test_maxLen(self):
        """
        The log keeps acllog-max-len entries.
        """
        self.conn.server.config.set("acllog-max-len", b"2")
        for user in (b"a", b"b", b"c"):
            self.conn.call("AUTH", user, "x")
        self.assertEqual([e.username for e in self.entries()], [b"c", b"b"])


class AuthTests(SynchronousTestCase):
    """
    requirepass, AUTH and HELLO AUTH.
    """

    def setUp(self):
        self.server = serverWith(requirepass=b"secret")
        self.conn = Connection(self.server)

    def test_noauth(self):
        """
        Until authenticated only no_auth commands run.
        """
        self.assertEqual(self.conn.call("GET", "a"), NOAUTH)
        self.assertEqual(self.conn.call("ACL", "WHOAMI"), NOAUTH)
        self.assertEqual(self.conn.call("AUTH", "secret"), OK)
        self.assertEqual(self.conn.call("GET", "a"), b"$-1\r\n")

    def test_requirepassIsDefaultPassword(self):
        """
        requirepass is the default user's only password.
        """
        self.assertEqual(
            self.conn.server.acl.listLines(),
            [b"user default on #" + hashlib.sha256(b"secret").hexdigest().encode() + b" ~* &* +@all"],
        )
        self.assertEqual(self.conn.call("AUTH", "default", "secret"), OK)

    def test_requirepassChanges(self):
        """
        Setting requirepass again replaces the password; an empty one makes
        the default user nopass and lets unauthenticated clients in.
        """
        self.server.config.set("requirepass", b"other")
        self.assertEqual(self.conn.call("AUTH", "secret"), WRONGPASS)
        self.server.config.set("requirepass", b"")
        self.assertEqual(self.conn.call("GET", "a"), b"$-1\r\n")

    def test_wrongpass(self):
        """
        Bad credentials answer WRONGPASS and leave the client as it was.
        """
        self.assertEqual(self.conn.call("AUTH", "bad"), WRONGPASS)
        self.assertEqual(self.conn.call("AUTH", "nosuch", "secret"), WRONGPASS)
        self.assertEqual(self.conn.call("GET", "a"), NOAUTH)

    def test_disabledUser(self):
        """
        A user that is off cannot authenticate, even with nopass.
        """
        self.conn.call("AUTH", "secret")
        self.conn.call("ACL", "SETUSER", "off1", "off", "nopass", "+@all")
        self.assertEqual(self.conn.call("AUTH", "off1", "x"), WRONGPASS)
        self.assertEqual(self.conn.call("ACL", "WHOAMI"), bulk(b"default"))

    def test_authWithoutPassword(self):
        """
        The one-argument AUTH fails when the default user has no password.
        """
        self.assertEqual(
            Connection().call("AUTH", "x"),
            b"-ERR AUTH <password> called without any password configured for the default "
            b"user. Are you sure your configuration is correct?\r\n",
        )

    def test_authArity(self):
        """
        AUTH takes at most a user and a password.
        """
        self.assertEqual(self.conn.call("AUTH", "a", "b", "c"), b"-ERR syntax error\r\n")

    def test_hello(self):
        """
        HELLO without AUTH is refused before authentication; HELLO 3 AUTH
        authenticates and switches protocol.
        """
        self.assertEqual(
            self.conn.call("HELLO", "3"),
            b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            b"HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
            b"the RESP protocol version at the same time\r\n",
        )
        self.assertEqual(self.conn.call("HELLO", "3", "AUTH", "default", "bad"), WRONGPASS)
        self.assertEqual(self.conn.call("HELLO", "3", "AUTH", "default", "secret")[:4], b"%7\r\n")
        self.assertEqual(self.conn.call("GET", "a"), b"_\r\n")
        [entry] = self.server.acl.log
        self.assertEqual(entry.object, b"HELLO")

    def test_reset(self):
        """
        RESET logs the client out to the default user.
        """
        self.conn.call("AUTH", "secret")
        self.conn.call("RESET")
        self.assertEqual(self.conn.call("GET", "a"), NOAUTH)

    def test_defaultUserOff(self):
        """
        Turning the default user off requires authentication of new clients.
        """
        conn = Connection()
        conn.call("ACL", "SETUSER", "default", "off")
        self.assertEqual(Connection(conn.server).call("GET", "a"), NOAUTH)


class UnauthenticatedLimitsTests(SynchronousTestCase):
    """
    Before authentication requests are small, as Redis enforces.
    """

    def setUp(self):
        self.conn = Connection(serverWith(requirepass=b"secret"))

    def test_multibulkLength(self):
        """
        More than 10 arguments close the connection.
        """
        self.assertEqual(
            self.conn.feed(b"*11\r\n"),
            b"-ERR Protocol error: unauthenticated multibulk length\r\n",
        )
        self.assertTrue(self.conn.transport.disconnecting)

    def test_bulkLength(self):
        """
        A bulk longer than 16384 bytes closes the connection; 16384 is
        accepted.
        """
        self.assertEqual(self.conn.feed(b"*1\r\n$16384\r\n"), b"")
        conn = Connection(self.conn.server)
        self.assertEqual(
            conn.feed(b"*1\r\n$16385\r\n"),
            b"-ERR Protocol error: unauthenticated bulk length\r\n",
        )

    def test_liftedByAuth(self):
        """
        Once authenticated, large requests are fine.
        """
        self.conn.call("AUTH", "secret")
        self.assertEqual(self.conn.call("SET", "k", "v" * 20000), OK)
        self.assertEqual(self.conn.call("MSET", *["k"] * 12), OK)

    def test_authInSameRead(self):
        """
        A large request pipelined right after a successful AUTH is served,
        as Redis parses one command at a time; after a failed AUTH it is
        refused.
        """
        big = encodeCommand([b"MSET"] + [b"k", b"v"] * 6) + encodeCommand([b"SET", b"s", b"v" * 20000])
        for useHiredis in (True, False):
            conn = Connection(self.conn.server, useHiredis=useHiredis)
            self.assertEqual(conn.feed(encodeCommand([b"AUTH", b"secret"]) + big), OK * 3)
            conn = Connection(self.conn.server, useHiredis=useHiredis)
            self.assertEqual(
                conn.feed(encodeCommand([b"AUTH", b"bad"]) + big),
                WRONGPASS + b"-ERR Protocol error: unauthenticated multibulk length\r\n",
            )

    def test_authBeforeLargeBulkArrives(self):
        """
        A bulk over the limit whose header arrived in the read that
        authenticated is read in full afterwards.
        """
        data = encodeCommand([b"AUTH", b"secret"]) + encodeCommand([b"SET", b"k", b"v" * 20000])
        self.assertEqual(self.conn.feed(data[:100]), OK)
        self.assertEqual(self.conn.feed(data[100:]), OK)
        self.assertEqual(self.conn.call("STRLEN", "k"), b":20000\r\n")

    def test_noLimitsWithoutPassword(self):
        """
        Without a password clients are authenticated from the start.
        """
        self.assertEqual(Connection().call("MSET", *["k"] * 12), OK)


class ProtectedModeTests(SynchronousTestCase):
    """
    Protected mode serves only local clients while the default user has no
    password.
    """

    DENIED = (
        b"-DENIED Redis is running in protected mode because protected mode is enabled and no "
        b"password is set for the default user. In this mode connections are only accepted from "
        b"the loopback interface. If you want to connect from external computers to Redis you may "
        b"adopt one of the following solutions: 1) Just disable protected mode sending the command "
        b"'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
        b"the same host the server is running, however MAKE SURE Redis is not publicly accessible "
        b"from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
        b"Alternatively you can just disable the protected mode by editing the Redis configuration "
        b"file, and setting the protected mode option to 'no', and then restarting the server. 3) "
        b"If you started the server manually just for testing, restart it with the "
        b"'--protected-mode no' option. 4) Setup a an authentication password for the default "
        b"user. NOTE: You only need to do one of the above things in order for the server to "
        b"start accepting connections from the outside.\r\n"
    )
    REMOTE = IPv4Address("TCP", "192.0.2.7", 40000)

    def test_remoteDenied(self):
        """
        A non-loopback client is told why and disconnected.
        """
        conn = Connection(peer=self.REMOTE)
        self.assertEqual(conn.transport.value(), self.DENIED)
        self.assertTrue(conn.transport.disconnecting)
        self.assertEqual(conn.feed(b"PING\r\n"), b"")
        self.assertEqual(conn.server.stats["rejected_connections"], 1)

    def test_localServed(self):
        """
        Loopback IPv4 and IPv6 and Unix socket clients are served.
        """
        for peer in (
            IPv4Address("TCP", "127.0.0.2", 1),
            IPv6Address("TCP", "::1", 1),
            UNIXAddress(b"/tmp/redis.sock"),
        ):
            self.assertEqual(Connection(peer=peer).call("PING"), b"+PONG\r\n")

    def test_passwordOrOff(self):
        """
        With a password, or protected-mode no, remote clients are served.
        """
        conn = Connection(serverWith(requirepass=b"pw"), peer=self.REMOTE)
        self.assertEqual(conn.call("PING"), NOAUTH)
        conn = Connection(serverWith(protected_mode=b"no"), peer=self.REMOTE)
        self.assertEqual(conn.call("PING"), b"+PONG\r\n")


class CategoryTests(SynchronousTestCase):
    """
    L{aclCategories} derives categories as Redis's
    C{setImplicitACLCategories}.
    """

    def test_derived(self):
        """
        Flags and groups give the categories.
        """
        self.assertEqual(aclCategories(COMMANDS[b"get"]), ["read", "string", "fast"])
        self.assertEqual(aclCategories(COMMANDS[b"set"]), ["write", "string", "slow"])
        self.assertEqual(aclCategories(COMMANDS[b"multi"]), ["fast", "transaction"])
        self.assertEqual(aclCategories(COMMANDS[b"publish"]), ["pubsub", "fast"])
        self.assertEqual(
            aclCategories(COMMANDS[b"acl"].subcommands[b"setuser"]), ["admin", "slow", "dangerous"]
        )


class FileTests(SynchronousTestCase):
    """
    ACL SAVE and LOAD with aclfile, and user directives in the config file.
    """

    def mktemp(self):
        # A path in a fresh directory outside the checkout.
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        return os.path.join(directory, "acl")

    def test_noFile(self):
        """
        Without aclfile SAVE and LOAD explain.
        """
        conn = Connection()
        text = (
            b"-ERR This Redis instance is not configured to use an ACL file. You may want to "
            b"specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming "
            b"you have a Redis configuration file set) in order to store users in the Redis "
            b"configuration.\r\n"
        )
        self.assertEqual(conn.call("ACL", "SAVE"), text)
        self.assertEqual(conn.call("ACL", "LOAD"), text)

    def test_saveLoad(self):
        """
        SAVE writes ACL LIST's lines; LOAD reads them back, replacing the
        users and disconnecting clients of the old ones.
        """
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"user alice on >p1 ~a* +@read\n\nuser default on nopass ~* &* +@all\n")
        server = serverWith(aclfile=path.encode())
        conn = Connection(server)
        self.assertEqual(
            conn.call("ACL", "LIST"),
            array(
                bulk(b"user alice on #" + P1 + b" ~a* resetchannels -@all +@read"),
                bulk(b"user default on nopass ~* &* +@all"),
            ),
        )
        alice = Connection(server)
        self.assertEqual(alice.call("AUTH", "alice", "p1"), OK)
        conn.call("ACL", "SETUSER", "bob", "on")
        self.assertEqual(conn.call("ACL", "SAVE"), OK)
        with open(path, "rb") as f:
            self.assertEqual(
                f.read(),
                b"user alice on #" + P1 + b" ~a* resetchannels -@all +@read\n"
                b"user bob on resetchannels -@all\n"
                b"user default on nopass ~* &* +@all\n",
            )
        conn.call("ACL", "DELUSER", "bob")
        self.assertEqual(conn.call("ACL", "LOAD"), OK)
        self.assertEqual(conn.call("ACL", "USERS"), array(bulk(b"alice"), bulk(b"bob"), bulk(b"default")))
        self.assertTrue(alice.transport.disconnecting)
        self.assertFalse(conn.transport.disconnecting)

    def test_loadErrors(self):
        """
        A broken file changes nothing and the errors name the lines.
        """
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"user a on\n")
        conn = Connection(serverWith(aclfile=path.encode()))
        with open(path, "wb") as f:
            f.write(b"user b on +nosuch\nfoo\n")
        self.assertEqual(
            conn.call("ACL", "LOAD"),
            b"-ERR %s:1: Error in applying operation '+nosuch': Unknown command or category "
            b"name in ACL. %s:2 should start with user keyword followed by the username. WARNING: ACL "
            b"errors detected, no change to the previously active ACL rules was performed\r\n"
            % (path.encode(), path.encode()),
        )
        self.assertEqual(conn.call("ACL", "USERS"), array(bulk(b"a"), bulk(b"default")))

    def test_userDirective(self):
        """
        user lines of the config file create users; a bad rule is refused.
        """
        from txredisd.config import ConfigFileError, loadFile

        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"requirepass pw\nuser carol on >p1 ~c* +get\nuser default on nopass +@all ~*\n")
        config = Config()
        loadFile(config, path)
        server = makeServer(config=config)
        self.assertEqual(
            server.acl.listLines(),
            [
                b"user carol on #" + P1 + b" ~c* resetchannels -@all +get",
                b"user default on nopass sanitize-payload ~* resetchannels +@all",
            ],
        )
        with open(path, "wb") as f:
            f.write(b"user dave on +nosuch\n")
        self.assertRaises(ConfigFileError, loadFile, Config(), path)

    def test_startupErrors(self):
        """
        The server refuses to start with both user directives and an ACL
        file, or with an ACL file it cannot load.
        """
        path = self.mktemp()
        config = Config()
        config.set("aclfile", path.encode(), startup=True)
        error = self.assertRaises(ValueError, makeServer, config=config)
        self.assertIn("Error loading ACLs, opening file", str(error))
        with open(path, "wb") as f:
            f.write(b"user a on\n")
        config.users.append([b"b", b"on"])
        error = self.assertRaises(ValueError, makeServer, config=config)
        self.assertIn("users defined in redis.conf and at the same setting an ACL file", str(error))
