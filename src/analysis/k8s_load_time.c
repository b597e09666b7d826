/* k8s_load_time.c: the write load's time axis (k8s_load.h, by_time): where in the committed
 * window the entries' time estimates (walltime.h) are known, and the buckets of equal time
 * span over that part. Private to k8s_load.c (k8s_load_int.h). */
#include "k8s_load_int.h"

static int known(const ea_walltime *w, uint64_t i)
{
	ea_walltime_est e;
	ea_walltime_at(w, i, &e);
	return e.known;
}

/* An index of [lo, hi] with an estimate: an end, else one of 1024 spread over it; 0 if none. */
static int any_known(const ea_walltime *w, uint64_t lo, uint64_t hi, uint64_t *m)
{
	if (known(w, lo)) { *m = lo; return 1; }
	if (known(w, hi)) { *m = hi; return 1; }
	uint64_t step = (hi - lo) / 1024 + 1;
	for (uint64_t i = lo + step; i < hi; i += step)
		if (known(w, i)) { *m = i; return 1; }
	return 0;
}

/* An estimate needs a lower bound at or before the index and an upper bound at or after it:
 * the dated indexes are one run [A, B]. Known m inside it, its ends are found by bisection. */
int ea__k8s_load_dated(const ea_walltime *w, uint64_t lo, uint64_t hi, uint64_t *first, uint64_t *last)
{
	uint64_t m;
	if (!w || hi < lo || !any_known(w, lo, hi, &m)) return 0;
	uint64_t a = lo, b = m;   /* smallest known in [lo, m] */
	while (a < b) {
		uint64_t mid = a + (b - a) / 2;
		if (known(w, mid)) b = mid; else a = mid + 1;
	}
	*first = a;
	a = m;
	b = hi;                   /* largest known in [m, hi] */
	while (a < b) {
		uint64_t mid = a + (b - a + 1) / 2;
		if (known(w, mid)) a = mid; else b = mid - 1;
	}
	*last = a;
	return 1;
}

void ea__k8s_load_time_buckets(ea_k8s_load *out, int64_t t0, int64_t t1, int64_t *width)
{
	uint64_t span = (uint64_t)t1 - (uint64_t)t0;   /* t1 >= t0; unsigned: no overflow whatever the anchors said */
	uint64_t wd = span / EA_K8S_LOAD_BUCKETS + 1;   /* EA_K8S_LOAD_BUCKETS * wd > span */
	out->nbuckets = (size_t)(span / wd + 1);
	for (size_t b = 0; b < out->nbuckets; b++) {
		out->buckets[b].lo_us = (int64_t)((uint64_t)t0 + b * wd);
		out->buckets[b].hi_us = b + 1 == out->nbuckets ? t1 : (int64_t)((uint64_t)t0 + (b + 1) * wd - 1);
	}
	*width = (int64_t)wd;
}

size_t ea__k8s_load_time_bucket(const ea_k8s_load *out, const ea_walltime *w, uint64_t index, int64_t width)
{
	ea_walltime_est e;
	ea_walltime_at(w, index, &e);
	if (!e.known) return (size_t)-1;
	int64_t t = e.time_us < out->first_us ? out->first_us : e.time_us > out->last_us ? out->last_us : e.time_us;
	size_t b = (size_t)(((uint64_t)t - (uint64_t)out->first_us) / (uint64_t)width);
	return b < out->nbuckets ? b : out->nbuckets - 1;
}
