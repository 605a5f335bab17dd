"""
Replication: the master side (L{txredisd.replication.master}: replica
links, the backlog, offsets, WAIT) and the replica side
(L{txredisd.replication.replica}: the reconnecting link to a master).
"""
