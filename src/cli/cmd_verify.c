/* cmd_verify.c: `etcd-autopsy verify PATH [--against NODE ...]`: is a backup restorable? */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char verify_help[] =
	"usage: etcd-autopsy verify PATH [--against NODE]... [-w table|json]\n\n"
	"PATH: an `etcdctl snapshot save` file, a db, a data dir, or an archive holding one.\n"
	"Checks the SHA-256 trailer, the full bbolt structure, revision, compaction, members and\n"
	"HashKV at the backup's revision; for a data dir also the WAL up to its commit index and a\n"
	"usable snapshot covering the WAL start, every missing, empty or unreadable part (with its\n"
	"errno text) and what a restore from the data dir would lose. --against NODE (NAME=PATH or PATH, repeatable)\n"
	"compares with that member's HashKV at the same revision.\n\n"
	"verdict: restorable, restorable-with-warnings, not-restorable (with reasons)\n\n"
	"  --against NODE               a member to compare with\n"
	"  --etcd-version X.Y.Z         the etcd release whose HashKV rule (a tombstone at the compaction\n"
	"                               revision) the backup and the members are hashed with; default:\n"
	"                               inferred per db by minor version, one rule for all\n"
	"  -w, --write-out table|json\n"
	"  -q, --quiet\n\n"
	"examples:\n"
	"  etcd-autopsy verify backup-0300.db\n"
	"  etcd-autopsy verify backup.tar.gz --against etcd-2=n2/ -w json\n\n"
	"exit codes: 0 restorable, 1 not restorable or warnings/mismatches, 2 usage/unreadable input\n";

enum { O_AGAINST, O_WRITE, O_QUIET, O_HELP, O_ETCDVER };
static const cli_opt verify_opts[] = {
	{ "against", 0, 1 }, { "write-out", 'w', 1 }, { "quiet", 'q', 0 }, { "help", 'h', 0 }, { "etcd-version", 0, 1 },
	{ NULL, 0, 0 }
};

static void json_out(const ea_verify_result *v)
{
	ea_json j;
	ea_json_init(&j, stdout);
	ea_json_object_begin(&j);
	ea_json_key(&j, "verdict"); ea_json_str(&j, ea_restorability_name(v->verdict));
	ea_json_key(&j, "kind"); ea_json_str(&j, v->kind);
	ea_json_key(&j, "reasons");
	ea_json_array_begin(&j);
	for (size_t i = 0; i < v->nreasons; i++) {
		ea_json_object_begin(&j);
		ea_json_key(&j, "severity"); ea_json_str(&j, v->reasons[i].severity);
		ea_json_key(&j, "reason"); ea_json_str(&j, v->reasons[i].text);
		ea_json_object_end(&j);
	}
	ea_json_array_end(&j);
	ea_json_key(&j, "revision"); if (v->revision >= 0) ea_json_i64(&j, v->revision); else ea_json_null(&j);
	ea_json_key(&j, "compact_revision"); if (v->have_db) ea_json_i64(&j, v->compact_revision); else ea_json_null(&j);
	ea_json_key(&j, "consistent_index"); if (v->have_db) ea_json_u64(&j, v->consistent_index); else ea_json_null(&j);
	ea_json_key(&j, "hash"); if (v->hash_ok) ea_json_u64(&j, v->hash); else ea_json_null(&j);
	ea_json_key(&j, "snapshot_hash"); if (v->have_db) ea_json_u64(&j, v->snapshot_hash); else ea_json_null(&j);
	ea_json_key(&j, "total_key"); if (v->have_db) ea_json_u64(&j, v->total_key); else ea_json_null(&j);
	ea_json_key(&j, "total_size"); if (v->have_db) ea_json_u64(&j, v->total_size); else ea_json_null(&j);
	ea_json_key(&j, "members"); ea_json_u64(&j, v->members);
	ea_json_key(&j, "sha256_trailer"); ea_json_str(&j, v->sha256_trailer);
	ea_json_key(&j, "matches");
	ea_json_object_begin(&j);
	for (size_t i = 0; i < v->nagainst; i++) {
		ea_json_key(&j, v->against[i].name);
		if (v->against[i].match < 0) ea_json_null(&j); else ea_json_bool(&j, v->against[i].match);
	}
	ea_json_object_end(&j);
	ea_json_object_end(&j);
	ea_json_newline(&j);
}

