"""
Lua scripting as Redis 7.0 embeds it: the sandboxed Lua 5.1 environment,
the C{redis} API, the conversions between Lua values and replies, the
script cache (EVAL) and function libraries (FUNCTION/FCALL).

The interpreter is C{lupa}'s Lua 5.1.  The C{redis} API and the C
libraries Redis links in (L{txredisd.scriptlibs}) are Python callables
handed to Lua as they are: Lua calls them through a C function, so that a
script's C{return redis.call(...)} is no tail call and errors keep the
script's line, as in Redis.  They fail by raising L{LuaRaise}, whose value
the error handler and C{pcall} unwrap; C{type()} calls them functions.
Attribute access on Python objects is refused, so scripts can do nothing
with them but call them.

Redis makes the global table and every library table read-only with a C
patch to Lua; here the globals a script sees are a proxy table whose
C{__newindex} refuses writes and whose lookups fall through to the real
table, whose C{__index} raises Redis's "nonexistent global variable" error.
C{pairs}, C{next}, C{ipairs}, C{rawget} and C{rawset} see through the
proxies; the length operator does not (it answers 0 on a proxy).

A running script is timed by a count hook (every L{HOOK_INSTRUCTIONS} VM
instructions, as Redis's C{luaMaskCountHook}).  Past C{busy-reply-threshold}
(C{lua-time-limit}) the hook runs the reactor's C{doIteration(0)}, Redis's
C{processEventsWhileBlocked}: other clients are served, and
L{txredisd.dispatch} answers them C{-BUSY} while C{server.busyScript} is
set, except for commands flagged C{allow_busy} (SCRIPT KILL, FUNCTION KILL,
SHUTDOWN NOSAVE ...).  C{doIteration} runs no timers, so expiry and
blocking timeouts wait for the script.
"""

import hashlib
import math
import time

from lupa import lua51
from twisted.logger import Logger

from txredisd import errors
from txredisd.client import Client
from txredisd.errors import CommandError
from txredisd.loglevel import observer as logObserver
from txredisd.numbers import formatDouble
from txredisd.registry import COMMANDS
from txredisd.resp import NO_REPLY, NULL_ARRAY, Map, Push, Raw, Set, Status, Verbatim

_log = Logger(observer=logObserver)

REDIS_VERSION = b"7.0.15"
REDIS_VERSION_NUM = 0x07000F

#: How often (in Lua VM instructions) the hook looks at the clock, as
#: Redis's C{luaMaskCountHook}.
HOOK_INSTRUCTIONS = 100000

# redis.set_repl flags.
REPL_NONE, REPL_AOF, REPL_REPLICA, REPL_ALL = 0, 1, 2, 3

_LOG_LEVELS = {0: "debug", 1: "info", 2: "info", 3: "warn"}

#: Shebang flags, as Redis's C{scripts_flags_def}.
SCRIPT_FLAGS = ("no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys")


# The chunk name of our own Lua code: the error handler skips its frames
# when looking for the line of the user's script that failed.
_INTERNAL = "=txredisd"

