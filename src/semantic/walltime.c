/* walltime.c: the anchor set and the estimate of walltime.h: a compact array of anchors (one
 * per index after ea_walltime_finish), monotone bounds (a prefix maximum of the lower bounds,
 * a suffix minimum of the upper bounds), knots at the anchors (the middle of their bounds) and
 * a linear interpolation by index between two knots. Also the time text both ways.
 * Anchors at consecutive indexes with the same bounds and source are kept as one run (an entry
 * per index in the estimate, one element in memory): a WAL gives most entries one request-ID
 * lower bound each, equal for every request of one proposer process, so a member's anchors
 * are a few runs, not 32 bytes per entry. Every rule below holds per index: a run's indexes get
 * what single anchors would. */
#include "etcd-autopsy/walltime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s_int.h"
#include "walltime_int.h"
#include "util/vec.h"

typedef struct {
	uint64_t index;            /* the run's first index */
	int64_t lo, hi;            /* after finish: the monotone bounds at these indexes */
	uint8_t source;
	uint8_t own_point;         /* after finish: the anchor's own bounds both survived */
	uint32_t count;            /* indexes index .. index + count - 1 (>= 1) */
} wt_anchor;

static uint64_t last_of(const wt_anchor *a) { return a->index + a->count - 1; }

struct ea_walltime {
	wt_anchor *a;
	size_t n, cap;
	int finished;
	wt_anchor *lg;             /* etcd-log anchors, held apart: applied by finish, never widening */
	size_t nlg, caplg;
};

int ea_walltime_new(ea_walltime **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? EA_OK : EA_ENOMEM;
}

void ea_walltime_free(ea_walltime *w)
{
	if (!w) return;
	free(w->a);
	free(w->lg);
	free(w);
}

size_t ea_walltime_count(const ea_walltime *w)
{
	size_t c = 0;
	for (size_t i = 0; w && i < w->n; i++) c += w->a[i].count;
	return c;
}

void ea__walltime_drop_from(ea_walltime *w, uint64_t idx)
{
	while (w->n && w->a[w->n - 1].index >= idx) w->n--;
	if (w->n && last_of(&w->a[w->n - 1]) >= idx) w->a[w->n - 1].count = (uint32_t)(idx - w->a[w->n - 1].index);
	w->finished = 0;
}

void ea__walltime_clear(ea_walltime *w)
{
	w->n = 0;
	w->finished = 0;
}

/* b (one index) extends the run a: the next index, the same bounds and source */
static int same_run(const wt_anchor *a, const wt_anchor *b)
{
	return a->index + a->count == b->index && a->count < UINT32_MAX && a->lo == b->lo && a->hi == b->hi &&
	       a->source == b->source && a->own_point == b->own_point;
}

static void merge(wt_anchor *d, const wt_anchor *s)
{
	if (s->lo > d->lo) d->lo = s->lo;
	if (s->hi < d->hi) {
		d->hi = s->hi;
		if (s->source != EA_WALLTIME_SEGMENT_MTIME || d->source == EA_WALLTIME_NONE) d->source = s->source;
	}
	if (d->source == EA_WALLTIME_NONE || d->source == EA_WALLTIME_REQUEST_ID) d->source = s->source;
}

/* etcd-log anchors wait in w->lg until finish (at most MAX_LOG_ANCHORS: each costs a pass) */
#define MAX_LOG_ANCHORS 65536
static int add_log(ea_walltime *w, const wt_anchor *x)
{
	if (w->nlg == MAX_LOG_ANCHORS) return EA_OK;
	if (EA_VEC_GROW(w->lg, w->caplg, w->nlg, 64)) return EA_ENOMEM;
	w->lg[w->nlg++] = *x;
	w->finished = 0;
	return EA_OK;
}

