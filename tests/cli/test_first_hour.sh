# test_first_hour.sh: what a new user meets in the first hour (issue 13, items 18-20): the
# README's first commands and docs, tables for people (node names, one hex ID format, sizes,
# aligned columns, time order, snap ls without .snap, --no-crc, --write-out), the progress
# line, the man page listing every option, and a report without the maker's paths.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
IL=$FIXTURES/isolated-leader
ES=$FIXTURES/election-storm
H=$FIXTURES/healthy
iso=$(manifest isolated-leader isolated_leader)

# ---- 18: README and docs ----
# the README begins with exactly two commands: the tool alone (no tests, bounded -j) on a
# bundled fixture, then what CI runs
first_block=$(awk '/^```/{n++; next} n==1' "$SRC/README.md")
check "README: first block has two commands" [ "$(printf '%s\n' "$first_block" | grep -c .)" = 2 ]
cmd1=$(printf '%s\n' "$first_block" | sed -n 1p)
cmd2=$(printf '%s\n' "$first_block" | sed -n 2p)
check "README: first command builds without tests" grep -q -- '-DEA_TESTS=OFF' <<<"$cmd1"
check "README: first command bounds the jobs" grep -qE -- '-j ?"?\$\(nproc\)' <<<"$cmd1"
check "README: first command runs the tool on a bundled fixture" grep -q 'etcd-autopsy .*fixtures/' <<<"$cmd1"
check "README: second command is CI's" [ "$cmd2" = ".ci/run" ]
check "README: no unbounded -j anywhere" bash -c "! grep -nE -- '-j( |\$|&)' '$SRC/README.md'"
check "README: how to take a safe copy" grep -q 'etcdctl .*snapshot save' "$SRC/README.md"
check "README: copy a stopped member with cp -a" grep -q 'cp -a' "$SRC/README.md"
check "README: the live-data-dir warning explained" grep -q 'live-data-dir' "$SRC/README.md"
check "README: archives are not said to be read in place" bash -c "! grep -qi 'are read in place' '$SRC/README.md'"
check "README: archives are staged" grep -q 'copied (\*staged\*)' "$SRC/README.md"
check "man page: archives are not said to be read in place" bash -c "! grep -qi '^read in place' '$SRC/docs/etcd-autopsy.1'"
check "man page: archives are staged" grep -q 'copied (staged)' "$SRC/docs/etcd-autopsy.1"
check "no reference to ../shared in README or docs" \
	bash -c "! grep -rn '\.\./shared' '$SRC/README.md' '$SRC/docs' '$SRC/formats/README.md'"
# every section the sources cite as docs/formats.md §N exists in docs/formats.md under that number
cited=$(grep -rhoE 'docs/formats\.md §[0-9]+(\.[0-9]+)?' "$SRC/src" "$SRC/include" "$SRC/tests/unit" | sed 's/.*§//' | sort -u)
check "sources cite docs/formats.md sections" [ -n "$cited" ]
for s in $cited; do
	check "docs/formats.md has section $s" grep -qE "^#+ ${s//./\\.}\.? " "$SRC/docs/formats.md"
done
check "docs/formats.md: frame offset table" grep -q '| 8 + \*rec\* + \*pad\* |' "$SRC/docs/formats.md"
check "docs/formats.md: meta page offset table" grep -q '^| 72 | u64 | checksum' "$SRC/docs/formats.md"

# ---- 19: tables for people ----
# --write-out is -w's long spelling (etcdctl's) in every command that has -w
for c in "wal stat $IL/n1.tar.gz" "wal ls $IL/n1.tar.gz" "db stat $IL/n1.tar.gz" "snap ls $H/n1.tar.gz" \
         "history --terms $IL/n1.tar.gz" "diff $IL/n1.tar.gz $IL/n3.tar.gz" "verify $H/backup.tar.gz"; do
	# shellcheck disable=SC2086
	"$EA" $c --write-out json 2>/dev/null >"$TMP/wo.json"
	check "--write-out json parses: $c" jq -e . "$TMP/wo.json" >/dev/null
	# shellcheck disable=SC2086
	"$EA" $c --write-out=json 2>/dev/null >"$TMP/wo2.json"
	check "--write-out=json = --write-out json: $c" cmp -s "$TMP/wo.json" "$TMP/wo2.json"
