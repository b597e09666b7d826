#!/usr/bin/env bash
# bench/k8s-sized.sh [--dir DIR] [--big BYTES] [--small BYTES] [--tar BYTES] [--tar-kinds LIST]
#                    [--tar-from DIR] [--min-free MB] [--steps LIST] [--keep]:
# Kubernetes-sized inputs (issue 18), run by `bench/run.sh --k8s-sized`; never by CI or ctest.
#
# Generates under DIR (default ${TMPDIR:-/tmp}/ea-k8s, outside the repository) Kubernetes-shaped
# members with `ea_synth DIR --k8s WAL_BYTES` (bench/synth_k8s.c: /registry/<resource>/<ns>/<name>
# keys, a compaction every 30000 revisions, the db of the same operations as the WAL, so replay
# applies): k8s-small (--small, default 256,000,000 bytes of WAL) and k8s-big (--big, default
# 8,191,000,000: 128 segments of 64 MB; its db is ~1.3x that, ~10.7 GB), then runs every read
# command once on each with /usr/bin/time (wall, user+sys CPU, peak RSS of the tool alone; stdout
# of the listing commands goes through a pipe; report, history and a diff of the member alone
# included) and prints a Markdown table. Then, unless
# --steps leaves them out (comma list of small,big,archives,tardiff; default small,big,archives):
# three members of one cluster with --tar bytes of WAL each (default 1,000,000,000; members 2 and
# 3: `ea_synth --k8s ... MEMBER`, their own WAL, member 1's db) archived as each of --tar-kinds
# (tar,gz; default both: .tar read in place, .tar.gz with the db staged and the WAL streamed),
# each member's directory deleted once archived; `archives` times wal stat, db hash and replay on
# member 1's archives and a diff of the three archives of each kind, `tardiff` only the diffs.
# Each diff row is followed by the bytes it staged under TMPDIR (the tool's stderr note), and runs
# with a staging cap of the free space above --min-free (MB, default 1000), so the staging can
# never fill the disk. --tar-from DIR: member 1 is that existing member (made by `ea_synth DIR
# --k8s BYTES 1` with BYTES = --tar), archived read-only and never deleted. Archives already in DIR
# (m1.tar.gz ...) are reused, so an interrupted run restarts where it stopped. Disk: ~2.35x --big
# for the big member, plus the export's SQLite file under TMPDIR; the archives need ~2.35x --tar
# for the member being archived, the archives themselves (.tar ~2.35x --tar, .tar.gz ~0.45x) and,
# for the .tar.gz diff, the three dbs staged (~3.9x --tar). Inputs are deleted at the end unless
# --keep.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${TMPDIR:-/tmp}/ea-k8s" BIG=8191000000 SMALL=256000000 TARB=1000000000 STEPS=small,big,archives KEEP=0
KINDS=tar,gz TARFROM= MINFREE=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift ;;
    --big) BIG=$2; shift ;;
    --small) SMALL=$2; shift ;;
    --tar) TARB=$2; shift ;;
    --steps) STEPS=$2; shift ;;
    --tar-kinds) KINDS=$2; shift ;;
    --tar-from) TARFROM=$2; shift ;;
    --min-free) MINFREE=$2; shift ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bench/k8s-sized.sh [--dir DIR] [--big BYTES] [--small BYTES] [--tar BYTES] [--tar-kinds tar,gz] [--tar-from DIR] [--min-free MB] [--steps small,big,archives,tardiff] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
