/* test_replay_model.c: the replay model's tables on their own (src/semantic/replay_keys.c,
 * replay_counts.c, replay_value.c): the key table found again after many growths (empty key,
 * keys that are prefixes of one another, a 1 MiB key, two keys sharing their slot tag), the
 * writes-per-revision vector (counts at and past the one-byte limit, growth, out of range), and
 * the value prefixes kept out of line (kept, reused, unreadable when nothing holds the value). */
#include "test.h"
#include "semantic/replay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t keyname(char *buf, size_t cap, size_t i)
{
	int n = snprintf(buf, cap, "/registry/pods/ns-%zu/pod-%zu", i % 97, i);
	return (size_t)n;
}

static void test_replay_model__keys_survive_growth(void **state)
{
	(void)state;
	rp_model m = { 0 };
	int created;
	enum { N = 100000 };
	char buf[96];
	assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)"x", 1, 0, &created), -1);   /* empty table */
	assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)"", 0, 1, &created), 0);
	assert_int_equal(created, 1);
	for (size_t i = 0; i < N; i++) {
		size_t n = keyname(buf, sizeof buf, i);
		assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)buf, n, 1, &created), (long)i + 1);
		assert_int_equal(created, 1);
	}
	/* prefixes of an existing key are distinct keys (found only where a key is that prefix:
	 * ".../ns-26/pod-123" for ".../ns-26/pod-12345") */
	size_t n = keyname(buf, sizeof buf, 12345);
	for (size_t l = 1; l < n; l++) {
		long j = ea__rp_key_find(&m, (const uint8_t *)buf, l, 0, NULL);
		if (j < 0) continue;
		assert_int_equal(m.keys[j].klen, l);
		assert_memory_equal(ea__rp_key_bytes(&m, &m.keys[j]), buf, l);
	}
	assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)buf, n - 2, 0, NULL), 123 + 1);
	uint8_t *big = malloc(1 << 20);
	assert_non_null(big);
	memset(big, 'k', 1 << 20);
	long bi = ea__rp_key_find(&m, big, 1 << 20, 1, &created);
	assert_int_equal(bi, N + 1);
	for (size_t i = 0; i < N; i++) {
		n = keyname(buf, sizeof buf, i);
		long j = ea__rp_key_find(&m, (const uint8_t *)buf, n, 1, &created);
		assert_int_equal(j, (long)i + 1);
		assert_int_equal(created, 0);
		assert_memory_equal(ea__rp_key_bytes(&m, &m.keys[j]), buf, n);
	}
	assert_int_equal(ea__rp_key_find(&m, big, 1 << 20, 0, NULL), bi);
	big[(1 << 20) - 1] = 'j';
	assert_int_equal(ea__rp_key_find(&m, big, 1 << 20, 0, NULL), -1);
	assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)"", 0, 0, NULL), 0);
	/* a new pass starts empty and reuses the memory */
	ea__rp_model_reset(&m);
	assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)buf, n, 0, NULL), -1);
	assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)buf, n, 1, &created), 0);
	free(big);
	ea__rp_model_free(&m);
}

typedef struct { uint64_t tag; uint32_t i; } tagged;

static int cmp_tag(const void *a, const void *b)
{
	const tagged *x = a, *y = b;
	return x->tag < y->tag ? -1 : x->tag > y->tag ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* Two keys whose hashes share the slot tag (the high 32 bits, all a probe compares before the
 * bytes): the table tells them apart. */
static void test_replay_model__tag_collision(void **state)
{
	(void)state;
	enum { M = 400000 };
	tagged *t = malloc(M * sizeof *t);
	assert_non_null(t);
	char buf[96];
	for (uint32_t i = 0; i < M; i++) {
		size_t n = keyname(buf, sizeof buf, i);
		t[i] = (tagged){ ea__rp_hash((const uint8_t *)buf, n) >> 32, i };
	}
	qsort(t, M, sizeof *t, cmp_tag);
	long x = -1, y = -1;
	for (size_t i = 1; i < M && x < 0; i++)
		if (t[i].tag == t[i - 1].tag) { x = t[i - 1].i; y = t[i].i; }
	free(t);
	assert_true(x >= 0);   /* 400,000 keys over 2^32 tags: ~18 pairs expected */
	char bx[96], by[96];
	size_t nx = keyname(bx, sizeof bx, (size_t)x), ny = keyname(by, sizeof by, (size_t)y);
	rp_model m = { 0 };
	int created;
	for (int round = 0; round < 2; round++) {
		/* both have one home slot (the tag decides it); the second round after 400 fillers */
		long ix = ea__rp_key_find(&m, (const uint8_t *)bx, nx, 1, &created);
		long iy = ea__rp_key_find(&m, (const uint8_t *)by, ny, 1, &created);
		assert_true(ix >= 0 && iy >= 0 && ix != iy);
		assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)bx, nx, 0, NULL), ix);
		assert_int_equal(ea__rp_key_find(&m, (const uint8_t *)by, ny, 0, NULL), iy);
		ea__rp_model_reset(&m);
		for (int f = 0; f < 400; f++) {
			int n = snprintf(buf, sizeof buf, "filler-%d", f);
			assert_true(ea__rp_key_find(&m, (const uint8_t *)buf, (size_t)n, 1, &created) >= 0);
		}
	}
	ea__rp_model_free(&m);
}

