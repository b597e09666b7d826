# test_trust_terminal.sh: no terminal control byte from the evidence reaches stdout or stderr
# in table mode. Inputs carry ESC/BEL/OSC/CSI in auth user and role names and keys (a WAL
# written by mkwal.py), in file names of a data dir, in archive member names, and in a member's
# name and peer URL in the db (a real member's db, rewritten at the same length). Every
# command's table output and stderr is checked: no byte < 0x20 other than \n and \t, no 0x7f;
# the escaped forms (\x1b...) are there, next to the facts from the fixture manifest.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
H=$FIXTURES/healthy
mkdir -p "$TMP/src" "$TMP/in"
tar -xzf "$H/n1.tar.gz" -C "$TMP/src"
python3 "$(dirname "$0")/mkhostile_names.py" "$TMP/src/n1" "$TMP/in"
# auth_user_add "a ESC ] 0 ; A BEL LF", auth_role_add "role ESC [2J", put "/k/ ESC",
# a v2 request whose method is "ESC [2J PUT" (its kind is v2:<method>)
python3 "$(dirname "$0")/mkwal.py" "$TMP/in/w" 611b5d303b41070a 726f6c651b5b324a 2f6b2f1b 1b5b324a505554
cd "$TMP/in" || exit 1

clean() { # clean FILE: no C0 byte but \n and \t, no DEL
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
bad = [i for i, b in enumerate(d) if (b < 0x20 and b not in (9, 10)) or b == 0x7f]
if bad:
    print("control byte at %d: %r" % (bad[0], d[max(0, bad[0] - 50):bad[0] + 10]), file=sys.stderr)
sys.exit(1 if bad else 0)' "$1"
}
run() { # run COMMAND...: both streams clean
	"$EA" "$@" >"$TMP/out" 2>"$TMP/err"
	check "$* (stdout)" clean "$TMP/out"
	check "$* (stderr)" clean "$TMP/err"
}
# each command on the inputs whose names it prints (a minute under ASan on a loaded machine)
run wal ls w
run wal ls --records w
run history w
for input in dd evil.tar; do
	run wal stat "$input"
	run wal ls "$input"
	run snap ls "$input"
	run db stat "$input"
	run verify "$input"
done
run db stat mdb
run snap ls mdb
run history dd evil.tar w
run diff "$(printf 'n\033[2J=dd')" evil.tar mdb

# the names are still there, escaped
"$EA" wal ls w >"$TMP/out" 2>&1
check "wal ls: auth user name escaped" grep -qF 'auth_user_add' "$TMP/out"
check "wal ls: user=a\\x1b]0;A\\x07\\x0a" grep -qF 'user=a\x1b]0;A\x07\x0a password=<redacted>' "$TMP/out"
check "wal ls: role=role\\x1b[2J" grep -qF 'role=role\x1b[2J' "$TMP/out"
check "wal ls: kind v2:\\x1b[2JPUT" grep -qF 'v2:\x1b[2JPUT' "$TMP/out"
n2=$(manifest healthy n2.member_id)
"$EA" db stat mdb >"$TMP/out" 2>&1
check "db stat: member $n2 named \\x1b[2J, peer http://\\x1b]0;x:21480" \
	grep -qE "^  0*$n2 \\\\x1b\\[2J +peer http://\\\\x1b\\]0;x:21480 client" "$TMP/out"
"$EA" wal stat dd >"$TMP/out" 2>"$TMP/err"
check "wal stat dd: the odd WAL file named in a problem line, escaped" \
	grep -qF 'member/wal/\x1b]0;pwned\x07.wal' "$TMP/out"
"$EA" wal stat evil.tar >"$TMP/out" 2>"$TMP/err"
check "wal stat evil.tar: archive member names escaped on stdout" grep -qF '\x1b]0;pwned\x07n1/member/wal' "$TMP/out"
check "wal stat evil.tar: and in the stderr summary" grep -qF '\x1b]0;pwned\x07n1/member/wal' "$TMP/err"
check "wal stat evil.tar: the real segments are read ($(manifest healthy n1.wal_segments))" \
	[ "$("$EA" wal stat evil.tar -w json 2>/dev/null | jq '.segments|length')" = "$(manifest healthy n1.wal_segments)" ]
# a detail (a description) spells control bytes as \xNN in JSON too; fields such as a db
# member name keep the exact bytes (escaped as JSON)
check "wal ls -w json: the user name spelled exactly in the detail" \
	[ "$("$EA" wal ls w -w json 2>/dev/null | jq -r 'select(.kind=="auth_user_add").detail')" = 'user=a\x1b]0;A\x07\x0a password=<redacted>' ]
check "db stat -w json: the exact member name" \
	[ "$("$EA" db stat mdb -w json 2>/dev/null | jq -r --arg id "$n2" '.members[]|select(.id==$id).name')" = "$(printf '\033[2J')" ]
finish
