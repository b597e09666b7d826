/* bolt_pagemap.h: side tables of the check's one-byte-per-page map (bolt_pagemap.c), internal
 * to the bbolt reader. */
#ifndef EA_BOLT_PAGEMAP_H
#define EA_BOLT_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t page, v;
} ea__pagemap_ent;

typedef struct {
	ea__pagemap_ent *runs;     /* multi-page nodes: first page, end (exclusive) */
	size_t nruns, runs_cap;
	ea__pagemap_ent *owners;   /* first page of a node, its bucket index (indices the map cannot hold) */
	size_t nowners, owners_cap;
	int sorted;
} ea__pagemap_side;

/* Records that pages head + 1 .. end - 1 continue the node at head: 0 ok, -1 out of memory. */
int ea__pagemap_add_run(ea__pagemap_side *s, uint64_t head, uint64_t end);
/* Records the owner (bucket index) of the node at head: 0 ok, -1 out of memory. */
int ea__pagemap_add_owner(ea__pagemap_side *s, uint64_t head, uint64_t owner);
/* Sorts both tables by page (after the walk, before the lookups below). */
void ea__pagemap_side_sort(ea__pagemap_side *s);
/* The first page of the node that continuation page `page` belongs to (page itself if none). */
uint64_t ea__pagemap_head(const ea__pagemap_side *s, uint64_t page);
/* The owner recorded for the node at head, 0 if none. */
uint32_t ea__pagemap_owner(const ea__pagemap_side *s, uint64_t head);
/* Frees both tables. */
void ea__pagemap_side_free(ea__pagemap_side *s);

#endif
