/* tmpdir.c: see tmpdir.h. */
#include "tmpdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char root[4096];

const char *test_tmpdir(const char *sub)
{
	static char path[8192];
	if (!root[0]) {
		const char *t = getenv("TMPDIR");
		if (!t || !*t || strlen(t) > 3000) t = "/tmp";
		snprintf(root, sizeof root, "%.3000s/ea-test-XXXXXX", t);
		if (!mkdtemp(root)) abort();
	}
	if (!sub) return root;
	snprintf(path, sizeof path, "%s/%s", root, sub);
	char tmp[8300];
	snprintf(tmp, sizeof tmp, "mkdir -p '%s'", path);
	if (system(tmp) != 0) abort();
	return path;
}

void test_tmpdir_remove(void)
{
	if (!root[0]) return;
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0) { /* best effort */ }
	root[0] = 0;
}
