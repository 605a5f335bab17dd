"""
The command table as clients see it: C{COMMAND INFO}, C{COMMAND DOCS},
ACL categories and key specifications, all read from
L{txredisd.registry.COMMANDS}.

Redis 7.0 generates this from its C{src/commands/*.json}; here a command's
declaration says what it knows (flags, key positions, group, and optionally
C{keySpecs}, C{tips}, C{aclCategories}, C{docs}) and the rest is derived the
way Redis derives it (C{setImplicitACLCategories}, C{addReplyCommandInfo}).
"""

from txredisd.registry import ACL_CATEGORIES, FLAG_ORDER, HIDDEN_FLAGS, aclCategories
from txredisd.resp import Map, Set, Status

_FLAG_ORDER = tuple(f for f in FLAG_ORDER if f not in HIDDEN_FLAGS)

_KEY_FLAG_ORDER = (
    "RO",
    "RW",
    "OW",
    "RM",
    "access",
    "update",
    "insert",
    "delete",
    "not_key",
    "incomplete",
    "variable_flags",
)

def keySpec(flags, begin=1, lastKey=0, keyStep=1, limit=0, keyword=None, keyNum=None, notes=None, unknown=False):
    """
    One key specification, as a command declares it.

    @param flags: Redis's key-spec flags, space separated (C{"RW access
        update"}), spelled as C{COMMAND INFO} shows them.
    @param begin: the C{index} where the search begins, or with C{keyword}
        the C{startfrom} of a keyword search.
    @param keyword: L{bytes}: begin after this keyword (C{STREAMS}).
    @param lastKey: for a C{range}, the last key relative to C{begin}
        (negative: from the end); C{keyStep} and C{limit} as in Redis.
    @param keyNum: for a C{keynum} spec, C{(keynumidx, firstkey, keystep)}.
    @param notes: Redis's C{notes} text, if any.
    @param unknown: the keys cannot be found from the arguments alone
        (SORT's BY, GET and STORE): both searches are C{unknown}.
    @return: a L{dict}.
    """
    if unknown:
        return {"flags": tuple(flags.split()), "notes": notes, "begin": ("unknown",), "find": ("unknown",)}
    return {
        "flags": tuple(flags.split()),
        "notes": notes,
        "begin": ("keyword", keyword, begin) if keyword is not None else ("index", begin),
        "find": ("keynum",) + tuple(keyNum) if keyNum is not None else ("range", lastKey, keyStep, limit),
    }


_ARG_FLAG_ORDER = ("optional", "multiple", "multiple_token")


def arg(name, type, keySpecIndex=None, token=None, summary=None, since=None,
        deprecatedSince=None, flags="", args=()):
    """
    One argument of a command's C{COMMAND DOCS} C{arguments}, with Redis
    7.0's fields in the order C{addReplyCommandArgList} writes them.

    @param type: Redis's argument type (C{string}, C{integer}, C{key},
        C{pattern}, C{oneof}, C{block}, C{pure-token}, ...).
    @param flags: space separated: C{optional}, C{multiple},
        C{multiple_token}.
    @param args: the nested arguments of a C{oneof} or C{block}.
    @return: a L{Map}.
    """
    items = [(b"name", name.encode()), (b"type", type.encode())]
    if keySpecIndex is not None:
        items.append((b"key_spec_index", keySpecIndex))
    for field, value in ((b"token", token), (b"summary", summary), (b"since", since),
                         (b"deprecated_since", deprecatedSince)):
        if value is not None:
            items.append((field, value.encode()))
    if flags:
        given = flags.split()
        items.append((b"flags", Set([Status(f) for f in _ARG_FLAG_ORDER if f in given])))
    if type in ("oneof", "block"):
        items.append((b"arguments", list(args)))
    return Map(items)


def keySpecs(spec):
    """
    The key specifications of a command: its declared ones, or one derived
    from its legacy key positions (read-only commands access their keys,
    writing commands read and update them).

    @return: a L{list} of L{keySpec} L{dict}s.
    """
    if spec.keySpecs is not None:
        return spec.keySpecs
    if not spec.firstKey:
        return []
    flags = "RO access" if "readonly" in spec.flags else "RW update"
    last = spec.lastKey if spec.lastKey < 0 else spec.lastKey - spec.firstKey
    return [keySpec(flags, spec.firstKey, last, spec.step)]


