/* hex.h: lower-case hexadecimal numbers as etcd writes them, in file names (%016x) and in
 * member IDs (strconv.FormatUint(id, 16)). */
#ifndef EA_HEX_H
#define EA_HEX_H

#include <stddef.h>
#include <stdint.h>

/* s[0..n) as a lower-case hex number of 1 to 16 digits: 0 with *out set, or -1 (*out left). */
static inline int ea__hex_u64(const void *s, size_t n, uint64_t *out)
{
	const unsigned char *p = s;
	if (n == 0 || n > 16) return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if (c >= 'a' && c <= 'f') d = c - 'a' + 10u;
		else return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

#endif
