/* synth.h: synthetic etcd data dirs for the benchmarks, written with our own encoders
 * (tests/helpers/walgen.c for WAL framing + CRC chain; a bbolt page writer here).
 *
 * WAL (member/wal/): 64,000,000-byte segments laid out as etcd 3.4 writes them: the first
 * segment opens with crc(0), metadata, snapshot{0,0}; a cut segment with crc(prev), metadata,
 * HardState; a segment is cut once it passes 64,000,000 bytes (and is left at its used
 * length); the last one keeps its preallocated zero tail up to 64,000,000 bytes. Entries are
 * etcdserverpb.InternalRaftRequest {header.ID, put{key, value}} (or delete_range), grouped in
 * batches each followed by a HardState; "realistic" mode adds leader changes (new term, an
 * empty entry, sometimes an overwritten uncommitted tail) and a snapshot record every 20000
 * entries.
 *
 * db (member/snap/db): a bbolt file (4096-byte pages, two meta pages, no stored freelist, the
 * root bucket with "key" and "meta") whose key bucket holds one mvccpb.KeyValue per revision
 * in a real B+tree: leaves packed to 90 % (etcd's FillPercent for sequential puts), values
 * larger than a page in multi-page (overflow) leaves, branch levels above; meta holds
 * consistent_index. Written streaming: memory stays small at any size. */
#ifndef EA_BENCH_SYNTH_H
#define EA_BENCH_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "walgen.h"

typedef struct {
	uint64_t max_entries;      /* stop after this many entries (0 = no limit) */
	uint64_t max_bytes;        /* stop once this many WAL bytes are used (0 = no limit) */
	unsigned vmin, vmax;       /* value size range (log-uniform) */
	int realistic;             /* k8s-like keys, batches, deletes, leader changes, snapshots */
	uint64_t seed;
} synth_wal_opts;

typedef struct {
	uint64_t entries, bytes_used, file_bytes, segments, last_index, last_term, hard_states;
} synth_wal_stats;

typedef struct {
	uint64_t max_revisions;    /* stop after this many revisions (0 = no limit) */
	uint64_t max_bytes;        /* stop once the file reaches this size (0 = no limit) */
	unsigned vmin, vmax;       /* value size range (log-uniform) */
	int realistic;             /* k8s-like keys; otherwise export_bench's short pod keys */
	uint64_t consistent_index;
	uint64_t seed;
	/* key pool mode (key_pool > 0): each revision puts one of key_pool keys (or, delete_pct %
	 * of the time, deletes a live one: a tombstone); compact_rev > 0: the db is as etcd leaves
	 * it after a compaction at compact_rev (at or below it only each key's last revision when
	 * a put; meta/finishedCompactRev = compact_rev) */
	uint64_t key_pool;
	unsigned delete_pct;
	uint64_t compact_rev;
} synth_db_opts;

typedef struct {
	uint64_t revisions, pages, file_bytes;
	uint64_t tombstones, dropped;   /* key pool mode: tombstones written, revisions compacted away */
} synth_db_stats;

#define SYNTH_MEMBER_ID  0xdecacf2185b21ac2ull
#define SYNTH_CLUSTER_ID 0x4dcce9d896e29308ull

/* Write DATADIR/member/wal/ (created). 0 or -1. */
int synth_wal(const char *datadir, const synth_wal_opts *o, synth_wal_stats *st);
/* Write DATADIR/member/snap/db (created). 0 or -1. */
int synth_db(const char *datadir, const synth_db_opts *o, synth_db_stats *st);

/* Kubernetes-shaped member (synth_k8s.c): one stream of /registry/<resource>/<namespace>/<name>
 * puts and deletes written as a WAL from index 1 (with a Compaction request every
 * compact_every revisions, to the revision of the previous one) and as the db at its last
 * index, compacted at the last of them, the compacted-away revisions left as stale pages. */