done

# one hex ID format: the manifest's member IDs (etcd prints them without leading zeros) are
# what db stat's table, its JSON and snap ls print; n3 of isolated-leader has a 15-digit ID
n3id=$(manifest isolated-leader n3.member_id)
check "fixture has a member ID below 2^60" [ "${#n3id}" -lt 16 ]
"$EA" db stat "$IL/n1.tar.gz" >"$TMP/dbstat.txt"
"$EA" db stat "$IL/n1.tar.gz" -w json >"$TMP/dbstat.json"
check "db stat table: $n3id as etcd prints it" grep -qE "^  $n3id +$iso|^  $n3id +n3" "$TMP/dbstat.txt"
check "db stat table: no zero-padded ID" bash -c "! grep -q '0$n3id' '$TMP/dbstat.txt'"
check "db stat: table IDs = JSON IDs" [ "$(awk '/^members/{m=1; next} m && /^  [0-9a-f]+ /{print $1} /^leases/{m=0}' "$TMP/dbstat.txt" | sort | tr '\n' ' ')" = \
	"$(jq -r '.members[].id' "$TMP/dbstat.json" | sort | tr '\n' ' ')" ]
# human-readable sizes next to raw bytes: the db size etcd's file system reported
dbsize=$(manifest healthy n1.db_size)
want=$(awk -v b="$dbsize" 'BEGIN{ printf "%.1f MiB", b / 1048576 }')
"$EA" db stat "$H/n1.tar.gz" >"$TMP/hdb.txt"
check "db stat: $dbsize bytes, $want" grep -q "($dbsize bytes, $want)" "$TMP/hdb.txt"

# history --terms: leaders and votes by node name
"$EA" history --terms n1=$IL/n1.tar.gz $iso=$IL/$iso-before-restart.tar.gz n3=$IL/n3.tar.gz >"$TMP/terms.txt"
iterm=$(manifest isolated-leader isolated.term)
nterm=$(manifest isolated-leader new_leader_term)
check "history --terms: term $iterm led by $iso (name)" grep -qE "^ +$iterm $iso +" "$TMP/terms.txt"
check "history --terms: term $nterm led by n3 (name)" grep -qE "^ +$nterm n3 +" "$TMP/terms.txt"
check "history --terms: votes by name" grep -qE " n1->n3(,|$)" "$TMP/terms.txt"
check "history --terms: no bare hex ID in the term rows" \
	bash -c "! grep -E '^ +[0-9]+ ' '$TMP/terms.txt' | grep -qE '[0-9a-f]{12,}'"

# history rows in time order where a time is known (election storm with etcd's logs)
"$EA" history n1=$ES/n1.tar.gz n2=$ES/n2.tar.gz n3=$ES/n3.tar.gz --logs n1=$ES/etcd/logs/n1.log \
	--logs n2=$ES/etcd/logs/n2.log --logs n3=$ES/etcd/logs/n3.log >"$TMP/hist.txt"
check "history: timed rows" [ "$(grep -c '^20' "$TMP/hist.txt")" -gt 100 ]
check "history: rows in time order" bash -c "grep '^20' '$TMP/hist.txt' | cut -c1-24 | sort -c"

# snap ls: a header, and exit 0 with a word on a healthy member without a .snap file
expect_exit 0 "snap ls: a member without .snap exits 0" "$EA" snap ls "$IL/n1.tar.gz"
check "snap ls: header without .snap" grep -q '^FILE ' "$TMP/out"
check "snap ls: says there is no .snap file" grep -q 'no .snap files' "$TMP/out"
expect_exit 0 "snap ls -w json: a member without .snap exits 0" "$EA" snap ls "$IL/n1.tar.gz" -w json
check "snap ls -w json: empty stream" [ ! -s "$TMP/out" ]
mkdir -p "$TMP/notetcd" && echo hello >"$TMP/notetcd/notes.txt"
expect_exit 2 "snap ls: nothing etcd-shaped is still exit 2" "$EA" snap ls "$TMP/notetcd"
"$EA" snap ls "$H/n1.tar.gz" >"$TMP/snap.txt"
check "snap ls: header with .snap files" bash -c "head -1 '$TMP/snap.txt' | grep -q '^FILE .*KIND.*CRC.*TERM.*INDEX'"
check "snap ls: member IDs as etcd prints them" \
	bash -c "grep '^    member' '$TMP/snap.txt' | awk '{print \$2}' | grep -qx \"$(manifest healthy n2.member_id)\""

