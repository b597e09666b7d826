# test_etcd35_snapshot_catchup.sh: fixtures/snapshot-catchup-3.5 (etcd 3.5.30): a follower F
# stopped while the leader took 5300 puts and compacted its raft log past F, then restarted:
# F received a database snapshot from the leader. Every expected value is a fact etcd
# reported (manifest.txt from etcdctl and etcd's own "sent database snapshot" / "applying
# snapshot" / "applied snapshot" / newRaft log lines), never this program's own output.
. "$(dirname "$0")/lib.sh"

S=snapshot-catchup-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
V=$(m etcd_version)
check "fixture is etcd 3.5" [ "${V#3.5.}" != "$V" ]
CF=$(m catchup_member) LD=$(m catchup_sender)
SI=$(m catchup_snapshot_index) ST=$(m catchup_snapshot_term)
BEFORE=$(m catchup.applied_index_before_snapshot)
# etcd's facts agree with each other: the leader sent what F applied, F's log ended where it stopped
check "leader sent the snapshot F applied" [ "$(m catchup.sent_snapshot_index)" = "$SI" ]
check "leader sent it to F" [ "$(m catchup.sent_snapshot_to)" = "$(m $CF.member_id)" ]
check "F restarted with its log ending where it stopped" \
	[ "$(m catchup.restart_lastindex) $(m catchup.restart_commit)" = "$BEFORE $(m catchup.raft_index_before_stop)" ]
check "leader compacted past F before F came back" [ "$(m catchup.leader_first_compact_index_past_follower)" -gt "$BEFORE" ]

