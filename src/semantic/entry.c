/* entry.c: what a raft entry means to etcd (docs/formats.md §4, §5).
 *
 * Decision procedure (§5.1): conf change → ConfChange; normal with no data → "empty" (a new
 * leader's first entry); else InternalRaftRequest, strictly (protobuf-c rejects a known
 * field with the wrong wire type), else a raw v2 Request. Never the other way round: an
 * InternalRaftRequest usually parses as a Request. All allocations go to an arena reset per
 * entry. Passwords (3.4 proposes them in clear text) are never copied out. */
#include "etcd-autopsy/raft.h"
#include "util/arena.h"
#include "format/pb_wire.h"
#include "entry_detail.h"
#include "irr_scan.h"

#include "etcdserverpb.pb-c.h"
#include "raftpb.pb-c.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARENA_LIMIT (64u * 1024u * 1024u)

struct ea_entry_decoder {
	ea_arena arena;
	ea_txn_shape txn;   /* the last txn's shape (ea_entry_info.txn) */
};

int ea_entry_decoder_new(ea_entry_decoder **out)
{
	ea_entry_decoder *d = calloc(1, sizeof *d);
	if (!d) return EA_ENOMEM;
	ea_arena_init(&d->arena, ARENA_LIMIT);
	*out = d;
	return EA_OK;
}

void ea_entry_decoder_free(ea_entry_decoder *d)
{
	if (!d) return;
	ea_arena_free(&d->arena);
	free(d);
}

uint16_t ea_reqid_member_low16(uint64_t id) { return (uint16_t)(id >> 48); }

int64_t ea_reqid_started_ms(uint64_t id, int64_t ref_ms)
{
	const int64_t wrap = INT64_C(1) << 40;
	int64_t ts = (int64_t)((id >> 8) & (uint64_t)(wrap - 1));
	if (id == 0) return -1;
	if (ref_ms <= 0) ref_ms = (int64_t)time(NULL) * 1000;
	int64_t ref = ref_ms + INT64_C(86400000);   /* a day of clock skew allowed */
	if (ref < ts) return ts;
	return ts + (ref - ts) / wrap * wrap;
}

static const char *detail(ea_entry_decoder *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *detail(ea_entry_decoder *d, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0) return "";
	if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
	return ea_arena_strndup(&d->arena, tmp, (size_t)n);
}

static void set_key(ea_entry_info *o, ProtobufCBinaryData k)
{
	if (k.len) { o->key = k.data; o->key_len = k.len; }
}

static void set_range_end(ea_entry_info *o, ProtobufCBinaryData e)
{
	if (e.len) { o->range_end = e.data; o->range_end_len = e.len; }
}

/* The builder's text, copied to the arena ("..." marks a cut). */
static const char *sb_done(ea_entry_decoder *d, ea_sb *b)
{
	if (b->full) { memcpy(b->buf + b->n, "...", 4); b->n += 3; }
	return ea_arena_strndup(&d->arena, b->buf, b->n);
}

static const char *cc_kind(int t)
{
	switch (t) {
	case RAFTPB__CONF_CHANGE_TYPE__ConfChangeAddNode: return "confchange:add";
	case RAFTPB__CONF_CHANGE_TYPE__ConfChangeRemoveNode: return "confchange:remove";
	case RAFTPB__CONF_CHANGE_TYPE__ConfChangeUpdateNode: return "confchange:update";
	case RAFTPB__CONF_CHANGE_TYPE__ConfChangeAddLearnerNode: return "confchange:add_learner";
	}
	return "confchange:unknown";
}

static void txn_first_key(ea_entry_info *o, const Etcdserverpb__TxnRequest *t)
{
	int ops = 0;
	for (size_t i = 0; i < t->n_success + t->n_failure; i++) {
		const Etcdserverpb__RequestOp *op = i < t->n_success ? t->success[i] : t->failure[i - t->n_success];
		ops++;
		if (o->key) continue;
		if (op->request_put) set_key(o, op->request_put->key);
		else if (op->request_delete_range) set_key(o, op->request_delete_range->key);
		else if (op->request_range) set_key(o, op->request_range->key);
	}
	if (!o->key && t->n_compare) set_key(o, t->compare[0]->key);
	o->ops = ops;
}

