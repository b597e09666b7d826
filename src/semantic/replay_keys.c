/* replay_keys.c: the replay model's tables: user key -> state (open addressing over one
 * growing key-byte buffer, so a pass allocates nothing once grown), lease -> attached keys,
 * and the per-entry write and scratch vectors. Memory: the keys and leases the window names
 * (128 bytes per key + its bytes + 16 bytes of slots). */
#include "replay_int.h"
#include "util/vec.h"
#include "etcd-autopsy/crc32c.h"

#include <stdlib.h>
#include <string.h>

/* 64-bit hash of keys and values: the hardware CRC-32C of each half (values run to
 * megabytes), mixed with the length. Not cryptographic; two values the replay calls equal have
 * the same length and hash. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27; h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

uint64_t ea__rp_hash(const uint8_t *p, size_t n)
{
	size_t h = n / 2;
	uint64_t a = ea_crc32c(0, p, h), b = ea_crc32c(0, p + h, n - h);
	return mix((a << 32 | b) ^ mix((uint64_t)n));
}

const uint8_t *ea__rp_key_bytes(const rp_model *m, const rp_key *k) { return m->kbuf + k->koff; }

void ea__rp_model_reset(rp_model *m)
{
	m->nkeys = 0;
	m->kbuf_len = 0;
	m->npre = 0;
	if (m->slots) memset(m->slots, 0, m->nslots * sizeof *m->slots);
	m->nwrites = 0;
	m->ntmp = 0;
	for (size_t i = 0; i < m->nleases; i++) { m->leases[i].n = 0; m->leases[i].exists = -1; }
}

void ea__rp_model_free(rp_model *m)
{
	free(m->keys);
	free(m->slots);
	free(m->kbuf);
	free(m->pre);
	for (size_t i = 0; i < m->nleases; i++) free(m->leases[i].keys);
	free(m->leases);
	free(m->writes);
	free(m->tmp);
	memset(m, 0, sizeof *m);
}

/* A slot: the key's index + 1 beside its hash's high half (the tag), so that a probe past other
 * keys does not read their entries (a cache miss each), and a rehash moves slots without
 * reading keys: a key's home slot is its tag modulo the table size. */
static uint64_t slot_of(size_t i, uint64_t h) { return (h & 0xFFFFFFFF00000000ull) | (uint64_t)(i + 1); }
static size_t home(uint64_t tagged, size_t ns) { return (size_t)(tagged >> 32) & (ns - 1); }

static int rehash(rp_model *m)
{
	size_t ns = m->nslots ? m->nslots * 2 : 1024;
	uint64_t *s = calloc(ns, sizeof *s);
	if (!s) return -1;
	for (size_t i = 0; i < m->nslots; i++) {
		if (!m->slots[i]) continue;
		size_t h = home(m->slots[i], ns);
		while (s[h]) h = (h + 1) & (ns - 1);
		s[h] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->nslots = ns;
	return 0;
}

long ea__rp_key_find(rp_model *m, const uint8_t *k, size_t n, int create, int *created)
{
	if (created) *created = 0;
	if (n > UINT32_MAX) return -1;
	if (!m->nslots || (m->nkeys + 1) * 2 > m->nslots) {
		if (!create && !m->nslots) return -1;
		if (create && rehash(m)) return -2;
	}
	uint64_t hv = ea__rp_hash(k, n);
	size_t h = home(hv, m->nslots);
	uint64_t tag = hv & 0xFFFFFFFF00000000ull;
	while (m->slots[h]) {
		uint64_t sl = m->slots[h];
		if ((sl & 0xFFFFFFFF00000000ull) == tag) {
			size_t i = (size_t)(uint32_t)sl - 1;
			const rp_key *e = &m->keys[i];
			if (e->klen == n && (n == 0 || memcmp(m->kbuf + e->koff, k, n) == 0)) return (long)i;
		}
		h = (h + 1) & (m->nslots - 1);
	}
	if (!create) return -1;
	if (m->nkeys >= UINT32_MAX - 1) return -2;
	if (ea__vec_ensure((void **)&m->keys, &m->capkeys, m->nkeys + 1, sizeof *m->keys, 1024)) return -2;
	if (ea__vec_ensure((void **)&m->kbuf, &m->kbuf_cap, m->kbuf_len + n + 1, 1, 65536)) return -2;
	rp_key *e = &m->keys[m->nkeys];
	memset(e, 0, sizeof *e);
	e->koff = m->kbuf_len;
	if (n) memcpy(m->kbuf + m->kbuf_len, k, n);
	m->kbuf_len += n;
	e->klen = (uint32_t)n;
	e->st = RP_UNKNOWN;
	m->slots[h] = slot_of(m->nkeys, hv);
	if (created) *created = 1;
	return (long)m->nkeys++;
}

int ea__rp_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t c = an < bn ? an : bn;
	int d = c ? memcmp(a, b, c) : 0;
	if (d) return d;
	return an < bn ? -1 : an > bn;
}

