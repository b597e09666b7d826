/* stage_note.c: one line on stderr per archive input once its members are staged, saying how
 * much disk the staging file takes and where ("staged n1.tar.gz (7.6 GiB, 8200912896 bytes)
 * under /tmp"), so a user reading a large archive knows what TMPDIR is holding. Silent under -q. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>

static void note(const char *archive, uint64_t bytes, const char *dir)
{
	char a[512], d[512], h[32];   /* paths may carry control bytes: escaped for the terminal */
	cli_human_bytes(h, sizeof h, bytes);
	fprintf(stderr, "staged %s (%s, %" PRIu64 " bytes) under %s\n", ea_text_str(a, sizeof a, archive), h, bytes,
	        ea_text_str(d, sizeof d, dir));
}

void cli_stage_note_init(int quiet) { ea_input_set_stage_note(quiet ? NULL : note); }
