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
        Redis formats arguments with C{%s}: a NUL byte ends them, and
        other bytes pass through unchanged (latin-1 maps each byte to one
        character, which the reply encoder turns back into that byte).
    """
    if isinstance(text, bytes):
        text = text.split(b"\0", 1)[0].decode("latin-1")
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
# Shared by LMPOP, SINTERCARD, ZMPOP, ZINTERCARD and their kin.
NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
COUNT_NOT_POSITIVE = "ERR count should be greater than 0"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"


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
UNKNOWN_CLIENT_TYPE = "ERR Unknown client type '{}'"
INVALID_CLIENT_ID = "ERR Invalid client ID"
CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0"
NO_SUCH_USER = "ERR No such user '{}'"
UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
CLIENT_SUBCOMMAND_ARGS = "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP."
PROTOCOL_VERSION = "ERR Protocol version is not an integer or out of range"
HELLO_SYNTAX = "ERR Syntax error in HELLO option '{}'"
HELLO_NOAUTH = (
    "NOAUTH HELLO must be called with the client already authenticated, "
    "otherwise the HELLO AUTH <user> <pass> option can be used to "
    "authenticate the client and select the RESP protocol version at the same time"
)

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
# DUMP and RESTORE (FUNCTION RESTORE shares the payload check).
BUSYKEY = "BUSYKEY Target key name already exists."
DUMP_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_DATA_FORMAT = "ERR Bad data format"
RESTORE_TTL = "ERR Invalid TTL value, must be >= 0"
RESTORE_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
RESTORE_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"
# SWAPDB.
SWAPDB_FIRST = "ERR invalid first DB index"
SWAPDB_SECOND = "ERR invalid second DB index"

# --- sort --------------------------------------------------------------------

SORT_NOT_DOUBLE = "ERR One or more scores can't be converted into double"
SORT_BY_ACL = "ERR BY option of SORT denied due to insufficient ACL permissions."
SORT_GET_ACL = "ERR GET option of SORT denied due to insufficient ACL permissions."

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

# --- hyperloglog -------------------------------------------------------------

# Redis's isHLLObjectOrReply: a string that is not an HLL.
HLL_WRONGTYPE = "WRONGTYPE Key is not a valid HyperLogLog string value."
HLL_INVALID = "INVALIDOBJ Corrupted HLL object detected"
HLL_NO_KEY = "ERR The specified key does not exist"
HLL_NOT_SPARSE = "ERR HLL encoding is not sparse"


def hllUnknownDebug(name):
    """
    PFDEBUG's reply to a subcommand it does not know.
    """
    return "ERR Unknown PFDEBUG subcommand '%s'" % (safe(name),)


# --- bitmaps -----------------------------------------------------------------

BIT_OFFSET = "ERR bit offset is not an integer or out of range"
BIT_VALUE = "ERR bit is not an integer or out of range"
BITPOS_BIT = "ERR The bit argument must be 1 or 0."
BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key."
BITFIELD_TYPE = (
    "ERR Invalid bitfield type. Use something like i16 u8. "
    "Note that u64 is not supported but i64 is."
)
BITFIELD_OVERFLOW = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand"

# --- server ------------------------------------------------------------------

MAX_CLIENTS = "ERR max number of clients reached"
OOM = "OOM command not allowed when used memory > 'maxmemory'."
SLOWLOG_COUNT = "ERR count should be greater than or equal to -1"
PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL"
PAUSE_TIMEOUT = "ERR timeout is not an integer or out of range"
MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client"
SUBCOMMAND_ARGS = "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP."
SHUTDOWN_NO_SHUTDOWN = "ERR No shutdown in progress."
SHUTDOWN_ERRORS = "ERR Errors trying to SHUTDOWN. Check logs."
SHUTDOWN_DENY_BLOCKING = "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client"

CONFIG_UNKNOWN_PARAM = "ERR Unknown option or number of arguments for CONFIG SET - '{}'"
CONFIG_SET_FAILED = "ERR CONFIG SET failed (possibly related to argument '{}') - {}"
CONFIG_DUPLICATE = "duplicate parameter"
CONFIG_IMMUTABLE = "can't set immutable config"
CONFIG_PROTECTED = "can't set protected config"
CONFIG_NO_FILE = "ERR The server is running without a config file"
CONFIG_REWRITE_FAILED = "ERR Rewriting config file: {}"
COMMAND_INVALID = "ERR Invalid command specified"
COMMAND_NO_KEYS = "ERR The command has no key arguments"
COMMAND_BAD_ARITY = "ERR Invalid number of arguments specified for command"
COMMAND_BAD_ARGUMENTS = "ERR Invalid arguments specified for command"

# --- lists -------------------------------------------------------------------

RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
    "second ... or use negative to start from the end of the list"
)
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"

# --- hashes ------------------------------------------------------------------

HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
VALUE_NAN_OR_INFINITY = "ERR value is NaN or Infinity"
RANDOM_COUNT_RANGE = (
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
HRANDFIELD_RANGE = "ERR value is out of range"

# --- sets --------------------------------------------------------------------

NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args"

# --- sorted sets and geo -----------------------------------------------------

ZADD_XX_NX = "ERR XX and NX options at the same time are not compatible"
ZADD_GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible"
ZADD_INCR_PAIR = "ERR INCR option supports a single increment-element pair"
ZSET_NAN = "ERR resulting score is not a number (NaN)"
ZRANGE_NOT_FLOAT = "ERR min or max is not a float"
ZRANGE_NOT_LEX = "ERR min or max not valid string range item"
ZRANGE_LIMIT = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
ZRANGE_BYLEX_WITHSCORES = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
ZSET_WEIGHT = "ERR weight value is not a float"
ZRANDMEMBER_RANGE = (
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807"
)
ZRANDMEMBER_WITHSCORES_RANGE = "ERR value is out of range"
GEO_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI"
GEO_DECODE = "ERR could not decode requested zset member"


def zsetNoKeys(name):
    """
    The reply to ZUNION/ZINTER/ZDIFF and kin given no input key.
    """
    return "ERR at least 1 input key is needed for '%s' command" % (name,)


def geoPair(longitude, latitude):
    """
    The reply to coordinates outside Redis's geohash limits.
    """
    return "ERR invalid longitude,latitude pair %f,%f" % (longitude, latitude)

# --- streams -----------------------------------------------------------------

XADD_ID_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
XADD_ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0"
XADD_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items"
INVALID_STREAM_ID = "ERR Invalid stream ID specified as stream command argument"
INVALID_START_ID = "ERR invalid start ID for the interval"
INVALID_END_ID = "ERR invalid end ID for the interval"
XADD_MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0."
XADD_LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0."
MAXLEN_AND_MINID = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
LIMIT_WITHOUT_STRATEGY = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
XTRIM_WITHOUT_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy"
LIMIT_WITHOUT_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option"
XREAD_UNBALANCED = (
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
)
XREAD_GROUP_OPTION = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
XREAD_NOACK_OPTION = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
XREADGROUP_MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP"
XREADGROUP_NOGROUP = "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option"
XREADGROUP_DOLLAR = (
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
    "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ "
    "ID would just return an empty result set."
)
XREAD_GREATER = (
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
    "<consumer> option."
)
XREADGROUP_GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists"
XREADGROUP_KEY_GONE = "UNBLOCKED the stream key no longer exists"
NOGROUP_KEY_OR_GROUP = "NOGROUP No such key '{}' or consumer group '{}'"
NOGROUP_FOR_KEY = "NOGROUP No such consumer group '{}' for key name '{}'"
BUSYGROUP = "BUSYGROUP Consumer Group name already exists"
XGROUP_KEY_MISSING = (
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
    "to use the MKSTREAM option to create an empty stream automatically."
)
ENTRIESREAD_NEGATIVE = "ERR value for ENTRIESREAD must be positive or -1"
XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM"
XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM"
XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM"
XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
XCLAIM_UNRECOGNIZED = "ERR Unrecognized XCLAIM option '{}'"
XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
XAUTOCLAIM_COUNT = "ERR COUNT must be > 0"
XSETID_ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive"
XSETID_BELOW_MAX_DELETED_ARG = (
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
)
XSETID_BELOW_TOP = "ERR The ID specified in XSETID is smaller than the target stream top item"
XSETID_ENTRIES_ADDED_SMALL = (
    "ERR The entries_added specified in XSETID is smaller than the target stream length"
)
SUBCOMMAND_SYNTAX = "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP."

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
AOF_REWRITE_IN_PROGRESS = "ERR Background append only file rewriting already in progress"

# --- replication -------------------------------------------------------------

READONLY = "READONLY You can't write against a read only replica."
LOADING = "LOADING Redis is loading the dataset in memory"

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
FUNCTION_BAD_PAYLOAD = DUMP_PAYLOAD
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

HELLO_NOAUTH = (
    "NOAUTH HELLO must be called with the client already authenticated, "
    "otherwise the HELLO AUTH <user> <pass> option can be used to "
    "authenticate the client and select the RESP protocol version at the same time"
)
ACL_RULE_SYNTAX = "Syntax error"
ACL_UNKNOWN_NAME = "Unknown command or category name in ACL"
ACL_PATTERN_AFTER_ALLKEYS = (
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
    "valid and does not have any effect. Try 'resetkeys' to start with an "
    "empty list of patterns"
)
ACL_PATTERN_AFTER_ALLCHANNELS = (
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not "
    "valid and does not have any effect. Try 'resetchannels' to start with an "
    "empty list of channels"
)
ACL_NO_SUCH_PASSWORD = "The password you are trying to remove from the user does not exist"
ACL_BAD_HASH = (
    "The password hash must be exactly 64 characters and contain only "
    "lowercase hexadecimal characters"
)
ACL_FIRSTARG_OF_SUBCOMMAND = "Allowing first-arg of a subcommand is not supported"
ACL_USERNAME_SPACES = "ERR Usernames can't contain spaces or null characters"
ACL_DELETE_DEFAULT = "ERR The 'default' user cannot be removed"
ACL_NOPERM_KEY = "NOPERM this user has no permissions to access one of the keys used as arguments"
ACL_NOPERM_CHANNEL = "NOPERM this user has no permissions to access one of the channels used as arguments"
ACL_GENPASS_BITS = (
    "ERR ACL GENPASS argument must be the number of bits for the output "
    "password, a positive number up to 4096"
)
ACL_NO_FILE = (
    "ERR This Redis instance is not configured to use an ACL file. You may "
    "want to specify users via the ACL SETUSER command and then issue a "
    "CONFIG REWRITE (assuming you have a Redis configuration file set) in "
    "order to store users in the Redis configuration."
)
ACL_SAVE_FAILED = (
    "ERR There was an error trying to save the ACLs. Please check the server "
    "logs for more information"
)
PROTECTED_MODE = (
    "DENIED Redis is running in protected mode because protected mode is "
    "enabled and no password is set for the default user. In this mode "
    "connections are only accepted from the loopback interface. If you want "
    "to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting "
    "to Redis from the same host the server is running, however MAKE SURE "
    "Redis is not publicly accessible from internet if you do so. Use CONFIG "
    "REWRITE to make this change permanent. 2) Alternatively you can just "
    "disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the "
    "server. 3) If you started the server manually just for testing, restart "
    "it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the "
    "above things in order for the server to start accepting connections "
    "from the outside."
)


def aclSetUserError(op, reason):
    """
    The reply to an ACL SETUSER rule that is refused.
    """
    return "ERR Error in ACL SETUSER modifier '%s': %s" % (safe(op), reason)


def aclUnmatchedParenthesis(op):
    """
    The reply to an ACL SETUSER selector that is never closed.
    """
    return "ERR Unmatched parenthesis in acl selector starting at '%s'." % (safe(op),)


def aclNoPermCommand(name):
    """
    The reply to a command the user may not run.

    @param name: the command's full name (C{config|get}).
    """
    return "NOPERM this user has no permissions to run the '%s' command" % (name,)


def aclChangedInTransaction(result):
    """
    The reply when EXEC finds a queued command no longer allowed.

    @param result: L{txredisd.acl}'s C{DENIED_CMD} (1), C{DENIED_KEY} (2)
        or C{DENIED_CHANNEL} (4).
    """
    reason = {
        1: "no permission to execute the command or subcommand",
        2: "no permission to touch the specified keys",
        4: "no permission to access one of the channels used as arguments",
    }.get(result, "no permission")
    return (
        "NOPERM ACLs rules changed between the moment the transaction was "
        "accumulated and the EXEC call. This command is no longer allowed for "
        "the following reason: %s" % (reason,)
    )


def aclSubcommandSyntax(sub):
    """
    Redis's C{addReplySubcommandSyntaxError} for ACL.
    """
    return "ERR unknown subcommand or wrong number of arguments for '%s'. Try ACL HELP." % (
        safe(sub)[:128],
    )
