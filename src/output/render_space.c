/* render_space.c: `db space` (what used the db's space, etcd-autopsy/space.h) as one JSON object
 * and as the table: sizes as etcd reports them, the pages in use by owner, the groups, the keys
 * with the most history, the compaction at the current revision, the problems. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>

/* ---- JSON ---- */

static void json_amount(ea_json *j, const char *name, const ea_space_amount *a)
{
	ea_json_key(j, name);
	ea_json_object_begin(j);
	ea_json_key(j, "revisions"); ea_json_u64(j, a->revisions);
	ea_json_key(j, "bytes"); ea_json_u64(j, a->bytes);
	ea_json_key(j, "page_bytes"); ea_json_u64(j, a->page_bytes);
	ea_json_object_end(j);
}

static void json_pages(ea_json *j, const ea_space *s)
{
	ea_json_key(j, "pages_by_owner");
	ea_json_object_begin(j);
	ea_json_key(j, "key_leaf"); ea_json_u64(j, s->key_leaf_pages);
	ea_json_key(j, "key_branch"); ea_json_u64(j, s->key_branch_pages);
	ea_json_key(j, "other_buckets"); ea_json_u64(j, s->other_pages);
	ea_json_key(j, "meta"); ea_json_u64(j, s->meta_pages);
	ea_json_key(j, "freelist"); ea_json_u64(j, s->freelist_pages);
	ea_json_key(j, "unreachable"); ea_json_u64(j, s->unreachable_pages);
	ea_json_key(j, "missing"); ea_json_u64(j, s->missing_pages);
	ea_json_key(j, "free"); ea_json_u64(j, s->free_pages);
	ea_json_object_end(j);
	ea_json_key(j, "key_unattributed_bytes"); ea_json_u64(j, s->key_unattributed_bytes);
}

static void json_sizes(ea_json *j, const ea_space *s)
{
	ea_json_key(j, "file_size"); ea_json_u64(j, s->file_size);
	ea_json_key(j, "page_size"); ea_json_u64(j, s->page_size);
	ea_json_key(j, "pages"); ea_json_u64(j, s->pages);
	ea_json_key(j, "db_size"); ea_json_u64(j, s->db_size);
	ea_json_key(j, "in_use_bytes"); ea_json_u64(j, s->in_use_bytes);
	ea_json_key(j, "free_pages"); ea_json_u64(j, s->free_pages);
	ea_json_key(j, "free_bytes"); ea_json_u64(j, s->db_size - s->in_use_bytes);
	ea_json_key(j, "fragmentation_permille");
	ea_json_u64(j, s->db_size ? (s->db_size - s->in_use_bytes) * 1000 / s->db_size : 0);
	ea_json_key(j, "defrag_frees_bytes"); ea_json_u64(j, s->db_size - s->in_use_bytes);
	ea_json_key(j, "defrag_file_frees_bytes"); ea_json_u64(j, s->file_size > s->in_use_bytes ? s->file_size - s->in_use_bytes : 0);
	json_pages(j, s);
}

static void json_compaction(ea_json *j, const ea_db_space_view *v)
{
	const ea_space *s = v->s;
	ea_json_key(j, "compaction");
	ea_json_object_begin(j);
	ea_json_key(j, "revision"); ea_json_i64(j, s->revision);
	ea_json_key(j, "possible"); ea_json_bool(j, !s->compacted_at_revision);
	ea_json_key(j, "rule"); ea_json_str(j, ea_hashkv_rule_name(s->rule));
	ea_json_key(j, "rule_basis"); ea_json_str(j, v->rule_basis);
	json_amount(j, "drop", &s->drop);
	ea_json_key(j, "kept_tombstones"); ea_json_u64(j, s->kept_tombstones);
	ea_json_key(j, "in_use_after_defrag_bytes");
	ea_json_u64(j, s->in_use_bytes > s->drop.page_bytes ? s->in_use_bytes - s->drop.page_bytes : 0);
	ea_json_object_end(j);
}

static void json_k8s_str(ea_json *j, const char *name, ea_k8s_str s)
{
	ea_json_key(j, name);
	if (s.p) ea_json_bytes(j, s.p, s.n); else ea_json_null(j);
}

