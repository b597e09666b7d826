# test_dump_logs.sh: `wal ls` decodes every entry at least as fully as etcd's own
# etcd-dump-logs. Fixture: the WAL etcd-dump-logs' test builds (fixtures/dump-logs, made by
# etcd's wal package); facts: the output etcd-dump-logs prints for it
# (fixtures/dump-logs/etcd/listAll.output, verbatim from etcd v3.4.23). Every field of every
# entry there must be found in `wal ls -w json` (a field with no rule below fails).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

D=$FIXTURES/dump-logs
EXP=$D/etcd/listAll.output

expect_exit 0 "test-wal: nothing committed, nothing etcd would apply: exit 0" "$EA" wal ls -w json "$D/test-wal.tar.gz"
cp "$TMP/out" "$TMP/ls.json"
check "test-wal: no problem line" [ "$(grep -c '"problem"' "$TMP/ls.json")" = 0 ]
check "entries = etcd-dump-logs lastIndex" [ "$(jq -s 'map(select(.index)) | length' "$TMP/ls.json")" = "$(sed -n 's/^lastIndex=//p' "$EXP")" ]
check "entries = manifest" [ "$(jq -s 'map(select(.index)) | length' "$TMP/ls.json")" = "$(manifest dump-logs entries)" ]

# Every entry line of etcd-dump-logs' output against our JSON line of the same index.
python3 - "$EXP" "$TMP/ls.json" >"$TMP/facts" <<'PYEOF'
import ast, json, re, subprocess, sys

exp_path, ls_path = sys.argv[1], sys.argv[2]
ours = {}
for line in open(ls_path):
    o = json.loads(line)
    if "index" in o:
        ours[o["index"]] = (o, line)

def res(ok, what):
    print(("OK " if ok else "FAIL ") + what)

# --- Go's proto text format (InternalRaftRequest.String()) ---
TOK = re.compile(r'\s*(?:(?P<s>"(?:[^"\\]|\\.)*")|(?P<p>[:<>])|(?P<w>[A-Za-z0-9_.\-]+))')
def tokens(t):
    pos, out = 0, []
    while pos < len(t):
        m = TOK.match(t, pos)
        if not m or m.end() == pos:
            if t[pos:].strip() == "": break
            raise ValueError("cannot tokenise: " + t[pos:])
        pos = m.end()
        if m.group("s"): out.append(("s", ast.literal_eval(m.group("s"))))
        elif m.group("p"): out.append(("p", m.group("p")))
        else: out.append(("w", m.group("w")))
    return out
def parse(toks, i=0, end=None):
    fields = []
    while i < len(toks) and toks[i] != ("p", ">"):
        name = toks[i][1]; assert toks[i + 1] == ("p", ":"), toks[i:i + 2]
        if toks[i + 2] == ("p", "<"):
            sub, i = parse(toks, i + 3)
            fields.append((name, sub)); i += 1
        else:
            fields.append((name, toks[i + 2][1])); i += 3
    return fields, i

def has(d, s): return s in (d.get("detail") or "")
def hexid(v): return "%x" % int(v)
def op_text(op):
    (kind, body), = op
    b = dict(body)
    name = {"request_put": "put", "request_range": "range", "request_delete_range": "delete_range"}[kind]
    t = name + " " + b.get("key", "")
    if kind != "request_put" and "range_end" in b: t += ".." + b["range_end"]
    return t
def branch(name, ops): return name + "=[" + ", ".join(op_text(o) for o in ops) + "]"

CONF = {"ConfChangeAddNode": "add", "ConfChangeRemoveNode": "remove", "ConfChangeUpdateNode": "update",
        "ConfChangeAddLearnerNode": "add_learner"}

# rules: (request, field) -> check(json, value, line)
def detail_eq(fmt):
    return lambda o, v, l: has(o, fmt.format(v=v))
