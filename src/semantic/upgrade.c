/* upgrade.c: which .snap etcd starts from, and the two verdicts a user asks before changing
 * etcd's version on a data dir, each fact in etcd's own terms (etcd v3.6.14 unless said):
 *
 * Ready for 3.6 (what a 3.6 member does at start):
 *  - bootstrap.go recoverSnapshot: the newest available .snap's v2 store must hold only
 *    membership (v2store_check.c), else "detected disallowed custom content in v2store";
 *  - server.go applyEntryNormal -> apply_v2.go v2ToV3Request: a v2 request in the WAL after
 *    that .snap other than PUT of member attributes or /0/version panics ("detected
 *    disallowed v2 WAL"); `etcdutl check v2store` (3.5.18+) checks both;
 *  - schema.Validate: an undetected schema (no meta/term: written by 3.4 or older) only logs
 *    a warning at start, but every storage version update fails ("cannot detect storage
 *    schema version: missing term information") until a 3.5+ apply writes meta/term; a
 *    detected one needs a migration plan to 3.6 (from 3.5 or 3.6; 3.7 is "not supported").
 * Downgradable to the previous minor (etcdutl migrate --target-version X.Y-1):
 *  - migrate_command.go Config: a target below 3.5 is refused (exit 2);
 *  - DetectSchemaVersion must succeed; migration.go newPlan needs schemaChanges for the
 *    schema's minor (3.6 in 3.6's etcdutl, 3.6 and 3.7 in 3.7's);
 *  - schema.go UnsafeMigrate: the WAL's MinimalEtcdVersion (entries after the .snap) must
 *    not exceed the target ("cannot downgrade storage, WAL contains newer entries"). */
#include "etcd-autopsy/version.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const ea_snap_info *ea_snap_newest_available(const ea_snap_list *l, const ea_wal_summary *s)
{
	if (!l || !s) return NULL;
	uint64_t commit = s->have_hard_state ? s->hard_state.commit : 0;
	for (size_t i = ea_snap_list_count(l); i-- > 0;) {   /* snapNames: newest name first */
		const ea_snap_info *f = ea_snap_list_at(l, i);
		if (strcmp(f->kind, "snap") != 0 || f->crc_ok != 1 || !f->decoded) continue;
		for (size_t k = s->snapshots_kept; k-- > 0;)
			if (s->snapshots[k].index <= commit && s->snapshots[k].term == f->term && s->snapshots[k].index == f->index)
				return f;
	}
	return NULL;
}

static void line(char (*lines)[224], size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(char (*lines)[224], size_t n, const char *fmt, ...)
{
	for (size_t i = 0; i < n; i++) {
		if (lines[i][0]) continue;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lines[i], sizeof lines[i], fmt, ap);
		va_end(ap);
		return;
	}
}

#define R36(...) line(o->ready36_why, 5, __VA_ARGS__)
#define DG(...) line(o->downgrade_why, 3, __VA_ARGS__)

static void ready36(const ea_mvcc_info *db, const ea_snap_info *snap, int have_wal,
                    const ea_wal_version_result *w, ea_upgrade_facts *o)
{
	const ea_schema_result *s = &db->schema;
	int no = 0, unknown = 0;
	if (s->panics) { no = 1; R36("schema: %s", s->error); }
	else if (!s->ok) {
		no = 1;
		R36("schema: %s (no meta/term: etcd 3.4 or older wrote this db): etcd 3.6 starts with a warning, "
		    "but every storage version update fails until an etcd 3.5+ apply writes meta/term", s->error);
	} else if (s->major != 3 || s->minor < 5 || s->minor > 6) {
		no = 1;
		R36("schema %s: etcd 3.6 refuses to start (no migration plan from %" PRId64 ".%" PRId64 " to 3.6)",
		    s->version, s->major, s->minor);
	} else R36("schema %s: etcd 3.6 %s", s->version, s->minor == 5 ? "migrates it to 3.6 once the cluster version is 3.6" : "uses it as is");
	if (!snap && !have_wal) { unknown = 1; R36("v2 store: which .snap etcd loads depends on the WAL, not in this input"); }
	else if (!snap) R36("v2 store: no .snap etcd would load (it then replays the whole WAL)");
	else if (snap->v2_custom) {
		no = 1;
		R36("v2 store: %s holds custom content under %s: etcd 3.6 refuses to start (\"detected disallowed "
		    "custom content in v2store for stage --v2-deprecation=write-only\")", snap->file, snap->v2_custom_key);
	} else R36("v2 store: %s holds membership only", snap->file);
	if (!have_wal || !w) { unknown = 1; R36("WAL: not in this input; `wal stat` on the data dir checks its v2 requests"); }
	else if (w->read_fails) { unknown = 1; R36("WAL: %s", w->read_error); }
	else if (w->v2_refused) {
		no = 1;
		R36("WAL: %" PRIu64 " v2 request%s after index %" PRIu64 " other than member attributes/cluster version "
		    "(first at %" PRIu64 "): etcd 3.6 panics replaying it (\"detected disallowed v2 WAL\")", w->v2_refused,
		    w->v2_refused == 1 ? "" : "s", w->after_index, w->v2_first_refused);
	} else if (w->v2_undecodable) {
		no = 1;
		R36("WAL: entry %" PRIu64 " is neither an InternalRaftRequest nor a v2 Request: `etcdutl check v2store` "
		    "fails on it and etcd panics applying it", w->v2_first_undecodable);
	} else R36("WAL: after index %" PRIu64 ", %" PRIu64 " v2 request%s, all PUTs of member attributes or /0/version "
	           "(which etcd 3.6 replays)", w->after_index, w->v2_allowed, w->v2_allowed == 1 ? "" : "s");
	o->ready36 = no ? 0 : unknown ? -1 : 1;
}

