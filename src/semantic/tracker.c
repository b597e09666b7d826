/* tracker.c: see tracker.h. */
#include "tracker.h"

ea_track_result ea_tracker_entry(ea_tracker *t, uint64_t index, uint64_t term, uint64_t *removed)
{
	ea_track_result res = EA_TRACK_APPEND;
	*removed = 0;
	if (!t->have) {
		t->have = 1;
		t->first_index = index;
	} else if (index <= t->last_index) {
		uint64_t in_log = t->last_index - t->first_index + 1;
		uint64_t n = t->last_index - index + 1;
		*removed = n < in_log ? n : in_log;
		t->superseded += *removed;
		if (index < t->first_index) t->first_index = index;
		res = EA_TRACK_OVERWRITE;
	} else if (index > t->last_index + 1) {
		if (t->snap_index + 1 >= index && t->snap_index > t->last_index) {
			res = EA_TRACK_SNAPSHOT_JUMP;
		} else {
			res = EA_TRACK_GAP;
		}
	}
	t->last_index = index;
	t->last_term = term;
	if (index > t->max_index) t->max_index = index;
	return res;
}

void ea_tracker_snapshot(ea_tracker *t, uint64_t index)
{
	if (index > t->snap_index) t->snap_index = index;
}
