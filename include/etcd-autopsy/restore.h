/* etcd-autopsy/restore.h: recognising a data dir made by `etcdctl snapshot restore` (or
 * `etcdutl snapshot restore`), whose db keeps the source cluster's membership: the one
 * judgement `db stat`'s members note and `diff`'s restore-leftover finding share. */
#ifndef EA_RESTORE_H
#define EA_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when a snapshot at (term, index) of a cluster of `members` members is the bootstrap
 * snapshot a restore writes: term 1 and index = members (one conf change entry per member at
 * indexes 1..members, term 1), members > 0; else 0. */
int ea_restore_is_bootstrap_snapshot(uint64_t term, uint64_t index, size_t members);

#ifdef __cplusplus
}
#endif
#endif
