/* wal_int.h: what the semantic layer may use of the WAL cursor beyond the public API. */
#ifndef EA_WAL_INT_H
#define EA_WAL_INT_H

#include "etcd-autopsy/wal.h"

/* After a complete pass: clean[i] = 1 if segment i produced no problem at all (every CRC of
 * the chain matched, nothing past the end). `clean` holds ea_wal_segment_count() bytes. */
void ea__wal_clean_segments(const ea_wal *w, uint8_t *clean);
/* Before a second pass over the same, unchanged input: segments marked clean skip the CRC
 * computation (their verdicts are taken from the first pass) and the look past the end. */
void ea__wal_trust_segments(ea_wal *w, const uint8_t *clean, size_t n);

#endif
