/* db_history_wal.c: the rows of `db history KEY`: the key bucket's revisions of KEY merged,
 * in revision order, with the revisions the db compacted away that the member's WAL still
 * holds (the replay of that WAL, ea_replay: entries whose revision the db no longer has).
 * A db row is never repeated as a WAL row: the db's (main, sub) pairs of KEY are listed first,
 * then the db rows are fetched back by point lookup as the WAL rows interleave. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct { int64_t main, sub; } rev_pair;

typedef struct {
	rev_pair *v;
	size_t n, cap, pos;
	int rc;
	cli_history_row_cb cb;
	void *arg;
} merge_ctx;

static int collect_cb(const ea_mvcc_kv *kv, void *p)
{
	merge_ctx *m = p;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		void *q = realloc(m->v, nc * sizeof *m->v);
		if (!q) { m->rc = EA_ENOMEM; return 1; }
		m->v = q;
		m->cap = nc;
	}
	m->v[m->n++] = (rev_pair){ kv->main, kv->sub };
	return 0;
}

static const ea_render_kv_source db_source = { 0, 0, 1 };

static int db_row_cb(const ea_mvcc_kv *kv, void *p)
{
	merge_ctx *m = p;
	return (m->rc = m->cb(kv, &db_source, m->arg)) ? 1 : 0;
}

static int before(rev_pair a, int64_t main, int64_t sub) { return a.main < main || (a.main == main && a.sub < sub); }

/* The db rows listed before (main, sub). */
static int emit_db_until(ea_mvcc *db, merge_ctx *m, int64_t main, int64_t sub)
{
	while (m->pos < m->n && before(m->v[m->pos], main, sub)) {
		rev_pair r = m->v[m->pos++];
		int rc = ea_mvcc_get_rev(db, r.main, r.sub, db_row_cb, m);
		if (m->rc) return m->rc;
		if (rc < 0 && rc != EA_ENOTFOUND && rc != EA_ECORRUPT) return rc;
	}
	return EA_OK;
}

static int in_db(const merge_ctx *m, int64_t main, int64_t sub)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].main == main && m->v[mid].sub == sub) return 1;
		if (before(m->v[mid], main, sub)) lo = mid + 1; else hi = mid;
	}
	return 0;
}

/* One element a WAL entry wrote, as a key-bucket row would show it. */
static int wal_row(merge_ctx *m, const ea_replay_item *it, const ea_replay_write *w)
{
	ea_mvcc_kv kv = { 0 };
	kv.main = w->main;
	kv.sub = w->sub;
	kv.tombstone = w->tombstone;
	kv.decode_ok = w->value_known;
	kv.key = w->key;
	kv.key_len = w->key_len;
	kv.value = w->value ? w->value : (const uint8_t *)"";
	kv.value_len = w->value_len;
	kv.create_revision = w->create_revision;
	kv.mod_revision = w->mod_revision;
	kv.version = w->version;
	kv.lease = w->lease;
	ea_render_kv_source src = { 1, it->index, w->cv_known };
	return m->cb(&kv, &src, m->arg);
}

/* The item's writes of key that the db compacted away, each after the db rows before it. */
static int item_rows(ea_replay *r, ea_mvcc *db, merge_ctx *m, const ea_replay_item *it, int64_t K,
                     const char *key, size_t klen)
{
	if (it->result != EA_REPLAY_COMPACTED && !(it->result == EA_REPLAY_MATCHES_DB && it->revision <= K)) return EA_OK;
	for (size_t s = 0; s < ea_replay_write_count(r); s++) {
		ea_replay_write w;
		if (ea_replay_write_get(r, s, &w) || w.key_len != klen || (klen && memcmp(w.key, key, klen) != 0)) continue;
		if (in_db(m, w.main, w.sub)) continue;
		int rc = emit_db_until(db, m, w.main, w.sub);
		if (!rc) rc = wal_row(m, it, &w);
		if (rc) return rc;
	}
	return EA_OK;
}

/* The WAL rows by the replay; EA_ENOTFOUND when there is no WAL to replay. */
static int replay_rows(ea_input *in, ea_mvcc *db, merge_ctx *m, int64_t K, const char *key, size_t klen)
{
	ea_error err = { 0 };
	ea_log *log = NULL;
	ea_replay *r = NULL;
	if (ea_log_open(&log, in, NULL, &err)) return EA_ENOTFOUND;
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	ro.entries_only = 1;
	int rc = ea_replay_new(&r, log, db, &ro, &err);
	if (rc) { ea_log_close(log); return EA_ENOTFOUND; }
	const ea_replay_item *it;
	while ((rc = ea_replay_next(&it, r)) == EA_OK)
		if (it->entry && it->revision > 0 && (rc = item_rows(r, db, m, it, K, key, klen))) break;
	ea_replay_free(r);
	ea_log_close(log);
	return rc == EA_ITEROVER ? EA_OK : rc;
}

int cli_db_history_rows(ea_input *in, ea_mvcc *db, const char *key, cli_history_row_cb cb, void *arg)
{
	size_t klen = strlen(key);
	merge_ctx m = { .cb = cb, .arg = arg };
	ea_mvcc_info info;
	int64_t K = -1;
	if (ea_mvcc_info_scan(db, &info) == EA_OK)
		K = info.scheduled_compact_revision > info.compact_revision ? info.scheduled_compact_revision : info.compact_revision;
	if (K < 1) {   /* nothing compacted: the db holds every revision */
		int rc = ea_mvcc_history(db, key, klen, db_row_cb, &m);
		return m.rc ? m.rc : rc;
	}
	int rc = ea_mvcc_history(db, key, klen, collect_cb, &m);
	if (m.rc || rc < 0) { free(m.v); return m.rc ? m.rc : rc; }
	rc = replay_rows(in, db, &m, K, key, klen);
	if (rc == EA_OK || rc == EA_ENOTFOUND) rc = emit_db_until(db, &m, INT64_MAX, INT64_MAX);
	free(m.v);
	return rc;
}
