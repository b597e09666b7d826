/* archive.c: archive backend (tar, tar.gz, tar.zst, ... through libarchive). The archive is
 * read once, sequentially, at open. Where its members' bytes are read from afterwards:
 * - an uncompressed tar: in place, from the archive file itself (opened O_RDONLY), at the data
 *   offset libarchive reports, verified against the first data block it returns; sparse
 *   members, and any member whose offset does not verify, are staged;
 * - a compressed archive: its WAL segments, when they appear in name order (the order a WAL
 *   pass reads them), are decompressed again on demand (stream.c: CPU instead of disk); every
 *   other member (db, .snap, ...) is staged;
 * - staged: one anonymous temporary file (stage.c: unlinked, under $TMPDIR, never next to the
 *   input, capped), holding only non-zero blocks so etcd's preallocated zero tails stay sparse.
 * A damaged archive keeps every member read before the damage and records a problem. Hardlink
 * members are resolved to the entry they name (archive_links.c), symlinks and devices are
 * skipped with a warning, and members with the same name are resolved or refused there too.
 * Entry count and name bytes are capped so a tiny archive of many headers cannot take the
 * memory. */
#include "input_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_MEMBER_SIZE (UINT64_C(1) << 40)   /* 1 TiB claimed: refuse, it is not a data dir */
#define ZERO_BLOCK 65536
#define MAX_ENTRIES 65536                      /* headers of any type: a data dir has dozens */
#define MAX_NAME_BYTES (UINT64_C(8) << 20)     /* member names kept in memory */

enum { AR_INPLACE = 1, AR_STREAM = 2 };        /* what a reading of the archive may do */
#define AR_RESTART_INPLACE 1001   /* read again without AR_INPLACE (an offset did not verify) */
#define AR_RESTART_STREAM 1002    /* read again without AR_STREAM (WAL members out of order) */

/* One reading of the archive. */
typedef struct {
	int mode;
	uint64_t ordinal, name_bytes, arch_size;
	char last_wal[4096];       /* the last streamed WAL member's name */
	ea__links links;
} rd_ctx;

static int all_zero(const char *p, size_t n)
{
	static const char z[ZERO_BLOCK];
	while (n) {
		size_t k = n < sizeof z ? n : sizeof z;
		if (memcmp(p, z, k) != 0) return 0;
		p += k; n -= k;
	}
	return 1;
}

/* Normalise a member name: drop leading "/" and "./", refuse ".." components. */
int ea__input_clean_name(const char *raw, char *out, size_t cap)
{
	while (*raw == '/') raw++;
	while (raw[0] == '.' && raw[1] == '/') { raw += 2; while (*raw == '/') raw++; }
	size_t n = strlen(raw);
	if (n == 0 || n >= cap) return -1;
	memcpy(out, raw, n + 1);
	while (n > 0 && out[n - 1] == '/') out[--n] = 0;
	for (char *p = out; *p; ) {
		char *s = strchr(p, '/');
		size_t l = s ? (size_t)(s - p) : strlen(p);
		if (l == 2 && p[0] == '.' && p[1] == '.') return -1;
		p += l + (s ? 1 : 0);
		if (!s) break;
	}
	return n ? 0 : -1;
}

int ea__is_wal_segment_name(const char *name)
{
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	if (strlen(b) != 37 || b[16] != '-' || strcmp(b + 33, ".wal") != 0) return 0;
	for (int i = 0; i < 33; i++)
		if (i != 16 && !strchr("0123456789abcdef", b[i])) return 0;
	return 1;
}

/* Stages one regular member's data at a 4 KiB-aligned offset (only reads it through when
 * !stage: a streamed member); *size gets its length and *damaged whether the data ended in an
 * archive error. EA_OK or a fatal error (set in err). */
static int stage_data(ea_input *in, struct archive *a, struct archive_entry *ent,
                      const char *name, uint64_t base, uint64_t *size, int *damaged, int stage,
                      ea_error *err)
{
	int64_t claimed = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
	const void *blk;
	size_t len;
	la_int64_t off;
	int dr;
	*size = 0;
	if (stage && in->stage_fd < 0 && (in->stage_fd = ea__stage_open(in->path, err)) < 0) {
		in->stage_failed = 1;
		return EA_EIO;
	}
	while ((dr = archive_read_data_block(a, &blk, &len, &off)) == ARCHIVE_OK) {
		if (off < 0 || (uint64_t)off + len > MAX_MEMBER_SIZE) { dr = ARCHIVE_FATAL; break; }
		const char *p = blk;
		for (size_t done = 0; done < len; ) {
			size_t k = len - done < ZERO_BLOCK ? len - done : ZERO_BLOCK;
			if (stage && !all_zero(p + done, k)) {
				int rc = ea__stage_write(in, name, p + done, k, base + (uint64_t)off + done, err);
				if (rc) return rc;
			}
			done += k;
			ea__input_count_bytes(k);
		}
		if ((uint64_t)off + len > *size) *size = (uint64_t)off + len;
	}
	if (claimed > 0 && (uint64_t)claimed > *size) *size = (uint64_t)claimed;  /* trailing hole */
	*damaged = dr != ARCHIVE_EOF;
	return EA_OK;
}

