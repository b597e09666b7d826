/* test_sweep.c: exhaustive corruption sweeps over small real inputs from the fixtures.
 *
 * For a WAL segment (leader-change n1, trimmed to its used length), a .snap (snapshot-catchup
 * n2), a db (leader-change n1's member/snap/db) and a snapshot backup (backup-restore): every
 * byte is flipped (xor 0xff) and the file is cut there; each variant goes through the readers
 * (WAL cursor to the end; snap list; bolt open + check + mvcc info + HashKV + trailer) over an
 * in-memory input. Every variant must finish (the sanitizers watch) with bounded work: the bytes
 * it reads (ea_input_bytes_read) stay within READ_FACTOR times its size plus a slack (and two
 * WAL read windows for the WAL), checked after it, inside the WAL loop and by a watchdog thread
 * that aborts a reader looping anywhere else; no clock: a loaded machine must not fail it, a
 * quadratic or endless re-read must (a loop that reads nothing is left to ctest's timeout). Every
 * change in a checked region must come back as a problem whose [offset, offset+length) holds
 * the changed byte (for a cut: a problem that reaches the cut):
 *
 *   WAL     every byte of every frame (CRC chain, framing, padding); a cut inside a frame.
 *           A cut at a frame boundary is a shorter, valid WAL: undetectable by design.
 *   .snap   every byte (one CRC-protected message); every cut.
 *   db      meta pages: the 64 checksummed bytes of each (FNV-1a), exact; a cut below the
 *           high-water mark, exact. Data pages: counted (bbolt has no page checksums, see
 *           docs/bolt.md), asserted only to finish.
 *   backup  any change or cut below the trailer → trailer-mismatch or a cut reported.
 *
 * Sampling (to keep the test near a minute under ASan): the WAL and the .snap are swept at
 * every byte; the db and the backup at every byte of the meta pages, around every page
 * boundary and in the last 64 bytes, elsewhere at every 4th byte (EA_SWEEP_STRIDE=N sets the
 * step, 1 = every byte: about 3 minutes under ASan). The counts are printed. */
#include "test.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The work bound of one variant: bytes read through the input (mapped reads count too: a WAL
 * read window counts whole, WAL_WINDOW). Every reader here reads each byte a small, fixed number
 * of times (open, check, mvcc info, HashKV, trailer); a re-read per page or per record would
 * be quadratic and exceed it by far on these 16-120 KiB inputs. */
#define READ_FACTOR 16u
#define READ_SLACK  (64u * 1024u)          /* a few fixed-size reads of a tiny variant */
#define WAL_WINDOW  (4u * 1024u * 1024u)   /* src/format/wal.c WINDOW */
#define READ_BUDGET(n, wal) ((uint64_t)READ_FACTOR * (n) + READ_SLACK + ((wal) ? 2u * WAL_WINDOW : 0u))

/* ---- fixture bytes ---- */

static uint8_t *load(const char *scenario, const char *tarball, const char *member, size_t *len)
{
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, fixture_path(scenario, tarball), &err), EA_OK);
	long i = ea_input_find(in, member);
	if (i < 0) fail_msg("%s/%s: no %s", scenario, tarball, member);
	size_t n = (size_t)ea_input_at(in, (size_t)i)->size;
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	assert_int_equal(ea_input_pread(in, (size_t)i, b, n, 0), (long)n);
	ea_input_close(in);
	*len = n;
	return b;
}

static ea_input *mem1(const char *name, const uint8_t *data, size_t n)
{
	ea_input_mem_file f = { name, data, n, 0 };
	ea_input *in;
	assert_int_equal(ea_input_open_mem(&in, &f, 1, NULL), EA_OK);
	return in;
}

/* ---- problems of one variant ---- */

typedef struct { uint64_t off, len; char kind[40]; } prob;

typedef struct {
	prob *p;
	size_t n, cap;
	size_t records;
} probs;

static void add(probs *ps, const ea_problem *p)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->p = realloc(ps->p, ps->cap * sizeof *ps->p);
		assert_non_null(ps->p);
	}
	prob *q = &ps->p[ps->n++];
	q->off = p->offset;
	q->len = p->length;
	snprintf(q->kind, sizeof q->kind, "%s", p->kind);
}

