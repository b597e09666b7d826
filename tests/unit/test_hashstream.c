/* test_hashstream.c: HashKV of compacted dbs by the streaming walk (src/semantic/hashstream.c)
 * against the key index (the computation every fixture's etcd hashkv already checks), on
 * synthesized bbolt dbs: random histories (few keys, deletes and re-creations within one
 * revision, tombstones on dead keys, compactions as etcd leaves them or with arbitrary leftovers)
 * and hand-made tricky ones (tombstone at exactly K, generations around K, a db emptied after its
 * compaction, a bucket out of order). Both variants, the chosen rule's skipped-tombstone flag,
 * partial hashes (upto) and the hashed elements of one revision must all be identical. */
#include "test.h"
#include "semantic/hashstream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PS 4096u
#define MAXE 2000

typedef struct { uint8_t k[18]; size_t kn; uint8_t v[48]; size_t vn; int64_t main, sub; int tomb; } elem;

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void be64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; } }
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

static size_t varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) { p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
	p[n++] = (uint8_t)v;
	return n;
}

static elem mk(int64_t main, int64_t sub, int tomb, const char *key)
{
	elem e;
	memset(&e, 0, sizeof e);
	be64(e.k, (uint64_t)main); e.k[8] = '_'; be64(e.k + 9, (uint64_t)sub);
	e.kn = 17;
	if (tomb) e.k[e.kn++] = 't';
	size_t kl = strlen(key), n = 0;
	e.v[n++] = 0x0a; e.v[n++] = (uint8_t)kl; memcpy(e.v + n, key, kl); n += kl;
	if (!tomb) {
		e.v[n++] = 0x10; n += varint(e.v + n, (uint64_t)main);
		e.v[n++] = 0x18; n += varint(e.v + n, (uint64_t)main);
		e.v[n++] = 0x20; e.v[n++] = 1;
		e.v[n++] = 0x2a; e.v[n++] = 3; e.v[n++] = 'v'; e.v[n++] = (uint8_t)('0' + main % 10); e.v[n++] = (uint8_t)('0' + sub % 10);
	}
	e.vn = n;
	e.main = main; e.sub = sub; e.tomb = tomb;
	return e;
}

/* One leaf node (with overflow pages when it needs them) at page *next; returns its id. */
static uint64_t put_leaf(uint8_t **img, size_t *npages, uint64_t *next, const uint8_t *const *k, const size_t *kn,
                         const uint8_t *const *v, const size_t *vn, size_t n, int buckets)
{
	size_t size = 16 + 16 * n;
	for (size_t i = 0; i < n; i++) size += kn[i] + vn[i];
	size_t pages = (size + PS - 1) / PS;
	uint64_t id = *next;
	*next += pages;
	if (*next > *npages) {
		*img = realloc(*img, *next * PS);
		assert_non_null(*img);
		memset(*img + *npages * PS, 0, (*next - *npages) * PS);
		*npages = *next;
	}
	uint8_t *pg = *img + id * PS;
	le64(pg, id); le16(pg + 8, 2); le16(pg + 10, (uint16_t)n); le32(pg + 12, (uint32_t)(pages - 1));
	size_t at = 16 + 16 * n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *el = pg + 16 + 16 * i;
		le32(el, buckets ? 1 : 0); le32(el + 4, (uint32_t)(at - (16 + 16 * i)));
		le32(el + 8, (uint32_t)kn[i]); le32(el + 12, (uint32_t)vn[i]);
		memcpy(pg + at, k[i], kn[i]);
		memcpy(pg + at + kn[i], v[i], vn[i]);
		at += kn[i] + vn[i];
	}
	return id;
}

/* A db of cluster/clusterVersion 3.5.0, key (the elements, in the order given) and meta
 * (consistent_index, finishedCompactRev = compact unless < 0). */
