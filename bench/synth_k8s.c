/* synth_k8s.c: a Kubernetes-shaped synthetic member (see synth.h, synth_k8s): one stream of
 * operations written twice, as the member's WAL (from index 1) and as its bbolt db at the
 * WAL's last index, so `replay` can check one against the other. As in etcd, an empty store is
 * at revision 1 and the first write makes revision 2.
 *
 * The stream: each revision puts or deletes one key /registry/<resource>/<namespace>/<name>,
 * resources drawn by weight with Kubernetes-like value sizes (node leases renewed all the time,
 * events created and expired, pods of 4-16 KiB updated, a few configmaps of 512 KiB - 1 MiB, ...;
 * table `res`). Every COMPACT_EVERY revisions the WAL holds a Compaction request at the
 * revision of the previous one, as the API server compacts every 5 minutes to the revision it
 * saw 5 minutes earlier. The db is as etcd leaves it after the last of them: at or below it
 * only each key's last revision when a put, above it every revision (history), and the
 * revisions the compactions removed still fill the file as unreachable leaf pages (etcd never
 * shrinks the file; without defrag a compacted db is mostly free pages of stale leaves). With
 * db_bytes, only a share of them is left, as if the rest had been reused, so that the file is
 * about that size (etcd's quota caps it; a db needs ~1.3x its WAL's bytes to hold it all).
 * No leases are attached (replay would need the grants). */
#include "synth.h"
#include "walgen.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEGMENT SYNTH_SEGMENT
#define PS SYNTH_PAGE
#define VPOOL (2u << 20)            /* value bytes are slices of this */
#define KV_MAX (VPOOL + 512)        /* largest encoded request / KeyValue */

typedef struct {
	const char *res, *ns;           /* ns NULL: one of the tenant namespaces */
	unsigned weight;                /* per 10000 revisions */
	unsigned pool, vmin, vmax, del_pct;
} k8s_res;

static const k8s_res res[] = {
	{ "leases", "kube-node-lease", 3800, 1200, 250, 400, 0 },
	{ "events", NULL, 2995, 200000, 600, 1800, 20 },
	{ "pods", NULL, 1500, 20000, 4096, 16384, 3 },
	{ "services/endpoints", NULL, 500, 3000, 600, 4096, 1 },
	{ "configmaps", NULL, 400, 4000, 500, 8192, 1 },
	{ "services/specs", NULL, 250, 2000, 500, 2000, 1 },
	{ "replicasets", NULL, 200, 6000, 1500, 6000, 2 },
	{ "deployments", NULL, 200, 2000, 2000, 8000, 1 },
	{ "secrets", NULL, 150, 5000, 400, 8192, 1 },
	{ "configmaps", "kube-system", 5, 8, 512 << 10, 1 << 20, 0 },   /* the few big ones */
};
#define NRES (sizeof res / sizeof res[0])

typedef struct {
	uint64_t s;
	uint64_t base[NRES], nkeys;
	uint8_t *alive;
	uint64_t *create;
	uint32_t *version;
} stream;

typedef struct {
	unsigned res;
	uint64_t key;                   /* global key number */
	int tomb;
	uint64_t create, version;
	size_t vlen, voff;
} op;

static int stream_init(stream *st, uint64_t seed)
{
	memset(st, 0, sizeof *st);
	for (unsigned i = 0; i < NRES; i++) { st->base[i] = st->nkeys; st->nkeys += res[i].pool; }
	st->alive = calloc(st->nkeys, 1);
	st->create = calloc(st->nkeys, sizeof *st->create);
	st->version = calloc(st->nkeys, sizeof *st->version);
	st->s = seed ^ 0x6a09e667f3bcc909ull;
	if (!st->s) st->s = 1;
	return st->alive && st->create && st->version ? 0 : -1;
}

static void stream_free(stream *st) { free(st->alive); free(st->create); free(st->version); }

/* Revision r: five draws whatever the outcome, so every pass sees the same stream. */
static void stream_next(stream *st, uint64_t r, op *o)
{
	uint64_t a = synth_rng(&st->s), b = synth_rng(&st->s), c = synth_rng(&st->s), d = synth_rng(&st->s), e = synth_rng(&st->s);
	unsigned w = (unsigned)(a % 10000), i = 0;
	while (i + 1 < NRES && w >= res[i].weight) { w -= res[i].weight; i++; }
	o->res = i;
	o->key = st->base[i] + b % res[i].pool;
	o->tomb = st->alive[o->key] && c % 100 < res[i].del_pct;
	if (o->tomb) {
		st->alive[o->key] = 0;
	} else {
		if (!st->alive[o->key]) { st->create[o->key] = r; st->version[o->key] = 0; }
		st->alive[o->key] = 1;
		st->version[o->key]++;
	}
	o->create = st->create[o->key];
	o->version = st->version[o->key];
	o->vlen = synth_logsize(d, res[i].vmin, res[i].vmax);
	o->voff = (size_t)(e % (VPOOL - o->vlen));
}

