"""
Integration tests of the bitmap commands through redis-py against the real
C{twistd -n redis} process.
"""

import pytest


@pytest.mark.parametrize("protocol", [2, 3])
def test_redisPy(sharedTxredisd, protocol):
    """
    redis-py's bitmap API (setbit, getbit, bitcount and bitpos with BIT and
    BYTE modes, bitop, bitfield with overflow policies, bitfield_ro) works
    against txredisd in RESP2 and RESP3.
    """
    r = sharedTxredisd.client(protocol=protocol)
    r.flushall()
    assert r.setbit("b", 7, 1) == 0
    assert r.setbit("b", 7, 1) == 1
    assert r.getbit("b", 7) == 1
    assert r.getbit("b", 100) == 0
    assert r.get("b") == b"\x01"
    r.set("k", b"\x00\xff\xf0")
    assert r.bitcount("k") == 12
    assert r.bitcount("k", 1, 1) == 8
    assert r.bitcount("k", 4, 11, mode="BIT") == 4
    assert r.bitcount("k", -1, -1, mode="BYTE") == 4
    assert r.bitpos("k", 1) == 8
    assert r.bitpos("k", 0, 1) == 20
    assert r.bitpos("k", 0, 1, -1) == 20
    assert r.bitpos("k", 1, 9, 15, mode="BIT") == 9
    assert r.bitpos("missing", 0) == 0
    assert r.bitop("AND", "dest", "k", "b") == 3
    assert r.get("dest") == b"\x00\x00\x00"
    assert r.bitop("NOT", "dest", "b") == 1
    assert r.get("dest") == b"\xfe"
    assert r.bitop("OR", "dest", "missing") == 0
    assert r.exists("dest") == 0
    results = (
        r.bitfield("f")
        .set("u8", 0, 250)
        .incrby("u8", 0, 10)
        .overflow("SAT")
        .incrby("u8", 0, 300)
        .overflow("FAIL")
        .incrby("u8", 0, 1)
        .get("i8", "#0")
        .execute()
    )
    assert results == [0, 4, 255, None, -1]
    assert r.bitfield("f", default_overflow="SAT").incrby("i8", 8, -200).execute() == [-128]
    assert r.bitfield_ro("f", "u8", 0, items=[("i8", 8), ("u4", "#3")]) == [255, -128, 0]
    r.close()
