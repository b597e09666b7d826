/* bolt_bc.h: the check walk's block cache (bolt_bc.c), internal to the bbolt reader. */
#ifndef EA_BOLT_BC_H
#define EA_BOLT_BC_H

#include <stddef.h>
#include <stdint.h>

#include "etcd-autopsy/source.h"

#define EA__BC_BLOCK  (128u << 10)   /* bytes per block (file-aligned) */
#define EA__BC_BLOCKS 16             /* blocks kept: 2 MiB */

typedef struct {
	uint8_t *mem;                    /* EA__BC_BLOCKS x EA__BC_BLOCK */
	uint64_t blk[EA__BC_BLOCKS];     /* block number + 1; 0 = empty */
	size_t len[EA__BC_BLOCKS];       /* bytes the block holds (short at the end of the file) */
	uint64_t stamp[EA__BC_BLOCKS];   /* last use, for LRU */
	uint32_t pins[EA__BC_BLOCKS];    /* nodes read in place from the block (ea__bc_peek) */
	uint64_t clock;
	uint64_t asked, read;            /* bytes asked for by the walk, bytes pread from the file */
} ea__bc;

/* Allocates the blocks; 0 ok, -1 out of memory. */
int ea__bc_init(ea__bc *bc);
/* Frees the blocks. */
void ea__bc_free(ea__bc *bc);
/* Copies len bytes at off of file i of in to dst through the cache: bytes read, short at the
 * end of the file, < 0 on an I/O error (like ea_input_pread). */
long ea__bc_pread(ea__bc *bc, ea_input *in, size_t i, uint8_t *dst, size_t len, uint64_t off);

/* The len bytes at off of file i in place, when they lie in one block that is cached or can
 * be read within the budget: the block is pinned (kept until ea__bc_unpin(*slot)), NULL
 * otherwise (every block pinned, over the budget, short, an I/O error): the caller copies
 * with ea__bc_pread, which gives the same bytes. */
const uint8_t *ea__bc_peek(ea__bc *bc, ea_input *in, size_t i, size_t len, uint64_t off, int *slot);
/* Releases a pin of ea__bc_peek (slot < 0: none). */
void ea__bc_unpin(ea__bc *bc, int slot);

#endif
