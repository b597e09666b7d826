#!/usr/bin/env python3
"""k8s_truth.py OPS.tsv TXN_INDEXES REPORT.json: the generator's truth (fixtures/k8s-3.5/ops.tsv:
every request with its outcome) next to what the report's write-load section says, as JSON
{"joined", "objects", "namespaces", "buckets", "storm", "incident"} where every list item is
{"what", "want", "got"}. TXN_INDEXES: the raft index of every committed txn entry, in WAL order;
fixtures/README.md ("Joining the WAL to ops.tsv"): the k-th txn entry is the k-th txn row of
ops.tsv with succeeded true/false, so each request gets its raft index."""
import csv
import json
import sys
from collections import Counter

ops = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
idx = [int(x) for x in open(sys.argv[2]).read().split()]
rep = json.load(open(sys.argv[3]))['k8s']
txns = [o for o in ops if o['op'] in ('create', 'update', 'delete', 'compact-txn') and o['succeeded'] in ('true', 'false')]
out = {'joined': {'txn_rows': len(txns), 'txn_entries': len(idx)}}
for o, i in zip(txns, idx):
    o['index'] = i
writes = [o for o in txns if o['op'] != 'compact-txn' and o['key'].startswith('/registry/')]


def tally(key):
    c = Counter()
    for o in writes:
        k = key(o)
        c[k, 'w' if o['succeeded'] == 'true' else 'c'] += 1
        if o['succeeded'] == 'true' and o['resource'] == 'events':
            c[k, 'e'] += 1
    return c


def rows(table, key, fields):
    c = tally(key)
    res = []
    for r in rep['tables'][table]:
        k = r[fields]
        want = [c[k, 'w'], c[k, 'c']] + ([c[k, 'e']] if table == 'k8s-namespaces' else [])
        got = [int(r['writes']), int(r['cas'])] + ([int(r['events'])] if table == 'k8s-namespaces' else [])
        res.append({'what': k, 'want': want, 'got': got})
    return res


out['objects'] = rows('k8s-objects', lambda o: o['key'], 'key')
out['namespaces'] = rows('k8s-namespaces', lambda o: o['namespace'], 'ns')


def in_bucket(o, b):
    return b['lo'] <= o['index'] <= b['hi']


out['buckets'] = []
for b in rep['buckets']:
    inb = [o for o in writes if in_bucket(o, b)]
    want = [sum(o['succeeded'] == 'true' for o in inb), sum(o['succeeded'] == 'false' for o in inb),
            sum(o['succeeded'] == 'true' and o['resource'] == 'events' for o in inb)]
    out['buckets'].append({'what': '%d..%d' % (b['lo'], b['hi']), 'want': want, 'got': [b['writes'], b['cas'], b['events']]})
# buckets without a bar hold no write at all
drawn = [(b['lo'], b['hi']) for b in rep['buckets']]
out['undrawn_writes'] = sum(1 for o in writes if not any(lo <= o['index'] <= hi for lo, hi in drawn))
out['storm'] = []
for s in rep['storm']:
    ev = [o for o in writes if o['succeeded'] == 'true' and o['resource'] == 'events' and o['namespace'] == s['ns']]
    peak = [o for o in ev if int(s['peak_lo']) <= o['index'] <= int(s['peak_hi'])]
    out['storm'].append({'what': s['ns'], 'want': [len(ev), len(peak)], 'got': [int(s['events']), int(s['peak'])]})
# the incident window (phase markers of ops.tsv) as raft indexes: its first and last txn entry
phase = {o['name']: o['sent_utc'] for o in ops if o['op'] == 'phase'}
inc = [o['index'] for o in txns if phase['incident'] <= o['sent_utc'] < phase['tail']]
out['incident'] = [min(inc), max(inc)]
json.dump(out, sys.stdout, indent=1)
