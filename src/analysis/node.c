/* node.c: ea_node, everything one member's WAL says about its history, gathered in one
 * streaming pass over the ea_log cursor (plus the `wal stat` summary). Per-entry data is
 * never kept: only per-term rows, overwrite ranges, membership changes, compactions,
 * alarms and process starts, all bounded by events rather than by log size. */
#include "node_int.h"
#include "etcd-autopsy/entry_iter.h"
#include "etcd-autopsy/walltime.h"
#include "util/vec.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_TERMS     (1u << 20)
#define MAX_EVENTS    (1u << 16)   /* per kind: conf changes, ranges, restarts, markers */

#define GROW(arr, n, cap_expr) do {                                                    \
		if (EA_VEC_RESERVE((arr), (n))) return EA_ENOMEM;                          \
		(void)(cap_expr);                                                          \
	} while (0)

static char *derive_name(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/') n--;
	const char *end = path + n;
	const char *s = end;
	while (s > path && s[-1] != '/') s--;
	size_t len = (size_t)(end - s);
	static const char *exts[] = { ".tar.gz", ".tar.zst", ".tar.xz", ".tar.bz2", ".tgz", ".tar", ".zip", NULL };
	for (int i = 0; exts[i]; i++) {
		size_t el = strlen(exts[i]);
		if (len > el && strncmp(s + len - el, exts[i], el) == 0) { len -= el; break; }
	}
	return strndup(s, len);
}

static ea_node_term *term_row(ea_node *n, uint64_t term)
{
	size_t lo = 0, hi = n->hist.nterms;
	if (hi && n->hist.terms[hi - 1].term < term) lo = hi;   /* common case: a new, higher term */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (n->hist.terms[mid].term == term) return &n->hist.terms[mid];
		if (n->hist.terms[mid].term < term) lo = mid + 1; else hi = mid;
	}
	if (n->hist.nterms >= MAX_TERMS) return NULL;
	if (EA_VEC_RESERVE(n->hist.terms, n->hist.nterms)) return NULL;
	memmove(&n->hist.terms[lo + 1], &n->hist.terms[lo], (n->hist.nterms - lo) * sizeof *n->hist.terms);
	n->hist.nterms++;
	ea_node_term *t = &n->hist.terms[lo];
	memset(t, 0, sizeof *t);
	t->term = term;
	return t;
}

const ea_node_term *ea_node_find_term(const ea_node *n, uint64_t term)
{
	size_t lo = 0, hi = n->hist.nterms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (n->hist.terms[mid].term == term) return &n->hist.terms[mid];
		if (n->hist.terms[mid].term < term) lo = mid + 1; else hi = mid;
	}
	return NULL;
}

typedef struct {
	uint16_t low16;
	int64_t last_ms;
	uint64_t entries_since;
} proposer_state;

typedef struct {
	ea_node *n;
	proposer_state prop[64];
	size_t nprop;
	long open_sup;           /* index into n->hist.sup of the range being extended, -1 if none */
	uint64_t last_index;     /* last surviving entry so far */
	uint64_t pending_snap_index, pending_snap_term;   /* a WAL snapshot record ahead of the log */
	uint64_t learners[64];   /* members added as learners, to tell a promotion from an add */
	size_t nlearners;
} pass_state;

