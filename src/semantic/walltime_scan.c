/* walltime_scan.c: the anchor pass over one member's log (walltime.h): Kubernetes values,
 * request-ID generator starts (lower bounds) and each segment's mtime (an upper bound of the
 * last entry it holds). Superseded entries give no anchor: their index belongs to the entry
 * that replaced them. */
#include "etcd-autopsy/walltime.h"

#include <limits.h>

/* the segment's mtime bounds its last (kept) entry from above; mtime is whole seconds */
static int seg_end(ea_walltime *w, ea_log *log, size_t seg, uint64_t last_index, int have)
{
	const ea_wal_segment *g = have ? ea_wal_segment_at(ea_log_wal(log), seg) : NULL;
	if (!g || g->mtime <= 0 || g->mtime > INT64_MAX / 1000000 - 1) return EA_OK;
	ea_walltime_anchor a = { last_index, EA_WALLTIME_NO_LO, (g->mtime + 1) * 1000000, EA_WALLTIME_SEGMENT_MTIME };
	return ea_walltime_add(w, &a);
}

int ea_walltime_scan_log(ea_walltime *w, ea_log *log, ea_k8s *k)
{
	ea_entry_iter *iter;
	int rc = ea_entry_iter_new(&iter, log, NULL);
	if (rc) return rc;
	const ea_entry_item *it;
	size_t seg = 0;
	uint64_t seg_last = 0;
	int have = 0;
	while ((rc = ea_entry_iter_next(&it, iter)) == EA_OK) {
		if (!it->is_entry || it->log.superseded) continue;
		const ea_wal_record *r = &it->log.item.rec;
		uint64_t idx = r->u.entry.index;
		if (have && r->segment != seg && (rc = seg_end(w, log, seg, seg_last, have))) break;
		seg = r->segment;
		seg_last = idx;
		have = 1;
		ea_walltime_anchor a;
		const char *op = it->info.txn ? ea_k8s_txn_op(it->info.txn) : NULL;
		if (ea_walltime_k8s_anchor(k, &it->info, op, idx, &a) && (rc = ea_walltime_add(w, &a))) break;
		if (it->info.request_id && it->info.proposer_started_ms > 0) {
			ea_walltime_anchor q = { idx, it->info.proposer_started_ms * 1000, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID };
			if ((rc = ea_walltime_add(w, &q))) break;
		}
	}
	ea_entry_iter_free(iter);
	if (rc != EA_ITEROVER) return rc;
	if ((rc = seg_end(w, log, seg, seg_last, have))) return rc;
	return ea_walltime_finish(w);
}
