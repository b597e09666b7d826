# test_etcd35_election_storm.sh: fixtures/election-storm-3.5 (etcd 3.5.30, pre-vote on by
# default): 8 rounds of SIGSTOPped leaders (every other round with a follower too). With
# pre-vote a member that cannot reach a majority stays pre-candidate at its term, so the
# terms rise only when a new leader is elected. Every expected value is a fact etcd
# reported (manifest.txt: etcdctl -w json, the members' raft log lines), never this
# program's own output.
. "$(dirname "$0")/lib.sh"

S=election-storm-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
V=$(m etcd_version)
check "fixture is etcd 3.5" [ "${V#3.5.}" != "$V" ]
for n in n1 n2 n3; do check "$n ran with pre-vote (its start line)" [ "$(m $n.pre_vote)" = true ]; done
check "etcd logged failed pre-votes" [ "$(m precandidate_lines)" -gt 0 ]
check "etcd logged no failed election" [ -z "$(m failed_election_terms)" ]
N=(n1=$F/n1.tar.gz n2=$F/n2.tar.gz n3=$F/n3.tar.gz)
LOGS=(--logs n1=$F/etcd/logs/n1.log --logs n2=$F/etcd/logs/n2.log --logs n3=$F/etcd/logs/n3.log)

for n in n1 n2 n3; do
	P=$F/$n.tar.gz
	expect_exit 0 "$n wal stat" "$EA" wal stat -w json "$P"
	check "$n wal member_id" [ "$(jq -r .member_id "$TMP/out")" = "$(m $n.member_id)" ]
	check "$n wal last_index" [ "$(jq -r .last_index "$TMP/out")" = "$(m $n.raft_index)" ]
	check "$n wal commit" [ "$(jq -r .hard_state.commit "$TMP/out")" = "$(m $n.raft_index)" ]
	check "$n wal term = raftTerm" [ "$(jq -r .hard_state.term "$TMP/out")" = "$(m $n.raft_term)" ]
	check "$n wal last_term" [ "$(jq -r .last_term "$TMP/out")" = "$(m $n.raft_term)" ]
	check "$n wal highest term = etcd's max_term" [ "$(jq -r .term_range.max "$TMP/out")" = "$(m max_term)" ]
	check "$n nothing superseded" [ "$(jq -r .superseded "$TMP/out")" = 0 ]
	expect_exit 0 "$n db stat" "$EA" db stat -w json "$P"
	check "$n db revision" [ "$(jq -r .revision "$TMP/out")" = "$(m $n.revision)" ]
	check "$n db compact_revision" [ "$(jq -r .compact_revision "$TMP/out")" = "$(m compact_revision)" ]
	check "$n db hash = endpoint hashkv" [ "$(jq -r .hash "$TMP/out")" = "$(m $n.hashkv)" ]
	expect_exit 0 "$n db hash --rev" "$EA" db hash -w json --rev "$(m $n.hashkv_rev)" "$P"
	check "$n db hash --rev = endpoint hashkv --rev" [ "$(jq -r .hash "$TMP/out")" = "$(m $n.hashkv_at_rev)" ]
done

# ---- history --terms: leaders = etcd's "became leader" lines, no failed election, the
# votes in the WALs = etcd's "cast MsgVote" lines plus each candidate's own vote
expect_exit 0 "history --terms" "$EA" history --terms -w json "${N[@]}"
cp "$TMP/out" "$TMP/terms.json"
want=$(m leader_terms | tr ',' '\n' | sort -n | paste -sd' ' -)
check "leaders per term = etcd's log ($want)" \
	[ "$(jq -r 'select(.leader)|"\(.term):\(.leader)"' "$TMP/terms.json" | sort -n | paste -sd' ' -)" = "$want" ]
check "terms with a leader = terms_with_leader" [ "$(jq -r 'select(.leader)|.term' "$TMP/terms.json" | wc -l)" = "$(m terms_with_leader)" ]
check "no failed election (pre-vote: the lone member never raised the term)" \
	[ "$(jq -r 'select(.failed_election)|.term' "$TMP/terms.json")" = "" ]
