/* report_html.c: the incident report (see report.h). One pass of fprintf into a FILE*:
 * inline CSS, inline SVG, no JavaScript, nothing loaded from anywhere.
 *
 * Every input-derived string goes through esc() (HTML text and attribute values alike:
 * & < > " ' escaped, invalid UTF-8 and control characters replaced). Element ids are built
 * from numbers only (node-0, finding-3, term-7, ev-12), never from names. */
#include "report_int.h"
#include "etcd-autopsy/writer.h"
#include "etcd-autopsy/version.h"

#include <inttypes.h>
#include <math.h>   /* INFINITY only: no libm */
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- escaping ---- */

static void esc_n(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		switch (c) {
		case '&': fputs("&amp;", f); i++; continue;
		case '<': fputs("&lt;", f); i++; continue;
		case '>': fputs("&gt;", f); i++; continue;
		case '"': fputs("&quot;", f); i++; continue;
		case '\'': fputs("&#39;", f); i++; continue;
		default: break;
		}
		if (c >= 0x20 && c < 0x7f) { fputc(c, f); i++; continue; }
		if (c == '\n' || c == '\t') { fputc(c, f); i++; continue; }
		if (c >= 0x80) {
			size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
			int ok = len && i + len <= n && c >= 0xC2 && c <= 0xF4;
			for (size_t k = 1; ok && k < len; k++) ok = (p[i + k] & 0xC0) == 0x80;
			if (ok) { fwrite(p + i, 1, len, f); i += len; continue; }
		}
		fputs("\xEF\xBF\xBD", f);   /* U+FFFD for control bytes and invalid UTF-8 */
		i++;
	}
}

static void esc(FILE *f, const char *s)
{
	if (s) esc_n(f, s, strlen(s));
}

/* ---- paths: the report travels, the paths of the machine that made it stay home ---- */

/* Length of the leading absolute path in s (up to a space or quote), 0 if s is not one. */
static size_t abs_len(const char *s)
{
	if (s[0] != '/') return 0;
	size_t l = 0;
	while (s[l] && s[l] != ' ' && s[l] != '\'' && s[l] != '"') l++;
	return l;
}

/* An absolute path as its last component ("/home/x/cases/n1.tar.gz" -> "n1.tar.gz",
 * "/srv/n1/" -> "n1/"); a relative one as given. */
static void esc_path_n(FILE *f, const char *s, size_t l)
{
	if (l == 0 || s[0] != '/') { esc_n(f, s, l); return; }
	size_t e = l;
	while (e > 1 && s[e - 1] == '/') e--;
	size_t b = e;
	while (b > 0 && s[b - 1] != '/') b--;
	if (b == e) { esc_n(f, s, l); return; }   /* "/" itself */
	esc_n(f, s + b, l - b);
}

static void esc_path(FILE *f, const char *s)
{
	if (s) esc_path_n(f, s, strlen(s));
}

/* A command line with every absolute path (a word, or the part after NAME= / --opt= / a
 * quote) cut to its last component. */
static void esc_cmdline(FILE *f, const char *s)
{
	if (!s) return;
	const char *p = s;
	while (*p) {
		int start = p == s || p[-1] == ' ' || p[-1] == '=' || p[-1] == '\'' || p[-1] == '"';
		size_t l = start ? abs_len(p) : 0;
		if (l) { esc_path_n(f, p, l); p += l; continue; }
		esc_n(f, p, 1);
		p++;
	}
}

/* Detail text with file+offset tokens ("n1/member/wal/x.wal+8008") set in <code>. */
static void esc_detail(FILE *f, const char *s)
{
	if (!s) return;
	const char *p = s;
	while (*p) {
		const char *w = p;
		while (*p && *p != ' ') p++;
		/* the word w..p without trailing punctuation */
		const char *e = p;
		while (e > w && strchr(",;:)].", e[-1])) e--;
		const char *plus = NULL;
		for (const char *q = w; q < e; q++) if (*q == '+') plus = q;
		int loc = plus && plus > w && plus + 1 < e;
		for (const char *q = plus ? plus + 1 : e; loc && q < e; q++) loc = *q >= '0' && *q <= '9';
		int pathish = 0;
		for (const char *q = w; loc && q < plus; q++) pathish |= *q == '/' || *q == '.';
		const char *start = w;
		if (loc && pathish && *start == '(') start++;
		if (loc && pathish) {
			esc_n(f, w, (size_t)(start - w));
			fputs("<code class=\"loc\">", f);
			esc_n(f, start, (size_t)(e - start));
			fputs("</code>", f);
			esc_n(f, e, (size_t)(p - e));
		} else {
			esc_n(f, w, (size_t)(p - w));
		}
		while (*p == ' ') { fputc(' ', f); p++; }
	}
}

/* ---- helpers over the analysis results ---- */

static int node_of_member(ea_node *const *nodes, size_t n, uint64_t id)
{
	for (size_t i = 0; id && i < n; i++)
		if (ea_node_wal(nodes[i])->present && ea_node_wal(nodes[i])->summary.have_metadata && ea_node_wal(nodes[i])->summary.member_id == id) return (int)i;
	return -1;
}

static int lane_of_name(ea_node *const *nodes, size_t n, const char *name)
{
	if (!name) return -1;
	for (size_t i = 0; i < n; i++) if (ea_node_name(nodes[i]) == name) return (int)i;
	for (size_t i = 0; i < n; i++) if (strcmp(ea_node_name(nodes[i]), name) == 0) return (int)i;
	return -1;
}

static const ea_term_row *find_row(const ea_terms *t, uint64_t term)
{
	size_t lo = 0, hi = t ? t->nrows : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->rows[mid].term < term) lo = mid + 1;
		else hi = mid;
	}
	return t && lo < t->nrows && t->rows[lo].term == term ? &t->rows[lo] : NULL;
}

static size_t node_damage(const ea_node *nd)
{
	size_t c = ea_node_db(nd)->problems;
	for (size_t p = 0; ea_node_wal(nd)->present && p < ea_node_wal(nd)->summary.problem_count; p++)
		if (ea_node_wal(nd)->summary.problems[p].p.severity >= EA_SEV_WARNING) c++;
	return c;
}

static void member_label(FILE *f, ea_node *const *nodes, size_t n, uint64_t id)
{
	int k = node_of_member(nodes, n, id);
	fprintf(f, "<code>%" PRIx64 "</code>", id);
	if (k >= 0) {
		fprintf(f, " (<a href=\"#node-%d\">", k);
		esc(f, ea_node_name(nodes[k]));
		fputs("</a>)", f);
	}
}

/* index is within the node's surviving log (first entry .. one past the last) */
static int in_log_range(const ea_node *nd, uint64_t index)
{
	if (!ea_node_wal(nd)->present || !ea_node_wal(nd)->summary.have_entries) return 0;
	uint64_t first = ea_node_wal(nd)->first_index ? ea_node_wal(nd)->first_index : ea_node_wal(nd)->summary.first_index;
	return index >= first && index <= ea_node_wal(nd)->summary.last_index + 1;
}

/* The recommended member is the reference side of a finding that involves other members too
 * (e.g. the side that is right in a divergence): it is named as such, not as a culprit. */
static int is_reference(const ea_diff *d, const ea_finding *fd, size_t i)
{
	return d->recommended == (int)i && (fd->node_mask & ~(1u << i)) != 0;
}

static void fmt_time(char *buf, size_t cap, int64_t ms)
{
	if (ms < 0) { snprintf(buf, cap, "-"); return; }
	ea_format_time_ms(buf, cap, ms);
}

static const char *verdict_text(ea_verdict v)
{
	switch (v) {
	case EA_VERDICT_CONSISTENT:
		return "The members' raft logs agree wherever they overlap, and no damage was found.";
	case EA_VERDICT_INCOMPLETE:
		return "A member's copy lacks its WAL or its bbolt db: what could be compared agrees, the rest was not checked.";
	case EA_VERDICT_LAGGING:
		return "A member's log is behind the others' (a prefix of theirs): nothing disagrees, it has to catch up.";
	case EA_VERDICT_UNCOMMITTED_DIVERGENCE:
		return "Members hold different entries beyond their commit index: normal after an isolated or deposed "
		       "leader; raft overwrites the older term's entries when the member rejoins. No committed write was lost.";
	case EA_VERDICT_DAMAGED:
		return "A WAL or bbolt database is damaged, or the copies belong to different clusters: see the findings "
		       "and the problems with their file and byte offset.";
	case EA_VERDICT_STATE_DIVERGENCE:
		return "The applied key-value state (the bbolt db) disagrees with the raft log or between members.";
	case EA_VERDICT_COMMITTED_DIVERGENCE:
		return "Committed entries differ between members: raft's safety was violated (disk corruption, or edited "
		       "or swapped files). Do not restore blindly.";
	}
	return "";
}

/* ---- style ---- */

