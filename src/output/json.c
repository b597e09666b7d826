/* json.c: the streaming JSON writer (see writer.h). Hand-written for speed: no
 * intermediate tree, one fwrite-buffered pass with the unlocked stdio calls (no lock per
 * character), strings scanned 8 bytes at a time, numbers and times formatted by hand (no
 * printf). */
#include "etcd-autopsy/writer.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static void flush_(ea_json *j)
{
#ifdef __GLIBC__
	if (j->len) fwrite_unlocked(j->buf, 1, j->len, j->f);   /* one thread per writer */
#else
	if (j->len) fwrite(j->buf, 1, j->len, j->f);
#endif
	j->len = 0;
}

static inline void PUTC(int c, ea_json *j)
{
	if (j->len == EA_JSON_BUF) flush_(j);
	j->buf[j->len++] = (char)c;
}

static inline void WRITE(const void *p, size_t n, ea_json *j)
{
	if (n > EA_JSON_BUF - j->len) {
		flush_(j);
		if (n > EA_JSON_BUF) { fwrite(p, 1, n, j->f); return; }
	}
	memcpy(j->buf + j->len, p, n);
	j->len += n;
}

/* a value is complete: hand it over at top level */
static inline void done(ea_json *j) { if (j->depth <= 0) flush_(j); }

/* decimal digits of v at the end of buf[20]; returns the start */
static char *u64_dec(char *end, uint64_t v)
{
	char *p = end;
	do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
	return p;
}

void ea_json_init(ea_json *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

static void sep(ea_json *j)
{
	if (j->after_key) { j->after_key = 0; return; }
	j->key = NULL;   /* a value without a key: no _b64 companion */
	if (j->depth > 0 && j->depth <= EA_JSON_MAX_DEPTH) {
		if (j->need_comma[j->depth - 1]) PUTC(',', j);
		j->need_comma[j->depth - 1] = 1;
	}
}

static void open_(ea_json *j, int c)
{
	sep(j);
	PUTC(c, j);
	if (j->depth < EA_JSON_MAX_DEPTH) j->need_comma[j->depth] = 0;
	j->depth++;
}

void ea_json_object_begin(ea_json *j) { open_(j, '{'); }
void ea_json_array_begin(ea_json *j) { open_(j, '['); }
void ea_json_object_end(ea_json *j) { j->depth--; PUTC('}', j); done(j); }
void ea_json_array_end(ea_json *j) { j->depth--; PUTC(']', j); done(j); }

/* 1 for a byte that needs no escaping: 0x20..0x7e except '"' and '\\' */
static inline int plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

/* 8 bytes at once: any byte < 0x20, >= 0x7f, '"' or '\\'? (exact as a yes/no answer) */
static inline int special8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t v;
	memcpy(&v, p, 8);
	uint64_t lt20 = (v - ones * 0x20) & ~v;
	uint64_t ge7f = v | ((v & ~high) + ones);          /* high bit set if >= 0x7f */
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
	uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
	return ((lt20 | ge7f | zq | zb) & high) != 0;
}

/* length of the leading run of plain bytes: 16 at a time with SSE2 (the last block
 * overlapping the one before, so no byte-wise tail), 8 at a time for short strings */
static size_t plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	if (n >= 16) {
		const __m128i c20 = _mm_set1_epi8(0x20), c7f = _mm_set1_epi8(0x7f);
		const __m128i cq = _mm_set1_epi8('"'), cb = _mm_set1_epi8('\\');
		for (;;) {
			size_t at = i + 16 <= n ? i : n - 16;
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
			/* signed: bytes >= 0x80 are negative, so "< 0x20" also catches them */
			__m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, c20), _mm_cmpeq_epi8(v, c7f)),
			                          _mm_or_si128(_mm_cmpeq_epi8(v, cq), _mm_cmpeq_epi8(v, cb)));
			unsigned m = (unsigned)_mm_movemask_epi8(sp);
			if (m) return at + (size_t)__builtin_ctz(m);   /* bytes before `at` are plain */
			if (at + 16 >= n) return n;
			i = at + 16;
		}
	}
#endif
	if (n >= 8) {
		if (!special8(p)) {
			while (i + 16 <= n && !special8(p + i + 8)) i += 8;
			i += 8;
			if (i >= n) return n;
			if (!special8(p + n - 8)) return n;
		}
	}
	while (i < n && plain(p[i])) i++;
	return i;
}

/* ---- strict UTF-8 (RFC 3629) and the exact form of byte strings ---- */

