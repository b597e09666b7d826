/* cmd_wal.c: `etcd-autopsy wal ls|stat`. Parses options, drives the library cursors and
 * prints: tables for people, JSON (Lines for streams) for machines. No byte parsing here. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char wal_help[] =
	"usage: etcd-autopsy wal <ls|stat> PATH [options]\n\n"
	"PATH is a data dir, a member/ or member/wal/ dir, a single .wal file, or a .tar/.tar.gz/.tar.zst\n"
	"archive of any of those. The input is only read, never modified.\n\n"
	"  wal ls PATH     every entry, flagged committed / UNCOMMITTED / SUPERSEDED, or every record\n"
	"      --records         one line per WAL record instead of per entry\n"
	"      --from N          entries with index >= N\n"
	"      --to N            entries with index <= N\n"
	"      --kind K          entries of kind K only (put, txn, empty, confchange:add, v2:PUT, ...)\n"
	"      --k8s-prefix P    Kubernetes key prefix (default /registry): an entry whose key is under\n"
	"                        it gets \"k8s\" in JSON (resource, namespace, name, kind, uid, ...)\n"
	"      --resource R      entries on Kubernetes objects of resource R only (pods, leases, ...)\n"
	"      --namespace N     entries on Kubernetes objects in namespace N only\n"
	"      --since T, --until T  entries whose estimated UTC time can lie in [T, T'] only\n"
	"                        (T: 2026-12-05T07:08:18Z; an entry whose time is unknown is kept)\n"
	"      -w, --write-out   table (default) or json (JSON Lines: one object per line; with the\n"
	"                        member's db, each entry's revision and a txn's txn.applied, replayed;\n"
	"                        approx_time, time_source, time_error_s: docs/time.md)\n"
	"  wal stat PATH   member/cluster IDs, segments, record counts, index/term range,\n"
	"                  last HardState, snapshot records, superseded entries, every problem\n"
	"      -w, --write-out   table (default) or json\n\n"
	"common options:\n"
	"      --no-crc          do not verify the CRC-32C chain\n"
	"  -q, --quiet           no summary line on stderr\n"
	"  -h, --help            this help\n\n"
	"Damage is reported, never fatal: JSON output carries {\"problem\": {kind, file, offset, length,\n"
	"message}} objects inline, and stderr gets a one-line summary.\n\n"
	"examples:\n"
	"  etcd-autopsy wal stat node1/\n"
	"  etcd-autopsy wal ls node1/ -w json | jq 'select(.superseded)'\n"
	"  etcd-autopsy wal ls node1.tar.gz --records --from 1200 --to 1300\n\n"
	"exit codes: 0 clean, 1 damage found (everything readable was still printed), 2 usage error\n"
	"(also --kind unknown, --from above --to) or no WAL could be read (\"not a WAL segment\")\n";

typedef struct {
	int records;
	uint64_t from, to;
	const char *kind;
	out_format fmt;
	int quiet;
	int filtered;          /* --from, --to or --kind given */
	ea_wal_options wopts;
	cli_k8s k8s;           /* --k8s-prefix, --resource, --namespace and the decoder */
	cli_window win;        /* --since, --until */
} wal_args;

static const char *type_name(int t)
{
	return t == 0 ? "normal" : t == 1 ? "confchange" : t == 2 ? "confchangev2" : "unknown";
}

static void print_key_text(FILE *f, const uint8_t *k, size_t n)
{
	size_t lim = n > 60 ? 60 : n;
	for (size_t i = 0; i < lim; i++) fputc(k[i] >= 0x20 && k[i] < 0x7f ? k[i] : '.', f);
	if (n > lim) fputs("...", f);
}

