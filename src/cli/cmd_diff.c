/* cmd_diff.c: `etcd-autopsy diff NODES...`: verdict, findings and which member to trust. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char diff_help_head[] =
	"usage: etcd-autopsy diff NODE... [-w table|json]\n"
	"       etcd-autopsy diff --list-findings [-w table|json]\n\n"
	"NODE is NAME=PATH or PATH, one per member (data dir, member/ dir or archive); one member\n"
	"given twice (same path, a dir and its own archive, same name or member ID) is refused (exit 2).\n"
	"Aligns the members' raft logs by index and classifies every difference:\n";
/* then one line per finding kind, from the table (finding.h) */
static const char diff_help_tail[] =
	"then a verdict (consistent < incomplete < lagging < uncommitted-divergence < damaged <\n"
	"state-divergence < committed-divergence) and the member to restore from, or that none is safe.\n\n"
	"  --logs NAME=FILE             etcd's log of node NAME: its leaders are cross-checked\n"
	"                               against the ones inferred from the WALs; repeatable. A log of\n"
	"                               another member, or with no etcd line, is refused (exit 2)\n"
	"  --force                      use such a log anyway (a warning on stderr)\n"
	"  --list-findings              every finding kind with its severities, the verdict it can raise,\n"
	"                               whether the report draws it on the timeline, meaning and advice\n"
	"  --etcd-version X.Y.Z         the etcd release whose HashKV rule every member's db is hashed\n"
	"                               with (a tombstone at the compaction revision: classic up to\n"
	"                               3.4.33/3.5.15, skipped from 3.4.34/3.5.16/3.6); default: inferred\n"
	"                               per db by minor version, one rule for all (kv-hash-rule says\n"
	"                               which when the members declare different versions)\n"
	"  -w, --write-out table|json\n"
	"  -q, --quiet\n\n"
	"examples:\n"
	"  etcd-autopsy diff n1/ n2/ n3/\n"
	"  etcd-autopsy diff etcd-1=n1.tar.gz etcd-2=n2.tar.gz etcd-3=n3.tar.gz -w json | jq .verdict\n"
	"  etcd-autopsy diff --list-findings -w json | jq -r '.finding_kinds[].name'\n\n"
	"exit codes: 0 consistent, 1 findings of warning or worse (or damage in an input), 2 usage\n"
	"error or an input with neither a WAL nor a readable db\n";

/* The whole help: head, the finding kinds of the table, tail (built once). */
static const char *diff_help(void)
{
	static char buf[8192];
	if (buf[0]) return buf;
	size_t l = (size_t)snprintf(buf, sizeof buf, "%s", diff_help_head);
	for (int k = 0; k < EA_FK_COUNT && l < sizeof buf; k++) {
		const ea_finding_kind *fk = ea_finding_kind_get((ea_finding_kind_id)k);
		l += (size_t)snprintf(buf + l, sizeof buf - l, "  %-23s %s\n", fk->name, fk->meaning);
	}
	if (l < sizeof buf) snprintf(buf + l, sizeof buf - l, "%s", diff_help_tail);
	return buf;
}

/* "warning|critical": the severities a kind can take */
static void severities_text(const ea_finding_kind *fk, char *out, size_t cap)
{
	out[0] = 0;
	for (unsigned bit = EA_FSEV_INFO; bit <= EA_FSEV_CRITICAL; bit <<= 1)
		if (fk->severities & bit) {
			size_t l = strlen(out);
			snprintf(out + l, cap - l, "%s%s", l ? "|" : "", ea_finding_severity_name(bit));
		}
}

