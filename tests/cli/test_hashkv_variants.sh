# test_hashkv_variants.sh: HashKV's two tombstone rules (docs/formats.md §7.3.1) on real etcd 3.5.30
# data (fixtures/healthy-3.5: a compaction exactly on a delete's tombstone). Expected numbers are
# etcd's own (manifest.txt, etcd/*.json). On this data the rules agree at every revision (the
# keep set is never empty and no key was re-created within the compaction revision), so the
# cases where they differ are in tests/unit/test_hashkv_variants.c (synthesized dbs).
. "$(dirname "$0")/lib.sh"

S=healthy-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
C=$(m compact_revision)
RS=$(m restarted_member)
V=$(m etcd_version)
AFTER=$(m "$RS.hashkv_at_compact_rev_after_restart")
CV=$(m "$RS.cluster_version")
check "fixture: etcd 3.5.30, compaction on the delete, cluster version 3.5" \
	[ "$V" = 3.5.30 ] && [ "$C" = "$(m delete_revision)" ] && [ "${CV%.*}" = 3.5 ]
# the value etcd's restarted member answered, also in etcd's own JSON
check "etcd's JSON holds the restarted member's number" \
	[ "$(jq "[.[] | select(.HashKV.compact_revision == $C) | .HashKV.hash][0]" "$F/etcd/endpoint-hashkv-rev50-after-restart.json")" = "$AFTER" ]

for n in n1 n2 n3; do tar -xzf "$F/$n.tar.gz" -C "$TMP"; done
D=$TMP/$RS

# default: the rule inferred from cluster version 3.5 (3.5.16+ assumed, which 3.5.30 is)
expect_exit 0 "db hash --rev C" "$EA" db hash "$D" --rev "$C" -w json
cp "$TMP/out" "$TMP/def.json"
check "default hash = etcd 3.5.30's restarted member" [ "$(jq .hash "$TMP/def.json")" = "$AFTER" ]
check "default rule is skip-compact-tombstone" [ "$(jq -r .rule "$TMP/def.json")" = skip-compact-tombstone ]
check "default says it infers by minor version from cluster version 3.5" \
	grep -q 'assuming etcd 3.5.x >= 3.5.16 from cluster version 3.5' "$TMP/def.json"
check "no hash_variants when the rules agree" [ "$(jq 'has("hash_variants")' "$TMP/def.json")" = false ]

# --etcd-version picks the rule: 3.5.30 (the fixture's) and 3.5.15 (the last classic 3.5)
expect_exit 0 "db hash --etcd-version 3.5.30" "$EA" db hash "$D" --rev "$C" --etcd-version "$V" -w json
check "3.5.30: rule skip-compact-tombstone" [ "$(jq -r .rule "$TMP/out")" = skip-compact-tombstone ]
check "3.5.30: etcd's number" [ "$(jq .hash "$TMP/out")" = "$AFTER" ]
check "3.5.30: basis names the flag" grep -q 'etcd 3.5.30 (--etcd-version)' "$TMP/out"
expect_exit 0 "db hash --etcd-version 3.5.15" "$EA" db hash "$D" --rev "$C" --etcd-version 3.5.15 -w json
check "3.5.15: rule classic" [ "$(jq -r .rule "$TMP/out")" = classic ]
check "3.5.15: same number here (keep set not empty)" [ "$(jq .hash "$TMP/out")" = "$AFTER" ]
expect_exit 0 "db hash table" "$EA" db hash "$D" --rev "$C" --etcd-version 3.4.33
check "table: the rule line" grep -q '^  rule: classic, what etcd 3.0-3.4.33, 3.5.0-3.5.15 compute; skip-compact-tombstone (etcd 3.4.34+, 3.5.16+, 3.6+) gives the same hash here' "$TMP/out"
check "table: the version line" grep -q '^  etcd version: etcd 3.4.33 (--etcd-version)' "$TMP/out"

# bad values are usage errors
for bad in 3.5 4.0.0 3.5.x '' 3.5.16-rc.0; do
	expect_exit 2 "db hash --etcd-version '$bad'" "$EA" db hash "$D" --etcd-version "$bad"
	check "db hash '$bad': says what it takes" grep -q 'X.Y.Z' "$TMP/err"
	expect_exit 2 "diff --etcd-version '$bad'" "$EA" diff "$TMP/n1" "$TMP/n2" --etcd-version "$bad"
	expect_exit 2 "verify --etcd-version '$bad'" "$EA" verify "$F/backup.tar.gz" --etcd-version "$bad"
done
expect_exit 2 "--etcd-version with --tombstone-rule" "$EA" db hash "$D" --etcd-version 3.5.30 --tombstone-rule skip
expect_exit 2 "--etcd-version on db ls" "$EA" db ls "$D" --etcd-version 3.5.30

# members declaring different versions: n3's cluster version patched to 3.4.0 (same length, in
# every copy of the cluster bucket's page); one rule for all, said, and no mismatch
cp -a "$TMP/n3" "$TMP/n3-34"
/usr/bin/python3 - "$TMP/n3-34/member/snap/db" <<'PY'
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
n = d.count(b'clusterVersion3.5.0')
d = d.replace(b'clusterVersion3.5.0', b'clusterVersion3.4.0')
open(p, 'wb').write(d)
sys.exit(0 if n else 1)
PY
check "patched n3's cluster version" [ $? = 0 ]
expect_exit 0 "diff n1 n2 n3(3.4)" "$EA" diff "$TMP/n1" "$TMP/n2" "$TMP/n3-34" -w json
check "mixed versions: consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]
check "mixed versions: no kv-hash-mismatch" [ "$(jq '[.findings[] | select(.kind == "kv-hash-mismatch")] | length' "$TMP/out")" = 0 ]
check "mixed versions: kv-hash-rule says which rule" \
	[ "$(jq -r '[.findings[] | select(.kind == "kv-hash-rule" and .severity == "info")][0].detail' "$TMP/out" | grep -c 'one rule for all, skip-compact-tombstone')" = 1 ]
check "mixed versions: both versions named" \
	jq -e '[.findings[] | select(.kind == "kv-hash-rule")][0].detail | test("n3-34 3.4.x >= 3.4.34") and test("n1 3.5.x >= 3.5.16")' "$TMP/out"
expect_exit 0 "diff --etcd-version 3.5.15" "$EA" diff "$TMP/n1" "$TMP/n2" "$TMP/n3" --etcd-version 3.5.15 -w json
check "one given version: consistent, no finding" [ "$(jq -r '.verdict + " " + (.findings | length | tostring)' "$TMP/out")" = "consistent 0" ]

# verify --against with the fixture's version: the backup matches the restarted member
expect_exit 0 "verify --against --etcd-version" "$EA" verify "$F/backup.tar.gz" --against "$D" --etcd-version "$V" -w json
check "verify: matches" [ "$(jq -r ".matches.\"$RS\"" "$TMP/out")" = true ]
finish