/* An entry that is not a regular file with data: a hardlink is queued for resolution, a
 * symlink or device is skipped with a warning, a directory silently. */
static int note_other(ea_input *in, struct archive_entry *ent, const char *name,
                      uint64_t ordinal, uint64_t hdr_off, ea__links *links)
{
	const char *hl = archive_entry_hardlink(ent);
	if (hl) return ea__links_add(in, links, name, hl, ordinal, hdr_off, archive_entry_mtime(ent));
	mode_t t = archive_entry_filetype(ent);
	if (t == AE_IFDIR) return EA_OK;
	if (t == AE_IFLNK) {
		const char *to = archive_entry_symlink(ent);
		return ea__input_problem(in, EA_SEV_WARNING, "archive-symlink", name, EA_NO_OFFSET,
		                         "archive entry #%" PRIu64 " is a symbolic link to '%s': not followed "
		                         "(extract the archive and give the directory if etcd used it)",
		                         ordinal, to ? to : "");
	}
	return ea__input_problem(in, EA_SEV_WARNING, "archive-not-regular", name, EA_NO_OFFSET,
	                         "archive entry #%" PRIu64 " is not a regular file (type 0%o); skipped",
	                         ordinal, (unsigned)t);
}

/* A plain member of an uncompressed tar whose bytes lie verbatim in the archive file: its data
 * offset, verified (the first data block libarchive returns equals the bytes there) and the
 * member skipped. 1 (in place, *data_off set), 0 (not whole in the file: stage it as ever, which
 * reports the damage), or AR_RESTART_INPLACE (the offset did not verify; nothing kept). */
static int in_place(ea_input *in, struct archive *a, const rd_ctx *c, uint64_t claimed,
                    uint64_t *data_off)
{
	int64_t pos = archive_filter_bytes(a, 0);
	uint64_t pad = (512 - claimed % 512) % 512;
	if (pos < 0 || (uint64_t)pos > c->arch_size || claimed > c->arch_size - (uint64_t)pos ||
	    pad > c->arch_size - (uint64_t)pos - claimed)
		return 0;
	const void *blk;
	size_t len;
	la_int64_t off;
	if (archive_read_data_block(a, &blk, &len, &off) != ARCHIVE_OK || off != 0 || len == 0 ||
	    len > claimed)
		return AR_RESTART_INPLACE;
	char *cmp = malloc(len);
	int same = cmp && pread(in->arch_fd, cmp, len, (off_t)pos) == (ssize_t)len && memcmp(cmp, blk, len) == 0;
	free(cmp);
	if (!same || archive_read_data_skip(a) != ARCHIVE_OK ||
	    archive_filter_bytes(a, 0) != pos + (int64_t)(claimed + pad))
		return AR_RESTART_INPLACE;
	*data_off = (uint64_t)pos;
	return 1;
}

/* Records the member just added: its entry number, header offset and where its bytes are. */
static void place(ea_input *in, uint64_t ordinal, uint64_t hdr_off, int where, uint64_t size)
{
	ea_input_entry *e = &in->files[in->count - 1];
	e->ordinal = ordinal;
	e->hdr_off = hdr_off;
	e->where = where;
	e->data_ord = ordinal;
	if (where == EA__AT_ARCHIVE) { in->inplace_n++; in->inplace_bytes += size; }
	else if (where == EA__AT_STREAM) { in->stream_n++; in->stream_bytes += size; }
	else in->staged_n++;
}

/* One header: checks, stages (reads in place, streams) or queues it. Returns EA_OK,
 * EA_ITEROVER (stop reading: the archive is damaged past this point, recorded), AR_RESTART_*
 * or a fatal error. */
