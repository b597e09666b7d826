/* report_k8s.c: the report's Kubernetes write-load section (k8s_load.h): the totals and the
 * txns by apiserver shape and outcome, a picture of the writes, CAS conflicts and the event
 * storm per bucket on the timeline's raft index axis (same domain, same x geometry) or, when
 * the load is bucketed by the entries' estimated UTC time (by_time), on a time axis over the
 * dated window (the same x geometry and tick steps as the timeline's time axis), and the
 * top resources, namespaces, resources in a namespace and objects by writes and by CAS
 * conflicts. Every input string goes through ea__rep_esc_n; ids are built from numbers only. */
#include "report_int.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

const char ea__rep_k8s_css[] =
	"svg .ld-w{fill:var(--info)}svg .ld-c{fill:var(--crit)}svg .ld-e{fill:var(--conf)}"
	"#k8s-load-svg{width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px}\n";

#define LD_AXIS 30.0
#define LD_LANE 70.0
#define LD_STORM 36.0

static void str(FILE *f, ea_k8s_str s, const char *none)
{
	if (s.p) ea__rep_esc_n(f, s.p, s.n);
	else ea__rep_esc_n(f, none, strlen(none));
}

/* data-NAME="value" (nothing when the field is not part of the row) */
static void attr(FILE *f, const char *name, ea_k8s_str s)
{
	if (!s.p) return;
	fprintf(f, " data-%s=\"", name);
	ea__rep_esc_n(f, s.p, s.n);
	fputc('"', f);
}

static double xpos(double lo, double hi, double v)
{
	double x = EA__REP_PLOT_X0 + (v - lo) / (hi - lo) * (EA__REP_PLOT_X1 - EA__REP_PLOT_X0);
	return x < EA__REP_PLOT_X0 ? EA__REP_PLOT_X0 : x > EA__REP_PLOT_X1 ? EA__REP_PLOT_X1 : x;
}

/* "2026-12-05T14:26:18.123456Z" */
static const char *iso(char *buf, size_t cap, int64_t us)
{
	ea_walltime_format(us, buf, cap);
	return buf;
}

/* "14:26:18" (UTC); with ms when the ticks are closer than a second */
static void hms(char *buf, size_t cap, double ms, int with_ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) { snprintf(buf, cap, "?"); return; }
	if (with_ms) snprintf(buf, cap, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((int64_t)ms % 1000));
	else strftime(buf, cap, "%H:%M:%S", &tm);
}

/* ---- the summary and the txns by shape ---- */

static void summary(FILE *f, const ea_k8s_load *l)
{
	fputs("<p id=\"k8s-summary\">From <b>", f);
	ea__rep_esc_n(f, l->node, strlen(l->node));
	fprintf(f, "</b>'s WAL, committed entries %" PRIu64 "..%" PRIu64 " (%" PRIu64 " entries, %" PRIu64 " txns): "
	           "<b>%" PRIu64 "</b> writes to Kubernetes objects, <b>%" PRIu64 "</b> CAS conflicts (kube-apiserver "
	           "txns whose compare failed: the Else branch ran, the object had changed), %" PRIu64 " of unknown "
	           "outcome, %" PRIu64 " event writes. Outcomes from the replay of this member",
	        l->first_index, l->last_index, l->entries, l->txns, l->writes, l->cas_failures, l->unknown, l->events);
	if (l->replay_verdict) fprintf(f, " (%s)", l->replay_verdict);
	else fputs(", which did not finish: the counts stop where it stopped", f);
	fputs(".</p>\n", f);
	if (!l->by_time) return;
	char a[48], b[48];
	fprintf(f, "<p id=\"k8s-time\" data-untimed-entries=\"%" PRIu64 "\" data-untimed-writes=\"%" PRIu64 "\" "
	           "data-untimed-cas=\"%" PRIu64 "\" data-untimed-events=\"%" PRIu64 "\">Bars by the entries' estimated "
	           "UTC time (docs/time.md), %s .. %s. <b>%" PRIu64 "</b> committed entries have no time estimate "
	           "(%" PRIu64 " writes, %" PRIu64 " CAS conflicts, %" PRIu64 " event writes): counted in the totals "
	           "and tables, in no bar.</p>\n", l->untimed_entries, l->untimed_writes, l->untimed_cas, l->untimed_events,
	        iso(a, sizeof a, l->first_us), iso(b, sizeof b, l->last_us), l->untimed_entries, l->untimed_writes,
	        l->untimed_cas, l->untimed_events);
}

