# test_db_stat_live_keys.sh: db stat counts live keys without the key index (keycount.c): the
# count equals etcd's own (the k8s-3.5 fixture: `etcdctl get /registry --prefix --keys-only`
# gave keys.registry_total, plus Kubernetes' compact_rev_key outside /registry, whose value the
# manifest records), on every member, in both output forms; and equals the live keys `db ls`
# lists through the index (the other code path) on the other fixtures.
. "$(dirname "$0")/lib.sh"

K=$FIXTURES/k8s-3.5
want=$(( $(manifest k8s-3.5 keys.registry_total) + 1 ))
check "manifest has compact_rev_key" [ -n "$(manifest k8s-3.5 compact_rev_key.value)" ]
for n in n1 n2 n3; do
	expect_exit 0 "k8s-3.5/$n db stat -w json" "$EA" db stat -w json "$K/$n.tar.gz"
	check "k8s-3.5/$n live_keys = etcd's $want" [ "$(jq -r .live_keys "$TMP/out")" = "$want" ]
	expect_exit 0 "k8s-3.5/$n db stat" "$EA" db stat "$K/$n.tar.gz"
	check "k8s-3.5/$n table: $want live" grep -q "^keys  *$want live," "$TMP/out"
done

for f in healthy/n1.tar.gz replay-workload/n1.tar.gz stale-db/n1.tar.gz k8s-3.5/n1-at-kill.tar.gz; do
	[ -e "$FIXTURES/$f" ] || continue
	expect_exit 0 "$f db stat" "$EA" db stat -w json "$FIXTURES/$f"
	live=$(jq -r .live_keys "$TMP/out")
	"$EA" db ls -w json "$FIXTURES/$f" >"$TMP/ls" 2>/dev/null
	check "$f live_keys = db ls keys ($live)" [ "$(jq -s 'length' "$TMP/ls")" = "$live" ]
done
finish
