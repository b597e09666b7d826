/* etcd-autopsy/entry_iter.h: one stream of a WAL's records with what each entry means.
 *
 * ea_entry_iter walks an ea_log (ReadAll semantics: superseded entries flagged) and hands out,
 * per record, the log item and, for an entry, its decoded payload (ea_entry_info), the member
 * that proposed it and whether it is committed, superseded or uncommitted. `wal ls`, `export`
 * and the history pass (ea_node) all read the log through it, so they agree by construction.
 * Later per-entry facts (replay's revision, Kubernetes objects) go into ea_entry_item. */
#ifndef EA_ENTRY_ITER_H
#define EA_ENTRY_ITER_H

#include "raft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- member IDs, to name the proposer of a request ---- */

#define EA_MEMBER_SET_MAX 64

typedef struct {
	uint64_t ids[EA_MEMBER_SET_MAX];
	size_t   n;
} ea_member_set;

/* Adds `id` once; 0 and IDs beyond EA_MEMBER_SET_MAX are ignored. */
void     ea_member_set_add(ea_member_set *s, uint64_t id);
/* The one ID of `s` whose low 16 bits are `low16` (a request ID's proposer), 0 if none or several. */
uint64_t ea_member_set_match(const ea_member_set *s, uint16_t low16);

/* The WAL's own member (its first metadata record) and the members its conf changes add,
 * update or promote (removals left out), in WAL order, known from the log's first pass. */
const ea_member_set *ea_log_members_added(const ea_log *l);

/* ---- the entry stream ---- */

typedef enum {
	EA_ENTRY_COMMITTED,        /* index <= the last HardState's commit, not superseded */
	EA_ENTRY_UNCOMMITTED,      /* above the commit index: may never have been applied */
	EA_ENTRY_SUPERSEDED        /* overwritten by a later entry at the same or a lower index */
} ea_entry_state;

typedef struct {
	ea_log_item log;           /* the record (or problem) with superseded / superseded_by_term */
	int is_entry;              /* log.item is a decoded entry record: the fields below are set */
	ea_entry_info info;        /* the payload; borrowed strings valid until the next call */
	ea_entry_state state;
	uint64_t proposer;         /* member ID matched from the request ID's low 16 bits, 0 if none */
	char proposer_name[20];    /* hex of `proposer`, else "????xxxx" (the low 16 bits); "" without a request ID */
} ea_entry_item;

typedef struct {
	const ea_member_set *members;   /* IDs to name proposers by; NULL: every ID the WAL names (ea_log_member_ids) */
} ea_entry_iter_options;

typedef struct ea_entry_iter ea_entry_iter;

/* Starts a stream over `log` from where its cursor stands (ea_log_open or ea_log_rewind);
 * the log stays the caller's and must outlive the iterator. `opts` may be NULL. */
int  ea_entry_iter_new(ea_entry_iter **out, ea_log *log, const ea_entry_iter_options *opts);
/* The next record: EA_OK and *out (valid until the next call, no allocation per record),
 * EA_ITEROVER at the end, or the log's error. */
int  ea_entry_iter_next(const ea_entry_item **out, ea_entry_iter *it);
/* Frees the iterator (not the log); NULL is fine. */
void ea_entry_iter_free(ea_entry_iter *it);

/* The state word `wal ls` prints: "committed", "UNCOMMITTED" or "SUPERSEDED". */
const char *ea_entry_state_label(ea_entry_state s);

#ifdef __cplusplus
}
#endif
#endif
