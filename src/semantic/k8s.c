/* k8s.c: Kubernetes objects from etcd's bytes, without the Kubernetes schema (k8s.h): the key
 * layouts kube-apiserver writes (its storage factory's resource prefixes, CRDs and aggregated
 * APIs under <group>/<plural>), the storage envelope of values (protobuf "k8s\0" + Unknown,
 * JSON, "k8s:enc:" encryption) and the classification of its txns. Hot path (every key of
 * `db ls`, every entry of `wal ls`): strict hand scans over the wire bytes, no copy, no
 * allocation beyond the decoder's reused arena (JSON values only). */
#include "etcd-autopsy/k8s.h"
#include "format/pb_wire.h"
#include "util/arena.h"
#include "util/jsonp.h"
#include "k8s_int.h"

#include <stdlib.h>
#include <string.h>

#define K8S_PREFIX_MAX 256
#define K8S_SEGS 8
#define K8S_ARENA_LIMIT (256u * 1024u * 1024u)

struct ea_k8s {
	char prefix[EA_K8S_MAX_PREFIXES][K8S_PREFIX_MAX];
	size_t plen[EA_K8S_MAX_PREFIXES];
	size_t nprefix;
	ea_arena arena;
};

/* ---- the decoder ---- */

int ea_k8s_new(ea_k8s **out, const char *prefixes)
{
	*out = NULL;
	if (!prefixes) prefixes = EA_K8S_DEFAULT_PREFIX;
	ea_k8s *k = calloc(1, sizeof *k);
	if (!k) return EA_ENOMEM;
	const char *s = prefixes;
	for (;;) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n > 0 && s[n - 1] == '/') n--;
		if (n == 0 || n >= K8S_PREFIX_MAX || k->nprefix == EA_K8S_MAX_PREFIXES) { free(k); return EA_EINVAL; }
		memcpy(k->prefix[k->nprefix], s, n);
		k->plen[k->nprefix++] = n;
		if (!e) break;
		s = e + 1;
	}
	ea_arena_init(&k->arena, K8S_ARENA_LIMIT);
	*out = k;
	return EA_OK;
}

void ea_k8s_free(ea_k8s *k)
{
	if (!k) return;
	ea_arena_free(&k->arena);
	free(k);
}

ea_arena *ea_k8s_arena(ea_k8s *k) { return &k->arena; }

const char *ea_k8s_encoding_name(ea_k8s_encoding e)
{
	switch (e) {
	case EA_K8S_ENC_PROTOBUF: return "protobuf";
	case EA_K8S_ENC_JSON: return "json";
	case EA_K8S_ENC_ENCRYPTED: return "encrypted";
	case EA_K8S_ENC_UNKNOWN: return "unknown";
	default: return NULL;
	}
}

/* ---- keys ---- */

/* Resources kube-apiserver stores under their plural alone (its DefaultStorageFactory), with
 * their API group, and whether they are cluster-scoped; `seg` is the key segment where it
 * differs from the plural (SpecialDefaultResourcePrefixes: minions, controllers, ingress,
 * podsecuritypolicy). services/specs and services/endpoints are two segments (key_layout). */
typedef struct {
	const char *seg, *resource, *group;
	unsigned char seg_len, resource_len, group_len;
	char cluster;   /* 1: <prefix>/<seg>/<name> */
} k8s_builtin;

