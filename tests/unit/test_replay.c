/* test_replay.c: etcd's apply rules in the replay model (replay_apply.c), on synthetic WALs that
 * start at index 1 (an empty keyspace at revision 1, no db needed): which entries make a
 * revision, how many elements (sub revisions) each writes, and which txn branch runs, as etcd
 * 3.4/3.5's applierV3backend / storeTxnWrite / lessor.Revoke decide them. */
#include "test.h"

#include "etcdserverpb.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXE 64

typedef struct {
	walgen g;
	uint64_t index;
} wal_b;

typedef struct {
	int64_t revision[MAXE];
	int writes[MAXE];
	int txn[MAXE];
	ea_replay_result result[MAXE];
	ea_replay_summary sum;
} replayed;

static void b_init(wal_b *b)
{
	walgen_init(&b->g);
	walgen_segment_start(&b->g);
	walgen_metadata(&b->g, 0x1111, 0x2222);
	walgen_snapshot(&b->g, 0, 0);
	b->index = 0;
}

static uint64_t b_req(wal_b *b, Etcdserverpb__InternalRaftRequest *r)
{
	r->has_id = 1;
	r->id = 0x1111000000000000ull + b->index + 1;
	size_t n = etcdserverpb__internal_raft_request__get_packed_size(r);
	uint8_t *buf = malloc(n ? n : 1);
	assert_non_null(buf);
	etcdserverpb__internal_raft_request__pack(r, buf);
	walgen_entry(&b->g, 0, 1, ++b->index, buf, n);
	free(buf);
	return b->index;
}

static ProtobufCBinaryData bin(const char *s) { return (ProtobufCBinaryData){ strlen(s), (uint8_t *)s }; }

static uint64_t put(wal_b *b, const char *k, const char *v, int64_t lease, int ignore_value)
{
	Etcdserverpb__PutRequest p = ETCDSERVERPB__PUT_REQUEST__INIT;
	p.has_key = 1; p.key = bin(k);
	if (v) { p.has_value = 1; p.value = bin(v); }
	if (lease) { p.has_lease = 1; p.lease = lease; }
	if (ignore_value) { p.has_ignore_value = 1; p.ignore_value = 1; }
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	r.put = &p;
	return b_req(b, &r);
}

static uint64_t del(wal_b *b, const char *k, const char *end, size_t end_len)
{
	Etcdserverpb__DeleteRangeRequest d = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
	d.has_key = 1; d.key = bin(k);
	if (end) { d.has_range_end = 1; d.range_end = (ProtobufCBinaryData){ end_len, (uint8_t *)end }; }
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	r.delete_range = &d;
	return b_req(b, &r);
}

static uint64_t lease_req(wal_b *b, int grant, int64_t id)
{
	Etcdserverpb__LeaseGrantRequest g = ETCDSERVERPB__LEASE_GRANT_REQUEST__INIT;
	Etcdserverpb__LeaseRevokeRequest v = ETCDSERVERPB__LEASE_REVOKE_REQUEST__INIT;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	if (grant) { g.has_id = 1; g.id = id; g.has_ttl = 1; g.ttl = 60; r.lease_grant = &g; }
	else { v.has_id = 1; v.id = id; r.lease_revoke = &v; }
	return b_req(b, &r);
}

static uint64_t alarm_req(wal_b *b, int action, int which)
{
	Etcdserverpb__AlarmRequest a = ETCDSERVERPB__ALARM_REQUEST__INIT;
	a.has_action = 1; a.action = action;
	a.has_memberid = 1; a.memberid = 0x1111;
	a.has_alarm = 1; a.alarm = which;
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	r.alarm = &a;
	return b_req(b, &r);
}

/* a txn: compare (target, result, key, int operand or value), success / failure ops */
typedef struct {
	Etcdserverpb__Compare cmp;
	Etcdserverpb__Compare *cmps[1];
	Etcdserverpb__PutRequest puts[8];
	Etcdserverpb__DeleteRangeRequest dels[8];
	Etcdserverpb__RequestOp ops[8];
	Etcdserverpb__RequestOp *succ[4], *fail[4];
	Etcdserverpb__TxnRequest txn;
	int nops;
} txn_b;

static void txn_init(txn_b *t, int target, int result, const char *key, int64_t num, const char *val)
{
	memset(t, 0, sizeof *t);
	Etcdserverpb__Compare c = ETCDSERVERPB__COMPARE__INIT;
	c.has_target = 1; c.target = target;
	c.has_result = 1; c.result = result;
	c.has_key = 1; c.key = bin(key);
	if (target == 0) { c.has_version = 1; c.version = num; }
	if (target == 1) { c.has_create_revision = 1; c.create_revision = num; }
	if (target == 2) { c.has_mod_revision = 1; c.mod_revision = num; }
	if (target == 3 && val) { c.has_value = 1; c.value = bin(val); }
	t->cmp = c;
	t->cmps[0] = &t->cmp;
	Etcdserverpb__TxnRequest x = ETCDSERVERPB__TXN_REQUEST__INIT;
	t->txn = x;
	t->txn.n_compare = 1;
	t->txn.compare = t->cmps;
	t->txn.success = t->succ;
	t->txn.failure = t->fail;
}

