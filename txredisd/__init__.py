"""
txredisd: a Redis-compatible in-memory data server on Twisted.

The server speaks RESP2 and RESP3, keeps its keyspace in memory and behaves
as Redis 7.0 does for the commands it implements.
"""

__version__ = "0.1.0"

# The Redis release whose behaviour we match; clients read it from INFO and
# HELLO to decide which commands they may send.
redisVersion = "7.0.15"
