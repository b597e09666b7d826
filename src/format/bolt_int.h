/* bolt_int.h: what the semantic layer may use of the bbolt reader beyond the public API. */
#ifndef EA_BOLT_INT_H
#define EA_BOLT_INT_H

#include "etcd-autopsy/bolt.h"

/* Adds a problem to the handle's list (same dedup by kind + offset, same cap), so that the
 * layers above report theirs (EA_LAYER_MVCC) in one stream with the bbolt ones. */
void ea__bolt_problem(ea_bolt *b, ea_layer layer, ea_severity sev, const char *kind, uint64_t off,
                      uint64_t len, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#endif
