/* walltime.c: the anchor set and the estimate of walltime.h: a compact array of anchors (one
 * per index after ea_walltime_finish), monotone bounds (a prefix maximum of the lower bounds,
 * a suffix minimum of the upper bounds), knots at the anchors (the middle of their bounds) and
 * a linear interpolation by index between two knots. Also the time text both ways. */
#include "etcd-autopsy/walltime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s_int.h"
#include "walltime_int.h"

typedef struct {
	uint64_t index;
	int64_t lo, hi;            /* after finish: the monotone bounds at this index */
	uint8_t source;
	uint8_t own_point;         /* after finish: the anchor's own bounds both survived */
} wt_anchor;

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

size_t ea_walltime_count(const ea_walltime *w) { return w ? w->n : 0; }

/* room for one more anchor in *a (n used of *cap; doubles, first `first`): 0 or -1 */
static int grow(wt_anchor **a, size_t *cap, size_t n, size_t first)
{
	if (n < *cap) return 0;
	size_t nc = *cap ? *cap * 2 : first;
	wt_anchor *p = realloc(*a, nc * sizeof *p);
	if (!p) return -1;
	*a = p;
	*cap = nc;
	return 0;
}

void ea__walltime_drop_from(ea_walltime *w, uint64_t idx)
{
	while (w->n && w->a[w->n - 1].index >= idx) w->n--;
	w->finished = 0;
}

void ea__walltime_clear(ea_walltime *w)
{
	w->n = 0;
	w->finished = 0;
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
	if (grow(&w->lg, &w->caplg, w->nlg, 64)) return EA_ENOMEM;
	w->lg[w->nlg++] = *x;
	w->finished = 0;
	return EA_OK;
}

int ea_walltime_add(ea_walltime *w, const ea_walltime_anchor *in)
{
	if (in->lo_us == EA_WALLTIME_NO_LO && in->hi_us == EA_WALLTIME_NO_HI) return EA_OK;
	wt_anchor x = { in->index, in->lo_us, in->hi_us, (uint8_t)in->source, 0 };
	if (in->source == EA_WALLTIME_ETCD_LOG) return add_log(w, &x);
	if (w->n && w->a[w->n - 1].index == in->index) { merge(&w->a[w->n - 1], &x); return EA_OK; }
	if (grow(&w->a, &w->cap, w->n, 1024)) return EA_ENOMEM;
	w->a[w->n++] = x;
	w->finished = 0;
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
		if (w->a[i - 1].index > w->a[i].index) return 0;
	return 1;
}

int ea_walltime_finish(ea_walltime *w)
{
	if (w->n > 1 && !sorted(w)) qsort(w->a, w->n, sizeof *w->a, cmp_anchor);
	size_t m = 0;   /* merge equal indexes */
	for (size_t i = 0; i < w->n; i++) {
		if (m && w->a[m - 1].index == w->a[i].index) merge(&w->a[m - 1], &w->a[i]);
		else w->a[m++] = w->a[i];
	}
	w->n = m;
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
	w->finished = 1;
	return w->nlg ? apply_log(w) : EA_OK;
}

/* first anchor with index >= i (n if none) */
static size_t lower_bound(const ea_walltime *w, uint64_t i)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->a[mid].index < i) lo = mid + 1; else hi = mid;
	}
	return lo;
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
	if (m == w->n || w->a[m].index != x->index) {
		if (grow(&w->a, &w->cap, w->n, 1024)) return EA_ENOMEM;
		memmove(&w->a[m + 1], &w->a[m], (w->n - m) * sizeof *w->a);
		w->n++;
		w->a[m] = (wt_anchor){ x->index, e.lo_us, e.hi_us, EA_WALLTIME_ETCD_LOG, 0 };
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

static int64_t knot(const wt_anchor *a) { return a->lo + (a->hi - a->lo) / 2; }

void ea_walltime_at(const ea_walltime *w, uint64_t index, ea_walltime_est *out)
{
	memset(out, 0, sizeof *out);
	out->lo_us = EA_WALLTIME_NO_LO;
	out->hi_us = EA_WALLTIME_NO_HI;
	if (!w || !w->finished || w->n == 0) return;
	size_t m = lower_bound(w, index);   /* first anchor at or after index */
	const wt_anchor *after = m < w->n ? &w->a[m] : NULL;
	const wt_anchor *before = after && after->index == index ? after : m > 0 ? &w->a[m - 1] : NULL;
	if (before) out->lo_us = before->lo;
	if (after) out->hi_us = after->hi;
	if (!before || !after || out->lo_us == EA_WALLTIME_NO_LO || out->hi_us == EA_WALLTIME_NO_HI) return;
	int64_t t;
	if (before == after) {
		t = knot(before);
		out->source = before->own_point ? (ea_walltime_source)before->source : EA_WALLTIME_INTERPOLATED;
	} else {
		int64_t k0 = knot(before), k1 = knot(after);
		double f = (double)(index - before->index) / (double)(after->index - before->index);
		t = k0 + (int64_t)((double)(k1 - k0) * f);
		out->source = EA_WALLTIME_INTERPOLATED;
	}
	if (t < out->lo_us) t = out->lo_us;
	if (t > out->hi_us) t = out->hi_us;
	int64_t e = t - out->lo_us > out->hi_us - t ? t - out->lo_us : out->hi_us - t;
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
