/* etcd-autopsy/render.h: how each record is written for people (a table row on a FILE*) and
 * for machines (a JSON object on an ea_json), in one place per record type (src/output/
 * render_<record>.c). Table text from the evidence (names, URLs, keys, notes) is escaped for the
 * terminal (text.h); JSON keeps the exact bytes (writer.h). The commands only choose which. */
#ifndef EA_RENDER_H
#define EA_RENDER_H

#include "common.h"
#include "bolt.h"
#include "diff.h"
#include "history.h"
#include "k8s.h"
#include "mvcc.h"
#include "replay.h"
#include "lost.h"
#include "snap.h"
#include "space.h"
#include "source.h"
#include "verify.h"
#include "writer.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "25.1 MiB" (binary units; "512 B" below 1 KiB) into buf; returns buf. */
const char *ea_render_human_bytes(char *buf, size_t cap, uint64_t bytes);

/* ---- problems (render_problem.c) ---- */
/* One "PROBLEM <severity> <kind> <file>+<offset> (<n> bytes): <message>" line, plus the advice. */
void ea_render_problem_table(FILE *f, const ea_problem *p);
/* "problems": [...] of the input's then the db's problems, and "problems_dropped" (object keys). */
void ea_render_db_problems_json(ea_json *j, ea_input *in, ea_bolt *b);
/* "problems N" and one indented PROBLEM line each, the input's then the db's. */
void ea_render_db_problems_table(FILE *f, ea_input *in, ea_bolt *b);

/* ---- members: the db's members bucket and a .snap's v2 store (render_member.c) ---- */
/* A db member as {"id", "removed", "name", "peer_urls", "client_urls", "is_learner"}. */
void ea_render_member_json(ea_json *j, const ea_mvcc_member *mb);
/* A db member as the indented `db stat` row: ID, name, peer and client URLs, learner. */
void ea_render_member_table(FILE *f, const ea_mvcc_member *mb);
/* A .snap member as {"id", "removed", "name", "peer_urls", "client_urls"}. */
void ea_render_snap_member_json(ea_json *j, const ea_snap_member *m);
/* A .snap member as the `snap ls` row under its file: "member ID name peer ... client ...". */
void ea_render_snap_member_table(FILE *f, const ea_snap_member *m);

/* ---- leases, alarms, auth users and roles (render_lease.c, render_alarm.c, render_auth.c) ---- */
/* A lease as {"id", "ttl", "remaining_ttl"}. */
void ea_render_lease_json(ea_json *j, const ea_mvcc_lease *l);
/* A lease as the indented `db stat` row. */
void ea_render_lease_table(FILE *f, const ea_mvcc_lease *l);
/* An alarm as {"member_id", "alarm"}. */
void ea_render_alarm_json(ea_json *j, const ea_mvcc_alarm *a);
/* An alarm as the indented `db stat` row. */
void ea_render_alarm_table(FILE *f, const ea_mvcc_alarm *a);
/* An auth user or role as {"type", "name", ...}: permissions of a role, roles and password flags of a user. */
void ea_render_auth_json(ea_json *j, const ea_mvcc_auth_entry *a);
/* An auth user or role as the indented `db stat` row (a password hash is never shown). */
void ea_render_auth_table(FILE *f, const ea_mvcc_auth_entry *a);

/* ---- key revisions: db ls, db ls --salvage, db history (render_kv.c) ---- */
typedef enum {
	EA_RENDER_KV_LS,        /* live keys as of a revision */
	EA_RENDER_KV_HISTORY,   /* every revision of a key: revision, sub and tombstone too */
	EA_RENDER_KV_SALVAGE    /* found by scanning pages: as history, plus page reachability */
} ea_render_kv_mode;
/* The column header line of the key table in that mode. */
void ea_render_kv_header(FILE *f, ea_render_kv_mode mode);
/* One key revision as a JSON Lines object (newline included). */
void ea_render_kv_json(ea_json *j, const ea_mvcc_kv *kv, ea_render_kv_mode mode);
/* One key revision as a table row: revisions, version, lease, printable key = value. */
void ea_render_kv_table(FILE *f, const ea_mvcc_kv *kv, ea_render_kv_mode mode);
/* Where a `db history` row comes from: the db's key bucket, or the member's WAL (a revision the
 * db compacted away: entry index, page/offset meaningless; create/version unknown when !cv_known). */
typedef struct {
	int      wal;                   /* 0 "db", 1 "wal" */
	uint64_t index;                 /* wal: the entry that wrote it */
	int      cv_known;              /* wal: create_revision and version known */
} ea_render_kv_source;
/* `db history`'s header: the history header with the SOURCE column. */
void ea_render_kv_history_header(FILE *f);
/* One `db history` row as JSON Lines: the history object plus "source" (and "wal_index"). */
void ea_render_kv_history_json(ea_json *j, const ea_mvcc_kv *kv, const ea_render_kv_source *src);
/* One `db history` row as a table row with its source. */
void ea_render_kv_history_table(FILE *f, const ea_mvcc_kv *kv, const ea_render_kv_source *src);

