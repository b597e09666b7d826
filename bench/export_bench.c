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
#include "walgen.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *m)
{
	fprintf(stderr, "export_bench: %s\n", m);
	exit(1);
}

/* ---- synthetic WAL ---- */

static size_t put_bytes(uint8_t *p, unsigned field, const void *b, size_t n)
{
	size_t at = pb_put_tag(p, field, 2);
	at += pb_put_varint(p + at, n);
	memcpy(p + at, b, n);
	return at + n;
}

static size_t make_put(uint8_t *out, uint64_t id, uint64_t i)
{
	uint8_t put[256], hdr[16];
	char key[48], val[101];
	int kl = snprintf(key, sizeof key, "/registry/pods/ns-%03" PRIu64 "/pod-%08" PRIu64, i % 97, i);
	memset(val, 'a' + (int)(i % 26), 100);
	size_t pl = put_bytes(put, 1, key, (size_t)kl);
	pl += put_bytes(put + pl, 2, val, 100);
	size_t hl = pb_put_tag(hdr, 1, 0);
	hl += pb_put_varint(hdr + hl, id);
	size_t at = pb_put_tag(out, 1, 0);
	at += pb_put_varint(out + at, id);
	at += put_bytes(out + at, 4, put, pl);
	at += put_bytes(out + at, 100, hdr, hl);
	return at;
}

static void make_wal(const char *dir, uint64_t entries)
{
	char wd[4400];
	snprintf(wd, sizeof wd, "%s/member/wal", dir);
	char cmd[4500];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", wd);
	if (system(cmd) != 0) die("mkdir");
	walgen g;
	walgen_init(&g);
	walgen_segment_start(&g);
	walgen_metadata(&g, 0xdecacf2185b21ac2ull, 0x4dcce9d896e29308ull);
	walgen_snapshot(&g, 0, 0);
	uint64_t seq = 0, first = 1;
	/* request IDs: member low 16 bits | 40-bit ms | 8-bit counter, as etcd's idutil */
	uint64_t base = (0x1ac2ull << 48) | (((uint64_t)time(NULL) * 1000 & 0xffffffffffull) << 8);
	uint8_t buf[512];
	for (uint64_t i = 1; i <= entries; i++) {
		size_t n = make_put(buf, base + i, i);
		walgen_entry(&g, 0, 2, i, buf, n);
		if (i % 100 == 0) walgen_state(&g, 2, 0xdecacf2185b21ac2ull, i);
		if (g.len > 64000000 || i == entries) {
			if (i == entries) walgen_state(&g, 2, 0xdecacf2185b21ac2ull, i);
			char name[64];
			snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 ".wal", seq, first);
			if (walgen_write(&g, wd, name, 0)) die("walgen_write");
			seq++;
			first = i + 1;
			if (i < entries) {
				walgen_segment_start(&g);
				walgen_snapshot(&g, 0, 0);   /* etcd writes the metadata + last snapshot again */
				walgen_metadata(&g, 0xdecacf2185b21ac2ull, 0x4dcce9d896e29308ull);
			}
		}
	}
	walgen_free(&g);
}

/* ---- synthetic bbolt db ---- */

#define PS 4096u

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

typedef struct {
	uint8_t *pages;
	size_t npages, cap;
} pagebuf;

static uint8_t *page_new(pagebuf *pb, uint64_t *id)
{
	if (pb->npages == pb->cap) {
		pb->cap = pb->cap ? pb->cap * 2 : 1024;
		pb->pages = realloc(pb->pages, pb->cap * PS);
		if (!pb->pages) die("oom");
	}
	*id = pb->npages;
	uint8_t *p = pb->pages + pb->npages++ * PS;
	memset(p, 0, PS);
	le64(p, *id);
	return p;
}

typedef struct { uint64_t pgid; uint8_t key[18]; size_t klen; } childref;

static void revkey(uint8_t *k, uint64_t main)
{
	for (int j = 0; j < 8; j++) k[j] = (uint8_t)(main >> (56 - 8 * j));
	k[8] = '_';
	memset(k + 9, 0, 8);
}

