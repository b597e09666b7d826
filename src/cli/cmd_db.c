/* cmd_db.c: `etcd-autopsy db stat|check|ls|history|hash|pages|space`. Parses options, drives the
 * bolt and mvcc layers and prints: tables for people, JSON for machines (one object for
 * stat/check/hash, JSON Lines for ls/history/pages). No byte parsing here. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char db_help[] =
	"usage: etcd-autopsy db <stat|check|ls|history|get|hash|pages|space> PATH [options]\n\n"
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
	"  db history PATH KEY   every revision of KEY in the key bucket (tombstones included); for a\n"
	"                        data dir, also those the db compacted away that its WAL still holds\n"
	"                        (SOURCE wal: what the WAL wrote, replayed against the db)\n"
	"  db get PATH KEY       KEY's revisions, lease and value (escaped) as of a revision\n"
	"      --rev R               as of revision R (default: current)\n"
	"      --k8s                 the value as a Kubernetes object: its metadata (labels, owners,\n"
	"                            managed fields with their times) and the raw object as protobuf\n"
	"                            text with field numbers\n"
	"  Kubernetes (db ls, history, get): a key under the prefix gets \"k8s\" in JSON (group,\n"
	"  resource, namespace, name, api_version, kind, encoding, encryption, uid, created) and\n"
	"  its value reads \"v1 Pod ns/name 1.1 KiB\" in tables\n"
	"      --k8s-prefix P        the key prefix (default /registry; OpenShift:\n"
	"                            /kubernetes.io,/openshift.io)\n"
	"      --resource R          (ls, history) objects of resource R only (pods, nodes, leases, ...)\n"
	"      --namespace N         (ls, history) objects in namespace N only\n"
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
	"      --page N              only page N\n"
	"  db space PATH         what uses the space: db size and bytes in use as etcd reports them\n"
	"                        (dbSize, dbSizeInUse), fragmentation, what a defrag frees; live vs\n"
	"                        history revisions and bytes per group of keys; the keys with the\n"
	"                        most history; what a compaction at the current revision drops\n"
	"      --depth N             group keys by their first N '/'-separated path components, never\n"
	"                            the last one (default 4: resource and namespace of Kubernetes keys)\n"
	"      --top N               list the N keys with the most history (default 10, 0: none)\n"
	"      --k8s                 group Kubernetes keys by resource, API group and namespace (the\n"
	"                            key parser of --k8s-prefix), live vs history; other keys by --depth\n"
	"      --etcd-version X.Y.Z, --tombstone-rule classic|skip\n"
	"                            the compaction rule for a tombstone at the current revision (as db hash)\n\n"
	"common options:\n"
	"  -w, --write-out F     table (default) or json (ls/history/pages: JSON Lines); db get also\n"
	"                        yaml (the JSON record in YAML block style; there is no -o alias)\n"
	"  -q, --quiet           no summary line on stderr\n"
	"  -h, --help            this help\n\n"
	"Damage is reported, never fatal: JSON output carries {\"problem\": {...}} lines (streams) or a\n"
	"\"problems\" array (stat/check/hash), and stderr gets a one-line summary.\n\n"
	"examples:\n"
	"  etcd-autopsy db stat node1/\n"
	"  etcd-autopsy db check backup-2023-11-24.db\n"
	"  etcd-autopsy db ls node1/ --prefix /registry/pods/ --rev 4711\n"
	"  etcd-autopsy db history node1/ /registry/services/specs/default/kubernetes\n"
	"  etcd-autopsy db ls node1/ --resource pods --namespace payments -w json\n"
	"  etcd-autopsy db get node1/ /registry/pods/payments/checkout-7d9f --k8s\n"
	"  etcd-autopsy db hash node1/ --rev 5000\n"
	"  etcd-autopsy db ls broken.db --salvage -w json\n"
	"  etcd-autopsy db space node1/ --depth 2 --top 20\n"
	"  etcd-autopsy db space node1/ --k8s\n\n"
	"exit codes: 0 clean, 1 damage found (everything readable was still printed), 2 usage error\n"
	"(also an option the verb ignores) or no bbolt db could be read\n";


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
	int have_space_opt;        /* --depth or --top given */
	uint64_t depth, top;       /* db space */
	out_format fmt;
	int quiet;
	ea_mvcc_options mopts;
	ea_hashkv_version etcd_version;   /* --etcd-version (version "" if not given) */
	cli_k8s k8s;          /* --k8s-prefix, --resource, --namespace and the decoder */
	int k8s_dump;         /* db get --k8s */
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
		if (c->a->fmt != OUT_TABLE) ea_json_problem_line(&c->j, p); else cli_problem_table(stdout, p);
	}
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