# wal ls --records: columns aligned whatever the length of the segment names
"$EA" wal ls "$H/n1.tar.gz" --records --to 5 >"$TMP/rec.txt"
hdr_end=$(head -1 "$TMP/rec.txt" | awk '{print index($0, "OFFSET") + 5}')
check "wal ls --records: offsets end under OFFSET" \
	bash -c "awk -v e=$hdr_end 'NR > 1 && !/^(PROBLEM|#| )/ { p = index(\$0, \" \" \$2 \" \") + length(\$2); if (p != e) bad++ } END { exit bad > 0 }' '$TMP/rec.txt'"
check "wal ls --records: rows" [ "$(wc -l <"$TMP/rec.txt")" -gt 5 ]

# --no-crc is announced
"$EA" wal ls "$H/n1.tar.gz" --no-crc --to 3 >"$TMP/nocrc.txt" 2>&1
check "wal ls --no-crc: announced" grep -q 'not verified (--no-crc)' "$TMP/nocrc.txt"
"$EA" wal stat "$H/n1.tar.gz" --no-crc >"$TMP/nocrc2.txt" 2>&1
check "wal stat --no-crc: announced" grep -q 'not verified (--no-crc)' "$TMP/nocrc2.txt"
"$EA" wal ls "$H/n1.tar.gz" --no-crc --to 3 -w json >"$TMP/nocrc.json" 2>"$TMP/nocrc.err"
check "wal ls --no-crc -w json: announced on stderr" grep -q 'not verified (--no-crc)' "$TMP/nocrc.err"
check "wal ls --no-crc -w json: stdout stays JSON" jq -e . "$TMP/nocrc.json" >/dev/null