static int read_member(ea_input *in, struct archive *a, struct archive_entry *ent, rd_ctx *c,
                       ea_error *err)
{
	uint64_t hdr_off = (uint64_t)archive_read_header_position(a), ordinal = c->ordinal;
	char name[4096];
	const char *raw = archive_entry_pathname(ent);
	if (!raw || ea__input_clean_name(raw, name, sizeof name) != 0) {
		if (archive_entry_filetype(ent) == AE_IFDIR) return EA_OK;   /* "./" itself */
		return ea__input_problem(in, EA_SEV_WARNING, "archive-bad-name", NULL, EA_NO_OFFSET,
		                         "archive entry #%" PRIu64 " with an unsafe or empty name skipped: %s",
		                         ordinal, raw ? raw : "(none)");
	}
	c->name_bytes += strlen(name) + 1;
	int has_data = archive_entry_size_is_set(ent) && archive_entry_size(ent) > 0;
	if (archive_entry_filetype(ent) != AE_IFREG || (archive_entry_hardlink(ent) && !has_data))
		return note_other(in, ent, name, ordinal, hdr_off, &c->links);
	int64_t claimed = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
	if (claimed < 0 || (uint64_t)claimed > MAX_MEMBER_SIZE)
		return ea__input_problem(in, EA_SEV_ERROR, "archive-member-too-large", name,
		                         EA_NO_OFFSET, "member claims %lld bytes; skipped", (long long)claimed);
	int64_t mtime = (int64_t)archive_entry_mtime(ent);
	uint64_t data_off;
	int rc = (c->mode & AR_INPLACE) && claimed > 0 && archive_entry_sparse_count(ent) == 0
	         ? in_place(in, a, c, (uint64_t)claimed, &data_off) : 0;
	if (rc == 1) {
		rc = ea__input_add(in, name, (uint64_t)claimed, mtime, NULL, data_off);
		if (rc == EA_OK) place(in, ordinal, hdr_off, EA__AT_ARCHIVE, (uint64_t)claimed);
		return rc;
	}
	if (rc) return rc;
	int stream = (c->mode & AR_STREAM) && ea__is_wal_segment_name(name);
	if (stream && c->last_wal[0] && strcmp(name, c->last_wal) <= 0) {
		in->stream_why = "its WAL members are not in name order";
		return AR_RESTART_STREAM;
	}
	if (stream) snprintf(c->last_wal, sizeof c->last_wal, "%s", name);
	uint64_t base = stream ? 0 : (in->stage_end + 4095) & ~UINT64_C(4095), size;
	int damaged;
	rc = stage_data(in, a, ent, name, base, &size, &damaged, !stream, err);
	if (rc) return rc;
	if (!stream) in->stage_end = base + size;
	if (damaged)
		rc = ea__input_problem(in, EA_SEV_ERROR, "archive-damaged", name, size,
		                       "archive member is cut short or damaged: %s; kept what was read",
		                       archive_error_string(a));
	if (rc == EA_OK) rc = ea__input_add(in, name, size, mtime, NULL, base);
	if (rc == EA_OK) place(in, ordinal, hdr_off, stream ? EA__AT_STREAM : EA__AT_STAGE, size);
	return rc ? rc : damaged ? EA_ITEROVER : EA_OK;
}

static struct archive *open_reader(ea_input *in, ea_error *err)
{
	struct archive *a = archive_read_new();
	if (!a) return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, in->path, 1 << 20) != ARCHIVE_OK) {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
		              "cannot read archive: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* At the first header: an uncompressed tar is read in place (the archive file opened
 * O_RDONLY), any other archive streams its WAL members. */
