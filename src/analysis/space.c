/* space.c: `db space` — what used the space of one etcd db (see etcd-autopsy/space.h). Owns the
 * per-key and per-group accounting of the key-bucket walk, the attribution of leaf pages to
 * the elements on them, the page partition and the top-N keys by history size. */
#include "etcd-autopsy/space.h"
#include "util/arena.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define ELEM_HDR 16u      /* bbolt leaf element header: flags, pos, ksize, vsize */

size_t ea_space_group_len(const uint8_t *key, size_t n, unsigned depth)
{
	size_t p = n && key[0] == '/' ? 1 : 0;
	for (unsigned d = 0; d < depth; d++) {
		const uint8_t *s = p < n ? memchr(key + p, '/', n - p) : NULL;
		if (!s) break;
		p = (size_t)(s - key) + 1;
	}
	return p;
}

/* ---- per-key and per-group tables ---- */

typedef struct {
	const uint8_t *key;
	size_t len;
	uint64_t hash;
	uint32_t group;
	uint64_t tombs;
	ea_space_amount all;          /* every element of the key */
	uint64_t last_bytes, last_page;
	int64_t last_main, last_sub;
	int last_tomb;
	int last_after_put;           /* the element before the newest one is a put */
} kent;

typedef struct {
	uint32_t *slots;              /* index + 1 into the entries, 0 = empty */
	size_t nslots, n, cap;
} table;

typedef struct {
	ea_mvcc *m;
	ea_bolt *b;
	const ea_space_options *o;
	ea_arena pool;                /* key bytes */
	kent *keys;
	table kt;
	ea_space_group *groups;
	uint64_t *ghash;
	table gt;
	int undec_group;              /* index of the group of undecodable elements, -1 none */
	const ea_k8s_object *want;    /* the Kubernetes group being looked up (k8s_eq) */
	/* the leaf page being walked: its elements wait for the page's span */
	uint64_t page;
	int have_page;
	struct pel { size_t off, len; uint64_t bytes; int64_t main, sub; int tomb, has_key; } *pe;
	size_t npe, cappe;
	uint8_t *pk;                  /* their keys */
	size_t npk, cappk;
	uint64_t attributed;          /* leaf page bytes given to elements */
	int rc;
	uint64_t seed;
	ea_space *out;
} space_ctx;

/* A hash of key bytes, 8 at a time (in-process only: byte order does not matter), seeded per
 * run so that keys chosen to collide cannot turn the tables quadratic; no output depends on it. */
static uint64_t hash_bytes(uint64_t seed, const uint8_t *p, size_t n)
{
	uint64_t h = seed ^ n, w;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	if (n) memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* Finds the slot of (hash, bytes) in t; eq(i) compares entry i. Returns the slot. */
typedef int (*eq_fn)(const space_ctx *c, uint32_t i, const uint8_t *k, size_t n, uint64_t h);

static size_t find_slot(const space_ctx *c, const table *t, const uint8_t *k, size_t n, uint64_t h, eq_fn eq)
{
	size_t s = (size_t)(h % t->nslots);
	while (t->slots[s] && !eq(c, t->slots[s] - 1, k, n, h)) s = (s + 1) % t->nslots;
	return s;
}

static int key_eq(const space_ctx *c, uint32_t i, const uint8_t *k, size_t n, uint64_t h)
{
	const kent *e = &c->keys[i];
	return e->hash == h && e->len == n && (n == 0 || memcmp(e->key, k, n) == 0);
}

static int group_eq(const space_ctx *c, uint32_t i, const uint8_t *k, size_t n, uint64_t h)
{
	const ea_space_group *g = &c->groups[i];
	return c->ghash[i] == h && g->prefix && !g->k8s && g->prefix_len == n && (n == 0 || memcmp(g->prefix, k, n) == 0);
}

/* Doubles t's slots when half full; hashes of entries from hash_of. */
static int table_grow(table *t, const space_ctx *c, uint64_t (*hash_of)(const space_ctx *, uint32_t))
{
	if (t->nslots && (t->n + 1) * 2 <= t->nslots) return EA_OK;
	if (t->n >= UINT32_MAX / 4) return EA_ENOMEM;
	size_t ns = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof *s);
	if (!s) return EA_ENOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		size_t h = (size_t)(hash_of(c, i) % ns);
		while (s[h]) h = (h + 1) % ns;
		s[h] = i + 1;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = ns;
	return EA_OK;
}

