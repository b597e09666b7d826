/* test_history.c: raft history and cross-node diff on real etcd incidents. Leaders per term
 * come from etcd's own "became leader at term N" log lines, failed elections from its
 * "became candidate" lines, overwritten ranges from its "found conflict" line, all captured
 * in fixtures/<scenario>/manifest.txt when the fixture was made. */
#include "test.h"
#include "analysis/diff_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t open_nodes(const char *scenario, const char *const *files, ea_node **nodes)
{
	size_t n = 0;
	for (; files[n]; n++) {
		ea_error err = { 0 };
		char name[16];
		snprintf(name, sizeof name, "%.2s", files[n]);
		int rc = ea_node_open(&nodes[n], name, fixture_path(scenario, files[n]), &err);
		if (rc) fail_msg("%s/%s: %s", scenario, files[n], err.msg);
	}
	return n;
}

static void free_nodes(ea_node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) ea_node_close(nodes[i]);
}

/* terms and diff of the nodes; free with finish() */
static void analyse(ea_node **nodes, size_t n, ea_terms *t, ea_diff *d)
{
	assert_int_equal(ea_terms_build(nodes, n, t), 0);
	assert_int_equal(ea_diff_run(nodes, n, t, d), 0);
}

static void finish(ea_node **nodes, size_t n, ea_terms *t, ea_diff *d)
{
	ea_diff_free(d);
	ea_terms_free(t);
	free_nodes(nodes, n);
}

static const char *const three[] = { "n1.tar.gz", "n2.tar.gz", "n3.tar.gz", NULL };

/* "2:abc,3:def" → check every term's leader */
static void assert_leaders(const char *scenario, const ea_terms *t)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", manifest_get(scenario, "leader_terms"));
	int checked = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t term = strtoull(tok, NULL, 10);
		uint64_t leader = strtoull(strchr(tok, ':') + 1, NULL, 16);
		int found = 0;
		for (size_t r = 0; r < t->nrows; r++)
			if (t->rows[r].term == term) {
				found = 1;
				if (t->rows[r].leader != leader)
					fail_msg("%s term %" PRIu64 ": leader %" PRIx64 ", etcd's log says %" PRIx64, scenario, term,
					         t->rows[r].leader, leader);
				assert_false(t->rows[r].failed_election);
			}
		assert_true(found);
		checked++;
	}
	assert_true(checked >= 1);
}

static void test_history__leaders_match_etcd_logs(void **state)
{
	(void)state;
	static const char *sc[] = { "healthy", "leader-change", "follower-behind", "election-storm", "isolated-leader" };
	for (size_t k = 0; k < sizeof sc / sizeof *sc; k++) {
		ea_node *nodes[3];
		size_t n = open_nodes(sc[k], three, nodes);
		ea_terms t;
		assert_int_equal(ea_terms_build(nodes, n, &t), 0);
		assert_leaders(sc[k], &t);
		/* the final term is the one endpoint status reported */
		assert_int_equal(t.max_term_with_entries, manifest_u64(sc[k], "n1.raft_term"));
		ea_terms_free(&t);
		free_nodes(nodes, n);
	}
}

