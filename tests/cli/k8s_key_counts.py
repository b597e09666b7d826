#!/usr/bin/env python3
"""k8s_key_counts.py GOT MANIFEST: exit 0 when the live keys per key layout and namespace in GOT
(lines "layout|namespace|count", the namespace empty when cluster-scoped; several lines of one
layout add up) equal the ones etcd listed for the fixture (MANIFEST keys.<layout> and
keys_ns.<layout>.<namespace>: `etcdctl get /registry --prefix` counted by the generator), else 1
with both printed. Shared by test_k8s_space.sh and test_k8s_sql.sh."""
import collections
import sys

got, gotns = collections.Counter(), collections.Counter()
for l in open(sys.argv[1]):
    r, ns, c = l.rstrip("\n").split("|")
    got[r] += int(c)
    if ns: gotns[r + "." + ns] += int(c)
want, wantns = {}, {}
for l in open(sys.argv[2]):
    k, _, v = l.strip().partition("=")
    if k.startswith("keys.") and k != "keys.registry_total": want[k[5:]] = int(v)
    if k.startswith("keys_ns."): wantns[k[8:]] = int(v)
ok = dict(got) == want and dict(gotns) == wantns
if not ok: print(dict(got), want, dict(gotns), wantns)
sys.exit(0 if ok else 1)
