/* log.c: ea_log, a two-pass cursor over the WAL with etcd's ReadAll semantics.
 *
 * Entry e is superseded iff some later entry has an index <= e's index (that later entry
 * truncates the log at its index: raft overwrote an uncommitted tail after a leader
 * change). Only entries whose index is <= the highest index written before them can
 * supersede anything, so pass 1 collects just those ("regressions"); pass 2 streams the
 * WAL again and flags each entry in O(1) with a suffix-minimum over the regressions. */
#include "etcd-autopsy/entry_iter.h"
#include "etcd-autopsy/version.h"
#include "tracker.h"
#include "summary_int.h"
#include "../format/wal_int.h"
#include "log_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGRESSIONS (4u * 1024u * 1024u)

typedef struct {
	uint64_t pos;       /* entry ordinal in stream order */
	uint64_t index, term;
} regression;

struct ea_log {
	ea_input *in;
	ea_wal_versions *versions;   /* fed by pass 1 when given (borrowed), else NULL */
	ea_wal_options opts;
	ea_wal *wal;
	regression *reg;
	uint64_t *sufmin;   /* sufmin[i] = min index over reg[i..] */
	size_t nreg, cap;
	int truncated;      /* too many regressions to track: flags may be incomplete */
	size_t next_reg;    /* first regression with pos > current entry */
	uint64_t ordinal;
	ea_tracker tracker;
	ea_problem_owned synth;
	uint64_t commit;    /* the last HardState's commit index, from pass 1 */
	uint64_t tail_start;   /* pass 1: first index of the last run of entries without a jump */
	uint8_t *clean;     /* per segment: no problem in pass 1, so pass 2 trusts its CRCs */
	size_t nclean;
	int have_pending;
	ea_wal_item pending;
	ea_member_set members;                   /* member IDs seen in pass 1 (metadata, conf changes, votes) */
	ea_member_set added_cc;                  /* pass 1: conf change subjects other than removals */
	uint64_t self;                           /* pass 1: the first metadata record's member ID */
	int have_self;
	ea_member_set added;                     /* self, then added_cc (ea_log_members_added) */
	ea_entry_decoder *ccdec;                 /* pass 1: decodes conf change entries only */
	ea__log_pass1_fn hook;                   /* pass 1: fed every item (log_int.h), or NULL */
	void *hook_arg;
};

/* The member IDs a record names: the WAL's own (metadata), a conf change's subject, the
 * candidate a HardState voted for. Gathered over the whole WAL so that what a listing can
 * name does not depend on where it starts. */
static int members_from(ea_log *l, const ea_wal_item *it)
{
	if (it->kind != EA_WAL_ITEM_RECORD || !it->rec.decoded) return EA_OK;
	const ea_wal_record *r = &it->rec;
	if (r->type == EA_WAL_METADATA) {
		ea_member_set_add(&l->members, r->u.meta.node_id);
		if (!l->have_self) { l->self = r->u.meta.node_id; l->have_self = 1; }
	} else if (r->type == EA_WAL_STATE) ea_member_set_add(&l->members, r->u.state.vote);
	else if (r->type == EA_WAL_ENTRY && r->u.entry.type != 0) {
		if (!l->ccdec && ea_entry_decoder_new(&l->ccdec) != EA_OK) return EA_ENOMEM;
		ea_entry_info info;
		if (ea_entry_decode(l->ccdec, &r->u.entry, 0, &info) == EA_OK && info.cc_type >= 0) {
			ea_member_set_add(&l->members, info.cc_node_id);
			if (info.cc_type != 1) ea_member_set_add(&l->added_cc, info.cc_node_id);
		}
	}
	return EA_OK;
}

