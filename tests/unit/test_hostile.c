/* test_hostile.c: inputs built to hurt a reader: absurd length fields, claims past the end of
 * the file, 10^5 empty segments, overflowing names, bbolt ids beyond the file, pages pointing
 * to themselves or their parent, overflow counts past the end, elements outside their page,
 * 4 GiB key sizes, deeply nested buckets, a .snap claiming 2 GiB, archives with traversal
 * names and a zip-bomb-sized member. Each must end with a clear problem, in bounded time and
 * with a bounded memory high-water mark (getrusage ru_maxrss delta; freed memory that ASan
 * keeps in quarantine still counts, so the ceilings hold under the sanitizers too). */
#include "test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MB (1024L * 1024L)

/* ---- time and memory bounds ---- */

typedef struct { long rss_kb; struct timespec t; } bound;

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void bound_start(bound *b)
{
	b->rss_kb = maxrss_kb();
	clock_gettime(CLOCK_MONOTONIC, &b->t);
}

/* The high-water mark may rise by at most `mb`, and at most `secs` may pass. */
static void bound_check(const bound *b, long mb, double secs, const char *what)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	double el = (double)(t.tv_sec - b->t.tv_sec) + (double)(t.tv_nsec - b->t.tv_nsec) / 1e9;
	long grew = maxrss_kb() - b->rss_kb;
	print_message("[   INFO   ] %s: %.2f s, max RSS +%ld KB\n", what, el, grew);
	if (grew > mb * 1024) fail_msg("%s: max RSS grew by %ld KB (ceiling %ld MB)", what, grew, mb);
	if (el > secs) fail_msg("%s: took %.1f s (bound %.0f s)", what, el, secs);
}

/* ---- WAL ---- */

typedef struct { size_t records, problems; const char *first_kind; uint64_t first_off; char kinds[512]; } wal_run;

static void run_wal(ea_input *in, wal_run *r)
{
	memset(r, 0, sizeof *r);
	ea_wal *w;
	ea_error err;
	assert_int_equal(ea_wal_open(&w, in, NULL, &err), EA_OK);
	ea_wal_item it;
	int rc;
	while ((rc = ea_wal_next(w, &it)) == EA_OK) {
		if (it.kind == EA_WAL_ITEM_RECORD) { r->records++; continue; }
		if (!r->problems++) { r->first_kind = NULL; r->first_off = it.problem.offset; }
		size_t l = strlen(r->kinds);
		if (l + strlen(it.problem.kind) + 2 < sizeof r->kinds)
			snprintf(r->kinds + l, sizeof r->kinds - l, "%s ", it.problem.kind);
	}
	assert_int_equal(rc, EA_ITEROVER);
	ea_wal_close(w);
}

static ea_input *mem1(const char *name, const void *data, size_t size)
{
	ea_input_mem_file f = { name, data, size, 0 };
	ea_input *in;
	assert_int_equal(ea_input_open_mem(&in, &f, 1, NULL), EA_OK);
	return in;
}

#define SEG0 "member/wal/0000000000000000-0000000000000000.wal"

static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static void test_hostile__wal_length_2_56(void **state)
{
	(void)state;
	bound b;
	bound_start(&b);
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 1, 2);
	size_t bad = g.len;
	walgen_entry(&g, 0, 1, 1, "x", 1);
	walgen_entry(&g, 0, 1, 2, "y", 1);
	/* length words: 2^56 - 1 (all 56 bits), 2^56 - 8 with pad bits, and 2^55 */
	static const uint64_t lw[] = { (UINT64_C(1) << 56) - 1, UINT64_C(0x87FFFFFFFFFFFFF8) & ~(UINT64_C(0x78) << 56),
	                               UINT64_C(1) << 55 };
	for (size_t k = 0; k < 3; k++) {
		uint8_t *copy = malloc(g.len);
		memcpy(copy, g.buf, g.len);
		put64(copy + bad, lw[k]);
		ea_input *in = mem1(SEG0, copy, g.len);
		wal_run r;
		run_wal(in, &r);
		assert_non_null(strstr(r.kinds, "impossible-length"));
		assert_int_equal(r.first_off, bad);
		assert_int_equal(r.records, 3);   /* crc, metadata, and the entry after the damage */
		ea_input_close(in);
		free(copy);
	}
	walgen_free(&g);
	bound_check(&b, 16, 10, "length words up to 2^56");
}

