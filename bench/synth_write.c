/* synth_write.c: the writer runs synth.c and synth_k8s.c share (see synth.h, "shared
 * writers"): the random stream, directories, protobuf bytes fields, closing a WAL segment and
 * its HardState, and the bbolt page writers (leaf and branch nodes, the free page, the root
 * bucket page and the two meta pages). */
#include "synth.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PS SYNTH_PAGE

uint64_t synth_rng(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

unsigned synth_logsize(uint64_t x, unsigned lo, unsigned hi)
{
	if (hi <= lo) return lo;
	double u = (double)(x >> 11) / 9007199254740992.0;
	double v = exp(log((double)lo) + u * (log((double)hi) - log((double)lo)));
	unsigned n = (unsigned)v;
	return n < lo ? lo : n > hi ? hi : n;
}

int synth_mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/') continue;
		*p = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

size_t synth_put_bytes(uint8_t *p, unsigned field, const void *b, size_t n)
{
	size_t at = pb_put_tag(p, field, 2);
	at += pb_put_varint(p + at, n);
	memcpy(p + at, b, n);
	return at + n;
}

/* ---- WAL ---- */

int synth_seg_close(synth_walw *w, int last)
{
	char name[64];
	snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 ".wal", w->seq, w->first);
	size_t pad = last && w->g.len < SYNTH_SEGMENT ? SYNTH_SEGMENT : 0;
	if (walgen_write(&w->g, w->dir, name, pad)) return -1;
	w->st->file_bytes += pad ? pad : w->g.len;
	w->st->segments++;
	w->used_closed += w->g.len;
	return 0;
}

void synth_hard_state(synth_walw *w)
{
	walgen_state(&w->g, w->term, SYNTH_MEMBER_ID, w->commit);
	w->st->hard_states++;
}

/* ---- bbolt ---- */

void synth_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
void synth_le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
void synth_le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

int synth_write_pages(synth_dbw *d, uint64_t id, const uint8_t *p, size_t npages)
{
	if (d->fd < 0) return 0;   /* a dry run: only counts pages */
	size_t len = npages * PS;
	return pwrite(d->fd, p, len, (off_t)(id * PS)) == (ssize_t)len ? 0 : -1;
}

static int add_child(synth_dbw *d, uint64_t id, const uint8_t *key, size_t kl)
{
	if (d->nl == d->capl) {
		d->capl = d->capl ? d->capl * 2 : 4096;
		void *p = realloc(d->level, d->capl * sizeof *d->level);
		if (!p) return -1;
		d->level = p;
	}
	d->level[d->nl].pgid = id;
	memcpy(d->level[d->nl].key, key, kl);
	d->level[d->nl].kl = kl;
	d->nl++;
	return 0;
}

int synth_write_leaf(synth_dbw *d, uint8_t *node, size_t cap, const uint8_t *keys, const size_t *klen,
                     const uint8_t *vals, const size_t *voff, const size_t *vlen, size_t cnt, int link)
{
	size_t size = 16 + 16 * cnt;
	for (size_t i = 0; i < cnt; i++) size += klen[i] + vlen[i];
	size_t npages = (size + PS - 1) / PS;
	if (npages * PS > cap) return -1;
	memset(node, 0, npages * PS);
	uint64_t id = d->next_page;
	synth_le64(node, id);
	synth_le16(node + 8, 0x02);
	synth_le16(node + 10, (uint16_t)cnt);
	synth_le32(node + 12, (uint32_t)(npages - 1));
	size_t at = 16 + 16 * cnt;
	for (size_t i = 0; i < cnt; i++) {
		uint8_t *e = node + 16 + 16 * i;
		synth_le32(e + 4, (uint32_t)(at - (16 + 16 * i)));
		synth_le32(e + 8, (uint32_t)klen[i]);
		synth_le32(e + 12, (uint32_t)vlen[i]);
		memcpy(node + at, keys + 18 * i, klen[i]);
		memcpy(node + at + klen[i], vals + voff[i], vlen[i]);
		at += klen[i] + vlen[i];
	}
	if (synth_write_pages(d, id, node, npages)) return -1;
	d->next_page += npages;
	return link ? add_child(d, id, keys, klen[0]) : 0;
}

int synth_build_branches(synth_dbw *d, uint64_t *root)
{
	uint8_t p[PS];
	while (d->nl > 1) {
		size_t per = (size_t)((PS - 16) * 9 / 10) / (16 + 18);
		size_t nn = 0;
		for (size_t at = 0; at < d->nl; at += per) {
			size_t cnt = d->nl - at < per ? d->nl - at : per;
			memset(p, 0, PS);
			uint64_t id = d->next_page++;
			synth_le64(p, id);
			synth_le16(p + 8, 0x01);
			synth_le16(p + 10, (uint16_t)cnt);
			size_t base = 16 + 16 * cnt;
			for (size_t i = 0; i < cnt; i++) {
				uint8_t *e = p + 16 + 16 * i;
				const synth_childref *c = &d->level[at + i];
				synth_le32(e, (uint32_t)(base - (16 + 16 * i)));
				synth_le32(e + 4, (uint32_t)c->kl);
				synth_le64(e + 8, c->pgid);
				memcpy(p + base, c->key, c->kl);
				base += c->kl;
			}
			if (synth_write_pages(d, id, p, 1)) return -1;
			synth_childref c0 = d->level[at];
			c0.pgid = id;
			d->level[nn++] = c0;
		}
		d->nl = nn;
	}
	*root = d->nl ? d->level[0].pgid : 0;
	return 0;
}

int synth_db_frame(synth_dbw *d, uint64_t key_root)
{
	uint8_t p[PS];
	/* page 2: free (no freelist is stored, as etcd 3.4 runs bbolt with NoFreelistSync) */
	memset(p, 0, PS); synth_le64(p, 2); synth_le16(p + 8, 0x10);
	if (synth_write_pages(d, 2, p, 1)) return -1;
	/* page 3: the root bucket leaf {key, meta}; meta's leaf is page 4 (the caller's) */
	memset(p, 0, PS); synth_le64(p, 3); synth_le16(p + 8, 0x02); synth_le16(p + 10, 2);
	const char *names[2] = { "key", "meta" };
	uint64_t roots[2] = { key_root, 4 };
	size_t at = 48;
	for (int i = 0; i < 2; i++) {
		uint8_t *e = p + 16 + 16 * i;
		size_t kl = strlen(names[i]);
		synth_le32(e, 1);
		synth_le32(e + 4, (uint32_t)(at - (size_t)(16 + 16 * i)));
		synth_le32(e + 8, (uint32_t)kl);
		synth_le32(e + 12, 16);
		memcpy(p + at, names[i], kl);
		synth_le64(p + at + kl, roots[i]);
		synth_le64(p + at + kl + 8, 0);
		at += kl + 16;
	}
	if (synth_write_pages(d, 3, p, 1)) return -1;
	/* the two meta pages, transaction ids 2 and 3 (page 1 is the current one) */
	for (int pg = 0; pg < 2; pg++) {
		memset(p, 0, PS);
		synth_le64(p, (uint64_t)pg);
		synth_le16(p + 8, 0x04);
		synth_le32(p + 16, 0xED0CDAED); synth_le32(p + 20, 2); synth_le32(p + 24, PS);
		synth_le64(p + 32, 3); synth_le64(p + 48, UINT64_MAX); synth_le64(p + 56, d->next_page);
		synth_le64(p + 64, (uint64_t)(2 + pg));
		synth_le64(p + 72, fnv(p + 16, 56));
		if (synth_write_pages(d, (uint64_t)pg, p, 1)) return -1;
	}
	return 0;
}
