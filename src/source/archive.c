/* archive.c: archive backend (tar, tar.gz, tar.zst, ... through libarchive). The archive is
 * read once, sequentially; regular members are staged into one anonymous temporary file
 * (tmpfile(): unlinked, under the system temp dir, never next to the input), writing only
 * non-zero blocks so etcd's preallocated zero tails stay sparse. A damaged archive keeps
 * every member read before the damage and records a problem. */
#include "input_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MEMBER_SIZE (UINT64_C(1) << 40)   /* 1 TiB claimed: refuse, it is not a data dir */
#define ZERO_BLOCK 65536

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

static int write_all(int fd, const char *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0) { if (errno == EINTR) continue; return EA_EIO; }
		p += w; n -= (size_t)w; off += (uint64_t)w;
	}
	return EA_OK;
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

int ea__input_open_archive(ea_input *in, ea_error *err)
{
	FILE *tmp = tmpfile();
	if (!tmp) {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
		              "cannot create a temporary staging file: %s", strerror(errno));
		return EA_EIO;
	}
	in->stage_fd = dup(fileno(tmp));
	fclose(tmp);
	if (in->stage_fd < 0) return EA_EIO;

	struct archive *a = archive_read_new();
	if (!a) return EA_ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, in->path, 1 << 20) != ARCHIVE_OK) {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
		              "cannot read archive: %s", archive_error_string(a));
		archive_read_free(a);
		return EA_EIO;
	}
	uint64_t stage_end = 0;
	int rc = EA_OK, members = 0;
	struct archive_entry *ent;
	for (;;) {
		int r = archive_read_next_header(a, &ent);
		if (r == ARCHIVE_EOF) break;
		if (r == ARCHIVE_FATAL) {
			if (members == 0) {
				ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, in->path, EA_NO_OFFSET,
				              "not a readable archive: %s", archive_error_string(a));
				rc = EA_EIO;
			} else {
				rc = ea__input_problem(in, EA_SEV_ERROR, "archive-damaged", NULL, EA_NO_OFFSET,
				                       "archive %s is damaged after %d members: %s", in->path,
				                       members, archive_error_string(a));
			}
			break;
		}
		members++;
		if (archive_entry_filetype(ent) != AE_IFREG) continue;
		char name[4096];
		const char *raw = archive_entry_pathname(ent);
		if (!raw || ea__input_clean_name(raw, name, sizeof name) != 0) {
			rc = ea__input_problem(in, EA_SEV_WARNING, "archive-bad-name", NULL, EA_NO_OFFSET,
			                       "archive member with an unsafe or empty name skipped: %s",
			                       raw ? raw : "(none)");
			if (rc) break;
			continue;
		}
		int64_t claimed = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : 0;
		if (claimed < 0 || (uint64_t)claimed > MAX_MEMBER_SIZE) {
			rc = ea__input_problem(in, EA_SEV_ERROR, "archive-member-too-large", name,
			                       EA_NO_OFFSET, "member claims %lld bytes; skipped",
			                       (long long)claimed);
			if (rc) break;
			continue;
		}
		uint64_t base = (stage_end + 4095) & ~UINT64_C(4095);
		uint64_t size = 0;
		const void *blk;
		size_t len;
		la_int64_t off;
		int dr;
		while ((dr = archive_read_data_block(a, &blk, &len, &off)) == ARCHIVE_OK) {
			if (off < 0 || (uint64_t)off + len > MAX_MEMBER_SIZE) { dr = ARCHIVE_FATAL; break; }
			const char *p = blk;
			size_t done = 0;
			while (done < len) {
				size_t k = len - done < ZERO_BLOCK ? len - done : ZERO_BLOCK;
				if (!all_zero(p + done, k) &&
				    write_all(in->stage_fd, p + done, k, base + (uint64_t)off + done) != EA_OK) {
					ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, name, EA_NO_OFFSET,
					              "cannot write the staging file: %s", strerror(errno));
					archive_read_free(a);
					return EA_EIO;
				}
				done += k;
				ea__input_count_bytes(k);
			}
			if ((uint64_t)off + len > size) size = (uint64_t)off + len;
		}
		if ((uint64_t)claimed > size) size = (uint64_t)claimed;  /* trailing sparse hole */
		stage_end = base + size;
		if (dr != ARCHIVE_EOF) {
			rc = ea__input_problem(in, EA_SEV_ERROR, "archive-damaged", name, size,
			                       "archive member is cut short or damaged: %s; kept what was read",
			                       archive_error_string(a));
			if (rc == EA_OK)
				rc = ea__input_add(in, name, size, (int64_t)archive_entry_mtime(ent), NULL, base);
			break;
		}
		rc = ea__input_add(in, name, size, (int64_t)archive_entry_mtime(ent), NULL, base);
		if (rc) break;
	}
	archive_read_free(a);
	if (rc == EA_OK || rc == EA_ENOMEM) {
		if (rc == EA_OK && ftruncate(in->stage_fd, (off_t)((stage_end + 4095) & ~UINT64_C(4095))) != 0)
			rc = EA_EIO;
	}
	return rc;
}