static void test_history__election_storm(void **state)
{
	(void)state;
	const char *sc = "election-storm";
	ea_node *nodes[3];
	size_t n = open_nodes(sc, three, nodes);
	ea_terms t;
	assert_int_equal(ea_terms_build(nodes, n, &t), 0);
	/* failed elections: exactly the terms where etcd logged a candidate but no leader */
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", manifest_get(sc, "failed_election_terms"));
	size_t expect = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t term = strtoull(tok, NULL, 10);
		int found = 0;
		for (size_t r = 0; r < t.nrows; r++)
			if (t.rows[r].term == term) { found = 1; assert_true(t.rows[r].failed_election); }
		assert_true(found);
		expect++;
	}
	assert_int_equal(t.failed_elections, expect);
	assert_int_equal(t.max_term, manifest_u64(sc, "max_term"));
	/* every vote etcd logged ("voter>candidate" in term) is in the WALs */
	snprintf(buf, sizeof buf, "%s", manifest_get(sc, "votes_cast"));
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t term = strtoull(tok, NULL, 10);
		char *c = strchr(tok, ':') + 1;
		uint64_t voter = strtoull(c, NULL, 16);
		uint64_t cand = strtoull(strchr(c, '>') + 1, NULL, 16);
		int found = 0;
		for (size_t r = 0; r < t.nrows; r++)
			if (t.rows[r].term == term)
				for (size_t v = 0; v < t.rows[r].nvotes; v++)
					found |= t.rows[r].votes[v].voter == voter && t.rows[r].votes[v].voted_for == cand;
		if (!found) fail_msg("vote %s not found", tok);
	}
	/* the diff calls it out */
	ea_diff d;
	assert_int_equal(ea_diff_run(nodes, n, &t, &d), 0);
	int storm = 0;
	for (size_t f = 0; f < d.nfindings; f++) storm |= strcmp(d.findings[f].kind, "term-inflation") == 0;
	assert_true(storm);
	assert_int_equal(d.verdict, EA_VERDICT_CONSISTENT);
	finish(nodes, n, &t, &d);
}

static int node_index(ea_node **nodes, size_t n, uint64_t member)
{
	for (size_t i = 0; i < n; i++) if (ea_node_wal(nodes[i])->summary.member_id == member) return (int)i;
	return -1;
}

static void test_history__isolated_leader_tail_superseded(void **state)
{
	(void)state;
	const char *sc = "isolated-leader";
	ea_node *nodes[3];
	size_t n = open_nodes(sc, three, nodes);
	int iso = node_index(nodes, n, manifest_hex(sc, "isolated_leader_id"));
	assert_true(iso >= 0);
	/* after rejoining, the old leader's WAL still holds its overwritten tail */
	ea_node *L = nodes[iso];
	assert_int_equal(ea_node_history(L)->nsup, 1);
	assert_int_equal(ea_node_history(L)->sup[0].from_index, manifest_u64(sc, "isolated.uncommitted_first"));
	assert_int_equal(ea_node_history(L)->sup[0].to_index, manifest_u64(sc, "isolated.uncommitted_last"));
	assert_int_equal(ea_node_history(L)->sup[0].term, manifest_u64(sc, "isolated.conflict_existing_term"));
	assert_int_equal(ea_node_history(L)->sup[0].by_term, manifest_u64(sc, "isolated.conflict_new_term"));
	for (size_t i = 0; i < n; i++) if ((int)i != iso) assert_int_equal(ea_node_history(nodes[i])->nsup, 0);
	/* all three agree now */
	ea_terms t;
	ea_diff d;
	analyse(nodes, n, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_CONSISTENT);
	assert_int_equal(d.nfindings, 0);
	finish(nodes, n, &t, &d);
}

/* isolated-leader with the isolated member's copy from before its restart (its uncommitted
 * tail not yet overwritten) */
static size_t open_before_restart(ea_node **nodes)
{
	const char *sc = "isolated-leader";
	const char *iso_name = manifest_get(sc, "isolated_leader");
	char before[64];
	snprintf(before, sizeof before, "%s-before-restart.tar.gz", iso_name);
	const char *files[4];
	size_t k = 0;
	for (size_t i = 0; three[i]; i++) files[k++] = strncmp(three[i], iso_name, 2) == 0 ? before : three[i];
	files[k] = NULL;
	return open_nodes(sc, files, nodes);
}

