#!/usr/bin/env python3
"""replay_check_restored.py REPLAY_JSONL FIXDIR: `replay NODE -w json --all` of a member restored
with `etcdutl snapshot restore` whose db was compacted since (fixtures/replay-restored), against
etcd's own answers (ops.jsonl, manifest.txt; helpers from replay_check.py). The window's base
revision is not in the db, so the replay anchors on the compaction C (manifest
compact_revision): the entry of the op that made revision C+1 and every later one carry
exactly the revision etcd reported (matches-db) or none (no-revision, when etcd made none), a
txn's applied flag equals etcd's succeeded; every entry before it carries no revision number
at all (unknown, or no-revision) - never a wrong one. Prints "ok ..." or MISMATCH lines; exit 1."""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_check as rc  # noqa: E402


def main(jl, fx):
    m = rc.manifest(fx)
    c = int(m["compact_revision"])
    ops, _ = rc.load(fx)
    lines = {l["index"]: l for l in map(json.loads, open(jl)) if l.get("index")}
    own = [o for o in ops if o.get("raft_index_before") is not None and o.get("raft_index_after") == o["raft_index_before"] + 1]
    first = min((o["raft_index_after"] for o in own if o["made_revision"] and o["revision"] == c + 1), default=None)
    if first is None:
        rc.mismatch("no op made revision %d" % (c + 1))
        return
    tail = head = napplied = 0
    for o in own:
        i = o["raft_index_after"]
        l = lines.get(i)
        if l is None:
            rc.mismatch("op %d: no line for entry %d" % (o["op"], i))
            continue
        rev = l.get("revision") or 0
        if i < first:
            head += 1
            if rev or l.get("result") not in ("unknown", "no-revision"):
                rc.mismatch("entry %d (op %d %s) before the anchor: revision %r result %r" % (i, o["op"], o["kind"], rev, l.get("result")))
            continue
        tail += 1
        want = o["revision"] if o["made_revision"] else 0
        res = "matches-db" if want else "no-revision"
        if rev != want or l.get("result") != res:
            rc.mismatch("entry %d (op %d %s): revision %r result %r, etcd: %r (%s)" % (i, o["op"], o["kind"], rev, l.get("result"), want, res))
        if "succeeded" in o and rc.applied_of(l) is not None:
            napplied += 1
            if rc.applied_of(l) != o["succeeded"]:
                rc.mismatch("entry %d (op %d txn): applied %r, etcd's succeeded %r" % (i, o["op"], rc.applied_of(l), o["succeeded"]))
    print("%s restored: %d entries from index %d (revision %d) checked against etcd, %d txn applied flags, %d before it carry no revision" %
          ("ok" if not rc.bad else "FAILED", tail, first, c + 1, napplied, head))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
    sys.exit(1 if rc.bad else 0)
