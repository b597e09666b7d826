/* test_node_open_opts.c: gathering the WAL time anchors at open is an option of each open
 * (EA_NODE_OPEN_WALLTIME in the ea_node_open_opts of ea_node_open_with / ea_node_open_many_with), not a process-wide
 * switch: a node opened with it has its anchors, one opened without it (before or after, or
 * by the plain opens) has none. Facts from fixtures/healthy/manifest.txt (3 members, each WAL
 * of 3 segments: their mtimes are anchors) and fixtures/k8s-3.5/manifest.txt. */
#include "test.h"

/* the open option asking for the time anchors (Kubernetes keys under /registry) */
static const ea_node_open_opts wt = { EA_NODE_OPEN_WALLTIME, NULL };

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_node_open_opts__per_open(void **state)
{
	(void)state;
	ea_node *a, *b, *c;
	ea_error err = { 0 };
	assert_int_equal(ea_node_open_with(&a, "n1", fixture_path("healthy", "n1.tar.gz"), &wt, &err), 0);
	assert_int_equal(ea_node_open(&b, "n2", fixture_path("healthy", "n2.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open_with(&c, "n3", fixture_path("healthy", "n3.tar.gz"), NULL, &err), 0);
	ea_walltime *w = ea_node_take_walltime(a);
	assert_non_null(w);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	/* at least one anchor per segment (its mtime) */
	assert_true(ea_walltime_count(w) >= (size_t)atoi(manifest_get("healthy", "n1.wal_segments")));
	ea_walltime_free(w);
	assert_null(ea_node_take_walltime(b));   /* the open before did not switch it on for the next */
	assert_null(ea_node_take_walltime(c));
	ea_node_close(a);
	ea_node_close(b);
	ea_node_close(c);
}

static void test_node_open_opts__many(void **state)
{
	(void)state;
	const char *names[] = { "n1", "n2", "n3" };
	const char *paths[3];
	char buf[3][4096];
	for (int i = 0; i < 3; i++) {
		snprintf(buf[i], sizeof buf[i], "%s", fixture_path("k8s-3.5", i == 0 ? "n1.tar.gz" : i == 1 ? "n2.tar.gz" : "n3.tar.gz"));
		paths[i] = buf[i];
	}
	ea_node *nodes[3];
	ea_error errs[3];
	size_t failed = 0;
	memset(errs, 0, sizeof errs);
	assert_int_equal(ea_node_open_many_with(nodes, names, paths, 3, &wt, errs, &failed), 0);
	for (int i = 0; i < 3; i++) {
		ea_walltime *w = ea_node_take_walltime(nodes[i]);
		assert_non_null(w);
		assert_int_equal(ea_walltime_finish(w), EA_OK);
		assert_true(ea_walltime_count(w) > 0);
		ea_walltime_free(w);
		ea_node_close(nodes[i]);
	}
	assert_int_equal(ea_node_open_many(nodes, names, paths, 3, errs, &failed), 0);   /* after: none */
	for (int i = 0; i < 3; i++) {
		assert_null(ea_node_take_walltime(nodes[i]));
		ea_node_close(nodes[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_open_opts__per_open),
		cmocka_unit_test(test_node_open_opts__many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
