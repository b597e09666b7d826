/* diff.c: cross-node divergence (see diff.h).
 *
 * Log alignment: a node's surviving entries (those not superseded) appear in its WAL in
 * increasing index order, so one cursor per node and a k-way lockstep by index compares
 * every index held by two or more nodes: term first, then a CRC-32C of the entry data.
 * For every pair of nodes the first disagreement is kept and classified:
 *   - same index, different term, committed on both  → committed-divergence (critical)
 *   - same index and term, different data             → committed-divergence (critical):
 *     Raft's log matching property is broken
 *   - same index, different term, beyond a commit     → uncommitted-divergence (warning):
 *     normal after an isolated leader; the side with the older term will be overwritten
 * Entries that fail their own CRC are damage (wal-damage), never counted as divergence.
 * Then lagging (a strict prefix), damage, state (db) checks, and the verdict. */
#include "etcd-autopsy/diff.h"
#include "etcd-autopsy/restore.h"
#include "diff_int.h"
#include "util/vec.h"
#include "hash_compare.h"
#include "diff_replay.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 32

/* One surviving entry as the lockstep needs it. */
typedef struct {
	uint64_t index, term, offset;
	uint32_t crc;
	int crc_ok;          /* 0 when the record failed its CRC: damage, reported as such, not divergence */
	size_t data_len;
	const char *file;    /* the WAL's own string, stable until the log is rewound or closed */
} slot;

/* Each node's log is read by its own producer thread (decode + CRC of the entry data) into
 * batches handed over through a small queue; the lockstep consumes them. The nodes' third
 * passes then run in parallel instead of one after the other. */
#define BATCH 512
#define NBATCH 4
uint64_t ea__diff_threaded_min_bytes = 8u << 20;   /* below this much WAL one thread reads all */

typedef struct {
	slot s[BATCH];
	size_t n;
} batch;

typedef struct {
	ea_log *log;
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch b[NBATCH];
	size_t head, tail;   /* batches produced / consumed (mod NBATCH in the array) */
	int eof, rc;         /* producer finished (rc: its result) */
	int stop;            /* consumer gave up: producer ends */
	/* consumer side */
	batch *cur;          /* b[tail % NBATCH] while it is being read, else NULL */
	size_t pos;          /* next slot in cur */
	int done;
	uint64_t index, term, offset;
	uint32_t crc;
	int crc_ok;
	size_t data_len;
	char file[256];
	const char *file_src;   /* the WAL's string file was copied from (copy once per segment) */
} cursor;

/* The next surviving entry of c's log into sl: EA_OK, EA_ITEROVER at the end, or an error. */
static int read_slot(cursor *c, slot *sl)
{
	ea_log_item li;
	int rc;
	while ((rc = ea_log_next(c->log, &li)) == EA_OK) {
		if (li.item.kind != EA_WAL_ITEM_RECORD || li.item.rec.type != EA_WAL_ENTRY || !li.item.rec.decoded)
			continue;
		if (li.superseded) continue;
		const ea_entry_header *e = &li.item.rec.u.entry;
		sl->index = e->index;
		sl->term = e->term;
		sl->crc = ea_crc32c(0, e->data, e->data_len);
		sl->data_len = e->data_len;
		sl->crc_ok = li.item.rec.crc_ok;
		sl->file = li.item.rec.file;
		sl->offset = li.item.rec.offset;
		return EA_OK;
	}
	return rc;
}

static void *producer(void *arg)
{
	cursor *c = arg;
	int rc;
	batch *cur = NULL;
	for (;;) {
		if (!cur) {
			pthread_mutex_lock(&c->mu);
			while (c->head - c->tail == NBATCH && !c->stop) pthread_cond_wait(&c->cv, &c->mu);
			int stop = c->stop;
			pthread_mutex_unlock(&c->mu);
			if (stop) { rc = EA_OK; break; }
			cur = &c->b[c->head % NBATCH];
			cur->n = 0;
		}
		if ((rc = read_slot(c, &cur->s[cur->n])) != EA_OK) break;
		if (++cur->n == BATCH) {
			pthread_mutex_lock(&c->mu);
			c->head++;
			pthread_cond_broadcast(&c->cv);
			pthread_mutex_unlock(&c->mu);
			cur = NULL;
		}
	}
	pthread_mutex_lock(&c->mu);
	if (cur && cur->n) c->head++;   /* the last, partial batch */
	c->eof = 1;
	c->rc = rc == EA_ITEROVER ? EA_OK : rc;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* threaded: a producer thread fills the batches; otherwise cursor_next reads inline (small
 * logs, where a thread costs more than it saves) */
static int cursor_start(cursor *c, ea_log *log, int threaded)
{
	c->log = log;
	if (!threaded) return EA_OK;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, producer, c) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		return EA_ENOMEM;
	}
	c->started = 1;
	return EA_OK;
}

static void cursor_stop(cursor *c)
{
	if (!c->started) return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	c->started = 0;
}

static int cursor_next(cursor *c)
{
	for (;;) {
		batch *b = c->cur;
		if (!c->started && !(b && c->pos < b->n)) {
			/* inline: refill b[0] */
			if (c->eof) { c->done = 1; return c->rc; }
			b = &c->b[0];
			b->n = 0;
			int rc = EA_OK;
			while (b->n < BATCH && (rc = read_slot(c, &b->s[b->n])) == EA_OK) b->n++;
			if (rc != EA_OK) { c->eof = 1; c->rc = rc == EA_ITEROVER ? EA_OK : rc; }
			c->cur = b;
			c->pos = 0;
			if (!b->n) { c->done = 1; return c->rc; }
		}
		if (b && c->pos < b->n) {
			const slot *sl = &b->s[c->pos++];
			c->index = sl->index;
			c->term = sl->term;
			c->crc = sl->crc;
			c->data_len = sl->data_len;
			c->crc_ok = sl->crc_ok;
			c->offset = sl->offset;
			if (c->file_src != sl->file) {
				snprintf(c->file, sizeof c->file, "%s", sl->file);
				c->file_src = sl->file;
			}
			return EA_OK;
		}
		pthread_mutex_lock(&c->mu);
		if (b) {                            /* used up: hand it back */
			c->tail++;
			c->cur = NULL;
			c->pos = 0;
			pthread_cond_broadcast(&c->cv);
		}
		while (c->head == c->tail && !c->eof) pthread_cond_wait(&c->cv, &c->mu);
		if (c->head == c->tail) {          /* eof and nothing left */
			int rc = c->rc;
			pthread_mutex_unlock(&c->mu);
			c->done = 1;
			return rc;
		}
		c->cur = &c->b[c->tail % NBATCH];
		pthread_mutex_unlock(&c->mu);
	}
}

typedef struct {
	int found;
	uint64_t index;
	uint64_t term_a, term_b;
	int data_mismatch;
	char where_a[300], where_b[300];
} pair_div;

/* A finding of kind k appended to d (its name from the table), NULL when out of memory. */
static ea_finding *add_finding(ea_diff *d, ea_finding_kind_id k, const char *sev, uint64_t index,
                               int64_t rev, uint32_t mask, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static ea_finding *add_finding(ea_diff *d, ea_finding_kind_id k, const char *sev, uint64_t index,
                               int64_t rev, uint32_t mask, const char *fmt, ...)
{
	if (EA_VEC_RESERVE(d->findings, d->nfindings) != 0) return NULL;
	ea_finding *f = &d->findings[d->nfindings++];
	*f = (ea_finding){ .kind = ea_finding_kind_get(k)->name, .kind_id = k, .severity = sev, .index = index,
	                   .revision = rev, .node_mask = mask };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof f->detail, fmt, ap);
	va_end(ap);
	return f;
}

