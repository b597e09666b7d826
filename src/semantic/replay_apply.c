/* replay_apply.c: etcd's apply of one committed v3 request to the replay model (etcd 3.4/3.5
 * etcdserver/apply.go applierV3backend, mvcc/kvstore_txn.go storeTxnWrite, lease/lessor.go).
 *
 *   put           lease must exist (ErrLeaseNotFound), ignore_value/ignore_lease need the key
 *                 (ErrKeyNotFound); create_revision kept while alive, version + 1
 *   delete_range  every live key of [key, end) in key order, one tombstone each
 *   txn           every compare (nested ones too) against the state before the txn
 *                 (compareToPath), the put checks on that state, then the ops of the chosen
 *                 branches in order: one main revision, a sub revision per write
 *   lease_revoke  the lease's keys sorted, each deleted, in one revision
 *   compaction, lease_grant, alarm: no revision (state only)
 * A request that fails, or changes nothing, makes no revision (storeTxnWrite.End). The alarm
 * appliers: NOSPACE refuses puts, txns with a put and lease grants; CORRUPT refuses all. */
#include "replay_int.h"
#include "format/pb_wire.h"

#include "etcdserverpb.pb-c.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef Etcdserverpb__InternalRaftRequest irr_t;
typedef Etcdserverpb__TxnRequest txn_t;
typedef Etcdserverpb__RequestOp op_t;
typedef Etcdserverpb__Compare cmp_t;

/* etcdserverpb rpc.proto Compare.CompareTarget / CompareResult */
enum { T_VERSION = 0, T_CREATE = 1, T_MOD = 2, T_VALUE = 3, T_LEASE = 4 };
enum { R_EQUAL = 0, R_GREATER = 1, R_LESS = 2, R_NOT_EQUAL = 3 };