_BOOTSTRAP = r"""
local py, debug, setfenv, loadstring, real_G = ...
local error, type, tostring, select, unpack, setmetatable, rawget, rawset, next, pairs, ipairs =
      error, type, tostring, select, unpack, setmetatable, rawget, rawset, next, pairs, ipairs

-- Proxies make tables read-only (Redis's lua_enablereadonlytable).
local proxied = setmetatable({}, {__mode = "k"})
local function readonlyError() error("Attempt to modify a readonly table", 2) end
local function protect(t)
  local meta = {__index = t, __newindex = readonlyError, __metatable = false}
  local p = setmetatable({}, meta)
  proxied[p] = t
  return p, meta
end
local function strict(t)
  return setmetatable(t, {__index = function(_, k)
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end})
end
local function real(t) return proxied[t] or t end

local unwrap = py.unwrap
-- Redis 7.0's pcall (luaRedisPcall) answers the text of an error table.
local function protectedCall(f, ...)
  local r = {pcall(f, ...)}
  if not r[1] then
    local e = r[2]
    if type(e) == "userdata" then e = unwrap(e) end
    if type(e) == "table" then
      local text = rawget(e, "err")
      if type(text) == "string" or type(text) == "number" then e = text end
    end
    return false, e
  end
  return unpack(r, 1, table.maxn(r))
end

local safe = {
  assert = assert, collectgarbage = collectgarbage, error = error, gcinfo = gcinfo,
  getmetatable = getmetatable, ipairs = function(t) return ipairs(real(t)) end,
  next = function(t, k) return next(real(t), k) end,
  pairs = function(t) return next, real(t), nil end,
  pcall = protectedCall, rawequal = rawequal,
  rawget = function(t, k) return rawget(real(t), k) end,
  rawset = function(t, k, v)
    if proxied[t] then error("Attempt to modify a readonly table", 0) end
    return rawset(t, k, v)
  end,
  select = select, setmetatable = setmetatable, tonumber = tonumber, tostring = tostring,
  type = type, unpack = unpack, _VERSION = _VERSION,
  xpcall = function(f, handler)
    return xpcall(f, function(e)
      if type(e) == "userdata" then e = unwrap(e) end
      return handler(e)
    end)
  end,
}
local libs = {}
for _, name in ipairs({"string", "table", "coroutine"}) do
  local t = {}
  for k, v in pairs(real_G[name]) do t[k] = v end
  libs[name] = t
end
local m = {}
for k, v in pairs(real_G.math) do m[k] = v end
m.random = py.random
m.randomseed = py.randomseed
libs.math = m

local function library(spec)
  local t = {}
  for k, v in pairs(spec) do t[k] = v end
  return t
end
local null = newproxy(false)
libs.bit = library(py.bit)
libs.struct = library(py.struct)
libs.cmsgpack = library(py.cmsgpack)
libs.cjson = library(py.cjson)
libs.cjson.null = null
py.setNull(null)

-- The error handler of Redis 7.0 (__redis__err__handler): errors become
-- tables with the source and line of the user's code that raised them.
local getinfo = debug.getinfo
local function errorHandler(err)
  local level, i = 2, nil
  while true do
    i = getinfo(level, "nSl")
    if i == nil or (i.what ~= "C" and i.source ~= "%INTERNAL%") then break end
    level = level + 1
  end
  if type(err) == "userdata" then err = unwrap(err) end
  if type(err) ~= "table" then
    err = {err = "ERR " .. tostring(err)}
  end
  if i then
    err["source"] = i.source
    err["line"] = i.currentline
  end
  return err
end

-- The position luaL_where(L, 1) gives a C function's error: the user's
-- code that called it.
function py.where()
  local level = 2
  while true do
    local i = getinfo(level, "Sl")
    if i == nil then return "" end
    if i.what ~= "C" and i.source ~= "%INTERNAL%" then
      if i.currentline > 0 then return i.short_src .. ":" .. i.currentline .. ": " end
      return ""
    end
    level = level + 1
  end
end

local function redisApi(extra)
  local r = {
    call = py.call, pcall = py.pcall,
    error_reply = py.error_reply, status_reply = py.status_reply,
    sha1hex = py.sha1hex, log = py.log,
    setresp = py.setresp, set_repl = py.set_repl,
    replicate_commands = function() return true end,
    breakpoint = function() return false end, debug = function() end,
    acl_check_cmd = py.acl_check_cmd,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
    REDIS_VERSION = py.REDIS_VERSION, REDIS_VERSION_NUM = py.REDIS_VERSION_NUM,
  }
  return r
end

-- The Python functions scripts call are userdata to Lua; type() calls them
-- functions, as Redis's C functions are.
local builtin = setmetatable({}, {__mode = "k"})
local function markBuiltins(t)
  for _, v in pairs(t) do
    if type(v) == "userdata" and v ~= null then builtin[v] = true end
  end
end
for _, lib in pairs(libs) do markBuiltins(lib) end
safe.type = function(v)
  local t = type(v)
  if t == "userdata" and builtin[v] then return "function" end
  return t
end

local libProxies = {}
for k, v in pairs(libs) do libProxies[k] = protect(v) end
-- String methods ("x"):upper() find the read-only string table, as in Redis.
getmetatable("").__index = libProxies.string

local function sandbox(redis)
  markBuiltins(redis)
  local G = {}
  for k, v in pairs(safe) do G[k] = v end
  for k, v in pairs(libProxies) do G[k] = v end
  G.redis = protect(redis)
  G.__redis__err__handler = errorHandler
  local P, meta = protect(strict(G))
  G._G = P
  -- Chunks loaded by a script run in the script's globals, never in the
  -- interpreter's (which hold os and io).
  G.loadstring = function(s, name)
    if type(s) == "string" and s:byte(1) == 27 then return nil, "binary chunks are not allowed" end
    local f, e = loadstring(s, name)
    if f then setfenv(f, P) end
    return f, e
  end
  G.load = function(fn, name)
    local parts = {}
    while true do
      local piece = fn()
      if piece == nil or piece == "" then break end
      parts[#parts + 1] = piece
    end
    return G.loadstring(table.concat(parts), name)
  end
  return G, P, meta
end

local evalG, evalEnv = sandbox(redisApi())
local funcG, funcEnv, funcMeta = sandbox(redisApi())

-- What a library's code sees while FUNCTION LOAD runs it.
markBuiltins(py)
local loadApi = strict({
  redis = protect(strict({
    register_function = py.register_function, log = py.log,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = py.REDIS_VERSION, REDIS_VERSION_NUM = py.REDIS_VERSION_NUM,
  })),
})

local check = py.hook
local function killedHook()
  local r = check()
  if r then error(r) end
end
local function hook()
  local r = check()
  if r then
    -- Keep failing on every line so that pcall cannot swallow the kill.
    debug.sethook(killedHook, "l")
    error(r)
  end
end
local function resetHook() debug.sethook(hook, "", py.HOOK_INSTRUCTIONS) end
resetHook()

-- A script's return value as RESP, as Redis's luaReplyToRedisReply
-- writes it: converting in Lua saves a Python call per table element.
local format, floor, ceil, gsub, next = string.format, math.floor, math.ceil, string.gsub, next
local function integer(n)
  -- C's (long long) cast: NaN and out of range give LLONG_MIN on x86-64.
  if n ~= n or n >= 9223372036854775808 or n < -9223372036854775808 then
    return "-9223372036854775808"
  end
  if n >= 0 then n = floor(n) else n = ceil(n) end
  if n == 0 then return "0" end
  return format("%.0f", n)
end
local function oneLine(text) return (gsub(text, "[\r\n]", " ")) end
local function encode(v, s3, c3, out, depth)
  local t = type(v)
  local n = #out
  if depth >= 7995 then
    -- Where Redis's lua_checkstack fails for nested tables.
    out[n + 1] = "-ERR reached lua stack limit\r\n"
    return
  end
  if t == "string" then
    out[n + 1] = "$" .. #v .. "\r\n" .. v .. "\r\n"
  elseif t == "number" then
    out[n + 1] = ":" .. integer(v) .. "\r\n"
  elseif t == "boolean" then
    if not s3 then
      out[n + 1] = v and ":1\r\n" or (c3 and "_\r\n" or "$-1\r\n")
    elseif c3 then
      out[n + 1] = v and "#t\r\n" or "#f\r\n"
    else
      out[n + 1] = v and ":1\r\n" or ":0\r\n"
    end
  elseif t == "table" then
    local f = rawget(v, "err")
    if type(f) == "string" then out[n + 1] = "-" .. oneLine(f) .. "\r\n" return end
    f = rawget(v, "ok")
    if type(f) == "string" then out[n + 1] = "+" .. oneLine(f) .. "\r\n" return end
    f = rawget(v, "double")
    if type(f) == "number" then
      local text = format("%.17g", f)
      out[n + 1] = c3 and ("," .. text .. "\r\n") or ("$" .. #text .. "\r\n" .. text .. "\r\n")
      return
    end
    f = rawget(v, "big_number")
    if type(f) == "string" then
      f = oneLine(f)
      out[n + 1] = c3 and ("(" .. f .. "\r\n") or ("$" .. #f .. "\r\n" .. f .. "\r\n")
      return
    end
    f = rawget(v, "verbatim_string")
    if type(f) == "table" then
      local form, text = rawget(f, "format"), rawget(f, "string")
      if type(form) == "string" and type(text) == "string" then
        out[n + 1] = c3 and ("=" .. (#text + 4) .. "\r\n" .. form .. ":" .. text .. "\r\n")
                        or ("$" .. #text .. "\r\n" .. text .. "\r\n")
        return
      end
    end
    f = rawget(v, "map")
    if type(f) == "table" then
      local count = 0
      out[n + 1] = ""
      for key, value in next, f do
        encode(key, s3, c3, out, depth + 1)
        encode(value, s3, c3, out, depth + 1)
        count = count + 1
      end
      out[n + 1] = c3 and ("%" .. count .. "\r\n") or ("*" .. (2 * count) .. "\r\n")
      return
    end
    f = rawget(v, "set")
    if type(f) == "table" then
      local count = 0
      out[n + 1] = ""
      for key in next, f do
        encode(key, s3, c3, out, depth + 1)
        count = count + 1
      end
      out[n + 1] = (c3 and "~" or "*") .. count .. "\r\n"
      return
    end
    local i = 1
    out[n + 1] = ""
    while true do
      local item = rawget(v, i)
      if item == nil then break end
      encode(item, s3, c3, out, depth + 1)
      i = i + 1
    end
    out[n + 1] = "*" .. (i - 1) .. "\r\n"
  else
    out[n + 1] = c3 and "_\r\n" or "$-1\r\n"
  end
end

local xpcall = xpcall
local api = {}
function api.toResp(v, s3, c3)
  -- The script has ended: its time limit no longer applies, and a count
  -- hook halves the interpreter's speed.
  debug.sethook()
  local out = {}
  encode(v, s3, c3, out, 0)
  return table.concat(out)
end
function api.compile(body, chunkname, forFunctions)
  local f, e = loadstring(body, chunkname)
  if not f then return nil, e end
  setfenv(f, forFunctions and funcEnv or evalEnv)
  return f
end
function api.runEval(f, keys, args)
  rawset(evalG, "KEYS", keys)
  rawset(evalG, "ARGV", args)
  resetHook()
  return xpcall(f, errorHandler)
end
function api.runFunction(f, keys, args)
  resetHook()
  return xpcall(function() return f(keys, args) end, errorHandler)
end
function api.loadLibrary(f)
  funcMeta.__index = loadApi
  resetHook()
  local ok, err = xpcall(f, errorHandler)
  funcMeta.__index = funcG
  return ok, err
end
function api.isFunction(v) return type(v) == "function" end
api.where = py.where
return api
"""