static Etcdserverpb__RequestOp *txn_op(txn_b *t, int success)
{
	Etcdserverpb__RequestOp o = ETCDSERVERPB__REQUEST_OP__INIT;
	Etcdserverpb__RequestOp *op = &t->ops[t->nops++];
	*op = o;
	if (success) t->succ[t->txn.n_success++] = op; else t->fail[t->txn.n_failure++] = op;
	return op;
}

static void txn_put(txn_b *t, int success, const char *k, const char *v)
{
	Etcdserverpb__PutRequest p = ETCDSERVERPB__PUT_REQUEST__INIT;
	p.has_key = 1; p.key = bin(k);
	p.has_value = 1; p.value = bin(v);
	Etcdserverpb__RequestOp *op = txn_op(t, success);
	t->puts[t->nops] = p;
	op->request_put = &t->puts[t->nops];
}

static void txn_del(txn_b *t, int success, const char *k)
{
	Etcdserverpb__DeleteRangeRequest d = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
	d.has_key = 1; d.key = bin(k);
	Etcdserverpb__RequestOp *op = txn_op(t, success);
	t->dels[t->nops] = d;
	op->request_delete_range = &t->dels[t->nops];
}

static uint64_t txn(wal_b *b, txn_b *t)
{
	Etcdserverpb__InternalRaftRequest r = ETCDSERVERPB__INTERNAL_RAFT_REQUEST__INIT;
	r.txn = &t->txn;
	return b_req(b, &r);
}

static void run(wal_b *b, const char *sub, replayed *out)
{
	walgen_state(&b->g, 1, 0x1111, b->index);
	const char *dir = test_tmpdir(sub);
	assert_int_equal(walgen_write(&b->g, dir, "0000000000000000-0000000000000000.wal", 0), 0);
	walgen_free(&b->g);
	memset(out, 0, sizeof *out);
	ea_error err = { 0 };
	ea_input *in;
	ea_log *log;
	ea_replay *r;
	assert_int_equal(ea_input_open(&in, dir, &err), 0);
	assert_int_equal(ea_log_open(&log, in, NULL, &err), 0);
	assert_int_equal(ea_replay_new(&r, log, NULL, NULL, &err), 0);
	const ea_replay_item *it;
	int rc;
	while ((rc = ea_replay_next(&it, r)) == EA_OK) {
		assert_true(it->index > 0 && it->index < MAXE);
		out->revision[it->index] = it->revision;
		out->writes[it->index] = it->writes;
		out->txn[it->index] = it->txn_applied;
		out->result[it->index] = it->result;
	}
	assert_int_equal(rc, EA_ITEROVER);
	const ea_replay_summary *s;
	assert_int_equal(ea_replay_summary_get(r, &s), 0);
	out->sum = *s;
	out->sum.differences = NULL;
	ea_replay_free(r);
	ea_log_close(log);
	ea_input_close(in);
	test_tmpdir_remove();
}

/* put: one revision each from revision 2; delete of a missing key: none; a range and a prefix
 * ("\0" end: every key from key on) delete every live key in one revision, one element each */
static void test_replay__put_delete(void **state)
{
	(void)state;
	wal_b b;
	b_init(&b);
	uint64_t p1 = put(&b, "a", "1", 0, 0), p2 = put(&b, "b", "2", 0, 0), p3 = put(&b, "c", "3", 0, 0);
	uint64_t d0 = del(&b, "zz", NULL, 0);
	uint64_t d1 = del(&b, "a", "c", 1);          /* [a, c): a, b */
	uint64_t p4 = put(&b, "d", "4", 0, 0);
	uint64_t d2 = del(&b, "c", "\0", 1);         /* c and everything after: c, d */
	uint64_t d3 = del(&b, "c", "\0", 1);         /* nothing left */
	replayed r;
	run(&b, "putdel", &r);
	assert_int_equal(r.revision[p1], 2);
	assert_int_equal(r.revision[p2], 3);
	assert_int_equal(r.revision[p3], 4);
	assert_int_equal(r.revision[d0], 0);
	assert_int_equal(r.result[d0], EA_REPLAY_NO_REVISION);
	assert_int_equal(r.revision[d1], 5);
	assert_int_equal(r.writes[d1], 2);
	assert_int_equal(r.revision[p4], 6);
	assert_int_equal(r.revision[d2], 7);
	assert_int_equal(r.writes[d2], 2);
	assert_int_equal(r.revision[d3], 0);
	assert_int_equal(r.sum.last_revision, 7);
	assert_int_equal(r.sum.verdict, EA_REPLAY_INCOMPLETE);   /* no db: nothing compared */
}

/* txn: compares decide the branch; one main revision for all its writes; a branch that writes
 * nothing makes no revision */
