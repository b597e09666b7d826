/* time_window.c: --since/--until (UTC) of `wal ls` and `history`, and the time fields an entry
 * gets in `wal ls -w json` (approx_time, time_source, time_error_s; see docs/time.md). */
#include "cli.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

int cli_window_set(cli_window *w, const char *cmd, const char *opt, const char *val)
{
	int64_t us;
	if (ea_walltime_parse(val, &us)) {
		fprintf(stderr, "etcd-autopsy %s: --%s: '%s' is not a UTC time such as 2026-12-05T07:08:18Z\n", cmd, opt, val);
		return -1;
	}
	if (!w->given) { w->since_us = INT64_MIN; w->until_us = INT64_MAX; }
	if (strcmp(opt, "since") == 0) w->since_us = us; else w->until_us = us;
	w->given = 1;
	return 0;
}

int cli_window_check(const cli_window *w, const char *cmd)
{
	if (!w->given || w->since_us <= w->until_us) return 0;
	fprintf(stderr, "etcd-autopsy %s: --since is after --until: no time can match\n", cmd);
	return -1;
}

int cli_window_keep(const cli_window *w, int64_t lo_us, int64_t hi_us)
{
	if (!w->given) return 1;
	return !(hi_us < w->since_us || lo_us > w->until_us);
}

/* e->time_us as ea_walltime_format writes it, gmtime + snprintf only when the second changes
 * (consecutive entries mostly share it); the cache is per thread */
static size_t time_text(int64_t us, char *t, size_t cap)
{
	static _Thread_local int64_t cached_s = INT64_MIN;
	static _Thread_local char head[40];   /* "YYYY-MM-DDTHH:MM:SS." of cached_s */
	static _Thread_local size_t head_len;
	int64_t s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t ms = (us - s * 1000000) / 1000;
	if (s != cached_s) {
		ea_walltime_format(s * 1000000, head, sizeof head);   /* ends in ".000Z" */
		head_len = strlen(head);
		if (head_len < 5 || strcmp(head + head_len - 5, ".000Z") != 0 || s > INT64_MAX / 1000000 ||
		    s < INT64_MIN / 1000000 + 1) {
			cached_s = INT64_MIN;   /* "?" or an unexpected shape: no cache */
			ea_walltime_format(us, t, cap);
			return strlen(t);
		}
		head_len -= 4;
		cached_s = s;
	}
	if (head_len + 5 > cap) { ea_walltime_format(us, t, cap); return strlen(t); }
	memcpy(t, head, head_len);
	t[head_len] = (char)('0' + ms / 100);
	t[head_len + 1] = (char)('0' + ms / 10 % 10);
	t[head_len + 2] = (char)('0' + ms % 10);
	t[head_len + 3] = 'Z';
	t[head_len + 4] = 0;
	return head_len + 4;
}

/* e->error_s as "%.6f" with trailing zeros (and a trailing '.') removed. error_s is a whole
 * number of microseconds / 1e6 (walltime.c): below 1e9 s the double is within 1.2e-7 of that
 * decimal, so "%.6f" prints exactly those digits, written here without printf; else printf. */
static size_t error_text(double err, char *n, size_t cap)
{
	long long k = err >= 0 && err < 1e9 ? (long long)(err * 1e6 + 0.5) : -1;
	size_t l;
	if (k >= 0 && (double)k / 1e6 == err && cap >= 24) {
		char d[24];
		int nd = 0;
		long long ip = k / 1000000, fp = k % 1000000;
		do { d[nd++] = (char)('0' + ip % 10); ip /= 10; } while (ip);
		l = 0;
		while (nd) n[l++] = d[--nd];
		n[l++] = '.';
		for (long long div = 100000; div; div /= 10) n[l++] = (char)('0' + fp / div % 10);
		n[l] = 0;
	} else {
		snprintf(n, cap, "%.6f", err);
		l = strlen(n);
	}
	while (l > 1 && n[l - 1] == '0') n[--l] = 0;
	if (l > 1 && n[l - 1] == '.') n[--l] = 0;
	return l;
}

void cli_walltime_json(ea_json *j, const ea_walltime_est *e)
{
	if (!e->known) {
		EA_JSON_RAW(j, ",\"approx_time\":null,\"time_source\":null,\"time_error_s\":null");
		return;
	}
	char t[40], n[40];
	size_t tl = time_text(e->time_us, t, sizeof t);
	size_t l = error_text(e->error_s, n, sizeof n);
	const char *src = ea_walltime_source_name(e->source);
	EA_JSON_RAW(j, ",\"approx_time\":\""); ea_json_raw(j, t, tl);
	EA_JSON_RAW(j, "\",\"time_source\":"); ea_json_raw_str(j, src ? src : "interpolated", strlen(src ? src : "interpolated"));
	EA_JSON_RAW(j, ",\"time_error_s\":"); ea_json_raw(j, n, l);
}
