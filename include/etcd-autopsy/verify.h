/* etcd-autopsy/verify.h: is this backup (or data dir) restorable, and does it match the
 * members? Checks the SHA-256 trailer of an `etcdctl snapshot save` file, the full bbolt
 * structure, the MVCC state (revision, compaction, members, HashKV at its revision), for a
 * data dir the WAL up to its commit index and a usable snapshot covering the WAL start, and
 * with --against nodes, each member's HashKV at the backup's revision and the replay of its
 * WAL against its own db (replay.h). */
#ifndef EA_VERIFY_H
#define EA_VERIFY_H

#include "history.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EA_RESTORABLE = 0,
	EA_RESTORABLE_WITH_WARNINGS,
	EA_NOT_RESTORABLE
} ea_restorability;

/* "restorable", "restorable-with-warnings" or "not-restorable". */
const char *ea_restorability_name(ea_restorability r);

#define EA_VERIFY_MAX_REASONS 32
#define EA_VERIFY_MAX_AGAINST 16

typedef struct {
	ea_restorability verdict;
	size_t nreasons;
	struct { const char *severity; char text[400]; } reasons[EA_VERIFY_MAX_REASONS];
	const char *kind;                 /* snapshot-file, db, data-dir */
	const char *sha256_trailer;       /* absent | ok | mismatch | n/a */
	int have_db;
	int64_t revision, compact_revision;
	uint64_t consistent_index;
	uint32_t hash;                    /* HashKV at `revision` */
	int hash_ok;
	uint64_t total_key, total_size;
	uint32_t snapshot_hash;           /* etcdctl snapshot status hash */
	size_t members;
	size_t db_problems;
	size_t nagainst;
	struct {
		const char *name;
		int match;                    /* 1, 0, -1 = cannot compare (compacted, behind, no db) */
		uint32_t hash;
		char why[200];
		const char *replay;           /* its WAL replayed against its own db: ea_replay_verdict_name,
		                                 NULL when not replayed (no WAL or no readable db) */
		char replay_why[400];         /* the replay's reason or first difference, or why not replayed */
	} against[EA_VERIFY_MAX_AGAINST];
} ea_verify_result;

/* Is target (a backup or a data dir) restorable, and does its state match each of the against nodes? */
int ea_verify_run(ea_node *target, ea_node *const *against, size_t n, ea_verify_result *out);

#ifdef __cplusplus
}
#endif
#endif
