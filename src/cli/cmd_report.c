/* cmd_report.c: `etcd-autopsy report -o FILE NODES...`: one self-contained HTML incident
 * report (verdict, nodes with their replay verdicts, timeline picture, Kubernetes write load,
 * findings, terms, SQL follow-up). */
#include "cli.h"
#include "etcd-autopsy/report.h"
#include "etcd-autopsy/node_replay.h"
#include "etcd-autopsy/text.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char report_help[] =
	"usage: etcd-autopsy report -o FILE.html NODE... [--logs NAME=FILE]... [--k8s-prefix P] [--force]\n\n"
	"NODE is NAME=PATH or PATH, one per member copy (data dir, member/ dir or archive).\n"
	"Writes one self-contained HTML file (no scripts, fonts or anything loaded from the network;\n"
	"light and dark, printable) for an incident document:\n"
	"  - the verdict of `diff` and which member to restore from\n"
	"  - the nodes: member ID, last index/term, commit, consistent index, revision, hash, damage,\n"
	"    and each member's WAL replayed against its own db (as `replay`): db-equals-wal,\n"
	"    db-diverges-from-wal, db-behind-wal or incomplete, the last revision, the first difference\n"
	"  - a timeline picture, one lane per node: terms and their leaders, votes, failed elections,\n"
	"    superseded entries, snapshots and snapshot installs, membership changes, restarts,\n"
	"    damage and divergence; by UTC time when --logs date the terms, else by raft index\n"
	"  - when keys are under the Kubernetes prefix: the write load of the member with the highest\n"
	"    commit: kube-apiserver txns by shape and outcome, writes, CAS conflicts and the event\n"
	"    storm per raft index range on the timeline's axis (per UTC time span when --logs date\n"
	"    it), top resources, namespaces and objects\n"
	"  - the findings and problems with file+offset, the terms table, every timeline event\n"
	"  - the `export` command and the ready SQL queries to continue in SQLite\n\n"
	"  -o, --output FILE     the report to write (written beside it as FILE.tmp-XXXXXX, then renamed)\n"
	"      --logs NAME=FILE  etcd's log of node NAME (zap JSON or text, plain or .gz, or\n"
	"                        ARCHIVE:MEMBER): real times on the timeline; repeatable\n"
	"      --title TEXT      heading of the report (default: etcd incident report)\n"
	"      --k8s-prefix P    Kubernetes key prefix(es) of the write load (default /registry;\n"
	"                        OpenShift: /kubernetes.io,/openshift.io)\n"
	"      --force           replace FILE if it exists; use a --logs file of another member anyway\n"
	"  -q, --quiet           no summary on stderr\n\n"
	"examples:\n"
	"  etcd-autopsy report -o incident.html etcd-1=n1/ etcd-2=n2/ etcd-3=n3/\n"
	"  etcd-autopsy report -o storm.html n1=n1.tar.gz n2=n2.tar.gz n3=n3.tar.gz \\\n"
	"      --logs n1=n1.log --logs n2=n2.log.gz --logs n3=n3.log\n\n"
	"exit codes: 0 written, consistent; 1 written, findings of warning or worse (damage, divergence,\n"
	"a member's db diverging from or behind its own WAL);\n"
	"2 usage error, unreadable input, or the report could not be written\n";

typedef struct {
	const char *title;
	cli_k8s k8s;                        /* --k8s-prefix and the decoder */
} report_args;

static int set_title(cli_args *a, const char *v) { ((report_args *)a->own)->title = v; return 0; }
static int set_k8s_prefix(cli_args *a, const char *v) { return cli_k8s_set(&((report_args *)a->own)->k8s, "report", "k8s-prefix", v); }
static const cli_row report_rows[] = { { "title", 0, 1, set_title }, { "k8s-prefix", 0, 1, set_k8s_prefix },
                                       { NULL, 0, 0, NULL } };
static const cli_command report_cmd = { "report", report_help, CLI_OUTPUT | CLI_LOGS | CLI_FORCE | CLI_Q, report_rows, 0 };

static char *join_argv(int argc, char **argv)
{
	size_t len = 16;
	for (int i = 0; i < argc; i++) len += strlen(argv[i]) * 4 + 3;
	char *s = malloc(len);
	if (!s) return NULL;
	size_t at = (size_t)snprintf(s, len, "etcd-autopsy");
	for (int i = 0; i < argc; i++) {
		int q = strpbrk(argv[i], " \t'\"$`\\;&|<>()*?") != NULL;
		if (!q) { at += (size_t)snprintf(s + at, len - at, " %s", argv[i]); continue; }
		at += (size_t)snprintf(s + at, len - at, " '");
		for (const char *p = argv[i]; *p; p++)
			at += (size_t)snprintf(s + at, len - at, *p == '\'' ? "'\\''" : "%c", *p);
		at += (size_t)snprintf(s + at, len - at, "'");
	}
	return s;
}

