#!/usr/bin/env python3
"""replay_check.py: compares etcd-autopsy's answers with etcd's own, captured live by
fixtures/gen-replay-workload.sh (ops.jsonl, expected-revs.jsonl, manifest.txt). Replays
nothing itself: every expected value is something etcd answered.

  replay_check.py history EA NODE FIXDIR
      for every key ever written: `EA db history NODE KEY -w json` against etcd's keyspace
      at every revision. Rows with "source": "wal" (issue 16's history past compaction)
      must each be one of etcd's changes of the key; rows from the db (no source or "db")
      must be exactly etcd's changes above the compaction revision C plus, at or below C,
      the key's last change if it was alive at C (etcd's compaction keeps it; a tombstone
      exactly at C may be kept or not). If any wal row is present, db + wal together must
      give every change of the key etcd made.
  replay_check.py ls EA NODE FIXDIR [STRIDE]
      for every STRIDE-th revision R from C to the final one (and both ends): `EA db ls NODE --rev R -w json` equals
      etcd's keyspace at R (key, value, create, mod, version, lease).
  replay_check.py entries REPLAY_JSONL FIXDIR
      `replay NODE -w json --all` lines against the operations: the op whose raft index
      moved by one owns that entry; its revision is the revision etcd's response reported
      (none when etcd made none), its kind, its key (a range delete's: the first key etcd
      deleted, i.e. the smallest key gone at that revision); revisions base_revision+1..final
      (manifest; 1 for a fresh member) made exactly once,
      in index order; results: matches-db above C, matches-db or compacted at or below C
      (matches-db when etcd's compaction keeps every write of that revision, compacted when
      it keeps none), no-revision for entries without one; a txn's applied flag (if the
      output has one) equals etcd's `succeeded`.
Prints "ok <what>: N checked" or one "MISMATCH ..." line per difference; exit 1 on any."""
import base64, json, os, subprocess, sys

bad = 0


def mismatch(msg):
    global bad
    bad += 1
    if bad <= 40:
        print("MISMATCH " + msg)


def manifest(fx):
    out = {}
    for line in open(os.path.join(fx, "manifest.txt")):
        if "=" in line and not line.startswith("#"):
            k, v = line.rstrip("\n").split("=", 1)
            out.setdefault(k, v)
    return out


def load(fx):
    ops = [json.loads(l) for l in open(os.path.join(fx, "ops.jsonl"))]
    ev = {}   # key bytes -> [(rev, state or None)]
    for l in open(os.path.join(fx, "expected-revs.jsonl")):
        j = json.loads(l)
        k = base64.b64decode(j["key"])
        st = None if j.get("deleted") else (base64.b64decode(j["value_b64"]), j["create"], j["mod"], j["version"], j["lease"])
        ev.setdefault(k, []).append((j["rev"], st))
    return ops, ev


def b(row, name):
    """bytes of a JSON field in the project's form: text, plus NAME_b64 when not UTF-8"""
    if row.get(name + "_b64") is not None:
        return base64.b64decode(row[name + "_b64"])
    v = row.get(name)
    return None if v is None else v.encode()


def lease_of(row):
    v = row.get("lease")
    if v in (None, 0, "0", ""):
        return 0
    return int(v, 16) if isinstance(v, str) else int(v)


def ea_json(ea, *args):
    p = subprocess.run([ea] + list(args), capture_output=True)
    if p.returncode not in (0, 1):
        mismatch("%s exit %d: %s" % (" ".join(args), p.returncode, p.stderr[:300]))
        return []
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def state_row(row):
    return (b(row, "value"), row["create_revision"], row["mod_revision"], row["version"], lease_of(row))


