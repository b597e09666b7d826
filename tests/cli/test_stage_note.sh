#!/usr/bin/env bash
# An archive input prints one line on stderr once staged: "staged ARCHIVE (SIZE, N bytes) under
# TMPDIR", N being the non-zero bytes written to the staging file (issue 18: what a large
# archive costs in TMPDIR); none under -q, none for a directory.
. "$(dirname "$0")/lib.sh"

A="$FIXTURES/healthy/n1.tar.gz"
mkdir -p "$TMP/stage" "$TMP/x"
TMPDIR="$TMP/stage" "$EA" wal stat "$A" >/dev/null 2>"$TMP/err"
line=$(grep '^staged ' "$TMP/err")
check "one staged line" test "$(grep -c '^staged ' "$TMP/err")" = 1
check "it names the archive and TMPDIR" test "${line#staged "$A" (}" != "$line" -a "${line% under "$TMP"/stage}" != "$line"
n=$(printf '%s\n' "$line" | sed -n 's/.*, \([0-9]*\) bytes) under .*/\1/p')
# what tar says of the members: the db (etcd's size, from the manifest) is all data, the WAL
# segments are preallocated to 64 MB and mostly zero, which is not staged
db=$(manifest healthy n1.db_size)
total=$(tar -tvzf "$A" | awk '$1 ~ /^-/ {s += $3} END {print s}')
tar -xzf "$A" -C "$TMP/x"
nz=$(python3 - "$TMP/x" <<'PY'
import os, sys
n = 0
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        with open(os.path.join(root, f), 'rb') as fh:
            data = fh.read()
        n += sum(1 for i in range(0, len(data), 4096) if data[i:i + 4096].strip(b'\0'))
print(n * 4096)
PY
)
check "the staged bytes cover the db ($n >= $db)" test "$n" -ge "$db"
check "zero tails are not staged ($n < $total)" test "$n" -lt "$total"
check "no more than the members' non-zero 4 KiB pages plus 64 KiB per member ($n)" \
	test "$n" -le $((nz + 65536 * $(tar -tzf "$A" | grep -vc '/$')))
check "no less than the members' non-zero 4 KiB pages ($n >= $nz)" test "$n" -ge $((nz - 4096 * $(tar -tzf "$A" | grep -vc '/$')))
TMPDIR="$TMP/stage" "$EA" wal stat "$A" -q >/dev/null 2>"$TMP/err"
check "-q: no staged line" test "$(grep -c '^staged ' "$TMP/err")" = 0
TMPDIR="$TMP/stage" "$EA" wal stat "$TMP/x/n1" >/dev/null 2>"$TMP/err"
check "a directory: no staged line" test "$(grep -c '^staged ' "$TMP/err")" = 0
# three archives of one command: one line each
TMPDIR="$TMP/stage" "$EA" diff "$FIXTURES/healthy/n1.tar.gz" "$FIXTURES/healthy/n2.tar.gz" \
	"$FIXTURES/healthy/n3.tar.gz" >/dev/null 2>"$TMP/err"
check "diff of three archives: three staged lines" test "$(grep -c '^staged ' "$TMP/err")" = 3
finish