static int key_of(char *k, size_t cap, const stream *st, const op *o)
{
	const k8s_res *R = &res[o->res];
	uint64_t i = o->key - st->base[o->res];
	uint64_t h = (o->key + 1) * 0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	char ns[32];
	if (R->ns) snprintf(ns, sizeof ns, "%s", R->ns);
	else snprintf(ns, sizeof ns, "team-%02u", (unsigned)(h % 48));
	if (o->res == 0)
		return snprintf(k, cap, "/registry/leases/%s/node-%04" PRIu64 ".cluster.internal", ns, i);
	if (o->res == 1)
		return snprintf(k, cap, "/registry/events/%s/web-%08x-%05x.%016" PRIx64, ns,
		                (unsigned)(h >> 8), (unsigned)(h >> 40) & 0xfffff, h);
	if (o->res == 2)
		return snprintf(k, cap, "/registry/pods/%s/web-%08x-%05x", ns, (unsigned)(h >> 8),
		                (unsigned)(h >> 40) & 0xfffff);
	return snprintf(k, cap, "/registry/%s/%s/app-%05" PRIu64 "-%06x", R->res, ns, i, (unsigned)(h >> 16) & 0xffffff);
}

/* 2 MiB of JSON-looking object text (compresses about as Kubernetes objects do) */
static uint8_t *value_pool(uint64_t seed)
{
	uint8_t *p = malloc(VPOOL);
	if (!p) return NULL;
	uint64_t s = seed | 1;
	size_t at = 0;
	while (at < VPOOL) {
		uint64_t a = synth_rng(&s), b = synth_rng(&s);
		char t[512];
		int n = snprintf(t, sizeof t,
		                 "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-%08x-%05x\","
		                 "\"uid\":\"%08x-%04x-%04x-%04x-%012" PRIx64 "\",\"resourceVersion\":\"%" PRIu64 "\","
		                 "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"%08x\"}},\"status\":{\"phase\":"
		                 "\"Running\",\"podIP\":\"10.%u.%u.%u\",\"conditions\":[{\"type\":\"Ready\"}]}}",
		                 (unsigned)a, (unsigned)(b & 0xfffff), (unsigned)(a >> 32), (unsigned)(b >> 20) & 0xffff,
		                 (unsigned)(b >> 36) & 0xffff, (unsigned)(a >> 16) & 0xffff, b >> 16, a % 9999991,
		                 (unsigned)(b >> 8), (unsigned)(a >> 40) & 255, (unsigned)(b >> 48) & 255, (unsigned)(a >> 56));
		size_t k = (size_t)n < VPOOL - at ? (size_t)n : VPOOL - at;
		memcpy(p + at, t, k);
		at += k;
	}
	return p;
}

static size_t put_u64(uint8_t *p, unsigned field, uint64_t v)
{
	size_t at = pb_put_tag(p, field, 0);
	return at + pb_put_varint(p + at, v);
}

/* ---- WAL ---- */

/* InternalRaftRequest {1 ID, 4 put{1 key, 2 value} | 5 delete_range{1 key} | 7 compaction{1
 * revision}, 100 header{1 ID}}; inner is scratch of KV_MAX bytes */
static size_t request(uint8_t *out, uint8_t *inner, uint64_t id, const char *key, size_t kl,
                      const uint8_t *val, size_t vl, int kind)
{
	size_t pl = 0;
	if (kind == 7) pl = put_u64(inner, 1, vl);
	else {
		pl = synth_put_bytes(inner, 1, key, kl);
		if (kind == 4) pl += synth_put_bytes(inner + pl, 2, val, vl);
	}
	uint8_t hdr[16];
	size_t hl = put_u64(hdr, 1, id);
	size_t at = put_u64(out, 1, id);
	at += synth_put_bytes(out + at, (unsigned)kind, inner, pl);
	return at + synth_put_bytes(out + at, 100, hdr, hl);
}

typedef synth_walw walw;

