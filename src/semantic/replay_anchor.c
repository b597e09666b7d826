/* replay_anchor.c: the compaction anchor of the replay. Tried when the fixpoint on the base
 * revision B does not settle: the window starts below the db's compaction K and its entries up
 * to K compare or delete state that compaction removed (a member restored with `etcdutl
 * snapshot restore` whose db was compacted since), so their revisions cannot be counted from B.
 * The db still holds its whole keyspace at K and every revision above it, so the window is
 * anchored on K instead: the entry F' that made revision K + 1 is searched among the entries
 * that could have written the db's element (K + 1, 0) (its key, and its value or tombstone), and
 * a candidate is exact when a replay of F'..C from the db's state at K makes revision K + 1 at
 * F', reaches the db's revision R after C, and the db contradicts none of those entries (no
 * difference, nothing unknown). Accepted only when exactly one candidate is exact: never
 * guessed. The entries before F' are then unknown (their revisions lie at or below K).
 *
 * Cost: one WAL pass to collect the candidates, then two per candidate (one learning the lease
 * states at K, one checking), at most RP_ANCHOR_CANDIDATES candidates (more: no anchor), and two
 * more to relearn the pick's lease states when it was not the last one tried: at most
 * 1 + 2 * 17 = 35 passes after the fixpoint's, twice when no candidate is exact and the
 * value-blind search runs (a db whose values alone contradict the WAL above K: those revisions
 * are then db-differs, the verdict db-diverges-from-wal). When none is found the fixpoint's base revision
 * and lease states are put back (the replay then runs as without this search). Memory: the
 * element (K + 1, 0)'s key and value, the candidate list, a byte pair per lease. */
#include "replay_int.h"
#include "etcdserverpb.pb-c.h"

#include <stdlib.h>
#include <string.h>

#define RP_ANCHOR_CANDIDATES 16

typedef struct {
	uint8_t *key, *val;         /* the db's element (K + 1, 0) */
	size_t   klen, vlen;
	int      tomb, found, nomem;
	int      keys_only;         /* the value-blind search: a put of the key may have written it */
} first_elem;

static int first_cb(const ea_mvcc_kv *kv, void *payload)
{
	first_elem *f = payload;
	if (!kv->key) return 0;
	f->key = malloc(kv->key_len ? kv->key_len : 1);
	f->val = malloc(kv->value_len ? kv->value_len : 1);
	if (!f->key || !f->val) { f->nomem = 1; return 0; }
	if (kv->key_len) memcpy(f->key, kv->key, kv->key_len);
	if (kv->value_len) memcpy(f->val, kv->value, kv->value_len);
	f->klen = kv->key_len;
	f->vlen = kv->value_len;
	f->tomb = kv->tombstone;
	f->found = 1;
	return 0;
}

static int put_writes(const first_elem *f, const Etcdserverpb__PutRequest *p)
{
	if (f->tomb || p->key.len != f->klen || (f->klen && memcmp(p->key.data, f->key, f->klen) != 0)) return 0;
	if (p->ignore_value || f->keys_only) return 1;
	return p->value.len == f->vlen && (!f->vlen || memcmp(p->value.data, f->val, f->vlen) == 0);
}

static int delete_writes(const first_elem *f, const Etcdserverpb__DeleteRangeRequest *d)
{
	const uint8_t *end = d->has_range_end && d->range_end.len ? d->range_end.data : NULL;
	return f->tomb && ea__rp_in_range(f->key, f->klen, d->key.data ? d->key.data : (const uint8_t *)"", d->key.len,
	                                  end, end ? d->range_end.len : 0);
}

