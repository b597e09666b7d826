/* test_k8s.c: Kubernetes keys and values from the bytes (k8s.h). The values are encoded from the
 * .proto definitions (formats/k8s.proto, field numbers of k8s.io/apimachinery), not captured
 * from a cluster: packed with the generated protobuf-c code; txns are etcdserverpb requests
 * shaped as kube-apiserver's etcd3 store writes them, packed the same way. */
#include "test.h"

#include "etcdserverpb.pb-c.h"
#include "k8s.pb-c.h"
#include "semantic/k8s_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ea_k8s *K;

static int setup(void **state) { (void)state; return ea_k8s_new(&K, NULL); }
static int teardown(void **state) { (void)state; ea_k8s_free(K); return 0; }

static void str_is(ea_k8s_str s, const char *want)
{
	if (!want) { assert_null(s.p); return; }
	assert_non_null(s.p);
	assert_int_equal(s.n, strlen(want));
	assert_memory_equal(s.p, want, s.n);
}

/* key -> group, resource, namespace, name */
static void key_is(ea_k8s *k, const char *key, const char *g, const char *r, const char *ns, const char *name)
{
	ea_k8s_object o;
	assert_int_equal(ea_k8s_key(k, (const uint8_t *)key, strlen(key), &o), 1);
	str_is(o.group, g);
	str_is(o.resource, r);
	str_is(o.ns, ns);
	str_is(o.name, name);
	assert_int_equal(o.encoding, EA_K8S_ENC_NONE);
}

static void test_k8s__key_layouts(void **state)
{
	(void)state;
	key_is(K, "/registry/pods/payments/checkout-7d9f", "", "pods", "payments", "checkout-7d9f");
	key_is(K, "/registry/minions/node-1", "", "nodes", NULL, "node-1");
	key_is(K, "/registry/namespaces/default", "", "namespaces", NULL, "default");
	key_is(K, "/registry/services/specs/default/kubernetes", "", "services", "default", "kubernetes");
	key_is(K, "/registry/services/endpoints/default/kubernetes", "", "endpoints", "default", "kubernetes");
	key_is(K, "/registry/controllers/ns/rc", "", "replicationcontrollers", "ns", "rc");
	key_is(K, "/registry/deployments/kube-system/coredns", "apps", "deployments", "kube-system", "coredns");
	key_is(K, "/registry/leases/kube-node-lease/node-1", "coordination.k8s.io", "leases", "kube-node-lease", "node-1");
	key_is(K, "/registry/clusterroles/admin", "rbac.authorization.k8s.io", "clusterroles", NULL, "admin");
	key_is(K, "/registry/ingress/web/front", "networking.k8s.io", "ingresses", "web", "front");
	key_is(K, "/registry/masterleases/10.0.0.1", "", "masterleases", NULL, "10.0.0.1");
	key_is(K, "/registry/ranges/serviceips", "", "ranges", NULL, "serviceips");
	key_is(K, "/registry/apiregistration.k8s.io/apiservices/v1.apps", "apiregistration.k8s.io", "apiservices", NULL, "v1.apps");
	key_is(K, "/registry/cert-manager.io/certificates/payments/tls", "cert-manager.io", "certificates", "payments", "tls");
	key_is(K, "/registry/apiextensions.k8s.io/customresourcedefinitions/certificates.cert-manager.io",
	       "apiextensions.k8s.io", "customresourcedefinitions", NULL, "certificates.cert-manager.io");
	/* not a built-in we know: resource from the key, scope by count, group unknown */
	key_is(K, "/registry/widgets/ns/w", NULL, "widgets", "ns", "w");
	/* layouts that name no object: the resource only */
	key_is(K, "/registry/pods/lonely", "", "pods", NULL, NULL);
	key_is(K, "/registry/namespaces/a/b", "", "namespaces", NULL, NULL);
	key_is(K, "/registry/pods/ns/a/b", "", "pods", NULL, NULL);
	key_is(K, "/registry/", NULL, NULL, NULL, NULL);
	key_is(K, "/registry/namespaces/default/", "", "namespaces", NULL, NULL);
	key_is(K, "/registry/pods//p", "", "pods", NULL, NULL);
	ea_k8s_object o;
	assert_int_equal(ea_k8s_key(K, (const uint8_t *)"/registryx/pods/a/b", 19, &o), 0);
	assert_int_equal(ea_k8s_key(K, (const uint8_t *)"/registry", 9, &o), 0);
	assert_int_equal(ea_k8s_key(K, (const uint8_t *)"compact_rev_key", 15, &o), 0);
}

