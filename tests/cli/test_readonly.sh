# test_readonly.sh: every command leaves its input untouched: same bytes (SHA-256), size and
# mtime for every file, and no file created in the input directories.
. "$(dirname "$0")/lib.sh"

snapshot() { # list path, size, mtime, sha256 of every file below $1
	(cd "$1" && find . -type f -printf '%p %s %T@\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
for sc in healthy; do
	mkdir -p "$TMP/in" && tar -C "$TMP/in" -xzf "$FIXTURES/$sc/n1.tar.gz"
	cp "$FIXTURES/corrupt/bitflip.tar.gz" "$TMP/in/"
	snapshot "$TMP/in" >"$TMP/before"
	for args in "wal stat" "wal stat -w json" "wal ls" "wal ls -w json" "wal ls --records -w json"; do
		$EA $args "$TMP/in/n1" >/dev/null 2>&1
		$EA $args "$TMP/in/n1/member/wal" >/dev/null 2>&1
		$EA $args "$TMP/in/bitflip.tar.gz" >/dev/null 2>&1
	done
	for cmd in db snap history diff verify export; do   # commands that exist by the time they run
		if $EA $cmd --help >/dev/null 2>&1; then
			for sub in "" stat check ls; do $EA $cmd $sub "$TMP/in/n1" >/dev/null 2>&1; done
		fi
	done
	snapshot "$TMP/in" >"$TMP/after"
	check "input unchanged" cmp -s "$TMP/before" "$TMP/after"
	[ -s "$TMP/before" ] && ok || fail "snapshot empty"
done
finish
