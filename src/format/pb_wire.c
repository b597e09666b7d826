/* pb_wire.c: strict protobuf wire decoding for the WAL's small fixed messages.
 *
 * walpb.Record   1 type int64 (varint) | 2 crc uint32 (varint) | 3 data bytes
 * raftpb.Entry   1 Type (varint) | 2 Term u64 | 3 Index u64 | 4 Data bytes
 * HardState      1 term | 2 vote | 3 commit            (all varint)
 * Metadata       1 NodeID | 2 ClusterID                 (varint)
 * walpb.Snapshot 1 index | 2 term | 3 conf_state (bytes, 3.5+)
 */
#include "pb_wire.h"

#include <endian.h>
#include <string.h>

int ea_pb_varint_slow(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	if (end - q >= 8) {
		/* up to 8 bytes without a loop: find the first byte with its high bit clear, keep the
		 * bytes up to it, then squeeze the 7-bit groups together (16-, 32-, 64-bit lanes) */
		uint64_t x;
		memcpy(&x, q, 8);
		x = le64toh(x);
		uint64_t stop = ~x & UINT64_C(0x8080808080808080);
		if (stop) {
			unsigned bit = (unsigned)__builtin_ctzll(stop);        /* 8 k + 7 */
			if (bit < 63) x &= (UINT64_C(1) << (bit + 1)) - 1;
			x = ((x & UINT64_C(0x7f007f007f007f00)) >> 1) | (x & UINT64_C(0x007f007f007f007f));
			x = ((x & UINT64_C(0x3fff00003fff0000)) >> 2) | (x & UINT64_C(0x00003fff00003fff));
			x = ((x & UINT64_C(0x0fffffff00000000)) >> 4) | (x & UINT64_C(0x000000000fffffff));
			*out = x;
			*p = q + (bit >> 3) + 1;
			return 0;
		}
	}
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (q >= end) return -1;
		uint8_t b = *q++;
		if (shift == 63 && b > 1) return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) { *p = q; *out = v; return 0; }
	}
	return -1;
}

int ea_pb_skip(const uint8_t **p, const uint8_t *end, unsigned wire)
{
	uint64_t v;
	switch (wire) {
	case 0: return ea_pb_varint(p, end, &v);
	case 1: if ((size_t)(end - *p) < 8) return -1; *p += 8; return 0;
	case 2:
		if (ea_pb_varint(p, end, &v)) return -1;
		if (v > (uint64_t)(end - *p)) return -1;
		*p += v;
		return 0;
	case 5: if ((size_t)(end - *p) < 4) return -1; *p += 4; return 0;
	default: return -1;   /* groups (3, 4) and 6, 7 never occur in etcd's messages */
	}
}

/* Iterate fields; for each, `want` gives the expected wire type of known fields (0 if
 * unknown). Calls back through a small switch in each decoder below. */
#define FOR_FIELDS(b, n, FIELD, WIRE, BODY)                                        \
	do {                                                                       \
		const uint8_t *p_ = (b), *end_ = (n) ? (b) + (n) : (b); /* b may be NULL */ \
		while (p_ < end_) {                                                \
			uint64_t tag_;                                             \
			if (ea_pb_varint(&p_, end_, &tag_)) return -1;             \
			uint64_t FIELD = tag_ >> 3;                                \
			unsigned WIRE = (unsigned)(tag_ & 7);                      \
			if (FIELD == 0) return -1;                                 \
			const uint8_t **pp = &p_;                                  \
			(void)pp;                                                  \
			BODY                                                       \
		}                                                                  \
	} while (0)

#define VARINT_FIELD(dst) do {                                                     \
		uint64_t v_;                                                       \
		if (wire != 0 || ea_pb_varint(pp, end_, &v_)) return -1;           \
		dst = v_;                                                          \
	} while (0)

#define BYTES_FIELD(ptr, len) do {                                                 \
		uint64_t l_;                                                       \
		if (wire != 2 || ea_pb_varint(pp, end_, &l_)) return -1;           \
		if (l_ > (uint64_t)(end_ - *pp)) return -1;                        \
		ptr = *pp; len = (size_t)l_; *pp += l_;                            \
	} while (0)

#define SKIP_FIELD() do { if (ea_pb_skip(pp, end_, wire)) return -1; } while (0)

int ea_pb_decode_record(const uint8_t *b, size_t n, ea_pb_record *r)
{
	r->type = 0; r->crc = 0; r->data = NULL; r->data_len = 0;
	r->has_type = r->has_crc = r->has_data = 0;
	FOR_FIELDS(b, n, field, wire, {
		uint64_t v = 0;
		switch (field) {
		case 1: VARINT_FIELD(v); r->type = (int64_t)v; r->has_type = 1; break;
		case 2: VARINT_FIELD(v); r->crc = (uint32_t)v; r->has_crc = 1; break;
		case 3: BYTES_FIELD(r->data, r->data_len); r->has_data = 1; break;
		default: SKIP_FIELD(); break;
		}
	});
	return 0;
}

int ea_pb_decode_entry(const uint8_t *b, size_t n, ea_entry_header *e)
{
	e->type = 0; e->term = 0; e->index = 0; e->data = NULL; e->data_len = 0;
	FOR_FIELDS(b, n, field, wire, {
		uint64_t v = 0;
		switch (field) {
		case 1: VARINT_FIELD(v); e->type = (int)(v > 1000 ? 1000 : v); break;
		case 2: VARINT_FIELD(e->term); break;
		case 3: VARINT_FIELD(e->index); break;
		case 4: BYTES_FIELD(e->data, e->data_len); break;
		default: SKIP_FIELD(); break;
		}
	});
	return 0;
}

int ea_pb_decode_hardstate(const uint8_t *b, size_t n, ea_hard_state *h)
{
	h->term = h->vote = h->commit = 0;
	FOR_FIELDS(b, n, field, wire, {
		switch (field) {
		case 1: VARINT_FIELD(h->term); break;
		case 2: VARINT_FIELD(h->vote); break;
		case 3: VARINT_FIELD(h->commit); break;
		default: SKIP_FIELD(); break;
		}
	});
	return 0;
}

int ea_pb_decode_metadata(const uint8_t *b, size_t n, uint64_t *node, uint64_t *cluster)
{
	*node = *cluster = 0;
	FOR_FIELDS(b, n, field, wire, {
		switch (field) {
		case 1: VARINT_FIELD(*node); break;
		case 2: VARINT_FIELD(*cluster); break;
		default: SKIP_FIELD(); break;
		}
	});
	return 0;
}

int ea_pb_decode_walsnap(const uint8_t *b, size_t n, uint64_t *index, uint64_t *term)
{
	*index = *term = 0;
	FOR_FIELDS(b, n, field, wire, {
		const uint8_t *cs; size_t csl;
		switch (field) {
		case 1: VARINT_FIELD(*index); break;
		case 2: VARINT_FIELD(*term); break;
		case 3: BYTES_FIELD(cs, csl); (void)cs; (void)csl; break;
		default: SKIP_FIELD(); break;
		}
	});
	return 0;
}

int ea_pb_fields_at_most(const uint8_t *b, size_t n, unsigned max)
{
	const uint8_t *p = b, *end = n ? b + n : b;
	unsigned k = 0;
	while (p < end) {
		uint64_t tag;
		if (++k > max || ea_pb_varint(&p, end, &tag) || (tag >> 3) == 0 ||
		    ea_pb_skip(&p, end, (unsigned)(tag & 7)))
			return 0;
	}
	return 1;
}
