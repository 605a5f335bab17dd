"""
Differential tests for Lua scripting: EVAL, EVALSHA, SCRIPT, FUNCTION and
FCALL against Debian's redis-server 7.0, comparing raw reply bytes.
"""

import pytest

from tests.differential import assertSameReplies

pytestmark = pytest.mark.usefixtures("sharedRedisServer", "sharedTxredisd")


def _evals(*scripts):
    return [["EVAL", script, "0"] for script in scripts]


def test_conversionsToReplies(sharedRedisServer, sharedTxredisd):
    """
    Lua values become replies as Redis converts them: numbers truncated,
    tables up to the first nil, booleans, ok/err tables, RESP3 tables.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _evals(
            "return 3.9",
            "return -3.9",
            "return {1,2,nil,4}",
            "return {1,'a',{true,false},3.5}",
            "return true",
            "return false",
            "return nil",
            "return {ok='fine'}",
            "return redis.status_reply('FINE')",
            "return {err='-WRONG x\\r\\ny'}",
            "return {err='My Error'}",
            "return redis.error_reply('nospace')",
            "return redis.error_reply('-nospace')",
            "return redis.error_reply('x y')",
            "return {double=3.5}",
            "return {map={a=1}}",
            "return {set={a=true}}",
            "return {big_number='123'}",
            "return {verbatim_string={format='txt', string='hi'}}",
            "redis.setresp(3) return {double=3.5}",
            "redis.setresp(3) return true",
            "redis.setresp(3) return false",
            "return {1, {2, {3, {4}}}}",
            "return {[1]=1, [3]=3}",
            "return 'a\\0b'",
            "return 0/0",
            "return 1/0",
            "return 2^63",
            "return 9007199254740993",
            "return redis.breakpoint",
            "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}",
        ),
    )


def test_conversionsToLua(sharedRedisServer, sharedTxredisd):
    """
    Replies become Lua values as Redis converts them, in RESP2 and after
    redis.setresp(3).
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [["SET", "s", "abc"]]
        + _evals(
            "return type(redis.call('get','nokey'))",
            "redis.setresp(3) return type(redis.call('get','nokey'))",
            "redis.setresp(3) return redis.call('get','nokey')",
            "return redis.call('set','k','v')",
            "local r = redis.call('set','k','v') return r.ok",
            "return redis.call('ping')",
            "return redis.call('get', 'k')",
            "return redis.call('incr', 'n')",
            "return redis.pcall('incr','s')",
            "local r = redis.pcall('incr','s') return {r['err'], tostring(r['ignore_error_stats_update'])}",
            "return redis.call('set', 'x', 3.7)",
            "redis.call('set', 'x', 3.7) return redis.call('get','x')",
            "redis.call('set', 'x', 1e20) return redis.call('get','x')",
            "redis.call('set', 'x', 12) return redis.call('get','x')",
            "redis.call('set','k','1') redis.call('incr','k') return redis.call('get','k')",
            "return redis.call('select', 1)",
            "return redis.call('get', 'k')",
            "return redis.call('mget', 'k', 'nokey', 'x')",
            "return redis.call('exists', 'k', 'x')",
            "redis.setresp(3) return redis.call('mget', 'k', 'nokey')",
        ),
    )


