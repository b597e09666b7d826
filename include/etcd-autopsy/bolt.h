/* etcd-autopsy/bolt.h: damage-tolerant, read-only reader of bbolt files (etcd's member/snap/db,
 * *.snap.db, `etcdctl snapshot save` backups).
 *
 * Pages are read on demand through the byte source; nothing is mapped or loaded whole. Every
 * page id, element count, position and size is checked before use. Damage becomes an
 * ea_problem (layer EA_LAYER_BOLT, file, byte offset, page id in the message) kept on the
 * handle, deduplicated, and reading goes on with whatever is still readable. */
#ifndef EA_BOLT_H
#define EA_BOLT_H

#include "common.h"
#include "source.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EA_BOLT_PGID_NONE UINT64_MAX   /* meta.freelist when no freelist is stored */

/* Page header flags. */
enum {
	EA_BOLT_BRANCH   = 0x01,
	EA_BOLT_LEAF     = 0x02,
	EA_BOLT_META     = 0x04,
	EA_BOLT_FREELIST = 0x10
};

typedef struct {
	uint64_t page;               /* 0 or 1 */
	uint32_t magic, version, page_size, flags;
	uint64_t root, root_sequence;
	uint64_t freelist;           /* EA_BOLT_PGID_NONE: not stored (NoFreelistSync) */
	uint64_t pgid;               /* high-water mark */
	uint64_t txid;
	uint64_t checksum, checksum_computed;   /* FNV-1a 64 over bytes 16..71 */
	int      readable;           /* the 64 bytes could be read at all */
	int      valid;              /* magic, version and checksum good */
	const char *invalid_reason;  /* NULL when valid */
} ea_bolt_meta;

typedef enum {
	EA_BOLT_TRAILER_ABSENT = 0,  /* size % 512 != 32: a raw db copy, not an `etcdctl snapshot save` file */
	EA_BOLT_TRAILER_OK,
	EA_BOLT_TRAILER_MISMATCH
} ea_bolt_trailer_state;

const char *ea_bolt_trailer_name(ea_bolt_trailer_state s);   /* absent, ok, mismatch */

typedef struct ea_bolt ea_bolt;

/* Picks the bbolt file in `in`: member/snap/db (exactly one), else a single *.db / *.snap.db,
 * else the only file. EA_ENOTFOUND / EA_EINVAL (several candidates) with err filled. */
int ea_bolt_locate(ea_input *in, size_t *file_idx, ea_error *err);

/* Opens file `file_idx` of `in` (which must outlive the handle): reads both meta pages,
 * chooses one as bbolt does (the valid one with the higher txid) and reports a fallback.
 * Fails (EA_ECORRUPT) only if neither meta page is valid. */
int  ea_bolt_open(ea_bolt **out, ea_input *in, size_t file_idx, ea_error *err);
/* Closes the handle (the input stays open); NULL is allowed. */
void ea_bolt_close(ea_bolt *b);

const char *ea_bolt_file(const ea_bolt *b);        /* relative path */
/* Size of the db file in bytes. */
uint64_t ea_bolt_file_size(const ea_bolt *b);
const ea_bolt_meta *ea_bolt_meta_at(const ea_bolt *b, int i);  /* 0 or 1 */
int      ea_bolt_meta_used(const ea_bolt *b);       /* 0 or 1 */
/* Page size of the meta page in use. */
uint32_t ea_bolt_page_size(const ea_bolt *b);
uint64_t ea_bolt_pgid(const ea_bolt *b);            /* of the meta in use */

/* SHA-256 trailer of a snapshot backup: present iff size % 512 == 32; then the last 32 bytes
 * must be SHA-256 of everything before them. `stored`/`computed` may be NULL. */
int ea_bolt_trailer(ea_bolt *b, ea_bolt_trailer_state *state, uint8_t stored[32],
                    uint8_t computed[32]);

/* Problems found so far (deduplicated by kind and offset; at most EA_BOLT_MAX_PROBLEMS kept). */
#define EA_BOLT_MAX_PROBLEMS 10000
/* Number of problems kept so far. */
size_t ea_bolt_problem_count(const ea_bolt *b);
/* Problem i (< ea_bolt_problem_count), valid until ea_bolt_close. */
const ea_problem *ea_bolt_problem_at(const ea_bolt *b, size_t i);
/* Problems found beyond EA_BOLT_MAX_PROBLEMS, counted but not kept. */
size_t ea_bolt_problems_dropped(const ea_bolt *b);

/* ---- buckets and key/value iteration ---- */

typedef struct {
	uint64_t root;               /* page id of the bucket's tree; 0 for an inline bucket */
	uint64_t sequence;
	uint8_t *inline_page;        /* owned copy of the inline pseudo-page, NULL if root != 0 */
	size_t   inline_len;
	uint64_t inline_offset;      /* file offset of the inline pseudo-page */
	char     name[256];          /* path for messages, e.g. "key" ("" = root bucket) */
} ea_bolt_bucket;

