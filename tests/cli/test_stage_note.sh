#!/usr/bin/env bash
# An archive input prints one line on stderr once opened (issue 18: what a large archive costs
# in TMPDIR): "etcd-autopsy CMD: ARCHIVE: staged K members (SIZE, N bytes) under TMPDIR; WAL
# streamed (S segments, SIZE)", N being the non-zero bytes written to the staging file. A
# compressed archive whose WAL members are in name order stages everything but them; none
# under -q, none for a directory.
. "$(dirname "$0")/lib.sh"

A="$FIXTURES/healthy/n1.tar.gz"
mkdir -p "$TMP/stage" "$TMP/x"
TMPDIR="$TMP/stage" "$EA" wal stat "$A" >/dev/null 2>"$TMP/err"
line=$(grep "^etcd-autopsy wal stat: $A: staged " "$TMP/err")
check "one staged line, with the command" test "$(grep -c 'staged ' "$TMP/err")" = 1 -a -n "$line"
check "it names TMPDIR" test "${line#* under "$TMP"/stage; }" != "$line"
n=$(printf '%s\n' "$line" | sed -n 's/.*, \([0-9]*\) bytes) under .*/\1/p')
k=$(printf '%s\n' "$line" | sed -n 's/.*: staged \([0-9]*\) members (.*/\1/p')
s=$(printf '%s\n' "$line" | sed -n 's/.*; WAL streamed (\([0-9]*\) segments, .*/\1/p')
# what tar says of the members: the db (etcd's size, from the manifest) and the .snap files
# are staged (only their non-zero 4 KiB pages), the WAL segments are not
db=$(manifest healthy n1.db_size)
tar -xzf "$A" -C "$TMP/x"
nwal=$(tar -tzf "$A" | grep -c '\.wal$')
nother=$(tar -tvzf "$A" | awk '$1 ~ /^-/' | grep -vc '\.wal$')
check "the WAL segments are streamed ($s = $nwal)" test "$s" = "$nwal" -a "$nwal" -gt 0
check "the other members are staged ($k = $nother)" test "$k" = "$nother"
nz=$(python3 - "$TMP/x" <<'PY'
import os, sys
n = 0
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith('.wal'): continue
        with open(os.path.join(root, f), 'rb') as fh:
            data = fh.read()
        n += sum(1 for i in range(0, len(data), 4096) if data[i:i + 4096].strip(b'\0'))
print(n * 4096)
PY
)
check "the staged bytes cover the db ($n >= $db)" test "$n" -ge "$db"
check "no more than the staged members' non-zero 4 KiB pages plus 64 KiB per member ($n)" \
	test "$n" -le $((nz + 65536 * nother))
check "no less than the staged members' non-zero 4 KiB pages ($n >= $nz)" test "$n" -ge $((nz - 4096 * nother))
TMPDIR="$TMP/stage" "$EA" wal stat "$A" -q >/dev/null 2>"$TMP/err"
check "-q: no staged line" test "$(grep -c 'staged ' "$TMP/err")" = 0
TMPDIR="$TMP/stage" "$EA" wal stat "$TMP/x/n1" >/dev/null 2>"$TMP/err"
check "a directory: no staged line" test "$(grep -c 'staged ' "$TMP/err")" = 0
# three archives of one command: one line each, with the command's name
TMPDIR="$TMP/stage" "$EA" diff "$FIXTURES/healthy/n1.tar.gz" "$FIXTURES/healthy/n2.tar.gz" \
	"$FIXTURES/healthy/n3.tar.gz" >/dev/null 2>"$TMP/err"
check "diff of three archives: three staged lines" test "$(grep -c '^etcd-autopsy diff: .*: staged ' "$TMP/err")" = 3
finish
