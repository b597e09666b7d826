/* test_bolt_blockcache.c: the block cache of `db check`'s walk (src/format/bolt_bc.c) hands
 * out exactly the bytes pread() gives (offsets across block boundaries, short at the end of
 * the file), and a walk over scattered pages (one page per block: a fragmented db) reads at
 * most twice the bytes asked for plus 8 MiB, not a whole block per page. Input: the healthy
 * fixture's snapshot backup (28 MB, size from its manifest). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "bc_fixture.h"

static void test_same_bytes_as_pread(void **state)
{
	bc_fx *fx = *state;
	size_t n = fx->n;
	ea_input *in = fx->in;
	ea__bc *bc = &fx->bc;
	uint8_t *got = malloc(EA__BC_BLOCK), *want = malloc(EA__BC_BLOCK);
	assert_non_null(got);
	assert_non_null(want);
	uint64_t x = 88172645463325252ull;   /* xorshift64: a fixed walk */
	for (int k = 0; k < 4000; k++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		size_t len = 1 + (size_t)(x % (EA__BC_BLOCK / 2));
		/* every 4th read near a block boundary, every 8th near the end of the file */
		uint64_t off = (x >> 20) % (n + 4096);
		if (k % 4 == 1) off = ((x >> 24) % (n / EA__BC_BLOCK + 1)) * EA__BC_BLOCK - (x >> 40) % 64;
		if (k % 8 == 3) off = n - (x >> 30) % 70000;
		if (off > n + 4096) off = 0;
		long w = ea_input_pread(in, 0, want, len, off);
		long g = ea__bc_pread(bc, in, 0, got, len, off);
		assert_int_equal(g, w);
		if (w > 0) assert_memory_equal(got, want, (size_t)w);
	}
	assert_true(bc->read <= 2 * bc->asked + (8u << 20) + EA__BC_BLOCK);
	free(got);
	free(want);
}

static void test_scattered_pages_bounded(void **state)
{
	bc_fx *fx = *state;
	size_t n = fx->n;
	uint8_t *data = fx->data;
	ea_input *in = fx->in;
	ea__bc *bc = &fx->bc;
	uint8_t page[4096];
	uint64_t asked = 0, before = ea_input_bytes_read();
	size_t blocks = n / EA__BC_BLOCK;
	assert_true(blocks > 100);   /* whole blocks would be > 12 MiB */
	for (size_t blk = 0; blk < blocks; blk++) {
		uint64_t off = blk * EA__BC_BLOCK + (blk * 7 % 32) * 4096;
		assert_int_equal(ea__bc_pread(bc, in, 0, page, sizeof page, off), (long)sizeof page);
		assert_memory_equal(page, data + off, sizeof page);
		asked += sizeof page;
	}
	uint64_t read = ea_input_bytes_read() - before;
	print_message("[   INFO   ] %zu scattered pages: %llu bytes asked, %llu read\n", blocks,
	              (unsigned long long)asked, (unsigned long long)read);
	assert_true(read <= 2 * asked + (8u << 20) + EA__BC_BLOCK);
	assert_true(read < (uint64_t)blocks * EA__BC_BLOCK / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_bytes_as_pread, bc_fx_setup, bc_fx_teardown),
		cmocka_unit_test_setup_teardown(test_scattered_pages_bounded, bc_fx_setup, bc_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
