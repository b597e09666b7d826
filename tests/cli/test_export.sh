# test_export.sh: `export` writes an incident database holding exactly what the other commands
# print and what etcd itself reported (fixtures/*/manifest.txt), and every documented query in
# docs/queries/ runs against an export of a fixture and returns the asserted rows.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
Q=$(cd "$(dirname "$0")/../../docs/queries" && pwd)

q() { sqlite3 -batch -noheader "$@"; }             # q DB SQL
qf() { # qf DB FILE.sql [NAME VALUE]...: run a documented query with parameters
	local db=$1 f=$2; shift 2
	local args=()
	while [ $# -ge 2 ]; do args+=(-cmd ".param set $1 $2"); shift 2; done
	sqlite3 -batch -noheader -separator '|' "${args[@]}" "$db" <"$Q/$f"
}
eq() { # eq DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi
}
jl() { grep -vc '"problem"' "$1"; }                # JSON Lines that are not problem lines
has() { # has DESCRIPTION TEXT REGEX: passes when a line of TEXT matches
	if grep -q -- "$3" <<<"$2"; then ok; else fail "$1: no line matches '$3'"; fi
}

H=$FIXTURES/healthy
DB=$TMP/healthy.sqlite

# ---- usage and safety ----------------------------------------------------------------------
expect_exit 0 "export --help" "$EA" export --help
expect_exit 2 "export without -o" "$EA" export "$H/n1.tar.gz"
expect_exit 2 "export without nodes" "$EA" export -o "$TMP/x.sqlite"
expect_exit 2 "export unreadable node" "$EA" export -o "$TMP/x.sqlite" "$TMP/nope"
check "no output after a failed open" test ! -e "$TMP/x.sqlite"

# the backup is a db without a WAL: the verdict is incomplete, never consistent (issue 13 item 4)
expect_exit 1 "export healthy" "$EA" export -o "$DB" n1=$H/n1.tar.gz n2=$H/n2.tar.gz n3=$H/n3.tar.gz backup=$H/backup.tar.gz
check "summary on stderr" grep -q "verdict incomplete" "$TMP/err"
check "no temporary file left" [ -z "$(ls "$TMP" | grep '\.tmp-')" ]
check "integrity" [ "$(q "$DB" 'PRAGMA integrity_check')" = ok ]
check "not left in journal_mode=off" [ "$(q "$DB" 'PRAGMA journal_mode')" = delete ]
before=$(sha256sum <"$DB")
expect_exit 2 "refuses to overwrite" "$EA" export -o "$DB" "$H/n1.tar.gz"
check "overwrite refusal says --force" grep -q -- "--force" "$TMP/err"
eq "existing output untouched" "$(sha256sum <"$DB")" "$before"
cp "$DB" "$TMP/forced.sqlite"
expect_exit 0 "--force replaces" "$EA" export -q --force -o "$TMP/forced.sqlite" "$H/n1.tar.gz"
eq "--force wrote the new export" "$(q "$TMP/forced.sqlite" 'SELECT count(*) FROM nodes')" 1
expect_exit 2 "unwritable output dir" "$EA" export -o "$TMP/no/such/dir/x.sqlite" "$H/n1.tar.gz"

# ---- the public schema contract: every table and column of issue 5 --------------------------
contract="nodes:node,path,member_id,cluster_id,kind,first_index,last_index,last_term,commit_index,consistent_index,revision,compact_revision,hash,storage_version
wal_segments:node,file,seq,first_index,size,used_bytes
wal_records:node,file,offset,record_type,length,crc_ok
entries:node,idx,term,type,kind,key,size,data_crc32c,request_id,proposer,file,offset,superseded,committed
hard_states:node,seq,term,vote,commit_index,file,offset
terms:term,leader,first_index,last_index,entries,failed_election
votes:term,voter,voted_for
snapshots:node,source,term,idx,voters,learners,file
conf_changes:node,idx,term,change,member_id,name,peer_urls,committed
revisions:node,main,sub,tombstone,key,create_revision,mod_revision,version,lease,value_size,value_crc32c
members:node,member_id,name,peer_urls,client_urls,is_learner,removed
leases:node,lease_id,ttl,remaining_ttl
alarms:node,member_id,alarm
events:node,time,time_source,event,term,idx,detail
problems:node,layer,severity,kind,file,offset,length,message
findings:kind,severity,idx,revision,nodes,detail
verdict:verdict,recommended_source
meta:key,value"
for line in $contract; do
	t=${line%%:*}
	cols=$(q "$DB" "SELECT group_concat(name, ',') FROM pragma_table_info('$t')")
	for c in $(echo "${line#*:}" | tr ',' ' '); do
		case ",$cols," in *",$c,"*) ok ;; *) fail "schema: $t.$c missing (have $cols)" ;; esac
	done
