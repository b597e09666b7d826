/* verify.c: restorability of a backup or data dir (see verify.h).
 *
 * not-restorable: the SHA-256 trailer does not match (etcdctl snapshot restore refuses it),
 *   the db cannot be opened or its structure check fails (snapshot status aborts on any
 *   check error), the WAL of a data dir is damaged before its commit index, or no usable
 *   snapshot covers the start of a WAL whose first segments were purged, or a db that differs
 *   from what its own WAL makes of it (the replay: corrupted state a restore would bring back).
 *   A data dir whose WAL is missing, unreadable or holds no record, a WAL segment that is
 *   empty (a failed copy: etcd panics when every segment is, and silently loses what an
 *   empty last one held), a file or directory of the copy that cannot be read, a db that
 *   is missing where etcd needs it (a .snap to recover from).
 * Every data dir also gets one reason saying what a restore from it would lose.
 * restorable-with-warnings: no trailer (a raw db copy: restore needs --skip-hash-check), an
 *   interrupted compaction, a member whose HashKV at the backup's revision differs, a torn
 *   tail after the commit index, a db behind the last snapshot. */
#include "etcd-autopsy/verify.h"
#include "hash_compare.h"
#include "diff_replay.h"
#include "etcd-autopsy/snap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const restorability_names[] = { "restorable", "restorable-with-warnings", "not-restorable" };

const char *ea_restorability_name(ea_restorability r)
{
	return (unsigned)r < sizeof restorability_names / sizeof restorability_names[0] ? restorability_names[r] : "unknown";
}

static void reason(ea_verify_result *v, ea_restorability level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reason(ea_verify_result *v, ea_restorability level, const char *fmt, ...)
{
	if (level > v->verdict) v->verdict = level;
	if (v->nreasons == EA_VERIFY_MAX_REASONS) return;
	v->reasons[v->nreasons].severity = level == EA_NOT_RESTORABLE ? "error" : level ? "warning" : "info";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reasons[v->nreasons].text, sizeof v->reasons[v->nreasons].text, fmt, ap);
	va_end(ap);
	v->nreasons++;
}

static int count_member(const ea_mvcc_member *m, void *payload)
{
	if (!m->removed) (*(size_t *)payload)++;
	return 0;
}

/* A bbolt file is always whole pages, and an `etcdctl snapshot save` file is whole pages plus
 * its 32-byte trailer: an image that ends mid-page was cut short (a copy or transfer stopped),
 * whatever else is said about it. Its last 32 bytes may sit where a trailer would (size % 512 ==
 * 32, which etcd then checks), so the image is the file minus them in that case. */
static int cut_short(ea_bolt *b, ea_bolt_trailer_state ts, ea_verify_result *v)
{
	uint64_t size = ea_bolt_file_size(b), ps = ea_bolt_page_size(b);
	if (ps == 0 || ts == EA_BOLT_TRAILER_OK) return 0;
	uint64_t img = ts == EA_BOLT_TRAILER_MISMATCH ? size - 32 : size;
	if (img % ps == 0) return 0;
	uint64_t missing = ps - img % ps;
	char what[96] = "";
	if (ts == EA_BOLT_TRAILER_MISMATCH)
		snprintf(what, sizeof what, " (the file's %" PRIu64 " bytes minus the 32 where a trailer would sit)", size);
	reason(v, EA_NOT_RESTORABLE, "the file was cut short: it ends mid-page, %" PRIu64 " bytes%s is not a multiple "
	       "of the page size %" PRIu64 " (page %" PRIu64 " is cut after %" PRIu64 " bytes, %" PRIu64
	       " bytes missing to the next page boundary)%s", img, what, ps, img / ps, img % ps, missing,
	       ts == EA_BOLT_TRAILER_MISMATCH ? "; the last 32 bytes are no SHA-256 trailer of it (etcdctl snapshot "
	       "restore refuses the file)" : " and it has no SHA-256 trailer: a partial copy, not a raw db copy or an "
	       "`etcdctl snapshot save` file");
	return 1;
}

/* `first` is the db's first problem as text, copied before anything could add a bolt problem
 * (the trailer check does: that reallocates the array ea_node_db(t)->first_problem points into). */
