/* snapinfo.c: `snap ls`: every .snap / .snap.broken / .snap.db file of an input, checked and
 * summarised. The v2 store JSON inside a .snap is reduced to what matters for forensics:
 * /0/members/<id>/{attributes,raftAttributes} (names, URLs), /0/removed_members/<id> and
 * /0/version (the cluster version). Each file is read whole (bounded by max_bytes). */
#include "etcd-autopsy/snap.h"
#include "../format/snap_int.h"
#include "../source/input_int.h"
#include "util/arena.h"
#include "util/hex.h"
#include "util/vec.h"
#include "util/jsonp.h"
#include "v2store_check.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX (1ull << 30)

struct ea_snap_list {
	ea_snap_info *files;
	size_t n;
	ea_arena keep;             /* strings and arrays of the infos (never reset) */
	ea_problem_owned *problems;
	size_t nproblems;
};

static void problem(ea_snap_list *l, ea_severity sev, const char *kind, const char *file, uint64_t off,
                    uint64_t len, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void problem(ea_snap_list *l, ea_severity sev, const char *kind, const char *file, uint64_t off,
                    uint64_t len, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	void *p = realloc(l->problems, (l->nproblems + 1) * sizeof *l->problems);
	if (!p) return;
	l->problems = p;
	ea_problem pr = { EA_LAYER_SNAP, sev, kind, file, off, len, msg };
	if (ea_problem_copy(&l->problems[l->nproblems], &pr) == EA_OK) l->nproblems++;
}

static const char *keep_str(ea_snap_list *l, const char *s)
{
	if (!s) return NULL;
	const char *r = ea_arena_strndup(&l->keep, s, strlen(s));
	return r ? r : "";
}

static const ea_jv *child(const ea_jv *node, const char *name)
{
	return ea_jsonp_get(ea_jsonp_get(node, "Children"), name);
}

static void v2_summary(ea_snap_list *l, ea_arena *tmp, ea_snap_info *f, const uint8_t *js, size_t n)
{
	const ea_jv *root = ea_jsonp_parse(tmp, (const char *)js, n);
	if (!root) {
		problem(l, EA_SEV_ERROR, "v2-store-invalid", f->file, EA_NO_OFFSET, 0,
		        "raftpb.Snapshot.data is not valid JSON (v2 store)");
		return;
	}
	f->v2_ok = 1;
	char custom[64];
	if ((f->v2_custom = ea__v2store_custom(root, custom, sizeof custom))) f->v2_custom_key = keep_str(l, custom);
	const ea_jv *zero = child(ea_jsonp_get(root, "Root"), "0");
	const ea_jv *ver = child(zero, "version");
	f->cluster_version = keep_str(l, ea_jsonp_str(ver, "Value"));
	size_t cnt = 0;
	const ea_jv *mem = ea_jsonp_get(child(zero, "members"), "Children");
	const ea_jv *rem = ea_jsonp_get(child(zero, "removed_members"), "Children");
	for (const ea_jv *c = mem && mem->type == EA_JV_OBJ ? mem->child : NULL; c; c = c->next) cnt++;
	for (const ea_jv *c = rem && rem->type == EA_JV_OBJ ? rem->child : NULL; c; c = c->next) cnt++;
	if (!cnt) return;
	f->members = ea_arena_alloc(&l->keep, cnt * sizeof *f->members);
	if (!f->members) return;
	for (int pass = 0; pass < 2; pass++) {
		const ea_jv *set = pass ? rem : mem;
		for (const ea_jv *c = set && set->type == EA_JV_OBJ ? set->child : NULL; c; c = c->next) {
			ea_snap_member *m = &f->members[f->n_members];
			memset(m, 0, sizeof *m);
			m->name = m->peer_urls = m->client_urls = "";
			m->removed = pass;
			if (ea__hex_u64(c->key, strlen(c->key), &m->id)) continue;
			if (!pass) {
				const char *attr = ea_jsonp_str(child(c, "attributes"), "Value");
				const char *raft = ea_jsonp_str(child(c, "raftAttributes"), "Value");
				const ea_jv *a = attr ? ea_jsonp_parse(tmp, attr, strlen(attr)) : NULL;
				const ea_jv *r = raft ? ea_jsonp_parse(tmp, raft, strlen(raft)) : NULL;
				if (a) {
					m->name = keep_str(l, ea_jsonp_str(a, "name"));
					if (!m->name) m->name = "";
					m->client_urls = ea_jsonp_join(&l->keep, ea_jsonp_get(a, "clientURLs"));
				}
				if (r) m->peer_urls = ea_jsonp_join(&l->keep, ea_jsonp_get(r, "peerURLs"));
			}
			f->n_members++;
		}
	}
}

static const char *note_for(const char *kind)
{
	if (strcmp(kind, "snap.broken") == 0)
		return "etcd renamed this .snap after it failed to load it (CRC mismatch or undecodable)";
	if (strcmp(kind, "snap.db") == 0)
		return "bbolt image received from the leader with a raft snapshot; renamed to db when "
		       "applied (a leftover means the install did not finish); read it with `db stat`";
	return "raft snapshot: v2 store and membership as of index, written every --snapshot-count entries";
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const ea_snap_info *)a)->file, ((const ea_snap_info *)b)->file);
}

