/* etcd-autopsy/snap.h: raft snapshot files in member/snap/ (docs/formats.md §3).
 *
 * `%016x-%016x.snap` = snappb.snapshot {crc, data}; data = raftpb.Snapshot {v2 store JSON,
 * metadata {conf_state, index, term}}. Each file is checked (CRC-32C, decoding, file name vs
 * content) and summarised: term, index, voters/learners, and from the v2 store the members
 * with names and URLs, removed members and the cluster version. `.snap.broken` files (etcd
 * renamed them after failing to load) and `.snap.db` files (bbolt images received from a
 * leader) are listed and explained. */
#ifndef EA_SNAP_H
#define EA_SNAP_H

#include "common.h"
#include "source.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	uint64_t id;
	const char *name;          /* "" if unknown */
	const char *peer_urls;     /* comma-separated */
	const char *client_urls;
	int removed;               /* listed under /0/removed_members */
} ea_snap_member;

typedef struct {
	const char *file;          /* relative path */
	uint64_t size;
	int64_t  mtime;
	const char *kind;          /* "snap", "snap.broken", "snap.db" */
	const char *note;          /* one sentence on what this kind of file means */
	int      name_ok;          /* name parsed as %016x-%016x(.snap|.snap.broken) / %016x.snap.db */
	uint64_t name_term, name_index;
	int      crc_ok;           /* 1 ok, 0 mismatch or undecodable, -1 not applicable (.snap.db) */
	uint32_t crc_stored, crc_computed;
	int      decoded;          /* raftpb.Snapshot metadata decoded */
	uint64_t term, index;
	uint64_t *voters, *learners;
	size_t   n_voters, n_learners;
	int      auto_leave;
	uint64_t data_len;         /* bytes of raftpb.Snapshot.data (the v2 store JSON) */
	int      v2_ok;            /* v2 store JSON parsed */
	const char *cluster_version;   /* /0/version, NULL if absent */
	ea_snap_member *members;
	size_t   n_members;
	int      v2_custom;        /* the v2 store holds more than membership (etcd 3.6 refuses it) */
	const char *v2_custom_key; /* the first top-level dir that does ("/1"), NULL if none */
} ea_snap_info;

typedef struct ea_snap_list ea_snap_list;

/* Reads every *.snap, *.snap.broken and *.snap.db file of `in` (sorted by name). A file larger
 * than `max_bytes` (0 = 1 GiB) is listed but not decoded. EA_ENOTFOUND if there is none. */
int  ea_snap_list_open(ea_snap_list **out, ea_input *in, uint64_t max_bytes, ea_error *err);
/* Frees the list and every ea_snap_info it holds; NULL is allowed. */
void ea_snap_list_close(ea_snap_list *l);
/* Number of snapshot files listed. */
size_t ea_snap_list_count(const ea_snap_list *l);
/* File i (< ea_snap_list_count), valid until ea_snap_list_close. */
const ea_snap_info *ea_snap_list_at(const ea_snap_list *l, size_t i);
/* Number of problems found while reading the snapshot files. */
size_t ea_snap_list_problem_count(const ea_snap_list *l);
/* Problem i (< ea_snap_list_problem_count), valid until ea_snap_list_close. */
const ea_problem *ea_snap_list_problem_at(const ea_snap_list *l, size_t i);

#ifdef __cplusplus
}
#endif
#endif
