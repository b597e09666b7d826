#!/usr/bin/env bash
# test_db_space.sh: `db space` against what etcd reported when the fixtures were made (endpoint
# status dbSize / dbSizeInUse, snapshot status totalSize, revisions and compactions in the
# manifests), what the fixture workloads wrote (fixtures/gen-*.sh), and an independent reading
# of the same bbolt files (bolt_space.py: pages reachable from the root, key-bucket elements).
. "$(dirname "$0")/lib.sh"
PY="$(dirname "$0")/bolt_space.py"

space() { "$EA" db space "$@" -w json 2>/dev/null; }
jqv() { jq -r "$1" "$2"; }

# ---- every member: sizes as etcd reports them, the page partition, the key space vs the oracle ----
for sc in healthy healthy-3.5 snapshot-catchup; do
	for n in n1 n2 n3; do
		f="$FIXTURES/$sc/$n.tar.gz" j="$TMP/$sc-$n.json"
		mkdir -p "$TMP/$sc-$n" && tar -xzf "$f" -C "$TMP/$sc-$n"
		db="$TMP/$sc-$n/$n/member/snap/db"
		space "$f" --depth 4 --top 1000 >"$j"
		check "$sc $n: db_size = etcd's dbSize" [ "$(jqv .db_size "$j")" = "$(manifest "$sc" "$n.db_size")" ]
		check "$sc $n: file_size = stat" [ "$(jqv .file_size "$j")" = "$(stat -c %s "$db")" ]
		check "$sc $n: revision as etcd reported" [ "$(jqv .revision "$j")" = "$(manifest "$sc" "$n.revision")" ]
		# the partition: every page below pgid counted once, the groups sum to the bytes in use
		check "$sc $n: pages by owner + free = pages" [ "$(jqv '.pages_by_owner|add' "$j")" = "$(jqv .pages "$j")" ]
		check "$sc $n: groups + overhead = in use" [ "$(jqv '([.groups[]|.live.page_bytes+.history.page_bytes]|add)
			+ .key_unattributed_bytes + (.pages_by_owner|.key_branch+.other_buckets+.meta+.freelist+.unreachable+.missing)*.page_size' "$j")" \
			= "$(jqv .in_use_bytes "$j")" ]
		check "$sc $n: key leaf pages = their groups' page bytes" [ "$(jqv '([.groups[]|.live.page_bytes+.history.page_bytes]|add)
			+ .key_unattributed_bytes' "$j")" = "$(jqv '.pages_by_owner.key_leaf*.page_size' "$j")" ]
		# db stat's numbers, from the key index etcd-autopsy rebuilds as etcd does at startup
		"$EA" db stat "$f" -w json >"$TMP/st.json" 2>/dev/null
		check "$sc $n: live keys = db stat's" [ "$(jqv .live_keys "$j")" = "$(jqv .live_keys "$TMP/st.json")" ]
		check "$sc $n: revisions = db stat's key_revisions" \
			[ "$(jqv '.live.revisions+.history.revisions' "$j")" = "$(jqv .key_revisions "$TMP/st.json")" ]
		check "$sc $n: tombstones = db stat's" [ "$(jqv .tombstones "$j")" = "$(jqv .tombstones "$TMP/st.json")" ]
		check "$sc $n: free pages = db stat's" [ "$(jqv .free_pages "$j")" = "$(jqv .free_pages "$TMP/st.json")" ]
		# the independent reading of the file
		rule=$(jqv '.compaction.rule' "$j"); [ "$rule" = classic ] || rule=skip
		python3 "$PY" "$db" 4 "$rule" >"$TMP/o.json" || fail "$sc $n: bolt_space.py"
		o="$TMP/o.json"
		check "$sc $n: in use = pages reachable from the root (+ meta, freelist)" \
			[ "$(jqv .in_use_bytes "$j")" = "$(jq -r '.in_use_pages*.page_size' "$o")" ]
		check "$sc $n: key leaf pages" [ "$(jqv .pages_by_owner.key_leaf "$j")" = "$(jqv .key_leaf_pages "$o")" ]
		for f2 in keys live_keys tombstones; do
			check "$sc $n: $f2" [ "$(jqv ".$f2" "$j")" = "$(jqv ".$f2" "$o")" ]
		done
		check "$sc $n: revisions" [ "$(jqv '.live.revisions+.history.revisions' "$j")" = "$(jqv .revisions "$o")" ]
		check "$sc $n: live bytes" [ "$(jqv .live.bytes "$j")" = "$(jqv .live_bytes "$o")" ]
		check "$sc $n: history bytes" [ "$(jqv .history.bytes "$j")" = "$(jqv .history_bytes "$o")" ]
		check "$sc $n: compaction drops" [ "$(jqv .compaction.drop.revisions "$j")" = "$(jqv .drop_revisions "$o")" ]
		check "$sc $n: groups" [ "$(jq -cS '[.groups[]|{key: .prefix, value: [.keys, .live_keys, .history.revisions,
			.live.bytes, .history.bytes]}]|from_entries' "$j")" = "$(jq -cS .groups "$o")" ]
		check "$sc $n: top keys by history" [ "$(jq -c '[.top_keys[]|[.key, .history.bytes, .history.revisions]]' "$j")" \
			= "$(jq -c .top "$o")" ]
	done
