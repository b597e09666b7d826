#!/usr/bin/env python3
"""k8s_load_time.py OPS.tsv TXN_INDEXES WAL_LS_JSON REPORT.json: the report's write load bucketed
by estimated UTC time against the generator's truth (fixtures/k8s-3.5/ops.tsv: every request's
sent_utc/done_utc). Requests are joined to raft indexes as fixtures/README.md says (the k-th txn
entry is the k-th txn row with succeeded true/false); retried requests (a key with an earlier
'error' row: the object was built before the retry, k8s_time_check.py leaves them out too) are
left out. Prints JSON facts:
 grid_ok: the drawn buckets lie on one grid of equal spans from first_us (the last one may end
   at last_us), their index ranges increase and do not overlap;
 writes, within_1s: the joined writes that fall in a bucket, and those whose [sent, done] lies
   within 1 s of their bucket's span (metav1.Time has whole seconds);
 outside_error: those farther from it than twice the entry's stated error (wal ls -w json
   time_error_s, anchors without etcd's log: the report's bounds are the same or tighter);
 window: first_us <= the first request's done time, last_us >= the last request's sent time."""
import csv
import json
import sys
from datetime import datetime, timezone


def us(s):
    return int(round(datetime.strptime(s, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=timezone.utc).timestamp() * 1e6))


ops = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
idx = [int(x) for x in open(sys.argv[2]).read().split()]
err = {}
for line in open(sys.argv[3]):
    e = json.loads(line)
    if e.get('time_error_s') is not None:
        err[e['index']] = e['time_error_s']
rep = json.load(open(sys.argv[4]))['k8s']
txns = [o for o in ops if o['op'] in ('create', 'update', 'delete', 'compact-txn') and o['succeeded'] in ('true', 'false')]
retried, seen_err = set(), set()
for o in ops:
    if o['succeeded'] == 'error':
        seen_err.add(o['key'])
    elif o['key'] in seen_err:
        retried.add(o['seq'])
        seen_err.discard(o['key'])
first, last = int(rep['first_us']), int(rep['last_us'])
bs = sorted(rep['buckets'], key=lambda b: b['lo_us'])
width = max(b['hi_us'] - b['lo_us'] + 1 for b in bs)
grid = all((b['lo_us'] - first) % width == 0 and b['hi_us'] == min(b['lo_us'] + width - 1, last) for b in bs)
grid = grid and all(a['hi'] < b['lo'] and a['lo'] <= a['hi'] for a, b in zip(bs, bs[1:]))
n = within = 0
outside = []
for o, i in zip(txns, idx):
    if o['seq'] in retried or o['op'] == 'compact-txn' or not o['key'].startswith('/registry/'):
        continue
    b = next((b for b in bs if b['lo'] <= i <= b['hi']), None)
    if b is None:
        continue
    n += 1
    dist = max(0, b['lo_us'] - us(o['done_utc']), us(o['sent_utc']) - b['hi_us'])
    within += dist <= 1000000
    if dist > 2 * err.get(i, 0) * 1e6 + 1000:
        outside.append({'index': i, 'seq': o['seq'], 'off_s': dist / 1e6})
t0 = min(us(o['done_utc']) for o in txns)
t1 = max(us(o['sent_utc']) for o in txns)
json.dump({'grid_ok': grid, 'width_us': width, 'buckets': len(bs), 'writes': n, 'within_1s': within,
           'outside_error': outside, 'window_ok': first <= t0 and last >= t1, 'retried_left_out': len(retried)},
          sys.stdout)
