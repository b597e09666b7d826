/* bolt.c: damage-tolerant reader of bbolt files (bbolt 1.3 / 1.4, host byte order = LE).
 *
 * Page n starts at byte n * P (P = meta.pageSize). Every non-inline page:
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       8     id (page number; 0 inside inline buckets)
 *   8       2     flags: 0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist
 *   10      2     count (elements; freelist: ids, 0xFFFF = real count in the first u64)
 *   12      4     overflow (the page spans overflow + 1 consecutive pages)
 *
 * Meta page (pages 0 and 1):
 *   16 u32 magic 0xED0CDAED | 20 u32 version 2 | 24 u32 pageSize | 28 u32 flags
 *   32 u64 root bucket page | 40 u64 root sequence | 48 u64 freelist page (~0 = none)
 *   56 u64 pgid (high-water mark) | 64 u64 txid | 72 u64 checksum = FNV-1a 64 of bytes 16..71
 *
 * Branch element (16 bytes, at 16 + 16 i):  0 u32 pos | 4 u32 ksize | 8 u64 child pgid
 * Leaf element   (16 bytes, at 16 + 16 i):  0 u32 flags (0x01 bucket) | 4 u32 pos |
 *                                           8 u32 ksize | 12 u32 vsize
 * pos is relative to the element itself; the leaf value follows the key.
 *
 * Bucket value: 0 u64 root page | 8 u64 sequence; root == 0: an inline pseudo-page (header +
 * leaf elements) follows at value offset 16.
 *
 * Freelist page: count u64 ids after the header (count == 0xFFFF: first u64 = count).
 * etcd on Linux stores none (NoFreelistSync): free = pages in [2, pgid) not reachable.
 *
 * Nothing here trusts a number read from the file: ids are checked against pgid and the file
 * size, element areas against the page buffer, overflow against pgid, depth and revisits are
 * bounded, and every problem is recorded with file, byte offset and page id. */
#include "bolt_int.h"
#include "../source/input_int.h"
#include "util/vec.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bolt_bc.h"
#include "bolt_pagemap.h"

#define META_MAGIC     0xED0CDAEDu
#define PAGE_HDR       16u
#define META_END       80u          /* page header + the 64 meta bytes the checksum covers (with it) */
#define ELEM_SIZE      16u
#define MAX_DEPTH      64           /* B+tree depth; bbolt trees are a handful deep */
#define MAX_NEST       16           /* nested bucket depth */
#define MAX_PAGE_SIZE  (1u << 20)
#define MIN_PAGE_SIZE  512u
#define MAX_NODE_BYTES (256ull << 20)   /* one node (page + overflow); etcd values are <= ~10 MiB */

enum { ST_REACHABLE = 1, ST_FREE = 2, ST_META = 4, ST_FREELIST = 8, ST_CONT = 16 };
/* The check's page map is one byte per page: the ST_* flags in the low 5 bits and the owning
 * bucket in the top 3 (0 none, 1..6 a bucket index, OWNER_SIDE: see the side table). The rare
 * cases have side tables (bolt_pagemap.c): the first page of each node of more than one page
 * (so that an overflow page names its node), and the owner of nodes of buckets 7 and up. */
#define OWNER_SHIFT 5
#define OWNER_SIDE  7u

struct ea_bolt {
	ea_input *in;
	size_t idx;
	char *file;
	uint64_t size;
	uint32_t psize;
	ea_bolt_meta meta[2];
	int used;
	uint64_t pgid;          /* of the meta in use */
	uint64_t npages;        /* pages the maps cover: min(pgid, file pages) */

	ea_problem_owned *problems;
	size_t nproblems, dropped;
	uint64_t *seen;         /* open-addressing set of problem fingerprints */
	size_t seen_cap;

	/* check results / page map */
	int checked;
	ea_bolt_check_result chk;
	uint64_t inline_walked;  /* check: inline bucket bytes walked (bounded, see walk_bucket_check) */
	ea__bc *bc;              /* during ea_bolt_check: the walk's block cache, else NULL */
	uint8_t *state;         /* per page: ST_* | owner << OWNER_SHIFT */
	ea__pagemap_side side;  /* multi-page nodes, owners past OWNER_SIDE - 1 */
	char **bnames;
	size_t nbnames, bnames_cap;

	/* zero-copy reads: the file mapped read-only (NULL: pread into buffers). A walk visits
	 * pages in tree order, not file order; a pread per page was most of `db check`'s time */
	const uint8_t *map;
	uint64_t mapped_since_trim;   /* bytes served since the last ea__input_map_trim */
	uint64_t last_window;         /* FAULT_AROUND window of the last mapped read, + 1 */

	/* ea__bolt_check_visit: elements of one top-level bucket also go to this callback */
	const char *hook_bucket;
	ea_bolt_kv_cb hook_cb;
	void *hook_payload;

	/* ea_bolt_get: the nodes of the last descent (see lookup_cache), and who holds them */
	struct lookup_cache *lc;
	_Atomic int lc_busy;

	/* lookups: nodes whose overflow count claims more pages than their elements use (see
	 * trim_learn), so that they are read in full, and reported, once */
	struct trim_ent *trims;
	size_t ntrims;
	_Atomic int trims_busy;
};

#define MAP_TRIM_BYTES (32ull << 20)   /* keep at most ~32 MiB of the mapping resident */
#define FAULT_AROUND   (64u << 10)     /* bytes a page fault maps at most (Linux default) */

static void lookup_cache_free(struct lookup_cache *lc);

/* ---------------------------------------------------------------------------------------- */

static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

static void vproblem(ea_bolt *b, ea_layer layer, ea_severity sev, const char *kind, uint64_t off,
                     uint64_t len, const char *fmt, va_list ap)
{
	/* dedup by (kind, offset): several walks may meet the same broken page */
	uint64_t fp = off * 0x9E3779B97F4A7C15ull;
	for (const char *k = kind; *k; k++) fp = (fp ^ (uint8_t)*k) * 0x100000001b3ull;
	if (fp == 0) fp = 1;
	if (b->seen_cap == 0 || (b->nproblems + b->dropped + 1) * 2 > b->seen_cap) {
		size_t nc = b->seen_cap ? b->seen_cap * 2 : 256;
		uint64_t *ns = calloc(nc, sizeof *ns);
		if (!ns) return;
		for (size_t i = 0; i < b->seen_cap; i++) {
			if (!b->seen[i]) continue;
			size_t h = (size_t)(b->seen[i] % nc);
			while (ns[h]) h = (h + 1) % nc;
			ns[h] = b->seen[i];
		}
		free(b->seen);
		b->seen = ns;
		b->seen_cap = nc;
	}
	size_t h = (size_t)(fp % b->seen_cap);
	while (b->seen[h]) {
		if (b->seen[h] == fp) return;
		h = (h + 1) % b->seen_cap;
	}
	if (b->nproblems >= EA_BOLT_MAX_PROBLEMS) {
		if (b->dropped < SIZE_MAX / 4) { b->seen[h] = fp; b->dropped++; }
		return;
	}
	b->seen[h] = fp;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	void *p = realloc(b->problems, (b->nproblems + 1) * sizeof *b->problems);
	if (!p) return;
	b->problems = p;
	ea_problem pr = { layer, sev, kind, b->file, off, len, msg };
	if (ea_problem_copy(&b->problems[b->nproblems], &pr) == EA_OK) b->nproblems++;
}

static void problem(ea_bolt *b, ea_severity sev, const char *kind, uint64_t off, uint64_t len,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void problem(ea_bolt *b, ea_severity sev, const char *kind, uint64_t off, uint64_t len,
                    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(b, EA_LAYER_BOLT, sev, kind, off, len, fmt, ap);
	va_end(ap);
}

void ea__bolt_problem(ea_bolt *b, ea_layer layer, ea_severity sev, const char *kind, uint64_t off,
                      uint64_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(b, layer, sev, kind, off, len, fmt, ap);
	va_end(ap);
}

size_t ea_bolt_problem_count(const ea_bolt *b) { return b->nproblems; }
const ea_problem *ea_bolt_problem_at(const ea_bolt *b, size_t i)
{
	return i < b->nproblems ? &b->problems[i].p : NULL;
}
size_t ea_bolt_problems_dropped(const ea_bolt *b) { return b->dropped; }
const char *ea_bolt_file(const ea_bolt *b) { return b->file; }
uint64_t ea_bolt_file_size(const ea_bolt *b) { return b->size; }
const ea_bolt_meta *ea_bolt_meta_at(const ea_bolt *b, int i) { return i == 0 || i == 1 ? &b->meta[i] : NULL; }
int ea_bolt_meta_used(const ea_bolt *b) { return b->used; }
uint32_t ea_bolt_page_size(const ea_bolt *b) { return b->psize; }
uint64_t ea_bolt_pgid(const ea_bolt *b) { return b->pgid; }

const char *ea_bolt_trailer_name(ea_bolt_trailer_state s)
{
	return s == EA_BOLT_TRAILER_OK ? "ok" : s == EA_BOLT_TRAILER_MISMATCH ? "mismatch" : "absent";
}

/* Reads exactly len bytes at off; returns bytes actually read (short at EOF), < 0 on I/O error. */
static long rd(ea_bolt *b, void *buf, size_t len, uint64_t off)
{
	if (b->map) {
		if (off >= b->size) return 0;
		if (len > b->size - off) len = (size_t)(b->size - off);
		memcpy(buf, b->map + off, len);
		ea__input_count_bytes(len);
		/* a fault maps the whole FAULT_AROUND window around the page it hits (Linux's
		 * fault_around_bytes): `db space` reads one header per node, so counting a page per
		 * read let 200-300 MiB of the db stay mapped between trims */
		uint64_t w = off / FAULT_AROUND + 1;
		b->mapped_since_trim += len + (w != b->last_window ? FAULT_AROUND : 0);
		b->last_window = w;
		if (b->mapped_since_trim > MAP_TRIM_BYTES) {
			ea__input_map_trim(b->in, b->idx);
			b->mapped_since_trim = 0;
		}
		return (long)len;
	}
	return ea_input_pread(b->in, b->idx, buf, len, off);
}

/* ---- locating and opening ---------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

int ea_bolt_locate(ea_input *in, size_t *file_idx, ea_error *err)
{
	size_t n = ea_input_count(in), found = 0, pick = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = ea_input_at(in, i)->name;
		if (strcmp(name, "db") == 0 || ends_with(name, "/snap/db") || strcmp(name, "snap/db") == 0) {
			if (!found) pick = i;
			found++;
		}
	}
	if (found == 0) {
		for (size_t i = 0; i < n; i++) {
			const char *name = ea_input_at(in, i)->name;
			if (ends_with(name, ".db")) {
				if (!found) pick = i;
				found++;
			}
		}
	}
	/* a lone file of another kind is never read as a db (a WAL dir of one segment) */
	if (found == 0 && n == 1 && !ends_with(ea_input_at(in, 0)->name, ".wal") &&
	    !ends_with(ea_input_at(in, 0)->name, ".snap")) { found = 1; pick = 0; }
	if (found == 0) {
		const ea_problem *why = ea__input_first_error(in, "snap");
		ea__set_error(err, EA_ENOTFOUND, EA_LAYER_BOLT, ea_input_path(in), EA_NO_OFFSET,
		              "no bbolt database found (looked for member/snap/db, *.db, *.snap.db)%s%.200s%s%.200s",
		              why ? "; " : "", why && why->file ? why->file : "", why ? ": " : "", why ? why->message : "");
		return EA_ENOTFOUND;
	}
	if (found > 1) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_BOLT, ea_input_path(in), EA_NO_OFFSET,
		              "%zu databases found (first: %s); %s", found, ea_input_at(in, pick)->name,
		              ea_input_get_kind(in) == EA_INPUT_ARCHIVE
		              ? "extract the archive and give the path of one" : "give the path of one");
		return EA_EINVAL;
	}
	*file_idx = pick;
	return EA_OK;
}

