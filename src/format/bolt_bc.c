/* bolt_bc.c: the block cache of `db check`'s tree walk (ea_bolt_check). The check reads every
 * reachable node, in tree order: leaves of neighbouring subtrees lie near each other in the
 * file but interleaved, so a read-ahead of the page after the last one re-read half of each
 * block (real etcd 3.4 db of 419 MB: 10,748 preads, 754 MB read). The last EA__BC_BLOCKS
 * file-aligned blocks are kept (LRU), and a miss reads its whole block (the same db: 3,209
 * preads, 421 MB). A file whose pages are scattered (a fragmented db) would make each block
 * serve one page: a block is read only while the bytes read stay within twice the bytes
 * asked for plus 8 MiB, else the node alone is read, so the over-read is bounded. The bytes
 * handed out are the file's bytes either way. A node lying in one block is walked in place
 * (ea__bc_peek): its block stays pinned while the walk is inside it (a branch: its subtree),
 * and is not copied (the copy was 8 % of `db check`'s CPU). */
#include "bolt_bc.h"

#include <stdlib.h>
#include <string.h>

#define BC_SLACK (8ull << 20)
#define EA__BC_FULL (-1000)   /* bc_load: every slot pinned */

int ea__bc_init(ea__bc *bc)
{
	memset(bc, 0, sizeof *bc);
	bc->mem = malloc((size_t)EA__BC_BLOCKS * EA__BC_BLOCK);
	return bc->mem ? 0 : -1;
}

void ea__bc_free(ea__bc *bc)
{
	free(bc->mem);
	bc->mem = NULL;
}

/* slot holding block bn, else -1 */
static int bc_find(const ea__bc *bc, uint64_t bn)
{
	for (int s = 0; s < EA__BC_BLOCKS; s++)
		if (bc->blk[s] == bn + 1) return s;
	return -1;
}

/* the least recently used unpinned slot (an empty one first), -1 if all are pinned */
static int bc_victim(const ea__bc *bc)
{
	int v = -1;
	for (int s = 0; s < EA__BC_BLOCKS; s++) {
		if (bc->pins[s]) continue;
		if (!bc->blk[s]) return s;
		if (v < 0 || bc->stamp[s] < bc->stamp[v]) v = s;
	}
	return v;
}

/* reads block bn into a slot: the slot, or < 0 on an I/O error (ea_input_pread's) */
static long bc_load(ea__bc *bc, ea_input *in, size_t i, uint64_t bn)
{
	int s = bc_victim(bc);
	if (s < 0) return EA__BC_FULL;
	bc->blk[s] = 0;
	long g = ea_input_pread(in, i, bc->mem + (size_t)s * EA__BC_BLOCK, EA__BC_BLOCK, bn * EA__BC_BLOCK);
	if (g < 0) return g;
	bc->blk[s] = bn + 1;
	bc->len[s] = (size_t)g;
	bc->read += (uint64_t)g;
	return s;
}

long ea__bc_pread(ea__bc *bc, ea_input *in, size_t i, uint8_t *dst, size_t len, uint64_t off)
{
	bc->asked += len;
	size_t done = 0;
	while (done < len) {
		uint64_t o = off + done, bn = o / EA__BC_BLOCK;
		long s = bc_find(bc, bn);
		if (s < 0 && bc->read + EA__BC_BLOCK > 2 * bc->asked + BC_SLACK) {
			/* over the budget: the rest of the node alone */
			long g = ea_input_pread(in, i, dst + done, len - done, o);
			if (g < 0) return g;
			bc->read += (uint64_t)g;
			return (long)(done + (size_t)g);
		}
		if (s < 0) s = bc_load(bc, in, i, bn);
		if (s == EA__BC_FULL) {   /* every block pinned: the rest of the node alone */
			long g = ea_input_pread(in, i, dst + done, len - done, o);
			if (g < 0) return g;
			bc->read += (uint64_t)g;
			return (long)(done + (size_t)g);
		}
		if (s < 0) return s;
		bc->stamp[s] = ++bc->clock;
		size_t in_blk = (size_t)(o - bn * EA__BC_BLOCK);
		if (in_blk >= bc->len[s]) break;   /* past the end of the file */
		size_t n = bc->len[s] - in_blk;
		if (n > len - done) n = len - done;
		memcpy(dst + done, bc->mem + (size_t)s * EA__BC_BLOCK + in_blk, n);
		done += n;
		if (bc->len[s] < EA__BC_BLOCK) break;   /* a short block ends the file */
	}
	return (long)done;
}

const uint8_t *ea__bc_peek(ea__bc *bc, ea_input *in, size_t i, size_t len, uint64_t off, int *slot)
{
	uint64_t bn = off / EA__BC_BLOCK;
	size_t in_blk = (size_t)(off - bn * EA__BC_BLOCK);
	*slot = -1;
	if (len > EA__BC_BLOCK - in_blk) return NULL;   /* crosses a block boundary */
	long s = bc_find(bc, bn);
	if (s < 0) {
		if (bc->read + EA__BC_BLOCK > 2 * (bc->asked + len) + BC_SLACK) return NULL;
		s = bc_load(bc, in, i, bn);
		if (s < 0) return NULL;   /* all pinned or an I/O error: the copying path says which */
	}
	if (bc->len[s] < in_blk + len) return NULL;   /* short: the copying path reports it */
	bc->asked += len;
	bc->stamp[s] = ++bc->clock;
	bc->pins[s]++;
	*slot = (int)s;
	return bc->mem + (size_t)s * EA__BC_BLOCK + in_blk;
}

void ea__bc_unpin(ea__bc *bc, int slot)
{
	if (slot >= 0 && slot < EA__BC_BLOCKS && bc->pins[slot]) bc->pins[slot]--;
}
