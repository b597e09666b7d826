/* etcd-autopsy/mvcc.h: etcd's v3 store inside a bbolt file (docs/formats.md §7).
 *
 * - the `key` bucket: revision keys (main, sub[, 't']) → mvccpb.KeyValue; the key index with
 *   generations rebuilt exactly as etcd does at startup; values at any revision; per-key
 *   history; salvage of key-bucket elements from every page of a damaged file;
 * - `meta`, `cluster`, `members`, `members_removed`, `lease`, `alarm`, `auth*` decoded
 *   (password hashes are never copied out);
 * - HashKV as `etcdctl endpoint hashkv [--rev]` computes it and the `etcdctl snapshot status`
 *   hash, revision, total keys and size.
 *
 * Problems (layer EA_LAYER_MVCC) are added to the underlying ea_bolt handle's list, so one
 * stream (ea_bolt_problem_at) carries both layers. */
#ifndef EA_MVCC_H
#define EA_MVCC_H

#include "common.h"
#include "source.h"
#include "bolt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which HashKV rule for a tombstone at exactly the compaction revision (docs/formats.md §7.3.1). */
typedef enum {
	EA_HASHKV_RULE_AUTO = 0,        /* inferred from the db (ea_hashkv_infer_version) */
	EA_HASHKV_RULE_CLASSIC,         /* 3.4.0-3.4.33, 3.5.0-3.5.15: hash it if not compacted away */
	EA_HASHKV_RULE_SKIP_TOMBSTONE   /* 3.4.34+, 3.5.16+, 3.6: always skip it */
} ea_hashkv_rule;

typedef struct {
	unsigned version;
	ea_hashkv_rule hash_rule;
} ea_mvcc_options;

#define EA_MVCC_OPTIONS_VERSION 1
#define EA_MVCC_OPTIONS_INIT { EA_MVCC_OPTIONS_VERSION, EA_HASHKV_RULE_AUTO }

typedef struct ea_mvcc ea_mvcc;

/* Locates the bbolt file in `in` (ea_bolt_locate), opens it and reads the meta bucket. */
int  ea_mvcc_open(ea_mvcc **out, ea_input *in, const ea_mvcc_options *opts, ea_error *err);
/* Closes the db and its bbolt file; NULL is allowed. */
void ea_mvcc_close(ea_mvcc *m);
/* The bbolt file under the MVCC view (pages, check, trailer). */
ea_bolt *ea_mvcc_bolt(ea_mvcc *m);

/* What etcd 3.6+ makes of the db's schema (schema.go DetectSchemaVersion). */
typedef struct {
	int      ok;                   /* etcd accepts the db: `version` is set */
	int      from_storage_version; /* 1: meta/storageVersion; 0: the 3.5 rule (a non-zero term) */
	int      storage_version_invalid; /* meta/storageVersion exists but is not a semver etcd parses */
	int      panics;               /* etcd panics reading the meta values (a short term/index) */
	int64_t  major, minor, patch;
	char     version[32];          /* "3.6.0" (major.minor.patch), "" unless ok */
	char     error[160];           /* etcd's error when not ok, "" otherwise */
} ea_schema_result;

/* cluster/downgrade as etcd decodes it (membership.go DowngradeInfoFromBackend). */
typedef struct {
	int      present;              /* the key exists */
	int      valid;                /* etcd decodes it without panicking */
	int      enabled;
	char     target_version[32];   /* "target-version", "" if empty or absent */
	char     error[128];           /* why etcd panics, when not valid */
} ea_downgrade_info;

