# test_trust_node_parts.sh (issue 13 item 4): a WAL dir given as a node is never read as a
# bbolt db, and a node with only a WAL or only a db says what is missing and never makes the
# verdict `consistent`. Built from the leader-change fixture (one WAL segment per member, a
# consistent cluster: etcd's own endpoint status agrees on every member, see its manifest).
. "$(dirname "$0")/lib.sh"

L=$FIXTURES/leader-change
for n in n1 n2 n3; do tar -C "$TMP" -xzf "$L/$n.tar.gz"; done
W=$TMP/n1/member/wal
check "the WAL dir holds one segment (manifest)" [ "$(ls "$W" | wc -l)" = "$(manifest leader-change n1.wal_segments)" ]

# diff w=n1/member/wal n2 n3: no db-damage about a .wal, a missing-part finding naming w
expect_exit 1 "diff with a WAL dir as a node" "$EA" diff -w json w="$W" n2="$TMP/n2" n3="$TMP/n3"
D=$TMP/out
check "diff json parses" jq -e . "$D" >/dev/null
check "no db-damage (a .wal is never a db)" jq -e '[.findings[]|select(.kind=="db-damage")]|length==0' "$D" >/dev/null
check "nothing calls a .wal a bbolt file" sh -c "! grep -q 'not a valid bbolt' '$D'"
check "missing-part names w and its db" jq -e '.findings|any(.kind=="missing-part" and (.detail|startswith("w: no bbolt db")))' "$D" >/dev/null
check "verdict is not consistent" jq -e '.verdict=="incomplete"' "$D" >/dev/null
check "w is not recommended" jq -e '.recommended_source!="w"' "$D" >/dev/null
# the WAL part of w is still analysed: its last index is the one etcd reported
check "w's WAL still read (last index = manifest)" \
	jq -e ".nodes|any(.name==\"w\" and .last_index==$(manifest leader-change n1.raft_index))" "$D" >/dev/null

# db stat / verify / export / report on the WAL dir: never "not a valid bbolt file"
expect_exit 2 "db stat of a WAL dir" "$EA" db stat "$W"
check "db stat says no db" grep -q "no bbolt database found" "$TMP/err"
"$EA" verify -w json "$W" >"$TMP/v.json" 2>/dev/null
check "verify of a WAL dir names the missing db" jq -e '.reasons|any(.reason|test("no bbolt db"))' "$TMP/v.json" >/dev/null
check "verify never reads the .wal as a db" sh -c "! grep -q 'not a valid bbolt' '$TMP/v.json'"
if "$EA" export --help >/dev/null 2>&1 && command -v sqlite3 >/dev/null; then
	"$EA" export -o "$TMP/x.sqlite" w="$W" n2="$TMP/n2" n3="$TMP/n3" >/dev/null 2>&1
	check "export: no db-damage finding" [ "$(sqlite3 "$TMP/x.sqlite" "SELECT count(*) FROM findings WHERE kind='db-damage'")" = 0 ]
	check "export: missing-part finding" [ "$(sqlite3 "$TMP/x.sqlite" "SELECT count(*) FROM findings WHERE kind='missing-part'")" = 1 ]
	check "export: verdict incomplete" [ "$(sqlite3 "$TMP/x.sqlite" "SELECT verdict FROM verdict")" = incomplete ]
fi
"$EA" report -o "$TMP/r.html" w="$W" n2="$TMP/n2" n3="$TMP/n3" >/dev/null 2>&1
check "report written" test -s "$TMP/r.html"
check "report never calls a .wal a bbolt file" sh -c "! grep -q 'not a valid bbolt' '$TMP/r.html'"
check "report verdict incomplete" grep -q 'data-verdict="incomplete"' "$TMP/r.html"

# a bare db as a node: no LAST of 0 passed off as consistent
expect_exit 1 "diff with a bare db as a node" "$EA" diff -w json db="$TMP/n1/member/snap/db" n2="$TMP/n2" n3="$TMP/n3"
check "bare db: verdict not consistent" jq -e '.verdict=="incomplete"' "$TMP/out" >/dev/null
check "bare db: missing-part names its WAL" \
	jq -e '.findings|any(.kind=="missing-part" and (.detail|startswith("db: no WAL")))' "$TMP/out" >/dev/null
check "bare db: not recommended" jq -e '.recommended_source!="db"' "$TMP/out" >/dev/null

"$EA" diff db="$TMP/n1/member/snap/db" n2="$TMP/n2" n3="$TMP/n3" >"$TMP/t.txt" 2>/dev/null
check "bare db: the table shows no LAST index of 0" grep -Eq '^db +- +- +- +- ' "$TMP/t.txt"

# the same three members whole: still consistent (the rule only bites on missing parts)
expect_exit 0 "whole members stay consistent" "$EA" diff -w json "$TMP/n1" "$TMP/n2" "$TMP/n3"
check "whole members: consistent" jq -e '.verdict=="consistent" and (.findings|length==0)' "$TMP/out" >/dev/null
finish