class LuaRaise(Exception):
    """
    Raised by the Python functions scripts call to raise a Lua error.

    @ivar value: the Lua error value (an error table or L{bytes}).
    """

    def __init__(self, value):
        Exception.__init__(self)
        self.value = value


class ScriptError(Exception):
    """
    Raised by the Python side of the C{redis} API: becomes a Lua error
    table (C{luaPushError}).
    """


def sha1hex(data):
    """
    @return: the lower-case hex SHA1 of C{data} as L{bytes}.
    """
    return hashlib.sha1(data).hexdigest().encode("ascii")


def errorTableText(message):
    """
    The C{err} field Redis stores for an error text (C{luaPushErrorBuff}):
    a text starting with C{-} keeps its code, any other gets C{ERR}.

    @param message: L{str} or L{bytes}.
    @return: L{bytes}.
    """
    if isinstance(message, str):
        message = message.encode("utf-8", "surrogateescape")
    if message[:1] == b"-":
        code, sep, rest = message[1:].partition(b" ")
        if not sep:
            code, rest = b"ERR", message[1:]
    else:
        code, rest = b"ERR", message
    return code + b" " + rest.strip(b"\r\n")


def parseShebang(body, what="script"):
    """
    Split a C{#!lua ...} first line from a script (Redis 7.0's
    C{evalExtractShebangFlags}).

    @return: C{(flags, code, options)}: the set of flag names (L{None} when
        there is no shebang, Redis's compatibility mode), the code with
        the shebang line blanked (its newline kept so line numbers stay)
        and the other C{name=value} options as a list of L{bytes}.
    @raise CommandError: for a bad shebang.
    """
    if not body.startswith(b"#!"):
        return None, body, []
    end = body.find(b"\n")
    line = body if end < 0 else body[:end]
    code = b"" if end < 0 else body[end:]
    parts = line.split()
    if parts[0] != b"#!lua":
        raise CommandError(errors.SCRIPT_SHEBANG_ENGINE % (errors.safe(parts[0]),))
    flags = set()
    options = []
    for part in parts[1:]:
        if part.startswith(b"flags="):
            for flag in part[6:].split(b","):
                name = flag.decode("latin-1")
                if flag and name not in SCRIPT_FLAGS:
                    raise CommandError(errors.SCRIPT_SHEBANG_FLAG % (errors.safe(flag),))
                if flag:
                    flags.add(name)
        elif what == "script":
            raise CommandError(errors.SCRIPT_SHEBANG_OPTION % (errors.safe(part),))
        else:
            options.append(part)
    return flags, code, options


