/* test_k8s_load_time.c: the write load's time axis (src/analysis/k8s_load_time.c): the dated
 * part of a window is the run between the first lower-bound anchor and the last upper-bound
 * anchor, found by bisection from any dated index; the buckets are a grid of equal spans with
 * no gap, at most EA_K8S_LOAD_BUCKETS, also over the extreme times hostile anchors can claim
 * (unsigned arithmetic: no overflow under UBSan); an index without an estimate has no bucket. */
#include "test.h"

#include <string.h>

#include "analysis/k8s_load_int.h"

static ea_walltime *two_anchors(uint64_t lo_index, int64_t lo_us, uint64_t hi_index, int64_t hi_us)
{
	ea_walltime *w;
	assert_int_equal(ea_walltime_new(&w), EA_OK);
	ea_walltime_anchor a = { lo_index, lo_us, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID };
	ea_walltime_anchor b = { hi_index, EA_WALLTIME_NO_LO, hi_us, EA_WALLTIME_SEGMENT_MTIME };
	assert_int_equal(ea_walltime_add(w, &a), EA_OK);
	assert_int_equal(ea_walltime_add(w, &b), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	return w;
}

static void test_k8s_load_time__dated_run(void **state)
{
	(void)state;
	ea_walltime *w = two_anchors(1000, 1000000, 2000, 9000000);
	uint64_t first = 0, last = 0;
	assert_true(ea__k8s_load_dated(w, 1, 5000, &first, &last));
	assert_int_equal(first, 1000);
	assert_int_equal(last, 2000);
	assert_true(ea__k8s_load_dated(w, 1500, 1600, &first, &last));   /* inside: the window itself */
	assert_int_equal(first, 1500);
	assert_int_equal(last, 1600);
	assert_false(ea__k8s_load_dated(w, 1, 999, &first, &last));      /* before the lower bound */
	assert_false(ea__k8s_load_dated(w, 2001, 9000, &first, &last));  /* after the upper bound */
	assert_false(ea__k8s_load_dated(NULL, 1, 10, &first, &last));
	ea_walltime_free(w);
}

static void grid(int64_t t0, int64_t t1)
{
	ea_k8s_load l;
	memset(&l, 0, sizeof l);
	int64_t width = 0;
	ea__k8s_load_time_buckets(&l, t0, t1, &width);
	assert_true(l.nbuckets >= 1 && l.nbuckets <= EA_K8S_LOAD_BUCKETS);
	assert_true(width >= 1);
	assert_true(l.buckets[0].lo_us == t0);
	assert_true(l.buckets[l.nbuckets - 1].hi_us == t1);
	for (size_t b = 0; b + 1 < l.nbuckets; b++) {
		assert_true(l.buckets[b].hi_us >= l.buckets[b].lo_us);
		assert_true((uint64_t)l.buckets[b].hi_us + 1 == (uint64_t)l.buckets[b + 1].lo_us);
	}
	if (t0 < -((int64_t)1 << 60) || t1 > ((int64_t)1 << 60)) return;   /* walltime's own range: below */
	l.first_us = t0;
	l.last_us = t1;
	ea_walltime *w = two_anchors(1, t0, 1, t1);   /* index 1 dated [t0, t1] */
	ea_walltime_est e;
	ea_walltime_at(w, 1, &e);
	if (e.known) {
		size_t b = ea__k8s_load_time_bucket(&l, w, 1, width);
		assert_true(b < l.nbuckets);
		assert_true(e.time_us >= l.buckets[b].lo_us && e.time_us <= l.buckets[b].hi_us);
	}
	assert_int_equal(ea__k8s_load_time_bucket(&l, w, 2, width), (size_t)-1);   /* no upper bound after 1 */
	ea_walltime_free(w);
}

static void test_k8s_load_time__grid(void **state)
{
	(void)state;
	grid(1796480776272500, 1796480904933000);   /* k8s-3.5's window, about 129 s */
	grid(5, 5);                                 /* one instant: one bucket */
	grid(0, 99);
	grid(INT64_MIN + 1, INT64_MAX - 1);         /* the grid alone, whatever the estimates claim */
	grid(-1, INT64_MAX - 1);
	grid(-((int64_t)1 << 60), (int64_t)1 << 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8s_load_time__dated_run),
		cmocka_unit_test(test_k8s_load_time__grid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
