/* hashstream.c: HashKV at R of a db compacted at K (docs/formats.md §7.3, §7.3.1), both
 * variants, from one walk of the key bucket and without etcd's key index.
 *
 * etcd hashes every element with main <= R, except that an element with main <= K is hashed
 * only if keep(R) is empty or holds it. With the bucket in revision order (checked here: any
 * element out of order gives up, and the caller uses the index), a key's revisions at or below
 * K come first, and the keep entry of a key is at or below K only if it is L, the key's last
 * accepted element <= K, L is a put, and the key has no element in (K, R] (the greatest
 * revision <= R of the chosen generation would be that later one, or the generation would be
 * closed by a tombstone <= R). keep(R) of a key is not empty exactly when the key is alive at
 * R (its last accepted element <= R is a put), and for the newer variant also no tombstone of
 * the key has main == R (the >= test then chooses the generation that tombstone closes).
 *
 * So the state is per key with a put at or below K (alive, touched above K, last tombstone,
 * and L's revision, CRC and length): memory is bounded by the distinct keys the compaction
 * left at or below K, not by the keyspace or the revisions. Keys first put above K are only
 * needed to show keep(R) is not empty; a few recent ones are followed (EA_HS_CANDIDATES) and,
 * if that does not decide it, the caller falls back to the index (no key alive at R among
 * them after the candidate set overflowed: a db emptied after its compaction).
 *
 * The hashed elements <= K are known only at the end, so each variant's hash is assembled
 * with CRC combination: "key" then the kept L's (or every element <= K when keep is empty),
 * then the CRC of (K, R] computed from 0 during the walk. Acceptance mirrors the index build
 * (mvcc.c keyscan_cb): a tombstone counts only when it closes a non-empty generation. */
#include "hashstream.h"
#include "etcd-autopsy/common.h"
#include "etcd-autopsy/crc32c.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct ea_hs_key {
	uint64_t hash;
	const uint8_t *key;
	uint32_t len;
	uint8_t alive, touched, has_tomb;
	int64_t last_tomb;          /* main of the last accepted tombstone */
	int64_t lmain, lsub;        /* the last put at or below K */
	uint64_t llen;              /* its key + value bytes */
	uint32_t lcrc;              /* CRC-32C of them, from 0 */
};

struct ea_hs_block {
	ea_hs_block *next;
	size_t used, cap;
	uint8_t data[];
};

struct ea_hs_kept {
	int64_t main, sub;
	uint64_t len;
	uint32_t crc;
	uint8_t in[2];
};

#define BLOCK_BYTES (1u << 20)

/* ---- CRC-32C combination (zlib 1.2.12 crc32_combine, reflected polynomial 0x82F63B78) ---- */

static uint32_t multmodp(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;
	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0) break;
		}
		m >>= 1;
		b = b & 1 ? (b >> 1) ^ 0x82F63B78u : b >> 1;
	}
	return p;
}

/* x^(2^n) for n = 0..66: a length of up to 2^64 bytes is up to 2^67 bits. zlib keeps 32 and
 * indexes them modulo 32, which holds for its CRC-32 polynomial but not for CRC-32C's: with it,
 * a CRC of 2^29 bytes or more (2^32 bits) combined wrongly (a HashKV tail of 512 MiB). */
#define X2N_N 67
static uint32_t x2n_table[X2N_N];
static pthread_once_t x2n_once = PTHREAD_ONCE_INIT;

static void x2n_init(void)
{
	uint32_t p = 1u << 30;   /* x^1 */
	x2n_table[0] = p;
	for (int n = 1; n < X2N_N; n++) x2n_table[n] = p = multmodp(p, p);
}

/* x^(n * 2^k) modulo the polynomial */
static uint32_t x2nmodp(uint64_t n, unsigned k)
{
	uint32_t p = 1u << 31;   /* x^0 */
	while (n) {
		if (n & 1) p = multmodp(x2n_table[k < X2N_N ? k : X2N_N - 1], p);   /* k <= 66 for k0 = 3 */
		n >>= 1;
		k++;
	}
	return p;
}

uint32_t ea_hs_crc_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
	pthread_once(&x2n_once, x2n_init);
	return multmodp(x2nmodp(len_b, 3), crc_a) ^ crc_b;
}