/* A process start of the proposer of `it` (request IDs carry their generator's start time). */
static int note_proposer(pass_state *ps, const ea_entry_item *it, uint64_t index, uint64_t term)
{
	ea_node *n = ps->n;
	const ea_entry_info *info = &it->info;
	proposer_state *p = NULL;
	for (size_t i = 0; i < ps->nprop; i++) if (ps->prop[i].low16 == info->proposer_low16) p = &ps->prop[i];
	for (size_t i = 0; i < ps->nprop; i++) ps->prop[i].entries_since++;
	int is_new = 0;
	if (!p) {
		if (ps->nprop == 64) return EA_OK;
		p = &ps->prop[ps->nprop++];
		p->low16 = info->proposer_low16;
		is_new = 1;
	} else {
		/* the 8-bit counter overflows into the timestamp: one ms per 256 ids */
		int64_t drift = (int64_t)(p->entries_since / 256) + 1000;
		if (info->proposer_started_ms - p->last_ms > drift) is_new = 1;
	}
	if (is_new && n->hist.nrestarts < MAX_EVENTS) {
		GROW(n->hist.restarts, n->hist.nrestarts, 0);
		n->hist.restarts[n->hist.nrestarts++] = (ea_restart){ info->proposer_low16, it->proposer, info->proposer_started_ms, index, term };
		p->last_ms = info->proposer_started_ms;
		p->entries_since = 0;
	} else if (info->proposer_started_ms > p->last_ms) {
		p->entries_since = 0;
		p->last_ms = info->proposer_started_ms;
	}
	return EA_OK;
}

static int on_entry(pass_state *ps, const ea_entry_item *it)
{
	ea_node *n = ps->n;
	const ea_log_item *li = &it->log;
	const ea_wal_record *r = &li->item.rec;
	const ea_entry_header *e = &r->u.entry;
	ea_node_term *t = term_row(n, e->term);
	if (!t) return EA_ELIMIT;
	if (t->entries == 0) {
		t->first_index = e->index;
		t->last_index = e->index;
		t->leader_noop = e->type == 0 && e->data_len == 0;
	}
	if (e->index < t->first_index) t->first_index = e->index;
	if (e->index > t->last_index) t->last_index = e->index;
	t->entries++;
	if (li->superseded) {
		t->superseded++;
		ea_superseded_range *s = ps->open_sup >= 0 ? &n->hist.sup[ps->open_sup] : NULL;
		if (s && s->term == e->term && s->by_term == li->superseded_by_term && s->to_index + 1 == e->index) {
			s->to_index = e->index;
		} else if (n->hist.nsup < MAX_EVENTS) {
			GROW(n->hist.sup, n->hist.nsup, 0);
			n->hist.sup[n->hist.nsup] = (ea_superseded_range){ e->index, e->index, e->term, li->superseded_by_term,
			                                         r->segment, r->offset };
			ps->open_sup = (long)n->hist.nsup++;
		}
	} else {
		ps->open_sup = -1;
		if (!n->wal.first_index || e->index < n->wal.first_index) n->wal.first_index = e->index;
		if (ps->pending_snap_index && e->index == ps->pending_snap_index + 1 && ps->pending_snap_index > ps->last_index &&
		    n->hist.ninstalls < MAX_EVENTS) {
			GROW(n->hist.installs, n->hist.ninstalls, 0);
			ea_marker *m = &n->hist.installs[n->hist.ninstalls++];
			m->index = ps->pending_snap_index;
			m->term = ps->pending_snap_term;
			snprintf(m->detail, sizeof m->detail, "log jumps from %" PRIu64 " to %" PRIu64 ": snapshot received from the leader",
			         ps->last_index, e->index);
			n->wal.first_index = e->index;   /* what etcd replays starts after the snapshot */
		}
		ps->pending_snap_index = 0;
		ps->last_index = e->index;
	}

	if (e->type == 0 && e->data_len == 0) return EA_OK;
	const ea_entry_info *info = &it->info;
	const char *kind = info->kind;
	if (info->cc_type >= 0) {
		if (info->cc_type == 3 && ps->nlearners < 64) ps->learners[ps->nlearners++] = info->cc_node_id;
		if (info->cc_type == 0)
			for (size_t k = 0; k < ps->nlearners; k++)
				if (ps->learners[k] == info->cc_node_id) {
					kind = "confchange:promote";   /* AddNode of a learner promotes it */
					ps->learners[k] = ps->learners[--ps->nlearners];
					break;
				}
		/* etcd applies an AddNode as a promotion when its context says so (ConfigChangeContext
		 * IsPromote), also when the learner's add is not in this WAL (it joined by snapshot) */
		if (info->cc_type == 0 && info->cc_context && strstr(info->cc_context, "\"isPromote\":true"))
			kind = "confchange:promote";
		if (n->hist.nconf < MAX_EVENTS) {
			GROW(n->hist.conf, n->hist.nconf, 0);
			ea_conf_change *c = &n->hist.conf[n->hist.nconf++];
			memset(c, 0, sizeof *c);
			c->index = e->index;
			c->term = e->term;
			c->kind = kind;            /* static strings for conf changes */
			c->member_id = info->cc_node_id;
			c->superseded = li->superseded;
			c->committed = it->state == EA_ENTRY_COMMITTED;
			if (info->cc_context) c->context = strdup(info->cc_context);
		}
	} else if (strcmp(info->kind, "compaction") == 0 || strcmp(info->kind, "alarm") == 0) {
		int comp = info->kind[0] == 'c';
		ea_marker **arr = comp ? &n->hist.compactions : &n->hist.alarms;
		size_t *cnt = comp ? &n->hist.ncompactions : &n->hist.nalarms;
		if (*cnt < MAX_EVENTS) {
			if (ea__vec_reserve((void **)arr, *cnt, sizeof **arr)) return EA_ENOMEM;
			ea_marker *m = &(*arr)[(*cnt)++];
			m->index = e->index;
			m->term = e->term;
			snprintf(m->detail, sizeof m->detail, "%s%s", info->detail ? info->detail : "",
			         li->superseded ? " (superseded)" : "");
		}
	}
	if (!li->superseded && (strcmp(info->kind, "auth_enable") == 0 || strcmp(info->kind, "auth_disable") == 0) &&
	    n->hist.nauth_changes < MAX_EVENTS) {
		if (ea__vec_reserve((void **)&n->hist.auth_changes, n->hist.nauth_changes, sizeof *n->hist.auth_changes)) return EA_ENOMEM;
		ea_marker *m = &n->hist.auth_changes[n->hist.nauth_changes++];
		m->index = e->index;
		m->term = e->term;
		snprintf(m->detail, sizeof m->detail, "%s", info->kind);
	}
	if (info->request_id && info->proposer_started_ms >= 0)
		return note_proposer(ps, it, e->index, e->term);
	return EA_OK;
}