/* A problem holds byte `at`. */
static int covers(const probs *ps, uint64_t at)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].off != EA_NO_OFFSET && ps->p[i].off <= at && at - ps->p[i].off < ps->p[i].len)
			return 1;
	return 0;
}

/* A problem reaches the cut at `at` (its range ends at or runs past it). */
static int reaches(const probs *ps, uint64_t at)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].off != EA_NO_OFFSET && ps->p[i].off <= at && ps->p[i].off + ps->p[i].len >= at)
			return 1;
	return 0;
}

static int has_kind(const probs *ps, const char *kind)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].kind, kind) == 0) return 1;
	return 0;
}

/* The watchdog: a thread that aborts the test once the bytes read pass the running variant's
 * limit, so a reader that loops while reading stops wherever it loops (inside bolt check,
 * HashKV, ...). It polls the work done, not a clock: a slow machine only polls later. */
static _Atomic uint64_t wd_limit;   /* ea_input_bytes_read() value to stay at or below; 0: off */

static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		usleep(20000);
		uint64_t l = atomic_load(&wd_limit);
		if (l && ea_input_bytes_read() > l) {
			fprintf(stderr, "sweep: a variant read past its budget (%" PRIu64 " bytes read, limit %" PRIu64
			        "): a reader loops\n", ea_input_bytes_read(), l);
			abort();
		}
	}
	return NULL;
}

/* Fails when the bytes read since `from` exceed the budget of an n-byte variant (a reader
 * that loops keeps reading: checked inside the WAL loop too, so an endless one stops here). */
static uint64_t read_since(uint64_t from, size_t n, const char *name)
{
	uint64_t r = ea_input_bytes_read() - from;
	if (r > READ_BUDGET(n, 1))
		fail_msg("%s: %" PRIu64 " bytes read for a %zu-byte variant (budget %" PRIu64 ")", name, r, n, READ_BUDGET(n, 1));
	return r;
}

/* ---- readers ---- */

static void run_wal(const char *name, const uint8_t *data, size_t n, probs *ps)
{
	ea_input *in = mem1(name, data, n);
	ea_wal *w;
	ea_error err;
	assert_int_equal(ea_wal_open(&w, in, NULL, &err), EA_OK);
	ea_wal_item it;
	int rc;
	uint64_t r0 = ea_input_bytes_read();
	while ((rc = ea_wal_next(w, &it)) == EA_OK) {
		if (it.kind == EA_WAL_ITEM_PROBLEM) add(ps, &it.problem);
		else ps->records++;
		(void)read_since(r0, n, name);
	}
	assert_int_equal(rc, EA_ITEROVER);
	ea_wal_close(w);
	ea_input_close(in);
}

static void run_snap(const char *name, const uint8_t *data, size_t n, probs *ps)
{
	ea_input *in = mem1(name, data, n);
	ea_snap_list *l;
	ea_error err;
	assert_int_equal(ea_snap_list_open(&l, in, 0, &err), EA_OK);
	for (size_t i = 0; i < ea_snap_list_problem_count(l); i++) add(ps, ea_snap_list_problem_at(l, i));
	ea_snap_list_close(l);
	ea_input_close(in);
}

static void run_db(const char *name, const uint8_t *data, size_t n, probs *ps)
{
	ea_input *in = mem1(name, data, n);
	ea_mvcc *m;
	ea_error err = { 0 };
	int rc = ea_mvcc_open(&m, in, NULL, &err);
	if (rc != EA_OK) {
		/* refused whole (neither meta page valid): the file as a whole is reported */
		assert_int_equal(rc, EA_ECORRUPT);
		ea_problem p = { EA_LAYER_BOLT, EA_SEV_ERROR, "open-failed", name, 0, n, err.msg };
		add(ps, &p);
		ea_input_close(in);
		return;
	}
	ea_bolt *b = ea_mvcc_bolt(m);
	ea_bolt_check_result cr;
	(void)ea_bolt_check(b, &cr);
	ea_mvcc_info info;
	(void)ea_mvcc_info_get(m, &info);
	ea_hashkv_result h;
	(void)ea_mvcc_hashkv(m, 0, &h, &err);
	ea_bolt_trailer_state ts;
	(void)ea_bolt_trailer(b, &ts, NULL, NULL);
	for (size_t i = 0; i < ea_bolt_problem_count(b); i++) add(ps, ea_bolt_problem_at(b, i));
	ea_mvcc_close(m);
	ea_input_close(in);
}

