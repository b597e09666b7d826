# test_k8s_fixture.sh: fixtures/k8s-3.5 (etcd 3.5.30, Kubernetes-shaped: values by the real
# k8s serializers, writes shaped as kube-apiserver's) is what its manifest says. Expected
# values come from etcd (manifest.txt: etcdctl -w json, the killed member's restart lines;
# etcd/keys-registry.json: `etcdctl get /registry --prefix --keys-only`) and from the
# generator's request log (ops.tsv: every txn with etcd's response revision), never from
# this program's output.
. "$(dirname "$0")/lib.sh"

S=k8s-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
V=$(m etcd_version)
check "fixture is etcd 3.5" [ "${V#3.5.}" != "$V" ]
C=$(m last_compaction_revision)
check "last compaction = etcd's compact_rev_key value" [ "$C" = "$(m compact_rev_key.value)" ]

for n in n1 n2 n3; do
	expect_exit 0 "$n db stat" "$EA" db stat -w json "$F/$n.tar.gz"
	j=$TMP/out
	check "$n: revision = endpoint status" [ "$(jq -r .revision "$j")" = "$(m $n.revision)" ]
	check "$n: compact revision = last compaction sent" [ "$(jq -r .compact_revision "$j")" = "$C" ]
	check "$n: compact revision = etcd's hashkv compact_revision" [ "$(jq -r .compact_revision "$j")" = "$(m $n.hashkv_compact_revision)" ]
	check "$n: consistent index = raftAppliedIndex" [ "$(jq -r .consistent_index "$j")" = "$(m $n.raft_applied_index)" ]
	check "$n: bbolt size = endpoint status dbSize" [ "$(jq -r .total_size "$j")" = "$(m $n.db_size)" ]
	expect_exit 0 "$n db hash" "$EA" db hash -w json "$F/$n.tar.gz"
	check "$n: hash = endpoint hashkv" [ "$(jq -r .hash "$TMP/out")" = "$(m $n.hashkv)" ]
	R=$(m $n.hashkv_rev)
	expect_exit 0 "$n db hash --rev" "$EA" db hash -w json --rev "$R" "$F/$n.tar.gz"
	check "$n: hash at $R = endpoint hashkv --rev" [ "$(jq -r .hash "$TMP/out")" = "$(m $n.hashkv_at_rev)" ]
	expect_exit 0 "$n wal stat" "$EA" wal stat -w json "$F/$n.tar.gz"
	check "$n: WAL last index = raftIndex" [ "$(jq -r .last_index "$TMP/out")" = "$(m $n.raft_index)" ]
	check "$n: HardState commit = raftIndex" [ "$(jq -r .hard_state.commit "$TMP/out")" = "$(m $n.raft_index)" ]
	check "$n: HardState term = raftTerm" [ "$(jq -r .hard_state.term "$TMP/out")" = "$(m $n.raft_term)" ]
done

# ---- the keys under /registry: exactly the ones etcdctl listed, counted per layout
expect_exit 0 "db ls /registry/" "$EA" db ls -w json --prefix /registry/ "$F/n1.tar.gz"
cp "$TMP/out" "$TMP/ls.json"
check "key count = etcdctl's" [ "$(wc -l <"$TMP/ls.json")" = "$(m keys.registry_total)" ]
check "same keys as etcdctl get --prefix --keys-only" python3 - "$TMP/ls.json" "$F/etcd/keys-registry.json" <<'EOF'
import json,sys,base64
ours=[json.loads(l)["key"] for l in open(sys.argv[1])]
etcd=[base64.b64decode(k["key"]).decode() for k in json.load(open(sys.argv[2]))["kvs"]]
sys.exit(0 if ours==etcd else 1)
EOF
sed -n 's/^keys\.\([^=]*\)=\(.*\)$/\1 \2/p' "$F/manifest.txt" | grep -v '^registry_total ' >"$TMP/layouts"
check "manifest has per-layout counts" [ "$(wc -l <"$TMP/layouts")" -ge 15 ]
while read -r lay want; do
	p="/registry/${lay//://}/"
	check "count under $p = $want" [ "$(jq -r .key "$TMP/ls.json" | grep -c "^$p")" = "$want" ]
