/* etcdlog.c: etcd log lines → events (see etcdlog.h).
 *
 * Line formats:
 *   zap JSON   {"level":"info","ts":"2026-11-27T05:46:33.734Z","caller":"...","msg":"...", fields}
 *   capnslog   2026-11-27 06:14:00.174926 I | etcdserver/membership: added member ...
 *   raft (Go)  raft2026/11/27 06:14:02 INFO: aa2bd90c1c7cbab1 became leader at term 3
 * possibly behind a syslog/journald prefix ("Nov 27 06:14:00 host etcd[123]: "), which is
 * skipped by searching for the first timestamp. */
#include "etcd-autopsy/etcdlog.h"
#include "util/jsonp.h"
#include "source/input_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_LINE (64u * 1024u)

/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY?MM?DD?HH:MM:SS[.frac]" with any single separators; returns chars consumed or 0 */
static size_t parse_time(const char *s, size_t len, int64_t *ms)
{
	int y, mo, d, h, mi, se;
	if (len < 19) return 0;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return 0;
	if (s[13] != ':' || s[16] != ':' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	size_t n = 19;
	int frac = 0, fd = 0;
	if (n < len && (s[n] == '.' || s[n] == ',')) {
		n++;
		while (n < len && isdigit((unsigned char)s[n])) {
			if (fd < 3) { frac = frac * 10 + (s[n] - '0'); fd++; }
			n++;
		}
		while (fd < 3) { frac *= 10; fd++; }
	}
	int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	/* zone: Z or ±hh:mm (zap); text logs carry none and are taken as UTC */
	if (n < len && (s[n] == '+' || s[n] == '-') && n + 6 <= len && s[n + 3] == ':') {
		int zh, zm;
		if (!digits(s + n + 1, 2, &zh) && !digits(s + n + 4, 2, &zm)) {
			int64_t off = (int64_t)zh * 3600 + zm * 60;
			t -= s[n] == '+' ? off : -off;
			n += 6;
		}
	} else if (n < len && s[n] == 'Z') {
		n++;
	}
	*ms = t * 1000 + frac;
	return n;
}

static int hexid(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	int n = 0;
	while (n < 16 && isxdigit((unsigned char)s[n])) {
		char c = (char)tolower((unsigned char)s[n]);
		v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		n++;
	}
	if (n == 0 || isxdigit((unsigned char)s[n])) return -1;
	*out = v;
	if (end) *end = s + n;
	return 0;
}

/* "<id> <verb> at term N" forms */
static int match_id_term(const char *msg, const char *verb, uint64_t *id, uint64_t *term)
{
	const char *p;
	if (hexid(msg, id, &p)) return 0;
	size_t vl = strlen(verb);
	if (*p != ' ' || strncmp(p + 1, verb, vl) != 0) return 0;
	p += 1 + vl;
	if (strncmp(p, " at term ", 9) != 0) return 0;
	*term = strtoull(p + 9, NULL, 10);
	return 1;
}

/* "raft.node: <a> elected leader <b> at term N" and friends */
static int match_node(const char *msg, const char *verb, uint64_t *a, uint64_t *b, uint64_t *term)
{
	const char *p = msg;
	if (strncmp(p, "raft.node: ", 11) == 0) p += 11;
	if (hexid(p, a, &p)) return 0;
	size_t vl = strlen(verb);
	if (*p != ' ' || strncmp(p + 1, verb, vl) != 0) return 0;
	p += 1 + vl;
	if (*p != ' ' || hexid(p + 1, b, &p)) return 0;
	if (strncmp(p, " at term ", 9) != 0) return 0;
	*term = strtoull(p + 9, NULL, 10);
	return 1;
}

static int contains(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Classify one message. `fields` (zap) may supply IDs the text puts in the message. */
static int classify(const char *msg, const ea_jv *fields, ea_log_event *ev)
{
	uint64_t a, b, c, t;
	ev->term = ev->member = ev->other = 0;
	if (match_id_term(msg, "became leader", &a, &t)) { ev->event = "became-leader"; ev->member = a; ev->term = t; return 1; }
	if (match_id_term(msg, "became candidate", &a, &t)) { ev->event = "became-candidate"; ev->member = a; ev->term = t; return 1; }
	if (match_id_term(msg, "became pre-candidate", &a, &t)) { ev->event = "became-pre-candidate"; ev->member = a; ev->term = t; return 1; }
	if (match_id_term(msg, "became follower", &a, &t)) { ev->event = "became-follower"; ev->member = a; ev->term = t; return 1; }
	if (match_id_term(msg, "is starting a new election", &a, &t)) { ev->event = "election-start"; ev->member = a; ev->term = t; return 1; }
	if (match_node(msg, "elected leader", &a, &b, &t)) { ev->event = "elected-leader"; ev->member = a; ev->other = b; ev->term = t; return 1; }
	if (match_node(msg, "lost leader", &a, &b, &t)) { ev->event = "lost-leader"; ev->member = a; ev->other = b; ev->term = t; return 1; }
	{
		/* raft.node: <a> changed leader from <b> to <c> at term N */
		const char *p = msg;
		if (strncmp(p, "raft.node: ", 11) == 0) p += 11;
		if (!hexid(p, &a, &p) && strncmp(p, " changed leader from ", 21) == 0 && !hexid(p + 21, &b, &p) &&
		    strncmp(p, " to ", 4) == 0 && !hexid(p + 4, &c, &p) && strncmp(p, " at term ", 9) == 0) {
			ev->event = "leader-changed";
			ev->member = a;
			ev->other = c;
			ev->term = strtoull(p + 9, NULL, 10);
			return 1;
		}
	}
	if (contains(msg, "failed to send out heartbeat on time")) { ev->event = "heartbeat-late"; return 1; }
	if (contains(msg, "slow fdatasync") || contains(msg, "sync duration of")) { ev->event = "slow-fdatasync"; return 1; }
	if (contains(msg, "took too long") && (contains(msg, "apply") || contains(msg, "read-only range"))) {
		ev->event = "apply-slow";
		return 1;
	}
	if (contains(msg, "database space exceeded") || contains(msg, "NOSPACE") || contains(msg, "alarm NOSPACE")) {
		ev->event = "nospace";
		return 1;
	}
	if (strncmp(msg, "added member", 12) == 0 || contains(msg, "membership: added member")) {
		ev->event = "member-added";
		const char *id = fields ? ea_jsonp_str(fields, "added-peer-id") : NULL;
		if (id) hexid(id, &ev->member, NULL);
		else {
			const char *p = strstr(msg, "added member ");
			if (p) hexid(p + 13, &ev->member, NULL);
		}
		return 1;
	}
	if (strncmp(msg, "removed member", 14) == 0 || contains(msg, "membership: removed member")) {
		ev->event = "member-removed";
		const char *id = fields ? ea_jsonp_str(fields, "removed-remote-peer-id") : NULL;
		if (!id && fields) id = ea_jsonp_str(fields, "removed-member-id");
		if (id) hexid(id, &ev->member, NULL);
		else {
			const char *p = strstr(msg, "removed member ");
			if (p) hexid(p + 15, &ev->member, NULL);
		}
		return 1;
	}
	if (contains(msg, "saved database snapshot to disk") || contains(msg, "received and saved database snapshot")) {
		ev->event = "snapshot-applied";
		return 1;
	}
	if (contains(msg, "applied snapshot") || contains(msg, "applying snapshot") || contains(msg, "restored snapshot")) {
		ev->event = "snapshot-applied";
		return 1;
	}
	if (contains(msg, "saved snapshot")) { ev->event = "snapshot-saved"; return 1; }
	if (strcmp(msg, "starting an etcd server") == 0 || strncmp(msg, "etcd Version: ", 14) == 0) {
		ev->event = "server-start";
		return 1;
	}
	if (contains(msg, "received signal; shutting down") || contains(msg, "received terminated signal") ||
	    contains(msg, "received interrupt signal")) {
		ev->event = "shutdown";
		return 1;
	}
	return 0;
}

/* Raft prints its own ID first in these lines: they say which member wrote the log. */
static void note_self(ea_log_event *ev)
{
	static const char *const self_forms[] = { "became-leader", "became-candidate", "became-pre-candidate",
	                                          "became-follower", "election-start", "elected-leader",
	                                          "lost-leader", "leader-changed", NULL };
	for (int k = 0; self_forms[k]; k++)
		if (strcmp(ev->event, self_forms[k]) == 0) { ev->self = ev->member; return; }
}

/* capnslog: "starting member <id> in cluster <id>" / "restarting member <id> in cluster <id>" */
static void text_self(const char *msg, ea_log_event *ev)
{
	const char *p = strstr(msg, "starting member ");
	if (p && (p == msg || p[-1] == ' ' || p[-1] == 'e')) {
		const char *end;
		uint64_t id;
		if (!hexid(p + 16, &id, &end) && strncmp(end, " in cluster ", 12) == 0) ev->self = id;
	}
}

static _Thread_local ea_arena line_arena;   /* JSON lines are parsed into it, reset per line */
static _Thread_local int line_arena_init;

int ea_etcdlog_parse_line(const char *line, size_t len, ea_log_event *ev, int *is_json)
{
	memset(ev, 0, sizeof *ev);
	ev->time_ms = -1;
	*is_json = 0;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
	if (i < len && line[i] == '{') {
		*is_json = 1;
		if (!line_arena_init) { ea_arena_init(&line_arena, 1u << 20); line_arena_init = 1; }
		ea_arena_reset(&line_arena);
		const ea_jv *j = ea_jsonp_parse(&line_arena, line + i, len - i);
		if (!j || j->type != EA_JV_OBJ) return -1;
		const char *msg = ea_jsonp_str(j, "msg");
		const char *ts = ea_jsonp_str(j, "ts");
		if (ts) parse_time(ts, strlen(ts), &ev->time_ms);
		const char *local = ea_jsonp_str(j, "local-member-id");
		if (local) hexid(local, &ev->self, NULL);
		if (!msg) return 0;
		snprintf(ev->detail, sizeof ev->detail, "%s", msg);
		if (!classify(msg, j, ev)) return 0;
		note_self(ev);
		/* add the fields an operator wants next to the message */
		static const char *extra[] = { "took", "expected-duration", "etcd-version", "added-peer-id",
		                               "removed-member-id", "snapshot-index", "index", "signal", NULL };
		for (int k = 0; extra[k]; k++) {
			const ea_jv *f = ea_jsonp_get(j, extra[k]);
			if (f && (f->type == EA_JV_STR || f->type == EA_JV_NUM)) {
				size_t l = strlen(ev->detail);
				snprintf(ev->detail + l, sizeof ev->detail - l, " %s=%s", extra[k], f->s);
			}
		}
		return 1;
	}
	/* text: find the first timestamp (skipping "raft" and any syslog prefix) */
	size_t scan = 0;
	size_t used = 0;
	for (scan = i; scan + 19 <= len && scan < i + 200; scan++) {
		if (!isdigit((unsigned char)line[scan])) continue;
		if ((used = parse_time(line + scan, len - scan, &ev->time_ms)) != 0) break;
	}
	if (!used) return 0;
	size_t p = scan + used;
	/* capnslog: " I | pkg: msg"; raft Go logger: " INFO: msg" */
	const char *rest = line + p;
	size_t rlen = len - p;
	const char *bar = memchr(rest, '|', rlen < 8 ? rlen : 8);
	const char *msg = NULL;
	char buf[1024];
	if (bar) {
		const char *m = bar + 1;
		while (m < line + len && *m == ' ') m++;
		const char *colon = memchr(m, ':', (size_t)(line + len - m));
		/* "pkg: msg" — keep "raft.node: ..." whole (the package is part of the message) */
		if (colon && colon + 1 < line + len && colon[1] == ' ' && memchr(m, ' ', (size_t)(colon - m)) == NULL &&
		    strncmp(m, "raft.node", 9) != 0)
			m = colon + 2;
		msg = m;
	} else {
		const char *m = rest;
		while (m < line + len && *m == ' ') m++;
		const char *colon = memchr(m, ':', (size_t)(line + len - m) < 10 ? (size_t)(line + len - m) : 10);
		if (!colon) return 0;
		msg = colon + 1;
		while (msg < line + len && *msg == ' ') msg++;
	}
	size_t ml = (size_t)(line + len - msg);
	if (ml >= sizeof buf) ml = sizeof buf - 1;
	memcpy(buf, msg, ml);
	buf[ml] = 0;
	snprintf(ev->detail, sizeof ev->detail, "%.255s", buf);
	text_self(buf, ev);
	if (!classify(buf, NULL, ev)) return 0;
	note_self(ev);
	return 1;
}

typedef struct {
	ea_input *in;
	size_t idx;
	uint64_t off;
	z_stream z;
	int gz;
	unsigned char inbuf[65536];
} reader;

static long rd(reader *r, unsigned char *out, size_t cap)
{
	if (!r->gz) {
		long n = ea_input_pread(r->in, r->idx, out, cap, r->off);
		if (n > 0) r->off += (uint64_t)n;
		return n;
	}
	r->z.next_out = out;
	r->z.avail_out = (uInt)cap;
	while (r->z.avail_out == cap) {
		if (r->z.avail_in == 0) {
			long n = ea_input_pread(r->in, r->idx, r->inbuf, sizeof r->inbuf, r->off);
			if (n < 0) return n;
			if (n == 0) break;
			r->off += (uint64_t)n;
			r->z.next_in = r->inbuf;
			r->z.avail_in = (uInt)n;
		}
		int zr = inflate(&r->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			/* concatenated gzip members */
			if (r->z.avail_in == 0 && cap - r->z.avail_out == 0) {
				long n = ea_input_pread(r->in, r->idx, r->inbuf, sizeof r->inbuf, r->off);
				if (n <= 0) break;
				r->off += (uint64_t)n;
				r->z.next_in = r->inbuf;
				r->z.avail_in = (uInt)n;
			}
			inflateReset(&r->z);
			if (r->z.avail_in == 0) break;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			return cap - r->z.avail_out > 0 ? (long)(cap - r->z.avail_out) : EA_ECORRUPT;
		} else if (zr == Z_BUF_ERROR && r->z.avail_in == 0) {
			continue;
		}
	}
	return (long)(cap - r->z.avail_out);
}

int ea_etcdlog_read(ea_input *in, size_t file_idx, ea_log_event_cb cb, void *payload, ea_log_stats *st,
                    ea_error *err)
{
	memset(st, 0, sizeof *st);
	reader r;
	memset(&r, 0, sizeof r);
	r.in = in;
	r.idx = file_idx;
	unsigned char magic[2];
	if (ea_input_pread(in, file_idx, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		r.gz = 1;
		if (inflateInit2(&r.z, 15 + 16) != Z_OK) return EA_ENOMEM;
	}
	char *line = malloc(MAX_LINE);
	unsigned char *buf = malloc(65536);
	if (!line || !buf) { free(line); free(buf); if (r.gz) inflateEnd(&r.z); return EA_ENOMEM; }
	size_t ll = 0;
	int too_long = 0, rc = EA_OK;
	uint64_t pos = 0, line_start = 0;
	for (;;) {
		long n = rd(&r, buf, 65536);
		if (n < 0) {
			ea__set_error(err, EA_ECORRUPT, EA_LAYER_SOURCE, ea_input_at(in, file_idx)->name, pos,
			              "log is damaged (gzip stream broken) after %" PRIu64 " bytes", pos);
			rc = EA_ECORRUPT;
			break;
		}
		int at_eof = n == 0;
		for (long k = 0; k < n || (at_eof && ll > 0 && k == 0); k++) {
			if (!at_eof && buf[k] != '\n') {
				if (ll < MAX_LINE - 1) line[ll++] = (char)buf[k]; else too_long = 1;
				continue;
			}
			/* end of a line (or a last line without newline) */
			st->lines++;
			if (too_long) {
				st->malformed++;
			} else {
				while (ll && line[ll - 1] == '\r') ll--;
				if (ll) {
					ea_log_event ev;
					int is_json;
					int got = ea_etcdlog_parse_line(line, ll, &ev, &is_json);
					if (is_json) st->format_json = 1; else if (ev.time_ms >= 0) st->format_text = 1;
					if (ev.self && !st->self_id) { st->self_id = ev.self; st->self_line = st->lines; }
					else if (ev.self && ev.self != st->self_id && !st->other_self_id) {
						st->other_self_id = ev.self;
						st->other_self_line = st->lines;
					}
					if (got < 0) st->malformed++;
					else if (got == 0) st->unknown++;
					else {
						st->events++;
						ev.line = st->lines;
						ev.offset = line_start;
						if (cb && (rc = cb(&ev, payload)) != 0) goto out;
					}
				}
			}
			line_start = pos + (uint64_t)k + 1;
			ll = 0;
			too_long = 0;
		}
		if (at_eof) break;
		pos += (uint64_t)n;
	}
out:
	free(line);
	free(buf);
	if (r.gz) inflateEnd(&r.z);
	return rc;
}
