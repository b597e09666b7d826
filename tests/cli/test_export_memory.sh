# test_export_memory.sh (issue 18): export's memory does not grow with what it writes, and its
# SQLite temp files follow TMPDIR. fixtures/healthy n1 with --values writes ~140 MB (1 MiB
# values): the old 64 MiB SQLite page cache plus in-memory sorts took ~111 MiB; the bound below
# leaves room for the Debug build. The export is the same with a usable and an unusable TMPDIR
# (then SQLite's sorts stay in memory), and etcd's facts are in it (manifest.txt).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
H=$FIXTURES/healthy

# ---- peak RSS (not measurable under ASan: its shadow memory dominates) ----
if ldd "$EA" 2>/dev/null | grep -q 'libasan'; then
	echo "ASan build: peak RSS not checked"
elif [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$TMP/rss" "$EA" export -o "$TMP/v.sqlite" --values -q "$H/n1.tar.gz" 2>"$TMP/err"
	check "export --values of healthy n1 succeeds" [ -s "$TMP/v.sqlite" ]
	rss=$(tail -n 1 "$TMP/rss")
	if [ "$rss" -le $((96 * 1024)) ]; then ok; else fail "export --values peak RSS ${rss} KiB > 96 MiB"; fi
	rm -f "$TMP/v.sqlite"
fi

# ---- SQLite's temp files: TMPDIR, or memory when TMPDIR is not usable ----
mkdir -p "$TMP/t" "$TMP/d"
tar -xzf "$H/n1.tar.gz" -C "$TMP/d"   # a directory input: no staging, TMPDIR is SQLite's alone
N1=$TMP/d/n1
expect_exit 0 "export with TMPDIR=$TMP/t" env TMPDIR="$TMP/t" "$EA" export -o "$TMP/a.sqlite" -q "$N1"
expect_exit 0 "export with an unusable TMPDIR" env TMPDIR="$TMP/missing" "$EA" export -o "$TMP/b.sqlite" -q "$N1"
check "no temp file left in TMPDIR" [ -z "$(ls -A "$TMP/t")" ]
dump() { sqlite3 "$1" .dump | grep -v "'export_time'\|'command_line'"; }
check "same export either way" cmp -s <(dump "$TMP/a.sqlite") <(dump "$TMP/b.sqlite")
last=$(sqlite3 "$TMP/a.sqlite" "SELECT max(idx) FROM entries WHERE node = 'n1'")
check "entries up to etcd's raft index" [ "$last" = "$(manifest healthy n1.raft_index)" ]
member=$(sqlite3 "$TMP/a.sqlite" "SELECT member_id FROM nodes")
check "nodes.member_id is etcd's" [ "$member" = "$(manifest healthy n1.member_id)" ]
finish
