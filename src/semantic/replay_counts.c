/* replay_counts.c: the replay's writes-per-revision vector (rp_counts): one byte per revision,
 * the rare count of 255 or more in a side list sorted by position (pushed in order), so a
 * window of millions of revisions costs one byte each instead of four. */
#include "replay_int.h"
#include "util/vec.h"

#include <stdlib.h>

#define BIG 255u

int ea__rp_counts_push(rp_counts *v, uint32_t n)
{
	if (ea__vec_ensure((void **)&v->b, &v->cap, v->n + 1, 1, 1024)) return EA_ENOMEM;
	if (n >= BIG) {
		if (ea__vec_ensure((void **)&v->big, &v->capbig, v->nbig + 1, sizeof *v->big, 1024)) return EA_ENOMEM;
		v->big[v->nbig++] = (struct rp_count_big){ .at = v->n, .n = n };
	}
	v->b[v->n++] = (uint8_t)(n >= BIG ? BIG : n);
	return EA_OK;
}

uint32_t ea__rp_counts_get(const rp_counts *v, size_t i)
{
	if (i >= v->n) return 0;
	if (v->b[i] < BIG) return v->b[i];
	size_t lo = 0, hi = v->nbig;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->big[mid].at < i) lo = mid + 1;
		else hi = mid;
	}
	return lo < v->nbig && v->big[lo].at == i ? v->big[lo].n : 0;
}

void ea__rp_counts_clear(rp_counts *v) { v->n = v->nbig = 0; }

void ea__rp_counts_free(rp_counts *v)
{
	free(v->b);
	free(v->big);
	*v = (rp_counts){ 0 };
}
