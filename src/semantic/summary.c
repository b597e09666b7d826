/* summary.c: ea_wal_summarize(), the one-pass facts behind `wal stat`. */
#include "etcd-autopsy/raft.h"
#include "tracker.h"
#include "summary_int.h"
#include "etcd-autopsy/version.h"
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

void ea__summary_begin(ea__summary_acc *a, ea_wal_summary *s)
{
	memset(s, 0, sizeof *s);
	memset(a, 0, sizeof *a);
	a->s = s;
}

int ea__summary_input_problems(ea__summary_acc *a, ea_input *in)
{
	for (size_t i = 0; i < ea_input_problem_count(in); i++) {
		int rc = add_problem(a->s, ea_input_problem_at(in, i));
		if (rc != EA_OK) return rc;
	}
	return EA_OK;
}

int ea__summary_add(ea__summary_acc *a, const ea_wal_item *it)
{
	ea_wal_summary *s = a->s;
	ea_tracker *t = &a->t;
	if (it->kind == EA_WAL_ITEM_PROBLEM) return add_problem(s, &it->problem);
	const ea_wal_record *r = &it->rec;
	s->records_total++;
	s->bytes_read += 8 + r->length;
	s->records[r->type >= 1 && r->type <= 5 ? r->type : 0]++;
	if (!r->decoded) return EA_OK;
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
		ea_tracker_snapshot(t, r->u.snap.index);
		if (s->snapshots_kept < EA_WAL_MAX_SNAPSHOTS) {
			if (EA_VEC_RESERVE(s->snapshots, s->snapshots_kept)) return EA_ENOMEM;
			s->snapshots[s->snapshots_kept++] =
				(struct ea_wal_snapshot_ref){ r->u.snap.index, r->u.snap.term, r->segment, r->offset };
		}
		s->snapshot_count++;
		break;
	case EA_WAL_ENTRY: {
		const ea_entry_header *e = &r->u.entry;
		uint64_t prev = t->last_index, removed;
		s->entries++;
		if (!s->have_entries || e->term < s->min_term) s->min_term = e->term;
		if (!s->have_entries || e->term > s->max_term) s->max_term = e->term;
		s->have_entries = 1;
		if (ea_tracker_entry(t, e->index, e->term, &removed) == EA_TRACK_GAP) {
			char msg[256];
			snprintf(msg, sizeof msg,
			         "raft index jumps from %" PRIu64 " to %" PRIu64 " with no snapshot record: "
			         "entries %" PRIu64 "..%" PRIu64 " are missing from this WAL",
			         prev, e->index, prev + 1, e->index - 1);
			ea_problem p = { EA_LAYER_RAFT, EA_SEV_ERROR, "index-gap", r->file, r->offset, 0, msg };
			return add_problem(s, &p);
		}
		break;
	}
	default:
		break;
	}
	return EA_OK;
}

void ea__summary_end(ea__summary_acc *a)
{
	a->s->first_index = a->t.first_index;
	a->s->last_index = a->t.last_index;
	a->s->last_term = a->t.last_term;
	a->s->superseded = a->t.superseded;
}

int ea_wal_summarize(ea_input *in, const ea_wal_options *opts, ea_wal_summary *s,
                     ea_wal **wal_out, ea_error *err)
{
	return ea_wal_summarize_versions(in, opts, s, wal_out, NULL, err);   /* version.c: the one pass */
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