# ---- 20: man page ----
MAN=$SRC/docs/etcd-autopsy.1
# every option of the option tables: the shared rows (args.c) and each command's cli_row list
opts=$(awk '/static const (cli_opt|cli_row) [a-z_]*\[\]|cli_common_rows\[\] = /,/};/' "$SRC"/src/cli/*.c |
	grep -oE '\{ "[a-z][a-z0-9-]*", ' | sed -E 's/\{ "([^"]*)", /\1/' | sort -u)
check "option tables found" [ "$(printf '%s\n' "$opts" | wc -l)" -ge 15 ]
for o in $opts; do
	check "man page lists --$o" grep -qF -- "\\-\\-${o//-/\\-}" "$MAN"
done
check "man page: no ETA promised" bash -c "! grep -qwE 'ETA|estimated time' '$MAN'"
if command -v man >/dev/null; then
	MANWIDTH=200 man -l "$MAN" 2>/dev/null >"$TMP/man.txt"
	check "man page OUTPUT: the problem object quoted as JSON" \
		grep -qF '{"problem": {"kind", "severity", "layer", "file", "offset", "length", "message"}}' "$TMP/man.txt"
fi

# ---- 20: progress ----
if command -v script >/dev/null; then
	start=$(date +%s.%N)
	script -qec "'$EA' export -o '$TMP/h.sqlite' '$H/n1.tar.gz' '$H/n2.tar.gz' '$H/n3.tar.gz' >/dev/null" /dev/null \
		</dev/null >"$TMP/tty.txt"
	wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{ printf "%.2f", b - a }')
	tr '\r' '\n' <"$TMP/tty.txt" >"$TMP/tty.lines"
	check "progress: labelled with the command and the nodes" \
		grep -aq 'etcd-autopsy export: read .* at .*/s, [0-9]* s: reading n1.tar.gz' "$TMP/tty.lines"
	check "progress: the analysis phase labelled" grep -aq 'etcd-autopsy export: read .*: analysing' "$TMP/tty.lines"
	check "progress: no ETA" bash -c "! grep -aq 'left' '$TMP/tty.lines'"
	# the summary starts its own line: the progress line was erased (ESC [K) before it
	check "progress: erased before the summary" \
		bash -c "grep -a 'etcd-autopsy export: .* rows in' '$TMP/tty.lines' | grep -aqv 'read .* at'"
	secs=$(sed -n 's/.* rows in \([0-9.]*\) s .*/\1/p' "$TMP/tty.lines" | head -1)
	check "export summary: wall time ($secs s of $wall s)" \
		awk -v s="$secs" -v w="$wall" 'BEGIN{ exit !(s != "" && s >= 0.6 * w && s <= w) }'
fi

# ---- 20: report ----
"$EA" report -q -o "$TMP/il.html" n1=$IL/n1.tar.gz $iso=$IL/$iso-before-restart.tar.gz n3=$IL/n3.tar.gz
check "report: no absolute path of the fixtures" bash -c "! grep -qF '$FIXTURES' '$TMP/il.html'"
check "report: no absolute path of the source tree" bash -c "! grep -qF '$SRC/' '$TMP/il.html'"
check "report: queries named relative" grep -q 'sqlite3 incident.sqlite &lt; \(share/etcd-autopsy\|docs\)/queries/' "$TMP/il.html"
check "report: export command keeps the node names" grep -q "export -o incident.sqlite n1=n1.tar.gz $iso=$iso-before-restart.tar.gz" "$TMP/il.html"
# restart markers only inside the node's log: the isolated leader's copy ends at its last
# index before the restart (etcd's restart log line), so no restart after it on its lane
last=$(manifest isolated-leader isolated.restart_lastindex)
python3 - "$TMP/il.html" "$iso" "$last" >"$TMP/rst.txt" <<'EOF'
import re, sys
html, node, last = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
lanes = re.split(r'<g class="lane" id="lane-', html)
for lane in lanes[1:]:
    m = re.match(r'\d+" data-node="([^"]*)"', lane)
    if m and m.group(1) == node:
        idx = [int(i) for i in re.findall(r'data-event="member-start" data-index="(\d+)"', lane)]
        print(len(idx), sum(1 for i in idx if i > last + 1))
EOF
check "report: restart markers on the $iso lane" [ "$(cut -d' ' -f1 "$TMP/rst.txt")" -ge 1 ]
check "report: none beyond its log (index $last)" [ "$(cut -d' ' -f2 "$TMP/rst.txt")" = 0 ]
# the recommended member is the reference side of the divergence, not its subject
rec=$(grep -o 'id="recommended" class="badge rec">[^<]*' "$TMP/il.html" | sed 's/.*>//')
check "report: a recommended member" [ -n "$rec" ]
check "report: finding not attributed to $rec" \
	bash -c "grep -o 'nodes: .*compared with' '$TMP/il.html' | grep -v \">$rec</a>\" | grep -q '>$iso</a>'"
check "report: $rec named as the reference" grep -q "compared with <a class=\"node-link ref\" href=\"#node-[0-9]\">$rec</a>" "$TMP/il.html"

# an election storm is not a calm "consistent": the headline carries the warning
"$EA" report -q -o "$TMP/es.html" n1=$ES/n1.tar.gz n2=$ES/n2.tar.gz n3=$ES/n3.tar.gz
check "storm report: verdict consistent (as diff)" grep -q 'data-verdict="consistent"' "$TMP/es.html"
check "storm report: headline in the warning colour" grep -q '<header id="verdict" class="sev-warning"' "$TMP/es.html"
check "storm report: warning background" grep -q '#verdict.sev-warning{[^}]*background:var(--wbg)' "$TMP/es.html"
check "storm report: headline names term-inflation" grep -q '<p id="verdict-caveat">.*term-inflation' "$TMP/es.html"
check "storm report: title says so" grep -q '<title>etcd incident report: consistent (with warnings)</title>' "$TMP/es.html"
"$EA" report -q -o "$TMP/ok.html" "$H/n1.tar.gz" "$H/n2.tar.gz" "$H/n3.tar.gz"
check "healthy report: no caveat" bash -c "! grep -q 'verdict-caveat' '$TMP/ok.html'"
finish
