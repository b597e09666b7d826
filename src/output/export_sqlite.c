/* export_sqlite.c: the incident database (see export.h and docs/schema.md).
 *
 * Load order and speed: the file is created with journal_mode=OFF, synchronous=OFF and an
 * exclusive lock, tables with only the indexes whose keys arrive in order (early_index_sql); then
 *   1. nodes, meta, input_files (SHA-256 of the inputs)
 *   2. per node, one ea_log pass: wal_records, entries, hard_states and the WAL's problems
 *      stream out of the same cursor
 *   3. per node, the key bucket (ea_mvcc_foreach): revisions; read by the replay's db-only walk
 *      at the end of 2 where it runs (ea_replay_options.on_db_kv), else after every stream
 *      (2 and 3 are one transaction; their rows are built in this thread and inserted by a
 *      second one through a bounded queue, export_feed.h, in the same order)
 *   4. one transaction for the analysis results and small buckets: terms, votes, snapshots,
 *      conf_changes, members, leases, alarms, auth, events, problems, findings, verdict
 *   5. the other indexes, ANALYZE, close, rename over the output.
 * Every insert goes through one prepared statement per table, reused (reset + rebind), and
 * strings/blobs are bound SQLITE_STATIC straight from the cursor's borrowed buffers. */
#include "etcd-autopsy/export.h"
#include "etcd-autopsy/entry_iter.h"
#include "etcd-autopsy/replay.h"
#include "etcd-autopsy/diff.h"
#include "etcd-autopsy/snap.h"
#include "etcd-autopsy/walltime.h"
#include "etcd-autopsy/walltime_log.h"
#include "etcd-autopsy/writer.h"
#include "etcd-autopsy/k8s.h"
#include "util/arena.h"
#include "util/jsonp.h"
#include "export_feed.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <pthread.h>

#define MAX_NODES 32
_Static_assert(sizeof ((ea_export_stats *)0)->replay_verdict / sizeof(int) == MAX_NODES, "one replay verdict per node");

static const char *const table_names[EA_EXPORT_T_COUNT] = {
	"meta", "nodes", "input_files", "wal_segments", "wal_records", "entries", "hard_states",
	"terms", "votes", "snapshots", "conf_changes", "revisions", "members", "leases", "alarms",
	"auth", "events", "problems", "findings", "verdict"
};

const char *ea_export_table_name(ea_export_table t)
{
	return (unsigned)t < EA_EXPORT_T_COUNT ? table_names[t] : "?";
}

/* ---- the schema: every table's columns, described once (docs/schema.md documents each) ----
 *
 * A table is a list of C(name, SQL type, getter): the CREATE TABLE text, the INSERT's `?` list
 * and the binds are all produced from it (see EX_TABLE below), so a column is one line here
 * (plus its row in docs/schema.md, which tests/cli/test_export_columns.sh checks). A getter is
 * an expression over `r`, the table's row view, giving a cell (v_text, v_u64, v_hex, ...;
 * v_null() is SQL NULL). revisions.value is only there with --values. */
typedef enum { V_NULL, V_INT, V_TEXT, V_HEX, V_KEY, V_BLOB } cell_kind;
typedef struct { cell_kind k; int64_t i; const void *p; size_t n; } cell;

static cell v_null(void) { return (cell){ V_NULL, 0, NULL, 0 }; }
static cell v_int(int64_t v) { return (cell){ V_INT, v, NULL, 0 }; }
static cell v_u64(uint64_t v) { return v_int((int64_t)v); }
static cell v_bool(int b) { return v_int(b ? 1 : 0); }
static cell v_tri(int b) { return b < 0 ? v_null() : v_bool(b); }          /* 1, 0, NULL for -1 */
static cell v_off(uint64_t off) { return off == EA_NO_OFFSET ? v_null() : v_u64(off); }
static cell v_text(const char *s) { return s ? (cell){ V_TEXT, 0, s, 0 } : v_null(); }
static cell v_hex(uint64_t id) { return id ? (cell){ V_HEX, (int64_t)id, NULL, 0 } : v_null(); }   /* IDs; 0 = none */
static cell v_key(const uint8_t *k, size_t n) { return k ? (cell){ V_KEY, 0, k, n } : v_null(); }
static cell v_blob(const void *p, size_t n) { return (cell){ V_BLOB, 0, p, n }; }
static cell v_k8s(ea_k8s_str s) { return v_key((const uint8_t *)s.p, s.n); }   /* a decoded k8s string, as keys */

typedef struct { const char *key, *value; } meta_row;
#define COLS_meta(C) \
	C(key, "TEXT NOT NULL", v_text(r->key)) \
	C(value, "TEXT", v_text(r->value))

typedef struct {
	const ea_node *nd;
	const ea_wal_summary *w;
	int wal, db;                    /* the node has a WAL / a readable db (then `info` is set) */
	const ea_mvcc_info *info;
	const char *kind, *input_kind;
} nodes_row;
#define COLS_nodes(C) \
	C(node, "TEXT NOT NULL", v_text(ea_node_name(r->nd))) \
	C(path, "TEXT", v_text(ea_node_path(r->nd))) \
	C(member_id, "TEXT", r->wal && r->w->have_metadata ? v_hex(r->w->member_id) : v_null()) \
	C(cluster_id, "TEXT", r->wal && r->w->have_metadata ? v_hex(r->w->cluster_id) : v_null()) \
	C(kind, "TEXT", v_text(r->kind)) \
	C(first_index, "INTEGER", r->wal && r->w->have_entries ? v_u64(r->w->first_index) : v_null()) \
	C(last_index, "INTEGER", r->wal && r->w->have_entries ? v_u64(r->w->last_index) : v_null()) \
	C(last_term, "INTEGER", r->wal && r->w->have_entries ? v_u64(r->w->last_term) : v_null()) \
	C(commit_index, "INTEGER", r->wal && r->w->have_hard_state ? v_u64(r->w->hard_state.commit) : v_null()) \
	C(consistent_index, "INTEGER", r->db && r->info->have_consistent_index ? v_u64(r->info->consistent_index) : v_null()) \
	C(revision, "INTEGER", r->db ? v_int(ea_node_db(r->nd)->revision) : v_null()) \
	C(compact_revision, "INTEGER", r->db ? v_int(ea_node_db(r->nd)->compact_revision) : v_null()) \
	C(hash, "INTEGER", r->db && ea_node_db(r->nd)->hash_revision > 0 ? v_u64(ea_node_db(r->nd)->hash) : v_null()) \
	C(storage_version, "TEXT", r->db ? v_text(r->info->storage_version) : v_null()) \
	C(hash_revision, "INTEGER", r->db && ea_node_db(r->nd)->hash_revision > 0 ? v_int(ea_node_db(r->nd)->hash_revision) : v_null()) \
	C(hard_state_term, "INTEGER", r->wal && r->w->have_hard_state ? v_u64(r->w->hard_state.term) : v_null()) \
	C(hard_state_vote, "TEXT", r->wal && r->w->have_hard_state ? v_hex(r->w->hard_state.vote) : v_null()) \
	C(wal_dir, "TEXT", r->wal ? v_text(ea_node_wal(r->nd)->dir) : v_null()) \
	C(db_file, "TEXT", v_text(ea_node_db(r->nd)->file)) \
	C(db_error, "TEXT", v_text(ea_node_db(r->nd)->unreadable)) \
	C(wal_entries, "INTEGER", r->wal ? v_u64(r->w->entries) : v_null()) \
	C(superseded, "INTEGER", r->wal ? v_u64(r->w->superseded) : v_null()) \
	C(cluster_version, "TEXT", r->db && r->info->cluster_version[0] ? v_text(r->info->cluster_version) : v_null()) \
	C(input_kind, "TEXT", v_text(r->input_kind)) \
	C(schema, "TEXT", r->db && r->info->schema.ok ? v_text(r->info->schema.version) : v_null())

typedef struct { const char *node, *scope, *file; uint64_t size; const char *sha256; } input_files_row;
#define COLS_input_files(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(scope, "TEXT", v_text(r->scope)) \
	C(file, "TEXT", v_text(r->file)) \
	C(size, "INTEGER", v_u64(r->size)) \
	C(sha256, "TEXT", v_text(r->sha256))

typedef struct {
	const char *node;
	const char *file;
	uint64_t seq, first_index, size, used;
	const char *mtime;              /* NULL if unknown */
} wal_segments_row;
#define COLS_wal_segments(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(file, "TEXT", v_text(r->file)) \
	C(seq, "INTEGER", v_u64(r->seq)) \
	C(first_index, "INTEGER", v_u64(r->first_index)) \
	C(size, "INTEGER", v_u64(r->size)) \
	C(used_bytes, "INTEGER", v_u64(r->used)) \
	C(mtime, "TEXT", v_text(r->mtime))

typedef struct { const char *node; const ea_wal_record *rec; } wal_records_row;
#define COLS_wal_records(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(file, "TEXT", v_text(r->rec->file)) \
	C(offset, "INTEGER", v_u64(r->rec->offset)) \
	C(record_type, "TEXT", v_text(ea_wal_record_type_name(r->rec->type))) \
	C(length, "INTEGER", v_u64(r->rec->length)) \
	C(crc_ok, "INTEGER", v_tri(r->rec->crc_ok)) \
	C(crc, "INTEGER", v_u64(r->rec->crc))

/* The Kubernetes object of an entry or a revision (row member k8s), as `wal ls`/`db ls` show it. */
#define K8S_COLS(C) \
	C(k8s_group, "TEXT", v_k8s(r->k8s->group)) \
	C(k8s_resource, "TEXT", v_k8s(r->k8s->resource)) \
	C(k8s_namespace, "TEXT", v_k8s(r->k8s->ns)) \
	C(k8s_name, "TEXT", v_k8s(r->k8s->name)) \
	C(k8s_kind, "TEXT", v_k8s(r->k8s->kind)) \
	C(k8s_api_version, "TEXT", v_k8s(r->k8s->api_version)) \
	C(k8s_encoding, "TEXT", v_text(ea_k8s_encoding_name(r->k8s->encoding)))

