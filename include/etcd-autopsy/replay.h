/* etcd-autopsy/replay.h: replays a member's WAL against its own db (issue 16).
 *
 * Every committed entry is applied, in index order, to an MVCC model the way etcd's apply does
 * (etcdserver apply.go, mvcc kvstore_txn.go, lease lessor.go Revoke): put (ignore_value,
 * ignore_lease, lease checks), delete_range (key, [key, end), from key, prefix), txn (every
 * compare against the state before the txn, nested txns, one main revision, a sub revision per
 * write), lease revoke (every attached key deleted in one revision), compaction, alarms (NOSPACE,
 * CORRUPT); v2 requests, conf changes, auth and cluster requests make no revision. The revision
 * each entry made is compared with the db's key bucket: the elements at that main revision
 * must be exactly the writes (key, value, create/mod revision, version, lease, tombstone).
 *
 * Anchor: a WAL starting at index 1 starts from an empty keyspace at revision 1. Otherwise the
 * db's consistent_index C and current revision R say that after entry C the revision is R; the
 * base revision B before the window is found by a fixpoint (replay from B, compare the revision
 * after C with R, move B, at most EA_REPLAY_MAX_PASSES passes). Keys the window has not touched
 * yet take their state at B from the db's key index (unknown when B is below the compaction
 * and the db no longer holds it: the entries that depend on it are `unknown`, never guessed).
 *
 * Cost: one WAL pass per fixpoint iteration (none when the WAL starts at 1) plus the emitting
 * pass, a few point lookups in the db per entry and one walk of the key bucket at the end
 * (db-only revisions); no_db_check (`wal ls`) drops the per-entry lookups. A put's value is
 * hashed only when a VALUE compare or an ignore_value put needs it, read back from its WAL
 * record (or the db element of a base state). Memory: the model holds only the keys the window
 * touches (a 128-byte entry: revisions, value length and where the value lies; the key bytes;
 * 16 bytes of slots; the value's 64-byte prefix only for keys a GREATER/LESS value compare
 * reads, read back once from where the value lies; a value decoded into a copy is hashed at
 * once) and the leases it names, plus one byte per revision the window makes; nothing is
 * allocated per entry once the buffers have grown. Measured on the Kubernetes-sized 8 GB member
 * (bench/ANALYSIS.md "Stop 24"): its window touches 241,413 keys, the model holds ~58 MiB
 * (38 MiB of entries in a table grown by doubling to 262,144, 16 MiB of key bytes, 4 MiB of
 * slots) and `replay` peaks at 61 MiB. It grows with the distinct keys the window writes, by
 * design (the state of every key a later entry may read: compares, ignore_value/ignore_lease
 * puts, range deletes and lease revokes): a WAL whose every write names a new key (a db
 * unrelated to the WAL) costs ~210 bytes per key (46 MiB for the synthetic 256 MB WAL). */
#ifndef EA_REPLAY_H
#define EA_REPLAY_H

#include "entry_iter.h"
#include "mvcc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EA_REPLAY_MATCHES_DB = 0,  /* the db holds exactly what the entry wrote */
	EA_REPLAY_DB_DIFFERS,      /* the db's elements at that revision hold something else */
	EA_REPLAY_MISSING_IN_DB,   /* applied per consistent_index (or after it), revision absent */
	EA_REPLAY_DB_ONLY,         /* a db revision no WAL entry made (index 0 rows) */
	EA_REPLAY_COMPACTED,       /* the revision is at or below the db's compaction: gone */
	EA_REPLAY_UNKNOWN,         /* depends on state neither the window nor the db holds */
	EA_REPLAY_NO_REVISION,     /* committed, makes no revision (conf change, lease grant, ...) */
	EA_REPLAY_NOT_CHECKED      /* uncommitted or superseded: never applied */
} ea_replay_result;
#define EA_REPLAY_RESULTS 8

typedef enum {
	EA_REPLAY_DB_EQUALS_WAL = 0,
	EA_REPLAY_DB_DIVERGES,     /* a difference at or below the db's consistent_index */
	EA_REPLAY_DB_BEHIND,       /* only entries after consistent_index are missing */
	EA_REPLAY_INCOMPLETE       /* no anchor, or entries left unknown: reason says why */
} ea_replay_verdict;

#define EA_REPLAY_MAX_PASSES 6
#define EA_REPLAY_DIFFERENCES_CAP 100   /* differences kept in the summary */

typedef struct {
	uint64_t index, term;      /* 0 for db-only rows */
	const char *kind;          /* as ea_entry_info.kind; "db-only" for db-only rows */
	ea_entry_state state;
	int64_t  revision;         /* main revision it made, 0 = none */
	int      writes;           /* elements (sub revisions) it wrote */
	int      txn_applied;      /* txn: 1 success branch ran, 0 failure branch, -1 not a txn or unknown */
	const uint8_t *key;        /* first key written (else compared / named), NULL if none; borrowed */
	size_t   key_len;
	ea_replay_result result;
	const char *detail;        /* why, for results other than matches-db; "" otherwise */
	uint64_t page;             /* db leaf page of the first differing (else first) element, 0 none */
	const ea_entry_item *entry;   /* the entry stream's item; NULL for db-only rows */
} ea_replay_item;