ea_walltime *ea_node_take_walltime(ea_node *n)
{
	ea_walltime *w = n->wt;
	n->wt = NULL;
	return w;
}

/* the time anchors of the history pass, when asked for (ea_walltime_collect) */
static int history_walltime(ea_node *n, ea_walltime_collector *c, const ea_node_open_opts *o)
{
	memset(c, 0, sizeof *c);
	if (!o || !(o->flags & EA_NODE_OPEN_WALLTIME)) return EA_OK;
	if (ea_k8s_new(&c->k, o->k8s_prefix) || ea_walltime_new(&n->wt)) return EA_ENOMEM;
	c->w = n->wt;
	return EA_OK;
}

/* The second pass of the node's log (the first one computed n->wal.summary). */
static int read_history(ea_node *n, ea_log *log, const ea_node_open_opts *opts)
{
	int rc;
	ea_walltime_collector wc;
	if ((rc = history_walltime(n, &wc, opts)) != EA_OK) { ea_k8s_free(wc.k); return rc; }
	pass_state ps;
	memset(&ps, 0, sizeof ps);
	ps.n = n;
	ps.open_sup = -1;
	/* restarts are named by this WAL's own member and the members its conf changes add */
	ea_entry_iter_options o = { .members = ea_log_members_added(log) };
	ea_entry_iter *iter;
	if ((rc = ea_entry_iter_new(&iter, log, &o)) != EA_OK) { ea_k8s_free(wc.k); return rc; }
	const ea_entry_item *it;
	while ((rc = ea_entry_iter_next(&it, iter)) == EA_OK) {
		if (wc.w && (rc = ea_walltime_collect(&wc, it, log)) != EA_OK) break;
		if (it->log.item.kind != EA_WAL_ITEM_RECORD || !it->log.item.rec.decoded) continue;
		const ea_wal_record *r = &it->log.item.rec;
		if (r->type == EA_WAL_STATE) {
			ea_node_term *t = term_row(n, r->u.state.term);
			if (!t) { rc = EA_ELIMIT; break; }
			if (!t->saw_state) {
				t->saw_state = 1;
				t->first_state_offset = r->offset;
				t->first_state_segment = r->segment;
			}
			if (r->u.state.vote) t->vote = r->u.state.vote;
		} else if (r->type == EA_WAL_ENTRY) {
			if ((rc = on_entry(&ps, it)) != EA_OK) break;
		} else if (r->type == EA_WAL_SNAPSHOT && r->u.snap.index > ps.last_index) {
			ps.pending_snap_index = r->u.snap.index;
			ps.pending_snap_term = r->u.snap.term;
		}
	}
	if (rc == EA_ITEROVER) rc = wc.w ? ea_walltime_collect_end(&wc, log) : EA_OK;
	ea_entry_iter_free(iter);
	ea_k8s_free(wc.k);
	return rc;
}

