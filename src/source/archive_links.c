/* archive_links.c: what an archive's file list means once every header has been read.
 * Hard links (GNU tar stores every later name of a file as a link to the first) become
 * members sharing the staged bytes of the entry they name, as `tar -x` would create them.
 * Members with the same name (an archive appended to, two copies merged) are kept once when
 * their bytes are identical; different ones are refused with their entry numbers and header
 * offsets unless PATH#N[,M...] chose which entry to use. */
#include "input_int.h"
#include "util/vec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINK_DEPTH 16
#define MAX_SELECT 64

int ea__links_add(ea_input *in, ea__links *l, const char *name, const char *raw_target,
                  uint64_t ordinal, uint64_t hdr_off, int64_t mtime)
{
	char target[4096];
	if (ea__input_clean_name(raw_target, target, sizeof target) != 0)
		return ea__input_problem(in, EA_SEV_WARNING, "archive-hardlink-unresolved", name, EA_NO_OFFSET,
		                         "archive entry #%" PRIu64 " is a hard link to an unsafe name; skipped",
		                         ordinal);
	if (EA_VEC_RESERVE(l->v, l->n)) return EA_ENOMEM;
	ea__link *k = &l->v[l->n];
	k->name = strdup(name);
	k->target = strdup(target);
	if (!k->name || !k->target) { free(k->name); free(k->target); return EA_ENOMEM; }
	k->ordinal = ordinal;
	k->hdr_off = hdr_off;
	k->mtime = mtime;
	l->n++;
	return EA_OK;
}

