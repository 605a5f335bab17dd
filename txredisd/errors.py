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

# --- hashes ------------------------------------------------------------------

HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
VALUE_NAN_OR_INFINITY = "ERR value is NaN or Infinity"
RANDOM_COUNT_RANGE = (
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
HRANDFIELD_RANGE = "ERR value is out of range"

# --- sets --------------------------------------------------------------------

NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"

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
ZSET_LIMIT_NEGATIVE = "ERR LIMIT can't be negative"
NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0"
COUNT_POSITIVE = "ERR count should be greater than 0"
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

# --- scripting ---------------------------------------------------------------

# --- acl and limits ----------------------------------------------------------