int synth_k8s_wal(const char *datadir, const synth_k8s_opts *o, synth_wal_stats *st, uint64_t *revisions,
                  uint64_t *last_compact)
{
	memset(st, 0, sizeof *st);
	char wd[4200];
	snprintf(wd, sizeof wd, "%s/member/wal", datadir);
	if (synth_mkdirs(wd)) return -1;
	stream ks;
	uint8_t *pool = value_pool(o->seed ^ 0x9e3779b97f4a7c15ull);
	uint8_t *buf = malloc(KV_MAX + 64), *inner = malloc(KV_MAX);
	if (!pool || !buf || !inner || stream_init(&ks, o->seed)) return -1;
	uint64_t s = o->seed * 0x2545F4914F6CDD1Dull | 1;   /* batches, leader changes: not the stream */
	walw w = { .dir = wd, .term = 2, .st = st };
	walgen_init(&w.g);
	walgen_segment_start(&w.g);
	walgen_metadata(&w.g, o->member_id ? o->member_id : SYNTH_MEMBER_ID, SYNTH_CLUSTER_ID);
	walgen_snapshot(&w.g, 0, 0);
	uint64_t idbase = (SYNTH_MEMBER_ID & 0xffff) << 48 | (((uint64_t)1764222336000ull & 0xffffffffffull) << 8);
	uint64_t index = 0, rev = 2, batch_left = 0, next_leader = 50000 + synth_rng(&s) % 50000, compacted_for = 0;
	*last_compact = 0;
	char key[256];
	int rc = 0;
	while (w.used_closed + w.g.len < o->wal_bytes) {
		size_t len;
		if (index + 1 == next_leader) {
			/* leader change: 0..3 uncommitted entries at the old term are overwritten by the
			 * new leader's empty entry and whatever follows it */
			w.commit = index;
			synth_hard_state(&w);
			unsigned junk = (unsigned)(synth_rng(&s) % 4);
			for (unsigned j = 1; j <= junk; j++) {
				len = request(buf, inner, idbase + index + j, "/registry/lost", 14, pool, 300, 4);
				walgen_entry(&w.g, 0, w.term, index + j, buf, len);
				st->entries++;
			}
			w.term++;
			synth_hard_state(&w);
			walgen_entry(&w.g, 0, w.term, ++index, NULL, 0);
			st->entries++;
			next_leader = index + 50000 + synth_rng(&s) % 100000;
		} else if (o->compact_every && rev - 1 >= 2 * o->compact_every && (rev - 1) % o->compact_every == 0 &&
		           compacted_for != rev) {
			/* the API server compacts to the revision it saw one period earlier */
			len = request(buf, inner, idbase + index + 1, NULL, 0, NULL, rev - 1 - o->compact_every, 7);
			walgen_entry(&w.g, 0, w.term, ++index, buf, len);
			st->entries++;
			compacted_for = rev;
			*last_compact = rev - 1 - o->compact_every;
		} else {
			op p;
			stream_next(&ks, rev, &p);
			int kl = key_of(key, sizeof key, &ks, &p);
			len = request(buf, inner, idbase + index + 1, key, (size_t)kl, pool + p.voff, p.vlen, p.tomb ? 5 : 4);
			walgen_entry(&w.g, 0, w.term, ++index, buf, len);
			st->entries++;
			rev++;
		}
		/* etcd writes a Ready's entries, then its HardState (commit trails a little) */
		if (batch_left == 0) batch_left = 1 + synth_rng(&s) % 16;
		if (--batch_left == 0) {
			uint64_t c = index > 2 ? index - synth_rng(&s) % 3 : index;
			if (c > w.commit) w.commit = c;   /* commit never goes back */
			synth_hard_state(&w);
		}
		if (index % 20000 == 0) walgen_snapshot(&w.g, w.commit, w.term);
		if (w.g.len >= SEGMENT) {
			if (synth_seg_close(&w, 0)) { rc = -1; break; }
			w.seq++;
			w.first = index + 1;
			walgen_segment_start(&w.g);
			walgen_metadata(&w.g, o->member_id ? o->member_id : SYNTH_MEMBER_ID, SYNTH_CLUSTER_ID);
			synth_hard_state(&w);
		}
	}
	w.commit = index;
	synth_hard_state(&w);
	if (rc == 0) rc = synth_seg_close(&w, 1);
	st->bytes_used = w.used_closed;
	st->last_index = index;
	st->last_term = w.term;
	*revisions = rev - 1;
	walgen_free(&w.g);
	stream_free(&ks);
	free(pool);
	free(buf);
	free(inner);
	return rc;
}

