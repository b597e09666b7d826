/* progress.c: "read 1.2 GiB at 850 MiB/s" on stderr while a command runs, only when stderr
 * is a terminal, only after the first second, silent under -q. A background thread samples
 * the library's byte counter every 250 ms; the line is erased when the command finishes. */
#include "cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static pthread_t thread;
static atomic_int running;
static int started;
static uint64_t total_hint;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *buf, size_t cap, double bytes)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;
	while (bytes >= 1024 && i < 4) { bytes /= 1024; i++; }
	snprintf(buf, cap, i ? "%.1f %s" : "%.0f %s", bytes, u[i]);
}

static void *loop(void *arg)
{
	(void)arg;
	double t0 = now();
	uint64_t b0 = ea_input_bytes_read();
	int shown = 0;
	while (atomic_load(&running)) {
		usleep(250000);
		double t = now() - t0;
		if (t < 1.0 || !atomic_load(&running)) continue;
		double b = (double)(ea_input_bytes_read() - b0);
		char done[32], rate[32], line[160];
		human(done, sizeof done, b);
		human(rate, sizeof rate, b / t);
		int n = snprintf(line, sizeof line, "\retcd-autopsy: read %s at %s/s", done, rate);
		if (total_hint && b > 0 && b < (double)total_hint) {
			double eta = ((double)total_hint - b) / (b / t);
			snprintf(line + n, sizeof line - (size_t)n, ", ~%.0f s left", eta);
		}
		fprintf(stderr, "%s\033[K", line);
		fflush(stderr);
		shown = 1;
	}
	if (shown) { fputs("\r\033[K", stderr); fflush(stderr); }
	return NULL;
}

void cli_progress_start(int quiet, uint64_t total_bytes_hint)
{
	if (quiet || started || !isatty(STDERR_FILENO)) return;
	total_hint = total_bytes_hint;
	atomic_store(&running, 1);
	if (pthread_create(&thread, NULL, loop, NULL) == 0) started = 1;
}

void cli_progress_stop(void)
{
	if (!started) return;
	atomic_store(&running, 0);
	pthread_join(thread, NULL);
	started = 0;
}