/* `diff --list-findings`: the finding-kind table as JSON or text */
static void list_findings(out_format fmt)
{
	ea_json j;
	if (fmt == OUT_JSON) {
		ea_json_init(&j, stdout);
		ea_json_object_begin(&j);
		ea_json_key(&j, "finding_kinds");
		ea_json_array_begin(&j);
	}
	for (int k = 0; k < EA_FK_COUNT; k++) {
		const ea_finding_kind *fk = ea_finding_kind_get((ea_finding_kind_id)k);
		const char *verdict = fk->verdict != EA_VERDICT_CONSISTENT ? ea_verdict_name(fk->verdict) : NULL;
		if (fmt != OUT_JSON) {
			char sev[64];
			severities_text(fk, sev, sizeof sev);
			printf("%s [%s] verdict: %s, timeline: %s\n    %s\n    advice: %s\n", fk->name, sev,
			       verdict ? verdict : "-", fk->draw != EA_FK_DRAW_NONE ? "yes" : "no", fk->meaning, fk->advice);
			continue;
		}
		ea_json_object_begin(&j);
		ea_json_key(&j, "name"); ea_json_str(&j, fk->name);
		ea_json_key(&j, "severities");
		ea_json_array_begin(&j);
		for (unsigned bit = EA_FSEV_INFO; bit <= EA_FSEV_CRITICAL; bit <<= 1)
			if (fk->severities & bit) ea_json_str(&j, ea_finding_severity_name(bit));
		ea_json_array_end(&j);
		ea_json_key(&j, "verdict"); ea_json_str(&j, verdict);
		ea_json_key(&j, "timeline"); ea_json_bool(&j, fk->draw != EA_FK_DRAW_NONE);
		ea_json_key(&j, "meaning"); ea_json_str(&j, fk->meaning);
		ea_json_key(&j, "advice"); ea_json_str(&j, fk->advice);
		ea_json_object_end(&j);
	}
	if (fmt == OUT_JSON) {
		ea_json_array_end(&j);
		ea_json_object_end(&j);
		ea_json_newline(&j);
	}
}

enum { O_WRITE, O_QUIET, O_HELP, O_LOGS, O_FORCE, O_LIST, O_ETCDVER };
static const cli_opt diff_opts[] = {
	{ "write-out", 'w', 1 }, { "quiet", 'q', 0 }, { "help", 'h', 0 }, { "logs", 0, 1 }, { "force", 0, 0 },
	{ "list-findings", 0, 0 }, { "etcd-version", 0, 1 }, { NULL, 0, 0 }
};

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
	out_format fmt = OUT_TABLE;
	int quiet = 0;
	const char *logs[CLI_MAX_NODES];
	int nlogs = 0, list = 0;
	const char *etcd_version = NULL;
	cli_parser p;
	cli_parser_init(&p, argc, argv);
	int o;
	while ((o = cli_next(&p, diff_opts)) >= 0) {
		switch (o) {
		case O_WRITE: if (cli_parse_format(p.arg, &fmt)) return EXIT_USAGE; break;
		case O_QUIET: quiet = 1; break;
		case O_LOGS:
			if (nlogs == CLI_MAX_NODES) { fprintf(stderr, "etcd-autopsy: too many --logs\n"); return EXIT_USAGE; }
			logs[nlogs++] = p.arg;
			break;
		case O_HELP: fputs(diff_help(), stdout); return EXIT_CLEAN;
		case O_FORCE: cli_force_logs = 1; break;
		case O_LIST: list = 1; break;
		case O_ETCDVER: etcd_version = p.arg; if (cli_etcd_version_opt("diff", p.arg, NULL)) return EXIT_USAGE; break;
		}
	}
	if (o == -2) return EXIT_USAGE;
	if (list) { list_findings(fmt); return EXIT_CLEAN; }
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	if (cli_nodes_from_args("diff", diff_help(), &p, logs, nlogs, nodes, &n)) return EXIT_USAGE;
	cli_nodes_hash_rule(etcd_version, nodes, n);
	ea_terms terms;
	ea_diff d;
	int rc = ea_terms_build(nodes, n, &terms);
	if (rc == EA_OK) rc = ea_diff_run(nodes, n, &terms, &d);
	int code = EXIT_USAGE;
	cli_progress_stop();
	if (rc == EA_OK) {
		if (fmt == OUT_JSON) json_out(nodes, n, &d); else table_out(nodes, n, &d);
		code = cli_diff_exit_code(nodes, n, &d);
		if (!quiet && code == EXIT_FINDINGS)
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