static void check_db(ea_node *t, ea_verify_result *v, const char *first)
{
	if (!ea_node_mvcc(t)) {
		reason(v, EA_NOT_RESTORABLE, "the db cannot be opened: %s", ea_node_db(t)->unreadable ? ea_node_db(t)->unreadable : "unknown");
		return;
	}
	ea_bolt *b = ea_mvcc_bolt(ea_node_mvcc(t));
	ea_bolt_trailer_state ts = EA_BOLT_TRAILER_ABSENT;
	if (ea_bolt_trailer(b, &ts, NULL, NULL) == EA_OK) v->sha256_trailer = ea_bolt_trailer_name(ts);
	if (cut_short(b, ts, v))
		;
	else if (ts == EA_BOLT_TRAILER_MISMATCH)
		reason(v, EA_NOT_RESTORABLE, "the SHA-256 trailer does not match the image: the file was changed or "
		       "damaged after `etcdctl snapshot save` (snapshot restore refuses it)");
	else if (ts == EA_BOLT_TRAILER_ABSENT && strcmp(v->kind, "data-dir") != 0)
		reason(v, EA_RESTORABLE_WITH_WARNINGS, "no SHA-256 trailer: a raw db copy, not an `etcdctl snapshot save` "
		       "file; `snapshot restore` needs --skip-hash-check and nothing proves it is intact");
	else if (ts == EA_BOLT_TRAILER_OK)
		reason(v, EA_RESTORABLE, "SHA-256 trailer matches (transport integrity; it does not prove the content "
		       "was right when saved)");
	v->db_problems = ea_node_db(t)->problems;
	if (ea_node_db(t)->problems) {
		if (ea_node_db(t)->errors)
			reason(v, EA_NOT_RESTORABLE, "%zu error%s in the bbolt structure (etcdctl snapshot status would abort); "
			       "first: %s", ea_node_db(t)->errors, ea_node_db(t)->errors == 1 ? "" : "s", first);
		else
			reason(v, EA_RESTORABLE_WITH_WARNINGS, "%zu warning%s in the bbolt structure; first: %s",
			       ea_node_db(t)->problems, ea_node_db(t)->problems == 1 ? "" : "s", first);
	}
	ea_mvcc_info info;
	if (ea_mvcc_info_scan(ea_node_mvcc(t), &info) == EA_OK) {
		v->revision = info.revision;
		v->compact_revision = info.compact_revision;
		v->consistent_index = info.have_consistent_index ? info.consistent_index : 0;
		if (info.compaction_interrupted)
			reason(v, EA_RESTORABLE_WITH_WARNINGS, "a compaction to revision %" PRId64 " was interrupted "
			       "(scheduled > finished); etcd resumes it at startup", info.scheduled_compact_revision);
	}
	ea_mvcc_members(ea_node_mvcc(t), count_member, &v->members);
	if (v->members == 0)
		reason(v, EA_RESTORABLE_WITH_WARNINGS, "no members in the db's members bucket");
	ea_hashkv_result h;
	ea_error e;
	if (ea_mvcc_hashkv(ea_node_mvcc(t), 0, &h, &e) == EA_OK) {
		v->hash = h.hash;
		v->hash_ok = 1;
	}
	ea_snapshot_status ss;
	if (ea_mvcc_snapshot_status(ea_node_mvcc(t), &ss) == EA_OK) {
		v->snapshot_hash = ss.hash;
		v->total_key = ss.total_key;
		v->total_size = ss.total_size;
	}
}

static int empty_segments(ea_node *t, ea_verify_result *v);

/* etcd ReadAll from the newest usable .snap: one whose (term, index) matches a WAL snapshot
 * record at or below the commit index, with the segments covering it still present. */