/* ---- bbolt db ---- */

typedef synth_dbw dbw;   /* node: KV_MAX + a page, one leaf node being written */

/* A leaf being filled: up to 256 elements of 17/18-byte revision keys. */
typedef struct {
	uint8_t keys[18 * 256];
	size_t klen[256], voff[256], vlen[256];
	uint8_t *vals;                  /* KV_MAX + a page */
	size_t cnt, vat, size;
	int live;                       /* linked into the tree (else: a stale page freed by compaction) */
} leafacc;

static int flush_leaf(dbw *d, leafacc *L)
{
	if (!L->cnt) return 0;
	int rc = synth_write_leaf(d, d->node, KV_MAX + PS, L->keys, L->klen, L->vals, L->voff, L->vlen, L->cnt, L->live);
	L->cnt = 0; L->vat = 0; L->size = 16;
	return rc;
}

/* Adds revision r's element, flushing the leaf first when it would pass 90 % of a page. */
static int leaf_add(dbw *d, leafacc *L, uint64_t r, int tomb, const uint8_t *kv, size_t v)
{
	if (L->cnt && (L->cnt == 256 || L->size + 16 + 18 + v > PS * 9 / 10) && flush_leaf(d, L)) return -1;
	uint8_t *k = L->keys + 18 * L->cnt;
	for (int j = 0; j < 8; j++) k[j] = (uint8_t)(r >> (56 - 8 * j));
	k[8] = '_';
	memset(k + 9, 0, 8);
	k[17] = 't';
	L->klen[L->cnt] = tomb ? 18 : 17;
	memcpy(L->vals + L->vat, kv, v);
	L->voff[L->cnt] = L->vat;
	L->vlen[L->cnt] = v;
	L->vat += v;
	L->size += 16 + L->klen[L->cnt] + v;
	L->cnt++;
	return 0;
}

/* page 4 (meta: consistent_index, scheduled/finishedCompactRev), then pages 2, 3 and the metas
 * (synth_db_frame) */
static int finish(dbw *d, uint64_t key_root, uint64_t ci, uint64_t compact)
{
	uint8_t p[PS];
	memset(p, 0, PS); synth_le64(p, 4); synth_le16(p + 8, 0x02);
	{
		const char *k[3] = { "consistent_index", "finishedCompactRev", "scheduledCompactRev" };
		unsigned n = compact ? 3 : 1;
		synth_le16(p + 10, (uint16_t)n);
		size_t at = 16 + 16 * n;
		for (unsigned i = 0; i < n; i++) {
			size_t kl = strlen(k[i]), vl = i ? 17 : 8;
			uint64_t v = i ? compact : ci;
			synth_le32(p + 16 + 16 * i + 4, (uint32_t)(at - (16 + 16 * i)));
			synth_le32(p + 16 + 16 * i + 8, (uint32_t)kl);
			synth_le32(p + 16 + 16 * i + 12, (uint32_t)vl);
			memcpy(p + at, k[i], kl);
			for (int j = 0; j < 8; j++) p[at + kl + j] = (uint8_t)(v >> (56 - 8 * j));
			if (i) p[at + kl + 8] = '_';
			at += kl + vl;
		}
	}
	if (synth_write_pages(d, 4, p, 1)) return -1;
	return synth_db_frame(d, key_root);
}

/* What the compaction at K keeps: per key its last revision <= K when a put (0: none). */
static uint64_t *keep_set(const synth_k8s_opts *o, uint64_t K)
{
	stream ks;
	if (stream_init(&ks, o->seed)) return NULL;
	uint64_t *keep = calloc(ks.nkeys, sizeof *keep);
	for (uint64_t r = 2; keep && r <= K; r++) {
		op p;
		stream_next(&ks, r, &p);
		keep[p.key] = p.tomb ? 0 : r;
	}
	stream_free(&ks);
	return keep;
}

/* mvccpb.KeyValue {1 key, 2 create_revision, 3 mod_revision, 4 version, 5 value}; a
 * tombstone is {1 key} */
static size_t keyvalue(uint8_t *kv, const char *key, size_t kl, uint64_t r, const op *p, const uint8_t *pool)
{
	size_t v = synth_put_bytes(kv, 1, key, kl);
	if (p->tomb) return v;
	v += put_u64(kv + v, 2, p->create);
	v += put_u64(kv + v, 3, r);
	v += put_u64(kv + v, 4, p->version);
	return v + synth_put_bytes(kv + v, 5, pool + p->voff, p->vlen);
}