static void raise_verdict(ea_diff *d, ea_verdict v)
{
	if (v > d->verdict) d->verdict = v;
}

static int align(ea_node *const *nodes, size_t n, pair_div (*div)[MAX_NODES])
{
	cursor *cur = calloc(MAX_NODES, sizeof *cur);
	if (!cur) return EA_ENOMEM;
	int rc = EA_OK;
	size_t with_wal = 0;
	uint64_t wal_bytes = 0;
	for (size_t i = 0; i < n; i++) {
		with_wal += ea_node_wal(nodes[i])->present && ea_node_log(nodes[i]);
		for (size_t k = 0; ea_node_wal(nodes[i])->present && k < ea_node_wal(nodes[i])->nsegments; k++) wal_bytes += ea_node_wal(nodes[i])->segments[k].used;
	}
	int threaded = wal_bytes >= ea__diff_threaded_min_bytes;
	for (size_t i = 0; i < n; i++) {
		if (with_wal < 2 || !ea_node_wal(nodes[i])->present || !ea_node_log(nodes[i])) { cur[i].done = 1; continue; }
		ea_error err;
		/* the node's log: one more pass, its first pass (CRC verdicts) is reused */
		if ((rc = ea_log_rewind(ea_node_log(nodes[i]), &err)) != EA_OK) goto out;
		if ((rc = cursor_start(&cur[i], ea_node_log(nodes[i]), threaded)) != EA_OK) goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!cur[i].done && (rc = cursor_next(&cur[i])) != EA_OK) goto out;
	for (;;) {
		uint64_t idx = UINT64_MAX;
		for (size_t i = 0; i < n; i++) if (!cur[i].done && cur[i].index < idx) idx = cur[i].index;
		if (idx == UINT64_MAX) break;
		for (size_t a = 0; a < n; a++) {
			if (cur[a].done || cur[a].index != idx) continue;
			for (size_t b = a + 1; b < n; b++) {
				if (cur[b].done || cur[b].index != idx || div[a][b].found) continue;
				if (cur[a].crc_ok == 0 || cur[b].crc_ok == 0) continue;
				int term_diff = cur[a].term != cur[b].term;
				int data_diff = !term_diff && (cur[a].crc != cur[b].crc || cur[a].data_len != cur[b].data_len);
				if (!term_diff && !data_diff) continue;
				pair_div *p = &div[a][b];
				p->found = 1;
				p->index = idx;
				p->term_a = cur[a].term;
				p->term_b = cur[b].term;
				p->data_mismatch = data_diff;
				snprintf(p->where_a, sizeof p->where_a, "%s+%" PRIu64 " (term %" PRIu64 ", %zu bytes, crc32c %08" PRIx32 ")",
				         cur[a].file, cur[a].offset, cur[a].term, cur[a].data_len, cur[a].crc);
				snprintf(p->where_b, sizeof p->where_b, "%s+%" PRIu64 " (term %" PRIu64 ", %zu bytes, crc32c %08" PRIx32 ")",
				         cur[b].file, cur[b].offset, cur[b].term, cur[b].data_len, cur[b].crc);
			}
		}
		for (size_t i = 0; i < n; i++)
			if (!cur[i].done && cur[i].index == idx && (rc = cursor_next(&cur[i])) != EA_OK) goto out;
	}
out:
	for (size_t i = 0; i < n; i++) cursor_stop(&cur[i]);
	free(cur);
	return rc;
}

/* A source problem about a file or dir outside the node's WAL dir (an unreadable db): not WAL damage. */
static int outside_wal(const ea_node *nd, const ea_problem *pr)
{
	size_t l = ea_node_wal(nd)->dir ? strlen(ea_node_wal(nd)->dir) : 0;
	return pr->layer == EA_LAYER_SOURCE && pr->file && l &&
	       !(strncmp(pr->file, ea_node_wal(nd)->dir, l) == 0 && pr->file[l] == '/');
}

static size_t error_problems(const ea_node *nd, size_t *warnings, size_t *gaps, const ea_problem **first)
{
	size_t errors = 0;
	*warnings = *gaps = 0;
	*first = NULL;
	for (size_t p = 0; p < ea_node_wal(nd)->summary.problem_count; p++) {
		const ea_problem *pr = &ea_node_wal(nd)->summary.problems[p].p;
		if (strcmp(pr->kind, "index-gap") == 0) { (*gaps)++; continue; }
		if (outside_wal(nd, pr)) continue;
		if (pr->severity == EA_SEV_ERROR) { errors++; if (!*first) *first = pr; }
		else if (pr->severity == EA_SEV_WARNING) { (*warnings)++; if (!*first) *first = pr; }
	}
	return errors;
}

/* A key as text in a finding: printable ASCII as is, every other byte (NUL included) and
 * '"' '\' as \xNN, whole unless it does not fit in cap (then cut with its length stated). */
static void escape_key(char *out, size_t cap, const uint8_t *k, size_t n)
{
	size_t o = 0, i = 0;
	for (; i < n; i++) {
		char e[5];
		int l = k[i] >= 0x20 && k[i] < 0x7f && k[i] != '"' && k[i] != '\\'
		        ? snprintf(e, sizeof e, "%c", k[i]) : snprintf(e, sizeof e, "\\x%02x", k[i]);
		if (o + (size_t)l + 32 >= cap) break;   /* room for the cut marker */
		memcpy(out + o, e, (size_t)l);
		o += (size_t)l;
	}
	out[o] = 0;
	if (i < n) snprintf(out + o, cap - o, "...(%zu bytes)", n);
}

/* One element HashKV hashes at the located revision, as much as a finding needs. */
typedef struct {
	int64_t sub;
	int tomb, decode_ok;
	char key[220];
	uint32_t key_crc, value_crc;
	size_t key_len, value_len;
	int64_t create, mod, version, lease;
} elem;

typedef struct {
	elem e[64];
	size_t n, more;
} elems;

static int collect_elem(const ea_mvcc_kv *kv, void *payload)
{
	elems *s = payload;
	if (s->n == sizeof s->e / sizeof s->e[0]) { s->more++; return 0; }
	elem *e = &s->e[s->n++];
	memset(e, 0, sizeof *e);
	e->sub = kv->sub;
	e->tomb = kv->tombstone;
	e->decode_ok = kv->decode_ok;
	e->key_len = kv->key_len;
	e->key_crc = kv->key ? ea_crc32c(0, kv->key, kv->key_len) : 0;
	escape_key(e->key, sizeof e->key, kv->key ? kv->key : (const uint8_t *)"", kv->key ? kv->key_len : 0);
	e->value_len = kv->value_len;
	e->value_crc = ea_crc32c(0, kv->value, kv->value_len);
	e->create = kv->create_revision;
	e->mod = kv->mod_revision;
	e->version = kv->version;
	e->lease = kv->lease;
	return 0;
}

/* The first revision where the elements HashKV hashes at `rev` differ between a and b: the
 * hash folded up to t is equal below it and differs from it on, so a binary search over
 * 1..rev finds it in log2(rev) walks per side. Revisions at or below the compaction that
 * the keep set still hashes are searched too. -1 if a walk fails. */
