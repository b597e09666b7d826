/* irr_scan.h: a strict scan of the wire bytes of the two requests that make up most of a
 * WAL, an InternalRaftRequest holding one put or one delete_range (semantic layer, internal).
 *
 * Known fields with their exact wire types, no field twice, nested messages checked the same
 * way; anything else (another request, an unknown or repeated field) is refused, and the
 * caller falls back to the full protobuf-c decode, so a scan that succeeds always agrees with
 * what that decode would give.
 *
 *   InternalRaftRequest  1 ID (varint) | 4 put (bytes) | 5 delete_range (bytes) | 100 header (bytes)
 *   RequestHeader        1 ID | 2 username (bytes) | 3 auth_revision
 *   PutRequest           1 key | 2 value (bytes) | 3 lease | 4 prev_kv | 5 ignore_value | 6 ignore_lease
 *   DeleteRangeRequest   1 key | 2 range_end (bytes) | 3 prev_kv */
#ifndef EA_SEMANTIC_IRR_SCAN_H
#define EA_SEMANTIC_IRR_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct { const uint8_t *p; size_t n; int has; } ea_irr_span;

typedef struct {
	int      is_put;            /* 1 put, 0 delete_range */
	uint64_t id;                /* InternalRaftRequest.ID, else header.ID (0 if neither) */
	int      has_header;        /* field 100 present (even empty) */
	uint64_t auth_revision;     /* header.auth_revision */
	ea_irr_span username;       /* header.username */
	ea_irr_span key, value, range_end;   /* value: put; range_end: delete_range */
	uint64_t lease;             /* put */
	uint64_t prev_kv, ignore_value, ignore_lease;   /* as stored (non-zero = set) */
} ea_irr_scan;

/* 0 and *o filled when b[0..n) is exactly one put or one delete_range request as above,
 * -1 when the full decode must decide. */
int ea__irr_scan_put_or_delete(const uint8_t *b, size_t n, ea_irr_scan *o);

#endif
