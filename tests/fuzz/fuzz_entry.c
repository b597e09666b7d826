/* fuzz_entry.c: raftpb.Entry and its payload (InternalRaftRequest, v2 Request, ConfChange,
 * ConfChangeV2) as the semantic layer decodes them. Byte 0 picks the entry type; the rest is
 * either a whole raftpb.Entry (byte 0 bit 7) or the Data of an entry of that type. */
#include "fuzz.h"
#include "format/pb_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) return 0;
	ea_entry_decoder *dec;
	if (ea_entry_decoder_new(&dec) != EA_OK) return 0;
	ea_entry_header e;
	memset(&e, 0, sizeof e);
	int ok = 1;
	if (data[0] & 0x80) {
		ok = ea_pb_decode_entry(data + 1, size - 1, &e) == 0;
	} else {
		e.type = data[0] % 4;   /* 3: not a type etcd writes */
		e.term = 2;
		e.index = 5;
		e.data = size > 1 ? data + 1 : NULL;
		e.data_len = size - 1;
	}
	if (ok) {
		ea_entry_info info;
		if (ea_entry_decode(dec, &e, (data[0] & 0x40) ? 0 : 1700000000000, &info) == EA_OK) {
			fuzz_use(info.key_len + info.range_end_len + info.request_id + (uint64_t)info.cc_type);
			if (info.key) fuzz_use(info.key[0]);
			if (info.key_len) fuzz_use(info.key[info.key_len - 1]);
			if (info.detail) fuzz_use(strlen(info.detail));
			if (info.cc_context) fuzz_use(strlen(info.cc_context));
		}
	}
	/* the other WAL payloads over the same bytes */
	ea_hard_state h;
	uint64_t a, b;
	ea_pb_record r;
	fuzz_use((uint64_t)ea_pb_decode_hardstate(data + 1, size - 1, &h));
	fuzz_use((uint64_t)ea_pb_decode_metadata(data + 1, size - 1, &a, &b));
	fuzz_use((uint64_t)ea_pb_decode_walsnap(data + 1, size - 1, &a, &b));
	if (ea_pb_decode_record(data + 1, size - 1, &r) == 0 && r.has_data) fuzz_use(r.data_len);
	ea_entry_decoder_free(dec);
	return 0;
}
