#!/usr/bin/env bash
# test_export_exit_replay.sh: `export` follows the one exit-code rule (README "Output and exit
# codes") for the replay it runs of each member's WAL against its own db, as `replay` and
# `report` do: a member whose db is behind (db-behind-wal) or diverges from (db-diverges-from-wal)
# its own WAL makes it exit 1, named on stderr, even where diff has no finding; the database is
# still written whole. `incomplete` (info) and a member fresh from `etcdutl snapshot restore`
# (db-equals-wal) do not. Facts from the fixture manifests (etcd's and etcdutl's own numbers).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
q() { sqlite3 "$TMP/$1.sqlite" "$2"; }

# stale-db: the old db (consistent index old_db.raft_index) beside the WAL that went on to
# n1.raft_index: diff sees one member and no finding, the replay says db-behind-wal
S=$FIXTURES/stale-db/n1.tar.gz
check "stale-db: the manifest's old db is behind the WAL ($(manifest stale-db old_db.raft_index) < $(manifest stale-db n1.raft_index))" \
	[ "$(manifest stale-db old_db.raft_index)" -lt "$(manifest stale-db n1.raft_index)" ]
expect_exit 0 "stale-db: diff alone has no finding" "$EA" diff "$S"
expect_exit 1 "stale-db: export exits 1 (db-behind-wal)" "$EA" export -o "$TMP/stale.sqlite" n1="$S"
check "stale-db: stderr names n1 db-behind-wal" grep -q "^etcd-autopsy export: replay (db vs own WAL): n1 db-behind-wal$" "$TMP/err"
check "stale-db: the database is written (entries up to the manifest's n1.raft_index)" \
	[ "$(q stale 'SELECT max(idx) FROM entries')" = "$(manifest stale-db n1.raft_index)" ]
check "stale-db: nodes.consistent_index is the old db's ($(manifest stale-db old_db.raft_index))" \
	[ "$(q stale 'SELECT consistent_index FROM nodes')" = "$(manifest stale-db old_db.raft_index)" ]
expect_exit 1 "stale-db: export -q exits 1 too" "$EA" export -q -o "$TMP/stale-q.sqlite" n1="$S"
check "stale-db: -q prints nothing" [ ! -s "$TMP/err" ]
expect_exit 1 "stale-db: replay agrees (exit 1)" "$EA" replay -q "$S"

# state-divergence alone: n3's db changed at one revision, its WAL not
D=$FIXTURES/divergence/state-divergence.tar.gz
expect_exit 0 "state-divergence: diff alone has no finding" "$EA" diff "$D"
expect_exit 1 "state-divergence: export exits 1" "$EA" export -o "$TMP/sd.sqlite" n3="$D"
check "state-divergence: stderr names n3 db-diverges-from-wal" \
	grep -q "^etcd-autopsy export: replay (db vs own WAL): n3 db-diverges-from-wal$" "$TMP/err"
check "state-divergence: the db's changed revision $(manifest divergence state-divergence.revision) is in revisions" \
	[ "$(q sd "SELECT count(*) FROM revisions WHERE main = $(manifest divergence state-divergence.revision) AND key = '$(manifest divergence state-divergence.key)'")" = 1 ]

# beside healthy members, the diverging one is still named (and only it)
H=$FIXTURES/healthy
expect_exit 1 "healthy n1 + state-divergence n3: export exits 1" "$EA" export -o "$TMP/mix.sqlite" n1="$H/n1.tar.gz" n3="$D"
check "healthy n1 + state-divergence n3: stderr names n3 only" \
	grep -q "^etcd-autopsy export: replay (db vs own WAL): n3 db-diverges-from-wal$" "$TMP/err"

# a restored member (etcdutl snapshot restore of backup.db): db-equals-wal, exit 0
R=$FIXTURES/healthy-3.5/restored.tar.gz
expect_exit 0 "restored: export exits 0" "$EA" export -o "$TMP/rst.sqlite" r="$R"
check "restored: no replay note" bash -c "! grep -q 'replay (db vs own WAL)' '$TMP/err'"
check "restored: nodes.revision = etcdutl's restored.revision $(manifest healthy-3.5 restored.revision)" \
	[ "$(q rst 'SELECT revision FROM nodes')" = "$(manifest healthy-3.5 restored.revision)" ]

# replay-restored: restored, then written; incomplete (entries before the compaction cannot be
# checked) is info: exit 0
expect_exit 0 "replay-restored: export exits 0 (incomplete is info)" "$EA" export -q -o "$TMP/rr.sqlite" n1="$FIXTURES/replay-restored/n1.tar.gz"

# healthy: three members db-equals-wal, exit 0
expect_exit 0 "healthy: export exits 0" "$EA" export -q -o "$TMP/h.sqlite" n1="$H/n1.tar.gz" n2="$H/n2.tar.gz" n3="$H/n3.tar.gz"
finish