static void ea__copy_error(ea_error *dst, const ea_error *src)
{
	if (dst && src) *dst = *src;
}

/* The db next to the WAL (member/snap/db), or the db/backup file the node is. A db that
 * cannot be opened at all (both meta pages bad) is a finding, not an error. */
static int read_db(ea_node *n, ea_error *err)
{
	ea_error dberr = { 0 };
	size_t idx;
	if (ea_bolt_locate(n->in, &idx, &dberr) != EA_OK) return EA_OK;   /* no db here */
	n->db.file = strdup(ea_input_at(n->in, idx)->name);
	int rc = ea_mvcc_open(&n->mvcc, n->in, NULL, &dberr);
	if (rc == EA_ENOMEM) return rc;
	n->db.present = 1;
	if (rc != EA_OK) {
		/* unreadable db: keep the reason as the first problem */
		n->db.problems = 1;
		n->db.errors = 1;
		n->db.unreadable = strdup(dberr.msg);
		(void)err;
		return EA_OK;
	}
	/* one walk: the structural check, the key bucket's checks and HashKV */
	ea_bolt_check_result chk;
	ea_bolt *b = ea_mvcc_bolt(n->mvcc);
	ea_hashkv_result h;
	ea_error herr;
	if (ea_mvcc_check_hash(n->mvcc, &chk, &h, &herr) == EA_OK) {
		n->db.hash = h.hash;
		n->db.hash_revision = h.hash_revision;
	}
	ea_mvcc_info info;
	if (ea_mvcc_info_scan(n->mvcc, &info) == EA_OK) {
		n->db.consistent_index = info.have_consistent_index ? info.consistent_index : 0;
		n->db.revision = info.revision;
		n->db.compact_revision = info.compact_revision;
		snprintf(n->db.cluster_version, sizeof n->db.cluster_version, "%s", info.cluster_version);
		n->db.have_term = info.have_term;
		n->db.term = info.term;
	}
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++) {
		const ea_problem *p = ea_bolt_problem_at(b, i);
		if (p->severity == EA_SEV_INFO) continue;
		if (!n->db.first_problem || (p->severity == EA_SEV_ERROR && !n->db.errors)) n->db.first_problem = p;
		n->db.problems++;
		if (p->severity == EA_SEV_ERROR) n->db.errors++;
	}
	return EA_OK;
}

static int open_input(ea_node **out, const char *name, ea_input *in, const ea_node_open_opts *o, ea_error *err);

