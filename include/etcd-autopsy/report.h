/* etcd-autopsy/report.h: the incident report, one self-contained HTML file.
 *
 * Everything the analysis knows about a set of member copies, for people who paste it into
 * an incident document: the verdict and recommendation (ea_diff), a nodes table, a timeline
 * picture as inline SVG (one lane per node: term changes and votes, the leader of every
 * term, failed elections, superseded ranges, snapshots and snapshot installs, membership
 * changes, member restarts, damage and divergence; x axis by UTC time when etcd's logs give
 * the terms times, else by raft index), the findings and problems with file+offset, the
 * terms table, the timeline as a table, and how to continue in SQL (export + ready queries).
 *
 * The file loads nothing: no scripts, fonts, images or style sheets from anywhere (inline
 * CSS and SVG only, no JavaScript). Light and dark (prefers-color-scheme) and printable.
 * Every string from the inputs (node names, paths, keys in finding details, log lines) is
 * HTML-escaped; invalid UTF-8 is replaced. Output layer: reads the analysis results only. */
#ifndef EA_REPORT_H
#define EA_REPORT_H

#include "common.h"
#include "history.h"
#include "diff.h"
#include "k8s_load.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	const char *name;            /* "leaders-per-term.sql" */
	const char *summary;         /* one line, may be NULL */
} ea_report_query;

typedef struct {
	unsigned version;
	const char *title;           /* NULL = "etcd incident report" */
	const char *command_line;    /* how the report was made, shown in the footer; NULL = none */
	const char *export_command;  /* the `etcd-autopsy export ...` line to show; NULL = built from the nodes */
	const ea_report_query *queries;   /* ready queries (the .sql files of docs/queries), may be NULL */
	size_t nqueries;
	const char *queries_dir;     /* where they are, for the `sqlite3 ... < DIR/NAME` lines; NULL = "queries" */
	int64_t generated_ms;        /* report time (Unix ms, UTC); 0 = now, < 0 = leave out */
	/* version 2: */
	const ea_k8s_load *k8s_load; /* the write-load section (ea_k8s_load_build); NULL = none */
} ea_report_options;

#define EA_REPORT_OPTIONS_VERSION 2
#define EA_REPORT_OPTIONS_INIT { EA_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL }

/* Writes the report to f. `terms`, `diff` and `events` come from ea_terms_build,
 * ea_diff_run and ea_timeline_build over the same nodes (events may be NULL with
 * nevents 0). `opts` may be NULL. Returns EA_OK, or EA_EIO when f reports a write error,
 * EA_ENOMEM. */
int ea_report_write(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms,
                    const ea_diff *diff, const ea_event *events, size_t nevents,
                    const ea_report_options *opts);
/* 1 when ea_report_write draws the timeline by UTC time (etcd's logs, --logs, date at least
 * half of the terms), 0 when by raft index: then give k8s_load by time (ea_k8s_load_build_timed). */
int ea_report_time_axis(ea_node *const *nodes, size_t n, const ea_terms *terms);

#ifdef __cplusplus
}
#endif
#endif
