#!/usr/bin/env bash
# An uncompressed tar is read in place (issue 18): its plain members are read from the archive
# file at their data offset, nothing is staged, and every command gives the output of the data
# dir the tar was made from. A sparse member (GNU tar -S) is staged, with the same result; a
# member cut short by the end of the file is reported as before (archive-damaged, by member
# and offset, never a read past the file).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/archive_same.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

archive_fixtures tar -cf
for i in 1 2; do
	k=$(tar -tvf "$TMP/a$i.tar" | grep -c '^-')
	check "${AFX[$i]} .tar: nothing staged, $k members read in place" \
		grep -q "^etcd-autopsy wal stat: $TMP/a$i.tar: staged nothing; read in place ($k members, " "$TMP/note$i"
done

# a diff of three tarballs: the diff of the three data dirs
diff_three tar -cf
check "diff of three .tar: nothing staged" test "$(grep -c ': staged nothing; read in place' "$TMP/err")" = 3

# a sparse member (GNU tar -S of holes): staged, same output
mkdir -p "$TMP/sp/member"
cp -r "$TMP/d1/member/snap" "$TMP/sp/member/"
mkdir -p "$TMP/sp/member/wal"
for f in "$TMP"/d1/member/wal/*; do cp --sparse=always "$f" "$TMP/sp/member/wal/"; done
tar -S --sort=name -C "$TMP/sp" -cf "$TMP/sparse.tar" member
ns=$(python3 -c "import tarfile,sys; print(sum(1 for m in tarfile.open(sys.argv[1]) if m.sparse is not None))" "$TMP/sparse.tar")
check "setup: tar stored sparse members ($ns)" test "$ns" -gt 0
same_as_dir "$TMP/sp" "$TMP/sparse.tar" "sparse .tar"
"$EA" wal stat "$TMP/sparse.tar" >/dev/null 2>"$TMP/err"
check "sparse .tar: the $ns sparse members are staged" grep -q ": staged $ns member" "$TMP/err"

# a member cut short by the end of the file: the db, 100000 bytes after its data starts
cut=$(python3 -c "import tarfile,sys; print([m.offset_data for m in tarfile.open(sys.argv[1]) if m.name == 'member/snap/db'][0] + 100000)" "$TMP/a1.tar")
cp "$TMP/a1.tar" "$TMP/cut.tar" && truncate -s "$cut" "$TMP/cut.tar"
"$EA" db check "$TMP/cut.tar" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "cut .tar: an error exit ($rc)" test "$rc" = 2 -o "$rc" = 1
check "cut .tar: archive-damaged, by archive, member and offset" \
	grep -q "$TMP/cut.tar: .*member/snap/db+[0-9]*: archive-damaged: archive member is cut short" "$TMP/err"
"$EA" wal stat "$TMP/cut.tar" >"$TMP/out" 2>"$TMP/err"
check "cut .tar: the WAL after the cut is not listed" bash -c "! grep -q '0000000000000000-0000000000000000.wal' '$TMP/out'"
finish
