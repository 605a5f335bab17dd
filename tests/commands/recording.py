"""
A test mixin recording what commands notify and propagate.
"""

from txredisd.store import encodingOf
from tests.helpers import Connection


class RecordingMixin:
    """
    Sets up C{self.conn}, a L{Connection} whose server records keyspace
    notifications in C{self.events} (C{(typeFlag, event, key)}) and the
    commands it propagates in C{self.propagated}.
    """

    def setUp(self):
        self.conn = Connection()
        self.server = self.conn.server
        self.store = self.server.store
        self.events = []
        self.propagated = []
        self.store.notifier = lambda flag, event, key, index: self.events.append((flag, event, key))
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))

    def call(self, *args):
        return self.conn.call(*args)

    def value(self, key):
        """
        @return: the value at C{key} in database 0, without touching it.
        """
        return self.conn.server.store.db(0).data.get(key)

    def encoding(self, key):
        """
        @return: the OBJECT ENCODING of the value at C{key}.
        """
        return encodingOf(self.value(key))
