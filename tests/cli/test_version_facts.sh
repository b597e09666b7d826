#!/bin/bash
# test_version_facts.sh: the etcd version facts of wal stat / db stat / report, by etcd's own
# rules (etcd v3.6.14 source: server/storage/wal/version.go MinimalEtcdVersion, the
# etcd_version_* annotations of raft_internal.proto/rpc.proto/membership.proto,
# server/storage/schema/{schema,migration}.go, etcdutl migrate_command.go, storage/util.go
# AssertNoV2StoreContent, apply_v2.go v2ToV3Request).
#  - real etcd 3.4.23 data (fixtures/healthy) and real etcd 3.5.30 data (fixtures/healthy-3.5);
#  - a mutated copy of the 3.5 data whose newest .snap holds v2 content (snap_v2_custom.py);
#  - WALs ENCODED FROM THE .proto DEFINITIONS (mkwal_versions.py, mkwal.py), marked as such: no
#    real etcd 3.6 data is available here; the 3.6-only field is DowngradeVersionTest (9900).
. "$(dirname "$0")/lib.sh"
H="$FIXTURES/healthy"
H5="$FIXTURES/healthy-3.5"
D=$(dirname "$0")
check "healthy is 3.4" [ "$(manifest healthy etcd_version)" = 3.4.23 ]
check "healthy-3.5 is 3.5" [ "$(manifest healthy-3.5 etcd_version)" = 3.5.30 ]

# The .snap etcdutl opens the WAL at: the newest one (a clean stop: it matches a WAL snapshot
# record at or below the commit). Its index is in its name, %016x-%016x.snap.
newest_snap_index() { tar tzf "$1" | grep '\.snap$' | sort | tail -n 1 | sed 's/.*-\([0-9a-f]*\)\.snap$/\1/' | xargs -I{} printf '%d' 0x{}; }