static int64_t first_differing_revision(ea_node *a, ea_node *b, int64_t rev)
{
	ea_error e;
	int64_t lo = 1, hi = rev;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		uint32_t ha, hb;
		if (ea_mvcc_hashkv_upto(ea_node_mvcc(a), rev, mid, &ha, &e) != EA_OK ||
		    ea_mvcc_hashkv_upto(ea_node_mvcc(b), rev, mid, &hb, &e) != EA_OK)
			return -1;
		if (ha != hb) hi = mid; else lo = mid + 1;
	}
	return lo;
}

/* What differs at revision r between the ref side R and X, written to where; "" when the
 * elements compare equal (then no difference is claimed). */
static void describe_difference(ea_node *R, ea_node *X, int64_t rev, int64_t r, char *where, size_t cap)
{
	elems *ea = calloc(2, sizeof *ea);
	where[0] = 0;
	if (!ea) return;
	elems *er = &ea[0], *ex = &ea[1];
	ea_error e;
	if (ea_mvcc_hashkv_elements(ea_node_mvcc(R), rev, r, collect_elem, er, &e) != EA_OK ||
	    ea_mvcc_hashkv_elements(ea_node_mvcc(X), rev, r, collect_elem, ex, &e) != EA_OK) { free(ea); return; }
	size_t i = 0, j = 0;
	while (i < er->n || j < ex->n) {
		const elem *a = i < er->n ? &er->e[i] : NULL, *b = j < ex->n ? &ex->e[j] : NULL;
		if (a && b && a->sub == b->sub) { i++; j++; }
		else if (a && (!b || a->sub < b->sub)) { i++; b = NULL; }
		else { j++; a = NULL; }
		char at[40] = "";
		const elem *one = a ? a : b;
		if (one->sub) snprintf(at, sizeof at, " (sub-revision %" PRId64 ")", one->sub);
		if (!a || !b) {
			snprintf(where, cap, "; first differing revision %" PRId64 "%s: key \"%s\"%s is hashed on %s only",
			         r, at, one->key, one->tomb ? " (a delete)" : "", a ? ea_node_name(R) : ea_node_name(X));
		} else if (a->decode_ok != b->decode_ok) {
			snprintf(where, cap, "; first differing revision %" PRId64 "%s: key \"%s\" does not decode as a "
			         "KeyValue on %s", r, at, (a->decode_ok ? a : b)->key, a->decode_ok ? ea_node_name(X) : ea_node_name(R));
		} else if (a->key_len != b->key_len || a->key_crc != b->key_crc) {
			snprintf(where, cap, "; first differing revision %" PRId64 "%s: key \"%s\" on %s vs \"%s\" on %s",
			         r, at, b->key, ea_node_name(X), a->key, ea_node_name(R));
		} else if (a->tomb != b->tomb) {
			snprintf(where, cap, "; first differing revision %" PRId64 "%s: key \"%s\" is a delete on %s only",
			         r, at, a->key, a->tomb ? ea_node_name(R) : ea_node_name(X));
		} else if (a->value_len != b->value_len || a->value_crc != b->value_crc) {
			snprintf(where, cap, "; first differing revision %" PRId64 "%s: key \"%s\", value %zu bytes "
			         "(crc32c %08" PRIx32 ") on %s vs %zu bytes (crc32c %08" PRIx32 ") on %s", r, at, a->key,
			         b->value_len, b->value_crc, ea_node_name(X), a->value_len, a->value_crc, ea_node_name(R));
		} else if (a->create != b->create || a->mod != b->mod || a->version != b->version || a->lease != b->lease) {
			snprintf(where, cap, "; first differing revision %" PRId64 "%s: key \"%s\", same value, but "
			         "create/mod revision, version, lease %" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64 " on %s vs %"
			         PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64 " on %s", r, at, a->key, b->create, b->mod,
			         b->version, b->lease, ea_node_name(X), a->create, a->mod, a->version, a->lease, ea_node_name(R));
		} else {
			continue;   /* equal as decoded: the raw bytes may still differ, checked below */
		}
		free(ea);
		return;
	}
	if (er->n + er->more != ex->n + ex->more)
		snprintf(where, cap, "; first differing revision %" PRId64 ": %zu element%s hashed on %s, %zu on %s", r,
		         er->n + er->more, er->n + er->more == 1 ? "" : "s", ea_node_name(R), ex->n + ex->more, ea_node_name(X));
	else if (er->more || ex->more)
		snprintf(where, cap, "; first differing revision %" PRId64 ": among its %zu elements past the first %zu "
		         "(not compared one by one)", r, er->n + er->more, er->n);
	else if (er->n)
		snprintf(where, cap, "; first differing revision %" PRId64 " (key \"%s\"): same key, value, revisions "
		         "and lease when decoded, different encoded bytes", r, er->e[0].key);
	free(ea);
}

static uint32_t compare_kv(ea_node *const *nodes, size_t n, ea_diff *d, uint32_t known_bad, ea__kv_replay *kr)
{
	int64_t common = INT64_MAX, maxcompact = -1;
	size_t ndb = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ea_node_db(nodes[i])->present || !ea_node_mvcc(nodes[i])) continue;
		ndb++;
		if (ea_node_db(nodes[i])->revision < common) common = ea_node_db(nodes[i])->revision;
		if (ea_node_db(nodes[i])->compact_revision > maxcompact) maxcompact = ea_node_db(nodes[i])->compact_revision;
	}
	if (ndb < 2) return 0;
	char rule_note[768];
	ea__hash_compare_align(nodes, n, rule_note, sizeof rule_note);   /* one HashKV rule for all */
	if (rule_note[0]) add_finding(d, EA_FK_KV_HASH_RULE, "info", 0, common, 0, "%s", rule_note);
	if (common <= maxcompact) {
		add_finding(d, EA_FK_KV_HASH_MISMATCH, "info", 0, common, 0,
		            "HashKV not comparable: the lowest current revision %" PRId64 " is at or below a compaction "
		            "(%" PRId64 ") on another member", common, maxcompact);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ea_node_db(nodes[i])->present || !ea_node_mvcc(nodes[i])) continue;
		if (ea_node_db(nodes[i])->hash_revision == common) continue;   /* hashed at this revision when opened */
		ea_hashkv_result h;
		ea_error e;
		if (ea_mvcc_hashkv(ea_node_mvcc(nodes[i]), common, &h, &e) == EA_OK) {
			ea_node_set_db_hash(nodes[i], h.hash, common);
		} else {
			ea_node_set_db_hash(nodes[i], ea_node_db(nodes[i])->hash, -1);
		}
	}
	/* the hash most members share is the reference; every other member is reported against
	 * one member of that group (or against the first member when there is no majority) */
	size_t hashed = 0, best_count = 0;
	int ref = -1;
	for (size_t a = 0; a < n; a++) {
		if (!ea_node_mvcc(nodes[a]) || ea_node_db(nodes[a])->hash_revision != common) continue;
		hashed++;
		size_t c = 0;
		for (size_t b = 0; b < n; b++)
			c += ea_node_mvcc(nodes[b]) && ea_node_db(nodes[b])->hash_revision == common && ea_node_db(nodes[b])->hash == ea_node_db(nodes[a])->hash;
		/* prefer a reference not already known to be inconsistent with its own WAL */
		if (c > best_count || (c == best_count && ref >= 0 && (known_bad & (1u << ref)) && !(known_bad & (1u << a)))) {
			best_count = c;
			ref = (int)a;
		}
	}
	if (ref < 0) return 0;
	int majority = best_count * 2 > hashed;
	uint32_t bad = 0;
	for (size_t a = 0; a < n; a++) {
		if (!ea_node_mvcc(nodes[a]) || ea_node_db(nodes[a])->hash_revision != common || (int)a == ref) continue;
		if (ea_node_db(nodes[a])->hash == ea_node_db(nodes[ref])->hash) continue;
		char variant[600];
		if (ea__hash_differs_only_by_variant(nodes[ref], nodes[a], common, variant, sizeof variant)) {
			add_finding(d, EA_FK_KV_HASH_RULE, "info", 0, common, 1u << a | 1u << ref, "%s", variant);
			continue;
		}
		ea_node *R = nodes[ref], *X = nodes[a];
		char cls[900];
		ea__kv_replay_class(kr, nodes, a, (size_t)ref, cls, sizeof cls);   /* replays X and R against their dbs */
		bad |= 1u << a;
		if (!majority && !(known_bad & (1u << a)) && !ea__kv_replay_only_x(kr, a, (size_t)ref)) bad |= 1u << ref;
		char group[256] = "";
		for (size_t b = 0; b < n; b++)
			if (ea_node_mvcc(nodes[b]) && ea_node_db(nodes[b])->hash_revision == common && ea_node_db(nodes[b])->hash == ea_node_db(R)->hash) {
				size_t l = strlen(group);
				snprintf(group + l, sizeof group - l, "%s%s", l ? ", " : "", ea_node_name(nodes[b]));
			}
		int64_t r = first_differing_revision(R, X, common);
		char where[600] = "";
		if (r > 0) describe_difference(R, X, common, r, where, sizeof where);
		add_finding(d, EA_FK_KV_HASH_MISMATCH, "critical", 0, r > 0 ? r : common, 1u << a | 1u << ref,
		            "HashKV at revision %" PRId64 ": %s has %" PRIu32 ", %s %s %" PRIu32
		            ": the applied key-value state diverged%s%s", common, ea_node_name(X), ea_node_db(X)->hash, group,
		            majority ? "(the majority) have" : "has", ea_node_db(R)->hash, cls, where);
		raise_verdict(d, EA_VERDICT_STATE_DIVERGENCE);
	}
	return bad;
}