static void why(rp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(rp_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

/* The key's index; its base state loaded on first sight. < 0: no memory. */
static long key_state(rp_ctx *c, const uint8_t *k, size_t n)
{
	int created;
	long i = ea__rp_key_find(&c->m, k ? k : (const uint8_t *)"", n, 1, &created);
	if (i < 0) return -1;
	if (created && ea__rp_db_load_base(c, (uint32_t)i)) return -1;
	return i;
}

static int lease_exists(rp_ctx *c, int64_t id)
{
	rp_lease *l = ea__rp_lease_get(&c->m, id);
	if (!l) return -2;
	if (l->exists != -1) return l->exists;
	int e = c->from_one ? 0 : l->base != -1 ? l->base : ea__rp_db_lease_exists(c, id);
	l->exists = (int8_t)e;
	return e;
}

/* A grant or a revoke decides whether the lease existed at B (first anchor pass). */
static void lease_event(rp_ctx *c, int64_t id, int grant)
{
	rp_lease *l = ea__rp_lease_get(&c->m, id);
	if (l && c->learning && !l->learned) {
		l->learned = 1;
		l->base = grant ? 0 : 1;
	}
}

static int alarm_active(const rp_ctx *c, int alarm)
{
	for (size_t i = 0; i < c->nalarms; i++) if (c->alarms[i].alarm == alarm) return 1;
	return 0;
}

/* ---- writes -------------------------------------------------------------------------------- */

static int do_put(rp_ctx *c, const Etcdserverpb__PutRequest *p)
{
	long i = key_state(c, p->key.data, p->key.len);
	if (i < 0) return EA_ENOMEM;
	rp_key *k = &c->m.keys[i];
	int64_t rev = c->rev + 1;
	rp_write w = { .key = (uint32_t)i };
	if (k->st == RP_ALIVE) {
		w.create = k->create;
		w.version = k->version + 1;
		w.cv_known = k->cv_known;
	} else if (k->st == RP_ABSENT) {
		w.create = rev;
		w.version = 1;
		w.cv_known = 1;
	} else {
		c->uncertain |= p->ignore_value || p->ignore_lease;
	}
	if (p->ignore_value) {
		if (ea__rp_key_hash(c, k)) c->uncertain = 1;   /* the previous value cannot be read again */
		w.vlen = k->vlen;
		w.vhash = k->vhash;
	} else {
		w.val = p->value.data ? p->value.data : (const uint8_t *)"";
		w.vlen = (uint32_t)p->value.len;
		if (ea__rp_key_set_put_value(c, k, w.val, p->value.len)) return EA_ENOMEM;
	}
	w.lease = p->ignore_lease ? k->lease : p->lease;
	k->st = RP_ALIVE;
	k->cv_known = w.cv_known;
	k->create = w.create;
	k->version = w.version;
	k->mod = rev;
	k->mod_sub = (int64_t)c->m.nwrites;
	k->lease = w.lease;
	k->touched = 1;
	if (c->K >= 0 && rev <= c->K) {
		k->keep_rev = rev;
		k->keep_sub = (uint32_t)k->mod_sub;
		k->keep_index = c->cur_index;
		k->keep_term = c->cur_term;
		k->keep_found = 0;
	}
	if (w.lease && ea__rp_lease_attach(&c->m, w.lease, (uint32_t)i)) return EA_ENOMEM;
	return ea__rp_write_push(&c->m, &w);
}

static int tombstone(rp_ctx *c, uint32_t i)
{
	rp_key *k = &c->m.keys[i];
	rp_write w = { .key = i, .del = 1, .cv_known = 1 };
	k->st = RP_ABSENT;
	k->cv_known = 1;
	k->create = k->version = k->lease = 0;
	k->vlen = 0;
	k->vpre_len = 0;
	k->pre_lazy = 0;
	k->mod = c->rev + 1;
	k->mod_sub = (int64_t)c->m.nwrites;
	k->touched = 1;
	if (c->K >= 0 && k->mod <= c->K) k->keep_rev = 0;   /* deleted by then: compaction drops it all */
	return ea__rp_write_push(&c->m, &w);
}

static int has_end(const ProtobufCBinaryData *e, protobuf_c_boolean has) { return has && e->len > 0; }

/* The live keys of [key, end) now, sorted, in m->tmp; `uncertain` raised when the model
 * cannot tell. */
static int collect_range(rp_ctx *c, const uint8_t *key, size_t kl, const uint8_t *end, size_t el)
{
	rp_model *m = &c->m;
	m->ntmp = 0;
	if (!end) {
		long i = key_state(c, key, kl);
		if (i < 0) return EA_ENOMEM;
		if (m->keys[i].st == RP_UNKNOWN) c->uncertain = 1;
		return m->keys[i].st == RP_ALIVE ? ea__rp_tmp_push(m, (uint32_t)i) : EA_OK;
	}
	int rc = ea__rp_db_load_range(c, key, kl, end, el);
	if (rc) return rc;
	for (size_t i = 0; i < m->nkeys; i++) {
		const rp_key *k = &m->keys[i];
		if (k->st == RP_ABSENT || !ea__rp_in_range(ea__rp_key_bytes(m, k), k->klen, key, kl, end, el)) continue;
		if (k->st == RP_UNKNOWN) { c->uncertain = 1; continue; }
		if (ea__rp_tmp_push(m, (uint32_t)i)) return EA_ENOMEM;
	}
	ea__rp_sort_tmp(m);
	return EA_OK;
}

static int do_delete(rp_ctx *c, const Etcdserverpb__DeleteRangeRequest *d)
{
	const uint8_t *end = has_end(&d->range_end, d->has_range_end) ? d->range_end.data : NULL;
	int rc = collect_range(c, d->key.data, d->key.len, end, end ? d->range_end.len : 0);
	for (size_t j = 0; rc == EA_OK && j < c->m.ntmp; j++) rc = tombstone(c, c->m.tmp[j]);
	return rc;
}

/* ---- compares ------------------------------------------------------------------------------ */

static int cmp64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }

/* bytes.Compare(value of key i, v): 0 ok, -1 unknown. */
static int value_cmp(rp_ctx *c, uint32_t i, const uint8_t *v, size_t vl, int *res)
{
	rp_key *k = &c->m.keys[i];
	size_t common = k->vpre_len < vl ? k->vpre_len : vl;
	const uint8_t *pre = common ? ea__rp_key_prefix(c, k) : NULL;
	if (common && !pre) return -1;
	int d = common ? memcmp(pre, v, common) : 0;
	if (d) { *res = d < 0 ? -1 : 1; return 0; }
	if (common == k->vlen || common == vl) { *res = cmp64((int64_t)k->vlen, (int64_t)vl); return 0; }
	return ea__rp_db_value_cmp(c, i, v, vl, res);
}

/* compareKV on key i (or the zero KeyValue for i < 0): 1, 0, -1 unknown. */
static int compare_kv(rp_ctx *c, const cmp_t *cp, long i)
{
	rp_key *k = i >= 0 ? &c->m.keys[i] : NULL;
	int r = 0;
	switch (cp->target) {
	case T_VERSION:
		if (k && !k->cv_known) return -1;
		r = cmp64(k ? k->version : 0, cp->has_version ? cp->version : 0);
		break;
	case T_CREATE:
		if (k && !k->cv_known) return -1;
		r = cmp64(k ? k->create : 0, cp->has_create_revision ? cp->create_revision : 0);
		break;
	case T_MOD:
		r = cmp64(k ? k->mod : 0, cp->has_mod_revision ? cp->mod_revision : 0);
		break;
	case T_VALUE: {
		const uint8_t *v = cp->has_value && cp->value.data ? cp->value.data : (const uint8_t *)"";
		size_t vl = cp->has_value ? cp->value.len : 0;
		if (!k) { r = vl ? -1 : 0; break; }
		if (cp->result == R_EQUAL ||
		    cp->result == R_NOT_EQUAL) {
			if (k->vlen != vl) { r = 1; break; }
			if (ea__rp_key_hash(c, k)) return -1;   /* hashed on demand */
			r = k->vhash != ea__rp_hash(v, vl);
			break;
		}
		if (value_cmp(c, (uint32_t)i, v, vl, &r)) return -1;
		break;
	}
	case T_LEASE:
		r = cmp64(k ? k->lease : 0, cp->has_lease ? cp->lease : 0);
		break;
	default:
		r = 0;
	}
	switch (cp->result) {
	case R_EQUAL: return r == 0;
	case R_NOT_EQUAL: return r != 0;
	case R_GREATER: return r > 0;
	case R_LESS: return r < 0;
	}
	return 1;
}

/* applyCompare: 1, 0 or -1 (unknown). A range end "\0" means every key from key on. */
static int apply_compare(rp_ctx *c, const cmp_t *cp)
{
	const uint8_t *end = has_end(&cp->range_end, cp->has_range_end) ? cp->range_end.data : NULL;
	int unc = c->uncertain;
	c->uncertain = 0;
	int rc = collect_range(c, cp->key.data, cp->key.len, end, end ? cp->range_end.len : 0);
	int range_unknown = c->uncertain;
	c->uncertain = unc;
	if (rc) return -2;
	int is_value = cp->target == T_VALUE;
	if (c->m.ntmp == 0) {
		if (range_unknown) return -1;
		return is_value ? 0 : compare_kv(c, cp, -1);
	}
	int res = 1;
	for (size_t j = 0; j < c->m.ntmp; j++) {
		int r = compare_kv(c, cp, (long)c->m.tmp[j]);
		if (r == 0) return 0;
		if (r < 0) res = -1;
	}
	return range_unknown ? -1 : res;
}

/* ---- txn ----------------------------------------------------------------------------------- */

static int path_push(rp_ctx *c, uint8_t v)
{
	if (c->npath == c->cappath) {
		size_t nc = c->cappath ? c->cappath * 2 : 16;
		void *p = realloc(c->path, nc);
		if (!p) return EA_ENOMEM;
		c->path = p;
		c->cappath = nc;
	}
	c->path[c->npath++] = v;
	return EA_OK;
}

/* The first key a branch writes, as written (no state): to tell branches apart by the db. */
static const ProtobufCBinaryData *first_write_key(op_t **ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i]->request_put) return &ops[i]->request_put->key;
		if (ops[i]->request_delete_range) return &ops[i]->request_delete_range->key;
		if (ops[i]->request_txn) return NULL;
	}
	return NULL;
}

