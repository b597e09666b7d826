/* hash_compare.h: one HashKV rule for every member compared (diff, verify --against). */
#ifndef EA_HASH_COMPARE_H
#define EA_HASH_COMPARE_H

#include "etcd-autopsy/history.h"

#include <stddef.h>

/* Picks one HashKV rule for the dbs of nodes[0..n) — the rule they all infer (or were given), else
 * skip-compact-tombstone, the rule of the newer releases — forces it on each db
 * (ea_mvcc_set_hash_rule) and re-hashes a node's open-time hash when its rule changed, so that
 * hashes differing only by the variant never count as divergence. *note (cap bytes) gets one
 * sentence when the members' inferred etcd versions or rules differ, "" otherwise. */
void ea__hash_compare_align(ea_node *const *nodes, size_t n, char *note, size_t cap);
/* verify --against: aligns the target and the members (at most 16) and re-hashes the target's
 * HashKV at its current revision into *hash with the rule chosen. */
void ea__hash_compare_target(ea_node *t, ea_node *const *against, size_t n, uint32_t *hash, char *note,
                             size_t cap);
/* 1 when the HashKV of a and b at rev differ under the rule in force but agree under
 * skip-compact-tombstone, the rule etcd made so that releases which keep and which delete a
 * tombstone at the compaction revision agree: the dbs differ only by that tombstone. *why gets
 * a sentence then. */
int ea__hash_differs_only_by_variant(ea_node *a, ea_node *b, int64_t rev, char *why, size_t cap);

#endif
