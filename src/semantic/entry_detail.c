/* entry_detail.c: the `detail` text of decoded etcd requests (what `wal ls` prints next to
 * the key). It says at least what etcd's own etcd-dump-logs says of each request — range
 * options, the ops of each txn branch, auth users/roles/permissions, alarm values as numbers
 * when etcd has no name for them, the v2 SYNC time as a UTC date — and never a password,
 * token or value. Text is bounded (ea_sb) and escaped. */
#include "entry_detail.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SB_CAP (sizeof ((ea_sb *)0)->buf - 4)   /* room left for "..." and the NUL */
#define KEY_MAX 40                               /* key bytes shown per key */
#define OPS_MAX 8                                /* ops shown per txn branch */
#define TXN_DEPTH 3                              /* nested txns shown */

void ea_sb_printf(ea_sb *b, const char *fmt, ...)
{
	if (b->full) return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->buf + b->n, SB_CAP - b->n + 1, fmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n > SB_CAP - b->n) { b->n = SB_CAP; b->full = 1; return; }
	b->n += (size_t)n;
}

static void sb_char(ea_sb *b, uint8_t c)
{
	if (c == '\\') ea_sb_printf(b, "\\\\");
	else if (c >= 0x20 && c < 0x7f) ea_sb_printf(b, "%c", c);
	else ea_sb_printf(b, "\\x%02x", c);
}

/* Input bytes as text: well-formed UTF-8 other than C1 controls passes through (a name in any
 * script reads as itself; tables escape bidi overrides on output), every other byte outside
 * printable ASCII is \xNN and a backslash is \\, so the text is exact and ASCII-safe. */
void ea_sb_bytes(ea_sb *b, const uint8_t *p, size_t n, size_t max)
{
	size_t lim = n > max ? max : n;
	for (size_t i = 0; i < lim && !b->full; i++) {
		size_t l = p[i] < 0x80 ? 0 : ea_utf8_seq(p + i, lim - i);
		if (l > 1 && !(p[i] == 0xC2 && p[i + 1] < 0xA0)) {
			ea_sb_printf(b, "%.*s", (int)l, (const char *)p + i);
			i += l - 1;
		} else sb_char(b, p[i]);
	}
	if (n > lim) ea_sb_printf(b, "...");
}

void ea_sb_str(ea_sb *b, const char *s)
{
	if (s) ea_sb_bytes(b, (const uint8_t *)s, strlen(s), 256);
}

static void key_range(ea_sb *b, ProtobufCBinaryData key, ProtobufCBinaryData end)
{
	ea_sb_bytes(b, key.data, key.len, KEY_MAX);
	if (end.len) { ea_sb_printf(b, ".."); ea_sb_bytes(b, end.data, end.len, KEY_MAX); }
}

/* ---- range ---- */

void ea_detail_range(ea_sb *b, const Etcdserverpb__RangeRequest *r)
{
	static const char *order[] = { "NONE", "ASCEND", "DESCEND" };
	static const char *target[] = { "KEY", "VERSION", "CREATE", "MOD", "VALUE" };
	const char *sp = "";
#define NUM(f) if (r->f) { ea_sb_printf(b, "%s" #f "=%" PRId64, sp, (int64_t)r->f); sp = " "; }
#define FLAG(f) if (r->f) { ea_sb_printf(b, "%s" #f, sp); sp = " "; }
	NUM(limit) NUM(revision)
	if (r->sort_order) {
		if (r->sort_order > 0 && r->sort_order <= 2) ea_sb_printf(b, "%ssort_order=%s", sp, order[r->sort_order]);
		else ea_sb_printf(b, "%ssort_order=%d", sp, r->sort_order);
		sp = " ";
	}
	if (r->sort_target) {
		if (r->sort_target > 0 && r->sort_target <= 4) ea_sb_printf(b, "%ssort_target=%s", sp, target[r->sort_target]);
		else ea_sb_printf(b, "%ssort_target=%d", sp, r->sort_target);
		sp = " ";
	}
	FLAG(serializable) FLAG(keys_only) FLAG(count_only)
	NUM(min_mod_revision) NUM(max_mod_revision) NUM(min_create_revision) NUM(max_create_revision)
#undef NUM
#undef FLAG
}