static const char css[] =
	":root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;"
	"--crit:#cf222e;--warn:#9a6700;--ok:#1a7f37;--info:#0969da;--termA:#b6d3f2;--termB:#dcebfa;"
	"--lead:#1a7f37;--fail:#cf222e;--sup:#cf222e;--bar:#8c959f;--tail:#d4a72c;--snap:#0969da;"
	"--conf:#8250df;--restart:#bc4c00;--dmg:#cf222e;--div:#cf222e;--log:#6e7781;--slow:#8250df;"
	"--vbg:#ddf4ff;--vfg:#0a3069;--okbg:#dafbe1;--okfg:#0f3d1f;--wbg:#fff8c5;--wfg:#4d2d00;--cbg:#ffebe9;--cfg:#82071e}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;"
	"--panel:#151b23;--crit:#ff7b72;--warn:#d29922;--ok:#3fb950;--info:#58a6ff;--termA:#24426e;--termB:#1a2d4a;"
	"--lead:#3fb950;--fail:#ff7b72;--sup:#ff7b72;--bar:#6e7681;--tail:#d29922;--snap:#58a6ff;--conf:#bc8cff;"
	"--restart:#ffa657;--dmg:#ff7b72;--div:#ff7b72;--log:#8b949e;--slow:#bc8cff;--vbg:#0c2d6b;--vfg:#cae8ff;"
	"--okbg:#0f2d1a;--okfg:#aff5b4;--wbg:#3b2a00;--wfg:#f8e3a1;--cbg:#4c0b0b;--cfg:#ffdcd7}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;padding:24px 32px;background:var(--bg);color:var(--fg);"
	"font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
	"h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);"
	"padding-bottom:4px}\n"
	"code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12.5px}\n"
	"pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 10px;"
	"overflow-x:auto;white-space:pre-wrap;word-break:break-all}\n"
	"a{color:var(--info)}\n"
	"#verdict{border-radius:8px;padding:14px 18px;border:2px solid var(--line);background:var(--vbg);color:var(--vfg)}\n"
	"#verdict.sev-critical{border-color:var(--crit);background:var(--cbg);color:var(--cfg)}"
	"#verdict.sev-warning{border-color:var(--warn);background:var(--wbg);color:var(--wfg)}"
	"#verdict.sev-ok{border-color:var(--ok);background:var(--okbg);color:var(--okfg)}\n"
	"#verdict .vname{font-size:24px;font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}\n"
	"#verdict p{margin:4px 0}\n"
	".badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;"
	"border:1px solid currentColor}\n"
	".sev-critical .badge.sev,.badge.sev-critical{color:var(--crit)}.badge.sev-warning{color:var(--warn)}"
	".badge.sev-info{color:var(--info)}.badge.rec{color:var(--ok)}\n"
	"table{border-collapse:collapse;margin:6px 0;font-size:13px}\n"
	"th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}\n"
	"th{background:var(--panel)}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"tr:target,li:target{outline:2px solid var(--info)}\n"
	".muted{color:var(--muted)}\n"
	"ol.findings{padding-left:22px}ol.findings li{margin:8px 0}\n"
	"code.loc{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 3px}\n"
	".wrap{overflow-x:auto}\n"
	"#timeline-svg{width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px;"
	"background:var(--bg)}\n"
	"svg text{fill:var(--fg);font:11px system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}\n"
	"svg .ax{stroke:var(--line)}svg text.axl{fill:var(--muted)}svg .lanebg{fill:var(--panel)}\n"
	"svg text.lname{font-weight:700;font-size:13px}svg text.lsub{fill:var(--muted);font-size:10.5px}\n"
	"svg .tA{fill:var(--termA)}svg .tB{fill:var(--termB)}svg .tA,svg .tB{stroke:var(--bg);stroke-width:1}svg .tfail{fill:url(#hatch-fail)}\n"
	"svg text.tl{font-size:11px}svg text.tl.lead{fill:var(--lead);font-weight:600}svg text.tl.fail{fill:var(--fail)}\n"
	"svg .bar{fill:var(--bar)}svg .tail{fill:var(--tail)}svg .sup{fill:url(#hatch-sup);stroke:var(--sup)}\n"
	"svg .m-vote{fill:var(--info)}svg .m-term{fill:var(--bg);stroke:var(--info);stroke-width:1.5}"
	"svg .m-snap{fill:var(--snap)}svg .m-inst{fill:var(--bg);stroke:var(--snap);stroke-width:2}"
	"svg .m-conf{fill:var(--conf)}svg .m-restart{stroke:var(--restart);stroke-width:2;fill:none}"
	"svg .m-restart-f{fill:var(--restart)}svg .m-dmg{stroke:var(--dmg);stroke-width:2.5}"
	"svg .m-alarm{fill:var(--crit)}svg .m-comp{stroke:var(--muted);stroke-width:1.5}"
	"svg .divl{stroke:var(--div);stroke-width:2;stroke-dasharray:5 3}svg text.divt{fill:var(--div);font-weight:600}"
	"svg text.supt{fill:var(--sup)}svg text.dmgt{fill:var(--dmg);font-weight:600}svg text.rst{fill:var(--restart)}\n"
	"svg .lg-leader{stroke:var(--lead)}svg .lg-elect{stroke:var(--warn)}svg .lg-slow{stroke:var(--slow)}"
	"svg .lg-crit{stroke:var(--crit)}svg .lg-other{stroke:var(--log)}svg .lg{stroke-width:1.5}\n"
	".legend{display:flex;flex-wrap:wrap;gap:4px 18px;margin:8px 0;font-size:12.5px}"
	".legend span{display:inline-flex;align-items:center;gap:5px}.legend svg{width:18px;height:14px}\n"
	"details summary{cursor:pointer;color:var(--info)}\n"
	"footer{margin-top:32px;color:var(--muted);font-size:12px}\n"
	"@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--panel:#f3f3f3;--vbg:#fff;--vfg:#000;"
	"--okbg:#fff;--okfg:#000;--wbg:#fff;--wfg:#000;--cbg:#fff;--cfg:#000;"
	"--termA:#e4e4e4;--termB:#f2f2f2}body{padding:0;font-size:11px}a{color:inherit;text-decoration:none}"
	"h2{break-after:avoid}tr,li,#timeline-svg{break-inside:avoid}details summary{display:none}"
	"pre{white-space:pre-wrap}}\n";

static const char svg_defs[] =
	"<defs>"
	"<pattern id=\"hatch-fail\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	"<rect width=\"6\" height=\"6\" style=\"fill:var(--bg)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
	"style=\"stroke:var(--fail);stroke-width:2\"/></pattern>"
	"<pattern id=\"hatch-sup\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	"<rect width=\"5\" height=\"5\" style=\"fill:var(--bg)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" "
	"style=\"stroke:var(--sup);stroke-width:2.2\"/></pattern>"
	"</defs>";

/* ---- the timeline picture ---- */

#define SVG_W EA__REP_SVG_W
#define PLOT_X0 EA__REP_PLOT_X0
#define PLOT_X1 EA__REP_PLOT_X1
#define AXIS_H 34.0
#define CLUSTER_H 54.0
#define LANE_H 76.0
#define MAX_MARKS_PER_LANE 400
#define MAX_DMG_PER_LANE 24

typedef struct {
	int time_mode;
	double lo, hi;            /* domain: raft index or Unix ms */
	double *label_end;        /* per (lane, row): x where the last label ended */
	size_t nlanes;
	double *mark_end;         /* per (lane, row): x of the last marker (dodging) */
	const ea_terms *terms;
	uint64_t *anchor;         /* per term row: raft index where the term "happens" */
	int64_t *row_time;        /* per term row: time (ms) or -1 */
	size_t not_drawn;
} axis;

static double xpos(const axis *a, double v)
{
	if (a->hi <= a->lo) return PLOT_X0;
	double x = PLOT_X0 + (v - a->lo) / (a->hi - a->lo) * (PLOT_X1 - PLOT_X0);
	if (x < PLOT_X0) x = PLOT_X0;
	if (x > PLOT_X1) x = PLOT_X1;
	return x;
}

static size_t row_idx(const axis *a, const ea_term_row *r) { return (size_t)(r - a->terms->rows); }

/* Position of something at (term, index, time) on the axis; 0 if it cannot be placed. */
static int place(const axis *a, uint64_t term, uint64_t index, int64_t time_ms, double *x)
{
	const ea_term_row *r = term ? find_row(a->terms, term) : NULL;
	if (a->time_mode) {
		int64_t t = time_ms;
		if (t < 0 && r) t = a->row_time[row_idx(a, r)];
		if (t < 0 && index) {
			/* the newest term whose entries cover the index: the one whose entry survives there */
			for (size_t k = a->terms->nrows; k-- > 0;) {
				const ea_term_row *q = &a->terms->rows[k];
				if (q->entries && index >= q->first_index && index <= q->last_index && a->row_time[k] >= 0) {
					t = a->row_time[k];
					break;
				}
			}
		}
		if (t < 0) return 0;
		*x = xpos(a, (double)t);
		return 1;
	}
	uint64_t i = index;
	if (!i && r) i = a->anchor[row_idx(a, r)];
	if (!i) return 0;
	*x = xpos(a, (double)i);
	return 1;
}

/* Marker x with dodging: markers of one lane row closer than 7 px are pushed right (a few
 * steps at most), so that a run of failed elections at one raft index stays countable. */
static double dodge(axis *a, size_t lane, int row, double x)
{
	double *last = &a->mark_end[lane * 4 + (size_t)row];
	if (x < *last + 7 && *last - x < 42) x = *last + 7;
	if (x > PLOT_X1) x = PLOT_X1;
	*last = x;
	return x;
}

/* Label at x if it does not overlap the previous label of this lane row. */
static int label_fits(axis *a, size_t lane, int row, double x, size_t chars)
{
	double *end = &a->label_end[lane * 4 + (size_t)row];
	double w = (double)chars * 6.3;
	if (x < *end + 6 || x + w > SVG_W - 2) return 0;
	*end = x + w;
	return 1;
}

static void nice_ticks(double lo, double hi, double *step)
{
	double span = hi - lo;
	if (span <= 0) { *step = 1; return; }
	double raw = span / 8, mag = 1;
	while (mag * 10 <= raw) mag *= 10;   /* no libm: raft indexes are >= 1 apart anyway */
	double m = raw / mag;
	*step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
	if (*step < 1) *step = 1;
}

static void time_step(double span_ms, double *step)
{
	static const double steps[] = { 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000,
	                                 300000, 600000, 900000, 1800000, 3600000, 7200000, 21600000, 43200000,
	                                 86400000 };
	*step = steps[sizeof steps / sizeof *steps - 1];
	for (size_t k = 0; k < sizeof steps / sizeof *steps; k++)
		if (span_ms / steps[k] <= 9) { *step = steps[k]; return; }
}

