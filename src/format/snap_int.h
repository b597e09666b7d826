/* snap_int.h: the .snap envelope decoder, shared with the semantic layer. */
#ifndef EA_SNAP_INT_H
#define EA_SNAP_INT_H

#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"

typedef struct {
	int envelope_ok;            /* snappb.snapshot decoded, crc and data present */
	uint32_t crc_stored, crc_computed;
	int decoded;                /* raftpb.Snapshot with metadata decoded */
	uint64_t term, index;
	uint64_t *voters, *learners;   /* arena */
	size_t n_voters, n_learners;
	int auto_leave;
	const uint8_t *v2;          /* raftpb.Snapshot.data (borrowed from the arena / buffer) */
	size_t v2_len;
	const char *error;          /* why decoding stopped, NULL if all went well */
	uint64_t error_offset;      /* byte offset in the file it concerns */
} ea_snap_decoded;

/* Decodes a whole .snap file in buf; allocations go to `a`. */
void ea__snap_decode(ea_arena *a, const uint8_t *buf, size_t n, ea_snap_decoded *out);
/* Parses %016x-%016x.snap[.broken] or %016x.snap.db (base name). 0 ok. */
int ea__snap_parse_name(const char *base, const char **kind, uint64_t *term, uint64_t *index);

#endif