done
check "timeline view" [ "$(q "$DB" "SELECT count(*) FROM sqlite_master WHERE type='view' AND name='timeline'")" = 1 ]
check "schema.md documents every table" bash -c "for t in \$(sqlite3 '$DB' \"SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'\"); do grep -q \"^## .*\\\`\$t\\\`\" '$Q/../schema.md' || { echo \"undocumented: \$t\"; exit 1; }; done"

# ---- meta ----------------------------------------------------------------------------------
eq "meta tool_version" "$(q "$DB" "SELECT value FROM meta WHERE key='tool_version'")" "$("$EA" --version | head -1 | cut -d' ' -f2)"
check "meta export_time is UTC" bash -c "sqlite3 '$DB' \"SELECT value FROM meta WHERE key='export_time'\" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$'"
check "meta command_line" bash -c "sqlite3 '$DB' \"SELECT value FROM meta WHERE key='command_line'\" | grep -q 'export -o'"
for n in n1 n2 n3 backup; do
	f=$H/$n.tar.gz
	eq "meta input path $n" "$(q "$DB" "SELECT value FROM meta WHERE key='input.$n.path'")" "$f"
	eq "meta sha256 $n = sha256sum" "$(q "$DB" "SELECT value FROM meta WHERE key='input.$n.sha256'")" "$(sha256sum "$f" | cut -d' ' -f1)"
done

# ---- nodes: etcd's own numbers (manifest) and what the other commands print -----------------
for n in $(manifest healthy members | tr ',' ' '); do
	row=$(q "$DB" "SELECT member_id, cluster_id, kind, last_index, last_term, commit_index, revision, compact_revision, hash FROM nodes WHERE node='$n'")
	want="$(manifest healthy $n.member_id)|$(manifest healthy cluster_id)|data-dir|$(manifest healthy $n.raft_index)|$(manifest healthy $n.raft_term)|$(manifest healthy $n.raft_index)|$(manifest healthy $n.revision)|$(manifest healthy $n.hashkv_compact_revision)|$(manifest healthy $n.hashkv)"
	eq "nodes row $n vs etcd" "$row" "$want"
	eq "wal_segments $n" "$(q "$DB" "SELECT group_concat(substr(file, length(file) - 36), ',') FROM (SELECT file FROM wal_segments WHERE node='$n' ORDER BY seq)")" "$(manifest healthy $n.wal_files)"
	"$EA" wal ls -w json "$H/$n.tar.gz" >"$TMP/wal.jsonl" 2>/dev/null
	eq "entries $n = wal ls" "$(q "$DB" "SELECT count(*) FROM entries WHERE node='$n'")" "$(jl "$TMP/wal.jsonl")"
	eq "entry spot values $n" "$(q "$DB" "SELECT idx, term, kind, file, offset FROM entries WHERE node='$n' ORDER BY idx DESC LIMIT 1" | tr '|' ' ')" \
		"$(grep -v '"problem"' "$TMP/wal.jsonl" | tail -1 | jq -r '"\(.index) \(.term) \(.kind) \(.file) \(.offset)"')"
	"$EA" wal ls --records -w json "$H/$n.tar.gz" >"$TMP/rec.jsonl" 2>/dev/null
	eq "wal_records $n = wal ls --records" "$(q "$DB" "SELECT count(*) FROM wal_records WHERE node='$n'")" "$(jl "$TMP/rec.jsonl")"
	eq "hard_states $n = state records" "$(q "$DB" "SELECT count(*) FROM hard_states WHERE node='$n'")" "$(jq -s '[.[]|select(.record_type=="state")]|length' "$TMP/rec.jsonl")"
	"$EA" db stat -w json "$H/$n.tar.gz" >"$TMP/db.json" 2>/dev/null
	eq "revisions $n = db stat key_revisions" "$(q "$DB" "SELECT count(*) FROM revisions WHERE node='$n' AND source = 'db'")" "$(jq .key_revisions "$TMP/db.json")"
	eq "consistent_index $n = db stat" "$(q "$DB" "SELECT consistent_index FROM nodes WHERE node='$n'")" "$(jq .consistent_index "$TMP/db.json")"
	eq "members $n = db stat" "$(q "$DB" "SELECT group_concat(member_id || ':' || name, ',') FROM (SELECT * FROM members WHERE node='$n' ORDER BY member_id)")" \
		"$(jq -r '[.members[]|"\(.id):\(.name)"]|sort|join(",")' "$TMP/db.json")"
