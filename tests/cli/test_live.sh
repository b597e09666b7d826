#!/usr/bin/env bash
# test_live.sh: a data dir held by a running etcd is detected without taking a lock (the
# WAL's OFD lock via F_OFD_GETLK, the db's flock via /proc/locks) and reported as a
# live-data-dir warning by every command; after etcd stops, nothing is reported. Starts a
# real single-node etcd on 127.0.0.1 (ports 31379/31380, unused by the fixtures), stopped
# by PID. Skipped (77) without etcd.
. "$(dirname "$0")/lib.sh"
command -v etcd >/dev/null || { echo "etcd not installed: skipping"; exit 77; }

CPORT=31379 PPORT=31380
ETCD_PID=
stop_etcd() {
	[ -n "$ETCD_PID" ] || return 0
	kill "$ETCD_PID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$ETCD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$ETCD_PID" 2>/dev/null
	wait "$ETCD_PID" 2>/dev/null
	ETCD_PID=
}
trap 'stop_etcd; rm -rf "$TMP"' EXIT

D=$TMP/d
etcd --name default --data-dir "$D" \
	--listen-client-urls http://127.0.0.1:$CPORT --advertise-client-urls http://127.0.0.1:$CPORT \
	--listen-peer-urls http://127.0.0.1:$PPORT --initial-advertise-peer-urls http://127.0.0.1:$PPORT \
	--initial-cluster default=http://127.0.0.1:$PPORT >"$TMP/etcd.log" 2>&1 &
ETCD_PID=$!

# bounded wait: the member is up once it has a leader and its WAL and db exist and are locked
up=0
for _ in $(seq 300); do
	kill -0 "$ETCD_PID" 2>/dev/null || break
	if grep -q "ready to serve client requests" "$TMP/etcd.log" &&
	   [ -f "$D/member/snap/db" ] && ls "$D"/member/wal/*.wal >/dev/null 2>&1; then up=1; break; fi
	sleep 0.1
done
if [ "$up" != 1 ]; then
	fail "etcd did not come up within 30 s: $(tail -n 5 "$TMP/etcd.log")"
	finish
	exit 1
fi

# while it runs: wal stat and db stat warn, name the files and (for the flock) the pid, exit 1
expect_exit 1 "wal stat on a live dir exits 1" "$EA" wal stat "$D"
check "wal stat: live-data-dir on stderr" grep -q "live-data-dir" "$TMP/err"
expect_exit 1 "db stat on a live dir exits 1" "$EA" db stat "$D"
check "db stat: live-data-dir on stderr" grep -q "live-data-dir" "$TMP/err"
expect_exit 1 "wal stat -w json on a live dir exits 1" "$EA" wal stat "$D" -w json
check "wal stat json: the WAL segment held" jq -se '[.. | objects | select(.kind? == "live-data-dir")] |
	any(.severity == "warning" and .layer == "source" and (.file | endswith(".wal")) and
	    (.message | contains("a running etcd") and contains("etcdctl snapshot save")))' "$TMP/out" >/dev/null
expect_exit 1 "db stat -w json on a live dir exits 1" "$EA" db stat "$D" -w json
check "db stat json: the db held, with etcd's pid" jq -se --arg pid "$ETCD_PID" '[.. | objects | select(.kind? == "live-data-dir")] |
	any(.file == "member/snap/db" and (.message | contains("pid " + $pid)))' "$TMP/out" >/dev/null
# an archive of the same files is never a live dir
tar -C "$TMP" -cf "$TMP/d.tar" d 2>/dev/null
"$EA" wal stat "$TMP/d.tar" >/dev/null 2>"$TMP/err"
check "archive: no live-data-dir" bash -c "! grep -q live-data-dir '$TMP/err'"

# after etcd stopped: no warning, clean exit
stop_etcd
expect_exit 0 "wal stat after etcd stopped exits 0" "$EA" wal stat "$D"
check "wal stat after stop: no live-data-dir" bash -c "! grep -q live-data-dir '$TMP/err'"
expect_exit 0 "db stat after etcd stopped exits 0" "$EA" db stat "$D"
check "db stat after stop: no live-data-dir" bash -c "! grep -q live-data-dir '$TMP/err'"
finish