typedef struct {
	int64_t  revision;             /* current revision as etcd computes it at startup */
	int64_t  last_key_revision;    /* main of the last key-bucket key (snapshot status), 0 if none */
	int64_t  compact_revision;     /* meta/finishedCompactRev, -1 if never compacted */
	int64_t  scheduled_compact_revision;   /* meta/scheduledCompactRev, -1 if absent */
	int      compaction_interrupted;       /* scheduled > finished: etcd resumes it at startup */
	int      have_consistent_index;
	uint64_t consistent_index;
	int      have_term;            /* meta/term exists (3.5+) */
	uint64_t term;
	char     storage_version[32];  /* meta/storageVersion (3.6+) as stored when etcd parses it, else "3.5"
	                                * (etcd's rule: a non-zero term), else "3.4" (no term: etcd 3.6 refuses it) */
	char     conf_state[512];      /* meta/confState JSON (3.5+), "" if absent */
	char     cluster_version[32];  /* cluster/clusterVersion, "" if absent */
	char     downgrade[256];       /* cluster/downgrade JSON (3.5+), "" if absent */
	int      have_storage_version_key; /* meta/storageVersion exists (3.6+) */
	char     storage_version_key[32];  /* its value as stored ("3.6.0"), "" if absent */
	ea_schema_result   schema;     /* etcd 3.6+'s schema detection on this db */
	ea_downgrade_info  downgrade_info;
	int      auth_enabled;         /* auth/authEnabled: 1, 0, -1 absent */
	int      have_auth_revision;
	uint64_t auth_revision;
	uint64_t key_revisions;        /* elements in the key bucket */
	uint64_t tombstones;
	uint64_t keys;                 /* distinct user keys in the index */
	uint64_t live_keys;            /* keys not deleted at the current revision */
	uint64_t members, removed_members, leases, alarms, users, roles;
} ea_mvcc_info;

/* Builds the key index on first use (one walk of the key bucket). */
int ea_mvcc_info_get(ea_mvcc *m, ea_mvcc_info *out);
/* The same with `keys` and `live_keys` counted without building the key index (one walk,
 * 16 bytes a key): what db stat reports. */
int ea_mvcc_info_count(ea_mvcc *m, ea_mvcc_info *out);
/* The same without the key index (one light walk, cached): everything but `keys` and
 * `live_keys` (0 unless the index was built). For the revision, compaction and counters. */
int ea_mvcc_info_scan(ea_mvcc *m, ea_mvcc_info *out);
/* ea_bolt_check() with the key bucket's MVCC checks (revision keys, decodable KeyValues) done
 * in the same walk: what `db check` runs. */
int ea_mvcc_check(ea_mvcc *m, ea_bolt_check_result *out);

typedef struct {
	uint32_t hash;
	int64_t  hash_revision;        /* the R hashed (the current revision for R = 0) */
	int64_t  current_revision;
	int64_t  compact_revision;     /* -1 if never compacted */
	int      skipped_compact_tombstone;   /* the 3.4.34+ rule applied to an actual tombstone */
	ea_hashkv_rule rule;           /* the rule `hash` follows (AUTO resolved) */
	uint32_t hash_classic;         /* both variants, from the same walk: 3.0-3.4.33, 3.5.0-3.5.15 */
	uint32_t hash_skip;            /* 3.4.34+, 3.5.16+, 3.6+ */
	char     rule_basis[256];      /* why this rule: "assuming etcd 3.5.x >= 3.5.16 from cluster version 3.5" */
} ea_hashkv_result;

/* The etcd version a HashKV rule stands for: given (--etcd-version) or inferred from a db. */
typedef struct {
	ea_hashkv_rule rule;           /* CLASSIC or SKIP_TOMBSTONE */
	ea_hashkv_rule inferred;       /* what the db alone infers (the rule of AUTO) */
	int      assumed;              /* 1: inferred by minor version (patch release assumed) */
	char     version[32];          /* "3.5.30" as given, or "3.5.x >= 3.5.16" assumed */
	char     basis[256];           /* a sentence: "assuming etcd 3.5.x >= 3.5.16 from cluster version 3.5" */
} ea_hashkv_version;

/* Parses "X.Y.Z" (an optional leading 'v'; etcd 3.x only) into the rule that release uses. 0 ok,
 * EA_EINVAL for anything else. */
int ea_hashkv_parse_version(const char *s, ea_hashkv_version *out);
/* The rule etcd uses for this db, inferred from its cluster version / storage version by minor
 * version (the latest patch releases assumed) or from a tombstone kept at the compaction
 * revision (only fixed releases keep one). */
