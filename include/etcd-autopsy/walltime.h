/* etcd-autopsy/walltime.h: an estimated UTC time for every WAL entry of a member
 * (src/semantic/walltime.c, walltime_k8s.c, walltime_scan.c).
 *
 * The WAL holds no clock. Anchors bound the time of single entries: a Kubernetes value's
 * timestamps (Lease spec.renewTime, Event times, managedFields[].time, creationTimestamp of a
 * create) say when the object was built, just before its proposal: a lower bound, and, for the
 * kinds that are set right before the write, an upper bound with a small lag. A request ID's
 * generator start is a lower bound only; a WAL segment's mtime an upper bound of its entries.
 * Entries are applied in index order, so times never decrease with the index: every lower
 * bound holds for the entries after it, every upper bound for the entries before it. Between
 * the anchors the estimate is interpolated by index; its error is the distance to the farther
 * of the two bounds. No bound on one side: no estimate (NULL), never an extrapolation.
 * Memory: one anchor (32 bytes) per entry that carries one, in a compact array. */
#ifndef EA_WALLTIME_H
#define EA_WALLTIME_H

#include "common.h"
#include "entry_iter.h"
#include "k8s.h"
#include "raft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EA_WALLTIME_NONE = 0,
	EA_WALLTIME_LEASE_RENEW,      /* "k8s-lease-renew": Lease spec.renewTime (MicroTime) */
	EA_WALLTIME_EVENT,            /* "k8s-event": Event lastTimestamp, eventTime, series */
	EA_WALLTIME_MANAGED_FIELDS,   /* "k8s-managed-fields": the newest managedFields[].time */
	EA_WALLTIME_CREATED,          /* "k8s-created": creationTimestamp of a create */
	EA_WALLTIME_ETCD_LOG,         /* "etcd-log": a line of etcd's log naming the index */
	EA_WALLTIME_REQUEST_ID,       /* "request-id": the proposer process's start (lower bound) */
	EA_WALLTIME_SEGMENT_MTIME,    /* "segment-mtime": last write to the segment (upper bound) */
	EA_WALLTIME_INTERPOLATED      /* "interpolated": between anchors */
} ea_walltime_source;

#define EA_WALLTIME_NO_LO INT64_MIN
#define EA_WALLTIME_NO_HI INT64_MAX

/* What one entry's own data (or a file, a log line) says of its time, in Unix microseconds. */
typedef struct {
	uint64_t index;
	int64_t  lo_us;                /* the entry was proposed at or after this; EA_WALLTIME_NO_LO: unknown */
	int64_t  hi_us;                /* ... at or before this; EA_WALLTIME_NO_HI: unknown */
	ea_walltime_source source;
} ea_walltime_anchor;

/* An entry's estimate. */
typedef struct {
	int      known;                /* 1: time_us and error_s are set */
	int64_t  time_us;              /* the estimate, Unix microseconds */
	double   error_s;              /* |truth - time_us| <= error_s when the anchors hold */
	ea_walltime_source source;     /* the entry's own anchor kind, else INTERPOLATED */
	int64_t  lo_us, hi_us;         /* the bounds (NO_LO / NO_HI when a side is unknown) */
} ea_walltime_est;

/* The lag allowed between a value's timestamp and the proposal of the entry that writes it (the
 * client building the object, the apiserver, etcd proposing it: milliseconds when healthy). */
#define EA_WALLTIME_LAG_US 500000

typedef struct ea_walltime ea_walltime;

/* An empty anchor set. */
int  ea_walltime_new(ea_walltime **out);
/* Frees it; NULL is fine. */
void ea_walltime_free(ea_walltime *w);
/* Adds an anchor (any index order; several at one index are merged: the tighter bounds win).
 * An anchor with neither bound is ignored. EA_ENOMEM. */
int  ea_walltime_add(ea_walltime *w, const ea_walltime_anchor *a);
/* Sorts and merges the anchors, drops the upper bound of any anchor below an earlier lower
 * bound (a value older than what came before: a stale timestamp), and makes the bounds
 * monotone. Call once, after the last add and before ea_walltime_at. */
int  ea_walltime_finish(ea_walltime *w);
/* The estimate for `index` (after ea_walltime_finish); out->known 0 when a side is unbounded. */
void ea_walltime_at(const ea_walltime *w, uint64_t index, ea_walltime_est *out);
/* ea_walltime_at for a log entry: a superseded one (written before the entry that replaced it
 * at its index) gets no estimate, only that entry's upper bound. */
void ea_walltime_entry(const ea_walltime *w, uint64_t index, int superseded, ea_walltime_est *out);
/* Number of anchors kept (after finish: one per index). */
size_t ea_walltime_count(const ea_walltime *w);
/* "k8s-lease-renew", "k8s-event", ..., "interpolated"; NULL for NONE. */
const char *ea_walltime_source_name(ea_walltime_source s);

/* Formats Unix microseconds as "2026-12-05T07:08:18.123Z" (milliseconds, truncated) into buf
 * (at least 32 bytes). */
void ea_walltime_format(int64_t us, char *buf, size_t cap);
/* Parses UTC ISO 8601 / RFC 3339 text ("2026-12-05T07:08:18Z", a fraction of up to 9 digits,
 * "+hh:mm" offsets, or a bare "2026-12-05T07:08:18" read as UTC) to Unix microseconds: 0 or -1. */
int  ea_walltime_parse(const char *s, int64_t *us);

/* The anchor a Kubernetes value gives the entry that writes it (`txn_op`: ea_k8s_txn_op of the
 * entry's txn, or NULL): 1 and *out filled, or 0. Protobuf and JSON values; bounded scans. */
int  ea_walltime_k8s_anchor(ea_k8s *k, const ea_entry_info *info, const char *txn_op, uint64_t index,
                            ea_walltime_anchor *out);

/* One pass over a member's log (from its current cursor; the caller rewinds it afterwards):
 * Kubernetes anchors under `k` (NULL: none), request-ID lower bounds, and each WAL segment's
 * mtime as an upper bound of its last entry. Superseded entries give no anchor. Finishes w. */
int  ea_walltime_scan_log(ea_walltime *w, ea_log *log, ea_k8s *k);
/* The anchors of ea_walltime_scan_log, fed by a pass over the log that the caller makes anyway
 * (ea_entry_iter order): zero-initialise with w and k set, collect every item, then end. */
typedef struct {
	ea_walltime *w;
	ea_k8s *k;
	size_t seg;            /* (private) the last kept entry's segment and index */
	uint64_t last;
	int have;
} ea_walltime_collector;
/* Adds the anchors of one item of that pass (it, read from log) to c->w; 0 or an error code. */
int  ea_walltime_collect(ea_walltime_collector *c, const ea_entry_item *it, ea_log *log);
/* The last segment's mtime anchor; does not finish w (etcd-log anchors may follow). */
int  ea_walltime_collect_end(ea_walltime_collector *c, ea_log *log);
/* ea_log_open that also fills w as ea_walltime_scan_log would (and finishes it), gathered by
 * the log's first pass instead of a pass of their own where that gives the same anchors. */
int  ea_log_open_walltime(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_walltime *w, ea_k8s *k,
                          ea_error *err);

#ifdef __cplusplus
}
#endif
#endif
