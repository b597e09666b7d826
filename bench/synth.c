/* synth.c: see synth.h. */
#include "synth.h"
#include "walgen.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEGMENT 64000000u
#define PS 4096u

/* ---- shared ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static unsigned logsize(uint64_t *s, unsigned lo, unsigned hi)
{
	if (hi <= lo) return lo;
	double u = (double)(rng_next(s) >> 11) / 9007199254740992.0;
	double v = exp(log((double)lo) + u * (log((double)hi) - log((double)lo)));
	unsigned n = (unsigned)v;
	return n < lo ? lo : n > hi ? hi : n;
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/') continue;
		*p = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* ~60-byte Kubernetes-like key */
static const char *const resources[] = { "pods", "services/endpoints", "configmaps", "events",
                                         "leases", "replicasets", "deployments", "secrets" };

static int make_key(char *k, size_t cap, uint64_t *s, int realistic, uint64_t i)
{
	if (!realistic)
		return snprintf(k, cap, "/registry/pods/ns-%03" PRIu64 "/pod-%08" PRIu64, i % 97, i);
	uint64_t r = rng_next(s);
	return snprintf(k, cap, "/registry/%s/namespace-%03u/frontend-%05u-%08x-%05x",
	                resources[r % 8], (unsigned)(r >> 8) % 64, (unsigned)(r >> 16) % 20000,
	                (unsigned)(r >> 32), (unsigned)(r >> 40) & 0xfffff);
}

/* 1 MiB of pseudo-random bytes with some structure; values are slices of it */
static uint8_t *value_pool(uint64_t seed)
{
	uint8_t *p = malloc(1u << 20);
	if (!p) return NULL;
	uint64_t s = seed | 1;
	static const char js[] = "{\"metadata\":{\"labels\":{\"app\":\"frontend\"}},\"spec\":{\"containers\":[]}}";
	for (size_t i = 0; i < (1u << 20); i += 256) {
		for (size_t j = 0; j < 128; j += 8) { uint64_t v = rng_next(&s); memcpy(p + i + j, &v, 8); }
		memcpy(p + i + 128, js, 128 < sizeof js - 1 ? 128 : sizeof js - 1);
		memset(p + i + 128 + sizeof js - 1, 'x', 128 - (sizeof js - 1));
	}
	return p;
}

static size_t put_bytes(uint8_t *p, unsigned field, const void *b, size_t n)
{
	size_t at = pb_put_tag(p, field, 2);
	at += pb_put_varint(p + at, n);
	memcpy(p + at, b, n);
	return at + n;
}

/* ---- WAL ---- */

/* etcdserverpb.InternalRaftRequest {1 header.ID (legacy ID), 4 put{1 key, 2 value} | 5
 * delete_range{1 key}, 100 header{1 ID}} */
static size_t make_request(uint8_t *out, uint64_t id, const char *key, size_t kl, const uint8_t *val,
                           size_t vl, int del)
{
	static uint8_t inner[8192];
	uint8_t hdr[16];
	size_t pl = put_bytes(inner, 1, key, kl);
	if (!del) pl += put_bytes(inner + pl, 2, val, vl);
	size_t hl = pb_put_tag(hdr, 1, 0);
	hl += pb_put_varint(hdr + hl, id);
	size_t at = pb_put_tag(out, 1, 0);
	at += pb_put_varint(out + at, id);
	at += put_bytes(out + at, del ? 5 : 4, inner, pl);
	at += put_bytes(out + at, 100, hdr, hl);
	return at;
}

typedef struct {
	walgen g;
	const char *dir;
	uint64_t seq, first, used_closed;
	uint64_t term, commit;
	synth_wal_stats *st;
} walw;

static int seg_close(walw *w, int last)
{
	char name[64];
	snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 ".wal", w->seq, w->first);
	if (walgen_write(&w->g, w->dir, name, last && w->g.len < SEGMENT ? SEGMENT : 0)) return -1;
	w->st->file_bytes += last && w->g.len < SEGMENT ? SEGMENT : w->g.len;
	w->st->segments++;
	w->used_closed += w->g.len;
	return 0;
}

static void state(walw *w)
{
	walgen_state(&w->g, w->term, SYNTH_MEMBER_ID, w->commit);
	w->st->hard_states++;
}

