/* synth.c: see synth.h. */
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

/* ~60-byte Kubernetes-like key */
static const char *const resources[] = { "pods", "services/endpoints", "configmaps", "events",
                                         "leases", "replicasets", "deployments", "secrets" };

static int make_key(char *k, size_t cap, uint64_t *s, int realistic, uint64_t i)
{
	if (!realistic)
		return snprintf(k, cap, "/registry/pods/ns-%03" PRIu64 "/pod-%08" PRIu64, i % 97, i);
	uint64_t r = synth_rng(s);
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
		for (size_t j = 0; j < 128; j += 8) { uint64_t v = synth_rng(&s); memcpy(p + i + j, &v, 8); }
		memcpy(p + i + 128, js, 128 < sizeof js - 1 ? 128 : sizeof js - 1);
		memset(p + i + 128 + sizeof js - 1, 'x', 128 - (sizeof js - 1));
	}
	return p;
}

/* ---- WAL ---- */

/* etcdserverpb.InternalRaftRequest {1 header.ID (legacy ID), 4 put{1 key, 2 value} | 5
 * delete_range{1 key}, 100 header{1 ID}} */
static size_t make_request(uint8_t *out, uint64_t id, const char *key, size_t kl, const uint8_t *val,
                           size_t vl, int del)
{
	static uint8_t inner[8192];
	uint8_t hdr[16];
	size_t pl = synth_put_bytes(inner, 1, key, kl);
	if (!del) pl += synth_put_bytes(inner + pl, 2, val, vl);
	size_t hl = pb_put_tag(hdr, 1, 0);
	hl += pb_put_varint(hdr + hl, id);
	size_t at = pb_put_tag(out, 1, 0);
	at += pb_put_varint(out + at, id);
	at += synth_put_bytes(out + at, del ? 5 : 4, inner, pl);
	at += synth_put_bytes(out + at, 100, hdr, hl);
	return at;
}

typedef synth_walw walw;

