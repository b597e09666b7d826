/* test_yaml.c: ea_yaml_from_json (output/yaml.c): nested maps and lists, empty containers,
 * JSON Lines as YAML documents, strings kept in their JSON double-quoted form with the code
 * points YAML will not take raw escaped, and malformed or too deep text refused. Expected
 * texts are written here by hand from YAML 1.2 block style, not taken from the program. */
#include "test.h"
#include "etcd-autopsy/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the YAML of json, or NULL when the converter refused it */
static char *conv(const char *json, int *rc)
{
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	assert_non_null(m);
	*rc = ea_yaml_from_json(m, json, strlen(json));
	fclose(m);
	return text;
}

static void same(const char *json, const char *want)
{
	int rc;
	char *got = conv(json, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

static void test_yaml__maps_lists_and_empties(void **state)
{
	(void)state;
	same("{\"a\":1,\"b\":{\"c\":\"x\",\"d\":null},\"e\":[1,\"two\",{\"f\":true,\"g\":[]},[3,4]],\"h\":{}}\n",
	     "\"a\": 1\n"
	     "\"b\":\n  \"c\": \"x\"\n  \"d\": null\n"
	     "\"e\":\n  - 1\n  - \"two\"\n  - \"f\": true\n    \"g\": []\n  - - 3\n    - 4\n"
	     "\"h\": {}\n");
}

static void test_yaml__documents_per_record(void **state)
{
	(void)state;
	same("{\"a\":-2}\n{}\n{\"b\":\"c\"}\n", "\"a\": -2\n---\n{}\n---\n\"b\": \"c\"\n");
}

static void test_yaml__strings_json_form_and_escapes(void **state)
{
	(void)state;
	/* JSON escapes copied as they are; C1 (U+0085 too), U+2028 and U+FEFF escaped; é and U+FFFD raw */
	same("{\"k: \\\"q\\\"\":\"a\\n\\u0000\\\\\xc2\x85\xc2\x9f\xe2\x80\xa8\xef\xbb\xbf\xc3\xa9\xef\xbf\xbd\"}",
	     "\"k: \\\"q\\\"\": \"a\\n\\u0000\\\\\\u0085\\u009f\\u2028\\ufeff\xc3\xa9\xef\xbf\xbd\"\n");
}

static void test_yaml__refuses_bad_text(void **state)
{
	(void)state;
	const char *bad[] = { "[1]", "{\"a\"}", "{\"a\":1", "{\"a\":\"x", "{\"a\":[1,}", "{\"a\":}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc;
		free(conv(bad[i], &rc));
		assert_int_equal(rc, -1);
	}
	char deep[400] = "{\"a\":";
	for (int i = 0; i < 100; i++) strcat(deep, "[");
	int rc;
	free(conv(deep, &rc));
	assert_int_equal(rc, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml__maps_lists_and_empties),
		cmocka_unit_test(test_yaml__documents_per_record),
		cmocka_unit_test(test_yaml__strings_json_form_and_escapes),
		cmocka_unit_test(test_yaml__refuses_bad_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
