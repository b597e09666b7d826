# test_trust_failed_copy.sh (issue 13 item 5): a failed copy of a data dir is never
# "restorable". Empty WAL segments, a missing, empty or unreadable member/wal and an
# unreadable db are problems with their errno text, and `verify` says what a restore from the
# copy would lose. Copies of healthy/n1 mutated here; what etcd 3.4 itself does on them was
# observed by running it on such copies: every segment empty -> panic "cannot use none as id";
# an empty last segment -> it starts at the commit index the earlier segments hold.
# Permission cases run as an unprivileged user (the tests run as root, who reads anything).
. "$(dirname "$0")/lib.sh"

H=$FIXTURES/healthy
mk() { # mk NAME: a fresh copy of healthy/n1 at $TMP/NAME
	rm -rf "$TMP/$1" && mkdir -p "$TMP/$1.x" && tar -C "$TMP/$1.x" -xzf "$H/n1.tar.gz" && mv "$TMP/$1.x/n1" "$TMP/$1" && rmdir "$TMP/$1.x"
}
nseg=$(manifest healthy n1.wal_segments)
last=$(manifest healthy n1.wal_files | tr ',' '\n' | tail -n 1)
last_first=$((16#$(echo "$last" | sed 's/^[0-9a-f]*-\([0-9a-f]*\)\.wal$/\1/')))   # from its name

# every segment 0 bytes: one empty-segment error per segment, and not restorable
mk allempty
for f in "$TMP"/allempty/member/wal/*.wal; do : >"$f"; done
expect_exit 1 "wal stat: all segments empty" "$EA" wal stat -w json "$TMP/allempty"
check "one empty-segment error for the run of $nseg empty segments" \
	jq -e "[.problems[]|select(.kind==\"empty-segment\" and .severity==\"error\")]|length==1 and (.[0].message|startswith(\"$nseg segments\"))" "$TMP/out" >/dev/null
expect_exit 1 "verify: all segments empty" "$EA" verify -w json "$TMP/allempty"
check "all empty: not-restorable" jq -e '.verdict=="not-restorable"' "$TMP/out" >/dev/null
check "all empty: etcd panics, said" jq -e ".reasons|any(.reason|test(\"panics\") and test(\"$nseg of $nseg segments empty\"))" "$TMP/out" >/dev/null
check "all empty: what a restore loses" jq -e '.reasons|any(.reason|test("would lose"))' "$TMP/out" >/dev/null

# the last segment empty: an error naming it and the first index it held
mk lastempty
: >"$TMP/lastempty/member/wal/$last"
expect_exit 1 "wal stat: last segment empty" "$EA" wal stat -w json "$TMP/lastempty"
check "empty-segment on the last segment" \
	jq -e ".problems|any(.kind==\"empty-segment\" and .file==\"member/wal/$last\")" "$TMP/out" >/dev/null
expect_exit 1 "verify: last segment empty" "$EA" verify -w json "$TMP/lastempty"
check "last empty: not-restorable" jq -e '.verdict=="not-restorable"' "$TMP/out" >/dev/null
check "last empty: loses the entries from the segment's first index" \
	jq -e ".reasons|any(.reason|test(\"from index $last_first on\"))" "$TMP/out" >/dev/null

# the last segment zeros only (a sparse copy that lost its data): the same, said so
mk lastzero
: >"$TMP/lastzero/member/wal/$last" && truncate -s 65536 "$TMP/lastzero/member/wal/$last"
expect_exit 1 "wal stat: last segment zeros only" "$EA" wal stat -w json "$TMP/lastzero"
check "zeros-only segment is an empty-segment error" \
	jq -e ".problems|any(.kind==\"empty-segment\" and .file==\"member/wal/$last\" and (.message|test(\"only zeros\")))" "$TMP/out" >/dev/null
expect_exit 1 "verify: last segment zeros only" "$EA" verify -w json "$TMP/lastzero"
check "zeros only: not-restorable" jq -e '.verdict=="not-restorable"' "$TMP/out" >/dev/null
rm -rf "$TMP/lastzero" "$TMP/lastempty" "$TMP/allempty"

# member/wal missing, or holding no segment: not restorable, the part named with the reason
mk nowal
rm -rf "$TMP/nowal/member/wal"
expect_exit 1 "verify: member/wal missing" "$EA" verify -w json "$TMP/nowal"
check "no wal: not-restorable" jq -e '.verdict=="not-restorable" and .kind=="data-dir"' "$TMP/out" >/dev/null
check "no wal: errno text" jq -e '.reasons|any(.reason|test("member/wal: No such file or directory"))' "$TMP/out" >/dev/null
check "no wal: what a restore loses" jq -e '.reasons|any(.reason|test("would lose: the raft log"))' "$TMP/out" >/dev/null
mk emptywal
rm -f "$TMP"/emptywal/member/wal/*
expect_exit 1 "verify: member/wal empty" "$EA" verify -w json "$TMP/emptywal"
check "empty wal dir: not-restorable" jq -e '.verdict=="not-restorable"' "$TMP/out" >/dev/null
check "empty wal dir: said" jq -e '.reasons|any(.reason|test("member/wal: holds no WAL segment"))' "$TMP/out" >/dev/null

# the healthy copy: restorable, and loses nothing
mk whole
expect_exit 0 "verify: whole copy" "$EA" verify -w json "$TMP/whole"
check "whole: restorable" jq -e '.verdict=="restorable"' "$TMP/out" >/dev/null
check "whole: loses nothing" jq -e '.reasons|any(.reason|test("loses nothing"))' "$TMP/out" >/dev/null

# permission denied, as an unprivileged user on a chmod'd copy
asuser=""
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
elif command -v runuser >/dev/null && [ "$(id -u)" = 0 ]; then asuser="runuser -u nobody --"; fi
if [ -z "$asuser" ]; then
	echo "not root or no setpriv/runuser: the permission cases need an unprivileged user; skipping them"
elif ! $asuser "$EA" --version >/dev/null 2>&1; then
	echo "the binary ($EA) is not executable by uid 65534 (a parent dir without o+x?): skipping the permission cases"
else
	mk perm
	tar -C "$TMP" -xzf "$H/n2.tar.gz"
	chmod 755 "$TMP" && chmod -R a+rX "$TMP/perm" "$TMP/n2"
	chmod 000 "$TMP/perm/member/wal"
	$asuser "$EA" verify -w json "$TMP/perm" >"$TMP/pv.json" 2>"$TMP/pv.err"
	check "unreadable wal: exit 1" [ $? = 1 ]
	check "unreadable wal: not-restorable" jq -e '.verdict=="not-restorable" and .kind=="data-dir"' "$TMP/pv.json" >/dev/null
	check "unreadable wal: Permission denied named" \
		jq -e '.reasons|any(.reason|test("member/wal: cannot read directory: Permission denied"))' "$TMP/pv.json" >/dev/null
	check "unreadable wal: what a restore loses" jq -e '.reasons|any(.reason|test("would lose: the raft log"))' "$TMP/pv.json" >/dev/null
	check "unreadable wal: never 'restorable-with-warnings' for a missing trailer only" \
		jq -e '[.reasons[]|select(.reason|test("SHA-256"))]|length==0' "$TMP/pv.json" >/dev/null
	$asuser "$EA" wal stat "$TMP/perm" >/dev/null 2>"$TMP/pw.err"
	check "wal stat: exit 2" [ $? = 2 ]
	check "wal stat: Permission denied" grep -q "member/wal: cannot read directory: Permission denied" "$TMP/pw.err"
	chmod 755 "$TMP/perm/member/wal"
	chmod 000 "$TMP/perm/member/snap/db"
	$asuser "$EA" verify -w json "$TMP/perm" >"$TMP/pv.json" 2>/dev/null
	check "unreadable db: not-restorable" jq -e '.verdict=="not-restorable"' "$TMP/pv.json" >/dev/null
	check "unreadable db: Permission denied named" \
		jq -e '.reasons|any(.reason|test("member/snap/db: cannot open: Permission denied"))' "$TMP/pv.json" >/dev/null
	$asuser "$EA" db stat "$TMP/perm" >/dev/null 2>"$TMP/pd.err"
	check "db stat: exit 2" [ $? = 2 ]
	check "db stat: Permission denied" grep -q "member/snap/db: cannot open: Permission denied" "$TMP/pd.err"
	$asuser "$EA" diff -w json "$TMP/perm" "$TMP/n2" >"$TMP/pdiff.json" 2>/dev/null
	check "diff: the node without its db is incomplete, not consistent" jq -e '.verdict=="incomplete"' "$TMP/pdiff.json" >/dev/null
	check "diff: an unreadable db is not WAL damage" jq -e '[.findings[]|select(.kind=="wal-damage")]|length==0' "$TMP/pdiff.json" >/dev/null
	check "diff: Permission denied in the finding" \
		jq -e '.findings|any(.kind=="missing-part" and (.detail|test("Permission denied")))' "$TMP/pdiff.json" >/dev/null
	chmod -R u+rwX "$TMP/perm"
fi
finish
