/* mvcc.c: etcd's MVCC store in a bbolt file (docs/formats.md §7): meta bucket, the key index with
 * generations as etcd rebuilds it at startup (3.4 mvcc/kvstore.go restore, key_index.go),
 * HashKV (kvstore.go HashByRev; 3.5.16+ hash.go), snapshot status, ranges at a revision,
 * per-key history and salvage.
 *
 * key bucket:   key   = main (8 bytes BE) '_' sub (8 bytes BE) ['t' for a tombstone]
 *               value = mvccpb.KeyValue {1 key, 2 create_revision, 3 mod_revision,
 *                       4 version, 5 value, 6 lease}   (proto3; zero fields omitted)
 * meta bucket:  consistent_index u64 BE | term u64 BE (3.5+) | scheduledCompactRev,
 *               finishedCompactRev = 17-byte revision keys | confState JSON (3.5+) |
 *               storageVersion ASCII (3.6+)
 *
 * The key index keeps per user key only its revisions (main, sub, tombstone), never values:
 * values are fetched by point lookup when a command prints them. */
#include "etcd-autopsy/mvcc.h"
#include "etcd-autopsy/crc32c.h"
#include "../format/bolt_int.h"
#include "../format/pb_wire.h"
#include "../source/input_int.h"
#include "schema.h"
#include "hashstream.h"
#include "keycount.h"
#include "util/arena.h"
#include "util/hex.h"
#include "util/vec.h"
#include "util/jsonp.h"

#include "authpb.pb-c.h"
#include "leasepb.pb-c.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_LIMIT (64u * 1024u * 1024u)

typedef struct {
	int64_t main, sub;
	uint32_t page;          /* leaf page the index walk found it on (a hint; 0 = none) */
	uint16_t elem;          /* its element index there */
	uint8_t tomb;
} rev_t;

typedef struct {
	uint8_t *key;
	size_t len;
	uint64_t hash;
	rev_t *revs;
	uint32_t n, cap;
} keyent;

struct ea_mvcc {
	ea_input *in;
	ea_bolt *b;
	ea_mvcc_options opts;
	ea_mvcc_info info;
	ea_bolt_bucket keyb;
	int have_keyb;
	ea_arena arena;
	ea_schema_meta schema_meta;   /* what etcd's schema detection reads (schema.c) */
	uint64_t sv_off, dg_off;      /* file offsets of meta/storageVersion and cluster/downgrade */
	size_t   sv_len, dg_len;

	/* key index */
	int indexed;
	int counted;            /* info.keys and live_keys counted without it (count_keys) */
	keyent *keys;
	size_t nkeys, capkeys;
	size_t *slots;          /* open addressing: index + 1 into keys, 0 = empty */
	size_t nslots;
	size_t *sorted;         /* indexes into keys, by key bytes */
	int has_compact_tombstone;

	/* light scan (no index): counters, checks, the current revision, and HashKV at the
	 * current revision when the walk alone decides it (see keyscan_cb) */
	int scanned;
	int hash_tried;         /* a scan folded the revisions into a hash */
	int scan_hashed;        /* ... and hash_now is exactly HashKV at the current revision */
	uint32_t hash_now;
	int hs_ok;              /* ... and hs is HashKV at the current revision, both variants */
	int no_stream;          /* tests: HashKV by the key index only (ea__mvcc_no_stream) */
	int hash_path;          /* how the last HashKV was computed (ea__mvcc_hash_path) */
	ea_hs_result hs;
	uint64_t prefix_entries;   /* key-bucket entries at or below the compact revision */
	uint64_t invalid_keys;     /* keys of >= 17 bytes that are not revision keys */
};

/* ---- small decoders ---------------------------------------------------------------------- */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}

/* Revision key → (main, sub, tomb). 0 ok, -1 not a revision key. */
static int parse_revkey(const uint8_t *k, size_t n, int64_t *main, int64_t *sub, int *tomb)
{
	if ((n != 17 && n != 18) || k[8] != '_' || (n == 18 && k[17] != 't')) return -1;
	*main = (int64_t)be64(k);
	*sub = (int64_t)be64(k + 9);
	*tomb = n == 18;
	return 0;
}

/* mvccpb.KeyValue, strictly (a known field with a wrong wire type fails). */
static int decode_kv(const uint8_t *b, size_t n, ea_mvcc_kv *o)
{
	const uint8_t *p = b, *end = b + n;
	o->key = NULL; o->key_len = 0; o->value = NULL; o->value_len = 0;
	o->create_revision = o->mod_revision = o->version = o->lease = 0;
	while (p < end) {
		uint64_t tag, v;
		if (ea_pb_varint(&p, end, &tag)) return -1;
		uint64_t field = tag >> 3;
		unsigned wire = (unsigned)(tag & 7);
		if (field == 0) return -1;
		switch (field) {
		case 1: case 5:
			if (wire != 2 || ea_pb_varint(&p, end, &v) || v > (uint64_t)(end - p)) return -1;
			if (field == 1) { o->key = p; o->key_len = (size_t)v; }
			else { o->value = p; o->value_len = (size_t)v; }
			p += v;
			break;
		case 2: case 3: case 4: case 6:
			if (wire != 0 || ea_pb_varint(&p, end, &v)) return -1;
			if (field == 2) o->create_revision = (int64_t)v;
			else if (field == 3) o->mod_revision = (int64_t)v;
			else if (field == 4) o->version = (int64_t)v;
			else o->lease = (int64_t)v;
			break;
		default:
			if (ea_pb_skip(&p, end, wire)) return -1;
		}
	}
	return 0;
}

/* Only field 1 (the user key): the index build's hot path. */
static int decode_user_key(const uint8_t *b, size_t n, const uint8_t **key, size_t *klen)
{
	const uint8_t *p = b, *end = b + n;
	*key = NULL;
	*klen = 0;
	while (p < end) {
		uint64_t tag, v;
		if (ea_pb_varint(&p, end, &tag)) return -1;
		unsigned wire = (unsigned)(tag & 7);
		if ((tag >> 3) == 0) return -1;
		if ((tag >> 3) == 1) {
			if (wire != 2 || ea_pb_varint(&p, end, &v) || v > (uint64_t)(end - p)) return -1;
			*key = p;
			*klen = (size_t)v;
			return 0;
		}
		if (ea_pb_skip(&p, end, wire)) return -1;
	}
	return 0;   /* proto3: an empty key is omitted */
}

/* ---- open and the meta bucket ------------------------------------------------------------ */

typedef struct {
	ea_mvcc *m;
	const char *bucket;
} meta_ctx;

static void copy_str(char *dst, size_t cap, const uint8_t *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++) dst[k++] = (char)(v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?');
	dst[k] = 0;
}

static int meta_cb(const ea_bolt_kv *kv, void *payload)
{
	meta_ctx *c = payload;
	ea_mvcc_info *i = &c->m->info;
	ea_bolt *b = c->m->b;
#define IS(s) (kv->key_len == sizeof s - 1 && memcmp(kv->key, s, sizeof s - 1) == 0)
	if (strcmp(c->bucket, "meta") == 0) {
		ea_schema_meta_note(&c->m->schema_meta, kv->key, kv->key_len, kv->value, kv->value_len);
		if (IS("consistent_index") || IS("term")) {
			if (kv->value_len != 8) {
				ea__bolt_problem(b, EA_LAYER_MVCC, EA_SEV_ERROR, "meta-value-invalid", kv->value_offset,
				                 kv->value_len, "meta/%.*s: %zu-byte value, expected 8 (page %" PRIu64 ")",
				                 (int)kv->key_len, (const char *)kv->key, kv->value_len, kv->page);
				return 0;
			}
			if (IS("term")) { i->have_term = 1; i->term = be64(kv->value); }
			else { i->have_consistent_index = 1; i->consistent_index = be64(kv->value); }
		} else if (IS("scheduledCompactRev") || IS("finishedCompactRev")) {
			int64_t mn, sb;
			int t;
			if (parse_revkey(kv->value, kv->value_len, &mn, &sb, &t)) {
				ea__bolt_problem(b, EA_LAYER_MVCC, EA_SEV_ERROR, "meta-value-invalid", kv->value_offset,
				                 kv->value_len, "meta/%.*s is not a revision (page %" PRIu64 ")",
				                 (int)kv->key_len, (const char *)kv->key, kv->page);
				return 0;
			}
			if (IS("finishedCompactRev")) i->compact_revision = mn;
			else i->scheduled_compact_revision = mn;
		} else if (IS("confState")) {
			copy_str(i->conf_state, sizeof i->conf_state, kv->value, kv->value_len);
		} else if (IS("storageVersion")) {
			i->have_storage_version_key = 1;
			c->m->sv_off = kv->value_offset;
			c->m->sv_len = kv->value_len;
			copy_str(i->storage_version_key, sizeof i->storage_version_key, kv->value, kv->value_len);
		}
	} else if (strcmp(c->bucket, "cluster") == 0) {
		if (IS("clusterVersion")) copy_str(i->cluster_version, sizeof i->cluster_version, kv->value, kv->value_len);
		else if (IS("downgrade")) {
			copy_str(i->downgrade, sizeof i->downgrade, kv->value, kv->value_len);
			ea_downgrade_parse(kv->value, kv->value_len, &i->downgrade_info);
			c->m->dg_off = kv->value_offset;
			c->m->dg_len = kv->value_len;
		}
	} else if (strcmp(c->bucket, "auth") == 0) {
		if (IS("authEnabled") && kv->value_len == 1) i->auth_enabled = kv->value[0] == 1;
		else if (IS("authRevision") && kv->value_len == 8) {
			i->have_auth_revision = 1;
			i->auth_revision = be64(kv->value);
		}
	} else if (strcmp(c->bucket, "members") == 0) i->members++;
	else if (strcmp(c->bucket, "members_removed") == 0) i->removed_members++;
	else if (strcmp(c->bucket, "lease") == 0) i->leases++;
	else if (strcmp(c->bucket, "alarm") == 0) i->alarms++;
	else if (strcmp(c->bucket, "authUsers") == 0) i->users++;
	else if (strcmp(c->bucket, "authRoles") == 0) i->roles++;
#undef IS
	return 0;
}

