/* schema.c: how etcd 3.6+ names a db's storage schema and reads its downgrade state, as pure
 * functions over raw meta/cluster values (docs/formats.md §7). The rules are etcd's own:
 *   schema.go UnsafeDetectSchemaVersion (release-3.6, release-3.7): meta/storageVersion when it
 *     parses as a semver; else consistent_index + term (cindex.go UnsafeReadConsistentIndex,
 *     binary.BigEndian.Uint64: a value under 8 bytes panics, extra bytes are ignored); a zero
 *     or absent term is the error "missing term information" (3.4 and older), else 3.5.0.
 *   version.go UnsafeReadStorageVersion: semver.NewVersion (coreos/go-semver) or nil.
 *   membership.go DowngradeInfoFromBackend: encoding/json into {target-version, enabled};
 *     an undecodable value, or enabled with a target that is no semver, panics. */
#include "schema.h"
#include "util/arena.h"
#include "util/jsonp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* strconv.ParseInt(s, 10, 64) on a part already stripped of '+' and '-' (so no sign). */
static int parse_i64(const char *s, size_t n, int64_t *out)
{
	if (n == 0) return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') return -1;
		int d = s[i] - '0';
		if (v > (INT64_MAX - d) / 10) return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int ea_semver_parse(const char *s, size_t n, int64_t *major, int64_t *minor, int64_t *patch)
{
	const char *plus = memchr(s, '+', n);
	if (plus) n = (size_t)(plus - s);          /* metadata: splitOff(&version, "+") */
	const char *dash = memchr(s, '-', n);
	if (dash) n = (size_t)(dash - s);          /* pre-release: splitOff(&version, "-") */
	const char *d1 = memchr(s, '.', n);
	if (!d1) return -1;
	const char *d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - s));
	if (!d2) return -1;                        /* not in dotted-tri format */
	int64_t v[3];
	/* SplitN(.., ".", 3): a fourth dot stays in the patch part, which then fails ParseInt */
	if (parse_i64(s, (size_t)(d1 - s), &v[0]) || parse_i64(d1 + 1, (size_t)(d2 - d1 - 1), &v[1]) ||
	    parse_i64(d2 + 1, n - (size_t)(d2 + 1 - s), &v[2]))
		return -1;
	*major = v[0]; *minor = v[1]; *patch = v[2];
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) v = v << 8 | p[i];
	return v;
}

#define IS(s) (klen == sizeof s - 1 && memcmp(key, s, sizeof s - 1) == 0)
void ea_schema_meta_note(ea_schema_meta *m, const uint8_t *key, size_t klen, const uint8_t *v, size_t n)
{
	if (IS("storageVersion")) {
		m->have_storage_version = 1;
		m->storage_version_parses = ea_semver_parse((const char *)v, n, &m->major, &m->minor, &m->patch) == 0;
	} else if (IS("consistent_index")) {
		m->have_consistent_index = 1;
		m->consistent_index_len = n;
	} else if (IS("term")) {
		m->have_term = 1;
		m->term_len = n;
		m->term = n >= 8 ? be64(v) : 0;
	}
}
#undef IS

static void short_value(ea_schema_result *o, const char *key, size_t n)
{
	o->panics = 1;
	snprintf(o->error, sizeof o->error, "meta/%s is %zu bytes: etcd panics reading it "
	         "(binary.BigEndian.Uint64 needs 8)", key, n);
}

void ea_schema_detect(const ea_schema_meta *in, ea_schema_result *o)
{
	memset(o, 0, sizeof *o);
	if (in->have_storage_version) {
		if (in->storage_version_parses) {
			o->ok = 1;
			o->from_storage_version = 1;
			o->major = in->major; o->minor = in->minor; o->patch = in->patch;
			snprintf(o->version, sizeof o->version, "%" PRId64 ".%" PRId64 ".%" PRId64,
			         o->major, o->minor, o->patch);
			return;
		}
		o->storage_version_invalid = 1;   /* etcd reads it as absent */
	}
	uint64_t term = 0;
	if (in->have_consistent_index) {
		if (in->consistent_index_len < 8) { short_value(o, "consistent_index", in->consistent_index_len); return; }
		if (in->have_term) {
			if (in->term_len < 8) { short_value(o, "term", in->term_len); return; }
			term = in->term;
		}
	}
	if (term == 0) {
		snprintf(o->error, sizeof o->error, "missing term information");
		return;
	}
	o->ok = 1;
	o->major = 3; o->minor = 5; o->patch = 0;
	snprintf(o->version, sizeof o->version, "3.5.0");
}

static void copy_printable(char *dst, size_t cap, const char *s)
{
	size_t k = 0;
	for (; s && *s && k + 1 < cap; s++) dst[k++] = *s >= 0x20 && *s < 0x7f ? *s : '?';
	dst[k] = 0;
}

/* encoding/json's field match: the last member whose name equals `name` ignoring case. */
static const ea_jv *field(const ea_jv *obj, const char *name)
{
	const ea_jv *hit = NULL;
	for (const ea_jv *c = obj->child; c; c = c->next)
		if (c->key && strcasecmp(c->key, name) == 0) hit = c;
	return hit;
}

static void bad(ea_downgrade_info *o, const char *why)
{
	o->valid = 0;
	snprintf(o->error, sizeof o->error, "%s: etcd panics reading it (DowngradeInfoFromBackend)", why);
}

void ea_downgrade_parse(const uint8_t *v, size_t n, ea_downgrade_info *o)
{
	memset(o, 0, sizeof *o);
	o->present = 1;
	o->valid = 1;
	ea_arena a;
	ea_arena_init(&a, 1u << 20);
	const ea_jv *root = ea_jsonp_parse(&a, (const char *)v, n);
	if (!root || (root->type != EA_JV_OBJ && root->type != EA_JV_NULL)) {
		bad(o, root ? "not a JSON object" : "not JSON");
		ea_arena_free(&a);
		return;
	}
	const ea_jv *t = root->type == EA_JV_OBJ ? field(root, "target-version") : NULL;
	const ea_jv *e = root->type == EA_JV_OBJ ? field(root, "enabled") : NULL;
	if (t && t->type != EA_JV_STR && t->type != EA_JV_NULL) bad(o, "target-version is not a string");
	else if (e && e->type != EA_JV_BOOL && e->type != EA_JV_NULL) bad(o, "enabled is not a bool");
	else {
		const char *tv = t && t->type == EA_JV_STR ? t->s : "";
		size_t tn = t && t->type == EA_JV_STR ? t->n : 0;
		o->enabled = e && e->type == EA_JV_BOOL && e->b;
		copy_printable(o->target_version, sizeof o->target_version, tv);
		int64_t x, y, z;
		if (o->enabled && ea_semver_parse(tv, tn, &x, &y, &z)) bad(o, "enabled with a target-version that is no semver");
	}
	ea_arena_free(&a);
}