int ea_utf8_valid(const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) { i++; continue; }
		size_t l = ea_utf8_seq(p + i, n - i);
		if (!l) return 0;
		i += l;
	}
	return 1;
}

/* escapes p[i..n) after the first non-plain byte; 0 when a byte was not well-formed UTF-8
 * (written as U+FFFD), 1 when the text is the exact bytes */
static int esc_slow(ea_json *f, const unsigned char *p, size_t n, size_t i);

/* the JSON text of p[0..n) without quotes; same return as esc_slow */
static int esc_body(ea_json *f, const unsigned char *p, size_t n)
{
	size_t k = plain_run(p, n);
	WRITE(p, k, f);
	return k == n ? 1 : esc_slow(f, p, n, k);
}

/* the quoted JSON text of p[0..n); same return as esc_slow */
static int esc(ea_json *f, const unsigned char *p, size_t n)
{
	/* common case: nothing to escape, one copy into the buffer */
	size_t k = plain_run(p, n);
	if (k == n && n + 2 <= EA_JSON_BUF - f->len) {
		char *o = f->buf + f->len;
		o[0] = '"';
		memcpy(o + 1, p, n);
		o[n + 1] = '"';
		f->len += n + 2;
		return 1;
	}
	PUTC('"', f);
	WRITE(p, k, f);
	int exact = k == n ? 1 : esc_slow(f, p, n, k);
	PUTC('"', f);
	return exact;
}

/* What each byte becomes in the text, built once: esc_out[c] its output bytes (up to 6, read as
 * one 8-byte word), esc_cls[c] their count (ESC_LEN) and its class: a plain byte, a byte not
 * valid in UTF-8 (U+FFFD), and among those the lead bytes C2..F4, which start a well-formed
 * sequence when the bytes after them fit esc_seq[c]. */
enum { ESC_LEN = 7, ESC_PLAIN = 8, ESC_BAD = 16, ESC_LEAD = 32 };
static uint64_t esc_out[256];
static unsigned char esc_cls[256];
static unsigned char esc_seq[256][3];   /* a lead byte's sequence length, bounds of its second byte */
static pthread_once_t esc_once = PTHREAD_ONCE_INIT;

static void esc_init(void)
{
	static const char hx[] = "0123456789abcdef";
	for (unsigned c = 0; c < 256; c++) {
		char o[8] = { 0 };
		unsigned char n, cls = 0;
		if (c >= 0x80) {
			o[0] = '\xEF'; o[1] = '\xBF'; o[2] = '\xBD'; n = 3; cls = ESC_BAD;
			if (c >= 0xC2 && c <= 0xF4) {   /* the bounds of the second byte as in ea_utf8_seq */
				cls |= ESC_LEAD;
				esc_seq[c][0] = c <= 0xDF ? 2 : c <= 0xEF ? 3 : 4;
				esc_seq[c][1] = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
				esc_seq[c][2] = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
			}
		} else if (plain((unsigned char)c)) {
			o[0] = (char)c; n = 1; cls = ESC_PLAIN;
		} else if (c == '"' || c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			o[0] = '\\'; o[1] = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : (char)c; n = 2;
		} else {
			o[0] = '\\'; o[1] = 'u'; o[2] = '0'; o[3] = '0'; o[4] = hx[c >> 4]; o[5] = hx[c & 15]; n = 6;
		}
		memcpy(&esc_out[c], o, 8);
		esc_cls[c] = (unsigned char)(n | cls);
	}
}

/* One byte at p[*i] (the escape or U+FFFD, or a well-formed UTF-8 sequence), stored at buf + len
 * as up to 8 bytes; advances *i, returns the bytes written, ORs its class into *cls_or. */
static inline size_t esc_one(char *buf, const unsigned char *p, size_t n, size_t *i, unsigned *cls_or)
{
	unsigned char c = p[*i], cls = esc_cls[c];
	if (cls & ESC_LEAD) {
		size_t l = ea_utf8_seq(p + *i, n - *i);
		if (l) {   /* well-formed UTF-8 passes through; else the byte becomes U+FFFD */
			memcpy(buf, p + *i, l);
			*i += l;
			return l;
		}
	}
	memcpy(buf, &esc_out[c], 8);
	*cls_or |= cls;
	*i += 1;
	return cls & ESC_LEN;
}

