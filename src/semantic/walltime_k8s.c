/* walltime_k8s.c: the time anchor a Kubernetes value gives the entry that writes it
 * (walltime.h). Protobuf values (formats/k8s.proto: ObjectMeta creationTimestamp 8,
 * managedFields 17 .time 4; Lease spec 2 .renewTime 4; core/v1 Event firstTimestamp 6,
 * lastTimestamp 7, eventTime 10, series 11 .lastObservedTime 2) and JSON values (the same
 * names). metav1.Time keeps seconds only (protobuf drops its nanos, JSON is RFC 3339
 * seconds): precision 1 s; MicroTime: 1 us. Every timestamp is a lower bound of the write;
 * the ones set right before it (renewTime, an Event's times, managedFields, creationTimestamp
 * of a create) also an upper bound, EA_WALLTIME_LAG_US later. Strict bounded scans, no copy. */
#include "etcd-autopsy/walltime.h"
#include "walltime_int.h"
#include "format/pb_wire.h"
#include "util/jsonp.h"
#include "k8s_int.h"

#include <string.h>

typedef struct {
	int64_t lo;                /* newest timestamp of any kind */
	int64_t fresh;             /* newest timestamp of a kind set right before the write */
	int64_t fresh_prec;
	ea_walltime_source lo_src, fresh_src;
} cands;

static void cand(cands *c, int64_t t, int64_t prec, ea_walltime_source src, int fresh)
{
	if (t <= 0) return;
	if (t > c->lo) { c->lo = t; c->lo_src = src; }
	if (fresh && t > c->fresh) { c->fresh = t; c->fresh_prec = prec; c->fresh_src = src; }
}

/* ---- protobuf ---- */

typedef struct { const uint8_t *p, *end; } pbit;

/* the next field: 1, 0 at the end, -1 malformed; a length-delimited value in v/vn, a varint in num */
static int pb_next(pbit *it, uint64_t *field, const uint8_t **v, size_t *vn, uint64_t *num)
{
	if (it->p >= it->end) return 0;
	uint64_t tag, l;
	if (ea_pb_varint(&it->p, it->end, &tag) || (tag >> 3) == 0) return -1;
	*field = tag >> 3;
	*v = NULL;
	*vn = 0;
	*num = 0;
	unsigned w = (unsigned)(tag & 7);
	if (w == 2) {
		if (ea_pb_varint(&it->p, it->end, &l) || l > (uint64_t)(it->end - it->p)) return -1;
		*v = it->p;
		*vn = (size_t)l;
		it->p += l;
		return 1;
	}
	if (w == 0) return ea_pb_varint(&it->p, it->end, num) ? -1 : 1;
	return ea_pb_skip(&it->p, it->end, w) ? -1 : 1;
}

/* the last length-delimited field `f` of a message, or NULL */
static const uint8_t *pb_get(const uint8_t *b, size_t n, uint64_t f, size_t *len)
{
	pbit it = { b, b + n };
	const uint8_t *v, *found = NULL;
	size_t vn;
	uint64_t fld, num;
	int r;
	while ((r = pb_next(&it, &fld, &v, &vn, &num)) == 1)
		if (fld == f && v) { found = v; *len = vn; }
	return r == 0 ? found : NULL;
}

/* pb_get of fields 1..3 of one message in one scan (the runtime.Unknown wrapper's typeMeta, raw,
 * contentEncoding): the last of each, all NULL when the message is malformed */
static void pb_get123(const uint8_t *b, size_t n, const uint8_t *out[4], size_t len[4])
{
	pbit it = { b, b + n };
	const uint8_t *v;
	size_t vn;
	uint64_t fld, num;
	int r;
	for (int i = 0; i < 4; i++) out[i] = NULL;
	while ((r = pb_next(&it, &fld, &v, &vn, &num)) == 1)
		if (fld >= 1 && fld <= 3 && v) { out[fld] = v; len[fld] = vn; }
	if (r != 0) out[1] = out[2] = out[3] = NULL;
}

/* Time / MicroTime {seconds 1, nanos 2} to Unix us (0: none or malformed) */
static int64_t pb_time(const uint8_t *b, size_t n)
{
	if (!b) return 0;
	pbit it = { b, b + n };
	const uint8_t *v;
	size_t vn;
	uint64_t fld, num, sec = 0, nanos = 0;
	int r;
	while ((r = pb_next(&it, &fld, &v, &vn, &num)) == 1) {
		if (fld == 1) sec = num;
		else if (fld == 2) nanos = num;
	}
	if (r != 0 || sec == 0 || sec > EA__WALLTIME_MAX_SEC || nanos >= 1000000000u) return 0;
	return (int64_t)sec * 1000000 + (int64_t)(nanos / 1000);
}

static int64_t pb_time_field(const uint8_t *b, size_t n, uint64_t f)
{
	size_t l = 0;
	const uint8_t *v = pb_get(b, n, f, &l);
	return pb_time(v, l);
}

static void pb_meta(cands *c, const uint8_t *m, size_t n, int create)
{
	pbit it = { m, m + n };
	const uint8_t *v;
	size_t vn;
	uint64_t fld, num;
	while (pb_next(&it, &fld, &v, &vn, &num) == 1) {
		if (fld == 8 && v) cand(c, pb_time(v, vn), 1000000, EA_WALLTIME_CREATED, create);
		else if (fld == 17 && v) cand(c, pb_time_field(v, vn, 4), 1000000, EA_WALLTIME_MANAGED_FIELDS, 1);
	}
}

