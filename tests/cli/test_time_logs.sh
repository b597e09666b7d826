# test_time_logs.sh: etcd's own log (--logs) as a time anchor of its member's entries (issue 17,
# docs/time.md source etcd-log). On election-storm-3.5 (no Kubernetes values): entries without
# a time get one from the log, and every "became leader at term T" line etcd printed (the truth,
# microseconds) lies within the stated bound of term T's first entry on every member. On
# k8s-3.5 the accuracy against the generator's requests (k8s_time_check.py) still holds.
. "$(dirname "$0")/lib.sh"

S=election-storm-3.5
F=$FIXTURES/$S
N3="n1=$F/n1.tar.gz n2=$F/n2.tar.gz n3=$F/n3.tar.gz"
L="--logs n1=$F/etcd/logs/n1.log --logs n2=$F/etcd/logs/n2.log --logs n3=$F/etcd/logs/n3.log"
check "manifest: the storm changed leaders" [ -n "$(manifest $S round_terms)" ]
expect_exit 0 "export without logs" "$EA" export -q -o "$TMP/a.sqlite" $N3
expect_exit 0 "export with logs" "$EA" export -q -o "$TMP/b.sqlite" $N3 $L
grep -h 'became leader at term' "$F"/etcd/logs/n?.log >"$TMP/leaders.log"
check "etcd printed its elections" [ "$(wc -l <"$TMP/leaders.log")" -ge 3 ]
check "entries without a time get one from etcd's log; the elections etcd logged lie within the bounds" \
	python3 - "$TMP/a.sqlite" "$TMP/b.sqlite" "$TMP/leaders.log" <<'EOF'
import json, re, sqlite3, sys
from datetime import datetime, timezone
def ts(s):
    s = s.rstrip('Z'); f = 0.0
    if '.' in s: s, x = s.split('.'); f = float('0.' + x)
    return datetime.strptime(s, '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc).timestamp() + f
q = lambda p, s: sqlite3.connect(p).execute(s).fetchall()
rows = 'select node, idx, approx_time, time_source, time_error_s from entries where superseded = 0'
before = {(r[0], r[1]): r for r in q(sys.argv[1], rows)}
after = {(r[0], r[1]): r for r in q(sys.argv[2], rows)}
gained = [k for k, r in after.items() if r[2] and not before[k][2] and r[3] == 'etcd-log']
assert gained, 'no entry gained a time from etcd-log'
# every dated entry of before keeps a time
assert all(after[k][2] for k, r in before.items() if r[2]), 'a time was lost'
# the truth: the time etcd printed "<id> became leader at term T" (us) vs term T's first entry
first = {}
for node, idx, term in q(sys.argv[2], 'select node, min(idx), term from entries where superseded = 0 group by node, term'):
    first[(node, term)] = idx
checked = 0
for line in open(sys.argv[3]):
    j = json.loads(line)
    t = ts(j['ts']); term = int(re.search(r'at term (\d+)', j['msg']).group(1))
    for node in ('n1', 'n2', 'n3'):
        r = after.get((node, first.get((node, term))))
        if not r or not r[2]: continue
        assert abs(ts(r[2]) - t) <= r[4] + 1e-3, (node, term, r, j['ts'])
        checked += 1
assert checked >= 5, checked
# times never decrease with the index
for node in ('n1', 'n2', 'n3'):
    t = [r[2] for k, r in sorted(after.items()) if k[0] == node and r[2]]
    assert t == sorted(t), node
print('gained', len(gained), 'checked', checked)
EOF
expect_exit 0 "history --since/--until with logs" "$EA" history -w json --since 2026-12-05T10:51:00Z --until 2026-12-05T10:51:30Z $N3 $L

# ---- k8s-3.5 with its logs: the accuracy of test_k8s_time.sh still holds
K=$FIXTURES/k8s-3.5
CHK=$(dirname "$0")/k8s_time_check.py
expect_exit 0 "k8s export with logs" "$EA" export -q -o "$TMP/k.sqlite" n1="$K/n1.tar.gz" n2="$K/n2.tar.gz" n3="$K/n3.tar.gz" \
	--logs n1="$K/etcd/logs/n1.log" --logs n2="$K/etcd/logs/n2.log" --logs n3="$K/etcd/logs/n3.log"
check "k8s: etcd's log dates an entry" [ "$(sqlite3 "$TMP/k.sqlite" "select count(*) from entries where time_source='etcd-log'")" -ge 1 ]
val() { sed -n "s/^$1=//p" "$2"; }
for n in n1 n2 n3; do
	# the entries as wal ls -w json shapes them, for the checker
	python3 - "$TMP/k.sqlite" "$n" >"$TMP/$n.json" <<'EOF'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for idx, sup, rev, kind, app, key, at, err in c.execute('select idx, superseded, revision, kind, txn_applied, key, approx_time, time_error_s from entries where node = ? order by rowid', (sys.argv[2],)):
    print(json.dumps({'index': idx, 'superseded': bool(sup), 'revision': rev, 'kind': kind,
                      'txn': {'applied': None if app is None else bool(app)}, 'key': key or '',
                      'approx_time': at, 'time_error_s': err}))
EOF
	python3 "$CHK" "$TMP/$n.json" "$K/ops.tsv" >"$TMP/$n.facts"
	tr '\n' ' ' <"$TMP/$n.facts"; echo "($n, with logs)"
	matched=$(val matched "$TMP/$n.facts")
	check "$n with logs: every matched entry has a time" [ "$(val known "$TMP/$n.facts")" = "$matched" ]
	check "$n with logs: |approx_time - truth| <= time_error_s for >= 90 %" \
		[ $(($(val within "$TMP/$n.facts") * 100)) -ge $((matched * 90)) ]
done
finish