/* etcd 3.6+'s schema detection, and the short label of the storage version: the stored
 * storageVersion when etcd parses it, "3.5" by etcd's 3.5 rule (a non-zero term), else "3.4". */
static void set_schema(ea_mvcc *m)
{
	ea_mvcc_info *i = &m->info;
	ea_schema_detect(&m->schema_meta, &i->schema);
	snprintf(i->storage_version, sizeof i->storage_version, "%s",
	         i->schema.from_storage_version ? i->storage_version_key : i->schema.ok ? "3.5" : "3.4");
	if (i->schema.storage_version_invalid)
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_WARNING, "meta-value-invalid", m->sv_off, m->sv_len,
		                 "meta/storageVersion \"%s\" is not a version etcd parses: etcd 3.6+ reads it as "
		                 "absent and falls back to the term", i->storage_version_key);
	/* a short term/consistent_index (schema.panics) is already reported by meta_cb, with its offset */
	if (i->downgrade_info.present && !i->downgrade_info.valid)
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "meta-value-invalid", m->dg_off, m->dg_len,
		                 "cluster/downgrade: %s", i->downgrade_info.error);
}

static int read_small_bucket(ea_mvcc *m, const char *name)
{
	ea_bolt_bucket bk;
	int rc = ea_bolt_bucket_open(m->b, NULL, name, strlen(name), &bk);
	if (rc == EA_ENOTFOUND || rc == EA_ECORRUPT) return 0;
	if (rc) return rc;
	meta_ctx c = { m, name };
	rc = ea_bolt_foreach(m->b, &bk, meta_cb, &c);
	ea_bolt_bucket_close(&bk);
	return rc < 0 ? rc : 0;
}

int ea_mvcc_open(ea_mvcc **out, ea_input *in, const ea_mvcc_options *opts, ea_error *err)
{
	*out = NULL;
	size_t idx;
	int rc = ea_bolt_locate(in, &idx, err);
	if (rc) return rc;
	ea_mvcc *m = calloc(1, sizeof *m);
	if (!m) return EA_ENOMEM;
	ea_mvcc_options def = EA_MVCC_OPTIONS_INIT;
	m->opts = opts ? *opts : def;
	m->in = in;
	ea_arena_init(&m->arena, ARENA_LIMIT);
	rc = ea_bolt_open(&m->b, in, idx, err);
	if (rc) { ea_mvcc_close(m); return rc; }
	ea_mvcc_info *i = &m->info;
	i->compact_revision = -1;
	i->scheduled_compact_revision = -1;
	i->auth_enabled = -1;
	static const char *small[] = { "meta", "cluster", "auth", "members", "members_removed", "lease",
	                               "alarm", "authUsers", "authRoles", NULL };
	for (int k = 0; small[k]; k++) {
		rc = read_small_bucket(m, small[k]);
		if (rc) { ea_mvcc_close(m); return rc; }
	}
	set_schema(m);
	if (i->scheduled_compact_revision > i->compact_revision) {
		i->compaction_interrupted = 1;
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_WARNING, "compaction-interrupted", EA_NO_OFFSET, 0,
		                 "meta: scheduledCompactRev %" PRId64 " > finishedCompactRev %" PRId64
		                 ": a compaction was interrupted; etcd resumes it at startup",
		                 i->scheduled_compact_revision, i->compact_revision);
	}
	rc = ea_bolt_bucket_open(m->b, NULL, "key", 3, &m->keyb);
	if (rc == EA_OK) m->have_keyb = 1;
	else if (rc == EA_ENOTFOUND || rc == EA_ECORRUPT)
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "no-key-bucket", EA_NO_OFFSET, 0,
		                 "the root bucket has no usable 'key' bucket: not an etcd v3 database, or its "
		                 "root page is damaged (try db ls --salvage)");
	else { ea_mvcc_close(m); return rc; }
	*out = m;
	return EA_OK;
}

void ea_mvcc_close(ea_mvcc *m)
{
	if (!m) return;
	for (size_t i = 0; i < m->nkeys; i++) { free(m->keys[i].key); free(m->keys[i].revs); }
	free(m->keys);
	free(m->slots);
	free(m->sorted);
	if (m->have_keyb) ea_bolt_bucket_close(&m->keyb);
	ea_arena_free(&m->arena);
	ea_bolt_close(m->b);
	free(m);
}

ea_bolt *ea_mvcc_bolt(ea_mvcc *m) { return m->b; }

/* ---- key index ----------------------------------------------------------------------------- */

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

static int grow_slots(ea_mvcc *m)
{
	size_t ns = m->nslots ? m->nslots * 2 : 1024;
	size_t *s = calloc(ns, sizeof *s);
	if (!s) return EA_ENOMEM;
	for (size_t i = 0; i < m->nkeys; i++) {
		size_t h = (size_t)(m->keys[i].hash % ns);
		while (s[h]) h = (h + 1) % ns;
		s[h] = i + 1;
	}
	free(m->slots);
	m->slots = s;
	m->nslots = ns;
	return EA_OK;
}

/* Finds the entry for key; creates it if `create`. NULL if absent (or no memory). */
static keyent *lookup(ea_mvcc *m, const uint8_t *k, size_t n, int create)
{
	if (!m->nslots || (m->nkeys + 1) * 2 > m->nslots) {
		if (!create && !m->nslots) return NULL;
		if (create && grow_slots(m)) return NULL;
	}
	uint64_t hv = hash_bytes(k, n);
	size_t h = (size_t)(hv % m->nslots);
	while (m->slots[h]) {
		keyent *e = &m->keys[m->slots[h] - 1];
		if (e->hash == hv && e->len == n && (n == 0 || memcmp(e->key, k, n) == 0)) return e;
		h = (h + 1) % m->nslots;
	}
	if (!create) return NULL;
	if (EA_VEC_GROW(m->keys, m->capkeys, m->nkeys, 1024)) return NULL;
	keyent *e = &m->keys[m->nkeys];
	memset(e, 0, sizeof *e);
	e->key = malloc(n ? n : 1);
	if (!e->key) return NULL;
	if (n) memcpy(e->key, k, n);
	e->len = n;
	e->hash = hv;
	m->slots[h] = ++m->nkeys;
	return e;
}

static int push_rev(keyent *e, int64_t main, int64_t sub, int tomb, const ea_bolt_kv *kv)
{
	if (e->n == e->cap) {
		uint32_t nc = e->cap ? e->cap * 2 : 1;   /* most keys hold one revision */
		void *p = realloc(e->revs, nc * sizeof *e->revs);
		if (!p) return EA_ENOMEM;
		e->revs = p;
		e->cap = nc;
	}
	int hint = kv->page <= UINT32_MAX && kv->index <= UINT16_MAX;
	e->revs[e->n++] = (rev_t){ main, sub, hint ? (uint32_t)kv->page : 0, hint ? (uint16_t)kv->index : 0,
	                           (uint8_t)(tomb != 0) };
	return EA_OK;
}

/* One walk of the key bucket serves three purposes: the index build (index = 1), the light
 * scan (counters, the checks every command reports, the current revision) and, when asked,
 * HashKV at the current revision. The fused hash is exact when no entry lies at or below the
 * compact revision (then etcd's keep set filters nothing) and every key is a revision key;
 * otherwise hashkv() walks again with the keep set. */