/* Fill `o` from a decoded InternalRaftRequest; returns 0 if exactly one request is set,
 * -2 if none is, -1 if several are. */
static int from_internal(ea_entry_decoder *d, const Etcdserverpb__InternalRaftRequest *r,
                        ea_entry_info *o)
{
	int set = 0;
#define IS(f, name) if (r->f) { o->kind = name; set++; }
	IS(v2, "v2") IS(range, "range") IS(put, "put") IS(delete_range, "delete_range")
	IS(txn, "txn") IS(compaction, "compaction") IS(lease_grant, "lease_grant")
	IS(lease_revoke, "lease_revoke") IS(alarm, "alarm") IS(lease_checkpoint, "lease_checkpoint")
	IS(auth_enable, "auth_enable") IS(auth_disable, "auth_disable") IS(auth_status, "auth_status")
	IS(authenticate, "authenticate") IS(auth_user_add, "auth_user_add")
	IS(auth_user_delete, "auth_user_delete") IS(auth_user_get, "auth_user_get")
	IS(auth_user_change_password, "auth_user_change_password")
	IS(auth_user_grant_role, "auth_user_grant_role") IS(auth_user_revoke_role, "auth_user_revoke_role")
	IS(auth_user_list, "auth_user_list") IS(auth_role_list, "auth_role_list")
	IS(auth_role_add, "auth_role_add") IS(auth_role_delete, "auth_role_delete")
	IS(auth_role_get, "auth_role_get") IS(auth_role_grant_permission, "auth_role_grant_permission")
	IS(auth_role_revoke_permission, "auth_role_revoke_permission")
	IS(cluster_version_set, "cluster_version_set") IS(cluster_member_attr_set, "cluster_member_attr_set")
	IS(downgrade_info_set, "downgrade_info_set") IS(downgrade_version_test, "downgrade_version_test")
#undef IS
	if (set != 1) return set == 0 ? -2 : -1;
	o->request_id = r->id ? r->id : (r->header ? r->header->id : 0);

	ea_sb b = { .n = 0 };
	if (r->v2) {
		ea_kind_v2(&b, r->v2->method);
		o->kind = sb_done(d, &b);
		b = (ea_sb){ .n = 0 };
		if (r->v2->path) { o->key = (const uint8_t *)r->v2->path; o->key_len = strlen(r->v2->path); }
		ea_detail_v2(&b, r->v2);
	} else if (r->range) {
		set_key(o, r->range->key);
		set_range_end(o, r->range->range_end);
		ea_detail_range(&b, r->range);
	} else if (r->put) {
		set_key(o, r->put->key);
		o->value = r->put->value.data;
		o->value_len = r->put->value.len;
		ea_detail_put(&b, r->put->value.len, (uint64_t)r->put->lease, r->put->prev_kv,
		              r->put->ignore_value, r->put->ignore_lease);
	} else if (r->delete_range) {
		set_key(o, r->delete_range->key);
		set_range_end(o, r->delete_range->range_end);
		if (r->delete_range->prev_kv) ea_sb_printf(&b, "prev_kv");
	} else if (r->txn) {
		txn_first_key(o, r->txn);
		ea_txn_shape_fill(&d->txn, r->txn, &o->value, &o->value_len);
		o->txn = &d->txn;
		ea_detail_txn(&b, r->txn);
	} else if (r->compaction) {
		ea_sb_printf(&b, "revision=%" PRId64 "%s", r->compaction->revision,
		             r->compaction->physical ? " physical" : "");
	} else if (r->lease_grant) {
		ea_sb_printf(&b, "lease=%" PRIx64 " ttl=%" PRId64, (uint64_t)r->lease_grant->id, r->lease_grant->ttl);
	} else if (r->lease_revoke) {
		ea_sb_printf(&b, "lease=%" PRIx64, (uint64_t)r->lease_revoke->id);
	} else if (r->lease_checkpoint) {
		ea_detail_lease_checkpoint(&b, r->lease_checkpoint);
	} else if (r->alarm) {
		ea_detail_alarm(&b, r->alarm);
	} else if (ea_detail_auth(&b, r)) {
		/* the permission's key range is the entry's key range */
		if (r->auth_role_grant_permission && r->auth_role_grant_permission->perm) {
			set_key(o, r->auth_role_grant_permission->perm->key);
			set_range_end(o, r->auth_role_grant_permission->perm->range_end);
		} else if (r->auth_role_revoke_permission) {
			set_key(o, r->auth_role_revoke_permission->key);
			set_range_end(o, r->auth_role_revoke_permission->range_end);
		}
	} else {
		ea_detail_cluster(&b, r);
	}
	if (r->header && r->header->username)
		ea_detail_by(&b, (const uint8_t *)r->header->username, strlen(r->header->username));
	o->detail = sb_done(d, &b);
	return 0;
}

