/* etcd-autopsy/finding.h: the kinds of finding `diff` (and everything built on it: report,
 * export, history) can emit, described once: name, the severities it can take, what it means,
 * what to do about it, whether the report draws it on the timeline, and the verdict it can
 * raise. Help, documents and renderers read this table instead of listing kinds again. */
#ifndef EA_FINDING_H
#define EA_FINDING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The diff's verdict, from best to worst: the worst finding decides it. */
typedef enum {
	EA_VERDICT_CONSISTENT = 0,
	EA_VERDICT_INCOMPLETE,           /* what could be compared agrees, but a node lacks its WAL or db */
	EA_VERDICT_LAGGING,
	EA_VERDICT_UNCOMMITTED_DIVERGENCE,
	EA_VERDICT_DAMAGED,
	EA_VERDICT_STATE_DIVERGENCE,
	EA_VERDICT_COMMITTED_DIVERGENCE
} ea_verdict;

/* The verdict's name as printed: consistent, incomplete, lagging, ... */
const char *ea_verdict_name(ea_verdict v);

/* Every finding kind; the order is the table's (and the help's and documents'). */
typedef enum {
	EA_FK_LAGGING = 0,
	EA_FK_UNCOMMITTED_DIVERGENCE,
	EA_FK_COMMITTED_DIVERGENCE,
	EA_FK_LOG_GAP,
	EA_FK_WAL_DAMAGE,
	EA_FK_DB_DAMAGE,
	EA_FK_APPLIED_AHEAD_OF_WAL,
	EA_FK_KV_HASH_MISMATCH,
	EA_FK_CLUSTER_ID_MISMATCH,
	EA_FK_TERM_INFLATION,
	EA_FK_MISSING_PART,
	EA_FK_MEMBERSHIP_MISMATCH,
	EA_FK_MEMBER_REMOVED,
	EA_FK_RESTORE_LEFTOVER,
	EA_FK_LEADER_MISMATCH,
	EA_FK_KV_HASH_RULE,
	EA_FK_DB_DIFFERS_FROM_OWN_WAL,
	EA_FK_COUNT
} ea_finding_kind_id;

/* Severities a kind can take (bit set in ea_finding_kind.severities). */
#define EA_FSEV_INFO     1u
#define EA_FSEV_WARNING  2u
#define EA_FSEV_CRITICAL 4u

/* How the report's timeline draws a finding that has an index and nodes. */
typedef enum {
	EA_FK_DRAW_NONE = 0,             /* listed only */
	EA_FK_DRAW_DIVERGENCE,           /* a dashed line across the lanes involved */
	EA_FK_DRAW_WARN                  /* the same line in the warning colour */
} ea_finding_draw;

/* One row of the table. */
typedef struct {
	ea_finding_kind_id id;
	const char *name;                /* as printed: "lagging", "kv-hash-mismatch", ... */
	unsigned severities;             /* EA_FSEV_* bits it can take (which one: the finding's case) */
	const char *meaning;             /* one line: what it says */
	const char *advice;              /* one line: what to do */
	ea_finding_draw draw;            /* drawn on the report's timeline or not */
	ea_verdict verdict;              /* the verdict it can raise, EA_VERDICT_CONSISTENT = none */
} ea_finding_kind;

/* The row of kind id (never NULL for id < EA_FK_COUNT; NULL otherwise). */
const ea_finding_kind *ea_finding_kind_get(ea_finding_kind_id id);

/* The row named name, NULL when no kind has that name. */
const ea_finding_kind *ea_finding_kind_by_name(const char *name);

/* "info", "warning" or "critical" for one EA_FSEV_* bit, NULL for anything else. */
const char *ea_finding_severity_name(unsigned sev_bit);

#ifdef __cplusplus
}
#endif
#endif