static void ops_table(FILE *f, const ea_k8s_load *l)
{
	fputs("<div class=\"wrap\"><table id=\"k8s-ops\"><thead><tr><th>txn shape</th><th>applied</th>"
	      "<th>compare failed</th><th>unknown</th></tr></thead><tbody>\n", f);
	for (int op = 0; op < EA_K8S_OPS; op++) {
		const uint64_t *c = l->ops[op];
		if (!c[0] && !c[1] && !c[2]) continue;
		const char *name = ea_k8s_op_name((ea_k8s_op)op);
		fprintf(f, "<tr class=\"k8s-op\" data-op=\"%s\" data-applied=\"%" PRIu64 "\" data-failed=\"%" PRIu64
		           "\" data-unknown=\"%" PRIu64 "\"><td>%s</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%"
		           PRIu64 "</td><td class=\"num\">%" PRIu64 "</td></tr>\n", name, c[0], c[1], c[2], name, c[0], c[1], c[2]);
	}
	fputs("</tbody></table></div>\n", f);
}

/* ---- the picture ---- */

typedef struct {
	FILE *f;
	const ea_k8s_load *l;
	double lo, hi, height;     /* domain: raft index, or Unix ms when l->by_time */
	int time_mode;             /* the timeline above is by time */
} chart;