typedef struct {
	uint64_t index;
	int64_t  revision;
	uint8_t *key;              /* owned copy, NULL if none */
	size_t   key_len;
	ea_replay_result result;
} ea_replay_difference;

typedef struct {
	ea_replay_verdict verdict;
	uint64_t first_index, last_index;   /* committed window */
	uint64_t entries;                   /* committed entries replayed */
	int64_t  last_revision;             /* the revision after the last committed entry */
	uint64_t counts[EA_REPLAY_RESULTS];
	ea_replay_difference *differences;  /* the first EA_REPLAY_DIFFERENCES_CAP */
	size_t   ndifferences, differences_dropped;
	int      have_db;
	uint64_t consistent_index;          /* the db's anchor C */
	int64_t  db_revision, compact_revision, base_revision;   /* R, K (-1 none), B */
	unsigned passes;                    /* WAL passes, the emitting one included */
	char     reason[320];               /* why incomplete / behind / diverges, "" when equal */
} ea_replay_summary;

typedef struct {
	unsigned version;
	const ea_member_set *members;       /* as ea_entry_iter_options; NULL: the WAL's */
	/* the emitting pass hands every stream item that is no entry (records, problems) here, in
	 * stream order, so one pass serves `wal ls`/export; nonzero stops ea_replay_next with it */
	int (*on_record)(const ea_entry_item *e, void *arg);
	void *arg;
	int entries_only;                   /* no db-only walk: the stream ends after the last entry */
	/* revisions and txn outcomes only (`wal ls`): an entry is compared with the db only where the
	 * model learns a key's create_revision/version from it (same revisions, same outcomes); the
	 * others get result unknown, detail "not compared with the db", and the verdict means nothing */
	int no_db_check;
	/* the db-only walk hands every key-bucket element here first, as ea_mvcc_foreach gives them
	 * (one walk serves export's revisions); nonzero stops ea_replay_next with it. The walk runs
	 * when the replay is anchored on the db (not entries_only, nor a restored member) */
	int (*on_db_kv)(const ea_mvcc_kv *kv, void *arg);
} ea_replay_options;

#define EA_REPLAY_OPTIONS_VERSION 1
#define EA_REPLAY_OPTIONS_INIT { EA_REPLAY_OPTIONS_VERSION, NULL }

typedef struct ea_replay ea_replay;

/* Anchors the replay of `log` (rewound first) on `db` (NULL only for a WAL that starts at index
 * 1), running the fixpoint passes; both must outlive the replay. EA_EINVAL with err set when
 * there is no WAL entry or no anchor without a db. `o` may be NULL. */
int  ea_replay_new(ea_replay **out, ea_log *log, ea_mvcc *db, const ea_replay_options *o, ea_error *err);
/* The next entry (every record that is an entry, in WAL order), then the db-only rows:
 * EA_OK with *out valid until the next call, EA_ITEROVER at the end, or an error. */
int  ea_replay_next(const ea_replay_item **out, ea_replay *r);
/* The summary; complete once ea_replay_next returned EA_ITEROVER (owned by r). */
int  ea_replay_summary_get(ea_replay *r, const ea_replay_summary **out);
/* Frees the replay (not the log or the db); NULL is fine. */
void ea_replay_free(ea_replay *r);

/* One element (sub revision) an entry wrote, as the replay's model has it. */
typedef struct {
	int64_t  main, sub;
	const uint8_t *key;                 /* borrowed until the next ea_replay_next */
	size_t   key_len;
	int      tombstone;
	int      value_known;               /* 0: ignore_value kept a previous value the model only hashed */
	const uint8_t *value;               /* the put's value (NULL for tombstones or unknown) */
	size_t   value_len;
	int64_t  create_revision, mod_revision, version, lease;   /* 0 for a tombstone (etcd keeps only its key) */
	int      cv_known;                  /* create_revision and version known */
} ea_replay_write;

/* The number of elements the item ea_replay_next handed out last wrote (0 for db-only rows,
 * entries that made no revision and entries without an anchored revision). */
size_t ea_replay_write_count(const ea_replay *r);
/* Element `sub` of that item into *out: EA_OK, or EA_EINVAL past the count. */
int  ea_replay_write_get(const ea_replay *r, size_t sub, ea_replay_write *out);

/* "matches-db", "db-differs", "missing-in-db", "db-only", "compacted", "unknown",
 * "no-revision", "not-checked". */
const char *ea_replay_result_name(ea_replay_result res);
/* "db-equals-wal", "db-diverges-from-wal", "db-behind-wal", "incomplete". */
const char *ea_replay_verdict_name(ea_replay_verdict v);

#ifdef __cplusplus
}
#endif
#endif