typedef struct {
	ea_mvcc *m;
	int64_t last_main, max_main;
	int have_last;
	int rc;
	int index;        /* build the key index */
	ea_keycount *count;   /* count distinct and live keys without it */
	int hash;         /* fold every revision into hs (HashKV at the current revision) */
	ea_hstream hs;
} keyscan_ctx;

static int keyscan_cb(const ea_bolt_kv *kv, void *payload)
{
	keyscan_ctx *c = payload;
	ea_mvcc *m = c->m;
	int64_t mn, sb;
	int tomb;
	if (parse_revkey(kv->key, kv->key_len, &mn, &sb, &tomb)) {
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "revision-key-invalid", kv->offset, 16,
		                 "page %" PRIu64 " element %u: a %zu-byte key in the key bucket is not a revision",
		                 kv->page, kv->index, kv->key_len);
		if (kv->key_len >= 17) m->invalid_keys++;   /* etcd's bytesToRev would still read it */
		if (kv->key_len >= 17 && c->hash) ea_hs_give_up(&c->hs);
		return 0;
	}
	m->info.key_revisions++;
	if (mn <= m->info.compact_revision) m->prefix_entries++;
	c->last_main = mn;
	if (!c->have_last || mn > c->max_main) c->max_main = mn;
	c->have_last = 1;
	if (tomb) m->info.tombstones++;
	const uint8_t *uk;
	size_t ul;
	int bad = decode_user_key(kv->value, kv->value_len, &uk, &ul);
	if (c->hash)
		ea_hs_feed(&c->hs, kv->key, kv->key_len, kv->value, kv->value_len, mn, sb, tomb,
		           bad ? NULL : uk ? uk : (const uint8_t *)"", ul);
	if (bad) {
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "keyvalue-invalid", kv->value_offset,
		                 kv->value_len, "page %" PRIu64 " element %u: revision %" PRId64 ".%" PRId64
		                 " holds no decodable mvccpb.KeyValue", kv->page, kv->index, mn, sb);
		return 0;
	}
	if (tomb && mn == m->info.compact_revision) m->has_compact_tombstone = 1;
	if (c->count && ea_keycount_add(c->count, uk, ul, tomb)) { c->rc = EA_ENOMEM; return 1; }
	if (!c->index) return 0;
	keyent *e = lookup(m, uk, ul, !tomb);
	if (!e) {
		if (!tomb) { c->rc = EA_ENOMEM; return 1; }
		return 0;            /* a tombstone for a key never seen: etcd ignores it */
	}
	int gen_empty = e->n == 0 || e->revs[e->n - 1].tomb;
	if (tomb && gen_empty) return 0;   /* etcd: tombstone on an empty generation is skipped */
	if (push_rev(e, mn, sb, tomb, kv)) { c->rc = EA_ENOMEM; return 1; }
	return 0;
}

static void scan_begin(ea_mvcc *m, keyscan_ctx *c, int index, int hash)
{
	memset(c, 0, sizeof *c);
	c->m = m;
	c->index = index;
	c->hash = hash;
	if (hash) ea_hs_init(&c->hs, m->info.compact_revision, INT64_MAX, INT64_MAX);
	m->info.key_revisions = m->info.tombstones = 0;
	m->prefix_entries = m->invalid_keys = 0;
	m->has_compact_tombstone = 0;
}

static void scan_end(ea_mvcc *m, keyscan_ctx *c)
{
	ea_mvcc_info *i = &m->info;
	i->last_key_revision = c->have_last ? c->last_main : 0;
	/* restore(): currentRev starts at 1, is the main of the last key seen, and is raised to the
	 * compaction revision when compaction removed the newest keys */
	i->revision = c->have_last ? c->last_main : 1;
	if (i->revision < i->compact_revision) i->revision = i->compact_revision;
	m->scanned = 1;
	if (!c->hash) return;   /* the entries are the same: an earlier scan's hash still holds */
	m->hash_tried = 1;
	m->scan_hashed = m->prefix_entries == 0 && m->invalid_keys == 0 &&
	                 (!c->have_last || c->max_main <= i->revision);
	m->hash_now = ea_hs_hash_all(&c->hs);
	/* with entries at or below the compaction, the same walk decides etcd's keep set */
	m->hs_ok = m->invalid_keys == 0 && !m->no_stream && ea_hs_finish(&c->hs, i->revision, &m->hs) == 0;
	ea_hs_free(&c->hs);
}

/* The light scan, once (hash: also HashKV at the current revision, when exact). */
static int scan_keys(ea_mvcc *m, int hash)
{
	if (m->scanned && (m->hash_tried || !hash)) return EA_OK;
	keyscan_ctx c;
	scan_begin(m, &c, 0, hash);
	if (m->have_keyb) {
		int rc = ea_bolt_foreach(m->b, &m->keyb, keyscan_cb, &c);
		if (rc < 0) { if (hash) ea_hs_free(&c.hs); return rc; }
	}
	scan_end(m, &c);
	return EA_OK;
}

/* The structural check with the light scan (and, if `hash`, HashKV at the current revision)
 * in its walk of the key bucket. */
static int check_scan(ea_mvcc *m, ea_bolt_check_result *out, int hash)
{
	if ((m->scanned && (m->hash_tried || !hash)) || !m->have_keyb) return ea_bolt_check(m->b, out);
	keyscan_ctx c;
	scan_begin(m, &c, 0, hash);
	int rc = ea__bolt_check_visit(m->b, out, "key", keyscan_cb, &c);
	if (rc < 0) { if (hash) ea_hs_free(&c.hs); return rc; }
	if (c.have_last || m->info.key_revisions || m->invalid_keys) scan_end(m, &c);
	else {
		if (hash) ea_hs_free(&c.hs);
		rc = scan_keys(m, hash);   /* the check had run before: the hook saw nothing */
	}
	if (out) out->problems = ea_bolt_problem_count(m->b);
	return rc;
}

int ea_mvcc_check(ea_mvcc *m, ea_bolt_check_result *out) { return check_scan(m, out, 0); }

int ea_mvcc_check_hash(ea_mvcc *m, ea_bolt_check_result *chk, ea_hashkv_result *h, ea_error *err)
{
	int rc = check_scan(m, chk, 1);
	if (rc) return rc;
	return ea_mvcc_hashkv(m, 0, h, err);
}

int ea_mvcc_info_scan(ea_mvcc *m, ea_mvcc_info *out)
{
	int rc = scan_keys(m, 0);
	*out = m->info;
	if (!m->indexed) out->keys = out->live_keys = 0;
	return rc;
}

static _Thread_local ea_mvcc *sort_ctx;   /* qsort comparator context; nodes are read in parallel */
static int cmp_keys(const void *a, const void *b)
{
	const keyent *x = &sort_ctx->keys[*(const size_t *)a], *y = &sort_ctx->keys[*(const size_t *)b];
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->key, y->key, n) : 0;
	if (c) return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int build_index(ea_mvcc *m)
{
	if (m->indexed) return EA_OK;
	m->indexed = 1;
	keyscan_ctx c;
	scan_begin(m, &c, 1, 0);
	if (m->have_keyb) {
		int rc = ea_bolt_foreach(m->b, &m->keyb, keyscan_cb, &c);
		if (rc < 0) return rc;
		if (c.rc) return c.rc;
	}
	scan_end(m, &c);
	ea_mvcc_info *i = &m->info;
	i->keys = m->nkeys;
	i->live_keys = 0;
	for (size_t k = 0; k < m->nkeys; k++)
		if (m->keys[k].n && !m->keys[k].revs[m->keys[k].n - 1].tomb) i->live_keys++;
	m->sorted = malloc((m->nkeys ? m->nkeys : 1) * sizeof *m->sorted);
	if (!m->sorted) return EA_ENOMEM;
	for (size_t k = 0; k < m->nkeys; k++) m->sorted[k] = k;
	sort_ctx = m;
	qsort(m->sorted, m->nkeys, sizeof *m->sorted, cmp_keys);
	sort_ctx = NULL;
	return EA_OK;
}

/* keys and live_keys as the index counts them, without building it (one walk, 16 bytes a key):
 * what snapshot status and db stat report. */
static int count_keys(ea_mvcc *m)
{
	if (m->indexed || m->counted) return EA_OK;
	ea_keycount kc;
	if (ea_keycount_init(&kc)) return EA_ENOMEM;
	keyscan_ctx c;
	scan_begin(m, &c, 0, 0);
	c.count = &kc;
	if (m->have_keyb) {
		int rc = ea_bolt_foreach(m->b, &m->keyb, keyscan_cb, &c);
		if (rc < 0 || c.rc) { ea_keycount_free(&kc); return rc < 0 ? rc : c.rc; }
	}
	scan_end(m, &c);
	m->info.keys = kc.keys;
	m->info.live_keys = kc.live;
	m->counted = 1;
	ea_keycount_free(&kc);
	return EA_OK;
}