void ea__links_free(ea__links *l)
{
	for (size_t i = 0; i < l->n; i++) { free(l->v[i].name); free(l->v[i].target); }
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cmp_file(const void *a, const void *b)
{
	const ea_input_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
}

static int cmp_link_ptr(const void *a, const void *b)
{
	const ea__link *x = *(const ea__link *const *)a, *y = *(const ea__link *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
}

/* Index of the last file in files[0..n) named `name` with ordinal < before, or -1. */
static long last_file_before(const ea_input_entry *f, size_t n, const char *name, uint64_t before)
{
	size_t lo = 0, hi = n;   /* first index with (name, ordinal) >= (name, before) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(f[mid].name, name);
		if (c < 0 || (c == 0 && f[mid].ordinal < before)) lo = mid + 1; else hi = mid;
	}
	return lo > 0 && strcmp(f[lo - 1].name, name) == 0 ? (long)lo - 1 : -1;
}

static long last_link_before(ea__link *const *s, size_t n, const char *name, uint64_t before)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s[mid]->name, name);
		if (c < 0 || (c == 0 && s[mid]->ordinal < before)) lo = mid + 1; else hi = mid;
	}
	return lo > 0 && strcmp(s[lo - 1]->name, name) == 0 ? (long)lo - 1 : -1;
}

/* The regular member a link ends at (following links to links, as tar does), or -1. */
static long resolve_one(const ea_input *in, size_t nreg, ea__link *const *byname, size_t nl,
                        const ea__link *k)
{
	const char *t = k->target;
	uint64_t before = k->ordinal;
	for (int depth = 0; depth < MAX_LINK_DEPTH; depth++) {
		long f = last_file_before(in->files, nreg, t, before);
		long l = last_link_before(byname, nl, t, before);
		if (f >= 0 && (l < 0 || in->files[f].ordinal > byname[l]->ordinal)) return f;
		if (l < 0) return -1;
		t = byname[l]->target;
		before = byname[l]->ordinal;
	}
	return -1;
}

int ea__links_resolve(ea_input *in, ea__links *l)
{
	if (in->count > 1) qsort(in->files, in->count, sizeof *in->files, cmp_file);
	if (l->n == 0) return EA_OK;
	ea__link **byname = malloc(l->n * sizeof *byname);
	if (!byname) return EA_ENOMEM;
	for (size_t i = 0; i < l->n; i++) byname[i] = &l->v[i];
	qsort(byname, l->n, sizeof *byname, cmp_link_ptr);
	size_t nreg = in->count;
	int rc = EA_OK;
	for (size_t i = 0; i < l->n && rc == EA_OK; i++) {
		const ea__link *k = &l->v[i];
		long f = resolve_one(in, nreg, byname, l->n, k);
		if (f < 0) {
			rc = ea__input_problem(in, EA_SEV_WARNING, "archive-hardlink-unresolved", k->name,
			                       EA_NO_OFFSET, "archive entry #%" PRIu64 " is a hard link to '%s', "
			                       "which is no earlier regular member of the archive; skipped",
			                       k->ordinal, k->target);
			continue;
		}
		uint64_t size = in->files[f].pub.size, off = in->files[f].stage_off;
		rc = ea__input_add(in, k->name, size, k->mtime, NULL, off);
		if (rc == EA_OK) {
			ea__entry_share(&in->files[in->count - 1], &in->files[f]);
			in->files[in->count - 1].ordinal = k->ordinal;
			in->files[in->count - 1].hdr_off = k->hdr_off;
		}
	}
	free(byname);
	if (in->count > 1) qsort(in->files, in->count, sizeof *in->files, cmp_file);
	return rc;
}

/* ---- members with the same name ---------------------------------------------------------- */

static int same_bytes(ea_input *in, ea_input_entry *a, ea_input_entry *b)
{
	if (a->pub.size != b->pub.size) return 0;
	if ((a->where == b->where && a->stage_off == b->stage_off && a->data_ord == b->data_ord) ||
	    a->pub.size == 0)
		return 1;
	enum { CHUNK = 65536 };
	char *x = malloc(2 * CHUNK), *y = x + CHUNK;
	int same = x != NULL;
	for (uint64_t off = 0; same && off < a->pub.size; ) {
		size_t n = a->pub.size - off < CHUNK ? (size_t)(a->pub.size - off) : CHUNK;
		same = ea__entry_pread(in, a, x, n, off) == (long)n && ea__entry_pread(in, b, y, n, off) == (long)n &&
		       memcmp(x, y, n) == 0;
		off += n;
	}
	free(x);
	return same;
}

/* "N,M,..." of PATH#N,M into ordinals; -1 on a malformed list. */
static int parse_select(const char *s, uint64_t *out, size_t *n)
{
	*n = 0;
	while (s && *s) {
		char *end;
		if (*s < '0' || *s > '9' || *n == MAX_SELECT) return -1;
		unsigned long long v = strtoull(s, &end, 10);
		if (v == 0 || (*end && *end != ',')) return -1;
		out[(*n)++] = v;
		s = *end ? end + 1 : end;
	}
	return *n ? 0 : -1;
}

static int is_selected(uint64_t ord, const uint64_t *sel, size_t nsel)
{
	for (size_t i = 0; i < nsel; i++) if (sel[i] == ord) return 1;
	return 0;
}

static void refuse(ea_input *in, size_t i, size_t j, ea_error *err)
{
	char list[320] = "", choose[200] = "";
	size_t o = 0, c = 0;
	for (size_t k = i; k < j && k < i + 6; k++) {
		o += (size_t)snprintf(list + o, o < sizeof list ? sizeof list - o : 0, "%s#%" PRIu64
		                      " (header at byte %" PRIu64 ", %" PRIu64 " bytes)", k > i ? ", " : "",
		                      in->files[k].ordinal, in->files[k].hdr_off, in->files[k].pub.size);
		c += (size_t)snprintf(choose + c, c < sizeof choose ? sizeof choose - c : 0, "%s%s#%" PRIu64,
		                      k > i ? " or " : "", k > i ? "" : in->path, in->files[k].ordinal);
	}
	ea__set_error(err, EA_EINVAL, EA_LAYER_SOURCE, in->files[i].name, EA_NO_OFFSET,
	              "archive %s holds %zu different members with this name: entries %s%s; choose one "
	              "by appending its entry number to the path: %s (entries are numbered from 1 in "
	              "archive order, as `tar -tvf` lists them)", in->path, j - i, list,
	              j - i > 6 ? ", ..." : "", choose);
}

/* Group [i, j) of equal names: the index to keep, or -1 (error set). */
static long pick(ea_input *in, size_t i, size_t j, const uint64_t *sel, size_t nsel, ea_error *err)
{
	long chosen = -1;
	for (size_t k = i; k < j; k++) {
		if (!is_selected(in->files[k].ordinal, sel, nsel)) continue;
		if (chosen >= 0) {
			ea__set_error(err, EA_EINVAL, EA_LAYER_SOURCE, in->files[k].name, EA_NO_OFFSET,
			              "%s: entries #%" PRIu64 " and #%" PRIu64 " both chosen for the same name",
			              in->path, in->files[chosen].ordinal, in->files[k].ordinal);
			return -1;
		}
		chosen = (long)k;
	}
	if (chosen >= 0) return chosen;
	for (size_t k = i; k + 1 < j; k++)
		if (!same_bytes(in, &in->files[k], &in->files[j - 1])) { refuse(in, i, j, err); return -1; }
	return (long)j - 1;   /* identical copies: the last, as `tar -x` leaves it */
}

static void drop(ea_input_entry *e)
{
	free(e->name);
	free(e->ospath);
	e->name = NULL;
}

int ea__input_dedup(ea_input *in, ea_error *err)
{
	uint64_t sel[MAX_SELECT];
	size_t nsel = 0, used = 0;
	if (in->select && parse_select(in->select, sel, &nsel) != 0) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
		              "'#%s': expected #N or #N,M,... (archive entry numbers, from 1)", in->select);
		return EA_EINVAL;
	}
	for (size_t i = 0, j; i < in->count; i = j) {
		for (j = i + 1; j < in->count && strcmp(in->files[j].name, in->files[i].name) == 0; j++) {}
		if (j - i == 1) continue;
		long keep = pick(in, i, j, sel, nsel, err);
		if (keep < 0) return EA_EINVAL;
		used += is_selected(in->files[keep].ordinal, sel, nsel);
		if (!is_selected(in->files[keep].ordinal, sel, nsel)) {
			int rc = ea__input_problem(in, EA_SEV_INFO, "archive-duplicate-member", in->files[i].name,
			                           EA_NO_OFFSET, "archive holds %zu identical copies of this member "
			                           "(entries #%" PRIu64 "..#%" PRIu64 "); one is used", j - i,
			                           in->files[i].ordinal, in->files[j - 1].ordinal);
			if (rc) return rc;
		}
		for (size_t k = i; k < j; k++) if ((long)k != keep) drop(&in->files[k]);
	}
	if (used < nsel) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
		              "'#%s': %zu of the chosen entries are not one of several members with the same "
		              "name (nothing to choose there)", in->select, nsel - used);
		return EA_EINVAL;
	}
	size_t o = 0;
	for (size_t i = 0; i < in->count; i++) if (in->files[i].name) in->files[o++] = in->files[i];
	in->count = o;
	return EA_OK;
}
