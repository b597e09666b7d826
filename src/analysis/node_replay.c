/* node_replay.c: a member's replay verdict kept with its node (see node_replay.h). Owns the one
 * run of ea_replay per node: the summary's verdict and window, the first difference etcd had
 * applied (diff's db-differs-from-own-wal) and the first difference of any kind. */
#include "node_int.h"
#include "etcd-autopsy/node_replay.h"
#include "etcd-autopsy/text.h"

#include <stdio.h>
#include <stdlib.h>

/* The first difference etcd had applied (at or below the db's consistent_index). */
static int counts_as_first(const ea_replay_item *it, uint64_t ci)
{
	if (it->result == EA_REPLAY_DB_DIFFERS || it->result == EA_REPLAY_DB_ONLY) return 1;
	return it->result == EA_REPLAY_MISSING_IN_DB && it->index <= ci;
}

static void keep_first(ea_node_replay *o, const ea_replay_item *it)
{
	o->have_first = 1;
	o->result = ea_replay_result_name(it->result);
	o->index = it->index;
	o->revision = it->revision;
	o->page = it->page;
	if (it->key) ea_text_escape(o->key, sizeof o->key, it->key, it->key_len);
	else snprintf(o->key, sizeof o->key, "-");
	snprintf(o->detail, sizeof o->detail, "%s", it->detail ? it->detail : "");
}

static void keep_summary(ea_node_replay *o, const ea_replay_summary *s)
{
	o->verdict = s->verdict;
	o->first_index = s->first_index;
	o->last_index = s->last_index;
	o->entries = s->entries;
	o->last_revision = s->last_revision;
	snprintf(o->reason, sizeof o->reason, "%s", s->reason);
	if (!s->ndifferences) return;
	const ea_replay_difference *d = &s->differences[0];
	o->have_any = 1;
	o->any_result = ea_replay_result_name(d->result);
	o->any_index = d->index;
	o->any_revision = d->revision;
	if (d->key) ea_text_escape(o->any_key, sizeof o->any_key, d->key, d->key_len);
	else snprintf(o->any_key, sizeof o->any_key, "-");
}

/* 1 when the replay started (visit saw its items), 0 when it could not */
static int run(ea_node_replay *o, ea_node *nd, ea_node_replay_visit visit, void *arg)
{
	if (!ea_node_log(nd) || !ea_node_mvcc(nd)) { o->rc = EA_ENOTFOUND; return 0; }
	ea_replay *r = NULL;
	ea_error err = { 0 };
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	if ((o->rc = ea_replay_new(&r, ea_node_log(nd), ea_node_mvcc(nd), &ro, &err)) != EA_OK) {
		snprintf(o->reason, sizeof o->reason, "%.300s", err.msg);
		return 0;
	}
	uint64_t ci = ea_node_db(nd)->consistent_index;
	const ea_replay_item *it;
	int rc;
	while ((rc = ea_replay_next(&it, r)) == EA_OK) {
		if (!o->have_first && counts_as_first(it, ci)) keep_first(o, it);
		if (visit) visit(it, arg);
	}
	if (rc != EA_ITEROVER) {
		o->rc = rc;
		snprintf(o->reason, sizeof o->reason, "the replay stopped: %s", ea_strerror(rc));
	} else {
		const ea_replay_summary *s;
		ea_replay_summary_get(r, &s);
		keep_summary(o, s);
	}
	ea_replay_free(r);
	return 1;
}

const ea_node_replay *ea_node_replay_get(ea_node *n, ea_node_replay_visit visit, void *arg, int *visited)
{
	if (visited) *visited = 0;
	if (n->replay) return n->replay;
	ea_node_replay *o = calloc(1, sizeof *o);
	if (!o) return NULL;
	int started = run(o, n, visit, arg);
	if (visited) *visited = started;
	n->replay = o;
	return o;
}

const ea_node_replay *ea_node_replay_kept(const ea_node *n) { return n->replay; }