int synth_wal(const char *datadir, const synth_wal_opts *o, synth_wal_stats *st)
{
	memset(st, 0, sizeof *st);
	char wd[4200];
	snprintf(wd, sizeof wd, "%s/member/wal", datadir);
	if (mkdirs(wd)) return -1;
	uint8_t *pool = value_pool(o->seed ^ 0x9e3779b97f4a7c15ull);
	uint8_t *buf = malloc(16384);
	if (!pool || !buf) return -1;
	uint64_t s = o->seed | 1;
	walw w = { .dir = wd, .term = 2, .st = st };
	walgen_init(&w.g);
	walgen_segment_start(&w.g);
	walgen_metadata(&w.g, SYNTH_MEMBER_ID, SYNTH_CLUSTER_ID);
	walgen_snapshot(&w.g, 0, 0);
	w.first = 0;
	/* request IDs: member low 16 bits | 40-bit ms | 8-bit counter, as etcd's idutil */
	uint64_t idbase = (SYNTH_MEMBER_ID & 0xffff) << 48 | (((uint64_t)1764222336000ull & 0xffffffffffull) << 8);
	uint64_t index = 0, n = 0, batch_left = 0;
	uint64_t next_leader = o->realistic ? 50000 + rng_next(&s) % 50000 : UINT64_MAX;
	char key[128];
	int rc = 0;
	for (;;) {
		if (o->max_entries && n >= o->max_entries) break;
		if (o->max_bytes && w.used_closed + w.g.len >= o->max_bytes) break;
		if (n == next_leader) {
			/* leader change: an uncommitted tail of 0..3 entries is overwritten at a new term,
			 * which starts with an empty entry */
			state(&w);
			uint64_t back = rng_next(&s) % 4;
			if (back > index - w.commit) back = index - w.commit;
			index -= back;
			w.term++;
			state(&w);
			walgen_entry(&w.g, 0, w.term, ++index, NULL, 0);
			n++;
			next_leader = n + 50000 + rng_next(&s) % 100000;
			continue;
		}
		index++;
		uint64_t r = rng_next(&s);
		int kl = make_key(key, sizeof key, &s, o->realistic, index);
		unsigned vl = o->realistic ? logsize(&s, o->vmin, o->vmax) : o->vmin;
		const uint8_t *val;
		if (o->realistic) {
			val = pool + (r >> 20) % ((1u << 20) - vl);
		} else {
			memset(buf + 8192, 'a' + (int)(index % 26), vl);
			val = buf + 8192;
		}
		int del = o->realistic && r % 100 < 5;
		size_t len = make_request(buf, idbase + index, key, (size_t)kl, val, vl, del);
		walgen_entry(&w.g, 0, w.term, index, buf, len);
		n++;
		/* etcd writes a Ready's entries, then its HardState (commit trails a little) */
		if (batch_left == 0) batch_left = o->realistic ? 1 + rng_next(&s) % 16 : 100;
		if (--batch_left == 0) {
			w.commit = index > 2 ? index - (o->realistic ? rng_next(&s) % 3 : 0) : index;
			state(&w);
		}
		if (o->realistic && index % 20000 == 0) walgen_snapshot(&w.g, w.commit, w.term);
		if (w.g.len >= SEGMENT) {
			if (seg_close(&w, 0)) { rc = -1; break; }
			w.seq++;
			w.first = index + 1;
			walgen_segment_start(&w.g);
			walgen_metadata(&w.g, SYNTH_MEMBER_ID, SYNTH_CLUSTER_ID);
			state(&w);
		}
	}
	w.commit = index;
	state(&w);
	if (rc == 0) rc = seg_close(&w, 1);
	st->entries = n;
	st->bytes_used = w.used_closed;
	st->last_index = index;
	st->last_term = w.term;
	walgen_free(&w.g);
	free(pool);
	free(buf);
	return rc;
}

/* ---- bbolt db ---- */

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

typedef struct { uint64_t pgid; uint8_t key[18]; size_t kl; } childref;

typedef struct {
	int fd;
	uint64_t next_page;
	childref *level;
	size_t nl, capl;
} dbw;

static int write_pages(dbw *d, uint64_t id, const uint8_t *p, size_t npages)
{
	size_t len = npages * PS;
	return pwrite(d->fd, p, len, (off_t)(id * PS)) == (ssize_t)len ? 0 : -1;
}

static int add_child(dbw *d, uint64_t id, const uint8_t *key, size_t kl)
{
	if (d->nl == d->capl) {
		d->capl = d->capl ? d->capl * 2 : 4096;
		void *p = realloc(d->level, d->capl * sizeof *d->level);
		if (!p) return -1;
		d->level = p;
	}
	d->level[d->nl].pgid = id;
	memcpy(d->level[d->nl].key, key, kl);
	d->level[d->nl].kl = kl;
	d->nl++;
	return 0;
}

