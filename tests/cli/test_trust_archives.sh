# test_trust_archives.sh: archives as they come (issue 13, items 12-14). Same-named members,
# hard links and symlinks inside an archive; where and how much is staged (TMPDIR, the
# --stage-limit cap, a full TMPDIR); time and memory on a 16 GiB sparse db and on an archive
# of 10^5 long-named members. Archives are built here from the real fixtures (python3
# tarfile, GNU tar); facts come from fixtures/healthy/manifest.txt.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }

H=$FIXTURES/healthy
SEG0=0000000000000000-0000000000000000.wal
ID1=$(manifest healthy n1.member_id); ID2=$(manifest healthy n2.member_id)
export PYTHONDONTWRITEBYTECODE=1

# bounded KB SECONDS CMD...: runs CMD (stdout $TMP/out, stderr $TMP/err, status $TMP/rc);
# succeeds when it ended within SECONDS and its peak RSS stayed under KB
bounded() {
	python3 - "$@" <<'EOF'
import resource, subprocess, sys, os
kb, secs, cmd = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
tmp = os.environ["TMP"]
with open(tmp + "/out", "w") as o, open(tmp + "/err", "w") as e:
    try:
        rc = subprocess.run(cmd, stdout=o, stderr=e, timeout=secs).returncode
    except subprocess.TimeoutExpired:
        print("timed out after %gs" % secs, file=sys.stderr); sys.exit(1)
open(tmp + "/rc", "w").write(str(rc))
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if rss > kb:
    print("peak RSS %d KB > %d KB" % (rss, kb), file=sys.stderr); sys.exit(1)
EOF
}
export TMP
lacks() { ! grep -q "$@"; }   # lacks PATTERN FILE...: no line matches

# ---- archives built from the fixture members ---------------------------------------------
python3 - "$H" "$TMP" <<'EOF'
import io, sys, tarfile
H, T = sys.argv[1], sys.argv[2]
def member(node, rel):
    with tarfile.open("%s/%s.tar.gz" % (H, node)) as t:
        return t.extractfile("%s/member/%s" % (node, rel)).read()
seg = "wal/0000000000000000-0000000000000000.wal"
s1, s2, d1, d2 = member("n1", seg), member("n2", seg), member("n1", "snap/db"), member("n2", "snap/db")
def build(name, items):
    offs = []
    with tarfile.open("%s/%s" % (T, name), "w:gz", compresslevel=1) as t:
        for path, data in items:
            ti = tarfile.TarInfo(path); ti.size = len(data)
            offs.append(t.offset)      # where this entry's header starts (uncompressed stream)
            t.addfile(ti, io.BytesIO(data))
    with open("%s/%s.offsets" % (T, name), "w") as f:
        f.write(" ".join(map(str, offs)) + "\n")
build("dupwal.tar.gz", [("member/" + seg, s1), ("member/" + seg, s2)])   # two members' WALs merged
build("dupsame.tar.gz", [("member/" + seg, s1), ("member/" + seg, s1)])  # appended twice
build("dupdb.tar.gz", [("member/" + seg, s1), ("member/snap/db", d1), ("member/snap/db", d2)])
EOF

# ---- item 12: same-named WAL segments: refused by name and entry, never a seq underflow ----
read -r o1 o2 <"$TMP/dupwal.tar.gz.offsets"
expect_exit 2 "duplicate segments: usage error" "$EA" wal stat "$TMP/dupwal.tar.gz"
check "duplicate segments: no unsigned underflow" lacks 18446744073709551615 "$TMP/out" "$TMP/err"
check "duplicate segments: named" grep -q "member/wal/$SEG0" "$TMP/err"
check "duplicate segments: entry numbers and header offsets" \
	grep -q "#1 (header at byte $o1, .*#2 (header at byte $o2," "$TMP/err"
check "duplicate segments: how to choose" grep -q "dupwal.tar.gz#1 or #2" "$TMP/err"
# the choice decides which member's WAL is read, whatever the order in the archive
"$EA" wal stat -w json "$TMP/dupwal.tar.gz#1" >"$TMP/c1.json" 2>/dev/null
check "#1 is n1's WAL" [ "$(jq -r .member_id "$TMP/c1.json")" = "$ID1" ]
"$EA" wal stat -w json "$TMP/dupwal.tar.gz#2" >"$TMP/c2.json" 2>/dev/null
check "#2 is n2's WAL" [ "$(jq -r .member_id "$TMP/c2.json")" = "$ID2" ]
expect_exit 2 "#9 is no entry with a duplicate" "$EA" wal stat "$TMP/dupwal.tar.gz#9"
expect_exit 2 "#1,2 chooses two for one name" "$EA" wal stat "$TMP/dupwal.tar.gz#1,2"
expect_exit 2 "#N on a directory" "$EA" wal stat "$TMP#1"

# identical copies (an archive appended to twice) are one member, said as information
expect_exit 0 "identical copies: read" "$EA" wal stat -w json "$TMP/dupsame.tar.gz"
check "identical copies: n1's WAL" [ "$(jq -r .member_id "$TMP/out")" = "$ID1" ]
check "identical copies: reported" jq -e '[.problems[]|select(.kind=="archive-duplicate-member" and .severity=="info")]|length==1' "$TMP/out" >/dev/null