#define B(seg, res, grp, c) { seg, res, grp, sizeof seg - 1, sizeof res - 1, sizeof grp - 1, c }
static const k8s_builtin builtins[] = {
	B("pods", "pods", "", 0), B("configmaps", "configmaps", "", 0), B("secrets", "secrets", "", 0),
	B("serviceaccounts", "serviceaccounts", "", 0), B("persistentvolumeclaims", "persistentvolumeclaims", "", 0),
	B("limitranges", "limitranges", "", 0), B("resourcequotas", "resourcequotas", "", 0),
	B("podtemplates", "podtemplates", "", 0), B("events", "events", "", 0),
	B("controllers", "replicationcontrollers", "", 0), B("namespaces", "namespaces", "", 1),
	B("minions", "nodes", "", 1), B("persistentvolumes", "persistentvolumes", "", 1),
	B("masterleases", "masterleases", "", 1), B("ranges", "ranges", "", 1),
	B("deployments", "deployments", "apps", 0), B("replicasets", "replicasets", "apps", 0),
	B("statefulsets", "statefulsets", "apps", 0), B("daemonsets", "daemonsets", "apps", 0),
	B("controllerrevisions", "controllerrevisions", "apps", 0),
	B("jobs", "jobs", "batch", 0), B("cronjobs", "cronjobs", "batch", 0),
	B("horizontalpodautoscalers", "horizontalpodautoscalers", "autoscaling", 0),
	B("poddisruptionbudgets", "poddisruptionbudgets", "policy", 0),
	B("podsecuritypolicy", "podsecuritypolicies", "policy", 1),
	B("leases", "leases", "coordination.k8s.io", 0),
	B("endpointslices", "endpointslices", "discovery.k8s.io", 0),
	B("networkpolicies", "networkpolicies", "networking.k8s.io", 0),
	B("ingress", "ingresses", "networking.k8s.io", 0),
	B("ingressclasses", "ingressclasses", "networking.k8s.io", 1),
	B("ipaddresses", "ipaddresses", "networking.k8s.io", 1),
	B("servicecidrs", "servicecidrs", "networking.k8s.io", 1),
	B("roles", "roles", "rbac.authorization.k8s.io", 0),
	B("rolebindings", "rolebindings", "rbac.authorization.k8s.io", 0),
	B("clusterroles", "clusterroles", "rbac.authorization.k8s.io", 1),
	B("clusterrolebindings", "clusterrolebindings", "rbac.authorization.k8s.io", 1),
	B("storageclasses", "storageclasses", "storage.k8s.io", 1),
	B("volumeattachments", "volumeattachments", "storage.k8s.io", 1),
	B("csidrivers", "csidrivers", "storage.k8s.io", 1), B("csinodes", "csinodes", "storage.k8s.io", 1),
	B("csistoragecapacities", "csistoragecapacities", "storage.k8s.io", 0),
	B("priorityclasses", "priorityclasses", "scheduling.k8s.io", 1),
	B("runtimeclasses", "runtimeclasses", "node.k8s.io", 1),
	B("certificatesigningrequests", "certificatesigningrequests", "certificates.k8s.io", 1),
	B("flowschemas", "flowschemas", "flowcontrol.apiserver.k8s.io", 1),
	B("prioritylevelconfigurations", "prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io", 1),
	B("validatingwebhookconfigurations", "validatingwebhookconfigurations", "admissionregistration.k8s.io", 1),
	B("mutatingwebhookconfigurations", "mutatingwebhookconfigurations", "admissionregistration.k8s.io", 1),
	B("validatingadmissionpolicies", "validatingadmissionpolicies", "admissionregistration.k8s.io", 1),
	B("validatingadmissionpolicybindings", "validatingadmissionpolicybindings", "admissionregistration.k8s.io", 1),
};
#undef B

static ea_k8s_str lit(const char *s) { return (ea_k8s_str){ s, strlen(s) }; }

static int seg_is(ea_k8s_str s, const char *lit_s)
{
	size_t n = strlen(lit_s);
	return s.n == n && memcmp(s.p, lit_s, n) == 0;
}

/* The key after "<prefix>/" split on '/'. An empty segment (a//b, a trailing '/') is no
 * object's key: only the first segment (the resource) is kept. */
static size_t split(const char *p, size_t n, ea_k8s_str *segs)
{
	size_t ns = 0, start = 0;
	for (size_t i = 0; i <= n && ns < K8S_SEGS; i++) {
		if (i < n && p[i] != '/') continue;
		if (i == start) return ns ? 1 : 0;
		segs[ns++] = (ea_k8s_str){ p + start, i - start };
		start = i + 1;
	}
	return ns;
}

/* rest: the segments after the resource; scope 'n' namespaced, 'c' cluster, '?' by count */
static void names(ea_k8s_object *o, const ea_k8s_str *rest, size_t nrest, char scope)
{
	if (nrest == 2 && scope != 'c') { o->ns = rest[0]; o->name = rest[1]; }
	else if (nrest == 1 && scope != 'n') o->name = rest[0];
}

