/* walltime_scan.c: the anchors of one member's log (walltime.h): Kubernetes values, request-ID
 * generator starts (lower bounds) and each segment's mtime (an upper bound of the last entry it
 * holds). Superseded entries give no anchor: their index belongs to the entry that replaced
 * them. Either a pass of their own (ea_walltime_scan_log) or gathered by the log's first pass
 * (ea_log_open_walltime), which does not know yet which entries are superseded: it drops the
 * anchors an entry supersedes as it meets it (kept entries come in increasing index order, so
 * those are the last ones), and makes the pass of its own when an overwrite reaches back into
 * an earlier segment (that segment's mtime anchor would move) or pass 1 tracked too few. */
#include "etcd-autopsy/walltime.h"

#include <limits.h>

#include "log_int.h"
#include "walltime_int.h"

/* the segment's mtime bounds its last (kept) entry from above; mtime is whole seconds */
static int seg_end(ea_walltime *w, ea_wal *wal, size_t seg, uint64_t last_index, int have)
{
	const ea_wal_segment *g = have ? ea_wal_segment_at(wal, seg) : NULL;
	if (!g || g->mtime <= 0 || g->mtime >= EA__WALLTIME_MAX_SEC) return EA_OK;
	ea_walltime_anchor a = { last_index, EA_WALLTIME_NO_LO, (g->mtime + 1) * 1000000, EA_WALLTIME_SEGMENT_MTIME };
	return ea_walltime_add(w, &a);
}

/* one kept entry's own anchors: its Kubernetes value's, then its request ID's */
static int entry_anchors(ea_walltime *w, ea_k8s *k, const ea_entry_info *info, uint64_t idx)
{
	ea_walltime_anchor a;
	const char *op = info->txn ? ea_k8s_txn_op(info->txn) : NULL;
	int rc;
	if (ea_walltime_k8s_anchor(k, info, op, idx, &a) && (rc = ea_walltime_add(w, &a))) return rc;
	if (info->request_id && info->proposer_started_ms > 0) {
		ea_walltime_anchor q = { idx, info->proposer_started_ms * 1000, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID };
		if ((rc = ea_walltime_add(w, &q))) return rc;
	}
	return EA_OK;
}

int ea_walltime_collect(ea_walltime_collector *c, const ea_entry_item *it, ea_log *log)
{
	if (!it->is_entry || it->log.superseded) return EA_OK;
	const ea_wal_record *r = &it->log.item.rec;
	uint64_t idx = r->u.entry.index;
	int rc;
	if (c->have && r->segment != c->seg && (rc = seg_end(c->w, ea_log_wal(log), c->seg, c->last, 1))) return rc;
	c->seg = r->segment;
	c->last = idx;
	c->have = 1;
	return entry_anchors(c->w, c->k, &it->info, idx);
}

int ea_walltime_collect_end(ea_walltime_collector *c, ea_log *log)
{
	return seg_end(c->w, ea_log_wal(log), c->seg, c->last, c->have);
}

int ea_walltime_scan_log(ea_walltime *w, ea_log *log, ea_k8s *k)
{
	ea_entry_iter *iter;
	int rc = ea_entry_iter_new(&iter, log, NULL);
	if (rc) return rc;
	ea_walltime_collector c = { .w = w, .k = k };
	const ea_entry_item *it;
	while ((rc = ea_entry_iter_next(&it, iter)) == EA_OK)
		if ((rc = ea_walltime_collect(&c, it, log))) break;
	ea_entry_iter_free(iter);
	if (rc != EA_ITEROVER) return rc;
	if ((rc = ea_walltime_collect_end(&c, log))) return rc;
	return ea_walltime_finish(w);
}

/* pass 1's state: every decoded entry, superseded or not, in stream order */
typedef struct {
	ea_walltime *w;
	ea_k8s *k;
	ea_entry_decoder *dec;
	size_t seg;            /* segment of the last entry */
	uint64_t last;         /* index of the last entry */
	int have;
	uint64_t boundary;     /* index of the last entry of the previous segment holding one */
	int have_boundary;
	int inexact;           /* an entry superseded one of an earlier segment */
} pass1;

static int pass1_item(void *arg, const ea_wal_item *it, ea_wal *wal)
{
	pass1 *p = arg;
	if (p->inexact || it->kind != EA_WAL_ITEM_RECORD || it->rec.type != EA_WAL_ENTRY || !it->rec.decoded) return EA_OK;
	const ea_wal_record *r = &it->rec;
	uint64_t idx = r->u.entry.index;
	int rc;
	if (p->have && r->segment != p->seg) {
		if ((rc = seg_end(p->w, wal, p->seg, p->last, 1))) return rc;
		p->boundary = p->last;
		p->have_boundary = 1;
	}
	if (p->have_boundary && idx <= p->boundary) { p->inexact = 1; return EA_OK; }
	if (p->have && idx <= p->last) ea__walltime_drop_from(p->w, idx);
	p->seg = r->segment;
	p->last = idx;
	p->have = 1;
	const ea_wal_segment *g = ea_wal_segment_at(wal, r->segment);
	ea_entry_info info;
	ea_entry_decode(p->dec, &r->u.entry, g && g->mtime > 0 ? g->mtime * 1000 : 0, &info);
	return entry_anchors(p->w, p->k, &info, idx);
}

int ea_log_open_walltime(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_walltime *w, ea_k8s *k,
                         ea_error *err)
{
	pass1 p = { .w = w, .k = k };
	int rc = ea_entry_decoder_new(&p.dec);
	if (rc) return rc;
	rc = ea__log_open_hooked(out, in, opts, NULL, NULL, pass1_item, &p, err);
	ea_entry_decoder_free(p.dec);
	if (rc) return rc;
	if (!p.inexact && !ea__log_truncated(*out)) {
		rc = seg_end(w, ea_log_wal(*out), p.seg, p.last, p.have);   /* same segments as pass 1's */
		if (!rc) rc = ea_walltime_finish(w);
	} else {
		ea__walltime_clear(w);   /* the pass of their own, from the log's first entry */
		rc = ea_walltime_scan_log(w, *out, k);
		if (!rc) rc = ea_log_rewind(*out, err);
	}
	if (rc) { ea_log_close(*out); *out = NULL; }
	return rc;
}
