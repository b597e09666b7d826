/* etcd-autopsy/version.h: which etcd versions can use a data dir, by etcd's own rules.
 *
 * - ea_entry_min_version(): what etcd 3.6's MinimalEtcdVersion (server/storage/wal/version.go)
 *   finds in one WAL entry: the highest `etcd_version_msg/field/enum/enum_value` annotation
 *   on the messages, set fields and enum values the entry uses.
 * - ea_wal_versions: that over a whole WAL, with ReadAll's semantics (an entry at an index
 *   already written replaces it and everything after), restricted afterwards to the entries
 *   after the .snap etcdutl opens the WAL at (`etcdutl migrate` reads exactly those).
 * - ea_upgrade_assess(): two verdicts, each with etcd's reason: would etcd 3.6 start on this
 *   data dir, and would `etcdutl migrate --target-version` take it back one minor version. */
#ifndef EA_VERSION_H
#define EA_VERSION_H

#include "common.h"
#include "raft.h"
#include "snap.h"
#include "mvcc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What MinimalEtcdVersion and `etcdutl check v2store` make of one entry. */
typedef struct {
	int         has_version;     /* 0: no annotation at all (etcd's nil) */
	int64_t     major, minor, patch;
	const char *what;            /* the annotated message/field/enum value that sets it */
	const char *source;          /* the etcd file holding that annotation */
	int         fails;           /* etcd's visitor errors: MinimalEtcdVersion panics */
	const char *fail_why;
	int         v2;              /* 0 no v2 request; 1 one etcd 3.6 replays (PUT of member
	                                attributes or /0/version); 2 one it refuses (panics) */
	int         v2_undecodable;  /* check v2store: "failed to unmarshal WAL entry" */
} ea_entry_version;

typedef struct ea_wal_versions ea_wal_versions;

/* An accumulator of the etcd versions the WAL's entries need (fed by ea_wal_summarize_versions). */
int  ea_wal_versions_new(ea_wal_versions **out);
/* Frees the accumulator; NULL is allowed. */
void ea_wal_versions_free(ea_wal_versions *v);
/* One entry record (in WAL order); EA_ENOMEM only. */
int  ea_wal_versions_add(ea_wal_versions *v, const ea_entry_header *e);
/* The facts of one entry (scratch memory owned by `v`, valid until the next call). */
void ea_entry_min_version(ea_wal_versions *v, const ea_entry_header *e, ea_entry_version *out);

typedef struct {
	uint64_t after_index;        /* entries above this index counted (the .snap's, 0 if none) */
	uint64_t entries;            /* entries ReadAll returns from there */
	int      read_fails;         /* ReadAll fails: an index gap after the snapshot */
	char     read_error[160];
	int      has_version;        /* MinimalEtcdVersion is not nil */
	int64_t  major, minor, patch;
	char     version[32];        /* "3.5.0", "" if nil */
	uint64_t index;              /* the first entry that requires it */
	const char *what, *source;
	int      fails;              /* MinimalEtcdVersion panics on an entry */
	uint64_t fail_index;
	const char *fail_why;
	uint64_t v2_allowed, v2_refused, v2_undecodable;
	uint64_t v2_first_refused, v2_first_undecodable;   /* indexes, 0 if none */
	int      incomplete;         /* more distinct versions than tracked: not computed */
} ea_wal_version_result;

/* The facts over the entries above `after_index` as ReadAll would return them. */
void ea_wal_versions_result(const ea_wal_versions *v, uint64_t after_index, ea_wal_version_result *out);

/* etcd's ReadAll also fails on a damaged record (a CRC mismatch, a bad frame): marks `out` as
 * read_fails, naming the first error-severity problem of `s` (file+offset), when it has one. */
void ea_wal_versions_damage(const ea_wal_summary *s, ea_wal_version_result *out);
/* ea_log_open_summarize() feeding every entry record of pass 1 to `v` (NULL: none). */
int ea_log_open_summarize_versions(ea_log **out, ea_input *in, const ea_wal_options *opts,
                                   ea_wal_summary *summary, ea_wal_versions *v, ea_error *err);
/* ea_wal_summarize() feeding every entry record to `v` (NULL: none) in the same pass. */
int ea_wal_summarize_versions(ea_input *in, const ea_wal_options *opts, ea_wal_summary *out,
                              ea_wal **wal_out, ea_wal_versions *v, ea_error *err);

/* etcd's snap.LoadNewestAvailable(wal.ValidSnapshotEntries): the newest `.snap` that decodes
 * with a good CRC and whose term/index is a WAL snapshot record at or below the last
 * HardState's commit. NULL when there is none (etcd then reads the WAL from its start). */
const ea_snap_info *ea_snap_newest_available(const ea_snap_list *l, const ea_wal_summary *s);

typedef struct {
	int  ready36;                /* 1 etcd 3.6 starts, 0 it refuses or panics, -1 cannot tell */
	char ready36_why[5][224];    /* one fact per line, "" ends */
	int  downgrade;              /* 1 etcdutl migrate would do it, 0 it refuses, -1 cannot tell */
	char downgrade_target[48];   /* "3.5", "" when there is no previous minor to name */
	char downgrade_why[3][224];
} ea_upgrade_facts;

/* The verdicts from the db's facts, the .snap etcd would load (NULL: none), whether the input
 * has a WAL, and the WAL's facts after that .snap (NULL: no WAL read). */
void ea_upgrade_assess(const ea_mvcc_info *db, const ea_snap_info *snap, int have_wal,
                       const ea_wal_version_result *w, ea_upgrade_facts *out);

/* The version facts of one input, read as `db stat` shows them. */
typedef struct {
	int  have_wal;               /* the input has a readable WAL (wal below is valid) */
	ea_wal_version_result wal;   /* the WAL's minimum etcd version after snap_file */
	char snap_file[256];         /* the .snap etcd would load, "" if none */
	ea_upgrade_facts facts;      /* ready for 3.6, downgradable to the previous minor */
} ea_upgrade_report;

/* Reads in's WAL (one pass) and .snap files and assesses them with the db's facts `db`:
 * EA_OK, or EA_ENOMEM (a missing or unreadable WAL is have_wal = 0, not an error). */
int ea_upgrade_read(ea_input *in, const ea_mvcc_info *db, ea_upgrade_report *out);
/* The same from a WAL already read: its summary `s` and the versions `v` its pass collected
 * (both NULL: no WAL); only the .snap files are read. */
void ea_upgrade_from(ea_input *in, const ea_wal_summary *s, const ea_wal_versions *v,
                     const ea_mvcc_info *db, ea_upgrade_report *out);

#ifdef __cplusplus
}
#endif
#endif
