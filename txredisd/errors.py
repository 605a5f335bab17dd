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