int ea_mvcc_info_count(ea_mvcc *m, ea_mvcc_info *out)
{
	int rc = count_keys(m);
	*out = m->info;
	return rc;
}

int ea_mvcc_info_get(ea_mvcc *m, ea_mvcc_info *out)
{
	int rc = build_index(m);
	*out = m->info;
	return rc;
}

/* ---- revision queries on one key (key_index.go) ------------------------------------------ */

/* keep(): the revision of e kept by a compaction / hash at `at`, -1 if none. `ge`: the
 * generation test of 3.4.34+/3.5.16+/3.6+ (tombstone >= at; classic: > at), §7.3.1. */
static long keep_of(const keyent *e, int64_t at, int ge)
{
	if (e->n == 0) return -1;
	uint32_t start = 0;
	for (;;) {
		uint32_t t = start;
		while (t < e->n && !e->revs[t].tomb) t++;
		int last = t >= e->n;                       /* no tombstone: the last generation */
		if (last || e->revs[t].main > at || (ge && e->revs[t].main == at)) {
			uint32_t end = last ? e->n : t + 1;     /* [start, end) */
			for (uint32_t k = end; k > start; k--) {
				if (e->revs[k - 1].main <= at) {
					if (!last && k - 1 == t) return -1;   /* the tombstone closing the generation */
					return (long)(k - 1);
				}
			}
			return -1;
		}
		start = t + 1;
	}
}

/* get(): the revision of e visible at `at` (findGeneration + walk), -1 if none. */
static long get_at(const keyent *e, int64_t at)
{
	/* generations as [start, end) ranges, the last one possibly empty */
	uint32_t start = 0;
	long found = -1;
	while (start <= e->n) {
		uint32_t t = start;
		while (t < e->n && !e->revs[t].tomb) t++;
		int last = t >= e->n;
		uint32_t end = last ? e->n : t + 1;
		if (end > start) {
			if (!last && e->revs[t].main <= at) { start = t + 1; continue; }   /* deleted by then */
			if (e->revs[start].main <= at) {
				for (uint32_t k = end; k > start; k--)
					if (e->revs[k - 1].main <= at) { found = (long)(k - 1); break; }
				if (found >= 0 && e->revs[found].tomb) found = -1;
				return found;
			}
		}
		if (last) break;
		start = t + 1;
	}
	return -1;
}

/* ---- HashKV -------------------------------------------------------------------------------- */

typedef struct {
	uint8_t *used;            /* open addressing over (main, sub) pairs */
	int64_t (*pairs)[2];
	size_t cap, n;
} revset;

static int revset_add(revset *s, int64_t main, int64_t sub)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		int64_t (*np)[2] = calloc(nc, sizeof *np);
		uint8_t *used = calloc(nc, 1);
		if (!np || !used) { free(np); free(used); return EA_ENOMEM; }
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->used[i]) continue;
			size_t h = (size_t)(((uint64_t)s->pairs[i][0] * 0x9E3779B97F4A7C15ull ^ (uint64_t)s->pairs[i][1]) % nc);
			while (used[h]) h = (h + 1) % nc;
			used[h] = 1;
			np[h][0] = s->pairs[i][0];
			np[h][1] = s->pairs[i][1];
		}
		free(s->pairs);
		free(s->used);
		s->pairs = np;
		s->used = used;
		s->cap = nc;
	}
	uint8_t *used = s->used;
	size_t h = (size_t)(((uint64_t)main * 0x9E3779B97F4A7C15ull ^ (uint64_t)sub) % s->cap);
	while (used[h]) {
		if (s->pairs[h][0] == main && s->pairs[h][1] == sub) return EA_OK;
		h = (h + 1) % s->cap;
	}
	used[h] = 1;
	s->pairs[h][0] = main;
	s->pairs[h][1] = sub;
	s->n++;
	return EA_OK;
}

static int revset_has(const revset *s, int64_t main, int64_t sub)
{
	if (!s->cap) return 0;
	const uint8_t *used = s->used;
	size_t h = (size_t)(((uint64_t)main * 0x9E3779B97F4A7C15ull ^ (uint64_t)sub) % s->cap);
	while (used[h]) {
		if (s->pairs[h][0] == main && s->pairs[h][1] == sub) return 1;
		h = (h + 1) % s->cap;
	}
	return 0;
}

typedef struct {
	uint32_t hv[2];           /* both variants: [0] classic, [1] skip-compact-tombstone */
	int64_t rev, compact;
	const revset *keep;       /* the classic keep set */
	const revset *xa, *xb;    /* in the classic keep set only / in the newer one only */
	int nonempty[2];          /* each variant's keep set (at R, all keys) is not empty */
	int skip_tomb;            /* the chosen rule is skip-compact-tombstone */
	int skipped;
	int64_t upto;             /* hash only mains <= upto (ea_mvcc_hashkv_upto; rev otherwise) */
	int64_t only_main;        /* > 0: hand the hashed elements of this main to cb instead */
	ea_mvcc_kv_cb cb;
	void *payload;
	int rc;
} hash_ctx;

/* Which variants of HashKV at c->rev hash this element: bit 0 classic, bit 1 the 3.4.34+ rule
 * (etcd's filter: main <= rev, the keep set for mains at or below the compaction, and for the
 * newer rule its keep set and the tombstone skip); *mn its main revision. */
static unsigned hashed_mask(hash_ctx *c, const ea_bolt_kv *kv, int64_t *mn)
{
	int64_t sb;
	int tomb;
	if (parse_revkey(kv->key, kv->key_len, mn, &sb, &tomb)) {
		/* etcd's bytesToRev reads any key of >= 17 bytes; shorter ones would panic */
		if (kv->key_len < 17) return 0;
		*mn = (int64_t)be64(kv->key);
		sb = (int64_t)be64(kv->key + 9);
		tomb = 0;
	}
	if (*mn > c->rev) return 0;
	unsigned mask = 3;
	if (*mn <= c->compact) {
		int in_a = revset_has(c->keep, *mn, sb);
		int in_b = (in_a && !revset_has(c->xa, *mn, sb)) || revset_has(c->xb, *mn, sb);
		if (c->nonempty[0] && !in_a) mask &= ~1u;
		if (c->nonempty[1] && !in_b) mask &= ~2u;
	}
	if (tomb && *mn == c->compact && (mask & 2)) {
		mask &= ~2u;
		if (c->skip_tomb) c->skipped = 1;
	}
	return mask;
}

/* 1 when the chosen rule hashes this element. */
static int hashed(hash_ctx *c, const ea_bolt_kv *kv, int64_t *mn)
{
	return (hashed_mask(c, kv, mn) >> (c->skip_tomb ? 1 : 0)) & 1;
}

static int hash_cb(const ea_bolt_kv *kv, void *payload)
{
	hash_ctx *c = payload;
	int64_t mn;
	unsigned mask = hashed_mask(c, kv, &mn);
	if (!mask || mn > c->upto) return 0;
	for (int v = 0; v < 2; v++) {
		if (!(mask >> v & 1)) continue;
		c->hv[v] = ea_crc32c(c->hv[v], kv->key, kv->key_len);
		c->hv[v] = ea_crc32c(c->hv[v], kv->value, kv->value_len);
	}
	return 0;
}

static void keep_free(revset *keep)
{
	for (int k = 0; k < 3; k++) { free(keep[k].pairs); free(keep[k].used); }
}

/* The rule of this db's HashKV: the forced one, or inferred (AUTO). */
int ea_mvcc_hash_version(ea_mvcc *m, ea_hashkv_version *out)
{
	int rc = scan_keys(m, 0);
	ea_hashkv_infer_version(&m->info, m->has_compact_tombstone, out);
	if (m->opts.hash_rule != EA_HASHKV_RULE_AUTO) {
		out->rule = m->opts.hash_rule;
		out->assumed = 0;
		snprintf(out->version, sizeof out->version, "%s", ea_hashkv_rule_versions(out->rule));
		snprintf(out->basis, sizeof out->basis, "the %s rule as asked (etcd %s)",
		         ea_hashkv_rule_name(out->rule), ea_hashkv_rule_versions(out->rule));
	}
	return rc;
}

void ea_mvcc_set_hash_rule(ea_mvcc *m, ea_hashkv_rule rule) { m->opts.hash_rule = rule; }
void ea__mvcc_no_stream(ea_mvcc *m) { m->no_stream = 1; }
int ea__mvcc_hash_path(const ea_mvcc *m) { return m->hash_path; }
static int check_rev(ea_mvcc *m, int64_t *rev, ea_error *err);

/* ---- HashKV by one streaming walk (hashstream.c): no key index ---------------------------- */

