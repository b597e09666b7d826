/* arena.c: bump allocator with chunk reuse; see arena.h. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct ea_arena_chunk {
	ea_arena_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

#define CHUNK_MIN (64u * 1024u)

static void *pb_alloc(void *data, size_t size) { return ea_arena_alloc(data, size); }
static void pb_free(void *data, void *ptr) { (void)data; (void)ptr; }

void ea_arena_init(ea_arena *a, size_t limit)
{
	memset(a, 0, sizeof *a);
	a->limit = limit;
	a->pb.alloc = pb_alloc;
	a->pb.free = pb_free;
	a->pb.allocator_data = a;
}

void *ea_arena_alloc(ea_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0) n = 16;
	if (a->limit && a->used_total + n > a->limit)
		return NULL;
	/* look for room in the current chunk, then in later (reset) chunks */
	for (ea_arena_chunk *c = a->head; c; c = c->next) {
		if (c->cap - c->used >= n) {
			void *p = (char *)c->data + c->used;
			c->used += n;
			a->head = c;
			a->used_total += n;
			return p;
		}
	}
	size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
	ea_arena_chunk *c = malloc(sizeof *c + cap);
	if (!c) return NULL;
	c->cap = cap;
	c->used = n;
	/* append after head so the chain order stays head..end */
	c->next = NULL;
	if (!a->chunks) {
		a->chunks = c;
	} else {
		ea_arena_chunk *t = a->chunks;
		while (t->next) t = t->next;
		t->next = c;
	}
	a->head = c;
	a->used_total += n;
	return c->data;
}

char *ea_arena_strndup(ea_arena *a, const char *s, size_t n)
{
	char *p = ea_arena_alloc(a, n + 1);
	if (!p) return NULL;
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void ea_arena_reset(ea_arena *a)
{
	for (ea_arena_chunk *c = a->chunks; c; c = c->next) c->used = 0;
	a->head = a->chunks;
	a->used_total = 0;
	/* drop oversized chunks beyond the first so one huge record does not pin memory */
	if (a->chunks) {
		ea_arena_chunk **pp = &a->chunks->next;
		while (*pp) {
			ea_arena_chunk *c = *pp;
			if (c->cap > 4 * CHUNK_MIN) { *pp = c->next; free(c); }
			else pp = &c->next;
		}
	}
}

void ea_arena_free(ea_arena *a)
{
	ea_arena_chunk *c = a->chunks;
	while (c) { ea_arena_chunk *n = c->next; free(c); c = n; }
	a->chunks = a->head = NULL;
	a->used_total = 0;
}
