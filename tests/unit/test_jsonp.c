/* test_jsonp.c: the strict JSON parser's \u escapes: a surrogate pair is one code point, a
 * lone surrogate is U+FFFD as Go's encoding/json (etcd) decodes it, never the encoded
 * surrogate ED A0 80 that is not UTF-8. */
#include "test.h"
#include "util/jsonp.h"
#include "etcd-autopsy/writer.h"

#include <string.h>

static const char *name_of(ea_arena *a, const char *json)
{
	ea_jv *v = ea_jsonp_parse(a, json, strlen(json));
	assert_non_null(v);
	const char *s = ea_jsonp_str(v, "name");
	assert_non_null(s);
	assert_true(ea_utf8_valid(s, strlen(s)));
	return s;
}

static void test_jsonp__surrogates(void **state)
{
	(void)state;
	ea_arena a;
	ea_arena_init(&a, 1 << 20);
	assert_string_equal(name_of(&a, "{\"name\":\"\\ud83d\\ude00\"}"), "\xf0\x9f\x98\x80");
	assert_string_equal(name_of(&a, "{\"name\":\"a\\ud800b\"}"), "a\xef\xbf\xbd" "b");
	assert_string_equal(name_of(&a, "{\"name\":\"\\udc00\"}"), "\xef\xbf\xbd");
	assert_string_equal(name_of(&a, "{\"name\":\"\\ud800\\u0041\"}"), "\xef\xbf\xbd" "A");
	assert_string_equal(name_of(&a, "{\"name\":\"\\ud800\\ud800\"}"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(name_of(&a, "{\"name\":\"\\u001b]0;x\\u0007\"}"), "\x1b]0;x\x07");
	ea_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonp__surrogates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
