# test_trust_diff.sh: diff verdicts on mutated copies of real members (issue 13 items 1 and 2).
# Mutations are made by member_edit.py (an independent bbolt/WAL reader), facts come from the
# manifests and from how the mutation was built, never from this tool's output.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
ED="python3 $(dirname "$0")/member_edit.py"
FB=$FIXTURES/follower-behind
WALF=member/wal/0000000000000000-0000000000000000.wal
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }   # has TEXT PART
finding() { # finding FILE KIND SEVERITY: the detail of the first such finding (empty if none)
	jq -r --arg k "$2" --arg s "$3" '[.findings[]|select(.kind==$k and .severity==$s)][0].detail // empty' "$1"
}

# ---- item 1: consistent index = commit + 1 with the entry in the WAL (a crash) is normal ----
# The stopped follower as a SIGKILL leaves it: the HardState that advanced the commit to its
# consistent index was never flushed. Its WAL is cut (zeroed, a clean end of log) right after the
# entry at the db's consistent index, so the last HardState kept has commit = consistent index - 1.
stopped=$(manifest follower-behind stopped_early_member)
mkdir -p "$TMP/crash"
tar -xzf "$FB/$stopped.tar.gz" -C "$TMP/crash"
ci=$($ED ci "$TMP/crash/$stopped/member/snap/db")
commit=$($ED wal-cut "$TMP/crash/$stopped/$WALF" "$ci")
check "crash copy: last HardState commit = consistent index - 1 ($commit, $ci)" [ "$commit" = $((ci - 1)) ]
others=()
for n in $(manifest follower-behind members | tr ',' ' '); do
	[ "$n" = "$stopped" ] || others+=("$n=$FB/$n.tar.gz")
done
"$EA" diff -w json "$stopped=$TMP/crash/$stopped" "${others[@]}" >"$TMP/crash.json" 2>/dev/null
check "crash: verdict lagging" [ "$(jq -r .verdict "$TMP/crash.json")" = lagging ]
check "crash: no critical finding" jq -e '[.findings[]|select(.severity=="critical")]|length==0' "$TMP/crash.json" >/dev/null
check "crash: applied-ahead-of-wal is info at the consistent index" \
	jq -e --argjson ci "$ci" --arg n "$stopped" '[.findings[]|select(.kind=="applied-ahead-of-wal" and .severity=="info" and .index==$ci and .nodes==[$n])]|length==1' "$TMP/crash.json" >/dev/null
check "crash: the reason is stated" has "$(finding "$TMP/crash.json" applied-ahead-of-wal info)" "normal after a crash"
check "crash: lagging names the stopped member" \
	jq -e --arg n "$stopped" '[.findings[]|select(.kind=="lagging" and .nodes==[$n])]|length==1' "$TMP/crash.json" >/dev/null

# consistent index beyond the last entry of an undamaged WAL: lost WAL writes, critical
mkdir -p "$TMP/lost"
tar -xzf "$FB/$stopped.tar.gz" -C "$TMP/lost"
last=$(manifest follower-behind "$stopped.raft_index")   # = its last WAL entry (fixtures/README.md)
$ED set-ci "$TMP/lost/$stopped/member/snap/db" $((last + 1))
"$EA" diff -w json "$stopped=$TMP/lost/$stopped" "${others[@]}" >"$TMP/lost.json" 2>/dev/null
check "lost: verdict state-divergence" [ "$(jq -r .verdict "$TMP/lost.json")" = state-divergence ]
check "lost: applied-ahead-of-wal critical at last+1" \
	jq -e --argjson i $((last + 1)) '[.findings[]|select(.kind=="applied-ahead-of-wal" and .severity=="critical" and .index==$i)]|length==1' "$TMP/lost.json" >/dev/null
check "lost: the stopped member is not recommended" [ "$(jq -r .recommended_source "$TMP/lost.json")" != "$stopped" ]

# consistent index beyond a WAL whose tail is torn: the damage explains it (info, not critical)
"$EA" diff -w json t=$FIXTURES/corrupt/torn-tail.tar.gz n2=$FIXTURES/healthy/n2.tar.gz >"$TMP/torn.json" 2>/dev/null
check "torn: no critical applied-ahead-of-wal" jq -e '[.findings[]|select(.kind=="applied-ahead-of-wal" and .severity=="critical")]|length==0' "$TMP/torn.json" >/dev/null
check "torn: applied-ahead-of-wal info names the damage" \
	has "$(finding "$TMP/torn.json" applied-ahead-of-wal info)" "WAL is damaged where it ends (torn-tail"