static void test_k8s__prefixes(void **state)
{
	(void)state;
	ea_k8s *k;
	assert_int_equal(ea_k8s_new(&k, "/kubernetes.io/,/openshift.io"), EA_OK);
	key_is(k, "/kubernetes.io/pods/ns/p", "", "pods", "ns", "p");
	key_is(k, "/openshift.io/routes/ns/r", NULL, "routes", "ns", "r");
	ea_k8s_object o;
	assert_int_equal(ea_k8s_key(k, (const uint8_t *)"/registry/pods/ns/p", 19, &o), 0);
	ea_k8s_free(k);
	assert_int_equal(ea_k8s_new(&k, ""), EA_EINVAL);
	assert_int_equal(ea_k8s_new(&k, "/a,,/b"), EA_EINVAL);
	assert_int_equal(ea_k8s_new(&k, "/a,/b,/c,/d,/e"), EA_EINVAL);
}

/* "k8s\0" + Unknown{TypeMeta{av, kind}, raw = Object{ObjectMeta}, contentType} */
static size_t pod_value(uint8_t *out, size_t cap, const char *av, const char *kind, int64_t created)
{
	K8s__Time t = K8S__TIME__INIT;
	t.has_seconds = 1;
	t.seconds = created;
	K8s__ObjectMeta m = K8S__OBJECT_META__INIT;
	m.has_name = m.has_namespace_ = m.has_uid = 1;
	m.name = (ProtobufCBinaryData){ 13, (uint8_t *)"checkout-7d9f" };
	m.namespace_ = (ProtobufCBinaryData){ 8, (uint8_t *)"payments" };
	m.uid = (ProtobufCBinaryData){ 36, (uint8_t *)"0b8e5c2e-3c4f-4d3a-9a51-2f7d1e0c9b11" };
	m.creationtimestamp = &t;
	K8s__Object ob = K8S__OBJECT__INIT;
	ob.metadata = &m;
	uint8_t raw[1024];
	size_t rl = k8s__object__pack(&ob, raw);
	raw[rl++] = 0x12; raw[rl++] = 3; memcpy(raw + rl, "\x0a\x01x", 3); rl += 3;   /* spec: field 2 */
	K8s__TypeMeta tm = K8S__TYPE_META__INIT;
	tm.has_apiversion = tm.has_kind = 1;
	tm.apiversion = (ProtobufCBinaryData){ strlen(av), (uint8_t *)av };
	tm.kind = (ProtobufCBinaryData){ strlen(kind), (uint8_t *)kind };
	K8s__Unknown u = K8S__UNKNOWN__INIT;
	u.typemeta = &tm;
	u.has_raw = u.has_contenttype = 1;
	u.raw = (ProtobufCBinaryData){ rl, raw };
	u.contenttype = (ProtobufCBinaryData){ 0, NULL };
	assert_true(k8s__unknown__get_packed_size(&u) + 4 <= cap);
	memcpy(out, "k8s\0", 4);
	return 4 + k8s__unknown__pack(&u, out + 4);
}