static void svg_axis(FILE *f, const axis *a, double y, double y_end)
{
	double step;
	if (a->time_mode) time_step(a->hi - a->lo, &step); else nice_ticks(a->lo, a->hi, &step);
	double first = (double)(int64_t)(a->lo / step) * step;
	if (first < a->lo) first += step;
	fprintf(f, "<g class=\"axis\" id=\"axis\" data-mode=\"%s\">", a->time_mode ? "time" : "index");
	fprintf(f, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", PLOT_X0, y, PLOT_X1, y);
	for (double v = first; v <= a->hi + 1e-9; v += step) {
		double x = xpos(a, v);
		char lab[48];
		if (a->time_mode) {
			time_t t = (time_t)(v / 1000);
			struct tm tm;
			gmtime_r(&t, &tm);
			if (step < 1000) snprintf(lab, sizeof lab, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			                          (int)((int64_t)v % 1000));
			else strftime(lab, sizeof lab, "%H:%M:%S", &tm);
		} else {
			snprintf(lab, sizeof lab, "%.0f", v);
		}
		fprintf(f, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, y, x, y_end);
		fprintf(f, "<text class=\"axl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", x, y - 6, lab);
	}
	char title[96];
	if (a->time_mode) {
		time_t t = (time_t)(a->lo / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		char d[32];
		strftime(d, sizeof d, "%Y-%m-%d", &tm);
		snprintf(title, sizeof title, "UTC time (%s)", d);
	} else {
		snprintf(title, sizeof title, "raft index");
	}
	fprintf(f, "<text class=\"axl\" x=\"12\" y=\"%.1f\">%s</text></g>", y - 6, title);
}

static const char *log_class(const char *ev)
{
	if (!strcmp(ev, "became-leader") || !strcmp(ev, "elected-leader") || !strcmp(ev, "leader-changed")) return "lg-leader";
	if (!strcmp(ev, "election-start") || !strcmp(ev, "became-candidate") || !strcmp(ev, "became-pre-candidate") ||
	    !strcmp(ev, "lost-leader"))
		return "lg-elect";
	if (!strcmp(ev, "slow-fdatasync") || !strcmp(ev, "apply-slow") || !strcmp(ev, "heartbeat-late")) return "lg-slow";
	if (!strcmp(ev, "nospace")) return "lg-crit";
	return "lg-other";
}

static void svg_title(FILE *f, const char *fmt_text)
{
	fputs("<title>", f);
	esc(f, fmt_text);
	fputs("</title>", f);
}

/* The timeline's layout state: what it draws, its axis and where its lanes sit. */
typedef struct {
	FILE *f;
	ea_node *const *nodes;
	size_t n;                 /* node lanes; the cluster lane is lane n of the axis */
	const ea_terms *terms;
	size_t nrows;             /* term rows (0 without terms) */
	axis a;
	double y_cluster, y_nodes, height;
} timeline;

static int timeline_init(timeline *t, FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms)
{
	memset(t, 0, sizeof *t);
	t->f = f;
	t->nodes = nodes;
	t->n = n;
	t->terms = terms;
	t->nrows = terms ? terms->nrows : 0;
	axis *a = &t->a;
	a->terms = terms;
	a->nlanes = n + 1;                     /* lane n = the cluster lane */
	a->label_end = calloc(a->nlanes * 4, sizeof *a->label_end);
	a->mark_end = calloc(a->nlanes * 4, sizeof *a->mark_end);
	a->anchor = calloc(t->nrows + 1, sizeof *a->anchor);
	a->row_time = calloc(t->nrows + 1, sizeof *a->row_time);
	if (!a->label_end || !a->mark_end || !a->anchor || !a->row_time) return -1;
	for (size_t k = 0; k < a->nlanes * 4; k++) a->mark_end[k] = a->label_end[k] = -1e9;
	return 0;
}

static void timeline_free(timeline *t)
{
	free(t->a.label_end);
	free(t->a.mark_end);
	free(t->a.anchor);
	free(t->a.row_time);
}

/* The term rows: where (index) and when (logs) each term happens; a time axis when etcd's
 * logs date most terms, the raft index otherwise. */
static void axis_terms(timeline *t)
{
	axis *a = &t->a;
	uint64_t last_seen = 0;
	size_t timed = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const ea_term_row *row = &t->terms->rows[r];
		a->anchor[r] = row->entries ? row->first_index : last_seen;
		if (row->entries && row->last_index > last_seen) last_seen = row->last_index;
		a->row_time[r] = row->time_ms;
		if (row->time_ms >= 0) timed++;
	}
	a->time_mode = t->nrows >= 2 && timed * 2 >= t->nrows;
}

static void widen(double *lo, double *hi, double v)
{
	if (v < *lo) *lo = v;
	if (v > *hi) *hi = v;
}

/* Time axis domain: the dated terms, log lines and restarts, 2 % + 0.5 s of margin. */
static void domain_time(const timeline *t, double *lo, double *hi)
{
	for (size_t r = 0; r < t->nrows; r++) if (t->a.row_time[r] >= 0) widen(lo, hi, (double)t->a.row_time[r]);
	for (size_t i = 0; i < t->n; i++) {
		const ea_node *nd = t->nodes[i];
		for (size_t k = 0; k < ea_node_logs(nd)->nevents; k++)
			if (ea_node_logs(nd)->events[k].time_ms >= 0) widen(lo, hi, (double)ea_node_logs(nd)->events[k].time_ms);
		for (size_t k = 0; k < ea_node_history(nd)->nrestarts; k++)
			if (ea_node_history(nd)->restarts[k].started_ms > 0) widen(lo, hi, (double)ea_node_history(nd)->restarts[k].started_ms);
	}
	double pad = (*hi - *lo) * 0.02 + 500;
	*lo -= pad;
	*hi += pad;
}

/* Index axis domain: every node's log, its superseded ranges and the terms' entries. */
static void domain_index(const timeline *t, double *lo, double *hi)
{
	for (size_t i = 0; i < t->n; i++) {
		const ea_node *nd = t->nodes[i];
		if (!ea_node_wal(nd)->present || !ea_node_wal(nd)->summary.have_entries) continue;
		widen(lo, hi, (double)(ea_node_wal(nd)->first_index ? ea_node_wal(nd)->first_index : 1));
		widen(lo, hi, (double)ea_node_wal(nd)->summary.last_index + 1);
		for (size_t s = 0; s < ea_node_history(nd)->nsup; s++) widen(lo, hi, (double)ea_node_history(nd)->sup[s].to_index + 1);
	}
	for (size_t r = 0; r < t->nrows; r++)
		if (t->terms->rows[r].entries) widen(lo, hi, (double)t->terms->rows[r].last_index + 1);
	if (*lo > 1) *lo = *lo - 1;
	if (!(*lo < *hi)) { *lo = 0; *hi = 1; }
	*hi += (*hi - *lo) * 0.01 + 1;
}

static void axis_domain(timeline *t)
{
	double lo = INFINITY, hi = -INFINITY;
	if (t->a.time_mode) domain_time(t, &lo, &hi);
	else domain_index(t, &lo, &hi);
	if (!(lo < hi)) { lo = 0; hi = 1; }
	t->a.lo = lo;
	t->a.hi = hi;
}

void ea__rep_esc_n(FILE *f, const char *s, size_t n) { esc_n(f, s, n); }

double ea__rep_index_step(double lo, double hi)
{
	double step;
	nice_ticks(lo, hi, &step);
	return step;
}

double ea__rep_time_step(double span_ms)
{
	double step;
	time_step(span_ms, &step);
	return step;
}

int ea_report_time_axis(ea_node *const *nodes, size_t n, const ea_terms *terms)
{
	double lo, hi;
	return ea__rep_index_domain(nodes, n, terms, &lo, &hi);
}

int ea__rep_index_domain(ea_node *const *nodes, size_t n, const ea_terms *terms, double *lo, double *hi)
{
	timeline t;
	int time_mode = 0;
	*lo = INFINITY;
	*hi = -INFINITY;
	if (timeline_init(&t, NULL, nodes, n, terms) == 0) {
		axis_terms(&t);
		time_mode = t.a.time_mode;
		domain_index(&t, lo, hi);
	}
	timeline_free(&t);
	if (!(*lo < *hi)) { *lo = 0; *hi = 1; }
	return time_mode;
}

/* The <svg> element, its pattern defs, the lane backgrounds and the axis. */
static void svg_open(timeline *t)
{
	FILE *f = t->f;
	t->y_cluster = AXIS_H;
	t->y_nodes = t->y_cluster + CLUSTER_H;
	t->height = t->y_nodes + LANE_H * (double)t->n + 10;
	fprintf(f, "<svg id=\"timeline-svg\" viewBox=\"0 0 %.0f %.0f\" "
	           "role=\"img\" aria-label=\"timeline\" data-axis=\"%s\">", SVG_W, t->height, t->a.time_mode ? "time" : "index");
	fputs(svg_defs, f);
	for (size_t i = 0; i <= t->n; i++) {
		double y = i == 0 ? t->y_cluster : t->y_nodes + LANE_H * (double)(i - 1);
		double h = i == 0 ? CLUSTER_H : LANE_H;
		if (i % 2 == 1) fprintf(f, "<rect class=\"lanebg\" x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\"/>", y, SVG_W, h);
	}
	svg_axis(f, &t->a, AXIS_H - 4, t->height - 6);
}

/* Cluster lane: a run of failed elections at one place from term row r, drawn as one
 * hatched band. Returns the row after the run. */
static size_t term_failed_band(timeline *t, size_t r)
{
	FILE *f = t->f;
	axis *a = &t->a;
	const ea_term_row *rows = t->terms->rows, *row = &rows[r];
	size_t e = r;
	while (e + 1 < t->nrows && rows[e + 1].failed_election && (a->time_mode || a->anchor[e + 1] == a->anchor[r]))
		e++;
	double x0, x1;
	if (!place(a, row->term, 0, -1, &x0)) { a->not_drawn += e - r + 1; return e + 1; }
	if (a->time_mode) {
		if (!place(a, rows[e].term, 0, -1, &x1)) x1 = x0;
		double xn;
		if (e + 1 < t->nrows && place(a, rows[e + 1].term, 0, -1, &xn)) x1 = xn;
	} else {
		x1 = x0;
	}
	if (x1 - x0 < 8) { x0 -= 4; x1 = x0 + 8; }
	fprintf(f, "<g class=\"term failed\" data-term=\"%" PRIu64 "\" data-term-last=\"%" PRIu64 "\">",
	        row->term, rows[e].term);
	char tt[160];
	if (e > r)
		snprintf(tt, sizeof tt, "terms %" PRIu64 "-%" PRIu64 ": %zu failed elections (votes, no entries)",
		         row->term, rows[e].term, e - r + 1);
	else
		snprintf(tt, sizeof tt, "term %" PRIu64 ": failed election (votes, no entries)", row->term);
	fprintf(f, "<rect class=\"tfail\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\">", x0, t->y_cluster + 6,
	        x1 - x0);
	svg_title(f, tt);
	fputs("</rect>", f);
	char lab[64];
	if (e > r) snprintf(lab, sizeof lab, "\xE2\x9C\x97 T%" PRIu64 "-%" PRIu64, row->term, rows[e].term);
	else snprintf(lab, sizeof lab, "\xE2\x9C\x97 T%" PRIu64, row->term);
	if (label_fits(a, t->n, 1, x0, strlen(lab) - 2))
		fprintf(f, "<text class=\"tl fail\" x=\"%.1f\" y=\"%.1f\">%s</text>", x0, t->y_cluster + 40, lab);
	fputs("</g>", f);
	return e + 1;
}

/* A term band's label: "T3 n3" / "T3" / nothing, as the band allows. */
static void term_label(timeline *t, const ea_term_row *row, int lk, double x0)
{
	FILE *f = t->f;
	ea_node *const *nodes = t->nodes;
	char lab[96];
	if (row->leader)
		snprintf(lab, sizeof lab, "T%" PRIu64 " %s", row->term, lk >= 0 ? ea_node_name(nodes[lk]) : "");
	else
		snprintf(lab, sizeof lab, "T%" PRIu64, row->term);
	size_t chars = strlen(lab);
	double lx = x0 + 2;
	if (chars > 24) chars = 24;
	if (label_fits(&t->a, t->n, 0, lx, chars)) {
		fprintf(f, "<text class=\"tl%s\" x=\"%.1f\" y=\"%.1f\">", row->leader ? " lead" : "", lx, t->y_cluster + 40);
		if (row->leader) {
			fprintf(f, "T%" PRIu64 " ", row->term);
			esc_n(f, lk >= 0 ? ea_node_name(nodes[lk]) : "", lk >= 0 ? (strlen(ea_node_name(nodes[lk])) > 20 ? 20 : strlen(ea_node_name(nodes[lk]))) : 0);
			if (lk < 0) fprintf(f, "%" PRIx64, row->leader);
		} else {
			fprintf(f, "T%" PRIu64, row->term);
		}
		fputs("</text>", f);
	} else if (label_fits(&t->a, t->n, 2, lx, 4)) {
		fprintf(f, "<text class=\"tl\" x=\"%.1f\" y=\"%.1f\">T%" PRIu64 "</text>", lx, t->y_cluster + 51, row->term);
	}
}

/* Cluster lane: term row r as a band (shaded in turn) labelled with its leader. */
static void term_band(timeline *t, size_t r, int *shade)
{
	FILE *f = t->f;
	axis *a = &t->a;
	ea_node *const *nodes = t->nodes;
	const ea_term_row *row = &t->terms->rows[r];
	double x0, x1;
	int ok;
	if (a->time_mode) {
		ok = place(a, row->term, 0, -1, &x0);
		x1 = PLOT_X1;
		for (size_t q = r + 1; q < t->nrows; q++) if (place(a, t->terms->rows[q].term, 0, -1, &x1)) break;
	} else {
		ok = row->entries != 0;
		x0 = xpos(a, (double)row->first_index);
		x1 = xpos(a, (double)row->last_index + 1);
	}
	if (!ok) { if (row->leader) a->not_drawn++; return; }
	if (x1 - x0 < 2) x1 = x0 + 2;
	int lk = node_of_member(nodes, t->n, row->leader);
	fprintf(f, "<g class=\"term\" id=\"svg-term-%" PRIu64 "\" data-term=\"%" PRIu64 "\"", row->term, row->term);
	if (row->leader) fprintf(f, " data-leader=\"%" PRIx64 "\"", row->leader);
	fputs(">", f);
	fprintf(f, "<a href=\"#term-%" PRIu64 "\"><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\">",
	        row->term, *shade ? "tB" : "tA", x0, t->y_cluster + 6, x1 - x0);
	*shade ^= 1;
	char tt[400];
	int m = snprintf(tt, sizeof tt, "term %" PRIu64, row->term);
	if (row->leader) m += snprintf(tt + m, sizeof tt - (size_t)m, ", leader %" PRIx64 "%s%s%s", row->leader,
	                               lk >= 0 ? " (" : "", lk >= 0 ? ea_node_name(nodes[lk]) : "", lk >= 0 ? ")" : "");
	if (row->entries)
		snprintf(tt + m, sizeof tt - (size_t)m, ", entries %" PRIu64 "..%" PRIu64 " (%s)", row->first_index,
		         row->last_index, row->leader_basis ? row->leader_basis : "");
	svg_title(f, tt);
	fputs("</rect></a>", f);
	term_label(t, row, lk, x0);
	fputs("</g>", f);
}

/* The cluster lane: one band per term, labelled with its leader. */
static void cluster_lane(timeline *t)
{
	FILE *f = t->f;
	fprintf(f, "<g class=\"lane cluster\" id=\"lane-cluster\">");
	fprintf(f, "<text class=\"lname\" x=\"12\" y=\"%.1f\">terms</text>", t->y_cluster + 22);
	fprintf(f, "<text class=\"lsub\" x=\"12\" y=\"%.1f\">leader of each term</text>", t->y_cluster + 37);
	size_t r = 0;
	int shade = 0;
	while (r < t->nrows) {
		if (t->terms->rows[r].failed_election) {
			r = term_failed_band(t, r);
			continue;
		}
		term_band(t, r, &shade);
		r++;
	}
	fputs("</g>", f);
}

/* Node lane i: its <g>, name, last/commit index and member ID. */
static void lane_header(timeline *t, size_t i, double y)
{
	FILE *f = t->f;
	const ea_node *nd = t->nodes[i];
	fprintf(f, "<g class=\"lane\" id=\"lane-%zu\" data-node=\"", i);
	esc(f, ea_node_name(nd));
	fputs("\">", f);
	fprintf(f, "<a href=\"#node-%zu\"><text class=\"lname\" x=\"12\" y=\"%.1f\">", i, y + 24);
	esc_n(f, ea_node_name(nd), strlen(ea_node_name(nd)) > 18 ? 18 : strlen(ea_node_name(nd)));
	fputs("</text></a>", f);
	if (ea_node_wal(nd)->present && ea_node_wal(nd)->summary.have_entries)
		fprintf(f, "<text class=\"lsub\" x=\"12\" y=\"%.1f\">last %" PRIu64 " \xC2\xB7 commit %" PRIu64 "</text>",
		        y + 40, ea_node_wal(nd)->summary.last_index, ea_node_wal(nd)->summary.hard_state.commit);
	else
		fprintf(f, "<text class=\"lsub\" x=\"12\" y=\"%.1f\">%s</text>", y + 40, ea_node_wal(nd)->present ? "no entries" : "no WAL");
	if (ea_node_wal(nd)->present && ea_node_wal(nd)->summary.have_metadata)
		fprintf(f, "<text class=\"lsub\" x=\"12\" y=\"%.1f\">%" PRIx64 "</text>", y + 54, ea_node_wal(nd)->summary.member_id);
}

/* Node lane i: the log, committed part and uncommitted tail (index axis only; a plain line
 * otherwise). */
static void lane_log_bar(timeline *t, size_t i, double ybar)
{
	FILE *f = t->f;
	axis *a = &t->a;
	const ea_node *nd = t->nodes[i];
	if (a->time_mode || !ea_node_wal(nd)->present || !ea_node_wal(nd)->summary.have_entries) {
		fprintf(f, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", PLOT_X0, ybar, PLOT_X1, ybar);
		return;
	}
	double b0 = xpos(a, (double)(ea_node_wal(nd)->first_index ? ea_node_wal(nd)->first_index : 1));
	uint64_t commit = ea_node_wal(nd)->summary.hard_state.commit < ea_node_wal(nd)->summary.last_index ? ea_node_wal(nd)->summary.hard_state.commit : ea_node_wal(nd)->summary.last_index;
	double bc = xpos(a, (double)commit + 1), b1 = xpos(a, (double)ea_node_wal(nd)->summary.last_index + 1);
	fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"7\"><title>entries %" PRIu64
	           "..%" PRIu64 " committed</title></rect>", b0, ybar - 3.5, bc > b0 ? bc - b0 : 1, ea_node_wal(nd)->first_index, commit);
	if (ea_node_wal(nd)->summary.last_index > commit) {
		fprintf(f, "<rect class=\"tail\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"7\"><title>entries %" PRIu64
		           "..%" PRIu64 " beyond this node's commit index</title></rect>",
		        bc, ybar - 3.5, b1 - bc > 1 ? b1 - bc : 1, commit + 1, ea_node_wal(nd)->summary.last_index);
		char lab[64];
		snprintf(lab, sizeof lab, "not committed %" PRIu64 "-%" PRIu64, commit + 1, ea_node_wal(nd)->summary.last_index);
		if (label_fits(a, i, 1, bc + 4, strlen(lab)))
			fprintf(f, "<text class=\"rst\" x=\"%.1f\" y=\"%.1f\">%s</text>", bc + 4, ybar + 16, lab);
	}
}

/* Node lane i: superseded ranges (index axis: their extent). */
static void lane_superseded(timeline *t, size_t i, double ybar)
{
	FILE *f = t->f;
	axis *a = &t->a;
	const ea_node *nd = t->nodes[i];
	for (size_t s = 0; !a->time_mode && s < ea_node_history(nd)->nsup; s++) {
		const ea_superseded_range *sr = &ea_node_history(nd)->sup[s];
		double s0 = xpos(a, (double)sr->from_index), s1 = xpos(a, (double)sr->to_index + 1);
		if (s1 - s0 < 4) s1 = s0 + 4;
		char tt[300];
		snprintf(tt, sizeof tt, "superseded: entries %" PRIu64 "..%" PRIu64 " of term %" PRIu64 " written, never "
		         "committed, overwritten by term %" PRIu64 " (%s+%" PRIu64 ")", sr->from_index, sr->to_index,
		         sr->term, sr->by_term, sr->segment < ea_node_wal(nd)->nsegments ? ea_node_wal(nd)->segments[sr->segment].file : "?", sr->offset);
		fprintf(f, "<g class=\"mark superseded\" data-event=\"superseded\" data-from=\"%" PRIu64 "\" data-to=\"%" PRIu64 "\">"
		           "<rect class=\"sup\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\">", sr->from_index,
		        sr->to_index, s0, ybar - 7, s1 - s0);
		svg_title(f, tt);
		fputs("</rect>", f);
		char lab[80];
		snprintf(lab, sizeof lab, "superseded %" PRIu64 "-%" PRIu64 " (T%" PRIu64 ")", sr->from_index, sr->to_index, sr->term);
		if (label_fits(a, i, 1, s0, strlen(lab)))
			fprintf(f, "<text class=\"supt\" x=\"%.1f\" y=\"%.1f\">%s</text>", s0, ybar - 10, lab);
		fputs("</g>", f);
	}
}

/* The marker class of a timeline event and its lane row (0 top .. 2), or NULL: not drawn. */
static const char *event_class(const char *event, int time_mode, int *row)
{
	*row = 2;
	if (!strcmp(event, "vote")) { *row = 0; return "m-vote"; }
	if (!strcmp(event, "term-start")) { *row = 0; return "m-term"; }
	if (!strcmp(event, "snapshot")) return "m-snap";
	if (!strcmp(event, "snapshot-install")) return "m-inst";
	if (!strcmp(event, "conf-change")) return "m-conf";
	if (!strcmp(event, "compaction")) return "m-comp";
	if (!strcmp(event, "alarm")) return "m-alarm";
	if (!strcmp(event, "superseded") && time_mode) { *row = 1; return "sup"; }
	return NULL;
}

/* Opens the shape of marker class cls at (x, ym); returns its closing tag. */
static const char *mark_shape(FILE *f, const char *cls, double x, double ym)
{
	if (!strcmp(cls, "m-vote") || !strcmp(cls, "m-term")) {
		fprintf(f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\">", cls, x, ym);
		return "</circle>";
	}
	if (!strcmp(cls, "m-snap") || !strcmp(cls, "m-inst")) {
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\">", cls, x - 4.5, ym - 4.5);
		return "</rect>";
	}
	if (!strcmp(cls, "m-conf")) fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fl5 9h-10z\">", cls, x, ym - 5);
	else if (!strcmp(cls, "m-comp")) fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fv10\">", cls, x, ym - 5);
	else if (!strcmp(cls, "m-alarm")) fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fl6 10h-12z\">", cls, x, ym - 6);
	else {
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"14\">", cls, x - 4, ym - 7);
		return "</rect>";
	}
	return "</path>";
}