int ea_node_open_with(ea_node **out, const char *name, const char *path, const ea_node_open_opts *o, ea_error *err)
{
	*out = NULL;
	ea_input *in;
	int rc = ea_input_open(&in, path, err);
	if (rc) return rc;
	return open_input(out, name, in, o, err);
}

int ea_node_open(ea_node **out, const char *name, const char *path, ea_error *err)
{
	return ea_node_open_with(out, name, path, NULL, err);
}

/* A node is read in three steps: the shell (names), the WAL part (two ea_log passes and the
 * history) and the db part (one walk). The WAL and db parts share nothing but the input, so
 * ea_node_open_many runs them as separate tasks. */
static int node_shell(ea_node **out, const char *name, ea_input *in)
{
	*out = NULL;
	ea_node *n = calloc(1, sizeof *n);
	if (!n) { ea_input_close(in); return EA_ENOMEM; }
	n->in = in;
	const char *path = ea_input_path(in);
	n->path = strdup(path);
	n->name = name ? strdup(name) : derive_name(path);
	if (!n->path || !n->name) { ea_node_close(n); return EA_ENOMEM; }
	*out = n;
	return EA_OK;
}

/* EA_ENOTFOUND: no WAL here (a db or snapshot file alone). */
static int node_wal(ea_node *n, const ea_node_open_opts *o, ea_error *err)
{
	ea_log *log = NULL;
	/* pass 1 gives the `wal stat` facts and where the log was overwritten; pass 2 the history */
	if (ea_wal_versions_new(&n->versions) != EA_OK) return EA_ENOMEM;
	int rc = ea_log_open_summarize_versions(&log, n->in, NULL, &n->wal.summary, n->versions, err);
	if (rc) return rc;
	n->wal.present = 1;
	n->log = log;
	ea_wal *w = ea_log_wal(log);
	n->wal.dir = strdup(ea_wal_dir(w));
	n->wal.nsegments = ea_wal_segment_count(w);
	n->wal.segments = calloc(n->wal.nsegments ? n->wal.nsegments : 1, sizeof *n->wal.segments);
	for (size_t i = 0; i < n->wal.nsegments && n->wal.segments; i++) {
		const ea_wal_segment *s = ea_wal_segment_at(w, i);
		n->wal.segments[i].file = strdup(s->file);
		n->wal.segments[i].seq = s->seq;
		n->wal.segments[i].first_index = s->first_index;
		n->wal.segments[i].size = s->size;
		n->wal.segments[i].mtime = s->mtime;
	}
	rc = read_history(n, log, o);
	/* bytes used are known once the pass has read every segment */
	for (size_t i = 0; i < n->wal.nsegments && n->wal.segments; i++)
		n->wal.segments[i].used = ea_wal_segment_at(w, i)->used_bytes;
	return rc;
}

static int sub_is_dir(const char *path, const char *name)
{
	char p[4200];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", path, name);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Why a part is absent: the source's errors (unreadable dirs and files, with errno text)
 * and, for a data dir or member dir on disk, the part's own stat() error. */
static void part_why(const ea_node *n, const char *part, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ea_input_problem_count(n->in) && len + 1 < cap; i++) {
		const ea_problem *p = ea_input_problem_at(n->in, i);
		if (p->severity != EA_SEV_ERROR || p->layer != EA_LAYER_SOURCE) continue;
		int w = snprintf(buf + len, cap - len, "%s%s: %s", len ? "; " : "", p->file ? p->file : "-", p->message);
		if (w > 0) len += (size_t)w;
	}
	if (len || ea_input_get_kind(n->in) != EA_INPUT_DIR) return;
	/* the layout the dir source walked: PATH/member/ (a data dir) or PATH/ (a member dir) */
	const char *base = sub_is_dir(n->path, "member") ? "member/" :
	                   sub_is_dir(n->path, "wal") || sub_is_dir(n->path, "snap") ? "" : NULL;
	if (!base) return;
	char p[4200];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s%s", n->path, base, part);
	if (stat(p, &st) != 0)
		snprintf(buf, cap, "%s%s: %s", base, part, strerror(errno));
	else if (S_ISREG(st.st_mode) && st.st_size == 0)
		snprintf(buf, cap, "%s%s: empty (0 bytes)", base, part);
	else if (S_ISDIR(st.st_mode))
		snprintf(buf, cap, "%s%s: holds no WAL segment (%%016x-%%016x.wal)", base, part);
}

