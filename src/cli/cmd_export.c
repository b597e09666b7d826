/* cmd_export.c: `etcd-autopsy export -o FILE NODES...`: the incident database (SQLite). */
#include "cli.h"
#include "etcd-autopsy/export.h"
#include "etcd-autopsy/replay.h"
#include "etcd-autopsy/text.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char export_help[] =
	"usage: etcd-autopsy export -o FILE NODE... [--values] [--no-records] [--force] [--k8s-prefix P]\n\n"
	"NODE is NAME=PATH or PATH, one per member copy: a data dir, member/ dir, an archive of one,\n"
	"or a bbolt db / `etcdctl snapshot save` backup file alone.\n"
	"Writes one SQLite file with everything the other commands know: nodes, WAL segments and\n"
	"records, every entry (superseded ones included), hard states, terms and votes, snapshots,\n"
	"membership changes, every MVCC revision, members, leases, alarms, history events, problems\n"
	"(damage by file and offset), diff findings and verdict, and a `timeline` view. The schema\n"
	"is documented in docs/schema.md; ready queries are installed in share/etcd-autopsy/queries.\n\n"
	"  -o, --output FILE   the database to write (written beside it as FILE.tmp-XXXXXX, then renamed)\n"
	"      --values        also store every value (revisions.value BLOB); default: size and CRC-32C\n"
	"      --no-records    leave wal_records empty (one row per WAL record otherwise)\n"
	"      --force         replace FILE if it exists; use a --logs file of another member anyway\n"
	"      --logs NAME=FILE  etcd's log of node NAME: its events join `events` (time_source log)\n"
	"                      and give terms real times; repeatable\n"
	"      --k8s-prefix P  Kubernetes key prefix (default /registry; OpenShift: /kubernetes.io,/openshift.io):\n"
	"                      keys under it fill the k8s_* columns and the k8s_objects view, and\n"
	"                      date the entries (their time anchors)\n"
	"  -q, --quiet         no summary on stderr\n\n"
	"examples:\n"
	"  etcd-autopsy export -o incident.sqlite etcd-1=n1/ etcd-2=n2.tar.gz etcd-3=n3/ backup=snap.db\n"
	"  sqlite3 incident.sqlite \"SELECT term, leader, first_index, last_index FROM terms ORDER BY term\"\n"
	"  sqlite3 incident.sqlite < /usr/local/share/etcd-autopsy/queries/leaders-per-term.sql\n\n"
	"exit codes: 0 exported, no damage; 1 exported, damage, divergence or a warning finding (see problems,\n"
	"findings), or a member whose db is behind or diverges from its own WAL (named on stderr);\n"
	"2 usage error, unreadable input, or the database could not be written\n";

static int set_values(cli_args *a, const char *v) { (void)v; ((ea_export_options *)a->own)->values = 1; return 0; }
static int set_no_records(cli_args *a, const char *v) { (void)v; ((ea_export_options *)a->own)->records = 0; return 0; }
static int set_k8s_prefix(cli_args *a, const char *v)
{
	cli_k8s k = { 0 };
	if (cli_k8s_set(&k, "export", "k8s-prefix", v) || cli_k8s_open(&k, "export")) return -1;   /* checked here */
	ea_k8s_free(k.k);
	((ea_export_options *)a->own)->k8s_prefix = v;
	return 0;
}
static const cli_row export_rows[] = {
	{ "values", 0, 0, set_values }, { "no-records", 0, 0, set_no_records }, { "k8s-prefix", 0, 1, set_k8s_prefix },
	{ NULL, 0, 0, NULL }
};
static const cli_command export_cmd = { "export", export_help, CLI_OUTPUT | CLI_FORCE | CLI_Q | CLI_LOGS, export_rows, 1 };

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static char *join_argv(int argc, char **argv)
{
	size_t len = 16;
	for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 3;
	char *s = malloc(len);
	if (!s) return NULL;
	size_t at = (size_t)snprintf(s, len, "etcd-autopsy");
	for (int i = 0; i < argc; i++) {
		int q = strpbrk(argv[i], " \t'\"") != NULL;
		at += (size_t)snprintf(s + at, len - at, q ? " '%s'" : " %s", argv[i]);
	}
	return s;
}

/* A member whose db is behind or diverges from its own WAL (the replay export ran for its
 * entries' revisions) makes the exit code 1, as for `replay` and `report` (README, exit codes). */