static void check_data_dir(ea_node *t, ea_verify_result *v)
{
	size_t errs_before_commit = 0;
	const ea_problem *first = NULL;
	for (size_t i = 0; i < ea_node_wal(t)->summary.problem_count; i++) {
		const ea_problem *p = &ea_node_wal(t)->summary.problems[i].p;
		if (p->severity != EA_SEV_ERROR || p->layer == EA_LAYER_SOURCE) continue;
		if (strcmp(p->kind, "empty-segment") == 0) continue;   /* its own reason */
		errs_before_commit++;
		if (!first) first = p;
	}
	if (errs_before_commit)
		reason(v, EA_NOT_RESTORABLE, "%zu error%s in the WAL (etcd refuses to start on them); first: %s %s+%" PRIu64 ": %s",
		       errs_before_commit, errs_before_commit == 1 ? "" : "s", first->kind, first->file ? first->file : "-",
		       first->offset == EA_NO_OFFSET ? 0 : first->offset, first->message);
	for (size_t i = 0; i < ea_node_wal(t)->summary.problem_count; i++)
		if (strcmp(ea_node_wal(t)->summary.problems[i].p.kind, "torn-tail") == 0)
			reason(v, EA_RESTORABLE_WITH_WARNINGS, "torn tail in the WAL: etcd truncates it at startup; entries "
			       "after %" PRIu64 " that were not committed are lost", ea_node_wal(t)->summary.hard_state.commit);
	if (!ea_node_wal(t)->nsegments) return;
	if (empty_segments(t, v)) return;
	int from_zero = ea_node_wal(t)->segments[0].seq == 0;
	/* newest usable snapshot */
	uint64_t usable = 0;
	int have_usable = 0;
	ea_snap_list *sl = NULL;
	ea_error e;
	if (ea_snap_list_open(&sl, ea_node_input(t), 64u << 20, &e) == EA_OK) {
		for (size_t i = 0;; i++) {
			const ea_snap_info *si = ea_snap_list_at(sl, i);
			if (!si) break;
			if (strcmp(si->kind, "snap") != 0 || si->crc_ok != 1 || !si->decoded) continue;
			if (si->index > ea_node_wal(t)->summary.hard_state.commit) continue;
			for (size_t k = 0; k < ea_node_wal(t)->summary.snapshots_kept; k++)
				if (ea_node_wal(t)->summary.snapshots[k].index == si->index && ea_node_wal(t)->summary.snapshots[k].term == si->term &&
				    (!have_usable || si->index > usable)) {
					usable = si->index;
					have_usable = 1;
				}
		}
		ea_snap_list_close(sl);
	}
	if (have_usable) {
		int covered = 0;
		for (size_t s = 0; s < ea_node_wal(t)->nsegments; s++) covered |= ea_node_wal(t)->segments[s].first_index <= usable;
		if (!covered)
			reason(v, EA_NOT_RESTORABLE, "the newest usable snapshot (index %" PRIu64 ") is older than the first WAL "
			       "segment (index %" PRIu64 "): the entries in between are gone", usable, ea_node_wal(t)->segments[0].first_index);
		else
			reason(v, EA_RESTORABLE, "the WAL replays from snapshot index %" PRIu64 " to commit %" PRIu64,
			       usable, ea_node_wal(t)->summary.hard_state.commit);
		if (!ea_node_db(t)->present)
			reason(v, EA_NOT_RESTORABLE, "%s; etcd loads snapshot %" PRIu64 " and then needs a db at least that "
			       "new (it fails with \"failed to find database snapshot file\")", ea_node_missing(t), usable);
		if (ea_node_db(t)->present && ea_node_mvcc(t) && ea_node_db(t)->consistent_index < usable)
			reason(v, EA_RESTORABLE_WITH_WARNINGS, "the db's consistent index %" PRIu64 " is behind the snapshot "
			       "index %" PRIu64, ea_node_db(t)->consistent_index, usable);
	} else if (!from_zero) {
		reason(v, EA_NOT_RESTORABLE, "the first WAL segment starts at seq %" PRIu64 " (index %" PRIu64 ") and no "
		       ".snap file matching a WAL snapshot record covers it: etcd cannot replay this WAL",
		       ea_node_wal(t)->segments[0].seq, ea_node_wal(t)->segments[0].first_index);
	} else {
		reason(v, EA_RESTORABLE, "the WAL replays from index 0 to commit %" PRIu64, ea_node_wal(t)->summary.hard_state.commit);
		if (!ea_node_db(t)->present)
			reason(v, EA_RESTORABLE_WITH_WARNINGS, "%s; etcd would rebuild the key-value state by replaying the "
			       "whole WAL (index 1 to %" PRIu64 ") into a new db", ea_node_missing(t), ea_node_wal(t)->summary.hard_state.commit);
	}
}

/* A segment of 0 bytes, or of zeros only (the reader said so). */
static int seg_empty(const ea_node *t, size_t s)
{
	if (ea_node_wal(t)->segments[s].size == 0) return 1;
	if (ea_node_wal(t)->segments[s].used) return 0;
	for (size_t i = 0; i < ea_node_wal(t)->summary.problem_count; i++)   /* zeros only */
		if (strcmp(ea_node_wal(t)->summary.problems[i].p.kind, "empty-segment") == 0 && ea_node_wal(t)->summary.problems[i].p.file &&
		    strcmp(ea_node_wal(t)->summary.problems[i].p.file, ea_node_wal(t)->segments[s].file) == 0) return 1;
	return 0;
}

