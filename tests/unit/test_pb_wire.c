/* test_pb_wire.c: the protobuf varint decoder. Its fast path reads 8 bytes at once and
 * squeezes the 7-bit groups together; here it is checked against the plain byte loop on a
 * million random varints of every length (1..10 bytes, overlong, truncated, near the end). */
#include "test.h"
#include "format/pb_wire.h"

#include <stdlib.h>
#include <string.h>

static int reference(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	const uint8_t *q = *p;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (q >= end) return -1;
		uint8_t b = *q++;
		if (shift == 63 && b > 1) return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) { *p = q; *out = v; return 0; }
	}
	return -1;
}

static void test_pb_wire__varint_matches_byte_loop(void **state)
{
	(void)state;
	srand(7);
	uint8_t buf[16];
	long ok = 0;
	for (long it = 0; it < 1000000; it++) {
		int n = rand() % 12;
		for (int i = 0; i < 16; i++) buf[i] = (uint8_t)rand();
		for (int i = 0; i < n; i++) buf[i] |= 0x80;
		buf[n] &= 0x7f;
		if (rand() % 5 == 0) buf[rand() % 16] = (uint8_t)rand();
		size_t avail = 1 + (size_t)(rand() % 16);
		const uint8_t *a = buf, *b = buf;
		uint64_t x = 0, y = 0;
		int r1 = ea_pb_varint(&a, buf + avail, &x), r2 = reference(&b, buf + avail, &y);
		assert_int_equal(r1, r2);
		if (r1 == 0) {
			assert_true(x == y);
			assert_ptr_equal(a, b);
			ok++;
		}
	}
	assert_true(ok > 500000);
	/* edges: the largest 8-byte varint, 2^64 - 1 (10 bytes), an 11-byte overlong one */
	static const uint8_t max8[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
	static const uint8_t max10[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t over[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	const uint8_t *p = max8;
	uint64_t v;
	assert_int_equal(ea_pb_varint(&p, max8 + sizeof max8, &v), 0);
	assert_true(v == (UINT64_C(1) << 56) - 1);
	p = max10;
	assert_int_equal(ea_pb_varint(&p, max10 + sizeof max10, &v), 0);
	assert_true(v == UINT64_MAX);
	p = over;
	assert_int_equal(ea_pb_varint(&p, over + sizeof over, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pb_wire__varint_matches_byte_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
