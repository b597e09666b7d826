/* db_hash_variants.c: `--etcd-version` and the HashKV variants in db hash's output (the rule
 * each etcd release uses for a tombstone at the compaction revision, docs/formats.md §7.3.1):
 * the rule picked for the nodes of diff and verify (the numbers are drawn by output/render_dbstat.c). */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cli_etcd_version_opt(const char *cmd, const char *arg, ea_hashkv_version *v)
{
	ea_hashkv_version tmp;
	if (ea_hashkv_parse_version(arg, v ? v : &tmp) == EA_OK) return 0;
	fprintf(stderr, "etcd-autopsy %s: --etcd-version takes an etcd 3.x release as X.Y.Z (e.g. 3.5.16), "
	        "not '%s'\n", cmd, arg);
	return -1;
}

void cli_hash_rule_override(ea_hashkv_result *h, const ea_hashkv_version *given)
{
	if (given && given->version[0])
		snprintf(h->rule_basis, sizeof h->rule_basis, "%s", given->basis);
}

void cli_nodes_hash_rule(const char *etcd_version, ea_node *const *nodes, size_t n)
{
	ea_hashkv_version v;
	if (!etcd_version || ea_hashkv_parse_version(etcd_version, &v) != EA_OK) return;
	for (size_t i = 0; i < n; i++)
		if (ea_node_mvcc(nodes[i])) ea_mvcc_set_hash_rule(ea_node_mvcc(nodes[i]), v.rule);
}
