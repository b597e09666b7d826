/* etcd-autopsy/source.h: the byte-source layer.
 *
 * An ea_input is whatever PATH the user gave: a data dir, a member/ or wal/ dir, a single
 * file, or a .tar / .tar.gz / .tar.zst (anything libarchive reads) of those. It exposes a
 * flat, sorted list of regular files with paths relative to PATH, each readable at any
 * offset. Inputs are opened O_RDONLY and never locked, renamed or written. The members of an
 * uncompressed tar are read in place; a compressed archive's WAL segments (when in name order)
 * are decompressed again by each pass; other members are staged (once, sparsely) in an
 * anonymous temporary file under $TMPDIR, never next to the input, up to a process-wide cap
 * on staged bytes (ea_input_set_stage_limit).
 * An archive PATH may end in #N[,M...]: among members with the same name, use archive entry
 * N (1-based, in archive order) instead of failing on the ambiguity. */
#ifndef EA_SOURCE_H
#define EA_SOURCE_H

#include "common.h"
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ea_input ea_input;

typedef enum { EA_INPUT_DIR, EA_INPUT_FILE, EA_INPUT_ARCHIVE, EA_INPUT_MEM } ea_input_kind;

typedef struct {
	const char *name;   /* relative path, '/'-separated; for a single file its base name */
	uint64_t    size;
	int64_t     mtime;  /* seconds since the epoch, 0 if unknown */
} ea_input_file;

/* Opens PATH (dir, file or archive) read-only and lists its files; err says why not. */
int  ea_input_open(ea_input **out, const char *path, ea_error *err);

/* Parses a size: bytes, or with K/M/G/T (binary, optional "iB"/"B"); "0" or "unlimited" = 0. */
int  ea_input_parse_size(const char *s, uint64_t *out);
/* Caps the bytes all archive inputs of this process may stage in $TMPDIR (0 = no cap).
 * Without a call: $ETCD_AUTOPSY_STAGE_LIMIT, else 16 GiB. Over the cap, opening is EA_ELIMIT. */
void ea_input_set_stage_limit(uint64_t bytes);
/* The cap in force (0 = none). */
uint64_t ea_input_stage_limit(void);
/* What one archive input costs on disk, told once it is opened (and again, `late` set, if its
 * streamed WAL members had to be staged after all: read backwards too often). */
typedef struct {
	const char *archive;          /* the archive's path */
	const char *dir;              /* the directory of the staging file ($TMPDIR) */
	uint64_t    staged;           /* bytes written to the staging file (its disk use: zero
	                               * blocks are left sparse) */
	size_t      staged_n;         /* members staged */
	uint64_t    inplace_bytes;    /* members read in place from an uncompressed tar */
	size_t      inplace_n;
	uint64_t    stream_bytes;     /* WAL members decompressed again by each pass, not staged */
	size_t      stream_n;
	const char *stream_why;       /* why a compressed archive's WAL members were staged, or NULL */
	int         late;
} ea_stage_info;
/* Called after an archive input is opened (see ea_stage_info). */
typedef void (*ea_stage_note_fn)(const ea_stage_info *info);
/* Sets the function told of every staged archive (NULL: none); set it before opening inputs. */
void ea_input_set_stage_note(ea_stage_note_fn fn);

/* An input over bytes in memory (fuzzing, tests, embedding): `n` files with the given
 * relative names and contents, copied into an anonymous staging file (memfd, or an unlinked
 * temporary file), so the caller's buffers need not outlive the call. ea_input_path() is
 * "(memory)". Names are normalised like archive members; an unsafe name is EA_EINVAL. */
typedef struct {
	const char *name;
	const void *data;
	size_t      size;
	int64_t     mtime;
} ea_input_mem_file;

/* An input over files held in memory (tests, fuzzing), copied into an anonymous staging file. */
int  ea_input_open_mem(ea_input **out, const ea_input_mem_file *files, size_t n, ea_error *err);
/* Closes the input, its files and its anonymous staging file; NULL is allowed. */
void ea_input_close(ea_input *in);

/* What PATH turned out to be. */
ea_input_kind ea_input_get_kind(const ea_input *in);
/* PATH as given to ea_input_open ("(memory)" for ea_input_open_mem). */
const char   *ea_input_path(const ea_input *in);
/* Number of regular files found. */
size_t        ea_input_count(const ea_input *in);
/* File i (< ea_input_count), sorted by name; NULL beyond. */
const ea_input_file *ea_input_at(const ea_input *in, size_t i);
/* Index of a file by exact relative name, or -1. */
long ea_input_find(const ea_input *in, const char *name);

/* Damage found while opening (e.g. a truncated archive): everything before it is kept. */
size_t ea_input_problem_count(const ea_input *in);
/* Problem i (< ea_input_problem_count). */
const ea_problem *ea_input_problem_at(const ea_input *in, size_t i);

/* Bytes read from all inputs by this process so far (archive members count as they are
 * decompressed). For progress displays; safe to call from another thread. */
uint64_t ea_input_bytes_read(void);

/* Read up to len bytes of file i at offset off. Returns bytes read (0 at end) or < 0. */
long ea_input_pread(ea_input *in, size_t i, void *buf, size_t len, uint64_t off);
/* Why ea_input_pread of a streamed archive member failed when the source knows more than the
 * return code (its late staging refused by the cap or TMPDIR: that error's message), or NULL. */
const char *ea_input_read_error(ea_input *in);

#ifdef __cplusplus
}
#endif
#endif
