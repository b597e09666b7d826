#!/bin/bash
# test_replay_diff.sh: diff classifies a kv-hash-mismatch with the replay engine (issue 16).
#  - fixtures/divergence state-divergence (make-divergence.py flipped one value byte of n3's db,
#    manifest: revision 144, key /final/k19, leaf page 2) beside the unchanged leader-change n1
#    and n2: db-differs-from-own-wal on exactly n3, at that revision, key and page; the
#    kv-hash-mismatch says local storage corruption; n3 is not recommended;
#  - a copy of healthy whose n2 db has the value of /tail/t5 (gen-healthy.sh: end5) flipped:
#    db-differs-from-own-wal on exactly n2 at the revision the db bytes give for that KeyValue;
#  - a copy of snapshot-catchup whose n2 db (received as the leader's snapshot, so before n2's
#    WAL window) has /bulk/k000's last value (gen-snapshot-catchup.sh: put i=5200, v5200, after
#    the compaction at 5231) flipped: the dbs differ, each equals its own WAL: the
#    kv-hash-mismatch says apply divergence and no db-differs-from-own-wal is found;
#  - the unchanged fixtures: no db-differs-from-own-wal.
. "$(dirname "$0")/lib.sh"

# kv_offset DB KEY VALUE: "MODREV OFFSET" of the value bytes of the KeyValue (KEY, VALUE) in DB
kv_offset() {
	python3 - "$@" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
key, val = sys.argv[2].encode(), sys.argv[3].encode()
pat = b'\x0a' + bytes([len(key)]) + key
hits = []
i = b.find(pat)
while i >= 0:
    p = i + len(pat)
    def varint(p):
        v = s = 0
        while True:
            c = b[p]; p += 1; v |= (c & 0x7f) << s; s += 7
            if c < 0x80: return v, p
    f = {}
    while b[p] in (0x10, 0x18, 0x20):
        t = b[p]; v, p = varint(p + 1); f[t] = v
    if b[p] == 0x2a and b[p + 1] == len(val) and b[p + 2:p + 2 + len(val)] == val:
        hits.append((f[0x18], p + 2))
    i = b.find(pat, i + 1)
assert len(hits) == 1, hits
print(*hits[0])
PY
}
flip() { python3 -c "
import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); c=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([c[0]^1]))" "$1" "$2"; }
unpack() { mkdir -p "$2" && tar -xzf "$1" -C "$2" && find "$2" -mindepth 1 -maxdepth 1 | head -1; }
kinds_on() { jq -r --arg k "$2" '[.findings[] | select(.kind == $k) | .nodes | join(",")] | join(" ")' "$1"; }

# ---- the divergence fixture: n3's db value flipped by make-divergence.py ----
LC=$FIXTURES/leader-change
expect_exit 1 "state-divergence: exit 1" "$EA" diff -w json n1="$LC/n1.tar.gz" n2="$LC/n2.tar.gz" \
	n3="$FIXTURES/divergence/state-divergence.tar.gz"
cp "$TMP/out" "$TMP/sd.json"
check "state-divergence: db-differs-from-own-wal on n3 alone" [ "$(kinds_on "$TMP/sd.json" db-differs-from-own-wal)" = n3 ]
f=$(jq -c '.findings[] | select(.kind == "db-differs-from-own-wal")' "$TMP/sd.json")
check "state-divergence: at revision $(manifest divergence state-divergence.revision)" \
	[ "$(jq -r .revision <<<"$f")" = "$(manifest divergence state-divergence.revision)" ]
check "state-divergence: names key $(manifest divergence state-divergence.key) and leaf page $(manifest divergence state-divergence.page) ($f)" \
	jq -e --arg k "$(manifest divergence state-divergence.key)" --arg p "leaf page $(manifest divergence state-divergence.page):" \
	'(.detail | contains("key \"" + $k + "\"")) and (.detail | contains($p)) and .severity == "critical"' <<<"$f" >/dev/null
check "state-divergence: the kv-hash-mismatch says local storage corruption" \
	jq -e '[.findings[] | select(.kind == "kv-hash-mismatch") | .detail | test("local storage corruption: n3.s db differs from its own WAL")] | any' "$TMP/sd.json" >/dev/null
