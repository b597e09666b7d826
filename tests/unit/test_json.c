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
		else if (c >= 0x80) {
			/* only lone bytes here (no multi-byte sequences in this test): not UTF-8 */
			memcpy(out + o, "\xEF\xBF\xBD", 3); o += 3;
		} else o += (size_t)sprintf(out + o, "\\u00%02x", c);
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

/* the writer's output for one object {"k": <bytes>} built with the generic calls, the
 * literal-key calls or the raw pieces */
enum { GENERIC, LITERAL, RAW };
static void obj_with(char *out, size_t cap, int how, const void *p, size_t n)
{
	memset(out, 0, cap);
	FILE *f = fmemopen(out, cap, "w");
	assert_non_null(f);
	ea_json j;
	ea_json_init(&j, f);
	if (how == RAW) {
		EA_JSON_RAW(&j, "{\"i\":"); ea_json_raw_u64(&j, 1);
		EA_JSON_RAW(&j, ",\"k\":"); ea_json_raw_str(&j, p, n);
		EA_JSON_RAW(&j, ",\"z\":"); ea_json_raw_u64(&j, 2);
		EA_JSON_RAW(&j, "}");
	} else {
		ea_json_object_begin(&j);
		EA_JSON_KEY(&j, "i"); ea_json_u64(&j, 1);
		if (how == LITERAL) EA_JSON_KEY(&j, "k"); else ea_json_key(&j, "k");
		ea_json_bytes(&j, p, n);
		EA_JSON_KEY(&j, "z"); ea_json_u64(&j, 2);
		ea_json_object_end(&j);
	}
	ea_json_newline(&j);
	fclose(f);
}

/* RFC 3629: what is well-formed, what is not (overlongs, surrogates, > U+10FFFF, cut) */
static void test_json__strict_utf8(void **state)
{
	(void)state;
	static const struct { const char *b; int ok; } t[] = {
		{ "a\xC3\xA9", 1 },             /* U+00E9 */
		{ "\xC2\x80", 1 },              /* U+0080 */
		{ "\xE0\xA0\x80", 1 },          /* U+0800 */
		{ "\xED\x9F\xBF", 1 },          /* U+D7FF */
		{ "\xEE\x80\x80", 1 },          /* U+E000 */
		{ "\xEF\xBF\xBD", 1 },          /* U+FFFD */
		{ "\xF0\x90\x80\x80", 1 },      /* U+10000 */
		{ "\xF4\x8F\xBF\xBF", 1 },      /* U+10FFFF */
		{ "\xED\xA0\x80", 0 },          /* U+D800, an encoded surrogate */
		{ "\xED\xBF\xBF", 0 },          /* U+DFFF */
		{ "\xC0\x80", 0 },              /* overlong NUL */
		{ "\xC1\xBF", 0 },              /* overlong U+007F */
		{ "\xE0\x80\x80", 0 },          /* overlong */
		{ "\xE0\x9F\xBF", 0 },          /* overlong U+07FF */
		{ "\xF0\x8F\xBF\xBF", 0 },      /* overlong U+FFFF */
		{ "\xF4\x90\x80\x80", 0 },      /* U+110000 */
		{ "\xF5\x80\x80\x80", 0 },
		{ "\xFF", 0 }, { "\x80", 0 }, { "\xBF", 0 },
		{ "\xE2\x82", 0 },              /* cut short */
		{ "\xE2\x82\x41", 0 },
	};
	char out[512];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		size_t n = strlen(t[i].b);
		assert_int_equal(ea_utf8_valid(t[i].b, n), t[i].ok);
		for (int how = GENERIC; how <= RAW; how++) {
			obj_with(out, sizeof out, how, t[i].b, n);
			assert_int_equal(strstr(out, "\"k_b64\":") == NULL, t[i].ok);
			/* never a raw byte that is not UTF-8, never \u00XX for a byte >= 0x80 */
			assert_int_equal(ea_utf8_valid(out, strlen(out)), 1);
			assert_null(strstr(out, "\\u00"));
		}
	}
}

