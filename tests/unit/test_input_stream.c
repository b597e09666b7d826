/* test_input_stream.c: the WAL members of a compressed archive are streamed, not staged
 * (issue 18). Their bytes read back exactly, forwards, with small back-reads (kept), and after
 * going back to an earlier member (a reopen); past EA__MAX_REOPEN reopens they are staged
 * (a second note, `late`) and still read the same. The archive is made by GNU tar from files
 * written here. */
#include "test.h"
#include "source/input_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEG0 "member/wal/0000000000000000-0000000000000000.wal"
#define SEG1 "member/wal/0000000000000001-0000000000000010.wal"
#define SEG0_SIZE (12u << 20)   /* more than the 8 MiB kept */
#define SEG1_SIZE (3u << 20)

static int notes, late_notes;
static ea_stage_info last;

static void on_note(const ea_stage_info *s)
{
	notes++;
	late_notes += s->late;
	last = *s;
}

static uint8_t pat(int seg, uint64_t i) { return (uint8_t)(i * (seg ? 13 : 7) + (i >> 12) + (uint64_t)seg); }

static void write_file(const char *path, int seg, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++) fputc(pat(seg, i), f);
	fclose(f);
}

/* Reads [off, off+len) of member `name` and checks it against its pattern. */
static void check_range(ea_input *in, const char *name, int seg, uint64_t off, size_t len)
{
	long i = ea_input_find(in, name);
	assert_true(i >= 0);
	uint8_t *b = malloc(len);
	assert_non_null(b);
	assert_int_equal(ea_input_pread(in, (size_t)i, b, len, off), (long)len);
	for (size_t k = 0; k < len; k++)
		if (b[k] != pat(seg, off + k)) fail_msg("%s byte %llu differs", name, (unsigned long long)(off + k));
	free(b);
}

static void test_input_stream__wal_streamed(void **state)
{
	(void)state;
	const char *t = test_tmpdir("stream");
	char p[4200], cmd[9000];
	snprintf(p, sizeof p, "%s/src/member/wal", t);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/src/member/snap'", p, t);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof p, "%s/src/" SEG0, t);
	write_file(p, 0, SEG0_SIZE);
	snprintf(p, sizeof p, "%s/src/" SEG1, t);
	write_file(p, 1, SEG1_SIZE);
	snprintf(p, sizeof p, "%s/src/member/snap/db", t);
	write_file(p, 2, 65536);
	snprintf(cmd, sizeof cmd, "tar --sort=name -C '%s/src' -czf '%s/a.tar.gz' member", t, t);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof p, "%s/a.tar.gz", t);

	ea_input_set_stage_note(on_note);
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, p, &err), EA_OK);
	assert_int_equal(notes, 1);
	assert_int_equal(last.stream_n, 2);
	assert_int_equal(last.stream_bytes, SEG0_SIZE + SEG1_SIZE);
	assert_int_equal(last.staged_n, 1);   /* the db */
	assert_int_equal(last.late, 0);
	assert_null(ea__input_map(in, (size_t)ea_input_find(in, SEG0)));   /* readers use pread */

	for (uint64_t off = 0; off < SEG0_SIZE; off += 1u << 20) check_range(in, SEG0, 0, off, 1u << 20);
	check_range(in, SEG0, 0, SEG0_SIZE - (6u << 20), 4u << 20);   /* a back-read within the kept bytes */
	check_range(in, "member/snap/db", 2, 0, 65536);
	/* back to an earlier member: a reopen each time; EA__MAX_REOPEN of them are served so */
	for (int k = 0; k < EA__MAX_REOPEN; k++) {
		check_range(in, SEG1, 1, 0, 4096);
		check_range(in, SEG0, 0, 100, 8192);
	}
	assert_int_equal(late_notes, 0);
	check_range(in, SEG1, 1, 0, 4096);
	check_range(in, SEG0, 0, 100, 8192);   /* one more: staged */
	assert_int_equal(late_notes, 1);
	assert_int_equal(last.stream_n, 0);
	assert_int_equal(last.staged_n, 3);
	assert_non_null(last.stream_why);
	check_range(in, SEG0, 0, 0, SEG0_SIZE);
	check_range(in, SEG1, 1, 0, SEG1_SIZE);
	ea_input_close(in);
	ea_input_set_stage_note(NULL);
	test_tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_stream__wal_streamed),
	};
	return cmocka_run_group_tests_name("input_stream", tests, NULL, NULL);
}