typedef struct {
	const char *node;
	const ea_entry_item *it;
	const ea_wal_record *rec;
	const ea_entry_header *e;
	const ea_entry_info *info;
	const char *started;            /* the proposer's start time as text, NULL if none */
	int64_t revision;               /* the main revision it made (replay), 0 none or unknown */
	int txn_applied;                /* txn: 1 success branch, 0 failure, -1 not a txn or unknown */
	const ea_k8s_object *k8s;       /* the Kubernetes object it writes (all unknown: not one) */
	const char *approx_time, *time_source, *time_error_s;   /* walltime.h; NULL when unknown */
} entries_row;
#define COLS_entries(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(idx, "INTEGER", v_u64(r->e->index)) \
	C(term, "INTEGER", v_u64(r->e->term)) \
	C(type, "TEXT", v_text(entry_type_name(r->e->type))) \
	C(kind, "TEXT", v_text(r->info->kind)) \
	C(key, "", v_key(r->info->key, r->info->key_len)) \
	C(size, "INTEGER", v_u64(r->e->data_len)) \
	C(data_crc32c, "INTEGER", v_u64(ea_crc32c(0, r->e->data, r->e->data_len))) \
	C(request_id, "TEXT", v_hex(r->info->request_id)) \
	C(proposer, "TEXT", r->info->request_id ? v_text(r->it->proposer_name) : v_null()) \
	C(file, "TEXT", v_text(r->rec->file)) \
	C(offset, "INTEGER", v_u64(r->rec->offset)) \
	C(superseded, "INTEGER", v_bool(r->it->state == EA_ENTRY_SUPERSEDED)) \
	C(committed, "INTEGER", v_bool(r->it->state == EA_ENTRY_COMMITTED)) \
	C(superseded_by_term, "INTEGER", r->it->log.superseded ? v_u64(r->it->log.superseded_by_term) : v_null()) \
	C(crc_ok, "INTEGER", v_tri(r->rec->crc_ok)) \
	C(range_end, "", v_key(r->info->range_end, r->info->range_end_len)) \
	C(proposer_started, "TEXT", v_text(r->started)) \
	C(detail, "TEXT", r->info->detail && *r->info->detail ? v_text(r->info->detail) : v_null()) \
	C(revision, "INTEGER", r->revision > 0 ? v_int(r->revision) : v_null()) \
	C(txn_applied, "INTEGER", v_tri(r->txn_applied)) \
	C(txn_op, "TEXT", r->info->txn ? v_text(ea_k8s_txn_op(r->info->txn)) : v_null()) \
	K8S_COLS(C) \
	C(approx_time, "TEXT", v_text(r->approx_time)) \
	C(time_source, "TEXT", v_text(r->time_source)) \
	C(time_error_s, "REAL", v_text(r->time_error_s))

typedef struct { const char *node; uint64_t seq; const ea_wal_record *rec; } hard_states_row;
#define COLS_hard_states(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(seq, "INTEGER", v_u64(r->seq)) \
	C(term, "INTEGER", v_u64(r->rec->u.state.term)) \
	C(vote, "TEXT", v_hex(r->rec->u.state.vote)) \
	C(commit_index, "INTEGER", v_u64(r->rec->u.state.commit)) \
	C(file, "TEXT", v_text(r->rec->file)) \
	C(offset, "INTEGER", v_u64(r->rec->offset))

typedef struct { const ea_term_row *tr; const char *time; } terms_row;   /* time: NULL without logs */
#define COLS_terms(C) \
	C(term, "INTEGER NOT NULL", v_u64(r->tr->term)) \
	C(leader, "TEXT", v_hex(r->tr->leader)) \
	C(first_index, "INTEGER", r->tr->entries ? v_u64(r->tr->first_index) : v_null()) \
	C(last_index, "INTEGER", r->tr->entries ? v_u64(r->tr->last_index) : v_null()) \
	C(entries, "INTEGER", v_u64(r->tr->entries)) \
	C(failed_election, "INTEGER", v_bool(r->tr->failed_election)) \
	C(leader_basis, "TEXT", v_text(r->tr->leader_basis)) \
	C(time, "TEXT", v_text(r->time)) \
	C(time_source, "TEXT", r->time ? v_text("log") : v_null()) \
	C(log_leader, "TEXT", v_hex(r->tr->log_leader))

typedef struct { uint64_t term, voter, voted_for; } votes_row;
#define COLS_votes(C) \
	C(term, "INTEGER NOT NULL", v_u64(r->term)) \
	C(voter, "TEXT", v_hex(r->voter)) \
	C(voted_for, "TEXT", v_hex(r->voted_for))

typedef struct {
	const char *node, *source;
	cell term, idx;
	const char *voters, *learners, *file;
	cell offset, crc_ok, size;
} snapshots_row;
#define COLS_snapshots(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(source, "TEXT", v_text(r->source)) \
	C(term, "INTEGER", r->term) \
	C(idx, "INTEGER", r->idx) \
	C(voters, "TEXT", v_text(r->voters)) \
	C(learners, "TEXT", v_text(r->learners)) \
	C(file, "TEXT", v_text(r->file)) \
	C(offset, "INTEGER", r->offset) \
	C(crc_ok, "INTEGER", r->crc_ok) \
	C(size, "INTEGER", r->size)

typedef struct {
	const char *node;
	const ea_conf_change *cc;
	const char *change, *name, *peer_urls;   /* name, peer_urls: from the member JSON, NULL if none */
	int is_learner;                          /* -1: the entry carries no member */
} conf_changes_row;
#define COLS_conf_changes(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(idx, "INTEGER", v_u64(r->cc->index)) \
	C(term, "INTEGER", v_u64(r->cc->term)) \
	C(change, "TEXT", v_text(r->change)) \
	C(member_id, "TEXT", v_hex(r->cc->member_id)) \
	C(name, "TEXT", v_text(r->name)) \
	C(peer_urls, "TEXT", v_text(r->peer_urls)) \
	C(committed, "INTEGER", v_bool(r->cc->committed)) \
	C(superseded, "INTEGER", v_bool(r->cc->superseded)) \
	C(is_learner, "INTEGER", v_tri(r->is_learner))

typedef struct {
	const char *node;
	const ea_mvcc_kv *kv;
	int live;                       /* decoded, no tombstone */
	int wal;                        /* 1: a revision the db compacted away, from the member's WAL */
	int cv;                         /* create_revision and version known (wal rows may not) */
	const ea_k8s_object *k8s;       /* its Kubernetes object (all unknown: not one) */
} revisions_row;
#define COLS_revisions(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(main, "INTEGER", v_int(r->kv->main)) \
	C(sub, "INTEGER", v_int(r->kv->sub)) \
	C(tombstone, "INTEGER", v_bool(r->kv->tombstone)) \
	C(key, "", v_key(r->kv->key, r->kv->key_len)) \
	C(create_revision, "INTEGER", r->live && r->cv ? v_int(r->kv->create_revision) : v_null()) \
	C(mod_revision, "INTEGER", r->live ? v_int(r->kv->mod_revision) : v_null()) \
	C(version, "INTEGER", r->live && r->cv ? v_int(r->kv->version) : v_null()) \
	C(lease, "TEXT", r->live ? v_hex((uint64_t)r->kv->lease) : v_null()) \
	C(value_size, "INTEGER", r->live ? v_u64(r->kv->value_len) : v_null()) \
	C(value_crc32c, "INTEGER", r->live ? v_u64(ea_crc32c(0, r->kv->value, r->kv->value_len)) : v_null()) \
	C(page, "INTEGER", r->wal ? v_null() : v_u64(r->kv->page)) \
	C(offset, "INTEGER", r->wal ? v_null() : v_u64(r->kv->offset)) \
	C(decode_ok, "INTEGER", v_bool(r->kv->decode_ok)) \
	C(source, "TEXT", v_text(r->wal ? "wal" : "db")) \
	K8S_COLS(C) \
	C(value, "BLOB", r->live ? v_blob(r->kv->value_len ? (const void *)r->kv->value : "", r->kv->value_len) : v_null())

typedef struct { const char *node; const ea_mvcc_member *mb; } members_row;
#define COLS_members(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(member_id, "TEXT", v_hex(r->mb->id)) \
	C(name, "TEXT", v_text(r->mb->name)) \
	C(peer_urls, "TEXT", v_text(r->mb->peer_urls)) \
	C(client_urls, "TEXT", v_text(r->mb->client_urls)) \
	C(is_learner, "INTEGER", v_bool(r->mb->is_learner)) \
	C(removed, "INTEGER", v_bool(r->mb->removed))

typedef struct { const char *node; const ea_mvcc_lease *l; } leases_row;
#define COLS_leases(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(lease_id, "TEXT", v_hex((uint64_t)r->l->id)) \
	C(ttl, "INTEGER", v_int(r->l->ttl)) \
	C(remaining_ttl, "INTEGER", v_int(r->l->remaining_ttl))

typedef struct { const char *node; const ea_mvcc_alarm *a; } alarms_row;
#define COLS_alarms(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(member_id, "TEXT", v_hex(r->a->member_id)) \
	C(alarm, "TEXT", v_text(r->a->alarm_name))

/* users and roles, never password hashes (ea_mvcc_auth does not copy them out) */
typedef struct { const char *node; const ea_mvcc_auth_entry *a; } auth_row;
#define COLS_auth(C) \
	C(node, "TEXT NOT NULL", v_text(r->node)) \
	C(name, "TEXT", v_text(r->a->name)) \
	C(is_role, "INTEGER", v_bool(r->a->is_role)) \
	C(roles, "TEXT", r->a->is_role ? v_null() : v_text(r->a->roles)) \
	C(has_password, "INTEGER", r->a->is_role ? v_null() : v_bool(r->a->has_password)) \
	C(no_password, "INTEGER", r->a->is_role ? v_null() : v_bool(r->a->no_password)) \
	C(permissions, "INTEGER", r->a->is_role ? v_u64(r->a->permissions) : v_null())

typedef struct { const ea_event *e; const char *time; uint64_t seq; } events_row;   /* time: NULL if unknown */
#define COLS_events(C) \
	C(node, "TEXT", v_text(r->e->node)) \
	C(time, "TEXT", v_text(r->time)) \
	C(time_source, "TEXT", v_text(r->e->time_source)) \
	C(event, "TEXT", v_text(r->e->event)) \
	C(term, "INTEGER", r->e->term ? v_u64(r->e->term) : v_null()) \
	C(idx, "INTEGER", r->e->index ? v_u64(r->e->index) : v_null()) \
	C(detail, "TEXT", v_text(r->e->detail)) \
	C(time_ms, "INTEGER", r->e->time_ms >= 0 ? v_int(r->e->time_ms) : v_null()) \
	C(seq, "INTEGER", v_u64(r->seq))

typedef struct { const char *node; const ea_problem *p; } problems_row;
#define COLS_problems(C) \
	C(node, "TEXT", v_text(r->node)) \
	C(layer, "TEXT", v_text(ea_layer_name(r->p->layer))) \
	C(severity, "TEXT", v_text(ea_severity_name(r->p->severity))) \
	C(kind, "TEXT", v_text(r->p->kind)) \
	C(file, "TEXT", v_text(r->p->file)) \
	C(offset, "INTEGER", v_off(r->p->offset)) \
	C(length, "INTEGER", r->p->length ? v_u64(r->p->length) : v_null()) \
	C(message, "TEXT", v_text(r->p->message))

typedef struct { const ea_finding *fd; const char *nodes; } findings_row;
#define COLS_findings(C) \
	C(kind, "TEXT", v_text(r->fd->kind)) \
	C(severity, "TEXT", v_text(r->fd->severity)) \
	C(idx, "INTEGER", r->fd->index ? v_u64(r->fd->index) : v_null()) \
	C(revision, "INTEGER", r->fd->revision >= 0 ? v_int(r->fd->revision) : v_null()) \
	C(nodes, "TEXT", v_text(r->nodes)) \
	C(detail, "TEXT", v_text(r->fd->detail))