static const char *write_db(const char *file, const elem *e, size_t n, int64_t compact)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", test_tmpdir(NULL), file);
	size_t npages = 3;
	uint8_t *img = calloc(npages, PS);
	assert_non_null(img);
	uint64_t next = 3;
	const uint8_t **kk = calloc(n + 1, sizeof *kk), **vv = calloc(n + 1, sizeof *vv);
	size_t *kn = calloc(n + 1, sizeof *kn), *vn = calloc(n + 1, sizeof *vn);
	assert_true(kk && vv && kn && vn);
	for (size_t i = 0; i < n; i++) { kk[i] = e[i].k; kn[i] = e[i].kn; vv[i] = e[i].v; vn[i] = e[i].vn; }
	uint64_t key_root = put_leaf(&img, &npages, &next, kk, kn, vv, vn, n, 0);
	const uint8_t *ck[1] = { (const uint8_t *)"clusterVersion" }, *cv[1] = { (const uint8_t *)"3.5.0" };
	size_t ckn[1] = { 14 }, cvn[1] = { 5 };
	uint64_t cl_root = put_leaf(&img, &npages, &next, ck, ckn, cv, cvn, 1, 0);
	uint8_t ci[8] = { 0, 0, 0, 0, 0, 0, 0, 9 }, cr[17];
	be64(cr, (uint64_t)compact); cr[8] = '_'; be64(cr + 9, 0);
	const uint8_t *mk_[2] = { (const uint8_t *)"consistent_index", (const uint8_t *)"finishedCompactRev" };
	const uint8_t *mv[2] = { ci, cr };
	size_t mkn[2] = { 16, 18 }, mvn[2] = { 8, 17 };
	uint64_t meta_root = put_leaf(&img, &npages, &next, mk_, mkn, mv, mvn, compact >= 0 ? 2 : 1, 0);
	uint8_t rv[3][16];
	memset(rv, 0, sizeof rv);
	le64(rv[0], cl_root); le64(rv[1], key_root); le64(rv[2], meta_root);
	const uint8_t *rk[3] = { (const uint8_t *)"cluster", (const uint8_t *)"key", (const uint8_t *)"meta" };
	const uint8_t *rvp[3] = { rv[0], rv[1], rv[2] };
	size_t rkn[3] = { 7, 3, 4 }, rvn[3] = { 16, 16, 16 };
	uint64_t root = put_leaf(&img, &npages, &next, rk, rkn, rvp, rvn, 3, 1);
	for (int pg = 0; pg < 2; pg++) {
		uint8_t *p = img + pg * PS;
		le64(p, (uint64_t)pg); le16(p + 8, 4);
		le32(p + 16, 0xED0CDAED); le32(p + 20, 2); le32(p + 24, PS);
		le64(p + 32, root); le64(p + 48, 2); le64(p + 56, npages); le64(p + 64, (uint64_t)(2 + pg));
		le64(p + 72, fnv(p + 16, 56));
	}
	uint8_t *fl = img + 2 * PS;   /* page 2: an empty freelist */
	le64(fl, 2); le16(fl + 8, 0x10);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, PS, npages, f), npages);
	fclose(f);
	free(img); free(kk); free(vv); free(kn); free(vn);
	return path;
}

typedef struct { ea_input *in; ea_mvcc *m; } opened;

static void open_db(opened *o, const char *path, int index_only)
{
	ea_error err = { 0 };
	if (ea_input_open(&o->in, path, &err)) fail_msg("open %s: %s", path, err.msg);
	if (ea_mvcc_open(&o->m, o->in, NULL, &err)) fail_msg("mvcc open %s: %s", path, err.msg);
	if (index_only) ea__mvcc_no_stream(o->m);
}

static void close_db(opened *o) { ea_mvcc_close(o->m); ea_input_close(o->in); }

typedef struct { int64_t sub; int tomb; } hel;
typedef struct { hel e[64]; size_t n; } hels;

static int collect(const ea_mvcc_kv *kv, void *p)
{
	hels *h = p;
	if (h->n < 64) h->e[h->n++] = (hel){ kv->sub, kv->tombstone };
	return 0;
}

static int paths[4];