done
eq "backup kind" "$(q "$DB" "SELECT kind FROM nodes WHERE node='backup'")" snapshot-file
eq "backup revision = etcdctl snapshot status" "$(q "$DB" "SELECT revision FROM nodes WHERE node='backup'")" "$(manifest healthy backup.revision)"
eq "leader of term = etcd's log" "$(q "$DB" "SELECT term || ':' || leader FROM terms WHERE leader IS NOT NULL")" "$(manifest healthy leader_terms)"
"$EA" diff -w json n1=$H/n1.tar.gz n2=$H/n2.tar.gz n3=$H/n3.tar.gz backup=$H/backup.tar.gz >"$TMP/diff.json" 2>/dev/null
eq "verdict = diff" "$(q "$DB" "SELECT verdict || ' ' || COALESCE(recommended_source, 'null') FROM verdict")" "$(jq -r '"\(.verdict) \(.recommended_source)"' "$TMP/diff.json")"
eq "findings = diff" "$(q "$DB" "SELECT count(*) FROM findings")" "$(jq '.findings|length' "$TMP/diff.json")"
"$EA" history -w json n1=$H/n1.tar.gz n2=$H/n2.tar.gz n3=$H/n3.tar.gz backup=$H/backup.tar.gz >"$TMP/hist.jsonl" 2>/dev/null
eq "events = history" "$(q "$DB" "SELECT count(*) FROM events")" "$(wc -l <"$TMP/hist.jsonl")"
eq "snap-file snapshots n1 = snap ls" "$(q "$DB" "SELECT count(*) FROM snapshots WHERE node='n1' AND source='snap-file'")" \
	"$("$EA" snap ls -w json "$H/n1.tar.gz" 2>/dev/null | jq -s '[.[]|select(.kind=="snap")]|length')"
eq "no problems on healthy" "$(q "$DB" "SELECT count(*) FROM problems WHERE severity <> 'info'")" 0
check "timeline ordered, non-empty" [ "$(q "$DB" "SELECT count(*) FROM timeline")" -gt 0 ]

# --values / --no-records
V=$TMP/values.sqlite
expect_exit 0 "export --values --no-records" "$EA" export -q --values --no-records -o "$V" "$H/n1.tar.gz"
eq "--no-records: no wal_records" "$(q "$V" "SELECT count(*) FROM wal_records")" 0
eq "--no-records: entries kept" "$(q "$V" "SELECT count(*) FROM entries")" "$(q "$DB" "SELECT count(*) FROM entries WHERE node='n1'")"
eq "--values: value of foo (txn put foo bar3)" "$(q "$V" "SELECT CAST(value AS TEXT) FROM revisions WHERE key='foo' ORDER BY main DESC LIMIT 1")" bar3
"$EA" db history -w json "$H/n1.tar.gz" foo >"$TMP/foo.jsonl" 2>/dev/null
eq "key history foo = db history" "$(q "$V" "SELECT count(*) FROM revisions WHERE key='foo'")" "$(jl "$TMP/foo.jsonl")"
eq "--values: crc column = crc of value" "$(q "$V" "SELECT count(*) FROM revisions WHERE value IS NOT NULL AND value_size <> length(value)")" 0

