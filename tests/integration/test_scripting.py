"""
Lua scripting on the real server process, driven by redis-py: its Lock,
register_script, functions, and a busy script stopped by SCRIPT KILL or
SHUTDOWN NOSAVE.
"""

import threading
import time

import pytest
import redis

from tests.conftest import startTxredisd


def test_registerScript(sharedTxredisd):
    """
    register_script runs by EVALSHA, loading the script after a NOSCRIPT.
    """
    r = sharedTxredisd.client()
    r.script_flush()
    incrby = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert incrby(keys=["counter"], args=[5]) == 5
    assert incrby(keys=["counter"], args=[2]) == 7
    assert r.script_exists(incrby.sha) == [True]


def test_lock(sharedTxredisd):
    """
    redis-py's Lock acquires, extends and releases through its scripts.
    """
    r = sharedTxredisd.client()
    lock = r.lock("resource", timeout=10)
    assert lock.acquire(blocking=False)
    assert not r.lock("resource", timeout=10).acquire(blocking=False)
    assert lock.extend(10)
    assert 10000 < r.pttl("resource") <= 20000
    assert lock.reacquire()
    assert r.pttl("resource") <= 10000
    lock.release()
    assert r.get("resource") is None
    assert lock.acquire(blocking=False)
    r.set("resource", "stolen")
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        lock.release()
    assert r.get("resource") == b"stolen"


def test_lockContention(sharedTxredisd):
    """
    Threads taking turns with a Lock never lose an update.
    """
    r = sharedTxredisd.client()
    r.set("shared", 0)

    def work():
        client = sharedTxredisd.client()
        for _ in range(10):
            with client.lock("contended", timeout=5, sleep=0.001, blocking_timeout=20):
                value = int(client.get("shared"))
                client.set("shared", value + 1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert int(r.get("shared")) == 40


def test_functions(sharedTxredisd):
    """
    FUNCTION LOAD and FCALL round-trip through redis-py, in RESP2 and RESP3.
    """
    r = sharedTxredisd.client()
    r.function_flush()
    code = (
        "#!lua name=pylib\n"
        "redis.register_function('hset2', function(keys, args) "
        "redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end)\n"
        "redis.register_function{function_name='getmap', callback=function(keys, args) "
        "return {map={a=1}} end, flags={'no-writes'}}"
    )
    assert r.function_load(code) == b"pylib"
    assert r.fcall("hset2", 1, "fk", "fv") == b"fv"
    assert r.execute_command("FCALL_RO", "getmap", 0) in ([b"a", 1], {b"a": 1})
    assert sharedTxredisd.client(protocol=3).fcall_ro("getmap", 0) == {b"a": 1}
    libraries = sharedTxredisd.client(protocol=3).function_list()
    assert [lib[b"library_name"] for lib in libraries] == [b"pylib"]


def test_busyScriptKilled(tmp_path):
    """
    While a script loops for ever other clients get -BUSY, and SCRIPT KILL
    stops the script.
    """
    server = startTxredisd(tmp_path, "--lua-time-limit", "50")
    try:
        looping = server.client()
        watcher = server.client()
        outcome = {}

        def run():
            try:
                looping.eval("while true do end", 0)
            except redis.exceptions.ResponseError as e:
                outcome["error"] = str(e)

        thread = threading.Thread(target=run)
        thread.start()
        busy = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                watcher.ping()
            except redis.exceptions.BusyLoadingError as e:
                busy = str(e)
                break
            except redis.exceptions.ResponseError as e:
                busy = str(e)
                break
            time.sleep(0.01)
        assert busy is not None and "Redis is busy running a script" in busy
        assert watcher.script_kill()
        thread.join(20)
        assert outcome["error"].startswith("Script killed by user with SCRIPT KILL...")
        assert watcher.ping()
        assert looping.eval("return 1", 0) == 1
    finally:
        server.stop()


def test_busyScriptShutdownNosave(tmp_path):
    """
    SHUTDOWN NOSAVE stops a server stuck in a script that wrote.
    """
    server = startTxredisd(tmp_path, "--lua-time-limit", "50")
    try:
        looping = server.client()
        thread = threading.Thread(
            target=lambda: _ignoreErrors(looping.eval, "redis.call('set','x','1') while true do end", 0)
        )
        thread.start()
        watcher = server.client()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                watcher.ping()
            except redis.exceptions.ResponseError:
                break
            time.sleep(0.01)
        with pytest.raises(redis.exceptions.ResponseError, match="UNKILLABLE"):
            watcher.script_kill()
        _ignoreErrors(watcher.shutdown, nosave=True)
        assert server.process.wait(20) is not None
        thread.join(20)
    finally:
        server.stop()


def _ignoreErrors(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except redis.exceptions.RedisError:
        pass