def history(ea, node, fx):
    m = manifest(fx)
    c = int(m["compact_revision"])
    _, ev = load(fx)
    n = 0
    unknown_values = []
    for k in sorted(ev):
        rows = [r for r in ea_json(ea, "db", "history", node, k.decode(), "-w", "json") if "problem" not in r]
        changes = ev[k]
        want = {r: st for r, st in changes if r > c}
        le = [(r, st) for r, st in changes if r <= c]
        maybe = {}
        if le and le[-1][1] is not None:
            want[le[-1][0]] = le[-1][1]
        elif le and le[-1][0] == c:
            maybe[c] = None
        got, wal = {}, {}
        for r in rows:
            if b(r, "key") != k:
                mismatch("history %r: row of another key %r" % (k, r))
                continue
            st = None if r.get("tombstone") else state_row(r)
            (wal if r.get("source") == "wal" else got)[r["revision"]] = st
        for rev in sorted(set(want) | set(got)):
            if rev in maybe and rev not in want:
                continue
            if want.get(rev, "absent") != got.get(rev, "absent"):
                mismatch("history %r rev %d: etcd %r, db rows %r" % (k, rev, want.get(rev, "absent"), got.get(rev, "absent")))
            n += 1
        allch = dict(changes)
        for rev, st in wal.items():
            e = allch.get(rev, "absent")
            if st is not None and st[0] is None and e not in ("absent", None) and st[1:] == e[1:]:
                # value null: the WAL put had ignore_value (the engine keeps a hash of the value it
                # kept, not the bytes) - unknown, never a wrong value; everything else must agree
                unknown_values.append((k, rev))
                n += 1
                continue
            if e != st:
                mismatch("history %r rev %d (source wal): etcd %r, row %r" % (k, rev, allch.get(rev, "absent"), st))
            n += 1
        if wal:
            for rev, st in changes:
                if rev not in wal and rev not in got:
                    mismatch("history %r: etcd's change at %d in neither db nor wal rows" % (k, rev))
    print("%s history: %d revisions of %d keys checked (%d wal rows with an unknown value)" %
          ("ok" if not bad else "FAILED", n, len(ev), len(unknown_values)))


def states(ev, final):
    """etcd's keyspace at every revision, from the change lines"""
    ch = {}
    for k, l in ev.items():
        for r, st in l:
            ch.setdefault(r, []).append((k, st))
    cur, out = {}, {}
    for r in range(1, final + 1):
        for k, st in ch.get(r, []):
            if st is None:
                cur.pop(k, None)
            else:
                cur[k] = st
        out[r] = dict(cur)
    return out


def ls(ea, node, fx, stride="1"):
    m = manifest(fx)
    c, final = int(m["compact_revision"]), int(m["final_revision"])
    _, ev = load(fx)
    at = states(ev, final)
    n = 0
    for r in sorted(set(range(c, final + 1, int(stride))) | {c, final}):
        rows = [x for x in ea_json(ea, "db", "ls", node, "--rev", str(r), "-w", "json") if "problem" not in x]
        got = {b(x, "key"): state_row(x) for x in rows}
        if got != at[r]:
            mismatch("db ls --rev %d: etcd %d keys, tool %d keys, differing %r" % (
                r, len(at[r]), len(got), sorted(set(k for k in set(got) | set(at[r]) if got.get(k) != at[r].get(k)))[:5]))
        n += 1
    print("%s ls: %d revisions checked" % ("ok" if not bad else "FAILED", n))


KIND = [("put", "put"), ("delete", "delete_range"), ("txn", "txn"), ("lease-grant", "lease_grant"),
        ("lease-revoke", "lease_revoke"), ("lease-expiry", "lease_revoke"), ("compaction", "compaction")]


def applied_of(line):
    for f in ("txn_applied", "applied"):
        if f in line and line[f] is not None and line[f] != -1:
            return bool(line[f])
    t = line.get("txn")
    if isinstance(t, dict) and t.get("applied") is not None:
        return bool(t["applied"])
    return None