void ea_hashkv_infer_version(const ea_mvcc_info *i, int has_compact_tombstone, ea_hashkv_version *out);
/* "classic" or "skip-compact-tombstone" (the labels of db hash and the JSON `rule`). */
const char *ea_hashkv_rule_name(ea_hashkv_rule r);
/* The etcd releases using rule r: "3.0-3.4.33, 3.5.0-3.5.15" or "3.4.34+, 3.5.16+, 3.6+". */
const char *ea_hashkv_rule_versions(ea_hashkv_rule r);
/* The rule this db infers (AUTO resolved the way ea_mvcc_hashkv resolves it); *out filled. */
int ea_mvcc_hash_version(ea_mvcc *m, ea_hashkv_version *out);
/* Forces the rule of later ea_mvcc_hashkv* calls on m (diff/verify compare like with like). */
void ea_mvcc_set_hash_rule(ea_mvcc *m, ea_hashkv_rule rule);

/* HashKV at `rev` (0 = current). EA_EINVAL with err set for a compacted (< compact) or future
 * revision. */
int ea_mvcc_hashkv(ea_mvcc *m, int64_t rev, ea_hashkv_result *out, ea_error *err);
/* ea_mvcc_check() and ea_mvcc_hashkv(m, 0, ...) in one walk when the hash allows it (no
 * entry at or below the compact revision): what a node's db costs in history/diff. */
int ea_mvcc_check_hash(ea_mvcc *m, ea_bolt_check_result *chk, ea_hashkv_result *h, ea_error *err);

typedef struct {
	uint32_t hash;                 /* CRC-32C over every bucket name, key and value */
	int64_t  revision;             /* main of the last key-bucket key */
	uint64_t total_key;            /* key/value pairs in all buckets (3.4/3.5) */
	uint64_t total_size;           /* pgid * page size */
	uint64_t live_keys;            /* 3.6's totalKey: keys whose last entry is not a tombstone */
} ea_snapshot_status;

/* `etcdutl snapshot status`'s numbers: hash of the whole image, revision, total keys and size. */
int ea_mvcc_snapshot_status(ea_mvcc *m, ea_snapshot_status *out);

/* One key-bucket element, decoded. Pointers are borrowed until the callback returns. */
typedef struct {
	int64_t  main, sub;            /* from the revision key */
	int      tombstone;
	int      decode_ok;            /* value decoded as mvccpb.KeyValue */
	const uint8_t *key;            /* user key */
	size_t   key_len;
	const uint8_t *value;
	size_t   value_len;
	int64_t  create_revision, mod_revision, version, lease;
	uint64_t page;                 /* bbolt page holding the element */
	uint64_t offset;               /* file offset of the element header */
	int      reachable;            /* salvage only: 1 page in the tree, 0 free/unreachable, -1 unknown */
	size_t   stored_key_len;       /* the element as stored: revision key bytes (17, 18 with 't') */
	size_t   stored_value_len;     /* ... and encoded mvccpb.KeyValue bytes (what db space counts) */
} ea_mvcc_kv;

typedef int (*ea_mvcc_kv_cb)(const ea_mvcc_kv *kv, void *payload);

/* Keys with `prefix` (NULL/0 = all) as of `rev` (0 = current), sorted by key, as a Range
 * would return them. EA_EINVAL with err set for a compacted or future revision. */
int ea_mvcc_range(ea_mvcc *m, const void *prefix, size_t prefix_len, int64_t rev,
                  ea_mvcc_kv_cb cb, void *payload, ea_error *err);

/* Every element of the key bucket for `key`, in revision order (tombstones included). */
int ea_mvcc_history(ea_mvcc *m, const void *key, size_t len, ea_mvcc_kv_cb cb, void *payload);

/* The element at revision (main, sub), put or tombstone (o.tombstone), by point lookup: cb once
 * and EA_OK, EA_ENOTFOUND, or EA_ECORRUPT when it is there but no KeyValue. */
int ea_mvcc_get_rev(ea_mvcc *m, int64_t main, int64_t sub, ea_mvcc_kv_cb cb, void *payload);
/* The element of `key` visible at `rev` by the key index (etcd's keyIndex.get: none once a
 * tombstone at or below rev ended its generation; no compaction check): cb once and EA_OK, or
 * EA_ENOTFOUND. Builds the key index on first use. */
int ea_mvcc_get_at(ea_mvcc *m, const void *key, size_t len, int64_t rev, ea_mvcc_kv_cb cb, void *payload);
/* ea_mvcc_get_at for every key in etcd's range [key, end) in key order (end NULL: `key` alone;
 * end "\0": every key >= key). Elements that do not decode are left out. */