/* A txn whose compares the model cannot decide: the branch whose first write the db's element
 * (rev + 1, 0) holds, else unknown (failure assumed, c->uncertain raised). */
static int resolve_by_db(rp_ctx *c, const txn_t *t)
{
	const ProtobufCBinaryData *s = first_write_key(t->success, t->n_success);
	const ProtobufCBinaryData *f = first_write_key(t->failure, t->n_failure);
	uint8_t buf[512];
	size_t len = 0;
	int tomb = 0;
	if (ea__rp_db_first_key(c, c->rev + 1, buf, sizeof buf, &len, &tomb) == 1) {
		int ms = s && s->len == len && (len == 0 || memcmp(s->data, buf, len) == 0);
		int mf = f && f->len == len && (len == 0 || memcmp(f->data, buf, len) == 0);
		if (ms != mf) return ms;
	}
	c->uncertain = 1;
	return 0;
}

/* compareToPath: every compare, depth first, against the state before the txn. */
static int txn_path(rp_ctx *c, const txn_t *t, int depth)
{
	if (depth > 64) { c->uncertain = 1; return path_push(c, 0); }
	int ok = 1;
	for (size_t i = 0; i < t->n_compare && ok == 1; i++) {
		int r = apply_compare(c, t->compare[i]);
		if (r == -2) return EA_ENOMEM;
		if (r == 0) ok = 0;
		else if (r < 0) ok = -1;
	}
	if (ok < 0) ok = resolve_by_db(c, t);
	if (path_push(c, (uint8_t)ok)) return EA_ENOMEM;
	op_t **ops = ok ? t->success : t->failure;
	size_t n = ok ? t->n_success : t->n_failure;
	for (size_t i = 0; i < n; i++)
		if (ops[i]->request_txn) {
			int rc = txn_path(c, ops[i]->request_txn, depth + 1);
			if (rc) return rc;
		}
	return EA_OK;
}

