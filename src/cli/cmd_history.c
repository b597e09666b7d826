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

static int set_terms(cli_args *a, const char *v) { (void)v; *(int *)a->own = 1; return 0; }
static const cli_row history_rows[] = { { "terms", 0, 0, set_terms }, { NULL, 0, 0, NULL } };
static const cli_command history_cmd = { "history", history_help, CLI_W | CLI_Q | CLI_LOGS | CLI_FORCE, history_rows, 0 };

static void terms_json(const ea_terms *t)
{
	ea_json j;
	ea_json_init(&j, stdout);
	for (size_t r = 0; r < t->nrows; r++) {
		const ea_term_row *row = &t->rows[r];
		ea_json_object_begin(&j);
		ea_json_key(&j, "term"); ea_json_u64(&j, row->term);
		ea_json_key(&j, "leader"); if (row->leader) ea_json_hex(&j, row->leader); else ea_json_null(&j);
		ea_json_key(&j, "leader_basis"); ea_json_str(&j, row->leader_basis);
		ea_json_key(&j, "first_index"); if (row->entries) ea_json_u64(&j, row->first_index); else ea_json_null(&j);
		ea_json_key(&j, "last_index"); if (row->entries) ea_json_u64(&j, row->last_index); else ea_json_null(&j);
		ea_json_key(&j, "entries"); ea_json_u64(&j, row->entries);
		ea_json_key(&j, "votes");
		ea_json_object_begin(&j);
		for (size_t v = 0; v < row->nvotes; v++) {
			char k[32];
			snprintf(k, sizeof k, "%" PRIx64, row->votes[v].voter);
			ea_json_key(&j, k);
			ea_json_hex(&j, row->votes[v].voted_for);
		}
		ea_json_object_end(&j);
		ea_json_key(&j, "failed_election"); ea_json_bool(&j, row->failed_election);
		/* as export's terms.time/time_source: the earliest line of etcd's logs about the term */
		ea_json_key(&j, "time"); ea_json_time_ms(&j, row->time_ms);
		ea_json_key(&j, "time_source"); if (row->time_ms >= 0) ea_json_str(&j, "log"); else ea_json_null(&j);
		ea_json_object_end(&j);
		ea_json_newline(&j);
	}
}

/* LEADER and VOTES by node name where the member ID is one of the nodes given, else in hex */
static void terms_table(const ea_terms *t, ea_node *const *nodes, size_t n)
{
	int lw = 6, timed = 0;   /* a TIME column only when --logs dated a term */
	for (size_t r = 0; r < t->nrows; r++) {
		char b[24];
		int l = t->rows[r].leader ? (int)strlen(cli_member_label(nodes, n, t->rows[r].leader, b, sizeof b)) : 1;
		if (l > lw) lw = l;
		timed |= t->rows[r].time_ms >= 0;
	}
	if (lw > 40) lw = 40;
	if (timed) printf("%-24s ", "TIME (log)");
	printf("%6s %-*s %10s %10s %8s %-7s %s\n", "TERM", lw, "LEADER", "FIRST", "LAST", "ENTRIES", "FAILED",
	       "VOTES (voter->candidate)");
	for (size_t r = 0; r < t->nrows; r++) {
		const ea_term_row *row = &t->rows[r];
		char b1[24], b2[24];
		if (timed) {
			char tm[48] = "-";
			if (row->time_ms >= 0) ea_format_time_ms(tm, sizeof tm, row->time_ms);
			printf("%-24s ", tm);
		}
		printf("%6" PRIu64 " %-*s ", row->term, lw,
		       row->leader ? cli_member_label(nodes, n, row->leader, b1, sizeof b1) : "-");
		if (row->entries) printf("%10" PRIu64 " %10" PRIu64 " ", row->first_index, row->last_index);
		else printf("%10s %10s ", "-", "-");
		printf("%8" PRIu64 " %-7s ", row->entries, row->failed_election ? "yes" : "-");
		for (size_t v = 0; v < row->nvotes; v++)
			printf("%s%s->%s", v ? "," : "", cli_member_label(nodes, n, row->votes[v].voter, b1, sizeof b1),
			       cli_member_label(nodes, n, row->votes[v].voted_for, b2, sizeof b2));
		if (!row->nvotes) putchar('-');
		putchar('\n');
	}
	printf("\n%zu terms, %zu failed election%s (longest run %zu)\n", t->nrows, t->failed_elections,
	       t->failed_elections == 1 ? "" : "s", t->longest_failed_run);
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (nodes[i]->have_wal && nodes[i]->wal.have_metadata) {
			printf("%s%s = %" PRIx64, any ? ", " : "nodes: ", nodes[i]->name, nodes[i]->wal.member_id);
			any = 1;
		}
	if (any) putchar('\n');
}

