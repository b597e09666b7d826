/* render_verify.c: the verdict of `verify` (is a backup restorable, does it match the members?)
 * as one JSON object and as a table of facts, comparisons and reasons. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <string.h>

/* the db's facts: null where no db was read */
static void json_db_facts(ea_json *j, const ea_verify_result *v)
{
	ea_json_key(j, "revision"); if (v->revision >= 0) ea_json_i64(j, v->revision); else ea_json_null(j);
	ea_json_key(j, "compact_revision"); if (v->have_db) ea_json_i64(j, v->compact_revision); else ea_json_null(j);
	ea_json_key(j, "consistent_index"); if (v->have_db) ea_json_u64(j, v->consistent_index); else ea_json_null(j);
	ea_json_key(j, "hash"); if (v->hash_ok) ea_json_u64(j, v->hash); else ea_json_null(j);
	ea_json_key(j, "snapshot_hash"); if (v->have_db) ea_json_u64(j, v->snapshot_hash); else ea_json_null(j);
	ea_json_key(j, "total_key"); if (v->have_db) ea_json_u64(j, v->total_key); else ea_json_null(j);
	ea_json_key(j, "total_size"); if (v->have_db) ea_json_u64(j, v->total_size); else ea_json_null(j);
}

void ea_render_verify_json(ea_json *j, const ea_verify_result *v)
{
	ea_json_object_begin(j);
	ea_json_key(j, "verdict"); ea_json_str(j, ea_restorability_name(v->verdict));
	ea_json_key(j, "kind"); ea_json_str(j, v->kind);
	ea_json_key(j, "reasons");
	ea_json_array_begin(j);
	for (size_t i = 0; i < v->nreasons; i++) {
		ea_json_object_begin(j);
		ea_json_key(j, "severity"); ea_json_str(j, v->reasons[i].severity);
		ea_json_key(j, "reason"); ea_json_str(j, v->reasons[i].text);
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
	json_db_facts(j, v);
	ea_json_key(j, "members"); ea_json_u64(j, v->members);
	ea_json_key(j, "sha256_trailer"); ea_json_str(j, v->sha256_trailer);
	ea_json_key(j, "matches");
	ea_json_object_begin(j);
	for (size_t i = 0; i < v->nagainst; i++) {
		ea_json_key(j, v->against[i].name);
		if (v->against[i].match < 0) ea_json_null(j); else ea_json_bool(j, v->against[i].match);
	}
	ea_json_object_end(j);
	ea_json_key(j, "replay");
	ea_json_object_begin(j);
	for (size_t i = 0; i < v->nagainst; i++) {
		ea_json_key(j, v->against[i].name);
		ea_json_object_begin(j);
		ea_json_key(j, "verdict"); if (v->against[i].replay) ea_json_str(j, v->against[i].replay); else ea_json_null(j);
		ea_json_key(j, "reason"); ea_json_str(j, v->against[i].replay_why);
		ea_json_object_end(j);
	}
	ea_json_object_end(j);
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_verify_table(FILE *f, const ea_verify_result *v)
{
	fprintf(f, "VERDICT: %s\n\n", ea_restorability_name(v->verdict));
	fprintf(f, "kind             %s\n", v->kind);
	fprintf(f, "sha256 trailer   %s\n", v->sha256_trailer);
	if (v->have_db) {
		fprintf(f, "revision         %" PRId64 " (compacted at %" PRId64 ")\n", v->revision, v->compact_revision);
		fprintf(f, "consistent index %" PRIu64 "\n", v->consistent_index);
		if (v->hash_ok) fprintf(f, "hashkv           %" PRIu32 "\n", v->hash);
		fprintf(f, "snapshot status  hash %" PRIu32 ", total keys %" PRIu64 ", total size %" PRIu64 "\n",
		        v->snapshot_hash, v->total_key, v->total_size);
		fprintf(f, "members          %zu\n", v->members);
	}
	char tb[2][1024];   /* names and reasons carry input bytes: escaped for the terminal */
	for (size_t i = 0; i < v->nagainst; i++)
		fprintf(f, "against %-8s %s (%s)\n", ea_text_str(tb[0], sizeof tb[0], v->against[i].name),
		        v->against[i].match < 0 ? "cannot compare" : v->against[i].match ? "MATCHES" : "DIFFERS",
		        ea_text_str(tb[1], sizeof tb[1], v->against[i].why));
	for (size_t i = 0; i < v->nagainst; i++)
		fprintf(f, "replay  %-8s %s (%s)\n", ea_text_str(tb[0], sizeof tb[0], v->against[i].name),
		        v->against[i].replay ? v->against[i].replay : "not replayed",
		        ea_text_str(tb[1], sizeof tb[1], v->against[i].replay_why));
	fprintf(f, "\nREASONS\n");
	for (size_t i = 0; i < v->nreasons; i++) {
		fprintf(f, "  [%s] ", v->reasons[i].severity);
		ea_text_fput(f, v->reasons[i].text, strlen(v->reasons[i].text));
		fputc('\n', f);
	}
}

void ea_render_verify(FILE *f, int json, const ea_verify_result *v)
{
	if (!json) { ea_render_verify_table(f, v); return; }
	ea_json j;
	ea_json_init(&j, f);
	ea_render_verify_json(&j, v);
}
