/* render_k8s.c: a Kubernetes object (k8s.h) as the "k8s" member of a JSON record (generic
 * writer for db ls/history/get, raw pieces for the wal ls hot path) and as the short table text
 * "v1 Pod payments/checkout-7d9f 1.1 KiB"; a txn's shape as the "txn" member of wal ls. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void two(char *p, unsigned v) { p[0] = (char)('0' + v / 10 % 10); p[1] = (char)('0' + v % 10); }

/* "2026-12-05T07:08:18Z" (metav1.Time has whole seconds); by hand on the hot path (civil from
 * days, proleptic Gregorian), strftime for years outside 0000..9999 */
static const char *created_text(char *buf, size_t cap, int64_t s)
{
	int64_t days = s / 86400, sec = s % 86400;
	if (sec < 0) { sec += 86400; days--; }
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1), m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);
	if (y < 0 || y > 9999 || cap < 21) {
		time_t t = (time_t)s;
		struct tm tm;
		if (!gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(buf, cap, "%" PRId64, s);
		return buf;
	}
	memcpy(buf, "0000-00-00T00:00:00Z", 21);
	two(buf, (unsigned)(y / 100));
	two(buf + 2, (unsigned)(y % 100));
	two(buf + 5, m);
	two(buf + 8, d);
	two(buf + 11, (unsigned)(sec / 3600));
	two(buf + 14, (unsigned)(sec / 60 % 60));
	two(buf + 17, (unsigned)(sec % 60));
	return buf;
}

static void gval(ea_json *j, ea_k8s_str s)
{
	if (s.p) ea_json_bytes(j, s.p, s.n); else ea_json_null(j);
}

void ea_render_k8s_json(ea_json *j, const ea_k8s_object *o)
{
	char tb[48];
	EA_JSON_KEY(j, "k8s");
	ea_json_object_begin(j);
	EA_JSON_KEY(j, "group"); gval(j, o->group);
	EA_JSON_KEY(j, "resource"); gval(j, o->resource);
	EA_JSON_KEY(j, "namespace"); gval(j, o->ns);
	EA_JSON_KEY(j, "name"); gval(j, o->name);
	EA_JSON_KEY(j, "api_version"); gval(j, o->api_version);
	EA_JSON_KEY(j, "kind"); gval(j, o->kind);
	EA_JSON_KEY(j, "encoding"); ea_json_str(j, ea_k8s_encoding_name(o->encoding));
	EA_JSON_KEY(j, "encryption");
	if (o->encoding == EA_K8S_ENC_ENCRYPTED) {
		ea_json_object_begin(j);
		EA_JSON_KEY(j, "provider"); gval(j, o->enc_provider);
		EA_JSON_KEY(j, "key"); gval(j, o->enc_key);
		ea_json_object_end(j);
	} else ea_json_null(j);
	EA_JSON_KEY(j, "uid"); gval(j, o->uid);
	EA_JSON_KEY(j, "created");
	if (o->have_created) ea_json_str(j, created_text(tb, sizeof tb, o->created_s)); else ea_json_null(j);
	ea_json_object_end(j);
}

/* raw pieces: `lit` is `,"name":` (names the string for its _b64 companion) */
static void rstr(ea_json *j, const char *lit, size_t n, ea_k8s_str s)
{
	ea_json_raw(j, lit, n);
	if (s.p) ea_json_raw_str(j, s.p, s.n); else EA_JSON_RAW(j, "null");
}
#define RSTR(j, lit, s) rstr((j), lit, sizeof(lit) - 1, (s))