/* Any op of any branch, nested txns included (a superset of what the txn can write first). */
static int txn_writes(const first_elem *f, const Etcdserverpb__TxnRequest *t, int depth)
{
	if (depth > 64) return 1;
	for (int b = 0; b < 2; b++) {
		Etcdserverpb__RequestOp **ops = b ? t->failure : t->success;
		size_t n = b ? t->n_failure : t->n_success;
		for (size_t i = 0; i < n; i++) {
			if (ops[i]->request_put && put_writes(f, ops[i]->request_put)) return 1;
			if (ops[i]->request_delete_range && delete_writes(f, ops[i]->request_delete_range)) return 1;
			if (ops[i]->request_txn && txn_writes(f, ops[i]->request_txn, depth + 1)) return 1;
		}
	}
	return 0;
}

/* 1 if the entry's request could write the element f (a revoke: any tombstone). */
static int could_write(rp_ctx *c, const first_elem *f, const ea_entry_item *e)
{
	const ea_entry_header *h = &e->log.item.rec.u.entry;
	const char *k = e->info.kind ? e->info.kind : "";
	if (!e->info.decode_ok || (strcmp(k, "put") && strcmp(k, "delete_range") && strcmp(k, "txn") && strcmp(k, "lease_revoke")))
		return 0;
	ea_arena_reset(&c->arena);
	Etcdserverpb__InternalRaftRequest *r = etcdserverpb__internal_raft_request__unpack(&c->arena.pb, h->data_len, h->data);
	if (!r) return 1;   /* undecodable: not excluded */
	if (r->put) return put_writes(f, r->put);
	if (r->delete_range) return delete_writes(f, r->delete_range);
	if (r->txn) return txn_writes(f, r->txn, 0);
	return r->lease_revoke && f->tomb;
}

/* One pass over the committed entries F..C: the indexes of those that could write f. */
static int candidates(rp_ctx *c, const first_elem *f, uint64_t *out, size_t *n, int *overflow, ea_error *err)
{
	*n = 0;
	*overflow = 0;
	ea_entry_iter_free(c->it);
	c->it = NULL;
	int rc = ea_log_rewind(c->log, err);
	ea_entry_iter_options io = { c->opts.members };
	if (rc || (rc = ea_entry_iter_new(&c->it, c->log, &io))) return rc;
	c->sum.passes++;
	const ea_entry_item *e;
	while ((rc = ea_entry_iter_next(&e, c->it)) == EA_OK) {
		if (!e->is_entry) continue;
		uint64_t idx = e->log.item.rec.u.entry.index;
		/* committed as replay.c's committed(): by the HardState, or at or below the db's C */
		int comm = e->state == EA_ENTRY_COMMITTED || (e->state == EA_ENTRY_UNCOMMITTED && idx <= c->C);
		if (!comm || idx < c->F) continue;
		if (idx > c->C) break;
		if (!could_write(c, f, e)) continue;
		if (*n == RP_ANCHOR_CANDIDATES) { *overflow = 1; break; }
		out[(*n)++] = idx;
	}
	return rc == EA_OK || rc == EA_ITEROVER ? EA_OK : rc;
}

/* Lease existence at K is learned again from each candidate's own first grant/revoke. */
static void forget_lease_bases(rp_ctx *c)
{
	for (size_t i = 0; i < c->m.nleases; i++) {
		c->m.leases[i].base = -1;
		c->m.leases[i].learned = 0;
	}
}

/* 1 if the replay of f..C from the db's state at K is exact; values_only: exact but for
 * revisions whose values alone the db contradicts (at least one). */
static int exact(rp_ctx *c, uint64_t f, int values_only, int *res, ea_error *err)
{
	c->F = f;
	c->B = c->K;
	forget_lease_bases(c);
	c->learning = 1;
	int rc = ea__rp_anchor_pass(c, err, NULL, NULL);
	c->learning = 0;
	if (rc) return rc;
	uint64_t bad = 0;
	int first_wrote = 0;
	c->value_diffs = 0;
	rc = ea__rp_anchor_pass(c, err, &bad, &first_wrote);
	*res = !rc && c->C_reached && c->rev_at_C == c->R && first_wrote &&
	       (values_only ? bad && bad == c->value_diffs : !bad);
	return rc;
}

