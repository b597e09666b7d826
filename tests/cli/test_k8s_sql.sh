#!/usr/bin/env bash
# test_k8s_sql.sh: the Kubernetes columns of `export` (entries/revisions k8s_*, entries.txn_op),
# the k8s_objects view and the ready queries docs/queries/k8s-*.sql and lease-revoke-deletes.sql
# on fixtures/k8s-3.5. Expected values come from the generator's request log (ops.tsv: every
# txn with its UTC send time, outcome and etcd's response revision; objects.tsv: every key
# created, with its group/resource/namespace/name/kind), from etcd (etcd/keys-registry.json:
# `etcdctl get /registry --prefix`, values-registry.json, the killed member's restart lines in
# manifest.txt) and from Kubernetes' key layout (minions = nodes, services/specs = services,
# services/endpoints = endpoints), never from this program's output.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
S=k8s-3.5
F=$FIXTURES/$S
Q=$(cd "$(dirname "$0")/../../docs/queries" && pwd)
m() { manifest $S "$1"; }
# run QUERY on DB with named parameters: rq DB FILE [NAME VALUE]...
rq() {
	local db=$1 f=$2; shift 2
	local args=()
	while [ $# -ge 2 ]; do args+=(-cmd ".param set :$1 '$2'"); shift 2; done
	sqlite3 -batch -noheader -separator '|' "${args[@]}" "$db" <"$Q/$f"
}
q() { sqlite3 -batch -noheader -separator '|' "$@"; }

DB=$TMP/k.sqlite
expect_exit 0 "export n1 n2 n3" "$EA" export -q -o "$DB" n1="$F/n1.tar.gz" n2="$F/n2.tar.gz" n3="$F/n3.tar.gz"

# ---- txn_op: every apiserver txn classified as the generator sent it (ops.tsv op counts;
# compact-txn = the compactor's compact_rev_key txn); failed CAS = txns the generator saw fail
for n in n1 n2 n3; do
	for op in create update delete; do
		want=$(( $(m ops.$op.succeeded) + $(m ops.$op.failed) ))
		check "$n: txn_op $op = ops.tsv's $want" [ "$(q "$DB" "SELECT count(*) FROM entries WHERE node = '$n' AND committed AND txn_op = '$op'")" = "$want" ]
		check "$n: failed $op txns = ops.tsv's" [ "$(q "$DB" "SELECT count(*) FROM entries WHERE node = '$n' AND committed AND txn_op = '$op' AND txn_applied = 0")" = "$(m ops.$op.failed)" ]
	done
	want=$(( $(m ops.compact-txn.succeeded) + $(m ops.compact-txn.failed) ))
	check "$n: txn_op compact-marker = ops.tsv's compact-txn" [ "$(q "$DB" "SELECT count(*) FROM entries WHERE node = '$n' AND committed AND txn_op = 'compact-marker'")" = "$want" ]
done
check "txn_op NULL exactly when not a txn" [ "$(q "$DB" "SELECT count(*) FROM entries WHERE (txn_op IS NULL) <> (kind <> 'txn')")" = 0 ]

# ---- k8s columns of the live keys (the db's newest revision, not a tombstone) against
# objects.tsv, key by key, and the counts per key layout against etcd's (manifest keys.*)
check "k8s columns: >= 99 % of keys decode to the generator's group/resource/namespace/name/kind" \
	python3 - "$DB" "$F/objects.tsv" "$F/etcd/keys-registry.json" <<'EOF'
import sqlite3, sys, csv, json, base64
db = sqlite3.connect(sys.argv[1])
truth = {r["key"]: r for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")}
live = [base64.b64decode(k["key"]).decode() for k in json.load(open(sys.argv[3]))["kvs"]]
layout = {"minions": "nodes", "services/specs": "services", "services/endpoints": "endpoints"}
bad = 0
for node in ("n1", "n2", "n3"):
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT key, k8s_group, k8s_resource, k8s_namespace, k8s_name, k8s_kind FROM revisions r "
        "WHERE node = ? AND source = 'db' AND NOT tombstone AND main = "
        "(SELECT max(main) FROM revisions x WHERE x.node = r.node AND x.key = r.key)", (node,))}
    if sorted(k for k in rows if k.startswith("/registry/")) != sorted(live):
        print(node, "live keys differ from etcd's"); sys.exit(1)
    for k in live:
        t = truth[k]
        want = (t["group"], layout.get(t["key_resource"], t["key_resource"]), t["namespace"] or None, t["name"],
                t["kind"] or None)
        got = rows[k]
        if t["encoding"] == "encrypted": got, want = got[:4], want[:4]   # kind is inside the ciphertext
        if tuple(got) != want:
            bad += 1
            print(node, k, got, want)