static int hs_cb(const ea_bolt_kv *kv, void *payload)
{
	ea_hstream *s = payload;
	int64_t mn, sb;
	int tomb;
	if (parse_revkey(kv->key, kv->key_len, &mn, &sb, &tomb)) {
		if (kv->key_len >= 17) ea_hs_give_up(s);
		return s->give_up;
	}
	const uint8_t *uk;
	size_t ul;
	int bad = decode_user_key(kv->value, kv->value_len, &uk, &ul);
	ea_hs_feed(s, kv->key, kv->key_len, kv->value, kv->value_len, mn, sb, tomb,
	           bad ? NULL : uk ? uk : (const uint8_t *)"", ul);
	return s->give_up;
}

/* HashKV at rev (resolved), folding mains <= upto, from one walk: 0 with *r (and *s to free),
 * 1 when only the key index can decide (nothing to free), < 0 an error. */
static int hs_walk(ea_mvcc *m, int64_t rev, int64_t upto, ea_hstream *s, ea_hs_result *r)
{
	if (m->invalid_keys || m->no_stream) return 1;
	ea_hs_init(s, m->info.compact_revision, rev, upto);
	int rc = m->have_keyb ? ea_bolt_foreach(m->b, &m->keyb, hs_cb, s) : 0;
	if (rc >= 0) rc = ea_hs_finish(s, rev, r);
	if (rc) ea_hs_free(s);
	return rc;
}

static void hs_result(ea_hashkv_result *out, const ea_hs_result *r, ea_hashkv_rule rule, int64_t rev)
{
	int skip = rule == EA_HASHKV_RULE_SKIP_TOMBSTONE;
	out->hash_classic = r->hash[0];
	out->hash_skip = r->hash[1];
	out->hash = skip ? r->hash[1] : r->hash[0];
	out->hash_revision = rev;
	out->skipped_compact_tombstone = skip && r->skipped_tomb;
}

static int keep_add(int64_t main, int64_t sub, int in0, int in1, void *p)
{
	revset *keep = p;
	int rc = in0 ? revset_add(&keep[0], main, sub) : EA_OK;
	if (!rc && in0 && !in1) rc = revset_add(&keep[1], main, sub);
	if (!rc && in1 && !in0) rc = revset_add(&keep[2], main, sub);
	return rc;
}

/* The keep sets' elements at or below the compaction from a streaming walk: 0, 1 (use the
 * index), < 0 error. */
static int keep_streamed(ea_mvcc *m, int64_t rev, revset *keep, int nonempty[2])
{
	ea_hstream s;
	ea_hs_result r;
	int rc = hs_walk(m, rev, INT64_MAX, &s, &r);
	if (rc) return rc;
	rc = ea_hs_foreach_kept(&s, keep_add, keep);
	ea_hs_free(&s);
	nonempty[0] = r.keep_nonempty[0];
	nonempty[1] = r.keep_nonempty[1];
	return rc ? EA_ENOMEM : EA_OK;
}

/* The revision checks and the keep set of HashKV at *rev (0 = current, resolved); `stream`:
 * try the streaming walk before the key index. */
static int hash_begin(ea_mvcc *m, int64_t *rev, hash_ctx *c, revset *keep, int stream, ea_error *err)
{
	const ea_mvcc_info *i = &m->info;
	int bad = check_rev(m, rev, err);
	if (bad != EA_OK) return bad;
	ea_hashkv_version ver;
	ea_mvcc_hash_version(m, &ver);
	/* etcd's keep set only filters entries at or below the compact revision: without such
	 * entries (never compacted, or compacted past every key) no index is needed. keep[0] is
	 * the classic set, keep[1]/keep[2] what the newer rule's set lacks / adds (§7.3.1). */
	memset(keep, 0, 3 * sizeof *keep);
	int nonempty[2] = { 0, 0 }, rc = 1;
	if ((m->prefix_entries || m->invalid_keys) && stream) {
		rc = keep_streamed(m, *rev, keep, nonempty);
		if (rc < 0) { keep_free(keep); return rc; }
	}
	if ((m->prefix_entries || m->invalid_keys) && rc == 1) {
		rc = build_index(m);
		if (rc) return rc;
		for (size_t k = 0; k < m->nkeys && !rc; k++) {
			const keyent *e = &m->keys[k];
			long ra = keep_of(e, *rev, 0), rb = keep_of(e, *rev, 1);
			if (ra >= 0) rc = revset_add(&keep[0], e->revs[ra].main, e->revs[ra].sub);
			if (!rc && ra != rb && ra >= 0) rc = revset_add(&keep[1], e->revs[ra].main, e->revs[ra].sub);
			if (!rc && ra != rb && rb >= 0) rc = revset_add(&keep[2], e->revs[rb].main, e->revs[rb].sub);
		}
		if (rc) { keep_free(keep); return EA_ENOMEM; }
		nonempty[0] = keep[0].n > 0;
		nonempty[1] = keep[0].n - keep[1].n + keep[2].n > 0;
	}
	memset(c, 0, sizeof *c);
	c->hv[0] = c->hv[1] = ea_crc32c(0, "key", 3);
	c->rev = c->upto = *rev;
	c->compact = i->compact_revision;
	c->keep = &keep[0];
	c->xa = &keep[1];
	c->xb = &keep[2];
	c->nonempty[0] = nonempty[0];
	c->nonempty[1] = nonempty[1];
	c->skip_tomb = ver.rule == EA_HASHKV_RULE_SKIP_TOMBSTONE;
	return EA_OK;
}

static int hashkv_upto(ea_mvcc *m, int64_t rev, int64_t upto, ea_hashkv_result *out, ea_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = scan_keys(m, rev == 0);
	if (rc) return rc;
	const ea_mvcc_info *i = &m->info;
	out->current_revision = i->revision;
	out->compact_revision = i->compact_revision;
	ea_hashkv_version ver;
	ea_mvcc_hash_version(m, &ver);
	out->rule = ver.rule;
	snprintf(out->rule_basis, sizeof out->rule_basis, "%s", ver.basis);
	if ((rev == 0 || rev == i->revision) && upto >= i->revision && m->scan_hashed) {
		/* nothing at or below the compaction: both rules hash every element */
		out->hash = out->hash_classic = out->hash_skip = m->hash_now;
		out->hash_revision = i->revision;
		m->hash_path = 0;
		return EA_OK;
	}
	if ((rev == 0 || rev == i->revision) && upto >= i->revision && m->hs_ok) {
		hs_result(out, &m->hs, ver.rule, i->revision);   /* decided by the scan's own walk */
		m->hash_path = 1;
		return EA_OK;
	}
	int bad = check_rev(m, &rev, err);
	if (bad != EA_OK) return bad;
	ea_hstream s;
	ea_hs_result r;
	if ((rc = hs_walk(m, rev, upto, &s, &r)) < 0) return rc;
	if (rc == 0) {
		ea_hs_free(&s);
		hs_result(out, &r, ver.rule, rev);
		m->hash_path = 2;
		return EA_OK;
	}
	m->hash_path = 3;
	hash_ctx c;
	revset keep[3];
	if ((rc = hash_begin(m, &rev, &c, keep, 0, err))) return rc;
	if (upto < c.upto) c.upto = upto;
	if (m->have_keyb) rc = ea_bolt_foreach(m->b, &m->keyb, hash_cb, &c);
	keep_free(keep);
	if (rc < 0) return rc;
	out->hash_classic = c.hv[0];
	out->hash_skip = c.hv[1];
	out->hash = c.skip_tomb ? c.hv[1] : c.hv[0];
	out->hash_revision = rev;
	out->skipped_compact_tombstone = c.skipped;
	return EA_OK;
}

int ea_mvcc_hashkv(ea_mvcc *m, int64_t rev, ea_hashkv_result *out, ea_error *err)
{
	return hashkv_upto(m, rev, INT64_MAX, out, err);
}

int ea_mvcc_hashkv_upto(ea_mvcc *m, int64_t rev, int64_t upto, uint32_t *hash, ea_error *err)
{
	ea_hashkv_result r;
	int rc = hashkv_upto(m, rev, upto, &r, err);
	*hash = r.hash;
	return rc;
}

static int hashed_main_cb(const ea_bolt_kv *kv, void *payload)
{
	hash_ctx *c = payload;
	int64_t mn;
	if (!hashed(c, kv, &mn)) return 0;
	if (mn != c->only_main) return mn > c->only_main;   /* keys sort by main: past it, stop */
	ea_mvcc_kv o;
	memset(&o, 0, sizeof o);
	if (parse_revkey(kv->key, kv->key_len, &o.main, &o.sub, &o.tombstone)) {
		o.main = mn;
		o.sub = (int64_t)be64(kv->key + 9);
	}
	o.decode_ok = decode_kv(kv->value, kv->value_len, &o) == 0;
	if (!o.decode_ok) { o.key = NULL; o.key_len = 0; o.value = NULL; o.value_len = 0; }
	o.value = o.value ? o.value : (const uint8_t *)"";
	o.page = kv->page;
	o.offset = kv->offset;
	o.reachable = -1;
	c->rc = c->cb(&o, c->payload);
	return c->rc;
}