/* Every HashKV question the commands ask, streamed and by the index: identical answers. */
static void compare_all(const char *path, int64_t compact, int64_t last_main)
{
	opened s, x;
	open_db(&s, path, 0);
	open_db(&x, path, 1);
	int64_t cur = last_main > compact ? last_main : compact;
	int64_t revs[6] = { 0, compact, compact + 1, cur, (compact + cur) / 2, cur - 1 };
	for (int rule = 0; rule < 3; rule++) {
		ea_hashkv_rule r = rule == 0 ? EA_HASHKV_RULE_AUTO : rule == 1 ? EA_HASHKV_RULE_CLASSIC : EA_HASHKV_RULE_SKIP_TOMBSTONE;
		ea_mvcc_set_hash_rule(s.m, r);
		ea_mvcc_set_hash_rule(x.m, r);
		for (int i = 0; i < 6; i++) {
			ea_hashkv_result hs, hx;
			ea_error e1 = { 0 }, e2 = { 0 };
			int r1 = ea_mvcc_hashkv(s.m, revs[i], &hs, &e1), r2 = ea_mvcc_hashkv(x.m, revs[i], &hx, &e2);
			assert_int_equal(r1, r2);
			if (r1) continue;
			paths[ea__mvcc_hash_path(s.m)]++;
			assert_int_equal(ea__mvcc_hash_path(x.m) == 3 || ea__mvcc_hash_path(x.m) == 0, 1);
			if (hs.hash_classic != hx.hash_classic || hs.hash_skip != hx.hash_skip)
				fail_msg("%s rev %" PRId64 " (compact %" PRId64 "): stream %08x/%08x index %08x/%08x", path,
				         revs[i], compact, hs.hash_classic, hs.hash_skip, hx.hash_classic, hx.hash_skip);
			assert_int_equal(hs.hash, hx.hash);
			assert_int_equal(hs.hash_revision, hx.hash_revision);
			assert_int_equal(hs.skipped_compact_tombstone, hx.skipped_compact_tombstone);
			int64_t R = hs.hash_revision;
			if (rule) continue;   /* the partial hashes and elements: once, with the inferred rule */
			int64_t uptos[5] = { 0, compact - 1, compact, compact + 1, R - 1 };
			for (int u = 0; u < 5; u++) {
				uint32_t a, b;
				assert_int_equal(ea_mvcc_hashkv_upto(s.m, R, uptos[u], &a, &e1), ea_mvcc_hashkv_upto(x.m, R, uptos[u], &b, &e2));
				assert_int_equal(a, b);
			}
			for (int64_t mn = compact - 1; mn <= compact + 1; mn++) {
				hels ha = { .n = 0 }, hb = { .n = 0 };
				assert_int_equal(ea_mvcc_hashkv_elements(s.m, R, mn, collect, &ha, &e1),
				                 ea_mvcc_hashkv_elements(x.m, R, mn, collect, &hb, &e2));
				assert_int_equal(ha.n, hb.n);
				for (size_t k = 0; k < ha.n; k++) {
					assert_int_equal(ha.e[k].sub, hb.e[k].sub);
					assert_int_equal(ha.e[k].tomb, hb.e[k].tomb);
				}
			}
		}
	}
	close_db(&s);
	close_db(&x);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
	return *s;
}

/* A random history; elements at or below the compaction dropped as `mode` says: 0 none,
 * 1 at random, 2 as etcd's compaction (each key's last element <= K if a put, a tombstone at
 * K sometimes kept as 3.5.16+ keeps it). */