typedef struct {
	const uint8_t *key;
	size_t   key_len;
	const uint8_t *value;        /* for a nested bucket: its 16-byte header (+ inline page) */
	size_t   value_len;
	int      is_bucket;          /* leaf element flag 0x01 */
	uint64_t page;               /* page id holding the element (for inline buckets: the page
	                                holding the bucket value) */
	uint32_t index;              /* element index within that page */
	uint64_t offset;             /* file offset of the element header */
	uint64_t value_offset;       /* file offset of the value bytes */
	int      reachable;          /* salvage scans only: page is reachable from the root (-1 unknown) */
} ea_bolt_kv;

/* Returns 0 to go on; anything else stops the iteration and is returned by the caller. */
typedef int (*ea_bolt_kv_cb)(const ea_bolt_kv *kv, void *payload);

/* The root bucket of the meta page in use (a problem is recorded if its page id is 0). */
int  ea_bolt_root_bucket(ea_bolt *b, ea_bolt_bucket *out);
/* Looks `name` up in `parent` (NULL = root). EA_ENOTFOUND if absent. */
int  ea_bolt_bucket_open(ea_bolt *b, const ea_bolt_bucket *parent, const void *name, size_t len,
                         ea_bolt_bucket *out);
/* Nested bucket from a kv with is_bucket set. */
int  ea_bolt_bucket_from_kv(ea_bolt *b, const ea_bolt_bucket *parent, const ea_bolt_kv *kv,
                            ea_bolt_bucket *out);
/* Frees what a bucket handle owns (an inline bucket's page copy). */
void ea_bolt_bucket_close(ea_bolt_bucket *bk);

/* Every element of the bucket in key order (depth first). Broken pages and elements are
 * reported and skipped; a page is never visited twice. Returns 0, the callback's non-zero
 * value, or < 0 on an I/O error. */
int ea_bolt_foreach(ea_bolt *b, const ea_bolt_bucket *bk, ea_bolt_kv_cb cb, void *payload);

/* Point lookup by B+tree descent. Calls cb once with the element if found (0 returned), else
 * EA_ENOTFOUND. */
int ea_bolt_get(ea_bolt *b, const ea_bolt_bucket *bk, const void *key, size_t len,
                ea_bolt_kv_cb cb, void *payload);
/* ea_bolt_get() of the element `index` of leaf page `page`, a hint from an earlier walk: the
 * callback runs when that element's key is `key`; EA_ENOTFOUND when the hint does not hold. */
int ea_bolt_get_at(ea_bolt *b, uint64_t page, uint32_t index, const void *key, size_t len,
                   ea_bolt_kv_cb cb, void *payload);

/* ---- consistency check and page map ---- */

typedef struct {
	uint64_t pages;              /* pgid of the meta in use */
	uint64_t file_pages;         /* pages the file holds (size / page size) */
	uint64_t reachable;          /* pages reachable from the root, incl. meta and freelist */
	uint64_t free_pages;         /* free set: freelist page, or pages below pgid not reachable */
	uint64_t unreachable;        /* neither reachable nor free ("unreachable unfreed") */
	uint64_t buckets;            /* buckets seen (nested and inline included) */
	uint64_t inline_buckets;
	uint64_t keys;               /* leaf elements that are not buckets */
	int      freelist_stored;    /* 1 if a freelist page exists, 0 for NoFreelistSync */
	size_t   problems;           /* problems on the handle after the check */
} ea_bolt_check_result;

/* What bbolt's Tx.Check verifies (free set duplicates, out-of-bounds ids, multiple references,
 * reachable freed pages, invalid page types, unreachable unfreed pages) plus key order within
 * and across pages, page id / header agreement and element bounds. Everything found is added
 * to the handle's problems; builds the page map used by ea_bolt_page_describe(). */
int ea_bolt_check(ea_bolt *b, ea_bolt_check_result *out);

typedef struct {
	uint64_t id;
	int      header_ok;          /* header readable and its id field == id */
	uint64_t header_id;
	uint16_t flags, count;
	uint32_t overflow;
	const char *type;            /* meta, freelist, branch, leaf, overflow (continuation), free,
	                                unknown, beyond-eof */
	const char *state;           /* reachable, free, unreachable, meta, freelist */
	const char *bucket;          /* owning bucket path, NULL if none */
	uint64_t continuation_of;    /* for overflow continuation pages: the first page, else id */
} ea_bolt_page_info;

/* Info on page `id` (< ea_bolt_pgid()). Runs ea_bolt_check() first if it has not run. */
int ea_bolt_page_describe(ea_bolt *b, uint64_t id, ea_bolt_page_info *out);

/* Salvage: reads every page in [2, pgid) (and to the end of the file) whose header says leaf,
 * whatever links to it, and yields every element that lies fully inside the page, with its
 * page id and whether the page is reachable (after a check). Nested bucket elements are
 * yielded too (is_bucket). */
int ea_bolt_scan_leaves(ea_bolt *b, ea_bolt_kv_cb cb, void *payload);

#ifdef __cplusplus
}
#endif
#endif