static void json_record(ea_json *j, const ea_wal_record *r)
{
	ea_json_object_begin(j);
	EA_JSON_KEY(j, "file"); ea_json_str(j, r->file);
	EA_JSON_KEY(j, "offset"); ea_json_u64(j, r->offset);
	EA_JSON_KEY(j, "record_type"); ea_json_str(j, ea_wal_record_type_name(r->type));
	EA_JSON_KEY(j, "length"); ea_json_u64(j, r->length);
	EA_JSON_KEY(j, "crc"); ea_json_u64(j, r->crc);
	EA_JSON_KEY(j, "crc_ok");
	if (r->crc_ok < 0) ea_json_null(j); else ea_json_bool(j, r->crc_ok);
	if (r->decoded) {
		switch (r->type) {
		case EA_WAL_ENTRY:
			EA_JSON_KEY(j, "index"); ea_json_u64(j, r->u.entry.index);
			EA_JSON_KEY(j, "term"); ea_json_u64(j, r->u.entry.term);
			break;
		case EA_WAL_STATE:
			EA_JSON_KEY(j, "hard_state");
			ea_json_object_begin(j);
			EA_JSON_KEY(j, "term"); ea_json_u64(j, r->u.state.term);
			EA_JSON_KEY(j, "vote"); ea_json_hex(j, r->u.state.vote);
			EA_JSON_KEY(j, "commit"); ea_json_u64(j, r->u.state.commit);
			ea_json_object_end(j);
			break;
		case EA_WAL_METADATA:
			EA_JSON_KEY(j, "member_id"); ea_json_hex(j, r->u.meta.node_id);
			EA_JSON_KEY(j, "cluster_id"); ea_json_hex(j, r->u.meta.cluster_id);
			break;
		case EA_WAL_SNAPSHOT:
			EA_JSON_KEY(j, "snapshot_index"); ea_json_u64(j, r->u.snap.index);
			EA_JSON_KEY(j, "snapshot_term"); ea_json_u64(j, r->u.snap.term);
			break;
		}
	}
	ea_json_object_end(j);
	ea_json_newline(j);
}

static void table_record(FILE *f, const ea_wal_record *r, int fw)
{
	char file[256];
	fprintf(f, "%-*s %10" PRIu64 " %-9s %8" PRIu64 " %-4s", fw, ea_text_str(file, sizeof file, r->file), r->offset,
	        ea_wal_record_type_name(r->type), r->length,
	        r->crc_ok < 0 ? "-" : r->crc_ok ? "ok" : "BAD");
	if (r->decoded) {
		if (r->type == EA_WAL_ENTRY)
			fprintf(f, " index=%" PRIu64 " term=%" PRIu64, r->u.entry.index, r->u.entry.term);
		else if (r->type == EA_WAL_STATE)
			fprintf(f, " term=%" PRIu64 " vote=%" PRIx64 " commit=%" PRIu64, r->u.state.term,
			        r->u.state.vote, r->u.state.commit);
		else if (r->type == EA_WAL_METADATA)
			fprintf(f, " member=%" PRIx64 " cluster=%" PRIx64, r->u.meta.node_id, r->u.meta.cluster_id);
		else if (r->type == EA_WAL_SNAPSHOT)
			fprintf(f, " snapshot index=%" PRIu64 " term=%" PRIu64, r->u.snap.index, r->u.snap.term);
	}
	fputc('\n', f);
}

/* One line per entry: the hottest output path, written from raw pieces (same text as the
 * generic writer would produce; type and kind are our own literals and need no escaping). */