/* checkRequestPut on the chosen branches: 0 ok, 1 etcd refuses the txn (c->why set). */
static int txn_check(rp_ctx *c, const txn_t *t, size_t *pi)
{
	if (*pi >= c->npath) return 0;   /* nested deeper than txn_path went */
	int ok = c->path[(*pi)++];
	op_t **ops = ok ? t->success : t->failure;
	size_t n = ok ? t->n_success : t->n_failure;
	for (size_t i = 0; i < n; i++) {
		const Etcdserverpb__PutRequest *p = ops[i]->request_put;
		if (ops[i]->request_txn) {
			int r = txn_check(c, ops[i]->request_txn, pi);
			if (r) return r;
		}
		if (!p) continue;
		if (p->ignore_value || p->ignore_lease) {
			long k = key_state(c, p->key.data, p->key.len);
			if (k < 0) return -1;
			if (c->m.keys[k].st == RP_ABSENT) { why(c, "etcd refuses it: ignore_value/ignore_lease on a missing key (ErrKeyNotFound)"); return 1; }
			if (c->m.keys[k].st == RP_UNKNOWN) c->uncertain = 1;
		}
		if (p->lease) {
			int e = lease_exists(c, p->lease);
			if (e == -2) return -1;
			if (e == 0) { why(c, "etcd refuses it: lease %" PRIx64 " does not exist (ErrLeaseNotFound)", (uint64_t)p->lease); return 1; }
		}
	}
	return 0;
}

static int txn_apply(rp_ctx *c, const txn_t *t, size_t *pi)
{
	if (*pi >= c->npath) return EA_OK;   /* nested deeper than txn_path went (uncertain) */
	int ok = c->path[(*pi)++];
	op_t **ops = ok ? t->success : t->failure;
	size_t n = ok ? t->n_success : t->n_failure;
	for (size_t i = 0; i < n; i++) {
		int rc = EA_OK;
		if (ops[i]->request_put) rc = do_put(c, ops[i]->request_put);
		else if (ops[i]->request_delete_range) rc = do_delete(c, ops[i]->request_delete_range);
		else if (ops[i]->request_txn) rc = txn_apply(c, ops[i]->request_txn, pi);
		if (rc) return rc;
	}
	return EA_OK;
}

static int has_put(op_t **ops, size_t n)
{
	for (size_t i = 0; i < n; i++) if (ops[i]->request_put) return 1;
	return 0;
}

static int do_txn(rp_ctx *c, const txn_t *t, ea_replay_item *it)
{
	if (alarm_active(c, 1) && (has_put(t->success, t->n_success) || has_put(t->failure, t->n_failure))) {
		why(c, "etcd refuses it: the NOSPACE alarm is active (ErrNoSpace)");
		return EA_OK;
	}
	c->npath = 0;
	int rc = txn_path(c, t, 0);
	if (rc) return rc;
	it->txn_applied = c->uncertain ? -1 : c->path[0];
	size_t pi = 0;
	int chk = txn_check(c, t, &pi);
	if (chk < 0) return EA_ENOMEM;
	if (chk > 0) return EA_OK;
	pi = 0;
	return txn_apply(c, t, &pi);
}

/* ---- leases, compaction, alarms ------------------------------------------------------------ */

