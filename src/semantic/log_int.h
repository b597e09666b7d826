/* log_int.h: a hook into ea_log's first pass, for work that can ride along with it instead of
 * paying a pass of its own (the time anchors of walltime_scan.c). */
#ifndef EA_LOG_INT_H
#define EA_LOG_INT_H

#include "etcd-autopsy/raft.h"
#include "etcd-autopsy/version.h"

/* Called with every item of pass 1, in stream order, and the WAL cursor that yields it. */
typedef int (*ea__log_pass1_fn)(void *arg, const ea_wal_item *it, ea_wal *wal);

/* ea_log_open_summarize_versions with `fn` (may be NULL) fed by pass 1. */
int ea__log_open_hooked(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_wal_summary *summary,
                        ea_wal_versions *v, ea__log_pass1_fn fn, void *arg, ea_error *err);
/* 1 when pass 1 met more overwrites than it tracks (superseded flags may be incomplete). */
int ea__log_truncated(const ea_log *l);

#endif