static void test_hostile__wal_record_longer_than_file(void **state)
{
	(void)state;
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 1, 2);
	size_t off = walgen_entry(&g, 0, 1, 1, "abcdefgh", 8);
	put64(g.buf + off, 4 * MB);   /* plausible length, far past the end of this segment */
	ea_input *in = mem1(SEG0, g.buf, g.len);
	wal_run r;
	run_wal(in, &r);
	assert_non_null(strstr(r.kinds, "impossible-length"));
	assert_int_equal(r.first_off, off);
	ea_input_close(in);
	walgen_free(&g);
}

/* Every 8-byte word after the first is a plausible 9 MiB length word: a resync must try a
 * candidate at every step without re-reading 9 MiB each time (it once took hours). */
static void test_hostile__wal_resync_no_quadratic_reads(void **state)
{
	(void)state;
	size_t size = 64 * MB;
	uint8_t *buf = malloc(size);
	assert_non_null(buf);
	put64(buf, 0x900001);                       /* implausible: rec % 8 != 0 without padding */
	for (size_t i = 8; i < size; i += 8) put64(buf + i, 0x900000);
	ea_input *in = mem1(SEG0, buf, size);
	free(buf);
	bound b;
	bound_start(&b);
	wal_run r;
	run_wal(in, &r);
	bound_check(&b, 64, 60, "64 MB of plausible length words");
	assert_int_equal(r.records, 0);
	assert_int_equal(r.problems, 1);
	assert_non_null(strstr(r.kinds, "impossible-length"));
	ea_input_close(in);
}

static void test_hostile__wal_100k_empty_segments(void **state)
{
	(void)state;
	size_t n = 100000;
	ea_input_mem_file *f = calloc(n, sizeof *f);
	char (*names)[64] = calloc(n, 64);
	assert_true(f && names);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], 64, "member/wal/%016zx-%016zx.wal", i, i);
		f[i] = (ea_input_mem_file){ names[i], NULL, 0, 0 };
	}
	bound b;
	bound_start(&b);
	ea_input *in;
	assert_int_equal(ea_input_open_mem(&in, f, n, NULL), EA_OK);
	wal_run r;
	run_wal(in, &r);
	assert_int_equal(r.records, 0);
	/* 0-byte segments are a failed copy (etcd never leaves one empty): one problem per run */
	assert_int_equal(r.problems, 1);
	ea_wal_summary s;
	ea_wal *w = NULL;
	assert_int_equal(ea_wal_summarize(in, NULL, &s, &w, NULL), EA_OK);
	assert_int_equal(ea_wal_segment_count(w), n);
	ea_wal_summary_free(&s);
	ea_wal_close(w);
	ea_input_close(in);
	bound_check(&b, 128, 60, "10^5 empty segments");
	free(f);
	free(names);
}

static void test_hostile__wal_overflowing_segment_names(void **state)
{
	(void)state;
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 1, 2);
	ea_input_mem_file f[] = {
		{ "member/wal/fffffffffffffffe-ffffffffffffffff.wal", g.buf, g.len, 0 },
		{ "member/wal/ffffffffffffffff-ffffffffffffffff.wal", g.buf, g.len, 0 },
		{ "member/wal/10000000000000000-0000000000000000.wal", g.buf, g.len, 0 },  /* 17 digits */
		{ "member/wal/0000000000000000-0000000000000000.wal", g.buf, g.len, 0 },
	};
	ea_input *in;
	assert_int_equal(ea_input_open_mem(&in, f, 4, NULL), EA_OK);
	wal_run r;
	run_wal(in, &r);
	assert_non_null(strstr(r.kinds, "bad-segment-name"));       /* the 17-digit one */
	assert_non_null(strstr(r.kinds, "missing-segment"));        /* 0 then fff...e */
	ea_input_close(in);
	walgen_free(&g);
}

