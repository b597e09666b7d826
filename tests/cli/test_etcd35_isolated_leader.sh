# test_etcd35_isolated_leader.sh: fixtures/isolated-leader-3.5 (etcd 3.5.30): a leader
# isolated by SIGSTOP of its followers took 5 puts it could never commit, was SIGKILLed
# (its copy <L>-before-restart), and after it rejoined its tail was overwritten by the new
# term. Every expected value is a fact etcd reported (manifest.txt: etcdctl -w json, the
# restarted member's "newRaft ..." and "found conflict ..." lines), never this program's output.
. "$(dirname "$0")/lib.sh"

S=isolated-leader-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
V=$(m etcd_version)
check "fixture is etcd 3.5" [ "${V#3.5.}" != "$V" ]
iso=$(m isolated_leader); isoid=$(m isolated_leader_id)
first=$(m isolated.uncommitted_first); last=$(m isolated.uncommitted_last)
commit=$(m isolated.restart_commit)
cidx=$(m isolated.conflict_index); oterm=$(m isolated.conflict_existing_term); nterm=$(m isolated.conflict_new_term)
check "etcd's conflict is at its first uncommitted index" [ "$cidx" = "$first" ]
others=(); for n in n1 n2 n3; do [ "$n" = "$iso" ] || others+=("$n"); done
BEFORE=$F/$iso-before-restart.tar.gz

# ---- the isolated leader as its SIGKILL left it: etcd's restart line (newRaft) says
# term, commit, lastindex, lastterm of exactly these files
expect_exit 0 "before-restart wal stat" "$EA" wal stat -w json "$BEFORE"
j=$TMP/out
check "before: member_id" [ "$(jq -r .member_id "$j")" = "$isoid" ]
check "before: cluster_id" [ "$(jq -r .cluster_id "$j")" = "$(m cluster_id)" ]
check "before: last_index = newRaft lastindex" [ "$(jq -r .last_index "$j")" = "$(m isolated.restart_lastindex)" ]
check "before: last_term = newRaft lastterm" [ "$(jq -r .last_term "$j")" = "$(m isolated.restart_lastterm)" ]
check "before: HardState commit = newRaft commit" [ "$(jq -r .hard_state.commit "$j")" = "$commit" ]
check "before: HardState term = newRaft term" [ "$(jq -r .hard_state.term "$j")" = "$(m isolated.restart_term)" ]
check "before: commit = endpoint status raftIndex at kill" [ "$commit" = "$(m isolated.raft_index_at_kill)" ]
check "before: voted for itself (the leader of its term)" [ "$(jq -r .hard_state.vote "$j")" = "$isoid" ]
check "before: nothing superseded yet" [ "$(jq -r .superseded "$j")" = 0 ]
check "before: no problems (live 0.tmp is normal)" [ "$(jq -r '.problems|length' "$j")" = 0 ]

expect_exit 0 "before-restart wal ls" "$EA" wal ls -w json "$BEFORE"
cp "$TMP/out" "$TMP/before.json"
check "before: the uncommitted tail = newRaft commit+1..lastindex" \
	[ "$(jq -r 'select(.committed==false)|.index' "$TMP/before.json" | paste -sd' ' -)" = "$(seq -s ' ' "$first" "$last")" ]
check "before: last committed entry = newRaft commit" [ "$(jq -r 'select(.committed)|.index' "$TMP/before.json" | tail -n 1)" = "$commit" ]
# the keys of the timed-out puts (etcd/isolated-puts.txt: every one failed)
check "before: every isolated put failed at the client" [ "$(grep -c -- '-> exit [1-9]' "$F/etcd/isolated-puts.txt")" = "$((last - first + 1))" ]
want=$(sed -n 's/^put \([^ ]*\) .*/\1/p' "$F/etcd/isolated-puts.txt" | sort | paste -sd, -)
check "before: the uncommitted entries are the isolated puts ($want)" \
	[ "$(jq -r 'select(.committed==false)|.key' "$TMP/before.json" | sort | paste -sd, -)" = "$want" ]
check "before: uncommitted entries in the isolated term, proposed by the leader" \
	[ "$(jq -r 'select(.committed==false)|"\(.term) \(.proposer)"' "$TMP/before.json" | sort -u)" = "$oterm $isoid" ]

# ---- the final members: etcd's endpoint status, hashkv, member list
for n in n1 n2 n3; do
	P=$F/$n.tar.gz
	expect_exit 0 "$n wal stat" "$EA" wal stat -w json "$P"
	check "$n wal member_id" [ "$(jq -r .member_id "$TMP/out")" = "$(m $n.member_id)" ]
	check "$n wal last_index" [ "$(jq -r .last_index "$TMP/out")" = "$(m $n.raft_index)" ]
	check "$n wal commit" [ "$(jq -r .hard_state.commit "$TMP/out")" = "$(m $n.raft_index)" ]
	check "$n wal term" [ "$(jq -r .hard_state.term "$TMP/out")" = "$(m $n.raft_term)" ]
	check "$n wal segments" [ "$(jq -r '.segments|length' "$TMP/out")" = "$(m $n.wal_segments)" ]
	expect_exit 0 "$n db stat" "$EA" db stat -w json "$P"
	check "$n db revision" [ "$(jq -r .revision "$TMP/out")" = "$(m $n.revision)" ]
	check "$n db consistent_index = raftAppliedIndex" [ "$(jq -r .consistent_index "$TMP/out")" = "$(m $n.raft_applied_index)" ]
	check "$n db hash = endpoint hashkv" [ "$(jq -r .hash "$TMP/out")" = "$(m $n.hashkv)" ]
	expect_exit 0 "$n db hash --rev" "$EA" db hash -w json --rev "$(m $n.hashkv_rev)" "$P"
	check "$n db hash --rev = endpoint hashkv --rev" [ "$(jq -r .hash "$TMP/out")" = "$(m $n.hashkv_at_rev)" ]
	expect_exit 0 "$n db ls /isolated/" "$EA" db ls -w json --prefix /isolated/ "$P"
	check "$n no /isolated/ key (never committed)" [ ! -s "$TMP/out" ]
