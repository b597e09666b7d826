/* keycount.c: counts a key bucket's distinct and live user keys in one walk without keeping the
 * keys (ea_keycount, keycount.h): what `db stat` and snapshot status report, in 16 bytes a key
 * instead of the key index. Open addressing over 128-bit slots: the first word places the slot,
 * the second word's low bit is the tombstone state and its second bit is always set, so a zero
 * slot is empty. */
#include "keycount.h"
#include "etcd-autopsy/common.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define TOMB 1ull
#define USED 2ull

int ea_keycount_init(ea_keycount *s)
{
	memset(s, 0, sizeof *s);
	s->md = EVP_MD_CTX_new();
	return s->md ? 0 : EA_ENOMEM;
}

void ea_keycount_free(ea_keycount *s)
{
	free(s->slot);
	EVP_MD_CTX_free(s->md);
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

static int digest(ea_keycount *s, const uint8_t *key, size_t len, uint64_t out[2])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(s->md, key, len) != 1 ||
	    EVP_DigestFinal_ex(s->md, d, &n) != 1 || n < 16)
		return EA_ENOMEM;
	memcpy(&out[0], d, 8);
	memcpy(&out[1], d + 8, 8);
	out[1] = (out[1] & ~TOMB) | USED;
	return 0;
}

int ea_keycount_add(ea_keycount *s, const uint8_t *key, size_t len, int tomb)
{
	tomb = tomb != 0;
	if ((s->keys + 1) * 2 > s->nslots && grow(s)) return EA_ENOMEM;
	uint64_t d[2];
	if (digest(s, key ? key : (const uint8_t *)"", len, d)) return EA_ENOMEM;
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
