/* test_entry_iter.c: ea_entry_iter, the one entry stream (issue 14), and ea_member_set.
 * Facts from fixtures/healthy/manifest.txt (what etcd 3.4.23 reported: member IDs, the last
 * raft index of a cleanly stopped member). */
#include "test.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void test_entry_iter__member_set(void **state)
{
	(void)state;
	ea_member_set s = { .n = 0 };
	ea_member_set_add(&s, 0);                       /* 0 is no member */
	ea_member_set_add(&s, 0xdecacf2185b21ac2ull);
	ea_member_set_add(&s, 0xdecacf2185b21ac2ull);   /* once */
	ea_member_set_add(&s, 0x1e143351a48a30fcull);
	assert_int_equal(s.n, 2);
	assert_true(ea_member_set_match(&s, 0x1ac2) == 0xdecacf2185b21ac2ull);
	assert_true(ea_member_set_match(&s, 0x30fc) == 0x1e143351a48a30fcull);
	assert_true(ea_member_set_match(&s, 0x1234) == 0);
	ea_member_set_add(&s, 0x0000000000001ac2ull);   /* same low 16 bits: ambiguous, no name */
	assert_true(ea_member_set_match(&s, 0x1ac2) == 0);
	for (uint64_t id = 1; id <= 100; id++) ea_member_set_add(&s, id << 20);
	assert_int_equal(s.n, EA_MEMBER_SET_MAX);       /* bounded */
}

/* Runs the stream over healthy n1 with `members` (NULL: the WAL's own IDs) and checks what
 * every item says; returns the number of entries with a request ID. */
static size_t walk_healthy_n1(const ea_member_set *members, int expect_named)
{
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, fixture_path("healthy", "n1.tar.gz"), &err), 0);
	ea_log *log;
	assert_int_equal(ea_log_open(&log, in, NULL, &err), 0);
	ea_entry_iter_options o = { .members = members };
	ea_entry_iter *it;
	assert_int_equal(ea_entry_iter_new(&it, log, &o), 0);
	uint64_t ids[3] = { manifest_hex("healthy", "n1.member_id"), manifest_hex("healthy", "n2.member_id"),
	                    manifest_hex("healthy", "n3.member_id") };
	uint64_t commit = ea_log_commit_index(log), last = 0;
	const ea_entry_item *e, *first = NULL;
	size_t requests = 0;
	int rc;
	while ((rc = ea_entry_iter_next(&e, it)) == EA_OK) {
		if (!first) first = e;
		assert_ptr_equal(e, first);                 /* one item, reused: nothing allocated per record */
		if (!e->is_entry) continue;
		const ea_entry_header *h = &e->log.item.rec.u.entry;
		last = h->index;
		assert_non_null(e->info.kind);
		assert_int_equal(e->state, e->log.superseded ? EA_ENTRY_SUPERSEDED :
		                           h->index <= commit ? EA_ENTRY_COMMITTED : EA_ENTRY_UNCOMMITTED);
		if (!e->info.request_id) { assert_string_equal(e->proposer_name, ""); continue; }
		requests++;
		char want[20];
		if (expect_named) {
			/* every request of this cluster was proposed by one of its three members */
			assert_true(e->proposer == ids[0] || e->proposer == ids[1] || e->proposer == ids[2]);
			snprintf(want, sizeof want, "%" PRIx64, e->proposer);
		} else {
			assert_true(e->proposer == 0);
			snprintf(want, sizeof want, "????%04x", e->info.proposer_low16);
			assert_true(e->info.proposer_low16 == (uint16_t)ids[0] || e->info.proposer_low16 == (uint16_t)ids[1] ||
			            e->info.proposer_low16 == (uint16_t)ids[2]);
		}
		assert_string_equal(e->proposer_name, want);
	}
	assert_int_equal(rc, EA_ITEROVER);
	assert_true(last == manifest_u64("healthy", "n1.raft_index"));   /* cleanly stopped: all of it */
	assert_true(commit == last);
	ea_entry_iter_free(it);
	ea_log_close(log);
	ea_input_close(in);
	return requests;
}

static void test_entry_iter__healthy(void **state)
{
	(void)state;
	assert_true(walk_healthy_n1(NULL, 1) > 100);   /* the WAL's own member IDs name every proposer */
	ea_member_set none = { .n = 0 };
	assert_true(walk_healthy_n1(&none, 0) > 100);  /* no IDs: the ????xxxx form */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_iter__member_set),
		cmocka_unit_test(test_entry_iter__healthy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