static void key_layout(ea_k8s_object *o, const ea_k8s_str *seg, size_t ns)
{
	if (ns == 0) return;
	if (seg_is(seg[0], "services") && ns >= 2 && (seg_is(seg[1], "specs") || seg_is(seg[1], "endpoints"))) {
		o->resource = lit(seg_is(seg[1], "specs") ? "services" : "endpoints");
		o->group = lit("");
		names(o, seg + 2, ns - 2, 'n');
		return;
	}
	if (memchr(seg[0].p, '.', seg[0].n)) {   /* <group>/<plural>/...: CRDs, aggregated APIs */
		o->group = seg[0];
		if (ns >= 2) { o->resource = seg[1]; names(o, seg + 2, ns - 2, '?'); }
		return;
	}
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
		const k8s_builtin *b = &builtins[i];
		if (seg[0].n != b->seg_len || seg[0].p[0] != b->seg[0] || memcmp(seg[0].p, b->seg, b->seg_len) != 0) continue;
		o->resource = (ea_k8s_str){ b->resource, b->resource_len };
		o->group = (ea_k8s_str){ b->group, b->group_len };
		names(o, seg + 1, ns - 1, b->cluster ? 'c' : 'n');
		return;
	}
	o->resource = seg[0];   /* not a built-in we know: group from the value, scope by count */
	names(o, seg + 1, ns - 1, '?');
}

int ea__k8s_under(const ea_k8s *k, const uint8_t *key, size_t key_len)
{
	for (size_t i = 0; i < k->nprefix; i++) {
		size_t pl = k->plen[i];
		if (key_len > pl && memcmp(key, k->prefix[i], pl) == 0 && key[pl] == '/') return 1;
	}
	return 0;
}

int ea_k8s_key(const ea_k8s *k, const uint8_t *key, size_t key_len, ea_k8s_object *o)
{
	memset(o, 0, sizeof *o);
	const char *p = (const char *)key;
	for (size_t i = 0; i < k->nprefix; i++) {
		size_t pl = k->plen[i];
		if (key_len <= pl || memcmp(p, k->prefix[i], pl) != 0 || p[pl] != '/') continue;
		ea_k8s_str segs[K8S_SEGS];
		size_t ns = split(p + pl + 1, key_len - pl - 1, segs);
		key_layout(o, segs, ns);
		return 1;
	}
	return 0;
}

/* ---- values ---- */

/* "k8s:enc:<provider>:<version>:<key name>:" (apiserver's value transformers): provider and
 * key name; the rest is ciphertext. */
static void encrypted(ea_k8s_object *o, const char *p, size_t n)
{
	o->encoding = EA_K8S_ENC_ENCRYPTED;
	ea_k8s_str part[3];
	size_t at = 8, lim = n < 8 + 512 ? n : 8 + 512;
	for (int i = 0; i < 3; i++) {
		const char *c = at < lim ? memchr(p + at, ':', lim - at) : NULL;
		if (!c || c == p + at) return;
		part[i] = (ea_k8s_str){ p + at, (size_t)(c - (p + at)) };
		at = (size_t)(c - p) + 1;
		if (i == 0) o->enc_provider = part[0];
	}
	if (part[1].n == 2 && part[1].p[0] == 'v') o->enc_key = part[2];
}

/* one length-delimited field of a strict scan: the value span, or -1 */
static int ld(const uint8_t **p, const uint8_t *end, ea_k8s_str *out)
{
	uint64_t l;
	if (ea_pb_varint(p, end, &l) || l > (uint64_t)(end - *p)) return -1;
	*out = (ea_k8s_str){ (const char *)*p, (size_t)l };
	*p += l;
	return 0;
}

/* Scans a message whose fields 1..nwire-1 have the wire types wire[f] (9: not a field we
 * read, checked by its own type only); length-delimited values of wanted fields land in
 * spans[f], varints in nums[f]. A known field with another wire type fails, as in Go. */