# ---- queries: election storm -----------------------------------------------------------------
ES=$FIXTURES/election-storm
E=$TMP/storm.sqlite
"$EA" export -q -o "$E" "$ES/n1.tar.gz" "$ES/n2.tar.gz" "$ES/n3.tar.gz"
eq "storm: leaders per term = etcd's log" "$(qf "$E" leaders-per-term.sql | awk -F'|' '$2 != "" && $1 != 1 {printf "%s%s:%s", s, $1, $2; s=","}')" "$(manifest election-storm leader_terms)"
eq "storm: failed elections = etcd's log" "$(qf "$E" leaders-per-term.sql | awk -F'|' '$7 == 1 {printf "%s%s", s, $1; s=","}')" "$(manifest election-storm failed_election_terms)"
eq "storm: leader node names" "$(qf "$E" leaders-per-term.sql | awk -F'|' '$2 != "" {print $3}' | sort -u | tr '\n' ' ')" "n1 n2 n3 "
want_runs=$(manifest election-storm failed_election_terms | tr ',' '\n' | awk 'NR>1 && $1 != p+1 {printf "%s-%s ", f, p; f=$1} NR==1 {f=$1} {p=$1} END {printf "%s-%s ", f, p}')
eq "election-storms.sql runs" "$(qf "$E" election-storms.sql :min_run 2 | awk -F'|' '{printf "%s-%s ", $1, $2}')" "$want_runs"
eq "election-storms.sql next leaders are etcd's" "$(qf "$E" election-storms.sql | awk -F'|' '{printf "%s%s:%s", s, $4, $5; s=","}' | tr ',' '\n' | grep -c -F -x -f <(manifest election-storm leader_terms | tr ',' '\n'))" \
	"$(qf "$E" election-storms.sql | wc -l)"
"$EA" history --terms -w json "$ES/n1.tar.gz" "$ES/n2.tar.gz" "$ES/n3.tar.gz" >"$TMP/terms.jsonl" 2>/dev/null
eq "storm: terms = history --terms" "$(q "$E" "SELECT count(*) FROM terms")" "$(wc -l <"$TMP/terms.jsonl")"
eq "storm: votes = history --terms" "$(q "$E" "SELECT count(*) FROM votes")" "$(jq -s '[.[].votes|length]|add' "$TMP/terms.jsonl")"
for n in n1 n2 n3; do
	eq "storm: last index/term $n" "$(q "$E" "SELECT last_index || ' ' || last_term || ' ' || hash FROM nodes WHERE node='$n'")" \
		"$(manifest election-storm $n.raft_index) $(manifest election-storm $n.raft_term) $(manifest election-storm $n.hashkv)"
done

# ---- queries: isolated leader ----------------------------------------------------------------
IL=$FIXTURES/isolated-leader
iso=$(manifest isolated-leader isolated_leader)
first=$(manifest isolated-leader isolated.uncommitted_first)
last=$(manifest isolated-leader isolated.uncommitted_last)
iterm=$(manifest isolated-leader isolated.term)
nterm=$(manifest isolated-leader new_leader_term)
I=$TMP/isolated.sqlite
"$EA" export -q -o "$I" "$IL/n1.tar.gz" "$IL/n2.tar.gz" "$IL/n3.tar.gz"
eq "never-committed.sql = etcd's uncommitted tail" "$(qf "$I" never-committed.sql | awk -F'|' '{printf "%s:%s:%s:%s ", $1, $2, $3, $8}')" \
	"$(for i in $(seq "$first" "$last"); do printf "%s:%s:%s:1 " "$iso" "$i" "$iterm"; done)"
