#!/usr/bin/env python3
"""k8s_time_check.py: compares `wal ls -w json` time estimates of one member with the truth
of fixtures/k8s-3.5/ops.tsv (the generator's request log: every request's sent_utc and
done_utc, its outcome and etcd's response revision).

Entries are matched to requests: a write that made a revision by that revision (creates,
updates, deletes, compactor txns that succeeded); a txn whose compare failed by key and order
(the n-th failed txn on a key is the n-th failed request on it); compactions and lease grants
by order (when the counts agree). Retried requests ('error' rows) are left out.

usage: k8s_time_check.py WAL_LS_JSON OPS_TSV [report]
       k8s_time_check.py window WAL_LS_JSON OPS_TSV SINCE_ISO UNTIL_ISO WINDOW_JSON
Prints facts as key=value; exits 1 when an assertion named in the mode fails."""
import json
import sys
from collections import defaultdict
from datetime import datetime, timezone


def ts(s):
    s = s.rstrip('Z')
    frac = 0.0
    if '.' in s:
        s, f = s.split('.')
        frac = float('0.' + f)
    return datetime.strptime(s, '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc).timestamp() + frac


def load_ops(path):
    ops = []
    with open(path) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        for line in f:
            r = dict(zip(hdr, line.rstrip('\n').split('\t')))
            if r['op'] in ('phase', 'kill-leader') or r['succeeded'] == 'error':
                continue
            r['t0'], r['t1'] = ts(r['sent_utc']), ts(r['done_utc'])
            ops.append(r)
    return ops


def load_entries(path):
    out = []
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if 'index' in o and not o.get('superseded'):
                out.append(o)
    return out


def match(entries, ops):
    """[(entry, op)] for every entry that maps to exactly one request"""
    by_rev = {}
    failed = defaultdict(list)
    ordered = defaultdict(list)
    for r in ops:
        if r['succeeded'] == 'true' and r['op'] in ('create', 'update', 'delete', 'compact-txn'):
            by_rev[int(r['revision'])] = r
        elif r['succeeded'] == 'false':
            failed[r['key']].append(r)
        elif r['op'] in ('compaction', 'lease-grant'):
            ordered[r['op']].append(r)
    pairs = []
    efailed = defaultdict(list)
    eordered = defaultdict(list)
    for e in entries:
        rev = e.get('revision')
        if e['kind'] == 'txn' and rev is not None and rev in by_rev:
            pairs.append((e, by_rev[rev]))
        elif e['kind'] == 'txn' and (e.get('txn') or {}).get('applied') is False:
            k = e.get('key', '')
            if k.endswith('compact_rev_key'):
                k = 'compact_rev_key'
            efailed[k].append(e)
        elif e['kind'] in ('compaction', 'lease_grant'):
            eordered[e['kind'].replace('_', '-')].append(e)
    for k, es in efailed.items():
        if len(es) == len(failed.get(k, [])):
            pairs += list(zip(es, failed[k]))
    for k, es in eordered.items():
        if len(es) == len(ordered.get(k, [])):
            pairs += list(zip(es, ordered[k]))
    return pairs


def dist(t, r):
    """distance from t to the request's [sent, done]"""
    return 0.0 if r['t0'] <= t <= r['t1'] else min(abs(t - r['t0']), abs(t - r['t1']))


def report(entries, ops):
    pairs = match(entries, ops)
    known = [(e, r) for e, r in pairs if e.get('approx_time')]
    within = [1 for e, r in known if dist(ts(e['approx_time']), r) <= e['time_error_s'] + 1e-3]
    errs = sorted(e['time_error_s'] for e, r in known)
    miss = sorted(dist(ts(e['approx_time']), r) for e, r in known)
    print('entries=%d' % len(entries))
    print('matched=%d' % len(pairs))
    print('known=%d' % len(known))
    print('within=%d' % len(within))
    print('within_pct=%.1f' % (100.0 * len(within) / len(pairs) if pairs else 0))
    print('median_error_s=%.3f' % (errs[len(errs) // 2] if errs else -1))
    print('p90_error_s=%.3f' % (errs[len(errs) * 9 // 10] if errs else -1))
    print('median_actual_s=%.3f' % (miss[len(miss) // 2] if miss else -1))
    return pairs


def window(entries, ops, since, until, win_path):
    """--since/--until: every matched entry whose truth lies inside is listed; every one whose
    truth lies outside is not, unless its stated interval straddles a boundary"""
    s, u = ts(since), ts(until)
    listed = {e['index'] for e in load_entries(win_path)}
    bad_in = bad_out = inside = outside = 0
    for e, r in match(entries, ops):
        inside_truth = r['t0'] >= s and r['t1'] <= u
        outside_truth = r['t1'] < s or r['t0'] > u
        if e.get('approx_time'):
            t, err = ts(e['approx_time']), e['time_error_s']
            straddles = (t - err <= s <= t + err) or (t - err <= u <= t + err)
        else:
            straddles = True
        if inside_truth:
            inside += 1
            if e['index'] not in listed and not straddles:
                bad_in += 1
        elif outside_truth:
            outside += 1
            if e['index'] in listed and not straddles:
                bad_out += 1
    print('inside=%d outside=%d listed=%d missing_inside=%d extra_outside=%d' % (inside, outside, len(listed), bad_in, bad_out))
    return bad_in == 0 and bad_out == 0 and inside > 0 and outside > 0


def main():
    if sys.argv[1] == 'window':
        ok = window(load_entries(sys.argv[2]), load_ops(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
        sys.exit(0 if ok else 1)
    report(load_entries(sys.argv[1]), load_ops(sys.argv[2]))


if __name__ == '__main__':
    main()
