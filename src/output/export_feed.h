/* export_feed.h: the bounded queue between export's producer (decoding, replay, row building)
 * and its SQLite thread: a fixed ring of byte batches, filled in order by one producer and
 * handed whole, in the same order, to one consumer thread (export_sqlite.c owns the row format). */
#ifndef EA_OUTPUT_EXPORT_FEED_H
#define EA_OUTPUT_EXPORT_FEED_H
#include <stddef.h>

typedef struct ea__xfeed ea__xfeed;

/* Called in the consumer thread with each filled batch, in production order; non-zero stops
 * the consumer (ea__xfeed_reserve then returns NULL and ea__xfeed_finish returns that code). */
typedef int (*ea__xfeed_fn)(void *arg, const unsigned char *batch, size_t len);

/* A queue of `nbatches` batches of `batch_bytes` each and its consumer thread. EA_ENOMEM, or
 * EA_EIO when no thread can be started (the caller then works without a queue). */
int ea__xfeed_start(ea__xfeed **out, size_t nbatches, size_t batch_bytes, ea__xfeed_fn fn, void *arg);

/* `len` bytes of the current batch for the next item (a batch grows for an item larger than a
 * batch, and shrinks back once consumed); NULL if the consumer stopped or memory ran out. */
unsigned char *ea__xfeed_reserve(ea__xfeed *f, size_t len);

/* The item just reserved is complete (len <= the reserved length). */
void ea__xfeed_commit(ea__xfeed *f, size_t len);

/* Hands over the last batch, waits for the consumer, frees the queue: the consumer's code
 * (0 when it consumed everything), or EA_ENOMEM if a reserve ran out of memory. */
int ea__xfeed_finish(ea__xfeed *f);

#endif
