/* k8s_load_table.c: the bounded counter tables of the Kubernetes write load (k8s_load_int.h):
 * open addressing on a 64-bit FNV-1a hash of the fields, at most EA_K8S_LOAD_MAX_CELLS cells
 * and EA__LTABLE_MAX_BYTES of field bytes per table; the top rows and the storm's namespaces. */
#include "k8s_load_int.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fields_hash(const ea_k8s_str f[EA__LF_N])
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < EA__LF_N; i++) {
		h = (h ^ (f[i].p ? 0x80u + (unsigned)i : (unsigned)i)) * 1099511628211ull;
		for (size_t k = 0; f[i].p && k < f[i].n; k++) h = (h ^ (uint8_t)f[i].p[k]) * 1099511628211ull;
		h = (h ^ (f[i].n & 0xffff)) * 1099511628211ull;
	}
	return h;
}

static int same_fields(const ea__lcell *c, uint64_t h, const ea_k8s_str f[EA__LF_N])
{
	if (c->hash != h) return 0;
	const char *p = c->buf;
	for (int i = 0; i < EA__LF_N; i++) {
		int have = (c->fhave >> i) & 1;
		if (have != (f[i].p != NULL)) return 0;
		if (!have) continue;
		if (c->flen[i] != f[i].n || (f[i].n && memcmp(p, f[i].p, f[i].n) != 0)) return 0;
		p += c->flen[i];
	}
	return 1;
}

static int grow(ea__ltable *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;
	ea__lcell **s = calloc(cap, sizeof *s);
	if (!s) return -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i]) continue;
		size_t j = (size_t)t->slots[i]->hash & (cap - 1);
		while (s[j]) j = (j + 1) & (cap - 1);
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
	return 0;
}

static ea__lcell *cell_new(const ea_k8s_str f[EA__LF_N], uint64_t h, size_t len)
{
	ea__lcell *c = calloc(1, sizeof *c);
	if (!c) return NULL;
	c->buf = malloc(len ? len : 1);
	if (!c->buf) { free(c); return NULL; }
	c->hash = h;
	char *p = c->buf;
	for (int i = 0; i < EA__LF_N; i++) {
		if (!f[i].p) continue;
		c->fhave |= 1u << i;
		c->flen[i] = f[i].n;
		if (f[i].n) memcpy(p, f[i].p, f[i].n);
		p += f[i].n;
	}
	return c;
}

ea__lcell *ea__ltable_get(ea__ltable *t, const ea_k8s_str f[EA__LF_N], int *nomem)
{
	uint64_t h = fields_hash(f);
	size_t j = t->cap ? (size_t)h & (t->cap - 1) : 0;
	for (; t->cap && t->slots[j]; j = (j + 1) & (t->cap - 1))
		if (same_fields(t->slots[j], h, f)) return t->slots[j];
	size_t len = 0;
	for (int i = 0; i < EA__LF_N; i++) if (f[i].p) len += f[i].n;
	if (t->n >= EA_K8S_LOAD_MAX_CELLS || t->bytes + len > EA__LTABLE_MAX_BYTES) return NULL;
	if ((t->n + 1) * 10 > t->cap * 7) {
		if (grow(t) != 0) { *nomem = 1; return NULL; }
		j = (size_t)h & (t->cap - 1);
		while (t->slots[j]) j = (j + 1) & (t->cap - 1);
	}
	ea__lcell *c = cell_new(f, h, len);
	if (!c) { *nomem = 1; return NULL; }
	t->slots[j] = c;
	t->n++;
	t->bytes += len;
	return c;
}

/* ---- the top rows ---- */