void ea_render_k8s_raw_json(ea_json *j, const ea_k8s_object *o)
{
	char tb[48];
	RSTR(j, ",\"k8s\":{\"group\":", o->group);
	RSTR(j, ",\"resource\":", o->resource);
	RSTR(j, ",\"namespace\":", o->ns);
	RSTR(j, ",\"name\":", o->name);
	RSTR(j, ",\"api_version\":", o->api_version);
	RSTR(j, ",\"kind\":", o->kind);
	const char *e = ea_k8s_encoding_name(o->encoding);
	EA_JSON_RAW(j, ",\"encoding\":");
	if (e) { EA_JSON_RAW(j, "\""); ea_json_raw(j, e, strlen(e)); EA_JSON_RAW(j, "\""); } else EA_JSON_RAW(j, "null");
	if (o->encoding == EA_K8S_ENC_ENCRYPTED) {
		RSTR(j, ",\"encryption\":{\"provider\":", o->enc_provider);
		RSTR(j, ",\"key\":", o->enc_key);
		EA_JSON_RAW(j, "}");
	} else EA_JSON_RAW(j, ",\"encryption\":null");
	RSTR(j, ",\"uid\":", o->uid);
	if (o->have_created) {
		created_text(tb, sizeof tb, o->created_s);
		EA_JSON_RAW(j, ",\"created\":\""); ea_json_raw(j, tb, strlen(tb)); EA_JSON_RAW(j, "\"}");
	} else EA_JSON_RAW(j, ",\"created\":null}");
}

void ea_render_txn_raw_json(ea_json *j, const ea_txn_shape *t, int applied)
{
	const char *op = ea_k8s_txn_op(t);
	EA_JSON_RAW(j, ",\"txn\":{\"op\":\""); ea_json_raw(j, op, strlen(op));
	EA_JSON_RAW(j, "\",\"compare\":[");
	for (size_t i = 0; i < t->ncompare && i < EA_TXN_SHAPE_COMPARES; i++) {
		const ea_txn_compare *c = &t->compare[i];
		const char *tg = ea_k8s_compare_target(c->target), *r = ea_k8s_compare_result(c->result);
		if (i) EA_JSON_RAW(j, ",");
		EA_JSON_RAW(j, "{\"key\":"); ea_json_raw_str(j, c->key ? (const void *)c->key : "", c->key_len);
		EA_JSON_RAW(j, ",\"target\":\""); ea_json_raw(j, tg, strlen(tg));
		EA_JSON_RAW(j, "\",\"result\":\""); ea_json_raw(j, r, strlen(r));
		if (c->target == 3) {
			EA_JSON_RAW(j, "\",\"value\":"); ea_json_raw_str(j, c->value ? (const void *)c->value : "", c->value_len);
		} else {
			EA_JSON_RAW(j, "\",\"value\":");
			if (c->num < 0) { EA_JSON_RAW(j, "-"); ea_json_raw_u64(j, 0 - (uint64_t)c->num); }
			else ea_json_raw_u64(j, (uint64_t)c->num);
		}
		EA_JSON_RAW(j, "}");
	}
	EA_JSON_RAW(j, "],\"lease\":");
	if (t->lease) ea_json_raw_hex(j, (uint64_t)t->lease); else EA_JSON_RAW(j, "null");
	/* whether the success branch ran: from the WAL replay, null without the member's db */
	const char *ap = applied < 0 ? ",\"applied\":null}" : applied ? ",\"applied\":true}" : ",\"applied\":false}";
	ea_json_raw(j, ap, strlen(ap));
}

int ea_render_k8s_table(FILE *f, const ea_k8s_object *o, size_t value_len)
{
	char hb[32];
	if (o->encoding == EA_K8S_ENC_ENCRYPTED) {
		fputs("encrypted ", f);
		if (o->enc_provider.p) ea_text_fput(f, o->enc_provider.p, o->enc_provider.n);
		if (o->enc_key.p) { fputc(':', f); ea_text_fput(f, o->enc_key.p, o->enc_key.n); }
	} else if (o->kind.p && (o->encoding == EA_K8S_ENC_PROTOBUF || o->encoding == EA_K8S_ENC_JSON)) {
		if (o->api_version.p) { ea_text_fput(f, o->api_version.p, o->api_version.n); fputc(' ', f); }
		ea_text_fput(f, o->kind.p, o->kind.n);
		if (o->name.p) {
			fputc(' ', f);
			if (o->ns.p) { ea_text_fput(f, o->ns.p, o->ns.n); fputc('/', f); }
			ea_text_fput(f, o->name.p, o->name.n);
		}
	} else {
		return 0;
	}
	fprintf(f, " %s", ea_render_human_bytes(hb, sizeof hb, value_len));
	return 1;
}

