/* summary_int.h: the `wal stat` facts as an accumulator fed one WAL item at a time, so the
 * log cursor's first pass can produce them without a pass of its own. */
#ifndef EA_SUMMARY_INT_H
#define EA_SUMMARY_INT_H

#include "etcd-autopsy/raft.h"
#include "tracker.h"

typedef struct {
	ea_wal_summary *s;
	ea_tracker t;
} ea__summary_acc;

void ea__summary_begin(ea__summary_acc *a, ea_wal_summary *s);
int  ea__summary_input_problems(ea__summary_acc *a, ea_input *in);
int  ea__summary_add(ea__summary_acc *a, const ea_wal_item *it);
void ea__summary_end(ea__summary_acc *a);

#endif
