/* render_dbstat.c: the facts `db stat`, `db check` and `db hash` show about one bbolt db
 * (meta pages, schema and downgrade, revisions, hashes, page counts, conf state, members,
 * leases, alarms, auth, problems) as one JSON object and as the aligned table. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>

/* ---- the ea_mvcc_* walks, one per record type and output form ---- */
static int member_json_cb(const ea_mvcc_member *mb, void *p) { ea_render_member_json(p, mb); return 0; }
static int member_table_cb(const ea_mvcc_member *mb, void *p) { ea_render_member_table(p, mb); return 0; }
static int lease_json_cb(const ea_mvcc_lease *l, void *p) { ea_render_lease_json(p, l); return 0; }
static int lease_table_cb(const ea_mvcc_lease *l, void *p) { ea_render_lease_table(p, l); return 0; }
static int alarm_json_cb(const ea_mvcc_alarm *a, void *p) { ea_render_alarm_json(p, a); return 0; }
static int alarm_table_cb(const ea_mvcc_alarm *a, void *p) { ea_render_alarm_table(p, a); return 0; }
static int auth_json_cb(const ea_mvcc_auth_entry *a, void *p) { ea_render_auth_json(p, a); return 0; }
static int auth_table_cb(const ea_mvcc_auth_entry *a, void *p) { ea_render_auth_table(p, a); return 0; }

