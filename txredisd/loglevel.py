"""
redis.conf's C{loglevel} for txredisd's own log events.

Every txredisd L{Logger} publishes through L{observer}, which passes on to
Twisted's global log publisher only the events at or above the level
C{loglevel} names, as Redis's C{serverLog} drops messages below
C{server.verbosity}.  Twisted's own events are not filtered: they are the
framework's, not the server's.
"""

from twisted.logger import ILogObserver, LogLevel, globalLogPublisher
from zope.interface import implementer

#: Twisted's levels, lowest first.
_ORDER = {
    LogLevel.debug: 0,
    LogLevel.info: 1,
    LogLevel.warn: 2,
    LogLevel.error: 3,
    LogLevel.critical: 4,
}

#: Redis's levels and the lowest of Twisted's each lets through (Redis's
#: notices are our info events); C{nothing} lets nothing through.
LEVELS = {
    b"debug": 0,
    b"verbose": 0,
    b"notice": 1,
    b"warning": 2,
    b"nothing": len(_ORDER),
}


@implementer(ILogObserver)
class LevelFilter:
    """
    Pass on the events at or above a Redis log level.

    @ivar lowest: the order (see L{_ORDER}) of the lowest level passed on.
    """

    def __init__(self, publisher):
        self._publisher = publisher
        self.lowest = LEVELS[b"notice"]

    def setLevel(self, name):
        """
        @param name: a C{loglevel} value, such as C{b"warning"}.
        """
        self.lowest = LEVELS[name]

    def __call__(self, event):
        if _ORDER.get(event.get("log_level"), 1) >= self.lowest:
            self._publisher(event)


#: The observer of every txredisd logger.
observer = LevelFilter(globalLogPublisher)
