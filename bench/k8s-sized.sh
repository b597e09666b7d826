#!/usr/bin/env bash
# bench/k8s-sized.sh [--dir DIR] [--big BYTES] [--small BYTES] [--tar BYTES] [--steps LIST] [--keep]:
# Kubernetes-sized inputs (issue 18), run by `bench/run.sh --k8s-sized`; never by CI or ctest.
#
# Generates under DIR (default ${TMPDIR:-/tmp}/ea-k8s, outside the repository) Kubernetes-shaped
# members with `ea_synth DIR --k8s WAL_BYTES` (bench/synth_k8s.c: /registry/<resource>/<ns>/<name>
# keys, a compaction every 30000 revisions, the db of the same operations as the WAL, so replay
# applies): k8s-small (--small, default 256,000,000 bytes of WAL) and k8s-big (--big, default
# 8,191,000,000: 128 segments of 64 MB; its db is ~1.3x that, ~10.7 GB), then runs every read
# command once on each with /usr/bin/time (wall, user+sys CPU, peak RSS of the tool alone; stdout
# of the listing commands goes through a pipe) and prints a Markdown table. Then, unless
# --steps leaves them out (comma list of small,big,archives; default all), a member of --tar bytes of WAL (default 1,000,000,000) as .tar.gz and .tar, and a
# diff of three such tarballs of each kind (.tar: read in place; .tar.gz: db staged, WAL streamed). Disk: ~2.35x --big for the big member, plus the export's SQLite
# file under TMPDIR; the archives need ~2.3x --tar each plus their staging. Inputs are deleted at
# the end unless --keep.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${TMPDIR:-/tmp}/ea-k8s" BIG=8191000000 SMALL=256000000 TARB=1000000000 STEPS=small,big,archives KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift ;;
    --big) BIG=$2; shift ;;
    --small) SMALL=$2; shift ;;
    --tar) TARB=$2; shift ;;
    --steps) STEPS=$2; shift ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bench/k8s-sized.sh [--dir DIR] [--big BYTES] [--small BYTES] [--tar BYTES] [--steps small,big,archives] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