/* n->missing: the WAL or the db this input lacks, what cannot be checked without it, and why. */
static int note_missing(ea_node *n)
{
	if (n->wal.present == n->db.present) return EA_OK;
	char why[600];
	part_why(n, n->wal.present ? "snap/db" : "wal", why, sizeof why);
	if (!*why && n->wal.present && n->wal.dir && !*n->wal.dir)
		snprintf(why, sizeof why, "the input is a WAL dir or segment; give the member's data dir");
	int rc;
	if (!n->wal.present)
		rc = asprintf(&n->missing, "no WAL in this input%s%s%s: its raft log (entries, HardState, commit "
		              "index, membership) cannot be compared; a db or backup alone is checked by its state only",
		              *why ? " (" : "", why, *why ? ")" : "");
	else
		rc = asprintf(&n->missing, "no bbolt db (member/snap/db) in this input%s%s%s: its applied key-value "
		              "state (revision, consistent index, HashKV) cannot be checked",
		              *why ? " (" : "", why, *why ? ")" : "");
	if (rc < 0) { n->missing = NULL; return EA_ENOMEM; }
	return EA_OK;
}

/* Appends the source's errors (unreadable parts) to a "nothing found" error. */
static void explain_not_found(const ea_node *n, ea_error *err)
{
	char why[600];
	part_why(n, "wal", why, sizeof why);
	if (!err->msg[0]) snprintf(err->msg, sizeof err->msg, "no WAL and no bbolt db found");
	size_t l = strlen(err->msg);
	if (*why && l + 4 < sizeof err->msg) snprintf(err->msg + l, sizeof err->msg - l, "; %.*s",
	                                              (int)(sizeof err->msg - l - 3), why);
}

/* The outcome of both parts: a node needs a WAL or a db. */
static int node_finish(ea_node *n, int wal_rc, ea_error *wal_err, int db_rc, const ea_error *db_err,
                       ea_error *err)
{
	if (wal_rc == EA_ENOTFOUND) {
		if (db_rc == EA_OK && !n->db.present) {
			ea__copy_error(err, db_err);
			if (err) explain_not_found(n, err);
			return EA_ENOTFOUND;
		}
		return db_rc ? db_rc : note_missing(n);
	}
	if (wal_rc) { ea__copy_error(err, wal_err); return wal_rc; }
	if (db_rc) { ea__copy_error(err, db_err); return db_rc; }
	return note_missing(n);
}

int ea_node_open_input(ea_node **out, const char *name, ea_input *in, ea_error *err)
{
	return open_input(out, name, in, 0, err);
}

static int open_input(ea_node **out, const char *name, ea_input *in, const ea_node_open_opts *o, ea_error *err)
{
	ea_node *n;
	int rc = node_shell(&n, name, in);
	if (rc) return rc;
	ea_error werr = { 0 }, derr = { 0 };
	int wrc = node_wal(n, o, &werr);
	int drc = wrc == EA_OK || wrc == EA_ENOTFOUND ? read_db(n, &derr) : EA_OK;
	rc = node_finish(n, wrc, &werr, drc, &derr, err);
	if (rc) { ea_node_close(n); return rc; }
	*out = n;
	return EA_OK;
}

#define MAX_LOG_EVENTS 200000