static void test_replay_model__counts(void **state)
{
	(void)state;
	rp_counts v = { 0 };
	static const uint32_t special[] = { 0, 1, 254, 255, 256, 1000, 65535, UINT32_MAX };
	enum { N = 300000 };
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < N; i++) {
			uint32_t n = i % 1000 == 7 ? special[(i / 1000) % 8] : i % 3;
			assert_int_equal(ea__rp_counts_push(&v, n), EA_OK);
		}
		assert_int_equal(v.n, N);
		for (uint32_t i = 0; i < N; i++) {
			uint32_t n = i % 1000 == 7 ? special[(i / 1000) % 8] : i % 3;
			assert_int_equal(ea__rp_counts_get(&v, i), n);
		}
		assert_int_equal(ea__rp_counts_get(&v, N), 0);
		assert_int_equal(ea__rp_counts_get(&v, SIZE_MAX), 0);
		ea__rp_counts_clear(&v);
		assert_int_equal(ea__rp_counts_get(&v, 0), 0);
	}
	ea__rp_counts_free(&v);
	assert_null(v.b);
}

static void test_replay_model__value_prefixes(void **state)
{
	(void)state;
	rp_ctx *c = calloc(1, sizeof *c);
	assert_non_null(c);
	int created;
	uint8_t val[200];
	for (size_t i = 0; i < sizeof val; i++) val[i] = (uint8_t)(i * 7 + 1);
	long a = ea__rp_key_find(&c->m, (const uint8_t *)"a", 1, 1, &created);
	long b = ea__rp_key_find(&c->m, (const uint8_t *)"b", 1, 1, &created);
	assert_true(a >= 0 && b >= 0);
	/* a fresh key has no value: an empty prefix */
	assert_non_null(ea__rp_key_prefix(c, &c->m.keys[a]));
	assert_int_equal(c->m.keys[a].vpre_len, 0);
	/* a value that lives nowhere else keeps its first RP_PREFIX bytes */
	assert_int_equal(ea__rp_key_set_value(&c->m, &c->m.keys[a], val, sizeof val), 0);
	assert_int_equal(c->m.keys[a].vpre_len, RP_PREFIX);
	assert_memory_equal(ea__rp_key_prefix(c, &c->m.keys[a]), val, RP_PREFIX);
	/* a shorter value reuses the key's slot */
	assert_int_equal(ea__rp_key_set_value(&c->m, &c->m.keys[a], val + 100, 5), 0);
	assert_int_equal(c->m.npre, 1);
	assert_int_equal(c->m.keys[a].vpre_len, 5);
	assert_memory_equal(ea__rp_key_prefix(c, &c->m.keys[a]), val + 100, 5);
	assert_int_equal(ea__rp_key_set_value(&c->m, &c->m.keys[b], val + 1, 64), 0);
	assert_int_equal(c->m.npre, 2);
	assert_memory_equal(ea__rp_key_prefix(c, &c->m.keys[b]), val + 1, 64);
	assert_memory_equal(ea__rp_key_prefix(c, &c->m.keys[a]), val + 100, 5);
	/* a db element's value is read again when needed: with no db it cannot be (unknown) */
	ea_mvcc_kv kv = { 0 };
	kv.value = val;
	kv.value_len = sizeof val;
	kv.main = 3;
	ea__rp_key_set_db_value(&c->m.keys[a], &kv);
	assert_int_equal(c->m.keys[a].vlen, sizeof val);
	assert_null(ea__rp_key_prefix(c, &c->m.keys[a]));
	assert_int_equal(ea__rp_key_hash(c, &c->m.keys[a]), -1);
	/* an empty db value needs no bytes */
	kv.value_len = 0;
	ea__rp_key_set_db_value(&c->m.keys[a], &kv);
	assert_non_null(ea__rp_key_prefix(c, &c->m.keys[a]));
	/* many keys: one slot each, all kept */
	char name[32];
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof name, "k%d", i);
		long j = ea__rp_key_find(&c->m, (const uint8_t *)name, (size_t)n, 1, &created);
		assert_true(j >= 0);
		assert_int_equal(ea__rp_key_set_value(&c->m, &c->m.keys[j], val + i % 100, (size_t)(i % 80)), 0);
	}
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof name, "k%d", i);
		long j = ea__rp_key_find(&c->m, (const uint8_t *)name, (size_t)n, 0, NULL);
		size_t want = (size_t)(i % 80) < RP_PREFIX ? (size_t)(i % 80) : RP_PREFIX;
		assert_int_equal(c->m.keys[j].vpre_len, want);
		if (want) assert_memory_equal(ea__rp_key_prefix(c, &c->m.keys[j]), val + i % 100, want);
	}
	ea__rp_model_free(&c->m);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_model__keys_survive_growth),
		cmocka_unit_test(test_replay_model__tag_collision),
		cmocka_unit_test(test_replay_model__counts),
		cmocka_unit_test(test_replay_model__value_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
