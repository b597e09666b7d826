/* replay.c: ea_replay, the iterator over a member's committed entries replayed against its db
 * (replay.h). Owns the passes: the anchor fixpoint (find the base revision B such that the
 * revision after the db's consistent_index C is the db's revision R), the emitting pass (one
 * item per entry record, then the db-only rows) and the summary and its verdict. */
#include "replay_int.h"
#include "etcd-autopsy/text.h"
#include "../source/input_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_LIMIT (64u * 1024u * 1024u)

static const char *const result_names[EA_REPLAY_RESULTS] = {
	"matches-db", "db-differs", "missing-in-db", "db-only", "compacted", "unknown", "no-revision", "not-checked"
};

const char *ea_replay_result_name(ea_replay_result res)
{
	return (unsigned)res < EA_REPLAY_RESULTS ? result_names[res] : "unknown";
}

const char *ea_replay_verdict_name(ea_replay_verdict v)
{
	switch (v) {
	case EA_REPLAY_DB_EQUALS_WAL: return "db-equals-wal";
	case EA_REPLAY_DB_DIVERGES: return "db-diverges-from-wal";
	case EA_REPLAY_DB_BEHIND: return "db-behind-wal";
	default: return "incomplete";
	}
}

static void reason(rp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(rp_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->sum.reason, sizeof c->sum.reason, fmt, ap);
	va_end(ap);
}

/* ---- passes -------------------------------------------------------------------------------- */

static void reset_state(rp_ctx *c)
{
	ea__rp_model_reset(&c->m);
	c->from_one = c->tail_from_one;
	c->rev = c->B;
	c->compact = -1;
	c->rev_at_C = 0;
	c->C_reached = c->C + 1 == c->F;
	if (c->C_reached) c->rev_at_C = c->B;
	ea__rp_counts_clear(&c->nw);
	ea__rp_db_load_alarms(c);
}

static int start_pass(rp_ctx *c, ea_error *err)
{
	ea_entry_iter_free(c->it);
	c->it = NULL;
	int rc = ea_log_rewind(c->log, err);
	if (rc) return rc;
	ea_entry_iter_options io = { c->opts.members };
	if ((rc = ea_entry_iter_new(&c->it, c->log, &io))) return rc;
	reset_state(c);
	c->first_index = c->last_index = c->entries = 0;
	c->sum.passes++;
	return EA_OK;
}

static int committed(const rp_ctx *c, const ea_entry_item *e)
{
	if (e->state == EA_ENTRY_COMMITTED) return 1;
	/* applied per the db although the last HardState's commit had not reached it yet (etcd
	 * applies committed entries before it saves the HardState) */
	return e->state == EA_ENTRY_UNCOMMITTED && c->db && c->have_C && e->log.item.rec.u.entry.index <= c->C;
}

static void classify_no_write(rp_ctx *c, ea_replay_item *it)
{
	it->result = c->uncertain ? EA_REPLAY_UNKNOWN : EA_REPLAY_NO_REVISION;
	it->detail = c->why;
}

/* A committed entry before the compaction anchor's F (tail_anchored): not applied; what it wrote,
 * if anything, is at or below the db's compaction K from a base the db no longer holds. */
static int head_entry(rp_ctx *c, ea_replay_item *it)
{
	if (c->in_pre) c->in_pre = 0;
	if (!c->first_index) c->first_index = it->index;
	c->last_index = it->index;
	c->entries++;
	const char *k = it->kind ? it->kind : "";
	if (strcmp(k, "put") && strcmp(k, "delete_range") && strcmp(k, "txn") && strcmp(k, "lease_revoke")) {
		it->result = EA_REPLAY_NO_REVISION;
		return EA_OK;
	}
	it->result = EA_REPLAY_UNKNOWN;
	snprintf(c->detail, sizeof c->detail, "before index %" PRIu64 ", which made revision %" PRId64 ": what this entry wrote "
	         "or compared lies at or below the db's compaction %" PRId64 ", from a base revision the db no longer holds",
	         c->F, c->K + 1, c->K);
	it->detail = c->detail;
	return EA_OK;
}