total = 3 * len(live)
print("mismatches", bad, "of", total)
sys.exit(0 if bad * 100 <= total else 1)
EOF
# keys.<layout>[.<ns>] as the generator counted etcd's keys: the layout is the key's path segments
# naming the resource (group:plural for group-qualified keys, services:specs, ...)
sqlite3 -batch -noheader -separator '|' "$DB" "SELECT CASE WHEN k8s_group <> '' AND key LIKE '/registry/' || k8s_group || '/%' THEN k8s_group || ':' || k8s_resource
	  WHEN k8s_resource = 'nodes' THEN 'minions' WHEN k8s_resource IN ('services', 'endpoints') THEN 'services:' ||
	  CASE k8s_resource WHEN 'services' THEN 'specs' ELSE 'endpoints' END ELSE k8s_resource END, k8s_namespace, count(*)
	FROM revisions r WHERE node = 'n2' AND source = 'db' AND NOT tombstone AND k8s_resource IS NOT NULL
	 AND main = (SELECT max(main) FROM revisions x WHERE x.node = r.node AND x.key = r.key)
	GROUP BY 1, 2" >"$TMP/layout"
check "k8s_resource/k8s_namespace: live keys per resource = manifest keys.*" python3 "$(dirname "$0")/k8s_key_counts.py" "$TMP/layout" "$F/manifest.txt"
check "encrypted secret: k8s_encoding encrypted" [ "$(q "$DB" "SELECT count(DISTINCT key) FROM revisions WHERE node = 'n2' AND k8s_encoding = 'encrypted'")" \
	= "$(awk -F'\t' '$8 == "encrypted"' "$F/objects.tsv" | wc -l)" ]
# the export and `wal ls -w json` agree entry by entry (the same decoder)
"$EA" wal ls -w json "$F/n2.tar.gz" 2>/dev/null | jq -r 'select(.index) | [.index, (.txn.op // ""), (.k8s.resource // ""), (.k8s.namespace // ""), (.k8s.kind // ""), (.k8s.encoding // "")] | join("|")' >"$TMP/wal.txt"
q "$DB" "SELECT idx, COALESCE(txn_op, ''), COALESCE(k8s_resource, ''), COALESCE(k8s_namespace, ''), COALESCE(k8s_kind, ''), COALESCE(k8s_encoding, '') FROM entries WHERE node = 'n2' ORDER BY idx" >"$TMP/ex.txt"
check "entries' txn_op and k8s_* = wal ls -w json's txn.op and k8s" cmp -s "$TMP/wal.txt" "$TMP/ex.txt"
check "wal ls lists k8s entries" [ "$(grep -c '|events|' "$TMP/wal.txt")" -gt 100 ]

# ---- hot objects: the generator's hot object with its failed CAS, on every member
HOT=$(m hot_object.key)
check "hot-objects: top = manifest hot object, $(m hot_object.cas_failures) failed CAS" \
	[ "$(rq "$DB" k8s-hot-objects.sql limit 1 | cut -d'|' -f1,8)" = "$HOT|$(m hot_object.cas_failures)" ]
