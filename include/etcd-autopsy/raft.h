/* etcd-autopsy/raft.h: the semantic layer over WAL records.
 *
 * - ea_entry_decode(): what a raft entry means to etcd (kind, key, request id, proposer,
 *   conf change), following docs/formats.md §5.1: InternalRaftRequest strictly, then v2 Request.
 * - ea_log: a cursor over the WAL that applies etcd's ReadAll semantics (a later entry at an
 *   index <= the last one replaces it and everything after) but keeps the replaced entries,
 *   marked superseded, with the term that overwrote them.
 * - ea_wal_summary: everything `wal stat` says, in one pass. */
#ifndef EA_RAFT_H
#define EA_RAFT_H

#include "common.h"
#include "wal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- entry payloads ---- */

/* One compare of a txn (etcdserverpb.Compare); bytes borrowed as the entry's. */
typedef struct {
	const uint8_t *key;
	size_t   key_len;
	int      target;           /* etcd's CompareTarget: 0 version, 1 create, 2 mod, 3 value, 4 lease */
	int      result;           /* CompareResult: 0 equal, 1 greater, 2 less, 3 not_equal */
	int64_t  num;              /* the operand of version / create / mod / lease */
	const uint8_t *value;      /* the operand of value */
	size_t   value_len;
} ea_txn_compare;

#define EA_TXN_SHAPE_COMPARES 4
/* What a txn compares and does: enough to tell kube-apiserver's writes apart (k8s.h). */
typedef struct {
	size_t   ncompare;         /* all compares; the first EA_TXN_SHAPE_COMPARES are in compare[] */
	ea_txn_compare compare[EA_TXN_SHAPE_COMPARES];
	size_t   nsuccess, nfailure;
	char     success_op, failure_op;   /* each branch's first op: 'p'ut, 'd'elete_range, 'r'ange, 't'xn, 0 none */
	const uint8_t *success_key, *failure_key;   /* the key of that op */
	size_t   success_key_len, failure_key_len;
	int64_t  lease;            /* the lease of the success branch's first put, 0 if none */
} ea_txn_shape;

typedef struct {
	const char *kind;          /* put, delete_range, txn, compaction, lease_grant, ..., v2:PUT,
	                              empty, confchange:add, ..., unknown */
	const uint8_t *key;        /* borrowed (valid until the next decode), NULL if none */
	size_t   key_len;
	const uint8_t *range_end;  /* delete_range / range end, NULL if none */
	size_t   range_end_len;
	uint64_t request_id;       /* 0 if none */
	uint16_t proposer_low16;   /* low 16 bits of the proposing member's ID (from request_id) */
	int64_t  proposer_started_ms; /* Unix ms of the proposer's ID generator start, -1 if none */
	/* details for display, already redacted (no passwords): */
	const char *detail;        /* short human text, e.g. "revision=5", "ttl=600 id=..." */
	/* conf changes */
	uint64_t cc_node_id;
	int      cc_type;          /* raftpb ConfChangeType, -1 if not a conf change */
	const char *cc_context;    /* member JSON (NUL-terminated copy), NULL if none */
	int      ops;              /* txn: number of ops in success+failure; else 1 */
	const uint8_t *value;      /* put: its value; txn: the value of the success branch's first put; else NULL */
	size_t   value_len;
	const ea_txn_shape *txn;   /* txn: its shape (valid until the next decode), else NULL */
	int      decode_ok;        /* 0 when the payload could not be decoded ("unknown") */
} ea_entry_info;

typedef struct ea_entry_decoder ea_entry_decoder;

/* A decoder of entry payloads (reusable buffers: one per thread). */
int  ea_entry_decoder_new(ea_entry_decoder **out);
/* Frees the decoder; NULL is allowed. */
void ea_entry_decoder_free(ea_entry_decoder *d);
/* Decodes one entry's payload. `ref_ms`: a Unix-ms time near when the WAL was written
 * (e.g. the segment mtime), used to unwrap the 40-bit timestamp in request IDs; 0 = now. */
int  ea_entry_decode(ea_entry_decoder *d, const ea_entry_header *e, int64_t ref_ms,
                     ea_entry_info *out);
/* Every kind ea_entry_decode() reports, NULL-terminated ("v2:METHOD" kinds not listed). */
const char *const *ea_entry_kinds(void);
/* 1 if `kind` is one of them, or "v2:" followed by any method. */
int  ea_entry_kind_known(const char *kind);

/* Request IDs (etcd pkg/idutil): | member low 16 bits | 40-bit Unix ms at generator start |
 * 8-bit counter |, the counter overflowing into the timestamp. */
