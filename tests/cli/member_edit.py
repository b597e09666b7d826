#!/usr/bin/env python3
"""member_edit.py: independent readers/editors for mutated copies of fixture members (tests only).

Python 3 stdlib; nothing here uses etcd-autopsy. bbolt per docs/formats.md section 6 (meta pages at 0
and pageSize, FNV-1a checksum, leaf/branch elements with positions relative to the element,
bucket value = root pgid + sequence, inline page after it when root is 0); WAL frames per
section 3 (little-endian u64: record length, top byte 0x80|padding after it; walpb.Record type/crc/data).
Edits are in place and keep every length, so the bbolt pages stay valid (no checksums there).

  ci DB                      print meta/consistent_index
  set-ci DB N                overwrite meta/consistent_index with N (8 bytes, big-endian)
  compact DB                 print meta/finishedCompactRev
  kept DB                    print "main sub key" of key-bucket puts at or below the compaction that
                             are their key's last version (hashed by HashKV at any later revision)
  flip-value DB MAIN         XOR 0x01 the first value byte of revision MAIN (sub 0); print its key
  nul-key DB MAIN            set the middle byte of the user key of revision MAIN (sub 0) to NUL;
                             print the new key escaped (printable ASCII but " and \\ as is, else \\xNN)
  wal-cut WAL INDEX          zero everything after the entry record of INDEX (a clean end of log,
                             as a lost unflushed write leaves it); print the last HardState
                             commit kept before the cut
"""
import struct
import sys

MAGIC = 0xED0CDAED


def fnv1a64(b):
    h = 0xcbf29ce484222325
    for c in b:
        h ^= c
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def current_meta(db):
    best = None
    for off in (0, struct.unpack_from("<I", db, 16 + 8)[0]):
        magic, ver, psize, _fl, root, _seq, _free, _pgid, txid, ck = struct.unpack_from("<IIIIQQQQQQ", db, off + 16)
        if magic != MAGIC or ver != 2 or ck != fnv1a64(db[off + 16:off + 72]):
            continue
        if best is None or txid > best[1]:
            best = (psize, txid, root)
    assert best, "no valid meta page"
    return best[0], best[2]


def elems(db, base, psize):
    """(element offset, flags, key offset, key, value offset, value) of the leaves under the page at
    file offset base (a leaf or branch page)."""
    flags, count = struct.unpack_from("<HH", db, base + 8)
    out = []
    for i in range(count):
        e = base + 16 + 16 * i
        if flags & 0x02:
            fl, pos, ks, vs = struct.unpack_from("<IIII", db, e)
            ko = e + pos
            out.append((e, fl, ko, bytes(db[ko:ko + ks]), ko + ks, bytes(db[ko + ks:ko + ks + vs])))
        else:
            assert flags & 0x01, "neither leaf nor branch"
            _pos, _ks, child = struct.unpack_from("<IIQ", db, e)
            out += elems(db, child * psize, psize)
    return out


def bucket(db, name):
    """Elements of the top-level bucket `name`."""
    psize, root = current_meta(db)
    for e in elems(db, root * psize, psize):
        if e[1] & 1 and e[3] == name:
            broot = struct.unpack_from("<Q", e[5], 0)[0]
            return elems(db, broot * psize if broot else e[4] + 16, psize)
    raise SystemExit("no bucket %r" % name)


def meta_value(db, key):
    for e in bucket(db, b"meta"):
        if e[3] == key:
            return e
    raise SystemExit("no meta key %r" % key)


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def kv_fields(v):
    """{field: (offset in v, value)} of an mvccpb.KeyValue (bytes fields: (offset, bytes))."""
    out, i = {}, 0
    while i < len(v):
        tag, i = varint(v, i)
        f, wt = tag >> 3, tag & 7
        if wt == 0:
            x, i = varint(v, i)
            out[f] = (None, x)
        elif wt == 2:
            n, i = varint(v, i)
            out[f] = (i, v[i:i + n])
            i += n
        else:
            raise SystemExit("unexpected wire type")
    return out


