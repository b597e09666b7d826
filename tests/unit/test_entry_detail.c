/* test_entry_detail.c: the detail text of decoded requests (src/semantic/entry_detail.c) on
 * what the dump-logs fixture does not cover: real txn bytes (docs/formats.md §5.3), escaping,
 * bounds (many ops, nested txns, long v2 methods), negative SYNC times, etcd's names for
 * alarm values, and the undecodable-entry finding (committed only, never superseded). */
#include "test.h"

#include "etcdserverpb.pb-c.h"

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

static ea_entry_info decode(const void *data, size_t len)
{
	ea_entry_header e = { 0, 2, 10, data, len };
	ea_entry_info o;
	assert_int_equal(ea_entry_decode(dec, &e, 0, &o), 0);
	return o;
}

static uint8_t packed[1 << 16];

static ea_entry_info decode_irr(const Etcdserverpb__InternalRaftRequest *r)
{
	size_t n = etcdserverpb__internal_raft_request__get_packed_size(r);
	assert_true(n <= sizeof packed);
	etcdserverpb__internal_raft_request__pack(r, packed);
	return decode(packed, n);
}

static int printable(const char *s)
{
	for (; *s; s++) if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return 0;
	return 1;
}

/* docs/formats.md §5.3: compare value(foo)==bar2, success {put foo=bar3, put txnkey=t1},
 * failure {put foo=nope}; values are never shown, only their size. */
static void test_detail__real_txn(void **state)
{
	(void)state;
	static const uint8_t txn[] = {
		0x32, 0x3d,
		0x0a, 0x0d, 0x10, 0x03, 0x1a, 0x03, 'f', 'o', 'o', 0x3a, 0x04, 'b', 'a', 'r', '2',
		0x12, 0x0d, 0x12, 0x0b, 0x0a, 0x03, 'f', 'o', 'o', 0x12, 0x04, 'b', 'a', 'r', '3',
		0x12, 0x0e, 0x12, 0x0c, 0x0a, 0x06, 't', 'x', 'n', 'k', 'e', 'y', 0x12, 0x02, 't', '1',
		0x1a, 0x0d, 0x12, 0x0b, 0x0a, 0x03, 'f', 'o', 'o', 0x12, 0x04, 'n', 'o', 'p', 'e',
		0xa2, 0x06, 0x02, 0x08, 0x07 };
	ea_entry_info o = decode(txn, sizeof txn);
	assert_string_equal(o.kind, "txn");
	assert_string_equal(o.detail, "compare=[value(foo)=(4 bytes)] success=[put foo, put txnkey] failure=[put foo]");
}

static void test_detail__names_escaped(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__AuthUserRevokeRoleRequest u = ETCDSERVERPB__AUTH_USER_REVOKE_ROLE_REQUEST__INIT;
	u.name = "ev\x1b]0;pwned\x07il";
	u.role = "a\\b";
	r.auth_user_revoke_role = &u;
	ea_entry_info o = decode_irr(&r);
	assert_string_equal(o.kind, "auth_user_revoke_role");
	assert_string_equal(o.detail, "user=ev\\x1b]0;pwned\\x07il role=a\\\\b");
}

static void test_detail__bounded(void **state)
{
	(void)state;
	/* 20 puts in success, each with a 1000-byte key: 8 shown, keys cut, text bounded */
	static uint8_t key[1000];
	memset(key, 'k', sizeof key);
	Etcdserverpb__PutRequest put = ETCDSERVERPB__PUT_REQUEST__INIT;
	put.has_key = 1; put.key.data = key; put.key.len = sizeof key;
	Etcdserverpb__RequestOp op = ETCDSERVERPB__REQUEST_OP__INIT;
	op.request_put = &put;
	Etcdserverpb__RequestOp *ops[20];
	for (int i = 0; i < 20; i++) ops[i] = &op;
	Etcdserverpb__TxnRequest t = ETCDSERVERPB__TXN_REQUEST__INIT;
	t.n_success = 20; t.success = ops;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	r.txn = &t;
	ea_entry_info o = decode_irr(&r);
	assert_true(strlen(o.detail) < 800);
	assert_true(printable(o.detail));

	/* 4 ops: all shown, "+N more" only beyond 8 */
	t.n_success = 4;
	put.key.len = 3;
	o = decode_irr(&r);
	assert_string_equal(o.detail, "compare=[] success=[put kkk, put kkk, put kkk, put kkk] failure=[]");
	t.n_success = 10;
	o = decode_irr(&r);
	assert_non_null(strstr(o.detail, ", +2 more]"));

	/* txns nested 6 deep: shown to depth 3 */
	Etcdserverpb__TxnRequest nt[6];
	Etcdserverpb__RequestOp nop[6];
	Etcdserverpb__RequestOp *nopp[6];
	for (int i = 0; i < 6; i++) {
		nt[i] = (Etcdserverpb__TxnRequest)ETCDSERVERPB__TXN_REQUEST__INIT;
		nop[i] = (Etcdserverpb__RequestOp)ETCDSERVERPB__REQUEST_OP__INIT;
		nop[i].request_txn = &nt[i];
		nopp[i] = &nop[i];
		if (i) { nt[i - 1].n_failure = 1; nt[i - 1].failure = &nopp[i]; }
	}
	r.txn = &nt[0];
	o = decode_irr(&r);
	assert_non_null(strstr(o.detail, "txn{...}"));
}

