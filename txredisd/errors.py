"""
Every error reply text the server sends, in one place.

Texts are Redis 7.0's, byte for byte; the leading C{-} of the RESP frame is
added by the encoder.  Sections are per command family so that families
can be added without touching each other's lines.
"""


class CommandError(Exception):
    """
    A command failed; the reply is the error text.

    @ivar message: the error text, starting with its code (C{ERR},
        C{WRONGTYPE}, ...), without the leading C{-}.
    """

    def __init__(self, message):
        Exception.__init__(self, message)
        self.message = message


class ProtocolError(Exception):
    """
    The client broke the request framing; the text follows
    C{ERR Protocol error: } in the reply, after which the connection closes.
    """


def safe(text):
    """
    Make client-supplied text safe to echo inside an error line.

    @param text: L{bytes} or L{str} from the client.
    @return: L{str} with CR and LF replaced by spaces, as Redis does.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.replace("\r", " ").replace("\n", " ")


# --- generic -----------------------------------------------------------------

SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
NO_SUCH_KEY = "ERR no such key"
OUT_OF_RANGE = "ERR index out of range"
DB_INDEX = "ERR DB index is out of range"
INVALID_DB_INDEX = NOT_INTEGER
NOT_POSITIVE = "ERR value is out of range, must be positive"
INVALID_EXPIRE = "ERR invalid expire time in '{}' command"
TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"
TIMEOUT_OUT_OF_RANGE = "ERR timeout is out of range"
PROTOCOL_PREFIX = "ERR Protocol error: "


def unknownCommand(argv):
    """
    The reply to a command name the table does not hold.

    @param argv: the request as L{bytes} arguments.
    """
    args = "".join("'%s' " % safe(a)[:128] for a in argv[1:])
    return "ERR unknown command '%s', with args beginning with: %s" % (
        safe(argv[0])[:128],
        args,
    )


def wrongArity(name):
    """
    The reply to a command with the wrong number of arguments.

    @param name: the command name as the table spells it (lower case,
        C{container|sub} for subcommands).
    """
    return "ERR wrong number of arguments for '%s' command" % (name,)


def unknownSubcommand(sub, container):
    """
    The reply to a subcommand the container does not know.
    """
    return "ERR unknown subcommand '%s'. Try %s HELP." % (
        safe(sub)[:128],
        container.upper(),
    )


# --- connection --------------------------------------------------------------

NOPROTO = "NOPROTO unsupported protocol version"
CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_SET = (
    "ERR AUTH <password> called without any password configured for the "
    "default user. Are you sure your configuration is correct?"
)
NO_SUCH_CLIENT = "ERR No such client"

# --- keys --------------------------------------------------------------------

SAME_OBJECT = "ERR source and destination objects are the same"
INVALID_CURSOR = "ERR invalid cursor"
INT_OUT_OF_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"
EXPIRE_UNSUPPORTED_OPTION = "ERR Unsupported option {}"
EXPIRE_NX_AND_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible"
LFU_NOT_SELECTED = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
    "Please note that when switching between policies at runtime LRU and LFU "
    "data will take some time to adjust."
)
LFU_SELECTED = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. "
    "Please note that when switching between policies at runtime LRU and LFU "
    "data will take some time to adjust."
)

# --- strings -----------------------------------------------------------------

STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"
DECREMENT_OVERFLOW = "ERR decrement would overflow"
LCS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_BIG = (
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)

# --- server ------------------------------------------------------------------

CONFIG_UNKNOWN_PARAM = "ERR Unknown option or number of arguments for CONFIG SET - '{}'"

# --- lists -------------------------------------------------------------------

# --- hashes ------------------------------------------------------------------

# --- sets --------------------------------------------------------------------

# --- sorted sets and geo -----------------------------------------------------

# --- streams -----------------------------------------------------------------

# --- transactions ------------------------------------------------------------

NO_MULTI = "ERR Command not allowed inside a transaction"
MULTI_NESTED = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
WATCH_INSIDE_MULTI = "ERR WATCH inside MULTI is not allowed"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."


def execAbort(message):
    """
    The reply when EXEC itself is rejected (Redis's C{execCommandAbort}):
    the transaction is discarded and the reason follows, without an
    C{ERR} code.

    @param message: the rejection's error text.
    """
    if message.startswith("ERR "):
        message = message[4:]
    return "EXECABORT Transaction discarded because of: " + message

# --- pub/sub -----------------------------------------------------------------

SUBSCRIBED_CONTEXT = (
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
    "PING / QUIT / RESET are allowed in this context"
)
NOTIFY_CLASSES = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
OBUF_ARGUMENTS = "Wrong number of arguments in buffer limit configuration."
OBUF_CLASS = "Invalid client class specified in buffer limit configuration."
OBUF_VALUES = "Error in hard, soft or soft_seconds setting in buffer limit configuration."


def pubsubSubcommandArgs(sub):
    """
    The reply to PUBSUB CHANNELS or SHARDCHANNELS with more than a pattern.

    @param sub: the subcommand as the client spelled it.
    """
    return "ERR unknown subcommand or wrong number of arguments for '%s'. Try PUBSUB HELP." % (
        safe(sub)[:128],
    )

# --- persistence -------------------------------------------------------------

BGSAVE_IN_PROGRESS = "ERR Background save already in progress"

# --- replication -------------------------------------------------------------

READONLY = "READONLY You can't write against a read only replica."

# --- scripting ---------------------------------------------------------------

NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL."
NUMKEYS_TOO_BIG = "ERR Number of keys can't be greater than number of args"
NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative"
BUSY_SCRIPT = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
NOTBUSY = "NOTBUSY No scripts in execution right now."
UNKILLABLE = (
    "UNKILLABLE Sorry the script already executed write commands against the dataset. "
    "You can either wait the script termination or kill the server in a hard way using "
    "the SHUTDOWN NOSAVE command."
)
SCRIPT_KILLED = "Script killed by user with SCRIPT KILL..."
SCRIPT_COMPILE = "ERR Error compiling script (new function): %s"
SCRIPT_SHEBANG_ENGINE = "ERR Unexpected engine in script shebang: %s"
SCRIPT_SHEBANG_FLAG = "ERR Unexpected flag in script shebang: %s"
SCRIPT_SHEBANG_OPTION = "ERR Unknown lua shebang option: %s"
SCRIPT_RO_WRITE_FLAG = "ERR Can not execute a script with write flag using *_ro command."
SCRIPT_READONLY_REPLICA = "READONLY Can not run script with write flag on readonly replica"
SCRIPT_FLUSH_MODE = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
# Texts scripts see in error tables (luaPushError adds the ERR code).
SCRIPT_CALL_OUTSIDE = "redis.call/pcall can only be called inside a script invocation"
SCRIPT_NO_ARGUMENTS = "Please specify at least one argument for this redis lib call"
SCRIPT_BAD_ARGUMENT = "Lua redis lib command arguments must be strings or integers"
SCRIPT_UNKNOWN_COMMAND = "Unknown Redis command called from script"
SCRIPT_WRONG_ARGS = "Wrong number of args calling Redis command from script"
SCRIPT_NOT_ALLOWED = "This Redis command is not allowed from script"
SCRIPT_WRITE_READONLY = "Write commands are not allowed from read-only scripts."
SCRIPT_ERROR_REPLY_ARGS = "wrong number or type of arguments"
SCRIPT_STATUS_REPLY_ARGS = "wrong number or type of arguments"
SCRIPT_WRONG_NUMBER = "wrong number of arguments"
SCRIPT_LOG_ARGS = "redis.log() requires two arguments or more."
SCRIPT_LOG_LEVEL = "Invalid debug level."
SCRIPT_SETRESP_ARGS = "redis.setresp() requires one argument."
SCRIPT_SETRESP_VERSION = "RESP version must be 2 or 3."
SCRIPT_SET_REPL_ARGS = "redis.set_repl() requires two arguments."
SCRIPT_SET_REPL_FLAGS = "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."
SCRIPT_ACL_CHECK = "Invalid command passed to redis.acl_check_cmd()"
FUNCTION_NOT_FOUND = "ERR Function not found"
FUNCTION_BAD_NUMKEYS = "ERR Bad number of keys provided"
FUNCTION_RESTORE_EXISTS = "ERR Library %s already exists"
FUNCTION_NO_METADATA = "ERR Missing library metadata"
FUNCTION_NO_NAME = "ERR Library name was not given"
FUNCTION_BAD_METADATA = "ERR Invalid metadata value given: %s"
FUNCTION_BAD_NAME = (
    "ERR Library names can only contain letters, numbers, or underscores(_) "
    "and must be at least one character long"
)
FUNCTION_LIBRARY_EXISTS = "ERR Library '%s' already exists"
FUNCTION_EXISTS = "ERR Function %s already exists"
FUNCTION_NONE_REGISTERED = "ERR No functions registered"
FUNCTION_COMPILE = "ERR Error compiling function: %s"
FUNCTION_REGISTER = "ERR Error registering functions: %s"
FUNCTION_LIBRARY_NOT_FOUND = "ERR Library not found"
FUNCTION_LIST_ARGUMENT = "ERR Unknown argument %s"
FUNCTION_LIST_NO_PATTERN = "ERR library name argument was not given"
FUNCTION_LOAD_OPTION = "ERR Unknown option given: %s"
FUNCTION_FLUSH_MODE = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"
FUNCTION_BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
FUNCTION_RESTORE_POLICY = "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
FUNCTION_RESTORE_BAD_DATA = "ERR given type is not a function"
FUNCTION_REGISTER_OUTSIDE = "redis.register_function can only be called on FUNCTION LOAD command"
FUNCTION_REGISTER_ARGS = "wrong number of arguments to redis.register_function"
FUNCTION_REGISTER_FIRST = "first argument to redis.register_function must be a string"
FUNCTION_REGISTER_SECOND = "second argument to redis.register_function must be a function"
FUNCTION_REGISTER_NAME_TYPE = "function_name argument given to redis.register_function must be a string"
FUNCTION_REGISTER_CALLBACK_TYPE = "callback argument given to redis.register_function must be a function"
FUNCTION_REGISTER_FLAGS_TYPE = "flags argument to redis.register_function must be a table representing function flags"
FUNCTION_REGISTER_FLAG = "unknown flag given"
FUNCTION_REGISTER_DESCRIPTION_TYPE = "description argument given to redis.register_function must be a string"
FUNCTION_REGISTER_UNKNOWN = "unknown argument given to redis.register_function"
FUNCTION_REGISTER_NO_NAME = "redis.register_function must get a function name argument"
FUNCTION_REGISTER_NO_CALLBACK = "redis.register_function must get a callback argument"

# --- acl and limits ----------------------------------------------------------
