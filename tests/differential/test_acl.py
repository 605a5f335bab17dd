"""
ACL commands, authentication and permission errors compared with Debian's
redis-server 7.0, byte for byte.

Both servers are dedicated to this module (users and passwords would
pollute the shared ones); every test deletes the users it made.
"""

import pytest

from tests.conftest import startRedisServer, startTxredisd
from tests.differential import RawConnection, assertSameReplies, runSequence
from txredisd.registry import allSpecs, loadCommands


@pytest.fixture(scope="module")
def aclRedis(tmp_path_factory):
    server = startRedisServer(tmp_path_factory.mktemp("acl-redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def aclTxredisd(tmp_path_factory):
    server = startTxredisd(tmp_path_factory.mktemp("acl-txredisd"))
    yield server
    server.stop()


@pytest.fixture
def servers(aclRedis, aclTxredisd):
    """
    The two servers, with only the default user left afterwards.
    """
    yield aclRedis, aclTxredisd
    for server in (aclRedis, aclTxredisd):
        conn = RawConnection(server.port)
        try:
            users = conn.call("ACL", "USERS")
            names = [line for line in users.split(b"\r\n")[2::2] if line]
            others = [n for n in names if n != b"default"]
            if others:
                conn.call("ACL", "DELUSER", *others)
            conn.call("ACL", "LOG", "RESET")
        finally:
            conn.close()


def same(servers, commands, resp3=False):
    assertSameReplies(servers[0].port, servers[1].port, commands, resp3)


def test_setuserAndList(servers):
    """
    ACL SETUSER's rules render the same in ACL LIST and ACL GETUSER.
    """
    same(
        servers,
        [
            ["ACL", "LIST"],
            ["ACL", "SETUSER", "u1"],
            ["ACL", "SETUSER", "u2", "on", ">p1", ">p2", ">p1", "~a*", "%R~b*", "%W~c", "%RW~d", "~x", "%R~x", "&ch", "+get"],
            ["ACL", "SETUSER", "u3", "+@all", "-get", "allkeys", "allchannels"],
            ["ACL", "SETUSER", "u4", "+@read", "resetchannels", "&a", "&b"],
            ["ACL", "SETUSER", "u5", "(~a +get)", "(", "%R~b", "+@read", ")", "()"],
            ["ACL", "SETUSER", "u6", "+select|0", "+select|1", "nopass"],
            ["ACL", "SETUSER", "u7", "+@all", "-@dangerous", "~*", "reset"],
            ["ACL", "SETUSER", "u8", "+acl|whoami", "+acl|cat", "-acl|cat"],
            ["ACL", "SETUSER", "u9", "+@all", "-acl|list", "-acl|log", "+acl|log"],
            ["ACL", "SETUSER", "u10", "#" + "a" * 64, "!" + "a" * 64, ">x", "<x", "on", "skip-sanitize-payload"],
            ["ACL", "SETUSER", "u11", "+acl", "nocommands", "allcommands", "resetkeys", "~k", "clearselectors"],
            ["ACL", "LIST"],
            ["ACL", "USERS"],
            ["ACL", "GETUSER", "u2"],
            ["ACL", "GETUSER", "u5"],
            ["ACL", "GETUSER", "u6"],
            ["ACL", "GETUSER", "default"],
            ["ACL", "GETUSER", "nosuch"],
        ],
    )


def test_getuserResp3(servers):
    """
    ACL GETUSER is a map in RESP3, its flags a set.
    """
    same(
        servers,
        [
            ["ACL", "SETUSER", "u", "on", ">p", "~a", "&c", "+get", "(%W~b +set)"],
            ["ACL", "GETUSER", "u"],
            ["ACL", "GETUSER", "default"],
        ],
        resp3=True,
    )


def test_setuserErrors(servers):
    """
    Refused rules answer the same errors and create no user.
    """
    same(
        servers,
        [
            ["ACL", "SETUSER", "x", "foo"],
            ["ACL", "SETUSER", "x", "+nosuch"],
            ["ACL", "SETUSER", "x", "+@nosuch"],
            ["ACL", "SETUSER", "x", "#abc"],
            ["ACL", "SETUSER", "x", "!abc"],
            ["ACL", "SETUSER", "x", "<nopw"],
            ["ACL", "SETUSER", "x", "~*", "~a"],
            ["ACL", "SETUSER", "x", "&*", "&a"],
            ["ACL", "SETUSER", "x", "+acl|whoami|x"],
            ["ACL", "SETUSER", "x", "+get|"],
            ["ACL", "SETUSER", "x", "(~a"],
            ["ACL", "SETUSER", "x", "(~a", "foo)"],
            ["ACL", "SETUSER", "x", "(~a)", "foo)"],
            ["ACL", "SETUSER", "x", "+select|0|1"],
            ["ACL", "SETUSER", "x", "-get|foo"],
            ["ACL", "SETUSER", "x", "(foo)"],
            ["ACL", "SETUSER", "x", "%X~a"],
            ["ACL", "SETUSER", "x", "%~a"],
            ["ACL", "SETUSER", "x", "%"],
            ["ACL", "SETUSER", "t1", "~", "%R", "&"],
            ["ACL", "GETUSER", "t1"],
            ["ACL", "SETUSER", "x", "~a b"],
            ["ACL", "SETUSER", "a b"],
            ["ACL", "SETUSER"],
            ["ACL", "USERS"],
            ["ACL", "GETUSER"],
            ["ACL", "DELUSER"],
        ],
    )


def test_otherSubcommands(servers):
    """
    DELUSER, WHOAMI, CAT, GENPASS, LOG, SAVE, LOAD, HELP: errors and
    replies.
    """
    same(
        servers,
        [
            ["ACL", "SETUSER", "a"],
            ["ACL", "DELUSER", "default"],
            ["ACL", "DELUSER", "a", "default"],
            ["ACL", "DELUSER", "a", "nosuch"],
            ["ACL", "WHOAMI"],
            ["ACL", "WHOAMI", "x"],
            ["ACL", "LIST", "x"],
            ["ACL", "CAT"],
            ["ACL", "CAT", "nosuch"],
            ["ACL", "CAT", "a", "b"],
            ["ACL", "GENPASS", "0"],
            ["ACL", "GENPASS", "-1"],
            ["ACL", "GENPASS", "4097"],
            ["ACL", "GENPASS", "x"],
            ["ACL", "GENPASS", "1", "2"],
            ["ACL", "LOG", "x"],
            ["ACL", "LOG", "1", "2"],
            ["ACL", "LOG", "RESET"],
            ["ACL", "LOG"],
            ["ACL", "SAVE"],
            ["ACL", "LOAD"],
            ["ACL", "HELP"],
            ["ACL", "FOO"],
            ["ACL"],
        ],
    )


def test_genpassLengths(servers):
    """
    GENPASS answers bits/4 hex digits, rounded up.
    """
    for bits in ("1", "5", "64", "255", "4096"):
        want, got = (runSequence(s.port, [["ACL", "GENPASS", bits]])[0] for s in servers)
        assert len(want) == len(got)
        int(got.split(b"\r\n")[1], 16)


def test_dryrun(servers):
    """
    DRYRUN reports the same permission answers.
    """
    same(
        servers,
        [
            ["ACL", "SETUSER", "u", "~a*", "%R~b", "%W~w", "&ch*", "+get", "+set", "+del", "+publish",
             "+subscribe", "+psubscribe", "+select|0", "+acl|whoami", "+mset"],
            ["ACL", "DRYRUN", "u", "get", "a1"],
            ["ACL", "DRYRUN", "u", "get", "zz"],
            ["ACL", "DRYRUN", "u", "get", "b"],
            ["ACL", "DRYRUN", "u", "get", "w"],
            ["ACL", "DRYRUN", "u", "set", "b", "1"],
            ["ACL", "DRYRUN", "u", "set", "w", "1"],
            ["ACL", "DRYRUN", "u", "set", "w", "1", "GET"],
            ["ACL", "DRYRUN", "u", "del", "w"],
            ["ACL", "DRYRUN", "u", "mset", "a", "1", "zz", "2"],
            ["ACL", "DRYRUN", "u", "incr", "a"],
            ["ACL", "DRYRUN", "u", "select", "0"],
            ["ACL", "DRYRUN", "u", "select", "1"],
            ["ACL", "DRYRUN", "u", "acl", "whoami"],
            ["ACL", "DRYRUN", "u", "acl", "list"],
            ["ACL", "DRYRUN", "u", "acl", "nosuch"],
            ["ACL", "DRYRUN", "u", "acl"],
            ["ACL", "DRYRUN", "u", "publish", "chan", "m"],
            ["ACL", "DRYRUN", "u", "publish", "x", "m"],
            ["ACL", "DRYRUN", "u", "subscribe", "ch1", "x"],
            ["ACL", "DRYRUN", "u", "psubscribe", "ch*"],
            ["ACL", "DRYRUN", "u", "psubscribe", "ch1*"],
            ["ACL", "DRYRUN", "u", "ping"],
            ["ACL", "DRYRUN", "u", "auth", "a", "b"],
            ["ACL", "DRYRUN", "u", "nosuch"],
            ["ACL", "DRYRUN", "u", "get"],
            ["ACL", "DRYRUN", "nosuch", "get", "a"],
            ["ACL", "DRYRUN", "u"],
        ],
    )


def test_permissionErrors(servers):
    """
    Commands, keys and channels a user may not use answer the same NOPERM
    errors, also while queueing in MULTI.
    """
    same(
        servers,
        [
            ["ACL", "SETUSER", "k", "on", ">pw", "~a*", "&c*", "+@all", "-flushall", "-acl|list"],
            ["AUTH", "k", "pw"],
            ["GET", "zz"],
            ["SET", "a1", "v"],
            ["MSET", "a2", "v", "b", "v"],
            ["FLUSHALL"],
            ["ACL", "LIST"],
            ["ACL", "WHOAMI"],
            ["PUBLISH", "dd", "x"],
            ["PUBLISH", "cat", "x"],
            ["MULTI"],
            ["GET", "zz"],
            ["FLUSHALL"],
            ["EXEC"],
            ["AUTH", "k", "wrong"],
            ["ACL", "WHOAMI"],
            ["AUTH", "default", "x"],
            ["ACL", "WHOAMI"],
        ],
    )


def test_commandDenials(servers):
    """
    A user without commands is refused everything but no_auth commands.
    """
    same(
        servers,
        [
            ["ACL", "SETUSER", "n", "on", "nopass"],
            ["AUTH", "n", "x"],
            ["PING"],
            ["GET", "a"],
            ["MULTI"],
            ["ACL", "WHOAMI"],
            ["AUTH", "n", "x"],
        ],
    )


def test_authErrors(servers):
    """
    AUTH's errors without a password configured.
    """
    same(
        servers,
        [
            ["AUTH", "x"],
            ["AUTH", "nosuch", "x"],
            ["AUTH", "default", "anything"],
            ["AUTH", "a", "b", "c"],
            ["AUTH"],
            ["ACL", "SETUSER", "off1", "off", "nopass"],
            ["AUTH", "off1", "x"],
            ["HELLO", "2", "AUTH", "nosuch", "x"],
        ],
    )


def _logShape(port, commands):
    # ACL LOG entries without their time and client-info.
    conn = RawConnection(port)
    try:
        for argv in commands:
            conn.call(*argv)
        reply = conn.call("ACL", "LOG")
        parts = reply.split(b"\r\n")
        fields = []
        for i, part in enumerate(parts):
            if part in (b"count", b"reason", b"context", b"object", b"username"):
                fields.append((part, parts[i + 1] if part == b"count" else parts[i + 2]))
        return fields
    finally:
        conn.close()


def test_logEntries(servers):
    """
    ACL LOG records the same entries with the same counts.
    """
    commands = [
        ["ACL", "LOG", "RESET"],
        ["AUTH", "nosuch", "x"],
        ["auth", "nosuch", "x"],
        ["HELLO", "3", "AUTH", "other", "x"],
        ["HELLO", "2"],
        ["ACL", "SETUSER", "k", "on", "nopass", "~a*", "&c*", "+@all", "-flushall"],
        ["AUTH", "k", "x"],
        ["GET", "zz"],
        ["GET", "zz"],
        ["MULTI"],
        ["FLUSHALL"],
        ["PUBLISH", "dd", "x"],
        ["DISCARD"],
        ["AUTH", "default", "x"],
    ]
    assert _logShape(servers[1].port, commands) == _logShape(servers[0].port, commands)


def test_categories(servers):
    """
    For every command txredisd implements, ACL CAT puts it in the same
    categories as Redis (Redis lists in hash order: compared as sets).
    """
    loadCommands()
    ours = {spec.name.encode() for spec in allSpecs()}
    # Containers that run nothing themselves have no categories of their own
    # here; Redis gives some of them @slow.
    containers = {spec.name.encode() for spec in allSpecs() if spec.subcommands and spec.handler is None}
    redis, txredisd = (RawConnection(s.port) for s in servers)
    try:
        for category in redis.call("ACL", "CAT").split(b"\r\n")[2::2]:
            if not category:
                continue
            want = set(redis.call("ACL", "CAT", category).split(b"\r\n")[2::2]) - {b""}
            got = set(txredisd.call("ACL", "CAT", category).split(b"\r\n")[2::2]) - {b""}
            assert (got & ours) - want - containers == set(), category
            assert (want & ours) - got == set(), category
    finally:
        redis.close()
        txredisd.close()


def _rules(reply):
    # The category prefix of a rendered rule list, and the single-command
    # rules, which Redis emits in hash order.
    words = reply.split(b"\r\n")[1].split(b" ")
    categories = [w for w in words if w[1:2] == b"@"]
    singles = {w for w in words if w[1:2] != b"@"}
    return categories, singles


def test_ruleRendering(servers):
    """
    Rule lists that do not depend on the whole command table render the
    same categories and single commands.
    """
    cases = [
        ["+@all", "-get", "-set", "-acl|list"],
        ["+@read", "+set", "-get"],
        ["+get", "+set", "+mget", "+acl|whoami", "+acl|cat"],
        ["+@transaction", "-exec"],
    ]
    for rules in cases:
        replies = [
            runSequence(s.port, [["ACL", "SETUSER", "r", "reset", *rules], ["ACL", "GETUSER", "r"]])[1]
            for s in servers
        ]
        want, got = (_rules(reply.split(b"$8\r\ncommands\r\n")[1]) for reply in replies)
        assert got == want, rules


def _outboundAddress():
    # An address of this machine that is not loopback: the one a UDP socket
    # would send from (no packet is sent).
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address


def _greeting(address, port):
    # What a server says to a client that sends nothing, until it closes.
    import socket

    with socket.create_connection((address, port), timeout=10) as s:
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def test_protectedMode(tmp_path):
    """
    Listening on all addresses without a password, both servers refuse a
    client coming from a non-loopback address with the same text, and
    close.
    """
    address = _outboundAddress()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    (tmp_path / "r").mkdir()
    (tmp_path / "t").mkdir()
    redis = startRedisServer(tmp_path / "r", "--bind", "0.0.0.0")
    try:
        txredisd = startTxredisd(tmp_path / "t", "--bind", "0.0.0.0")
        try:
            want = _greeting(address, redis.port)
            assert want.startswith(b"-DENIED Redis is running in protected mode")
            assert _greeting(address, txredisd.port) == want
        finally:
            txredisd.stop()
    finally:
        redis.stop()


def _rawExchange(port, data):
    # Send raw bytes and read until the server closes or goes quiet.
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(data)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out + b"<closed>"
                out += chunk
        except socket.timeout:
            return out


def test_requirepass(tmp_path):
    """
    With --requirepass, the same errors before and after authentication,
    and the same limits on unauthenticated requests.
    """
    (tmp_path / "r").mkdir()
    (tmp_path / "t").mkdir()
    redis = startRedisServer(tmp_path / "r", "--requirepass", "pw")
    try:
        txredisd = startTxredisd(tmp_path / "t", "--requirepass", "pw")
        try:
            commands = [
                ["GET", "a"],
                ["HELLO", "3"],
                ["ACL", "WHOAMI"],
                ["AUTH", "wrong"],
                ["AUTH", "default", "wrong"],
                ["HELLO", "2", "AUTH", "default", "wrong"],
                ["PING"],
                ["AUTH", "pw"],
                ["ACL", "LIST"],
                ["ACL", "SETUSER", "default", "nopass"],
                ["ACL", "SETUSER", "default", ">pw", "resetpass", ">pw"],
                ["ACL", "GETUSER", "default"],
            ]
            replies = []
            for server in (redis, txredisd):
                conn = RawConnection(server.port)
                try:
                    replies.append([conn.call(*argv) for argv in commands])
                finally:
                    conn.close()
            for argv, want, got in zip(commands, *replies):
                assert got == want, argv
            for data in (b"*11\r\n", b"*1\r\n$16385\r\n", b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16384\r\n"):
                assert _rawExchange(txredisd.port, data) == _rawExchange(redis.port, data), data
        finally:
            txredisd.stop()
    finally:
        redis.stop()


def test_aclFile(tmp_path):
    """
    ACL LOAD reports a broken file's errors as Redis does and changes
    nothing; a good file replaces the users; ACL SAVE writes the same file.
    """
    servers = []
    paths = []
    try:
        for name, start in (("r", startRedisServer), ("t", startTxredisd)):
            directory = tmp_path / name
            directory.mkdir()
            path = directory / "users.acl"
            path.write_bytes(b"user a on\n")
            paths.append(path)
            servers.append(start(directory, "--aclfile", str(path)))
        contents = [
            b"user b on +nosuch\nfoo\nuser c on foo bar\nuser a on\nuser a off\nuser e #abc ~a\n",
            b"user a on >p ~x\n\nuser default on nopass ~* +@all\n",
        ]
        replies = [[], []]
        for content in contents:
            for index, (server, path) in enumerate(zip(servers, paths)):
                # Redis names the file as configured: compare with it
                # replaced by a placeholder.
                path.write_bytes(content)
                for reply in runSequence(server.port, [["ACL", "LOAD"], ["ACL", "LIST"]]):
                    replies[index].append(reply.replace(str(path).encode(), b"PATH"))
        for index, server in enumerate(servers):
            runSequence(server.port, [["ACL", "SETUSER", "z", "on", "~z"], ["ACL", "SAVE"]])
            replies[index].append(paths[index].read_bytes())
        assert replies[1] == replies[0]
    finally:
        for server in servers:
            server.stop()


def test_dryrunKeySpecAccess(servers):
    """
    Key permissions follow Redis 7.0's key specifications: commands that
    return nothing of a key (SCARD, EXISTS, TYPE ...) pass any matching
    pattern, LINSERT and XACK need only write access, EVAL's keys need
    both, and shard channels are no keys at all.
    """
    commands = [
        ["ACL", "SETUSER", "w", "on", "nopass", "+@all", "%W~{t}*", "allchannels"],
        ["ACL", "SETUSER", "n", "on", "nopass", "+@all", "resetkeys", "allchannels"],
        ["ACL", "SETUSER", "r", "on", "nopass", "+@all", "%R~k*", "allchannels"],
    ]
    for user in ("w", "n", "r"):
        for argv in (
            ["SCARD", "{t}a"],
            ["EXISTS", "{t}a", "k"],
            ["TYPE", "k"],
            ["LINSERT", "{t}a", "BEFORE", "a", "b"],
            ["XACK", "{t}s", "g", "1-1"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"],
            ["EVAL", "return 1", "1", "k"],
            ["EVAL", "return 1", "1", "{t}a"],
            ["SPUBLISH", "k", "m"],
            ["WATCH", "k"],
            ["SISMEMBER", "k", "a"],
        ):
            commands.append(["ACL", "DRYRUN", user] + argv)
    same(servers, commands)
