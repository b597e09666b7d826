/* test_trust_inputs.c: what etcd-autopsy accepts as a member's log, which member IDs a WAL
 * names, and which entry kinds exist (issue 13 items 6, 8, 9). Facts from the fixtures'
 * manifests (member IDs etcd reported). */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ea_node *open_node(const char *scenario, const char *file)
{
	ea_node *n = NULL;
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&n, NULL, fixture_path(scenario, file), &err), 0);
	return n;
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", test_tmpdir(NULL), name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (len) assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* own log: accepted, its writer is the node's member ID; n2's log on n1: refused, naming it */
static void test_trust__log_of_the_member(void **state)
{
	(void)state;
	ea_node *n1 = open_node("election-storm", "n1.tar.gz");
	ea_error err = { 0 };
	char why[512];
	assert_int_equal(ea_node_add_log(n1, fixture_path("election-storm", "etcd/logs/n1.log"), &err), 0);
	assert_int_equal(ea_node_logs(n1)->stats.self_id, manifest_hex("election-storm", "n1.member_id"));
	assert_int_equal(ea_node_logs(n1)->stats.other_self_id, 0);
	assert_int_equal(ea_node_log_check(n1, why, sizeof why), 0);
	ea_node_close(n1);

	n1 = open_node("election-storm", "n1.tar.gz");
	assert_int_equal(ea_node_add_log(n1, fixture_path("election-storm", "etcd/logs/n2.log"), &err), 0);
	assert_int_equal(ea_node_logs(n1)->stats.self_id, manifest_hex("election-storm", "n2.member_id"));
	assert_int_equal(ea_node_log_check(n1, why, sizeof why), 1);
	char want[32];
	snprintf(want, sizeof want, "%s", manifest_get("election-storm", "n2.member_id"));
	assert_non_null(strstr(why, want));
	ea_node_close(n1);
}

/* capnslog text (and its gzip copy): the writer comes from raft's lines and "starting member" */
static void test_trust__text_log(void **state)
{
	(void)state;
	ea_error err = { 0 };
	char why[512];
	ea_node *n2 = open_node("text-log", "n2.tar.gz");
	assert_int_equal(ea_node_add_log(n2, fixture_path("text-log", "etcd/logs/n2.log.gz"), &err), 0);
	assert_int_equal(ea_node_logs(n2)->stats.self_id, manifest_hex("text-log", "n2.member_id"));
	assert_int_equal(ea_node_log_check(n2, why, sizeof why), 0);
	ea_node_close(n2);
	ea_log_event ev;
	int js;
	const char *l = "2026-11-27 06:14:00.150353 I | etcdserver: starting member aa2bd90c1c7cbab1 in cluster 4fc208c8948d8f07";
	ea_etcdlog_parse_line(l, strlen(l), &ev, &js);
	assert_int_equal(ev.self, 0xaa2bd90c1c7cbab1ULL);
}

/* not logs at all: empty, a note, a JPEG; and a log mixing two members */
static void test_trust__not_a_log(void **state)
{
	(void)state;
	ea_error err = { 0 };
	char why[512];
	static const unsigned char jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, '\n', 0x93, 0x11 };
	const char *note = "the disk filled up at 3 AM\nwe restarted n1\n";
	struct { const char *name; const void *data; size_t len; } bad[] = {
		{ "empty.log", "", 0 }, { "notes.txt", note, strlen(note) }, { "photo.jpg", jpeg, sizeof jpeg },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ea_node *n1 = open_node("election-storm", "n1.tar.gz");
		assert_int_equal(ea_node_add_log(n1, write_file(bad[i].name, bad[i].data, bad[i].len), &err), 0);
		assert_int_equal(ea_node_logs(n1)->stats.events, 0);
		assert_int_equal(ea_node_log_check(n1, why, sizeof why), 1);
		ea_node_close(n1);
	}
	/* two members' lines in one file */
	const char *mixed = "raft2026/11/27 06:14:00 INFO: aa2bd90c1c7cbab1 became follower at term 1\n"
	                    "raft2026/11/27 06:14:01 INFO: 3e86f22d4696f01c became follower at term 1\n";
	ea_node *n1 = open_node("election-storm", "n1.tar.gz");
	assert_int_equal(ea_node_add_log(n1, write_file("mixed.log", mixed, strlen(mixed)), &err), 0);
	assert_int_equal(ea_node_log_check(n1, why, sizeof why), 1);
	assert_non_null(strstr(why, "two members"));
	ea_node_close(n1);
	test_tmpdir_remove();
}

/* the member IDs a WAL names do not depend on where a reader starts: all three members of
 * the election storm are known from n1's WAL (conf changes at 1..3, votes) */
static void test_trust__wal_member_ids(void **state)
{
	(void)state;
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, fixture_path("election-storm", "n1.tar.gz"), &err), 0);
	ea_log *log;
	assert_int_equal(ea_log_open(&log, in, NULL, &err), 0);
	const uint64_t *ids;
	size_t n = ea_log_member_ids(log, &ids);
	assert_int_equal(n, 3);
	static const char *const keys[] = { "n1.member_id", "n2.member_id", "n3.member_id" };
	for (int k = 0; k < 3; k++) {
		uint64_t want = manifest_hex("election-storm", keys[k]);
		int found = 0;
		for (size_t i = 0; i < n; i++) found |= ids[i] == want;
		assert_true(found);
	}
	ea_log_close(log);
	ea_input_close(in);
}

static void test_trust__entry_kinds(void **state)
{
	(void)state;
	assert_true(ea_entry_kind_known("put"));
	assert_true(ea_entry_kind_known("confchange:add_learner"));
	assert_true(ea_entry_kind_known("v2:PUT"));
	assert_false(ea_entry_kind_known("bogus"));
	assert_false(ea_entry_kind_known("PUT"));
	assert_false(ea_entry_kind_known(""));
	size_t n = 0;
	for (const char *const *k = ea_entry_kinds(); *k; k++) n++;
	assert_true(n > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust__log_of_the_member),
		cmocka_unit_test(test_trust__text_log),
		cmocka_unit_test(test_trust__not_a_log),
		cmocka_unit_test(test_trust__wal_member_ids),
		cmocka_unit_test(test_trust__entry_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
