"""
Authentication and ACL users through real clients: redis-py and redis-cli
against C{twistd -n redis --requirepass ...}.
"""

import subprocess

import pytest
import redis

from tests.conftest import requireTool, startTxredisd


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """
    A txredisd started with C{--requirepass} on the command line, with an
    ACL user C{u} (password C{p}) allowed C{~u:*} and string commands.
    """
    directory = tmp_path_factory.mktemp("acl")
    config = directory / "txredisd.conf"
    config.write_text("user u on >p ~u:* &* -@all +@string +@connection +acl|whoami\n")
    server = startTxredisd(directory, "--requirepass", "s3cret", str(config))
    yield server
    server.stop()


def test_noauthBeforeAuthentication(secured):
    """
    A client without credentials is refused with NOAUTH.
    """
    client = secured.client()
    with pytest.raises(redis.AuthenticationError, match="uthenticat"):
        client.get("k")


def test_requirepass(secured):
    """
    The --requirepass password opens the default user; a wrong one is
    refused.
    """
    assert secured.client(password="s3cret").set("k", "v")
    with pytest.raises(redis.AuthenticationError, match="invalid username-password pair"):
        secured.client(password="wrong").ping()


@pytest.mark.parametrize("protocol", [2, 3])
def test_userAndPassword(secured, protocol):
    """
    redis-py connects as an ACL user (AUTH u p in RESP2, HELLO 3 AUTH u p
    in RESP3) and gets that user's permissions.
    """
    client = secured.client(username="u", password="p", protocol=protocol)
    assert client.execute_command("ACL", "WHOAMI") in (b"u", "u")
    assert client.set("u:1", "x")
    assert client.get("u:1") == b"x"
    with pytest.raises(redis.exceptions.NoPermissionError, match="keys used as arguments"):
        client.get("other")
    with pytest.raises(redis.exceptions.NoPermissionError, match="'flushall' command"):
        client.flushall()


def test_aclLog(secured):
    """
    A failed login shows in ACL LOG as redis-py parses it.
    """
    with pytest.raises(redis.AuthenticationError):
        secured.client(username="nobody", password="x").ping()
    admin = secured.client(password="s3cret")
    entries = admin.acl_log()
    assert any(e["reason"] == "auth" and e["username"] == "nobody" for e in entries)


def test_redisCli(secured):
    """
    redis-cli --user u --pass p runs commands as u.
    """
    cli = requireTool("redis-cli")
    result = subprocess.run(
        [cli, "-p", str(secured.port), "--user", "u", "--pass", "p", "--no-auth-warning", "ACL", "WHOAMI"],
        capture_output=True,
        timeout=30,
    )
    assert result.stdout == b"u\n"
    result = subprocess.run(
        [cli, "-p", str(secured.port), "--no-auth-warning", "GET", "k"],
        capture_output=True,
        timeout=30,
    )
    assert result.stdout.startswith(b"NOAUTH Authentication required.")


def test_protectedModeFromLoopback(tmp_path):
    """
    Without a password, protected mode still serves loopback clients.
    """
    server = startTxredisd(tmp_path)
    try:
        assert server.client().ping()
    finally:
        server.stop()
