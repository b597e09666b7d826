# test_etcd35_membership.sh: fixtures/membership-3.5 (etcd 3.5.30): `member add --learner` n4
# (which joined by a database snapshot), `member promote`, `move-leader` to n4, `member
# remove` of the former leader. Every expected value is a fact etcd reported (manifest.txt
# from etcdctl -w json, endpoint status before/after each step, and etcd's log lines), never
# this program's own output.
. "$(dirname "$0")/lib.sh"

S=membership-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
V=$(m etcd_version)
check "fixture is etcd 3.5" [ "${V#3.5.}" != "$V" ]
LRN=$(m learner_added) RMID=$(m removed) RM=$(m removed_member)
AI=$(m add.conf_change_index) PI=$(m promote.conf_change_index) XI=$(m remove.conf_change_index)
check "manifest: one entry per member command" [ -n "$AI" -a -n "$PI" -a -n "$XI" ]
check "manifest: the learner promoted is the one added" [ "$(m promoted)" = "$LRN" ]
check "manifest: etcd listed n4 as learner after add, not after promote" \
	[ "$(m member_list_after_add_learners):$(m member_list_after_promote_learners)" = "$LRN:" ]
check "manifest: move-leader moved to n4" [ "$(m move.leader_after) $(m n4.member_id)" = "$LRN $LRN" ]
FINAL=$(m member_list_final)
ALL=()
for n in n1 n2 n3 n4; do ALL+=("$n=$F/$n.tar.gz"); done

