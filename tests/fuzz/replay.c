/* replay.c: runs LLVMFuzzerTestOneInput on every file given, or every file in every directory
 * given (one level), without libFuzzer: this is how ctest replays the committed corpora with
 * the normal compiler (and under ASan/UBSan in CI). Prints how many inputs ran. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) { fprintf(stderr, "replay: cannot open %s\n", path); return -1; }
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) { free(buf); buf = NULL; break; }
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) return -1;
	/* an exact-size copy so that ASan catches reads past the input */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) { free(buf); return -1; }
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
	size_t ran = 0;
	int fail = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) { fprintf(stderr, "replay: %s: not found\n", argv[i]); fail = 1; continue; }
		if (!S_ISDIR(st.st_mode)) { if (run_file(argv[i]) == 0) ran++; else fail = 1; continue; }
		DIR *d = opendir(argv[i]);
		if (!d) { fail = 1; continue; }
		char **names = NULL;
		size_t nn = 0;
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.') continue;
			char **nv = realloc(names, (nn + 1) * sizeof *names);
			if (!nv) break;
			names = nv;
			names[nn++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(names, nn, sizeof *names, cmp);
		for (size_t k = 0; k < nn; k++) {
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", argv[i], names[k]);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(p) == 0) ran++; else fail = 1;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("replay: %zu input(s) ran\n", ran);
	return fail;
}
