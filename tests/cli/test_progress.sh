# test_progress.sh: progress on stderr only when stderr is a terminal, after about a second,
# never with -q, and never mixed into stdout.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "script(1) not installed: skipping"; exit 77; }
H=$FIXTURES/healthy
run_tty() { script -qec "$1" /dev/null </dev/null; }
run_tty "'$EA' diff '$H/n1.tar.gz' '$H/n2.tar.gz' '$H/n3.tar.gz' >'$TMP/out.txt'" >"$TMP/tty.txt"
check "progress on a terminal" grep -aq 'etcd-autopsy diff: .*read .* at .*/s' "$TMP/tty.txt"
check "stdout unaffected" grep -q '^VERDICT: consistent' "$TMP/out.txt"
check "no progress in stdout" sh -c "! grep -aq 'etcd-autopsy diff: .*read' '$TMP/out.txt'"
run_tty "'$EA' diff -q '$H/n1.tar.gz' '$H/n2.tar.gz' '$H/n3.tar.gz' >/dev/null" >"$TMP/quiet.txt"
check "-q: no progress" sh -c "! grep -aq 'etcd-autopsy diff: .*read' '$TMP/quiet.txt'"
"$EA" diff "$H/n1.tar.gz" "$H/n2.tar.gz" "$H/n3.tar.gz" >/dev/null 2>"$TMP/pipe.txt"
check "not a terminal: no progress" sh -c "! grep -aq 'etcd-autopsy diff: .*read' '$TMP/pipe.txt'"
finish