for n in n1 n2 n3 n4; do
	P=$F/$n.tar.gz
	j=$TMP/out
	# the removed member's endpoint status is from right before its removal; its WAL also
	# holds the removal entry it applied before exiting
	last=$(m $n.raft_index); [ "$n" = "$RM" ] && last=$XI
	expect_exit 0 "$n wal stat" "$EA" wal stat -w json "$P"
	check "$n wal member_id" [ "$(jq -r .member_id "$j")" = "$(m $n.member_id)" ]
	check "$n wal last_index" [ "$(jq -r .last_index "$j")" = "$last" ]
	check "$n wal commit" [ "$(jq -r .hard_state.commit "$j")" = "$last" ]
	check "$n wal term" [ "$(jq -r .hard_state.term "$j")" = "$(m $n.raft_term)" ]
	check "$n wal no problems" [ "$(jq -r '.problems|length' "$j")" = 0 ]

	expect_exit 0 "$n db stat" "$EA" db stat -w json "$P"
	check "$n db revision" [ "$(jq -r .revision "$j")" = "$(m $n.revision)" ]
	check "$n db consistent_index" [ "$(jq -r .consistent_index "$j")" = "$last" ]
	check "$n db members = etcd's final member list" [ "$(jq -r '[.members[]|select(.removed|not)|.id]|sort|join(",")' "$j")" = "$FINAL" ]
	check "$n db learners = etcd's (none left)" [ "$(jq -r '[.members[]|select(.is_learner==true)|.id]|sort|join(",")' "$j")" = "$(m member_list_final_learners)" ]
	check "$n db removed member" [ "$(jq -r '[.members[]|select(.removed)|.id]|join(",")' "$j")" = "$RMID" ]
	[ "$n" = "$RM" ] || check "$n db hash = endpoint hashkv" [ "$(jq -r .hash "$j")" = "$(m $n.hashkv)" ]

	# snap ls: the .snap files etcd left; n4 a learner in those taken between add and promote,
	# the removed member a voter in those before its removal
	expect_exit 0 "$n snap ls" "$EA" snap ls -w json "$P"
	want=$(m $n.snap_files | tr ',' '\n' | sed 's/^[0-9a-f]*-\([0-9a-f]*\)\.snap$/\1/' | while read -r h; do echo $((16#$h)); done | paste -sd, -)
	check "$n snap indexes" [ "$(jq -r 'select(.kind=="snap")|.index' "$j" | paste -sd, -)" = "$want" ]
	for i in $(echo "$want" | tr ',' ' '); do
		if [ "$i" -ge "$AI" ] && [ "$i" -lt "$PI" ]; then wl=$LRN; else wl=; fi
		check "$n .snap $i learners" [ "$(jq -r "select(.index==$i)|.learners|join(\",\")" "$j")" = "$wl" ]
		inv=$(jq -r "select(.index==$i)|.voters|index(\"$RMID\") != null" "$j")
		if [ "$i" -lt "$XI" ]; then wv=true; else wv=false; fi
		check "$n .snap $i: removed member a voter = $wv" [ "$inv" = "$wv" ]
		if [ "$i" -ge "$PI" ]; then
			check "$n .snap $i: promoted n4 a voter" [ "$(jq -r "select(.index==$i)|.voters|index(\"$LRN\") != null" "$j")" = true ]
		fi
	done
done

# wal ls: the three conf changes at the indexes etcd committed them
expect_exit 0 "n1 wal ls" "$EA" wal ls -w json "$F/n1.tar.gz"
cc=$(jq -r 'select(.type=="confchange" and .index > 3)|"\(.index) \(.term) \(.kind) \(.member_id)"' "$TMP/out")
check "wal ls: learner add, promote (etcd's AddNode), remove" [ "$cc" = "$(printf '%s\n' \
	"$AI $(m add.conf_change_term) confchange:add_learner $LRN" \
	"$PI $(m promote.conf_change_term) confchange:add $LRN" \
	"$XI $(m remove.conf_change_term) confchange:remove $RMID")" ]
check "wal ls: the promote's context is etcd's isPromote" \
	[ "$(jq -r "select(.index==$PI)|.context|fromjson|.isPromote" "$TMP/out")" = true ]
check "wal ls: the new leader's empty entry opens its term" \
	[ "$(jq -r "select(.index==$(m move.new_term_first_index))|\"\(.kind) \(.term)\"" "$TMP/out")" = "empty $(m move.leader_raft_term_after)" ]

# n4 joined by a database snapshot (its "applying snapshot" line): its WAL has no learner add
SI=$(m n4.learner_snapshot_index)
if [ -n "$SI" ]; then
	expect_exit 0 "n4 wal stat" "$EA" wal stat -w json "$F/n4.tar.gz"
	check "n4 WAL snapshot record at etcd's snapshot index" \
		[ "$(jq -r "[.snapshots[]|select(.index==$SI)|.term]|first" "$TMP/out")" = "$(m n4.learner_snapshot_term)" ]
	expect_exit 0 "n4 wal ls" "$EA" wal ls -w json "$F/n4.tar.gz"
	check "n4 entries resume after the snapshot" \
		[ "$(jq -r "select(.index > 3)|.index" "$TMP/out" | sort -n | head -n 1)" = "$((SI + 1))" ]
fi

# history: every member that holds the entries shows add_learner, promote and remove
expect_exit 0 "history" "$EA" history -w json "${ALL[@]}"
h=$TMP/out
for n in n1 n2 n3 n4; do
	# (a member that joined by a snapshot taken after the learner add has no such entry)
	if [ "$n" != n4 ] || [ -z "$SI" ] || [ "$SI" -lt "$AI" ]; then
		check "$n history: learner add" [ "$(jq -r "select(.node==\"$n\" and .event==\"conf-change\" and .index==$AI)|.detail|split(\" \")[0:2]|join(\" \")" "$h")" = "confchange:add_learner $LRN" ]
	fi
	# regression: n4 (no learner add in its WAL) showed its own promote as confchange:add
	check "$n history: promote at $PI" [ "$(jq -r "select(.node==\"$n\" and .event==\"conf-change\" and .index==$PI)|.detail|split(\" \")[0:2]|join(\" \")" "$h")" = "confchange:promote $LRN" ]
	check "$n history: remove at $XI" [ "$(jq -r "select(.node==\"$n\" and .event==\"conf-change\" and .index==$XI)|.detail|split(\" \")[0:2]|join(\" \")" "$h")" = "confchange:remove $RMID" ]
done
if [ -n "$SI" ]; then
	check "history: n4's snapshot install at etcd's index and term" \
		[ "$(jq -r 'select(.event=="snapshot-install")|"\(.node) \(.index) \(.term)"' "$h")" = "n4 $SI $(m n4.learner_snapshot_term)" ]
fi
expect_exit 0 "history of n4 alone" "$EA" history -w json "n4=$F/n4.tar.gz"
check "n4 alone: its promote is a promote (regression)" \
	[ "$(jq -r "select(.event==\"conf-change\" and .index==$PI)|.detail|split(\" \")[0]" "$TMP/out")" = confchange:promote ]

# history --terms: etcd's "became leader" terms; the move-leader term starts at etcd's index
expect_exit 0 "history --terms" "$EA" history --terms -w json "${ALL[@]}"
for lt in $(m leader_terms | tr ',' ' '); do
	check "leader of term ${lt%%:*}" [ "$(jq -r "select(.term==${lt%%:*})|.leader" "$TMP/out")" = "${lt#*:}" ]
done
MT=$(m move.leader_raft_term_after)
check "move-leader: term $MT led by n4" [ "$(jq -r "select(.term==$MT)|.leader" "$TMP/out")" = "$LRN" ]
check "move-leader: term $MT first index" [ "$(jq -r "select(.term==$MT)|.first_index" "$TMP/out")" = "$(m move.new_term_first_index)" ]
check "move-leader: term before led by the initial leader" \
	[ "$(jq -r "select(.term==$(m move.leader_raft_term_before))|.leader" "$TMP/out")" = "$(m move.leader_before)" ]
check "no failed election" [ "$(jq -r 'select(.failed_election)|.term' "$TMP/out")" = "" ]

# diff: consistent; the removed member is a removed member, not a lagging one
expect_exit 0 "diff" "$EA" diff -w json "${ALL[@]}"
check "diff verdict consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]
check "diff: member-removed finding for the removed member at its removal" \
	[ "$(jq -r '.findings[]|"\(.kind) \(.index) \(.nodes|join(","))"' "$TMP/out")" = "member-removed $XI $RM" ]
for n in $(m final_members | tr ',' ' '); do
	check "diff $n last_index" [ "$(jq -r ".nodes[]|select(.member_id==\"$(m $n.member_id)\")|.last_index" "$TMP/out")" = "$(m $n.raft_index)" ]
done
finish
