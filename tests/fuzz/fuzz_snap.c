/* fuzz_snap.c: a member/snap/ directory with one .snap file (and, from the second part after
 * "EA-SPLIT", a .snap.broken), listed and decoded: CRC, raftpb.Snapshot, v2 store JSON. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[2];
	size_t len[2];
	size_t n = fuzz_split(data, size, part, len, 2);
	ea_input_mem_file files[2] = {
		{ "member/snap/0000000000000002-0000000000000033.snap", part[0], len[0], 0 },
		{ "member/snap/0000000000000003-0000000000000050.snap.broken", n > 1 ? part[1] : NULL,
		  n > 1 ? len[1] : 0, 0 },
	};
	ea_input *in;
	if (ea_input_open_mem(&in, files, n, NULL) != EA_OK) return 0;
	ea_snap_list *l;
	if (ea_snap_list_open(&l, in, 1 << 20, NULL) == EA_OK) {
		for (size_t i = 0; i < ea_snap_list_count(l); i++) {
			const ea_snap_info *s = ea_snap_list_at(l, i);
			fuzz_use(s->term + s->index + s->n_voters + s->n_learners + s->data_len);
			for (size_t k = 0; k < s->n_voters; k++) fuzz_use(s->voters[k]);
			for (size_t k = 0; k < s->n_members; k++)
				fuzz_use(strlen(s->members[k].name) + strlen(s->members[k].peer_urls) +
				         strlen(s->members[k].client_urls));
			if (s->cluster_version) fuzz_use(strlen(s->cluster_version));
		}
		for (size_t i = 0; i < ea_snap_list_problem_count(l); i++)
			fuzz_use(ea_snap_list_problem_at(l, i)->offset);
		ea_snap_list_close(l);
	}
	ea_input_close(in);
	return 0;
}
