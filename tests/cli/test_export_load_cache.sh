#!/usr/bin/env bash
# test_export_load_cache.sh (issue 18): export's SQLite page cache is small (2 MiB) during the
# bulk load, when the replay's key model is at its largest, and 16 MiB only for the index sorts
# after it; the peak RSS of a big load drops with it (real n1: 77 -> 61 MiB). fixtures/healthy
# n1 with --values loads ~140 MB (1 MiB values): old main peaked at ~47 MiB (Release), now
# ~34 MiB; the bound leaves room for a Debug build. Not measurable under ASan (its shadow
# memory dominates). The export holds etcd's facts either way (manifest.txt).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
H=$FIXTURES/healthy
q() { sqlite3 "$TMP/v.sqlite" "$1"; }

if ldd "$EA" 2>/dev/null | grep -q 'libasan' || [ ! -x /usr/bin/time ]; then
	echo "ASan build (or no /usr/bin/time): peak RSS not checked"
	expect_exit 0 "export --values of healthy n1" "$EA" export -o "$TMP/v.sqlite" --values -q "$H/n1.tar.gz"
else
	expect_exit 0 "export --values of healthy n1" /usr/bin/time -f %M -o "$TMP/rss" "$EA" export -o "$TMP/v.sqlite" --values -q "$H/n1.tar.gz"
	rss=$(tail -n 1 "$TMP/rss")
	if [ "$rss" -le $((40 * 1024)) ]; then ok; else fail "export --values peak RSS ${rss} KiB > 40 MiB"; fi
fi
check "entries up to etcd's raft index" [ "$(q "SELECT max(idx) FROM entries WHERE node = 'n1'")" = "$(manifest healthy n1.raft_index)" ]
check "revisions up to etcd's revision" [ "$(q "SELECT max(main) FROM revisions WHERE source = 'db'")" = "$(manifest healthy n1.revision)" ]
check "every live db revision's value is stored whole" [ "$(q "SELECT count(*) FROM revisions WHERE source = 'db' AND value_size IS NOT NULL AND length(value) != value_size")" = 0 ]
finish
