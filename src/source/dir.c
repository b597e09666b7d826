/* dir.c: directory backend. Lists regular files below PATH (symlinks followed, depth and
 * count bounded so a hostile tree cannot loop or exhaust memory). */
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

static int walk(ea_input *in, const char *ospath, const char *rel, int depth, ea_error *err)
{
	DIR *d = opendir(ospath);
	if (!d) {
		if (depth == 0) {
			ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, ospath, EA_NO_OFFSET,
			              "cannot read directory: %s", strerror(errno));
			return EA_EIO;
		}
		return ea__input_problem(in, EA_SEV_WARNING, "unreadable-directory", rel, EA_NO_OFFSET,
		                         "cannot read directory: %s", strerror(errno));
	}
	struct dirent *de;
	int rc = EA_OK;
	while (rc == EA_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
		char *os = NULL, *r = NULL;
		if (asprintf(&os, "%s/%s", ospath, de->d_name) < 0) { rc = EA_ENOMEM; break; }
		if (asprintf(&r, "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0) {
			free(os); rc = EA_ENOMEM; break;
		}
		struct stat st;
		if (stat(os, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (depth + 1 < MAX_DEPTH)
					rc = walk(in, os, r, depth + 1, err);
			} else if (S_ISREG(st.st_mode)) {
				if (in->count >= MAX_FILES)
					rc = ea__input_problem(in, EA_SEV_WARNING, "too-many-files", r, EA_NO_OFFSET,
					                       "more than %d files below the input; the rest is ignored",
					                       MAX_FILES) ?: EA_ELIMIT;
				else
					rc = ea__input_add(in, r, (uint64_t)st.st_size, (int64_t)st.st_mtime, os, 0);
			}
		}
		free(os);
		free(r);
	}
	closedir(d);
	return rc == EA_ELIMIT ? EA_OK : rc;
}

/* ---- is a running etcd holding this dir? (probed without taking any lock) ----
 *
 * etcd holds an OFD write lock (fcntl F_OFD_SETLK, FORMATS.md 1) on its WAL segments and
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
	int rc = walk(in, in->path, "", 0, err);
	if (rc == EA_OK) {
		if (in->count > 1) ea__input_sort(in);   /* probe_live wants the newest segment last */
		probe_live(in);
	}
	return rc;
}
