/* snap.c: the .snap file envelope (etcd snap/snapshotter.go, docs/formats.md §3).
 *
 * Whole file = one protobuf message snappb.snapshot:
 *   1  crc   uint32 (varint)  CRC-32C (Castagnoli, no chaining) of `data`
 *   2  data  bytes            raftpb.Snapshot:
 *        1 data      bytes             v2 store JSON (3.4/3.5; membership only in 3.6)
 *        2 metadata  SnapshotMetadata  {1 conf_state ConfState, 2 index u64, 3 term u64}
 *
 * etcd's reader rejects an empty file, crc == 0 or empty data ("snap: empty snapshot") and a
 * CRC mismatch ("snap: crc mismatch"). File name: %016x-%016x.snap = term - index. */
#include "snap_int.h"
#include "pb_wire.h"
#include "etcd-autopsy/crc32c.h"
#include "etcd-autopsy/wal.h"

#include "raftpb.pb-c.h"
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

int ea__snap_parse_name(const char *base, const char **kind, uint64_t *term, uint64_t *index)
{
	size_t n = strlen(base);
	*term = *index = 0;
	if (n == 16 + 8 && strcmp(base + 16, ".snap.db") == 0) {
		*kind = "snap.db";
		return ea__hex_u64(base, 16, index);
	}
	if (n >= 38 && base[16] == '-' && strncmp(base + 33, ".snap", 5) == 0 &&
	    (base[38] == 0 || strcmp(base + 38, ".broken") == 0)) {
		*kind = base[38] ? "snap.broken" : "snap";
		if (ea__hex_u64(base, 16, term) || ea__hex_u64(base + 17, 16, index)) return -1;
		return 0;
	}
	if (n > 8 && strcmp(base + n - 8, ".snap.db") == 0) *kind = "snap.db";
	else if (n > 12 && strcmp(base + n - 12, ".snap.broken") == 0) *kind = "snap.broken";
	else *kind = "snap";
	return -1;
}

void ea__snap_decode(ea_arena *a, const uint8_t *buf, size_t n, ea_snap_decoded *o)
{
	memset(o, 0, sizeof *o);
	if (n == 0) { o->error = "empty file (etcd: snap: empty snapshot)"; return; }
	/* envelope: strict wire reading, the fields are simple */
	const uint8_t *p = buf, *end = buf + n, *data = NULL;
	size_t dlen = 0;
	int have_crc = 0;
	while (p < end) {
		const uint8_t *at = p;
		uint64_t tag, v;
		if (ea_pb_varint(&p, end, &tag) || (tag >> 3) == 0) {
			o->error = "not a snappb.snapshot message (bad tag)";
			o->error_offset = (uint64_t)(at - buf);
			return;
		}
		unsigned wire = (unsigned)(tag & 7);
		if ((tag >> 3) == 1 && wire == 0) {
			if (ea_pb_varint(&p, end, &v) || v > UINT32_MAX) { o->error = "bad crc field"; o->error_offset = (uint64_t)(at - buf); return; }
			o->crc_stored = (uint32_t)v;
			have_crc = 1;
		} else if ((tag >> 3) == 2 && wire == 2) {
			if (ea_pb_varint(&p, end, &v) || v > (uint64_t)(end - p)) {
				o->error = "data field runs past the end of the file (truncated?)";
				o->error_offset = (uint64_t)(at - buf);
				return;
			}
			data = p;
			dlen = (size_t)v;
			p += v;
		} else if (ea_pb_skip(&p, end, wire)) {
			o->error = "undecodable field";
			o->error_offset = (uint64_t)(at - buf);
			return;
		}
	}
	if (!have_crc || o->crc_stored == 0 || !data || dlen == 0) {
		o->error = "crc or data missing (etcd: snap: empty snapshot)";
		return;
	}
	o->envelope_ok = 1;
	o->crc_computed = ea_crc32c(0, data, dlen);
	if (o->crc_computed != o->crc_stored) o->error = "crc mismatch (etcd: snap: crc mismatch)";
	o->error_offset = 0;
	Raftpb__Snapshot *s = raftpb__snapshot__unpack(&a->pb, dlen, data);
	if (!s) {
		if (!o->error) o->error = "data is not a raftpb.Snapshot";
		o->error_offset = (uint64_t)(data - buf);
		return;
	}
	if (s->metadata) {
		o->decoded = 1;
		o->term = s->metadata->term;
		o->index = s->metadata->index;
		const Raftpb__ConfState *cs = s->metadata->conf_state;
		if (cs) {
			o->voters = cs->voters;
			o->n_voters = cs->n_voters;
			o->learners = cs->learners;
			o->n_learners = cs->n_learners;
			o->auto_leave = cs->auto_leave;
		}
	} else if (!o->error) {
		o->error = "raftpb.Snapshot has no metadata";
	}
	if (s->has_data) { o->v2 = s->data.data; o->v2_len = s->data.len; }
}