/* ---- the ready queries: names and first comment line of the .sql files in a directory ---- */

#ifndef EA_QUERIES_INSTALL_DIR
#define EA_QUERIES_INSTALL_DIR ""
#endif
#ifndef EA_QUERIES_SOURCE_DIR
#define EA_QUERIES_SOURCE_DIR ""
#endif

#define MAX_QUERIES 64

typedef struct {
	ea_report_query q[MAX_QUERIES];
	char names[MAX_QUERIES][128];
	char summaries[MAX_QUERIES][300];
	size_t n;
	const char *dir;
} query_list;

static int cmp_query(const void *a, const void *b)
{
	return strcmp(((const ea_report_query *)a)->name, ((const ea_report_query *)b)->name);
}

/* ". " that ends a sentence (not the one of "e.g. " / "i.e. "), NULL if none */
static char *sentence_end(char *s)
{
	for (char *d = strstr(s, ". "); d; d = strstr(d + 1, ". "))
		if (!(d - s >= 3 && (strncmp(d - 3, "e.g", 3) == 0 || strncmp(d - 3, "i.e", 3) == 0))) return d;
	return NULL;
}

static void read_summary(const char *dir, const char *name, char *out, size_t cap)
{
	out[0] = 0;
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f) return;
	/* the first sentence of the leading comment, which may span lines */
	char text[1200] = "", line[600];
	size_t len = 0;
	while (fgets(line, sizeof line, f) && len < sizeof text - 1) {
		line[strcspn(line, "\r\n")] = 0;
		if (strncmp(line, "--", 2) != 0) break;
		const char *p = line + 2;
		while (*p == ' ') p++;
		if (!*p || strncmp(p, "Parameters:", 11) == 0) break;
		if (len == 0) {
			size_t nl = strlen(name);
			if (strncmp(p, name, nl) == 0 && p[nl] == ':') p += nl + 1;
			while (*p == ' ') p++;
		}
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", len ? " " : "", p);
		if (len >= sizeof text) len = sizeof text - 1;
		if (sentence_end(text) || (len && text[len - 1] == '.')) break;
	}
	char *dot = sentence_end(text);
	if (dot) dot[1] = 0;
	size_t tl = strlen(text);
	if (tl >= cap) tl = cap - 1;   /* the summary is cut to the caller's buffer */
	memcpy(out, text, tl);
	out[tl] = 0;
	fclose(f);
}

static void find_queries(query_list *ql)
{
	const char *dirs[] = { EA_QUERIES_INSTALL_DIR, EA_QUERIES_SOURCE_DIR };
	ql->n = 0;
	ql->dir = NULL;
	for (size_t d = 0; d < sizeof dirs / sizeof *dirs && !ql->n; d++) {
		if (!dirs[d][0]) continue;
		DIR *dh = opendir(dirs[d]);
		if (!dh) continue;
		struct dirent *de;
		while ((de = readdir(dh)) != NULL && ql->n < MAX_QUERIES) {
			size_t l = strlen(de->d_name);
			if (l < 5 || l >= sizeof ql->names[0] || strcmp(de->d_name + l - 4, ".sql") != 0) continue;
			size_t k = ql->n++;
			memcpy(ql->names[k], de->d_name, l + 1);
			read_summary(dirs[d], de->d_name, ql->summaries[k], sizeof ql->summaries[k]);
			ql->q[k].name = ql->names[k];
			ql->q[k].summary = ql->summaries[k][0] ? ql->summaries[k] : NULL;
		}
		closedir(dh);
		if (ql->n) ql->dir = dirs[d];
	}
	qsort(ql->q, ql->n, sizeof *ql->q, cmp_query);
}

/* ---- writing: temp file beside the output, then rename (or link, without --force) ---- */

/* SIGINT/SIGTERM while the temp file exists: remove it, then die of the signal as before
 * (export stops its writer through a flag; the HTML writer has no stop hook, so the handler
 * does the cleanup itself: unlink() is async-signal-safe). */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_armed;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
	if (tmp_armed) unlink(tmp_path);
	tmp_armed = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void block_signals(int block)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

/* mkstemp(tmp) with the cleanup armed; the signals are blocked in between so a signal never
 * sees a created file it does not know about */
static int tmp_create(char *tmp)
{
	if (strlen(tmp) >= sizeof tmp_path) { errno = ENAMETOOLONG; return -1; }
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	block_signals(1);
	int fd = mkstemp(tmp);
	if (fd >= 0) {
		memcpy(tmp_path, tmp, strlen(tmp) + 1);
		tmp_armed = 1;
		sigaction(SIGINT, NULL, &old_int);
		sigaction(SIGTERM, NULL, &old_term);
		/* a signal the caller ignores (a background job's SIGINT) stays ignored */
		if (old_int.sa_handler != SIG_IGN) sigaction(SIGINT, &sa, NULL);
		if (old_term.sa_handler != SIG_IGN) sigaction(SIGTERM, &sa, NULL);
	}
	block_signals(0);
	return fd;
}