MEMBERS=$(/usr/bin/python3 -c '
import json,sys
print(",".join(sorted("%x"%m["ID"] for m in json.load(open(sys.argv[1]))["members"])))' "$F/etcd/member-list.json")
ALL=()
for n in n1 n2 n3; do
	P=$F/$n.tar.gz
	ALL+=("$P")
	j=$TMP/out
	expect_exit 0 "$n wal stat" "$EA" wal stat -w json "$P"
	check "$n wal member_id" [ "$(jq -r .member_id "$j")" = "$(m $n.member_id)" ]
	check "$n wal last_index" [ "$(jq -r .last_index "$j")" = "$(m $n.raft_index)" ]
	check "$n wal commit" [ "$(jq -r .hard_state.commit "$j")" = "$(m $n.raft_index)" ]
	check "$n wal term" [ "$(jq -r .hard_state.term "$j")" = "$(m $n.raft_term)" ]
	check "$n wal segments" [ "$(jq -r '.segments|length' "$j")" = "$(m $n.wal_segments)" ]
	check "$n wal no problems" [ "$(jq -r '.problems|length' "$j")" = 0 ]
	if [ "$n" = "$CF" ]; then
		check "F: last WAL snapshot record = the received snapshot" \
			[ "$(jq -r '.snapshots[-1]|"\(.index) \(.term)"' "$j")" = "$SI $ST" ]
	else
		check "$n: WAL starts at index 1 (raft log compaction does not cut the WAL)" [ "$(jq -r .first_index "$j")" = 1 ]
	fi

	expect_exit 0 "$n db stat" "$EA" db stat -w json "$P"
	check "$n db revision" [ "$(jq -r .revision "$j")" = "$(m $n.revision)" ]
	check "$n db compact_revision" [ "$(jq -r .compact_revision "$j")" = "$(m $n.hashkv_compact_revision)" ]
	check "$n db consistent_index" [ "$(jq -r .consistent_index "$j")" = "$(m $n.raft_index)" ]
	check "$n db size = endpoint status dbSize" [ "$(jq -r .total_size "$j")" = "$(m $n.db_size)" ]
	check "$n db hash = endpoint hashkv" [ "$(jq -r .hash "$j")" = "$(m $n.hashkv)" ]
	check "$n db members" [ "$(jq -r '[.members[]|select(.removed|not)|.id]|sort|join(",")' "$j")" = "$MEMBERS" ]
	r=$(m $n.hashkv_rev)
	expect_exit 0 "$n db hash --rev $r" "$EA" db hash -w json --rev "$r" "$P"
	check "$n hash at $r = endpoint hashkv --rev" [ "$(jq -r .hash "$j")" = "$(m $n.hashkv_at_rev)" ]

	# snap ls: exactly the .snap files etcd left (F: its own first one and the received one)
	expect_exit 0 "$n snap ls" "$EA" snap ls -w json "$P"
	want=$(m $n.snap_files | tr ',' '\n' | grep '\.snap$' | sed 's/^[0-9a-f]*-\([0-9a-f]*\)\.snap$/\1/' | while read -r h; do echo $((16#$h)); done | paste -sd, -)
	check "$n snap indexes" [ "$(jq -r 'select(.kind=="snap")|.index' "$j" | paste -sd, -)" = "$want" ]
	check "$n snap crc ok" [ "$(jq -r 'select(.kind=="snap")|.crc_ok' "$j" | sort -u)" = true ]
	check "$n snap voters" [ "$(jq -r 'select(.kind=="snap")|.voters|sort|join(",")' "$j" | sort -u)" = "$MEMBERS" ]
	check "$n no leftover .snap.db" [ "$(jq -r 'select(.kind!="snap")|.file' "$j")" = "" ]
done

# F's snap ls holds the received snapshot, at the index and term etcd logged
expect_exit 0 "F snap ls" "$EA" snap ls -w json "$F/$CF.tar.gz"
check "F .snap of the received snapshot" [ "$(jq -r "select(.index==$SI)|.term" "$TMP/out")" = "$ST" ]

# wal ls of F: entries up to where it stopped, then from the snapshot index + 1 (no entry between)
expect_exit 0 "F wal ls" "$EA" wal ls -w json "$F/$CF.tar.gz"
check "F entries end at $BEFORE before the jump" \
	[ "$(jq -r "select(.index < $SI)|.index" "$TMP/out" | sort -n | tail -n 1)" = "$BEFORE" ]
check "F entries resume at $((SI + 1))" \
	[ "$(jq -r "select(.index > $BEFORE)|.index" "$TMP/out" | sort -n | head -n 1)" = "$((SI + 1))" ]

# history: one snapshot install, on F, at etcd's snapshot index and term, from where F stopped
expect_exit 0 "history" "$EA" history -w json "${ALL[@]}"
check "one snapshot-install event" [ "$(jq -r 'select(.event=="snapshot-install")|.node' "$TMP/out")" = "$CF" ]
check "snapshot-install at etcd's index and term" \
	[ "$(jq -r 'select(.event=="snapshot-install")|"\(.index) \(.term)"' "$TMP/out")" = "$SI $ST" ]
check "snapshot-install says where the log jumps" \
	grep -q "from $BEFORE to $((SI + 1))" <(jq -r 'select(.event=="snapshot-install")|.detail' "$TMP/out")
check "not reported as a gap or a problem" \
	[ "$(jq -r 'select(.event|test("gap|problem|missing"))|.event' "$TMP/out")" = "" ]
expect_exit 0 "history --terms" "$EA" history --terms -w json "${ALL[@]}"
LT=$(m leader_terms)
check "leader of term ${LT%%:*}" [ "$(jq -r "select(.term==${LT%%:*})|.leader" "$TMP/out")" = "${LT#*:}" ]

# diff: consistent (the jump is covered by the snapshot), exit 0
expect_exit 0 "diff" "$EA" diff -w json "${ALL[@]}"
check "diff verdict consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]
check "diff findings none" [ "$(jq -r '.findings|length' "$TMP/out")" = 0 ]
for n in n1 n2 n3; do
	check "diff $n last_index" [ "$(jq -r ".nodes[]|select(.member_id==\"$(m $n.member_id)\")|.last_index" "$TMP/out")" = "$(m $n.raft_index)" ]
done
finish
