# test_wal_cli.sh: the `wal` commands' output contract, exit codes and damage reporting,
# checked against facts etcd reported (fixtures/*/manifest.txt).
. "$(dirname "$0")/lib.sh"

H=$FIXTURES/healthy

# --help everywhere, exit 0 on stdout; usage errors exit 2
expect_exit 0 "top-level --help" "$EA" --help
expect_exit 0 "wal --help" "$EA" wal --help
expect_exit 0 "wal ls --help" "$EA" wal ls --help
expect_exit 0 "wal stat --help" "$EA" wal stat --help
expect_exit 0 "--version" "$EA" --version
expect_exit 2 "no args" "$EA"
expect_exit 2 "unknown command" "$EA" frobnicate
expect_exit 2 "unknown option" "$EA" wal stat --bogus "$H/n1.tar.gz"
expect_exit 2 "bad number" "$EA" wal ls --from xyz "$H/n1.tar.gz"
expect_exit 2 "missing path" "$EA" wal stat "$TMP/does-not-exist"
expect_exit 2 "no wal in path" "$EA" wal stat "$FIXTURES/corrupt"

# wal stat -w json: the keys of the contract, values equal to etcd's endpoint status
for sc in healthy leader-change follower-behind; do
	for n in n1 n2 n3; do
		expect_exit 0 "$sc/$n clean" "$EA" wal stat -w json "$FIXTURES/$sc/$n.tar.gz"
		j=$TMP/out
		check "$sc/$n member_id" [ "$(jq -r .member_id "$j")" = "$(manifest $sc $n.member_id)" ]
		check "$sc/$n cluster_id" [ "$(jq -r .cluster_id "$j")" = "$(manifest $sc cluster_id)" ]
		check "$sc/$n last_index" [ "$(jq -r .last_index "$j")" = "$(manifest $sc $n.raft_index)" ]
		check "$sc/$n last_term" [ "$(jq -r .last_term "$j")" = "$(manifest $sc $n.raft_term)" ]
		check "$sc/$n commit" [ "$(jq -r .hard_state.commit "$j")" = "$(manifest $sc $n.raft_index)" ]
		check "$sc/$n segments" [ "$(jq -r '.segments|length' "$j")" = "$(manifest $sc $n.wal_segments)" ]
		check "$sc/$n keys" jq -e 'has("first_index") and has("hard_state") and (.hard_state|has("term") and has("vote")) and (.problems==[])' "$j" >/dev/null
	done
done

# wal ls -w json: one object per line with the contract's keys; last entry = etcd's index/term
"$EA" wal ls -w json "$H/n2.tar.gz" >"$TMP/ls.json"
check "ls exit 0" [ $? = 0 ]
check "ls every line has the keys" jq -e -s 'all(.[]; has("index") and has("term") and has("type") and has("kind") and has("size") and has("file") and has("offset") and has("superseded") and has("committed"))' "$TMP/ls.json" >/dev/null
check "ls last index" [ "$(tail -n 1 "$TMP/ls.json" | jq -r .index)" = "$(manifest healthy n2.raft_index)" ]
check "ls last term" [ "$(tail -n 1 "$TMP/ls.json" | jq -r .term)" = "$(manifest healthy n2.raft_term)" ]
check "ls entry count = raft index" [ "$(wc -l <"$TMP/ls.json")" = "$(manifest healthy n2.raft_index)" ]
check "ls bootstrap conf changes" [ "$(jq -r 'select(.index<=3)|.kind' "$TMP/ls.json" | sort -u)" = "confchange:add" ]
check "ls has puts with keys" jq -e -s '[.[]|select(.kind=="put" and (.key|type)=="string")]|length > 100' "$TMP/ls.json" >/dev/null
check "ls compaction entries" jq -e -s '[.[]|select(.kind=="compaction")]|length >= 1' "$TMP/ls.json" >/dev/null
check "ls files are relative" jq -e -s 'all(.[]; .file|startswith("n2/member/wal/"))' "$TMP/ls.json" >/dev/null

# --from/--to/--kind filters
"$EA" wal ls -w json --from 100 --to 120 "$H/n1.tar.gz" >"$TMP/range.json"
check "range count" [ "$(wc -l <"$TMP/range.json")" = 21 ]
check "range bounds" jq -e -s '(map(.index)|min)==100 and (map(.index)|max)==120' "$TMP/range.json" >/dev/null
"$EA" wal ls -w json --kind empty "$FIXTURES/leader-change/n1.tar.gz" >"$TMP/empty.json"
# every term after the first has exactly one leader no-op on a member that kept its log
check "one empty entry per leader term" [ "$(jq -r .term "$TMP/empty.json" | sort -un | tr '\n' ' ')" = "$(manifest leader-change leader_terms | tr ',' '\n' | cut -d: -f1 | sort -un | tr '\n' ' ')" ]

