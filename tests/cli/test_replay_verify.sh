#!/bin/bash
# test_replay_verify.sh: `verify BACKUP --against NODE` also replays NODE's WAL against its own
# db (issue 16) and lists the verdict (table and JSON).
#  - backup-restore's backup against its members n1 and n3: each db-equals-wal with the last
#    revision etcd reported for it (manifest nN.revision); exit 0;
#  - against fixtures/divergence state-divergence (make-divergence.py flipped one value byte of
#    its db: manifest revision 144, key /final/k19, leaf page 2): db-diverges-from-wal naming
#    them, exit 1;
#  - against a backup file (no WAL): not replayed (null), the reason says no WAL.
. "$(dirname "$0")/lib.sh"
B=$FIXTURES/backup-restore
expect_exit 0 "against two members: exit 0" "$EA" verify "$B/backup.tar.gz" --against n1="$B/n1.tar.gz" --against n3="$B/n3.tar.gz" -w json
cp "$TMP/out" "$TMP/v.json"
for n in n1 n3; do
	want=$(manifest backup-restore "$n.revision")
	check "$n: replay db-equals-wal, last revision $want ($(jq -c .replay.$n "$TMP/v.json"))" \
		jq -e --arg n "$n" --arg r "last revision $want" '.replay[$n].verdict == "db-equals-wal" and (.replay[$n].reason | endswith($r))' "$TMP/v.json" >/dev/null
done
check "the HashKV comparison is still there" jq -e '.matches.n1 == true and .matches.n3 == true' "$TMP/v.json" >/dev/null

D=$FIXTURES/divergence
expect_exit 1 "against a member whose db differs from its WAL: exit 1" "$EA" verify "$B/backup.tar.gz" \
	--against n3="$D/state-divergence.tar.gz" --against backup="$B/backup.tar.gz" -w json
cp "$TMP/out" "$TMP/d.json"
check "state-divergence: db-diverges-from-wal at revision 144, /final/k19, leaf page 2 ($(jq -c .replay.n3 "$TMP/d.json"))" \
	jq -e --arg r "revision $(manifest divergence state-divergence.revision), key \"$(manifest divergence state-divergence.key)\", leaf page $(manifest divergence state-divergence.page):" \
	'.replay.n3.verdict == "db-diverges-from-wal" and (.replay.n3.reason | contains($r))' "$TMP/d.json" >/dev/null
check "a backup without WAL: not replayed" jq -e '.replay.backup.verdict == null and .replay.backup.reason == "no WAL"' "$TMP/d.json" >/dev/null

"$EA" verify "$B/backup.tar.gz" --against n3="$D/state-divergence.tar.gz" --against n1="$B/n1.tar.gz" >"$TMP/t.txt" 2>/dev/null
check "table: replay line for n3" grep -q '^replay  n3 *db-diverges-from-wal (first at index' "$TMP/t.txt"
check "table: replay line for n1" grep -q "^replay  n1 *db-equals-wal (entries 1\.\.[0-9]*, last revision $(manifest backup-restore n1.revision))" "$TMP/t.txt"
finish
