#!/usr/bin/env bash
# test_k8s_space.sh: `db space --k8s` on fixtures/k8s-3.5: the Kubernetes groups (API group,
# resource, namespace) sum to the bytes in use as for the prefix tree (test_db_space.sh), agree
# with an independent reading of the same bbolt files (bolt_space.py), and their live keys are
# the keys etcd listed per resource and namespace (manifest keys.*, keys_ns.*: etcdctl get
# /registry --prefix, counted by key layout: minions = nodes, services:specs = services,
# services:endpoints = endpoints, group:plural for group-qualified keys).
. "$(dirname "$0")/lib.sh"
PY="$(dirname "$0")/bolt_space.py"
S=k8s-3.5
F=$FIXTURES/$S
jqv() { jq -r "$1" "$2"; }

for n in n1 n2 n3; do
	j=$TMP/$n.json
	expect_exit 0 "$n: db space --k8s" "$EA" db space --k8s -w json "$F/$n.tar.gz"
	cp "$TMP/out" "$j"
	mkdir -p "$TMP/$n" && tar -xzf "$F/$n.tar.gz" -C "$TMP/$n"
	db="$TMP/$n/$n/member/snap/db"
	rule=$(jqv '.compaction.rule' "$j"); [ "$rule" = classic ] || rule=skip
	python3 "$PY" "$db" 4 "$rule" >"$TMP/o.json" || fail "$n: bolt_space.py"
	o="$TMP/o.json"
	check "$n: in use = pages reachable from the root (+ meta, freelist)" \
		[ "$(jqv .in_use_bytes "$j")" = "$(jq -r '.in_use_pages*.page_size' "$o")" ]
	check "$n: groups + overhead = in use" [ "$(jqv '([.groups[]|.live.page_bytes+.history.page_bytes]|add)
		+ .key_unattributed_bytes + (.pages_by_owner|.key_branch+.other_buckets+.meta+.freelist+.unreachable+.missing)*.page_size' "$j")" \
		= "$(jqv .in_use_bytes "$j")" ]
	check "$n: groups' live + history bytes = the key bucket's" \
		[ "$(jqv '[.groups[]|.live.bytes+.history.bytes]|add' "$j")" = "$(jq -r '.live_bytes+.history_bytes' "$o")" ]
	# each Kubernetes group is one prefix group of the oracle at depth 4 (the key up to the
	# namespace, or the resource when cluster-scoped), with the same keys, revisions and bytes
	check "$n: Kubernetes groups = the oracle's prefix groups" [ "$(jq -cS '[.groups[]|{key: .prefix, value: [.keys, .live_keys,
		.history.revisions, .live.bytes, .history.bytes]}]|from_entries' "$j")" = "$(jq -cS .groups "$o")" ]
	check "$n: every /registry group is a Kubernetes one" \
		[ "$(jq '[.groups[]|select((.prefix // "")|startswith("/registry/"))|select(.k8s == null)]|length' "$j")" = 0 ]
	# live keys per key layout and namespace = etcd's
	jq -r '.groups[]|select(.k8s)|.k8s as $k|
		(if ($k.group | test("\\.")) and (.prefix | startswith("/registry/" + $k.group + "/")) then $k.group + ":" + $k.resource
		 elif $k.resource == "nodes" then "minions" elif $k.resource == "services" then "services:specs"
		 elif $k.resource == "endpoints" then "services:endpoints" else $k.resource end) as $l|
		select(.live_keys > 0)|"\($l)|\($k.namespace // "")|\(.live_keys)"' "$j" >"$TMP/got"
	check "$n: live keys per resource and namespace = manifest keys.*, keys_ns.*" python3 "$(dirname "$0")/k8s_key_counts.py" "$TMP/got" "$F/manifest.txt"
done

# the table names groups as resource[.group] and namespace
expect_exit 0 "db space --k8s table" "$EA" db space --k8s "$F/n2.tar.gz"
check "table: deployments.apps payments" grep -q ' deployments\.apps payments$' "$TMP/out"
check "table: nodes (cluster)" grep -q ' nodes (cluster)$' "$TMP/out"
# --k8s-prefix: another prefix leaves /registry to the prefix tree
expect_exit 0 "db space --k8s --k8s-prefix /kubernetes.io" "$EA" db space --k8s --k8s-prefix /kubernetes.io -w json "$F/n2.tar.gz"
check "--k8s-prefix /kubernetes.io: no Kubernetes group" [ "$(jq '[.groups[]|select(.k8s)]|length' "$TMP/out")" = 0 ]
# without --k8s: no "k8s" member (the output is as before)
expect_exit 0 "db space" "$EA" db space -w json "$F/n2.tar.gz"
check "without --k8s: groups have no k8s member" [ "$(jq '[.groups[]|select(has("k8s"))]|length' "$TMP/out")" = 0 ]
expect_exit 2 "db space --k8s-prefix without --k8s" "$EA" db space --k8s-prefix /registry "$F/n2.tar.gz"
expect_exit 2 "db stat --k8s" "$EA" db stat --k8s "$F/n2.tar.gz"
finish