/* one leaf node (possibly several pages) of `cnt` elements of 17- or 18-byte keys (18 slots) */
static int flush_leaf(dbw *d, uint8_t *node, size_t *cap, const uint8_t *keys, const size_t *klen,
                      const uint8_t *vals, const size_t *voff, const size_t *vlen, size_t cnt)
{
	size_t size = 16 + 16 * cnt;
	for (size_t i = 0; i < cnt; i++) size += klen[i] + vlen[i];
	size_t npages = (size + PS - 1) / PS;
	if (npages * PS > *cap) return -1;
	memset(node, 0, npages * PS);
	uint64_t id = d->next_page;
	le64(node, id);
	le16(node + 8, 0x02);
	le16(node + 10, (uint16_t)cnt);
	le32(node + 12, (uint32_t)(npages - 1));
	size_t at = 16 + 16 * cnt;
	for (size_t i = 0; i < cnt; i++) {
		uint8_t *e = node + 16 + 16 * i;
		le32(e + 4, (uint32_t)(at - (16 + 16 * i)));
		le32(e + 8, (uint32_t)klen[i]);
		le32(e + 12, (uint32_t)vlen[i]);
		memcpy(node + at, keys + 18 * i, klen[i]);
		memcpy(node + at + klen[i], vals + voff[i], vlen[i]);
		at += klen[i] + vlen[i];
	}
	if (write_pages(d, id, node, npages)) return -1;
	d->next_page += npages;
	return add_child(d, id, keys, klen[0]);
}

static int build_branches(dbw *d, uint64_t *root)
{
	uint8_t p[PS];
	while (d->nl > 1) {
		size_t per = (size_t)((PS - 16) * 9 / 10) / (16 + 18);
		size_t nn = 0;
		for (size_t at = 0; at < d->nl; at += per) {
			size_t cnt = d->nl - at < per ? d->nl - at : per;
			memset(p, 0, PS);
			uint64_t id = d->next_page++;
			le64(p, id);
			le16(p + 8, 0x01);
			le16(p + 10, (uint16_t)cnt);
			size_t base = 16 + 16 * cnt;
			for (size_t i = 0; i < cnt; i++) {
				uint8_t *e = p + 16 + 16 * i;
				const childref *c = &d->level[at + i];
				le32(e, (uint32_t)(base - (16 + 16 * i)));
				le32(e + 4, (uint32_t)c->kl);
				le64(e + 8, c->pgid);
				memcpy(p + base, c->key, c->kl);
				base += c->kl;
			}
			if (write_pages(d, id, p, 1)) return -1;
			size_t kl0 = d->level[at].kl;
			uint8_t k0[18];
			memcpy(k0, d->level[at].key, kl0);
			d->level[nn].pgid = id;
			memcpy(d->level[nn].key, k0, kl0);
			d->level[nn].kl = kl0;
			nn++;
		}
		d->nl = nn;
	}
	*root = d->nl ? d->level[0].pgid : 0;
	return 0;
}

/* ---- key pool mode: updates, deletes and etcd's compaction ---- */

/* The k-th key of the pool: ~60 bytes, Kubernetes-like. */
static int pool_key(char *k, size_t cap, uint64_t i)
{
	uint64_t r = (i + 1) * 0x9E3779B97F4A7C15ull;
	r ^= r >> 31;
	return snprintf(k, cap, "/registry/%s/namespace-%03u/frontend-%05u-%08x-%07" PRIu64,
	                resources[i % 8], (unsigned)(r >> 8) % 64, (unsigned)(r >> 16) % 20000,
	                (unsigned)(r >> 32), i);
}

typedef struct {
	uint64_t s;              /* the operation stream (key, put or delete) */
	uint8_t *alive;          /* per pool key */
	uint64_t *keep;          /* per pool key: its revision etcd's compaction keeps (0: none) */
} pool_state;

/* Operation r: a put on a random pool key, or (delete_pct %) a delete of a live one. */
static uint64_t pool_op(pool_state *p, const synth_db_opts *o, int *tomb)
{
	uint64_t x = rng_next(&p->s);
	uint64_t i = (x >> 8) % o->key_pool;
	*tomb = (x & 0xff) * 100 / 256 < o->delete_pct && p->alive[i];
	p->alive[i] = (uint8_t)!*tomb;
	return i;
}