check "terms 1..max_term, nothing above" [ "$(jq -r .term "$TMP/terms.json" | paste -sd' ' -)" = "$(seq -s ' ' 1 "$(m max_term)")" ]
wantv=$( { m votes_cast | tr ',' '\n'; m candidate_terms | tr ',' '\n' | awk -F: '{n=split($2,c,"+"); for(i=1;i<=n;i++) print $1":"c[i]">"c[i]}'; } | grep . | sort | paste -sd' ' -)
gotv=$(jq -r '.term as $t|.votes|to_entries[]|"\($t):\(.key)>\(.value)"' "$TMP/terms.json" | sort | paste -sd' ' -)
check "votes in the WALs = etcd's MsgVote lines + candidates' own votes" [ "$gotv" = "$wantv" ]
# the same with etcd's logs read too: still no failed election (pre-candidate lines do not
# open a term), every pre-candidate line shows up as a log event
expect_exit 0 "history --terms --logs" "$EA" history --terms -w json "${LOGS[@]}" "${N[@]}"
check "with logs: leaders per term = etcd's log" \
	[ "$(jq -r 'select(.leader)|"\(.term):\(.leader)"' "$TMP/out" | sort -n | paste -sd' ' -)" = "$want" ]
check "with logs: no failed election" [ "$(jq -r 'select(.failed_election)|.term' "$TMP/out")" = "" ]
expect_exit 0 "history --logs" "$EA" history -w json "${LOGS[@]}" "${N[@]}"
check "every 'became pre-candidate' line read ($(m precandidate_lines))" \
	[ "$(jq -r 'select(.event=="log")|.detail' "$TMP/out" | grep -c '^became-pre-candidate: ')" = "$(m precandidate_lines)" ]
check "every 'became candidate' line read ($(m candidate_lines))" \
	[ "$(jq -r 'select(.event=="log")|.detail' "$TMP/out" | grep -c '^became-candidate: ')" = "$(m candidate_lines)" ]

# ---- one member's WAL with its own log: a follower that did not vote in a term still has
# etcd's word for its leader ("raft.node: <me> changed leader from <a> to <b> at term N",
# logged instead of "elected leader" when it had a leader before). Regression: the tool
# used only "elected leader" lines and left such terms without a leader.
for n in n1 n2 n3; do
	expect_exit 0 "$n alone with its log" "$EA" history --terms -w json --logs "$n=$F/etcd/logs/$n.log" "$n=$F/$n.tar.gz"
	terms=$(jq -r .term "$TMP/out" | paste -sd'|' -)
	w=$(m leader_terms | tr ',' '\n' | grep -E "^($terms):" | sort -n | paste -sd' ' -)
	check "$n alone: every leader etcd logged for its terms ($w)" \
		[ "$(jq -r 'select(.leader)|"\(.term):\(.leader)"' "$TMP/out" | sort -n | paste -sd' ' -)" = "$w" ]
	check "$n alone: no failed election" [ "$(jq -r 'select(.failed_election)|.term' "$TMP/out")" = "" ]
done

# ---- diff and report: consistent, no election storm / term inflation reported
expect_exit 0 "diff with logs: exit 0" "$EA" diff -w json "${LOGS[@]}" "${N[@]}"
check "diff verdict consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]
check "no term-inflation finding (pre-vote)" [ "$(jq -r '[.findings[]|select(.kind=="term-inflation")]|length' "$TMP/out")" = 0 ]
for n in n1 n2 n3; do
	check "diff $n last_index/revision" [ "$(jq -r ".nodes[]|select(.name==\"$n\")|\"\(.last_index) \(.revision)\"" "$TMP/out")" = "$(m $n.raft_index) $(m $n.revision)" ]
done
expect_exit 0 "report: exit 0" "$EA" report -q -o "$TMP/r.html" "${LOGS[@]}" "${N[@]}"
check "report written" [ -s "$TMP/r.html" ]
if command -v sqlite3 >/dev/null; then
	expect_exit 0 "export" "$EA" export -q -o "$TMP/e.db" "${N[@]}"
	check "sql leaders per term" [ "$(sqlite3 "$TMP/e.db" "select term||':'||leader from terms where leader is not null and leader<>'' order by term" | paste -sd' ' -)" = "$want" ]
	check "sql no failed election" [ "$(sqlite3 "$TMP/e.db" "select count(*) from terms where failed_election")" = 0 ]
fi
finish