/* ---- put ---- */

void ea_detail_put(ea_sb *b, size_t value_len, uint64_t lease, int prev_kv, int ignore_value,
                   int ignore_lease)
{
	ea_sb_printf(b, "value_size=%zu", value_len);
	/* etcd's apply: with ignore_lease the key keeps the lease it has; the request's lease
	 * (which etcd's API refuses alongside ignore_lease) is not attached */
	if (ignore_lease && lease) ea_sb_printf(b, " ignore_lease(key keeps its lease; proposed lease %" PRIx64 " not used)", lease);
	else if (ignore_lease) ea_sb_printf(b, " ignore_lease(key keeps its lease)");
	else if (lease) ea_sb_printf(b, " lease=%" PRIx64, lease);
	if (ignore_value) ea_sb_printf(b, " ignore_value(key keeps its value)");
	if (prev_kv) ea_sb_printf(b, " prev_kv");
}

/* ---- txn ---- */

static void txn_body(ea_sb *b, const Etcdserverpb__TxnRequest *t, int depth);

static void one_op(ea_sb *b, const Etcdserverpb__RequestOp *op, int depth)
{
	if (op->request_put) {
		ea_sb_printf(b, "put ");
		ea_sb_bytes(b, op->request_put->key.data, op->request_put->key.len, KEY_MAX);
	} else if (op->request_delete_range) {
		ea_sb_printf(b, "delete_range ");
		key_range(b, op->request_delete_range->key, op->request_delete_range->range_end);
	} else if (op->request_range) {
		ea_sb_printf(b, "range ");
		key_range(b, op->request_range->key, op->request_range->range_end);
	} else if (op->request_txn) {
		ea_sb_printf(b, "txn{");
		if (depth < TXN_DEPTH) txn_body(b, op->request_txn, depth + 1); else ea_sb_printf(b, "...");
		ea_sb_printf(b, "}");
	} else {
		ea_sb_printf(b, "none");
	}
}

static void branch(ea_sb *b, const char *name, Etcdserverpb__RequestOp *const *ops, size_t n, int depth)
{
	ea_sb_printf(b, "%s=[", name);
	for (size_t i = 0; i < n && i < OPS_MAX; i++) {
		if (i) ea_sb_printf(b, ", ");
		one_op(b, ops[i], depth);
	}
	if (n > OPS_MAX) ea_sb_printf(b, ", +%zu more", n - OPS_MAX);
	ea_sb_printf(b, "]");
}

static void one_compare(ea_sb *b, const Etcdserverpb__Compare *c)
{
	static const char *tn[] = { "version", "create", "mod", "value", "lease" };
	static const char *rn[] = { "=", ">", "<", "!=" };
	if (c->target >= 0 && c->target <= 4) ea_sb_printf(b, "%s(", tn[c->target]);
	else ea_sb_printf(b, "target%d(", c->target);
	key_range(b, c->key, c->range_end);
	if (c->result >= 0 && c->result <= 3) ea_sb_printf(b, ")%s", rn[c->result]);
	else ea_sb_printf(b, ")result%d", c->result);
	switch (c->target) {
	case 0: ea_sb_printf(b, "%" PRId64, c->version); break;
	case 1: ea_sb_printf(b, "%" PRId64, c->create_revision); break;
	case 2: ea_sb_printf(b, "%" PRId64, c->mod_revision); break;
	case 3: ea_sb_printf(b, "(%zu bytes)", c->value.len); break;   /* values are never shown */
	case 4: ea_sb_printf(b, "%" PRIx64, (uint64_t)c->lease); break;
	default: ea_sb_printf(b, "?"); break;
	}
}

