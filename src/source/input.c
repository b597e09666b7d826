/* input.c: ea_input, the byte source for everything above it. Decides what PATH is
 * (directory, archive, plain file), keeps the sorted file list, and serves pread()s.
 * Inputs are only ever opened O_RDONLY; nothing is locked or written. */
#include "input_int.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static _Atomic uint64_t bytes_read_total;

uint64_t ea_input_bytes_read(void) { return bytes_read_total; }
void ea__input_count_bytes(uint64_t n) { bytes_read_total += n; }

void ea__set_error(ea_error *err, int code, ea_layer layer, const char *file, uint64_t off,
                   const char *fmt, ...)
{
	if (!err) return;
	err->code = code;
	err->layer = layer;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->offset = off;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

int ea__input_add(ea_input *in, const char *name, uint64_t size, int64_t mtime,
                  const char *ospath, uint64_t stage_off)
{
	if (EA_VEC_GROW(in->files, in->cap, in->count, 64)) return EA_ENOMEM;
	ea_input_entry *e = &in->files[in->count];
	memset(e, 0, sizeof *e);
	e->name = strdup(name);
	e->ospath = ospath ? strdup(ospath) : NULL;
	if (!e->name || (ospath && !e->ospath)) { free(e->name); free(e->ospath); return EA_ENOMEM; }
	e->pub.name = e->name;
	e->pub.size = size;
	e->pub.mtime = mtime;
	e->stage_off = stage_off;
	in->count++;
	return EA_OK;
}

#define MAX_INPUT_PROBLEMS 256   /* then counted: 10^5 hostile members must not be 10^5 records */

int ea__input_problem(ea_input *in, ea_severity sev, const char *kind, const char *file,
                      uint64_t offset, const char *fmt, ...)
{
	if (in->problem_count >= MAX_INPUT_PROBLEMS) { in->problems_dropped++; return EA_OK; }
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (EA_VEC_RESERVE(in->problems, in->problem_count)) return EA_ENOMEM;
	ea_problem pr = { EA_LAYER_SOURCE, sev, kind, file, offset, 0, msg };
	return ea_problem_copy(&in->problems[in->problem_count++], &pr) ? EA_ENOMEM : EA_OK;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const ea_input_entry *)a)->name, ((const ea_input_entry *)b)->name);
}

static int is_archive_name(const char *p)
{
	static const char *ext[] = { ".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz",
	                             ".txz", ".tar.bz2", ".tbz2", ".zip", NULL };
	size_t n = strlen(p);
	for (int i = 0; ext[i]; i++) {
		size_t m = strlen(ext[i]);
		if (n >= m && strcmp(p + n - m, ext[i]) == 0) return 1;
	}
	return 0;
}