static int keep_event(const ea_log_event *ev, void *payload)
{
	ea_node *n = payload;
	if (n->logs.nevents >= MAX_LOG_EVENTS) { n->logs.dropped++; return 0; }
	if ((n->logs.nevents & (n->logs.nevents - 1)) == 0) {   /* grow at powers of two */
		void *p = realloc(n->logs.events, (n->logs.nevents ? n->logs.nevents * 2 : 64) * sizeof *n->logs.events);
		if (!p) return EA_ENOMEM;
		n->logs.events = p;
	}
	n->logs.events[n->logs.nevents++] = *ev;
	return 0;
}

int ea_node_add_log(ea_node *n, const char *path, ea_error *err)
{
	ea_input *in = NULL;
	char *arch = NULL;
	const char *member = NULL;
	int rc = ea_input_open(&in, path, err);
	if (rc != EA_OK) {
		/* ARCHIVE:MEMBER */
		const char *colon = strrchr(path, ':');
		if (!colon) return rc;
		arch = strndup(path, (size_t)(colon - path));
		member = colon + 1;
		if (!arch) return EA_ENOMEM;
		rc = ea_input_open(&in, arch, err);
		free(arch);
		if (rc != EA_OK) return rc;
	}
	long idx = -1;
	if (member) {
		idx = ea_input_find(in, member);
		for (size_t i = 0; idx < 0 && i < ea_input_count(in); i++) {
			const char *nm = ea_input_at(in, i)->name;
			size_t l = strlen(nm), m = strlen(member);
			if (l > m && nm[l - m - 1] == '/' && strcmp(nm + l - m, member) == 0) idx = (long)i;
		}
	} else if (ea_input_count(in) == 1) {
		idx = 0;
	}
	if (idx < 0) {
		if (err) snprintf(err->msg, sizeof err->msg, "no single log file in %s (use ARCHIVE:MEMBER)", path);
		ea_input_close(in);
		return EA_ENOTFOUND;
	}
	rc = ea_etcdlog_read(in, (size_t)idx, keep_event, n, &n->logs.stats, err);
	ea_input_close(in);
	free(n->logs.path);
	n->logs.path = strdup(path);
	return rc;
}

/* 2n tasks on a shared counter: task i < n opens node i's input and reads its WAL, task
 * n + i reads its db once the input is open. With 3 nodes on 2 cores this balances far
 * better than one task per node (which leaves one core idle for a whole node). */
typedef struct {
	ea_node **out;
	const char *const *names, *const *paths;
	ea_error *errs, *derrs;
	int *wrcs, *drcs;
	_Atomic int *ready;      /* per node: 0 opening, 1 input open, -1 failed */
	size_t n;
	const ea_node_open_opts *opts;   /* NULL: the defaults */
	_Atomic size_t next;
} open_job;

static void *open_worker(void *arg)
{
	open_job *j = arg;
	for (;;) {
		size_t t = j->next++;
		if (t >= 2 * j->n) break;
		if (t < j->n) {
			ea_input *in;
			int rc = ea_input_open(&in, j->paths[t], &j->errs[t]);
			if (rc == EA_OK) rc = node_shell(&j->out[t], j->names ? j->names[t] : NULL, in);
			if (rc) { j->wrcs[t] = rc; j->ready[t] = -1; continue; }
			j->ready[t] = 1;
			j->wrcs[t] = node_wal(j->out[t], j->opts, &j->errs[t]);
		} else {
			size_t i = t - j->n;
			while (j->ready[i] == 0) {
				struct timespec ts = { 0, 1000000 };
				nanosleep(&ts, NULL);
			}
			if (j->ready[i] < 0) continue;
			j->drcs[i] = read_db(j->out[i], &j->derrs[i]);
		}
	}
	return NULL;
}

int ea_node_open_many(ea_node **out, const char *const *names, const char *const *paths, size_t n,
                      ea_error *errs, size_t *failed)
{
	return ea_node_open_many_with(out, names, paths, n, NULL, errs, failed);
}

