/* text.c: input bytes escaped for a terminal (see text.h); one escaper for every table and
 * stderr line that carries names, URLs, paths or keys from the evidence. */
#include "etcd-autopsy/text.h"
#include "util/utf8.h"

#include <string.h>

/* bytes of the code point at p[0..n) to pass through as they are (0: escape p[0]) */
static size_t pass_len(const unsigned char *p, size_t n)
{
	if (p[0] >= 0x20 && p[0] < 0x7f) return 1;
	if (p[0] < 0x80) return 0;
	size_t l = ea_utf8_seq(p, n);
	if (l == 2 && p[0] == 0xC2 && p[1] < 0xA0) return 0;                  /* C1 controls */
	if (l == 3 && p[0] == 0xE2 && ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
	                               (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)))
		return 0;                                                          /* bidi overrides */
	return l;
}

/* the escaped form of p[0..n) piece by piece: fn(ctx, bytes, len, atomic) where atomic
 * pieces (one \xNN) must not be split; returns early when fn returns nonzero */
static void walk(const unsigned char *p, size_t n, int (*fn)(void *, const char *, size_t, int), void *ctx)
{
	static const char hx[] = "0123456789abcdef";
	size_t i = 0;
	while (i < n) {
		size_t k = i;
		for (;;) {
			while (k < n && p[k] >= 0x20 && p[k] < 0x7f) k++;   /* printable ASCII: the common case */
			size_t l = k < n && p[k] >= 0x80 ? pass_len(p + k, n - k) : 0;
			if (!l) break;
			k += l;
		}
		if (k > i) {
			if (fn(ctx, (const char *)p + i, k - i, 0)) return;
			i = k;
			continue;
		}
		/* a code point to escape: all its bytes (one for a stray byte) */
		size_t l = p[i] < 0x80 ? 1 : ea_utf8_seq(p + i, n - i);
		if (l == 0) l = 1;
		for (size_t e = 0; e < l; e++) {
			char x[4] = { '\\', 'x', hx[p[i + e] >> 4], hx[p[i + e] & 15] };
			if (fn(ctx, x, 4, 1)) return;
		}
		i += l;
	}
}

typedef struct { char *out; size_t limit, len; int cut; } buf_ctx;

/* appends up to `limit` bytes: an escape whole or not at all, a run of text cut only
 * between UTF-8 sequences; 1 once something did not fit */
static int to_buf(void *v, const char *s, size_t n, int atomic)
{
	buf_ctx *b = v;
	size_t room = b->limit - b->len;
	if (n > room) {
		size_t take = 0;
		if (!atomic) {
			take = room;
			while (take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80) take--;
		}
		memcpy(b->out + b->len, s, take);
		b->len += take;
		b->cut = 1;
		return 1;
	}
	memcpy(b->out + b->len, s, n);
	b->len += n;
	return 0;
}

const char *ea_text_escape(char *out, size_t cap, const void *p, size_t n)
{
	if (!out || cap == 0) return out;
	buf_ctx b = { out, cap - 1, 0, 0 };
	walk(p, n, to_buf, &b);
	if (b.cut && cap > 4) {
		/* again with room for the "..." */
		b = (buf_ctx){ out, cap - 4, 0, 0 };
		walk(p, n, to_buf, &b);
		memcpy(out + b.len, "...", 3);
		b.len += 3;
	}
	out[b.len] = 0;
	return out;
}

const char *ea_text_str(char *out, size_t cap, const char *s)
{
	if (!s) s = "-";
	return ea_text_escape(out, cap, s, strlen(s));
}

static int to_file(void *v, const char *s, size_t n, int atomic)
{
	(void)atomic;
	fwrite(s, 1, n, (FILE *)v);
	return 0;
}

void ea_text_fput(FILE *f, const void *p, size_t n) { walk(p, n, to_file, f); }
