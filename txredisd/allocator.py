"""
Keeping the C allocator's footprint close to what Python uses, so that the
resident size follows the estimate C{maxmemory} is enforced on (Redis gets
this from jemalloc's purging).

Both functions do nothing where the C library is not glibc.
"""

import ctypes
import ctypes.util
import sys

_M_MMAP_THRESHOLD = -3


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt
        libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


def fixMmapThreshold():
    """
    Fix glibc's mmap threshold at its default (128 KiB).

    glibc raises the threshold each time a large block is freed, after
    which large blocks (dict tables, key lists) come from the heap, where
    the holes they leave are kept: under the churn of eviction the process
    then holds far more than it uses.  A fixed threshold gives every large
    block back to the system when freed.

    @return: L{True} if the threshold was set.
    """
    if _LIBC is None:
        return False
    return bool(_LIBC.mallopt(_M_MMAP_THRESHOLD, 128 * 1024))


def trim():
    """
    Give the free pages of the C heap back to the system (C{malloc_trim}).

    @return: L{True} if memory was released.
    """
    if _LIBC is None:
        return False
    return bool(_LIBC.malloc_trim(0))
