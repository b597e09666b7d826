/* report_int.h: what report_html.c shares with the report's section files (report_replay.c:
 * the nodes table's replay column; report_k8s.c: the Kubernetes write-load section): escaping,
 * the timeline picture's geometry and its raft index axis. Output layer, private. */
#ifndef EA_REPORT_INT_H
#define EA_REPORT_INT_H

#include "etcd-autopsy/report.h"
#include "etcd-autopsy/k8s_load.h"

#define EA__REP_SVG_W 1320.0
#define EA__REP_PLOT_X0 170.0
#define EA__REP_PLOT_X1 (EA__REP_SVG_W - 24.0)

/* HTML text / attribute escaping of n bytes (invalid UTF-8 and control bytes replaced). */
void ea__rep_esc_n(FILE *f, const char *s, size_t n);
/* The timeline's raft index domain [*lo, *hi] (whatever its own axis); returns 1 when the
 * timeline is drawn by UTC time instead, 0 when by raft index. */
int  ea__rep_index_domain(ea_node *const *nodes, size_t n, const ea_terms *terms, double *lo, double *hi);
/* The tick step the timeline uses on a raft index axis over [lo, hi]. */
double ea__rep_index_step(double lo, double hi);
/* The tick step (ms) the timeline uses on a UTC time axis spanning span_ms. */
double ea__rep_time_step(double span_ms);

/* report_replay.c: its style rules, the nodes table's replay header cell and node nd's cell. */
extern const char ea__rep_replay_css[];
void ea__rep_replay_th(FILE *f);
void ea__rep_replay_cell(FILE *f, const ea_node *nd);

/* report_k8s.c: its style rules, and the write-load section (nothing when l is NULL or holds
 * no Kubernetes write). */
extern const char ea__rep_k8s_css[];
void ea__rep_k8s_section(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms, const ea_k8s_load *l);

#endif
