/* json.c: the streaming JSON writer (see writer.h). Hand-written for speed: no
 * intermediate tree, one fwrite-buffered pass. */
#include "etcd-autopsy/writer.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

void ea_json_init(ea_json *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

static void sep(ea_json *j)
{
	if (j->after_key) { j->after_key = 0; return; }
	if (j->depth > 0 && j->depth <= EA_JSON_MAX_DEPTH) {
		if (j->need_comma[j->depth - 1]) fputc(',', j->f);
		j->need_comma[j->depth - 1] = 1;
	}
}

static void open_(ea_json *j, int c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth < EA_JSON_MAX_DEPTH) j->need_comma[j->depth] = 0;
	j->depth++;
}

void ea_json_object_begin(ea_json *j) { open_(j, '{'); }
void ea_json_array_begin(ea_json *j) { open_(j, '['); }
void ea_json_object_end(ea_json *j) { j->depth--; fputc('}', j->f); }
void ea_json_array_end(ea_json *j) { j->depth--; fputc(']', j->f); }

static void esc(FILE *f, const unsigned char *p, size_t n)
{
	fputc('"', f);
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			size_t k = i;
			while (k < n && p[k] >= 0x20 && p[k] < 0x7f && p[k] != '"' && p[k] != '\\') k++;
			fwrite(p + i, 1, k - i, f);
			i = k;
			continue;
		}
		if (c == '"') fputs("\\\"", f);
		else if (c == '\\') fputs("\\\\", f);
		else if (c == '\n') fputs("\\n", f);
		else if (c == '\t') fputs("\\t", f);
		else if (c == '\r') fputs("\\r", f);
		else if (c >= 0x80) {
			/* pass valid UTF-8 sequences through, escape other bytes as U+00XX */
			size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
			int ok = len && i + len <= n && c >= 0xC2 && c <= 0xF4;
			for (size_t k = 1; ok && k < len; k++) ok = (p[i + k] & 0xC0) == 0x80;
			if (ok) { fwrite(p + i, 1, len, f); i += len; continue; }
			fprintf(f, "\\u%04x", c);
		} else {
			fprintf(f, "\\u%04x", c);
		}
		i++;
	}
	fputc('"', f);
}

void ea_json_key(ea_json *j, const char *key)
{
	sep(j);
	esc(j->f, (const unsigned char *)key, strlen(key));
	fputc(':', j->f);
	j->after_key = 1;
}

void ea_json_str(ea_json *j, const char *s)
{
	if (!s) { ea_json_null(j); return; }
	sep(j);
	esc(j->f, (const unsigned char *)s, strlen(s));
}

void ea_json_bytes(ea_json *j, const void *p, size_t n)
{
	sep(j);
	esc(j->f, p, n);
}

void ea_json_u64(ea_json *j, uint64_t v) { sep(j); fprintf(j->f, "%" PRIu64, v); }
void ea_json_i64(ea_json *j, int64_t v) { sep(j); fprintf(j->f, "%" PRId64, v); }
void ea_json_bool(ea_json *j, int v) { sep(j); fputs(v ? "true" : "false", j->f); }
void ea_json_null(ea_json *j) { sep(j); fputs("null", j->f); }
void ea_json_hex(ea_json *j, uint64_t v) { sep(j); fprintf(j->f, "\"%" PRIx64 "\"", v); }

void ea_format_time_ms(char *buf, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

void ea_json_time_ms(ea_json *j, int64_t ms)
{
	if (ms < 0) { ea_json_null(j); return; }
	char b[48];
	ea_format_time_ms(b, sizeof b, ms);
	ea_json_str(j, b);
}

void ea_json_newline(ea_json *j)
{
	fputc('\n', j->f);
	j->need_comma[0] = 0;
	j->after_key = 0;
}

void ea_json_problem(ea_json *j, const ea_problem *p)
{
	ea_json_object_begin(j);
	ea_json_key(j, "kind"); ea_json_str(j, p->kind);
	ea_json_key(j, "severity"); ea_json_str(j, ea_severity_name(p->severity));
	ea_json_key(j, "layer"); ea_json_str(j, ea_layer_name(p->layer));
	ea_json_key(j, "file"); ea_json_str(j, p->file);
	ea_json_key(j, "offset");
	if (p->offset == EA_NO_OFFSET) ea_json_null(j); else ea_json_u64(j, p->offset);
	ea_json_key(j, "length"); ea_json_u64(j, p->length);
	ea_json_key(j, "message"); ea_json_str(j, p->message);
	ea_json_key(j, "advice"); ea_json_str(j, ea_problem_advice(p));
	ea_json_object_end(j);
}

void ea_json_problem_line(ea_json *j, const ea_problem *p)
{
	ea_json_object_begin(j);
	ea_json_key(j, "problem");
	ea_json_problem(j, p);
	ea_json_object_end(j);
	ea_json_newline(j);
}
