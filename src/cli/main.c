/* main.c: `etcd-autopsy <noun> <verb>` dispatch through a command table. */
#include "cli.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *desc;
} command;

static const command commands[] = {
	{ "wal", cmd_wal, "read WAL segments: ls (entries/records), stat (summary)" },
	{ "db", cmd_db, "read a bbolt db / backup: stat, check, ls, history, hash, pages" },
	{ "snap", cmd_snap, "list .snap files: term, index, conf state, members, crc" },
	{ "history", cmd_history, "merged raft timeline of several members; --terms: leader per term" },
	{ "diff", cmd_diff, "where and how members diverged, and which one to trust" },
	{ "export", cmd_export, "write everything above into one SQLite incident database" },
	{ "verify", cmd_verify, "is a backup restorable, and does it match the members?" },
	{ "replay", cmd_replay, "replay one member's WAL against its own db: does the db hold every write?" },
	{ "report", cmd_report, "one self-contained HTML incident report: verdict, timeline picture, findings" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: etcd-autopsy <command> [args] [--help]\n\n"
	        "Offline, read-only forensics of etcd data directories, WAL segments, .snap files\n"
	        "and bbolt databases, including damaged ones and archives (.tar, .tar.gz, .tar.zst).\n\n"
	        "commands:\n");
	for (const command *c = commands; c->name; c++) fprintf(f, "  %-8s %s\n", c->name, c->desc);
	fprintf(f,
	        "\nexamples:\n"
	        "  etcd-autopsy wal stat node1/\n"
	        "  etcd-autopsy wal ls node1.tar.gz -w json --from 1200 --to 1300\n"
	        "  etcd-autopsy history etcd-1=n1/ etcd-2=n2/ etcd-3=n3/ --terms\n"
	        "  etcd-autopsy diff n1/ n2/ n3/\n\n"
	        "archives are staged in $TMPDIR, at most 16 GiB per command: --stage-limit SIZE\n"
	        "(any command) or ETCD_AUTOPSY_STAGE_LIMIT=SIZE raises it; ARCHIVE#N picks entry N\n"
	        "among members with the same name\n\n"
	        "exit codes: 2 usage error or nothing etcd-shaped could be read from an input; 1 findings of\n"
	        "warning or worse, or a verdict other than consistent/restorable; 0 otherwise\n");
}

/* bbolt files are read through a read-only mapping: if one shrinks while it is read (a live
 * etcd, or a copy still being written), the kernel raises SIGBUS. Say so instead of dying. */
static void on_sigbus(int sig)
{
	static const char msg[] = "etcd-autopsy: an input file shrank while it was being read (is a running "
	                          "etcd or a copy still writing to it?); work on a finished copy\n";
	(void)sig;
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	/* streams of JSON Lines: a 256 KiB buffer instead of one write() per 4 KiB; a terminal
	 * stays line-buffered */
	static char outbuf[256 * 1024];
	if (!isatty(STDOUT_FILENO)) setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc < 2) { usage(stderr); return EXIT_USAGE; }
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("etcd-autopsy %s\nformats: etcd WAL/snap 3.4-3.6, bbolt 1.3-1.4\ncrc32c: %s\n", EA_VERSION,
		       ea_crc32c_impl());
		return EXIT_CLEAN;
	}
	int quiet = 0;
	for (int i = 2; i < argc; i++) quiet |= strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0;
	for (const command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0) {
			char what[40];
			int verb = argc > 2 && argv[2][0] != '-' && (!strcmp(c->name, "wal") || !strcmp(c->name, "db") ||
			                                            !strcmp(c->name, "snap"));
			snprintf(what, sizeof what, "%s%s%.20s", c->name, verb ? " " : "", verb ? argv[2] : "");
			cli_stage_note_init(quiet, what);
			/* a stream to the terminal is its own progress: no line to mix into it */
			int stream = verb && (!strcmp(argv[2], "ls") || !strcmp(argv[2], "history") || !strcmp(argv[2], "pages"));
			cli_progress_start(quiet || (stream && isatty(STDOUT_FILENO)), what);
			int rc = c->fn(argc - 1, argv + 1);
			cli_progress_stop();
			return rc;
		}
	fprintf(stderr, "etcd-autopsy: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