def key(o, v, l): return o.get("key") == v
def range_end(o, v, l): return o.get("range_end") == v
def user(o, v, l): return has(o, "user=" + v)
def role(o, v, l): return has(o, "role=" + v)
def redacted(o, v, l): return ("=" + v) not in l and ("<redacted>") in (o.get("detail") or "")
def flag(name): return lambda o, v, l: v == "true" and re.search(r"(^| )" + name + r"($| )", o.get("detail") or "") is not None
RULES = {
    ("range", "key"): key, ("range", "range_end"): range_end,
    ("range", "limit"): detail_eq("limit={v}"), ("range", "revision"): detail_eq("revision={v}"),
    ("range", "sort_order"): detail_eq("sort_order={v}"), ("range", "sort_target"): detail_eq("sort_target={v}"),
    ("range", "max_mod_revision"): detail_eq("max_mod_revision={v}"),
    ("range", "min_mod_revision"): detail_eq("min_mod_revision={v}"),
    ("range", "max_create_revision"): detail_eq("max_create_revision={v}"),
    ("range", "min_create_revision"): detail_eq("min_create_revision={v}"),
    ("put", "key"): key,
    ("put", "value"): lambda o, v, l: has(o, "value_size=%d" % len(v)),
    # etcd applies ignore_lease by keeping the key's lease: the lease field must not read as attached
    ("put", "lease"): lambda o, v, l: (has(o, "proposed lease %s not used" % hexid(v)) and
        not re.search(r"(^| )lease=", o.get("detail") or "")) if "ignore_lease" in cur else has(o, "lease=" + hexid(v)),
    ("put", "ignore_lease"): lambda o, v, l: v == "true" and has(o, "ignore_lease(key keeps its lease"),
    ("delete_range", "key"): key, ("delete_range", "range_end"): range_end,
    ("delete_range", "prev_kv"): flag("prev_kv"),
    ("txn", "success"): None, ("txn", "failure"): None,   # checked as whole branches below
    ("compaction", "revision"): detail_eq("revision={v}"), ("compaction", "physical"): flag("physical"),
    ("lease_grant", "TTL"): detail_eq("ttl={v}"), ("lease_grant", "ID"): lambda o, v, l: has(o, "lease=" + hexid(v)),
    ("lease_revoke", "ID"): lambda o, v, l: has(o, "lease=" + hexid(v)),
    # numbers etcd has no name for are printed as numbers
    ("alarm", "action"): lambda o, v, l: has(o, "action=" + (v if v.isdigit() else v.lower())),
    ("alarm", "alarm"): detail_eq("alarm={v}"),
    ("alarm", "memberID"): lambda o, v, l: has(o, "member=" + hexid(v)),
    ("authenticate", "name"): user, ("authenticate", "password"): redacted,
    ("authenticate", "simple_token"): redacted,
    ("auth_user_add", "name"): user, ("auth_user_add", "password"): redacted,
    ("auth_user_delete", "name"): user, ("auth_user_get", "name"): user,
    ("auth_user_change_password", "name"): user, ("auth_user_change_password", "password"): redacted,
    ("auth_user_grant_role", "user"): user, ("auth_user_grant_role", "role"): role,
    ("auth_user_revoke_role", "name"): user, ("auth_user_revoke_role", "role"): role,
    ("auth_role_add", "name"): role, ("auth_role_delete", "role"): role, ("auth_role_get", "role"): role,
    ("auth_role_grant_permission", "name"): role,
    ("auth_role_grant_permission", "perm"): None,          # nested, below
    ("auth_role_revoke_permission", "role"): role,
    ("auth_role_revoke_permission", "key"): key, ("auth_role_revoke_permission", "range_end"): range_end,
}
PERM = {"permType": detail_eq("perm={v}"), "key": key, "range_end": range_end}

def v2_fields(text):
    # method=X path="..."[..."..."] val="..." / time="..." (Go %q; excerpt() cuts long paths)
    out = {}
    for m in re.finditer(r'(\w+)=(?:("(?:[^"\\]|\\.)*")(?:\.\.\.("(?:[^"\\]|\\.)*"))?|(\S+))', text):
        if m.group(4) is not None: out[m.group(1)] = (m.group(4), None)
        else: out[m.group(1)] = (ast.literal_eval(m.group(2)), ast.literal_eval(m.group(3)) if m.group(3) else None)
    return out

