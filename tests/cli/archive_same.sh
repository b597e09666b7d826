# archive_same.sh: sourced by test_archive_inplace.sh and test_archive_stream.sh (issue 18).
# same_as_dir DIR ARCHIVE LABEL: wal stat, wal ls -w json, db hash and replay -w json give the
# same stdout and exit status on ARCHIVE as on DIR (the data dir it was made from).
same_as_dir() {
	local dir=$1 arc=$2 label=$3 c
	for c in "wal stat" "wal ls -w json" "db hash" "replay -w json"; do
		# shellcheck disable=SC2086
		"$EA" $c "$dir" >"$TMP/dir.out" 2>/dev/null; local a=$?
		# shellcheck disable=SC2086
		"$EA" $c "$arc" >"$TMP/arc.out" 2>"$TMP/arc.err"; local b=$?
		check "$label: $c: same exit status ($a, $b)" test "$a" = "$b"
		sed -i "s|$dir|INPUT|g" "$TMP/dir.out"; sed -i "s|$arc|INPUT|g" "$TMP/arc.out"   # db hash names it
		check "$label: $c: same output" cmp -s "$TMP/dir.out" "$TMP/arc.out"
	done
}
# extract FIXTURE_TGZ DIR: the data dir inside a fixture archive, as DIR/member
extract() {
	mkdir -p "$TMP/xx" "$2" && tar -xzf "$1" -C "$TMP/xx" && mv "$TMP"/xx/*/member "$2/" && rm -rf "$TMP/xx"
}
