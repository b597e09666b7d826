/* test_etcdlog.c: etcd's logs, zap JSON and text (capnslog), plain and gzip, as timed events;
 * checked against the leader lines the fixture scripts extracted from the same logs and
 * against the leaders inferred from the WALs. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	uint64_t lead_term[64], lead_id[64];
	size_t nlead;
	uint64_t cand_term[256];
	size_t ncand;
	size_t events;
	int64_t first_ms;
} collected;

static int collect(const ea_log_event *ev, void *payload)
{
	collected *c = payload;
	c->events++;
	if (c->first_ms == 0) c->first_ms = ev->time_ms;
	if (strcmp(ev->event, "became-leader") == 0 && c->nlead < 64) {
		c->lead_term[c->nlead] = ev->term;
		c->lead_id[c->nlead++] = ev->member;
	}
	if (strcmp(ev->event, "became-candidate") == 0 && c->ncand < 256) c->cand_term[c->ncand++] = ev->term;
	return 0;
}

static void read_log(const char *scenario, const char *file, collected *c, ea_log_stats *st)
{
	char rel[128];
	snprintf(rel, sizeof rel, "etcd/logs/%s", file);
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, fixture_path(scenario, rel), &err), 0);
	assert_int_equal(ea_input_count(in), 1);
	assert_int_equal(ea_etcdlog_read(in, 0, collect, c, st, &err), 0);
	ea_input_close(in);
}

/* every "N:id" of leader_terms is a became-leader event of one of the logs, and vice versa */
static void assert_leader_lines(const char *scenario, const char *const *files)
{
	collected c;
	memset(&c, 0, sizeof c);
	for (size_t i = 0; files[i]; i++) {
		ea_log_stats st;
		read_log(scenario, files[i], &c, &st);
		assert_true(st.lines > 10);
		assert_true(st.events > 5);
	}
	char buf[2048];
	snprintf(buf, sizeof buf, "%s", manifest_get(scenario, "leader_terms"));
	size_t want = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t t = strtoull(tok, NULL, 10), id = strtoull(strchr(tok, ':') + 1, NULL, 16);
		int found = 0;
		for (size_t k = 0; k < c.nlead; k++) found |= c.lead_term[k] == t && c.lead_id[k] == id;
		if (!found) fail_msg("%s: leader %s not parsed", scenario, tok);
		want++;
	}
	assert_int_equal(c.nlead, want);
}

static void test_etcdlog__zap_json(void **state)
{
	(void)state;
	static const char *const f[] = { "n1.log", "n2.log", "n3.log", NULL };
	assert_leader_lines("election-storm", f);
	assert_leader_lines("leader-change", f);
}

static void test_etcdlog__text_and_gzip(void **state)
{
	(void)state;
	static const char *const f[] = { "n1.log", "n2.log", "n3.log", NULL };
	assert_leader_lines("text-log", f);
	/* the gzip copy gives the same events and line count */
	collected a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	ea_log_stats sa, sb;
	read_log("text-log", "n2.log", &a, &sa);
	read_log("text-log", "n2.log.gz", &b, &sb);
	assert_int_equal(sa.lines, manifest_u64("text-log", "n2.log_lines"));
	assert_int_equal(sb.lines, sa.lines);
	assert_int_equal(sb.events, sa.events);
	assert_int_equal(a.first_ms, b.first_ms);
	assert_true(sa.format_text);
	assert_false(sa.format_json);
}