case "$DIR" in "$ROOT"|"$ROOT"/*) echo "bench: inputs must live outside the repository" >&2; exit 2 ;; esac
for k in ${KINDS//,/ }; do case "$k" in tar|gz) ;; *) echo "bench: --tar-kinds: tar or gz, not '$k'" >&2; exit 2 ;; esac; done
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

free_mb() { df -Pm "$1" | awk 'NR==2{print $4}'; }
room() {   # room DIR MB WHAT: exits unless MB fit in DIR's file system above --min-free
  local avail
  avail=$(free_mb "$1")
  [ "$avail" -ge $(( $2 + MINFREE )) ] || { echo "bench: $3 needs $2 MB in $1 (+ --min-free $MINFREE), $avail MB free" >&2; exit 1; }
}
gen() {   # gen DIR WAL_BYTES
  [ -f "$1/member/snap/db" ] && return 0
  room "$DIR" $(( $2 * 24 / 10 / 1000000 + 500 )) "a member of $2 bytes of WAL"
  "$SYN" "$1" --k8s "$2" 1 >&2
}
mb() { du -sb --apparent-size "$@" | awk '{s+=$1} END {printf "%.0f", s/1e6}'; }

echo "| input | command | MB read | wall s | CPU s | peak RSS MiB | MB per CPU s | exit |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
# row INPUT LABEL MB PIPE CMD...: PIPE=1 sends stdout through `cat` (a pipe), else to /dev/null
# (or to $ROW_OUT when set)
row() {
  local in=$1 label=$2 m=$3 pipe=$4 rc=0
  shift 4
  if [ "$pipe" = 1 ]; then
    { /usr/bin/time -f '%e %U %S %M %x' -o "$T" "$@" 2>"$SCR/err" | cat >/dev/null; } || true
  else
    /usr/bin/time -f '%e %U %S %M %x' -o "$T" "$@" >"${ROW_OUT:-/dev/null}" 2>"$SCR/err" || true
  fi
  grep -E ': staged ' "$SCR/err" >&2 || true   # what the archive cost in TMPDIR
  cp "$SCR/err" "$SCR/last-err"
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
  row "$n" "wal ls (table, pipe)" "$w" 1 "$EA" wal ls "$d"
  row "$n" "replay -w json" "$((w + db))" 0 "$EA" replay "$d" -w json
  row "$n" "db check" "$db" 0 "$EA" db check "$d"
  row "$n" "db stat" "$db" 0 "$EA" db stat "$d"
  row "$n" "db hash" "$db" 0 "$EA" db hash "$d"
  row "$n" "db ls -w json (pipe)" "$db" 1 "$EA" db ls "$d" -w json
  row "$n" "db ls (table, pipe)" "$db" 1 "$EA" db ls "$d"
  row "$n" "db space" "$db" 0 "$EA" db space "$d"
  row "$n" "verify" "$((w + db))" 0 "$EA" verify "$d"
  row "$n" "export (no values)" "$((w + db))" 0 "$EA" export -o "$SCR/x.sqlite" --force "$d"
  echo "| $n | (export file) | $(mb "$SCR/x.sqlite") | | | | | |"
  rm -f "$SCR/x.sqlite"
  row "$n" "report" "$((w + db))" 0 "$EA" report -o "$SCR/r.html" --force "$d"
  rm -f "$SCR/r.html"
  row "$n" "history" "$w" 0 "$EA" history "$d"
  row "$n" "diff of the member alone (a member given twice is refused)" "$((w + db))" 0 "$EA" diff "$d"
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

# staged ROW_INPUT: a row with the bytes the last row's archives staged under TMPDIR (the last
# note of each archive: a late note counts everything)
staged() {
  awk -v inp="$1" '/: staged / { b = 0; if (match($0, /, [0-9]+ bytes\)/)) b = substr($0, RSTART + 2, RLENGTH - 9) + 0;
      split($0, f, ": "); if (!(f[2] in last)) na++; last[f[2]] = b }
    END { for (a in last) t += last[a]; printf "| %s | (staged under TMPDIR by the row above: %d archives) | %.0f | | | | | |\n", inp, na, t / 1e6 }' "$SCR/last-err"
}

ext() { [ "$1" = gz ] && echo tar.gz || echo tar; }
# archive K SRC: member K's archives of every kind (written to .part, renamed when complete)
archive() {
  local k=$1 src=$2 kind out
  for kind in ${KINDS//,/ }; do
    out="$DIR/m$k.$(ext "$kind")"
    [ -f "$out" ] && continue
    if [ "$kind" = tar ]; then
      room "$DIR" "$(mb "$src/member")" "$out"
      tar -h --sort=name -C "$src" -cf "$out.part" member
    else
      room "$DIR" $(( $(mb "$src/member") / 4 )) "$out"
      tar -h --sort=name -C "$src" -cf - member | gzip -1 > "$out.part"
    fi
    mv "$out.part" "$out"
  done
}
have_all() { local kind; for kind in ${KINDS//,/ }; do [ -f "$DIR/m$1.$(ext "$kind")" ] || return 1; done; }

if want archives || want tardiff; then
  a="${TARFROM:-$DIR/k8s-tar}"
  n="k8s $((TARB / 1000000)) MB WAL archive"
  if ! { have_all 1 && have_all 2 && have_all 3; }; then
    [ -n "$TARFROM" ] || gen "$a" "$TARB"
    [ -f "$a/member/snap/db" ] || { echo "bench: $a: no member/snap/db" >&2; exit 2; }
    echo "$(mb "$a/member") $(mb "$a/member/snap")" > "$DIR/member.sizes"   # MB: member, db
    have_all 1 || archive 1 "$a"
    # members 2 and 3 (name order: the WAL segments of the .tar.gz stream; member 1's db, linked
    # by a symbolic link that tar -h follows: the source member is never touched)
    for k in 2 3; do
      have_all "$k" && continue
      d="$DIR/k8s-tar-n$k"
      if [ ! -d "$d/member/wal" ]; then
        room "$DIR" $(( TARB * 105 / 100 / 1000000 + 100 )) "member $k's WAL"
        "$SYN" "$d" --k8s "$TARB" 1 30000 0 "$k" >/dev/null
      fi
      mkdir -p "$d/member/snap" && ln -sfn "$(cd "$a/member/snap" && pwd)/db" "$d/member/snap/db"
      archive "$k" "$d"
      rm -rf "$d"
    done
    [ -n "$TARFROM" ] || [ $KEEP = 1 ] || rm -rf "$a"
  fi
  read -r m dbmb < "$DIR/member.sizes"
  for kind in ${KINDS//,/ }; do
    e=$(ext "$kind")
    echo "| $n | (sizes: member, m1.$e, m2.$e, m3.$e) | $m | $(mb "$DIR/m1.$e") | $(mb "$DIR/m2.$e") | $(mb "$DIR/m3.$e") | | |"
  done
  for kind in ${KINDS//,/ }; do
    want archives || break
    f=m1.$(ext "$kind")
    row "$n" "wal stat $f" "$m" 0 "$EA" wal stat "$DIR/$f"
    row "$n" "db hash $f" "$m" 0 "$EA" db hash "$DIR/$f"
    row "$n" "replay -w json $f" "$m" 0 "$EA" replay "$DIR/$f" -w json
  done
  for kind in ${KINDS//,/ }; do
    e=$(ext "$kind") what="diff of 3 .tar (read in place)"
    if [ "$kind" = gz ]; then
      what="diff of 3 .tar.gz (dbs staged, WAL streamed)"
      room "${TMPDIR:-/tmp}" $(( 3 * dbmb )) "the staging of 3 dbs"
    fi
    # the staging may use what is free above --min-free, not more
    lim=$(( $(free_mb "${TMPDIR:-/tmp}") - MINFREE ))
    [ "$lim" -ge 1 ] || lim=1   # (0 would mean no cap)
    ROW_OUT="$DIR/diff-$e.txt" row "$n" "$what" "$((3 * m))" 0 env ETCD_AUTOPSY_STAGE_LIMIT="${lim}M" "$EA" diff "n1=$DIR/m1.$e" "n2=$DIR/m2.$e" "n3=$DIR/m3.$e"
    staged "$n"
    echo "bench: the diff's output is in $DIR/diff-$e.txt" >&2
    [ $KEEP = 1 ] || rm -f "$DIR"/m[123]."$e"
  done
  [ $KEEP = 1 ] || rm -f "$DIR/member.sizes"
fi
[ $KEEP = 1 ] || rm -rf "$DIR/k8s-small"