class Run:
    """
    One script or function execution.

    @ivar name: the name errors show (the SHA1, or the function's name).
    @ivar isEval: an EVAL script (not a function).
    @ivar readOnly: run by EVAL_RO/FCALL_RO or flagged C{no-writes}.
    @ivar wrote: a write command ran (SCRIPT KILL refuses then).
    @ivar busy: past C{busy-reply-threshold}; other clients get -BUSY.
    @ivar killed: SCRIPT KILL or FUNCTION KILL asked to stop it.
    """

    def __init__(self, caller, name, isEval, readOnly, flags, argv):
        self.caller = caller
        self.name = name
        self.isEval = isEval
        self.readOnly = readOnly
        self.flags = flags
        self.argv = argv
        self.resp = 2
        self.repl = REPL_ALL
        self.wrote = False
        self.busy = False
        self.killed = False
        self.start = time.monotonic()

    @property
    def busyError(self):
        return errors.BUSY_SCRIPT if self.isEval else errors.BUSY_FUNCTION


class Library:
    """
    A function library: its name, code and functions.

    @ivar functions: function name (L{bytes}) to L{Function}.
    """

    def __init__(self, name, code):
        self.name = name
        self.code = code
        self.functions = {}


class Function:
    """
    A registered function.
    """

    def __init__(self, name, callback, flags, description, library):
        self.name = name
        self.callback = callback
        self.flags = flags
        self.description = description
        self.library = library


