/* fuzz_archive.c: the archive backend (libarchive: tar, gzip, zstd, xz, bzip2, zip, ...). The
 * input is written to a temporary file named *.tar (libarchive detects the real format from
 * the bytes) and opened as a PATH; then every member is read back and the WAL, snap and bolt
 * locators run over the listing. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[4096];

static void cleanup(void) { if (path[0]) unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/ea-fuzz-archive-%ld.tar", t && *t ? t : "/tmp", (long)getpid());
		atexit(cleanup);
	}
	FILE *f = fopen(path, "wb");
	if (!f) return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	ea_input *in;
	if (ea_input_open(&in, path, NULL) == EA_OK) {
		char buf[4096];
		for (size_t i = 0; i < ea_input_count(in) && i < 1000; i++) {
			const ea_input_file *fi = ea_input_at(in, i);
			fuzz_use(strlen(fi->name) + fi->size);
			long n = ea_input_pread(in, i, buf, sizeof buf, 0);
			if (n > 0) fuzz_use((uint8_t)buf[n - 1]);
			if (fi->size > 1) fuzz_use((uint64_t)ea_input_pread(in, i, buf, 1, fi->size - 1));
		}
		for (size_t i = 0; i < ea_input_problem_count(in); i++)
			fuzz_use(strlen(ea_input_problem_at(in, i)->message));
		ea_wal *w;
		if (ea_wal_open(&w, in, NULL, NULL) == EA_OK) {
			ea_wal_item it;
			for (int k = 0; k < 64 && ea_wal_next(w, &it) == EA_OK; k++) fuzz_use(it.kind);
			ea_wal_close(w);
		}
		size_t idx;
		fuzz_use((uint64_t)ea_bolt_locate(in, &idx, NULL));
		ea_input_close(in);
	}
	return 0;
}
