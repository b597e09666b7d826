# test_etcd35.sh: the first real etcd 3.5 data (fixtures/healthy-3.5, etcd 3.5.30, auth on,
# a compaction on a tombstone, a defrag, a restarted member, a backup and an etcdutl
# restore) read by every command; every expected value is a fact etcd reported
# (fixtures/healthy-3.5/manifest.txt and etcd/*.json), never this program's own output.
. "$(dirname "$0")/lib.sh"

S=healthy-3.5
F=$FIXTURES/$S
m() { manifest $S "$1"; }
N1=$F/n1.tar.gz N2=$F/n2.tar.gz N3=$F/n3.tar.gz
C=$(m compact_revision)
RS=$(m restarted_member)
V=$(m etcd_version)
check "fixture is etcd 3.5" [ "${V#3.5.}" != "$V" ]
check "compaction landed on the delete" [ "$C" = "$(m delete_revision)" ]

# etcd's member list (decimal uint64 in JSON) as sorted hex ids
MEMBERS=$(/usr/bin/python3 -c '
import json,sys
print(",".join(sorted("%x"%m["ID"] for m in json.load(open(sys.argv[1]))["members"])))' "$F/etcd/member-list.json")
check "member list has the three manifest ids" [ "$MEMBERS" = "$(for n in n1 n2 n3; do m $n.member_id; done | sort | paste -sd, -)" ]
LEADER=$(m leader_terms); LEADER=${LEADER#*:}

for n in n1 n2 n3; do
	P=$F/$n.tar.gz
	# wal stat: member id, last index, commit, term
	expect_exit 0 "$n wal stat" "$EA" wal stat -w json "$P"
	j=$TMP/out
	check "$n wal member_id" [ "$(jq -r .member_id "$j")" = "$(m $n.member_id)" ]
	check "$n wal cluster_id" [ "$(jq -r .cluster_id "$j")" = "$(m cluster_id)" ]
	check "$n wal last_index" [ "$(jq -r .last_index "$j")" = "$(m $n.raft_index)" ]
	check "$n wal commit" [ "$(jq -r .hard_state.commit "$j")" = "$(m $n.raft_index)" ]
	check "$n wal term" [ "$(jq -r .hard_state.term "$j")" = "$(m $n.raft_term)" ]
	check "$n wal last_term" [ "$(jq -r .last_term "$j")" = "$(m $n.raft_term)" ]
	check "$n wal segments" [ "$(jq -r '.segments|length' "$j")" = "$(m $n.wal_segments)" ]
	check "$n wal no problems" [ "$(jq -r '.problems|length' "$j")" = 0 ]

	# db stat: revision, compaction, consistent index (= applied index), members, auth
	expect_exit 0 "$n db stat" "$EA" db stat -w json "$P"
	check "$n db revision" [ "$(jq -r .revision "$j")" = "$(m $n.revision)" ]
	check "$n db compact_revision" [ "$(jq -r .compact_revision "$j")" = "$C" ]
	check "$n db consistent_index" [ "$(jq -r .consistent_index "$j")" = "$(m $n.raft_index_applied_metric)" ]
	check "$n db term" [ "$(jq -r .term "$j")" = "$(m $n.raft_term)" ]
	check "$n db cluster_version" [ "$(jq -r .cluster_version "$j")" = "$(m $n.cluster_version)" ]
	check "$n db total_size = endpoint status dbSize" [ "$(jq -r .total_size "$j")" = "$(m $n.db_size)" ]
	check "$n db hash" [ "$(jq -r .hash "$j")" = "$(m $n.hashkv)" ]
	check "$n db members" [ "$(jq -r '[.members[]|select(.removed|not)|.id]|sort|join(",")' "$j")" = "$MEMBERS" ]
	check "$n db auth_enabled" [ "$(jq -r '.auth_enabled|if . then 1 else 0 end' "$j")" = "$(m auth_enabled)" ]
	check "$n db auth_revision" [ "$(jq -r .auth_revision "$j")" = "$(m auth_revision)" ]
	check "$n db users" [ "$(jq -r '[.auth[]|select(.type=="user")|.name]|sort|join(",")' "$j")" = "$(m auth_users)" ]
	check "$n db roles" [ "$(jq -r '[.auth[]|select(.type=="role")|.name]|sort|join(",")' "$j")" = "$(m auth_roles)" ]
	check "$n db role app permissions" [ "$(jq -r '.auth[]|select(.type=="role" and .name=="app")|.permissions' "$j")" = "$(m auth_role_app_permissions)" ]
	check "$n db no leases (revoked)" [ "$(jq -r '.leases|length' "$j")" = 0 ]
	check "$n db no problems" [ "$(jq -r '.problems|length' "$j")" = 0 ]

	# db hash: current revision, an intermediate one, and the compaction revision itself
	expect_exit 0 "$n db hash" "$EA" db hash -w json "$P"
	check "$n hash now = endpoint hashkv" [ "$(jq -r .hash "$j")" = "$(m $n.hashkv)" ]
	r=$(m $n.hashkv_rev)
	expect_exit 0 "$n db hash --rev $r" "$EA" db hash -w json --rev "$r" "$P"
	check "$n hash at $r" [ "$(jq -r .hash "$j")" = "$(m $n.hashkv_at_rev)" ]
	# at the compact revision: what a (re)started etcd 3.5.30 computes; a member that stayed
	# up since the compaction answers the hash it stored while compacting (compact_revision -1)
	expect_exit 0 "$n db hash --rev $C" "$EA" db hash -w json --rev "$C" "$P"
	check "$n hash at compact rev = restarted member's hashkv" \
		[ "$(jq -r .hash "$j")" = "$(m $RS.hashkv_at_compact_rev_after_restart)" ]
	check "$n hash at compact rev: etcd recomputed it" [ "$(m $RS.hashkv_at_compact_rev_after_restart_compact_revision)" = "$C" ]

	# snap ls: the .snap files etcd left, each index as its name says, the members as voters
	expect_exit 0 "$n snap ls" "$EA" snap ls -w json "$P"
	want=$(m $n.snap_files | tr ',' '\n' | sed 's/^[0-9a-f]*-\([0-9a-f]*\)\.snap$/\1/' | while read -r h; do echo $((16#$h)); done | paste -sd, -)
	check "$n snap indexes" [ "$(jq -r 'select(.kind=="snap")|.index' "$j" | paste -sd, -)" = "$want" ]
	check "$n snap crc ok" [ "$(jq -r 'select(.kind=="snap")|.crc_ok' "$j" | sort -u)" = true ]
	check "$n snap voters" [ "$(jq -r 'select(.kind=="snap")|.voters|sort|join(",")' "$j" | sort -u)" = "$MEMBERS" ]
done

# wal ls: the workload's requests as etcd logged them (the compaction the script sent at
# exactly the delete's revision; the role permission etcd reports in `role get app`)
expect_exit 0 "wal ls" "$EA" wal ls -w json "$N1"
check "one compaction entry at the compact revision" \
	[ "$(jq -r 'select(.kind=="compaction")|.detail' "$TMP/out")" = "revision=$C physical by=root" ]
check "one auth_enable entry" [ "$(jq -r 'select(.kind=="auth_enable")|.index' "$TMP/out" | wc -l)" = 1 ]
PERM=$(/usr/bin/python3 -c '
import json,sys,base64
p=json.load(open(sys.argv[1]))["perm"][0]
print(base64.b64decode(p["key"]).decode(), ["READ","WRITE","READWRITE"][p.get("permType",0)])' "$F/etcd/role-get-app.json")
check "role grant entry = etcd's role get" \
	[ "$(jq -r 'select(.kind=="auth_role_grant_permission")|.key+" "+(.detail|sub("^role=app perm=";""))' "$TMP/out")" = "$PERM" ]

# history --terms: the one leader term etcd logged
expect_exit 0 "history --terms" "$EA" history --terms -w json "$N1" "$N2" "$N3"
check "leader of term $(m n1.raft_term)" [ "$(jq -r "select(.term==$(m n1.raft_term))|.leader" "$TMP/out")" = "$LEADER" ]
check "no failed election" [ "$(jq -r 'select(.failed_election)|.term' "$TMP/out")" = "" ]

# diff: consistent, exit 0, the same facts per node
expect_exit 0 "diff of the 3 members" "$EA" diff -w json "$N1" "$N2" "$N3"
check "diff verdict consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]
check "diff findings none" [ "$(jq -r '.findings|length' "$TMP/out")" = 0 ]
for n in n1 n2 n3; do
	check "diff $n last_index" [ "$(jq -r ".nodes[]|select(.member_id==\"$(m $n.member_id)\")|.last_index" "$TMP/out")" = "$(m $n.raft_index)" ]
	check "diff $n hash" [ "$(jq -r ".nodes[]|select(.member_id==\"$(m $n.member_id)\")|.hash" "$TMP/out")" = "$(m $n.hashkv)" ]
done

# the backup (etcdctl snapshot save; etcdutl snapshot status) and the etcdutl restore
expect_exit 0 "backup db stat" "$EA" db stat -w json "$F/backup.tar.gz"
j=$TMP/out
for p in backup restored; do
	[ $p = restored ] && expect_exit 0 "restored db stat" "$EA" db stat -w json "$F/restored.tar.gz"
	check "$p snapshot_hash" [ "$(jq -r .snapshot_hash "$j")" = "$(m $p.hash)" ]
	check "$p snapshot_revision" [ "$(jq -r .snapshot_revision "$j")" = "$(m $p.revision)" ]
	check "$p total_key" [ "$(jq -r .total_key "$j")" = "$(m $p.total_key)" ]
	check "$p total_size" [ "$(jq -r .total_size "$j")" = "$(m $p.total_size)" ]
done
expect_exit 0 "backup verify" "$EA" verify -w json "$F/backup.tar.gz"
check "backup restorable" [ "$(jq -r .verdict "$TMP/out")" = restorable ]
check "backup trailer" [ "$(jq -r .sha256_trailer "$TMP/out"):$(m backup.sha256_trailer)" = ok:present ]
check "backup verify revision" [ "$(jq -r .revision "$TMP/out")" = "$(m backup.revision)" ]
check "backup verify snapshot_hash" [ "$(jq -r .snapshot_hash "$TMP/out")" = "$(m backup.hash)" ]
src=$(m backup.source_member)
expect_exit 0 "backup verify --against" "$EA" verify -w json "$F/backup.tar.gz" --against "$src=$F/$src.tar.gz"
check "backup matches its source member" [ "$(jq -r ".matches[\"$src\"]" "$TMP/out")" = true ]
check "backup hash = member hashkv at its revision" [ "$(jq -r .hash "$TMP/out") $(m backup.revision)" = "$(m $src.hashkv) $(m $src.revision)" ]
expect_exit 0 "restored snap ls" "$EA" snap ls -w json "$F/restored.tar.gz"
want=$(m restored.snap_files | sed 's/^[0-9a-f]*-\([0-9a-f]*\)\.snap$/\1/'); want=$((16#$want))
check "restored .snap index" [ "$(jq -r .index "$TMP/out")" = "$want" ]
check "restored .snap one member" [ "$(jq -r '.members|length' "$TMP/out")" = 1 ]

# export: the SQL database holds the same facts
expect_exit 0 "export" "$EA" export -q -o "$TMP/i.db" n1="$N1" n2="$N2" n3="$N3"
if command -v sqlite3 >/dev/null; then
	for n in n1 n2 n3; do
		check "sql $n entries" [ "$(sqlite3 "$TMP/i.db" "select count(*) from entries where node='$n' and superseded=0")" = "$(m $n.raft_index)" ]
		check "sql $n node facts" [ "$(sqlite3 "$TMP/i.db" "select member_id||' '||commit_index||' '||revision||' '||compact_revision||' '||hash from nodes where node='$n'")" = "$(m $n.member_id) $(m $n.raft_index) $(m $n.revision) $C $(m $n.hashkv)" ]
		check "sql $n members" [ "$(sqlite3 "$TMP/i.db" "select group_concat(member_id,',') from (select member_id from members where node='$n' and removed=0 order by member_id)")" = "$MEMBERS" ]
		check "sql $n users" [ "$(sqlite3 "$TMP/i.db" "select group_concat(name,',') from (select name from auth where node='$n' and is_role=0 order by name)")" = "$(m auth_users)" ]
	done
	check "sql verdict" [ "$(sqlite3 "$TMP/i.db" "select verdict from verdict")" = consistent ]
fi

# a dir made by etcdutl snapshot restore: meta/confState keeps the source cluster's voters
# (the manifest's three member IDs) while the members bucket holds only the restored member
"$EA" db stat "$F/restored.tar.gz" >"$TMP/rst" 2>&1
for k in n1 n2 n3; do
	check "restored db stat: the restore-leftover note names $k ($(manifest "$S" $k.member_id))" \
		grep -q "note: the conf state lists 3 members (.*$(manifest "$S" $k.member_id).*) that the members bucket does not: left by \`etcdutl snapshot restore\`" "$TMP/rst"
done
check "restored db stat: not called a drift" grep -q "(not a drift)" "$TMP/rst"
"$EA" db stat "$N1" >"$TMP/n1st" 2>&1
check "n1 db stat: no membership note (conf state = members bucket)" bash -c "! grep -q 'note:' '$TMP/n1st'"

# report: exit 0 on consistent members
expect_exit 0 "report" "$EA" report -o "$TMP/r.html" "$N1" "$N2" "$N3"
check "report written" [ -s "$TMP/r.html" ]
finish
