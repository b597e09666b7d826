# test_replay_workload.sh: issue 16's proof on the random workloads etcd 3.5.30 and 3.4.23 ran
# (fixtures/replay-workload*, one member, ~320 operations, etcd's answers captured live) and on
# replay-restored (the same on a member restored with `etcdutl snapshot restore`: its WAL
# starts at index 1 but its db starts at revision base_revision, not empty).
# Always: `db history` of every key and `db ls --rev` equal etcd's own answers (replay_check.py
# history/ls). With the replay command: `replay -w json --all` says db-equals-wal, last
# revision = etcd's endpoint status revision, every entry's revision = the revision etcd's
# response reported for that operation (txn applied = etcd's succeeded when exposed), and a
# copy with one value byte changed in a leaf page gives db-differs at exactly that revision,
# key and page. Skips (77) only while `replay --help` fails, after the db checks passed.
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")
PYC="python3 $HERE/replay_check.py"

for fx in replay-workload replay-workload-3.4 replay-restored; do
	F=$FIXTURES/$fx
	mkdir -p "$TMP/$fx" && tar -C "$TMP/$fx" -xzf "$F/n1.tar.gz"
	N=$TMP/$fx/n1
	check "$fx: db history of every key = etcd's get --rev answers" $PYC history "$EA" "$N" "$F"
	check "$fx: db ls --rev = etcd's keyspace at that revision" $PYC ls "$EA" "$N" "$F" 25
done

if ! "$EA" replay --help >/dev/null 2>&1; then
	[ "$FAILS" = 0 ] || { finish; exit 1; }
	echo "SKIP: replay command not built ($PASSES db checks passed)"
	exit 77
fi

# replay-restored: its WAL starts at index 1 with only the bootstrap conf change before
# etcdutl's snapshot record, beside a db restored at base_revision and compacted since at
# compact_revision: the history between them is gone, so the entries that read it cannot be
# decided and the base revision cannot be proven. The engine anchors on the compaction instead:
# from the op that made compact_revision+1 on, every entry's revision is etcd's (matches-db),
# the last one is endpoint status's revision; before it no entry claims a revision number; the
# verdict stays an honest `incomplete` with the reason, with no difference claimed.
F=$FIXTURES/replay-restored
N=$TMP/replay-restored/n1
rev=$(manifest replay-restored n1.revision)
c=$(manifest replay-restored compact_revision)
expect_exit 1 "replay-restored: replay exits 1" "$EA" replay "$N" -w json --all
cp "$TMP/out" "$TMP/restored.all"
S=$(tail -n 1 "$TMP/restored.all")
check "replay-restored: verdict incomplete, not a divergence" [ "$(jq -r .summary.verdict <<<"$S")" = incomplete ]
check "replay-restored: the reason is given" jq -e '.summary.reason | length > 0' <<<"$S" >/dev/null
check "replay-restored: no db-differs / missing-in-db / db-only claimed" jq -e '.summary.counts | ((."db-differs" // 0) + (."missing-in-db" // 0) + (."db-only" // 0)) == 0' <<<"$S" >/dev/null
check "replay-restored: last_revision = endpoint status revision ($rev)" [ "$(jq -r .summary.last_revision <<<"$S")" = "$rev" ]
check "replay-restored: anchor = the db's revision $rev and compaction $c" jq -e --argjson r "$rev" --argjson c "$c" \
	'.summary.anchor.db_revision == $r and .summary.anchor.compact_revision == $c' <<<"$S" >/dev/null
check "replay-restored: revisions $((c + 1))..$rev each matches-db once" jq -e --argjson n $((rev - c)) '.summary.counts."matches-db" == $n' <<<"$S" >/dev/null
check "replay-restored: per entry revision/result = etcd's from revision $((c + 1)) on, none claimed before" \
	python3 "$HERE/replay_check_restored.py" "$TMP/restored.all" "$F"

