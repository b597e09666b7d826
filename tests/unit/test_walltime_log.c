/* test_walltime_log.c: the anchors etcd's own log gives its member's entries (walltime_log.h)
 * on hand-written log lines (zap JSON as etcd 3.5 prints them, a raft text line): which lines
 * map to which index, with which bounds, which are refused (the term's first entry overwritten,
 * not empty, the first after a snapshot jump, another member's line), and that a log anchor
 * never widens nor contradicts the bounds of the other anchors. */
#include "test.h"

#include <string.h>

#define MS 1000LL
#define S 1000000LL

/* 2026-12-05T10:51:06Z */
#define T0 (1796467866LL * S)

static const ea_node_term TERMS[] = {
	{ .term = 1, .first_index = 1, .last_index = 3, .entries = 3 },
	{ .term = 2, .first_index = 4, .last_index = 19, .entries = 16, .leader_noop = 1 },
	{ .term = 3, .first_index = 20, .last_index = 40, .entries = 21, .leader_noop = 1 },
	{ .term = 4, .first_index = 41, .last_index = 45, .entries = 5, .superseded = 5, .leader_noop = 1 },
	{ .term = 5, .first_index = 41, .last_index = 60, .entries = 20, .leader_noop = 0 },
};

static void parse(const char *line, ea_log_event *ev)
{
	int json = 0;
	assert_int_equal(ea_etcdlog_parse_line(line, strlen(line), ev, &json), 1);
}

/* a set with a lower bound at index 1 and an upper bound at index 100 (T0 - 10 s .. T0 + 100 s) */
static ea_walltime *base(const ea_walltime_anchor *extra, size_t n)
{
	ea_walltime *w;
	assert_int_equal(ea_walltime_new(&w), EA_OK);
	ea_walltime_anchor lo = { 1, T0 - 10 * S, EA_WALLTIME_NO_HI, EA_WALLTIME_REQUEST_ID };
	ea_walltime_anchor hi = { 100, EA_WALLTIME_NO_LO, T0 + 100 * S, EA_WALLTIME_SEGMENT_MTIME };
	assert_int_equal(ea_walltime_add(w, &lo), EA_OK);
	assert_int_equal(ea_walltime_add(w, &hi), EA_OK);
	for (size_t i = 0; i < n; i++) assert_int_equal(ea_walltime_add(w, &extra[i]), EA_OK);
	return w;
}

static void test_walltime_log__became_leader(void **state)
{
	(void)state;
	ea_log_event ev[2];
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:06.114235Z\",\"logger\":\"raft\",\"caller\":\"etcdserver/zap_raft.go:77\","
	      "\"msg\":\"566ab29e3d21f8d8 became leader at term 3\"}", &ev[0]);
	/* another member's line in the file: not this member's entries */
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:07.000000Z\",\"logger\":\"raft\",\"caller\":\"etcdserver/zap_raft.go:77\","
	      "\"msg\":\"1206bd01815940f4 became leader at term 2\"}", &ev[1]);
	ea_walltime *w = base(NULL, 0);
	assert_int_equal(ea_walltime_log_anchors(w, ev, 2, 0x566ab29e3d21f8d8ULL, 0, TERMS, 5, 1, NULL, 0), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	assert_int_equal(ea_walltime_count(w), 3);   /* the two of base + term 3's first index */
	ea_walltime_est e;
	ea_walltime_at(w, 20, &e);
	assert_true(e.known);
	assert_int_equal(e.source, EA_WALLTIME_ETCD_LOG);
	assert_int_equal(e.lo_us, T0 + 114 * MS - EA_WALLTIME_LOG_SLACK_US);
	assert_int_equal(e.hi_us, T0 + 115 * MS);
	ea_walltime_at(w, 19, &e);   /* the previous term's last entry: before the line */
	assert_int_equal(e.hi_us, T0 + 115 * MS);
	ea_walltime_at(w, 21, &e);   /* after it */
	assert_int_equal(e.lo_us, T0 + 114 * MS - EA_WALLTIME_LOG_SLACK_US);
	ea_walltime_free(w);
}