done

# ---- etcd 3.5.30's dbSizeInUse (endpoint status while it ran) ----
# A running etcd counts the pages its last commit freed as in use until its next write
# transaction releases them (bbolt's pending pages; FreePageN excludes them); at rest they are
# free. So the figure for the file is at most what etcd reported, and what it reports once it has
# reopened the file. On healthy-3.5 each member reported 20480.
for n in n1 n2 n3; do
	iu=$(jqv .in_use_bytes "$TMP/healthy-3.5-$n.json")
	check "healthy-3.5 $n: in use <= etcd's dbSizeInUse" [ "$iu" -le "$(manifest healthy-3.5 "$n.db_size_in_use")" ]
	check "healthy-3.5 $n: in use > 0" [ "$iu" -gt 0 ]
done

# ---- the backup: snapshot status totalSize (pgid x page size), not the file size ----
space "$FIXTURES/healthy/backup.tar.gz" >"$TMP/b.json"
check "healthy backup: db_size = snapshot status totalSize" [ "$(jqv .db_size "$TMP/b.json")" = "$(manifest healthy backup.total_size)" ]
check "healthy backup: file_size = the file" [ "$(jqv .file_size "$TMP/b.json")" = "$(manifest healthy backup.size)" ]

# ---- workload facts ----
# healthy (3.4.23): foo, txnkey, 300 keys, 4 /big/ blobs rewritten 35 times each (last at
# revisions 445..448) and 10 /tail/ keys; the final compaction (manifest: 452) came after every
# rewrite, so each key keeps one revision: 316 live, no history, nothing for a compaction to drop.
j="$TMP/healthy-n1.json"
check "healthy: compaction as in the manifest" [ "$(jqv .compact_revision "$j")" = "$(manifest healthy n1.hashkv_compact_revision)" ]
check "healthy: 316 live revisions" [ "$(jqv .live.revisions "$j")" = 316 ]
check "healthy: no history" [ "$(jqv .history.revisions "$j")" = 0 ]
check "healthy: compaction at the current revision drops nothing" [ "$(jqv .compaction.drop.revisions "$j")" = 0 ]
check "healthy: the 4 blobs hold 4 MiB of values" [ "$(jq -r '.groups[]|select(.prefix=="/big/")|.live.bytes >= 4*1048576' "$j")" = true ]
check "healthy: the 4 blobs are the biggest group" [ "$(jqv '.groups[0].prefix' "$j")" = /big/ ]
# snapshot-catchup (3.4.23): 30 /before/ keys, then 5300 puts over 200 /bulk/ keys round-robin;
# compaction at revision C = 5231, current R = 5331 (manifest). Each of the R - C revisions after
# the compaction overwrote a /bulk/ key whose revision at or below C was kept: R - C history
# revisions, all dropped by a compaction at R, and 230 live keys.
j="$TMP/snapshot-catchup-n1.json"
R=$(manifest snapshot-catchup n1.revision) C=$(manifest snapshot-catchup n1.hashkv_compact_revision)
check "snapshot-catchup: history = R - C" [ "$(jqv .history.revisions "$j")" = $((R - C)) ]
check "snapshot-catchup: compaction at R drops R - C revisions" [ "$(jqv .compaction.drop.revisions "$j")" = $((R - C)) ]
check "snapshot-catchup: 230 live keys" [ "$(jqv .live_keys "$j")" = 230 ]
check "snapshot-catchup: the history is in /bulk/" [ "$(jq -r '.groups[]|select(.prefix=="/bulk/")|.history.revisions' "$j")" = $((R - C)) ]
# healthy-3.5 (3.5.30): 'del bar' at revision 50, compaction exactly there; 3.5.16+ keeps that
# tombstone. Then 10 new keys. The history is that one tombstone, which a compaction at the
# current revision (60) drops.
j="$TMP/healthy-3.5-n1.json"
check "healthy-3.5: one tombstone of history" [ "$(jqv '[.history.revisions, .tombstones]|@csv' "$j")" = 1,1 ]
check "healthy-3.5: it is bar's delete" [ "$(jqv '.top_keys[0]|[.key, .live, .last_revision]|@csv' "$j")" \
	= "\"bar\",false,$(manifest healthy-3.5 delete_revision)" ]