static int cmp_bytes(const ea__lcell *a, const ea__lcell *b)
{
	size_t la = 0, lb = 0;
	for (int i = 0; i < EA__LF_N; i++) { la += a->flen[i]; lb += b->flen[i]; }
	int c = memcmp(a->buf, b->buf, la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}

static int by_writes(const void *x, const void *y)
{
	const ea__lcell *a = *(ea__lcell *const *)x, *b = *(ea__lcell *const *)y;
	if (a->writes != b->writes) return a->writes > b->writes ? -1 : 1;
	if (a->cas != b->cas) return a->cas > b->cas ? -1 : 1;
	return cmp_bytes(a, b);
}

static int by_cas(const void *x, const void *y)
{
	const ea__lcell *a = *(ea__lcell *const *)x, *b = *(ea__lcell *const *)y;
	if (a->cas != b->cas) return a->cas > b->cas ? -1 : 1;
	return by_writes(x, y);
}

static int by_events(const void *x, const void *y)
{
	const ea__lcell *a = *(ea__lcell *const *)x, *b = *(ea__lcell *const *)y;
	if (a->events != b->events) return a->events > b->events ? -1 : 1;
	return cmp_bytes(a, b);
}

static ea_k8s_str field(const ea__lcell *c, int f)
{
	if (!((c->fhave >> f) & 1)) return (ea_k8s_str){ NULL, 0 };
	size_t at = 0;
	for (int i = 0; i < f; i++) at += c->flen[i];
	return (ea_k8s_str){ c->buf + at, c->flen[f] };
}

static void row_of(ea_k8s_load_row *r, const ea__lcell *c, int by_cas_only)
{
	memset(r, 0, sizeof *r);
	r->group = field(c, EA__LF_GROUP);
	r->resource = field(c, EA__LF_RESOURCE);
	r->ns = field(c, EA__LF_NS);
	r->name = field(c, EA__LF_NAME);
	r->key = field(c, EA__LF_KEY);
	r->writes = c->writes;
	r->cas_failures = c->cas;
	r->unknown = c->unknown;
	r->events = c->events;
	r->first_index = c->first_index;
	r->last_index = c->last_index;
	r->last_revision = c->last_revision;
	r->by_cas = by_cas_only;
}

static ea__lcell **cells(const ea__ltable *t)
{
	ea__lcell **a = malloc((t->n ? t->n : 1) * sizeof *a);
	if (!a) return NULL;
	size_t k = 0;
	for (size_t i = 0; i < t->cap; i++) if (t->slots[i]) a[k++] = t->slots[i];
	return a;
}

int ea__ltable_top(ea__ltable *t, ea_k8s_load_table *out)
{
	memset(out, 0, sizeof *out);
	out->distinct = t->n;
	out->untracked = t->untracked;
	if (!t->n) return EA_OK;
	ea__lcell **a = cells(t);
	out->rows = calloc(2 * EA_K8S_LOAD_TOP, sizeof *out->rows);
	if (!a || !out->rows) { free(a); return EA_ENOMEM; }
	qsort(a, t->n, sizeof *a, by_writes);
	for (size_t i = 0; i < t->n && i < EA_K8S_LOAD_TOP; i++) {
		a[i]->picked = 1;
		row_of(&out->rows[out->nrows++], a[i], 0);
	}
	qsort(a, t->n, sizeof *a, by_cas);
	for (size_t i = 0, more = 0; i < t->n && more < EA_K8S_LOAD_TOP && a[i]->cas; i++) {
		if (a[i]->picked) continue;
		row_of(&out->rows[out->nrows++], a[i], 1);
		more++;
	}
	free(a);
	return EA_OK;
}

size_t ea__ltable_storm(const ea__ltable *t, ea_k8s_load_storm *out, size_t max)
{
	ea__lcell **a = cells(t);
	if (!a) return 0;
	size_t k = 0;
	for (size_t i = 0; i < t->cap; i++) if (t->slots[i] && t->slots[i]->ev) a[k++] = t->slots[i];
	qsort(a, k, sizeof *a, by_events);
	size_t n = 0;
	for (; n < k && n < max; n++)
		out[n] = (ea_k8s_load_storm){ field(a[n], EA__LF_NS), a[n]->events, a[n]->ev };
	free(a);
	return n;
}

void ea__ltable_free(ea__ltable *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i]) continue;
		free(t->slots[i]->buf);
		free(t->slots[i]->ev);
		free(t->slots[i]);
	}
	free(t->slots);
	memset(t, 0, sizeof *t);
}
