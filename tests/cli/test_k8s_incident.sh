#!/usr/bin/env bash
# test_k8s_incident.sh: the incident questions of issue 17 answered end to end on
# fixtures/k8s-3.5 with the estimated times (entries.approx_time from `export`), not with times
# copied in: which resource/namespace wrote most in the incident window, which object was
# hot-looping there, and the event storm per namespace and minute.
# Truth: the generator's request log (ops.tsv: every write with its UTC send time and outcome)
# and manifest.txt (incident.window_utc, incident.writes_by_resource_ns, hot_object.key,
# events_created_per_ns_minute). An estimated time is only as good as the bound it states, so
# a count over a window must lie between the truth counts of the window shrunk and grown by the
# largest error bound the export states for the entries near the window's edges.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
S=k8s-3.5
F=$FIXTURES/$S
Q=$(cd "$(dirname "$0")/../../docs/queries" && pwd)
m() { manifest $S "$1"; }
rq() { # rq FILE [NAME VALUE]...: a ready query on the export
	local f=$1; shift
	local args=()
	while [ $# -ge 2 ]; do args+=(-cmd ".param set :$1 '$2'"); shift 2; done
	sqlite3 -batch -noheader -separator '|' "${args[@]}" "$DB" <"$Q/$f"
}

DB=$TMP/incident.sqlite
expect_exit 0 "export n1 n2 n3" "$EA" export -q -o "$DB" n1="$F/n1.tar.gz" n2="$F/n2.tar.gz" n3="$F/n3.tar.gz"
W=$(m incident.window_utc)
SINCE=${W%%..*}
UNTIL=${W##*..}

# the largest error bound stated for n2's entries within 5 s of either edge of the window
E=$(sqlite3 -batch -noheader "$DB" "SELECT max(time_error_s) FROM entries WHERE node = 'n2' AND
	(abs(julianday(approx_time) - julianday('$SINCE')) * 86400 < 5 OR
	 abs(julianday(approx_time) - julianday('$UNTIL')) * 86400 < 5)")
check "times near the incident window's edges state a bound ($E s)" [ -n "$E" ]

# truth counts per resource/namespace (successful writes) and failed CAS per key, from ops.tsv
# by send time, for the window moved inwards (-1) or outwards (+1) by E seconds
truth() { # truth DIR: lines 'writes resource/namespace COUNT' and 'failed KEY COUNT'
	python3 - "$F/ops.tsv" "$SINCE" "$UNTIL" "$E" "$1" <<'EOF'
import csv, sys, datetime
def t(s): return datetime.datetime.strptime(s, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
ops, since, until, e, d = sys.argv[1], t(sys.argv[2]), t(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
lo, hi = since - d * e, until + d * e
w, f = {}, {}
for r in csv.DictReader(open(ops), delimiter='\t'):
    if r['op'] not in ('create', 'update', 'delete') or not (lo <= t(r['sent_utc']) < hi):
        continue
    if r['succeeded'] == 'true':
        k = r['resource'] + '/' + r['namespace']
        w[k] = w.get(k, 0) + 1
    elif r['succeeded'] == 'false':
        f[r['key']] = f.get(r['key'], 0) + 1
for k, v in w.items(): print('writes', k, v)
for k, v in f.items(): print('failed', k, v)
EOF
}
truth -1 >"$TMP/inner"
truth 1 >"$TMP/outer"
between() { # between KIND NAME VALUE: inner count <= VALUE <= outer count
	local lo hi
	lo=$(awk -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3 }' "$TMP/inner")
	hi=$(awk -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3 }' "$TMP/outer")
	[ "${lo:-0}" -le "$3" ] && [ "$3" -le "${hi:-0}" ]
}

# ---- writes by resource/namespace in the window: the manifest's order, counts within bounds
rq k8s-writes-by-resource.sql since "$SINCE" until "$UNTIL" node n2 >"$TMP/writes"
want_order=$(m incident.writes_by_resource_ns | tr ',' '\n' | cut -d: -f1)
got_order=$(head -n "$(wc -l <<<"$want_order")" "$TMP/writes" | awk -F'|' '{ print $2 "/" $3 }')
check "incident window: top writers in the manifest's order ($(tr '\n' ' ' <<<"$want_order"))" [ "$got_order" = "$want_order" ]
check "incident window: the top writer is events/payments as the generator recorded" [ "$(head -1 <<<"$want_order")" = events/payments ]
while IFS='|' read -r _ res ns writes _; do
	if between writes "$res/$ns" "$writes"; then ok; else
		fail "incident window: $res/$ns writes $writes outside the truth for the window +-$E s ($(grep " $res/$ns " "$TMP/inner" "$TMP/outer" | tr '\n' ' '))"
	fi
done < <(head -5 "$TMP/writes")

# ---- the hot object in the window: the manifest's, its CAS failures within bounds
rq k8s-hot-objects.sql since "$SINCE" until "$UNTIL" node n2 >"$TMP/hot"
hot=$(m hot_object.key)
IFS='|' read -r key _ _ _ _ _ _ failed _ <"$TMP/hot"
check "incident window: hot object = manifest hot_object.key ($hot)" [ "$key" = "$hot" ]
check "incident window: its failed CAS ($failed) within the truth for the window +-$E s" between failed "$hot" "$failed"

# ---- the event storm: events created per namespace and UTC minute = the generator's
want=$(m events_created_per_ns_minute | tr ',' '\n' | sort)
got=$(rq k8s-event-storms.sql node n2 | awk -F'|' '{ print $1 "@" $2 "=" $3 }' | sort)
check "event storms: per namespace and minute = manifest events_created_per_ns_minute" [ "$got" = "$want" ]

finish
