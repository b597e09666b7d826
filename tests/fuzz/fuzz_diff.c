/* fuzz_diff.c: the whole history/terms/diff pipeline over 2 to 4 generated members. The input
 * is a program: each byte is one operation applied to every member's WAL, or (bit 7) to one
 * member only, so the logs mostly agree and differ where the fuzzer wants them to: entries,
 * elections (HardStates), commits, overwrites from a lower index, segment cuts, snapshot
 * records, conf changes, index gaps, stray payload bytes. WALs are written with the test
 * encoder (walgen) into in-memory inputs. */
#include "fuzz.h"
#include "walgen.h"

#include <stdio.h>
#include <stdlib.h>

#define MAXN 4
#define MAXSEG 6

typedef struct {
	walgen g;
	uint64_t term, last, commit, vote;
	uint8_t *seg[MAXSEG];
	size_t seglen[MAXSEG];
	uint64_t segidx[MAXSEG + 1];
	size_t nseg;
} gen_node;

static void cut(gen_node *n)
{
	if (n->nseg >= MAXSEG) return;
	n->seg[n->nseg] = malloc(n->g.len ? n->g.len : 1);
	if (n->seg[n->nseg]) memcpy(n->seg[n->nseg], n->g.buf, n->g.len);
	n->seglen[n->nseg] = n->seg[n->nseg] ? n->g.len : 0;
	n->nseg++;
	n->segidx[n->nseg] = n->last + 1;
	walgen_segment_start(&n->g);
}

static void apply(gen_node *n, size_t id, uint8_t op, uint8_t arg)
{
	uint8_t payload[16];
	size_t pl = 0;
	switch (op & 7) {
	case 0: case 1:          /* a put-like or empty entry */
		pl = arg & 15;
		for (size_t i = 0; i < pl; i++) payload[i] = (uint8_t)(arg * 31 + i);
		walgen_entry(&n->g, 0, n->term, ++n->last, pl ? payload : NULL, pl);
		break;
	case 2:                  /* election: new term, vote */
		n->term += 1 + (arg & 1);
		n->vote = 1 + (arg >> 1) % MAXN;
		walgen_state(&n->g, n->term, n->vote, n->commit);
		walgen_entry(&n->g, 0, n->term, ++n->last, NULL, 0);
		break;
	case 3:                  /* commit */
		n->commit = n->last > (uint64_t)(arg & 7) ? n->last - (arg & 7) : n->last;
		walgen_state(&n->g, n->term, n->vote, n->commit);
		break;
	case 4:                  /* overwrite from a lower index with a higher term */
		if (n->last > 0) {
			uint64_t back = 1 + (arg & 7);
			n->last = n->last > back ? n->last - back : 0;
			n->term++;
			walgen_entry(&n->g, 0, n->term, ++n->last, NULL, 0);
		}
		break;
	case 5:                  /* segment cut or snapshot record */
		if (arg & 1) cut(n);
		else walgen_snapshot(&n->g, n->commit, n->term);
		break;
	case 6: {                /* conf change: add/remove member arg */
		size_t k = 0;
		k += pb_put_tag(payload + k, 2, 0); k += pb_put_varint(payload + k, arg & 3);
		k += pb_put_tag(payload + k, 3, 0); k += pb_put_varint(payload + k, 1 + (arg >> 2) % 6);
		walgen_entry(&n->g, 1, n->term, ++n->last, payload, k);
		break;
	}
	case 7:                  /* index gap, or raw bytes as a record of type arg */
		if (arg & 1) n->last += 1 + (arg >> 1);
		else { payload[0] = arg; walgen_record(&n->g, arg % 7, payload, 1); }
		break;
	}
	(void)id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 4096) return 0;
	size_t nn = 2 + data[0] % 3;
	gen_node g[MAXN];
	memset(g, 0, sizeof g);
	for (size_t i = 0; i < nn; i++) {
		walgen_init(&g[i].g);
		walgen_segment_start(&g[i].g);
		walgen_metadata(&g[i].g, 0x100 + i + ((data[0] & 0x80) && i == 1 ? 0x1000 : 0),
		                0xc1 ^ ((data[0] & 0x40) && i == nn - 1));
		walgen_state(&g[i].g, 0, 0, 0);
		g[i].term = 1;
	}
	for (size_t k = 1; k + 1 < size; k += 2) {
		uint8_t op = data[k], arg = data[k + 1];
		if (op & 0x80) {
			size_t who = (op >> 4) % nn;
			apply(&g[who], who, op, arg);
		} else {
			for (size_t i = 0; i < nn; i++) apply(&g[i], i, op, arg);
		}
	}
	ea_node *nodes[MAXN] = { 0 };
	size_t opened = 0;
	for (size_t i = 0; i < nn; i++) {
		cut(&g[i]);
		ea_input_mem_file files[MAXSEG];
		char names[MAXSEG][64];
		for (size_t s = 0; s < g[i].nseg; s++) {
			snprintf(names[s], sizeof names[s], "member/wal/%016zx-%016llx.wal", s,
			         (unsigned long long)(s ? g[i].segidx[s] : 0));
			files[s] = (ea_input_mem_file){ names[s], g[i].seg[s], g[i].seglen[s], 1700000000 };
		}
		ea_input *in;
		char nm[24];
		snprintf(nm, sizeof nm, "n%zu", i + 1);
		if (ea_input_open_mem(&in, files, g[i].nseg, NULL) == EA_OK &&
		    ea_node_open_input(&nodes[opened], nm, in, NULL) == EA_OK)
			opened++;
		for (size_t s = 0; s < g[i].nseg; s++) free(g[i].seg[s]);
		walgen_free(&g[i].g);
	}
	if (opened > 0) {
		ea_terms terms;
		if (ea_terms_build(nodes, opened, &terms) == EA_OK) {
			ea_diff d;
			if (ea_diff_run(nodes, opened, &terms, &d) == EA_OK) {
				fuzz_use(d.verdict + d.nfindings + d.first_divergent_index + (uint64_t)d.recommended);
				for (size_t f = 0; f < d.nfindings; f++) fuzz_use(strlen(d.findings[f].detail));
				ea_diff_free(&d);
			}
			ea_terms_free(&terms);
		}
	}
	for (size_t i = 0; i < opened; i++) ea_node_close(nodes[i]);
	return 0;
}