/* Node lane i: event k as a marker linked to its row in the events table. 1 if drawn. */
static int event_mark(timeline *t, size_t i, double y, double ybar, size_t k, const ea_event *e)
{
	FILE *f = t->f;
	axis *a = &t->a;
	int row;
	const char *cls = event_class(e->event, a->time_mode, &row);
	if (!cls) return 0;
	double x;
	if (!place(a, e->term, e->index, e->time_source && strcmp(e->time_source, "segment-mtime") ? e->time_ms : -1, &x)) {
		a->not_drawn++;
		return 0;
	}
	x = dodge(a, i, row, x);
	double ym = row == 0 ? y + 12 : row == 1 ? ybar : y + 50;
	fprintf(f, "<a href=\"#ev-%zu\"><g class=\"mark %s\" data-event=\"%s\"", k, e->event, e->event);
	if (e->term) fprintf(f, " data-term=\"%" PRIu64 "\"", e->term);
	if (e->index) fprintf(f, " data-index=\"%" PRIu64 "\"", e->index);
	fputs(">", f);
	char tt[400];
	snprintf(tt, sizeof tt, "%s, term %" PRIu64 ", index %" PRIu64 ": %s", e->event, e->term, e->index, e->detail);
	const char *close = mark_shape(f, cls, x, ym);
	svg_title(f, tt);
	fputs(close, f);
	if (!strcmp(cls, "m-inst")) {
		char lab[64];
		snprintf(lab, sizeof lab, "snapshot install @%" PRIu64, e->index);
		if (label_fits(a, i, 2, x + 8, strlen(lab)))
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x + 8, ym + 4, lab);
	}
	fputs("</g></a>", f);
	return 1;
}

