/* test_bolt_pagemap.c: the check's one-byte page map and its side tables (bolt_pagemap.c).
 * A bbolt image built here, page by page: the root bucket (page 2) holds nine buckets b1..b9,
 * each rooted at a one-element leaf (pages 3..11), b9's leaf spanning three pages (overflow 2,
 * pages 11..13). Buckets get map indices in walk order (root 1, b1 2, ..., b5 6), so b6..b9
 * are past what the byte holds and live in the side table. Every page must name its bucket,
 * and b9's overflow pages their node, as the image says. When b8's root is moved to page 13,
 * b8 (walked first) owns it and b9's node ends at page 12 with a multiple reference. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PS 4096u
#define NB 9
#define PAGES (3 + NB + 2)

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static void meta(uint8_t *img, uint64_t page, uint64_t pgid)
{
	uint8_t *p = img + page * PS;
	le64(p, page);
	le16(p + 8, 0x04);
	le32(p + 16, 0xED0CDAED);
	le32(p + 20, 2);
	le32(p + 24, PS);
	le64(p + 32, 2);                 /* root bucket */
	le64(p + 48, UINT64_MAX);        /* no freelist (NoFreelistSync) */
	le64(p + 56, pgid);
	le64(p + 64, 10 + page);         /* txid */
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 16; i < 72; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	le64(p + 72, h);
}

/* one leaf element i at data offset *fill of page `pg` */
static void elem(uint8_t *img, uint64_t pg, unsigned i, unsigned count, uint32_t flags, const char *k,
                 const uint8_t *v, size_t vn, size_t *fill)
{
	uint8_t *p = img + pg * PS;
	size_t e = 16 + 16u * i, kn = strlen(k);
	if (i == 0) *fill = 16 + 16u * count;
	le32(p + e, flags);
	le32(p + e + 4, (uint32_t)(*fill - e));
	le32(p + e + 8, (uint32_t)kn);
	le32(p + e + 12, (uint32_t)vn);
	memcpy(p + *fill, k, kn);
	memcpy(p + *fill + kn, v, vn);
	*fill += kn + vn;
}

static void header(uint8_t *img, uint64_t pg, uint16_t count, uint32_t overflow)
{
	uint8_t *p = img + pg * PS;
	le64(p, pg);
	le16(p + 8, 0x02);
	le16(p + 10, count);
	le32(p + 12, overflow);
}

static uint8_t *build(void)
{
	uint8_t *img = calloc(PAGES, PS);
	assert_non_null(img);
	meta(img, 0, PAGES);
	meta(img, 1, PAGES);
	size_t fill = 0;
	header(img, 2, NB, 0);
	for (unsigned i = 0; i < NB; i++) {
		char name[8];
		snprintf(name, sizeof name, "b%u", i + 1);
		uint8_t v[16] = { 0 };
		le64(v, 3 + i);
		elem(img, 2, i, NB, 1, name, v, sizeof v, &fill);
		uint64_t leaf = 3 + i;
		header(img, leaf, 1, i == NB - 1 ? 2 : 0);
		size_t lf = 0;
		if (i == NB - 1) {   /* a value reaching into the third page */
			size_t vn = 2 * PS + 100;
			uint8_t *big = calloc(1, vn);
			assert_non_null(big);
			elem(img, leaf, 0, 1, 0, "k", big, vn, &lf);
			free(big);
		} else {
			elem(img, leaf, 0, 1, 0, "k", (const uint8_t *)"v", 1, &lf);
		}
	}
	return img;
}

static ea_bolt *open_img(ea_input **in, const uint8_t *img)
{
	ea_input_mem_file f = { "db", img, (size_t)PAGES * PS, 0 };
	assert_int_equal(ea_input_open_mem(in, &f, 1, NULL), EA_OK);
	ea_bolt *b;
	ea_error err = { 0 };
	assert_int_equal(ea_bolt_open(&b, *in, 0, &err), EA_OK);
	return b;
}

static void expect_page(ea_bolt *b, uint64_t id, const char *bucket, const char *type, uint64_t cont)
{
	ea_bolt_page_info pi;
	assert_int_equal(ea_bolt_page_describe(b, id, &pi), EA_OK);
	if (bucket) {
		assert_non_null(pi.bucket);
		assert_string_equal(pi.bucket, bucket);
	} else {
		assert_null(pi.bucket);
	}
	assert_string_equal(pi.type, type);
	assert_int_equal(pi.continuation_of, cont);
}

static void test_buckets_past_the_byte(void **state)
{
	(void)state;
	uint8_t *img = build();
	ea_input *in;
	ea_bolt *b = open_img(&in, img);
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(b, &r), EA_OK);
	assert_int_equal(r.problems, 0);
	assert_int_equal(r.reachable, PAGES);
	assert_int_equal(r.buckets, NB + 1);
	assert_int_equal(r.keys, NB);
	expect_page(b, 0, NULL, "meta", 0);
	expect_page(b, 2, "(root)", "leaf", 2);
	for (unsigned i = 0; i < NB; i++) {
		char name[8];
		snprintf(name, sizeof name, "b%u", i + 1);
		expect_page(b, 3 + i, name, "leaf", 3 + i);
	}
	expect_page(b, 12, "b9", "overflow", 11);
	expect_page(b, 13, "b9", "overflow", 11);
	ea_bolt_close(b);
	ea_input_close(in);
	free(img);
}

static void test_multiple_reference_keeps_the_first(void **state)
{
	(void)state;
	uint8_t *img = build();
	/* b8's root becomes page 13 (b9's last overflow page): claimed twice */
	uint8_t *root = img + 2 * PS;
	uint32_t pos = (uint32_t)(16 + 16 * 7) + (uint32_t)root[16 + 16 * 7 + 4];
	le64(root + pos + 2, 13);   /* key "b8" (2 bytes), then the bucket value's root id */
	ea_input *in;
	ea_bolt *b = open_img(&in, img);
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(b, &r), EA_OK);
	int multi = 0;
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++)
		if (strcmp(ea_bolt_problem_at(b, i)->kind, "multiple-references") == 0) {
			multi++;
			assert_int_equal(ea_bolt_problem_at(b, i)->offset, 13ull * PS);
		}
	assert_int_equal(multi, 1);
	expect_page(b, 11, "b9", "leaf", 11);
	expect_page(b, 12, "b9", "overflow", 11);
	expect_page(b, 13, "b8", "unknown", 13);   /* its header: zeros (b9's value bytes) */
	ea_bolt_close(b);
	ea_input_close(in);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_past_the_byte),
		cmocka_unit_test(test_multiple_reference_keeps_the_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
