/* ea_baseline: the in-process baselines that bound each benchmarked task, run by bench/run.py
 * under the same wait4() timer as the tasks.
 *
 *   ea_baseline read FILE...        plain sequential read() of the files (1 MiB buffer)
 *   ea_baseline crc FILE...         read() + CRC-32C (ea_crc32c, SSE4.2) over every byte
 *   ea_baseline sqlite DIR RECORDS ENTRIES HARD_STATES REVISIONS
 *                                   raw prepared-insert loop of export's row shapes (rawsql.c)
 *   ea_baseline time CMD ARG...     run CMD (stdout to /dev/null) and print its wall time,
 *                                   CPU time (user + sys) and peak RSS from wait4(): a small
 *                                   parent, so the child's ru_maxrss is its own (a child
 *                                   forked from Python would inherit Python's)
 *
 * Prints one line: bytes (or rows) and seconds. */
#include "etcd-autopsy/etcd-autopsy.h"
#include "rawsql.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF (1u << 20)

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ea_baseline read|crc FILE... | sqlite DIR RECORDS ENTRIES HARD_STATES REVISIONS\n");
		return 2;
	}
	double t0 = now_s();
	if (strcmp(argv[1], "time") == 0) {
		pid_t pid = fork();
		if (pid < 0) { perror("fork"); return 1; }
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd < 0 || dup2(fd, 1) < 0) _exit(127);
			execvp(argv[2], argv + 2);
			perror(argv[2]);
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (wait4(pid, &status, 0, &ru) < 0) { perror("wait4"); return 1; }
		double wall = now_s() - t0;
		printf("wall %.6f cpu %.6f rss %ld rc %d\n", wall,
		       (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		       ru.ru_maxrss * 1024L, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return 0;
	}
	if (strcmp(argv[1], "sqlite") == 0) {
		if (argc != 7) return 2;
		char path[4200];
		snprintf(path, sizeof path, "%s/raw-baseline.sqlite", argv[2]);
		raw_result r = raw_loop(path, strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
		                        strtoull(argv[5], NULL, 10), strtoull(argv[6], NULL, 10));
		printf("rows %" PRIu64 " load %.3f index %.3f\n", r.rows, r.load, r.index);
		return 0;
	}
	int crc = strcmp(argv[1], "crc") == 0;
	uint8_t *buf = aligned_alloc(4096, BUF);
	uint64_t total = 0;
	uint32_t c = 0;
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) { perror(argv[i]); return 1; }
		ssize_t n;
		while ((n = read(fd, buf, BUF)) > 0) {
			if (crc) c = ea_crc32c(c, buf, (size_t)n);
			total += (uint64_t)n;
		}
		close(fd);
	}
	printf("bytes %" PRIu64 " seconds %.3f crc %08x\n", total, now_s() - t0, c);
	free(buf);
	return 0;
}