static void parse_meta(const uint8_t *p, long got, uint64_t page, ea_bolt_meta *m)
{
	memset(m, 0, sizeof *m);
	m->page = page;
	if (got < 80) { m->invalid_reason = "cannot be read (file too short)"; return; }
	m->readable = 1;
	m->magic = le32(p + 16);
	m->version = le32(p + 20);
	m->page_size = le32(p + 24);
	m->flags = le32(p + 28);
	m->root = le64(p + 32);
	m->root_sequence = le64(p + 40);
	m->freelist = le64(p + 48);
	m->pgid = le64(p + 56);
	m->txid = le64(p + 64);
	m->checksum = le64(p + 72);
	m->checksum_computed = fnv1a64(p + 16, 56);
	if (m->magic != META_MAGIC) m->invalid_reason = "bad magic";
	else if (m->version != 2) m->invalid_reason = "unsupported version";
	else if (m->checksum != m->checksum_computed) m->invalid_reason = "checksum mismatch";
	else m->valid = 1;
}

static int plausible_psize(uint32_t ps)
{
	return ps >= MIN_PAGE_SIZE && ps <= MAX_PAGE_SIZE && (ps & (ps - 1)) == 0;
}

int ea_bolt_open(ea_bolt **out, ea_input *in, size_t file_idx, ea_error *err)
{
	*out = NULL;
	const ea_input_file *f = ea_input_at(in, file_idx);
	if (!f) return EA_EINVAL;
	ea_bolt *b = calloc(1, sizeof *b);
	if (!b) return EA_ENOMEM;
	b->in = in;
	b->idx = file_idx;
	b->size = f->size;
	b->file = strdup(f->name);
	if (!b->file) { free(b); return EA_ENOMEM; }
	b->map = ea__input_map(in, file_idx);

	uint8_t buf[80];
	long got = rd(b, buf, sizeof buf, 0);
	if (got < 0) {
		ea__set_error(err, EA_EIO, EA_LAYER_BOLT, b->file, 0, "cannot read");
		ea_bolt_close(b);
		return EA_EIO;
	}
	parse_meta(buf, got, 0, &b->meta[0]);
	/* page size: meta 0 if valid, else probe for a valid meta 1 (bbolt 1.3.7+), else meta 0's
	 * field if plausible, else 4096 */
	uint32_t ps = 0;
	if (b->meta[0].valid && plausible_psize(b->meta[0].page_size)) ps = b->meta[0].page_size;
	if (!ps) {
		for (int i = 0; i <= 14 && !ps; i++) {
			uint64_t off = 1024ull << i;
			if (off + 80 > b->size) break;
			ea_bolt_meta m;
			uint8_t mb[80];
			long g = rd(b, mb, sizeof mb, off);
			parse_meta(mb, g, 1, &m);
			if (m.valid && m.page_size == off) ps = (uint32_t)off;
		}
	}
	if (!ps && b->meta[0].readable && plausible_psize(b->meta[0].page_size)) ps = b->meta[0].page_size;
	if (!ps) ps = 4096;
	b->psize = ps;
	got = rd(b, buf, sizeof buf, ps);
	if (got < 0) {
		ea__set_error(err, EA_EIO, EA_LAYER_BOLT, b->file, ps, "cannot read");
		ea_bolt_close(b);
		return EA_EIO;
	}
	parse_meta(buf, got, 1, &b->meta[1]);
	if (b->meta[1].valid && b->meta[1].page_size != ps) {
		b->meta[1].valid = 0;
		b->meta[1].invalid_reason = "page size differs from meta 0";
	}
	if (b->meta[0].valid && b->meta[0].page_size != ps) {
		b->meta[0].valid = 0;
		b->meta[0].invalid_reason = "page size differs from the probed one";
	}

	const ea_bolt_meta *m0 = &b->meta[0], *m1 = &b->meta[1];
	if (!m0->valid && !m1->valid) {
		ea__set_error(err, EA_ECORRUPT, EA_LAYER_BOLT, b->file, 0,
		              "not a valid bbolt file: meta page 0 %s, meta page 1 %s",
		              m0->invalid_reason, m1->invalid_reason);
		ea_bolt_close(b);
		return EA_ECORRUPT;
	}
	/* bbolt: the meta with the higher txid if valid, else the other */
	int hi = m1->txid > m0->txid ? 1 : 0;
	if (!m0->readable || !m1->readable) hi = m0->readable ? 0 : 1;
	int used = b->meta[hi].valid ? hi : 1 - hi;
	b->used = used;
	if (used != hi) {
		problem(b, EA_SEV_WARNING, "meta-fallback", (uint64_t)hi * ps, META_END,
		        "meta page %d (txid %" PRIu64 ") is invalid (%s); falling back to meta page %d "
		        "(txid %" PRIu64 "), as bbolt does: the last committed transaction is lost",
		        hi, b->meta[hi].txid, b->meta[hi].invalid_reason, used, b->meta[used].txid);
	} else if (!b->meta[1 - used].valid) {
		problem(b, EA_SEV_ERROR, "meta-invalid", (uint64_t)(1 - used) * ps, META_END,
		        "meta page %d is invalid (%s); meta page %d (txid %" PRIu64 ") is in use",
		        1 - used, b->meta[1 - used].invalid_reason, used, b->meta[used].txid);
	}
	b->pgid = b->meta[used].pgid;
	uint64_t file_pages = b->size / ps;
	b->npages = b->pgid < file_pages ? b->pgid : file_pages;
	if (b->pgid < 2) {
		problem(b, EA_SEV_ERROR, "pgid-invalid", (uint64_t)used * ps + 56, 8,
		        "meta page %d: high-water mark pgid %" PRIu64 " is below 2", used, b->pgid);
	}
	if (b->pgid > file_pages) {
		problem(b, EA_SEV_ERROR, "truncated", b->size, 0,
		        "file holds %" PRIu64 " pages of %u bytes but meta page %d says %" PRIu64
		        " are in use: pages %" PRIu64 "..%" PRIu64 " are missing (truncated copy?)",
		        file_pages, ps, used, b->pgid, file_pages, b->pgid - 1);
	}
	/* bbolt grows a file in whole pages; a tail of less than a page that is not a backup's
	 * SHA-256 trailer is a cut (a truncated backup, or a trailer cut short) */
	uint64_t tail = b->size % ps;
	if (tail && b->size % 512 != 32 && b->pgid <= file_pages)
		problem(b, EA_SEV_WARNING, "partial-page", b->size - tail, tail,
		        "the file ends %" PRIu64 " bytes into a page: a bbolt file is whole pages and a "
		        "snapshot backup's trailer is 32 bytes, so the copy was cut short", tail);
	*out = b;
	return EA_OK;
}

void ea_bolt_close(ea_bolt *b)
{
	if (!b) return;
	for (size_t i = 0; i < b->nproblems; i++) ea_problem_owned_free(&b->problems[i]);
	free(b->problems);
	free(b->seen);
	free(b->state);
	ea__pagemap_side_free(&b->side);
	for (size_t i = 0; i < b->nbnames; i++) free(b->bnames[i]);
	free(b->bnames);
	free(b->file);
	lookup_cache_free(b->lc);
	free(b->trims);
	free(b);
}

/* ---- SHA-256 trailer ----------------------------------------------------------------------- */

