# test_history_cli.sh: `history` and `diff` output contracts and exit codes on real incidents.
. "$(dirname "$0")/lib.sh"

ES=$FIXTURES/election-storm
IL=$FIXTURES/isolated-leader
FB=$FIXTURES/follower-behind

expect_exit 0 "history --help" "$EA" history --help
expect_exit 0 "diff --help" "$EA" diff --help
expect_exit 2 "history no nodes" "$EA" history
expect_exit 2 "diff unreadable node" "$EA" diff "$TMP/nope"

# history --terms -w json: one object per term with the contract's keys
expect_exit 0 "storm terms" "$EA" history --terms -w json "$ES/n1.tar.gz" "$ES/n2.tar.gz" "$ES/n3.tar.gz"
cp "$TMP/out" "$TMP/terms.json"
check "terms keys" jq -e -s 'all(.[]; has("term") and has("leader") and has("first_index") and has("last_index") and has("entries") and has("votes") and has("failed_election"))' "$TMP/terms.json" >/dev/null
want=$(manifest election-storm leader_terms | tr ',' '\n' | sort -n | tr '\n' ' ')
got=$(jq -r 'select(.leader)|"\(.term):\(.leader)"' "$TMP/terms.json" | grep -v '^1:' | sort -n | tr '\n' ' ')
check "leaders per term = etcd's log ($want)" [ "$got" = "$want" ]
want=$(manifest election-storm failed_election_terms | tr ',' ' ')
got=$(jq -r 'select(.failed_election)|.term' "$TMP/terms.json" | tr '\n' ' ' | sed 's/ $//')
check "failed elections = etcd's log" [ "$got" = "$want" ]

# history -w json: events with the contract's keys, names from NAME=PATH
expect_exit 0 "history events" "$EA" history -w json a=$IL/n1.tar.gz b=$IL/n2.tar.gz c=$IL/n3.tar.gz
check "event keys" jq -e -s 'all(.[]; has("node") and has("event") and has("term") and has("index") and has("time") and has("time_source") and has("detail"))' "$TMP/out" >/dev/null
check "names used" jq -e -s '[.[]|select(.node=="b")]|length > 0' "$TMP/out" >/dev/null
check "superseded event" jq -e -s --argjson f "$(manifest isolated-leader isolated.uncommitted_first)" '[.[]|select(.event=="superseded" and .index==$f)]|length==1' "$TMP/out" >/dev/null
check "restart times are UTC" jq -e -s '[.[]|select(.event=="member-start")]|all(.time|test("Z$")) and length>=3' "$TMP/out" >/dev/null

# diff -w json: verdict, nodes, findings, recommended_source
iso=$(manifest isolated-leader isolated_leader)
expect_exit 1 "diff diverged exit 1" "$EA" diff -w json n1=$IL/n1.tar.gz $iso=$IL/$iso-before-restart.tar.gz n3=$IL/n3.tar.gz
check "diff keys" jq -e 'has("verdict") and has("nodes") and has("findings") and has("recommended_source") and (.nodes|all(has("name") and has("member_id") and has("last_index") and has("last_term") and has("commit") and has("consistent_index") and has("revision") and has("compact_revision") and has("hash") and has("hash_revision")))' "$TMP/out" >/dev/null
check "verdict uncommitted-divergence" [ "$(jq -r .verdict "$TMP/out")" = uncommitted-divergence ]
check "divergence index" [ "$(jq -r '.findings[0].index' "$TMP/out")" = "$(manifest isolated-leader isolated.conflict_index)" ]
check "not the isolated leader" [ "$(jq -r .recommended_source "$TMP/out")" != "$iso" ]
expect_exit 1 "lagging exit 1" "$EA" diff -w json "$FB/n1.tar.gz" "$FB/n2.tar.gz" "$FB/n3.tar.gz"
check "verdict lagging" [ "$(jq -r .verdict "$TMP/out")" = lagging ]
check "lagging node" [ "$(jq -r '.findings[0].nodes[0]' "$TMP/out")" = "$(manifest follower-behind stopped_early_member)" ]
expect_exit 0 "consistent exit 0" "$EA" diff -w json "$FIXTURES/healthy/n1.tar.gz" "$FIXTURES/healthy/n2.tar.gz" "$FIXTURES/healthy/n3.tar.gz"
check "verdict consistent" [ "$(jq -r .verdict "$TMP/out")" = consistent ]
expect_exit 0 "diff table" "$EA" diff "$FIXTURES/healthy/n1.tar.gz" "$FIXTURES/healthy/n2.tar.gz"
check "table verdict line" grep -q '^VERDICT: consistent' "$TMP/out"
finish