/* Replays operations 1..K once to learn what the compaction at K keeps: per key its last
 * revision <= K when that is a put (3.5.15- compaction: tombstones at or below K go). */
static int pool_begin(pool_state *p, const synth_db_opts *o)
{
	memset(p, 0, sizeof *p);
	if (!o->key_pool) return 0;
	p->alive = calloc(o->key_pool, 1);
	p->keep = calloc(o->key_pool, sizeof *p->keep);
	if (!p->alive || !p->keep) return -1;
	p->s = o->seed ^ 0x7f4a7c159e3779b9ull;
	for (uint64_t r = 1; r <= o->compact_rev; r++) {
		int tomb;
		uint64_t i = pool_op(p, o, &tomb);
		p->keep[i] = tomb ? 0 : r;
	}
	memset(p->alive, 0, o->key_pool);
	p->s = o->seed ^ 0x7f4a7c159e3779b9ull;
	return 0;
}

static int pool_next(pool_state *p, const synth_db_opts *o, uint64_t r, char *k, size_t cap, int *tomb, int *drop)
{
	uint64_t i = pool_op(p, o, tomb);
	*drop = r <= o->compact_rev && p->keep[i] != r;
	return pool_key(k, cap, i);
}

static void pool_end(pool_state *p) { free(p->alive); free(p->keep); }