/* the temp name is gone (renamed or unlinked): back to the default handlers */
static void tmp_disarm(void)
{
	block_signals(1);
	if (tmp_armed) {
		tmp_armed = 0;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	block_signals(0);
}

/* tests only: EA_TEST_REPORT_PAUSE_MS holds the finished temp file that long before the
 * rename, so a test can signal the command while the file exists */
static void test_pause(void)
{
	const char *s = getenv("EA_TEST_REPORT_PAUSE_MS");
	long ms = s ? strtol(s, NULL, 10) : 0;
	if (ms > 0 && ms <= 60000) usleep((useconds_t)ms * 1000);
}

static int write_report(const char *output, int force, ea_node *const *nodes, size_t n, const ea_terms *terms,
                        const ea_diff *d, const ea_event *ev, size_t nev, const ea_report_options *ro)
{
	size_t len = strlen(output) + 16;
	char *tmp = malloc(len);
	if (!tmp) return -1;
	snprintf(tmp, len, "%s.tmp-XXXXXX", output);
	int fd = tmp_create(tmp);
	if (fd < 0) {
		fprintf(stderr, "etcd-autopsy report: cannot create %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fchmod(fd, 0644);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		tmp_disarm();
		free(tmp);
		return -1;
	}
	int rc = ea_report_write(f, nodes, n, terms, d, ev, nev, ro);
	if (fsync(fileno(f)) != 0 && rc == EA_OK) rc = EA_EIO;
	if (fclose(f) != 0 && rc == EA_OK) rc = EA_EIO;
	test_pause();
	if (rc != EA_OK) {
		fprintf(stderr, "etcd-autopsy report: writing %s: %s\n", tmp, ea_strerror(rc));
		unlink(tmp);
		tmp_disarm();
		free(tmp);
		return -1;
	}
	int ok, e = 0;
	if (force) {
		ok = rename(tmp, output) == 0;
	} else if (link(tmp, output) == 0) {
		/* link fails if the output appeared meanwhile: never replace without --force */
		unlink(tmp);
		ok = 1;
	} else if (errno == EEXIST) {
		ok = 0;
	} else {
		/* a file system without hard links */
		struct stat st;
		if (stat(output, &st) == 0) { ok = 0; errno = EEXIST; }
		else ok = rename(tmp, output) == 0;
	}
	if (!ok) {
		e = errno;
		fprintf(stderr, "etcd-autopsy report: cannot write %s: %s\n", output,
		        e == EEXIST ? "it exists (use --force to replace it)" : strerror(e));
		unlink(tmp);
		tmp_disarm();
		free(tmp);
		return -1;
	}
	tmp_disarm();
	free(tmp);
	return 0;
}

/* The member whose WAL the write load reads: one with a WAL and a db, the highest commit
 * index (the first on a tie); -1 if none. */
static int load_member(ea_node *const *nodes, size_t n)
{
	int best = -1;
	uint64_t commit = 0;
	for (size_t i = 0; i < n; i++) {
		const ea_node_wal_info *w = ea_node_wal(nodes[i]);
		if (!ea_node_log(nodes[i]) || !ea_node_mvcc(nodes[i])) continue;
		uint64_t c = w->summary.have_hard_state ? w->summary.hard_state.commit : 0;
		if (best < 0 || c > commit) { best = (int)i; commit = c; }
	}
	return best;
}

/* The write load of member m, by its entries' estimated time when the timeline is by time (the
 * anchors gathered at open with --logs, and those of its etcd log), else by raft index. */
static int load_build(ea_node *const *nodes, size_t n, const ea_terms *terms, int m, const ea_k8s *k,
                      ea_k8s_load *load)
{
	ea_walltime *wt = ea_report_time_axis(nodes, n, terms) ? ea_node_take_walltime(nodes[m]) : NULL;
	int rc = EA_OK;
	if (wt && !(rc = ea_walltime_node_log_anchors(wt, nodes[m]))) rc = ea_walltime_finish(wt);
	if (rc == EA_OK) rc = ea_k8s_load_build_timed(nodes[m], k, wt, load);
	ea_walltime_free(wt);
	return rc;
}

/* Every member's WAL replayed against its own db, once, kept with the node (the nodes table's
 * verdicts; diff reuses them): the write load's member first, its replay feeding the load. */
static int replay_all(ea_node *const *nodes, size_t n, const ea_terms *terms, const ea_k8s *k, ea_k8s_load *load)
{
	cli_progress_phase("replaying");
	int m = load_member(nodes, n);
	if (m >= 0 && load_build(nodes, n, terms, m, k, load) == EA_ENOMEM) return EA_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!ea_node_replay_get(nodes[i], NULL, NULL, NULL)) return EA_ENOMEM;
	cli_progress_phase("analysing");
	return EA_OK;
}

/* stderr: the members whose replay verdict made the exit code 1 (cli_nodes_replay_finding) */
static void replay_note(ea_node *const *nodes, size_t n)
{
	fputs("etcd-autopsy report: replay (db vs own WAL):", stderr);
	const char *sep = " ";
	for (size_t i = 0; i < n; i++) {
		const ea_node_replay *r = ea_node_replay_kept(nodes[i]);
		if (!r || r->rc != EA_OK || (r->verdict != EA_REPLAY_DB_DIVERGES && r->verdict != EA_REPLAY_DB_BEHIND)) continue;
		char name[200];
		fprintf(stderr, "%s%s %s", sep, ea_text_str(name, sizeof name, ea_node_name(nodes[i])),
		        ea_replay_verdict_name(r->verdict));
		sep = ", ";
	}
	fputc('\n', stderr);
}

int cmd_report(int argc, char **argv)
{
	report_args ra;
	memset(&ra, 0, sizeof ra);
	cli_args a;
	int go = cli_parse(&a, &report_cmd, argc, argv, &ra);
	if (go != CLI_GO) return go;
	const char *output = a.output;
	int force = a.force, quiet = a.quiet;
	if (!output || a.p.npositional < 1 || a.p.npositional > CLI_MAX_NODES) {
		if (!output) fprintf(stderr, "etcd-autopsy report: -o FILE is required\n\n");
		fputs(report_help, stderr);
		return EXIT_USAGE;
	}
	struct stat st;
	if (!force && stat(output, &st) == 0) {
		fprintf(stderr, "etcd-autopsy report: %s exists (use --force to replace it)\n", output);
		return EXIT_USAGE;
	}
	if (cli_k8s_open(&ra.k8s, "report")) return EXIT_USAGE;
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	a.open.flags = a.nlogs ? EA_NODE_OPEN_WALLTIME : 0;   /* a time axis needs --logs: the load by time then */
	if (cli_args_nodes(&a, nodes, &n)) { ea_k8s_free(ra.k8s.k); return EXIT_USAGE; }
	ea_k8s_load load;
	memset(&load, 0, sizeof load);
	ea_terms terms;
	ea_diff d;
	ea_event *ev = NULL;
	size_t nev = 0;
	int have_diff = 0;
	int rc = ea_terms_build(nodes, n, &terms);   /* before the replays: the load's axis follows the timeline's */
	if (rc == EA_OK) rc = replay_all(nodes, n, &terms, ra.k8s.k, &load);
	if (rc == EA_OK) {
		rc = ea_diff_run(nodes, n, &terms, &d);
		have_diff = rc == EA_OK;
	}
	if (rc == EA_OK) rc = ea_timeline_build(nodes, n, &terms, &ev, &nev);
	int code = EXIT_USAGE;
	if (rc == EA_OK) {
		query_list *ql = calloc(1, sizeof *ql);
		char *cmdline = join_argv(argc, argv);
		ea_report_options ro = EA_REPORT_OPTIONS_INIT;
		ro.title = ra.title;
		ro.k8s_load = &load;
		ro.command_line = cmdline;
		if (ql) {
			find_queries(ql);
			ro.queries = ql->q;
			ro.nqueries = ql->n;
			ro.queries_dir = ql->dir;
		}
		if (write_report(output, force, nodes, n, &terms, &d, ev, nev, &ro) == 0) {
			code = cli_diff_exit_code(nodes, n, &d);
			int rm = cli_nodes_replay_finding(nodes, n);   /* the nodes table's replay column counts too */
			if (rm >= 0) code = EXIT_FINDINGS;
			cli_progress_stop();
			if (!quiet)
				fprintf(stderr, "etcd-autopsy report: %s: verdict %s, %zu finding%s, %zu events\n", output,
				        ea_verdict_name(d.verdict), d.nfindings, d.nfindings == 1 ? "" : "s", nev);
			if (!quiet && rm >= 0) replay_note(nodes, n);
		}
		free(cmdline);
		free(ql);
	} else {
		fprintf(stderr, "etcd-autopsy report: %s\n", ea_strerror(rc));
	}
	free(ev);
	ea_k8s_load_free(&load);
	ea_k8s_free(ra.k8s.k);
	if (have_diff) ea_diff_free(&d);
	ea_terms_free(&terms);
	for (size_t i = 0; i < n; i++) ea_node_close(nodes[i]);
	return code;
}
