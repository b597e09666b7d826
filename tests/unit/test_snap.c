/* test_snap.c: .snap files: the healthy fixture's snapshots against the manifest (member IDs,
 * names) and their file names, and hand-made files for CRC mismatch, empty file, name vs
 * content disagreement, .snap.broken and .snap.db. */
#include "test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *key(const char *node, const char *k)
{
	static char b[4][128];
	static int i;
	char *p = b[i++ & 3];
	snprintf(p, 128, "%s.%s", node, k);
	return p;
}

static void test_snap__healthy_fixture(void **state)
{
	(void)state;
	ea_error err = { 0 };
	ea_input *in;
	assert_int_equal(ea_input_open(&in, fixture_path("healthy", "n1.tar.gz"), &err), 0);
	ea_snap_list *l;
	assert_int_equal(ea_snap_list_open(&l, in, 0, &err), 0);
	assert_int_equal(ea_snap_list_count(l), 4);          /* README: 4 .snap files per member */
	assert_int_equal(ea_snap_list_problem_count(l), 0);
	uint64_t prev = 0;
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		const ea_snap_info *f = ea_snap_list_at(l, i);
		assert_string_equal(f->kind, "snap");
		assert_true(f->name_ok && f->decoded && f->v2_ok);
		assert_int_equal(f->crc_ok, 1);
		assert_int_equal(f->term, f->name_term);
		assert_int_equal(f->index, f->name_index);
		assert_int_equal(f->term, manifest_u64("healthy", "n1.raft_term"));
		assert_true(f->index > prev && f->index <= manifest_u64("healthy", "n1.raft_index"));
		prev = f->index;
		assert_string_equal(f->cluster_version, "3.4.0");
		assert_int_equal(f->n_voters, 3);
		assert_int_equal(f->n_members, 3);
		static const char *names[] = { "n1", "n2", "n3" };
		for (int n = 0; n < 3; n++) {
			uint64_t id = manifest_hex("healthy", key(names[n], "member_id"));
			int voter = 0, named = 0;
			for (size_t v = 0; v < f->n_voters; v++) voter |= f->voters[v] == id;
			for (size_t m = 0; m < f->n_members; m++)
				if (f->members[m].id == id) {
					named = strcmp(f->members[m].name, names[n]) == 0;
					assert_non_null(strstr(f->members[m].peer_urls, "http://127.0.0.1:"));
					assert_false(f->members[m].removed);
				}
			assert_true(voter);
			assert_true(named);
		}
	}
	ea_snap_list_close(l);
	ea_input_close(in);
}

/* snappb.snapshot{crc, raftpb.Snapshot{data = json, metadata{conf_state{voters}, index, term}}} */
static size_t make_snap(uint8_t *out, uint64_t term, uint64_t index, const char *json, int bad_crc)
{
	uint8_t inner[4096], meta[256], cs[64];
	size_t c = 0, m = 0, n = 0;
	cs[c++] = 0x08; c += pb_put_varint(cs + c, 0x1234);
	cs[c++] = 0x28; cs[c++] = 0;
	meta[m++] = 0x0a; meta[m++] = (uint8_t)c; memcpy(meta + m, cs, c); m += c;
	meta[m++] = 0x10; m += pb_put_varint(meta + m, index);
	meta[m++] = 0x18; m += pb_put_varint(meta + m, term);
	size_t jl = strlen(json);
	inner[n++] = 0x0a; n += pb_put_varint(inner + n, jl); memcpy(inner + n, json, jl); n += jl;
	inner[n++] = 0x12; inner[n++] = (uint8_t)m; memcpy(inner + n, meta, m); n += m;
	uint32_t crc = ea_crc32c(0, inner, n) ^ (bad_crc ? 1u : 0u);
	size_t o = 0;
	out[o++] = 0x08; o += pb_put_varint(out + o, crc);
	out[o++] = 0x12; o += pb_put_varint(out + o, n); memcpy(out + o, inner, n); o += n;
	return o;
}

static void put(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n) assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

static const ea_problem *problem_for(const ea_snap_list *l, const char *file_suffix, const char *kind)
{
	for (size_t i = 0; i < ea_snap_list_problem_count(l); i++) {
		const ea_problem *p = ea_snap_list_problem_at(l, i);
		size_t a = strlen(p->file), b = strlen(file_suffix);
		if (a >= b && strcmp(p->file + a - b, file_suffix) == 0 && strcmp(p->kind, kind) == 0) return p;
	}
	return NULL;
}

