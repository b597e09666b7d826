#!/usr/bin/env python3
"""replay_mutate.py: mutated copies of real fixture data dirs for the replay tests (issue 16).
Python 3 stdlib only; reads the fixture, writes only under OUT (a temp dir of the test).

  replay_mutate.py flip-value SRC OUT KEY REVISION
      SRC = a data dir or a .tar.gz of one (top folder); the copy goes to OUT/<top>.
      In the copy's member/snap/db, finds the key-bucket element whose main revision is
      REVISION and whose mvccpb.KeyValue.key is KEY (bbolt pages walked from the meta page
      in use: root bucket -> "key" bucket -> branch/leaf pages; docs/formats.md §6), and
      adds 1 to the first byte of its KeyValue.value in place (lengths unchanged, bbolt has
      no page checksums). Prints one JSON line: {"datadir", "page", "page_offset",
      "file_offset", "revision", "sub", "key", "old_value_b64", "new_value_b64"}.
  replay_mutate.py swap-db SRC OUT DB
      The copy of SRC with member/snap/db replaced by DB (a db file or a .tar.gz holding
      one file): how a member whose db is older (or newer) than its WAL is made from two
      real etcd files. Prints {"datadir", "db_bytes"}.
"""
import base64, json, os, shutil, struct, sys, tarfile

MAGIC = 0xED0CDAED
BRANCH, LEAF, BUCKET_LEAF_FLAG = 0x01, 0x02, 0x01


def copy_datadir(src, out):
    os.makedirs(out, exist_ok=True)
    if os.path.isdir(src):
        dst = os.path.join(out, os.path.basename(os.path.normpath(src)))
        shutil.copytree(src, dst, symlinks=True)
        return dst
    with tarfile.open(src, "r:*") as tf:
        tops = set()
        for m in tf.getmembers():
            if m.name.startswith("/") or ".." in m.name.split("/") or not (m.isfile() or m.isdir()):
                sys.exit("refusing archive member %r" % m.name)
            tops.add(m.name.split("/")[0])
        if len(tops) != 1:
            sys.exit("archive has %d top folders" % len(tops))
        tf.extractall(out)
    return os.path.join(out, tops.pop())


def meta(db, ps, pid):
    magic, ver, psize, _f, root, _seq, _fl, _pgid, txid = struct.unpack_from("<IIIIQQQQQ", db, pid * ps + 16)
    return (txid, root) if magic == MAGIC and ver == 2 else (-1, 0)


def page(db, ps, pid):
    off = pid * ps
    if off + 16 > len(db):
        sys.exit("page %d beyond the file" % pid)
    _id, flags, count, _ov = struct.unpack_from("<QHHI", db, off)
    return off, flags, count


def elems(db, off, flags, count):
    """(key, value or child pgid, element flags, value file offset) of one page"""
    for i in range(count):
        e = off + 16 + 16 * i
        if flags & LEAF:
            fl, pos, ks, vs = struct.unpack_from("<IIII", db, e)
            k = db[e + pos:e + pos + ks]
            yield k, db[e + pos + ks:e + pos + ks + vs], fl, e + pos + ks
        elif flags & BRANCH:
            pos, ks, child = struct.unpack_from("<IIQ", db, e)
            yield db[e + pos:e + pos + ks], child, 0, None


def leaves(db, ps, pid, depth=0):
    """every leaf page under pid, as (page id, file offset, flags, count)"""
    if depth > 64:
        sys.exit("bbolt tree too deep")
    off, flags, count = page(db, ps, pid)
    if flags & LEAF:
        yield pid, off, flags, count
    elif flags & BRANCH:
        for _k, child, _f, _o in elems(db, off, flags, count):
            yield from leaves(db, ps, child, depth + 1)
    else:
        sys.exit("page %d is neither branch nor leaf (flags %#x)" % (pid, flags))


def bucket_root(db, ps, parent_root, name):
    for pid, off, flags, count in leaves(db, ps, parent_root):
        for k, v, fl, _o in elems(db, off, flags, count):
            if k == name and fl & BUCKET_LEAF_FLAG:
                root = struct.unpack_from("<Q", v)[0]
                if root == 0:
                    sys.exit("bucket %r is inline; not handled" % name)
                return root
    sys.exit("no bucket %r" % name)


def varint(b, i):
    x = s = 0
    while True:
        c = b[i]; i += 1
        x |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return x, i


def kv_fields(v):
    """mvccpb.KeyValue: {field number: (value, offset of the bytes in v)} for key (1) and value (5)"""
    out, i = {}, 0
    while i < len(v):
        tag, i = varint(v, i)
        f, w = tag >> 3, tag & 7
        if w == 0:
            x, i = varint(v, i); out[f] = (x, None)
        elif w == 2:
            n, i = varint(v, i); out[f] = (v[i:i + n], i); i += n
        else:
            sys.exit("unexpected wire type %d in a KeyValue" % w)
    return out


def flip_value(src, out, key, rev):
    dd = copy_datadir(src, out)
    path = os.path.join(dd, "member", "snap", "db")
    with open(path, "rb") as f:
        db = bytearray(f.read())
    ps = struct.unpack_from("<I", db, 16 + 8)[0]
    m = max(meta(db, ps, 0), meta(db, ps, 1))
    if m[0] < 0:
        sys.exit("no valid meta page")
    kb = bucket_root(db, ps, m[1], b"key")
    for pid, off, flags, count in leaves(db, ps, kb):
        for k, v, _fl, voff in elems(db, off, flags, count):
            if len(k) < 17 or struct.unpack_from(">Q", k)[0] != rev:
                continue
            fs = kv_fields(v)
            if fs.get(1, (None,))[0] != key:
                continue
            if 5 not in fs or not fs[5][0]:
                sys.exit("revision %d of %r has an empty value" % (rev, key))
            old, vo = fs[5]
            at = voff + vo
            db[at] = (db[at] + 1) & 0xFF
            with open(path, "r+b") as f:
                f.seek(at); f.write(bytes([db[at]]))
            new = bytes(db[at:at + len(old)])
            print(json.dumps({"datadir": dd, "page": pid, "page_offset": at - off, "file_offset": at,
                              "revision": rev, "sub": struct.unpack_from(">Q", k, 9)[0],
                              "key": key.decode("latin-1"),
                              "old_value_b64": base64.b64encode(old).decode(),
                              "new_value_b64": base64.b64encode(new).decode()}))
            return
    sys.exit("no element for revision %d key %r" % (rev, key))


def swap_db(src, out, db):
    dd = copy_datadir(src, out)
    dst = os.path.join(dd, "member", "snap", "db")
    if db.endswith(".tar.gz") or db.endswith(".tgz"):
        with tarfile.open(db, "r:*") as tf:
            files = [m for m in tf.getmembers() if m.isfile()]
            if len(files) != 1:
                sys.exit("%s: want one file, has %d" % (db, len(files)))
            data = tf.extractfile(files[0]).read()
    else:
        with open(db, "rb") as f:
            data = f.read()
    with open(dst, "wb") as f:
        f.write(data)
    os.chmod(dst, 0o600)
    print(json.dumps({"datadir": dd, "db_bytes": len(data)}))


def main(a):
    if len(a) == 5 and a[0] == "flip-value":
        flip_value(a[1], a[2], a[3].encode(), int(a[4]))
    elif len(a) == 4 and a[0] == "swap-db":
        swap_db(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
