/* test_restore.c: ea_restore_is_bootstrap_snapshot, the judgement `db stat`'s members note
 * and diff's restore-leftover finding share, on real .snap files: the one `etcdutl snapshot
 * restore` wrote for the single member r1 (healthy-3.5/restored.tar.gz) is its bootstrap
 * snapshot; a running cluster's snapshots (healthy-3.5/n1, term 2) are not. */
#include "test.h"
#include "etcd-autopsy/restore.h"

#include <string.h>

/* how many decoded .snap files of the fixture are bootstrap snapshots for `members` members */
static size_t bootstrap_snaps(const char *scenario, const char *file, size_t members, size_t *snaps)
{
	ea_input *in;
	ea_snap_list *l;
	ea_error err = { 0 };
	if (ea_input_open(&in, fixture_path(scenario, file), &err)) fail_msg("%s/%s: %s", scenario, file, err.msg);
	if (ea_snap_list_open(&l, in, 0, &err)) fail_msg("%s/%s: no .snap: %s", scenario, file, err.msg);
	size_t boot = 0;
	*snaps = 0;
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		const ea_snap_info *s = ea_snap_list_at(l, i);
		if (strcmp(s->kind, "snap") != 0 || !s->decoded) continue;
		(*snaps)++;
		boot += ea_restore_is_bootstrap_snapshot(s->term, s->index, members) &&
		        s->n_voters + s->n_learners == members;
	}
	ea_snap_list_close(l);
	ea_input_close(in);
	return boot;
}

static void test_restore__etcdutl_restored_dir(void **state)
{
	(void)state;
	size_t snaps;
	/* manifest: "etcdutl snapshot restore of backup.db as single member r1" */
	assert_non_null(strstr(manifest_get("healthy-3.5", "restored.file"), "restored"));
	assert_int_equal(bootstrap_snaps("healthy-3.5", "restored.tar.gz", 1, &snaps), 1);
	assert_int_equal(snaps, 1);
}

static void test_restore__running_cluster(void **state)
{
	(void)state;
	size_t snaps;
	/* manifest: n1.snap_files are all at term 2, from a 3-member cluster that ran */
	assert_int_equal(bootstrap_snaps("healthy-3.5", "n1.tar.gz", 3, &snaps), 0);
	assert_true(snaps > 0);
}

static void test_restore__bounds(void **state)
{
	(void)state;
	assert_true(ea_restore_is_bootstrap_snapshot(1, 3, 3));
	assert_false(ea_restore_is_bootstrap_snapshot(2, 3, 3));   /* a later term: the cluster ran */
	assert_false(ea_restore_is_bootstrap_snapshot(1, 4, 3));   /* entries past the bootstrap */
	assert_false(ea_restore_is_bootstrap_snapshot(1, 0, 0));   /* no member: no restore */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore__etcdutl_restored_dir),
		cmocka_unit_test(test_restore__running_cluster),
		cmocka_unit_test(test_restore__bounds),
	};
	return cmocka_run_group_tests_name("restore", tests, NULL, NULL);
}