typedef struct {
	uint64_t ids[64];
	int removed[64];
	size_t n;
} member_set;

static int collect_member(const ea_mvcc_member *m, void *payload)
{
	member_set *s = payload;
	if (s->n < 64) { s->ids[s->n] = m->id; s->removed[s->n] = m->removed; s->n++; }
	return 0;
}

static int set_has(const member_set *s, uint64_t id, int removed)
{
	for (size_t i = 0; i < s->n; i++) if (s->ids[i] == id && s->removed[i] == removed) return 1;
	return 0;
}

static void apply_cc(member_set *want, const ea_conf_change *cc)
{
	int rm = strcmp(cc->kind, "confchange:remove") == 0;
	size_t k;
	for (k = 0; k < want->n && want->ids[k] != cc->member_id; k++) {}
	if (k == want->n) {
		if (want->n == 64) return;
		want->ids[want->n++] = cc->member_id;
	}
	want->removed[k] = rm;
}

static int sets_equal(const member_set *a, const member_set *b)
{
	for (size_t k = 0; k < a->n; k++) if (!set_has(b, a->ids[k], a->removed[k])) return 0;
	for (size_t k = 0; k < b->n; k++) if (!set_has(a, b->ids[k], b->removed[k])) return 0;
	return 1;
}

/* A dir made by `etcdctl snapshot restore` (3.4 clientv3/snapshot): its WAL starts with the
 * restore's bootstrap (committed confchange:add entries at term 1, indexes 1..k) and a WAL
 * snapshot record at (term 1, index k), the .snap written with them. The db is the backup's:
 * the restore means to empty its members bucket but calls DeleteRange on the key space with
 * the member keys, so the source cluster's members stay in the bucket (etcd 3.4 reads
 * membership from the .snap's v2 store and never looks at them; the restored member joins the
 * bucket when it publishes its attributes). Returns how many members of `have` are such
 * leftovers (named by no conf change of the WAL) and writes their IDs to `ids`, or 0 when
 * the node is no restored dir or the rest of the bucket is not a subset of `want` (real drift). */
static size_t restore_leftovers(const ea_node *nd, const member_set *have, const member_set *want,
                                char *ids, size_t cap, size_t *boot)
{
	size_t k = 0;
	while (k < ea_node_history(nd)->nconf && ea_node_history(nd)->conf[k].committed && ea_node_history(nd)->conf[k].term == 1 && ea_node_history(nd)->conf[k].index == k + 1 &&
	       strcmp(ea_node_history(nd)->conf[k].kind, "confchange:add") == 0)
		k++;
	int snap = 0;
	for (size_t s = 0; s < ea_node_wal(nd)->summary.snapshots_kept && !snap; s++)
		snap = ea_restore_is_bootstrap_snapshot(ea_node_wal(nd)->summary.snapshots[s].term, ea_node_wal(nd)->summary.snapshots[s].index, k);
	if (!snap) return 0;
	*boot = k;
	size_t stale = 0;
	ids[0] = 0;
	for (size_t m = 0; m < have->n; m++) {
		int named = 0;
		for (size_t c = 0; c < ea_node_history(nd)->nconf && !named; c++) named = ea_node_history(nd)->conf[c].member_id == have->ids[m];
		if (named) {
			if (have->removed[m] || !set_has(want, have->ids[m], 0)) return 0;   /* drift among this cluster's own */
			continue;
		}
		size_t l = strlen(ids);
		snprintf(ids + l, cap - l, "%s%" PRIx64 "%s", l ? ", " : "", have->ids[m], have->removed[m] ? " (removed)" : "");
		stale++;
	}
	return stale;
}

/* The db's members bucket must be what the committed conf changes built, as of some index
 * between the db's consistent index and the commit index (etcd 3.4 persists the consistent
 * index only with key-value writes, so membership buckets may be ahead of it). Checked when
 * the node's WAL holds the whole log (bootstrap entries, no snapshot install), so the
 * replay is complete. */