static uint64_t key_hash_of(const space_ctx *c, uint32_t i) { return c->keys[i].hash; }
static uint64_t group_hash_of(const space_ctx *c, uint32_t i) { return c->ghash[i]; }

/* Index of a new group (prefix NULL: the undecodable elements), or -1 without memory. */
static long group_new(space_ctx *c, const uint8_t *p, size_t n, uint64_t h)
{
	if (EA_VEC_GROW(c->groups, c->gt.cap, c->gt.n, 64)) return -1;
	size_t cap = c->gt.cap;
	void *gh = realloc(c->ghash, cap * sizeof *c->ghash);
	if (!gh) return -1;
	c->ghash = gh;
	ea_space_group *g = &c->groups[c->gt.n];
	memset(g, 0, sizeof *g);
	if (p) {
		g->prefix = malloc(n ? n : 1);
		if (!g->prefix) return -1;
		memcpy(g->prefix, p, n);
		g->prefix_len = n;
	}
	c->ghash[c->gt.n] = h;
	return (long)c->gt.n++;
}

static long k8s_group_of(space_ctx *c, const uint8_t *k, size_t n, const ea_k8s_object *o);

static long group_of(space_ctx *c, const uint8_t *k, size_t n)
{
	ea_k8s_object o;
	if (c->o->k8s && ea_k8s_key(c->o->k8s, k, n, &o) && o.resource.p) return k8s_group_of(c, k, n, &o);
	size_t gl = ea_space_group_len(k, n, c->o->depth);
	uint64_t h = hash_bytes(c->seed, k, gl);
	if (table_grow(&c->gt, c, group_hash_of)) return -1;
	size_t s = find_slot(c, &c->gt, k, gl, h, group_eq);
	if (c->gt.slots[s]) return (long)c->gt.slots[s] - 1;
	long g = group_new(c, k, gl, h);
	if (g >= 0) c->gt.slots[s] = (uint32_t)g + 1;
	return g;
}

/* ---- --k8s: Kubernetes keys grouped by API group, resource and namespace ---- */