/* Node lane i: markers from the timeline events of this node (at most MAX_MARKS_PER_LANE). */
static void lane_event_marks(timeline *t, size_t i, double y, double ybar, const ea_event *ev, size_t nev)
{
	size_t marks = 0;
	for (size_t k = 0; k < nev && marks < MAX_MARKS_PER_LANE; k++) {
		if (lane_of_name(t->nodes, t->n, ev[k].node) != (int)i) continue;
		if (event_mark(t, i, y, ybar, k, &ev[k])) marks++;
	}
}

/* Was restart rs (of node j's WAL) already seen in the WAL of a node before j? */
static int restart_seen_before(ea_node *const *nodes, size_t j, const ea_restart *rs)
{
	int dup = 0;
	for (size_t jj = 0; jj < j && !dup; jj++)
		for (size_t kk = 0; kk < ea_node_history(nodes[jj])->nrestarts && !dup; kk++)
			dup = ea_node_history(nodes[jj])->restarts[kk].member_low16 == rs->member_low16 &&
			      ea_node_history(nodes[jj])->restarts[kk].started_ms == rs->started_ms;
	return dup;
}

/* Node lane i: member restart rs, with its time as label where it fits. */
static void restart_mark(timeline *t, size_t i, double y, const ea_restart *rs)
{
	FILE *f = t->f;
	axis *a = &t->a;
	double x;
	/* a restart seen in another member's WAL at an index this copy does not hold
	 * (e.g. after the copy was taken) is not drawn on its lane: the tables have it */
	if (!in_log_range(t->nodes[i], rs->first_index) ||
	    !place(a, rs->term, rs->first_index, rs->started_ms, &x)) { a->not_drawn++; return; }
	char tm[40];
	fmt_time(tm, sizeof tm, rs->started_ms);
	fprintf(f, "<g class=\"mark restart\" data-event=\"member-start\" data-index=\"%" PRIu64 "\">"
	           "<path class=\"m-restart\" d=\"M%.1f %.1fv%.1f\"/><circle class=\"m-restart-f\" cx=\"%.1f\" "
	           "cy=\"%.1f\" r=\"3.5\"><title>member (re)started at %s (request IDs); first request at index %"
	           PRIu64 ", term %" PRIu64 "</title></circle>",
	        rs->first_index, x, y + 4, LANE_H - 8, x, y + 4, tm, rs->first_index, rs->term);
	char lab[48];
	snprintf(lab, sizeof lab, "\xE2\x86\xBB %s", tm[0] != '-' && strlen(tm) > 19 ? tm + 11 : "start");
	if (strlen(lab) > 12) lab[12] = 0;   /* "\u21bb HH:MM:SS" */
	if (label_fits(a, i, 3, x + 3, 12))
		fprintf(f, "<text class=\"rst\" x=\"%.1f\" y=\"%.1f\">%s</text>", x + 3, y + LANE_H - 4, lab);
	else if (x + 3 + 12 * 6.3 > SVG_W - 2 && label_fits(a, i, 3, x - 3 - 12 * 6.3, 12))
		fprintf(f, "<text class=\"rst\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", x - 3,
		        y + LANE_H - 4, lab);
	fputs("</g>", f);
}

/* Node lane i: member restarts found in any node's WAL, on the lane of the member that
 * restarted, each once. */
static void lane_restarts(timeline *t, size_t i, double y)
{
	ea_node *const *nodes = t->nodes;
	for (size_t j = 0; j < t->n; j++)
		for (size_t k = 0; k < ea_node_history(nodes[j])->nrestarts; k++) {
			const ea_restart *rs = &ea_node_history(nodes[j])->restarts[k];
			if (node_of_member(nodes, t->n, rs->member_id) != (int)i) continue;
			if (restart_seen_before(nodes, j, rs)) continue;
			restart_mark(t, i, y, rs);
		}
}

/* Node lane i: etcd's log lines (time axis only). */
static void lane_log_lines(timeline *t, size_t i, double y)
{
	FILE *f = t->f;
	const ea_node *nd = t->nodes[i];
	for (size_t k = 0; t->a.time_mode && k < ea_node_logs(nd)->nevents; k++) {
		const ea_log_event *le = &ea_node_logs(nd)->events[k];
		if (le->time_ms < 0) continue;
		double x = xpos(&t->a, (double)le->time_ms);
		fprintf(f, "<path class=\"lg %s\" d=\"M%.1f %.1fv8\"><title>", log_class(le->event), x, y + 58);
		char tm[40];
		fmt_time(tm, sizeof tm, le->time_ms);
		esc(f, tm);
		fputs(" ", f);
		esc(f, le->event);
		fputs(": ", f);
		esc(f, le->detail);
		fprintf(f, " (log line %" PRIu64 ")</title></path>", le->line);
	}
}

/* Node lane i: WAL problem p as a damage mark, placed at its segment's first index (index
 * axis) or last write (time axis). */
static void wal_damage_mark(timeline *t, size_t i, double ybar, size_t p)
{
	FILE *f = t->f;
	axis *a = &t->a;
	const ea_node *nd = t->nodes[i];
	const ea_problem *pr = &ea_node_wal(nd)->summary.problems[p].p;
	double x = PLOT_X1 - 6;
	for (size_t s = 0; pr->file && s < ea_node_wal(nd)->nsegments; s++) {
		if (strcmp(ea_node_wal(nd)->segments[s].file, pr->file) != 0) continue;
		if (!a->time_mode) x = xpos(a, (double)(ea_node_wal(nd)->segments[s].first_index ? ea_node_wal(nd)->segments[s].first_index : 1));
		else if (ea_node_wal(nd)->segments[s].mtime) x = xpos(a, (double)ea_node_wal(nd)->segments[s].mtime * 1000);
	}
	x = dodge(a, i, 3, x);
	fprintf(f, "<a href=\"#problem-%zu-%zu\"><g class=\"mark damage\" data-kind=\"", i, p);
	esc(f, pr->kind);
	fprintf(f, "\"><path class=\"m-dmg\" d=\"M%.1f %.1fl8 8m0 -8l-8 8\"><title>", x - 4, ybar + 12);
	esc(f, pr->kind);
	fputs(" ", f);
	esc(f, pr->file ? pr->file : "-");
	fprintf(f, "+%" PRIu64 ": ", pr->offset == EA_NO_OFFSET ? 0 : pr->offset);
	esc(f, pr->message);
	fputs("</title></path>", f);
	if (label_fits(a, i, 1, x + 6, strlen(pr->kind))) {
		fprintf(f, "<text class=\"dmgt\" x=\"%.1f\" y=\"%.1f\">", x + 6, ybar + 20);
		esc(f, pr->kind);
		fputs("</text>", f);
	}
	fputs("</g></a>", f);
}

/* Node lane i: damage, its WAL problems (warnings and worse, at most MAX_DMG_PER_LANE
 * drawn) and its db's. */
static void lane_damage(timeline *t, size_t i, double y, double ybar)
{
	FILE *f = t->f;
	axis *a = &t->a;
	const ea_node *nd = t->nodes[i];
	size_t dmg = 0, dmg_total = 0;
	for (size_t p = 0; ea_node_wal(nd)->present && p < ea_node_wal(nd)->summary.problem_count; p++) {
		if (ea_node_wal(nd)->summary.problems[p].p.severity < EA_SEV_WARNING) continue;
		dmg_total++;
		if (dmg >= MAX_DMG_PER_LANE) continue;
		wal_damage_mark(t, i, ybar, p);
		dmg++;
	}
	if (dmg_total > dmg)
		fprintf(f, "<text class=\"dmgt\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">+%zu more problems</text>",
		        PLOT_X1, y + 12, dmg_total - dmg);
	if (!ea_node_db(nd)->present || !ea_node_db(nd)->problems) return;
	double x = PLOT_X1 - 6;
	if (!a->time_mode && ea_node_db(nd)->consistent_index) x = xpos(a, (double)ea_node_db(nd)->consistent_index);
	x = dodge(a, i, 3, x);
	fprintf(f, "<a href=\"#problems-%zu\"><g class=\"mark damage db\" data-kind=\"db-damage\">"
	           "<path class=\"m-dmg\" d=\"M%.1f %.1fl8 8m0 -8l-8 8\"><title>", i, x - 4, ybar + 12);
	fprintf(f, "%zu problem%s in the bbolt db ", ea_node_db(nd)->problems, ea_node_db(nd)->problems == 1 ? "" : "s");
	esc(f, ea_node_db(nd)->file ? ea_node_db(nd)->file : "");
	if (ea_node_db(nd)->first_problem) { fputs(": ", f); esc(f, ea_node_db(nd)->first_problem->message); }
	fputs("</title></path>", f);
	if (label_fits(a, i, 1, x + 6, 9))
		fprintf(f, "<text class=\"dmgt\" x=\"%.1f\" y=\"%.1f\">db damage</text>", x + 6, ybar + 20);
	fputs("</g></a>", f);
}

/* Node lane i, whole. */
static void node_lane(timeline *t, size_t i, const ea_event *ev, size_t nev)
{
	double y = t->y_nodes + LANE_H * (double)i;
	double ybar = y + 30;
	lane_header(t, i, y);
	lane_log_bar(t, i, ybar);
	lane_superseded(t, i, ybar);
	lane_event_marks(t, i, y, ybar, ev, nev);
	lane_restarts(t, i, y);
	lane_log_lines(t, i, y);
	lane_damage(t, i, y, ybar);
	fputs("</g>", t->f);
}

/* Finding k at an index: a dashed line across the lanes of the nodes involved (divergences;
 * lagging and the like in the warning colour). */
static void finding_line(timeline *t, size_t k, const ea_finding *fd)
{
	FILE *f = t->f;
	int is_div = ea_finding_kind_get(fd->kind_id)->draw == EA_FK_DRAW_DIVERGENCE;
	if (ea_finding_kind_get(fd->kind_id)->draw == EA_FK_DRAW_NONE)
		return;
	double x;
	if (!place(&t->a, 0, fd->index, -1, &x)) { t->a.not_drawn++; return; }
	int first = -1, last = -1;
	for (size_t i = 0; i < t->n && i < 32; i++)
		if (fd->node_mask & (1u << i)) { if (first < 0) first = (int)i; last = (int)i; }
	if (first < 0) return;
	double y0 = t->y_nodes + LANE_H * first + 2, y1 = t->y_nodes + LANE_H * (last + 1) - 2;
	fprintf(f, "<a href=\"#finding-%zu\"><g class=\"mark finding%s\" data-kind=\"%s\" data-index=\"%" PRIu64 "\">",
	        k, is_div ? " divergence" : "", fd->kind, fd->index);
	fprintf(f, "<line class=\"divl\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", x, y0, x, y1);
	if (!is_div) fputs(" style=\"stroke:var(--warn)\"", f);
	fputs("><title>", f);
	esc(f, fd->kind);
	fprintf(f, " at index %" PRIu64 ": ", fd->index);
	esc(f, fd->detail);
	fputs("</title></line>", f);
	char lab[80];
	snprintf(lab, sizeof lab, "%s @%" PRIu64, fd->kind, fd->index);
	double lx = x + 5;
	if (lx + (double)strlen(lab) * 6.3 > SVG_W - 4) lx = x - 5 - (double)strlen(lab) * 6.3;
	if (label_fits(&t->a, (size_t)first, 0, lx, strlen(lab)))
		fprintf(f, "<text class=\"divt\" x=\"%.1f\" y=\"%.1f\"%s>%s</text>", lx, y0 + 11,
		        is_div ? "" : " style=\"fill:var(--warn)\"", lab);
	fputs("</g></a>", f);
}