/* ---- the key table ------------------------------------------------------------------------ */

static uint64_t key_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	if (n) memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static const uint8_t *store_key(ea_hstream *s, const uint8_t *k, size_t n)
{
	ea_hs_block *b = s->blocks;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_BYTES ? n : BLOCK_BYTES;
		b = malloc(sizeof *b + cap);
		if (!b) return NULL;
		b->next = s->blocks;
		b->used = 0;
		b->cap = cap;
		s->blocks = b;
	}
	uint8_t *d = b->data + b->used;
	if (n) memcpy(d, k, n);
	b->used += n;
	return d;
}

static int grow_slots(ea_hstream *s)
{
	size_t ns = s->nslots ? s->nslots * 2 : 1024;
	uint32_t *sl = calloc(ns, sizeof *sl);
	if (!sl) return -1;
	for (size_t i = 0; i < s->nkeys; i++) {
		size_t h = (size_t)(s->keys[i].hash & (ns - 1));
		while (sl[h]) h = (h + 1) & (ns - 1);
		sl[h] = (uint32_t)(i + 1);
	}
	free(s->slots);
	s->slots = sl;
	s->nslots = ns;
	return 0;
}

/* The entry of key (hash h), created if `create`; NULL if absent or out of memory (then the
 * walk gives up). */
static ea_hs_key *lookup(ea_hstream *s, uint64_t h, const uint8_t *k, size_t n, int create)
{
	if (s->nslots) {
		size_t i = (size_t)(h & (s->nslots - 1));
		while (s->slots[i]) {
			ea_hs_key *e = &s->keys[s->slots[i] - 1];
			if (e->hash == h && e->len == n && (n == 0 || memcmp(e->key, k, n) == 0)) return e;
			i = (i + 1) & (s->nslots - 1);
		}
	}
	if (!create) return NULL;
	if (n > UINT32_MAX || s->nkeys >= UINT32_MAX - 1) { s->give_up = 1; return NULL; }
	if ((s->nkeys + 1) * 2 > s->nslots && grow_slots(s)) { s->give_up = 1; return NULL; }
	if (s->nkeys == s->capkeys) {
		size_t nc = s->capkeys ? s->capkeys * 2 : 1024;
		void *p = realloc(s->keys, nc * sizeof *s->keys);
		if (!p) { s->give_up = 1; return NULL; }
		s->keys = p;
		s->capkeys = nc;
	}
	const uint8_t *copy = store_key(s, k, n);
	if (!copy) { s->give_up = 1; return NULL; }
	ea_hs_key *e = &s->keys[s->nkeys];
	memset(e, 0, sizeof *e);
	e->hash = h;
	e->key = copy;
	e->len = (uint32_t)n;
	size_t i = (size_t)(h & (s->nslots - 1));
	while (s->slots[i]) i = (i + 1) & (s->nslots - 1);
	s->slots[i] = (uint32_t)++s->nkeys;
	return e;
}

/* A put or tombstone on a followed key, as the index applies it. */
static void apply(uint8_t *alive, uint8_t *has_tomb, int64_t *last_tomb, int64_t main, int tomb)
{
	if (!tomb) { *alive = 1; return; }
	if (!*alive) return;   /* a tombstone on an empty generation: etcd skips it */
	*alive = 0;
	*has_tomb = 1;
	*last_tomb = main;
}

/* ---- candidates: keys first put above K --------------------------------------------------- */