static void test_history__isolated_leader_before_restart_diverges(void **state)
{
	(void)state;
	const char *sc = "isolated-leader";
	ea_node *nodes[3];
	size_t n = open_before_restart(nodes);
	ea_terms t;
	ea_diff d;
	analyse(nodes, n, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_UNCOMMITTED_DIVERGENCE);
	assert_int_equal(d.first_divergent_index, manifest_u64(sc, "isolated.conflict_index"));
	int iso = node_index(nodes, n, manifest_hex(sc, "isolated_leader_id"));
	int found = 0;
	for (size_t f = 0; f < d.nfindings; f++) {
		if (strcmp(d.findings[f].kind, "uncommitted-divergence") != 0) continue;
		found++;
		assert_int_equal(d.findings[f].index, manifest_u64(sc, "isolated.conflict_index"));
		assert_true(d.findings[f].node_mask & (1u << iso));
		assert_string_equal(d.findings[f].severity, "warning");
	}
	assert_int_equal(found, 1);
	/* never recommend the side whose entries will be overwritten */
	assert_true(d.recommended >= 0);
	assert_int_not_equal(d.recommended, iso);
	assert_int_equal(ea_node_wal(nodes[d.recommended])->summary.hard_state.commit, manifest_u64(sc, "n1.raft_index"));
	finish(nodes, n, &t, &d);
}

/* The alignment pass gives the same answer read inline (small logs) or by one producer
 * thread per node (large logs; forced here on the fixtures). */
static void test_history__diff_threaded_equals_inline(void **state)
{
	(void)state;
	const char *sc = "isolated-leader";
	ea_node *nodes[3];
	size_t n = open_before_restart(nodes);
	ea_terms t;
	assert_int_equal(ea_terms_build(nodes, n, &t), 0);
	ea_diff inl, thr;
	uint64_t keep = ea__diff_threaded_min_bytes;
	ea__diff_threaded_min_bytes = UINT64_MAX;
	assert_int_equal(ea_diff_run(nodes, n, &t, &inl), 0);
	ea__diff_threaded_min_bytes = 0;
	assert_int_equal(ea_diff_run(nodes, n, &t, &thr), 0);
	ea__diff_threaded_min_bytes = keep;
	assert_int_equal(inl.verdict, EA_VERDICT_UNCOMMITTED_DIVERGENCE);
	assert_int_equal(thr.verdict, inl.verdict);
	assert_int_equal(thr.first_divergent_index, manifest_u64(sc, "isolated.conflict_index"));
	assert_int_equal(thr.first_divergent_index, inl.first_divergent_index);
	assert_int_equal(thr.nfindings, inl.nfindings);
	for (size_t f = 0; f < inl.nfindings; f++) {
		assert_string_equal(thr.findings[f].kind, inl.findings[f].kind);
		assert_int_equal(thr.findings[f].index, inl.findings[f].index);
		assert_string_equal(thr.findings[f].detail, inl.findings[f].detail);
	}
	ea_diff_free(&inl);
	finish(nodes, n, &t, &thr);
}

static void test_history__follower_behind_is_lagging(void **state)
{
	(void)state;
	const char *sc = "follower-behind";
	ea_node *nodes[3];
	size_t n = open_nodes(sc, three, nodes);
	ea_terms t;
	ea_diff d;
	analyse(nodes, n, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_LAGGING);
	assert_int_equal(d.nfindings, 1);
	assert_string_equal(d.findings[0].kind, "lagging");
	const char *stopped = manifest_get(sc, "stopped_early_member");
	char key[64];
	snprintf(key, sizeof key, "%s.raft_index", stopped);
	uint64_t behind_idx = manifest_u64(sc, key);
	snprintf(key, sizeof key, "%s.member_id", stopped);
	int lag = node_index(nodes, n, manifest_hex(sc, key));
	assert_int_equal(d.findings[0].node_mask, 1u << lag);
	assert_int_equal(d.findings[0].index, behind_idx + 1);
	char behind[64];
	snprintf(behind, sizeof behind, "%" PRIu64 " entries behind", manifest_u64(sc, "n1.raft_index") - behind_idx);
	assert_non_null(strstr(d.findings[0].detail, behind));
	assert_int_not_equal(d.recommended, lag);
	finish(nodes, n, &t, &d);
}

