"""
Unit tests of the server commands: INFO, CONFIG, COMMAND, TIME, FLUSHALL,
FLUSHDB, SWAPDB and DBSIZE, over an in-memory connection.
"""

from twisted.trial.unittest import SynchronousTestCase

from twisted.internet.address import IPv4Address

from txredisd.commands.lists import List
from txredisd.config import Config, ConfigError
from txredisd.info import InfoSections, bytesToHuman, estimateMemory
from tests.helpers import Connection, makeServer


class InfoTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def info(self, *args):
        raw = self.conn.call("INFO", *args)
        header, _, body = raw.partition(b"\r\n")
        self.assertEqual(int(header[1:]), len(body) - 2)
        return body[:-2]

    def test_keyspaceLines(self):
        """
        INFO keyspace has one C{dbN:keys=,expires=,avg_ttl=} line per
        non-empty database.
        """
        self.assertEqual(self.conn.call("INFO", "keyspace"), b"$12\r\n# Keyspace\r\n\r\n")
        self.conn.call("SET", "a", "1")
        self.conn.call("SELECT", "2")
        self.conn.call("SET", "b", "1")
        self.conn.client.db.setExpire(b"b", self.conn.server.store.now + 10000)
        self.assertEqual(
            self.info("keyspace"),
            b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=1,avg_ttl=10000\r\n",
        )

    def test_defaultSections(self):
        """
        Plain INFO prints Redis's default sections, separated by empty
        lines, and leaves out commandstats and latencystats.
        """
        text = self.info()
        headers = [line for line in text.split(b"\r\n") if line.startswith(b"#")]
        self.assertEqual(
            headers,
            [b"# Server", b"# Clients", b"# Memory", b"# Persistence", b"# Stats", b"# Replication",
             b"# CPU", b"# Modules", b"# Errorstats", b"# Cluster", b"# Keyspace"],
        )
        self.assertIn(b"\r\n\r\n# Clients\r\n", text)
        self.assertTrue(text.startswith(b"# Server\r\nredis_version:7.0.15\r\n"))

    def test_everything(self):
        """
        INFO all and everything add commandstats and latencystats.
        """
        for word in ("all", "everything", "ALL"):
            text = self.info(word)
            self.assertIn(b"# Commandstats\r\n", text)
            self.assertIn(b"# Latencystats\r\n", text)

    def test_selectedSectionsInOrder(self):
        """
        Named sections print once each, in Redis's order, whatever order and
        case they are asked in; unknown names print nothing.
        """
        text = self.info("KEYSPACE", "cpu", "nosuch", "cpu")
        self.assertTrue(text.startswith(b"# CPU\r\nused_cpu_sys:"))
        self.assertTrue(text.endswith(b"\r\n\r\n# Keyspace\r\n"))
        self.assertEqual(self.conn.call("INFO", "nosuch"), b"$0\r\n\r\n")

    def test_fields(self):
        """
        INFO shows the configured port, the keyspace counters, the dirty
        counter and the client counts.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("GET", "a")
        self.conn.call("GET", "zz")
        text = self.info("everything").decode()
        values = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
        self.assertEqual(values["tcp_port"], "6379")
        self.assertEqual(values["keyspace_hits"], "1")
        self.assertEqual(values["keyspace_misses"], "1")
        self.assertEqual(values["rdb_changes_since_last_save"], "1")
        self.assertEqual(values["connected_clients"], "1")
        self.assertEqual(values["blocked_clients"], "0")
        self.assertEqual(values["role"], "master")
        self.assertEqual(values["server_time_usec"], "1700000000000000")
        self.assertEqual(values["cmdstat_get"][:8], "calls=2,")
        self.assertIn("rejected_calls=0,failed_calls=0", values["cmdstat_get"])

    def test_uptime(self):
        """
        uptime_in_seconds follows the server's clock.
        """
        self.conn.server.clock.advance(90000)
        self.assertIn(b"uptime_in_seconds:90000\r\nuptime_in_days:1\r\n", self.info("server"))

    def test_commandAndErrorStats(self):
        """
        Commands refused before running count as rejected calls, commands
        failing in their handler as failed calls, and both in errorstats.
        """
        self.conn.call("GET")
        self.conn.call("CONFIG", "SET", "hz", "x")
        self.conn.call("NOSUCH")
        text = self.info("commandstats", "errorstats")
        self.assertIn(b"cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n", text)
        self.assertIn(b"rejected_calls=0,failed_calls=1\r\n", text)
        self.assertIn(b"cmdstat_config|set:calls=1,", text)
        self.assertIn(b"# Errorstats\r\nerrorstat_ERR:count=3\r\n", text)

    def test_resetstat(self):
        """
        CONFIG RESETSTAT zeroes the command, error and keyspace counters.
        """
        self.conn.call("GET", "missing")
        self.conn.call("NOSUCH")
        self.assertEqual(self.conn.call("CONFIG", "RESETSTAT"), b"+OK\r\n")
        text = self.info("everything")
        self.assertIn(b"keyspace_misses:0\r\n", text)
        self.assertIn(b"total_error_replies:0\r\n", text)
        self.assertIn(b"# Errorstats\r\n\r\n", text)
        self.assertNotIn(b"cmdstat_get", text)

    def test_resp3Verbatim(self):
        """
        Under RESP3, INFO is a verbatim string of format txt.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(self.conn.call("INFO", "nosuch"), b"=4\r\ntxt:\r\n")

    def test_instantaneousOps(self):
        """
        instantaneous_ops_per_sec averages the per-second command rate
        sampled by the cron.
        """
        server = self.conn.server
        server.start()
        self.addCleanup(server.stop)
        for _ in range(5):
            for _ in range(10):
                self.conn.call("PING")
            server.clock.advance(0.1)
        self.assertIn(b"instantaneous_ops_per_sec:100\r\n", self.info("stats"))

    def test_pluggableSections(self):
        """
        Other modules add fields to a section, replace one, or add their own
        section, and INFO prints them in place.
        """
        sections = self.conn.server.infoSections
        sections.add("replication", lambda server: [("extra_field", 7)])
        sections.add("persistence", lambda server: [("loading", 1)], replace=True)
        sections.add("mine", lambda server: [("a", b"b")])
        text = self.info("replication", "persistence", "mine")
        self.assertIn(b"repl_backlog_histlen:0\r\nextra_field:7\r\n", text)
        self.assertTrue(text.startswith(b"# Persistence\r\nloading:1\r\n\r\n# Replication\r\n"))
        self.assertTrue(text.endswith(b"\r\n\r\n# Mine\r\na:b\r\n"))
        self.assertIn(b"# Mine\r\n", self.info("everything"))

    def test_usesServerParts(self):
        """
        The persistence, replication and blocking parts of the server,
        when present, supply their own INFO fields and counts.
        """
        server = self.conn.server

        class Persistence:
            def info(self):
                return [("loading", 0), ("rdb_saves", 3)]

        class Master:
            syncFull = 2

            def info(self):
                return [("connected_slaves", 1)]

            def backlogInfo(self):
                return [("master_repl_offset", 42)]

        class Blocking:
            # Nothing waits to be served (main's BlockingManager API).
            ready = {}

            def blockedCount(self):
                return 5

            def isBlocked(self, client):
                return True

        server.persistence = Persistence()
        server.replication = Master()
        server.blocking = Blocking()
        server.config.path = "/etc/redis.conf"
        text = self.info("everything")
        self.assertIn(b"# Persistence\r\nloading:0\r\nrdb_saves:3\r\naof_enabled:0\r\n", text)
        self.assertIn(b"# Replication\r\nrole:master\r\nconnected_slaves:1\r\nmaster_repl_offset:42\r\n\r\n", text)
        self.assertIn(b"\r\nsync_full:2\r\n", text)
        self.assertIn(b"\r\nblocked_clients:5\r\n", text)
        self.assertIn(b"\r\nconfig_file:/etc/redis.conf\r\n", text)
        self.assertIn(b" flags=b ", self.conn.call("CLIENT", "INFO"))

    def test_selection(self):
        """
        InfoSections.select follows Redis's C{genInfoSectionDict}: default,
        all, everything and the module_list alias.
        """
        sections = InfoSections()
        for name in ("server", "modules", "commandstats"):
            sections.add(name, lambda server: [], selection="all" if name == "commandstats" else "default",
                         aliases=("module_list",) if name == "modules" else ())
        self.assertEqual(sections.select([]), ["server", "modules"])
        self.assertEqual(sections.select([b"module_list"]), ["modules"])
        self.assertEqual(sections.select([b"default", b"commandstats"]), ["server", "modules", "commandstats"])
        self.assertEqual(sections.select([b"everything"]), ["server", "modules", "commandstats"])

    def test_bytesToHuman(self):
        """
        Memory amounts are written as Redis's bytesToHuman writes them.
        """
        self.assertEqual(bytesToHuman(0), "0B")
        self.assertEqual(bytesToHuman(1023), "1023B")
        self.assertEqual(bytesToHuman(916480), "895.00K")
        self.assertEqual(bytesToHuman(6823936), "6.51M")
        self.assertEqual(bytesToHuman(25276063744), "23.54G")

    def test_memoryEstimateGrows(self):
        """
        The used_memory estimate grows with the data set.
        """
        before = estimateMemory(self.conn.server)
        for i in range(200):
            self.conn.call("SET", "key%d" % i, "x" * 1000)
        self.assertGreater(estimateMemory(self.conn.server) - before, 200 * 1000)


class ConfigTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def test_getExactKeepsSpelling(self):
        """
        CONFIG GET of an exact name answers it as it was asked; an alias
        answers the alias.
        """
        self.assertEqual(self.conn.call("CONFIG", "GET", "HZ"), b"*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n")
        self.assertEqual(self.conn.call("CONFIG", "GET", "slaveof"), b"*2\r\n$7\r\nslaveof\r\n$0\r\n\r\n")

    def test_getGlobs(self):
        """
        CONFIG GET patterns match names and aliases case-insensitively, with
        Redis's glob syntax, each parameter once.
        """
        self.assertEqual(
            self.conn.call("CONFIG", "GET", "LIST-max-*", "list-max-listpack-size"),
            b"*4\r\n$22\r\nlist-max-listpack-size\r\n$2\r\n-2\r\n$21\r\nlist-max-ziplist-size\r\n$2\r\n-2\r\n",
        )
        self.assertEqual(self.conn.call("CONFIG", "GET", "h[xz]"), b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n")
        self.assertEqual(self.conn.call("CONFIG", "GET", "nosuch*"), b"*0\r\n")

    def test_getResp3Map(self):
        """
        Under RESP3, CONFIG GET answers a map.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(self.conn.call("CONFIG", "GET", "hz"), b"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n")

    def test_setSeveral(self):
        """
        CONFIG SET applies several pairs and the server's config follows.
        """
        self.assertEqual(self.conn.call("CONFIG", "SET", "hz", "20", "maxmemory", "1mb"), b"+OK\r\n")
        self.assertEqual(self.conn.server.config["hz"], 20)
        self.assertEqual(self.conn.server.config["maxmemory"], 1024 * 1024)

    def test_setAllOrNothing(self):
        """
        When one value is refused, CONFIG SET changes nothing.
        """
        self.assertEqual(
            self.conn.call("CONFIG", "SET", "hz", "20", "maxmemory-policy", "bad"),
            b"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one "
            b"of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
            b"allkeys-lfu, allkeys-random, noeviction\r\n",
        )
        self.assertEqual(self.conn.server.config["hz"], 10)

    def test_setObserverRefusal(self):
        """
        A part of the server that refuses a new value (by raising
        ConfigError from its observer) makes CONFIG SET fail and restores
        every value it changed.
        """
        seen = []

        def observer(name, value):
            seen.append((name, value))
            if name == "maxmemory" and value == 5:
                raise ConfigError("Failed to apply")

        self.conn.server.config.observers.append(observer)
        self.assertEqual(
            self.conn.call("CONFIG", "SET", "hz", "30", "maxmemory", "5"),
            b"-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - Failed to apply\r\n",
        )
        self.assertEqual(self.conn.server.config["hz"], 10)
        self.assertEqual(self.conn.server.config["maxmemory"], 0)
        self.assertEqual(seen[-2:], [("maxmemory", 0), ("hz", 10)])

    def test_setErrors(self):
        """
        CONFIG SET's errors: unknown first, then immutable or duplicate,
        odd argument counts are a syntax error.
        """
        self.assertEqual(
            self.conn.call("CONFIG", "SET", "databases", "1", "nosuch", "1"),
            b"-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
        )
        self.assertEqual(
            self.conn.call("CONFIG", "SET", "hz", "1", "nosuch", "1"),
            b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
        )
        self.assertEqual(
            self.conn.call("CONFIG", "SET", "timeout", "1", "TIMEOUT", "2"),
            b"-ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter\r\n",
        )
        self.assertEqual(self.conn.call("CONFIG", "SET", "hz", "1", "x"), b"-ERR syntax error\r\n")

    def test_setMerges(self):
        """
        A parameter with a merge function combines the new part with its
        current value, as client-output-buffer-limit does.
        """
        parameter = self.conn.server.config.parameter("hz")
        parameter.merge = lambda current, new: current + new
        self.addCleanup(setattr, parameter, "merge", None)
        self.assertEqual(self.conn.call("CONFIG", "SET", "hz", "5"), b"+OK\r\n")
        self.assertEqual(self.conn.server.config["hz"], 15)

    def test_protected(self):
        """
        dir and dbfilename are protected: CONFIG SET refuses them unless
        enable-protected-configs allows it (yes, or local for loopback
        clients).
        """
        self.assertEqual(
            self.conn.call("CONFIG", "SET", "dir", "/tmp"),
            b"-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
        )
        config = Config()
        config.set("enable-protected-configs", b"local", startup=True)
        # Protected mode would turn the remote client away before it asks.
        config.set("protected-mode", b"no", startup=True)
        local = Connection(makeServer(config=config), peer=IPv4Address("TCP", "127.0.0.1", 5000))
        self.assertEqual(local.call("CONFIG", "SET", "dbfilename", "x.rdb"), b"+OK\r\n")
        remote = Connection(local.server, peer=IPv4Address("TCP", "192.0.2.7", 5000))
        self.assertEqual(remote.call("CONFIG", "SET", "dbfilename", "y.rdb")[:22], b"-ERR CONFIG SET failed")

    def test_rewriteWithoutFile(self):
        """
        CONFIG REWRITE without a config file says there is none.
        """
        self.assertEqual(
            self.conn.call("CONFIG", "REWRITE"), b"-ERR The server is running without a config file\r\n"
        )

    def test_help(self):
        """
        CONFIG HELP starts with Redis's usage line and ends with HELP.
        """
        reply = self.conn.call("CONFIG", "HELP")
        self.assertTrue(reply.startswith(b"*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"))
        self.assertTrue(reply.endswith(b"+HELP\r\n+    Prints this help.\r\n"))


class CommandTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def test_infoGet(self):
        """
        COMMAND INFO GET is Redis 7.0's entry: flags, positions, categories,
        tips and a derived key spec.
        """
        self.assertEqual(
            self.conn.call("COMMAND", "INFO", "get"),
            b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
            b"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"
            b"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
            b"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n"
            b"$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
        )

    def test_infoResp3(self):
        """
        Under RESP3, flags, categories, tips and key specs are sets and an
        entry without subcommands ends with an empty set.
        """
        self.conn.call("HELLO", "3")
        self.assertEqual(
            self.conn.call("COMMAND", "INFO", "ping", "nosuch"),
            b"*2\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n+@connection\r\n"
            b"~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n_\r\n",
        )

    def test_countAndBare(self):
        """
        COMMAND COUNT counts the top-level commands, and bare COMMAND
        describes each of them.
        """
        count = int(self.conn.call("COMMAND", "COUNT")[1:-2])
        self.assertTrue(self.conn.call("COMMAND").startswith(b"*%d\r\n*10\r\n" % (count,)))

    def test_listFilters(self):
        """
        COMMAND LIST filters by pattern (subcommands included) and ACL
        category, and knows no modules.
        """
        self.assertEqual(
            self.conn.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "command|get*"),
            b"*2\r\n$15\r\ncommand|getkeys\r\n$23\r\ncommand|getkeysandflags\r\n",
        )
        names = set(self.conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "KEYSPACE").split(b"\r\n")[2::2])
        self.assertTrue({b"dbsize", b"del", b"flushall", b"flushdb"} <= names)
        self.assertNotIn(b"get", names)
        self.assertNotIn(b"ping", names)
        self.assertEqual(self.conn.call("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), b"*0\r\n")
        self.assertEqual(self.conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT"), b"-ERR syntax error\r\n")

    def test_getkeys(self):
        """
        COMMAND GETKEYS finds the keys of a full command, with flags for
        GETKEYSANDFLAGS.
        """
        self.assertEqual(self.conn.call("COMMAND", "GETKEYS", "DEL", "a", "b"), b"*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        self.assertEqual(
            self.conn.call("COMMAND", "GETKEYSANDFLAGS", "GET", "k"),
            b"*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n",
        )
        self.assertEqual(
            self.conn.call("COMMAND", "GETKEYS", "PING", "x"), b"-ERR The command has no key arguments\r\n"
        )

    def test_docs(self):
        """
        COMMAND DOCS gives the summary, since, group, complexity and history
        from the table, and subcommands as a map.
        """
        self.assertEqual(
            self.conn.call("COMMAND", "DOCS", "dbsize", "nosuch"),
            b"*2\r\n$6\r\ndbsize\r\n*8\r\n$7\r\nsummary\r\n$50\r\nReturn the number of keys in the selected "
            b"database\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n"
            b"$4\r\nO(1)\r\n",
        )
        self.conn.call("HELLO", "3")
        reply = self.conn.call("COMMAND", "DOCS", "config")
        self.assertTrue(reply.startswith(b"%1\r\n$6\r\nconfig\r\n%5\r\n"))
        self.assertIn(b"$11\r\nsubcommands\r\n%5\r\n$10\r\nconfig|get\r\n%6\r\n", reply)
        self.assertIn(b"$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n7.0.0\r\n", reply)

    def test_unknownSubcommand(self):
        """
        COMMAND with an unknown subcommand points to COMMAND HELP.
        """
        self.assertEqual(
            self.conn.call("COMMAND", "FOO"), b"-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"
        )


class OtherServerCommandTests(SynchronousTestCase):
    def setUp(self):
        self.conn = Connection()

    def test_time(self):
        """
        TIME answers the clock's seconds and microseconds as bulk strings.
        """
        self.conn.server.clock.advance(0.25)
        self.assertEqual(self.conn.call("TIME"), b"*2\r\n$10\r\n1700000000\r\n$6\r\n250000\r\n")

    def test_flushAndDbsize(self):
        """
        FLUSHDB empties the selected database, FLUSHALL all of them, and
        DBSIZE counts keys; a bad mode is a syntax error.
        """
        self.conn.call("SET", "a", "1")
        self.conn.call("SELECT", "1")
        self.conn.call("SET", "b", "1")
        self.assertEqual(self.conn.call("DBSIZE"), b":1\r\n")
        self.assertEqual(self.conn.call("FLUSHDB", "ASYNC"), b"+OK\r\n")
        self.assertEqual(self.conn.call("DBSIZE"), b":0\r\n")
        self.conn.call("SELECT", "0")
        self.assertEqual(self.conn.call("DBSIZE"), b":1\r\n")
        self.assertEqual(self.conn.call("FLUSHALL", "bad"), b"-ERR syntax error\r\n")
        self.assertEqual(self.conn.call("FLUSHALL", "SYNC"), b"+OK\r\n")
        self.assertEqual(self.conn.call("DBSIZE"), b":0\r\n")


class SwapdbTests(SynchronousTestCase):
    """
    SWAPDB's effects on the keyspace, watching clients, blocked clients,
    the expiry cycle and propagation.
    """

    def setUp(self):
        self.server = makeServer()
        self.store = self.server.store
        self.conn = Connection(self.server)
        self.propagated = []
        self.server.propagators.append(lambda index, commands: self.propagated.extend(commands))

    def test_swapsKeysAndExpiry(self):
        """
        Keys, expiry times and the active expiry's heap move with the data;
        SWAPDB propagates as it came.
        """
        self.conn.call("SET", "a", "1", "PX", "100")
        now = self.store.now
        self.assertEqual(self.conn.call("SWAPDB", "0", "3"), b"+OK\r\n")
        self.assertEqual(self.conn.call("EXISTS", "a"), b":0\r\n")
        db3 = self.store.db(3)
        self.assertEqual(db3.getExpire(b"a"), now + 100)
        self.assertEqual(self.propagated[-1:], [[b"SWAPDB", b"0", b"3"]])
        self.store.now = now + 200
        self.assertEqual(self.store.activeExpireCycle(), 1)
        self.assertEqual(db3.size(), 0)

    def test_watchedKeys(self):
        """
        A watched key present in either database fails EXEC, one in neither
        does not; a key that had expired when watched and is then missing
        is no change (Redis 7.0's touchAllWatchedKeysInDb).
        """
        other = Connection(self.server)
        self.store.db(1).set(b"k", b"v")

        def execAfterSwap(key):
            other.call("WATCH", key)
            self.conn.call("SWAPDB", "0", "1")
            other.call("MULTI")
            return other.call("EXEC")

        self.assertEqual(execAfterSwap("k"), b"*-1\r\n")
        self.assertEqual(execAfterSwap("nowhere"), b"*0\r\n")
        self.store.db(0).flush()
        self.store.db(1).flush()
        self.conn.call("SET", "old", "v", "PX", "1")
        self.store.now += 10
        self.server.clock.advance(0.01)
        self.assertEqual(execAfterSwap("old"), b"*0\r\n")

    def test_wakesBlockedClients(self):
        """
        A client blocked on a key the swap brings into its database is
        served.
        """
        other = Connection(self.server)
        self.assertEqual(other.call("BLPOP", "l", "0"), b"")
        self.store.db(5).set(b"l", List([b"x"]))
        self.conn.call("SWAPDB", "5", "0")
        self.assertEqual(other.transport.value(), b"*2\r\n$1\r\nl\r\n$1\r\nx\r\n")
        self.assertEqual(self.store.db(5).size(), 0)

    def test_errors(self):
        """
        Non-numbers and numbers beyond an int are each index's own error;
        numbers out of the databases' range share one.
        """
        call = self.conn.call
        self.assertEqual(call("SWAPDB", "a", "b"), b"-ERR invalid first DB index\r\n")
        self.assertEqual(call("SWAPDB", "0", "2147483648"), b"-ERR invalid second DB index\r\n")
        self.assertEqual(call("SWAPDB", "0", "16"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.propagated, [])
