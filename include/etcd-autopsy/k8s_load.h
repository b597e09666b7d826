/* etcd-autopsy/k8s_load.h: the Kubernetes write load of one member's committed WAL window
 * (issue 17, the report's write-load section). Analysis layer (src/analysis/k8s_load.c).
 *
 * Every committed entry is classified as kube-apiserver shapes its writes (k8s.h's
 * ea_k8s_txn_op: create, update, delete, compact-marker, other) and its outcome is the
 * replay's (node_replay.h, replay.h: `applied`, the success branch ran; a CAS conflict is an
 * apiserver create/update/delete whose compare failed, the failure branch ran). Writes whose key
 * is under the Kubernetes prefix are counted per resource, namespace, resource in a namespace
 * and object, and over the window in buckets of raft index; the events written per namespace
 * per bucket are the event storm.
 *
 * Axis: buckets are raft index ranges (the timeline's index axis), or, with the entries' time
 * estimates (walltime.h, ea_k8s_load_build_timed), equal spans of estimated UTC time over the
 * window's dated part, each with the committed index range it holds; entries without an
 * estimate count in the totals and in untimed_*, in no bucket.
 * Memory: one counter per distinct object, resource and namespace, bounded
 * (EA_K8S_LOAD_MAX_CELLS per table; beyond it writes count in the totals only). */
#ifndef EA_K8S_LOAD_H
#define EA_K8S_LOAD_H

#include "history.h"
#include "k8s.h"
#include "walltime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EA_K8S_LOAD_BUCKETS 100        /* buckets over the window (fewer for a short window) */
#define EA_K8S_LOAD_TOP 10             /* rows per table by writes, then up to as many more by CAS conflicts */
#define EA_K8S_LOAD_STORM 6            /* namespaces of the event storm */
#define EA_K8S_LOAD_MAX_CELLS (1u << 20)

typedef enum { EA_K8S_OP_CREATE, EA_K8S_OP_UPDATE, EA_K8S_OP_DELETE, EA_K8S_OP_COMPACT, EA_K8S_OP_OTHER } ea_k8s_op;
#define EA_K8S_OPS 5
typedef enum { EA_K8S_APPLIED, EA_K8S_FAILED, EA_K8S_UNKNOWN } ea_k8s_outcome;
#define EA_K8S_OUTCOMES 3

/* One row of a top table: what it counts (the fields of its table), then its counts. */
typedef struct {
	ea_k8s_str group, resource, ns, name;   /* p NULL: not a field of this table; ns NULL in a
	                                           namespace table = cluster-scoped objects */
	ea_k8s_str key;                    /* objects: the etcd key (raw bytes) */
	uint64_t writes;                   /* committed writes that took effect */
	uint64_t cas_failures;             /* apiserver txns on it whose compare failed */
	uint64_t unknown;                  /* apiserver txns whose outcome the replay could not tell */
	uint64_t events;                   /* writes to events (namespace tables) */
	uint64_t first_index, last_index;  /* its first and last counted entry */
	int64_t last_revision;             /* the revision its last write made (replay), 0 = not known */
	int by_cas;                        /* listed for its CAS conflicts (not in the top by writes) */
} ea_k8s_load_row;

typedef struct {
	ea_k8s_load_row *rows;
	size_t nrows;
	size_t distinct;                   /* rows seen in all (tracked) */
	uint64_t untracked;                /* writes of rows past EA_K8S_LOAD_MAX_CELLS */
} ea_k8s_load_table;

typedef struct {
	uint64_t lo, hi;                   /* raft index range [lo, hi]; by time: the first and last
	                                      committed index dated in it (0, 0: none) */
	uint64_t writes, cas_failures, events;
	int64_t lo_us, hi_us;              /* by time: its span [lo_us, hi_us], estimated UTC, Unix µs */
} ea_k8s_load_bucket;

typedef struct {
	ea_k8s_str ns;                     /* NULL p: cluster-scoped events */
	uint64_t events;
	const uint32_t *per_bucket;        /* nbuckets counts */
} ea_k8s_load_storm;

typedef struct {
	int present;                       /* a committed write or txn under the prefix */
	const char *node;                  /* the member whose WAL was read (borrowed) */
	int replay_rc;                     /* EA_OK when the replay told the outcomes */
	const char *replay_verdict;        /* its verdict name, NULL when it did not run */
	uint64_t first_index, last_index;  /* the committed window bucketed */
	uint64_t entries;                  /* committed entries read */
	uint64_t txns;                     /* txns among them (any key) */
	uint64_t ops[EA_K8S_OPS][EA_K8S_OUTCOMES];   /* txns by shape and outcome (any key) */
	uint64_t writes, cas_failures, unknown, events;   /* under the prefix */
	ea_k8s_load_table resources, namespaces, resource_ns, objects;
	ea_k8s_load_bucket buckets[EA_K8S_LOAD_BUCKETS];
	size_t nbuckets;
	ea_k8s_load_storm storm[EA_K8S_LOAD_STORM];
	size_t nstorm;
	int by_time;                       /* 1: the buckets are spans of estimated UTC time */
	int64_t first_us, last_us;         /* by time: the estimates of the window's first and last dated index */
	uint64_t untimed_entries;          /* by time: committed entries read with no time estimate */
	uint64_t untimed_writes, untimed_cas, untimed_events;   /* by time: their counts, in no bucket */
	void *priv;                        /* the counters the rows point into */
} ea_k8s_load;

/* Reads node nd's committed WAL window with decoder k into out, as a visitor of nd's replay
 * (ea_node_replay_get), which it runs and keeps: call it before anything else replays nd.
 * EA_OK (out->present 0 when nothing is under the prefix), EA_EINVAL when nd was replayed
 * already, EA_ENOTFOUND without a WAL and a db, EA_ENOMEM. out is freed by ea_k8s_load_free
 * whatever the result. */
int  ea_k8s_load_build(ea_node *nd, const ea_k8s *k, ea_k8s_load *out);
/* ea_k8s_load_build with buckets by estimated UTC time (by_time) from wt, nd's finished anchors
 * (ea_walltime_finish); by raft index when wt is NULL or dates no index of the window. */
int  ea_k8s_load_build_timed(ea_node *nd, const ea_k8s *k, const ea_walltime *wt, ea_k8s_load *out);
/* Frees what ea_k8s_load_build allocated in l. */
void ea_k8s_load_free(ea_k8s_load *l);
/* "create", "update", "delete", "compact-marker", "other". */
const char *ea_k8s_op_name(ea_k8s_op op);

#ifdef __cplusplus
}
#endif
#endif