int ea_walltime_add(ea_walltime *w, const ea_walltime_anchor *in)
{
	if (in->lo_us == EA_WALLTIME_NO_LO && in->hi_us == EA_WALLTIME_NO_HI) return EA_OK;
	wt_anchor x = { in->index, in->lo_us, in->hi_us, (uint8_t)in->source, 0, 1 };
	if (in->source == EA_WALLTIME_ETCD_LOG) return add_log(w, &x);
	w->finished = 0;
	wt_anchor *l = w->n ? &w->a[w->n - 1] : NULL;
	if (l && last_of(l) == in->index) {   /* merged into the anchor at this index */
		if (l->count > 1) {   /* split it off its run first */
			if (EA_VEC_GROW(w->a, w->cap, w->n, 1024)) return EA_ENOMEM;
			l = &w->a[w->n - 1];
			l->count--;
			w->a[w->n] = *l;
			w->a[w->n].index = in->index;
			w->a[w->n++].count = 1;
			l = &w->a[w->n - 1];
		}
		merge(l, &x);
		if (w->n > 1 && same_run(&w->a[w->n - 2], l)) { w->a[w->n - 2].count++; w->n--; }
		return EA_OK;
	}
	if (l && same_run(l, &x)) { l->count++; return EA_OK; }
	if (EA_VEC_GROW(w->a, w->cap, w->n, 1024)) return EA_ENOMEM;
	w->a[w->n++] = x;
	return EA_OK;
}

static int cmp_anchor(const void *x, const void *y)
{
	const wt_anchor *a = x, *b = y;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int apply_log(ea_walltime *w);

/* Anchors come in index order from a WAL pass; glibc's qsort would copy the whole array (a
 * merge sort: 32 bytes per entry more at the peak, 100 MB for 3 M entries) even then. */
static int sorted(const ea_walltime *w)
{
	for (size_t i = 1; i < w->n; i++)
		if (last_of(&w->a[i - 1]) >= w->a[i].index) return 0;
	return 1;
}

/* Anchors added out of index order: the runs as one anchor per index, sorted, equal indexes
 * merged (what finish did before runs); EA_ENOMEM. */
static int unsorted(ea_walltime *w)
{
	size_t total = ea_walltime_count(w), k = 0;
	wt_anchor *one = malloc((total ? total : 1) * sizeof *one);
	if (!one) return EA_ENOMEM;
	for (size_t i = 0; i < w->n; i++)
		for (uint32_t j = 0; j < w->a[i].count; j++) {
			one[k] = w->a[i];
			one[k].index += j;
			one[k++].count = 1;
		}
	qsort(one, total, sizeof *one, cmp_anchor);
	size_t m = 0;
	for (size_t i = 0; i < total; i++) {
		if (m && one[m - 1].index == one[i].index) merge(&one[m - 1], &one[i]);
		else one[m++] = one[i];
	}
	free(w->a);
	w->a = one;
	w->n = m;
	w->cap = total ? total : 1;
	return EA_OK;
}

/* runs joined where finish made their bounds equal */
static void coalesce(ea_walltime *w)
{
	size_t m = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (m && same_run(&w->a[m - 1], &w->a[i]) && (uint64_t)w->a[m - 1].count + w->a[i].count <= UINT32_MAX)
			w->a[m - 1].count += w->a[i].count;
		else w->a[m++] = w->a[i];
	}
	w->n = m;
}

int ea_walltime_finish(ea_walltime *w)
{
	if (w->n > 1 && !sorted(w) && unsorted(w)) return EA_ENOMEM;
	/* an upper bound below a lower bound at or before it is a stale timestamp: dropped */
	int64_t run = EA_WALLTIME_NO_LO;
	for (size_t i = 0; i < w->n; i++) {
		wt_anchor *a = &w->a[i];
		if (a->lo > run) run = a->lo;
		if (a->hi != EA_WALLTIME_NO_HI && a->hi < run) a->hi = EA_WALLTIME_NO_HI;
		a->own_point = a->lo != EA_WALLTIME_NO_LO && a->hi != EA_WALLTIME_NO_HI;
		a->lo = run;
	}
	int64_t hi = EA_WALLTIME_NO_HI;
	for (size_t i = w->n; i-- > 0;) {
		if (w->a[i].hi < hi) hi = w->a[i].hi;
		w->a[i].hi = hi;
	}
	coalesce(w);
	w->finished = 1;
	return w->nlg ? apply_log(w) : EA_OK;
}

