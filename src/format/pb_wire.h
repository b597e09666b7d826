/* pb_wire.h: a minimal, strict protobuf wire reader for the hot WAL path (walpb.Record,
 * raftpb.Entry, HardState, etcdserverpb.Metadata, walpb.Snapshot). Strict means: a known
 * field with the wrong wire type, a truncated varint or length, or a wire type that cannot
 * be skipped is a decode failure, as in Go's generated unmarshalers. */
#ifndef EA_PB_WIRE_H
#define EA_PB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "etcd-autopsy/wal.h"

int ea_pb_varint_slow(const uint8_t **p, const uint8_t *end, uint64_t *out);
/* A varint; inline for the one-byte case (tags, small lengths), which is most of them. */
static inline int ea_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	const uint8_t *q = *p;
	if (q < end && !(*q & 0x80)) { *out = *q; *p = q + 1; return 0; }
	return ea_pb_varint_slow(p, end, out);
}
/* Skip one field's value of the given wire type. 0 ok, -1 malformed. */
int ea_pb_skip(const uint8_t **p, const uint8_t *end, unsigned wire);

typedef struct {
	int64_t type;
	uint32_t crc;
	const uint8_t *data;
	size_t data_len;
	int has_type, has_crc, has_data;
} ea_pb_record;

/* 1 if b[0..n) is well-formed and holds at most `max` fields: a cheap, bounded shape test
 * (it stops after max+1 fields whatever n is). */
int ea_pb_fields_at_most(const uint8_t *b, size_t n, unsigned max);

int ea_pb_decode_record(const uint8_t *b, size_t n, ea_pb_record *r);
int ea_pb_decode_entry(const uint8_t *b, size_t n, ea_entry_header *e);
int ea_pb_decode_hardstate(const uint8_t *b, size_t n, ea_hard_state *h);
int ea_pb_decode_metadata(const uint8_t *b, size_t n, uint64_t *node, uint64_t *cluster);
int ea_pb_decode_walsnap(const uint8_t *b, size_t n, uint64_t *index, uint64_t *term);

#endif