static void test_replay__txn(void **state)
{
	(void)state;
	wal_b b;
	b_init(&b);
	put(&b, "k", "v1", 0, 0);                                /* rev 2, version 1 */
	txn_b t1, t2, t3, t4, t5;
	txn_init(&t1, 3, 0, "k", 0, "v1");                       /* value == v1: success */
	txn_put(&t1, 1, "k", "v2"); txn_put(&t1, 1, "x", "y"); txn_del(&t1, 0, "k");
	uint64_t i1 = txn(&b, &t1);                              /* rev 3: 2 elements */
	txn_init(&t2, 0, 0, "k", 1, NULL);                       /* version == 1: false (it is 2) */
	txn_put(&t2, 1, "k", "v3");
	uint64_t i2 = txn(&b, &t2);                              /* failure branch empty: no revision */
	txn_init(&t3, 2, 0, "k", 3, NULL);                       /* mod == 3: true */
	txn_del(&t3, 1, "k"); txn_del(&t3, 1, "x"); txn_del(&t3, 1, "missing");
	uint64_t i3 = txn(&b, &t3);                              /* rev 4: 2 tombstones */
	txn_init(&t4, 1, 0, "k", 0, NULL);                       /* create == 0 on a deleted key: true */
	txn_put(&t4, 1, "k", "again");
	uint64_t i4 = txn(&b, &t4);                              /* rev 5 */
	txn_init(&t5, 3, 1, "k", 0, "agaio");                    /* "again" > "agaio": false */
	txn_put(&t5, 1, "k", "no"); txn_put(&t5, 0, "f", "1");
	uint64_t i5 = txn(&b, &t5);                              /* failure branch: rev 6 */
	replayed r;
	run(&b, "txn", &r);
	assert_int_equal(r.txn[i1], 1);
	assert_int_equal(r.revision[i1], 3);
	assert_int_equal(r.writes[i1], 2);
	assert_int_equal(r.txn[i2], 0);
	assert_int_equal(r.revision[i2], 0);
	assert_int_equal(r.txn[i3], 1);
	assert_int_equal(r.revision[i3], 4);
	assert_int_equal(r.writes[i3], 2);
	assert_int_equal(r.txn[i4], 1);
	assert_int_equal(r.revision[i4], 5);
	assert_int_equal(r.txn[i5], 0);
	assert_int_equal(r.revision[i5], 6);
	assert_int_equal(r.writes[i5], 1);
}

/* leases: a put with a lease that does not exist is refused (ErrLeaseNotFound); revoke deletes
 * every attached key in one revision; a key moved to another lease is not deleted; revoking
 * again (or a lease that never existed) makes no revision */
static void test_replay__leases(void **state)
{
	(void)state;
	wal_b b;
	b_init(&b);
	uint64_t p0 = put(&b, "l1", "x", 0x77, 0);             /* no lease 0x77: refused */
	uint64_t g = lease_req(&b, 1, 0x77);
	uint64_t p1 = put(&b, "l1", "x", 0x77, 0);             /* rev 2 */
	put(&b, "l2", "y", 0x77, 0);                             /* rev 3 */
	put(&b, "l3", "z", 0x77, 0);                             /* rev 4 */
	lease_req(&b, 1, 0x88);
	put(&b, "l3", "z2", 0x88, 0);                            /* rev 5: l3 leaves 0x77 */
	uint64_t g2 = lease_req(&b, 1, 0x77);                    /* exists: ErrLeaseExists */
	uint64_t v = lease_req(&b, 0, 0x77);                     /* rev 6: l1, l2 */
	uint64_t v2 = lease_req(&b, 0, 0x77);
	uint64_t iv = put(&b, "l1", NULL, 0, 1);                 /* ignore_value on a deleted key: refused */
	uint64_t iv2 = put(&b, "l3", NULL, 0, 1);                /* rev 7 */
	replayed r;
	run(&b, "lease", &r);
	assert_int_equal(r.revision[p0], 0);
	assert_int_equal(r.revision[g], 0);
	assert_int_equal(r.revision[p1], 2);
	assert_int_equal(r.revision[g2], 0);
	assert_int_equal(r.revision[v], 6);
	assert_int_equal(r.writes[v], 2);
	assert_int_equal(r.revision[v2], 0);
	assert_int_equal(r.revision[iv], 0);
	assert_int_equal(r.revision[iv2], 7);
}

/* alarms: NOSPACE refuses puts (ErrNoSpace) but not deletes; deactivated, puts go on */
static void test_replay__nospace(void **state)
{
	(void)state;
	wal_b b;
	b_init(&b);
	put(&b, "a", "1", 0, 0);                                 /* rev 2 */
	alarm_req(&b, 1, 1);
	uint64_t p = put(&b, "b", "2", 0, 0);
	uint64_t d = del(&b, "a", NULL, 0);                      /* rev 3 */
	alarm_req(&b, 2, 1);
	uint64_t p2 = put(&b, "b", "2", 0, 0);                   /* rev 4 */
	replayed r;
	run(&b, "alarm", &r);
	assert_int_equal(r.revision[p], 0);
	assert_int_equal(r.revision[d], 3);
	assert_int_equal(r.revision[p2], 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay__put_delete),
		cmocka_unit_test(test_replay__txn),
		cmocka_unit_test(test_replay__leases),
		cmocka_unit_test(test_replay__nospace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
