/* version.c: the minimum etcd version a WAL needs, as `etcdutl migrate` computes it
 * (etcd v3.6 server/storage/wal/version.go MinimalEtcdVersion), and the v2 requests
 * `etcdutl check v2store` (v3.5.18+ etcdutl/etcdutl/check_command.go) looks for.
 *
 * etcd's walk of one entry: the raftpb.Entry itself (go.etcd.io/raft/v3 has no annotations;
 * an entry type beyond ConfChangeV2 fails the enum visit), then its data:
 *   EntryNormal: InternalRaftRequest (gogo Unmarshal), else a v2 Request (3.6; 3.7 dropped
 *     this fallback), else an error; DowngradeVersionTest adds its `ver` as a version;
 *   EntryConfChange: 3.0 (ConfChangeV2: 3.4), fixed in version.go; undecodable: no version.
 * A message contributes its etcd_version_msg, each *set* field (proto3: non-zero) its
 * etcd_version_field, nested messages recursively, enum values their enum's and value's
 * annotation (a value outside the enum is an error). Repeated fields contribute only their
 * field annotation (protoreflect's List is neither Message nor EnumNumber in visitMessage),
 * so nothing inside a txn's compares and ops, or a lease checkpoint's list, counts.
 * Any error panics MinimalEtcdVersion. Versions order by major.minor.patch (the only
 * pre-release one could see, in a test-only DowngradeVersionTest, is ordered as its release). */
#include "etcd-autopsy/version.h"
#include "summary_int.h"
#include "schema.h"
#include "irr_scan.h"
#include "util/arena.h"
#include "util/vec.h"

#include "etcdserverpb.pb-c.h"
#include "raftpb.pb-c.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the annotations, etcd v3.6.14 (unchanged in v3.7.1 for everything listed) ---- */

#define RI "api/etcdserverpb/raft_internal.proto"
#define RPC "api/etcdserverpb/rpc.proto"
#define MEM "api/membershippb/membership.proto"
#define WV "server/storage/wal/version.go"

typedef struct { const char *what; int minor; const char *source; } annot;

enum {
	A_IRR, A_HDR, A_HDR_AUTHREV, A_RANGE, A_SORT_ORDER, A_SORT_TARGET, A_MIN_MOD, A_MAX_MOD,
	A_MIN_CREATE, A_MAX_CREATE, A_PUT, A_PUT_PREVKV, A_PUT_IGNORE_VALUE, A_PUT_IGNORE_LEASE,
	A_DEL, A_DEL_PREVKV, A_TXN, A_COMPACTION, A_LEASE_GRANT, A_LEASE_REVOKE, A_ALARM,
	A_ALARM_ACTION, A_ALARM_TYPE, A_ALARM_CORRUPT, A_LCP_FIELD, A_LCP, A_AUTH_ENABLE,
	A_AUTH_DISABLE, A_AUTH_STATUS_FIELD, A_AUTH_STATUS, A_AUTHENTICATE, A_USER_ADD,
	A_USER_ADD_OPTIONS, A_USER_ADD_HASHED, A_USER_DELETE, A_USER_GET, A_USER_CHPW,
	A_USER_CHPW_HASHED, A_USER_GRANT, A_USER_REVOKE, A_USER_LIST, A_ROLE_LIST, A_ROLE_ADD,
	A_ROLE_DELETE, A_ROLE_GET, A_ROLE_GRANT, A_ROLE_REVOKE, A_CVS_FIELD, A_CVS, A_CMAS_FIELD,
	A_CMAS, A_ATTRIBUTES, A_DIS_FIELD, A_DIS, A_DVT_FIELD, A_DVT, A_CONFCHANGE, A_CONFCHANGEV2,
	A_DVT_VER, A_COUNT
};

