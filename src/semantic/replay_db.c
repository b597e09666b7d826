/* replay_db.c: the db side of the replay. Base states of keys at the base revision B (the db's
 * key index), the writes of each revision checked by point lookups of their revision keys
 * (main, sub[, 't']) in the key bucket, what an unknown state can still learn from the db, and
 * one walk of the key bucket at the end for revisions above B that no entry made (its elements
 * also go to opts.on_db_kv, export's revisions rows). */
#include "replay_int.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- base states ---------------------------------------------------------------------------- */

typedef struct {
	rp_ctx *c;
	uint32_t i;
	int rc;
} base_ctx;

static int fill_from_db(rp_ctx *c, uint32_t i, const ea_mvcc_kv *kv)
{
	rp_key *k = &c->m.keys[i];
	if (kv->tombstone) { k->st = RP_ABSENT; k->cv_known = 1; return EA_OK; }
	k->st = RP_ALIVE;
	k->cv_known = 1;
	k->create = kv->create_revision;
	k->mod = kv->main;
	k->mod_sub = kv->sub;
	k->version = kv->version;
	k->lease = kv->lease;
	ea__rp_key_set_db_value(k, kv);
	return kv->lease ? ea__rp_lease_attach(&c->m, kv->lease, i) : EA_OK;
}

static int base_cb(const ea_mvcc_kv *kv, void *payload)
{
	base_ctx *b = payload;
	b->rc = fill_from_db(b->c, b->i, kv);
	return 0;
}

static int base_known_absent(const rp_ctx *c) { return c->K < 0 || c->B >= c->K; }

int ea__rp_db_load_base(rp_ctx *c, uint32_t i)
{
	rp_key *k = &c->m.keys[i];
	k->st = RP_ABSENT;
	k->cv_known = 1;
	if (c->from_one || !c->db) return EA_OK;
	base_ctx b = { c, i, 0 };
	int rc = ea_mvcc_get_at(c->db, ea__rp_key_bytes(&c->m, k), k->klen, c->B, base_cb, &b);
	if (rc == EA_ENOTFOUND) {
		if (!base_known_absent(c)) { k->st = RP_UNKNOWN; k->cv_known = 0; }
		return EA_OK;
	}
	if (rc == EA_ECORRUPT) { k->st = RP_UNKNOWN; k->cv_known = 0; return EA_OK; }
	return rc ? rc : b.rc;
}

typedef struct {
	rp_ctx *c;
	int rc;
} range_ctx;

static int range_cb(const ea_mvcc_kv *kv, void *payload)
{
	range_ctx *r = payload;
	int created;
	if (!kv->key) return 0;
	long i = ea__rp_key_find(&r->c->m, kv->key, kv->key_len, 1, &created);
	if (i < 0) { r->rc = EA_ENOMEM; return 1; }
	if (created && (r->rc = fill_from_db(r->c, (uint32_t)i, kv))) return 1;
	return 0;
}

int ea__rp_db_load_range(rp_ctx *c, const uint8_t *key, size_t kl, const uint8_t *end, size_t el)
{
	if (c->from_one || !c->db) return EA_OK;
	if (!base_known_absent(c)) c->uncertain = 1;   /* compaction may have taken keys of the range */
	range_ctx r = { c, 0 };
	int rc = ea_mvcc_range_at(c->db, key ? key : (const uint8_t *)"", kl, end, el, c->B, range_cb, &r);
	return rc < 0 ? rc : r.rc;
}

/* ---- single elements ------------------------------------------------------------------------ */

typedef struct {
	int found, tomb;
	uint8_t *buf;
	size_t cap, len;
	int64_t lease;
	int cmp;
	const uint8_t *v;
	size_t vl;
} elem_ctx;

