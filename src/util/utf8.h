/* utf8.h: well-formed UTF-8 per RFC 3629, shared by the JSON writer and the text escaper. */
#ifndef EA_UTF8_H
#define EA_UTF8_H

#include <stddef.h>

/* length of the well-formed UTF-8 sequence at p[0..n) (p[0] >= 0x80), 0 if there is none:
 * no overlongs (C0, C1, E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing above
 * U+10FFFF (F4 90.., F5..FF), no lone continuation bytes */
static inline size_t ea_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;   /* bounds of the second byte */
	if (c >= 0xC2 && c <= 0xDF) len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0) lo = 0xA0;
		else if (c == 0xED) hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0) lo = 0x90;
		else if (c == 0xF4) hi = 0x8F;
	} else return 0;
	if (n < len || p[1] < lo || p[1] > hi) return 0;
	for (size_t k = 2; k < len; k++) if ((p[k] & 0xC0) != 0x80) return 0;
	return len;
}

#endif
