/* dir.c: directory backend. Lists the files of PATH the way etcd finds them: a data dir
 * (PATH/member/) is read as member/wal and member/snap, a member dir (PATH/wal/, PATH/snap/)
 * as wal and snap, and wal/ and snap/ are flat, as etcd reads them. Those layout names are
 * opened by name, so a symlinked member/wal is followed as etcd follows it; no other
 * directory symlink is followed, every directory is entered once (device + inode), and
 * depth, directory and file counts are bounded: links to ".", ".." or "/" cannot loop or
 * walk the file system. What is skipped is an info problem; a directory or file that
 * cannot be read is an error problem with its errno text (it is left out of the list). */
#include "input_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_DEPTH 8
#define MAX_FILES 200000
#define MAX_DIRS  4096
#define MAX_SKIP_NOTES 32

typedef enum {
	W_ANY,      /* no etcd layout seen: regular files and real subdirectories */
	W_MEMBER,   /* PATH/member of a data dir: wal and snap only */
	W_FLAT      /* member/wal, member/snap: the files in it, nothing below */
} walk_mode;

typedef struct {
	ea_input *in;
	struct { dev_t dev; ino_t ino; } seen[MAX_DIRS];
	size_t nseen;
	size_t skipped;          /* entries skipped; the first MAX_SKIP_NOTES are named */
	int too_many_dirs;
} walker;

static int walk(walker *w, const char *ospath, const char *rel, int depth, walk_mode mode, ea_error *err);

static char *join(const char *a, const char *b)
{
	char *s = NULL;
	if (asprintf(&s, "%s%s%s", a, *a ? "/" : "", b) < 0) return NULL;
	return s;
}

/* An entry the walk leaves out, named with what it is (and where a link points). */
static int skip_note(walker *w, const char *os, const char *rel, const char *why)
{
	if (w->skipped++ >= MAX_SKIP_NOTES) return EA_OK;
	char target[256] = "";
	ssize_t n = readlink(os, target, sizeof target - 1);
	if (n > 0) target[n] = 0; else target[0] = 0;
	if (target[0])
		return ea__input_problem(w->in, EA_SEV_INFO, "skipped", rel, EA_NO_OFFSET,
		                         "not read: symlink to %s, %s", target, why);
	return ea__input_problem(w->in, EA_SEV_INFO, "skipped", rel, EA_NO_OFFSET, "not read: %s", why);
}

/* A regular file (or a link to one) is listed when it can be opened for reading. */
static int add_file(walker *w, const char *os, const char *rel, const struct stat *st)
{
	ea_input *in = w->in;
	if (in->count >= MAX_FILES)
		return ea__input_problem(in, EA_SEV_WARNING, "too-many-files", rel, EA_NO_OFFSET,
		                         "more than %d files below the input; the rest is ignored",
		                         MAX_FILES) ?: EA_ELIMIT;
	int fd = open(os, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ea__input_problem(in, EA_SEV_ERROR, "unreadable-file", rel, EA_NO_OFFSET,
		                         "cannot open: %s", strerror(errno));
	close(fd);
	return ea__input_add(in, rel, (uint64_t)st->st_size, (int64_t)st->st_mtime, os, 0);
}

/* Is name a directory (following a link, as etcd does for its own layout names)? */
static int has_dir(const char *os, const char *name)
{
	char *p = join(os, name);
	struct stat st;
	int yes = p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return yes;
}

static int enter_once(walker *w, DIR *d, const char *rel)
{
	struct stat st;
	if (fstat(dirfd(d), &st) != 0) return 1;
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st.st_dev && w->seen[i].ino == st.st_ino) {
			skip_note(w, "", rel, "a directory already read (a link or bind mount loop)");
			return 0;
		}
	if (w->nseen == MAX_DIRS) {
		if (!w->too_many_dirs++)
			ea__input_problem(w->in, EA_SEV_WARNING, "too-many-directories", rel, EA_NO_OFFSET,
			                  "more than %d directories below the input; the rest is ignored", MAX_DIRS);
		return 0;
	}
	w->seen[w->nseen].dev = st.st_dev;
	w->seen[w->nseen].ino = st.st_ino;
	w->nseen++;
	return 1;
}