def entries(jl, fx):
    m = manifest(fx)
    c, final = int(m["compact_revision"]), int(m["final_revision"])
    ops, ev = load(fx)
    lines = [json.loads(l) for l in open(jl) if l.strip()]
    byidx = {}
    for l in lines:
        if "summary" in l:
            continue
        if not l.get("index"):   # a db-only row: a db revision no entry made; etcd made each with an op
            mismatch("db-only row: revision %r key %r (%s)" % (l.get("revision"), l.get("key"), l.get("detail")))
            continue
        if l.get("index") in byidx:
            mismatch("index %s listed twice" % l.get("index"))
        byidx[l.get("index")] = l
    # which writes of each revision etcd's compaction keeps (alive at C: the key's last change <= C)
    at_rev = {}
    for k, l in ev.items():
        for r, st in l:
            at_rev.setdefault(r, []).append((k, st))
    kept, maybe = set(), set()
    for k, l in ev.items():
        le = [(r, st) for r, st in l if r <= c]
        if le and le[-1][1] is not None:
            kept.add((k, le[-1][0]))
        elif le and le[-1][0] == c:
            maybe.add((k, c))
    n = napplied = 0
    owned = set()
    for o in ops:
        ib, ia = o.get("raft_index_before"), o.get("raft_index_after")
        if ib is None or ia != ib + 1:
            continue
        owned.add(ia)
        l = byidx.get(ia)
        if l is None:
            mismatch("op %d (%s): no replay line for its entry %d" % (o["op"], o["kind"], ia))
            continue
        n += 1
        want_kind = next((v for p, v in KIND if o["kind"].startswith(p)), None)
        if want_kind and l.get("kind") != want_kind:
            mismatch("entry %d (op %d %s): kind %r, want %r" % (ia, o["op"], o["kind"], l.get("kind"), want_kind))
        rev = l.get("revision") or 0
        if o["made_revision"]:
            if rev != o["revision"]:
                mismatch("entry %d (op %d %s): revision %r, etcd reported %d" % (ia, o["op"], o["kind"], rev, o["revision"]))
            r = o["revision"]
            writes = at_rev.get(r, [])
            if r > c:
                ok = ("matches-db",)
            elif writes and all((k, r) in kept for k, _ in writes):
                ok = ("matches-db",)
            elif writes and not any((k, r) in kept or (k, r) in maybe for k, _ in writes):
                ok = ("compacted",)
            else:
                ok = ("matches-db", "compacted")
            if l.get("result") not in ok:
                mismatch("entry %d (op %d %s) revision %d: result %r, want %s" % (ia, o["op"], o["kind"], r, l.get("result"), "/".join(ok)))
        else:
            if rev:
                mismatch("entry %d (op %d %s): revision %r, etcd made none (%s)" % (ia, o["op"], o["kind"], rev, o.get("error") or "no change"))
            if l.get("result") != "no-revision":
                mismatch("entry %d (op %d %s): result %r, want no-revision" % (ia, o["op"], o["kind"], l.get("result")))
        if o["kind"] in ("put", "put-prev-kv", "put-lease", "put-ignore-value", "put-ignore-lease", "delete",
                         "put-ignore-value-missing", "put-lease-missing", "delete-missing"):
            if b(l, "key") != base64.b64decode(o["key"]):
                mismatch("entry %d (op %d %s): key %r, op's key %r" % (ia, o["op"], o["kind"], b(l, "key"), base64.b64decode(o["key"])))
        elif o["kind"] in ("delete-range", "delete-prefix", "delete-from-key") and o["made_revision"]:
            # the first key written: etcd deletes a range in key order, so the smallest key gone at that revision
            gone = sorted(k for k, st in at_rev.get(o["revision"], []) if st is None)
            if not gone or b(l, "key") != gone[0]:
                mismatch("entry %d (op %d %s): key %r, first key etcd deleted %r" % (ia, o["op"], o["kind"], b(l, "key"), gone[:1]))
        if "succeeded" in o:
            a = applied_of(l)
            if a is not None:
                napplied += 1
                if a != o["succeeded"]:
                    mismatch("entry %d (op %d txn): applied %r, etcd's succeeded %r" % (ia, o["op"], a, o["succeeded"]))
    # entries no op owns (start-up: conf change, empty, cluster attrs, alarm): no revision
    for i, l in byidx.items():
        if i not in owned and (l.get("revision") or 0):
            mismatch("entry %s (%s) not made by any op has revision %r" % (i, l.get("kind"), l.get("revision")))
    # every revision base+1..final made by exactly one entry, increasing with the index
    base = int(m.get("base_revision", "1"))
    revs = [(i, l["revision"]) for i, l in sorted(byidx.items()) if l.get("revision")]
    if [r for _, r in revs] != list(range(base + 1, final + 1)):
        mismatch("revisions in index order are not exactly %d..%d (%d entries with one)" % (base + 1, final, len(revs)))
    print("%s entries: %d ops' entries checked, %d txn applied flags compared%s" % (
        "ok" if not bad else "FAILED", n, napplied, "" if napplied else " (the output has no applied flag)"))


def main(a):
    if a[:1] == ["history"] and len(a) == 4:
        history(*a[1:])
    elif a[:1] == ["ls"] and len(a) in (4, 5):
        ls(*a[1:])
    elif a[:1] == ["entries"] and len(a) == 3:
        entries(*a[1:])
    else:
        sys.exit(__doc__)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
