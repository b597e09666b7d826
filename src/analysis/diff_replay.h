/* diff_replay.h: diff's use of the replay engine (issue 16), private to the analysis layer. A
 * kv-hash-mismatch is classified by replaying the members involved, each against its own db:
 * a member whose db differs from its own WAL is local storage corruption (the finding
 * db-differs-from-own-wal); when every member involved has a db equal to its own WAL, the
 * mismatch is an apply divergence. Replays run only for members of a kv-hash-mismatch, once. */
#ifndef EA_DIFF_REPLAY_H
#define EA_DIFF_REPLAY_H

#include "etcd-autopsy/diff.h"
#include "etcd-autopsy/replay.h"

#define EA__KVR_MAX 32

/* One member's replay, as diff needs it. */
typedef struct {
	int ran;                            /* 1 once the replay ran (or failed: rc) */
	int rc;                             /* EA_OK, or why the replay could not run */
	ea_replay_verdict verdict;
	char reason[320];
	uint64_t first_index, last_index;   /* the committed window replayed */
	int64_t last_revision;              /* the revision after its last committed entry */
	int have_first;                     /* the first difference at or below consistent_index */
	const char *result;                 /* its result name */
	uint64_t index, page;
	int64_t revision;
	char key[200];
	char detail[256];
} ea__kvr_node;

/* The replays of one diff run. */
typedef struct {
	ea__kvr_node node[EA__KVR_MAX];
	int committed_div;                  /* the logs diverged on committed entries */
	uint32_t corrupt;                   /* members whose db differs from their own WAL */
} ea__kv_replay;

/* Node nd's replay (its WAL against its own db, run once per node: ea_node_replay_get) into o
 * (zeroed by the caller); o->rc EA_ENOTFOUND without a WAL or a readable db. */
void ea__kv_replay_run(ea__kvr_node *o, ea_node *nd);
/* The classification of a kv-hash-mismatch between members x and r into out ("; ..."),
 * replaying each of them against its own db (once per member). */
void ea__kv_replay_class(ea__kv_replay *k, ea_node *const *nodes, size_t x, size_t r, char *out, size_t cap);
/* 1 when x's db differs from its own WAL and r's equals its own (r is then not suspect). */
int ea__kv_replay_only_x(const ea__kv_replay *k, size_t x, size_t r);
/* Appends a db-differs-from-own-wal finding for every member replayed whose db differs from
 * its own WAL; returns their mask (EA_ENOMEM is dropped: the finding is left out). */
uint32_t ea__kv_replay_findings(ea__kv_replay *k, ea_node *const *nodes, size_t n, ea_diff *d);

#endif
