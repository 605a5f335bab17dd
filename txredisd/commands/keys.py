"""
Generic key commands.
"""

from txredisd.registry import command


@command("del", -2, ["write"], 1, -1, 1, group="generic")
def delete(client, argv):
    db = client.db
    return sum(1 for key in argv[1:] if db.delete(key))
