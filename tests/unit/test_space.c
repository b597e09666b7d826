/* test_space.c: db space's accounting (ea_space_compute) on a hand-made key bucket whose every
 * element size is known from the builder — live vs history, tombstones, an element without a
 * KeyValue, the compaction at the current revision under both tombstone rules, groups, top keys,
 * the page partition — and the '/' grouping on Kubernetes' key layouts. */
#include "test.h"
#include "format/pb_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PS 4096u

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

/* one key-bucket element: garbage = a value that is no KeyValue */
typedef struct { int64_t main; int tomb; const char *key; int garbage; } ent;

static size_t sizes[16];   /* stored bytes (revision key + value) of each element, by the builder */

static void put_root(uint8_t *r)
{
	le64(r, 2); le16(r + 8, 2); le16(r + 10, 2);
	size_t at = 48;
	const char *names[2] = { "key", "meta" };
	for (int i = 0; i < 2; i++) {
		uint8_t *e = r + 16 + 16 * i;
		size_t kl = strlen(names[i]);
		le32(e, 1); le32(e + 4, (uint32_t)(at - (size_t)(16 + 16 * i))); le32(e + 8, (uint32_t)kl); le32(e + 12, 16);
		memcpy(r + at, names[i], kl);
		memset(r + at + kl, 0, 16);
		le64(r + at + kl, (uint64_t)(3 + i));
		at += kl + 16;
	}
}

static size_t put_value(uint8_t *val, const ent *e)
{
	size_t vl = 0, ul = strlen(e->key);
	if (e->garbage) { val[0] = 0xff; val[1] = 0xff; return 2; }
	val[vl++] = 0x0a; val[vl++] = (uint8_t)ul; memcpy(val + vl, e->key, ul); vl += ul;
	if (e->tomb) return vl;
	vl += pb_put_varint(val + vl, 0x10); vl += pb_put_varint(val + vl, (uint64_t)e->main);
	vl += pb_put_varint(val + vl, 0x18); vl += pb_put_varint(val + vl, (uint64_t)e->main);
	vl += pb_put_varint(val + vl, 0x20); vl += pb_put_varint(val + vl, 1);
	val[vl++] = 0x2a; val[vl++] = 3; memcpy(val + vl, "val", 3);
	return vl + 3;
}

/* meta pages 0-1, root 2, key bucket leaf 3, empty meta bucket 4 */
static const char *make_db(const ent *ents, size_t n)
{
	uint8_t *b = calloc(5, PS);
	assert_non_null(b);
	for (int pg = 0; pg < 2; pg++) {
		uint8_t *p = b + pg * PS;
		le64(p, (uint64_t)pg); le16(p + 8, 4);
		le32(p + 16, 0xED0CDAED); le32(p + 20, 2); le32(p + 24, PS);
		le64(p + 32, 2); le64(p + 48, UINT64_MAX); le64(p + 56, 5); le64(p + 64, (uint64_t)(2 + pg));
		le64(p + 72, fnv(p + 16, 56));
	}
	put_root(b + 2 * PS);
	uint8_t *k = b + 3 * PS;
	le64(k, 3); le16(k + 8, 2); le16(k + 10, (uint16_t)n);
	size_t at = 16 + 16 * n;
	for (size_t i = 0; i < n; i++) {
		uint8_t key[18], val[128];
		for (int j = 0; j < 8; j++) key[j] = (uint8_t)((uint64_t)ents[i].main >> (56 - 8 * j));
		key[8] = '_';
		memset(key + 9, 0, 8);
		key[17] = 't';
		size_t kl = ents[i].tomb ? 18 : 17, vl = put_value(val, &ents[i]);
		uint8_t *e = k + 16 + 16 * i;
		le32(e + 4, (uint32_t)(at - (16 + 16 * i))); le32(e + 8, (uint32_t)kl); le32(e + 12, (uint32_t)vl);
		memcpy(k + at, key, kl);
		memcpy(k + at + kl, val, vl);
		at += kl + vl;
		sizes[i] = kl + vl;
	}
	le64(b + 4 * PS, 4); le16(b + 4 * PS + 8, 2);
	static char path[4096];
	snprintf(path, sizeof path, "%s/db", test_tmpdir(NULL));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, PS, 5, f), 5);
	fclose(f);
	free(b);
	return path;
}

/* undecodable at 1; /a/x put 2, put 3, del 4; /a/y put 5, put 6; /b/z put 7, del 8 (= R) */
static const ent ENTS[] = {
	{ 1, 0, "", 1 }, { 2, 0, "/a/x", 0 }, { 3, 0, "/a/x", 0 }, { 4, 1, "/a/x", 0 },
	{ 5, 0, "/a/y", 0 }, { 6, 0, "/a/y", 0 }, { 7, 0, "/b/z", 0 }, { 8, 1, "/b/z", 0 },
};
#define NENTS (sizeof ENTS / sizeof ENTS[0])

static void compute(ea_hashkv_rule rule, ea_space *s)
{
	const char *path = make_db(ENTS, NENTS);
	ea_input *in;
	ea_mvcc *m;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, path, &err), 0);
	assert_int_equal(ea_mvcc_open(&m, in, NULL, &err), 0);
	ea_space_options o = { 4, 10 };
	assert_int_equal(ea_space_compute(m, &o, rule, s), 0);
	ea_mvcc_close(m);
	ea_input_close(in);
}