/* Key-bucket leaves of `n` revisions, then branch levels up to one root; returns the root. */
static uint64_t build_key_tree(pagebuf *pb, uint64_t n)
{
	childref *level = NULL;
	size_t nl = 0, capl = 0;
	uint64_t r = 1;
	while (r <= n) {
		uint64_t id;
		uint8_t *p = page_new(pb, &id);
		le16(p + 8, 0x02);
		/* elements: 16-byte headers then data; pack while it fits */
		uint8_t data[PS];
		size_t dl = 0, cnt = 0;
		uint8_t keys[64][18];
		size_t koff[64], kl[64], vl[64];
		while (r <= n && cnt < 64) {
			uint8_t val[200];
			char key[48];
			int ukl = snprintf(key, sizeof key, "/registry/pods/ns-%03" PRIu64 "/pod-%08" PRIu64, r % 97, r);
			size_t v = put_bytes(val, 1, key, (size_t)ukl);
			v += pb_put_tag(val + v, 2, 0); v += pb_put_varint(val + v, r);
			v += pb_put_tag(val + v, 3, 0); v += pb_put_varint(val + v, r);
			v += pb_put_tag(val + v, 4, 0); v += pb_put_varint(val + v, 1);
			char pv[40];
			memset(pv, 'a' + (int)(r % 26), sizeof pv);
			v += put_bytes(val + v, 5, pv, sizeof pv);
			if (16 + 16 * (cnt + 1) + dl + 17 + v > PS) break;
			revkey(keys[cnt], r);
			koff[cnt] = dl;
			kl[cnt] = 17;
			vl[cnt] = v;
			memcpy(data + dl, keys[cnt], 17);
			memcpy(data + dl + 17, val, v);
			dl += 17 + v;
			cnt++;
			r++;
		}
		le16(p + 10, (uint16_t)cnt);
		size_t base = 16 + 16 * cnt;
		for (size_t i = 0; i < cnt; i++) {
			uint8_t *e = p + 16 + 16 * i;
			le32(e + 4, (uint32_t)(base + koff[i] - (16 + 16 * i)));
			le32(e + 8, (uint32_t)kl[i]);
			le32(e + 12, (uint32_t)vl[i]);
		}
		memcpy(p + base, data, dl);
		if (nl == capl) { capl = capl ? capl * 2 : 1024; level = realloc(level, capl * sizeof *level); if (!level) die("oom"); }
		level[nl].pgid = id;
		memcpy(level[nl].key, keys[0], 17);
		level[nl].klen = 17;
		nl++;
	}
	while (nl > 1) {
		size_t per = (PS - 16) / (16 + 17);
		size_t nn = 0;
		for (size_t at = 0; at < nl; at += per) {
			size_t cnt = nl - at < per ? nl - at : per;
			uint64_t id;
			uint8_t *p = page_new(pb, &id);
			le16(p + 8, 0x01);
			le16(p + 10, (uint16_t)cnt);
			size_t base = 16 + 16 * cnt;
			for (size_t i = 0; i < cnt; i++) {
				uint8_t *e = p + 16 + 16 * i;
				le32(e, (uint32_t)(base + 17 * i - (16 + 16 * i)));
				le32(e + 4, 17);
				le64(e + 8, level[at + i].pgid);
				memcpy(p + base + 17 * i, level[at + i].key, 17);
			}
			level[nn].pgid = id;
			memcpy(level[nn].key, level[at].key, 17);
			nn++;
		}
		nl = nn;
	}
	uint64_t root = level[0].pgid;
	free(level);
	return root;
}

