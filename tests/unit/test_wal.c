/* test_wal.c: the WAL reader on real etcd fixtures (facts from etcd's own endpoint status),
 * on the corrupted variants (offsets recorded by fixtures/make-corrupt.py), and on small
 * synthetic segments for the edge cases etcd's writer never produces on demand. */
#include "test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *scenarios[] = { "healthy", "leader-change", "follower-behind" };
static const char *members[] = { "n1", "n2", "n3" };

static const char *key(const char *node, const char *k)
{
	static char b[4][128];
	static int i;
	char *p = b[i++ & 3];
	snprintf(p, 128, "%s.%s", node, k);
	return p;
}

static void summarize(const char *path, ea_wal_summary *s, ea_wal **w, ea_input **in)
{
	ea_error err = { 0 };
	int rc = ea_input_open(in, path, &err);
	if (rc) fail_msg("open %s: %s", path, err.msg);
	rc = ea_wal_summarize(*in, NULL, s, w, &err);
	if (rc) fail_msg("summarize %s: %s", path, err.msg);
}

/* ---- real etcd fixtures ---- */

static void test_wal__fixtures_match_endpoint_status(void **state)
{
	(void)state;
	for (size_t k = 0; k < 3; k++)
		for (size_t m = 0; m < 3; m++) {
			const char *sc = scenarios[k], *n = members[m];
			char file[32];
			snprintf(file, sizeof file, "%s.tar.gz", n);
			ea_wal_summary s;
			ea_wal *w;
			ea_input *in;
			summarize(fixture_path(sc, file), &s, &w, &in);
			uint64_t idx = manifest_u64(sc, key(n, "raft_index"));
			uint64_t term = manifest_u64(sc, key(n, "raft_term"));
			/* endpoint status raftIndex is the committed index; etcd was quiescent */
			assert_true(s.have_metadata && s.have_entries && s.have_hard_state);
			assert_int_equal(s.member_id, manifest_hex(sc, key(n, "member_id")));
			assert_int_equal(s.cluster_id, manifest_hex(sc, "cluster_id"));
			assert_int_equal(s.last_index, idx);
			assert_int_equal(s.last_term, term);
			assert_int_equal(s.hard_state.commit, idx);
			assert_int_equal(s.hard_state.term, term);
			/* the vote in the final term is the leader etcd reported (0 when the member
			 * followed the leader without voting) */
			if (s.hard_state.vote)
				assert_int_equal(s.hard_state.vote, manifest_hex(sc, key(n, "leader")));
			assert_int_equal(ea_wal_segment_count(w), manifest_u64(sc, key(n, "wal_segments")));
			/* segment names in order, as listed from the data dir */
			const char *names = manifest_get(sc, key(n, "wal_files"));
			assert_non_null(names);
			for (size_t i = 0; i < ea_wal_segment_count(w); i++) {
				const char *f = ea_wal_segment_at(w, i)->file;
				const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
				assert_non_null(strstr(names, base));
			}
			assert_int_equal(s.problem_count, 0);
			assert_int_equal(s.metadata_conflicts, 0);
			assert_int_equal(s.records[0], 0);
			ea_wal_summary_free(&s);
			ea_wal_close(w);
			ea_input_close(in);
		}
}

/* Request IDs name their proposer: the low 16 bits must be one of the cluster's members. */
static void test_wal__request_ids_name_members(void **state)
{
	(void)state;
	const char *sc = "leader-change";
	uint16_t low[3];
	for (int m = 0; m < 3; m++) low[m] = (uint16_t)manifest_hex(sc, key(members[m], "member_id"));
	ea_error err = { 0 };
	ea_input *in;
	ea_log *log;
	assert_int_equal(ea_input_open(&in, fixture_path(sc, "n1.tar.gz"), &err), 0);
	assert_int_equal(ea_log_open(&log, in, NULL, &err), 0);
	ea_entry_decoder *dec;
	assert_int_equal(ea_entry_decoder_new(&dec), 0);
	ea_log_item li;
	int with_id = 0, puts = 0;
	while (ea_log_next(log, &li) == 0) {
		if (li.item.kind != EA_WAL_ITEM_RECORD || li.item.rec.type != EA_WAL_ENTRY) continue;
		ea_entry_info info;
		const ea_wal_segment *seg = ea_wal_segment_at(ea_log_wal(log), li.item.rec.segment);
		assert_int_equal(ea_entry_decode(dec, &li.item.rec.u.entry, seg->mtime * 1000, &info), 0);
		assert_true(info.decode_ok);
		assert_string_not_equal(info.kind, "unknown");
		if (strcmp(info.kind, "put") == 0) puts++;
		if (!info.request_id) continue;
		with_id++;
		int found = 0;
		for (int m = 0; m < 3; m++) found |= info.proposer_low16 == low[m];
		assert_true(found);
		/* the proposer started before this segment was last written, and not years before */
		assert_true(info.proposer_started_ms <= seg->mtime * 1000 + 1000);
		assert_true(info.proposer_started_ms > (seg->mtime - 86400) * 1000);
	}
	assert_true(with_id > 10);
	assert_true(puts > 10);
	ea_entry_decoder_free(dec);
	ea_log_close(log);
	ea_input_close(in);
}