static const annot annots[A_COUNT] = {
	[A_IRR] = { "etcdserverpb.InternalRaftRequest", 0, RI },
	[A_HDR] = { "etcdserverpb.RequestHeader", 0, RI },
	[A_HDR_AUTHREV] = { "etcdserverpb.RequestHeader.auth_revision", 1, RI },
	[A_RANGE] = { "etcdserverpb.RangeRequest", 0, RPC },
	[A_SORT_ORDER] = { "etcdserverpb.RangeRequest.SortOrder", 0, RPC },
	[A_SORT_TARGET] = { "etcdserverpb.RangeRequest.SortTarget", 0, RPC },
	[A_MIN_MOD] = { "etcdserverpb.RangeRequest.min_mod_revision", 1, RPC },
	[A_MAX_MOD] = { "etcdserverpb.RangeRequest.max_mod_revision", 1, RPC },
	[A_MIN_CREATE] = { "etcdserverpb.RangeRequest.min_create_revision", 1, RPC },
	[A_MAX_CREATE] = { "etcdserverpb.RangeRequest.max_create_revision", 1, RPC },
	[A_PUT] = { "etcdserverpb.PutRequest", 0, RPC },
	[A_PUT_PREVKV] = { "etcdserverpb.PutRequest.prev_kv", 1, RPC },
	[A_PUT_IGNORE_VALUE] = { "etcdserverpb.PutRequest.ignore_value", 2, RPC },
	[A_PUT_IGNORE_LEASE] = { "etcdserverpb.PutRequest.ignore_lease", 2, RPC },
	[A_DEL] = { "etcdserverpb.DeleteRangeRequest", 0, RPC },
	[A_DEL_PREVKV] = { "etcdserverpb.DeleteRangeRequest.prev_kv", 1, RPC },
	[A_TXN] = { "etcdserverpb.TxnRequest", 0, RPC },
	[A_COMPACTION] = { "etcdserverpb.CompactionRequest", 0, RPC },
	[A_LEASE_GRANT] = { "etcdserverpb.LeaseGrantRequest", 0, RPC },
	[A_LEASE_REVOKE] = { "etcdserverpb.LeaseRevokeRequest", 0, RPC },
	[A_ALARM] = { "etcdserverpb.AlarmRequest", 0, RPC },
	[A_ALARM_ACTION] = { "etcdserverpb.AlarmRequest.AlarmAction", 0, RPC },
	[A_ALARM_TYPE] = { "etcdserverpb.AlarmType", 0, RPC },
	[A_ALARM_CORRUPT] = { "etcdserverpb.AlarmType.CORRUPT", 3, RPC },
	[A_LCP_FIELD] = { "etcdserverpb.InternalRaftRequest.lease_checkpoint", 4, RI },
	[A_LCP] = { "etcdserverpb.LeaseCheckpointRequest", 4, RPC },
	[A_AUTH_ENABLE] = { "etcdserverpb.AuthEnableRequest", 0, RPC },
	[A_AUTH_DISABLE] = { "etcdserverpb.AuthDisableRequest", 0, RPC },
	[A_AUTH_STATUS_FIELD] = { "etcdserverpb.InternalRaftRequest.auth_status", 5, RI },
	[A_AUTH_STATUS] = { "etcdserverpb.AuthStatusRequest", 5, RPC },
	[A_AUTHENTICATE] = { "etcdserverpb.InternalAuthenticateRequest", 0, RI },
	[A_USER_ADD] = { "etcdserverpb.AuthUserAddRequest", 0, RPC },
	[A_USER_ADD_OPTIONS] = { "etcdserverpb.AuthUserAddRequest.options", 4, RPC },
	[A_USER_ADD_HASHED] = { "etcdserverpb.AuthUserAddRequest.hashedPassword", 5, RPC },
	[A_USER_DELETE] = { "etcdserverpb.AuthUserDeleteRequest", 0, RPC },
	[A_USER_GET] = { "etcdserverpb.AuthUserGetRequest", 0, RPC },
	[A_USER_CHPW] = { "etcdserverpb.AuthUserChangePasswordRequest", 0, RPC },
	[A_USER_CHPW_HASHED] = { "etcdserverpb.AuthUserChangePasswordRequest.hashedPassword", 5, RPC },
	[A_USER_GRANT] = { "etcdserverpb.AuthUserGrantRoleRequest", 0, RPC },
	[A_USER_REVOKE] = { "etcdserverpb.AuthUserRevokeRoleRequest", 0, RPC },
	[A_USER_LIST] = { "etcdserverpb.AuthUserListRequest", 0, RPC },
	[A_ROLE_LIST] = { "etcdserverpb.AuthRoleListRequest", 0, RPC },
	[A_ROLE_ADD] = { "etcdserverpb.AuthRoleAddRequest", 0, RPC },
	[A_ROLE_DELETE] = { "etcdserverpb.AuthRoleDeleteRequest", 0, RPC },
	[A_ROLE_GET] = { "etcdserverpb.AuthRoleGetRequest", 0, RPC },
	[A_ROLE_GRANT] = { "etcdserverpb.AuthRoleGrantPermissionRequest", 0, RPC },
	[A_ROLE_REVOKE] = { "etcdserverpb.AuthRoleRevokePermissionRequest", 0, RPC },
	[A_CVS_FIELD] = { "etcdserverpb.InternalRaftRequest.cluster_version_set", 5, RI },
	[A_CVS] = { "membershippb.ClusterVersionSetRequest", 5, MEM },
	[A_CMAS_FIELD] = { "etcdserverpb.InternalRaftRequest.cluster_member_attr_set", 5, RI },
	[A_CMAS] = { "membershippb.ClusterMemberAttrSetRequest", 5, MEM },
	[A_ATTRIBUTES] = { "membershippb.Attributes", 5, MEM },
	[A_DIS_FIELD] = { "etcdserverpb.InternalRaftRequest.downgrade_info_set", 5, RI },
	[A_DIS] = { "membershippb.DowngradeInfoSetRequest", 5, MEM },
	[A_DVT_FIELD] = { "etcdserverpb.InternalRaftRequest.downgrade_version_test", 6, RI },
	[A_DVT] = { "etcdserverpb.DowngradeVersionTestRequest", 6, RPC },
	[A_CONFCHANGE] = { "raftpb.ConfChange", 0, WV },
	[A_CONFCHANGEV2] = { "raftpb.ConfChangeV2", 4, WV },
	[A_DVT_VER] = { "etcdserverpb.DowngradeVersionTestRequest.ver (its value)", -1, WV },
};