static void json_entry(ea_json *j, const ea_entry_item *it, const ea_replay_item *ri, const ea_k8s_object *ko,
                       const ea_walltime_est *te)
{
	const ea_log_item *li = &it->log;
	const ea_entry_info *info = &it->info;
	const ea_wal_record *r = &li->item.rec;
	const ea_entry_header *e = &r->u.entry;
	const char *tn = type_name(e->type);
	EA_JSON_RAW(j, "{\"index\":"); ea_json_raw_u64(j, e->index);
	EA_JSON_RAW(j, ",\"term\":"); ea_json_raw_u64(j, e->term);
	EA_JSON_RAW(j, ",\"type\":\""); ea_json_raw(j, tn, strlen(tn));
	EA_JSON_RAW(j, "\",\"kind\":"); ea_json_raw_str(j, info->kind, strlen(info->kind));
	EA_JSON_RAW(j, ",\"size\":"); ea_json_raw_u64(j, e->data_len);
	EA_JSON_RAW(j, ",\"file\":"); ea_json_raw_str(j, r->file, strlen(r->file));
	EA_JSON_RAW(j, ",\"offset\":"); ea_json_raw_u64(j, r->offset);
	if (r->crc_ok < 0) EA_JSON_RAW(j, ",\"crc_ok\":null");
	else if (r->crc_ok) EA_JSON_RAW(j, ",\"crc_ok\":true");
	else EA_JSON_RAW(j, ",\"crc_ok\":false");
	if (it->state == EA_ENTRY_SUPERSEDED) EA_JSON_RAW(j, ",\"superseded\":true,\"committed\":false");
	else if (it->state == EA_ENTRY_COMMITTED) EA_JSON_RAW(j, ",\"superseded\":false,\"committed\":true");
	else EA_JSON_RAW(j, ",\"superseded\":false,\"committed\":false");
	if (li->superseded) { EA_JSON_RAW(j, ",\"superseded_by_term\":"); ea_json_raw_u64(j, li->superseded_by_term); }
	if (info->key) { EA_JSON_RAW(j, ",\"key\":"); ea_json_raw_str(j, info->key, info->key_len); }
	if (info->range_end) { EA_JSON_RAW(j, ",\"range_end\":"); ea_json_raw_str(j, info->range_end, info->range_end_len); }
	if (info->request_id) {
		EA_JSON_RAW(j, ",\"request_id\":"); ea_json_raw_hex(j, info->request_id);
		EA_JSON_RAW(j, ",\"proposer\":");
		if (it->proposer) ea_json_raw_hex(j, it->proposer);
		else ea_json_raw_str(j, it->proposer_name, strlen(it->proposer_name));
		EA_JSON_RAW(j, ",\"proposer_started\":"); ea_json_raw_time_ms(j, info->proposer_started_ms);
	}
	if (info->cc_type >= 0) {
		EA_JSON_RAW(j, ",\"member_id\":"); ea_json_raw_hex(j, info->cc_node_id);
		if (info->cc_context) { EA_JSON_RAW(j, ",\"context\":"); ea_json_raw_str(j, info->cc_context, strlen(info->cc_context)); }
	}
	if (info->detail && *info->detail) { EA_JSON_RAW(j, ",\"detail\":"); ea_json_raw_str(j, info->detail, strlen(info->detail)); }
	if (ri) {   /* with the member's db: the replay's revision and txn outcome */
		EA_JSON_RAW(j, ",\"revision\":");
		if (ri->revision > 0) ea_json_raw_u64(j, (uint64_t)ri->revision); else EA_JSON_RAW(j, "null");
		if (!strcmp(info->kind, "txn") && !info->txn) {
			const char *t = ri->txn_applied < 0 ? "null" : ri->txn_applied ? "true" : "false";
			EA_JSON_RAW(j, ",\"txn\":{\"applied\":");
			ea_json_raw(j, t, strlen(t));
			EA_JSON_RAW(j, "}");
		}
	}
	if (te) cli_walltime_json(j, te);
	if (ko) ea_render_k8s_raw_json(j, ko);
	if (info->txn) ea_render_txn_raw_json(j, info->txn, ri ? ri->txn_applied : -1);
	EA_JSON_RAW(j, "}");
	ea_json_newline(j);
}

/* KIND is as wide as the longest kind etcd has (auth_role_revoke_permission; v2 kinds are
 * cut to this width by the decoder); conf changes name their member in the detail only. */
#define KIND_W 27

static void table_entry(FILE *f, const ea_entry_item *it)
{
	const ea_entry_info *info = &it->info;
	const ea_wal_record *r = &it->log.item.rec;
	const ea_entry_header *e = &r->u.entry;
	char kind[128];   /* v2:<method> carries input bytes */
	fprintf(f, "%10" PRIu64 " %6" PRIu64 " %-*.*s %8zu %-4s %-11s ", e->index, e->term, KIND_W, KIND_W,
	        ea_text_str(kind, sizeof kind, info->kind), e->data_len, r->crc_ok < 0 ? "-" : r->crc_ok ? "ok" : "BAD",
	        ea_entry_state_label(it->state));
	if (info->key) print_key_text(f, info->key, info->key_len);
	else if (!info->range_end) fputc('-', f);
	if (info->range_end) { fputs("..", f); print_key_text(f, info->range_end, info->range_end_len); }
	if (info->detail && *info->detail) { fputs("  ", f); cli_text(f, info->detail); }
	fputc('\n', f);
}

/* the FILE column of `wal ls --records` is as wide as the longest segment name */
static int records_file_width(ea_wal *w)
{
	int fw = 4;
	for (size_t i = 0; w && i < ea_wal_segment_count(w); i++) {
		int l = (int)strlen(ea_wal_segment_at(w, i)->file);
		if (l > fw) fw = l < 200 ? l : 200;
	}
	return fw;
}

/* --no-crc is said in the output (tables) or on stderr (JSON, whose stream stays data only) */
static void no_crc_note(const wal_args *a)
{
	if (a->wopts.verify_crc) return;
	if (a->fmt == OUT_TABLE) printf("# CRC-32C not verified (--no-crc): the CRC column shows -, and bit rot goes unseen\n");
	else if (!a->quiet) fprintf(stderr, "etcd-autopsy wal: CRC-32C not verified (--no-crc)\n");
}

/* `wal ls`'s state over one stream (the entry iterator, or the replay driving it). */
typedef struct {
	const wal_args *a;
	const char *path;
	ea_log *log;
	ea_json j;
	cli_problems cp;
	int fw;
	uint64_t listed, records;
	ea_problem first;                   /* the first problem, to tell "not a WAL" from damage */
	char first_kind[64], first_file[512];
	int have_first;
	int rewind;                         /* the replay read the log: rewind before the plain stream */
	ea_walltime *wt;                    /* the time anchors (JSON, --since/--until), else NULL */
} ls_ctx;

