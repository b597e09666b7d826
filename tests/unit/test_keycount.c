/* test_keycount.c: the key-count set of db stat and snapshot status (src/semantic/keycount.c)
 * against a reference that keeps every key (the key index's rules: a put creates a key or starts
 * a generation, a tombstone ends a live one and is ignored otherwise): random histories over
 * few keys (every probe chain long, the table grown many times), the empty key, a 1 MiB key and
 * keys that differ in one last byte or are prefixes of one another. */
#include "test.h"
#include "semantic/keycount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int seen, tomb; } ref_key;

static size_t name(char *buf, size_t cap, unsigned i) { return (size_t)snprintf(buf, cap, "/registry/k/%u", i); }

static void test_keycount__random_histories_match_a_full_index(void **state)
{
	(void)state;
	enum { KEYS = 50000, OPS = 400000 };
	ref_key *ref = calloc(KEYS, sizeof *ref);
	assert_non_null(ref);
	ea_keycount kc;
	assert_int_equal(ea_keycount_init(&kc), 0);
	uint64_t x = 88172645463325252ull;
	char buf[64];
	for (unsigned op = 0; op < OPS; op++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		unsigned k = (unsigned)(x % (op < OPS / 4 ? 97 : KEYS));   /* first a few hot keys, then many */
		int tomb = (x >> 32) % 3 == 0;
		assert_int_equal(ea_keycount_add(&kc, (const uint8_t *)buf, name(buf, sizeof buf, k), tomb), 0);
		if (!tomb) { ref[k].seen = 1; ref[k].tomb = 0; }
		else if (ref[k].seen) ref[k].tomb = 1;
	}
	uint64_t keys = 0, live = 0;
	for (unsigned k = 0; k < KEYS; k++) { keys += ref[k].seen; live += ref[k].seen && !ref[k].tomb; }
	assert_int_equal(kc.keys, keys);
	assert_int_equal(kc.live, live);
	assert_true(kc.nslots >= 2 * kc.keys);
	ea_keycount_free(&kc);
	free(ref);
}

static void test_keycount__hostile_keys(void **state)
{
	(void)state;
	ea_keycount kc;
	assert_int_equal(ea_keycount_init(&kc), 0);
	/* a tombstone for a key never put: ignored */
	assert_int_equal(ea_keycount_add(&kc, (const uint8_t *)"a", 1, 1), 0);
	assert_int_equal(kc.keys, 0);
	/* the empty key (NULL bytes too) is one key */
	assert_int_equal(ea_keycount_add(&kc, NULL, 0, 0), 0);
	assert_int_equal(ea_keycount_add(&kc, (const uint8_t *)"", 0, 0), 0);
	assert_int_equal(kc.keys, 1);
	uint8_t *big = malloc(1 << 20);
	assert_non_null(big);
	memset(big, 0xff, 1 << 20);
	assert_int_equal(ea_keycount_add(&kc, big, 1 << 20, 0), 0);
	big[(1 << 20) - 1] = 0xfe;                      /* differs in the last byte */
	assert_int_equal(ea_keycount_add(&kc, big, 1 << 20, 0), 0);
	assert_int_equal(ea_keycount_add(&kc, big, (1 << 20) - 1, 0), 0);   /* a prefix of both */
	assert_int_equal(kc.keys, 4);
	assert_int_equal(kc.live, 4);
	/* delete twice, put again: one generation ends, one starts */
	assert_int_equal(ea_keycount_add(&kc, big, 1 << 20, 1), 0);
	assert_int_equal(ea_keycount_add(&kc, big, 1 << 20, 1), 0);
	assert_int_equal(kc.live, 3);
	assert_int_equal(ea_keycount_add(&kc, big, 1 << 20, 0), 0);
	assert_int_equal(ea_keycount_add(&kc, big, 1 << 20, 0), 0);
	assert_int_equal(kc.live, 4);
	assert_int_equal(kc.keys, 4);
	free(big);
	ea_keycount_free(&kc);
	assert_null(kc.slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keycount__random_histories_match_a_full_index),
		cmocka_unit_test(test_keycount__hostile_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