static void test_etcdlog__lines(void **state)
{
	(void)state;
	ea_log_event ev;
	int js;
	const char *l1 = "{\"level\":\"warn\",\"ts\":\"2026-11-27T05:46:33.734Z\",\"caller\":\"etcdserver/raft.go:390\","
	                 "\"msg\":\"leader failed to send out heartbeat on time; took too long, leader is overloaded likely from slow disk\","
	                 "\"to\":\"8e9e05c52164694d\",\"heartbeat-interval\":\"100ms\",\"expected-duration\":\"200ms\"}";
	assert_int_equal(ea_etcdlog_parse_line(l1, strlen(l1), &ev, &js), 1);
	assert_true(js);
	assert_string_equal(ev.event, "heartbeat-late");
	assert_int_equal(ev.time_ms, 1795758393734LL);
	const char *l2 = "Nov 27 06:14:02 host etcd[123]: raft2026/11/27 06:14:02 INFO: aa2bd90c1c7cbab1 became leader at term 3";
	assert_int_equal(ea_etcdlog_parse_line(l2, strlen(l2), &ev, &js), 1);
	assert_string_equal(ev.event, "became-leader");
	assert_int_equal(ev.term, 3);
	assert_int_equal(ev.member, 0xaa2bd90c1c7cbab1ULL);
	assert_int_equal(ev.time_ms, 1795760042000LL);
	const char *l3 = "2026-11-27 06:14:00.174926 W | wal: sync duration of 1.2s, expected less than 1s";
	assert_int_equal(ea_etcdlog_parse_line(l3, strlen(l3), &ev, &js), 1);
	assert_string_equal(ev.event, "slow-fdatasync");
	assert_int_equal(ev.time_ms, 1795760040174LL);
	const char *l4 = "2026-11-27 06:14:00.174926 I | raft: raft.node: aa2bd90c1c7cbab1 elected leader 3e86f22d4696f01c at term 2";
	assert_int_equal(ea_etcdlog_parse_line(l4, strlen(l4), &ev, &js), 1);
	assert_string_equal(ev.event, "elected-leader");
	assert_int_equal(ev.other, 0x3e86f22d4696f01cULL);
	const char *l5 = "{\"level\":\"info\",\"msg\":\"something else\"}";
	assert_int_equal(ea_etcdlog_parse_line(l5, strlen(l5), &ev, &js), 0);
	const char *l6 = "{\"level\":\"info\",\"msg\":";
	assert_int_equal(ea_etcdlog_parse_line(l6, strlen(l6), &ev, &js), -1);
	assert_int_equal(ea_etcdlog_parse_line("garbage", 7, &ev, &js), 0);
}

static void attach(ea_node **nodes, const char *scenario, const char *logs_of)
{
	for (int i = 0; i < 3; i++) {
		char file[32], rel[64];
		snprintf(file, sizeof file, "n%d.tar.gz", i + 1);
		ea_error err = { 0 };
		assert_int_equal(ea_node_open(&nodes[i], NULL, fixture_path(scenario, file), &err), 0);
		snprintf(rel, sizeof rel, "etcd/logs/n%d.log", i + 1);
		assert_int_equal(ea_node_add_log(nodes[i], fixture_path(logs_of, rel), &err), 0);
	}
}

/* the logs confirm the leaders inferred from the WALs, and give each term a time */
static void test_etcdlog__terms_get_times_and_agree(void **state)
{
	(void)state;
	ea_node *nodes[3];
	attach(nodes, "election-storm", "election-storm");
	ea_terms t;
	assert_int_equal(ea_terms_build(nodes, 3, &t), 0);
	assert_int_equal(t.leader_mismatches, 0);
	size_t timed = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		timed += t.rows[r].time_ms > 0;
		if (t.rows[r].log_leader) assert_int_equal(t.rows[r].log_leader, t.rows[r].leader);
	}
	assert_int_equal(timed, t.nrows);
	ea_terms_free(&t);
	for (int i = 0; i < 3; i++) ea_node_close(nodes[i]);
}

/* logs of another cluster disagree with the WALs: called out */
static void test_etcdlog__wrong_logs_are_flagged(void **state)
{
	(void)state;
	ea_node *nodes[3];
	attach(nodes, "leader-change", "election-storm");
	ea_terms t;
	assert_int_equal(ea_terms_build(nodes, 3, &t), 0);
	assert_true(t.leader_mismatches > 0);
	ea_diff d;
	assert_int_equal(ea_diff_run(nodes, 3, &t, &d), 0);
	int mm = 0;
	for (size_t f = 0; f < d.nfindings; f++) mm += strcmp(d.findings[f].kind, "leader-mismatch") == 0;
	assert_true(mm > 0);
	ea_diff_free(&d);
	ea_terms_free(&t);
	for (int i = 0; i < 3; i++) ea_node_close(nodes[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etcdlog__zap_json),
		cmocka_unit_test(test_etcdlog__text_and_gzip),
		cmocka_unit_test(test_etcdlog__lines),
		cmocka_unit_test(test_etcdlog__terms_get_times_and_agree),
		cmocka_unit_test(test_etcdlog__wrong_logs_are_flagged),
	};
	return cmocka_run_group_tests_name("etcdlog", tests, NULL, NULL);
}