static void test_k8s__protobuf_value(void **state)
{
	(void)state;
	uint8_t v[2048];
	size_t n = pod_value(v, sizeof v, "v1", "Pod", 1796454498);
	const char *key = "/registry/pods/payments/checkout-7d9f";
	ea_k8s_object o;
	assert_int_equal(ea_k8s_decode(K, (const uint8_t *)key, strlen(key), v, n, &o), 1);
	assert_int_equal(o.encoding, EA_K8S_ENC_PROTOBUF);
	assert_string_equal(ea_k8s_encoding_name(o.encoding), "protobuf");
	str_is(o.api_version, "v1");
	str_is(o.kind, "Pod");
	str_is(o.uid, "0b8e5c2e-3c4f-4d3a-9a51-2f7d1e0c9b11");
	str_is(o.ns, "payments");
	assert_int_equal(o.have_created, 1);
	assert_int_equal(o.created_s, 1796454498);
	/* a group from the apiVersion when the key has none */
	n = pod_value(v, sizeof v, "example.com/v1", "Widget", 5);
	assert_int_equal(ea_k8s_decode(K, (const uint8_t *)"/registry/widgets/payments/checkout-7d9f", 40, v, n, &o), 1);
	str_is(o.group, "example.com");
	/* every cut of the value: no crash, never a field read past the cut */
	n = pod_value(v, sizeof v, "v1", "Pod", 1796454498);
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, v, cut);
		assert_int_equal(ea_k8s_decode(K, (const uint8_t *)key, strlen(key), c, cut, &o), 1);
		if (o.uid.p) assert_true((const uint8_t *)o.uid.p + o.uid.n <= c + cut);
		free(c);
	}
}

static void test_k8s__wrong_wire_type(void **state)
{
	(void)state;
	/* ObjectMeta whose uid (5) is a varint: rejected as Go's unmarshaler rejects it */
	static const uint8_t v[] = { 'k', '8', 's', 0, 0x0a, 0x08, 0x0a, 0x02, 'v', '1', 0x12, 0x02, 'C', 'M',
	                             0x12, 0x06, 0x0a, 0x04, 0x0a, 0x00, 0x28, 0x07 };
	ea_k8s_object o;
	assert_int_equal(ea_k8s_decode(K, (const uint8_t *)"/registry/configmaps/a/b", 24, v, sizeof v, &o), 1);
	str_is(o.kind, "CM");
	assert_null(o.uid.p);
	assert_int_equal(o.have_created, 0);
}

static void test_k8s__json_value(void **state)
{
	(void)state;
	const char *v = "{\"apiVersion\":\"cert-manager.io/v1\",\"kind\":\"Certificate\",\"metadata\":{"
	                "\"name\":\"tls\",\"namespace\":\"payments\",\"uid\":\"u-1\","
	                "\"creationTimestamp\":\"2026-12-05T07:08:18Z\"},\"spec\":{}}";
	const char *key = "/registry/cert-manager.io/certificates/payments/tls";
	ea_k8s_object o;
	assert_int_equal(ea_k8s_decode(K, (const uint8_t *)key, strlen(key), (const uint8_t *)v, strlen(v), &o), 1);
	assert_int_equal(o.encoding, EA_K8S_ENC_JSON);
	str_is(o.api_version, "cert-manager.io/v1");
	str_is(o.kind, "Certificate");
	str_is(o.uid, "u-1");
	assert_int_equal(o.have_created, 1);
	assert_int_equal(o.created_s, 1796454498);   /* date -u -d 2026-12-05T07:08:18Z +%s */
	const char *bad = "{\"apiVersion\":";
	assert_int_equal(ea_k8s_decode(K, (const uint8_t *)key, strlen(key), (const uint8_t *)bad, strlen(bad), &o), 1);
	assert_int_equal(o.encoding, EA_K8S_ENC_UNKNOWN);
	int64_t t;
	assert_int_equal(ea_k8s_parse_time("2026-12-05T08:08:18.5+01:00", 27, &t), 0);
	assert_int_equal(t, 1796454498);
	assert_int_equal(ea_k8s_parse_time("2026-13-05T08:08:18Z", 20, &t), -1);
}

