# test_trust_wal_ls.sh: `wal ls` answers that do not depend on how it is asked (issue 13,
# items 8 and 9): proposer names whatever --from says, and filters that cannot match are
# usage errors (exit 2) that say why. Facts from fixtures/*/manifest.txt.
. "$(dirname "$0")/lib.sh"

# --- item 8: proposers are named by member ID wherever the listing starts ---------------
for sc in election-storm isolated-leader; do
	ids=" $(for n in n1 n2 n3; do manifest $sc $n.member_id; done | tr '\n' ' ')"
	last=$(manifest $sc n1.raft_index)
	for from in 1 4 10 $((last - 5)); do
		"$EA" wal ls -w json --from "$from" "$FIXTURES/$sc/n1.tar.gz" >"$TMP/ls.json" 2>/dev/null
		check "$sc --from $from: exit 0" [ $? = 0 ]
		check "$sc --from $from: lists entries" [ "$(jq -s 'length' "$TMP/ls.json")" -gt 0 ]
		# every request ID's proposer is one of the cluster's members (etcd's member IDs)
		bad=$(jq -r 'select(.proposer != null) | .proposer' "$TMP/ls.json" | sort -u |
		      while read -r p; do case "$ids" in *" $p "*) ;; *) echo "$p";; esac; done)
		check "$sc --from $from: every proposer is a member ID (got: $bad)" [ -z "$bad" ]
		check "$sc --from $from: some entries carry a proposer" \
			[ "$(jq -s '[.[] | select(.proposer != null)] | length' "$TMP/ls.json")" -gt 0 ]
	done
done

# --- item 9: filters that cannot match are refused, with the reason ------------------------
F=$FIXTURES/election-storm/n1.tar.gz
expect_exit 2 "wal ls --kind bogus" "$EA" wal ls --kind bogus "$F"
check "--kind bogus names the valid kinds" grep -q "put" "$TMP/err"
check "--kind bogus names confchange kinds" grep -q "confchange:add" "$TMP/err"
check "--kind bogus prints no table" [ ! -s "$TMP/out" ]
expect_exit 2 "wal ls --from 50 --to 10" "$EA" wal ls --from 50 --to 10 "$F"
check "--from above --to says so" grep -q -- "--from 50.*--to 10\|--to 10.*--from 50" "$TMP/err"
expect_exit 2 "wal ls --records --kind put" "$EA" wal ls --records --kind put "$F"
expect_exit 2 "wal stat --from 3 (no filter in stat)" "$EA" wal stat --from 3 "$F"
expect_exit 2 "wal stat --kind put" "$EA" wal stat --kind put "$F"
expect_exit 2 "wal stat --records" "$EA" wal stat --records "$F"
# valid filters still work: known kinds, v2 kinds, equal bounds
expect_exit 0 "wal ls --kind put" "$EA" wal ls --kind put "$F"
check "--kind put lists puts only" [ "$(grep -c ' put ' "$TMP/out")" -gt 0 ]
expect_exit 0 "wal ls --kind v2:PUT (any v2 method)" "$EA" wal ls --kind v2:PUT "$F"
expect_exit 0 "wal ls --from 10 --to 10" "$EA" wal ls --from 10 --to 10 -w json "$F"
check "--from 10 --to 10: one entry" [ "$(jq -s 'length' "$TMP/out")" = 1 ]
# a range beyond the log is not an error, but stderr says nothing matched
last=$(manifest election-storm n1.raft_index)
expect_exit 0 "wal ls --from beyond the log" "$EA" wal ls --from $((last + 100)) "$F"
check "--from beyond the log: says no entry matched" grep -qi "no entr" "$TMP/err"

# db: options that do not apply to the verb are refused, as are bad values
expect_exit 2 "db stat --rev" "$EA" db stat --rev 20 "$F"
expect_exit 2 "db check --rev" "$EA" db check --rev 20 "$F"
expect_exit 2 "db history --rev" "$EA" db history --rev 20 "$F" /storm/pre/k1
expect_exit 2 "db pages --rev" "$EA" db pages --rev 20 "$F"
expect_exit 2 "db check --page" "$EA" db check --page 3 "$F"
expect_exit 2 "db ls --page" "$EA" db ls --page 3 "$F"
expect_exit 2 "db ls --tombstone-rule" "$EA" db ls --tombstone-rule skip "$F"
expect_exit 2 "db ls --rev beyond the current revision" "$EA" db ls --rev $(( $(manifest election-storm n1.revision) + 1 )) "$F"
expect_exit 2 "db ls --rev below the compaction" "$EA" db ls --rev 1 "$F"
expect_exit 2 "db pages --page beyond the file" "$EA" db pages --page 100000 "$F"
expect_exit 0 "db ls --prefix matching nothing" "$EA" db ls --prefix /no/such/prefix/ "$F"
check "db ls --prefix matching nothing: says so on stderr" grep -q "no live key" "$TMP/err"
expect_exit 0 "db ls --rev current" "$EA" db ls --rev "$(manifest election-storm n1.revision)" "$F"
expect_exit 0 "db hash --rev (as etcd's hashkv --rev)" "$EA" db hash -w json --rev "$(manifest election-storm n1.hashkv_rev)" "$F"
check "db hash --rev equals etcd's hashkv" [ "$(jq -r .hash "$TMP/out")" = "$(manifest election-storm n1.hashkv_at_rev)" ]

# snap ls and the node commands have no filters; bad -w is refused everywhere
for c in "wal ls" "wal stat" "db stat" "snap ls" "history" "diff" "verify"; do
	expect_exit 2 "$c -w yaml" "$EA" $c -w yaml "$F"
done
finish
