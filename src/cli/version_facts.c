/* version_facts.c: the etcd version lines of `wal stat` and `db stat` (table and JSON): the
 * minimum etcd version the WAL needs as `etcdutl migrate` computes it, and the verdicts
 * "ready for 3.6" and "downgradable to the previous minor" with etcd's reasons. The facts
 * come from src/semantic/version.c and upgrade.c; this file only finds the inputs and prints. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct {
	ea_snap_list *snaps;
	const char *snap_file;           /* the .snap etcd would load, NULL if none */
	ea_wal_version_result r;
} facts;

static void facts_load(facts *f, ea_input *in, const ea_wal_summary *s, const ea_wal_versions *v)
{
	memset(f, 0, sizeof *f);
	ea_error err = { 0 };
	if (ea_snap_list_open(&f->snaps, in, 0, &err) != EA_OK) f->snaps = NULL;
	const ea_snap_info *snap = ea_snap_newest_available(f->snaps, s);
	f->snap_file = snap ? snap->file : NULL;
	ea_wal_versions_result(v, snap ? snap->index : 0, &f->r);
	ea_wal_versions_damage(s, &f->r);
}

static void facts_free(facts *f) { ea_snap_list_close(f->snaps); }

static void opt_str(ea_json *j, const char *key, const char *s)
{
	ea_json_key(j, key);
	if (s && *s) ea_json_str(j, s); else ea_json_null(j);
}

static void opt_u64(ea_json *j, const char *key, int have, uint64_t v)
{
	ea_json_key(j, key);
	if (have) ea_json_u64(j, v); else ea_json_null(j);
}

static void wal_json(ea_json *j, const facts *f)
{
	const ea_wal_version_result *r = &f->r;
	ea_json_key(j, "min_etcd_version"); ea_json_object_begin(j);
	opt_str(j, "version", r->version);
	opt_u64(j, "index", r->has_version, r->index);
	opt_str(j, "requires", r->what);
	opt_str(j, "source", r->source);
	ea_json_key(j, "after_index"); ea_json_u64(j, r->after_index);
	opt_str(j, "snap", f->snap_file);
	ea_json_key(j, "entries"); ea_json_u64(j, r->entries);
	ea_json_key(j, "error");
	if (r->read_fails) ea_json_str(j, r->read_error);
	else if (r->fails) {
		char b[256];
		snprintf(b, sizeof b, "entry %" PRIu64 ": %s: MinimalEtcdVersion panics", r->fail_index, r->fail_why);
		ea_json_str(j, b);
	} else ea_json_null(j);
	ea_json_object_end(j);
	ea_json_key(j, "v2_requests"); ea_json_object_begin(j);
	ea_json_key(j, "allowed"); ea_json_u64(j, r->v2_allowed);
	ea_json_key(j, "refused"); ea_json_u64(j, r->v2_refused);
	opt_u64(j, "first_refused", r->v2_refused != 0, r->v2_first_refused);
	ea_json_key(j, "undecodable"); ea_json_u64(j, r->v2_undecodable);
	ea_json_object_end(j);
}

static void min_version_text(const facts *f, char *b, size_t n)
{
	const ea_wal_version_result *r = &f->r;
	char from[160];
	if (f->snap_file) snprintf(from, sizeof from, "%" PRIu64 " entries after %s", r->entries, f->snap_file);
	else snprintf(from, sizeof from, "%" PRIu64 " entries, no .snap etcd would load", r->entries);
	if (r->read_fails) snprintf(b, n, "unknown: %s", r->read_error);
	else if (r->fails)
		snprintf(b, n, "unknown: entry %" PRIu64 ": %s (etcdutl migrate panics) [%s]", r->fail_index, r->fail_why, from);
	else if (r->incomplete) snprintf(b, n, "unknown: too many distinct versions [%s]", from);
	else if (!r->has_version) snprintf(b, n, "none (no entry carries a version annotation) [%s]", from);
	else snprintf(b, n, "%s (entry %" PRIu64 ": %s, %s) [%s]", r->version, r->index, r->what, r->source, from);
}

static void wal_table(const facts *f)
{
	char b[512];
	min_version_text(f, b, sizeof b);
	fputs("min etcd      ", stdout);
	cli_text(stdout, b);
	const ea_wal_version_result *r = &f->r;
	printf("\nv2 requests   %" PRIu64 " member attributes/cluster version PUT%s (etcd 3.6 replays them)", r->v2_allowed,
	       r->v2_allowed == 1 ? "" : "s");
	if (r->v2_refused)
		printf(", %" PRIu64 " other (first at %" PRIu64 "): etcd 3.6 panics replaying them", r->v2_refused,
		       r->v2_first_refused);
	putchar('\n');
}

void cli_wal_version_facts(ea_input *in, const ea_wal_summary *s, const ea_wal_versions *v, ea_json *j)
{
	facts f;
	facts_load(&f, in, s, v);
	if (j) wal_json(j, &f); else wal_table(&f);
	facts_free(&f);
}

/* ---- db stat ---- */

static const char *verdict(int v) { return v > 0 ? "yes" : v == 0 ? "no" : "cannot tell"; }

static void why_json(ea_json *j, const char *key, int v, const char (*lines)[224], size_t n)
{
	ea_json_key(j, key); ea_json_object_begin(j);
	ea_json_key(j, "verdict"); if (v < 0) ea_json_null(j); else ea_json_bool(j, v);
	ea_json_key(j, "why"); ea_json_array_begin(j);
	for (size_t i = 0; i < n && lines[i][0]; i++) ea_json_str(j, lines[i]);
	ea_json_array_end(j);
}

static void why_table(const char *label, int v, const char (*lines)[224], size_t n)
{
	printf("%-18s%s\n", label, verdict(v));
	for (size_t i = 0; i < n && lines[i][0]; i++) {
		fputs("  - ", stdout);
		cli_text(stdout, lines[i]);
		putchar('\n');
	}
}

void cli_db_version_facts(ea_input *in, const ea_mvcc_info *info, ea_json *j)
{
	ea_upgrade_report rep;
	if (ea_upgrade_read(in, info, &rep) != EA_OK) return;
	facts f = { NULL, rep.snap_file[0] ? rep.snap_file : NULL, rep.wal };
	int have_wal = rep.have_wal;
	const ea_upgrade_facts *u = &rep.facts;
	char label[72];
	if (u->downgrade_target[0]) snprintf(label, sizeof label, "downgrade to %s", u->downgrade_target);
	else snprintf(label, sizeof label, "downgrade");
	if (j) {
		ea_json_key(j, "versions"); ea_json_object_begin(j);
		if (have_wal) wal_json(j, &f);
		else { ea_json_key(j, "min_etcd_version"); ea_json_null(j); ea_json_key(j, "v2_requests"); ea_json_null(j); }
		why_json(j, "ready_for_3_6", u->ready36, u->ready36_why, 5); ea_json_object_end(j);
		why_json(j, "downgrade_to_previous_minor", u->downgrade, u->downgrade_why, 3);
		opt_str(j, "target", u->downgrade_target);
		ea_json_object_end(j);
		ea_json_object_end(j);
	} else {
		char b[512];
		if (have_wal) min_version_text(&f, b, sizeof b);
		else snprintf(b, sizeof b, "- (no WAL in this input)");
		fputs("wal min etcd      ", stdout);
		cli_text(stdout, b);
		putchar('\n');
		why_table("ready for 3.6", u->ready36, u->ready36_why, 5);
		why_table(label, u->downgrade, u->downgrade_why, 3);
	}
}
