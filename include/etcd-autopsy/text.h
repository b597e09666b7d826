/* etcd-autopsy/text.h: input bytes made safe for a terminal (tables, stderr). Names, URLs,
 * keys, paths and archive member names come from the evidence: printed raw, an ESC, BEL or
 * OSC sequence in them would drive the reader's terminal. */
#ifndef EA_TEXT_H
#define EA_TEXT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The escaped text of p[0..n) in out (NUL-terminated, at most cap - 1 bytes; a text cut short
 * ends in "..."): printable ASCII and well-formed UTF-8 pass through; every byte of a control
 * character (C0 including \n and \t, DEL, C1 U+0080..U+009F, the bidi overrides
 * U+202A..U+202E and U+2066..U+2069) and every byte not part of well-formed UTF-8 becomes
 * \xNN. A backslash stays as is: the text is for people; JSON output holds the exact bytes.
 * Returns out. */
const char *ea_text_escape(char *out, size_t cap, const void *p, size_t n);
/* ea_text_escape of a NUL-terminated string; NULL gives "-". */
const char *ea_text_str(char *out, size_t cap, const char *s);
/* The escaped text of p[0..n) written to f, whole. */
void ea_text_fput(FILE *f, const void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
