/* test_version_facts.c: the minimum etcd version of WAL entries (etcd 3.6's MinimalEtcdVersion),
 * ReadAll's overwrite and snapshot rules around it, the v2 requests etcd 3.6 replays or refuses,
 * the v2 store content rule and the two verdicts.
 *
 * ENCODED FROM THE .proto DEFINITIONS, NOT REAL DATA: every entry below is packed with the
 * protobuf-c code generated from the formats/ .proto files (which follow etcd's raft_internal.proto,
 * rpc.proto, membership.proto, raftpb). The expected versions are etcd's annotations, read
 * from etcd v3.6.14's .proto files (the file each comes from is in src/semantic/version.c);
 * DowngradeVersionTest (9900) is a 3.6-only field. The real 3.4/3.5 data is tested by
 * tests/cli/test_version_facts.sh. */
#include "test.h"
#include "etcdserverpb.pb-c.h"
#include "membershippb.pb-c.h"
#include "raftpb.pb-c.h"
#include "etcd-autopsy/version.h"
#include "semantic/v2store_check.h"
#include "util/arena.h"
#include <stdio.h>
#include <string.h>

static ea_wal_versions *vv;
static uint8_t pbuf[4096];

static int setup(void **state) { (void)state; return ea_wal_versions_new(&vv); }
static int teardown(void **state) { (void)state; ea_wal_versions_free(vv); return 0; }

static size_t pack(const Etcdserverpb__InternalRaftRequest *r)
{
	size_t n = etcdserverpb__internal_raft_request__get_packed_size(r);
	assert_true(n <= sizeof pbuf);
	return etcdserverpb__internal_raft_request__pack(r, pbuf);
}

static ea_entry_version visit(int type, const void *data, size_t len)
{
	ea_entry_header e = { type, 2, 10, data, len };
	ea_entry_version o;
	ea_entry_min_version(vv, &e, &o);
	return o;
}

static void expect(ea_entry_version o, int minor, int patch, const char *what)
{
	assert_true(o.has_version && !o.fails);
	assert_int_equal(o.major, 3);
	assert_int_equal(o.minor, minor);
	assert_int_equal(o.patch, patch);
	assert_string_equal(o.what, what);
}

static void test_entry_versions(void **state)
{
	(void)state;
	/* a new leader's empty entry is an empty InternalRaftRequest: its message is 3.0 */
	expect(visit(0, NULL, 0), 0, 0, "etcdserverpb.InternalRaftRequest");
	Etcdserverpb__InternalRaftRequest r;
	Etcdserverpb__PutRequest put;
	etcdserverpb__internal_raft_request__init(&r);
	etcdserverpb__put_request__init(&put);
	r.put = &put;
	expect(visit(0, pbuf, pack(&r)), 0, 0, "etcdserverpb.InternalRaftRequest");
	put.has_prev_kv = 1; put.prev_kv = 1;
	expect(visit(0, pbuf, pack(&r)), 1, 0, "etcdserverpb.PutRequest.prev_kv");
	put.has_ignore_lease = 1; put.ignore_lease = 1;
	expect(visit(0, pbuf, pack(&r)), 2, 0, "etcdserverpb.PutRequest.ignore_lease");
	put.has_prev_kv = 0; put.prev_kv = 0; put.has_ignore_lease = 0; put.ignore_lease = 0;
	/* a field set to its zero value is not "set" for protoreflect (proto3) */
	put.has_ignore_value = 1; put.ignore_value = 0;
	expect(visit(0, pbuf, pack(&r)), 0, 0, "etcdserverpb.InternalRaftRequest");
	r.put = NULL;

	Etcdserverpb__LeaseCheckpointRequest lc;
	etcdserverpb__lease_checkpoint_request__init(&lc);
	r.lease_checkpoint = &lc;
	expect(visit(0, pbuf, pack(&r)), 4, 0, "etcdserverpb.InternalRaftRequest.lease_checkpoint");
	r.lease_checkpoint = NULL;

	Membershippb__ClusterVersionSetRequest cv;
	membershippb__cluster_version_set_request__init(&cv);
	cv.ver = "3.5.0";
	r.cluster_version_set = &cv;
	expect(visit(0, pbuf, pack(&r)), 5, 0, "etcdserverpb.InternalRaftRequest.cluster_version_set");
	r.cluster_version_set = NULL;

	Etcdserverpb__AlarmRequest al;
	etcdserverpb__alarm_request__init(&al);
	al.has_alarm = 1; al.alarm = 2;   /* CORRUPT: etcd_version_enum_value 3.3 */
	r.alarm = &al;
	expect(visit(0, pbuf, pack(&r)), 3, 0, "etcdserverpb.AlarmType.CORRUPT");
	al.alarm = 7;                     /* outside AlarmType: visitEnumNumber errors, etcd panics */
	ea_entry_version o = visit(0, pbuf, pack(&r));
	assert_true(o.fails);
	assert_non_null(strstr(o.fail_why, "AlarmType"));
	r.alarm = NULL;
}