static int collect(ea_log *l, ea__summary_acc *acc)
{
	uint64_t max_index = 0, ord = 0;
	int have = 0;
	ea_wal_item it;
	int rc;
	while ((rc = ea_wal_next(l->wal, &it)) == EA_OK) {
		if (acc && (rc = ea__summary_add(acc, &it)) != EA_OK) return rc;
		if (l->versions && it.kind == EA_WAL_ITEM_RECORD && it.rec.type == EA_WAL_ENTRY && it.rec.decoded &&
		    (rc = ea_wal_versions_add(l->versions, &it.rec.u.entry)) != EA_OK)
			return rc;
		if ((rc = members_from(l, &it)) != EA_OK) return rc;
		if (l->hook && (rc = l->hook(l->hook_arg, &it, l->wal)) != EA_OK) return rc;
		if (it.kind == EA_WAL_ITEM_RECORD && it.rec.type == EA_WAL_STATE && it.rec.decoded)
			l->commit = it.rec.u.state.commit;
		if (it.kind != EA_WAL_ITEM_RECORD || it.rec.type != EA_WAL_ENTRY || !it.rec.decoded) continue;
		uint64_t idx = it.rec.u.entry.index;
		if (have && idx <= max_index) {
			if (l->nreg == MAX_REGRESSIONS) {
				l->truncated = 1;
			} else {
				if (l->nreg == l->cap) {
					size_t nc = l->cap ? l->cap * 2 : 64;
					void *p = realloc(l->reg, nc * sizeof *l->reg);
					if (!p) return EA_ENOMEM;
					l->reg = p;
					l->cap = nc;
				}
				l->reg[l->nreg++] = (regression){ ord, idx, it.rec.u.entry.term };
			}
		}
		if (!have || idx > max_index + 1) l->tail_start = idx;   /* a jump: a received raft snapshot */
		if (!have || idx > max_index) max_index = idx;
		have = 1;
		ord++;
	}
	if (rc != EA_ITEROVER) return rc;
	ea_member_set_add(&l->added, l->self);
	for (size_t i = 0; i < l->added_cc.n; i++) ea_member_set_add(&l->added, l->added_cc.ids[i]);
	l->nclean = ea_wal_segment_count(l->wal);
	l->clean = malloc(l->nclean ? l->nclean : 1);
	if (!l->clean) return EA_ENOMEM;
	ea__wal_clean_segments(l->wal, l->clean);
	l->sufmin = malloc((l->nreg + 1) * sizeof *l->sufmin);
	if (!l->sufmin) return EA_ENOMEM;
	l->sufmin[l->nreg] = UINT64_MAX;
	for (size_t i = l->nreg; i-- > 0;)
		l->sufmin[i] = l->reg[i].index < l->sufmin[i + 1] ? l->reg[i].index : l->sufmin[i + 1];
	return EA_OK;
}

int ea_log_open_summarize(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_wal_summary *summary,
                          ea_error *err)
{
	return ea_log_open_summarize_versions(out, in, opts, summary, NULL, err);
}

int ea_log_open_summarize_versions(ea_log **out, ea_input *in, const ea_wal_options *opts,
                                   ea_wal_summary *summary, ea_wal_versions *v, ea_error *err)
{
	return ea__log_open_hooked(out, in, opts, summary, v, NULL, NULL, err);
}

int ea__log_open_hooked(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_wal_summary *summary,
                        ea_wal_versions *v, ea__log_pass1_fn fn, void *arg, ea_error *err)
{
	*out = NULL;
	ea_log *l = calloc(1, sizeof *l);
	if (!l) return EA_ENOMEM;
	l->versions = v;
	l->hook = fn;
	l->hook_arg = arg;
	ea_wal_options def = EA_WAL_OPTIONS_INIT;
	l->opts = opts ? *opts : def;
	l->in = in;
	ea__summary_acc acc;
	if (summary) ea__summary_begin(&acc, summary);
	int rc = ea_wal_open(&l->wal, in, &l->opts, err);
	if (rc == EA_OK && summary) rc = ea__summary_input_problems(&acc, in);
	if (rc == EA_OK) rc = collect(l, summary ? &acc : NULL);
	l->hook = NULL;   /* pass 1 only */
	if (summary) {
		ea__summary_end(&acc);
		if (rc != EA_OK) ea_wal_summary_free(summary);
	}
	if (rc == EA_OK) rc = ea_log_rewind(l, err);
	if (rc != EA_OK) { ea_log_close(l); return rc; }
	*out = l;
	return EA_OK;
}

