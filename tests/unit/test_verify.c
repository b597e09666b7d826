/* test_verify.c: backup verification against what etcd reported (`snapshot status`,
 * `endpoint hashkv --rev` at the backup's revision) and the damaged copies made by
 * fixtures/make-corrupt-db.py. */
#include "test.h"

#include <string.h>

static ea_node *open_node(const char *name, const char *scenario, const char *file)
{
	ea_node *n;
	ea_error err = { 0 };
	if (ea_node_open(&n, name, fixture_path(scenario, file), &err)) fail_msg("%s/%s: %s", scenario, file, err.msg);
	return n;
}

static void test_verify__backup_matches_members(void **state)
{
	(void)state;
	const char *sc = "backup-restore";
	ea_node *b = open_node("backup", sc, "backup.tar.gz");
	ea_node *m[3] = { open_node("n1", sc, "n1.tar.gz"), open_node("n2", sc, "n2.tar.gz"), open_node("n3", sc, "n3.tar.gz") };
	ea_verify_result v;
	assert_int_equal(ea_verify_run(b, m, 3, &v), 0);
	assert_int_equal(v.verdict, EA_RESTORABLE);
	assert_string_equal(v.kind, "snapshot-file");
	assert_string_equal(v.sha256_trailer, "ok");
	assert_int_equal(v.revision, (int64_t)manifest_u64(sc, "backup.revision"));
	assert_int_equal(v.snapshot_hash, manifest_u64(sc, "backup.hash"));
	assert_int_equal(v.total_key, manifest_u64(sc, "backup.total_key"));
	assert_int_equal(v.total_size, manifest_u64(sc, "backup.total_size"));
	/* etcd's `endpoint hashkv --rev <backup revision>` on each member */
	assert_int_equal(v.hash, manifest_u64(sc, "n1.hashkv_at_backup_rev"));
	assert_int_equal(v.nagainst, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(v.against[i].match, 1);
		char k[64];
		snprintf(k, sizeof k, "n%d.hashkv_at_backup_rev", i + 1);
		assert_int_equal(v.against[i].hash, manifest_u64(sc, k));
	}
	for (int i = 0; i < 3; i++) ea_node_close(m[i]);
	ea_node_close(b);
}

static void test_verify__damaged_backups(void **state)
{
	(void)state;
	struct { const char *file; ea_restorability want; const char *trailer; } cases[] = {
		{ "backup-lastbyte.tar.gz", EA_NOT_RESTORABLE, "mismatch" },
		{ "backup-truncated.tar.gz", EA_NOT_RESTORABLE, NULL },
		{ "leaf-flip.tar.gz", EA_NOT_RESTORABLE, NULL },
		{ "meta0-checksum.tar.gz", EA_RESTORABLE_WITH_WARNINGS, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ea_node *b = open_node("b", "corrupt-db", cases[i].file);
		ea_verify_result v;
		assert_int_equal(ea_verify_run(b, NULL, 0, &v), 0);
		if (v.verdict != cases[i].want) fail_msg("%s: %s", cases[i].file, ea_restorability_name(v.verdict));
		if (cases[i].trailer) assert_string_equal(v.sha256_trailer, cases[i].trailer);
		assert_true(v.nreasons >= 1);
		ea_node_close(b);
	}
}

static void test_verify__data_dir(void **state)
{
	(void)state;
	ea_node *d = open_node("n1", "healthy", "n1.tar.gz");
	ea_verify_result v;
	assert_int_equal(ea_verify_run(d, NULL, 0, &v), 0);
	assert_int_equal(v.verdict, EA_RESTORABLE);
	assert_string_equal(v.kind, "data-dir");
	assert_int_equal(v.hash, manifest_u64("healthy", "n1.hashkv"));
	ea_node_close(d);
	/* a WAL with a flipped bit cannot be replayed by etcd */
	d = open_node("n1", "corrupt", "bitflip.tar.gz");
	assert_int_equal(ea_verify_run(d, NULL, 0, &v), 0);
	assert_int_equal(v.verdict, EA_NOT_RESTORABLE);
	ea_node_close(d);
	/* a torn tail is repaired by etcd at startup */
	d = open_node("n1", "corrupt", "torn-tail.tar.gz");
	assert_int_equal(ea_verify_run(d, NULL, 0, &v), 0);
	assert_int_equal(v.verdict, EA_RESTORABLE_WITH_WARNINGS);
	ea_node_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify__backup_matches_members),
		cmocka_unit_test(test_verify__damaged_backups),
		cmocka_unit_test(test_verify__data_dir),
	};
	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
