/* crc32c.c: CRC-32C (Castagnoli, reflected poly 0x82F63B78) with etcd's continuation
 * semantics. The SSE4.2 crc32 instruction is used when the CPU has it (checked once at run
 * time), processing three independent streams to hide its 3-cycle latency; otherwise a
 * slicing-by-8 table. crc32c(0, "123456789", 9) == 0xE3069283. */
#include "etcd-autopsy/crc32c.h"

#include <pthread.h>
#include <string.h>

static uint32_t table[8][256];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int have_sse42;

static void init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	have_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t crc_table(uint32_t c, const uint8_t *p, size_t n)
{
	while (n && ((uintptr_t)p & 7)) { c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8); n--; }
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint32_t lo = (uint32_t)w ^ c, hi = (uint32_t)(w >> 32);
		c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
		    table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		    table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
		p += 8; n -= 8;
	}
	while (n--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

/* Shift a CRC state over `len` zero bytes: multiply by x^(8*len) mod P using the table
 * method applied to zeros (done once per block size, so a small cache suffices). */
static uint32_t crc_zeros(uint32_t c, size_t len)
{
	static const uint8_t z[4096];
	while (len) { size_t k = len < sizeof z ? len : sizeof z; c = crc_table(c, z, k); len -= k; }
	return c;
}

/* GF(2) 32x32 matrix helpers for combining three streams (zlib crc32_combine idea). */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
	uint32_t sum = 0;
	for (int i = 0; vec; i++, vec >>= 1)
		if (vec & 1) sum ^= mat[i];
	return sum;
}

#define BLK 4096u   /* bytes per stream in one 3-way step */
static uint32_t shift_mat[32];  /* operator: advance a raw CRC state over BLK zero bytes */
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

static void shift_init(void)
{
	/* Column i = the state reached from the unit vector 1<<i after BLK zero bytes, for the
	 * raw (non-inverted) register, computed with the table over zeros. */
	for (int i = 0; i < 32; i++)
		shift_mat[i] = crc_zeros(1u << i, BLK);
}

/* Records of a few KB (etcd's WAL entries: ~1.4 KB on average) are below 3 * BLK: they run
 * three streams of MBLK bytes, combined with byte-sliced tables of the shift operators over
 * MBLK and 2 * MBLK zero bytes (8 lookups instead of gf2_times's 64 steps). */
#define MBLK 128u
static uint32_t mshift[2][4][256];   /* [0]: over MBLK zero bytes, [1]: over 2 * MBLK */
static pthread_once_t mshift_once = PTHREAD_ONCE_INIT;

static void mshift_init(void)
{
	for (int s = 0; s < 2; s++)
		for (int j = 0; j < 4; j++)
			for (uint32_t b = 0; b < 256; b++)
				mshift[s][j][b] = crc_zeros(b << (8 * j), (size_t)MBLK * (size_t)(s + 1));
}

static inline uint32_t mshift_apply(const uint32_t t[4][256], uint32_t x)
{
	return t[0][x & 0xff] ^ t[1][(x >> 8) & 0xff] ^ t[2][(x >> 16) & 0xff] ^ t[3][x >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t n)
{
	while (n && ((uintptr_t)p & 7)) { c = _mm_crc32_u8(c, *p++); n--; }
	if (n >= 3 * BLK) {
		pthread_once(&shift_once, shift_init);
		while (n >= 3 * BLK) {
			uint64_t c0 = c, c1 = 0, c2 = 0;
			const uint8_t *p1 = p + BLK, *p2 = p + 2 * BLK;
			for (size_t i = 0; i < BLK; i += 8) {
				uint64_t a, b, d;
				memcpy(&a, p + i, 8); memcpy(&b, p1 + i, 8); memcpy(&d, p2 + i, 8);
				c0 = _mm_crc32_u64(c0, a);
				c1 = _mm_crc32_u64(c1, b);
				c2 = _mm_crc32_u64(c2, d);
			}
			/* raw register states are linear: state(A||B) = shift(state(A)) ^ state0(B) */
			uint32_t s = gf2_times(shift_mat, (uint32_t)c0) ^ (uint32_t)c1;
			s = gf2_times(shift_mat, s) ^ (uint32_t)c2;
			c = s;
			p += 3 * BLK; n -= 3 * BLK;
		}
	}
	if (n >= 3 * MBLK) {
		pthread_once(&mshift_once, mshift_init);
		while (n >= 3 * MBLK) {
			uint64_t c0 = c, c1 = 0, c2 = 0;
			for (size_t i = 0; i < MBLK; i += 8) {
				uint64_t a, b, d;
				memcpy(&a, p + i, 8); memcpy(&b, p + MBLK + i, 8); memcpy(&d, p + 2 * MBLK + i, 8);
				c0 = _mm_crc32_u64(c0, a);
				c1 = _mm_crc32_u64(c1, b);
				c2 = _mm_crc32_u64(c2, d);
			}
			c = mshift_apply(mshift[1], (uint32_t)c0) ^ mshift_apply(mshift[0], (uint32_t)c1) ^ (uint32_t)c2;
			p += 3 * MBLK; n -= 3 * MBLK;
		}
	}
	while (n >= 8) { uint64_t w; memcpy(&w, p, 8); c = (uint32_t)_mm_crc32_u64(c, w); p += 8; n -= 8; }
	while (n--) c = _mm_crc32_u8(c, *p++);
	return c;
}
#endif

uint32_t ea_crc32c(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&once, init);
	uint32_t c = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (have_sse42)
		return ~crc_hw(c, buf, len);
#endif
	return ~crc_table(c, buf, len);
}

const char *ea_crc32c_impl(void)
{
	pthread_once(&once, init);
	return have_sse42 ? "sse4.2" : "table";
}

/* Test hook: force the portable path (tests compare both implementations). */
uint32_t ea__crc32c_portable(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&once, init);
	return ~crc_table(~crc, buf, len);
}
