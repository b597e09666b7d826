/* walgen.c: see walgen.h. Frame: u64 LE length word (0x80|pad in the top byte when padded),
 * walpb.Record {1 type, 2 crc, 3 data}, zero padding to 8 bytes. */
#include "walgen.h"
#include "etcd-autopsy/wal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t pb_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) { p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
	p[n++] = (uint8_t)v;
	return n;
}

size_t pb_put_tag(uint8_t *p, unsigned field, unsigned wire) { return pb_put_varint(p, field << 3 | wire); }

void walgen_init(walgen *g) { memset(g, 0, sizeof *g); }
void walgen_free(walgen *g) { free(g->buf); memset(g, 0, sizeof *g); }

static void put(walgen *g, const void *p, size_t n)
{
	if (g->len + n > g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 4096;
		while (nc < g->len + n) nc *= 2;
		g->buf = realloc(g->buf, nc);
		g->cap = nc;
	}
	memcpy(g->buf + g->len, p, n);
	g->len += n;
}

static size_t frame(walgen *g, int64_t type, uint32_t crc, const void *data, size_t len, int has_data)
{
	uint8_t *rec = malloc(len + 32);
	size_t n = 0;
	n += pb_put_tag(rec + n, 1, 0);
	n += pb_put_varint(rec + n, (uint64_t)type);
	n += pb_put_tag(rec + n, 2, 0);
	n += pb_put_varint(rec + n, crc);
	if (has_data) {
		n += pb_put_tag(rec + n, 3, 2);
		n += pb_put_varint(rec + n, len);
		memcpy(rec + n, data, len);
		n += len;
	}
	size_t pad = (8 - n % 8) % 8;
	uint64_t lw = n;
	if (pad) lw |= (uint64_t)(0x80 | pad) << 56;
	uint8_t lwb[8];
	for (int i = 0; i < 8; i++) lwb[i] = (uint8_t)(lw >> (8 * i));
	size_t off = g->len;
	put(g, lwb, 8);
	put(g, rec, n);
	static const uint8_t zeros[8];
	put(g, zeros, pad);
	free(rec);
	return off;
}

void walgen_segment_start(walgen *g)
{
	g->len = 0;
	frame(g, 4, g->running, NULL, 0, 0);
}

size_t walgen_record(walgen *g, int64_t type, const void *data, size_t len)
{
	g->running = ea_crc32c(g->running, data, len);
	return frame(g, type, g->running, data, len, 1);
}

size_t walgen_metadata(walgen *g, uint64_t node, uint64_t cluster)
{
	uint8_t b[32];
	size_t n = 0;
	n += pb_put_tag(b + n, 1, 0); n += pb_put_varint(b + n, node);
	n += pb_put_tag(b + n, 2, 0); n += pb_put_varint(b + n, cluster);
	return walgen_record(g, 1, b, n);
}

size_t walgen_snapshot(walgen *g, uint64_t index, uint64_t term)
{
	uint8_t b[32];
	size_t n = 0;
	n += pb_put_tag(b + n, 1, 0); n += pb_put_varint(b + n, index);
	n += pb_put_tag(b + n, 2, 0); n += pb_put_varint(b + n, term);
	return walgen_record(g, 5, b, n);
}

size_t walgen_entry(walgen *g, int type, uint64_t term, uint64_t index, const void *data, size_t len)
{
	uint8_t *b = malloc(len + 40);
	size_t n = 0;
	n += pb_put_tag(b + n, 1, 0); n += pb_put_varint(b + n, (uint64_t)type);
	n += pb_put_tag(b + n, 2, 0); n += pb_put_varint(b + n, term);
	n += pb_put_tag(b + n, 3, 0); n += pb_put_varint(b + n, index);
	if (data) {
		n += pb_put_tag(b + n, 4, 2); n += pb_put_varint(b + n, len);
		memcpy(b + n, data, len);
		n += len;
	}
	size_t off = walgen_record(g, 2, b, n);
	free(b);
	return off;
}

size_t walgen_state(walgen *g, uint64_t term, uint64_t vote, uint64_t commit)
{
	uint8_t b[40];
	size_t n = 0;
	n += pb_put_tag(b + n, 1, 0); n += pb_put_varint(b + n, term);
	n += pb_put_tag(b + n, 2, 0); n += pb_put_varint(b + n, vote);
	n += pb_put_tag(b + n, 3, 0); n += pb_put_varint(b + n, commit);
	return walgen_record(g, 3, b, n);
}

int walgen_write(walgen *g, const char *dir, const char *name, size_t size)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) return -1;
	fwrite(g->buf, 1, g->len, f);
	for (size_t i = g->len; i < size; i++) fputc(0, f);
	return fclose(f);
}