eq "never-committed.sql :node filter" "$(qf "$I" never-committed.sql :node "'n1'" | wc -l)" 0
eq "superseded_by_term = the new term" "$(qf "$I" never-committed.sql | cut -d'|' -f9 | sort -u)" "$nterm"
"$EA" wal ls -w json "$IL/$iso.tar.gz" >"$TMP/iso.jsonl" 2>/dev/null
eq "superseded entries = wal ls" "$(q "$I" "SELECT count(*) FROM entries WHERE node='$iso' AND superseded")" "$(jq -s '[.[]|select(.superseded)]|length' "$TMP/iso.jsonl")"
eq "timeline superseded-entry rows" "$(q "$I" "SELECT count(*) FROM timeline WHERE event='superseded-entry'")" "$((last - first + 1))"
bt=$(qf "$I" between-indexes.sql :from "$((first - 1))" :to "$((last + 1))")
eq "between-indexes.sql: isolated puts, superseded" "$(echo "$bt" | awk -F'|' -v t="$iterm" '$3 == "entry" && $2 == t && $6 == 1 {print $1}' | tr '\n' ' ')" "$(seq -s ' ' "$first" "$last") "
eq "between-indexes.sql: new leader's entries on every node" "$(echo "$bt" | awk -F'|' -v t="$nterm" -v f="$first" '$3 == "entry" && $2 == t && $1 == f {print $8}')" "n1,n2,n3"
has "between-indexes.sql: election of the new term" "$bt" "^$first|$nterm|event|leader-elected|"
B=$TMP/before.sqlite
"$EA" export -q -o "$B" n1=$IL/n1.tar.gz $iso=$IL/$iso-before-restart.tar.gz n3=$IL/n3.tar.gz
eq "first-divergence.sql = etcd's conflict" "$(qf "$B" first-divergence.sql :a "'n1'" :b "'$iso'" | cut -d'|' -f3,4,5 | tr '|' ' ' | awk '{ if ($2 > $3) print $1, $3, $2; else print $1, $2, $3 }')" \
	"$(manifest isolated-leader isolated.conflict_index) $(manifest isolated-leader isolated.conflict_existing_term) $(manifest isolated-leader isolated.conflict_new_term)"