int ea_bolt_trailer(ea_bolt *b, ea_bolt_trailer_state *state, uint8_t stored[32], uint8_t computed[32])
{
	*state = EA_BOLT_TRAILER_ABSENT;
	if (b->size < 32 || b->size % 512 != 32) return EA_OK;
	uint8_t st[32], cp[32];
	if (rd(b, st, 32, b->size - 32) != 32) return EA_EIO;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx) return EA_ENOMEM;
	int rc = EA_OK;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(ctx); return EA_ENOMEM; }
	size_t cap = 1u << 20;
	uint8_t *buf = malloc(cap);
	if (!buf) { EVP_MD_CTX_free(ctx); return EA_ENOMEM; }
	uint64_t end = b->size - 32;
	for (uint64_t off = 0; off < end;) {
		size_t want = end - off < cap ? (size_t)(end - off) : cap;
		long g = rd(b, buf, want, off);
		if (g <= 0) { rc = EA_EIO; break; }
		EVP_DigestUpdate(ctx, buf, (size_t)g);
		off += (uint64_t)g;
	}
	unsigned int n = 0;
	if (rc == EA_OK) EVP_DigestFinal_ex(ctx, cp, &n);
	EVP_MD_CTX_free(ctx);
	free(buf);
	if (rc) return rc;
	*state = memcmp(st, cp, 32) == 0 ? EA_BOLT_TRAILER_OK : EA_BOLT_TRAILER_MISMATCH;
	if (*state == EA_BOLT_TRAILER_MISMATCH)
		problem(b, EA_SEV_ERROR, "trailer-mismatch", b->size - 32, 32,
		        "the last 32 bytes are not the SHA-256 of the %" PRIu64 " bytes before them: the "
		        "snapshot file was changed or truncated after `etcdctl snapshot save`", end);
	if (stored) memcpy(stored, st, 32);
	if (computed) memcpy(computed, cp, 32);
	return EA_OK;
}

/* ---- page reading -------------------------------------------------------------------------- */

/* A walk's read-ahead: when it asks for the page right after the one it read last (leaves
 * written in key order, as a bulk-loaded or compacted db holds them), the next RA_BYTES are
 * read at once and the following pages come from that block; any other page is one pread,
 * so a walk over scattered pages reads no more than before. Same bytes either way.
 * Point lookups in key order (a replay checks revision after revision) skip a few pages
 * between leaves: for them (`ahead`) a page less than RA_BYTES / 2 past the last one counts. */
#define RA_BYTES (128u << 10)
typedef struct {
	uint8_t *buf;
	uint64_t off;        /* the block's file offset */
	size_t len;          /* bytes in the block (short at the end of the file) */
	uint64_t next;       /* file offset just past the last page read */
	int ahead;           /* a page a little past `next` is in sequence too (lookups) */
	ea__bc *bc;          /* the check's block cache (bolt_bc.c): used instead when set */
} readahead;

typedef struct {
	const uint8_t *p;    /* the node's bytes: into the mapping, or buf */
	uint8_t *buf;        /* owned read buffer (pread path) */
	size_t cap, len;     /* len = bytes of the node ((overflow + 1) * P, or less if short) */
	uint64_t id, off;    /* page id and file offset of p[0] */
	readahead *ra;       /* a walker's read-ahead, NULL: plain preads */
	int lookup;          /* read for a point lookup: a large node may be trimmed (trim_learn) */
	int pin;             /* p points into ra->bc's block pin - 1 (0: p is buf or the mapping) */
} pagebuf;

/* ea_input_pread() of len bytes at off, through ra when there is one */
static long node_pread(ea_bolt *b, readahead *ra, void *dst, size_t len, uint64_t off)
{
	if (ra && ra->bc && len <= EA__BC_BLOCK / 2) return ea__bc_pread(ra->bc, b->in, b->idx, dst, len, off);
	if (!ra || len > RA_BYTES / 2) return ea_input_pread(b->in, b->idx, dst, len, off);
	if (off < ra->off || off + len > ra->off + ra->len) {
		int seq = ra->next == off || (ra->ahead && ra->next && off > ra->next && off - ra->next < RA_BYTES / 2);
		ra->next = off + len;
		if (!seq || (!ra->buf && !(ra->buf = malloc(RA_BYTES)))) {
			ra->len = 0;
			return ea_input_pread(b->in, b->idx, dst, len, off);
		}
		long g = ea_input_pread(b->in, b->idx, ra->buf, RA_BYTES, off);
		if (g < 0) { ra->len = 0; return g; }
		ra->off = off;
		ra->len = (size_t)g;
	}
	size_t have = (size_t)(ra->off + ra->len - off);
	if (have > len) have = len;
	memcpy(dst, ra->buf + (off - ra->off), have);
	ra->next = off + len;
	return (long)have;
}

static int pb_reserve(pagebuf *pb, size_t n)
{
	if (pb->cap >= n) return 0;
	void *p = realloc(pb->buf, n);
	if (!p) return -1;
	pb->buf = p;
	pb->cap = n;
	return 0;
}

/* Who refers to a node, for problem messages: a fixed text, or "branch page P element E"
 * formatted only when a problem is reported (a walk follows one reference per page). */
typedef struct {
	const char *text;
	uint64_t page;
	uint32_t elem;
} noderef;

static const char *ref_str(const noderef *r, char *buf, size_t cap)
{
	if (r->text) return r->text;
	snprintf(buf, cap, "branch page %" PRIu64 " element %u", r->page, r->elem);
	return buf;
}

/* ---- overflow counts that claim more than the node holds ---- */

/* A point lookup reads a node of more than TRIM_MIN_BYTES anew each time (the lookup cache
 * keeps small ones only). bbolt sizes a node's overflow to its elements exactly, so a large
 * node whose elements end pages before its claimed span has a damaged overflow count: a
 * hostile file could make every lookup re-read up to MAX_NODE_BYTES. The first read is whole
 * and reports it; later lookups read only the pages the elements use, which gives them the
 * same elements (every in-bounds element stays in bounds, every other one stays out). */
#define TRIM_MIN_BYTES (64u << 10)
#define TRIM_MAX 1024              /* nodes remembered per handle; later ones are re-read */

struct trim_ent { uint64_t id, pages; };

/* Bytes of the node in p[0..len) that its elements use (len when the element array itself
 * does not fit: the lookups then clamp the count to len). */
static uint64_t node_used(const uint8_t *p, size_t len)
{
	uint16_t flags = le16(p + 8);
	uint64_t count = le16(p + 10);
	if (flags != EA_BOLT_BRANCH && flags != EA_BOLT_LEAF) return PAGE_HDR;   /* lookups stop at the header */
	uint64_t used = PAGE_HDR + count * ELEM_SIZE;
	if (used > len) return len;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t eo = PAGE_HDR + i * ELEM_SIZE;
		const uint8_t *e = p + eo;
		uint64_t end = flags == EA_BOLT_BRANCH ? eo + le32(e) + le32(e + 4)
		                                       : eo + le32(e + 4) + le32(e + 8) + le32(e + 12);
		if (end <= len && end > used) used = end;
	}
	return used;
}

/* Pages of node `id` a lookup reads: the remembered ones, else `span`. */
static uint64_t trim_find(ea_bolt *b, uint64_t id, uint64_t span)
{
	if (atomic_exchange_explicit(&b->trims_busy, 1, memory_order_acquire)) return span;
	for (size_t i = 0; i < b->ntrims; i++)
		if (b->trims[i].id == id) { span = b->trims[i].pages; break; }
	atomic_store_explicit(&b->trims_busy, 0, memory_order_release);
	return span;
}

/* After a lookup's whole read of a large node: report and remember it if its elements end
 * before its span. */
static void trim_learn(ea_bolt *b, const uint8_t *p, size_t len, uint64_t id, uint64_t span)
{
	uint64_t ps = b->psize, need = (node_used(p, len) + ps - 1) / ps;
	if (need < 1) need = 1;
	if (need >= span) return;
	if (atomic_exchange_explicit(&b->trims_busy, 1, memory_order_acquire)) return;
	problem(b, EA_SEV_ERROR, "overflow-inflated", id * ps + 12, 4,
	        "page %" PRIu64 ": overflow %u makes a %" PRIu64 "-page node but its elements end in its "
	        "first %" PRIu64 " page(s): the overflow count is damaged; lookups read only those",
	        id, le32(p + 12), span, need);
	if (b->ntrims < TRIM_MAX) {
		if (!b->trims) b->trims = malloc(TRIM_MAX * sizeof *b->trims);
		if (b->trims) b->trims[b->ntrims++] = (struct trim_ent){ id, need };
	}
	atomic_store_explicit(&b->trims_busy, 0, memory_order_release);
}

/* Reads page `id` with its overflow pages. `limit` = pages the node may span up to (pgid or
 * file pages). Returns 0 ok, 1 unreadable (problem reported), < 0 I/O/memory. `from` is the
 * file offset of the reference (for the problem), `what` describes it. */
/* Nodes are read with pread() into pb's buffer, not through the mapping: on the machines
 * measured (bench/), a page fault costs more than a 4 KiB copy, a walk in tree order faults
 * page by page, and the resident set stays one node per tree level (db check of a 258 MB db:
 * 0.19 s CPU and 8 MiB RSS by pread, 0.28 s and 40 MiB mapped). */
