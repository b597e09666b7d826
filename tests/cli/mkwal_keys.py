#!/usr/bin/env python3
"""mkwal_keys.py: a WAL segment of N puts, each of its own key, in etcd's format (mkwal.py's
encoder: frames, padding, CRC-32C chain), for the memory tests of commands that replay.

usage: mkwal_keys.py DIR N
Writes DIR/member/wal/0000000000000000-0000000000000000.wal: metadata, an empty snapshot record,
entries 1..N of term 2, entry i a put of /registry/pods/default/pod-<i, 7 digits> = "v", and a
HardState committing them."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkwal import Wal, field_bytes, field_varint  # noqa: E402


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    w = Wal.started()
    for i in range(1, n + 1):
        key = b"/registry/pods/default/pod-%07d" % i
        req = field_bytes(100, field_varint(1, 0x1234000000000000 + i)) + \
            field_bytes(4, field_bytes(1, key) + field_bytes(2, b"v"))
        w.record(2, field_varint(1, 0) + field_varint(2, 2) + field_varint(3, i) + field_bytes(4, req))
    w.record(3, field_varint(1, 2) + field_varint(2, 0xdecacf2185b21ac2) + field_varint(3, n))
    w.save(out)

if __name__ == "__main__":
    main()
