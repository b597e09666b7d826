/* stage_note.c: one line on stderr per archive input once it is opened, saying what its
 * members cost on disk and where: "etcd-autopsy wal stat: n1.tar.gz: staged 2 members (10.2
 * GiB, 10952232960 bytes) under /tmp; WAL streamed (128 segments, 8.2 GiB)", or "staged
 * nothing; read in place (130 members, 19.2 GiB)" for an uncompressed tar, so a user reading a
 * large archive knows what TMPDIR is holding. Silent under -q. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>

static char command[48];

static void note(const ea_stage_info *s)
{
	char a[512], d[512], h[32];   /* paths may carry control bytes: escaped for the terminal */
	ea_text_str(a, sizeof a, s->archive);
	fprintf(stderr, "etcd-autopsy %s: %s: ", command, a);
	if (s->late) fprintf(stderr, "%s: ", s->stream_why ? s->stream_why : "");
	if (s->staged) {
		cli_human_bytes(h, sizeof h, s->staged);
		fprintf(stderr, "staged %zu member%s (%s, %" PRIu64 " bytes) under %s", s->staged_n,
		        s->staged_n == 1 ? "" : "s", h, s->staged, ea_text_str(d, sizeof d, s->dir));
	} else {
		fputs("staged nothing", stderr);
	}
	if (s->inplace_n) {
		cli_human_bytes(h, sizeof h, s->inplace_bytes);
		fprintf(stderr, "; read in place (%zu member%s, %s)", s->inplace_n, s->inplace_n == 1 ? "" : "s", h);
	}
	if (s->stream_n) {
		cli_human_bytes(h, sizeof h, s->stream_bytes);
		fprintf(stderr, "; WAL streamed (%zu segment%s, %s)", s->stream_n, s->stream_n == 1 ? "" : "s", h);
	} else if (s->stream_why && !s->late) {
		fprintf(stderr, "; WAL staged: %s", s->stream_why);
	}
	fputc('\n', stderr);
}

void cli_stage_note_init(int quiet, const char *cmd)
{
	snprintf(command, sizeof command, "%s", cmd);
	ea_input_set_stage_note(quiet ? NULL : note);
}
