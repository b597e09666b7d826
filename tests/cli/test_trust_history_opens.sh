#!/usr/bin/env bash
# `history` opens each WAL segment the same number of times in every run (issue 18, trust;
# src/source/fdcache.c). A node's WAL and db are read by two threads through one input: with one
# shared cached descriptor every switch between the threads closed it and opened the other file
# again, so the opens of the segment read while the db was read (the first) varied from run to
# run (5-11 on healthy n1). Each reading thread now keeps its own descriptor.
# Counted with strace: openat() calls naming each segment of healthy n1 (its manifest's
# wal_files), five runs of one command.
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null; then echo "SKIP: no strace"; exit 77; fi
mkdir -p "$TMP/n1"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/n1"
D=$(find "$TMP/n1" -mindepth 1 -maxdepth 1 -type d | head -n 1)
IFS=, read -r -a SEGS <<<"$(manifest healthy n1.wal_files)"
check "setup: healthy n1 has at least 2 segments (${#SEGS[@]})" [ "${#SEGS[@]}" -ge 2 ]

opens() { grep -c "/$1\"" "$TMP/trace"; }
first=""
for run in 1 2 3 4 5; do
	strace -f -qq -e trace=openat -o "$TMP/trace" "$EA" history -w json "$D" -q >"$TMP/out" 2>/dev/null
	counts=""
	for s in "${SEGS[@]}"; do counts="$counts $(opens "$s")"; done
	counts="$counts db:$(grep -c '/member/snap/db"' "$TMP/trace")"
	[ -n "$first" ] || first=$counts
	check "run $run: the same opens per segment and of the db as run 1 ($counts vs$first)" [ "$counts" = "$first" ]
	a=$(opens "${SEGS[0]}"); b=$(opens "${SEGS[1]}")
	check "run $run: the first segment (read beside the db) opened as often as the second ($a vs $b)" [ "$a" = "$b" ]
done
check "history's output names the manifest's last raft index ($(manifest healthy n1.raft_index))" \
	grep -q "$(manifest healthy n1.raft_index)" "$TMP/out"
finish