/* ---- corrupted variants ---- */

typedef struct {
	size_t problems;
	const ea_problem_owned *first_in_file;
	size_t records_in_file;
	size_t records_total;
} scan_result;

static ea_problem_owned first_problem;

static void scan(const char *variant, const char *target, scan_result *r)
{
	char file[64];
	snprintf(file, sizeof file, "%s.tar.gz", variant);
	ea_error err = { 0 };
	ea_input *in;
	ea_wal *w;
	assert_int_equal(ea_input_open(&in, fixture_path("corrupt", file), &err), 0);
	assert_int_equal(ea_wal_open(&w, in, NULL, &err), 0);
	memset(r, 0, sizeof *r);
	ea_wal_item it;
	int rc;
	while ((rc = ea_wal_next(w, &it)) == 0) {
		if (it.kind == EA_WAL_ITEM_PROBLEM) {
			if (r->problems++ == 0) ea_problem_copy(&first_problem, &it.problem);
			continue;
		}
		r->records_total++;
		if (strcmp(it.rec.file, target) == 0) r->records_in_file++;
	}
	assert_int_equal(rc, EA_ITEROVER);
	ea_wal_close(w);
	ea_input_close(in);
}

static const char *cm(const char *variant, const char *k)
{
	static char b[4][128];
	static int i;
	char *p = b[i++ & 3];
	snprintf(p, 128, "%s.%s", variant, k);
	return manifest_get("corrupt", p);
}

static uint64_t cmu(const char *variant, const char *k)
{
	const char *v = cm(variant, k);
	assert_non_null(v);
	return strtoull(v, NULL, 10);
}

static void test_wal__torn_tail(void **state)
{
	(void)state;
	scan_result r;
	const char *v = "torn-tail";
	scan(v, cm(v, "file"), &r);
	assert_int_equal(r.problems, 1);
	assert_string_equal(first_problem.p.kind, "torn-tail");
	assert_string_equal(first_problem.p.file, cm(v, "file"));
	assert_int_equal(first_problem.p.offset, cmu(v, "offset"));
	assert_int_equal(first_problem.p.severity, EA_SEV_WARNING);
	assert_int_equal(r.records_in_file, cmu(v, "frames_intact_before") + cmu(v, "frames_intact_after"));
	ea_problem_owned_free(&first_problem);
}

static void test_wal__bitflip(void **state)
{
	(void)state;
	scan_result r;
	const char *v = "bitflip";
	scan(v, cm(v, "file"), &r);
	assert_int_equal(r.problems, 1);
	assert_string_equal(first_problem.p.kind, "crc-mismatch");
	assert_string_equal(first_problem.p.file, cm(v, "file"));
	assert_int_equal(first_problem.p.offset, cmu(v, "offset"));
	assert_int_equal(first_problem.p.severity, EA_SEV_ERROR);
	/* framing is intact: every frame is still read, the damaged one flagged */
	assert_int_equal(r.records_in_file, cmu(v, "frames_total"));
	ea_problem_owned_free(&first_problem);
}

static void test_wal__zeroed_block(void **state)
{
	(void)state;
	scan_result r;
	const char *v = "zeroed-block";
	scan(v, cm(v, "file"), &r);
	assert_true(r.problems >= 1);
	assert_string_equal(first_problem.p.file, cm(v, "file"));
	assert_int_equal(first_problem.p.offset, cmu(v, "offset"));
	assert_int_equal(first_problem.p.severity, EA_SEV_ERROR);
	/* the damaged frame is skipped, every frame before and after it is read */
	assert_int_equal(r.records_in_file, cmu(v, "frames_intact_before") + cmu(v, "frames_intact_after"));
	ea_problem_owned_free(&first_problem);
}

