#!/bin/bash
# test_replay_fixtures.sh: `replay NODE` (issue 16) on the real fixtures.
#  - every member of every 3.4 and 3.5 scenario with a WAL and a db replays to db-equals-wal
#    (exit 0), and the revision after its last committed entry equals the revision etcd printed
#    in `endpoint status` for that member (manifest.txt nN.revision);
#  - isolated-leader's n2-before-restart (SIGKILLed while isolated) ends at the revision etcd
#    reported before the kill (manifest isolated.revision_before); its 5 uncommitted entries
#    are not-checked;
#  - a copy of healthy n1 whose db has one value byte flipped in a leaf page: db-differs at
#    exactly that revision and key (both read from the db bytes by python, as etcd wrote them);
#  - a copy of healthy n1 whose db lost the element of a key compaction keeps (cut out of its
#    leaf page): missing-in-db at exactly that revision and key, nothing else;
#  - fixtures/divergence (make-divergence.py): the WAL entry whose data was changed and re-sealed
#    is the one the db does not show (manifest committed-divergence.index); the db value flip is
#    db-differs at manifest state-divergence.revision / .key;
#  - exit 2 for usage errors; the JSON summary carries the contract's fields.
. "$(dirname "$0")/lib.sh"

summary() { jq -c 'select(.summary) | .summary' "$1"; }