/* Binary values (protobuf, compressed data) alternate short plain runs with bytes to escape.
 * The input goes by blocks of 16 bytes classified at once (SSE2): a block without a byte to
 * escape is copied whole; one with up to 4 (text: quotes) and no UTF-8 lead byte is copied in
 * stretches between them; one without a lead byte is escaped by table with no branch on
 * the byte (each byte's output word stored, the fill level advanced by its length); others
 * byte by byte with the lead bytes' sequences checked. The buffer keeps room for a block's
 * worst case (6 output bytes per input byte, a sequence crossing the block's end, the 2 bytes
 * the last 8-byte store writes past its output). */
#define ESC_BLOCK_ROOM 128
static int esc_slow(ea_json *f, const unsigned char *p, size_t n, size_t i)
{
	pthread_once(&esc_once, esc_init);
	char *const buf = f->buf;
	size_t len = f->len;
	unsigned cls_or = 0;
	while (i < n) {
		if (EA_JSON_BUF - len < ESC_BLOCK_ROOM) { f->len = len; flush_(f); len = 0; }
		size_t stop = n - i >= 16 ? i + 16 : n;
#ifdef __SSE2__
		if (stop - i == 16) {
			const __m128i c20 = _mm_set1_epi8(0x20), c7f = _mm_set1_epi8(0x7f);
			const __m128i cq = _mm_set1_epi8('"'), cb = _mm_set1_epi8('\\');
			const __m128i lo = _mm_set1_epi8((char)0xC1), hi = _mm_set1_epi8((char)0xF5);
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			/* signed: bytes >= 0x80 are negative, so "< 0x20" also catches them */
			__m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, c20), _mm_cmpeq_epi8(v, c7f)),
			                          _mm_or_si128(_mm_cmpeq_epi8(v, cq), _mm_cmpeq_epi8(v, cb)));
			__m128i ld = _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi));   /* C2..F4 */
			if (!_mm_movemask_epi8(sp)) {
				memcpy(buf + len, p + i, 16);
				len += 16;
				i += 16;
				continue;
			}
			unsigned m = (unsigned)_mm_movemask_epi8(sp);
			if (!_mm_movemask_epi8(ld) && __builtin_popcount(m) <= 4 && n - i >= 32) {
				/* a few bytes to escape (text: quotes): the plain stretches between them
				 * copied 16 bytes at a time (in bounds: 32 bytes remain from the block) */
				size_t j = 0;
				for (; m; m &= m - 1) {
					size_t k = (size_t)__builtin_ctz(m);
					unsigned char c = p[i + k], cls = esc_cls[c];
					memcpy(buf + len, p + i + j, 16);
					len += k - j;
					memcpy(buf + len, &esc_out[c], 8);
					len += cls & ESC_LEN;
					cls_or |= cls;
					j = k + 1;
				}
				memcpy(buf + len, p + i + j, 16);
				len += 16 - j;
				i += 16;
				continue;
			}
			if (!_mm_movemask_epi8(ld)) {
				for (; i < stop; i++) {
					unsigned char c = p[i], cls = esc_cls[c];
					memcpy(buf + len, &esc_out[c], 8);
					len += cls & ESC_LEN;
					cls_or |= cls;
				}
				continue;
			}
			if (n - i >= 16 + 3) {   /* lead bytes: their sequences checked without a branch */
				while (i < stop) {
					unsigned char c = p[i], cls = esc_cls[c];
					const unsigned char *q = esc_seq[c];
					unsigned l = q[0];
					unsigned ok = (l != 0) & ((unsigned char)(p[i + 1] - q[1]) <= (unsigned char)(q[2] - q[1])) &
					              ((l < 3) | ((p[i + 2] & 0xC0) == 0x80)) & ((l < 4) | ((p[i + 3] & 0xC0) == 0x80));
					uint32_t in4;
					memcpy(&in4, p + i, 4);
					uint64_t w = ok ? in4 : esc_out[c];
					memcpy(buf + len, &w, 8);
					len += ok ? l : (cls & ESC_LEN);
					i += ok ? l : 1;
					cls_or |= ok ? 0 : cls;
				}
				continue;
			}
		}
#endif
		while (i < stop) len += esc_one(buf + len, p, n, &i, &cls_or);
	}
	f->len = len;
	return !(cls_or & ESC_BAD);
}

/* base64 digit pairs: b64_pairs[v] for a 12-bit v, built once */
static char b64_pairs[4096][2];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;
static const char b64_al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_init(void)
{
	for (unsigned v = 0; v < 4096; v++) { b64_pairs[v][0] = b64_al[v >> 6]; b64_pairs[v][1] = b64_al[v & 63]; }
}

