/* render_common.c: what every renderer shares: sizes for people, and problems (damage by file
 * and byte offset) as table lines and as the "problems" array of a db's JSON object. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <string.h>

const char *ea_render_human_bytes(char *buf, size_t cap, uint64_t bytes)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int i = 0;
	while (v >= 1024 && i < 5) { v /= 1024; i++; }
	if (i == 0) snprintf(buf, cap, "%" PRIu64 " B", bytes);
	else snprintf(buf, cap, "%.1f %s", v, u[i]);
	return buf;
}

static void text(FILE *f, const char *s)
{
	if (!s) s = "-";
	ea_text_fput(f, s, strlen(s));
}

void ea_render_problem_table(FILE *f, const ea_problem *p)
{
	fprintf(f, "PROBLEM %s ", ea_severity_name(p->severity));
	text(f, p->kind);
	fputc(' ', f);
	text(f, p->file ? p->file : "-");
	if (p->offset != EA_NO_OFFSET) fprintf(f, "+%" PRIu64 " (%" PRIu64 " bytes)", p->offset, p->length);
	fputs(": ", f);
	text(f, p->message);
	fputc('\n', f);
	if (p->severity != EA_SEV_INFO) fprintf(f, "        what to do: %s\n", ea_problem_advice(p));
}

void ea_render_db_problems_json(ea_json *j, ea_input *in, ea_bolt *b)
{
	ea_json_key(j, "problems");
	ea_json_array_begin(j);
	for (size_t i = 0; i < ea_input_problem_count(in); i++) ea_json_problem(j, ea_input_problem_at(in, i));
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++) ea_json_problem(j, ea_bolt_problem_at(b, i));
	ea_json_array_end(j);
	ea_json_key(j, "problems_dropped"); ea_json_u64(j, ea_bolt_problems_dropped(b));
}

void ea_render_db_problems_table(FILE *f, ea_input *in, ea_bolt *b)
{
	size_t n = ea_input_problem_count(in) + ea_bolt_problem_count(b);
	fprintf(f, "problems          %zu\n", n + ea_bolt_problems_dropped(b));
	for (size_t i = 0; i < ea_input_problem_count(in); i++) { fputs("  ", f); ea_render_problem_table(f, ea_input_problem_at(in, i)); }
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++) { fputs("  ", f); ea_render_problem_table(f, ea_bolt_problem_at(b, i)); }
}
