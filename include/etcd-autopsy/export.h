/* etcd-autopsy/export.h: the incident database. Everything the other commands know about a
 * set of member copies (raft log entries and records, hard states, terms and votes, snapshots,
 * membership changes, every MVCC revision, members, leases, alarms, the history events, the
 * damage found, and the diff verdict) written into one SQLite file, for post-mortems in SQL.
 *
 * The schema is a public contract documented in docs/schema.md; ready queries live in
 * docs/queries/ (installed under share/etcd-autopsy/queries).
 *
 * The exporter reads the same cursors and analysis results the commands print (ea_log,
 * ea_terms, ea_timeline_build, ea_diff_run, ea_mvcc_foreach, ...), never their text output.
 * Rows stream from the cursors, so memory does not grow with the size of the log or the db.
 * It writes to a temporary file beside the output and renames it at the end: an interrupted
 * or failed export never leaves a half database at the output path. Inputs are only read. */
#ifndef EA_EXPORT_H
#define EA_EXPORT_H

#include "common.h"
#include "history.h"

#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned version;
	int values;                  /* 1: revisions.value holds each value (BLOB); default 0 */
	int records;                 /* 0: leave wal_records empty (--no-records); default 1 */
	int force;                   /* 1: replace an existing output file; default 0 */
	int hash_inputs;             /* 1: SHA-256 of every input in meta/input_files; default 1 */
	const char *command_line;    /* stored in meta.command_line; NULL = "" */
	int64_t export_time_ms;      /* stored in meta.export_time; 0 = now */
	/* When set and it becomes non-zero (e.g. from a SIGINT handler), the export stops, the
	 * temporary file is removed and EA_EIO is returned with err->msg "export interrupted". */
	const volatile sig_atomic_t *stop;
	/* The Kubernetes key prefixes of the k8s_* columns (as ea_k8s_new: comma-separated;
	 * NULL = /registry). */
	const char *k8s_prefix;
} ea_export_options;

#define EA_EXPORT_OPTIONS_VERSION 1
#define EA_EXPORT_OPTIONS_INIT { EA_EXPORT_OPTIONS_VERSION, 0, 1, 0, 1, NULL, 0, NULL, NULL }

/* Schema version stored in meta.schema_version (bumped when columns are added). */
#define EA_EXPORT_SCHEMA_VERSION 4

/* Row counts per table, in the order of ea_export_table_name(). */
typedef enum {
	EA_EXPORT_T_META = 0, EA_EXPORT_T_NODES, EA_EXPORT_T_INPUT_FILES, EA_EXPORT_T_WAL_SEGMENTS,
	EA_EXPORT_T_WAL_RECORDS, EA_EXPORT_T_ENTRIES, EA_EXPORT_T_HARD_STATES, EA_EXPORT_T_TERMS,
	EA_EXPORT_T_VOTES, EA_EXPORT_T_SNAPSHOTS, EA_EXPORT_T_CONF_CHANGES, EA_EXPORT_T_REVISIONS,
	EA_EXPORT_T_MEMBERS, EA_EXPORT_T_LEASES, EA_EXPORT_T_ALARMS, EA_EXPORT_T_AUTH,
	EA_EXPORT_T_EVENTS, EA_EXPORT_T_PROBLEMS, EA_EXPORT_T_FINDINGS, EA_EXPORT_T_VERDICT,
	EA_EXPORT_T_COUNT
} ea_export_table;

/* The SQL name of table t ("entries", "revisions", ...). */
const char *ea_export_table_name(ea_export_table t);

typedef struct {
	uint64_t rows[EA_EXPORT_T_COUNT];
	uint64_t total_rows;
	double   load_seconds;       /* streaming inserts (all tables) */
	double   index_seconds;      /* CREATE INDEX + ANALYZE */
	double   hash_seconds;       /* SHA-256 of the inputs */
	double   total_seconds;
	const char *verdict;         /* diff verdict name (static) */
	uint64_t findings_warn;      /* diff findings of warning or worse (the exit code's 1) */
	/* each node's WAL replayed against its own db (as `replay`), in the order given: an
	 * ea_replay_verdict (replay.h), or -1 when no replay ran to its end (no db, no anchor) */
	int replay_verdict[32];
} ea_export_stats;

/* Writes the incident database for `nodes` (opened with ea_node_open, at most 32) to
 * `out_path`. Returns EA_EINVAL with err set when out_path exists and opts->force is 0,
 * EA_EIO on a write error. `stats` may be NULL. */
int ea_export_sqlite(const char *out_path, ea_node *const *nodes, size_t n,
                     const ea_export_options *opts, ea_export_stats *stats, ea_error *err);

#ifdef __cplusplus
}
#endif
#endif
