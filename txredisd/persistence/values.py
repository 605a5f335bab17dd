"""
Conversion between the keyspace's value objects and the RDB codec's plain
values (see L{txredisd.persistence.rdb}).

A value class may define C{toPlain()} and a C{fromPlain(plain)}
classmethod; otherwise dict-like, set-like and sequence classes convert by
their constructors.  A class whose encoding depends on the configuration
may also define a C{fromDump(plain, config, packed)} classmethod (see
L{fromDump}).
"""

from txredisd import store


def toPlain(value):
    """
    @return: C{(typeName, plain)} for a keyspace value.
    """
    cls = type(value)
    if cls is bytes:
        return b"string", value
    name = store.TYPE_NAMES[cls]
    method = getattr(value, "toPlain", None)
    if method is not None:
        return name, method()
    if isinstance(value, dict):
        return name, list(value.items())
    return name, list(value)


def fromPlain(typeName, plain):
    """
    @return: a keyspace value for a plain value of type C{typeName}.
    @raise KeyError: no class holds that type in this server.
    """
    if typeName == b"string":
        return plain
    method = getattr(_classOf(typeName), "fromPlain", None)
    if method is not None:
        return method(plain)
    return _classOf(typeName)(plain)


def _classOf(typeName):
    for cls, name in store.TYPE_NAMES.items():
        if name == typeName:
            return cls
    raise KeyError(typeName)


def fromDump(typeName, plain, config, packed):
    """
    A keyspace value for a plain value read from a dump, encoded as Redis's
    C{rdbLoadObject} encodes it with the server's configuration.

    @param config: the server's L{txredisd.config.Config}.
    @param packed: L{True} if the dump held a compact encoding (intset,
        listpack, ziplist), which Redis keeps unless it holds too many
        elements, whatever their lengths.
    @raise ValueError: the value is invalid for its encoding.
    """
    if typeName != b"string":
        method = getattr(_classOf(typeName), "fromDump", None)
        if method is not None:
            return method(plain, config, packed)
    return fromPlain(typeName, plain)