class ScriptEngine:
    """
    The Lua interpreter of one server and its script cache and libraries.

    @ivar scripts: SHA1 (L{bytes}) to C{(function, flags, body)}.
    @ivar libraries: library name to L{Library}.
    @ivar functions: function name to L{Function}.
    @ivar running: the L{Run} in progress, or L{None}.
    """

    def __init__(self, server):
        self.server = server
        self.scripts = {}
        self.libraries = {}
        self.functions = {}
        self.running = None
        self._loading = None
        self._rand = 0x1234ABCD330E
        self._null = None
        self._client = None
        self._lua = lua51.LuaRuntime(
            encoding=None,
            unpack_returned_tuples=True,
            register_eval=False,
            register_builtins=False,
            attribute_filter=_denyAttributes,
        )
        from txredisd import scriptlibs

        lua = self._lua
        g = lua.globals()
        api = self._raising
        lib = self._libraryFunction

        def library(functions):
            return lua.table_from({name: lib(f) for name, f in functions.items()})

        py = lua.table_from(
            {
                b"call": api(lambda *args: self._call(True, *args)),
                b"pcall": api(lambda *args: self._call(False, *args)),
                b"error_reply": api(self._errorReply),
                b"status_reply": api(self._statusReply),
                b"sha1hex": api(self._sha1hex),
                b"log": api(self._logCommand),
                b"setresp": api(self._setresp),
                b"set_repl": api(self._setRepl),
                b"acl_check_cmd": api(self._aclCheckCmd),
                b"register_function": api(self._registerFunction),
                b"random": lib(self._random),
                b"randomseed": lib(self._randomseed),
                b"hook": self._hook,
                b"unwrap": self._unwrap,
                b"setNull": self._setNull,
                b"HOOK_INSTRUCTIONS": HOOK_INSTRUCTIONS,
                b"REDIS_VERSION": REDIS_VERSION,
                b"REDIS_VERSION_NUM": REDIS_VERSION_NUM,
                b"bit": library(scriptlibs.bitFunctions()),
                b"struct": library(scriptlibs.structFunctions()),
                b"cmsgpack": library(scriptlibs.msgpackFunctions(self)),
                b"cjson": library(scriptlibs.cjsonFunctions(self)),
            }
        )
        chunk = g.loadstring(_BOOTSTRAP.replace("%INTERNAL%", _INTERNAL).encode(), _INTERNAL.encode())
        self._api = chunk(py, g.debug, g.setfenv, g.loadstring, g)
        self._compile = self._api[b"compile"]
        self._runEval = self._api[b"runEval"]
        self._runFunction = self._api[b"runFunction"]
        self._loadLibrary = self._api[b"loadLibrary"]
        self._isFunction = self._api[b"isFunction"]
        self._where = self._api[b"where"]
        self._toResp = self._api[b"toResp"]

    # -- Python functions scripts call ------------------------------------------
    #
    # They are handed to Lua as they are, so that Lua sees C functions: a
    # script's "return redis.call(...)" is then no tail call and errors
    # keep the script's line, as in Redis.  They fail by raising
    # L{LuaRaise}, whose value the error handler and pcall unwrap.

    def _raising(self, function):
        # For functions answering (value, fail): fail raises the value (an
        # error table), as luaError does.
        def call(*args):
            value, fail = function(*args)
            if fail:
                raise LuaRaise(value)
            return value

        return call

    def _libraryFunction(self, function):
        # For functions answering (True, results...) or (False, message):
        # the message is raised with luaL_error's position prefix.
        def call(*args):
            result = function(*args)
            if result[0] is False:
                raise LuaRaise(self._where() + result[1].encode("latin-1"))
            return result[1:]

        return call

    def _unwrap(self, error):
        if isinstance(error, LuaRaise):
            return error.value
        if not isinstance(error, AttributeError):
            # AttributeError is a script poking at an API function.
            _log.error("Unexpected error in a script's library call: {error!r}", error=error)
        return str(error).encode("utf-8", "replace")

    # -- Lua values ---------------------------------------------------------

    def table(self, items=None):
        """
        A new Lua table, from a Python L{list} (an array) or L{dict}.
        """
        if items is None:
            return self._lua.table()
        return self._lua.table_from(items)

    @property
    def null(self):
        """
        C{cjson.null}.
        """
        return self._null

    def _setNull(self, value):
        self._null = value

    # -- running ------------------------------------------------------------

    def scriptClient(self, caller):
        """
        The client scripts run commands as (Redis's C{lua_client}), on the
        caller's database.
        """
        client = self._client
        if client is None:
            client = self._client = Client(self.server)
            client.kind = "script"
            client.authenticated = True
            client.denyBlocking = True
            client.name = None
        client.select(caller.dbIndex)
        client.user = caller.user
        # Scripts run with their caller's permissions, as in Redis.
        client.aclUser = getattr(caller, "aclUser", client.aclUser)
        client.resp3 = False
        return client

    def compileScript(self, body):
        """
        Compile an EVAL script and add it to the cache.

        @return: C{(sha, entry)}.
        @raise CommandError: on a bad shebang or a syntax error.
        """
        sha = sha1hex(body)
        entry = self.scripts.get(sha)
        if entry is not None:
            return sha, entry
        flags, code, _ = parseShebang(body)
        function, message = self._compileCode(code, b"@user_script")
        if function is None:
            raise CommandError(errors.SCRIPT_COMPILE % (_text(message),))
        entry = self.scripts[sha] = (function, flags, body)
        return sha, entry

    def _compileCode(self, code, chunkname, forFunctions=False):
        result = self._compile(code, chunkname, forFunctions)
        if isinstance(result, tuple):
            return None, result[1]
        return result, None

    def evalScript(self, caller, argv, entry, sha, readOnly):
        """
        Run a cached script for EVAL/EVALSHA (and their _RO forms).
        """
        function, flags, _ = entry
        keys, args = _splitKeys(argv)
        if flags is not None:
            self._checkWriteFlag(caller, flags, readOnly)
        noWrites = readOnly or (flags is not None and "no-writes" in flags)
        run = Run(caller, sha.decode("ascii"), True, noWrites, flags, argv)
        return self._run(
            run, lambda: self._runEval(function, self.table(keys), self.table(args))
        )

    def _checkWriteFlag(self, caller, flags, readOnly):
        # Redis 7.0's scriptPrepareForRun: a script that may write (flagged
        # by a shebang or a function without no-writes) is refused up
        # front on a read-only replica and by the _RO commands.
        if "no-writes" in flags:
            return
        if self.server.readOnlyReplica and caller.kind != "master":
            raise CommandError(errors.SCRIPT_READONLY_REPLICA)
        if readOnly:
            raise CommandError(errors.SCRIPT_RO_WRITE_FLAG)

    def callFunction(self, caller, argv, function, readOnly):
        """
        Run FCALL/FCALL_RO.
        """
        keys, args = _splitKeys(argv)
        self._checkWriteFlag(caller, function.flags, readOnly)
        noWrites = readOnly or "no-writes" in function.flags
        run = Run(caller, function.name.decode("utf-8", "replace"), False, noWrites, function.flags, argv)
        callback = function.callback
        return self._run(
            run, lambda: self._runFunction(callback, self.table(keys), self.table(args))
        )

    def _run(self, run, execute):
        server = self.server
        client = self.scriptClient(run.caller)
        self.running = run
        outer = server.startPropagationBatch()
        try:
            result = execute()
        finally:
            self.running = None
            server.endPropagationBatch(outer)
            if run.busy:
                server.busyScript = None
                _log.warn("Slow script finished after {ms} milliseconds", ms=_elapsedMs(run))
        # The script's own commands were propagated above.
        run.caller.propagateAs = []
        if server.shutdownRequested:
            # SHUTDOWN NOSAVE stopped the script: Redis exits without
            # answering its caller.
            run.caller.closeAfterReply = True
            return NO_REPLY
        if not isinstance(result, tuple):
            result = (result,)
        ok = result[0]
        value = result[1] if len(result) > 1 else None
        if ok:
            return self.toReply(value, run.resp == 3, run.caller.resp3)
        return CommandError(_errorText(value, run.name))

    def toReply(self, value, scriptResp3, callerResp3):
        """
        Convert a script's return value to a reply (Redis's
        C{luaReplyToRedisReply}) for a caller's protocol.

        @param scriptResp3: the script switched to RESP3 with
            C{redis.setresp(3)}.
        @return: a L{Raw} reply, or a L{CommandError} for an error table.
        """
        data = self._toResp(value, scriptResp3, callerResp3)
        if data[:1] == b"-":
            return CommandError(data[1:-2].decode("latin-1"))
        return Raw(data)

    # -- the hook: time limit, kill, events while busy -----------------------

    def _hook(self):
        run = self.running
        if run is None:
            return None
        if not run.busy:
            if _elapsedMs(run) < self.server.config["lua-time-limit"]:
                return None
            run.busy = True
            self.server.busyScript = run
            _log.warn(
                "Slow script detected: still in execution after {ms} milliseconds. "
                "You can try killing the script using the {kill} command. "
                "Script name is: {name}.",
                ms=_elapsedMs(run),
                kill="SCRIPT KILL" if run.isEval else "FUNCTION KILL",
                name=run.name,
            )
        if not (run.killed or self.server.shutdownRequested):
            # Redis's processEventsWhileBlocked: serve other clients (they
            # get -BUSY) without running timers.
            doIteration = getattr(self.server.reactor, "doIteration", None)
            if doIteration is not None:
                doIteration(0)
        if run.killed or self.server.shutdownRequested:
            _log.warn("Lua script killed by user with SCRIPT KILL.")
            return self.table({b"err": errorTableText(errors.SCRIPT_KILLED)})
        return None

    def kill(self, isEval):
        """
        SCRIPT KILL / FUNCTION KILL.

        @return: the reply.
        """
        run = self.running
        if run is None or not run.busy:
            raise CommandError(errors.NOTBUSY)
        if run.wrote:
            raise CommandError(errors.UNKILLABLE)
        if isEval and not run.isEval:
            raise CommandError(errors.BUSY_FUNCTION)
        if not isEval and run.isEval:
            raise CommandError(errors.BUSY_SCRIPT)
        run.killed = True
        return None

    # -- the redis API --------------------------------------------------------

    def _call(self, raiseError, *args):
        run = self.running
        try:
            if run is None:
                raise ScriptError(errors.SCRIPT_CALL_OUTSIDE)
            if not args:
                raise ScriptError(errors.SCRIPT_NO_ARGUMENTS)
            argv = []
            for arg in args:
                t = type(arg)
                if t is bytes:
                    argv.append(arg)
                elif t is int or t is float:
                    argv.append(b"%.17g" % (arg,))
                else:
                    raise ScriptError(errors.SCRIPT_BAD_ARGUMENT)
            reply = self._execute(run, argv)
        except ScriptError as e:
            table = self.table({b"err": errorTableText(e.args[0]), b"ignore_error_stats_update": True})
            return table, raiseError
        if type(reply) is CommandError:
            table = self.table(
                {b"err": errorTableText(b"-" + _bytes(reply.message)), b"ignore_error_stats_update": True}
            )
            return table, raiseError
        return self.replyToLua(reply, run.resp == 3), False

    def _execute(self, run, argv):
        # Redis 7.0's scriptCall: its checks, in its order, then call().
        from txredisd import dispatch

        spec = COMMANDS.get(argv[0].lower())
        if spec is not None and spec.subcommands:
            if len(argv) > 1:
                sub = spec.subcommands.get(argv[1].lower())
                if sub is not None:
                    spec = sub
                elif spec.handler is None:
                    spec = None
        if spec is None:
            raise ScriptError(errors.SCRIPT_UNKNOWN_COMMAND)
        if not spec.minArgs <= len(argv) <= spec.maxArgs:
            raise ScriptError(errors.SCRIPT_WRONG_ARGS)
        flags = spec.flags
        if "noscript" in flags:
            raise ScriptError(errors.SCRIPT_NOT_ALLOWED)
        if "write" in flags:
            if run.readOnly:
                raise ScriptError(errors.SCRIPT_WRITE_READONLY)
            server = self.server
            if server.readOnlyReplica and run.caller.kind != "master":
                raise ScriptError("-" + errors.READONLY)
            run.wrote = True
        client = self._client
        client.resp3 = run.resp == 3
        batch = self.server.alsoPropagate
        before = len(batch) if batch is not None else 0
        reply = dispatch.call(client, spec, argv)
        if run.repl == REPL_NONE and batch is not None:
            del batch[before:]
        if hasattr(reply, "addCallback"):
            # A blocking command answers at once in a script.
            reply.cancel()
            reply = None
        return reply

    def _errorReply(self, *args):
        # Bad arguments give an error table back rather than raising, as
        # Redis's luaRedisErrorReplyCommand.
        message = args[0] if len(args) == 1 else None
        if type(message) is not bytes:
            return self.table({b"err": errorTableText(errors.SCRIPT_ERROR_REPLY_ARGS)}), False
        if not message.startswith(b"-"):
            message = b"-" + message
        return self.table({b"err": errorTableText(message)}), False

    def _statusReply(self, *args):
        message = args[0] if len(args) == 1 else None
        if type(message) is not bytes:
            return self.table({b"err": errorTableText(errors.SCRIPT_STATUS_REPLY_ARGS)}), False
        return self.table({b"ok": message}), False

    def _sha1hex(self, *args):
        if len(args) != 1:
            return self.table({b"err": errorTableText(errors.SCRIPT_WRONG_NUMBER)}), True
        value = args[0]
        if type(value) is not bytes:
            # lua_tolstring: numbers become text, anything else nothing.
            value = _luaToString(value) if type(value) in (int, float) else b""
        return sha1hex(value), False

    def _logCommand(self, *args):
        if len(args) < 2:
            return self.table({b"err": errorTableText(errors.SCRIPT_LOG_ARGS)}), True
        level = _toNumber(args[0])
        if int(level) not in _LOG_LEVELS:
            return self.table({b"err": errorTableText(errors.SCRIPT_LOG_LEVEL)}), True
        text = b" ".join(_luaToString(a) for a in args[1:] if type(a) in (bytes, int, float))
        getattr(_log, _LOG_LEVELS[int(level)])("{text}", text=text.decode("utf-8", "replace"))
        return None, False

    def _setresp(self, *args):
        if len(args) != 1:
            return self.table({b"err": errorTableText(errors.SCRIPT_SETRESP_ARGS)}), True
        version = _toNumber(args[0])
        if version not in (2, 3):
            return self.table({b"err": errorTableText(errors.SCRIPT_SETRESP_VERSION)}), True
        if self.running is not None:
            self.running.resp = int(version)
        return None, False

    def _setRepl(self, *args):
        if len(args) != 1:
            return self.table({b"err": errorTableText(errors.SCRIPT_SET_REPL_ARGS)}), True
        flags = _toNumber(args[0])
        if int(flags) & ~REPL_ALL:
            return self.table({b"err": errorTableText(errors.SCRIPT_SET_REPL_FLAGS)}), True
        if self.running is not None:
            self.running.repl = int(flags)
        return None, False

    def _aclCheckCmd(self, *args):
        if not args or type(args[0]) is not bytes:
            return self.table({b"err": errorTableText(errors.SCRIPT_ACL_CHECK)}), True
        if COMMANDS.get(args[0].lower()) is None:
            return self.table({b"err": errorTableText(errors.SCRIPT_ACL_CHECK)}), True
        # No ACL users yet: the default user may run everything.
        return True, False

    def _random(self, *args):
        # Redis replaces math.random with its own rand48 so scripts behave
        # the same on every platform (redis_math_random).
        self._rand = (0x5DEECE66D * self._rand + 0xB) & ((1 << 48) - 1)
        top = (1 << 31) - 1
        r = ((self._rand >> 17) % top) / top
        if not args:
            return True, r
        try:
            bounds = [int(_luaNumber(a)) for a in args]
        except (TypeError, ValueError):
            return False, "bad argument #1 to 'random' (number expected)"
        if len(bounds) == 1:
            if bounds[0] < 1:
                return False, "bad argument #1 to 'random' (interval is empty)"
            return True, math.floor(r * bounds[0]) + 1
        if len(bounds) == 2:
            low, high = bounds
            if low > high:
                return False, "bad argument #2 to 'random' (interval is empty)"
            return True, math.floor(r * (high - low + 1)) + low
        return False, "wrong number of arguments"

    def _randomseed(self, seed=None, *rest):
        try:
            seed = int(_luaNumber(seed)) & 0xFFFFFFFF
        except (TypeError, ValueError):
            return False, "bad argument #1 to 'randomseed' (number expected, got no value)"
        self._rand = (seed << 16) | 0x330E
        return (True,)

    # -- functions ------------------------------------------------------------

    def loadLibrary(self, code, replace=False):
        """
        FUNCTION LOAD: run a library's code so it registers its functions.

        @return: the library name.
        """
        library = self._createLibrary(code)
        existing = self.libraries.get(library.name)
        if existing is not None and not replace:
            raise CommandError(errors.FUNCTION_LIBRARY_EXISTS % (errors.safe(library.name),))
        self._install([library], existing=[existing] if existing else [])
        return library.name

    def _createLibrary(self, code):
        if not code.startswith(b"#!"):
            raise CommandError(errors.FUNCTION_NO_METADATA)
        flags, body, options = parseShebang(code, "library")
        name = None
        for option in options:
            if option.startswith(b"name="):
                name = option[5:]
            else:
                raise CommandError(errors.FUNCTION_BAD_METADATA % (errors.safe(option),))
        if name is None:
            raise CommandError(errors.FUNCTION_NO_NAME)
        if not _validName(name):
            raise CommandError(errors.FUNCTION_BAD_NAME)
        function, message = self._compileCode(body, b"@user_function", True)
        if function is None:
            raise CommandError(errors.FUNCTION_COMPILE % (_text(message),))
        library = Library(name, code)
        self._loading = library
        try:
            result = self._loadLibrary(function)
        finally:
            self._loading = None
        ok = result[0] if isinstance(result, tuple) else result
        if not ok:
            raise CommandError(errors.FUNCTION_REGISTER % (_text(_errField(result[1])),))
        if not library.functions:
            raise CommandError(errors.FUNCTION_NONE_REGISTERED)
        return library

    def _install(self, libraries, existing=()):
        # All or nothing: check every function name first.
        replaced = {lib.name for lib in existing}
        for library in libraries:
            for name in library.functions:
                owner = self.functions.get(name.lower())
                if owner is not None and owner.library.name not in replaced:
                    raise CommandError(errors.FUNCTION_EXISTS % (errors.safe(name),))
        for library in existing:
            self.deleteLibrary(library.name)
        for library in libraries:
            self.libraries[library.name] = library
            for name, function in library.functions.items():
                self.functions[name.lower()] = function
        self._librariesChanged()

    def deleteLibrary(self, name):
        """
        FUNCTION DELETE.
        """
        library = self.libraries.pop(name, None)
        if library is None:
            raise CommandError(errors.FUNCTION_LIBRARY_NOT_FOUND)
        for functionName in library.functions:
            self.functions.pop(functionName.lower(), None)
        self._librariesChanged()

    def flushLibraries(self):
        """
        FUNCTION FLUSH.
        """
        self.libraries = {}
        self.functions = {}
        self._librariesChanged()

    def _librariesChanged(self):
        # RDB snapshots save the libraries' sources with the keyspace.
        self.server.store.functionCodes = [library.code for library in self.libraries.values()]

    def restoreLibraries(self, codes, policy):
        """
        FUNCTION RESTORE of the library sources C{codes}.
        """
        libraries = [self._createLibrary(code) for code in codes]
        seen = set()
        for library in libraries:
            if library.name in seen:
                raise CommandError(errors.FUNCTION_LIBRARY_EXISTS % (errors.safe(library.name),))
            seen.add(library.name)
        if policy == b"flush":
            self.flushLibraries()
            existing = []
        else:
            existing = [self.libraries[lib.name] for lib in libraries if lib.name in self.libraries]
            if existing and policy == b"append":
                raise CommandError(errors.FUNCTION_RESTORE_EXISTS % (errors.safe(existing[0].name),))
        self._install(libraries, existing)

    def _registerFunction(self, *args):
        library = self._loading
        try:
            if library is None:
                raise ScriptError(errors.FUNCTION_REGISTER_OUTSIDE)
            flags, description = set(), None
            if len(args) == 1:
                name, callback, flags, description = self._registerArguments(args[0])
            elif len(args) == 2:
                name, callback = args
                if type(name) is not bytes:
                    raise ScriptError(errors.FUNCTION_REGISTER_FIRST)
                if not self._isFunction(callback):
                    raise ScriptError(errors.FUNCTION_REGISTER_SECOND)
            else:
                raise ScriptError(errors.FUNCTION_REGISTER_ARGS)
            if not _validName(name):
                raise ScriptError(errors.FUNCTION_BAD_NAME[4:])
            if name.lower() in {n.lower() for n in library.functions}:
                raise ScriptError(errors.FUNCTION_EXISTS[4:] % (errors.safe(name),))
        except ScriptError as e:
            return self.table({b"err": errorTableText(e.args[0])}), True
        library.functions[name] = Function(name, callback, flags, description, library)
        return None, False

    def _registerArguments(self, table):
        if lua51.lua_type(table) != "table":
            raise ScriptError(errors.FUNCTION_REGISTER_ARGS)
        name = callback = description = None
        flags = set()
        for key, value in table.items():
            if key == b"function_name":
                if type(value) is not bytes:
                    raise ScriptError(errors.FUNCTION_REGISTER_NAME_TYPE)
                name = value
            elif key == b"callback":
                if not self._isFunction(value):
                    raise ScriptError(errors.FUNCTION_REGISTER_CALLBACK_TYPE)
                callback = value
            elif key == b"flags":
                if lua51.lua_type(value) != "table":
                    raise ScriptError(errors.FUNCTION_REGISTER_FLAGS_TYPE)
                for flag in value.values():
                    if type(flag) is not bytes or flag.decode("latin-1") not in SCRIPT_FLAGS:
                        raise ScriptError(errors.FUNCTION_REGISTER_FLAG)
                    flags.add(flag.decode("latin-1"))
            elif key == b"description":
                if type(value) is not bytes:
                    raise ScriptError(errors.FUNCTION_REGISTER_DESCRIPTION_TYPE)
                description = value
            else:
                raise ScriptError(errors.FUNCTION_REGISTER_UNKNOWN)
        if name is None:
            raise ScriptError(errors.FUNCTION_REGISTER_NO_NAME)
        if callback is None:
            raise ScriptError(errors.FUNCTION_REGISTER_NO_CALLBACK)
        return name, callback, flags, description

    # -- conversions ------------------------------------------------------------

    def replyToLua(self, reply, resp3):
        """
        Convert a command's reply to a Lua value as Redis's
        C{redisProtocolToLuaType} does for the script's protocol.
        """
        t = type(reply)
        if t is bytes:
            return reply
        if t is int:
            return reply
        if t is list or t is tuple or t is Push:
            items = reply.items if t is Push else reply
            return self.table([self.replyToLua(item, resp3) for item in items])
        if t is Raw:
            if not reply:
                return None
            return self.replyToLua(parseReply(reply), resp3)
        if reply is None or reply is NULL_ARRAY:
            return None if resp3 else False
        if t is Status:
            return self.table({b"ok": reply.encode("latin-1")})
        if t is bool:
            return reply if resp3 else int(reply)
        if t is float:
            if resp3:
                return self.table({b"double": reply})
            return formatDouble(reply)
        if t is Map:
            if resp3:
                table = self.table()
                for key, value in reply.items:
                    table[self.replyToLua(key, resp3)] = self.replyToLua(value, resp3)
                return self.table({b"map": table})
            flat = []
            for key, value in reply.items:
                flat.append(self.replyToLua(key, resp3))
                flat.append(self.replyToLua(value, resp3))
            return self.table(flat)
        if t is Set:
            if resp3:
                table = self.table()
                for item in reply.items:
                    table[self.replyToLua(item, resp3)] = True
                return self.table({b"set": table})
            return self.table([self.replyToLua(item, resp3) for item in reply.items])
        if t is Verbatim:
            if resp3:
                inner = self.table({b"format": reply.format, b"string": reply.text})
                return self.table({b"verbatim_string": inner})
            return reply.text
        if isinstance(reply, CommandError):
            return self.table({b"err": errorTableText(b"-" + _bytes(reply.message))})
        if isinstance(reply, int):
            return int(reply)
        if t is bytearray or t is memoryview:
            return bytes(reply)
        raise TypeError("cannot convert %r for a script" % (reply,))