static int read_node(ea_bolt *b, pagebuf *pb, uint64_t id, uint64_t from, const noderef *ref)
{
	uint64_t ps = b->psize;
	char wb[96];
	if (id >= b->pgid) {
		const char *what = ref_str(ref, wb, sizeof wb);
		problem(b, EA_SEV_ERROR, "page-out-of-bounds", from, 8,
		        "%s refers to page %" PRIu64 ", beyond the high-water mark %" PRIu64, what, id, b->pgid);
		return 1;
	}
	if (id >= b->size / ps) {
		const char *what = ref_str(ref, wb, sizeof wb);
		problem(b, EA_SEV_ERROR, "page-beyond-eof", from != EA_NO_OFFSET ? from : id * ps, 8,
		        "%s refers to page %" PRIu64 " (byte %" PRIu64 "), which is beyond the end of the file "
		        "(%" PRIu64 " bytes)", what, id, id * ps, b->size);
		return 1;
	}
	if (pb->pin) { ea__bc_unpin(pb->ra->bc, pb->pin - 1); pb->pin = 0; }
	if (pb_reserve(pb, ps)) return EA_ENOMEM;
	long g;
	int slot;
	const uint8_t *q = pb->ra && pb->ra->bc && !pb->lookup
	                   ? ea__bc_peek(pb->ra->bc, b->in, b->idx, ps, id * ps, &slot) : NULL;
	if (q && le32(q + 12) == 0) {   /* a single-page node: walked in its cached block */
		pb->p = q;
		pb->len = (size_t)ps;
		pb->id = id;
		pb->off = id * ps;
		pb->pin = slot + 1;
		return 0;
	}
	if (q) {   /* overflow pages follow: in place too when the whole node is in the block */
		uint64_t sp = (uint64_t)le32(q + 12) + 1;
		uint64_t lim = b->pgid < b->size / ps ? b->pgid : b->size / ps;
		int slot2;
		const uint8_t *q2 = sp <= lim - id && sp * ps <= EA__BC_BLOCK
		                    ? ea__bc_peek(pb->ra->bc, b->in, b->idx, (size_t)(sp * ps), id * ps, &slot2) : NULL;
		if (q2) {
			ea__bc_unpin(pb->ra->bc, slot);
			pb->p = q2;
			pb->len = (size_t)(sp * ps);
			pb->id = id;
			pb->off = id * ps;
			pb->pin = slot2 + 1;
			return 0;
		}
	}
	if (q) {   /* else the node is copied whole, as below */
		memcpy(pb->buf, q, ps);
		ea__bc_unpin(pb->ra->bc, slot);
		g = (long)ps;
	} else {
		g = node_pread(b, pb->ra, pb->buf, ps, id * ps);
	}
	if (g < 0) return EA_EIO;
	if ((uint64_t)g < ps) {
		problem(b, EA_SEV_ERROR, "short-read", id * ps, ps, "page %" PRIu64 ": only %ld bytes readable", id, g);
		return 1;
	}
	uint32_t ovf = le32(pb->buf + 12);
	uint64_t span = (uint64_t)ovf + 1;
	uint64_t lim = b->pgid < b->size / ps ? b->pgid : b->size / ps;
	if (ovf && (span > lim - id)) {
		problem(b, EA_SEV_ERROR, "overflow-out-of-bounds", id * ps + 12, 4,
		        "page %" PRIu64 ": overflow %u runs past %s (page %" PRIu64 ")", id, ovf,
		        lim == b->pgid ? "the high-water mark" : "the end of the file", lim);
		span = lim - id;   /* read what exists; elements beyond are caught by bounds checks */
	}
	if (span * ps > MAX_NODE_BYTES) {
		problem(b, EA_SEV_ERROR, "node-too-large", id * ps + 12, 4,
		        "page %" PRIu64 ": overflow %u makes a %" PRIu64 "-byte node, beyond the %llu-byte "
		        "limit; not read", id, ovf, span * ps, MAX_NODE_BYTES);
		return 1;
	}
	pb->len = (size_t)ps;
	uint64_t whole = span;
	if (pb->lookup && span * ps > TRIM_MIN_BYTES) span = trim_find(b, id, span);
	if (span > 1) {
		if (pb_reserve(pb, (size_t)(span * ps))) return EA_ENOMEM;
		g = node_pread(b, pb->ra, pb->buf + ps, (size_t)((span - 1) * ps), (id + 1) * ps);
		if (g < 0) return EA_EIO;
		pb->len = (size_t)ps + (size_t)g;
	}
	if (pb->lookup && span == whole && span * ps > TRIM_MIN_BYTES) trim_learn(b, pb->buf, pb->len, id, span);
	pb->p = pb->buf;
	pb->id = id;
	pb->off = id * ps;
	return 0;
}

/* ---- tree walk ------------------------------------------------------------------------------ */

typedef struct walker walker;
struct walker {
	ea_bolt *b;
	const ea_bolt_bucket *bk;
	ea_bolt_kv_cb cb;
	void *payload;
	uint8_t *visited;        /* bitmap over npages */
	pagebuf frames[MAX_DEPTH + 1];
	readahead ra;            /* shared by the frames: one walk, one position in the file */
	uint8_t *last;           /* last leaf key yielded, for order checks */
	size_t last_len, last_cap;
	int have_last;
	int check;               /* check mode: mark pages, recurse into nested buckets */
	uint32_t bucket_idx;     /* check mode: owner index + 1 */
	int nest;
	int rc;                  /* callback stop value or error */
};

static int key_cmp(const uint8_t *a, size_t na, const uint8_t *b2, size_t nb)
{
	size_t n = na < nb ? na : nb;
	int c = n ? memcmp(a, b2, n) : 0;
	if (c) return c;
	return na < nb ? -1 : na > nb ? 1 : 0;
}

static uint32_t add_bucket_name(ea_bolt *b, const char *name)
{
	if (EA_VEC_GROW(b->bnames, b->bnames_cap, b->nbnames, 16)) return 0;
	char *s = strdup(name);
	if (!s) return 0;
	b->bnames[b->nbnames++] = s;
	return (uint32_t)b->nbnames;
}

static int walk_bucket_check(ea_bolt *b, const ea_bolt_bucket *bk, int nest);

static void print_key(char *out, size_t cap, const uint8_t *k, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		if (k[i] >= 0x20 && k[i] < 0x7f && k[i] != '\\') out[o++] = (char)k[i];
		else o += (size_t)snprintf(out + o, cap - o, "\\x%02x", k[i]);
	}
	if (o >= cap) o = cap - 1;
	out[o] = 0;
}

static void remember_last(walker *w, const uint8_t *key, size_t klen)
{
	if (klen > w->last_cap) {
		void *p = realloc(w->last, klen);
		if (p) { w->last = p; w->last_cap = klen; }
	}
	if (klen <= w->last_cap) {
		memcpy(w->last, key, klen);
		w->last_len = klen;
		w->have_last = 1;
	}
}

/* Is the leaf sound as a whole: every element in bounds with known flags and a key, keys
 * strictly increasing, after the previous leaf's last key and inside [lo, hi)? Then its
 * elements need no check one by one (n + 2 comparisons instead of 3n). */
static int leaf_sound(const walker *w, const uint8_t *buf, size_t len, uint32_t count,
                      const uint8_t *lo, size_t lolen, const uint8_t *hi, size_t hilen)
{
	if (count == 0 || PAGE_HDR + (uint64_t)count * ELEM_SIZE > len) return 0;
	const uint8_t *pk = NULL, *k = NULL;
	size_t pl = 0, kl = 0;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = buf + PAGE_HDR + (size_t)i * ELEM_SIZE;
		uint32_t fl = le32(e), pos = le32(e + 4), ks = le32(e + 8), vs = le32(e + 12);
		uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
		if (eo + pos + ks + vs > len || ks == 0 || (fl & ~1u)) return 0;
		k = buf + eo + pos;
		kl = ks;
		if (pk ? key_cmp(k, kl, pk, pl) <= 0
		       : (w->have_last && key_cmp(k, kl, w->last, w->last_len) <= 0) || (lo && key_cmp(k, kl, lo, lolen) < 0))
			return 0;
		pk = k;
		pl = kl;
	}
	return !hi || key_cmp(k, kl, hi, hilen) < 0;
}

/* Yield one leaf element (after bounds were checked). */
static void yield(walker *w, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                  uint32_t eflags, uint64_t page, uint32_t idx, uint64_t eoff, uint64_t voff,
                  const uint8_t *lo, size_t lolen, const uint8_t *hi, size_t hilen, int ordered)
{
	ea_bolt *b = w->b;
	if (ordered) {
		/* walk_leaf verified this element's order and range already */
	} else if (w->have_last && key_cmp(key, klen, w->last, w->last_len) <= 0) {
		char kb[96], lb[96];
		print_key(kb, sizeof kb, key, klen > 40 ? 40 : klen);
		print_key(lb, sizeof lb, w->last, w->last_len > 40 ? 40 : w->last_len);
		problem(b, EA_SEV_ERROR, "key-order", eoff, ELEM_SIZE,
		        "page %" PRIu64 " element %u in bucket '%s': key \"%s\" is not after the previous "
		        "key \"%s\"", page, idx, w->bk->name, kb, lb);
	} else if ((lo && key_cmp(key, klen, lo, lolen) < 0) || (hi && key_cmp(key, klen, hi, hilen) >= 0)) {
		char kb[96];
		print_key(kb, sizeof kb, key, klen > 40 ? 40 : klen);
		problem(b, EA_SEV_ERROR, "key-order", eoff, ELEM_SIZE,
		        "page %" PRIu64 " element %u in bucket '%s': key \"%s\" lies outside the range "
		        "its parent branch assigns to this page", page, idx, w->bk->name, kb);
	}
	if (!ordered) remember_last(w, key, klen);
	if (w->check) {
		b->chk.keys += !(eflags & 1);
		if (eflags & 1) {
			ea_bolt_kv kv = { key, klen, val, vlen, 1, page, idx, eoff, voff, -1 };
			ea_bolt_bucket nb;
			if (ea_bolt_bucket_from_kv(b, w->bk, &kv, &nb) == EA_OK) {
				if (w->nest + 1 >= MAX_NEST) {
					problem(b, EA_SEV_ERROR, "bucket-too-deep", eoff, ELEM_SIZE,
					        "page %" PRIu64 " element %u: buckets nested deeper than %d", page, idx, MAX_NEST);
				} else {
					int r = walk_bucket_check(b, &nb, w->nest + 1);
					if (r < 0) w->rc = r;
				}
				ea_bolt_bucket_close(&nb);
			}
		}
		if (!w->cb || w->rc) return;
		/* a check visit: the walk goes on whatever the hook says, unless it fails */
		ea_bolt_kv kv = { key, klen, val, vlen, (int)(eflags & 1), page, idx, eoff, voff, -1 };
		int r = w->cb(&kv, w->payload);
		if (r < 0) w->rc = r;
		else if (r > 0) w->cb = NULL;
		return;
	}
	if (w->cb && !w->rc) {
		ea_bolt_kv kv = { key, klen, val, vlen, (int)(eflags & 1), page, idx, eoff, voff, -1 };
		w->rc = w->cb(&kv, w->payload);
	}
}

