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
	"errno text), what a restore from the data dir would lose, and its WAL replayed against its\n"
	"own db (a db that differs from its own WAL is not-restorable). --against NODE (NAME=PATH or PATH, repeatable)\n"
	"compares with that member's HashKV at the same revision and replays that member's WAL against\n"
	"its own db (as `replay` does): its verdict is listed (db-diverges-from-wal exits 1).\n\n"
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

/* --against NODE, repeatable: the members to compare with */
typedef struct {
	const char *list[CLI_MAX_NODES];
	int n;
	const char *etcd_version;   /* --etcd-version, or NULL */
} against_list;

static int set_against(cli_args *a, const char *v)
{
	against_list *l = a->own;
	return cli_list_add(l->list, &l->n, v, "etcd-autopsy verify", "--against");
}
static int set_etcd_version(cli_args *a, const char *v)
{
	((against_list *)a->own)->etcd_version = v;
	return cli_etcd_version_opt("verify", v, NULL) ? -1 : 0;
}
static const cli_row verify_rows[] = {
	{ "against", 0, 1, set_against }, { "etcd-version", 0, 1, set_etcd_version }, { NULL, 0, 0, NULL }
};
static const cli_command verify_cmd = { "verify", verify_help, CLI_W | CLI_Q, verify_rows, 0 };

int cmd_verify(int argc, char **argv)
{
	cli_malloc_fixed_mmap_threshold();
	against_list ag = { .n = 0, .etcd_version = NULL };
	cli_args a;
	int go = cli_parse(&a, &verify_cmd, argc, argv, &ag);
	if (go != CLI_GO) return go;
	if (a.p.npositional != 1) { fputs(verify_help, stderr); return EXIT_USAGE; }
	ea_node *target[1];
	size_t nt;
	if (cli_open_nodes("verify", a.p.positional, 1, target, &nt)) return EXIT_USAGE;
	ea_node *nodes[CLI_MAX_NODES];
	size_t n = 0;
	if (ag.n && cli_open_nodes("verify", ag.list, ag.n, nodes, &n)) { ea_node_close(target[0]); return EXIT_USAGE; }
	if (cli_nodes_readable("verify", target, 1) || cli_nodes_readable("verify", nodes, n)) {
		for (size_t i = 0; i < n; i++) ea_node_close(nodes[i]);
		ea_node_close(target[0]);
		return EXIT_USAGE;
	}
	cli_nodes_hash_rule(ag.etcd_version, target, 1);
	cli_nodes_hash_rule(ag.etcd_version, nodes, n);
	ea_verify_result v;
	int rc = ea_verify_run(target[0], nodes, n, &v);
	int code = EXIT_USAGE;
	cli_progress_stop();
	if (rc == EA_OK) {
		ea_render_verify(stdout, a.fmt == OUT_JSON, &v);
		code = v.verdict == EA_RESTORABLE ? EXIT_CLEAN : EXIT_FINDINGS;
		for (size_t i = 0; i < v.nagainst; i++) if (v.against[i].match == 0) code = EXIT_FINDINGS;
		for (size_t i = 0; i < v.nagainst; i++)   /* a member whose db differs from its own WAL */
			if (v.against[i].replay && strcmp(v.against[i].replay, "db-diverges-from-wal") == 0) code = EXIT_FINDINGS;
		if (!a.quiet && code) fprintf(stderr, "etcd-autopsy verify: %s\n", ea_restorability_name(v.verdict));
	}
	for (size_t i = 0; i < n; i++) ea_node_close(nodes[i]);
	ea_node_close(target[0]);
	return code;
}