/* The same, with the Kubernetes object of the key and value last ("k8s": {...}); k NULL: none. */
void ea_render_kv_json_k8s(ea_json *j, const ea_mvcc_kv *kv, ea_render_kv_mode mode, const ea_k8s_object *k);
/* The same, the value shown as "v1 Pod ns/name 1.1 KiB" when k says what it is; k NULL: raw. */
void ea_render_kv_table_k8s(FILE *f, const ea_mvcc_kv *kv, ea_render_kv_mode mode, const ea_k8s_object *k);

/* ---- Kubernetes objects and kube-apiserver's txns (render_k8s.c) ---- */
/* "k8s": {group, resource, namespace, name, api_version, kind, encoding, encryption, uid,
 * created} as a member of the open object (null where not known). */
void ea_render_k8s_json(ea_json *j, const ea_k8s_object *o);
/* The same member as raw pieces (`,"k8s":{...}`) for a record written from raw pieces. */
void ea_render_k8s_raw_json(ea_json *j, const ea_k8s_object *o);
/* `,"txn":{"op", "compare": [{key, target, result, value}], "lease", "applied"}` (raw); applied:
 * 1 the success branch ran, 0 the failure branch, -1 unknown (null). */
void ea_render_txn_raw_json(ea_json *j, const ea_txn_shape *t, int applied);
/* "v1 Pod payments/checkout-7d9f 1.1 KiB" (encrypted: "encrypted aescbc:key1 1.1 KiB") on f:
 * 1, or 0 with nothing written when the value says no kind. */
int  ea_render_k8s_table(FILE *f, const ea_k8s_object *o, size_t value_len);
/* `db get`: the key's revisions, lease and size as "name value" lines, the Kubernetes object o
 * (NULL: none), then the value escaped, or with `dump` its metadata and raw object (ea_k8s_dump). */
void ea_render_kv_get_table(FILE *f, const ea_mvcc_kv *kv, const ea_k8s_object *o, ea_k8s *dump);
/* `db get -w json`: one object (newline included); with `dump`, "k8s_text" holds its text. */
void ea_render_kv_get_json(ea_json *j, const ea_mvcc_kv *kv, const ea_k8s_object *o, ea_k8s *dump);

/* ---- db stat, check, hash, pages (render_dbstat.c, render_page.c) ---- */
/* Everything `db stat` shows about one db, gathered by the caller. */
typedef struct {
	ea_input *in;
	ea_mvcc *m;
	ea_bolt *b;
	const ea_bolt_check_result *chk;
	const ea_mvcc_info *info;
	const ea_hashkv_result *hk;
	const ea_snapshot_status *ss;
	ea_bolt_trailer_state ts;
	/* extra facts written right after the schema lines (the etcd version facts): j is the open
	 * JSON object, or NULL for the table on f; NULL: none */
	void (*extra)(ea_json *j, FILE *f, void *arg);
	void *extra_arg;
} ea_db_stat_view;
/* `db stat -w json`: one object (newline included) with every fact, members to problems. */
void ea_render_db_stat_json(ea_json *j, const ea_db_stat_view *v);
/* `db stat` table, from the file line down to the members (the caller may add a note there). */
void ea_render_db_stat_table_head(FILE *f, const ea_db_stat_view *v);
/* `db stat` table, from the leases to the problems. */
void ea_render_db_stat_table_tail(FILE *f, const ea_db_stat_view *v);
/* `db check -w json`: one object (newline included): page counts, meta pages, trailer, problems. */
void ea_render_db_check_json(ea_json *j, const ea_db_stat_view *v);
/* `db check` table, ending in OK or DAMAGED. */
void ea_render_db_check_table(FILE *f, const ea_db_stat_view *v);
/* `db hash -w json`: one object (newline included): the HashKV, its revisions and the problems. */
void ea_render_hashkv_json(ea_json *j, const ea_hashkv_result *h, ea_input *in, ea_bolt *b);
/* `db hash` line "PATH, HASH (revision ..., compact revision ..., current revision ...)". */
void ea_render_hashkv_table(FILE *f, const char *path, const ea_hashkv_result *h);
/* The column header line of `db pages`. */
void ea_render_page_header(FILE *f);
/* Page `id` (page size ps) as a JSON Lines object (newline included). */
void ea_render_page_json(ea_json *j, uint64_t id, uint32_t ps, const ea_bolt_page_info *pi);
/* Page `id` (page size ps) as a `db pages` row. */
void ea_render_page_table(FILE *f, uint64_t id, uint32_t ps, const ea_bolt_page_info *pi);