/* Parse leaf elements in buf[0..len) (a page or an inline pseudo-page). */
static void walk_leaf(walker *w, const uint8_t *buf, size_t len, uint64_t page, uint64_t base_off,
                      const uint8_t *lo, size_t lolen, const uint8_t *hi, size_t hilen)
{
	ea_bolt *b = w->b;
	uint32_t count = le16(buf + 10);
	if (leaf_sound(w, buf, len, count, lo, lolen, hi, hilen)) {
		const uint8_t *k = NULL;
		uint32_t ks = 0;
		for (uint32_t i = 0; i < count && !w->rc; i++) {
			const uint8_t *e = buf + PAGE_HDR + (size_t)i * ELEM_SIZE;
			uint32_t fl = le32(e), pos = le32(e + 4), vs = le32(e + 12);
			uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
			ks = le32(e + 8);
			k = buf + eo + pos;
			yield(w, k, ks, k + ks, vs, fl, page, i, base_off + eo, base_off + eo + pos + ks, lo, lolen, hi,
			      hilen, 1);
		}
		if (k) remember_last(w, k, ks);
		return;
	}
	if (PAGE_HDR + (uint64_t)count * ELEM_SIZE > len) {
		uint32_t fit = (uint32_t)((len - PAGE_HDR) / ELEM_SIZE);
		problem(b, EA_SEV_ERROR, "element-overrun", base_off + 10, 2,
		        "page %" PRIu64 " (bucket '%s'): %u leaf elements do not fit in %zu bytes; reading %u",
		        page, w->bk->name, count, len, fit);
		count = fit;
	}
	for (uint32_t i = 0; i < count && !w->rc; i++) {
		const uint8_t *e = buf + PAGE_HDR + (size_t)i * ELEM_SIZE;
		uint32_t fl = le32(e), pos = le32(e + 4), ks = le32(e + 8), vs = le32(e + 12);
		uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
		uint64_t eoff = base_off + eo;
		if (eo + pos + ks + vs > len) {
			problem(b, EA_SEV_ERROR, "element-overrun", eoff, ELEM_SIZE,
			        "page %" PRIu64 " element %u (bucket '%s'): pos %u + ksize %u + vsize %u runs past "
			        "the %zu-byte page", page, i, w->bk->name, pos, ks, vs, len);
			continue;
		}
		if (ks == 0) {
			problem(b, EA_SEV_ERROR, "empty-key", eoff, ELEM_SIZE,
			        "page %" PRIu64 " element %u (bucket '%s'): empty key", page, i, w->bk->name);
			continue;
		}
		if (fl & ~1u) {
			problem(b, EA_SEV_WARNING, "element-flags", eoff, 4,
			        "page %" PRIu64 " element %u (bucket '%s'): unknown flags 0x%x", page, i, w->bk->name, fl);
		}
		const uint8_t *k = buf + eo + pos;
		yield(w, k, ks, k + ks, vs, fl, page, i, eoff, base_off + eo + pos + ks, lo, lolen, hi, hilen, 0);
	}
}

static int mark_pages(walker *w, uint64_t id, uint64_t span, uint64_t from)
{
	ea_bolt *b = w->b;
	/* buckets get their index when they first own a page: the few that do get the small ones */
	if (!w->bucket_idx) w->bucket_idx = add_bucket_name(b, w->bk->name[0] ? w->bk->name : "(root)");
	uint8_t own = (uint8_t)((w->bucket_idx < OWNER_SIDE ? w->bucket_idx : OWNER_SIDE) << OWNER_SHIFT);
	int rc = 0;
	uint64_t p = id;
	for (; p < id + span && p < b->npages; p++) {
		uint8_t *st = &b->state[p];
		if (*st & ST_REACHABLE) {
			problem(b, EA_SEV_ERROR, "multiple-references", p * b->psize, b->psize,
			        "page %" PRIu64 ": multiple references (again from bucket '%s', reference at offset %" PRIu64 ")",
			        p, w->bk->name, from);
			rc = 1;
			break;
		}
		*st |= ST_REACHABLE;
		if (p != id) *st |= ST_CONT;
		*st = (uint8_t)((*st & ((1u << OWNER_SHIFT) - 1)) | own);
		if (*st & ST_FREE)
			problem(b, EA_SEV_ERROR, "reachable-freed", p * b->psize, b->psize,
			        "page %" PRIu64 ": reachable from bucket '%s' but in the free set", p, w->bk->name);
	}
	if (p > id + 1 && ea__pagemap_add_run(&b->side, id, p)) return EA_ENOMEM;
	if (p > id && w->bucket_idx >= OWNER_SIDE && ea__pagemap_add_owner(&b->side, id, w->bucket_idx))
		return EA_ENOMEM;
	return rc;
}

static void walk_node(walker *w, uint64_t id, int depth, uint64_t from, const noderef *ref,
                      const uint8_t *lo, size_t lolen, const uint8_t *hi, size_t hilen)
{
	ea_bolt *b = w->b;
	char wb[96];
	if (w->rc) return;
	if (depth > MAX_DEPTH) {
		problem(b, EA_SEV_ERROR, "tree-too-deep", from, 8,
		        "bucket '%s': tree deeper than %d levels at page %" PRIu64 " (a reference cycle?)",
		        w->bk->name, MAX_DEPTH, id);
		return;
	}
	if (id < 2 && id < b->pgid) {
		problem(b, EA_SEV_ERROR, "page-type", from, 8,
		        "%s refers to meta page %" PRIu64, ref_str(ref, wb, sizeof wb), id);
		return;
	}
	if (id < b->npages) {
		if (w->visited[id / 8] & (1u << (id % 8))) {
			problem(b, EA_SEV_ERROR, "cycle", from, 8,
			        "%s refers to page %" PRIu64 " which this walk of bucket '%s' already visited "
			        "(reference cycle or shared page); not followed", ref_str(ref, wb, sizeof wb), id,
			        w->bk->name);
			return;
		}
		w->visited[id / 8] |= (uint8_t)(1u << (id % 8));
	}
	pagebuf *pb = &w->frames[depth];
	int r = read_node(b, pb, id, from, ref);
	if (r < 0) { w->rc = r; return; }
	if (r > 0) return;
	const uint8_t *buf = pb->p;
	size_t len = pb->len;
	uint64_t hid = le64(buf);
	uint16_t flags = le16(buf + 8);
	uint64_t span = (len + b->psize - 1) / b->psize;
	if (w->check) {
		int m = mark_pages(w, id, span, from);
		if (m < 0) w->rc = m;
		if (m) return;
	}
	if (hid != id)
		problem(b, EA_SEV_ERROR, "page-id-mismatch", pb->off, 8,
		        "page %" PRIu64 ": header says page %" PRIu64 " (stale or misplaced page)", id, hid);
	if (flags == EA_BOLT_LEAF) {
		walk_leaf(w, buf, len, id, pb->off, lo, lolen, hi, hilen);
		return;
	}
	if (flags != EA_BOLT_BRANCH) {
		problem(b, EA_SEV_ERROR, "page-type", pb->off + 8, 2,
		        "page %" PRIu64 " (bucket '%s'): invalid page type 0x%02x, expected branch or leaf",
		        id, w->bk->name, flags);
		return;
	}
	uint32_t count = le16(buf + 10);
	if (count == 0)
		problem(b, EA_SEV_ERROR, "empty-branch", pb->off + 10, 2,
		        "branch page %" PRIu64 " (bucket '%s') has no elements", id, w->bk->name);
	if (PAGE_HDR + (uint64_t)count * ELEM_SIZE > len) {
		uint32_t fit = (uint32_t)((len - PAGE_HDR) / ELEM_SIZE);
		problem(b, EA_SEV_ERROR, "element-overrun", pb->off + 10, 2,
		        "page %" PRIu64 " (bucket '%s'): %u branch elements do not fit in %zu bytes; reading %u",
		        id, w->bk->name, count, len, fit);
		count = fit;
	}
	/* validate all elements first so each child gets its key range */
	const uint8_t *pkey = NULL;
	size_t plen = 0;
	for (uint32_t i = 0; i < count && !w->rc; i++) {
		const uint8_t *e = buf + PAGE_HDR + (size_t)i * ELEM_SIZE;
		uint32_t pos = le32(e), ks = le32(e + 4);
		uint64_t child = le64(e + 8);
		uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
		uint64_t eoff = pb->off + eo;
		if (eo + pos + ks > len || ks == 0) {
			problem(b, EA_SEV_ERROR, "element-overrun", eoff, ELEM_SIZE,
			        "branch page %" PRIu64 " element %u (bucket '%s'): pos %u + ksize %u %s",
			        id, i, w->bk->name, pos, ks, ks ? "runs past the page" : "is an empty key");
			continue;
		}
		const uint8_t *k = buf + eo + pos;
		if (pkey && key_cmp(k, ks, pkey, plen) <= 0)
			problem(b, EA_SEV_ERROR, "key-order", eoff, ELEM_SIZE,
			        "branch page %" PRIu64 " element %u (bucket '%s'): key not after the previous one",
			        id, i, w->bk->name);
		pkey = k;
		plen = ks;
		/* upper bound = next valid element's key, else the parent's */
		const uint8_t *nk = hi;
		size_t nl = hilen;
		for (uint32_t j = i + 1; j < count; j++) {
			const uint8_t *e2 = buf + PAGE_HDR + (size_t)j * ELEM_SIZE;
			uint32_t p2 = le32(e2), k2 = le32(e2 + 4);
			uint64_t eo2 = PAGE_HDR + (uint64_t)j * ELEM_SIZE;
			if (k2 && eo2 + p2 + k2 <= len) { nk = buf + eo2 + p2; nl = k2; break; }
		}
		/* a branch key is the first key of its child: keys in the child must be >= it */
		const uint8_t *clo = k;
		size_t cll = ks;
		if (lo && key_cmp(k, ks, lo, lolen) < 0) { clo = lo; cll = lolen; }
		noderef cref = { NULL, id, i };
		walk_node(w, child, depth + 1, eoff + 8, &cref, clo, cll, nk, nl);
	}
}

