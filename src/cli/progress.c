/* progress.c: "etcd-autopsy diff: read 1.2 GiB at 850 MiB/s, 4 s: reading n1, n2, n3" on stderr
 * while a command runs, only when stderr is a terminal, only after the first second, silent
 * under -q. A background thread samples the library's byte counter every 250 ms and redraws
 * the line with the current phase; cli_progress_stop() erases it before any summary line is
 * printed. No ETA: a command may read its inputs more than once, so none would be honest.
 * It also keeps the command's start time, so summaries can state the real wall time. */
#include "cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t thread;
static atomic_int running;
static int started;
static double t_start = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char command[48];
static char phase[160];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleeps up to 250 ms, waking early when the command ends */
static void tick(void)
{
	for (int i = 0; i < 10 && atomic_load(&running); i++) usleep(25000);
}

static void draw(double t, double bytes)
{
	char done[32], rate[32], line[320];
	cli_human_bytes(done, sizeof done, (uint64_t)bytes);
	cli_human_bytes(rate, sizeof rate, (uint64_t)(bytes / t));
	pthread_mutex_lock(&lock);
	/* the phase last, and the whole within one 79-column terminal line so that \r redraws
	 * it in place: a long phase is cut */
	int n = snprintf(line, sizeof line, "\retcd-autopsy %s: read %s at %s/s, %.0f s%s%s", command, done, rate, t,
	                 phase[0] ? ": " : "", phase);
	pthread_mutex_unlock(&lock);
	if (n > 80) {
		int k = 80;
		while (k > 1 && ((unsigned char)line[k] & 0xC0) == 0x80) k--;   /* not inside a UTF-8 character */
		line[k] = 0;
	}
	fprintf(stderr, "%s\033[K", line);
	fflush(stderr);
}

static void *loop(void *arg)
{
	(void)arg;
	uint64_t b0 = ea_input_bytes_read();
	int shown = 0;
	while (atomic_load(&running)) {
		tick();
		double t = now() - t_start;
		if (t < 1.0 || !atomic_load(&running)) continue;
		draw(t, (double)(ea_input_bytes_read() - b0));
		shown = 1;
	}
	if (shown) { fputs("\r\033[K", stderr); fflush(stderr); }
	return NULL;
}

void cli_progress_start(int quiet, const char *what)
{
	if (t_start < 0) t_start = now();
	if (quiet || started || !isatty(STDERR_FILENO)) return;
	snprintf(command, sizeof command, "%s", what ? what : "");
	atomic_store(&running, 1);
	if (pthread_create(&thread, NULL, loop, NULL) == 0) started = 1;
}

void cli_progress_phase(const char *what)
{
	pthread_mutex_lock(&lock);
	snprintf(phase, sizeof phase, "%s", what ? what : "");
	for (char *c = phase; *c; c++)   /* names come from the command line: no control bytes to the terminal */
		if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
	pthread_mutex_unlock(&lock);
}

void cli_progress_nodes(const char *const *names, const char *const *paths, int n)
{
	char buf[sizeof phase];
	size_t at = (size_t)snprintf(buf, sizeof buf, "reading");
	for (int i = 0; i < n && at < sizeof buf; i++) {
		const char *s = names[i] ? names[i] : paths[i];
		size_t l = strlen(s);
		while (l > 1 && s[l - 1] == '/') l--;
		size_t b = l;
		while (b > 0 && s[b - 1] != '/') b--;
		at += (size_t)snprintf(buf + at, sizeof buf - at, "%s %.*s", i ? "," : "", (int)(l - b), s + b);
	}
	cli_progress_phase(buf);
}

void cli_progress_stop(void)
{
	if (!started) return;
	atomic_store(&running, 0);
	pthread_join(thread, NULL);
	started = 0;
}

double cli_progress_elapsed(void) { return t_start < 0 ? 0 : now() - t_start; }