/* base64 (RFC 4648, padded) of p[0..n), quoted; 3 bytes -> two pair lookups, straight into
 * the buffer, as many groups as fit */
static void b64(ea_json *j, const unsigned char *p, size_t n)
{
	const char *al = b64_al;
	pthread_once(&b64_once, b64_init);
	PUTC('"', j);
	size_t i = 0;
	while (i + 3 <= n) {
		if (EA_JSON_BUF - j->len < 4) flush_(j);
		size_t groups = (EA_JSON_BUF - j->len) / 4, left = (n - i) / 3;
		if (groups > left) groups = left;
		char *o = j->buf + j->len;
		for (size_t g = 0; g < groups; g++, i += 3, o += 4) {
			uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
			memcpy(o, b64_pairs[v >> 12], 2);
			memcpy(o + 2, b64_pairs[v & 4095], 2);
		}
		j->len += groups * 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		char o[4] = { al[v >> 18], al[v >> 12 & 63], '=', '=' };
		WRITE(o, 4, j);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		char o[4] = { al[v >> 18], al[v >> 12 & 63], al[v >> 6 & 63], '=' };
		WRITE(o, 4, j);
	}
	PUTC('"', j);
}

/* after a string value that was not well-formed UTF-8: `,"<key>_b64":"<base64>"` for the
 * key just written (none for an array element) */
static void b64_field(ea_json *j, const unsigned char *p, size_t n)
{
	if (!j->key) return;
	if (j->key_is_json == 2) {   /* raw text ending in `"name":`: the name */
		size_t e = j->key_len - 2, b = e;
		while (b > 0 && j->key[b - 1] != '"') b--;
		if (b == 0) { j->key = NULL; return; }
		j->key += b;
		j->key_len = e - b;
	}
	PUTC(',', j);
	PUTC('"', j);
	if (j->key_is_json) WRITE(j->key, j->key_len, j);
	else esc_body(j, (const unsigned char *)j->key, j->key_len);
	WRITE("_b64\":", 6, j);
	b64(j, p, n);
	j->key = NULL;
}

void ea_json_key(ea_json *j, const char *key)
{
	sep(j);
	size_t n = strlen(key);
	esc(j, (const unsigned char *)key, n);
	PUTC(':', j);
	j->after_key = 1;
	j->key = key;
	j->key_len = n;
	j->key_is_json = 0;
}

void ea_json_key_lit(ea_json *j, const char *quoted, size_t n)
{
	sep(j);
	WRITE(quoted, n, j);
	j->after_key = 1;
	j->key = n >= 3 ? quoted + 1 : NULL;   /* "name": */
	j->key_len = n >= 3 ? n - 3 : 0;
	j->key_is_json = 1;
}

/* a string value: exact text, or U+FFFD text plus the <key>_b64 companion */
static void str_value(ea_json *j, const unsigned char *p, size_t n)
{
	int keyed = j->after_key;
	sep(j);
	if (!esc(j, p, n) && keyed) b64_field(j, p, n);
	j->key = NULL;
	done(j);
}

void ea_json_str(ea_json *j, const char *s)
{
	if (!s) { ea_json_null(j); return; }
	str_value(j, (const unsigned char *)s, strlen(s));
}

void ea_json_bytes(ea_json *j, const void *p, size_t n) { str_value(j, p, n); }

void ea_json_u64(ea_json *j, uint64_t v)
{
	sep(j);
	char b[24], *p = u64_dec(b + sizeof b, v);
	WRITE(p, (size_t)(b + sizeof b - p), j);
	done(j);
}

void ea_json_i64(ea_json *j, int64_t v)
{
	sep(j);
	char b[24], *p = u64_dec(b + sizeof b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0) *--p = '-';
	WRITE(p, (size_t)(b + sizeof b - p), j);
	done(j);
}

void ea_json_bool(ea_json *j, int v) { sep(j); if (v) WRITE("true", 4, j); else WRITE("false", 5, j); done(j); }
void ea_json_null(ea_json *j) { sep(j); WRITE("null", 4, j); done(j); }

void ea_json_hex(ea_json *j, uint64_t v)
{
	sep(j);
	static const char hx[] = "0123456789abcdef";
	char b[20], *p = b + sizeof b;
	*--p = '"';
	do { *--p = hx[v & 15]; v >>= 4; } while (v);
	*--p = '"';
	WRITE(p, (size_t)(b + sizeof b - p), j);
	done(j);
}

/* days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days) */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void dig(char *p, unsigned v, int n) { while (n--) { p[n] = (char)('0' + v % 10); v /= 10; } }