static void table_out(const ea_verify_result *v)
{
	printf("VERDICT: %s\n\n", ea_restorability_name(v->verdict));
	printf("kind             %s\n", v->kind);
	printf("sha256 trailer   %s\n", v->sha256_trailer);
	if (v->have_db) {
		printf("revision         %" PRId64 " (compacted at %" PRId64 ")\n", v->revision, v->compact_revision);
		printf("consistent index %" PRIu64 "\n", v->consistent_index);
		if (v->hash_ok) printf("hashkv           %" PRIu32 "\n", v->hash);
		printf("snapshot status  hash %" PRIu32 ", total keys %" PRIu64 ", total size %" PRIu64 "\n",
		       v->snapshot_hash, v->total_key, v->total_size);
		printf("members          %zu\n", v->members);
	}
	char tb[2][1024];   /* names and reasons carry input bytes: escaped for the terminal */
	for (size_t i = 0; i < v->nagainst; i++)
		printf("against %-8s %s (%s)\n", ea_text_str(tb[0], sizeof tb[0], v->against[i].name),
		       v->against[i].match < 0 ? "cannot compare" : v->against[i].match ? "MATCHES" : "DIFFERS",
		       ea_text_str(tb[1], sizeof tb[1], v->against[i].why));
	printf("\nREASONS\n");
	for (size_t i = 0; i < v->nreasons; i++) {
		printf("  [%s] ", v->reasons[i].severity);
		cli_text(stdout, v->reasons[i].text);
		putchar('\n');
	}
}

int cmd_verify(int argc, char **argv)
{
	out_format fmt = OUT_TABLE;
	int quiet = 0;
	const char *against[CLI_MAX_NODES];
	int nagainst = 0;
	const char *etcd_version = NULL;
	cli_parser p;
	cli_parser_init(&p, argc, argv);
	int o;
	while ((o = cli_next(&p, verify_opts)) >= 0) {
		switch (o) {
		case O_AGAINST:
			if (nagainst == CLI_MAX_NODES) { fprintf(stderr, "etcd-autopsy verify: too many --against\n"); return EXIT_USAGE; }
			against[nagainst++] = p.arg;
			break;
		case O_WRITE: if (cli_parse_format(p.arg, &fmt)) return EXIT_USAGE; break;
		case O_QUIET: quiet = 1; break;
		case O_HELP: fputs(verify_help, stdout); return EXIT_CLEAN;
		case O_ETCDVER: etcd_version = p.arg; if (cli_etcd_version_opt("verify", p.arg, NULL)) return EXIT_USAGE; break;
		}
	}
	if (o == -2) return EXIT_USAGE;
	if (p.npositional != 1) { fputs(verify_help, stderr); return EXIT_USAGE; }
	ea_node *target[1];
	size_t nt;
	if (cli_open_nodes("verify", p.positional, 1, target, &nt)) return EXIT_USAGE;
	ea_node *nodes[CLI_MAX_NODES];
	size_t n = 0;
	if (nagainst && cli_open_nodes("verify", against, nagainst, nodes, &n)) { ea_node_free(target[0]); return EXIT_USAGE; }
	if (cli_nodes_readable("verify", target, 1) || cli_nodes_readable("verify", nodes, n)) {
		for (size_t i = 0; i < n; i++) ea_node_free(nodes[i]);
		ea_node_free(target[0]);
		return EXIT_USAGE;
	}
	cli_nodes_hash_rule(etcd_version, target, 1);
	cli_nodes_hash_rule(etcd_version, nodes, n);
	ea_verify_result v;
	int rc = ea_verify_run(target[0], nodes, n, &v);
	int code = EXIT_USAGE;
	cli_progress_stop();
	if (rc == EA_OK) {
		if (fmt == OUT_JSON) json_out(&v); else table_out(&v);
		code = v.verdict == EA_RESTORABLE ? EXIT_CLEAN : EXIT_FINDINGS;
		for (size_t i = 0; i < v.nagainst; i++) if (v.against[i].match == 0) code = EXIT_FINDINGS;
		if (!quiet && code) fprintf(stderr, "etcd-autopsy verify: %s\n", ea_restorability_name(v.verdict));
	}
	for (size_t i = 0; i < n; i++) ea_node_free(nodes[i]);
	ea_node_free(target[0]);
	return code;
}
