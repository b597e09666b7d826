/* export_bench.c: rows/s of `export` on a large WAL and a large db, next to the ceiling: a raw
 * prepared-insert loop of the same row shapes (same columns, same pragmas, one transaction per
 * table, statements reused, same indexes + ANALYZE), measured in the same run.
 *
 *   cmake -S . -B build-bench -DEA_BENCH=ON && cmake --build build-bench --target export_bench
 *   build-bench/bench/export_bench [ENTRIES] [REVISIONS] [DIR]     (default 1000000 1000000 $TMPDIR)
 *
 * The WAL holds ENTRIES etcd put requests (InternalRaftRequest with header ID and a PutRequest
 * of a ~24-byte key and 100-byte value) in 64 MB segments, with a HardState every 100 entries;
 * the db is a bbolt file whose key bucket holds REVISIONS mvccpb.KeyValue elements in a real
 * B+tree (branch and leaf pages). Goal: export rows/s >= 0.7 x raw rows/s. Not run by ctest. */
#include "etcd-autopsy/etcd-autopsy.h"
#include "synth.h"
#include "rawsql.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char *m)
{
	fprintf(stderr, "export_bench: %s\n", m);
	exit(1);
}

/* ---- inputs: bench/synth.c (short pod keys, 100-byte values, a HardState every 100 entries;
 * db elements with a 40-byte value) ---- */

static void make_wal(const char *dir, uint64_t entries)
{
	synth_wal_opts o = { .max_entries = entries, .vmin = 100, .vmax = 100, .seed = 1 };
	synth_wal_stats st;
	if (synth_wal(dir, &o, &st)) die("synth_wal");
}

static void make_db(const char *dir, uint64_t revisions)
{
	synth_db_opts o = { .max_revisions = revisions, .vmin = 40, .vmax = 40, .seed = 2 };
	synth_db_stats st;
	if (synth_db(dir, &o, &st)) die("synth_db");
}

/* the ceiling: raw_loop() in rawsql.c */

int main(int argc, char **argv)
{
	uint64_t ents = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	uint64_t revs = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	const char *tmp = argc > 3 ? argv[3] : getenv("TMPDIR");
	if (!tmp || !*tmp) tmp = "/tmp";
	char dir[4096];
	snprintf(dir, sizeof dir, "%.4000s/ea-bench-XXXXXX", tmp);
	if (!mkdtemp(dir)) die("mkdtemp");
	char in[4200], out[4300], raw[4300];
	snprintf(in, sizeof in, "%s/bench", dir);
	snprintf(out, sizeof out, "%s/export.sqlite", dir);
	snprintf(raw, sizeof raw, "%s/raw.sqlite", dir);

	double g0 = now_s();
	make_wal(in, ents);
	make_db(in, revs);
	printf("input: %" PRIu64 " entries, %" PRIu64 " revisions (generated in %.1f s) in %s\n", ents, revs,
	       now_s() - g0, in);

	double o0 = now_s();
	ea_node *nd;
	ea_error err = { 0 };
	if (ea_node_open(&nd, "bench", in, &err)) { fprintf(stderr, "%s\n", err.msg); die("node open"); }
	double open_s = now_s() - o0;

	ea_export_options o = EA_EXPORT_OPTIONS_INIT;
	o.hash_inputs = 0;   /* hashing is I/O on the inputs, not row throughput (reported below) */
	ea_export_stats st;
	if (ea_export_sqlite(out, &nd, 1, &o, &st, &err)) { fprintf(stderr, "%s\n", err.msg); die("export"); }
	uint64_t bulk = st.rows[EA_EXPORT_T_WAL_RECORDS] + st.rows[EA_EXPORT_T_ENTRIES] +
	                st.rows[EA_EXPORT_T_HARD_STATES] + st.rows[EA_EXPORT_T_REVISIONS];

	raw_result rr = raw_loop(raw, st.rows[EA_EXPORT_T_WAL_RECORDS], st.rows[EA_EXPORT_T_ENTRIES],
	                         st.rows[EA_EXPORT_T_HARD_STATES], st.rows[EA_EXPORT_T_REVISIONS]);

	double ex_load = (double)st.total_rows / st.load_seconds;
	double ex_total = (double)st.total_rows / (st.load_seconds + st.index_seconds);
	double raw_load = (double)rr.rows / rr.load;
	double raw_total = (double)rr.rows / (rr.load + rr.index);
	printf("rows: %" PRIu64 " total (%" PRIu64 " wal_records, %" PRIu64 " entries, %" PRIu64 " hard_states, %" PRIu64
	       " revisions)\n", st.total_rows, st.rows[EA_EXPORT_T_WAL_RECORDS], st.rows[EA_EXPORT_T_ENTRIES],
	       st.rows[EA_EXPORT_T_HARD_STATES], st.rows[EA_EXPORT_T_REVISIONS]);
	printf("node open (wal stat + history + db index/check/hashkv): %.2f s\n", open_s);
	printf("export load   : %10.0f rows/s (%.2f s: read, decode, insert)\n", ex_load, st.load_seconds);
	printf("raw insert    : %10.0f rows/s (%.2f s, %" PRIu64 " rows of the same shapes)\n", raw_load, rr.load, rr.rows);
	printf("export+index  : %10.0f rows/s (indexes + ANALYZE %.2f s)\n", ex_total, st.index_seconds);
	printf("raw+index     : %10.0f rows/s (indexes + ANALYZE %.2f s)\n", raw_total, rr.index);
	printf("ratio load %.2f, ratio with indexes %.2f (goal >= 0.70); bulk rows %" PRIu64 "\n", ex_load / raw_load,
	       ex_total / raw_total, bulk);
	printf("end to end incl. node open: %.0f rows/s\n", (double)st.total_rows / (open_s + st.total_seconds));
	ea_node_close(nd);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) return 1;
	return 0;
}