done <"$TMP/layouts"
sed -n 's/^keys_ns\.\([^=]*\)=\(.*\)$/\1 \2/p' "$F/manifest.txt" >"$TMP/nss"
while read -r lns want; do
	lay=${lns%.*}; ns=${lns##*.}
	p="/registry/${lay//://}/$ns/"
	check "count under $p = $want" [ "$(jq -r .key "$TMP/ls.json" | grep -c "^$p")" = "$want" ]
done <"$TMP/nss"

# ---- values: the encodings the generator recorded per key (objects.tsv)
check "values start as their encoding says (k8s\\0 / { / k8s:enc:aescbc:v1:key1:)" python3 - "$TMP/ls.json" "$F/objects.tsv" "$(m aescbc_key_name)" <<'EOF'
import json,sys
vals={}
for l in open(sys.argv[1]):
    j=json.loads(l); vals[j["key"]]=j["value"]
rows=[l.rstrip("\n").split("\t") for l in open(sys.argv[2])][1:]
want={"protobuf":"k8s\x00","json":"{","encrypted":"k8s:enc:aescbc:v1:%s:"%sys.argv[3]}
seen=set(); bad=0
for r in rows:
    key,enc=r[0],r[7]
    if key in vals:
        seen.add(enc)
        if not vals[key].startswith(want[enc]): bad+=1
sys.exit(0 if bad==0 and seen=={"protobuf","json","encrypted"} else 1)
EOF

# ---- decoded.tsv: Kubernetes' own decoders read every value etcd returned; it agrees with
# what the generator recorded (objects.tsv) for every live key, and covers etcd's key list
check "decoded.tsv = etcd's keys, each decoded, matching objects.tsv" python3 - "$F/decoded.tsv" "$F/objects.tsv" "$F/etcd/keys-registry.json" <<'EOF'
import json,sys,base64
def tsv(p):
    rows=[l.rstrip("\n").split("\t") for l in open(p)]
    return {r[0]:dict(zip(rows[0],r)) for r in rows[1:]}
dec=tsv(sys.argv[1]); obj=tsv(sys.argv[2])
etcd=[base64.b64decode(k["key"]).decode() for k in json.load(open(sys.argv[3]))["kvs"]]
bad=[k for k in etcd if k not in dec or dec[k]["extra"].startswith("error")]
for k,d in dec.items():
    o=obj.get(k)
    if o is None or o["deleted_by_generator"]!="0": bad.append(k); continue
    for f in ("encoding","api_version","kind","namespace","uid","created"):
        if d[f]!=o[f]: bad.append(k+":"+f)
    if d["name"] and d["name"]!=o["name"]: bad.append(k+":name")
    if d["resource_version"]!="": bad.append(k+":rv")
sys.exit(0 if not bad and len(dec)==len(etcd) else 1)
EOF

# ---- compactor key (no /registry prefix), as etcdctl get compact_rev_key said
expect_exit 0 "db ls compact_rev_key" "$EA" db ls -w json --prefix compact_rev_key "$F/n1.tar.gz"
check "compact_rev_key value" [ "$(jq -r .value "$TMP/out")" = "$(m compact_rev_key.value)" ]
check "compact_rev_key version" [ "$(jq -r .version "$TMP/out")" = "$(m compact_rev_key.version)" ]
check "compact_rev_key mod revision" [ "$(jq -r .mod_revision "$TMP/out")" = "$(m compact_rev_key.mod_revision)" ]

# ---- history above the compaction = the generator's successful writes (etcd's response
# revisions in ops.tsv); the masterlease also has the tombstone of etcd's lease revoke,
# which the generator never sent
hist_vs_ops() { # KEY EXTRA_TOMBSTONE(0|1)
	"$EA" db history -w json "$F/n1.tar.gz" "$1" >"$TMP/h.json" || return 1
	python3 - "$TMP/h.json" "$F/ops.tsv" "$1" "$C" "$2" "$(m n1.revision)" <<'EOF'
import json,sys
h=[json.loads(l) for l in open(sys.argv[1])]
key,C,extra,last=sys.argv[3],int(sys.argv[4]),sys.argv[5]=="1",int(sys.argv[6])
rows=[l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
hd=rows[0]; rows=[dict(zip(hd,r)) for r in rows[1:]]
ops=sorted(int(r["revision"]) for r in rows if r["key"]==key and r["succeeded"]=="true" and int(r["revision"])>C)
db=sorted(x["revision"] for x in h if x["revision"]>C and not x["tombstone"])
tomb=[x["revision"] for x in h if x["tombstone"]]
if extra:
    ok = db==ops and tomb==[last] and last not in ops
else:
    ok = sorted(db+[t for t in tomb if t>C])==ops
sys.exit(0 if ok else 1)
EOF
}
hot=$(m hot_object.key)
check "hot object history above $C = its successful updates in ops.tsv" hist_vs_ops "$hot" 0
check "hot object had CAS failures" [ "$(m hot_object.cas_failures)" -gt 10 ]
check "node lease history = ops" hist_vs_ops /registry/leases/kube-node-lease/node-a 0
check "scheduler lease history = ops" hist_vs_ops /registry/leases/kube-system/kube-scheduler 0
check "masterlease: re-puts = ops, then etcd's lease revoke tombstone at the last revision" \
	hist_vs_ops /registry/masterleases/172.18.0.2 1
check "no masterlease left (keys.masterleases absent from etcdctl's list)" [ -z "$(m keys.masterleases)" ]

# ---- the WAL holds the generator's requests one to one: one client sending sequentially,
# so its txn entries, in index order, are ops.tsv's answered txns (succeeded true|false) in
# order (the request that timed out at the leader kill has no entry), plus one entry per
# compaction and lease grant sent
expect_exit 0 "n1 wal ls" "$EA" wal ls -w json "$F/n1.tar.gz"
cp "$TMP/out" "$TMP/wal.json"
check "WAL txn keys in order = ops.tsv txn keys in order" python3 - "$TMP/wal.json" "$F/ops.tsv" <<'EOF'
import json,sys
w=[json.loads(l) for l in open(sys.argv[1])]
rows=[l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
hd=rows[0]; rows=[dict(zip(hd,r)) for r in rows[1:]]
ops=[r["key"] for r in rows if r["op"] in ("create","update","delete","compact-txn") and r["succeeded"] in ("true","false")]
sys.exit(0 if [e.get("key") for e in w if e["kind"]=="txn"]==ops else 1)
EOF
check "WAL txn count = ops.txn_total" [ "$(jq -r 'select(.kind=="txn")|.index' "$TMP/wal.json" | wc -l)" = "$(m ops.txn_total)" ]
check "WAL compaction entries = compactions sent" \
	[ "$(jq -r 'select(.kind=="compaction")|.index' "$TMP/wal.json" | wc -l)" = "$(m compactions | tr ',' '\n' | wc -l)" ]
check "WAL lease grants = ops.lease_grants" [ "$(jq -r 'select(.kind=="lease_grant")|.index' "$TMP/wal.json" | wc -l)" = "$(m ops.lease_grants)" ]

# ---- the killed leader as its SIGKILL left it: what etcd itself said when it restarted
# (newRaft line, mvcc "kvstore restored" / "restored last compact revision")
K=$(m killed_leader)
AK=$F/$K-at-kill.tar.gz
expect_exit 0 "at-kill wal stat" "$EA" wal stat -w json "$AK"
check "at-kill: last index = newRaft lastindex" [ "$(jq -r .last_index "$TMP/out")" = "$(m killed.restart_lastindex)" ]
check "at-kill: last term = newRaft lastterm" [ "$(jq -r .last_term "$TMP/out")" = "$(m killed.restart_lastterm)" ]
check "at-kill: HardState commit = newRaft commit" [ "$(jq -r .hard_state.commit "$TMP/out")" = "$(m killed.restart_commit)" ]
check "at-kill: HardState term = newRaft term" [ "$(jq -r .hard_state.term "$TMP/out")" = "$(m killed.restart_term)" ]
expect_exit 0 "at-kill db stat" "$EA" db stat -w json "$AK"
check "at-kill: db revision = kvstore restored current-rev" [ "$(jq -r .revision "$TMP/out")" = "$(m killed.kvstore_restored_rev)" ]
check "at-kill: compact revision = restored last compact revision" [ "$(jq -r .compact_revision "$TMP/out")" = "$(m killed.restored_compact_revision)" ]
check "at-kill: the lagging member is behind the survivors" [ "$(m killed.restart_commit)" -lt "$(m survivors_before_restart.raft_index)" ]

finish