/* --k8s: "k8s": {"group", "resource", "namespace"} of a Kubernetes group, else null */
static void json_group_k8s(ea_json *j, const ea_space_group *g)
{
	ea_json_key(j, "k8s");
	if (!g->k8s) { ea_json_null(j); return; }
	ea_json_object_begin(j);
	json_k8s_str(j, "group", g->k8s_group);
	json_k8s_str(j, "resource", g->k8s_resource);
	json_k8s_str(j, "namespace", g->k8s_ns);
	ea_json_object_end(j);
}

static void json_groups(ea_json *j, const ea_space *s, int k8s)
{
	ea_json_key(j, "groups");
	ea_json_array_begin(j);
	for (size_t i = 0; i < s->ngroups; i++) {
		const ea_space_group *g = &s->groups[i];
		ea_json_object_begin(j);
		ea_json_key(j, "prefix");
		if (g->prefix) ea_json_bytes(j, g->prefix, g->prefix_len); else ea_json_null(j);
		if (k8s) json_group_k8s(j, g);
		ea_json_key(j, "keys"); ea_json_u64(j, g->keys);
		ea_json_key(j, "live_keys"); ea_json_u64(j, g->live_keys);
		ea_json_key(j, "tombstones"); ea_json_u64(j, g->tombstones);
		json_amount(j, "live", &g->live);
		json_amount(j, "history", &g->history);
		json_amount(j, "drop", &g->drop);
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
}

static void json_top(ea_json *j, const ea_space *s)
{
	ea_json_key(j, "top_keys");
	ea_json_array_begin(j);
	for (size_t i = 0; i < s->ntop; i++) {
		const ea_space_key *k = &s->top[i];
		ea_json_object_begin(j);
		ea_json_key(j, "key"); ea_json_bytes(j, k->key, k->key_len);
		ea_json_key(j, "live"); ea_json_bool(j, k->live);
		ea_json_key(j, "last_revision"); ea_json_i64(j, k->last_revision);
		ea_json_key(j, "tombstones"); ea_json_u64(j, k->tombstones);
		json_amount(j, "live_revision", &k->live_amount);
		json_amount(j, "history", &k->history);
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
}

void ea_render_db_space_json(ea_json *j, const ea_db_space_view *v)
{
	const ea_space *s = v->s;
	ea_json_object_begin(j);
	ea_json_key(j, "file"); ea_json_str(j, ea_bolt_file(v->b));
	json_sizes(j, s);
	ea_json_key(j, "revision"); ea_json_i64(j, s->revision);
	ea_json_key(j, "compact_revision"); ea_json_i64(j, s->compact_revision);
	ea_json_key(j, "keys"); ea_json_u64(j, s->keys);
	ea_json_key(j, "live_keys"); ea_json_u64(j, s->live_keys);
	ea_json_key(j, "tombstones"); ea_json_u64(j, s->tombstones);
	json_amount(j, "live", &s->live);
	json_amount(j, "history", &s->history);
	json_amount(j, "undecodable", &s->undecodable);
	json_compaction(j, v);
	ea_json_key(j, "depth"); ea_json_u64(j, v->depth);
	json_groups(j, s, v->k8s);
	json_top(j, s);
	ea_render_db_problems_json(j, v->in, v->b);
	ea_json_object_end(j);
	ea_json_newline(j);
}

/* ---- table ---- */

#define HB(buf, n) ea_render_human_bytes(buf, sizeof buf, (n))

static const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

static void table_sizes(FILE *f, const ea_db_space_view *v)
{
	const ea_space *s = v->s;
	char fb[512], h1[32], h2[32], h3[32];
	uint64_t free_b = s->db_size - s->in_use_bytes;
	fprintf(f, "file              %s (%" PRIu64 " bytes, %s)\n", ea_text_str(fb, sizeof fb, ea_bolt_file(v->b)),
	        s->file_size, HB(h1, s->file_size));
	fprintf(f, "db size           %" PRIu64 " bytes (%s): %" PRIu64 " pages x %" PRIu32 ", etcd's dbSize\n",
	        s->db_size, HB(h1, s->db_size), s->pages, s->page_size);
	fprintf(f, "in use            %" PRIu64 " bytes (%s): %" PRIu64 " pages, etcd's dbSizeInUse once it has opened "
	        "this file\n", s->in_use_bytes, HB(h1, s->in_use_bytes), s->pages - s->free_pages);
	fprintf(f, "free              %" PRIu64 " bytes (%s): %" PRIu64 " pages, fragmentation %.1f %%\n", free_b,
	        HB(h1, free_b), s->free_pages, s->db_size ? 100.0 * (double)free_b / (double)s->db_size : 0.0);
	/* etcd's quota (NOSPACE) counts the db size, not the file */
	fprintf(f, "defrag            would take the db size (what --quota-backend-bytes counts) from %s to about %s, "
	        "and the file from %s to about that\n", HB(h1, s->db_size), HB(h2, s->in_use_bytes), HB(h3, s->file_size));
}

static void table_keys(FILE *f, const ea_db_space_view *v)
{
	const ea_space *s = v->s;
	char h1[32], h2[32], h3[32];
	if (s->compact_revision >= 0)
		fprintf(f, "revision          %" PRId64 " (compacted at %" PRId64 ")\n", s->revision, s->compact_revision);
	else
		fprintf(f, "revision          %" PRId64 " (never compacted)\n", s->revision);
	fprintf(f, "keys              %" PRIu64 " in the key bucket, %" PRIu64 " live; %" PRIu64 " revisions: %" PRIu64
	        " live, %" PRIu64 " history (%" PRIu64 " tombstone%s", s->keys, s->live_keys,
	        s->live.revisions + s->history.revisions, s->live.revisions, s->history.revisions, s->tombstones,
	        plural(s->tombstones));
	if (s->undecodable.revisions) fprintf(f, ", %" PRIu64 " undecodable", s->undecodable.revisions);
	fprintf(f, ")\n");
	fprintf(f, "stored bytes      live %s, history %s (revision keys + KeyValues)\n", HB(h1, s->live.bytes),
	        HB(h2, s->history.bytes));
	if (s->compacted_at_revision) {
		fprintf(f, "compaction        at %" PRId64 ": etcd refuses (already compacted there: \"required revision has "
		        "been compacted\")\n", s->revision);
		return;
	}
	uint64_t after = s->in_use_bytes > s->drop.page_bytes ? s->in_use_bytes - s->drop.page_bytes : 0;
	fprintf(f, "compaction        at %" PRId64 " would drop %" PRIu64 " revision%s, %s stored, %s of pages; with a "
	        "defrag after it about %s in use\n", s->revision, s->drop.revisions, plural(s->drop.revisions), HB(h1, s->drop.bytes),
	        HB(h2, s->drop.page_bytes), HB(h3, after));
	fprintf(f, "                  rule %s", ea_hashkv_rule_name(s->rule));
	if (s->kept_tombstones)
		fprintf(f, " (keeps %" PRIu64 " tombstone%s at %" PRId64 ")", s->kept_tombstones, plural(s->kept_tombstones),
		        s->revision);
	if (v->rule_basis && v->rule_basis[0]) fprintf(f, ": %s", v->rule_basis);
	fprintf(f, "\n");
}

static void page_row(FILE *f, const char *what, uint64_t pages, uint32_t ps, const char *note)
{
	char h[32];
	fprintf(f, "  %-20s %10" PRIu64 " %10s%s%s\n", what, pages, ea_render_human_bytes(h, sizeof h, pages * ps),
	        note ? "  " : "", note ? note : "");
}

static void table_pages(FILE *f, const ea_space *s)
{
	char note[160], h1[32], h2[32], h3[32];
	uint32_t ps = s->page_size;
	fprintf(f, "\npages in use by owner     PAGES      BYTES\n");
	snprintf(note, sizeof note, "live %s, history %s, no readable element %s", HB(h1, s->live.page_bytes),
	         HB(h2, s->history.page_bytes), HB(h3, s->key_unattributed_bytes));
	page_row(f, "key bucket leaves", s->key_leaf_pages, ps, note);
	page_row(f, "key bucket branches", s->key_branch_pages, ps, NULL);
	page_row(f, "other buckets", s->other_pages, ps, "meta, members, lease, auth, ... (and the root bucket)");
	page_row(f, "meta", s->meta_pages, ps, NULL);
	page_row(f, "freelist", s->freelist_pages, ps, NULL);
	if (s->unreachable_pages) page_row(f, "unreachable", s->unreachable_pages, ps, "neither reachable nor free (bbolt's check fails)");
	if (s->missing_pages) page_row(f, "missing", s->missing_pages, ps, "below pgid, beyond the end of the file");
}

static void group_name(FILE *f, const ea_space_group *g)
{
	if (g->k8s) {   /* "deployments.apps payments", "nodes (cluster)" */
		ea_text_fput(f, g->k8s_resource.p, g->k8s_resource.n);
		if (g->k8s_group.p && g->k8s_group.n) { fputc('.', f); ea_text_fput(f, g->k8s_group.p, g->k8s_group.n); }
		fputc(' ', f);
		if (g->k8s_ns.p) ea_text_fput(f, g->k8s_ns.p, g->k8s_ns.n); else fputs("(cluster)", f);
	} else if (!g->prefix) fputs("(elements without a decodable KeyValue)", f);
	else if (!g->prefix_len) fputs("(keys without /)", f);
	else ea_text_fput(f, g->prefix, g->prefix_len);
}

static void table_groups(FILE *f, const ea_db_space_view *v)
{
	const ea_space *s = v->s;
	if (v->k8s)
		fprintf(f, "\ngroups: Kubernetes objects by resource[.API group] and namespace (--k8s), other keys by their "
		        "first %u path components (--depth), by page bytes; SHARE of the bytes in use; DROPPED: revisions a "
		        "compaction at %" PRId64 " deletes\n", v->depth, s->revision);
	else
		fprintf(f, "\ngroups: keys by their first %u path components (--depth), by page bytes; SHARE of the bytes "
		        "in use; DROPPED: revisions a compaction at %" PRId64 " deletes\n", v->depth, s->revision);
	fprintf(f, "  %10s %6s %8s %8s %9s %9s %7s %10s %10s %9s  %s\n", "PAGE BYTES", "SHARE", "KEYS", "LIVE",
	        "LIVE REVS", "HIST REVS", "TOMBS", "LIVE BYTES", "HIST BYTES", "DROPPED", "GROUP");
	for (size_t i = 0; i < s->ngroups; i++) {
		const ea_space_group *g = &s->groups[i];
		char h1[32], h2[32], h3[32];
		uint64_t pb = g->live.page_bytes + g->history.page_bytes;
		fprintf(f, "  %10s %5.1f%% %8" PRIu64 " %8" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %10s %10s %9" PRIu64 "  ",
		        HB(h1, pb), s->in_use_bytes ? 100.0 * (double)pb / (double)s->in_use_bytes : 0.0, g->keys,
		        g->live_keys, g->live.revisions, g->history.revisions, g->tombstones, HB(h2, g->live.bytes),
		        HB(h3, g->history.bytes), g->drop.revisions);
		group_name(f, g);
		fputc('\n', f);
	}
}

static void table_top(FILE *f, const ea_space *s)
{
	if (!s->ntop) { fprintf(f, "\nkeys with history: none (every key holds only its live revision)\n"); return; }
	fprintf(f, "\ntop %zu key%s by history size (--top)\n", s->ntop, plural(s->ntop));
	fprintf(f, "  %10s %9s %7s %10s %10s %9s  %s\n", "HIST BYTES", "HIST REVS", "TOMBS", "HIST PAGES", "LIVE BYTES",
	        "LAST REV", "KEY");
	for (size_t i = 0; i < s->ntop; i++) {
		const ea_space_key *k = &s->top[i];
		char h1[32], h2[32], h3[32];
		fprintf(f, "  %10s %9" PRIu64 " %7" PRIu64 " %10s %10s %9" PRId64 "  ", HB(h1, k->history.bytes),
		        k->history.revisions, k->tombstones, HB(h2, k->history.page_bytes),
		        k->live ? HB(h3, k->live_amount.bytes) : "deleted", k->last_revision);
		ea_text_fput(f, k->key, k->key_len);
		fputc('\n', f);
	}
}

void ea_render_db_space_table(FILE *f, const ea_db_space_view *v)
{
	table_sizes(f, v);
	table_keys(f, v);
	table_pages(f, v->s);
	table_groups(f, v);
	table_top(f, v->s);
	if (ea_input_problem_count(v->in) || ea_bolt_problem_count(v->b)) {
		fputc('\n', f);
		ea_render_db_problems_table(f, v->in, v->b);
	}
}
