/* k8s_load.c: the Kubernetes write load of one member's committed WAL window (k8s_load.h).
 * Owns the pass (a visitor of the member's replay, node_replay.h), the classification of each
 * entry (apiserver txn shape and outcome, plain put / delete), the bucketing and the totals. */
#include "k8s_load_int.h"
#include "etcd-autopsy/node_replay.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	ea__ltable res, ns, rns, obj;
} priv;

typedef struct {
	const ea_k8s *k;
	ea_k8s_load *out;
	priv *p;
	uint64_t lo, hi, width;
	int nomem;
	const ea_walltime *wt;   /* by time: the entries' estimates */
	int64_t twidth;          /* by time: µs per bucket */
} lctx;

const char *ea_k8s_op_name(ea_k8s_op op)
{
	static const char *const n[] = { "create", "update", "delete", "compact-marker", "other" };
	return (unsigned)op < EA_K8S_OPS ? n[op] : "other";
}

static ea_k8s_op op_of(const char *name)
{
	for (int i = 0; i < EA_K8S_OPS - 1; i++) if (strcmp(name, ea_k8s_op_name((ea_k8s_op)i)) == 0) return (ea_k8s_op)i;
	return EA_K8S_OP_OTHER;
}

#define NO_BUCKET ((size_t)-1)

/* The bucket of an entry: by its estimated time (NO_BUCKET: none), else by raft index. */
static size_t bucket_of(const lctx *c, const ea_replay_item *it)
{
	if (c->out->by_time) return ea__k8s_load_time_bucket(c->out, c->wt, it->index, c->twidth);
	uint64_t i = it->index < c->lo ? c->lo : it->index > c->hi ? c->hi : it->index;
	size_t b = (size_t)((i - c->lo) / c->width);
	return b < c->out->nbuckets ? b : c->out->nbuckets - 1;
}

/* The committed window [lo, hi] of the member and buckets of equal width over it. */
static void buckets_init(lctx *c, const ea_node *nd)
{
	const ea_node_wal_info *w = ea_node_wal(nd);
	uint64_t lo = w->first_index ? w->first_index : 1, hi = w->summary.last_index;
	if (w->summary.have_hard_state && w->summary.hard_state.commit < hi) hi = w->summary.hard_state.commit;
	if (hi < lo) hi = lo;
	uint64_t span = hi - lo + 1;
	c->width = (span + EA_K8S_LOAD_BUCKETS - 1) / EA_K8S_LOAD_BUCKETS;
	c->lo = lo;
	c->hi = hi;
	c->out->first_index = lo;
	c->out->last_index = hi;
	c->out->nbuckets = (size_t)((span + c->width - 1) / c->width);
	for (size_t b = 0; b < c->out->nbuckets; b++) {
		c->out->buckets[b].lo = lo + b * c->width;
		c->out->buckets[b].hi = b + 1 == c->out->nbuckets ? hi : lo + (b + 1) * c->width - 1;
	}
}

/* By time instead: buckets of equal span over the estimates of the window's dated part; their
 * index ranges are filled by the pass (time_range). Stays by index when nothing is dated. */
static void buckets_time(lctx *c)
{
	uint64_t first, last;
	if (!c->wt || !ea__k8s_load_dated(c->wt, c->lo, c->hi, &first, &last)) return;
	ea_walltime_est e0, e1;
	ea_walltime_at(c->wt, first, &e0);
	ea_walltime_at(c->wt, last, &e1);
	ea_k8s_load *out = c->out;
	out->by_time = 1;
	out->first_us = e0.time_us;
	out->last_us = e1.time_us < e0.time_us ? e0.time_us : e1.time_us;
	memset(out->buckets, 0, sizeof out->buckets);
	ea__k8s_load_time_buckets(out, out->first_us, out->last_us, &c->twidth);
}