/* The legend under the picture: the axis, every mark drawn on this axis, what was left out. */
static void legend(FILE *f, const axis *a)
{
	fputs("<div class=\"legend\" id=\"legend\">", f);
	fprintf(f, "<span><b>x axis:</b>&nbsp;%s</span>",
	        a->time_mode ? "UTC time from etcd's logs (events without a time of their own sit at their term's first log line)"
	                     : "raft index (no log times for most terms; pass --logs NAME=FILE for a time axis)");
#define SW(shape, text) fputs("<span><svg viewBox=\"0 0 18 14\" aria-hidden=\"true\">" shape "</svg>" text "</span>", f)
	SW("<rect class=\"tA\" x=\"0\" y=\"2\" width=\"18\" height=\"10\"/>", "term, labelled with its leader");
	SW("<rect class=\"tfail\" x=\"0\" y=\"2\" width=\"18\" height=\"10\"/>", "failed election(s)");
	SW("<circle class=\"m-vote\" cx=\"9\" cy=\"7\" r=\"4\"/>", "vote cast (HardState)");
	SW("<circle class=\"m-term\" cx=\"9\" cy=\"7\" r=\"4\"/>", "entered term without voting");
	if (!a->time_mode) {
		SW("<rect class=\"bar\" x=\"0\" y=\"4\" width=\"18\" height=\"6\"/>", "log, committed");
		SW("<rect class=\"tail\" x=\"0\" y=\"4\" width=\"18\" height=\"6\"/>", "log beyond the node's commit");
	}
	SW("<rect class=\"sup\" x=\"1\" y=\"1\" width=\"16\" height=\"12\"/>", "superseded entries (overwritten)");
	SW("<rect class=\"m-snap\" x=\"5\" y=\"3\" width=\"8\" height=\"8\"/>", "WAL snapshot");
	SW("<rect class=\"m-inst\" x=\"5\" y=\"3\" width=\"8\" height=\"8\"/>", "snapshot installed from the leader");
	SW("<path class=\"m-conf\" d=\"M9 2l5 9h-10z\"/>", "membership change");
	SW("<path class=\"m-restart\" d=\"M9 1v12\"/><circle class=\"m-restart-f\" cx=\"9\" cy=\"3\" r=\"3\"/>", "member (re)start");
	SW("<path class=\"m-dmg\" d=\"M5 3l8 8m0 -8l-8 8\"/>", "damage (WAL / db)");
	SW("<path class=\"divl\" d=\"M9 0v14\"/>", "divergence (finding at an index)");
	if (a->time_mode) {
		SW("<path class=\"lg lg-leader\" d=\"M5 2v10\"/><path class=\"lg lg-elect\" d=\"M9 2v10\"/>"
		   "<path class=\"lg lg-slow\" d=\"M13 2v10\"/>", "etcd log: leader / election / slow disk or apply");
	}
#undef SW
	if (a->not_drawn)
		fprintf(f, "<span class=\"muted\">%zu item%s without a position on this axis are only in the tables</span>",
		        a->not_drawn, a->not_drawn == 1 ? "" : "s");
	fputs("<span class=\"muted\">hover a marker for details; click it for its row below</span></div>\n", f);
}

/* The timeline picture: axis, cluster lane of terms, one lane per node with its marks,
 * divergence lines across lanes, then the legend. */
static void svg_timeline(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms, const ea_diff *d,
                         const ea_event *ev, size_t nev)
{
	timeline t;
	if (timeline_init(&t, f, nodes, n, terms) != 0) {
		fputs("<p class=\"muted\">(timeline omitted: out of memory)</p>", f);
		timeline_free(&t);
		return;
	}
	axis_terms(&t);
	axis_domain(&t);
	svg_open(&t);
	cluster_lane(&t);
	for (size_t i = 0; i < n; i++) node_lane(&t, i, ev, nev);
	for (size_t k = 0; d && k < d->nfindings; k++)
		if (d->findings[k].index && d->findings[k].node_mask) finding_line(&t, k, &d->findings[k]);
	fputs("</svg>\n", f);
	legend(f, &t.a);
	timeline_free(&t);
}

/* ---- sections ---- */

static const char *worst_severity(const ea_diff *d)
{
	int w = 0;
	for (size_t k = 0; d && k < d->nfindings; k++) {
		if (!strcmp(d->findings[k].severity, "critical")) w = 2;
		else if (!strcmp(d->findings[k].severity, "warning") && w < 1) w = 1;
	}
	return w == 2 ? "critical" : w == 1 ? "warning" : "ok";
}

/* A verdict of "consistent" or "lagging" says the logs agree; warnings and critical findings
 * next to it (an election storm, damage) are named in the headline, not left to the list.
 * The verdict's own finding ("lagging") is not a caveat of itself. */
static int is_caveat(const ea_diff *d, const ea_finding *fd)
{
	return strcmp(fd->severity, "info") != 0 && strcmp(fd->kind, ea_verdict_name(d->verdict)) != 0;
}

static void verdict_caveat(FILE *f, const ea_diff *d)
{
	if (d->verdict != EA_VERDICT_CONSISTENT && d->verdict != EA_VERDICT_LAGGING) return;
	size_t crit = 0, warn = 0;
	for (size_t k = 0; k < d->nfindings; k++)
		if (is_caveat(d, &d->findings[k])) { if (!strcmp(d->findings[k].severity, "critical")) crit++; else warn++; }
	if (!crit && !warn) return;
	fprintf(f, "<p id=\"verdict-caveat\"><b>But:</b> ");
	if (crit) fprintf(f, "%zu critical", crit);
	if (warn) fprintf(f, "%s%zu warning", crit ? " and " : "", warn);
	fputs(" finding", f);
	if (crit + warn > 1) fputc('s', f);
	fputs(" (", f);
	int any = 0;
	for (size_t k = 0; k < d->nfindings; k++) {
		const ea_finding *fd = &d->findings[k];
		if (!is_caveat(d, fd)) continue;
		int seen = 0;
		for (size_t j = 0; j < k && !seen; j++) seen = is_caveat(d, &d->findings[j]) && !strcmp(d->findings[j].kind, fd->kind);
		if (seen) continue;
		fprintf(f, "%s<a href=\"#finding-%zu\">%s</a>", any ? ", " : "", k, fd->kind);
		any = 1;
	}
	fputs("): the logs agree, but this cluster was not healthy. Read the findings before trusting it.</p>\n", f);
}

static void section_verdict(FILE *f, ea_node *const *nodes, size_t n, const ea_diff *d, const ea_report_options *o)
{
	size_t crit = 0, warn = 0, info = 0;
	for (size_t k = 0; k < d->nfindings; k++) {
		if (!strcmp(d->findings[k].severity, "critical")) crit++;
		else if (!strcmp(d->findings[k].severity, "warning")) warn++;
		else info++;
	}
	fprintf(f, "<header id=\"verdict\" class=\"sev-%s\" data-verdict=\"%s\">\n", worst_severity(d),
	        ea_verdict_name(d->verdict));
	fputs("<h1>", f);
	esc(f, o->title ? o->title : "etcd incident report");
	fputs("</h1>\n", f);
	fprintf(f, "<p>Verdict: <span class=\"vname\" id=\"verdict-name\">%s</span></p>\n", ea_verdict_name(d->verdict));
	fprintf(f, "<p id=\"verdict-text\">%s</p>\n", verdict_text(d->verdict));
	verdict_caveat(f, d);
	fputs("<p id=\"recommendation\"><b>Restore from:</b> ", f);
	if (d->recommended >= 0 && (size_t)d->recommended < n) {
		fprintf(f, "<a href=\"#node-%d\" id=\"recommended\" class=\"badge rec\">", d->recommended);
		esc(f, ea_node_name(nodes[d->recommended]));
		fputs("</a> ", f);
	}
	esc(f, d->recommendation);
	fputs("</p>\n", f);
	fprintf(f, "<p class=\"muted\">%zu node%s \xC2\xB7 <a href=\"#findings\">%zu finding%s</a> (%zu critical, %zu warning, "
	           "%zu info)", n, n == 1 ? "" : "s", d->nfindings, d->nfindings == 1 ? "" : "s", crit, warn, info);
	if (d->first_divergent_index)
		fprintf(f, " \xC2\xB7 first divergent index <b>%" PRIu64 "</b>", d->first_divergent_index);
	if (o->generated_ms >= 0) {
		char t[48];
		int64_t ms = o->generated_ms ? o->generated_ms : (int64_t)time(NULL) * 1000;
		ea_format_time_ms(t, sizeof t, ms);
		fprintf(f, " \xC2\xB7 generated %s", t);
	}
	fputs("</p>\n</header>\n", f);
}

/* The cluster version (the db's cluster bucket), the db's meta term (etcd 3.5+) and the
 * storage version etcd 3.6+ detects (schema.go: meta/storageVersion, else 3.5 from a non-zero
 * meta term, else its error), "-" when the node has no db or the db does not store it. */
/* "yes"/"no"/"?" with etcd's reasons as the tooltip */
static void verdict_cell(FILE *f, const char *cls, int v, const char (*why)[224], size_t n)
{
	fprintf(f, "<td class=\"%s\" title=\"", cls);
	for (size_t i = 0; i < n && why[i][0]; i++) {
		if (i) fputs("; ", f);
		esc(f, why[i]);
	}
	fprintf(f, "\">%s</td>", v > 0 ? "yes" : v == 0 ? "no" : "?");
}

/* The WAL's minimum etcd version (etcdutl migrate's rule) and "ready for 3.6", as db stat. */
static void node_upgrade(FILE *f, const ea_node *nd, const ea_mvcc_info *info)
{
	ea_upgrade_report r;
	if (!info) {
		fputs("<td class=\"min-etcd\">-</td><td class=\"ready-36\">-</td>", f);
		return;
	}
	const ea_wal_versions *v = ea_node_wal_versions(nd);   /* collected when the node was read */
	ea_upgrade_from(ea_node_input(nd), v ? &ea_node_wal(nd)->summary : NULL, v, info, &r);
	if (!r.have_wal) fputs("<td class=\"min-etcd\" title=\"no WAL in this input\">-</td>", f);
	else if (r.wal.has_version && !r.wal.fails && !r.wal.read_fails && !r.wal.incomplete) {
		fprintf(f, "<td class=\"mono min-etcd\" title=\"entry %" PRIu64 ": ", r.wal.index);
		esc(f, r.wal.what ? r.wal.what : "");
		fputs("\">", f);
		esc(f, r.wal.version);
		fputs("</td>", f);
	} else fputs("<td class=\"min-etcd\" title=\"see db stat\">?</td>", f);
	verdict_cell(f, "ready-36", r.facts.ready36, r.facts.ready36_why, 5);
}