/* One entry record: applied (committed) and checked against the db. */
static int step(rp_ctx *c, const ea_entry_item *e, ea_replay_item *it)
{
	const ea_entry_header *h = &e->log.item.rec.u.entry;
	memset(it, 0, sizeof *it);
	it->entry = e;
	it->index = h->index;
	it->term = h->term;
	it->kind = e->info.kind;
	it->state = e->state;
	it->txn_applied = -1;
	it->detail = "";
	it->key = e->info.key;
	it->key_len = e->info.key_len;
	if (!committed(c, e)) {
		it->result = EA_REPLAY_NOT_CHECKED;
		it->detail = e->state == EA_ENTRY_SUPERSEDED ? "superseded: never applied" : "above the commit index: not applied";
		return EA_OK;
	}
	if (c->tail_anchored && h->index >= c->head_from && h->index < c->F) return head_entry(c, it);
	if (h->index < c->F && !c->in_pre) {
		it->result = EA_REPLAY_NOT_CHECKED;
		snprintf(c->detail, sizeof c->detail, "before the jump to index %" PRIu64 " in the WAL: a raft snapshot "
		         "replaced this member's state after it", c->F);
		it->detail = c->detail;
		return EA_OK;
	}
	if (c->tail_anchored && h->index == c->F && !c->in_pre) reset_state(c);   /* the tail starts from the db at K */
	if (h->index >= c->F && c->in_pre) {
		/* the received snapshot replaced the state: the anchored window starts here */
		c->in_pre = 0;
		reset_state(c);
	}
	if (!c->first_index) c->first_index = h->index;
	c->last_index = h->index;
	c->entries++;
	c->m.nwrites = 0;
	c->uncertain = 0;
	c->why[0] = 0;
	c->cur_index = h->index;
	c->cur_term = h->term;
	int rc = ea__rp_apply(c, e, it);
	if (rc) return rc;
	if (c->m.nwrites) {
		int64_t rev = ++c->rev;
		if ((rc = ea__rp_counts_push(&c->nw, c->m.nwrites > UINT32_MAX ? UINT32_MAX : (uint32_t)c->m.nwrites))) return rc;
		it->revision = c->no_anchor ? 0 : rev;
		it->writes = (int)c->m.nwrites;
		const rp_key *k = &c->m.keys[c->m.writes[0].key];
		it->key = ea__rp_key_bytes(&c->m, k);
		it->key_len = k->klen;
	}
	/* in the bootstrap entries before a restore point C is at most F - 1, where the db's state (B)
	 * is the state after C (reset_state), not the empty keyspace's */
	if (c->have_C && h->index == c->C && !c->in_pre) { c->rev_at_C = c->rev; c->C_reached = 1; }
	if (!c->m.nwrites) { classify_no_write(c, it); return EA_OK; }
	if (!c->db || c->no_anchor) {
		it->result = EA_REPLAY_UNKNOWN;
		it->detail = !c->db ? "no db to compare with" : "no anchor: the revision is not known";
		return EA_OK;
	}
	if (c->opts.no_db_check && !ea__rp_writes_learn_from_db(&c->m)) {
		it->result = EA_REPLAY_UNKNOWN;
		it->detail = "not compared with the db";
		return EA_OK;
	}
	return ea__rp_db_check(c, it->revision, it);
}

/* An anchor pass: replays entries up to C with base B; returns EA_OK with c->rev_at_C set. */
int ea__rp_anchor_pass(rp_ctx *c, ea_error *err, uint64_t *bad, int *first_wrote)
{
	int rc = start_pass(c, err);
	if (rc) return rc;
	const ea_entry_item *e;
	while ((rc = ea_entry_iter_next(&e, c->it)) == EA_OK) {
		if (!e->is_entry || e->log.item.rec.u.entry.index < c->F) continue;
		if (e->log.item.rec.u.entry.index > c->C && committed(c, e)) break;
		if ((rc = step(c, e, &c->item))) return rc;
		ea_replay_result res = c->item.result;
		if (bad && (res == EA_REPLAY_DB_DIFFERS || res == EA_REPLAY_UNKNOWN || res == EA_REPLAY_DB_ONLY ||
		            (res == EA_REPLAY_MISSING_IN_DB && c->item.index <= c->C)))
			(*bad)++;
		if (first_wrote && c->item.index == c->F) *first_wrote = c->item.revision != 0;
	}
	return rc == EA_ITEROVER || rc == EA_OK ? EA_OK : rc;
}

static int anchor_pass(rp_ctx *c, ea_error *err) { return ea__rp_anchor_pass(c, err, NULL, NULL); }

