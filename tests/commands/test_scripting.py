"""
Tests for L{txredisd.scripting} and L{txredisd.commands.scripting}: the Lua
sandbox, the conversions between Lua values and replies, the redis API,
error texts, propagation and the busy-script machinery.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.helpers import Connection, makeServer
from txredisd.scripting import engine, parseShebang, sha1hex
from txredisd.resp import Map, Set, Status, Verbatim


def evalReply(conn, script, *args):
    """
    Run EVAL with no keys and the given arguments.
    """
    return conn.call("EVAL", script, 0, *args)


class ToReplyTests(SynchronousTestCase):
    """
    Lua values become replies as Redis's luaReplyToRedisReply makes them.
    """

    def setUp(self):
        self.conn = Connection()

    def test_numbersTruncate(self):
        """
        Lua numbers become integers truncated towards zero.
        """
        self.assertEqual(evalReply(self.conn, "return 3.9"), b":3\r\n")
        self.assertEqual(evalReply(self.conn, "return -3.9"), b":-3\r\n")

    def test_nanAndHugeNumbers(self):
        """
        NaN, infinities and numbers out of range become LLONG_MIN, as C's
        cast does on x86-64.
        """
        for script in ("return 0/0", "return 1/0", "return 2^63"):
            self.assertEqual(evalReply(self.conn, script), b":-9223372036854775808\r\n")

    def test_booleansResp2(self):
        """
        true is 1 and false a null bulk string.
        """
        self.assertEqual(evalReply(self.conn, "return true"), b":1\r\n")
        self.assertEqual(evalReply(self.conn, "return false"), b"$-1\r\n")
        self.assertEqual(evalReply(self.conn, "return nil"), b"$-1\r\n")

    def test_booleansAfterSetresp3(self):
        """
        After redis.setresp(3) booleans are RESP3 booleans (:1/:0 for a
        RESP2 caller, #t/#f for a RESP3 one).
        """
        self.assertEqual(evalReply(self.conn, "redis.setresp(3) return false"), b":0\r\n")
        self.conn.call("HELLO", "3")
        self.assertEqual(evalReply(self.conn, "redis.setresp(3) return false"), b"#f\r\n")
        self.assertEqual(evalReply(self.conn, "redis.setresp(3) return true"), b"#t\r\n")

    def test_arrayStopsAtNil(self):
        """
        Tables become arrays up to their first nil.
        """
        self.assertEqual(evalReply(self.conn, "return {1,2,nil,4}"), b"*2\r\n:1\r\n:2\r\n")
        self.assertEqual(
            evalReply(self.conn, "return {1,'a',{true,false}}"),
            b"*3\r\n:1\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n",
        )

    def test_statusAndError(self):
        """
        {ok=...} is a status reply and {err=...} an error reply, with line
        breaks replaced.
        """
        self.assertEqual(evalReply(self.conn, "return {ok='fine'}"), b"+fine\r\n")
        self.assertEqual(evalReply(self.conn, "return {err='My Error'}"), b"-My Error\r\n")
        self.assertEqual(evalReply(self.conn, "return {err='-WRONG x\\r\\ny'}"), b"--WRONG x  y\r\n")

    def test_nestingLimit(self):
        """
        A table nested too deep ends in Redis's stack-limit error after
        the 7995 arrays Redis writes.
        """
        reply = evalReply(self.conn, "local t = {} t[1] = t return t")
        self.assertEqual(reply, b"*1\r\n" * 7995 + b"-ERR reached lua stack limit\r\n")

    def test_resp3TablesResp2(self):
        """
        RESP3 tables degrade for a RESP2 caller: map to a flat array, set
        to an array, double, big number and verbatim to bulk strings.
        """
        self.assertEqual(evalReply(self.conn, "return {map={a=1}}"), b"*2\r\n$1\r\na\r\n:1\r\n")
        self.assertEqual(evalReply(self.conn, "return {set={a=true}}"), b"*1\r\n$1\r\na\r\n")
        self.assertEqual(evalReply(self.conn, "return {double=3.5}"), b"$3\r\n3.5\r\n")
        self.assertEqual(evalReply(self.conn, "return {big_number='123'}"), b"$3\r\n123\r\n")
        self.assertEqual(
            evalReply(self.conn, "return {verbatim_string={format='txt', string='hi'}}"), b"$2\r\nhi\r\n"
        )

    def test_resp3TablesResp3(self):
        """
        A RESP3 caller gets the RESP3 types.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(evalReply(self.conn, "return {map={a=1}}"), b"%1\r\n$1\r\na\r\n:1\r\n")
        self.assertEqual(evalReply(self.conn, "return {set={a=true}}"), b"~1\r\n$1\r\na\r\n")
        self.assertEqual(evalReply(self.conn, "return {double=3.5}"), b",3.5\r\n")
        self.assertEqual(evalReply(self.conn, "return {big_number='123'}"), b"(123\r\n")
        self.assertEqual(
            evalReply(self.conn, "return {verbatim_string={format='txt', string='hi'}}"),
            b"=6\r\ntxt:hi\r\n",
        )
        self.assertEqual(evalReply(self.conn, "return nil"), b"_\r\n")

    def test_toReplyFunction(self):
        """
        toReply converts values from Lua for either protocol.
        """
        scripting = engine(self.conn.server)
        self.assertEqual(scripting.toReply(b"x", False, False), b"$1\r\nx\r\n")
        self.assertEqual(scripting.toReply(2.5, False, False), b":2\r\n")
        self.assertEqual(scripting.toReply(-0.5, False, False), b":0\r\n")
        self.assertEqual(scripting.toReply(False, False, True), b"_\r\n")
        self.assertEqual(scripting.toReply(False, True, True), b"#f\r\n")
        self.assertEqual(scripting.toReply(None, False, False), b"$-1\r\n")
        self.assertEqual(scripting.toReply(scripting.table({b"err": b"E x"}), False, False).message, "E x")


class ToLuaTests(SynchronousTestCase):
    """
    Replies become Lua values as Redis's redisProtocolToLuaType makes them.
    """

    def setUp(self):
        self.conn = Connection()
        self.engine = engine(self.conn.server)

    def test_nullIsFalse(self):
        """
        A null bulk reply is false in RESP2 and nil after setresp(3).
        """
        self.assertEqual(evalReply(self.conn, "return type(redis.call('get','x'))"), b"$7\r\nboolean\r\n")
        self.assertEqual(
            evalReply(self.conn, "redis.setresp(3) return type(redis.call('get','x'))"), b"$3\r\nnil\r\n"
        )

    def test_statusIsOkTable(self):
        """
        A status reply is a table with an ok field.
        """
        self.assertEqual(
            evalReply(self.conn, "local r = redis.call('set','k','v') return r.ok"), b"$2\r\nOK\r\n"
        )

    def test_errorIsErrTable(self):
        """
        redis.pcall answers an error as a table with err and
        ignore_error_stats_update fields.
        """
        self.conn.call("SET", "s", "abc")
        self.assertEqual(
            evalReply(
                self.conn,
                "local r = redis.pcall('incr','s') return {r.err, tostring(r.ignore_error_stats_update)}",
            ),
            b"*2\r\n$43\r\nERR value is not an integer or out of range\r\n$4\r\ntrue\r\n",
        )

    def test_replyValuesResp2(self):
        """
        Each reply type converts to its RESP2 Lua form.
        """
        lua = self.engine.replyToLua
        self.assertEqual(lua(7, False), 7)
        self.assertEqual(lua(b"x", False), b"x")
        self.assertIs(lua(None, False), False)
        self.assertEqual(lua(1.5, False), b"1.5")
        self.assertEqual(lua(True, False), 1)
        self.assertEqual(lua(Verbatim(b"v"), False), b"v")
        self.assertEqual(list(lua(Map([(b"a", 1)]), False).values()), [b"a", 1])
        self.assertEqual(list(lua(Set([b"a"]), False).values()), [b"a"])
        self.assertEqual(lua(Status("OK"), False)[b"ok"], b"OK")

    def test_replyValuesResp3(self):
        """
        Each reply type converts to its RESP3 Lua form.
        """
        lua = self.engine.replyToLua
        self.assertIsNone(lua(None, True))
        self.assertEqual(lua(1.5, True)[b"double"], 1.5)
        self.assertIs(lua(True, True), True)
        self.assertEqual(dict(lua(Map([(b"a", 1)]), True)[b"map"].items()), {b"a": 1})
        self.assertEqual(dict(lua(Set([b"a"]), True)[b"set"].items()), {b"a": True})
        verbatim = lua(Verbatim(b"v", b"mkd"), True)[b"verbatim_string"]
        self.assertEqual((verbatim[b"format"], verbatim[b"string"]), (b"mkd", b"v"))

    def test_numberArguments(self):
        """
        Numbers given to redis.call are formatted with %.17g.
        """
        evalReply(self.conn, "redis.call('set', 'x', 3.7)")
        self.assertEqual(self.conn.call("GET", "x"), b"$18\r\n3.7000000000000002\r\n")
        evalReply(self.conn, "redis.call('set', 'x', 12)")
        self.assertEqual(self.conn.call("GET", "x"), b"$2\r\n12\r\n")


class SandboxTests(SynchronousTestCase):
    """
    Scripts see Redis's restricted, read-only globals.
    """

    def setUp(self):
        self.conn = Connection()

    def assertMissingGlobal(self, name):
        script = "return %s" % (name,)
        self.assertEqual(
            evalReply(self.conn, script),
            (
                "-ERR user_script:1: Script attempted to access nonexistent global variable '%s' "
                "script: %s, on @user_script:1.\r\n" % (name, sha1hex(script.encode()).decode())
            ).encode(),
        )

    def test_unsafeLibrariesAbsent(self):
        """
        os, io, loadfile, dofile, require, module, print and the debug
        library are not there.
        """
        for name in ("os", "io", "loadfile", "dofile", "require", "module", "print", "debug", "package", "python"):
            self.assertMissingGlobal(name)

    def test_librariesPresent(self):
        """
        The libraries Redis loads are there.
        """
        self.assertEqual(
            evalReply(
                self.conn,
                "return {type(cjson), type(cmsgpack), type(bit), type(struct), type(string), type(math), "
                "type(table), type(redis), type(loadstring)}",
            ),
            b"*9\r\n" + b"".join(b"$5\r\ntable\r\n" for _ in range(8)) + b"$8\r\nfunction\r\n",
        )

    def test_newGlobalRefused(self):
        """
        Creating a global fails as Redis 7.0's read-only globals do.
        """
        self.assertEqual(
            evalReply(self.conn, "x=1"),
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"7caf6056913504f0508c65faf2dc3f94ff65bcfd, on @user_script:1.\r\n",
        )

    def test_libraryTablesReadOnly(self):
        """
        Library tables cannot be changed, not even with rawset.
        """
        self.assertTrue(evalReply(self.conn, "string.foo = 1").startswith(b"-ERR user_script:1: Attempt to modify a readonly table"))
        self.assertTrue(evalReply(self.conn, "rawset(_G, 'x', 1)").startswith(b"-ERR Attempt to modify a readonly table"))
        self.assertTrue(evalReply(self.conn, "redis.call = nil").startswith(b"-ERR user_script:1: Attempt"))

    def test_pairsSeesThroughProxies(self):
        """
        pairs lists the globals and the redis table's fields.
        """
        reply = evalReply(
            self.conn,
            "local t = {} for k in pairs(redis) do t[#t+1] = k end table.sort(t) return table.concat(t, ',')",
        )
        self.assertIn(b"call,debug,error_reply", reply)

    def test_loadstringSandboxed(self):
        """
        Chunks made by loadstring run in the script's globals, not the
        interpreter's.
        """
        self.assertTrue(
            evalReply(self.conn, "return loadstring('return os')()").startswith(
                b"-ERR [string \"return os\"]:1: Script attempted to access nonexistent global variable 'os'"
            )
        )

    def test_localsAllowed(self):
        """
        Local variables and functions work as usual.
        """
        self.assertEqual(
            evalReply(self.conn, "local function f(n) if n < 2 then return n end return f(n-1) + f(n-2) end return f(10)"),
            b":55\r\n",
        )

    def test_pythonObjectsUnreachable(self):
        """
        The Python callables behind the redis API expose no attributes.
        """
        reply = evalReply(self.conn, "return redis.call.__class__")
        self.assertTrue(reply.startswith(b"-ERR"), reply)


class RedisApiTests(SynchronousTestCase):
    """
    The redis table's functions.
    """

    def setUp(self):
        self.conn = Connection()

    def test_sha1hex(self):
        """
        redis.sha1hex hashes its argument.
        """
        self.assertEqual(evalReply(self.conn, "return redis.sha1hex('')"), b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n")

    def test_replies(self):
        """
        redis.error_reply and redis.status_reply build reply tables.
        """
        self.assertEqual(evalReply(self.conn, "return redis.error_reply('nospace')"), b"-ERR nospace\r\n")
        self.assertEqual(evalReply(self.conn, "return redis.error_reply('MY code')"), b"-MY code\r\n")
        self.assertEqual(evalReply(self.conn, "return redis.status_reply('FINE')"), b"+FINE\r\n")

    def test_constants(self):
        """
        The version, log level and replication constants are Redis 7.0's.
        """
        self.assertEqual(
            evalReply(
                self.conn,
                "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.REPL_ALL, redis.REPL_NONE, redis.LOG_WARNING}",
            ),
            b"*5\r\n$6\r\n7.0.15\r\n:458767\r\n:3\r\n:0\r\n:3\r\n",
        )

    def test_log(self):
        """
        redis.log writes through twisted.logger.
        """
        from twisted.logger import globalLogPublisher

        events = []
        globalLogPublisher.addObserver(events.append)
        self.addCleanup(globalLogPublisher.removeObserver, events.append)
        self.assertEqual(evalReply(self.conn, "redis.log(redis.LOG_WARNING, 'hello', 'world')"), b"$-1\r\n")
        self.assertIn("hello world", [event.get("text") for event in events])

    def test_replicateCommands(self):
        """
        redis.replicate_commands answers true (effects replication is
        always on in 7.0).
        """
        self.assertEqual(evalReply(self.conn, "return redis.replicate_commands()"), b":1\r\n")

    def test_keysAndArgv(self):
        """
        KEYS and ARGV hold the keys and the other arguments.
        """
        self.assertEqual(
            self.conn.call("EVAL", "return {KEYS[1], KEYS[2], ARGV[1]}", 2, "a", "b", "c"),
            b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
        )

    def test_mathRandomIsRedis(self):
        """
        math.random is Redis's rand48, so a fresh server's first value is
        the one Redis gives.
        """
        self.assertEqual(evalReply(self.conn, "return math.random(100)"), b":40\r\n")

    def test_selectStaysInScript(self):
        """
        SELECT in a script does not change the caller's database.
        """
        evalReply(self.conn, "redis.call('select', 1) redis.call('set', 'k', 'v')")
        self.assertEqual(self.conn.call("GET", "k"), b"$-1\r\n")
        self.conn.call("SELECT", "1")
        self.assertEqual(self.conn.call("GET", "k"), b"$1\r\nv\r\n")


class ErrorTests(SynchronousTestCase):
    """
    Errors carry Redis 7.0's texts.
    """

    def setUp(self):
        self.conn = Connection()

    def assertScriptError(self, script, text, line=1):
        sha = sha1hex(script.encode()).decode()
        self.assertEqual(
            evalReply(self.conn, script),
            ("-%s script: %s, on @user_script:%d.\r\n" % (text, sha, line)).encode(),
        )

    def test_commandErrors(self):
        """
        redis.call raises the command's error, located at the script line.
        """
        self.conn.call("SET", "s", "abc")
        self.assertScriptError("return redis.call('incr','s')", "ERR value is not an integer or out of range")
        self.assertScriptError("\nredis.call('incr','s')", "ERR value is not an integer or out of range", 2)

    def test_refusedCommands(self):
        """
        Unknown, wrong-arity and noscript commands are refused.
        """
        self.assertScriptError("return redis.call('nosuch')", "ERR Unknown Redis command called from script")
        self.assertScriptError("return redis.call('get')", "ERR Wrong number of args calling Redis command from script")
        self.assertScriptError("return redis.call('multi')", "ERR This Redis command is not allowed from script")
        self.assertScriptError("return redis.call()", "ERR Please specify at least one argument for this redis lib call")
        self.assertScriptError(
            "return redis.call('get', {})", "ERR Lua redis lib command arguments must be strings or integers"
        )

    def test_runtimeErrors(self):
        """
        Lua errors get the ERR code and the script's position.
        """
        self.assertScriptError("error('boom')", "ERR user_script:1: boom")
        self.assertScriptError("error({err='XX custom'})", "XX custom")
        self.assertScriptError("return redis.setresp(4)", "ERR RESP version must be 2 or 3.")

    def test_compileError(self):
        """
        A syntax error is reported when compiling.
        """
        self.assertEqual(
            evalReply(self.conn, "return 1+"),
            b"-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n",
        )

    def test_pcallGivesErrorText(self):
        """
        pcall answers the text of an error table (Redis's luaRedisPcall).
        """
        self.conn.call("SET", "s", "abc")
        self.assertEqual(
            evalReply(self.conn, "local ok, e = pcall(function() redis.call('incr','s') end) return e"),
            b"$43\r\nERR value is not an integer or out of range\r\n",
        )

    def test_readOnly(self):
        """
        EVAL_RO and no-writes scripts refuse writes.
        """
        self.assertEqual(
            self.conn.call("EVAL_RO", "return redis.call('set','a','b')", 0),
            b"-ERR Write commands are not allowed from read-only scripts. script: "
            b"ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1.\r\n",
        )
        self.assertEqual(
            self.conn.call("EVAL_RO", "#!lua\nreturn 1", 0),
            b"-ERR Can not execute a script with write flag using *_ro command.\r\n",
        )
        self.assertTrue(
            evalReply(self.conn, "#!lua flags=no-writes\nreturn redis.call('set','a','b')").startswith(
                b"-ERR Write commands are not allowed from read-only scripts."
            )
        )
        self.assertEqual(self.conn.call("EXISTS", "a"), b":0\r\n")

    def test_readOnlyReplica(self):
        """
        On a read-only replica scripts that may write are refused up front
        (shebang, functions) or at their first write (plain EVAL).
        """
        self.conn.call("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
        self.conn.server.readOnlyReplica = True
        self.assertEqual(
            self.conn.call("EVAL", "#!lua\nreturn 1", 0),
            b"-READONLY Can not run script with write flag on readonly replica\r\n",
        )
        self.assertEqual(
            self.conn.call("FCALL", "f", 0), b"-READONLY Can not run script with write flag on readonly replica\r\n"
        )
        self.assertEqual(self.conn.call("EVAL", "#!lua flags=no-writes\nreturn 1", 0), b":1\r\n")
        script = "return redis.call('set', 'a', 'b')"
        self.assertScriptError(script, "READONLY You can't write against a read only replica.")

    def test_noscript(self):
        """
        EVALSHA of an unknown script answers NOSCRIPT.
        """
        self.assertEqual(
            self.conn.call("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", 0),
            b"-NOSCRIPT No matching script. Please use EVAL.\r\n",
        )

    def test_shebang(self):
        """
        parseShebang reads flags and keeps line numbers.
        """
        self.assertEqual(parseShebang(b"return 1"), (None, b"return 1", []))
        self.assertEqual(parseShebang(b"#!lua flags=no-writes,allow-oom\nreturn 1"), ({"no-writes", "allow-oom"}, b"\nreturn 1", []))


class PropagationTests(SynchronousTestCase):
    """
    A script's writes are propagated as the commands it ran.
    """

    def setUp(self):
        self.conn = Connection()
        self.propagated = []
        self.conn.server.propagators.append(lambda db, commands: self.propagated.append((db, commands)))

    def test_severalWritesInMultiExec(self):
        """
        Several writes go wrapped in MULTI/EXEC, the EVAL itself not.
        """
        evalReply(self.conn, "redis.call('set','a','1') redis.call('incr','a') return redis.call('get','a')")
        self.assertEqual(
            self.propagated,
            [(0, [[b"MULTI"], [b"set", b"a", b"1"], [b"incr", b"a"], [b"EXEC"]])],
        )

    def test_oneWriteAlone(self):
        """
        A single write goes alone.
        """
        evalReply(self.conn, "redis.call('set','a','1')")
        self.assertEqual(self.propagated, [(0, [[b"set", b"a", b"1"]])])

    def test_readOnlyScriptPropagatesNothing(self):
        """
        A script that only reads propagates nothing.
        """
        evalReply(self.conn, "return redis.call('get','a')")
        self.assertEqual(self.propagated, [])

    def test_selectInScript(self):
        """
        Writes after a SELECT in the script are propagated to that database.
        """
        evalReply(self.conn, "redis.call('set','a','1') redis.call('select', 2) redis.call('set','b','2')")
        self.assertEqual(
            self.propagated,
            [(0, [[b"MULTI"], [b"set", b"a", b"1"]]), (2, [[b"set", b"b", b"2"], [b"EXEC"]])],
        )

    def test_setReplNone(self):
        """
        Writes made under redis.set_repl(redis.REPL_NONE) are not
        propagated.
        """
        evalReply(
            self.conn,
            "redis.set_repl(redis.REPL_NONE) redis.call('set','a','1') "
            "redis.set_repl(redis.REPL_ALL) redis.call('set','b','2')",
        )
        self.assertEqual(self.propagated, [(0, [[b"set", b"b", b"2"]])])
        self.assertEqual(self.conn.call("GET", "a"), b"$1\r\n1\r\n")

    def test_functionWrites(self):
        """
        FUNCTION LOAD propagates itself and FCALL the commands it ran.
        """
        code = "#!lua name=lib\nredis.register_function('f', function(k, a) redis.call('set', k[1], a[1]) end)"
        self.conn.call("FUNCTION", "LOAD", code)
        self.conn.call("FCALL", "f", 1, "k", "v")
        self.assertEqual(
            self.propagated,
            [(0, [[b"FUNCTION", b"LOAD", code.encode()]]), (0, [[b"set", b"k", b"v"]])],
        )

    def test_evalInMulti(self):
        """
        EVAL inside MULTI joins the transaction's propagation.
        """
        self.conn.call("MULTI")
        self.conn.call("EVAL", "redis.call('set','a','1')", 0)
        self.conn.call("SET", "b", "2")
        self.conn.call("EXEC")
        self.assertEqual(
            self.propagated,
            [(0, [[b"MULTI"], [b"set", b"a", b"1"], [b"SET", b"b", b"2"], [b"EXEC"]])],
        )


class FunctionTests(SynchronousTestCase):
    """
    FUNCTION LOAD and FCALL round trips.
    """

    def setUp(self):
        self.conn = Connection()

    def test_loadAndCall(self):
        """
        A loaded function is called with its keys and arguments.
        """
        self.assertEqual(
            self.conn.call(
                "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('echo', function(k, a) return {k[1], a[1]} end)"
            ),
            b"$3\r\nlib\r\n",
        )
        self.assertEqual(self.conn.call("FCALL", "echo", 1, "k", "a"), b"*2\r\n$1\r\nk\r\n$1\r\na\r\n")
        self.assertEqual(self.conn.call("FCALL", "ECHO", 0), b"*0\r\n")

    def test_loadSeesOnlyRegistrationApi(self):
        """
        While loading, the library sees redis.register_function but not
        redis.call.
        """
        self.assertEqual(
            self.conn.call("FUNCTION", "LOAD", "#!lua name=x\nredis.call('ping')"),
            b"-ERR Error registering functions: ERR user_function:2: Script attempted to access "
            b"nonexistent global variable 'call'\r\n",
        )

    def test_dumpRestore(self):
        """
        FUNCTION DUMP's payload restores the libraries.
        """
        self.conn.call("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('one', function() return 1 end)")
        payload = self.conn.call("FUNCTION", "DUMP").split(b"\r\n", 1)[1][:-2]
        self.conn.call("FUNCTION", "FLUSH")
        self.assertEqual(self.conn.call("FCALL", "one", 0), b"-ERR Function not found\r\n")
        self.assertEqual(self.conn.call("FUNCTION", "RESTORE", payload), b"+OK\r\n")
        self.assertEqual(self.conn.call("FCALL", "one", 0), b":1\r\n")
        self.assertEqual(self.conn.call("FUNCTION", "RESTORE", payload), b"-ERR Library lib already exists\r\n")

    def test_listAndStats(self):
        """
        FUNCTION LIST describes the libraries and STATS counts them.
        """
        self.conn.call(
            "FUNCTION",
            "LOAD",
            "#!lua name=lib\nredis.register_function{function_name='f', callback=function() return 1 end, "
            "flags={'no-writes'}, description='d'}",
        )
        self.assertEqual(
            self.conn.call("FUNCTION", "LIST"),
            b"*1\r\n*6\r\n$12\r\nlibrary_name\r\n$3\r\nlib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n"
            b"*1\r\n*6\r\n$4\r\nname\r\n$1\r\nf\r\n$11\r\ndescription\r\n$1\r\nd\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n",
        )
        self.assertIn(b"functions_count\r\n:1\r\n", self.conn.call("FUNCTION", "STATS"))
        self.assertEqual(self.conn.call("FCALL_RO", "f", 0), b":1\r\n")


class FakeReactor:
    """
    A reactor whose doIteration runs a callable, standing for the socket
    reads a real reactor would process while a script is busy.
    """

    def __init__(self, onIteration):
        self.onIteration = onIteration
        self.iterations = 0

    def doIteration(self, timeout):
        self.iterations += 1
        if self.iterations == 1:
            self.onIteration()


class BusyTests(SynchronousTestCase):
    """
    A script past busy-reply-threshold serves other clients, who get -BUSY.
    """

    def setUp(self):
        self.server = makeServer()
        self.server.config.set("lua-time-limit", b"0")
        self.caller = Connection(self.server)
        self.other = Connection(self.server)
        self.replies = []

    def test_otherClientsBusy(self):
        """
        Another client's command gets -BUSY while the script runs, SCRIPT
        KILL stops it, and the caller's own next command waits for the
        script's reply.
        """

        def during():
            self.replies.append(self.other.call("GET", "a"))
            self.replies.append(self.other.call("FUNCTION", "KILL"))
            self.caller.protocol.dataReceived(b"*1\r\n$4\r\nPING\r\n")
            self.replies.append(self.other.call("SCRIPT", "KILL"))

        self.server.reactor = FakeReactor(during)
        reply = self.caller.call("EVAL", "while true do end", 0)
        self.assertEqual(
            self.replies,
            [
                b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
                b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
                b"+OK\r\n",
            ],
        )
        self.assertEqual(
            reply,
            b"-ERR Script killed by user with SCRIPT KILL... script: "
            b"694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n+PONG\r\n",
        )
        self.assertIsNone(self.server.busyScript)
        self.assertEqual(self.other.call("PING"), b"+PONG\r\n")

    def test_unkillableAfterWrite(self):
        """
        SCRIPT KILL refuses to stop a script that wrote; SHUTDOWN NOSAVE
        stops it.
        """

        def during():
            self.replies.append(self.other.call("SCRIPT", "KILL"))
            self.replies.append(self.other.call("SHUTDOWN"))

        self.server.reactor = FakeReactor(during)
        self.server.shutdown = lambda: setattr(self.server, "shutdownRequested", True)
        original = FakeReactor.doIteration

        def iterate(reactor, timeout):
            original(reactor, timeout)
            if reactor.iterations == 3:
                self.replies.append(self.other.call("SHUTDOWN", "NOSAVE"))

        self.patch(FakeReactor, "doIteration", iterate)
        self.patch(self.server, "persistence", None)
        from txredisd.commands import persistence

        self.patch(persistence, "_persistence", lambda client: None)
        reply = self.caller.call("EVAL", "redis.call('set','a','1') while true do end", 0)
        self.assertEqual(
            self.replies[:2],
            [
                b"-UNKILLABLE Sorry the script already executed write commands against the dataset. "
                b"You can either wait the script termination or kill the server in a hard way using "
                b"the SHUTDOWN NOSAVE command.\r\n",
                b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
            ],
        )
        self.assertTrue(self.server.shutdownRequested)
        self.assertEqual(reply, b"")

    def test_killNotCaughtByPcall(self):
        """
        A killed script cannot swallow the kill with pcall: the hook then
        fails on every line.
        """
        self.server.reactor = FakeReactor(lambda: self.replies.append(self.other.call("SCRIPT", "KILL")))
        reply = self.caller.call("EVAL", "while true do pcall(function() while true do end end) end", 0)
        self.assertEqual(self.replies, [b"+OK\r\n"])
        self.assertTrue(reply.startswith(b"-ERR Script killed by user with SCRIPT KILL..."), reply)
        self.assertEqual(self.caller.call("EVAL", "return 1", 0), b":1\r\n")

    def test_notBusy(self):
        """
        SCRIPT KILL without a running script answers NOTBUSY.
        """
        self.assertEqual(
            self.other.call("SCRIPT", "KILL"), b"-NOTBUSY No scripts in execution right now.\r\n"
        )


class ReactorIterationTests(SynchronousTestCase):
    """
    The busy hook's doIteration serves sockets but runs no timers.
    """

    def test_doIterationRunsNoTimers(self):
        """
        A due timer does not run in doIteration(0), so expiry cycles and
        blocking timeouts wait for the script to end.
        """
        from twisted.internet import selectreactor

        reactor = selectreactor.SelectReactor()
        self.addCleanup(reactor.disconnectAll)
        fired = []
        call = reactor.callLater(0, fired.append, True)
        self.addCleanup(lambda: call.active() and call.cancel())
        reactor.doIteration(0)
        self.assertEqual(fired, [])
        reactor.runUntilCurrent()
        self.assertEqual(fired, [True])


class KeyTests(SynchronousTestCase):
    """
    EVAL-like commands declare their keys through numkeys.
    """

    def test_keyPositions(self):
        """
        The keys are the numkeys arguments after numkeys; bad numkeys
        gives none.
        """
        from txredisd.registry import COMMANDS

        for name in (b"eval", b"evalsha", b"eval_ro", b"evalsha_ro", b"fcall", b"fcall_ro"):
            spec = COMMANDS[name]
            self.assertIn("movablekeys", spec.flags)
            self.assertEqual(spec.keys([name, b"s", b"2", b"a", b"b", b"c"]), [b"a", b"b"])
            self.assertEqual(spec.keys([name, b"s", b"x", b"a"]), [])
            self.assertEqual(spec.keys([name, b"s", b"3", b"a"]), [])


class FunctionPersistenceTests(SynchronousTestCase):
    """
    Function libraries are saved in RDB files and loaded back.
    """

    def test_saveAndLoad(self):
        """
        A library saved with SAVE's snapshot is there after loading it.
        """
        import os

        from txredisd.persistence.service import Persistence

        path = os.path.join(self.mktemp() + ".rdb")
        conn = Connection()
        conn.call("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('one', function() return 1 end)")
        conn.call("SET", "k", "v")
        Persistence(conn.server, fsync=lambda fd: None).saveSync(path)
        fresh = Connection()
        self.assertEqual(Persistence(fresh.server).load(path), 1)
        self.assertEqual(fresh.call("FCALL", "one", 0), b":1\r\n")
        self.assertEqual(fresh.call("GET", "k"), b"$1\r\nv\r\n")