/* One stream item; ri: the replay's facts of an entry (JSON with a db), else NULL. */
static int ls_item(ls_ctx *c, const ea_entry_item *it, const ea_replay_item *ri)
{
	const wal_args *a = c->a;
	const ea_log_item *li = &it->log;
	if (li->item.kind == EA_WAL_ITEM_PROBLEM) {
		if (!c->have_first && li->item.problem.severity != EA_SEV_INFO) {
			c->first = li->item.problem;   /* strings live as long as the log (problem owned by the reader) */
			snprintf(c->first_kind, sizeof c->first_kind, "%s", c->first.kind);
			snprintf(c->first_file, sizeof c->first_file, "%s", c->first.file ? c->first.file : c->path);
			c->first.kind = c->first_kind;
			c->first.file = c->first_file;
			c->first.message = "";
			c->have_first = 1;
		}
		cli_problem_seen(&c->cp, &li->item.problem);
		if (a->fmt == OUT_JSON) ea_json_problem_line(&c->j, &li->item.problem);
		else cli_problem_table(stdout, &li->item.problem);
		return EA_OK;
	}
	const ea_wal_record *r = &li->item.rec;
	c->records++;
	int is_entry = it->is_entry;
	if (is_entry && (r->u.entry.index < a->from || r->u.entry.index > a->to)) return EA_OK;
	if (a->records) {
		if (!is_entry && (a->from > 0 || a->to < UINT64_MAX)) return EA_OK;
		if (a->fmt == OUT_JSON) json_record(&c->j, r); else table_record(stdout, r, c->fw);
		c->listed += is_entry;
		return EA_OK;
	}
	if (!is_entry) return EA_OK;
	char pmsg[512];
	ea_problem ap;
	if (ea_entry_apply_problem(li, &it->info, ea_log_commit_index(c->log), pmsg, sizeof pmsg, &ap)) {
		cli_problem_seen(&c->cp, &ap);
		if (a->fmt == OUT_JSON) ea_json_problem_line(&c->j, &ap); else cli_problem_table(stdout, &ap);
	}
	if (a->kind && strcmp(a->kind, it->info.kind) != 0) return EA_OK;
	ea_k8s_object ko;
	const ea_k8s_object *kp = NULL;
	if (it->info.key && ea_k8s_decode(a->k8s.k, it->info.key, it->info.key_len, it->info.value, it->info.value_len, &ko))
		kp = &ko;
	if (!cli_k8s_match(&a->k8s, kp)) return EA_OK;
	ea_walltime_est te;
	ea_walltime_entry(c->wt, r->u.entry.index, li->superseded, &te);
	if (!cli_window_keep(&a->win, te.lo_us, te.hi_us)) return EA_OK;
	c->listed++;
	if (a->fmt == OUT_JSON) json_entry(&c->j, it, ri, kp, c->wt ? &te : NULL); else table_entry(stdout, it);
	return EA_OK;
}

static int ls_record_cb(const ea_entry_item *it, void *arg) { return ls_item(arg, it, NULL); }

/* `wal ls -w json` on an input with a db: the replay (ea_replay) drives the one stream, so each
 * entry gets its revision; EA_ENOTFOUND (nothing read yet) when there is no db or no replay. */
static int ls_replay(ls_ctx *c, ea_input *in)
{
	ea_mvcc *db = NULL;
	ea_replay *r = NULL;
	ea_error err = { 0 };
	ea_mvcc_options mo = EA_MVCC_OPTIONS_INIT;
	if (ea_mvcc_open(&db, in, &mo, &err)) return EA_ENOTFOUND;
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	ro.on_record = ls_record_cb;
	ro.arg = c;
	ro.entries_only = 1;
	ro.no_db_check = 1;   /* it prints revision and txn.applied, not the comparison */
	c->rewind = 1;
	int rc = ea_replay_new(&r, c->log, db, &ro, &err);
	if (rc) { ea_mvcc_close(db); return EA_ENOTFOUND; }
	const ea_replay_item *ri;
	while ((rc = ea_replay_next(&ri, r)) == EA_OK)
		if (ri->entry && (rc = ls_item(c, ri->entry, ri))) break;
	ea_replay_free(r);
	ea_mvcc_close(db);
	return rc;
}

