/* lost.c: what a lagging or rolled-back member lost against a reference member (see lost.h).
 * Owns placing the reference index on a revision (its replay), the two key-ordered passes over
 * the dbs' states and the capped, prefix-grouped listing. */
#include "etcd-autopsy/lost.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(ea_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ea_error *err, const char *fmt, ...)
{
	if (err) {
		memset(err, 0, sizeof *err);
		err->code = EA_EINVAL;
		err->layer = EA_LAYER_ANALYSIS;
		err->offset = EA_NO_OFFSET;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return EA_EINVAL;
}

/* Replays log against db into side; with at != 0, *rev_at gets the revision after entry `at`
 * (the base revision when no entry up to it made one), *placed 1 when `at` is in the window. */
static int replay_side(ea_lost_side *side, ea_log *log, ea_mvcc *db, uint64_t at, int64_t *rev_at, int *placed,
                       ea_error *err)
{
	ea_replay *r = NULL;
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	int rc = ea_replay_new(&r, log, db, &ro, err);
	if (rc) return rc;
	const ea_replay_item *it;
	int64_t rev = 0;
	while ((rc = ea_replay_next(&it, r)) == EA_OK) {
		if (!it->index || it->result == EA_REPLAY_NOT_CHECKED || it->index > at) continue;
		if (it->index == at) *placed = 1;
		if (it->revision > rev) rev = it->revision;
	}
	if (rc == EA_ITEROVER) {
		const ea_replay_summary *s;
		ea_replay_summary_get(r, &s);
		side->replayed = 1;
		side->verdict = s->verdict;
		snprintf(side->reason, sizeof side->reason, "%s", s->reason);
		if (rev_at) *rev_at = rev > s->base_revision ? rev : s->base_revision;
		rc = EA_OK;
	}
	ea_replay_free(r);
	return rc;
}

typedef struct {
	ea_lost *l;
	ea_mvcc *other;
	int64_t other_rev;
	int member_side;               /* the range walks the member's state */
	const ea_mvcc_kv *cur;         /* the element of the walk, while its lookup runs */
	int found, equal;
	int64_t other_mod;
	int rc;
} walk_ctx;

static int lookup_cb(const ea_mvcc_kv *kv, void *payload)
{
	walk_ctx *w = payload;
	if (kv->tombstone) return 0;
	w->found = 1;
	w->other_mod = kv->mod_revision;
	w->equal = kv->value_len == w->cur->value_len && (!kv->value_len || memcmp(kv->value, w->cur->value, kv->value_len) == 0);
	return 0;
}

/* The key's prefix: up to and including its last '/' (the whole key when it has none). */
static size_t prefix_len(const uint8_t *k, size_t n)
{
	for (size_t i = n; i > 0; i--) if (k[i - 1] == '/') return i;
	return n;
}

static int count_prefix(ea_lost *l, const uint8_t *k, size_t n, ea_lost_how how)
{
	size_t pl = prefix_len(k, n);
	size_t named = l->nprefixes - (size_t)l->prefixes_other;
	for (size_t i = 0; i < named; i++)
		if (l->prefixes[i].len == pl && memcmp(l->prefixes[i].prefix, k, pl) == 0) { l->prefixes[i].n[how]++; return 0; }
	if (!l->prefixes) {
		l->prefixes = calloc(EA_LOST_PREFIX_CAP + 1, sizeof *l->prefixes);
		if (!l->prefixes) return EA_ENOMEM;
	}
	if (named == EA_LOST_PREFIX_CAP) {
		if (!l->prefixes_other) { l->prefixes_other = 1; l->nprefixes++; }
		l->prefixes[EA_LOST_PREFIX_CAP].n[how]++;
		return 0;
	}
	ea_lost_prefix *p = &l->prefixes[named];
	if (!(p->prefix = malloc(pl ? pl : 1))) return EA_ENOMEM;
	memcpy(p->prefix, k, pl);
	p->len = pl;
	p->n[how] = 1;
	l->nprefixes++;
	return 0;
}

static int record(ea_lost *l, const uint8_t *k, size_t n, ea_lost_how how, int64_t mmod, int64_t rmod)
{
	l->total[how]++;
	int rc = count_prefix(l, k, n, how);
	if (rc) return rc;
	if (l->nkeys == EA_LOST_KEYS_CAP) { l->keys_dropped++; return 0; }
	if (!l->keys && !(l->keys = calloc(EA_LOST_KEYS_CAP, sizeof *l->keys))) return EA_ENOMEM;
	ea_lost_key *e = &l->keys[l->nkeys];
	if (!(e->key = malloc(n ? n : 1))) return EA_ENOMEM;
	memcpy(e->key, k, n);
	e->key_len = n;
	e->how = how;
	e->member_mod = mmod;
	e->reference_mod = rmod;
	l->nkeys++;
	return 0;
}

/* One element of a side's state: looked up in the other side's state. The member's walk
 * records only keys the reference lacks (the reference's walk has seen the rest). */
static int walk_cb(const ea_mvcc_kv *kv, void *payload)
{
	walk_ctx *w = payload;
	if (!kv->decode_ok || !kv->key) return 0;
	w->cur = kv;
	w->found = w->equal = 0;
	w->other_mod = 0;
	int rc = ea_mvcc_get_at(w->other, kv->key, kv->key_len, w->other_rev, lookup_cb, w);
	if (rc && rc != EA_ENOTFOUND) { w->rc = rc; return rc; }
	if (w->member_side) {
		if (!w->found) w->rc = record(w->l, kv->key, kv->key_len, EA_LOST_EXTRA, kv->mod_revision, 0);
	} else if (!w->found) {
		w->rc = record(w->l, kv->key, kv->key_len, EA_LOST_MISSING, 0, kv->mod_revision);
	} else if (!w->equal) {
		w->rc = record(w->l, kv->key, kv->key_len, EA_LOST_CHANGED, w->other_mod, kv->mod_revision);
	}
	return w->rc;
}

/* The reference's index and revision: its consistent_index and revision, or entry `at`'s. */
static int place_reference(ea_lost *l, ea_log *rlog, ea_mvcc *rdb, const ea_mvcc_info *ri, uint64_t at, ea_error *err)
{
	ea_lost_side *r = &l->reference;
	r->index = at ? at : ri->consistent_index;
	r->revision = ri->revision;
	r->compact_revision = ri->compact_revision;
	if (!rlog) {
		if (at && at != ri->consistent_index)
			return fail(err, "the reference has no WAL: its state is known only at its db's consistent_index %" PRIu64, ri->consistent_index);
		return EA_OK;
	}
	int64_t rev = 0;
	int placed = 0;
	int rc = replay_side(r, rlog, rdb, at ? at : UINT64_MAX, &rev, &placed, err);
	if (rc) return rc;
	if (!at) return EA_OK;
	if (!placed) return fail(err, "index %" PRIu64 " is not a committed entry of the reference's WAL", at);
	if (at > ri->consistent_index)
		return fail(err, "index %" PRIu64 " is beyond the reference db's consistent_index %" PRIu64 ": its db does not hold that state yet",
		            at, ri->consistent_index);
	r->revision = rev;
	if (rev <= ri->compact_revision && rev != ri->revision)
		return fail(err, "index %" PRIu64 " is revision %" PRId64 ", at or below the reference db's compaction %" PRId64
		            ": that state is gone", at, rev, ri->compact_revision);
	return EA_OK;
}

int ea_lost_run(ea_log *mlog, ea_mvcc *mdb, ea_log *rlog, ea_mvcc *rdb, uint64_t at, ea_lost *l, ea_error *err)
{
	memset(l, 0, sizeof *l);
	if (!mdb || !rdb) return fail(err, "both the member and the reference need a readable db");
	ea_mvcc_info mi, ri;
	int rc = ea_mvcc_info_get(mdb, &mi);
	if (!rc) rc = ea_mvcc_info_get(rdb, &ri);
	if (rc) return fail(err, "cannot read a db's meta: %s", ea_strerror(rc));
	l->member.index = mi.consistent_index;
	l->member.revision = mi.revision;
	l->member.compact_revision = mi.compact_revision;
	if (mlog && (rc = replay_side(&l->member, mlog, mdb, 0, NULL, &(int){ 0 }, err))) return rc;
	if ((rc = place_reference(l, rlog, rdb, &ri, at, err))) return rc;
	walk_ctx w = { .l = l, .other = mdb, .other_rev = l->member.revision };
	rc = ea_mvcc_range(rdb, NULL, 0, l->reference.revision, walk_cb, &w, err);
	if (!rc) {
		w = (walk_ctx){ .l = l, .other = rdb, .other_rev = l->reference.revision, .member_side = 1 };
		rc = ea_mvcc_range(mdb, NULL, 0, l->member.revision, walk_cb, &w, err);
	}
	if (!rc) rc = w.rc;
	if (rc) { ea_lost_free(l); return rc; }
	return EA_OK;
}

void ea_lost_free(ea_lost *l)
{
	for (size_t i = 0; i < l->nkeys; i++) free(l->keys[i].key);
	for (size_t i = 0; i < l->nprefixes; i++) free(l->prefixes[i].prefix);
	free(l->keys);
	free(l->prefixes);
	memset(l, 0, sizeof *l);
}

const char *ea_lost_how_name(ea_lost_how how)
{
	static const char *const names[] = { "missing", "changed", "extra" };
	return (unsigned)how < 3 ? names[how] : "?";
}