static int key_cb(const ea_mvcc_kv *kv, void *payload)
{
	elem_ctx *e = payload;
	e->found = 1;
	e->tomb = kv->tombstone;
	e->len = kv->key_len;
	if (kv->key && kv->key_len <= e->cap) memcpy(e->buf, kv->key, kv->key_len);
	else e->found = 0;
	return 0;
}

int ea__rp_db_first_key(rp_ctx *c, int64_t rev, uint8_t *buf, size_t cap, size_t *len, int *tomb)
{
	if (!c->db) return 0;
	elem_ctx e = { 0 };
	e.buf = buf;
	e.cap = cap;
	if (ea_mvcc_get_rev(c->db, rev, 0, key_cb, &e) != EA_OK || !e.found) return 0;
	*len = e.len;
	*tomb = e.tomb;
	return 1;
}

int ea__rp_db_revoke_extras(rp_ctx *c, int64_t rev, int64_t lease)
{
	if (!c->db) return EA_OK;
	if (!c->kscratch && !(c->kscratch = malloc(65536))) return EA_ENOMEM;
	uint8_t *buf = c->kscratch;
	int rc = EA_OK;
	for (int64_t s = 0; s < 1000000; s++) {
		elem_ctx e = { 0 };
		e.buf = buf;
		e.cap = 65536;
		if (ea_mvcc_get_rev(c->db, rev, s, key_cb, &e) != EA_OK) break;
		if (!e.found || !e.tomb) continue;
		int created;
		long i = ea__rp_key_find(&c->m, buf, e.len, 1, &created);
		if (i < 0) { rc = EA_ENOMEM; break; }
		if (!created) continue;     /* the model knows this key: its lease list decides */
		if ((rc = ea__rp_db_load_base(c, (uint32_t)i))) break;
		const rp_key *k = &c->m.keys[i];
		if (k->st == RP_ALIVE && k->lease == lease && (rc = ea__rp_tmp_push(&c->m, (uint32_t)i))) break;
	}
	return rc;
}

static int value_cb(const ea_mvcc_kv *kv, void *payload)
{
	elem_ctx *e = payload;
	if (kv->tombstone) return 0;
	e->found = 1;
	size_t n = kv->value_len < e->vl ? kv->value_len : e->vl;
	int d = n ? memcmp(kv->value, e->v, n) : 0;
	e->cmp = d ? (d < 0 ? -1 : 1) : kv->value_len < e->vl ? -1 : kv->value_len > e->vl;
	return 0;
}

int ea__rp_db_value_cmp(rp_ctx *c, uint32_t i, const uint8_t *v, size_t vl, int *res)
{
	const rp_key *k = &c->m.keys[i];
	if (!c->db || k->st != RP_ALIVE) return -1;
	elem_ctx e = { 0 };
	e.v = v;
	e.vl = vl;
	if (ea_mvcc_get_rev(c->db, k->mod, k->mod_sub, value_cb, &e) != EA_OK || !e.found) return -1;
	*res = e.cmp;
	return 0;
}