int ea_mvcc_range_at(ea_mvcc *m, const void *key, size_t len, const void *end, size_t end_len, int64_t rev,
                     ea_mvcc_kv_cb cb, void *payload);

/* Every element of the key bucket in revision order (one ea_bolt_foreach walk, streaming).
 * Elements whose value is no mvccpb.KeyValue come with decode_ok = 0, value_len 0 and the key
 * if field 1 could still be read (else NULL); non-revision keys are skipped (the key index
 * build reports them as problems). */
int ea_mvcc_foreach(ea_mvcc *m, ea_mvcc_kv_cb cb, void *payload);

/* HashKV at `rev` folded over only the elements it hashes whose main revision is <= `upto`
 * (keep set of `rev` included): two members agree on it up to their first differing element. */
int ea_mvcc_hashkv_upto(ea_mvcc *m, int64_t rev, int64_t upto, uint32_t *hash, ea_error *err);
/* Every key-bucket element of main revision `main` that HashKV at `rev` hashes, decoded as
 * ea_mvcc_foreach gives them (decode_ok = 0 with no key or value when undecodable). */
int ea_mvcc_hashkv_elements(ea_mvcc *m, int64_t rev, int64_t main, ea_mvcc_kv_cb cb, void *payload,
                            ea_error *err);

/* Every element with the key-bucket shape (17/18-byte revision key, value a KeyValue whose
 * mod_revision matches) found on any leaf page of the file, reachable or not. Runs the bbolt
 * check first so that `reachable` is known. */
int ea_mvcc_salvage(ea_mvcc *m, ea_mvcc_kv_cb cb, void *payload);

/* ---- other buckets ---- */

typedef struct {
	uint64_t id;
	const char *name;              /* "" if not yet published */
	const char *peer_urls;         /* comma-separated */
	const char *client_urls;
	int is_learner;
	int removed;                   /* from members_removed */
} ea_mvcc_member;

typedef struct {
	int64_t id, ttl, remaining_ttl;
} ea_mvcc_lease;

typedef struct {
	uint64_t member_id;
	int alarm;                     /* 1 NOSPACE, 2 CORRUPT */
	const char *alarm_name;
} ea_mvcc_alarm;

typedef struct {
	const char *name;
	int is_role;                   /* 0 user, 1 role */
	const char *roles;             /* users: comma-separated roles */
	int has_password;              /* users: a hash is stored (never shown) */
	int no_password;               /* users: options.no_password */
	size_t permissions;            /* roles: number of key permissions */
} ea_mvcc_auth_entry;

typedef int (*ea_mvcc_member_cb)(const ea_mvcc_member *mb, void *payload);
typedef int (*ea_mvcc_lease_cb)(const ea_mvcc_lease *l, void *payload);
typedef int (*ea_mvcc_alarm_cb)(const ea_mvcc_alarm *a, void *payload);
typedef int (*ea_mvcc_auth_cb)(const ea_mvcc_auth_entry *a, void *payload);

/* Calls cb for every entry of the members and members_removed buckets; cb returning non-zero stops. */
int ea_mvcc_members(ea_mvcc *m, ea_mvcc_member_cb cb, void *payload);
/* Calls cb for every lease of the lease bucket; cb returning non-zero stops. */
int ea_mvcc_leases(ea_mvcc *m, ea_mvcc_lease_cb cb, void *payload);
/* Calls cb for every alarm of the alarm bucket; cb returning non-zero stops. */
int ea_mvcc_alarms(ea_mvcc *m, ea_mvcc_alarm_cb cb, void *payload);
/* Calls cb for every auth user and role; cb returning non-zero stops. */
int ea_mvcc_auth(ea_mvcc *m, ea_mvcc_auth_cb cb, void *payload);

/* The IDs of one array ("voters", "learners", ...) of a meta/confState value (ea_mvcc_info.conf_state)
 * in ids[0..max), with over[i] set for a number that does not fit 64 bits (ids[i] is then 0);
 * *cut is set when the text ends inside the array or it holds more than max IDs. Returns the
 * count, or -1 when the array is absent or null. */
long ea_mvcc_conf_state_ids(const char *js, const char *name, uint64_t *ids, unsigned char *over, size_t max,
                            int *cut);

#ifdef __cplusplus
}
#endif
#endif