def test_errors(sharedRedisServer, sharedTxredisd):
    """
    Script errors carry Redis 7.0's texts, with the script's SHA1 and the
    line that failed.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [["SET", "s", "abc"]]
        + _evals(
            "return x",
            "x=1",
            "error('boom')",
            "return redis.call('incr','s')",
            "redis.call('incr','s')",
            "return redis.pcall('incr','s')",
            "return redis.call('nosuch')",
            "return redis.pcall('nosuch')",
            "local r = redis.pcall('nosuch') return r['err']",
            "return redis.call('get')",
            "return redis.call('exec')",
            "return redis.call('eval', 'return 1', 0)",
            "return os",
            "return io",
            "return loadfile",
            "return dofile",
            "return require",
            "return module",
            "return print",
            "return getfenv",
            "return 1+",
            "return redis.call(1)",
            "return redis.call()",
            "return redis.call('get', {})",
            "error({err='XX custom'})",
            "string.foo = 1",
            "rawset(_G, 'x', 1)",
            "redis.call = 1",
            "return\nx",
            "local function f() error('z') end\nf()",
            "error()",
            "error(nil)",
            "error(5)",
            "return pcall(function() redis.call('incr','s') end)",
            "local ok, e = pcall(function() redis.call('incr','s') end) return e",
            "local ok, e = pcall(function() return x end) return e",
            "local ok, e = pcall(function() error({err='x'}) end) return e",
            "return {pcall(redis.call, 'incr', 's')}",
            "local ok, e = xpcall(function() redis.call('incr','s') end, function(e) return type(e) end) return e",
            "return redis.setresp(4)",
            "return redis.setresp()",
            "return redis.sha1hex()",
            "return redis.set_repl(99)",
            "return redis.set_repl()",
            "return redis.log(99, 'hello')",
            "return redis.log(redis.LOG_WARNING)",
            "return redis.acl_check_cmd('nosuch')",
            "return redis.call('SET', 'k', 'x', 'EX', 'bad')",
            "return cjson.decode('x')",
            "return 1 + {}",
        ),
    )


def test_redisApi(sharedRedisServer, sharedTxredisd):
    """
    The redis table's helpers and constants answer as in Redis 7.0.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _evals(
            "return redis.sha1hex('')",
            "return redis.sha1hex('hello')",
            "return redis.sha1hex({})",
            "return redis.sha1hex(5)",
            "return redis.status_reply()",
            "return redis.error_reply(5)",
            "return redis.setresp('3')",
            "return redis.setresp('x')",
            "return redis.set_repl('1')",
            "return redis.replicate_commands()",
            "return redis.set_repl(redis.REPL_ALL)",
            "return {redis.REPL_ALL, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE, redis.REPL_NONE,"
            " redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
            "return redis.log(redis.LOG_WARNING, 'hello', 'x')",
            "return redis.debug('x')",
            "return redis.breakpoint()",
            "return redis.acl_check_cmd('get','x')",
            "return _VERSION",
            "return {type(redis.call), type(redis.pcall), type(cjson.encode), type(cjson.null), type(bit.band),"
            " type(struct.pack), type(cmsgpack.pack), type(math.random), type(redis.sha1hex), type(redis.log)}",
            "return type(loadstring)",
            "return loadstring('return 1+1')()",
            "return loadstring('return x')",
            "return {KEYS[1], ARGV[1]}",
        )
        + [
            ["EVAL", "return {KEYS[1], KEYS[2], ARGV[1]}", "2", "a", "b", "c"],
            ["EVAL", "KEYS[1]='z' return KEYS[1]", "1", "a"],
            ["EVAL", "return #ARGV", "0", "a", "b"],
        ],
    )


