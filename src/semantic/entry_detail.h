/* entry_detail.h: the `detail` text of decoded requests (internal to src/semantic/).
 * Everything etcd-dump-logs prints of a request, minus secrets (passwords, tokens, values),
 * with keys and names escaped (\xNN for bytes outside printable ASCII, \\ for backslash). */
#ifndef EA_ENTRY_DETAIL_H
#define EA_ENTRY_DETAIL_H

#include "etcdserverpb.pb-c.h"
#include "etcd-autopsy/raft.h"

#include <stddef.h>
#include <stdint.h>

/* A bounded text builder: appends stop (and "..." is added) once `cap` would be exceeded. */
typedef struct {
	char   buf[768];
	size_t n;
	int    full;
} ea_sb;

void ea_sb_printf(ea_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends `n` bytes escaped, at most `max` input bytes ("..." when cut). */
void ea_sb_bytes(ea_sb *b, const uint8_t *p, size_t n, size_t max);
/* Appends a NUL-terminated string escaped (NULL = empty). */
void ea_sb_str(ea_sb *b, const char *s);

void ea_detail_range(ea_sb *b, const Etcdserverpb__RangeRequest *r);
void ea_detail_put(ea_sb *b, size_t value_len, uint64_t lease, int prev_kv, int ignore_value,
                   int ignore_lease);
void ea_detail_txn(ea_sb *b, const Etcdserverpb__TxnRequest *t);
void ea_detail_alarm(ea_sb *b, const Etcdserverpb__AlarmRequest *a);
/* Auth requests (passwords and tokens redacted); returns 0 if `r` is not one of them. */
int  ea_detail_auth(ea_sb *b, const Etcdserverpb__InternalRaftRequest *r);
/* Lease checkpoints (lease and remaining TTL of the first few), 3.5+ cluster requests. */
void ea_detail_lease_checkpoint(ea_sb *b, const Etcdserverpb__LeaseCheckpointRequest *c);
int  ea_detail_cluster(ea_sb *b, const Etcdserverpb__InternalRaftRequest *r);
/* " by=USER" (the header's authenticated user, as etcd-dump-logs prints it), if any. */
void ea_detail_by(ea_sb *b, const uint8_t *user, size_t len);
/* A txn's compares and the first op of each branch (txn_shape.c); *value: the success
 * branch's first put's value (NULL if none). */
void ea_txn_shape_fill(ea_txn_shape *out, const Etcdserverpb__TxnRequest *t, const uint8_t **value,
                       size_t *value_len);
/* v2 Request: SYNC time as UTC, value size, a note for methods etcd does not apply. */
void ea_detail_v2(ea_sb *b, const Etcdserverpb__Request *v2);
/* "v2:<METHOD>" (escaped, at most 24 characters of method), "v2:noop" for an empty method. */
void ea_kind_v2(ea_sb *b, const char *method);

#endif
