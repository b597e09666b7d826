/* arena.h: a bump allocator reset per record, exposed as a ProtobufCAllocator so that
 * protobuf-c unpacking allocates nothing from malloc in steady state. Chunks are kept
 * across resets; memory is bounded by the largest single record's needs. */
#ifndef EA_ARENA_H
#define EA_ARENA_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

typedef struct ea_arena_chunk ea_arena_chunk;

typedef struct {
	ea_arena_chunk *head;      /* chunk being filled */
	ea_arena_chunk *chunks;    /* all chunks, for reset and free */
	size_t used_total;
	size_t limit;              /* allocation beyond this fails (protects against hostile sizes) */
	ProtobufCAllocator pb;
} ea_arena;

void  ea_arena_init(ea_arena *a, size_t limit);
void *ea_arena_alloc(ea_arena *a, size_t n);
char *ea_arena_strndup(ea_arena *a, const char *s, size_t n);
void  ea_arena_reset(ea_arena *a);
void  ea_arena_free(ea_arena *a);

#endif
