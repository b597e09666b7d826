/* export_feed.c: the bounded producer/consumer queue of export (see export_feed.h). A ring of
 * N batches: [head, head + count) are handed to the consumer in order, the producer fills the
 * batch after them; memory is N batches (one batch grows only for an item larger than it). */
#include "export_feed.h"
#include "etcd-autopsy/common.h"

#include <pthread.h>
#include <stdlib.h>

#define XFEED_MAX 16

typedef struct { unsigned char *buf; size_t cap, used; } xbatch;

struct ea__xfeed {
	pthread_mutex_t mu;
	pthread_cond_t full, free;      /* a batch was handed over / a batch was consumed */
	xbatch b[XFEED_MAX];
	size_t n, size;                 /* batches, their normal size */
	size_t head, count;             /* handed-over range (the consumer works on head) */
	int cur;                        /* the producer's batch, -1 none yet */
	int done, failed, nomem;
	ea__xfeed_fn fn;
	void *arg;
	pthread_t thread;
};

static void *consumer(void *p)
{
	ea__xfeed *f = p;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (f->count == 0 && !f->done) pthread_cond_wait(&f->full, &f->mu);
		if (f->count == 0) break;
		xbatch *b = &f->b[f->head];
		int failed = f->failed;
		pthread_mutex_unlock(&f->mu);
		int rc = failed ? 0 : f->fn(f->arg, b->buf, b->used);   /* after a failure: drained unread */
		pthread_mutex_lock(&f->mu);
		if (rc && !f->failed) f->failed = rc;
		b->used = 0;
		if (b->cap > f->size) {   /* an oversized item's batch shrinks back */
			unsigned char *nb = malloc(f->size);
			if (nb) { free(b->buf); b->buf = nb; b->cap = f->size; }
		}
		f->head = (f->head + 1) % f->n;
		f->count--;
		pthread_cond_signal(&f->free);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void xfeed_free(ea__xfeed *f)
{
	for (size_t i = 0; i < f->n; i++) free(f->b[i].buf);
	pthread_cond_destroy(&f->full);
	pthread_cond_destroy(&f->free);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

int ea__xfeed_start(ea__xfeed **out, size_t nbatches, size_t batch_bytes, ea__xfeed_fn fn, void *arg)
{
	*out = NULL;
	if (nbatches < 2 || nbatches > XFEED_MAX || batch_bytes == 0) return EA_EINVAL;
	ea__xfeed *f = calloc(1, sizeof *f);
	if (!f) return EA_ENOMEM;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->full, NULL);
	pthread_cond_init(&f->free, NULL);
	f->n = nbatches;
	f->size = batch_bytes;
	f->cur = -1;
	f->fn = fn;
	f->arg = arg;
	for (size_t i = 0; i < nbatches; i++) {
		if (!(f->b[i].buf = malloc(batch_bytes))) { xfeed_free(f); return EA_ENOMEM; }
		f->b[i].cap = batch_bytes;
	}
	if (pthread_create(&f->thread, NULL, consumer, f) != 0) { xfeed_free(f); return EA_EIO; }
	*out = f;
	return EA_OK;
}

/* Hands the producer's batch to the consumer (called with the lock held). */
static void hand_over(ea__xfeed *f)
{
	if (f->cur < 0) return;
	if (f->b[f->cur].used) {
		f->count++;
		pthread_cond_signal(&f->full);
	}
	f->cur = -1;   /* an empty batch is simply taken again */
}

unsigned char *ea__xfeed_reserve(ea__xfeed *f, size_t len)
{
	xbatch *b = f->cur >= 0 ? &f->b[f->cur] : NULL;
	if (b && b->cap - b->used >= len) return b->buf + b->used;   /* a failure shows at the next batch */
	pthread_mutex_lock(&f->mu);
	if (b && b->used && b->cap - b->used < len) hand_over(f);
	while (f->cur < 0 && f->count == f->n && !f->failed) pthread_cond_wait(&f->free, &f->mu);
	if (f->cur < 0 && !f->failed) f->cur = (int)((f->head + f->count) % f->n);
	int failed = f->failed || f->nomem;
	pthread_mutex_unlock(&f->mu);
	if (failed) return NULL;
	b = &f->b[f->cur];
	if (b->cap - b->used < len) {   /* an empty batch too small for this item */
		unsigned char *nb = realloc(b->buf, len);
		if (!nb) { f->nomem = 1; return NULL; }
		b->buf = nb;
		b->cap = len;
	}
	return b->buf + b->used;
}

void ea__xfeed_commit(ea__xfeed *f, size_t len)
{
	f->b[f->cur].used += len;
}

int ea__xfeed_finish(ea__xfeed *f)
{
	if (!f) return EA_OK;
	pthread_mutex_lock(&f->mu);
	if (!f->failed && !f->nomem) hand_over(f);
	f->done = 1;
	pthread_cond_signal(&f->full);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	int rc = f->failed ? f->failed : f->nomem ? EA_ENOMEM : EA_OK;
	xfeed_free(f);
	return rc;
}
