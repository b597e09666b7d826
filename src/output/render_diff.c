/* render_diff.c: the result of `diff` (verdict, each node's position, the findings, which
 * member to restore from) as one JSON object and as a table. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <string.h>

static void text(FILE *f, const char *s)
{
	if (!s) s = "-";
	ea_text_fput(f, s, strlen(s));
}

/* a node's WAL and db position; null where it has no WAL, no db or no such record */
static void node_json(ea_json *j, const ea_node *nd)
{
	int w = ea_node_wal(nd)->present;
	ea_json_object_begin(j);
	ea_json_key(j, "name"); ea_json_str(j, ea_node_name(nd));
	ea_json_key(j, "path"); ea_json_str(j, ea_node_path(nd));
	ea_json_key(j, "member_id"); if (w && ea_node_wal(nd)->summary.have_metadata) ea_json_hex(j, ea_node_wal(nd)->summary.member_id); else ea_json_null(j);
	ea_json_key(j, "cluster_id"); if (w && ea_node_wal(nd)->summary.have_metadata) ea_json_hex(j, ea_node_wal(nd)->summary.cluster_id); else ea_json_null(j);
	ea_json_key(j, "last_index"); if (w && ea_node_wal(nd)->summary.have_entries) ea_json_u64(j, ea_node_wal(nd)->summary.last_index); else ea_json_null(j);
	ea_json_key(j, "last_term"); if (w && ea_node_wal(nd)->summary.have_entries) ea_json_u64(j, ea_node_wal(nd)->summary.last_term); else ea_json_null(j);
	ea_json_key(j, "commit"); if (w && ea_node_wal(nd)->summary.have_hard_state) ea_json_u64(j, ea_node_wal(nd)->summary.hard_state.commit); else ea_json_null(j);
	ea_json_key(j, "consistent_index"); if (ea_node_db(nd)->present) ea_json_u64(j, ea_node_db(nd)->consistent_index); else ea_json_null(j);
	ea_json_key(j, "revision"); if (ea_node_db(nd)->present) ea_json_i64(j, ea_node_db(nd)->revision); else ea_json_null(j);
	ea_json_key(j, "compact_revision"); if (ea_node_db(nd)->present) ea_json_i64(j, ea_node_db(nd)->compact_revision); else ea_json_null(j);
	ea_json_key(j, "hash"); if (ea_node_db(nd)->present && ea_node_db(nd)->hash_revision > 0) ea_json_u64(j, ea_node_db(nd)->hash); else ea_json_null(j);
	ea_json_key(j, "hash_revision"); if (ea_node_db(nd)->present && ea_node_db(nd)->hash_revision > 0) ea_json_i64(j, ea_node_db(nd)->hash_revision); else ea_json_null(j);
	ea_json_object_end(j);
}

void ea_render_finding_json(ea_json *j, const ea_finding *fd, ea_node *const *nodes, size_t n)
{
	ea_json_object_begin(j);
	ea_json_key(j, "kind"); ea_json_str(j, fd->kind);
	ea_json_key(j, "severity"); ea_json_str(j, fd->severity);
	ea_json_key(j, "index"); if (fd->index) ea_json_u64(j, fd->index); else ea_json_null(j);
	ea_json_key(j, "revision"); if (fd->revision >= 0) ea_json_i64(j, fd->revision); else ea_json_null(j);
	ea_json_key(j, "nodes");
	ea_json_array_begin(j);
	for (size_t i = 0; i < n; i++) if (fd->node_mask & (1u << i)) ea_json_str(j, ea_node_name(nodes[i]));
	ea_json_array_end(j);
	ea_json_key(j, "detail"); ea_json_str(j, fd->detail);
	ea_json_object_end(j);
}

void ea_render_finding_table(FILE *f, const ea_finding *fd)
{
	fprintf(f, "  [%s] %s", fd->severity, fd->kind);
	if (fd->index) fprintf(f, " at index %" PRIu64, fd->index);
	if (fd->revision >= 0) fprintf(f, " at revision %" PRId64, fd->revision);
	fputs(":\n    ", f);
	text(f, fd->detail);
	fputc('\n', f);
}

