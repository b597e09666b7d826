/* render_replay.c: `replay` rows and its summary, as a table for people and as JSON Lines
 * (issue 16's output contract: one object per entry, then {"summary": {...}}). */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <string.h>

void ea_render_replay_header(FILE *f)
{
	fprintf(f, "%10s %6s %9s %-14s %-14s %s\n", "INDEX", "TERM", "REVISION", "KIND", "RESULT", "KEY  DETAIL");
}

static void key_text(FILE *f, const uint8_t *k, size_t n)
{
	if (!k) { fputc('-', f); return; }
	char buf[200];
	fputs(ea_text_escape(buf, sizeof buf, k, n), f);
}

void ea_render_replay_item_table(FILE *f, const ea_replay_item *it)
{
	char kind[64], rev[24];
	if (it->revision) snprintf(rev, sizeof rev, "%" PRId64, it->revision);
	else snprintf(rev, sizeof rev, "-");
	fprintf(f, "%10" PRIu64 " %6" PRIu64 " %9s %-14s %-14s ", it->index, it->term, rev,
	        ea_text_str(kind, sizeof kind, it->kind), ea_replay_result_name(it->result));
	key_text(f, it->key, it->key_len);
	if (it->txn_applied >= 0) fprintf(f, "  txn %s", it->txn_applied ? "success" : "failure");
	if (it->detail && *it->detail) { fputs("  ", f); ea_text_fput(f, it->detail, strlen(it->detail)); }
	if (it->page && it->result != EA_REPLAY_MATCHES_DB) fprintf(f, " (page %" PRIu64 ")", it->page);
	fputc('\n', f);
}

void ea_render_replay_item_json(ea_json *j, const ea_replay_item *it)
{
	ea_json_object_begin(j);
	ea_json_key(j, "index"); ea_json_u64(j, it->index);
	ea_json_key(j, "term"); ea_json_u64(j, it->term);
	ea_json_key(j, "revision");
	if (it->revision) ea_json_i64(j, it->revision); else ea_json_null(j);
	ea_json_key(j, "kind"); ea_json_str(j, it->kind);
	ea_json_key(j, "key");
	if (it->key) ea_json_bytes(j, it->key, it->key_len); else ea_json_null(j);
	ea_json_key(j, "result"); ea_json_str(j, ea_replay_result_name(it->result));
	ea_json_key(j, "detail"); ea_json_str(j, it->detail ? it->detail : "");
	ea_json_key(j, "page");
	if (it->page) ea_json_u64(j, it->page); else ea_json_null(j);
	if (it->kind && !strcmp(it->kind, "txn")) {
		ea_json_key(j, "txn_applied");
		if (it->txn_applied >= 0) ea_json_bool(j, it->txn_applied); else ea_json_null(j);
	}
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_replay_summary_table(FILE *f, const ea_replay_summary *s)
{
	fprintf(f, "\nverdict        %s\n", ea_replay_verdict_name(s->verdict));
	if (*s->reason) { fputs("reason         ", f); ea_text_fput(f, s->reason, strlen(s->reason)); fputc('\n', f); }
	fprintf(f, "window         entries %" PRIu64 "..%" PRIu64 " (%" PRIu64 " committed), last revision %" PRId64 "\n",
	        s->first_index, s->last_index, s->entries, s->last_revision);
	if (s->have_db)
		fprintf(f, "anchor         consistent_index %" PRIu64 ", db revision %" PRId64 ", compacted at %" PRId64
		        ", base revision %" PRId64 " (%u pass%s)\n", s->consistent_index, s->db_revision, s->compact_revision,
		        s->base_revision, s->passes, s->passes == 1 ? "" : "es");
	fputs("results       ", f);
	for (int r = 0; r < EA_REPLAY_RESULTS; r++)
		if (s->counts[r]) fprintf(f, " %s %" PRIu64, ea_replay_result_name((ea_replay_result)r), s->counts[r]);
	fputc('\n', f);
	for (size_t i = 0; i < s->ndifferences && i < 10; i++) {
		const ea_replay_difference *d = &s->differences[i];
		fprintf(f, "difference     %s at index %" PRIu64 ", revision %" PRId64 ", key ", ea_replay_result_name(d->result),
		        d->index, d->revision);
		key_text(f, d->key, d->key_len);
		fputc('\n', f);
	}
	size_t more = s->ndifferences > 10 ? s->ndifferences - 10 + s->differences_dropped : s->differences_dropped;
	if (more) fprintf(f, "               ... %zu more (-w json lists the first %d)\n", more, EA_REPLAY_DIFFERENCES_CAP);
}

void ea_render_replay_summary_json(ea_json *j, const ea_replay_summary *s)
{
	ea_json_object_begin(j);
	ea_json_key(j, "summary");
	ea_json_object_begin(j);
	ea_json_key(j, "verdict"); ea_json_str(j, ea_replay_verdict_name(s->verdict));
	ea_json_key(j, "first_index"); ea_json_u64(j, s->first_index);
	ea_json_key(j, "last_index"); ea_json_u64(j, s->last_index);
	ea_json_key(j, "entries"); ea_json_u64(j, s->entries);
	ea_json_key(j, "last_revision"); ea_json_i64(j, s->last_revision);
	ea_json_key(j, "counts");
	ea_json_object_begin(j);
	for (int r = 0; r < EA_REPLAY_RESULTS; r++) {
		ea_json_key(j, ea_replay_result_name((ea_replay_result)r));
		ea_json_u64(j, s->counts[r]);
	}
	ea_json_object_end(j);
	ea_json_key(j, "differences");
	ea_json_array_begin(j);
	for (size_t i = 0; i < s->ndifferences; i++) {
		const ea_replay_difference *d = &s->differences[i];
		ea_json_object_begin(j);
		ea_json_key(j, "index"); ea_json_u64(j, d->index);
		ea_json_key(j, "revision");
		if (d->revision) ea_json_i64(j, d->revision); else ea_json_null(j);
		ea_json_key(j, "key");
		if (d->key) ea_json_bytes(j, d->key, d->key_len); else ea_json_null(j);
		ea_json_key(j, "result"); ea_json_str(j, ea_replay_result_name(d->result));
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
	ea_json_key(j, "differences_cap"); ea_json_u64(j, EA_REPLAY_DIFFERENCES_CAP);
	ea_json_key(j, "differences_dropped"); ea_json_u64(j, s->differences_dropped);
	ea_json_key(j, "anchor");
	ea_json_object_begin(j);
	ea_json_key(j, "consistent_index");
	if (s->have_db) ea_json_u64(j, s->consistent_index); else ea_json_null(j);
	ea_json_key(j, "db_revision");
	if (s->have_db) ea_json_i64(j, s->db_revision); else ea_json_null(j);
	ea_json_key(j, "compact_revision");
	if (s->have_db) ea_json_i64(j, s->compact_revision); else ea_json_null(j);
	ea_json_key(j, "base_revision"); ea_json_i64(j, s->base_revision);
	ea_json_object_end(j);
	ea_json_key(j, "passes"); ea_json_u64(j, s->passes);
	ea_json_key(j, "reason"); ea_json_str(j, s->reason);
	ea_json_object_end(j);
	ea_json_object_end(j);
	ea_json_newline(j);
}
