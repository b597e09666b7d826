/* tracker.h: the raft log as etcd's ReadAll would rebuild it, one entry at a time:
 * last index/term, overwrites (a later entry at an index <= the last one replaces it and
 * everything after), index gaps, and snapshot records that explain a jump forward. */
#ifndef EA_TRACKER_H
#define EA_TRACKER_H

#include <stdint.h>

typedef struct {
	int have;
	uint64_t first_index, last_index, last_term;
	uint64_t max_index;         /* highest index ever written */
	uint64_t snap_index;        /* highest WAL snapshot record index seen */
	uint64_t superseded;        /* entries replaced so far */
} ea_tracker;

typedef enum {
	EA_TRACK_APPEND = 0,        /* last_index + 1 (or first entry) */
	EA_TRACK_OVERWRITE,         /* index <= last: replaced `removed` entries */
	EA_TRACK_SNAPSHOT_JUMP,     /* gap explained by a snapshot record */
	EA_TRACK_GAP                /* gap with no snapshot: entries missing */
} ea_track_result;

ea_track_result ea_tracker_entry(ea_tracker *t, uint64_t index, uint64_t term, uint64_t *removed);
void ea_tracker_snapshot(ea_tracker *t, uint64_t index);

#endif
