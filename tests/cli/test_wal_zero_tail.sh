#!/usr/bin/env bash
# test_wal_zero_tail.sh: the zero tail after the end of a WAL segment (etcd preallocates 64 MB)
# is checked for bytes etcd would never read; ranges the file system reports as holes
# (SEEK_DATA/SEEK_HOLE) are skipped unread (next_nonzero in src/format/wal.c), everything else
# is read. Copies of healthy n1 (its manifest's last wal_files segment):
#   plain   - extracted as is (written zeros): the reference answers
#   sparse  - the tail a hole; prealloc - the tail fallocate()d (unwritten, not cached): same
#             answers, and the tail is not read (bytes read counted with strace, against the
#             plain copy's; up to 4 MiB more: the pages the kernel's read-ahead of the last
#             records brought into the cache count as data)
#   garbage - one non-zero byte at 40 MiB + 3 in the written-zeros tail: data-after-end at the
#             8-byte word holding it (41943040); the same with a hole punched before the byte
#             and with the byte written into an fallocate()d tail (not yet written back: FIEMAP
#             still calls its block unwritten, SEEK_DATA sees the dirty page).
. "$(dirname "$0")/lib.sh"

command -v fallocate >/dev/null || { echo "SKIP: no fallocate"; exit 77; }
mkdir -p "$TMP/x"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/x"
D=$(find "$TMP/x" -mindepth 1 -maxdepth 1 -type d | head -n 1)
SEG=$(manifest healthy n1.wal_files | tr ',' '\n' | tail -n 1)
SIZE=$(stat -c %s "$D/member/wal/$SEG")
# end of the written records: the last non-zero byte (the file's own bytes), page-rounded up
END=$(python3 -c "import sys; b=open(sys.argv[1],'rb').read(); print((len(b.rstrip(b'\0'))+4095)//4096*4096)" "$D/member/wal/$SEG")
check "the last segment ($SEG) has a zero tail of more than 16 MiB" [ $((SIZE - END)) -gt $((16 << 20)) ]

copy() { rm -rf "$TMP/$1"; cp -r --sparse=never "$D" "$TMP/$1"; echo "$TMP/$1/member/wal/$SEG"; }
# problems as [kind, file, offset, length, message]: the same in every copy
probs() { "$EA" wal stat -w json "$1" 2>/dev/null | jq -c '[.problems[] | [.kind, .file, .offset, .length, .message]]'; }
# the table with the copy's path taken out
stat_text() { "$EA" wal stat "$1" 2>&1 | sed "s|$1|DIR|g"; }
# True when the file system reports a hole at the offset (ENXIO: a hole to the end)
is_hole_at() { python3 -c "import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); print(os.lseek(fd,int(sys.argv[2]),os.SEEK_DATA) > int(sys.argv[2]))" "$@" 2>/dev/null || echo True; }
read_bytes() { strace -f -qq -e trace=pread64,read -o "$TMP/trace" "$EA" wal stat "$1" >/dev/null 2>&1
	awk '/pread64\(|read\(/ { n = $NF; if (n > 0) s += n } END { print s + 0 }' "$TMP/trace"; }

plain=$(copy plain)
ref=$(stat_text "$TMP/plain")
check "plain copy: no problem" [ "$(probs "$TMP/plain")" = "[]" ]
command -v strace >/dev/null && TOTAL=$(read_bytes "$TMP/plain")

# sparse: the tail is a hole
sp=$(copy sparse)
fallocate --punch-hole -o "$END" -l $((SIZE - END)) "$sp"
check "sparse copy: same wal stat as the plain copy" [ "$(stat_text "$TMP/sparse")" = "$ref" ]
if [ "$(is_hole_at "$sp" "$END")" = True ] && [ -n "${TOTAL:-}" ]; then
	got=$(read_bytes "$TMP/sparse")
	check "sparse copy: the $((SIZE - END))-byte hole is not read ($got bytes read, plain copy $TOTAL)" \
		[ "$got" -le $((TOTAL - (SIZE - END) + (4 << 20))) ]
fi

# prealloc: the tail fallocate()d after the written part (unwritten extents on ext4/xfs)
pa=$(copy prealloc)
truncate -s "$END" "$pa"
fallocate -o "$END" -l $((SIZE - END)) "$pa"
check "fallocated copy: same size" [ "$(stat -c %s "$pa")" = "$SIZE" ]
# counted first: a reader that reads the tail brings its pages into the page cache
if [ "$(is_hole_at "$pa" $((END + (1 << 20))))" = True ] && [ -n "${TOTAL:-}" ]; then
	got=$(read_bytes "$TMP/prealloc")
	check "fallocated copy: the unwritten tail is not read ($got bytes read, plain copy $TOTAL)" \
		[ "$got" -le $((TOTAL - (SIZE - END) + (4 << 20))) ]
fi
check "fallocated copy: same wal stat as the plain copy" [ "$(stat_text "$TMP/prealloc")" = "$ref" ]

# one non-zero byte in the tail must still be found, at the same offset, in every layout
BYTE=$((40 * 1024 * 1024 + 3))
WORD=$((BYTE / 8 * 8))
put() { printf 'X' | dd of="$1" bs=1 seek="$BYTE" conv=notrunc status=none; }
g1=$(copy garbage); put "$g1"
want=$(probs "$TMP/garbage")
check "garbage in the written-zeros tail: data-after-end at word $WORD of $SEG" \
	[ "$(echo "$want" | jq -r --arg f "member/wal/$SEG" '.[0] | select(.[0] == "data-after-end" and .[1] == $f) | .[4]' | grep -c "at offset $WORD ")" = 1 ]
g2=$(copy garbage-hole); put "$g2"
fallocate --punch-hole -o "$END" -l $(((BYTE / 4096) * 4096 - END)) "$g2"
check "garbage after a punched hole: the same problem" [ "$(probs "$TMP/garbage-hole")" = "$want" ]
g3=$(copy garbage-prealloc)
truncate -s "$END" "$g3"; fallocate -o "$END" -l $((SIZE - END)) "$g3"; put "$g3"
check "garbage written into an fallocated tail: the same problem" [ "$(probs "$TMP/garbage-prealloc")" = "$want" ]
check "garbage written into an fallocated tail: exit 1" bash -c '"$0" wal stat "$1" >/dev/null 2>&1; [ $? = 1 ]' "$EA" "$TMP/garbage-prealloc"
finish