static void test_history__healthy_is_consistent(void **state)
{
	(void)state;
	ea_node *nodes[3];
	size_t n = open_nodes("healthy", three, nodes);
	ea_terms t;
	ea_diff d;
	analyse(nodes, n, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_CONSISTENT);
	assert_int_equal(d.nfindings, 0);
	assert_int_equal(d.first_divergent_index, 0);
	assert_true(d.recommended >= 0);
	/* the timeline has the leader of term 2 and every member's snapshots */
	ea_event *ev;
	size_t nev;
	assert_int_equal(ea_timeline_build(nodes, n, &t, &ev, &nev), 0);
	int leader = 0, snaps = 0, starts = 0;
	for (size_t i = 0; i < nev; i++) {
		if (strcmp(ev[i].event, "leader-elected") == 0 && ev[i].term == 2) leader++;
		if (strcmp(ev[i].event, "snapshot") == 0) snaps++;
		if (strcmp(ev[i].event, "member-start") == 0) { starts++; assert_string_equal(ev[i].time_source, "request-id"); }
	}
	assert_int_equal(leader, 1);
	assert_true(snaps >= 3);
	assert_true(starts >= 3);
	free(ev);
	finish(nodes, n, &t, &d);
}

static void test_history__damaged_member_not_recommended(void **state)
{
	(void)state;
	ea_node *nodes[3];
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nodes[0], "n1", fixture_path("corrupt", "bitflip.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open(&nodes[1], "n2", fixture_path("healthy", "n2.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open(&nodes[2], "n3", fixture_path("healthy", "n3.tar.gz"), &err), 0);
	ea_terms t;
	ea_diff d;
	analyse(nodes, 3, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_DAMAGED);
	int dmg = 0;
	for (size_t f = 0; f < d.nfindings; f++)
		if (strcmp(d.findings[f].kind, "wal-damage") == 0) {
			dmg++;
			assert_int_equal(d.findings[f].node_mask, 1u);
			assert_non_null(strstr(d.findings[f].detail, manifest_get("corrupt", "bitflip.file")));
		}
	assert_int_equal(dmg, 1);
	assert_true(d.recommended == 1 || d.recommended == 2);
	finish(nodes, 3, &t, &d);
}

/* fixtures/make-divergence.py: n3 with one committed entry edited and the CRC chain resealed */
static void test_history__committed_divergence(void **state)
{
	(void)state;
	const char *m = "divergence";
	ea_node *nodes[3];
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nodes[0], "n1", fixture_path("leader-change", "n1.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open(&nodes[1], "n2", fixture_path("leader-change", "n2.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open(&nodes[2], "n3", fixture_path(m, "committed-divergence.tar.gz"), &err), 0);
	/* the edited WAL is self-consistent: only the comparison can tell */
	assert_int_equal(ea_node_wal(nodes[2])->summary.problem_count, 0);
	ea_terms t;
	ea_diff d;
	analyse(nodes, 3, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_COMMITTED_DIVERGENCE);
	uint64_t idx = manifest_u64(m, "committed-divergence.index");
	assert_int_equal(d.first_divergent_index, idx);
	assert_int_equal(d.nfindings, 1);
	assert_string_equal(d.findings[0].kind, "committed-divergence");
	assert_string_equal(d.findings[0].severity, "critical");
	assert_int_equal(d.findings[0].index, idx);
	char where[256];
	snprintf(where, sizeof where, "%s+%s", manifest_get(m, "committed-divergence.file"),
	         manifest_get(m, "committed-divergence.frame_offset"));
	assert_non_null(strstr(d.findings[0].detail, where));
	assert_true(d.recommended == 0 || d.recommended == 1);
	finish(nodes, 3, &t, &d);
}

