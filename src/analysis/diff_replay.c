/* diff_replay.c: classifies diff's kv-hash-mismatch with the replay engine (see diff_replay.h).
 * Owns the classification phrase and the db-differs-from-own-wal findings; the per-member
 * replay run (its WAL against its own db) is the node's (node_replay.c). */
#include "diff_replay.h"
#include "etcd-autopsy/node_replay.h"
#include "util/vec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The node's kept replay (node_replay.c: one run per member, shared with the report). */
void ea__kv_replay_run(ea__kvr_node *o, ea_node *nd)
{
	o->ran = 1;
	const ea_node_replay *r = ea_node_replay_get(nd, NULL, NULL, NULL);
	if (!r) { o->rc = EA_ENOMEM; snprintf(o->reason, sizeof o->reason, "%s", ea_strerror(EA_ENOMEM)); return; }
	o->rc = r->rc;
	o->verdict = r->verdict;
	memcpy(o->reason, r->reason, sizeof o->reason);
	o->first_index = r->first_index;
	o->last_index = r->last_index;
	o->last_revision = r->last_revision;
	o->have_first = r->have_first;
	o->result = r->result;
	o->index = r->index;
	o->page = r->page;
	o->revision = r->revision;
	memcpy(o->key, r->key, sizeof o->key);
	memcpy(o->detail, r->detail, sizeof o->detail);
}

static const ea__kvr_node *replayed(ea__kv_replay *k, ea_node *const *nodes, size_t i)
{
	if (i >= EA__KVR_MAX) return NULL;
	ea__kvr_node *o = &k->node[i];
	if (!o->ran) ea__kv_replay_run(o, nodes[i]);
	if (o->rc == EA_OK && o->verdict == EA_REPLAY_DB_DIVERGES) k->corrupt |= 1u << i;
	return o;
}

static int diverges(const ea__kvr_node *o) { return o && o->rc == EA_OK && o->verdict == EA_REPLAY_DB_DIVERGES; }
static int equals(const ea__kvr_node *o) { return o && o->rc == EA_OK && o->verdict == EA_REPLAY_DB_EQUALS_WAL; }

/* Why node o's replay does not classify: its verdict and reason, or why it did not run. */
static void why_not(const ea__kvr_node *o, const char *name, char *out, size_t cap)
{
	if (!o) snprintf(out, cap, "%s: not replayed", name);
	else if (o->rc == EA_ENOTFOUND && !o->reason[0]) snprintf(out, cap, "%s: no WAL and db to replay", name);
	else if (o->rc != EA_OK) snprintf(out, cap, "%s: replay failed (%s)", name, o->reason);
	else snprintf(out, cap, "%s: %s (%s)", name, ea_replay_verdict_name(o->verdict), o->reason);
}

void ea__kv_replay_class(ea__kv_replay *k, ea_node *const *nodes, size_t x, size_t r, char *out, size_t cap)
{
	const ea__kvr_node *ox = replayed(k, nodes, x), *or = replayed(k, nodes, r);
	const char *nx = ea_node_name(nodes[x]), *nr = ea_node_name(nodes[r]);
	if (diverges(ox) || diverges(or)) {
		const char *both = diverges(ox) && diverges(or) ? "both" : NULL;
		snprintf(out, cap, "; local storage corruption: %s%s%s's db differs from %s own WAL (replay; see "
		         "db-differs-from-own-wal)", both ? nx : diverges(ox) ? nx : nr, both ? " and " : "",
		         both ? nr : "", both ? "their" : "its");
	} else if (equals(ox) && equals(or)) {
		snprintf(out, cap, k->committed_div
		         ? "; %s's and %s's dbs each equal their own WAL (replay): the logs differ (see committed-divergence)"
		         : "; apply divergence: %s's and %s's dbs each equal their own WAL (replay) and the logs agree: a bug "
		           "in apply, or a difference in a member's history before its WAL window", nx, nr);
	} else {
		char a[400], b[400];
		why_not(ox, nx, a, sizeof a);
		why_not(or, nr, b, sizeof b);
		snprintf(out, cap, "; not classified by replay: %s; %s", equals(ox) ? b : a, equals(ox) || equals(or) ? "" : b);
		size_t l = strlen(out);
		if (l >= 2 && out[l - 2] == ';') out[l - 2] = 0;
	}
}

int ea__kv_replay_only_x(const ea__kv_replay *k, size_t x, size_t r)
{
	return x < EA__KVR_MAX && r < EA__KVR_MAX && diverges(&k->node[x]) && equals(&k->node[r]);
}

uint32_t ea__kv_replay_findings(ea__kv_replay *k, ea_node *const *nodes, size_t n, ea_diff *d)
{
	const ea_finding_kind *kind = ea_finding_kind_get(EA_FK_DB_DIFFERS_FROM_OWN_WAL);
	for (size_t i = 0; i < n && i < EA__KVR_MAX; i++) {
		const ea__kvr_node *o = &k->node[i];
		if (!diverges(o)) continue;
		if (EA_VEC_RESERVE(d->findings, d->nfindings) != 0) continue;
		ea_finding *f = &d->findings[d->nfindings++];
		*f = (ea_finding){ .kind = kind->name, .kind_id = kind->id, .severity = "critical",
		                   .index = o->have_first ? o->index : 0, .revision = o->have_first ? o->revision : -1,
		                   .node_mask = 1u << i };
		if (o->have_first)
			snprintf(f->detail, sizeof f->detail, "%s: its db differs from its own WAL (replay): first at index %"
			         PRIu64 ", revision %" PRId64 ", key \"%s\", leaf page %" PRIu64 ": %s (%s): local storage "
			         "corruption of this member's db", ea_node_name(nodes[i]), o->index, o->revision, o->key, o->page,
			         o->result, o->detail);
		else
			snprintf(f->detail, sizeof f->detail, "%s: its db differs from its own WAL (replay): %s: local storage "
			         "corruption of this member's db", ea_node_name(nodes[i]), o->reason);
		if (d->verdict < kind->verdict) d->verdict = kind->verdict;
	}
	return k->corrupt;
}
