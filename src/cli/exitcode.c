/* exitcode.c: the one exit-code rule every command follows (README "Exit codes"):
 *   2  usage error, or nothing etcd-shaped could be read from an input;
 *   1  findings of warning or worse, or a verdict other than consistent / restorable;
 *   0  otherwise.
 * This file owns the two judgements the rule needs beyond counting problems: is what was
 * read a WAL at all, and did a node yield anything (a WAL or a db). */
#include "cli.h"
#include "etcd-autopsy/node_replay.h"

#include <inttypes.h>
#include <string.h>

int cli_wal_not_wal(uint64_t records, const ea_problem *first)
{
	/* a real segment opens with a crc record: if not one record decoded anywhere and the
	 * first thing wrong is the very first frame, the bytes were never a WAL (a renamed file) */
	static const char *const kinds[] = { "impossible-length", "undecodable-record", "truncated-frame", NULL };
	if (records || !first || first->offset != 0) return 0;
	for (int k = 0; kinds[k]; k++)
		if (strcmp(first->kind, kinds[k]) == 0) return 1;
	return 0;
}

void cli_print_not_wal(const char *cmd, const char *path, const ea_problem *first)
{
	fprintf(stderr, "etcd-autopsy %s: %s: not a WAL segment: no WAL record could be read from %s (%s at offset 0)\n",
	        cmd, path, first->file ? first->file : path, first->kind);
}

/* The first problem of warning or worse of a node's WAL, NULL if none. */
static const ea_problem *wal_first_problem(const ea_node *nd)
{
	for (size_t k = 0; k < ea_node_wal(nd)->summary.problem_count; k++)
		if (ea_node_wal(nd)->summary.problems[k].p.severity != EA_SEV_INFO) return &ea_node_wal(nd)->summary.problems[k].p;
	return NULL;
}

int cli_nodes_readable(const char *cmd, ea_node *const *nodes, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const ea_node *nd = nodes[i];
		const ea_problem *wp = ea_node_wal(nd)->present ? wal_first_problem(nd) : NULL;
		int wal_ok = ea_node_wal(nd)->present && !cli_wal_not_wal(ea_node_wal(nd)->summary.records_total, wp);
		int db_ok = ea_node_db(nd)->present && !ea_node_db(nd)->unreadable;
		if (wal_ok || db_ok) continue;
		bad = 1;
		fprintf(stderr, "etcd-autopsy %s: %s (%s): nothing etcd-shaped could be read: ", cmd, ea_node_name(nd), ea_node_path(nd));
		if (ea_node_wal(nd)->present) fprintf(stderr, "%s is not a WAL segment (%s at offset 0)", wp->file, wp->kind);
		else fprintf(stderr, "no WAL segments");
		if (ea_node_db(nd)->present) fprintf(stderr, "; %s: %s\n", ea_node_db(nd)->file ? ea_node_db(nd)->file : "db", ea_node_db(nd)->unreadable);
		else fprintf(stderr, "; no bbolt db\n");
	}
	return bad ? -1 : 0;
}

int cli_nodes_problems(ea_node *const *nodes, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		count += ea_node_db(nodes[i])->problems;   /* warning or worse only */
		if (ea_node_wal(nodes[i])->present && wal_first_problem(nodes[i])) count++;
	}
	return count > 0;
}

int cli_diff_exit_code(ea_node *const *nodes, size_t n, const ea_diff *d)
{
	/* the inputs' own damage counts even where the diff has no finding for it (a db alone) */
	if (d->verdict != EA_VERDICT_CONSISTENT || cli_nodes_problems(nodes, n)) return EXIT_FINDINGS;
	for (size_t f = 0; f < d->nfindings; f++)
		if (strcmp(d->findings[f].severity, "info") != 0) return EXIT_FINDINGS;
	return EXIT_CLEAN;
}

int cli_nodes_replay_finding(ea_node *const *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const ea_node_replay *r = ea_node_replay_kept(nodes[i]);
		if (r && r->rc == EA_OK && (r->verdict == EA_REPLAY_DB_DIVERGES || r->verdict == EA_REPLAY_DB_BEHIND))
			return (int)i;
	}
	return -1;
}

int cli_snap_not_snap(ea_input *in, const ea_snap_info *si)
{
	/* snappb.Snapshot opens with field 1 (crc, varint: 0x08) or field 2 (data: 0x12) */
	if (strcmp(si->kind, "snap.db") == 0 || si->decoded) return 0;
	long idx = ea_input_find(in, si->file);
	unsigned char b = 0;
	if (idx < 0 || si->size == 0 || ea_input_pread(in, (size_t)idx, &b, 1, 0) != 1) return 0;
	return b != 0x08 && b != 0x12;
}