void ea_format_time_ms(char *buf, size_t cap, int64_t ms)
{
	if (ms >= 0 && ms < INT64_C(253402300800000) && cap >= 25) {   /* years 1970..9999 */
		int64_t secs = ms / 1000, y;
		unsigned mo, d, sod = (unsigned)(secs % 86400);
		civil(secs / 86400, &y, &mo, &d);
		dig(buf, (unsigned)y, 4); buf[4] = '-'; dig(buf + 5, mo, 2); buf[7] = '-'; dig(buf + 8, d, 2);
		buf[10] = 'T'; dig(buf + 11, sod / 3600, 2); buf[13] = ':'; dig(buf + 14, sod / 60 % 60, 2);
		buf[16] = ':'; dig(buf + 17, sod % 60, 2); buf[19] = '.'; dig(buf + 20, (unsigned)(ms % 1000), 3);
		buf[23] = 'Z'; buf[24] = 0;
		return;
	}
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

void ea_json_time_ms(ea_json *j, int64_t ms)
{
	if (ms < 0) { ea_json_null(j); return; }
	/* the same instant repeats (a proposer's start time on each of its entries) */
	if (!j->time_cached[0] || j->time_cached_ms != ms) {
		ea_format_time_ms(j->time_cached, sizeof j->time_cached, ms);
		j->time_cached_ms = ms;
	}
	ea_json_str(j, j->time_cached);
}

/* ---- raw pieces: no separators or nesting tracked (flat records on hot paths) ---- */

void ea_json_raw(ea_json *j, const char *p, size_t n)
{
	WRITE(p, n, j);
	/* text ending in `"name":` names the value that follows (for its _b64 companion); the
	 * name is found in it only when a companion is written (key_is_json 2) */
	j->key = NULL;
	if (n >= 3 && p[n - 1] == ':' && p[n - 2] == '"') { j->key = p; j->key_len = n; j->key_is_json = 2; }
}

void ea_json_raw_u64(ea_json *j, uint64_t v)
{
	j->key = NULL;
	char b[24], *p = u64_dec(b + sizeof b, v);
	WRITE(p, (size_t)(b + sizeof b - p), j);
}

void ea_json_raw_hex(ea_json *j, uint64_t v)
{
	j->key = NULL;
	static const char hx[] = "0123456789abcdef";
	char b[20], *p = b + sizeof b;
	*--p = '"';
	do { *--p = hx[v & 15]; v >>= 4; } while (v);
	*--p = '"';
	WRITE(p, (size_t)(b + sizeof b - p), j);
}

void ea_json_raw_str(ea_json *j, const void *p, size_t n)
{
	if (!esc(j, p, n)) b64_field(j, p, n);
	j->key = NULL;
}

void ea_json_raw_time_ms(ea_json *j, int64_t ms)
{
	j->key = NULL;
	if (ms < 0) { WRITE("null", 4, j); return; }
	if (!j->time_cached[0] || j->time_cached_ms != ms) {
		ea_format_time_ms(j->time_cached, sizeof j->time_cached, ms);
		j->time_cached_ms = ms;
	}
	esc(j, (const unsigned char *)j->time_cached, strlen(j->time_cached));
}

void ea_json_newline(ea_json *j)
{
	PUTC('\n', j);
	flush_(j);
	j->need_comma[0] = 0;
	j->after_key = 0;
}

void ea_json_problem(ea_json *j, const ea_problem *p)
{
	ea_json_object_begin(j);
	ea_json_key(j, "kind"); ea_json_str(j, p->kind);
	ea_json_key(j, "severity"); ea_json_str(j, ea_severity_name(p->severity));
	ea_json_key(j, "layer"); ea_json_str(j, ea_layer_name(p->layer));
	ea_json_key(j, "file"); ea_json_str(j, p->file);
	ea_json_key(j, "offset");
	if (p->offset == EA_NO_OFFSET) ea_json_null(j); else ea_json_u64(j, p->offset);
	ea_json_key(j, "length"); ea_json_u64(j, p->length);
	ea_json_key(j, "message"); ea_json_str(j, p->message);
	ea_json_key(j, "advice"); ea_json_str(j, ea_problem_advice(p));
	ea_json_object_end(j);
}

void ea_json_problem_line(ea_json *j, const ea_problem *p)
{
	ea_json_object_begin(j);
	ea_json_key(j, "problem");
	ea_json_problem(j, p);
	ea_json_object_end(j);
	ea_json_newline(j);
}