/* Fast path for the two requests that make up most of a WAL, put and delete_range: the
 * strict wire scan of irr_scan.h; -1 when the full protobuf-c decode must decide. */
static int fast_put_or_delete(ea_entry_decoder *d, const uint8_t *b, size_t n, ea_entry_info *o)
{
	ea_irr_scan s;
	if (ea__irr_scan_put_or_delete(b, n, &s)) return -1;
	if (s.key.has && s.key.n) { o->key = s.key.p; o->key_len = s.key.n; }
	if (s.is_put) {
		o->kind = "put";
		if (s.value.has) { o->value = s.value.p; o->value_len = s.value.n; }
		if (s.lease || s.prev_kv || s.ignore_value || s.ignore_lease || s.username.n) {
			ea_sb sb = { .n = 0 };
			ea_detail_put(&sb, s.value.n, s.lease, s.prev_kv != 0, s.ignore_value != 0, s.ignore_lease != 0);
			ea_detail_by(&sb, s.username.p, s.username.n);
			o->detail = sb_done(d, &sb);
		} else {
			/* the hot path (every plain put): no printf */
			char txt[32] = "value_size=", *q = txt + sizeof txt, *qe = q;
			size_t vs = s.value.n;
			do { *--q = (char)('0' + vs % 10); vs /= 10; } while (vs);
			size_t k = (size_t)(qe - q);
			memmove(txt + 11, q, k);
			o->detail = ea_arena_strndup(&d->arena, txt, 11 + k);
		}
	} else {
		o->kind = "delete_range";
		if (s.range_end.has && s.range_end.n) { o->range_end = s.range_end.p; o->range_end_len = s.range_end.n; }
		if (s.prev_kv || s.username.n) {
			ea_sb sb = { .n = 0 };
			if (s.prev_kv) ea_sb_printf(&sb, "prev_kv");
			ea_detail_by(&sb, s.username.p, s.username.n);
			o->detail = sb_done(d, &sb);
		}
	}
	o->request_id = s.id;
	return 0;
}