static void make_db(const char *dir, uint64_t revisions)
{
	pagebuf pb = { 0 };
	uint64_t id;
	page_new(&pb, &id);                     /* meta 0 */
	page_new(&pb, &id);                     /* meta 1 */
	uint8_t *r = page_new(&pb, &id);        /* root bucket leaf, page 2 */
	(void)r;
	uint64_t meta_leaf;
	uint8_t *m = page_new(&pb, &meta_leaf); /* empty meta bucket leaf, page 3 */
	le16(m + 8, 0x02);
	uint64_t key_root = revisions ? build_key_tree(&pb, revisions) : 0;
	r = pb.pages + 2 * PS;
	le16(r + 8, 0x02);
	le16(r + 10, 2);
	const char *names[2] = { "key", "meta" };
	uint64_t roots[2] = { key_root, meta_leaf };
	size_t at = 48;
	for (int i = 0; i < 2; i++) {
		uint8_t *e = r + 16 + 16 * i;
		size_t kl = strlen(names[i]);
		le32(e, 1);
		le32(e + 4, (uint32_t)(at - (size_t)(16 + 16 * i)));
		le32(e + 8, (uint32_t)kl);
		le32(e + 12, 16);
		memcpy(r + at, names[i], kl);
		le64(r + at + kl, roots[i]);
		le64(r + at + kl + 8, 0);
		at += kl + 16;
	}
	for (int pg = 0; pg < 2; pg++) {
		uint8_t *p = pb.pages + pg * PS;
		le16(p + 8, 0x04);
		le32(p + 16, 0xED0CDAED); le32(p + 20, 2); le32(p + 24, PS);
		le64(p + 32, 2); le64(p + 48, UINT64_MAX); le64(p + 56, pb.npages); le64(p + 64, (uint64_t)(2 + pg));
		le64(p + 72, fnv(p + 16, 56));
	}
	char path[4400];
	snprintf(path, sizeof path, "%s/member/snap", dir);
	char cmd[4500];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	if (system(cmd) != 0) die("mkdir");
	snprintf(path, sizeof path, "%s/member/snap/db", dir);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(pb.pages, PS, pb.npages, f) != pb.npages || fclose(f)) die("write db");
	free(pb.pages);
}

/* ---- the ceiling: raw prepared inserts of the same shapes ---- */

static const char *const raw_schema =
	"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
	"PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
	"CREATE TABLE wal_records(node TEXT NOT NULL, file TEXT, offset INTEGER, record_type TEXT, length INTEGER, crc_ok INTEGER, crc INTEGER);"
	"CREATE TABLE entries(node TEXT NOT NULL, idx INTEGER, term INTEGER, type TEXT, kind TEXT, key, size INTEGER,"
	" data_crc32c INTEGER, request_id TEXT, proposer TEXT, file TEXT, offset INTEGER, superseded INTEGER,"
	" committed INTEGER, superseded_by_term INTEGER, crc_ok INTEGER, range_end, proposer_started TEXT, detail TEXT);"
	"CREATE TABLE hard_states(node TEXT NOT NULL, seq INTEGER, term INTEGER, vote TEXT, commit_index INTEGER, file TEXT, offset INTEGER);"
	"CREATE TABLE revisions(node TEXT NOT NULL, main INTEGER, sub INTEGER, tombstone INTEGER, key, create_revision INTEGER,"
	" mod_revision INTEGER, version INTEGER, lease TEXT, value_size INTEGER, value_crc32c INTEGER, page INTEGER,"
	" offset INTEGER, decode_ok INTEGER);";

static const char *const raw_index =
	"CREATE INDEX entries_node_idx ON entries(node, idx); CREATE INDEX entries_node_term ON entries(node, term);"
	"CREATE INDEX entries_key ON entries(key); CREATE INDEX wal_records_node_file ON wal_records(node, file, offset);"
	"CREATE INDEX hard_states_node_term ON hard_states(node, term);"
	"CREATE INDEX revisions_node_main ON revisions(node, main, sub); CREATE INDEX revisions_key ON revisions(key, main);"
	"CREATE INDEX revisions_main ON revisions(main); ANALYZE;";

static void x(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) { fprintf(stderr, "%s\n", e); die("sql"); }
}

static void step(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE) die("step");
	sqlite3_reset(s);
}

typedef struct { double load, index; uint64_t rows; } raw_result;