static void test_walltime_log__upper_bounds(void **state)
{
	(void)state;
	ea_log_event ev[3];
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:10.500Z\",\"logger\":\"raft\",\"caller\":\"etcdserver/zap_raft.go:77\","
	      "\"msg\":\"raft.node: 1206bd01815940f4 elected leader 566ab29e3d21f8d8 at term 2\"}", &ev[0]);
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:20.000Z\",\"caller\":\"etcdserver/server.go:2000\","
	      "\"msg\":\"saved snapshot\",\"snapshot-index\":50}", &ev[1]);
	/* a raft text line: whole seconds */
	parse("raft2026/12/05 10:51:30 INFO: raft.node: 1206bd01815940f4 elected leader 566ab29e3d21f8d8 at term 3", &ev[2]);
	ea_walltime *w = base(NULL, 0);
	assert_int_equal(ea_walltime_log_anchors(w, ev, 2, 0x1206bd01815940f4ULL, 0, TERMS, 5, 1, NULL, 0), EA_OK);
	assert_int_equal(ea_walltime_log_anchors(w, ev + 2, 1, 0x1206bd01815940f4ULL, 1, TERMS, 5, 1, NULL, 0), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	ea_walltime_est e;
	ea_walltime_at(w, 4, &e);    /* term 2's first index: upper bound only, no own point */
	assert_int_equal(e.hi_us, T0 + 4500 * MS + MS);
	assert_int_equal(e.lo_us, T0 - 10 * S);
	assert_int_equal(e.source, EA_WALLTIME_INTERPOLATED);
	ea_walltime_at(w, 50, &e);   /* the snapshot's index was applied before the line */
	assert_int_equal(e.hi_us, T0 + 14 * S + MS);
	ea_walltime_at(w, 20, &e);   /* text line of 10:51:30, whole seconds: <= 10:51:31; but 50 bounds it first */
	assert_int_equal(e.hi_us, T0 + 14 * S + MS);
	ea_walltime_free(w);
}

static void test_walltime_log__refused(void **state)
{
	(void)state;
	ea_log_event ev[3];
	/* term 4's first entry was overwritten, term 5's is not empty */
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:06.000Z\",\"msg\":\"566ab29e3d21f8d8 became leader at term 4\"}", &ev[0]);
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:06.000Z\",\"msg\":\"566ab29e3d21f8d8 became leader at term 5\"}", &ev[1]);
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:06.000Z\",\"msg\":\"566ab29e3d21f8d8 became leader at term 3\"}", &ev[2]);
	ea_walltime *w = base(NULL, 0);
	ea_marker install = { .index = 19, .term = 2 };   /* a received snapshot: the log jumps to 20 */
	assert_int_equal(ea_walltime_log_anchors(w, ev, 3, 0x566ab29e3d21f8d8ULL, 0, TERMS, 5, 1, &install, 1), EA_OK);
	/* the WAL starts at term 3's first index: nothing before it to tell a jump from a term start */
	assert_int_equal(ea_walltime_log_anchors(w, ev + 2, 1, 0x566ab29e3d21f8d8ULL, 0, TERMS, 5, 20, NULL, 0), EA_OK);
	/* an unknown writer: became-leader lines unused */
	assert_int_equal(ea_walltime_log_anchors(w, ev + 2, 1, 0, 0, TERMS, 5, 1, NULL, 0), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	assert_int_equal(ea_walltime_count(w), 2);
	ea_walltime_free(w);
}

static void test_walltime_log__never_widens(void **state)
{
	(void)state;
	/* Kubernetes anchors say index 20 was written in [T0+1s, T0+2s]; the log line (another
	 * clock, skewed) says T0+5s: both its sides contradict them and are dropped. A line at
	 * T0+1.5s tightens both. */
	const ea_walltime_anchor k[] = { { 20, T0 + 1 * S, T0 + 2 * S, EA_WALLTIME_LEASE_RENEW } };
	ea_log_event ev;
	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:11.000Z\",\"msg\":\"566ab29e3d21f8d8 became leader at term 3\"}", &ev);
	ea_walltime *w = base(k, 1);
	assert_int_equal(ea_walltime_log_anchors(w, &ev, 1, 0x566ab29e3d21f8d8ULL, 0, TERMS, 5, 1, NULL, 0), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	ea_walltime_est e;
	ea_walltime_at(w, 20, &e);
	assert_int_equal(e.lo_us, T0 + 1 * S);
	assert_int_equal(e.hi_us, T0 + 2 * S);
	assert_int_equal(e.source, EA_WALLTIME_LEASE_RENEW);
	ea_walltime_at(w, 99, &e);   /* the later entries keep the old upper bound, not a lower one */
	assert_int_equal(e.lo_us, T0 + 1 * S);
	ea_walltime_free(w);

	parse("{\"level\":\"info\",\"ts\":\"2026-12-05T10:51:07.500Z\",\"msg\":\"566ab29e3d21f8d8 became leader at term 3\"}", &ev);
	w = base(k, 1);
	assert_int_equal(ea_walltime_log_anchors(w, &ev, 1, 0x566ab29e3d21f8d8ULL, 0, TERMS, 5, 1, NULL, 0), EA_OK);
	assert_int_equal(ea_walltime_finish(w), EA_OK);
	ea_walltime_at(w, 20, &e);
	assert_int_equal(e.lo_us, T0 + 1500 * MS - EA_WALLTIME_LOG_SLACK_US);
	assert_int_equal(e.hi_us, T0 + 1501 * MS);
	assert_int_equal(e.source, EA_WALLTIME_LEASE_RENEW);   /* the entry's own anchor kind stays */
	ea_walltime_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walltime_log__became_leader),
		cmocka_unit_test(test_walltime_log__upper_bounds),
		cmocka_unit_test(test_walltime_log__refused),
		cmocka_unit_test(test_walltime_log__never_widens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