static void test_v36_only_field(void **state)
{
	(void)state;
	/* 3.6-only: DowngradeVersionTest (field 9900, etcd_version_field "3.6"); its ver counts too */
	Etcdserverpb__InternalRaftRequest r;
	Etcdserverpb__DowngradeVersionTestRequest dv;
	etcdserverpb__internal_raft_request__init(&r);
	etcdserverpb__downgrade_version_test_request__init(&dv);
	dv.ver = "3.6.0";
	r.downgrade_version_test = &dv;
	expect(visit(0, pbuf, pack(&r)), 6, 0, "etcdserverpb.InternalRaftRequest.downgrade_version_test");
	dv.ver = "3.7.2";
	expect(visit(0, pbuf, pack(&r)), 7, 2, "etcdserverpb.DowngradeVersionTestRequest.ver (its value)");
	dv.ver = "x";
	assert_true(visit(0, pbuf, pack(&r)).fails);
}

static void test_conf_changes_and_unknown(void **state)
{
	(void)state;
	Raftpb__ConfChange cc;
	raftpb__conf_change__init(&cc);
	cc.has_nodeid = 1; cc.nodeid = 5;
	size_t n = raftpb__conf_change__pack(&cc, pbuf);
	expect(visit(1, pbuf, n), 0, 0, "raftpb.ConfChange");
	Raftpb__ConfChangeV2 c2;
	raftpb__conf_change_v2__init(&c2);
	n = raftpb__conf_change_v2__pack(&c2, pbuf);
	expect(visit(2, pbuf, n), 4, 0, "raftpb.ConfChangeV2");
	/* an undecodable conf change counts nothing (version.go returns nil for it) */
	ea_entry_version o = visit(1, "\x0a\xff", 2);
	assert_true(!o.has_version && !o.fails);
	assert_true(visit(3, NULL, 0).fails);           /* EntryType 3: not in raftpb */
	assert_true(visit(0, "\xff", 1).fails);         /* neither InternalRaftRequest nor Request */
}

static size_t v2req(const char *method, const char *path)
{
	Etcdserverpb__Request q;
	etcdserverpb__request__init(&q);
	q.has_id = 1; q.id = 7;
	q.method = (char *)method;
	q.path = (char *)path;
	q.val = "{}";
	return etcdserverpb__request__pack(&q, pbuf);
}

static void test_v2_requests(void **state)
{
	(void)state;
	/* raw v2 Requests: no annotation (etcdserver.proto has none); 3.6 replays only these two */
	ea_entry_version o = visit(0, pbuf, v2req("PUT", "/0/members/8e9e05c52164694d/attributes"));
	assert_true(!o.has_version && !o.fails && o.v2 == 1);
	assert_int_equal(visit(0, pbuf, v2req("PUT", "/0/version")).v2, 1);
	assert_int_equal(visit(0, pbuf, v2req("PUT", "/1/foo")).v2, 2);
	assert_int_equal(visit(0, pbuf, v2req("PUT", "/0/members/xyz/attributes")).v2, 2);
	assert_int_equal(visit(0, pbuf, v2req("DELETE", "/0/version")).v2, 2);
	assert_int_equal(visit(0, pbuf, v2req("SYNC", "")).v2, 2);
}

static ea_entry_header ent(uint64_t index, const void *d, size_t n)
{
	return (ea_entry_header){ 0, 2, index, d, n };
}

static void test_readall_semantics(void **state)
{
	(void)state;
	ea_wal_versions *w;
	assert_int_equal(ea_wal_versions_new(&w), 0);
	Etcdserverpb__InternalRaftRequest r;
	Membershippb__ClusterVersionSetRequest cv;
	etcdserverpb__internal_raft_request__init(&r);
	membershippb__cluster_version_set_request__init(&cv);
	cv.ver = "3.5.0";
	r.cluster_version_set = &cv;
	uint8_t b35[64];
	size_t n35 = etcdserverpb__internal_raft_request__pack(&r, b35);
	for (uint64_t i = 1; i <= 5; i++) {
		ea_entry_header e = i == 4 ? ent(i, b35, n35) : ent(i, NULL, 0);
		assert_int_equal(ea_wal_versions_add(w, &e), 0);
	}
	ea_wal_version_result res;
	ea_wal_versions_result(w, 0, &res);
	assert_string_equal(res.version, "3.5.0");
	assert_int_equal(res.index, 4);
	assert_int_equal(res.entries, 5);
	ea_wal_versions_result(w, 4, &res);      /* entries after a .snap at 4 only */
	assert_string_equal(res.version, "3.0.0");
	assert_int_equal(res.entries, 1);
	/* a new term overwrites from index 3: the 3.5 entry is gone as ReadAll drops it */
	ea_entry_header e = ent(3, NULL, 0);
	assert_int_equal(ea_wal_versions_add(w, &e), 0);
	ea_wal_versions_result(w, 0, &res);
	assert_string_equal(res.version, "3.0.0");
	assert_int_equal(res.entries, 3);
	/* a gap (index 9 after 3): ErrSliceOutOfRange unless the snapshot is at 8 or later */
	e = ent(9, NULL, 0);
	assert_int_equal(ea_wal_versions_add(w, &e), 0);
	ea_wal_versions_result(w, 0, &res);
	assert_true(res.read_fails);
	ea_wal_versions_result(w, 8, &res);
	assert_true(!res.read_fails && res.entries == 1);
	ea_wal_versions_free(w);
}

