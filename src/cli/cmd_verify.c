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
	"  -w, --write-out table|json\n"
	"  -q, --quiet\n\n"
	"examples:\n"
	"  etcd-autopsy verify backup-0300.db\n"
	"  etcd-autopsy verify backup.tar.gz --against etcd-2=n2/ -w json\n\n"
	"exit codes: 0 restorable, 1 not restorable or warnings/mismatches, 2 usage/unreadable input\n";

enum { O_AGAINST, O_WRITE, O_QUIET, O_HELP };
static const cli_opt verify_opts[] = {
	{ "against", 0, 1 }, { "write-out", 'w', 1 }, { "quiet", 'q', 0 }, { "help", 'h', 0 }, { NULL, 0, 0 }
};

int cmd_verify(int argc, char **argv)
{
	out_format fmt = OUT_TABLE;
	int quiet = 0;
	const char *against[CLI_MAX_NODES];
	int nagainst = 0;
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
	ea_verify_result v;
	int rc = ea_verify_run(target[0], nodes, n, &v);
	int code = EXIT_USAGE;
	cli_progress_stop();
	if (rc == EA_OK) {
		if (fmt == OUT_JSON) {
			ea_json j;
			ea_json_init(&j, stdout);
			ea_render_verify_json(&j, &v);
		} else {
			ea_render_verify_table(stdout, &v);
		}
		code = v.verdict == EA_RESTORABLE ? EXIT_CLEAN : EXIT_FINDINGS;
		for (size_t i = 0; i < v.nagainst; i++) if (v.against[i].match == 0) code = EXIT_FINDINGS;
		if (!quiet && code) fprintf(stderr, "etcd-autopsy verify: %s\n", ea_restorability_name(v.verdict));
	}
	for (size_t i = 0; i < n; i++) ea_node_free(nodes[i]);
	ea_node_free(target[0]);
	return code;
}
