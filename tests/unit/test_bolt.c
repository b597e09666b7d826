/* test_bolt.c: the bbolt reader on tiny hand-made files (one malformation each: out-of-range
 * page id, self-referencing branch, element beyond its page, overflow past the end, bad meta
 * checksum, 0xFFFF freelist count, key order, wrong page type, SHA-256 trailer) and on the
 * corrupted copies made by fixtures/make-corrupt-db.py (offsets from its manifest). */
#include "test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define PS 4096u

/* ---- a tiny bbolt writer ---- */

typedef struct {
	uint8_t *b;
	size_t pages;
	size_t fill[64];       /* leaf/branch data cursor per page */
} img;

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

static void img_init(img *m, size_t pages)
{
	memset(m, 0, sizeof *m);
	m->pages = pages;
	m->b = calloc(pages, PS);
	assert_non_null(m->b);
}

static void meta(img *m, uint64_t page, uint64_t root, uint64_t freelist, uint64_t pgid, uint64_t txid, int good)
{
	uint8_t *p = m->b + page * PS;
	le64(p, page);
	le16(p + 8, 0x04);
	le32(p + 16, 0xED0CDAED);
	le32(p + 20, 2);
	le32(p + 24, PS);
	le64(p + 32, root);
	le64(p + 48, freelist);
	le64(p + 56, pgid);
	le64(p + 64, txid);
	le64(p + 72, fnv(p + 16, 56) ^ (good ? 0 : 1));
}

/* Starts a page: header with `count` elements; data goes after the element array. */
static void page(img *m, uint64_t id, uint16_t flags, uint16_t count, uint32_t overflow)
{
	uint8_t *p = m->b + id * PS;
	le64(p, id);
	le16(p + 8, flags);
	le16(p + 10, count);
	le32(p + 12, overflow);
	m->fill[id] = 16 + 16u * count;
}

static void leaf_elem(img *m, uint64_t id, unsigned i, uint32_t flags, const void *k, size_t kn,
                      const void *v, size_t vn)
{
	uint8_t *p = m->b + id * PS;
	size_t e = 16 + 16u * i;
	le32(p + e, flags);
	le32(p + e + 4, (uint32_t)(m->fill[id] - e));
	le32(p + e + 8, (uint32_t)kn);
	le32(p + e + 12, (uint32_t)vn);
	memcpy(p + m->fill[id], k, kn);
	memcpy(p + m->fill[id] + kn, v, vn);
	m->fill[id] += kn + vn;
}

static void branch_elem(img *m, uint64_t id, unsigned i, const void *k, size_t kn, uint64_t child)
{
	uint8_t *p = m->b + id * PS;
	size_t e = 16 + 16u * i;
	le32(p + e, (uint32_t)(m->fill[id] - e));
	le32(p + e + 4, (uint32_t)kn);
	le64(p + e + 8, child);
	memcpy(p + m->fill[id], k, kn);
	m->fill[id] += kn;
}

/* Root bucket on page 2 with one bucket "key" rooted at `keyroot`. */
static void root_with_key(img *m, uint64_t keyroot)
{
	uint8_t bv[16] = { 0 };
	le64(bv, keyroot);
	page(m, 2, 0x02, 1, 0);
	leaf_elem(m, 2, 0, 1, "key", 3, bv, sizeof bv);
}

static const char *img_write(img *m, const char *name, size_t extra, const uint8_t *tail, size_t tail_len)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", test_tmpdir(NULL), name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m->b, PS, m->pages, f), m->pages);
	for (size_t i = 0; i < extra; i++) fputc(0, f);
	if (tail_len) assert_int_equal(fwrite(tail, 1, tail_len, f), tail_len);
	fclose(f);
	free(m->b);
	m->b = NULL;
	return path;
}

typedef struct {
	ea_input *in;
	ea_bolt *b;
} opened;

static void open_db(opened *o, const char *path)
{
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&o->in, path, &err), 0);
	size_t idx;
	assert_int_equal(ea_bolt_locate(o->in, &idx, &err), 0);
	int rc = ea_bolt_open(&o->b, o->in, idx, &err);
	if (rc) fail_msg("open %s: %s", path, err.msg);
}