/* ---- bbolt ---- */

#define PS 4096u

typedef struct { uint8_t *b; size_t pages; size_t *fill; } img;

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

static void img_init(img *m, size_t pages)
{
	m->pages = pages;
	m->b = calloc(pages, PS);
	m->fill = calloc(pages, sizeof *m->fill);
	assert_true(m->b && m->fill);
}

static void img_meta(img *m, uint64_t page, uint64_t root, uint64_t pgid, uint64_t txid)
{
	uint8_t *p = m->b + page * PS;
	put64(p, page);
	le16(p + 8, 0x04);
	le32(p + 16, 0xED0CDAED);
	le32(p + 20, 2);
	le32(p + 24, PS);
	put64(p + 32, root);
	put64(p + 48, UINT64_MAX);
	put64(p + 56, pgid);
	put64(p + 64, txid);
	put64(p + 72, fnv(p + 16, 56));
}

static void img_page(img *m, uint64_t id, uint16_t flags, uint16_t count, uint32_t overflow)
{
	uint8_t *p = m->b + id * PS;
	put64(p, id);
	le16(p + 8, flags);
	le16(p + 10, count);
	le32(p + 12, overflow);
	m->fill[id] = 16 + 16u * count;
}

static size_t img_leaf(img *m, uint64_t id, unsigned i, uint32_t flags, const void *k, size_t kn,
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
	return id * PS + e;
}

static size_t img_branch(img *m, uint64_t id, unsigned i, const void *k, size_t kn, uint64_t child)
{
	uint8_t *p = m->b + id * PS;
	size_t e = 16 + 16u * i;
	le32(p + e, (uint32_t)(m->fill[id] - e));
	le32(p + e + 4, (uint32_t)kn);
	put64(p + e + 8, child);
	memcpy(p + m->fill[id], k, kn);
	m->fill[id] += kn;
	return id * PS + e;
}

static void img_bucket(img *m, uint64_t id, unsigned i, const char *name, uint64_t root)
{
	uint8_t bv[16] = { 0 };
	put64(bv, root);
	img_leaf(m, id, i, 1, name, strlen(name), bv, sizeof bv);
}

typedef struct { ea_input *in; ea_bolt *b; ea_bolt_check_result chk; size_t kvs; } bolt_run;

static int count_cb(const ea_bolt_kv *kv, void *p)
{
	(void)kv;
	(*(size_t *)p)++;
	return 0;
}

static int walk_cb(const ea_bolt_kv *kv, void *p);
static ea_bolt *walk_b;
static int walk_depth;
static int walk_cb(const ea_bolt_kv *kv, void *p)
{
	(*(size_t *)p)++;
	if (kv->is_bucket && walk_depth < 64) {   /* a caller bounds its own recursion */
		ea_bolt_bucket c;
		if (ea_bolt_bucket_from_kv(walk_b, NULL, kv, &c) == EA_OK) {
			walk_depth++;
			ea_bolt_foreach(walk_b, &c, walk_cb, p);
			walk_depth--;
			ea_bolt_bucket_close(&c);
		}
	}
	return 0;
}

