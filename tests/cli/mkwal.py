#!/usr/bin/env python3
"""mkwal.py: writes a small WAL segment in etcd's format (frames, padding, CRC-32C chain), an
encoder independent of the reader, for CLI tests whose input needs bytes no fixture has.

usage: mkwal.py DIR USER_HEX ROLE_HEX KEY_HEX [METHOD_HEX]
Writes DIR/member/wal/0000000000000000-0000000000000000.wal holding: metadata, an empty
snapshot record, entries 1..5 of term 2 (auth_user_add USER, auth_role_add ROLE, put KEY=v,
auth_user_grant_role USER ROLE, a v2 request with method METHOD, default PUT) and a HardState
committing them."""
import os
import struct
import sys

def crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t

TABLE = crc32c_table()

def crc32c(crc, data):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF

def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def field_varint(f, v):
    return varint(f << 3) + varint(v)

def field_bytes(f, b):
    return varint(f << 3 | 2) + varint(len(b)) + b

class Wal:
    def __init__(self):
        self.buf = bytearray()
        self.crc = 0

    def record(self, rtype, data):
        if rtype != 4:
            self.crc = crc32c(self.crc, data)
        rec = field_varint(1, rtype) + field_varint(2, self.crc)
        if data or rtype == 4:
            rec += field_bytes(3, data) if data else b""
        pad = (8 - len(rec) % 8) % 8
        word = len(rec) | ((0x80 | pad) << 56 if pad else 0)
        self.buf += struct.pack("<Q", word) + rec + b"\0" * pad

    @classmethod
    def started(cls):
        """A WAL with its head: the crc record (chain starts at 0), the metadata of member
        0xdecacf2185b21ac2 in cluster 0x4dcce9d896e29308, an empty snapshot record."""
        w = cls()
        w.record(4, b"")
        w.record(1, field_varint(1, 0xdecacf2185b21ac2) + field_varint(2, 0x4dcce9d896e29308))
        w.record(5, b"")
        return w

    def save(self, out):
        """Writes it as OUT/member/wal/0000000000000000-0000000000000000.wal."""
        d = os.path.join(out, "member", "wal")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "0000000000000000-0000000000000000.wal"), "wb") as f:
            f.write(self.buf)


def main():
    out, user, role, key = sys.argv[1], *(bytes.fromhex(a) for a in sys.argv[2:5])
    method = bytes.fromhex(sys.argv[5]) if len(sys.argv) > 5 else b"PUT"
    w = Wal.started()
    hdr = lambda i: field_bytes(100, field_varint(1, 0x1234000000000000 + i))
    reqs = [
        hdr(1) + field_bytes(1100, field_bytes(1, user) + field_bytes(2, b"secret")),
        hdr(2) + field_bytes(1200, field_bytes(1, role)),
        hdr(3) + field_bytes(4, field_bytes(1, key) + field_bytes(2, b"v")),
        hdr(4) + field_bytes(1104, field_bytes(1, user) + field_bytes(2, role)),
        hdr(5) + field_bytes(2, field_varint(1, 5) + field_bytes(2, method) + field_bytes(3, b"/v2/k")),
    ]
    for i, data in enumerate(reqs, 1):
        w.record(2, field_varint(1, 0) + field_varint(2, 2) + field_varint(3, i) + field_bytes(4, data))
    w.record(3, field_varint(1, 2) + field_varint(2, 0xdecacf2185b21ac2) + field_varint(3, len(reqs)))
    w.save(out)

if __name__ == "__main__":
    main()