for fx in replay-workload replay-workload-3.4; do
	F=$FIXTURES/$fx
	N=$TMP/$fx/n1
	rev=$(manifest "$fx" n1.revision)
	idx=$(manifest "$fx" n1.raft_index)
	expect_exit 0 "$fx: replay --all exit 0" "$EA" replay "$N" -w json --all
	cp "$TMP/out" "$TMP/$fx.all"
	S=$(tail -n 1 "$TMP/$fx.all")
	check "$fx: last line is the summary" jq -e 'has("summary")' <<<"$S" >/dev/null
	check "$fx: verdict db-equals-wal" [ "$(jq -r .summary.verdict <<<"$S")" = db-equals-wal ]
	check "$fx: last_revision = endpoint status revision ($rev)" [ "$(jq -r .summary.last_revision <<<"$S")" = "$rev" ]
	check "$fx: last_index = endpoint status raftIndex ($idx)" [ "$(jq -r .summary.last_index <<<"$S")" = "$idx" ]
	first=$(jq -r .summary.first_index <<<"$S")
	check "$fx: entries = first_index..raftIndex" [ "$(jq -r .summary.entries <<<"$S")" = $((idx - first + 1)) ]
	check "$fx: revisions start after base_revision (anchor)" jq -e --argjson b "$(manifest "$fx" base_revision)" \
		'(.summary.anchor // null) as $a | $a == null or $a.base_revision == $b' <<<"$S" >/dev/null
	check "$fx: no difference counted" jq -e '.summary.counts | ((."db-differs" // 0) + (."missing-in-db" // 0) + (."db-only" // 0) + (."unknown" // 0)) == 0' <<<"$S" >/dev/null
	check "$fx: differences empty" jq -e '(.summary.differences // []) | length == 0' <<<"$S" >/dev/null
	check "$fx: one line per entry + summary" [ "$(wc -l <"$TMP/$fx.all")" = $((idx - first + 2)) ]
	check "$fx: entry lines carry the contract's keys" jq -e -s '.[:-1] | all(has("index") and has("term") and has("revision") and has("kind") and has("key") and has("result") and has("detail") and has("page"))' "$TMP/$fx.all" >/dev/null
	check "$fx: per entry revision/kind/key/result = etcd's answers per operation" $PYC entries "$TMP/$fx.all" "$F"
	# without --all: only lines whose result is not matches-db (no-revision ones are --all only)
	expect_exit 0 "$fx: replay exit 0" "$EA" replay "$N" -w json
	check "$fx: default output lists no matches-db / no-revision entry" jq -e -s '.[:-1] | all(.result != "matches-db" and .result != "no-revision")' "$TMP/out" >/dev/null
	expect_exit 0 "$fx: table form exits 0" "$EA" replay "$N"
done

# one value byte changed in a leaf page: db-differs at exactly that revision, key and page.
# Target: the first plain put after the compaction with a non-empty value (from ops.jsonl).
for fx in replay-workload replay-workload-3.4; do
	F=$FIXTURES/$fx
	c=$(manifest "$fx" compact_revision)
	read -r key r ix < <(python3 - "$F/ops.jsonl" "$c" <<'EOF'
import json,sys,base64
c=int(sys.argv[2])
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o["kind"]=="put" and o["made_revision"] and o["revision"]>c and o["req"].get("value"):
        k=base64.b64decode(o["key"]).decode()
        print(k,o["revision"],o["raft_index_after"]); break
EOF
)
	check "$fx: a put to mutate exists" [ -n "$key" ]
	python3 "$HERE/replay_mutate.py" flip-value "$F/n1.tar.gz" "$TMP/$fx-flip" "$key" "$r" >"$TMP/flip.json"
	check "$fx: flip-value ran" [ -s "$TMP/flip.json" ]
	page=$(jq -r .page "$TMP/flip.json")
	expect_exit 1 "$fx: replay of the changed db exits 1" "$EA" replay "$TMP/$fx-flip/n1" -w json
	cp "$TMP/out" "$TMP/$fx.flip"
	S=$(tail -n 1 "$TMP/$fx.flip")
	check "$fx: verdict db-diverges-from-wal" [ "$(jq -r .summary.verdict <<<"$S")" = db-diverges-from-wal ]
	check "$fx: exactly one db-differs" jq -e '.summary.counts."db-differs" == 1' <<<"$S" >/dev/null
	check "$fx: db-differs at entry $ix revision $r key $key page $page" jq -e -s --argjson i "$ix" --argjson r "$r" --arg k "$key" --argjson p "$page" \
		'[.[:-1][] | select(.result == "db-differs")] | length == 1 and .[0].index == $i and .[0].revision == $r and .[0].key == $k and .[0].page == $p' "$TMP/$fx.flip" >/dev/null
	check "$fx: first difference names it" jq -e --argjson i "$ix" --argjson r "$r" --arg k "$key" \
		'.summary.differences[0] | .index == $i and .revision == $r and .key == $k and .result == "db-differs"' <<<"$S" >/dev/null
	check "$fx: nothing else differs" jq -e '.summary.counts | ((."missing-in-db" // 0) + (."db-only" // 0) + (."unknown" // 0)) == 0' <<<"$S" >/dev/null
done
finish
