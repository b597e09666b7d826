/* fuzz_wal.c: WAL frame/record stream over one to four segments (parts separated by
 * "EA-SPLIT"), read through the ReadAll-semantics log cursor and the `wal stat` summary, with
 * every entry's payload decoded. The first byte picks the reader options. */
#include "fuzz.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) return 0;
	uint8_t flags = data[0];
	const uint8_t *part[4];
	size_t len[4];
	size_t n = fuzz_split(data + 1, size - 1, part, len, 4);
	ea_input_mem_file files[5];
	char names[4][64];
	for (size_t i = 0; i < n; i++) {
		/* seq i; index grows so that names sort as etcd writes them; bit 2: a gap in seq */
		uint64_t seq = (flags & 4) && i == n - 1 && i > 0 ? i + 1 : i;
		snprintf(names[i], sizeof names[i], "member/wal/%016llx-%016llx.wal",
		         (unsigned long long)seq, (unsigned long long)(i ? 0x10 * i + 1 : 0));
		files[i] = (ea_input_mem_file){ names[i], part[i], len[i], 1700000000 };
	}
	files[n] = (ea_input_mem_file){ "member/wal/0.tmp", "", 0, 0 };
	ea_input *in;
	if (ea_input_open_mem(&in, files, n + 1, NULL) != EA_OK) return 0;

	ea_wal_options o = EA_WAL_OPTIONS_INIT;
	o.verify_crc = !(flags & 1);
	o.look_past_end = !(flags & 2);
	ea_entry_decoder *dec = NULL;
	if (ea_entry_decoder_new(&dec) != EA_OK) { ea_input_close(in); return 0; }
	ea_log *l;
	if (ea_log_open(&l, in, &o, NULL) == EA_OK) {
		ea_log_item it;
		int rc;
		while ((rc = ea_log_next(l, &it)) == EA_OK) {
			if (it.item.kind == EA_WAL_ITEM_PROBLEM) {
				fuzz_use(it.item.problem.offset + it.item.problem.length + strlen(it.item.problem.message));
				continue;
			}
			const ea_wal_record *r = &it.item.rec;
			fuzz_use(r->offset + r->length + (uint64_t)r->crc_ok);
			if (r->type == EA_WAL_ENTRY && r->decoded) {
				ea_entry_info info;
				if (ea_entry_decode(dec, &r->u.entry, 1700000000000, &info) == EA_OK)
					fuzz_use(info.key_len + (uint64_t)info.ops + strlen(info.kind));
			}
		}
		ea_log_close(l);
	}
	ea_wal_summary s;
	ea_wal *w = NULL;
	if (ea_wal_summarize(in, &o, &s, &w, NULL) == EA_OK) {
		fuzz_use(s.records_total + s.problem_count);
		ea_wal_summary_free(&s);
		ea_wal_close(w);
	}
	ea_entry_decoder_free(dec);
	ea_input_close(in);
	return 0;
}
