"""
Conversion between the keyspace's value objects and the RDB codec's plain
values (see L{txredisd.persistence.rdb}).

A value class may define C{toPlain()} and a C{fromPlain(plain)}
classmethod; otherwise dict-like, set-like and sequence classes convert by
their constructors.
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
    for cls, name in store.TYPE_NAMES.items():
        if name == typeName:
            break
    else:
        raise KeyError(typeName)
    method = getattr(cls, "fromPlain", None)
    if method is not None:
        return method(plain)
    if issubclass(cls, dict):
        return cls(plain)
    return cls(plain)