typedef void (*runner)(const char *name, const uint8_t *data, size_t n, probs *ps);

/* ---- one sweep ---- */

typedef struct {
	size_t tried, detected, undetectable, expected, exact_detected;
	size_t other_detected, other_undetected;   /* outside the exact regions */
	uint64_t max_read;                         /* most bytes one variant read */
	uint64_t budget;                           /* ... and its bound for the whole input */
} counts;

typedef enum { V_FLIP, V_CUT } vkind;

/* Runs one variant; returns its problems (caller frees). */
static probs variant(runner run, const char *name, const uint8_t *orig, size_t n, vkind k,
                     size_t at, uint8_t *scratch, counts *c)
{
	probs ps = { 0 };
	memcpy(scratch, orig, n);
	size_t len = n;
	if (k == V_FLIP) scratch[at] ^= 0xff;
	else len = at;
	uint64_t r0 = ea_input_bytes_read();
	atomic_store(&wd_limit, r0 + READ_BUDGET(len, run == run_wal));
	run(name, scratch, len, &ps);
	atomic_store(&wd_limit, 0);
	uint64_t r = ea_input_bytes_read() - r0;
	if (r > c->max_read) c->max_read = r;
	c->budget = READ_BUDGET(n, run == run_wal);
	if (r > READ_BUDGET(len, run == run_wal))
		fail_msg("%s: %s at %zu read %" PRIu64 " bytes of a %zu-byte variant (budget %" PRIu64 ")", name,
		         k == V_FLIP ? "flip" : "cut", at, r, len, READ_BUDGET(len, run == run_wal));
	c->tried++;
	return ps;
}

static void print_counts(const char *what, const counts *c, size_t size, const char *sampling)
{
	print_message("[  SWEEP   ] %s: %zu variants tried, %zu detected, %zu undetectable by design; "
	              "%zu in exact regions, %zu of them reported with a range holding the change; "
	              "outside them %zu reported anyway, %zu not; most bytes read by one variant %" PRIu64 " (of %zu; budget %" PRIu64 "); sampling: %s\n",
	              what, c->tried, c->detected, c->undetectable, c->expected, c->exact_detected,
	              c->other_detected, c->other_undetected, c->max_read, size, c->budget, sampling);
}

/* ---- WAL ---- */

#define WAL_NAME "member/wal/0000000000000000-0000000000000000.wal"

typedef struct { uint64_t off, end; } frame;

