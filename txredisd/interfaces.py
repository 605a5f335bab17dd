"""
The seams between the server's parts, as zope interfaces.
"""

from zope.interface import Attribute, Interface


class IDatabase(Interface):
    """
    One numbered database: keys, their values and their expiry times.

    Values are Python objects whose type tells the Redis type: L{bytes} for
    strings; collection families register their classes with
    L{txredisd.store.registerType}.  Expiry times are absolute
    milliseconds.  Every read goes through lazy expiry.
    """

    index = Attribute("The database number.")
    data = Attribute("The dict of keys to values (reactor thread only).")
    expires = Attribute("The dict of keys to absolute expiry milliseconds.")

    def get(key):
        """
        Read a key for a read command (counts a keyspace hit or miss).

        @return: the value, or L{None} if the key is missing or expired.
        """

    def getForWrite(key):
        """
        Read a key for a write command (no hit/miss accounting).
        """

    def getTyped(key, cls, write=False):
        """
        Read a key whose value must be of type C{cls}.

        @raise txredisd.errors.CommandError: WRONGTYPE.
        @return: the value or L{None}.
        """

    def set(key, value, keepTTL=False, signal=True):
        """
        Store C{value} under C{key}, dropping its expiry unless C{keepTTL}.

        @param signal: L{False} for a change Redis makes without
            C{signalModifiedKey} or C{server.dirty}: no change is counted
            and WATCH does not see it.
        """

    def getStrings(keys):
        """
        L{get} several keys at once, if none of them holds anything but a
        string and none has expired.

        @param keys: a L{list} of keys.
        @return: their values (L{bytes} or L{None}), hits and misses
            counted as L{get} counts them; or L{None}, having changed
            nothing, when the keys must be read one by one.
        """

    def setMany(keys, values):
        """
        L{set} each key to its value in turn (dropping their expiry): the
        last value of a repeated key wins.

        @param keys: a L{list} of keys.
        @param values: an iterable of as many values.
        """

    def delete(key):
        """
        @return: L{True} if the key existed.
        """

    def exists(key):
        """
        @return: L{True} if the key exists and has not expired.
        """

    def modified(key, changes=1):
        """
        Record an in-place change of C{key}'s value (for WATCH, the dirty
        counter and persistence).
        """

    def setExpire(key, when):
        """
        Set the absolute expiry time of an existing key in milliseconds.
        """

    def getExpire(key):
        """
        @return: the absolute expiry time in milliseconds, or L{None}.
        """

    def persist(key):
        """
        Remove the key's expiry.

        @return: L{True} if it had one.
        """

    def randomKey():
        """
        @return: a random live key, or L{None} when empty.
        """

    def size():
        """
        @return: the number of keys (including not yet collected expired ones).
        """

    def flush():
        """
        Remove every key.

        @return: the number of keys removed.
        """

    def isExpired(key):
        """
        @return: L{True} if C{key} is held but its time has passed, without
            removing it.
        """


class IStore(Interface):
    """
    The keyspace: the numbered databases and what spans them.
    """

    now = Attribute(
        "The current time in milliseconds, stamped once per command so that "
        "a command sees one consistent time."
    )
    dirty = Attribute("Changes since the last save.")
    databases = Attribute("The list of L{IDatabase} providers.")

    def db(index):
        """
        @return: the L{IDatabase} numbered C{index}.
        """

    def flushAll():
        """
        Empty every database.

        @return: the number of keys removed.
        """

    def activeExpireCycle(timeLimit):
        """
        Remove keys whose time has passed, for at most C{timeLimit} seconds.

        @return: the number of keys removed.
        """

    def watch(client, index, key):
        """
        Mark C{client} dirty (C{client.watchDirty}) when C{key} of database
        C{index} is next modified.
        """

    def unwatchAll(client):
        """
        Forget every key C{client} watches.
        """

    def watchedKeyExpired(client):
        """
        @return: L{True} if a key C{client} watches expired after it was
            watched (EXEC then fails, as in Redis 7.0).
        """

    def notify(typeFlag, event, key, index):
        """
        Report a keyspace event (for keyspace notifications).
        """


class IClient(Interface):
    """
    What a command handler knows of the client that called it.
    """

    id = Attribute("The client's id (CLIENT ID).")
    server = Attribute("The L{txredisd.server.RedisServer}.")
    db = Attribute("The selected L{IDatabase}.")
    resp3 = Attribute("L{True} once HELLO 3 was accepted.")
    aclUser = Attribute(
        "The L{txredisd.acl.User} whose permissions apply; its name is in C{user}."
    )
    authenticated = Attribute("L{True} once AUTH or HELLO AUTH succeeded (or none was needed).")

    def select(index):
        """
        Select database C{index}.
        """

    def push(reply):
        """
        Send a reply outside request/response order (pub/sub, blocked
        commands served later).
        """

    def close():
        """
        Disconnect once pending replies are written.
        """