static int replay_finding(const ea_export_stats *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (st->replay_verdict[i] == EA_REPLAY_DB_DIVERGES || st->replay_verdict[i] == EA_REPLAY_DB_BEHIND) return 1;
	return 0;
}

/* stderr: the members replay_finding() counted */
static void replay_note(ea_node *const *nodes, size_t n, const ea_export_stats *st)
{
	fputs("etcd-autopsy export: replay (db vs own WAL):", stderr);
	const char *sep = " ";
	for (size_t i = 0; i < n; i++) {
		int v = st->replay_verdict[i];
		if (v != EA_REPLAY_DB_DIVERGES && v != EA_REPLAY_DB_BEHIND) continue;
		char name[200];
		fprintf(stderr, "%s%s %s", sep, ea_text_str(name, sizeof name, ea_node_name(nodes[i])),
		        ea_replay_verdict_name((ea_replay_verdict)v));
		sep = ", ";
	}
	fputc('\n', stderr);
}

int cmd_export(int argc, char **argv)
{
	cli_malloc_fixed_mmap_threshold();
	ea_export_options eo = EA_EXPORT_OPTIONS_INIT;
	cli_args a;
	int go = cli_parse(&a, &export_cmd, argc, argv, &eo);
	if (go != CLI_GO) return go;
	eo.force = a.force;
	const char *output = a.output;
	int quiet = a.quiet;
	if (!output) {
		fprintf(stderr, "etcd-autopsy export: -o FILE is required\n\n");
		fputs(export_help, stderr);
		return EXIT_USAGE;
	}
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	a.open.flags = EA_NODE_OPEN_WALLTIME;   /* the entries' time anchors, from the nodes' history pass */
	a.open.k8s_prefix = eo.k8s_prefix;      /* ... of the Kubernetes keys under --k8s-prefix */
	if (cli_args_nodes(&a, nodes, &n)) return EXIT_USAGE;
	for (size_t i = 0; i < n; i++) ea_node_drop_wal_versions(nodes[i]);   /* report's, not export's */

	char *cmdline = join_argv(argc, argv);
	eo.command_line = cmdline;
	eo.stop = &stop_flag;
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	ea_export_stats st;
	ea_error err = { 0 };
	int rc = ea_export_sqlite(output, nodes, n, &eo, &st, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	int code = EXIT_CLEAN;
	if (rc != EA_OK) {
		cli_print_error("export", output, rc, &err);
		code = EXIT_USAGE;
	} else {
		uint64_t damage = 0;
		/* problems of warning or error severity, and non-info findings, make the exit code 1 */
		cli_problems cp = { .quiet = quiet };
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; ea_node_wal(nodes[i])->present && k < ea_node_wal(nodes[i])->summary.problem_count; k++)
				cli_problem_seen(&cp, &ea_node_wal(nodes[i])->summary.problems[k].p);
			damage += ea_node_db(nodes[i])->problems;
		}
		int diverged = st.verdict && strcmp(st.verdict, "consistent") != 0;
		int replay = replay_finding(&st, n);
		if (cp.count || damage || diverged || st.findings_warn || replay) code = EXIT_FINDINGS;
		cli_progress_stop();
		if (!quiet) {
			fprintf(stderr, "etcd-autopsy export: %s: %llu rows in %.2f s (%s", output,
			        (unsigned long long)st.total_rows, cli_progress_elapsed(), "entries ");
			fprintf(stderr, "%llu, revisions %llu, problems %llu); verdict %s\n",
			        (unsigned long long)st.rows[EA_EXPORT_T_ENTRIES],
			        (unsigned long long)st.rows[EA_EXPORT_T_REVISIONS],
			        (unsigned long long)st.rows[EA_EXPORT_T_PROBLEMS], st.verdict ? st.verdict : "-");
			fprintf(stderr, "etcd-autopsy export: writing the database %.2f s: load %.2f s, indexes %.2f s, SHA-256 of the inputs %.2f s "
			        "(alongside the load)\n", st.total_seconds, st.load_seconds, st.index_seconds, st.hash_seconds);
			if (replay) replay_note(nodes, n, &st);
		}
	}
	free(cmdline);
	for (size_t i = 0; i < n; i++) ea_node_close(nodes[i]);
	return code;
}
