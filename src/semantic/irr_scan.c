/* irr_scan.c: the strict wire scan of put / delete_range requests (irr_scan.h), shared by the
 * entry decoder and the version walk so that neither runs protobuf-c on the common entries. */
#include "irr_scan.h"
#include "format/pb_wire.h"

#include <string.h>

/* Fields 1..nfields-1 with wire types wire_of[] (9 = not a field), each at most once. */
static int scan_fields(const uint8_t *b, size_t n, const uint32_t *wire_of, size_t nfields,
                       uint64_t *varints, ea_irr_span *spans)
{
	const uint8_t *p = b, *end = b + n;
	uint32_t seen = 0;
	while (p < end) {
		uint64_t tag;
		if (ea_pb_varint(&p, end, &tag)) return -1;
		uint64_t f = tag >> 3;
		unsigned w = (unsigned)(tag & 7);
		if (f == 0 || f >= nfields || wire_of[f] == 9 || wire_of[f] != w) return -1;
		if (seen & (1u << f)) return -1;   /* repeated scalar or merged message: leave it to protobuf-c */
		seen |= 1u << f;
		if (w == 0) {
			if (ea_pb_varint(&p, end, &varints[f])) return -1;
		} else {
			uint64_t l;
			if (ea_pb_varint(&p, end, &l) || l > (uint64_t)(end - p)) return -1;
			spans[f] = (ea_irr_span){ p, (size_t)l, 1 };
			p += l;
		}
	}
	return 0;
}

/* The top level: ID, put, delete_range, header, each at most once. */
static int scan_top(const uint8_t *b, size_t n, uint64_t *id, ea_irr_span *put, ea_irr_span *del,
                    ea_irr_span *hdr)
{
	const uint8_t *p = b, *end = b + n;
	int have_id = 0;
	while (p < end) {
		uint64_t tag;
		if (ea_pb_varint(&p, end, &tag)) return -1;
		uint64_t f = tag >> 3;
		unsigned w = (unsigned)(tag & 7);
		if (f == 1 && w == 0 && !have_id) {
			if (ea_pb_varint(&p, end, id)) return -1;
			have_id = 1;
			continue;
		}
		ea_irr_span *sp = f == 4 ? put : f == 5 ? del : f == 100 ? hdr : NULL;
		if (!sp || w != 2 || sp->has) return -1;
		uint64_t l;
		if (ea_pb_varint(&p, end, &l) || l > (uint64_t)(end - p)) return -1;
		*sp = (ea_irr_span){ p, (size_t)l, 1 };
		p += l;
	}
	return 0;
}

int ea__irr_scan_put_or_delete(const uint8_t *b, size_t n, ea_irr_scan *o)
{
	ea_irr_span put = { 0 }, del = { 0 }, hdr = { 0 };
	uint64_t id = 0;
	memset(o, 0, sizeof *o);
	if (scan_top(b, n, &id, &put, &del, &hdr) || put.has == del.has) return -1;
	uint64_t hv[4] = { 0 };
	ea_irr_span hs[4] = { { 0 } };
	static const uint32_t hdr_wire[4] = { 9, 0, 2, 0 };
	if (hdr.has && scan_fields(hdr.p, hdr.n, hdr_wire, 4, hv, hs)) return -1;
	uint64_t v[7] = { 0 };
	ea_irr_span sp[7] = { { 0 } };
	if (put.has) {
		static const uint32_t put_wire[7] = { 9, 2, 2, 0, 0, 0, 0 };
		if (scan_fields(put.p, put.n, put_wire, 7, v, sp)) return -1;
		o->is_put = 1;
		o->value = sp[2];
		o->lease = v[3];
		o->prev_kv = v[4];
		o->ignore_value = v[5];
		o->ignore_lease = v[6];
	} else {
		static const uint32_t del_wire[4] = { 9, 2, 2, 0 };
		if (scan_fields(del.p, del.n, del_wire, 4, v, sp)) return -1;
		o->range_end = sp[2];
		o->prev_kv = v[3];
	}
	o->key = sp[1];
	o->id = id ? id : hv[1];
	o->has_header = hdr.has;
	o->auth_revision = hv[3];
	o->username = hs[2];
	return 0;
}