static size_t count_empty(const ea_node *t, size_t *first)
{
	size_t empty = 0;
	for (size_t s = 0; s < ea_node_wal(t)->nsegments; s++)
		if (seg_empty(t, s) && !empty++ && first) *first = s;
	return empty;
}

/* Empty segments (a failed copy): what etcd does with them, from running etcd 3.4 on such
 * copies. Returns 1 when the WAL holds no record at all (nothing left to check). */
static int empty_segments(ea_node *t, ea_verify_result *v)
{
	size_t fs = 0, empty = count_empty(t, &fs);
	if (ea_node_wal(t)->summary.records_total == 0) {
		reason(v, EA_NOT_RESTORABLE, "the WAL holds no record (%zu of %zu segments empty): etcd 3.4 panics on it "
		       "(\"cannot use none as id\"); the member's identity, HardState and log are not in this copy",
		       empty, ea_node_wal(t)->nsegments);
		return 1;
	}
	if (!empty) return 0;
	reason(v, EA_NOT_RESTORABLE, "%zu empty WAL segment%s (a failed copy; first %s): etcd 3.4 starts on such a copy "
	       "without a word and without what they held (entries from index %" PRIu64 " on); the log here ends at %" PRIu64,
	       empty, empty == 1 ? "" : "s", ea_node_wal(t)->segments[fs].file, ea_node_wal(t)->segments[fs].first_index, ea_node_wal(t)->summary.last_index);
	return 0;
}

/* member/snap/db, snap/db: the db of a data dir or member dir. */
static int in_snap_dir(const char *db_file)
{
	size_t n = db_file ? strlen(db_file) : 0;
	return n >= 7 && strcmp(db_file + n - 7, "snap/db") == 0 && (n == 7 || db_file[n - 8] == '/');
}

/* Files and directories of the copy that could not be read (errno text from the source). */
static void unreadable_parts(ea_node *t, ea_verify_result *v)
{
	for (size_t i = 0; i < ea_input_problem_count(ea_node_input(t)); i++) {
		const ea_problem *p = ea_input_problem_at(ea_node_input(t), i);
		if (p->severity != EA_SEV_ERROR) continue;
		reason(v, EA_NOT_RESTORABLE, "%s: %s (%s): this copy cannot be read completely", p->file ? p->file : "-",
		       p->message, p->kind);
	}
}

/* One reason: what a restore from this data dir would lose (or that it loses nothing). */
static void restore_loses(ea_node *t, ea_verify_result *v)
{
	char what[360] = "";
	size_t len = 0, unreadable = 0, empty = 0;
#define LOSES(...) do { if (len < sizeof what) { int w_ = snprintf(what + len, sizeof what - len, \
		"%s", len ? "; " : ""); if (w_ > 0) len += (size_t)w_; } \
		if (len < sizeof what) { int w_ = snprintf(what + len, sizeof what - len, __VA_ARGS__); \
		if (w_ > 0) len += (size_t)w_; } } while (0)
	for (size_t i = 0; i < ea_input_problem_count(ea_node_input(t)); i++)
		unreadable += ea_input_problem_at(ea_node_input(t), i)->severity == EA_SEV_ERROR;
	if (ea_node_wal(t)->present) empty = count_empty(t, NULL);
	if (!ea_node_wal(t)->present)
		LOSES("the raft log (member and cluster ID, HardState, entries not yet applied to the db)");
	if (!ea_node_db(t)->present)
		LOSES("the applied key-value state (the db)");
	if (empty)
		LOSES("what %zu empty WAL segment%s held", empty, empty == 1 ? "" : "s");
	if (ea_node_wal(t)->present && ea_node_db(t)->present && ea_node_mvcc(t) && ea_node_db(t)->consistent_index > ea_node_wal(t)->summary.last_index)
		LOSES("entries %" PRIu64 "..%" PRIu64 " that the db applied but the WAL does not hold",
		      ea_node_wal(t)->summary.last_index + 1, ea_node_db(t)->consistent_index);
	if (unreadable)
		LOSES("%zu file%s or director%s that cannot be read", unreadable, unreadable == 1 ? "" : "s",
		      unreadable == 1 ? "y" : "ies");