static void test_wal__missing_segment(void **state)
{
	(void)state;
	scan_result r;
	const char *v = "missing-segment";
	const char *missing = cm(v, "file");
	/* the reader names the segment after the gap (the missing file's index part is unknown) */
	char next[4096];
	snprintf(next, sizeof next, "%s", manifest_get("healthy", "n1.wal_files"));
	char *third = strrchr(next, ',');
	assert_non_null(third);
	char expect[4096];
	snprintf(expect, sizeof expect, "n1/member/wal/%s", third + 1);
	scan(v, expect, &r);
	assert_true(r.problems >= 1);
	assert_string_equal(first_problem.p.kind, "missing-segment");
	assert_string_equal(first_problem.p.file, expect);
	assert_int_equal(first_problem.p.offset, cmu(v, "offset"));
	/* the message names the missing seq, read from the removed file's name */
	const char *base = strrchr(missing, '/') + 1;
	char seq[32];
	snprintf(seq, sizeof seq, "seq %llu..", strtoull(base, NULL, 16));
	assert_non_null(strstr(first_problem.p.message, seq));
	ea_problem_owned_free(&first_problem);
}

/* The variants hold the same records as the clean copy outside the damaged segment. */
static void test_wal__untouched_segments_identical(void **state)
{
	(void)state;
	ea_wal_summary clean, bad;
	ea_wal *w1, *w2;
	ea_input *i1, *i2;
	summarize(fixture_path("healthy", "n1.tar.gz"), &clean, &w1, &i1);
	summarize(fixture_path("corrupt", "bitflip.tar.gz"), &bad, &w2, &i2);
	assert_int_equal(ea_wal_segment_count(w1), ea_wal_segment_count(w2));
	for (size_t i = 0; i < ea_wal_segment_count(w1); i++)
		assert_int_equal(ea_wal_segment_at(w1, i)->records, ea_wal_segment_at(w2, i)->records);
	assert_int_equal(clean.last_index, bad.last_index);
	assert_int_equal(clean.hard_state.commit, bad.hard_state.commit);
	ea_wal_summary_free(&clean); ea_wal_summary_free(&bad);
	ea_wal_close(w1); ea_wal_close(w2);
	ea_input_close(i1); ea_input_close(i2);
}

/* ---- synthetic segments ---- */

static const char *write_segments(const char *sub, walgen *g, int nseg, size_t prealloc)
{
	(void)nseg;
	const char *dir = test_tmpdir(sub);
	assert_int_equal(walgen_write(g, dir, "0000000000000000-0000000000000000.wal", prealloc), 0);
	return dir;
}

static int collect(const char *dir, ea_wal_item *out, int max, ea_problem_owned *probs, int *nprob,
                   uint64_t *superseded)
{
	ea_error err = { 0 };
	ea_input *in;
	ea_log *log;
	assert_int_equal(ea_input_open(&in, dir, &err), 0);
	assert_int_equal(ea_log_open(&log, in, NULL, &err), 0);
	ea_log_item li;
	int n = 0;
	*nprob = 0;
	while (ea_log_next(log, &li) == 0) {
		if (li.item.kind == EA_WAL_ITEM_PROBLEM) {
			ea_problem_copy(&probs[(*nprob)++], &li.item.problem);
			continue;
		}
		if (li.item.rec.type == EA_WAL_ENTRY && n < max) {
			out[n] = li.item;
			superseded[n] = li.superseded ? li.superseded_by_term : 0;
			n++;
		}
	}
	ea_log_close(log);
	ea_input_close(in);
	return n;
}

static void test_wal__superseded_entries(void **state)
{
	(void)state;
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 0x1111, 0x2222);
	walgen_snapshot(&g, 0, 0);
	for (uint64_t i = 1; i <= 5; i++) walgen_entry(&g, 0, 1, i, NULL, 0);
	walgen_state(&g, 1, 0x1111, 3);
	/* a new leader in term 2 overwrites 4 and 5 */
	walgen_entry(&g, 0, 2, 4, NULL, 0);
	walgen_entry(&g, 0, 2, 5, NULL, 0);
	walgen_entry(&g, 0, 2, 6, NULL, 0);
	walgen_state(&g, 2, 0x3333, 6);
	const char *dir = write_segments("superseded/wal", &g, 1, 4096);
	ea_wal_item items[16];
	ea_problem_owned probs[8];
	uint64_t sup[16];
	int np;
	int n = collect(dir, items, 16, probs, &np, sup);
	assert_int_equal(np, 0);
	assert_int_equal(n, 8);
	uint64_t expect_sup[8] = { 0, 0, 0, 2, 2, 0, 0, 0 };
	for (int i = 0; i < 8; i++) assert_int_equal(sup[i], expect_sup[i]);

	ea_wal_summary s;
	ea_wal *w;
	ea_input *in;
	summarize(dir, &s, &w, &in);
	assert_int_equal(s.superseded, 2);
	assert_int_equal(s.last_index, 6);
	assert_int_equal(s.last_term, 2);
	assert_int_equal(s.hard_state.vote, 0x3333);
	ea_wal_summary_free(&s);
	ea_wal_close(w);
	ea_input_close(in);
	walgen_free(&g);
}

