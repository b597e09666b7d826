#!/usr/bin/env bash
# A streamed WAL member read backwards too often is staged after all (issue 18, stream.c: after
# 16 reopens of the compressed archive). When that late staging fails (here: --stage-limit above
# the db and .snap files staged at open, below the WAL), the WAL reader's problems say why, with
# the staging error's own text (the cap and how to raise it), instead of a bare read error, or,
# in a resync after damage, a false "no readable record follows in this segment".
#
# The backward reads come from a resync: healthy/n1's first WAL segment gets an impossible length
# word at a frame boundary followed by 6 MiB of 8-byte words claiming 9 MiB records (plausible
# lengths whose bodies never decode), so every 256 KiB of the scan reads 9 MiB ahead and then
# returns more than the 8 MiB the stream keeps: a reopen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/archive_same.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
mkdir -p "$TMP/stage"
D=$TMP/d
extract "$FIXTURES/healthy/n1.tar.gz" "$D"
seg=$D/member/wal/0000000000000000-0000000000000000.wal
at=$(python3 - "$seg" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
off = 0
for _ in range(4):   # the fifth frame: past the crc, metadata and first records
    lw = struct.unpack_from('<Q', b, off)[0]
    top, rec = lw >> 56, lw & 0xffffffffffffff
    off += 8 + rec + ((top & 7) if top & 0x80 else 0)
b[off:off + 8] = b'\xff' * 8                       # impossible length word
words = struct.pack('<Q', 9 << 20) * ((6 << 20) // 8)
b[off + 8:off + 8 + len(words)] = words
open(p, 'wb').write(b)
print(off)
PY
)
tar --sort=name -C "$D" -czf "$TMP/a.tar.gz" member
stage_limit_sizes "$TMP/a.tar.gz"
check "setup: the limit lies between the staged members and the WAL ($other < ${lim}M < $((other + wal)))" \
	test $((lim << 20)) -gt "$other" -a $((lim << 20)) -lt $((other + wal))

# no cap: the late staging happens (its note), and the output is the data dir's
"$EA" wal stat "$D" >"$TMP/dir.out" 2>/dev/null; a=$?
TMPDIR="$TMP/stage" "$EA" wal stat "$TMP/a.tar.gz" >"$TMP/arc.out" 2>"$TMP/err"; b=$?
check "no cap: staged late (the second note says why)" grep -q ": its WAL members were read out of order too often: staged " "$TMP/err"
check "no cap: same exit status as the data dir ($a, $b)" test "$a" = "$b"
check "no cap: the data dir's output" cmp -s "$TMP/dir.out" "$TMP/arc.out"
check "no cap: the damage is found where it was written (+$at)" grep -q "0000000000000000.wal+$at" "$TMP/arc.out"

# the cap refuses the late staging: the read errors carry the staging error's text
cap="need more than $lim.0 MiB of staging space in $TMP/stage"
TMPDIR="$TMP/stage" "$EA" wal stat --stage-limit "${lim}M" "$TMP/a.tar.gz" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "--stage-limit ${lim}M, wal stat: exit 1 (problems), not a crash ($rc)" test "$rc" = 1
check "--stage-limit ${lim}M, wal stat: no late note (the staging failed)" \
	bash -c "! grep -q 'read out of order too often' '$TMP/err'"
check "--stage-limit ${lim}M, wal stat: the resync's read error names the cap" \
	grep -q "read-error member/wal/0000000000000000-0000000000000000.wal+$at .*: cannot read the segment after the damage: the members of archive $TMP/a.tar.gz $cap" "$TMP/out"
check "--stage-limit ${lim}M, wal stat: says how to raise it" grep -q "raise it with --stage-limit SIZE" "$TMP/out"
check "--stage-limit ${lim}M, wal stat: no false 'no readable record follows'" \
	bash -c "! grep -q 'no readable record follows in this segment' '$TMP/out'"
TMPDIR="$TMP/stage" "$EA" wal ls --stage-limit "${lim}M" "$TMP/a.tar.gz" >"$TMP/out" 2>"$TMP/err"
nw=$(tar -tzf "$TMP/a.tar.gz" | grep -c '\.wal$')
check "--stage-limit ${lim}M, wal ls: a later pass's read errors (one per segment: $nw) name the cap" \
	test "$(grep -c "read-error .*: cannot read the segment: the members of archive $TMP/a.tar.gz $cap" "$TMP/out")" -ge "$nw"
finish
