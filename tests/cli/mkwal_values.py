#!/usr/bin/env python3
"""mkwal_values.py: writes a two-segment WAL (etcd's framing, padding and CRC-32C chain, an
encoder independent of the reader) whose txns compare VALUEs that plain puts wrote in the first
segment, for the replay's values read back from the WAL when a compare needs them.

usage: mkwal_values.py DIR
Segment 0 (entries 1-2): put /a = A, put /b = B; A and B are 300000 bytes, equal but for the
last byte (same length, same first 64 bytes: only the whole value decides).
Segment 1 (entries 3-6), each a txn whose success branch puts /rN = "yes", failure "no":
  3  /a VALUE EQUAL A       -> success (etcd compares the bytes)
  4  /b VALUE EQUAL A       -> failure
  5  /b VALUE NOT_EQUAL B   -> failure
  6  /b VALUE NOT_EQUAL A   -> success
then a HardState committing 6. Prints nothing."""
import os
import sys

sys.dont_write_bytecode = True   # nothing written beside the tests
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkwal import Wal, field_bytes as fb, field_varint as fv   # the same framing and CRC chain


def put(key, value):
    return fb(1, key) + fb(2, value)

def txn(i, key, result, value):
    cmp = fv(1, result) + fv(2, 3) + fb(3, key) + fb(7, value)      # target VALUE
    ok = fb(2, put(b"/r%d" % i, b"yes"))                          # RequestOp.request_put
    no = fb(2, put(b"/r%d" % i, b"no"))
    return fb(6, fb(1, cmp) + fb(2, ok) + fb(3, no))              # InternalRaftRequest.txn

def main():
    out = sys.argv[1]
    a = bytes((i * 7 + 3) % 251 for i in range(300000))
    b = a[:-1] + bytes([(a[-1] + 1) % 256])
    hdr = lambda i: fb(100, fv(1, 0x1234000000000000 + i))
    reqs = [hdr(1) + fb(4, put(b"/a", a)), hdr(2) + fb(4, put(b"/b", b)),
            hdr(3) + txn(3, b"/a", 0, a), hdr(4) + txn(4, b"/b", 0, a),
            hdr(5) + txn(5, b"/b", 3, b), hdr(6) + txn(6, b"/b", 3, a)]
    entry = lambda i: fv(1, 0) + fv(2, 2) + fv(3, i) + fb(4, reqs[i - 1])
    d = os.path.join(out, "member", "wal")
    os.makedirs(d, exist_ok=True)
    w = Wal()
    w.record(4, b"")                                              # crc record, chain starts at 0
    w.record(1, fv(1, 0xdecacf2185b21ac2) + fv(2, 0x4dcce9d896e29308))
    w.record(5, b"")                                              # empty snapshot record
    for i in (1, 2):
        w.record(2, entry(i))
    with open(os.path.join(d, "0000000000000000-0000000000000000.wal"), "wb") as f:
        f.write(w.buf)
    w.buf = bytearray()
    w.record(4, b"")                                              # the chain goes on (etcd's cut)
    w.record(1, fv(1, 0xdecacf2185b21ac2) + fv(2, 0x4dcce9d896e29308))
    for i in (3, 4, 5, 6):
        w.record(2, entry(i))
    w.record(3, fv(1, 2) + fv(2, 0xdecacf2185b21ac2) + fv(3, 6))
    with open(os.path.join(d, "0000000000000001-0000000000000003.wal"), "wb") as f:
        f.write(w.buf)

main()
