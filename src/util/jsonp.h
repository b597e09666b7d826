/* jsonp.h: a small, strict JSON parser into an arena-allocated tree, for the JSON etcd
 * stores (members bucket values, the v2 store inside .snap files). Numbers are kept as text
 * (member IDs are uint64 beyond 2^53). Depth and size are bounded by the input. */
#ifndef EA_JSONP_H
#define EA_JSONP_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

typedef enum { EA_JV_NULL, EA_JV_BOOL, EA_JV_NUM, EA_JV_STR, EA_JV_ARR, EA_JV_OBJ } ea_jv_type;

typedef struct ea_jv ea_jv;
struct ea_jv {
	ea_jv_type type;
	const char *s;       /* string (unescaped, NUL-terminated) or number text */
	size_t n;
	int b;               /* bool */
	const char *key;     /* when a member of an object */
	ea_jv *child;        /* first element / member */
	ea_jv *next;
};

/* NULL on malformed input or allocation failure. */
ea_jv *ea_jsonp_parse(ea_arena *a, const char *text, size_t len);
const ea_jv *ea_jsonp_get(const ea_jv *obj, const char *key);
/* String value of obj[key], NULL if absent or not a string. */
const char *ea_jsonp_str(const ea_jv *obj, const char *key);
/* obj[key] as uint64 (number text, no sign/fraction), 0 ok / -1. */
int ea_jsonp_u64(const ea_jv *v, uint64_t *out);
/* The string elements of array `arr` joined with ',' (etcd's URL lists), in `a`; "" if arr
 * is not an array or memory runs out. */
const char *ea_jsonp_join(ea_arena *a, const ea_jv *arr);

#endif
