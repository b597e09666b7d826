/* report_replay.c: the nodes table's replay column of the report: each member's db replayed
 * against its own WAL (node_replay.h, kept with the node): the verdict, the window and the
 * revision after its last entry, and the first difference (index, revision, key) when any. */
#include "report_int.h"
#include "etcd-autopsy/node_replay.h"

#include <inttypes.h>
#include <string.h>

const char ea__rep_replay_css[] = "td.replay{min-width:15em}td.replay .badge{white-space:nowrap}\n";

static void esc(FILE *f, const char *s) { if (s) ea__rep_esc_n(f, s, strlen(s)); }

void ea__rep_replay_th(FILE *f)
{
	fputs("<th title=\"the member's WAL replayed against its own db (etcd-autopsy replay)\">replay: db vs own WAL</th>", f);
}

static const char *badge(ea_replay_verdict v)
{
	switch (v) {
	case EA_REPLAY_DB_EQUALS_WAL: return "rec";
	case EA_REPLAY_DB_DIVERGES: return "sev-critical";
	case EA_REPLAY_DB_BEHIND: return "sev-warning";
	case EA_REPLAY_INCOMPLETE: break;
	}
	return "sev-info";
}

/* Why there is no verdict: no WAL or db, or the replay's error. */
static void no_verdict(FILE *f, const ea_node *nd, const ea_node_replay *r)
{
	fputs("<td class=\"replay\" data-verdict=\"none\" title=\"", f);
	if (r && r->reason[0]) esc(f, r->reason);
	else if (r && r->rc == EA_ENOTFOUND) esc(f, ea_node_log(nd) ? "no readable db" : "no WAL");
	else if (r) esc(f, ea_strerror(r->rc));
	else esc(f, "not replayed");
	fputs("\">-</td>", f);
}

/* The first difference: the one etcd had applied (with its leaf page), else the first of any. */
static void first_difference(FILE *f, const ea_node_replay *r)
{
	const char *res = r->have_first ? r->result : r->any_result, *key = r->have_first ? r->key : r->any_key;
	uint64_t index = r->have_first ? r->index : r->any_index;
	int64_t rev = r->have_first ? r->revision : r->any_revision;
	fprintf(f, "<br><span class=\"replay-first\" data-index=\"%" PRIu64 "\" data-revision=\"%" PRId64 "\" data-key=\"",
	        index, rev);
	esc(f, key);
	fprintf(f, "\" data-result=\"%s\">first: index %" PRIu64 ", revision %" PRId64 ", key <code>", res, index, rev);
	esc(f, key);
	fprintf(f, "</code> (%s", res);
	if (r->have_first && r->page) fprintf(f, ", leaf page %" PRIu64, r->page);
	fputs(")</span>", f);
}

void ea__rep_replay_cell(FILE *f, const ea_node *nd)
{
	const ea_node_replay *r = ea_node_replay_kept(nd);
	if (!r || r->rc != EA_OK) { no_verdict(f, nd, r); return; }
	const char *v = ea_replay_verdict_name(r->verdict);
	fprintf(f, "<td class=\"replay\" data-verdict=\"%s\" data-first-index=\"%" PRIu64 "\" data-last-index=\"%" PRIu64
	           "\" data-last-revision=\"%" PRId64 "\" title=\"", v, r->first_index, r->last_index, r->last_revision);
	esc(f, r->reason[0] ? r->reason : "every committed entry's revision is in the db as the WAL wrote it");
	fprintf(f, "\"><span class=\"badge %s\">%s</span><br>entries %" PRIu64 "..%" PRIu64 ", last revision %" PRId64,
	        badge(r->verdict), v, r->first_index, r->last_index, r->last_revision);
	if (r->verdict != EA_REPLAY_DB_EQUALS_WAL && (r->have_first || r->have_any)) first_difference(f, r);
	fputs("</td>", f);
}
