#!/usr/bin/env python3
"""run.py: the etcd-autopsy benchmark suite (driven by bench/run.sh, which builds first).

Every task and every baseline is a child process timed the same way: wall clock around
fork/exec, CPU time (user + sys) and peak RSS from wait4()'s rusage; one warm-up run (page
cache warm), then the median of --runs runs. Baselines run in the same session, so ratios
hold on a noisy machine. Writes a table to stdout and bench/RESULTS.md.
"""
import argparse, json, os, platform, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
MB = 1e6
MiB = 1024 * 1024


def measure(cmd, runs, ok=(0, 1)):
    """one warm-up, then `runs` timed runs of cmd through `ea_baseline time` (fork/exec/wait4
    from a small C parent); median wall and CPU, max peak RSS"""
    res = []
    for i in range(runs + 1):
        m = measure_once(cmd, ok)
        if i == 0:
            continue  # warm-up
        res.append(m)
    return {
        "wall": statistics.median(r[0] for r in res),
        "cpu": statistics.median(r[1] for r in res),
        "rss": max(r[2] for r in res),
        "walls": [round(r[0], 3) for r in res],
    }


def measure_pair(cmd_a, cmd_b, runs, ok_a=(0, 1), ok_b=(0, 1)):
    """cmd_a and cmd_b alternating (a warm-up of each, then a, b, a, b, ...): medians as in
    measure(), so both see the same machine state"""
    ra, rb = [], []
    for i in range(runs + 1):
        for cmd, ok, res in ((cmd_a, ok_a, ra), (cmd_b, ok_b, rb)):
            m = measure_once(cmd, ok)
            if i > 0:
                res.append(m)
    out = []
    for res in (ra, rb):
        out.append({"wall": statistics.median(r[0] for r in res), "cpu": statistics.median(r[1] for r in res),
                    "rss": max(r[2] for r in res), "walls": [round(r[0], 3) for r in res]})
    return out


def measure_once(cmd, ok):
    """one run of cmd through `ea_baseline time`: (wall, cpu, rss)"""
    p = subprocess.run([ARGS.baseline, "time"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    f = p.stdout.split()
    if p.returncode != 0 or len(f) != 8:
        sys.exit("bench: timer failed for %s: %s" % (" ".join(cmd), p.stderr[-2000:]))
    if int(f[7]) not in ok:
        sys.exit("bench: %s exited %s: %s" % (" ".join(cmd), f[7], p.stderr[-2000:]))
    return float(f[1]), float(f[3]), int(f[5])


def wal_files(datadir):
    d = os.path.join(datadir, "member", "wal")
    return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".wal")]


def size_of(files):
    return sum(os.path.getsize(f) for f in files)


