# test_trust_nodes.sh: one member given twice to a multi-node command is a usage error (exit 2)
# naming both arguments, never "consistent" (issue 13 item 3): the same path twice, the same
# directory through a symlink, a data dir and its own archive, two inputs with the same name.
. "$(dirname "$0")/lib.sh"
FB=$FIXTURES/follower-behind
BR=$FIXTURES/backup-restore
mkdir -p "$TMP/x" "$TMP/named"
tar -xzf "$FB/n1.tar.gz" -C "$TMP/x"
D=$TMP/x/n1
ln -s "$D" "$TMP/link"
cp "$FB/n2.tar.gz" "$TMP/named/n1.tar.gz"       # another member whose file is also called n1
id1=$(manifest follower-behind n1.member_id)
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }   # has TEXT PART
names_both() { # names_both DESCRIPTION A B: stderr of the last expect_exit names A and B
	local e; e=$(cat "$TMP/err")
	if has "$e" "$2" && has "$e" "$3"; then ok; else fail "$1: stderr does not name $2 and $3: $e"; fi
}

# every multi-node command: (args...) -> exit 2, both inputs named
run_cases() { # run_cases CMD [ARGS BEFORE THE NODES...]
	local c=("$@")
	expect_exit 2 "${c[0]}: same dir twice" "$EA" "${c[@]}" a="$D" b="$D"
	names_both "${c[0]}: same dir twice" "a=$D" "b=$D"
	expect_exit 2 "${c[0]}: same path twice, no names" "$EA" "${c[@]}" "$FB/n2.tar.gz" "$FB/n2.tar.gz"
	expect_exit 2 "${c[0]}: same dir through a symlink" "$EA" "${c[@]}" a="$D" b="$TMP/link"
	names_both "${c[0]}: same dir through a symlink" "a=$D" "b=$TMP/link"
	expect_exit 2 "${c[0]}: a data dir and its own archive" "$EA" "${c[@]}" dir="$D" tgz="$FB/n1.tar.gz" n3="$FB/n3.tar.gz"
	names_both "${c[0]}: a data dir and its own archive" "dir=$D" "tgz=$FB/n1.tar.gz"
	check "${c[0]}: the shared member ID is named ($id1)" grep -q "$id1" "$TMP/err"
	expect_exit 2 "${c[0]}: two members with the same given name" "$EA" "${c[@]}" x="$FB/n1.tar.gz" x="$FB/n3.tar.gz"
	names_both "${c[0]}: same given name" "x=$FB/n1.tar.gz" "x=$FB/n3.tar.gz"
	expect_exit 2 "${c[0]}: two members with the same derived name" "$EA" "${c[@]}" "$FB/n1.tar.gz" "$TMP/named/n1.tar.gz"
	names_both "${c[0]}: same derived name" "$FB/n1.tar.gz" "$TMP/named/n1.tar.gz"
}
run_cases diff
run_cases history
run_cases history --terms
run_cases export -o "$TMP/out.sqlite"
check "export: nothing written on a usage error" bash -c "! ls '$TMP'/out.sqlite* 2>/dev/null | grep -q ."
run_cases report -o "$TMP/out.html"
check "report: nothing written on a usage error" bash -c "! ls '$TMP'/out.html* 2>/dev/null | grep -q ."

# verify: the --against members are checked the same way (the backup itself is not a member)
expect_exit 2 "verify: the same --against member twice" "$EA" verify "$BR/backup.tar.gz" --against a="$BR/n1.tar.gz" --against b="$BR/n1.tar.gz"
names_both "verify: same --against twice" "a=$BR/n1.tar.gz" "b=$BR/n1.tar.gz"
expect_exit 0 "verify: distinct --against members still work" "$EA" verify "$BR/backup.tar.gz" --against "$BR/n1.tar.gz" --against "$BR/n2.tar.gz"

# distinct members are still compared: follower-behind is lagging (exit 1, not a usage error)
expect_exit 1 "diff: distinct members" "$EA" diff "$FB/n1.tar.gz" "$FB/n2.tar.gz" "$FB/n3.tar.gz"
check "diff: distinct members lagging" grep -q "lagging" "$TMP/out"
finish