def test_libraries(sharedRedisServer, sharedTxredisd):
    """
    cjson, cmsgpack, struct and bit answer as Redis's C libraries for
    common uses.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        _evals(
            "return cjson.encode({1,2,{a=3}})",
            "return cjson.decode('[1,2,{\"a\":3}]')[3].a",
            "return cjson.encode({a=1.5})",
            "return cjson.encode({})",
            "return cjson.encode(cjson.decode('{\"a\":null,\"b\":[]}'))",
            "return type(cjson.decode('null'))",
            "return cjson.encode('a\"b/\\1')",
            "return cjson.encode(0.1)",
            "return cjson.encode(1e100)",
            "return cjson.encode({[1]=1,[3]=3})",
            "return cjson.encode({[1]=1,[2]=2, x=3})",
            "return cjson.decode('\"\\\\u00e9\"')",
            "return cjson.decode('{\"x\":[true,false,1.5]}').x[3]",
            "return cmsgpack.pack({1,2,3})",
            "return cmsgpack.unpack(cmsgpack.pack({1,'a',true}))",
            "return cmsgpack.pack('abc', 1.5, -1, 300, {a=1})",
            "return cmsgpack.pack(70000, -70000, 2^40, 0.1, string.rep('x', 40))",
            "return {cmsgpack.unpack(cmsgpack.pack(70000, -70000, 'x', false))}",
            "return bit.band(7,3)",
            "return bit.tohex(255)",
            "return bit.tobit(2^32+5)",
            "return {bit.lshift(1,31), bit.bnot(0), bit.bxor(5,3), bit.rshift(-1, 28), bit.arshift(-16,2),"
            " bit.rol(1,33), bit.bswap(1), bit.tohex(-1, -4), bit.bor(1,2,4), bit.ror(1, 1)}",
            "return struct.pack('>I', 5)",
            "return struct.pack('<hBi2', -2, 200, 7)",
            "return {struct.unpack('>I', struct.pack('>I', 5))}",
            "return {struct.unpack('<hB', struct.pack('<hB', -2, 200))}",
            "return struct.size('>iIh')",
            "return {struct.unpack('c2s', 'abxyz\\0')}",
            "return struct.pack('>i', 'x')",
            "return struct.pack('>i', '7')",
            "return struct.pack('>ii', 1)",
            "return cjson.encode({[true]=1})",
            "return ('abc'):upper()",
            "return bit.band('x')",
            "return bit.band()",
            "return bit.tobit('12')",
            "return cjson.encode(123456789012345)",
            "return cjson.encode({1.5, 100, -3})",
            "return cjson.encode('\\127\\128\\255')",
            "return cjson.decode('[1,2')",
            "return cjson.decode('{\"a\":1,}')",
            "return cjson.decode('')",
            "return cjson.decode('  [1] x')",
            "return cjson.decode('{\"a\" 1}')",
            "return cjson.decode('[01]')",
            "return cjson.decode('[-]')",
            "return cjson.decode('\"abc')",
            "return cjson.decode('\"\\\\x\"')",
            "return cjson.decode('\"\\\\ud83d\\\\ude00\"')",
            "return cjson.decode(string.rep('[', 1100))",
            "return cjson.decode(5)",
            "return cmsgpack.pack()",
            "return cmsgpack.pack(nil, true, false, {})",
            "return cmsgpack.pack(-33, -129, -32769, -2147483649, 255, 65535, 65536, 4294967296)",
            "return cmsgpack.unpack('\\205\\1')",
            "return struct.pack('c5', 'abc')",
            "return struct.pack('i9', -2)",
            "return struct.pack('q', 1)",
            "return struct.size('s')",
            "return getmetatable('').__index == string",
        ),
    )


def test_shebangAndReadOnly(sharedRedisServer, sharedTxredisd):
    """
    Shebang flags and the _RO commands refuse writes with Redis's texts.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", "0"],
            ["EVAL", "#!lua\nreturn 1", "0"],
            ["EVAL", "#!lua flags=bad\nreturn 1", "0"],
            ["EVAL", "#!luax\nreturn 1", "0"],
            ["EVAL", "#!lua foo=bar\nreturn 1", "0"],
            ["EVAL", "#!lua\nreturn x", "0"],
            ["EVAL_RO", "return redis.call('set','a','b')", "0"],
            ["EVAL_RO", "return redis.call('get','a')", "0"],
            ["EVAL_RO", "#!lua\nreturn 1", "0"],
            ["EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"],
        ],
    )


def test_argumentErrors(sharedRedisServer, sharedTxredisd):
    """
    numkeys, arity and unknown SHA1s are answered with Redis's errors.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["EVAL", "return 1", "3", "a"],
            ["EVAL", "return 1", "-1"],
            ["EVAL", "return 1", "x"],
            ["EVAL", "return 1"],
            ["EVALSHA", "abc", "0"],
            ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"],
            ["EVALSHA", "abc", "x"],
            ["EVALSHA_RO", "abc", "0"],
            ["FCALL", "nofunc", "0"],
            ["FCALL", "f", "-1"],
            ["FCALL", "f", "3"],
            ["FCALL"],
        ],
    )


def test_inTransaction(sharedRedisServer, sharedTxredisd):
    """
    EVAL queues inside MULTI and runs in EXEC, its errors in place.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["MULTI"],
            ["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"],
            ["EVAL", "return redis.call('nosuch')", "0"],
            ["EVAL", "return 1", "x"],
            ["GET", "n"],
            ["EXEC"],
            ["MULTI"],
            ["EVAL", "return 1"],
            ["EXEC"],
        ],
    )