int synth_db(const char *datadir, const synth_db_opts *o, synth_db_stats *st)
{
	memset(st, 0, sizeof *st);
	char path[4200];
	snprintf(path, sizeof path, "%s/member/snap", datadir);
	if (mkdirs(path)) return -1;
	snprintf(path, sizeof path, "%s/member/snap/db", datadir);
	dbw d = { .fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), .next_page = 5 };
	if (d.fd < 0) return -1;
	uint8_t *pool = value_pool(o->seed ^ 0x51ed27a1b3c9d5e7ull);
	size_t node_cap = 16 * PS;
	uint8_t *node = malloc(node_cap), *vals = malloc(16 * PS);
	uint8_t keys[18 * 256];
	size_t klen[256], voff[256], vlen[256];
	if (!pool || !node || !vals) return -1;
	pool_state ps;
	if (pool_begin(&ps, o)) return -1;
	uint64_t s = o->seed | 1;
	const size_t fill = PS * 9 / 10;
	size_t cnt = 0, vat = 0, size = 16;
	char ukey[128];
	uint64_t r = 1;
	int rc = 0;
	for (;; r++) {
		int stop = (o->max_revisions && r > o->max_revisions) ||
		           (o->max_bytes && (d.next_page + 1) * PS >= o->max_bytes);
		/* mvccpb.KeyValue {1 key, 2 create_revision, 3 mod_revision, 4 version, 5 value} */
		uint8_t kv[8192];
		size_t v = 0;
		int tomb = 0, drop = 0;
		if (!stop && o->key_pool) {
			int kl = pool_next(&ps, o, r, ukey, sizeof ukey, &tomb, &drop);
			v = put_bytes(kv, 1, ukey, (size_t)kl);
			if (!tomb) {
				unsigned vl = logsize(&s, o->vmin, o->vmax);
				v += pb_put_tag(kv + v, 2, 0); v += pb_put_varint(kv + v, r);
				v += pb_put_tag(kv + v, 3, 0); v += pb_put_varint(kv + v, r);
				v += pb_put_tag(kv + v, 4, 0); v += pb_put_varint(kv + v, 1);
				uint8_t tmp[4200];
				memcpy(tmp, pool + (rng_next(&s) >> 20) % ((1u << 20) - vl), vl);
				v += put_bytes(kv + v, 5, tmp, vl);
			}
			if (drop) { st->dropped++; continue; }   /* removed by the compaction */
		} else if (!stop) {
			int kl = make_key(ukey, sizeof ukey, &s, o->realistic, r);
			unsigned vl = o->realistic ? logsize(&s, o->vmin, o->vmax) : o->vmin;
			v = put_bytes(kv, 1, ukey, (size_t)kl);
			v += pb_put_tag(kv + v, 2, 0); v += pb_put_varint(kv + v, r);
			v += pb_put_tag(kv + v, 3, 0); v += pb_put_varint(kv + v, r);
			v += pb_put_tag(kv + v, 4, 0); v += pb_put_varint(kv + v, 1);
			uint8_t tmp[4200];
			if (o->realistic) memcpy(tmp, pool + (rng_next(&s) >> 20) % ((1u << 20) - vl), vl);
			else memset(tmp, 'a' + (int)(r % 26), vl);
			v += put_bytes(kv + v, 5, tmp, vl);
		}
		/* flush the leaf when this element would push it past the fill target */
		if (cnt && (stop || cnt == 256 || size + 16 + 18 + v > fill)) {
			if (flush_leaf(&d, node, &node_cap, keys, klen, vals, voff, vlen, cnt)) { rc = -1; break; }
			cnt = 0; vat = 0; size = 16;
		}
		if (stop) break;
		uint8_t *k = keys + 18 * cnt;
		for (int j = 0; j < 8; j++) k[j] = (uint8_t)(r >> (56 - 8 * j));
		k[8] = '_';
		memset(k + 9, 0, 8);
		k[17] = 't';
		klen[cnt] = tomb ? 18 : 17;
		memcpy(vals + vat, kv, v);
		voff[cnt] = vat;
		vlen[cnt] = v;
		vat += v;
		size += 16 + klen[cnt] + v;
		st->tombstones += (uint64_t)tomb;
		cnt++;
	}
	st->revisions = r - 1;
	pool_end(&ps);
	uint64_t key_root = 0;
	if (rc == 0) rc = build_branches(&d, &key_root);
	uint64_t npages = d.next_page;
	uint8_t p[PS];
	/* page 2: free (no freelist is stored, as etcd 3.4 runs bbolt with NoFreelistSync);
	 * page 3: root bucket leaf {key, meta}; page 4: meta bucket leaf */
	memset(p, 0, PS); le64(p, 2); le16(p + 8, 0x10);
	if (rc == 0) rc = write_pages(&d, 2, p, 1);
	memset(p, 0, PS); le64(p, 4); le16(p + 8, 0x02); le16(p + 10, o->compact_rev ? 2 : 1);
	{
		const char *k = "consistent_index", *k2 = "finishedCompactRev";
		size_t kl = strlen(k), kl2 = strlen(k2), at = 16 + 32;
		le32(p + 16 + 4, (uint32_t)(at - 16));
		le32(p + 16 + 8, (uint32_t)kl);
		le32(p + 16 + 12, 8);
		memcpy(p + at, k, kl);
		for (int j = 0; j < 8; j++) p[at + kl + j] = (uint8_t)(o->consistent_index >> (56 - 8 * j));
		at += kl + 8;
		if (o->compact_rev) {   /* finishedCompactRev = revision key {K, 0} */
			le32(p + 32 + 4, (uint32_t)(at - 32));
			le32(p + 32 + 8, (uint32_t)kl2);
			le32(p + 32 + 12, 17);
			memcpy(p + at, k2, kl2);
			for (int j = 0; j < 8; j++) p[at + kl2 + j] = (uint8_t)(o->compact_rev >> (56 - 8 * j));
			p[at + kl2 + 8] = '_';
		}
	}
	if (rc == 0) rc = write_pages(&d, 4, p, 1);
	memset(p, 0, PS); le64(p, 3); le16(p + 8, 0x02); le16(p + 10, 2);
	{
		const char *names[2] = { "key", "meta" };
		uint64_t roots[2] = { key_root, 4 };
		size_t at = 48;
		for (int i = 0; i < 2; i++) {
			uint8_t *e = p + 16 + 16 * i;
			size_t kl = strlen(names[i]);
			le32(e, 1);
			le32(e + 4, (uint32_t)(at - (size_t)(16 + 16 * i)));
			le32(e + 8, (uint32_t)kl);
			le32(e + 12, 16);
			memcpy(p + at, names[i], kl);
			le64(p + at + kl, roots[i]);
			le64(p + at + kl + 8, 0);
			at += kl + 16;
		}
	}
	if (rc == 0) rc = write_pages(&d, 3, p, 1);
	for (int pg = 0; pg < 2 && rc == 0; pg++) {
		memset(p, 0, PS);
		le64(p, (uint64_t)pg);
		le16(p + 8, 0x04);
		le32(p + 16, 0xED0CDAED); le32(p + 20, 2); le32(p + 24, PS);
		le64(p + 32, 3); le64(p + 48, UINT64_MAX); le64(p + 56, npages); le64(p + 64, (uint64_t)(2 + pg));
		le64(p + 72, fnv(p + 16, 56));
		rc = write_pages(&d, (uint64_t)pg, p, 1);
	}
	st->pages = npages;
	st->file_bytes = npages * PS;
	if (close(d.fd)) rc = -1;
	free(d.level);
	free(pool);
	free(node);
	free(vals);
	return rc;
}
