#!/usr/bin/env python3
"""mkwal_versions.py: a WAL ENCODED FROM etcd's .proto DEFINITIONS (raft_internal.proto,
membership.proto, rpc.proto field numbers; not real etcd 3.6 data, none is available here)
for the minimum-etcd-version tests. Frames, padding and the CRC-32C chain as etcd writes them.

usage: mkwal_versions.py DIR [overwrite]
Writes DIR/member/wal/0000000000000000-0000000000000000.wal: metadata, an empty snapshot
record, entries of term 2: 1 empty, 2 ClusterVersionSet{ver 3.6.0} (field 1300, annotated 3.5),
3 DowngradeVersionTest{ver 3.6.0} (field 9900, annotated 3.6: a 3.6-only field), 4 a put;
with `overwrite`, then entries 3 and 4 again in term 3 as plain puts (ReadAll keeps those);
and a HardState committing the last entry."""
import os
import struct
import sys

def crc32c(crc, data):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF

def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if not v:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)

def fv(f, v): return varint(f << 3) + varint(v)
def fb(f, b): return varint(f << 3 | 2) + varint(len(b)) + b

buf, crc = bytearray(), 0
def record(rtype, data):
    global buf, crc
    if rtype != 4:
        crc = crc32c(crc, data)
    rec = fv(1, rtype) + fv(2, crc) + (fb(3, data) if data else b"")
    pad = (8 - len(rec) % 8) % 8
    word = len(rec) | ((0x80 | pad) << 56 if pad else 0)
    buf += struct.pack("<Q", word) + rec + b"\0" * pad

def entry(term, index, data):
    record(2, fv(1, 0) + fv(2, term) + fv(3, index) + (fb(4, data) if data else b""))

hdr = lambda i: fb(100, fv(1, 0x1234000000000000 + i))
put = lambda i: hdr(i) + fb(4, fb(1, b"k%d" % i) + fb(2, b"v"))
record(4, b"")
record(1, fv(1, 0xdecacf2185b21ac2) + fv(2, 0x4dcce9d896e29308))
record(5, b"")
entry(2, 1, b"")
entry(2, 2, hdr(2) + fb(1300, fb(1, b"3.6.0")))
entry(2, 3, hdr(3) + fb(9900, fb(1, b"3.6.0")))
entry(2, 4, put(4))
last = 4
if len(sys.argv) > 2 and sys.argv[2] == "overwrite":
    entry(3, 3, put(5))
    entry(3, 4, put(6))
record(3, fv(1, 3 if len(sys.argv) > 2 else 2) + fv(2, 0xdecacf2185b21ac2) + fv(3, last))
d = os.path.join(sys.argv[1], "member", "wal")
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "0000000000000000-0000000000000000.wal"), "wb") as f:
    f.write(buf)
