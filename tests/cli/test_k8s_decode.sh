# test_k8s_decode.sh: Kubernetes objects and kube-apiserver's txns decoded from the bytes, on
# fixtures/k8s-3.5 (a real etcd 3.5.30 cluster written by the real Kubernetes serializers,
# shaped as kube-apiserver's etcd3 store writes). Every expected value is the generator's
# recorded truth (objects.tsv: every object it created with its kind, uid and creation time;
# ops.tsv: every txn it sent, with the revision it expected and its lease), etcd's own key
# listing (etcd/keys-registry.json) or the manifest, never this program's output.
. "$(dirname "$0")/lib.sh"

S=k8s-3.5
F=$FIXTURES/$S
[ -f "$F/manifest.txt" ] || { echo "fixture $S missing: skipping"; exit 77; }
m() { manifest $S "$1"; }
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

# the API's plural for kube-apiserver's key segments (its SpecialDefaultResourcePrefixes)
api_resource() {
	case $1 in
	minions) echo nodes ;; services/specs | services:specs) echo services ;;
	services/endpoints | services:endpoints) echo endpoints ;; *:*) echo "${1#*:}" ;; *) echo "$1" ;;
	esac
}

# ---- db ls: every live key decodes to the generator's object ----
# truth: the keys etcd listed (keys-registry.json) with their objects.tsv row; encrypted
# values name only provider:key (kind, uid and time are inside the ciphertext)
python3 - "$F" >"$TMP/truth.tsv" <<'EOF'
import base64, csv, json, sys
F = sys.argv[1]
live = {base64.b64decode(kv["key"]).decode() for kv in json.load(open(F + "/etcd/keys-registry.json"))["kvs"]}
special = {"minions": "nodes", "services/specs": "services", "services/endpoints": "endpoints"}
rows = {}
for r in csv.DictReader(open(F + "/objects.tsv"), delimiter="\t"):
    if r["key"] not in live:
        continue
    res = special.get(r["key_resource"], r["key_resource"])
    enc = r["encoding"]
    kind, av, uid, created = (r["kind"], r["api_version"], r["uid"], r["created"]) if enc != "encrypted" else ("", "", "", "")
    rows[r["key"]] = [r["key"], r["group"], res, r["namespace"], r["name"], av, kind, enc, r["encryption"], uid, created]
missing = sorted(live - set(rows))
if missing:
    sys.exit("keys etcd lists that objects.tsv lacks: %s" % missing[:3])
for k in sorted(rows):
    print("\t".join(rows[k]))
EOF
check "truth: etcd's live keys" [ "$(wc -l <"$TMP/truth.tsv")" = "$(m keys.registry_total)" ]
check "truth holds an encrypted secret" grep -q "	encrypted	aescbc:$(m aescbc_key_name)	" "$TMP/truth.tsv"

