/* wal.c: streaming, damage-tolerant reader of etcd WAL segments.
 *
 * Segment file name: %016x-%016x.wal = seq - raft index of the first entry expected.
 * Segment = a sequence of frames, each starting 8-byte aligned:
 *
 *   OFFSET   SIZE         DESCRIPTION
 *   0        8            u64 LE length word: low 56 bits = recBytes; if bit 63 is set,
 *                         bits 56..58 = padBytes (writer: 0x80|pad, pad = (8-rec%8)%8)
 *   8        recBytes     walpb.Record {1 type, 2 crc, 3 data}
 *   8+rec    padBytes     zeros
 *
 * CRC chain: one running CRC-32C over the data bytes of every non-crc record, across
 * segments; each record's crc = running value after its data. A crc record (type 4) opens
 * every segment with the running value at the end of the previous one.
 *
 * End of log as etcd sees it: a zero length word (preallocated zero tail) ends a segment;
 * a record that fails to decode or match its CRC in the last segment and contains a zero
 * 512-byte sector is a torn write. Unlike etcd this reader looks past both: it reports the
 * damaged range (file + byte offset), resynchronises on the next plausible frame (length
 * plausible, record decodes, payload decodes; its crc re-anchors the chain) and reads on
 * through every segment. */
#include "etcd-autopsy/crc32c.h"
#include "etcd-autopsy/wal.h"
#include "pb_wire.h"
#include "wal_int.h"
#include "../source/input_int.h"
#include "util/hex.h"
#include "util/vec.h"

#include <endian.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD   (10u * 1024u * 1024u)  /* etcd 3.4: recBytes >= 10 MiB - pad is an error */
#define WINDOW       (256u * 1024u)   /* the read window: the copy stays in L2 (4 MiB: +15 % CPU) */
#define SECTOR       512u
#define MAX_PENDING  8

typedef struct {
	ea_wal_segment pub;
	size_t input_idx;
	char *file;
	uint32_t problems;   /* queued while this segment was current */
	int trusted;         /* clean in an earlier pass: CRC verdicts known */
} seg_t;

struct ea_wal {
	ea_input *in;
	ea_wal_options opts;
	seg_t *segs;
	size_t nsegs;
	char *dir;

	/* cursor */
	size_t cur;
	uint64_t pos;
	int seg_open;
	uint32_t running;
	int chain_known;
	uint8_t *meta_first;
	size_t meta_first_len;

	/* read window over the current segment: pread() into buf. Not a mapping: the passes that
	 * trust a segment's CRCs touch each record's header and end only, and first touches of
	 * mapped pages (faults, and on this kind of VM shadow-page traps) cost more than the copy
	 * (`wal ls -w json` of 256 MB: 0.83 -> 0.52 s of CPU, 46 -> 21 MiB RSS) */
	uint8_t *buf;
	size_t buf_cap, buf_len;
	uint64_t buf_off;
	uint64_t ioerr_off;   /* window(): the first byte its last failed read could not get */

	/* queued problems (owned) and the one handed out last */
	ea_problem_owned pending[MAX_PENDING];
	size_t npending;
	ea_problem_owned last;
	int have_record_pending;
	ea_wal_item record_pending;
};

const char *ea_wal_record_type_name(int64_t type)
{
	switch (type) {
	case EA_WAL_METADATA: return "metadata";
	case EA_WAL_ENTRY: return "entry";
	case EA_WAL_STATE: return "state";
	case EA_WAL_CRC: return "crc";
	case EA_WAL_SNAPSHOT: return "snapshot";
	}
	return "unknown";
}

static int parse_segment_name(const char *base, uint64_t *seq, uint64_t *idx)
{
	if (strlen(base) != 37 || base[16] != '-' || strcmp(base + 33, ".wal") != 0) return -1;
	uint64_t s, i;
	if (ea__hex_u64(base, 16, &s) || ea__hex_u64(base + 17, 16, &i)) return -1;
	*seq = s;
	*idx = i;
	return 0;
}