/* Archives are recognised by their first bytes too (a tarball renamed by a ticket system). */
static int looks_like_archive(const char *path)
{
	unsigned char b[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return 0;
	ssize_t n = pread(fd, b, sizeof b, 0);
	close(fd);
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return 1;                       /* gzip */
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return 1; /* zstd */
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ", 5) == 0) return 1;                   /* xz */
	if (n >= 3 && memcmp(b, "BZh", 3) == 0) return 1;                           /* bzip2 */
	if (n >= 262 && memcmp(b + 257, "ustar", 5) == 0) return 1;                 /* tar */
	return 0;
}

void ea__input_sort(ea_input *in)
{
	qsort(in->files, in->count, sizeof *in->files, cmp_entry);
}

/* The problems beyond MAX_INPUT_PROBLEMS, as one record. */
static int note_dropped(ea_input *in)
{
	if (!in->problems_dropped) return EA_OK;
	char msg[160];
	snprintf(msg, sizeof msg, "%zu more problems of this input are not listed", in->problems_dropped);
	if (EA_VEC_RESERVE(in->problems, in->problem_count)) return EA_ENOMEM;
	ea_problem pr = { EA_LAYER_SOURCE, EA_SEV_WARNING, "problems-not-listed", NULL, EA_NO_OFFSET, 0, msg };
	return ea_problem_copy(&in->problems[in->problem_count++], &pr) ? EA_ENOMEM : EA_OK;
}

/* PATH#N[,M...] naming an existing archive: splits off the selection. 1 if split, else 0. */
static int split_select(const char *path, char **file, char **sel)
{
	const char *h = strrchr(path, '#');
	struct stat st;
	if (!h || h == path || !h[1] || strspn(h + 1, "0123456789,") != strlen(h + 1)) return 0;
	*file = strndup(path, (size_t)(h - path));
	*sel = strdup(h + 1);
	if (*file && *sel && stat(*file, &st) == 0 && S_ISREG(st.st_mode)) return 1;
	free(*file);
	free(*sel);
	*file = *sel = NULL;
	return 0;
}

int ea_input_open(ea_input **out, const char *path, ea_error *err)
{
	*out = NULL;
	struct stat st;
	char *file = NULL, *sel = NULL;
	if (stat(path, &st) != 0 && !split_select(path, &file, &sel)) {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, path, EA_NO_OFFSET, "cannot open: %s",
		              strerror(errno));
		return EA_EIO;
	}
	if (file) {
		path = file;
		(void)stat(path, &st);
	}
	ea_input *in = calloc(1, sizeof *in);
	if (!in) { free(file); free(sel); return EA_ENOMEM; }
	in->kind = EA_INPUT_ARCHIVE;
	in->stage_fd = -1;
	in->arch_fd = -1;
	in->select = sel;
	in->path = file ? file : strdup(path);
	if (!in->path) { free(in); free(sel); return EA_ENOMEM; }
	pthread_mutex_init(&in->lock, NULL);
	in->lock_ok = 1;
	int rc;
	if (S_ISDIR(st.st_mode)) {
		in->kind = EA_INPUT_DIR;
		rc = ea__input_open_dir(in, err);
	} else if (S_ISREG(st.st_mode) && (is_archive_name(path) || looks_like_archive(path)) &&
	           ((rc = ea__input_open_archive(in, err)) != EA_EIO || is_archive_name(path) ||
	            in->stage_failed || in->select)) {
		/* an archive; a compressed single file (etcd.log.gz) that is not one falls through */
		in->kind = EA_INPUT_ARCHIVE;
	} else if (in->select) {
		ea__set_error(err, EA_EINVAL, EA_LAYER_SOURCE, path, EA_NO_OFFSET,
		              "'#%s' chooses among an archive's entries, and this is not an archive", sel);
		rc = EA_EINVAL;
	} else if (S_ISREG(st.st_mode)) {
		if (in->stage_fd >= 0) { close(in->stage_fd); in->stage_fd = -1; }
		if (in->arch_fd >= 0) { close(in->arch_fd); in->arch_fd = -1; }
		ea__stream_free(in);
		ea__stage_release(in->staged);
		in->staged = 0;
		in->staged_n = in->inplace_n = in->stream_n = 0;
		in->inplace_bytes = in->stream_bytes = 0;
		for (size_t i = 0; i < in->count; i++) { free(in->files[i].name); free(in->files[i].ospath); }
		in->count = 0;
		if (err) memset(err, 0, sizeof *err);
		in->kind = EA_INPUT_FILE;
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		rc = ea__input_add(in, base, (uint64_t)st.st_size, (int64_t)st.st_mtime, path, 0);
	} else {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, path, EA_NO_OFFSET,
		              "not a directory, regular file or archive");
		rc = EA_EIO;
	}
	if (rc == EA_OK) rc = note_dropped(in);
	if (rc < 0) { ea_input_close(in); return rc; }
	if (in->kind == EA_INPUT_ARCHIVE) ea__stage_noted(in, 0);
	if (in->count > 1) ea__input_sort(in);
	*out = in;
	return EA_OK;
}

