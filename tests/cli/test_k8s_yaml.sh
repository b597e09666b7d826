# test_k8s_yaml.sh: `db get KEY --k8s -w yaml` on fixtures/k8s-3.5 (a real etcd 3.5 cluster
# written by the real Kubernetes serializers): the YAML parses (a strict reader of the block
# subset below whose every string must be a JSON-style double-quoted scalar, and PyYAML when
# installed, which must agree), equals the JSON form of the same command, and says the generator's truth
# (objects.tsv: name, namespace, kind, uid, encryption) and etcd's own get (values-registry.json:
# value bytes and revisions) for a Pod, a Lease, the encrypted Secret, a JSON custom resource and
# cluster-scoped objects. -w yaml elsewhere is a usage error.
. "$(dirname "$0")/lib.sh"

S=k8s-3.5
F=$FIXTURES/$S
[ -f "$F/manifest.txt" ] || { echo "fixture $S missing: skipping"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

mkdir -p "$TMP/n1" && tar -C "$TMP/n1" -xzf "$F/n1.tar.gz"
P=$(dirname "$(find "$TMP/n1" -path '*/member/snap/db' | head -n 1)")

cat >"$TMP/cmp.py" <<'PY'
import base64, csv, json, re, sys
jf, yf, F, key = sys.argv[1:5]

def mini_yaml(text):
    """block maps (2-space indent), `- ` lists, JSON-style double-quoted strings, bare scalars"""
    lines = [l for l in text.split("\n") if l.strip()]
    pos = [0]
    def scalar(s):
        s = s.strip()
        if s in ("{}", "[]"): return {} if s == "{}" else []
        if s.startswith('"'): return json.loads(s)      # must be a JSON string literal
        if s in ("null", "true", "false") or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", s): return json.loads(s)
        raise ValueError("not a quoted string nor a JSON scalar: " + s)
    def block(ind):
        first = lines[pos[0]]
        if first[ind:].startswith("- "): return seq(ind)
        return mapping(ind)
    def mapping(ind, out=None):
        out = {} if out is None else out
        while pos[0] < len(lines):
            l = lines[pos[0]]
            if len(l) - len(l.lstrip(" ")) != ind or l[ind:].startswith("- "): break
            m = re.match(r'("(?:[^"\\]|\\.)*"):(.*)$', l[ind:])
            if not m: raise ValueError("bad line: " + l)
            k = json.loads(m.group(1)); pos[0] += 1
            if k in out: raise ValueError("duplicate key " + k)
            out[k] = scalar(m.group(2)) if m.group(2).strip() else block(ind + 2)
        return out
    def seq(ind):
        out = []
        while pos[0] < len(lines) and lines[pos[0]][ind:].startswith("- ") and not lines[pos[0]][:ind].strip():
            rest = lines[pos[0]][ind + 2:]
            if rest.startswith('"') and re.match(r'"(?:[^"\\]|\\.)*":', rest):
                lines[pos[0]] = " " * (ind + 2) + rest; out.append(mapping(ind + 2))
            else:
                pos[0] += 1; out.append(scalar(rest))
        return out
    doc = mapping(0)
    if pos[0] != len(lines): raise ValueError("unread line: " + lines[pos[0]])
    return doc

j = json.load(open(jf))
text = open(yf, encoding="utf-8").read()
y = mini_yaml(text)             # always: the strict reader of the subset promised
try:
    import yaml
    assert yaml.safe_load(text) == y, "PyYAML reads it otherwise"
except ImportError:
    pass
assert y == j, "YAML differs from JSON"
assert list(y) == list(j), "key order differs"
for l in text.split("\n"):     # every string double-quoted, every scalar JSON-style
    m = re.match(r' *(- )?("(?:[^"\\]|\\.)*")?(:)? ?(.*)$', l)
    v = m.group(4)
    assert v == "" or v.startswith('"') or v in ("null", "true", "false", "{}", "[]") or re.fullmatch(r"-?[0-9]+", v), l
truth = [r for r in csv.DictReader(open(F + "/objects.tsv"), delimiter="\t") if r["key"] == key][-1]
k = y["k8s"]
assert k["name"] == truth["name"], (k["name"], truth["name"])
assert k["namespace"] == (truth["namespace"] or None), (k["namespace"], truth["namespace"])
assert k["encoding"] == truth["encoding"], k["encoding"]
if truth["encoding"] == "encrypted":
    assert "%s:%s" % (k["encryption"]["provider"], k["encryption"]["key"]) == truth["encryption"]
    assert k["kind"] is None and k["uid"] is None
else:
    assert k["kind"] == truth["kind"] and k["api_version"] == truth["api_version"], (k["kind"], truth["kind"])
    assert k["uid"] == truth["uid"] and k["created"] == truth["created"]
    if "k8s_text" in y and truth["encoding"] == "protobuf":   # ObjectMeta.name as field 1.1
        assert ("\n  1 {\n    1: %s\n" % json.dumps(truth["name"])) in y["k8s_text"]
kv = [e for e in json.load(open(F + "/etcd/values-registry.json"))["kvs"] if base64.b64decode(e["key"]).decode() == key]
assert kv, "key not in etcd's get"
raw = base64.b64decode(y["value_b64"]) if "value_b64" in y else y["value"].encode()
assert raw == base64.b64decode(kv[0].get("value", "")), "value bytes differ from etcd's"
for f in ("create_revision", "mod_revision", "version"):
    assert y[f] == kv[0][f], f
PY

# the keys: a Pod, a node Lease, the encrypted Secret, a cert-manager Certificate (JSON), and
# cluster-scoped objects (a Node as minions, a Namespace, a CRD in JSON)
for key in /registry/pods/payments/checkout-7d9f8c6b5-g64kg /registry/leases/kube-node-lease/node-a \
	/registry/secrets/payments/db-credentials /registry/cert-manager.io/certificates/payments/checkout-tls \
	/registry/minions/node-a /registry/namespaces/default \
	/registry/apiextensions.k8s.io/customresourcedefinitions/certificates.cert-manager.io; do
	expect_exit 0 "db get --k8s -w json $key" "$EA" db get "$P" "$key" --k8s -w json
	cp "$TMP/out" "$TMP/get.json"
	expect_exit 0 "db get --k8s -w yaml $key" "$EA" db get "$P" "$key" --k8s -w yaml
	cp "$TMP/out" "$TMP/get.yaml"
	check "db get --k8s -w yaml $key: parses, equals the JSON form and the truth" \
		python3 "$TMP/cmp.py" "$TMP/get.json" "$TMP/get.yaml" "$F" "$key"
done

# without --k8s too (no k8s_text), and an arbitrary-bytes value keeps its _b64 companion
K=/registry/leases/kube-node-lease/node-a
"$EA" db get "$P" "$K" -w json >"$TMP/plain.json" 2>/dev/null
"$EA" db get "$P" "$K" -w yaml >"$TMP/plain.yaml" 2>/dev/null
check "db get -w yaml (no --k8s): parses and equals the JSON form" python3 "$TMP/cmp.py" "$TMP/plain.json" "$TMP/plain.yaml" "$F" "$K"
check "db get -w yaml: the protobuf value's exact bytes as value_b64" grep -q '^"value_b64": "' "$TMP/plain.yaml"

# -w yaml is db get's alone
expect_exit 2 "db ls -w yaml" "$EA" db ls "$P" -w yaml
check "db ls -w yaml: unknown output format" grep -q "unknown output format 'yaml'" "$TMP/err"
check "db ls -w yaml: nothing on stdout" [ ! -s "$TMP/out" ]
expect_exit 2 "wal ls -w yaml" "$EA" wal ls "$P" -w yaml
check "wal ls -w yaml: unknown output format" grep -q "unknown output format 'yaml'" "$TMP/err"
expect_exit 2 "db get -w xml" "$EA" db get "$P" "$K" -w xml
finish
