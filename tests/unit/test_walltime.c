/* test_walltime.c: the entry time estimate (walltime.h) on hand-made anchors: interpolation
 * between two anchors and its error bound, no estimate without a bound on both sides, stale
 * upper bounds dropped, monotone estimates inside their bounds, merging at one index, the
 * time text both ways, bounds at the ends of int64, and the anchors of Kubernetes values (a Lease packed from
 * formats/k8s.proto's field numbers, JSON Events and objects). */
#include "test.h"

#include "k8s.pb-c.h"

#include <stdlib.h>
#include <string.h>

#define S 1000000LL   /* one second in us */

static ea_walltime *mk(const ea_walltime_anchor *a, size_t n)
{
	ea_walltime *w;
	assert_int_equal(ea_walltime_new(&w), EA_OK);
	for (size_t i = 0; i < n; i++) assert_int_equal(ea_walltime_add(w, &a[i]), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	return w;
}

static void test_walltime__interpolation(void **state)
{
	(void)state;
	const ea_walltime_anchor a[] = {
		{ 10, 100 * S, 100 * S + S / 2, EA_WALLTIME_LEASE_RENEW },
		{ 20, 110 * S, 110 * S + S / 2, EA_WALLTIME_EVENT },
	};
	ea_walltime *w = mk(a, 2);
	ea_walltime_est e;
	ea_walltime_at(w, 10, &e);   /* the anchor itself: the middle of its bounds */
	assert_true(e.known);
	assert_int_equal(e.time_us, 100 * S + S / 4);
	assert_true(e.error_s > 0.249 && e.error_s < 0.251);
	assert_int_equal(e.source, EA_WALLTIME_LEASE_RENEW);
	ea_walltime_at(w, 15, &e);   /* half way: between the two knots, error to the farther bound */
	assert_true(e.known);
	assert_int_equal(e.source, EA_WALLTIME_INTERPOLATED);
	assert_int_equal(e.time_us, 105 * S + S / 4);
	assert_int_equal(e.lo_us, 100 * S);
	assert_int_equal(e.hi_us, 110 * S + S / 2);
	assert_true(e.error_s > 5.249 && e.error_s < 5.251);
	ea_walltime_at(w, 5, &e);    /* before the first lower bound: unknown, upper bound kept */
	assert_false(e.known);
	assert_int_equal(e.lo_us, EA_WALLTIME_NO_LO);
	assert_int_equal(e.hi_us, 100 * S + S / 2);
	ea_walltime_at(w, 25, &e);   /* after the last upper bound: never extrapolated */
	assert_false(e.known);
	assert_int_equal(e.lo_us, 110 * S);
	assert_int_equal(e.hi_us, EA_WALLTIME_NO_HI);
	ea_walltime_free(w);
	ea_walltime_free(NULL);
	ea_walltime_at(NULL, 1, &e);
	assert_false(e.known);
}

/* Bounds at the ends of int64 (a public caller, or a far-away log line beside a far-future
 * mtime): the knots, the interpolation and the error stay defined and inside the bounds. */
static void test_walltime__extreme_bounds(void **state)
{
	(void)state;
	const ea_walltime_anchor a[] = {
		{ 10, INT64_MIN + 1, INT64_MAX - 1, EA_WALLTIME_ETCD_LOG },
		{ 20, -62135596800LL * S, INT64_MAX - 1, EA_WALLTIME_ETCD_LOG },
	};
	ea_walltime *w = mk(a, 2);
	ea_walltime_est e;
	for (uint64_t i = 10; i <= 20; i++) {
		ea_walltime_at(w, i, &e);
		assert_true(e.known);
		assert_true(e.time_us >= e.lo_us && e.time_us <= e.hi_us);
		assert_true(e.error_s > 0);
	}
	ea_walltime_free(w);
}

static void test_walltime__stale_upper_dropped(void **state)
{
	(void)state;
	/* index 30 carries a timestamp older than index 20's: as an upper bound it would put
	 * index 25 before index 20; it is a stale value, its upper bound is dropped */
	const ea_walltime_anchor a[] = {
		{ 20, 110 * S, 110 * S + S, EA_WALLTIME_LEASE_RENEW },
		{ 30, 50 * S, 51 * S, EA_WALLTIME_MANAGED_FIELDS },
		{ 40, 120 * S, 121 * S, EA_WALLTIME_LEASE_RENEW },
	};
	ea_walltime *w = mk(a, 3);
	ea_walltime_est e;
	ea_walltime_at(w, 30, &e);
	assert_true(e.known);
	assert_int_equal(e.source, EA_WALLTIME_INTERPOLATED);   /* no own point any more */
	assert_int_equal(e.lo_us, 110 * S);
	assert_int_equal(e.hi_us, 121 * S);
	ea_walltime_at(w, 25, &e);
	assert_true(e.known && e.time_us >= 110 * S && e.time_us <= 121 * S);
	ea_walltime_free(w);
}

static void test_walltime__lower_and_upper_only(void **state)
{
	(void)state;
	/* a request ID start (lower only) and a segment mtime (upper only), added out of order */
	const ea_walltime_anchor a[] = {
		{ 100, EA_WALLTIME_NO_LO, 200 * S, EA_WALLTIME_SEGMENT_MTIME },
		{ 5, 100 * S, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID },
		{ 7, EA_WALLTIME_NO_LO, EA_WALLTIME_NO_HI, EA_WALLTIME_EVENT },   /* no bound: ignored */
	};
	ea_walltime *w = mk(a, 3);
	assert_int_equal(ea_walltime_count(w), 2);
	ea_walltime_est e;
	ea_walltime_at(w, 50, &e);
	assert_true(e.known);
	assert_true(e.time_us >= 100 * S && e.time_us <= 200 * S);
	assert_true(e.error_s >= 50.0 && e.error_s <= 100.0);
	ea_walltime_at(w, 4, &e);
	assert_false(e.known);
	ea_walltime_free(w);
}

static void test_walltime__merge_same_index(void **state)
{
	(void)state;
	const ea_walltime_anchor a[] = {
		{ 9, 100 * S, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID },
		{ 9, 101 * S, 102 * S, EA_WALLTIME_CREATED },
		{ 9, 90 * S, 103 * S, EA_WALLTIME_EVENT },
	};
	ea_walltime *w = mk(a, 3);
	assert_int_equal(ea_walltime_count(w), 1);
	ea_walltime_est e;
	ea_walltime_at(w, 9, &e);
	assert_true(e.known);
	assert_int_equal(e.lo_us, 101 * S);
	assert_int_equal(e.hi_us, 102 * S);
	assert_int_equal(e.source, EA_WALLTIME_CREATED);
	ea_walltime_free(w);
}

/* pseudo-random anchors from a fixed seed: estimates never decrease and stay in their bounds */
static void test_walltime__monotone(void **state)
{
	(void)state;
	ea_walltime *w;
	assert_int_equal(ea_walltime_new(&w), EA_OK);
	uint32_t x = 12345;
	int64_t t = 1000 * S;
	for (uint64_t i = 1; i <= 5000; i += 1 + (x % 7)) {
		x = x * 1103515245u + 12345u;
		t += (int64_t)(x % 2000000);
		int64_t jitter = (int64_t)((x >> 8) % 3000000) - 1500000;   /* some anchors stale, some skewed */
		ea_walltime_anchor a = { i, t + jitter, t + jitter + (int64_t)(x % 500000) + 1, (ea_walltime_source)(1 + x % 4) };
		assert_int_equal(ea_walltime_add(w, &a), EA_OK);
	}
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	int64_t prev = INT64_MIN;
	size_t known = 0;
	for (uint64_t i = 0; i <= 5100; i++) {
		ea_walltime_est e;
		ea_walltime_at(w, i, &e);
		if (!e.known) continue;
		known++;
		assert_true(e.time_us >= prev);
		assert_true(e.time_us >= e.lo_us && e.time_us <= e.hi_us);
		assert_true(e.error_s * 1e6 + 1 >= (double)(e.hi_us - e.time_us));
		assert_true(e.error_s * 1e6 + 1 >= (double)(e.time_us - e.lo_us));
		prev = e.time_us;
	}
	assert_true(known > 4000);
	ea_walltime_free(w);
}

static void test_walltime__text(void **state)
{
	(void)state;
	int64_t us;
	char b[40];
	assert_int_equal(ea_walltime_parse("2026-12-05T07:08:18.123456Z", &us), 0);
	assert_int_equal(us, 1796454498LL * S + 123456);
	ea_walltime_format(us, b, sizeof b);
	assert_string_equal(b, "2026-12-05T07:08:18.123Z");
	assert_int_equal(ea_walltime_parse("2026-12-05T07:08:18", &us), 0);   /* no zone: UTC */
	assert_int_equal(us, 1796454498LL * S);
	assert_int_equal(ea_walltime_parse("2026-12-05T08:08:18+01:00", &us), 0);
	assert_int_equal(us, 1796454498LL * S);
	assert_int_equal(ea_walltime_parse("2026-12-05T07:08:18.5Z", &us), 0);
	assert_int_equal(us, 1796454498LL * S + S / 2);
	assert_int_equal(ea_walltime_parse("yesterday", &us), -1);
	assert_int_equal(ea_walltime_parse("2026-12-05", &us), -1);
	assert_int_equal(ea_walltime_parse("2026-13-05T07:08:18Z", &us), -1);
	assert_string_equal(ea_walltime_source_name(EA_WALLTIME_LEASE_RENEW), "k8s-lease-renew");
	assert_null(ea_walltime_source_name(EA_WALLTIME_NONE));
}

/* "k8s\0" + Unknown{TypeMeta{coordination.k8s.io/v1, Lease}, raw = Lease{metadata, spec{renewTime}}} */
static size_t lease_value(uint8_t *out, size_t cap, int64_t created, int64_t renew_s, int32_t renew_ns)
{
	K8s__Time ct = K8S__TIME__INIT;
	ct.has_seconds = 1;
	ct.seconds = created;
	K8s__ObjectMeta m = K8S__OBJECT_META__INIT;
	m.has_name = 1;
	m.name = (ProtobufCBinaryData){ 6, (uint8_t *)"node-a" };
	m.creationtimestamp = &ct;
	K8s__MicroTime rt = K8S__MICRO_TIME__INIT;
	rt.has_seconds = rt.has_nanos = 1;
	rt.seconds = renew_s;
	rt.nanos = renew_ns;
	K8s__LeaseSpec sp = K8S__LEASE_SPEC__INIT;
	sp.renewtime = &rt;
	K8s__Lease l = K8S__LEASE__INIT;
	l.metadata = &m;
	l.spec = &sp;
	uint8_t raw[512];
	assert_true(k8s__lease__get_packed_size(&l) <= sizeof raw);
	size_t rl = k8s__lease__pack(&l, raw);
	K8s__TypeMeta tm = K8S__TYPE_META__INIT;
	tm.has_apiversion = tm.has_kind = 1;
	tm.apiversion = (ProtobufCBinaryData){ 22, (uint8_t *)"coordination.k8s.io/v1" };
	tm.kind = (ProtobufCBinaryData){ 5, (uint8_t *)"Lease" };
	K8s__Unknown u = K8S__UNKNOWN__INIT;
	u.typemeta = &tm;
	u.has_raw = 1;
	u.raw = (ProtobufCBinaryData){ rl, raw };
	assert_true(k8s__unknown__get_packed_size(&u) + 4 <= cap);
	memcpy(out, "k8s\0", 4);
	return 4 + k8s__unknown__pack(&u, out + 4);
}

static int anchor(ea_k8s *k, const char *key, const uint8_t *v, size_t n, const char *op, ea_walltime_anchor *a)
{
	ea_entry_info info;
	memset(&info, 0, sizeof info);
	info.key = (const uint8_t *)key;
	info.key_len = strlen(key);
	info.value = v;
	info.value_len = n;
	return ea_walltime_k8s_anchor(k, &info, op, 77, a);
}

static void test_walltime__k8s_anchors(void **state)
{
	(void)state;
	ea_k8s *k;
	assert_int_equal(ea_k8s_new(&k, NULL), EA_OK);
	ea_walltime_anchor a;
	uint8_t v[1024];
	size_t n = lease_value(v, sizeof v, 1796454000, 1796454498, 123456789);
	assert_int_equal(anchor(k, "/registry/leases/kube-node-lease/node-a", v, n, "update", &a), 1);
	assert_int_equal(a.index, 77);
	assert_int_equal(a.source, EA_WALLTIME_LEASE_RENEW);
	assert_int_equal(a.lo_us, 1796454498LL * S + 123456);          /* microseconds kept */
	assert_int_equal(a.hi_us, a.lo_us + 1 + EA_WALLTIME_LAG_US);
	/* not under the prefix, or a cut value: no anchor, no crash */
	assert_int_equal(anchor(k, "/other/leases/x/y", v, n, "update", &a), 0);
	for (size_t cut = 0; cut < n; cut++) {
		int r = anchor(k, "/registry/leases/kube-node-lease/node-a", v, cut, "update", &a);
		assert_true(r == 0 || (a.lo_us > 0 && a.lo_us <= 1796454498LL * S + 123456));
	}

	/* JSON Event: the newest of its times; seconds precision */
	const char *ev = "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"p.1\",\"namespace\":\"payments\","
	                 "\"creationTimestamp\":\"2026-12-05T07:00:00Z\"},\"firstTimestamp\":\"2026-12-05T07:00:00Z\","
	                 "\"lastTimestamp\":\"2026-12-05T07:08:18Z\",\"count\":4}";
	assert_int_equal(anchor(k, "/registry/events/payments/p.1", (const uint8_t *)ev, strlen(ev), "update", &a), 1);
	assert_int_equal(a.source, EA_WALLTIME_EVENT);
	assert_int_equal(a.lo_us, 1796454498LL * S);
	assert_int_equal(a.hi_us, 1796454498LL * S + S + EA_WALLTIME_LAG_US);

	/* an object's creationTimestamp dates a create only; on an update it is a lower bound */
	const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"d\","
	                 "\"creationTimestamp\":\"2026-12-05T07:08:18Z\"}}";
	assert_int_equal(anchor(k, "/registry/configmaps/d/c", (const uint8_t *)cm, strlen(cm), "create", &a), 1);
	assert_int_equal(a.source, EA_WALLTIME_CREATED);
	assert_int_equal(a.hi_us, 1796454498LL * S + S + EA_WALLTIME_LAG_US);
	assert_int_equal(anchor(k, "/registry/configmaps/d/c", (const uint8_t *)cm, strlen(cm), "update", &a), 1);
	assert_int_equal(a.lo_us, 1796454498LL * S);
	assert_int_equal(a.hi_us, EA_WALLTIME_NO_HI);

	/* managedFields: the newest entry's time */
	const char *mf = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"d\","
	                 "\"creationTimestamp\":\"2026-12-05T07:00:00Z\",\"managedFields\":[{\"manager\":\"a\",\"time\":"
	                 "\"2026-12-05T07:05:00Z\"},{\"manager\":\"kubelet\",\"time\":\"2026-12-05T07:08:18Z\"}]}}";
	assert_int_equal(anchor(k, "/registry/pods/d/p", (const uint8_t *)mf, strlen(mf), "update", &a), 1);
	assert_int_equal(a.source, EA_WALLTIME_MANAGED_FIELDS);
	assert_int_equal(a.lo_us, 1796454498LL * S);
	/* no time at all, garbage, no value */
	assert_int_equal(anchor(k, "/registry/pods/d/p", (const uint8_t *)"{}", 2, "update", &a), 0);
	assert_int_equal(anchor(k, "/registry/pods/d/p", (const uint8_t *)"k8s\0\xff\xff", 6, "update", &a), 0);
	assert_int_equal(anchor(k, "/registry/pods/d/p", NULL, 0, "delete", &a), 0);
	ea_k8s_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walltime__interpolation),
		cmocka_unit_test(test_walltime__extreme_bounds),
		cmocka_unit_test(test_walltime__stale_upper_dropped),
		cmocka_unit_test(test_walltime__lower_and_upper_only),
		cmocka_unit_test(test_walltime__merge_same_index),
		cmocka_unit_test(test_walltime__monotone),
		cmocka_unit_test(test_walltime__text),
		cmocka_unit_test(test_walltime__k8s_anchors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