static void cand_feed(ea_hstream *s, uint64_t h, const uint8_t *k, size_t n, int64_t main, int tomb)
{
	ea_hs_cand *c = NULL, *free_slot = NULL, *dead = NULL, *oldest = NULL;
	for (int i = 0; i < EA_HS_CANDIDATES; i++) {
		ea_hs_cand *x = &s->cand[i];
		if (!x->used) { if (!free_slot) free_slot = x; continue; }
		if (x->hash == h && x->len == n && (n == 0 || memcmp(x->key, k, n) == 0)) { c = x; break; }
		if (!x->alive && (!dead || x->since < dead->since)) dead = x;
		if (!oldest || x->since < oldest->since) oldest = x;
	}
	if (c) {
		uint8_t alive = (uint8_t)c->alive, ht = (uint8_t)c->has_tomb;
		apply(&alive, &ht, &c->last_tomb, main, tomb);
		c->alive = alive;
		c->has_tomb = ht;
		return;
	}
	if (tomb) return;   /* a key never put (etcd ignores the tombstone) or one no longer followed */
	c = free_slot ? free_slot : dead ? dead : oldest;
	int complete = !s->evicted;   /* every put above K went into the set: this is the key's first */
	if (c->used) s->evicted = 1;
	if (n > c->len || !c->key) {
		uint8_t *p = realloc(c->key, n ? n : 1);
		if (!p) { s->give_up = 1; return; }
		c->key = p;
	}
	if (n) memcpy(c->key, k, n);
	c->len = n;
	c->hash = h;
	c->used = 1;
	c->alive = 1;
	c->has_tomb = 0;
	c->last_tomb = 0;
	c->since = main;
	c->complete = complete;
}

/* ---- the walk ------------------------------------------------------------------------------ */

void ea_hs_init(ea_hstream *s, int64_t compact, int64_t rev, int64_t upto)
{
	memset(s, 0, sizeof *s);
	s->compact = compact;
	s->rev = rev;
	s->upto = upto;
	s->pall[0] = s->pall[1] = ea_crc32c(0, "key", 3);
}

void ea_hs_give_up(ea_hstream *s) { s->give_up = 1; }

static uint32_t crc_kv(uint32_t c, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	return ea_crc32c(ea_crc32c(c, k, kn), v, vn);
}

static void feed_prefix(ea_hstream *s, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
                        int64_t main, int64_t sub, int tomb, const uint8_t *uk, size_t ul)
{
	int at_k = tomb && main == s->compact;
	s->prefix++;
	if (at_k) s->tomb_at_k = 1;
	if (main <= s->upto) {
		/* variant 1 leaves tombstones at K out: its hash parts from the first one on */
		if (at_k && !s->split) { s->pall[1] = s->pall[0]; s->split = 1; }
		s->pall[0] = crc_kv(s->pall[0], k, kn, v, vn);
		if (s->split && !at_k) s->pall[1] = crc_kv(s->pall[1], k, kn, v, vn);
	}
	if (s->give_up || !uk) return;
	ea_hs_key *e = lookup(s, key_hash(uk, ul), uk, ul, !tomb);
	if (!e) return;   /* a tombstone of a key never put: etcd ignores it */
	apply(&e->alive, &e->has_tomb, &e->last_tomb, main, tomb);
	if (tomb) return;
	e->lmain = main;
	e->lsub = sub;
	e->llen = (uint64_t)kn + vn;
	e->lcrc = main <= s->upto ? crc_kv(0, k, kn, v, vn) : 0;
}

static void feed_tail(ea_hstream *s, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn,
                      int64_t main, int tomb, const uint8_t *uk, size_t ul)
{
	if (main <= s->upto) {
		s->tail = crc_kv(s->tail, k, kn, v, vn);
		s->tail_len += (uint64_t)kn + vn;
	}
	if (s->give_up || !uk || s->prefix == 0) return;   /* nothing at or below K: no keep filter */
	uint64_t h = key_hash(uk, ul);
	ea_hs_key *e = s->nkeys ? lookup(s, h, uk, ul, 0) : NULL;
	if (e) {
		e->touched = 1;
		apply(&e->alive, &e->has_tomb, &e->last_tomb, main, tomb);
		return;
	}
	cand_feed(s, h, uk, ul, main, tomb);
}

void ea_hs_feed(ea_hstream *s, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, int64_t main,
                int64_t sub, int tomb, const uint8_t *uk, size_t ul)
{
	if (s->have_prev && (main < s->prev_main || (main == s->prev_main && sub <= s->prev_sub)))
		s->give_up = 1;   /* not in revision order: the index decides */
	s->have_prev = 1;
	s->prev_main = main;
	s->prev_sub = sub;
	if (main > s->rev) return;
	if (main <= s->compact) feed_prefix(s, k, kn, v, vn, main, sub, tomb, uk, ul);
	else feed_tail(s, k, kn, v, vn, main, tomb, uk, ul);
}

/* ---- the end ------------------------------------------------------------------------------- */

