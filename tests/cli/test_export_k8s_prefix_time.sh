#!/usr/bin/env bash
# test_export_k8s_prefix_time.sh: `export --k8s-prefix P` dates the entries (approx_time,
# time_source) from the Kubernetes objects under P, as `wal ls -w json --k8s-prefix P` does; it
# used to take its time anchors from keys under /registry whatever the prefix. fixtures/k8s-3.5
# keeps its objects under the manifest's k8s_prefix (/registry): with another prefix no entry
# may be dated by a Kubernetes object, with a list holding it they are again.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
S=k8s-3.5
N1=$FIXTURES/$S/n1.tar.gz
REG=$(manifest $S k8s_prefix)
check "the manifest's prefix is /registry" [ "$REG" = /registry ]

# idx, time_source and approx_time of every entry, sorted: from the export, from wal ls
ex_times() { sqlite3 -separator ' ' "$1" "SELECT idx, coalesce(time_source,'-'), coalesce(approx_time,'-') FROM entries" | sort; }
ls_times() { jq -r 'select(.index) | "\(.index) \(.time_source // "-") \(.approx_time // "-")"' "$1" | sort; }

for P in /elsewhere "/elsewhere,$REG" "$REG"; do
	tag=${P//[^a-z]/_}
	expect_exit 0 "export --k8s-prefix $P" "$EA" export -q -o "$TMP/$tag.sqlite" --k8s-prefix "$P" n1="$N1"
	expect_exit 0 "wal ls -w json --k8s-prefix $P" "$EA" wal ls -w json --k8s-prefix "$P" "$N1"
	cp "$TMP/out" "$TMP/$tag.json"
	ex_times "$TMP/$tag.sqlite" >"$TMP/$tag.ex"
	ls_times "$TMP/$tag.json" >"$TMP/$tag.ls"
	check "$P: the export has as many entries as wal ls" [ "$(wc -l <"$TMP/$tag.ex")" = "$(wc -l <"$TMP/$tag.ls")" ]
	check "$P: every entry's approx_time and time_source equal wal ls's" cmp -s "$TMP/$tag.ex" "$TMP/$tag.ls"
	k8s=$(sqlite3 "$TMP/$tag.sqlite" "SELECT count(*) FROM entries WHERE time_source LIKE 'k8s-%'")
	if [ "$P" = /elsewhere ]; then
		check "$P: no key of the fixture lies under it" [ "$(sqlite3 "$TMP/$tag.sqlite" "SELECT count(*) FROM entries WHERE CAST(key AS TEXT) LIKE '/elsewhere%'")" = 0 ]
		check "$P: no entry is dated by a Kubernetes object" [ "$k8s" = 0 ]
	else
		check "$P: entries are dated by Kubernetes objects (creates, events, lease renewals)" [ "$k8s" -gt 0 ]
	fi
done
finish
