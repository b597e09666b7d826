#!/usr/bin/env bash
# gen-real.sh DIR [SEGMENTS]: a real etcd 3.4 3-node cluster on 127.0.0.1 (ports 31379..31580)
# under a bounded write load (bench/loadgen.py: keep-alive HTTP to the v3 JSON gateway), with
# the leader SIGKILLed (by PID) and restarted twice and snapshots every 20000 entries
# (--snapshot-count 20000; --max-wals 0 so no segment is purged). Runs until every member has
# SEGMENTS (default 5: >= 256 MB of used WAL) 64 MB segments, stops the load, waits until the
# members agree, stops them cleanly (SIGTERM by PID). Leaves DIR/n1 DIR/n2 DIR/n3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUTDIR=${1:?usage: gen-real.sh DIR [SEGMENTS]}
SEGS=${2:-5}
SCENARIO=bench PORT_BASE=31000
source "$HERE/../fixtures/lib.sh"
command -v etcd >/dev/null && etcd --version | grep '^etcd Version: 3\.4\.' >/dev/null || { echo "gen-real.sh: need etcd 3.4 (apt-get install etcd-server etcd-client)" >&2; exit 1; }
rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
WORK="$(cd "$OUTDIR" && pwd)"
mkdir -p "$WORK/pids" "$WORK/logs"
CLUSTER=""; i=0
for n in "${NODES[@]}"; do
  CPORT[$i]=$((PORT_BASE + 379 + 100 * i)); PPORT[$i]=$((PORT_BASE + 380 + 100 * i))
  CLUSTER+="${CLUSTER:+,}$n=http://127.0.0.1:${PPORT[$i]}"; i=$((i + 1))
done
TOKEN="ea-bench"
EXTRA_FLAGS=(--snapshot-count 20000 --max-wals 0 --quota-backend-bytes 8589934592)
FX_LOG_FLAGS=(--logger=zap --log-outputs=stderr --log-level=warn)
LGPID=""
cleanup() { touch "$WORK/stop-load"; [ -n "$LGPID" ] && kill "$LGPID" 2>/dev/null; fx_cleanup; }
trap cleanup EXIT

for n in "${NODES[@]}"; do start_member "$n" new; done
RUNNING=("${NODES[@]}")
wait_healthy "${NODES[@]}"
wait_leader "${NODES[@]}" >/dev/null

segs() { ls "$WORK/$1/member/wal" 2>/dev/null | grep -c '\.wal$' || true; }
minsegs() { local m=999 n c; for n in "${NODES[@]}"; do c=$(segs "$n"); [ "$c" -lt "$m" ] && m=$c; done; echo "$m"; }

STOP="$WORK/stop-load"; rm -f "$STOP"
python3 "$HERE/loadgen.py" --endpoints "$(ALL_EPS)" --seconds 3600 --stop-file "$STOP" --workers 2 --threads 24 \
  2>"$WORK/logs/loadgen.log" &
LGPID=$!
log "loadgen pid $LGPID"
kills=0; t0=$(date +%s)
while :; do
  sleep 3
  m=$(minsegs)
  log "segments per member: $(for n in "${NODES[@]}"; do printf '%s=%s ' "$n" "$(segs "$n")"; done) ($(tail -n1 "$WORK/logs/loadgen.log"))"
  # leader changes at 1/3 and 2/3 of the way
  if [ "$kills" -lt 2 ] && [ "$m" -gt $(( (kills + 1) * SEGS / 3 )) ]; then
    L=$(wait_leader "${NODES[@]}"); log "SIGKILL leader $L"
    stop_member "$L" KILL
    RUNNING=(); for n in "${NODES[@]}"; do [ "$n" = "$L" ] || RUNNING+=("$n"); done
    wait_leader "${RUNNING[@]}" >/dev/null; sleep 5
    start_member "$L" existing; RUNNING=("${NODES[@]}")
    kills=$((kills + 1))
  fi
  [ "$m" -ge "$SEGS" ] && break
  [ $(( $(date +%s) - t0 )) -lt 3000 ] || { echo "gen-real.sh: too slow" >&2; exit 1; }
done
touch "$STOP"; wait "$LGPID" || true; LGPID=""
tail -n1 "$WORK/logs/loadgen.log" >&2
wait_healthy "${NODES[@]}"; wait_quiescent "${NODES[@]}"
ctl --endpoints "$(ALL_EPS)" endpoint status -w json >"$WORK/endpoint-status.json"
ctl --endpoints "$(ALL_EPS)" endpoint hashkv -w json >"$WORK/endpoint-hashkv.json"
L=$(leader_name "${NODES[@]}")
FOLLOWERS=(); for n in "${NODES[@]}"; do [ "$n" = "$L" ] || FOLLOWERS+=("$n"); done
shutdown_cluster "$L" "${FOLLOWERS[@]}"
rm -rf "$WORK/pids" "$STOP"
du -sh "$WORK"/n? >&2
log "done in $(( $(date +%s) - t0 )) s"
