# test_readonly.sh: every command leaves its input untouched: same bytes (SHA-256), size and
# mtime for every file, and no file created in the input directories: wal, db (every
# subcommand), snap, history, diff, verify, export and report on dirs, files and archives.
. "$(dirname "$0")/lib.sh"

snapshot() { # list path, size, mtime, sha256 of every file below $1
	(cd "$1" && find . -type f -printf '%p %s %T@\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
for sc in healthy; do
	mkdir -p "$TMP/in" && tar -C "$TMP/in" -xzf "$FIXTURES/$sc/n1.tar.gz"
	cp "$FIXTURES/corrupt/bitflip.tar.gz" "$TMP/in/"
	tar -C "$TMP/in" -xzf "$FIXTURES/$sc/n2.tar.gz"
	tar -C "$TMP/in" -xzf "$FIXTURES/$sc/backup.tar.gz"
	snapshot "$TMP/in" >"$TMP/before"
	for args in "wal stat" "wal stat -w json" "wal ls" "wal ls -w json" "wal ls --records -w json"; do
		$EA $args "$TMP/in/n1" >/dev/null 2>&1
		$EA $args "$TMP/in/n1/member/wal" >/dev/null 2>&1
		$EA $args "$TMP/in/bitflip.tar.gz" >/dev/null 2>&1
	done
	for sub in stat check ls hash pages "history foo" "stat -w json"; do
		for p in n1 n1/member/snap/db backup.db bitflip.tar.gz; do $EA db $sub "$TMP/in/$p" >/dev/null 2>&1; done
	done
	for p in n1 n1/member/snap bitflip.tar.gz; do $EA snap ls "$TMP/in/$p" >/dev/null 2>&1; done
	$EA history "$TMP/in/n1" >/dev/null 2>&1
	$EA history -w json "$TMP/in/bitflip.tar.gz" >/dev/null 2>&1
	# bitflip is a copy of n1 (same member ID): never given together with n1 to one command
	$EA diff "$TMP/in/n1" "$TMP/in/n2" >/dev/null 2>&1
	$EA diff "$TMP/in/n2" "$TMP/in/bitflip.tar.gz" >/dev/null 2>&1
	$EA verify "$TMP/in/backup.db" --against "$TMP/in/n1" >/dev/null 2>&1
	$EA verify "$TMP/in/n1" >/dev/null 2>&1
	mkdir -p "$TMP/out"   # outputs go outside the inputs
	for cmd in export report; do   # commands that exist by the time they run
		if $EA $cmd --help >/dev/null 2>&1; then
			$EA $cmd -o "$TMP/out/$cmd.out" "$TMP/in/n2" "$TMP/in/bitflip.tar.gz" >/dev/null 2>&1
			check "$cmd wrote its output" test -s "$TMP/out/$cmd.out"
		fi
	done
	snapshot "$TMP/in" >"$TMP/after"
	check "input unchanged" cmp -s "$TMP/before" "$TMP/after"
	[ -s "$TMP/before" ] && ok || fail "snapshot empty"
done
finish
