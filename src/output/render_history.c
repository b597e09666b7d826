/* render_history.c: the merged timeline of `history` (one event per line) and the terms of
 * `history --terms` (leader, index range, votes, failed elections) as JSON Lines and as tables.
 * Tables name a member by the node the user gave it where one carries its ID. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *ea_render_member_label(ea_node *const *nodes, size_t n, uint64_t id, char *buf, size_t cap)
{
	for (size_t i = 0; id && nodes && i < n; i++)
		if (ea_node_wal(nodes[i])->present && ea_node_wal(nodes[i])->summary.have_metadata && ea_node_wal(nodes[i])->summary.member_id == id) return ea_node_name(nodes[i]);
	snprintf(buf, cap, "%" PRIx64, id);
	return buf;
}

void ea_render_term_json(ea_json *j, const ea_term_row *row)
{
	ea_json_object_begin(j);
	ea_json_key(j, "term"); ea_json_u64(j, row->term);
	ea_json_key(j, "leader"); if (row->leader) ea_json_hex(j, row->leader); else ea_json_null(j);
	ea_json_key(j, "leader_basis"); ea_json_str(j, row->leader_basis);
	ea_json_key(j, "first_index"); if (row->entries) ea_json_u64(j, row->first_index); else ea_json_null(j);
	ea_json_key(j, "last_index"); if (row->entries) ea_json_u64(j, row->last_index); else ea_json_null(j);
	ea_json_key(j, "entries"); ea_json_u64(j, row->entries);
	ea_json_key(j, "votes");
	ea_json_object_begin(j);
	for (size_t v = 0; v < row->nvotes; v++) {
		char k[32];
		snprintf(k, sizeof k, "%" PRIx64, row->votes[v].voter);
		ea_json_key(j, k);
		ea_json_hex(j, row->votes[v].voted_for);
	}
	ea_json_object_end(j);
	ea_json_key(j, "failed_election"); ea_json_bool(j, row->failed_election);
	/* as export's terms.time/time_source: the earliest line of etcd's logs about the term */
	ea_json_key(j, "time"); ea_json_time_ms(j, row->time_ms);
	ea_json_key(j, "time_source"); if (row->time_ms >= 0) ea_json_str(j, "log"); else ea_json_null(j);
	ea_json_object_end(j);
	ea_json_newline(j);
}

/* one term row; lw: the LEADER column width, timed: a TIME column first */
static void term_row(FILE *f, const ea_term_row *row, ea_node *const *nodes, size_t n, int lw, int timed)
{
	char b1[24], b2[24];
	if (timed) {
		char tm[48] = "-";
		if (row->time_ms >= 0) ea_format_time_ms(tm, sizeof tm, row->time_ms);
		fprintf(f, "%-24s ", tm);
	}
	fprintf(f, "%6" PRIu64 " %-*s ", row->term, lw, row->leader ? ea_render_member_label(nodes, n, row->leader, b1, sizeof b1) : "-");
	if (row->entries) fprintf(f, "%10" PRIu64 " %10" PRIu64 " ", row->first_index, row->last_index);
	else fprintf(f, "%10s %10s ", "-", "-");
	fprintf(f, "%8" PRIu64 " %-7s ", row->entries, row->failed_election ? "yes" : "-");
	for (size_t v = 0; v < row->nvotes; v++)
		fprintf(f, "%s%s->%s", v ? "," : "", ea_render_member_label(nodes, n, row->votes[v].voter, b1, sizeof b1),
		        ea_render_member_label(nodes, n, row->votes[v].voted_for, b2, sizeof b2));
	if (!row->nvotes) fputc('-', f);
	fputc('\n', f);
}

void ea_render_terms_table(FILE *f, const ea_terms *t, ea_node *const *nodes, size_t n)
{
	int lw = 6, timed = 0;   /* a TIME column only when --logs dated a term */
	for (size_t r = 0; r < t->nrows; r++) {
		char b[24];
		int l = t->rows[r].leader ? (int)strlen(ea_render_member_label(nodes, n, t->rows[r].leader, b, sizeof b)) : 1;
		if (l > lw) lw = l;
		timed |= t->rows[r].time_ms >= 0;
	}
	if (lw > 40) lw = 40;
	if (timed) fprintf(f, "%-24s ", "TIME (log)");
	fprintf(f, "%6s %-*s %10s %10s %8s %-7s %s\n", "TERM", lw, "LEADER", "FIRST", "LAST", "ENTRIES", "FAILED",
	        "VOTES (voter->candidate)");
	for (size_t r = 0; r < t->nrows; r++) term_row(f, &t->rows[r], nodes, n, lw, timed);
	fprintf(f, "\n%zu terms, %zu failed election%s (longest run %zu)\n", t->nrows, t->failed_elections,
	        t->failed_elections == 1 ? "" : "s", t->longest_failed_run);
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (ea_node_wal(nodes[i])->present && ea_node_wal(nodes[i])->summary.have_metadata) {
			fprintf(f, "%s%s = %" PRIx64, any ? ", " : "nodes: ", ea_node_name(nodes[i]), ea_node_wal(nodes[i])->summary.member_id);
			any = 1;
		}
	if (any) fputc('\n', f);
}

void ea_render_event_json(ea_json *j, const ea_event *e)
{
	ea_json_object_begin(j);
	ea_json_key(j, "node"); ea_json_str(j, e->node);
	ea_json_key(j, "event"); ea_json_str(j, e->event);
	ea_json_key(j, "term"); if (e->term) ea_json_u64(j, e->term); else ea_json_null(j);
	ea_json_key(j, "index"); if (e->index) ea_json_u64(j, e->index); else ea_json_null(j);
	ea_json_key(j, "time"); ea_json_time_ms(j, e->time_ms);
	ea_json_key(j, "time_source"); ea_json_str(j, e->time_source);
	ea_json_key(j, "detail"); ea_json_str(j, e->detail);
	ea_json_object_end(j);
	ea_json_newline(j);
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

static void event_row(FILE *f, const ea_event *e)
{
	char t[48] = "-";
	if (e->time_ms >= 0) ea_format_time_ms(t, sizeof t, e->time_ms);
	char term[24] = "-", idx[24] = "-";
	if (e->term) snprintf(term, sizeof term, "%" PRIu64, e->term);
	if (e->index) snprintf(idx, sizeof idx, "%" PRIu64, e->index);
	char node[256];   /* names and details carry input bytes: escaped for the terminal */
	fprintf(f, "%-24s %6s %10s %-10s %-16s ", t, term, idx, e->node ? ea_text_str(node, sizeof node, e->node) : "(cluster)", e->event);
	ea_text_fput(f, e->detail, strlen(e->detail));
	fputc('\n', f);
}

void ea_render_events_table(FILE *f, const ea_event *ev, size_t n)
{
	ev_order *ord = malloc((n ? n : 1) * sizeof *ord);
	int64_t last = INT64_MIN;
	for (size_t i = 0; ord && i < n; i++) {
		if (ev[i].time_ms >= 0) last = ev[i].time_ms;
		ord[i].t = last;
		ord[i].i = i;
	}
	if (ord && n > 1) qsort(ord, n, sizeof *ord, cmp_order);
	fprintf(f, "%-24s %6s %10s %-10s %-16s %s\n", "TIME", "TERM", "INDEX", "NODE", "EVENT", "DETAIL");
	for (size_t k = 0; k < n; k++) event_row(f, &ev[ord ? ord[k].i : k]);
	free(ord);
}