static void close_db(opened *o)
{
	ea_bolt_close(o->b);
	ea_input_close(o->in);
}

static const ea_problem *find_problem(ea_bolt *b, const char *kind)
{
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++)
		if (strcmp(ea_bolt_problem_at(b, i)->kind, kind) == 0) return ea_bolt_problem_at(b, i);
	return NULL;
}

static int count_cb(const ea_bolt_kv *kv, void *p)
{
	(void)kv;
	(*(size_t *)p)++;
	return 0;
}

static size_t count_key_bucket(ea_bolt *b)
{
	ea_bolt_bucket bk;
	size_t n = 0;
	if (ea_bolt_bucket_open(b, NULL, "key", 3, &bk) != 0) return SIZE_MAX;
	assert_true(ea_bolt_foreach(b, &bk, count_cb, &n) >= 0);
	ea_bolt_bucket_close(&bk);
	return n;
}

/* ---- synthetic files ---- */

static void build_valid(img *m)
{
	img_init(m, 4);
	meta(m, 0, 2, UINT64_MAX, 4, 2, 1);
	meta(m, 1, 2, UINT64_MAX, 4, 3, 1);
	root_with_key(m, 3);
	page(m, 3, 0x02, 2, 0);
	leaf_elem(m, 3, 0, 0, "a", 1, "1", 1);
	leaf_elem(m, 3, 1, 0, "b", 1, "2", 1);
}

static void test_bolt__valid_tiny_file(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	assert_int_equal(ea_bolt_problem_count(o.b), 0);
	assert_int_equal(ea_bolt_meta_used(o.b), 1);
	assert_int_equal(r.reachable, 4);
	assert_int_equal(r.free_pages, 0);
	assert_int_equal(count_key_bucket(o.b), 2);
	ea_bolt_trailer_state ts;
	assert_int_equal(ea_bolt_trailer(o.b, &ts, NULL, NULL), 0);
	assert_int_equal(ts, EA_BOLT_TRAILER_ABSENT);
	close_db(&o);
}

static void test_bolt__out_of_range_page_id(void **state)
{
	(void)state;
	img m;
	img_init(&m, 4);
	meta(&m, 0, 2, UINT64_MAX, 4, 2, 1);
	meta(&m, 1, 2, UINT64_MAX, 4, 3, 1);
	root_with_key(&m, 99);
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	assert_int_equal(count_key_bucket(o.b), 0);
	const ea_problem *p = find_problem(o.b, "page-out-of-bounds");
	assert_non_null(p);
	assert_non_null(strstr(p->message, "page 99"));
	assert_int_equal(p->layer, EA_LAYER_BOLT);
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	close_db(&o);
}

static void test_bolt__self_referencing_branch(void **state)
{
	(void)state;
	img m;
	img_init(&m, 4);
	meta(&m, 0, 2, UINT64_MAX, 4, 2, 1);
	meta(&m, 1, 2, UINT64_MAX, 4, 3, 1);
	root_with_key(&m, 3);
	page(&m, 3, 0x01, 1, 0);
	branch_elem(&m, 3, 0, "a", 1, 3);
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	assert_int_equal(count_key_bucket(o.b), 0);           /* terminates */
	const ea_problem *p = find_problem(o.b, "cycle");
	assert_non_null(p);
	assert_int_equal(p->offset, 3 * PS + 16 + 8);          /* the child pgid field */
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);          /* terminates too, same finding */
	assert_int_equal(r.reachable, 4);
	close_db(&o);
}

static void test_bolt__element_beyond_page(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	le32(m.b + 3 * PS + 16 + 16 + 4, 0xFFFFFF00u);          /* element 1: pos */
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	assert_int_equal(count_key_bucket(o.b), 1);           /* element 0 survives */
	const ea_problem *p = find_problem(o.b, "element-overrun");
	assert_non_null(p);
	assert_int_equal(p->offset, 3 * PS + 16 + 16);
	assert_non_null(strstr(p->message, "page 3 element 1"));
	close_db(&o);
}