static int cmp_kept(const void *a, const void *b)
{
	const struct ea_hs_kept *x = a, *y = b;
	if (x->main != y->main) return x->main < y->main ? -1 : 1;
	return x->sub < y->sub ? -1 : x->sub > y->sub;
}

/* keep(R) not empty, per variant; 1 when the followed keys cannot tell. */
static int keep_nonempty(const ea_hstream *s, int64_t rev, int ne[2])
{
	ne[0] = ne[1] = 0;
	for (size_t i = 0; i < s->nkeys && !(ne[0] && ne[1]); i++) {
		const ea_hs_key *e = &s->keys[i];
		if (!e->alive) continue;
		ne[0] = 1;
		if (!(e->has_tomb && e->last_tomb == rev)) ne[1] = 1;
	}
	for (int i = 0; i < EA_HS_CANDIDATES; i++) {
		const ea_hs_cand *c = &s->cand[i];
		if (!c->used || !c->alive) continue;
		ne[0] = 1;
		/* a candidate first seen at R after an eviction may have had a tombstone at R before */
		if (!(c->has_tomb && c->last_tomb == rev) && (c->since < rev || c->complete)) ne[1] = 1;
	}
	return (!ne[0] || !ne[1]) && s->evicted;
}

static int collect_kept(ea_hstream *s, int64_t rev)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nkeys; i++) n += s->keys[i].alive && !s->keys[i].touched;
	free(s->kept);
	s->kept = malloc((n ? n : 1) * sizeof *s->kept);
	if (!s->kept) return EA_ENOMEM;
	s->nkept = 0;
	for (size_t i = 0; i < s->nkeys; i++) {
		const ea_hs_key *e = &s->keys[i];
		if (!e->alive || e->touched) continue;   /* alive, untouched: L is a put, kept */
		struct ea_hs_kept *k = &s->kept[s->nkept++];
		k->main = e->lmain;
		k->sub = e->lsub;
		k->len = e->llen;
		k->crc = e->lcrc;
		k->in[0] = 1;
		k->in[1] = !(e->has_tomb && e->last_tomb == rev);   /* R == K: the >= test stops there */
	}
	qsort(s->kept, s->nkept, sizeof *s->kept, cmp_kept);
	return EA_OK;
}

int ea_hs_finish(ea_hstream *s, int64_t rev, ea_hs_result *out)
{
	memset(out, 0, sizeof *out);
	if (s->give_up) return 1;
	int ne[2] = { 0, 0 };
	if (s->prefix) {
		if (keep_nonempty(s, rev, ne)) return 1;
		int rc = collect_kept(s, rev);
		if (rc) return rc;
	}
	if (!s->split) s->pall[1] = s->pall[0];
	for (int v = 0; v < 2; v++) {
		uint32_t h = s->pall[v];
		if (ne[v]) {
			h = ea_crc32c(0, "key", 3);
			for (size_t i = 0; i < s->nkept; i++)
				if (s->kept[i].in[v] && s->kept[i].main <= s->upto)
					h = ea_hs_crc_combine(h, s->kept[i].crc, s->kept[i].len);
		}
		out->hash[v] = ea_hs_crc_combine(h, s->tail, s->tail_len);
		out->keep_nonempty[v] = ne[v];
	}
	out->skipped_tomb = s->tomb_at_k && !ne[1];
	out->kept = s->nkept;
	return 0;
}

uint32_t ea_hs_hash_all(const ea_hstream *s)
{
	return ea_hs_crc_combine(s->pall[0], s->tail, s->tail_len);
}

int ea_hs_foreach_kept(const ea_hstream *s, int (*cb)(int64_t main, int64_t sub, int in0, int in1, void *p),
                       void *p)
{
	for (size_t i = 0; i < s->nkept; i++) {
		int rc = cb(s->kept[i].main, s->kept[i].sub, s->kept[i].in[0], s->kept[i].in[1], p);
		if (rc) return rc;
	}
	return 0;
}

void ea_hs_free(ea_hstream *s)
{
	while (s->blocks) {
		ea_hs_block *n = s->blocks->next;
		free(s->blocks);
		s->blocks = n;
	}
	for (int i = 0; i < EA_HS_CANDIDATES; i++) free(s->cand[i].key);
	free(s->keys);
	free(s->slots);
	free(s->kept);
	memset(s, 0, sizeof *s);
}