/* ---- one entry ---- */

#define MAX_VERSIONS 250          /* distinct versions kept (a few in practice) */

typedef struct { int64_t major, minor, patch; } sv;

static int sv_less(sv a, sv b)
{
	if (a.major != b.major) return a.major < b.major;
	if (a.minor != b.minor) return a.minor < b.minor;
	return a.patch < b.patch;
}

typedef struct { uint8_t ver, why, flags; } slot;   /* one entry of the ReadAll log */

enum { F_FAILS = 1, F_V2_OK = 2, F_V2_REFUSED = 4, F_V2_UNDECODABLE = 8 };

struct ea_wal_versions {
	ea_arena arena;
	sv versions[MAX_VERSIONS + 1];   /* [0] unused: code 0 is "no version" */
	size_t nversions;
	int overflow;
	slot *log;                       /* entries base+1 .. base+len, as ReadAll keeps them */
	size_t len, cap;
	uint64_t base;
	int started;
	uint64_t max_gap_index;          /* the highest index that followed a gap */
};

/* Why etcd's visitor errors (MinimalEtcdVersion then panics). */
static const char *const fail_text[] = {
	"",
	"RangeRequest.sort_order outside SortOrder",
	"RangeRequest.sort_target outside SortTarget",
	"AlarmRequest.action outside AlarmAction",
	"AlarmRequest.alarm outside AlarmType",
	"Permission.permType outside Permission.Type",
	"DowngradeVersionTest.ver is no semver (semver.NewVersion fails)",
	"data is neither an InternalRaftRequest nor a v2 Request",
	"entry type outside raftpb.EntryType",
};
enum { FR_NONE, FR_SORT_ORDER, FR_SORT_TARGET, FR_ALARM_ACTION, FR_ALARM_TYPE, FR_PERM, FR_DVT,
       FR_UNDECODABLE, FR_TYPE };

typedef struct { int has; sv v; int why; int fails; } visit;

static void see(visit *x, int a)
{
	sv v = { 3, annots[a].minor, 0 };
	if (!x->has || sv_less(x->v, v)) { x->has = 1; x->v = v; x->why = a; }
}