/* Opens the image, walks every bucket (recursively, as a caller would), checks, scans. */
static void bolt_all(img *m, bolt_run *r)
{
	memset(r, 0, sizeof *r);
	r->in = mem1("member/snap/db", m->b, m->pages * PS);
	free(m->b);
	free(m->fill);
	ea_error err;
	assert_int_equal(ea_bolt_open(&r->b, r->in, 0, &err), EA_OK);
	ea_bolt_bucket root;
	assert_int_equal(ea_bolt_root_bucket(r->b, &root), EA_OK);
	walk_b = r->b;
	walk_depth = 0;
	assert_true(ea_bolt_foreach(r->b, &root, walk_cb, &r->kvs) >= 0);
	ea_bolt_bucket_close(&root);
	assert_int_equal(ea_bolt_check(r->b, &r->chk), EA_OK);
	size_t n = 0;
	assert_true(ea_bolt_scan_leaves(r->b, count_cb, &n) >= 0);
}

static const ea_problem *bolt_problem(bolt_run *r, const char *kind)
{
	for (size_t i = 0; i < ea_bolt_problem_count(r->b); i++)
		if (strcmp(ea_bolt_problem_at(r->b, i)->kind, kind) == 0) return ea_bolt_problem_at(r->b, i);
	return NULL;
}

static void bolt_done(bolt_run *r)
{
	ea_bolt_close(r->b);
	ea_input_close(r->in);
}

static void test_hostile__bolt_page_ids_beyond_file(void **state)
{
	(void)state;
	bound b;
	bound_start(&b);
	img m;
	img_init(&m, 4);
	/* pgid claims 2^62 pages: the meta is valid, the file has 4 */
	img_meta(&m, 0, 2, UINT64_C(1) << 62, 2);
	img_meta(&m, 1, 2, UINT64_C(1) << 62, 3);
	img_page(&m, 2, 0x02, 3, 0);
	img_bucket(&m, 2, 0, "a", UINT64_C(1) << 61);
	img_bucket(&m, 2, 1, "b", 999);
	img_bucket(&m, 2, 2, "c", UINT64_MAX - 1);
	bolt_run r;
	bolt_all(&m, &r);
	assert_true(bolt_problem(&r, "page-beyond-eof") || bolt_problem(&r, "page-out-of-bounds"));
	bolt_done(&r);
	bound_check(&b, 32, 10, "page ids beyond the file");
}

static void test_hostile__bolt_page_points_to_parent(void **state)
{
	(void)state;
	img m;
	img_init(&m, 5);
	img_meta(&m, 0, 2, 5, 2);
	img_meta(&m, 1, 2, 5, 3);
	img_page(&m, 2, 0x02, 1, 0);
	img_bucket(&m, 2, 0, "key", 3);
	img_page(&m, 3, 0x01, 2, 0);            /* branch: child 4, then its own parent page 2 */
	img_branch(&m, 3, 0, "a", 1, 4);
	size_t back = img_branch(&m, 3, 1, "b", 1, 3);
	img_page(&m, 4, 0x02, 1, 0);
	img_bucket(&m, 4, 0, "nested", 2);      /* a bucket rooted at the root bucket's page */
	bolt_run r;
	bolt_all(&m, &r);
	const ea_problem *p = bolt_problem(&r, "cycle");
	assert_non_null(p);
	assert_true(p->offset == back + 8 || bolt_problem(&r, "multiple-references") != NULL);
	bolt_done(&r);
}

