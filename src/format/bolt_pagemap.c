/* bolt_pagemap.c: the side tables of `db check`'s page map. The map itself is one byte per page
 * (flags and a 3-bit owner, in bolt.c); what one byte cannot say is kept here for the few pages
 * that need it: the first page of every node of more than one page (an overflow page names its
 * node: `db page`, `db space`), and the owner of the nodes of bucket 7 and up (buckets get
 * their index when they first own a page, so an etcd db's few page-owning buckets fit in the
 * byte). Both tables are appended during the walk and sorted once after it. The walk marks a
 * page at most once, so the runs are disjoint and the one holding a continuation page is the
 * last that starts at or before it. */
#include "bolt_pagemap.h"

#include <stdlib.h>

static int add(ea__pagemap_ent **v, size_t *n, size_t *cap, uint64_t page, uint64_t val)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *p = realloc(*v, nc * sizeof **v);
		if (!p) return -1;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = (ea__pagemap_ent){ page, val };
	return 0;
}

int ea__pagemap_add_run(ea__pagemap_side *s, uint64_t head, uint64_t end)
{
	s->sorted = 0;
	return add(&s->runs, &s->nruns, &s->runs_cap, head, end);
}

int ea__pagemap_add_owner(ea__pagemap_side *s, uint64_t head, uint64_t owner)
{
	s->sorted = 0;
	return add(&s->owners, &s->nowners, &s->owners_cap, head, owner);
}

static int by_page(const void *a, const void *b)
{
	const ea__pagemap_ent *x = a, *y = b;
	return x->page < y->page ? -1 : x->page > y->page;
}

void ea__pagemap_side_sort(ea__pagemap_side *s)
{
	if (s->nruns > 1) qsort(s->runs, s->nruns, sizeof *s->runs, by_page);
	if (s->nowners > 1) qsort(s->owners, s->nowners, sizeof *s->owners, by_page);
	s->sorted = 1;
}

/* index of the last entry with page <= p, or n when none */
static size_t last_at_or_before(const ea__pagemap_ent *v, size_t n, uint64_t p)
{
	size_t lo = 0, hi = n;   /* answer in [lo - 1, hi) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].page <= p) lo = mid + 1;
		else hi = mid;
	}
	return lo ? lo - 1 : n;
}

uint64_t ea__pagemap_head(const ea__pagemap_side *s, uint64_t page)
{
	if (!s->sorted) return page;
	size_t i = last_at_or_before(s->runs, s->nruns, page);
	return i < s->nruns && page < s->runs[i].v ? s->runs[i].page : page;
}

uint32_t ea__pagemap_owner(const ea__pagemap_side *s, uint64_t head)
{
	if (!s->sorted) return 0;
	size_t i = last_at_or_before(s->owners, s->nowners, head);
	return i < s->nowners && s->owners[i].page == head ? (uint32_t)s->owners[i].v : 0;
}

void ea__pagemap_side_free(ea__pagemap_side *s)
{
	free(s->runs);
	free(s->owners);
	*s = (ea__pagemap_side){ 0 };
}
