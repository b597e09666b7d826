/* malloc_tune.c: glibc's malloc settings for the commands whose peak is a few large arrays
 * grown by doubling (verify, replay, export). Owns nothing else. */
#include "cli.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* glibc raises its mmap threshold (to at most 32 MiB) each time a mapped block is freed, so the
 * arrays a command grows after freeing others land in the brk heap, where every doubling
 * copies and leaves the old block as a hole the heap keeps: +16 MiB of `verify` at 8 GB,
 * +2 MiB of `replay` (bench/ANALYSIS.md "Stop 25"). A fixed threshold keeps blocks of 128 KiB and more mapped:
 * realloc moves them with mremap and free returns them at once. */
void cli_malloc_fixed_mmap_threshold(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}