typedef struct {
	uint64_t wal_bytes;        /* stop once this many WAL bytes are used */
	uint64_t compact_every;    /* revisions between compactions (0 = none) */
	uint64_t db_bytes;         /* about this size: only so many compacted-away stale pages (0 = all) */
	uint64_t member_id;        /* the WAL's member (metadata); 0 = SYNTH_MEMBER_ID, the leader */
	uint64_t seed;
} synth_k8s_opts;

/* Write DATADIR/member/wal/; *revisions and *last_compact get the stream's length and the last
 * compaction's revision (for synth_k8s_db). 0 or -1. */
int synth_k8s_wal(const char *datadir, const synth_k8s_opts *o, synth_wal_stats *st, uint64_t *revisions,
                  uint64_t *last_compact);
/* Write DATADIR/member/snap/db: revisions 2..REVISIONS of the same stream, compacted at COMPACT. */
int synth_k8s_db(const char *datadir, const synth_k8s_opts *o, uint64_t revisions, uint64_t compact,
                 uint64_t consistent_index, synth_db_stats *st);


/* ---- shared writers (synth_write.c): the runs synth.c and synth_k8s.c have in common ---- */

#define SYNTH_SEGMENT 64000000u    /* etcd's segment size */
#define SYNTH_PAGE    4096u        /* the db's page size */

/* xorshift64* step of state *s. */
uint64_t synth_rng(uint64_t *s);
/* A size in [lo, hi], log-uniform, from the random value x. */
unsigned synth_logsize(uint64_t x, unsigned lo, unsigned hi);
/* mkdir -p PATH. 0 or -1. */
int synth_mkdirs(const char *path);
/* Protobuf bytes field `field` holding b[0..n) at p; returns its length. */
size_t synth_put_bytes(uint8_t *p, unsigned field, const void *b, size_t n);

/* A WAL being written, one segment buffered in g. */
typedef struct {
	walgen g;
	const char *dir;
	uint64_t seq, first, used_closed, term, commit;
	synth_wal_stats *st;
} synth_walw;
/* Writes the buffered segment (the last one padded to SYNTH_SEGMENT) and counts it. 0 or -1. */
int synth_seg_close(synth_walw *w, int last);
/* Appends a HardState {term, vote = the leader, commit} and counts it. */
void synth_hard_state(synth_walw *w);

void synth_le16(uint8_t *p, uint16_t v);
void synth_le32(uint8_t *p, uint32_t v);
void synth_le64(uint8_t *p, uint64_t v);

/* A child of the next branch level: its page and first key (a revision key, <= 18 bytes). */
typedef struct { uint64_t pgid; uint8_t key[18]; size_t kl; } synth_childref;
/* A db being written: fd (< 0: a dry run that only counts pages), the next free page, the
 * leaves (or branches) of the level being built, and the owner's leaf scratch. */
typedef struct {
	int fd;
	uint64_t next_page;
	synth_childref *level;
	size_t nl, capl;
	uint8_t *node;
} synth_dbw;
/* Writes npages pages at page id. 0 or -1. */
int synth_write_pages(synth_dbw *d, uint64_t id, const uint8_t *p, size_t npages);
/* Writes one leaf node (pages as needed, at most cap bytes in node) of cnt elements: revision
 * keys (18-byte slots in keys) with values vals+voff[i]; link: add it to the branch level. */
int synth_write_leaf(synth_dbw *d, uint8_t *node, size_t cap, const uint8_t *keys, const size_t *klen,
                     const uint8_t *vals, const size_t *voff, const size_t *vlen, size_t cnt, int link);
/* Builds the branch levels over d's leaves (90 % full); *root gets the top page. 0 or -1. */
int synth_build_branches(synth_dbw *d, uint64_t *root);
/* Writes page 2 (free), page 3 (root bucket {key: key_root, meta: page 4}) and the metas 0 and
 * 1 (high water mark d->next_page); the caller writes the meta bucket's leaf at page 4. 0 or -1. */
int synth_db_frame(synth_dbw *d, uint64_t key_root);

#endif
