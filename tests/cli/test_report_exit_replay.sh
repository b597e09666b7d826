#!/usr/bin/env bash
# test_report_exit_replay.sh: `report` follows the one exit-code rule (README "Output and exit
# codes") for what its nodes table shows too: a member whose db is behind or diverges from its own
# WAL (the replay column's warning/critical badges) makes it exit 1 even where diff has no
# finding; `incomplete` (info: part of the WAL could not be checked) does not. And a member fresh
# from `etcdutl snapshot restore` is not a false db-diverges-from-wal: its db is the state after
# the WAL's restore point. Facts from the fixture manifests (etcd's and etcdutl's own numbers).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
LOAD="python3 $(dirname "$0")/report_load.py"
verdict() { $LOAD "$TMP/$1.html" | jq -r ".replay[\"$2\"].$3"; }

# stale-db: the old db (consistent index old_db.raft_index) beside the WAL that wrote
# stale.count more revisions: diff sees one member and no finding, the replay column db-behind-wal
S=$FIXTURES/stale-db/n1.tar.gz
check "stale-db: the manifest's old db is behind the WAL ($(manifest stale-db old_db.raft_index) < $(manifest stale-db n1.raft_index))" \
	[ "$(manifest stale-db old_db.raft_index)" -lt "$(manifest stale-db n1.raft_index)" ]
expect_exit 0 "stale-db: diff alone has no finding" "$EA" diff "$S"
expect_exit 1 "stale-db: report exits 1 (db-behind-wal in the nodes table)" "$EA" report -o "$TMP/stale.html" n1="$S"
check "stale-db: stderr names n1 db-behind-wal" grep -q "replay (db vs own WAL): n1 db-behind-wal" "$TMP/err"
check "stale-db: the nodes table shows db-behind-wal" [ "$(verdict stale n1 verdict)" = db-behind-wal ]
expect_exit 1 "stale-db: replay agrees (exit 1)" "$EA" replay -q "$S"

# state-divergence alone: n3's db changed at one revision, its WAL not
D=$FIXTURES/divergence/state-divergence.tar.gz
expect_exit 1 "state-divergence alone: report exits 1" "$EA" report -q -o "$TMP/sd.html" n3="$D"
check "state-divergence: db-diverges-from-wal at the manifest's revision $(manifest divergence state-divergence.revision)" \
	[ "$(verdict sd n3 verdict) $(verdict sd n3 first.revision)" = "db-diverges-from-wal $(manifest divergence state-divergence.revision)" ]

# a restored member (etcdutl snapshot restore of backup.db): db-equals-wal at the restored
# revision, report exits 0
R=$FIXTURES/healthy-3.5/restored.tar.gz
expect_exit 0 "restored: report exits 0" "$EA" report -q -o "$TMP/rst.html" r="$R"
check "restored: db-equals-wal" [ "$(verdict rst r verdict)" = db-equals-wal ]
check "restored: last revision = etcdutl's restored.revision $(manifest healthy-3.5 restored.revision)" \
	[ "$(verdict rst r last_revision)" = "$(manifest healthy-3.5 restored.revision)" ]
expect_exit 0 "restored: replay exits 0" "$EA" replay -q -w json "$R"
check "restored: replay's last_revision = restored.revision" \
	[ "$(tail -n 1 "$TMP/out" | jq -r .summary.last_revision)" = "$(manifest healthy-3.5 restored.revision)" ]

# replay-restored: restored, then written; incomplete (the entries before the compaction cannot
# be checked) is info: exit 0 as before
RR=$FIXTURES/replay-restored/n1.tar.gz
expect_exit 0 "replay-restored: report exits 0 (incomplete is info)" "$EA" report -q -o "$TMP/rr.html" n1="$RR"
check "replay-restored: the nodes table shows incomplete" [ "$(verdict rr n1 verdict)" = incomplete ]

# healthy: three members db-equals-wal, exit 0
H=$FIXTURES/healthy
expect_exit 0 "healthy: report exits 0" "$EA" report -q -o "$TMP/h.html" n1="$H/n1.tar.gz" n2="$H/n2.tar.gz" n3="$H/n3.tar.gz"
finish
