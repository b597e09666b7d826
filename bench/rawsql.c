/* rawsql.c: see rawsql.h. */
#include "rawsql.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *m)
{
	fprintf(stderr, "rawsql: %s\n", m);
	exit(1);
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

raw_result raw_loop(const char *path, uint64_t recs, uint64_t ents, uint64_t hs, uint64_t revs)
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

