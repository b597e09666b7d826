/* test_hashkv_upto.c: the partial HashKV and the hashed elements of one revision that diff's
 * kv-hash-mismatch search uses, on the compacted follower-behind fixture. Facts: etcd's
 * hashkv values (manifest) and the workload of fixtures/gen-follower-behind.sh on a fresh
 * cluster: /before/k<i> = "b<i>" at revision i + 2 (i = 0..49), /before/k0 rewritten at 52,
 * /before/k1 deleted at 53, compaction at 23 (manifest hashkv_compact_revision). */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	ea_input *in;
	ea_mvcc *m;
} opened;

static void open_member(opened *o, const char *nm)
{
	char file[32];
	ea_error err = { 0 };
	snprintf(file, sizeof file, "%s.tar.gz", nm);
	const char *path = fixture_path("follower-behind", file);
	if (ea_input_open(&o->in, path, &err)) fail_msg("open %s: %s", path, err.msg);
	if (ea_mvcc_open(&o->m, o->in, NULL, &err)) fail_msg("mvcc open %s: %s", path, err.msg);
}

static void close_member(opened *o)
{
	ea_mvcc_close(o->m);
	ea_input_close(o->in);
}

static const char *mkey(const char *nm, const char *k)
{
	static char b[64];
	snprintf(b, sizeof b, "%s.%s", nm, k);
	return b;
}

static void test_upto__ends_are_etcd_hash_and_empty(void **state)
{
	(void)state;
	const char *nodes[] = { "n1", "n3" };
	for (size_t i = 0; i < 2; i++) {
		opened o;
		open_member(&o, nodes[i]);
		ea_error err = { 0 };
		int64_t r = (int64_t)manifest_u64("follower-behind", mkey(nodes[i], "hashkv_rev"));
		uint32_t h;
		assert_int_equal(ea_mvcc_hashkv_upto(o.m, r, r, &h, &err), EA_OK);
		assert_int_equal(h, manifest_u64("follower-behind", mkey(nodes[i], "hashkv_at_rev")));
		assert_int_equal(ea_mvcc_hashkv_upto(o.m, 0, INT64_MAX, &h, &err), EA_OK);
		assert_int_equal(h, manifest_u64("follower-behind", mkey(nodes[i], "hashkv")));
		assert_int_equal(ea_mvcc_hashkv_upto(o.m, r, 0, &h, &err), EA_OK);
		assert_int_equal(h, ea_crc32c(0, "key", 3));   /* nothing folded but the bucket name */
		close_member(&o);
	}
}

typedef struct {
	size_t n;
	char key[64], value[64];
	int64_t mod;
} seen;

static int collect(const ea_mvcc_kv *kv, void *payload)
{
	seen *s = payload;
	if (s->n++ == 0) {
		snprintf(s->key, sizeof s->key, "%.*s", (int)kv->key_len, (const char *)kv->key);
		snprintf(s->value, sizeof s->value, "%.*s", (int)kv->value_len, (const char *)kv->value);
		s->mod = kv->mod_revision;
	}
	return 0;
}

static void test_upto__elements_follow_the_keep_set(void **state)
{
	(void)state;
	opened o;
	open_member(&o, "n1");
	ea_error err = { 0 };
	int64_t r = (int64_t)manifest_u64("follower-behind", "n1.hashkv_rev");
	int64_t compact = (int64_t)manifest_u64("follower-behind", "n1.hashkv_compact_revision");
	assert_true(compact >= 12 && r > 53);
	/* /before/k10 at 12, never rewritten: kept at the compaction, hashed at r */
	seen s = { 0 };
	assert_int_equal(ea_mvcc_hashkv_elements(o.m, r, 12, collect, &s, &err), EA_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.key, "/before/k10");
	assert_string_equal(s.value, "b10");
	assert_int_equal(s.mod, 12);
	/* /before/k0 at 2 was rewritten at 52, /before/k1 at 3 deleted at 53: etcd 3.4's keep set
	 * at r holds their later revisions, so HashKV at r hashes neither */
	memset(&s, 0, sizeof s);
	assert_int_equal(ea_mvcc_hashkv_elements(o.m, r, 2, collect, &s, &err), EA_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(ea_mvcc_hashkv_elements(o.m, r, 3, collect, &s, &err), EA_OK);
	assert_int_equal(s.n, 0);
	/* ... but at 30 (after the compaction, before the rewrite) /before/k0 at 2 is hashed */
	assert_int_equal(ea_mvcc_hashkv_elements(o.m, 30, 2, collect, &s, &err), EA_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.key, "/before/k0");
	/* the rewrite at 52 */
	memset(&s, 0, sizeof s);
	assert_int_equal(ea_mvcc_hashkv_elements(o.m, r, 52, collect, &s, &err), EA_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.value, "rewritten");
	/* a revision below the compaction is refused as etcd refuses it */
	assert_int_equal(ea_mvcc_hashkv_elements(o.m, compact - 1, 2, collect, &s, &err), EA_EINVAL);
	close_member(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upto__ends_are_etcd_hash_and_empty),
		cmocka_unit_test(test_upto__elements_follow_the_keep_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
