/* test_export_feed.c: export's bounded producer/consumer queue (src/output/export_feed.c):
 * every item reaches the consumer once, whole and in order (items of every size, some larger
 * than a batch); a consumer failure stops the producer within the queue's few batches and is
 * what finish returns; an empty run and bad arguments. */
#include "test.h"
#include "output/export_feed.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 4096u

typedef struct { uint64_t next, bytes; int fail_at, bad; } sink;

/* item: u64 sequence number, u32 length, then `length` bytes of (seq + i) & 0xff */
static int take(void *arg, const unsigned char *b, size_t len)
{
	sink *s = arg;
	for (size_t at = 0; at < len;) {
		uint64_t seq;
		uint32_t n;
		memcpy(&seq, b + at, 8);
		memcpy(&n, b + at + 8, 4);
		if (seq != s->next) s->bad = 1;
		for (uint32_t i = 0; i < n; i++)
			if (b[at + 12 + i] != (unsigned char)(seq + i)) s->bad = 1;
		at += 12 + n;
		s->bytes += 12 + n;
		if (s->fail_at >= 0 && seq == (uint64_t)s->fail_at) return EA_EIO;
		s->next++;
	}
	return EA_OK;
}

static int put(ea__xfeed *f, uint64_t seq, uint32_t n)
{
	unsigned char *p = ea__xfeed_reserve(f, 12 + (size_t)n);
	if (!p) return -1;
	memcpy(p, &seq, 8);
	memcpy(p + 8, &n, 4);
	for (uint32_t i = 0; i < n; i++) p[12 + i] = (unsigned char)(seq + i);
	ea__xfeed_commit(f, 12 + (size_t)n);
	return 0;
}

static uint32_t size_of(uint64_t seq)
{
	if (seq % 997 == 5) return 3 * BATCH + (uint32_t)seq % 100;   /* larger than a batch */
	return (uint32_t)((seq * 2654435761u) % 700);
}

static void in_order(void **state)
{
	(void)state;
	sink s = { 0, 0, -1, 0 };
	ea__xfeed *f;
	assert_int_equal(ea__xfeed_start(&f, 3, BATCH, take, &s), EA_OK);
	uint64_t bytes = 0;
	for (uint64_t i = 0; i < 20000; i++) {
		assert_int_equal(put(f, i, size_of(i)), 0);
		bytes += 12 + size_of(i);
	}
	assert_int_equal(ea__xfeed_finish(f), EA_OK);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.next, 20000);
	assert_int_equal(s.bytes, bytes);
}

static void consumer_failure(void **state)
{
	(void)state;
	sink s = { 0, 0, 500, 0 };
	ea__xfeed *f;
	assert_int_equal(ea__xfeed_start(&f, 4, BATCH, take, &s), EA_OK);
	uint64_t i = 0;
	while (i < 1000000 && put(f, i, 100) == 0) i++;
	/* the producer learns of it at a batch boundary: at most the queue's batches later */
	assert_true(i > 500);
	assert_true(i <= 500 + 5 * (BATCH / 112) + 1);
	assert_int_equal(ea__xfeed_finish(f), EA_EIO);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.next, 500);
}

static void empty_and_bad_args(void **state)
{
	(void)state;
	sink s = { 0, 0, -1, 0 };
	ea__xfeed *f;
	assert_int_equal(ea__xfeed_start(&f, 2, BATCH, take, &s), EA_OK);
	assert_int_equal(ea__xfeed_finish(f), EA_OK);
	assert_int_equal(s.next, 0);
	assert_int_equal(ea__xfeed_finish(NULL), EA_OK);
	assert_int_equal(ea__xfeed_start(&f, 1, BATCH, take, &s), EA_EINVAL);
	assert_null(f);
	assert_int_equal(ea__xfeed_start(&f, 4, 0, take, &s), EA_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order),
		cmocka_unit_test(consumer_failure),
		cmocka_unit_test(empty_and_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
