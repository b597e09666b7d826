/* stream.c: the members of a compressed archive that are not staged (its WAL segments, in name
 * order): read through one forward-only libarchive reader per input. A read at or after the
 * reader's position decompresses on to it; the last RING bytes of the current member are kept,
 * so the small back-reads of the WAL reader (a record straddling its read window) never reopen;
 * a read further back, or of an earlier member, reopens the archive and skips to the member
 * (each WAL pass decompresses the archive again: CPU instead of disk). After EA__MAX_REOPEN
 * reopens the streamed members are staged after all (archive.c), so a reader that jumps
 * around (a replay re-reading old values) costs disk once instead of a pass per jump. */
#include "input_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING (8u << 20)

typedef struct ea__stream ea__stream;

struct ea__stream {
	pthread_mutex_t mu;
	struct archive *a;
	uint64_t ord;      /* entry number of the current header (0: none read yet) */
	uint64_t pos;      /* bytes of the current member decompressed so far */
	int ended;         /* the current member's data is over (1 EOF, -1 damaged) */
	unsigned reopens;
	int stage_failed;  /* staging them after EA__MAX_REOPEN failed (the cap, TMPDIR): EIO */
	char why[512];     /* that staging's error message, for the readers' read-error problems */
	uint8_t *ring;     /* byte p of the member (pos - RING <= p < pos) at ring[p % RING] */
};

void ea__stream_free(ea_input *in)
{
	ea__stream *s = in->stream;
	if (!s) return;
	if (s->a) archive_read_free(s->a);
	pthread_mutex_destroy(&s->mu);
	free(s->ring);
	free(s);
	in->stream = NULL;
}

static ea__stream *get_stream(ea_input *in)
{
	if (in->stream) return in->stream;
	if (in->lock_ok) pthread_mutex_lock(&in->lock);
	if (!in->stream) {
		ea__stream *s = calloc(1, sizeof *s);
		if (s && !(s->ring = malloc(RING))) { free(s); s = NULL; }
		if (s) pthread_mutex_init(&s->mu, NULL);
		in->stream = s;
	}
	if (in->lock_ok) pthread_mutex_unlock(&in->lock);
	return in->stream;
}

static int reopen(ea_input *in, ea__stream *s)
{
	if (s->a) archive_read_free(s->a);
	s->a = archive_read_new();
	s->ord = s->pos = 0;
	s->ended = 0;
	if (!s->a) return EA_ENOMEM;
	archive_read_support_filter_all(s->a);
	archive_read_support_format_all(s->a);
	if (archive_read_open_filename(s->a, in->path, 1 << 20) != ARCHIVE_OK) {
		archive_read_free(s->a);
		s->a = NULL;
		return EA_EIO;
	}
	return EA_OK;
}

/* Appends member bytes [pos, pos+n) to the ring, copying what falls in [lo, hi) to dst + (p - lo). */
static void feed(ea__stream *s, const uint8_t *p, size_t n, uint8_t *dst, uint64_t lo, uint64_t hi)
{
	uint64_t a = s->pos > lo ? s->pos : lo, b = s->pos + n < hi ? s->pos + n : hi;
	if (a < b) memcpy(dst + (a - lo), p + (a - s->pos), (size_t)(b - a));
	size_t k = n > RING ? RING : n;
	for (uint64_t q = s->pos + n - k; k; ) {
		size_t at = (size_t)(q % RING), m = RING - at < k ? RING - at : k;
		memcpy(s->ring + at, p + (q - s->pos), m);
		q += m; k -= m;
	}
	s->pos += n;
}

/* Decompresses the current member on until pos >= hi or its data ends. */
static int advance(ea__stream *s, uint8_t *dst, uint64_t lo, uint64_t hi)
{
	static const uint8_t zero[65536];
	while (s->pos < hi && !s->ended) {
		const void *blk;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(s->a, &blk, &len, &off);
		if (r == ARCHIVE_EOF) { s->ended = 1; break; }
		if (r != ARCHIVE_OK || off < 0 || (uint64_t)off < s->pos) { s->ended = -1; break; }
		while (s->pos < (uint64_t)off) {   /* a hole of a sparse member */
			uint64_t z = (uint64_t)off - s->pos;
			feed(s, zero, z < sizeof zero ? (size_t)z : sizeof zero, dst, lo, hi);
		}
		feed(s, blk, len, dst, lo, hi);
	}
	return EA_OK;
}

/* Positions the reader on entry `ord` at or before byte `off`, reopening when needed. */
static int position(ea_input *in, ea__stream *s, uint64_t ord, uint64_t off)
{
	uint64_t kept = s->pos < RING ? s->pos : RING;
	if (!s->a || s->ord > ord || (s->ord == ord && off < s->pos - kept)) {
		if (s->a && ++s->reopens > EA__MAX_REOPEN) return EA_ELIMIT;
		int rc = reopen(in, s);
		if (rc) return rc;
	}
	while (s->ord < ord) {
		struct archive_entry *ent;
		int r = archive_read_next_header(s->a, &ent);
		if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL) return EA_EIO;
		s->ord++;
		s->pos = 0;
		s->ended = 0;
	}
	return EA_OK;
}

long ea__stream_pread(ea_input *in, ea_input_entry *e, void *buf, size_t len, uint64_t off)
{
	ea__stream *s = get_stream(in);
	if (!s) return EA_ENOMEM;
	pthread_mutex_lock(&s->mu);
	if (e->where != EA__AT_STREAM) {   /* staged meanwhile (by another thread) */
		pthread_mutex_unlock(&s->mu);
		return ea__entry_pread(in, e, buf, len, off);
	}
	int rc = position(in, s, e->data_ord, off);
	if (rc == EA_ELIMIT) {
		ea_error err = { 0 };
		rc = s->stage_failed ? EA_EIO : ea__archive_stage_streamed(in, &err);
		if (rc && !s->stage_failed)
			snprintf(s->why, sizeof s->why, "%s", err.msg[0] ? err.msg : "cannot stage the streamed WAL members");
		s->stage_failed = rc != EA_OK;
		pthread_mutex_unlock(&s->mu);
		return rc ? EA_EIO : ea__entry_pread(in, e, buf, len, off);
	}
	uint8_t *dst = buf;
	uint64_t end = off + len, got = off;
	while (rc == EA_OK && got < end && got < s->pos) {   /* kept bytes */
		size_t at = (size_t)(got % RING), m = RING - at;
		if (m > s->pos - got) m = (size_t)(s->pos - got);
		if (m > end - got) m = (size_t)(end - got);
		memcpy(dst + (got - off), s->ring + at, m);
		got += m;
	}
	if (rc == EA_OK && got < end) advance(s, dst, off, end);
	long out = rc ? rc : EA_OK;
	if (rc == EA_OK) {
		uint64_t have = s->pos < end ? s->pos : end;
		if (have < end && s->ended == 1) {   /* a trailing hole, as the staging file has it */
			memset(dst + (have - off), 0, (size_t)(end - have));
			have = end;
		}
		out = have > off ? (long)(have - off) : (s->ended < 0 ? EA_EIO : 0);
		ea__input_count_bytes((uint64_t)(have > off ? have - off : 0));
	}
	pthread_mutex_unlock(&s->mu);
	return out;
}

const char *ea_input_read_error(ea_input *in)
{
	ea__stream *s = in ? in->stream : NULL;
	if (!s) return NULL;
	pthread_mutex_lock(&s->mu);
	const char *why = s->stage_failed && s->why[0] ? s->why : NULL;   /* set once, never changed */
	pthread_mutex_unlock(&s->mu);
	return why;
}
