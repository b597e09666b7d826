#!/usr/bin/env python3
"""make-seeds.py: (re)builds the seed inputs of tests/fuzz/corpus/ from the fixtures.

usage: tests/fuzz/make-seeds.py OUTDIR    (then minimise into corpus/<target>/ with
                                          fuzz_<target> -merge=1, see README.md)
Seeds: WAL segments cut after a few KB at a frame boundary (one and several segments),
raftpb.Entry bytes and their payloads, .snap files, small bbolt dbs and backups, small
archives, diff programs."""
import io, os, struct, sys, tarfile, gzip

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures')
out = sys.argv[1]
SEP = b'EA-SPLIT'

def members(tgz):
    with tarfile.open(os.path.join(FIX, tgz)) as t:
        for m in t.getmembers():
            if m.isfile():
                yield m.name, t.extractfile(m).read()

def frames(seg):
    off = 0
    while off + 8 <= len(seg):
        lw, = struct.unpack_from('<Q', seg, off)
        if lw == 0:
            break
        rec = lw & ((1 << 56) - 1)
        pad = (lw >> 56) & 7 if lw >> 63 else 0
        yield off, seg[off + 8:off + 8 + rec]
        off += 8 + rec + pad
    yield off, None

def cut(seg, limit):
    end = 0
    for off, _ in frames(seg):
        if off > limit:
            break
        end = off
    return seg[:end]

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return v, i

def record_fields(rec):
    i, f = 0, {}
    while i < len(rec):
        tag, i = varint(rec, i)
        if tag & 7 == 0:
            v, i = varint(rec, i)
        else:
            n, i = varint(rec, i); v = rec[i:i + n]; i += n
        f[tag >> 3] = v
    return f

def w(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), 'wb').write(data)

for scen in ('leader-change', 'healthy', 'membership', 'snapshot-catchup'):
    segs = sorted((n, b) for n, b in members(scen + '/n1.tar.gz') if n.endswith('.wal'))
    for limit in (2048, 8192):
        w('wal', '%s-1seg-%d' % (scen, limit), b'\0' + cut(segs[0][1], limit))
    if len(segs) > 1:
        w('wal', scen + '-3seg', b'\0' + SEP.join(cut(b, 3000) for _, b in segs))
    # entries and their payloads: every distinct kind of payload in the first segment
    seen = set()
    for off, rec in frames(segs[0][1]):
        if rec is None:
            break
        f = record_fields(rec)
        if f.get(1) != 2 or 3 not in f:
            continue
        e = record_fields(f[3])
        data = e.get(4, b'')
        key = (e.get(1, 0), data[:3], len(data) // 64)
        if key in seen or len(seen) > 40 or len(data) > 2048:
            continue
        seen.add(key)
        w('entry', '%s-entry-%d' % (scen, off), b'\x80' + f[3])
        w('entry', '%s-data-%d' % (scen, off), bytes([e.get(1, 0)]) + data)
    for n, b in members(scen + '/n1.tar.gz'):
        if n.endswith('.snap'):
            w('snap', scen + '-snap', b)
        if n.endswith('/db') and len(b) <= 64 * 1024:
            w('bolt', scen + '-db', b)
            w('mvcc', scen + '-db', b)

for n, b in members('backup-restore/backup.tar.gz'):
    w('bolt', 'backup-restore-backup', b)
    w('mvcc', 'backup-restore-backup', b)
for n, b in members('corrupt-db/meta0-checksum.tar.gz'):
    if len(b) <= 64 * 1024:
        w('bolt', 'corrupt-meta0-' + os.path.basename(n), b)

# archives: the small backup tarball as it is, and small tar/tar.gz of a cut WAL and a snap
w('archive', 'backup-restore.tar.gz', open(os.path.join(FIX, 'backup-restore/backup.tar.gz'), 'rb').read())
seg = next(b for n, b in members('leader-change/n1.tar.gz') if n.endswith('.wal'))
snap = next(b for n, b in members('healthy/n1.tar.gz') if n.endswith('.snap'))
for comp in ('', 'gz'):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w:' + comp) as t:
        for name, data in (('n1/member/wal/0000000000000000-0000000000000000.wal', cut(seg, 1024)),
                           ('n1/member/snap/0000000000000002-0000000000000065.snap', snap[:600])):
            ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
    w('archive', 'small.tar' + ('.gz' if comp else ''), bio.getvalue())

# diff programs: (node count byte, then op/arg pairs)
progs = {
    'agree': bytes([0]) + bytes([2, 0, 0, 1, 0, 5, 3, 0, 0, 3, 5, 1, 0, 7, 3, 0]),
    'lagging': bytes([1]) + bytes([2, 0, 0, 1, 0, 2, 3, 0, 0x80 | 0x10, 1, 0x80 | 0x10, 3, 3, 1]),
    'diverge': bytes([0]) + bytes([2, 0, 0, 1, 3, 0, 0x80, 4, 0x90, 2, 0x80, 1, 0x90, 1, 3, 0]),
    'conf': bytes([2]) + bytes([2, 0, 6, 5, 6, 8, 3, 0, 0x86, 9, 5, 1, 0, 0, 5, 0]),
    'badmeta': bytes([0xc0]) + bytes([2, 0, 0, 1, 3, 0]),
}
for k, v in progs.items():
    w('diff', k, v)
