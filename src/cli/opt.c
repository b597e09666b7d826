/* opt.c: option parsing and the reporting helpers every command shares. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void cli_parser_init(cli_parser *p, int argc, char **argv)
{
	memset(p, 0, sizeof *p);
	p->argc = argc;
	p->argv = argv;
	p->i = 1;
}

/* --stage-limit SIZE, accepted by every command: caps what archives may stage in TMPDIR. */
static int stage_limit(cli_parser *p, const char *val)
{
	uint64_t v;
	if (!val) {
		if (p->i >= p->argc) { fprintf(stderr, "etcd-autopsy: option --stage-limit needs a value\n"); return -1; }
		val = p->argv[p->i++];
	}
	if (ea_input_parse_size(val, &v) != 0) {
		fprintf(stderr, "etcd-autopsy: --stage-limit '%s': expected a size such as 64G, 512M or 0 (no limit)\n", val);
		return -1;
	}
	ea_input_set_stage_limit(v);
	return 0;
}

int cli_next(cli_parser *p, const cli_opt *opts)
{
	while (p->i < p->argc) {
		char *a = p->argv[p->i++];
		if (strcmp(a, "--") == 0) {
			while (p->i < p->argc && p->npositional < 16) p->positional[p->npositional++] = p->argv[p->i++];
			return -1;
		}
		if (a[0] != '-' || a[1] == 0) {
			if (p->npositional == 16) { fprintf(stderr, "etcd-autopsy: too many arguments\n"); return -2; }
			p->positional[p->npositional++] = a;
			continue;
		}
		const char *val = NULL;
		int idx = -1;
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t nl = eq ? (size_t)(eq - name) : strlen(name);
			for (int k = 0; opts[k].name; k++)
				if (strlen(opts[k].name) == nl && strncmp(opts[k].name, name, nl) == 0) { idx = k; break; }
			if (idx < 0 && nl == 11 && strncmp(name, "stage-limit", nl) == 0) {
				if (stage_limit(p, eq ? eq + 1 : NULL) != 0) return -2;   /* every command has it */
				continue;
			}
			if (idx < 0) { fprintf(stderr, "etcd-autopsy: unknown option %s (see --help)\n", a); return -2; }
			if (eq) val = eq + 1;
		} else {
			for (int k = 0; opts[k].name; k++)
				if (opts[k].short_name == a[1]) { idx = k; break; }
			if (idx < 0) { fprintf(stderr, "etcd-autopsy: unknown option %s (see --help)\n", a); return -2; }
			if (a[2]) val = a + 2;
		}
		if (opts[idx].has_arg) {
			if (!val) {
				if (p->i >= p->argc) { fprintf(stderr, "etcd-autopsy: option %s needs a value\n", a); return -2; }
				val = p->argv[p->i++];
			}
		} else if (val) {
			fprintf(stderr, "etcd-autopsy: option %s takes no value\n", a);
			return -2;
		}
		p->arg = val;
		return idx;
	}
	return -1;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-') return -1;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end) return -1;
	*out = v;
	return 0;
}

int cli_parse_format(const char *s, out_format *f)
{
	if (strcmp(s, "table") == 0 || strcmp(s, "simple") == 0) { *f = OUT_TABLE; return 0; }
	if (strcmp(s, "json") == 0) { *f = OUT_JSON; return 0; }
	fprintf(stderr, "etcd-autopsy: unknown output format '%s' (table|json)\n", s);
	return -1;
}

void cli_problem_seen(cli_problems *cp, const ea_problem *p)
{
	if (p->severity == EA_SEV_INFO) return;
	if (cp->count == 0) {
		/* file names and messages carry bytes from the evidence: escaped for the terminal */
		char file[160], kind[40], msg[360];
		ea_text_str(file, sizeof file, p->file);
		ea_text_str(kind, sizeof kind, p->kind);
		ea_text_str(msg, sizeof msg, p->message);
		if (p->offset != EA_NO_OFFSET)
			snprintf(cp->first, sizeof cp->first, "%s+%" PRIu64 ": %s: %s", file, p->offset, kind, msg);
		else
			snprintf(cp->first, sizeof cp->first, "%s: %s: %s", file, kind, msg);
	}
	cp->count++;
	if (p->severity == EA_SEV_ERROR) cp->errors++; else cp->warnings++;
}

void cli_problems_summary(const cli_problems *cp, const char *what)
{
	cli_progress_stop();
	if (cp->count == 0 || cp->quiet) return;
	fprintf(stderr, "etcd-autopsy: %s: %zu problem%s (%zu error%s, %zu warning%s); first: %s\n", what,
	        cp->count, cp->count == 1 ? "" : "s", cp->errors, cp->errors == 1 ? "" : "s",
	        cp->warnings, cp->warnings == 1 ? "" : "s", cp->first);
}

int cli_exit_code(const cli_problems *cp) { return cp->count ? EXIT_FINDINGS : EXIT_CLEAN; }

void cli_print_error(const char *cmd, const char *path, int rc, const ea_error *err)
{
	char file[1024], msg[1024];
	cli_progress_stop();
	if (err && err->msg[0])
		fprintf(stderr, "etcd-autopsy %s: %s: %s\n", cmd, ea_text_str(file, sizeof file, err->file[0] ? err->file : path),
		        ea_text_str(msg, sizeof msg, err->msg));
	else
		fprintf(stderr, "etcd-autopsy %s: %s: %s\n", cmd, ea_text_str(file, sizeof file, path), ea_strerror(rc));
}

void cli_problem_table(FILE *f, const ea_problem *p) { ea_render_problem_table(f, p); }

void cli_text(FILE *f, const char *s)
{
	if (!s) s = "-";
	ea_text_fput(f, s, strlen(s));
}