static void test_sweep__wal(void **state)
{
	(void)state;
	size_t full;
	uint8_t *seg = load("leader-change", "n1.tar.gz", "n1/" WAL_NAME, &full);
	/* frames of the original: their bounds, and the used length */
	probs base = { 0 };
	frame *fr = NULL;
	size_t nfr = 0;
	{
		ea_input *in = mem1(WAL_NAME, seg, full);
		ea_wal *w;
		ea_error err;
		assert_int_equal(ea_wal_open(&w, in, NULL, &err), EA_OK);
		ea_wal_item it;
		while (ea_wal_next(w, &it) == EA_OK) {
			if (it.kind == EA_WAL_ITEM_PROBLEM) { add(&base, &it.problem); continue; }
			fr = realloc(fr, (nfr + 1) * sizeof *fr);
			assert_non_null(fr);
			uint64_t pad = (8 - it.rec.length % 8) % 8;
			fr[nfr].off = it.rec.offset;
			fr[nfr].end = it.rec.offset + 8 + it.rec.length + pad;
			nfr++;
		}
		ea_wal_close(w);
		ea_input_close(in);
	}
	assert_int_equal(base.n, 0);
	assert_true(nfr > 10);
	size_t n = (size_t)fr[nfr - 1].end;
	assert_true(n < 64 * 1024);
	/* the trimmed segment reads the same, without problems */
	probs t = { 0 };
	run_wal(WAL_NAME, seg, n, &t);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.records, nfr);
	free(t.p);

	uint8_t *scratch = malloc(n);
	assert_non_null(scratch);
	counts c = { 0 };
	size_t fi = 0;
	for (size_t at = 0; at < n; at++) {
		while (fr[fi].end <= at) fi++;
		/* flip: every byte lies in a frame; a problem must cover it */
		probs ps = variant(run_wal, WAL_NAME, seg, n, V_FLIP, at, scratch, &c);
		c.expected++;
		if (covers(&ps, at)) { c.detected++; c.exact_detected++; }
		else fail_msg("WAL flip at %zu (frame %" PRIu64 "..%" PRIu64 ") not covered (%zu problems%s%s)",
		              at, fr[fi].off, fr[fi].end, ps.n, ps.n ? ", first " : "", ps.n ? ps.p[0].kind : "");
		free(ps.p);
		/* cut: at a frame boundary a valid shorter WAL; inside a frame reported up to the cut */
		ps = variant(run_wal, WAL_NAME, seg, n, V_CUT, at, scratch, &c);
		if (at == fr[fi].off) {
			c.undetectable++;
			if (ps.n) c.other_detected++;
		} else {
			c.expected++;
			if (reaches(&ps, at)) { c.detected++; c.exact_detected++; }
			else fail_msg("WAL cut at %zu (frame %" PRIu64 "..%" PRIu64 ") not reported (%zu problems)",
			              at, fr[fi].off, fr[fi].end, ps.n);
		}
		free(ps.p);
	}
	print_counts("WAL (leader-change n1, 287 frames)", &c, n, "every byte, flip and cut");
	assert_int_equal(c.detected, c.expected);
	free(scratch);
	free(fr);
	free(base.p);
	free(seg);
}

/* ---- .snap ---- */

#define SNAP_NAME "member/snap/0000000000000002-0000000000000015.snap"

static void test_sweep__snap(void **state)
{
	(void)state;
	size_t n;
	uint8_t *snap = load("snapshot-catchup", "n2.tar.gz", "n2/" SNAP_NAME, &n);
	probs t = { 0 };
	run_snap(SNAP_NAME, snap, n, &t);
	assert_int_equal(t.n, 0);
	free(t.p);
	uint8_t *scratch = malloc(n);
	assert_non_null(scratch);
	counts c = { 0 };
	for (size_t at = 0; at < n; at++) {
		probs ps = variant(run_snap, SNAP_NAME, snap, n, V_FLIP, at, scratch, &c);
		c.expected++;
		if (covers(&ps, at)) { c.detected++; c.exact_detected++; }
		else fail_msg(".snap flip at %zu not covered (%zu problems%s%s)", at, ps.n,
		              ps.n ? ", first " : "", ps.n ? ps.p[0].kind : "");
		free(ps.p);
		ps = variant(run_snap, SNAP_NAME, snap, n, V_CUT, at, scratch, &c);
		c.expected++;
		if (reaches(&ps, at)) { c.detected++; c.exact_detected++; }
		else fail_msg(".snap cut at %zu not reported (%zu problems)", at, ps.n);
		free(ps.p);
	}
	print_counts(".snap (snapshot-catchup n2)", &c, n, "every byte, flip and cut");
	assert_int_equal(c.detected, c.expected);
	free(scratch);
	free(snap);
}

/* ---- db and backup ---- */

#define DEFAULT_STRIDE 4

static size_t stride(void)
{
	const char *s = getenv("EA_SWEEP_STRIDE");
	long v = s ? strtol(s, NULL, 10) : DEFAULT_STRIDE;
	return v >= 1 ? (size_t)v : 1;
}

/* The 64 bytes of a meta page that its FNV-1a checksum covers, with the checksum itself:
 * page offset 16..80. */
static int in_meta(size_t at, uint32_t ps)
{
	size_t o = at % ps;
	return at < 2 * (size_t)ps && o >= 16 && o < 80;
}

