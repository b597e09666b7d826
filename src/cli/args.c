/* args.c: the option table. The options several commands share (-w, -q, --logs, --force, -o,
 * --help) are declared once here, each with the CLI_* flag a command names to take it; a
 * command adds its own rows (cli_command.rows) and cli_parse fills one cli_args for it. */
#include "cli.h"

#include <string.h>

static int set_write(cli_args *a, const char *v)
{
	if ((a->cmd->flags & CLI_YAML) && strcmp(v, "yaml") == 0) { a->fmt = OUT_YAML; return 0; }
	return cli_parse_format(v, &a->fmt) ? -1 : 0;
}
static int set_quiet(cli_args *a, const char *v) { (void)v; a->quiet = 1; return 0; }
static int set_force(cli_args *a, const char *v) { (void)v; a->force = 1; cli_force_logs = 1; return 0; }
static int set_output(cli_args *a, const char *v) { a->output = v; return 0; }

static int set_logs(cli_args *a, const char *v)
{
	char who[64];
	snprintf(who, sizeof who, "etcd-autopsy%s%s", a->cmd->named_errors ? " " : "", a->cmd->named_errors ? a->cmd->name : "");
	return cli_list_add(a->logs, &a->nlogs, v, who, "--logs");
}

/* the shared options, and the flag that makes a command take each */
static const struct {
	unsigned flag;
	cli_row row;
} cli_common_rows[] = {
	{ CLI_W, { "write-out", 'w', 1, set_write } },
	{ CLI_Q, { "quiet", 'q', 0, set_quiet } },
	{ CLI_LOGS, { "logs", 0, 1, set_logs } },
	{ CLI_FORCE, { "force", 0, 0, set_force } },
	{ CLI_OUTPUT, { "output", 'o', 1, set_output } },
};
#define NCOMMON (sizeof cli_common_rows / sizeof cli_common_rows[0])
#define CLI_MAX_ROWS 24

int cli_list_add(const char **list, int *n, const char *val, const char *who, const char *opt)
{
	if (*n == CLI_MAX_NODES) { fprintf(stderr, "%s: too many %s\n", who, opt); return -1; }
	list[(*n)++] = val;
	return 0;
}

/* The rows c takes, its own first, then the shared ones it names, then --help (set NULL). */
static size_t gather(const cli_command *c, const cli_row **rows, cli_opt *opts)
{
	size_t n = 0;
	for (const cli_row *r = c->rows; r && r->name && n < CLI_MAX_ROWS - 2; r++) rows[n++] = r;
	for (size_t i = 0; i < NCOMMON && n < CLI_MAX_ROWS - 2; i++)
		if (c->flags & cli_common_rows[i].flag) rows[n++] = &cli_common_rows[i].row;
	static const cli_row help = { "help", 'h', 0, NULL };
	rows[n++] = &help;
	for (size_t i = 0; i < n; i++) opts[i] = (cli_opt){ rows[i]->name, rows[i]->short_name, rows[i]->has_arg };
	opts[n] = (cli_opt){ NULL, 0, 0 };
	return n;
}

int cli_parse(cli_args *a, const cli_command *c, int argc, char **argv, void *own)
{
	memset(a, 0, sizeof *a);
	a->cmd = c;
	a->fmt = OUT_TABLE;
	a->own = own;
	const cli_row *rows[CLI_MAX_ROWS];
	cli_opt opts[CLI_MAX_ROWS];
	gather(c, rows, opts);
	cli_parser_init(&a->p, argc, argv);
	int o;
	while ((o = cli_next(&a->p, opts)) >= 0) {
		if (!rows[o]->set) { fputs(c->help, stdout); return EXIT_CLEAN; }
		if (rows[o]->set(a, a->p.arg)) return EXIT_USAGE;
	}
	return o == -2 ? EXIT_USAGE : CLI_GO;
}

int cli_args_nodes(const cli_args *a, ea_node **nodes, size_t *n)
{
	return cli_nodes_from_args(a->cmd->name, a->cmd->help, &a->p, a->logs, a->nlogs, &a->open, nodes, n);
}

int cli_verb(int argc, char **argv, const cli_command *c, const char *const *verbs, int *code)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(c->help, argc < 2 ? stderr : stdout);
		*code = argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
		return -1;
	}
	for (int i = 0; verbs[i]; i++)
		if (strcmp(argv[1], verbs[i]) == 0) return i;
	fprintf(stderr, "etcd-autopsy %s: unknown subcommand '%s' (", c->name, argv[1]);
	for (int i = 0; verbs[i]; i++) fprintf(stderr, "%s%s", i ? "|" : "", verbs[i]);
	fputs(")\n", stderr);
	*code = EXIT_USAGE;
	return -1;
}
