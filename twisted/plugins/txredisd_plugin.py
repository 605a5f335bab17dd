"""
The twistd plugin: C{twistd -n redis}.
"""

from twisted.application.service import ServiceMaker

txredisd = ServiceMaker(
    "txredisd",
    "txredisd.tap",
    "A Redis 7 compatible in-memory data server.",
    "redis",
)
