/* test_walltime_runs.c: anchors at consecutive indexes with equal bounds are held as one run
 * (walltime.c): memory flat in the number of entries (a WAL's request-ID lower bounds: one per
 * entry, equal for every request of one proposer process), and every index gets the estimate
 * single anchors give. The reference is the same anchors added out of index order, which
 * finish() sorts and merges one anchor per index (the algorithm before runs). */
#include "test.h"

#include <malloc.h>
#include <stdlib.h>

#define S 1000000LL

/* a member's anchors: runs of request-ID lower bounds from two proposer processes, Kubernetes
 * anchors merged into some of their indexes, segment mtimes, and etcd-log lines inside runs */
static size_t anchors(ea_walltime_anchor *a)
{
	size_t n = 0;
	for (uint64_t i = 1; i <= 400; i++) {
		int64_t started = i < 150 ? 100 * S : i < 300 ? 90 * S : 160 * S;   /* 150..299: an older process */
		if (i % 7 == 0) a[n++] = (ea_walltime_anchor){ i, (100 + (int64_t)i / 4) * S, (101 + (int64_t)i / 4) * S, EA_WALLTIME_LEASE_RENEW };
		if (i % 5 != 0) a[n++] = (ea_walltime_anchor){ i, started, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID };
		if (i % 100 == 0) a[n++] = (ea_walltime_anchor){ i, EA_WALLTIME_NO_LO, (120 + (int64_t)i / 4) * S, EA_WALLTIME_SEGMENT_MTIME };
	}
	a[n++] = (ea_walltime_anchor){ 43, 110 * S + S / 5, 110 * S + 2 * S / 5, EA_WALLTIME_ETCD_LOG };
	a[n++] = (ea_walltime_anchor){ 233, EA_WALLTIME_NO_LO, 150 * S, EA_WALLTIME_ETCD_LOG };
	a[n++] = (ea_walltime_anchor){ 351, 190 * S, EA_WALLTIME_NO_HI, EA_WALLTIME_ETCD_LOG };
	return n;
}

static void test_walltime_runs__same_estimates(void **state)
{
	(void)state;
	static ea_walltime_anchor a[2000];
	size_t n = anchors(a);
	ea_walltime *runs, *ref;
	assert_int_equal(ea_walltime_new(&runs), EA_OK);
	assert_int_equal(ea_walltime_new(&ref), EA_OK);
	for (size_t i = 0; i < n; i++) assert_int_equal(ea_walltime_add(runs, &a[i]), EA_OK);
	for (size_t i = 1; i < n; i++) assert_int_equal(ea_walltime_add(ref, &a[i]), EA_OK);
	assert_int_equal(ea_walltime_add(ref, &a[0]), EA_OK);   /* out of order: one anchor per index */
	assert_int_equal(ea_walltime_finish(runs), EA_OK);
	assert_int_equal(ea_walltime_finish(ref), EA_OK);
	assert_int_equal(ea_walltime_count(runs), ea_walltime_count(ref));
	size_t known = 0;
	for (uint64_t i = 0; i <= 410; i++) {
		ea_walltime_est x, y;
		ea_walltime_at(runs, i, &x);
		ea_walltime_at(ref, i, &y);
		assert_int_equal(x.known, y.known);
		assert_true(x.time_us == y.time_us && x.lo_us == y.lo_us && x.hi_us == y.hi_us);
		assert_int_equal(x.source, y.source);
		assert_true(x.error_s == y.error_s);
		known += x.known != 0;
	}
	assert_true(known >= 390);   /* bounded on both sides from index 1 to 400 */
	ea_walltime_est e;
	ea_walltime_at(runs, 43, &e);   /* inside a run: the log line made index 43 a point of its own */
	assert_int_equal(e.source, EA_WALLTIME_ETCD_LOG);
	ea_walltime_free(runs);
	ea_walltime_free(ref);
}

/* 4 M entries with one request-ID lower bound each (one proposer process): was 32 bytes each */
static void test_walltime_runs__memory_flat(void **state)
{
	(void)state;
	ea_walltime *w;
	struct mallinfo2 m0 = mallinfo2();
	assert_int_equal(ea_walltime_new(&w), EA_OK);
	for (uint64_t i = 1; i <= 4000000; i++) {
		ea_walltime_anchor q = { i, 100 * S, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID };
		assert_int_equal(ea_walltime_add(w, &q), EA_OK);
	}
	ea_walltime_anchor mt = { 4000000, EA_WALLTIME_NO_LO, 200 * S, EA_WALLTIME_SEGMENT_MTIME };
	assert_int_equal(ea_walltime_add(w, &mt), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	struct mallinfo2 m1 = mallinfo2();
	assert_true(m1.uordblks - m0.uordblks < 1024 * 1024);   /* not 128 MB */
	assert_int_equal(ea_walltime_count(w), 4000000);
	ea_walltime_est e;
	ea_walltime_at(w, 2000000, &e);   /* its own lower bound, the mtime above: the middle */
	assert_true(e.known);
	assert_int_equal(e.lo_us, 100 * S);
	assert_int_equal(e.hi_us, 200 * S);
	assert_int_equal(e.time_us, 150 * S);
	ea_walltime_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walltime_runs__same_estimates),
		cmocka_unit_test(test_walltime_runs__memory_flat),
	};
	return cmocka_run_group_tests_name("walltime_runs", tests, NULL, NULL);
}