static int scan(ea_k8s_str b, const uint8_t *wire, size_t nwire, ea_k8s_str *spans, uint64_t *nums)
{
	const uint8_t *p = (const uint8_t *)b.p, *end = p + b.n;
	while (p < end) {
		uint64_t tag;
		if (ea_pb_varint(&p, end, &tag)) return -1;
		uint64_t f = tag >> 3;
		unsigned w = (unsigned)(tag & 7);
		if (f == 0) return -1;
		if (f < nwire && wire[f] != 9) {
			if (wire[f] != w) return -1;
			if (w == 2 ? ld(&p, end, &spans[f]) : ea_pb_varint(&p, end, &nums[f])) return -1;
		} else if (ea_pb_skip(&p, end, w)) {
			return -1;
		}
	}
	return 0;
}

/* ObjectMeta: name 1, namespace 3, uid 5, creationTimestamp 8 (Time: seconds 1); the other
 * fields' wire types are checked too (generation 7 and 10 varints, the rest bytes). */
static void object_meta(ea_k8s_object *o, ea_k8s_str m)
{
	static const uint8_t wire[18] = { 9, 2, 2, 2, 2, 2, 2, 0, 2, 2, 0, 2, 2, 2, 2, 9, 9, 2 };
	ea_k8s_str s[18] = { { 0 } };
	uint64_t v[18] = { 0 };
	if (scan(m, wire, 18, s, v)) return;
	if (!o->name.p) { o->name = s[1]; if (!o->ns.p) o->ns = s[3]; }   /* the key's names win */
	if (s[5].p) o->uid = s[5];
	if (s[8].p) {
		static const uint8_t tw[3] = { 9, 0, 0 };
		ea_k8s_str ts[3] = { { 0 } };
		uint64_t tv[3] = { 0 };
		if (scan(s[8], tw, 3, ts, tv) == 0) { o->have_created = 1; o->created_s = (int64_t)tv[1]; }
	}
}

/* "apps/v1" -> "apps", "v1" -> "" (core) */
static ea_k8s_str group_of(ea_k8s_str av)
{
	const char *sl = memchr(av.p, '/', av.n);
	return (ea_k8s_str){ av.p, sl ? (size_t)(sl - av.p) : 0 };
}

static void protobuf(ea_k8s_object *o, const uint8_t *v, size_t n)
{
	o->encoding = EA_K8S_ENC_PROTOBUF;
	static const uint8_t uw[5] = { 9, 2, 2, 2, 2 };   /* typeMeta, raw, contentEncoding, contentType */
	ea_k8s_str u[5] = { { 0 } };
	uint64_t un[5];
	if (scan((ea_k8s_str){ (const char *)v + 4, n - 4 }, uw, 5, u, un)) return;
	if (u[1].p) {
		static const uint8_t tw[3] = { 9, 2, 2 };
		ea_k8s_str t[3] = { { 0 } };
		uint64_t tn[3];
		if (scan(u[1], tw, 3, t, tn) == 0) {
			if (t[1].p) o->api_version = t[1];
			if (t[2].p) o->kind = t[2];
		}
	}
	if (!u[2].p || (u[3].p && u[3].n)) return;   /* no raw, or a content encoding we do not undo */
	static const uint8_t ow[2] = { 9, 2 };        /* every built-in object: metadata = 1 */
	ea_k8s_str ob[2] = { { 0 } };
	uint64_t on[2];
	if (scan(u[2], ow, 2, ob, on) == 0 && ob[1].p) object_meta(o, ob[1]);
}

/* "2026-12-05T07:08:18Z" or with a "+hh:mm"/"-hh:mm" offset (RFC 3339, as metav1.Time). */
int ea_k8s_parse_time(const char *s, size_t n, int64_t *out)
{
	int v[6];
	static const int at[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };
	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') return -1;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (int j = 0; j < len[i]; j++) {
			char c = s[at[i] + j];
			if (c < '0' || c > '9') return -1;
			v[i] = v[i] * 10 + (c - '0');
		}
	}
	size_t i = 19;
	if (i < n && s[i] == '.') for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {}
	int64_t off = 0;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) off = 0;
	else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int hh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0'), mm = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
		off = (hh * 60 + mm) * 60 * (s[i] == '-' ? -1 : 1);
	} else return -1;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) return -1;
	/* days from civil (proleptic Gregorian) */
	int64_t y = v[0] - (v[1] <= 2), era = y / 400;
	int64_t yoe = y - era * 400, mp = (v[1] + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + v[2] - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	*out = days * 86400 + v[3] * 3600 + v[4] * 60 + v[5] - off;
	return 0;
}

