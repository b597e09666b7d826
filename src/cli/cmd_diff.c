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

static void json_out(ea_node *const *nodes, size_t n, const ea_diff *d)
{
	ea_json j;
	ea_json_init(&j, stdout);
	ea_json_object_begin(&j);
	ea_json_key(&j, "verdict"); ea_json_str(&j, ea_verdict_name(d->verdict));
	ea_json_key(&j, "first_divergent_index");
	if (d->first_divergent_index) ea_json_u64(&j, d->first_divergent_index); else ea_json_null(&j);
	ea_json_key(&j, "nodes");
	ea_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const ea_node *nd = nodes[i];
		int w = nd->have_wal;
		ea_json_object_begin(&j);
		ea_json_key(&j, "name"); ea_json_str(&j, nd->name);
		ea_json_key(&j, "path"); ea_json_str(&j, nd->path);
		ea_json_key(&j, "member_id"); if (w && nd->wal.have_metadata) ea_json_hex(&j, nd->wal.member_id); else ea_json_null(&j);
		ea_json_key(&j, "cluster_id"); if (w && nd->wal.have_metadata) ea_json_hex(&j, nd->wal.cluster_id); else ea_json_null(&j);
		ea_json_key(&j, "last_index"); if (w && nd->wal.have_entries) ea_json_u64(&j, nd->wal.last_index); else ea_json_null(&j);
		ea_json_key(&j, "last_term"); if (w && nd->wal.have_entries) ea_json_u64(&j, nd->wal.last_term); else ea_json_null(&j);
		ea_json_key(&j, "commit"); if (w && nd->wal.have_hard_state) ea_json_u64(&j, nd->wal.hard_state.commit); else ea_json_null(&j);
		ea_json_key(&j, "consistent_index"); if (nd->have_db) ea_json_u64(&j, nd->db_consistent_index); else ea_json_null(&j);
		ea_json_key(&j, "revision"); if (nd->have_db) ea_json_i64(&j, nd->db_revision); else ea_json_null(&j);
		ea_json_key(&j, "compact_revision"); if (nd->have_db) ea_json_i64(&j, nd->db_compact_revision); else ea_json_null(&j);
		ea_json_key(&j, "hash"); if (nd->have_db && nd->db_hash_revision > 0) ea_json_u64(&j, nd->db_hash); else ea_json_null(&j);
		ea_json_key(&j, "hash_revision"); if (nd->have_db && nd->db_hash_revision > 0) ea_json_i64(&j, nd->db_hash_revision); else ea_json_null(&j);
		ea_json_object_end(&j);
	}
	ea_json_array_end(&j);
	ea_json_key(&j, "findings");
	ea_json_array_begin(&j);
	for (size_t f = 0; f < d->nfindings; f++) {
		const ea_finding *fd = &d->findings[f];
		ea_json_object_begin(&j);
		ea_json_key(&j, "kind"); ea_json_str(&j, fd->kind);
		ea_json_key(&j, "severity"); ea_json_str(&j, fd->severity);
		ea_json_key(&j, "index"); if (fd->index) ea_json_u64(&j, fd->index); else ea_json_null(&j);
		ea_json_key(&j, "revision"); if (fd->revision >= 0) ea_json_i64(&j, fd->revision); else ea_json_null(&j);
		ea_json_key(&j, "nodes");
		ea_json_array_begin(&j);
		for (size_t i = 0; i < n; i++) if (fd->node_mask & (1u << i)) ea_json_str(&j, nodes[i]->name);
		ea_json_array_end(&j);
		ea_json_key(&j, "detail"); ea_json_str(&j, fd->detail);
		ea_json_object_end(&j);
	}
	ea_json_array_end(&j);
	ea_json_key(&j, "recommended_source");
	if (d->recommended >= 0) ea_json_str(&j, nodes[d->recommended]->name); else ea_json_null(&j);
	ea_json_key(&j, "recommendation"); ea_json_str(&j, d->recommendation);
	ea_json_object_end(&j);
	ea_json_newline(&j);
}

static void table_out(ea_node *const *nodes, size_t n, const ea_diff *d)
{
	printf("VERDICT: %s\n\n", ea_verdict_name(d->verdict));
	printf("%-12s %-18s %10s %6s %10s %12s %10s\n", "NODE", "MEMBER", "LAST", "TERM", "COMMIT", "CONSIST_IDX", "REVISION");
	for (size_t i = 0; i < n; i++) {
		const ea_node *nd = nodes[i];
		char mid[24] = "-", ci[24] = "-", rev[24] = "-";
		if (nd->have_wal && nd->wal.have_metadata) snprintf(mid, sizeof mid, "%" PRIx64, nd->wal.member_id);
		if (nd->have_db) {
			snprintf(ci, sizeof ci, "%" PRIu64, nd->db_consistent_index);
			snprintf(rev, sizeof rev, "%" PRId64, nd->db_revision);
		}
		char last[24] = "-", term[24] = "-", commit[24] = "-";   /* "-": no WAL here, not index 0 */
		if (nd->have_wal) {
			snprintf(last, sizeof last, "%" PRIu64, nd->wal.last_index);
			snprintf(term, sizeof term, "%" PRIu64, nd->wal.last_term);
			snprintf(commit, sizeof commit, "%" PRIu64, nd->wal.hard_state.commit);
		}
		char name[256];   /* names, details: escaped for the terminal */
		printf("%-12s %-18s %10s %6s %10s %12s %10s\n", ea_text_str(name, sizeof name, nd->name), mid, last, term, commit, ci, rev);
	}
	printf("\nFINDINGS (%zu)\n", d->nfindings);
	for (size_t f = 0; f < d->nfindings; f++) {
		const ea_finding *fd = &d->findings[f];
		printf("  [%s] %s", fd->severity, fd->kind);
		if (fd->index) printf(" at index %" PRIu64, fd->index);
		if (fd->revision >= 0) printf(" at revision %" PRId64, fd->revision);
		fputs(":\n    ", stdout);
		cli_text(stdout, fd->detail);
		putchar('\n');
	}
	fputs("\nRECOMMENDATION: ", stdout);
	cli_text(stdout, d->recommendation);
	putchar('\n');
}

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
		if (a.fmt == OUT_JSON) json_out(nodes, n, &d); else table_out(nodes, n, &d);
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
