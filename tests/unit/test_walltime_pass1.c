/* test_walltime_pass1.c: the time anchors gathered by the log's first pass
 * (ea_log_open_walltime) give every index the same estimate as the anchor pass of their own
 * (ea_log_open, ea_walltime_scan_log) they replace: on real members (a Kubernetes one, one
 * whose log was overwritten after a leader change) and on a copy of healthy n1 whose last
 * segment repeats the one before it (an overwrite that reaches back into an earlier segment,
 * where pass 1 cannot place that segment's mtime anchor and makes the pass itself); and the
 * anchors a node gathers in its history pass (EA_NODE_OPEN_WALLTIME) likewise. Facts from
 * fixtures/healthy/manifest.txt and fixtures/isolated-leader/manifest.txt. */
#include "test.h"

/* the open option asking for the time anchors (Kubernetes keys under /registry) */
static const ea_node_open_opts wt = { EA_NODE_OPEN_WALLTIME, NULL };

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* both ways over `path`; the number of indexes with a known time, the last index compared */
static size_t compare(const char *path, uint64_t *last_out, uint64_t *superseded_out)
{
	ea_error err = { 0 };
	ea_input *in1, *in2;
	ea_k8s *k;
	assert_int_equal(ea_k8s_new(&k, NULL), EA_OK);
	assert_int_equal(ea_input_open(&in1, path, &err), 0);
	assert_int_equal(ea_input_open(&in2, path, &err), 0);
	ea_log *l1, *l2;
	ea_walltime *w1, *w2;
	assert_int_equal(ea_walltime_new(&w1), EA_OK);
	assert_int_equal(ea_walltime_new(&w2), EA_OK);
	assert_int_equal(ea_log_open(&l1, in1, NULL, &err), 0);
	assert_int_equal(ea_walltime_scan_log(w1, l1, k), EA_OK);
	assert_int_equal(ea_log_rewind(l1, &err), EA_OK);
	assert_int_equal(ea_log_open_walltime(&l2, in2, NULL, w2, k, &err), 0);
	assert_int_equal(ea_walltime_count(w1), ea_walltime_count(w2));
	/* the log from ea_log_open_walltime streams from its start like a fresh one */
	ea_log_item a, b;
	uint64_t last = 0, sup = 0;
	int r1, r2;
	while ((r1 = ea_log_next(l1, &a)) == EA_OK) {
		assert_int_equal((r2 = ea_log_next(l2, &b)), EA_OK);
		assert_int_equal(a.superseded, b.superseded);
		if (a.item.kind == EA_WAL_ITEM_RECORD && a.item.rec.type == EA_WAL_ENTRY && a.item.rec.decoded) {
			if (a.item.rec.u.entry.index > last) last = a.item.rec.u.entry.index;
			sup += a.superseded != 0;
		}
	}
	assert_int_equal(r1, EA_ITEROVER);
	assert_int_equal(ea_log_next(l2, &b), EA_ITEROVER);
	size_t known = 0;
	for (uint64_t i = 0; i <= last + 2; i++) {
		ea_walltime_est e1, e2;
		ea_walltime_at(w1, i, &e1);
		ea_walltime_at(w2, i, &e2);
		assert_int_equal(e1.known, e2.known);
		assert_true(e1.time_us == e2.time_us && e1.lo_us == e2.lo_us && e1.hi_us == e2.hi_us);
		assert_int_equal(e1.source, e2.source);
		assert_true(e1.error_s == e2.error_s);
		known += e1.known != 0;
	}
	ea_walltime_free(w1);
	ea_walltime_free(w2);
	ea_log_close(l1);
	ea_log_close(l2);
	ea_input_close(in1);
	ea_input_close(in2);
	ea_k8s_free(k);
	if (last_out) *last_out = last;
	if (superseded_out) *superseded_out = sup;
	return known;
}

