/* etcd-autopsy/etcdlog.h: etcd's own logs as timed events.
 *
 * Reads zap JSON logs (`--logger=zap`, 3.4+ default in 3.5) and the older text logs
 * (capnslog `2026-11-27 06:14:00.174926 I | pkg: msg`, and the `raft2026/11/27 06:14:02
 * INFO: msg` lines raft prints in that mode, one-second precision), plain or gzip (zlib),
 * from a file or a member of an archive. The lines operators grep for become events:
 * leadership and elections with their term, slow disks and applies, missed heartbeats,
 * NOSPACE, membership changes, snapshots, server start/stop. Unknown lines are counted,
 * never fatal. */
#ifndef EA_ETCDLOG_H
#define EA_ETCDLOG_H

#include "common.h"
#include "source.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	int64_t  time_ms;       /* Unix ms (UTC; text logs are read as UTC), -1 if none */
	const char *event;      /* became-leader, elected-leader, lost-leader, leader-changed,
	                           election-start, became-candidate, became-pre-candidate,
	                           became-follower, heartbeat-late, slow-fdatasync, apply-slow,
	                           nospace, member-added, member-removed, snapshot-saved,
	                           snapshot-applied, server-start, shutdown */
	uint64_t term;          /* 0 if the line has none */
	uint64_t member;        /* subject member ID (who became leader, who was added), 0 if none */
	uint64_t other;         /* elected-leader / lost-leader: the leader's ID */
	uint64_t line;          /* 1-based line number */
	uint64_t offset;        /* byte offset of the line in the (decompressed) log */
	char detail[256];       /* the log message, shortened */
	uint64_t self;          /* the member that wrote the line, when the line says (raft's
	                           "<id> became ...", zap's local-member-id, capnslog's "starting
	                           member <id>"), else 0; set on unrecognised lines too */
} ea_log_event;

typedef struct {
	uint64_t lines, events, unknown, malformed;
	int format_json, format_text;   /* line counts of each kind were > 0 */
	uint64_t self_id, self_line;    /* the member the log was written by (first line saying so), 0 if none */
	uint64_t other_self_id, other_self_line;   /* a second writer: lines of two members mixed, 0 if none */
} ea_log_stats;

typedef int (*ea_log_event_cb)(const ea_log_event *ev, void *payload);

/* Reads file `file_idx` of `in` (gzip detected by its magic bytes) and calls cb for each
 * recognised line. Lines are bounded (64 KiB; longer ones are counted as malformed). */
int ea_etcdlog_read(ea_input *in, size_t file_idx, ea_log_event_cb cb, void *payload,
                    ea_log_stats *stats, ea_error *err);

/* Parses one line (without the newline); returns 1 if it is a recognised event. */
int ea_etcdlog_parse_line(const char *line, size_t len, ea_log_event *out, int *is_json);

#ifdef __cplusplus
}
#endif
#endif
