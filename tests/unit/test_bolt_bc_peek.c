/* test_bolt_bc_peek.c: nodes walked in place from `db check`'s block cache
 * (ea__bc_peek, src/format/bolt_bc.c): the bytes are the file's, a pinned block keeps them
 * while other reads go through the cache, every block pinned makes peek say no and pread
 * read around the cache (same bytes), and a range across a block boundary (a multi-page node
 * ending in the next block) is never handed out in place. Input: the healthy fixture's snapshot backup (size from its manifest). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "bc_fixture.h"

static void test_pinned_page_survives_other_reads(void **state)
{
	bc_fx *f = *state;
	int slot;
	uint64_t off = 5 * EA__BC_BLOCK + 3 * 4096;
	const uint8_t *p = ea__bc_peek(&f->bc, f->in, 0, 4096, off, &slot);
	assert_non_null(p);
	assert_true(slot >= 0);
	assert_memory_equal(p, f->data + off, 4096);
	/* reads of many other blocks: without the pin the LRU would reuse the slot */
	uint8_t page[4096];
	size_t blocks = f->n / EA__BC_BLOCK;
	for (size_t k = 0; k < 4 * EA__BC_BLOCKS; k++) {
		uint64_t o = ((k * 7 + 11) % blocks) * EA__BC_BLOCK + (k % 32) * 4096;
		assert_int_equal(ea__bc_pread(&f->bc, f->in, 0, page, sizeof page, o), (long)sizeof page);
		assert_memory_equal(page, f->data + o, sizeof page);
	}
	assert_memory_equal(p, f->data + off, 4096);
	ea__bc_unpin(&f->bc, slot);
}

static void test_all_pinned_reads_around(void **state)
{
	bc_fx *f = *state;
	int slots[EA__BC_BLOCKS];
	for (int k = 0; k < EA__BC_BLOCKS; k++) {
		uint64_t off = (uint64_t)(2 * k + 1) * EA__BC_BLOCK + 4096;
		const uint8_t *p = ea__bc_peek(&f->bc, f->in, 0, 4096, off, &slots[k]);
		assert_non_null(p);
		assert_memory_equal(p, f->data + off, 4096);
	}
	int s;
	uint64_t other = (uint64_t)(2 * EA__BC_BLOCKS + 2) * EA__BC_BLOCK;
	assert_null(ea__bc_peek(&f->bc, f->in, 0, 4096, other, &s));
	assert_int_equal(s, -1);
	uint8_t page[4096];
	assert_int_equal(ea__bc_pread(&f->bc, f->in, 0, page, sizeof page, other), (long)sizeof page);
	assert_memory_equal(page, f->data + other, sizeof page);
	/* a pinned block can still be peeked again (two pins) and read from */
	uint64_t again = EA__BC_BLOCK + 8192;
	const uint8_t *p = ea__bc_peek(&f->bc, f->in, 0, 4096, again, &s);
	assert_non_null(p);
	assert_int_equal(s, slots[0]);
	assert_memory_equal(p, f->data + again, 4096);
	ea__bc_unpin(&f->bc, s);
	ea__bc_unpin(&f->bc, slots[3]);
	p = ea__bc_peek(&f->bc, f->in, 0, 4096, other, &s);
	assert_non_null(p);
	assert_memory_equal(p, f->data + other, 4096);
	ea__bc_unpin(&f->bc, s);
	for (int k = 0; k < EA__BC_BLOCKS; k++)
		if (k != 3) ea__bc_unpin(&f->bc, slots[k]);
}

static void test_no_peek_across_blocks_or_past_eof(void **state)
{
	bc_fx *f = *state;
	int s;
	assert_null(ea__bc_peek(&f->bc, f->in, 0, 4096, 2 * EA__BC_BLOCK - 2048, &s));
	assert_int_equal(s, -1);
	/* a two-page node: in place inside a block, not across its end */
	const uint8_t *p = ea__bc_peek(&f->bc, f->in, 0, 8192, 3 * EA__BC_BLOCK + 4096, &s);
	assert_non_null(p);
	assert_memory_equal(p, f->data + 3 * EA__BC_BLOCK + 4096, 8192);
	ea__bc_unpin(&f->bc, s);
	assert_null(ea__bc_peek(&f->bc, f->in, 0, 8192, 4 * EA__BC_BLOCK - 4096, &s));
	uint64_t last = (f->n / 4096) * 4096;   /* the file ends inside or at this page */
	if (last + 4096 > f->n) assert_null(ea__bc_peek(&f->bc, f->in, 0, 4096, last, &s));
	assert_null(ea__bc_peek(&f->bc, f->in, 0, 4096, f->n + 4096, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pinned_page_survives_other_reads, bc_fx_setup, bc_fx_teardown),
		cmocka_unit_test_setup_teardown(test_all_pinned_reads_around, bc_fx_setup, bc_fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_peek_across_blocks_or_past_eof, bc_fx_setup, bc_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