#undef LOSES
	if (len)
		reason(v, v->verdict, "a restore from this copy would lose: %s", what);
	else
		reason(v, EA_RESTORABLE, "a restore from this copy loses nothing it holds: the WAL replays to commit %" PRIu64
		       " (last index %" PRIu64 ") and the db has applied up to index %" PRIu64,
		       ea_node_wal(t)->summary.hard_state.commit, ea_node_wal(t)->summary.last_index, ea_node_db(t)->consistent_index);
}

/* The replay of member a's WAL against its own db: verdict and reason (or first difference). */
static void against_replay(ea_node *a, const char **verdict, char *why, size_t cap)
{
	ea__kvr_node *o = calloc(1, sizeof *o);
	if (!o) { snprintf(why, cap, "out of memory"); return; }
	ea__kv_replay_run(o, a);
	if (o->rc == EA_ENOTFOUND && !o->reason[0])
		snprintf(why, cap, "%s", ea_node_log(a) ? "no readable db" : "no WAL");
	else if (o->rc != EA_OK)
		snprintf(why, cap, "the replay failed: %.300s", o->reason);
	else {
		*verdict = ea_replay_verdict_name(o->verdict);
		if (o->verdict == EA_REPLAY_DB_DIVERGES && o->have_first)
			snprintf(why, cap, "first at index %" PRIu64 ", revision %" PRId64 ", key \"%.150s\", "
			         "leaf page %" PRIu64 ": %s", o->index, o->revision, o->key, o->page, o->result);
		else if (o->verdict == EA_REPLAY_DB_EQUALS_WAL)
			snprintf(why, cap, "entries %" PRIu64 "..%" PRIu64 ", last revision %" PRId64, o->first_index,
			         o->last_index, o->last_revision);
		else
			snprintf(why, cap, "%.300s", o->reason);
	}
	free(o);
}

/* A data dir's own replay (its WAL against its db, as `replay` does): a db that differs from
 * what its own WAL makes of it holds corrupted state, and a restore from it restores that state
 * (bbolt has no page checksums: nothing else would notice). The other verdicts are stated. */
static void own_replay(ea_node *t, ea_verify_result *v)
{
	ea__kvr_node *o = calloc(1, sizeof *o);
	if (!o) return;
	ea__kv_replay_run(o, t);
	if (o->rc != EA_OK) {
		if (o->rc != EA_ENOTFOUND)
			reason(v, EA_RESTORABLE, "the replay of the WAL against the db could not run: %.300s", o->reason);
	} else if (o->verdict == EA_REPLAY_DB_DIVERGES && o->have_first) {
		reason(v, EA_NOT_RESTORABLE, "the db differs from its own WAL (replay): first at index %" PRIu64 ", revision %"
		       PRId64 ", key \"%.150s\", leaf page %" PRIu64 ": %s; a restore from this copy restores that corrupted "
		       "state: restore from a member whose db equals its WAL", o->index, o->revision, o->key, o->page, o->result);
	} else if (o->verdict == EA_REPLAY_DB_DIVERGES) {
		reason(v, EA_NOT_RESTORABLE, "the db differs from its own WAL (replay): %.300s; a restore from this copy "
		       "restores that corrupted state", o->reason);
	} else if (o->verdict == EA_REPLAY_DB_EQUALS_WAL) {
		reason(v, EA_RESTORABLE, "the db equals what its own WAL makes of it (replay of entries %" PRIu64 "..%" PRIu64
		       ", last revision %" PRId64 ")", o->first_index, o->last_index, o->last_revision);
	} else {
		reason(v, EA_RESTORABLE, "replay of the WAL against the db: %s: %.300s", ea_replay_verdict_name(o->verdict),
		       o->reason);
	}
	free(o);
}