"$EA" diff -w json n1=$IL/n1.tar.gz $iso=$IL/$iso-before-restart.tar.gz n3=$IL/n3.tar.gz >"$TMP/d.json" 2>/dev/null
eq "isolated: verdict = diff" "$(q "$B" "SELECT verdict || ' ' || COALESCE(first_divergent_index, '') FROM verdict")" "$(jq -r '"\(.verdict) \(.first_divergent_index // "")"' "$TMP/d.json")"

# ---- queries: divergence fixtures ------------------------------------------------------------
LC=$FIXTURES/leader-change
DV=$FIXTURES/divergence
C=$TMP/committed.sqlite
"$EA" export -q -o "$C" n1=$LC/n1.tar.gz n2=$LC/n2.tar.gz n3=$DV/committed-divergence.tar.gz
eq "first-divergence.sql: committed divergence" "$(qf "$C" first-divergence.sql :a "'n1'" :b "'n3'" | cut -d'|' -f3,4,6,7,8)" \
	"$(manifest divergence committed-divergence.index)|$(manifest divergence committed-divergence.term)|1|1|1"
eq "first-divergence.sql: all pairs" "$(qf "$C" first-divergence.sql | cut -d'|' -f1,2 | tr '\n' ' ')" "n1|n3 n2|n3 "
"$EA" diff -w json n1=$LC/n1.tar.gz n2=$LC/n2.tar.gz n3=$DV/committed-divergence.tar.gz >"$TMP/d.json" 2>/dev/null
eq "committed: verdict = diff" "$(q "$C" "SELECT verdict || ' ' || recommended_source FROM verdict")" "$(jq -r '"\(.verdict) \(.recommended_source)"' "$TMP/d.json")"
S=$TMP/state.sqlite
"$EA" export -q -o "$S" n1=$LC/n1.tar.gz n2=$LC/n2.tar.gz n3=$DV/state-divergence.tar.gz
rev=$(manifest divergence state-divergence.revision)
key=$(manifest divergence state-divergence.key)
kh=$(qf "$S" key-history.sql :key "'$key'")
eq "key-history.sql: the odd node at the changed revision" "$(echo "$kh" | awk -F'|' -v r="$rev" '$1 == r && $11 == 1 {print $3}')" "$(manifest divergence state-divergence.node)"
eq "key-history.sql: the others agree" "$(echo "$kh" | awk -F'|' -v r="$rev" '$1 == r && $11 == 2 {print $3}' | tr '\n' ' ')" "n1 n2 "
"$EA" db history -w json "$DV/state-divergence.tar.gz" "$key" >"$TMP/kh.jsonl" 2>/dev/null
eq "key-history.sql rows of n3 = db history" "$(echo "$kh" | awk -F'|' '$3 == "n3"' | wc -l)" "$(jl "$TMP/kh.jsonl")"
eq "state: finding at the revision" "$(q "$S" "SELECT kind || ' ' || revision FROM findings WHERE revision IS NOT NULL AND kind = 'kv-hash-mismatch'")" "kv-hash-mismatch $rev"
eq "state: the odd node's db differs from its own WAL at the revision" "$(q "$S" "SELECT nodes || ' ' || revision FROM findings WHERE kind = 'db-differs-from-own-wal'")" "$(manifest divergence state-divergence.node) $rev"
eq "state: verdict" "$(q "$S" "SELECT verdict FROM verdict")" state-divergence

# ---- queries: follower behind ------------------------------------------------------------------
FB=$FIXTURES/follower-behind
lag=$(manifest follower-behind stopped_early_member)
up=n1; [ "$lag" = n1 ] && up=n3
L=$TMP/lag.sqlite
"$EA" export -q -o "$L" "$FB/n1.tar.gz" "$FB/n2.tar.gz" "$FB/n3.tar.gz"
rm_rows=$(qf "$L" revisions-missing.sql :has "'$up'" :missing "'$lag'")
eq "revisions-missing.sql: first missing revision follows the lagging member's" "$(echo "$rm_rows" | head -1 | cut -d'|' -f3)" "$(( $(manifest follower-behind $lag.revision) + 1 ))"
eq "revisions-missing.sql: up to the up-to-date member's" "$(echo "$rm_rows" | tail -1 | cut -d'|' -f3)" "$(manifest follower-behind $up.revision)"
eq "revisions-missing.sql: none the lagging member has" "$(qf "$L" revisions-missing.sql :has "'$lag'" :missing "'$up'" | wc -l)" 0
eq "revisions-missing.sql: none between the up-to-date ones" "$(qf "$L" revisions-missing.sql :has "'n1'" :missing "'n3'" | wc -l)" 0
eq "lagging: last index per member" "$(q "$L" "SELECT group_concat(last_index, ',') FROM (SELECT last_index FROM nodes ORDER BY node)")" \
	"$(manifest follower-behind n1.raft_index),$(manifest follower-behind n2.raft_index),$(manifest follower-behind n3.raft_index)"

# ---- queries: membership -----------------------------------------------------------------------
MB=$FIXTURES/membership
if [ -f "$MB/manifest.txt" ] && [ -n "$(manifest membership learner_added)" ]; then
	M=$TMP/members.sqlite
	"$EA" export -q -o "$M" "$MB/n1.tar.gz" "$MB/n2.tar.gz" "$MB/n3.tar.gz" "$MB/n4.tar.gz"
	mc=$(qf "$M" membership-changes.sql)
	eq "membership-changes.sql: learner added" "$(echo "$mc" | awk -F'|' -v i="$(manifest membership add.conf_change_index)" '$1 == i {print $3, $4, $7, $8}')" \
		"add_learner $(manifest membership learner_added) 1 1"
	eq "membership-changes.sql: promoted" "$(echo "$mc" | awk -F'|' -v i="$(manifest membership promote.conf_change_index)" '$1 == i {print $4, $8}')" \
		"$(manifest membership promoted) 1"
	eq "membership-changes.sql: removed" "$(echo "$mc" | awk -F'|' -v i="$(manifest membership remove.conf_change_index)" '$1 == i {print $3, $4, $8}')" \
		"remove $(manifest membership removed) 1"
	eq "membership-changes.sql: bootstrap members" "$(echo "$mc" | awk -F'|' '$2 == 1 {print $4}' | sort | tr '\n' ',')" \
		"$(for n in $(manifest membership members | tr ',' ' '); do [ "$(manifest membership $n.member_id)" = "$(manifest membership learner_added)" ] || manifest membership $n.member_id; done | sort | tr '\n' ',')"
	eq "membership-changes.sql: nothing else" "$(echo "$mc" | wc -l)" "$(( $(manifest membership members | tr ',' '\n' | wc -l) - 1 + 3 ))"
else
	fail "membership fixture missing"
fi
eq "membership-changes.sql on healthy: bootstrap adds" "$(qf "$DB" membership-changes.sql | awk -F'|' '{print $3, $5, $10}' | sort | tr '\n' ',')" \
	"$(for n in n1 n2 n3; do echo "add $n n1,n2,n3"; done | tr '\n' ',')"

# ---- queries: damage -----------------------------------------------------------------------------
CW=$FIXTURES/corrupt
CB=$FIXTURES/corrupt-db
cm() { sed -n "s/^$1=//p" "$CW/manifest.txt"; }
cdm() { sed -n "s/^$1=//p" "$CB/manifest.txt"; }
X=$TMP/damage.sqlite XT=$TMP/damage-torn.sqlite
# bitflip and torn-tail are copies of one member (same member ID): one export each
expect_exit 1 "damaged inputs export (exit 1)" "$EA" export -o "$X" bitflip=$CW/bitflip.tar.gz leafflip=$CB/leaf-flip.tar.gz
expect_exit 1 "damaged input export (exit 1)" "$EA" export -o "$XT" torn=$CW/torn-tail.tar.gz
d=$(qf "$X" damage-by-file.sql; qf "$XT" damage-by-file.sql)
has "damage-by-file.sql: bitflip at its frame" "$d" "^bitflip|$(cm bitflip.file)|$(cm bitflip.offset)|.*|error|crc-mismatch|"
has "damage-by-file.sql: the record there failed its CRC" "$d" "^bitflip|$(cm bitflip.file)|$(cm bitflip.offset)|.*|entry crc_ok=0$"
eq "damage-by-file.sql: leaf-flip element offsets" "$(echo "$d" | awk -F'|' '$1 == "leafflip" && $7 == "element-overrun" {printf "%s%s", s, $3; s=","}')" "$(cdm leaf-flip.element_offsets)"
has "damage-by-file.sql: torn tail" "$d" "^torn|$(cm torn-tail.file)|$(cm torn-tail.offset)|"
eq "damage-by-file.sql :node filter" "$(qf "$XT" damage-by-file.sql :node "'torn'" | cut -d'|' -f1 | sort -u)" torn
for n in bitflip torn; do
	f=$CW/$(echo $n | sed 's/torn/torn-tail/').tar.gz
	x=$X; [ $n = torn ] && x=$XT
	"$EA" wal ls -w json "$f" >"$TMP/w.jsonl" 2>/dev/null
	eq "damaged $n: every readable entry exported" "$(q "$x" "SELECT count(*) FROM entries WHERE node='$n'")" "$(jl "$TMP/w.jsonl")"
	eq "damaged $n: problems = wal ls problem lines" "$(q "$x" "SELECT count(*) FROM problems WHERE node='$n'")" "$(grep -c '"problem"' "$TMP/w.jsonl")"
done
eq "leaf-flip: lost revisions absent" "$(q "$X" "SELECT count(*) FROM revisions WHERE node='leafflip' AND main IN ($(cdm leaf-flip.lost_revisions))")" 0

# ---- every documented query runs on a multi-node export -------------------------------------
for f in "$Q"/*.sql; do
	if sqlite3 -batch "$E" <"$f" >/dev/null 2>"$TMP/qerr"; then ok; else fail "$(basename "$f"): $(cat "$TMP/qerr")"; fi
done
# ---- etcd's logs give terms real times (--logs); leaders agree with the logs ----------------
T=$FIXTURES/text-log
TL=$TMP/textlog.sqlite
"$EA" export -q -o "$TL" "$T/n1.tar.gz" "$T/n2.tar.gz" "$T/n3.tar.gz" --logs n1="$T/etcd/logs/n1.log" \
	--logs n2="$T/etcd/logs/n2.log.gz" --logs n3="$T/etcd/logs/n3.log" >/dev/null 2>&1
check "export with --logs" [ -s "$TL" ]
check "every term has a log time" [ "$(sqlite3 "$TL" "SELECT count(*) FROM terms WHERE time IS NULL OR time_source <> 'log'")" = 0 ]
want=$(manifest text-log leader_terms | tr ',' '\n' | sort -n | tr '\n' ' ')
got=$(sqlite3 "$TL" "SELECT term || ':' || log_leader FROM terms WHERE log_leader IS NOT NULL ORDER BY term" | tr '\n' ' ')
check "log leaders per term = etcd's lines ($want)" [ "$got" = "$want" ]
check "log leaders agree with the WALs" [ "$(sqlite3 "$TL" "SELECT count(*) FROM terms WHERE log_leader IS NOT NULL AND log_leader <> leader")" = 0 ]
check "log events exported" [ "$(sqlite3 "$TL" "SELECT count(*) FROM events WHERE time_source = 'log'")" -gt 10 ]
finish
