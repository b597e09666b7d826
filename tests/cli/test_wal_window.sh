#!/usr/bin/env bash
# test_wal_window.sh: WAL segments are read with pread() into a 256 KiB window (format/wal.c),
# not mapped. Records larger than the window (the healthy fixture's 1 MiB values) and records
# across the window's edges must read as before: a byte flipped in a record far into a
# segment is found at that record's frame offset, computed here by walking the frames
# independently (etcd's framing: 8-byte length word, top byte 0x80|pad when padded), and the
# CRC chain goes on after it. Facts from fixtures/healthy/manifest.txt.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/n1"
tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/n1"
D=$(find "$TMP/n1" -mindepth 1 -maxdepth 1 -type d | head -n 1)
SEG=$D/member/wal/$(manifest healthy n1.wal_files | cut -d, -f1)
last=$(manifest healthy n1.raft_index)

"$EA" wal ls -w json "$D" -q >"$TMP/clean.json" 2>/dev/null
check "clean copy: wal ls exit 0" [ $? = 0 ]
check "clean copy: last index is the manifest's raft_index ($last)" \
	[ "$(jq -s '[.[] | select(.index != null) | .index] | max' "$TMP/clean.json")" = "$last" ]
check "clean copy: every listed record's CRC verified" \
	[ "$(jq -s '[.[] | select(.crc_ok != null and .crc_ok != true)] | length' "$TMP/clean.json")" = 0 ]

# the first frame at or past 1 MiB whose record is larger than the 256 KiB window
read -r off rec < <(python3 - "$SEG" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
o = 0
while o + 8 <= len(b):
    lw = struct.unpack_from("<Q", b, o)[0]
    if lw == 0:
        break
    rec = lw & 0x00FFFFFFFFFFFFFF
    pad = (lw >> 56) & 7 if lw >> 63 else 0
    if o >= 1 << 20 and rec > 256 * 1024:
        print(o, rec)
        break
    o += 8 + rec + pad
EOF
)
check "found a record larger than the window past 1 MiB (offset ${off:-none})" [ -n "${off:-}" ]
if [ -n "${off:-}" ]; then
	# flip one byte in the middle of its data (well inside the value, past the window's size)
	at=$((off + 8 + rec / 2))
	python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); c=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([c[0]^0xff]))" "$SEG" "$at"
	"$EA" wal stat -w json "$D" -q >"$TMP/stat.json" 2>/dev/null
	check "flipped byte: wal stat exit 1" [ $? = 1 ]
	check "flipped byte: one crc-mismatch at frame offset $off" \
		[ "$(jq -c '[.problems[] | select(.kind == "crc-mismatch") | .offset]' "$TMP/stat.json")" = "[$off]" ]
	"$EA" wal ls -w json "$D" -q >"$TMP/bad.json" 2>/dev/null
	check "flipped byte: the entry at offset $off has crc_ok false" \
		[ "$(jq -s "[.[] | select(.offset == $off and .index != null) | .crc_ok]" -c "$TMP/bad.json")" = "[false]" ]
	check "flipped byte: every other entry's CRC still verifies (the chain goes on)" \
		[ "$(jq -s "[.[] | select(.index != null and .offset != $off and .crc_ok != true)] | length" "$TMP/bad.json")" = 0 ]
	check "flipped byte: the same entries are listed" \
		[ "$(jq -s '[.[] | select(.index != null)] | length' "$TMP/bad.json")" = "$(jq -s '[.[] | select(.index != null)] | length' "$TMP/clean.json")" ]
fi
finish