static uint32_t compare_membership(ea_node *const *nodes, size_t n, ea_diff *d)
{
	uint32_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		ea_node *nd = nodes[i];
		if (!ea_node_wal(nd)->present || !ea_node_mvcc(nd) || ea_node_history(nd)->ninstalls || ea_node_wal(nd)->first_index != 1) continue;
		member_set want = { .n = 0 }, have = { .n = 0 };
		size_t c = 0;
		for (; c < ea_node_history(nd)->nconf; c++) {
			if (ea_node_history(nd)->conf[c].index > ea_node_db(nd)->consistent_index) break;
			/* applied (at or below the consistent index) means committed, even past a stale commit */
			if (ea_node_history(nd)->conf[c].committed || !ea_node_history(nd)->conf[c].superseded) apply_cc(&want, &ea_node_history(nd)->conf[c]);
		}
		if (!want.n) continue;
		ea_mvcc_members(ea_node_mvcc(nd), collect_member, &have);
		int ok = sets_equal(&want, &have);
		for (; !ok && c < ea_node_history(nd)->nconf; c++) {
			if (!ea_node_history(nd)->conf[c].committed) continue;
			apply_cc(&want, &ea_node_history(nd)->conf[c]);
			ok = sets_equal(&want, &have);
		}
		if (ok) continue;
		char stale[400];
		size_t boot = 0, nstale = restore_leftovers(nd, &have, &want, stale, sizeof stale, &boot);
		if (nstale) {
			add_finding(d, EA_FK_RESTORE_LEFTOVER, "info", ea_node_db(nd)->consistent_index, -1, 1u << i,
			            "%s: a dir made by `etcdctl snapshot restore`: the db's members bucket still lists %zu "
			            "member%s of the source cluster (%s), named by no conf change of this WAL; the restore "
			            "keeps them (etcd 3.4 restore clears the members bucket through the key space, which "
			            "misses it) and etcd takes the membership from the .snap (the restore's bootstrap "
			            "entries 1..%zu at term 1 and their .snap), never from them: not a membership drift",
			            ea_node_name(nd), nstale, nstale == 1 ? "" : "s", stale, boot);
			continue;
		}
		char present[400] = "";
		for (size_t k = 0; k < have.n; k++) {
			size_t l = strlen(present);
			snprintf(present + l, sizeof present - l, "%s%" PRIx64 "%s", l ? ", " : "", have.ids[k],
			         have.removed[k] ? " (removed)" : "");
		}
		bad |= 1u << i;
		add_finding(d, EA_FK_MEMBERSHIP_MISMATCH, "critical", ea_node_db(nd)->consistent_index, -1, 1u << i,
		            "%s: the db's members bucket (%s) matches no membership its WAL's committed conf changes "
		            "produce between index %" PRIu64 " (consistent index) and %" PRIu64 " (commit)",
		            ea_node_name(nd), present[0] ? present : "empty", ea_node_db(nd)->consistent_index, ea_node_wal(nd)->summary.hard_state.commit);
		raise_verdict(d, EA_VERDICT_STATE_DIVERGENCE);
	}
	return bad;
}

/* The first error or warning of nd's WAL in its last segment (or in no file, or with no
 * segment known): damage where the log ends, which can hide entries. NULL if none. */
static const ea_problem *tail_damage(const ea_node *nd)
{
	const char *last = ea_node_wal(nd)->nsegments ? ea_node_wal(nd)->segments[ea_node_wal(nd)->nsegments - 1].file : NULL;
	for (size_t p = 0; p < ea_node_wal(nd)->summary.problem_count; p++) {
		const ea_problem *pr = &ea_node_wal(nd)->summary.problems[p].p;
		if (pr->severity != EA_SEV_ERROR && pr->severity != EA_SEV_WARNING) continue;
		if (!last || !pr->file || strcmp(pr->file, last) == 0) return pr;
	}
	return NULL;
}

/* The db's consistent index against the WAL. etcd applies committed entries before the
 * HardState that carries their commit is flushed (a commit-only HardState is written without
 * fsync), so consistent index > commit is normal after a crash as long as the WAL holds the
 * entries up to the consistent index: an info finding. Only an index beyond the last entry of
 * a WAL undamaged where it ends means WAL writes were lost: critical, returns 1. */
static int applied_vs_wal(ea_node *nd, size_t i, ea_diff *d)
{
	uint64_t ci = ea_node_db(nd)->consistent_index, commit = ea_node_wal(nd)->summary.hard_state.commit, last = ea_node_wal(nd)->summary.last_index;
	if (ci <= commit && ci <= last) return 0;
	if (ci <= last) {
		add_finding(d, EA_FK_APPLIED_AHEAD_OF_WAL, "info", ci, -1, 1u << i,
		            "%s: the db has applied up to index %" PRIu64 ", beyond the last HardState's commit %" PRIu64
		            "; the WAL holds those entries (last index %" PRIu64 "): normal after a crash (etcd applies "
		            "committed entries before the HardState carrying the new commit is flushed, and a commit-only "
		            "HardState is not fsynced)", ea_node_name(nd), ci, commit, last);
		return 0;
	}
	const ea_problem *first = tail_damage(nd);
	if (first) {
		add_finding(d, EA_FK_APPLIED_AHEAD_OF_WAL, "info", ci, -1, 1u << i,
		            "%s: the db has applied up to index %" PRIu64 " but the WAL's last readable entry is %" PRIu64
		            " (commit %" PRIu64 "); the WAL is damaged where it ends (%s %s+%" PRIu64 "), so the missing entries may "
		            "be in the damaged part: see the wal-damage finding", ea_node_name(nd), ci, last, commit, first->kind,
		            first->file ? first->file : "-", first->offset == EA_NO_OFFSET ? 0 : first->offset);
		return 0;
	}
	add_finding(d, EA_FK_APPLIED_AHEAD_OF_WAL, "critical", ci, -1, 1u << i,
	            "%s: the db has applied up to index %" PRIu64 " but the undamaged WAL ends at index %" PRIu64
	            " (commit %" PRIu64 "): WAL writes were lost (fsync lied, or the WAL was replaced)",
	            ea_node_name(nd), ci, last, commit);
	return 1;
}

/* What the rules learn about the nodes as the driver runs them, in order. */
typedef struct {
	ea_node *const *nodes;
	size_t n;
	const ea_terms *terms;
	ea_diff *d;
	uint32_t losing;                    /* on the losing side of a divergence */
	uint32_t diverged;                  /* part of any divergence */
	uint32_t removed;                   /* removed by a committed conf change */
	uint32_t damaged;                   /* not a node to restore from: damage or a missing part */
	uint32_t state_bad;                 /* db inconsistent with its WAL or the others' */
	uint32_t odd;                       /* disagrees on committed entries with most others */
	int committed_div, majority_agrees;
	size_t cdiv_count[MAX_NODES];       /* committed divergences each node is part of */
	struct unc_key { size_t loser; uint64_t index; size_t finding; } *unc;   /* MAX_NODES² */
	size_t nunc;                        /* uncommitted-divergence findings, by (losing node, index) */
} diff_ctx;

/* "a, b, c": the names of the nodes in mask, into out. */
static void node_names(const diff_ctx *x, uint32_t mask, char *out, size_t cap)
{
	out[0] = 0;
	for (size_t k = 0; k < x->n; k++)
		if (mask & (1u << k)) {
			size_t l = strlen(out);
			snprintf(out + l, cap - l, "%s%s", l ? ", " : "", ea_node_name(x->nodes[k]));
		}
}

/* cluster-id-mismatch: the nodes' WAL metadata name different clusters */
static void rule_cluster_id(diff_ctx *x)
{
	ea_node *const *nodes = x->nodes;
	uint64_t cid = 0;
	int cid_mismatch = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (!ea_node_wal(nodes[i])->present || !ea_node_wal(nodes[i])->summary.have_metadata) continue;
		if (!cid) cid = ea_node_wal(nodes[i])->summary.cluster_id;
		else if (ea_node_wal(nodes[i])->summary.cluster_id != cid) cid_mismatch = 1;
	}
	if (!cid_mismatch) return;
	char list[512] = "";
	uint32_t mask = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (!ea_node_wal(nodes[i])->present) continue;
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s%s=%" PRIx64, l ? ", " : "", ea_node_name(nodes[i]), ea_node_wal(nodes[i])->summary.cluster_id);
		mask |= 1u << i;
	}
	add_finding(x->d, EA_FK_CLUSTER_ID_MISMATCH, "critical", 0, -1, mask,
	            "the nodes belong to different clusters (%s): a member restored from a backup creates a new "
	            "cluster ID; raft logs are compared anyway, but agreement between them means little", list);
	raise_verdict(x->d, EA_VERDICT_DAMAGED);
}

/* uncommitted-divergence: the side with the older term (lose) will be overwritten; one finding
 * per (index, losing node), the winners listed together */
