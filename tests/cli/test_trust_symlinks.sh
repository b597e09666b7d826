# test_trust_symlinks.sh (issue 13 item 11): symlinks inside a data dir. The walk follows
# etcd's layout (member/wal, member/snap, read by name as etcd opens them), follows no other
# directory symlink, and names what it skipped. Links to ".", "..", "/" and /proc in a copy of
# healthy/n1 must not slow it down, break it or walk the file system: every command is bounded
# by `timeout 20` (before, ten links to "." made `db stat` run for minutes). Facts from the
# fixture's manifest (what etcd reported).
. "$(dirname "$0")/lib.sh"

H=$FIXTURES/healthy
tar -C "$TMP" -xzf "$H/n1.tar.gz"
tar -C "$TMP" -xzf "$H/n2.tar.gz"
tar -C "$TMP" -xzf "$H/n3.tar.gz"
D=$TMP/n1
for i in 0 1 2 3 4 5 6 7 8 9; do
	ln -s . "$D/dot$i"
	ln -s . "$D/member/wal/dot$i"
	ln -s . "$D/member/snap/dot$i"
done
ln -s .. "$D/member/up"
ln -s / "$D/member/snap/root"
ln -s /proc "$D/member/wal/proc"
ln -s /dev/zero "$D/member/snap/zero"
T="timeout 20"

expect_exit 0 "db stat within 20 s" $T "$EA" db stat -w json "$D"
check "db stat: revision = etcd's" [ "$(jq -r .revision "$TMP/out")" = "$(manifest healthy n1.revision)" ]
check "db stat: the skipped link to / is named" \
	jq -e '.problems|any(.kind=="skipped" and .file=="member/snap/root" and (.message|test("symlink to /,")))' "$TMP/out" >/dev/null

expect_exit 0 "wal stat within 20 s" $T "$EA" wal stat -w json "$D"
W=$TMP/out
check "wal stat: segments = etcd's" [ "$(jq '.segments|length' "$W")" = "$(manifest healthy n1.wal_segments)" ]
check "wal stat: last index = etcd's" [ "$(jq .last_index "$W")" = "$(manifest healthy n1.raft_index)" ]
check "wal stat: no warning or error" jq -e '[.problems[]|select(.severity!="info")]|length==0' "$W" >/dev/null
check "wal stat: member/up -> .. skipped and named" \
	jq -e '.problems|any(.kind=="skipped" and .file=="member/up" and (.message|test("symlink to \\.\\.")))' "$W" >/dev/null
check "wal stat: the link to /proc skipped" jq -e '.problems|any(.kind=="skipped" and .file=="member/wal/proc")' "$W" >/dev/null
check "wal stat: no file from / or /proc listed" jq -e '(.segments|length) as $n|[.segments[].file|select(startswith("member/wal/0"))]|length==$n' "$W" >/dev/null

expect_exit 0 "diff within 20 s, consistent" $T "$EA" diff -w json n1="$D" n2="$TMP/n2" n3="$TMP/n3"
check "diff: consistent (as etcd's endpoint status says)" jq -e '.verdict=="consistent"' "$TMP/out" >/dev/null
expect_exit 0 "verify within 20 s" $T "$EA" verify -w json "$D"
check "verify: restorable" jq -e '.verdict=="restorable"' "$TMP/out" >/dev/null
expect_exit 0 "snap ls within 20 s" $T "$EA" snap ls "$D"

# etcd opens member/wal by name: a symlinked WAL dir is followed, as etcd follows it
mv "$D/member/wal" "$TMP/elsewhere-wal"
ln -s "$TMP/elsewhere-wal" "$D/member/wal"
expect_exit 0 "symlinked member/wal is read" $T "$EA" wal stat -w json "$D"
check "symlinked member/wal: segments = etcd's" [ "$(jq '.segments|length' "$TMP/out")" = "$(manifest healthy n1.wal_segments)" ]
# a layout link that loops back (member/snap -> ..) is entered once, never walked again
rm "$D/member/wal" && mv "$TMP/elsewhere-wal" "$D/member/wal"
mv "$D/member/snap" "$TMP/snap.real"
ln -s .. "$D/member/snap"
expect_exit 0 "member/snap -> .. within 20 s" $T "$EA" wal stat "$D"
finish