static void see_version(visit *x, sv v, int a)
{
	if (!x->has || sv_less(x->v, v)) { x->has = 1; x->v = v; x->why = a; }
}

static void fail(visit *x, int why)
{
	if (!x->fails) x->fails = why;
}

/* visitEnumNumber: the enum's annotation, then the value's; a value beyond the enum errors. */
static void see_enum(visit *x, int enum_annot, int64_t value, int64_t count, int why)
{
	if (enum_annot >= 0) see(x, enum_annot);
	if (value < 0 || value >= count) fail(x, why);
}

static int nonempty(const char *s) { return s && *s; }

static void visit_range(visit *x, const Etcdserverpb__RangeRequest *r)
{
	see(x, A_RANGE);
	if (r->sort_order) see_enum(x, A_SORT_ORDER, r->sort_order, 3, FR_SORT_ORDER);
	if (r->sort_target) see_enum(x, A_SORT_TARGET, r->sort_target, 5, FR_SORT_TARGET);
	if (r->min_mod_revision) see(x, A_MIN_MOD);
	if (r->max_mod_revision) see(x, A_MAX_MOD);
	if (r->min_create_revision) see(x, A_MIN_CREATE);
	if (r->max_create_revision) see(x, A_MAX_CREATE);
}

static void visit_alarm(visit *x, const Etcdserverpb__AlarmRequest *r)
{
	see(x, A_ALARM);
	if (r->action) see_enum(x, A_ALARM_ACTION, r->action, 3, FR_ALARM_ACTION);
	if (r->alarm) {
		see_enum(x, A_ALARM_TYPE, r->alarm, 3, FR_ALARM_TYPE);
		if (r->alarm == 2) see(x, A_ALARM_CORRUPT);
	}
}

static void visit_auth(visit *x, const Etcdserverpb__InternalRaftRequest *r)
{
	if (r->auth_enable) see(x, A_AUTH_ENABLE);
	if (r->auth_disable) see(x, A_AUTH_DISABLE);
	if (r->auth_status) { see(x, A_AUTH_STATUS_FIELD); see(x, A_AUTH_STATUS); }
	if (r->authenticate) see(x, A_AUTHENTICATE);
	if (r->auth_user_add) {
		see(x, A_USER_ADD);
		if (r->auth_user_add->options) see(x, A_USER_ADD_OPTIONS);
		if (nonempty(r->auth_user_add->hashedpassword)) see(x, A_USER_ADD_HASHED);
	}
	if (r->auth_user_delete) see(x, A_USER_DELETE);
	if (r->auth_user_get) see(x, A_USER_GET);
	if (r->auth_user_change_password) {
		see(x, A_USER_CHPW);
		if (nonempty(r->auth_user_change_password->hashedpassword)) see(x, A_USER_CHPW_HASHED);
	}
	if (r->auth_user_grant_role) see(x, A_USER_GRANT);
	if (r->auth_user_revoke_role) see(x, A_USER_REVOKE);
	if (r->auth_user_list) see(x, A_USER_LIST);
	if (r->auth_role_list) see(x, A_ROLE_LIST);
	if (r->auth_role_add) see(x, A_ROLE_ADD);
	if (r->auth_role_delete) see(x, A_ROLE_DELETE);
	if (r->auth_role_get) see(x, A_ROLE_GET);
	if (r->auth_role_grant_permission) {
		see(x, A_ROLE_GRANT);
		const Authpb__Permission *p = r->auth_role_grant_permission->perm;
		if (p && p->permtype) see_enum(x, -1, p->permtype, 3, FR_PERM);
	}
	if (r->auth_role_revoke_permission) see(x, A_ROLE_REVOKE);
}

static void visit_membership(visit *x, const Etcdserverpb__InternalRaftRequest *r)
{
	if (r->cluster_version_set) { see(x, A_CVS_FIELD); see(x, A_CVS); }
	if (r->cluster_member_attr_set) {
		see(x, A_CMAS_FIELD); see(x, A_CMAS);
		if (r->cluster_member_attr_set->member_attributes) see(x, A_ATTRIBUTES);
	}
	if (r->downgrade_info_set) { see(x, A_DIS_FIELD); see(x, A_DIS); }
	if (r->downgrade_version_test) {
		const char *ver = r->downgrade_version_test->ver ? r->downgrade_version_test->ver : "";
		sv v;
		see(x, A_DVT_FIELD); see(x, A_DVT);
		if (ea_semver_parse(ver, strlen(ver), &v.major, &v.minor, &v.patch))
			fail(x, FR_DVT);
		else see_version(x, v, A_DVT_VER);
	}
}

