/* input_int.h: the ea_input object shared by the directory, file and archive backends. */
#ifndef EA_INPUT_INT_H
#define EA_INPUT_INT_H

#include "etcd-autopsy/source.h"

#include <pthread.h>

typedef struct {
	ea_input_file pub;
	char    *name;      /* owned storage for pub.name */
	char    *ospath;    /* dir/file backends: path to open */
	uint64_t stage_off; /* archive backend: offset in the staging file */
	void    *map_base;  /* ea__input_map: the mapping (page aligned), NULL if none */
	size_t   map_len;
	int      map_failed;
} ea_input_entry;

struct ea_input {
	ea_input_kind kind;
	char *path;
	ea_input_entry *files;
	size_t count, cap;
	int stage_fd;       /* archive staging file, -1 otherwise */
	int cached_fd;      /* one open input file (dir/file backends) */
	size_t cached_idx;
	pthread_mutex_t lock;   /* cached_fd and the mappings: a node's WAL and db are read in parallel */
	int lock_ok;
	ea_problem_owned *problems;
	size_t problem_count;
};

int ea__input_add(ea_input *in, const char *name, uint64_t size, int64_t mtime,
                  const char *ospath, uint64_t stage_off);
int ea__input_problem(ea_input *in, ea_severity sev, const char *kind, const char *file,
                      uint64_t offset, const char *fmt, ...);
int ea__input_open_dir(ea_input *in, ea_error *err);
void ea__input_sort(ea_input *in);   /* by name */
/* The first error-severity problem the source met (an unreadable directory or file) whose file
 * name contains `part` (else the first one), or NULL: readers that find nothing name it, so
 * "not found" says "Permission denied" when that is why. */
const ea_problem *ea__input_first_error(const ea_input *in, const char *part);
int ea__input_open_archive(ea_input *in, ea_error *err);
/* Archive/memory member name: drop leading "/" and "./", refuse ".." components; 0 or -1. */
int ea__input_clean_name(const char *raw, char *out, size_t cap);
void ea__input_count_bytes(uint64_t n);
/* Maps file i read-only (PROT_READ, MAP_SHARED) and returns its first byte, or NULL when it
 * cannot be mapped (empty file, mmap refused): callers then use ea_input_pread. The mapping
 * covers the size seen at open time and lives until ea_input_close. Zero-copy for random
 * access (bbolt pages); a file that shrinks while mapped raises SIGBUS, which the CLI turns
 * into a clear message (inputs are offline copies; a live etcd never shrinks its db). */
const uint8_t *ea__input_map(ea_input *in, size_t i);
/* Drops the mapping's pages from this process (MADV_DONTNEED; the page cache keeps them and
 * a later access faults them back): bounds the resident set of long walks. */
void ea__input_map_trim(ea_input *in, size_t i);
/* Unmaps file i (a later ea__input_map maps it again): a reader done with a file, so that a
 * WAL of thousands of segments never holds thousands of mappings. Pointers into the old
 * mapping become invalid. */
void ea__input_unmap(ea_input *in, size_t i);   /* progress accounting (see ea_input_bytes_read) */
void ea__set_error(ea_error *err, int code, ea_layer layer, const char *file, uint64_t off,
                   const char *fmt, ...);

#endif
