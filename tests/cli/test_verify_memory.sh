#!/usr/bin/env bash
# test_verify_memory.sh (issue 18): verify's peak is its replay, not the replay plus what the
# open kept and what glibc's heap hoarded. Input: a data dir of 200,000 puts, each of its own
# key (tests/cli/mkwal_keys.py), beside healthy n1's db (real etcd 3.4; unrelated to that WAL,
# so the replay holds every key: its worst case) and a 30 MB .snap (zeros: read whole, then
# freed). Freeing that read raised glibc's mmap threshold to 30 MB, so the replay's arrays
# doubled inside the brk heap and left their old blocks there as holes; and the open kept the
# WAL's version facts (3 bytes per entry) that only report reads. Old main peaked at 65 MiB on
# it, now 45 (Release). Peak RSS is not checked under ASan (its shadow memory dominates); the
# facts (entries committed, the db differing from that WAL) are checked in every build.
. "$(dirname "$0")/lib.sh"
N=200000
D=$TMP/m
python3 "$(dirname "$0")/mkwal_keys.py" "$D" "$N"
mkdir -p "$TMP/x" "$D/member/snap"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/x"
cp "$TMP/x/n1/member/snap/db" "$D/member/snap/db"
head -c 30000000 /dev/zero > "$D/member/snap/0000000000000002-0000000000000005.snap"

expect_exit 1 "verify: the db is not what this WAL makes" "$EA" verify "$D" -w json
J=$TMP/out
q() { jq -e "$@" >/dev/null; }
check "the WAL replays to commit $N (the generator's last entry)" \
	q --arg n "$N" '[.reasons[].reason | select(test("replays from index 0 to commit " + $n + "$"))] | length == 1' "$J"
check "its first put is not in n1's db: not-restorable, db differs from its own WAL" \
	q '.verdict == "not-restorable" and ([.reasons[].reason | select(startswith("the db differs from its own WAL"))] | length == 1)' "$J"

if ldd "$EA" 2>/dev/null | grep -q 'libasan'; then
	echo "ASan build: peak RSS not checked"
elif [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$TMP/rss" "$EA" verify "$D" -q >/dev/null 2>&1
	rss=$(tail -n 1 "$TMP/rss")
	echo "verify peak RSS: $rss KiB"
	# the replay's model of 200,000 keys (~40 MiB) and the 30 MB read, never both; old main 65 MiB
	if [ "$rss" -le $((56 * 1024)) ]; then ok; else fail "verify peak RSS ${rss} KiB > 56 MiB"; fi
fi
finish