int ea_snap_list_open(ea_snap_list **out, ea_input *in, uint64_t max_bytes, ea_error *err)
{
	*out = NULL;
	if (!max_bytes) max_bytes = DEFAULT_MAX;
	ea_snap_list *l = calloc(1, sizeof *l);
	if (!l) return EA_ENOMEM;
	ea_arena_init(&l->keep, 0);
	ea_arena tmp;
	ea_arena_init(&tmp, 0);
	size_t cap = 0;
	int rc = EA_OK;
	for (size_t i = 0; i < ea_input_count(in) && rc == EA_OK; i++) {
		const ea_input_file *fi = ea_input_at(in, i);
		const char *base = strrchr(fi->name, '/');
		base = base ? base + 1 : fi->name;
		size_t bl = strlen(base);
		int is_snap = (bl > 5 && strcmp(base + bl - 5, ".snap") == 0) ||
		              (bl > 12 && strcmp(base + bl - 12, ".snap.broken") == 0) ||
		              (bl > 8 && strcmp(base + bl - 8, ".snap.db") == 0);
		if (!is_snap) continue;
		if (EA_VEC_GROW(l->files, cap, l->n, 16)) { rc = EA_ENOMEM; break; }
		ea_snap_info *f = &l->files[l->n++];
		memset(f, 0, sizeof *f);
		f->file = keep_str(l, fi->name);
		f->size = fi->size;
		f->mtime = fi->mtime;
		f->name_ok = ea__snap_parse_name(base, &f->kind, &f->name_term, &f->name_index) == 0;
		f->note = note_for(f->kind);
		f->crc_ok = -1;
		if (!f->name_ok)
			problem(l, EA_SEV_WARNING, "snap-name", f->file, EA_NO_OFFSET, 0,
			        "file name does not follow etcd's pattern (%%016x-%%016x.snap or %%016x.snap.db)");
		if (strcmp(f->kind, "snap.db") == 0) continue;
		if (fi->size > max_bytes) {
			problem(l, EA_SEV_WARNING, "snap-too-large", f->file, EA_NO_OFFSET, 0,
			        "%" PRIu64 " bytes: larger than the %" PRIu64 "-byte limit, not decoded", fi->size, max_bytes);
			continue;
		}
		uint8_t *buf = malloc(fi->size ? (size_t)fi->size : 1);
		if (!buf) { rc = EA_ENOMEM; break; }
		long g = ea_input_pread(in, i, buf, (size_t)fi->size, 0);
		if (g < 0) { free(buf); rc = EA_EIO; ea__set_error(err, EA_EIO, EA_LAYER_SNAP, f->file, 0, "cannot read"); break; }
		ea_arena_reset(&tmp);
		ea_snap_decoded d;
		ea__snap_decode(&tmp, buf, (size_t)g, &d);
		f->crc_stored = d.crc_stored;
		f->crc_computed = d.crc_computed;
		f->crc_ok = d.envelope_ok && d.crc_stored == d.crc_computed;
		/* the file is one CRC-protected message without inner redundancy: the damage can be
		 * anywhere in it (a changed length varint shows up as a bad tag further on), so the
		 * problem covers the whole file; where decoding failed is in the message */
		if (d.error) {
			char where[64] = "";
			if (d.error_offset)
				snprintf(where, sizeof where, " (decoding failed at byte %" PRIu64 ")", d.error_offset);
			problem(l, EA_SEV_ERROR, d.envelope_ok && !f->crc_ok ? "crc-mismatch" : "snap-invalid", f->file,
			        0, (uint64_t)g, "%s%s%s", d.error, where,
			        d.envelope_ok && !f->crc_ok ? ": etcd would rename it to .snap.broken and use an older one" : "");
		}
		if (d.decoded) {
			f->decoded = 1;
			f->term = d.term;
			f->index = d.index;
			f->auto_leave = d.auto_leave;
			if (d.n_voters && (f->voters = ea_arena_alloc(&l->keep, d.n_voters * 8))) {
				memcpy(f->voters, d.voters, d.n_voters * 8);
				f->n_voters = d.n_voters;
			}
			if (d.n_learners && (f->learners = ea_arena_alloc(&l->keep, d.n_learners * 8))) {
				memcpy(f->learners, d.learners, d.n_learners * 8);
				f->n_learners = d.n_learners;
			}
			if (f->name_ok && (f->term != f->name_term || f->index != f->name_index))
				problem(l, EA_SEV_ERROR, "snap-name-mismatch", f->file, EA_NO_OFFSET, 0,
				        "file name says term %" PRIu64 " index %" PRIu64 " but the metadata says term %"
				        PRIu64 " index %" PRIu64, f->name_term, f->name_index, f->term, f->index);
		}
		f->data_len = d.v2_len;
		if (d.v2 && d.v2_len) v2_summary(l, &tmp, f, d.v2, d.v2_len);
		free(buf);
	}
	ea_arena_free(&tmp);
	if (rc) { ea_snap_list_close(l); return rc; }
	if (l->n == 0) {
		ea__set_error(err, EA_ENOTFOUND, EA_LAYER_SNAP, ea_input_path(in), EA_NO_OFFSET,
		              "no .snap, .snap.broken or .snap.db files found");
		ea_snap_list_close(l);
		return EA_ENOTFOUND;
	}
	qsort(l->files, l->n, sizeof *l->files, cmp_info);
	*out = l;
	return EA_OK;
}

void ea_snap_list_close(ea_snap_list *l)
{
	if (!l) return;
	for (size_t i = 0; i < l->nproblems; i++) ea_problem_owned_free(&l->problems[i]);
	free(l->problems);
	free(l->files);
	ea_arena_free(&l->keep);
	free(l);
}

size_t ea_snap_list_count(const ea_snap_list *l) { return l->n; }
const ea_snap_info *ea_snap_list_at(const ea_snap_list *l, size_t i) { return i < l->n ? &l->files[i] : NULL; }
size_t ea_snap_list_problem_count(const ea_snap_list *l) { return l->nproblems; }
const ea_problem *ea_snap_list_problem_at(const ea_snap_list *l, size_t i)
{
	return i < l->nproblems ? &l->problems[i].p : NULL;
}
