/* etcd-autopsy/walltime_log.h: time anchors from etcd's own log (--logs) for the entries of
 * the member that wrote it (src/semantic/walltime_log.c; source "etcd-log", docs/time.md).
 *
 * Only lines whose index is exact: "<self> became leader at term T" (raft appends the new
 * leader's empty entry, the term's first index, right before printing it: both bounds),
 * "elected leader"/"changed leader ... at term T" (printed after that entry exists: an upper
 * bound of it), "saved snapshot" with snapshot-index N (N was applied: an upper bound). The
 * term's first index must be an empty entry that survives in the WAL and follows an earlier
 * entry of the WAL (not a snapshot jump). Times are the member's wall clock, as printed. */
#ifndef EA_WALLTIME_LOG_H
#define EA_WALLTIME_LOG_H

#include "etcdlog.h"
#include "history.h"
#include "walltime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The slack allowed between raft appending the leader's empty entry and printing "became leader". */
#define EA_WALLTIME_LOG_SLACK_US 10000

/* Adds (ea_walltime_add, source EA_WALLTIME_ETCD_LOG) the anchors of `n` log events written by
 * member `self` (0: unknown, then "became leader" lines are not used) to w. `terms`: what the
 * member's WAL says of each term (sorted by term); `wal_first`: its first surviving index;
 * `installs`: the snapshots it received (the log jumps to index+1: no term starts there);
 * `text_log`: the log has text lines (raft's, whole seconds). Call before ea_walltime_finish
 * (ea_walltime_scan_log finishes): finish keeps only the sides that tighten the other bounds. */
int ea_walltime_log_anchors(ea_walltime *w, const ea_log_event *ev, size_t n, uint64_t self, int text_log,
                            const ea_node_term *terms, size_t nterms, uint64_t wal_first,
                            const ea_marker *installs, size_t ninstalls);
/* ea_walltime_log_anchors with what node `nd` holds (its --logs and its WAL); none without a log. */
int ea_walltime_node_log_anchors(ea_walltime *w, const ea_node *nd);

#ifdef __cplusplus
}
#endif
#endif
