/* terms.c: the leader of every term, from the WALs of several nodes.
 *
 * Raft persists a HardState {term, vote, commit} before it acts on a vote, so every vote
 * cast is in the voter's WAL. The leader of term T is the member that received votes in T
 * and whose term has entries (a new leader's first entry is an empty normal entry). Votes
 * from the available nodes are counted; a term where someone campaigned (a vote was cast)
 * but no node holds an entry of it is a failed election. */
#include "etcd-autopsy/history.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Every term any node knows (its WAL's, or its etcd log's for members whose WAL is not
 * here), sorted and unique, into *all (count in *k); EA_OK or EA_ENOMEM. */
static int all_terms(ea_node *const *nodes, size_t n, uint64_t **all, size_t *k)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) total += ea_node_history(nodes[i])->nterms + ea_node_logs(nodes[i])->nevents;
	uint64_t *a = malloc((total ? total : 1) * sizeof *a);
	if (!a) return EA_ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ea_node_history(nodes[i])->nterms; j++) a[m++] = ea_node_history(nodes[i])->terms[j].term;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ea_node_logs(nodes[i])->nevents; j++)
			if (ea_node_logs(nodes[i])->events[j].term) a[m++] = ea_node_logs(nodes[i])->events[j].term;
	qsort(a, m, sizeof *a, cmp_u64);
	size_t uniq = 0;
	for (size_t i = 0; i < m; i++) if (i == 0 || a[i] != a[i - 1]) a[uniq++] = a[i];
	*all = a;
	*k = uniq;
	return EA_OK;
}

/* What etcd's logs say of row's term: its earliest time, the leader they name; 1 if someone campaigned. */
static int row_from_logs(ea_node *const *nodes, size_t n, ea_term_row *row)
{
	int log_campaign = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ea_node_logs(nodes[i])->nevents; j++) {
			const ea_log_event *ev = &ea_node_logs(nodes[i])->events[j];
			if (ev->term != row->term) continue;
			if (ev->time_ms >= 0 && (row->time_ms < 0 || ev->time_ms < row->time_ms)) row->time_ms = ev->time_ms;
			if (strcmp(ev->event, "became-leader") == 0) row->log_leader = ev->member;
			else if (!row->log_leader && (strcmp(ev->event, "elected-leader") == 0 ||
			                              strcmp(ev->event, "leader-changed") == 0))
				row->log_leader = ev->other; /* raft.node's "elected leader" / "changed leader from a to b" */
			else if (strcmp(ev->event, "became-candidate") == 0 || strcmp(ev->event, "election-start") == 0)
				log_campaign = 1;
		}
	return log_campaign;
}

/* What the WALs say of row's term: its entries' range and the votes cast (*any_vote). 1 if it has entries. */
static int row_from_wals(ea_node *const *nodes, size_t n, ea_term_row *row, int *any_vote)
{
	int any_entries = 0;
	*any_vote = 0;
	for (size_t i = 0; i < n; i++) {
		const ea_node_term *t = ea_node_find_term(nodes[i], row->term);
		if (!t) continue;
		if (t->entries) {
			any_entries = 1;
			if (!row->first_index || t->first_index < row->first_index) row->first_index = t->first_index;
			if (t->last_index > row->last_index) row->last_index = t->last_index;
			if (t->entries > row->entries) row->entries = t->entries;
		}
		if (t->vote) {
			*any_vote = 1;
			if (row->nvotes < 16) {
				row->votes[row->nvotes].voter = ea_node_wal(nodes[i])->summary.member_id;
				row->votes[row->nvotes].voted_for = t->vote;
				row->nvotes++;
			}
		}
	}
	return any_entries;
}

/* the candidate with most votes (count in *best_votes); ties broken by the lower ID for determinism */
static uint64_t most_voted(const ea_term_row *row, size_t *best_votes)
{
	uint64_t best = 0;
	*best_votes = 0;
	for (size_t a = 0; a < row->nvotes; a++) {
		size_t c = 0;
		for (size_t b = 0; b < row->nvotes; b++) c += row->votes[b].voted_for == row->votes[a].voted_for;
		if (c > *best_votes || (c == *best_votes && row->votes[a].voted_for < best)) {
			best = row->votes[a].voted_for;
			*best_votes = c;
		}
	}
	return best;
}

/* The leader of row's term (or a failed election) and the basis for it. */
static void judge_leader(ea_term_row *row, size_t n, int any_entries, int any_vote, int log_campaign, size_t *mismatches)
{
	size_t best_votes;
	uint64_t best = most_voted(row, &best_votes);
	if (row->log_leader && best && row->log_leader != best && any_entries) {
		row->leader_mismatch = 1;
		(*mismatches)++;
	}
	if (any_entries && best) {
		row->leader = best;
		if (best_votes * 2 > n)
			row->leader_basis = "votes from a majority of the nodes read";
		else if (best_votes == row->nvotes)
			row->leader_basis = "every vote read in this term, and the term has entries";
		else
			row->leader_basis = "most votes read in this term (split vote?)";
	} else if (row->log_leader && any_entries) {
		row->leader = row->log_leader;
		row->leader_basis = "etcd's log (\"became leader at term\"); no vote for it in the WALs read";
	} else if (any_entries && row->term == 1) {
		row->leader_basis = "bootstrap: every member writes the initial membership entries itself";
	} else if (any_entries) {
		row->leader_basis = "entries of this term exist but no vote for it is in the WALs read";
	} else if (any_vote || (log_campaign && !row->log_leader)) {
		row->failed_election = 1;
		row->leader_basis = "campaign with no entry in this term on any node: failed election";
	}
	if (row->leader_mismatch) row->leader_basis = "the votes in the WALs name this leader, but etcd's log names another";
	if (row->failed_election && row->log_leader) {
		/* the log says someone won: the leader crashed before writing its first entry */
		row->failed_election = 0;
		row->leader = row->log_leader;
		row->leader_basis = "etcd's log names a leader, but no node holds an entry of this term";
	}
}

int ea_terms_build(ea_node *const *nodes, size_t n, ea_terms *out)
{
	memset(out, 0, sizeof *out);
	uint64_t *all;
	size_t uniq;
	if (all_terms(nodes, n, &all, &uniq) != EA_OK) return EA_ENOMEM;
	out->rows = calloc(uniq ? uniq : 1, sizeof *out->rows);
	if (!out->rows) { free(all); return EA_ENOMEM; }
	size_t run = 0;
	for (size_t u = 0; u < uniq; u++) {
		uint64_t term = all[u];
		ea_term_row *row = &out->rows[out->nrows++];
		row->term = term;
		row->time_ms = -1;
		int log_campaign = row_from_logs(nodes, n, row), any_vote;
		int any_entries = row_from_wals(nodes, n, row, &any_vote);
		judge_leader(row, n, any_entries, any_vote, log_campaign, &out->leader_mismatches);
		if (row->failed_election) {
			out->failed_elections++;
			if (++run > out->longest_failed_run) out->longest_failed_run = run;
		} else if (any_entries) {
			run = 0;
		}
		if (term > out->max_term) out->max_term = term;
		if (any_entries && term > out->max_term_with_entries) out->max_term_with_entries = term;
	}
	free(all);
	return EA_OK;
}

void ea_terms_free(ea_terms *t)
{
	free(t->rows);
	memset(t, 0, sizeof *t);
}
