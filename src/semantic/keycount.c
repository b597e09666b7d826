/* keycount.c: counts a key bucket's distinct and live user keys in one walk without keeping the
 * keys (ea_keycount, keycount.h): what `db stat` and snapshot status report, in 16 bytes a key
 * instead of the key index. A key is its 128-bit SipHash-2-4 (126 bits kept: two are the slot's flags) under a random key drawn per set:
 * an input cannot steer two keys onto one digest (a key's bytes never enter the count otherwise),
 * and chance needs ~2^63 keys. Open addressing over 128-bit slots: the first word places the slot,
 * the second word's low bit is the tombstone state and its second bit is always set, so a zero
 * slot is empty. */
#include "keycount.h"
#include "etcd-autopsy/common.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define TOMB 1ull
#define USED 2ull

int ea_keycount_init(ea_keycount *s)
{
	memset(s, 0, sizeof *s);
	if (getrandom(s->sip, sizeof s->sip, 0) != (ssize_t)sizeof s->sip) {
		s->sip[0] = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;   /* no entropy source: still a key */
		s->sip[1] = (uint64_t)getpid() ^ (uint64_t)(uintptr_t)s;
	}
	return 0;
}

void ea_keycount_free(ea_keycount *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

static int grow(ea_keycount *s)
{
	size_t ns = s->nslots ? s->nslots * 2 : 1024;
	if (ns > SIZE_MAX / sizeof *s->slot) return EA_ENOMEM;
	uint64_t (*t)[2] = calloc(ns, sizeof *t);
	if (!t) return EA_ENOMEM;
	for (size_t i = 0; i < s->nslots; i++) {
		if (!s->slot[i][1]) continue;
		size_t h = (size_t)(s->slot[i][0] & (ns - 1));
		while (t[h][1]) h = (h + 1) & (ns - 1);
		t[h][0] = s->slot[i][0];
		t[h][1] = s->slot[i][1];
	}
	free(s->slot);
	s->slot = t;
	s->nslots = ns;
	return 0;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;   /* the set's memory only: byte order does not matter across hosts */
}

/* SipHash-2-4 with a 128-bit output of key bytes p[0..n). */
static void digest(const ea_keycount *s, const uint8_t *p, size_t n, uint64_t out[2])
{
	uint64_t k0 = s->sip[0], k1 = s->sip[1];
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1 ^ 0xee;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t m = le64(p + i);
		v3 ^= m; SIPROUND; SIPROUND; v0 ^= m;
	}
	uint64_t b = (uint64_t)n << 56;
	for (size_t j = 0; i + j < n; j++) b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b; SIPROUND; SIPROUND; v0 ^= b;
	v2 ^= 0xee;
	SIPROUND; SIPROUND; SIPROUND; SIPROUND;
	out[0] = v0 ^ v1 ^ v2 ^ v3;
	v1 ^= 0xdd;
	SIPROUND; SIPROUND; SIPROUND; SIPROUND;
	out[1] = ((v0 ^ v1 ^ v2 ^ v3) & ~TOMB) | USED;
}

int ea_keycount_add(ea_keycount *s, const uint8_t *key, size_t len, int tomb)
{
	tomb = tomb != 0;
	if ((s->keys + 1) * 2 > s->nslots && grow(s)) return EA_ENOMEM;
	uint64_t d[2];
	digest(s, key ? key : (const uint8_t *)"", len, d);
	size_t h = (size_t)(d[0] & (s->nslots - 1));
	for (; s->slot[h][1]; h = (h + 1) & (s->nslots - 1)) {
		if (s->slot[h][0] != d[0] || (s->slot[h][1] | TOMB) != (d[1] | TOMB)) continue;
		int was_tomb = (s->slot[h][1] & TOMB) != 0;
		if (tomb == was_tomb) return 0;   /* a put on a live key; a tombstone on a dead one */
		s->slot[h][1] ^= TOMB;
		if (tomb) s->live--; else s->live++;
		return 0;
	}
	if (tomb) return 0;                   /* a tombstone for a key never put: etcd ignores it */
	s->slot[h][0] = d[0];
	s->slot[h][1] = d[1];
	s->keys++;
	s->live++;
	return 0;
}