class Suite:
    def __init__(self, a):
        self.a = a
        self.bin = a.bin
        self.base = a.baseline
        self.rows = []   # (group, task, input, metric dict)
        self.checks = []  # (target text, value, ok)
        self.pairs = []   # anchors: (group, task, anchor, input, tool m, anchor m, agreement) or a skip

    def run(self, cmd):
        return measure(cmd, self.a.runs)

    def add(self, group, task, inp, m, thr, ratio=None, base=None):
        self.rows.append((group, task, inp, m, thr, ratio, base))
        r = "" if ratio is None else "  %.2fx %s" % (ratio, base)
        print("%-10s %-24s %-12s wall %7.3f s cpu %7.3f s rss %7.1f MiB  %s%s" %
              (group, task, inp, m["wall"], m["cpu"], m["rss"] / MiB, thr, r), flush=True)

    def check(self, text, value, ok):
        self.checks.append((text, value, ok))

    # ---- WAL + db of one member ----
    def member(self, group, datadir, db=True):
        ea = self.bin
        files = wal_files(datadir)
        wb = size_of(files)
        st = json.loads(subprocess.run([ea, "wal", "stat", datadir, "-w", "json", "-q"], stdout=subprocess.PIPE).stdout)
        entries = st["entries"]
        records = st["records"]["total"]
        label = "%.0f MB WAL" % (wb / MB)
        rd = self.run([self.base, "read"] + files)
        self.add(group, "baseline read()", label, rd, "%7.0f MB/s" % (wb / rd["wall"] / MB))
        cr = self.run([self.base, "crc"] + files)
        self.add(group, "baseline CRC-32C", label, cr, "%7.0f MB/s" % (wb / cr["wall"] / MB))
        ws = self.run([ea, "wal", "stat", datadir, "-q"])
        r = (wb / ws["wall"]) / (wb / rd["wall"])
        self.add(group, "wal stat", label, ws, "%7.0f MB/s %6.2f M rec/s" % (wb / ws["wall"] / MB, records / ws["wall"] / 1e6),
                 r, "read()")
        self.check("%s: wal stat >= 0.35x read()" % group, "%.2fx" % r, r >= 0.35)
        # the WAL directory alone: no db, so no replay (what the Go anchor wal_decode does)
        wl = self.run([ea, "wal", "ls", os.path.join(datadir, "member", "wal"), "-w", "json", "-q"])
        eps = entries / wl["wall"]
        self.add(group, WAL_LS, label, wl, "%7.0f MB/s %6.2f M entries/s" % (wb / wl["wall"] / MB, eps / 1e6),
                 (wb / wl["wall"]) / (wb / rd["wall"]), "read()")
        self.check("%s: %s >= 1.5 M entries/s" % (group, WAL_LS), "%.2f M/s" % (eps / 1e6), eps >= 1.5e6)
        for t, m in (("wal stat", ws), (WAL_LS, wl)):
            self.check("%s: %s peak RSS <= 64 MiB" % (group, t), "%.1f MiB" % (m["rss"] / MiB), m["rss"] <= 64 * MiB)
        out = {"wal_bytes": wb, "entries": entries, "read": rd, "stat": ws, "ls": wl}
        if db:
            # the data dir: `wal ls -w json` replays the WAL against the db (revision, txn.applied)
            wd = self.run([ea, "wal", "ls", datadir, "-w", "json", "-q"])
            self.add(group, WAL_LS_DB, label, wd, "%7.0f MB/s %6.2f M entries/s" %
                     (wb / wd["wall"] / MB, entries / wd["wall"] / 1e6), wl["wall"] / wd["wall"], WAL_LS)
            self.check("%s: %s peak RSS <= 64 MiB" % (group, WAL_LS_DB), "%.1f MiB" % (wd["rss"] / MiB),
                       wd["rss"] <= 64 * MiB)
            out["ls_db"] = wd
            # issue 16: the replay of the WAL against the db (entries/s, MB/s of WAL, RSS), as a
            # ratio to `wal ls -w json` of the same data dir (which replays too)
            rp = self.run([ea, "replay", datadir, "-w", "json", "-q"])
            self.add(group, "replay -w json", label, rp, "%7.0f MB/s %6.2f M entries/s" %
                     (wb / rp["wall"] / MB, entries / rp["wall"] / 1e6), wd["wall"] / rp["wall"], WAL_LS_DB)
            self.check("%s: replay peak RSS <= 64 MiB" % group, "%.1f MiB" % (rp["rss"] / MiB), rp["rss"] <= 64 * MiB)
            out["replay"] = rp
            dbf = os.path.join(datadir, "member", "snap", "db")
            dbb = os.path.getsize(dbf)
            dl = "%.0f MB db" % (dbb / MB)
            dr = self.run([self.base, "read", dbf])
            self.add(group, "baseline read() db", dl, dr, "%7.0f MB/s" % (dbb / dr["wall"] / MB))
            dc = self.run([ea, "db", "check", datadir, "-q"])
            r1 = (dbb / dc["wall"]) / (dbb / dr["wall"])
            self.add(group, "db check", dl, dc, "%7.0f MB/s" % (dbb / dc["wall"] / MB), r1, "read()")
            self.check("%s: db check >= 0.5x read()" % group, "%.2fx" % r1, r1 >= 0.5)
            dh = self.run([ea, "db", "hash", datadir, "-q"])
            r2 = (dbb / dh["wall"]) / (dbb / dr["wall"])
            self.add(group, "db hash", dl, dh, "%7.0f MB/s" % (dbb / dh["wall"] / MB), r2, "read()")
            self.check("%s: db hash >= 0.3x read()" % group, "%.2fx" % r2, r2 >= 0.3)
            out.update(db_bytes=dbb, dbread=dr, check=dc, hash=dh)
        return out

    def k8s(self, name, path):
        """issue 18's measured overheads on a Kubernetes-shaped member (a data dir: its WAL
        directory; or an archive, read whole): Kubernetes decoding on `wal ls -w json` and
        `db ls -w json` against the same command with decoding off (`--k8s-prefix` naming a
        prefix no key has), and the time estimation (the anchor pass and each entry's bounds)
        against the same table listing without it (`--since 1970-01-01T00:00:00Z` keeps every
        entry, so the output is the same)"""
        ea, group = self.bin, "k8s " + name
        wal = os.path.join(path, "member", "wal") if os.path.isdir(path) else path
        st = json.loads(subprocess.run([ea, "wal", "stat", wal, "-w", "json", "-q"], stdout=subprocess.PIPE).stdout)
        label = "%d entries" % st["entries"]
        off = ["--k8s-prefix", "/no-such-prefix"]
        pairs = [("wal ls -w json", [ea, "wal", "ls", wal, "-w", "json", "-q"], off, "Kubernetes decoding", 1.2),
                 ("db ls -w json", [ea, "db", "ls", path, "-w", "json", "-q"], off, "Kubernetes decoding", 1.2),
                 ("wal ls (table)", [ea, "wal", "ls", wal, "-q"], ["--since", "1970-01-01T00:00:00Z"], "time estimation",
                  None)]
        for task, cmd, extra, what, limit in pairs:
            if what == "time estimation":
                base, with_it = measure_pair(cmd, cmd + extra, self.a.runs)
                names = ("%s" % task, "%s --since 1970-01-01T00:00:00Z (time estimation)" % task)
                a, b = base, with_it
            else:
                with_it, base = measure_pair(cmd, cmd + extra, self.a.runs)
                names = ("%s, decoding off (%s)" % (task, " ".join(extra)), "%s, Kubernetes decoding on" % task)
                a, b = base, with_it
            self.add(group, names[0], label, a, "")
            r = b["cpu"] / a["cpu"] if a["cpu"] > 0 else float("inf")
            self.add(group, names[1], label, b, "CPU %+.0f %%" % ((r - 1) * 100), r, "CPU of the row above")
            if limit:
                self.check("%s: %s on %s <= +%.0f %% CPU" % (group, what, task, (limit - 1) * 100), "%+.0f %%" % ((r - 1) * 100),
                           r <= limit)
            else:
                self.check("%s: %s on %s measured" % (group, what, task), "%+.0f %% CPU" % ((r - 1) * 100), True)

    def diff(self, group, nodes, one):
        m = self.run([self.bin, "diff"] + ["n%d=%s" % (i + 1, n) for i, n in enumerate(nodes)] + ["-q"])
        ref = one["stat"]["wall"] + one["hash"]["wall"]
        r = m["wall"] / ref
        self.add(group, "diff (3 nodes)", "3 members", m, "cpu/wall %.2f" % (m["cpu"] / m["wall"]), r,
                 "(n1 wal stat + db hash)")
        self.check("%s: diff of 3 <= 3.3x (wal stat + db hash of one)" % group, "%.2fx" % r, r <= 3.3)

    def export(self, group, datadir):
        """export vs the raw prepared-insert loop of the same row counts, alternating (export uses
        a second thread for its SQLite inserts: wall is the ratio, CPU is shown beside it)"""
        out = os.path.join(self.a.dir, "export-bench.sqlite")
        cmd = [self.bin, "export", "-o", out, "--force", "-q", datadir]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db = sqlite3.connect(out)
        cnt = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
               for t in ("wal_records", "entries", "hard_states", "revisions")}
        db.close()
        os.unlink(out)
        rows = sum(cnt.values())
        raw_cmd = [self.base, "sqlite", self.a.dir, str(cnt["wal_records"]), str(cnt["entries"]),
                   str(cnt["hard_states"]), str(cnt["revisions"])]
        m, raw = measure_pair(cmd, raw_cmd, self.a.runs)
        if os.path.exists(out):
            os.unlink(out)
        self.add(group, "baseline raw inserts", "%d rows" % rows, raw, "%7.0f rows/s" % (rows / raw["wall"]))
        r = raw["wall"] / m["wall"]
        rc = raw["cpu"] / m["cpu"]
        self.add(group, "export", "%d rows" % rows, m, "%7.0f rows/s, CPU ratio %.2fx" % (rows / m["wall"], rc), r,
                 "raw inserts")
        self.check("%s: export >= 0.7x raw insert loop rows/s (wall; CPU %.2fx)" % (group, rc), "%.2fx" % r, r >= 0.7)
        self.check("%s: export peak RSS <= 64 MiB" % group, "%.1f MiB" % (m["rss"] / MiB), m["rss"] <= 64 * MiB)

    def k8s_overhead(self, group, datadir):
        """issue 18: export of a Kubernetes-shaped member with its k8s_* columns filled vs the same
        export with a prefix no key has (the Kubernetes decoding skipped), alternating"""
        out = os.path.join(self.a.dir, "export-k8s.sqlite")
        on, off = measure_pair([self.bin, "export", "-o", out, "--force", "-q", datadir],
                               [self.bin, "export", "-o", out, "--force", "-q", "--k8s-prefix", "/no-such-prefix",
                                datadir], self.a.runs)
        if os.path.exists(out):
            os.unlink(out)
        label = "%.0f MB WAL" % (size_of(wal_files(datadir)) / MB)
        self.add(group, "export --k8s-prefix /no-such-prefix", label, off, "")
        r = on["wall"] / off["wall"]
        self.add(group, "export (k8s columns)", label, on, "CPU %+.0f %%" % (100 * (on["cpu"] / off["cpu"] - 1)), r,
                 "without k8s decoding")
        self.check("%s: export Kubernetes overhead <= 20 %% (wall; CPU %+.0f %%)" % (group, 100 * (on["cpu"] / off["cpu"] - 1)),
                   "%+.0f %%" % (100 * (r - 1)), r <= 1.20)