static int wal_ls(const char *path, const wal_args *a)
{
	ea_error err = { 0 };
	ea_input *in;
	int rc = ea_input_open(&in, path, &err);
	if (rc) { cli_print_error("wal ls", path, rc, &err); return EXIT_USAGE; }
	ea_log *log;
	ea_walltime *wt = NULL;   /* the time anchors, gathered by the log's first pass */
	int times = !a->records && (a->fmt == OUT_JSON || a->win.given);
	rc = times ? ea_walltime_new(&wt) : EA_OK;
	if (!rc) rc = times ? ea_log_open_walltime(&log, in, &a->wopts, wt, a->k8s.k, &err) : ea_log_open(&log, in, &a->wopts, &err);
	if (rc) { cli_print_error("wal ls", path, rc, &err); ea_walltime_free(wt); ea_input_close(in); return EXIT_USAGE; }

	ls_ctx c = { .a = a, .path = path, .log = log, .cp = { .quiet = a->quiet }, .wt = wt };
	ea_json_init(&c.j, stdout);
	for (size_t i = 0; i < ea_input_problem_count(in); i++) {
		const ea_problem *p = ea_input_problem_at(in, i);
		cli_problem_seen(&c.cp, p);
		if (a->fmt == OUT_JSON) ea_json_problem_line(&c.j, p); else cli_problem_table(stdout, p);
	}
	no_crc_note(a);
	c.fw = records_file_width(ea_log_wal(log));
	if (a->fmt == OUT_TABLE) {
		if (a->records) printf("%-*s %10s %-9s %8s %-4s %s\n", c.fw, "FILE", "OFFSET", "TYPE", "LENGTH", "CRC", "DETAIL");
		else printf("%10s %6s %-*s %8s %-4s %-11s %s\n", "INDEX", "TERM", KIND_W, "KIND", "SIZE", "CRC", "STATE", "KEY");
	}
	rc = a->fmt == OUT_JSON && !a->records ? ls_replay(&c, in) : EA_ENOTFOUND;
	if (rc == EA_ENOTFOUND && c.records == 0 && !c.have_first) {
		ea_entry_iter *iter;   /* proposers named by every member ID of the WAL, whatever --from says */
		if ((c.rewind && ea_log_rewind(log, &err)) || ea_entry_iter_new(&iter, log, NULL)) { ea_log_close(log); ea_input_close(in); return EXIT_USAGE; }
		const ea_entry_item *it;
		while ((rc = ea_entry_iter_next(&it, iter)) == EA_OK)
			if ((rc = ls_item(&c, it, NULL))) break;
		ea_entry_iter_free(iter);
	}
	int code = cli_exit_code(&c.cp);
	if (rc == EA_ITEROVER && cli_wal_not_wal(c.records, c.have_first ? &c.first : NULL)) {
		fflush(stdout);
		cli_print_not_wal("wal ls", path, &c.first);
		code = EXIT_USAGE;
		c.cp.quiet = 1;   /* the one line above says it all */
	}
	if (rc != EA_ITEROVER) {
		fprintf(stderr, "etcd-autopsy wal ls: %s: %s\n", path, ea_strerror(rc));
		code = EXIT_USAGE;
	}
	fflush(stdout);
	if (code != EXIT_USAGE && a->filtered && c.listed == 0 && !a->quiet)
		fprintf(stderr, "etcd-autopsy wal ls: %s: no entry matches the filters\n", path);
	cli_problems_summary(&c.cp, path);
	ea_walltime_free(c.wt);
	ea_log_close(log);
	ea_input_close(in);
	return code;
}

