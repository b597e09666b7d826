/* timeline.c: one ordered stream of events over several nodes (by term, then index, then
 * node), each with an approximate UTC time where one is known and where it came from:
 * `request-id` (a member's process start, from the IDs it generated) or `segment-mtime`
 * (the last write to a WAL segment). */
#include "etcd-autopsy/history.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	ea_event *ev;
	size_t n, cap;
	int oom;
} evlist;

static ea_event *add(evlist *l, const char *node, const char *event, uint64_t term, uint64_t index,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static ea_event *add(evlist *l, const char *node, const char *event, uint64_t term, uint64_t index,
                     const char *fmt, ...)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->ev, nc * sizeof *l->ev);
		if (!p) { l->oom = 1; return NULL; }
		l->ev = p;
		l->cap = nc;
	}
	ea_event *e = &l->ev[l->n++];
	memset(e, 0, sizeof *e);
	e->node = node;
	e->event = event;
	e->term = term;
	e->index = index;
	e->time_ms = -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return e;
}

static int cmp_event(const void *a, const void *b)
{
	const ea_event *x = a, *y = b;
	/* events bound to no term (problems, segment mtimes) go last, by time */
	uint64_t tx = x->term ? x->term : UINT64_MAX, ty = y->term ? y->term : UINT64_MAX;
	if (tx != ty) return tx < ty ? -1 : 1;
	if (x->time_ms != y->time_ms) return x->time_ms < y->time_ms ? -1 : 1;
	if (x->index != y->index) return x->index < y->index ? -1 : 1;
	const char *nx = x->node ? x->node : "", *ny = y->node ? y->node : "";
	int c = strcmp(nx, ny);
	if (c) return c;
	return strcmp(x->event, y->event);
}

static const char *member_name(ea_node *const *nodes, size_t n, uint64_t id, char *buf, size_t cap)
{
	for (size_t i = 0; i < n; i++)
		if (ea_node_wal(nodes[i])->present && ea_node_wal(nodes[i])->summary.member_id == id) {
			snprintf(buf, cap, "%" PRIx64 " (%s)", id, ea_node_name(nodes[i]));
			return buf;
		}
	snprintf(buf, cap, "%" PRIx64, id);
	return buf;
}

struct alarm_ctx { evlist *l; const char *node; };

static int db_alarm_event(const ea_mvcc_alarm *a, void *payload)
{
	struct alarm_ctx *c = payload;
	add(c->l, c->node, "alarm", 0, 0, "alarm %s raised for member %" PRIx64 " is still active in the db (alarm bucket)",
	    a->alarm_name ? a->alarm_name : "?", a->member_id);
	return 0;
}

/* mtime of member/snap/%016x-%016x.snap (term-index) in the node's input, 0 if absent */
static int64_t snap_file_mtime(const ea_node *nd, uint64_t term, uint64_t index)
{
	char want[64];
	snprintf(want, sizeof want, "%016" PRIx64 "-%016" PRIx64 ".snap", term, index);
	size_t wl = strlen(want);
	for (size_t i = 0; i < ea_input_count(ea_node_input(nd)); i++) {
		const ea_input_file *f = ea_input_at(ea_node_input(nd), i);
		size_t l = strlen(f->name);
		if (l >= wl && strcmp(f->name + l - wl, want) == 0 && (l == wl || f->name[l - wl - 1] == '/'))
			return f->mtime;
	}
	return 0;
}

/* The builder's state: the events so far and the nodes they are about. */
typedef struct {
	evlist l;
	ea_node *const *nodes;
	size_t n;
} tl_ctx;

/* elections: a leader, or a failed election, per term */
static void term_events(tl_ctx *c, const ea_terms *terms)
{
	char b1[64];
	for (size_t r = 0; terms && r < terms->nrows; r++) {
		const ea_term_row *row = &terms->rows[r];
		ea_event *e = NULL;
		if (row->leader)
			e = add(&c->l, NULL, "leader-elected", row->term, row->first_index, "leader %s: %s",
			        member_name(c->nodes, c->n, row->leader, b1, sizeof b1), row->leader_basis);
		else if (row->failed_election)
			e = add(&c->l, NULL, "failed-election", row->term, 0, "%s", row->leader_basis);
		if (e && row->time_ms >= 0) { e->time_ms = row->time_ms; e->time_source = "log"; }
	}
}

/* a node's votes and term starts, dated by its log when it has one for the term */
static void node_term_events(tl_ctx *c, const ea_node *nd)
{
	char b1[64];
	for (size_t t = 0; t < ea_node_history(nd)->nterms; t++) {
		const ea_node_term *tr = &ea_node_history(nd)->terms[t];
		if (!tr->saw_state) continue;
		ea_event *e;
		if (tr->vote)
			e = add(&c->l, ea_node_name(nd), "vote", tr->term, tr->first_index, "voted for %s",
			        member_name(c->nodes, c->n, tr->vote, b1, sizeof b1));
		else
			e = add(&c->l, ea_node_name(nd), "term-start", tr->term, tr->first_index,
			        "entered term %" PRIu64 " without voting (followed a leader)", tr->term);
		for (size_t k = 0; e && k < ea_node_logs(nd)->nevents; k++)
			if (ea_node_logs(nd)->events[k].term == tr->term && ea_node_logs(nd)->events[k].time_ms >= 0) {
				e->time_ms = ea_node_logs(nd)->events[k].time_ms;
				e->time_source = "log";
				break;
			}
	}
}

