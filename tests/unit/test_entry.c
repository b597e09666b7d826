/* test_entry.c: entry payload decoding (docs/formats.md §5): byte examples taken from real etcd
 * 3.4.23 WAL records in docs/formats.md, payloads packed with the generated protobuf-c code, and
 * the strict InternalRaftRequest-then-v2 decision. */
#include "test.h"

#include "etcdserverpb.pb-c.h"
#include "raftpb.pb-c.h"

#include <stdlib.h>
#include <string.h>

static ea_entry_decoder *dec;

static int setup(void **state)
{
	(void)state;
	return ea_entry_decoder_new(&dec);
}

static int teardown(void **state)
{
	(void)state;
	ea_entry_decoder_free(dec);
	return 0;
}

static ea_entry_info decode(int type, const void *data, size_t len)
{
	ea_entry_header e = { type, 2, 10, data, len };
	ea_entry_info o;
	assert_int_equal(ea_entry_decode(dec, &e, 0, &o), 0);
	return o;
}

static void test_entry__empty_is_leader_noop(void **state)
{
	(void)state;
	ea_entry_info o = decode(0, NULL, 0);
	assert_string_equal(o.kind, "empty");
	assert_null(o.key);
	assert_int_equal(o.request_id, 0);
}

/* docs/formats.md §5.3, a txn seen in a real WAL: compare foo==bar2, success {put foo=bar3, put
 * txnkey=t1}, failure {put foo=nope}. */
static void test_entry__real_txn_bytes(void **state)
{
	(void)state;
	static const uint8_t txn[] = {
		0x32, 0x3d,
		0x0a, 0x0d, 0x10, 0x03, 0x1a, 0x03, 'f', 'o', 'o', 0x3a, 0x04, 'b', 'a', 'r', '2',
		0x12, 0x0d, 0x12, 0x0b, 0x0a, 0x03, 'f', 'o', 'o', 0x12, 0x04, 'b', 'a', 'r', '3',
		0x12, 0x0e, 0x12, 0x0c, 0x0a, 0x06, 't', 'x', 'n', 'k', 'e', 'y', 0x12, 0x02, 't', '1',
		0x1a, 0x0d, 0x12, 0x0b, 0x0a, 0x03, 'f', 'o', 'o', 0x12, 0x04, 'n', 'o', 'p', 'e',
		0xa2, 0x06, 0x02, 0x08, 0x07 };
	ea_entry_info o = decode(0, txn, sizeof txn);
	assert_string_equal(o.kind, "txn");
	assert_int_equal(o.key_len, 3);
	assert_memory_equal(o.key, "foo", 3);
	assert_int_equal(o.ops, 3);
	assert_int_equal(o.request_id, 7);
}

/* docs/formats.md §5.4: the v2 member-attribute publish etcd 3.4 proposes as a raw Request. */
static void test_entry__raw_v2_publish(void **state)
{
	(void)state;
	uint8_t b[256];
	size_t n = 0;
	const char *path = "/0/members/bdae9bbc11dd390d/attributes";
	const char *val = "{\"name\":\"default\",\"clientURLs\":[\"http://127.0.0.1:23791\"]}";
	b[n++] = 0x08; n += pb_put_varint(b + n, 0x1234000000000001ull);
	b[n++] = 0x12; b[n++] = 3; memcpy(b + n, "PUT", 3); n += 3;
	b[n++] = 0x1a; b[n++] = (uint8_t)strlen(path); memcpy(b + n, path, strlen(path)); n += strlen(path);
	b[n++] = 0x22; b[n++] = (uint8_t)strlen(val); memcpy(b + n, val, strlen(val)); n += strlen(val);
	static const uint8_t tail[] = { 0x28, 0, 0x32, 0, 0x38, 0, 0x48, 0, 0x50, 0, 0x58, 0, 0x60, 0,
	                                0x68, 0, 0x70, 0, 0x78, 0, 0x80, 0x01, 0 };
	memcpy(b + n, tail, sizeof tail);
	n += sizeof tail;
	ea_entry_info o = decode(0, b, n);
	assert_string_equal(o.kind, "v2:PUT");
	assert_int_equal(o.key_len, strlen(path));
	assert_memory_equal(o.key, path, strlen(path));
	assert_int_equal(o.request_id, 0x1234000000000001ull);
	assert_int_equal(o.proposer_low16, 0x1234);
}

static size_t pack_irr(Etcdserverpb__InternalRaftRequest *r, uint8_t **out)
{
	size_t n = etcdserverpb__internal_raft_request__get_packed_size(r);
	*out = malloc(n ? n : 1);
	etcdserverpb__internal_raft_request__pack(r, *out);
	return n;
}

