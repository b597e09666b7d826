/* db_hash_variants.c: `--etcd-version` and the HashKV variants in db hash's output (the rule
 * each etcd release uses for a tombstone at the compaction revision, docs/formats.md §7.3.1):
 * which rule the number follows and why, and both numbers when the rules disagree. */
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

void cli_hash_variants_json(ea_json *j, const ea_hashkv_result *h)
{
	ea_json_key(j, "rule"); ea_json_str(j, ea_hashkv_rule_name(h->rule));
	ea_json_key(j, "rule_basis"); ea_json_str(j, h->rule_basis);
	if (h->hash_classic == h->hash_skip) return;
	ea_json_key(j, "hash_variants");
	ea_json_array_begin(j);
	const ea_hashkv_rule rules[2] = { EA_HASHKV_RULE_CLASSIC, EA_HASHKV_RULE_SKIP_TOMBSTONE };
	for (int k = 0; k < 2; k++) {
		ea_json_object_begin(j);
		ea_json_key(j, "rule"); ea_json_str(j, ea_hashkv_rule_name(rules[k]));
		ea_json_key(j, "hash"); ea_json_u64(j, k ? h->hash_skip : h->hash_classic);
		ea_json_key(j, "etcd_versions"); ea_json_str(j, ea_hashkv_rule_versions(rules[k]));
		ea_json_object_end(j);
	}
	ea_json_array_end(j);
}

void cli_hash_variants_table(const ea_hashkv_result *h)
{
	ea_hashkv_rule other = h->rule == EA_HASHKV_RULE_CLASSIC ? EA_HASHKV_RULE_SKIP_TOMBSTONE : EA_HASHKV_RULE_CLASSIC;
	uint32_t oh = other == EA_HASHKV_RULE_CLASSIC ? h->hash_classic : h->hash_skip;
	printf("  rule: %s, what etcd %s compute; %s (etcd %s) ", ea_hashkv_rule_name(h->rule),
	       ea_hashkv_rule_versions(h->rule), ea_hashkv_rule_name(other), ea_hashkv_rule_versions(other));
	if (oh == h->hash) printf("gives the same hash here\n");
	else printf("gives %" PRIu32 " here (a tombstone at the compaction revision)\n", oh);
	printf("  etcd version: %s\n", h->rule_basis);
}

void cli_nodes_hash_rule(const char *etcd_version, ea_node *const *nodes, size_t n)
{
	ea_hashkv_version v;
	if (!etcd_version || ea_hashkv_parse_version(etcd_version, &v) != EA_OK) return;
	for (size_t i = 0; i < n; i++)
		if (nodes[i]->mvcc) ea_mvcc_set_hash_rule(nodes[i]->mvcc, v.rule);
}