static void stat_json(const ea_wal_summary *s, ea_wal *w, ea_input *in, const ea_wal_versions *ver)
{
	ea_json j;
	ea_json_init(&j, stdout);
	ea_json_object_begin(&j);
	ea_json_key(&j, "member_id"); if (s->have_metadata) ea_json_hex(&j, s->member_id); else ea_json_null(&j);
	ea_json_key(&j, "cluster_id"); if (s->have_metadata) ea_json_hex(&j, s->cluster_id); else ea_json_null(&j);
	ea_json_key(&j, "wal_dir"); ea_json_str(&j, ea_wal_dir(w));
	ea_json_key(&j, "first_index"); if (s->have_entries) ea_json_u64(&j, s->first_index); else ea_json_null(&j);
	ea_json_key(&j, "last_index"); if (s->have_entries) ea_json_u64(&j, s->last_index); else ea_json_null(&j);
	ea_json_key(&j, "last_term"); if (s->have_entries) ea_json_u64(&j, s->last_term); else ea_json_null(&j);
	ea_json_key(&j, "term_range");
	if (s->have_entries) {
		ea_json_object_begin(&j);
		ea_json_key(&j, "min"); ea_json_u64(&j, s->min_term);
		ea_json_key(&j, "max"); ea_json_u64(&j, s->max_term);
		ea_json_object_end(&j);
	} else ea_json_null(&j);
	ea_json_key(&j, "hard_state");
	if (s->have_hard_state) {
		ea_json_object_begin(&j);
		ea_json_key(&j, "term"); ea_json_u64(&j, s->hard_state.term);
		ea_json_key(&j, "vote"); ea_json_hex(&j, s->hard_state.vote);
		ea_json_key(&j, "commit"); ea_json_u64(&j, s->hard_state.commit);
		ea_json_object_end(&j);
	} else ea_json_null(&j);
	ea_json_key(&j, "entries"); ea_json_u64(&j, s->entries);
	ea_json_key(&j, "superseded"); ea_json_u64(&j, s->superseded);
	ea_json_key(&j, "records");
	ea_json_object_begin(&j);
	for (int t = 1; t <= 5; t++) { ea_json_key(&j, ea_wal_record_type_name(t)); ea_json_u64(&j, s->records[t]); }
	ea_json_key(&j, "unknown"); ea_json_u64(&j, s->records[0]);
	ea_json_key(&j, "total"); ea_json_u64(&j, s->records_total);
	ea_json_object_end(&j);
	ea_json_key(&j, "segments");
	ea_json_array_begin(&j);
	for (size_t i = 0; i < ea_wal_segment_count(w); i++) {
		const ea_wal_segment *g = ea_wal_segment_at(w, i);
		ea_json_object_begin(&j);
		ea_json_key(&j, "file"); ea_json_str(&j, g->file);
		ea_json_key(&j, "seq"); ea_json_u64(&j, g->seq);
		ea_json_key(&j, "first_index"); ea_json_u64(&j, g->first_index);
		ea_json_key(&j, "size"); ea_json_u64(&j, g->size);
		ea_json_key(&j, "used_bytes"); ea_json_u64(&j, g->used_bytes);
		ea_json_key(&j, "records"); ea_json_u64(&j, g->records);
		ea_json_object_end(&j);
	}
	ea_json_array_end(&j);
	ea_json_key(&j, "snapshot_records"); ea_json_u64(&j, s->snapshot_count);
	ea_json_key(&j, "snapshots");
	ea_json_array_begin(&j);
	for (size_t i = 0; i < s->snapshots_kept; i++) {
		ea_json_object_begin(&j);
		ea_json_key(&j, "index"); ea_json_u64(&j, s->snapshots[i].index);
		ea_json_key(&j, "term"); ea_json_u64(&j, s->snapshots[i].term);
		ea_json_key(&j, "file"); ea_json_str(&j, ea_wal_segment_at(w, s->snapshots[i].segment)->file);
		ea_json_key(&j, "offset"); ea_json_u64(&j, s->snapshots[i].offset);
		ea_json_object_end(&j);
	}
	ea_json_array_end(&j);
	ea_json_key(&j, "problems");
	ea_json_array_begin(&j);
	for (size_t i = 0; i < s->problem_count; i++) ea_json_problem(&j, &s->problems[i].p);
	ea_json_array_end(&j);
	ea_json_key(&j, "problems_dropped"); ea_json_u64(&j, s->problems_dropped);
	cli_wal_version_facts(in, s, ver, &j);
	ea_json_object_end(&j);
	ea_json_newline(&j);
}

