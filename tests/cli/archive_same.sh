# archive_same.sh: sourced by the archive tests (test_archive_inplace.sh, test_archive_stream.sh,
# test_archive_stream_late_stage.sh; issue 18).
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
# archive_fixtures EXT TAR_OPT: the fixtures healthy/n1 and corrupt/torn-tail as data dirs
# $TMP/d1, $TMP/d2 and as archives $TMP/a1.EXT, $TMP/a2.EXT (tar --sort=name TAR_OPT), each
# giving its data dir's output (same_as_dir); the staging note of `wal stat` on each (TMPDIR
# $TMP/stage) in $TMP/note1, $TMP/note2; the fixture names in AFX[1], AFX[2].
AFX=("" healthy/n1 corrupt/torn-tail)
archive_fixtures() {
	local ext=$1 opt=$2 i
	mkdir -p "$TMP/stage"
	for i in 1 2; do
		extract "$FIXTURES/${AFX[$i]}.tar.gz" "$TMP/d$i"
		tar --sort=name -C "$TMP/d$i" "$opt" "$TMP/a$i.$ext" member
		same_as_dir "$TMP/d$i" "$TMP/a$i.$ext" "${AFX[$i]} .$ext"
		TMPDIR="$TMP/stage" "$EA" wal stat "$TMP/a$i.$ext" >/dev/null 2>"$TMP/note$i"
	done
}
# diff_three EXT TAR_OPT: the diff of healthy n1..n3 as archives (tar --sort=name TAR_OPT) has
# the exit status and output of the diff of the data dirs; its stderr (the notes) in $TMP/err.
diff_three() {
	local ext=$1 opt=$2 n a b
	for n in 1 2 3; do
		extract "$FIXTURES/healthy/n$n.tar.gz" "$TMP/h$n"
		tar --sort=name -C "$TMP/h$n" "$opt" "$TMP/h$n.$ext" member
	done
	"$EA" diff n1="$TMP/h1" n2="$TMP/h2" n3="$TMP/h3" >"$TMP/dir.out" 2>/dev/null; a=$?
	"$EA" diff n1="$TMP/h1.$ext" n2="$TMP/h2.$ext" n3="$TMP/h3.$ext" >"$TMP/arc.out" 2>"$TMP/err"; b=$?
	check "diff of three .$ext: same exit status ($a, $b)" test "$a" = "$b"
	check "diff of three .$ext: same output" cmp -s "$TMP/dir.out" "$TMP/arc.out"
}
# stage_limit_sizes ARCHIVE: the bytes of its WAL members in $wal, of its other members in
# $other, and in $lim a --stage-limit in MiB just above $other (2 MiB more than its MiB).
stage_limit_sizes() {
	local sizes
	sizes=$(python3 - "$1" <<'PY'
import sys, tarfile
w = o = 0
for m in tarfile.open(sys.argv[1]):
    if m.isfile():
        if m.name.endswith('.wal'): w += m.size
        else: o += m.size
print(o, w)
PY
)
	other=${sizes% *}; wal=${sizes#* }
	lim=$(( (other >> 20) + 2 ))
}
