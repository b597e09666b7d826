/* etcd-autopsy/history.h: the analysis layer. One ea_node per member copy (data dir or
 * archive): what its WAL says happened (terms, votes, leaders' first entries, superseded
 * ranges, snapshots, membership changes, compactions, alarms, restarts), then a merged
 * view over several nodes: the leader of every term, failed elections, and the timeline.
 *
 * Memory is bounded by the number of terms, membership changes, snapshots and overwrite
 * events, never by the number of entries: entries are streamed. */
#ifndef EA_HISTORY_H
#define EA_HISTORY_H

#include "common.h"
#include "source.h"
#include "raft.h"
#include "mvcc.h"
#include "etcdlog.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one node's WAL says about one term. */
typedef struct {
	uint64_t term;
	uint64_t first_index, last_index;   /* of entries of this term in this WAL (0 if none) */
	uint64_t entries;                   /* entry records of this term (superseded included) */
	uint64_t superseded;                /* of those, later overwritten */
	uint64_t vote;                      /* last vote cast in this term (0 = none) */
	int      saw_state;                 /* a HardState with this term was written */
	int      leader_noop;               /* the term's first entry is an empty normal entry */
	uint64_t first_state_offset;        /* where the node entered the term */
	size_t   first_state_segment;
} ea_node_term;

typedef struct {
	uint64_t index, term;
	const char *kind;                   /* confchange:add, ... */
	uint64_t member_id;
	char *context;                      /* member JSON from the entry, may be NULL */
	int committed;                      /* index <= the node's final commit */
	int superseded;
} ea_conf_change;

typedef struct {
	uint64_t from_index, to_index, term, by_term;
	size_t segment;
	uint64_t offset;                    /* frame of the first superseded entry */
} ea_superseded_range;

typedef struct {
	uint16_t member_low16;
	uint64_t member_id;                 /* 0 if not matched to a known member */
	int64_t  started_ms;
	uint64_t first_index;               /* first entry carrying this start time */
	uint64_t term;
} ea_restart;

typedef struct {
	uint64_t index, term;
	char detail[96];
} ea_marker;                            /* compactions, alarms */

/* One member copy. Opaque: read it through the views below, one per concern. */
typedef struct ea_node ea_node;

/* A segment of the node's WAL (copied so the node outlives the cursor). */
typedef struct {
	char *file;
	uint64_t seq, first_index, size, used;
	int64_t mtime;
} ea_node_segment;

/* What the node's WAL is: the facts of `wal stat` and its segments. */
typedef struct {
	int   present;                      /* the input has a WAL */
	ea_wal_summary summary;             /* facts of `wal stat` */
	char *dir;                          /* the WAL directory */
	ea_node_segment *segments;
	size_t nsegments;
	uint64_t first_index;               /* first surviving entry (after overwrites/snapshot jumps) */
} ea_node_wal_info;

/* What the node's WAL says happened, in the order of the log. */
typedef struct {
	ea_node_term *terms;                /* sorted by term */
	size_t nterms;
	ea_conf_change *conf;
	size_t nconf;
	ea_superseded_range *sup;
	size_t nsup;
	ea_restart *restarts;
	size_t nrestarts;
	ea_marker *compactions;
	size_t ncompactions;
	ea_marker *alarms;
	size_t nalarms;
	ea_marker *auth_changes;            /* auth_enable / auth_disable entries, not superseded (detail says which) */
	size_t nauth_changes;
	ea_marker *installs;                /* snapshots received from a leader: the log jumps to index+1 */
	size_t ninstalls;
} ea_node_history_info;

/* etcd's own log for this member (--logs), recognised events only. */
typedef struct {
	ea_log_event *events;
	size_t nevents, dropped;
	ea_log_stats stats;
	char *path;                         /* NULL when no log is attached */
} ea_node_logs_info;

/* The bbolt db of the data dir (or the db / backup file itself), when there is one. */
typedef struct {
	int present;
	char *file;
	uint64_t consistent_index;
	int64_t  revision, compact_revision;
	char     cluster_version[32];       /* the db's cluster/clusterVersion, "" if absent */
	int      have_term;                 /* meta/term is stored (etcd 3.5+) */
	uint64_t term;                      /* meta/term: the raft term of the consistent index */
	uint32_t hash;                      /* HashKV at hash_revision (the current revision at open;
	                                       ea_diff_run re-hashes at the common revision) */
	int64_t  hash_revision;
	size_t   problems;                  /* bbolt/mvcc problems (warning or worse), check included */
	size_t   errors;                    /* of those, errors (a meta fallback is only a warning) */
	const ea_problem *first_problem;
	char *unreadable;                   /* why the db could not be opened, NULL if it could */
} ea_node_db_info;

/* The user-given name, or one derived from the path. */
const char *ea_node_name(const ea_node *n);
/* The path the node was opened from. */
const char *ea_node_path(const ea_node *n);
/* The part of a member's data dir (its WAL or its db) this input lacks, and why, in one
 * sentence; NULL when both are here. Such a node never makes a diff `consistent`. */
const char *ea_node_missing(const ea_node *n);
/* The node's input (data dir, archive or file). */
ea_input *ea_node_input(const ea_node *n);
/* The node's raft log, kept open: ea_log_rewind() for another pass. NULL without a WAL. */
ea_log *ea_node_log(const ea_node *n);
/* The node's db, open for HashKV at other revisions. NULL without a readable db. */
ea_mvcc *ea_node_mvcc(const ea_node *n);
/* The etcd versions the node's WAL entries need (version.h), NULL without a WAL. */
const struct ea_wal_versions *ea_node_wal_versions(const ea_node *n);
/* Frees them (3 bytes per WAL entry: 9 MiB at 3.1 M entries) for a command that never reads
 * them (verify, export); ea_node_wal_versions() is NULL afterwards. */