def test_scriptCommand(sharedRedisServer, sharedTxredisd):
    """
    SCRIPT LOAD, EXISTS, FLUSH, KILL and HELP answer as Redis 7.0.
    """
    sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["SCRIPT", "FLUSH"],
            ["SCRIPT", "EXISTS", sha],
            ["SCRIPT", "LOAD", "return 1"],
            ["SCRIPT", "EXISTS", sha, "abc", sha.upper()],
            ["EVALSHA", sha, "0"],
            ["EVALSHA", sha.upper(), "0"],
            ["EVALSHA_RO", sha, "0"],
            ["EVAL", "return 2", "0"],
            ["SCRIPT", "EXISTS", "7f923f79fe76194c868d7e1d0820de36700eb649"],
            ["SCRIPT", "EXISTS"],
            ["SCRIPT", "FLUSH", "bad"],
            ["SCRIPT", "FLUSH", "ASYNC"],
            ["SCRIPT", "EXISTS", sha],
            ["SCRIPT", "FLUSH", "SYNC", "x"],
            ["SCRIPT", "FLUSH", "sync"],
            ["SCRIPT", "KILL"],
            ["FUNCTION", "KILL"],
            ["SCRIPT", "KILL", "x"],
            ["SCRIPT", "HELP"],
            ["SCRIPT", "LOAD"],
            ["SCRIPT", "LOAD", "return +"],
            ["SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"],
            ["SCRIPT", "foo"],
            ["SCRIPT"],
        ],
    )


_LIB = "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return {keys[1], args[1]} end)"
_LIB_Y = (
    "#!lua name=y\nredis.register_function{function_name='f3', callback=function() "
    "return redis.call('set','a','b') end, flags={'no-writes', 'allow-oom'}}\n"
    "redis.register_function('f4', function(k, a) return x end)\n"
)


