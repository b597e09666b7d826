#!/usr/bin/env python3
"""report_dom.py FILE.html: what the DOM of an `etcd-autopsy report` holds, as JSON.

Parsed with the standard library's html.parser (no third-party modules), so the same
summary works on the file as written and on Chromium's --dump-dom of it. The test
(test_report.sh) asserts on this JSON with jq."""
import json
import re
import sys
from html.parser import HTMLParser

RESOURCE_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset", "background"}
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]+)", re.I)


class Report(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []          # open elements
        self.ids = []
        self.scripts = 0
        self.script_src = 0
        self.external = []       # resource references that leave the file
        self.forbidden = []      # elements that load something (link, img, iframe, ...)
        self.lanes = []          # data-node of <g class="lane"> in the SVG
        self.svg_count = 0
        self.axis = None
        self.findings = []       # {kind, severity, index, nodes, text}
        self.terms = {}          # term -> {leader, failed}
        self.svg_terms = {}      # term -> leader (cluster lane of the SVG)
        self.svg_marks = {}      # data-event / class counts in the SVG
        self.nodes = []          # data-name of the nodes table rows
        self.queries = []
        self.capture = []        # (key, [text]) being collected
        self.verdict = None
        self.verdict_attr = None
        self.export_command = None
        self.style_text = []
        self.in_style = False
        self.text_all = []

    def attr_check(self, tag, a):
        for k, v in a.items():
            if v is None:
                continue
            if k in RESOURCE_ATTRS and EXTERNAL.match(v):
                self.external.append(f"<{tag} {k}={v}>")
            if k == "style":
                for u in CSS_URL.findall(v):
                    if not u.startswith("#"):
                        self.external.append(f"<{tag} style url({u})>")

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.attr_check(tag, a)
        cls = a.get("class", "").split()
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "script":
            self.scripts += 1
            if "src" in a:
                self.script_src += 1
        if tag in ("link", "img", "iframe", "object", "embed", "audio", "video", "source", "base", "frame"):
            self.forbidden.append(tag)
        if tag == "style":
            self.in_style = True
        if tag == "svg" and a.get("id") == "timeline-svg":
            self.svg_count += 1
            self.axis = a.get("data-axis")
        if tag == "g" and "lane" in cls and "data-node" in a:
            self.lanes.append(a["data-node"])
        if tag == "g" and "term" in cls and "data-term" in a and "failed" not in cls:
            self.svg_terms[a["data-term"]] = a.get("data-leader")
        if tag == "g" and "mark" in cls:
            key = a.get("data-event") or a.get("data-kind") or "?"
            self.svg_marks[key] = self.svg_marks.get(key, 0) + 1
            for c in cls:
                if c != "mark":
                    self.svg_marks["class:" + c] = self.svg_marks.get("class:" + c, 0) + 1
        if tag == "header" and a.get("id") == "verdict":
            self.verdict_attr = a.get("data-verdict")
        if tag not in VOID:
            self.stack.append(tag)
        if a.get("id") == "verdict-name":
            self.capture.append(["verdict", [], len(self.stack)])
        if a.get("id") == "export-command":
            self.capture.append(["export", [], len(self.stack)])
        if tag == "li" and "finding" in cls:
            self.findings.append({"id": a.get("id"), "kind": a.get("data-kind"), "severity": a.get("data-severity"),
                                  "index": int(a["data-index"]) if a.get("data-index") else None, "nodes": []})
            self.capture.append(["finding", [], len(self.stack)])
        if tag == "a" and "node-link" in cls and self.findings:
            self.findings[-1]["nodes"].append(a.get("href"))
        if tag == "tr" and "term" in cls and a.get("data-term"):
            self.terms[a["data-term"]] = {"leader": a.get("data-leader"), "failed": a.get("data-failed") == "1"}
        if tag == "tr" and "node" in cls:
            self.nodes.append(a.get("data-name"))
        if tag == "li" and "query" in cls:
            self.queries.append(a.get("data-name"))

    def handle_startendtag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.attr_check(tag, a)
        if "id" in a:
            self.ids.append(a["id"])
        if tag in ("link", "img", "iframe", "embed", "source", "base"):
            self.forbidden.append(tag)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if tag in VOID or tag not in self.stack:
            return
        while self.stack and self.stack.pop() != tag:
            pass
        while self.capture and self.capture[-1][2] > len(self.stack):
            key, buf, _ = self.capture.pop()
            text = "".join(buf).strip()
            if key == "verdict":
                self.verdict = text
            elif key == "export":
                self.export_command = text
            elif key == "finding":
                self.findings[-1]["text"] = text

    def handle_data(self, data):
        if self.in_style:
            self.style_text.append(data)
        for _, buf, _d in self.capture:
            buf.append(data)
        self.text_all.append(data)


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    p = Report()
    p.feed(raw)
    p.close()
    css = "".join(p.style_text)
    for u in CSS_URL.findall(css):
        if not u.startswith("#"):
            p.external.append(f"css url({u})")
    if re.search(r"@import", css, re.I):
        p.external.append("css @import")
    out = {
        "verdict": p.verdict,
        "verdict_attr": p.verdict_attr,
        "lanes": p.lanes,
        "svg_count": p.svg_count,
        "axis": p.axis,
        "findings": p.findings,
        "finding_kinds": sorted({f["kind"] for f in p.findings}),
        "terms": p.terms,
        "svg_terms": p.svg_terms,
        "svg_marks": p.svg_marks,
        "nodes": p.nodes,
        "queries": p.queries,
        "export_command": p.export_command,
        "scripts": p.scripts,
        "script_src": p.script_src,
        "external": p.external,
        "forbidden": p.forbidden,
        "ids": sorted(set(p.ids)),
        "duplicate_ids": sorted({i for i in p.ids if p.ids.count(i) > 1}),
        "has_dark": "prefers-color-scheme:dark" in css.replace(" ", ""),
        "has_print": "@media print" in css,
        "text": "".join(p.text_all),
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