check "state-divergence: verdict state-divergence, n3 not recommended" \
	jq -e '.verdict == "state-divergence" and .recommended_source != "n3"' "$TMP/sd.json" >/dev/null

# ---- healthy, n2's /tail/t5 value flipped in a copy ----
H=$FIXTURES/healthy
h2=$(unpack "$H/n2.tar.gz" "$TMP/h/n2")
db=$(find "$h2" -path '*member/snap/db')
read -r rev off < <(kv_offset "$db" /tail/t5 end5)
check "healthy n2: found /tail/t5=end5 in the db" [ -n "$rev" ]
flip "$db" "$off"
expect_exit 1 "healthy with n2 flipped: exit 1" "$EA" diff -w json n1="$H/n1.tar.gz" n2="$h2" n3="$H/n3.tar.gz"
cp "$TMP/out" "$TMP/h.json"
check "healthy flipped: db-differs-from-own-wal on n2 alone" [ "$(kinds_on "$TMP/h.json" db-differs-from-own-wal)" = n2 ]
check "healthy flipped: at revision $rev, key /tail/t5" \
	jq -e --argjson r "$rev" '[.findings[] | select(.kind == "db-differs-from-own-wal") | select(.revision == $r and (.detail | contains("key \"/tail/t5\"")))] | length == 1' "$TMP/h.json" >/dev/null
check "healthy flipped: kv-hash-mismatch classified as storage corruption" \
	jq -e '[.findings[] | select(.kind == "kv-hash-mismatch" and (.detail | test("local storage corruption")))] | length == 1' "$TMP/h.json" >/dev/null
"$EA" diff n1="$H/n1.tar.gz" n2="$h2" n3="$H/n3.tar.gz" >"$TMP/h.txt" 2>/dev/null
check "healthy flipped: the table lists db-differs-from-own-wal" grep -q '\[critical\] db-differs-from-own-wal at index' "$TMP/h.txt"

# ---- snapshot-catchup: n2's db differs before its WAL window (history it got by snapshot) ----
S=$FIXTURES/snapshot-catchup
s2=$(unpack "$S/n2.tar.gz" "$TMP/s/n2")
db=$(find "$s2" -path '*member/snap/db')
read -r rev off < <(kv_offset "$db" /bulk/k000 v5200)
check "snapshot-catchup n2: /bulk/k000=v5200 is above the compaction (5231)" [ "${rev:-0}" -gt 5231 ]
flip "$db" "$off"
expect_exit 1 "snapshot-catchup with n2 flipped: exit 1" "$EA" diff -w json n1="$S/n1.tar.gz" n2="$s2" n3="$S/n3.tar.gz"
cp "$TMP/out" "$TMP/s.json"
check "snapshot-catchup flipped: no db-differs-from-own-wal (each db equals its own WAL)" \
	[ -z "$(kinds_on "$TMP/s.json" db-differs-from-own-wal)" ]
check "snapshot-catchup flipped: kv-hash-mismatch on n2 says apply divergence" \
	jq -e --argjson r "$rev" '[.findings[] | select(.kind == "kv-hash-mismatch" and (.nodes | index("n2")) and .revision == $r and (.detail | test("apply divergence: n2.s and n[13].s dbs each equal their own WAL")))] | length == 1' "$TMP/s.json" >/dev/null

# ---- unchanged fixtures: nothing to classify ----
for sc in healthy leader-change snapshot-catchup; do
	"$EA" diff -w json n1="$FIXTURES/$sc/n1.tar.gz" n2="$FIXTURES/$sc/n2.tar.gz" n3="$FIXTURES/$sc/n3.tar.gz" >"$TMP/u.json" 2>/dev/null
	check "$sc: no kv-hash-mismatch, no db-differs-from-own-wal" \
		jq -e '[.findings[] | select(.kind == "kv-hash-mismatch" or .kind == "db-differs-from-own-wal")] | length == 0' "$TMP/u.json" >/dev/null
done
finish