static void pair_uncommitted(diff_ctx *x, const pair_div *p, size_t a, size_t b, int committed_a, int committed_b)
{
	ea_diff *d = x->d;
	uint32_t mask = 1u << a | 1u << b;
	size_t lose = p->term_a < p->term_b ? a : b;
	ea_node *L = x->nodes[lose], *W = x->nodes[lose == a ? b : a];
	uint64_t lt = lose == a ? p->term_a : p->term_b, wt = lose == a ? p->term_b : p->term_a;
	int lose_committed = lose == a ? committed_a : committed_b;
	x->losing |= 1u << lose;
	ea_finding *same = NULL;
	for (size_t u = 0; u < x->nunc; u++)
		if (x->unc[u].loser == lose && x->unc[u].index == p->index) same = &d->findings[x->unc[u].finding];
	if (same) {
		char names[256];
		node_names(x, (same->node_mask | mask) & ~(1u << lose), names, sizeof names);
		same->node_mask |= mask;
		snprintf(same->detail, sizeof same->detail,
		         "from index %" PRIu64 " %s holds entries of term %" PRIu64 " up to %" PRIu64 " that %s do not "
		         "(they have term %" PRIu64 " there); %s's are beyond its commit index %" PRIu64 " and will be "
		         "overwritten by the newer term when it rejoins: normal after a leader was isolated",
		         p->index, ea_node_name(L), lt, ea_node_wal(L)->summary.last_index, names, wt, ea_node_name(L), ea_node_wal(L)->summary.hard_state.commit);
	} else {
		if (x->nunc < MAX_NODES * MAX_NODES)
			x->unc[x->nunc++] = (struct unc_key){ lose, p->index, d->nfindings };
		add_finding(d, EA_FK_UNCOMMITTED_DIVERGENCE, lose_committed ? "critical" : "warning", p->index, -1, mask,
		            "from index %" PRIu64 " %s holds entries of term %" PRIu64 " up to %" PRIu64 " that %s does not "
		            "(it has term %" PRIu64 " there); %s's are beyond its commit index %" PRIu64 " and will be "
		            "overwritten by the newer term when it rejoins: normal after a leader was isolated",
		            p->index, ea_node_name(L), lt, ea_node_wal(L)->summary.last_index, ea_node_name(W), wt, ea_node_name(L), ea_node_wal(L)->summary.hard_state.commit);
	}
	if (lose_committed) x->committed_div = 1;
}

/* The first disagreement between nodes a and b: committed-divergence (same term, different
 * data; or committed on both) or uncommitted-divergence. */
static void pair_divergence(diff_ctx *x, const pair_div *p, size_t a, size_t b)
{
	ea_diff *d = x->d;
	ea_node *A = x->nodes[a], *B = x->nodes[b];
	uint32_t mask = 1u << a | 1u << b;
	x->diverged |= mask;
	if (!d->first_divergent_index || p->index < d->first_divergent_index) d->first_divergent_index = p->index;
	int committed_a = p->index <= ea_node_wal(A)->summary.hard_state.commit;
	int committed_b = p->index <= ea_node_wal(B)->summary.hard_state.commit;
	if (p->data_mismatch || (committed_a && committed_b)) { x->cdiv_count[a]++; x->cdiv_count[b]++; }
	if (p->data_mismatch) {
		x->committed_div = 1;
		add_finding(d, EA_FK_COMMITTED_DIVERGENCE, "critical", p->index, -1, mask,
		            "index %" PRIu64 " has the same term %" PRIu64 " on %s and %s but different data: raft's "
		            "log matching is broken (disk corruption that kept a valid CRC, or a edited/re-sealed WAL). "
		            "%s: %s; %s: %s", p->index, p->term_a, ea_node_name(A), ea_node_name(B), ea_node_name(A), p->where_a, ea_node_name(B), p->where_b);
	} else if (committed_a && committed_b) {
		x->committed_div = 1;
		add_finding(d, EA_FK_COMMITTED_DIVERGENCE, "critical", p->index, -1, mask,
		            "index %" PRIu64 " is committed on both %s (term %" PRIu64 ") and %s (term %" PRIu64 "): "
		            "two different entries were committed at the same index, which raft forbids. %s: %s; %s: %s",
		            p->index, ea_node_name(A), p->term_a, ea_node_name(B), p->term_b, ea_node_name(A), p->where_a, ea_node_name(B), p->where_b);
	} else {
		pair_uncommitted(x, p, a, b, committed_a, committed_b);
	}
}

/* one committed-divergence finding per odd node and index: merge the pairs that share it */
static void merge_committed_divergences(diff_ctx *x)
{
	ea_diff *d = x->d;
	for (size_t f = 0; f < d->nfindings; f++) {
		ea_finding *F = &d->findings[f];
		if (F->kind_id != EA_FK_COMMITTED_DIVERGENCE) continue;
		for (size_t g = f + 1; g < d->nfindings; g++) {
			ea_finding *G = &d->findings[g];
			uint32_t common_bit = F->node_mask & G->node_mask;
			if (G->kind_id != EA_FK_COMMITTED_DIVERGENCE || G->index != F->index ||
			    __builtin_popcount(common_bit) != 1)
				continue;
			uint32_t other = G->node_mask & ~common_bit;
			size_t l = strlen(F->detail);
			for (size_t k = 0; k < x->n; k++)
				if (other & (1u << k))
					snprintf(F->detail + l, sizeof F->detail - l, "; %s holds the same as %s",
					         ea_node_name(x->nodes[k]), ea_node_name(x->nodes[__builtin_ctz(F->node_mask & ~common_bit)]));
			F->node_mask |= G->node_mask;
			memmove(G, G + 1, (d->nfindings - g - 1) * sizeof *G);
			d->nfindings--;
			g--;
		}
	}
}

/* The logs aligned by index: every pair's first disagreement classified, then the odd one
 * out (a node that disagrees on committed entries with most others) and the verdict. */
static int rule_log_divergence(diff_ctx *x)
{
	pair_div (*div)[MAX_NODES] = calloc(MAX_NODES, sizeof *div);
	x->unc = calloc(MAX_NODES * MAX_NODES, sizeof *x->unc);
	int rc = div && x->unc ? align(x->nodes, x->n, div) : EA_ENOMEM;
	for (size_t a = 0; rc == EA_OK && a < x->n; a++)
		for (size_t b = a + 1; b < x->n; b++)
			if (div[a][b].found) pair_divergence(x, &div[a][b], a, b);
	free(div);
	free(x->unc);
	if (rc != EA_OK) return rc;
	merge_committed_divergences(x);
	size_t nwal = 0;
	for (size_t i = 0; i < x->n; i++) nwal += ea_node_wal(x->nodes[i])->present;
	for (size_t i = 0; i < x->n; i++)
		if (x->cdiv_count[i] && x->cdiv_count[i] * 2 > (nwal - 1)) x->odd |= 1u << i;
	x->majority_agrees = x->committed_div && x->odd && (size_t)__builtin_popcount(x->odd) * 2 < nwal;
	if (x->committed_div) raise_verdict(x->d, EA_VERDICT_COMMITTED_DIVERGENCE);
	else if (x->diverged) raise_verdict(x->d, EA_VERDICT_UNCOMMITTED_DIVERGENCE);
	return EA_OK;
}

