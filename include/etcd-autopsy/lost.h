/* etcd-autopsy/lost.h: what a lagging or rolled-back member lost (issue 16): the keys whose
 * value or existence differs between the member's state (its db at its current revision, i.e.
 * at its consistent_index) and a reference member's state at an index (the reference's
 * consistent_index unless given: e.g. the N of "tocommit(N) is out of range"), grouped by
 * prefix (the key up to its last '/').
 *
 * Built on the replay engine: each side's WAL is replayed against its own db (its verdict says
 * whether that db can be trusted as the state its WAL made) and the reference's replay places
 * the index on a revision; the states are then read from the dbs' key buckets at those
 * revisions (two key-ordered ranges with a point lookup on the other side per key: no memory
 * beyond the dbs' key indexes). Listing capped at EA_LOST_KEYS_CAP keys and EA_LOST_PREFIX_CAP
 * prefixes; the totals are always exact. */
#ifndef EA_LOST_H
#define EA_LOST_H

#include "replay.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EA_LOST_KEYS_CAP 1000     /* keys listed one by one */
#define EA_LOST_PREFIX_CAP 256    /* prefixes counted one by one, the rest together */

typedef enum {
	EA_LOST_MISSING = 0,      /* the reference holds the key, the member does not */
	EA_LOST_CHANGED,          /* both hold it with different values */
	EA_LOST_EXTRA             /* the member holds it, the reference does not (deleted there) */
} ea_lost_how;

typedef struct {
	uint8_t *key;             /* owned */
	size_t key_len;
	ea_lost_how how;
	int64_t member_mod, reference_mod;   /* mod_revision on each side, 0 where absent */
} ea_lost_key;

typedef struct {
	uint8_t *prefix;          /* owned; NULL for the "other prefixes" row */
	size_t len;
	uint64_t n[3];            /* by ea_lost_how */
} ea_lost_prefix;

/* One side: its state's index and revision, its replay verdict. */
typedef struct {
	uint64_t index;           /* consistent_index (member) or the index asked (reference) */
	int64_t revision;         /* the revision of that state */
	int64_t compact_revision;
	int replayed;             /* 0: no WAL to replay (a db alone) */
	ea_replay_verdict verdict;
	char reason[320];
} ea_lost_side;

typedef struct {
	ea_lost_side member, reference;
	uint64_t total[3];        /* by ea_lost_how */
	ea_lost_key *keys;
	size_t nkeys, keys_dropped;
	ea_lost_prefix *prefixes; /* in first-seen order; the last one is "other" when prefixes_other */
	size_t nprefixes;
	int prefixes_other;
} ea_lost;

/* Compares the member (mlog may be NULL, mdb not) with the reference (rlog may be NULL only when
 * at is 0, rdb not) at reference index `at` (0: the reference db's consistent_index). EA_EINVAL
 * with err set when the index cannot be placed or its revision is compacted in the reference. */
int ea_lost_run(ea_log *mlog, ea_mvcc *mdb, ea_log *rlog, ea_mvcc *rdb, uint64_t at, ea_lost *out, ea_error *err);
/* Frees what ea_lost_run filled. */
void ea_lost_free(ea_lost *l);
/* "missing", "changed", "extra". */
const char *ea_lost_how_name(ea_lost_how how);

#ifdef __cplusplus
}
#endif
#endif