static void test_bolt__huge_count_is_clamped(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	le16(m.b + 3 * PS + 10, 0xFFFF);
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	count_key_bucket(o.b);
	assert_non_null(find_problem(o.b, "element-overrun"));
	close_db(&o);
}

static void test_bolt__overflow_past_end(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	le32(m.b + 3 * PS + 12, 1000);
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	assert_int_equal(count_key_bucket(o.b), 2);           /* the first page is still read */
	const ea_problem *p = find_problem(o.b, "overflow-out-of-bounds");
	assert_non_null(p);
	assert_int_equal(p->offset, 3 * PS + 12);
	close_db(&o);
}

static void test_bolt__bad_meta_checksum_falls_back(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	meta(&m, 1, 2, UINT64_MAX, 4, 3, 0);                    /* newer meta broken */
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	assert_int_equal(ea_bolt_meta_used(o.b), 0);
	assert_false(ea_bolt_meta_at(o.b, 1)->valid);
	const ea_problem *p = find_problem(o.b, "meta-fallback");
	assert_non_null(p);
	assert_int_equal(p->offset, PS);
	assert_non_null(strstr(p->message, "meta page 1"));
	assert_non_null(strstr(p->message, "falling back to meta page 0"));
	assert_int_equal(count_key_bucket(o.b), 2);
	close_db(&o);
}

static void test_bolt__both_metas_invalid(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	meta(&m, 0, 2, UINT64_MAX, 4, 2, 0);
	meta(&m, 1, 2, UINT64_MAX, 4, 3, 0);
	const char *path = img_write(&m, "db", 0, NULL, 0);
	ea_error err = { 0 };
	ea_input *in;
	ea_bolt *b = NULL;
	assert_int_equal(ea_input_open(&in, path, &err), 0);
	assert_int_equal(ea_bolt_open(&b, in, 0, &err), EA_ECORRUPT);
	assert_null(b);
	assert_non_null(strstr(err.msg, "checksum"));
	ea_input_close(in);
}

static void test_bolt__freelist_ffff_count(void **state)
{
	(void)state;
	img m;
	img_init(&m, 8);
	meta(&m, 0, 2, 4, 8, 2, 1);
	meta(&m, 1, 2, 4, 8, 3, 1);
	root_with_key(&m, 3);
	page(&m, 3, 0x02, 1, 0);
	leaf_elem(&m, 3, 0, 0, "a", 1, "1", 1);
	page(&m, 4, 0x10, 0xFFFF, 0);
	le64(m.b + 4 * PS + 16, 3);                            /* real count */
	le64(m.b + 4 * PS + 24, 5);
	le64(m.b + 4 * PS + 32, 6);
	le64(m.b + 4 * PS + 40, 7);
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	assert_int_equal(ea_bolt_problem_count(o.b), 0);
	assert_true(r.freelist_stored);
	assert_int_equal(r.free_pages, 3);
	assert_int_equal(r.unreachable, 0);
	ea_bolt_page_info pi;
	assert_int_equal(ea_bolt_page_describe(o.b, 6, &pi), 0);
	assert_string_equal(pi.state, "free");
	assert_int_equal(ea_bolt_page_describe(o.b, 4, &pi), 0);
	assert_string_equal(pi.type, "freelist");
	close_db(&o);

	/* a hostile real count, a duplicate and an unreachable page */
	img_init(&m, 8);
	meta(&m, 0, 2, 4, 8, 2, 1);
	meta(&m, 1, 2, 4, 8, 3, 1);
	root_with_key(&m, 3);
	page(&m, 3, 0x02, 0, 0);
	page(&m, 4, 0x10, 0xFFFF, 0);
	le64(m.b + 4 * PS + 16, UINT64_MAX);
	le64(m.b + 4 * PS + 24, 5);
	le64(m.b + 4 * PS + 32, 5);
	open_db(&o, img_write(&m, "db2", 0, NULL, 0));
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	assert_non_null(find_problem(o.b, "freelist-overrun"));
	assert_non_null(find_problem(o.b, "already-freed"));
	assert_non_null(find_problem(o.b, "unreachable-unfreed"));   /* pages 6 and 7 */
	close_db(&o);
}