static void test_snap__malformed_files(void **state)
{
	(void)state;
	const char *dir = test_tmpdir("member/snap");
	const char *json = "{\"Root\":{\"Children\":{\"0\":{\"Children\":{"
	                   "\"members\":{\"Children\":{\"1234\":{\"Children\":{"
	                   "\"attributes\":{\"Value\":\"{\\\"name\\\":\\\"x\\\",\\\"clientURLs\\\":[\\\"http://a\\\"]}\"},"
	                   "\"raftAttributes\":{\"Value\":\"{\\\"peerURLs\\\":[\\\"http://b\\\",\\\"http://c\\\"]}\"}}}}},"
	                   "\"removed_members\":{\"Children\":{\"99\":{}}},"
	                   "\"version\":{\"Value\":\"3.5.0\"}}}}}}";
	uint8_t b[8192];
	size_t n = make_snap(b, 2, 0x10, json, 0);
	put(dir, "0000000000000002-0000000000000010.snap", b, n);
	n = make_snap(b, 2, 0x20, json, 1);
	put(dir, "0000000000000002-0000000000000020.snap", b, n);
	n = make_snap(b, 3, 0x31, json, 0);
	put(dir, "0000000000000003-0000000000000030.snap", b, n);
	put(dir, "0000000000000002-0000000000000040.snap", b, 0);
	n = make_snap(b, 2, 0x05, json, 0);
	put(dir, "0000000000000002-0000000000000005.snap.broken", b, n);
	put(dir, "0000000000000050.snap.db", b, 10);
	put(dir, "0000000000000002-0000000000000060.snap", b, n / 2);   /* truncated */

	ea_error err = { 0 };
	ea_input *in;
	assert_int_equal(ea_input_open(&in, test_tmpdir(NULL), &err), 0);
	ea_snap_list *l;
	assert_int_equal(ea_snap_list_open(&l, in, 0, &err), 0);
	assert_int_equal(ea_snap_list_count(l), 7);

	const ea_snap_info *ok = ea_snap_list_at(l, 1);
	assert_non_null(strstr(ok->file, "0000000000000002-0000000000000010.snap"));
	assert_int_equal(ok->crc_ok, 1);
	assert_int_equal(ok->index, 0x10);
	assert_int_equal(ok->n_voters, 1);
	assert_int_equal(ok->voters[0], 0x1234);
	assert_string_equal(ok->cluster_version, "3.5.0");
	assert_int_equal(ok->n_members, 2);
	assert_int_equal(ok->members[0].id, 0x1234);
	assert_string_equal(ok->members[0].name, "x");
	assert_string_equal(ok->members[0].peer_urls, "http://b,http://c");
	assert_string_equal(ok->members[0].client_urls, "http://a");
	assert_true(ok->members[1].removed);
	assert_int_equal(ok->members[1].id, 0x99);

	assert_non_null(problem_for(l, "0000000000000002-0000000000000020.snap", "crc-mismatch"));
	assert_non_null(problem_for(l, "0000000000000003-0000000000000030.snap", "snap-name-mismatch"));
	assert_non_null(problem_for(l, "0000000000000002-0000000000000040.snap", "snap-invalid"));
	const ea_problem *t = problem_for(l, "0000000000000002-0000000000000060.snap", "snap-invalid");
	assert_non_null(t);
	assert_non_null(strstr(t->message, "truncated"));
	const ea_snap_info *br = ea_snap_list_at(l, 0);
	assert_string_equal(br->kind, "snap.broken");
	assert_non_null(strstr(br->note, "failed to load"));
	const ea_snap_info *db = ea_snap_list_at(l, 6);
	assert_string_equal(db->kind, "snap.db");
	assert_int_equal(db->name_index, 0x50);
	assert_int_equal(db->crc_ok, -1);
	ea_snap_list_close(l);
	ea_input_close(in);
}

static void test_snap__none_is_not_found(void **state)
{
	(void)state;
	ea_error err = { 0 };
	ea_input *in;
	assert_int_equal(ea_input_open(&in, fixture_path("healthy", "backup.tar.gz"), &err), 0);
	ea_snap_list *l = NULL;
	assert_int_equal(ea_snap_list_open(&l, in, 0, &err), EA_ENOTFOUND);
	assert_null(l);
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
		cmocka_unit_test(test_snap__healthy_fixture),
		cmocka_unit_test(test_snap__malformed_files),
		cmocka_unit_test(test_snap__none_is_not_found),
	};
	return cmocka_run_group_tests_name("snap", tests, NULL, teardown);
}
