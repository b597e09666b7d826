/* cmd_db.c: `etcd-autopsy db stat|check|ls|history|hash|pages`. Parses options, drives the
 * bolt and mvcc layers and prints: tables for people, JSON for machines (one object for
 * stat/check/hash, JSON Lines for ls/history/pages). No byte parsing here. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char db_help[] =
	"usage: etcd-autopsy db <stat|check|ls|history|hash|pages> PATH [options]\n\n"
	"PATH is a data dir (member/snap/db is used), a db file, a *.snap.db, an `etcdctl snapshot\n"
	"save` file (bbolt image + SHA-256 trailer), or a .tar/.tar.gz/.tar.zst archive of one.\n"
	"The input is only read, never modified or locked.\n\n"
	"  db stat PATH          revision, compaction, consistent index, term, storage version,\n"
	"                        HashKV, snapshot-status hash/revision/total_key/total_size, page\n"
	"                        counts, meta page in use, SHA-256 trailer, members, leases, auth\n"
	"  db check PATH         structural check (bbolt's check plus key order, element bounds,\n"
	"                        meta pages, trailer); every problem with page id and byte offset\n"
	"  db ls PATH            keys and values as of a revision, sorted by key\n"
	"      --prefix P            keys starting with P\n"
	"      --rev R               as of revision R (default: current)\n"
	"      --salvage             ignore the tree: scan every page for key-bucket elements and\n"
	"                            list each (revision order per page, with page id, reachable)\n"
	"  db history PATH KEY   every revision of KEY in the key bucket (tombstones included)\n"
	"  db hash PATH          HashKV, the number `etcdctl endpoint hashkv` prints\n"
	"      --rev R               at revision R (default: current)\n"
	"      --etcd-version X.Y.Z  hash as that etcd release does: a tombstone at the compaction\n"
	"                            revision is hashed by 3.0-3.4.33, 3.5.0-3.5.15 ('classic') and\n"
	"                            skipped by 3.4.34+, 3.5.16+, 3.6+ ('skip-compact-tombstone');\n"
	"                            default: inferred from the db's cluster/storage version by minor\n"
	"                            version (latest patch releases assumed) and said; both numbers\n"
	"                            are printed when the rules disagree\n"
	"      --tombstone-rule classic|skip\n"
	"                            pick the rule itself instead\n"
	"  db pages PATH         one line per page: type, count, overflow, owning bucket, state\n"
	"      --page N              only page N\n\n"
	"common options:\n"
	"  -w, --write-out F     table (default) or json (ls/history/pages: JSON Lines)\n"
	"  -q, --quiet           no summary line on stderr\n"
	"  -h, --help            this help\n\n"
	"Damage is reported, never fatal: JSON output carries {\"problem\": {...}} lines (streams) or a\n"
	"\"problems\" array (stat/check/hash), and stderr gets a one-line summary.\n\n"
	"examples:\n"
	"  etcd-autopsy db stat node1/\n"
	"  etcd-autopsy db check backup-2023-11-24.db\n"
	"  etcd-autopsy db ls node1/ --prefix /registry/pods/ --rev 4711\n"
	"  etcd-autopsy db history node1/ /registry/services/specs/default/kubernetes\n"
	"  etcd-autopsy db hash node1/ --rev 5000\n"
	"  etcd-autopsy db ls broken.db --salvage -w json\n\n"
	"exit codes: 0 clean, 1 damage found (everything readable was still printed), 2 usage error\n"
	"(also an option the verb ignores) or no bbolt db could be read\n";

enum { O_PREFIX, O_REV, O_SALVAGE, O_RULE, O_PAGE, O_WRITE, O_QUIET, O_HELP, O_ETCDVER };
static const cli_opt db_opts[] = {
	{ "prefix", 0, 1 }, { "rev", 0, 1 }, { "salvage", 0, 0 }, { "tombstone-rule", 0, 1 },
	{ "page", 0, 1 }, { "write-out", 'w', 1 }, { "quiet", 'q', 0 }, { "help", 'h', 0 },
	{ "etcd-version", 0, 1 }, { NULL, 0, 0 }
};

typedef struct {
	const char *verb;
	const char *path;
	const char *key;
	const char *prefix;
	uint64_t rev;
	int salvage;
	int have_page;
	uint64_t page;
	int have_rev, have_rule;   /* --rev, --tombstone-rule given */
	out_format fmt;
	int quiet;
	ea_mvcc_options mopts;
	ea_hashkv_version etcd_version;   /* --etcd-version (version "" if not given) */
} db_args;

typedef struct {
	db_args *a;
	ea_input *in;
	ea_mvcc *m;
	ea_bolt *b;
	cli_problems cp;
	ea_json j;
	size_t printed;       /* problems of the bolt handle already printed (streams) */
} db_ctx;