static size_t random_history(uint64_t *seed, elem *out, int64_t *compact, int64_t *last)
{
	static const char *names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	int pool = (int)(rng(seed) % 3);
	int nk = pool == 0 ? 2 : pool == 1 ? 5 : 60;
	int64_t nmain = 3 + (int64_t)(rng(seed) % 40);
	*compact = rng(seed) % 8 == 0 ? -1 : (int64_t)(1 + rng(seed) % (uint64_t)nmain);
	int recreate_at_k = rng(seed) % 3 == 0;
	static elem all[MAXE];
	size_t n = 0;
	for (int64_t mn = 1; mn <= nmain && n + 4 < MAXE; mn++) {
		int ops = 1 + (int)(rng(seed) % 3);
		if (mn == *compact && recreate_at_k) {   /* deleted and re-created within K */
			all[n++] = mk(mn, 0, 1, "a");
			all[n++] = mk(mn, 1, 0, "a");
			continue;
		}
		for (int s = 0; s < ops; s++) {
			char key[8];
			int k = (int)(rng(seed) % (uint64_t)nk);
			if (k < 8) snprintf(key, sizeof key, "%s", names[k]);
			else snprintf(key, sizeof key, "k%d", k);
			int tomb = rng(seed) % 100 < 35;
			all[n++] = mk(mn, s, tomb, key);
		}
	}
	*last = nmain;
	int mode = (int)(rng(seed) % 3);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const elem *e = &all[i];
		int keep = 1;
		if (e->main <= *compact && mode == 1) keep = rng(seed) % 100 < 40;
		if (e->main <= *compact && mode == 2) {
			size_t j = i + 1;   /* a later element <= K of the same key? */
			for (; j < n && all[j].main <= *compact; j++)
				if (all[j].vn >= 2 && e->vn >= 2 && all[j].v[1] == e->v[1] && memcmp(all[j].v + 2, e->v + 2, e->v[1]) == 0) break;
			int last_of_key = j >= n || all[j].main > *compact;
			keep = last_of_key && (!e->tomb || (e->main == *compact && rng(seed) % 2));
		}
		if (keep) out[m++] = *e;
	}
	return m;
}

static void test_hashstream__random_histories_match_the_index(void **state)
{
	(void)state;
	static elem e[MAXE];
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	memset(paths, 0, sizeof paths);
	for (int round = 0; round < 150; round++) {
		int64_t compact, last;
		size_t n = random_history(&seed, e, &compact, &last);
		char file[32];
		snprintf(file, sizeof file, "r%d.db", round);
		compare_all(write_db(file, e, n, compact), compact, last);
	}
	print_message("paths: scan %d, scan stream %d, stream walk %d, index %d\n", paths[0], paths[1], paths[2], paths[3]);
	/* the streaming decided nearly every compacted case by itself */
	assert_true(paths[1] + paths[2] > 10 * paths[3]);
	assert_true(paths[1] > 0 && paths[2] > 0);
}

/* A tombstone at exactly K closing a generation, a key deleted and re-created within K, a key
 * re-created above K, a generation open across K, and one closed above K. */
static void test_hashstream__tricky_around_the_compaction(void **state)
{
	(void)state;
	elem e[16];
	size_t n = 0;
	e[n++] = mk(2, 0, 0, "open");        /* alive across K, never touched: kept */
	e[n++] = mk(3, 0, 0, "gone");
	e[n++] = mk(4, 0, 0, "re");
	e[n++] = mk(5, 0, 1, "gone");        /* tombstone at K = 5 */
	e[n++] = mk(5, 1, 1, "re");          /* deleted and re-created within K */
	e[n++] = mk(5, 2, 0, "re");
	e[n++] = mk(6, 0, 0, "gone");        /* re-created above K */
	e[n++] = mk(7, 0, 1, "re");          /* closed above K */
	e[n++] = mk(8, 0, 0, "new");
	e[n++] = mk(8, 1, 1, "new");
	compare_all(write_db("t1.db", e, n, 5), 5, 8);
	/* the same bucket compacted at every revision */
	for (int64_t k = 1; k <= 8; k++) {
		char f[16];
		snprintf(f, sizeof f, "t1-%d.db", (int)k);
		compare_all(write_db(f, e, n, k), k, 8);
	}
}

/* No key alive at R, more keys put above K than the candidates: only the index can tell that
 * keep(R) is empty, and is used; a bucket out of revision order also goes to the index. */
