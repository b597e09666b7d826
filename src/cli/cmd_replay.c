/* cmd_replay.c: `etcd-autopsy replay NODE`: one member's committed WAL entries replayed
 * against its own db (ea_replay), each with the revision it made and whether the db shows it,
 * then the verdict. Exit 0 for db-equals-wal, 1 for any other verdict, 2 usage / unreadable. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char replay_help[] =
	"usage: etcd-autopsy replay NODE [options]\n\n"
	"Replays every committed WAL entry of one member against an MVCC model as etcd applies it\n"
	"(put, delete_range, txn with its compares, lease revoke, compaction, alarms) and checks each\n"
	"revision against the member's own db: the elements etcd wrote at that revision must be\n"
	"exactly the entry's writes. The revisions are anchored on the db's consistent_index and\n"
	"revision (a WAL from index 1 starts from an empty keyspace). NODE is a data dir or an archive\n"
	"of one, as for `wal ls`; a WAL without a db is replayed only if it starts at index 1.\n\n"
	"results per entry: matches-db, db-differs (the db holds another key/value/lease at that\n"
	"revision: both named, with the leaf page), missing-in-db, db-only (a db revision no entry made),\n"
	"compacted, unknown (depends on state neither the WAL nor the db holds), no-revision,\n"
	"not-checked (uncommitted or superseded)\n"
	"verdict: db-equals-wal, db-diverges-from-wal (first difference named), db-behind-wal (only\n"
	"entries after the db's consistent_index are missing: etcd re-applies them at startup),\n"
	"incomplete (no anchor, or entries left unknown: the reason says why)\n\n"
	"      --all             list every entry (default: only those whose result is not matches-db\n"
	"                        and not no-revision)\n"
	"      --from N          list entries with index >= N (the replay still runs from the start)\n"
	"      --to N            list entries with index <= N\n"
	"      --against REF     what NODE lost: the keys whose value or existence differs between\n"
	"                        NODE's state (its db, at its consistent_index) and REF's (a member's\n"
	"                        data dir, or a db) at REF's consistent_index or --at, grouped by prefix\n"
	"                        (up to the last '/'); both WALs replayed against their dbs first; at\n"
	"                        most 1000 keys listed, totals exact; exit 1 when any key differs\n"
	"      --at INDEX        with --against: REF's state after entry INDEX (e.g. the N of\n"
	"                        \"tocommit(N) is out of range\")\n"
	"  -w, --write-out       table (default) or json (JSON Lines, then {\"summary\": {...}})\n"
	"  -q, --quiet           no summary line on stderr\n"
	"  -h, --help            this help\n\n"
	"examples:\n"
	"  etcd-autopsy replay fixtures/healthy/n1.tar.gz\n"
	"  etcd-autopsy replay n1/ -w json --all | jq 'select(.revision == 458)'\n"
	"  etcd-autopsy replay n2/ --against n1/                # what the lagging n2 lacks\n\n"
	"exit codes: 0 db-equals-wal, 1 any other verdict, 2 usage error or nothing readable\n";

typedef struct {
	int all;
	uint64_t from, to;
	const char *against;   /* --against REF: what NODE lost (cmd_replay_against.c) */
	uint64_t at;           /* --at INDEX: the reference's index (0: its consistent_index) */
	int listing;           /* --all, --from or --to given */
} replay_args;

static int set_all(cli_args *c, const char *v) { (void)v; ((replay_args *)c->own)->all = ((replay_args *)c->own)->listing = 1; return 0; }

static int set_num(const char *v, uint64_t *out)
{
	char vb[256];   /* arguments are escaped for the terminal */
	if (cli_parse_u64(v, out)) { fprintf(stderr, "etcd-autopsy replay: '%s' is not a number\n", ea_text_str(vb, sizeof vb, v)); return -1; }
	return 0;
}
static int set_from(cli_args *c, const char *v) { ((replay_args *)c->own)->listing = 1; return set_num(v, &((replay_args *)c->own)->from); }
static int set_to(cli_args *c, const char *v) { ((replay_args *)c->own)->listing = 1; return set_num(v, &((replay_args *)c->own)->to); }
static int set_against(cli_args *c, const char *v) { ((replay_args *)c->own)->against = v; return 0; }
static int set_at(cli_args *c, const char *v)
{
	int rc = set_num(v, &((replay_args *)c->own)->at);
	if (!rc && !((replay_args *)c->own)->at) { fprintf(stderr, "etcd-autopsy replay: --at 0 is no entry\n"); return -1; }
	return rc;
}

