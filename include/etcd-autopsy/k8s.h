/* etcd-autopsy/k8s.h: Kubernetes objects in etcd, read from the bytes without the Kubernetes
 * schema (src/semantic/k8s.c).
 *
 * - Keys: <prefix>/<resource>/<namespace>/<name>, cluster-scoped <prefix>/<resource>/<name>,
 *   group-qualified <prefix>/<group>/<plural>/... (CRDs, aggregated APIs: a group has a dot),
 *   and kube-apiserver's special layouts (services/specs, services/endpoints, minions = nodes,
 *   controllers, ingress, masterleases, ranges). Built-in groups such as apps or batch are not
 *   in the key (/registry/deployments/NS/NAME): their group comes from a table.
 * - Values: protobuf ("k8s\0" + runtime.Unknown {TypeMeta, raw} whose raw starts with the
 *   ObjectMeta, field 1), JSON (apiVersion, kind, metadata), encrypted
 *   ("k8s:enc:<provider>:<v1|v2>:<key name>:", never decrypted), else unknown.
 * Everything is bounded and checked; strings are borrowed from the key, the value or the
 * decoder's reused arena, valid until the next call on the same decoder. */
#ifndef EA_K8S_H
#define EA_K8S_H

#include "common.h"
#include "raft.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed byte string; p == NULL: not known. */
typedef struct {
	const char *p;
	size_t n;
} ea_k8s_str;

typedef enum {
	EA_K8S_ENC_NONE,        /* no value (a tombstone, a delete): "encoding": null */
	EA_K8S_ENC_PROTOBUF,
	EA_K8S_ENC_JSON,
	EA_K8S_ENC_ENCRYPTED,
	EA_K8S_ENC_UNKNOWN
} ea_k8s_encoding;

/* What a key and its value say about one Kubernetes object. */
typedef struct {
	ea_k8s_str group;          /* "" for the core group; from the key, else from api_version */
	ea_k8s_str resource;       /* plural as the API names it (nodes for minions, ...) */
	ea_k8s_str ns;             /* namespace; NULL for a cluster-scoped object */
	ea_k8s_str name;
	ea_k8s_encoding encoding;
	ea_k8s_str api_version, kind, uid;
	ea_k8s_str enc_provider, enc_key;   /* encrypted values: provider (aescbc, kms, ...) and key name */
	int have_created;
	int64_t created_s;         /* metadata.creationTimestamp, Unix seconds */
} ea_k8s_object;

typedef struct ea_k8s ea_k8s;

#define EA_K8S_DEFAULT_PREFIX "/registry"
#define EA_K8S_MAX_PREFIXES 4

/* A decoder for keys under `prefixes` (comma-separated, e.g. "/kubernetes.io,/openshift.io";
 * NULL: /registry; a trailing '/' is ignored). EA_EINVAL for an empty or too long list. */
int  ea_k8s_new(ea_k8s **out, const char *prefixes);
/* Frees the decoder; NULL is fine. */
void ea_k8s_free(ea_k8s *k);
/* Fills o from the key alone (value fields unknown, encoding NONE): 1 when the key is under a
 * prefix, else 0 (o zeroed). */
int  ea_k8s_key(const ea_k8s *k, const uint8_t *key, size_t key_len, ea_k8s_object *o);
/* ea_k8s_key, then the value (value NULL: none, encoding NONE). 1 when under a prefix, else 0. */
int  ea_k8s_decode(ea_k8s *k, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                   ea_k8s_object *o);
/* "protobuf", "json", "encrypted", "unknown", or NULL for NONE. */
const char *ea_k8s_encoding_name(ea_k8s_encoding e);

/* ---- the whole metadata, for `db get --k8s` ---- */

/* Writes the decoded ObjectMeta of a protobuf or JSON value as "name: value" lines (labels,
 * owner references, managed fields with their times included), then, for protobuf, the raw
 * object as protobuf text with field numbers (as `protoc --decode_raw`), on f. Bounded depth. */
void ea_k8s_dump(ea_k8s *k, const uint8_t *val, size_t val_len, FILE *f);

/* ---- kube-apiserver's txns ---- */

/* The apiserver operation a txn is shaped as: "create" (If mod(k)==0 Then put k),
 * "update" / "delete" (If mod(k)==R Then put|delete k [Else get k]), "compact-marker" (the
 * compactor's If version(compact_rev_key)==T Then put Else get), else "other". */
const char *ea_k8s_txn_op(const ea_txn_shape *t);
/* etcd's name of a compare target: "version", "create", "mod", "value", "lease"; else "unknown". */
const char *ea_k8s_compare_target(int target);
/* etcd's name of a compare result: "equal", "greater", "less", "not_equal"; else "unknown". */
const char *ea_k8s_compare_result(int result);

#ifdef __cplusplus
}
#endif
#endif