void ea_node_drop_wal_versions(ea_node *n);
/* The node's WAL facts and segments. */
const ea_node_wal_info *ea_node_wal(const ea_node *n);
/* What the node's WAL says happened. */
const ea_node_history_info *ea_node_history(const ea_node *n);
/* etcd's own log attached with ea_node_add_log. */
const ea_node_logs_info *ea_node_logs(const ea_node *n);
/* The node's db facts. */
const ea_node_db_info *ea_node_db(const ea_node *n);
/* Records the db's HashKV at another revision (ea_diff_run compares at a common revision). */
void ea_node_set_db_hash(ea_node *n, uint32_t hash, int64_t revision);

/* Opens PATH and reads its WAL and its db (either may be absent, not both) into a node.
 * `name` may be NULL. */
int  ea_node_open(ea_node **out, const char *name, const char *path, ea_error *err);
/* Flag of ea_node_open_opts: also gather the node's WAL time anchors (walltime.h, Kubernetes
 * keys under k8s_prefix) in the pass that reads its history, for ea_node_take_walltime. */
#define EA_NODE_OPEN_WALLTIME 1u
/* Options of one open (the *_with opens); all zero, or a NULL pointer, is ea_node_open's. */
typedef struct {
	unsigned flags;           /* EA_NODE_OPEN_* */
	const char *k8s_prefix;   /* prefixes of the gathered anchors' keys (as ea_k8s_new; NULL: /registry) */
} ea_node_open_opts;
/* ea_node_open with options (NULL = ea_node_open); a k8s_prefix ea_k8s_new refuses makes it fail. */
int  ea_node_open_with(ea_node **out, const char *name, const char *path, const ea_node_open_opts *opts,
                       ea_error *err);
/* Same over an already open input, which the node takes over (closed with it, also on failure). */
int  ea_node_open_input(ea_node **out, const char *name, ea_input *in, ea_error *err);
/* Closes the node, its input, log and db; NULL is allowed. */
void ea_node_close(ea_node *n);

/* Opens n nodes concurrently (one thread per node, at most as many as the CPUs; each node is
 * read independently, results identical to opening them one by one). names[i] may be NULL.
 * On failure every opened node is freed, *failed is the index of the first failing node and
 * errs[*failed] says why. */
int  ea_node_open_many(ea_node **out, const char *const *names, const char *const *paths, size_t n,
                       ea_error *errs, size_t *failed);
/* ea_node_open_many with the same options (NULL = none) for every node. */
int  ea_node_open_many_with(ea_node **out, const char *const *names, const char *const *paths, size_t n,
                            const ea_node_open_opts *opts, ea_error *errs, size_t *failed);

typedef struct ea_walltime ea_walltime;
/* The anchors gathered at open (EA_NODE_OPEN_WALLTIME), handed over (not finished: add etcd-log anchors, then
 * ea_walltime_finish; free with ea_walltime_free); NULL when none were gathered. */
ea_walltime *ea_node_take_walltime(ea_node *n);

/* Attaches etcd's log for this member: PATH (plain or .gz) or ARCHIVE:MEMBER. */
int  ea_node_add_log(ea_node *n, const char *path, ea_error *err);
/* 0 if the attached log can be this member's; 1 (and why, in etcd's terms) if it is empty,
 * no line of it is recognised, it mixes two members, or another member wrote it. */
int  ea_node_log_check(const ea_node *n, char *why, size_t cap);

/* What n's WAL says about `term`, NULL if it never mentions it. */
const ea_node_term *ea_node_find_term(const ea_node *n, uint64_t term);

/* ---- merged view over several nodes ---- */

typedef struct {
	uint64_t term;
	uint64_t leader;                    /* member ID, 0 if unknown */
	const char *leader_basis;           /* how it was inferred, in one phrase */
	uint64_t first_index, last_index;   /* over all nodes (0 if no entries) */
	uint64_t entries;                   /* max over nodes */
	int failed_election;                /* votes/HardStates in this term but no entries anywhere */
	int64_t time_ms;                    /* earliest log line about this term, -1 if none */
	uint64_t log_leader;                /* leader named by etcd's logs ("became leader at term"), 0 if none */
	int leader_mismatch;                /* the logs name another leader than the votes */
	size_t nvotes;
	struct { uint64_t voter, voted_for; } votes[16];
} ea_term_row;

typedef struct {
	ea_term_row *rows;
	size_t nrows;
	size_t failed_elections;
	size_t longest_failed_run;
	size_t leader_mismatches;
	uint64_t max_term, max_term_with_entries;
} ea_terms;

/* Merges the nodes' terms: the leader of every term, failed elections, leader mismatches. */
int  ea_terms_build(ea_node *const *nodes, size_t n, ea_terms *out);
/* Releases what ea_terms_build filled in. */
void ea_terms_free(ea_terms *t);

/* One timeline event. Strings borrowed from the nodes / terms. */
typedef struct {
	const char *node;                   /* node name, NULL for cluster-level events */
	const char *event;                  /* term-start, vote, leader-elected, failed-election,
	                                       superseded, snapshot, snapshot-install, conf-change,
	                                       compaction, alarm, auth-enable, auth-disable,
	                                       member-start, segment-end, db-state, problem, log */
	uint64_t term, index;               /* 0 when not applicable */
	int64_t  time_ms;                   /* -1 if unknown */
	const char *time_source;            /* log, request-id, snap-mtime, segment-mtime, db-mtime, NULL */
	char detail[256];
} ea_event;

/* Builds the merged, ordered timeline (by term, then index, then node). */
int  ea_timeline_build(ea_node *const *nodes, size_t n, const ea_terms *terms,
                       ea_event **out, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
