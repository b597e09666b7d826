/* test_crc.c: CRC-32C known answers (docs/formats.md §0, §2.3) and hardware == portable. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

uint32_t ea__crc32c_portable(uint32_t crc, const void *buf, size_t len);

static void test_crc__check_value(void **state)
{
	(void)state;
	assert_int_equal(ea_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(ea__crc32c_portable(0, "123456789", 9), 0xE3069283u);
}

static void test_crc__continuation(void **state)
{
	(void)state;
	/* Update(Update(0,a),b) == CRC32C(a||b) */
	assert_int_equal(ea_crc32c(ea_crc32c(0, "12345", 5), "6789", 4), 0xE3069283u);
}

static void test_crc__etcd_metadata_example(void **state)
{
	(void)state;
	/* docs/formats.md §8.1: metadata data → 0x0b583740, then snapshot {0,0} → 0x0b193bb6 */
	static const uint8_t meta[] = { 0x08, 0x8d, 0xf2, 0xf4, 0x8e, 0xc1, 0xf7, 0xa6, 0xd7, 0xbd, 0x01,
	                                0x10, 0xaa, 0xf4, 0xe5, 0xf5, 0x99, 0xf3, 0xeb, 0xe7, 0xd1, 0x01 };
	static const uint8_t snap[] = { 0x08, 0x00, 0x10, 0x00 };
	uint32_t c = ea_crc32c(0, meta, sizeof meta);
	assert_int_equal(c, 0x0b583740u);
	assert_int_equal(ea_crc32c(c, snap, sizeof snap), 0x0b193bb6u);
}

static void test_crc__hw_equals_portable(void **state)
{
	(void)state;
	size_t n = 3 * 4096 * 3 + 77;
	uint8_t *b = malloc(n);
	srand(42);
	for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rand();
	static const size_t lens[] = { 0, 1, 7, 8, 9, 63, 383, 384, 385, 767, 768, 1400, 1537, 4096,
	                               3 * 4096 - 1, 3 * 4096, 3 * 4096 + 5, 3 * 4096 + 400, 6 * 4096 + 13 };
	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++)
		for (size_t off = 0; off < 9; off++) {
			uint32_t seed = (uint32_t)(k * 2654435761u);
			assert_int_equal(ea_crc32c(seed, b + off, lens[k]), ea__crc32c_portable(seed, b + off, lens[k]));
		}
	assert_int_equal(ea_crc32c(0, b, n), ea__crc32c_portable(0, b, n));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc__check_value),
		cmocka_unit_test(test_crc__continuation),
		cmocka_unit_test(test_crc__etcd_metadata_example),
		cmocka_unit_test(test_crc__hw_equals_portable),
	};
	return cmocka_run_group_tests_name("crc32c", tests, NULL, NULL);
}