int ea_log_open(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_error *err)
{
	return ea_log_open_summarize(out, in, opts, NULL, err);
}

int ea_log_rewind(ea_log *l, ea_error *err)
{
	ea_wal_close(l->wal);
	l->wal = NULL;
	l->next_reg = 0;
	l->ordinal = 0;
	memset(&l->tracker, 0, sizeof l->tracker);
	l->have_pending = 0;
	int rc = ea_wal_open(&l->wal, l->in, &l->opts, err);
	if (rc == EA_OK && l->clean) ea__wal_trust_segments(l->wal, l->clean, l->nclean);
	return rc;
}

ea_wal *ea_log_wal(ea_log *l) { return l->wal; }
uint64_t ea_log_tail_start(const ea_log *l) { return l->tail_start; }

uint64_t ea_log_commit_index(const ea_log *l) { return l->commit; }
int ea__log_truncated(const ea_log *l) { return l->truncated; }

size_t ea_log_member_ids(const ea_log *l, const uint64_t **ids)
{
	*ids = l->members.ids;
	return l->members.n;
}

const ea_member_set *ea_log_members_added(const ea_log *l) { return &l->added; }

void ea_log_close(ea_log *l)
{
	if (!l) return;
	ea_wal_close(l->wal);
	ea_problem_owned_free(&l->synth);
	free(l->reg);
	free(l->sufmin);
	free(l->clean);
	ea_entry_decoder_free(l->ccdec);
	free(l);
}

int ea_log_next(ea_log *l, ea_log_item *out)
{
	memset(out, 0, sizeof *out);
	if (l->have_pending) {
		l->have_pending = 0;
		out->item = l->pending;
		goto flag;
	}
	int rc = ea_wal_next(l->wal, &out->item);
	if (rc != EA_OK) return rc;
	ea_wal_item *it = &out->item;
	if (it->kind != EA_WAL_ITEM_RECORD || !it->rec.decoded) return EA_OK;
	if (it->rec.type == EA_WAL_SNAPSHOT) {
		ea_tracker_snapshot(&l->tracker, it->rec.u.snap.index);
		return EA_OK;
	}
	if (it->rec.type != EA_WAL_ENTRY) return EA_OK;
	uint64_t prev_last = l->tracker.last_index, removed;
	ea_track_result tr = ea_tracker_entry(&l->tracker, it->rec.u.entry.index, it->rec.u.entry.term, &removed);
	if (tr == EA_TRACK_GAP) {
		/* hand out a problem first, the entry on the next call */
		char msg[256];
		snprintf(msg, sizeof msg,
		         "raft index jumps from %" PRIu64 " to %" PRIu64 " with no snapshot record: entries "
		         "%" PRIu64 "..%" PRIu64 " are missing from this WAL",
		         prev_last, it->rec.u.entry.index, prev_last + 1, it->rec.u.entry.index - 1);
		ea_problem p = { EA_LAYER_RAFT, EA_SEV_ERROR, "index-gap", it->rec.file, it->rec.offset, 0, msg };
		ea_problem_owned_free(&l->synth);
		if (ea_problem_copy(&l->synth, &p) != EA_OK) return EA_ENOMEM;
		l->pending = *it;
		l->have_pending = 1;
		memset(out, 0, sizeof *out);
		out->item.kind = EA_WAL_ITEM_PROBLEM;
		out->item.problem = l->synth.p;
		return EA_OK;
	}
flag:
	if (out->item.kind == EA_WAL_ITEM_RECORD && out->item.rec.type == EA_WAL_ENTRY) {
		uint64_t idx = out->item.rec.u.entry.index;
		while (l->next_reg < l->nreg && l->reg[l->next_reg].pos <= l->ordinal) l->next_reg++;
		if (l->sufmin[l->next_reg] <= idx) {
			out->superseded = 1;
			for (size_t i = l->next_reg; i < l->nreg; i++)
				if (l->reg[i].index <= idx) { out->superseded_by_term = l->reg[i].term; break; }
		}
		l->ordinal++;
	}
	return EA_OK;
}
