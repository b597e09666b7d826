# test_trust_logs.sh: --logs takes only the node's own etcd log (issue 13 item 6) and
# `history --terms` shows the term times the logs give (item 7). Member IDs from the
# fixtures' manifests, times from etcd's own log lines.
. "$(dirname "$0")/lib.sh"

S=$FIXTURES/election-storm; L=$S/etcd/logs
NODES=(n1="$S/n1.tar.gz" n2="$S/n2.tar.gz" n3="$S/n3.tar.gz")
printf 'a note about the outage\nnothing etcd wrote\n' >"$TMP/notes.txt"
: >"$TMP/empty.log"
# a JPEG header followed by bytes (no newline-free etcd line in it)
{ printf '\377\330\377\340\000\020JFIF\000'; head -c 4096 /dev/urandom; } >"$TMP/photo.jpg"

# --- item 6: wrong logs are refused with a clear message, on every command taking --logs -----
n1=$(manifest election-storm n1.member_id); n2=$(manifest election-storm n2.member_id)
for c in history diff; do
	expect_exit 2 "$c: n1 given n2's log" "$EA" $c "${NODES[@]}" --logs n1="$L/n2.log"
	check "$c: message names both member IDs" grep -q "$n2.*$n1" "$TMP/err"
	check "$c: nothing printed on stdout" [ ! -s "$TMP/out" ]
	for bad in notes.txt empty.log photo.jpg; do
		expect_exit 2 "$c: --logs $bad" "$EA" $c "${NODES[@]}" --logs n1="$TMP/$bad"
		check "$c: --logs $bad says it is not n1's log" grep -q "not n1's etcd log" "$TMP/err"
	done
	# a log of another cluster (the text-log fixture's n1) is another member too
	expect_exit 2 "$c: log of another cluster" "$EA" $c "${NODES[@]}" --logs n1="$FIXTURES/text-log/etcd/logs/n1.log"
	check "$c: names the other cluster's member" grep -q "$(manifest text-log n1.member_id)" "$TMP/err"
done
expect_exit 2 "export: n1 given n2's log" "$EA" export -o "$TMP/x.sqlite" "${NODES[@]}" --logs n1="$L/n2.log"
check "export: no database written" [ ! -e "$TMP/x.sqlite" ]
expect_exit 2 "report: n1 given n2's log" "$EA" report -o "$TMP/x.html" "${NODES[@]}" --logs n1="$L/n2.log"
check "report: no report written" [ ! -e "$TMP/x.html" ]

# --force keeps going, with a warning on stderr
"$EA" history "${NODES[@]}" --logs n1="$L/n2.log" --force >"$TMP/out" 2>"$TMP/err"
check "history --force: not a usage error" [ $? != 2 ]
check "history --force: warning on stderr" grep -q "warning: .*not n1's etcd log" "$TMP/err"
check "history --force: timeline printed" [ -s "$TMP/out" ]
"$EA" history "${NODES[@]}" --logs n1="$TMP/notes.txt" --force >/dev/null 2>"$TMP/err"
check "history --force with notes.txt: not a usage error" [ $? != 2 ]
check "history --force with notes.txt: warning" grep -q "warning:" "$TMP/err"

# every fixture member's own log is accepted (zap JSON, capnslog text, gzip)
for sc in election-storm healthy isolated-leader membership text-log; do
	for lg in "$FIXTURES/$sc"/etcd/logs/n*.log*; do
		b=$(basename "$lg"); n=${b%%.*}
		expect_exit 0 "$sc/$n: own log $b accepted" "$EA" history -q "$n=$FIXTURES/$sc/$n.tar.gz" --logs "$n=$lg"
	done
done

# --- item 7: history --terms carries each term's time and time_source --------------------
# etcd's raft lines that name a term: "<id> became leader|candidate|follower at term N",
# "<id> is starting a new election at term N", "raft.node: <id> elected|lost leader <id> at
# term N", "raft.node: <id> changed leader from <id> to <id> at term N". The time of a term is
# the earliest of them over the three logs.
RE='^(raft\\.node: )?[0-9a-f]+ (became (leader|candidate|pre-candidate|follower)|is starting a new election|(elected|lost) leader [0-9a-f]+|changed leader from [0-9a-f]+ to [0-9a-f]+) at term [0-9]+$'
cat "$L"/n1.log "$L"/n2.log "$L"/n3.log |
	jq -r --arg re "$RE" 'select(.msg? // "" | test($re)) | "\(.msg | capture("at term (?<t>[0-9]+)$").t) \(.ts)"' |
	sort -k1,1n -k2,2 | awk '!seen[$1]++' >"$TMP/log-times"
check "the logs name terms" [ "$(wc -l <"$TMP/log-times")" -ge "$(manifest election-storm max_term)" ]
LOGS=(--logs n1="$L/n1.log" --logs n2="$L/n2.log" --logs n3="$L/n3.log")
"$EA" history --terms -w json "${NODES[@]}" "${LOGS[@]}" >"$TMP/terms.json" 2>/dev/null
check "terms json: every row has time and time_source" jq -e -s 'all(.[]; has("time") and has("time_source"))' "$TMP/terms.json" >/dev/null
compared=0
while read -r term ts; do
	got=$(jq -r --argjson t "$term" 'select(.term == $t) | "\(.time) \(.time_source)"' "$TMP/terms.json")
	[ -z "$got" ] && continue   # a term only the logs know (no HardState anywhere) has no row
	compared=$((compared + 1))
	check "term $term: time is the first log line about it ($ts), got $got" [ "$got" = "$ts log" ]
done <"$TMP/log-times"
check "times compared for every term up to max_term ($compared)" [ "$compared" -ge "$(manifest election-storm max_term)" ]
check "every leader term of the manifest has a time" [ "$(jq -s --arg lt "$(manifest election-storm leader_terms)" \
	'[($lt | split(",") | .[] | split(":")[0] | tonumber) as $t | .[] | select(.term == $t and .time != null)] | length' "$TMP/terms.json")" \
	= "$(manifest election-storm terms_with_leader)" ]
"$EA" history --terms "${NODES[@]}" "${LOGS[@]}" >"$TMP/terms.txt" 2>/dev/null
check "terms table: a TIME column" grep -q "^TIME" "$TMP/terms.txt"
while read -r term ts; do
	[ -n "$(jq -r --argjson t "$term" 'select(.term == $t) | .term' "$TMP/terms.json")" ] || continue
	check "terms table: term $term at $ts" grep -q "^$ts  *$term " "$TMP/terms.txt"
done <"$TMP/log-times"
# the same times as the export's terms table
if command -v sqlite3 >/dev/null; then
	"$EA" export -q -o "$TMP/e.sqlite" "${NODES[@]}" "${LOGS[@]}" >/dev/null 2>&1
	sqlite3 -batch -noheader -separator ' ' "$TMP/e.sqlite" \
		"SELECT term, ifnull(time,'null'), ifnull(time_source,'null') FROM terms ORDER BY term" >"$TMP/export-times"
	jq -r '"\(.term) \(.time // "null") \(.time_source // "null")"' "$TMP/terms.json" >"$TMP/history-times"
	check "history --terms times = export's terms times" cmp -s "$TMP/export-times" "$TMP/history-times"
fi
# without --logs: time null, and no TIME column
"$EA" history --terms -w json "${NODES[@]}" >"$TMP/t0.json" 2>/dev/null
check "no logs: time and time_source null" jq -e -s 'all(.[]; .time == null and .time_source == null)' "$TMP/t0.json" >/dev/null
finish
