/* history_window.c: `history --since/--until`: keeps the timeline events whose time can lie
 * in the window. An event with its own time (a log line, a process start, a file's mtime) is
 * judged by it; one bound to an index of a node's WAL by that entry's estimated time
 * (walltime.h, one anchor pass over the node's log; a cluster event: the first node's);
 * one with neither is kept. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* each node's anchors (NULL without a log); 0, or an error code */
static int node_times(ea_node *const *nodes, size_t n, ea_walltime **wt)
{
	ea_k8s *k = NULL;
	int rc = ea_k8s_new(&k, NULL);
	for (size_t i = 0; !rc && i < n; i++) {
		ea_log *log = ea_node_log(nodes[i]);
		if (!log) continue;
		if ((wt[i] = ea_node_take_walltime(nodes[i]))) {   /* gathered at open (cmd_history.c) */
			if (!(rc = ea_walltime_node_log_anchors(wt[i], nodes[i]))) rc = ea_walltime_finish(wt[i]);
			continue;
		}
		ea_error err = { 0 };
		if (!(rc = ea_log_rewind(log, &err)) && !(rc = ea_walltime_new(&wt[i])) &&
		    !(rc = ea_walltime_node_log_anchors(wt[i], nodes[i])))
			rc = ea_walltime_scan_log(wt[i], log, k);
	}
	ea_k8s_free(k);
	return rc;
}

static int keep(const cli_window *w, const ea_event *e, ea_node *const *nodes, size_t n, ea_walltime *const *wt)
{
	if (e->time_ms >= 0) return cli_window_keep(w, e->time_ms * 1000, e->time_ms * 1000 + 999);
	for (size_t i = 0; e->index && i < n; i++) {   /* a cluster event (no node): any node's log */
		if (!wt[i] || (e->node && strcmp(ea_node_name(nodes[i]), e->node) != 0)) continue;
		ea_walltime_est est;
		ea_walltime_at(wt[i], e->index, &est);
		return cli_window_keep(w, est.lo_us, est.hi_us);
	}
	return 1;
}

int cli_history_window(ea_node *const *nodes, size_t n, const cli_window *w, ea_event *ev, size_t *nev)
{
	if (!w->given) return EA_OK;
	ea_walltime **wt = calloc(n ? n : 1, sizeof *wt);
	if (!wt) return EA_ENOMEM;
	int rc = node_times(nodes, n, wt);
	size_t m = 0;
	for (size_t i = 0; !rc && i < *nev; i++)
		if (keep(w, &ev[i], nodes, n, wt)) ev[m++] = ev[i];
	if (!rc) *nev = m;
	for (size_t i = 0; i < n; i++) ea_walltime_free(wt[i]);
	free(wt);
	return rc;
}
