"""
Redis's C{pqsort}: Bentley and McIlroy's quicksort (as in NetBSD's libc)
that only recurses into partitions overlapping a window of ranks.  It is
not stable, so what lands in the window, ties included, is Redis's answer
only if the same algorithm orders it: SORT ... LIMIT and GEOSEARCH ... COUNT
use it.
"""


def partialSort(items, compare, first, last):
    """
    Sort C{items} in place as Redis 7.0's C{pqsort} does (Bentley and
    McIlroy's quicksort as in NetBSD's libc, skipping the partitions that
    hold nothing of C{first..last}): what lands in that window, ties
    included, is what Redis answers.
    """
    _partialSort(items, compare, 0, len(items), first, last)


def _partialSort(items, compare, low, count, first, last):
    while True:
        if count < 7:
            _insertionSort(items, compare, low, count)
            return
        middle = low + count // 2
        if count > 7:
            left, right = low, low + count - 1
            if count > 40:
                step = count // 8
                left = _median(items, compare, left, left + step, left + 2 * step)
                middle = _median(items, compare, middle - step, middle, middle + step)
                right = _median(items, compare, right - 2 * step, right - step, right)
            middle = _median(items, compare, left, middle, right)
        items[low], items[middle] = items[middle], items[low]
        pivot = items[low]
        # [low+1, a): equal to the pivot; [a, b): less; (c, d]: greater;
        # (d, end): equal, as Bentley and McIlroy's split-end partition.
        a = b = low + 1
        c = d = low + count - 1
        while True:
            while b <= c:
                order = compare(items[b], pivot)
                if order > 0:
                    break
                if order == 0:
                    items[a], items[b] = items[b], items[a]
                    a += 1
                b += 1
            while b <= c:
                order = compare(items[c], pivot)
                if order < 0:
                    break
                if order == 0:
                    items[c], items[d] = items[d], items[c]
                    d -= 1
                c -= 1
            if b > c:
                break
            items[b], items[c] = items[c], items[b]
            b += 1
            c -= 1
        # NetBSD's switch to an insertion sort after a partition without
        # swaps is not in Redis 7.0's copy (measured: it changes ties).
        end = low + count
        size = min(a - low, b - a)
        _swapRanges(items, low, b - size, size)
        size = min(d - c, end - d - 1)
        _swapRanges(items, b, end - size, size)
        size = b - a
        if size > 1 and _overlaps(low, size, first, last):
            _partialSort(items, compare, low, size, first, last)
        size = d - c
        if size > 1:
            low, count = end - size, size
            if _overlaps(low, count, first, last):
                continue
        return


def _overlaps(low, count, first, last):
    # pqsort's test on the partition's first and last bytes, in elements.
    high = low + count - 1
    return not ((first < low and last < low) or (first > high and last > high))


def _insertionSort(items, compare, low, count):
    for i in range(low + 1, low + count):
        j = i
        while j > low and compare(items[j - 1], items[j]) > 0:
            items[j - 1], items[j] = items[j], items[j - 1]
            j -= 1


def _median(items, compare, a, b, c):
    if compare(items[a], items[b]) < 0:
        if compare(items[b], items[c]) < 0:
            return b
        return c if compare(items[a], items[c]) < 0 else a
    if compare(items[b], items[c]) > 0:
        return b
    return a if compare(items[a], items[c]) < 0 else c


def _swapRanges(items, a, b, count):
    for i in range(count):
        items[a + i], items[b + i] = items[b + i], items[a + i]
