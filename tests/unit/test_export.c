/* test_export.c: the SQLite incident database. A hand-made WAL (walgen) with an overwritten
 * tail checks the row-level rules (superseded, committed, hard states, records); the healthy
 * fixture checks the etcd-reported numbers end to end; and the file-safety rules (temporary
 * file beside the output, no overwrite without force, nothing left after an interruption). */
#include "test.h"

#include <dirent.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int64_t q_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void q_text(const char *db, const char *sql, char *out, size_t cap)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(st, 0);
	snprintf(out, cap, "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static size_t count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
	closedir(d);
	return n;
}

/* member/wal with: metadata, entries 1..5 of term 1, HardState(1, vote 1, commit 3), then a
 * new leader in term 2 overwrites 4..5 with 4..6 and commits 6. */
static const char *make_overwrite_wal(void)
{
	const char *dir = test_tmpdir("ow/member/wal");
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 0x1111, 0xc1);
	walgen_snapshot(&g, 0, 0);
	for (uint64_t i = 1; i <= 5; i++) walgen_entry(&g, 0, 1, i, NULL, 0);
	walgen_state(&g, 1, 0x1111, 3);
	walgen_state(&g, 2, 0x2222, 3);
	for (uint64_t i = 4; i <= 6; i++) walgen_entry(&g, 0, 2, i, NULL, 0);
	walgen_state(&g, 2, 0x2222, 6);
	assert_int_equal(walgen_write(&g, dir, "0000000000000000-0000000000000000.wal", 0), 0);
	walgen_free(&g);
	return test_tmpdir("ow");
}

static void test_export__overwritten_tail_rows(void **state)
{
	(void)state;
	const char *in = make_overwrite_wal();
	ea_node *nd;
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nd, "a", in, &err), 0);
	char out[4200];
	snprintf(out, sizeof out, "%s/ow.sqlite", test_tmpdir("out1"));
	ea_export_stats st;
	ea_export_options o = EA_EXPORT_OPTIONS_INIT;
	o.command_line = "unit test";
	int rc = ea_export_sqlite(out, &nd, 1, &o, &st, &err);
	if (rc) fail_msg("export: %s", err.msg);
	assert_int_equal(q_int(out, "SELECT count(*) FROM entries"), 8);
	assert_int_equal(st.rows[EA_EXPORT_T_ENTRIES], 8);
	assert_int_equal(q_int(out, "SELECT count(*) FROM entries WHERE superseded AND term = 1 AND idx IN (4, 5) AND superseded_by_term = 2"), 2);
	assert_int_equal(q_int(out, "SELECT count(*) FROM entries WHERE superseded"), 2);
	assert_int_equal(q_int(out, "SELECT count(*) FROM entries WHERE committed"), 6);     /* 1..3, 4..6 of term 2 */
	assert_int_equal(q_int(out, "SELECT count(*) FROM entries WHERE committed = 0"), 2);
	assert_int_equal(q_int(out, "SELECT count(*) FROM hard_states"), 3);
	assert_int_equal(q_int(out, "SELECT commit_index FROM hard_states WHERE seq = 2"), 6);
	/* crc + metadata + snapshot + 8 entries + 3 states */
	assert_int_equal(q_int(out, "SELECT count(*) FROM wal_records"), 14);
	assert_int_equal(q_int(out, "SELECT count(*) FROM wal_records WHERE crc_ok = 0"), 0);
	assert_int_equal(q_int(out, "SELECT last_index FROM nodes"), 6);
	assert_int_equal(q_int(out, "SELECT last_term FROM nodes"), 2);
	assert_int_equal(q_int(out, "SELECT commit_index FROM nodes"), 6);
	char t[128];
	q_text(out, "SELECT member_id || '/' || cluster_id || '/' || kind FROM nodes", t, sizeof t);
	assert_string_equal(t, "1111/c1/data-dir");
	q_text(out, "SELECT value FROM meta WHERE key = 'command_line'", t, sizeof t);
	assert_string_equal(t, "unit test");
	q_text(out, "SELECT group_concat(voter || '>' || voted_for) FROM votes", t, sizeof t);
	assert_string_equal(t, "1111>1111,1111>2222");
	/* the overwritten tail is in the timeline, once per entry */
	assert_int_equal(q_int(out, "SELECT count(*) FROM timeline WHERE event = 'superseded-entry'"), 2);
	/* directory input: one input_files row per file, and meta's digest */
	assert_int_equal(q_int(out, "SELECT count(*) FROM input_files WHERE scope = 'dir-file'"), 1);
	assert_int_equal(q_int(out, "SELECT length(value) FROM meta WHERE key = 'input.a.sha256'"), 64);
	/* stats agree with the file */
	uint64_t total = 0;
	for (int k = 0; k < EA_EXPORT_T_COUNT; k++) total += st.rows[k];
	assert_int_equal(total, st.total_rows);
	assert_int_equal(q_int(out, "SELECT count(*) FROM events"), (int64_t)st.rows[EA_EXPORT_T_EVENTS]);
	ea_node_close(nd);
}

