#!/usr/bin/env python3
"""run.py: the etcd-autopsy benchmark suite (driven by bench/run.sh, which builds first).

Every task and every baseline is a child process timed the same way: wall clock around
fork/exec, CPU time (user + sys) and peak RSS from wait4()'s rusage; one warm-up run (page
cache warm), then the median of --runs runs. Baselines run in the same session, so ratios
hold on a noisy machine. Writes a table to stdout and bench/RESULTS.md.
"""
import argparse, json, os, platform, sqlite3, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
MB = 1e6
MiB = 1024 * 1024


def measure(cmd, runs, ok=(0, 1)):
    """one warm-up, then `runs` timed runs of cmd through `ea_baseline time` (fork/exec/wait4
    from a small C parent); median wall and CPU, max peak RSS"""
    res = []
    for i in range(runs + 1):
        p = subprocess.run([ARGS.baseline, "time"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        f = p.stdout.split()
        if p.returncode != 0 or len(f) != 8:
            sys.exit("bench: timer failed for %s: %s" % (" ".join(cmd), p.stderr[-2000:]))
        wall, cpu, rss, rc = float(f[1]), float(f[3]), int(f[5]), int(f[7])
        if rc not in ok:
            sys.exit("bench: %s exited %d: %s" % (" ".join(cmd), rc, p.stderr[-2000:]))
        if i == 0:
            continue  # warm-up
        res.append((wall, cpu, rss))
    return {
        "wall": statistics.median(r[0] for r in res),
        "cpu": statistics.median(r[1] for r in res),
        "rss": max(r[2] for r in res),
        "walls": [round(r[0], 3) for r in res],
    }


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
        wl = self.run([ea, "wal", "ls", datadir, "-w", "json", "-q"])
        eps = entries / wl["wall"]
        self.add(group, "wal ls -w json", label, wl, "%7.0f MB/s %6.2f M entries/s" % (wb / wl["wall"] / MB, eps / 1e6),
                 (wb / wl["wall"]) / (wb / rd["wall"]), "read()")
        self.check("%s: wal ls -w json >= 1.5 M entries/s" % group, "%.2f M/s" % (eps / 1e6), eps >= 1.5e6)
        for t, m in (("wal stat", ws), ("wal ls -w json", wl)):
            self.check("%s: %s peak RSS <= 64 MiB" % (group, t), "%.1f MiB" % (m["rss"] / MiB), m["rss"] <= 64 * MiB)
        out = {"wal_bytes": wb, "entries": entries, "read": rd, "stat": ws, "ls": wl}
        if db:
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

    def diff(self, group, nodes, one):
        m = self.run([self.bin, "diff"] + ["n%d=%s" % (i + 1, n) for i, n in enumerate(nodes)] + ["-q"])
        ref = one["stat"]["wall"] + one["hash"]["wall"]
        r = m["wall"] / ref
        self.add(group, "diff (3 nodes)", "3 members", m, "cpu/wall %.2f" % (m["cpu"] / m["wall"]), r,
                 "(n1 wal stat + db hash)")
        self.check("%s: diff of 3 <= 3.3x (wal stat + db hash of one)" % group, "%.2fx" % r, r <= 3.3)

    def export(self, group, datadir):
        out = os.path.join(self.a.dir, "export-bench.sqlite")
        m = self.run([self.bin, "export", "-o", out, "--force", "-q", datadir])
        db = sqlite3.connect(out)
        cnt = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
               for t in ("wal_records", "entries", "hard_states", "revisions")}
        db.close()
        os.unlink(out)
        rows = sum(cnt.values())
        raw = self.run([self.base, "sqlite", self.a.dir, str(cnt["wal_records"]), str(cnt["entries"]),
                        str(cnt["hard_states"]), str(cnt["revisions"])])
        self.add(group, "baseline raw inserts", "%d rows" % rows, raw, "%7.0f rows/s" % (rows / raw["wall"]))
        r = (rows / m["wall"]) / (rows / raw["wall"])
        self.add(group, "export", "%d rows" % rows, m, "%7.0f rows/s" % (rows / m["wall"]), r, "raw inserts")
        self.check("%s: export >= 0.7x raw insert loop rows/s" % group, "%.2fx" % r, r >= 0.7)


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
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    a = ARGS = ap.parse_args()
    s = Suite(a)
    mline = machine()
    print("machine: " + mline)
    results = {}
    t0 = time.time()
    if a.real:
        nodes = [os.path.join(a.real, n) for n in ("n1", "n2", "n3")]
        results["real"] = s.member("real n1", nodes[0])
        s.diff("real", nodes, results["real"])
        s.export("real n1", nodes[0])
    for item in filter(None, a.synth.split(",")):
        name, path = item.split("=", 1)
        results[name] = s.member("synth " + name, path)
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
        f.write("Median of %d runs after one warm-up (page cache warm); CPU = user + sys; peak RSS = max over the runs. "
                "Ratios compare with the baseline measured in the same run.\n\n" % a.runs)
        f.write("| group | task | input | wall s | CPU s | peak RSS MiB | throughput | ratio |\n")
        f.write("|---|---|---|---:|---:|---:|---|---|\n")
        for g, t, i, m, thr, r, b in s.rows:
            f.write("| %s | %s | %s | %.3f | %.3f | %.1f | %s | %s |\n" % (
                g, t, i, m["wall"], m["cpu"], m["rss"] / MiB, thr.strip(), "" if r is None else "%.2fx %s" % (r, b)))
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