static void txn_body(ea_sb *b, const Etcdserverpb__TxnRequest *t, int depth)
{
	ea_sb_printf(b, "compare=[");
	for (size_t i = 0; i < t->n_compare && i < OPS_MAX; i++) {
		if (i) ea_sb_printf(b, ", ");
		one_compare(b, t->compare[i]);
	}
	if (t->n_compare > OPS_MAX) ea_sb_printf(b, ", +%zu more", t->n_compare - OPS_MAX);
	ea_sb_printf(b, "] ");
	branch(b, "success", t->success, t->n_success, depth);
	ea_sb_printf(b, " ");
	branch(b, "failure", t->failure, t->n_failure, depth);
}

void ea_detail_txn(ea_sb *b, const Etcdserverpb__TxnRequest *t) { txn_body(b, t, 0); }

/* ---- alarm ---- */

void ea_detail_alarm(ea_sb *b, const Etcdserverpb__AlarmRequest *a)
{
	static const char *act[] = { "get", "activate", "deactivate" };
	static const char *al[] = { "none", "NOSPACE", "CORRUPT" };
	if (a->action >= 0 && a->action <= 2) ea_sb_printf(b, "action=%s", act[a->action]);
	else ea_sb_printf(b, "action=%d", a->action);   /* no name in etcd: the number */
	if (a->alarm >= 0 && a->alarm <= 2) ea_sb_printf(b, " alarm=%s", al[a->alarm]);
	else ea_sb_printf(b, " alarm=%d", a->alarm);
	ea_sb_printf(b, " member=%" PRIx64, a->memberid);
}

/* ---- auth ---- */

static void kv(ea_sb *b, const char *sp, const char *k, const char *v)
{
	ea_sb_printf(b, "%s%s=", sp, k);
	ea_sb_str(b, v);
}

static void secret(ea_sb *b, const char *k, const char *v)
{
	if (v && *v) ea_sb_printf(b, " %s=<redacted>", k);
}

int ea_detail_auth(ea_sb *b, const Etcdserverpb__InternalRaftRequest *r)
{
	if (r->authenticate) {
		kv(b, "", "user", r->authenticate->name);
		ea_sb_printf(b, " password=<redacted>");
		secret(b, "simple_token", r->authenticate->simple_token);
	} else if (r->auth_user_add) {
		kv(b, "", "user", r->auth_user_add->name);
		secret(b, "password", r->auth_user_add->password);
		secret(b, "hashed_password", r->auth_user_add->hashedpassword);
		if (r->auth_user_add->options && r->auth_user_add->options->no_password) ea_sb_printf(b, " no_password");
	} else if (r->auth_user_change_password) {
		kv(b, "", "user", r->auth_user_change_password->name);
		ea_sb_printf(b, " password=<redacted>");
		secret(b, "hashed_password", r->auth_user_change_password->hashedpassword);
	} else if (r->auth_user_delete) {
		kv(b, "", "user", r->auth_user_delete->name);
	} else if (r->auth_user_get) {
		kv(b, "", "user", r->auth_user_get->name);
	} else if (r->auth_user_grant_role) {
		kv(b, "", "user", r->auth_user_grant_role->user);
		kv(b, " ", "role", r->auth_user_grant_role->role);
	} else if (r->auth_user_revoke_role) {
		kv(b, "", "user", r->auth_user_revoke_role->name);
		kv(b, " ", "role", r->auth_user_revoke_role->role);
	} else if (r->auth_role_add) {
		kv(b, "", "role", r->auth_role_add->name);
	} else if (r->auth_role_delete) {
		kv(b, "", "role", r->auth_role_delete->role);
	} else if (r->auth_role_get) {
		kv(b, "", "role", r->auth_role_get->role);
	} else if (r->auth_role_grant_permission) {
		static const char *pt[] = { "READ", "WRITE", "READWRITE" };
		const Authpb__Permission *p = r->auth_role_grant_permission->perm;
		kv(b, "", "role", r->auth_role_grant_permission->name);
		if (p && (int)p->permtype >= 0 && (int)p->permtype <= 2) ea_sb_printf(b, " perm=%s", pt[p->permtype]);
		else if (p) ea_sb_printf(b, " perm=%d", (int)p->permtype);
		else ea_sb_printf(b, " perm=none");
	} else if (r->auth_role_revoke_permission) {
		kv(b, "", "role", r->auth_role_revoke_permission->role);
	} else {
		return r->auth_enable || r->auth_disable || r->auth_status || r->auth_user_list || r->auth_role_list;
	}
	return 1;
}

