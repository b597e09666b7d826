/* etcd-autopsy/writer.h: a small streaming JSON writer (JSON Lines friendly) over a
 * buffered FILE*. Commas and nesting are tracked for the caller; byte strings (etcd keys
 * are arbitrary bytes) are escaped so the output is always valid UTF-8 JSON.
 *
 * Exact form of byte strings: well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code
 * points above U+10FFFF) is written as is (control characters, '"' and '\\' escaped), so the
 * JSON string decodes to exactly the input bytes. Otherwise each byte that is not part of a
 * well-formed sequence is written as U+FFFD and, when the value has a key, the member
 * `"<key>_b64": "<base64 of the exact bytes>"` follows it in the same object. */
#ifndef EA_WRITER_H
#define EA_WRITER_H

#include "common.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EA_JSON_MAX_DEPTH 32

#define EA_JSON_BUF 8192

/* Output is gathered in `buf` and handed to `f` in one fwrite whenever a top-level value is
 * complete (depth back at 0, or a newline) or the buffer fills: writing to `f` directly
 * between two complete values keeps the order. */
typedef struct {
	FILE *f;
	int depth;
	int need_comma[EA_JSON_MAX_DEPTH];
	int after_key;
	size_t len;
	const char *key;          /* the key just written (its text stays the caller's), or NULL */
	size_t key_len;
	int key_is_json;          /* 1: key is JSON text (a literal); 2: raw text ending in "key": */
	int64_t time_cached_ms;   /* ea_json_time_ms: the last instant formatted */
	char time_cached[48];
	char buf[EA_JSON_BUF];
} ea_json;

/* 1 if p[0..n) is well-formed UTF-8 (RFC 3629), else 0. */
int ea_utf8_valid(const void *p, size_t n);

/* Starts a JSON writer on f (nothing written yet). */
void ea_json_init(ea_json *j, FILE *f);
/* Writes "{" (with the comma the position needs). */
void ea_json_object_begin(ea_json *j);
/* Writes "}". */
void ea_json_object_end(ea_json *j);
/* Writes "[" (with the comma the position needs). */
void ea_json_array_begin(ea_json *j);
/* Writes "]". */
void ea_json_array_end(ea_json *j);
/* The key text must stay valid until its value is written (for a `<key>_b64` companion). */
void ea_json_key(ea_json *j, const char *key);
/* A key already quoted and followed by ':' (EA_JSON_KEY(j, "index") for a literal): no
 * escaping or strlen on hot paths. */
void ea_json_key_lit(ea_json *j, const char *quoted, size_t n);
#define EA_JSON_KEY(j, lit) ea_json_key_lit((j), "\"" lit "\":", sizeof("\"" lit "\":") - 1)
void ea_json_str(ea_json *j, const char *s);              /* NULL → null */
void ea_json_bytes(ea_json *j, const void *p, size_t n);  /* arbitrary bytes as a string */
void ea_json_u64(ea_json *j, uint64_t v);
/* Writes a signed integer. */
void ea_json_i64(ea_json *j, int64_t v);
/* Writes true or false. */
void ea_json_bool(ea_json *j, int v);
/* Writes null. */
void ea_json_null(ea_json *j);
void ea_json_hex(ea_json *j, uint64_t v);                 /* "1a2b" lower-case, no padding */
void ea_json_time_ms(ea_json *j, int64_t unix_ms);        /* "2026-11-27T05:41:43.123Z", null if < 0 */
/* Raw pieces for a caller that writes a whole flat record itself (hot paths such as one line
 * per WAL entry): no separators or nesting are tracked, the caller writes the punctuation
 * (EA_JSON_RAW(j, ",\"term\":")) and ends the record with ea_json_newline(). */
/* valid JSON text, as is; text ending in `"name":` (a literal) names the next raw string */
void ea_json_raw(ea_json *j, const char *p, size_t n);
#define EA_JSON_RAW(j, lit) ea_json_raw((j), lit, sizeof(lit) - 1)
/* Writes an unsigned integer inside raw text (no comma handling). */
void ea_json_raw_u64(ea_json *j, uint64_t v);
void ea_json_raw_hex(ea_json *j, uint64_t v);             /* quoted, as ea_json_hex */
/* escaped and quoted; not UTF-8: then `,"name_b64":"..."` for the name before it */
void ea_json_raw_str(ea_json *j, const void *p, size_t n);
void ea_json_raw_time_ms(ea_json *j, int64_t unix_ms);    /* as ea_json_time_ms */
/* End of one JSON Lines record (depth must be 0). */
void ea_json_newline(ea_json *j);

/* Problem as {"problem": {...}} on its own line. */
void ea_json_problem_line(ea_json *j, const ea_problem *p);
/* Problem fields as an object (for embedding in arrays). */
void ea_json_problem(ea_json *j, const ea_problem *p);

/* "2026-11-27T05:41:43.123Z" into buf (>= 32 bytes). */
void ea_format_time_ms(char *buf, size_t cap, int64_t unix_ms);

/* YAML 1.2 block style of the JSON text json[0..n) made by this writer (one document per
 * JSON Lines record): strings as their JSON double-quoted text, same keys and order. 0, or
 * -1 on text it cannot follow (what was written so far stays). */
int ea_yaml_from_json(FILE *f, const char *json, size_t n);

#ifdef __cplusplus
}
#endif
#endif
