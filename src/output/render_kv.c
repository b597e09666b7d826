/* render_kv.c: one key revision of the key bucket (db ls, db ls --salvage, db history) as a
 * JSON Lines object and as a table row. */
#include "etcd-autopsy/render.h"

#include <inttypes.h>

/* printable ASCII as is, any other byte as '.', cut after lim bytes with the full length */
static void print_bytes(FILE *f, const uint8_t *k, size_t n, size_t lim)
{
	size_t m = n > lim ? lim : n;
	for (size_t i = 0; i < m; i++) fputc(k[i] >= 0x20 && k[i] < 0x7f ? k[i] : '.', f);
	if (n > m) fprintf(f, "...(%zu bytes)", n);
}

void ea_render_kv_header(FILE *f, ea_render_kv_mode mode)
{
	if (mode != EA_RENDER_KV_LS) fprintf(f, "%12s %-4s", "REVISION", "OP");
	fprintf(f, " %8s %8s %5s %16s  %s\n", "CREATE", "MOD", "VER", "LEASE", "KEY = VALUE");
}

void ea_render_kv_json(ea_json *j, const ea_mvcc_kv *kv, ea_render_kv_mode mode) { ea_render_kv_json_k8s(j, kv, mode, NULL); }

void ea_render_kv_json_k8s(ea_json *j, const ea_mvcc_kv *kv, ea_render_kv_mode mode, const ea_k8s_object *k)
{
	ea_json_object_begin(j);
	ea_json_key(j, "key"); ea_json_bytes(j, kv->key, kv->key_len);
	if (mode != EA_RENDER_KV_LS) {
		ea_json_key(j, "revision"); ea_json_i64(j, kv->main);
		ea_json_key(j, "sub"); ea_json_i64(j, kv->sub);
		ea_json_key(j, "tombstone"); ea_json_bool(j, kv->tombstone);
	}
	ea_json_key(j, "create_revision"); ea_json_i64(j, kv->create_revision);
	ea_json_key(j, "mod_revision"); ea_json_i64(j, kv->mod_revision);
	ea_json_key(j, "version"); ea_json_i64(j, kv->version);
	ea_json_key(j, "lease");
	if (kv->lease) ea_json_hex(j, (uint64_t)kv->lease); else ea_json_null(j);
	ea_json_key(j, "value");
	if (kv->decode_ok) ea_json_bytes(j, kv->value, kv->value_len); else ea_json_null(j);
	ea_json_key(j, "page"); ea_json_u64(j, kv->page);
	ea_json_key(j, "offset"); ea_json_u64(j, kv->offset);
	if (mode == EA_RENDER_KV_SALVAGE) {
		ea_json_key(j, "reachable");
		if (kv->reachable < 0) ea_json_null(j); else ea_json_bool(j, kv->reachable);
	}
	if (k) ea_render_k8s_json(j, k);
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_kv_table(FILE *f, const ea_mvcc_kv *kv, ea_render_kv_mode mode) { ea_render_kv_table_k8s(f, kv, mode, NULL); }

void ea_render_kv_table_k8s(FILE *f, const ea_mvcc_kv *kv, ea_render_kv_mode mode, const ea_k8s_object *k)
{
	if (mode != EA_RENDER_KV_LS) fprintf(f, "%8" PRId64 ".%-3" PRId64 " %-4s", kv->main, kv->sub, kv->tombstone ? "DEL" : "PUT");
	fprintf(f, " %8" PRId64 " %8" PRId64 " %5" PRId64 " %16" PRIx64 "  ", kv->create_revision, kv->mod_revision,
	        kv->version, (uint64_t)kv->lease);
	print_bytes(f, kv->key, kv->key_len, 80);
	if (!kv->tombstone) {
		fputs(" = ", f);
		if (!k || !ea_render_k8s_table(f, k, kv->value_len)) print_bytes(f, kv->value, kv->value_len, 60);
	}
	if (mode == EA_RENDER_KV_SALVAGE) fprintf(f, "  [page %" PRIu64 "%s]", kv->page, kv->reachable == 0 ? ", unreachable" : "");
	fputc('\n', f);
}

/* ---- db history: rows with their source (the db, or the WAL past the compaction) ---- */

void ea_render_kv_history_header(FILE *f)
{
	fprintf(f, "%12s %-4s %-6s %8s %8s %5s %16s  %s\n", "REVISION", "OP", "SOURCE", "CREATE", "MOD", "VER", "LEASE",
	        "KEY = VALUE");
}

static void opt_i64(ea_json *j, int known, int64_t v)
{
	if (known) ea_json_i64(j, v); else ea_json_null(j);
}

void ea_render_kv_history_json(ea_json *j, const ea_mvcc_kv *kv, const ea_render_kv_source *src)
{
	int cv = !src->wal || src->cv_known;
	ea_json_object_begin(j);
	ea_json_key(j, "key"); ea_json_bytes(j, kv->key, kv->key_len);
	ea_json_key(j, "revision"); ea_json_i64(j, kv->main);
	ea_json_key(j, "sub"); ea_json_i64(j, kv->sub);
	ea_json_key(j, "tombstone"); ea_json_bool(j, kv->tombstone);
	ea_json_key(j, "create_revision"); opt_i64(j, cv, kv->create_revision);
	ea_json_key(j, "mod_revision"); ea_json_i64(j, kv->mod_revision);
	ea_json_key(j, "version"); opt_i64(j, cv, kv->version);
	ea_json_key(j, "lease");
	if (kv->lease) ea_json_hex(j, (uint64_t)kv->lease); else ea_json_null(j);
	ea_json_key(j, "value");
	if (kv->decode_ok) ea_json_bytes(j, kv->value, kv->value_len); else ea_json_null(j);
	ea_json_key(j, "page");
	if (src->wal) ea_json_null(j); else ea_json_u64(j, kv->page);
	ea_json_key(j, "offset");
	if (src->wal) ea_json_null(j); else ea_json_u64(j, kv->offset);
	ea_json_key(j, "source"); ea_json_str(j, src->wal ? "wal" : "db");
	if (src->wal) { ea_json_key(j, "wal_index"); ea_json_u64(j, src->index); }
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_kv_history_table(FILE *f, const ea_mvcc_kv *kv, const ea_render_kv_source *src)
{
	int cv = !src->wal || src->cv_known;
	fprintf(f, "%8" PRId64 ".%-3" PRId64 " %-4s %-6s", kv->main, kv->sub, kv->tombstone ? "DEL" : "PUT", src->wal ? "wal" : "db");
	if (cv) fprintf(f, " %8" PRId64 " %8" PRId64 " %5" PRId64, kv->create_revision, kv->mod_revision, kv->version);
	else fprintf(f, " %8s %8" PRId64 " %5s", "?", kv->mod_revision, "?");
	fprintf(f, " %16" PRIx64 "  ", (uint64_t)kv->lease);
	print_bytes(f, kv->key, kv->key_len, 80);
	if (!kv->tombstone) {
		fputs(" = ", f);
		if (kv->decode_ok) print_bytes(f, kv->value, kv->value_len, 60); else fputs("?", f);
	}
	fputc('\n', f);
}