static void test_detail__v2_kinds_and_time(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__Request v2 = ETCDSERVERPB__REQUEST__INIT;
	r.v2 = &v2;
	v2.method = "";
	ea_entry_info o = decode_irr(&r);
	assert_string_equal(o.kind, "v2:noop");
	assert_true(o.decode_ok);
	v2.method = "A\x1b[2JVERYLONGMETHODNAMETHATGOESONANDON";
	o = decode_irr(&r);
	assert_true(strlen(o.kind) <= 27);
	assert_true(printable(o.kind));
	assert_non_null(strstr(o.detail, "unknown method"));
	/* SYNC: Unix nanoseconds, before 1970 too */
	v2.method = "SYNC";
	v2.has_time = 1; v2.time = -1;
	o = decode_irr(&r);
	assert_string_equal(o.kind, "v2:SYNC");
	assert_string_equal(o.detail, "time=1969-12-31T23:59:59.999999999Z");
	v2.time = 1700000000123456789LL;
	o = decode_irr(&r);
	assert_string_equal(o.detail, "time=2023-11-14T22:13:20.123456789Z");
}

static void test_detail__alarm_and_put(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__AlarmRequest a = ETCDSERVERPB__ALARM_REQUEST__INIT;
	a.has_action = 1; a.action = 1; a.has_alarm = 1; a.alarm = 1; a.has_memberid = 1; a.memberid = 0xabc;
	r.alarm = &a;
	ea_entry_info o = decode_irr(&r);
	assert_string_equal(o.detail, "action=activate alarm=NOSPACE member=abc");
	a.action = -1; a.alarm = 9;
	o = decode_irr(&r);
	assert_string_equal(o.detail, "action=-1 alarm=9 member=abc");

	/* put through the fast path (key, value, lease, flags): what etcd applies */
	Etcdserverpb__InternalRaftRequest r2 = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__PutRequest p = ETCDSERVERPB__PUT_REQUEST__INIT;
	p.has_key = 1; p.key.data = (uint8_t *)"k"; p.key.len = 1;
	p.has_value = 1; p.value.data = (uint8_t *)"secret"; p.value.len = 6;
	p.has_lease = 1; p.lease = 0x1f;
	r2.put = &p;
	o = decode_irr(&r2);
	assert_string_equal(o.detail, "value_size=6 lease=1f");
	p.has_ignore_lease = 1; p.ignore_lease = 1;
	o = decode_irr(&r2);
	assert_string_equal(o.detail, "value_size=6 ignore_lease(key keeps its lease; proposed lease 1f not used)");
	p.has_lease = 0; p.has_prev_kv = 1; p.prev_kv = 1;
	o = decode_irr(&r2);
	assert_string_equal(o.detail, "value_size=6 ignore_lease(key keeps its lease) prev_kv");
}

/* RequestHeader.username (auth enabled): who asked, on the fast path (put, delete_range)
 * and the full decode alike; lease checkpoints list their leases. */
static void test_detail__by_user_and_checkpoints(void **state)
{
	(void)state;
	Etcdserverpb__RequestHeader h = ETCDSERVERPB__REQUEST_HEADER__INIT;
	h.has_id = 1; h.id = 77; h.username = "root";
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__PutRequest p = ETCDSERVERPB__PUT_REQUEST__INIT;
	p.has_key = 1; p.key.data = (uint8_t *)"k"; p.key.len = 1;
	r.header = &h;
	r.put = &p;
	ea_entry_info o = decode_irr(&r);
	assert_string_equal(o.detail, "value_size=0 by=root");
	assert_int_equal(o.request_id, 77);
	Etcdserverpb__DeleteRangeRequest dr = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
	dr.has_key = 1; dr.key.data = (uint8_t *)"k"; dr.key.len = 1;
	r.put = NULL;
	r.delete_range = &dr;
	o = decode_irr(&r);
	assert_string_equal(o.kind, "delete_range");
	assert_string_equal(o.detail, "by=root");
	Etcdserverpb__CompactionRequest c = ETCDSERVERPB__COMPACTION_REQUEST__INIT;
	c.has_revision = 1; c.revision = 9;
	r.delete_range = NULL;
	r.compaction = &c;
	o = decode_irr(&r);
	assert_string_equal(o.detail, "revision=9 by=root");

	Etcdserverpb__InternalRaftRequest r2 = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	Etcdserverpb__LeaseCheckpoint cp = ETCDSERVERPB__LEASE_CHECKPOINT__INIT;
	cp.has_id = 1; cp.id = 0x2a; cp.has_remaining_ttl = 1; cp.remaining_ttl = 300;
	Etcdserverpb__LeaseCheckpoint *cps[] = { &cp };
	Etcdserverpb__LeaseCheckpointRequest cr = ETCDSERVERPB__LEASE_CHECKPOINT_REQUEST__INIT;
	cr.n_checkpoints = 1; cr.checkpoints = cps;
	r2.lease_checkpoint = &cr;
	o = decode_irr(&r2);
	assert_string_equal(o.detail, "checkpoints=1 lease=2a remaining_ttl=300");
}