int ea_mvcc_hashkv_elements(ea_mvcc *m, int64_t rev, int64_t main, ea_mvcc_kv_cb cb, void *payload,
                            ea_error *err)
{
	int rc = scan_keys(m, 0);
	if (rc) return rc;
	hash_ctx c;
	revset keep[3];
	if ((rc = hash_begin(m, &rev, &c, keep, 1, err))) return rc;
	c.only_main = main;
	c.cb = cb;
	c.payload = payload;
	if (m->have_keyb) rc = ea_bolt_foreach(m->b, &m->keyb, hashed_main_cb, &c);
	keep_free(keep);
	if (rc < 0) return rc;
	return c.rc;
}

/* ---- snapshot status ---------------------------------------------------------------------- */

typedef struct {
	uint32_t h;
	uint64_t total;
	int64_t rev;
	int is_key;
} snap_ctx;

static int snap_kv_cb(const ea_bolt_kv *kv, void *payload)
{
	snap_ctx *c = payload;
	c->h = ea_crc32c(c->h, kv->key, kv->key_len);
	if (!kv->is_bucket) c->h = ea_crc32c(c->h, kv->value, kv->value_len);   /* nested: v == nil */
	if (c->is_key && kv->key_len >= 8) c->rev = (int64_t)be64(kv->key);
	c->total++;
	return 0;
}

typedef struct {
	ea_mvcc *m;
	const ea_bolt_bucket *root;
	snap_ctx *s;
	int rc;
} snap_root_ctx;

static int snap_root_cb(const ea_bolt_kv *kv, void *payload)
{
	snap_root_ctx *c = payload;
	if (!kv->is_bucket) {
		ea__bolt_problem(c->m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "root-not-bucket", kv->offset, 16,
		                 "page %" PRIu64 " element %u: a plain key in the root bucket (etcd's snapshot "
		                 "status fails with \"cannot get hash of bucket\")", kv->page, kv->index);
		return 0;
	}
	ea_bolt_bucket bk;
	if (ea_bolt_bucket_from_kv(c->m->b, c->root, kv, &bk) != EA_OK) return 0;
	c->s->h = ea_crc32c(c->s->h, kv->key, kv->key_len);
	c->s->is_key = kv->key_len == 3 && memcmp(kv->key, "key", 3) == 0;
	int rc = ea_bolt_foreach(c->m->b, &bk, snap_kv_cb, c->s);
	ea_bolt_bucket_close(&bk);
	if (rc < 0) { c->rc = rc; return 1; }
	return 0;
}

int ea_mvcc_snapshot_status(ea_mvcc *m, ea_snapshot_status *out)
{
	memset(out, 0, sizeof *out);
	int rc = count_keys(m);
	if (rc) return rc;
	snap_ctx s = { 0, 0, 0, 0 };
	ea_bolt_bucket root;
	ea_bolt_root_bucket(m->b, &root);
	snap_root_ctx c = { m, &root, &s, 0 };
	if (root.root) rc = ea_bolt_foreach(m->b, &root, snap_root_cb, &c);
	if (rc < 0) return rc;
	if (c.rc) return c.rc;
	out->hash = s.h;
	out->revision = s.rev;
	out->total_key = s.total;
	out->total_size = ea_bolt_pgid(m->b) * ea_bolt_page_size(m->b);
	out->live_keys = m->info.live_keys;
	return EA_OK;
}

/* ---- range, history, salvage -------------------------------------------------------------- */

/* The looked-up element lives in ea_bolt_get's page buffer: the caller's callback runs from
 * inside the lookup callback, while the bytes are valid. */
typedef struct {
	int64_t main, sub;
	ea_mvcc_kv_cb cb;
	void *payload;
	int found;
	int decode_ok;
	uint64_t offset;
	int rc;
	int tomb;             /* the looked-up key is a tombstone's */
} get_ctx;

static int get_cb(const ea_bolt_kv *kv, void *payload)
{
	get_ctx *g = payload;
	ea_mvcc_kv o;
	memset(&o, 0, sizeof o);
	g->found = 1;
	g->offset = kv->offset;
	g->decode_ok = decode_kv(kv->value, kv->value_len, &o) == 0;
	if (!g->decode_ok) return 0;
	o.decode_ok = 1;
	o.main = g->main;
	o.sub = g->sub;
	o.tombstone = g->tomb;
	o.page = kv->page;
	o.offset = kv->offset;
	o.reachable = -1;
	if (!o.value) o.value = (const uint8_t *)"";
	g->rc = g->cb(&o, g->payload);
	return 0;
}

static int check_rev(ea_mvcc *m, int64_t *rev, ea_error *err)
{
	const ea_mvcc_info *i = &m->info;
	if (*rev < 0 || (*rev > 0 && *rev < i->compact_revision)) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_MVCC, ea_bolt_file(m->b), EA_NO_OFFSET,
		              "revision %" PRId64 " has been compacted (compact revision %" PRId64 ")", *rev,
		              i->compact_revision);
		return EA_EINVAL;
	}
	if (*rev > i->revision) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_MVCC, ea_bolt_file(m->b), EA_NO_OFFSET,
		              "revision %" PRId64 " is a future revision (current %" PRId64 ")", *rev, i->revision);
		return EA_EINVAL;
	}
	if (*rev == 0) *rev = i->revision;
	return EA_OK;
}

/* A Range lists keys in key order, but their values lie on leaf pages in revision order:
 * looked up one by one, every key touches a page at random (each a page fault on a mapped
 * file). So keys are taken in batches: the values of a batch are read in page order (the
 * index walk recorded each revision's leaf page and element) into one buffer, then handed
 * out in key order. The buffer is bounded; what does not fit is looked up on its own. */
#define RANGE_BATCH 4096
#define RANGE_BATCH_BYTES (8u << 20)

typedef struct {
	const keyent *e;
	rev_t v;                 /* the visible revision, a copy of e->revs[r] (no second trip there) */
	uint32_t page;
	uint16_t elem;
	int copied;              /* value bytes in the batch buffer at [at, at + len) */
	size_t at, len;
	uint64_t page_id, offset, value_offset;
} range_item;

typedef struct {
	range_item *it;
	size_t n;
	uint8_t *buf;
	size_t used;
	int full;
} range_batch;

static int cmp_range_page(const void *a, const void *b)
{
	const range_item *x = *(range_item *const *)a, *y = *(range_item *const *)b;
	if (x->page != y->page) return x->page < y->page ? -1 : 1;
	return x->elem < y->elem ? -1 : x->elem > y->elem;
}

typedef struct { range_batch *bt; range_item *it; } copy_ctx;

static int copy_cb(const ea_bolt_kv *kv, void *payload)
{
	copy_ctx *c = payload;
	range_batch *bt = c->bt;
	if (bt->full || kv->value_len > RANGE_BATCH_BYTES - bt->used) { bt->full = 1; return 0; }
	memcpy(bt->buf + bt->used, kv->value, kv->value_len);
	c->it->copied = 1;
	c->it->at = bt->used;
	c->it->len = kv->value_len;
	c->it->page_id = kv->page;
	c->it->offset = kv->offset;
	c->it->value_offset = kv->value_offset;
	bt->used += kv->value_len;
	return 0;
}

static void rev_key(uint8_t rk[17], const rev_t *v)
{
	put_be64(rk, (uint64_t)v->main);
	rk[8] = '_';
	put_be64(rk + 9, (uint64_t)v->sub);
}

/* Reads the batch's values in page order into bt->buf. */
static int range_fetch(ea_mvcc *m, range_batch *bt, range_item **order)
{
	for (size_t i = 0; i < bt->n; i++) order[i] = &bt->it[i];
	qsort(order, bt->n, sizeof *order, cmp_range_page);
	bt->used = 0;
	bt->full = 0;
	for (size_t i = 0; i < bt->n && !bt->full; i++) {
		range_item *it = order[i];
		if (!it->page) continue;
		uint8_t rk[17];
		rev_key(rk, &it->v);
		copy_ctx c = { bt, it };
		int rc = ea_bolt_get_at(m->b, it->page, it->elem, rk, sizeof rk, copy_cb, &c);
		if (rc < 0 && rc != EA_ENOTFOUND) return rc;
	}
	return EA_OK;
}