def parseReply(data):
    """
    Parse one pre-encoded reply (L{Raw}) back into reply values.
    """
    value, _ = _parseReply(bytes(data), 0)
    return value


def _parseReply(data, pos):
    end = data.index(b"\r\n", pos)
    kind, line = data[pos : pos + 1], data[pos + 1 : end]
    pos = end + 2
    if kind == b"+":
        return Status(line.decode("latin-1")), pos
    if kind == b"-":
        return CommandError(line.decode("latin-1")), pos
    if kind == b":":
        return int(line), pos
    if kind == b"$":
        n = int(line)
        if n < 0:
            return None, pos
        return data[pos : pos + n], pos + n + 2
    if kind == b"*":
        n = int(line)
        if n < 0:
            return NULL_ARRAY, pos
        items = []
        for _ in range(n):
            item, pos = _parseReply(data, pos)
            items.append(item)
        return items, pos
    if kind == b"_":
        return None, pos
    if kind == b"#":
        return line == b"t", pos
    if kind == b",":
        return float(line), pos
    raise ValueError("cannot parse reply %r" % (data,))


def _splitKeys(argv):
    # EVAL script numkeys key... arg...: validated by the handler.
    numkeys = int(argv[2])
    return argv[3 : 3 + numkeys], argv[3 + numkeys :]


