"""
Integration: real clients (redis-py, redis-cli) against C{twistd -n redis}
for the server and connection commands.
"""

import subprocess

import pytest

from tests.conftest import requireTool


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPyConnects(sharedTxredisd, protocol):
    """
    redis-py connects (sending HELLO and CLIENT SETINFO as it does), names
    its connection, and parses INFO, CONFIG GET, CLIENT LIST and COMMAND
    INFO.
    """
    r = sharedTxredisd.client(protocol=protocol, client_name="itest", decode_responses=True)
    try:
        assert r.ping() is True
        r.flushall()
        r.set("k", "v")
        info = r.info()
        assert info["redis_version"] == "7.0.15"
        assert info["db0"] == {"keys": 1, "expires": 0, "avg_ttl": 0}
        assert isinstance(info["used_memory"], int)
        assert r.info("server")["tcp_port"] == sharedTxredisd.port
        everything = r.info("everything")
        assert "cmdstat_set" in everything
        config = r.config_get("*")
        assert config["maxmemory-policy"] == "noeviction"
        assert config["slave-read-only"] == "yes"
        assert r.config_get("hz", "maxmemory") == {"hz": "10", "maxmemory": "0"}
        assert r.config_set("maxmemory", "1mb") is True
        assert r.config_get("maxmemory") == {"maxmemory": "1048576"}
        r.config_set("maxmemory", "0")
        clients = r.client_list()
        me = [c for c in clients if c["name"] == "itest"]
        assert me and me[0]["resp"] == str(protocol)
        assert r.client_getname() == "itest"
        assert r.client_id() == int(me[0]["id"])
        assert r.client_info()["cmd"] == "client|info"
        commands = r.command()
        assert commands["get"]["arity"] == 2
        assert "readonly" in commands["get"]["flags"]
        assert r.command_count() == len(commands)
        assert r.command_getkeys("SET", "a", "b") == ["a"]
        seconds, micros = r.time()
        assert seconds > 1600000000 and 0 <= micros < 1000000
        assert r.dbsize() == 1
    finally:
        r.close()


def test_redisPyNoSetinfoErrorSurfaces(sharedTxredisd):
    """
    redis-py 5+ sends CLIENT SETINFO at connect; like Redis 7.0.15 we refuse
    it, and redis-py ignores the refusal: its commands work.
    """
    r = sharedTxredisd.client(protocol=3, lib_name="mylib", lib_version="1.0")
    try:
        assert r.echo("x") == b"x"
    finally:
        r.close()


def _cli(port, *args):
    cli = requireTool("redis-cli")
    result = subprocess.run(
        [cli, "-p", str(port)] + list(args), capture_output=True, timeout=30, check=True
    )
    return result.stdout.decode()


def test_redisCliInfo(sharedTxredisd):
    """
    redis-cli prints INFO as Redis's text, section headings and fields.
    """
    text = _cli(sharedTxredisd.port, "info")
    assert text.startswith("# Server\r\nredis_version:7.0.15\r\n")
    assert "\r\n# Keyspace\r\n" in text
    assert "tcp_port:%d\r\n" % (sharedTxredisd.port,) in text


def test_redisCliNoRaw(sharedTxredisd):
    """
    redis-cli --no-raw shows CONFIG GET, CLIENT ID and COMMAND COUNT in
    Redis's formatted style, with RESP3 negotiated by -3.
    """
    assert _cli(sharedTxredisd.port, "--no-raw", "config", "get", "hz") == '1) "hz"\n2) "10"\n'
    assert _cli(sharedTxredisd.port, "--no-raw", "client", "getname") == "(nil)\n"
    assert _cli(sharedTxredisd.port, "--no-raw", "command", "count").startswith("(integer) ")
    assert _cli(sharedTxredisd.port, "-3", "--no-raw", "config", "get", "hz") == '1# "hz" => "10"\n'
    assert _cli(sharedTxredisd.port, "--no-raw", "config", "set", "hz", "x") == (
        "(error) ERR CONFIG SET failed (possibly related to argument 'hz') - "
        "argument couldn't be parsed into an integer\n"
    )
