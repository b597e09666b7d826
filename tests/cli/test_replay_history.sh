#!/bin/bash
# test_replay_history.sh: history past compaction (issue 16) on fixtures/healthy, whose
# generator (gen-healthy.sh) wrote, from revision 1 on: put foo bar1, put foo bar2, put bar baz,
# put leased v1 (lease), txn {foo=bar3, txnkey=t1}, del bar; then compacted at that revision
# (manifest: "early compaction at revision E"), so foo's puts were at E-5, E-4 and E-1 and bar's
# at E-3 (put baz) and E (delete). It then put /big/blob{i%4} = 1 MiB of the letter 97+i%26 for
# i = 0..139 and compacted finally at F (manifest) — the db keeps only the last of each.
#  - `db history` on a member (data dir with WAL) adds the compacted revisions from the WAL with
#    source wal and the values the generator wrote; db rows say source db; nothing repeated;
#  - a db file alone (the backup) has db rows only.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

N1="$FIXTURES/healthy/n1.tar.gz"
E=$(sed -n 's/^# early compaction at revision \([0-9]*\),.*/\1/p' "$FIXTURES/healthy/manifest.txt")
F=$(sed -n 's/.*final compaction at revision \([0-9]*\) .*/\1/p' "$FIXTURES/healthy/manifest.txt")
check "manifest names the early compaction ($E) and the final one ($F)" [ -n "$E" ] && [ -n "$F" ]

# ---- db history foo: bar1 and bar2 from the WAL, bar3 from the db ----
expect_exit 0 "db history foo exits 0" "$EA" db history "$N1" foo -w json
cp "$TMP/out" "$TMP/foo.json"
got=$(jq -c '[.revision, .sub, .source, .value, .version, .create_revision, .tombstone]' "$TMP/foo.json" | tr '\n' ' ')
want="[$((E - 5)),0,\"wal\",\"bar1\",1,$((E - 5)),false] [$((E - 4)),0,\"wal\",\"bar2\",2,$((E - 5)),false] [$((E - 1)),0,\"db\",\"bar3\",3,$((E - 5)),false] "
check "foo: $want (got $got)" [ "$got" = "$want" ]
check "foo: wal rows have no page, db rows have one" \
	[ "$(jq -c 'select(.source == "wal") | .page' "$TMP/foo.json" | sort -u)" = null ]
check "foo: the db row keeps its page" [ "$(jq -r 'select(.source == "db") | .page > 0' "$TMP/foo.json")" = true ]

# ---- bar: put baz, then the delete, both compacted away ----
"$EA" db history "$N1" bar -w json >"$TMP/bar.json" 2>/dev/null
got=$(jq -c '[.revision, .source, .tombstone, (if .tombstone then null else .value end)]' "$TMP/bar.json" | tr '\n' ' ')
want="[$((E - 3)),\"wal\",false,\"baz\"] [$E,\"wal\",true,null] "
check "bar: $want (got $got)" [ "$got" = "$want" ]

# ---- the table shows the source column ----
"$EA" db history "$N1" foo >"$TMP/foo.txt" 2>/dev/null
check "table header has SOURCE" grep -q 'SOURCE' "$TMP/foo.txt"
check "table: bar1 row is from the wal" grep -Eq "^ *$((E - 5))\.0 +PUT +wal .*foo = bar1$" "$TMP/foo.txt"
check "table: bar3 row is from the db" grep -Eq "^ *$((E - 1))\.0 +PUT +db .*foo = bar3$" "$TMP/foo.txt"

# ---- /big/blob0: the generator's 1 MiB values, letter 97 + i%26 for i = 0, 4, 8, ... ----
"$EA" db history "$N1" /big/blob0 -w json >"$TMP/blob.json" 2>/dev/null
python3 - "$TMP/blob.json" >"$TMP/blob.tsv" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    v = r["value"] or ""
    print("\t".join(str(x) for x in (r["revision"], r["sub"], r["source"], len(v), v[:1], len(set(v)), r["version"])))
PYEOF
check "blob0: rows in revision order, none repeated" \
	[ "$(cut -f1,2 "$TMP/blob.tsv" | sort -n -k1 -k2 -u)" = "$(cut -f1,2 "$TMP/blob.tsv")" ]
check "blob0: wal rows all at or below the final compaction $F" \
	[ "$(awk -v f="$F" '$3 == "wal" && $1 > f' "$TMP/blob.tsv" | wc -l)" = 0 ]
check "blob0: 35 puts (140/4), each 1 MiB of one letter" \
	[ "$(awk '$4 == 1048576 && $6 == 1' "$TMP/blob.tsv" | wc -l)" = 35 ]
letters=""
for i in $(seq 0 4 139); do letters+=$(printf "\\x$(printf %x $((97 + i % 26)))"); done
check "blob0: the letters the generator wrote, in order ($letters)" [ "$(cut -f5 "$TMP/blob.tsv" | tr -d '\n')" = "$letters" ]
check "blob0: versions 1..35" [ "$(cut -f7 "$TMP/blob.tsv" | tr '\n' ' ')" = "$(seq 1 35 | tr '\n' ' ')" ]
check "blob0: some rows from the wal, the last from the db" \
	[ "$(head -1 "$TMP/blob.tsv" | cut -f3)/$(tail -1 "$TMP/blob.tsv" | cut -f3)" = wal/db ]

