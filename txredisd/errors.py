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

# --- strings -----------------------------------------------------------------

STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"

# --- server ------------------------------------------------------------------

CONFIG_UNKNOWN_PARAM = "ERR Unknown option or number of arguments for CONFIG SET - '{}'"

# --- lists -------------------------------------------------------------------

RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
    "second ... or use negative to start from the end of the list"
)
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"
NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
COUNT_NOT_POSITIVE = "ERR count should be greater than 0"

# --- hashes ------------------------------------------------------------------

# --- sets --------------------------------------------------------------------

# --- sorted sets and geo -----------------------------------------------------

# --- streams -----------------------------------------------------------------

# --- transactions ------------------------------------------------------------

# --- pub/sub -----------------------------------------------------------------

# --- persistence -------------------------------------------------------------

# --- replication -------------------------------------------------------------

READONLY = "READONLY You can't write against a read only replica."

# --- scripting ---------------------------------------------------------------

# --- acl and limits ----------------------------------------------------------
