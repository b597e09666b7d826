/* mem.c: in-memory backend. The caller's buffers are copied into one anonymous staging file
 * (memfd_create, else an unlinked file in $TMPDIR, stage.c), laid out like archive members, so every reader
 * above sees the same pread() path as for an archive. Used by the fuzz targets and tests. */
#include "input_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int stage_fd(void)
{
#ifdef MFD_CLOEXEC
	int fd = memfd_create("ea-input", MFD_CLOEXEC);
	if (fd >= 0) return fd;
#endif
	return ea__stage_open("(memory)", NULL);
}

int ea_input_open_mem(ea_input **out, const ea_input_mem_file *files, size_t n, ea_error *err)
{
	*out = NULL;
	ea_input *in = calloc(1, sizeof *in);
	if (!in) return EA_ENOMEM;
	in->kind = EA_INPUT_MEM;
	in->arch_fd = -1;
	in->path = strdup("(memory)");
	in->stage_fd = stage_fd();
	if (!in->path || in->stage_fd < 0) {
		ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, "(memory)", EA_NO_OFFSET,
		              "cannot create a staging file: %s", strerror(errno));
		ea_input_close(in);
		return EA_EIO;
	}
	uint64_t end = 0;
	for (size_t i = 0; i < n; i++) {
		char name[4096];
		if (!files[i].name || ea__input_clean_name(files[i].name, name, sizeof name) != 0 ||
		    (files[i].size && !files[i].data)) {
			ea__set_error(err, EA_EINVAL, EA_LAYER_SOURCE, "(memory)", EA_NO_OFFSET,
			              "in-memory file %zu has an unsafe or empty name, or no data", i);
			ea_input_close(in);
			return EA_EINVAL;
		}
		uint64_t base = (end + 4095) & ~UINT64_C(4095);
		const char *p = files[i].data;
		size_t left = files[i].size;
		uint64_t off = base;
		while (left) {
			ssize_t w = pwrite(in->stage_fd, p, left, (off_t)off);
			if (w < 0 && errno == EINTR) continue;
			if (w <= 0) {
				ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, name, EA_NO_OFFSET,
				              "cannot write the staging file: %s", strerror(errno));
				ea_input_close(in);
				return EA_EIO;
			}
			p += w; left -= (size_t)w; off += (uint64_t)w;
		}
		end = base + files[i].size;
		int rc = ea__input_add(in, name, files[i].size, files[i].mtime, NULL, base);
		if (rc) { ea_input_close(in); return rc; }
	}
	if (in->count > 1) ea__input_sort(in);
	*out = in;
	return EA_OK;
}
