#!/usr/bin/env python3
"""snap_v2_custom.py FILE.snap: adds a key /1/foo (v2 API content, as `etcdctl --api=2 set
/foo bar` on etcd 3.5 leaves in the store) to a .snap's v2 store JSON, re-encoding
raftpb.Snapshot and snappb.Snapshot with the CRC-32C etcd's snapshotter checks. In place: run
it on a copy."""
import json
import sys

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF

def varint(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        if not v:
            return bytes(out + bytes([b]))
        out.append(b | 0x80)

def read_varint(b, i):
    v = s = 0
    while True:
        v |= (b[i] & 0x7F) << s
        s += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i

def fields(b):
    i, out = 0, {}
    while i < len(b):
        tag, i = read_varint(b, i)
        if tag & 7 == 0:
            v, i = read_varint(b, i)
        else:
            n, i = read_varint(b, i)
            v, i = b[i:i + n], i + n
        out[tag >> 3] = v
    return out

def fb(f, b): return varint(f << 3 | 2) + varint(len(b)) + b

path = sys.argv[1]
outer = fields(open(path, "rb").read())
inner = fields(outer[2])
store = json.loads(inner[1])
store["Root"].setdefault("Children", {})["1"] = {
    "Path": "/1", "CreatedIndex": 0, "ModifiedIndex": 0, "ExpireTime": "0001-01-01T00:00:00Z",
    "Value": "", "Children": {"foo": {"Path": "/1/foo", "CreatedIndex": 9, "ModifiedIndex": 9,
                                       "ExpireTime": "0001-01-01T00:00:00Z", "Value": "bar", "Children": None}}}
data = fb(1, json.dumps(store).encode()) + fb(2, inner[2])
open(path, "wb").write(varint(1 << 3) + varint(crc32c(data)) + fb(2, data))