/* The fixpoint's lease states, put back when no anchor is found (the replay then runs as
 * before this search). */
typedef struct {
	int8_t *base, *learned;
	size_t n;
} lease_bases;

static int save_bases(const rp_ctx *c, lease_bases *s)
{
	s->n = c->m.nleases;
	s->base = malloc(s->n ? s->n : 1);
	s->learned = malloc(s->n ? s->n : 1);
	if (!s->base || !s->learned) return EA_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		s->base[i] = c->m.leases[i].base;
		s->learned[i] = c->m.leases[i].learned;
	}
	return EA_OK;
}

static void restore_bases(rp_ctx *c, const lease_bases *s)
{
	forget_lease_bases(c);
	for (size_t i = 0; i < s->n && i < c->m.nleases; i++) {
		c->m.leases[i].base = s->base[i];
		c->m.leases[i].learned = s->learned[i];
	}
}

static int search(rp_ctx *c, int *found, ea_error *err);

int ea__rp_tail_anchor(rp_ctx *c, ea_error *err, int *found)
{
	*found = 0;
	if (!c->db || !c->have_C || c->K < 1 || c->K >= c->R || c->C < c->F) return EA_OK;
	uint64_t from = c->F;
	int64_t base = c->B;
	lease_bases saved = { 0 };
	int rc = save_bases(c, &saved);
	if (!rc) rc = search(c, found, err);
	if (!rc && !*found) {
		c->F = from;
		c->B = base;
		restore_bases(c, &saved);
	}
	free(saved.base);
	free(saved.learned);
	return rc;
}

/* The candidates for f (values compared unless f->keys_only) tried in turn: *pick the only one
 * that passes exact(values_only), 0 when none or several do (or too many candidates). */
static int try_candidates(rp_ctx *c, first_elem *f, int values_only, uint64_t *pick, ea_error *err)
{
	uint64_t cand[RP_ANCHOR_CANDIDATES];
	size_t n = 0, nexact = 0;
	int overflow = 0;
	*pick = 0;
	int rc = candidates(c, f, cand, &n, &overflow, err);
	for (size_t i = 0; !rc && !overflow && i < n; i++) {
		int ok;
		if ((rc = exact(c, cand[i], values_only, &ok, err))) break;
		if (ok && !nexact++) *pick = cand[i];
	}
	if (rc) return rc;
	if (nexact != 1) { *pick = 0; return EA_OK; }
	if (*pick != cand[n - 1]) {
		int ok;
		if ((rc = exact(c, *pick, values_only, &ok, err))) return rc;   /* the lease states at K of the pick */
	}
	return EA_OK;
}

/* Exact candidates first; when none is, the value-blind search: a db corrupted above K in a
 * value's bytes (the keys, revisions, versions and leases all as the WAL made them) is anchored
 * all the same, and its emitting pass names those revisions db-differs (the verdict
 * db-diverges-from-wal): only when exactly one candidate passes, never a guess. */
static int search(rp_ctx *c, int *found, ea_error *err)
{
	uint64_t from = c->F, pick = 0;
	first_elem f = { 0 };
	int rc = ea_mvcc_get_rev(c->db, c->K + 1, 0, first_cb, &f);
	if (f.nomem) rc = EA_ENOMEM;
	else if (rc == EA_OK && f.found) {
		rc = try_candidates(c, &f, 0, &pick, err);
		if (!rc && !pick) {
			f.keys_only = 1;
			rc = try_candidates(c, &f, 1, &pick, err);
		}
	} else rc = rc == EA_ENOTFOUND || rc == EA_ECORRUPT ? EA_OK : rc;
	free(f.key);
	free(f.val);
	if (rc) return rc;
	if (pick) {
		c->F = pick;
		c->B = c->K;
		c->head_from = from;
		c->tail_anchored = 1;
		*found = 1;
	}
	return EA_OK;
}