for n in n1 n2 n3; do
	check "hot-objects :node $n: same" [ "$(rq "$DB" k8s-hot-objects.sql node $n limit 1 | cut -d'|' -f1,8)" = "$HOT|$(m hot_object.cas_failures)" ]
	check "k8s_objects $n: hot object's failed_cas" [ "$(q "$DB" "SELECT failed_cas FROM k8s_objects WHERE node = '$n' AND key = '$HOT'")" = "$(m hot_object.cas_failures)" ]
done
# writes of the hot object over the whole log: its successful txns in ops.tsv
W=$(awk -F'\t' -v k="$HOT" '$5 == k && $12 == "true"' "$F/ops.tsv" | wc -l)
check "k8s_objects: hot object's writes = its successful txns ($W)" [ "$(q "$DB" "SELECT writes FROM k8s_objects WHERE node = 'n2' AND key = '$HOT'")" = "$W" ]
# objects: one per key ever created; deleted = deleted by the generator or by a lease revoke
check "k8s_objects: one row per created key" [ "$(q "$DB" "SELECT count(*) FROM k8s_objects WHERE node = 'n2'")" = "$(awk -F'\t' 'NR > 1' "$F/objects.tsv" | wc -l)" ]
check "k8s_objects: live ones = etcd's keys" [ "$(q "$DB" "SELECT count(*) FROM k8s_objects WHERE node = 'n2' AND deleted = 0")" = "$(m keys.registry_total)" ]

# ---- largest objects and most history, from etcd's final values and ops.tsv
check "largest-objects :by size: the largest value etcd holds" python3 - "$F/etcd/values-registry.json" \
	"$(rq "$DB" k8s-largest-objects.sql by size node n2 limit 1 | cut -d'|' -f1,7)" <<'EOF'
import json, sys, base64
kvs = json.load(open(sys.argv[1]))["kvs"]
big = max(kvs, key=lambda k: len(base64.b64decode(k.get("value", ""))))
want = "%s|%d" % (base64.b64decode(big["key"]).decode(), len(base64.b64decode(big["value"])))
print(want, sys.argv[2]); sys.exit(0 if want == sys.argv[2] else 1)
EOF
# revisions kept since the compaction at C: the key's writes after C, plus its put at or
# before C when the key was live at C (a compaction keeps it); bytes = their value sizes
check "largest-objects :by history: revisions and bytes kept = ops.tsv's writes since the compaction" python3 - \
	"$F/ops.tsv" "$(m last_compaction_revision)" "$(rq "$DB" k8s-largest-objects.sql by history node n2 limit 1 | cut -d'|' -f1,8,9)" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")
        if r["op"] in ("create", "update", "delete") and r["succeeded"] == "true"]
C = int(sys.argv[2]); key, kept, nbytes = sys.argv[3].split("|")
mine = sorted((int(r["revision"]), r) for r in rows if r["key"] == key)
after = [r for rev, r in mine if rev > C]
before = [r for rev, r in mine if rev <= C]
if before and before[-1]["op"] != "delete": after = [before[-1]] + after
want = (len(after), sum(int(r["value_bytes"]) for r in after if r["op"] != "delete"))
print(key, want, kept, nbytes); sys.exit(0 if want == (int(kept), int(nbytes)) else 1)
EOF

# ---- the keys a lease revoke deleted: the masterlease key, whose last lease etcd revoked
# after the generator stopped re-putting it (ops.tsv: its last update's lease)
LEASE=$(awk -F'\t' '$6 == "masterleases" && $12 == "true"' "$F/ops.tsv" | tail -n 1 | cut -f10)
LKEY=$(awk -F'\t' '$6 == "masterleases" && $12 == "true"' "$F/ops.tsv" | tail -n 1 | cut -f5)
LHEX=$(printf '%x' "$LEASE")
check "masterlease key gone in etcd's final keys" [ "$(m keys.masterleases)" = "" ]
check "lease-revoke-deletes: only $LKEY by lease $LHEX, at etcd's final revision" \
	[ "$(rq "$DB" lease-revoke-deletes.sql node n2 | cut -d'|' -f4,5,7,11)" = "$LHEX|$(m n2.revision)|$LKEY|$LHEX" ]