static void test_detail__apply_problem(void **state)
{
	(void)state;
	static const uint8_t junk[] = { '?' };
	ea_log_item li;
	memset(&li, 0, sizeof li);
	li.item.kind = EA_WAL_ITEM_RECORD;
	li.item.rec.type = EA_WAL_ENTRY;
	li.item.rec.decoded = 1;
	li.item.rec.file = "member/wal/0000000000000000-0000000000000000.wal";
	li.item.rec.offset = 1912;
	li.item.rec.u.entry = (ea_entry_header){ 0, 27, 34, junk, sizeof junk };
	ea_entry_info o;
	assert_int_equal(ea_entry_decode(dec, &li.item.rec.u.entry, 0, &o), 0);
	assert_string_equal(o.kind, "unknown");
	char msg[512];
	ea_problem p;
	assert_int_equal(ea_entry_apply_problem(&li, &o, 33, msg, sizeof msg, &p), 0);   /* not committed */
	assert_int_equal(ea_entry_apply_problem(&li, &o, 34, msg, sizeof msg, &p), 1);
	assert_string_equal(p.kind, "undecodable-entry");
	assert_int_equal(p.severity, EA_SEV_ERROR);
	assert_int_equal(p.offset, 1912);
	assert_non_null(strstr(p.message, "committed entry 34 "));
	li.superseded = 1;
	assert_int_equal(ea_entry_apply_problem(&li, &o, 34, msg, sizeof msg, &p), 0);
	li.superseded = 0;
	static const uint8_t empty_req[] = { 0x12, 0x00 };   /* v2 Request, Method "" */
	li.item.rec.u.entry.data = empty_req;
	li.item.rec.u.entry.data_len = sizeof empty_req;
	assert_int_equal(ea_entry_decode(dec, &li.item.rec.u.entry, 0, &o), 0);
	assert_string_equal(o.kind, "v2:noop");
	assert_int_equal(ea_entry_apply_problem(&li, &o, 34, msg, sizeof msg, &p), 0);
	/* a Request with a path and no method (not an InternalRaftRequest: field 3 is no
	 * RangeRequest): etcd applies it as v2 with method "", i.e. nothing */
	static const uint8_t no_method[] = { 0x1a, 0x01, '/' };
	li.item.rec.u.entry.data = no_method;
	li.item.rec.u.entry.data_len = sizeof no_method;
	assert_int_equal(ea_entry_decode(dec, &li.item.rec.u.entry, 0, &o), 0);
	assert_string_equal(o.kind, "v2:noop");
	assert_true(o.decode_ok);
	/* an InternalRaftRequest with only an ID: etcd decodes it as one, finds no request and
	 * panics in applyV3 ("not implemented") */
	static const uint8_t only_id[] = { 0x08, 0x05 };
	li.item.rec.u.entry.data = only_id;
	li.item.rec.u.entry.data_len = sizeof only_id;
	assert_int_equal(ea_entry_decode(dec, &li.item.rec.u.entry, 0, &o), 0);
	assert_string_equal(o.kind, "unknown");
	assert_false(o.decode_ok);
	assert_int_equal(o.request_id, 5);
	assert_int_equal(ea_entry_apply_problem(&li, &o, 34, msg, sizeof msg, &p), 1);
	assert_non_null(strstr(p.message, "not implemented"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detail__real_txn),
		cmocka_unit_test(test_detail__names_escaped),
		cmocka_unit_test(test_detail__bounded),
		cmocka_unit_test(test_detail__v2_kinds_and_time),
		cmocka_unit_test(test_detail__alarm_and_put),
		cmocka_unit_test(test_detail__by_user_and_checkpoints),
		cmocka_unit_test(test_detail__apply_problem),
	};
	return cmocka_run_group_tests_name("entry_detail", tests, setup, teardown);
}
