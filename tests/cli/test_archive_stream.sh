#!/usr/bin/env bash
# A compressed archive streams its WAL segments (issue 18): when they appear in name order,
# each pass decompresses them again instead of staging them; only the other members (db,
# .snap) are staged, so a --stage-limit below the WAL's size but above the db's now works.
# Every command gives the output of the data dir; WAL members out of name order (tar -T list)
# are staged as before, and the note says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/archive_same.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

archive_fixtures tar.gz -czf
for i in 1 2; do
	nw=$(tar -tzf "$TMP/a$i.tar.gz" | grep -c '\.wal$')
	no=$(tar -tvzf "$TMP/a$i.tar.gz" | awk '$1 ~ /^-/' | grep -vc '\.wal$')
	check "${AFX[$i]} .tar.gz: the $no other members staged, the $nw WAL segments streamed" \
		grep -q "^etcd-autopsy wal stat: $TMP/a$i.tar.gz: staged $no members (.*; WAL streamed ($nw segments, " "$TMP/note$i"
done

# a --stage-limit above the db and .snap files, below the WAL: read (the old staging refused)
stage_limit_sizes "$TMP/a1.tar.gz"
check "setup: the limit lies between ($other < ${lim}M < $wal)" test $((lim << 20)) -gt "$other" -a $((lim << 20)) -lt "$wal"
"$EA" wal stat "$TMP/d1" >"$TMP/dir.out" 2>/dev/null
expect_exit 0 "--stage-limit ${lim}M: read" env TMPDIR="$TMP/stage" "$EA" wal stat --stage-limit "${lim}M" "$TMP/a1.tar.gz"
check "--stage-limit ${lim}M: the directory's output" cmp -s "$TMP/dir.out" "$TMP/out"

# WAL members out of name order: staged, same output, and the note says why
extract "$FIXTURES/corrupt/torn-tail.tar.gz" "$TMP/d3"
(cd "$TMP/d3" && { find member ! -name '*.wal' | sort; find member -name '*.wal' | sort -r; }) >"$TMP/list"
tar -C "$TMP/d3" --no-recursion -czf "$TMP/ooo.tar.gz" -T "$TMP/list"
check "setup: WAL members out of order" bash -c "tar -tzf '$TMP/ooo.tar.gz' | grep '\.wal$' | sort -c 2>/dev/null; [ \$? != 0 ]"
same_as_dir "$TMP/d3" "$TMP/ooo.tar.gz" "out-of-order .tar.gz"
"$EA" wal stat "$TMP/ooo.tar.gz" >/dev/null 2>"$TMP/err"
check "out-of-order .tar.gz: WAL staged, and why" grep -q "; WAL staged: its WAL members are not in name order" "$TMP/err"

# a diff of three tarballs: the diff of the three data dirs
diff_three tar.gz -czf
check "diff of three .tar.gz: three WAL streamed" test "$(grep -c '; WAL streamed (' "$TMP/err")" = 3
finish
