/* input_int.h: the ea_input object shared by the directory, file and archive backends. */
#ifndef EA_INPUT_INT_H
#define EA_INPUT_INT_H

#include "etcd-autopsy/source.h"

#include <pthread.h>

/* Where an archive member's bytes are read from. */
enum { EA__AT_STAGE = 0,   /* the staging file at stage_off (and every non-archive input) */
       EA__AT_ARCHIVE,     /* in place: the uncompressed archive file itself at stage_off */
       EA__AT_STREAM };    /* decompressed again on demand (stream.c), entry data_ord */

typedef struct {
	ea_input_file pub;
	char    *name;      /* owned storage for pub.name */
	char    *ospath;    /* dir/file backends: path to open */
	uint64_t stage_off; /* archive backend: offset in the staging file (or the archive, in place) */
	int      where;     /* EA__AT_* */
	uint64_t data_ord;  /* EA__AT_STREAM: the entry number whose data this is */
	uint64_t ordinal;   /* archive backend: 1-based entry number in the archive (0 otherwise) */
	uint64_t hdr_off;   /* archive backend: header offset in the uncompressed archive stream */
	void    *map_base;  /* ea__input_map: the mapping (page aligned), NULL if none */
	size_t   map_len;
	int      map_failed;
} ea_input_entry;

/* fdcache.c: an open file of a dir/file input, kept for the thread that last read through it
 * (a node's WAL and db are read by two threads: one shared descriptor was closed and opened
 * again at every switch, a number of opens that varied from run to run). */
#define EA__FD_SLOTS 16
typedef struct {
	uint64_t thread;   /* the reading thread's serial (1, 2, ...; never reused); 0: free */
	size_t   idx;      /* the file */
	int      fd;
	uint64_t used;     /* fd_clock at its last read: the least recent is closed when full */
} ea__fd_slot;

struct ea_input {
	ea_input_kind kind;
	char *path;
	ea_input_entry *files;
	size_t count, cap;
	int stage_fd;       /* archive staging file, -1 otherwise */
	int stage_failed;   /* the staging file could not be created (TMPDIR): not a format question */
	uint64_t staged;    /* bytes this input wrote to the staging file (ea__stage_write) */
	uint64_t stage_end; /* end of the staged members (next member at the 4 KiB boundary after) */
	size_t   staged_n;  /* members staged */
	int arch_fd;        /* the archive file itself, O_RDONLY, for members read in place; -1 */
	size_t   inplace_n, stream_n;          /* members read in place / streamed */
	uint64_t inplace_bytes, stream_bytes;
	const char *stream_why;   /* why the WAL members of a compressed archive were staged */
	struct ea__stream *stream;   /* stream.c: the decompressing reader of streamed members */
	char *select;       /* archive backend: "N,M" of PATH#N,M (entries chosen among duplicates) */
	size_t problems_dropped;   /* ea__input_problem calls beyond MAX_INPUT_PROBLEMS */
	ea__fd_slot fds[EA__FD_SLOTS];   /* fdcache.c: open input files (dir/file backends), one per reading thread */
	uint64_t fd_clock;
	pthread_mutex_t lock;   /* fds and the mappings: a node's WAL and db are read in parallel */
	int lock_ok;
	ea_problem_owned *problems;
	size_t problem_count;
};

/* archive_links.c: hard links, duplicate names and the PATH#N selection. */
typedef struct {
	char *name, *target;       /* cleaned names */
	uint64_t ordinal, hdr_off;
	int64_t mtime;
} ea__link;
typedef struct { ea__link *v; size_t n; } ea__links;
int ea__links_add(ea_input *in, ea__links *l, const char *name, const char *raw_target,
                  uint64_t ordinal, uint64_t hdr_off, int64_t mtime);
/* Adds a member for every link that ends at an earlier regular member; warns for the rest. */
int ea__links_resolve(ea_input *in, ea__links *l);
void ea__links_free(ea__links *l);
/* fdcache.c: the calling thread's descriptor of file i (opened when not cached; the least
 * recently used slot closed when all are taken), or -1; call with in->lock held. */
int ea__fd_get(ea_input *in, size_t i);
/* fdcache.c: closes every cached descriptor (ea_input_close). */
void ea__fd_close_all(ea_input *in);
/* Keeps one member per name (identical copies, or the PATH#N choice); EA_EINVAL otherwise. */
int ea__input_dedup(ea_input *in, ea_error *err);

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
/* Where file i has data at or after `off`: *data = first data offset (the size if none),
 * *hole = the end of that data run (SEEK_DATA/SEEK_HOLE). EA_EIO when the file system cannot
 * tell: callers then read everything. Lets scans skip the holes of sparse files unread. */
int ea__input_data_extent(ea_input *in, size_t i, uint64_t off, uint64_t *data, uint64_t *hole);
/* Unmaps file i (a later ea__input_map maps it again): a reader done with a file, so that a
 * WAL of thousands of segments never holds thousands of mappings. Pointers into the old
 * mapping become invalid. */
void ea__input_unmap(ea_input *in, size_t i);   /* progress accounting (see ea_input_bytes_read) */
/* pread of entry e's bytes wherever they are (staging file, archive in place, stream). */
long ea__entry_pread(ea_input *in, ea_input_entry *e, void *buf, size_t len, uint64_t off);
/* Entry dst reads the bytes of src (a hard link). */
void ea__entry_share(ea_input_entry *dst, const ea_input_entry *src);

/* archive.c: the WAL member names streamed from a compressed archive. */
int ea__is_wal_segment_name(const char *name);
/* Stages every streamed member (one more pass over the archive) and points its entries at
 * the staging file: a reader that went backwards too often. EA_OK or an error code (in err:
 * the cap, TMPDIR). */
int ea__archive_stage_streamed(ea_input *in, ea_error *err);

/* stream.c: streamed members, read forward through one libarchive reader per input; a read
 * before the last 8 MiB read reopens the archive (at most EA__MAX_REOPEN times, then the
 * members are staged). */
#define EA__MAX_REOPEN 16
long ea__stream_pread(ea_input *in, ea_input_entry *e, void *buf, size_t len, uint64_t off);
void ea__stream_free(ea_input *in);

/* stage.c: the staging file in $TMPDIR and the process-wide cap on staged bytes. */
const char *ea__stage_dir(void);
int ea__stage_open(const char *input, ea_error *err);   /* fd, or EA_EIO naming TMPDIR */
int ea__stage_reserve(const char *archive, const char *member, uint64_t n, ea_error *err);   /* EA_ELIMIT over cap */
void ea__stage_release(uint64_t n);
/* Tells the ea_input_set_stage_note function of an archive input: what was staged, read in
 * place, streamed (nothing if no member); late: streamed members were staged after all. */
void ea__stage_noted(const ea_input *in, int late);
/* pwrite to in->stage_fd, counted against the cap; ENOSPC/EFBIG reported naming TMPDIR. */
int ea__stage_write(ea_input *in, const char *member, const void *buf, size_t n, uint64_t off,
                    ea_error *err);
void ea__set_error(ea_error *err, int code, ea_layer layer, const char *file, uint64_t off,
                   const char *fmt, ...);

#endif