void ea_input_close(ea_input *in)
{
	if (!in) return;
	for (size_t i = 0; i < in->count; i++) {
		if (in->files[i].map_base) munmap(in->files[i].map_base, in->files[i].map_len);
		free(in->files[i].name);
		free(in->files[i].ospath);
	}
	for (size_t i = 0; i < in->problem_count; i++) ea_problem_owned_free(&in->problems[i]);
	free(in->problems);
	free(in->files);
	if (in->stage_fd >= 0) close(in->stage_fd);
	if (in->arch_fd >= 0) close(in->arch_fd);
	ea__stream_free(in);
	ea__stage_release(in->staged);
	free(in->select);
	ea__fd_close_all(in);
	if (in->lock_ok) pthread_mutex_destroy(&in->lock);
	free(in->path);
	free(in);
}

ea_input_kind ea_input_get_kind(const ea_input *in) { return in->kind; }
const char *ea_input_path(const ea_input *in) { return in->path; }
size_t ea_input_count(const ea_input *in) { return in->count; }
const ea_input_file *ea_input_at(const ea_input *in, size_t i)
{
	return i < in->count ? &in->files[i].pub : NULL;
}
size_t ea_input_problem_count(const ea_input *in) { return in->problem_count; }
const ea_problem *ea_input_problem_at(const ea_input *in, size_t i)
{
	return i < in->problem_count ? &in->problems[i].p : NULL;
}

const ea_problem *ea__input_first_error(const ea_input *in, const char *part)
{
	const ea_problem *first = NULL;
	for (size_t i = 0; i < in->problem_count; i++) {
		const ea_problem *p = &in->problems[i].p;
		if (p->severity != EA_SEV_ERROR) continue;
		if (p->file && strstr(p->file, part)) return p;
		if (!first) first = p;
	}
	return first;
}

long ea_input_find(const ea_input *in, const char *name)
{
	size_t lo = 0, hi = in->count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(in->files[mid].name, name);
		if (c == 0) return (long)mid;
		if (c < 0) lo = mid + 1; else hi = mid;
	}
	return -1;
}

long ea_input_pread(ea_input *in, size_t i, void *buf, size_t len, uint64_t off)
{
	if (i >= in->count) return EA_EINVAL;
	ea_input_entry *e = &in->files[i];
	if (off >= e->pub.size) return 0;
	if (len > e->pub.size - off) len = (size_t)(e->pub.size - off);
	int fd;
	uint64_t base = 0;
	int locked = 0;
	if (e->where == EA__AT_STREAM) return ea__stream_pread(in, e, buf, len, off);
	if (in->kind == EA_INPUT_ARCHIVE || in->kind == EA_INPUT_MEM) {
		fd = e->where == EA__AT_ARCHIVE ? in->arch_fd : in->stage_fd;
		base = e->stage_off;
	} else {
		/* the calling thread's cached descriptor (fdcache.c); the lock is held while it reads */
		if (in->lock_ok) { pthread_mutex_lock(&in->lock); locked = 1; }
		fd = ea__fd_get(in, i);
		if (fd < 0) { if (locked) pthread_mutex_unlock(&in->lock); return EA_EIO; }
	}
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(base + off + got));
		if (n < 0) {
			if (errno == EINTR) continue;
			if (locked) pthread_mutex_unlock(&in->lock);
			return EA_EIO;
		}
		if (n == 0) break;
		got += (size_t)n;
		bytes_read_total += (uint64_t)n;
	}
	if (locked) pthread_mutex_unlock(&in->lock);
	return (long)got;
}

long ea__entry_pread(ea_input *in, ea_input_entry *e, void *buf, size_t len, uint64_t off)
{
	size_t i = (size_t)(e - in->files);
	return i < in->count ? ea_input_pread(in, i, buf, len, off) : EA_EINVAL;
}