int ea__rp_in_range(const uint8_t *k, size_t kn, const uint8_t *key, size_t kl, const uint8_t *end, size_t el)
{
	if (!end || el == 0) return kn == kl && (kl == 0 || memcmp(k, key, kl) == 0);
	if (ea__rp_key_cmp(k, kn, key, kl) < 0) return 0;
	if (el == 1 && end[0] == 0) return 1;
	return ea__rp_key_cmp(k, kn, end, el) < 0;
}

static const rp_model *sort_model;

static int cmp_idx(const void *a, const void *b)
{
	const rp_key *x = &sort_model->keys[*(const uint32_t *)a], *y = &sort_model->keys[*(const uint32_t *)b];
	return ea__rp_key_cmp(sort_model->kbuf + x->koff, x->klen, sort_model->kbuf + y->koff, y->klen);
}

void ea__rp_sort_tmp(rp_model *m)
{
	if (m->ntmp < 2) return;
	sort_model = m;
	qsort(m->tmp, m->ntmp, sizeof *m->tmp, cmp_idx);
	sort_model = NULL;
	size_t o = 1;
	for (size_t i = 1; i < m->ntmp; i++)
		if (m->tmp[i] != m->tmp[o - 1]) m->tmp[o++] = m->tmp[i];
	m->ntmp = o;
}

int ea__rp_tmp_push(rp_model *m, uint32_t v)
{
	if (ea__vec_ensure((void **)&m->tmp, &m->captmp, m->ntmp + 1, sizeof *m->tmp, 256)) return EA_ENOMEM;
	m->tmp[m->ntmp++] = v;
	return EA_OK;
}

int ea__rp_write_push(rp_model *m, const rp_write *w)
{
	if (ea__vec_ensure((void **)&m->writes, &m->capwrites, m->nwrites + 1, sizeof *m->writes, 64)) return EA_ENOMEM;
	m->writes[m->nwrites++] = *w;
	return EA_OK;
}

rp_lease *ea__rp_lease_get(rp_model *m, int64_t id)
{
	for (size_t i = 0; i < m->nleases; i++)
		if (m->leases[i].id == id) return &m->leases[i];
	if (ea__vec_ensure((void **)&m->leases, &m->capleases, m->nleases + 1, sizeof *m->leases, 16)) return NULL;
	rp_lease *l = &m->leases[m->nleases++];
	memset(l, 0, sizeof *l);
	l->id = id;
	l->base = -1;
	l->exists = -1;
	return l;
}

int ea__rp_lease_attach(rp_model *m, int64_t id, uint32_t key)
{
	rp_key *k = &m->keys[key];
	if (k->listed && m->leases[k->listed - 1].id == id) return EA_OK;
	rp_lease *l = ea__rp_lease_get(m, id);
	if (!l || (size_t)(l - m->leases) >= UINT32_MAX - 1) return EA_ENOMEM;
	size_t cap = l->cap;
	if (ea__vec_ensure((void **)&l->keys, &cap, (size_t)l->n + 1, sizeof *l->keys, 8) || cap > UINT32_MAX) return EA_ENOMEM;
	l->cap = (uint32_t)cap;
	l->keys[l->n++] = key;
	k->listed = (uint32_t)(l - m->leases) + 1;
	return EA_OK;
}

_Static_assert(sizeof(rp_key) <= 128, "rp_key grew: the window's keys are its memory");
