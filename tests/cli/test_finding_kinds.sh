#!/usr/bin/env bash
# test_finding_kinds.sh: the finding-kind table (src/analysis/finding_kinds.c, read through
# `diff --list-findings`) is what `diff --help`, README.md, the man page and docs/schema.md
# list: every kind of the table in each, and no kind in them that the table lacks; the kinds
# diff emits on the fixtures are rows of the table.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

expect_exit 0 "diff --list-findings -w json" "$EA" diff --list-findings -w json
cp "$TMP/out" "$TMP/kinds.json"
jq -r '.finding_kinds[].name' "$TMP/kinds.json" | sort >"$TMP/table"
check "the table has the 15 kinds diff.c had as strings, kv-hash-rule and db-differs-from-own-wal" [ "$(wc -l <"$TMP/table")" = 17 ]
check "no kind twice in the table" [ -z "$(uniq -d "$TMP/table")" ]
check "every row has a severity, meaning and advice" \
	[ "$(jq '[.finding_kinds[] | select((.severities | length) == 0 or .meaning == "" or .advice == "")] | length' "$TMP/kinds.json")" = 0 ]
check "severities are info, warning or critical" \
	[ "$(jq -r '[.finding_kinds[].severities[]] | unique | map(select(. != "info" and . != "warning" and . != "critical")) | length' "$TMP/kinds.json")" = 0 ]
expect_exit 0 "diff --list-findings (text)" "$EA" diff --list-findings
check "the text form names every kind" [ "$(grep -c '^[a-z-]* \[' "$TMP/out")" = 17 ]

# same_kinds DOC FILE: FILE (one kind a line) is exactly the table
same_kinds() {
	local doc=$1 got=$2
	sort -u "$got" >"$got.s"
	local missing extra
	missing=$(comm -23 "$TMP/table" "$got.s" | tr '\n' ' ')
	extra=$(comm -13 "$TMP/table" "$got.s" | tr '\n' ' ')
	if [ -z "$missing" ] && [ -z "$extra" ]; then ok; else
		fail "$doc: kinds missing: [$missing] not in the table: [$extra]"; fi
}

# diff --help: the lines between "classifies every difference:" and "then a verdict"
"$EA" diff --help >"$TMP/help"
sed -n '/classifies every difference:/,/^then a verdict/p' "$TMP/help" | sed '1d;$d' |
	sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' >"$TMP/k.help"
check "diff --help: one line per kind" [ "$(sed -n '/classifies every difference:/,/^then a verdict/p' "$TMP/help" | sed '1d;$d' | wc -l)" = 17 ]
same_kinds "diff --help" "$TMP/k.help"

# README.md: the first cell of each row of diff's findings table
sed -n '/^| finding | meaning |$/,/^$/p' "$ROOT/README.md" | sed '1,2d' | cut -d'|' -f2 |
	grep -o '`[^`]*`' | tr -d '`' >"$TMP/k.readme"
same_kinds README.md "$TMP/k.readme"

# docs/schema.md: the findings.kind bullet, up to its `severity`
tr '\n' ' ' <"$ROOT/docs/schema.md" | sed -n 's/.*`findings\.kind`:\(.*\)`severity`.*/\1/p' |
	sed 's/([^)]*)//g' | grep -o '`[^`]*`' | tr -d '`' >"$TMP/k.schema"
same_kinds docs/schema.md "$TMP/k.schema"

# docs/etcd-autopsy.1: the list after "as one of these findings:" up to its period
tr '\n' ' ' <"$ROOT/docs/etcd-autopsy.1" | sed -n 's/.*as one of these findings: \([^.]*\)\..*/\1/p' |
	tr ',' '\n' | tr -d ' ' | grep . >"$TMP/k.man"
same_kinds docs/etcd-autopsy.1 "$TMP/k.man"

# the kinds diff emits on real fixtures are rows of the table (and keep their names)
U=$TMP/u
for tgz in "$FIXTURES"/{isolated-leader,follower-behind,election-storm,membership,backup-restore}/*.tar.gz; do
	s=$(basename "$(dirname "$tgz")"); b=$(basename "$tgz" .tar.gz)
	mkdir -p "$U/$s/$b" && tar -xzf "$tgz" -C "$U/$s/$b"
done
node() { find "$U/$1/$2" -mindepth 1 -maxdepth 1 | head -1; }
emitted=$TMP/emitted
: >"$emitted"
"$EA" diff -w json "n1=$(node isolated-leader n1)" "n2=$(node isolated-leader n2-before-restart)" \
	"n3=$(node isolated-leader n3)" | jq -r '.findings[].kind' >>"$emitted"
for s in follower-behind election-storm membership; do
	"$EA" diff -w json "n1=$(node $s n1)" "n2=$(node $s n2)" "n3=$(node $s n3)" | jq -r '.findings[].kind' >>"$emitted"
done
check "the fixtures give findings" [ -s "$emitted" ]
check "isolated-leader: uncommitted-divergence" grep -qx uncommitted-divergence "$emitted"
check "follower-behind: lagging" grep -qx lagging "$emitted"
check "election-storm: term-inflation" grep -qx term-inflation "$emitted"
sort -u "$emitted" | comm -23 - "$TMP/table" >"$TMP/unknown"
check "every emitted kind is in the table" [ ! -s "$TMP/unknown" ]

finish