static void stat_table(const ea_wal_summary *s, ea_wal *w, ea_input *in, const ea_wal_versions *ver)
{
	if (s->have_metadata) {
		printf("member_id     %" PRIx64 "\n", s->member_id);
		printf("cluster_id    %" PRIx64 "\n", s->cluster_id);
	} else {
		printf("member_id     (no metadata record read)\n");
	}
	char tb[1024];   /* paths from the input: escaped for the terminal */
	printf("wal dir       %s\n", *ea_wal_dir(w) ? ea_text_str(tb, sizeof tb, ea_wal_dir(w)) : ".");
	printf("segments      %zu\n", ea_wal_segment_count(w));
	printf("  %6s %18s %12s %12s %10s %8s  %s\n", "SEQ", "FIRST_INDEX", "SIZE", "USED", "", "RECORDS", "FILE");
	for (size_t i = 0; i < ea_wal_segment_count(w); i++) {
		const ea_wal_segment *g = ea_wal_segment_at(w, i);
		char h[32];
		printf("  %6" PRIu64 " %18" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10s %8" PRIu64 "  %s\n", g->seq,
		       g->first_index, g->size, g->used_bytes, cli_human_bytes(h, sizeof h, g->used_bytes), g->records, ea_text_str(tb, sizeof tb, g->file));
	}
	printf("records       %" PRIu64 " (metadata %" PRIu64 ", entry %" PRIu64 ", state %" PRIu64
	       ", crc %" PRIu64 ", snapshot %" PRIu64 ", unknown %" PRIu64 ")\n",
	       s->records_total, s->records[1], s->records[2], s->records[3], s->records[4], s->records[5],
	       s->records[0]);
	if (s->have_entries) {
		printf("index range   %" PRIu64 "..%" PRIu64 "\n", s->first_index, s->last_index);
		printf("last term     %" PRIu64 " (terms seen %" PRIu64 "..%" PRIu64 ")\n", s->last_term,
		       s->min_term, s->max_term);
	} else {
		printf("index range   (no entries)\n");
	}
	if (s->have_hard_state)
		printf("hard state    term=%" PRIu64 " vote=%" PRIx64 " commit=%" PRIu64 " (%" PRIu64 " state records)\n",
		       s->hard_state.term, s->hard_state.vote, s->hard_state.commit, s->hard_states);
	printf("snapshots     %zu WAL snapshot record%s", s->snapshot_count, s->snapshot_count == 1 ? "" : "s");
	if (s->snapshots_kept)
		printf(", last index=%" PRIu64 " term=%" PRIu64, s->snapshots[s->snapshots_kept - 1].index,
		       s->snapshots[s->snapshots_kept - 1].term);
	printf("\nsuperseded    %" PRIu64 " entr%s written and later overwritten by a new term\n",
	       s->superseded, s->superseded == 1 ? "y" : "ies");
	cli_wal_version_facts(in, s, ver, NULL);
	printf("problems      %zu\n", s->problem_count + s->problems_dropped);
	for (size_t i = 0; i < s->problem_count; i++) {
		fputs("  ", stdout);
		cli_problem_table(stdout, &s->problems[i].p);
	}
}

static int wal_stat(const char *path, const wal_args *a)
{
	ea_error err = { 0 };
	ea_input *in;
	int rc = ea_input_open(&in, path, &err);
	if (rc) { cli_print_error("wal stat", path, rc, &err); return EXIT_USAGE; }
	ea_wal_summary s;
	ea_wal *w = NULL;
	ea_wal_versions *ver = NULL;
	rc = ea_wal_versions_new(&ver);
	if (!rc) rc = ea_wal_summarize_versions(in, &a->wopts, &s, &w, ver, &err);
	if (rc) { cli_print_error("wal stat", path, rc, &err); ea_wal_versions_free(ver); ea_input_close(in); return EXIT_USAGE; }
	no_crc_note(a);
	const ea_problem *first = NULL;
	for (size_t i = 0; i < s.problem_count && !first; i++)
		if (s.problems[i].p.severity != EA_SEV_INFO) first = &s.problems[i].p;
	if (cli_wal_not_wal(s.records_total, first)) {
		cli_print_not_wal("wal stat", path, first);
		ea_wal_versions_free(ver);
		ea_wal_summary_free(&s);
		ea_wal_close(w);
		ea_input_close(in);
		return EXIT_USAGE;
	}
	if (a->fmt == OUT_JSON) stat_json(&s, w, in, ver); else stat_table(&s, w, in, ver);
	cli_problems cp = { .quiet = a->quiet };
	for (size_t i = 0; i < s.problem_count; i++) cli_problem_seen(&cp, &s.problems[i].p);
	fflush(stdout);
	cli_problems_summary(&cp, path);
	ea_wal_versions_free(ver);
	ea_wal_summary_free(&s);
	ea_wal_close(w);
	ea_input_close(in);
	return cli_exit_code(&cp);
}

/* A filter that can never match, or an option the verb ignores, is a usage error. */
static int wal_filters_ok(const char *verb, const wal_args *a)
{
	if (strcmp(verb, "stat") == 0 && a->win.given) {
		fprintf(stderr, "etcd-autopsy wal stat: --since and --until apply to wal ls\n");
		return -1;
	}
	if (a->records && a->win.given) {
		fprintf(stderr, "etcd-autopsy wal ls: --since and --until select entries; --records lists every record\n");
		return -1;
	}
	if (cli_window_check(&a->win, "wal ls")) return -1;
	if (strcmp(verb, "stat") == 0 && (a->filtered || a->records || a->k8s.given)) {
		fprintf(stderr, "etcd-autopsy wal stat: --from, --to, --kind, --records, --k8s-prefix, --resource and "
		        "--namespace apply to wal ls\n");
		return -1;
	}
	if (a->records && a->k8s.given) {
		fprintf(stderr, "etcd-autopsy wal ls: --k8s-prefix, --resource and --namespace select entries; --records lists every record\n");
		return -1;
	}
	if (a->from > a->to) {
		fprintf(stderr, "etcd-autopsy wal ls: --from %" PRIu64 " is above --to %" PRIu64 ": no index can match\n",
		        a->from, a->to);
		return -1;
	}
	if (a->kind && a->records) {
		fprintf(stderr, "etcd-autopsy wal ls: --kind selects entries; --records lists every record\n");
		return -1;
	}
	if (a->kind && !ea_entry_kind_known(a->kind)) {
		fprintf(stderr, "etcd-autopsy wal ls: unknown kind '%s'; kinds are:", a->kind);
		for (const char *const *k = ea_entry_kinds(); *k; k++) fprintf(stderr, " %s", *k);
		fprintf(stderr, " v2:METHOD (v2:PUT, v2:SYNC, ...)\n");
		return -1;
	}
	return 0;
}