/* superseded entries and WAL snapshot records (dated by their .snap file) */
static void node_log_events(tl_ctx *c, const ea_node *nd)
{
	for (size_t s = 0; s < ea_node_history(nd)->nsup; s++) {
		const ea_superseded_range *sr = &ea_node_history(nd)->sup[s];
		add(&c->l, ea_node_name(nd), "superseded", sr->term, sr->from_index,
		    "entries %" PRIu64 "..%" PRIu64 " of term %" PRIu64 " written, never committed, overwritten by term %" PRIu64
		    " (%s+%" PRIu64 ")", sr->from_index, sr->to_index, sr->term, sr->by_term,
		    sr->segment < ea_node_wal(nd)->nsegments ? ea_node_wal(nd)->segments[sr->segment].file : "?", sr->offset);
	}
	for (size_t s = 0; s < ea_node_wal(nd)->summary.snapshots_kept; s++) {
		if (ea_node_wal(nd)->summary.snapshots[s].index == 0) continue;   /* the empty snapshot every WAL starts with */
		ea_event *e = add(&c->l, ea_node_name(nd), "snapshot", ea_node_wal(nd)->summary.snapshots[s].term, ea_node_wal(nd)->summary.snapshots[s].index,
		                  "WAL snapshot record: raft state up to index %" PRIu64 " saved in a .snap file",
		                  ea_node_wal(nd)->summary.snapshots[s].index);
		/* the .snap file written just before the record: its mtime dates the snapshot */
		int64_t mt = snap_file_mtime(nd, ea_node_wal(nd)->summary.snapshots[s].term, ea_node_wal(nd)->summary.snapshots[s].index);
		if (e && mt > 0) { e->time_ms = mt * 1000; e->time_source = "snap-mtime"; }
	}
}

/* entries that change the cluster: conf changes, compactions, snapshot installs, alarms, auth */
static void node_change_events(tl_ctx *c, const ea_node *nd)
{
	char b2[64];
	for (size_t k = 0; k < ea_node_history(nd)->nconf; k++) {
		const ea_conf_change *cc = &ea_node_history(nd)->conf[k];
		add(&c->l, ea_node_name(nd), "conf-change", cc->term, cc->index, "%s %s%s", cc->kind,
		    member_name(c->nodes, c->n, cc->member_id, b2, sizeof b2),
		    cc->superseded ? " (superseded)" : cc->committed ? " (committed)" : " (not committed)");
	}
	for (size_t k = 0; k < ea_node_history(nd)->ncompactions; k++)
		add(&c->l, ea_node_name(nd), "compaction", ea_node_history(nd)->compactions[k].term, ea_node_history(nd)->compactions[k].index, "%s",
		    ea_node_history(nd)->compactions[k].detail);
	for (size_t k = 0; k < ea_node_history(nd)->ninstalls; k++)
		add(&c->l, ea_node_name(nd), "snapshot-install", ea_node_history(nd)->installs[k].term, ea_node_history(nd)->installs[k].index, "%s",
		    ea_node_history(nd)->installs[k].detail);
	for (size_t k = 0; k < ea_node_history(nd)->nalarms; k++)
		add(&c->l, ea_node_name(nd), "alarm", ea_node_history(nd)->alarms[k].term, ea_node_history(nd)->alarms[k].index, "%s", ea_node_history(nd)->alarms[k].detail);
	/* auth enable/disable: only committed ones (etcd applies nothing else) */
	for (size_t k = 0; k < ea_node_history(nd)->nauth_changes; k++) {
		const ea_marker *m = &ea_node_history(nd)->auth_changes[k];
		if (!ea_node_wal(nd)->present || m->index > ea_node_wal(nd)->summary.hard_state.commit) continue;
		int on = strcmp(m->detail, "auth_enable") == 0;
		add(&c->l, ea_node_name(nd), on ? "auth-enable" : "auth-disable", m->term, m->index,
		    on ? "auth_enable committed: etcd turns authentication on when it applies it (it refuses "
		         "when no root user with the root role exists)"
		       : "auth_disable committed: etcd turns authentication off when it applies it");
	}
}

/* member (re)starts seen in node i's WAL; the same process start is seen in every member's
 * WAL: reported once, by the first node that saw it */