static int lease_cb(const ea_mvcc_lease *l, void *payload)
{
	rp_ctx *c = payload;
	if (c->ndbleases == c->capdbleases) {
		size_t nc = c->capdbleases ? c->capdbleases * 2 : 64;
		void *p = realloc(c->dbleases, nc * sizeof *c->dbleases);
		if (!p) return 1;
		c->dbleases = p;
		c->capdbleases = nc;
	}
	c->dbleases[c->ndbleases++] = l->id;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int ea__rp_db_lease_exists(rp_ctx *c, int64_t id)
{
	if (!c->db) return 0;
	if (!c->dbleases_loaded) {
		c->dbleases_loaded = 1;
		ea_mvcc_leases(c->db, lease_cb, c);
		if (c->ndbleases) qsort(c->dbleases, c->ndbleases, sizeof *c->dbleases, cmp_id);
	}
	return c->ndbleases && bsearch(&id, c->dbleases, c->ndbleases, sizeof id, cmp_id) != NULL;
}

static int alarm_cb(const ea_mvcc_alarm *a, void *payload)
{
	rp_ctx *c = payload;
	if (c->nalarms < sizeof c->alarms / sizeof c->alarms[0]) {
		c->alarms[c->nalarms].member = a->member_id;
		c->alarms[c->nalarms].alarm = a->alarm;
		c->nalarms++;
	}
	return 0;
}

int ea__rp_db_load_alarms(rp_ctx *c)
{
	c->nalarms = 0;
	if (!c->db || c->from_one) return EA_OK;
	return ea_mvcc_alarms(c->db, alarm_cb, c) < 0 ? EA_EIO : EA_OK;
}

/* ---- checking a revision -------------------------------------------------------------------- */

typedef struct {
	rp_ctx *c;
	const rp_write *w;
	int64_t rev, sub;
	int found, differs;
	int value_only;             /* differs only in the value's bytes */
	uint64_t page;
	char what[400];
} check_ctx;

static void say(check_ctx *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(check_ctx *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->what, sizeof k->what, fmt, ap);
	va_end(ap);
	k->differs = 1;
}

static const char *esc(char *buf, size_t cap, const uint8_t *p, size_t n)
{
	return ea_text_escape(buf, cap, p ? p : (const uint8_t *)"", n);
}

static int check_cb(const ea_mvcc_kv *kv, void *payload)
{
	check_ctx *k = payload;
	rp_ctx *c = k->c;
	const rp_write *w = k->w;
	rp_key *mk = &c->m.keys[w->key];
	const uint8_t *key = ea__rp_key_bytes(&c->m, mk);
	char a[96], b[96];
	k->found = 1;
	k->page = kv->page;
	esc(a, sizeof a, key, mk->klen);
	if (!kv->key || ea__rp_key_cmp(kv->key, kv->key_len, key, mk->klen) != 0)
		return say(k, "the db holds key %s at %" PRId64 "/%" PRId64 ", the WAL wrote key %s",
		           esc(b, sizeof b, kv->key, kv->key_len), k->rev, k->sub, a), 0;
	if (kv->tombstone != w->del)
		return say(k, "the db holds a %s at %" PRId64 "/%" PRId64 " for key %s, the WAL %s it",
		           kv->tombstone ? "tombstone" : "put", k->rev, k->sub, a, w->del ? "deleted" : "put"), 0;
	if (w->del) return 0;
	int vdiff = w->val ? (kv->value_len != w->vlen || (w->vlen && memcmp(kv->value, w->val, w->vlen) != 0))
	                   : (kv->value_len != w->vlen || ea__rp_hash(kv->value, kv->value_len) != w->vhash);
	if (vdiff && kv->lease == w->lease && kv->mod_revision == k->rev &&
	    (!w->cv_known || (kv->create_revision == w->create && kv->version == w->version)))
		k->value_only = 1;
	if (vdiff)
		return say(k, "the db holds value %s (%zu bytes) at %" PRId64 "/%" PRId64 " for key %s, the WAL wrote %s (%u bytes)",
		           esc(b, sizeof b, kv->value, kv->value_len < 48 ? kv->value_len : 48), kv->value_len, k->rev,
		           k->sub, a, w->val ? esc((char[96]){ 0 }, 96, w->val, w->vlen < 48 ? w->vlen : 48) : "the previous value",
		           w->vlen), 0;
	if (kv->lease != w->lease)
		return say(k, "the db holds lease %" PRIx64 " at %" PRId64 "/%" PRId64 " for key %s, the WAL wrote lease %" PRIx64,
		           (uint64_t)kv->lease, k->rev, k->sub, a, (uint64_t)w->lease), 0;
	if (kv->mod_revision != k->rev)
		return say(k, "the db's mod_revision at %" PRId64 "/%" PRId64 " for key %s is %" PRId64, k->rev, k->sub, a,
		           kv->mod_revision), 0;
	if (!w->cv_known) {
		/* the model did not know the key before this write: learn it from the db */
		if (mk->mod == k->rev && mk->mod_sub == k->sub) {
			mk->create = kv->create_revision;
			mk->version = kv->version;
			mk->cv_known = 1;
		}
		return 0;
	}
	if (kv->create_revision != w->create || kv->version != w->version)
		return say(k, "the db holds create_revision %" PRId64 " version %" PRId64 " at %" PRId64 "/%" PRId64
		           " for key %s, the WAL's replay gives %" PRId64 " and %" PRId64, kv->create_revision, kv->version,
		           k->rev, k->sub, a, w->create, w->version), 0;
	return 0;
}

static const char *key_text(rp_ctx *c, const rp_write *w)
{
	const rp_key *k = &c->m.keys[w->key];
	return ea_text_escape(c->keybuf, sizeof c->keybuf, ea__rp_key_bytes(&c->m, k), k->klen);
}

static int set_result(rp_ctx *c, ea_replay_item *it, ea_replay_result res, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int set_result(rp_ctx *c, ea_replay_item *it, ea_replay_result res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof c->detail, fmt, ap);
	va_end(ap);
	it->result = res;
	it->detail = c->detail;
	return EA_OK;
}

static int extra_cb(const ea_mvcc_kv *kv, void *payload) { (void)kv; *(uint64_t *)payload = kv->page; return 0; }

int ea__rp_db_check(rp_ctx *c, int64_t rev, ea_replay_item *it)
{
	rp_model *m = &c->m;
	size_t found = 0, missing = 0, first_missing = 0;
	int other = 0;   /* a difference beyond values (key, kind, lease, revisions, an element) */
	check_ctx bad = { 0 };
	for (size_t s = 0; s < m->nwrites; s++) {
		check_ctx k = { c, &m->writes[s], rev, (int64_t)s, 0, 0, 0, 0, "" };
		int rc = ea_mvcc_get_rev(c->db, rev, (int64_t)s, check_cb, &k);
		if (rc == EA_ECORRUPT) { k.found = 1; say(&k, "the db's element %" PRId64 "/%zu is no KeyValue", rev, s); }
		else if (rc == EA_ENOTFOUND) { if (!missing++) first_missing = s; other = 1; continue; }
		else if (rc < 0) return rc;
		found++;
		rp_key *mk = &m->keys[m->writes[s].key];
		if (mk->keep_rev == rev && mk->keep_sub == s) mk->keep_found = 1;
		if (!it->page) it->page = k.page;
		if (k.differs && !bad.differs) { bad = k; it->page = k.page; }
		if (k.differs && !k.value_only) other = 1;
	}
	uint64_t xpage = 0;
	if ((!bad.differs || !other) && ea_mvcc_get_rev(c->db, rev, (int64_t)m->nwrites, extra_cb, &xpage) == EA_OK) {
		other = 1;
		if (!bad.differs) {
			bad.differs = 1;
			it->page = xpage;
			snprintf(bad.what, sizeof bad.what, "the db holds an element %" PRId64 "/%zu the WAL did not write", rev, m->nwrites);
		}
	}
	int after = it->index > c->C;
	if (bad.differs && !other && !c->uncertain) c->value_diffs++;
	if (bad.differs)
		return set_result(c, it, c->uncertain ? EA_REPLAY_UNKNOWN : EA_REPLAY_DB_DIFFERS, "%s%s", bad.what,
		                  c->uncertain ? " (the replay's state before it is not known for sure)" : "");
	if (found && !missing) return set_result(c, it, EA_REPLAY_MATCHES_DB, "%s", "");
	if (rev <= c->K && found) return set_result(c, it, EA_REPLAY_MATCHES_DB, "%s", "");
	if (rev <= c->K)
		return set_result(c, it, EA_REPLAY_COMPACTED, "revision %" PRId64 " is at or below the db's compaction %" PRId64,
		                  rev, c->K);
	if (after)
		return set_result(c, it, EA_REPLAY_MISSING_IN_DB, "revision %" PRId64 " is not in the db: the entry is after the db's "
		                  "consistent_index %" PRIu64 " (etcd re-applies it at startup while the WAL holds it)", rev, c->C);
	return set_result(c, it, c->uncertain ? EA_REPLAY_UNKNOWN : EA_REPLAY_MISSING_IN_DB,
	                  "the db has no element %" PRId64 "/%zu (%s of key %s)", rev, first_missing,
	                  m->writes[first_missing].del ? "tombstone" : "put", key_text(c, &m->writes[first_missing]));
}

/* ---- db-only revisions ---------------------------------------------------------------------- */

static rp_dbonly *row_add(rp_ctx *c, const uint8_t *key, size_t key_len)
{
	if (c->ndbonly == c->capdbonly) {
		size_t nc = c->capdbonly ? c->capdbonly * 2 : 64;
		void *p = realloc(c->dbonly, nc * sizeof *c->dbonly);
		if (!p) return NULL;
		c->dbonly = p;
		c->capdbonly = nc;
	}
	rp_dbonly *d = &c->dbonly[c->ndbonly];
	memset(d, 0, sizeof *d);
	if (key) {
		d->key = malloc(key_len ? key_len : 1);
		if (!d->key) return NULL;
		memcpy(d->key, key, key_len);
		d->key_len = key_len;
	}
	c->ndbonly++;
	return d;
}

int ea__rp_db_kept_missing(rp_ctx *c)
{
	/* only when the window made every revision up to the compaction: a later put at or below
	 * it, missing from the WAL (torn tail), would be the one kept */
	if (!c->db || c->K < 0 || c->rev < c->K) return EA_OK;
	for (size_t i = 0; i < c->m.nkeys; i++) {
		const rp_key *k = &c->m.keys[i];
		if (k->keep_rev <= c->B || k->keep_found || k->st == RP_UNKNOWN) continue;
		if (c->ndbonly >= RP_DBONLY_CAP) { c->kept_missing_dropped++; continue; }
		rp_dbonly *d = row_add(c, ea__rp_key_bytes(&c->m, k), k->klen);
		if (!d) return EA_ENOMEM;
		d->main = k->keep_rev;
		d->sub = k->keep_sub;
		d->index = k->keep_index;
		d->term = k->keep_term;
	}
	c->nkept = c->ndbonly;
	return EA_OK;
}

typedef struct {
	rp_ctx *c;
	int rc;
} only_ctx;

static int only_cb(const ea_mvcc_kv *kv, void *payload)
{
	only_ctx *o = payload;
	rp_ctx *c = o->c;
	if (c->opts.on_db_kv && (o->rc = c->opts.on_db_kv(kv, c->opts.arg))) return 1;
	if (kv->main <= c->B) return 0;
	if (kv->main <= c->rev && (size_t)(kv->main - c->B - 1) < c->nw.n && kv->sub >= 0 &&
	    (uint64_t)kv->sub < ea__rp_counts_get(&c->nw, (size_t)(kv->main - c->B - 1)))
		return 0;
	c->dbonly_total++;
	if (c->ndbonly >= RP_DBONLY_CAP) return 0;
	rp_dbonly *d = row_add(c, kv->key, kv->key_len);
	if (!d) { o->rc = EA_ENOMEM; return 1; }
	d->main = kv->main;
	d->sub = kv->sub;
	d->page = kv->page;
	d->tomb = kv->tombstone;
	return 0;
}

int ea__rp_db_only_walk(rp_ctx *c)
{
	if (!c->db) return EA_OK;
	only_ctx o = { c, 0 };
	int rc = ea_mvcc_foreach(c->db, only_cb, &o);
	return rc < 0 ? rc : o.rc;
}