typedef struct { const ea_diff *d; const char *recommended; } verdict_row;
#define COLS_verdict(C) \
	C(verdict, "TEXT", v_text(ea_verdict_name(r->d->verdict))) \
	C(recommended_source, "TEXT", v_text(r->recommended)) \
	C(recommendation, "TEXT", v_text(r->d->recommendation)) \
	C(first_divergent_index, "INTEGER", r->d->first_divergent_index ? v_u64(r->d->first_divergent_index) : v_null())

/* One row per Kubernetes object and node: its entries (writes: not superseded and not a txn
 * whose failure branch ran; failed_cas: apiserver txns whose failure branch ran), its db
 * revisions, whether the db's newest revision of it is a tombstone or it has none. */
#define K8S_OBJECTS_VIEW \
	"CREATE VIEW k8s_objects AS\n" \
	"WITH w AS (\n" \
	"  SELECT node, key, max(k8s_group) AS g, max(k8s_resource) AS res, max(k8s_namespace) AS ns,\n" \
	"         max(k8s_name) AS name, max(k8s_kind) AS kind, sum(txn_applied IS NOT 0) AS writes,\n" \
	"         sum(txn_applied = 0 AND txn_op IN ('create', 'update', 'delete')) AS failed_cas,\n" \
	"         min(approx_time) AS first_time, max(approx_time) AS last_time\n" \
	"    FROM entries WHERE k8s_resource IS NOT NULL AND NOT superseded GROUP BY node, key),\n" \
	"r AS (\n" \
	"  SELECT node, key, max(k8s_group) AS g, max(k8s_resource) AS res, max(k8s_namespace) AS ns,\n" \
	"         max(k8s_name) AS name, max(k8s_kind) AS kind, sum(source = 'db') AS kept,\n" \
	"         sum(CASE WHEN source = 'db' THEN value_size END) AS bytes\n" \
	"    FROM revisions WHERE k8s_resource IS NOT NULL GROUP BY node, key),\n" \
	"o AS (SELECT node, key FROM w UNION SELECT node, key FROM r)\n" \
	"SELECT o.node, o.key, COALESCE(r.g, w.g) AS api_group, COALESCE(r.res, w.res) AS resource,\n" \
	"       COALESCE(r.ns, w.ns) AS namespace, COALESCE(r.name, w.name) AS name,\n" \
	"       COALESCE(r.kind, w.kind) AS kind, COALESCE(w.writes, 0) AS writes,\n" \
	"       COALESCE(w.failed_cas, 0) AS failed_cas, COALESCE(r.kept, 0) AS revisions_kept,\n" \
	"       w.first_time, w.last_time,\n" \
	"       CASE WHEN (SELECT n.revision FROM nodes n WHERE n.node = o.node) IS NULL THEN NULL\n" \
	"            ELSE COALESCE((SELECT x.tombstone FROM revisions x WHERE x.key = o.key AND x.node = o.node\n" \
	"                            AND x.source = 'db' ORDER BY x.main DESC, x.sub DESC LIMIT 1), 1) END AS deleted,\n" \
	"       COALESCE(r.bytes, 0) AS bytes\n" \
	"  FROM o LEFT JOIN w ON w.node = o.node AND w.key IS o.key\n" \
	"       LEFT JOIN r ON r.node = o.node AND r.key IS o.key;\n"

/* What follows the tables in the schema: the view over them. */
static const char schema_tail_sql[] =
	"CREATE TABLE term_clock(term INTEGER PRIMARY KEY, clock_time TEXT);\n"
	"CREATE VIEW timeline AS\n"
	"WITH u(time, time_source, term, idx, node, source, event, detail) AS (\n"
	"  SELECT time, time_source, term, idx, node, 'event', event, detail FROM events\n"
	"   WHERE event NOT IN ('conf-change', 'snapshot', 'problem', 'superseded')\n"
	"  UNION ALL SELECT NULL, NULL, term, idx, node, 'conf_change', 'conf-change:' || change,\n"
	"         COALESCE(member_id, '') || COALESCE(' ' || name, '') ||\n"
	"         CASE WHEN superseded THEN ' (superseded)' WHEN committed THEN ' (committed)'\n"
	"              ELSE ' (not committed)' END FROM conf_changes\n"
	"  UNION ALL SELECT NULL, NULL, term, idx, node, 'snapshot', 'snapshot:' || source,\n"
	"         COALESCE(file, '') FROM snapshots WHERE idx > 0\n"
	"  UNION ALL SELECT NULL, NULL, term, idx, node, 'entry', 'superseded-entry',\n"
	"         kind || ' overwritten by term ' || COALESCE(superseded_by_term, '?') ||\n"
	"         ' (' || file || '+' || offset || ')' FROM entries WHERE superseded\n"
	"  UNION ALL SELECT NULL, NULL, NULL, NULL, node, 'problem', kind,\n"
	"         severity || ' ' || COALESCE(file, '-') || COALESCE('+' || offset, '') || ': ' || message\n"
	"         FROM problems WHERE severity <> 'info'\n"
	"  UNION ALL SELECT NULL, NULL, NULL, NULLIF(idx, 0), nodes, 'finding', kind,\n"
	"         severity || ': ' || detail FROM findings)\n"
	"SELECT COALESCE(u.time, c.clock_time, CASE WHEN u.term IS NOT NULL THEN '' END) AS approx_time,\n"
	"       u.time, u.time_source, u.term, u.idx, u.node, u.source, u.event, u.detail\n"
	"  FROM u LEFT JOIN term_clock c ON c.term = u.term\n"
	" ORDER BY approx_time IS NULL, approx_time, u.term IS NULL, u.term, u.idx IS NULL, u.idx,\n"
	"          u.node, u.source, u.event;\n"
	K8S_OBJECTS_VIEW;

/* Indexes whose keys arrive in (nearly) ascending order: a node's WAL records, entries and hard
 * states in WAL order, its revisions in revision order. Created with the tables, they are kept
 * up to date by the SQLite thread as rows arrive (appends at the right edge), alongside the
 * load, instead of sorted by this thread after it. */
static const char early_index_sql[] =
	"CREATE INDEX entries_node_idx ON entries(node, idx);\n"
	"CREATE INDEX entries_node_term ON entries(node, term);\n"
	"CREATE INDEX wal_records_node_file ON wal_records(node, file, offset);\n"
	"CREATE INDEX hard_states_node_term ON hard_states(node, term);\n"
	"CREATE INDEX revisions_node_main ON revisions(node, main, sub);\n"
	"CREATE INDEX revisions_main ON revisions(main);\n";

/* The indexes built after the load: keys in random order (a sort is cheaper) and small tables. */
static const char index_sql[] =
	"CREATE INDEX entries_key ON entries(key);\n"
	"CREATE INDEX revisions_key ON revisions(key, main);\n"
	"CREATE INDEX conf_changes_node_idx ON conf_changes(node, idx);\n"
	"CREATE INDEX events_term_idx ON events(term, idx);\n"
	"CREATE INDEX problems_node_file ON problems(node, file, offset);\n"
	"CREATE INDEX terms_term ON terms(term);\n"
	"CREATE INDEX votes_term ON votes(term);\n"
	"CREATE INDEX meta_key ON meta(key);\n";


#define EX_MAX_COLS 32

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *st[EA_EXPORT_T_COUNT];
	ea_export_options o;
	ea_export_stats *stats;
	ea_error *err;
	ea_member_set known;           /* member IDs of every node, to name request proposers */
	char hexbuf[EX_MAX_COLS + 1][24];   /* hex IDs bound SQLITE_STATIC, one per column */
	int ncols[EA_EXPORT_T_COUNT];       /* columns of each table in this export */
	uint64_t bound[EA_EXPORT_T_COUNT];  /* per table, bit i: column i holds a value from the last row */
	struct hash_job *hash;         /* the inputs' SHA-256, computed alongside the load */
	ea_k8s *k8s;                   /* decodes the Kubernetes keys and values (o.k8s_prefix) */
	ea__xfeed *feed;               /* the SQLite thread's queue during the bulk load, else NULL */
	char feed_msg[512];            /* the SQLite thread's error */
} ex;