static void test_entry__put_with_header_id(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__RequestHeader h = ETCDSERVERPB__REQUEST_HEADER__INIT;
	Etcdserverpb__PutRequest p = ETCDSERVERPB__PUT_REQUEST__INIT;
	p.has_key = 1; p.key.data = (uint8_t *)"/registry/pods/a"; p.key.len = 16;
	p.has_value = 1; p.value.data = (uint8_t *)"xyz"; p.value.len = 3;
	/* member 0x...c2 low16 = 0x1ac2, started 2026-11-27T05:00:00Z, counter 5 */
	uint64_t ms = 1795755600000ull;
	h.has_id = 1; h.id = (0x1ac2ull << 48) | ((ms & ((1ull << 40) - 1)) << 8) | 5;
	r.header = &h;
	r.put = &p;
	uint8_t *b;
	size_t n = pack_irr(&r, &b);
	ea_entry_info o = decode(0, b, n);
	assert_string_equal(o.kind, "put");
	assert_memory_equal(o.key, "/registry/pods/a", 16);
	assert_int_equal(o.request_id, h.id);
	assert_int_equal(o.proposer_low16, 0x1ac2);
	/* the 40-bit timestamp wraps every ~34.8 years; unwrapped against a reference time */
	assert_int_equal(ea_reqid_started_ms(h.id, (int64_t)ms + 3600000), (int64_t)ms);
	free(b);
}

static void test_entry__password_never_in_output(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__AuthUserAddRequest u = ETCDSERVERPB__AUTH_USER_ADD_REQUEST__INIT;
	u.name = "root";
	u.password = "hunter2-secret";
	r.auth_user_add = &u;
	uint8_t *b;
	size_t n = pack_irr(&r, &b);
	ea_entry_info o = decode(0, b, n);
	assert_string_equal(o.kind, "auth_user_add");
	assert_null(strstr(o.detail, "hunter2"));
	assert_non_null(strstr(o.detail, "root"));
	free(b);

	Etcdserverpb__InternalRaftRequest r2 = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__InternalAuthenticateRequest a = ETCDSERVERPB__INTERNAL_AUTHENTICATE_REQUEST__INIT;
	a.name = "root";
	a.password = "hunter2-secret";
	r2.authenticate = &a;
	n = pack_irr(&r2, &b);
	o = decode(0, b, n);
	assert_string_equal(o.kind, "authenticate");
	assert_null(strstr(o.detail, "hunter2"));
	free(b);
}

static void test_entry__compaction_and_lease(void **state)
{
	(void)state;
	/* docs/formats.md §8.1: the last entry of the lab WAL, compaction{revision 5} */
	static const uint8_t comp[] = { 0x3a, 0x02, 0x08, 0x05, 0xa2, 0x06, 0x02, 0x08, 0x09 };
	ea_entry_info o = decode(0, comp, sizeof comp);
	assert_string_equal(o.kind, "compaction");
	assert_string_equal(o.detail, "revision=5");
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__LeaseGrantRequest g = ETCDSERVERPB__LEASE_GRANT_REQUEST__INIT;
	g.has_ttl = 1; g.ttl = 600; g.has_id = 1; g.id = 0x390da21a21dd8407;
	r.lease_grant = &g;
	uint8_t *b;
	size_t n = pack_irr(&r, &b);
	o = decode(0, b, n);
	assert_string_equal(o.kind, "lease_grant");
	assert_string_equal(o.detail, "lease=390da21a21dd8407 ttl=600");
	free(b);
}

static void test_entry__confchange(void **state)
{
	(void)state;
	Raftpb__ConfChange cc = RAFTPB__CONF_CHANGE__INIT;
	const char *ctx = "{\"id\":12345,\"peerURLs\":[\"http://127.0.0.1:2380\"],\"isLearner\":true}";
	cc.has_type = 1; cc.type = RAFTPB__CONF_CHANGE_TYPE__ConfChangeAddLearnerNode;
	cc.has_nodeid = 1; cc.nodeid = 12345;
	cc.has_context = 1; cc.context.data = (uint8_t *)ctx; cc.context.len = strlen(ctx);
	uint8_t b[256];
	size_t n = raftpb__conf_change__pack(&cc, b);
	ea_entry_info o = decode(1, b, n);
	assert_string_equal(o.kind, "confchange:add_learner");
	assert_int_equal(o.cc_node_id, 12345);
	assert_string_equal(o.cc_context, ctx);
	cc.type = RAFTPB__CONF_CHANGE_TYPE__ConfChangeRemoveNode;
	cc.has_context = 0;
	n = raftpb__conf_change__pack(&cc, b);
	o = decode(1, b, n);
	assert_string_equal(o.kind, "confchange:remove");
}

static void test_entry__garbage_is_unknown_not_crash(void **state)
{
	(void)state;
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	ea_entry_info o = decode(0, junk, sizeof junk);
	assert_string_equal(o.kind, "unknown");
	assert_false(o.decode_ok);
	o = decode(1, junk, sizeof junk);
	assert_false(o.decode_ok);
	o = decode(7, junk, sizeof junk);
	assert_string_equal(o.kind, "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry__empty_is_leader_noop),
		cmocka_unit_test(test_entry__real_txn_bytes),
		cmocka_unit_test(test_entry__raw_v2_publish),
		cmocka_unit_test(test_entry__put_with_header_id),
		cmocka_unit_test(test_entry__password_never_in_output),
		cmocka_unit_test(test_entry__compaction_and_lease),
		cmocka_unit_test(test_entry__confchange),
		cmocka_unit_test(test_entry__garbage_is_unknown_not_crash),
	};
	return cmocka_run_group_tests_name("entry", tests, setup, teardown);
}
