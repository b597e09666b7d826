/* jsonp.c: see jsonp.h. Recursive descent with a depth limit. */
#include "jsonp.h"

#include <string.h>

#define MAX_DEPTH 64

typedef struct {
	ea_arena *a;
	const char *p, *end;
	int depth;
} jp;

static void ws(jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

static size_t utf8(char *o, unsigned cp)
{
	if (cp < 0x80) { o[0] = (char)cp; return 1; }
	if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | (cp >> 6 & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Parses a string at j->p (on the opening quote). */
static const char *str(jp *j, size_t *n)
{
	j->p++;
	const char *s = j->p;
	size_t cap = 0;
	while (s < j->end && *s != '"') { if (*s == '\\') s++; s++; cap++; }
	if (s >= j->end) return NULL;
	char *o = ea_arena_alloc(j->a, (size_t)(s - j->p) + 1);
	if (!o) return NULL;
	size_t k = 0;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		if (c < 0x20) return NULL;
		if (c != '\\') { o[k++] = (char)c; continue; }
		if (j->p >= j->end) return NULL;
		char e = *j->p++;
		switch (e) {
		case '"': o[k++] = '"'; break;
		case '\\': o[k++] = '\\'; break;
		case '/': o[k++] = '/'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (j->end - j->p < 4 || hex4(j->p, &cp)) return NULL;
			j->p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
			    hex4(j->p + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				j->p += 6;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD;   /* a lone surrogate: U+FFFD as Go's encoding/json decodes it (never ED A0 80) */
			}
			/* the escape took >= 6 input bytes, the output <= 4 */
			k += utf8(o + k, cp);
			break;
		}
		default: return NULL;
		}
	}
	(void)cap;
	if (j->p >= j->end) return NULL;
	j->p++;
	o[k] = 0;
	*n = k;
	return o;
}

static ea_jv *value(jp *j);

static ea_jv *node(jp *j, ea_jv_type t)
{
	ea_jv *v = ea_arena_alloc(j->a, sizeof *v);
	if (v) { memset(v, 0, sizeof *v); v->type = t; }
	return v;
}

static ea_jv *container(jp *j, int obj)
{
	if (++j->depth > MAX_DEPTH) return NULL;
	ea_jv *v = node(j, obj ? EA_JV_OBJ : EA_JV_ARR);
	if (!v) return NULL;
	j->p++;
	ws(j);
	ea_jv **tail = &v->child;
	if (j->p < j->end && *j->p == (obj ? '}' : ']')) { j->p++; j->depth--; return v; }
	for (;;) {
		const char *key = NULL;
		size_t kn;
		ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"' || !(key = str(j, &kn))) return NULL;
			ws(j);
			if (j->p >= j->end || *j->p != ':') return NULL;
			j->p++;
		}
		ea_jv *c = value(j);
		if (!c) return NULL;
		c->key = key;
		*tail = c;
		tail = &c->next;
		ws(j);
		if (j->p >= j->end) return NULL;
		if (*j->p == ',') { j->p++; continue; }
		if (*j->p == (obj ? '}' : ']')) { j->p++; break; }
		return NULL;
	}
	j->depth--;
	return v;
}

static ea_jv *value(jp *j)
{
	ws(j);
	if (j->p >= j->end) return NULL;
	char c = *j->p;
	if (c == '{' || c == '[') return container(j, c == '{');
	if (c == '"') {
		ea_jv *v = node(j, EA_JV_STR);
		if (!v || !(v->s = str(j, &v->n))) return NULL;
		return v;
	}
	static const struct { const char *w; ea_jv_type t; int b; } lits[] = {
		{ "true", EA_JV_BOOL, 1 }, { "false", EA_JV_BOOL, 0 }, { "null", EA_JV_NULL, 0 } };
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(lits[i].w);
		if ((size_t)(j->end - j->p) >= n && memcmp(j->p, lits[i].w, n) == 0) {
			ea_jv *v = node(j, lits[i].t);
			if (!v) return NULL;
			v->b = lits[i].b;
			j->p += n;
			return v;
		}
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		const char *s = j->p;
		while (j->p < j->end && strchr("+-.eE0123456789", *j->p)) j->p++;
		ea_jv *v = node(j, EA_JV_NUM);
		if (!v) return NULL;
		v->n = (size_t)(j->p - s);
		v->s = ea_arena_strndup(j->a, s, v->n);
		return v->s ? v : NULL;
	}
	return NULL;
}

ea_jv *ea_jsonp_parse(ea_arena *a, const char *text, size_t len)
{
	jp j = { a, text, text + len, 0 };
	ea_jv *v = value(&j);
	if (!v) return NULL;
	ws(&j);
	return j.p == j.end ? v : NULL;
}

const ea_jv *ea_jsonp_get(const ea_jv *obj, const char *key)
{
	if (!obj || obj->type != EA_JV_OBJ) return NULL;
	for (const ea_jv *c = obj->child; c; c = c->next)
		if (c->key && strcmp(c->key, key) == 0) return c;
	return NULL;
}

const char *ea_jsonp_str(const ea_jv *obj, const char *key)
{
	const ea_jv *v = ea_jsonp_get(obj, key);
	return v && v->type == EA_JV_STR ? v->s : NULL;
}

int ea_jsonp_u64(const ea_jv *v, uint64_t *out)
{
	if (!v || v->type != EA_JV_NUM || !v->n) return -1;
	uint64_t r = 0;
	for (size_t i = 0; i < v->n; i++) {
		char c = v->s[i];
		if (c < '0' || c > '9') return -1;
		if (r > (UINT64_MAX - (uint64_t)(c - '0')) / 10) return -1;
		r = r * 10 + (uint64_t)(c - '0');
	}
	*out = r;
	return 0;
}

const char *ea_jsonp_join(ea_arena *a, const ea_jv *arr)
{
	if (!arr || arr->type != EA_JV_ARR) return "";
	size_t n = 0;
	for (const ea_jv *c = arr->child; c; c = c->next) if (c->type == EA_JV_STR) n += c->n + 1;
	char *s = ea_arena_alloc(a, n + 1);
	if (!s) return "";
	size_t o = 0;
	for (const ea_jv *c = arr->child; c; c = c->next) {
		if (c->type != EA_JV_STR) continue;
		if (o) s[o++] = ',';
		memcpy(s + o, c->s, c->n);
		o += c->n;
	}
	s[o] = 0;
	return s;
}