static void test_wal__zeros_then_records_are_found(void **state)
{
	(void)state;
	/* [records][zeroed record][records]: etcd stops at the zeros; we report and go on */
	walgen h;
	walgen_init(&h);
	walgen_segment_start(&h);
	walgen_metadata(&h, 1, 2);
	walgen_entry(&h, 0, 1, 1, NULL, 0);
	size_t cut = h.len;
	walgen_entry(&h, 0, 1, 2, "abc", 3);   /* this record will be zeroed */
	size_t after = h.len;
	walgen_entry(&h, 0, 1, 3, NULL, 0);
	walgen_state(&h, 1, 1, 3);
	memset(h.buf + cut, 0, after - cut);
	const char *dir = write_segments("zeros/wal", &h, 1, 8192);
	ea_wal_item items[8];
	ea_problem_owned probs[8];
	uint64_t sup[8];
	int np;
	int n = collect(dir, items, 8, probs, &np, sup);
	assert_int_equal(n, 2);  /* entries 1 and 3 */
	assert_int_equal(items[1].rec.u.entry.index, 3);
	assert_true(np >= 1);
	assert_string_equal(probs[0].p.kind, "zeroed-region");
	assert_int_equal(probs[0].p.offset, cut);
	assert_int_equal(probs[0].p.length, after - cut);
	for (int i = 0; i < np; i++) ea_problem_owned_free(&probs[i]);
	walgen_free(&h);
}

static void test_wal__impossible_length_resyncs(void **state)
{
	(void)state;
	walgen h;
	walgen_init(&h);
	walgen_segment_start(&h);
	walgen_metadata(&h, 1, 2);
	size_t bad = walgen_entry(&h, 0, 1, 1, NULL, 0);
	walgen_entry(&h, 0, 1, 2, NULL, 0);
	walgen_state(&h, 1, 1, 2);
	/* length word claims 2^56-1 bytes */
	memset(h.buf + bad, 0xff, 7);
	h.buf[bad + 7] = 0;
	const char *dir = write_segments("biglen/wal", &h, 1, 4096);
	ea_wal_item items[8];
	ea_problem_owned probs[8];
	uint64_t sup[8];
	int np;
	int n = collect(dir, items, 8, probs, &np, sup);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].rec.u.entry.index, 2);
	assert_true(np >= 1);
	assert_string_equal(probs[0].p.kind, "impossible-length");
	assert_int_equal(probs[0].p.offset, bad);
	for (int i = 0; i < np; i++) ea_problem_owned_free(&probs[i]);
	walgen_free(&h);
}

static void test_wal__tmp_and_foreign_files_ignored(void **state)
{
	(void)state;
	walgen h;
	walgen_init(&h);
	walgen_segment_start(&h);
	walgen_metadata(&h, 1, 2);
	walgen_entry(&h, 0, 1, 1, NULL, 0);
	const char *dir = write_segments("tmpfiles/wal", &h, 1, 0);
	assert_int_equal(walgen_write(&h, dir, "0.tmp", 4096), 0);
	assert_int_equal(walgen_write(&h, dir, "notes.txt", 0), 0);
	ea_wal_summary s;
	ea_wal *w;
	ea_input *in;
	summarize(dir, &s, &w, &in);
	assert_int_equal(ea_wal_segment_count(w), 1);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.problem_count, 0);
	ea_wal_summary_free(&s);
	ea_wal_close(w);
	ea_input_close(in);
	walgen_free(&h);
}

static void test_wal__no_segments_is_not_found(void **state)
{
	(void)state;
	const char *dir = test_tmpdir("empty");
	ea_error err = { 0 };
	ea_input *in;
	ea_wal *w;
	assert_int_equal(ea_input_open(&in, dir, &err), 0);
	assert_int_equal(ea_wal_open(&w, in, NULL, &err), EA_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no WAL segments"));
	ea_input_close(in);
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
		cmocka_unit_test(test_wal__fixtures_match_endpoint_status),
		cmocka_unit_test(test_wal__request_ids_name_members),
		cmocka_unit_test(test_wal__torn_tail),
		cmocka_unit_test(test_wal__bitflip),
		cmocka_unit_test(test_wal__zeroed_block),
		cmocka_unit_test(test_wal__missing_segment),
		cmocka_unit_test(test_wal__untouched_segments_identical),
		cmocka_unit_test(test_wal__superseded_entries),
		cmocka_unit_test(test_wal__zeros_then_records_are_found),
		cmocka_unit_test(test_wal__impossible_length_resyncs),
		cmocka_unit_test(test_wal__tmp_and_foreign_files_ignored),
		cmocka_unit_test(test_wal__no_segments_is_not_found),
	};
	return cmocka_run_group_tests_name("wal", tests, NULL, teardown);
}