static void queue_problem(ea_wal *w, ea_severity sev, const char *kind, const char *file,
                          uint64_t off, uint64_t len, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void queue_problem(ea_wal *w, ea_severity sev, const char *kind, const char *file,
                          uint64_t off, uint64_t len, const char *fmt, ...)
{
	if (w->cur < w->nsegs) w->segs[w->cur].problems++;
	if (w->npending == MAX_PENDING) return;  /* cannot happen: drained after each step */
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ea_problem p = { EA_LAYER_WAL, sev, kind, file, off, len, msg };
	if (ea_problem_copy(&w->pending[w->npending], &p) == EA_OK) w->npending++;
}

/* A read of the segment failed: with the source's reason when it has one (a late staging of
 * streamed archive members refused by the cap or TMPDIR). */
static void read_error(ea_wal *w, const char *file, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void read_error(ea_wal *w, const char *file, uint64_t off, const char *fmt, ...)
{
	const char *why = ea_input_read_error(w->in);
	char what[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	queue_problem(w, EA_SEV_ERROR, "read-error", file, off, 0, "%s%s%s", what, why ? ": " : "", why ? why : "");
}

static const char *dirname_of(const char *name, size_t *len)
{
	const char *s = strrchr(name, '/');
	*len = s ? (size_t)(s - name) : 0;
	return name;
}

int ea_wal_open(ea_wal **out, ea_input *in, const ea_wal_options *opts, ea_error *err)
{
	*out = NULL;
	ea_wal *w = calloc(1, sizeof *w);
	if (!w) return EA_ENOMEM;
	ea_wal_options def = EA_WAL_OPTIONS_INIT;
	w->opts = opts ? *opts : def;
	w->in = in;

	/* pick the directory holding segments; refuse to mix two WAL directories */
	size_t n = ea_input_count(in);
	const char *dir = NULL;
	size_t dirlen = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = ea_input_at(in, i)->name;
		size_t dl;
		dirname_of(name, &dl);
		const char *base = dl ? name + dl + 1 : name;
		uint64_t seq, idx;
		if (parse_segment_name(base, &seq, &idx) != 0) continue;
		if (!dir) { dir = name; dirlen = dl; continue; }
		if (dl != dirlen || strncmp(name, dir, dl) != 0) {
			ea__set_error(err, EA_EINVAL, EA_LAYER_WAL, ea_input_path(in), EA_NO_OFFSET,
			              "WAL segments in more than one directory (%.*s and %.*s): give one member's data dir",
			              (int)dirlen, dir, (int)dl, name);
			free(w);
			return EA_EINVAL;
		}
	}
	if (!dir) {
		const ea_problem *why = ea__input_first_error(in, "wal");
		ea__set_error(err, EA_ENOTFOUND, EA_LAYER_WAL, ea_input_path(in), EA_NO_OFFSET,
		              "no WAL segments (%%016x-%%016x.wal) found%s%.200s%s%.200s", why ? "; " : "",
		              why && why->file ? why->file : "", why ? ": " : "", why ? why->message : "");
		free(w);
		return EA_ENOTFOUND;
	}
	w->dir = strndup(dir, dirlen);
	if (!w->dir) { free(w); return EA_ENOMEM; }

	size_t segcap = 0;
	for (size_t i = 0; i < n; i++) {
		const ea_input_file *f = ea_input_at(in, i);
		size_t dl;
		dirname_of(f->name, &dl);
		if (dl != dirlen || strncmp(f->name, dir, dl) != 0) continue;
		const char *base = dl ? f->name + dl + 1 : f->name;
		uint64_t seq, idx;
		if (parse_segment_name(base, &seq, &idx) != 0) {
			size_t bl = strlen(base);
			if (bl > 4 && strcmp(base + bl - 4, ".wal") == 0)
				queue_problem(w, EA_SEV_WARNING, "bad-segment-name", f->name, EA_NO_OFFSET, 0,
				              "file ends in .wal but is not named %%016x-%%016x.wal; etcd ignores it");
			else if (bl > 11 && strcmp(base + bl - 11, ".wal.broken") == 0)
				queue_problem(w, EA_SEV_WARNING, "repaired-segment-copy", f->name, EA_NO_OFFSET, 0,
				              "etcd saved this copy before truncating a torn segment: the original tail is in it");
			continue;
		}
		/* geometric growth: 10^5 segments must not be quadratic */
		if (EA_VEC_GROW(w->segs, segcap, w->nsegs, 16)) { ea_wal_close(w); return EA_ENOMEM; }
		seg_t *s = &w->segs[w->nsegs++];
		memset(s, 0, sizeof *s);
		s->input_idx = i;
		s->file = strdup(f->name);
		if (!s->file) { ea_wal_close(w); return EA_ENOMEM; }
		s->pub.file = s->file;
		s->pub.seq = seq;
		s->pub.first_index = idx;
		s->pub.size = f->size;
		s->pub.mtime = f->mtime;
	}
	/* names sort lexically = by seq; report gaps in the sequence and index order */
	for (size_t i = 1; i < w->nsegs; i++) {
		seg_t *a = &w->segs[i - 1], *b = &w->segs[i];
		if (b->pub.seq == a->pub.seq)   /* same seq, different index: no gap to compute */
			queue_problem(w, EA_SEV_ERROR, "duplicate-segment-seq", b->file, 0, 0,
			              "segment seq %" PRIu64 " also names %s: two copies of one segment, or "
			              "segments of different members mixed", b->pub.seq, a->file);
		else if (b->pub.seq != a->pub.seq + 1)
			queue_problem(w, EA_SEV_ERROR, "missing-segment", b->file, 0, 0,
			              "WAL segment(s) with seq %" PRIu64 "..%" PRIu64 " missing before this one: "
			              "the entries and HardStates they held are lost and etcd refuses to start",
			              a->pub.seq + 1, b->pub.seq - 1);
		if (b->pub.first_index < a->pub.first_index)
			queue_problem(w, EA_SEV_ERROR, "segment-index-order", b->file, 0, 0,
			              "segment's first index %" PRIu64 " is below the previous segment's %" PRIu64,
			              b->pub.first_index, a->pub.first_index);
	}
	*out = w;
	return EA_OK;
}

void ea_wal_close(ea_wal *w)
{
	if (!w) return;
	for (size_t i = 0; i < w->nsegs; i++) free(w->segs[i].file);
	for (size_t i = 0; i < w->npending; i++) ea_problem_owned_free(&w->pending[i]);
	ea_problem_owned_free(&w->last);
	free(w->segs);
	free(w->dir);
	free(w->buf);
	free(w->meta_first);
	free(w);
}

size_t ea_wal_segment_count(const ea_wal *w) { return w->nsegs; }
const ea_wal_segment *ea_wal_segment_at(const ea_wal *w, size_t i)
{
	return i < w->nsegs ? &w->segs[i].pub : NULL;
}
const char *ea_wal_dir(const ea_wal *w) { return w->dir; }

long ea_wal_pread(const ea_wal *w, size_t i, void *buf, size_t len, uint64_t off)
{
	if (i >= w->nsegs || off > w->segs[i].pub.size || len > w->segs[i].pub.size - off) return EA_EINVAL;
	return ea_input_pread(w->in, w->segs[i].input_idx, buf, len, off);
}

/* Bytes [off, off+n) of the current segment, or NULL if they are not all in the file
 * (or cannot be read). The pointer is valid until the next call. */
static const uint8_t *window(ea_wal *w, uint64_t off, size_t n, int *ioerr)
{
	seg_t *s = &w->segs[w->cur];
	*ioerr = 0;
	if (off > s->pub.size || n > s->pub.size - off) return NULL;
	if (off >= w->buf_off && off + n <= w->buf_off + w->buf_len)
		return w->buf + (off - w->buf_off);
	/* read ahead past what was asked: a resync scan asks for (up to 10 MiB) bodies at every
	 * 8-byte step, and re-reading each one from its own start would be quadratic */
	size_t want = n + WINDOW;
	if (want > s->pub.size - off) want = (size_t)(s->pub.size - off);
	if (want > w->buf_cap) {
		uint8_t *nb = realloc(w->buf, want);
		if (!nb) { *ioerr = EA_ENOMEM; return NULL; }
		w->buf = nb;
		w->buf_cap = want;
	}
	long got = ea_input_pread(w->in, s->input_idx, w->buf, want, off);
	if (got < 0) { *ioerr = EA_EIO; w->ioerr_off = off; w->buf_len = 0; return NULL; }
	w->buf_off = off;
	w->buf_len = (size_t)got;
	/* short inside the segment's size: the bytes are there but cannot be read (a cut archive
	 * member, a file shrunk while read) */
	if ((size_t)got < n) { *ioerr = EA_EIO; w->ioerr_off = off + (uint64_t)got; return NULL; }
	return w->buf;
}

static int is_last_segment(const ea_wal *w) { return w->cur + 1 == w->nsegs; }

/* Length word sanity, as etcd's writer produces it. */
static int frame_plausible(uint64_t lenword, uint64_t off, uint64_t size, uint64_t *rec, uint64_t *pad)
{
	uint8_t top = (uint8_t)(lenword >> 56);
	uint64_t r = lenword & UINT64_C(0x00FFFFFFFFFFFFFF);
	uint64_t p = 0;
	if (top & 0x80) {
		if (top & 0x78) return 0;
		p = top & 7;
		if (p == 0) return 0;
	} else if (top) {
		return 0;
	}
	if (r == 0 || (r + p) % 8 != 0) return 0;
	if (r >= MAX_RECORD - p) return 0;
	if (off + 8 > size || r + p > size - off - 8) return 0;
	*rec = r;
	*pad = p;
	return 1;
}

/* Does the typed payload decode? Used to accept a resync candidate. Its data must have the
 * shape of the message etcd writes (a handful of fields), so that judging one candidate
 * costs O(1), not O(record size): a resync tries a candidate at every 8-byte step. */
#define RESYNC_MAX_FIELDS 16
static int payload_decodes(const ea_pb_record *r)
{
	if (r->has_data && r->type != EA_WAL_CRC &&
	    !ea_pb_fields_at_most(r->data, r->data_len, RESYNC_MAX_FIELDS))
		return 0;
	ea_entry_header e;
	ea_hard_state h;
	uint64_t a, b;
	switch (r->type) {
	case EA_WAL_ENTRY: return r->has_data && ea_pb_decode_entry(r->data, r->data_len, &e) == 0 && e.index > 0;
	case EA_WAL_STATE: return r->has_data && ea_pb_decode_hardstate(r->data, r->data_len, &h) == 0;
	case EA_WAL_METADATA: return r->has_data && ea_pb_decode_metadata(r->data, r->data_len, &a, &b) == 0;
	case EA_WAL_SNAPSHOT: return r->has_data && ea_pb_decode_walsnap(r->data, r->data_len, &a, &b) == 0;
	case EA_WAL_CRC: return !r->has_data && r->has_crc;
	}
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	/* 64 bytes per step, OR-reduced (the compiler vectorises it): preallocated segment
	 * tails are tens of MB of zeros, scanned for records etcd would never see */
	while (n >= 64) {
		uint64_t v[8];
		memcpy(v, p, 64);
		if ((v[0] | v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7]) != 0) return 0;
		p += 64;
		n -= 64;
	}
	while (n >= 8) { uint64_t v; memcpy(&v, p, 8); if (v) return 0; p += 8; n -= 8; }
	while (n--) if (*p++) return 0;
	return 1;
}

/* The data runs of the current segment from `off` on, as the file system reports them now
 * (SEEK_DATA/SEEK_HOLE): up to MAX_RUNS [start, end) pairs in runs; *complete when they
 * cover the segment to its end (everything else is a hole). Taken once, before reading: the
 * kernel's read-ahead of the bytes read next would turn the cached pages of an unwritten
 * tail into "data" for a later question. */
#define MAX_RUNS 32
static size_t data_runs(ea_wal *w, uint64_t off, uint64_t *runs, int *complete)
{
	uint64_t size = w->segs[w->cur].pub.size;
	size_t n = 0;
	*complete = 0;
	while (n < MAX_RUNS) {
		uint64_t d, h;
		if (off >= size) { *complete = 1; break; }
		if (ea__input_data_extent(w->in, w->segs[w->cur].input_idx, off, &d, &h) != EA_OK || h <= off) break;
		if (d >= size) { *complete = 1; break; }
		runs[2 * n] = d;
		runs[2 * n + 1] = h;
		n++;
		off = h;
	}
	return n;
}

/* First 8-aligned offset >= from whose 8-byte word is non-zero, or the segment size.
 * Holes the file system reports (a sparse copy; an fallocate()d tail none of whose pages is
 * in the page cache) read as zeros by definition and are skipped unread; everything else is
 * read and scanned. FIEMAP's "unwritten" is not used: it also covers bytes written but not
 * yet written back (test_wal_zero_tail.sh). */
static uint64_t next_nonzero(ea_wal *w, uint64_t from, int *ioerr)
{
	uint64_t size = w->segs[w->cur].pub.size;
	uint64_t off = from;
	uint64_t runs[2 * MAX_RUNS];
	size_t nruns = 0, r = 0;
	int asked = 0, complete = 0;
	while (off + 8 <= size) {
		size_t chunk = (size - off) > WINDOW ? WINDOW : (size_t)(size - off);
		/* bytes already in the window are scanned first; then the file system is asked */
		if (off >= w->buf_off && off + 8 <= w->buf_off + w->buf_len) {
			if (chunk > w->buf_off + w->buf_len - off) chunk = (size_t)(w->buf_off + w->buf_len - off);
		} else {
			if (!asked) { asked = 1; nruns = data_runs(w, off, runs, &complete); }
			while (r < nruns && off >= runs[2 * r + 1]) r++;
			if (r == nruns && complete) return size;   /* a hole to the end */
			if (r < nruns && off < runs[2 * r]) {       /* a hole up to the next data */
				off = (runs[2 * r] + 7) & ~UINT64_C(7);
				continue;
			}
			if (r < nruns && runs[2 * r + 1] - off >= 8 && chunk > runs[2 * r + 1] - off)
				chunk = (size_t)(runs[2 * r + 1] - off);
		}
		chunk &= ~(size_t)7;
		const uint8_t *p = window(w, off, chunk, ioerr);
		if (!p) return size;
		size_t i = 0;
		/* fast skip of zero runs: 4 KiB, then 64 bytes at a time */
		while (i + 4096 <= chunk && all_zero(p + i, 4096)) i += 4096;
		while (i + 64 <= chunk && all_zero(p + i, 64)) i += 64;
		for (; i + 8 <= chunk; i += 8) {
			uint64_t v;
			memcpy(&v, p + i, 8);
			if (v) return off + i;
		}
		off += chunk;
	}
	return size;
}

/* Scan forward on 8-byte boundaries from `from` for a frame that is plausible and decodes.
 * Returns its offset, or the segment size when none is found. */
static uint64_t resync(ea_wal *w, uint64_t from, int *ioerr)
{
	uint64_t size = w->segs[w->cur].pub.size;
	uint64_t off = (from + 7) & ~UINT64_C(7);
	while (off + 8 <= size) {
		const uint8_t *p = window(w, off, 8, ioerr);
		if (!p) return size;
		uint64_t lw;
		memcpy(&lw, p, 8);
		lw = le64toh(lw);
		if (lw == 0) {   /* skip zero runs quickly */
			off = next_nonzero(w, off, ioerr);
			continue;
		}
		uint64_t rec, pad;
		if (frame_plausible(lw, off, size, &rec, &pad)) {
			const uint8_t *body = window(w, off + 8, (size_t)rec, ioerr);
			ea_pb_record r;
			if (body && ea_pb_fields_at_most(body, (size_t)rec, RESYNC_MAX_FIELDS) &&
			    ea_pb_decode_record(body, (size_t)rec, &r) == 0 && r.has_type &&
			    r.type >= 1 && r.type <= 5 && payload_decodes(&r))
				return off;
		}
		off += 8;
	}
	return size;
}

/* A record whose body (with padding) contains a whole zero 512-byte sector: torn write. */
static int is_torn(ea_wal *w, uint64_t off, uint64_t rec, uint64_t pad)
{
	uint64_t start = off + 8, end = off + 8 + rec + pad;
	int ioerr;
	/* etcd splits at sector boundaries and tests each piece, including partial ones */
	uint64_t a = start;
	while (a < end) {
		uint64_t b = (a / SECTOR + 1) * SECTOR;
		if (b > end) b = end;
		const uint8_t *p = window(w, a, (size_t)(b - a), &ioerr);
		if (p && all_zero(p, (size_t)(b - a))) return 1;
		a = b;
	}
	return 0;
}

static void fill_typed(ea_wal_record *rec)
{
	rec->decoded = 0;
	switch (rec->type) {
	case EA_WAL_ENTRY:
		rec->decoded = ea_pb_decode_entry(rec->data, rec->data_len, &rec->u.entry) == 0;
		break;
	case EA_WAL_STATE:
		rec->decoded = ea_pb_decode_hardstate(rec->data, rec->data_len, &rec->u.state) == 0;
		break;
	case EA_WAL_METADATA:
		rec->decoded = ea_pb_decode_metadata(rec->data, rec->data_len, &rec->u.meta.node_id,
		                                     &rec->u.meta.cluster_id) == 0;
		break;
	case EA_WAL_SNAPSHOT:
		rec->decoded = ea_pb_decode_walsnap(rec->data, rec->data_len, &rec->u.snap.index,
		                                    &rec->u.snap.term) == 0;
		break;
	case EA_WAL_CRC:
		rec->decoded = 1;
		break;
	}
}

static int emit_pending(ea_wal *w, ea_wal_item *item)
{
	ea_problem_owned_free(&w->last);
	w->last = w->pending[0];
	memmove(w->pending, w->pending + 1, (w->npending - 1) * sizeof *w->pending);
	w->npending--;
	memset(item, 0, sizeof *item);
	item->kind = EA_WAL_ITEM_PROBLEM;
	item->problem = w->last.p;
	return EA_OK;
}

static void finish_segment(ea_wal *w, uint64_t used)
{
	w->segs[w->cur].pub.used_bytes = used;
	w->cur++;
	w->pos = 0;
	w->seg_open = 0;
	w->buf_len = 0;
}

/* Skip damage starting at frame `off` (already diagnosed as `kind`) to the next frame that
 * decodes, and queue one problem covering the skipped range. */
static void skip_damage(ea_wal *w, uint64_t off, uint64_t search_from, ea_severity sev,
                        const char *kind, const char *what)
{
	seg_t *s = &w->segs[w->cur];
	int ioerr = 0;
	uint64_t next = resync(w, search_from, &ioerr);
	if (next >= s->pub.size && ioerr == EA_EIO) {   /* the search could not read on */
		queue_problem(w, sev, kind, s->file, off, 0, "%s", what);
		read_error(w, s->file, off, "cannot read the segment after the damage");
		finish_segment(w, off);
		return;
	}
	if (next >= s->pub.size) {
		/* nothing decodable after the damage: everything to the end is lost (or zeros) */
		queue_problem(w, sev, kind, s->file, off, s->pub.size - off,
		              "%s; no readable record follows in this segment", what);
		finish_segment(w, off);
		return;
	}
	queue_problem(w, sev, kind, s->file, off, next - off,
	              "%s; %" PRIu64 " bytes skipped, reading resumes at offset %" PRIu64, what,
	              next - off, next);
	w->chain_known = 0;   /* the next record's crc re-anchors the chain */
	w->pos = next;
}

/* Segment advance: the read window starts empty (a record's bytes are valid until the window
 * moves: nothing refers to them later) and the CRC chain is settled at its start. */
static void open_segment(ea_wal *w)
{
	seg_t *s = &w->segs[w->cur];
	w->seg_open = 1;
	w->pos = 0;
	w->buf_len = 0;
	w->buf_off = 0;
	if (w->cur > 0 && s->pub.seq != w->segs[w->cur - 1].pub.seq + 1)
		w->chain_known = 0;   /* a gap: the next crc record starts a new chain */
	if (s->pub.seq == 0) {
		/* the first segment etcd ever wrote opens with crc 0 (wal.Create: saveCrc(0)) */
		w->running = 0;
		w->chain_known = 1;
	}
}

/* The current segment is 0 bytes: one problem for the run of empty segments it starts (a
 * failed copy can empty thousands), and all of them finished. */
static void skip_empty_segments(ea_wal *w)
{
	seg_t *s = &w->segs[w->cur];
	size_t k = 1;
	while (w->cur + k < w->nsegs && w->segs[w->cur + k].pub.size == 0) k++;
	if (k == 1)
		queue_problem(w, EA_SEV_ERROR, "empty-segment", s->file, 0, 0,
		              "segment is 0 bytes: etcd creates every segment preallocated with a crc and a "
		              "metadata record, so this is a failed or interrupted copy; whatever it held (entries "
		              "from index %" PRIu64 " on) is not in this copy", s->pub.first_index);
	else
		queue_problem(w, EA_SEV_ERROR, "empty-segment", s->file, 0, 0,
		              "%zu segments, this one to %s, are 0 bytes: etcd creates every segment preallocated "
		              "with a crc and a metadata record, so this is a failed or interrupted copy; whatever "
		              "they held (entries from index %" PRIu64 " on) is not in this copy", k,
		              w->segs[w->cur + k - 1].file, s->pub.first_index);
	while (k--) finish_segment(w, 0);
}

/* Fewer than 8 bytes left at `off`: the segment ends here (a warning unless they are zeros). */
static void finish_short_tail(ea_wal *w, uint64_t off)
{
	seg_t *s = &w->segs[w->cur];
	uint64_t size = s->pub.size;
	if (off < size) {
		int ioerr = 0;
		const uint8_t *t = window(w, off, (size_t)(size - off), &ioerr);
		if (!t && ioerr == EA_EIO)
			read_error(w, s->file, w->ioerr_off, "cannot read the segment's last %" PRIu64 " bytes", size - off);
		if (t && !all_zero(t, (size_t)(size - off)))
			queue_problem(w, EA_SEV_WARNING, "truncated-frame", s->file, off, size - off,
			              "segment ends inside a length word (%" PRIu64 " bytes)", size - off);
	}
	finish_segment(w, off);
}

/* Zero tail: a zero length word at `off` is etcd's end of this segment. Look past it for
 * records etcd would never see, and report them as a zeroed region. */
static void zero_length_word(ea_wal *w, uint64_t off)
{
	seg_t *s = &w->segs[w->cur];
	uint64_t size = s->pub.size;
	int ioerr = 0;
	uint64_t nz = w->opts.look_past_end && !s->trusted ? next_nonzero(w, off, &ioerr) : size;
	if (nz >= size && ioerr == EA_EIO) {   /* the look past the end could not read on */
		read_error(w, s->file, w->ioerr_off, "cannot read the segment past the zero length word at "
		           "offset %" PRIu64 " that ends it for etcd (what lies there is unknown)", off);
		finish_segment(w, off);
		return;
	}
	if (nz >= size && off == 0)
		queue_problem(w, EA_SEV_ERROR, "empty-segment", s->file, 0, size,
		              "segment holds only zeros, no record: etcd writes a crc and a metadata record "
		              "before it names a segment, so this is a failed copy; whatever it held (entries "
		              "from index %" PRIu64 " on) is not in this copy", s->pub.first_index);
	if (nz >= size) { finish_segment(w, off); return; }
	uint64_t next = resync(w, nz, &ioerr);
	if (next >= size && ioerr == EA_EIO) {   /* the search for records could not read on */
		queue_problem(w, EA_SEV_ERROR, "data-after-end", s->file, off, size - off,
		              "non-zero bytes at offset %" PRIu64 " after the zero length word that ends this "
		              "segment for etcd; the search for records there stopped on a read error", nz);
		read_error(w, s->file, w->ioerr_off, "cannot read the segment after the data past its end");
		finish_segment(w, off);
		return;
	}
	if (next >= size) {
		queue_problem(w, EA_SEV_ERROR, "data-after-end", s->file, off, size - off,
		              "non-zero bytes at offset %" PRIu64 " after the zero length word that ends this "
		              "segment for etcd, but no readable record: overwritten or garbage", nz);
		finish_segment(w, off);
		return;
	}
	queue_problem(w, EA_SEV_ERROR, "zeroed-region", s->file, off, next - off,
	              "%" PRIu64 " zero/unreadable bytes, then records again at offset %" PRIu64
	              ": etcd stops reading here and would drop (and at boot overwrite) every "
	              "record after it", next - off, next);
	s->pub.used_bytes = off;
	w->chain_known = 0;
	w->pos = next;
}

/* A length word at `off` that etcd's writer cannot produce: say why, skip to the next frame. */
static void implausible_length(ea_wal *w, uint64_t off, uint64_t lw)
{
	uint64_t r = lw & UINT64_C(0x00FFFFFFFFFFFFFF);
	char what[200];
	if (off + 8 + r > w->segs[w->cur].pub.size)
		snprintf(what, sizeof what, "length word claims %" PRIu64 " bytes, beyond the end of the segment", r);
	else if (r >= MAX_RECORD)
		snprintf(what, sizeof what, "length word claims %" PRIu64 " bytes, above etcd's 10 MiB record limit", r);
	else
		snprintf(what, sizeof what, "impossible length word 0x%016" PRIx64 " (padding bits inconsistent)", lw);
	skip_damage(w, off, off + 8, EA_SEV_ERROR, "impossible-length", what);
}

/* One frame of the current segment, as read and judged by ea_wal_next's helpers. */
typedef struct {
	uint64_t off, rec, pad;   /* frame offset, record bytes, padding bytes */
	const uint8_t *body;      /* rec + pad bytes at off + 8 */
	ea_pb_record r;
	int dec;                  /* ea_pb_decode_record's result (0: decoded) */
	int bad_type;             /* decoded, but not a type etcd writes (1..5) */
	uint32_t newcrc;          /* running CRC after this record's data */
	int crc_ok;               /* data record's CRC: 1 matches, 0 does not, -1 unknown */
} frame_t;

static inline uint64_t frame_len(const frame_t *fr) { return 8 + fr->rec + fr->pad; }

/* Record decode and CRC check of a data record against the running chain. A segment found
 * clean by an earlier pass is trusted: its stored CRCs are the computed ones. */
static inline void decode_frame(const ea_wal *w, const seg_t *s, frame_t *fr)
{
	fr->dec = ea_pb_decode_record(fr->body, (size_t)fr->rec, &fr->r);
	fr->bad_type = fr->dec == 0 && (!fr->r.has_type || fr->r.type < 1 || fr->r.type > 5);
	fr->newcrc = w->running;
	fr->crc_ok = -1;
	if (fr->dec != 0 || fr->bad_type || fr->r.type == EA_WAL_CRC || !w->opts.verify_crc) return;
	if (s->trusted) {
		fr->newcrc = fr->r.crc;   /* the earlier pass computed it and found it equal */
		fr->crc_ok = w->chain_known ? 1 : -1;
	} else {
		fr->newcrc = ea_crc32c(w->running, fr->r.data, fr->r.data_len);
		fr->crc_ok = w->chain_known ? (fr->newcrc == fr->r.crc) : -1;
	}
}

/* Torn write: the torn tail of the log etcd truncates at boot, or torn damage inside it. */
static void torn_frame(ea_wal *w, const frame_t *fr)
{
	seg_t *s = &w->segs[w->cur];
	if (is_last_segment(w)) {
		int ioerr = 0;
		uint64_t nz = next_nonzero(w, fr->off + frame_len(fr), &ioerr);
		if (nz >= s->pub.size && ioerr == EA_EIO) {   /* whether anything follows is unknown */
			queue_problem(w, EA_SEV_ERROR, "torn-record", s->file, fr->off, frame_len(fr),
			              "record contains a zero 512-byte sector; what follows it cannot be read, "
			              "so whether it is the torn tail etcd truncates at boot is unknown");
			read_error(w, s->file, w->ioerr_off, "cannot read the segment after the torn record");
			finish_segment(w, fr->off);
			return;
		}
		if (nz >= s->pub.size) {
			queue_problem(w, EA_SEV_WARNING, "torn-tail", s->file, fr->off, s->pub.size - fr->off,
			              "torn write: the last record has a zero 512-byte sector; etcd "
			              "truncates the WAL here when it starts (normal after power loss)");
			finish_segment(w, fr->off);
			return;
		}
	}
	skip_damage(w, fr->off, fr->off + 8, EA_SEV_ERROR, "torn-record",
	            "record contains a zero 512-byte sector but is not at the end of the log");
}

/* A frame that does not decode or fails its CRC. 1: handled (skipped, or the segment ended);
 * 0: a CRC mismatch, queued, and the record is still handed out. */
static int damaged_frame(ea_wal *w, const frame_t *fr)
{
	seg_t *s = &w->segs[w->cur];
	if (is_torn(w, fr->off, fr->rec, fr->pad)) {
		torn_frame(w, fr);
		return 1;
	}
	if (fr->dec != 0) {
		/* framing looked right but the record does not decode: trust the length
		 * once; if the next frame is garbage, resync catches it */
		queue_problem(w, EA_SEV_ERROR, "undecodable-record", s->file, fr->off, frame_len(fr),
		              "walpb.Record does not decode (bit rot or overwritten bytes)");
		w->pos = fr->off + frame_len(fr);
		w->chain_known = 0;
		return 1;
	}
	queue_problem(w, EA_SEV_ERROR, "crc-mismatch", s->file, fr->off, frame_len(fr),
	              "CRC-32C mismatch: stored %08" PRIx32 ", computed %08" PRIx32
	              " over the chain; the record's data was changed after it was written",
	              fr->r.crc, fr->newcrc);
	return 0;
}

/* CRC chain at a crc record: the segment's opening value must continue the chain; it
 * becomes the running value. Returns the record's crc_ok. */
static int crc_record_chain(ea_wal *w, const frame_t *fr)
{
	seg_t *s = &w->segs[w->cur];
	int crc_ok;
	/* segment seq 0 at offset 0: the chain starts at 0, so a crc there is checkable
	 * (etcd itself accepts any value while its running crc is 0) */
	int first = s->pub.seq == 0 && fr->off == 0;
	if (w->chain_known && (w->running != 0 || first) && w->running != fr->r.crc) {
		queue_problem(w, EA_SEV_ERROR, "crc-chain-mismatch", s->file, fr->off, frame_len(fr),
		              "segment's opening crc %08" PRIx32 " does not continue the chain (%08" PRIx32
		              "): %s", fr->r.crc, w->running,
		              first ? "the first segment must open with 0; the record was changed"
		                    : "the previous segment was changed or replaced");
		crc_ok = 0;
	} else {
		crc_ok = w->chain_known ? 1 : -1;
	}
	if (!first) w->running = fr->r.crc;   /* seq 0: the chain goes on from the known 0 */
	w->chain_known = 1;
	return crc_ok;
}

/* CRC chain after a data record; returns its crc_ok. */
static inline int data_record_chain(ea_wal *w, const frame_t *fr)
{
	/* re-anchor on the stored value: right if only this record's data was damaged */
	w->running = fr->crc_ok == 0 || !w->chain_known ? fr->r.crc : fr->newcrc;
	if (!w->opts.verify_crc) w->running = fr->r.crc;
	w->chain_known = 1;
	return fr->crc_ok;
}

/* Every segment's metadata record must equal the first one's (etcd: "conflicting metadata"). */
static void check_metadata(ea_wal *w, const frame_t *fr)
{
	const ea_pb_record *r = &fr->r;
	if (!w->meta_first) {
		w->meta_first = malloc(r->data_len ? r->data_len : 1);
		if (w->meta_first) {
			if (r->data_len) memcpy(w->meta_first, r->data, r->data_len);
			w->meta_first_len = r->data_len;
		}
	} else if (w->meta_first_len != r->data_len ||
	           (r->data_len && memcmp(w->meta_first, r->data, r->data_len) != 0)) {
		queue_problem(w, EA_SEV_ERROR, "metadata-conflict", w->segs[w->cur].file, fr->off, frame_len(fr),
		              "metadata (member/cluster ID) differs from the first segment's: segments "
		              "from different members or clusters were mixed (etcd: \"conflicting metadata found\")");
	}
}

/* Record decode into the item: a decodable record, its CRC verdict, typed payload and the
 * checks on it; the cursor moves past its frame. */
static void emit_record(ea_wal *w, const frame_t *fr, ea_wal_item *item)
{
	seg_t *s = &w->segs[w->cur];
	const ea_pb_record *r = &fr->r;
	memset(item, 0, sizeof *item);
	item->kind = EA_WAL_ITEM_RECORD;
	ea_wal_record *out = &item->rec;
	*out = (ea_wal_record){ .file = s->file, .segment = w->cur, .offset = fr->off, .length = fr->rec,
	                        .type = r->type, .crc = r->crc, .data = r->data, .data_len = r->data_len };
	if (fr->bad_type) {
		queue_problem(w, EA_SEV_ERROR, "unknown-record-type", s->file, fr->off, frame_len(fr),
		              "record type %" PRId64 " is not one etcd writes (1..5); etcd fails with "
		              "\"unexpected block type\"", r->type);
		out->crc_ok = -1;
	} else if (r->type == EA_WAL_CRC) {
		out->crc_ok = crc_record_chain(w, fr);
	} else {
		out->crc_ok = data_record_chain(w, fr);
	}
	fill_typed(out);
	if (!out->decoded && !fr->bad_type && r->type != EA_WAL_CRC)
		queue_problem(w, EA_SEV_ERROR, "undecodable-payload", s->file, fr->off, frame_len(fr),
		              "the %s record's data does not decode", ea_wal_record_type_name(r->type));
	if (r->type == EA_WAL_METADATA && out->decoded) check_metadata(w, fr);
	/* a trusted segment had no problem in the earlier pass: its padding was zero then */
	if (fr->pad && !s->trusted && !all_zero(fr->body + fr->rec, (size_t)fr->pad))
		queue_problem(w, EA_SEV_WARNING, "padding-not-zero", s->file, fr->off, frame_len(fr),
		              "the %" PRIu64 " padding bytes after the record are not zero (etcd writes zeros "
		              "and never reads them): bytes were changed here", fr->pad);
	s->pub.records++;
	w->pos = fr->off + frame_len(fr);
	s->pub.used_bytes = w->pos;
}

/* Frame read: one step at the cursor of the current (open) segment. 1 when *item holds a
 * record; 0 when the step only queued problems or moved the cursor. */
static int read_step(ea_wal *w, ea_wal_item *item)
{
	seg_t *s = &w->segs[w->cur];
	uint64_t size = s->pub.size, off = w->pos;
	int ioerr = 0;
	if (size == 0) { skip_empty_segments(w); return 0; }
	if (off + 8 > size) { finish_short_tail(w, off); return 0; }
	const uint8_t *p = window(w, off, 8, &ioerr);
	if (!p) {
		read_error(w, s->file, off, "cannot read the segment");
		finish_segment(w, off);
		return 0;
	}
	uint64_t lw;
	memcpy(&lw, p, 8);
	lw = le64toh(lw);
	if (lw == 0) { zero_length_word(w, off); return 0; }
	frame_t fr;
	fr.off = off;
	if (!frame_plausible(lw, off, size, &fr.rec, &fr.pad)) { implausible_length(w, off, lw); return 0; }
	fr.body = window(w, off + 8, (size_t)(fr.rec + fr.pad), &ioerr);
	if (!fr.body) {
		read_error(w, s->file, off, "cannot read the record");
		finish_segment(w, off);
		return 0;
	}
	decode_frame(w, s, &fr);
	if ((fr.dec != 0 || fr.crc_ok == 0) && damaged_frame(w, &fr)) return 0;
	emit_record(w, &fr, item);
	return 1;
}

int ea_wal_next(ea_wal *w, ea_wal_item *item)
{
	for (;;) {
		if (w->npending) return emit_pending(w, item);
		if (w->have_record_pending) {
			w->have_record_pending = 0;
			*item = w->record_pending;
			return EA_OK;
		}
		if (w->cur >= w->nsegs) return EA_ITEROVER;
		if (!w->seg_open) open_segment(w);
		if (!read_step(w, item)) continue;
		if (w->npending) {
			/* problems about this record go first; the record follows */
			w->record_pending = *item;
			w->have_record_pending = 1;
			return emit_pending(w, item);
		}
		return EA_OK;
	}
}

void ea__wal_clean_segments(const ea_wal *w, uint8_t *clean)
{
	for (size_t i = 0; i < w->nsegs; i++) clean[i] = i < w->cur && w->segs[i].problems == 0;   /* read to its end */
}

void ea__wal_trust_segments(ea_wal *w, const uint8_t *clean, size_t n)
{
	for (size_t i = 0; i < w->nsegs && i < n; i++) w->segs[i].trusted = clean[i];
}