static void test_k8s__encrypted_value(void **state)
{
	(void)state;
	static const char v[] = "k8s:enc:aescbc:v1:key1:\x01\x02\xff\x00rest";
	ea_k8s_object o;
	assert_int_equal(ea_k8s_decode(K, (const uint8_t *)"/registry/secrets/a/s", 21, (const uint8_t *)v, sizeof v - 1, &o), 1);
	assert_int_equal(o.encoding, EA_K8S_ENC_ENCRYPTED);
	str_is(o.enc_provider, "aescbc");
	str_is(o.enc_key, "key1");
	str_is(o.name, "s");
	assert_null(o.kind.p);
	static const char kms[] = "k8s:enc:kms:v2:vault:\x0a\x10";
	ea_k8s_decode(K, (const uint8_t *)"/registry/secrets/a/s", 21, (const uint8_t *)kms, sizeof kms - 1, &o);
	str_is(o.enc_provider, "kms");
	str_is(o.enc_key, "vault");
	static const char cut[] = "k8s:enc:aescbc";
	ea_k8s_decode(K, (const uint8_t *)"/registry/secrets/a/s", 21, (const uint8_t *)cut, sizeof cut - 1, &o);
	assert_int_equal(o.encoding, EA_K8S_ENC_ENCRYPTED);
	assert_null(o.enc_provider.p);
	assert_null(o.enc_key.p);
	ea_k8s_decode(K, (const uint8_t *)"/registry/secrets/a/s", 21, (const uint8_t *)"plain", 5, &o);
	assert_int_equal(o.encoding, EA_K8S_ENC_UNKNOWN);
}

/* ---- txns, as k8s.io/apiserver pkg/storage/etcd3 writes them ---- */

typedef struct {
	Etcdserverpb__Compare cmp;
	Etcdserverpb__RequestOp sop, fop, *s[1], *f[1];
	Etcdserverpb__PutRequest put;
	Etcdserverpb__DeleteRangeRequest del;
	Etcdserverpb__RangeRequest get;
	Etcdserverpb__Compare *c[1];
	Etcdserverpb__TxnRequest txn;
	Etcdserverpb__InternalRaftRequest r;
	uint8_t buf[512];
} txn_b;

/* If(target(key) == num).Then(op key).Else(get key when with_else) */
static const char *classify(int target, int64_t num, char op, int with_else, const char *key, const char *then_key)
{
	static txn_b b;
	static ea_entry_decoder *d;
	memset(&b, 0, sizeof b);
	etcdserverpb__compare__init(&b.cmp);
	b.cmp.has_target = b.cmp.has_result = b.cmp.has_key = 1;
	b.cmp.target = target;
	b.cmp.key = (ProtobufCBinaryData){ strlen(key), (uint8_t *)key };
	if (target == 2) { b.cmp.has_mod_revision = 1; b.cmp.mod_revision = num; }
	else { b.cmp.has_version = 1; b.cmp.version = num; }
	ProtobufCBinaryData tk = { strlen(then_key), (uint8_t *)then_key };
	etcdserverpb__request_op__init(&b.sop);
	if (op == 'p') {
		etcdserverpb__put_request__init(&b.put);
		b.put.has_key = b.put.has_value = b.put.has_lease = 1;
		b.put.key = tk;
		b.put.value = (ProtobufCBinaryData){ 3, (uint8_t *)"val" };
		b.put.lease = 0x1234;
		b.sop.request_put = &b.put;
	} else {
		etcdserverpb__delete_range_request__init(&b.del);
		b.del.has_key = 1;
		b.del.key = tk;
		b.sop.request_delete_range = &b.del;
	}
	etcdserverpb__request_op__init(&b.fop);
	etcdserverpb__range_request__init(&b.get);
	b.get.has_key = 1;
	b.get.key = b.cmp.key;
	b.fop.request_range = &b.get;
	b.s[0] = &b.sop;
	b.f[0] = &b.fop;
	b.c[0] = &b.cmp;
	etcdserverpb__txn_request__init(&b.txn);
	b.txn.n_compare = 1; b.txn.compare = b.c;
	b.txn.n_success = 1; b.txn.success = b.s;
	b.txn.n_failure = with_else ? 1 : 0; b.txn.failure = b.f;
	etcdserverpb__internal_raft_request__init(&b.r);
	b.r.has_id = 1;
	b.r.id = 9;
	b.r.txn = &b.txn;
	size_t n = etcdserverpb__internal_raft_request__pack(&b.r, b.buf);
	if (!d) assert_int_equal(ea_entry_decoder_new(&d), 0);
	ea_entry_header e = { 0, 2, 10, b.buf, n };
	static ea_entry_info o;
	assert_int_equal(ea_entry_decode(d, &e, 0, &o), 0);
	assert_string_equal(o.kind, "txn");
	assert_non_null(o.txn);
	if (op == 'p') {
		assert_int_equal(o.value_len, 3);
		assert_int_equal(o.txn->lease, 0x1234);
	}
	const char *r = ea_k8s_txn_op(o.txn);
	if (num == -1) { ea_entry_decoder_free(d); d = NULL; }
	return r;
}