static walker *walker_new(ea_bolt *b, const ea_bolt_bucket *bk, ea_bolt_kv_cb cb, void *payload)
{
	walker *w = calloc(1, sizeof *w);
	if (!w) return NULL;
	w->b = b;
	w->bk = bk;
	w->cb = cb;
	w->payload = payload;
	w->visited = calloc(b->npages / 8 + 1, 1);
	if (!w->visited) { free(w); return NULL; }
	for (int i = 0; i <= MAX_DEPTH; i++) w->frames[i].ra = &w->ra;
	return w;
}

static void walker_free(walker *w)
{
	if (!w) return;
	for (int i = 0; i <= MAX_DEPTH; i++) {
		if (w->frames[i].pin) ea__bc_unpin(w->ra.bc, w->frames[i].pin - 1);
		free(w->frames[i].buf);
	}
	free(w->ra.buf);
	free(w->visited);
	free(w->last);
	free(w);
}

static int walk_bucket(walker *w)
{
	const ea_bolt_bucket *bk = w->bk;
	if (bk->root == 0) {
		if (!bk->inline_page || bk->inline_len < PAGE_HDR) return 0;
		uint16_t fl = le16(bk->inline_page + 8);
		if (fl != EA_BOLT_LEAF) {
			problem(w->b, EA_SEV_ERROR, "page-type", bk->inline_offset + 8, 2,
			        "inline bucket '%s': pseudo-page type 0x%02x, expected leaf", bk->name, fl);
			return 0;
		}
		walk_leaf(w, bk->inline_page, bk->inline_len, 0, bk->inline_offset, NULL, 0, NULL, 0);
		return w->rc;
	}
	char what[300];
	snprintf(what, sizeof what, "bucket '%s' root", bk->name);
	noderef ref = { what, 0, 0 };
	walk_node(w, bk->root, 0, bk->inline_offset, &ref, NULL, 0, NULL, 0);
	return w->rc;
}

int ea_bolt_foreach(ea_bolt *b, const ea_bolt_bucket *bk, ea_bolt_kv_cb cb, void *payload)
{
	walker *w = walker_new(b, bk, cb, payload);
	if (!w) return EA_ENOMEM;
	int rc = walk_bucket(w);
	walker_free(w);
	return rc;
}

/* ---- buckets ----------------------------------------------------------------------------- */

int ea_bolt_root_bucket(ea_bolt *b, ea_bolt_bucket *out)
{
	memset(out, 0, sizeof *out);
	out->root = b->meta[b->used].root;
	out->sequence = b->meta[b->used].root_sequence;
	out->inline_offset = (uint64_t)b->used * b->psize + 32;   /* where the root id is stored */
	if (out->root == 0)
		problem(b, EA_SEV_ERROR, "root-invalid", out->inline_offset, 8,
		        "meta page %d: root bucket page is 0", b->used);
	return EA_OK;
}

int ea_bolt_bucket_from_kv(ea_bolt *b, const ea_bolt_bucket *parent, const ea_bolt_kv *kv,
                           ea_bolt_bucket *out)
{
	memset(out, 0, sizeof *out);
	size_t pl = parent && parent->name[0] ? strlen(parent->name) : 0;
	if (pl) {
		if (pl > sizeof out->name - 2) pl = sizeof out->name - 2;
		memcpy(out->name, parent->name, pl);
		out->name[pl] = '/';
		out->name[pl + 1] = 0;
	}
	size_t o = strlen(out->name);
	for (size_t i = 0; i < kv->key_len && o + 5 < sizeof out->name; i++) {
		uint8_t c = kv->key[i];
		if (c >= 0x20 && c < 0x7f) out->name[o++] = (char)c;
		else o += (size_t)snprintf(out->name + o, sizeof out->name - o, "\\x%02x", c);
	}
	out->name[o < sizeof out->name ? o : sizeof out->name - 1] = 0;
	if (!kv->is_bucket || kv->value_len < 16) {
		problem(b, EA_SEV_ERROR, "bucket-value-invalid", kv->offset, ELEM_SIZE,
		        "page %" PRIu64 " element %u: bucket '%s' has a %zu-byte value (needs >= 16)",
		        kv->page, kv->index, out->name, kv->value_len);
		return EA_ECORRUPT;
	}
	out->root = le64(kv->value);
	out->sequence = le64(kv->value + 8);
	out->inline_offset = kv->value_offset == EA_NO_OFFSET ? EA_NO_OFFSET : kv->value_offset + 16;
	if (out->root == 0) {
		out->inline_len = kv->value_len - 16;
		if (out->inline_len < PAGE_HDR) {
			problem(b, EA_SEV_ERROR, "bucket-value-invalid", kv->offset, ELEM_SIZE,
			        "page %" PRIu64 " element %u: inline bucket '%s' too short (%zu bytes)",
			        kv->page, kv->index, out->name, kv->value_len);
			out->inline_len = 0;
			return EA_ECORRUPT;
		}
		out->inline_page = malloc(out->inline_len);
		if (!out->inline_page) return EA_ENOMEM;
		memcpy(out->inline_page, kv->value + 16, out->inline_len);
	}
	return EA_OK;
}

typedef struct {
	const uint8_t *name;
	size_t len;
	ea_bolt *b;
	const ea_bolt_bucket *parent;
	ea_bolt_bucket *out;
	int found;
	int rc;
} find_ctx;

static int find_cb(const ea_bolt_kv *kv, void *payload)
{
	find_ctx *f = payload;
	if (kv->key_len != f->len || memcmp(kv->key, f->name, f->len) != 0) return 0;
	if (!kv->is_bucket) return 0;
	f->rc = ea_bolt_bucket_from_kv(f->b, f->parent, kv, f->out);
	f->found = 1;
	return 1;
}

int ea_bolt_bucket_open(ea_bolt *b, const ea_bolt_bucket *parent, const void *name, size_t len,
                        ea_bolt_bucket *out)
{
	ea_bolt_bucket root;
	if (!parent) {
		ea_bolt_root_bucket(b, &root);
		parent = &root;
	}
	find_ctx f = { name, len, b, parent, out, 0, 0 };
	memset(out, 0, sizeof *out);
	int rc = ea_bolt_get(b, parent, name, len, find_cb, &f);
	if (rc < 0 && rc != EA_ENOTFOUND) return rc;
	if (!f.found) {
		/* the descent may miss it in a damaged tree: fall back to a full scan */
		rc = ea_bolt_foreach(b, parent, find_cb, &f);
		if (rc < 0) return rc;
	}
	if (!f.found) return EA_ENOTFOUND;
	return f.rc;
}

void ea_bolt_bucket_close(ea_bolt_bucket *bk)
{
	free(bk->inline_page);
	bk->inline_page = NULL;
	bk->inline_len = 0;
}

/* ---- point lookup ----------------------------------------------------------------------- */

/* Lookups come in runs over neighbouring keys (a replay looks revisions up in order, each one
 * more than once), so the nodes of the last descent are kept, one per depth, and a descent
 * reads only the nodes that differ from the previous one's (a pread per node per lookup was
 * most of `export`'s time). Nodes over LOOKUP_KEEP_BYTES go to the caller's buffer, unkept.
 * The cache belongs to one caller at a time: another thread looking up meanwhile reads
 * without it. A re-read node's problems are the ones already recorded (dedup by kind and
 * offset), so the list is the same with or without the cache. */
#define LOOKUP_KEEP_BYTES (64u << 10)

typedef struct { uint64_t id; int ok; pagebuf pb; } kept_node;
struct lookup_cache { kept_node lv[MAX_DEPTH + 1]; readahead ra; };

static struct lookup_cache *lookup_cache_take(ea_bolt *b)
{
	if (atomic_exchange_explicit(&b->lc_busy, 1, memory_order_acquire)) return NULL;
	if (!b->lc && !(b->lc = calloc(1, sizeof *b->lc))) {
		atomic_store_explicit(&b->lc_busy, 0, memory_order_release);
		return NULL;
	}
	b->lc->ra.ahead = 1;
	return b->lc;
}

static void lookup_cache_give(ea_bolt *b, struct lookup_cache *lc)
{
	if (lc) atomic_store_explicit(&b->lc_busy, 0, memory_order_release);
}

