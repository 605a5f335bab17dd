"""
String commands.
"""

from txredisd.registry import command
from txredisd.resp import OK


@command("get", 2, ["readonly", "fast"], 1, 1, 1, group="string")
def get(client, argv):
    return client.db.getTyped(argv[1], bytes)


@command("set", -3, ["write", "denyoom"], 1, 1, 1, group="string")
def set_(client, argv):
    client.db.set(argv[1], argv[2])
    return OK