static void test_export__file_safety(void **state)
{
	(void)state;
	const char *in = make_overwrite_wal();
	ea_node *nd;
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nd, NULL, in, &err), 0);
	const char *dir = test_tmpdir("out2");
	char out[4200];
	snprintf(out, sizeof out, "%s/x.sqlite", dir);
	FILE *f = fopen(out, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	ea_export_options o = EA_EXPORT_OPTIONS_INIT;
	assert_int_equal(ea_export_sqlite(out, &nd, 1, &o, NULL, &err), EA_EINVAL);
	assert_non_null(strstr(err.msg, "--force"));
	struct stat sb;
	assert_int_equal(stat(out, &sb), 0);
	assert_int_equal(sb.st_size, 8);                 /* untouched */
	assert_int_equal(count_dir(dir), 1);             /* no temporary file left */

	/* an interruption before the end removes the temporary file and leaves no output */
	char out2[4200];
	snprintf(out2, sizeof out2, "%s/y.sqlite", dir);
	volatile sig_atomic_t stop = 1;
	o.stop = &stop;
	assert_int_equal(ea_export_sqlite(out2, &nd, 1, &o, NULL, &err), EA_EIO);
	assert_non_null(strstr(err.msg, "interrupted"));
	assert_int_equal(count_dir(dir), 1);

	/* --force replaces the file in one rename */
	o.stop = NULL;
	o.force = 1;
	memset(&err, 0, sizeof err);
	assert_int_equal(ea_export_sqlite(out, &nd, 1, &o, NULL, &err), 0);
	assert_int_equal(q_int(out, "SELECT count(*) FROM nodes"), 1);
	assert_int_equal(count_dir(dir), 1);

	/* bad arguments */
	assert_int_equal(ea_export_sqlite("", &nd, 1, &o, NULL, &err), EA_EINVAL);
	assert_int_equal(ea_export_sqlite(out, &nd, 0, &o, NULL, &err), EA_EINVAL);
	ea_node_close(nd);
}

/* The healthy fixture's leader and every member's numbers, as etcd reported them. */
static void test_export__healthy_matches_etcd(void **state)
{
	(void)state;
	static const char *const names[] = { "n1", "n2", "n3" };
	ea_node *nodes[3];
	ea_error err = { 0 };
	for (int i = 0; i < 3; i++) {
		char f[16];
		snprintf(f, sizeof f, "%s.tar.gz", names[i]);
		assert_int_equal(ea_node_open(&nodes[i], names[i], fixture_path("healthy", f), &err), 0);
	}
	char out[4200];
	snprintf(out, sizeof out, "%s/h.sqlite", test_tmpdir("out3"));
	ea_export_options o = EA_EXPORT_OPTIONS_INIT;
	o.values = 1;
	o.records = 0;
	o.hash_inputs = 0;
	ea_export_stats st;
	int rc = ea_export_sqlite(out, nodes, 3, &o, &st, &err);
	if (rc) fail_msg("export: %s", err.msg);
	assert_string_equal(st.verdict, "consistent");
	assert_int_equal(st.rows[EA_EXPORT_T_WAL_RECORDS], 0);
	char sql[512], t[256], key[64];
	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof sql, "SELECT last_index FROM nodes WHERE node = '%s'", names[i]);
		snprintf(key, sizeof key, "%s.raft_index", names[i]);
		assert_int_equal(q_int(out, sql), manifest_u64("healthy", key));
		snprintf(sql, sizeof sql, "SELECT last_term FROM nodes WHERE node = '%s'", names[i]);
		snprintf(key, sizeof key, "%s.raft_term", names[i]);
		assert_int_equal(q_int(out, sql), manifest_u64("healthy", key));
		snprintf(sql, sizeof sql, "SELECT hash FROM nodes WHERE node = '%s'", names[i]);
		snprintf(key, sizeof key, "%s.hashkv", names[i]);
		assert_int_equal(q_int(out, sql), manifest_u64("healthy", key));
		snprintf(sql, sizeof sql, "SELECT revision FROM nodes WHERE node = '%s'", names[i]);
		snprintf(key, sizeof key, "%s.revision", names[i]);
		assert_int_equal(q_int(out, sql), manifest_u64("healthy", key));
		/* every entry of the log etcd reported, once, committed */
		snprintf(sql, sizeof sql, "SELECT count(DISTINCT idx) FROM entries WHERE node = '%s' AND committed", names[i]);
		snprintf(key, sizeof key, "%s.raft_index", names[i]);
		assert_int_equal(q_int(out, sql), manifest_u64("healthy", key));
		snprintf(sql, sizeof sql, "SELECT member_id FROM nodes WHERE node = '%s'", names[i]);
		q_text(out, sql, t, sizeof t);
		snprintf(key, sizeof key, "%s.member_id", names[i]);
		assert_string_equal(t, manifest_get("healthy", key));
	}
	q_text(out, "SELECT group_concat(term || ':' || leader) FROM terms WHERE leader IS NOT NULL", t, sizeof t);
	assert_string_equal(t, manifest_get("healthy", "leader_terms"));
	/* the workload's txn wrote foo=bar3 last (fixtures/README.md) */
	q_text(out, "SELECT CAST(value AS TEXT) FROM revisions WHERE node = 'n1' AND key = 'foo' ORDER BY main DESC LIMIT 1", t, sizeof t);
	assert_string_equal(t, "bar3");
	assert_int_equal(q_int(out, "SELECT count(*) FROM revisions WHERE value_size <> length(value) AND NOT tombstone"), 0);
	for (int i = 0; i < 3; i++) ea_node_close(nodes[i]);
}

static int teardown(void **state)
{
	(void)state;
	test_tmpdir_remove();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_export__overwritten_tail_rows, teardown),
		cmocka_unit_test_teardown(test_export__file_safety, teardown),
		cmocka_unit_test_teardown(test_export__healthy_matches_etcd, teardown),
	};
	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
