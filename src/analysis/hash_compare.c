/* hash_compare.c: compares HashKV like with like (docs/formats.md §7.3.1). Two etcd releases hash
 * a tombstone at the compaction revision differently; every member's db is hashed with one rule,
 * and a sentence says which when the members declare different versions. */
#include "hash_compare.h"

#include "etcd-autopsy/mvcc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Appends "name: version" to buf. */
static void list_add(char *buf, size_t cap, const char *name, const char *version)
{
	size_t l = strlen(buf);
	if (l + 1 < cap) snprintf(buf + l, cap - l, "%s%s %s", l ? ", " : "", name ? name : "?", version);
}

/* Re-hashes node nd at its open-time revision with the rule now forced on its db. */
static void rehash(ea_node *nd)
{
	if (ea_node_db(nd)->hash_revision <= 0) return;
	ea_hashkv_result h;
	ea_error e;
	int64_t rev = ea_node_db(nd)->hash_revision;
	if (ea_mvcc_hashkv(ea_node_mvcc(nd), rev, &h, &e) == EA_OK) ea_node_set_db_hash(nd, h.hash, rev);
	else ea_node_set_db_hash(nd, ea_node_db(nd)->hash, -1);
}

void ea__hash_compare_align(ea_node *const *nodes, size_t n, char *note, size_t cap)
{
	if (cap) note[0] = 0;
	ea_hashkv_version first;
	int have = 0, rules_differ = 0, versions_differ = 0, any_skip = 0;
	char list[512] = "";
	for (size_t i = 0; i < n; i++) {
		if (!ea_node_db(nodes[i])->present || !ea_node_mvcc(nodes[i])) continue;
		ea_hashkv_version v;
		ea_mvcc_hash_version(ea_node_mvcc(nodes[i]), &v);
		list_add(list, sizeof list, ea_node_name(nodes[i]), v.version);
		any_skip |= v.rule == EA_HASHKV_RULE_SKIP_TOMBSTONE;
		if (!have) { first = v; have = 1; continue; }
		rules_differ |= v.rule != first.rule;
		versions_differ |= strcmp(v.version, first.version) != 0;
	}
	if (!have) return;
	ea_hashkv_rule rule = !rules_differ ? first.rule : any_skip ? EA_HASHKV_RULE_SKIP_TOMBSTONE
	                                                            : EA_HASHKV_RULE_CLASSIC;
	for (size_t i = 0; i < n; i++) {
		if (!ea_node_db(nodes[i])->present || !ea_node_mvcc(nodes[i])) continue;
		ea_hashkv_version v;
		ea_mvcc_hash_version(ea_node_mvcc(nodes[i]), &v);
		ea_mvcc_set_hash_rule(ea_node_mvcc(nodes[i]), rule);
		if (v.inferred != rule) rehash(nodes[i]);   /* the open-time hash followed the inference */
	}
	if ((rules_differ || versions_differ) && cap)
		snprintf(note, cap, "the members' dbs declare different etcd versions (%s): HashKV is compared with "
		         "one rule for all, %s (etcd %s), so a tombstone at the compaction revision cannot make "
		         "a difference on its own", list, ea_hashkv_rule_name(rule), ea_hashkv_rule_versions(rule));
}

void ea__hash_compare_target(ea_node *t, ea_node *const *against, size_t n, uint32_t *hash, char *note,
                             size_t cap)
{
	ea_node *all[17];
	size_t na = 0;
	all[na++] = t;
	for (size_t i = 0; i < n && na < 17; i++) all[na++] = against[i];
	ea_hashkv_version before, after;
	if (!ea_node_mvcc(t)) { ea__hash_compare_align(all, na, note, cap); return; }
	ea_mvcc_hash_version(ea_node_mvcc(t), &before);
	ea__hash_compare_align(all, na, note, cap);
	ea_mvcc_hash_version(ea_node_mvcc(t), &after);
	if (after.rule == before.rule) return;   /* *hash already follows it: no second walk */
	ea_hashkv_result h;
	ea_error e;
	if (ea_mvcc_hashkv(ea_node_mvcc(t), 0, &h, &e) == EA_OK) *hash = h.hash;
}

int ea__hash_differs_only_by_variant(ea_node *a, ea_node *b, int64_t rev, char *why, size_t cap)
{
	if (!ea_node_mvcc(a) || !ea_node_mvcc(b)) return 0;
	ea_hashkv_result ha, hb;
	ea_error e;
	if (ea_mvcc_hashkv(ea_node_mvcc(a), rev, &ha, &e) != EA_OK || ea_mvcc_hashkv(ea_node_mvcc(b), rev, &hb, &e) != EA_OK) return 0;
	if (ha.hash == hb.hash || ha.hash_skip != hb.hash_skip) return 0;
	if (cap)
		snprintf(why, cap, "HashKV at revision %" PRId64 ": %s has %" PRIu32 ", %s %" PRIu32 " with the %s rule, "
		         "but both have %" PRIu32 " with skip-compact-tombstone: the dbs differ only by a tombstone at the "
		         "compaction revision (kept by etcd 3.4.34+, 3.5.16+, 3.6+, deleted by older releases), not "
		         "by their data", rev, ea_node_name(b) ? ea_node_name(b) : "?", hb.hash, ea_node_name(a) ? ea_node_name(a) : "?", ha.hash,
		         ea_hashkv_rule_name(ha.rule), ha.hash_skip);
	return 1;
}