static void chart_time_axis(chart *c)
{
	FILE *f = c->f;
	double step = ea__rep_time_step(c->hi - c->lo);
	if ((c->hi - c->lo) / step > 40) step = (c->hi - c->lo) / 10;   /* beyond a day's ticks: ten */
	double first = (double)(int64_t)(c->lo / step) * step;
	if (first < c->lo) first += step;
	fprintf(f, "<g class=\"axis\" data-mode=\"time\"><line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	        EA__REP_PLOT_X0, LD_AXIS - 4, EA__REP_PLOT_X1, LD_AXIS - 4);
	for (double v = first; v <= c->hi + 1e-9; v += step) {
		double x = xpos(c->lo, c->hi, v);
		char lab[32];
		hms(lab, sizeof lab, v, step < 1000);
		fprintf(f, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, LD_AXIS - 4, x, c->height - 4);
		fprintf(f, "<text class=\"axl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", x, LD_AXIS - 10, lab);
	}
	fprintf(f, "<text class=\"axl\" x=\"12\" y=\"%.1f\">UTC time (est.)</text></g>", LD_AXIS - 10);
}

static void chart_axis(chart *c)
{
	if (c->l->by_time) { chart_time_axis(c); return; }
	FILE *f = c->f;
	double step = ea__rep_index_step(c->lo, c->hi), first = (double)(int64_t)(c->lo / step) * step;
	if (first < c->lo) first += step;
	fprintf(f, "<g class=\"axis\" data-mode=\"index\"><line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	        EA__REP_PLOT_X0, LD_AXIS - 4, EA__REP_PLOT_X1, LD_AXIS - 4);
	for (double v = first; v <= c->hi + 1e-9; v += step) {
		double x = xpos(c->lo, c->hi, v);
		fprintf(f, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, LD_AXIS - 4, x, c->height - 4);
		fprintf(f, "<text class=\"axl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>", x, LD_AXIS - 10, v);
	}
	fprintf(f, "<text class=\"axl\" x=\"12\" y=\"%.1f\">raft index</text></g>", LD_AXIS - 10);
}

/* One bar of bucket b at the bottom of a lane: count on a scale of max over height h. */
static void bar(chart *c, size_t b, double ybase, double h, uint64_t count, uint64_t max, const char *cls)
{
	const ea_k8s_load_bucket *k = &c->l->buckets[b];
	double x0 = xpos(c->lo, c->hi, (double)k->lo), x1 = xpos(c->lo, c->hi, (double)k->hi + 1);
	if (c->l->by_time) {
		x0 = xpos(c->lo, c->hi, (double)k->lo_us / 1000);
		x1 = xpos(c->lo, c->hi, ((double)k->hi_us + 1) / 1000);
	}
	double w = x1 - x0 > 1.5 ? x1 - x0 - 0.5 : 1, bh = max ? (double)count / (double)max * h : 0;
	if (count && bh < 1) bh = 1;
	fprintf(c->f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", cls, x0, ybase - bh, w, bh);
}

static void writes_lane(chart *c)
{
	FILE *f = c->f;
	const ea_k8s_load *l = c->l;
	uint64_t max = 0;
	for (size_t b = 0; b < l->nbuckets; b++)
		if (l->buckets[b].writes + l->buckets[b].cas_failures > max) max = l->buckets[b].writes + l->buckets[b].cas_failures;
	double y0 = LD_AXIS, base = y0 + LD_LANE - 4, h = LD_LANE - 14;
	fprintf(f, "<g class=\"lane\" id=\"k8s-lane-writes\" data-max=\"%" PRIu64 "\"><text class=\"lname\" x=\"12\" y=\"%.1f\">"
	           "writes</text><text class=\"lsub\" x=\"12\" y=\"%.1f\">max %" PRIu64 " per bar</text>", max, y0 + 20, y0 + 34, max);
	for (size_t b = 0; b < l->nbuckets; b++) {
		const ea_k8s_load_bucket *k = &l->buckets[b];
		if (!k->writes && !k->cas_failures) continue;
		fprintf(f, "<g class=\"k8s-bucket\" id=\"k8s-bucket-%zu\" data-lo=\"%" PRIu64 "\" data-hi=\"%" PRIu64 "\" data-writes=\"%"
		           PRIu64 "\" data-cas=\"%" PRIu64 "\" data-events=\"%" PRIu64 "\"", b, k->lo, k->hi, k->writes,
		        k->cas_failures, k->events);
		if (l->by_time) {
			char t0[48], t1[48];
			fprintf(f, " data-lo-us=\"%" PRId64 "\" data-hi-us=\"%" PRId64 "\"><title>%s .. %s, entries %" PRIu64 "..%" PRIu64
			           ": ", k->lo_us, k->hi_us, iso(t0, sizeof t0, k->lo_us), iso(t1, sizeof t1, k->hi_us), k->lo, k->hi);
		} else {
			fprintf(f, "><title>entries %" PRIu64 "..%" PRIu64 ": ", k->lo, k->hi);
		}
		fprintf(f, "%" PRIu64 " writes, %" PRIu64 " CAS conflicts, %" PRIu64 " event writes</title>", k->writes,
		        k->cas_failures, k->events);
		bar(c, b, base, h, k->writes, max, "ld-w");
		double wh = max ? (double)k->writes / (double)max * h : 0;
		bar(c, b, base - wh, h, k->cas_failures, max, "ld-c");
		fputs("</g>", f);
	}
	fputs("</g>", f);
}

/* The event storm: one lane per namespace among the top event writers, one scale for all. */
static void storm_lanes(chart *c)
{
	FILE *f = c->f;
	const ea_k8s_load *l = c->l;
	uint32_t max = 0;
	for (size_t s = 0; s < l->nstorm; s++)
		for (size_t b = 0; b < l->nbuckets; b++) if (l->storm[s].per_bucket[b] > max) max = l->storm[s].per_bucket[b];
	for (size_t s = 0; s < l->nstorm; s++) {
		double y0 = LD_AXIS + LD_LANE + LD_STORM * (double)s;
		if (s % 2 == 0) fprintf(f, "<rect class=\"lanebg\" x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\"/>", y0, EA__REP_SVG_W, LD_STORM);
		fprintf(f, "<g class=\"lane storm\" id=\"k8s-storm-lane-%zu\"", s);
		attr(f, "ns", l->storm[s].ns);
		fprintf(f, " data-events=\"%" PRIu64 "\"><text class=\"lname\" x=\"12\" y=\"%.1f\">", l->storm[s].events, y0 + 15);
		str(f, l->storm[s].ns, "(cluster-scoped)");
		fprintf(f, "</text><text class=\"lsub\" x=\"12\" y=\"%.1f\">%" PRIu64 " event writes</text>", y0 + 28, l->storm[s].events);
		for (size_t b = 0; b < l->nbuckets; b++) {
			uint32_t v = l->storm[s].per_bucket[b];
			if (!v) continue;
			fprintf(f, "<g class=\"k8s-storm-bar\" data-bucket=\"%zu\" data-events=\"%" PRIu32 "\"><title>", b, v);
			if (l->by_time) {
				char t0[48];
				fprintf(f, "from %s, ", iso(t0, sizeof t0, l->buckets[b].lo_us));
			}
			fprintf(f, "entries %" PRIu64 "..%" PRIu64 ": %" PRIu32 " event writes</title>", l->buckets[b].lo, l->buckets[b].hi, v);
			bar(c, b, y0 + LD_STORM - 3, LD_STORM - 8, v, max, "ld-e");
			fputs("</g>", f);
		}
		fputs("</g>", f);
	}
}

static void picture(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms, const ea_k8s_load *l)
{
	chart c = { f, l, 0, 1, 0, 0 };
	c.time_mode = ea__rep_index_domain(nodes, n, terms, &c.lo, &c.hi);
	if (l->by_time) {
		c.lo = (double)l->first_us / 1000;
		c.hi = ((double)l->last_us + 1) / 1000;
	}
	c.height = LD_AXIS + LD_LANE + LD_STORM * (double)l->nstorm + 6;
	fprintf(f, "<svg id=\"k8s-load-svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"write load\" data-axis=\"%s\" "
	           "data-lo=\"%.0f\" data-hi=\"%.0f\">", EA__REP_SVG_W, c.height, l->by_time ? "time" : "index", c.lo, c.hi);
	chart_axis(&c);
	writes_lane(&c);
	storm_lanes(&c);
	fputs("</svg>\n<div class=\"legend\" id=\"k8s-legend\">", f);
	if (l->by_time)
		fprintf(f, "<span><b>x axis:</b>&nbsp;the entries' estimated UTC time (the timeline's axis is UTC time); one bar "
		           "per %.3f s; entries with no estimate are in no bar</span>",
		        l->nbuckets ? (double)(l->buckets[0].hi_us - l->buckets[0].lo_us + 1) / 1e6 : 0.0);
	else
		fprintf(f, "<span><b>x axis:</b>&nbsp;raft index, %s; one bar per %" PRIu64 " entries</span>",
		        c.time_mode ? "not the UTC time of the timeline above: no time estimate for this member's entries"
		                    : "the timeline's axis", l->nbuckets ? l->buckets[0].hi - l->buckets[0].lo + 1 : 0);
	fputs("<span><svg viewBox=\"0 0 18 14\" aria-hidden=\"true\"><rect class=\"ld-w\" x=\"0\" y=\"2\" width=\"18\" "
	      "height=\"10\"/></svg>writes</span><span><svg viewBox=\"0 0 18 14\" aria-hidden=\"true\"><rect class=\"ld-c\" "
	      "x=\"0\" y=\"2\" width=\"18\" height=\"10\"/></svg>CAS conflicts</span><span><svg viewBox=\"0 0 18 14\" "
	      "aria-hidden=\"true\"><rect class=\"ld-e\" x=\"0\" y=\"2\" width=\"18\" height=\"10\"/></svg>event writes "
	      "per namespace (the event storm)</span></div>\n", f);
}

/* ---- the top tables ---- */

typedef struct {
	const char *id, *title;
	int resource, ns, object;   /* which fields the table has */
} table_spec;

static void row_cells(FILE *f, const table_spec *t, const ea_k8s_load_row *r)
{
	if (t->resource) {
		fputs("<td>", f);
		str(f, r->resource, "?");
		if (r->group.p && r->group.n) { fputs(" <span class=\"muted\">", f); str(f, r->group, ""); fputs("</span>", f); }
		fputs("</td>", f);
	}
	if (t->ns) { fputs("<td>", f); str(f, r->ns, "(cluster-scoped)"); fputs("</td>", f); }
	if (t->object) { fputs("<td>", f); str(f, r->name, "?"); fputs("</td><td class=\"mono\">", f); str(f, r->key, ""); fputs("</td>", f); }
	fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td>",
	        r->writes, r->cas_failures, r->unknown);
	if (t->ns && !t->resource) fprintf(f, "<td class=\"num\">%" PRIu64 "</td>", r->events);
	if (r->last_revision > 0) fprintf(f, "<td class=\"num\">%" PRIu64 " / %" PRId64 "</td>", r->last_index, r->last_revision);
	else fprintf(f, "<td class=\"num\">%" PRIu64 " / -</td>", r->last_index);
}

static void row(FILE *f, const table_spec *t, const ea_k8s_load_row *r, size_t k)
{
	fprintf(f, "<tr id=\"%s-%zu\" class=\"k8s-row%s\"", t->id, k, r->by_cas ? " by-cas" : "");
	attr(f, "group", r->group);
	attr(f, "resource", r->resource);
	if (t->ns) {
		fputs(" data-ns=\"", f);
		str(f, r->ns, "");
		fputc('"', f);
	}
	attr(f, "name", r->name);
	attr(f, "key", r->key);
	fprintf(f, " data-writes=\"%" PRIu64 "\" data-cas=\"%" PRIu64 "\" data-unknown=\"%" PRIu64 "\"", r->writes,
	        r->cas_failures, r->unknown);
	if (t->ns && !t->resource) fprintf(f, " data-events=\"%" PRIu64 "\"", r->events);
	fprintf(f, " data-last-index=\"%" PRIu64 "\" data-last-revision=\"%" PRId64 "\">", r->last_index, r->last_revision);
	row_cells(f, t, r);
	fputs("</tr>\n", f);
}

static void top_table(FILE *f, const table_spec *t, const ea_k8s_load_table *tb)
{
	fprintf(f, "<h3>%s</h3>\n<div class=\"wrap\"><table id=\"%s\" data-distinct=\"%zu\"><thead><tr>", t->title, t->id, tb->distinct);
	if (t->resource) fputs("<th>resource</th>", f);
	if (t->ns) fputs("<th>namespace</th>", f);
	if (t->object) fputs("<th>name</th><th>key</th>", f);
	fputs("<th>writes</th><th>CAS conflicts</th><th>unknown</th>", f);
	if (t->ns && !t->resource) fputs("<th>event writes</th>", f);
	fputs("<th>last: index / revision</th></tr></thead><tbody>\n", f);
	for (size_t k = 0; k < tb->nrows; k++) {
		if (tb->rows[k].by_cas && (k == 0 || !tb->rows[k - 1].by_cas))
			fputs("<tr class=\"sep\"><td colspan=\"9\" class=\"muted\">most CAS conflicts, beyond the top by writes:</td></tr>\n", f);
		row(f, t, &tb->rows[k], k);
	}
	fputs("</tbody></table></div>\n", f);
	if (tb->distinct > tb->nrows || tb->untracked)
		fprintf(f, "<p class=\"muted\">%zu of %zu shown%s</p>\n", tb->nrows, tb->distinct,
		        tb->untracked ? "; more distinct rows than are tracked: their writes count in the totals only" : "");
}

static void storm_table(FILE *f, const ea_k8s_load *l)
{
	fputs("<h3>Event storm: event writes per namespace</h3>\n<div class=\"wrap\"><table id=\"k8s-storm\"><thead><tr>"
	      "<th>namespace</th><th>event writes</th><th>busiest bar (entries)</th><th>its event writes</th></tr></thead><tbody>\n", f);
	for (size_t s = 0; s < l->nstorm; s++) {
		size_t pk = 0;
		for (size_t b = 1; b < l->nbuckets; b++) if (l->storm[s].per_bucket[b] > l->storm[s].per_bucket[pk]) pk = b;
		fprintf(f, "<tr id=\"k8s-storm-%zu\" class=\"k8s-storm\" data-ns=\"", s);
		str(f, l->storm[s].ns, "");
		fprintf(f, "\" data-events=\"%" PRIu64 "\" data-peak-lo=\"%" PRIu64 "\" data-peak-hi=\"%" PRIu64 "\" data-peak=\"%"
		           PRIu32 "\"", l->storm[s].events, l->buckets[pk].lo, l->buckets[pk].hi, l->storm[s].per_bucket[pk]);
		if (l->by_time)
			fprintf(f, " data-peak-lo-us=\"%" PRId64 "\" data-peak-hi-us=\"%" PRId64 "\"", l->buckets[pk].lo_us, l->buckets[pk].hi_us);
		fputs("><td>", f);
		str(f, l->storm[s].ns, "(cluster-scoped)");
		fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "..%" PRIu64, l->storm[s].events,
		        l->buckets[pk].lo, l->buckets[pk].hi);
		if (l->by_time) {
			char t0[32];
			hms(t0, sizeof t0, (double)l->buckets[pk].lo_us / 1000, 1);
			fprintf(f, " (from %s)", t0);
		}
		fprintf(f, "</td><td class=\"num\">%" PRIu32 "</td></tr>\n", l->storm[s].per_bucket[pk]);
	}
	fputs("</tbody></table></div>\n", f);
}

void ea__rep_k8s_section(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms, const ea_k8s_load *l)
{
	static const table_spec res = { "k8s-resources", "Top resources", 1, 0, 0 },
	                        nss = { "k8s-namespaces", "Top namespaces", 0, 1, 0 },
	                        rns = { "k8s-resource-ns", "Top resources in a namespace", 1, 1, 0 },
	                        obj = { "k8s-objects", "Top objects (hot objects: writes and CAS conflicts)", 1, 1, 1 };
	if (!l || !l->present) return;
	fprintf(f, "<section id=\"k8s-load\" data-node=\"");
	ea__rep_esc_n(f, l->node, strlen(l->node));
	fprintf(f, "\" data-writes=\"%" PRIu64 "\" data-cas=\"%" PRIu64 "\" data-unknown=\"%" PRIu64 "\" data-events=\"%" PRIu64
	           "\" data-first-index=\"%" PRIu64 "\" data-last-index=\"%" PRIu64 "\"",
	        l->writes, l->cas_failures, l->unknown, l->events, l->first_index, l->last_index);
	if (l->by_time) fprintf(f, " data-axis=\"time\" data-first-us=\"%" PRId64 "\" data-last-us=\"%" PRId64 "\"", l->first_us, l->last_us);
	fputs("><h2>Write load (Kubernetes)</h2>\n", f);
	summary(f, l);
	ops_table(f, l);
	picture(f, nodes, n, terms, l);
	top_table(f, &res, &l->resources);
	top_table(f, &nss, &l->namespaces);
	top_table(f, &rns, &l->resource_ns);
	top_table(f, &obj, &l->objects);
	storm_table(f, l);
	fputs("</section>\n", f);
}