static void test_hostile__bolt_overflow_and_elements_outside(void **state)
{
	(void)state;
	bound b;
	bound_start(&b);
	img m;
	img_init(&m, 6);
	img_meta(&m, 0, 2, 6, 2);
	img_meta(&m, 1, 2, 6, 3);
	img_page(&m, 2, 0x02, 3, 0);
	img_bucket(&m, 2, 0, "a", 3);
	img_bucket(&m, 2, 1, "b", 4);
	img_bucket(&m, 2, 2, "c", 5);
	img_page(&m, 3, 0x02, 1, 0xFFFFFFFFu);  /* overflow count past the end */
	img_leaf(&m, 3, 0, 0, "k", 1, "v", 1);
	img_page(&m, 4, 0x02, 2, 0);            /* element position outside the page */
	size_t e = img_leaf(&m, 4, 0, 0, "k", 1, "v", 1);
	le32(m.b + e + 4, 0xFFFFFF00u);
	img_leaf(&m, 4, 1, 0, "l", 1, "w", 1);
	img_page(&m, 5, 0x02, 1, 0);            /* 4 GiB claimed key and value sizes */
	size_t e2 = img_leaf(&m, 5, 0, 0, "k", 1, "v", 1);
	le32(m.b + e2 + 8, 0xFFFFFFFFu);
	le32(m.b + e2 + 12, 0xFFFFFFFFu);
	bolt_run r;
	bolt_all(&m, &r);
	assert_non_null(bolt_problem(&r, "overflow-out-of-bounds"));
	assert_non_null(bolt_problem(&r, "element-overrun"));
	const ea_problem *p = bolt_problem(&r, "element-overrun");
	assert_true(p->offset >= 4 * PS && p->offset < 6 * PS);
	bolt_done(&r);
	bound_check(&b, 32, 10, "overflow counts, elements outside the page, 4 GiB sizes");
}

/* A chain of 3000 buckets, each nested in the previous one (one leaf page each). */
static void test_hostile__bolt_deeply_nested_buckets(void **state)
{
	(void)state;
	size_t depth = 3000, pages = depth + 3;
	img m;
	img_init(&m, pages);
	img_meta(&m, 0, 2, pages, 2);
	img_meta(&m, 1, 2, pages, 3);
	for (size_t i = 0; i <= depth; i++) {
		uint64_t id = 2 + i;
		img_page(&m, id, 0x02, 1, 0);
		if (i < depth) img_bucket(&m, id, 0, "n", id + 1);
		else img_leaf(&m, id, 0, 0, "k", 1, "v", 1);
	}
	bound b;
	bound_start(&b);
	bolt_run r;
	bolt_all(&m, &r);
	assert_non_null(bolt_problem(&r, "bucket-too-deep"));
	bolt_done(&r);
	bound_check(&b, 64, 30, "3000 nested buckets");
}

/* N bucket elements that all point at one inline bucket whose page holds N elements pointing at
 * one nested inline bucket, and so on: a walk that follows every reference does N^depth bucket
 * walks (8^16 here). The check must stay linear in the file. */
static void test_hostile__bolt_shared_inline_buckets(void **state)
{
	(void)state;
	enum { N = 8, DEPTH = 18 };
	uint8_t *pg = calloc(1, PS), *tmp = calloc(1, PS);
	assert_true(pg && tmp);
	size_t len = 16;                        /* innermost: an empty inline leaf */
	le16(pg + 8, 0x02);
	for (int d = 0; d < DEPTH; d++) {
		/* value = bucket header (root 0, sequence 0) + the page built so far */
		size_t vlen = 16 + len;
		memset(tmp, 0, 16);
		memcpy(tmp + 16, pg, len);
		memset(pg, 0, PS);
		size_t at = 16 + 16u * N;
		le16(pg + 8, 0x02);
		le16(pg + 10, N);
		for (unsigned i = 0; i < N; i++) {
			uint8_t *e = pg + 16 + 16u * i;
			le32(e, 1);
			le32(e + 4, (uint32_t)(at - (16 + 16u * i)));
			le32(e + 8, 1);
			le32(e + 12, (uint32_t)vlen);
		}
		pg[at] = 'a';
		memcpy(pg + at + 1, tmp, vlen);
		len = at + 1 + vlen;
		assert_true(len + 200 < PS);
	}
	img m;
	img_init(&m, 4);
	img_meta(&m, 0, 2, 4, 2);
	img_meta(&m, 1, 2, 4, 3);
	memcpy(m.b + 2 * PS, pg, len);          /* the outermost page is the root bucket's leaf */
	put64(m.b + 2 * PS, 2);
	free(pg);
	free(tmp);
	bound b;
	bound_start(&b);
	bolt_run r = { mem1("member/snap/db", m.b, m.pages * PS), NULL, { 0 }, 0 };
	free(m.b);
	free(m.fill);
	assert_int_equal(ea_bolt_open(&r.b, r.in, 0, NULL), EA_OK);
	assert_int_equal(ea_bolt_check(r.b, &r.chk), EA_OK);
	const ea_problem *pr = bolt_problem(&r, "inline-overlap");
	assert_non_null(pr);
	assert_true(pr->offset >= 2 * PS && pr->offset < 3 * PS);
	bolt_done(&r);
	bound_check(&b, 64, 10, "8^16 shared inline buckets");
}