/* member-removed: members removed by a committed conf change on any node, their logs stop by design */
static void rule_member_removed(diff_ctx *x)
{
	ea_node *const *nodes = x->nodes;
	for (size_t i = 0; i < x->n; i++) {
		if (!ea_node_wal(nodes[i])->present) continue;
		for (size_t j = 0; j < x->n; j++) {
			const ea_node *o = nodes[j];
			for (size_t c = 0; ea_node_wal(o)->present && c < ea_node_history(o)->nconf; c++) {
				const ea_conf_change *cc = &ea_node_history(o)->conf[c];
				if (!cc->committed || strcmp(cc->kind, "confchange:remove") != 0 || cc->member_id != ea_node_wal(nodes[i])->summary.member_id)
					continue;
				if (x->removed & (1u << i)) continue;
				x->removed |= 1u << i;
				add_finding(x->d, EA_FK_MEMBER_REMOVED, "info", cc->index, -1, 1u << i,
				            "%s (%" PRIx64 ") was removed from the cluster by the conf change at index %" PRIu64
				            " (term %" PRIu64 ", committed on %s); its log ends at %" PRIu64 " and it is no "
				            "longer a member", ea_node_name(nodes[i]), cc->member_id, cc->index, cc->term, ea_node_name(o),
				            ea_node_wal(nodes[i])->summary.last_index);
			}
		}
	}
}

/* lagging: a strict prefix of the most advanced log */
static void rule_lagging(diff_ctx *x)
{
	ea_node *const *nodes = x->nodes;
	uint64_t max_last = 0, max_commit = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (!ea_node_wal(nodes[i])->present) continue;
		if (ea_node_wal(nodes[i])->summary.last_index > max_last) max_last = ea_node_wal(nodes[i])->summary.last_index;
		if (ea_node_wal(nodes[i])->summary.hard_state.commit > max_commit) max_commit = ea_node_wal(nodes[i])->summary.hard_state.commit;
	}
	for (size_t i = 0; i < x->n; i++) {
		ea_node *nd = nodes[i];
		if (!ea_node_wal(nd)->present || ((x->diverged | x->removed) & (1u << i))) continue;
		if (ea_node_wal(nd)->summary.last_index >= max_last) continue;
		uint64_t others_first = UINT64_MAX;
		for (size_t j = 0; j < x->n; j++)
			if (j != i && ea_node_wal(nodes[j])->present && ea_node_wal(nodes[j])->summary.last_index == max_last && ea_node_wal(nodes[j])->first_index < others_first)
				others_first = ea_node_wal(nodes[j])->first_index;
		int needs_snap = others_first != UINT64_MAX && others_first > ea_node_wal(nd)->summary.last_index + 1;
		add_finding(x->d, EA_FK_LAGGING, "warning", ea_node_wal(nd)->summary.last_index + 1, -1, 1u << i,
		            "%s's log is a prefix of the others': %" PRIu64 " entries behind (last index %" PRIu64 " vs %" PRIu64
		            ", commit %" PRIu64 " vs %" PRIu64 ")%s", ea_node_name(nd), max_last - ea_node_wal(nd)->summary.last_index,
		            ea_node_wal(nd)->summary.last_index, max_last, ea_node_wal(nd)->summary.hard_state.commit, max_commit,
		            needs_snap ? "; the others' WALs no longer hold what it lacks: it will need a snapshot from the leader"
		                       : "; the others' WALs still hold every entry it lacks");
		raise_verdict(x->d, EA_VERDICT_LAGGING);
	}
}

/* missing-part: a node without its WAL or its db is compared for what it has, never `consistent` */
static void rule_missing_part(diff_ctx *x)
{
	ea_node *const *nodes = x->nodes;
	for (size_t i = 0; i < x->n; i++) {
		const ea_problem *unread = NULL;
		for (size_t p = 0; !unread && ea_node_wal(nodes[i])->present && p < ea_node_wal(nodes[i])->summary.problem_count; p++)
			if (ea_node_wal(nodes[i])->summary.problems[p].p.severity == EA_SEV_ERROR && outside_wal(nodes[i], &ea_node_wal(nodes[i])->summary.problems[p].p))
				unread = &ea_node_wal(nodes[i])->summary.problems[p].p;
		if (!ea_node_missing(nodes[i]) && !unread) continue;
		x->damaged |= 1u << i;   /* not a node to restore from */
		if (ea_node_missing(nodes[i]))
			add_finding(x->d, EA_FK_MISSING_PART, "warning", 0, -1, 1u << i, "%s: %s", ea_node_name(nodes[i]), ea_node_missing(nodes[i]));
		else
			add_finding(x->d, EA_FK_MISSING_PART, "warning", 0, -1, 1u << i, "%s: part of the copy cannot be read: %s: %s",
			            ea_node_name(nodes[i]), unread->file, unread->message);
		raise_verdict(x->d, EA_VERDICT_INCOMPLETE);
	}
}

/* wal-damage and log-gap: what the WAL reader found on node i */
static void node_wal_damage(diff_ctx *x, size_t i)
{
	ea_diff *d = x->d;
	ea_node *nd = x->nodes[i];
	size_t warn, gaps;
	const ea_problem *first;
	size_t errs = error_problems(nd, &warn, &gaps, &first);
	if (errs || warn) {
		if (errs) x->damaged |= 1u << i;
		add_finding(d, EA_FK_WAL_DAMAGE, errs ? "critical" : "warning", 0, -1, 1u << i,
		            "%s: %zu error%s, %zu warning%s in the WAL; first: %s %s+%" PRIu64 ": %s", ea_node_name(nd), errs,
		            errs == 1 ? "" : "s", warn, warn == 1 ? "" : "s", first->kind, first->file ? first->file : "-",
		            first->offset == EA_NO_OFFSET ? 0 : first->offset, first->message);
		if (errs) raise_verdict(d, EA_VERDICT_DAMAGED);
	}
	if (gaps) {
		x->damaged |= 1u << i;
		add_finding(d, EA_FK_LOG_GAP, "critical", 0, -1, 1u << i,
		            "%s: %zu range%s of raft indexes missing from the WAL with no snapshot to explain them",
		            ea_node_name(nd), gaps, gaps == 1 ? "" : "s");
		raise_verdict(d, EA_VERDICT_DAMAGED);
	}
}

/* db-damage: what the bbolt reader found on node i */
static void node_db_damage(diff_ctx *x, size_t i)
{
	ea_node *nd = x->nodes[i];
	if (!ea_node_db(nd)->present || !ea_node_db(nd)->problems) return;
	if (ea_node_db(nd)->errors) x->damaged |= 1u << i;
	const ea_problem *fp = ea_node_db(nd)->first_problem;
	add_finding(x->d, EA_FK_DB_DAMAGE, ea_node_db(nd)->errors ? "critical" : "warning", 0, -1, 1u << i, "%s: %zu problem%s in the bbolt database %s; first: %s",
	            ea_node_name(nd), ea_node_db(nd)->problems, ea_node_db(nd)->problems == 1 ? "" : "s", ea_node_db(nd)->file ? ea_node_db(nd)->file : "",
	            ea_node_db(nd)->unreadable ? ea_node_db(nd)->unreadable : fp ? fp->message : "?");
	if (ea_node_db(nd)->errors) raise_verdict(x->d, EA_VERDICT_DAMAGED);
}

/* damage found by the readers, node by node */
static void rule_damage(diff_ctx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		if (!ea_node_wal(x->nodes[i])->present) continue;
		node_wal_damage(x, i);
		node_db_damage(x, i);
	}
}

