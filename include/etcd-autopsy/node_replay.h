/* etcd-autopsy/node_replay.h: one member's replay verdict (replay.h: its WAL replayed against its
 * own db), run at most once per node and kept with it, so that diff (kv-hash-mismatch
 * classification), the report's nodes table and the report's Kubernetes write load share one
 * run per member. Analysis layer (src/analysis/node_replay.c). */
#ifndef EA_NODE_REPLAY_H
#define EA_NODE_REPLAY_H

#include "history.h"
#include "replay.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	int rc;                             /* EA_OK; EA_ENOTFOUND without a WAL or a readable db; else why it stopped */
	ea_replay_verdict verdict;          /* valid when rc == EA_OK */
	char reason[320];                   /* the summary's reason, or why the replay could not run */
	uint64_t first_index, last_index;   /* the committed window replayed */
	uint64_t entries;                   /* committed entries replayed */
	int64_t last_revision;              /* the revision after the last committed entry */
	/* the first difference etcd had applied: db-differs, db-only, or missing-in-db at or below
	 * the db's consistent_index (diff's db-differs-from-own-wal) */
	int have_first;
	const char *result;                 /* its result name (static) */
	uint64_t index, page;
	int64_t revision;
	char key[200];                      /* terminal-escaped (ea_text_escape), "-" when none */
	char detail[256];
	/* the first difference of any result (the summary's first): for db-behind-wal the first
	 * entry the db does not hold yet */
	int have_any;
	const char *any_result;
	uint64_t any_index;
	int64_t any_revision;
	char any_key[200];
} ea_node_replay;

/* Called with every item of the run, in order (entries, then db-only rows). */
typedef void (*ea_node_replay_visit)(const ea_replay_item *it, void *arg);

/* Node n's WAL replayed against its own db: run on the first call and kept with the node, the
 * kept result on later calls; NULL when out of memory. With `visit`, every item of the run is
 * handed to it: pass it on the first call (a kept result is not run again, visit then sees
 * nothing and *visited, when given, is 0). */
const ea_node_replay *ea_node_replay_get(ea_node *n, ea_node_replay_visit visit, void *arg, int *visited);
/* The kept result, NULL when node n was not replayed (ea_node_replay_get never called). */
const ea_node_replay *ea_node_replay_kept(const ea_node *n);

#ifdef __cplusplus
}
#endif
#endif