# ---- side by side with etcd's own Go readers (bench/anchors/) --------------------------------

# `wal ls -w json` of the WAL directory alone (like-for-like with wal_decode, which reads the WAL
# only) and of the data dir (which also replays the WAL against the db: a second, named row)
WAL_LS = "wal ls -w json (WAL dir only)"
WAL_LS_DB = "wal ls -w json (data dir: replays against the db)"

# (etcd-autopsy task, anchor program, what the anchor does, goal: tool speed / anchor speed)
ANCHORS = [
    ("wal stat", "wal_readall", "wal.OpenForRead + ReadAll", 10),
    (WAL_LS, "wal_decode", "ReadAll + decode every request", 6),
    (WAL_LS_DB, "wal_decode", "ReadAll + decode every request", 6),
    ("wal stat", "wal_verify", "wal.Verify (CRC chain only)", 5),
    ("db check", "bolt_check", "bbolt tx.Check", 5),
    ("db hash", "hashkv_ro", "read-only HashKV (bbolt cursor + CRC-32C)", 2),
    ("db hash", "hashkv_mvcc", "etcd's mvcc HashKV (NewStore + HashByRev, on a copy)", 4),
    ("db ls -w json", "db_decode", "iterate + decode every KeyValue", 4),
    # like-for-like: the same walk, and every KeyValue printed as a JSON line (encoding/json)
    ("db ls -w json", "db_json", "iterate + decode + print every KeyValue as JSON (encoding/json)", 4),
]
TOOL_CMD = {
    "wal stat": ["wal", "stat", "{d}", "-q"],
    WAL_LS: ["wal", "ls", "{w}", "-w", "json", "-q"],
    WAL_LS_DB: ["wal", "ls", "{d}", "-w", "json", "-q"],
    "db check": ["db", "check", "{d}", "-q"],
    # etcd 3.4.23 (the anchors' etcd) hashes by the classic rule: the tool is asked for the same
    "db hash": ["db", "hash", "{d}", "-q", "--tombstone-rule", "classic"],
    "db ls -w json": ["db", "ls", "{d}", "-w", "json", "-q"],
}