check "torn: verdict is not state-divergence" [ "$(jq -r .verdict "$TMP/torn.json")" != state-divergence ]

# damage elsewhere (corrupt/bitflip: one record in an earlier segment) excuses nothing: its
# consistent index set beyond its last entry (healthy n1's raft_index) is critical
mkdir -p "$TMP/bf"
tar -xzf "$FIXTURES/corrupt/bitflip.tar.gz" -C "$TMP/bf"
last=$(manifest healthy n1.raft_index)
$ED set-ci "$TMP/bf/n1/member/snap/db" $((last + 1))
"$EA" diff -w json bf="$TMP/bf/n1" n2=$FIXTURES/healthy/n2.tar.gz n3=$FIXTURES/healthy/n3.tar.gz >"$TMP/bf.json" 2>/dev/null
check "bitflip: applied-ahead-of-wal critical at last+1" \
	jq -e --argjson i $((last + 1)) '[.findings[]|select(.kind=="applied-ahead-of-wal" and .severity=="critical" and .index==$i)]|length==1' "$TMP/bf.json" >/dev/null
check "bitflip: verdict state-divergence" [ "$(jq -r .verdict "$TMP/bf.json")" = state-divergence ]

# ---- item 2: kv-hash-mismatch names the changed key, also at or below the compaction ----
# follower-behind was compacted (manifest: hashkv_compact_revision); the revision changed is a
# put at or below the compaction that is its key's last version, so HashKV at every later
# revision still hashes it (etcd's keep set). One value byte changes in place (same length).
compact=$(manifest follower-behind n1.hashkv_compact_revision)
odd=n3; [ "$stopped" = n3 ] && odd=n1
mkdir -p "$TMP/kv"
tar -xzf "$FB/$odd.tar.gz" -C "$TMP/kv"
db=$TMP/kv/$odd/member/snap/db
check "kv: the db's compaction is etcd's ($compact)" [ "$($ED compact "$db")" = "$compact" ]
$ED kept "$db" >"$TMP/kept"
check "kv: revisions kept at or below the compaction" [ "$(wc -l <"$TMP/kept")" -ge 3 ]
read -r rev _sub key < <(sed -n "$(( ($(wc -l <"$TMP/kept") + 1) / 2 ))p" "$TMP/kept")
check "kv: the chosen revision $rev is at or below the compaction" [ "$rev" -le "$compact" ]
check "kv: flip-value changed $key" [ "$($ED flip-value "$db" "$rev")" = "$key" ]
all=()
for n in $(manifest follower-behind members | tr ',' ' '); do
	if [ "$n" = "$odd" ]; then all+=("$n=$TMP/kv/$n"); else all+=("$n=$FB/$n.tar.gz"); fi
done
"$EA" diff -w json "${all[@]}" >"$TMP/kv.json" 2>/dev/null
check "kv: verdict state-divergence" [ "$(jq -r .verdict "$TMP/kv.json")" = state-divergence ]
check "kv: kv-hash-mismatch at the changed revision $rev" \
	jq -e --argjson r "$rev" '[.findings[]|select(.kind=="kv-hash-mismatch" and .revision==$r)]|length==1' "$TMP/kv.json" >/dev/null
detail=$(finding "$TMP/kv.json" kv-hash-mismatch critical)
check "kv: the finding names revision $rev and key $key" has "$detail" "first differing revision $rev: key \"$key\""
crcs=$(grep -o 'crc32c [0-9a-f]*' <<<"$detail" | sort -u | wc -l)
check "kv: the two CRCs printed differ" [ "$crcs" = 2 ]

# a key with a NUL byte in it: printed escaped and whole, not cut at the NUL
mkdir -p "$TMP/nul"
tar -xzf "$FB/$odd.tar.gz" -C "$TMP/nul"
esc=$($ED nul-key "$TMP/nul/$odd/member/snap/db" "$rev")
all=()
for n in $(manifest follower-behind members | tr ',' ' '); do
	if [ "$n" = "$odd" ]; then all+=("$n=$TMP/nul/$n"); else all+=("$n=$FB/$n.tar.gz"); fi
done
"$EA" diff -w json "${all[@]}" >"$TMP/nul.json" 2>/dev/null
detail=$(finding "$TMP/nul.json" kv-hash-mismatch critical)
check "nul: the key with a NUL is printed whole ($esc)" has "$detail" "\"$esc\" on $odd vs \"$key\" on"
check "nul: at the changed revision $rev" \
	jq -e --argjson r "$rev" '[.findings[]|select(.kind=="kv-hash-mismatch" and .revision==$r)]|length==1' "$TMP/nul.json" >/dev/null

finish