/* The low 16 bits of the member ID that generated request ID id. */
uint16_t ea_reqid_member_low16(uint64_t id);
/* When the generator of id started (Unix ms), its 40-bit wrap resolved against ref_ms; -1 for id 0. */
int64_t  ea_reqid_started_ms(uint64_t id, int64_t ref_ms);

/* ---- log cursor with ReadAll semantics ---- */

typedef struct {
	ea_wal_item item;          /* the underlying WAL item */
	int superseded;            /* entries: written, then replaced by a later entry */
	uint64_t superseded_by_term;
} ea_log_item;

typedef struct ea_log ea_log;

/* Opens a two-pass cursor: the first pass finds where the log was overwritten, so the
 * second can flag each superseded entry as it streams by. */
int  ea_log_open(ea_log **out, ea_input *in, const ea_wal_options *opts, ea_error *err);
/* Start the second pass again from the first segment (the first pass is not repeated). */
int  ea_log_rewind(ea_log *l, ea_error *err);
/* The next record of the second pass, superseded ones flagged: EA_OK, EA_ITEROVER at the end, or an error. */
int  ea_log_next(ea_log *l, ea_log_item *item);
/* The WAL cursor under the log (segments, problems). */
ea_wal *ea_log_wal(ea_log *l);
/* The commit index of the last HardState in the WAL (known from the first pass): entries
 * at or below it were committed, unless superseded. */
uint64_t ea_log_commit_index(const ea_log *l);
/* The first index of the WAL's last run of entries with no jump in index (known from the first
 * pass): entries before a jump were replaced by a raft snapshot the member received. 0 if none. */
uint64_t ea_log_tail_start(const ea_log *l);
#define EA_LOG_MAX_MEMBERS 64
/* The member IDs named anywhere in the WAL (metadata, conf changes, HardState votes),
 * known from the first pass, at most EA_LOG_MAX_MEMBERS; *ids stays valid until close. */
size_t ea_log_member_ids(const ea_log *l, const uint64_t **ids);
/* Closes the log and its WAL cursor; NULL is allowed. */
void ea_log_close(ea_log *l);

/* The finding for a committed, not superseded entry etcd cannot apply (its data decodes as
 * none of the payloads etcd expects, or an unknown entry type: etcd panics applying it, so
 * the member crash-loops). Returns 1 and fills `p` (severity error, kind "undecodable-entry";
 * the message is written to `msg`) when there is one, else 0. */
int ea_entry_apply_problem(const ea_log_item *li, const ea_entry_info *info, uint64_t commit,
                           char *msg, size_t msg_len, ea_problem *p);

/* ---- wal stat ---- */

#define EA_WAL_MAX_SNAPSHOTS 4096

typedef struct {
	uint64_t member_id, cluster_id;
	int      have_metadata;
	int      metadata_conflicts;
	uint64_t records[6];        /* by ea_wal_record_type, [0] = unknown types */
	uint64_t records_total;
	uint64_t entries;           /* entry records, superseded included */
	uint64_t first_index, last_index, last_term;   /* of the log as ReadAll would return it */
	uint64_t min_term, max_term;
	int      have_entries;
	ea_hard_state hard_state;   /* the last one */
	int      have_hard_state;
	uint64_t hard_states;
	uint64_t superseded;        /* entries replaced by a later entry */
	size_t   snapshot_count;      /* WAL snapshot records (all of them are counted) */
	struct ea_wal_snapshot_ref { uint64_t index, term; size_t segment; uint64_t offset; } *snapshots;
	size_t   snapshots_kept;      /* at most EA_WAL_MAX_SNAPSHOTS are kept in the array */
	ea_problem_owned *problems;
	size_t   problem_count;
	size_t   problems_dropped;  /* beyond the cap */
	uint64_t bytes_read;
} ea_wal_summary;

/* `wal stat`'s facts of in's WAL in one streaming pass; *wal_out (if not NULL) keeps the cursor open. */
int  ea_wal_summarize(ea_input *in, const ea_wal_options *opts, ea_wal_summary *out,
                      ea_wal **wal_out, ea_error *err);
/* Releases what ea_wal_summarize filled in. */
void ea_wal_summary_free(ea_wal_summary *s);

/* ea_log_open, and the `wal stat` facts computed during its first pass (no extra pass). */
int  ea_log_open_summarize(ea_log **out, ea_input *in, const ea_wal_options *opts,
                           ea_wal_summary *summary, ea_error *err);

#ifdef __cplusplus
}
#endif
#endif
