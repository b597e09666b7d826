/* walgen.h: writes WAL segments in exactly etcd's format (frames, padding, CRC chain), for
 * synthetic test inputs. It is an encoder independent of the reader except for the shared
 * CRC-32C function, whose known-answer vectors are tested separately. */
#ifndef EA_TEST_WALGEN_H
#define EA_TEST_WALGEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint8_t *buf;
	size_t len, cap;
	uint32_t running;      /* CRC chain, carried across segments */
} walgen;

void walgen_init(walgen *g);
void walgen_free(walgen *g);
/* Start a new segment buffer (keeps the running CRC) and write its crc record. */
void walgen_segment_start(walgen *g);
/* Raw record with explicit type/data; crc computed from the chain. Returns frame offset. */
size_t walgen_record(walgen *g, int64_t type, const void *data, size_t len);
size_t walgen_metadata(walgen *g, uint64_t node, uint64_t cluster);
size_t walgen_snapshot(walgen *g, uint64_t index, uint64_t term);
size_t walgen_entry(walgen *g, int type, uint64_t term, uint64_t index, const void *data, size_t len);
size_t walgen_state(walgen *g, uint64_t term, uint64_t vote, uint64_t commit);
/* Write the current segment to dir/name, zero-padded to `size` bytes (0 = exact). */
int walgen_write(walgen *g, const char *dir, const char *name, size_t size);

/* protobuf varint helpers for building payloads */
size_t pb_put_varint(uint8_t *p, uint64_t v);
size_t pb_put_tag(uint8_t *p, unsigned field, unsigned wire);

#endif