static void test_walltime_pass1__fixtures(void **state)
{
	(void)state;
	uint64_t last, sup;
	/* every entry of a healthy member has a known time (request IDs below, mtimes above) */
	size_t known = compare(fixture_path("healthy", "n1.tar.gz"), &last, &sup);
	assert_int_equal(last, manifest_u64("healthy", "n1.raft_index"));
	assert_true(known > 0);
	compare(fixture_path("k8s-3.5", "n1.tar.gz"), NULL, NULL);
	/* n2 rejoined after its isolated term: its uncommitted tail of term 2 was overwritten */
	compare(fixture_path("isolated-leader", "n2.tar.gz"), NULL, &sup);
	assert_true(sup > 0);
}

static void test_walltime_pass1__overwrite_into_earlier_segment(void **state)
{
	(void)state;
	const char *dir = test_tmpdir("seg");
	char segs[512];
	snprintf(segs, sizeof segs, "%s", manifest_get("healthy", "n1.wal_files"));
	char *s1 = strchr(segs, ','), *s2 = s1 ? strchr(s1 + 1, ',') : NULL;
	assert_non_null(s2);
	*s1++ = 0;
	*s2++ = 0;
	/* the third segment replaced by a copy of the second, under the third's sequence number */
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "tar -C '%s' -xzf '%s' && cd '%s/n1/member/wal' && rm '%s' && cp '%s' '%.16s-%s'", dir,
	         fixture_path("healthy", "n1.tar.gz"), dir, s2, s1, s2, strchr(s1, '-') + 1);
	assert_int_equal(system(cmd), 0);
	char path[4200];
	snprintf(path, sizeof path, "%s/n1", dir);
	uint64_t sup;
	compare(path, NULL, &sup);
	assert_true(sup > 0);   /* the second segment's entries, superseded by their copies */
	test_tmpdir_remove();
}

/* EA_NODE_OPEN_WALLTIME: the anchors of the node's history pass, finished, against an anchor
 * pass of their own over the node's log */
static void test_walltime_pass1__node_history_pass(void **state)
{
	(void)state;
	const char *fx[][2] = { { "healthy", "n1.tar.gz" }, { "isolated-leader", "n2.tar.gz" } };
	for (size_t f = 0; f < sizeof fx / sizeof fx[0]; f++) {
		ea_node *nd;
		ea_error err = { 0 };
		assert_int_equal(ea_node_open_with(&nd, NULL, fixture_path(fx[f][0], fx[f][1]), &wt, &err), 0);
		ea_walltime *got = ea_node_take_walltime(nd), *want;
		assert_non_null(got);
		assert_null(ea_node_take_walltime(nd));   /* handed over once */
		assert_int_equal(ea_walltime_finish(got), EA_OK);
		ea_k8s *k;
		assert_int_equal(ea_k8s_new(&k, NULL), EA_OK);
		assert_int_equal(ea_walltime_new(&want), EA_OK);
		assert_int_equal(ea_log_rewind(ea_node_log(nd), &err), EA_OK);
		assert_int_equal(ea_walltime_scan_log(want, ea_node_log(nd), k), EA_OK);
		assert_int_equal(ea_walltime_count(got), ea_walltime_count(want));
		assert_true(ea_walltime_count(got) > 0);
		uint64_t last = ea_node_wal(nd)->summary.last_index;
		for (uint64_t i = 0; i <= last + 2; i++) {
			ea_walltime_est e1, e2;
			ea_walltime_at(got, i, &e1);
			ea_walltime_at(want, i, &e2);
			assert_int_equal(e1.known, e2.known);
			assert_true(e1.time_us == e2.time_us && e1.lo_us == e2.lo_us && e1.hi_us == e2.hi_us && e1.source == e2.source);
		}
		ea_walltime_free(got);
		ea_walltime_free(want);
		ea_k8s_free(k);
		ea_node_close(nd);
	}
	ea_node *nd;   /* not asked for: none gathered */
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nd, NULL, fixture_path("healthy", "n1.tar.gz"), &err), 0);
	assert_null(ea_node_take_walltime(nd));
	ea_node_close(nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walltime_pass1__fixtures),
		cmocka_unit_test(test_walltime_pass1__overwrite_into_earlier_segment),
		cmocka_unit_test(test_walltime_pass1__node_history_pass),
	};
	return cmocka_run_group_tests_name("walltime_pass1", tests, NULL, NULL);
}
