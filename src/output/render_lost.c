/* render_lost.c: `replay NODE --against REF`: what the member lost against the reference (lost.h),
 * as a table (states, totals, one row per prefix, the keys) and as one JSON object. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <string.h>

static void side_table(FILE *f, const char *label, const char *name, const ea_lost_side *s, const char *what)
{
	char nb[512];
	fprintf(f, "%-10s %s: %s %" PRIu64 ", revision %" PRId64 " (replay: %s%s%s)\n", label,
	        ea_text_str(nb, sizeof nb, name), what, s->index, s->revision,
	        s->replayed ? ea_replay_verdict_name(s->verdict) : "not replayed, no WAL",
	        s->replayed && s->reason[0] ? ": " : "", s->replayed ? s->reason : "");
}

void ea_render_lost_table(FILE *f, const char *member, const char *reference, const ea_lost *l)
{
	side_table(f, "member", member, &l->member, "db consistent_index");
	side_table(f, "reference", reference, &l->reference, "index");
	uint64_t all = l->total[0] + l->total[1] + l->total[2];
	fprintf(f, "differ     %" PRIu64 " key%s: %" PRIu64 " missing on the member, %" PRIu64 " with another value, %"
	        PRIu64 " only on the member\n", all, all == 1 ? "" : "s", l->total[EA_LOST_MISSING],
	        l->total[EA_LOST_CHANGED], l->total[EA_LOST_EXTRA]);
	if (!all) return;
	fprintf(f, "\n%-40s %8s %8s %8s\n", "PREFIX", "MISSING", "CHANGED", "EXTRA");
	char kb[1024];
	for (size_t i = 0; i < l->nprefixes; i++) {
		const ea_lost_prefix *p = &l->prefixes[i];
		const char *name = p->prefix ? ea_text_escape(kb, sizeof kb, p->prefix, p->len) : "(other prefixes)";
		fprintf(f, "%-40s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", name, p->n[0], p->n[1], p->n[2]);
	}
	fprintf(f, "\n%-8s %-40s %10s %10s\n", "HOW", "KEY", "MEMBER_MOD", "REF_MOD");
	for (size_t i = 0; i < l->nkeys; i++) {
		const ea_lost_key *k = &l->keys[i];
		fprintf(f, "%-8s %-40s %10" PRId64 " %10" PRId64 "\n", ea_lost_how_name(k->how),
		        ea_text_escape(kb, sizeof kb, k->key, k->key_len), k->member_mod, k->reference_mod);
	}
	if (l->keys_dropped)
		fprintf(f, "... %zu more key%s not listed (at most %d are)\n", l->keys_dropped, l->keys_dropped == 1 ? "" : "s",
		        EA_LOST_KEYS_CAP);
}

static void side_json(ea_json *j, const char *key, const char *name, const ea_lost_side *s)
{
	ea_json_key(j, key);
	ea_json_object_begin(j);
	ea_json_key(j, "name"); ea_json_str(j, name);
	ea_json_key(j, "index"); ea_json_u64(j, s->index);
	ea_json_key(j, "revision"); ea_json_i64(j, s->revision);
	ea_json_key(j, "replay"); if (s->replayed) ea_json_str(j, ea_replay_verdict_name(s->verdict)); else ea_json_null(j);
	ea_json_key(j, "reason"); ea_json_str(j, s->reason);
	ea_json_object_end(j);
}

void ea_render_lost_json(ea_json *j, const char *member, const char *reference, const ea_lost *l)
{
	ea_json_object_begin(j);
	ea_json_key(j, "lost");
	ea_json_object_begin(j);
	side_json(j, "member", member, &l->member);
	side_json(j, "reference", reference, &l->reference);
	for (int h = 0; h < 3; h++) { ea_json_key(j, ea_lost_how_name((ea_lost_how)h)); ea_json_u64(j, l->total[h]); }
	ea_json_key(j, "prefixes");
	ea_json_array_begin(j);
	for (size_t i = 0; i < l->nprefixes; i++) {
		const ea_lost_prefix *p = &l->prefixes[i];
		ea_json_object_begin(j);
		ea_json_key(j, "prefix"); if (p->prefix) ea_json_bytes(j, p->prefix, p->len); else ea_json_null(j);
		for (int h = 0; h < 3; h++) { ea_json_key(j, ea_lost_how_name((ea_lost_how)h)); ea_json_u64(j, p->n[h]); }
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
	ea_json_key(j, "keys");
	ea_json_array_begin(j);
	for (size_t i = 0; i < l->nkeys; i++) {
		const ea_lost_key *k = &l->keys[i];
		ea_json_object_begin(j);
		ea_json_key(j, "key"); ea_json_bytes(j, k->key, k->key_len);
		ea_json_key(j, "how"); ea_json_str(j, ea_lost_how_name(k->how));
		ea_json_key(j, "member_mod_revision"); ea_json_i64(j, k->member_mod);
		ea_json_key(j, "reference_mod_revision"); ea_json_i64(j, k->reference_mod);
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
	ea_json_key(j, "keys_cap"); ea_json_u64(j, EA_LOST_KEYS_CAP);
	ea_json_key(j, "keys_dropped"); ea_json_u64(j, l->keys_dropped);
	ea_json_object_end(j);
	ea_json_object_end(j);
	ea_json_newline(j);
}