static const cli_row replay_rows[] = {
	{ "all", 0, 0, set_all }, { "from", 0, 1, set_from }, { "to", 0, 1, set_to },
	{ "against", 0, 1, set_against }, { "at", 0, 1, set_at }, { NULL, 0, 0, NULL }
};
static const cli_command replay_cmd = { "replay", replay_help, CLI_W | CLI_Q, replay_rows, 0 };

static int listed(const replay_args *a, const ea_replay_item *it)
{
	if (it->index && (it->index < a->from || it->index > a->to)) return 0;
	if (a->all) return 1;
	return it->result != EA_REPLAY_MATCHES_DB && it->result != EA_REPLAY_NO_REVISION &&
	       it->result != EA_REPLAY_NOT_CHECKED;
}

static int run(const char *path, const replay_args *a, out_format fmt, int quiet)
{
	ea_error err = { 0 };
	ea_input *in = NULL;
	ea_log *log = NULL;
	ea_mvcc *db = NULL;
	ea_replay *r = NULL;
	int code = EXIT_USAGE;
	int rc = ea_input_open(&in, path, &err);
	if (!rc) rc = ea_log_open(&log, in, NULL, &err);
	if (rc) { cli_print_error("replay", path, rc, &err); goto out; }
	ea_mvcc_options mo = EA_MVCC_OPTIONS_INIT;
	ea_error derr = { 0 };
	rc = ea_mvcc_open(&db, in, &mo, &derr);
	if (rc && rc != EA_ENOTFOUND) { cli_print_error("replay", path, rc, &derr); goto out; }
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	cli_progress_phase("replaying");
	if ((rc = ea_replay_new(&r, log, db, &ro, &err))) { cli_print_error("replay", path, rc, &err); goto out; }
	ea_json j;
	ea_json_init(&j, stdout);
	if (fmt == OUT_TABLE) ea_render_replay_header(stdout);
	const ea_replay_item *it;
	while ((rc = ea_replay_next(&it, r)) == EA_OK) {
		if (!listed(a, it)) continue;
		if (fmt == OUT_JSON) ea_render_replay_item_json(&j, it); else ea_render_replay_item_table(stdout, it);
	}
	if (rc != EA_ITEROVER) { fflush(stdout); cli_print_error("replay", path, rc, NULL); goto out; }
	const ea_replay_summary *s;
	ea_replay_summary_get(r, &s);
	cli_progress_stop();
	if (fmt == OUT_JSON) ea_render_replay_summary_json(&j, s); else ea_render_replay_summary_table(stdout, s);
	fflush(stdout);
	code = s->verdict == EA_REPLAY_DB_EQUALS_WAL ? EXIT_CLEAN : EXIT_FINDINGS;
	if (!quiet && code != EXIT_CLEAN) {
		char pb[512];   /* the argument, escaped for the terminal */
		fprintf(stderr, "etcd-autopsy replay: %s: %s\n", ea_text_str(pb, sizeof pb, path), ea_replay_verdict_name(s->verdict));
	}
out:
	ea_replay_free(r);
	ea_mvcc_close(db);
	ea_log_close(log);
	ea_input_close(in);
	return code;
}

int cmd_replay(int argc, char **argv)
{
	cli_malloc_fixed_mmap_threshold();
	replay_args a = { 0, 0, UINT64_MAX, NULL, 0, 0 };
	cli_args c;
	int go = cli_parse(&c, &replay_cmd, argc, argv, &a);
	if (go != CLI_GO) return go;
	if (c.p.npositional != 1) {
		fprintf(stderr, "etcd-autopsy replay: expected exactly one NODE (see --help)\n");
		return EXIT_USAGE;
	}
	if (a.from > a.to) {
		fprintf(stderr, "etcd-autopsy replay: --from %" PRIu64 " is above --to %" PRIu64 "\n", a.from, a.to);
		return EXIT_USAGE;
	}
	if (a.against && a.listing) {
		fprintf(stderr, "etcd-autopsy replay: --against lists keys, not entries: --all, --from and --to do not apply\n");
		return EXIT_USAGE;
	}
	if (a.at && !a.against) { fprintf(stderr, "etcd-autopsy replay: --at needs --against REF\n"); return EXIT_USAGE; }
	if (a.against) return cli_replay_against(c.p.positional[0], a.against, a.at, c.fmt, c.quiet);
	return run(c.p.positional[0], &a, c.fmt, c.quiet);
}