int ea_verify_run(ea_node *t, ea_node *const *against, size_t n, ea_verify_result *v)
{
	memset(v, 0, sizeof *v);
	v->revision = v->compact_revision = -1;
	v->sha256_trailer = "n/a";
	v->have_db = ea_node_db(t)->present;
	/* a db at member/snap/db next to other files of a data dir (or in a data dir on disk)
	 * is a data dir without its WAL; an archive of the db alone is a db */
	v->kind = ea_node_wal(t)->present || (in_snap_dir(ea_node_db(t)->file) && (ea_input_count(ea_node_input(t)) > 1 ||
	          ea_input_get_kind(ea_node_input(t)) == EA_INPUT_DIR)) ? "data-dir" : "db";
	char first[600] = "";
	if (ea_node_db(t)->first_problem)
		snprintf(first, sizeof first, "%s: %s", ea_node_db(t)->first_problem->kind ? ea_node_db(t)->first_problem->kind : "",
		         ea_node_db(t)->first_problem->message ? ea_node_db(t)->first_problem->message : "");
	if (ea_node_db(t)->present && ea_node_mvcc(t)) {
		ea_bolt_trailer_state ts = EA_BOLT_TRAILER_ABSENT;
		ea_bolt_trailer(ea_mvcc_bolt(ea_node_mvcc(t)), &ts, NULL, NULL);
		if (!ea_node_wal(t)->present && ts != EA_BOLT_TRAILER_ABSENT) v->kind = "snapshot-file";
	}
	unreadable_parts(t, v);
	if (ea_node_db(t)->present) check_db(t, v, first);
	if (ea_node_wal(t)->present) check_data_dir(t, v);
	else if (strcmp(v->kind, "data-dir") == 0)
		reason(v, EA_NOT_RESTORABLE, "%s; etcd would not restart this data dir as the same member%s", ea_node_missing(t),
		       ea_node_mvcc(t) ? " (its db alone can still seed a new cluster: etcdctl snapshot restore --skip-hash-check)" : "");
	if (strcmp(v->kind, "data-dir") == 0) restore_loses(t, v);
	/* the version facts are report's, never verify's: freed before the replays need room */
	ea_node_drop_wal_versions(t);
	for (size_t i = 0; i < n; i++) ea_node_drop_wal_versions(against[i]);
	if (ea_node_wal(t)->present && ea_node_db(t)->present && ea_node_mvcc(t)) own_replay(t, v);

	char hnote[400] = "";
	if (n && v->hash_ok) ea__hash_compare_target(t, against, n, &v->hash, hnote, sizeof hnote);
	if (hnote[0]) reason(v, EA_RESTORABLE, "%s", hnote);
	for (size_t i = 0; i < n && i < EA_VERIFY_MAX_AGAINST; i++) {
		ea_node *a = against[i];
		v->against[i].name = ea_node_name(a);
		v->against[i].match = -1;
		v->nagainst++;
		against_replay(a, &v->against[i].replay, v->against[i].replay_why, sizeof v->against[i].replay_why);
		if (!v->hash_ok) { snprintf(v->against[i].why, sizeof v->against[i].why, "the backup cannot be hashed"); continue; }
		if (!ea_node_db(a)->present || !ea_node_mvcc(a)) { snprintf(v->against[i].why, sizeof v->against[i].why, "no readable db"); continue; }
		ea_hashkv_result h;
		ea_error e = { 0 };
		if (ea_mvcc_hashkv(ea_node_mvcc(a), v->revision, &h, &e) != EA_OK) {
			snprintf(v->against[i].why, sizeof v->against[i].why, "cannot hash revision %" PRId64 ": %.150s",
			         v->revision, e.msg);
			continue;
		}
		v->against[i].hash = h.hash;
		v->against[i].match = h.hash == v->hash;
		char variant[600];
		if (!v->against[i].match && ea__hash_differs_only_by_variant(t, a, v->revision, variant, sizeof variant)) {
			v->against[i].match = 1;
			reason(v, EA_RESTORABLE, "%s", variant);
		}
		snprintf(v->against[i].why, sizeof v->against[i].why, "HashKV at revision %" PRId64 ": %" PRIu32 " vs %" PRIu32,
		         v->revision, h.hash, v->hash);
		if (!v->against[i].match)
			reason(v, EA_RESTORABLE_WITH_WARNINGS, "%s's HashKV at revision %" PRId64 " is %" PRIu32 ", the backup's "
			       "is %" PRIu32 ": they hold different data at the same revision%s", ea_node_name(a), v->revision, h.hash, v->hash,
			       v->against[i].replay && strcmp(v->against[i].replay, "db-diverges-from-wal") == 0
			       ? "; that member's db differs from its own WAL (see its replay): its local storage corruption" : "");
	}
	return EA_OK;
}