static int custom(const char *js, char *key)
{
	ea_arena a;
	ea_arena_init(&a, 1u << 20);
	const ea_jv *root = ea_jsonp_parse(&a, js, strlen(js));
	assert_non_null(root);
	int c = ea__v2store_custom(root, key, 16);
	ea_arena_free(&a);
	return c;
}

static void test_v2store_content(void **state)
{
	(void)state;
	char k[16] = "";
	/* the store etcd 3.5 saves: /0 membership, empty /1 */
	assert_false(custom("{\"Root\":{\"Children\":{\"0\":{\"Children\":{\"members\":{\"Children\":{}}}},"
	                    "\"1\":{\"Children\":{}}}}}", k));
	assert_true(custom("{\"Root\":{\"Children\":{\"0\":{},\"1\":{\"Children\":{\"foo\":{\"Children\":null}}}}}}", k));
	assert_string_equal(k, "/1");
	/* v2 auth left empty users/roles dirs: not custom (3.6.14's rule); a user in it is */
	assert_false(custom("{\"Root\":{\"Children\":{\"2\":{\"Children\":{\"enabled\":{\"Children\":null},"
	                    "\"users\":{\"Children\":{}},\"roles\":{\"Children\":{}}}}}}}", k));
	assert_true(custom("{\"Root\":{\"Children\":{\"2\":{\"Children\":{\"users\":{\"Children\":{\"alice\":{}}}}}}}}", k));
	assert_string_equal(k, "/2");
	/* hidden names are not listed by v2store's Get */
	assert_false(custom("{\"Root\":{\"Children\":{\"_x\":{\"Children\":{\"a\":{}}},\"1\":{\"Children\":{\"_h\":{}}}}}}", k));
}

static void assess(const char *schema_version, int minor, const char *wal_version, int64_t wminor, int64_t wpatch,
                   ea_upgrade_facts *u)
{
	ea_mvcc_info db;
	memset(&db, 0, sizeof db);
	db.schema.ok = 1;
	db.schema.major = 3; db.schema.minor = minor;
	snprintf(db.schema.version, sizeof db.schema.version, "%s", schema_version);
	ea_wal_version_result w;
	memset(&w, 0, sizeof w);
	w.has_version = wal_version != NULL;
	w.major = 3; w.minor = wminor; w.patch = wpatch;
	snprintf(w.version, sizeof w.version, "%s", wal_version ? wal_version : "");
	w.index = 12;
	w.what = "x";
	ea_upgrade_assess(&db, NULL, 1, &w, u);
}

static void test_verdicts(void **state)
{
	(void)state;
	ea_upgrade_facts u;
	/* etcdutl migrate --target-version 3.5 on a 3.6 schema: refused iff the WAL needs > 3.5.0 */
	assess("3.6.0", 6, "3.6.0", 6, 0, &u);
	assert_int_equal(u.downgrade, 0);
	assert_string_equal(u.downgrade_target, "3.5");
	assert_non_null(strstr(u.downgrade_why[1], "WAL contains newer entries"));
	assess("3.6.0", 6, "3.5.1", 5, 1, &u);
	assert_int_equal(u.downgrade, 0);                  /* 3.5.0 < 3.5.1 */
	assess("3.6.0", 6, "3.5.0", 5, 0, &u);
	assert_int_equal(u.downgrade, 1);
	assess("3.6.0", 6, NULL, 0, 0, &u);
	assert_int_equal(u.downgrade, 1);
	assess("3.5.0", 5, "3.5.0", 5, 0, &u);             /* 3.5 -> 3.4: below etcdutl's minimum */
	assert_int_equal(u.downgrade, 0);
	assert_non_null(strstr(u.downgrade_why[0], "Minimal \"3.5\""));
	assert_int_equal(u.ready36, 1);
	assess("3.7.0", 7, "3.6.0", 6, 0, &u);             /* 3.7 -> 3.6 with 3.7's etcdutl */
	assert_int_equal(u.downgrade, 1);
	assert_int_equal(u.ready36, 0);                    /* 3.6 has no plan down from 3.7 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_versions),
		cmocka_unit_test(test_v36_only_field),
		cmocka_unit_test(test_conf_changes_and_unknown),
		cmocka_unit_test(test_v2_requests),
		cmocka_unit_test(test_readall_semantics),
		cmocka_unit_test(test_v2store_content),
		cmocka_unit_test(test_verdicts),
	};
	return cmocka_run_group_tests_name("version_facts", tests, setup, teardown);
}