int ea_entry_decode(ea_entry_decoder *d, const ea_entry_header *e, int64_t ref_ms,
                    ea_entry_info *o)
{
	ea_arena_reset(&d->arena);
	memset(o, 0, sizeof *o);
	o->cc_type = -1;
	o->proposer_started_ms = -1;
	o->ops = 1;
	o->decode_ok = 1;
	o->detail = "";
	ProtobufCAllocator *al = &d->arena.pb;

	if (e->type == RAFTPB__ENTRY_TYPE__EntryConfChange) {
		Raftpb__ConfChange *cc = raftpb__conf_change__unpack(al, e->data_len, e->data ? e->data : (const uint8_t *)"");
		if (!cc) { o->kind = "confchange:unknown"; o->decode_ok = 0; return EA_OK; }
		o->cc_type = cc->type;
		o->kind = cc_kind(cc->type);
		o->cc_node_id = cc->nodeid;
		o->request_id = cc->id;
		if (cc->context.len)
			o->cc_context = ea_arena_strndup(&d->arena, (const char *)cc->context.data, cc->context.len);
		o->detail = detail(d, "member=%" PRIx64, cc->nodeid);
	} else if (e->type == RAFTPB__ENTRY_TYPE__EntryConfChangeV2) {
		Raftpb__ConfChangeV2 *cc = raftpb__conf_change_v2__unpack(al, e->data_len, e->data ? e->data : (const uint8_t *)"");
		o->kind = "confchangev2";
		if (!cc) { o->decode_ok = 0; return EA_OK; }
		if (cc->n_changes) {
			o->cc_type = cc->changes[0]->type;
			o->cc_node_id = cc->changes[0]->node_id;
		}
		o->detail = detail(d, "changes=%zu transition=%d", cc->n_changes, cc->transition);
		if (cc->context.len)
			o->cc_context = ea_arena_strndup(&d->arena, (const char *)cc->context.data, cc->context.len);
	} else if (e->type != 0) {
		o->kind = "unknown";
		o->decode_ok = 0;
		return EA_OK;
	} else if (e->data_len == 0) {
		o->kind = "empty";
	} else if (fast_put_or_delete(d, e->data, e->data_len, o) == 0) {
		/* decoded by the strict fast path */
	} else {
		Etcdserverpb__InternalRaftRequest *r =
			etcdserverpb__internal_raft_request__unpack(al, e->data_len, e->data);
		int fr = r ? from_internal(d, r, o) : -1;
		if (fr == -2) {
			/* etcd takes it as an InternalRaftRequest (it decodes) with no request: applyV3
			 * panics ("not implemented"; with no ID and no header, on a nil header first) */
			o->kind = "unknown";
			o->decode_ok = 0;
			o->request_id = r->id ? r->id : (r->header ? r->header->id : 0);
			o->detail = "an InternalRaftRequest with no request set";
		} else if (fr != 0) {
			/* etcd: pbutil.MustUnmarshal(&Request): a panic when this fails too */
			Etcdserverpb__Request *v2 = etcdserverpb__request__unpack(al, e->data_len, e->data);
			if (!v2) {
				o->kind = "unknown";
				o->decode_ok = 0;
				return EA_OK;
			}
			ea_sb b = { .n = 0 };
			ea_kind_v2(&b, v2->method);   /* no method: "v2:noop", as etcd-dump-logs */
			o->kind = sb_done(d, &b);
			o->request_id = v2->id;
			if (v2->path) { o->key = (const uint8_t *)v2->path; o->key_len = strlen(v2->path); }
			b = (ea_sb){ .n = 0 };
			ea_detail_v2(&b, v2);
			o->detail = sb_done(d, &b);
		}
	}
	if (o->request_id) {
		o->proposer_low16 = ea_reqid_member_low16(o->request_id);
		o->proposer_started_ms = ea_reqid_started_ms(o->request_id, ref_ms);
	}
	return EA_OK;
}

int ea_entry_apply_problem(const ea_log_item *li, const ea_entry_info *info, uint64_t commit,
                           char *msg, size_t msg_len, ea_problem *p)
{
	const ea_wal_record *r = &li->item.rec;
	if (info->decode_ok || li->superseded || r->type != EA_WAL_ENTRY || !r->decoded ||
	    r->u.entry.index > commit)
		return 0;
	const ea_entry_header *e = &r->u.entry;
	const char *why =
		e->type == RAFTPB__ENTRY_TYPE__EntryNormal && info->detail && *info->detail ?
			"it is an InternalRaftRequest with no request etcd knows: etcd panics applying it "
			"(applyV3: \"not implemented\")" :
		e->type == RAFTPB__ENTRY_TYPE__EntryNormal ?
			"its data is neither an InternalRaftRequest nor a v2 Request: etcd panics applying it "
			"(pbutil.MustUnmarshal in applyEntryNormal)" :
		e->type == RAFTPB__ENTRY_TYPE__EntryConfChange ?
			"its data is not a ConfChange: etcd panics applying it (pbutil.MustUnmarshal)" :
		e->type == RAFTPB__ENTRY_TYPE__EntryConfChangeV2 ?
			"its data is not a ConfChangeV2: etcd cannot apply it" :
			"unknown entry type: etcd panics applying it";
	snprintf(msg, msg_len, "committed entry %" PRIu64 " (term %" PRIu64 ", %zu data bytes): %s; "
	         "a member restarting from this WAL crash-loops", e->index, e->term, e->data_len, why);
	*p = (ea_problem){ .layer = EA_LAYER_RAFT, .severity = EA_SEV_ERROR, .kind = "undecodable-entry",
	                   .file = r->file, .offset = r->offset, .length = r->length, .message = msg };
	return 1;
}
