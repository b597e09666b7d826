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

/* diff's own options: --list-findings, --etcd-version */
typedef struct {
	int list;
	const char *etcd_version;
} diff_own;

static int set_list(cli_args *a, const char *v)
{
	(void)v;
	((diff_own *)a->own)->list = 1;
	return 0;
}
static int set_etcd_version(cli_args *a, const char *v)
{
	((diff_own *)a->own)->etcd_version = v;
	return cli_etcd_version_opt("diff", v, NULL) ? -1 : 0;
}
static const cli_row diff_rows[] = {
	{ "list-findings", 0, 0, set_list }, { "etcd-version", 0, 1, set_etcd_version }, { NULL, 0, 0, NULL }
};

int cmd_diff(int argc, char **argv)
{
	/* the help lists the finding-kind table, so it is built at run time */
	const cli_command diff_cmd = { "diff", diff_help(), CLI_W | CLI_Q | CLI_LOGS | CLI_FORCE, diff_rows, 0 };
	diff_own own = { 0, NULL };
	cli_args a;
	int go = cli_parse(&a, &diff_cmd, argc, argv, &own);
	if (go != CLI_GO) return go;
	if (own.list) { list_findings(a.fmt); return EXIT_CLEAN; }
	ea_node *nodes[CLI_MAX_NODES];
	size_t n;
	if (cli_args_nodes(&a, nodes, &n)) return EXIT_USAGE;
	cli_nodes_hash_rule(own.etcd_version, nodes, n);
	ea_terms terms;
	ea_diff d;
	int rc = ea_terms_build(nodes, n, &terms);
	if (rc == EA_OK) rc = ea_diff_run(nodes, n, &terms, &d);
	int code = EXIT_USAGE;
	cli_progress_stop();
	if (rc == EA_OK) {
		ea_render_diff(stdout, a.fmt == OUT_JSON, nodes, n, &d);
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
	for (size_t i = 0; i < n; i++) ea_node_close(nodes[i]);
	return code;
}