/* One entry of a directory walked in `mode` (no layout names here). */
static int walk_entry(walker *w, const char *os, const char *rel, int depth, walk_mode mode, ea_error *err)
{
	struct stat lst, st;
	if (lstat(os, &lst) != 0)
		return ea__input_problem(w->in, EA_SEV_ERROR, "unreadable-file", rel, EA_NO_OFFSET,
		                         "cannot stat: %s", strerror(errno));
	int link = S_ISLNK(lst.st_mode);
	if (link && stat(os, &st) != 0)
		return ea__input_problem(w->in, EA_SEV_WARNING, "unreadable-file", rel, EA_NO_OFFSET,
		                         "symlink whose target cannot be read: %s", strerror(errno));
	if (!link) st = lst;
	if (S_ISREG(st.st_mode)) return add_file(w, os, rel, &st);
	if (!S_ISDIR(st.st_mode)) return skip_note(w, os, rel, "not a regular file or directory");
	if (link) return skip_note(w, os, rel, "directory symlinks are not followed (etcd never reads them)");
	if (mode == W_FLAT) return skip_note(w, os, rel, "a directory inside a WAL or snap dir (etcd never reads it)");
	if (depth + 1 >= MAX_DEPTH) return skip_note(w, os, rel, "deeper than the walk goes");
	return walk(w, os, rel, depth + 1, W_ANY, err);
}

/* A data dir or member dir: only its layout names are read. */
static int walk_layout(walker *w, const char *ospath, const char *rel, DIR *d, const char *const *names,
                       int depth, ea_error *err)
{
	int rc = EA_OK;
	struct dirent *de;
	while (rc == EA_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
		int is_layout = 0;
		for (int i = 0; names[i]; i++) is_layout |= strcmp(de->d_name, names[i]) == 0;
		char *os = join(ospath, de->d_name), *r = join(rel, de->d_name);
		if (!os || !r) rc = EA_ENOMEM;
		else if (!is_layout)
			rc = skip_note(w, os, r, "not part of etcd's data dir layout (member/wal, member/snap)");
		else if (strcmp(de->d_name, "member") == 0)
			rc = walk(w, os, r, depth + 1, W_MEMBER, err);
		else
			rc = walk(w, os, r, depth + 1, W_FLAT, err);
		free(os);
		free(r);
	}
	return rc;
}

static int walk(walker *w, const char *ospath, const char *rel, int depth, walk_mode mode, ea_error *err)
{
	DIR *d = opendir(ospath);
	if (!d) {
		if (depth == 0) {
			ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, ospath, EA_NO_OFFSET,
			              "cannot read directory: %s", strerror(errno));
			return EA_EIO;
		}
		return ea__input_problem(w->in, EA_SEV_ERROR, "unreadable-directory", rel, EA_NO_OFFSET,
		                         "cannot read directory: %s", strerror(errno));
	}
	if (!enter_once(w, d, rel)) { closedir(d); return EA_OK; }
	static const char *const data_dir[] = { "member", NULL };
	static const char *const member_dir[] = { "wal", "snap", NULL };
	int rc = EA_OK;
	if (mode == W_ANY && has_dir(ospath, "member")) {
		rc = walk_layout(w, ospath, rel, d, data_dir, depth, err);
	} else if (mode == W_MEMBER || (mode == W_ANY && (has_dir(ospath, "wal") || has_dir(ospath, "snap")))) {
		rc = walk_layout(w, ospath, rel, d, member_dir, depth, err);
	} else {
		struct dirent *de;
		while (rc == EA_OK && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
			char *os = join(ospath, de->d_name), *r = join(rel, de->d_name);
			rc = os && r ? walk_entry(w, os, r, depth, mode, err) : EA_ENOMEM;
			free(os);
			free(r);
		}
	}
	closedir(d);
	return rc == EA_ELIMIT && depth ? EA_ELIMIT : rc == EA_ELIMIT ? EA_OK : rc;
}