/* ---- stat ---- */

/* the etcd version facts of db stat (version_facts.c), after the schema lines */
typedef struct {
	ea_input *in;
	const ea_mvcc_info *info;
} version_extra;

static void db_version_extra(ea_json *j, FILE *f, void *arg)
{
	const version_extra *x = arg;
	(void)f;   /* the table goes to stdout, as every db stat line */
	cli_db_version_facts(x->in, x->info, j);
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
	version_extra vx = { c.in, &info };
	ea_db_stat_view v = { c.in, c.m, c.b, &chk, &info, &hk, &ss, EA_BOLT_TRAILER_ABSENT, db_version_extra, &vx };
	int rc = ea_bolt_check(c.b, &chk);
	if (!rc) rc = ea_mvcc_info_count(c.m, &info);
	if (!rc) rc = ea_mvcc_hashkv(c.m, 0, &hk, &err);
	if (!rc) rc = ea_mvcc_snapshot_status(c.m, &ss);
	if (!rc) rc = ea_bolt_trailer(c.b, &v.ts, NULL, NULL);
	if (rc) { cli_print_error("db stat", a->path, rc, &err); return db_finish(&c, EXIT_USAGE); }
	if (a->fmt == OUT_JSON) {
		ea_render_db_stat_json(&c.j, &v);
	} else {
		ea_render_db_stat_table_head(stdout, &v);
		cli_db_members_note(c.in, c.m, info.conf_state);
		ea_render_db_stat_table_tail(stdout, &v);
	}
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- check ---- */

static int db_check(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_bolt_check_result chk;
	ea_db_stat_view v = { .in = c.in, .m = c.m, .b = c.b, .chk = &chk };
	int rc = ea_mvcc_check(c.m, &chk);            /* + key bucket: revision keys and values */
	if (!rc) rc = ea_bolt_trailer(c.b, &v.ts, NULL, NULL);
	if (rc) { cli_print_error("db check", a->path, rc, NULL); return db_finish(&c, EXIT_USAGE); }
	if (a->fmt == OUT_JSON) ea_render_db_check_json(&c.j, &v);
	else ea_render_db_check_table(stdout, &v);
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- ls / history ---- */

typedef struct {
	db_ctx *c;
	ea_render_kv_mode mode;
	uint64_t n;
	uint64_t listed;      /* kept by --resource / --namespace */
} kv_ctx;

/* the Kubernetes object of a key revision, NULL when its key is not under the prefix */
static const ea_k8s_object *kv_k8s(db_args *a, const ea_mvcc_kv *kv, ea_k8s_object *o)
{
	if (!a->k8s.k || !kv->key) return NULL;
	int has_value = kv->decode_ok && !kv->tombstone;
	return ea_k8s_decode(a->k8s.k, kv->key, kv->key_len, has_value ? kv->value : NULL, kv->value_len, o) ? o : NULL;
}

static int kv_out(const ea_mvcc_kv *kv, void *p)
{
	kv_ctx *k = p;
	db_ctx *c = k->c;
	k->n++;
	flush_problems(c);
	if (k->mode == EA_RENDER_KV_SALVAGE && c->a->prefix &&
	    (kv->key_len < strlen(c->a->prefix) || memcmp(kv->key, c->a->prefix, strlen(c->a->prefix)) != 0))
		return 0;
	ea_k8s_object ko;
	const ea_k8s_object *kp = kv_k8s(c->a, kv, &ko);
	if (!cli_k8s_match(&c->a->k8s, kp)) return 0;
	k->listed++;
	if (c->a->fmt == OUT_JSON) ea_render_kv_json_k8s(&c->j, kv, k->mode, kp);
	else ea_render_kv_table_k8s(stdout, kv, k->mode, kp);
	return 0;
}

/* with --resource / --namespace, say so when they kept nothing */
static void filters_note(const db_args *a, const kv_ctx *k, const char *cmd)
{
	if (k->n && !k->listed && (a->k8s.resource || a->k8s.ns) && !a->quiet)
		fprintf(stderr, "etcd-autopsy %s: %s: no key matches --resource/--namespace\n", cmd, a->path);
}

static int db_ls(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_error err = { 0 };
	kv_ctx k = { &c, a->salvage ? EA_RENDER_KV_SALVAGE : EA_RENDER_KV_LS, 0 };
	if (a->fmt == OUT_TABLE) ea_render_kv_header(stdout, k.mode);
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
	filters_note(a, &k, "db ls");
	return db_finish(&c, EXIT_CLEAN);
}

static int history_out(const ea_mvcc_kv *kv, const ea_render_kv_source *src, void *p)
{
	kv_ctx *k = p;
	k->n++;
	flush_problems(k->c);
	if (k->c->a->fmt == OUT_JSON) ea_render_kv_history_json(&k->c->j, kv, src);
	else ea_render_kv_history_table(stdout, kv, src);
	return 0;
}

static int db_history(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	kv_ctx k = { &c, EA_RENDER_KV_HISTORY, 0 };
	if (a->fmt == OUT_TABLE) ea_render_kv_history_header(stdout);
	int rc = cli_db_history_rows(c.in, c.m, a->key, history_out, &k);
	flush_problems(&c);
	if (rc < 0) { cli_print_error("db history", a->path, rc, NULL); return db_finish(&c, EXIT_USAGE); }
	if (k.n == 0 && !a->quiet) fprintf(stderr, "etcd-autopsy db history: %s: no revision of this key in the key bucket\n", a->path);
	filters_note(a, &k, "db history");
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- get ---- */

typedef struct {
	db_ctx *c;
	uint64_t n;
} get_ctx;

static int get_out(const ea_mvcc_kv *kv, void *p)
{
	get_ctx *g = p;
	db_ctx *c = g->c;
	db_args *a = c->a;
	if (kv->key_len != strlen(a->key) || memcmp(kv->key, a->key, kv->key_len) != 0) return 0;
	g->n++;
	ea_k8s_object ko;
	const ea_k8s_object *kp = kv_k8s(a, kv, &ko);
	if (a->fmt != OUT_TABLE) ea_render_kv_get_json(&c->j, kv, kp, a->k8s_dump ? a->k8s.k : NULL);
	else ea_render_kv_get_table(stdout, kv, kp, a->k8s_dump ? a->k8s.k : NULL);
	return 1;   /* one key: stop */
}

/* -w yaml: the JSON records gathered in memory, then written as YAML (output/yaml.c) */
typedef struct {
	char *text;
	size_t n;
	FILE *m;
} yaml_buf;

static int yaml_begin(db_ctx *c, yaml_buf *y)
{
	y->m = open_memstream(&y->text, &y->n);
	if (!y->m) { fprintf(stderr, "etcd-autopsy db get: out of memory\n"); return -1; }
	ea_json_init(&c->j, y->m);
	return 0;
}

/* 0, or -1 after a message (the writer's JSON did not convert: a bug, not the evidence) */
static int yaml_end(db_ctx *c, yaml_buf *y)
{
	fclose(y->m);
	int rc = y->text ? ea_yaml_from_json(stdout, y->text, y->n) : 0;
	if (rc) fprintf(stderr, "etcd-autopsy db get: internal error: the JSON record did not convert to YAML\n");
	free(y->text);
	ea_json_init(&c->j, stdout);
	return rc;
}

static int db_get(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_error err = { 0 };
	get_ctx g = { &c, 0 };
	yaml_buf y = { NULL, 0, NULL };
	if (a->fmt == OUT_YAML && yaml_begin(&c, &y)) return db_finish(&c, EXIT_USAGE);
	int rc = ea_mvcc_range(c.m, a->key, strlen(a->key), (int64_t)a->rev, get_out, &g, &err);
	flush_problems(&c);
	if (a->fmt == OUT_YAML && yaml_end(&c, &y)) return db_finish(&c, EXIT_USAGE);
	if (rc < 0) { cli_print_error("db get", a->path, rc, &err); return db_finish(&c, EXIT_USAGE); }
	if (g.n == 0 && !a->quiet) fprintf(stderr, "etcd-autopsy db get: %s: no live key KEY at this revision\n", a->path);
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
		ea_render_hashkv_json(&c.j, &h, c.in, c.b);
	} else {
		ea_render_hashkv_table(stdout, a->path, &h);
		if (ea_bolt_problem_count(c.b)) ea_render_db_problems_table(stdout, c.in, c.b);
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
	if (a->fmt == OUT_TABLE) ea_render_page_header(stdout);
	uint32_t ps = ea_bolt_page_size(c.b);
	for (uint64_t id = from; id < to; id++) {
		ea_bolt_page_info pi;
		rc = ea_bolt_page_describe(c.b, id, &pi);
		if (rc < 0 && rc != EA_EINVAL) break;
		if (a->fmt == OUT_JSON) ea_render_page_json(&c.j, id, ps, &pi);
		else ea_render_page_table(stdout, id, ps, &pi);
	}
	flush_problems(&c);
	return db_finish(&c, rc < 0 && rc != EA_EINVAL ? EXIT_USAGE : EXIT_CLEAN);
}

/* ---- space ---- */

static int db_space(db_args *a)
{
	db_ctx c;
	if (db_open(&c, a)) return EXIT_USAGE;
	ea_bolt_check_result chk;
	ea_hashkv_version ver;
	ea_space s;
	ea_space_options o = { (unsigned)a->depth, (size_t)a->top, a->k8s_dump ? a->k8s.k : NULL };
	int rc = ea_mvcc_check(c.m, &chk);            /* the page map, and the key bucket's checks */
	if (!rc) rc = ea_mvcc_hash_version(c.m, &ver);
	if (!rc) rc = ea_space_compute(c.m, &o, ver.rule, &s);
	if (rc) { cli_print_error("db space", a->path, rc, NULL); return db_finish(&c, EXIT_USAGE); }
	if (a->etcd_version.version[0]) snprintf(ver.basis, sizeof ver.basis, "%s", a->etcd_version.basis);
	ea_db_space_view v = { c.in, c.b, &s, (unsigned)a->depth, ver.basis, a->k8s_dump };
	if (a->fmt == OUT_JSON) ea_render_db_space_json(&c.j, &v);
	else ea_render_db_space_table(stdout, &v);
	ea_space_free(&s);
	return db_finish(&c, EXIT_CLEAN);
}

/* ---- options ---- */

static int bad_num(const char *v)
{
	fprintf(stderr, "etcd-autopsy db: '%s' is not a valid number\n", v);
	return -1;
}

static int set_prefix(cli_args *c, const char *v) { ((db_args *)c->own)->prefix = v; return 0; }
static int set_k8s_prefix(cli_args *c, const char *v) { return cli_k8s_set(&((db_args *)c->own)->k8s, "db", "k8s-prefix", v); }
static int set_resource(cli_args *c, const char *v) { return cli_k8s_set(&((db_args *)c->own)->k8s, "db", "resource", v); }
static int set_namespace(cli_args *c, const char *v) { return cli_k8s_set(&((db_args *)c->own)->k8s, "db", "namespace", v); }
static int set_k8s(cli_args *c, const char *v) { (void)v; ((db_args *)c->own)->k8s_dump = 1; return 0; }
static int set_salvage(cli_args *c, const char *v) { (void)v; ((db_args *)c->own)->salvage = 1; return 0; }

static int set_rev(cli_args *c, const char *v)
{
	db_args *a = c->own;
	if (cli_parse_u64(v, &a->rev) || a->rev > INT64_MAX) return bad_num(v);
	a->have_rev = 1;
	return 0;
}

static int set_page(cli_args *c, const char *v)
{
	db_args *a = c->own;
	if (cli_parse_u64(v, &a->page)) return bad_num(v);
	a->have_page = 1;
	return 0;
}

/* --depth N (at most 1024) and --top N (at most 1000000) of db space */
static int set_space_num(cli_args *c, const char *v, uint64_t *out, uint64_t max, const char *opt)
{
	db_args *a = c->own;
	if (cli_parse_u64(v, out)) return bad_num(v);
	if (*out > max) {
		fprintf(stderr, "etcd-autopsy db: %s is at most %" PRIu64 "\n", opt, max);
		return -1;
	}
	a->have_space_opt = 1;
	return 0;
}

static int set_depth(cli_args *c, const char *v) { return set_space_num(c, v, &((db_args *)c->own)->depth, 1024, "--depth"); }
static int set_top(cli_args *c, const char *v) { return set_space_num(c, v, &((db_args *)c->own)->top, 1000000, "--top"); }

static int both_rules(void)
{
	fprintf(stderr, "etcd-autopsy db: --etcd-version and --tombstone-rule both pick the rule: give one\n");
	return -1;
}

static int set_rule(cli_args *c, const char *v)
{
	db_args *a = c->own;
	if (strcmp(v, "classic") == 0) a->mopts.hash_rule = EA_HASHKV_RULE_CLASSIC;
	else if (strcmp(v, "skip") == 0) a->mopts.hash_rule = EA_HASHKV_RULE_SKIP_TOMBSTONE;
	else if (strcmp(v, "auto") == 0) a->mopts.hash_rule = EA_HASHKV_RULE_AUTO;
	else { fprintf(stderr, "etcd-autopsy db: --tombstone-rule is classic, skip or auto\n"); return -1; }
	if (a->etcd_version.version[0]) return both_rules();
	a->have_rule = 1;
	return 0;
}

static int set_etcd_version(cli_args *c, const char *v)
{
	db_args *a = c->own;
	if (a->have_rule) return both_rules();
	if (cli_etcd_version_opt("db", v, &a->etcd_version)) return -1;
	a->mopts.hash_rule = a->etcd_version.rule;
	a->have_rule = 1;
	return 0;
}

static const cli_row db_rows[] = {
	{ "prefix", 0, 1, set_prefix }, { "rev", 0, 1, set_rev }, { "salvage", 0, 0, set_salvage },
	{ "tombstone-rule", 0, 1, set_rule }, { "page", 0, 1, set_page }, { "etcd-version", 0, 1, set_etcd_version },
	{ "depth", 0, 1, set_depth }, { "top", 0, 1, set_top },
	{ "k8s-prefix", 0, 1, set_k8s_prefix }, { "resource", 0, 1, set_resource }, { "namespace", 0, 1, set_namespace },
	{ "k8s", 0, 0, set_k8s }, { NULL, 0, 0, NULL }
};
static const cli_command db_cmd = { "db", db_help, CLI_W | CLI_Q, db_rows, 0 };
static const cli_command db_get_cmd = { "db", db_help, CLI_W | CLI_Q | CLI_YAML, db_rows, 0 };   /* -w yaml */

enum { V_STAT, V_CHECK, V_LS, V_HISTORY, V_HASH, V_PAGES, V_SPACE, V_GET };

/* --k8s-prefix (ls, history, get, space --k8s), --resource/--namespace (ls, history), --k8s (get,
 * space): 0 or -1 */
static int db_check_k8s(const db_args *a, int v)
{
	const char *verb = a->verb;
	if (a->k8s.prefix && v != V_LS && v != V_HISTORY && v != V_GET && !(v == V_SPACE && a->k8s_dump)) {
		fprintf(stderr, "etcd-autopsy db %s: --k8s-prefix applies to db ls, db history, db get and db space --k8s\n", verb);
		return -1;
	}
	if ((a->k8s.resource || a->k8s.ns) && v != V_LS && v != V_HISTORY) {
		fprintf(stderr, "etcd-autopsy db %s: --resource and --namespace apply to db ls and db history\n", verb);
		return -1;
	}
	if (a->k8s_dump && v != V_GET && v != V_SPACE) {
		fprintf(stderr, "etcd-autopsy db %s: --k8s applies to db get and db space\n", verb);
		return -1;
	}
	return 0;
}

/* An option the verb would ignore is a usage error, not a silent no-op: 0, or -1 after a message. */
static int db_check_args(const db_args *a, int v, const cli_parser *p)
{
	const char *verb = a->verb;
	int want = v == V_HISTORY || v == V_GET ? 2 : 1;
	if (p->npositional != want) {
		fprintf(stderr, "etcd-autopsy db %s: expected %s (see --help)\n", verb, want == 2 ? "PATH KEY" : "exactly one PATH");
		return -1;
	}
	if ((a->salvage || a->prefix) && v != V_LS) {
		fprintf(stderr, "etcd-autopsy db %s: --salvage and --prefix apply to db ls\n", verb);
		return -1;
	}
	int bad_rev = a->have_rev && v != V_LS && v != V_HASH && v != V_GET, bad_page = a->have_page && v != V_PAGES;
	if (bad_rev || bad_page || (a->have_rule && v != V_STAT && v != V_HASH && v != V_SPACE)) {
		fprintf(stderr, "etcd-autopsy db %s: %s applies to %s\n", verb,
		        bad_rev ? "--rev" : bad_page ? "--page" : a->etcd_version.version[0] ? "--etcd-version" : "--tombstone-rule",
		        bad_rev ? "db ls, db get and db hash" : bad_page ? "db pages" : "db hash, db stat and db space");
		return -1;
	}
	if (a->have_space_opt && v != V_SPACE) {
		fprintf(stderr, "etcd-autopsy db %s: --depth and --top apply to db space\n", verb);
		return -1;
	}
	if (a->salvage && a->have_rev) {
		fprintf(stderr, "etcd-autopsy db ls: --salvage lists every revision found; --rev does not apply\n");
		return -1;
	}
	return db_check_k8s(a, v);
}

static int db_run(db_args *a, int v);

int cmd_db(int argc, char **argv)
{
	static const char *const verbs[] = { "stat", "check", "ls", "history", "hash", "pages", "space", "get", NULL };
	int code, v = cli_verb(argc, argv, &db_cmd, verbs, &code);
	if (v < 0) return code;
	db_args a = { .verb = argv[1], .fmt = OUT_TABLE, .depth = EA_SPACE_DEPTH_DEFAULT, .top = EA_SPACE_TOP_DEFAULT };
	ea_mvcc_options def = EA_MVCC_OPTIONS_INIT;
	a.mopts = def;
	cli_args c;
	int go = cli_parse(&c, v == V_GET ? &db_get_cmd : &db_cmd, argc - 1, argv + 1, &a);
	if (go != CLI_GO) return go;
	a.fmt = c.fmt;
	a.quiet = c.quiet;
	if (db_check_args(&a, v, &c.p)) return EXIT_USAGE;
	a.path = c.p.positional[0];
	if (v == V_HISTORY || v == V_GET) a.key = c.p.positional[1];
	if ((v == V_LS || v == V_HISTORY || v == V_GET || (v == V_SPACE && a.k8s_dump)) && cli_k8s_open(&a.k8s, "db"))
		return EXIT_USAGE;
	int rc = db_run(&a, v);
	ea_k8s_free(a.k8s.k);
	return rc;
}

static int db_run(db_args *a, int v)
{
	switch (v) {
	case V_STAT: return db_stat(a);
	case V_CHECK: return db_check(a);
	case V_LS: return db_ls(a);
	case V_HISTORY: return db_history(a);
	case V_GET: return db_get(a);
	case V_HASH: return db_hash(a);
	case V_SPACE: return db_space(a);
	default: return db_pages(a);
	}
}
