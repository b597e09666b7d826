/* schema.h: etcd 3.6+'s storage schema detection and the cluster/downgrade value, as pure
 * functions over a view of the raw meta/cluster values (mvcc.c fills the view; tests build one). */
#ifndef EA_SEMANTIC_SCHEMA_H
#define EA_SEMANTIC_SCHEMA_H

#include "etcd-autopsy/mvcc.h"

/* What etcd's UnsafeDetectSchemaVersion reads from the meta bucket, reduced as it reduces it
 * (so no value needs to be kept): filled by ea_schema_meta_note() per meta key. */
typedef struct {
	int      have_storage_version, storage_version_parses;
	int64_t  major, minor, patch;
	int      have_consistent_index; size_t consistent_index_len;
	int      have_term; size_t term_len;
	uint64_t term;                     /* first 8 bytes, big-endian, when term_len >= 8 */
} ea_schema_meta;

/* Notes one meta-bucket key/value in `m` if detection reads it (others are ignored). */
void ea_schema_meta_note(ea_schema_meta *m, const uint8_t *key, size_t klen, const uint8_t *v, size_t n);
/* etcd's DetectSchemaVersion (server/storage/schema/schema.go, release-3.6 and 3.7) on `in`. */
void ea_schema_detect(const ea_schema_meta *in, ea_schema_result *out);
/* etcd's DowngradeInfoFromBackend JSON decode of cluster/downgrade (`v`, `n` bytes). */
void ea_downgrade_parse(const uint8_t *v, size_t n, ea_downgrade_info *out);
/* coreos/go-semver NewVersion: 0 and major/minor/patch when etcd accepts `s`, else -1. */
int ea_semver_parse(const char *s, size_t n, int64_t *major, int64_t *minor, int64_t *patch);

#endif