static int do_revoke(rp_ctx *c, int64_t id)
{
	lease_event(c, id, 0);
	int e = lease_exists(c, id);
	if (e == -2) return EA_ENOMEM;
	if (e == 0) { why(c, "lease %" PRIx64 " does not exist (ErrLeaseNotFound): nothing deleted", (uint64_t)id); return EA_OK; }
	rp_model *m = &c->m;
	m->ntmp = 0;
	rp_lease *l = ea__rp_lease_get(m, id);
	if (!l) return EA_ENOMEM;
	for (uint32_t j = 0; j < l->n; j++) {
		const rp_key *k = &m->keys[l->keys[j]];
		if (k->st == RP_ALIVE && k->lease == id && ea__rp_tmp_push(m, l->keys[j])) return EA_ENOMEM;
	}
	if (!c->from_one) {
		int rc = ea__rp_db_revoke_extras(c, c->rev + 1, id);
		if (rc) return rc;
	}
	ea__rp_sort_tmp(m);
	for (size_t j = 0; j < m->ntmp; j++) {
		int rc = tombstone(c, m->tmp[j]);
		if (rc) return rc;
	}
	l = ea__rp_lease_get(m, id);
	if (!l) return EA_ENOMEM;
	l->exists = 0;
	l->n = 0;
	return EA_OK;
}

static int do_grant(rp_ctx *c, int64_t id)
{
	lease_event(c, id, 1);
	if (alarm_active(c, 1)) { why(c, "etcd refuses it: the NOSPACE alarm is active (ErrNoSpace)"); return EA_OK; }
	int e = lease_exists(c, id);
	if (e == -2) return EA_ENOMEM;
	if (e == 1) { why(c, "lease %" PRIx64 " exists already (ErrLeaseExists)", (uint64_t)id); return EA_OK; }
	rp_lease *l = ea__rp_lease_get(&c->m, id);
	if (!l) return EA_ENOMEM;
	l->exists = 1;
	l->n = 0;
	return EA_OK;
}

static void do_compaction(rp_ctx *c, const Etcdserverpb__CompactionRequest *r)
{
	if (c->compact >= 0 && r->revision <= c->compact) {
		why(c, "compaction to %" PRId64 ": already compacted at %" PRId64 " (ErrCompacted)", r->revision, c->compact);
	} else if (r->revision > c->rev) {
		why(c, "compaction to %" PRId64 ": beyond the current revision %" PRId64 " (ErrFutureRev)", r->revision, c->rev);
	} else {
		c->compact = r->revision;
		why(c, "compaction to %" PRId64 ": no revision", r->revision);
	}
}

static void do_alarm(rp_ctx *c, const Etcdserverpb__AlarmRequest *a)
{
	if (a->action == 1 && a->alarm != 0) {
		for (size_t i = 0; i < c->nalarms; i++)
			if (c->alarms[i].member == a->memberid && c->alarms[i].alarm == a->alarm) return;
		if (c->nalarms < sizeof c->alarms / sizeof c->alarms[0])
			{
			c->alarms[c->nalarms].member = a->memberid;
			c->alarms[c->nalarms++].alarm = a->alarm;
		}
	} else if (a->action == 2) {
		for (size_t i = 0; i < c->nalarms; i++)
			if (c->alarms[i].member == a->memberid && c->alarms[i].alarm == a->alarm) {
				c->alarms[i] = c->alarms[--c->nalarms];
				return;
			}
	}
}

/* ---- one entry ----------------------------------------------------------------------------- */

static int is_write_kind(const char *k)
{
	return !strcmp(k, "put") || !strcmp(k, "delete_range") || !strcmp(k, "txn") || !strcmp(k, "lease_revoke") ||
	       !strcmp(k, "lease_grant") || !strcmp(k, "compaction") || !strcmp(k, "alarm");
}

static int apply_request(rp_ctx *c, const irr_t *r, ea_replay_item *it)
{
	int corrupt = alarm_active(c, 2);
	if (corrupt && !r->alarm) { why(c, "etcd refuses it: the CORRUPT alarm is active (ErrCorrupt)"); return EA_OK; }
	if (r->put) {
		if (alarm_active(c, 1)) { why(c, "etcd refuses it: the NOSPACE alarm is active (ErrNoSpace)"); return EA_OK; }
		const Etcdserverpb__PutRequest *p = r->put;
		if (p->lease) {
			int e = lease_exists(c, p->lease);
			if (e == -2) return EA_ENOMEM;
			if (e == 0) { why(c, "etcd refuses it: lease %" PRIx64 " does not exist (ErrLeaseNotFound)", (uint64_t)p->lease); return EA_OK; }
		}
		if (p->ignore_value || p->ignore_lease) {
			long k = key_state(c, p->key.data, p->key.len);
			if (k < 0) return EA_ENOMEM;
			if (c->m.keys[k].st == RP_ABSENT) { why(c, "etcd refuses it: ignore_value/ignore_lease on a missing key (ErrKeyNotFound)"); return EA_OK; }
		}
		return do_put(c, p);
	}
	if (r->delete_range) return do_delete(c, r->delete_range);
	if (r->txn) return do_txn(c, r->txn, it);
	if (r->lease_revoke) return do_revoke(c, r->lease_revoke->id);
	if (r->lease_grant) return do_grant(c, r->lease_grant->id);
	if (r->compaction) { do_compaction(c, r->compaction); return EA_OK; }
	if (r->alarm) { do_alarm(c, r->alarm); return EA_OK; }
	return EA_OK;
}

