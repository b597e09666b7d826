/* k8s_load_int.h: the counters of the Kubernetes write load (k8s_load.h), private to
 * k8s_load.c and k8s_load_table.c: one hash table per dimension (resource, namespace,
 * resource in a namespace, object), keyed by up to five byte-string fields, bounded. */
#ifndef EA_K8S_LOAD_INT_H
#define EA_K8S_LOAD_INT_H

#include "etcd-autopsy/k8s_load.h"

enum { EA__LF_GROUP, EA__LF_RESOURCE, EA__LF_NS, EA__LF_NAME, EA__LF_KEY, EA__LF_N };

typedef struct {
	uint64_t hash;
	char *buf;                         /* the present fields, back to back */
	size_t flen[EA__LF_N];
	unsigned fhave;                    /* bit f: field f is present */
	uint64_t writes, cas, unknown, events, first_index, last_index;
	int64_t last_revision;
	uint32_t *ev;                      /* namespaces: events per bucket, NULL until the first */
	int picked;
} ea__lcell;

typedef struct {
	ea__lcell **slots;
	size_t cap, n, bytes;
	uint64_t untracked;
} ea__ltable;

#define EA__LTABLE_MAX_BYTES ((size_t)64 << 20)

/* The cell of fields f (p NULL = absent), added when new; NULL when the table is full (counted
 * in untracked by the caller) or out of memory (*nomem set). */
ea__lcell *ea__ltable_get(ea__ltable *t, const ea_k8s_str f[EA__LF_N], int *nomem);
/* The top rows of t into out (EA_K8S_LOAD_TOP by writes, then as many by CAS conflicts);
 * EA_OK or EA_ENOMEM. The rows point into t's cells. */
int  ea__ltable_top(ea__ltable *t, ea_k8s_load_table *out);
/* The namespace cells with the most events, up to max, into out; returns how many. */
size_t ea__ltable_storm(const ea__ltable *t, ea_k8s_load_storm *out, size_t max);
/* Frees the cells and the slots. */
void ea__ltable_free(ea__ltable *t);

/* k8s_load_time.c: the dated part [*first, *last] of the window [lo, hi] (0: none); the
 * buckets of out over [t0, t1] (*width µs each); the bucket of an index ((size_t)-1: no estimate). */
int ea__k8s_load_dated(const ea_walltime *w, uint64_t lo, uint64_t hi, uint64_t *first, uint64_t *last);
void ea__k8s_load_time_buckets(ea_k8s_load *out, int64_t t0, int64_t t1, int64_t *width);
size_t ea__k8s_load_time_bucket(const ea_k8s_load *out, const ea_walltime *w, uint64_t index, int64_t width);

#endif
