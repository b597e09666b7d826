/* summary.c: ea_wal_summarize(), the one-pass facts behind `wal stat`. */
#include "etcd-autopsy/raft.h"
#include "tracker.h"
#include "util/vec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBLEMS 10000

static int add_problem(ea_wal_summary *s, const ea_problem *p)
{
	if (s->problem_count >= MAX_PROBLEMS) { s->problems_dropped++; return EA_OK; }
	if (EA_VEC_RESERVE(s->problems, s->problem_count)) return EA_ENOMEM;
	return ea_problem_copy(&s->problems[s->problem_count++], p) == EA_OK ? EA_OK : EA_ENOMEM;
}

int ea_wal_summarize(ea_input *in, const ea_wal_options *opts, ea_wal_summary *s,
                     ea_wal **wal_out, ea_error *err)
{
	memset(s, 0, sizeof *s);
	ea_wal *w;
	int rc = ea_wal_open(&w, in, opts, err);
	if (rc != EA_OK) return rc;
	for (size_t i = 0; i < ea_input_problem_count(in); i++)
		if ((rc = add_problem(s, ea_input_problem_at(in, i))) != EA_OK) goto out;
	ea_tracker t;
	memset(&t, 0, sizeof t);
	ea_wal_item it;
	while ((rc = ea_wal_next(w, &it)) == EA_OK) {
		if (it.kind == EA_WAL_ITEM_PROBLEM) {
			if ((rc = add_problem(s, &it.problem)) != EA_OK) goto out;
			continue;
		}
		const ea_wal_record *r = &it.rec;
		s->records_total++;
		s->bytes_read += 8 + r->length;
		s->records[r->type >= 1 && r->type <= 5 ? r->type : 0]++;
		if (!r->decoded) continue;
		switch (r->type) {
		case EA_WAL_METADATA:
			if (!s->have_metadata) {
				s->member_id = r->u.meta.node_id;
				s->cluster_id = r->u.meta.cluster_id;
				s->have_metadata = 1;
			} else if (s->member_id != r->u.meta.node_id || s->cluster_id != r->u.meta.cluster_id) {
				s->metadata_conflicts++;
			}
			break;
		case EA_WAL_STATE:
			s->hard_state = r->u.state;
			s->have_hard_state = 1;
			s->hard_states++;
			break;
		case EA_WAL_SNAPSHOT:
			ea_tracker_snapshot(&t, r->u.snap.index);
			if (s->snapshots_kept < EA_WAL_MAX_SNAPSHOTS) {
				if (EA_VEC_RESERVE(s->snapshots, s->snapshots_kept)) { rc = EA_ENOMEM; goto out; }
				s->snapshots[s->snapshots_kept++] =
					(struct ea_wal_snapshot_ref){ r->u.snap.index, r->u.snap.term, r->segment, r->offset };
			}
			s->snapshot_count++;
			break;
		case EA_WAL_ENTRY: {
			const ea_entry_header *e = &r->u.entry;
			uint64_t prev = t.last_index, removed;
			s->entries++;
			if (!s->have_entries || e->term < s->min_term) s->min_term = e->term;
			if (!s->have_entries || e->term > s->max_term) s->max_term = e->term;
			s->have_entries = 1;
			if (ea_tracker_entry(&t, e->index, e->term, &removed) == EA_TRACK_GAP) {
				char msg[256];
				snprintf(msg, sizeof msg,
				         "raft index jumps from %" PRIu64 " to %" PRIu64 " with no snapshot record: "
				         "entries %" PRIu64 "..%" PRIu64 " are missing from this WAL",
				         prev, e->index, prev + 1, e->index - 1);
				ea_problem p = { EA_LAYER_RAFT, EA_SEV_ERROR, "index-gap", r->file, r->offset, 0, msg };
				if ((rc = add_problem(s, &p)) != EA_OK) goto out;
			}
			break;
		}
		default:
			break;
		}
	}
	if (rc == EA_ITEROVER) rc = EA_OK;
	s->first_index = t.first_index;
	s->last_index = t.last_index;
	s->last_term = t.last_term;
	s->superseded = t.superseded;
out:
	if (rc == EA_OK && wal_out) *wal_out = w;
	else ea_wal_close(w);
	if (rc != EA_OK) ea_wal_summary_free(s);
	return rc;
}

void ea_wal_summary_free(ea_wal_summary *s)
{
	for (size_t i = 0; i < s->problem_count; i++) ea_problem_owned_free(&s->problems[i]);
	free(s->problems);
	free(s->snapshots);
	s->problems = NULL;
	s->snapshots = NULL;
	s->problem_count = 0;
}
