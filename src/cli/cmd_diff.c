/* cmd_diff.c: `etcd-autopsy diff NODES...`: verdict, findings and which member to trust. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char diff_help[] =
	"usage: etcd-autopsy diff NODE... [-w table|json]\n\n"
	"NODE is NAME=PATH or PATH, one per member (data dir, member/ dir or archive); one member\n"
	"given twice (same path, a dir and its own archive, same name or member ID) is refused (exit 2).\n"
	"Aligns the members' raft logs by index and classifies every difference:\n"
	"  lagging                 a log is a prefix of the others' (and whether it needs a snapshot)\n"
	"  uncommitted-divergence  same index, different term, beyond a commit: which side is overwritten\n"
	"  committed-divergence    same committed index with different terms, or same (index, term) with\n"
	"                          different data: raft's log matching broken (critical)\n"
	"  log-gap, wal-damage, db-damage       damage found by the readers\n"
	"  applied-ahead-of-wal, kv-hash-mismatch  the applied state disagrees with the log / other members\n"
	"  cluster-id-mismatch, term-inflation   wrong cluster; election storms and runaway terms\n"
	"  missing-part            a node without its WAL or its db (or with unreadable parts)\n"
	"  membership-mismatch, member-removed, restore-leftover  the db's members vs the WAL's conf\n"
	"                          changes (restore-leftover: the source members `etcdctl snapshot restore`\n"
	"                          leaves in the bucket, info)\n"
	"  leader-mismatch         a --logs leader differs from the one the WALs show\n"
	"then a verdict (consistent < incomplete < lagging < uncommitted-divergence < damaged <\n"
	"state-divergence < committed-divergence) and the member to restore from, or that none is safe.\n\n"
	"  --logs NAME=FILE             etcd's log of node NAME: its leaders are cross-checked\n"
	"                               against the ones inferred from the WALs; repeatable. A log of\n"
	"                               another member, or with no etcd line, is refused (exit 2)\n"
	"  --force                      use such a log anyway (a warning on stderr)\n"
	"  -w, --write-out table|json\n"
	"  -q, --quiet\n\n"
	"examples:\n"
	"  etcd-autopsy diff n1/ n2/ n3/\n"
	"  etcd-autopsy diff etcd-1=n1.tar.gz etcd-2=n2.tar.gz etcd-3=n3.tar.gz -w json | jq .verdict\n\n"
	"exit codes: 0 consistent, 1 findings of warning or worse (or damage in an input), 2 usage\n"
	"error or an input with neither a WAL nor a readable db\n";

static const cli_command diff_cmd = { "diff", diff_help, CLI_W | CLI_Q | CLI_LOGS | CLI_FORCE, NULL, 0 };

int cmd_diff(int argc, char **argv)
{
	cli_args a;
	int go = cli_parse(&a, &diff_cmd, argc, argv, NULL);
	if (go != CLI_GO) return go;
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	if (cli_args_nodes(&a, nodes, &n)) return EXIT_USAGE;
	ea_terms terms;
	ea_diff d;
	int rc = ea_terms_build(nodes, n, &terms);
	if (rc == EA_OK) rc = ea_diff_run(nodes, n, &terms, &d);
	int code = EXIT_USAGE;
	cli_progress_stop();
	if (rc == EA_OK) {
		if (a.fmt == OUT_JSON) {
			ea_json j;
			ea_json_init(&j, stdout);
			ea_render_diff_json(&j, nodes, n, &d);
		} else {
			ea_render_diff_table(stdout, nodes, n, &d);
		}
		code = cli_diff_exit_code(nodes, n, &d);
		if (!a.quiet && code == EXIT_FINDINGS)
			fprintf(stderr, "etcd-autopsy diff: verdict %s, %zu finding%s%s\n", ea_verdict_name(d.verdict),
			        d.nfindings, d.nfindings == 1 ? "" : "s",
			        cli_nodes_problems(nodes, n) ? "; damage in the inputs (see the problems)" : "");
		ea_diff_free(&d);
	} else {
		fprintf(stderr, "etcd-autopsy diff: %s\n", ea_strerror(rc));
	}
	ea_terms_free(&terms);
	for (size_t i = 0; i < n; i++) ea_node_free(nodes[i]);
	return code;
}