static int db_open(db_ctx *c, db_args *a)
{
	memset(c, 0, sizeof *c);
	c->a = a;
	c->cp.quiet = a->quiet;
	ea_json_init(&c->j, stdout);
	ea_error err = { 0 };
	char cmd[32];
	snprintf(cmd, sizeof cmd, "db %s", a->verb);
	int rc = ea_input_open(&c->in, a->path, &err);
	if (rc) { cli_print_error(cmd, a->path, rc, &err); return -1; }
	rc = ea_mvcc_open(&c->m, c->in, &a->mopts, &err);
	if (rc) {
		cli_print_error(cmd, a->path, rc, &err);
		ea_input_close(c->in);
		return -1;
	}
	c->b = ea_mvcc_bolt(c->m);
	return 0;
}

static void db_close(db_ctx *c)
{
	ea_mvcc_close(c->m);
	ea_input_close(c->in);
}

static void count_problems(db_ctx *c)
{
	for (size_t i = 0; i < ea_input_problem_count(c->in); i++) cli_problem_seen(&c->cp, ea_input_problem_at(c->in, i));
	for (size_t i = 0; i < ea_bolt_problem_count(c->b); i++) cli_problem_seen(&c->cp, ea_bolt_problem_at(c->b, i));
}

/* Streams: print the problems found since the last call. */
static void flush_problems(db_ctx *c)
{
	size_t n = ea_bolt_problem_count(c->b);
	for (; c->printed < n; c->printed++) {
		const ea_problem *p = ea_bolt_problem_at(c->b, c->printed);
		if (c->a->fmt == OUT_JSON) ea_json_problem_line(&c->j, p); else cli_problem_table(stdout, p);
	}
}

static void json_problems_array(db_ctx *c)
{
	ea_json_key(&c->j, "problems");
	ea_json_array_begin(&c->j);
	for (size_t i = 0; i < ea_input_problem_count(c->in); i++) ea_json_problem(&c->j, ea_input_problem_at(c->in, i));
	for (size_t i = 0; i < ea_bolt_problem_count(c->b); i++) ea_json_problem(&c->j, ea_bolt_problem_at(c->b, i));
	ea_json_array_end(&c->j);
	ea_json_key(&c->j, "problems_dropped"); ea_json_u64(&c->j, ea_bolt_problems_dropped(c->b));
}

static void table_problems(db_ctx *c)
{
	size_t n = ea_input_problem_count(c->in) + ea_bolt_problem_count(c->b);
	printf("problems          %zu\n", n + ea_bolt_problems_dropped(c->b));
	for (size_t i = 0; i < ea_input_problem_count(c->in); i++) { fputs("  ", stdout); cli_problem_table(stdout, ea_input_problem_at(c->in, i)); }
	for (size_t i = 0; i < ea_bolt_problem_count(c->b); i++) { fputs("  ", stdout); cli_problem_table(stdout, ea_bolt_problem_at(c->b, i)); }
}

static int db_finish(db_ctx *c, int code)
{
	fflush(stdout);
	count_problems(c);
	cli_problems_summary(&c->cp, c->a->path);
	db_close(c);
	if (code == EXIT_USAGE) return code;
	return cli_exit_code(&c->cp);
}

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

static void table_meta(ea_bolt *b)
{
	int u = ea_bolt_meta_used(b);
	for (int i = 0; i < 2; i++) {
		const ea_bolt_meta *m = ea_bolt_meta_at(b, i);
		printf("meta page %d       txid %" PRIu64 ", %s%s%s\n", i, m->txid, m->valid ? "valid" : "INVALID: ",
		       m->valid ? "" : m->invalid_reason, i == u ? " (in use)" : "");
	}
}

/* ---- stat ---- */

static int member_json(const ea_mvcc_member *mb, void *p)
{
	ea_json *j = p;
	ea_json_object_begin(j);
	ea_json_key(j, "id"); ea_json_hex(j, mb->id);
	ea_json_key(j, "removed"); ea_json_bool(j, mb->removed);
	if (!mb->removed) {
		ea_json_key(j, "name"); ea_json_str(j, mb->name);
		ea_json_key(j, "peer_urls"); ea_json_str(j, mb->peer_urls);
		ea_json_key(j, "client_urls"); ea_json_str(j, mb->client_urls);
		ea_json_key(j, "is_learner"); ea_json_bool(j, mb->is_learner);
	}
	ea_json_object_end(j);
	return 0;
}

/* Prints the IDs of one array of meta/confState in hex as etcd prints member IDs; "-" when
 * empty or null, "?" for a number that is no uint64, "..." when the stored text is cut. */
static void conf_state_ids(const char *js, const char *name)
{
	uint64_t ids[64];
	unsigned char over[64];
	int cut;
	long n = ea_mvcc_conf_state_ids(js, name, ids, over, 64, &cut);
	printf("%s ", name);
	if (n < 0) { printf("-"); return; }
	for (long i = 0; i < n; i++)
		if (over[i]) printf("%s?", i ? ", " : "");
		else printf("%s%" PRIx64, i ? ", " : "", ids[i]);
	if (cut) printf("%s...", n ? " " : "");
	else if (!n) printf("-");
}

