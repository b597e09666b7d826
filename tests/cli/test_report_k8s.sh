#!/usr/bin/env bash
# test_report_k8s.sh: the report's Kubernetes write-load section (issue 17) on the real
# Kubernetes-shaped fixture k8s-3.5, against the generator's truth (manifest.txt, ops.tsv: every
# request with its outcome), never against this program's output:
#  - the txns by apiserver shape and outcome = the manifest's ops.* counts (the outcome is the
#    replay's `applied`), their sum = ops.txn_total;
#  - the hot object (hot_object.key) has the most CAS conflicts, hot_object.cas_failures of them,
#    and the most writes; the top resource in a namespace and the busiest event namespace are the
#    manifest's incident top writers;
#  - every listed object's and namespace's writes / CAS conflicts / event writes, every bar's
#    writes / CAS conflicts / event writes and every storm namespace's events = ops.tsv's,
#    joined to raft indexes as fixtures/README.md says (k8s_truth.py); the event storm peaks
#    inside the incident window;
#  - the member read is the one with the highest commit (the killed leader's copy lags);
#  - no section for keys outside the prefix (--k8s-prefix elsewhere, a non-Kubernetes fixture);
#    an empty --k8s-prefix is a usage error.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
LOAD="python3 $(dirname "$0")/report_load.py"
K=$FIXTURES/k8s-3.5
m() { manifest k8s-3.5 "$1"; }

expect_exit 0 "k8s-3.5: report" "$EA" report -q -o "$TMP/k.html" n1="$K/n1.tar.gz" n2="$K/n2.tar.gz" n3="$K/n3.tar.gz"
$LOAD "$TMP/k.html" >"$TMP/k.json"
J=$TMP/k.json
check "k8s-3.5: write-load section present" jq -e '.k8s != null' "$J" >/dev/null
node=$(jq -r .k8s.node "$J")
check "k8s-3.5: read from a member with the highest raft index ($node)" \
	[ "$(m "$node.raft_index")" = "$(for x in n1 n2 n3; do m $x.raft_index; done | sort -n | tail -1)" ]

