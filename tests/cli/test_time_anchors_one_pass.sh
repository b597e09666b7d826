#!/usr/bin/env bash
# test_time_anchors_one_pass.sh: `wal ls -w json` and `wal ls --since/--until` gather the
# entries' time anchors in the log's first pass (walltime_scan.c): they read each WAL segment as
# many times as the table listing, no anchor pass of their own (main read it once more).
# Counted with strace: the openat() calls naming a segment of healthy n1 (its manifest's
# wal_files). `history --since/--until` gathers them in the nodes' history pass (node.c).
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null; then echo "SKIP: no strace"; exit 77; fi
mkdir -p "$TMP/n1"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/n1"
D=$(find "$TMP/n1" -mindepth 1 -maxdepth 1 -type d | head -n 1)
SEG=$(manifest healthy n1.wal_files | cut -d, -f1)
last=$(manifest healthy n1.raft_index)

opens() { strace -f -qq -e trace=openat -o "$TMP/trace" "$EA" "$@" >"$TMP/out" 2>/dev/null; grep -c "/$SEG\"" "$TMP/trace"; }
table=$(opens wal ls "$D/member/wal")
check "wal ls opens the first segment ($SEG) at least once" [ "${table:-0}" -ge 1 ]
json=$(opens wal ls -w json "$D/member/wal")
check "wal ls -w json: as many opens of $SEG as the table listing ($json vs $table)" [ "$json" = "$table" ]
check "wal ls -w json: the last entry is the manifest's raft_index ($last), with a time" \
	[ "$(jq -s -c '[.[] | select(.index != null)] | max_by(.index) | [.index, (.approx_time != null)]' "$TMP/out")" = "[$last,true]" ]
since=$(opens wal ls --since 2000-01-01T00:00:00Z "$D/member/wal")
check "wal ls --since: as many opens of $SEG as the table listing ($since vs $table)" [ "$since" = "$table" ]
check "wal ls --since 2000: every entry listed, up to $last" grep -q "^ *$last " "$TMP/out"

# history --since/--until: its anchors come from the nodes' history pass (node.c); this checks
# the result only (that its opens are the same in every run: test_trust_history_opens.sh)
"$EA" history -w json "$D" -q >"$TMP/all.json" 2>/dev/null
"$EA" history -w json --since 2000-01-01T00:00:00Z "$D" -q >"$TMP/win.json" 2>/dev/null
check "history --since 2000: every event of the plain history kept" cmp -s "$TMP/all.json" "$TMP/win.json"
finish
