/* dir.c: directory backend. Lists regular files below PATH (symlinks followed, depth and
 * count bounded so a hostile tree cannot loop or exhaust memory). */
#include "input_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int ea__input_open_dir(ea_input *in, ea_error *err)
{
	size_t n = strlen(in->path);
	while (n > 1 && in->path[n - 1] == '/') in->path[--n] = 0;
	return walk(in, in->path, "", 0, err);
}
