/* yaml.c: YAML 1.2 block style from the JSON the writer (json.c) produced, so a `-w yaml`
 * form says exactly what the JSON form says: same keys, same values, same order. Strings
 * (and keys) are copied as their JSON double-quoted text, a valid YAML double-quoted scalar
 * (same escapes, plus \uXXXX for the few code points YAML will not take raw; the same U+FFFD
 * and `_b64` companions for arbitrary bytes); numbers, true/false/null bare; maps indented
 * 2 spaces, list items as `- `; empty containers as {} / []. One YAML document per JSON
 * Lines record, `---` between them. The input is this program's own JSON, but it is still
 * walked with bounds and a depth limit. */
#include "etcd-autopsy/writer.h"

#include <string.h>

#define YAML_MAX_DEPTH 64

typedef struct {
	FILE *f;
	const char *p, *e;
	int bad;
} yw;

static void ws(yw *w)
{
	while (w->p < w->e && (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r')) w->p++;
}

static void pad(yw *w, int n)
{
	for (int i = 0; i < n; i++) fputc(' ', w->f);
}

/* The code point of the UTF-8 sequence at p (2 or 3 bytes) that YAML wants escaped, else 0:
 * C1 controls and NEL (U+0080..U+009F), U+2028/U+2029 (line breaks to YAML 1.1 readers),
 * U+FEFF, U+FFFE, U+FFFF. The JSON writer leaves them raw: valid JSON, not printable YAML. */
static unsigned yaml_escape_cp(const unsigned char *p, const unsigned char *e, size_t *len)
{
	if (e - p >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) { *len = 2; return p[1]; }
	if (e - p < 3) return 0;
	unsigned cp = ((unsigned)(p[0] & 0x0f) << 12) | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3fu);
	int hit = (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) ||
	          (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) || (p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe);
	*len = 3;
	return hit ? cp : 0;
}

/* a JSON string literal: copied with its quotes and escapes, plus \uXXXX for yaml_escape_cp */
static void string(yw *w)
{
	const unsigned char *p = (const unsigned char *)w->p + 1, *e = (const unsigned char *)w->e, *run = p;
	fputc('"', w->f);
	for (; p < e && *p != '"'; p++) {
		size_t len = 0;
		unsigned cp = *p == '\\' ? 0 : yaml_escape_cp(p, e, &len);
		if (*p == '\\') { p++; continue; }
		if (!cp) continue;
		fwrite(run, 1, (size_t)(p - run), w->f);
		fprintf(w->f, "\\u%04x", cp);
		p += len - 1;
		run = p + 1;
	}
	if (p >= e) { w->bad = 1; return; }
	fwrite(run, 1, (size_t)(p - run), w->f);
	fputc('"', w->f);
	w->p = (const char *)p + 1;
}

/* a string literal (string()) or a bare token (copied as is) */
static void scalar(yw *w)
{
	const char *s = w->p;
	if (w->p < w->e && *w->p == '"') { string(w); return; }
	while (w->p < w->e && !strchr(",]}: \t\r\n", *w->p)) w->p++;
	if (w->p == s) { w->bad = 1; return; }
	fwrite(s, 1, (size_t)(w->p - s), w->f);
}

static void value(yw *w, int col, int after_dash, int depth);

/* the members of an object or items of an array (after its opening bracket), children at col */
static void members(yw *w, int col, int first_inline, int is_obj, int depth)
{
	char close = is_obj ? '}' : ']';
	for (int first = 1; !w->bad; first = 0) {
		ws(w);
		if (!(first && first_inline)) pad(w, col);
		if (is_obj) {
			scalar(w);
			ws(w);
			if (w->bad || w->p >= w->e || *w->p != ':') { w->bad = 1; return; }
			w->p++;
			fputc(':', w->f);
			value(w, col, 0, depth + 1);
		} else {
			fputc('-', w->f);
			value(w, col, 1, depth + 1);
		}
		ws(w);
		if (w->p < w->e && *w->p == ',') { w->p++; continue; }
		if (w->p < w->e && *w->p == close) { w->p++; return; }
		w->bad = 1;
	}
}

/* a value after `"key":` or `-` (col: the column of that key or dash) */
static void value(yw *w, int col, int after_dash, int depth)
{
	ws(w);
	if (depth > YAML_MAX_DEPTH || w->p >= w->e) { w->bad = 1; return; }
	char c = *w->p;
	if (c != '{' && c != '[') {
		fputc(' ', w->f);
		scalar(w);
		fputc('\n', w->f);
		return;
	}
	w->p++;
	ws(w);
	if (w->p < w->e && *w->p == (c == '{' ? '}' : ']')) {
		w->p++;
		fputs(c == '{' ? " {}\n" : " []\n", w->f);
		return;
	}
	fputc(after_dash ? ' ' : '\n', w->f);
	members(w, col + 2, after_dash, c == '{', depth);
}

int ea_yaml_from_json(FILE *f, const char *json, size_t n)
{
	yw w = { f, json, json + n, 0 };
	for (int docs = 0; !w.bad; docs++) {
		ws(&w);
		if (w.p >= w.e) break;
		if (docs) fputs("---\n", f);
		if (*w.p != '{') { w.bad = 1; break; }
		w.p++;
		ws(&w);
		if (w.p < w.e && *w.p == '}') { w.p++; fputs("{}\n", f); continue; }
		members(&w, 0, 0, 1, 0);
	}
	return w.bad ? -1 : 0;
}
