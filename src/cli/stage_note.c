/* stage_note.c: one line on stderr per archive input once it is opened, saying what its
 * members cost on disk and where: "etcd-autopsy wal stat: n1.tar.gz: staged 2 members (10.2
 * GiB, 10952232960 bytes) under /tmp; WAL streamed (128 segments, 8.2 GiB)", or "staged
 * nothing; read in place (130 members, 19.2 GiB)" for an uncompressed tar, so a user reading a
 * large archive knows what TMPDIR is holding. Silent under -q. */
#include "cli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

static char command[48];

/* appends to line[*n] (cap bytes), keeping it terminated */
static void add(char *line, size_t cap, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *line, size_t cap, size_t *n, const char *fmt, ...)
{
	if (*n >= cap) return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(line + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0) *n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}

/* The line is built whole and written with one call: the members of a diff are opened in
 * parallel, and their notes must not interleave. */
static void note(const ea_stage_info *s)
{
	char a[512], d[512], h[32], line[2048];   /* paths may carry control bytes: escaped for the terminal */
	size_t n = 0;
	ea_text_str(a, sizeof a, s->archive);
	add(line, sizeof line, &n, "etcd-autopsy %s: %s: ", command, a);
	if (s->late) add(line, sizeof line, &n, "%s: ", s->stream_why ? s->stream_why : "");
	if (s->staged) {
		cli_human_bytes(h, sizeof h, s->staged);
		add(line, sizeof line, &n, "staged %zu member%s (%s, %" PRIu64 " bytes) under %s", s->staged_n,
		    s->staged_n == 1 ? "" : "s", h, s->staged, ea_text_str(d, sizeof d, s->dir));
	} else {
		add(line, sizeof line, &n, "staged nothing");
	}
	if (s->inplace_n) {
		cli_human_bytes(h, sizeof h, s->inplace_bytes);
		add(line, sizeof line, &n, "; read in place (%zu member%s, %s)", s->inplace_n, s->inplace_n == 1 ? "" : "s", h);
	}
	if (s->stream_n) {
		cli_human_bytes(h, sizeof h, s->stream_bytes);
		add(line, sizeof line, &n, "; WAL streamed (%zu segment%s, %s)", s->stream_n, s->stream_n == 1 ? "" : "s", h);
	} else if (s->stream_why && !s->late) {
		add(line, sizeof line, &n, "; WAL staged: %s", s->stream_why);
	}
	fprintf(stderr, "%s\n", line);
}

void cli_stage_note_init(int quiet, const char *cmd)
{
	snprintf(command, sizeof command, "%s", cmd);
	ea_input_set_stage_note(quiet ? NULL : note);
}
