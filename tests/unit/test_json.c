/* test_json.c: the streaming JSON writer. The string scanner works in 16- and 8-byte blocks
 * with an overlapping last block; it is checked here against a byte-at-a-time reference for
 * every length up to 70 and every position of every kind of byte that needs escaping. */
#include "test.h"
#include "etcd-autopsy/writer.h"

#include <stdlib.h>
#include <string.h>

/* the reference: what JSON needs for one byte string (valid UTF-8 passes through) */
static size_t reference(char *out, const unsigned char *p, size_t n)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == '"') { memcpy(out + o, "\\\"", 2); o += 2; }
		else if (c == '\\') { memcpy(out + o, "\\\\", 2); o += 2; }
		else if (c == '\n') { memcpy(out + o, "\\n", 2); o += 2; }
		else if (c == '\t') { memcpy(out + o, "\\t", 2); o += 2; }
		else if (c == '\r') { memcpy(out + o, "\\r", 2); o += 2; }
		else if (c >= 0x20 && c < 0x7f) out[o++] = (char)c;
		else {
			/* only lone bytes here (no multi-byte sequences in this test) */
			o += (size_t)sprintf(out + o, "\\u00%02x", c);
		}
	}
	out[o++] = '"';
	out[o] = 0;
	return o;
}

static size_t write_bytes(char *out, size_t cap, const unsigned char *p, size_t n)
{
	FILE *f = fmemopen(out, cap, "w");
	assert_non_null(f);
	ea_json j;
	ea_json_init(&j, f);
	ea_json_bytes(&j, p, n);
	fclose(f);
	return strlen(out);
}

static void test_json__escaping_matches_bytewise_reference(void **state)
{
	(void)state;
	static const unsigned char specials[] = { '"', '\\', '\n', 0x01, 0x1f, 0x7f, 0x80, 0xff, 0x00 };
	unsigned char in[80] = { 0 };
	char got[800], want[800];
	size_t cases = 0;
	for (size_t n = 0; n <= 70; n++) {
		for (size_t i = 0; i < n; i++) in[i] = (unsigned char)('a' + i % 26);
		/* all plain */
		memset(got, 0, sizeof got);
		size_t gl = write_bytes(got, sizeof got, in, n), wl = reference(want, in, n);
		assert_int_equal(gl, wl);
		assert_string_equal(got, want);
		for (size_t pos = 0; pos < n; pos++) {
			for (size_t s = 0; s < sizeof specials; s++) {
				unsigned char keep = in[pos];
				in[pos] = specials[s];
				memset(got, 0, sizeof got);
				gl = write_bytes(got, sizeof got, in, n);
				wl = reference(want, in, n);
				assert_int_equal(gl, wl);
				assert_string_equal(got, want);
				in[pos] = keep;
				cases++;
			}
		}
	}
	assert_true(cases > 20000);
}

static void test_json__literal_keys_and_cached_times(void **state)
{
	(void)state;
	char out[256] = { 0 };
	FILE *f = fmemopen(out, sizeof out, "w");
	ea_json j;
	ea_json_init(&j, f);
	ea_json_object_begin(&j);
	EA_JSON_KEY(&j, "a"); ea_json_u64(&j, 1);
	EA_JSON_KEY(&j, "t"); ea_json_time_ms(&j, 1796354503123);
	ea_json_key(&j, "u"); ea_json_time_ms(&j, 1796354503123);
	EA_JSON_KEY(&j, "v"); ea_json_time_ms(&j, 0);
	ea_json_object_end(&j);
	ea_json_newline(&j);
	fclose(f);
	/* 1796354503 = 2026-12-04T03:21:43Z (date -u -d @1796354503) */
	assert_string_equal(out, "{\"a\":1,\"t\":\"2026-12-04T03:21:43.123Z\",\"u\":\"2026-12-04T03:21:43.123Z\","
	                         "\"v\":\"1970-01-01T00:00:00.000Z\"}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json__escaping_matches_bytewise_reference),
		cmocka_unit_test(test_json__literal_keys_and_cached_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
