/* etcd-autopsy/wal.h: streaming reader of etcd WAL segments (member/wal/NNN.wal).
 *
 * A cursor walks every segment in sequence order and yields items: either a record
 * (framing, CRC-chain verdict, decoded header fields) or a problem (damage with file and
 * byte offset). Unlike etcd it never stops at damage: it resynchronises on the next
 * plausible frame and goes on through every segment. Memory stays bounded by the largest
 * record (etcd caps records at 10 MiB); record data is borrowed until the next call. */
#ifndef EA_WAL_H
#define EA_WAL_H

#include "common.h"
#include "source.h"
/* ea_crc32c lives in crc32c.h; included here only for the callers that still reach it
 * through this header (analysis/diff.c, output/export_sqlite.c): they can include
 * crc32c.h themselves and this line go. */
#include "crc32c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EA_WAL_METADATA = 1,
	EA_WAL_ENTRY    = 2,
	EA_WAL_STATE    = 3,
	EA_WAL_CRC      = 4,
	EA_WAL_SNAPSHOT = 5
} ea_wal_record_type;

const char *ea_wal_record_type_name(int64_t type); /* "metadata", ... or "unknown" */

typedef struct {
	uint64_t term, vote, commit;
} ea_hard_state;

typedef struct {
	int      type;              /* 0 normal, 1 confchange, 2 confchangev2 */
	uint64_t term, index;
	const uint8_t *data;        /* raftpb.Entry.Data, borrowed; NULL if absent */
	size_t   data_len;
} ea_entry_header;

typedef struct {
	const char *file;           /* segment path relative to the user's PATH */
	size_t   segment;           /* index into ea_wal_segment_at() */
	uint64_t offset;            /* byte offset of the frame (its length word) */
	uint64_t length;            /* walpb.Record bytes, without length word and padding */
	int64_t  type;              /* ea_wal_record_type */
	uint32_t crc;               /* stored crc field */
	int      crc_ok;            /* 1 matches the chain, 0 mismatch, -1 not checkable */
	const uint8_t *data;        /* walpb.Record.data, borrowed */
	size_t   data_len;
	int      decoded;           /* 1 when the typed field below was decoded */
	union {
		ea_entry_header entry;                          /* EA_WAL_ENTRY */
		ea_hard_state   state;                          /* EA_WAL_STATE */
		struct { uint64_t node_id, cluster_id; } meta;  /* EA_WAL_METADATA */
		struct { uint64_t index, term; } snap;          /* EA_WAL_SNAPSHOT */
	} u;
} ea_wal_record;

typedef enum { EA_WAL_ITEM_RECORD = 1, EA_WAL_ITEM_PROBLEM = 2 } ea_wal_item_kind;

typedef struct {
	ea_wal_item_kind kind;
	ea_wal_record    rec;       /* when kind == EA_WAL_ITEM_RECORD */
	ea_problem       problem;   /* when kind == EA_WAL_ITEM_PROBLEM */
} ea_wal_item;

typedef struct {
	const char *file;           /* relative path */
	uint64_t seq, first_index;  /* from the name %016x-%016x.wal */
	uint64_t size;              /* file size */
	uint64_t used_bytes;        /* end of the last frame read (valid once the cursor passed it) */
	uint64_t records;           /* frames decoded in this segment */
	int64_t  mtime;
} ea_wal_segment;

typedef struct {
	unsigned version;
	int verify_crc;             /* check the CRC-32C chain (default 1) */
	int look_past_end;          /* after a zero length word, scan the rest of the segment for records (default 1) */
} ea_wal_options;

#define EA_WAL_OPTIONS_VERSION 1
#define EA_WAL_OPTIONS_INIT { EA_WAL_OPTIONS_VERSION, 1, 1 }

typedef struct ea_wal ea_wal;

/* Finds the WAL segments in `in` (a wal/ dir anywhere below PATH, or single .wal files).
 * Returns EA_ENOTFOUND if there is none. `in` must outlive the cursor. */
int  ea_wal_open(ea_wal **out, ea_input *in, const ea_wal_options *opts, ea_error *err);
/* The next item (record or problem) into *item, its data borrowed until the next call. */
int  ea_wal_next(ea_wal *w, ea_wal_item *item);  /* 0, EA_ITEROVER, or < 0 */
/* Frees the cursor and everything it handed out; NULL is allowed. */
void ea_wal_close(ea_wal *w);

/* Number of segments found (named %016x-%016x.wal), in sequence order. */
size_t ea_wal_segment_count(const ea_wal *w);
/* Segment i (< ea_wal_segment_count), NULL beyond; its counters grow as the cursor reads. */
const ea_wal_segment *ea_wal_segment_at(const ea_wal *w, size_t i);
/* Directory (relative) that holds the segments, "" for the PATH itself. */
const char *ea_wal_dir(const ea_wal *w);
/* Reads len bytes at byte off of segment i, apart from the cursor (the replay reads a value
 * back when it needs it): bytes read, or < 0 (EA_EINVAL past the segment, EA_EIO). */
long ea_wal_pread(const ea_wal *w, size_t i, void *buf, size_t len, uint64_t off);

#ifdef __cplusplus
}
#endif
#endif
