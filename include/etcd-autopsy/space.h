/* etcd-autopsy/space.h: what used the space of an etcd db (`db space`, NOSPACE post-mortems).
 *
 * One walk of the key bucket (ea_mvcc_foreach) and one pass over the page map of the bbolt
 * check: every key-bucket element is counted as live (the revision visible at the current
 * revision) or history (older revisions kept since the last compaction, tombstones included),
 * per group of keys (their first `/`-separated path components), with its stored bytes and its
 * share of the leaf/overflow pages it sits on; the keys with the most history; the db size etcd
 * reports (pgid x page size) against the pages in use; and what a compaction at the current
 * revision would drop. Every page below pgid is in exactly one bucket of the result, so the
 * groups and the overhead rows sum to the in-use bytes.
 *
 * Memory: one entry per distinct user key (its bytes + ~130 bytes: a key's history size is a
 * per-key sum and the key bucket is in revision order, not key order), one per group, the
 * top-N selection and one leaf page's elements; plus the page map of the bbolt check. */
#ifndef EA_SPACE_H
#define EA_SPACE_H

#include "common.h"
#include "mvcc.h"
#include "k8s.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EA_SPACE_DEPTH_DEFAULT 4
#define EA_SPACE_TOP_DEFAULT 10

typedef struct {
	unsigned depth;        /* path components per group (0: only the leading '/') */
	size_t   top;          /* keys listed by history size */
	ea_k8s  *k8s;          /* non-NULL (--k8s): keys under its prefix are grouped by Kubernetes
	                        * API group, resource and namespace instead, the others by depth */
} ea_space_options;

/* A number of key-bucket elements and the bytes they use. */
typedef struct {
	uint64_t revisions;    /* elements */
	uint64_t bytes;        /* stored revision key + encoded mvccpb.KeyValue bytes */
	uint64_t page_bytes;   /* their share of the key bucket's leaf/overflow pages (element bytes,
	                        * 16-byte element headers, page header and slack, by element size) */
} ea_space_amount;

/* One group of keys: the prefix up to their depth-th '/'-separated component. */
typedef struct {
	uint8_t *prefix;       /* NULL: the elements whose KeyValue does not decode (no key); for a
	                        * Kubernetes group, its first key up to the name */
	size_t   prefix_len;
	int      k8s;          /* a Kubernetes group (options.k8s): the three below are set */
	ea_k8s_str k8s_group, k8s_resource, k8s_ns;   /* group NULL: not known from the key;
	                        * ns NULL: cluster-scoped (borrowed from the group, freed with it) */
	uint64_t keys, live_keys;
	uint64_t tombstones;   /* tombstone revisions (all in history) */
	ea_space_amount live, history, drop;
} ea_space_group;

/* One key, for the top-N by history size. */
typedef struct {
	uint8_t *key;
	size_t   key_len;
	int      live;         /* its newest revision is a put: visible at the current revision */
	int64_t  last_revision;   /* main revision of its newest element */
	uint64_t tombstones;
	ea_space_amount live_amount, history;
} ea_space_key;

typedef struct {
	/* the file and its pages (every page below pgid in exactly one of the page counts) */
	uint64_t file_size;    /* bytes of the file (bbolt grows it ahead of pgid) */
	uint32_t page_size;
	uint64_t pages;        /* pgid of the meta page in use */
	uint64_t db_size;      /* pages x page size: etcd's dbSize (endpoint status) */
	uint64_t free_pages;   /* the free set (freelist, or pages below pgid not reachable) */
	uint64_t in_use_bytes; /* (pages - free_pages) x page size: etcd's dbSizeInUse once it has
	                        * (re)opened the file (a running etcd also counts pages pending release) */
	uint64_t meta_pages, freelist_pages, unreachable_pages, missing_pages;
	uint64_t key_leaf_pages, key_branch_pages, other_pages;   /* reachable pages by owner */
	uint64_t key_unattributed_bytes;   /* key-bucket leaf page bytes no readable element took */
	/* the key space */
	int64_t  revision, compact_revision;   /* current revision, -1 if never compacted */
	ea_hashkv_rule rule;   /* the tombstone rule of the compaction (CLASSIC or SKIP_TOMBSTONE) */
	int      compacted_at_revision;        /* compact_revision == revision: etcd refuses it */
	uint64_t keys, live_keys, tombstones, kept_tombstones;   /* kept: at R under the skip rule */
	ea_space_amount live, history, drop, undecodable;
	ea_space_group *groups;   /* sorted by page bytes, then bytes, descending */
	size_t   ngroups;
	ea_space_key *top;        /* by history bytes descending */
	size_t   ntop;
} ea_space;

/* The length of the group prefix of key at `depth`: a leading '/', then up to and including the
 * depth-th '/' after it, never the last component (a key's name is not a group): at depth 4,
 * /registry/pods/ns/name and /registry/cert-manager.io/certificates/ns/name group by resource
 * and namespace, /registry/nodes/n1 by resource; 0 for a key without any '/'. */
size_t ea_space_group_len(const uint8_t *key, size_t n, unsigned depth);

/* Computes the space of m's db with the compaction rule `rule` (CLASSIC or SKIP_TOMBSTONE):
 * runs the bbolt check first if needed. 0, or EA_ENOMEM / an I/O error (out is then freed). */
int ea_space_compute(ea_mvcc *m, const ea_space_options *o, ea_hashkv_rule rule, ea_space *out);
/* Frees what ea_space_compute allocated; out is zeroed. */
void ea_space_free(ea_space *s);

#ifdef __cplusplus
}
#endif
#endif