/* One pass over revisions 2..REVISIONS; a revision the compaction removed goes to a stale page
 * when its hash is below keep_stale (of 2^32). fd < 0: a dry run that only counts pages. */
static int db_pass(dbw *d, const synth_k8s_opts *o, uint64_t revisions, uint64_t compact,
                   const uint64_t *keep, const uint8_t *pool, uint64_t keep_stale, uint64_t *live_pages,
                   synth_db_stats *st)
{
	stream ks = { 0 };   /* freed below even when an allocation fails before stream_init */
	uint8_t *kv = malloc(KV_MAX);
	leafacc *L = calloc(2, sizeof *L);   /* [0] stale, [1] live */
	int rc = !kv || !L || stream_init(&ks, o->seed) ? -1 : 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		L[i].vals = malloc(KV_MAX + PS);
		L[i].size = 16;
		L[i].live = i;
		if (!L[i].vals) rc = -1;
	}
	char key[256];
	uint64_t live = 0;
	for (uint64_t r = 2; r <= revisions && rc == 0; r++) {
		op p;
		stream_next(&ks, r, &p);
		int drop = r <= compact && keep[p.key] != r;
		uint64_t h = r * 0x9E3779B97F4A7C15ull;
		if (drop && (h >> 32) >= keep_stale) { st->dropped++; continue; }   /* its page was reused */
		int kl = key_of(key, sizeof key, &ks, &p);
		size_t v = keyvalue(kv, key, (size_t)kl, r, &p, pool);
		uint64_t before = d->next_page;
		rc = leaf_add(d, &L[!drop], r, p.tomb, kv, v);
		if (!drop) live += d->next_page - before;   /* pages flushed while adding to the live leaf */
		st->tombstones += (uint64_t)(p.tomb && !drop);
		st->dropped += (uint64_t)drop;
	}
	if (rc == 0) rc = flush_leaf(d, &L[0]);
	uint64_t before = d->next_page;
	if (rc == 0) rc = flush_leaf(d, &L[1]);
	*live_pages = live + d->next_page - before;
	stream_free(&ks);
	if (L) { free(L[0].vals); free(L[1].vals); }
	free(L); free(kv);
	return rc;
}

int synth_k8s_db(const char *datadir, const synth_k8s_opts *o, uint64_t revisions, uint64_t compact,
                 uint64_t consistent_index, synth_db_stats *st)
{
	memset(st, 0, sizeof *st);
	char path[4200];
	snprintf(path, sizeof path, "%s/member/snap", datadir);
	if (synth_mkdirs(path)) return -1;
	snprintf(path, sizeof path, "%s/member/snap/db", datadir);
	uint8_t *pool = value_pool(o->seed ^ 0x9e3779b97f4a7c15ull);   /* the WAL's values */
	uint64_t *keep = keep_set(o, compact);
	dbw d = { .fd = -1, .next_page = 5, .node = malloc(KV_MAX + PS) };
	if (!pool || !keep || !d.node) return -1;
	uint64_t keep_stale = UINT64_C(1) << 32, live = 0;
	int rc = 0;
	if (o->db_bytes) {
		/* dry run: how many stale pages fit beside the live tree in db_bytes */
		synth_db_stats dry = { 0 };
		rc = db_pass(&d, o, revisions, compact, keep, pool, keep_stale, &live, &dry);
		uint64_t all = d.next_page, want = o->db_bytes / PS;
		if (rc == 0 && all > live) {
			double f = want > live ? (double)(want - live) / (double)(all - live) : 0.0;
			keep_stale = f >= 1.0 ? keep_stale : (uint64_t)(f * 4294967296.0);
		}
		d.next_page = 5;
		d.nl = 0;   /* the dry run's leaves are not this file's */
	}
	d.fd = rc == 0 ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	if (d.fd < 0) return -1;
	rc = db_pass(&d, o, revisions, compact, keep, pool, keep_stale, &live, st);
	st->revisions = revisions - 1;
	uint64_t key_root = 0;
	if (rc == 0) rc = synth_build_branches(&d, &key_root);
	if (rc == 0) rc = finish(&d, key_root, consistent_index, compact);
	st->pages = d.next_page;
	st->file_bytes = d.next_page * PS;
	if (close(d.fd)) rc = -1;
	free(d.level); free(d.node);
	free(keep); free(pool);
	return rc;
}
