/* k8s_dump.c: the whole metadata of one Kubernetes value and its raw object as protobuf text
 * with field numbers (`db get --k8s`). ObjectMeta is decoded by protobuf-c from formats/k8s.proto
 * into the decoder's arena; the object by a bounded decode_raw-style walk (a length-delimited
 * field is shown as a nested message when it parses as one and is not printable text).
 * Strings from the evidence are escaped for the terminal (text.h). */
#include "k8s_int.h"
#include "etcd-autopsy/text.h"
#include "etcd-autopsy/writer.h"
#include "format/pb_wire.h"
#include "util/jsonp.h"

#include "k8s.pb-c.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#define DUMP_DEPTH 24

static void put_bytes(FILE *f, const void *p, size_t n)
{
	if (p) ea_text_fput(f, (const char *)p, n);
	else fputc('-', f);
}

static void line(FILE *f, const char *label, ProtobufCBinaryData b, int has)
{
	if (!has || !b.len) return;
	fprintf(f, "%-18s", label);
	put_bytes(f, b.data, b.len);
	fputc('\n', f);
}

static void time_text(FILE *f, int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm;
	char buf[40];
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm)) { fprintf(f, "%" PRId64, s); return; }
	fputs(buf, f);
}

static void meta_lists(FILE *f, const K8s__ObjectMeta *m)
{
	for (size_t i = 0; i < m->n_labels; i++) {
		fprintf(f, "%-18s", i ? "" : "labels");
		put_bytes(f, m->labels[i]->key.data, m->labels[i]->key.len);
		fputc('=', f);
		put_bytes(f, m->labels[i]->value.data, m->labels[i]->value.len);
		fputc('\n', f);
	}
	if (m->n_annotations) fprintf(f, "%-18s%zu\n", "annotations", m->n_annotations);
	for (size_t i = 0; i < m->n_ownerreferences; i++) {
		const K8s__OwnerReference *r = m->ownerreferences[i];
		fprintf(f, "%-18s", i ? "" : "owner_references");
		put_bytes(f, r->kind.data, r->kind.len);
		fputc('/', f);
		put_bytes(f, r->name.data, r->name.len);
		fputs(" uid=", f);
		put_bytes(f, r->uid.data, r->uid.len);
		if (r->has_controller && r->controller) fputs(" controller", f);
		fputc('\n', f);
	}
	for (size_t i = 0; i < m->n_finalizers; i++) {
		fprintf(f, "%-18s", i ? "" : "finalizers");
		put_bytes(f, m->finalizers[i].data, m->finalizers[i].len);
		fputc('\n', f);
	}
	for (size_t i = 0; i < m->n_managedfields; i++) {
		const K8s__ManagedFieldsEntry *e = m->managedfields[i];
		fprintf(f, "%-18s", i ? "" : "managed_fields");
		put_bytes(f, e->manager.data, e->manager.len);
		fputc(' ', f);
		put_bytes(f, e->operation.data, e->operation.len);
		fputc(' ', f);
		put_bytes(f, e->apiversion.data, e->apiversion.len);
		fputc(' ', f);
		if (e->time && e->time->has_seconds) time_text(f, e->time->seconds); else fputc('-', f);
		if (e->subresource.len) { fputs(" subresource=", f); put_bytes(f, e->subresource.data, e->subresource.len); }
		fputc('\n', f);
	}
}

static void meta_lines(FILE *f, const K8s__ObjectMeta *m)
{
	line(f, "name", m->name, m->has_name);
	line(f, "generate_name", m->generatename, m->has_generatename);
	line(f, "namespace", m->namespace_, m->has_namespace_);
	line(f, "uid", m->uid, m->has_uid);
	line(f, "resource_version", m->resourceversion, m->has_resourceversion);
	if (m->has_generation) fprintf(f, "%-18s%" PRId64 "\n", "generation", m->generation);
	if (m->creationtimestamp && m->creationtimestamp->has_seconds) {
		fprintf(f, "%-18s", "created");
		time_text(f, m->creationtimestamp->seconds);
		fputc('\n', f);
	}
	if (m->deletiontimestamp && m->deletiontimestamp->has_seconds) {
		fprintf(f, "%-18s", "deleted");
		time_text(f, m->deletiontimestamp->seconds);
		if (m->has_deletiongraceperiodseconds) fprintf(f, " (grace %" PRId64 " s)", m->deletiongraceperiodseconds);
		fputc('\n', f);
	}
	meta_lists(f, m);
}

