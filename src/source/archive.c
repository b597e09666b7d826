/* archive.c: archive backend (tar, tar.gz, tar.zst, ... through libarchive). The archive is
 * read once, sequentially; regular members are staged into one anonymous temporary file
 * (stage.c: unlinked, under $TMPDIR, never next to the input, capped), writing only
 * non-zero blocks so etcd's preallocated zero tails stay sparse. A damaged archive keeps
 * every member read before the damage and records a problem. Hardlink members are
 * resolved to the entry they name (archive_links.c), symlinks and devices are skipped with a
 * warning, and members with the same name are resolved or refused there too. Entry count
 * and name bytes are capped so a tiny archive of many headers cannot take the memory. */
#include "input_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MEMBER_SIZE (UINT64_C(1) << 40)   /* 1 TiB claimed: refuse, it is not a data dir */
#define ZERO_BLOCK 65536
#define MAX_ENTRIES 65536                      /* headers of any type: a data dir has dozens */
#define MAX_NAME_BYTES (UINT64_C(8) << 20)     /* member names kept in memory */

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

/* Stages one regular member's data at a 4 KiB-aligned offset; *size gets its length and
 * *damaged whether the data ended in an archive error. EA_OK or a fatal error (set in err). */
static int stage_data(ea_input *in, struct archive *a, struct archive_entry *ent,
                      const char *name, uint64_t base, uint64_t *size, int *damaged, ea_error *err)
{
	int64_t claimed = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
	const void *blk;
	size_t len;
	la_int64_t off;
	int dr;
	*size = 0;
	if (in->stage_fd < 0 && (in->stage_fd = ea__stage_open(in->path, err)) < 0) {
		in->stage_failed = 1;
		return EA_EIO;
	}
	while ((dr = archive_read_data_block(a, &blk, &len, &off)) == ARCHIVE_OK) {
		if (off < 0 || (uint64_t)off + len > MAX_MEMBER_SIZE) { dr = ARCHIVE_FATAL; break; }
		const char *p = blk;
		for (size_t done = 0; done < len; ) {
			size_t k = len - done < ZERO_BLOCK ? len - done : ZERO_BLOCK;
			if (!all_zero(p + done, k)) {
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

/* One header: checks, stages or queues it. Returns EA_OK, EA_ITEROVER (stop reading: the
 * archive is damaged past this point, recorded) or a fatal error. */
static int read_member(ea_input *in, struct archive *a, struct archive_entry *ent,
                       uint64_t ordinal, uint64_t *stage_end, uint64_t *name_bytes,
                       ea__links *links, ea_error *err)
{
	uint64_t hdr_off = (uint64_t)archive_read_header_position(a);
	char name[4096];
	const char *raw = archive_entry_pathname(ent);
	if (!raw || ea__input_clean_name(raw, name, sizeof name) != 0) {
		if (archive_entry_filetype(ent) == AE_IFDIR) return EA_OK;   /* "./" itself */
		return ea__input_problem(in, EA_SEV_WARNING, "archive-bad-name", NULL, EA_NO_OFFSET,
		                         "archive entry #%" PRIu64 " with an unsafe or empty name skipped: %s",
		                         ordinal, raw ? raw : "(none)");
	}
	*name_bytes += strlen(name) + 1;
	int has_data = archive_entry_size_is_set(ent) && archive_entry_size(ent) > 0;
	if (archive_entry_filetype(ent) != AE_IFREG || (archive_entry_hardlink(ent) && !has_data))
		return note_other(in, ent, name, ordinal, hdr_off, links);
	int64_t claimed = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
	if (claimed < 0 || (uint64_t)claimed > MAX_MEMBER_SIZE)
		return ea__input_problem(in, EA_SEV_ERROR, "archive-member-too-large", name,
		                         EA_NO_OFFSET, "member claims %lld bytes; skipped", (long long)claimed);
	uint64_t base = (*stage_end + 4095) & ~UINT64_C(4095), size;
	int damaged, rc = stage_data(in, a, ent, name, base, &size, &damaged, err);
	if (rc) return rc;
	*stage_end = base + size;
	if (damaged)
		rc = ea__input_problem(in, EA_SEV_ERROR, "archive-damaged", name, size,
		                       "archive member is cut short or damaged: %s; kept what was read",
		                       archive_error_string(a));
	if (rc == EA_OK) rc = ea__input_add(in, name, size, (int64_t)archive_entry_mtime(ent), NULL, base);
	if (rc == EA_OK) {
		in->files[in->count - 1].ordinal = ordinal;
		in->files[in->count - 1].hdr_off = hdr_off;
	}
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

static int read_all(ea_input *in, struct archive *a, ea__links *links, uint64_t *stage_end,
                    ea_error *err)
{
	uint64_t ordinal = 0, name_bytes = 0;
	struct archive_entry *ent;
	for (;;) {
		int r = archive_read_next_header(a, &ent);
		if (r == ARCHIVE_EOF) return EA_OK;
		if (r == ARCHIVE_FATAL) {
			if (ordinal == 0) {
				ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
				              "not a readable archive: %s", archive_error_string(a));
				return EA_EIO;
			}
			return ea__input_problem(in, EA_SEV_ERROR, "archive-damaged", NULL, EA_NO_OFFSET,
			                         "archive %s is damaged after %" PRIu64 " members: %s", in->path,
			                         ordinal, archive_error_string(a));
		}
		if (++ordinal > MAX_ENTRIES || name_bytes > MAX_NAME_BYTES)
			return ea__input_problem(in, EA_SEV_ERROR, "archive-too-many-members", NULL, EA_NO_OFFSET,
			                         "archive %s has more than %d entries or %" PRIu64 " MiB of member "
			                         "names: not an etcd data dir; entries from #%" PRIu64 " on were "
			                         "not read", in->path, MAX_ENTRIES, MAX_NAME_BYTES >> 20, ordinal);
		int rc = read_member(in, a, ent, ordinal, stage_end, &name_bytes, links, err);
		if (rc == EA_ITEROVER) return EA_OK;
		if (rc) return rc;
	}
}

int ea__input_open_archive(ea_input *in, ea_error *err)
{
	struct archive *a = open_reader(in, err);
	if (!a) return err && err->code ? err->code : EA_ENOMEM;
	uint64_t stage_end = 0;
	ea__links links = { 0 };
	int rc = read_all(in, a, &links, &stage_end, err);
	archive_read_free(a);
	if (rc == EA_OK) rc = ea__links_resolve(in, &links);
	ea__links_free(&links);
	if (rc == EA_OK) rc = ea__input_dedup(in, err);
	if (rc == EA_OK && in->stage_fd >= 0 && ftruncate(in->stage_fd, (off_t)((stage_end + 4095) & ~UINT64_C(4095))) != 0) {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
		              "cannot size the staging file in %s: %s", ea__stage_dir(), strerror(errno));
		rc = EA_EIO;
	}
	return rc;
}
