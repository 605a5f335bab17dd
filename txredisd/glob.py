"""
Glob patterns as Redis's C{stringmatchlen} matches them (KEYS, SCAN MATCH,
PSUBSCRIBE, CONFIG GET, ACL key patterns).

Redis's syntax: C{*}, C{?}, C{[abc]}, C{[^abc]}, C{[a-z]} (reversed ranges
allowed), C{\\x} for a literal C{x}; an unterminated class runs to the end of
the pattern.  Patterns are compiled to regular expressions once.
"""

import re
from functools import lru_cache


def _escape(byte):
    return re.escape(bytes((byte,)))


def _classMember(byte):
    return b"\\x%02x" % (byte,)


@lru_cache(maxsize=1024)
def compile(pattern):
    """
    @param pattern: a Redis glob (L{bytes}).
    @return: a compiled L{re.Pattern} matching whole byte strings.
    """
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == 0x2A:  # *
            while i + 1 < n and pattern[i + 1] == 0x2A:
                i += 1
            out.append(b".*")
        elif c == 0x3F:  # ?
            out.append(b".")
        elif c == 0x5B:  # [
            i += 1
            negate = i < n and pattern[i] == 0x5E
            if negate:
                i += 1
            members = []
            while i < n:
                c = pattern[i]
                if c == 0x5C and i + 1 < n:
                    members.append(_classMember(pattern[i + 1]))
                    i += 1
                elif c == 0x5D:
                    break
                elif i + 2 < n and pattern[i + 1] == 0x2D:
                    start, end = c, pattern[i + 2]
                    if start > end:
                        start, end = end, start
                    members.append(_classMember(start) + b"-" + _classMember(end))
                    i += 2
                else:
                    members.append(_classMember(c))
                i += 1
            if members:
                out.append(b"[" + (b"^" if negate else b"") + b"".join(members) + b"]")
            else:
                out.append(b"." if negate else b"(?!)")
        elif c == 0x5C and i + 1 < n:  # backslash
            i += 1
            out.append(_escape(pattern[i]))
        else:
            out.append(_escape(c))
        i += 1
    return re.compile(b"".join(out) + b"\\Z", re.DOTALL)


def match(pattern, subject):
    """
    @return: L{True} if the whole of C{subject} matches C{pattern}.
    """
    return compile(pattern).match(subject) is not None