static raw_result raw_loop(const char *path, uint64_t recs, uint64_t ents, uint64_t hs, uint64_t revs)
{
	unlink(path);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) die("open raw");
	x(db, raw_schema);
	sqlite3_stmt *sr, *se, *sh, *sv;
	sqlite3_prepare_v2(db, "INSERT INTO wal_records VALUES(?,?,?,?,?,?,?)", -1, &sr, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO entries VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &se, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO hard_states VALUES(?,?,?,?,?,?,?)", -1, &sh, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO revisions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &sv, NULL);
	const char *file = "bench/member/wal/0000000000000000-0000000000000001.wal";
	char key[64], hex[24], t[32] = "2026-11-27T05:45:36.630Z";
	double t0 = now_s();
	x(db, "BEGIN");
	for (uint64_t i = 0; i < recs; i++) {
		sqlite3_bind_text(sr, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_text(sr, 2, file, -1, SQLITE_STATIC);
		sqlite3_bind_int64(sr, 3, (sqlite3_int64)(i * 200));
		sqlite3_bind_text(sr, 4, "entry", -1, SQLITE_STATIC);
		sqlite3_bind_int64(sr, 5, 180);
		sqlite3_bind_int(sr, 6, 1);
		sqlite3_bind_int64(sr, 7, (sqlite3_int64)(i * 2654435761u & 0xffffffff));
		step(sr);
	}
	x(db, "COMMIT; BEGIN");
	for (uint64_t i = 1; i <= ents; i++) {
		int kl = snprintf(key, sizeof key, "/registry/pods/ns-%03" PRIu64 "/pod-%08" PRIu64, i % 97, i);
		int hl = snprintf(hex, sizeof hex, "%" PRIx64, (uint64_t)0x1ac2000000000000ull + i);
		sqlite3_bind_text(se, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_int64(se, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(se, 3, 2);
		sqlite3_bind_text(se, 4, "normal", -1, SQLITE_STATIC);
		sqlite3_bind_text(se, 5, "put", -1, SQLITE_STATIC);
		sqlite3_bind_text(se, 6, key, kl, SQLITE_STATIC);
		sqlite3_bind_int64(se, 7, 160);
		sqlite3_bind_int64(se, 8, (sqlite3_int64)(i * 2654435761u & 0xffffffff));
		sqlite3_bind_text(se, 9, hex, hl, SQLITE_STATIC);
		sqlite3_bind_text(se, 10, "decacf2185b21ac2", -1, SQLITE_STATIC);
		sqlite3_bind_text(se, 11, file, -1, SQLITE_STATIC);
		sqlite3_bind_int64(se, 12, (sqlite3_int64)(i * 200));
		sqlite3_bind_int(se, 13, 0);
		sqlite3_bind_int(se, 14, 1);
		sqlite3_bind_null(se, 15);
		sqlite3_bind_int(se, 16, 1);
		sqlite3_bind_null(se, 17);
		sqlite3_bind_text(se, 18, t, -1, SQLITE_STATIC);
		sqlite3_bind_null(se, 19);
		step(se);
	}
	x(db, "COMMIT; BEGIN");
	for (uint64_t i = 0; i < hs; i++) {
		sqlite3_bind_text(sh, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_int64(sh, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(sh, 3, 2);
		sqlite3_bind_text(sh, 4, "decacf2185b21ac2", -1, SQLITE_STATIC);
		sqlite3_bind_int64(sh, 5, (sqlite3_int64)(i * 100));
		sqlite3_bind_text(sh, 6, file, -1, SQLITE_STATIC);
		sqlite3_bind_int64(sh, 7, (sqlite3_int64)(i * 20000));
		step(sh);
	}
	x(db, "COMMIT; BEGIN");
	for (uint64_t i = 1; i <= revs; i++) {
		int kl = snprintf(key, sizeof key, "/registry/pods/ns-%03" PRIu64 "/pod-%08" PRIu64, i % 97, i);
		sqlite3_bind_text(sv, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_int64(sv, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(sv, 3, 0);
		sqlite3_bind_int(sv, 4, 0);
		sqlite3_bind_text(sv, 5, key, kl, SQLITE_STATIC);
		sqlite3_bind_int64(sv, 6, (sqlite3_int64)i);
		sqlite3_bind_int64(sv, 7, (sqlite3_int64)i);
		sqlite3_bind_int64(sv, 8, 1);
		sqlite3_bind_null(sv, 9);
		sqlite3_bind_int64(sv, 10, 40);
		sqlite3_bind_int64(sv, 11, (sqlite3_int64)(i * 2654435761u & 0xffffffff));
		sqlite3_bind_int64(sv, 12, (sqlite3_int64)(i / 40));
		sqlite3_bind_int64(sv, 13, (sqlite3_int64)(i * 100));
		sqlite3_bind_int(sv, 14, 1);
		step(sv);
	}
	x(db, "COMMIT");
	raw_result res;
	res.load = now_s() - t0;
	double i0 = now_s();
	x(db, raw_index);
	res.index = now_s() - i0;
	res.rows = recs + ents + hs + revs;
	sqlite3_finalize(sr); sqlite3_finalize(se); sqlite3_finalize(sh); sqlite3_finalize(sv);
	sqlite3_close(db);
	unlink(path);
	return res;
}

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
	ea_node_free(nd);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) return 1;
	return 0;
}