/* ---- .snap ---- */

static void test_hostile__snap_2gib_data_length(void **state)
{
	(void)state;
	/* snappb.snapshot { 1: crc, 2: data (length 2^31, 20 bytes present) } */
	uint8_t s[64];
	size_t n = 0;
	n += pb_put_tag(s + n, 1, 0); n += pb_put_varint(s + n, 0x12345678);
	n += pb_put_tag(s + n, 2, 2); n += pb_put_varint(s + n, UINT64_C(1) << 31);
	memset(s + n, 0x41, 20); n += 20;
	bound b;
	bound_start(&b);
	ea_input *in = mem1("member/snap/0000000000000002-0000000000000033.snap", s, n);
	ea_snap_list *l;
	assert_int_equal(ea_snap_list_open(&l, in, 0, NULL), EA_OK);
	assert_int_equal(ea_snap_list_count(l), 1);
	const ea_snap_info *si = ea_snap_list_at(l, 0);
	assert_int_equal(si->decoded, 0);
	assert_true(ea_snap_list_problem_count(l) >= 1);
	const ea_problem *p = ea_snap_list_problem_at(l, 0);
	assert_non_null(p->file);
	assert_int_equal(p->severity, EA_SEV_ERROR);
	ea_snap_list_close(l);
	ea_input_close(in);
	bound_check(&b, 16, 5, ".snap claiming 2 GiB");
}

/* ---- archives ---- */

