/* cmd_history.c: `etcd-autopsy history NODES... [--terms]`: the merged timeline of several
 * members, or one row per term (leader, votes, index range, failed elections). */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char history_help[] =
	"usage: etcd-autopsy history NODE... [--terms] [-w table|json]\n\n"
	"NODE is NAME=PATH or PATH (named after its directory or archive): a data dir, member/ dir,\n"
	"wal/ dir or an archive of one, per member. Each is identified by the member ID in its WAL.\n\n"
	"  (default)   the merged timeline: votes and term changes per node, leaders elected and\n"
	"              failed elections, entries written but overwritten (superseded), WAL snapshots,\n"
	"              membership changes, compactions, alarms, auth enable/disable (committed),\n"
	"              member (re)starts with their UTC time\n"
	"              (from request IDs), last writes (segment mtimes), damage\n"
	"  --terms     one row per term: leader (inferred from the votes in the WALs), first/last\n"
	"              index, entries, votes, failed_election\n"
	"  --since T, --until T         the timeline's events that can lie in [T, T'] (UTC, e.g.\n"
	"                               2026-12-05T07:08:18Z): by their own time, else by their\n"
	"                               entry's estimated time (docs/time.md); an event with neither\n"
	"                               is kept\n"
	"  -w, --write-out table|json   json = JSON Lines, one object per event / term\n"
	"  --logs NAME=FILE             etcd's log of node NAME (zap JSON or text, plain or .gz, or\n"
	"                               ARCHIVE:MEMBER): leader/election/slow-disk lines join the\n"
	"                               timeline with their real times; repeatable. A log of another\n"
	"                               member, or with no etcd line, is refused (exit 2)\n"
	"  --force                      use such a log anyway (a warning on stderr)\n"
	"  -q, --quiet                  no summary on stderr\n\n"
	"examples:\n"
	"  etcd-autopsy history etcd-1=n1/ etcd-2=n2/ etcd-3=n3/\n"
	"  etcd-autopsy history n1.tar.gz n2.tar.gz n3.tar.gz --terms -w json\n\n"
	"exit codes: 0 no damage, 1 damage found in an input, 2 usage error or an input with neither\n"
	"a WAL nor a readable db\n";

typedef struct { int terms; cli_window win; } history_opts;
static int set_terms(cli_args *a, const char *v) { (void)v; ((history_opts *)a->own)->terms = 1; return 0; }
static int set_since(cli_args *a, const char *v) { return cli_window_set(&((history_opts *)a->own)->win, "history", "since", v); }
static int set_until(cli_args *a, const char *v) { return cli_window_set(&((history_opts *)a->own)->win, "history", "until", v); }
static const cli_row history_rows[] = { { "terms", 0, 0, set_terms }, { "since", 0, 1, set_since },
                                        { "until", 0, 1, set_until }, { NULL, 0, 0, NULL } };
static const cli_command history_cmd = { "history", history_help, CLI_W | CLI_Q | CLI_LOGS | CLI_FORCE, history_rows, 0 };

static void terms_out(const ea_terms *t, ea_node *const *nodes, size_t n, out_format fmt)
{
	if (fmt == OUT_TABLE) { ea_render_terms_table(stdout, t, nodes, n); return; }
	ea_json j;
	ea_json_init(&j, stdout);
	for (size_t r = 0; r < t->nrows; r++) ea_render_term_json(&j, &t->rows[r]);
}

static void events_out(const ea_event *ev, size_t n, out_format fmt)
{
	if (fmt == OUT_TABLE) { ea_render_events_table(stdout, ev, n); return; }
	ea_json j;
	ea_json_init(&j, stdout);
	for (size_t i = 0; i < n; i++) ea_render_event_json(&j, &ev[i]);
}

int cmd_history(int argc, char **argv)
{
	history_opts ho = { 0 };
	cli_args a;
	int go = cli_parse(&a, &history_cmd, argc, argv, &ho);
	if (go != CLI_GO) return go;
	int terms_mode = ho.terms;
	if (cli_window_check(&ho.win, "history")) return EXIT_USAGE;
	if (terms_mode && ho.win.given) {
		fprintf(stderr, "etcd-autopsy history: --since and --until select timeline events, not --terms rows\n");
		return EXIT_USAGE;
	}
	out_format fmt = a.fmt;
	int quiet = a.quiet;
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	a.open.flags = ho.win.given ? EA_NODE_OPEN_WALLTIME : 0;   /* the window's anchors, from the nodes' history pass */
	if (cli_args_nodes(&a, nodes, &n)) return EXIT_USAGE;
	ea_terms terms;
	int rc = ea_terms_build(nodes, n, &terms);
	if (rc == EA_OK) {
		if (terms_mode) {
			cli_progress_stop();
			terms_out(&terms, nodes, n, fmt);
		} else {
			ea_event *ev = NULL;
			size_t nev = 0;
			rc = ea_timeline_build(nodes, n, &terms, &ev, &nev);
			if (rc == EA_OK) rc = cli_history_window(nodes, n, &ho.win, ev, &nev);
			cli_progress_stop();
			if (rc == EA_OK) events_out(ev, nev, fmt);
			free(ev);
		}
		ea_terms_free(&terms);
	}
	cli_problems cp = { .quiet = quiet };
	int db_damaged = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; ea_node_wal(nodes[i])->present && k < ea_node_wal(nodes[i])->summary.problem_count; k++)
			cli_problem_seen(&cp, &ea_node_wal(nodes[i])->summary.problems[k].p);
		if (!ea_node_wal(nodes[i])->present && !quiet)
			fprintf(stderr, "etcd-autopsy history: %s: no WAL in %s\n", ea_node_name(nodes[i]), ea_node_path(nodes[i]));
		db_damaged |= ea_node_db(nodes[i])->problems > 0;   /* the db's damage is a finding too (as in export) */
		ea_node_close(nodes[i]);
	}
	fflush(stdout);
	cli_problems_summary(&cp, "history");
	if (rc != EA_OK) { fprintf(stderr, "etcd-autopsy history: %s\n", ea_strerror(rc)); return EXIT_USAGE; }
	return db_damaged ? EXIT_FINDINGS : cli_exit_code(&cp);
}
