/* node_logcheck.c: is the etcd log attached to a node (--logs) really that member's log?
 * A log none of whose lines is recognised, or one written by another member, would put
 * wrong times and leaders on the node: the caller refuses it (or warns, if told to). */
#include "node_int.h"

#include <inttypes.h>
#include <stdio.h>

int ea_node_log_check(const ea_node *n, char *why, size_t cap)
{
	const ea_log_stats *st = &n->logs.stats;
	if (st->lines == 0) {
		snprintf(why, cap, "the log is empty");
		return 1;
	}
	if (st->events == 0 && st->self_id == 0) {
		snprintf(why, cap, "none of its %" PRIu64 " line(s) is an etcd log line (zap JSON or capnslog text) "
		         "that names a member or an event", st->lines);
		return 1;
	}
	if (st->other_self_id) {
		snprintf(why, cap, "it holds lines of two members: %" PRIx64 " (line %" PRIu64 ") and %" PRIx64
		         " (line %" PRIu64 ")", st->self_id, st->self_line, st->other_self_id, st->other_self_line);
		return 1;
	}
	if (st->self_id && n->wal.present && n->wal.summary.have_metadata && st->self_id != n->wal.summary.member_id) {
		snprintf(why, cap, "it was written by member %" PRIx64 " (line %" PRIu64 "), but node %s is member %"
		         PRIx64 " (its WAL metadata)", st->self_id, st->self_line, n->name, n->wal.summary.member_id);
		return 1;
	}
	why[0] = 0;
	return 0;
}
