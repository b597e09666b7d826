/* fixture_file.h: one file of a fixture archive read whole into memory (tests that mutate a
 * copy of it, e.g. the healthy snapshot backup's backup.db). */
#ifndef EA_TEST_FIXTURE_FILE_H
#define EA_TEST_FIXTURE_FILE_H
#include <stddef.h>
#include <stdint.h>
/* The bytes of `member` in fixture `scenario`/`archive` (malloc'ed, *len set; the caller
 * frees); when size_key is not NULL, its size must be the manifest's value of that key.
 * Fails the running cmocka test on any error. */
uint8_t *fixture_file_load(const char *scenario, const char *archive, const char *member,
                           const char *size_key, size_t *len);
#endif