/* ---- leases, cluster, header ---- */

void ea_detail_lease_checkpoint(ea_sb *b, const Etcdserverpb__LeaseCheckpointRequest *c)
{
	ea_sb_printf(b, "checkpoints=%zu", c->n_checkpoints);
	for (size_t i = 0; i < c->n_checkpoints && i < 4; i++)
		ea_sb_printf(b, " lease=%" PRIx64 " remaining_ttl=%" PRId64, (uint64_t)c->checkpoints[i]->id,
		             c->checkpoints[i]->remaining_ttl);
	if (c->n_checkpoints > 4) ea_sb_printf(b, " +%zu more", c->n_checkpoints - 4);
}

int ea_detail_cluster(ea_sb *b, const Etcdserverpb__InternalRaftRequest *r)
{
	if (r->cluster_version_set) {
		kv(b, "", "version", r->cluster_version_set->ver);
	} else if (r->cluster_member_attr_set) {
		const Membershippb__Attributes *a = r->cluster_member_attr_set->member_attributes;
		ea_sb_printf(b, "member=%" PRIx64, r->cluster_member_attr_set->member_id);
		if (a) {
			kv(b, " ", "name", a->name);
			for (size_t i = 0; i < a->n_client_urls && i < 4; i++) kv(b, " ", "client_url", a->client_urls[i]);
		}
	} else if (r->downgrade_info_set) {
		ea_sb_printf(b, "enabled=%s", r->downgrade_info_set->enabled ? "true" : "false");
		kv(b, " ", "version", r->downgrade_info_set->ver);
	} else if (r->downgrade_version_test) {
		/* etcd 3.6+ applies nothing (server.go: "for test only"); 3.5 and older do not know it */
		kv(b, "", "version", r->downgrade_version_test->ver);
		ea_sb_printf(b, "%s(test only: etcd 3.6+ applies nothing)", b->n ? " " : "");
	} else {
		return 0;
	}
	return 1;
}

void ea_detail_by(ea_sb *b, const uint8_t *user, size_t len)
{
	if (!len) return;
	ea_sb_printf(b, "%sby=", b->n ? " " : "");
	ea_sb_bytes(b, user, len, 256);
}

/* ---- v2 ---- */

static int v2_applied(const char *m)
{
	static const char *known[] = { "POST", "PUT", "DELETE", "QGET", "SYNC" };
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (m && strcmp(m, known[i]) == 0) return 1;
	return 0;
}

void ea_kind_v2(ea_sb *b, const char *method)
{
	if (!method || !*method) { ea_sb_printf(b, "v2:noop"); return; }
	ea_sb_printf(b, "v2:");
	size_t start = b->n;
	for (const char *p = method; *p && b->n - start < 24; p++) sb_char(b, (uint8_t)*p);
	if (b->n - start > 24) b->n = start + 24, b->buf[b->n] = '\0';
}

static void utc_ns(ea_sb *b, int64_t ns)
{
	int64_t s = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) { frac += 1000000000; s--; }
	time_t t = (time_t)s;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		ea_sb_printf(b, "%" PRId64 "ns", ns);
		return;
	}
	ea_sb_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", tm.tm_year + 1900, tm.tm_mon + 1,
	             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void ea_detail_v2(ea_sb *b, const Etcdserverpb__Request *v2)
{
	if (v2->method && strcmp(v2->method, "SYNC") == 0) {
		ea_sb_printf(b, "time=");   /* Time is Unix nanoseconds (etcd: time.Unix(0, r.Time)) */
		utc_ns(b, v2->time);
	} else {
		ea_sb_printf(b, "value_size=%zu", v2->val ? strlen(v2->val) : (size_t)0);
	}
	/* applyV2Request's default case: ErrUnknownMethod, nothing applied */
	if (!v2_applied(v2->method)) ea_sb_printf(b, " (%s: etcd applies nothing)",
	                                          v2->method && *v2->method ? "unknown method" : "no method");
}