/* One key's value, looked up (not in the batch buffer): cb through get_cb. */
static int range_lookup(ea_mvcc *m, const range_item *it, get_ctx *g)
{
	uint8_t rk[17];
	rev_key(rk, &it->v);
	int rc = EA_ENOTFOUND;
	if (it->page) rc = ea_bolt_get_at(m->b, it->page, it->elem, rk, sizeof rk, get_cb, g);
	if (rc == EA_ENOTFOUND) rc = ea_bolt_get(m->b, &m->keyb, rk, sizeof rk, get_cb, g);
	return rc;
}

/* Hands out one batch item in key order. */
static int range_emit(ea_mvcc *m, range_batch *bt, const range_item *it, ea_mvcc_kv_cb cb, void *payload)
{
	const rev_t *v = &it->v;
	get_ctx g = { v->main, v->sub, cb, payload, 0, 0, EA_NO_OFFSET, 0 };
	int rc = EA_OK;
	if (it->copied) {
		ea_bolt_kv kv = { NULL, 0, bt->buf + it->at, it->len, 0, it->page_id, it->elem, it->offset,
		                  it->value_offset, -1 };
		get_cb(&kv, &g);
	} else {
		rc = range_lookup(m, it, &g);
		if (rc < 0 && rc != EA_ENOTFOUND) return rc;
	}
	if (g.rc) return g.rc;
	if (!g.found || !g.decode_ok) {
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "value-unreadable", g.offset, 0,
		                 "revision %" PRId64 ".%" PRId64 " of a listed key %s", g.main, g.sub,
		                 g.found ? "does not decode" : "could not be looked up again (damaged tree?)");
		ea_mvcc_kv kv;
		memset(&kv, 0, sizeof kv);
		kv.main = g.main;
		kv.sub = g.sub;
		kv.key = it->e->key;
		kv.key_len = it->e->len;
		kv.value = (const uint8_t *)"";
		kv.offset = g.offset;
		kv.reachable = -1;
		return cb(&kv, payload);
	}
	return EA_OK;
}

static int range_flush(ea_mvcc *m, range_batch *bt, range_item **order, ea_mvcc_kv_cb cb, void *payload)
{
	int rc = range_fetch(m, bt, order);
	for (size_t i = 0; i < bt->n && !rc; i++) rc = range_emit(m, bt, &bt->it[i], cb, payload);
	bt->n = 0;
	return rc;
}

int ea_mvcc_range(ea_mvcc *m, const void *prefix, size_t plen, int64_t rev, ea_mvcc_kv_cb cb,
                  void *payload, ea_error *err)
{
	int rc = build_index(m);
	if (rc) return rc;
	if ((rc = check_rev(m, &rev, err))) return rc;
	range_batch bt = { 0 };
	bt.it = malloc(RANGE_BATCH * sizeof *bt.it);
	range_item **order = malloc(RANGE_BATCH * sizeof *order);
	bt.buf = malloc(RANGE_BATCH_BYTES);
	if (!bt.it || !order || !bt.buf) rc = EA_ENOMEM;
	for (size_t s = 0; s < m->nkeys && !rc; s++) {
		const keyent *e = &m->keys[m->sorted[s]];
		if (plen && (e->len < plen || memcmp(e->key, prefix, plen) != 0)) continue;
		long r = get_at(e, rev);
		if (r < 0) continue;
		bt.it[bt.n++] = (range_item){ e, e->revs[r], e->revs[r].page, e->revs[r].elem, 0, 0, 0, 0, 0, 0 };
		if (bt.n == RANGE_BATCH) rc = range_flush(m, &bt, order, cb, payload);
	}
	if (!rc && bt.n) rc = range_flush(m, &bt, order, cb, payload);
	free(bt.it);
	free(order);
	free(bt.buf);
	return rc;
}

/* Looks revision (main, sub) up (the put form, then the tombstone form) and hands it to cb. */
static int get_element(ea_mvcc *m, int64_t main, int64_t sub, int tomb_first, ea_mvcc_kv_cb cb,
                       void *payload)
{
	uint8_t rk[18];
	put_be64(rk, (uint64_t)main);
	rk[8] = '_';
	put_be64(rk + 9, (uint64_t)sub);
	rk[17] = 't';
	for (int k = 0; k < 2; k++) {
		int tomb = (k == 0) == (tomb_first != 0);
		get_ctx g = { main, sub, cb, payload, 0, 0, EA_NO_OFFSET, 0 };
		g.tomb = tomb;
		int rc = ea_bolt_get(m->b, &m->keyb, rk, tomb ? 18 : 17, get_cb, &g);
		if (rc < 0 && rc != EA_ENOTFOUND) return rc;
		if (g.found) return g.rc ? g.rc : (g.decode_ok ? EA_OK : EA_ECORRUPT);
	}
	return EA_ENOTFOUND;
}

int ea_mvcc_get_rev(ea_mvcc *m, int64_t main, int64_t sub, ea_mvcc_kv_cb cb, void *payload)
{
	if (!m->have_keyb) return EA_ENOTFOUND;
	return get_element(m, main, sub, 0, cb, payload);
}

int ea_mvcc_get_at(ea_mvcc *m, const void *key, size_t len, int64_t rev, ea_mvcc_kv_cb cb, void *payload)
{
	int rc = build_index(m);
	if (rc) return rc;
	const keyent *e = m->nslots ? lookup(m, key, len, 0) : NULL;
	long r = e ? get_at(e, rev) : -1;
	if (r < 0) return EA_ENOTFOUND;
	return get_element(m, e->revs[r].main, e->revs[r].sub, 0, cb, payload);
}

/* key < bound in etcd's byte order */
static int key_less(const keyent *e, const uint8_t *k, size_t n)
{
	size_t c = e->len < n ? e->len : n;
	int d = c ? memcmp(e->key, k, c) : 0;
	return d < 0 || (d == 0 && e->len < n);
}

int ea_mvcc_range_at(ea_mvcc *m, const void *key, size_t len, const void *end, size_t end_len, int64_t rev,
                     ea_mvcc_kv_cb cb, void *payload)
{
	int rc = build_index(m);
	if (rc) return rc;
	if (!end) {
		rc = ea_mvcc_get_at(m, key, len, rev, cb, payload);
		return rc == EA_ENOTFOUND || rc == EA_ECORRUPT ? EA_OK : rc;
	}
	int to_end = end_len == 1 && ((const uint8_t *)end)[0] == 0;
	size_t lo = 0, hi = m->nkeys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_less(&m->keys[m->sorted[mid]], key, len)) lo = mid + 1; else hi = mid;
	}
	for (size_t s = lo; s < m->nkeys; s++) {
		const keyent *e = &m->keys[m->sorted[s]];
		if (!to_end && !key_less(e, end, end_len)) break;
		long r = get_at(e, rev);
		if (r < 0) continue;
		rc = get_element(m, e->revs[r].main, e->revs[r].sub, 0, cb, payload);
		if (rc != EA_OK && rc != EA_ENOTFOUND && rc != EA_ECORRUPT) return rc;
	}
	return EA_OK;
}

typedef struct {
	ea_mvcc *m;
	const uint8_t *key;
	size_t len;
	ea_mvcc_kv_cb cb;
	void *payload;
	int salvage;
	int all;             /* ea_mvcc_foreach: every element, decodable or not */
	int rc;
} scan_ctx;

static int scan_cb(const ea_bolt_kv *kv, void *payload)
{
	scan_ctx *c = payload;
	ea_mvcc_kv o;
	memset(&o, 0, sizeof o);
	if (kv->is_bucket) return 0;
	if (parse_revkey(kv->key, kv->key_len, &o.main, &o.sub, &o.tombstone)) return 0;
	o.decode_ok = decode_kv(kv->value, kv->value_len, &o) == 0;
	if (c->salvage) {
		/* key-bucket shape: a put names its own revision, a tombstone carries only the key */
		if (!o.decode_ok || o.main <= 0 || o.sub < 0) return 0;
		if (!o.tombstone && (o.mod_revision != o.main || o.create_revision <= 0 ||
		                     o.create_revision > o.main || o.version <= 0)) return 0;
		if (o.tombstone && (o.mod_revision || o.create_revision || o.version || o.value_len)) return 0;
	} else if (c->all) {
		if (!o.decode_ok && decode_user_key(kv->value, kv->value_len, &o.key, &o.key_len)) {
			o.key = NULL;
			o.key_len = 0;
		}
		if (!o.decode_ok) { o.value = NULL; o.value_len = 0; }
	} else {
		if (!o.decode_ok && decode_user_key(kv->value, kv->value_len, &o.key, &o.key_len)) return 0;
		if (o.key_len != c->len || (c->len && memcmp(o.key, c->key, c->len) != 0)) return 0;
	}
	o.value = o.value ? o.value : (const uint8_t *)"";
	o.page = kv->page;
	o.offset = kv->offset;
	o.reachable = kv->reachable;
	o.stored_key_len = kv->key_len;
	o.stored_value_len = kv->value_len;
	c->rc = c->cb(&o, c->payload);
	return c->rc;
}

