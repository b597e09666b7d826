#!/usr/bin/env bash
# test_verify_own_replay.sh: `verify` of a data dir replays its WAL against its own db. A db that
# differs from what its own WAL makes of it (the divergence fixture's n3: one value byte flipped
# inside a key-bucket leaf, which nothing else notices: bbolt has no page checksums) is
# not-restorable, naming the manifest's revision, key and leaf page; a healthy member says its db
# equals its WAL at etcd's revision; a stale db is restorable (etcd re-applies the entries).
. "$(dirname "$0")/lib.sh"
D=$FIXTURES/divergence/state-divergence.tar.gz
expect_exit 1 "state-divergence n3: verify exits 1" "$EA" verify -q -w json "$D"
check "state-divergence n3: not-restorable" [ "$(jq -r .verdict "$TMP/out")" = not-restorable ]
rev=$(manifest divergence state-divergence.revision) key=$(manifest divergence state-divergence.key)
page=$(manifest divergence state-divergence.page)
check "state-divergence n3: the error reason names revision $rev, key $key, leaf page $page" \
	sh -c "jq -r '.reasons[] | select(.severity == \"error\") | .reason' '$TMP/out' | grep -F 'revision $rev, key \"$key\", leaf page $page'"
expect_exit 1 "state-divergence n3: the table form agrees" "$EA" verify -q "$D"
check "state-divergence n3: table VERDICT not-restorable" grep -q '^VERDICT: not-restorable' "$TMP/out"

H=$FIXTURES/healthy/n1.tar.gz
expect_exit 0 "healthy n1: verify exits 0" "$EA" verify -q -w json "$H"
check "healthy n1: restorable" [ "$(jq -r .verdict "$TMP/out")" = restorable ]
check "healthy n1: the db equals its WAL up to etcd's revision $(manifest healthy n1.revision)" \
	sh -c "jq -r '.reasons[].reason' '$TMP/out' | grep -F 'the db equals what its own WAL makes of it' | grep -F 'last revision $(manifest healthy n1.revision))'"

S=$FIXTURES/stale-db/n1.tar.gz
expect_exit 0 "stale-db n1: verify exits 0 (etcd re-applies the entries after the db's index)" "$EA" verify -q -w json "$S"
check "stale-db n1: restorable" [ "$(jq -r .verdict "$TMP/out")" = restorable ]
check "stale-db n1: the reason says db-behind-wal after the manifest's old index $(manifest stale-db old_db.raft_index)" \
	sh -c "jq -r '.reasons[].reason' '$TMP/out' | grep -F 'db-behind-wal' | grep -F 'consistent_index $(manifest stale-db old_db.raft_index)'"
finish