# ---- a db alone: nothing from a WAL ----
"$EA" db history "$FIXTURES/healthy/backup.tar.gz" foo -w json >"$TMP/b.json" 2>/dev/null
check "backup: foo has its db row only" [ "$(jq -c '[.revision, .source]' "$TMP/b.json")" = "[$((E - 1)),\"db\"]" ]

# ---- export: revisions reach past compaction, with their source; entries carry the replay's
# revision and txn outcome (schema 3) ----
if command -v sqlite3 >/dev/null; then
	expect_exit 0 "export n1" "$EA" export -q -o "$TMP/h.sqlite" "$N1"
	q() { sqlite3 -batch -noheader -separator ' ' "$TMP/h.sqlite" "$1"; }
	check "schema_version 4" [ "$(q "SELECT value FROM meta WHERE key = 'schema_version'")" = 4 ]
	got=$(q "SELECT main, sub, source, version FROM revisions WHERE key = 'foo' ORDER BY main, sub" | tr '\n' ';')
	want="$((E - 5)) 0 wal 1;$((E - 4)) 0 wal 2;$((E - 1)) 0 db 3;"
	check "export: foo's revisions $want (got $got)" [ "$got" = "$want" ]
	got=$(q "SELECT main, source, tombstone FROM revisions WHERE key = 'bar' ORDER BY main" | tr '\n' ';')
	check "export: bar's put and delete from the wal (got $got)" [ "$got" = "$((E - 3)) wal 0;$E wal 1;" ]
	check "export: no revision both in the db and from the wal" \
		[ "$(q "SELECT count(*) FROM (SELECT main, sub FROM revisions GROUP BY main, sub HAVING count(*) > 1)")" = 0 ]
	check "export: wal rows only at or below the final compaction $F" \
		[ "$(q "SELECT count(*) FROM revisions WHERE source = 'wal' AND main > $F")" = 0 ]
	check "export: blob0 has all 35 revisions" [ "$(q "SELECT count(*) FROM revisions WHERE key = '/big/blob0'")" = 35 ]
	# the txn (foo=bar3, txnkey=t1) ran its success branch (mod("foo") > 0) at E-1
	check "export: the txn entry made revision E-1, applied" \
		[ "$(q "SELECT revision, txn_applied FROM entries WHERE kind = 'txn'")" = "$((E - 1)) 1" ]
	check "export: the last revision an entry made is endpoint status' revision" \
		[ "$(q "SELECT max(revision) FROM entries")" = "$(manifest healthy n1.revision)" ]
	check "export: non-txn entries have no txn_applied" \
		[ "$(q "SELECT count(*) FROM entries WHERE kind <> 'txn' AND txn_applied IS NOT NULL")" = 0 ]
	# docs/queries/key-history.sql reaches past compaction
	got=$(sqlite3 -batch -noheader -separator ' ' -cmd ".param set :key 'foo'" "$TMP/h.sqlite" \
		<"$(dirname "$0")/../../docs/queries/key-history.sql" | awk '{print $1, $NF}' | tr '\n' ';')
	check "key-history.sql: foo from $((E - 5)) on (got $got)" [ "$got" = "$((E - 5)) wal;$((E - 4)) wal;$((E - 1)) db;" ]
fi

# ---- wal ls -w json with the member's db: the revision each entry made, txn.applied ----
for n in n1 n2 n3; do
	"$EA" wal ls "$FIXTURES/healthy/$n.tar.gz" -w json >"$TMP/w.json" 2>/dev/null
	want=$(manifest healthy "$n.revision")
	got=$(jq -r 'select(.index) | select(.revision != null) | .revision' "$TMP/w.json" | tail -1)
	check "wal ls $n: the last entry that made a revision made $want (endpoint status; got $got)" [ "$got" = "$want" ]
	check "wal ls $n: every entry has a revision field" [ "$(jq -r 'select(.index) | has("revision")' "$TMP/w.json" | sort -u)" = true ]
	check "wal ls $n: the txn made E-1, success branch (mod(foo) > 0)" \
		[ "$(jq -c 'select(.kind == "txn") | [.revision, .txn.applied]' "$TMP/w.json")" = "[$((E - 1)),true]" ]
	check "wal ls $n: foo's first put made E-5" \
		[ "$(jq -r 'select(.kind == "put" and .key == "foo") | .revision' "$TMP/w.json" | head -1)" = "$((E - 5))" ]
done
# a WAL without its db: no revision field (nothing to anchor on)
mkdir -p "$TMP/walonly" && tar -xzf "$N1" -C "$TMP/walonly" && rm -rf "$TMP"/walonly/*/member/snap
"$EA" wal ls "$TMP"/walonly/* -w json >"$TMP/w2.json" 2>/dev/null
check "wal ls without a db: entries listed" [ "$(jq -r 'select(.index) | .index' "$TMP/w2.json" | wc -l)" -gt 400 ]
check "wal ls without a db: no revision field" [ "$(jq -r 'select(.index) | has("revision")' "$TMP/w2.json" | sort -u)" = false ]

finish