/* By time: the committed index range of bucket b grows by `index`. */
static void time_range(ea_k8s_load_bucket *k, uint64_t index)
{
	if (!k->lo || index < k->lo) k->lo = index;
	if (index > k->hi) k->hi = index;
}

/* One counted entry on a cell: outcome 0 applied (a write), 1 CAS conflict, 2 unknown. */
static void cell_count(ea__lcell *cl, const ea_replay_item *it, ea_k8s_outcome oc)
{
	if (oc == EA_K8S_APPLIED) cl->writes++;
	else if (oc == EA_K8S_FAILED) cl->cas++;
	else cl->unknown++;
	if (!cl->first_index) cl->first_index = it->index;
	cl->last_index = it->index;
	if (oc == EA_K8S_APPLIED && it->revision > 0) cl->last_revision = it->revision;
}

static void count_in(lctx *c, ea__ltable *t, const ea_k8s_str f[EA__LF_N], const ea_replay_item *it,
                     ea_k8s_outcome oc, int event, size_t b)
{
	ea__lcell *cl = ea__ltable_get(t, f, &c->nomem);
	if (!cl) { if (oc == EA_K8S_APPLIED) t->untracked++; return; }
	cell_count(cl, it, oc);
	if (!event || oc != EA_K8S_APPLIED || t != &c->p->ns) return;
	cl->events++;
	if (b == NO_BUCKET) return;
	if (!cl->ev) cl->ev = calloc(c->out->nbuckets, sizeof *cl->ev);
	if (cl->ev) cl->ev[b]++;
	else c->nomem = 1;
}

static int is_events(const ea_k8s_object *o)
{
	return o->resource.p && o->resource.n == 6 && memcmp(o->resource.p, "events", 6) == 0;
}

/* A write (or conflict) on object o: the totals, its bucket and the four tables. */
static void count(lctx *c, const ea_k8s_object *o, const uint8_t *key, size_t klen, const ea_replay_item *it,
                  ea_k8s_outcome oc, size_t b)
{
	ea_k8s_load *out = c->out;
	int ev = is_events(o);
	ea_k8s_load_bucket untimed = { 0 }, *bk = b == NO_BUCKET ? &untimed : &out->buckets[b];
	if (oc == EA_K8S_APPLIED) { out->writes++; bk->writes++; }
	else if (oc == EA_K8S_FAILED) { out->cas_failures++; bk->cas_failures++; }
	else out->unknown++;
	if (ev && oc == EA_K8S_APPLIED) { out->events++; bk->events++; }
	out->untimed_writes += untimed.writes;
	out->untimed_cas += untimed.cas_failures;
	out->untimed_events += untimed.events;
	ea_k8s_str none = { NULL, 0 }, k = { (const char *)key, klen };
	ea_k8s_str fr[EA__LF_N] = { o->group, o->resource, none, none, none };
	ea_k8s_str fn[EA__LF_N] = { none, none, o->ns.p ? o->ns : none, none, none };
	ea_k8s_str frn[EA__LF_N] = { o->group, o->resource, o->ns, none, none };
	ea_k8s_str fo[EA__LF_N] = { o->group, o->resource, o->ns, o->name, k };
	count_in(c, &c->p->res, fr, it, oc, ev, b);
	count_in(c, &c->p->ns, fn, it, oc, ev, b);
	count_in(c, &c->p->rns, frn, it, oc, ev, b);
	count_in(c, &c->p->obj, fo, it, oc, ev, b);
}

/* A txn: its shape and outcome, and the key it is about (the compared one). 0 when it counts
 * nothing under the prefix (a failed or unknown txn that is no apiserver write). */