/* The `conf state` line: voters and learners from meta/confState (etcd 3.5+ stores it). */
static void table_conf_state(const char *js)
{
	if (!js[0]) { printf("conf state        - (not stored before 3.5; `snap ls` shows the .snap files' one)\n"); return; }
	printf("conf state        ");
	conf_state_ids(js, "voters");
	printf("; ");
	conf_state_ids(js, "learners");
	printf("\n");
}

static int member_table(const ea_mvcc_member *mb, void *p)
{
	(void)p;
	char name[256], peer[1024], client[1024];   /* from the db: escaped for the terminal */
	if (mb->removed) printf("  %-16" PRIx64 " (removed)\n", mb->id);
	else printf("  %-16" PRIx64 " %-12s peer %s client %s%s\n", mb->id, *mb->name ? ea_text_str(name, sizeof name, mb->name) : "(unpublished)",
	            ea_text_str(peer, sizeof peer, mb->peer_urls), ea_text_str(client, sizeof client, mb->client_urls), mb->is_learner ? " learner" : "");
	return 0;
}

static int lease_json(const ea_mvcc_lease *l, void *p)
{
	ea_json *j = p;
	ea_json_object_begin(j);
	ea_json_key(j, "id"); ea_json_hex(j, (uint64_t)l->id);
	ea_json_key(j, "ttl"); ea_json_i64(j, l->ttl);
	ea_json_key(j, "remaining_ttl"); ea_json_i64(j, l->remaining_ttl);
	ea_json_object_end(j);
	return 0;
}

static int lease_table(const ea_mvcc_lease *l, void *p)
{
	(void)p;
	printf("  lease %-16" PRIx64 " ttl %" PRId64 " remaining %" PRId64 "\n", (uint64_t)l->id, l->ttl, l->remaining_ttl);
	return 0;
}

static int alarm_json(const ea_mvcc_alarm *a, void *p)
{
	ea_json *j = p;
	ea_json_object_begin(j);
	ea_json_key(j, "member_id"); ea_json_hex(j, a->member_id);
	ea_json_key(j, "alarm"); ea_json_str(j, a->alarm_name);
	ea_json_object_end(j);
	return 0;
}

static int alarm_table(const ea_mvcc_alarm *a, void *p)
{
	(void)p;
	printf("  alarm %s on member %" PRIx64 "\n", a->alarm_name, a->member_id);
	return 0;
}

static int auth_json(const ea_mvcc_auth_entry *a, void *p)
{
	ea_json *j = p;
	ea_json_object_begin(j);
	ea_json_key(j, "type"); ea_json_str(j, a->is_role ? "role" : "user");
	ea_json_key(j, "name"); ea_json_str(j, a->name);
	if (a->is_role) { ea_json_key(j, "permissions"); ea_json_u64(j, a->permissions); }
	else {
		ea_json_key(j, "roles"); ea_json_str(j, a->roles);
		ea_json_key(j, "has_password"); ea_json_bool(j, a->has_password);
		ea_json_key(j, "no_password"); ea_json_bool(j, a->no_password);
	}
	ea_json_object_end(j);
	return 0;
}