static void test_k8s__txn_shapes(void **state)
{
	(void)state;
	const char *k = "/registry/pods/a/b";
	assert_string_equal(classify(2, 0, 'p', 0, k, k), "create");
	assert_string_equal(classify(2, 41, 'p', 1, k, k), "update");
	assert_string_equal(classify(2, 41, 'p', 0, k, k), "update");    /* OptimisticPut without GetOnFailure */
	assert_string_equal(classify(2, 41, 'd', 1, k, k), "delete");
	assert_string_equal(classify(0, 3, 'p', 1, "compact_rev_key", "compact_rev_key"), "compact-marker");
	assert_string_equal(classify(2, 41, 'p', 1, k, "/registry/pods/a/c"), "other");   /* another key */
	assert_string_equal(classify(0, 41, 'p', 1, k, k), "other");                      /* version, not mod */
	assert_string_equal(classify(2, 0, 'd', 0, k, k), "other");
	assert_string_equal(classify(2, -1, 'd', 0, k, k), "delete");   /* (frees the decoder) */
	assert_string_equal(ea_k8s_compare_target(2), "mod");
	assert_string_equal(ea_k8s_compare_result(3), "not_equal");
	assert_string_equal(ea_k8s_compare_target(9), "unknown");
}

static void test_k8s__dump(void **state)
{
	(void)state;
	uint8_t v[2048];
	size_t n = pod_value(v, sizeof v, "v1", "Pod", 1796454498);
	char *text = NULL;
	size_t tl = 0;
	FILE *f = open_memstream(&text, &tl);
	ea_k8s_dump(K, v, n, f);
	fclose(f);
	assert_non_null(strstr(text, "uid               0b8e5c2e-3c4f-4d3a-9a51-2f7d1e0c9b11\n"));
	assert_non_null(strstr(text, "created           2026-12-05T07:08:18Z\n"));
	assert_non_null(strstr(text, "  1 {\n    1: \"checkout-7d9f\"\n    3: \"payments\"\n"));
	assert_non_null(strstr(text, "    8 {\n      1: 1796454498\n    }\n"));
	free(text);
	for (size_t cut = 4; cut < n; cut++) {   /* cut values: bounded text, no crash */
		f = open_memstream(&text, &tl);
		ea_k8s_dump(K, v, cut, f);
		fclose(f);
		assert_true(tl < 4096);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8s__key_layouts),
		cmocka_unit_test(test_k8s__prefixes),
		cmocka_unit_test(test_k8s__protobuf_value),
		cmocka_unit_test(test_k8s__wrong_wire_type),
		cmocka_unit_test(test_k8s__json_value),
		cmocka_unit_test(test_k8s__encrypted_value),
		cmocka_unit_test(test_k8s__txn_shapes),
		cmocka_unit_test(test_k8s__dump),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
