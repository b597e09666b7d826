/* v2store_check.h: etcd 3.6's "membership data only" test on a .snap's v2 store JSON. */
#ifndef EA_V2STORE_CHECK_H
#define EA_V2STORE_CHECK_H

#include "util/jsonp.h"

#include <stddef.h>

/* membership.IsMetaStoreOnly on the parsed store (`root` = the whole JSON): 1 when it holds
 * more, with the first offending top-level dir ("/1") written to `key`; 0 when not. */
int ea__v2store_custom(const ea_jv *root, char *key, size_t key_len);

#endif
