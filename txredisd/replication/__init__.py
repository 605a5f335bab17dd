"""
Replication: the master side (L{txredisd.replication.master}: replica
links, the backlog, offsets, WAIT) and the replica side
(L{txredisd.replication.replica}: the reconnecting link to a master).
"""

from twisted.application import service


class ReplicationService(service.Service):
    """
    Sets up both sides of replication for a server and, when C{replicaof}
    is configured, starts following the master.
    """

    def __init__(self, server, reactor):
        from txredisd.replication.master import ReplicationMaster
        from txredisd.replication.replica import ReplicaOf

        self.server = server
        self.master = server.replication or ReplicationMaster(server)
        self.replicaOf = server.replicaOf or ReplicaOf(server, self.master, reactor)

    def startService(self):
        service.Service.startService(self)
        server = self.server
        persistence = server.persistence
        aux = getattr(persistence, "loadedAux", None) or {}
        target = server.config["replicaof"]
        if target is not None and b"repl-id" in aux and b"repl-offset" in aux:
            # Restarted replica: ask to continue where the saved file left off.
            self.master.replid = aux[b"repl-id"].decode("latin-1")
            self.master.offset = int(aux[b"repl-offset"])
            self.replicaOf._hasHistory = True
        self.master.start()
        if target is not None:
            self.replicaOf.follow(*target)

    def stopService(self):
        service.Service.stopService(self)
        self.replicaOf.stop()
        self.master.stop()
