/* diff_int.h: knobs of the diff for tests (not part of the public API). */
#ifndef EA_DIFF_INT_H
#define EA_DIFF_INT_H

#include <stdint.h>

/* The alignment pass reads each node's log in its own thread when the nodes hold at least
 * this many bytes of WAL, inline below (8 MiB). Tests set 0 to run the threads on fixtures. */
extern uint64_t ea__diff_threaded_min_bytes;

#endif
