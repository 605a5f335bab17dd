"""
Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and
PUBSUB.  The subscriptions themselves live in L{txredisd.pubsub}.
"""

from txredisd import errors, glob
from txredisd.errors import CommandError
from txredisd.pubsub import CHANNELS, PATTERNS, SHARD_CHANNELS
from txredisd.registry import command, container
from txredisd.resp import Status

_SUBSCRIBE = ["pubsub", "noscript", "loading", "stale"]
_INTROSPECT = ["pubsub", "loading", "stale"]


def _denyBlocking(client, name, inMultiAllowed=True):
    # A client that expects one reply per command cannot subscribe (Redis
    # lets SUBSCRIBE and PSUBSCRIBE through inside MULTI for backward
    # compatibility, not SSUBSCRIBE).
    if client.denyBlocking and not (inMultiAllowed and client.multi is not None):
        raise CommandError("ERR %s isn't allowed for a DENY BLOCKING client" % (name,))


@command("subscribe", -2, _SUBSCRIBE, group="pubsub")
def subscribe(client, argv):
    _denyBlocking(client, "SUBSCRIBE")
    return client.server.pubsub.subscribe(client, CHANNELS, argv[1:])


@command("psubscribe", -2, _SUBSCRIBE, group="pubsub")
def psubscribe(client, argv):
    _denyBlocking(client, "PSUBSCRIBE")
    return client.server.pubsub.subscribe(client, PATTERNS, argv[1:])


@command("ssubscribe", -2, _SUBSCRIBE, 1, -1, 1, group="pubsub")
def ssubscribe(client, argv):
    _denyBlocking(client, "SSUBSCRIBE", inMultiAllowed=False)
    return client.server.pubsub.subscribe(client, SHARD_CHANNELS, argv[1:])


@command("unsubscribe", -1, _SUBSCRIBE, group="pubsub")
def unsubscribe(client, argv):
    return client.server.pubsub.unsubscribe(client, CHANNELS, argv[1:])


@command("punsubscribe", -1, _SUBSCRIBE, group="pubsub")
def punsubscribe(client, argv):
    return client.server.pubsub.unsubscribe(client, PATTERNS, argv[1:])


@command("sunsubscribe", -1, _SUBSCRIBE, 1, -1, 1, group="pubsub")
def sunsubscribe(client, argv):
    return client.server.pubsub.unsubscribe(client, SHARD_CHANNELS, argv[1:])


@command("publish", 3, ["pubsub", "loading", "stale", "fast", "may_replicate"], group="pubsub")
def publish(client, argv):
    client.server.propagateToReplicas(client.dbIndex, [argv])
    return client.server.pubsub.publish(argv[1], argv[2])


@command("spublish", 3, ["pubsub", "loading", "stale", "fast", "may_replicate"], 1, 1, 1, group="pubsub")
def spublish(client, argv):
    client.server.propagateToReplicas(client.dbIndex, [argv])
    return client.server.pubsub.publishShard(argv[1], argv[2])


container("pubsub", -2, group="pubsub")


def _channels(argv, table):
    # CHANNELS and SHARDCHANNELS take one optional pattern.
    if len(argv) > 3:
        raise CommandError(errors.pubsubSubcommandArgs(argv[1]))
    if len(argv) == 2:
        return list(table)
    pattern = argv[2]
    return [channel for channel in table if glob.match(pattern, channel)]


def _numsub(argv, table):
    reply = []
    for channel in argv[2:]:
        reply.append(channel)
        reply.append(len(table.get(channel, ())))
    return reply


def _introspection(name, answer, attribute):
    # CHANNELS/NUMSUB and their shard twins differ only in the table read.
    def handler(client, argv):
        return answer(argv, getattr(client.server.pubsub, attribute))

    command("pubsub|" + name, -2, _INTROSPECT, group="pubsub")(handler)


_introspection("channels", _channels, "channels")
_introspection("shardchannels", _channels, "shardChannels")
_introspection("numsub", _numsub, "channels")
_introspection("shardnumsub", _numsub, "shardChannels")


@command("pubsub|numpat", 2, _INTROSPECT, group="pubsub")
def pubsubNumpat(client, argv):
    return len(client.server.pubsub.patterns)


_HELP = [
    Status(line)
    for line in (
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    )
]


@command("pubsub|help", 2, ["loading", "stale"], group="pubsub")
def pubsubHelp(client, argv):
    return _HELP