/* One ustar header block; size in octal, or base-256 when it does not fit in 11 digits. */
static void tar_header(uint8_t h[512], const char *name, uint64_t size)
{
	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	if (size < (UINT64_C(1) << 33)) {
		snprintf((char *)h + 124, 12, "%011" PRIo64, size);
	} else {
		h[124] = 0x80;
		for (int i = 0; i < 8; i++) h[135 - i] = (uint8_t)(size >> 8 * i);
	}
	memcpy(h + 136, "14500000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++) sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

static void tar_member(FILE *f, const char *name, const void *data, size_t n)
{
	uint8_t h[512];
	tar_header(h, name, n);
	fwrite(h, 1, 512, f);
	fwrite(data, 1, n, f);
	static const uint8_t z[512];
	if (n % 512) fwrite(z, 1, 512 - n % 512, f);
}

static void test_hostile__archive_traversal_names(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof path, "%s/traversal.tar", test_tmpdir(NULL));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	tar_member(f, "../../../../tmp/ea-escape", "x", 1);
	tar_member(f, "n1/member/../../../escape", "x", 1);
	tar_member(f, "/n1/member/snap/db", "abs", 3);      /* absolute: kept as relative */
	tar_member(f, "./n1/member/wal/..", "x", 1);
	tar_member(f, "n1/ok", "ok", 2);
	static const uint8_t z[1024];
	fwrite(z, 1, sizeof z, f);
	fclose(f);
	ea_input *in;
	ea_error err;
	assert_int_equal(ea_input_open(&in, path, &err), EA_OK);
	size_t bad = 0;
	for (size_t i = 0; i < ea_input_problem_count(in); i++)
		if (strcmp(ea_input_problem_at(in, i)->kind, "archive-bad-name") == 0) bad++;
	assert_int_equal(bad, 3);
	assert_int_equal(ea_input_count(in), 2);
	assert_true(ea_input_find(in, "n1/member/snap/db") >= 0);
	assert_true(ea_input_find(in, "n1/ok") >= 0);
	for (size_t i = 0; i < ea_input_count(in); i++)
		assert_null(strstr(ea_input_at(in, i)->name, ".."));
	ea_input_close(in);
	struct stat st;
	assert_int_not_equal(stat("/tmp/ea-escape", &st), 0);   /* nothing is ever extracted */
}

/* A member claiming 2^50 bytes (refused), and a real gzip bomb: 512 MiB of zeros in a
 * ~0.5 MB .tar.gz, staged sparsely (no memory, no disk), read back as zeros. */
static void test_hostile__archive_zip_bomb(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof path, "%s/huge.tar", test_tmpdir(NULL));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint8_t h[512];
	tar_header(h, "n1/member/snap/db", UINT64_C(1) << 50);
	fwrite(h, 1, 512, f);
	static const uint8_t z[4096];
	fwrite(z, 1, sizeof z, f);
	fclose(f);
	ea_input *in;
	ea_error err;
	assert_int_equal(ea_input_open(&in, path, &err), EA_OK);
	assert_true(ea_input_problem_count(in) >= 1);
	assert_string_equal(ea_input_problem_at(in, 0)->kind, "archive-member-too-large");
	assert_int_equal(ea_input_count(in), 0);
	ea_input_close(in);

	snprintf(path, sizeof path, "%s/bomb.tar.gz", test_tmpdir(NULL));
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "gzip -1 > '%s'", path);
	FILE *gz = popen(cmd, "w");
	if (!gz) skip();
	uint64_t size = 512 * (uint64_t)MB;
	tar_header(h, "n1/member/snap/db", size);
	fwrite(h, 1, 512, gz);
	uint8_t *zero = calloc(1, MB);
	for (uint64_t k = 0; k < size / MB; k++) fwrite(zero, 1, MB, gz);
	free(zero);
	fwrite(z, 1, 1024, gz);
	if (pclose(gz) != 0) skip();
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	print_message("[   INFO   ] bomb: %lld bytes compressed, %" PRIu64 " staged\n", (long long)st.st_size, size);
	bound b;
	bound_start(&b);
	assert_int_equal(ea_input_open(&in, path, &err), EA_OK);
	assert_int_equal(ea_input_count(in), 1);
	assert_int_equal(ea_input_at(in, 0)->size, size);
	uint8_t buf[64];
	assert_int_equal(ea_input_pread(in, 0, buf, sizeof buf, size - sizeof buf), (long)sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++) assert_int_equal(buf[i], 0);
	ea_bolt *bo;
	assert_int_equal(ea_bolt_open(&bo, in, 0, &err), EA_ECORRUPT);   /* zeros: no valid meta */
	ea_input_close(in);
	bound_check(&b, 32, 60, "512 MiB gzip bomb");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile__wal_length_2_56),
		cmocka_unit_test(test_hostile__wal_record_longer_than_file),
		cmocka_unit_test(test_hostile__wal_resync_no_quadratic_reads),
		cmocka_unit_test(test_hostile__wal_100k_empty_segments),
		cmocka_unit_test(test_hostile__wal_overflowing_segment_names),
		cmocka_unit_test(test_hostile__bolt_page_ids_beyond_file),
		cmocka_unit_test(test_hostile__bolt_page_points_to_parent),
		cmocka_unit_test(test_hostile__bolt_overflow_and_elements_outside),
		cmocka_unit_test(test_hostile__bolt_deeply_nested_buckets),
		cmocka_unit_test(test_hostile__bolt_shared_inline_buckets),
		cmocka_unit_test(test_hostile__snap_2gib_data_length),
		cmocka_unit_test(test_hostile__archive_traversal_names),
		cmocka_unit_test(test_hostile__archive_zip_bomb),
	};
	int rc = cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
	test_tmpdir_remove();
	return rc;
}