static void node_versions(FILE *f, const ea_node *nd)
{
	fputs("<td class=\"mono cluster-version\">", f);
	if (ea_node_db(nd)->present && ea_node_db(nd)->cluster_version[0]) esc(f, ea_node_db(nd)->cluster_version);
	else fputs("-", f);
	fputs("</td>", f);
	if (ea_node_db(nd)->present && ea_node_db(nd)->have_term)
		fprintf(f, "<td class=\"num meta-term\">%" PRIu64 "</td>", ea_node_db(nd)->term);
	else fputs("<td class=\"meta-term\" title=\"not stored (etcd writes meta/term since 3.5)\">-</td>", f);
	ea_mvcc_info info;
	int have_info = ea_node_db(nd)->present && ea_node_mvcc(nd) && ea_mvcc_info_scan(ea_node_mvcc(nd), &info) == EA_OK;
	if (!have_info)
		fputs("<td class=\"storage-version\">-</td>", f);
	else if (info.schema.ok) {
		fprintf(f, "<td class=\"mono storage-version\" title=\"%s\">", info.schema.from_storage_version ?
		        "meta/storageVersion (etcd 3.6+)" : "no storageVersion, a non-zero meta term: etcd 3.6 reads it as 3.5");
		esc(f, info.schema.version);
		fputs("</td>", f);
	} else {
		fputs("<td class=\"storage-version\" title=\"etcd 3.6 cannot detect it: ", f);
		esc(f, info.schema.error);
		fputs("\">none</td>", f);
	}
	node_upgrade(f, nd, have_info ? &info : NULL);
}

static void section_nodes(FILE *f, ea_node *const *nodes, size_t n, const ea_diff *d)
{
	fputs("<section id=\"nodes-section\"><h2>Nodes</h2><div class=\"wrap\"><table id=\"nodes\">\n<thead><tr>"
	      "<th>name</th><th>member id</th><th>last index</th><th>last term</th><th>commit</th>"
	      "<th>consistent index</th><th>revision</th><th>compacted</th><th>cluster version</th><th>meta term</th><th>storage version</th><th>WAL min etcd</th><th>ready for 3.6</th>"
	      "<th>hash (at revision)</th><th>damage</th>", f);
	ea__rep_replay_th(f);
	fputs("<th>findings</th><th>path</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < n; i++) {
		const ea_node *nd = nodes[i];
		int w = ea_node_wal(nd)->present;
		fprintf(f, "<tr id=\"node-%zu\" class=\"node\" data-name=\"", i);
		esc(f, ea_node_name(nd));
		fputs("\"><td><b>", f);
		esc(f, ea_node_name(nd));
		fputs("</b>", f);
		if (d->recommended == (int)i) fputs(" <span class=\"badge rec\">recommended</span>", f);
		fputs("</td>", f);
		if (w && ea_node_wal(nd)->summary.have_metadata) fprintf(f, "<td class=\"mono\">%" PRIx64 "</td>", ea_node_wal(nd)->summary.member_id);
		else fputs("<td>-</td>", f);
		if (w && ea_node_wal(nd)->summary.have_entries)
			fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td>", ea_node_wal(nd)->summary.last_index,
			        ea_node_wal(nd)->summary.last_term);
		else fputs("<td>-</td><td>-</td>", f);
		if (w && ea_node_wal(nd)->summary.have_hard_state) fprintf(f, "<td class=\"num\">%" PRIu64 "</td>", ea_node_wal(nd)->summary.hard_state.commit);
		else fputs("<td>-</td>", f);
		if (!ea_node_db(nd)->present)
			fputs("<td>-</td><td>-</td><td>-</td>", f);
		else if (ea_node_db(nd)->compact_revision > 0)
			fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRId64 "</td><td class=\"num\">%" PRId64
			           "</td>", ea_node_db(nd)->consistent_index, ea_node_db(nd)->revision, ea_node_db(nd)->compact_revision);
		else
			fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRId64 "</td><td>none</td>",
			        ea_node_db(nd)->consistent_index, ea_node_db(nd)->revision);
		node_versions(f, nd);
		if (ea_node_db(nd)->present && ea_node_db(nd)->hash_revision > 0)
			fprintf(f, "<td class=\"mono\">%" PRIu32 " (@%" PRId64 ")</td>", ea_node_db(nd)->hash, ea_node_db(nd)->hash_revision);
		else fputs("<td>-</td>", f);
		size_t dmg = node_damage(nd);
		if (dmg) fprintf(f, "<td class=\"num\"><a href=\"#problems-%zu\">%zu</a></td>", i, dmg);
		else fputs("<td class=\"num\">0</td>", f);
		ea__rep_replay_cell(f, nd);
		fputs("<td>", f);
		int any = 0;
		for (size_t k = 0; k < d->nfindings; k++)
			if (i < 32 && (d->findings[k].node_mask & (1u << i))) {
				int ref = is_reference(d, &d->findings[k], i);
				fprintf(f, "%s%s<a href=\"#finding-%zu\">%s</a>%s", any ? ", " : "",
				        ref ? "<span class=\"muted\">reference for " : "", k, d->findings[k].kind, ref ? "</span>" : "");
				any = 1;
			}
		if (!any) fputs("-", f);
		fputs("</td><td class=\"mono\">", f);
		esc_path(f, ea_node_path(nd));
		if (ea_node_logs(nd)->path) {
			fputs("<br>log: ", f);
			esc_path(f, ea_node_logs(nd)->path);
			fprintf(f, " (%" PRIu64 " lines, %" PRIu64 " events)", ea_node_logs(nd)->stats.lines, ea_node_logs(nd)->stats.events);
		}
		if (ea_node_db(nd)->unreadable) { fputs("<br>db unreadable: ", f); esc(f, ea_node_db(nd)->unreadable); }
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

static void section_findings(FILE *f, ea_node *const *nodes, size_t n, const ea_diff *d)
{
	fprintf(f, "<section id=\"findings\"><h2>Findings (%zu)</h2>\n", d->nfindings);
	if (!d->nfindings) fputs("<p id=\"no-findings\">No findings: the copies agree.</p>\n", f);
	else fputs("<ol class=\"findings\" id=\"findings-list\">\n", f);
	for (size_t k = 0; k < d->nfindings; k++) {
		const ea_finding *fd = &d->findings[k];
		fprintf(f, "<li id=\"finding-%zu\" class=\"finding sev-%s\" data-kind=\"%s\" data-severity=\"%s\"",
		        k, fd->severity, fd->kind, fd->severity);
		if (fd->index) fprintf(f, " data-index=\"%" PRIu64 "\"", fd->index);
		fprintf(f, "><b class=\"kind\">%s</b> <span class=\"badge sev sev-%s\">%s</span>", fd->kind, fd->severity,
		        fd->severity);
		if (fd->index) fprintf(f, " at index <b>%" PRIu64 "</b>", fd->index);
		if (fd->revision >= 0) fprintf(f, " at revision <b>%" PRId64 "</b>", fd->revision);
		if (fd->node_mask) {
			fputs(" \xE2\x80\x94 nodes: ", f);
			int any = 0, ref = -1;
			for (size_t i = 0; i < n && i < 32; i++)
				if (fd->node_mask & (1u << i)) {
					if (is_reference(d, fd, i)) { ref = (int)i; continue; }
					fprintf(f, "%s<a class=\"node-link\" href=\"#node-%zu\">", any ? ", " : "", i);
					esc(f, ea_node_name(nodes[i]));
					fputs("</a>", f);
					any = 1;
				}
			if (ref >= 0) {
				fprintf(f, "; compared with <a class=\"node-link ref\" href=\"#node-%d\">", ref);
				esc(f, ea_node_name(nodes[ref]));
				fputs("</a> (the recommended member)", f);
			}
		}
		fputs("<br><span class=\"detail\">", f);
		esc_detail(f, fd->detail);
		fputs("</span></li>\n", f);
	}
	if (d->nfindings) fputs("</ol>\n", f);

	/* problems found by the readers, by file and byte offset */
	size_t total = 0;
	for (size_t i = 0; i < n; i++) total += node_damage(nodes[i]);
	if (total) {
		fputs("<h3 id=\"problems\">Problems in the inputs (file+offset)</h3>\n<div class=\"wrap\"><table id=\"problems-table\">"
		      "<thead><tr><th>node</th><th>severity</th><th>kind</th><th>file+offset</th><th>length</th><th>meaning</th>"
		      "</tr></thead><tbody>\n", f);
		for (size_t i = 0; i < n; i++) {
			const ea_node *nd = nodes[i];
			size_t shown = 0, more = 0;
			int first_row = 1;
			for (size_t p = 0; ea_node_wal(nd)->present && p < ea_node_wal(nd)->summary.problem_count; p++) {
				const ea_problem *pr = &ea_node_wal(nd)->summary.problems[p].p;
				if (pr->severity < EA_SEV_WARNING) continue;
				if (shown == 200) { more++; continue; }
				shown++;
				fprintf(f, "<tr id=\"problem-%zu-%zu\" class=\"problem\"", i, p);
				if (first_row) fprintf(f, " data-first=\"1\"");
				fputs(" data-kind=\"", f);
				esc(f, pr->kind);
				fprintf(f, "\"><td><a href=\"#node-%zu\">", i);
				if (first_row) fprintf(f, "<span id=\"problems-%zu\"></span>", i);
				first_row = 0;
				esc(f, ea_node_name(nd));
				fprintf(f, "</a></td><td><span class=\"badge sev-%s\">%s</span></td><td>",
				        pr->severity == EA_SEV_ERROR ? "critical" : "warning", ea_severity_name(pr->severity));
				esc(f, pr->kind);
				fputs("</td><td><code class=\"loc\">", f);
				esc(f, pr->file ? pr->file : "-");
				if (pr->offset != EA_NO_OFFSET) fprintf(f, "+%" PRIu64, pr->offset);
				fputs("</code></td>", f);
				if (pr->length) fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td>", pr->length);
				else fputs("<td>-</td><td>", f);
				esc(f, pr->message);
				fputs("</td></tr>\n", f);
			}
			if (more) fprintf(f, "<tr><td colspan=\"6\" class=\"muted\">%zu more problems on this node: see "
			                     "<code>etcd-autopsy wal ls</code> or the export's problems table</td></tr>\n", more);
			if (ea_node_db(nd)->present && ea_node_db(nd)->problems) {
				fprintf(f, "<tr class=\"problem db\" data-kind=\"%s\"><td><a href=\"#node-%zu\">",
				        ea_finding_kind_get(EA_FK_DB_DAMAGE)->name, i);
				if (first_row) fprintf(f, "<span id=\"problems-%zu\"></span>", i);
				esc(f, ea_node_name(nd));
				fprintf(f, "</a></td><td><span class=\"badge sev-%s\">%s</span></td><td>",
				        ea_node_db(nd)->errors ? "critical" : "warning", ea_node_db(nd)->errors ? "error" : "warning");
				const ea_problem *fp = ea_node_db(nd)->first_problem;
				esc(f, fp ? fp->kind : "db");
				fputs("</td><td><code class=\"loc\">", f);
				esc(f, fp && fp->file ? fp->file : ea_node_db(nd)->file ? ea_node_db(nd)->file : "-");
				if (fp && fp->offset != EA_NO_OFFSET) fprintf(f, "+%" PRIu64, fp->offset);
				fputs("</code></td><td>-</td><td>", f);
				fprintf(f, "%zu problem%s in the bbolt db; first: ", ea_node_db(nd)->problems, ea_node_db(nd)->problems == 1 ? "" : "s");
				esc(f, ea_node_db(nd)->unreadable ? ea_node_db(nd)->unreadable : fp ? fp->message : "?");
				fputs("</td></tr>\n", f);
			}
		}
		fputs("</tbody></table></div>\n", f);
	}
	fputs("</section>\n", f);
}

