/* render_snap.c: one file of `snap ls` (.snap, .snap.broken, .snap.db): CRC verdict, term and
 * index, conf state, cluster version and the members of its v2 store, as a JSON Lines object
 * and as a table row with the members indented below it. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <string.h>

static void json_ids(ea_json *j, const char *key, const uint64_t *ids, size_t n)
{
	ea_json_key(j, key);
	ea_json_array_begin(j);
	for (size_t i = 0; i < n; i++) ea_json_hex(j, ids[i]);
	ea_json_array_end(j);
}

/* what a .snap (not a .snap.db) holds */
static void json_snap(ea_json *j, const ea_snap_info *s)
{
	ea_json_key(j, "crc_ok"); if (s->crc_ok < 0) ea_json_null(j); else ea_json_bool(j, s->crc_ok);
	ea_json_key(j, "crc"); ea_json_u64(j, s->crc_stored);
	ea_json_key(j, "crc_computed"); ea_json_u64(j, s->crc_computed);
	ea_json_key(j, "term"); if (s->decoded) ea_json_u64(j, s->term); else ea_json_null(j);
	ea_json_key(j, "index"); if (s->decoded) ea_json_u64(j, s->index); else ea_json_null(j);
	json_ids(j, "voters", s->voters, s->n_voters);
	json_ids(j, "learners", s->learners, s->n_learners);
	ea_json_key(j, "auto_leave"); ea_json_bool(j, s->auto_leave);
	ea_json_key(j, "data_len"); ea_json_u64(j, s->data_len);
	ea_json_key(j, "cluster_version"); ea_json_str(j, s->cluster_version);
	ea_json_key(j, "members");
	ea_json_array_begin(j);
	for (size_t i = 0; i < s->n_members; i++) ea_render_snap_member_json(j, &s->members[i]);
	ea_json_array_end(j);
}

void ea_render_snap_file_json(ea_json *j, const ea_snap_info *s)
{
	ea_json_object_begin(j);
	ea_json_key(j, "file"); ea_json_str(j, s->file);
	ea_json_key(j, "kind"); ea_json_str(j, s->kind);
	ea_json_key(j, "size"); ea_json_u64(j, s->size);
	ea_json_key(j, "note"); ea_json_str(j, s->note);
	ea_json_key(j, "name_ok"); ea_json_bool(j, s->name_ok);
	if (strcmp(s->kind, "snap.db") == 0) {
		ea_json_key(j, "index"); ea_json_u64(j, s->name_index);
	} else {
		json_snap(j, s);
	}
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_snap_header(FILE *f, int fw)
{
	fprintf(f, "%-*s %-11s %12s %-9s %-4s %6s %10s %-8s %s\n", fw, "FILE", "KIND", "BYTES", "SIZE", "CRC", "TERM", "INDEX",
	        "VERSION", "VOTERS");
}

void ea_render_snap_file_table(FILE *f, const ea_snap_info *s, int fw)
{
	char h[32], file[1024], tb[1024];   /* names and notes from the input: escaped for the terminal */
	fprintf(f, "%-*s %-11s %12" PRIu64 " %-9s ", fw, ea_text_str(file, sizeof file, s->file), s->kind, s->size,
	        ea_render_human_bytes(h, sizeof h, s->size));
	if (strcmp(s->kind, "snap.db") == 0) {
		fprintf(f, "%-4s %6s %10" PRIu64 " %-8s -  %s\n", "-", "-", s->name_index, "-", ea_text_str(tb, sizeof tb, s->note));
		return;
	}
	fprintf(f, "%-4s ", s->crc_ok < 0 ? "-" : s->crc_ok ? "ok" : "BAD");
	if (s->decoded) fprintf(f, "%6" PRIu64 " %10" PRIu64 " ", s->term, s->index);
	else fprintf(f, "%6s %10s ", "?", "?");
	fprintf(f, "%-8s", s->cluster_version && *s->cluster_version ? ea_text_str(tb, sizeof tb, s->cluster_version) : "-");
	for (size_t i = 0; i < s->n_voters; i++) fprintf(f, " %" PRIx64, s->voters[i]);
	if (!s->n_voters) fputs(" -", f);
	if (s->n_learners) {
		fprintf(f, "  learners");
		for (size_t i = 0; i < s->n_learners; i++) fprintf(f, " %" PRIx64, s->learners[i]);
	}
	if (!s->decoded) fputs("  (undecoded)", f);
	fputc('\n', f);
	if (strcmp(s->kind, "snap.broken") == 0) fprintf(f, "    %s\n", ea_text_str(tb, sizeof tb, s->note));
	for (size_t i = 0; i < s->n_members; i++) ea_render_snap_member_table(f, &s->members[i]);
}