static int txn_entry(lctx *c, const ea_replay_item *it, const uint8_t **key, size_t *klen, ea_k8s_outcome *oc)
{
	const ea_txn_shape *t = it->entry->info.txn;
	ea_k8s_op op = op_of(ea_k8s_txn_op(t));
	*oc = it->txn_applied < 0 ? EA_K8S_UNKNOWN : it->txn_applied ? EA_K8S_APPLIED : EA_K8S_FAILED;
	c->out->txns++;
	c->out->ops[op][*oc]++;
	*key = t->ncompare ? t->compare[0].key : t->success_key;
	*klen = t->ncompare ? t->compare[0].key_len : t->success_key_len;
	return *oc == EA_K8S_APPLIED || op <= EA_K8S_OP_DELETE;
}

static void visit(const ea_replay_item *it, void *arg)
{
	lctx *c = arg;
	if (!it->entry || it->state != EA_ENTRY_COMMITTED || !it->entry->info.kind) return;
	c->out->entries++;
	size_t b = bucket_of(c, it);
	if (c->out->by_time) {
		if (b == NO_BUCKET) c->out->untimed_entries++;
		else time_range(&c->out->buckets[b], it->index);
	}
	const ea_entry_info *in = &it->entry->info;
	const uint8_t *key = in->key;
	size_t klen = in->key_len;
	ea_k8s_outcome oc = EA_K8S_APPLIED;
	if (in->txn) {
		if (!txn_entry(c, it, &key, &klen, &oc)) return;
	} else if (strcmp(in->kind, "delete_range") == 0) {
		if (it->writes <= 0) return;
	} else if (strcmp(in->kind, "put") != 0) {
		return;
	}
	ea_k8s_object o;
	if (!key || !ea_k8s_key(c->k, key, klen, &o)) return;
	c->out->present = 1;
	count(c, &o, key, klen, it, oc, b);
}

static int finish(lctx *c)
{
	ea_k8s_load *out = c->out;
	priv *p = c->p;
	int rc = ea__ltable_top(&p->res, &out->resources);
	if (rc == EA_OK) rc = ea__ltable_top(&p->ns, &out->namespaces);
	if (rc == EA_OK) rc = ea__ltable_top(&p->rns, &out->resource_ns);
	if (rc == EA_OK) rc = ea__ltable_top(&p->obj, &out->objects);
	out->nstorm = ea__ltable_storm(&p->ns, out->storm, EA_K8S_LOAD_STORM);
	return c->nomem ? EA_ENOMEM : rc;
}

int ea_k8s_load_build(ea_node *nd, const ea_k8s *k, ea_k8s_load *out)
{
	return ea_k8s_load_build_timed(nd, k, NULL, out);
}

int ea_k8s_load_build_timed(ea_node *nd, const ea_k8s *k, const ea_walltime *wt, ea_k8s_load *out)
{
	memset(out, 0, sizeof *out);
	out->node = ea_node_name(nd);
	out->replay_rc = EA_ENOTFOUND;
	if (!ea_node_log(nd) || !ea_node_mvcc(nd)) return EA_ENOTFOUND;
	if (ea_node_replay_kept(nd)) return EA_EINVAL;
	lctx c = { k, out, calloc(1, sizeof(priv)), 0, 0, 1, 0, wt, 1 };
	if (!c.p) return EA_ENOMEM;
	out->priv = c.p;
	buckets_init(&c, nd);
	buckets_time(&c);
	int visited = 0;
	const ea_node_replay *r = ea_node_replay_get(nd, visit, &c, &visited);
	if (!r) return EA_ENOMEM;
	out->replay_rc = r->rc;
	if (r->rc == EA_OK) out->replay_verdict = ea_replay_verdict_name(r->verdict);
	return finish(&c);
}

void ea_k8s_load_free(ea_k8s_load *l)
{
	priv *p = l->priv;
	if (p) {
		ea__ltable_free(&p->res);
		ea__ltable_free(&p->ns);
		ea__ltable_free(&p->rns);
		ea__ltable_free(&p->obj);
		free(p);
	}
	free(l->resources.rows);
	free(l->namespaces.rows);
	free(l->resource_ns.rows);
	free(l->objects.rows);
	memset(l, 0, sizeof *l);
}