static void node_restart_events(tl_ctx *c, size_t i)
{
	const ea_node *nd = c->nodes[i];
	char b1[64];
	for (size_t k = 0; k < ea_node_history(nd)->nrestarts; k++) {
		const ea_restart *rs = &ea_node_history(nd)->restarts[k];
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++)
			for (size_t q = 0; q < ea_node_history(c->nodes[j])->nrestarts && !dup; q++)
				dup = ea_node_history(c->nodes[j])->restarts[q].member_low16 == rs->member_low16 &&
				      ea_node_history(c->nodes[j])->restarts[q].started_ms == rs->started_ms;
		if (dup) continue;
		ea_event *e = add(&c->l, ea_node_name(nd), "member-start", rs->term, rs->first_index,
		                  "member %s (re)started: first request ID from this process at index %" PRIu64,
		                  rs->member_id ? member_name(c->nodes, c->n, rs->member_id, b1, sizeof b1) : "????",
		                  rs->first_index);
		if (e) { e->time_ms = rs->started_ms; e->time_source = "request-id"; }
		if (e && !rs->member_id) snprintf(e->detail, sizeof e->detail,
		                                  "member with ID ending %04x (re)started", rs->member_low16);
	}
}

/* the last write to each WAL segment (bound to no term: sorted by time at the end) */
static void node_segment_events(tl_ctx *c, const ea_node *nd)
{
	for (size_t s = 0; s < ea_node_wal(nd)->nsegments; s++) {
		if (!ea_node_wal(nd)->segments[s].mtime) continue;
		ea_event *e = add(&c->l, ea_node_name(nd), "segment-end", ea_node_wal(nd)->summary.last_term, 0,
		                  "last write to %s", ea_node_wal(nd)->segments[s].file);
		if (e) {
			e->time_ms = ea_node_wal(nd)->segments[s].mtime * 1000;
			e->time_source = "segment-mtime";
			e->term = 0;
		}
	}
}

/* the applied state: where the db stands, its compaction, its alarms */
static void node_db_events(tl_ctx *c, const ea_node *nd)
{
	if (!ea_node_db(nd)->present || !ea_node_mvcc(nd)) return;
	ea_mvcc_info info;
	if (ea_mvcc_info_scan(ea_node_mvcc(nd), &info) == EA_OK) {
		ea_event *e = add(&c->l, ea_node_name(nd), "db-state", 0, ea_node_db(nd)->consistent_index,
		                  "db %s applied up to index %" PRIu64 ", revision %" PRId64 ", compacted at %" PRId64 "%s",
		                  ea_node_db(nd)->file ? ea_node_db(nd)->file : "", ea_node_db(nd)->consistent_index, info.revision,
		                  info.compact_revision,
		                  info.compaction_interrupted ? " (a compaction was interrupted: etcd resumes it at start)" : "");
		int64_t mt = 0;
		for (size_t i2 = 0; ea_node_db(nd)->file && i2 < ea_input_count(ea_node_input(nd)); i2++)
			if (strcmp(ea_input_at(ea_node_input(nd), i2)->name, ea_node_db(nd)->file) == 0) mt = ea_input_at(ea_node_input(nd), i2)->mtime;
		if (e && mt > 0) { e->time_ms = mt * 1000; e->time_source = "db-mtime"; }
	}
	ea_mvcc_alarms(ea_node_mvcc(nd), db_alarm_event, &(struct alarm_ctx){ &c->l, ea_node_name(nd) });
}

/* etcd's own log lines (--logs) and the WAL reader's problems */
static void node_logev_problem_events(tl_ctx *c, const ea_node *nd)
{
	for (size_t k = 0; k < ea_node_logs(nd)->nevents; k++) {
		const ea_log_event *le = &ea_node_logs(nd)->events[k];
		ea_event *e = add(&c->l, ea_node_name(nd), "log", le->term, 0, "%s: %s (log line %" PRIu64 ")", le->event,
		                  le->detail, le->line);
		if (e) { e->time_ms = le->time_ms; e->time_source = "log"; }
	}
	for (size_t p = 0; ea_node_wal(nd)->present && p < ea_node_wal(nd)->summary.problem_count; p++) {
		const ea_problem *pr = &ea_node_wal(nd)->summary.problems[p].p;
		add(&c->l, ea_node_name(nd), "problem", 0, 0, "%s %s+%" PRIu64 ": %s", pr->kind, pr->file ? pr->file : "-",
		    pr->offset == EA_NO_OFFSET ? 0 : pr->offset, pr->message);
	}
}

int ea_timeline_build(ea_node *const *nodes, size_t n, const ea_terms *terms, ea_event **out, size_t *count)
{
	tl_ctx c = { .nodes = nodes, .n = n };
	term_events(&c, terms);
	for (size_t i = 0; i < n; i++) {
		const ea_node *nd = nodes[i];
		if (!ea_node_wal(nd)->present) continue;
		node_term_events(&c, nd);
		node_log_events(&c, nd);
		node_change_events(&c, nd);
		node_restart_events(&c, i);
		node_segment_events(&c, nd);
		node_db_events(&c, nd);
		node_logev_problem_events(&c, nd);
	}
	if (c.l.oom) { free(c.l.ev); return EA_ENOMEM; }
	/* segment-end events sort by time at the end; everything else by term/index */
	if (c.l.n > 1) qsort(c.l.ev, c.l.n, sizeof *c.l.ev, cmp_event);   /* c.l.ev is NULL when empty */
	*out = c.l.ev;
	*count = c.l.n;
	return EA_OK;
}