/* ---- options (the option table: args.c) ---- */

static int set_num(const char *v, uint64_t *out, wal_args *a)
{
	if (cli_parse_u64(v, out)) { fprintf(stderr, "etcd-autopsy wal: '%s' is not a number\n", v); return -1; }
	a->filtered = 1;
	return 0;
}
static int set_from(cli_args *c, const char *v) { wal_args *a = c->own; return set_num(v, &a->from, a); }
static int set_to(cli_args *c, const char *v) { wal_args *a = c->own; return set_num(v, &a->to, a); }
static int set_records(cli_args *c, const char *v) { (void)v; ((wal_args *)c->own)->records = 1; return 0; }
static int set_kind(cli_args *c, const char *v) { wal_args *a = c->own; a->kind = v; a->filtered = 1; return 0; }
static int set_no_crc(cli_args *c, const char *v) { (void)v; ((wal_args *)c->own)->wopts.verify_crc = 0; return 0; }

static int set_k8s_prefix(cli_args *c, const char *v) { return cli_k8s_set(&((wal_args *)c->own)->k8s, "wal", "k8s-prefix", v); }
static int set_k8s_filter(wal_args *a, const char *opt, const char *v)
{
	a->filtered = 1;
	return cli_k8s_set(&a->k8s, "wal", opt, v);
}
static int set_window(cli_args *c, const char *opt, const char *v)
{
	wal_args *a = c->own;
	a->filtered = 1;
	return cli_window_set(&a->win, "wal", opt, v);
}
static int set_since(cli_args *c, const char *v) { return set_window(c, "since", v); }
static int set_until(cli_args *c, const char *v) { return set_window(c, "until", v); }
static int set_resource(cli_args *c, const char *v) { return set_k8s_filter(c->own, "resource", v); }
static int set_namespace(cli_args *c, const char *v) { return set_k8s_filter(c->own, "namespace", v); }
static const cli_row wal_rows[] = {
	{ "records", 0, 0, set_records }, { "from", 0, 1, set_from }, { "to", 0, 1, set_to },
	{ "kind", 0, 1, set_kind }, { "no-crc", 0, 0, set_no_crc }, { "k8s-prefix", 0, 1, set_k8s_prefix },
	{ "resource", 0, 1, set_resource }, { "namespace", 0, 1, set_namespace },
	{ "since", 0, 1, set_since }, { "until", 0, 1, set_until }, { NULL, 0, 0, NULL }
};
static const cli_command wal_cmd = { "wal", wal_help, CLI_W | CLI_Q, wal_rows, 0 };

int cmd_wal(int argc, char **argv)
{
	static const char *const verbs[] = { "ls", "stat", NULL };
	int code;
	if (cli_verb(argc, argv, &wal_cmd, verbs, &code) < 0) return code;
	const char *verb = argv[1];
	wal_args a = { .from = 0, .to = UINT64_MAX, .fmt = OUT_TABLE };
	ea_wal_options def = EA_WAL_OPTIONS_INIT;
	a.wopts = def;
	cli_args c;
	int go = cli_parse(&c, &wal_cmd, argc - 1, argv + 1, &a);
	if (go != CLI_GO) return go;
	a.fmt = c.fmt;
	a.quiet = c.quiet;
	if (c.p.npositional != 1) {
		fprintf(stderr, "etcd-autopsy wal %s: expected exactly one PATH (see --help)\n", verb);
		return EXIT_USAGE;
	}
	if (wal_filters_ok(verb, &a)) return EXIT_USAGE;
	if (strcmp(verb, "ls") != 0) return wal_stat(c.p.positional[0], &a);
	if (cli_k8s_open(&a.k8s, "wal ls")) return EXIT_USAGE;
	int rc = wal_ls(c.p.positional[0], &a);
	ea_k8s_free(a.k8s.k);
	return rc;
}