static void visit_irr(visit *x, const Etcdserverpb__InternalRaftRequest *r)
{
	see(x, A_IRR);
	if (r->header) { see(x, A_HDR); if (r->header->auth_revision) see(x, A_HDR_AUTHREV); }
	if (r->range) visit_range(x, r->range);
	if (r->put) {
		see(x, A_PUT);
		if (r->put->prev_kv) see(x, A_PUT_PREVKV);
		if (r->put->ignore_value) see(x, A_PUT_IGNORE_VALUE);
		if (r->put->ignore_lease) see(x, A_PUT_IGNORE_LEASE);
	}
	if (r->delete_range) { see(x, A_DEL); if (r->delete_range->prev_kv) see(x, A_DEL_PREVKV); }
	if (r->txn) see(x, A_TXN);
	if (r->compaction) see(x, A_COMPACTION);
	if (r->lease_grant) see(x, A_LEASE_GRANT);
	if (r->lease_revoke) see(x, A_LEASE_REVOKE);
	if (r->alarm) visit_alarm(x, r->alarm);
	if (r->lease_checkpoint) { see(x, A_LCP_FIELD); see(x, A_LCP); }
	visit_auth(x, r);
	visit_membership(x, r);
}

/* server/etcdserver/apply_v2.go v2ToV3Request (3.6): PUT of /0/version or of a path matching
 * the unanchored regexp /0/members/[[:xdigit:]]{1,16}/attributes; anything else panics. */
