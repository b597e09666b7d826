#!/usr/bin/env python3
"""bolt_space.py: an independent count of what uses a bbolt db's space (tests only; `db space`).

Python 3 stdlib; nothing here uses etcd-autopsy. bbolt per docs/formats.md section 6, read with
member_edit.py's meta and element readers. Usage: bolt_space.py DB DEPTH RULE (RULE: classic|skip)
prints one JSON object:

  pgid, page_size, in_use_pages   pages below pgid that are not free: reachable from the root
                                  (overflow included) plus both meta pages and the freelist page,
                                  or pgid minus the ids on a stored freelist page
  key_leaf_pages                  leaf pages (and their overflow) of the `key` bucket
  revisions, keys, live_keys, tombstones, live_bytes, history_bytes, drop_revisions
                                  key-bucket elements (bytes: revision key + stored value); live:
                                  a key's newest element when it is a put; drop: what a compaction
                                  at the current revision deletes (all but the live put, and under
                                  `skip` a tombstone at exactly that revision that follows a put)
  groups                          {prefix: [keys, live revisions, history revisions, live bytes,
                                  history bytes]}: prefix = a leading '/', then up to DEPTH more
                                  '/'-ended components, never the last component
  top                             [key, history bytes, history revisions] of every key with
                                  history, most history bytes first (then revisions, then key)
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from member_edit import current_meta, kv_fields  # noqa: E402


def page_hdr(db, psize, pgid):
    _id, flags, count, overflow = struct.unpack_from("<QHHI", db, pgid * psize)
    return flags, count, overflow


def walk(db, psize, pgid, seen, owner, name, leaves):
    """Marks the pages of the tree at pgid (bucket `name`) in seen; returns nothing."""
    flags, count, overflow = page_hdr(db, psize, pgid)
    for p in range(pgid, pgid + overflow + 1):
        seen.add(p)
    if flags & 0x02 and name == b"key":
        leaves.update(range(pgid, pgid + overflow + 1))
    base = pgid * psize
    for i in range(count):
        e = base + 16 + 16 * i
        if flags & 0x01:
            _pos, _ks, child = struct.unpack_from("<IIQ", db, e)
            walk(db, psize, child, seen, owner, name, leaves)
        elif flags & 0x02:
            fl, pos, ks, _vs = struct.unpack_from("<IIII", db, e)
            if fl & 1:
                sub = bytes(db[e + pos:e + pos + ks])
                root = struct.unpack_from("<Q", db, e + pos + ks)[0]
                if root:
                    walk(db, psize, root, seen, owner, sub if name == b"" else name + b"/" + sub, leaves)


def in_use(db):
    psize, root = current_meta(db)
    best = None
    for off in (0, psize):
        magic, _v, _ps, _fl, _r, _s, free, pgid, txid, _ck = struct.unpack_from("<IIIIQQQQQQ", db, off + 16)
        if magic == 0xED0CDAED and (best is None or txid > best[2]):
            best = (free, pgid, txid)
    free, pgid, _ = best
    seen, leaves = {0, 1}, set()
    walk(db, psize, root, seen, None, b"", leaves)
    if free != 0xFFFFFFFFFFFFFFFF:
        _f, count, overflow = page_hdr(db, psize, free)
        seen.update(range(free, free + overflow + 1))
        start = free * psize + 16
        if count == 0xFFFF:
            count = struct.unpack_from("<Q", db, start)[0]
            start += 8
        ids = set(struct.unpack_from("<%dQ" % count, db, start))
        return psize, pgid, pgid - len(ids), len(leaves)
    return psize, pgid, len(seen), len(leaves)


def group(key, depth):
    p = 1 if key[:1] == b"/" else 0
    for _ in range(depth):
        i = key.find(b"/", p)
        if i < 0:
            break
        p = i + 1
    return key[:p]


def key_elements(db):
    psize, root = current_meta(db)
    out = []

    def leaves_of(pgid):
        flags, count, _ov = page_hdr(db, psize, pgid)
        for i in range(count):
            e = pgid * psize + 16 + 16 * i
            if flags & 0x01:
                leaves_of(struct.unpack_from("<IIQ", db, e)[2])
            else:
                _fl, pos, ks, vs = struct.unpack_from("<IIII", db, e)
                out.append((bytes(db[e + pos:e + pos + ks]), bytes(db[e + pos + ks:e + pos + ks + vs])))

    _f, count, _ov = page_hdr(db, psize, root)
    for i in range(count):
        e = root * psize + 16 + 16 * i
        fl, pos, ks, _vs = struct.unpack_from("<IIII", db, e)
        if fl & 1 and bytes(db[e + pos:e + pos + ks]) == b"key":
            leaves_of(struct.unpack_from("<Q", db, e + pos + ks)[0])
    return out


def main():
    db = memoryview(open(sys.argv[1], "rb").read())
    depth, rule = int(sys.argv[2]), sys.argv[3]
    psize, pgid, used, leaf_pages = in_use(db)
    keys = {}
    current = 0
    for k, v in key_elements(db):
        main_rev, sub = struct.unpack(">Q", k[:8])[0], struct.unpack(">Q", k[9:17])[0]
        current = max(current, main_rev)
        ent = keys.setdefault(kv_fields(v)[1][1], [])
        ent.append((main_rev, sub, len(k) == 18, len(k) + len(v)))
    res = {"pgid": pgid, "page_size": psize, "in_use_pages": used, "key_leaf_pages": leaf_pages,
           "revisions": 0, "keys": len(keys), "live_keys": 0, "tombstones": 0, "live_bytes": 0,
           "history_bytes": 0, "drop_revisions": 0, "groups": {}, "top": []}
    for key, revs in keys.items():
        revs.sort()
        last = revs[-1]
        live = 0 if last[2] else last[3]
        total = sum(r[3] for r in revs)
        g = res["groups"].setdefault(group(key, depth).decode("latin-1"), [0, 0, 0, 0, 0])
        g[0] += 1
        g[1] += 0 if last[2] else 1
        g[2] += len(revs) - (0 if last[2] else 1)
        g[3] += live
        g[4] += total - live
        res["revisions"] += len(revs)
        res["live_keys"] += 0 if last[2] else 1
        res["tombstones"] += sum(1 for r in revs if r[2])
        res["live_bytes"] += live
        res["history_bytes"] += total - live
        kept = not last[2] or (rule == "skip" and last[0] == current and len(revs) > 1 and not revs[-2][2])
        res["drop_revisions"] += len(revs) - (1 if kept else 0)
        if len(revs) > (0 if last[2] else 1):
            res["top"].append([key.decode("latin-1"), total - live, len(revs) - (0 if last[2] else 1)])
    res["top"].sort(key=lambda t: (-t[1], -t[2], t[0].encode("latin-1")))
    print(json.dumps(res, sort_keys=True))


if __name__ == "__main__":
    main()