def test_functions(sharedRedisServer, sharedTxredisd):
    """
    FUNCTION LOAD, FCALL, FCALL_RO, DELETE, FLUSH, STATS and their errors
    answer as Redis 7.0.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [
            ["FUNCTION", "FLUSH"],
            ["FUNCTION", "LOAD", _LIB],
            ["FUNCTION", "LOAD", _LIB],
            ["FCALL", "myfunc", "1", "k", "a"],
            ["FCALL_RO", "myfunc", "1", "k", "a"],
            ["FCALL", "myfunc", "x"],
            ["FCALL", "myfunc", "-1"],
            ["FCALL", "myfunc", "2", "k"],
            ["FCALL", "MYFUNC", "0"],
            ["FUNCTION", "LOAD", "return 1"],
            ["FUNCTION", "LOAD", "#!lua\nreturn 1"],
            ["FUNCTION", "LOAD", "#!lua name=x\nreturn 1"],
            ["FUNCTION", "LOAD", "#!lua name=x foo=bar\nreturn 1"],
            ["FUNCTION", "LOAD", "#!lua name=x\nreturn +"],
            ["FUNCTION", "LOAD", "#!lua name=x\nerror('e')"],
            ["FUNCTION", "LOAD", "#!lua name=x\nredis.call('ping')"],
            ["FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('myfunc', function() return 1 end)"],
            ["FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('1bad-', function() return 1 end)"],
            ["FUNCTION", "LOAD", "#!lua name=bad-name\nredis.register_function('f', function() return 1 end)"],
            ["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function('g2', function(k, a) return 1 end)\nfoo = 1"],
            ["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function('g2', 5)"],
            ["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function('g2', function() end, 5)"],
            ["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function{function_name='g2', callback=function() end, flags={'bad'}}"],
            ["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function{function_name='g2', callback=function() end, bogus=1}"],
            ["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function{callback=function() end}"],
            ["FUNCTION", "LOAD", _LIB_Y],
            ["FCALL", "f3", "0"],
            ["FCALL", "f4", "0"],
            ["FCALL_RO", "f3", "0"],
            ["FUNCTION", "LOAD", "REPLACE", "#!lua name=mylib\nredis.register_function('myfunc', function() return 7 end)"],
            ["FCALL", "myfunc", "0"],
            ["FUNCTION", "LOAD", "REPLACE", "#!lua name=other\nredis.register_function('myfunc', function() return 8 end)"],
            ["FUNCTION", "LOAD", "REPLACE"],
            ["FUNCTION", "LOAD", "BOGUS", "x"],
            ["FUNCTION", "LIST", "bad"],
            ["FUNCTION", "LIST", "LIBRARYNAME"],
            ["FUNCTION", "LIST", "LIBRARYNAME", "my*", "WITHCODE"],
            ["FUNCTION", "DELETE", "nolib"],
            ["FUNCTION", "DELETE", "y"],
            ["FUNCTION", "STATS"],
            ["FUNCTION", "DUMP"],
            ["FUNCTION", "RESTORE", "bad"],
            ["FUNCTION", "RESTORE", "bad", "bogus"],
            ["FUNCTION", "FLUSH", "bad"],
            ["FUNCTION", "FLUSH"],
            ["FUNCTION", "DUMP"],
            ["FUNCTION", "LIST"],
            ["FUNCTION", "HELP"],
            ["FUNCTION", "foo"],
        ],
    )


def test_functionDumpRestore(sharedRedisServer, sharedTxredisd):
    """
    A payload from Redis's FUNCTION DUMP restores on txredisd and the
    other way round, with the FLUSH/APPEND/REPLACE policies.
    """
    from tests.differential import RawConnection

    def dumpFrom(port):
        conn = RawConnection(port)
        try:
            conn.call("FUNCTION", "FLUSH")
            conn.call("FUNCTION", "LOAD", _LIB)
            reply = conn.call("FUNCTION", "DUMP")
            return reply.split(b"\r\n", 1)[1][:-2]
        finally:
            conn.close()

    for source, target in [
        (sharedRedisServer.port, sharedTxredisd.port),
        (sharedTxredisd.port, sharedRedisServer.port),
    ]:
        payload = dumpFrom(source)
        assertSameReplies(
            sharedRedisServer.port,
            target,
            [
                ["FUNCTION", "FLUSH"],
                ["FUNCTION", "RESTORE", payload],
                ["FCALL", "myfunc", "1", "k", "a"],
                ["FUNCTION", "RESTORE", payload],
                ["FUNCTION", "RESTORE", payload, "APPEND"],
                ["FUNCTION", "RESTORE", payload, "REPLACE"],
                ["FUNCTION", "RESTORE", payload, "FLUSH"],
                ["FUNCTION", "RESTORE", payload[:-1] + bytes([payload[-1] ^ 1])],
                ["FUNCTION", "LIST", "LIBRARYNAME", "mylib"],
                ["FUNCTION", "LOAD", _LIB_Y],
                ["FUNCTION", "RESTORE", payload, "FLUSH"],
                ["FCALL", "f3", "0"],
            ],
        )


def test_resp3(sharedRedisServer, sharedTxredisd):
    """
    A RESP3 caller gets RESP3 types from scripts that return them, and
    redis.setresp(3) gives scripts RESP3 replies as Lua tables.
    """
    assertSameReplies(
        sharedRedisServer.port,
        sharedTxredisd.port,
        [["SET", "k", "v"], ["SET", "n", "5"]]
        + _evals(
            "return {double=3.5}",
            "return {map={a=1}}",
            "return {set={a=true}}",
            "return {big_number='123'}",
            "return {verbatim_string={format='txt', string='hi'}}",
            "return true",
            "return false",
            "return nil",
            "redis.setresp(3) return true",
            "redis.setresp(3) return false",
            "redis.setresp(3) return redis.call('get', 'nokey')",
            "redis.setresp(3) return redis.call('mget', 'k', 'nokey')",
            "redis.setresp(3) return redis.call('hello')['map'] ~= nil",
            "redis.setresp(3) return redis.call('incrbyfloat', 'n', '1.5')",
            "return {1, {ok='x'}, {err='E y'}}",
            "return redis.call('set', 'k', 'v')",
        ),
        resp3=True,
    )