/* first run ending at or after index i (n if none) */
static size_t lower_bound(const ea_walltime *w, uint64_t i)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (last_of(&w->a[mid]) < i) lo = mid + 1; else hi = mid;
	}
	return lo;
}

/* index i of run m (which holds it) as an anchor of its own, the run split around it: its
 * position; EA_ENOMEM as (size_t)-1 */
static size_t split_at(ea_walltime *w, size_t m, uint64_t i)
{
	wt_anchor r = w->a[m];
	size_t before = (size_t)(i - r.index), after = (size_t)(last_of(&r) - i);
	size_t add = (before > 0) + (after > 0);
	if (!add) return m;
	for (size_t k = 0; k < add; k++)
		if (EA_VEC_GROW(w->a, w->cap, w->n + k, 1024)) return (size_t)-1;
	memmove(&w->a[m + 1 + add], &w->a[m + 1], (w->n - m - 1) * sizeof *w->a);
	w->n += add;
	size_t at = m;
	if (before) { w->a[at] = r; w->a[at++].count = (uint32_t)before; }
	w->a[at] = r;
	w->a[at].index = i;
	w->a[at].count = 1;
	if (after) { w->a[at + 1] = r; w->a[at + 1].index = i + 1; w->a[at + 1].count = (uint32_t)after; }
	return at;
}

/* One etcd-log anchor into the finished set: only the sides that tighten the bounds there and
 * agree with them (a side outside [LB, UB] is dropped: a log line never widens nor contradicts
 * a bound), then the bounds made monotone again around it. */
static int apply_one(ea_walltime *w, const wt_anchor *x)
{
	ea_walltime_est e;
	ea_walltime_at(w, x->index, &e);
	int64_t lo = x->lo, hi = x->hi;
	if (lo != EA_WALLTIME_NO_LO && (lo <= e.lo_us || lo > e.hi_us)) lo = EA_WALLTIME_NO_LO;
	if (hi != EA_WALLTIME_NO_HI && (hi >= e.hi_us || hi < e.lo_us)) hi = EA_WALLTIME_NO_HI;
	if (lo != EA_WALLTIME_NO_LO && hi != EA_WALLTIME_NO_HI && lo > hi) return EA_OK;
	if (lo == EA_WALLTIME_NO_LO && hi == EA_WALLTIME_NO_HI) return EA_OK;
	int both = lo != EA_WALLTIME_NO_LO && hi != EA_WALLTIME_NO_HI;
	size_t m = lower_bound(w, x->index);
	if (m == w->n || w->a[m].index > x->index) {
		if (EA_VEC_GROW(w->a, w->cap, w->n, 1024)) return EA_ENOMEM;
		memmove(&w->a[m + 1], &w->a[m], (w->n - m) * sizeof *w->a);
		w->n++;
		w->a[m] = (wt_anchor){ x->index, e.lo_us, e.hi_us, EA_WALLTIME_ETCD_LOG, 0, 1 };
	} else if ((m = split_at(w, m, x->index)) == (size_t)-1) {
		return EA_ENOMEM;
	}
	wt_anchor *a = &w->a[m];
	if (lo != EA_WALLTIME_NO_LO) a->lo = lo;
	if (hi != EA_WALLTIME_NO_HI) a->hi = hi;
	if (both && !a->own_point) { a->own_point = 1; a->source = EA_WALLTIME_ETCD_LOG; }
	for (size_t i = m + 1; i < w->n && w->a[i].lo < a->lo; i++) w->a[i].lo = a->lo;
	for (size_t i = m; i-- > 0 && w->a[i].hi > a->hi;) w->a[i].hi = a->hi;
	return EA_OK;
}

static int apply_log(ea_walltime *w)
{
	int rc = EA_OK;
	for (size_t i = 0; !rc && i < w->nlg; i++) rc = apply_one(w, &w->lg[i]);
	w->nlg = 0;
	return rc;
}