/* ---- decode_raw ---- */

/* 1 if b[0..n) is one level of well-formed protobuf with at least one field */
static int is_message(const uint8_t *b, size_t n)
{
	const uint8_t *p = b, *end = b + n;
	if (!n) return 0;
	while (p < end) {
		uint64_t tag;
		if (ea_pb_varint(&p, end, &tag) || (tag >> 3) == 0 || (tag >> 3) > 536870911u) return 0;
		unsigned w = (unsigned)(tag & 7);
		if (w != 0 && w != 1 && w != 2 && w != 5) return 0;
		if (ea_pb_skip(&p, end, w)) return 0;
	}
	return 1;
}

static int printable(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((b[i] < 0x20 && b[i] != '\n' && b[i] != '\t') || b[i] == 0x7f) return 0;
	return ea_utf8_valid(b, n);
}

static void dump_raw(FILE *f, const uint8_t *b, size_t n, int depth)
{
	const uint8_t *p = b, *end = b + n;
	while (p < end) {
		uint64_t tag, v;
		if (ea_pb_varint(&p, end, &tag)) break;
		unsigned w = (unsigned)(tag & 7);
		fprintf(f, "%*s%" PRIu64, depth * 2, "", tag >> 3);
		if (w == 0 && !ea_pb_varint(&p, end, &v)) { fprintf(f, ": %" PRIu64 "\n", v); continue; }
		if (w == 1 && end - p >= 8) { memcpy(&v, p, 8); p += 8; fprintf(f, ": 0x%016" PRIx64 "\n", v); continue; }
		if (w == 5 && end - p >= 4) { uint32_t x; memcpy(&x, p, 4); p += 4; fprintf(f, ": 0x%08" PRIx32 "\n", x); continue; }
		if (w == 2 && !ea_pb_varint(&p, end, &v) && v <= (uint64_t)(end - p)) {
			const uint8_t *s = p;
			p += v;
			if (depth < DUMP_DEPTH && !printable(s, (size_t)v) && is_message(s, (size_t)v)) {
				fputs(" {\n", f);
				dump_raw(f, s, (size_t)v, depth + 1);
				fprintf(f, "%*s}\n", depth * 2, "");
			} else {
				fputs(": \"", f);
				ea_text_fput(f, (const char *)s, (size_t)v);
				fputs("\"\n", f);
			}
			continue;
		}
		fprintf(f, ": (malformed at byte %zu of %zu)\n", (size_t)(p - b), n);
		return;
	}
	if (p < end) fprintf(f, "%*s(malformed at byte %zu of %zu)\n", depth * 2, "", (size_t)(p - b), n);
}

/* ---- the value ---- */

/* the Unknown's raw bytes (protobuf values), NULL if none */
static const uint8_t *unknown_raw(const uint8_t *val, size_t n, size_t *raw_len)
{
	const uint8_t *p = val + 4, *end = val + n, *raw = NULL;
	while (p < end) {
		uint64_t tag, l;
		if (ea_pb_varint(&p, end, &tag)) return NULL;
		unsigned w = (unsigned)(tag & 7);
		if (w != 2) { if (ea_pb_skip(&p, end, w)) return NULL; continue; }
		if (ea_pb_varint(&p, end, &l) || l > (uint64_t)(end - p)) return NULL;
		if ((tag >> 3) == 2) { raw = p; *raw_len = (size_t)l; }
		p += l;
	}
	return raw;
}