check "healthy-3.5: compaction drops it" [ "$(jqv .compaction.drop.revisions "$j")" = 1 ]
check "healthy-3.5: rule skip-compact-tombstone (tombstone kept at C)" [ "$(jqv .compaction.rule "$j")" = skip-compact-tombstone ]

# ---- grouping, options, table ----
space "$FIXTURES/healthy/n1.tar.gz" --depth 0 >"$TMP/d0.json"
check "--depth 0: '/' and the keys without one" [ "$(jq -c '[.groups[].prefix]|sort' "$TMP/d0.json")" = '["","/"]' ]
space "$FIXTURES/healthy/n1.tar.gz" --depth 1 >"$TMP/d1.json"
check "--depth 1: /svc/registry/ is /svc/" [ "$(jq -r '[.groups[].prefix]|index("/svc/") != null' "$TMP/d1.json")" = true ]
space "$FIXTURES/snapshot-catchup/n1.tar.gz" --top 3 >"$TMP/t3.json"
check "--top 3" [ "$(jq '.top_keys|length' "$TMP/t3.json")" = 3 ]
space "$FIXTURES/snapshot-catchup/n1.tar.gz" --top 0 >"$TMP/t0.json"
check "--top 0" [ "$(jq '.top_keys|length' "$TMP/t0.json")" = 0 ]
expect_exit 2 "--depth on db stat" "$EA" db stat "$FIXTURES/healthy/n1.tar.gz" --depth 2
expect_exit 2 "--top on db ls" "$EA" db ls "$FIXTURES/healthy/n1.tar.gz" --top 2
expect_exit 2 "--depth not a number" "$EA" db space "$FIXTURES/healthy/n1.tar.gz" --depth x
expect_exit 2 "--top too big" "$EA" db space "$FIXTURES/healthy/n1.tar.gz" --top 1000001
expect_exit 2 "no db" "$EA" db space "$FIXTURES/dump-logs/test-wal.tar.gz"
"$EA" db space "$FIXTURES/snapshot-catchup/n1.tar.gz" --etcd-version 3.4.23 -w json >"$TMP/r.json"
check "--etcd-version 3.4.23: classic rule" [ "$(jqv .compaction.rule "$TMP/r.json")" = classic ]
"$EA" db space "$FIXTURES/snapshot-catchup/n1.tar.gz" >"$TMP/table" 2>&1
check "table: db size line" grep -q "^db size *$(manifest snapshot-catchup n1.db_size) bytes" "$TMP/table"
check "table: /bulk/ group" grep -q " /bulk/$" "$TMP/table"
check "table: compaction line" grep -q "^compaction *at $R would drop $((R - C)) revisions" "$TMP/table"
# damage: a flipped leaf byte (fixtures/corrupt-db) is reported, exit 1, the sums still hold
space "$FIXTURES/corrupt-db/leaf-flip.tar.gz" >"$TMP/c.json"
check "leaf-flip: problems" [ "$(jq '.problems|length' "$TMP/c.json")" -gt 0 ]
check "leaf-flip: groups + overhead = in use" [ "$(jqv '([.groups[]|.live.page_bytes+.history.page_bytes]|add)
	+ .key_unattributed_bytes + (.pages_by_owner|.key_branch+.other_buckets+.meta+.freelist+.unreachable+.missing)*.page_size' "$TMP/c.json")" \
	= "$(jqv .in_use_bytes "$TMP/c.json")" ]
expect_exit 1 "leaf-flip: exit 1" "$EA" db space "$FIXTURES/corrupt-db/leaf-flip.tar.gz"

finish