/* The common case, a plain put, read straight from the wire bytes (no copy of the value):
 *   InternalRaftRequest 1 ID (varint) | 4 put (bytes) | 100 header (bytes, skipped)
 *   PutRequest 1 key | 2 value | 3 lease | 4 prev_kv | 5 ignore_value | 6 ignore_lease
 * Anything else, a repeated field included, returns -1 and protobuf-c decides. */
static int fast_put(const uint8_t *b, size_t n, Etcdserverpb__PutRequest *out)
{
	const uint8_t *p = b, *end = b + n, *put = NULL;
	uint64_t put_len = 0, tag, v;
	unsigned seen = 0;
	while (p < end) {
		if (ea_pb_varint(&p, end, &tag)) return -1;
		unsigned f = (unsigned)(tag >> 3), w = (unsigned)(tag & 7);
		unsigned bit = f == 1 ? 1u : f == 4 ? 2u : f == 100 ? 4u : 0u;
		if (!bit || (seen & bit) || w != (f == 1 ? 0u : 2u)) return -1;
		seen |= bit;
		if (ea_pb_varint(&p, end, &v)) return -1;
		if (f == 1) continue;
		if (v > (uint64_t)(end - p)) return -1;
		if (f == 4) { put = p; put_len = v; }
		p += v;
	}
	if (!put) return -1;
	Etcdserverpb__PutRequest init = ETCDSERVERPB__PUT_REQUEST__INIT;
	*out = init;
	p = put;
	end = put + put_len;
	seen = 0;
	while (p < end) {
		if (ea_pb_varint(&p, end, &tag)) return -1;
		unsigned f = (unsigned)(tag >> 3), w = (unsigned)(tag & 7);
		if (f < 1 || f > 6 || (seen & (1u << f)) || w != (f <= 2 ? 2u : 0u)) return -1;
		seen |= 1u << f;
		if (ea_pb_varint(&p, end, &v)) return -1;
		if (f <= 2) {
			if (v > (uint64_t)(end - p)) return -1;
			ProtobufCBinaryData d = { (size_t)v, (uint8_t *)(uintptr_t)p };
			if (f == 1) { out->has_key = 1; out->key = d; } else { out->has_value = 1; out->value = d; }
			p += v;
		} else if (f == 3) { out->has_lease = 1; out->lease = (int64_t)v; }
		else if (f == 4) { out->has_prev_kv = 1; out->prev_kv = v != 0; }
		else if (f == 5) { out->has_ignore_value = 1; out->ignore_value = v != 0; }
		else { out->has_ignore_lease = 1; out->ignore_lease = v != 0; }
	}
	return 0;
}

int ea__rp_apply(rp_ctx *c, const ea_entry_item *e, ea_replay_item *it)
{
	const ea_entry_header *h = &e->log.item.rec.u.entry;
	it->txn_applied = -1;
	c->cur_entry = e;   /* where its put values lie (replay_value.c) */
	if (!e->info.decode_ok || !is_write_kind(e->info.kind)) return EA_OK;
	if (!strcmp(e->info.kind, "put")) {
		Etcdserverpb__PutRequest p;
		Etcdserverpb__InternalRaftRequest fr = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
		fr.put = &p;
		if (fast_put(h->data, h->data_len, &p) == 0) return apply_request(c, &fr, it);
	}
	ea_arena_reset(&c->arena);
	irr_t *r = etcdserverpb__internal_raft_request__unpack(&c->arena.pb, h->data_len, h->data);
	if (!r) { why(c, "the request does not decode"); c->uncertain = 1; return EA_OK; }
	return apply_request(c, r, it);
}