static int ex_fail(ex *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ex_fail(ex *x, int code, const char *fmt, ...)
{
	if (x->err && !x->err->msg[0]) {
		x->err->code = code;
		x->err->layer = EA_LAYER_ANALYSIS;
		x->err->offset = EA_NO_OFFSET;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->err->msg, sizeof x->err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int sql_fail(ex *x, const char *what)
{
	return ex_fail(x, EA_EIO, "sqlite: %s: %s", what, sqlite3_errmsg(x->db));
}

static int stopped(const ex *x)
{
	return x->o.stop && *x->o.stop;
}

static int exec(ex *x, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(x->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ex_fail(x, EA_EIO, "sqlite: %s", msg ? msg : sqlite3_errmsg(x->db));
		sqlite3_free(msg);
		return EA_EIO;
	}
	return EA_OK;
}

/* SQLite's own temp files (the index builds' sorts when they outgrow the page cache) go where
 * every temp file of this program goes, $TMPDIR or /tmp (SQLite alone would pick /var/tmp
 * without TMPDIR); in memory when that directory is not usable. */
static int temp_files(ex *x)
{
	const char *t = getenv("TMPDIR");
	char *q = sqlite3_mprintf("PRAGMA temp_store_directory=%Q", t && *t ? t : "/tmp");
	int ok = q && sqlite3_exec(x->db, q, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_free(q);
	return exec(x, ok ? "PRAGMA temp_store=FILE;" : "PRAGMA temp_store=MEMORY;");
}

/* well-formed UTF-8 (RFC 3629, as the JSON writer checks it: no surrogates, overlongs or
 * code points above U+10FFFF) without NUL */
static int utf8_text(const uint8_t *p, size_t n)
{
	return (n == 0 || !memchr(p, 0, n)) && ea_utf8_valid(p, n);
}

/* v as lower-case hex without leading zeros (printf's %x), NUL-terminated; its length */
static int hex_text(char out[17], uint64_t v)
{
	int n = 1;
	for (uint64_t t = v >> 4; t; t >>= 4) n++;
	out[n] = 0;
	for (int k = n - 1; k >= 0; k--, v >>= 4) out[k] = "0123456789abcdef"[v & 15];
	return n;
}

/* Binds column i (1-based) of s. etcd keys are bytes: TEXT when they are valid UTF-8 without
 * NUL (so `key = '/foo'` works), else BLOB; the same rule everywhere, so entries.key and
 * revisions.key join. Member/cluster/lease IDs are lower-case hex TEXT. Everything is bound
 * SQLITE_STATIC: the row's data lives until the statement is stepped. Bindings stay from row
 * to row (no sqlite3_clear_bindings): a NULL cell unbinds only a column the last row set,
 * so the columns that are always NULL cost nothing. */
static void bind_cell(ex *x, sqlite3_stmt *s, uint64_t *bound, int i, cell c)
{
	uint64_t bit = UINT64_C(1) << i;
	if (c.k == V_NULL) {
		if (*bound & bit) sqlite3_bind_null(s, i);
		*bound &= ~bit;
		return;
	}
	*bound |= bit;
	switch (c.k) {
	case V_NULL: break;
	case V_INT: sqlite3_bind_int64(s, i, (sqlite3_int64)c.i); break;
	case V_TEXT: sqlite3_bind_text(s, i, c.p, -1, SQLITE_STATIC); break;
	case V_HEX: {
		int n = hex_text(x->hexbuf[i], (uint64_t)c.i);
		sqlite3_bind_text(s, i, x->hexbuf[i], n, SQLITE_STATIC);
		break;
	}
	case V_KEY:
		if (utf8_text(c.p, c.n)) sqlite3_bind_text(s, i, c.p, (int)c.n, SQLITE_STATIC);
		else sqlite3_bind_blob(s, i, c.p, (int)c.n, SQLITE_STATIC);
		break;
	case V_BLOB: sqlite3_bind_blob(s, i, c.p, (int)c.n, SQLITE_STATIC); break;
	}
}

static int row(ex *x, ea_export_table t)
{
	sqlite3_stmt *s = x->st[t];
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) return sql_fail(x, table_names[t]);
	x->stats->rows[t]++;
	return EA_OK;
}

/* ---- the feeder (export_feed.h): during the bulk load (WAL streams and key buckets) this
 * thread decodes, replays and builds rows, and a second thread owns the SQLite connection.
 * A row crosses as a record in a batch: {table, n, bytes} then n fcells then their bytes
 * (hex IDs already formatted, keys already classified TEXT or BLOB), so the SQLite thread only
 * binds and steps, in the same order as without it. */
typedef struct { uint32_t t, n; uint64_t bytes; } frow;
typedef struct { uint32_t k; uint32_t pad; int64_t i; uint64_t n; } fcell;   /* k: V_NULL, V_INT, V_TEXT, V_BLOB */

/* SQLite's page cache (KiB, negative): small during the load, whose trees grow mostly at their
 * right edge while the replay's key model is at its largest (the peak RSS: real n1 77 -> 61 MiB,
 * CPU unchanged), larger for the index sorts after it */
#define BULK_CACHE "-2048"
#define INDEX_CACHE "-16384"
#define FEED_BATCHES 4
#define FEED_BATCH_BYTES (256u << 10)

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Queues one row (the cells' bytes are copied: they may be gone once this returns). */
static int feed_row(ex *x, ea_export_table t, const cell *c, int n)
{
	size_t data = 0;
	for (int k = 0; k < n; k++)
		data += c[k].k == V_TEXT ? strlen(c[k].p) : c[k].k == V_HEX ? 16 : c[k].k == V_KEY || c[k].k == V_BLOB ? c[k].n : 0;
	size_t need = sizeof(frow) + (size_t)n * sizeof(fcell) + pad8(data);
	unsigned char *p = ea__xfeed_reserve(x->feed, need);
	if (!p) return ex_fail(x, EA_EIO, "export: the SQLite thread stopped");
	frow *h = (frow *)p;
	fcell *fc = (fcell *)(h + 1);
	unsigned char *d = (unsigned char *)(fc + n), *d0 = d;
	for (int k = 0; k < n; k++) {
		fc[k] = (fcell){ V_NULL, 0, 0, 0 };
		switch (c[k].k) {
		case V_NULL: break;
		case V_INT: fc[k].k = V_INT; fc[k].i = c[k].i; break;
		case V_HEX: {
			char hx[17];
			fc[k].k = V_TEXT;
			fc[k].n = (uint64_t)hex_text(hx, (uint64_t)c[k].i);
			memcpy(d, hx, fc[k].n);
			break;
		}
		case V_TEXT: fc[k].k = V_TEXT; fc[k].n = strlen(c[k].p); memcpy(d, c[k].p, fc[k].n); break;
		case V_KEY: fc[k].k = utf8_text(c[k].p, c[k].n) ? V_TEXT : V_BLOB; fc[k].n = c[k].n; memcpy(d, c[k].p, c[k].n); break;
		case V_BLOB: fc[k].k = V_BLOB; fc[k].n = c[k].n; if (c[k].n) memcpy(d, c[k].p, c[k].n); break;
		}
		d += fc[k].n;
	}
	size_t used = sizeof(frow) + (size_t)n * sizeof(fcell) + pad8((size_t)(d - d0));
	*h = (frow){ (uint32_t)t, (uint32_t)n, used };
	ea__xfeed_commit(x->feed, used);
	return EA_OK;
}

/* The SQLite thread: binds and steps every row of a batch. Its failure goes to x->feed_msg
 * (x->err belongs to the producer until the queue is finished). */
static int feed_consume(void *arg, const unsigned char *b, size_t len)
{
	ex *x = arg;
	for (size_t at = 0; at < len;) {
		const frow *h = (const frow *)(b + at);
		const fcell *fc = (const fcell *)(h + 1);
		const unsigned char *d = (const unsigned char *)(fc + h->n);
		sqlite3_stmt *s = x->st[h->t];
		uint64_t *bound = &x->bound[h->t];
		for (uint32_t k = 0; k < h->n; k++) {
			int i = (int)k + 1;
			uint64_t bit = UINT64_C(1) << i;
			if (fc[k].k == V_NULL) {
				if (*bound & bit) sqlite3_bind_null(s, i);
				*bound &= ~bit;
				continue;
			}
			*bound |= bit;
			if (fc[k].k == V_INT) sqlite3_bind_int64(s, i, (sqlite3_int64)fc[k].i);
			else if (fc[k].k == V_TEXT) sqlite3_bind_text(s, i, (const char *)d, (int)fc[k].n, SQLITE_STATIC);
			else sqlite3_bind_blob(s, i, d, (int)fc[k].n, SQLITE_STATIC);
			d += fc[k].n;
		}
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			snprintf(x->feed_msg, sizeof x->feed_msg, "sqlite: %s: %s", table_names[h->t], sqlite3_errmsg(x->db));
			return EA_EIO;
		}
		x->stats->rows[h->t]++;
		at += h->bytes;
	}
	return EA_OK;
}

/* Starts the SQLite thread; without one (no thread, no memory) rows go straight to SQLite. */
static void feed_start(ex *x)
{
	x->feed_msg[0] = 0;
	if (ea__xfeed_start(&x->feed, FEED_BATCHES, FEED_BATCH_BYTES, feed_consume, x) != EA_OK) x->feed = NULL;
}

/* Waits for the SQLite thread. Its failure (on a row queued before anything the producer
 * failed on) is the export's error, as it would have been without the queue. */
static int feed_finish(ex *x, int rc)
{
	if (!x->feed) return rc;
	int frc = ea__xfeed_finish(x->feed);
	x->feed = NULL;
	if (frc == EA_OK) return rc;
	memset(x->err, 0, sizeof *x->err);
	if (x->feed_msg[0]) return ex_fail(x, EA_EIO, "%s", x->feed_msg);
	return ex_fail(x, frc, "export: %s", ea_strerror(frc));
}

/* A row: bound and stepped here, or queued for the SQLite thread. */
static int put_cells(ex *x, ea_export_table t, const cell *c, int n)
{
	if (x->feed) return feed_row(x, t, c, n);
	sqlite3_stmt *s = x->st[t];
	for (int i = 0; i < n; i++) bind_cell(x, s, &x->bound[t], i + 1, c[i]);
	return row(x, t);
}

/* Each table's column list (name, type) and its put_<table>(): bind every column from the row
 * view, step. Columns past x->ncols[t] (revisions.value without --values) stay out. */
typedef struct { const char *name, *type; } ex_col;
#define EX_COL_DEF(name, type, get) { #name, type },
#define EX_COL_CELL(name, type, get) if (++i <= lim) c[i - 1] = (get);
#define EX_TABLE(tname, T)                                                                   \
	static const ex_col tname##_cols[] = { COLS_##tname(EX_COL_DEF) };                   \
	_Static_assert(sizeof tname##_cols / sizeof tname##_cols[0] <= EX_MAX_COLS, #tname); \
	static int put_##tname(ex *x, const tname##_row *r)                                  \
	{                                                                                    \
		cell c[EX_MAX_COLS];                                                         \
		int i = 0, lim = x->ncols[T];                                                \
		COLS_##tname(EX_COL_CELL)                                                    \
		return put_cells(x, T, c, lim);                                              \
	}

static const char *entry_type_name(int t)
{
	return t == 0 ? "normal" : t == 1 ? "confchange" : t == 2 ? "confchangev2" : "unknown";
}

EX_TABLE(meta, EA_EXPORT_T_META)
EX_TABLE(nodes, EA_EXPORT_T_NODES)
EX_TABLE(input_files, EA_EXPORT_T_INPUT_FILES)
EX_TABLE(wal_segments, EA_EXPORT_T_WAL_SEGMENTS)
EX_TABLE(wal_records, EA_EXPORT_T_WAL_RECORDS)
EX_TABLE(entries, EA_EXPORT_T_ENTRIES)
EX_TABLE(hard_states, EA_EXPORT_T_HARD_STATES)
EX_TABLE(terms, EA_EXPORT_T_TERMS)
EX_TABLE(votes, EA_EXPORT_T_VOTES)
EX_TABLE(snapshots, EA_EXPORT_T_SNAPSHOTS)
EX_TABLE(conf_changes, EA_EXPORT_T_CONF_CHANGES)
EX_TABLE(revisions, EA_EXPORT_T_REVISIONS)
EX_TABLE(members, EA_EXPORT_T_MEMBERS)
EX_TABLE(leases, EA_EXPORT_T_LEASES)
EX_TABLE(alarms, EA_EXPORT_T_ALARMS)
EX_TABLE(auth, EA_EXPORT_T_AUTH)
EX_TABLE(events, EA_EXPORT_T_EVENTS)
EX_TABLE(problems, EA_EXPORT_T_PROBLEMS)
EX_TABLE(findings, EA_EXPORT_T_FINDINGS)
EX_TABLE(verdict, EA_EXPORT_T_VERDICT)

#define EX_COLS(tname) { tname##_cols, (int)(sizeof tname##_cols / sizeof tname##_cols[0]) }
static const struct { const ex_col *cols; int n; } table_cols[EA_EXPORT_T_COUNT] = {
	EX_COLS(meta), EX_COLS(nodes), EX_COLS(input_files), EX_COLS(wal_segments), EX_COLS(wal_records),
	EX_COLS(entries), EX_COLS(hard_states), EX_COLS(terms), EX_COLS(votes), EX_COLS(snapshots),
	EX_COLS(conf_changes), EX_COLS(revisions), EX_COLS(members), EX_COLS(leases), EX_COLS(alarms),
	EX_COLS(auth), EX_COLS(events), EX_COLS(problems), EX_COLS(findings), EX_COLS(verdict)
};

/* CREATE TABLE for table t's first `n` columns, wrapped as docs and `.schema` show it: a new
 * line (two spaces in) before a column that would end past column 95; --values' `value` column
 * stays on the last line. */
static void ddl_table(sqlite3_str *q, ea_export_table t, int n)
{
	const ex_col *c = table_cols[t].cols;
	size_t line = (size_t)sqlite3_str_length(q);
	sqlite3_str_appendf(q, "CREATE TABLE %s(", table_names[t]);
	size_t len = (size_t)sqlite3_str_length(q) - line;
	for (int k = 0; k < n; k++) {
		size_t w = strlen(c[k].name) + (c[k].type[0] ? 1 + strlen(c[k].type) : 0) + (k == n - 1 ? 2 : 1);
		int extra = t == EA_EXPORT_T_REVISIONS && k == table_cols[t].n - 1;
		if (k > 0 && !extra && len + 1 + w > 95) { sqlite3_str_appendall(q, "\n  "); len = 2; }
		else if (k > 0) { sqlite3_str_appendall(q, " "); len++; }
		sqlite3_str_appendf(q, "%s%s%s%s", c[k].name, c[k].type[0] ? " " : "", c[k].type, k == n - 1 ? ");\n" : ",");
		len += w;
	}
}

/* The whole schema, and the INSERT of every table (x->ncols says how many columns each has). */
static char *schema_sql(ex *x)
{
	sqlite3_str *q = sqlite3_str_new(x->db);
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) {
		x->ncols[t] = table_cols[t].n - (t == EA_EXPORT_T_REVISIONS && !x->o.values);
		ddl_table(q, (ea_export_table)t, x->ncols[t]);
	}
	sqlite3_str_appendall(q, schema_tail_sql);
	return sqlite3_str_finish(q);
}

static int prepare_all(ex *x)
{
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) {
		char sql[64 + 2 * EX_MAX_COLS];
		int at = snprintf(sql, sizeof sql, "INSERT INTO %s VALUES(", table_names[t]);
		for (int k = 0; k < x->ncols[t]; k++) at += snprintf(sql + at, sizeof sql - (size_t)at, k ? ",?" : "?");
		snprintf(sql + at, sizeof sql - (size_t)at, ")");
		if (sqlite3_prepare_v3(x->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &x->st[t], NULL) != SQLITE_OK)
			return sql_fail(x, "prepare");
	}
	return EA_OK;
}

static void time_text(char *buf, size_t cap, int64_t ms)
{
	if (ms < 0) { buf[0] = 0; return; }
	ea_format_time_ms(buf, cap, ms);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- meta and input hashes ---- */

static int meta(ex *x, const char *key, const char *value)
{
	meta_row r = { key, value };
	return put_meta(x, &r);
}

static void hex32(char *out, const unsigned char *d)
{
	for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

typedef struct {
	EVP_MD_CTX *ctx;
	unsigned char *buf;
} hasher;

#define HASH_CHUNK (1u << 20)

/* SHA-256 of a plain file on disk (an archive or a single db/backup file). */
static int sha256_path(hasher *h, const char *path, char out[65], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return EA_EIO;
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
	uint64_t total = 0;
	for (;;) {
		ssize_t r = read(fd, h->buf, HASH_CHUNK);
		if (r < 0) { if (errno == EINTR) continue; close(fd); return EA_EIO; }
		if (r == 0) break;
		EVP_DigestUpdate(h->ctx, h->buf, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	unsigned char d[32];
	unsigned dl = 0;
	EVP_DigestFinal_ex(h->ctx, d, &dl);
	hex32(out, d);
	*size = total;
	return EA_OK;
}

/* SHA-256 of file i of a directory input, read through the byte source. */
static int sha256_member(hasher *h, ea_input *in, size_t i, char out[65])
{
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
	uint64_t off = 0;
	for (;;) {
		long r = ea_input_pread(in, i, h->buf, HASH_CHUNK, off);
		if (r < 0) return (int)r;
		if (r == 0) break;
		EVP_DigestUpdate(h->ctx, h->buf, (size_t)r);
		off += (uint64_t)r;
	}
	unsigned char d[32];
	unsigned dl = 0;
	EVP_DigestFinal_ex(h->ctx, d, &dl);
	hex32(out, d);
	return EA_OK;
}

/* The inputs' SHA-256 is computed by a second thread while the first one loads the WAL and
 * the key bucket (two cores: hashing 1 GB costs about as much as the SQLite load); its rows
 * are written afterwards, in the same order. The thread reads through its own handles (the
 * archive or file by path, a directory through a private ea_input), never the nodes'.
 *
 * Archive or single file: the file itself (one input_files row, scope "archive" / "file").
 * Directory: every regular file below it (scope "dir-file", path relative to the dir), and
 * meta's digest is SHA-256 of the `sha256sum`-style listing "<hex>  <relpath>\n" in path order. */
typedef struct {
	char *name;
	uint64_t size;
	char digest[65];
} hashed_file;

typedef struct {
	const char *node, *path;
	ea_input_kind kind;
	hashed_file *files;
	size_t nfiles;
	char digest[65];          /* the file's, or the listing's for a directory */
} hashed_node;

typedef struct hash_job {
	hashed_node *nodes;
	size_t n;
	const volatile sig_atomic_t *stop;
	int rc;
	char msg[600];
	double seconds;
	pthread_t thread;
	int started;
} hash_job;

static void *hash_thread(void *arg)
{
	hash_job *job = arg;
	double t0 = now_s();
	hasher h = { EVP_MD_CTX_new(), malloc(HASH_CHUNK) };
	if (!h.ctx || !h.buf) { job->rc = EA_ENOMEM; goto out; }
	for (size_t k = 0; k < job->n && !job->rc; k++) {
		hashed_node *hn = &job->nodes[k];
		if (hn->kind != EA_INPUT_DIR) {
			hn->files = calloc(1, sizeof *hn->files);
			if (!hn->files || !(hn->files[0].name = strdup(hn->path))) { job->rc = EA_ENOMEM; break; }
			hn->nfiles = 1;
			if (sha256_path(&h, hn->path, hn->digest, &hn->files[0].size) != EA_OK) {
				job->rc = EA_EIO;
				snprintf(job->msg, sizeof job->msg, "%s: cannot read input to hash it: %s", hn->path, strerror(errno));
				break;
			}
			memcpy(hn->files[0].digest, hn->digest, sizeof hn->digest);
			continue;
		}
		ea_input *in;
		ea_error e = { 0 };
		if (ea_input_open(&in, hn->path, &e) != EA_OK) {
			job->rc = EA_EIO;
			snprintf(job->msg, sizeof job->msg, "%s: cannot list input to hash it: %s", hn->path, e.msg);
			break;
		}
		size_t cnt = ea_input_count(in);
		hn->files = calloc(cnt ? cnt : 1, sizeof *hn->files);
		EVP_MD_CTX *list = EVP_MD_CTX_new();
		if (!hn->files || !list) { EVP_MD_CTX_free(list); ea_input_close(in); job->rc = EA_ENOMEM; break; }
		EVP_DigestInit_ex(list, EVP_sha256(), NULL);
		for (size_t i = 0; i < cnt && !job->rc; i++) {
			if (job->stop && *job->stop) { job->rc = EA_EIO; snprintf(job->msg, sizeof job->msg, "export interrupted"); break; }
			const ea_input_file *f = ea_input_at(in, i);
			hashed_file *hf = &hn->files[hn->nfiles];
			if (!(hf->name = strdup(f->name))) { job->rc = EA_ENOMEM; break; }
			hn->nfiles++;
			hf->size = f->size;
			if (sha256_member(&h, in, i, hf->digest) != EA_OK) {
				job->rc = EA_EIO;
				snprintf(job->msg, sizeof job->msg, "%s/%s: cannot read input to hash it", hn->path, f->name);
				break;
			}
			EVP_DigestUpdate(list, hf->digest, 64);
			EVP_DigestUpdate(list, "  ", 2);
			EVP_DigestUpdate(list, f->name, strlen(f->name));
			EVP_DigestUpdate(list, "\n", 1);
		}
		unsigned char d[32];
		unsigned dl = 0;
		EVP_DigestFinal_ex(list, d, &dl);
		EVP_MD_CTX_free(list);
		ea_input_close(in);
		hex32(hn->digest, d);
	}
out:
	EVP_MD_CTX_free(h.ctx);
	free(h.buf);
	job->seconds = now_s() - t0;
	return NULL;
}

static int hash_start(hash_job *job, ea_node *const *nodes, size_t n, const volatile sig_atomic_t *stop)
{
	memset(job, 0, sizeof *job);
	job->nodes = calloc(n ? n : 1, sizeof *job->nodes);
	if (!job->nodes) return EA_ENOMEM;
	job->n = n;
	job->stop = stop;
	for (size_t k = 0; k < n; k++) {
		job->nodes[k].node = ea_node_name(nodes[k]);
		job->nodes[k].path = ea_node_path(nodes[k]);
		job->nodes[k].kind = ea_input_get_kind(ea_node_input(nodes[k]));
	}
	if (pthread_create(&job->thread, NULL, hash_thread, job) != 0) {
		hash_thread(job);   /* no thread: hash here */
		return EA_OK;
	}
	job->started = 1;
	return EA_OK;
}

static void hash_join(hash_job *job)
{
	if (job->started) pthread_join(job->thread, NULL);
	job->started = 0;
}

static void hash_free(hash_job *job)
{
	hash_join(job);
	for (size_t k = 0; job->nodes && k < job->n; k++) {
		for (size_t i = 0; i < job->nodes[k].nfiles; i++) free(job->nodes[k].files[i].name);
		free(job->nodes[k].files);
	}
	free(job->nodes);
	job->nodes = NULL;
}

/* The rows of a finished job. */
static int hash_write(ex *x, hash_job *job)
{
	hash_join(job);
	x->stats->hash_seconds = job->seconds;
	if (job->rc) return ex_fail(x, job->rc, "%s", job->msg[0] ? job->msg : ea_strerror(job->rc));
	int rc = EA_OK;
	for (size_t k = 0; k < job->n && rc == EA_OK; k++) {
		const hashed_node *hn = &job->nodes[k];
		int dir = hn->kind == EA_INPUT_DIR;
		for (size_t i = 0; i < hn->nfiles && rc == EA_OK; i++) {
			input_files_row r = { hn->node, dir ? "dir-file" : hn->kind == EA_INPUT_ARCHIVE ? "archive" : "file",
			                      hn->files[i].name, hn->files[i].size, hn->files[i].digest };
			rc = put_input_files(x, &r);
		}
		char key[600];
		snprintf(key, sizeof key, "input.%s.sha256", hn->node);
		if (rc == EA_OK) rc = meta(x, key, hn->digest);
		snprintf(key, sizeof key, "input.%s.sha256_scope", hn->node);
		if (rc == EA_OK)
			rc = meta(x, key, !dir ? (hn->kind == EA_INPUT_ARCHIVE ? "the archive file" : "the file")
			                       : "directory: SHA-256 of the sha256sum listing \"<hex>  <relative path>\\n\" "
			                         "of every regular file, in path order (see input_files)");
	}
	return rc;
}

/* ---- per node ---- */

static const char *node_kind(const ea_node *nd)
{
	if (ea_node_wal(nd)->present) return "data-dir";
	if (ea_node_db(nd)->file) {
		size_t l = strlen(ea_node_db(nd)->file);
		if (l >= 8 && strcmp(ea_node_db(nd)->file + l - 8, ".snap.db") == 0) return "snapshot-file";
		long i = ea_input_find(ea_node_input(nd), ea_node_db(nd)->file);
		/* `etcdctl snapshot save` appends a 32-byte SHA-256 to whole 512-byte blocks */
		if (i >= 0 && ea_input_at(ea_node_input(nd), (size_t)i)->size % 512 == 32) return "snapshot-file";
	}
	return "db";
}

static int export_node_row(ex *x, ea_node *nd)
{
	ea_mvcc_info info;
	memset(&info, 0, sizeof info);
	int db = ea_node_db(nd)->present && ea_node_mvcc(nd);
	if (db) ea_mvcc_info_scan(ea_node_mvcc(nd), &info);   /* no key index: the row needs none of its counts */
	ea_input_kind k = ea_input_get_kind(ea_node_input(nd));
	nodes_row r = { nd, &ea_node_wal(nd)->summary, ea_node_wal(nd)->present, db, &info, node_kind(nd),
	                k == EA_INPUT_DIR ? "dir" : k == EA_INPUT_ARCHIVE ? "archive" : "file" };
	return put_nodes(x, &r);
}

static int export_problem(ex *x, const char *node, const ea_problem *p)
{
	problems_row r = { node, p };
	return put_problems(x, &r);
}

static int export_segments(ex *x, ea_node *nd)
{
	for (size_t i = 0; i < ea_node_wal(nd)->nsegments; i++) {
		char t[48];
		if (ea_node_wal(nd)->segments[i].mtime > 0) time_text(t, sizeof t, ea_node_wal(nd)->segments[i].mtime * 1000);
		wal_segments_row r = { ea_node_name(nd), ea_node_wal(nd)->segments[i].file, ea_node_wal(nd)->segments[i].seq, ea_node_wal(nd)->segments[i].first_index,
		                       ea_node_wal(nd)->segments[i].size, ea_node_wal(nd)->segments[i].used, ea_node_wal(nd)->segments[i].mtime > 0 ? t : NULL };
		int rc = put_wal_segments(x, &r);
		if (rc) return rc;
	}
	return EA_OK;
}

/* The Kubernetes object of a key and its value (value NULL: none) as `wal ls`/`db ls` decode it;
 * an object with everything unknown when the key is not under the prefix. */
static const ea_k8s_object *k8s_of(ex *x, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                                   ea_k8s_object *o)
{
	static const ea_k8s_object none;
	if (!key || !ea_k8s_decode(x->k8s, key, key_len, val, val_len, o)) return &none;
	return o;
}

/* One stream item of a node's WAL: wal_records, entries (with the revision the replay gave
 * it, when there is one), hard_states, problems. */
typedef struct { ex *x; ea_node *nd; uint64_t hs_seq, n, db_kvs; ea_walltime *wt; int *verdict; } wal_ctx;

static int export_item(wal_ctx *w, const ea_entry_item *it, int64_t revision, int txn_applied)
{
	ex *x = w->x;
	if ((++w->n & 4095) == 0 && stopped(x)) return ex_fail(x, EA_EIO, "export interrupted");
	if (it->log.item.kind == EA_WAL_ITEM_PROBLEM) return export_problem(x, ea_node_name(w->nd), &it->log.item.problem);
	const ea_wal_record *rec = &it->log.item.rec;
	wal_records_row wr = { ea_node_name(w->nd), rec };
	int rc = x->o.records ? put_wal_records(x, &wr) : EA_OK;
	if (rc) return rc;
	if (it->is_entry) {
		char started[48];
		ea_k8s_object ko;
		const ea_entry_info *info = &it->info;
		int has_started = info->request_id && info->proposer_started_ms >= 0;
		if (has_started) time_text(started, sizeof started, info->proposer_started_ms);
		entries_row er = { ea_node_name(w->nd), it, rec, &rec->u.entry, info, has_started ? started : NULL,
		                   revision, txn_applied, k8s_of(x, info->key, info->key_len, info->value, info->value_len, &ko) };
		char at[40], te[40];   /* the time estimate (walltime.h); time_error_s: REAL affinity */
		ea_walltime_est est;
		ea_walltime_entry(w->wt, rec->u.entry.index, it->log.superseded, &est);
		if (est.known) {
			ea_walltime_format(est.time_us, at, sizeof at);
			snprintf(te, sizeof te, "%.6f", est.error_s);
			er.approx_time = at;
			er.time_source = ea_walltime_source_name(est.source);
			er.time_error_s = te;
		}
		return put_entries(x, &er);
	}
	if (rec->type == EA_WAL_STATE && rec->decoded) {
		hard_states_row hr = { ea_node_name(w->nd), w->hs_seq++, rec };
		return put_hard_states(x, &hr);
	}
	return EA_OK;
}

static int record_cb(const ea_entry_item *it, void *arg) { return export_item(arg, it, 0, -1); }

static int any_cb(const ea_mvcc_kv *kv, void *p) { (void)kv; (void)p; return 0; }

/* One element of the node's key bucket as a revisions row (source 'db'); every 4096th asks
 * whether the export was interrupted (*n counts them). */
static int put_db_revision(ex *x, const char *node, const ea_mvcc_kv *kv, uint64_t *n)
{
	if ((++*n & 4095) == 0 && stopped(x)) return ex_fail(x, EA_EIO, "export interrupted");
	int live = kv->decode_ok && !kv->tombstone;
	ea_k8s_object ko;
	revisions_row r = { node, kv, live, 0, 1, k8s_of(x, kv->key, kv->key_len, live ? kv->value : NULL, kv->value_len, &ko) };
	return put_revisions(x, &r);
}

/* The replay's db-only walk (ea_replay_options.on_db_kv): the node's revisions rows, so the
 * key bucket is read once more only where the replay does not walk it (export_revisions). */
static int db_kv_cb(const ea_mvcc_kv *kv, void *arg)
{
	wal_ctx *w = arg;
	return put_db_revision(w->x, ea_node_name(w->nd), kv, &w->db_kvs);
}

/* The revisions an entry wrote that the db compacted away (K: the db's compaction), as
 * revisions rows with source 'wal'; an element the db still holds is never repeated. */
static int export_wal_revisions(wal_ctx *w, ea_replay *r, const ea_replay_item *it, int64_t K)
{
	if (it->result != EA_REPLAY_COMPACTED && !(it->result == EA_REPLAY_MATCHES_DB && it->revision <= K)) return EA_OK;
	ea_mvcc *db = ea_node_mvcc(w->nd);
	for (size_t s = 0; s < ea_replay_write_count(r); s++) {
		ea_replay_write wr;
		if (ea_replay_write_get(r, s, &wr)) continue;
		if (it->result != EA_REPLAY_COMPACTED && ea_mvcc_get_rev(db, wr.main, wr.sub, any_cb, NULL) != EA_ENOTFOUND) continue;
		ea_mvcc_kv kv = { .main = wr.main, .sub = wr.sub, .tombstone = wr.tombstone, .decode_ok = wr.value_known,
		                  .key = wr.key, .key_len = wr.key_len, .value = wr.value ? wr.value : (const uint8_t *)"",
		                  .value_len = wr.value_len, .create_revision = wr.create_revision,
		                  .mod_revision = wr.mod_revision, .version = wr.version, .lease = wr.lease };
		int live = wr.value_known && !wr.tombstone;
		ea_k8s_object ko;
		revisions_row rr = { ea_node_name(w->nd), &kv, live, 1, wr.cv_known,
		                     k8s_of(w->x, kv.key, kv.key_len, live ? kv.value : NULL, kv.value_len, &ko) };
		int rc = put_revisions(w->x, &rr);
		if (rc) return rc;
	}
	return EA_OK;
}

/* The stream driven by the replay of the node's WAL against its db (ea_replay: records and
 * problems through on_record, entries with their revision). EA_ENOTFOUND: no replay possible. */
static int export_wal_replay(wal_ctx *w, ea_log *log)
{
	ea_mvcc *db = ea_node_mvcc(w->nd);
	if (!db) return EA_ENOTFOUND;
	ea_mvcc_info info;
	int64_t K = -1;
	if (ea_mvcc_info_scan(db, &info) == EA_OK)
		K = info.scheduled_compact_revision > info.compact_revision ? info.scheduled_compact_revision : info.compact_revision;
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	ro.members = &w->x->known;
	ro.on_record = record_cb;
	ro.on_db_kv = db_kv_cb;
	ro.arg = w;
	/* the full comparison with the db, as `replay` (its verdict is the exit code's, README):
	 * the db-only rows at the end only count towards the verdict */
	ea_replay *r;
	ea_error err = { 0 };
	if (ea_replay_new(&r, log, db, &ro, &err)) return EA_ENOTFOUND;
	const ea_replay_item *it;
	int rc;
	while ((rc = ea_replay_next(&it, r)) == EA_OK) {
		if (!it->entry) continue;   /* a db-only row */
		int txn = it->txn_applied >= 0 && !strcmp(it->kind, "txn") ? it->txn_applied : -1;
		if ((rc = export_item(w, it->entry, it->revision, txn))) break;
		if (it->revision > 0 && K > 0 && (rc = export_wal_revisions(w, r, it, K))) break;
	}
	const ea_replay_summary *sum;
	if (rc == EA_ITEROVER && ea_replay_summary_get(r, &sum) == EA_OK) *w->verdict = (int)sum->verdict;
	ea_replay_free(r);
	return rc == EA_ITEROVER ? EA_OK : rc < 0 ? rc : EA_EIO;
}

/* The entries' time anchors (walltime.h: Kubernetes values under the --k8s-prefix prefixes,
 * request IDs, segment mtimes, etcd's log lines with --logs): gathered when the node was
 * opened (EA_NODE_OPEN_WALLTIME), else a pass of their own over the log, rewound after. */
static int export_walltime(ea_walltime **out, ea_log *log, ea_node *nd, const char *k8s_prefix, ea_error *lerr)
{
	if ((*out = ea_node_take_walltime(nd))) {
		int rc = ea_walltime_node_log_anchors(*out, nd);
		return rc ? rc : ea_walltime_finish(*out);
	}
	ea_k8s *k = NULL;
	int rc = ea_walltime_new(out);
	if (!rc) rc = ea_walltime_node_log_anchors(*out, nd);
	if (!rc) rc = ea_k8s_new(&k, k8s_prefix);
	if (!rc) rc = ea_walltime_scan_log(*out, log, k);
	ea_k8s_free(k);
	if (!rc) rc = ea_log_rewind(log, lerr);
	return rc;
}

/* One entry stream: wal_records, entries, hard_states and the WAL's problems; with a db, the
 * replay's revision per entry and the revisions the db compacted away (source 'wal'), then the
 * db's own revisions from the replay's walk of the key bucket (*walked = 1; 0: not walked). */
static int export_wal(ex *x, ea_node *nd, int *verdict, int *walked)
{
	/* the node's own log, rewound: its first pass (CRC verdicts, overwrites) is already done */
	ea_log *log = ea_node_log(nd), *own = NULL;
	ea_error lerr = { 0 };
	int rc = log ? ea_log_rewind(log, &lerr) : ea_log_open(&own, ea_node_input(nd), NULL, &lerr);
	if (!log) log = own;
	if (rc) { ea_log_close(own); return ex_fail(x, rc, "%s: %s", ea_node_name(nd), lerr.msg[0] ? lerr.msg : ea_strerror(rc)); }
	wal_ctx w = { x, nd, 0, 0, 0, NULL, verdict };
	if ((rc = export_walltime(&w.wt, log, nd, x->o.k8s_prefix, &lerr))) { ea_walltime_free(w.wt); ea_log_close(own); return ex_fail(x, rc, "%s: WAL times: %s", ea_node_name(nd), ea_strerror(rc)); }
	rc = export_wal_replay(&w, log);
	*walked = w.db_kvs > 0;
	if (rc == EA_ENOTFOUND && w.n == 0) {
		/* no db, or no replay: the plain entry stream */
		ea_entry_iter *iter;
		ea_entry_iter_options io = { .members = &x->known };
		if ((rc = ea_log_rewind(log, &lerr)) || (rc = ea_entry_iter_new(&iter, log, &io)) != EA_OK) { ea_log_close(own); return rc; }
		const ea_entry_item *it;
		while ((rc = ea_entry_iter_next(&it, iter)) == EA_OK)
			if ((rc = export_item(&w, it, 0, -1))) break;
		if (rc == EA_ITEROVER) rc = EA_OK;
		ea_entry_iter_free(iter);
	}
	if (rc < 0 && !x->err->msg[0]) ex_fail(x, rc, "%s: WAL: %s", ea_node_name(nd), ea_strerror(rc));
	ea_walltime_free(w.wt);
	ea_log_close(own);
	return rc;
}

/* The db's buckets stream through callbacks: one per table, each putting its row. */
typedef struct { ex *x; const char *node; int rc; uint64_t n; } kv_ctx;

static int revision_cb(const ea_mvcc_kv *kv, void *payload)
{
	kv_ctx *c = payload;
	c->rc = put_db_revision(c->x, c->node, kv, &c->n);
	return c->rc ? 1 : 0;
}

static int export_revisions(ex *x, ea_node *nd)
{
	if (!ea_node_mvcc(nd)) return EA_OK;
	kv_ctx c = { x, ea_node_name(nd), 0, 0 };
	int rc = ea_mvcc_foreach(ea_node_mvcc(nd), revision_cb, &c);
	if (c.rc) return c.rc;
	if (rc < 0) return ex_fail(x, rc, "%s: key bucket: %s", ea_node_name(nd), ea_strerror(rc));
	return EA_OK;
}

#define BUCKET_CB(fn, type, tname)                                                            \
	static int fn(const type *v, void *payload)                                           \
	{                                                                                     \
		kv_ctx *c = payload;                                                          \
		tname##_row r = { c->node, v };                                               \
		return (c->rc = put_##tname(c->x, &r)) ? 1 : 0;                               \
	}
BUCKET_CB(member_cb, ea_mvcc_member, members)
BUCKET_CB(lease_cb, ea_mvcc_lease, leases)
BUCKET_CB(alarm_cb, ea_mvcc_alarm, alarms)
BUCKET_CB(auth_cb, ea_mvcc_auth_entry, auth)

static int export_buckets(ex *x, ea_node *nd)
{
	if (!ea_node_mvcc(nd)) return EA_OK;
	kv_ctx c = { x, ea_node_name(nd), 0, 0 };
	ea_mvcc_members(ea_node_mvcc(nd), member_cb, &c);
	if (!c.rc) ea_mvcc_leases(ea_node_mvcc(nd), lease_cb, &c);
	if (!c.rc) ea_mvcc_alarms(ea_node_mvcc(nd), alarm_cb, &c);
	if (!c.rc) ea_mvcc_auth(ea_node_mvcc(nd), auth_cb, &c);
	return c.rc;
}

static int export_db_problems(ex *x, ea_node *nd)
{
	int rc = EA_OK;
	if (ea_node_db(nd)->unreadable) {
		ea_problem p = { EA_LAYER_BOLT, EA_SEV_ERROR, "db-unreadable", ea_node_db(nd)->file, EA_NO_OFFSET, 0,
		                 ea_node_db(nd)->unreadable };
		return export_problem(x, ea_node_name(nd), &p);
	}
	if (!ea_node_mvcc(nd)) return EA_OK;
	ea_bolt *b = ea_mvcc_bolt(ea_node_mvcc(nd));
	for (size_t i = 0; i < ea_bolt_problem_count(b) && rc == EA_OK; i++)
		rc = export_problem(x, ea_node_name(nd), ea_bolt_problem_at(b, i));
	if (rc == EA_OK && ea_bolt_problems_dropped(b)) {
		char msg[160];
		snprintf(msg, sizeof msg, "%zu further bbolt problems were not kept (cap %d)",
		         ea_bolt_problems_dropped(b), EA_BOLT_MAX_PROBLEMS);
		ea_problem p = { EA_LAYER_BOLT, EA_SEV_WARNING, "problems-dropped", ea_node_db(nd)->file, EA_NO_OFFSET, 0, msg };
		rc = export_problem(x, ea_node_name(nd), &p);
	}
	return rc;
}

static void join_ids(char *buf, size_t cap, const uint64_t *ids, size_t n)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && at < cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%s%" PRIx64, i ? "," : "", ids[i]);
}

static int export_snapshots(ex *x, ea_node *nd)
{
	int rc = EA_OK;
	for (size_t i = 0; ea_node_wal(nd)->present && i < ea_node_wal(nd)->summary.snapshots_kept && rc == EA_OK; i++) {
		const struct ea_wal_snapshot_ref *sn = &ea_node_wal(nd)->summary.snapshots[i];
		snapshots_row r = { ea_node_name(nd), "wal", v_u64(sn->term), v_u64(sn->index), NULL, NULL,
		                    sn->segment < ea_node_wal(nd)->nsegments ? ea_node_wal(nd)->segments[sn->segment].file : NULL,
		                    v_u64(sn->offset), v_null(), v_null() };
		rc = put_snapshots(x, &r);
	}
	if (rc) return rc;
	ea_snap_list *sl = NULL;
	ea_error serr = { 0 };
	if (ea_snap_list_open(&sl, ea_node_input(nd), 0, &serr) != EA_OK) return EA_OK;   /* no .snap files */
	char voters[1024], learners[1024];
	for (size_t i = 0; i < ea_snap_list_count(sl) && rc == EA_OK; i++) {
		const ea_snap_info *si = ea_snap_list_at(sl, i);
		int db = strcmp(si->kind, "snap.db") == 0;
		snapshots_row r = { ea_node_name(nd), db ? "snap-db" : "snap-file", v_null(), v_null(), NULL, NULL, si->file,
		                    v_null(), v_tri(si->crc_ok), v_u64(si->size) };
		if (si->decoded) {
			r.term = v_u64(si->term);
			r.idx = v_u64(si->index);
			join_ids(voters, sizeof voters, si->voters, si->n_voters);
			join_ids(learners, sizeof learners, si->learners, si->n_learners);
			r.voters = voters;
			r.learners = learners;
		} else if (si->name_ok) {
			if (!db) r.term = v_u64(si->name_term);   /* from the file name: %016x(term)-%016x(index) */
			r.idx = v_u64(si->name_index);
		}
		rc = put_snapshots(x, &r);
	}
	for (size_t i = 0; i < ea_snap_list_problem_count(sl) && rc == EA_OK; i++)
		rc = export_problem(x, ea_node_name(nd), ea_snap_list_problem_at(sl, i));
	ea_snap_list_close(sl);
	return rc;
}

/* name, peer_urls and isLearner from a conf change's member JSON */
static void member_json(ea_arena *a, const char *json, conf_changes_row *r, char *urls, size_t cap)
{
	ea_jv *j = ea_jsonp_parse(a, json, strlen(json));
	if (!j || j->type != EA_JV_OBJ) return;
	r->name = ea_jsonp_str(j, "name");
	const ea_jv *pu = ea_jsonp_get(j, "peerURLs");
	if (pu && pu->type == EA_JV_ARR) {
		size_t at = 0;
		urls[0] = 0;
		for (const ea_jv *u = pu->child; u && at < cap; u = u->next)
			if (u->type == EA_JV_STR) at += (size_t)snprintf(urls + at, cap - at, "%s%s", at ? "," : "", u->s);
		r->peer_urls = urls;
	}
	const ea_jv *l = ea_jsonp_get(j, "isLearner");
	r->is_learner = l && l->type == EA_JV_BOOL && l->b;
}

static int export_conf_changes(ex *x, ea_node *nd)
{
	ea_arena a;
	ea_arena_init(&a, 0);
	int rc = EA_OK;
	for (size_t i = 0; i < ea_node_history(nd)->nconf && rc == EA_OK; i++) {
		const ea_conf_change *cc = &ea_node_history(nd)->conf[i];
		const char *change = cc->kind;
		if (strncmp(change, "confchange:", 11) == 0) change += 11;
		else if (strcmp(change, "confchangev2") == 0) change = "v2";
		conf_changes_row r = { ea_node_name(nd), cc, change, NULL, NULL, -1 };
		char urls[1024];
		if (cc->context) member_json(&a, cc->context, &r, urls, sizeof urls);
		if (strcmp(change, "add_learner") == 0) r.is_learner = 1;
		rc = put_conf_changes(x, &r);
		ea_arena_reset(&a);
	}
	ea_arena_free(&a);
	return rc;
}

/* ---- cluster level ---- */

static int export_terms(ex *x, const ea_terms *t)
{
	int rc = EA_OK;
	for (size_t i = 0; i < t->nrows && rc == EA_OK; i++) {
		const ea_term_row *tr = &t->rows[i];
		char tt[48];   /* the earliest line of etcd's logs about this term (--logs) */
		if (tr->time_ms >= 0) time_text(tt, sizeof tt, tr->time_ms);
		terms_row r = { tr, tr->time_ms >= 0 ? tt : NULL };
		rc = put_terms(x, &r);
		for (size_t k = 0; k < tr->nvotes && rc == EA_OK; k++) {
			votes_row v = { tr->term, tr->votes[k].voter, tr->votes[k].voted_for };
			rc = put_votes(x, &v);
		}
	}
	return rc;
}

static int export_events(ex *x, ea_node *const *nodes, size_t n, const ea_terms *t)
{
	ea_event *ev = NULL;
	size_t nev = 0;
	int rc = ea_timeline_build(nodes, n, t, &ev, &nev);
	if (rc) return ex_fail(x, rc, "timeline: %s", ea_strerror(rc));
	for (size_t i = 0; i < nev && rc == EA_OK; i++) {
		char tt[48];
		if (ev[i].time_ms >= 0) time_text(tt, sizeof tt, ev[i].time_ms);
		events_row r = { &ev[i], ev[i].time_ms >= 0 ? tt : NULL, i };
		rc = put_events(x, &r);
	}
	free(ev);
	if (rc == EA_OK)
		rc = exec(x, "INSERT INTO term_clock SELECT t.term, (SELECT max(e.time) FROM events e "
		             "WHERE e.time IS NOT NULL AND e.term IS NOT NULL AND e.term <= t.term) FROM terms t");
	return rc;
}

static int export_diff(ex *x, ea_node *const *nodes, size_t n, const ea_terms *t)
{
	ea_diff d;
	int rc = ea_diff_run(nodes, n, t, &d);
	if (rc) return ex_fail(x, rc, "diff: %s", ea_strerror(rc));
	char names[2048];
	for (size_t f = 0; f < d.nfindings && rc == EA_OK; f++) {
		const ea_finding *fd = &d.findings[f];
		size_t at = 0;
		names[0] = 0;
		for (size_t i = 0; i < n && at < sizeof names; i++)
			if (fd->node_mask & (1u << i))
				at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", at ? "," : "", ea_node_name(nodes[i]));
		findings_row r = { fd, names };
		rc = put_findings(x, &r);
		if (strcmp(fd->severity, "info") != 0) x->stats->findings_warn++;
	}
	if (rc == EA_OK) {
		verdict_row r = { &d, d.recommended >= 0 ? ea_node_name(nodes[d.recommended]) : NULL };
		rc = put_verdict(x, &r);
		x->stats->verdict = ea_verdict_name(d.verdict);
	}
	ea_diff_free(&d);
	return rc;
}

static int export_meta(ex *x, ea_node *const *nodes, size_t n)
{
	char buf[1024], key[600];
	int rc = meta(x, "tool", "etcd-autopsy");
	if (rc == EA_OK) rc = meta(x, "tool_version", EA_VERSION);
	snprintf(buf, sizeof buf, "%d", EA_EXPORT_SCHEMA_VERSION);
	if (rc == EA_OK) rc = meta(x, "schema_version", buf);
	int64_t ms = x->o.export_time_ms;
	if (!ms) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	time_text(buf, sizeof buf, ms);
	if (rc == EA_OK) rc = meta(x, "export_time", buf);
	if (rc == EA_OK) rc = meta(x, "command_line", x->o.command_line ? x->o.command_line : "");
	if (rc == EA_OK) rc = meta(x, "sqlite_version", sqlite3_libversion());
	snprintf(buf, sizeof buf, "values=%d records=%d", x->o.values ? 1 : 0, x->o.records ? 1 : 0);
	if (rc == EA_OK) rc = meta(x, "options", buf);
	snprintf(buf, sizeof buf, "%zu", n);
	if (rc == EA_OK) rc = meta(x, "node_count", buf);
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		snprintf(key, sizeof key, "input.%s.path", ea_node_name(nodes[i]));
		rc = meta(x, key, ea_node_path(nodes[i]));
	}
	return rc;
}

static int load(ex *x, ea_node *const *nodes, size_t n)
{
	char *schema = schema_sql(x);
	if (!schema) return EA_ENOMEM;
	int rc = exec(x, schema);
	sqlite3_free(schema);
	if (rc == EA_OK) rc = exec(x, early_index_sql);
	if (rc == EA_OK) rc = prepare_all(x);
	if (rc) return rc;

	for (size_t i = 0; i < n; i++) {
		ea_member_set_add(&x->known, ea_node_wal(nodes[i])->present ? ea_node_wal(nodes[i])->summary.member_id : 0);
		for (size_t c = 0; c < ea_node_history(nodes[i])->nconf; c++)
			if (strcmp(ea_node_history(nodes[i])->conf[c].kind, "confchange:remove") != 0) ea_member_set_add(&x->known, ea_node_history(nodes[i])->conf[c].member_id);
	}

	double t0 = now_s();
	if (x->o.hash_inputs && (rc = hash_start(x->hash, nodes, n, x->o.stop)) != EA_OK) return rc;
	if ((rc = exec(x, "BEGIN"))) return rc;
	rc = export_meta(x, nodes, n);
	for (size_t i = 0; i < n && rc == EA_OK; i++) rc = export_node_row(x, nodes[i]);
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		for (size_t k = 0; k < ea_input_problem_count(ea_node_input(nodes[i])) && rc == EA_OK; k++)
			rc = export_problem(x, ea_node_name(nodes[i]), ea_input_problem_at(ea_node_input(nodes[i]), k));
		if (rc == EA_OK) rc = export_segments(x, nodes[i]);
	}
	if (rc == EA_OK) rc = exec(x, "COMMIT");

	/* the bulk: every node's WAL stream, then every key bucket, in one transaction, the rows
	 * built here and inserted by the SQLite thread */
	if (rc == EA_OK) rc = exec(x, "BEGIN");
	if (rc == EA_OK) feed_start(x);
	int walked[MAX_NODES] = { 0 };   /* the key bucket read by the node's replay */
	for (size_t i = 0; i < n && rc == EA_OK; i++)
		if (ea_node_wal(nodes[i])->present) rc = export_wal(x, nodes[i], &x->stats->replay_verdict[i], &walked[i]);
	for (size_t i = 0; i < n && rc == EA_OK; i++)
		if (ea_node_mvcc(nodes[i]) && !walked[i]) rc = export_revisions(x, nodes[i]);
	rc = feed_finish(x, rc);
	if (rc == EA_OK) rc = exec(x, "COMMIT");
	if (rc) return rc;

	ea_terms terms;
	if ((rc = ea_terms_build(nodes, n, &terms))) return ex_fail(x, rc, "terms: %s", ea_strerror(rc));
	rc = exec(x, "BEGIN");
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		rc = export_snapshots(x, nodes[i]);
		if (rc == EA_OK) rc = export_conf_changes(x, nodes[i]);
		if (rc == EA_OK) rc = export_buckets(x, nodes[i]);
		if (rc == EA_OK) rc = export_db_problems(x, nodes[i]);
	}
	if (rc == EA_OK) rc = export_terms(x, &terms);
	if (rc == EA_OK) rc = export_events(x, nodes, n, &terms);
	if (rc == EA_OK && stopped(x)) rc = ex_fail(x, EA_EIO, "export interrupted");
	if (rc == EA_OK) rc = export_diff(x, nodes, n, &terms);
	if (rc == EA_OK) rc = exec(x, "COMMIT");
	ea_terms_free(&terms);
	x->stats->load_seconds = now_s() - t0;
	return rc;
}

/* Temporary file in the output's directory, so the final rename stays on one file system. */
static char *make_temp(const char *out_path, ea_error *err)
{
	size_t len = strlen(out_path);
	char *tmp = malloc(len + 16);
	if (!tmp) return NULL;
	snprintf(tmp, len + 16, "%s.tmp-XXXXXX", out_path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		if (err) {
			err->code = EA_EIO;
			snprintf(err->file, sizeof err->file, "%s", out_path);
			snprintf(err->msg, sizeof err->msg, "cannot create a temporary file beside %s: %s", out_path,
			         strerror(errno));
		}
		free(tmp);
		return NULL;
	}
	close(fd);
	return tmp;
}

int ea_export_sqlite(const char *out_path, ea_node *const *nodes, size_t n,
                     const ea_export_options *opts, ea_export_stats *stats, ea_error *err)
{
	ea_error local_err;
	ea_export_stats local_stats;
	if (!err) err = &local_err;
	memset(err, 0, sizeof *err);
	if (!stats) stats = &local_stats;
	memset(stats, 0, sizeof *stats);
	for (size_t i = 0; i < MAX_NODES; i++) stats->replay_verdict[i] = -1;
	if (!out_path || !*out_path || n == 0 || n > MAX_NODES) {
		err->code = EA_EINVAL;
		snprintf(err->msg, sizeof err->msg, "export needs an output path and 1..%d nodes", MAX_NODES);
		return EA_EINVAL;
	}
	ea_export_options def = EA_EXPORT_OPTIONS_INIT;
	struct stat st;
	if (!(opts ? opts : &def)->force && lstat(out_path, &st) == 0) {
		err->code = EA_EINVAL;
		snprintf(err->file, sizeof err->file, "%s", out_path);
		snprintf(err->msg, sizeof err->msg, "%s exists; not overwriting it (use --force)", out_path);
		return EA_EINVAL;
	}
	double t0 = now_s();
	char *tmp = make_temp(out_path, err);
	if (!tmp) return err->code ? err->code : EA_ENOMEM;

	ex x;
	memset(&x, 0, sizeof x);
	x.o = opts ? *opts : def;
	x.stats = stats;
	x.err = err;
	hash_job hj;
	memset(&hj, 0, sizeof hj);
	x.hash = &hj;
	int rc = ea_k8s_new(&x.k8s, x.o.k8s_prefix);
	if (rc) {
		ex_fail(&x, rc, "--k8s-prefix: %s", ea_strerror(rc));
	} else if (sqlite3_open_v2(tmp, &x.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = x.db ? sql_fail(&x, "open") : EA_ENOMEM;
	} else {
		rc = exec(&x, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
		              "PRAGMA cache_size=" BULK_CACHE "; PRAGMA foreign_keys=OFF;");
		if (rc == EA_OK) rc = temp_files(&x);
		if (rc == EA_OK) rc = load(&x, nodes, n);
		if (rc == EA_OK && stopped(&x)) rc = ex_fail(&x, EA_EIO, "export interrupted");
		double i0 = now_s();
		if (rc == EA_OK) rc = exec(&x, "PRAGMA cache_size=" INDEX_CACHE ";");
		if (rc == EA_OK) rc = exec(&x, index_sql);
		stats->index_seconds = now_s() - i0;
		/* the hashing thread had the load and the index builds to finish alongside */
		if (rc == EA_OK && x.o.hash_inputs) {
			rc = exec(&x, "BEGIN");
			if (rc == EA_OK) rc = hash_write(&x, &hj);
			if (rc == EA_OK) rc = exec(&x, "COMMIT");
		}
		i0 = now_s();
		/* exact statistics (every index read once): a sample's estimates depend on how the
		 * B-trees were built, the early indexes' differ from sorted ones */
		if (rc == EA_OK) rc = exec(&x, "ANALYZE;");
		stats->index_seconds += now_s() - i0;
		/* the finished file is left in rollback-journal mode with full sync for its readers */
		if (rc == EA_OK) rc = exec(&x, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;");
	}
	hash_free(&hj);   /* joins the thread first if the load stopped early */
	ea_k8s_free(x.k8s);
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) sqlite3_finalize(x.st[t]);
	if (x.db && sqlite3_close(x.db) != SQLITE_OK && rc == EA_OK) rc = ex_fail(&x, EA_EIO, "sqlite: close failed");
	if (rc == EA_OK) {
		/* data on disk before the name: a crash after the rename never exposes a torn file */
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) { fsync(fd); close(fd); }
		if (x.o.force) {
			if (rename(tmp, out_path) != 0)
				rc = ex_fail(&x, EA_EIO, "cannot rename %s to %s: %s", tmp, out_path, strerror(errno));
		} else if (link(tmp, out_path) != 0) {
			/* link() fails if the output appeared meanwhile: never replace a file without --force.
			 * File systems without hard links get a check-then-rename instead. */
			int e = errno;
			struct stat st2;
			if (e != EEXIST && lstat(out_path, &st2) != 0 && rename(tmp, out_path) == 0) {
				/* done */
			} else {
				rc = ex_fail(&x, e == EEXIST ? EA_EINVAL : EA_EIO, "cannot create %s: %s", out_path,
				             strerror(e == EEXIST ? e : errno));
			}
		}
	}
	unlink(tmp);
	free(tmp);
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) stats->total_rows += stats->rows[t];
	stats->total_seconds = now_s() - t0;
	return rc;
}
