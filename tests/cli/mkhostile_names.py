#!/usr/bin/env python3
"""mkhostile_names.py: copies of a real member's data dir whose names carry terminal control
sequences or bytes that are not UTF-8, for the terminal and JSON tests.

usage: mkhostile_names.py MEMBER_DIR OUT
  OUT/dd        the data dir plus files whose names hold ESC/BEL/OSC/CSI (WAL and snap dirs)
  OUT/evil.tar  the data dir under a top directory named with an OSC sequence, plus members
                whose names hold CSI/BEL
  OUT/mdb       the data dir whose db names member n2 "\\x1b[2J" with peer URL
                http://\\x1b]0;x:21480 (the members bucket value rewritten at the same length)
  OUT/udb       the data dir whose db has member n2 named "\\xff2" (raw, not UTF-8) and key
                /app/config/k100 changed to /app/config/k + ED A0 80 (an encoded surrogate)
Byte-for-byte replacements of the same length leave every bbolt page where it was."""
import io
import os
import shutil
import sys
import tarfile

src, out = sys.argv[1], sys.argv[2]
OSC = "\x1b]0;pwned\x07"
JUNK = b"\x1b[2J\x1b]0;junk\x07"

dd = os.path.join(out, "dd")
shutil.copytree(src, dd, symlinks=True)
for rel in ["member/wal/" + OSC + ".wal", "member/wal/0000000000000009-\x1b[31m.wal",
            "member/snap/\x1b[2J\x07.snap", "member/snap/\x1b[1m.snap.db"]:
    with open(os.path.join(dd, rel), "wb") as f:
        f.write(JUNK)

with tarfile.open(os.path.join(out, "evil.tar"), "w") as t:
    t.add(src, arcname=OSC + "n1")
    for name in ["member/wal/\x1b[31mX\x07.wal", "member/snap/\x1b[2J.snap"]:
        ti = tarfile.TarInfo(OSC + "n1/" + name)
        ti.size = len(JUNK)
        t.addfile(ti, io.BytesIO(JUNK))

def mutated(name, pairs):
    d = os.path.join(out, name)
    shutil.copytree(src, d, symlinks=True)
    p = os.path.join(d, "member/snap/db")
    db = open(p, "rb").read()
    for old, new in pairs:
        assert len(old) == len(new) and db.count(old) >= 1, old
        db = db.replace(old, new)
    open(p, "wb").write(db)

n2 = b'"peerURLs":["http://127.0.0.1:21480"],"name":"n2","clientURLs":["http://127.0.0.1:21479"]}'
head = b'"peerURLs":["http://\\u001b]0;x:21480"],"name":"\\u001b[2J","clientURLs":["http://'
tail = b':21479"]}'
mutated("mdb", [(n2, head + b"h" * (len(n2) - len(head) - len(tail)) + tail)])
mutated("udb", [(b'"name":"n2"', b'"name":"\xff2"'),
                (b"/app/config/k100", b"/app/config/k\xed\xa0\x80")])
