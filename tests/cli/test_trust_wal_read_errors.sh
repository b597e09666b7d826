#!/usr/bin/env bash
# A read error while the WAL reader searches forward (issue 18, trust: next_nonzero's callers,
# src/format/wal.c) ends as a read-error problem at the byte that could not be read, never as a
# verdict about bytes that were not read: the zeros past the last record taken as the end
# ("nothing follows", no problem at all), a torn last record called the torn tail etcd truncates
# at boot, or non-zero bytes past the end called "no readable record: overwritten or garbage".
#
# The read error is made without FUSE: a .tar.gz whose tar is cut inside the last WAL segment's
# member (its data ends at byte CUT of the segment, past the last record); the member is streamed
# (stream.c), its listed size is the header's and reads past CUT fail. (A cut uncompressed .tar
# is not used: archive.c stages what it read of the member, the rest reads as zeros.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/archive_same.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
last=0000000000000002-00000000000001c5.wal
used=$(sed -n 's/^torn-tail.segment_used_length=//p' "$FIXTURES/corrupt/manifest.txt")
torn=$(sed -n 's/^torn-tail.offset=//p' "$FIXTURES/corrupt/manifest.txt")
CUT=20000000
check "setup: the cut lies past the last segment's used bytes ($used < $CUT)" test "$used" -lt "$CUT"

# cut_archive DIR OUT: tar of DIR/member (name order) cut CUT bytes into the last segment's data;
# OUT.tar.gz (the cut tar gzipped)
cut_archive() {
	tar --sort=name -C "$1" -cf "$2.full.tar" member
	python3 - "$2.full.tar" "member/wal/$last" "$CUT" "$2.tar" <<'PY'
import sys, tarfile
src, name, cut, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with tarfile.open(src) as t:
    at = t.getmember(name).offset_data
with open(src, 'rb') as f, open(out, 'wb') as o:
    o.write(f.read(at + cut))
PY
	rm -f "$2.full.tar"
	gzip -c "$2.tar" >"$2.tar.gz"
	rm -f "$2.tar"
}

# A: healthy/n1, zeros past the last record: the look past the end stops at the cut
extract "$FIXTURES/healthy/n1.tar.gz" "$TMP/a"
cut_archive "$TMP/a" "$TMP/A"
# B: corrupt/torn-tail, the last record torn (a zero sector), zeros after it, then the cut
extract "$FIXTURES/corrupt/torn-tail.tar.gz" "$TMP/b"
cut_archive "$TMP/b" "$TMP/B"
# C: healthy/n1 with 4 KiB of non-zero bytes (0xab: no plausible length word) past the end
extract "$FIXTURES/healthy/n1.tar.gz" "$TMP/c"
python3 - "$TMP/c/member/wal/$last" "$used" <<'PY'
import sys
p, used = sys.argv[1], int(sys.argv[2])
with open(p, 'r+b') as f:
    f.seek(used + 8192)
    f.write(b'\xab' * 4096)
PY
cut_archive "$TMP/c" "$TMP/C"
rm -rf "$TMP/c"   # disk: the segments are written out whole

for ext in tar.gz; do
	for x in A B C; do
		"$EA" wal stat "$TMP/$x.$ext" >"$TMP/$x.out" 2>/dev/null; rc=$?
		check "$x.$ext: exit 1 (problems: $rc)" test "$rc" = 1
		check "$x.$ext: a read-error where the segment's bytes stop (+$CUT)" \
			grep -q "read-error member/wal/$last+$CUT " "$TMP/$x.out"
	done
	check "A.$ext: the unread rest is named, not taken as etcd's zero end" \
		grep -q "read-error member/wal/$last+$CUT .*cannot read the segment past the zero length word at offset $used" "$TMP/A.out"
	check "B.$ext: the torn record at +$torn is an error whose tail is unknown" \
		grep -q "torn-record member/wal/$last+$torn .*whether it is the torn tail etcd truncates at boot is unknown" "$TMP/B.out"
	check "B.$ext: not called the torn tail (normal after power loss)" \
		bash -c "! grep -q 'torn-tail' '$TMP/B.out'"
	check "C.$ext: the bytes past the end are named, the search stopped on a read error" \
		grep -q "data-after-end member/wal/$last+$used .*non-zero bytes at offset $((used + 8192)) .*stopped on a read error" "$TMP/C.out"
	check "C.$ext: no false 'no readable record: overwritten or garbage'" \
		bash -c "! grep -q 'overwritten or garbage' '$TMP/C.out'"
done

# the uncut data dirs keep their verdicts: healthy (exit 0), the torn tail a warning
"$EA" wal stat "$TMP/a" >"$TMP/out" 2>/dev/null; rc=$?
check "healthy/n1 uncut: exit 0 ($rc)" test "$rc" = 0
"$EA" wal stat "$TMP/b" >"$TMP/out" 2>/dev/null
check "torn-tail uncut: the torn tail at +$torn" grep -q "torn-tail member/wal/$last+$torn " "$TMP/out"
finish