# same-named dbs: which entries, and how to choose (the path of one cannot be given)
expect_exit 2 "duplicate db: usage error" "$EA" db stat "$TMP/dupdb.tar.gz"
check "duplicate db: entries 2 and 3" grep -q "member/snap/db: .*entries #2 .*#3 .*dupdb.tar.gz#2 or #3" "$TMP/err"
check "duplicate db: no 'give the path of one'" lacks "give the path of one" "$TMP/err"
"$EA" db stat -w json "$TMP/dupdb.tar.gz#3" >"$TMP/db3.json" 2>/dev/null
check "#3 is n2's db (HashKV as etcd reported)" [ "$(jq -r .hash "$TMP/db3.json")" = "$(manifest healthy n2.hashkv)" ]
"$EA" db stat -w json "$TMP/dupdb.tar.gz#2" >"$TMP/db2.json" 2>/dev/null
check "#2 is n1's db (HashKV as etcd reported)" [ "$(jq -r .hash "$TMP/db2.json")" = "$(manifest healthy n1.hashkv)" ]

# two segment files with one seq (different first index) in a directory: no underflow either
mkdir -p "$TMP/x" && tar xzf "$H/n1.tar.gz" -C "$TMP/x"
M=$TMP/x/n1/member
mkdir -p "$TMP/sameseq/member/wal"
for f in "$M"/wal/*.wal; do ln "$f" "$TMP/sameseq/member/wal/"; done
ln "$M/wal/0000000000000001-0000000000000181.wal" "$TMP/sameseq/member/wal/0000000000000001-0000000000000999.wal"
"$EA" wal stat -w json "$TMP/sameseq" >"$TMP/ss.json" 2>"$TMP/ss.err"
check "same seq: no unsigned underflow" lacks 18446744073709551615 "$TMP/ss.json" "$TMP/ss.err"
check "same seq: reported" jq -e '[.problems[]|select(.kind=="duplicate-segment-seq")]|length==1' "$TMP/ss.json" >/dev/null

# hard links: GNU tar stores the second name of a file as a link to the first
mkdir -p "$TMP/hl/member/snap" "$TMP/hl/member/wal"
ln "$M/wal/$SEG0" "$TMP/hl/member/wal/$SEG0"
ln "$M/snap/db" "$TMP/hl/member/snap/db.orig"
ln "$M/snap/db" "$TMP/hl/member/snap/db"
tar cf "$TMP/hl.tar" -C "$TMP/hl" member/snap/db.orig member/snap/db "member/wal/$SEG0"
check "setup: member/snap/db is a hard link member" sh -c "tar tvf '$TMP/hl.tar' | grep -q '^h.* member/snap/db link to member/snap/db.orig'"
expect_exit 0 "hard link: db read" "$EA" db stat -w json "$TMP/hl.tar"
check "hard link: HashKV as etcd reported" [ "$(jq -r .hash "$TMP/out")" = "$(manifest healthy n1.hashkv)" ]
check "hard link: size as etcd reported" [ "$(jq -r .size "$TMP/out")" = "$(manifest healthy n1.db_size)" ]

# symlinks: warned about, never followed (here: to a real db outside the archive)
mkdir -p "$TMP/sl/member/snap" "$TMP/sl/member/wal"
ln "$M/wal/$SEG0" "$TMP/sl/member/wal/$SEG0"
ln -s "$M/snap/db" "$TMP/sl/member/snap/db"
tar cf "$TMP/sl.tar" -C "$TMP/sl" member
expect_exit 2 "symlink: the db outside the archive is not read" "$EA" db stat "$TMP/sl.tar"
"$EA" wal stat -w json "$TMP/sl.tar" >"$TMP/sl.json" 2>/dev/null
check "symlink: warned with its target" jq -e --arg t "$M/snap/db" '[.problems[]|select(.kind=="archive-symlink" and .file=="member/snap/db" and (.message|contains($t)))]|length==1' "$TMP/sl.json" >/dev/null

# ---- item 13: staging under TMPDIR, capped, failures named -------------------------------
python3 - "$TMP" <<'EOF'
import sys, tarfile, io
T = sys.argv[1]
class Ones(io.RawIOBase):      # 64 MiB of non-zero bytes, compressed to ~64 KiB
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = b"\x01" * k; self.n -= k; return k
with tarfile.open(T + "/bomb.tar.gz", "w:gz") as t:   # the db is staged (WAL members stream)
    for name in ("member/snap/db", "member/wal/0000000000000000-0000000000000000.wal"):
        ti = tarfile.TarInfo(name); ti.size = 64 << 20
        t.addfile(ti, io.BufferedReader(Ones(ti.size)))
EOF
check "setup: the bomb is small" [ "$(stat -c %s "$TMP/bomb.tar.gz")" -lt 1000000 ]
mkdir -p "$TMP/stage"
expect_exit 2 "--stage-limit refuses" env TMPDIR="$TMP/stage" "$EA" wal stat --stage-limit 16M "$TMP/bomb.tar.gz"
check "--stage-limit: says how to raise it" grep -q -- "--stage-limit SIZE or ETCD_AUTOPSY_STAGE_LIMIT=SIZE" "$TMP/err"
check "--stage-limit: names the limit and TMPDIR" grep -q "16.0 MiB .*$TMP/stage" "$TMP/err"
expect_exit 2 "ETCD_AUTOPSY_STAGE_LIMIT refuses" env TMPDIR="$TMP/stage" ETCD_AUTOPSY_STAGE_LIMIT=16M "$EA" db stat "$TMP/bomb.tar.gz"
check "ETCD_AUTOPSY_STAGE_LIMIT: message" grep -q "more than 16.0 MiB of staging space" "$TMP/err"
# read whole under 128M: its bytes are junk, so "not a WAL segment" (exit 2), not the cap
expect_exit 2 "--stage-limit 128M reads it (junk: not a WAL segment)" env TMPDIR="$TMP/stage" "$EA" wal stat --stage-limit 128M "$TMP/bomb.tar.gz"
check "--stage-limit 128M: the segment was read, not refused" grep -q "not a WAL segment" "$TMP/err"
check "--stage-limit 128M: no staging-space message" bash -c "! grep -q 'staging space' '$TMP/err'"
expect_exit 2 "--stage-limit bad value" "$EA" wal stat --stage-limit lots "$TMP/bomb.tar.gz"
check "nothing left in TMPDIR" [ -z "$(ls -A "$TMP/stage")" ]

expect_exit 2 "TMPDIR missing" env TMPDIR="$TMP/no-such-dir" "$EA" wal stat "$TMP/dupsame.tar.gz"
check "TMPDIR missing: named" grep -q "TMPDIR=$TMP/no-such-dir: No such file or directory" "$TMP/err"
chmod 755 "$TMP"; chmod 644 "$TMP/dupsame.tar.gz"; mkdir -p "$TMP/ro"; chmod 755 "$TMP/ro"
expect_exit 2 "TMPDIR not writable (as nobody)" setpriv --reuid=65534 --regid=65534 --clear-groups \
	env TMPDIR="$TMP/ro" "$EA" wal stat "$TMP/dupsame.tar.gz"
check "TMPDIR not writable: named" grep -q "TMPDIR=$TMP/ro: Permission denied" "$TMP/err"
# a full TMPDIR: a file size limit makes the staging write fail the way ENOSPC does
( trap '' XFSZ; ulimit -f 8192; TMPDIR="$TMP/stage" exec "$EA" wal stat --stage-limit 0 "$TMP/bomb.tar.gz" ) >"$TMP/out" 2>"$TMP/err"
check "full TMPDIR: usage error" [ $? = 2 ]
check "full TMPDIR: named, with the reason" grep -q "cannot stage archive member in $TMP/stage: .*(File too large)" "$TMP/err"

# ---- item 14: time and memory ----------------------------------------------------------
if ldd "$EA" 2>/dev/null | grep -q libasan; then SAN=1; else SAN=0; fi
# a 16 GiB sparse db (a copy of n1's, extended): the salvage scan skips the hole
cp "$M/snap/db" "$TMP/sparse.db" && truncate -s 16G "$TMP/sparse.db"
"$EA" db ls --salvage -w json "$M/snap/db" >"$TMP/salvage-orig.json" 2>/dev/null
check "salvage 16 GiB sparse db: < 60 s, < 400 MB" bounded 400000 60 "$EA" db ls --salvage -w json "$TMP/sparse.db"
check "salvage 16 GiB sparse db: same elements as the original" cmp -s "$TMP/out" "$TMP/salvage-orig.json"
check "salvage: n1's keys found" [ "$(jq -r 'select(.key)|.key' "$TMP/out" | sort -u | wc -l)" -ge "$(manifest healthy n1.revision | awk '{print int($1/2)}')" ]
rm -f "$TMP/sparse.db"

# 10^5 empty members with 2000-byte names after n1's first segment (a few MB compressed)
python3 - "$TMP" "$M/wal/$SEG0" <<'EOF'
import sys, tarfile, io
T, seg = sys.argv[1], sys.argv[2]
with tarfile.open(T + "/many.tar.gz", "w:gz", compresslevel=1, format=tarfile.GNU_FORMAT) as t:
    t.add(seg, "member/wal/0000000000000000-0000000000000000.wal")
    pad = "x" * 2000
    for i in range(100000):
        t.addfile(tarfile.TarInfo("member/junk/%s%06d" % (pad, i)))
EOF
lim=$([ $SAN = 1 ] && echo 300000 || echo 120000)
check "10^5 long-named members: < 60 s, bounded RSS" bounded $lim 60 "$EA" wal stat -w json "$TMP/many.tar.gz"
check "10^5 long-named members: n1's WAL still read" [ "$(jq -r .member_id "$TMP/out")" = "$ID1" ]
check "10^5 long-named members: the limit said" jq -e '[.problems[]|select(.kind=="archive-too-many-members" and .severity=="error")]|length==1' "$TMP/out" >/dev/null

finish