static int str_is(const uint8_t *p, size_t n, const char *s) { return p && n == strlen(s) && memcmp(p, s, n) == 0; }

static void pb_value(cands *c, const uint8_t *val, size_t n, int create)
{
	const uint8_t *f[4];
	size_t fl[4] = { 0 }, kl = 0, al = 0;
	pb_get123(val + 4, n - 4, f, fl);
	const uint8_t *tm = f[1], *raw = f[2];
	size_t tl = fl[1], rl = fl[2];
	if (!raw || (f[3] && fl[3])) return;
	const uint8_t *kind = tm ? pb_get(tm, tl, 2, &kl) : NULL, *av = tm ? pb_get(tm, tl, 1, &al) : NULL;
	size_t ml = 0;
	const uint8_t *meta = pb_get(raw, rl, 1, &ml);
	if (meta) pb_meta(c, meta, ml, create);
	if (str_is(kind, kl, "Lease")) {
		size_t sl = 0;
		const uint8_t *spec = pb_get(raw, rl, 2, &sl);
		if (spec) cand(c, pb_time_field(spec, sl, 4), 1, EA_WALLTIME_LEASE_RENEW, 1);
	} else if (str_is(kind, kl, "Event") && str_is(av, al, "v1")) {
		cand(c, pb_time_field(raw, rl, 6), 1000000, EA_WALLTIME_EVENT, 1);
		cand(c, pb_time_field(raw, rl, 7), 1000000, EA_WALLTIME_EVENT, 1);
		cand(c, pb_time_field(raw, rl, 10), 1, EA_WALLTIME_EVENT, 1);
		size_t sl = 0;
		const uint8_t *series = pb_get(raw, rl, 11, &sl);
		if (series) cand(c, pb_time_field(series, sl, 2), 1, EA_WALLTIME_EVENT, 1);
	}
}

/* ---- JSON ---- */

static void js_time(cands *c, const ea_jv *obj, const char *key, ea_walltime_source src, int fresh)
{
	const ea_jv *v = obj ? ea_jsonp_get(obj, key) : NULL;
	if (!v || v->type != EA_JV_STR || v->n >= 64) return;
	char b[64];
	memcpy(b, v->s, v->n);
	b[v->n] = 0;
	int64_t us;
	if (ea_walltime_parse(b, &us) == 0) cand(c, us, v->n > 20 && b[19] == '.' ? 1 : 1000000, src, fresh);
}

static void js_value(ea_k8s *k, cands *c, const uint8_t *val, size_t n, int create)
{
	ea_arena *a = ea_k8s_arena(k);
	ea_arena_reset(a);
	const ea_jv *root = ea_jsonp_parse(a, (const char *)val, n);
	if (!root || root->type != EA_JV_OBJ) return;
	const ea_jv *md = ea_jsonp_get(root, "metadata");
	if (md && md->type == EA_JV_OBJ) {
		js_time(c, md, "creationTimestamp", EA_WALLTIME_CREATED, create);
		const ea_jv *mf = ea_jsonp_get(md, "managedFields");
		for (const ea_jv *e = mf && mf->type == EA_JV_ARR ? mf->child : NULL; e; e = e->next)
			if (e->type == EA_JV_OBJ) js_time(c, e, "time", EA_WALLTIME_MANAGED_FIELDS, 1);
	}
	const char *kind = ea_jsonp_str(root, "kind");
	if (kind && !strcmp(kind, "Lease")) {
		const ea_jv *spec = ea_jsonp_get(root, "spec");
		if (spec && spec->type == EA_JV_OBJ) js_time(c, spec, "renewTime", EA_WALLTIME_LEASE_RENEW, 1);
	} else if (kind && !strcmp(kind, "Event")) {
		js_time(c, root, "firstTimestamp", EA_WALLTIME_EVENT, 1);
		js_time(c, root, "lastTimestamp", EA_WALLTIME_EVENT, 1);
		js_time(c, root, "eventTime", EA_WALLTIME_EVENT, 1);
		const ea_jv *s = ea_jsonp_get(root, "series");
		if (s && s->type == EA_JV_OBJ) js_time(c, s, "lastObservedTime", EA_WALLTIME_EVENT, 1);
	}
}

int ea_walltime_k8s_anchor(ea_k8s *k, const ea_entry_info *info, const char *txn_op, uint64_t index,
                           ea_walltime_anchor *out)
{
	if (!k || !info->key || !info->value) return 0;
	if (!ea__k8s_under(k, info->key, info->key_len)) return 0;   /* the key's parts are not needed */
	cands c = { 0 };
	int create = txn_op && !strcmp(txn_op, "create");
	const uint8_t *v = info->value;
	size_t n = info->value_len;
	if (n >= 4 && memcmp(v, "k8s\0", 4) == 0) pb_value(&c, v, n, create);
	else if (n > 0 && n <= 16u * 1024 * 1024 && v[0] == '{') js_value(k, &c, v, n, create);
	if (c.lo <= 0) return 0;
	out->index = index;
	out->lo_us = c.lo;
	out->hi_us = EA_WALLTIME_NO_HI;
	out->source = c.lo_src;
	/* the newest fresh timestamp dates the write, unless another one is newer still */
	if (c.fresh > 0 && c.fresh + c.fresh_prec >= c.lo) {
		out->hi_us = c.fresh + c.fresh_prec + EA_WALLTIME_LAG_US;
		out->source = c.fresh_src;
	}
	return 1;
}