static void lookup_cache_free(struct lookup_cache *lc)
{
	for (int d = 0; lc && d <= MAX_DEPTH; d++) free(lc->lv[d].pb.buf);
	if (lc) free(lc->ra.buf);
	free(lc);
}

/* The node `id` at `depth` of a descent: the kept one if it is that node, else read (into the
 * cache's level, or `own` without a cache or for a large node). read_node's return value. */
static int lookup_node(ea_bolt *b, struct lookup_cache *lc, int depth, pagebuf *own, uint64_t id,
                       const pagebuf **out)
{
	noderef ref = { "lookup", 0, 0 };
	if (!lc) {
		*out = own;
		return read_node(b, own, id, EA_NO_OFFSET, &ref);
	}
	kept_node *l = &lc->lv[depth];
	if (l->ok && l->id == id) { *out = &l->pb; return 0; }
	l->ok = 0;
	if (l->pb.cap > LOOKUP_KEEP_BYTES) { free(l->pb.buf); memset(&l->pb, 0, sizeof l->pb); }
	l->pb.lookup = 1;
	l->pb.ra = &lc->ra;   /* one read-ahead for the cache: lookups in key order read leaves ahead */
	int r = read_node(b, &l->pb, id, EA_NO_OFFSET, &ref);
	if (r == 0 && l->pb.cap > LOOKUP_KEEP_BYTES) {
		/* too large to keep: hand it over to the caller's buffer */
		free(own->buf);
		*own = l->pb;
		memset(&l->pb, 0, sizeof l->pb);
		*out = own;
		return 0;
	}
	if (r == 0) { l->ok = 1; l->id = id; }
	*out = &l->pb;
	return r;
}

int ea_bolt_get(ea_bolt *b, const ea_bolt_bucket *bk, const void *key, size_t len,
                ea_bolt_kv_cb cb, void *payload)
{
	const uint8_t *kk = key;
	if (bk->root == 0) {
		if (!bk->inline_page || bk->inline_len < PAGE_HDR) return EA_ENOTFOUND;
		const uint8_t *buf = bk->inline_page;
		uint32_t count = le16(buf + 10);
		for (uint32_t i = 0; i < count; i++) {
			uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
			if (eo + ELEM_SIZE > bk->inline_len) break;
			const uint8_t *e = buf + eo;
			uint32_t fl = le32(e), pos = le32(e + 4), ks = le32(e + 8), vs = le32(e + 12);
			if (eo + pos + ks + vs > bk->inline_len) continue;
			if (key_cmp(buf + eo + pos, ks, kk, len) == 0) {
				ea_bolt_kv kv = { buf + eo + pos, ks, buf + eo + pos + ks, vs, (int)(fl & 1), 0, i,
				                  bk->inline_offset + eo, bk->inline_offset + eo + pos + ks, -1 };
				int r = cb(&kv, payload);
				return r < 0 ? r : EA_OK;
			}
		}
		return EA_ENOTFOUND;
	}
	pagebuf own = { .lookup = 1 };
	const pagebuf *nd = NULL;
	struct lookup_cache *lc = lookup_cache_take(b);
	uint64_t id = bk->root;
	int rc = EA_ENOTFOUND;
	for (int depth = 0; depth <= MAX_DEPTH; depth++) {
		int r = lookup_node(b, lc, depth, &own, id, &nd);
		if (r < 0) { rc = r; break; }
		if (r > 0) break;
		uint16_t flags = le16(nd->p + 8);
		uint32_t count = le16(nd->p + 10);
		if (PAGE_HDR + (uint64_t)count * ELEM_SIZE > nd->len) count = (uint32_t)((nd->len - PAGE_HDR) / ELEM_SIZE);
		if (flags == EA_BOLT_LEAF) {
			/* binary search, tolerant: fall back to linear on damaged elements */
			for (uint32_t i = 0; i < count; i++) {
				uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
				const uint8_t *e = nd->p + eo;
				uint32_t fl = le32(e), pos = le32(e + 4), ks = le32(e + 8), vs = le32(e + 12);
				if (eo + pos + ks + vs > nd->len) continue;
				if (key_cmp(nd->p + eo + pos, ks, kk, len) == 0) {
					ea_bolt_kv kv = { nd->p + eo + pos, ks, nd->p + eo + pos + ks, vs, (int)(fl & 1),
					                  id, i, nd->off + eo, nd->off + eo + pos + ks, -1 };
					int cr = cb(&kv, payload);
					rc = cr < 0 ? cr : EA_OK;
					break;
				}
			}
			break;
		}
		if (flags != EA_BOLT_BRANCH) break;
		/* last element whose key <= wanted key */
		uint64_t next = 0;
		int have = 0;
		uint32_t lo = 0, hi = count;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			uint64_t eo = PAGE_HDR + (uint64_t)mid * ELEM_SIZE;
			const uint8_t *e = nd->p + eo;
			uint32_t pos = le32(e), ks = le32(e + 4);
			if (eo + pos + ks > nd->len) { hi = mid; continue; }
			if (key_cmp(nd->p + eo + pos, ks, kk, len) <= 0) { next = le64(e + 8); have = 1; lo = mid + 1; }
			else hi = mid;
		}
		if (!have && count) next = le64(nd->p + PAGE_HDR + 8);
		if (!count || next == id) break;
		id = next;
	}
	lookup_cache_give(b, lc);
	free(own.buf);
	return rc;
}

int ea_bolt_get_at(ea_bolt *b, uint64_t page, uint32_t index, const void *key, size_t len,
                   ea_bolt_kv_cb cb, void *payload)
{
	pagebuf pb = { .lookup = 1 };
	noderef ref = { "lookup", 0, 0 };
	int rc = EA_ENOTFOUND;
	int r = read_node(b, &pb, page, EA_NO_OFFSET, &ref);
	if (r < 0) rc = r;
	if (r == 0 && le16(pb.p + 8) == EA_BOLT_LEAF && index < le16(pb.p + 10)) {
		uint64_t eo = PAGE_HDR + (uint64_t)index * ELEM_SIZE;
		const uint8_t *e = pb.p + eo;
		if (eo + ELEM_SIZE <= pb.len) {
			uint32_t fl = le32(e), pos = le32(e + 4), ks = le32(e + 8), vs = le32(e + 12);
			if (eo + pos + ks + vs <= pb.len && key_cmp(pb.p + eo + pos, ks, key, len) == 0) {
				ea_bolt_kv kv = { pb.p + eo + pos, ks, pb.p + eo + pos + ks, vs, (int)(fl & 1),
				                  page, index, pb.off + eo, pb.off + eo + pos + ks, -1 };
				int cr = cb(&kv, payload);
				rc = cr < 0 ? cr : EA_OK;
			}
		}
	}
	free(pb.buf);
	return rc;
}

/* ---- check -------------------------------------------------------------------------------- */

static int walk_bucket_check(ea_bolt *b, const ea_bolt_bucket *bk, int nest)
{
	if (bk->root == 0) {
		/* Inline buckets have no page for mark_pages to claim, and leaf elements may overlap:
		 * N elements sharing one inline bucket that shares one nested inline bucket ... would
		 * be N^MAX_NEST walks. In a sound file sibling inline buckets are disjoint, so no byte
		 * lies in more than MAX_NEST of them, and a bucket's cost (inline_len >= PAGE_HDR) is at
		 * most twice its bytes: past 2 x MAX_NEST x the file, stop following them. */
		uint64_t cost = (uint64_t)bk->inline_len + PAGE_HDR;
		if (b->inline_walked + cost > 2u * MAX_NEST * (b->size + PAGE_HDR)) {
			uint64_t off = bk->inline_offset != EA_NO_OFFSET && bk->inline_offset >= 16 ? bk->inline_offset - 16 : 0;
			problem(b, EA_SEV_ERROR, "inline-overlap", off, 16 + (uint64_t)bk->inline_len,
			        "inline bucket '%s' overlaps other inline buckets (inline bucket bytes walked more "
			        "than %d times over); not followed", bk->name, 2 * MAX_NEST);
			return 0;
		}
		b->inline_walked += cost;
	}
	b->chk.buckets++;
	if (bk->root == 0) b->chk.inline_buckets++;
	walker *w = walker_new(b, bk, NULL, NULL);
	if (!w) return EA_ENOMEM;
	w->check = 1;
	w->nest = nest;
	w->ra.bc = b->bc;
	if (b->hook_cb && nest == 1 && strcmp(bk->name, b->hook_bucket) == 0) {
		w->cb = b->hook_cb;
		w->payload = b->hook_payload;
	}
	int rc = walk_bucket(w);
	walker_free(w);
	return rc < 0 ? rc : 0;
}

