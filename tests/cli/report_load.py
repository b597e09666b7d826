#!/usr/bin/env python3
"""report_load.py REPORT.html: the report's replay column and Kubernetes write-load section as
JSON (html.parser only), for test_report_replay.sh and test_report_k8s.sh:
{"replay": {NODE: {verdict, first_index, last_index, last_revision, first: {...}|null}},
 "k8s": null | {node, writes, cas, unknown, events, first_index, last_index, svg: {...},
                ops: {OP: [applied, failed, unknown]}, tables: {ID: [ROW attrs]},
                storm: [...], buckets: [...], storm_lanes: [...]}}"""
import json
import sys
from html.parser import HTMLParser


def data(attrs):
    return {k[5:].replace('-', '_'): v for k, v in attrs.items() if k.startswith('data-')}


class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.replay, self.k8s = {}, None
        self.node = None
        self.table = None
        self.cell = None

    def handle_starttag(self, tag, a):
        a = dict(a)
        cls = (a.get('class') or '').split()
        if tag == 'tr' and 'node' in cls and a.get('id', '').startswith('node-'):
            self.node = a.get('data-name')
        elif tag == 'td' and 'replay' in cls and self.node is not None:
            self.cell = dict(data(a), first=None)
            self.replay[self.node] = self.cell
        elif tag == 'span' and 'replay-first' in cls and self.cell is not None:
            self.cell['first'] = data(a)
        elif tag == 'section' and a.get('id') == 'k8s-load':
            self.k8s = dict(data(a), ops={}, tables={}, storm=[], buckets=[], storm_lanes=[], svg=None)
        elif self.k8s is not None:
            self.k8s_tag(tag, a, cls)

    def k8s_tag(self, tag, a, cls):
        k = self.k8s
        if tag == 'table' and a.get('id', '').startswith('k8s-'):
            self.table = a['id']
            k['tables'][self.table] = []
        elif tag == 'tr' and 'k8s-row' in cls:
            k['tables'][self.table].append(dict(data(a), by_cas='by-cas' in cls))
        elif tag == 'tr' and 'k8s-op' in cls:
            d = data(a)
            k['ops'][d['op']] = [int(d['applied']), int(d['failed']), int(d['unknown'])]
        elif tag == 'tr' and 'k8s-storm' in cls:
            k['storm'].append(data(a))
        elif tag == 'g' and 'k8s-bucket' in cls:
            k['buckets'].append({x: int(v) for x, v in data(a).items()})
        elif tag == 'g' and 'storm' in cls:
            k['storm_lanes'].append(data(a))
        elif tag == 'svg' and a.get('id') == 'k8s-load-svg':
            k['svg'] = data(a)

    def handle_endtag(self, tag):
        if tag == 'tr':
            self.node = None
            self.cell = None


p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
json.dump({'replay': p.replay, 'k8s': p.k8s}, sys.stdout, indent=1, sort_keys=True)