/* the middle of an anchor's bounds; unsigned differences: no overflow whatever the bounds */
static int64_t knot(const wt_anchor *a)
{
	return (int64_t)((uint64_t)a->lo + ((uint64_t)a->hi - (uint64_t)a->lo) / 2);
}

void ea_walltime_at(const ea_walltime *w, uint64_t index, ea_walltime_est *out)
{
	memset(out, 0, sizeof *out);
	out->lo_us = EA_WALLTIME_NO_LO;
	out->hi_us = EA_WALLTIME_NO_HI;
	if (!w || !w->finished || w->n == 0) return;
	size_t m = lower_bound(w, index);   /* first anchor at or after index */
	const wt_anchor *after = m < w->n ? &w->a[m] : NULL;
	const wt_anchor *before = after && after->index <= index ? after : m > 0 ? &w->a[m - 1] : NULL;
	if (before) out->lo_us = before->lo;
	if (after) out->hi_us = after->hi;
	if (!before || !after || out->lo_us == EA_WALLTIME_NO_LO || out->hi_us == EA_WALLTIME_NO_HI) return;
	int64_t t;
	if (before == after) {
		t = knot(before);
		out->source = before->own_point ? (ea_walltime_source)before->source : EA_WALLTIME_INTERPOLATED;
	} else {
		int64_t k0 = knot(before), k1 = knot(after);
		uint64_t b = last_of(before);   /* the run's last index: the anchor just before */
		double f = (double)(index - b) / (double)(after->index - b);
		t = (int64_t)((double)k0 + ((double)k1 - (double)k0) * f);
		out->source = EA_WALLTIME_INTERPOLATED;
	}
	if (t < out->lo_us) t = out->lo_us;
	if (t > out->hi_us) t = out->hi_us;
	uint64_t dl = (uint64_t)t - (uint64_t)out->lo_us, dh = (uint64_t)out->hi_us - (uint64_t)t;
	uint64_t e = dl > dh ? dl : dh;
	out->known = 1;
	out->time_us = t;
	out->error_s = (double)e / 1e6;
}

void ea_walltime_entry(const ea_walltime *w, uint64_t index, int superseded, ea_walltime_est *out)
{
	ea_walltime_at(w, index, out);
	if (!superseded) return;
	int64_t hi = out->hi_us;
	memset(out, 0, sizeof *out);
	out->lo_us = EA_WALLTIME_NO_LO;
	out->hi_us = hi;
}

const char *ea_walltime_source_name(ea_walltime_source s)
{
	switch (s) {
	case EA_WALLTIME_LEASE_RENEW: return "k8s-lease-renew";
	case EA_WALLTIME_EVENT: return "k8s-event";
	case EA_WALLTIME_MANAGED_FIELDS: return "k8s-managed-fields";
	case EA_WALLTIME_CREATED: return "k8s-created";
	case EA_WALLTIME_ETCD_LOG: return "etcd-log";
	case EA_WALLTIME_REQUEST_ID: return "request-id";
	case EA_WALLTIME_SEGMENT_MTIME: return "segment-mtime";
	case EA_WALLTIME_INTERPOLATED: return "interpolated";
	default: return NULL;
	}
}

void ea_walltime_format(int64_t us, char *buf, size_t cap)
{
	int64_t s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t ms = (us - s * 1000000) / 1000;
	time_t tt = (time_t)s;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) { snprintf(buf, cap, "?"); return; }
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec, (int)ms);
}

int ea_walltime_parse(const char *s, int64_t *us)
{
	size_t n = strlen(s);
	char buf[64];
	if (n == 19 && n + 1 < sizeof buf) {   /* no zone: UTC */
		memcpy(buf, s, n);
		buf[n] = 'Z';
		buf[n + 1] = 0;
		s = buf;
		n++;
	}
	int64_t sec;
	if (ea_k8s_parse_time(s, n, &sec)) return -1;
	int64_t frac = 0;
	if (n > 20 && s[19] == '.') {
		int64_t scale = 100000;
		for (size_t i = 20; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			if (scale > 0) frac += (s[i] - '0') * scale;
	}
	*us = sec * 1000000 + frac;
	return 0;
}