# committed: entries the isolated leader accepted but never committed (etcd's restart line
# reported commit 38, lastindex 43), and after it rejoined the same entries are superseded
IL=$FIXTURES/isolated-leader
iso=$(manifest isolated-leader isolated_leader)
first=$(manifest isolated-leader isolated.uncommitted_first); last=$(manifest isolated-leader isolated.uncommitted_last)
"$EA" wal ls -w json "$IL/$iso-before-restart.tar.gz" >"$TMP/iso.json"
check "uncommitted tail" [ "$(jq -r 'select(.committed==false)|.index' "$TMP/iso.json" | tr '\n' ' ')" = "$(seq -s ' ' "$first" "$last") " ]
check "committed up to etcd's commit" [ "$(jq -r 'select(.committed)|.index' "$TMP/iso.json" | tail -n 1)" = "$(manifest isolated-leader isolated.restart_commit)" ]
"$EA" wal ls -w json "$IL/$iso.tar.gz" >"$TMP/iso2.json"
check "overwritten after rejoining" [ "$(jq -r 'select(.superseded)|"\(.index):\(.term):\(.superseded_by_term)"' "$TMP/iso2.json" | tr '\n' ' ')" = "$(for i in $(seq "$first" "$last"); do printf '%s:%s:%s ' "$i" "$(manifest isolated-leader isolated.conflict_existing_term)" "$(manifest isolated-leader isolated.conflict_new_term)"; done)" ]

# --records: every record, with crc verdicts
"$EA" wal ls -w json --records "$H/n1.tar.gz" >"$TMP/rec.json"
check "records keys" jq -e -s 'all(.[]; has("file") and has("offset") and has("record_type") and has("length") and has("crc_ok"))' "$TMP/rec.json" >/dev/null
check "records crc all ok" jq -e -s 'all(.[]; .crc_ok != false)' "$TMP/rec.json" >/dev/null
check "records first is crc at 0" [ "$(head -n 1 "$TMP/rec.json" | jq -c '[.record_type,.offset]')" = '["crc",0]' ]

# table output works and has a header
expect_exit 0 "table stat" "$EA" wal stat "$H/n3.tar.gz"
check "table stat member" grep -q "member_id *$(manifest healthy n3.member_id)" "$TMP/out"

# damage: exit 1, problem objects inline at the recorded file/offset, stderr summary
for v in torn-tail bitflip zeroed-block missing-segment; do
	f=$(manifest corrupt $v.file); off=$(manifest corrupt $v.offset)
	expect_exit 1 "$v exit 1" "$EA" wal ls -w json "$FIXTURES/corrupt/$v.tar.gz"
	check "$v stderr summary" grep -q "problem" "$TMP/err"
	if [ $v = missing-segment ]; then
		check "$v problem" jq -e -s '[.[]|select(.problem.kind=="missing-segment")]|length==1' "$TMP/out" >/dev/null
	else
		check "$v problem at $f+$off" jq -e -s --arg f "$f" --argjson o "$off" '[.[]|select(.problem and .problem.file==$f and .problem.offset==$o)]|length==1' "$TMP/out" >/dev/null
	fi
	check "$v problem says what to do" jq -e -s '[.[]|select(.problem)]|all(.problem.advice|length > 20)' "$TMP/out" >/dev/null
	check "$v entries still listed" jq -e -s '[.[]|select(.index)]|length > 400' "$TMP/out" >/dev/null
	expect_exit 1 "$v stat exit 1" "$EA" wal stat -w json "$FIXTURES/corrupt/$v.tar.gz"
	check "$v stat lists the problem" jq -e '.problems|length >= 1' "$TMP/out" >/dev/null
done

# the same data as a directory and as an archive reads the same
mkdir -p "$TMP/x" && tar -C "$TMP/x" -xzf "$H/n1.tar.gz"
"$EA" wal ls -w json "$TMP/x" >"$TMP/dir.json"
"$EA" wal ls -w json "$H/n1.tar.gz" >"$TMP/tar.json"
check "dir == archive" cmp -s "$TMP/dir.json" "$TMP/tar.json"
# other archive formats libarchive reads: .tar.zst, .tar.xz, plain .tar
if command -v zstd >/dev/null; then
	tar -C "$TMP/x" --zstd -cf "$TMP/n1.tar.zst" n1
	"$EA" wal ls -w json "$TMP/n1.tar.zst" >"$TMP/zst.json"
	check "tar.zst == tar.gz" cmp -s "$TMP/zst.json" "$TMP/tar.json"
fi
tar -C "$TMP/x" -cf "$TMP/n1.tar" n1
"$EA" wal ls -w json "$TMP/n1.tar" >"$TMP/plain.json"
check "tar == tar.gz" cmp -s "$TMP/plain.json" "$TMP/tar.json"
# a tarball renamed by a ticket system is recognised by its bytes
cp "$H/n1.tar.gz" "$TMP/attachment.bin"
expect_exit 0 "archive by magic bytes" "$EA" wal stat "$TMP/attachment.bin"
# the wal/ dir and a single segment are accepted too
expect_exit 0 "wal dir as PATH" "$EA" wal stat "$TMP/x/n1/member/wal"
seg=$(ls "$TMP/x/n1/member/wal" | head -n 1)
expect_exit 0 "single segment as PATH" "$EA" wal stat "$TMP/x/n1/member/wal/$seg"

finish
