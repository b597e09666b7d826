/* fixture_file.c: a fixture archive's member read whole (fixture_file.h). */
#include "test.h"

#include <stdlib.h>

uint8_t *fixture_file_load(const char *scenario, const char *archive, const char *member,
                           const char *size_key, size_t *len)
{
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, fixture_path(scenario, archive), &err), EA_OK);
	long i = ea_input_find(in, member);
	assert_true(i >= 0);
	size_t n = (size_t)ea_input_at(in, (size_t)i)->size;
	if (size_key) assert_int_equal(n, manifest_u64(scenario, size_key));
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	assert_int_equal(ea_input_pread(in, (size_t)i, b, n, 0), (long)n);
	ea_input_close(in);
	*len = n;
	return b;
}