/* The fixpoint: B moves by R - (revision after C) until they agree. */
static int fixpoint(rp_ctx *c, ea_error *err)
{
	c->B = c->R;
	for (unsigned pass = 0; pass < EA_REPLAY_MAX_PASSES; pass++) {
		c->learning = pass == 0;
		int rc = anchor_pass(c, err);
		c->learning = 0;
		if (rc) return rc;
		if (!c->C_reached) {
			c->no_anchor = 1;
			reason(c, "the db's consistent_index %" PRIu64 " is beyond the WAL's last committed entry: the revisions "
			       "of the window cannot be anchored", c->C);
			return EA_OK;
		}
		if (c->rev_at_C == c->R) return EA_OK;
		int64_t nb = c->B + (c->R - c->rev_at_C);
		c->B = nb < 1 ? 1 : nb;
	}
	int found, rc = ea__rp_tail_anchor(c, err, &found);
	if (rc || found) return rc;
	c->no_anchor = 1;
	reason(c, "the base revision did not settle in %d passes (the revision after entry %" PRIu64 " never equals the "
	       "db's %" PRId64 ")", EA_REPLAY_MAX_PASSES, c->C, c->R);
	return EA_OK;
}

/* Reads up to the first entry record (kept as pending for the emitting pass). */
static int peek_first(rp_ctx *c, ea_error *err)
{
	int rc = start_pass(c, err);
	if (rc) return rc;
	c->sum.passes = 0;
	const ea_entry_item *e;
	while ((rc = ea_entry_iter_next(&e, c->it)) == EA_OK)
		if (e->is_entry) {
			c->pending = e;
			c->first_window = e->log.item.rec.u.entry.index;
			uint64_t tail = ea_log_tail_start(c->log);
			c->F = tail > c->first_window ? tail : c->first_window;
			c->pre_from_one = c->first_window <= 1 && c->F > c->first_window;
			c->tail_from_one = c->F <= 1;
			return EA_OK;
		}
	if (rc == EA_ITEROVER) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_RAFT, "", EA_NO_OFFSET, "the WAL holds no entry to replay");
		return EA_EINVAL;
	}
	return rc;
}

static void read_db(rp_ctx *c)
{
	if (!c->db) return;
	ea_mvcc_info_scan(c->db, &c->dbi);
	c->have_C = c->dbi.have_consistent_index;
	c->C = c->dbi.consistent_index;
	c->R = c->dbi.revision;
	c->K = c->dbi.compact_revision;
	if (c->dbi.scheduled_compact_revision > c->K) c->K = c->dbi.scheduled_compact_revision;
	c->sum.have_db = 1;
	c->sum.consistent_index = c->C;
	c->sum.db_revision = c->R;
	c->sum.compact_revision = c->dbi.compact_revision;
}

/* `etcdutl snapshot restore` writes a WAL from index 1 that holds only the bootstrap conf
 * changes, then a snapshot record at their last index S, beside a db with the snapshot's
 * keyspace: the state after S is the db's, not an empty keyspace. *S is that index, or 0 when
 * the WAL has no snapshot record at or above 1 preceded only by conf changes and empty entries. */
static int restore_point(rp_ctx *c, uint64_t *S, ea_error *err)
{
	*S = 0;
	int rc = start_pass(c, err);
	if (rc) return rc;
	const ea_entry_item *e;
	while ((rc = ea_entry_iter_next(&e, c->it)) == EA_OK) {
		const ea_wal_record *r = &e->log.item.rec;
		if (e->is_entry) {
			const char *k = e->info.kind ? e->info.kind : "";
			if (strncmp(k, "confchange", 10) != 0 && strcmp(k, "empty") != 0) break;
		} else if (e->log.item.kind == EA_WAL_ITEM_RECORD && r->type == EA_WAL_SNAPSHOT && r->decoded &&
		           r->u.snap.index >= 1) {
			*S = r->u.snap.index;
		}
	}
	return rc == EA_OK || rc == EA_ITEROVER ? EA_OK : rc;
}

