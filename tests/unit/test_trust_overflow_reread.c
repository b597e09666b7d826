/* test_trust_overflow_reread.c: a leaf page whose overflow count is inflated (a mutated copy
 * of the healthy fixture's snapshot backup) must not make every point lookup re-read the
 * whole claimed span: the first lookup reads it and reports the damage with the file and the
 * byte offset of the overflow field, later ones read only the pages the elements use, and
 * every lookup still finds the same element. The bound is on bytes read (a work counter),
 * not on time. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOKUPS 20
#define MAX_SPAN 2048u     /* claimed pages: 8 MiB per whole read at 4 KiB pages */

static uint8_t *load_backup(size_t *len)
{
	return fixture_file_load("healthy", "backup.tar.gz", "backup.db", "backup.size", len);
}

typedef struct {
	uint64_t lim;            /* pages a node may span up to */
	uint64_t page;           /* the chosen leaf: room for a large claimed span after it */
	uint8_t key[64], val[4096];
	size_t klen, vlen;
	int found;
} pick;

static int pick_cb(const ea_bolt_kv *kv, void *payload)
{
	pick *p = payload;
	if (p->page || kv->page + 64 >= p->lim || kv->key_len > sizeof p->key || kv->value_len > sizeof p->val) return 0;
	p->page = kv->page;
	memcpy(p->key, kv->key, kv->key_len);
	memcpy(p->val, kv->value, kv->value_len);
	p->klen = kv->key_len;
	p->vlen = kv->value_len;
	return 0;
}

static int same_cb(const ea_bolt_kv *kv, void *payload)
{
	pick *p = payload;
	p->found = kv->value_len == p->vlen && memcmp(kv->value, p->val, p->vlen) == 0 && kv->page == p->page;
	return 0;
}

static ea_bolt *open_db(ea_input **in, const uint8_t *data, size_t n, ea_bolt_bucket *keyb)
{
	ea_input_mem_file f = { "backup.db", data, n, 0 };
	assert_int_equal(ea_input_open_mem(in, &f, 1, NULL), EA_OK);
	ea_bolt *b;
	ea_error err = { 0 };
	assert_int_equal(ea_bolt_open(&b, *in, 0, &err), EA_OK);
	assert_int_equal(ea_bolt_bucket_open(b, NULL, "key", 3, keyb), EA_OK);
	assert_true(keyb->root != 0);
	return b;
}

static void test_inflated_overflow_is_read_once(void **state)
{
	(void)state;
	size_t n;
	uint8_t *data = load_backup(&n);
	ea_input *in;
	ea_bolt_bucket keyb;
	ea_bolt *b = open_db(&in, data, n, &keyb);
	uint32_t ps = ea_bolt_page_size(b);
	pick p = { 0 };
	p.lim = ea_bolt_pgid(b) < n / ps ? ea_bolt_pgid(b) : n / ps;
	assert_int_equal(ea_bolt_foreach(b, &keyb, pick_cb, &p), 0);
	assert_true(p.page != 0);
	/* a revision key (main, '_', sub) of the backup's keyspace: main <= its revision */
	assert_true(p.klen == 17 || p.klen == 18);
	assert_int_equal(p.key[8], '_');
	uint64_t main = 0;
	for (int i = 0; i < 8; i++) main = main << 8 | p.key[i];
	assert_true(main >= 1 && main <= manifest_u64("healthy", "backup.revision"));
	ea_bolt_bucket_close(&keyb);
	ea_bolt_close(b);
	ea_input_close(in);

	/* the mutation: the leaf's overflow field claims MAX_SPAN - 1 more pages (all within the
	 * file, so nothing else about the node is wrong) */
	uint64_t span = p.lim - p.page < MAX_SPAN ? p.lim - p.page : MAX_SPAN;
	uint32_t ovf = (uint32_t)(span - 1);
	uint8_t *bad = malloc(n);
	assert_non_null(bad);
	memcpy(bad, data, n);
	uint64_t at = p.page * ps + 12;
	for (int i = 0; i < 4; i++) bad[at + (uint64_t)i] = (uint8_t)(ovf >> 8 * i);

	b = open_db(&in, bad, n, &keyb);
	uint64_t before = ea_input_bytes_read();
	for (int i = 0; i < LOOKUPS; i++) {
		p.found = 0;
		assert_int_equal(ea_bolt_get(b, &keyb, p.key, p.klen, same_cb, &p), EA_OK);
		assert_true(p.found);
	}
	uint64_t read = ea_input_bytes_read() - before;
	print_message("[   INFO   ] %d lookups through a node claiming %llu pages: %llu bytes read\n", LOOKUPS,
	              (unsigned long long)span, (unsigned long long)read);
	/* once the claimed span, then a few pages per lookup at most (re-reading the span each
	 * time would be LOOKUPS times it) */
	assert_true(read <= span * ps + (uint64_t)LOOKUPS * 8 * ps);

	size_t hits = 0;
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++) {
		const ea_problem *pr = ea_bolt_problem_at(b, i);
		if (strcmp(pr->kind, "overflow-inflated") != 0) continue;
		hits++;
		assert_int_equal(pr->offset, at);
		assert_int_equal(pr->length, 4);
		assert_string_equal(pr->file, "backup.db");
		assert_int_equal(pr->layer, EA_LAYER_BOLT);
	}
	assert_int_equal(hits, 1);

	ea_bolt_bucket_close(&keyb);
	ea_bolt_close(b);
	ea_input_close(in);
	free(bad);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflated_overflow_is_read_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
