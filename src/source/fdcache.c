/* fdcache.c: the open files of a dir/file input, one slot per reading thread. A node's WAL and
 * db are read by two threads through one ea_input; with one shared descriptor each switch
 * between them closed it and opened the other file again, so the number of opens (and of
 * syscalls) varied from run to run with the threads' interleaving. Each thread now keeps its
 * own: a thread opens a file again only when it itself moved to another file in between.
 * Threads are told apart by a serial drawn once per thread (never reused, unlike pthread_t
 * values); the least recently used slot is closed when more than EA__FD_SLOTS threads read. */
#include "input_int.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_uint_fast64_t next_serial = 1;
static _Thread_local uint64_t my_serial;

static uint64_t thread_serial(void)
{
	if (!my_serial) my_serial = (uint64_t)atomic_fetch_add(&next_serial, 1);
	return my_serial;
}

/* The calling thread's slot, else a free one, else the least recently used (closed). */
static ea__fd_slot *slot_for(ea_input *in, uint64_t me)
{
	ea__fd_slot *pick = NULL;
	for (size_t k = 0; k < EA__FD_SLOTS; k++) {
		ea__fd_slot *s = &in->fds[k];
		if (s->thread == me) return s;
		if (!pick || (pick->thread && (!s->thread || s->used < pick->used))) pick = s;
	}
	if (pick->thread) close(pick->fd);
	pick->thread = 0;
	return pick;
}

int ea__fd_get(ea_input *in, size_t i)
{
	uint64_t me = thread_serial();
	ea__fd_slot *s = slot_for(in, me);
	s->used = ++in->fd_clock;
	if (s->thread == me && s->idx == i) return s->fd;
	if (s->thread == me) close(s->fd);
	s->thread = 0;
	const ea_input_entry *e = &in->files[i];
	int fd = open(e->ospath, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return -1;
	s->thread = me;
	s->idx = i;
	s->fd = fd;
	return fd;
}

void ea__fd_close_all(ea_input *in)
{
	for (size_t k = 0; k < EA__FD_SLOTS; k++) {
		if (in->fds[k].thread) close(in->fds[k].fd);
		in->fds[k].thread = 0;
	}
}
