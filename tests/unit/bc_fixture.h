/* bc_fixture.h: the block-cache tests' fixture (test_bolt_blockcache.c, test_bolt_bc_peek.c):
 * the healthy fixture's snapshot backup (backup.db, size from its manifest) read into memory,
 * opened as a memory input, and an empty block cache (src/format/bolt_bc.h) over it. */
#ifndef EA_TEST_BC_FIXTURE_H
#define EA_TEST_BC_FIXTURE_H

#include "test.h"
#include "fixture_file.h"

#include <stdlib.h>

#include "../../src/format/bolt_bc.h"

typedef struct {
	uint8_t *data;
	size_t n;
	ea_input *in;
	ea__bc bc;
} bc_fx;

static int bc_fx_setup(void **state)
{
	bc_fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->data = fixture_file_load("healthy", "backup.tar.gz", "backup.db", "backup.size", &f->n);
	ea_input_mem_file mf = { "backup.db", f->data, f->n, 0 };
	assert_int_equal(ea_input_open_mem(&f->in, &mf, 1, NULL), EA_OK);
	assert_int_equal(ea__bc_init(&f->bc), 0);
	assert_true(f->n / EA__BC_BLOCK > 3 * EA__BC_BLOCKS);   /* enough blocks to evict them all */
	*state = f;
	return 0;
}

static int bc_fx_teardown(void **state)
{
	bc_fx *f = *state;
	ea__bc_free(&f->bc);
	ea_input_close(f->in);
	free(f->data);
	free(f);
	return 0;
}

#endif