/* ---- db space (render_space.c) ---- */
/* What `db space` shows about one db, gathered by the caller. */
typedef struct {
	ea_input *in;
	ea_bolt *b;
	const ea_space *s;
	unsigned depth;                /* --depth used for the groups */
	const char *rule_basis;        /* why this compaction rule (ea_hashkv_version.basis) */
	int k8s;                       /* --k8s: groups carry "k8s" (Kubernetes group, resource, namespace) */
} ea_db_space_view;
/* `db space -w json`: one object (newline included): sizes, pages, totals, compaction, groups,
 * top keys, problems. */
void ea_render_db_space_json(ea_json *j, const ea_db_space_view *v);
/* `db space` table: sizes, the pages in use by owner, the groups, the top keys, problems. */
void ea_render_db_space_table(FILE *f, const ea_db_space_view *v);

/* ---- snap ls rows (render_snap.c) ---- */
/* The `snap ls` header, the FILE column `fw` wide. */
void ea_render_snap_header(FILE *f, int fw);
/* One .snap / .snap.broken / .snap.db file as a JSON Lines object (newline included). */
void ea_render_snap_file_json(ea_json *j, const ea_snap_info *s);
/* One file as a `snap ls` row, its note (.snap.broken) and its members below it. */
void ea_render_snap_file_table(FILE *f, const ea_snap_info *s, int fw);

/* ---- verify (render_verify.c) ---- */
/* The verdict of `verify` as one JSON object (newline included). */
void ea_render_verify_json(ea_json *j, const ea_verify_result *v);
/* The verdict of `verify` as a table: facts, comparisons, reasons. */
void ea_render_verify_table(FILE *f, const ea_verify_result *v);
/* `verify`, as JSON (json != 0) or as the table, on f. */
void ea_render_verify(FILE *f, int json, const ea_verify_result *v);

/* ---- history and history --terms (render_history.c) ---- */
/* The name of the node whose WAL carries member ID id, else the ID in hex (written to buf). */
const char *ea_render_member_label(ea_node *const *nodes, size_t n, uint64_t id, char *buf, size_t cap);
/* One term as a JSON Lines object (newline included): leader, index range, votes, time. */
void ea_render_term_json(ea_json *j, const ea_term_row *row);
/* The `history --terms` table: one row per term, members by node name, then the totals. */
void ea_render_terms_table(FILE *f, const ea_terms *t, ea_node *const *nodes, size_t n);
/* One timeline event as a JSON Lines object (newline included). */
void ea_render_event_json(ea_json *j, const ea_event *e);
/* The `history` table, in time order where a time is known (else the timeline's order). */
void ea_render_events_table(FILE *f, const ea_event *ev, size_t n);

/* ---- diff (render_diff.c) ---- */
/* One finding as {"kind", "severity", "index", "revision", "nodes": [names], "detail"}. */
void ea_render_finding_json(ea_json *j, const ea_finding *fd, ea_node *const *nodes, size_t n);
/* One finding as the indented `diff` lines: "[severity] kind at index I:" and its detail. */
void ea_render_finding_table(FILE *f, const ea_finding *fd);
/* The result of `diff` as one JSON object (newline included): verdict, nodes, findings, source. */
void ea_render_diff_json(ea_json *j, ea_node *const *nodes, size_t n, const ea_diff *d);
/* The result of `diff` as a table: verdict, one row per node, findings, recommendation. */
void ea_render_diff_table(FILE *f, ea_node *const *nodes, size_t n, const ea_diff *d);
/* `diff`, as JSON (json != 0) or as the table, on f. */
void ea_render_diff(FILE *f, int json, ea_node *const *nodes, size_t n, const ea_diff *d);

/* ---- replay (render_replay.c) ---- */
/* The column header line of the `replay` table. */
void ea_render_replay_header(FILE *f);
/* One replayed entry (or db-only row) as a `replay` table row. */
void ea_render_replay_item_table(FILE *f, const ea_replay_item *it);
/* One replayed entry as {"index", "term", "revision", "kind", "key", "result", "detail", "page"[, "txn_applied"]}. */
void ea_render_replay_item_json(ea_json *j, const ea_replay_item *it);
/* The verdict, window, anchor, counts and first differences under the `replay` table. */
void ea_render_replay_summary_table(FILE *f, const ea_replay_summary *s);
/* The last JSON Lines object of `replay -w json`: {"summary": {...}} (newline included). */
void ea_render_replay_summary_json(ea_json *j, const ea_replay_summary *s);
/* ---- replay --against (render_lost.c) ---- */
/* What the member lost against the reference: both states, totals, prefixes, capped key list. */
void ea_render_lost_table(FILE *f, const char *member, const char *reference, const ea_lost *l);
/* The same as one JSON object {"lost": {...}} (newline included). */
void ea_render_lost_json(ea_json *j, const char *member, const char *reference, const ea_lost *l);

#ifdef __cplusplus
}
#endif
#endif
