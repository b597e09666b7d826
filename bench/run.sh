#!/usr/bin/env bash
# bench/run.sh [--quick] [--runs N] [--dir DIR] [--keep] [--inputs LIST] [--no-anchors] [--out FILE] [--k8s DIR]:
# the etcd-autopsy benchmark suite.
#
# Builds a release build (build-bench/, -O2 -g, -DEA_BENCH=ON), generates the inputs outside
# the repository under DIR (default ${TMPDIR:-/tmp}/ea-bench; reused when present):
#   real/n1..n3   a real etcd 3.4 3-node cluster under load (bench/gen-real.sh: >= 256 MB of
#                 WAL per member, two leader SIGKILLs, snapshots)
#   synth-256M, synth-1G, synth-4G   WAL + bbolt db of that size from our own encoders
#                 (bench/ea_synth), checked with `wal stat` / `db check` before use
# then times every task and baseline (bench/run.py) and writes bench/RESULTS.md.
#   --quick   3 runs, no 4 GB input, real cluster at 2 segments per member if not present
#   --keep    keep the generated inputs (default: the 1G/4G synthetic ones are deleted after)
#   --inputs  comma list of real,256M,1G,4G (default: all of them; --quick: no 4G)
#   --no-anchors  do not build/run etcd's Go readers (bench/anchors/) beside the tasks
#   --out     where the results go (default bench/RESULTS.md)
#   --k8s DIR also export's Kubernetes overhead on DIR (a member from `ea_synth DIR --k8s ...`,
#             e.g. 256000000 bytes): export with and without its k8s_* columns (issue 18)
#   --k8s-sized [ARGS]  instead: the Kubernetes-sized run (bench/k8s-sized.sh ARGS: an 8 GB WAL
#             and its ~11 GB db, every read command, archives, a 3-member diff), table on stdout
# The anchors are built by bench/anchors/build.sh (Debian's Go + etcd 3.4 + bbolt sources);
# without them the side-by-side table says why it is empty.
set -euo pipefail
if [ "${1:-}" = --k8s-sized ]; then shift; exec "$(dirname "$0")/k8s-sized.sh" "$@"; fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${TMPDIR:-/tmp}/ea-bench"
RUNS=5 QUICK=0 KEEP=0 INPUTS="" ANCHORS=1 OUT="$ROOT/bench/RESULTS.md" K8S=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; RUNS=3 ;;
    --runs) RUNS=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --keep) KEEP=1 ;;
    --inputs) INPUTS=$2; shift ;;
    --no-anchors) ANCHORS=0 ;;
    --out) OUT=$2; shift ;;
    --k8s) K8S=$2; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--runs N] [--dir DIR] [--keep] [--inputs real,256M,1G,4G] [--no-anchors] [--out FILE] [--k8s DIR]" >&2; exit 2 ;;
  esac
  shift
done
case "$DIR" in "$ROOT"|"$ROOT"/*) echo "bench: inputs must live outside the repository" >&2; exit 2 ;; esac
mkdir -p "$DIR"
B="$ROOT/build-bench"
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEA_BENCH=ON -DEA_TESTS=OFF >/dev/null
cmake --build "$B" -j"$(nproc)" --target etcd-autopsy ea_synth ea_baseline >/dev/null
EA="$B/src/etcd-autopsy"
[ -n "$INPUTS" ] || INPUTS="real,256M,1G$([ $QUICK = 1 ] || echo ,4G)"
want() { case ",$INPUTS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
ANCH=("--anchors-skip=--no-anchors given")
if [ $ANCHORS = 1 ]; then
  if why=$("$ROOT/bench/anchors/build.sh" "$B/anchors" 2>&1); then
    ANCH=(--anchors "$B/anchors")
  else
    why=$(printf '%s\n' "$why" | tail -n 3 | tr '\n' ' ')
    why=${why% }
    echo "bench: anchors skipped: $why" >&2
    ANCH=("--anchors-skip=${why:-the anchor build failed}")
  fi
fi

REAL=""
if want real; then
  if [ ! -f "$DIR/real/n3/member/snap/db" ]; then
    "$ROOT/bench/gen-real.sh" "$DIR/real" "$([ $QUICK = 1 ] && echo 2 || echo 5)"
  fi
  REAL="$DIR/real"
fi
SIZES=(256M:256000000 1G:1000000000 4G:4000000000)
SYN=""
for s in "${SIZES[@]}"; do
  name=${s%%:*} bytes=${s#*:}
  want "$name" || continue
  d="$DIR/synth-$name"
  if [ ! -f "$d/member/snap/db" ]; then
    need=$(( bytes * 2 / 1000000 + 500 ))
    avail=$(df -Pm "$DIR" | awk 'NR==2{print $4}')
    [ "$avail" -gt "$need" ] || { echo "bench: $need MB needed in $DIR, $avail MB free" >&2; exit 1; }
    rm -rf "$d"
    "$B/bench/ea_synth" "$d" "$bytes" "$bytes" 1
    "$EA" wal stat "$d" -q >/dev/null || { echo "bench: $d WAL does not read back clean" >&2; exit 1; }
    "$EA" db check "$d" -q >/dev/null || { echo "bench: $d db does not check clean" >&2; exit 1; }
  fi
  SYN+="${SYN:+,}$name=$d"
done
python3 "$ROOT/bench/run.py" --bin "$EA" --baseline "$B/bench/ea_baseline" --dir "$DIR" --runs "$RUNS" \
  --real "$REAL" --synth "$SYN" --out "$OUT" --k8s "$K8S" "${ANCH[@]}"
if [ $KEEP = 0 ]; then rm -rf "$DIR/synth-1G" "$DIR/synth-4G"; fi