/* Picks the base: 1 for a WAL from index 1, R when C is just before the window, else the fixpoint. */
static int anchor(rp_ctx *c, ea_error *err)
{
	if (c->F <= 1 && c->db && c->have_C && c->R > 1) {
		uint64_t S;
		int rc = restore_point(c, &S, err);
		/* back to the first entry, as peek_first left it (restore_point moved the stream) */
		if (!rc) rc = peek_first(c, err);
		if (rc) return rc;
		if (S && S <= c->C) {
			/* restored: the entries up to S are bootstrap, the window is anchored after S */
			c->F = S + 1;
			c->pre_from_one = 1;
			c->tail_from_one = 0;
		}
	}
	if (c->F <= 1) {
		c->B = 1;
		if (c->opts.on_record) { c->pending = NULL; return start_pass(c, err); }   /* the records before it too */
		reset_state(c);
		c->sum.passes = 1;
		return EA_OK;
	}
	if (!c->db) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_RAFT, "", EA_NO_OFFSET, "the WAL's entries start at index %" PRIu64
		              ": without the member's db the revisions before it are unknown", c->F);
		return EA_EINVAL;
	}
	c->pending = NULL;
	if (!c->have_C || c->C + 1 < c->F) {
		c->no_anchor = 1;
		c->B = c->R;
		reason(c, "the db's consistent_index %" PRIu64 " is before the WAL's window starting at %" PRIu64
		       ": the db is older than the WAL", c->C, c->F);
	} else if (c->C + 1 > c->F) {
		int rc = fixpoint(c, err);
		if (rc) return rc;
	} else {
		c->B = c->R;
	}
	int rc = start_pass(c, err);
	if (!rc && c->pre_from_one) {
		/* the entries before the jump start from an empty keyspace, on their own */
		c->in_pre = 1;
		c->from_one = 1;
		c->rev = 1;
	}
	return rc;
}

int ea_replay_new(ea_replay **out, ea_log *log, ea_mvcc *db, const ea_replay_options *o, ea_error *err)
{
	*out = NULL;
	rp_ctx *c = calloc(1, sizeof *c);
	if (!c) return EA_ENOMEM;
	ea_arena_init(&c->arena, ARENA_LIMIT);
	c->log = log;
	c->db = db;
	c->K = -1;
	c->sum.compact_revision = -1;
	if (o) c->opts = *o;
	read_db(c);
	int rc = peek_first(c, err);
	if (!rc) rc = anchor(c, err);
	if (rc) { ea_replay_free(c); return rc; }
	c->sum.base_revision = c->no_anchor || c->tail_anchored ? 0 : c->B;
	*out = c;
	return EA_OK;
}

/* ---- the emitting pass --------------------------------------------------------------------- */

static int is_difference(ea_replay_result r)
{
	return r == EA_REPLAY_DB_DIFFERS || r == EA_REPLAY_MISSING_IN_DB || r == EA_REPLAY_DB_ONLY ||
	       r == EA_REPLAY_UNKNOWN;
}

/* The first real difference, kept for the verdict's reason beyond the listed ones: 0, -1 no memory. */
static int remember_first(rp_ctx *c, const ea_replay_item *it)
{
	ea_replay_difference *d = &c->first_real;
	c->have_first_real = 1;
	d->index = it->index;
	d->revision = it->revision;
	d->result = it->result;
	if (!it->key) return 0;
	d->key = malloc(it->key_len ? it->key_len : 1);
	if (!d->key) return -1;
	if (it->key_len) memcpy(d->key, it->key, it->key_len);
	d->key_len = it->key_len;
	return 0;
}

static int tally(rp_ctx *c, const ea_replay_item *it)
{
	ea_replay_summary *s = &c->sum;
	s->counts[it->result]++;
	if (it->result == EA_REPLAY_MISSING_IN_DB && it->index > c->C) c->missing_after_C++;
	else if (it->result != EA_REPLAY_UNKNOWN && is_difference(it->result)) c->real_differences++;
	if (it->result == EA_REPLAY_DB_ONLY) c->dbonly_tallied++;
	if (!is_difference(it->result)) return EA_OK;
	if (!c->have_first_real && it->result != EA_REPLAY_UNKNOWN &&
	    !(it->result == EA_REPLAY_MISSING_IN_DB && it->index > c->C) && remember_first(c, it))
		return EA_ENOMEM;
	if (s->ndifferences >= EA_REPLAY_DIFFERENCES_CAP) { s->differences_dropped++; return EA_OK; }
	if (!s->differences) {
		s->differences = calloc(EA_REPLAY_DIFFERENCES_CAP, sizeof *s->differences);
		if (!s->differences) return EA_ENOMEM;
	}
	ea_replay_difference *d = &s->differences[s->ndifferences++];
	d->index = it->index;
	d->revision = it->revision;
	d->result = it->result;
	if (it->key) {
		d->key = malloc(it->key_len ? it->key_len : 1);
		if (!d->key) return EA_ENOMEM;
		if (it->key_len) memcpy(d->key, it->key, it->key_len);
		d->key_len = it->key_len;
	}
	return EA_OK;
}