static ea_k8s_str jstr(const ea_jv *obj, const char *key)
{
	const ea_jv *v = ea_jsonp_get(obj, key);
	if (!v || v->type != EA_JV_STR) return (ea_k8s_str){ 0 };
	return (ea_k8s_str){ v->s, v->n };
}

static void json(ea_k8s *k, ea_k8s_object *o, const uint8_t *v, size_t n)
{
	ea_arena_reset(&k->arena);
	const ea_jv *root = ea_jsonp_parse(&k->arena, (const char *)v, n);
	if (!root || root->type != EA_JV_OBJ) { o->encoding = EA_K8S_ENC_UNKNOWN; return; }
	o->encoding = EA_K8S_ENC_JSON;
	o->api_version = jstr(root, "apiVersion");
	o->kind = jstr(root, "kind");
	const ea_jv *md = ea_jsonp_get(root, "metadata");
	if (!md || md->type != EA_JV_OBJ) return;
	ea_k8s_str name = jstr(md, "name"), ns = jstr(md, "namespace"), ct = jstr(md, "creationTimestamp");
	if (!o->name.p) { o->name = name; if (!o->ns.p) o->ns = ns; }
	o->uid = jstr(md, "uid");
	if (ct.p && ea_k8s_parse_time(ct.p, ct.n, &o->created_s) == 0) o->have_created = 1;
}

static int json_like(const uint8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') continue;
		return v[i] == '{';
	}
	return 0;
}

int ea_k8s_decode(ea_k8s *k, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                  ea_k8s_object *o)
{
	if (!ea_k8s_key(k, key, key_len, o)) return 0;
	if (!val) return 1;
	if (val_len >= 4 && memcmp(val, "k8s\0", 4) == 0) protobuf(o, val, val_len);
	else if (val_len >= 8 && memcmp(val, "k8s:enc:", 8) == 0) encrypted(o, (const char *)val, val_len);
	else if (json_like(val, val_len)) json(k, o, val, val_len);
	else o->encoding = EA_K8S_ENC_UNKNOWN;
	if (!o->group.p && o->api_version.p) o->group = group_of(o->api_version);
	return 1;
}

/* ---- kube-apiserver's txns (k8s.io/apiserver pkg/storage/etcd3: store.go, compact.go) ---- */

const char *ea_k8s_compare_target(int t)
{
	static const char *const n[] = { "version", "create", "mod", "value", "lease" };
	return t >= 0 && t < 5 ? n[t] : "unknown";
}

const char *ea_k8s_compare_result(int r)
{
	static const char *const n[] = { "equal", "greater", "less", "not_equal" };
	return r >= 0 && r < 4 ? n[r] : "unknown";
}

static int same(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) { return an == bn && (an == 0 || memcmp(a, b, an) == 0); }

const char *ea_k8s_txn_op(const ea_txn_shape *t)
{
	if (t->ncompare != 1 || t->nsuccess != 1 || t->nfailure > 1) return "other";
	const ea_txn_compare *c = &t->compare[0];
	if (c->result != 0 || !same(c->key, c->key_len, t->success_key, t->success_key_len)) return "other";
	/* Else, when there is one, reads the same key back */
	if (t->nfailure && (t->failure_op != 'r' || !same(c->key, c->key_len, t->failure_key, t->failure_key_len))) return "other";
	static const char ck[] = "compact_rev_key";
	if (c->target == 0 && t->success_op == 'p' && c->key_len >= sizeof ck - 1 &&
	    memcmp(c->key + c->key_len - (sizeof ck - 1), ck, sizeof ck - 1) == 0)
		return "compact-marker";
	if (c->target != 2) return "other";
	if (c->num == 0) return t->success_op == 'p' ? "create" : "other";
	return t->success_op == 'p' ? "update" : t->success_op == 'd' ? "delete" : "other";
}