static void section_terms(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *t)
{
	fprintf(f, "<section id=\"terms-section\"><h2>Terms (%zu)</h2>\n", t->nrows);
	fprintf(f, "<p class=\"muted\">%zu failed election%s (longest run %zu); highest term %" PRIu64 ", highest term "
	           "with entries %" PRIu64 ".</p>\n", t->failed_elections, t->failed_elections == 1 ? "" : "s",
	        t->longest_failed_run, t->max_term, t->max_term_with_entries);
	fputs("<div class=\"wrap\"><table id=\"terms\"><thead><tr><th>term</th><th>leader</th><th>basis</th>"
	      "<th>first index</th><th>last index</th><th>entries</th><th>votes (voter\xE2\x86\x92" "candidate)</th>"
	      "<th>failed election</th><th>first log line (UTC)</th></tr></thead><tbody>\n", f);
	for (size_t r = 0; r < t->nrows; r++) {
		const ea_term_row *row = &t->rows[r];
		fprintf(f, "<tr id=\"term-%" PRIu64 "\" class=\"term%s\" data-term=\"%" PRIu64 "\"", row->term,
		        row->failed_election ? " failed" : "", row->term);
		if (row->leader) fprintf(f, " data-leader=\"%" PRIx64 "\"", row->leader);
		fprintf(f, " data-failed=\"%d\"><td class=\"num\">%" PRIu64 "</td><td>", row->failed_election, row->term);
		if (row->leader) member_label(f, nodes, n, row->leader); else fputs("-", f);
		if (row->leader_mismatch) {
			fputs(" <span class=\"badge sev-warning\">log says ", f);
			fprintf(f, "%" PRIx64 "</span>", row->log_leader);
		}
		fputs("</td><td>", f);
		esc(f, row->leader_basis ? row->leader_basis : "-");
		fputs("</td>", f);
		if (row->entries)
			fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td>", row->first_index, row->last_index);
		else fputs("<td>-</td><td>-</td>", f);
		fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"mono\">", row->entries);
		for (size_t v = 0; v < row->nvotes; v++) {
			int a = node_of_member(nodes, n, row->votes[v].voter), b = node_of_member(nodes, n, row->votes[v].voted_for);
			if (v) fputs(", ", f);
			if (a >= 0) esc(f, ea_node_name(nodes[a])); else fprintf(f, "%" PRIx64, row->votes[v].voter);
			fputs("\xE2\x86\x92", f);
			if (b >= 0) esc(f, ea_node_name(nodes[b])); else fprintf(f, "%" PRIx64, row->votes[v].voted_for);
		}
		if (!row->nvotes) fputs("-", f);
		fprintf(f, "</td><td>%s</td><td class=\"mono\">", row->failed_election ? "<b class=\"badge sev-critical\">yes</b>" : "-");
		char tm[48];
		fmt_time(tm, sizeof tm, row->time_ms);
		fputs(tm, f);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

#define MAX_EVENT_ROWS 5000

static void section_events(FILE *f, const ea_event *ev, size_t nev)
{
	fprintf(f, "<section id=\"events-section\"><h2>Timeline events (%zu)</h2>\n<details id=\"events\"><summary>"
	           "show all events (the same as <code>etcd-autopsy history</code>)</summary>\n<div class=\"wrap\">"
	           "<table id=\"events-table\"><thead><tr><th>time (UTC)</th><th>source</th><th>term</th><th>index</th>"
	           "<th>node</th><th>event</th><th>detail</th></tr></thead><tbody>\n", nev);
	for (size_t k = 0; k < nev && k < MAX_EVENT_ROWS; k++) {
		const ea_event *e = &ev[k];
		char tm[48];
		fmt_time(tm, sizeof tm, e->time_ms);
		fprintf(f, "<tr id=\"ev-%zu\" data-event=\"", k);
		esc(f, e->event);
		fprintf(f, "\"><td class=\"mono\">%s</td><td>", tm);
		esc(f, e->time_source ? e->time_source : "-");
		fputs("</td>", f);
		if (e->term) fprintf(f, "<td class=\"num\"><a href=\"#term-%" PRIu64 "\">%" PRIu64 "</a></td>", e->term, e->term);
		else fputs("<td>-</td>", f);
		if (e->index) fprintf(f, "<td class=\"num\">%" PRIu64 "</td>", e->index); else fputs("<td>-</td>", f);
		fputs("<td>", f);
		esc(f, e->node ? e->node : "(cluster)");
		fputs("</td><td>", f);
		esc(f, e->event);
		fputs("</td><td>", f);
		esc_detail(f, e->detail);
		fputs("</td></tr>\n", f);
	}
	if (nev > MAX_EVENT_ROWS)
		fprintf(f, "<tr><td colspan=\"7\" class=\"muted\">%zu more events: see <code>etcd-autopsy history</code> or "
		           "the export's events table</td></tr>\n", nev - MAX_EVENT_ROWS);
	fputs("</tbody></table></div></details></section>\n", f);
}

static void shell_word(FILE *f, const char *s)
{
	int plain = *s != 0;
	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_./=:+,@%", *p);
	if (plain) { esc(f, s); return; }
	fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '\'') fputs("'\\''", f);
		else esc_n(f, p, 1);
	}
	fputc('\'', f);
}

/* Where the ready queries are, named relative to an install prefix or the source tree */
static const char *queries_dir_shown(const char *dir)
{
	static const char *const known[] = { "share/etcd-autopsy/queries", "docs/queries" };
	if (!dir || !*dir) return "queries";
	size_t l = strlen(dir);
	while (l > 1 && dir[l - 1] == '/') l--;
	for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
		size_t kl = strlen(known[k]);
		if (l >= kl && strncmp(dir + l - kl, known[k], kl) == 0 && (l == kl || dir[l - kl - 1] == '/')) return known[k];
	}
	return dir[0] == '/' ? "queries" : dir;
}

static void section_sql(FILE *f, ea_node *const *nodes, size_t n, const ea_report_options *o)
{
	fputs("<section id=\"sql\"><h2>Continue in SQL</h2>\n<p>Everything above, and every entry, record and revision, "
	      "goes into one SQLite database (schema: <code>docs/schema.md</code>):</p>\n<pre id=\"export-command\">", f);
	if (o->export_command) {
		esc_cmdline(f, o->export_command);
	} else {
		fputs("etcd-autopsy export -o incident.sqlite", f);
		for (size_t i = 0; i < n; i++) {
			fputc(' ', f);
			const char *path = ea_node_path(nodes[i]), *b = path;
			if (path[0] == '/')   /* the last component only (see esc_path) */
				for (const char *q = path; *q; q++) if (*q == '/' && q[1] && q[1] != '/') b = q + 1;
			size_t len = strlen(ea_node_name(nodes[i])) + strlen(b) + 2;
			char *w = malloc(len);
			if (!w) continue;
			snprintf(w, len, "%s=%s", ea_node_name(nodes[i]), b);
			shell_word(f, w);
			free(w);
		}
	}
	fputs("</pre>\n", f);
	const char *dir = queries_dir_shown(o->queries_dir);
	if (o->nqueries) {
		fputs("<p>Ready queries (paths relative to etcd-autopsy's install prefix, or its source tree for "
		      "<code>docs/queries</code>):</p>\n<ul id=\"queries\">\n", f);
		for (size_t q = 0; q < o->nqueries; q++) {
			fputs("<li class=\"query\" data-name=\"", f);
			esc(f, o->queries[q].name);
			fputs("\"><code>", f);
			esc(f, o->queries[q].name);
			fputs("</code>", f);
			if (o->queries[q].summary) { fputs(": ", f); esc(f, o->queries[q].summary); }
			fputs("<br><code class=\"muted\">sqlite3 incident.sqlite &lt; ", f);
			esc(f, dir);
			fputc('/', f);
			esc(f, o->queries[q].name);
			fputs("</code></li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("<p>For example: <code>sqlite3 incident.sqlite \"SELECT term, leader, first_index, last_index FROM terms "
	      "ORDER BY term\"</code></p>\n</section>\n", f);
}

int ea_report_write(FILE *f, ea_node *const *nodes, size_t n, const ea_terms *terms, const ea_diff *diff,
                    const ea_event *events, size_t nevents, const ea_report_options *opts)
{
	ea_report_options defaults = EA_REPORT_OPTIONS_INIT;
	const ea_report_options *o = opts ? opts : &defaults;
	ea_terms no_terms;
	memset(&no_terms, 0, sizeof no_terms);
	if (!terms) terms = &no_terms;
	ea_diff no_diff;
	memset(&no_diff, 0, sizeof no_diff);
	no_diff.recommended = -1;
	if (!diff) diff = &no_diff;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"color-scheme\" content=\"light dark\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"generator\" content=\"etcd-autopsy " EA_VERSION "\">\n<title>", f);
	esc(f, o->title ? o->title : "etcd incident report");
	fprintf(f, ": %s%s</title>\n<style>\n%s%s%s</style>\n</head>\n<body>\n", ea_verdict_name(diff->verdict),
	        diff->verdict == EA_VERDICT_CONSISTENT && strcmp(worst_severity(diff), "ok") ? " (with warnings)" : "",
	        css, ea__rep_replay_css, ea__rep_k8s_css);
	section_verdict(f, nodes, n, diff, o);
	section_nodes(f, nodes, n, diff);
	fputs("<section id=\"timeline\"><h2>Timeline</h2>\n", f);
	svg_timeline(f, nodes, n, terms, diff, events, nevents);
	fputs("</section>\n", f);
	ea__rep_k8s_section(f, nodes, n, terms, o->version >= 2 ? o->k8s_load : NULL);
	section_findings(f, nodes, n, diff);
	section_terms(f, nodes, n, terms);
	section_events(f, events, nevents);
	section_sql(f, nodes, n, o);
	fputs("<footer>Written by etcd-autopsy " EA_VERSION " (offline, read-only). ", f);
	if (o->command_line) {
		fputs("Command: <code>", f);
		esc_cmdline(f, o->command_line);
		fputs("</code>", f);
	}
	fputs("</footer>\n</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f)) return EA_EIO;
	return EA_OK;
}