void ea__entry_share(ea_input_entry *dst, const ea_input_entry *src)
{
	dst->stage_off = src->stage_off;
	dst->where = src->where;
	dst->data_ord = src->data_ord;
}

const uint8_t *ea__input_map(ea_input *in, size_t i)
{
	if (i >= in->count) return NULL;
	ea_input_entry *e = &in->files[i];
	uint64_t skew = 0;
	if (in->lock_ok) pthread_mutex_lock(&in->lock);
	if (!e->map_base && !e->map_failed) {
		e->map_failed = 1;
		if (e->pub.size == 0 || e->pub.size > SIZE_MAX / 2 || e->where == EA__AT_STREAM) goto out;
		int fd = -1, own = 0;
		uint64_t base = 0;
		if (in->kind == EA_INPUT_ARCHIVE || in->kind == EA_INPUT_MEM) {
			fd = e->where == EA__AT_ARCHIVE ? in->arch_fd : in->stage_fd;
			base = e->stage_off;
		} else {
			fd = open(e->ospath, O_RDONLY | O_CLOEXEC | O_NOCTTY);
			own = 1;
		}
		if (fd < 0) goto out;
		long pg = sysconf(_SC_PAGESIZE);
		skew = base % (uint64_t)(pg > 0 ? pg : 4096);
		size_t len = (size_t)(e->pub.size + skew);
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)(base - skew));
		if (own) close(fd);
		if (p != MAP_FAILED) {
			e->map_base = p;
			e->map_len = len;
			e->map_failed = 0;
		}
	}
out:
	if (in->lock_ok) pthread_mutex_unlock(&in->lock);
	if (!e->map_base) return NULL;
	skew = e->map_len - e->pub.size;
	return (const uint8_t *)e->map_base + skew;
}

int ea__input_data_extent(ea_input *in, size_t i, uint64_t off, uint64_t *data, uint64_t *hole)
{
	if (i >= in->count) return EA_EINVAL;
	ea_input_entry *e = &in->files[i];
	if (e->where == EA__AT_STREAM) return EA_EIO;   /* no holes to tell: read everything */
	int staged = in->kind == EA_INPUT_ARCHIVE || in->kind == EA_INPUT_MEM;
	int fd = !staged ? open(e->ospath, O_RDONLY | O_CLOEXEC | O_NOCTTY)
	       : e->where == EA__AT_ARCHIVE ? in->arch_fd : in->stage_fd;
	uint64_t base = staged ? e->stage_off : 0, end = base + e->pub.size;
	if (fd < 0 || off >= e->pub.size) { if (!staged && fd >= 0) close(fd); return EA_EIO; }
	int rc = EA_EIO;
	off_t d = lseek(fd, (off_t)(base + off), SEEK_DATA);
	if (d < 0 && errno == ENXIO) {   /* nothing but a hole up to the end of the file */
		*data = *hole = e->pub.size;
		rc = EA_OK;
	} else if (d >= 0) {
		off_t h = lseek(fd, d, SEEK_HOLE);
		uint64_t hd = h < 0 || (uint64_t)h > end ? end : (uint64_t)h;
		*data = (uint64_t)d > end ? e->pub.size : (uint64_t)d - base;
		*hole = hd - base;
		rc = EA_OK;
	}
	if (!staged) close(fd);
	return rc;
}

void ea__input_map_trim(ea_input *in, size_t i)
{
	if (i < in->count && in->files[i].map_base)
		(void)madvise(in->files[i].map_base, in->files[i].map_len, MADV_DONTNEED);
}


void ea__input_unmap(ea_input *in, size_t i)
{
	if (i >= in->count) return;
	if (in->lock_ok) pthread_mutex_lock(&in->lock);
	ea_input_entry *e = &in->files[i];
	if (e->map_base) munmap(e->map_base, e->map_len);
	e->map_base = NULL;
	e->map_len = 0;
	if (in->lock_ok) pthread_mutex_unlock(&in->lock);
}
