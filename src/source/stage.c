/* stage.c: the staging file that holds archive members (and in-memory inputs when memfd is
 * unavailable). It is created in $TMPDIR (default /tmp), unlinked at once (O_TMPFILE where
 * the file system has it), never next to the input. Every byte written counts against one
 * process-wide cap (--stage-limit / ETCD_AUTOPSY_STAGE_LIMIT, default 16 GiB); a missing,
 * read-only or full TMPDIR is reported by name with what to do. */
#include "input_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_STAGE_LIMIT (UINT64_C(16) << 30)

static _Atomic uint64_t staged_total;
static _Atomic uint64_t limit_value;   /* valid when limit_set */
static _Atomic int limit_set;
static ea_stage_note_fn stage_note;

int ea_input_parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+') return EA_EINVAL;
	if (strcmp(s, "unlimited") == 0) { *out = 0; return EA_OK; }
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s) return EA_EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: return EA_EINVAL;
	}
	if (shift && (*end == 'i' || *end == 'I')) end++;
	if (shift && (*end == 'b' || *end == 'B')) end++;
	if (*end || (shift && v > (UINT64_MAX >> shift))) return EA_EINVAL;
	*out = (uint64_t)v << shift;
	return EA_OK;
}

void ea_input_set_stage_limit(uint64_t bytes)
{
	limit_value = bytes;
	limit_set = 1;
}

/* The cap in force: --stage-limit, else ETCD_AUTOPSY_STAGE_LIMIT, else 16 GiB; 0 = none. */
static uint64_t stage_limit(void)
{
	if (limit_set) return limit_value;
	uint64_t v;
	const char *e = getenv("ETCD_AUTOPSY_STAGE_LIMIT");
	if (e && *e && ea_input_parse_size(e, &v) == EA_OK) return v;
	return DEFAULT_STAGE_LIMIT;
}

uint64_t ea_input_stage_limit(void) { return stage_limit(); }

void ea_input_set_stage_note(ea_stage_note_fn fn) { stage_note = fn; }

void ea__stage_noted(const ea_input *in, int late)
{
	if (!stage_note || !(in->staged || in->inplace_n || in->stream_n)) return;
	ea_stage_info s = { in->path, ea__stage_dir(), in->staged, in->staged_n, in->inplace_bytes,
	                    in->inplace_n, in->stream_bytes, in->stream_n, in->stream_why, late };
	stage_note(&s);
}

void ea__stage_release(uint64_t n) { atomic_fetch_sub(&staged_total, n); }

const char *ea__stage_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

int ea__stage_open(const char *input, ea_error *err)
{
	const char *dir = ea__stage_dir();
	int fd = -1;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) goto fail;
#endif
	char tmpl[4200];
	if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/etcd-autopsy-stage-XXXXXX", dir) >= sizeof tmpl) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	fd = mkstemp(tmpl);
	if (fd < 0) goto fail;
	(void)unlink(tmpl);
	return fd;
fail:
	ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, input, EA_NO_OFFSET,
	              "cannot create the staging file for archive members in %s%s: %s; set TMPDIR to a "
	              "writable directory with room for the uncompressed members",
	              getenv("TMPDIR") && *getenv("TMPDIR") ? "TMPDIR=" : "", dir, strerror(errno));
	return EA_EIO;
}

/* "1.5 GiB" style, for messages. */
static void human(uint64_t b, char *out, size_t cap)
{
	if (b >= (UINT64_C(1) << 30)) snprintf(out, cap, "%.1f GiB", (double)b / (double)(UINT64_C(1) << 30));
	else if (b >= (UINT64_C(1) << 20)) snprintf(out, cap, "%.1f MiB", (double)b / (double)(UINT64_C(1) << 20));
	else snprintf(out, cap, "%" PRIu64 " bytes", b);
}

int ea__stage_reserve(const char *archive, const char *member, uint64_t n, ea_error *err)
{
	uint64_t lim = stage_limit();
	uint64_t before = atomic_fetch_add(&staged_total, n);
	if (lim == 0 || before + n <= lim) return EA_OK;
	atomic_fetch_sub(&staged_total, n);
	char l[32];
	human(lim, l, sizeof l);
	ea__set_error(err, EA_ELIMIT, EA_LAYER_SOURCE, member, EA_NO_OFFSET,
	              "the members of archive %s need more than %s of staging space in %s (the limit "
	              "on bytes decompressed to TMPDIR); raise it with --stage-limit SIZE or "
	              "ETCD_AUTOPSY_STAGE_LIMIT=SIZE (e.g. 64G, 0 for none), or extract the archive "
	              "and give the directory", archive, l, ea__stage_dir());
	return EA_ELIMIT;
}

int ea__stage_write(ea_input *in, const char *member, const void *buf, size_t n, uint64_t off,
                    ea_error *err)
{
	int rc = ea__stage_reserve(in->path, member, n, err);
	if (rc) return rc;
	in->staged += n;
	const char *p = buf;
	while (n) {
		ssize_t w = pwrite(in->stage_fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			char s[32];
			human(staged_total, s, sizeof s);
			const char *what = e == ENOSPC || e == EDQUOT ? "the file system is full"
			                 : e == EFBIG ? "the file size limit was reached" : "write failed";
			ea__set_error(err, EA_EIO, EA_LAYER_SOURCE, member, EA_NO_OFFSET,
			              "cannot stage archive member in %s: %s (%s) after %s staged from %s; set "
			              "TMPDIR to a file system with room for the uncompressed members, or "
			              "extract the archive and give the directory", ea__stage_dir(), what,
			              strerror(e), s, in->path);
			return EA_EIO;
		}
		p += w; n -= (size_t)w; off += (uint64_t)w;
	}
	return EA_OK;
}
