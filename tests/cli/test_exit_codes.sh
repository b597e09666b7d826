# test_exit_codes.sh: every command follows the one exit-code rule of the README (issue 13
# item 10):
#   2  usage error, or nothing etcd-shaped could be read from an input
#   1  findings of warning or worse, or a verdict other than consistent / restorable
#   0  otherwise
# Inputs: real fixtures (clean: healthy; damaged: corrupt/, corrupt-db/; an election storm
# whose logs name 12 failed elections), mutated copies, and files that are no etcd data.
. "$(dirname "$0")/lib.sh"

H=$FIXTURES/healthy; ES=$FIXTURES/election-storm
BITFLIP=$FIXTURES/corrupt/bitflip.tar.gz        # a WAL byte changed (corrupt/manifest.txt)
LEAF=$FIXTURES/corrupt-db/leaf-flip.tar.gz      # a bbolt leaf page changed (corrupt-db/manifest.txt)
HN=(n1="$H/n1.tar.gz" n2="$H/n2.tar.gz" n3="$H/n3.tar.gz")
EN=(n1="$ES/n1.tar.gz" n2="$ES/n2.tar.gz" n3="$ES/n3.tar.gz")

# --- inputs that are no etcd data ---------------------------------------------------------
printf 'notes taken during the outage\n' >"$TMP/notes.txt"
jpeg() { printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000'; head -c 6000 /dev/urandom; }
mkdir -p "$TMP/jpgwal/member/wal" "$TMP/jpgsnap/member/snap"
jpeg >"$TMP/jpgwal/member/wal/0000000000000000-0000000000000000.wal"
jpeg >"$TMP/jpgsnap/member/snap/0000000000000002-0000000000000005.snap"

# --- mutated copies of real data ----------------------------------------------------------
# election-storm n1 with one byte of its first WAL frame changed: a damaged real segment
mkdir -p "$TMP/frame0"; tar -xzf "$ES/n1.tar.gz" -C "$TMP/frame0"
SEG=$TMP/frame0/n1/member/wal/0000000000000000-0000000000000000.wal
printf '\377' | dd of="$SEG" bs=1 seek=0 conv=notrunc status=none
# healthy n1's .snap files, one of them with a byte flipped in the middle (its CRC breaks)
mkdir -p "$TMP/snaps"; tar -xzf "$H/n1.tar.gz" -C "$TMP/snaps" --wildcards '*.snap'
S=$(ls "$TMP"/snaps/n1/member/snap/*.snap | head -n 1)
sz=$(stat -c %s "$S"); b=$(od -An -tu1 -j $((sz / 2)) -N1 "$S" | tr -d ' ')
printf "\\$(printf %03o $((b ^ 255)))" | dd of="$S" bs=1 seek=$((sz / 2)) conv=notrunc status=none
KEY=$("$EA" db ls -w json "$H/n1.tar.gz" 2>/dev/null | head -n 1 | jq -r .key)

out() { echo "$TMP/o$RANDOM.$1"; }

# --- wal stat / wal ls ----------------------------------------------------------------------
for v in stat ls; do
	expect_exit 0 "wal $v clean" "$EA" wal $v "$H/n1.tar.gz"
	expect_exit 1 "wal $v damaged WAL" "$EA" wal $v "$BITFLIP"
	expect_exit 1 "wal $v first frame damaged, rest readable: damage, not 'not a WAL'" "$EA" wal $v "$TMP/frame0/n1"
	check "wal $v first frame damaged: reported at offset 0" grep -q "+0: " "$TMP/err"
	expect_exit 2 "wal $v usage" "$EA" wal $v --bogus "$H/n1.tar.gz"
	expect_exit 2 "wal $v notes.txt" "$EA" wal $v "$TMP/notes.txt"
	expect_exit 2 "wal $v JPEG named as a segment" "$EA" wal $v "$TMP/jpgwal"
	check "wal $v JPEG: 'not a WAL segment'" grep -q "not a WAL segment" "$TMP/err"
	check "wal $v JPEG: no absurd length message" bash -c "! grep -q 'length word claims' '$TMP/err'"
done

# --- db stat / check / ls / history / hash / pages -----------------------------------------
for v in stat check ls hash pages history; do
	k=(); [ $v = history ] && k=("$KEY")
	expect_exit 0 "db $v clean" "$EA" db $v "$H/n1.tar.gz" "${k[@]}"
	expect_exit 1 "db $v damaged db" "$EA" db $v "$LEAF" "${k[@]}"
	expect_exit 2 "db $v usage" "$EA" db $v --bogus "$H/n1.tar.gz" "${k[@]}"
	expect_exit 2 "db $v notes.txt" "$EA" db $v "$TMP/notes.txt" "${k[@]}"
	expect_exit 2 "db $v JPEG" "$EA" db $v "$TMP/jpgwal/member/wal/0000000000000000-0000000000000000.wal" "${k[@]}"
done

# --- snap ls ------------------------------------------------------------------------------
expect_exit 0 "snap ls clean" "$EA" snap ls "$H/n1.tar.gz"
expect_exit 1 "snap ls a .snap with a flipped byte" "$EA" snap ls "$TMP/snaps/n1"
expect_exit 2 "snap ls usage" "$EA" snap ls --bogus "$H/n1.tar.gz"
expect_exit 2 "snap ls notes.txt" "$EA" snap ls "$TMP/notes.txt"
expect_exit 2 "snap ls JPEG named as a .snap" "$EA" snap ls "$TMP/jpgsnap"
check "snap ls JPEG: 'not a .snap file'" grep -q "not a .snap file" "$TMP/err"

# --- history / diff / export / report: the same members, the same answer -------------------
expect_exit 0 "history clean" "$EA" history "${HN[@]}"
expect_exit 0 "diff clean" "$EA" diff "${HN[@]}"
expect_exit 0 "export clean" "$EA" export -q -o "$(out sqlite)" "${HN[@]}"
expect_exit 0 "report clean" "$EA" report -q -o "$(out html)" "${HN[@]}"
# the election storm: consistent data, a term-inflation warning (12 failed elections)
check "storm: the logs name failed elections" [ -n "$(manifest election-storm failed_election_terms)" ]
expect_exit 1 "diff storm (warning finding)" "$EA" diff "${EN[@]}"
expect_exit 1 "export storm (warning finding)" "$EA" export -q -o "$(out sqlite)" "${EN[@]}"
expect_exit 1 "report storm (warning finding)" "$EA" report -q -o "$(out html)" "${EN[@]}"
for c in history diff; do
	expect_exit 1 "$c damaged WAL" "$EA" $c "$BITFLIP"
	expect_exit 1 "$c damaged db" "$EA" $c "$LEAF"
	expect_exit 2 "$c usage" "$EA" $c --bogus "${HN[@]}"
	expect_exit 2 "$c notes.txt" "$EA" $c "$TMP/notes.txt"
	check "$c notes.txt: says nothing etcd-shaped was read" grep -q "nothing etcd-shaped" "$TMP/err"
	expect_exit 2 "$c JPEG named as a segment" "$EA" $c "$TMP/jpgwal"
	expect_exit 2 "$c one good member and notes.txt" "$EA" $c "$H/n1.tar.gz" "$TMP/notes.txt"
done
for c in export report; do
	ext=sqlite; [ $c = report ] && ext=html
	expect_exit 1 "$c damaged WAL" "$EA" $c -q -o "$(out $ext)" "$BITFLIP"
	expect_exit 1 "$c damaged db" "$EA" $c -q -o "$(out $ext)" "$LEAF"
	expect_exit 2 "$c usage" "$EA" $c --bogus -o "$(out $ext)" "${HN[@]}"
	o=$(out $ext)
	expect_exit 2 "$c notes.txt" "$EA" $c -q -o "$o" "$TMP/notes.txt"
	check "$c notes.txt: nothing written" [ ! -e "$o" ]
	expect_exit 2 "$c JPEG named as a segment" "$EA" $c -q -o "$(out $ext)" "$TMP/jpgwal"
done

# --- verify -------------------------------------------------------------------------------
expect_exit 0 "verify restorable backup" "$EA" verify "$H/backup.tar.gz"
expect_exit 1 "verify damaged WAL" "$EA" verify "$BITFLIP"
expect_exit 1 "verify damaged db" "$EA" verify "$LEAF"
expect_exit 2 "verify usage" "$EA" verify --bogus "$H/backup.tar.gz"
expect_exit 2 "verify notes.txt (as db check notes.txt)" "$EA" verify "$TMP/notes.txt"
expect_exit 2 "db check notes.txt (as verify notes.txt)" "$EA" db check "$TMP/notes.txt"
expect_exit 2 "verify JPEG named as a segment" "$EA" verify "$TMP/jpgwal"
expect_exit 2 "verify --against notes.txt" "$EA" verify "$H/backup.tar.gz" --against "$TMP/notes.txt"

# --- the top level ------------------------------------------------------------------------
expect_exit 2 "no command" "$EA"
check "usage states the rule" grep -q "2 usage error or nothing etcd-shaped" "$TMP/err"
expect_exit 0 "--help" "$EA" --help
finish
