/* bolt_int.h: what the semantic layer may use of the bbolt reader beyond the public API. */
#ifndef EA_BOLT_INT_H
#define EA_BOLT_INT_H

#include "etcd-autopsy/bolt.h"

/* Adds a problem to the handle's list (same dedup by kind + offset, same cap), so that the
 * layers above report theirs (EA_LAYER_MVCC) in one stream with the bbolt ones. */
void ea__bolt_problem(ea_bolt *b, ea_layer layer, ea_severity sev, const char *kind, uint64_t off,
                      uint64_t len, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* ea_bolt_check() that also hands every element of the top-level bucket `bucket` to cb, in
 * key order, during the same walk (one pass for `db check` instead of two). cb returning < 0
 * stops with that error, > 0 stops the calls but not the check. If the check already ran,
 * cb is not called. */
int ea__bolt_check_visit(ea_bolt *b, ea_bolt_check_result *out, const char *bucket, ea_bolt_kv_cb cb,
                         void *payload);

#endif
