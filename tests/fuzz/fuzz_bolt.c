/* fuzz_bolt.c: a bbolt file (member/snap/db): both meta pages, the full check (tree walk,
 * freelist, page map), every bucket and element depth first, point lookups, page
 * descriptions, the snapshot trailer and the salvage scan of every leaf page. */
#include "fuzz.h"

typedef struct { ea_bolt *b; int depth; uint64_t n; } walk_t;

static int kv_cb(const ea_bolt_kv *kv, void *payload)
{
	walk_t *w = payload;
	if (++w->n > 20000) return 1;
	fuzz_use(kv->key_len + kv->value_len + kv->offset + kv->value_offset);
	if (kv->key_len) fuzz_use(kv->key[0] + kv->key[kv->key_len - 1]);
	if (kv->value_len) fuzz_use(kv->value[0] + kv->value[kv->value_len - 1]);
	return 0;
}

static int walk_cb(const ea_bolt_kv *kv, void *payload);

static void walk_bucket(walk_t *w, const ea_bolt_bucket *bk)
{
	ea_bolt_foreach(w->b, bk, walk_cb, w);
	/* a lookup of a key that may or may not be there */
	static const char key[] = "\x00\x00\x00\x00\x00\x00\x00\x02_\x00\x00\x00\x00\x00\x00\x00\x00";
	ea_bolt_get(w->b, bk, key, sizeof key - 1, kv_cb, w);
	ea_bolt_get(w->b, bk, "key", 3, kv_cb, w);
}

static int walk_cb(const ea_bolt_kv *kv, void *payload)
{
	walk_t *w = payload;
	kv_cb(kv, payload);
	if (w->n > 20000) return 1;
	if (kv->is_bucket && w->depth < 64) {
		/* the parent is not needed for a nested bucket value other than for messages */
		ea_bolt_bucket child;
		if (ea_bolt_bucket_from_kv(w->b, NULL, kv, &child) == EA_OK) {
			w->depth++;
			walk_bucket(w, &child);
			w->depth--;
			ea_bolt_bucket_close(&child);
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ea_input_mem_file f = { "member/snap/db", data, size, 0 };
	ea_input *in;
	if (ea_input_open_mem(&in, &f, 1, NULL) != EA_OK) return 0;
	size_t idx;
	ea_bolt *b;
	if (ea_bolt_locate(in, &idx, NULL) == EA_OK && ea_bolt_open(&b, in, idx, NULL) == EA_OK) {
		walk_t w = { b, 0, 0 };
		ea_bolt_bucket root;
		if (ea_bolt_root_bucket(b, &root) == EA_OK) {
			walk_bucket(&w, &root);
			ea_bolt_bucket kb;
			if (ea_bolt_bucket_open(b, &root, "key", 3, &kb) == EA_OK) {
				walk_bucket(&w, &kb);
				ea_bolt_bucket_close(&kb);
			}
			ea_bolt_bucket_close(&root);
		}
		ea_bolt_check_result cr;
		if (ea_bolt_check(b, &cr) == EA_OK) {
			fuzz_use(cr.reachable + cr.free_pages + cr.unreachable + cr.keys);
			uint64_t pg = ea_bolt_pgid(b);
			for (uint64_t id = 0; id < pg && id < 64; id++) {
				ea_bolt_page_info pi;
				if (ea_bolt_page_describe(b, id, &pi) == EA_OK)
					fuzz_use(pi.header_id + pi.count + strlen(pi.type) + strlen(pi.state) +
					         (pi.bucket ? strlen(pi.bucket) : 0));
			}
		}
		ea_bolt_trailer_state ts;
		uint8_t st[32], co[32];
		if (ea_bolt_trailer(b, &ts, st, co) == EA_OK) fuzz_use(ts);
		w.n = 0;
		ea_bolt_scan_leaves(b, kv_cb, &w);
		for (size_t i = 0; i < ea_bolt_problem_count(b); i++) {
			const ea_problem *p = ea_bolt_problem_at(b, i);
			fuzz_use(p->offset + p->length + strlen(p->message));
		}
		ea_bolt_close(b);
	}
	ea_input_close(in);
	return 0;
}