static int read_freelist(ea_bolt *b)
{
	const ea_bolt_meta *m = &b->meta[b->used];
	uint64_t ps = b->psize;
	pagebuf pb = { 0 };
	uint64_t fid = m->freelist;
	noderef ref = { "meta freelist field", 0, 0 };
	int r = read_node(b, &pb, fid, (uint64_t)b->used * ps + 48, &ref);
	if (r != 0) { free(pb.buf); return 0; }
	uint64_t span = (pb.len + ps - 1) / ps, p = fid;
	for (; p < fid + span && p < b->npages; p++) {
		if (b->state[p] & (ST_FREELIST | ST_REACHABLE))
			problem(b, EA_SEV_ERROR, "multiple-references", p * ps, ps,
			        "page %" PRIu64 ": freelist page already referenced", p);
		b->state[p] |= ST_FREELIST | ST_REACHABLE;
		if (p != fid) b->state[p] |= ST_CONT;
	}
	if (p > fid + 1 && ea__pagemap_add_run(&b->side, fid, p)) { free(pb.buf); return EA_ENOMEM; }
	uint16_t flags = le16(pb.p + 8);
	if (flags != EA_BOLT_FREELIST) {
		problem(b, EA_SEV_ERROR, "page-type", pb.off + 8, 2,
		        "page %" PRIu64 ": meta says freelist but the page type is 0x%02x", fid, flags);
		free(pb.buf);
		return 0;
	}
	uint64_t count = le16(pb.p + 10);
	size_t at = PAGE_HDR;
	if (count == 0xFFFF) {
		if (pb.len < PAGE_HDR + 8) { free(pb.buf); return 0; }
		count = le64(pb.p + PAGE_HDR);
		at += 8;
	}
	if (count > (pb.len - at) / 8) {
		problem(b, EA_SEV_ERROR, "freelist-overrun", pb.off + 10, 2,
		        "freelist page %" PRIu64 ": %" PRIu64 " ids do not fit in the page; reading %zu",
		        fid, count, (pb.len - at) / 8);
		count = (pb.len - at) / 8;
	}
	uint64_t prev = 0;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t id = le64(pb.p + at + i * 8);
		uint64_t off = pb.off + at + i * 8;
		if (i && id <= prev)
			problem(b, EA_SEV_WARNING, "freelist-order", off, 8,
			        "freelist page %" PRIu64 ": id %" PRIu64 " not after %" PRIu64, fid, id, prev);
		prev = id;
		if (id < 2 || id >= b->pgid) {
			problem(b, EA_SEV_ERROR, "page-out-of-bounds", off, 8,
			        "freelist page %" PRIu64 ": free page id %" PRIu64 " outside [2, %" PRIu64 ")", fid, id, b->pgid);
			continue;
		}
		if (id >= b->npages) continue;
		if (b->state[id] & ST_FREE)
			problem(b, EA_SEV_ERROR, "already-freed", off, 8, "page %" PRIu64 ": already freed", id);
		b->state[id] |= ST_FREE;
		b->chk.free_pages++;
	}
	free(pb.buf);
	return 0;
}

int ea__bolt_check_visit(ea_bolt *b, ea_bolt_check_result *out, const char *bucket, ea_bolt_kv_cb cb,
                         void *payload)
{
	if (b->checked) return ea_bolt_check(b, out);
	b->hook_bucket = bucket;
	b->hook_cb = cb;
	b->hook_payload = payload;
	int rc = ea_bolt_check(b, out);
	b->hook_cb = NULL;
	return rc;
}

int ea_bolt_check(ea_bolt *b, ea_bolt_check_result *out)
{
	if (b->checked) { if (out) { *out = b->chk; out->problems = b->nproblems; } return EA_OK; }
	memset(&b->chk, 0, sizeof b->chk);
	b->inline_walked = 0;
	b->chk.pages = b->pgid;
	b->chk.file_pages = b->size / b->psize;
	size_t n = (size_t)b->npages + 1;
	free(b->state);
	ea__pagemap_side_free(&b->side);
	b->state = calloc(n, 1);
	if (!b->state) return EA_ENOMEM;
	for (uint64_t p = 0; p < 2 && p < b->npages; p++) b->state[p] = ST_META | ST_REACHABLE;
	const ea_bolt_meta *m = &b->meta[b->used];
	b->chk.freelist_stored = m->freelist != EA_BOLT_PGID_NONE;
	if (b->chk.freelist_stored && read_freelist(b)) return EA_ENOMEM;

	ea_bolt_bucket root;
	ea_bolt_root_bucket(b, &root);
	ea__bc bc;
	if (ea__bc_init(&bc) == 0) b->bc = &bc;   /* without it: the read-ahead, same bytes */
	int rc = root.root ? walk_bucket_check(b, &root, 0) : 0;
	b->bc = NULL;
	ea__bc_free(&bc);
	if (rc < 0) return rc;

	for (uint64_t p = 0; p < b->npages; p++) {
		if (b->state[p] & ST_REACHABLE) { b->chk.reachable++; continue; }
		if (b->chk.freelist_stored) {
			if (!(b->state[p] & ST_FREE)) {
				b->chk.unreachable++;
				problem(b, EA_SEV_ERROR, "unreachable-unfreed", p * b->psize, b->psize,
				        "page %" PRIu64 ": unreachable unfreed (neither in a bucket tree nor on the freelist)", p);
			}
		} else {
			b->state[p] |= ST_FREE;   /* NoFreelistSync: the free set is what is unreachable */
			b->chk.free_pages++;
		}
	}
	ea__pagemap_side_sort(&b->side);
	b->checked = 1;
	if (out) { *out = b->chk; out->problems = b->nproblems; }
	return EA_OK;
}

int ea_bolt_page_describe(ea_bolt *b, uint64_t id, ea_bolt_page_info *out)
{
	memset(out, 0, sizeof *out);
	out->id = id;
	out->continuation_of = id;
	if (!b->checked) { int rc = ea_bolt_check(b, NULL); if (rc) return rc; }
	if (id >= b->npages) {
		out->type = "beyond-eof";
		out->state = "missing";
		return id < b->pgid ? EA_OK : EA_EINVAL;
	}
	uint8_t st = b->state[id];
	out->state = st & ST_META ? "meta" : st & ST_FREELIST ? "freelist" : st & ST_REACHABLE ? "reachable"
	           : st & ST_FREE ? "free" : "unreachable";
	uint64_t head = st & ST_CONT ? ea__pagemap_head(&b->side, id) : id;
	uint32_t own = (uint32_t)(st >> OWNER_SHIFT);
	if (own == OWNER_SIDE) own = ea__pagemap_owner(&b->side, head);
	if (own && own <= b->nbnames) out->bucket = b->bnames[own - 1];
	if (st & ST_CONT) {
		out->type = "overflow";
		out->continuation_of = head;
		return EA_OK;
	}
	uint8_t h[PAGE_HDR];
	long g = rd(b, h, sizeof h, id * b->psize);
	if (g < 0) return EA_EIO;
	if (g < (long)PAGE_HDR) { out->type = "beyond-eof"; return EA_OK; }
	out->header_id = le64(h);
	out->header_ok = out->header_id == id;
	out->flags = le16(h + 8);
	out->count = le16(h + 10);
	out->overflow = le32(h + 12);
	switch (out->flags) {
	case EA_BOLT_BRANCH: out->type = "branch"; break;
	case EA_BOLT_LEAF: out->type = "leaf"; break;
	case EA_BOLT_META: out->type = "meta"; break;
	case EA_BOLT_FREELIST: out->type = "freelist"; break;
	default: out->type = "unknown";
	}
	return EA_OK;
}

/* ---- salvage scan ------------------------------------------------------------------------ */

/* Salvage scan over a sparse file: holes read as zero pages (no leaf), so jump to the next
 * data run instead of faulting in every page. Returns 1 when no data is left. */
static int skip_hole(ea_bolt *b, uint64_t *id, uint64_t *hole)
{
	uint64_t d, h;
	if (ea__input_data_extent(b->in, b->idx, *id * b->psize, &d, &h) != EA_OK) {
		*hole = UINT64_MAX;   /* cannot tell: read every page */
		return 0;
	}
	if (d >= b->size) return 1;
	if (d / b->psize > *id) *id = d / b->psize;
	*hole = h > *id * b->psize ? h : (*id + 1) * b->psize;
	return 0;
}

int ea_bolt_scan_leaves(ea_bolt *b, ea_bolt_kv_cb cb, void *payload)
{
	uint64_t ps = b->psize;
	uint64_t end = b->size / ps;   /* pages past pgid may hold older, discarded data too */
	pagebuf pb = { 0 };
	uint8_t h[PAGE_HDR];
	int rc = 0;
	uint64_t hole = 0;   /* below this offset the file has data; at it, ask again */
	for (uint64_t id = 2; id < end && !rc; id++) {
		if (id * ps >= hole && skip_hole(b, &id, &hole)) break;
		long g = rd(b, h, sizeof h, id * ps);
		if (g < 0) { rc = EA_EIO; break; }
		if (g < (long)PAGE_HDR) break;
		if (le16(h + 8) != EA_BOLT_LEAF) continue;
		uint64_t ovf = le32(h + 12);
		uint64_t span = ovf + 1 > end - id ? end - id : ovf + 1;
		if (span > (64u << 20) / ps) span = (64u << 20) / ps ? (64u << 20) / ps : 1;
		if (pb_reserve(&pb, (size_t)(span * ps)) || !pb.buf) { rc = EA_ENOMEM; break; }
		g = rd(b, pb.buf, (size_t)(span * ps), id * ps);
		if (g < (long)PAGE_HDR) break;
		size_t len = (size_t)g;
		int reach = -1;
		if (b->checked && id < b->npages) reach = (b->state[id] & ST_REACHABLE) ? 1 : 0;
		uint32_t count = le16(pb.buf + 10);
		if (PAGE_HDR + (uint64_t)count * ELEM_SIZE > len) count = (uint32_t)((len - PAGE_HDR) / ELEM_SIZE);
		for (uint32_t i = 0; i < count && !rc; i++) {
			uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
			const uint8_t *e = pb.buf + eo;
			uint32_t fl = le32(e), pos = le32(e + 4), ks = le32(e + 8), vs = le32(e + 12);
			if (ks == 0 || eo + pos + ks + vs > len || (fl & ~1u)) continue;
			ea_bolt_kv kv = { pb.buf + eo + pos, ks, pb.buf + eo + pos + ks, vs, (int)(fl & 1), id, i,
			                  id * ps + eo, id * ps + eo + pos + ks, reach };
			rc = cb(&kv, payload);
		}
		/* the overflow pages of a leaf hold its data, not headers: skip them when plausible */
		if (ovf && ovf + 1 <= end - id && le64(h) == id) id += ovf;
	}
	free(pb.buf);
	return rc;
}
