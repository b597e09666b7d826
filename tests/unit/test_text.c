/* test_text.c: the terminal escaper (text.h): control characters (C0, DEL, C1, bidi
 * overrides) and bytes that are not well-formed UTF-8 become \xNN, everything else passes,
 * and a cut text never splits an escape or a UTF-8 sequence. */
#include "test.h"
#include "etcd-autopsy/text.h"
#include "etcd-autopsy/writer.h"

#include <stdlib.h>
#include <string.h>

static const char *esc(const char *s, size_t n)
{
	static char out[256];
	return ea_text_escape(out, sizeof out, s, n);
}
#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_text__escapes_controls_and_bad_utf8(void **state)
{
	(void)state;
	/* an OSC "set title" sequence ended by BEL, and CSI clear screen */
	assert_string_equal(ESC("a\x1b]0;pwned\x07z"), "a\\x1b]0;pwned\\x07z");
	assert_string_equal(ESC("\x1b[2J"), "\\x1b[2J");
	assert_string_equal(ESC("l1\nl2\tx\r\x7f"), "l1\\x0al2\\x09x\\x0d\\x7f");
	assert_string_equal(ESC("n\0ul"), "n\\x00ul");
	/* well-formed UTF-8 passes; C1 (U+009B is CSI), bidi overrides, surrogates, overlongs,
	 * stray bytes and cut sequences do not */
	assert_string_equal(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(ESC("\xc2\x9b" "31m"), "\\xc2\\x9b31m");
	assert_string_equal(ESC("\xc2\xa0"), "\xc2\xa0");
	assert_string_equal(ESC("a\xe2\x80\xae" "b"), "a\\xe2\\x80\\xaeb");
	assert_string_equal(ESC("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");
	assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(ESC("\xc0\x80"), "\\xc0\\x80");
	assert_string_equal(ESC("\xff\x9b"), "\\xff\\x9b");
	assert_string_equal(ESC("\xe2\x82"), "\\xe2\\x82");
	/* backslashes stay: the text is for people */
	assert_string_equal(ESC("a\\b"), "a\\b");
	char b[16];
	assert_string_equal(ea_text_str(b, sizeof b, NULL), "-");
	assert_string_equal(ea_text_str(b, sizeof b, "x\x1by"), "x\\x1by");
}

static void test_text__cut_keeps_escapes_and_utf8_whole(void **state)
{
	(void)state;
	char b[8];
	assert_string_equal(ea_text_escape(b, sizeof b, "abcdefg", 7), "abcdefg");
	assert_string_equal(ea_text_escape(b, sizeof b, "abcdefgh", 8), "abcd...");
	assert_string_equal(ea_text_escape(b, sizeof b, "\x01\x02", 2), "\\x01...");
	assert_string_equal(ea_text_escape(b, sizeof b, "a\x01\x02", 3), "a...");
	assert_string_equal(ea_text_escape(b, sizeof b, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8), "\xc3\xa9\xc3\xa9...");
	assert_string_equal(ea_text_escape(b, sizeof b, "a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 9), "a\xc3\xa9...");
	char tiny[2];
	assert_string_equal(ea_text_escape(tiny, sizeof tiny, "\x1b", 1), "");
}

/* any bytes in, nothing a terminal acts on out: no C0 byte, no DEL, valid UTF-8, no C1 */
static void test_text__random_bytes_are_terminal_safe(void **state)
{
	(void)state;
	srand(13);
	unsigned char in[64];
	static char out[64 * 4 + 1];
	char *fo = malloc(64 * 4 + 1);
	assert_non_null(fo);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % 64);
		for (size_t i = 0; i < n; i++) {
			int r = rand();
			/* mostly bytes near the interesting ranges */
			in[i] = (unsigned char)(r % 3 == 0 ? 0x80 + (r >> 8) % 0x80 : r % 3 == 1 ? (r >> 8) % 0x40 : (r >> 8));
		}
		ea_text_escape(out, sizeof out, in, n);
		size_t ol = strlen(out);
		for (size_t i = 0; i < ol; i++) assert_true((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
		assert_true(ea_utf8_valid(out, ol));
		for (size_t i = 0; i + 1 < ol; i++) assert_false((unsigned char)out[i] == 0xc2 && (unsigned char)out[i + 1] < 0xa0);
		/* the stream form is the same text, never cut */
		memset(fo, 0, 64 * 4 + 1);
		FILE *f = fmemopen(fo, 64 * 4 + 1, "w");
		assert_non_null(f);
		ea_text_fput(f, in, n);
		fclose(f);
		assert_string_equal(fo, out);
	}
	free(fo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text__escapes_controls_and_bad_utf8),
		cmocka_unit_test(test_text__cut_keeps_escapes_and_utf8_whole),
		cmocka_unit_test(test_text__random_bytes_are_terminal_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