static int choose_mode(ea_input *in, struct archive *a, rd_ctx *c)
{
	int tar = (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
	if (archive_filter_count(a) == 1 && archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE && tar) {
		c->mode &= ~AR_STREAM;
		struct stat st;
		if (in->arch_fd < 0) in->arch_fd = open(in->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (in->arch_fd < 0 || fstat(in->arch_fd, &st) != 0 || !S_ISREG(st.st_mode)) c->mode &= ~AR_INPLACE;
		else c->arch_size = (uint64_t)st.st_size;
	} else {
		c->mode &= ~AR_INPLACE;
	}
	return EA_OK;
}

static int read_all(ea_input *in, struct archive *a, rd_ctx *c, ea_error *err)
{
	struct archive_entry *ent;
	for (;;) {
		int r = archive_read_next_header(a, &ent);
		if (r == ARCHIVE_EOF) return EA_OK;
		if (r == ARCHIVE_FATAL) {
			if (c->ordinal == 0) {
				ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
				              "not a readable archive: %s", archive_error_string(a));
				return EA_EIO;
			}
			return ea__input_problem(in, EA_SEV_ERROR, "archive-damaged", NULL, EA_NO_OFFSET,
			                         "archive %s is damaged after %" PRIu64 " members: %s", in->path,
			                         c->ordinal, archive_error_string(a));
		}
		if (c->ordinal == 0) choose_mode(in, a, c);
		if (++c->ordinal > MAX_ENTRIES || c->name_bytes > MAX_NAME_BYTES)
			return ea__input_problem(in, EA_SEV_ERROR, "archive-too-many-members", NULL, EA_NO_OFFSET,
			                         "archive %s has more than %d entries or %" PRIu64 " MiB of member "
			                         "names: not an etcd data dir; entries from #%" PRIu64 " on were "
			                         "not read", in->path, MAX_ENTRIES, MAX_NAME_BYTES >> 20, c->ordinal);
		int rc = read_member(in, a, ent, c, err);
		if (rc == EA_ITEROVER) return EA_OK;
		if (rc) return rc;
	}
}

/* Forgets a reading given up (AR_RESTART_*): members, problems, staged bytes. */
static void reset(ea_input *in)
{
	for (size_t i = 0; i < in->count; i++) { free(in->files[i].name); free(in->files[i].ospath); }
	in->count = 0;
	for (size_t i = 0; i < in->problem_count; i++) ea_problem_owned_free(&in->problems[i]);
	in->problem_count = 0;
	in->problems_dropped = 0;
	if (in->stage_fd >= 0) close(in->stage_fd);
	in->stage_fd = -1;
	ea__stage_release(in->staged);
	in->staged = in->stage_end = in->inplace_bytes = in->stream_bytes = 0;
	in->staged_n = in->inplace_n = in->stream_n = 0;
}

static int read_once(ea_input *in, int mode, ea_error *err)
{
	struct archive *a = open_reader(in, err);
	if (!a) return err && err->code ? err->code : EA_ENOMEM;
	rd_ctx *c = calloc(1, sizeof *c);
	if (!c) { archive_read_free(a); return EA_ENOMEM; }
	c->mode = mode;
	int rc = read_all(in, a, c, err);
	archive_read_free(a);
	if (rc == EA_OK) rc = ea__links_resolve(in, &c->links);
	ea__links_free(&c->links);
	free(c);
	return rc;
}

/* Sizes the staging file to the end of the last staged member (its trailing holes). */
static int size_stage(ea_input *in, ea_error *err)
{
	if (in->stage_fd < 0 || ftruncate(in->stage_fd, (off_t)((in->stage_end + 4095) & ~UINT64_C(4095))) == 0)
		return EA_OK;
	ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
	              "cannot size the staging file in %s: %s", ea__stage_dir(), strerror(errno));
	return EA_EIO;
}

int ea__input_open_archive(ea_input *in, ea_error *err)
{
	int mode = AR_INPLACE | AR_STREAM, rc;
	while ((rc = read_once(in, mode, err)) == AR_RESTART_INPLACE || rc == AR_RESTART_STREAM) {
		reset(in);
		mode &= rc == AR_RESTART_INPLACE ? ~AR_INPLACE : ~AR_STREAM;
	}
	if (rc == EA_OK) rc = ea__input_dedup(in, err);
	if (rc == EA_OK) rc = size_stage(in, err);
	return rc;
}

/* Finds the entry number `ord` of a new reader of the archive; 0 when there, else -1. */
static int seek_entry(struct archive *a, uint64_t *at, uint64_t ord, struct archive_entry **ent)
{
	while (*at < ord) {
		int r = archive_read_next_header(a, ent);
		if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL) return -1;
		++*at;
	}
	return 0;
}

int ea__archive_stage_streamed(ea_input *in, ea_error *err)
{
	struct archive *a = open_reader(in, err);
	if (!a) return EA_EIO;
	uint64_t at = 0;
	int rc = EA_OK;
	for (;;) {
		uint64_t ord = 0;   /* the next streamed entry number */
		for (size_t i = 0; i < in->count; i++)
			if (in->files[i].where == EA__AT_STREAM && (!ord || in->files[i].data_ord < ord)) ord = in->files[i].data_ord;
		if (!ord) break;
		struct archive_entry *ent;
		if (ord <= at || seek_entry(a, &at, ord, &ent) != 0) {
			ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET, "archive %s ended before "
			              "entry #%" PRIu64 " while staging its streamed members", in->path, ord);
			rc = EA_EIO;
			break;
		}
		uint64_t base = (in->stage_end + 4095) & ~UINT64_C(4095), size;
		int damaged;
		if ((rc = stage_data(in, a, ent, in->path, base, &size, &damaged, 1, err)) != EA_OK) break;
		in->stage_end = base + size;
		in->staged_n++;
		for (size_t i = 0; i < in->count; i++)
			if (in->files[i].where == EA__AT_STREAM && in->files[i].data_ord == ord) {
				in->files[i].where = EA__AT_STAGE;
				in->files[i].stage_off = base;
			}
	}
	archive_read_free(a);
	if (rc == EA_OK) rc = size_stage(in, err);
	in->stream_n = 0;
	in->stream_bytes = 0;
	in->stream_why = "its WAL members were read out of order too often";
	if (rc == EA_OK) ea__stage_noted(in, 1);
	return rc;
}