int ea_node_open_many_with(ea_node **out, const char *const *names, const char *const *paths, size_t n,
                           const ea_node_open_opts *opts, ea_error *errs, size_t *failed)
{
	int rcs[64], wrcs[64], drcs[64];
	_Atomic int ready[64];
	ea_error derrs[64];
	if (n > 64) return EA_EINVAL;
	memset(derrs, 0, sizeof derrs);
	open_job j = { out, names, paths, errs, derrs, wrcs, drcs, ready, n, opts, 0 };
	for (size_t i = 0; i < n; i++) { out[i] = NULL; rcs[i] = wrcs[i] = drcs[i] = EA_OK; ready[i] = 0; }
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus > 1 ? (size_t)cpus : 1;
	if (nthreads > 2 * n) nthreads = 2 * n;
	pthread_t th[128];
	size_t started = 0;
	for (size_t t = 1; t < nthreads; t++)
		if (pthread_create(&th[started], NULL, open_worker, &j) == 0) started++;
	open_worker(&j);   /* this thread works too */
	for (size_t t = 0; t < started; t++) pthread_join(th[t], NULL);
	for (size_t i = 0; i < n; i++) {
		if (ready[i] < 0) { rcs[i] = wrcs[i]; continue; }
		ea_error werr = errs[i];
		memset(&errs[i], 0, sizeof errs[i]);
		rcs[i] = node_finish(out[i], wrcs[i], &werr, drcs[i], &derrs[i], &errs[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (rcs[i] != EA_OK) {
			if (failed) *failed = i;
			for (size_t k = 0; k < n; k++) { ea_node_close(out[k]); out[k] = NULL; }
			return rcs[i];
		}
	return EA_OK;
}

void ea_node_close(ea_node *n)
{
	if (!n) return;
	if (n->wal.present) ea_wal_summary_free(&n->wal.summary);
	ea_wal_versions_free(n->versions);
	for (size_t i = 0; i < n->wal.nsegments && n->wal.segments; i++) free(n->wal.segments[i].file);
	free(n->wal.segments);
	for (size_t i = 0; i < n->hist.nconf; i++) free(n->hist.conf[i].context);
	free(n->hist.conf);
	free(n->hist.terms);
	free(n->hist.sup);
	free(n->hist.restarts);
	free(n->hist.compactions);
	free(n->hist.alarms);
	free(n->hist.auth_changes);
	free(n->hist.installs);
	free(n->logs.events);
	free(n->logs.path);
	free(n->wal.dir);
	ea_log_close(n->log);
	ea_walltime_free(n->wt);
	free(n->db.file);
	free(n->db.unreadable);
	free(n->missing);
	free(n->replay);
	ea_mvcc_close(n->mvcc);
	ea_input_close(n->in);
	free(n->name);
	free(n->path);
	free(n);
}

/* ---- the views (history.h) ---- */

const char *ea_node_name(const ea_node *n) { return n->name; }
const char *ea_node_path(const ea_node *n) { return n->path; }
const char *ea_node_missing(const ea_node *n) { return n->missing; }
ea_input *ea_node_input(const ea_node *n) { return n->in; }
ea_log *ea_node_log(const ea_node *n) { return n->log; }
ea_mvcc *ea_node_mvcc(const ea_node *n) { return n->mvcc; }
const ea_wal_versions *ea_node_wal_versions(const ea_node *n) { return n->wal.present ? n->versions : NULL; }
void ea_node_drop_wal_versions(ea_node *n) { ea_wal_versions_free(n->versions); n->versions = NULL; }
const ea_node_wal_info *ea_node_wal(const ea_node *n) { return &n->wal; }
const ea_node_history_info *ea_node_history(const ea_node *n) { return &n->hist; }
const ea_node_logs_info *ea_node_logs(const ea_node *n) { return &n->logs; }
const ea_node_db_info *ea_node_db(const ea_node *n) { return &n->db; }

void ea_node_set_db_hash(ea_node *n, uint32_t hash, int64_t revision)
{
	n->db.hash = hash;
	n->db.hash_revision = revision;
}