def kv_line(text):
    """'a 1 b 2' -> {'a': '1', 'b': '2'}"""
    f = text.split()
    return dict(zip(f[0::2], f[1::2]))


def tool_json(args):
    p = subprocess.run([ARGS.bin] + args + ["-w", "json", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        return json.loads(p.stdout), p.returncode
    except ValueError:
        return None, p.returncode


def listed_entries(tcmd):
    """entries `wal ls -w json` (tcmd) lists that ReadAll also returns: its entry lines not
    superseded; None when the command fails"""
    n = 0
    p = subprocess.Popen(tcmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in p.stdout:
        if line.startswith(b'{"index":') and b'"superseded":false' in line:
            n += 1
    return n if p.wait() in (0, 1) else None


def agreement(anchor, out, rc, datadir, tcmd):
    """The anchor's answer against etcd-autopsy's on the same input, before anything is timed:
    (ok, text)"""
    a = kv_line(out)
    if anchor == "wal_decode":
        # the entry counts: ReadAll's entries against the entry lines the timed command prints
        n = listed_entries(tcmd)
        if rc != 0 or n is None:
            return False, "anchor exit %d / tool exit not 0 or 1" % rc
        bad = ["%s %s != %s" % (k, a.get(k), v) for k, v in (("entries", n), ("undecodable", 0)) if a.get(k) != str(v)]
        return not bad, "; ".join(bad) or "entries %s (listed, not superseded), undecodable 0" % n
    if anchor == "wal_readall":
        st, _ = tool_json(["wal", "stat", datadir])
        if rc != 0 or st is None:
            return False, "anchor exit %d / tool output unreadable" % rc
        want = {"entries": st["last_index"], "last_index": st["last_index"], "commit": st["hard_state"]["commit"],
                "term": st["hard_state"]["term"]}
        bad = ["%s %s != %s" % (k, a.get(k), v) for k, v in want.items() if a.get(k) != str(v)]
        return not bad, "; ".join(bad) or ", ".join("%s %s" % (k, a[k]) for k in want)
    if anchor == "wal_verify":
        st, trc = tool_json(["wal", "stat", datadir])
        clean = trc == 0 and st is not None and not st["problems"]
        return (rc == 0) == clean, "wal.Verify %s, wal stat %s" % ("ok" if rc == 0 else "fails", "clean" if clean else "problems")
    if anchor == "bolt_check":
        trc = subprocess.run([ARGS.bin, "db", "check", datadir, "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        return (rc == 0) == (trc == 0), "tx.Check %s problems, db check exit %d" % (a.get("problems"), trc)
    if anchor in ("hashkv_ro", "hashkv_mvcc"):
        h, _ = tool_json(["db", "hash", datadir, "--tombstone-rule", "classic"])
        if rc != 0 or h is None:
            return False, "anchor exit %d / tool output unreadable" % rc
        want = {"hash": h["hash"], "revision": h["current_revision"], "compact_revision": h["compact_revision"]}
        bad = ["%s %s != %s" % (k, a.get(k), v) for k, v in want.items() if a.get(k) != str(v)]
        return not bad, "; ".join(bad) or "hash %s at %s (compacted at %s)" % (a["hash"], a["revision"], a["compact_revision"])
    if anchor in ("db_decode", "db_json"):
        st, _ = tool_json(["db", "stat", datadir])
        if rc != 0 or st is None:
            return False, "anchor exit %d / tool output unreadable" % rc
        want = {"revisions": st["key_revisions"], "tombstones": st["tombstones"], "undecodable": 0}
        bad = ["%s %s != %s" % (k, a.get(k), v) for k, v in want.items() if a.get(k) != str(v)]
        return not bad, "; ".join(bad) or "%s revisions" % a["revisions"]
    return False, "unknown anchor"


def ratio_text(r):
    return "%.1fx faster" % r if r >= 1 else "%.2fx (slower)" % r


def run_anchors(s, group, datadir, info):
    """every anchor beside its etcd-autopsy task on this member; a copy of the db under TMPDIR
    for the mvcc anchor (etcd writes to the db it opens)"""
    a = s.a
    label = {"wal": "%.0f MB WAL" % (info["wal_bytes"] / MB)}
    label["db"] = "%.0f MB db" % (info["db_bytes"] / MB) if "db_bytes" in info else ""
    big = max(info["wal_bytes"], info.get("db_bytes", 0))
    if big > a.anchors_max_bytes:
        s.pairs.append((group, None, None, None, None, None,
                        "anchors skipped on this input: %.0f MB > --anchors-max-bytes (ReadAll holds the whole WAL in "
                        "memory, the mvcc anchor needs a copy of the db)" % (big / MB)))
        return
    dbf = os.path.join(datadir, "member", "snap", "db")
    tmp = tempfile.mkdtemp(prefix="ea-anchor-")
    try:
        for task, prog, what, goal in ANCHORS:
            kind = task.split()[0]
            if (kind == "db" or task == WAL_LS_DB) and "db_bytes" not in info:
                continue
            target = datadir
            if prog == "hashkv_mvcc":
                target = os.path.join(tmp, "db.copy")
                shutil.copyfile(dbf, target)
            acmd = [os.path.join(a.anchors, prog), target]
            tcmd = [s.bin] + [x.replace("{d}", datadir).replace("{w}", os.path.join(datadir, "member", "wal"))
                              for x in TOOL_CMD[task]]
            if prog == "db_json":   # prints the JSON lines on stdout, its counts on stderr
                p = subprocess.run(acmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                ok, agree = agreement(prog, p.stderr, p.returncode, datadir, tcmd)
            else:
                p = subprocess.run(acmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                ok, agree = agreement(prog, p.stdout + " " + p.stderr if p.returncode else p.stdout, p.returncode,
                                      datadir, tcmd)
            if not ok:
                print("%-10s %-16s vs %-12s DISAGREES, not timed: %s" % (group, task, prog, agree), flush=True)
                s.pairs.append((group, task, prog + ": " + what, label[kind], None, None, "**disagrees**: " + agree))
                s.check("%s: %s agrees with %s" % (group, prog, task), agree, False)
                continue
            mt, ma = measure_pair(tcmd, acmd, a.runs)
            r = ma["wall"] / mt["wall"]
            s.pairs.append((group, task, prog + ": " + what, label[kind], mt, ma, agree))
            print("%-10s %-16s %7.3f s (cpu %.3f) %6.1f MiB | %-12s %7.3f s (cpu %.3f) %6.1f MiB | %s" %
                  (group, task, mt["wall"], mt["cpu"], mt["rss"] / MiB, prog, ma["wall"], ma["cpu"], ma["rss"] / MiB,
                   ratio_text(r)), flush=True)
            s.check("%s: %s >= %dx %s" % (group, task, goal, what), ratio_text(r), r >= goal)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_anchors(f, s, a):
    """RESULTS.md's side-by-side table: each etcd-autopsy task beside etcd's own Go reader"""
    f.write("\n## Side by side with etcd's own Go readers\n\n")
    if a.anchors_skip:
        f.write("Skipped: %s.\n" % a.anchors_skip)
        return
    f.write("The anchors (`bench/anchors/`, etcd 3.4.23 and bbolt 1.3.6 from Debian, %s) run alternating with the "
            "task, medians of %d runs each after a warm-up of each; before timing, each anchor's answer is checked "
            "against etcd-autopsy's on the same input (`agreement`). Ratio = etcd-autopsy's speed / the anchor's "
            "(anchor wall / tool wall); CPU = user + sys (the Go anchors also run their garbage collector on the "
            "second core).\n\n" % (anchor_go(a), a.runs))
    f.write("| group | etcd-autopsy | anchor | input | etcd-autopsy wall s / CPU s / RSS MiB | "
            "anchor wall s / CPU s / RSS MiB | ratio | agreement |\n")
    f.write("|---|---|---|---|---:|---:|---|---|\n")
    for g, t, an, i, mt, ma, agree in s.pairs:
        if t is None:
            f.write("| %s | | | | | | | %s |\n" % (g, agree))
        elif mt is None:
            f.write("| %s | `%s` | %s | %s | | | not timed | %s |\n" % (g, t, an, i, agree))
        else:
            f.write("| %s | `%s` | %s | %s | %.3f / %.3f / %.1f | %.3f / %.3f / %.1f | %s | %s |\n" % (
                g, t, an, i, mt["wall"], mt["cpu"], mt["rss"] / MiB, ma["wall"], ma["cpu"], ma["rss"] / MiB,
                ratio_text(ma["wall"] / mt["wall"]), agree))


def anchor_go(a):
    try:
        return open(os.path.join(a.anchors, "go-version.txt")).read().strip()
    except OSError:
        return "go ?"


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    cc = "?"
    try:
        cache = open(os.path.join(os.path.dirname(os.path.dirname(ARGS.bin)), "CMakeCache.txt")).read()
        comp = [l.split("=", 1)[1] for l in cache.splitlines() if l.startswith("CMAKE_C_COMPILER:")][0]
        bt = [l.split("=", 1)[1] for l in cache.splitlines() if l.startswith("CMAKE_BUILD_TYPE:")][0]
        cc = subprocess.run([comp, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[0] + ", " + bt
    except Exception:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%s, %d cores, %.0f GiB RAM, Linux %s, %s" % (cpu, os.cpu_count(), mem, platform.release(), cc)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--synth", default="", help="comma list of synthetic input dirs (name=path)")
    ap.add_argument("--real", default="", help="real 3-node dir holding n1 n2 n3")
    ap.add_argument("--k8s", default="", help="comma list of Kubernetes-shaped inputs (name=data dir or archive): "
                    "the Kubernetes decoding and time estimation overhead rows")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--anchors", default="", help="dir of the Go anchors (bench/anchors/build.sh); empty: none")
    ap.add_argument("--anchors-skip", default="", help="why there are no anchors (printed and written)")
    ap.add_argument("--anchors-max-bytes", type=float, default=1.1e9,
                    help="no anchors on inputs with a larger WAL or db (ReadAll holds the whole WAL in memory)")
    a = ARGS = ap.parse_args()
    if not a.anchors and not a.anchors_skip:
        a.anchors_skip = "no --anchors given"
    if a.anchors_skip:
        print("anchors skipped: " + a.anchors_skip)
    s = Suite(a)
    mline = machine()
    print("machine: " + mline)
    results = {}
    t0 = time.time()
    load0 = os.getloadavg()
    if a.real:
        nodes = [os.path.join(a.real, n) for n in ("n1", "n2", "n3")]
        results["real"] = s.member("real n1", nodes[0])
        if a.anchors:
            run_anchors(s, "real n1", nodes[0], results["real"])
        s.diff("real", nodes, results["real"])
        s.export("real n1", nodes[0])
    for item in filter(None, a.synth.split(",")):
        name, path = item.split("=", 1)
        results[name] = s.member("synth " + name, path)
        if a.anchors:
            run_anchors(s, "synth " + name, path, results[name])
    for item in filter(None, a.k8s.split(",")):
        name, path = item.split("=", 1)
        s.k8s(name, path)
        if os.path.isdir(path):   # export overhead row: data dirs (its label sizes the WAL files)
            s.k8s_overhead("k8s " + name, path)
    synth = [(k, v) for k, v in results.items() if k != "real"]
    if len(synth) >= 2:
        (k0, v0), (k1, v1) = synth[0], synth[-1]
        for t in ("stat", "ls", "check", "hash"):
            if t not in v0:
                continue
            size0 = v0["db_bytes" if t in ("check", "hash") else "wal_bytes"]
            size1 = v1["db_bytes" if t in ("check", "hash") else "wal_bytes"]
            tp0, tp1 = size0 / v0[t]["wall"], size1 / v1[t]["wall"]
            s.check("scaling %s -> %s: %s throughput within 25 %%" % (k0, k1, t),
                    "%.2fx" % (tp1 / tp0), tp1 / tp0 >= 0.75)
            s.check("scaling %s -> %s: %s peak RSS flat (<= 64 MiB)" % (k0, k1, t),
                    "%.1f -> %.1f MiB" % (v0[t]["rss"] / MiB, v1[t]["rss"] / MiB), v1[t]["rss"] <= 64 * MiB)
    print("\ntargets:")
    for text, v, ok in s.checks:
        print("  %-4s %-62s %s" % ("ok" if ok else "MISS", text, v))
    with open(a.out, "w") as f:
        f.write("# Benchmark results\n\n")
        f.write("Written by `bench/run.sh` on %s in %.0f s. Machine: %s.\n\n" %
                (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), time.time() - t0, mline))
        f.write("Load average (1 min) at the start %.1f, at the end %.1f, on %d cores: above the core count the "
                "machine was shared and absolute times are inflated; ratios from the same run hold better.\n\n" %
                (load0[0], os.getloadavg()[0], os.cpu_count()))
        f.write("Median of %d runs after one warm-up (page cache warm); CPU = user + sys; peak RSS = max over the runs. "
                "Ratios compare with the baseline measured in the same run.\n\n" % a.runs)
        f.write("| group | task | input | wall s | CPU s | peak RSS MiB | throughput | ratio |\n")
        f.write("|---|---|---|---:|---:|---:|---|---|\n")
        for g, t, i, m, thr, r, b in s.rows:
            f.write("| %s | %s | %s | %.3f | %.3f | %.1f | %s | %s |\n" % (
                g, t, i, m["wall"], m["cpu"], m["rss"] / MiB, thr.strip(), "" if r is None else "%.2fx %s" % (r, b)))
        write_anchors(f, s, a)
        f.write("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n")
        for text, v, ok in s.checks:
            f.write("| %s | %s | %s |\n" % (text, v, "yes" if ok else "**no**"))
        # the hand-written part: what made the difference, the profiles behind missed targets
        analysis = os.path.join(HERE, "ANALYSIS.md")
        if os.path.exists(analysis):
            with open(analysis) as af:
                f.write("\n" + af.read())
    print("wrote " + a.out)


if __name__ == "__main__":
    main()