static void test_bolt__key_order_and_page_type(void **state)
{
	(void)state;
	img m;
	img_init(&m, 5);
	meta(&m, 0, 2, UINT64_MAX, 5, 2, 1);
	meta(&m, 1, 2, UINT64_MAX, 5, 3, 1);
	root_with_key(&m, 3);
	page(&m, 3, 0x01, 2, 0);                               /* branch: leaf 4, then a meta page */
	branch_elem(&m, 3, 0, "a", 1, 4);
	branch_elem(&m, 3, 1, "x", 1, 0);
	page(&m, 4, 0x02, 2, 0);
	leaf_elem(&m, 4, 0, 0, "b", 1, "1", 1);
	leaf_elem(&m, 4, 1, 0, "a", 1, "2", 1);                /* out of order */
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	const ea_problem *p = find_problem(o.b, "key-order");
	assert_non_null(p);
	assert_int_equal(p->offset, 4 * PS + 32);
	assert_non_null(find_problem(o.b, "page-type"));
	close_db(&o);
}

static void test_bolt__sha256_trailer(void **state)
{
	(void)state;
	for (int bad = 0; bad < 2; bad++) {
		img m;
		build_valid(&m);
		uint8_t md[32];
		unsigned int n = 0;
		EVP_Digest(m.b, 4 * PS, md, &n, EVP_sha256(), NULL);
		if (bad) md[31] ^= 1;
		opened o;
		open_db(&o, img_write(&m, "backup.db", 0, md, sizeof md));
		ea_bolt_trailer_state ts;
		uint8_t st[32], cp[32];
		assert_int_equal(ea_bolt_trailer(o.b, &ts, st, cp), 0);
		assert_int_equal(ts, bad ? EA_BOLT_TRAILER_MISMATCH : EA_BOLT_TRAILER_OK);
		assert_memory_equal(st, md, 32);
		if (bad) assert_int_equal(find_problem(o.b, "trailer-mismatch")->offset, 4 * PS);
		close_db(&o);
	}
}

static void test_bolt__truncated_file(void **state)
{
	(void)state;
	img m;
	build_valid(&m);
	m.pages = 3;                                           /* the key leaf (page 3) is gone */
	opened o;
	open_db(&o, img_write(&m, "db", 100, NULL, 0));
	assert_non_null(find_problem(o.b, "truncated"));
	assert_int_equal(count_key_bucket(o.b), 0);
	assert_non_null(find_problem(o.b, "page-beyond-eof"));
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	close_db(&o);
}

/* Random garbage after valid metas: must terminate without crashing. */
static void test_bolt__garbage_pages_terminate(void **state)
{
	(void)state;
	uint32_t seed = 12345;
	for (int round = 0; round < 50; round++) {
		img m;
		build_valid(&m);
		for (size_t i = 2 * PS; i < 4 * PS; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 7 == 0) m.b[i] = (uint8_t)(seed >> 8);
		}
		opened o;
		open_db(&o, img_write(&m, "db", 0, NULL, 0));
		ea_bolt_check_result r;
		assert_int_equal(ea_bolt_check(o.b, &r), 0);
		count_key_bucket(o.b);
		size_t n = 0;
		ea_bolt_scan_leaves(o.b, count_cb, &n);
		close_db(&o);
	}
}

/* ---- corrupted copies of real files (fixtures/make-corrupt-db.py) ---- */

