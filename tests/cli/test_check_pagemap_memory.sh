#!/usr/bin/env bash
# test_check_pagemap_memory.sh (issue 18): the bbolt check's page map is one byte per page
# (it was 13: flags, a 4-byte owner and an 8-byte node head per page; 35 MB for the 2.69 M
# pages of an 8 GB db). Input: healthy n1's db (real etcd 3.4, NoFreelistSync) grown, sparse,
# to 4 Mi pages with both meta pages' high-water mark raised to match (checksums recomputed):
# the new pages are free pages (unreachable, no freelist), so the check is clean and its map
# covers 4 Mi pages. The old map kept 8 bytes per page resident (34 MB); the bound leaves the
# one-byte map plus room. Peak RSS is not checked under ASan (its shadow memory dominates);
# the facts (page counts, keys from manifest.txt) are checked in every build.
. "$(dirname "$0")/lib.sh"
H=$FIXTURES/healthy
mkdir -p "$TMP/d"
tar -xzf "$H/n1.tar.gz" -C "$TMP/d"
DB=$TMP/big.db
cp "$TMP/d/n1/member/snap/db" "$DB"
PAGES=4194304
python3 - "$DB" "$PAGES" <<'PY'
import struct, sys
path, pages = sys.argv[1], int(sys.argv[2])
with open(path, 'r+b') as f:
    ps = struct.unpack_from('<I', f.read(80), 24)[0]
    for m in (0, 1):
        f.seek(m * ps)
        p = bytearray(f.read(80))
        assert struct.unpack_from('<I', p, 16)[0] == 0xED0CDAED
        assert struct.unpack_from('<Q', p, 48)[0] == 2**64 - 1   # no freelist stored
        struct.pack_into('<Q', p, 56, pages)
        h = 0xcbf29ce484222325
        for b in p[16:72]:
            h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
        struct.pack_into('<Q', p, 72, h)
        f.seek(m * ps)
        f.write(p)
    f.truncate(pages * ps)
PY
orig_pages=$(( $(manifest healthy n1.db_size) / 4096 ))

expect_exit 0 "db check of the grown db is clean" "$EA" db check "$DB" -w json
J=$TMP/out
check "pages = the new high-water mark" [ "$(jq .pages "$J")" = "$PAGES" ]
check "the file holds them all" [ "$(jq .file_pages "$J")" = "$PAGES" ]
check "no unreachable page" [ "$(jq .unreachable_pages "$J")" = 0 ]
check "reachable + free = pages" [ "$(jq '.reachable_pages + .free_pages' "$J")" = "$PAGES" ]
check "the added pages are free" [ "$(jq .free_pages "$J")" -ge $((PAGES - orig_pages)) ]
check "keys = the fixture's total_key of n1's backup" [ "$(jq .keys "$J")" = "$(manifest healthy backup.total_key)" ]
# a page past the original db: free, no bucket; an overflow page of the original names its node
"$EA" db pages "$DB" --page $((PAGES - 1)) -w json >"$TMP/p.json" 2>/dev/null
check "db pages: an added page is free" [ "$(jq -r .state "$TMP/p.json")" = free ]
check "db pages: an added page has no bucket" [ "$(jq -r .bucket "$TMP/p.json")" = null ]

if ldd "$EA" 2>/dev/null | grep -q 'libasan'; then
	echo "ASan build: peak RSS not checked"
elif [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$TMP/rss0" "$EA" db check "$TMP/d/n1/member/snap/db" -q >/dev/null 2>&1
	/usr/bin/time -f %M -o "$TMP/rss1" "$EA" db check "$DB" -q >/dev/null 2>&1
	r0=$(tail -n 1 "$TMP/rss0"); r1=$(tail -n 1 "$TMP/rss1")
	echo "peak RSS: $r0 KiB (6421 pages), $r1 KiB ($PAGES pages)"
	# one byte per page is 4 MiB, the walkers' visited bitmaps 0.5 MiB each
	if [ $((r1 - r0)) -le $((12 * 1024)) ]; then ok; else fail "the page map of $PAGES pages took $((r1 - r0)) KiB (> 12 MiB)"; fi
fi
finish
