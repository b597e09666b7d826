#!/usr/bin/env bash
# A restored member whose db is corrupted above its compaction (issue 18, trust;
# src/semantic/replay_anchor.c, the compaction anchor's value-blind search): the replay names
# the corruption (db-diverges-from-wal, the first diverging revision and key) instead of falling
# back to the unanchored `incomplete`; a corruption beyond values (a key's bytes) is no anchor,
# as before; the unmutated fixture keeps its verdict.
#
# Fixture replay-restored (etcdutl snapshot restore, compacted at 288 since): a copy of n1's db
# with one value byte changed in the element etcd reported at a revision above the compaction
# (expected-revs.jsonl: key, create/mod revision, version, value as etcd answered). bbolt pages
# carry no checksum: the db stays readable.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
S=replay-restored
K=$(manifest $S compact_revision)
R=$(manifest $S final_revision)
REVS=$FIXTURES/$S/expected-revs.jsonl
mkdir -p "$TMP/x"
tar -xzf "$FIXTURES/$S/n1.tar.gz" -C "$TMP/x"
D0=$(find "$TMP/x" -mindepth 1 -maxdepth 1 -type d | head -n 1)

# mutate DB REV FIELD: flips the last byte of the key or value of the element at REV (all its
# copies in the file, stale pages included); prints the key
mutate() {
	python3 - "$1" "$REVS" "$2" "$3" <<'PY'
import sys, json, base64
db, revs, rev, field = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def varint(n):
    out = b''
    while True:
        b = n & 0x7f; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
row = next(r for r in map(json.loads, open(revs)) if r['rev'] == rev and r.get('value_b64'))
key, val = base64.b64decode(row['key']), base64.b64decode(row['value_b64'])
# mvccpb.KeyValue as etcd marshals it: 1 key, 2 create_revision, 3 mod_revision, 4 version, 5 value
head = b'\x0a' + varint(len(key)) + key
pat = head + b'\x10' + varint(row['create']) + b'\x18' + varint(rev) + b'\x20' + varint(row['version']) + \
      b'\x2a' + varint(len(val)) + val
at_byte = len(pat) - 1 if field == 'value' else len(head) - 1
b = bytearray(open(db, 'rb').read())
n, at = 0, b.find(pat)
while at >= 0:
    b[at + at_byte] ^= 1
    n += 1
    at = b.find(pat, at + 1)
open(db, 'wb').write(b)
print(key.decode() if n else '')
PY
}

# replay_of DIR: `replay -w json` to $TMP/out, its exit status in $rc, "verdict|reason" in $v
replay_of() {
	"$EA" replay -w json "$1" >"$TMP/out" 2>/dev/null; rc=$?
	v=$(jq -r 'select(.summary) | .summary | "\(.verdict)|\(.reason)"' "$TMP/out")
}

# the unmutated fixture: its verdict stays incomplete, anchored on the compaction
replay_of "$D0"
check "unmutated: incomplete, anchored on the compaction $K ($v)" \
	bash -c '[[ "$1" == "incomplete|"*"anchored on the compaction instead"* ]]' _ "$v"
check "unmutated: exit 1 ($rc)" test "$rc" = 1

# a value byte changed at K+1 (the anchor's own element) and at a later revision
for rev in $((K + 1)) $((R - 9)); do
	D=$TMP/v$rev
	cp -a "$D0" "$D"
	key=$(mutate "$D/member/snap/db" "$rev" value)
	check "setup: the element etcd reported at revision $rev found in the db ($key)" test -n "$key"
	replay_of "$D"
	idx=$(jq -r "select(.revision == $rev and .result == \"db-differs\") | .index" "$TMP/out")
	check "value at $rev: exit 1 ($rc)" test "$rc" = 1
	check "value at $rev: db-diverges-from-wal, first difference at revision $rev key $key ($v)" \
		bash -c '[[ "$1" == "db-diverges-from-wal|first difference: db-differs at index "*", revision $2, key $3" ]]' _ "$v" "$rev" "$key"
	check "value at $rev: one entry db-differs, at revision $rev (index ${idx:-none})" test -n "$idx"
	check "value at $rev: revisions up to $R still anchored ($(jq -r 'select(.summary) | .summary.last_revision' "$TMP/out"))" \
		test "$(jq -r 'select(.summary) | .summary.last_revision' "$TMP/out")" = "$R"
done

# a key byte changed: beyond values, no anchor is accepted (the unanchored incomplete, no verdict)
D=$TMP/k
cp -a "$D0" "$D"
key=$(mutate "$D/member/snap/db" $((R - 9)) key)
check "setup: key element found ($key)" test -n "$key"
replay_of "$D"
check "key changed: not a db-diverges-from-wal verdict from the value-blind search ($v)" \
	bash -c '[[ "$1" == "incomplete|"* ]]' _ "$v"
finish