done
# the isolated leader after rejoining: its WAL still holds the overwritten tail, then the new term
expect_exit 0 "$iso wal ls" "$EA" wal ls -w json "$F/$iso.tar.gz"
check "$iso: superseded = etcd's conflict (index:old term:new term)" \
	[ "$(jq -r 'select(.superseded)|"\(.index):\(.term):\(.superseded_by_term)"' "$TMP/out" | paste -sd' ' -)" = \
	  "$(for i in $(seq "$first" "$last"); do printf '%s:%s:%s\n' "$i" "$oterm" "$nterm"; done | paste -sd' ' -)" ]
check "$iso: the new term's entries from the conflict index on" \
	[ "$(jq -r "select(.term==$nterm and .superseded==false)|.index" "$TMP/out" | head -n 1)" = "$cidx" ]
expect_exit 0 "$iso wal stat" "$EA" wal stat -w json "$F/$iso.tar.gz"
check "$iso: superseded count" [ "$(jq -r .superseded "$TMP/out")" = "$((last - first + 1))" ]

# ---- history --terms: the leaders etcd logged, the new term starts at the conflict index
expect_exit 0 "history --terms" "$EA" history --terms -w json "$F/n1.tar.gz" "$F/n2.tar.gz" "$F/n3.tar.gz"
cp "$TMP/out" "$TMP/terms.json"
want=$(m leader_terms | tr ',' '\n' | sort -n | paste -sd' ' -)
check "leaders per term = etcd's log ($want)" \
	[ "$(jq -r 'select(.leader)|"\(.term):\(.leader)"' "$TMP/terms.json" | sort -n | paste -sd' ' -)" = "$want" ]
check "no failed election" [ "$(jq -r 'select(.failed_election)|.term' "$TMP/terms.json")" = "" ]
check "new leader's term = etcd's (new_leader_term $(m new_leader_term))" [ "$(m new_leader_term)" = "$nterm" ]
check "term $nterm leader = new_leader_id" [ "$(jq -r "select(.term==$nterm)|.leader" "$TMP/terms.json")" = "$(m new_leader_id)" ]
check "term $nterm first index = conflict index" [ "$(jq -r "select(.term==$nterm)|.first_index" "$TMP/terms.json")" = "$cidx" ]
check "term $oterm last index = newRaft lastindex" [ "$(jq -r "select(.term==$oterm)|.last_index" "$TMP/terms.json")" = "$last" ]
expect_exit 0 "history events" "$EA" history -w json n1=$F/n1.tar.gz n2=$F/n2.tar.gz n3=$F/n3.tar.gz
check "one superseded event on $iso at $first" \
	[ "$(jq -r "select(.event==\"superseded\")|\"\(.node) \(.index) \(.term)\"" "$TMP/out")" = "$iso $first $oterm" ]
# every etcd process (its "starting an etcd server" line) proposed requests with its own
# request-ID prefix: one member-start per start, the restarts included
for n in n1 n2 n3; do
	check "$n: member-start events = its starts in etcd's log" \
		[ "$(jq -r "select(.event==\"member-start\" and .node==\"n1\")|.detail" "$TMP/out" | grep -c "^member $(m $n.member_id) ")" = \
		  "$(grep -c '"msg":"starting an etcd server"' "$F/etcd/logs/$n.log")" ]
done

# ---- diff: the before-restart copy against the final others
DN=("${others[0]}=$F/${others[0]}.tar.gz" "$iso=$BEFORE" "${others[1]}=$F/${others[1]}.tar.gz")
expect_exit 1 "diff with the before-restart copy: exit 1" "$EA" diff -w json "${DN[@]}"
cp "$TMP/out" "$TMP/d.json"
check "verdict uncommitted-divergence" [ "$(jq -r .verdict "$TMP/d.json")" = uncommitted-divergence ]
check "divergence at etcd's conflict index" [ "$(jq -r '.findings[0].index' "$TMP/d.json")" = "$cidx" ]
check "the finding names the isolated leader" [ "$(jq -r '.findings[0].nodes|index("'"$iso"'") != null' "$TMP/d.json")" = true ]
check "diff: $iso commit/last = newRaft" [ "$(jq -r ".nodes[]|select(.name==\"$iso\")|\"\(.commit) \(.last_index)\"" "$TMP/d.json")" = "$commit $last" ]
check "not restoring from the isolated leader" [ "$(jq -r .recommended_source "$TMP/d.json")" != "$iso" ]
expect_exit 0 "diff of the final members: exit 0" "$EA" diff -w json "$F/n1.tar.gz" "$F/n2.tar.gz" "$F/n3.tar.gz"
check "final members consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]

# ---- export and report
if command -v sqlite3 >/dev/null; then
	expect_exit 1 "export (divergence: exit 1)" "$EA" export -q -o "$TMP/b.db" "${DN[@]}"
	check "sql verdict" [ "$(sqlite3 "$TMP/b.db" "select verdict from verdict")" = uncommitted-divergence ]
	check "sql $iso uncommitted entries" \
		[ "$(sqlite3 "$TMP/b.db" "select group_concat(idx,' ') from (select idx from entries where node='$iso' and committed=0 order by idx)")" = "$(seq -s ' ' "$first" "$last")" ]
fi
expect_exit 1 "report (findings: exit 1)" "$EA" report -q -o "$TMP/r.html" "${DN[@]}"
check "report written" [ -s "$TMP/r.html" ]
finish
