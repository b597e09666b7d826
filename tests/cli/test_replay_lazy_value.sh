# test_replay_lazy_value.sh: the replay hashes a put's value only when a compare needs it, reading
# it back from the put's WAL record (issue 16, speed): VALUE compares in a later segment on
# 300000-byte values that differ only in their last byte decide as etcd does (bytes.Compare of
# the whole value), from a directory and from an archive (staged) alike. The WAL is written by
# mkwal_values.py, an encoder independent of the reader; the outcomes are etcd's compare rules.
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")

python3 "$HERE/mkwal_values.py" "$TMP/lv"
check "mkwal_values wrote two segments" [ "$(ls "$TMP/lv/member/wal" | wc -l)" = 2 ]
tar -C "$TMP" -czf "$TMP/lv.tar.gz" lv

for input in "$TMP/lv" "$TMP/lv.tar.gz"; do
	"$EA" replay -w json --all "$input" >"$TMP/r.json" 2>"$TMP/r.err"
	check "$input: replay exit 1 (no db: incomplete)" [ $? = 1 ]
	got=$(jq -r 'select(.index != null) | "\(.index):\(.txn_applied)"' "$TMP/r.json" | tr '\n' ' ')
	# 3: /a EQUAL A true; 4: /b EQUAL A false; 5: /b NOT_EQUAL B false; 6: /b NOT_EQUAL A true
	check "$input: txn outcomes as etcd decides them (got: $got)" [ "$got" = "1:null 2:null 3:true 4:false 5:false 6:true " ]
	revs=$(jq -r 'select(.index != null) | .revision' "$TMP/r.json" | tr '\n' ' ')
	check "$input: one revision per entry from 2 (got: $revs)" [ "$revs" = "2 3 4 5 6 7 " ]
done
finish