static void dump_protobuf(ea_k8s *k, const uint8_t *val, size_t n, FILE *f)
{
	size_t rl = 0;
	const uint8_t *raw = unknown_raw(val, n, &rl);
	if (!raw) { fputs("(no runtime.Unknown raw object in the value)\n", f); return; }
	ea_arena_reset(ea_k8s_arena(k));
	K8s__Object *o = k8s__object__unpack(&ea_k8s_arena(k)->pb, rl, raw);
	if (o && o->metadata) meta_lines(f, o->metadata);
	else fputs("(the object's field 1 is no ObjectMeta)\n", f);
	fputs("object (protobuf, field numbers):\n", f);
	dump_raw(f, raw, rl, 1);
}

static void json_line(FILE *f, const char *label, const ea_jv *obj, const char *key)
{
	const char *s = ea_jsonp_str(obj, key);
	if (!s) return;
	fprintf(f, "%-18s", label);
	ea_text_fput(f, s, ea_jsonp_get(obj, key)->n);
	fputc('\n', f);
}

static void dump_json(ea_k8s *k, const uint8_t *val, size_t n, FILE *f)
{
	ea_arena_reset(ea_k8s_arena(k));
	const ea_jv *root = ea_jsonp_parse(ea_k8s_arena(k), (const char *)val, n);
	const ea_jv *md = root ? ea_jsonp_get(root, "metadata") : NULL;
	if (!md || md->type != EA_JV_OBJ) { fputs("(no metadata object in the JSON value)\n", f); return; }
	json_line(f, "name", md, "name");
	json_line(f, "generate_name", md, "generateName");
	json_line(f, "namespace", md, "namespace");
	json_line(f, "uid", md, "uid");
	json_line(f, "resource_version", md, "resourceVersion");
	json_line(f, "created", md, "creationTimestamp");
	json_line(f, "deleted", md, "deletionTimestamp");
	const ea_jv *lb = ea_jsonp_get(md, "labels");
	int first = 1;
	for (const ea_jv *c = lb && lb->type == EA_JV_OBJ ? lb->child : NULL; c; c = c->next) {
		if (c->type != EA_JV_STR) continue;
		fprintf(f, "%-18s", first ? "labels" : "");
		ea_text_fput(f, c->key, strlen(c->key));
		fputc('=', f);
		ea_text_fput(f, c->s, c->n);
		fputc('\n', f);
		first = 0;
	}
	const ea_jv *mf = ea_jsonp_get(md, "managedFields");
	first = 1;
	for (const ea_jv *c = mf && mf->type == EA_JV_ARR ? mf->child : NULL; c; c = c->next) {
		/* as the protobuf lines: manager operation apiVersion time [subresource=S] */
		const char *v[4] = { ea_jsonp_str(c, "manager"), ea_jsonp_str(c, "operation"), ea_jsonp_str(c, "apiVersion"),
		                     ea_jsonp_str(c, "time") };
		const char *sub = ea_jsonp_str(c, "subresource");
		fprintf(f, "%-18s", first ? "managed_fields" : "");
		for (int i = 0; i < 4; i++) {
			if (i) fputc(' ', f);
			ea_text_fput(f, v[i] && *v[i] ? v[i] : "-", v[i] && *v[i] ? strlen(v[i]) : 1);
		}
		if (sub && *sub) { fputs(" subresource=", f); ea_text_fput(f, sub, strlen(sub)); }
		fputc('\n', f);
		first = 0;
	}
}

void ea_k8s_dump(ea_k8s *k, const uint8_t *val, size_t val_len, FILE *f)
{
	if (val && val_len >= 4 && memcmp(val, "k8s\0", 4) == 0) dump_protobuf(k, val, val_len, f);
	else if (val && val_len >= 8 && memcmp(val, "k8s:enc:", 8) == 0) fputs("(encrypted: not decrypted)\n", f);
	else if (val && val_len && (val[0] == '{' || val[0] == ' ' || val[0] == '\n')) dump_json(k, val, val_len, f);
	else fputs("(not a Kubernetes encoding)\n", f);
}