DECODE='select(.k8s) | [.key, .k8s.group, .k8s.resource, (.k8s.namespace // ""), .k8s.name, (.k8s.api_version // ""),
  (.k8s.kind // ""), .k8s.encoding, (if .k8s.encryption then "\(.k8s.encryption.provider):\(.k8s.encryption.key)" else "" end),
  (.k8s.uid // ""), (.k8s.created // "")] | @tsv'
for n in n1 n2 n3; do
	expect_exit 0 "$n db ls" "$EA" db ls "$F/$n.tar.gz" -w json
	jq -r "$DECODE" "$TMP/out" | sort >"$TMP/$n.tsv"
	check "$n: every live key decodes to its object (resource, namespace, name, kind, uid, created, encryption)" \
		diff "$TMP/truth.tsv" "$TMP/$n.tsv"
done
check "a key outside the prefix has no k8s member" \
	[ "$(jq -r 'select(.key == "compact_rev_key") | has("k8s")' "$TMP/out")" = false ]
check "compact_rev_key is listed" [ "$(jq -r 'select(.key == "compact_rev_key") | .key' "$TMP/out")" = compact_rev_key ]

# ---- --resource / --namespace: the manifest's counts per resource and namespace ----
mkdir -p "$TMP/n1" && tar -C "$TMP/n1" -xzf "$F/n1.tar.gz"   # read many times: unpacked once
P=$(dirname "$(find "$TMP/n1" -path '*/member/snap/db' | head -n 1)")
P=${P%/member/snap}
count() { "$EA" db ls "$P" -w json "$@" | jq -s length; }
while IFS='=' read -r k v; do
	r=$(api_resource "${k#keys.}")
	check "db ls --resource $r: $v keys (${k})" [ "$(count --resource "$r")" = "$v" ]
done < <(grep '^keys\.[a-z]' "$F/manifest.txt" | grep -v '^keys\.registry_total=')
while IFS='=' read -r k v; do
	k=${k#keys_ns.}
	ns=${k##*.} r=$(api_resource "${k%.*}")
	check "db ls --resource $r --namespace $ns: $v keys" [ "$(count --resource "$r" --namespace "$ns")" = "$v" ]
done < <(grep '^keys_ns\.' "$F/manifest.txt")
expect_exit 0 "a resource with no key" "$EA" db ls "$P" --resource nosuchthings
check "it says so" grep -q "no key matches --resource/--namespace" "$TMP/err"

# the table names objects, not bytes
HOT=$(m hot_object.key)
expect_exit 0 "db ls table" "$EA" db ls "$P" --resource deployments --namespace payments
check "table: apps/v1 Deployment payments/checkout" grep -q "^.* $HOT = apps/v1 Deployment payments/checkout [0-9]* B$" "$TMP/out"
expect_exit 0 "db ls secrets" "$EA" db ls "$P" --resource secrets
check "table: the encrypted secret by provider and key" grep -q " = encrypted aescbc:$(m aescbc_key_name) " "$TMP/out"

# ---- db get --k8s: the hot object at its last write ----
LAST=$(awk -F'\t' -v k="$HOT" '$5 == k && $12 == "true" { r = $13 } END { print r }' "$F/ops.tsv")
expect_exit 0 "db get --k8s" "$EA" db get "$P" "$HOT" --k8s -w json
check "db get: the hot object's last successful write ($LAST)" [ "$(jq -r .mod_revision "$TMP/out")" = "$LAST" ]
check "db get: uid as created" [ "$(jq -r .k8s.uid "$TMP/out")" = "$(awk -F'\t' -v k="$HOT" '$1 == k { print $10 }' "$F/objects.tsv")" ]
check "db get: ObjectMeta as protobuf text" [ "$(jq '.k8s_text | test("object \\(protobuf, field numbers\\):\n  1 \\{\n    1: \"checkout\"\n")' "$TMP/out")" = true ]
# --rev: a key written twice after the last compaction (older revisions are compacted away),
# read at its earlier write; and a revision below the compaction is refused
C=$(m last_compaction_revision)
read -r RK RREV < <(awk -F'\t' -v c="$C" '$12 == "true" && $13 + 0 > c + 0 && $5 ~ /^\/registry\// {
	if (seen[$5]++ == 1) { print $5, first[$5]; exit } first[$5] = $13 }' "$F/ops.tsv")
check "a key written twice after the compaction" [ -n "$RREV" ]
expect_exit 0 "db get --rev" "$EA" db get "$P" "$RK" --rev "$RREV"
check "db get --rev: that revision's value" grep -q "^mod_revision      $RREV$" "$TMP/out"
expect_exit 2 "db get --rev below the compaction" "$EA" db get "$P" "$HOT" --rev "$((C - 1))"
check "it says compacted" grep -q "has been compacted" "$TMP/err"
expect_exit 2 "--k8s on db ls" "$EA" db ls "$P" --k8s
expect_exit 2 "--resource on db stat" "$EA" db stat "$P" --resource pods
expect_exit 2 "--namespace on wal stat" "$EA" wal stat "$P" --namespace payments
expect_exit 2 "empty --resource" "$EA" db ls "$P" --resource ''
expect_exit 2 "an empty prefix list" "$EA" db ls "$P" --k8s-prefix ,
expect_exit 0 "another prefix: nothing is Kubernetes" "$EA" db ls "$P" -w json --k8s-prefix /kubernetes.io
check "no k8s member under /kubernetes.io" [ "$(jq -c 'select(.k8s)' "$TMP/out" | wc -l)" = 0 ]

# ---- db get --k8s: ObjectMeta as the real Kubernetes decoder read it (decoded.tsv) ----
if [ -f "$F/decoded.tsv" ]; then
	nget=0
	while IFS=$'\t' read -r key enc _ _ _ _ _ gname _ _ _ owners nmf mtimes _; do
		[ "$nmf" -gt 0 ] 2>/dev/null || continue
		[ "$enc" = protobuf ] || [ "$enc" = json ] || continue
		"$EA" db get "$P" "$key" --k8s >"$TMP/get" 2>/dev/null || { fail "db get --k8s $key"; continue; }
		# lines "managed_fields    MANAGER OPERATION APIVERSION TIME [subresource=S]", then indented ones
		got=$(awk '/^managed_fields/ { on = 1 } /^[a-z(]/ && !/^managed_fields/ { on = 0 }
			on { sub(/^managed_fields/, ""); print $1 "@" $4 }' "$TMP/get" | paste -sd,)
		check "db get --k8s $key: managed fields (manager@time) as decoded by Kubernetes" [ "$got" = "$mtimes" ]
		if [ "$enc" = protobuf ]; then
			check "db get --k8s $key: generateName" [ "$(sed -n 's/^generate_name *//p' "$TMP/get")" = "${gname#-}" ]
			check "db get --k8s $key: owners" [ "$(sed -n 's/^owner_references *\([^ ]*\) .*/\1/p' "$TMP/get" | paste -sd,)" = "${owners#-}" ]
		fi
		nget=$((nget + 1))
	done < <(awk -F'\t' -v OFS='\t' 'NR > 1 { for (i = 1; i <= NF; i++) if ($i == "") $i = "-"; print }' "$F/decoded.tsv")
	check "db get --k8s compared on objects with managed fields" [ "$nget" -gt 0 ]
fi

# ---- wal ls: kube-apiserver's txns in the order the generator sent them ----
# ops.tsv: op, key, the revision the compare expected, the lease (transport errors left out:
# they never reached the log); the WAL: every committed txn with its op, compare and lease
python3 - "$F/ops.tsv" >"$TMP/ops.tsv" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    if r["op"] not in ("create", "update", "delete", "compact-txn") or r["succeeded"] == "error":
        continue
    op = "compact-marker" if r["op"] == "compact-txn" else r["op"]
    print("%s\t%s\t%s\t%s" % (op, r["key"], r["expect"], "%x" % int(r["lease"]) if int(r["lease"]) else "-"))
EOF
python3 - "$F/ops.tsv" >"$TMP/succeeded.txt" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    if r["op"] in ("create", "update", "delete", "compact-txn") and r["succeeded"] != "error":
        print(r["succeeded"])
EOF
check "ops: the manifest's txn total" [ "$(wc -l <"$TMP/ops.tsv")" -ge "$(( $(m ops.txn_total) - $(m ops.transport_errors) ))" ]
for n in n1 n2 n3; do
	expect_exit 0 "$n wal ls" "$EA" wal ls "$F/$n.tar.gz" -w json
	jq -r 'select(.kind == "txn" and .committed) | [.txn.op, .txn.compare[0].key, .txn.compare[0].value, (.txn.lease // "-")] | @tsv' \
		"$TMP/out" >"$TMP/wal.tsv"
	check "$n: every txn classified as sent (op, key, expected revision, lease), in order" diff "$TMP/ops.tsv" "$TMP/wal.tsv"
	check "$n: the compares are ModRevision == R (Version for the compactor)" [ "$(jq -r 'select(.txn) | .txn.compare[0] |
		"\(.target) \(.result)"' "$TMP/out" | sort -u | paste -sd,)" = "mod equal,version equal" ]
	# txn.applied comes from the replay of the member's WAL against its db: it must be etcd's
	# own answer (ops.tsv succeeded) for every txn, in order
	jq -r 'select(.kind == "txn" and .committed) | .txn.applied' "$TMP/out" >"$TMP/applied.txt"
	check "$n: txn.applied = etcd's succeeded for every txn, in order" diff "$TMP/succeeded.txt" "$TMP/applied.txt"
done
for op in create update delete; do
	sent=$(( $(m ops.$op.succeeded) + $(m ops.$op.failed) ))
	check "n1: $sent ${op}s" [ "$(cut -f1 "$TMP/wal.tsv" | grep -cx "$op")" = "$sent" ]
done
expect_exit 0 "wal ls --resource leases --namespace kube-node-lease" "$EA" wal ls "$P" -w json --resource leases --namespace kube-node-lease
check "wal ls filters: node leases only" [ "$(jq -r '"\(.k8s.resource)/\(.k8s.namespace)"' "$TMP/out" | sort -u)" = leases/kube-node-lease ]
check "wal ls: node lease writes carry the Lease kind" [ "$(jq -r 'select(.txn.op == "update") | .k8s.kind' "$TMP/out" | sort -u)" = Lease ]
expect_exit 0 "wal ls: hot object's writes" "$EA" wal ls "$P" -w json --resource deployments --namespace payments
check "wal ls: the hot object's updates sent ($(m hot_object.updates_sent))" \
	[ "$(jq -r "select(.key == \"$HOT\" and .txn.op == \"update\") | .index" "$TMP/out" | wc -l)" = "$(m hot_object.updates_sent)" ]

finish