/* fixtures/make-divergence.py: n3's db with one value byte changed in a key-bucket leaf */
static void test_history__state_divergence(void **state)
{
	(void)state;
	const char *m = "divergence";
	ea_node *nodes[3];
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nodes[0], "n1", fixture_path("leader-change", "n1.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open(&nodes[1], "n2", fixture_path("leader-change", "n2.tar.gz"), &err), 0);
	assert_int_equal(ea_node_open(&nodes[2], "n3", fixture_path(m, "state-divergence.tar.gz"), &err), 0);
	/* etcd's HashKV of the untouched members */
	assert_int_equal(ea_node_db(nodes[0])->hash, manifest_u64("leader-change", "n1.hashkv"));
	ea_terms t;
	ea_diff d;
	analyse(nodes, 3, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_STATE_DIVERGENCE);
	/* the kv-hash-mismatch, and (issue 16) n3's replay of its own WAL: its db differs from it */
	assert_int_equal(d.nfindings, 2);
	int hm = -1, own = -1;
	for (size_t i = 0; i < d.nfindings; i++) {
		if (!strcmp(d.findings[i].kind, "kv-hash-mismatch")) hm = (int)i;
		if (!strcmp(d.findings[i].kind, "db-differs-from-own-wal")) own = (int)i;
	}
	assert_true(hm >= 0 && own >= 0);
	assert_int_equal(d.findings[hm].revision, (int64_t)manifest_u64(m, "state-divergence.revision"));
	assert_true(d.findings[hm].node_mask & 4u);
	assert_non_null(strstr(d.findings[hm].detail, manifest_get(m, "state-divergence.key")));
	assert_int_equal(d.findings[own].node_mask, 4u);
	assert_int_equal(d.findings[own].revision, (int64_t)manifest_u64(m, "state-divergence.revision"));
	assert_true(d.recommended == 0 || d.recommended == 1);
	finish(nodes, 3, &t, &d);
}

static const ea_conf_change *find_cc(const ea_node *nd, uint64_t index)
{
	for (size_t c = 0; c < ea_node_history(nd)->nconf; c++) if (ea_node_history(nd)->conf[c].index == index) return &ea_node_history(nd)->conf[c];
	return NULL;
}

/* learner added, promoted, a member removed: etcd reported each change's raft index */
static void test_history__membership_changes(void **state)
{
	(void)state;
	const char *sc = "membership";
	static const char *const four[] = { "n1.tar.gz", "n2.tar.gz", "n3.tar.gz", "n4.tar.gz", NULL };
	ea_node *nodes[4];
	size_t n = open_nodes(sc, four, nodes);
	const ea_conf_change *a = find_cc(nodes[0], manifest_u64(sc, "add.conf_change_index"));
	const ea_conf_change *p = find_cc(nodes[0], manifest_u64(sc, "promote.conf_change_index"));
	const ea_conf_change *r = find_cc(nodes[0], manifest_u64(sc, "remove.conf_change_index"));
	assert_non_null(a); assert_non_null(p); assert_non_null(r);
	assert_string_equal(a->kind, "confchange:add_learner");
	assert_int_equal(a->member_id, manifest_hex(sc, "learner_added"));
	assert_int_equal(a->term, manifest_u64(sc, "add.conf_change_term"));
	assert_string_equal(p->kind, "confchange:promote");
	assert_int_equal(p->member_id, manifest_hex(sc, "promoted"));
	assert_string_equal(r->kind, "confchange:remove");
	assert_int_equal(r->member_id, manifest_hex(sc, "removed"));
	assert_true(a->committed && p->committed && r->committed);
	ea_terms t;
	ea_diff d;
	analyse(nodes, n, &t, &d);
	/* the removed member is not lagging: it was removed, and its db agrees with its WAL */
	assert_int_equal(d.verdict, EA_VERDICT_CONSISTENT);
	int removed = node_index(nodes, n, manifest_hex(sc, "removed"));
	assert_int_equal(d.nfindings, 1);
	assert_string_equal(d.findings[0].kind, "member-removed");
	assert_int_equal(d.findings[0].node_mask, 1u << removed);
	assert_int_equal(d.findings[0].index, manifest_u64(sc, "remove.conf_change_index"));
	assert_int_not_equal(d.recommended, removed);
	finish(nodes, n, &t, &d);
}

static void test_history__snapshot_install(void **state)
{
	(void)state;
	const char *sc = "snapshot-catchup";
	ea_node *nodes[3];
	size_t n = open_nodes(sc, three, nodes);
	char key[64];
	snprintf(key, sizeof key, "%s.member_id", manifest_get(sc, "catchup_member"));
	int c = node_index(nodes, n, manifest_hex(sc, key));
	assert_true(c >= 0);
	assert_int_equal(ea_node_history(nodes[c])->ninstalls, 1);
	assert_int_equal(ea_node_history(nodes[c])->installs[0].index, manifest_u64(sc, "catchup_snapshot_index"));
	assert_int_equal(ea_node_history(nodes[c])->installs[0].term, manifest_u64(sc, "catchup_snapshot_term"));
	for (size_t i = 0; i < n; i++) if ((int)i != c) assert_int_equal(ea_node_history(nodes[i])->ninstalls, 0);
	ea_terms t;
	ea_diff d;
	analyse(nodes, n, &t, &d);
	assert_int_equal(d.verdict, EA_VERDICT_CONSISTENT);
	finish(nodes, n, &t, &d);
}

/* a db from another cluster put under a member's WAL: the classic botched restore */
static void test_history__swapped_db_is_state_divergence(void **state)
{
	(void)state;
	const char *dir = test_tmpdir("swap");
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "tar -C '%s' -xzf '%s' && mkdir -p '%s/other' && tar -C '%s/other' -xzf '%s' && "
	         "cp '%s/other/n1/member/snap/db' '%s/n1/member/snap/db'", dir, fixture_path("membership", "n1.tar.gz"),
	         dir, dir, fixture_path("leader-change", "n1.tar.gz"), dir, dir);
	assert_int_equal(system(cmd), 0);
	char path[4200];
	snprintf(path, sizeof path, "%s/n1", dir);
	ea_node *nodes[2];
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nodes[0], "swapped", path, &err), 0);
	assert_int_equal(ea_node_open(&nodes[1], "n3", fixture_path("membership", "n3.tar.gz"), &err), 0);
	ea_terms t;
	ea_diff d;
	analyse(nodes, 2, &t, &d);
	assert_true(d.verdict >= EA_VERDICT_STATE_DIVERGENCE);
	int mm = 0;
	for (size_t f = 0; f < d.nfindings; f++)
		if (strcmp(d.findings[f].kind, "membership-mismatch") == 0) { mm++; assert_int_equal(d.findings[f].node_mask, 1u); }
	assert_int_equal(mm, 1);
	assert_int_equal(d.recommended, 1);
	finish(nodes, 2, &t, &d);
	test_tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history__leaders_match_etcd_logs),
		cmocka_unit_test(test_history__election_storm),
		cmocka_unit_test(test_history__isolated_leader_tail_superseded),
		cmocka_unit_test(test_history__isolated_leader_before_restart_diverges),
		cmocka_unit_test(test_history__diff_threaded_equals_inline),
		cmocka_unit_test(test_history__follower_behind_is_lagging),
		cmocka_unit_test(test_history__healthy_is_consistent),
		cmocka_unit_test(test_history__damaged_member_not_recommended),
		cmocka_unit_test(test_history__committed_divergence),
		cmocka_unit_test(test_history__state_divergence),
		cmocka_unit_test(test_history__membership_changes),
		cmocka_unit_test(test_history__snapshot_install),
		cmocka_unit_test(test_history__swapped_db_is_state_divergence),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