static void test_bolt__corrupt_leaf_flip(void **state)
{
	(void)state;
	opened o;
	open_db(&o, fixture_path("corrupt-db", "leaf-flip.tar.gz"));
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	uint64_t page = manifest_u64("corrupt-db", "leaf-flip.page");
	const char *offs = manifest_get("corrupt-db", "leaf-flip.element_offsets");
	assert_non_null(offs);
	char want[64];
	snprintf(want, sizeof want, "page %" PRIu64 " element", page);
	size_t found = 0;
	for (const char *s = offs; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL) {
		uint64_t off = strtoull(s, NULL, 10);
		for (size_t i = 0; i < ea_bolt_problem_count(o.b); i++) {
			const ea_problem *p = ea_bolt_problem_at(o.b, i);
			if (p->offset == off) {
				assert_string_equal(p->kind, "element-overrun");
				assert_non_null(strstr(p->message, want));
				assert_string_equal(p->file, manifest_get("corrupt-db", "leaf-flip.file"));
				found++;
			}
		}
	}
	assert_int_equal(found, 2);
	close_db(&o);
}

static void test_bolt__corrupt_meta0_checksum(void **state)
{
	(void)state;
	opened o;
	open_db(&o, fixture_path("corrupt-db", "meta0-checksum.tar.gz"));
	assert_int_equal(ea_bolt_meta_used(o.b), (int)manifest_u64("corrupt-db", "meta0-checksum.expected_meta"));
	assert_int_equal(ea_bolt_meta_at(o.b, 1)->txid, manifest_u64("corrupt-db", "meta0-checksum.txid_page1"));
	const ea_problem *p = find_problem(o.b, "meta-fallback");
	assert_non_null(p);
	assert_int_equal(p->offset, 0);
	assert_non_null(strstr(p->message, "falling back to meta page 1"));
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	assert_int_equal(ea_bolt_problem_count(o.b), 1);      /* the older tree is intact */
	close_db(&o);
}

static void test_bolt__corrupt_backup_truncated(void **state)
{
	(void)state;
	opened o;
	open_db(&o, fixture_path("corrupt-db", "backup-truncated.tar.gz"));
	const ea_problem *p = find_problem(o.b, "truncated");
	assert_non_null(p);
	assert_int_equal(p->offset, manifest_u64("corrupt-db", "backup-truncated.size"));
	ea_bolt_trailer_state ts;
	assert_int_equal(ea_bolt_trailer(o.b, &ts, NULL, NULL), 0);
	assert_int_equal(ts, EA_BOLT_TRAILER_ABSENT);
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(o.b, &r), 0);
	assert_int_equal(r.pages, manifest_u64("corrupt-db", "backup-truncated.pgid"));
	close_db(&o);
}

static void test_bolt__corrupt_backup_lastbyte(void **state)
{
	(void)state;
	opened o;
	open_db(&o, fixture_path("corrupt-db", "backup-lastbyte.tar.gz"));
	ea_bolt_trailer_state ts;
	assert_int_equal(ea_bolt_trailer(o.b, &ts, NULL, NULL), 0);
	assert_int_equal(ts, EA_BOLT_TRAILER_MISMATCH);
	const ea_problem *p = find_problem(o.b, "trailer-mismatch");
	assert_non_null(p);
	assert_int_equal(p->offset, manifest_u64("corrupt-db", "backup-lastbyte.trailer_offset"));
	close_db(&o);
}

static int teardown(void **state)
{
	(void)state;
	test_tmpdir_remove();
	return 0;
}

/* Point lookups over neighbouring keys read each node once (the nodes of the last descent
 * are kept), answer the same in any order, and a lookup through a bad reference reports it
 * once. Before the cache, 12 lookups in key order read 24 pages (branch + leaf each). */
typedef struct { int found; char v[8]; } got_t;

static int got_cb(const ea_bolt_kv *kv, void *p)
{
	got_t *g = p;
	g->found = 1;
	snprintf(g->v, sizeof g->v, "%.*s", (int)kv->value_len, (const char *)kv->value);
	return 0;
}