static void test_hashstream__undecided_and_disorder_use_the_index(void **state)
{
	(void)state;
	static elem e[200];
	size_t n = 0;
	e[n++] = mk(1, 0, 0, "old");
	e[n++] = mk(2, 0, 1, "old");   /* tombstone at K = 2 */
	int64_t mn = 3;
	for (int i = 0; i < EA_HS_CANDIDATES + 8; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%03d", i);
		e[n++] = mk(mn++, 0, 0, key);
	}
	for (int i = 0; i < EA_HS_CANDIDATES + 8; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%03d", i);
		e[n++] = mk(mn++, 0, 1, key);
	}
	const char *p = write_db("u.db", e, n, 2);
	memset(paths, 0, sizeof paths);
	compare_all(p, 2, mn - 1);
	assert_true(paths[3] > 0);
	opened s;
	open_db(&s, p, 0);
	ea_hashkv_result h;
	ea_error err = { 0 };
	assert_int_equal(ea_mvcc_hashkv(s.m, 0, &h, &err), 0);
	assert_int_equal(ea__mvcc_hash_path(s.m), 3);
	/* keep(R) empty: every element hashed; the newer rule leaves the tombstone at K out */
	uint32_t all = ea_crc32c(0, "key", 3), skip = all;
	for (size_t i = 0; i < n; i++) {
		all = ea_crc32c(ea_crc32c(all, e[i].k, e[i].kn), e[i].v, e[i].vn);
		if (i != 1) skip = ea_crc32c(ea_crc32c(skip, e[i].k, e[i].kn), e[i].v, e[i].vn);
	}
	assert_int_equal(h.hash_classic, all);
	assert_int_equal(h.hash_skip, skip);
	close_db(&s);

	elem d[4] = { mk(1, 0, 0, "a"), mk(3, 0, 0, "b"), mk(2, 0, 0, "c"), mk(4, 0, 0, "a") };
	p = write_db("d.db", d, 4, 2);
	memset(paths, 0, sizeof paths);
	compare_all(p, 2, 4);
	assert_int_equal(paths[1] + paths[2], 0);
}

static void test_hashstream__crc_combine(void **state)
{
	(void)state;
	uint8_t buf[3000];
	uint64_t s = 7;
	for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)rng(&s);
	size_t cuts[] = { 0, 1, 7, 8, 100, 1500, 2999, 3000 };
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		uint32_t a = ea_crc32c(0, buf, cuts[i]), b = ea_crc32c(0, buf + cuts[i], sizeof buf - cuts[i]);
		assert_int_equal(ea_hs_crc_combine(a, b, sizeof buf - cuts[i]), ea_crc32c(0, buf, sizeof buf));
	}
}

/* A tail of 2^29 bytes (2^32 bits) or more: zlib's 32-entry power table indexed modulo 32 is
 * wrong for CRC-32C there (a 1 GB db's HashKV came out wrong: its tail crossed 512 MiB at
 * revision 386,948). Ground truth: the same zeros streamed through ea_crc32c from both starts. */
static void test_hashstream__crc_combine_past_512_mib(void **state)
{
	(void)state;
	static const uint8_t zeros[1 << 20];
	const uint64_t lens[] = { (UINT64_C(1) << 29) - 3, (UINT64_C(1) << 29) + 3244 };
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint32_t a = ea_crc32c(0, "key", 3), from_a = a, from_0 = 0;
		for (uint64_t left = lens[i]; left; ) {
			size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
			from_a = ea_crc32c(from_a, zeros, n);
			from_0 = ea_crc32c(from_0, zeros, n);
			left -= n;
		}
		assert_int_equal(ea_hs_crc_combine(a, from_0, lens[i]), from_a);
	}
	/* and the identity at every power of two up to 2^40 bytes (no data needed) */
	for (unsigned k = 20; k <= 40; k++) {
		uint64_t half = UINT64_C(1) << (k - 1);
		uint32_t a = 0x12345678u, b1 = 0x9abcdef0u, b2 = 0x0fedcba9u;
		assert_int_equal(ea_hs_crc_combine(ea_hs_crc_combine(a, b1, half), b2, half),
		                 ea_hs_crc_combine(a, ea_hs_crc_combine(b1, b2, half), 2 * half));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashstream__crc_combine),
		cmocka_unit_test(test_hashstream__tricky_around_the_compaction),
		cmocka_unit_test(test_hashstream__undecided_and_disorder_use_the_index),
		cmocka_unit_test(test_hashstream__random_histories_match_the_index),
		cmocka_unit_test(test_hashstream__crc_combine_past_512_mib),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