/* ---- is a running etcd holding this dir? (probed without taking any lock) ----
 *
 * etcd holds an OFD write lock (fcntl F_OFD_SETLK, docs/formats.md §1) on its WAL segments and
 * bbolt holds flock(LOCK_EX) on member/snap/db while the member runs. F_OFD_GETLK only
 * asks (on an O_RDONLY fd that is allowed for a write-lock query) and takes nothing; the
 * flock is looked up in /proc/locks by device and inode, flock() is never called. */

/* The pid of a lock of `kind` ("FLOCK", "OFDLCK", "POSIX") on the file in /proc/locks:
 * > 0 if listed with a pid, 0 if listed without one (OFD locks show -1), -1 if not listed. */
static long proc_locks_pid(const struct stat *st, const char *kind)
{
	FILE *f = fopen("/proc/locks", "re");
	if (!f) return -1;
	char line[256];
	long found = -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		char k[16], adv[16], rw[16];
		long pid;
		unsigned maj, min;
		uintmax_t ino;
		/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:123456 0 EOF"; blocked waiters have "->" */
		if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%ju", k, adv, rw, &pid, &maj, &min, &ino) != 7)
			continue;
		if (strcmp(k, kind) != 0 || ino != (uintmax_t)st->st_ino ||
		    maj != major(st->st_dev) || min != minor(st->st_dev))
			continue;
		found = pid > 0 ? pid : 0;
	}
	fclose(f);
	return found;
}

static void live_problem(ea_input *in, const char *rel, long pid)
{
	char who[48] = "a running etcd";
	if (pid > 0) snprintf(who, sizeof who, "a running etcd (pid %ld)", pid);
	ea__input_problem(in, EA_SEV_WARNING, "live-data-dir", rel, EA_NO_OFFSET,
	                  "%s holds %s: a copy of a live data dir may be inconsistent; use etcdctl "
	                  "snapshot save or stop the member", who, rel);
}

static void probe_file(ea_input *in, size_t i, int wal)
{
	const ea_input_entry *e = &in->files[i];
	int fd = open(e->ospath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) return;
	struct stat st;
	if (fstat(fd, &st) == 0) {
		int held = 0;
		long pid;
		if (wal) {
#ifdef F_OFD_GETLK
			struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
			if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) held = 1;
#endif
			pid = proc_locks_pid(&st, "OFDLCK");
			if (pid < 0) pid = proc_locks_pid(&st, "FLOCK");   /* etcd's fallback without OFD */
		} else {
			pid = proc_locks_pid(&st, "FLOCK");
		}
		if (held || pid >= 0) live_problem(in, e->name, pid);
	}
	close(fd);
}

/* Probes the newest WAL segment (etcd always holds the one it appends to) and the db. */
static void probe_live(ea_input *in)
{
	size_t wal = SIZE_MAX, db = SIZE_MAX;
	for (size_t i = 0; i < in->count; i++) {
		const char *name = in->files[i].name;
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		size_t bl = strlen(base);
		if (bl > 4 && strcmp(base + bl - 4, ".wal") == 0) wal = i;
		else if (strcmp(base, "db") == 0 && db == SIZE_MAX) db = i;
	}
	if (wal != SIZE_MAX) probe_file(in, wal, 1);
	if (db != SIZE_MAX) probe_file(in, db, 0);
}

int ea__input_open_dir(ea_input *in, ea_error *err)
{
	size_t n = strlen(in->path);
	while (n > 1 && in->path[n - 1] == '/') in->path[--n] = 0;
	walker *w = calloc(1, sizeof *w);
	if (!w) return EA_ENOMEM;
	w->in = in;
	int rc = walk(w, in->path, "", 0, W_ANY, err);
	if (rc == EA_OK && w->skipped > MAX_SKIP_NOTES)
		rc = ea__input_problem(in, EA_SEV_INFO, "skipped", "", EA_NO_OFFSET,
		                       "%zu more entries not read (only the first %d are named)",
		                       w->skipped - MAX_SKIP_NOTES, MAX_SKIP_NOTES);
	free(w);
	if (rc == EA_OK) {
		if (in->count > 1) ea__input_sort(in);   /* probe_live wants the newest segment last */
		probe_live(in);
	}
	return rc;
}