static uint64_t sum(size_t from, size_t to)
{
	uint64_t t = 0;
	for (size_t i = from; i < to; i++) t += sizes[i];
	return t;
}

static void test_space__live_history_drop(void **state)
{
	(void)state;
	ea_space s;
	compute(EA_HASHKV_RULE_CLASSIC, &s);
	assert_int_equal(s.revision, 8);
	assert_int_equal(s.keys, 3);
	assert_int_equal(s.live_keys, 1);
	assert_int_equal(s.tombstones, 2);
	assert_int_equal(s.live.revisions, 1);
	assert_int_equal(s.live.bytes, sizes[5]);
	assert_int_equal(s.history.revisions, NENTS - 1);
	assert_int_equal(s.history.bytes, sum(0, NENTS) - sizes[5]);
	assert_int_equal(s.undecodable.revisions, 1);
	assert_int_equal(s.undecodable.bytes, sizes[0]);
	assert_int_equal(s.drop.revisions, NENTS - 1);   /* classic: the tombstone at R goes too */
	assert_int_equal(s.kept_tombstones, 0);
	/* pages: 0-1 meta, 2 root and 4 meta bucket (other), 3 the key leaf; nothing free */
	assert_int_equal(s.db_size, 5 * PS);
	assert_int_equal(s.in_use_bytes, 5 * PS);
	assert_int_equal(s.key_leaf_pages, 1);
	assert_int_equal(s.other_pages, 2);
	assert_int_equal(s.meta_pages, 2);
	assert_int_equal(s.live.page_bytes + s.history.page_bytes + s.key_unattributed_bytes, PS);
	assert_int_equal(s.key_unattributed_bytes, 0);
	/* groups: /a/ (x and y), /b/, the undecodable element; by page bytes */
	assert_int_equal(s.ngroups, 3);
	assert_int_equal(s.groups[0].prefix_len, 3);
	assert_memory_equal(s.groups[0].prefix, "/a/", 3);
	assert_int_equal(s.groups[0].keys, 2);
	assert_int_equal(s.groups[0].history.bytes, sum(1, 5));
	assert_null(s.groups[2].prefix);
	/* top: /a/x (3 revisions of history), /b/z (2), /a/y (1) */
	assert_int_equal(s.ntop, 3);
	assert_memory_equal(s.top[0].key, "/a/x", 4);
	assert_int_equal(s.top[0].history.bytes, sum(1, 4));
	assert_false(s.top[0].live);
	assert_memory_equal(s.top[1].key, "/b/z", 4);
	assert_memory_equal(s.top[2].key, "/a/y", 4);
	assert_true(s.top[2].live);
	assert_int_equal(s.top[2].live_amount.bytes, sizes[5]);
	ea_space_free(&s);

	compute(EA_HASHKV_RULE_SKIP_TOMBSTONE, &s);
	assert_int_equal(s.drop.revisions, NENTS - 2);   /* 3.5.16+: /b/z's tombstone at R stays */
	assert_int_equal(s.drop.bytes, sum(0, NENTS) - sizes[5] - sizes[7]);
	assert_int_equal(s.kept_tombstones, 1);
	ea_space_free(&s);
}

static size_t glen(const char *k, unsigned d) { return ea_space_group_len((const uint8_t *)k, strlen(k), d); }

static void test_space__groups(void **state)
{
	(void)state;
	/* Kubernetes' layouts at the default depth: resource + namespace, else resource */
	assert_int_equal(glen("/registry/pods/payments/checkout-7d9f", 4), strlen("/registry/pods/payments/"));
	assert_int_equal(glen("/registry/cert-manager.io/certificates/payments/web", 4),
	                 strlen("/registry/cert-manager.io/certificates/payments/"));
	assert_int_equal(glen("/registry/services/specs/default/kubernetes", 4), strlen("/registry/services/specs/default/"));
	assert_int_equal(glen("/registry/minions/node-1", 4), strlen("/registry/minions/"));
	assert_int_equal(glen("/registry/apiextensions.k8s.io/customresourcedefinitions/certificates.cert-manager.io", 4),
	                 strlen("/registry/apiextensions.k8s.io/customresourcedefinitions/"));
	assert_int_equal(glen("/kubernetes.io/pods/ns/p", 4), strlen("/kubernetes.io/pods/ns/"));
	/* any etcd */
	assert_int_equal(glen("/app/config/k1", 1), strlen("/app/"));
	assert_int_equal(glen("/app/config/k1", 0), 1);
	assert_int_equal(glen("/foo", 4), 1);
	assert_int_equal(glen("foo", 4), 0);
	assert_int_equal(glen("a/b/c", 1), 2);
	assert_int_equal(glen("", 4), 0);
	assert_int_equal(glen("/a//b", 4), 4);
}

static int teardown(void **state)
{
	(void)state;
	test_tmpdir_remove();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_space__live_history_drop),
		cmocka_unit_test(test_space__groups),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