static int auth_table(const ea_mvcc_auth_entry *a, void *p)
{
	(void)p;
	char name[256], roles[1024];   /* from the db: escaped for the terminal */
	ea_text_str(name, sizeof name, a->name);
	if (a->is_role) printf("  role %s (%zu permissions)\n", name, a->permissions);
	else printf("  user %s roles [%s]%s\n", name, ea_text_str(roles, sizeof roles, a->roles), a->has_password ? " (password hash stored, not shown)" : "");
	return 0;
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

static void table_schema(const ea_mvcc_info *i)
{
	const ea_schema_result *s = &i->schema;
	if (s->ok && s->from_storage_version)
		printf("schema            %s (meta/storageVersion, written by etcd 3.6+)\n", s->version);
	else if (s->ok)
		printf("schema            %s (no storageVersion%s; a non-zero term: etcd's 3.5 rule)\n", s->version,
		       s->storage_version_invalid ? " etcd parses" : "");
	else
		printf("schema            undetected by etcd 3.6+: %s%s\n", s->error, s->panics ? "" :
		       " (etcd 3.4 or older wrote this db; etcd 3.6 starts with a warning, `etcdutl migrate` refuses)");
	const ea_downgrade_info *d = &i->downgrade_info;
	if (!d->present) return;
	if (!d->valid) printf("downgrade         INVALID: %s\n", d->error);
	else if (d->enabled) printf("downgrade         enabled, target version %s\n", d->target_version);
	else printf("downgrade         not in progress\n");
}

static int db_stat(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_error err = { 0 };
	ea_bolt_check_result chk;
	ea_mvcc_info info;
	ea_hashkv_result hk;
	ea_snapshot_status ss;
	ea_bolt_trailer_state ts;
	int rc = ea_bolt_check(c.b, &chk);
	if (!rc) rc = ea_mvcc_info_get(c.m, &info);
	if (!rc) rc = ea_mvcc_hashkv(c.m, 0, &hk, &err);
	if (!rc) rc = ea_mvcc_snapshot_status(c.m, &ss);
	if (!rc) rc = ea_bolt_trailer(c.b, &ts, NULL, NULL);
	if (rc) { cli_print_error("db stat", a->path, rc, &err); return db_finish(&c, EXIT_USAGE); }
	ea_bolt *b = c.b;
	ea_json *j = &c.j;
	if (a->fmt == OUT_JSON) {
		ea_json_object_begin(j);
		ea_json_key(j, "file"); ea_json_str(j, ea_bolt_file(b));
		ea_json_key(j, "revision"); ea_json_i64(j, info.revision);
		ea_json_key(j, "compact_revision"); ea_json_i64(j, info.compact_revision);
		ea_json_key(j, "scheduled_compact_revision"); ea_json_i64(j, info.scheduled_compact_revision);
		ea_json_key(j, "compaction_interrupted"); ea_json_bool(j, info.compaction_interrupted);
		ea_json_key(j, "consistent_index");
		if (info.have_consistent_index) ea_json_u64(j, info.consistent_index); else ea_json_null(j);
		ea_json_key(j, "term");
		if (info.have_term) ea_json_u64(j, info.term); else ea_json_null(j);
		ea_json_key(j, "storage_version"); ea_json_str(j, info.storage_version);
		ea_json_key(j, "cluster_version"); if (info.cluster_version[0]) ea_json_str(j, info.cluster_version); else ea_json_null(j);
		ea_json_key(j, "conf_state"); if (info.conf_state[0]) ea_json_str(j, info.conf_state); else ea_json_null(j);
		json_schema(j, &info);
		cli_db_version_facts(c.in, &info, j);
		ea_json_key(j, "hash"); ea_json_u64(j, hk.hash);
		ea_json_key(j, "hash_revision"); ea_json_i64(j, hk.hash_revision);
		ea_json_key(j, "live_keys"); ea_json_u64(j, info.live_keys);
		ea_json_key(j, "keys"); ea_json_u64(j, info.keys);
		ea_json_key(j, "key_revisions"); ea_json_u64(j, info.key_revisions);
		ea_json_key(j, "tombstones"); ea_json_u64(j, info.tombstones);
		ea_json_key(j, "total_key"); ea_json_u64(j, ss.total_key);
		ea_json_key(j, "snapshot_hash"); ea_json_u64(j, ss.hash);
		ea_json_key(j, "snapshot_revision"); ea_json_i64(j, ss.revision);
		ea_json_key(j, "total_size"); ea_json_u64(j, ss.total_size);
		ea_json_key(j, "page_size"); ea_json_u64(j, ea_bolt_page_size(b));
		ea_json_key(j, "pages"); ea_json_u64(j, chk.pages);
		ea_json_key(j, "reachable_pages"); ea_json_u64(j, chk.reachable);
		ea_json_key(j, "free_pages"); ea_json_u64(j, chk.free_pages);
		ea_json_key(j, "unreachable_pages"); ea_json_u64(j, chk.unreachable);
		ea_json_key(j, "freelist_stored"); ea_json_bool(j, chk.freelist_stored);
		ea_json_key(j, "size"); ea_json_u64(j, ea_bolt_file_size(b));
		ea_json_key(j, "meta_page_used"); ea_json_u64(j, (uint64_t)ea_bolt_meta_used(b));
		json_meta(j, b);
		ea_json_key(j, "sha256_trailer"); ea_json_str(j, ea_bolt_trailer_name(ts));
		ea_json_key(j, "auth_enabled");
		if (info.auth_enabled < 0) ea_json_null(j); else ea_json_bool(j, info.auth_enabled);
		ea_json_key(j, "auth_revision");
		if (info.have_auth_revision) ea_json_u64(j, info.auth_revision); else ea_json_null(j);
		ea_json_key(j, "members"); ea_json_array_begin(j); ea_mvcc_members(c.m, member_json, j); ea_json_array_end(j);
		ea_json_key(j, "leases"); ea_json_array_begin(j); ea_mvcc_leases(c.m, lease_json, j); ea_json_array_end(j);
		ea_json_key(j, "alarms"); ea_json_array_begin(j); ea_mvcc_alarms(c.m, alarm_json, j); ea_json_array_end(j);
		ea_json_key(j, "auth"); ea_json_array_begin(j); ea_mvcc_auth(c.m, auth_json, j); ea_json_array_end(j);
		json_problems_array(&c);
		ea_json_object_end(j);
		ea_json_newline(j);
	} else {
		char h1[32], h2[32], fb[1024];
		printf("file              %s (%" PRIu64 " bytes, %s)\n", ea_text_str(fb, sizeof fb, ea_bolt_file(b)), ea_bolt_file_size(b),
		       cli_human_bytes(h1, sizeof h1, ea_bolt_file_size(b)));
		printf("sha256 trailer    %s\n", ts == EA_BOLT_TRAILER_ABSENT ? "absent (a raw db copy, not an `etcdctl snapshot save` file)"
		       : ts == EA_BOLT_TRAILER_OK ? "ok (matches the image)" : "MISMATCH (file changed after snapshot save)");
		table_meta(b);
		printf("pages             %" PRIu64 " x %u bytes (high-water mark); %" PRIu64 " reachable, %" PRIu64
		       " free, %" PRIu64 " unreachable; freelist %s\n", chk.pages, ea_bolt_page_size(b), chk.reachable,
		       chk.free_pages, chk.unreachable, chk.freelist_stored ? "stored" : "not stored (NoFreelistSync)");
		printf("storage version   %s (cluster version %s)\n", info.storage_version,
		       info.cluster_version[0] ? info.cluster_version : "-");
		table_schema(&info);
		cli_db_version_facts(c.in, &info, NULL);
		printf("revision          %" PRId64 " (compacted at %" PRId64 "%s)\n", info.revision, info.compact_revision,
		       info.compaction_interrupted ? ", INTERRUPTED compaction pending" : "");
		if (info.have_consistent_index) printf("consistent index  %" PRIu64 "\n", info.consistent_index);
		else printf("consistent index  -\n");
		if (info.have_term) printf("term              %" PRIu64 "\n", info.term);
		else printf("term              - (not stored before 3.5)\n");
		table_conf_state(info.conf_state);
		printf("keys              %" PRIu64 " live, %" PRIu64 " in the index, %" PRIu64 " revisions (%" PRIu64
		       " tombstones)\n", info.live_keys, info.keys, info.key_revisions, info.tombstones);
		printf("hashkv            %u at revision %" PRId64 " (compact revision %" PRId64 ")\n", hk.hash,
		       hk.hash_revision, hk.compact_revision);
		printf("snapshot status   hash %u, revision %" PRId64 ", total_key %" PRIu64 ", total_size %" PRIu64 " (%s)\n",
		       ss.hash, ss.revision, ss.total_key, ss.total_size, cli_human_bytes(h2, sizeof h2, ss.total_size));
		printf("members           %" PRIu64 " (+%" PRIu64 " removed)\n", info.members, info.removed_members);
		ea_mvcc_members(c.m, member_table, NULL);
		cli_db_members_note(c.in, c.m, info.conf_state);
		printf("leases            %" PRIu64 "\n", info.leases);
		ea_mvcc_leases(c.m, lease_table, NULL);
		printf("alarms            %" PRIu64 "\n", info.alarms);
		ea_mvcc_alarms(c.m, alarm_table, NULL);
		printf("auth              %s, %" PRIu64 " users, %" PRIu64 " roles\n",
		       info.auth_enabled == 1 ? "enabled" : info.auth_enabled == 0 ? "disabled" : "never enabled",
		       info.users, info.roles);
		ea_mvcc_auth(c.m, auth_table, NULL);
		table_problems(&c);
	}
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- check ---- */

static int db_check(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_bolt_check_result chk;
	ea_bolt_trailer_state ts;
	int rc = ea_mvcc_check(c.m, &chk);            /* + key bucket: revision keys and values */
	if (!rc) rc = ea_bolt_trailer(c.b, &ts, NULL, NULL);
	if (rc) { cli_print_error("db check", a->path, rc, NULL); return db_finish(&c, EXIT_USAGE); }
	size_t np = ea_input_problem_count(c.in) + ea_bolt_problem_count(c.b);
	if (a->fmt == OUT_JSON) {
		ea_json *j = &c.j;
		ea_json_object_begin(j);
		ea_json_key(j, "file"); ea_json_str(j, ea_bolt_file(c.b));
		ea_json_key(j, "ok"); ea_json_bool(j, np == 0);
		ea_json_key(j, "page_size"); ea_json_u64(j, ea_bolt_page_size(c.b));
		ea_json_key(j, "pages"); ea_json_u64(j, chk.pages);
		ea_json_key(j, "file_pages"); ea_json_u64(j, chk.file_pages);
		ea_json_key(j, "reachable_pages"); ea_json_u64(j, chk.reachable);
		ea_json_key(j, "free_pages"); ea_json_u64(j, chk.free_pages);
		ea_json_key(j, "unreachable_pages"); ea_json_u64(j, chk.unreachable);
		ea_json_key(j, "buckets"); ea_json_u64(j, chk.buckets);
		ea_json_key(j, "keys"); ea_json_u64(j, chk.keys);
		ea_json_key(j, "freelist_stored"); ea_json_bool(j, chk.freelist_stored);
		ea_json_key(j, "meta_page_used"); ea_json_u64(j, (uint64_t)ea_bolt_meta_used(c.b));
		json_meta(j, c.b);
		ea_json_key(j, "sha256_trailer"); ea_json_str(j, ea_bolt_trailer_name(ts));
		json_problems_array(&c);
		ea_json_object_end(j);
		ea_json_newline(j);
	} else {
		char fb[1024];
		printf("file              %s\n", ea_text_str(fb, sizeof fb, ea_bolt_file(c.b)));
		table_meta(c.b);
		printf("pages             %" PRIu64 " (file holds %" PRIu64 "): %" PRIu64 " reachable, %" PRIu64
		       " free, %" PRIu64 " unreachable\n", chk.pages, chk.file_pages, chk.reachable, chk.free_pages,
		       chk.unreachable);
		printf("buckets           %" PRIu64 " (%" PRIu64 " inline), %" PRIu64 " keys\n", chk.buckets,
		       chk.inline_buckets, chk.keys);
		printf("sha256 trailer    %s\n", ea_bolt_trailer_name(ts));
		table_problems(&c);
		printf("%s\n", np ? "DAMAGED" : "OK");
	}
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- ls / history ---- */

static void print_bytes(FILE *f, const uint8_t *k, size_t n, size_t lim)
{
	size_t m = n > lim ? lim : n;
	for (size_t i = 0; i < m; i++) fputc(k[i] >= 0x20 && k[i] < 0x7f ? k[i] : '.', f);
	if (n > m) fprintf(f, "...(%zu bytes)", n);
}

typedef struct {
	db_ctx *c;
	int mode;      /* 0 ls, 1 history, 2 salvage */
	uint64_t n;
} kv_ctx;

static int kv_out(const ea_mvcc_kv *kv, void *p)
{
	kv_ctx *k = p;
	db_ctx *c = k->c;
	k->n++;
	flush_problems(c);
	if (k->mode == 2 && c->a->prefix &&
	    (kv->key_len < strlen(c->a->prefix) || memcmp(kv->key, c->a->prefix, strlen(c->a->prefix)) != 0))
		return 0;
	if (c->a->fmt == OUT_JSON) {
		ea_json *j = &c->j;
		ea_json_object_begin(j);
		ea_json_key(j, "key"); ea_json_bytes(j, kv->key, kv->key_len);
		if (k->mode) {
			ea_json_key(j, "revision"); ea_json_i64(j, kv->main);
			ea_json_key(j, "sub"); ea_json_i64(j, kv->sub);
			ea_json_key(j, "tombstone"); ea_json_bool(j, kv->tombstone);
		}
		ea_json_key(j, "create_revision"); ea_json_i64(j, kv->create_revision);
		ea_json_key(j, "mod_revision"); ea_json_i64(j, kv->mod_revision);
		ea_json_key(j, "version"); ea_json_i64(j, kv->version);
		ea_json_key(j, "lease");
		if (kv->lease) ea_json_hex(j, (uint64_t)kv->lease); else ea_json_null(j);
		ea_json_key(j, "value");
		if (kv->decode_ok) ea_json_bytes(j, kv->value, kv->value_len); else ea_json_null(j);
		ea_json_key(j, "page"); ea_json_u64(j, kv->page);
		ea_json_key(j, "offset"); ea_json_u64(j, kv->offset);
		if (k->mode == 2) {
			ea_json_key(j, "reachable");
			if (kv->reachable < 0) ea_json_null(j); else ea_json_bool(j, kv->reachable);
		}
		ea_json_object_end(j);
		ea_json_newline(j);
	} else {
		if (k->mode) printf("%8" PRId64 ".%-3" PRId64 " %-4s", kv->main, kv->sub, kv->tombstone ? "DEL" : "PUT");
		printf(" %8" PRId64 " %8" PRId64 " %5" PRId64 " %16" PRIx64 "  ", kv->create_revision, kv->mod_revision,
		       kv->version, (uint64_t)kv->lease);
		print_bytes(stdout, kv->key, kv->key_len, 80);
		if (!kv->tombstone) { fputs(" = ", stdout); print_bytes(stdout, kv->value, kv->value_len, 60); }
		if (k->mode == 2) printf("  [page %" PRIu64 "%s]", kv->page, kv->reachable == 0 ? ", unreachable" : "");
		fputc('\n', stdout);
	}
	return 0;
}

static int db_ls(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_error err = { 0 };
	kv_ctx k = { &c, a->salvage ? 2 : 0, 0 };
	if (a->fmt == OUT_TABLE) {
		if (a->salvage) printf("%12s %-4s", "REVISION", "OP");
		printf(" %8s %8s %5s %16s  %s\n", "CREATE", "MOD", "VER", "LEASE", "KEY = VALUE");
	}
	int rc;
	if (a->salvage) {
		rc = ea_mvcc_salvage(c.m, kv_out, &k);
	} else {
		const char *pf = a->prefix ? a->prefix : "";
		rc = ea_mvcc_range(c.m, pf, strlen(pf), (int64_t)a->rev, kv_out, &k, &err);
	}
	flush_problems(&c);
	if (rc < 0) { cli_print_error("db ls", a->path, rc, &err); return db_finish(&c, EXIT_USAGE); }
	if (k.n == 0 && a->prefix && !a->salvage && !a->quiet)
		fprintf(stderr, "etcd-autopsy db ls: %s: no live key starts with the prefix\n", a->path);
	return db_finish(&c, EXIT_CLEAN);
}

static int db_history(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	kv_ctx k = { &c, 1, 0 };
	if (a->fmt == OUT_TABLE)
		printf("%12s %-4s %8s %8s %5s %16s  %s\n", "REVISION", "OP", "CREATE", "MOD", "VER", "LEASE", "KEY = VALUE");
	int rc = ea_mvcc_history(c.m, a->key, strlen(a->key), kv_out, &k);
	flush_problems(&c);
	if (rc < 0) { cli_print_error("db history", a->path, rc, NULL); return db_finish(&c, EXIT_USAGE); }
	if (k.n == 0 && !a->quiet) fprintf(stderr, "etcd-autopsy db history: %s: no revision of this key in the key bucket\n", a->path);
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- hash ---- */

static int db_hash(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_error err = { 0 };
	ea_hashkv_result h;
	int rc = ea_mvcc_hashkv(c.m, (int64_t)a->rev, &h, &err);
	if (rc) { cli_print_error("db hash", a->path, rc, &err); return db_finish(&c, EXIT_USAGE); }
	cli_hash_rule_override(&h, &a->etcd_version);
	if (a->fmt == OUT_JSON) {
		ea_json *j = &c.j;
		ea_json_object_begin(j);
		ea_json_key(j, "hash"); ea_json_u64(j, h.hash);
		ea_json_key(j, "hash_revision"); ea_json_i64(j, h.hash_revision);
		ea_json_key(j, "compact_revision"); ea_json_i64(j, h.compact_revision);
		ea_json_key(j, "current_revision"); ea_json_i64(j, h.current_revision);
		ea_json_key(j, "skipped_compact_tombstone"); ea_json_bool(j, h.skipped_compact_tombstone);
		cli_hash_variants_json(j, &h);
		json_problems_array(&c);
		ea_json_object_end(j);
		ea_json_newline(j);
	} else {
		printf("%s, %u (revision %" PRId64 ", compact revision %" PRId64 ", current revision %" PRId64 ")\n",
		       a->path, h.hash, h.hash_revision, h.compact_revision, h.current_revision);
		cli_hash_variants_table(&h);
		if (ea_bolt_problem_count(c.b)) table_problems(&c);
	}
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- pages ---- */

static int db_pages(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	int rc = ea_bolt_check(c.b, NULL);
	if (rc) { cli_print_error("db pages", a->path, rc, NULL); return db_finish(&c, EXIT_USAGE); }
	flush_problems(&c);
	uint64_t n = ea_bolt_pgid(c.b);
	uint64_t from = 0, to = n;
	if (a->have_page) {
		if (a->page >= n) {
			fprintf(stderr, "etcd-autopsy db pages: page %" PRIu64 " is beyond the high-water mark %" PRIu64 "\n", a->page, n);
			return db_finish(&c, EXIT_USAGE);
		}
		from = a->page;
		to = a->page + 1;
	}
	if (a->fmt == OUT_TABLE)
		printf("%10s %12s %-9s %-11s %6s %8s  %s\n", "PAGE", "OFFSET", "TYPE", "STATE", "COUNT", "OVERFLOW", "BUCKET");
	uint32_t ps = ea_bolt_page_size(c.b);
	for (uint64_t id = from; id < to; id++) {
		ea_bolt_page_info pi;
		rc = ea_bolt_page_describe(c.b, id, &pi);
		if (rc < 0 && rc != EA_EINVAL) break;
		if (a->fmt == OUT_JSON) {
			ea_json *j = &c.j;
			ea_json_object_begin(j);
			ea_json_key(j, "page"); ea_json_u64(j, id);
			ea_json_key(j, "offset"); ea_json_u64(j, id * ps);
			ea_json_key(j, "type"); ea_json_str(j, pi.type);
			ea_json_key(j, "state"); ea_json_str(j, pi.state);
			ea_json_key(j, "bucket"); ea_json_str(j, pi.bucket);
			if (strcmp(pi.type, "overflow") == 0) { ea_json_key(j, "continuation_of"); ea_json_u64(j, pi.continuation_of); }
			else {
				ea_json_key(j, "count"); ea_json_u64(j, pi.count);
				ea_json_key(j, "overflow"); ea_json_u64(j, pi.overflow);
				ea_json_key(j, "header_id"); ea_json_u64(j, pi.header_id);
			}
			ea_json_object_end(j);
			ea_json_newline(j);
		} else {
			printf("%10" PRIu64 " %12" PRIu64 " %-9s %-11s ", id, id * (uint64_t)ps, pi.type, pi.state);
			if (strcmp(pi.type, "overflow") == 0) printf("%6s %8s  %s (of page %" PRIu64 ")\n", "-", "-",
			                                             pi.bucket ? pi.bucket : "-", pi.continuation_of);
			else printf("%6u %8u  %s%s\n", pi.count, pi.overflow, pi.bucket ? pi.bucket : "-",
			            pi.header_ok || strcmp(pi.type, "beyond-eof") == 0 ? "" : "  (header id differs)");
		}
	}
	flush_problems(&c);
	return db_finish(&c, rc < 0 && rc != EA_EINVAL ? EXIT_USAGE : EXIT_CLEAN);
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(db_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
	}
	static const char *verbs[] = { "stat", "check", "ls", "history", "hash", "pages", NULL };
	const char *verb = argv[1];
	int v = -1;
	for (int i = 0; verbs[i]; i++) if (strcmp(verb, verbs[i]) == 0) v = i;
	if (v < 0) {
		fprintf(stderr, "etcd-autopsy db: unknown subcommand '%s' (stat|check|ls|history|hash|pages)\n", verb);
		return EXIT_USAGE;
	}
	db_args a = { .verb = verb, .fmt = OUT_TABLE };
	ea_mvcc_options def = EA_MVCC_OPTIONS_INIT;
	a.mopts = def;
	cli_parser p;
	cli_parser_init(&p, argc - 1, argv + 1);
	int o;
	while ((o = cli_next(&p, db_opts)) >= 0) {
		switch (o) {
		case O_PREFIX: a.prefix = p.arg; break;
		case O_REV: if (cli_parse_u64(p.arg, &a.rev) || a.rev > INT64_MAX) goto bad_num; a.have_rev = 1; break;
		case O_SALVAGE: a.salvage = 1; break;
		case O_RULE:
			if (strcmp(p.arg, "classic") == 0) a.mopts.hash_rule = EA_HASHKV_RULE_CLASSIC;
			else if (strcmp(p.arg, "skip") == 0) a.mopts.hash_rule = EA_HASHKV_RULE_SKIP_TOMBSTONE;
			else if (strcmp(p.arg, "auto") == 0) a.mopts.hash_rule = EA_HASHKV_RULE_AUTO;
			else { fprintf(stderr, "etcd-autopsy db: --tombstone-rule is classic, skip or auto\n"); return EXIT_USAGE; }
			if (a.etcd_version.version[0]) { fprintf(stderr, "etcd-autopsy db: --etcd-version and --tombstone-rule both pick the rule: give one\n"); return EXIT_USAGE; }
			a.have_rule = 1;
			break;
		case O_PAGE: if (cli_parse_u64(p.arg, &a.page)) goto bad_num; a.have_page = 1; break;
		case O_ETCDVER:
			if (a.have_rule || cli_etcd_version_opt("db", p.arg, &a.etcd_version)) {
				if (a.have_rule) fprintf(stderr, "etcd-autopsy db: --etcd-version and --tombstone-rule both pick the rule: give one\n");
				return EXIT_USAGE;
			}
			a.mopts.hash_rule = a.etcd_version.rule;
			a.have_rule = 1;
			break;
		case O_WRITE: if (cli_parse_format(p.arg, &a.fmt)) return EXIT_USAGE; break;
		case O_QUIET: a.quiet = 1; break;
		case O_HELP: fputs(db_help, stdout); return EXIT_CLEAN;
		}
	}
	if (o == -2) return EXIT_USAGE;
	int want = v == 3 ? 2 : 1;
	if (p.npositional != want) {
		fprintf(stderr, "etcd-autopsy db %s: expected %s (see --help)\n", verb, want == 2 ? "PATH KEY" : "exactly one PATH");
		return EXIT_USAGE;
	}
	if ((a.salvage || a.prefix) && v != 2) {
		fprintf(stderr, "etcd-autopsy db %s: --salvage and --prefix apply to db ls\n", verb);
		return EXIT_USAGE;
	}
	/* an option the verb would ignore is a usage error, not a silent no-op */
	if ((a.have_rev && v != 2 && v != 4) || (a.have_page && v != 5) || (a.have_rule && v != 0 && v != 4)) {
		fprintf(stderr, "etcd-autopsy db %s: %s applies to %s\n", verb,
		        a.have_rev && v != 2 && v != 4 ? "--rev" : a.have_page && v != 5 ? "--page" :
		        a.etcd_version.version[0] ? "--etcd-version" : "--tombstone-rule",
		        a.have_rev && v != 2 && v != 4 ? "db ls and db hash" : a.have_page && v != 5 ? "db pages" : "db hash and db stat");
		return EXIT_USAGE;
	}
	if (a.salvage && a.have_rev) {
		fprintf(stderr, "etcd-autopsy db ls: --salvage lists every revision found; --rev does not apply\n");
		return EXIT_USAGE;
	}
	a.path = p.positional[0];
	if (want == 2) a.key = p.positional[1];
	switch (v) {
	case 0: return db_stat(&a);
	case 1: return db_check(&a);
	case 2: return db_ls(&a);
	case 3: return db_history(&a);
	case 4: return db_hash(&a);
	default: return db_pages(&a);
	}
bad_num:
	fprintf(stderr, "etcd-autopsy db: '%s' is not a valid number\n", p.arg);
	return EXIT_USAGE;
}
