/* test_k8s_load.c: the Kubernetes write load (k8s_load.h) and the replay kept with the node
 * (node_replay.h). The bounded counter table directly (same cell for the same fields, absent vs
 * empty fields, the top rows by writes then by CAS conflicts, the storm's namespaces), then the
 * whole build on the real k8s-3.5 fixture against its manifest (the generator's counts of
 * txns by shape and outcome, the hot object's CAS failures, etcd's revision). */
#include "test.h"
#include "analysis/k8s_load_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ea_k8s_str s(const char *p) { return (ea_k8s_str){ p, p ? strlen(p) : 0 }; }

static ea__lcell *get(ea__ltable *t, const char *res, const char *ns)
{
	ea_k8s_str f[EA__LF_N] = { s(""), s(res), s(ns), s(NULL), s(NULL) };
	int nomem = 0;
	ea__lcell *c = ea__ltable_get(t, f, &nomem);
	assert_false(nomem);
	return c;
}

static void table_cells(void **state)
{
	(void)state;
	ea__ltable t = { 0 };
	ea__lcell *a = get(&t, "pods", "payments"), *b = get(&t, "pods", "payments");
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(get(&t, "pods", NULL), get(&t, "pods", ""));   /* cluster-scoped is not "" */
	assert_ptr_not_equal(get(&t, "pod", "spayments"), a);              /* fields do not run together */
	char name[32];
	for (int i = 0; i < 2000; i++) {   /* growth keeps every cell */
		snprintf(name, sizeof name, "r%d", i);
		get(&t, name, "x")->writes = (uint64_t)i;
	}
	for (int i = 0; i < 2000; i += 199) {
		snprintf(name, sizeof name, "r%d", i);
		assert_int_equal(get(&t, name, "x")->writes, (uint64_t)i);
	}
	assert_int_equal(t.n, 2004);
	ea__ltable_free(&t);
}

static void table_top(void **state)
{
	(void)state;
	ea__ltable t = { 0 };
	char name[32];
	for (int i = 0; i < 15; i++) {
		snprintf(name, sizeof name, "w%02d", i);
		get(&t, name, "ns")->writes = 100 + (uint64_t)i;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "c%d", i);
		ea__lcell *c = get(&t, name, "ns");
		c->writes = 1;
		c->cas = 10 + (uint64_t)i;
	}
	ea_k8s_load_table top;
	assert_int_equal(ea__ltable_top(&t, &top), EA_OK);
	assert_int_equal(top.distinct, 18);
	assert_int_equal(top.nrows, EA_K8S_LOAD_TOP + 3);
	assert_int_equal(top.rows[0].writes, 114);   /* by writes, most first */
	assert_false(top.rows[0].by_cas);
	assert_int_equal(top.rows[EA_K8S_LOAD_TOP].cas_failures, 12);   /* then by CAS conflicts */
	assert_true(top.rows[EA_K8S_LOAD_TOP].by_cas);
	assert_memory_equal(top.rows[EA_K8S_LOAD_TOP].resource.p, "c2", 2);
	free(top.rows);
	ea__ltable_free(&t);
}

static void table_storm(void **state)
{
	(void)state;
	ea__ltable t = { 0 };
	const char *ns[] = { "a", "b", "c" };
	for (int i = 0; i < 3; i++) {
		ea_k8s_str f[EA__LF_N] = { s(NULL), s(NULL), s(ns[i]), s(NULL), s(NULL) };
		int nomem = 0;
		ea__lcell *c = ea__ltable_get(&t, f, &nomem);
		c->events = (uint64_t)(i == 1 ? 50 : i);
		if (i) { c->ev = calloc(1, sizeof *c->ev); assert_non_null(c->ev); }   /* "a" wrote no event */
	}
	ea_k8s_load_storm st[4];
	assert_int_equal(ea__ltable_storm(&t, st, 4), 2);
	assert_memory_equal(st[0].ns.p, "b", 1);
	assert_int_equal(st[0].events, 50);
	ea__ltable_free(&t);
}

/* k8s-3.5 n2: the txns by shape and outcome are the generator's (manifest ops.*), the hot
 * object has hot_object.cas_failures, the replay kept with the node says db-equals-wal at
 * etcd's revision, and a second build on the same node is refused (its items are gone). */
static void fixture_build(void **state)
{
	(void)state;
	ea_node *nd = NULL;
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nd, "n2", fixture_path("k8s-3.5", "n2.tar.gz"), &err), 0);
	ea_k8s *k = NULL;
	assert_int_equal(ea_k8s_new(&k, NULL), EA_OK);
	ea_k8s_load l;
	assert_int_equal(ea_k8s_load_build(nd, k, &l), EA_OK);
	assert_true(l.present);
	assert_int_equal(l.ops[EA_K8S_OP_CREATE][EA_K8S_APPLIED], manifest_u64("k8s-3.5", "ops.create.succeeded"));
	assert_int_equal(l.ops[EA_K8S_OP_UPDATE][EA_K8S_APPLIED], manifest_u64("k8s-3.5", "ops.update.succeeded"));
	assert_int_equal(l.ops[EA_K8S_OP_UPDATE][EA_K8S_FAILED], manifest_u64("k8s-3.5", "ops.update.failed"));
	assert_int_equal(l.ops[EA_K8S_OP_DELETE][EA_K8S_FAILED], manifest_u64("k8s-3.5", "ops.delete.failed"));
	assert_int_equal(l.ops[EA_K8S_OP_COMPACT][EA_K8S_FAILED], manifest_u64("k8s-3.5", "ops.compact-txn.failed"));
	assert_int_equal(l.txns, manifest_u64("k8s-3.5", "ops.txn_total"));
	const char *hot = manifest_get("k8s-3.5", "hot_object.key");
	assert_non_null(hot);
	assert_true(l.objects.nrows > 0);
	assert_int_equal(l.objects.rows[0].key.n, strlen(hot));
	assert_memory_equal(l.objects.rows[0].key.p, hot, strlen(hot));
	assert_int_equal(l.objects.rows[0].cas_failures, manifest_u64("k8s-3.5", "hot_object.cas_failures"));
	const ea_node_replay *r = ea_node_replay_kept(nd);
	assert_non_null(r);
	assert_int_equal(r->rc, EA_OK);
	assert_int_equal(r->verdict, EA_REPLAY_DB_EQUALS_WAL);
	assert_int_equal(r->last_revision, manifest_u64("k8s-3.5", "n2.revision"));
	ea_k8s_load again;
	assert_int_equal(ea_k8s_load_build(nd, k, &again), EA_EINVAL);
	ea_k8s_load_free(&again);
	ea_k8s_load_free(&l);
	ea_k8s_free(k);
	ea_node_close(nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_cells),
		cmocka_unit_test(table_top),
		cmocka_unit_test(table_storm),
		cmocka_unit_test(fixture_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