static int next_entry(rp_ctx *c, const ea_replay_item **out)
{
	const ea_entry_item *e;
	int rc;
	for (;;) {
		if (c->pending) { e = c->pending; c->pending = NULL; rc = EA_OK; }
		else rc = ea_entry_iter_next(&e, c->it);
		if (rc) return rc;
		if (e->is_entry) break;
		if (c->opts.on_record && (rc = c->opts.on_record(e, c->opts.arg))) return rc;
	}
	if ((rc = step(c, e, &c->item))) return rc;
	if ((rc = tally(c, &c->item))) return rc;
	*out = &c->item;
	return EA_OK;
}

static int next_dbonly(rp_ctx *c, const ea_replay_item **out)
{
	if (c->dbonly_pos >= c->ndbonly) return EA_ITEROVER;
	const rp_dbonly *d = &c->dbonly[c->dbonly_pos++];
	ea_replay_item *it = &c->item;
	memset(it, 0, sizeof *it);
	it->state = EA_ENTRY_COMMITTED;
	it->revision = d->main;
	it->writes = 1;
	it->txn_applied = -1;
	it->key = d->key;
	it->key_len = d->key_len;
	it->page = d->page;
	it->index = d->index;
	it->term = d->term;
	char k[160];
	if (d->index) {
		it->kind = "kept-by-compaction";
		it->result = EA_REPLAY_MISSING_IN_DB;
		snprintf(c->detail, sizeof c->detail, "the db has no element %" PRId64 "/%" PRId64 ": the last put of key %s at or "
		         "below the db's compaction %" PRId64 " while the key lived, which compaction keeps (a write lost)",
		         d->main, d->sub, ea_text_escape(k, sizeof k, d->key, d->key_len), c->K);
	} else {
		it->kind = "db-only";
		it->result = EA_REPLAY_DB_ONLY;
		snprintf(c->detail, sizeof c->detail, "the db holds a %s at %" PRId64 "/%" PRId64 " that no WAL entry made",
		         d->tomb ? "tombstone" : "put", d->main, d->sub);
	}
	it->detail = c->detail;
	int rc = tally(c, it);
	if (rc) return rc;
	*out = it;
	return EA_OK;
}