static void events_json(const ea_event *ev, size_t n)
{
	ea_json j;
	ea_json_init(&j, stdout);
	for (size_t i = 0; i < n; i++) {
		const ea_event *e = &ev[i];
		ea_json_object_begin(&j);
		ea_json_key(&j, "node"); ea_json_str(&j, e->node);
		ea_json_key(&j, "event"); ea_json_str(&j, e->event);
		ea_json_key(&j, "term"); if (e->term) ea_json_u64(&j, e->term); else ea_json_null(&j);
		ea_json_key(&j, "index"); if (e->index) ea_json_u64(&j, e->index); else ea_json_null(&j);
		ea_json_key(&j, "time"); ea_json_time_ms(&j, e->time_ms);
		ea_json_key(&j, "time_source"); ea_json_str(&j, e->time_source);
		ea_json_key(&j, "detail"); ea_json_str(&j, e->detail);
		ea_json_object_end(&j);
		ea_json_newline(&j);
	}
}

/* The table in time order where a time is known: an event without a time keeps its place
 * after the timed event that precedes it in the (term, index) order of the timeline. */
typedef struct {
	int64_t t;
	size_t i;
} ev_order;

static int cmp_order(const void *a, const void *b)
{
	const ev_order *x = a, *y = b;
	if (x->t != y->t) return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void events_table(const ea_event *ev, size_t n)
{
	ev_order *ord = malloc((n ? n : 1) * sizeof *ord);
	int64_t last = INT64_MIN;
	for (size_t i = 0; ord && i < n; i++) {
		if (ev[i].time_ms >= 0) last = ev[i].time_ms;
		ord[i].t = last;
		ord[i].i = i;
	}
	if (ord && n > 1) qsort(ord, n, sizeof *ord, cmp_order);
	printf("%-24s %6s %10s %-10s %-16s %s\n", "TIME", "TERM", "INDEX", "NODE", "EVENT", "DETAIL");
	for (size_t k = 0; k < n; k++) {
		const ea_event *e = &ev[ord ? ord[k].i : k];
		char t[48] = "-";
		if (e->time_ms >= 0) ea_format_time_ms(t, sizeof t, e->time_ms);
		char term[24] = "-", idx[24] = "-";
		if (e->term) snprintf(term, sizeof term, "%" PRIu64, e->term);
		if (e->index) snprintf(idx, sizeof idx, "%" PRIu64, e->index);
		char node[256];   /* names and details carry input bytes: escaped for the terminal */
		printf("%-24s %6s %10s %-10s %-16s ", t, term, idx, e->node ? ea_text_str(node, sizeof node, e->node) : "(cluster)", e->event);
		cli_text(stdout, e->detail);
		putchar('\n');
	}
	free(ord);
}

int cmd_history(int argc, char **argv)
{
	int terms_mode = 0;
	cli_args a;
	int go = cli_parse(&a, &history_cmd, argc, argv, &terms_mode);
	if (go != CLI_GO) return go;
	out_format fmt = a.fmt;
	int quiet = a.quiet;
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	if (cli_args_nodes(&a, nodes, &n)) return EXIT_USAGE;
	ea_terms terms;
	int rc = ea_terms_build(nodes, n, &terms);
	if (rc == EA_OK) {
		if (terms_mode) {
			cli_progress_stop();
			if (fmt == OUT_JSON) terms_json(&terms); else terms_table(&terms, nodes, n);
		} else {
			ea_event *ev = NULL;
			size_t nev = 0;
			rc = ea_timeline_build(nodes, n, &terms, &ev, &nev);
			cli_progress_stop();
			if (rc == EA_OK) { if (fmt == OUT_JSON) events_json(ev, nev); else events_table(ev, nev); }
			free(ev);
		}
		ea_terms_free(&terms);
	}
	cli_problems cp = { .quiet = quiet };
	int db_damaged = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; nodes[i]->have_wal && k < nodes[i]->wal.problem_count; k++)
			cli_problem_seen(&cp, &nodes[i]->wal.problems[k].p);
		if (!nodes[i]->have_wal && !quiet)
			fprintf(stderr, "etcd-autopsy history: %s: no WAL in %s\n", nodes[i]->name, nodes[i]->path);
		db_damaged |= nodes[i]->db_problems > 0;   /* the db's damage is a finding too (as in export) */
		ea_node_free(nodes[i]);
	}
	fflush(stdout);
	cli_problems_summary(&cp, "history");
	if (rc != EA_OK) { fprintf(stderr, "etcd-autopsy history: %s\n", ea_strerror(rc)); return EXIT_USAGE; }
	return db_damaged ? EXIT_FINDINGS : cli_exit_code(&cp);
}