void ea_render_diff_json(ea_json *j, ea_node *const *nodes, size_t n, const ea_diff *d)
{
	ea_json_object_begin(j);
	ea_json_key(j, "verdict"); ea_json_str(j, ea_verdict_name(d->verdict));
	ea_json_key(j, "first_divergent_index");
	if (d->first_divergent_index) ea_json_u64(j, d->first_divergent_index); else ea_json_null(j);
	ea_json_key(j, "nodes");
	ea_json_array_begin(j);
	for (size_t i = 0; i < n; i++) node_json(j, nodes[i]);
	ea_json_array_end(j);
	ea_json_key(j, "findings");
	ea_json_array_begin(j);
	for (size_t f = 0; f < d->nfindings; f++) ea_render_finding_json(j, &d->findings[f], nodes, n);
	ea_json_array_end(j);
	ea_json_key(j, "recommended_source");
	if (d->recommended >= 0) ea_json_str(j, ea_node_name(nodes[d->recommended])); else ea_json_null(j);
	ea_json_key(j, "recommendation"); ea_json_str(j, d->recommendation);
	ea_json_object_end(j);
	ea_json_newline(j);
}

/* NODE MEMBER LAST TERM COMMIT CONSIST_IDX REVISION; "-": no WAL (or db) here, not index 0 */
static void node_row(FILE *f, const ea_node *nd)
{
	char mid[24] = "-", ci[24] = "-", rev[24] = "-";
	if (ea_node_wal(nd)->present && ea_node_wal(nd)->summary.have_metadata) snprintf(mid, sizeof mid, "%" PRIx64, ea_node_wal(nd)->summary.member_id);
	if (ea_node_db(nd)->present) {
		snprintf(ci, sizeof ci, "%" PRIu64, ea_node_db(nd)->consistent_index);
		snprintf(rev, sizeof rev, "%" PRId64, ea_node_db(nd)->revision);
	}
	char last[24] = "-", term[24] = "-", commit[24] = "-";
	if (ea_node_wal(nd)->present) {
		snprintf(last, sizeof last, "%" PRIu64, ea_node_wal(nd)->summary.last_index);
		snprintf(term, sizeof term, "%" PRIu64, ea_node_wal(nd)->summary.last_term);
		snprintf(commit, sizeof commit, "%" PRIu64, ea_node_wal(nd)->summary.hard_state.commit);
	}
	char name[256];   /* names, details: escaped for the terminal */
	fprintf(f, "%-12s %-18s %10s %6s %10s %12s %10s\n", ea_text_str(name, sizeof name, ea_node_name(nd)), mid, last, term, commit, ci, rev);
}

void ea_render_diff_table(FILE *f, ea_node *const *nodes, size_t n, const ea_diff *d)
{
	fprintf(f, "VERDICT: %s\n\n", ea_verdict_name(d->verdict));
	fprintf(f, "%-12s %-18s %10s %6s %10s %12s %10s\n", "NODE", "MEMBER", "LAST", "TERM", "COMMIT", "CONSIST_IDX", "REVISION");
	for (size_t i = 0; i < n; i++) node_row(f, nodes[i]);
	fprintf(f, "\nFINDINGS (%zu)\n", d->nfindings);
	for (size_t i = 0; i < d->nfindings; i++) ea_render_finding_table(f, &d->findings[i]);
	fputs("\nRECOMMENDATION: ", f);
	text(f, d->recommendation);
	fputc('\n', f);
}

void ea_render_diff(FILE *f, int json, ea_node *const *nodes, size_t n, const ea_diff *d)
{
	if (!json) { ea_render_diff_table(f, nodes, n, d); return; }
	ea_json j;
	ea_json_init(&j, f);
	ea_render_diff_json(&j, nodes, n, d);
}