/* applied-ahead-of-wal: the db's consistent index behind the last WAL snapshot */
static void node_db_behind_snapshot(diff_ctx *x, size_t i)
{
	ea_node *nd = x->nodes[i];
	uint64_t last_snap = 0;
	for (size_t s = 0; s < ea_node_wal(nd)->summary.snapshots_kept; s++)
		if (ea_node_wal(nd)->summary.snapshots[s].index > last_snap) last_snap = ea_node_wal(nd)->summary.snapshots[s].index;
	if (!last_snap || ea_node_db(nd)->consistent_index >= last_snap) return;
	x->state_bad |= 1u << i;
	add_finding(x->d, EA_FK_APPLIED_AHEAD_OF_WAL, "warning", ea_node_db(nd)->consistent_index, -1, 1u << i,
	            "%s: the db's consistent index %" PRIu64 " is behind the last WAL snapshot %" PRIu64
	            ": the db is older than the raft state says (a restored or swapped db?)",
	            ea_node_name(nd), ea_node_db(nd)->consistent_index, last_snap);
	raise_verdict(x->d, EA_VERDICT_STATE_DIVERGENCE);
}

/* applied state vs the WAL, node by node */
static void rule_applied_state(diff_ctx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		ea_node *nd = x->nodes[i];
		if (!ea_node_db(nd)->present || !ea_node_wal(nd)->present) continue;
		if (applied_vs_wal(nd, i, x->d)) {
			x->state_bad |= 1u << i;
			raise_verdict(x->d, EA_VERDICT_STATE_DIVERGENCE);
		}
		node_db_behind_snapshot(x, i);
	}
}

/* leader-mismatch: etcd's logs vs the leaders inferred from the WALs */
static void rule_leader_mismatch(diff_ctx *x)
{
	for (size_t r = 0; x->terms && r < x->terms->nrows; r++) {
		const ea_term_row *row = &x->terms->rows[r];
		if (!row->leader_mismatch) continue;
		add_finding(x->d, EA_FK_LEADER_MISMATCH, "warning", row->first_index, -1, 0,
		            "term %" PRIu64 ": the votes in the WALs make %" PRIx64 " the leader, etcd's log says %" PRIx64
		            ": a log from another cluster or member, or WALs that are not what the members ran on",
		            row->term, row->leader, row->log_leader);
	}
}

/* term-inflation: election storms and a term racing ahead */
static void rule_term_inflation(diff_ctx *x)
{
	const ea_terms *terms = x->terms;
	if (!terms) return;
	if (terms->longest_failed_run >= 3 || terms->failed_elections >= 5) {
		add_finding(x->d, EA_FK_TERM_INFLATION, "warning", 0, -1, 0,
		            "election storm: %zu failed elections (longest run %zu in a row) up to term %" PRIu64
		            ": leaders kept losing their followers (slow disk or network, CPU starvation, a paused process, "
		            "election timeout too short)", terms->failed_elections, terms->longest_failed_run, terms->max_term);
	}
	for (size_t i = 0; i < x->n; i++) {
		ea_node *nd = x->nodes[i];
		if (!ea_node_wal(nd)->present || !ea_node_wal(nd)->summary.have_hard_state) continue;
		if (ea_node_wal(nd)->summary.hard_state.term > terms->max_term_with_entries + 2) {
			add_finding(x->d, EA_FK_TERM_INFLATION, "warning", 0, -1, 1u << i,
			            "%s is at term %" PRIu64 " while the newest term with entries is %" PRIu64
			            ": it kept campaigning without winning (partitioned member without pre-vote); when it "
			            "reconnects it forces an election", ea_node_name(nd), ea_node_wal(nd)->summary.hard_state.term, terms->max_term_with_entries);
		}
	}
}

/* The member with most committed entries, undamaged, not on a losing side, db consistent; -1 if none. */
static int best_member(const diff_ctx *x)
{
	int best = -1;
	for (size_t i = 0; i < x->n; i++) {
		ea_node *nd = x->nodes[i];
		if (!ea_node_wal(nd)->present) continue;
		uint32_t bit = 1u << i;
		if ((x->damaged | x->losing | x->state_bad | x->odd | x->removed) & bit) continue;
		if (best < 0) { best = (int)i; continue; }
		ea_node *B = x->nodes[best];
		if (ea_node_wal(nd)->summary.hard_state.commit > ea_node_wal(B)->summary.hard_state.commit ||
		    (ea_node_wal(nd)->summary.hard_state.commit == ea_node_wal(B)->summary.hard_state.commit && ea_node_wal(nd)->summary.last_index > ea_node_wal(B)->summary.last_index))
			best = (int)i;
	}
	return best;
}

/* the recommendation: which member to restore from, or that none is safe */
static void recommend(diff_ctx *x)
{
	ea_diff *d = x->d;
	if (x->committed_div && !x->majority_agrees) {
		snprintf(d->recommendation, sizeof d->recommendation,
		         "none is safe to restore from blindly: committed entries differ between members; "
		         "inspect the first divergent index on each side, then restore from a verified backup");
		return;
	}
	int best = best_member(x);
	d->recommended = best;
	ea_node *B = best >= 0 ? x->nodes[best] : NULL;
	if (B && x->committed_div)
		snprintf(d->recommendation, sizeof d->recommendation,
		         "%s, with care: a majority agrees on every committed entry and the odd member(s) hold "
		         "different committed data (raft safety was violated there: corrupted or edited disk); "
		         "restore from %s (commit %" PRIu64 ") and replace the odd member(s)",
		         ea_node_name(B), ea_node_name(B), ea_node_wal(B)->summary.hard_state.commit);
	else if (B)
		snprintf(d->recommendation, sizeof d->recommendation,
		         "%s: most committed entries (commit %" PRIu64 ", last index %" PRIu64 "), undamaged WAL%s",
		         ea_node_name(B), ea_node_wal(B)->summary.hard_state.commit, ea_node_wal(B)->summary.last_index, ea_node_db(B)->present ? ", db consistent with its WAL" : "");
	else
		snprintf(d->recommendation, sizeof d->recommendation,
		         "none: every member is damaged, on the losing side of a divergence, or has a db that "
		         "disagrees with its WAL");
}

/* The driver: every rule in the order its findings are listed, then the recommendation. */
int ea_diff_run(ea_node *const *nodes, size_t n, const ea_terms *terms, ea_diff *d)
{
	memset(d, 0, sizeof *d);
	d->recommended = -1;
	if (n > MAX_NODES) return EA_EINVAL;
	diff_ctx ctx = { .nodes = nodes, .n = n, .terms = terms, .d = d }, *x = &ctx;
	rule_cluster_id(x);
	int rc = rule_log_divergence(x);
	if (rc != EA_OK) {
		ea_diff_free(d);
		d->recommended = -1;
		return rc;
	}
	rule_member_removed(x);
	rule_lagging(x);
	rule_missing_part(x);
	rule_damage(x);
	rule_applied_state(x);
	x->state_bad |= compare_membership(nodes, n, d);
	ea__kv_replay *kr = calloc(1, sizeof *kr);   /* replays, only for members of a kv-hash-mismatch */
	if (!kr) { ea_diff_free(d); d->recommended = -1; return EA_ENOMEM; }
	kr->committed_div = x->committed_div;
	x->state_bad |= compare_kv(nodes, n, d, x->state_bad, kr);   /* KV hash at the highest revision every db can hash */
	x->state_bad |= ea__kv_replay_findings(kr, nodes, n, d);
	free(kr);
	rule_leader_mismatch(x);
	rule_term_inflation(x);
	recommend(x);
	return EA_OK;
}

void ea_diff_free(ea_diff *d)
{
	free(d->findings);
	memset(d, 0, sizeof *d);
}