static int kstr_eq(ea_k8s_str a, ea_k8s_str b)
{
	if (!a.p || !b.p) return !a.p && !b.p;
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static int k8s_eq(const space_ctx *c, uint32_t i, const uint8_t *k, size_t n, uint64_t h)
{
	(void)k;
	(void)n;
	const ea_space_group *g = &c->groups[i];
	const ea_k8s_object *o = c->want;
	return c->ghash[i] == h && g->k8s && kstr_eq(g->k8s_group, o->group) && kstr_eq(g->k8s_resource, o->resource) &&
	       kstr_eq(g->k8s_ns, o->ns);
}

/* the three parts with their presence (a cluster-scoped object differs from namespace "") */
static uint64_t k8s_hash(const space_ctx *c, const ea_k8s_object *o)
{
	const ea_k8s_str *part[3] = { &o->group, &o->resource, &o->ns };
	uint64_t h = 0x6b38732d73706163ull;
	for (unsigned i = 0; i < 3; i++) {
		uint64_t v = part[i]->p ? hash_bytes(c->seed + i, (const uint8_t *)part[i]->p, part[i]->n) : 0x9e3779b9u + i;
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

/* s copied to buf + *at (NULL stays NULL) */
static ea_k8s_str kstr_copy(uint8_t *buf, size_t *at, ea_k8s_str s)
{
	if (!s.p) return s;
	if (s.n) memcpy(buf + *at, s.p, s.n);
	ea_k8s_str r = { (const char *)buf + *at, s.n };
	*at += s.n;
	return r;
}

/* The group of Kubernetes object o (from key k): found, or new with its parts copied after its
 * display prefix (the key up to the object's name) in one allocation. */
static long k8s_group_of(space_ctx *c, const uint8_t *k, size_t n, const ea_k8s_object *o)
{
	uint64_t h = k8s_hash(c, o);
	if (table_grow(&c->gt, c, group_hash_of)) return -1;
	c->want = o;
	size_t slot = find_slot(c, &c->gt, NULL, 0, h, k8s_eq);
	if (c->gt.slots[slot]) return (long)c->gt.slots[slot] - 1;
	size_t pl = n;
	if (o->name.p && (const uint8_t *)o->name.p >= k && (const uint8_t *)o->name.p <= k + n) pl = (size_t)((const uint8_t *)o->name.p - k);
	long gi = group_new(c, k, pl, h);
	if (gi < 0) return -1;
	ea_space_group *g = &c->groups[gi];
	uint8_t *buf = realloc(g->prefix, pl + o->group.n + o->resource.n + o->ns.n + 1);
	if (!buf) return -1;
	g->prefix = buf;
	size_t at = pl;
	g->k8s = 1;
	g->k8s_group = kstr_copy(buf, &at, o->group);
	g->k8s_resource = kstr_copy(buf, &at, o->resource);
	g->k8s_ns = kstr_copy(buf, &at, o->ns);
	c->gt.slots[slot] = (uint32_t)gi + 1;
	return gi;
}

static kent *key_of(space_ctx *c, const uint8_t *k, size_t n)
{
	uint64_t h = hash_bytes(c->seed, k, n);
	if (table_grow(&c->kt, c, key_hash_of)) return NULL;
	size_t s = find_slot(c, &c->kt, k, n, h, key_eq);
	if (c->kt.slots[s]) return &c->keys[c->kt.slots[s] - 1];
	long g = group_of(c, k, n);
	if (g < 0 || EA_VEC_GROW(c->keys, c->kt.cap, c->kt.n, 1024)) return NULL;
	kent *e = &c->keys[c->kt.n];
	memset(e, 0, sizeof *e);
	uint8_t *copy = ea_arena_alloc(&c->pool, n ? n : 1);
	if (!copy) return NULL;
	memcpy(copy, k, n);
	e->key = copy;
	e->len = n;
	e->hash = h;
	e->group = (uint32_t)g;
	e->last_main = -1;
	c->kt.slots[s] = (uint32_t)++c->kt.n;
	return e;
}

/* ---- the walk: elements buffered per leaf page, then counted with their page share ---- */

static void amount_add(ea_space_amount *a, uint64_t revs, uint64_t bytes, uint64_t page)
{
	a->revisions += revs;
	a->bytes += bytes;
	a->page_bytes += page;
}

static int count_element(space_ctx *c, const struct pel *p, uint64_t page_bytes)
{
	if (!p->has_key) {
		if (c->undec_group < 0) {
			long g = group_new(c, NULL, 0, 0);
			if (g < 0) return EA_ENOMEM;
			c->undec_group = (int)g;
		}
		amount_add(&c->out->undecodable, 1, p->bytes, page_bytes);
		ea_space_group *g = &c->groups[c->undec_group];
		amount_add(&g->history, 1, p->bytes, page_bytes);
		amount_add(&g->drop, 1, p->bytes, page_bytes);
		if (p->tomb) g->tombstones++;
		return EA_OK;
	}
	kent *e = key_of(c, c->pk + p->off, p->len);
	if (!e) return EA_ENOMEM;
	amount_add(&e->all, 1, p->bytes, page_bytes);
	if (p->tomb) { e->tombs++; c->groups[e->group].tombstones++; }
	if (p->main > e->last_main || (p->main == e->last_main && p->sub >= e->last_sub)) {
		e->last_after_put = e->last_main >= 0 && !e->last_tomb;
		e->last_main = p->main;
		e->last_sub = p->sub;
		e->last_tomb = p->tomb;
		e->last_bytes = p->bytes;
		e->last_page = page_bytes;
	}
	return EA_OK;
}

/* The span of leaf page `id` in bytes when the key bucket owns it, else 0 (an inline key
 * bucket lives on its parent's page: nothing to attribute). */
static uint64_t page_span(space_ctx *c, uint64_t id)
{
	ea_bolt_page_info pi;
	if (ea_bolt_page_describe(c->b, id, &pi) != EA_OK) return 0;
	if (!pi.bucket || strcmp(pi.bucket, "key") != 0 || strcmp(pi.type, "leaf") != 0) return 0;
	return ((uint64_t)pi.overflow + 1) * ea_bolt_page_size(c->b);
}

/* Counts the buffered elements of the page, each with its share of the page's span. */
static int flush_page(space_ctx *c)
{
	if (!c->have_page) return EA_OK;
	c->have_page = 0;
	uint64_t span = page_span(c, c->page), sum = 0, given = 0;
	for (size_t i = 0; i < c->npe; i++) sum += ELEM_HDR + c->pe[i].bytes;
	for (size_t i = 0; i < c->npe; i++) {
		uint64_t share = 0;
		if (span && i + 1 == c->npe) share = span - given;
		else if (span && sum) share = (uint64_t)((double)span * (double)(ELEM_HDR + c->pe[i].bytes) / (double)sum);
		if (share > span - given) share = span - given;
		given += share;
		int rc = count_element(c, &c->pe[i], share);
		if (rc) return rc;
	}
	c->attributed += given;
	c->npe = c->npk = 0;
	return EA_OK;
}

static int buffer_element(space_ctx *c, const ea_mvcc_kv *kv)
{
	if (EA_VEC_GROW(c->pe, c->cappe, c->npe, 64)) return EA_ENOMEM;
	size_t kl = kv->key ? kv->key_len : 0;
	while (c->npk + kl > c->cappk) {
		size_t nc = c->cappk ? c->cappk * 2 : 4096;
		void *p = realloc(c->pk, nc);
		if (!p) return EA_ENOMEM;
		c->pk = p;
		c->cappk = nc;
	}
	if (kl) memcpy(c->pk + c->npk, kv->key, kl);
	c->pe[c->npe++] = (struct pel){ c->npk, kl, kv->stored_key_len + kv->stored_value_len, kv->main, kv->sub,
	                                kv->tombstone, kv->key != NULL };
	c->npk += kl;
	return EA_OK;
}

static int walk_cb(const ea_mvcc_kv *kv, void *payload)
{
	space_ctx *c = payload;
	if (c->have_page && kv->page != c->page && (c->rc = flush_page(c))) return 1;
	c->page = kv->page;
	c->have_page = 1;
	if ((c->rc = buffer_element(c, kv))) return 1;
	return 0;
}

/* ---- the page partition ---- */

enum { P_META, P_FREELIST, P_FREE, P_UNREACHABLE, P_MISSING, P_KEY_LEAF, P_KEY_BRANCH, P_OTHER };

static int page_class(const ea_bolt_page_info *pi)
{
	const char *st = pi->state ? pi->state : "missing";
	if (!strcmp(st, "meta")) return P_META;
	if (!strcmp(st, "freelist")) return P_FREELIST;
	if (!strcmp(st, "free")) return P_FREE;
	if (!strcmp(st, "unreachable")) return P_UNREACHABLE;
	if (strcmp(st, "reachable")) return P_MISSING;
	if (!pi->bucket || strcmp(pi->bucket, "key")) return P_OTHER;
	if (!strcmp(pi->type, "leaf")) return P_KEY_LEAF;
	return !strcmp(pi->type, "branch") ? P_KEY_BRANCH : P_OTHER;
}

/* Every page below pgid into one class; an overflow page takes its first page's class. */
static int partition_pages(space_ctx *c)
{
	ea_space *s = c->out;
	uint64_t n[P_OTHER + 1] = { 0 }, head = UINT64_MAX;
	int head_class = P_OTHER;
	for (uint64_t id = 0; id < s->pages; id++) {
		ea_bolt_page_info pi;
		int rc = ea_bolt_page_describe(c->b, id, &pi);
		if (rc < 0 && rc != EA_EINVAL) return rc;
		int k = page_class(&pi);
		if (k != P_MISSING && pi.type && !strcmp(pi.type, "overflow") && pi.continuation_of != id) {
			if (pi.continuation_of != head) {
				ea_bolt_page_info hp;
				head = pi.continuation_of;
				rc = ea_bolt_page_describe(c->b, head, &hp);
				if (rc < 0 && rc != EA_EINVAL) return rc;
				head_class = page_class(&hp);
			}
			if (k == P_OTHER || k == P_KEY_LEAF || k == P_KEY_BRANCH) k = head_class;
		} else {
			head = id;
			head_class = k;
		}
		n[k]++;
	}
	s->meta_pages = n[P_META];
	s->freelist_pages = n[P_FREELIST];
	s->free_pages = n[P_FREE];
	s->unreachable_pages = n[P_UNREACHABLE];
	s->missing_pages = n[P_MISSING];
	s->key_leaf_pages = n[P_KEY_LEAF];
	s->key_branch_pages = n[P_KEY_BRANCH];
	s->other_pages = n[P_OTHER];
	return EA_OK;
}

/* ---- per-key results: live, history, drop; the top-N ---- */

static void amount_sub(ea_space_amount *a, const ea_space_amount *b)
{
	a->revisions -= b->revisions;
	a->bytes -= b->bytes;
	a->page_bytes -= b->page_bytes;
}

static void amount_sum(ea_space_amount *a, const ea_space_amount *b)
{
	amount_add(a, b->revisions, b->bytes, b->page_bytes);
}

/* Live part, history and what a compaction at the current revision drops, for one key. etcd's
 * compaction at R keeps, per key of the index, the newest revision <= R of the generation it
 * stops at (key_index.go doCompact): at R = the current revision the live put, and under the
 * skip rule a tombstone at exactly R that closes a generation (the index ignores a tombstone
 * that follows no put). Every other element <= R is deleted from the bucket. */
static void finish_key(space_ctx *c, const kent *e)
{
	ea_space *s = c->out;
	ea_space_group *g = &c->groups[e->group];
	ea_space_amount last = { 1, e->last_bytes, e->last_page }, hist = e->all, drop = e->all;
	g->keys++;
	if (!e->last_tomb) {
		g->live_keys++;
		amount_sum(&g->live, &last);
		amount_sub(&hist, &last);
		amount_sub(&drop, &last);
	} else if (c->out->rule == EA_HASHKV_RULE_SKIP_TOMBSTONE && e->last_main == s->revision && e->last_after_put) {
		s->kept_tombstones++;
		amount_sub(&drop, &last);
	}
	amount_sum(&g->history, &hist);
	amount_sum(&g->drop, &drop);
}

/* heap order: a ranks below b (less history, then fewer revisions, then the greater key) */
static int below(const kent *a, const kent *b)
{
	uint64_t ha = a->all.bytes - (a->last_tomb ? 0 : a->last_bytes), hb = b->all.bytes - (b->last_tomb ? 0 : b->last_bytes);
	if (ha != hb) return ha < hb;
	uint64_t ra = a->all.revisions - !a->last_tomb, rb = b->all.revisions - !b->last_tomb;
	if (ra != rb) return ra < rb;
	size_t n = a->len < b->len ? a->len : b->len;
	int k = n ? memcmp(a->key, b->key, n) : 0;
	return k ? k > 0 : a->len > b->len;
}

static void sift_down(const kent **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && below(h[l], h[m])) m = l;
		if (r < n && below(h[r], h[m])) m = r;
		if (m == i) return;
		const kent *t = h[i]; h[i] = h[m]; h[m] = t;
		i = m;
	}
}

static void sift_up(const kent **h, size_t i)
{
	while (i && below(h[i], h[(i - 1) / 2])) {
		const kent *t = h[i]; h[i] = h[(i - 1) / 2]; h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static int cmp_rank(const void *a, const void *b)
{
	const kent *x = *(const kent *const *)a, *y = *(const kent *const *)b;
	return below(x, y) ? 1 : below(y, x) ? -1 : 0;
}

/* The `top` keys with history, best first, copied out. */
static int select_top(space_ctx *c)
{
	size_t k = c->o->top < c->kt.n ? c->o->top : c->kt.n, n = 0;
	if (!k) return EA_OK;
	const kent **h = malloc(k * sizeof *h);
	if (!h) return EA_ENOMEM;
	for (size_t i = 0; i < c->kt.n; i++) {
		const kent *e = &c->keys[i];
		if (e->all.revisions <= (uint64_t)!e->last_tomb) continue;   /* no history */
		if (n < k) { h[n] = e; sift_up(h, n++); }
		else if (below(h[0], e)) { h[0] = e; sift_down(h, n, 0); }
	}
	qsort(h, n, sizeof *h, cmp_rank);
	ea_space *s = c->out;
	s->top = calloc(n ? n : 1, sizeof *s->top);
	for (size_t i = 0; s->top && i < n; i++) {
		const kent *e = h[i];
		ea_space_key *t = &s->top[i];
		t->key = malloc(e->len ? e->len : 1);
		if (!t->key) break;
		memcpy(t->key, e->key, e->len);
		t->key_len = e->len;
		t->live = !e->last_tomb;
		t->last_revision = e->last_main;
		t->tombstones = e->tombs;
		t->history = e->all;
		if (t->live) {
			t->live_amount = (ea_space_amount){ 1, e->last_bytes, e->last_page };
			amount_sub(&t->history, &t->live_amount);
		}
		s->ntop = i + 1;
	}
	free(h);
	return s->top && s->ntop == n ? EA_OK : EA_ENOMEM;
}

static uint64_t group_pages(const ea_space_group *g) { return g->live.page_bytes + g->history.page_bytes; }

static int cmp_group(const void *a, const void *b)
{
	const ea_space_group *x = a, *y = b;
	uint64_t px = group_pages(x), py = group_pages(y);
	if (px != py) return px < py ? 1 : -1;
	uint64_t bx = x->live.bytes + x->history.bytes, by = y->live.bytes + y->history.bytes;
	if (bx != by) return bx < by ? 1 : -1;
	if (!x->prefix || !y->prefix) return !x->prefix - !y->prefix;
	size_t n = x->prefix_len < y->prefix_len ? x->prefix_len : y->prefix_len;
	int k = n ? memcmp(x->prefix, y->prefix, n) : 0;
	return k ? k : (x->prefix_len > y->prefix_len) - (x->prefix_len < y->prefix_len);
}

static int finish(space_ctx *c)
{
	ea_space *s = c->out;
	for (size_t i = 0; i < c->kt.n; i++) {
		finish_key(c, &c->keys[i]);
		if (c->keys[i].tombs) s->tombstones += c->keys[i].tombs;
	}
	int rc = select_top(c);
	s->groups = c->groups;
	s->ngroups = c->gt.n;
	c->groups = NULL;
	for (size_t i = 0; i < s->ngroups; i++) {
		const ea_space_group *g = &s->groups[i];
		if (g->prefix) { s->keys += g->keys; s->live_keys += g->live_keys; }
		else s->tombstones += g->tombstones;
		amount_sum(&s->live, &g->live);
		amount_sum(&s->history, &g->history);
		amount_sum(&s->drop, &g->drop);
	}
	if (s->ngroups) qsort(s->groups, s->ngroups, sizeof *s->groups, cmp_group);
	uint64_t leaf = s->key_leaf_pages * s->page_size;
	s->key_unattributed_bytes = leaf > c->attributed ? leaf - c->attributed : 0;
	return rc;
}

static void ctx_free(space_ctx *c)
{
	if (c->groups) {
		for (size_t i = 0; i < c->gt.n; i++) free(c->groups[i].prefix);
		free(c->groups);
	}
	free(c->keys);
	free(c->kt.slots);
	free(c->gt.slots);
	free(c->ghash);
	free(c->pe);
	free(c->pk);
	ea_arena_free(&c->pool);
}

int ea_space_compute(ea_mvcc *m, const ea_space_options *o, ea_hashkv_rule rule, ea_space *out)
{
	memset(out, 0, sizeof *out);
	space_ctx c;
	memset(&c, 0, sizeof c);
	c.m = m;
	c.b = ea_mvcc_bolt(m);
	c.o = o;
	c.out = out;
	c.undec_group = -1;
	if (getrandom(&c.seed, sizeof c.seed, GRND_NONBLOCK) != (ssize_t)sizeof c.seed)
		c.seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&c;
	c.seed |= 1;
	ea_arena_init(&c.pool, 0);
	ea_mvcc_info info;
	int rc = ea_mvcc_info_scan(m, &info);
	out->revision = info.revision;
	out->compact_revision = info.compact_revision;
	out->compacted_at_revision = info.compact_revision >= info.revision;
	out->rule = rule == EA_HASHKV_RULE_SKIP_TOMBSTONE ? rule : EA_HASHKV_RULE_CLASSIC;
	out->file_size = ea_bolt_file_size(c.b);
	out->page_size = ea_bolt_page_size(c.b);
	out->pages = ea_bolt_pgid(c.b);
	out->db_size = out->pages * out->page_size;
	if (!rc) rc = ea_mvcc_foreach(m, walk_cb, &c);
	if (rc > 0 || c.rc) rc = c.rc ? c.rc : EA_ENOMEM;
	if (!rc) rc = flush_page(&c);
	if (!rc) rc = partition_pages(&c);
	if (!rc) {
		out->in_use_bytes = (out->pages - out->free_pages) * out->page_size;
		rc = finish(&c);
	}
	ctx_free(&c);
	if (rc) ea_space_free(out);
	return rc;
}

void ea_space_free(ea_space *s)
{
	if (!s) return;
	for (size_t i = 0; s->groups && i < s->ngroups; i++) free(s->groups[i].prefix);
	free(s->groups);
	for (size_t i = 0; s->top && i < s->ntop; i++) free(s->top[i].key);
	free(s->top);
	memset(s, 0, sizeof *s);
}