static void test_bolt__lookups_read_each_node_once(void **state)
{
	(void)state;
	img m;
	img_init(&m, 7);
	meta(&m, 0, 2, UINT64_MAX, 7, 2, 1);
	meta(&m, 1, 2, UINT64_MAX, 7, 3, 1);
	root_with_key(&m, 3);
	page(&m, 3, 0x01, 4, 0);   /* branch: three leaves and a child beyond the high-water mark */
	const char *first[] = { "a0", "b0", "c0", "d0" };
	for (unsigned l = 0; l < 4; l++) branch_elem(&m, 3, l, first[l], 2, l < 3 ? 4 + l : 99);
	for (unsigned l = 0; l < 3; l++) {
		page(&m, 4 + l, 0x02, 4, 0);
		for (unsigned i = 0; i < 4; i++) {
			char k[3] = { (char)('a' + l), (char)('0' + i), 0 }, v[3] = { (char)('A' + l), (char)('0' + i), 0 };
			leaf_elem(&m, 4 + l, i, 0, k, 2, v, 2);
		}
	}
	opened o;
	open_db(&o, img_write(&m, "db", 0, NULL, 0));
	ea_bolt_bucket bk;
	assert_int_equal(ea_bolt_bucket_open(o.b, NULL, "key", 3, &bk), 0);
	uint64_t before = ea_input_bytes_read();
	for (unsigned l = 0; l < 3; l++)
		for (unsigned i = 0; i < 4; i++) {
			char k[3] = { (char)('a' + l), (char)('0' + i), 0 }, v[3] = { (char)('A' + l), (char)('0' + i), 0 };
			got_t g = { 0 };
			assert_int_equal(ea_bolt_get(o.b, &bk, k, 2, got_cb, &g), 0);
			assert_true(g.found);
			assert_string_equal(g.v, v);
		}
	assert_int_equal(ea_input_bytes_read() - before, 4 * PS);   /* the branch and three leaves */
	/* any order, absent keys, and the bad child: same answers, its problem once */
	const char *order[] = { "c3", "a1", "b2", "a1", "c0", "b9", "a0", "zz", "d1", "c2", "d1", "a2" };
	const char *want[] = { "C3", "A1", "B2", "A1", "C0", NULL, "A0", NULL, NULL, "C2", NULL, "A2" };
	for (unsigned n = 0; n < 12; n++) {
		got_t g = { 0 };
		int rc = ea_bolt_get(o.b, &bk, order[n], 2, got_cb, &g);
		if (want[n]) {
			assert_int_equal(rc, 0);
			assert_string_equal(g.v, want[n]);
		} else {
			assert_int_equal(rc, EA_ENOTFOUND);
			assert_false(g.found);
		}
	}
	assert_int_equal(ea_bolt_problem_count(o.b), 1);
	assert_non_null(find_problem(o.b, "page-out-of-bounds"));
	ea_bolt_bucket_close(&bk);
	close_db(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bolt__valid_tiny_file),
		cmocka_unit_test(test_bolt__out_of_range_page_id),
		cmocka_unit_test(test_bolt__self_referencing_branch),
		cmocka_unit_test(test_bolt__element_beyond_page),
		cmocka_unit_test(test_bolt__huge_count_is_clamped),
		cmocka_unit_test(test_bolt__overflow_past_end),
		cmocka_unit_test(test_bolt__bad_meta_checksum_falls_back),
		cmocka_unit_test(test_bolt__both_metas_invalid),
		cmocka_unit_test(test_bolt__freelist_ffff_count),
		cmocka_unit_test(test_bolt__key_order_and_page_type),
		cmocka_unit_test(test_bolt__sha256_trailer),
		cmocka_unit_test(test_bolt__truncated_file),
		cmocka_unit_test(test_bolt__garbage_pages_terminate),
		cmocka_unit_test(test_bolt__corrupt_leaf_flip),
		cmocka_unit_test(test_bolt__corrupt_meta0_checksum),
		cmocka_unit_test(test_bolt__corrupt_backup_truncated),
		cmocka_unit_test(test_bolt__corrupt_backup_lastbyte),
		cmocka_unit_test(test_bolt__lookups_read_each_node_once),
	};
	return cmocka_run_group_tests_name("bolt", tests, NULL, teardown);
}
