#!/usr/bin/env bash
# test_report_k8s_time.sh: with etcd's logs (--logs) the report's timeline is by UTC time, and
# its Kubernetes write-load section is bucketed by the entries' estimated UTC time too (issue 18),
# on the real Kubernetes-shaped fixture k8s-3.5, against the generator's truth (ops.tsv: every
# request's send and done time and outcome; manifest.txt), never this program's own numbers:
#  - the section, its picture and the timeline say "time"; without --logs both stay by raft index;
#  - every bar's writes / CAS conflicts / event writes and the storm = ops.tsv's over the bar's
#    index range (k8s_truth.py), every write in a bar or stated as undated;
#  - the bars are equal spans of time over the window, their index ranges increase;
#  - the bars' times bracket the known writes: each one's [sent, done] within 1 s of its bar
#    (whole-second timestamps) for >= 99 %, and every one within twice its entry's stated error;
#    the window holds the first and last request (k8s_load_time.py).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
K=$FIXTURES/k8s-3.5
N="n1=$K/n1.tar.gz n2=$K/n2.tar.gz n3=$K/n3.tar.gz"
L="--logs n1=$K/etcd/logs/n1.log --logs n2=$K/etcd/logs/n2.log --logs n3=$K/etcd/logs/n3.log"
# shellcheck disable=SC2086
expect_exit 0 "k8s-3.5 with --logs: report" "$EA" report -q -o "$TMP/t.html" $N $L
python3 "$(dirname "$0")/report_load.py" "$TMP/t.html" >"$TMP/t.json"
J=$TMP/t.json
check "timeline by time (its svg)" grep -q 'aria-label="timeline" data-axis="time"' "$TMP/t.html"
check "write load by time (section and picture)" jq -e '.k8s.axis == "time" and .k8s.svg.axis == "time"' "$J" >/dev/null
check "every bar has a time span" jq -e '[.k8s.buckets[] | select(.lo_us == null or .hi_us == null)] == []' "$J" >/dev/null
check "the undated entries are stated" grep -q '<p id="k8s-time" data-untimed-entries="[0-9]*" data-untimed-writes="[0-9]*"' "$TMP/t.html"
uw=$(grep -o 'data-untimed-writes="[0-9]*"' "$TMP/t.html" | grep -o '[0-9]*')
check "writes = the bars' writes + the undated ones ($uw)" \
	jq -e --argjson u "$uw" '(.k8s.writes|tonumber) == ([.k8s.buckets[].writes]|add) + $u' "$J" >/dev/null

node=$(jq -r .k8s.node "$J")
"$EA" wal ls "$K/$node.tar.gz" -w json 2>/dev/null >"$TMP/wal.json"
jq -r 'select(.kind == "txn" and .committed and (.superseded | not)) | .index' "$TMP/wal.json" >"$TMP/txn-index"
python3 "$(dirname "$0")/k8s_truth.py" "$K/ops.tsv" "$TMP/txn-index" "$J" >"$TMP/truth.json"
T=$TMP/truth.json
check "join: one txn entry per txn request ($(jq -c .joined "$T"))" jq -e '.joined.txn_rows == .joined.txn_entries' "$T" >/dev/null
for part in buckets storm; do
	bad=$(jq -c "[.$part[] | select(.want != .got)]" "$T")
	check "$part: every row = ops.tsv over its index range ($(jq ".$part|length" "$T") rows; wrong: $bad)" [ "$bad" = "[]" ]
done
check "every write in a bar (none undated here)" test "$(jq .undrawn_writes "$T")" = 0 -a "$uw" = 0

python3 "$(dirname "$0")/k8s_load_time.py" "$K/ops.tsv" "$TMP/txn-index" "$TMP/wal.json" "$J" >"$TMP/time.json"
TT=$TMP/time.json
check "time facts computed (bars with times)" test -s "$TT"
check "bars: equal time spans on one grid, index ranges increasing ($(jq -c '{width_us, buckets}' "$TT"))" jq -e .grid_ok "$TT" >/dev/null
check "window: from before the first request to after the last" jq -e .window_ok "$TT" >/dev/null
check "known writes in bars ($(jq -c '{writes, within_1s, retried_left_out}' "$TT"))" jq -e '.writes >= 1000' "$TT" >/dev/null
check "their bars bracket them within 1 s, >= 99 %" jq -e '.within_1s * 100 >= .writes * 99' "$TT" >/dev/null
check "every one within twice its stated error ($(jq -c .outside_error "$TT"))" jq -e '.outside_error == []' "$TT" >/dev/null

# without --logs: the timeline is by raft index, and so is the write load
# shellcheck disable=SC2086
expect_exit 0 "k8s-3.5 without --logs: report" "$EA" report -q -o "$TMP/i.html" $N
python3 "$(dirname "$0")/report_load.py" "$TMP/i.html" >"$TMP/i.json"
check "no logs: write load by raft index" jq -e '.k8s.axis == null and .k8s.svg.axis == "index"' "$TMP/i.json" >/dev/null
check "no logs: no undated-entries line" bash -c "! grep -q 'id=\"k8s-time\"' '$TMP/i.html'"
finish
