"""
CRC64 (Redis's Jones polynomial) and LZF, from C libraries when installed,
with pure-Python fallbacks that give the same results.
"""

_POLY = 0x95AC9329AC4BC9B5  # 0xad93d23594c935a9 reflected


def _makeTable():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _makeTable()


def crc64Python(data, crc=0):
    """
    CRC-64/REDIS of C{data}, continuing from C{crc}.
    """
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


try:
    import anycrc

    _model = anycrc.Model("CRC64-REDIS")

    def crc64(data, crc=0):
        """
        CRC-64/REDIS of C{data}, continuing from C{crc}.
        """
        return _model.calc(data, crc) if crc else _model.calc(data)

except ImportError:  # pragma: no cover - depends on the environment
    crc64 = crc64Python


def lzfDecompressPython(data, length):
    """
    Decompress LZF data to exactly C{length} bytes.

    @raise ValueError: corrupt input.
    """
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            run = ctrl + 1
            if i + run > n:
                raise ValueError("LZF literal run past the end")
            out += data[i : i + run]
            i += run
        else:
            size = ctrl >> 5
            if size == 7:
                if i >= n:
                    raise ValueError("LZF truncated")
                size += data[i]
                i += 1
            if i >= n:
                raise ValueError("LZF truncated")
            ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
            i += 1
            if ref < 0:
                raise ValueError("LZF back reference before the start")
            for _ in range(size + 2):
                out.append(out[ref])
                ref += 1
    if len(out) != length:
        raise ValueError("LZF length mismatch")
    return bytes(out)


def lzfCompressPython(data, maxLength=None):
    """
    Compress with LZF (a simple greedy hash-chain compressor whose output
    any LZF decompressor reads).

    @param maxLength: the most bytes the output may take (default: fewer
        than the input).
    @return: the compressed bytes, or L{None} if they would not fit.
    """
    n = len(data)
    out = bytearray()
    literal = bytearray()
    table = {}
    i = 0

    def flush():
        while literal:
            chunk = literal[:32]
            out.append(len(chunk) - 1)
            out.extend(chunk)
            del literal[:32]

    while i < n:
        if i + 2 < n:
            key = data[i : i + 3]
            ref = table.get(key)
            table[key] = i
            if ref is not None and i - ref - 1 < 8192:
                length = 3
                maximum = min(264, n - i)
                while length < maximum and data[ref + length] == data[i + length]:
                    length += 1
                flush()
                offset = i - ref - 1
                size = length - 2
                if size < 7:
                    out.append((size << 5) | (offset >> 8))
                else:
                    out.append((7 << 5) | (offset >> 8))
                    out.append(size - 7)
                out.append(offset & 0xFF)
                i += length
                continue
        literal.append(data[i])
        i += 1
    flush()
    if maxLength is None:
        maxLength = n - 1
    return bytes(out) if len(out) <= maxLength else None


try:
    import lzf as _lzf

    def lzfDecompress(data, length):
        """
        Decompress LZF data to exactly C{length} bytes.

        @raise ValueError: corrupt input.
        """
        result = _lzf.decompress(data, length)
        if result is None or len(result) != length:
            raise ValueError("LZF data does not decompress to %d bytes" % (length,))
        return result

    def lzfCompress(data, maxLength=None):
        """
        @param maxLength: liblzf's C{out_len}, the output buffer Redis
            gives C{lzf_compress} (default: fewer bytes than the input).
            The library gives up a few bytes early when the output may not
            fit, so the limit decides which strings Redis compresses.
        @return: LZF-compressed bytes, or L{None} if they would not fit.
        """
        if maxLength is None:
            return _lzf.compress(data, len(data) - 1)
        # python-lzf hands the library one byte more than it is asked for
        # (measured against Redis's DUMP: n - 5 here is Redis's n - 4).
        return _lzf.compress(data, maxLength - 1)

except ImportError:  # pragma: no cover - depends on the environment
    lzfDecompress = lzfDecompressPython
    lzfCompress = lzfCompressPython