static int v2_allowed(const Etcdserverpb__Request *q)
{
	if (!q->method || strcmp(q->method, "PUT") != 0 || !q->path) return 0;
	if (strcmp(q->path, "/0/version") == 0) return 1;
	static const char pre[] = "/0/members/", suf[] = "/attributes";
	for (const char *p = strstr(q->path, pre); p; p = strstr(p + 1, pre)) {
		const char *h = p + sizeof pre - 1;
		size_t n = 0;
		while (n < 16 && ((h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f') || (h[n] >= 'A' && h[n] <= 'F'))) n++;
		/* the regexp may take any 1..n of the hex digits before "/attributes" */
		if (n && strncmp(h + n, suf, sizeof suf - 1) == 0) return 1;
	}
	return 0;
}

/* visit_irr() of a request the strict scan read (irr_scan.h): the same annotations without
 * protobuf-c (most entries of a WAL). */
static void visit_scanned(visit *x, const ea_irr_scan *s)
{
	see(x, A_IRR);
	if (s->has_header) { see(x, A_HDR); if (s->auth_revision) see(x, A_HDR_AUTHREV); }
	if (s->is_put) {
		see(x, A_PUT);
		if (s->prev_kv) see(x, A_PUT_PREVKV);
		if (s->ignore_value) see(x, A_PUT_IGNORE_VALUE);
		if (s->ignore_lease) see(x, A_PUT_IGNORE_LEASE);
	} else {
		see(x, A_DEL);
		if (s->prev_kv) see(x, A_DEL_PREVKV);
	}
}

static void visit_normal(ea_wal_versions *v, visit *x, ea_entry_version *o, const ea_entry_header *e)
{
	ProtobufCAllocator *al = &v->arena.pb;
	const uint8_t *d = e->data ? e->data : (const uint8_t *)"";
	ea_irr_scan s;
	if (e->data_len && ea__irr_scan_put_or_delete(d, e->data_len, &s) == 0) {
		visit_scanned(x, &s);
		return;
	}
	Etcdserverpb__InternalRaftRequest *r = etcdserverpb__internal_raft_request__unpack(al, e->data_len, d);
	const Etcdserverpb__Request *q = NULL;
	if (r) {
		visit_irr(x, r);
		q = r->v2;
	} else {
		q = etcdserverpb__request__unpack(al, e->data_len, d);
		if (!q) {
			fail(x, FR_UNDECODABLE);
			if (e->data_len) o->v2_undecodable = 1;
			return;
		}
	}
	if (q && e->data_len) o->v2 = v2_allowed(q) ? 1 : 2;
}

static void entry_visit(ea_wal_versions *v, const ea_entry_header *e, visit *x, ea_entry_version *o)
{
	ea_arena_reset(&v->arena);
	memset(o, 0, sizeof *o);
	memset(x, 0, sizeof *x);
	const uint8_t *d = e->data ? e->data : (const uint8_t *)"";
	if (e->type == RAFTPB__ENTRY_TYPE__EntryNormal) visit_normal(v, x, o, e);
	else if (e->type == RAFTPB__ENTRY_TYPE__EntryConfChange) {
		if (raftpb__conf_change__unpack(&v->arena.pb, e->data_len, d)) see(x, A_CONFCHANGE);
	} else if (e->type == RAFTPB__ENTRY_TYPE__EntryConfChangeV2) {
		if (raftpb__conf_change_v2__unpack(&v->arena.pb, e->data_len, d)) see(x, A_CONFCHANGEV2);
	} else fail(x, FR_TYPE);
	o->has_version = x->has;
	if (x->has) {
		o->major = x->v.major; o->minor = x->v.minor; o->patch = x->v.patch;
		o->what = annots[x->why].what;
		o->source = annots[x->why].source;
	}
	o->fails = x->fails != 0;
	o->fail_why = x->fails ? fail_text[x->fails] : NULL;
}

void ea_entry_min_version(ea_wal_versions *v, const ea_entry_header *e, ea_entry_version *o)
{
	visit x;
	entry_visit(v, e, &x, o);
}

/* ---- the whole WAL, with ReadAll's semantics ---- */

int ea_wal_versions_new(ea_wal_versions **out)
{
	ea_wal_versions *v = calloc(1, sizeof *v);
	if (!v) return EA_ENOMEM;
	ea_arena_init(&v->arena, 64u * 1024u * 1024u);
	*out = v;
	return EA_OK;
}

void ea_wal_versions_free(ea_wal_versions *v)
{
	if (!v) return;
	ea_arena_free(&v->arena);
	free(v->log);
	free(v);
}

static uint8_t version_code(ea_wal_versions *v, sv s)
{
	for (size_t i = 1; i <= v->nversions; i++)
		if (v->versions[i].major == s.major && v->versions[i].minor == s.minor && v->versions[i].patch == s.patch)
			return (uint8_t)i;
	if (v->nversions == MAX_VERSIONS) { v->overflow = 1; return 0; }
	v->versions[++v->nversions] = s;
	return (uint8_t)v->nversions;
}

/* wal.go ReadAll: an entry at index i goes to ents[i-start-1], dropping everything after;
 * one beyond the end is ErrSliceOutOfRange (kept as a gap: an error iff the snapshot etcd
 * starts from is below it). `base` is the index before the first kept entry. */
int ea_wal_versions_add(ea_wal_versions *v, const ea_entry_header *e)
{
	if (!v->started || e->index <= v->base) { v->started = 1; v->base = e->index ? e->index - 1 : 0; v->len = 0; }
	else if (e->index - v->base - 1 > v->len) {
		if (e->index > v->max_gap_index) v->max_gap_index = e->index;
		v->base = e->index - 1;
		v->len = 0;
	}
	if (e->index == 0) return EA_OK;    /* etcd never appends index 0 (start.Index >= 0) */
	size_t at = (size_t)(e->index - v->base - 1);
	if (at >= v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4096;
		slot *p = realloc(v->log, nc * sizeof *p);
		if (!p) return EA_ENOMEM;
		v->log = p;
		v->cap = nc;
	}
	visit x;
	ea_entry_version o;
	entry_visit(v, e, &x, &o);
	slot s = { 0, 0, 0 };
	if (x.has) { s.ver = version_code(v, x.v); s.why = (uint8_t)x.why; }
	if (x.fails) { s.flags |= F_FAILS; s.why = (uint8_t)x.fails; }
	if (o.v2 == 1) s.flags |= F_V2_OK;
	if (o.v2 == 2) s.flags |= F_V2_REFUSED;
	if (o.v2_undecodable) s.flags |= F_V2_UNDECODABLE;
	v->log[at] = s;
	v->len = at + 1;
	return EA_OK;
}

void ea_wal_versions_result(const ea_wal_versions *v, uint64_t after, ea_wal_version_result *o)
{
	memset(o, 0, sizeof *o);
	o->after_index = after;
	o->incomplete = v->overflow;
	if (v->max_gap_index && after + 1 < v->max_gap_index) {
		o->read_fails = 1;
		snprintf(o->read_error, sizeof o->read_error, "entry %" PRIu64 " follows a gap in the indexes: "
		         "ReadAll fails (ErrSliceOutOfRange)", v->max_gap_index);
		return;
	}
	int best = 0;
	for (size_t i = 0; i < v->len; i++) {
		uint64_t index = v->base + 1 + i;
		if (index <= after) continue;
		const slot *s = &v->log[i];
		o->entries++;
		if ((s->flags & F_FAILS) && !o->fails) { o->fails = 1; o->fail_index = index; o->fail_why = fail_text[s->why]; }
		if (s->flags & F_V2_OK) o->v2_allowed++;
		if (s->flags & F_V2_REFUSED) { if (!o->v2_refused++) o->v2_first_refused = index; }
		if (s->flags & F_V2_UNDECODABLE) { if (!o->v2_undecodable++) o->v2_first_undecodable = index; }
		if (s->flags & F_FAILS) continue;
		if (s->ver && (!best || sv_less(v->versions[best], v->versions[s->ver]))) {
			best = s->ver;
			o->index = index;
			o->what = annots[s->why].what;
			o->source = annots[s->why].source;
		}
	}
	if (best) {
		o->has_version = 1;
		o->major = v->versions[best].major; o->minor = v->versions[best].minor; o->patch = v->versions[best].patch;
		snprintf(o->version, sizeof o->version, "%" PRId64 ".%" PRId64 ".%" PRId64, o->major, o->minor, o->patch);
	}
}

int ea_wal_summarize_versions(ea_input *in, const ea_wal_options *opts, ea_wal_summary *s,
                              ea_wal **wal_out, ea_wal_versions *v, ea_error *err)
{
	ea__summary_acc a;
	ea__summary_begin(&a, s);
	ea_wal *w;
	int rc = ea_wal_open(&w, in, opts, err);
	if (rc != EA_OK) return rc;
	rc = ea__summary_input_problems(&a, in);
	ea_wal_item it;
	while (rc == EA_OK && (rc = ea_wal_next(w, &it)) == EA_OK) {
		rc = ea__summary_add(&a, &it);
		if (rc == EA_OK && v && it.kind == EA_WAL_ITEM_RECORD && it.rec.type == EA_WAL_ENTRY && it.rec.decoded)
			rc = ea_wal_versions_add(v, &it.rec.u.entry);
	}
	if (rc == EA_ITEROVER) rc = EA_OK;
	ea__summary_end(&a);
	if (rc == EA_OK && wal_out) *wal_out = w;
	else ea_wal_close(w);
	if (rc != EA_OK) ea_wal_summary_free(s);
	return rc;
}

void ea_wal_versions_damage(const ea_wal_summary *s, ea_wal_version_result *out)
{
	if (!s || out->read_fails) return;
	for (size_t i = 0; i < s->problem_count; i++) {
		const ea_problem *p = &s->problems[i].p;
		if (p->severity != EA_SEV_ERROR) continue;
		out->read_fails = 1;
		if (p->offset == EA_NO_OFFSET)
			snprintf(out->read_error, sizeof out->read_error, "damaged WAL (%s in %s): etcd's ReadAll fails there",
			         p->kind, p->file ? p->file : "?");
		else
			snprintf(out->read_error, sizeof out->read_error, "damaged WAL (%s at %s+%" PRIu64 "): etcd's ReadAll fails there",
			         p->kind, p->file ? p->file : "?", p->offset);
		return;
	}
}
