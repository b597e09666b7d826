/* restore.c: what a data dir made by `etcdctl snapshot restore` looks like (see restore.h).
 * The restore (3.4 clientv3/snapshot, 3.5+ etcdutl) writes one confchange:add entry per
 * member at indexes 1..k, term 1, and a snapshot at (term 1, index k) with them. */
#include "etcd-autopsy/restore.h"

int ea_restore_is_bootstrap_snapshot(uint64_t term, uint64_t index, size_t members)
{
	return members > 0 && term == 1 && index == (uint64_t)members;
}