/* ---- db get ---- */

static void k8s_line(FILE *f, const char *label, ea_k8s_str s)
{
	fprintf(f, "%-18s", label);
	if (s.p) ea_text_fput(f, s.p, s.n); else fputc('-', f);
	fputc('\n', f);
}

/* full: also namespace, name, uid, created (the dump says them otherwise) */
static void k8s_lines(FILE *f, const ea_k8s_object *o, int full)
{
	char tb[48];
	k8s_line(f, "group", o->group);
	k8s_line(f, "resource", o->resource);
	if (full) {
		k8s_line(f, "namespace", o->ns);
		k8s_line(f, "name", o->name);
	}
	k8s_line(f, "api_version", o->api_version);
	k8s_line(f, "kind", o->kind);
	const char *e = ea_k8s_encoding_name(o->encoding);
	fprintf(f, "%-18s%s\n", "encoding", e ? e : "-");
	if (o->encoding == EA_K8S_ENC_ENCRYPTED) {
		k8s_line(f, "encryption", o->enc_provider);
		k8s_line(f, "encryption_key", o->enc_key);
	}
	if (!full) return;
	k8s_line(f, "uid", o->uid);
	fprintf(f, "%-18s%s\n", "created", o->have_created ? created_text(tb, sizeof tb, o->created_s) : "-");
}

void ea_render_kv_get_table(FILE *f, const ea_mvcc_kv *kv, const ea_k8s_object *o, ea_k8s *dump)
{
	char hb[32];
	fprintf(f, "%-18s", "key");
	ea_text_fput(f, (const char *)kv->key, kv->key_len);
	fprintf(f, "\n%-18s%" PRId64 ".%" PRId64 "\n", "revision", kv->main, kv->sub);
	fprintf(f, "%-18s%" PRId64 "\n%-18s%" PRId64 "\n%-18s%" PRId64 "\n", "create_revision", kv->create_revision,
	        "mod_revision", kv->mod_revision, "version", kv->version);
	if (kv->lease) fprintf(f, "%-18s%" PRIx64 "\n", "lease", (uint64_t)kv->lease); else fprintf(f, "%-18s-\n", "lease");
	fprintf(f, "%-18s%zu (%s)\n", "value_size", kv->value_len, ea_render_human_bytes(hb, sizeof hb, kv->value_len));
	if (o) k8s_lines(f, o, !dump);
	if (dump) {
		ea_k8s_dump(dump, kv->value, kv->value_len, f);
		return;
	}
	fprintf(f, "%-18s", "value");
	ea_text_fput(f, (const char *)kv->value, kv->value_len);
	fputc('\n', f);
}

void ea_render_kv_get_json(ea_json *j, const ea_mvcc_kv *kv, const ea_k8s_object *o, ea_k8s *dump)
{
	ea_json_object_begin(j);
	ea_json_key(j, "key"); ea_json_bytes(j, kv->key, kv->key_len);
	ea_json_key(j, "revision"); ea_json_i64(j, kv->main);
	ea_json_key(j, "sub"); ea_json_i64(j, kv->sub);
	ea_json_key(j, "create_revision"); ea_json_i64(j, kv->create_revision);
	ea_json_key(j, "mod_revision"); ea_json_i64(j, kv->mod_revision);
	ea_json_key(j, "version"); ea_json_i64(j, kv->version);
	ea_json_key(j, "lease");
	if (kv->lease) ea_json_hex(j, (uint64_t)kv->lease); else ea_json_null(j);
	ea_json_key(j, "value"); ea_json_bytes(j, kv->value, kv->value_len);
	if (o) ea_render_k8s_json(j, o);
	if (dump) {
		char *text = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&text, &n);
		if (m) { ea_k8s_dump(dump, kv->value, kv->value_len, m); fclose(m); }
		ea_json_key(j, "k8s_text");
		if (text) ea_json_bytes(j, text, n); else ea_json_null(j);
		free(text);
	}
	ea_json_object_end(j);
	ea_json_newline(j);
}
