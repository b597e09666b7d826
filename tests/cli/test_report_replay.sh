#!/usr/bin/env bash
# test_report_replay.sh: the report's nodes table carries each member's replay verdict (its WAL
# replayed against its own db, issue 16), checked against the fixture manifests (etcd's own
# numbers), never against this program's output:
#  - healthy (3.4) and healthy-3.5: every member db-equals-wal, last revision = the revision
#    etcd's endpoint status gave (manifest nN.revision), window up to its raft index;
#  - stale-db: db-behind-wal, the last revision the WAL makes = the final revision, the first
#    difference = the first stale write (stale.raft_indexes / stale.revisions / stale.keys);
#  - divergence/state-divergence beside leader-change n1, n2: n3 db-diverges-from-wal at the
#    manifest's revision and key (leaf page named), n1 and n2 db-equals-wal at leader-change's
#    revision; the findings are still diff's (db-differs-from-own-wal on n3);
#  - divergence/committed-divergence: db-diverges-from-wal at the manifest's index.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
LOAD="python3 $(dirname "$0")/report_load.py"

report() { # report NAME NODES...: $TMP/NAME.html and $TMP/NAME.json
	local name=$1; shift
	"$EA" report -q -o "$TMP/$name.html" "$@" 2>"$TMP/$name.err"
	$LOAD "$TMP/$name.html" >"$TMP/$name.json" 2>>"$TMP/$name.err"
}
field() { jq -r ".replay[\"$2\"].$3" "$TMP/$1.json"; }

for S in healthy healthy-3.5; do
	F=$FIXTURES/$S
	report "$S" n1="$F/n1.tar.gz" n2="$F/n2.tar.gz" n3="$F/n3.tar.gz"
	for m in n1 n2 n3; do
		check "$S $m: db-equals-wal" [ "$(field "$S" $m verdict)" = db-equals-wal ]
		check "$S $m: last revision = manifest $m.revision ($(manifest $S $m.revision))" \
			[ "$(field "$S" $m last_revision)" = "$(manifest $S $m.revision)" ]
		check "$S $m: window ends at manifest $m.raft_index" \
			[ "$(field "$S" $m last_index)" = "$(manifest $S $m.raft_index)" ]
		check "$S $m: no first difference" [ "$(field "$S" $m first)" = null ]
	done
done

# ---- stale-db: an old db beside a newer WAL ----
report stale n1="$FIXTURES/stale-db/n1.tar.gz"
first_of() { manifest stale-db "$1" | cut -d, -f1; }
check "stale-db: db-behind-wal" [ "$(field stale n1 verdict)" = db-behind-wal ]
check "stale-db: the WAL's last revision = manifest n1.revision" [ "$(field stale n1 last_revision)" = "$(manifest stale-db n1.revision)" ]
check "stale-db: first difference at the first stale write's index $(first_of stale.raft_indexes)" \
	[ "$(field stale n1 first.index)" = "$(first_of stale.raft_indexes)" ]
check "stale-db: ... revision $(first_of stale.revisions)" [ "$(field stale n1 first.revision)" = "$(first_of stale.revisions)" ]
check "stale-db: ... key $(first_of stale.keys), missing-in-db" \
	[ "$(field stale n1 first.key) $(field stale n1 first.result)" = "$(first_of stale.keys) missing-in-db" ]

# ---- divergence: n3's db changed (state) or its WAL changed and re-sealed (committed) ----
LC=$FIXTURES/leader-change
D=$FIXTURES/divergence
report sd n1="$LC/n1.tar.gz" n2="$LC/n2.tar.gz" n3="$D/state-divergence.tar.gz"
check "state-divergence: n3 db-diverges-from-wal" [ "$(field sd n3 verdict)" = db-diverges-from-wal ]
check "state-divergence: at the manifest's revision $(manifest divergence state-divergence.revision)" \
	[ "$(field sd n3 first.revision)" = "$(manifest divergence state-divergence.revision)" ]
check "state-divergence: key $(manifest divergence state-divergence.key), db-differs" \
	[ "$(field sd n3 first.key) $(field sd n3 first.result)" = "$(manifest divergence state-divergence.key) db-differs" ]
check "state-divergence: leaf page $(manifest divergence state-divergence.page) named" \
	grep -q "leaf page $(manifest divergence state-divergence.page))" "$TMP/sd.html"
for m in n1 n2; do
	check "state-divergence: $m db-equals-wal at leader-change's revision" \
		[ "$(field sd $m verdict) $(field sd $m last_revision)" = "db-equals-wal $(manifest leader-change $m.revision)" ]
done
check "state-divergence: the finding db-differs-from-own-wal is still there" \
	grep -q 'data-kind="db-differs-from-own-wal"' "$TMP/sd.html"
report cd n3="$D/committed-divergence.tar.gz"
check "committed-divergence: db-diverges-from-wal" [ "$(field cd n3 verdict)" = db-diverges-from-wal ]
check "committed-divergence: at the changed entry's index $(manifest divergence committed-divergence.index)" \
	[ "$(field cd n3 first.index)" = "$(manifest divergence committed-divergence.index)" ]
finish
