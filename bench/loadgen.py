#!/usr/bin/env python3
"""loadgen.py: a bounded write load against etcd 3.4's v3 JSON gateway on 127.0.0.1.

  loadgen.py --endpoints http://127.0.0.1:31379,... --seconds N [--workers 3 --threads 4]
             [--stop-file PATH] [--seed S]

Each thread keeps one keep-alive http.client connection and POSTs /v3/kv/put (95 %) or
/v3/kv/deleterange (5 %) with base64 key/value: Kubernetes-like keys (~60 bytes,
/registry/<resource>/<namespace>/<name>) and values of 200 B - 4 KB (log-uniform). A request
that fails (member killed, leader change) reconnects to the next endpoint and goes on.
Stops after --seconds or when --stop-file exists. Prints puts/s on stderr every 5 s.
Only talks to 127.0.0.1."""
import argparse, base64, http.client, json, math, multiprocessing as mp, os, random, sys, threading, time

RES = ["pods", "services/endpoints", "configmaps", "events", "leases", "replicasets", "deployments", "secrets"]


def key(rng):
    r = rng.choice(RES)
    ns = "ns-%03d" % rng.randrange(64)
    name = "app-%05d-%08x" % (rng.randrange(20000), rng.getrandbits(32))
    return ("/registry/%s/%s/%s" % (r, ns, name)).encode()


def value(rng):
    n = int(math.exp(rng.uniform(math.log(200), math.log(4096))))
    head = b'k8s\x00\n\x0c\n\x02v1\x12\x06Object\x12'
    body = bytes(rng.getrandbits(8) for _ in range(min(n, 48)))  # some entropy, rest json-ish
    pad = (b'{"metadata":{"labels":{"app":"x"}},"spec":{}}' * (n // 45 + 1))
    return (head + body + pad)[:n]


def thread_main(eps, deadline, stop_file, seed, counts, idx):
    rng = random.Random(seed)
    e = idx % len(eps)
    conn = None
    done = 0
    while time.time() < deadline and not (stop_file and os.path.exists(stop_file)):
        try:
            if conn is None:
                host, port = eps[e].replace("http://", "").split(":")
                assert host == "127.0.0.1"
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
            k = key(rng)
            if rng.random() < 0.05:
                path, body = "/v3/kv/deleterange", {"key": base64.b64encode(k).decode()}
            else:
                path, body = "/v3/kv/put", {"key": base64.b64encode(k).decode(),
                                            "value": base64.b64encode(value(rng)).decode()}
            conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise IOError("status %d" % resp.status)
            done += 1
            if done % 100 == 0:
                counts[idx] = done
        except Exception:
            try:
                if conn: conn.close()
            except Exception:
                pass
            conn = None
            e = (e + 1) % len(eps)
            time.sleep(0.05)
    counts[idx] = done


def worker(eps, seconds, stop_file, seed, threads, counts, base):
    deadline = time.time() + seconds
    ts = [threading.Thread(target=thread_main, args=(eps, deadline, stop_file, seed * 1000 + i, counts, base + i))
          for i in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoints", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--stop-file")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    eps = a.endpoints.split(",")
    for ep in eps:
        if not ep.startswith("http://127.0.0.1:"):
            sys.exit("loadgen: only http://127.0.0.1 endpoints")
    n = a.workers * a.threads
    counts = mp.Array("q", n, lock=False)
    ps = [mp.Process(target=worker, args=(eps, a.seconds, a.stop_file, a.seed * 100 + w, a.threads, counts, w * a.threads))
          for w in range(a.workers)]
    t0 = time.time()
    for p in ps:
        p.daemon = True
        p.start()
    last = 0
    while any(p.is_alive() for p in ps):
        time.sleep(5)
        tot = sum(counts)
        print("loadgen: %.0f s, %d writes, %.0f/s" % (time.time() - t0, tot, (tot - last) / 5.0), file=sys.stderr, flush=True)
        last = tot
    for p in ps: p.join()
    tot = sum(counts)
    print("loadgen: done, %d writes in %.1f s (%.0f/s)" % (tot, time.time() - t0, tot / (time.time() - t0)), file=sys.stderr)


if __name__ == "__main__":
    main()