int synth_wal(const char *datadir, const synth_wal_opts *o, synth_wal_stats *st)
{
	memset(st, 0, sizeof *st);
	char wd[4200];
	snprintf(wd, sizeof wd, "%s/member/wal", datadir);
	if (synth_mkdirs(wd)) return -1;
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
	uint64_t next_leader = o->realistic ? 50000 + synth_rng(&s) % 50000 : UINT64_MAX;
	char key[128];
	int rc = 0;
	for (;;) {
		if (o->max_entries && n >= o->max_entries) break;
		if (o->max_bytes && w.used_closed + w.g.len >= o->max_bytes) break;
		if (n == next_leader) {
			/* leader change: an uncommitted tail of 0..3 entries is overwritten at a new term,
			 * which starts with an empty entry */
			synth_hard_state(&w);
			uint64_t back = synth_rng(&s) % 4;
			if (back > index - w.commit) back = index - w.commit;
			index -= back;
			w.term++;
			synth_hard_state(&w);
			walgen_entry(&w.g, 0, w.term, ++index, NULL, 0);
			n++;
			next_leader = n + 50000 + synth_rng(&s) % 100000;
			continue;
		}
		index++;
		uint64_t r = synth_rng(&s);
		int kl = make_key(key, sizeof key, &s, o->realistic, index);
		unsigned vl = o->realistic ? synth_logsize(synth_rng(&s), o->vmin, o->vmax) : o->vmin;
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
		if (batch_left == 0) batch_left = o->realistic ? 1 + synth_rng(&s) % 16 : 100;
		if (--batch_left == 0) {
			w.commit = index > 2 ? index - (o->realistic ? synth_rng(&s) % 3 : 0) : index;
			synth_hard_state(&w);
		}
		if (o->realistic && index % 20000 == 0) walgen_snapshot(&w.g, w.commit, w.term);
		if (w.g.len >= SEGMENT) {
			if (synth_seg_close(&w, 0)) { rc = -1; break; }
			w.seq++;
			w.first = index + 1;
			walgen_segment_start(&w.g);
			walgen_metadata(&w.g, SYNTH_MEMBER_ID, SYNTH_CLUSTER_ID);
			synth_hard_state(&w);
		}
	}
	w.commit = index;
	synth_hard_state(&w);
	if (rc == 0) rc = synth_seg_close(&w, 1);
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

typedef synth_dbw dbw;

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
	uint64_t x = synth_rng(&p->s);
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
	if (synth_mkdirs(path)) return -1;
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
			v = synth_put_bytes(kv, 1, ukey, (size_t)kl);
			if (!tomb) {
				unsigned vl = synth_logsize(synth_rng(&s), o->vmin, o->vmax);
				v += pb_put_tag(kv + v, 2, 0); v += pb_put_varint(kv + v, r);
				v += pb_put_tag(kv + v, 3, 0); v += pb_put_varint(kv + v, r);
				v += pb_put_tag(kv + v, 4, 0); v += pb_put_varint(kv + v, 1);
				uint8_t tmp[4200];
				memcpy(tmp, pool + (synth_rng(&s) >> 20) % ((1u << 20) - vl), vl);
				v += synth_put_bytes(kv + v, 5, tmp, vl);
			}
			if (drop) { st->dropped++; continue; }   /* removed by the compaction */
		} else if (!stop) {
			int kl = make_key(ukey, sizeof ukey, &s, o->realistic, r);
			unsigned vl = o->realistic ? synth_logsize(synth_rng(&s), o->vmin, o->vmax) : o->vmin;
			v = synth_put_bytes(kv, 1, ukey, (size_t)kl);
			v += pb_put_tag(kv + v, 2, 0); v += pb_put_varint(kv + v, r);
			v += pb_put_tag(kv + v, 3, 0); v += pb_put_varint(kv + v, r);
			v += pb_put_tag(kv + v, 4, 0); v += pb_put_varint(kv + v, 1);
			uint8_t tmp[4200];
			if (o->realistic) memcpy(tmp, pool + (synth_rng(&s) >> 20) % ((1u << 20) - vl), vl);
			else memset(tmp, 'a' + (int)(r % 26), vl);
			v += synth_put_bytes(kv + v, 5, tmp, vl);
		}
		/* flush the leaf when this element would push it past the fill target */
		if (cnt && (stop || cnt == 256 || size + 16 + 18 + v > fill)) {
			if (synth_write_leaf(&d, node, node_cap, keys, klen, vals, voff, vlen, cnt, 1)) { rc = -1; break; }
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
	if (rc == 0) rc = synth_build_branches(&d, &key_root);
	uint64_t npages = d.next_page;
	uint8_t p[PS];
	/* page 4: the meta bucket leaf {consistent_index[, finishedCompactRev]} */
	memset(p, 0, PS); synth_le64(p, 4); synth_le16(p + 8, 0x02); synth_le16(p + 10, o->compact_rev ? 2 : 1);
	{
		const char *k = "consistent_index", *k2 = "finishedCompactRev";
		size_t kl = strlen(k), kl2 = strlen(k2), at = 16 + 32;
		synth_le32(p + 16 + 4, (uint32_t)(at - 16));
		synth_le32(p + 16 + 8, (uint32_t)kl);
		synth_le32(p + 16 + 12, 8);
		memcpy(p + at, k, kl);
		for (int j = 0; j < 8; j++) p[at + kl + j] = (uint8_t)(o->consistent_index >> (56 - 8 * j));
		at += kl + 8;
		if (o->compact_rev) {   /* finishedCompactRev = revision key {K, 0} */
			synth_le32(p + 32 + 4, (uint32_t)(at - 32));
			synth_le32(p + 32 + 8, (uint32_t)kl2);
			synth_le32(p + 32 + 12, 17);
			memcpy(p + at, k2, kl2);
			for (int j = 0; j < 8; j++) p[at + kl2 + j] = (uint8_t)(o->compact_rev >> (56 - 8 * j));
			p[at + kl2 + 8] = '_';
		}
	}
	if (rc == 0) rc = synth_write_pages(&d, 4, p, 1);
	if (rc == 0) rc = synth_db_frame(&d, key_root);
	st->pages = npages;
	st->file_bytes = npages * PS;
	if (close(d.fd)) rc = -1;
	free(d.level);
	free(pool);
	free(node);
	free(vals);
	return rc;
}
