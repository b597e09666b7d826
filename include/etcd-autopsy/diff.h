/* etcd-autopsy/diff.h: where and how several members' copies diverged, and which one to
 * trust. The logs are aligned by raft index (each node's surviving entries stream in index
 * order, so the comparison is a k-way lockstep with bounded memory), then every difference
 * is classified into one of the finding kinds of finding.h's table. */
#ifndef EA_DIFF_H
#define EA_DIFF_H

#include "finding.h"
#include "history.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	const char *kind;                /* the kind's name (kind_id's row in finding.h's table) */
	ea_finding_kind_id kind_id;
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

/* Compares the nodes (terms: from ea_terms_build, may be NULL) into out; EA_OK or an error. */
int  ea_diff_run(ea_node *const *nodes, size_t n, const ea_terms *terms, ea_diff *out);
/* Frees what ea_diff_run allocated in d. */
void ea_diff_free(ea_diff *d);

#ifdef __cplusplus
}
#endif
#endif
