/* etcd-autopsy/crc32c.h: CRC-32C (Castagnoli), the checksum of etcd's WAL records and
 * snapshot files, kept apart from the format headers so that util/ and every layer can use
 * it without depending on the WAL reader. */
#ifndef EA_CRC32C_H
#define EA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-32C (Castagnoli) continuation as etcd uses it: crc32c(crc32c(0,a),b) == crc32c(0,a||b).
 * Uses the SSE4.2 instruction when the CPU has it. */
uint32_t ea_crc32c(uint32_t crc, const void *buf, size_t len);
/* The implementation ea_crc32c chose on this CPU: "sse4.2" or "table". */
const char *ea_crc32c_impl(void);

#ifdef __cplusplus
}
#endif
#endif