static void downgrade(const ea_schema_result *s, int have_wal, const ea_wal_version_result *w, ea_upgrade_facts *o)
{
	if (s->panics || !s->ok) {
		o->downgrade = 0;
		DG("etcdutl migrate refuses: %s (it needs a schema etcd 3.6 can detect)", s->error);
		return;
	}
	snprintf(o->downgrade_target, sizeof o->downgrade_target, "%" PRId64 ".%" PRId64, s->major, s->minor - 1);
	if (s->major == 3 && s->minor - 1 < 5) {
		o->downgrade = 0;
		DG("etcdutl migrate refuses: target version \"%s\" not supported. Minimal \"3.5\" (an etcd %" PRId64
		   ".%" PRId64 " data dir goes back only by restoring a backup)", o->downgrade_target, s->major, s->minor);
		return;
	}
	if (s->major != 3 || s->minor > 7) {
		o->downgrade = -1;
		DG("schema %s: no etcdutl this tool knows migrates it", s->version);
		return;
	}
	DG("schema %s to %s: etcdutl %s's migration plan exists", s->version, o->downgrade_target,
	   s->minor == 6 ? "3.6" : "3.7");
	if (!have_wal || !w) { o->downgrade = -1; DG("WAL: not in this input (etcdutl migrate reads it)"); return; }
	if (w->read_fails) { o->downgrade = 0; DG("WAL: %s: etcdutl migrate fails (\"failed to read wal\")", w->read_error); return; }
	if (w->fails) {
		o->downgrade = 0;
		DG("WAL: entry %" PRIu64 ": %s: etcdutl migrate panics (MinimalEtcdVersion)", w->fail_index, w->fail_why);
		return;
	}
	if (w->incomplete) { o->downgrade = -1; DG("WAL: too many distinct versions to compare"); return; }
	/* target.LessThan(*minVersion), target = X.Y-1.0 */
	int64_t tm = s->minor - 1;
	int newer = w->has_version && (w->major != s->major ? w->major > s->major :
	                               w->minor != tm ? w->minor > tm : w->patch > 0);
	if (newer) {
		o->downgrade = 0;
		DG("WAL: entry %" PRIu64 " needs etcd %s (%s): etcdutl migrate refuses (\"cannot downgrade storage, WAL "
		   "contains newer entries\")", w->index, w->version, w->what);
	} else {
		o->downgrade = 1;
		DG("WAL: entries after index %" PRIu64 " need etcd %s at most: etcdutl migrate would rewrite the schema",
		   w->after_index, w->has_version ? w->version : "(no version)");
	}
}

void ea_upgrade_assess(const ea_mvcc_info *db, const ea_snap_info *snap, int have_wal,
                       const ea_wal_version_result *w, ea_upgrade_facts *o)
{
	memset(o, 0, sizeof *o);
	ready36(db, snap, have_wal, w, o);
	downgrade(&db->schema, have_wal, w, o);
}

void ea_upgrade_from(ea_input *in, const ea_wal_summary *s, const ea_wal_versions *v,
                     const ea_mvcc_info *db, ea_upgrade_report *out)
{
	memset(out, 0, sizeof *out);
	out->have_wal = s && v;
	const ea_snap_info *snap = NULL;
	ea_snap_list *snaps = NULL;
	if (out->have_wal) {
		ea_error err = { 0 };
		if (ea_snap_list_open(&snaps, in, 0, &err) != EA_OK) snaps = NULL;
		snap = ea_snap_newest_available(snaps, s);
		if (snap) snprintf(out->snap_file, sizeof out->snap_file, "%s", snap->file);
		ea_wal_versions_result(v, snap ? snap->index : 0, &out->wal);
		ea_wal_versions_damage(s, &out->wal);
	}
	ea_upgrade_assess(db, snap, out->have_wal, out->have_wal ? &out->wal : NULL, &out->facts);
	ea_snap_list_close(snaps);
}

int ea_upgrade_read(ea_input *in, const ea_mvcc_info *db, ea_upgrade_report *out)
{
	memset(out, 0, sizeof *out);
	ea_wal_versions *v = NULL;
	if (ea_wal_versions_new(&v) != EA_OK) return EA_ENOMEM;
	ea_wal_summary s;
	ea_wal *w = NULL;
	ea_error err = { 0 };
	ea_wal_options o = EA_WAL_OPTIONS_INIT;
	int have_wal = ea_wal_summarize_versions(in, &o, &s, &w, v, &err) == EA_OK;
	if (have_wal) ea_wal_close(w);
	ea_upgrade_from(in, have_wal ? &s : NULL, have_wal ? v : NULL, db, out);
	if (have_wal) ea_wal_summary_free(&s);
	ea_wal_versions_free(v);
	return EA_OK;
}