check "lease-revoke-deletes :lease: same on every member" [ "$(rq "$DB" lease-revoke-deletes.sql lease "$LHEX" | cut -d'|' -f1,7 | tr '\n' ' ')" = "n1|$LKEY n2|$LKEY n3|$LKEY " ]

# ---- objects the lagging member lacks: n1 as the kill left it (its db at the revision etcd
# restored on restart, manifest killed.kvstore_restored_rev) against n2's final state: the keys
# etcd holds at the end whose create revision is past that one (etcd's keys-registry.json)
LAG=$TMP/lag.sqlite
expect_exit 1 "export n2 n1-at-kill" "$EA" export -q -o "$LAG" n2="$F/n2.tar.gz" n1-at-kill="$F/n1-at-kill.tar.gz"
check "n1-at-kill db revision = etcd's restored revision" [ "$(q "$LAG" "SELECT revision FROM nodes WHERE node = 'n1-at-kill'")" = "$(m killed.kvstore_restored_rev)" ]
WANT=$(python3 -c '
import json, sys, base64
kvs = json.load(open(sys.argv[1]))["kvs"]
print("\n".join(sorted(base64.b64decode(k["key"]).decode() for k in kvs if k["create_revision"] > int(sys.argv[2]))))' \
	"$F/etcd/keys-registry.json" "$(m killed.kvstore_restored_rev)")
# the same set from ops.tsv: created after the leader was killed
AFTER=$(awk -F'\t' -v t="$(m killed_leader_at_utc)" '$4 == "create" && $12 == "true" && $2 > t {print $5}' "$F/ops.tsv" | sort)
check "truth: created after the kill = created past the restored revision" [ "$WANT" = "$AFTER" ]
check "lagging-objects :has n2 :lacks n1-at-kill = $(echo "$WANT" | wc -l) objects" \
	[ "$(rq "$LAG" k8s-lagging-objects.sql has n2 lacks n1-at-kill | cut -d'|' -f1 | sort)" = "$WANT" ]
# the other way round: keys live at that revision that etcd no longer holds (deleted since)
GONE=$(python3 -c '
import json, sys, csv, base64
final = {base64.b64decode(k["key"]).decode() for k in json.load(open(sys.argv[1]))["kvs"]}
ops = [r for r in csv.DictReader(open(sys.argv[2]), delimiter="\t") if r["succeeded"] == "true" and r["op"] in ("create", "delete")]
live = set()
for r in sorted(ops, key=lambda r: int(r["revision"])):
    if int(r["revision"]) <= int(sys.argv[3]): (live.add if r["op"] == "create" else live.discard)(r["key"])
print("\n".join(sorted(k + "|deleted" for k in live - final)))' "$F/etcd/keys-registry.json" "$F/ops.tsv" "$(m killed.kvstore_restored_rev)")
check "lagging-objects :has n1-at-kill :lacks n2: the keys deleted since" \
	[ "$(rq "$LAG" k8s-lagging-objects.sql has n1-at-kill lacks n2 | cut -d'|' -f1,7 | sort)" = "$GONE" ]

# ---- writes in a window and event storms need entries.approx_time. Until the time estimate
# fills it, this test fills a copy of the export from the generator's truth (ops.tsv: the send
# time of the txn that made each revision, joined by entries.revision, at the millisecond as
# approx_time is written) and checks the queries against the manifest's incident numbers.
T=$TMP/t.sqlite
cp "$DB" "$T"
sqlite3 -batch "$T" <<EOF || fail "fill approx_time"
.mode tabs
.import $F/ops.tsv ops
UPDATE entries SET approx_time = (SELECT substr(o.sent_utc, 1, 23) || 'Z' FROM ops o
  WHERE o.succeeded = 'true' AND o.op IN ('create', 'update', 'delete', 'compact-txn')
    AND CAST(o.revision AS INTEGER) = entries.revision)
 WHERE revision IS NOT NULL;
EOF
WIN=$(m incident.window_utc)
A=${WIN%%..*} B=${WIN##*..}
A="${A:0:23}Z" B="${B:0:23}Z"   # at the millisecond, as approx_time (no write in ops.tsv falls in either millisecond before its bound)
got=$(rq "$T" k8s-writes-by-resource.sql since "$A" until "$B" node n2 | head -n 5 |
	awk -F'|' '{print $2 "/" ($3 == "" ? "-" : $3) ":" $4}' | sort | tr '\n' ',')
want=$(m incident.writes_by_resource_ns | tr ',' '\n' | sort | tr '\n' ',')
check "writes-by-resource in the incident window = manifest ($want; got $got)" [ "$got" = "$want" ]
got=$(rq "$T" k8s-hot-objects.sql since "$A" until "$B" | head -n 3 | cut -d'|' -f1,7 | sort -t'|' -k2nr | tr '|\n' ':,')
check "hot-objects in the incident window: top writers = manifest (got $got)" [ "${got%,}" = "$(m incident.writes_by_key)" ]
check "writes-by-resource without a window: every decoded write" [ "$(rq "$T" k8s-writes-by-resource.sql node n2 | awk -F'|' '{s += $4 + $5} END {print s}')" \
	= "$(q "$T" "SELECT count(*) FROM entries WHERE node = 'n2' AND committed AND k8s_resource IS NOT NULL")" ]
got=$(rq "$T" k8s-event-storms.sql | awk -F'|' '{print $1 "@" $2 "=" $3}' | sort | tr '\n' ',')
want=$(m events_created_per_ns_minute | tr ',' '\n' | sort | tr '\n' ',')
check "event-storms: events created per namespace and minute = manifest (got $got)" [ "$got" = "$want" ]
check "event-storms: the storm first" [ "$(rq "$T" k8s-event-storms.sql min 100 | cut -d'|' -f1,2)" = "payments|2026-12-05T14:27" ]
check "k8s_objects: first/last time of the hot object" [ "$(q "$T" "SELECT first_time IS NOT NULL AND last_time > first_time FROM k8s_objects WHERE node = 'n2' AND key = '$HOT'")" = 1 ]

# ---- --k8s-prefix: another prefix decodes nothing under /registry; a bad one is a usage error
expect_exit 0 "export --k8s-prefix /kubernetes.io" "$EA" export -q --k8s-prefix /kubernetes.io -o "$TMP/o.sqlite" "$F/n3.tar.gz"
check "--k8s-prefix /kubernetes.io: no k8s columns" [ "$(q "$TMP/o.sqlite" "SELECT count(k8s_resource) FROM entries") $(q "$TMP/o.sqlite" "SELECT count(*) FROM k8s_objects")" = "0 0" ]
check "--k8s-prefix /kubernetes.io: txn_op still filled" [ "$(q "$TMP/o.sqlite" "SELECT count(txn_op) > 0 FROM entries")" = 1 ]
expect_exit 0 "export --k8s-prefix /registry/,/openshift.io" "$EA" export -q --k8s-prefix /registry/,/openshift.io -o "$TMP/o2.sqlite" "$F/n3.tar.gz"
check "--k8s-prefix list: same objects" [ "$(q "$TMP/o2.sqlite" "SELECT count(*) FROM k8s_objects WHERE deleted = 0")" = "$(m keys.registry_total)" ]
expect_exit 2 "export --k8s-prefix ''" "$EA" export -q --k8s-prefix '' -o "$TMP/o3.sqlite" "$F/n3.tar.gz"
expect_exit 2 "export --k8s-prefix with 5 prefixes" "$EA" export -q --k8s-prefix /a,/b,/c,/d,/e -o "$TMP/o3.sqlite" "$F/n3.tar.gz"
check "no output after a usage error" [ ! -e "$TMP/o3.sqlite" ]
finish