def displayFlags(spec):
    """
    The command flags C{COMMAND INFO} shows, in Redis's order.
    """
    flags = set(spec.flags)
    if spec.getKeys is not None:
        flags.add("movablekeys")
    return [f for f in _FLAG_ORDER if f in flags]


def _keySpecReply(ks):
    items = []
    if ks["notes"] is not None:
        items.append((b"notes", ks["notes"].encode()))
    order = {f: i for i, f in enumerate(_KEY_FLAG_ORDER)}
    flags = sorted(ks["flags"], key=lambda f: order.get(f, len(order)))
    items.append((b"flags", Set([Status(f) for f in flags])))
    begin = ks["begin"]
    if begin[0] == "index":
        search = Map([(b"type", b"index"), (b"spec", Map([(b"index", begin[1])]))])
    elif begin[0] == "unknown":
        search = Map([(b"type", b"unknown"), (b"spec", Map([]))])
    else:
        search = Map(
            [
                (b"type", b"keyword"),
                (b"spec", Map([(b"keyword", begin[1]), (b"startfrom", begin[2])])),
            ]
        )
    items.append((b"begin_search", search))
    find = ks["find"]
    if find[0] == "range":
        fields = [(b"lastkey", find[1]), (b"keystep", find[2]), (b"limit", find[3])]
    elif find[0] == "unknown":
        fields = []
    else:
        fields = [(b"keynumidx", find[1]), (b"firstkey", find[2]), (b"keystep", find[3])]
    items.append((b"find_keys", Map([(b"type", find[0].encode()), (b"spec", Map(fields))])))
    return Map(items)


def commandInfo(spec):
    """
    A command's C{COMMAND INFO} entry, shaped as Redis 7.0's
    C{addReplyCommandInfo}: name, arity, flags, first key, last key, step,
    ACL categories, tips, key specs, subcommands.
    """
    return [
        spec.name.encode(),
        spec.arity,
        Set([Status(f) for f in displayFlags(spec)]),
        spec.firstKey,
        spec.lastKey,
        spec.step,
        Set([Status("@" + c) for c in aclCategories(spec)]),
        Set([t.encode() for t in spec.tips]),
        Set([_keySpecReply(ks) for ks in keySpecs(spec)]),
        # Redis answers an empty set, not an empty array, for no subcommands.
        [commandInfo(sub) for sub in spec.subcommands.values()] if spec.subcommands else Set([]),
    ]


def commandDocs(spec):
    """
    A command's C{COMMAND DOCS} map, with Redis's fields in Redis's order
    (C{addReplyCommandDocs}); the ones the declaration lacks are left out,
    as Redis leaves out the ones its JSON lacks.
    """
    docs = spec.docs
    items = []
    if spec.summary:
        items.append((b"summary", spec.summary.encode()))
    if spec.since:
        items.append((b"since", spec.since.encode()))
    items.append((b"group", spec.group.encode()))
    if docs.get("complexity"):
        items.append((b"complexity", docs["complexity"].encode()))
    if docs.get("doc_flags"):
        items.append((b"doc_flags", Set([Status(f) for f in docs["doc_flags"]])))
    for field in ("deprecated_since", "replaced_by"):
        if docs.get(field):
            items.append((field.encode(), docs[field].encode()))
    if docs.get("history"):
        items.append(
            (b"history", Set([[v.encode(), text.encode()] for v, text in docs["history"]]))
        )
    if docs.get("arguments"):
        items.append((b"arguments", list(docs["arguments"])))
    if spec.subcommands:
        items.append(
            (
                b"subcommands",
                Map([(sub.name.encode(), commandDocs(sub)) for sub in spec.subcommands.values()]),
            )
        )
    return Map(items)


def allSpecs(commands):
    """
    Every command and subcommand of the table, containers first.

    @param commands: L{txredisd.registry.COMMANDS}.
    @return: an iterator of L{txredisd.registry.CommandSpec}.
    """
    for spec in commands.values():
        yield spec
        yield from spec.subcommands.values()


def findSpec(commands, name):
    """
    A command by its full name (C{get}, C{config|get}), any case.

    @param name: L{bytes}.
    @return: the L{txredisd.registry.CommandSpec}, or L{None}.
    """
    parts = name.lower().split(b"|")
    if len(parts) > 2:
        return None
    spec = commands.get(parts[0])
    if spec is not None and len(parts) == 2:
        spec = spec.subcommands.get(parts[1])
    return spec
