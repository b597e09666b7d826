/* fuzz.h: shared bits of the fuzz targets (tests/fuzz/fuzz_<target>.c). Each target defines
 * LLVMFuzzerTestOneInput over an in-memory input (ea_input_open_mem); built with libFuzzer
 * under -DEA_FUZZ=ON and, always, linked with replay.c so ctest replays the corpora. */
#ifndef EA_FUZZ_H
#define EA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "etcd-autopsy/etcd-autopsy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split data at every occurrence of the 8-byte separator "EA-SPLIT" into at most `max`
 * parts; returns the number of parts (>= 1). */
#define FUZZ_SEP "EA-SPLIT"
static inline size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **part,
                                size_t *len, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i + 8 <= size && n + 1 < max; i++) {
		if (memcmp(data + i, FUZZ_SEP, 8) == 0) {
			part[n] = data + start;
			len[n++] = i - start;
			start = i + 8;
			i += 7;
		}
	}
	part[n] = data + start;
	len[n++] = size - start;
	return n;
}

/* Keep the optimiser from dropping reads of decoded fields. */
static volatile uint64_t fuzz_sink;
static inline void fuzz_use(uint64_t v) { fuzz_sink += v; }

#endif