static void json_meta(ea_json *j, ea_bolt *b)
{
	ea_json_key(j, "meta");
	ea_json_array_begin(j);
	for (int i = 0; i < 2; i++) {
		const ea_bolt_meta *m = ea_bolt_meta_at(b, i);
		ea_json_object_begin(j);
		ea_json_key(j, "page"); ea_json_u64(j, m->page);
		ea_json_key(j, "valid"); ea_json_bool(j, m->valid);
		ea_json_key(j, "reason"); ea_json_str(j, m->invalid_reason);
		ea_json_key(j, "txid"); ea_json_u64(j, m->txid);
		ea_json_key(j, "root"); ea_json_u64(j, m->root);
		ea_json_key(j, "pgid"); ea_json_u64(j, m->pgid);
		ea_json_key(j, "freelist");
		if (m->freelist == EA_BOLT_PGID_NONE) ea_json_null(j); else ea_json_u64(j, m->freelist);
		ea_json_key(j, "page_size"); ea_json_u64(j, m->page_size);
		ea_json_key(j, "checksum"); ea_json_hex(j, m->checksum);
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
}

static void table_meta(FILE *f, ea_bolt *b)
{
	int u = ea_bolt_meta_used(b);
	for (int i = 0; i < 2; i++) {
		const ea_bolt_meta *m = ea_bolt_meta_at(b, i);
		fprintf(f, "meta page %d       txid %" PRIu64 ", %s%s%s\n", i, m->txid, m->valid ? "valid" : "INVALID: ",
		        m->valid ? "" : m->invalid_reason, i == u ? " (in use)" : "");
	}
}

/* etcd 3.6+'s view of the schema and the downgrade key (src/semantic/schema.c). */
static void json_schema(ea_json *j, const ea_mvcc_info *i)
{
	ea_json_key(j, "storage_version_key");
	if (i->have_storage_version_key) ea_json_str(j, i->storage_version_key); else ea_json_null(j);
	ea_json_key(j, "schema"); ea_json_object_begin(j);
	ea_json_key(j, "version"); if (i->schema.ok) ea_json_str(j, i->schema.version); else ea_json_null(j);
	ea_json_key(j, "from");
	if (i->schema.ok) ea_json_str(j, i->schema.from_storage_version ? "storageVersion" : "term"); else ea_json_null(j);
	ea_json_key(j, "error"); if (i->schema.ok) ea_json_null(j); else ea_json_str(j, i->schema.error);
	ea_json_object_end(j);
	ea_json_key(j, "downgrade");
	if (!i->downgrade_info.present) { ea_json_null(j); return; }
	ea_json_object_begin(j);
	ea_json_key(j, "value"); ea_json_str(j, i->downgrade);
	ea_json_key(j, "valid"); ea_json_bool(j, i->downgrade_info.valid);
	ea_json_key(j, "enabled"); ea_json_bool(j, i->downgrade_info.enabled);
	ea_json_key(j, "target_version"); ea_json_str(j, i->downgrade_info.target_version);
	ea_json_object_end(j);
}

static void table_schema(FILE *f, const ea_mvcc_info *i)
{
	const ea_schema_result *s = &i->schema;
	if (s->ok && s->from_storage_version)
		fprintf(f, "schema            %s (meta/storageVersion, written by etcd 3.6+)\n", s->version);
	else if (s->ok)
		fprintf(f, "schema            %s (no storageVersion%s; a non-zero term: etcd's 3.5 rule)\n", s->version,
		        s->storage_version_invalid ? " etcd parses" : "");
	else
		fprintf(f, "schema            undetected by etcd 3.6+: %s%s\n", s->error, s->panics ? "" :
		        " (etcd 3.4 or older wrote this db; etcd 3.6 starts with a warning, `etcdutl migrate` refuses)");
	const ea_downgrade_info *d = &i->downgrade_info;
	if (!d->present) return;
	if (!d->valid) fprintf(f, "downgrade         INVALID: %s\n", d->error);
	else if (d->enabled) fprintf(f, "downgrade         enabled, target version %s\n", d->target_version);
	else fprintf(f, "downgrade         not in progress\n");
}

/* Prints the IDs of one array of meta/confState in hex as etcd prints member IDs; "-" when
 * empty or null, "?" for a number that is no uint64, "..." when the stored text is cut. */
static void conf_state_ids(FILE *f, const char *js, const char *name)
{
	uint64_t ids[64];
	unsigned char over[64];
	int cut;
	long n = ea_mvcc_conf_state_ids(js, name, ids, over, 64, &cut);
	fprintf(f, "%s ", name);
	if (n < 0) { fprintf(f, "-"); return; }
	for (long i = 0; i < n; i++)
		if (over[i]) fprintf(f, "%s?", i ? ", " : "");
		else fprintf(f, "%s%" PRIx64, i ? ", " : "", ids[i]);
	if (cut) fprintf(f, "%s...", n ? " " : "");
	else if (!n) fprintf(f, "-");
}

/* The `conf state` line: voters and learners from meta/confState (etcd 3.5+ stores it). */
static void table_conf_state(FILE *f, const char *js)
{
	if (!js[0]) { fprintf(f, "conf state        - (not stored before 3.5; `snap ls` shows the .snap files' one)\n"); return; }
	fprintf(f, "conf state        ");
	conf_state_ids(f, js, "voters");
	fprintf(f, "; ");
	conf_state_ids(f, js, "learners");
	fprintf(f, "\n");
}

/* revisions, indexes, versions and hashes of the key space */
static void stat_json_mvcc(ea_json *j, const ea_db_stat_view *v)
{
	const ea_mvcc_info *info = v->info;
	ea_json_key(j, "revision"); ea_json_i64(j, info->revision);
	ea_json_key(j, "compact_revision"); ea_json_i64(j, info->compact_revision);
	ea_json_key(j, "scheduled_compact_revision"); ea_json_i64(j, info->scheduled_compact_revision);
	ea_json_key(j, "compaction_interrupted"); ea_json_bool(j, info->compaction_interrupted);
	ea_json_key(j, "consistent_index");
	if (info->have_consistent_index) ea_json_u64(j, info->consistent_index); else ea_json_null(j);
	ea_json_key(j, "term");
	if (info->have_term) ea_json_u64(j, info->term); else ea_json_null(j);
	ea_json_key(j, "storage_version"); ea_json_str(j, info->storage_version);
	ea_json_key(j, "cluster_version"); if (info->cluster_version[0]) ea_json_str(j, info->cluster_version); else ea_json_null(j);
	ea_json_key(j, "conf_state"); if (info->conf_state[0]) ea_json_str(j, info->conf_state); else ea_json_null(j);
	json_schema(j, info);
	if (v->extra) v->extra(j, NULL, v->extra_arg);
	ea_json_key(j, "hash"); ea_json_u64(j, v->hk->hash);
	ea_json_key(j, "hash_revision"); ea_json_i64(j, v->hk->hash_revision);
	ea_json_key(j, "live_keys"); ea_json_u64(j, info->live_keys);
	ea_json_key(j, "keys"); ea_json_u64(j, info->keys);
	ea_json_key(j, "key_revisions"); ea_json_u64(j, info->key_revisions);
	ea_json_key(j, "tombstones"); ea_json_u64(j, info->tombstones);
	ea_json_key(j, "total_key"); ea_json_u64(j, v->ss->total_key);
	ea_json_key(j, "snapshot_hash"); ea_json_u64(j, v->ss->hash);
	ea_json_key(j, "snapshot_revision"); ea_json_i64(j, v->ss->revision);
	ea_json_key(j, "total_size"); ea_json_u64(j, v->ss->total_size);
}

/* the bbolt file: pages, meta pages, trailer */
static void stat_json_pages(ea_json *j, const ea_db_stat_view *v)
{
	ea_bolt *b = v->b;
	ea_json_key(j, "page_size"); ea_json_u64(j, ea_bolt_page_size(b));
	ea_json_key(j, "pages"); ea_json_u64(j, v->chk->pages);
	ea_json_key(j, "reachable_pages"); ea_json_u64(j, v->chk->reachable);
	ea_json_key(j, "free_pages"); ea_json_u64(j, v->chk->free_pages);
	ea_json_key(j, "unreachable_pages"); ea_json_u64(j, v->chk->unreachable);
	ea_json_key(j, "freelist_stored"); ea_json_bool(j, v->chk->freelist_stored);
	ea_json_key(j, "size"); ea_json_u64(j, ea_bolt_file_size(b));
	ea_json_key(j, "meta_page_used"); ea_json_u64(j, (uint64_t)ea_bolt_meta_used(b));
	json_meta(j, b);
	ea_json_key(j, "sha256_trailer"); ea_json_str(j, ea_bolt_trailer_name(v->ts));
}

void ea_render_db_stat_json(ea_json *j, const ea_db_stat_view *v)
{
	const ea_mvcc_info *info = v->info;
	ea_json_object_begin(j);
	ea_json_key(j, "file"); ea_json_str(j, ea_bolt_file(v->b));
	stat_json_mvcc(j, v);
	stat_json_pages(j, v);
	ea_json_key(j, "auth_enabled");
	if (info->auth_enabled < 0) ea_json_null(j); else ea_json_bool(j, info->auth_enabled);
	ea_json_key(j, "auth_revision");
	if (info->have_auth_revision) ea_json_u64(j, info->auth_revision); else ea_json_null(j);
	ea_json_key(j, "members"); ea_json_array_begin(j); ea_mvcc_members(v->m, member_json_cb, j); ea_json_array_end(j);
	ea_json_key(j, "leases"); ea_json_array_begin(j); ea_mvcc_leases(v->m, lease_json_cb, j); ea_json_array_end(j);
	ea_json_key(j, "alarms"); ea_json_array_begin(j); ea_mvcc_alarms(v->m, alarm_json_cb, j); ea_json_array_end(j);
	ea_json_key(j, "auth"); ea_json_array_begin(j); ea_mvcc_auth(v->m, auth_json_cb, j); ea_json_array_end(j);
	ea_render_db_problems_json(j, v->in, v->b);
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_db_stat_table_head(FILE *f, const ea_db_stat_view *v)
{
	const ea_mvcc_info *info = v->info;
	const ea_bolt_check_result *chk = v->chk;
	ea_bolt *b = v->b;
	char h1[32], h2[32], fb[1024];
	fprintf(f, "file              %s (%" PRIu64 " bytes, %s)\n", ea_text_str(fb, sizeof fb, ea_bolt_file(b)), ea_bolt_file_size(b),
	        ea_render_human_bytes(h1, sizeof h1, ea_bolt_file_size(b)));
	fprintf(f, "sha256 trailer    %s\n", v->ts == EA_BOLT_TRAILER_ABSENT ? "absent (a raw db copy, not an `etcdctl snapshot save` file)"
	        : v->ts == EA_BOLT_TRAILER_OK ? "ok (matches the image)" : "MISMATCH (file changed after snapshot save)");
	table_meta(f, b);
	fprintf(f, "pages             %" PRIu64 " x %u bytes (high-water mark); %" PRIu64 " reachable, %" PRIu64
	        " free, %" PRIu64 " unreachable; freelist %s\n", chk->pages, ea_bolt_page_size(b), chk->reachable,
	        chk->free_pages, chk->unreachable, chk->freelist_stored ? "stored" : "not stored (NoFreelistSync)");
	fprintf(f, "storage version   %s (cluster version %s)\n", info->storage_version,
	        info->cluster_version[0] ? info->cluster_version : "-");
	table_schema(f, info);
	if (v->extra) v->extra(NULL, f, v->extra_arg);
	fprintf(f, "revision          %" PRId64 " (compacted at %" PRId64 "%s)\n", info->revision, info->compact_revision,
	        info->compaction_interrupted ? ", INTERRUPTED compaction pending" : "");
	if (info->have_consistent_index) fprintf(f, "consistent index  %" PRIu64 "\n", info->consistent_index);
	else fprintf(f, "consistent index  -\n");
	if (info->have_term) fprintf(f, "term              %" PRIu64 "\n", info->term);
	else fprintf(f, "term              - (not stored before 3.5)\n");
	table_conf_state(f, info->conf_state);
	fprintf(f, "keys              %" PRIu64 " live, %" PRIu64 " in the index, %" PRIu64 " revisions (%" PRIu64
	        " tombstones)\n", info->live_keys, info->keys, info->key_revisions, info->tombstones);
	fprintf(f, "hashkv            %u at revision %" PRId64 " (compact revision %" PRId64 ")\n", v->hk->hash,
	        v->hk->hash_revision, v->hk->compact_revision);
	fprintf(f, "snapshot status   hash %u, revision %" PRId64 ", total_key %" PRIu64 ", total_size %" PRIu64 " (%s)\n",
	        v->ss->hash, v->ss->revision, v->ss->total_key, v->ss->total_size,
	        ea_render_human_bytes(h2, sizeof h2, v->ss->total_size));
	fprintf(f, "members           %" PRIu64 " (+%" PRIu64 " removed)\n", info->members, info->removed_members);
	ea_mvcc_members(v->m, member_table_cb, f);
}

void ea_render_db_stat_table_tail(FILE *f, const ea_db_stat_view *v)
{
	const ea_mvcc_info *info = v->info;
	fprintf(f, "leases            %" PRIu64 "\n", info->leases);
	ea_mvcc_leases(v->m, lease_table_cb, f);
	fprintf(f, "alarms            %" PRIu64 "\n", info->alarms);
	ea_mvcc_alarms(v->m, alarm_table_cb, f);
	fprintf(f, "auth              %s, %" PRIu64 " users, %" PRIu64 " roles\n",
	        info->auth_enabled == 1 ? "enabled" : info->auth_enabled == 0 ? "disabled" : "never enabled",
	        info->users, info->roles);
	ea_mvcc_auth(v->m, auth_table_cb, f);
	ea_render_db_problems_table(f, v->in, v->b);
}

void ea_render_db_check_json(ea_json *j, const ea_db_stat_view *v)
{
	const ea_bolt_check_result *chk = v->chk;
	size_t np = ea_input_problem_count(v->in) + ea_bolt_problem_count(v->b);
	ea_json_object_begin(j);
	ea_json_key(j, "file"); ea_json_str(j, ea_bolt_file(v->b));
	ea_json_key(j, "ok"); ea_json_bool(j, np == 0);
	ea_json_key(j, "page_size"); ea_json_u64(j, ea_bolt_page_size(v->b));
	ea_json_key(j, "pages"); ea_json_u64(j, chk->pages);
	ea_json_key(j, "file_pages"); ea_json_u64(j, chk->file_pages);
	ea_json_key(j, "reachable_pages"); ea_json_u64(j, chk->reachable);
	ea_json_key(j, "free_pages"); ea_json_u64(j, chk->free_pages);
	ea_json_key(j, "unreachable_pages"); ea_json_u64(j, chk->unreachable);
	ea_json_key(j, "buckets"); ea_json_u64(j, chk->buckets);
	ea_json_key(j, "keys"); ea_json_u64(j, chk->keys);
	ea_json_key(j, "freelist_stored"); ea_json_bool(j, chk->freelist_stored);
	ea_json_key(j, "meta_page_used"); ea_json_u64(j, (uint64_t)ea_bolt_meta_used(v->b));
	json_meta(j, v->b);
	ea_json_key(j, "sha256_trailer"); ea_json_str(j, ea_bolt_trailer_name(v->ts));
	ea_render_db_problems_json(j, v->in, v->b);
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_db_check_table(FILE *f, const ea_db_stat_view *v)
{
	const ea_bolt_check_result *chk = v->chk;
	size_t np = ea_input_problem_count(v->in) + ea_bolt_problem_count(v->b);
	char fb[1024];
	fprintf(f, "file              %s\n", ea_text_str(fb, sizeof fb, ea_bolt_file(v->b)));
	table_meta(f, v->b);
	fprintf(f, "pages             %" PRIu64 " (file holds %" PRIu64 "): %" PRIu64 " reachable, %" PRIu64
	        " free, %" PRIu64 " unreachable\n", chk->pages, chk->file_pages, chk->reachable, chk->free_pages,
	        chk->unreachable);
	fprintf(f, "buckets           %" PRIu64 " (%" PRIu64 " inline), %" PRIu64 " keys\n", chk->buckets,
	        chk->inline_buckets, chk->keys);
	fprintf(f, "sha256 trailer    %s\n", ea_bolt_trailer_name(v->ts));
	ea_render_db_problems_table(f, v->in, v->b);
	fprintf(f, "%s\n", np ? "DAMAGED" : "OK");
}

/* "rule", "rule_basis" and, when the two rules give different numbers, "hash_variants". */
static void hashkv_variants_json(ea_json *j, const ea_hashkv_result *h)
{
	ea_json_key(j, "rule"); ea_json_str(j, ea_hashkv_rule_name(h->rule));
	ea_json_key(j, "rule_basis"); ea_json_str(j, h->rule_basis);
	if (h->hash_classic == h->hash_skip) return;
	ea_json_key(j, "hash_variants");
	ea_json_array_begin(j);
	const ea_hashkv_rule rules[2] = { EA_HASHKV_RULE_CLASSIC, EA_HASHKV_RULE_SKIP_TOMBSTONE };
	for (int k = 0; k < 2; k++) {
		ea_json_object_begin(j);
		ea_json_key(j, "rule"); ea_json_str(j, ea_hashkv_rule_name(rules[k]));
		ea_json_key(j, "hash"); ea_json_u64(j, k ? h->hash_skip : h->hash_classic);
		ea_json_key(j, "etcd_versions"); ea_json_str(j, ea_hashkv_rule_versions(rules[k]));
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
}

/* The rule line, and both numbers when they differ. */
static void hashkv_variants_table(FILE *f, const ea_hashkv_result *h)
{
	ea_hashkv_rule other = h->rule == EA_HASHKV_RULE_CLASSIC ? EA_HASHKV_RULE_SKIP_TOMBSTONE : EA_HASHKV_RULE_CLASSIC;
	uint32_t oh = other == EA_HASHKV_RULE_CLASSIC ? h->hash_classic : h->hash_skip;
	fprintf(f, "  rule: %s, what etcd %s compute; %s (etcd %s) ", ea_hashkv_rule_name(h->rule),
	       ea_hashkv_rule_versions(h->rule), ea_hashkv_rule_name(other), ea_hashkv_rule_versions(other));
	if (oh == h->hash) fprintf(f, "gives the same hash here\n");
	else fprintf(f, "gives %" PRIu32 " here (a tombstone at the compaction revision)\n", oh);
	fprintf(f, "  etcd version: %s\n", h->rule_basis);
}

void ea_render_hashkv_json(ea_json *j, const ea_hashkv_result *h, ea_input *in, ea_bolt *b)
{
	ea_json_object_begin(j);
	ea_json_key(j, "hash"); ea_json_u64(j, h->hash);
	ea_json_key(j, "hash_revision"); ea_json_i64(j, h->hash_revision);
	ea_json_key(j, "compact_revision"); ea_json_i64(j, h->compact_revision);
	ea_json_key(j, "current_revision"); ea_json_i64(j, h->current_revision);
	ea_json_key(j, "skipped_compact_tombstone"); ea_json_bool(j, h->skipped_compact_tombstone);
	hashkv_variants_json(j, h);
	ea_render_db_problems_json(j, in, b);
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_hashkv_table(FILE *f, const char *path, const ea_hashkv_result *h)
{
	fprintf(f, "%s, %u (revision %" PRId64 ", compact revision %" PRId64 ", current revision %" PRId64 ")\n",
	        path, h->hash, h->hash_revision, h->compact_revision, h->current_revision);
	hashkv_variants_table(f, h);
}
