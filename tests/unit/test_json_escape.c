/* test_json_escape.c: the JSON writer's string escaping and base64 companion on long mixed
 * inputs (binary stretches, runs of plain text, valid and broken UTF-8, every control byte),
 * crossing the writer's 8 KiB buffer at every alignment, against a byte-at-a-time reference
 * written here from RFC 8259 / RFC 3629 / RFC 4648 (no code shared with the writer). */
#include "test.h"
#include "etcd-autopsy/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* length of a well-formed UTF-8 sequence at p (decoded, then range-checked), 0 if none */
static size_t ref_utf8(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp, min;
	if (p[0] >= 0xC0 && p[0] < 0xE0) { len = 2; cp = p[0] & 0x1Fu; min = 0x80; }
	else if (p[0] >= 0xE0 && p[0] < 0xF0) { len = 3; cp = p[0] & 0x0Fu; min = 0x800; }
	else if (p[0] >= 0xF0 && p[0] < 0xF8) { len = 4; cp = p[0] & 0x07u; min = 0x10000; }
	else return 0;
	if (n < len) return 0;
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xC0) != 0x80) return 0;
		cp = cp << 6 | (p[k] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
	return len;
}

/* the quoted JSON text of p[0..n) (what the writer documents); *exact: no U+FFFD needed */
static size_t ref_text(char *out, const unsigned char *p, size_t n, int *exact)
{
	size_t o = 0;
	*exact = 1;
	out[o++] = '"';
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t l;
		if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
		else if (c == '\n') { memcpy(out + o, "\\n", 2); o += 2; }
		else if (c == '\t') { memcpy(out + o, "\\t", 2); o += 2; }
		else if (c == '\r') { memcpy(out + o, "\\r", 2); o += 2; }
		else if (c < 0x20 || c == 0x7f) o += (size_t)sprintf(out + o, "\\u%04x", c);
		else if (c < 0x80) out[o++] = (char)c;
		else if ((l = ref_utf8(p + i, n - i)) != 0) { memcpy(out + o, p + i, l); o += l; i += l; continue; }
		else { memcpy(out + o, "\xEF\xBF\xBD", 3); o += 3; *exact = 0; }
		i++;
	}
	out[o++] = '"';
	return o;
}

static size_t ref_b64(char *out, const unsigned char *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		out[o++] = al[v >> 18];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? al[v & 63] : '=';
	}
	out[o++] = '"';
	return o;
}

/* a pseudo-random input mixing what etcd values hold: binary, text, UTF-8 (good and cut) */
static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	static const char *const pieces[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\xA0\x80",
	                                      "\xC0\xAF", "\xF4\x90\x80\x80", "\xE2\x82", "{\"a\":\"b\\\\c\"}" };
	uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
	for (size_t i = 0; i < n;) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		unsigned mode = (unsigned)(s >> 60);
		if (mode < 6) { p[i++] = (unsigned char)(s >> 8); continue; }         /* binary byte */
		if (mode < 12) {                                                        /* plain run */
			size_t run = (size_t)(s >> 20) % 70;
			for (size_t k = 0; k < run && i < n; k++) p[i++] = (unsigned char)(' ' + (s >> (k % 40)) % 95);
			continue;
		}
		const char *pc = pieces[(s >> 24) % 8];
		for (size_t k = 0; pc[k] && i < n; k++) p[i++] = (unsigned char)pc[k];
	}
}

static void test_json_escape__long_mixed_inputs_match_reference(void **state)
{
	(void)state;
	size_t max = 3 * EA_JSON_BUF + 64;
	unsigned char *in = malloc(max);
	char *got = malloc(14 * max + 256), *want = malloc(14 * max + 256);
	assert_non_null(in); assert_non_null(got); assert_non_null(want);
	size_t lens[] = { 1, 15, 16, 17, 33, 1000, EA_JSON_BUF - 1, EA_JSON_BUF, EA_JSON_BUF + 5, max };
	for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
		for (uint64_t seed = 1; seed <= 12; seed++) {
			size_t n = lens[li];
			fill(in, n, seed * 31 + li);
			/* the key's prefix shifts where the value meets the buffer's end */
			size_t pad = (size_t)(seed * 977) % EA_JSON_BUF;
			char *padding = malloc(pad + 1);
			assert_non_null(padding);
			memset(padding, 'p', pad);
			padding[pad] = 0;
			memset(got, 0, 14 * max + 256);
			FILE *f = fmemopen(got, 14 * max + 256, "w");
			assert_non_null(f);
			ea_json j;
			ea_json_init(&j, f);
			ea_json_object_begin(&j);
			ea_json_key(&j, "pad");
			ea_json_str(&j, padding);
			ea_json_key(&j, "v");
			ea_json_bytes(&j, in, n);
			ea_json_object_end(&j);
			ea_json_newline(&j);
			fclose(f);
			int exact;
			size_t o = (size_t)sprintf(want, "{\"pad\":\"%s\",\"v\":", padding);
			o += ref_text(want + o, in, n, &exact);
			if (!exact) {
				memcpy(want + o, ",\"v_b64\":", 9);
				o += 9;
				o += ref_b64(want + o, in, n);
			}
			memcpy(want + o, "}\n", 3);
			assert_string_equal(got, want);
			free(padding);
		}
	}
	free(in);
	free(got);
	free(want);
}

/* one value through the writer against the reference: got == want */
static void check_value(const unsigned char *in, size_t n)
{
	size_t cap = 14 * n + 64;
	char *got = calloc(1, cap), *want = malloc(cap);
	assert_non_null(got); assert_non_null(want);
	FILE *f = fmemopen(got, cap, "w");
	assert_non_null(f);
	ea_json j;
	ea_json_init(&j, f);
	ea_json_bytes(&j, in, n);
	fclose(f);
	int exact;
	size_t o = ref_text(want, in, n, &exact);
	want[o] = 0;
	assert_string_equal(got, want);
	free(got);
	free(want);
}

/* every byte >= 0x80 followed by each bound of the second byte (and good or bad third and
 * fourth bytes), at every position of a 16-byte block, near the end of the value or not, in
 * a block that has a byte to escape before it: the writer's per-block paths (copy, table,
 * lead bytes checked without a branch, byte by byte near the end) */
static void test_json_escape__lead_bytes_at_every_block_position(void **state)
{
	(void)state;
	static const unsigned char second[] = { 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF };
	static const unsigned char rest[] = { 0x80, 0xBF, 0x41, 0xC3 };
	unsigned char in[48];
	for (unsigned c = 0x80; c <= 0xFF; c++)
		for (size_t s = 0; s < sizeof second; s++)
			for (size_t r = 0; r < sizeof rest; r++)
				for (size_t n = 17; n <= 40; n += 23)
					for (size_t at = 1; at < n; at++) {
						memset(in, 'a', sizeof in);
						in[0] = '\n';
						in[at] = (unsigned char)c;
						if (at + 1 < n) in[at + 1] = second[s];
						if (at + 2 < n) in[at + 2] = rest[r];
						if (at + 3 < n) in[at + 3] = rest[(r + 1) % 4];
						check_value(in, n);
					}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escape__long_mixed_inputs_match_reference),
		cmocka_unit_test(test_json_escape__lead_bytes_at_every_block_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
