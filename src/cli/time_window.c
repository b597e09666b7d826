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

void cli_walltime_json(ea_json *j, const ea_walltime_est *e)
{
	if (!e->known) {
		EA_JSON_RAW(j, ",\"approx_time\":null,\"time_source\":null,\"time_error_s\":null");
		return;
	}
	char t[40], n[40];
	ea_walltime_format(e->time_us, t, sizeof t);
	snprintf(n, sizeof n, "%.6f", e->error_s);
	size_t l = strlen(n);
	while (l > 1 && n[l - 1] == '0') n[--l] = 0;
	if (l > 1 && n[l - 1] == '.') n[--l] = 0;
	const char *src = ea_walltime_source_name(e->source);
	EA_JSON_RAW(j, ",\"approx_time\":\""); ea_json_raw(j, t, strlen(t));
	EA_JSON_RAW(j, "\",\"time_source\":"); ea_json_raw_str(j, src ? src : "interpolated", strlen(src ? src : "interpolated"));
	EA_JSON_RAW(j, ",\"time_error_s\":"); ea_json_raw(j, n, l);
}