case "$DIR" in "$ROOT"|"$ROOT"/*) echo "bench: inputs must live outside the repository" >&2; exit 2 ;; esac
mkdir -p "$DIR"
B="$ROOT/build-bench"
if [ -z "${EA:-}" ]; then
  cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEA_BENCH=ON -DEA_TESTS=OFF >/dev/null
  cmake --build "$B" -j"$(nproc)" --target etcd-autopsy ea_synth >/dev/null
  EA="$B/src/etcd-autopsy"
fi
SYN="${SYN:-$B/bench/ea_synth}"
T=$(mktemp) SCR=$(mktemp -d "${TMPDIR:-/tmp}/ea-k8s-scratch.XXXXXX")
trap 'rm -rf "$T" "$SCR"' EXIT

gen() {   # gen DIR WAL_BYTES
  [ -f "$1/member/snap/db" ] && return 0
  local need=$(( $2 * 24 / 10 / 1000000 + 500 )) avail
  avail=$(df -Pm "$DIR" | awk 'NR==2{print $4}')
  [ "$avail" -gt "$need" ] || { echo "bench: $need MB needed in $DIR, $avail MB free" >&2; exit 1; }
  "$SYN" "$1" --k8s "$2" 1 >&2
}
mb() { du -sb --apparent-size "$@" | awk '{s+=$1} END {printf "%.0f", s/1e6}'; }

echo "| input | command | MB read | wall s | CPU s | peak RSS MiB | MB per CPU s | exit |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
# row INPUT LABEL MB PIPE CMD...: PIPE=1 sends stdout through `cat` (a pipe), else to /dev/null
row() {
  local in=$1 label=$2 m=$3 pipe=$4 rc=0
  shift 4
  if [ "$pipe" = 1 ]; then
    { /usr/bin/time -f '%e %U %S %M %x' -o "$T" "$@" 2>"$SCR/err" | cat >/dev/null; } || true
  else
    /usr/bin/time -f '%e %U %S %M %x' -o "$T" "$@" >/dev/null 2>"$SCR/err" || true
  fi
  grep -E ': staged ' "$SCR/err" >&2 || true   # what the archive cost in TMPDIR
  tail -n 1 "$T" | awk -v inp="$in" -v l="$label" -v m="$m" '{
    cpu = $2 + $3; x = $5; if ($0 ~ /signal/) x = "signal";
    printf "| %s | %s | %d | %.2f | %.2f | %.1f | %.0f | %s |\n", inp, l, m, $1, cpu, $4 / 1024, (cpu > 0 ? m / cpu : 0), x }'
}

member() {   # member NAME DIR [diff WAL_BYTES | nodiff]: every read command on one member, diff of 3
  local n=$1 d=$2 w db
  w=$(mb "$d/member/wal") db=$(mb "$d/member/snap/db")
  row "$n" "wal stat" "$w" 0 "$EA" wal stat "$d" -q
  row "$n" "wal ls -w json of member/wal (no db: no replay) (pipe)" "$w" 1 "$EA" wal ls "$d/member/wal" -w json
  row "$n" "wal ls -w json (pipe; replays against the db)" "$w" 1 "$EA" wal ls "$d" -w json
  row "$n" "replay -w json" "$((w + db))" 0 "$EA" replay "$d" -w json
  row "$n" "db check" "$db" 0 "$EA" db check "$d"
  row "$n" "db stat" "$db" 0 "$EA" db stat "$d"   # the check's page map + the key index
  row "$n" "db hash" "$db" 0 "$EA" db hash "$d"
  row "$n" "db ls -w json (pipe)" "$db" 1 "$EA" db ls "$d" -w json
  row "$n" "db space" "$db" 0 "$EA" db space "$d"
  row "$n" "verify" "$((w + db))" 0 "$EA" verify "$d"
  row "$n" "export (no values)" "$((w + db))" 0 "$EA" export -o "$SCR/x.sqlite" --force "$d"
  echo "| $n | (export file) | $(mb "$SCR/x.sqlite") | | | | | |"
  rm -f "$SCR/x.sqlite"
  [ "${3:-}" = nodiff ] && return 0
  three "$d" "$4"
  row "$n" "diff of 3 members" "$((3 * (w + db)))" 0 "$EA" diff "n1=$d" "n2=$d-n2" "n3=$d-n3"
  rm -rf "$d-n2" "$d-n3"
}

# three DIR WAL_BYTES: members 2 and 3 beside DIR (DIR-n2, DIR-n3): their own WALs of the same
# entries (another member ID), member 1's db hard-linked (same content, no extra disk)
three() {
  for k in 2 3; do
    [ -f "$1-n$k/member/snap/db" ] && continue
    "$SYN" "$1-n$k" --k8s "$2" 1 30000 0 "$k" >/dev/null
    mkdir -p "$1-n$k/member/snap" && ln "$1/member/snap/db" "$1-n$k/member/snap/db"
  done
}

want() { case ",$STEPS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
if want small; then
  gen "$DIR/k8s-small" "$SMALL"
  member "k8s $((SMALL / 1000000)) MB WAL" "$DIR/k8s-small" diff "$SMALL"
fi
if want big; then
  gen "$DIR/k8s-big" "$BIG"
  member "k8s $((BIG / 1000000)) MB WAL" "$DIR/k8s-big" nodiff   # 3 x its WAL: over the disk budget
  [ $KEEP = 1 ] || rm -rf "$DIR/k8s-big"
fi

if want archives; then
  a="$DIR/k8s-tar"
  gen "$a" "$TARB"
  three "$a" "$TARB"
  n="k8s $((TARB / 1000000)) MB WAL archive"
  m=$(mb "$a/member")
  # name order: the WAL segments of the .tar.gz stream (a readdir-order tar stages them)
  tar --sort=name -C "$a" -cf "$DIR/m1.tar" member
  gzip -1 -c "$DIR/m1.tar" > "$DIR/m1.tar.gz"
  echo "| $n | (sizes: member, .tar, .tar.gz) | $m | $(mb "$DIR/m1.tar") | $(mb "$DIR/m1.tar.gz") | | | |"
  for f in m1.tar m1.tar.gz; do
    row "$n" "wal stat $f" "$m" 0 "$EA" wal stat "$DIR/$f"
    row "$n" "db hash $f" "$m" 0 "$EA" db hash "$DIR/$f"
    row "$n" "replay -w json $f" "$m" 0 "$EA" replay "$DIR/$f" -w json
  done
  for k in 2 3; do tar --sort=name -C "$a-n$k" -cf "$DIR/m$k.tar" member; done
  row "$n" "diff of 3 .tar (read in place)" "$((3 * m))" 0 "$EA" diff "n1=$DIR/m1.tar" "n2=$DIR/m2.tar" "n3=$DIR/m3.tar"
  for k in 2 3; do gzip -1 -c "$DIR/m$k.tar" > "$DIR/m$k.tar.gz"; done
  rm -f "$DIR"/m[123].tar
  row "$n" "diff of 3 .tar.gz" "$((3 * m))" 0 "$EA" diff "n1=$DIR/m1.tar.gz" "n2=$DIR/m2.tar.gz" "n3=$DIR/m3.tar.gz"
  rm -f "$DIR"/m[123].tar.gz
  [ $KEEP = 1 ] || rm -rf "$a" "$a-n2" "$a-n3"
fi
[ $KEEP = 1 ] || rm -rf "$DIR/k8s-small"