n = 0
for raw in open(exp_path):
    parts = raw.rstrip("\n").split("\t")
    if len(parts) != 4 or not parts[1].strip().isdigit(): continue
    term, idx, typ, data = int(parts[0]), int(parts[1]), parts[2], parts[3].rstrip()
    n += 1
    if idx not in ours:
        res(False, "entry %d missing" % idx); continue
    o, line = ours[idx]
    w = "entry %d (%s)" % (idx, data[:40])
    res(o["term"] == term, w + ": term")
    res(o["type"] == {"conf": "confchange", "norm": "normal"}[typ], w + ": type")
    if typ == "conf":
        m = re.fullmatch(r"method=(\w+) id=(\w+)", data)
        res(o["kind"] == "confchange:" + CONF[m.group(1)], w + ": kind")
        res(o.get("member_id") == m.group(2), w + ": member_id")
        continue
    if data == "???":
        res(o["kind"] == "unknown", w + ": kind unknown")
        print("UNDECODABLE %d" % idx)
        continue
    if data == "noop":
        res(o["kind"] == "v2:noop", w + ": kind v2:noop")
        continue
    if data.startswith("method="):
        f = v2_fields(data)
        res(o["kind"] == "v2:" + f["method"][0], w + ": kind")
        for k, (a, b) in f.items():
            if k == "method": continue
            if k == "path":
                ok = o.get("key") == a if b is None else (o.get("key", "").startswith(a) and o["key"].endswith(b))
                res(ok, w + ": path")
            elif k == "val":
                res(has(o, "value_size=%d" % len(a)), w + ": val size")
            elif k == "time":
                # etcd printed a local time ("1969-12-31 16:00:00.000000001 -0800 PST"): same instant in UTC
                t = re.sub(r" [A-Z]+$", "", a)
                utc = subprocess.run(["date", "-u", "-d", t, "+%Y-%m-%dT%H:%M:%S.%NZ"], capture_output=True,
                                     text=True, check=True).stdout.strip()
                res(has(o, "time=" + utc), w + ": SYNC time " + utc)
            else:
                res(False, w + ": unchecked v2 field " + k)
        continue
    fields, _ = parse(tokens(data))
    top = dict((k, v) for k, v in fields if not isinstance(v, list))
    res(o.get("request_id") == hexid(top["ID"]), w + ": request id")
    reqs = [(k, v) for k, v in fields if isinstance(v, list)]
    res(len(reqs) == 1, w + ": one request")
    req, body = reqs[0]
    res(o["kind"] == req, w + ": kind " + req)
    cur = dict(body)   # the request's fields as etcd-dump-logs printed them
    for fname, v in body:
        rule = RULES.get((req, fname), False)
        if rule is False:
            res(False, w + ": no rule for field %s.%s" % (req, fname)); continue
        if rule is None: continue
        res(bool(rule(o, v, line)), w + ": %s.%s" % (req, fname))
    if req == "txn":
        b = dict((k, []) for k in ("success", "failure"))
        for k, v in body: b[k].append(v)
        for k in ("success", "failure"):
            res(has(o, branch(k, b[k])), w + ": txn " + branch(k, b[k]))
    if req == "auth_role_grant_permission":
        for fname, v in dict(body)["perm"]:
            res(bool(PERM[fname](o, v, line)), w + ": perm." + fname)
print("COUNT %d" % n)
PYEOF
check "expected-output parser ran" [ -s "$TMP/facts" ]
while read -r verdict what; do
	case $verdict in
	OK) ok ;;
	FAIL) fail "$what" ;;
	COUNT) check "every entry of etcd-dump-logs' output checked" [ "$what" = "$(manifest dump-logs entries)" ] ;;
	UNDECODABLE) check "undecodable entry = manifest" [ "$what" = "$(manifest dump-logs undecodable_index)" ] ;;
	esac
done <"$TMP/facts"
check "no password or token in any line" bash -c "! grep -E 'pass1|pass2|\"password\"|=password|=token' '$TMP/ls.json'"

# The same entries, committed: etcd would apply entry 34 and panic. A finding, exit 1.
U=$(manifest dump-logs undecodable_index)
expect_exit 1 "committed: undecodable committed entry is a finding" "$EA" wal ls -w json "$D/committed.tar.gz"
cp "$TMP/out" "$TMP/c.json"
check "committed: every entry committed" [ "$(jq -s 'map(select(.index and .committed)) | length' "$TMP/c.json")" = "$(manifest dump-logs committed.hard_state_commit)" ]
check "committed: one undecodable-entry error" [ "$(jq -s 'map(select(.problem.kind == "undecodable-entry" and .problem.severity == "error")) | length' "$TMP/c.json")" = 1 ]
off=$(jq -s --argjson u "$U" '.[] | select(.index == $u) | .offset' "$TMP/c.json")
check "committed: the problem is at entry $U's record" [ "$(jq -s '.[] | select(.problem) | .problem.offset' "$TMP/c.json")" = "$off" ]
check "committed: message names entry $U" jq -e -s --arg u "committed entry $U " 'map(select(.problem)) | .[0].problem.message | contains($u)' "$TMP/c.json" >/dev/null
expect_exit 1 "committed: table exit 1" "$EA" wal ls "$D/committed.tar.gz"
check "committed: table shows the problem" grep -q 'undecodable-entry' "$TMP/out"

# Table: every entry row's columns line up, and a conf change names its member once
"$EA" wal ls "$D/test-wal.tar.gz" >"$TMP/t.txt"
check "table: STATE column at one position on every row" [ "$(awk 'NR>1 { print index($0, " UNCOMMITTED ") }' "$TMP/t.txt" | sort -u | wc -l)" = 1 ]
check "table: header KEY above the key column" [ "$(awk 'NR==1 { print index($0, " KEY") + 1 }' "$TMP/t.txt")" = "$(awk 'NR==2 { print index($0, " UNCOMMITTED ") + 13 }' "$TMP/t.txt")" ]
check "table: conf change member printed once" [ "$(grep -c 'confchange:' "$TMP/t.txt")" = "$(grep 'confchange:' "$TMP/t.txt" | grep -o 'member[ =]2\|member[ =]3' | wc -l)" ]
check "table: range end shown" grep -qE ' range +.* 1\.\.hi ' "$TMP/t.txt"

finish
