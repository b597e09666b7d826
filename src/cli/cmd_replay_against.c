/* cmd_replay_against.c: `etcd-autopsy replay NODE --against REF [--at INDEX]`: what NODE (a
 * lagging or rolled-back member) lost against REF (ea_lost_run): the keys whose value or
 * existence differs, grouped by prefix. Exit 0 when nothing differs, 1 otherwise, 2 usage or
 * nothing readable. */
#include "cli.h"

#include <string.h>

typedef struct {
	ea_input *in;
	ea_log *log;
	ea_mvcc *db;
} side;

static int open_side(side *s, const char *path)
{
	ea_error err = { 0 };
	int rc = ea_input_open(&s->in, path, &err);
	if (rc) { cli_print_error("replay", path, rc, &err); return rc; }
	ea_error lerr = { 0 };
	if (ea_log_open(&s->log, s->in, NULL, &lerr) != EA_OK) s->log = NULL;   /* a db alone has no WAL */
	ea_mvcc_options mo = EA_MVCC_OPTIONS_INIT;
	if ((rc = ea_mvcc_open(&s->db, s->in, &mo, &err))) { cli_print_error("replay", path, rc, &err); return rc; }
	return EA_OK;
}

static void close_side(side *s)
{
	ea_mvcc_close(s->db);
	ea_log_close(s->log);
	ea_input_close(s->in);
}

int cli_replay_against(const char *member, const char *reference, uint64_t at, out_format fmt, int quiet)
{
	side m = { 0 }, r = { 0 };
	int code = EXIT_USAGE;
	/* a member against itself would always lose nothing: refused like diff's duplicates */
	const char *const two[2] = { member, reference };
	if (cli_same_path("replay", two, two, 2)) return EXIT_USAGE;
	if (open_side(&m, member) || open_side(&r, reference)) goto out;
	ea_lost l;
	ea_error err = { 0 };
	cli_progress_phase("replaying");
	int rc = ea_lost_run(m.log, m.db, r.log, r.db, at, &l, &err);
	cli_progress_stop();
	if (rc) { cli_print_error("replay", reference, rc, &err); goto out; }
	if (fmt == OUT_JSON) {
		ea_json j;
		ea_json_init(&j, stdout);
		ea_render_lost_json(&j, member, reference, &l);
	} else {
		ea_render_lost_table(stdout, member, reference, &l);
	}
	fflush(stdout);
	uint64_t all = l.total[0] + l.total[1] + l.total[2];
	code = all ? EXIT_FINDINGS : EXIT_CLEAN;
	if (!quiet && all) {
		char mb[512], rb[512];   /* arguments are escaped for the terminal */
		fprintf(stderr, "etcd-autopsy replay: %s: %llu key%s differ from %s\n", ea_text_str(mb, sizeof mb, member),
		        (unsigned long long)all, all == 1 ? "" : "s", ea_text_str(rb, sizeof rb, reference));
	}
	ea_lost_free(&l);
out:
	close_side(&r);
	close_side(&m);
	return code;
}