# ---- txns by shape and outcome ----
for op in create update delete compact-txn; do
	rop=$op; [ $op = compact-txn ] && rop=compact-marker
	check "ops: $rop applied = ops.$op.succeeded ($(m ops.$op.succeeded)), compare failed = ops.$op.failed" \
		[ "$(jq -c ".k8s.ops[\"$rop\"]" "$J")" = "[$(m ops.$op.succeeded),$(m ops.$op.failed),0]" ]
done
check "ops: every txn classified, sum = ops.txn_total ($(m ops.txn_total))" \
	[ "$(jq '[.k8s.ops[][]]|add' "$J")" = "$(m ops.txn_total)" ]

# ---- the incident's hot object and top writers ----
hot=$(m hot_object.key)
check "hot object $hot: the most CAS conflicts, hot_object.cas_failures ($(m hot_object.cas_failures))" \
	[ "$(jq -r '.k8s.tables["k8s-objects"]|max_by(.cas|tonumber)|"\(.key) \(.cas)"' "$J")" = "$hot $(m hot_object.cas_failures)" ]
check "hot object: the top object by writes (incident.writes_by_key)" \
	[ "$(jq -r '.k8s.tables["k8s-objects"][0].key' "$J")" = "$(m incident.writes_by_key | cut -d: -f1)" ]
check "CAS conflicts on that key = incident.cas_failures_by_key" \
	[ "$(jq -r '.k8s.tables["k8s-objects"][0]|"\(.key):\(.cas)"' "$J")" = "$(m incident.cas_failures_by_key)" ]
top=$(m incident.writes_by_resource_ns | cut -d, -f1 | cut -d: -f1)
check "top resource in a namespace: $top (incident.writes_by_resource_ns)" \
	[ "$(jq -r '.k8s.tables["k8s-resource-ns"][0]|"\(.resource)/\(.ns)"' "$J")" = "$top" ]
busiest=$(grep '^keys_ns\.events\.' "$K/manifest.txt" | sort -t= -k2 -n | tail -1 | sed 's/^keys_ns\.events\.//; s/=.*//')
check "event storm: $busiest first (keys_ns.events.*)" [ "$(jq -r '.k8s.storm[0].ns' "$J")" = "$busiest" ]

# ---- every number against ops.tsv joined to the WAL's txn entries ----
"$EA" wal ls "$K/$node.tar.gz" -w json 2>/dev/null |
	jq -r 'select(.kind == "txn" and .committed and (.superseded | not)) | .index' >"$TMP/txn-index"
python3 "$(dirname "$0")/k8s_truth.py" "$K/ops.tsv" "$TMP/txn-index" "$J" >"$TMP/truth.json"
T=$TMP/truth.json
check "join: one txn entry per txn request ($(jq -c .joined "$T"))" jq -e '.joined.txn_rows == .joined.txn_entries' "$T" >/dev/null
for part in objects namespaces buckets storm; do
	bad=$(jq -c "[.$part[] | select(.want != .got)]" "$T")
	check "$part: every row = ops.tsv ($(jq ".$part|length" "$T") rows; wrong: $bad)" [ "$bad" = "[]" ]
	check "$part: rows listed" jq -e ".$part|length > 0" "$T" >/dev/null
done
check "buckets: every write is in a drawn bar" [ "$(jq .undrawn_writes "$T")" = 0 ]
check "event storm: $busiest's busiest bar inside the incident window $(jq -c .incident "$T")" \
	jq -e --slurpfile t "$T" '.k8s.storm[0] | (.peak_lo|tonumber) >= $t[0].incident[0] and (.peak_hi|tonumber) <= $t[0].incident[1]' "$J" >/dev/null
check "section totals: writes = sum of the bars" jq -e '(.k8s.writes|tonumber) == ([.k8s.buckets[].writes]|add)' "$J" >/dev/null
check "picture on the raft index axis" jq -e '.k8s.svg.axis == "index"' "$J" >/dev/null

# ---- the member with the highest commit: not the killed leader's lagging copy ----
"$EA" report -q -o "$TMP/kill.html" n1="$K/n1-at-kill.tar.gz" n2="$K/n2.tar.gz" 2>/dev/null
$LOAD "$TMP/kill.html" >"$TMP/kill.json"
check "n1-at-kill beside n2: n2's WAL is read" [ "$(jq -r .k8s.node "$TMP/kill.json")" = n2 ]
"$EA" report -q -o "$TMP/kill1.html" n1="$K/n1-at-kill.tar.gz" 2>/dev/null
$LOAD "$TMP/kill1.html" >"$TMP/kill1.json"
check "n1-at-kill alone: window up to its commit (killed.restart_commit $(m killed.restart_commit))" \
	[ "$(jq -r .k8s.last_index "$TMP/kill1.json")" = "$(m killed.restart_commit)" ]

# ---- no Kubernetes keys, no section ----
"$EA" report -q -o "$TMP/np.html" --k8s-prefix /nope n1="$K/n1.tar.gz" 2>/dev/null
check "--k8s-prefix /nope: no write-load section" [ "$($LOAD "$TMP/np.html" | jq -c .k8s)" = null ]
"$EA" report -q -o "$TMP/h.html" "$FIXTURES/healthy/n1.tar.gz" 2>/dev/null
check "healthy (no /registry keys): no write-load section" [ "$($LOAD "$TMP/h.html" | jq -c .k8s)" = null ]
expect_exit 2 "--k8s-prefix '': usage error" "$EA" report -o "$TMP/e.html" --k8s-prefix '' "$K/n1.tar.gz"
check "--k8s-prefix '': nothing written" [ ! -e "$TMP/e.html" ]

# ---- headless Chromium: the section survives rendering; screenshot ----
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
ART=${EA_ARTIFACTS:-$(dirname "$EA")/../test-artifacts}
if [ -x "$CHROMIUM" ]; then
	mkdir -p "$ART"
	prof=$(mktemp -d "$TMP/chrome-XXXXXX")
	flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
	       --disable-component-update --disable-sync --user-data-dir="$prof" --window-size=1400,3000)
	timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$TMP/k.html" >"$TMP/k.dom.html" 2>/dev/null
	timeout 120 "$CHROMIUM" "${flags[@]}" --screenshot="$ART/report-k8s.png" "file://$TMP/k.html" >/dev/null 2>&1
	check "chromium: write-load section after rendering" \
		[ "$($LOAD "$TMP/k.dom.html" | jq -c .k8s)" = "$(jq -c .k8s "$J")" ]
	check "chromium: screenshot saved ($ART/report-k8s.png)" \
		bash -c "[ \"\$(head -c 8 '$ART/report-k8s.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
else
	echo "chromium not installed ($CHROMIUM): rendering checks skipped"
fi
finish
