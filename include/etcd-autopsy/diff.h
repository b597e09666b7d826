/* etcd-autopsy/diff.h: where and how several members' copies diverged, and which one to
 * trust. The logs are aligned by raft index (each node's surviving entries stream in index
 * order, so the comparison is a k-way lockstep with bounded memory), then every difference
 * is classified: missing-part, lagging, uncommitted-divergence, committed-divergence, log-gap, wal-damage,
 * db-damage, applied-ahead-of-wal, kv-hash-mismatch, membership-mismatch,
 * cluster-id-mismatch, term-inflation. */
#ifndef EA_DIFF_H
#define EA_DIFF_H

#include "history.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EA_VERDICT_CONSISTENT = 0,
	EA_VERDICT_INCOMPLETE,           /* what could be compared agrees, but a node lacks its WAL or db */
	EA_VERDICT_LAGGING,
	EA_VERDICT_UNCOMMITTED_DIVERGENCE,
	EA_VERDICT_DAMAGED,
	EA_VERDICT_STATE_DIVERGENCE,
	EA_VERDICT_COMMITTED_DIVERGENCE
} ea_verdict;

const char *ea_verdict_name(ea_verdict v);

typedef struct {
	const char *kind;
	const char *severity;            /* critical | warning | info */
	uint64_t index;                  /* 0 = none */
	int64_t  revision;               /* -1 = none */
	uint32_t node_mask;              /* bit i = nodes[i] */
	char detail[768];
} ea_finding;

typedef struct {
	ea_verdict verdict;
	ea_finding *findings;
	size_t nfindings;
	int recommended;                 /* index into nodes, -1 = none is safe */
	char recommendation[512];
	uint64_t first_divergent_index;  /* 0 = logs agree wherever they overlap */
} ea_diff;

int  ea_diff_run(ea_node *const *nodes, size_t n, const ea_terms *terms, ea_diff *out);
void ea_diff_free(ea_diff *d);

#ifdef __cplusplus
}
#endif
#endif
