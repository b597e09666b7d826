/* manifest.h: read the key=value facts that the fixture scripts captured from etcd itself
 * (fixtures/<scenario>/manifest.txt). Tests assert against these, never against numbers
 * copied from our own output. */
#ifndef EA_TEST_MANIFEST_H
#define EA_TEST_MANIFEST_H

#include <stdint.h>

/* Value for key in fixtures/<scenario>/manifest.txt, or NULL. The string lives until exit. */
const char *manifest_get(const char *scenario, const char *key);
/* Same, parsed as an unsigned decimal (or hex with base 16); aborts the test if missing. */
uint64_t manifest_u64(const char *scenario, const char *key);
uint64_t manifest_hex(const char *scenario, const char *key);
/* Absolute path of a fixture file: fixture_path("healthy", "n1.tar.gz"). Static buffer
 * rotation: valid for the next 8 calls. */
const char *fixture_path(const char *scenario, const char *file);

#endif
