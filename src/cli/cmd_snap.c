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
	"exit codes: 0 clean, 1 damage found, 2 usage/unreadable or no snapshot files\n";

enum { O_WRITE, O_QUIET, O_HELP };
static const cli_opt snap_opts[] = {
	{ "write-out", 'w', 1 }, { "quiet", 'q', 0 }, { "help", 'h', 0 }, { NULL, 0, 0 }
};

static void json_ids(ea_json *j, const char *key, const uint64_t *ids, size_t n)
{
	ea_json_key(j, key);
	ea_json_array_begin(j);
	for (size_t i = 0; i < n; i++) ea_json_hex(j, ids[i]);
	ea_json_array_end(j);
}

static void json_file(ea_json *j, const ea_snap_info *f)
{
	ea_json_object_begin(j);
	ea_json_key(j, "file"); ea_json_str(j, f->file);
	ea_json_key(j, "kind"); ea_json_str(j, f->kind);
	ea_json_key(j, "size"); ea_json_u64(j, f->size);
	ea_json_key(j, "note"); ea_json_str(j, f->note);
	ea_json_key(j, "name_ok"); ea_json_bool(j, f->name_ok);
	if (strcmp(f->kind, "snap.db") == 0) {
		ea_json_key(j, "index"); ea_json_u64(j, f->name_index);
	} else {
		ea_json_key(j, "crc_ok"); if (f->crc_ok < 0) ea_json_null(j); else ea_json_bool(j, f->crc_ok);
		ea_json_key(j, "crc"); ea_json_u64(j, f->crc_stored);
		ea_json_key(j, "crc_computed"); ea_json_u64(j, f->crc_computed);
		ea_json_key(j, "term"); if (f->decoded) ea_json_u64(j, f->term); else ea_json_null(j);
		ea_json_key(j, "index"); if (f->decoded) ea_json_u64(j, f->index); else ea_json_null(j);
		json_ids(j, "voters", f->voters, f->n_voters);
		json_ids(j, "learners", f->learners, f->n_learners);
		ea_json_key(j, "auto_leave"); ea_json_bool(j, f->auto_leave);
		ea_json_key(j, "data_len"); ea_json_u64(j, f->data_len);
		ea_json_key(j, "cluster_version"); ea_json_str(j, f->cluster_version);
		ea_json_key(j, "members");
		ea_json_array_begin(j);
		for (size_t i = 0; i < f->n_members; i++) {
			const ea_snap_member *m = &f->members[i];
			ea_json_object_begin(j);
			ea_json_key(j, "id"); ea_json_hex(j, m->id);
			ea_json_key(j, "removed"); ea_json_bool(j, m->removed);
			if (!m->removed) {
				ea_json_key(j, "name"); ea_json_str(j, m->name);
				ea_json_key(j, "peer_urls"); ea_json_str(j, m->peer_urls);
				ea_json_key(j, "client_urls"); ea_json_str(j, m->client_urls);
			}
			ea_json_object_end(j);
		}
		ea_json_array_end(j);
	}
	ea_json_object_end(j);
	ea_json_newline(j);
}

static void table_file(const ea_snap_info *f)
{
	if (strcmp(f->kind, "snap.db") == 0) {
		printf("%-60s snap.db  index %" PRIu64 ", %" PRIu64 " bytes: %s\n", f->file, f->name_index, f->size, f->note);
		return;
	}
	printf("%-60s %-8s crc %-4s term %" PRIu64 " index %" PRIu64 "%s  voters",
	       f->file, f->kind, f->crc_ok < 0 ? "-" : f->crc_ok ? "ok" : "BAD", f->term, f->index,
	       f->decoded ? "" : " (undecoded)");
	for (size_t i = 0; i < f->n_voters; i++) printf(" %" PRIx64, f->voters[i]);
	if (f->n_learners) {
		printf("  learners");
		for (size_t i = 0; i < f->n_learners; i++) printf(" %" PRIx64, f->learners[i]);
	}
	printf("  version %s\n", f->cluster_version ? f->cluster_version : "-");
	if (strcmp(f->kind, "snap.broken") == 0) printf("    %s\n", f->note);
	for (size_t i = 0; i < f->n_members; i++) {
		const ea_snap_member *m = &f->members[i];
		if (m->removed) printf("    member %016" PRIx64 " (removed)\n", m->id);
		else printf("    member %016" PRIx64 " %-12s peer %s client %s\n", m->id, *m->name ? m->name : "(unpublished)",
		            m->peer_urls, m->client_urls);
	}
}

int cmd_snap(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(snap_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
	}
	if (strcmp(argv[1], "ls") != 0) {
		fprintf(stderr, "etcd-autopsy snap: unknown subcommand '%s' (ls)\n", argv[1]);
		return EXIT_USAGE;
	}
	out_format fmt = OUT_TABLE;
	int quiet = 0;
	cli_parser p;
	cli_parser_init(&p, argc - 1, argv + 1);
	int o;
	while ((o = cli_next(&p, snap_opts)) >= 0) {
		switch (o) {
		case O_WRITE: if (cli_parse_format(p.arg, &fmt)) return EXIT_USAGE; break;
		case O_QUIET: quiet = 1; break;
		case O_HELP: fputs(snap_help, stdout); return EXIT_CLEAN;
		}
	}
	if (o == -2) return EXIT_USAGE;
	if (p.npositional != 1) {
		fprintf(stderr, "etcd-autopsy snap ls: expected exactly one PATH (see --help)\n");
		return EXIT_USAGE;
	}
	const char *path = p.positional[0];
	ea_error err = { 0 };
	ea_input *in;
	int rc = ea_input_open(&in, path, &err);
	if (rc) { cli_print_error("snap ls", path, rc, &err); return EXIT_USAGE; }
	ea_snap_list *l;
	rc = ea_snap_list_open(&l, in, 0, &err);
	if (rc) { cli_print_error("snap ls", path, rc, &err); ea_input_close(in); return EXIT_USAGE; }
	cli_problems cp = { .quiet = quiet };
	ea_json j;
	ea_json_init(&j, stdout);
	for (size_t i = 0; i < ea_input_problem_count(in); i++) {
		const ea_problem *pr = ea_input_problem_at(in, i);
		cli_problem_seen(&cp, pr);
		if (fmt == OUT_JSON) ea_json_problem_line(&j, pr); else cli_problem_table(stdout, pr);
	}
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		if (fmt == OUT_JSON) json_file(&j, ea_snap_list_at(l, i)); else table_file(ea_snap_list_at(l, i));
	}
	for (size_t i = 0; i < ea_snap_list_problem_count(l); i++) {
		const ea_problem *pr = ea_snap_list_problem_at(l, i);
		cli_problem_seen(&cp, pr);
		if (fmt == OUT_JSON) ea_json_problem_line(&j, pr); else cli_problem_table(stdout, pr);
	}
	fflush(stdout);
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
	ea_snap_list_free(l);
	ea_input_close(in);
	return code;
}