def kept(db):
    compact = struct.unpack(">Q", meta_value(db, b"finishedCompactRev")[5][:8])[0]
    rows, last = [], {}
    for _e, _fl, _ko, k, _vo, v in bucket(db, b"key"):
        main, sub = struct.unpack(">Q", k[:8])[0], struct.unpack(">Q", k[9:17])[0]
        key = kv_fields(v)[1][1]
        last[key] = main
        if len(k) == 17 and main <= compact:     # tombstones (18 bytes) carry no value
            rows.append((main, sub, key))
    # only a key's last version: HashKV hashes it at every revision from there on
    return [r for r in rows if last[r[2]] == r[0]]


def wal_cut(path, index):
    data = bytearray(open(path, "rb").read())
    off, cut, commit, last_commit, end = 0, None, None, None, 0
    while off + 8 <= len(data):
        word = struct.unpack_from("<Q", data, off)[0]
        n = word & 0x00FFFFFFFFFFFFFF
        pad = (word >> 56) & 0x7 if word >> 63 else 0
        if n == 0:
            break
        rec = bytes(data[off + 8:off + 8 + n])
        nxt = off + 8 + n + pad
        rtype = data_f = None
        i = 0
        while i < len(rec):
            tag, i = varint(rec, i)
            if tag & 7 == 0:
                x, i = varint(rec, i)
                if tag >> 3 == 1:
                    rtype = x
            else:
                ln, i = varint(rec, i)
                if tag >> 3 == 3:
                    data_f = rec[i:i + ln]
                i += ln
        if rtype == 2 and cut is None:       # entry: raftpb.Entry type=1 term=2 index=3
            f, j = {}, 0
            while j < len(data_f):
                tag, j = varint(data_f, j)
                if tag & 7 == 0:
                    x, j = varint(data_f, j)
                    f[tag >> 3] = x
                else:
                    ln, j = varint(data_f, j)
                    j += ln
            if f.get(3) == index:
                cut, commit = nxt, last_commit
        elif rtype == 3 and cut is None:     # state: raftpb.HardState commit=3
            f, j = {}, 0
            while data_f and j < len(data_f):
                tag, j = varint(data_f, j)
                x, j = varint(data_f, j)
                f[tag >> 3] = x
            last_commit = f.get(3, 0)
        end = nxt
        off = nxt
    assert cut is not None, "no entry %d in %s" % (index, path)
    data[cut:end] = bytes(end - cut)
    open(path, "wb").write(data)
    print(commit)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    db = bytearray(open(path, "rb").read()) if cmd != "wal-cut" else None
    if cmd == "ci":
        print(struct.unpack(">Q", meta_value(db, b"consistent_index")[5])[0])
    elif cmd == "compact":
        print(struct.unpack(">Q", meta_value(db, b"finishedCompactRev")[5][:8])[0])
    elif cmd == "set-ci":
        e = meta_value(db, b"consistent_index")
        db[e[4]:e[4] + 8] = struct.pack(">Q", int(sys.argv[3]))
        open(path, "wb").write(db)
    elif cmd == "kept":
        for main, sub, key in kept(db):
            print(main, sub, key.decode("latin-1"))
    elif cmd == "flip-value":
        want = struct.pack(">Q", int(sys.argv[3])) + b"_" + struct.pack(">Q", 0)
        for _e, _fl, _ko, k, vo, v in bucket(db, b"key"):
            if k == want:
                f = kv_fields(v)
                assert 5 in f and f[5][1], "revision has no value"
                db[vo + f[5][0]] ^= 0x01
                open(path, "wb").write(db)
                sys.stdout.buffer.write(f[1][1] + b"\n")
                return
        raise SystemExit("revision not in the key bucket")
    elif cmd == "nul-key":
        want = struct.pack(">Q", int(sys.argv[3])) + b"_" + struct.pack(">Q", 0)
        for _e, _fl, _ko, k, vo, v in bucket(db, b"key"):
            if k == want:
                off, key = kv_fields(v)[1]
                p = len(key) // 2
                db[vo + off + p] = 0
                open(path, "wb").write(db)
                new = key[:p] + b"\0" + key[p + 1:]
                print("".join(chr(c) if 0x20 <= c < 0x7f and c not in b'"\\' else "\\x%02x" % c for c in new))
                return
        raise SystemExit("revision not in the key bucket")
    elif cmd == "wal-cut":
        wal_cut(path, int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
