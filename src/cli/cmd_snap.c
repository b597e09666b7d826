/* cmd_snap.c: `etcd-autopsy snap ls`: every .snap / .snap.broken / .snap.db file with its CRC
 * verdict, raft term/index, conf state and the membership recorded in the v2 store. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char snap_help[] =
	"usage: etcd-autopsy snap ls PATH [options]\n\n"
	"PATH is a data dir, member/ or member/snap/ dir, a single .snap file, or an archive of those.\n"
	"Lists every *.snap (raft snapshot: v2 store + membership), *.snap.broken (etcd renamed it after\n"
	"failing to load it) and *.snap.db (bbolt image received from a leader; read it with `db`).\n"
	"For each .snap: CRC-32C check, term and index (and whether the file name agrees), voters and\n"
	"learners, members with names and URLs, removed members, cluster version.\n\n"
	"  -w, --write-out F     table (default) or json (JSON Lines: one object per file)\n"
	"  -q, --quiet           no summary line on stderr\n"
	"  -h, --help            this help\n\n"
	"examples:\n"
	"  etcd-autopsy snap ls node1/\n"
	"  etcd-autopsy snap ls node1.tar.gz -w json | jq '{file, index, crc_ok}'\n\n"
	"exit codes: 0 clean (also a data dir with no .snap file yet), 1 damage found, 2 usage error,\n"
	"unreadable input, or nothing etcd-shaped (no WAL, db or snapshot file) in PATH\n";

static const cli_command snap_cmd = { "snap", snap_help, CLI_W | CLI_Q, NULL, 0 };

/* A WAL segment or a bbolt db in the input: an etcd data dir (or part of one) that simply has
 * no snapshot file yet, which is normal (etcd writes one every --snapshot-count entries). */
static int looks_like_etcd(const ea_input *in)
{
	for (size_t i = 0; i < ea_input_count(in); i++) {
		const char *nm = ea_input_at(in, i)->name;
		const char *base = strrchr(nm, '/');
		base = base ? base + 1 : nm;
		size_t l = strlen(base);
		if ((l > 4 && strcmp(base + l - 4, ".wal") == 0) || strcmp(base, "db") == 0) return 1;
	}
	return 0;
}

/* When there is no .snap: a note if the db's storage schema (etcd 3.6+'s detection) is 3.6 or
 * newer, or unknown (no readable db), since etcd 3.8 writes no .snap files at all (etcd-io/etcd
 * 5d1a827c1, "Stop generating v2 snapshot files"); "" for a 3.5 or older db. */
static const char *no_snap_note(ea_input *in, char *buf, size_t cap)
{
	ea_mvcc *m = NULL;
	ea_error err = { 0 };
	ea_mvcc_info info;
	const char *ver = NULL;
	if (ea_mvcc_open(&m, in, NULL, &err) == EA_OK && ea_mvcc_info_scan(m, &info) == EA_OK) {
		if (!info.schema.ok || info.schema.major < 3 || (info.schema.major == 3 && info.schema.minor < 6)) ver = "";
		else ver = info.schema.version;
	}
	if (m) ea_mvcc_close(m);
	if (ver && !*ver) return "";
	snprintf(buf, cap, "; the db's storage version is %s: etcd 3.8 writes no .snap files at all (it "
	         "keeps membership in the db), so a 3.8 member has none", ver ? ver : "unknown (no readable db)");
	return buf;
}

/* A data dir without a .snap file: normal, said (table: a line under the header; json: stderr). */
static int snap_none(ea_input *in, const char *path, const cli_args *a)
{
	char nb[256];
	const char *note = no_snap_note(in, nb, sizeof nb);
	if (a->fmt == OUT_TABLE) {
		ea_render_snap_header(stdout, 40);
		printf("(no .snap files: etcd writes one every --snapshot-count applied entries; this member has "
		       "not written one yet%s)\n", note);
	} else if (!a->quiet) {
		fprintf(stderr, "etcd-autopsy snap ls: %s: no .snap files (etcd has not written one yet%s)\n", path, note);
	}
	return EXIT_CLEAN;
}

static void problem_out(cli_problems *cp, ea_json *j, out_format fmt, const ea_problem *pr)
{
	cli_problem_seen(cp, pr);
	if (fmt == OUT_JSON) ea_json_problem_line(j, pr); else cli_problem_table(stdout, pr);
}

/* The input's problems, one row or object per file (FILE column as wide as the longest name,
 * at most 100), then the listing's problems. */
static void snap_list_out(ea_input *in, const ea_snap_list *l, out_format fmt, cli_problems *cp)
{
	ea_json j;
	ea_json_init(&j, stdout);
	for (size_t i = 0; i < ea_input_problem_count(in); i++) problem_out(cp, &j, fmt, ea_input_problem_at(in, i));
	int fw = 4;
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		int w = (int)strlen(ea_snap_list_at(l, i)->file);
		if (w > fw) fw = w < 100 ? w : 100;
	}
	if (fmt == OUT_TABLE) ea_render_snap_header(stdout, fw);
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		if (fmt == OUT_JSON) ea_render_snap_file_json(&j, ea_snap_list_at(l, i));
		else ea_render_snap_file_table(stdout, ea_snap_list_at(l, i), fw);
	}
	for (size_t i = 0; i < ea_snap_list_problem_count(l); i++) problem_out(cp, &j, fmt, ea_snap_list_problem_at(l, i));
	fflush(stdout);
}

int cmd_snap(int argc, char **argv)
{
	static const char *const verbs[] = { "ls", NULL };
	int done;
	if (cli_verb(argc, argv, &snap_cmd, verbs, &done) < 0) return done;
	cli_args a;
	int go = cli_parse(&a, &snap_cmd, argc - 1, argv + 1, NULL);
	if (go != CLI_GO) return go;
	if (a.p.npositional != 1) {
		fprintf(stderr, "etcd-autopsy snap ls: expected exactly one PATH (see --help)\n");
		return EXIT_USAGE;
	}
	const char *path = a.p.positional[0];
	ea_error err = { 0 };
	ea_input *in;
	int rc = ea_input_open(&in, path, &err);
	if (rc) { cli_print_error("snap ls", path, rc, &err); return EXIT_USAGE; }
	ea_snap_list *l;
	rc = ea_snap_list_open(&l, in, 0, &err);
	if (rc == EA_ENOTFOUND && looks_like_etcd(in)) {
		int code = snap_none(in, path, &a);
		ea_input_close(in);
		return code;
	}
	if (rc) { cli_print_error("snap ls", path, rc, &err); ea_input_close(in); return EXIT_USAGE; }
	cli_problems cp = { .quiet = a.quiet };
	snap_list_out(in, l, a.fmt, &cp);
	size_t not_snap = 0;
	for (size_t i = 0; i < ea_snap_list_count(l); i++) not_snap += cli_snap_not_snap(in, ea_snap_list_at(l, i));
	int code = cli_exit_code(&cp);
	if (not_snap && not_snap == ea_snap_list_count(l)) {
		/* nothing etcd-shaped: every file only bears a .snap name */
		fprintf(stderr, "etcd-autopsy snap ls: %s: not a .snap file: %s holds no snappb.Snapshot%s\n", path,
		        ea_snap_list_at(l, 0)->file, not_snap > 1 ? " (nor do the others)" : "");
		code = EXIT_USAGE;
		cp.quiet = 1;
	}
	cli_problems_summary(&cp, path);
	ea_snap_list_close(l);
	ea_input_close(in);
	return code;
}