# ---- 3.4: every entry after the .snap is a put, compaction or empty entry (gen-healthy.sh ends
# with plain `etcdctl put` and `compaction`, no auth, no prev_kv/ignore_*): InternalRaftRequest,
# PutRequest, CompactionRequest and RequestHeader are all etcd_version_msg "3.0" -> 3.0.0.
S=$(newest_snap_index "$H/n1.tar.gz")
expect_exit 0 "3.4 wal stat json" "$EA" wal stat -w json "$H/n1.tar.gz"
cp "$TMP/out" "$TMP/w34"
check "3.4: after the newest .snap ($S)" jq -e --argjson s "$S" '.min_etcd_version.after_index == $s' "$TMP/w34" >/dev/null
expect_exit 0 "3.4 wal ls after the snap" "$EA" wal ls -w json --from $((S + 1)) "$H/n1.tar.gz"
check "3.4: only put/compaction/empty after the snap, no annotated field set" \
	jq -s -e 'map(select(.kind != null)) | length > 0 and all(.kind == "put" or .kind == "compaction" or .kind == "empty")
	          and all((.detail // "") | test("prev_kv|ignore_") | not)' "$TMP/out" >/dev/null
check "3.4: minimum 3.0.0" jq -e '.min_etcd_version.version == "3.0.0" and .min_etcd_version.error == null' "$TMP/w34" >/dev/null
check "3.4: no v2 request refused" jq -e '.v2_requests.refused == 0' "$TMP/w34" >/dev/null
expect_exit 0 "3.4 wal stat table" "$EA" wal stat "$H/n1.tar.gz"
check "3.4: table line" grep -q '^min etcd      3\.0\.0 (entry [0-9]*: etcdserverpb\.' "$TMP/out"

expect_exit 0 "3.4 db stat json" "$EA" db stat -w json "$H/n1.tar.gz"
check "3.4: not ready for 3.6, no meta/term" \
	jq -e '.versions.ready_for_3_6.verdict == false and (.versions.ready_for_3_6.why[0] | test("missing term information"))' "$TMP/out" >/dev/null
check "3.4: etcdutl migrate refuses" \
	jq -e '.versions.downgrade_to_previous_minor.verdict == false and (.versions.downgrade_to_previous_minor.why[0] | test("missing term information"))' "$TMP/out" >/dev/null
expect_exit 0 "3.4 db stat table" "$EA" db stat "$H/n1.tar.gz"
check "3.4: ready line" grep -q '^ready for 3.6     no$' "$TMP/out"
check "3.4: downgrade line" grep -q '^downgrade         no$' "$TMP/out"

# ---- 3.5: gen-healthy-3.5.sh ends with `etcdctl auth status`, which 3.5 proposes as
# InternalRaftRequest.auth_status (etcd_version_field "3.5") -> 3.5.0, at that entry.
S=$(newest_snap_index "$H5/n1.tar.gz")
expect_exit 0 "3.5 wal stat json" "$EA" wal stat -w json "$H5/n1.tar.gz"
cp "$TMP/out" "$TMP/w35"
expect_exit 0 "3.5 wal ls after the snap" "$EA" wal ls -w json --from $((S + 1)) "$H5/n1.tar.gz"
first35=$(jq -s -r '[.[] | select(.kind == "auth_status" or .kind == "cluster_version_set" or .kind == "cluster_member_attr_set"
          or .kind == "downgrade_info_set")][0].index' "$TMP/out")
check "3.5: an auth_status entry after the snap" [ -n "$first35" ] && [ "$first35" != null ]
check "3.5: minimum 3.5.0 at the first 3.5 request" jq -e --argjson i "${first35:-0}" --argjson s "$S" \
	'.min_etcd_version.version == "3.5.0" and .min_etcd_version.index == $i and .min_etcd_version.after_index == $s
	 and (.min_etcd_version.source | test("raft_internal.proto|membership.proto"))' "$TMP/w35" >/dev/null
expect_exit 0 "3.5 db stat json" "$EA" db stat -w json "$H5/n1.tar.gz"
check "3.5: ready for 3.6" jq -e '.versions.ready_for_3_6.verdict == true' "$TMP/out" >/dev/null
check "3.5: migrate --target-version 3.4 refused" \
	jq -e '.versions.downgrade_to_previous_minor | .verdict == false and .target == "3.4" and (.why[0] | test("Minimal \"3.5\""))' "$TMP/out" >/dev/null
check "3.5: cluster version from the manifest" jq -e --arg v "$(manifest healthy-3.5 n1.cluster_version)" '.cluster_version == $v' "$TMP/out" >/dev/null
expect_exit 0 "3.5 db stat table" "$EA" db stat "$H5/n1.tar.gz"
check "3.5: table" grep -q '^downgrade to 3.4  no$' "$TMP/out"
check "3.5: wal min line" grep -q '^wal min etcd      3\.5\.0 ' "$TMP/out"
# a db file alone has no WAL: nothing is guessed
expect_exit 0 "backup db stat json" "$EA" db stat -w json "$H5/backup.tar.gz"
check "backup: no WAL, no verdict on it" jq -e '.versions.min_etcd_version == null and .versions.ready_for_3_6.verdict == null' "$TMP/out" >/dev/null

# ---- mutated copy: v2 content in the newest .snap: etcd 3.6 refuses to start
mkdir -p "$TMP/c"
tar xzf "$H5/n1.tar.gz" -C "$TMP/c"
python3 "$D/snap_v2_custom.py" "$(ls "$TMP"/c/n1/member/snap/*.snap | sort | tail -n 1)"
expect_exit 0 "v2 content db stat" "$EA" db stat -w json "$TMP/c/n1"
check "v2 content: not ready" jq -e '.versions.ready_for_3_6.verdict == false and
	any(.versions.ready_for_3_6.why[]; test("custom content under /1: etcd 3.6 refuses to start"))' "$TMP/out" >/dev/null

# ---- ENCODED FROM THE .proto DEFINITIONS (not real 3.6 data): a 3.6-only field
python3 "$D/mkwal_versions.py" "$TMP/v36"
expect_exit 0 "3.6 field wal stat" "$EA" wal stat -w json "$TMP/v36"
check "3.6-only field: minimum 3.6.0 at entry 3" jq -e '.min_etcd_version | .version == "3.6.0" and .index == 3
	and .requires == "etcdserverpb.InternalRaftRequest.downgrade_version_test"' "$TMP/out" >/dev/null
# overwritten by a later term: ReadAll drops it, the 3.5 ClusterVersionSet at 2 remains
python3 "$D/mkwal_versions.py" "$TMP/v36o" overwrite
expect_exit 0 "overwritten wal stat" "$EA" wal stat -w json "$TMP/v36o"
check "overwritten: minimum 3.5.0 at entry 2" jq -e '.min_etcd_version | .version == "3.5.0" and .index == 2' "$TMP/out" >/dev/null
# a v2 request in the WAL that etcd 3.6 cannot replay (v2ToV3Request panics): mkwal.py's entry 5
python3 "$D/mkwal.py" "$TMP/v2" 616c696365 61646d696e 2f6b 44454c455445
expect_exit 0 "v2 wal stat" "$EA" wal stat -w json "$TMP/v2"
check "v2 request refused at 5" jq -e '.v2_requests.refused == 1 and .v2_requests.first_refused == 5' "$TMP/out" >/dev/null

# ---- report: the nodes table shows the storage version etcd 3.6 detects
# (two different clusters side by side: the verdict is a divergence, exit 1)
expect_exit 1 "report" "$EA" report -o "$TMP/r.html" n1="$H/n1.tar.gz" n2="$H5/n1.tar.gz"
check "report: 3.4 none, 3.5 3.5.0" [ "$(grep -o '<td class="[a-z ]*storage-version"[^>]*>[^<]*</td>' "$TMP/r.html" |
	sed 's/.*>\(.*\)<\/td>/\1/' | tr '\n' ' ')" = "none 3.5.0 " ]
check "report: header" grep -q '<th>cluster version</th><th>meta term</th><th>storage version</th><th>WAL min etcd</th><th>ready for 3.6</th>' "$TMP/r.html"
# the same facts db stat asserts above: 3.0.0 / not ready (no meta/term) on 3.4, 3.5.0 / ready on 3.5
check "report: WAL min etcd 3.0.0 and 3.5.0" [ "$(grep -o '<td class="[a-z ]*min-etcd"[^>]*>[^<]*</td>' "$TMP/r.html" |
	sed 's/.*>\(.*\)<\/td>/\1/' | tr '\n' ' ')" = "3.0.0 3.5.0 " ]
check "report: ready for 3.6 no, yes" [ "$(grep -o '<td class="ready-36"[^>]*>[^<]*</td>' "$TMP/r.html" |
	sed 's/.*>\(.*\)<\/td>/\1/' | tr '\n' ' ')" = "no yes " ]
check "report: the 3.4 verdict says why (etcd's schema rule)" grep -q '<td class="ready-36" title="schema: missing term information' "$TMP/r.html"
# ---- a damaged WAL: etcd's ReadAll fails on a CRC mismatch, so neither verdict can be "yes"
# (healthy-3.5 n1 is ready for 3.6 above; one byte of its last entry flipped here)
D=$TMP/dmg && mkdir -p "$D" && tar -xzf "$H5/n1.tar.gz" -C "$D"
"$EA" wal ls -w json "$D/n1" 2>/dev/null | tail -1 >"$TMP/last"
f=$(jq -r .file "$TMP/last"); off=$(jq -r .offset "$TMP/last")
python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 0xff; open(p, "wb").write(b)' \
	"$D/n1/$f" $((off + 24))
expect_exit 0 "damaged 3.5 db stat json (the db is fine; wal stat reports the WAL damage)" "$EA" db stat -w json "$D/n1"
check "damaged WAL: ready for 3.6 cannot tell, naming the file" \
	jq -e '.versions.ready_for_3_6.verdict == null and (.versions.min_etcd_version.error | test("damaged WAL .*\\.wal\\+[0-9]+"))' "$TMP/out" >/dev/null
finish