# ---- every member of every scenario ----
for dir in "$FIXTURES"/*/; do
	sc=$(basename "$dir")
	[ -f "$dir/manifest.txt" ] || continue
	# their own tests: a db older than its WAL (test_replay_stale.sh), a restored member anchored
	# on its db's compaction (test_replay_workload.sh)
	case "$sc" in stale-db|replay-restored) continue ;; esac
	members=$(manifest "$sc" members)
	[ -n "$members" ] || continue
	for n in ${members//,/ }; do
		f="$dir/$n.tar.gz"
		[ -f "$f" ] || continue
		want=$(manifest "$sc" "$n.revision")
		[ -n "$want" ] || continue
		"$EA" replay "$f" -w json >"$TMP/r.json" 2>"$TMP/r.err"
		rc=$?
		s=$(summary "$TMP/r.json")
		check "$sc/$n exits 0 (got $rc)" [ "$rc" = 0 ]
		check "$sc/$n verdict db-equals-wal ($s)" [ "$(jq -r .verdict <<<"$s")" = db-equals-wal ]
		check "$sc/$n last_revision $want (endpoint status)" [ "$(jq -r .last_revision <<<"$s")" = "$want" ]
		# nothing is listed but compacted / not-checked entries
		other=$(jq -r 'select(.result) | .result' "$TMP/r.json" | grep -cv -e '^compacted$' -e '^not-checked$')
		check "$sc/$n lists no difference" [ "$other" = 0 ]
	done
done

# the isolated leader, killed before it rejoined: its committed entries end at revision 31
for sc in isolated-leader isolated-leader-3.5; do
	"$EA" replay "$FIXTURES/$sc/n2-before-restart.tar.gz" -w json --all >"$TMP/r.json" 2>/dev/null
	s=$(summary "$TMP/r.json")
	check "$sc n2-before-restart db-equals-wal" [ "$(jq -r .verdict <<<"$s")" = db-equals-wal ]
	check "$sc n2-before-restart last_revision = revision_before" \
		[ "$(jq -r .last_revision <<<"$s")" = "$(manifest "$sc" isolated.revision_before)" ]
	check "$sc n2-before-restart: 5 uncommitted entries not-checked" \
		[ "$(jq -r .counts.\"not-checked\" <<<"$s")" = 5 ]
done

# ---- one value byte flipped in a leaf page of healthy n1's db ----
mkdir -p "$TMP/flip"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/flip"
db=$(find "$TMP/flip" -path '*member/snap/db')
# the KeyValue of /tail/t5 (put by gen-healthy.sh with value end5): key, create, mod, version, value
read -r rev off < <(python3 - "$db" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
key = b'/tail/t5'
i = b.find(b'\x0a' + bytes([len(key)]) + key)
assert i >= 0 and b.find(b'\x0a' + bytes([len(key)]) + key, i + 1) < 0, "one KeyValue of /tail/t5"
p = i + 2 + len(key)
def varint(p):
    v = s = 0
    while True:
        c = b[p]; p += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, p
fields = {}
while b[p] in (0x10, 0x18, 0x20):
    t = b[p]; v, p = varint(p + 1); fields[t] = v
assert b[p] == 0x2a and b[p + 1] == 4 and b[p + 2:p + 6] == b'end5', b[p:p + 8]
print(fields[0x18], p + 2)
PY
)
check "found /tail/t5 in the db" [ -n "$rev" ]
python3 -c "
import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); c=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([c[0]^1]))" "$db" "$off"
expect_exit 1 "a flipped value: exit 1" "$EA" replay "$TMP/flip/n1" -w json
s=$(summary "$TMP/out")
check "flipped value: db-diverges-from-wal" [ "$(jq -r .verdict <<<"$s")" = db-diverges-from-wal ]
check "flipped value: one difference" [ "$(jq -r '.differences | length' <<<"$s")" = 1 ]
check "flipped value: db-differs at revision $rev, key /tail/t5" \
	[ "$(jq -r '.differences[0] | "\(.result) \(.revision) \(.key)"' <<<"$s")" = "db-differs $rev /tail/t5" ]
row=$(jq -c 'select(.result == "db-differs")' "$TMP/out")
check "flipped value: the row names both values and the page ($row)" jq -e '(.detail | test("dnd5")) and (.detail | test("end5")) and .page > 1' <<<"$row" >/dev/null

# ---- a write compaction keeps, silently lost: healthy n1's db without the element of
# /app/config/k0 (put once by gen-healthy.sh before the compaction at 452, never deleted, so
# etcd's compaction keeps it); the element is cut out of its bbolt leaf page by python ----
mkdir -p "$TMP/keep"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/keep"
db=$(find "$TMP/keep" -path '*member/snap/db')
lost=$(python3 - "$db" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
ps = struct.unpack_from('<I', b, 24)[0]          # meta page 0: magic, version, pageSize
key = b'/app/config/k0'
needle = b'\x0a' + bytes([len(key)]) + key + b'\x10'
hits = []
for pg in range(2, len(b) // ps):
    o = pg * ps
    pid, flags, count, ovf = struct.unpack_from('<QHHI', b, o)
    if flags != 0x02 or pid != pg: continue
    for i in range(count):
        eo = o + 16 + i * 16
        fl, pos, ks, vs = struct.unpack_from('<IIII', b, eo)
        if ks == 17 and b[eo + pos + ks:eo + pos + ks + vs].startswith(needle):
            hits.append((o, i, count, struct.unpack_from('>Q', b, eo + pos)[0]))
assert len(hits) == 1 and hits[0][1] > 0, hits
o, i, count, main = hits[0]
# drop element header i: later headers move up 16 bytes, their pos (relative to themselves) grows by 16
for j in range(i + 1, count):
    eo = o + 16 + j * 16
    fl, pos, ks, vs = struct.unpack_from('<IIII', b, eo)
    struct.pack_into('<IIII', b, eo - 16, fl, pos + 16, ks, vs)
struct.pack_into('<H', b, o + 10, count - 1)
open(sys.argv[1], 'r+b').write(b)
print(main)
PY
)
check "cut /app/config/k0 out of the db" [ -n "$lost" ]
expect_exit 1 "a lost kept write: exit 1" "$EA" replay "$TMP/keep/n1" -w json
s=$(summary "$TMP/out")
check "lost kept write: db-diverges-from-wal" [ "$(jq -r .verdict <<<"$s")" = db-diverges-from-wal ]
check "lost kept write: missing-in-db at revision $lost, key /app/config/k0 ($s)" \
	[ "$(jq -r '[.differences[] | "\(.result) \(.revision) \(.key)"] | join(",")' <<<"$s")" = "missing-in-db $lost /app/config/k0" ]

# ---- the divergence fixture ----
expect_exit 1 "committed-divergence: exit 1" "$EA" replay "$FIXTURES/divergence/committed-divergence.tar.gz" -w json
s=$(summary "$TMP/out")
check "committed-divergence: first difference is the changed entry $(manifest divergence committed-divergence.index)" \
	[ "$(jq -r '.differences[0] | "\(.result) \(.index)"' <<<"$s")" = "db-differs $(manifest divergence committed-divergence.index)" ]
check "committed-divergence: only that entry" [ "$(jq -r '.differences | length' <<<"$s")" = 1 ]
expect_exit 1 "state-divergence: exit 1" "$EA" replay "$FIXTURES/divergence/state-divergence.tar.gz" -w json
s=$(summary "$TMP/out")
check "state-divergence: db-differs at the changed revision and key" \
	[ "$(jq -r '.differences[0] | "\(.result) \(.revision) \(.key)"' <<<"$s")" = \
	  "db-differs $(manifest divergence state-divergence.revision) $(manifest divergence state-divergence.key)" ]

# ---- output contract and usage ----
"$EA" replay "$FIXTURES/healthy/n1.tar.gz" -w json --all >"$TMP/all.json"
check "--all lists every entry (482) and the summary" [ "$(jq -c 'select(.index)' "$TMP/all.json" | wc -l)" = 482 ]
check "entry objects carry the contract's fields" \
	jq -se 'map(select(.index)) | all(has("index") and has("term") and has("revision") and has("kind") and has("key") and has("result") and has("detail") and has("page"))' "$TMP/all.json" >/dev/null
check "the summary carries the contract's fields" \
	jq -e 'select(.summary) | .summary | has("verdict") and has("first_index") and has("last_index") and has("entries") and has("last_revision") and has("counts") and has("differences") and has("differences_cap") and .anchor.consistent_index == 481' "$TMP/all.json" >/dev/null
check "txn entries say which branch ran" jq -se 'map(select(.kind == "txn")) | length > 0 and all(.txn_applied == true or .txn_applied == false)' "$TMP/all.json" >/dev/null
check "--from/--to restrict the listing" [ "$("$EA" replay "$FIXTURES/healthy/n1.tar.gz" -w json --all --from 10 --to 19 | jq -c 'select(.index)' | wc -l)" = 10 ]
"$EA" replay "$FIXTURES/healthy/n1.tar.gz" >"$TMP/t.txt"
check "table: verdict line" grep -q '^verdict        db-equals-wal' "$TMP/t.txt"
expect_exit 2 "no NODE: exit 2" "$EA" replay
expect_exit 2 "two NODEs: exit 2" "$EA" replay "$FIXTURES/healthy/n1.tar.gz" "$FIXTURES/healthy/n2.tar.gz"
expect_exit 2 "--from above --to: exit 2" "$EA" replay "$FIXTURES/healthy/n1.tar.gz" --from 9 --to 3
expect_exit 2 "nothing readable: exit 2" "$EA" replay "$TMP/nowhere"
expect_exit 0 "--help: exit 0" "$EA" replay --help
finish