static void sweep_bolt(const char *what, const char *name, const uint8_t *db, size_t n, int backup)
{
	probs t = { 0 };
	run_db(name, db, n, &t);
	if (t.n) fail_msg("%s: original has %zu problems, first %s", what, t.n, t.p[0].kind);
	free(t.p);
	/* page size and high-water mark of the original */
	uint32_t ps = (uint32_t)db[24] | (uint32_t)db[25] << 8 | (uint32_t)db[26] << 16 | (uint32_t)db[27] << 24;
	assert_true(ps >= 512 && n >= 2 * (size_t)ps);
	uint64_t pgid = 0;
	for (int m = 0; m < 2; m++) {
		uint64_t v = 0;
		for (int i = 7; i >= 0; i--) v = v << 8 | db[(size_t)m * ps + 16 + 40 + (size_t)i];
		if (v > pgid) pgid = v;
	}
	uint64_t hw = pgid * ps;
	size_t st = stride();
	uint8_t *scratch = malloc(n);
	assert_non_null(scratch);
	counts c = { 0 };
	for (size_t at = 0; at < n; at++) {
		int exact_flip = backup || in_meta(at, ps);
		/* always: meta pages, the bytes around every page boundary, a backup's trailer page
		 * tail; elsewhere every st-th byte */
		int always = at < 2 * (size_t)ps || at % ps < 2 || at % ps >= ps - 1 || at + 64 >= n;
		if (!always && at % st != 0) continue;
		{
			probs pr = variant(run_db, name, db, n, V_FLIP, at, scratch, &c);
			int hit = backup ? has_kind(&pr, "trailer-mismatch") : covers(&pr, at);
			if (exact_flip) {
				c.expected++;
				if (hit) { c.detected++; c.exact_detected++; }
				else fail_msg("%s: flip at %zu (page %zu +%zu) not reported (%zu problems%s%s)", what,
				              at, at / ps, at % ps, pr.n, pr.n ? ", first " : "", pr.n ? pr.p[0].kind : "");
			} else if (pr.n) {
				c.detected++;
				c.other_detected++;
			} else {
				c.undetectable++;
				c.other_undetected++;
			}
			free(pr.p);
		}
		/* cut: below the high-water mark (or into a backup's trailer) it must be reported */
		probs pr = variant(run_db, name, db, n, V_CUT, at, scratch, &c);
		int must = at < hw || (backup && at > hw);
		if (must) {
			c.expected++;
			if (reaches(&pr, at)) { c.detected++; c.exact_detected++; }
			else fail_msg("%s: cut at %zu (high-water mark %" PRIu64 ") not reported (%zu problems%s%s)",
			              what, at, hw, pr.n, pr.n ? ", first " : "", pr.n ? pr.p[0].kind : "");
		} else if (pr.n) {
			c.detected++;
			c.other_detected++;
		} else {
			c.undetectable++;
			c.other_undetected++;
		}
		free(pr.p);
	}
	char sampling[200];
	if (st == 1)
		snprintf(sampling, sizeof sampling, "every byte, flip and cut");
	else
		snprintf(sampling, sizeof sampling, "flip and cut at every byte of the meta pages, around "
		         "page boundaries and in the last 64 bytes, elsewhere at every %zu-th byte "
		         "(EA_SWEEP_STRIDE=1: all)", st);
	print_counts(what, &c, n, sampling);
	assert_int_equal(c.detected - c.other_detected, c.expected);
	free(scratch);
}

static void test_sweep__db(void **state)
{
	(void)state;
	size_t n;
	uint8_t *db = load("leader-change", "n1.tar.gz", "n1/member/snap/db", &n);
	sweep_bolt("db (leader-change n1)", "member/snap/db", db, n, 0);
	free(db);
}

static void test_sweep__backup(void **state)
{
	(void)state;
	size_t n;
	uint8_t *db = load("backup-restore", "backup.tar.gz", "backup.db", &n);
	assert_int_equal(n % 512, 32);
	sweep_bolt("backup (backup-restore backup.db)", "backup.db", db, n, 1);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep__wal),
		cmocka_unit_test(test_sweep__snap),
		cmocka_unit_test(test_sweep__db),
		cmocka_unit_test(test_sweep__backup),
	};
	pthread_t wd;
	if (pthread_create(&wd, NULL, watchdog, NULL) != 0) return 1;
	pthread_detach(wd);
	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
