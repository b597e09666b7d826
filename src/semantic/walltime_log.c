/* walltime_log.c: the anchors etcd's own log gives its member's entries (walltime_log.h):
 * maps the recognised events whose raft index is exact (a leader's first entry of its term,
 * a snapshot's index) to bounds in the member's wall clock. */
#include "etcd-autopsy/walltime_log.h"

#include <stdlib.h>
#include <string.h>

static const ea_node_term *find_term(const ea_node_term *t, size_t n, uint64_t term)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].term < term) lo = mid + 1; else hi = mid;
	}
	return lo < n && t[lo].term == term ? &t[lo] : NULL;
}

/* the index "saved snapshot" names: zap's snapshot-index=N, capnslog's "at index N"; 0 if none */
static uint64_t snapshot_index(const char *d)
{
	const char *p = strstr(d, "snapshot-index=");
	if (p) p += 15;
	else if ((p = strstr(d, "at index ")) != NULL) p += 9;
	if (!p || *p < '0' || *p > '9') return 0;
	return strtoull(p, NULL, 10);
}

static int add(ea_walltime *w, uint64_t index, int64_t lo, int64_t hi)
{
	ea_walltime_anchor a = { index, lo, hi, EA_WALLTIME_ETCD_LOG };
	return ea_walltime_add(w, &a);
}

typedef struct {
	const ea_node_term *terms;
	size_t nterms;
	uint64_t wal_first;
	const ea_marker *installs;
	size_t ninstalls;
} wal_facts;

/* the term's first index when it is the new leader's empty entry, kept, after an earlier entry
 * of the WAL (not the first after a received snapshot) */
static uint64_t leader_entry(const wal_facts *f, uint64_t term)
{
	const ea_node_term *x = term ? find_term(f->terms, f->nterms, term) : NULL;
	if (!x || !x->first_index || !x->leader_noop || x->superseded || x->first_index <= f->wal_first) return 0;
	for (size_t i = 0; i < f->ninstalls; i++)
		if (f->installs[i].index + 1 == x->first_index) return 0;
	return x->first_index;
}

int ea_walltime_log_anchors(ea_walltime *w, const ea_log_event *ev, size_t n, uint64_t self, int text_log,
                            const ea_node_term *terms, size_t nterms, uint64_t wal_first,
                            const ea_marker *installs, size_t ninstalls)
{
	wal_facts f = { terms, nterms, wal_first, installs, ninstalls };
	int64_t prec = text_log ? 1000000 : 1000;   /* raft's text lines: whole seconds; zap: ms kept */
	int rc = EA_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		const ea_log_event *e = &ev[i];
		if (e->time_ms < 0 || e->time_ms > INT64_MAX / 1000 - 2000) continue;
		int64_t t = e->time_ms * 1000;
		uint64_t idx;
		if (!strcmp(e->event, "became-leader") && self && e->member == self &&
		    (idx = leader_entry(&f, e->term)))
			rc = add(w, idx, t - EA_WALLTIME_LOG_SLACK_US, t + prec);
		else if ((!strcmp(e->event, "elected-leader") || !strcmp(e->event, "leader-changed")) &&
		         (idx = leader_entry(&f, e->term)))
			rc = add(w, idx, EA_WALLTIME_NO_LO, t + prec);
		else if (!strcmp(e->event, "snapshot-saved") && (idx = snapshot_index(e->detail)))
			rc = add(w, idx, EA_WALLTIME_NO_LO, t + prec);
	}
	return rc;
}

int ea_walltime_node_log_anchors(ea_walltime *w, const ea_node *nd)
{
	const ea_node_logs_info *l = ea_node_logs(nd);
	const ea_node_history_info *h = ea_node_history(nd);
	const ea_node_wal_info *wi = ea_node_wal(nd);
	if (!l || !l->path || !l->nevents || !h || !wi || !wi->present) return EA_OK;
	uint64_t self = l->stats.other_self_id ? 0 : l->stats.self_id;
	return ea_walltime_log_anchors(w, l->events, l->nevents, self, l->stats.format_text, h->terms, h->nterms,
	                               wi->first_index, h->installs, h->ninstalls);
}