int ea_mvcc_history(ea_mvcc *m, const void *key, size_t len, ea_mvcc_kv_cb cb, void *payload)
{
	if (!m->have_keyb) return EA_OK;
	scan_ctx c = { m, key, len, cb, payload, 0, 0, 0 };
	int rc = ea_bolt_foreach(m->b, &m->keyb, scan_cb, &c);
	return rc < 0 ? rc : c.rc;
}

int ea_mvcc_salvage(ea_mvcc *m, ea_mvcc_kv_cb cb, void *payload)
{
	int rc = ea_bolt_check(m->b, NULL);
	if (rc) return rc;
	scan_ctx c = { m, NULL, 0, cb, payload, 1, 0, 0 };
	rc = ea_bolt_scan_leaves(m->b, scan_cb, &c);
	return rc < 0 ? rc : c.rc;
}

int ea_mvcc_foreach(ea_mvcc *m, ea_mvcc_kv_cb cb, void *payload)
{
	if (!m->have_keyb) return EA_OK;
	scan_ctx c = { m, NULL, 0, cb, payload, 0, 1, 0 };
	int rc = ea_bolt_foreach(m->b, &m->keyb, scan_cb, &c);
	return rc < 0 ? rc : c.rc;
}

/* ---- members, leases, alarms, auth ------------------------------------------------------- */

typedef struct {
	ea_mvcc *m;
	int removed;
	void *cb;
	void *payload;
	int rc;
} list_ctx;

static int member_cb(const ea_bolt_kv *kv, void *payload)
{
	list_ctx *c = payload;
	ea_mvcc *m = c->m;
	ea_arena_reset(&m->arena);
	ea_mvcc_member mb = { 0, "", "", "", 0, c->removed };
	if (ea__hex_u64(kv->key, kv->key_len, &mb.id)) {
		ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "member-invalid", kv->offset, 16,
		                 "page %" PRIu64 " element %u: member key is not a hex ID", kv->page, kv->index);
		return 0;
	}
	if (!c->removed) {
		const ea_jv *j = ea_jsonp_parse(&m->arena, (const char *)kv->value, kv->value_len);
		if (!j || j->type != EA_JV_OBJ) {
			ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "member-invalid", kv->value_offset,
			                 kv->value_len, "member %" PRIx64 ": value is not JSON", mb.id);
		} else {
			const char *name = ea_jsonp_str(j, "name");
			mb.name = name ? name : "";
			mb.peer_urls = ea_jsonp_join(&m->arena, ea_jsonp_get(j, "peerURLs"));
			mb.client_urls = ea_jsonp_join(&m->arena, ea_jsonp_get(j, "clientURLs"));
			const ea_jv *l = ea_jsonp_get(j, "isLearner");
			mb.is_learner = l && l->type == EA_JV_BOOL && l->b;
		}
	}
	c->rc = ((ea_mvcc_member_cb)c->cb)(&mb, c->payload);
	return c->rc;
}

static int foreach_bucket(ea_mvcc *m, const char *name, ea_bolt_kv_cb cb, list_ctx *c)
{
	ea_bolt_bucket bk;
	int rc = ea_bolt_bucket_open(m->b, NULL, name, strlen(name), &bk);
	if (rc == EA_ENOTFOUND || rc == EA_ECORRUPT) return EA_OK;
	if (rc) return rc;
	rc = ea_bolt_foreach(m->b, &bk, cb, c);
	ea_bolt_bucket_close(&bk);
	return rc < 0 ? rc : c->rc;
}

int ea_mvcc_members(ea_mvcc *m, ea_mvcc_member_cb cb, void *payload)
{
	list_ctx c = { m, 0, (void *)cb, payload, 0 };
	int rc = foreach_bucket(m, "members", member_cb, &c);
	if (rc) return rc;
	c.removed = 1;
	return foreach_bucket(m, "members_removed", member_cb, &c);
}

static int lease_cb(const ea_bolt_kv *kv, void *payload)
{
	list_ctx *c = payload;
	ea_arena_reset(&c->m->arena);
	Leasepb__Lease *l = leasepb__lease__unpack(&c->m->arena.pb, kv->value_len, kv->value);
	if (!l) {
		ea__bolt_problem(c->m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "lease-invalid", kv->value_offset,
		                 kv->value_len, "page %" PRIu64 " element %u: lease value is not a leasepb.Lease",
		                 kv->page, kv->index);
		return 0;
	}
	ea_mvcc_lease o = { l->id, l->ttl, l->remainingttl };
	c->rc = ((ea_mvcc_lease_cb)c->cb)(&o, c->payload);
	return c->rc;
}

int ea_mvcc_leases(ea_mvcc *m, ea_mvcc_lease_cb cb, void *payload)
{
	list_ctx c = { m, 0, (void *)cb, payload, 0 };
	return foreach_bucket(m, "lease", lease_cb, &c);
}

static int alarm_cb(const ea_bolt_kv *kv, void *payload)
{
	list_ctx *c = payload;
	ea_mvcc_alarm a = { 0, 0, "NONE" };
	const uint8_t *p = kv->key, *end = kv->key + kv->key_len;
	while (p < end) {
		uint64_t tag, v;
		if (ea_pb_varint(&p, end, &tag) || (tag & 7) != 0 || ea_pb_varint(&p, end, &v)) {
			ea__bolt_problem(c->m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "alarm-invalid", kv->offset, 16,
			                 "page %" PRIu64 " element %u: alarm key is not an AlarmMember", kv->page, kv->index);
			return 0;
		}
		if ((tag >> 3) == 1) a.member_id = v;
		else if ((tag >> 3) == 2) a.alarm = (int)v;
	}
	a.alarm_name = a.alarm == 1 ? "NOSPACE" : a.alarm == 2 ? "CORRUPT" : a.alarm == 0 ? "NONE" : "UNKNOWN";
	c->rc = ((ea_mvcc_alarm_cb)c->cb)(&a, c->payload);
	return c->rc;
}

int ea_mvcc_alarms(ea_mvcc *m, ea_mvcc_alarm_cb cb, void *payload)
{
	list_ctx c = { m, 0, (void *)cb, payload, 0 };
	return foreach_bucket(m, "alarm", alarm_cb, &c);
}

static int auth_cb(const ea_bolt_kv *kv, void *payload)
{
	list_ctx *c = payload;
	ea_mvcc *m = c->m;
	ea_arena_reset(&m->arena);
	ea_mvcc_auth_entry a;
	memset(&a, 0, sizeof a);
	a.is_role = c->removed;     /* reused as the "roles bucket" flag */
	char *name = ea_arena_strndup(&m->arena, (const char *)kv->key, kv->key_len);
	a.name = name ? name : "";
	a.roles = "";
	if (!a.is_role) {
		Authpb__User *u = authpb__user__unpack(&m->arena.pb, kv->value_len, kv->value);
		if (!u) goto bad;
		a.has_password = u->has_password && u->password.len > 0;   /* the hash itself is dropped */
		a.no_password = u->options && u->options->no_password;
		size_t n = 0;
		for (size_t i = 0; i < u->n_roles; i++) n += strlen(u->roles[i]) + 1;
		char *r = ea_arena_alloc(&m->arena, n + 1);
		if (r) {
			size_t o = 0;
			for (size_t i = 0; i < u->n_roles; i++) {
				if (o) r[o++] = ',';
				size_t l = strlen(u->roles[i]);
				memcpy(r + o, u->roles[i], l);
				o += l;
			}
			r[o] = 0;
			a.roles = r;
		}
	} else {
		Authpb__Role *r = authpb__role__unpack(&m->arena.pb, kv->value_len, kv->value);
		if (!r) goto bad;
		a.permissions = r->n_keypermission;
	}
	c->rc = ((ea_mvcc_auth_cb)c->cb)(&a, c->payload);
	return c->rc;
bad:
	ea__bolt_problem(m->b, EA_LAYER_MVCC, EA_SEV_ERROR, "auth-invalid", kv->value_offset, kv->value_len,
	                 "page %" PRIu64 " element %u: %s value does not decode", kv->page, kv->index,
	                 a.is_role ? "authRoles" : "authUsers");
	return 0;
}

int ea_mvcc_auth(ea_mvcc *m, ea_mvcc_auth_cb cb, void *payload)
{
	list_ctx c = { m, 0, (void *)cb, payload, 0 };
	int rc = foreach_bucket(m, "authUsers", auth_cb, &c);
	if (rc) return rc;
	c.removed = 1;
	return foreach_bucket(m, "authRoles", auth_cb, &c);
}
