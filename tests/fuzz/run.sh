#!/usr/bin/env bash
# run.sh: fuzz every target (or the ones named) for SECONDS each, one after the other, then
# merge what was found into the committed corpora (minimised with -merge=1).
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DEA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-fuzz -j2
#   SECONDS_PER_TARGET=600 tests/fuzz/run.sh [target ...]
# Extra seeds (tests/fuzz/make-seeds.py OUT) can be passed with SEEDS=OUT.
# Crashes, leaks, timeouts and OOMs are written to $WORK/artifacts/<target>/.
# On a loaded machine (other builds, a niced fuzzer) libFuzzer's wall-clock timeout fires on
# stalls, not on slow inputs: TIMEOUT=10 there; every input slower than 1 s is still saved
# (slow-unit-*) and is replayed alone after the run, where it must finish in under 1 s.
set -uo pipefail
# ASan keeps freed memory in quarantine (256 MB by default), which alone trips -rss_limit_mb=256;
# with a 25 MB in-memory corpus (bolt, mvcc) even 32 MB of quarantine did once
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../../build-fuzz}/tests/fuzz
secs=${SECONDS_PER_TARGET:-300}
work=${WORK:-${TMPDIR:-/tmp}/ea-fuzz}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wal entry snap bolt mvcc archive diff)
for t in "${targets[@]}"; do
	mkdir -p "$work/$t" "$work/artifacts/$t"
	seeds=("$here/corpus/$t")
	[ -n "${SEEDS:-}" ] && [ -d "$SEEDS/$t" ] && seeds+=("$SEEDS/$t")
	maxlen=65536
	case $t in entry|diff) maxlen=4096 ;; wal|snap) maxlen=16384 ;; esac
	# committed inputs are capped at 16 KB (4 bbolt pages: two metas, the freelist and a
	# root leaf; 12 KB lost half of bolt's coverage) so the corpora stay a few MB
	cap=$maxlen
	[ $cap -gt 16384 ] && cap=16384
	echo "== $t: ${secs}s"
	# CPU (user + sys) of the fuzzer alone, the figure the README's tables record
	/usr/bin/time -f "%U %S" -o "$work/$t.cpu" \
	"$build/fuzz_$t" "$work/$t" "${seeds[@]}" -max_total_time="$secs" -rss_limit_mb=256 \
		-timeout="${TIMEOUT:-1}" -report_slow_units=1 -max_len=$maxlen -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$t/" \
		-dict="$here/fuzz.dict" >"$work/$t.log" 2>&1
	echo "exit $?, CPU $(tail -n 1 "$work/$t.cpu" | awk '{printf "%.1f min", ($1 + $2) / 60}')"
	# replay every slow unit alone: each must finish within 1 s
	for u in "$work/artifacts/$t"/slow-unit-* "$work/artifacts/$t"/timeout-*; do
		[ -f "$u" ] || continue
		"$build/fuzz_$t" -timeout=1 -runs=1 "$u" >/dev/null 2>&1 && echo "  $(basename "$u"): under 1 s alone" \
			|| echo "  $(basename "$u"): FAILS alone"
	done
	grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|cov:" "$work/$t.log" | tail -3
	# minimise the union into the committed corpus
	tmp=$(mktemp -d)
	"$build/fuzz_$t" -merge=1 -rss_limit_mb=256 -timeout=5 -max_len=$cap "$tmp" "$here/corpus/$t" "$work/$t" >"$work/$t.merge.log" 2>&1
	rm -f "$here/corpus/$t"/*
	cp "$tmp"/* "$here/corpus/$t/" 2>/dev/null
	rm -rf "$tmp"
	echo "corpus: $(ls "$here/corpus/$t" | wc -l) files, $(du -sk "$here/corpus/$t" | cut -f1) KB"
done