def _errField(value):
    if lua51.lua_type(value) == "table":
        return value[b"err"] or b""
    return _luaToString(value)


def _errorText(value, name):
    """
    The error reply of a failed script (C{luaCallFunction}): the error's
    text, then where it happened.
    """
    if lua51.lua_type(value) != "table":
        text = _luaToString(value) if value is not None else b"execution failure"
        return "ERR Error running script %s, %s" % (name, _text(text)[:100])
    message = value[b"err"]
    message = _text(message) if type(message) is bytes else ""
    source, line = value[b"source"], value[b"line"]
    if source is not None and line is not None:
        message += " script: %s, on %s:%s." % (name, _text(_luaToString(source)), _text(_luaToString(line)))
    return message


def _luaToString(value):
    t = type(value)
    if t is bytes:
        return value
    if t is bool:
        return b"true" if value else b"false"
    if t is int:
        return b"%d" % (value,)
    if t is float:
        # Lua 5.1's tostring: %.14g.
        return b"%.14g" % (value,)
    if value is None:
        return b"nil"
    return str(value).encode("utf-8", "replace")


def _luaNumber(value):
    if type(value) in (int, float) and type(value) is not bool:
        return value
    if type(value) is bytes:
        return float(value)
    raise TypeError(value)


def _toNumber(value):
    # lua_tonumber: numbers, and strings that read as numbers; else 0.
    if type(value) in (int, float):
        return value
    if type(value) is bytes:
        try:
            return float(value) if not value.strip().isdigit() else int(value)
        except ValueError:
            return 0
    return 0


def _text(value):
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _bytes(text):
    return text.encode("latin-1", "replace") if isinstance(text, str) else text


def _validName(name):
    # Redis's functionsVerifyName: letters, digits and underscores.
    return bool(name) and all(c in _NAME_CHARS for c in name)


_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _elapsedMs(run):
    return int((time.monotonic() - run.start) * 1000)


def _denyAttributes(obj, name, isSetting):
    raise AttributeError("access denied")


def engine(server):
    """
    The server's L{ScriptEngine}, created on first use.
    """
    scripting = getattr(server, "scripting", None)
    if scripting is None:
        scripting = server.scripting = ScriptEngine(server)
    return scripting