/* a raw 0xFF and a real U+00FF no longer look the same; the _b64 companion holds the bytes */
static void test_json__b64_companion(void **state)
{
	(void)state;
	char out[512];
	for (int how = GENERIC; how <= RAW; how++) {
		obj_with(out, sizeof out, how, "a\xFF", 2);
		assert_string_equal(out, "{\"i\":1,\"k\":\"a\xEF\xBF\xBD\",\"k_b64\":\"Yf8=\",\"z\":2}\n");
		obj_with(out, sizeof out, how, "a\xC3\xBF", 3);
		assert_string_equal(out, "{\"i\":1,\"k\":\"a\xC3\xBF\",\"z\":2}\n");
		/* RFC 4648 test vectors, each made invalid by a trailing 0x80 */
		static const struct { const char *in, *b64; } v[] = {
			{ "", "gA==" }, { "f", "ZoA=" }, { "fo", "Zm+A" }, { "foo", "Zm9vgA==" },
			{ "foob", "Zm9vYoA=" }, { "fooba", "Zm9vYmGA" },
		};
		for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
			char in[16], want[80];
			size_t n = strlen(v[i].in);
			memcpy(in, v[i].in, n);
			in[n++] = (char)0x80;
			obj_with(out, sizeof out, how, in, n);
			snprintf(want, sizeof want, "\"k_b64\":\"%s\"", v[i].b64);
			assert_non_null(strstr(out, want));
		}
	}
	/* keys that need escaping keep it in the companion's name; array elements get none */
	memset(out, 0, sizeof out);
	FILE *f = fmemopen(out, sizeof out, "w");
	ea_json j;
	ea_json_init(&j, f);
	ea_json_object_begin(&j);
	ea_json_key(&j, "q\"\x01");
	ea_json_bytes(&j, "\xED\xA0\x80", 3);
	ea_json_key(&j, "arr");
	ea_json_array_begin(&j);
	ea_json_bytes(&j, "\xFE", 1);
	ea_json_str(&j, "ok");
	ea_json_array_end(&j);
	ea_json_object_end(&j);
	ea_json_newline(&j);
	fclose(f);
	assert_string_equal(out, "{\"q\\\"\\u0001\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\","
	                         "\"q\\\"\\u0001_b64\":\"7aCA\",\"arr\":[\"\xEF\xBF\xBD\",\"ok\"]}\n");
}

/* a long invalid value crosses the writer's buffer: the text and the companion stay whole */
static void test_json__b64_long_value(void **state)
{
	(void)state;
	size_t n = 3 * EA_JSON_BUF + 7;
	unsigned char *in = malloc(n);
	char *out = calloc(1, 12 * n);
	assert_non_null(in); assert_non_null(out);
	for (size_t i = 0; i < n; i++) in[i] = (unsigned char)(i * 131 + 7);
	FILE *f = fmemopen(out, 12 * n, "w");
	ea_json j;
	ea_json_init(&j, f);
	ea_json_object_begin(&j);
	EA_JSON_KEY(&j, "value");
	ea_json_bytes(&j, in, n);
	ea_json_object_end(&j);
	ea_json_newline(&j);
	fclose(f);
	assert_int_equal(ea_utf8_valid(out, strlen(out)), 1);
	const char *b = strstr(out, "\"value_b64\":\"");
	assert_non_null(b);
	b += strlen("\"value_b64\":\"");
	/* decode and compare */
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (; *b && *b != '"' && *b != '='; b++) {
		const char *c = strchr(al, *b);
		assert_non_null(c);
		acc = acc << 6 | (uint32_t)(c - al);
		bits += 6;
		if (bits >= 8) { bits -= 8; assert_true(k < n); assert_int_equal((unsigned char)(acc >> bits), in[k]); k++; }
	}
	assert_int_equal(k, n);
	free(in);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json__escaping_matches_bytewise_reference),
		cmocka_unit_test(test_json__literal_keys_and_cached_times),
		cmocka_unit_test(test_json__strict_utf8),
		cmocka_unit_test(test_json__b64_companion),
		cmocka_unit_test(test_json__b64_long_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