static void finish(rp_ctx *c)
{
	ea_replay_summary *s = &c->sum;
	s->first_index = c->first_index;
	s->last_index = c->last_index;
	s->entries = c->entries;
	s->last_revision = c->no_anchor ? 0 : c->in_pre ? c->B : c->rev;   /* no entry after a restore point: the db's */
	s->counts[EA_REPLAY_DB_ONLY] += c->dbonly_total - (c->ndbonly - c->nkept);
	s->counts[EA_REPLAY_MISSING_IN_DB] += c->kept_missing_dropped;
	c->real_differences += c->kept_missing_dropped;
	if (c->no_anchor) { s->verdict = EA_REPLAY_INCOMPLETE; return; }
	if (!c->db) {
		s->verdict = EA_REPLAY_INCOMPLETE;
		reason(c, "no db: revisions assigned from an empty keyspace, nothing compared");
		return;
	}
	if (c->restored && !c->real_differences) {
		s->verdict = EA_REPLAY_INCOMPLETE;
		reason(c, "no entry up to the db's consistent_index %" PRIu64 " made a revision, yet the db is at revision %" PRId64
		       ": the db was restored from a snapshot (etcdutl snapshot restore), its history is not in this WAL", c->C, c->R);
		return;
	}
	if (!c->C_reached && c->real_differences == c->dbonly_tallied) {
		s->verdict = EA_REPLAY_INCOMPLETE;
		reason(c, "the db's consistent_index %" PRIu64 " is beyond the WAL's last committed entry %" PRIu64 ": the WAL "
		       "lost its newest entries (torn tail, missing segment) or the db is ahead; %" PRIu64 " db revision%s after "
		       "the WAL's last are db-only", c->C, c->last_index, c->dbonly_total, c->dbonly_total == 1 ? "" : "s");
		return;
	}
	if (c->real_differences || c->dbonly_total) {
		s->verdict = EA_REPLAY_DB_DIVERGES;
		const ea_replay_difference *d = s->differences;
		for (size_t i = 0; i < s->ndifferences; i++)
			if (s->differences[i].result != EA_REPLAY_UNKNOWN &&
			    !(s->differences[i].result == EA_REPLAY_MISSING_IN_DB && s->differences[i].index > c->C)) {
				d = &s->differences[i];
				break;
			}
		if (d && d->result == EA_REPLAY_UNKNOWN && c->have_first_real)
			d = &c->first_real;   /* beyond the listed differences (all unknown) */
		char k[160];
		if (d) reason(c, "first difference: %s at index %" PRIu64 ", revision %" PRId64 ", key %s",
		              ea_replay_result_name(d->result), d->index, d->revision,
		              d->key ? ea_text_escape(k, sizeof k, d->key, d->key_len) : "-");
		return;
	}
	if (c->missing_after_C) {
		s->verdict = EA_REPLAY_DB_BEHIND;
		reason(c, "%" PRIu64 " entr%s after the db's consistent_index %" PRIu64 " made revisions the db does not hold yet",
		       c->missing_after_C, c->missing_after_C == 1 ? "y" : "ies", c->C);
		return;
	}
	if (!c->C_reached) {
		s->verdict = EA_REPLAY_INCOMPLETE;
		reason(c, "the db's consistent_index %" PRIu64 " is beyond the WAL's last committed entry %" PRIu64,
		       c->C, c->last_index);
		return;
	}
	if (c->rev_at_C != c->R) {
		s->verdict = EA_REPLAY_DB_DIVERGES;
		reason(c, "the revision after entry %" PRIu64 " is %" PRId64 ", the db's is %" PRId64, c->C, c->rev_at_C, c->R);
		return;
	}
	if (s->counts[EA_REPLAY_UNKNOWN] && c->tail_anchored) {
		s->verdict = EA_REPLAY_INCOMPLETE;
		reason(c, "the base revision is not in the db (its compaction %" PRId64 " removed it): anchored on the compaction "
		       "instead, entries %" PRIu64 "..%" PRIu64 " made revisions %" PRId64 "..%" PRId64 " exactly as the db holds "
		       "them; the %" PRIu64 " entr%s before could not be checked", c->K, c->F, c->C, c->K + 1, c->R,
		       s->counts[EA_REPLAY_UNKNOWN], s->counts[EA_REPLAY_UNKNOWN] == 1 ? "y" : "ies");
		return;
	}
	if (s->counts[EA_REPLAY_UNKNOWN]) {
		s->verdict = EA_REPLAY_INCOMPLETE;
		reason(c, "%" PRIu64 " entr%s could not be checked (state the db no longer holds)", s->counts[EA_REPLAY_UNKNOWN],
		       s->counts[EA_REPLAY_UNKNOWN] == 1 ? "y" : "ies");
		return;
	}
	s->verdict = EA_REPLAY_DB_EQUALS_WAL;
}

int ea_replay_next(const ea_replay_item **out, ea_replay *c)
{
	*out = NULL;
	if (!c->entries_done) {
		int rc = next_entry(c, out);
		if (rc != EA_ITEROVER) return rc;
		c->entries_done = 1;
		/* a WAL from index 1 whose entries up to C made no revision, beside a db at R > 1: the db
		 * was restored from a snapshot (etcdutl snapshot restore writes such a WAL) */
		c->restored = c->db && c->tail_from_one && c->C_reached && c->rev_at_C == 1 && c->R > 1;
		if (c->db && !c->no_anchor && !c->restored && !c->opts.entries_only &&
		    ((rc = ea__rp_db_kept_missing(c)) || (rc = ea__rp_db_only_walk(c))))
			return rc;
	}
	int rc = next_dbonly(c, out);
	if (rc == EA_ITEROVER && !c->sum_done) { finish(c); c->sum_done = 1; }
	return rc;
}

int ea_replay_summary_get(ea_replay *r, const ea_replay_summary **out)
{
	*out = &r->sum;
	return r->sum_done ? EA_OK : EA_EINVAL;
}

void ea_replay_free(ea_replay *c)
{
	if (!c) return;
	ea_entry_iter_free(c->it);
	ea__rp_model_free(&c->m);
	ea_arena_free(&c->arena);
	free(c->path);
	ea__rp_counts_free(&c->nw);
	free(c->dbleases);
	free(c->kscratch);
	for (size_t i = 0; i < c->ndbonly; i++) free(c->dbonly[i].key);
	free(c->dbonly);
	for (size_t i = 0; i < c->sum.ndifferences; i++) free(c->sum.differences[i].key);
	free(c->sum.differences);
	free(c->first_real.key);
	free(c);
}
