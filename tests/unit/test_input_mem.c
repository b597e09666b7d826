/* test_input_mem.c: ea_input_open_mem, the in-memory byte source (fuzz targets, tests). */
#include "test.h"

#include <string.h>

static void test_input_mem__files_sorted_and_readable(void **state)
{
	(void)state;
	static const char a[] = "hello", b[] = "world!";
	ea_input_mem_file f[3] = {
		{ "./member/snap/db", b, 6, 7 },
		{ "member/wal/0000000000000000-0000000000000000.wal", a, 5, 5 },
		{ "empty", NULL, 0, 0 },
	};
	ea_input *in;
	assert_int_equal(ea_input_open_mem(&in, f, 3, NULL), EA_OK);
	assert_int_equal(ea_input_get_kind(in), EA_INPUT_MEM);
	assert_string_equal(ea_input_path(in), "(memory)");
	assert_int_equal(ea_input_count(in), 3);
	assert_string_equal(ea_input_at(in, 0)->name, "empty");
	assert_string_equal(ea_input_at(in, 1)->name, "member/snap/db");
	assert_int_equal(ea_input_at(in, 1)->size, 6);
	assert_int_equal(ea_input_at(in, 1)->mtime, 7);
	long i = ea_input_find(in, "member/wal/0000000000000000-0000000000000000.wal");
	assert_int_equal(i, 2);
	char buf[16] = { 0 };
	assert_int_equal(ea_input_pread(in, 2, buf, sizeof buf, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(ea_input_pread(in, 1, buf, 3, 4), 2);   /* clipped at the file end */
	assert_memory_equal(buf, "d!", 2);
	assert_int_equal(ea_input_pread(in, 0, buf, 3, 0), 0);
	assert_int_equal(ea_input_pread(in, 1, buf, 3, 100), 0);
	ea_input_close(in);
}

static void test_input_mem__unsafe_name_refused(void **state)
{
	(void)state;
	ea_input_mem_file f = { "member/../../etc/passwd", "x", 1, 0 };
	ea_input *in = (ea_input *)1;
	ea_error err;
	assert_int_equal(ea_input_open_mem(&in, &f, 1, &err), EA_EINVAL);
	assert_null(in);
	ea_input_mem_file g = { "", "x", 1, 0 };
	assert_int_equal(ea_input_open_mem(&in, &g, 1, &err), EA_EINVAL);
}

static void test_input_mem__wal_reader_over_memory(void **state)
{
	(void)state;
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 1, 2);
	walgen_entry(&g, 0, 1, 1, NULL, 0);
	ea_input_mem_file f = { "m/wal/0000000000000000-0000000000000000.wal", g.buf, g.len, 0 };
	ea_input *in;
	assert_int_equal(ea_input_open_mem(&in, &f, 1, NULL), EA_OK);
	ea_wal *w;
	assert_int_equal(ea_wal_open(&w, in, NULL, NULL), EA_OK);
	ea_wal_item it;
	int recs = 0;
	while (ea_wal_next(w, &it) == EA_OK) {
		assert_int_equal(it.kind, EA_WAL_ITEM_RECORD);
		recs++;
	}
	assert_int_equal(recs, 3);
	ea_wal_close(w);
	ea_input_close(in);
	walgen_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_mem__files_sorted_and_readable),
		cmocka_unit_test(test_input_mem__unsafe_name_refused),
		cmocka_unit_test(test_input_mem__wal_reader_over_memory),
	};
	return cmocka_run_group_tests_name("input_mem", tests, NULL, NULL);
}
