/* export_sqlite.c: the incident database (see export.h and docs/schema.md).
 *
 * Load order and speed: the file is created with journal_mode=OFF, synchronous=OFF and an
 * exclusive lock, tables without indexes; then
 *   1. nodes, meta, input_files (SHA-256 of the inputs)
 *   2. per node, one transaction for one ea_log pass: wal_records, entries, hard_states and
 *      the WAL's problems stream out of the same cursor
 *   3. per node, one transaction for the key bucket (ea_mvcc_foreach): revisions
 *   4. one transaction for the analysis results and small buckets: terms, votes, snapshots,
 *      conf_changes, members, leases, alarms, auth, events, problems, findings, verdict
 *   5. indexes, ANALYZE, close, rename over the output.
 * Every insert goes through one prepared statement per table, reused (reset + rebind), and
 * strings/blobs are bound SQLITE_STATIC straight from the cursor's borrowed buffers. */
#include "etcd-autopsy/export.h"
#include "etcd-autopsy/entry_iter.h"
#include "etcd-autopsy/diff.h"
#include "etcd-autopsy/snap.h"
#include "etcd-autopsy/writer.h"
#include "util/arena.h"
#include "util/jsonp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <pthread.h>

#define MAX_NODES 32

static const char *const table_names[EA_EXPORT_T_COUNT] = {
	"meta", "nodes", "input_files", "wal_segments", "wal_records", "entries", "hard_states",
	"terms", "votes", "snapshots", "conf_changes", "revisions", "members", "leases", "alarms",
	"auth", "events", "problems", "findings", "verdict"
};

const char *ea_export_table_name(ea_export_table t)
{
	return (unsigned)t < EA_EXPORT_T_COUNT ? table_names[t] : "?";
}

/* The schema (docs/schema.md documents every column). revisions.value is added with --values. */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT NOT NULL, value TEXT);\n"
	"CREATE TABLE nodes(node TEXT NOT NULL, path TEXT, member_id TEXT, cluster_id TEXT, kind TEXT,\n"
	"  first_index INTEGER, last_index INTEGER, last_term INTEGER, commit_index INTEGER,\n"
	"  consistent_index INTEGER, revision INTEGER, compact_revision INTEGER, hash INTEGER,\n"
	"  storage_version TEXT, hash_revision INTEGER, hard_state_term INTEGER, hard_state_vote TEXT,\n"
	"  wal_dir TEXT, db_file TEXT, db_error TEXT, wal_entries INTEGER, superseded INTEGER,\n"
	"  cluster_version TEXT, input_kind TEXT);\n"
	"CREATE TABLE input_files(node TEXT NOT NULL, scope TEXT, file TEXT, size INTEGER, sha256 TEXT);\n"
	"CREATE TABLE wal_segments(node TEXT NOT NULL, file TEXT, seq INTEGER, first_index INTEGER,\n"
	"  size INTEGER, used_bytes INTEGER, mtime TEXT);\n"
	"CREATE TABLE wal_records(node TEXT NOT NULL, file TEXT, offset INTEGER, record_type TEXT,\n"
	"  length INTEGER, crc_ok INTEGER, crc INTEGER);\n"
	"CREATE TABLE entries(node TEXT NOT NULL, idx INTEGER, term INTEGER, type TEXT, kind TEXT, key,\n"
	"  size INTEGER, data_crc32c INTEGER, request_id TEXT, proposer TEXT, file TEXT, offset INTEGER,\n"
	"  superseded INTEGER, committed INTEGER, superseded_by_term INTEGER, crc_ok INTEGER, range_end,\n"
	"  proposer_started TEXT, detail TEXT);\n"
	"CREATE TABLE hard_states(node TEXT NOT NULL, seq INTEGER, term INTEGER, vote TEXT,\n"
	"  commit_index INTEGER, file TEXT, offset INTEGER);\n"
	"CREATE TABLE terms(term INTEGER NOT NULL, leader TEXT, first_index INTEGER, last_index INTEGER,\n"
	"  entries INTEGER, failed_election INTEGER, leader_basis TEXT, time TEXT, time_source TEXT,\n"
	"  log_leader TEXT);\n"
	"CREATE TABLE votes(term INTEGER NOT NULL, voter TEXT, voted_for TEXT);\n"
	"CREATE TABLE snapshots(node TEXT NOT NULL, source TEXT, term INTEGER, idx INTEGER, voters TEXT,\n"
	"  learners TEXT, file TEXT, offset INTEGER, crc_ok INTEGER, size INTEGER);\n"
	"CREATE TABLE conf_changes(node TEXT NOT NULL, idx INTEGER, term INTEGER, change TEXT,\n"
	"  member_id TEXT, name TEXT, peer_urls TEXT, committed INTEGER, superseded INTEGER,\n"
	"  is_learner INTEGER);\n"
	"CREATE TABLE revisions(node TEXT NOT NULL, main INTEGER, sub INTEGER, tombstone INTEGER, key,\n"
	"  create_revision INTEGER, mod_revision INTEGER, version INTEGER, lease TEXT,\n"
	"  value_size INTEGER, value_crc32c INTEGER, page INTEGER, offset INTEGER, decode_ok INTEGER%s);\n"
	"CREATE TABLE members(node TEXT NOT NULL, member_id TEXT, name TEXT, peer_urls TEXT,\n"
	"  client_urls TEXT, is_learner INTEGER, removed INTEGER);\n"
	"CREATE TABLE leases(node TEXT NOT NULL, lease_id TEXT, ttl INTEGER, remaining_ttl INTEGER);\n"
	"CREATE TABLE alarms(node TEXT NOT NULL, member_id TEXT, alarm TEXT);\n"
	"CREATE TABLE auth(node TEXT NOT NULL, name TEXT, is_role INTEGER, roles TEXT,\n"
	"  has_password INTEGER, no_password INTEGER, permissions INTEGER);\n"
	"CREATE TABLE events(node TEXT, time TEXT, time_source TEXT, event TEXT, term INTEGER,\n"
	"  idx INTEGER, detail TEXT, time_ms INTEGER, seq INTEGER);\n"
	"CREATE TABLE problems(node TEXT, layer TEXT, severity TEXT, kind TEXT, file TEXT,\n"
	"  offset INTEGER, length INTEGER, message TEXT);\n"
	"CREATE TABLE findings(kind TEXT, severity TEXT, idx INTEGER, revision INTEGER, nodes TEXT,\n"
	"  detail TEXT);\n"
	"CREATE TABLE verdict(verdict TEXT, recommended_source TEXT, recommendation TEXT,\n"
	"  first_divergent_index INTEGER);\n"
	"CREATE TABLE term_clock(term INTEGER PRIMARY KEY, clock_time TEXT);\n"
	"CREATE VIEW timeline AS\n"
	"WITH u(time, time_source, term, idx, node, source, event, detail) AS (\n"
	"  SELECT time, time_source, term, idx, node, 'event', event, detail FROM events\n"
	"   WHERE event NOT IN ('conf-change', 'snapshot', 'problem', 'superseded')\n"
	"  UNION ALL SELECT NULL, NULL, term, idx, node, 'conf_change', 'conf-change:' || change,\n"
	"         COALESCE(member_id, '') || COALESCE(' ' || name, '') ||\n"
	"         CASE WHEN superseded THEN ' (superseded)' WHEN committed THEN ' (committed)'\n"
	"              ELSE ' (not committed)' END FROM conf_changes\n"
	"  UNION ALL SELECT NULL, NULL, term, idx, node, 'snapshot', 'snapshot:' || source,\n"
	"         COALESCE(file, '') FROM snapshots WHERE idx > 0\n"
	"  UNION ALL SELECT NULL, NULL, term, idx, node, 'entry', 'superseded-entry',\n"
	"         kind || ' overwritten by term ' || COALESCE(superseded_by_term, '?') ||\n"
	"         ' (' || file || '+' || offset || ')' FROM entries WHERE superseded\n"
	"  UNION ALL SELECT NULL, NULL, NULL, NULL, node, 'problem', kind,\n"
	"         severity || ' ' || COALESCE(file, '-') || COALESCE('+' || offset, '') || ': ' || message\n"
	"         FROM problems WHERE severity <> 'info'\n"
	"  UNION ALL SELECT NULL, NULL, NULL, NULLIF(idx, 0), nodes, 'finding', kind,\n"
	"         severity || ': ' || detail FROM findings)\n"
	"SELECT COALESCE(u.time, c.clock_time, CASE WHEN u.term IS NOT NULL THEN '' END) AS approx_time,\n"
	"       u.time, u.time_source, u.term, u.idx, u.node, u.source, u.event, u.detail\n"
	"  FROM u LEFT JOIN term_clock c ON c.term = u.term\n"
	" ORDER BY approx_time IS NULL, approx_time, u.term IS NULL, u.term, u.idx IS NULL, u.idx,\n"
	"          u.node, u.source, u.event;\n";

static const char index_sql[] =
	"CREATE INDEX entries_node_idx ON entries(node, idx);\n"
	"CREATE INDEX entries_node_term ON entries(node, term);\n"
	"CREATE INDEX entries_key ON entries(key);\n"
	"CREATE INDEX wal_records_node_file ON wal_records(node, file, offset);\n"
	"CREATE INDEX hard_states_node_term ON hard_states(node, term);\n"
	"CREATE INDEX revisions_node_main ON revisions(node, main, sub);\n"
	"CREATE INDEX revisions_key ON revisions(key, main);\n"
	"CREATE INDEX revisions_main ON revisions(main);\n"
	"CREATE INDEX conf_changes_node_idx ON conf_changes(node, idx);\n"
	"CREATE INDEX events_term_idx ON events(term, idx);\n"
	"CREATE INDEX problems_node_file ON problems(node, file, offset);\n"
	"CREATE INDEX terms_term ON terms(term);\n"
	"CREATE INDEX votes_term ON votes(term);\n"
	"CREATE INDEX meta_key ON meta(key);\n";

static const char *const insert_sql[EA_EXPORT_T_COUNT] = {
	"INSERT INTO meta VALUES(?,?)",
	"INSERT INTO nodes VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO input_files VALUES(?,?,?,?,?)",
	"INSERT INTO wal_segments VALUES(?,?,?,?,?,?,?)",
	"INSERT INTO wal_records VALUES(?,?,?,?,?,?,?)",
	"INSERT INTO entries VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO hard_states VALUES(?,?,?,?,?,?,?)",
	"INSERT INTO terms VALUES(?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO votes VALUES(?,?,?)",
	"INSERT INTO snapshots VALUES(?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO conf_changes VALUES(?,?,?,?,?,?,?,?,?,?)",
	NULL,  /* revisions: depends on --values */
	"INSERT INTO members VALUES(?,?,?,?,?,?,?)",
	"INSERT INTO leases VALUES(?,?,?,?)",
	"INSERT INTO alarms VALUES(?,?,?)",
	"INSERT INTO auth VALUES(?,?,?,?,?,?,?)",
	"INSERT INTO events VALUES(?,?,?,?,?,?,?,?,?)",
	"INSERT INTO problems VALUES(?,?,?,?,?,?,?,?)",
	"INSERT INTO findings VALUES(?,?,?,?,?,?)",
	"INSERT INTO verdict VALUES(?,?,?,?)",
};

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *st[EA_EXPORT_T_COUNT];
	ea_export_options o;
	ea_export_stats *stats;
	ea_error *err;
	ea_member_set known;           /* member IDs of every node, to name request proposers */
	char hexbuf[8][24];            /* hex IDs bound SQLITE_STATIC, one slot per column in use */
	struct hash_job *hash;         /* the inputs' SHA-256, computed alongside the load */
} ex;

static int ex_fail(ex *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ex_fail(ex *x, int code, const char *fmt, ...)
{
	if (x->err && !x->err->msg[0]) {
		x->err->code = code;
		x->err->layer = EA_LAYER_ANALYSIS;
		x->err->offset = EA_NO_OFFSET;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->err->msg, sizeof x->err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int sql_fail(ex *x, const char *what)
{
	return ex_fail(x, EA_EIO, "sqlite: %s: %s", what, sqlite3_errmsg(x->db));
}

static int stopped(const ex *x)
{
	return x->o.stop && *x->o.stop;
}

static int exec(ex *x, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(x->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ex_fail(x, EA_EIO, "sqlite: %s", msg ? msg : sqlite3_errmsg(x->db));
		sqlite3_free(msg);
		return EA_EIO;
	}
	return EA_OK;
}

/* ---- binding helpers (column numbers are 1-based, as in sqlite3_bind_*) ---- */

static void b_null(sqlite3_stmt *s, int i) { sqlite3_bind_null(s, i); }
static void b_int(sqlite3_stmt *s, int i, int64_t v) { sqlite3_bind_int64(s, i, (sqlite3_int64)v); }
static void b_u64(sqlite3_stmt *s, int i, uint64_t v) { sqlite3_bind_int64(s, i, (sqlite3_int64)v); }
static void b_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t) sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC); else sqlite3_bind_null(s, i);
}
static void b_text_copy(sqlite3_stmt *s, int i, const char *t)
{
	if (t) sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT); else sqlite3_bind_null(s, i);
}
static void b_off(sqlite3_stmt *s, int i, uint64_t off)
{
	if (off == EA_NO_OFFSET) sqlite3_bind_null(s, i); else b_u64(s, i, off);
}
static void b_tri(sqlite3_stmt *s, int i, int v)   /* 1, 0, or NULL for -1 */
{
	if (v < 0) sqlite3_bind_null(s, i); else sqlite3_bind_int(s, i, v ? 1 : 0);
}
/* Member/cluster/lease IDs: lower-case hex TEXT; 0 (none) is NULL. `slot` picks a buffer that
 * stays valid until the statement is stepped. */
static void b_hex(ex *x, sqlite3_stmt *s, int i, uint64_t v, int slot)
{
	if (!v) { sqlite3_bind_null(s, i); return; }
	int n = snprintf(x->hexbuf[slot], sizeof x->hexbuf[slot], "%" PRIx64, v);
	sqlite3_bind_text(s, i, x->hexbuf[slot], n, SQLITE_STATIC);
}

/* well-formed UTF-8 (RFC 3629, as the JSON writer checks it: no surrogates, overlongs or
 * code points above U+10FFFF) without NUL */
static int utf8_text(const uint8_t *p, size_t n)
{
	return (n == 0 || !memchr(p, 0, n)) && ea_utf8_valid(p, n);
}

/* etcd keys are bytes: TEXT when they are valid UTF-8 without NUL (so `key = '/foo'` works),
 * else BLOB. The same rule everywhere, so entries.key and revisions.key join. */
static void b_key(sqlite3_stmt *s, int i, const uint8_t *k, size_t n)
{
	if (!k) { sqlite3_bind_null(s, i); return; }
	if (utf8_text(k, n)) sqlite3_bind_text(s, i, (const char *)k, (int)n, SQLITE_STATIC);
	else sqlite3_bind_blob(s, i, k, (int)n, SQLITE_STATIC);
}

static int row(ex *x, ea_export_table t)
{
	sqlite3_stmt *s = x->st[t];
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) return sql_fail(x, table_names[t]);
	x->stats->rows[t]++;
	return EA_OK;
}

static void time_text(char *buf, size_t cap, int64_t ms)
{
	if (ms < 0) { buf[0] = 0; return; }
	ea_format_time_ms(buf, cap, ms);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- meta and input hashes ---- */

static int meta(ex *x, const char *key, const char *value)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_META];
	b_text(s, 1, key);
	b_text(s, 2, value);
	return row(x, EA_EXPORT_T_META);
}

static void hex32(char *out, const unsigned char *d)
{
	for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

typedef struct {
	EVP_MD_CTX *ctx;
	unsigned char *buf;
} hasher;

#define HASH_CHUNK (1u << 20)

/* SHA-256 of a plain file on disk (an archive or a single db/backup file). */
static int sha256_path(hasher *h, const char *path, char out[65], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return EA_EIO;
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
	uint64_t total = 0;
	for (;;) {
		ssize_t r = read(fd, h->buf, HASH_CHUNK);
		if (r < 0) { if (errno == EINTR) continue; close(fd); return EA_EIO; }
		if (r == 0) break;
		EVP_DigestUpdate(h->ctx, h->buf, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	unsigned char d[32];
	unsigned dl = 0;
	EVP_DigestFinal_ex(h->ctx, d, &dl);
	hex32(out, d);
	*size = total;
	return EA_OK;
}

/* SHA-256 of file i of a directory input, read through the byte source. */
static int sha256_member(hasher *h, ea_input *in, size_t i, char out[65])
{
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
	uint64_t off = 0;
	for (;;) {
		long r = ea_input_pread(in, i, h->buf, HASH_CHUNK, off);
		if (r < 0) return (int)r;
		if (r == 0) break;
		EVP_DigestUpdate(h->ctx, h->buf, (size_t)r);
		off += (uint64_t)r;
	}
	unsigned char d[32];
	unsigned dl = 0;
	EVP_DigestFinal_ex(h->ctx, d, &dl);
	hex32(out, d);
	return EA_OK;
}

/* The inputs' SHA-256 is computed by a second thread while the first one loads the WAL and
 * the key bucket (two cores: hashing 1 GB costs about as much as the SQLite load); its rows
 * are written afterwards, in the same order. The thread reads through its own handles (the
 * archive or file by path, a directory through a private ea_input), never the nodes'.
 *
 * Archive or single file: the file itself (one input_files row, scope "archive" / "file").
 * Directory: every regular file below it (scope "dir-file", path relative to the dir), and
 * meta's digest is SHA-256 of the `sha256sum`-style listing "<hex>  <relpath>\n" in path order. */
typedef struct {
	char *name;
	uint64_t size;
	char digest[65];
} hashed_file;

typedef struct {
	const char *node, *path;
	ea_input_kind kind;
	hashed_file *files;
	size_t nfiles;
	char digest[65];          /* the file's, or the listing's for a directory */
} hashed_node;

typedef struct hash_job {
	hashed_node *nodes;
	size_t n;
	const volatile sig_atomic_t *stop;
	int rc;
	char msg[600];
	double seconds;
	pthread_t thread;
	int started;
} hash_job;

static void *hash_thread(void *arg)
{
	hash_job *job = arg;
	double t0 = now_s();
	hasher h = { EVP_MD_CTX_new(), malloc(HASH_CHUNK) };
	if (!h.ctx || !h.buf) { job->rc = EA_ENOMEM; goto out; }
	for (size_t k = 0; k < job->n && !job->rc; k++) {
		hashed_node *hn = &job->nodes[k];
		if (hn->kind != EA_INPUT_DIR) {
			hn->files = calloc(1, sizeof *hn->files);
			if (!hn->files || !(hn->files[0].name = strdup(hn->path))) { job->rc = EA_ENOMEM; break; }
			hn->nfiles = 1;
			if (sha256_path(&h, hn->path, hn->digest, &hn->files[0].size) != EA_OK) {
				job->rc = EA_EIO;
				snprintf(job->msg, sizeof job->msg, "%s: cannot read input to hash it: %s", hn->path, strerror(errno));
				break;
			}
			memcpy(hn->files[0].digest, hn->digest, sizeof hn->digest);
			continue;
		}
		ea_input *in;
		ea_error e = { 0 };
		if (ea_input_open(&in, hn->path, &e) != EA_OK) {
			job->rc = EA_EIO;
			snprintf(job->msg, sizeof job->msg, "%s: cannot list input to hash it: %s", hn->path, e.msg);
			break;
		}
		size_t cnt = ea_input_count(in);
		hn->files = calloc(cnt ? cnt : 1, sizeof *hn->files);
		EVP_MD_CTX *list = EVP_MD_CTX_new();
		if (!hn->files || !list) { EVP_MD_CTX_free(list); ea_input_close(in); job->rc = EA_ENOMEM; break; }
		EVP_DigestInit_ex(list, EVP_sha256(), NULL);
		for (size_t i = 0; i < cnt && !job->rc; i++) {
			if (job->stop && *job->stop) { job->rc = EA_EIO; snprintf(job->msg, sizeof job->msg, "export interrupted"); break; }
			const ea_input_file *f = ea_input_at(in, i);
			hashed_file *hf = &hn->files[hn->nfiles];
			if (!(hf->name = strdup(f->name))) { job->rc = EA_ENOMEM; break; }
			hn->nfiles++;
			hf->size = f->size;
			if (sha256_member(&h, in, i, hf->digest) != EA_OK) {
				job->rc = EA_EIO;
				snprintf(job->msg, sizeof job->msg, "%s/%s: cannot read input to hash it", hn->path, f->name);
				break;
			}
			EVP_DigestUpdate(list, hf->digest, 64);
			EVP_DigestUpdate(list, "  ", 2);
			EVP_DigestUpdate(list, f->name, strlen(f->name));
			EVP_DigestUpdate(list, "\n", 1);
		}
		unsigned char d[32];
		unsigned dl = 0;
		EVP_DigestFinal_ex(list, d, &dl);
		EVP_MD_CTX_free(list);
		ea_input_close(in);
		hex32(hn->digest, d);
	}
out:
	EVP_MD_CTX_free(h.ctx);
	free(h.buf);
	job->seconds = now_s() - t0;
	return NULL;
}

static int hash_start(hash_job *job, ea_node *const *nodes, size_t n, const volatile sig_atomic_t *stop)
{
	memset(job, 0, sizeof *job);
	job->nodes = calloc(n ? n : 1, sizeof *job->nodes);
	if (!job->nodes) return EA_ENOMEM;
	job->n = n;
	job->stop = stop;
	for (size_t k = 0; k < n; k++) {
		job->nodes[k].node = nodes[k]->name;
		job->nodes[k].path = nodes[k]->path;
		job->nodes[k].kind = ea_input_get_kind(nodes[k]->in);
	}
	if (pthread_create(&job->thread, NULL, hash_thread, job) != 0) {
		hash_thread(job);   /* no thread: hash here */
		return EA_OK;
	}
	job->started = 1;
	return EA_OK;
}

static void hash_join(hash_job *job)
{
	if (job->started) pthread_join(job->thread, NULL);
	job->started = 0;
}

static void hash_free(hash_job *job)
{
	hash_join(job);
	for (size_t k = 0; job->nodes && k < job->n; k++) {
		for (size_t i = 0; i < job->nodes[k].nfiles; i++) free(job->nodes[k].files[i].name);
		free(job->nodes[k].files);
	}
	free(job->nodes);
	job->nodes = NULL;
}

/* The rows of a finished job. */
static int hash_write(ex *x, hash_job *job)
{
	hash_join(job);
	x->stats->hash_seconds = job->seconds;
	if (job->rc) return ex_fail(x, job->rc, "%s", job->msg[0] ? job->msg : ea_strerror(job->rc));
	int rc = EA_OK;
	sqlite3_stmt *s = x->st[EA_EXPORT_T_INPUT_FILES];
	for (size_t k = 0; k < job->n && rc == EA_OK; k++) {
		const hashed_node *hn = &job->nodes[k];
		int dir = hn->kind == EA_INPUT_DIR;
		for (size_t i = 0; i < hn->nfiles && rc == EA_OK; i++) {
			b_text(s, 1, hn->node);
			b_text(s, 2, dir ? "dir-file" : hn->kind == EA_INPUT_ARCHIVE ? "archive" : "file");
			b_text(s, 3, hn->files[i].name);
			b_u64(s, 4, hn->files[i].size);
			b_text(s, 5, hn->files[i].digest);
			rc = row(x, EA_EXPORT_T_INPUT_FILES);
		}
		char key[600];
		snprintf(key, sizeof key, "input.%s.sha256", hn->node);
		if (rc == EA_OK) rc = meta(x, key, hn->digest);
		snprintf(key, sizeof key, "input.%s.sha256_scope", hn->node);
		if (rc == EA_OK)
			rc = meta(x, key, !dir ? (hn->kind == EA_INPUT_ARCHIVE ? "the archive file" : "the file")
			                       : "directory: SHA-256 of the sha256sum listing \"<hex>  <relative path>\\n\" "
			                         "of every regular file, in path order (see input_files)");
	}
	return rc;
}

/* ---- per node ---- */

static const char *node_kind(const ea_node *nd)
{
	if (nd->have_wal) return "data-dir";
	if (nd->db_file) {
		size_t l = strlen(nd->db_file);
		if (l >= 8 && strcmp(nd->db_file + l - 8, ".snap.db") == 0) return "snapshot-file";
		long i = ea_input_find(nd->in, nd->db_file);
		/* `etcdctl snapshot save` appends a 32-byte SHA-256 to whole 512-byte blocks */
		if (i >= 0 && ea_input_at(nd->in, (size_t)i)->size % 512 == 32) return "snapshot-file";
	}
	return "db";
}

static int export_node_row(ex *x, ea_node *nd)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_NODES];
	const ea_wal_summary *w = &nd->wal;
	int wal = nd->have_wal, db = nd->have_db && nd->mvcc;
	ea_mvcc_info info;
	memset(&info, 0, sizeof info);
	if (db) ea_mvcc_info_scan(nd->mvcc, &info);   /* no key index: the row needs none of its counts */
	b_text(s, 1, nd->name);
	b_text(s, 2, nd->path);
	if (wal && w->have_metadata) { b_hex(x, s, 3, w->member_id, 0); b_hex(x, s, 4, w->cluster_id, 1); }
	b_text(s, 5, node_kind(nd));
	if (wal && w->have_entries) {
		b_u64(s, 6, w->first_index);
		b_u64(s, 7, w->last_index);
		b_u64(s, 8, w->last_term);
	}
	if (wal && w->have_hard_state) {
		b_u64(s, 9, w->hard_state.commit);
		b_u64(s, 16, w->hard_state.term);
		b_hex(x, s, 17, w->hard_state.vote, 2);
	}
	if (db) {
		if (info.have_consistent_index) b_u64(s, 10, info.consistent_index);
		b_int(s, 11, nd->db_revision);
		b_int(s, 12, nd->db_compact_revision);
		if (nd->db_hash_revision > 0) { b_u64(s, 13, nd->db_hash); b_int(s, 15, nd->db_hash_revision); }
		b_text(s, 14, info.storage_version);
		b_text(s, 23, info.cluster_version[0] ? info.cluster_version : NULL);
	}
	b_text(s, 18, wal ? nd->wal_dir : NULL);
	b_text(s, 19, nd->db_file);
	b_text(s, 20, nd->db_unreadable);
	if (wal) { b_u64(s, 21, w->entries); b_u64(s, 22, w->superseded); }
	ea_input_kind k = ea_input_get_kind(nd->in);
	b_text(s, 24, k == EA_INPUT_DIR ? "dir" : k == EA_INPUT_ARCHIVE ? "archive" : "file");
	return row(x, EA_EXPORT_T_NODES);
}

static int export_problem(ex *x, const char *node, const ea_problem *p)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_PROBLEMS];
	b_text(s, 1, node);
	b_text(s, 2, ea_layer_name(p->layer));
	b_text(s, 3, ea_severity_name(p->severity));
	b_text(s, 4, p->kind);
	b_text(s, 5, p->file);
	b_off(s, 6, p->offset);
	if (p->length) b_u64(s, 7, p->length); else b_null(s, 7);
	b_text(s, 8, p->message);
	return row(x, EA_EXPORT_T_PROBLEMS);
}

static int export_segments(ex *x, ea_node *nd)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_WAL_SEGMENTS];
	for (size_t i = 0; i < nd->nsegments; i++) {
		char t[48];
		b_text(s, 1, nd->name);
		b_text(s, 2, nd->segments[i].file);
		b_u64(s, 3, nd->segments[i].seq);
		b_u64(s, 4, nd->segments[i].first_index);
		b_u64(s, 5, nd->segments[i].size);
		b_u64(s, 6, nd->segments[i].used);
		if (nd->segments[i].mtime > 0) { time_text(t, sizeof t, nd->segments[i].mtime * 1000); b_text(s, 7, t); }
		int rc = row(x, EA_EXPORT_T_WAL_SEGMENTS);
		if (rc) return rc;
	}
	return EA_OK;
}

static const char *entry_type_name(int t)
{
	return t == 0 ? "normal" : t == 1 ? "confchange" : t == 2 ? "confchangev2" : "unknown";
}

/* One entry stream: wal_records, entries, hard_states and the WAL's problems. */
static int export_wal(ex *x, ea_node *nd)
{
	/* the node's own log, rewound: its first pass (CRC verdicts, overwrites) is already done */
	ea_log *log = nd->log, *own = NULL;
	ea_error lerr = { 0 };
	int rc = log ? ea_log_rewind(log, &lerr) : ea_log_open(&own, nd->in, NULL, &lerr);
	if (!log) log = own;
	if (rc) { ea_log_close(own); return ex_fail(x, rc, "%s: %s", nd->name, lerr.msg[0] ? lerr.msg : ea_strerror(rc)); }
	ea_entry_iter *iter;
	ea_entry_iter_options io = { .members = &x->known };
	if ((rc = ea_entry_iter_new(&iter, log, &io)) != EA_OK) { ea_log_close(own); return rc; }
	uint64_t hs_seq = 0, n = 0;
	sqlite3_stmt *sr = x->st[EA_EXPORT_T_WAL_RECORDS], *se = x->st[EA_EXPORT_T_ENTRIES],
	             *sh = x->st[EA_EXPORT_T_HARD_STATES];
	const ea_entry_item *it;
	while ((rc = ea_entry_iter_next(&it, iter)) == EA_OK) {
		if ((++n & 4095) == 0 && stopped(x)) { rc = ex_fail(x, EA_EIO, "export interrupted"); break; }
		if (it->log.item.kind == EA_WAL_ITEM_PROBLEM) {
			if ((rc = export_problem(x, nd->name, &it->log.item.problem))) break;
			continue;
		}
		const ea_wal_record *r = &it->log.item.rec;
		if (x->o.records) {
			b_text(sr, 1, nd->name);
			b_text(sr, 2, r->file);
			b_u64(sr, 3, r->offset);
			b_text(sr, 4, ea_wal_record_type_name(r->type));
			b_u64(sr, 5, r->length);
			b_tri(sr, 6, r->crc_ok);
			b_u64(sr, 7, r->crc);
			if ((rc = row(x, EA_EXPORT_T_WAL_RECORDS))) break;
		}
		if (!r->decoded) continue;
		if (it->is_entry) {
			const ea_entry_header *e = &r->u.entry;
			const ea_entry_info *info = &it->info;
			b_text(se, 1, nd->name);
			b_u64(se, 2, e->index);
			b_u64(se, 3, e->term);
			b_text(se, 4, entry_type_name(e->type));
			b_text(se, 5, info->kind);
			b_key(se, 6, info->key, info->key_len);
			b_u64(se, 7, e->data_len);
			b_u64(se, 8, ea_crc32c(0, e->data, e->data_len));
			char started[48];
			if (info->request_id) {
				b_hex(x, se, 9, info->request_id, 0);
				b_text(se, 10, it->proposer_name);
				if (info->proposer_started_ms >= 0) {
					time_text(started, sizeof started, info->proposer_started_ms);
					b_text(se, 18, started);
				}
			}
			b_text(se, 11, r->file);
			b_u64(se, 12, r->offset);
			sqlite3_bind_int(se, 13, it->state == EA_ENTRY_SUPERSEDED);
			sqlite3_bind_int(se, 14, it->state == EA_ENTRY_COMMITTED);
			if (it->log.superseded) b_u64(se, 15, it->log.superseded_by_term);
			b_tri(se, 16, r->crc_ok);
			b_key(se, 17, info->range_end, info->range_end_len);
			b_text(se, 19, info->detail && *info->detail ? info->detail : NULL);
			if ((rc = row(x, EA_EXPORT_T_ENTRIES))) break;
		} else if (r->type == EA_WAL_STATE) {
			b_text(sh, 1, nd->name);
			b_u64(sh, 2, hs_seq++);
			b_u64(sh, 3, r->u.state.term);
			b_hex(x, sh, 4, r->u.state.vote, 0);
			b_u64(sh, 5, r->u.state.commit);
			b_text(sh, 6, r->file);
			b_u64(sh, 7, r->offset);
			if ((rc = row(x, EA_EXPORT_T_HARD_STATES))) break;
		}
	}
	if (rc == EA_ITEROVER) rc = EA_OK;
	else if (rc < 0 && !x->err->msg[0]) ex_fail(x, rc, "%s: WAL: %s", nd->name, ea_strerror(rc));
	ea_entry_iter_free(iter);
	ea_log_close(own);
	return rc;
}

typedef struct {
	ex *x;
	ea_node *nd;
	int rc;
	uint64_t n;
} kv_ctx;

static int revision_cb(const ea_mvcc_kv *kv, void *payload)
{
	kv_ctx *c = payload;
	ex *x = c->x;
	sqlite3_stmt *s = x->st[EA_EXPORT_T_REVISIONS];
	if ((++c->n & 4095) == 0 && stopped(x)) { c->rc = ex_fail(x, EA_EIO, "export interrupted"); return 1; }
	b_text(s, 1, c->nd->name);
	b_int(s, 2, kv->main);
	b_int(s, 3, kv->sub);
	sqlite3_bind_int(s, 4, kv->tombstone ? 1 : 0);
	b_key(s, 5, kv->key, kv->key_len);
	if (kv->decode_ok && !kv->tombstone) {
		b_int(s, 6, kv->create_revision);
		b_int(s, 7, kv->mod_revision);
		b_int(s, 8, kv->version);
		b_hex(x, s, 9, (uint64_t)kv->lease, 0);
		b_u64(s, 10, kv->value_len);
		b_u64(s, 11, ea_crc32c(0, kv->value, kv->value_len));
	}
	b_u64(s, 12, kv->page);
	b_u64(s, 13, kv->offset);
	sqlite3_bind_int(s, 14, kv->decode_ok ? 1 : 0);
	if (x->o.values && kv->decode_ok && !kv->tombstone)
		sqlite3_bind_blob(s, 15, kv->value_len ? (const void *)kv->value : "", (int)kv->value_len, SQLITE_STATIC);
	c->rc = row(x, EA_EXPORT_T_REVISIONS);
	return c->rc ? 1 : 0;
}

static int export_revisions(ex *x, ea_node *nd)
{
	if (!nd->mvcc) return EA_OK;
	kv_ctx c = { x, nd, 0, 0 };
	int rc = ea_mvcc_foreach(nd->mvcc, revision_cb, &c);
	if (c.rc) return c.rc;
	if (rc < 0) return ex_fail(x, rc, "%s: key bucket: %s", nd->name, ea_strerror(rc));
	return EA_OK;
}

static int member_cb(const ea_mvcc_member *mb, void *payload)
{
	kv_ctx *c = payload;
	sqlite3_stmt *s = c->x->st[EA_EXPORT_T_MEMBERS];
	b_text(s, 1, c->nd->name);
	b_hex(c->x, s, 2, mb->id, 0);
	b_text(s, 3, mb->name);
	b_text(s, 4, mb->peer_urls);
	b_text(s, 5, mb->client_urls);
	sqlite3_bind_int(s, 6, mb->is_learner ? 1 : 0);
	sqlite3_bind_int(s, 7, mb->removed ? 1 : 0);
	c->rc = row(c->x, EA_EXPORT_T_MEMBERS);
	return c->rc ? 1 : 0;
}

static int lease_cb(const ea_mvcc_lease *l, void *payload)
{
	kv_ctx *c = payload;
	sqlite3_stmt *s = c->x->st[EA_EXPORT_T_LEASES];
	b_text(s, 1, c->nd->name);
	b_hex(c->x, s, 2, (uint64_t)l->id, 0);
	b_int(s, 3, l->ttl);
	b_int(s, 4, l->remaining_ttl);
	c->rc = row(c->x, EA_EXPORT_T_LEASES);
	return c->rc ? 1 : 0;
}

static int alarm_cb(const ea_mvcc_alarm *a, void *payload)
{
	kv_ctx *c = payload;
	sqlite3_stmt *s = c->x->st[EA_EXPORT_T_ALARMS];
	b_text(s, 1, c->nd->name);
	b_hex(c->x, s, 2, a->member_id, 0);
	b_text(s, 3, a->alarm_name);
	c->rc = row(c->x, EA_EXPORT_T_ALARMS);
	return c->rc ? 1 : 0;
}

/* Users and roles, never password hashes (ea_mvcc_auth does not copy them out). */
static int auth_cb(const ea_mvcc_auth_entry *a, void *payload)
{
	kv_ctx *c = payload;
	sqlite3_stmt *s = c->x->st[EA_EXPORT_T_AUTH];
	b_text(s, 1, c->nd->name);
	b_text(s, 2, a->name);
	sqlite3_bind_int(s, 3, a->is_role ? 1 : 0);
	b_text(s, 4, a->is_role ? NULL : a->roles);
	if (!a->is_role) { sqlite3_bind_int(s, 5, a->has_password ? 1 : 0); sqlite3_bind_int(s, 6, a->no_password ? 1 : 0); }
	else b_u64(s, 7, a->permissions);
	c->rc = row(c->x, EA_EXPORT_T_AUTH);
	return c->rc ? 1 : 0;
}

static int export_buckets(ex *x, ea_node *nd)
{
	if (!nd->mvcc) return EA_OK;
	kv_ctx c = { x, nd, 0, 0 };
	ea_mvcc_members(nd->mvcc, member_cb, &c);
	if (!c.rc) ea_mvcc_leases(nd->mvcc, lease_cb, &c);
	if (!c.rc) ea_mvcc_alarms(nd->mvcc, alarm_cb, &c);
	if (!c.rc) ea_mvcc_auth(nd->mvcc, auth_cb, &c);
	return c.rc;
}

static int export_db_problems(ex *x, ea_node *nd)
{
	int rc = EA_OK;
	if (nd->db_unreadable) {
		ea_problem p = { EA_LAYER_BOLT, EA_SEV_ERROR, "db-unreadable", nd->db_file, EA_NO_OFFSET, 0,
		                 nd->db_unreadable };
		return export_problem(x, nd->name, &p);
	}
	if (!nd->mvcc) return EA_OK;
	ea_bolt *b = ea_mvcc_bolt(nd->mvcc);
	for (size_t i = 0; i < ea_bolt_problem_count(b) && rc == EA_OK; i++)
		rc = export_problem(x, nd->name, ea_bolt_problem_at(b, i));
	if (rc == EA_OK && ea_bolt_problems_dropped(b)) {
		char msg[160];
		snprintf(msg, sizeof msg, "%zu further bbolt problems were not kept (cap %d)",
		         ea_bolt_problems_dropped(b), EA_BOLT_MAX_PROBLEMS);
		ea_problem p = { EA_LAYER_BOLT, EA_SEV_WARNING, "problems-dropped", nd->db_file, EA_NO_OFFSET, 0, msg };
		rc = export_problem(x, nd->name, &p);
	}
	return rc;
}

static void join_ids(char *buf, size_t cap, const uint64_t *ids, size_t n)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && at < cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%s%" PRIx64, i ? "," : "", ids[i]);
}

static int export_snapshots(ex *x, ea_node *nd)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_SNAPSHOTS];
	int rc = EA_OK;
	for (size_t i = 0; nd->have_wal && i < nd->wal.snapshots_kept && rc == EA_OK; i++) {
		const struct ea_wal_snapshot_ref *sn = &nd->wal.snapshots[i];
		b_text(s, 1, nd->name);
		b_text(s, 2, "wal");
		b_u64(s, 3, sn->term);
		b_u64(s, 4, sn->index);
		b_text(s, 7, sn->segment < nd->nsegments ? nd->segments[sn->segment].file : NULL);
		b_u64(s, 8, sn->offset);
		rc = row(x, EA_EXPORT_T_SNAPSHOTS);
	}
	if (rc) return rc;
	ea_snap_list *sl = NULL;
	ea_error serr = { 0 };
	if (ea_snap_list_open(&sl, nd->in, 0, &serr) != EA_OK) return EA_OK;   /* no .snap files */
	char voters[1024], learners[1024];
	for (size_t i = 0; i < ea_snap_list_count(sl) && rc == EA_OK; i++) {
		const ea_snap_info *si = ea_snap_list_at(sl, i);
		int db = strcmp(si->kind, "snap.db") == 0;
		b_text(s, 1, nd->name);
		b_text(s, 2, db ? "snap-db" : "snap-file");
		if (si->decoded) {
			b_u64(s, 3, si->term);
			b_u64(s, 4, si->index);
			join_ids(voters, sizeof voters, si->voters, si->n_voters);
			join_ids(learners, sizeof learners, si->learners, si->n_learners);
			b_text(s, 5, voters);
			b_text(s, 6, learners);
		} else if (si->name_ok) {
			if (!db) b_u64(s, 3, si->name_term);   /* from the file name: %016x(term)-%016x(index) */
			b_u64(s, 4, si->name_index);
		}
		b_text(s, 7, si->file);
		b_tri(s, 9, si->crc_ok);
		b_u64(s, 10, si->size);
		rc = row(x, EA_EXPORT_T_SNAPSHOTS);
	}
	for (size_t i = 0; i < ea_snap_list_problem_count(sl) && rc == EA_OK; i++)
		rc = export_problem(x, nd->name, ea_snap_list_problem_at(sl, i));
	ea_snap_list_free(sl);
	return rc;
}

static int export_conf_changes(ex *x, ea_node *nd)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_CONF_CHANGES];
	ea_arena a;
	ea_arena_init(&a, 0);
	int rc = EA_OK;
	for (size_t i = 0; i < nd->nconf && rc == EA_OK; i++) {
		const ea_conf_change *cc = &nd->conf[i];
		const char *change = cc->kind;
		if (strncmp(change, "confchange:", 11) == 0) change += 11;
		else if (strcmp(change, "confchangev2") == 0) change = "v2";
		b_text(s, 1, nd->name);
		b_u64(s, 2, cc->index);
		b_u64(s, 3, cc->term);
		b_text(s, 4, change);
		b_hex(x, s, 5, cc->member_id, 0);
		char urls[1024];
		if (cc->context) {
			ea_jv *j = ea_jsonp_parse(&a, cc->context, strlen(cc->context));
			if (j && j->type == EA_JV_OBJ) {
				b_text_copy(s, 6, ea_jsonp_str(j, "name"));
				const ea_jv *pu = ea_jsonp_get(j, "peerURLs");
				if (pu && pu->type == EA_JV_ARR) {
					size_t at = 0;
					urls[0] = 0;
					for (const ea_jv *u = pu->child; u && at < sizeof urls; u = u->next)
						if (u->type == EA_JV_STR)
							at += (size_t)snprintf(urls + at, sizeof urls - at, "%s%s", at ? "," : "", u->s);
					b_text_copy(s, 7, urls);
				}
				const ea_jv *l = ea_jsonp_get(j, "isLearner");
				sqlite3_bind_int(s, 10, l && l->type == EA_JV_BOOL && l->b);
			}
		}
		if (strcmp(change, "add_learner") == 0) sqlite3_bind_int(s, 10, 1);
		sqlite3_bind_int(s, 8, cc->committed ? 1 : 0);
		sqlite3_bind_int(s, 9, cc->superseded ? 1 : 0);
		rc = row(x, EA_EXPORT_T_CONF_CHANGES);
		ea_arena_reset(&a);
	}
	ea_arena_free(&a);
	return rc;
}

/* ---- cluster level ---- */

static int export_terms(ex *x, const ea_terms *t)
{
	sqlite3_stmt *s = x->st[EA_EXPORT_T_TERMS], *v = x->st[EA_EXPORT_T_VOTES];
	int rc = EA_OK;
	for (size_t r = 0; r < t->nrows && rc == EA_OK; r++) {
		const ea_term_row *tr = &t->rows[r];
		b_u64(s, 1, tr->term);
		b_hex(x, s, 2, tr->leader, 0);
		if (tr->entries) { b_u64(s, 3, tr->first_index); b_u64(s, 4, tr->last_index); }
		b_u64(s, 5, tr->entries);
		sqlite3_bind_int(s, 6, tr->failed_election ? 1 : 0);
		b_text(s, 7, tr->leader_basis);
		char tt[48];   /* bound without a copy: must live until the row is stepped */
		if (tr->time_ms >= 0) {
			/* the earliest line of etcd's logs about this term (--logs) */
			time_text(tt, sizeof tt, tr->time_ms);
			b_text(s, 8, tt);
			b_text(s, 9, "log");
		}
		b_hex(x, s, 10, tr->log_leader, 0);
		rc = row(x, EA_EXPORT_T_TERMS);
		for (size_t k = 0; k < tr->nvotes && rc == EA_OK; k++) {
			b_u64(v, 1, tr->term);
			b_hex(x, v, 2, tr->votes[k].voter, 0);
			b_hex(x, v, 3, tr->votes[k].voted_for, 1);
			rc = row(x, EA_EXPORT_T_VOTES);
		}
	}
	return rc;
}

static int export_events(ex *x, ea_node *const *nodes, size_t n, const ea_terms *t)
{
	ea_event *ev = NULL;
	size_t nev = 0;
	int rc = ea_timeline_build(nodes, n, t, &ev, &nev);
	if (rc) return ex_fail(x, rc, "timeline: %s", ea_strerror(rc));
	sqlite3_stmt *s = x->st[EA_EXPORT_T_EVENTS];
	for (size_t i = 0; i < nev && rc == EA_OK; i++) {
		const ea_event *e = &ev[i];
		char tt[48];
		b_text(s, 1, e->node);
		if (e->time_ms >= 0) {
			time_text(tt, sizeof tt, e->time_ms);
			b_text(s, 2, tt);
			b_int(s, 8, e->time_ms);
		}
		b_text(s, 3, e->time_source);
		b_text(s, 4, e->event);
		if (e->term) b_u64(s, 5, e->term);
		if (e->index) b_u64(s, 6, e->index);
		b_text(s, 7, e->detail);
		b_u64(s, 9, i);
		rc = row(x, EA_EXPORT_T_EVENTS);
	}
	free(ev);
	if (rc == EA_OK)
		rc = exec(x, "INSERT INTO term_clock SELECT t.term, (SELECT max(e.time) FROM events e "
		             "WHERE e.time IS NOT NULL AND e.term IS NOT NULL AND e.term <= t.term) FROM terms t");
	return rc;
}

static int export_diff(ex *x, ea_node *const *nodes, size_t n, const ea_terms *t)
{
	ea_diff d;
	int rc = ea_diff_run(nodes, n, t, &d);
	if (rc) return ex_fail(x, rc, "diff: %s", ea_strerror(rc));
	sqlite3_stmt *s = x->st[EA_EXPORT_T_FINDINGS];
	char names[2048];
	for (size_t f = 0; f < d.nfindings && rc == EA_OK; f++) {
		const ea_finding *fd = &d.findings[f];
		size_t at = 0;
		names[0] = 0;
		for (size_t i = 0; i < n && at < sizeof names; i++)
			if (fd->node_mask & (1u << i))
				at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", at ? "," : "", nodes[i]->name);
		b_text(s, 1, fd->kind);
		b_text(s, 2, fd->severity);
		if (fd->index) b_u64(s, 3, fd->index);
		if (fd->revision >= 0) b_int(s, 4, fd->revision);
		b_text(s, 5, names);
		b_text(s, 6, fd->detail);
		rc = row(x, EA_EXPORT_T_FINDINGS);
		if (strcmp(fd->severity, "info") != 0) x->stats->findings_warn++;
	}
	if (rc == EA_OK) {
		s = x->st[EA_EXPORT_T_VERDICT];
		b_text(s, 1, ea_verdict_name(d.verdict));
		b_text(s, 2, d.recommended >= 0 ? nodes[d.recommended]->name : NULL);
		b_text(s, 3, d.recommendation);
		if (d.first_divergent_index) b_u64(s, 4, d.first_divergent_index);
		rc = row(x, EA_EXPORT_T_VERDICT);
		x->stats->verdict = ea_verdict_name(d.verdict);
	}
	ea_diff_free(&d);
	return rc;
}

static int export_meta(ex *x, ea_node *const *nodes, size_t n)
{
	char buf[1024], key[600];
	int rc = meta(x, "tool", "etcd-autopsy");
	if (rc == EA_OK) rc = meta(x, "tool_version", EA_VERSION);
	snprintf(buf, sizeof buf, "%d", EA_EXPORT_SCHEMA_VERSION);
	if (rc == EA_OK) rc = meta(x, "schema_version", buf);
	int64_t ms = x->o.export_time_ms;
	if (!ms) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	time_text(buf, sizeof buf, ms);
	if (rc == EA_OK) rc = meta(x, "export_time", buf);
	if (rc == EA_OK) rc = meta(x, "command_line", x->o.command_line ? x->o.command_line : "");
	if (rc == EA_OK) rc = meta(x, "sqlite_version", sqlite3_libversion());
	snprintf(buf, sizeof buf, "values=%d records=%d", x->o.values ? 1 : 0, x->o.records ? 1 : 0);
	if (rc == EA_OK) rc = meta(x, "options", buf);
	snprintf(buf, sizeof buf, "%zu", n);
	if (rc == EA_OK) rc = meta(x, "node_count", buf);
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		snprintf(key, sizeof key, "input.%s.path", nodes[i]->name);
		rc = meta(x, key, nodes[i]->path);
	}
	return rc;
}

static int prepare_all(ex *x)
{
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) {
		const char *sql = insert_sql[t];
		if (t == EA_EXPORT_T_REVISIONS)
			sql = x->o.values ? "INSERT INTO revisions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
			                  : "INSERT INTO revisions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
		if (sqlite3_prepare_v3(x->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &x->st[t], NULL) != SQLITE_OK)
			return sql_fail(x, "prepare");
	}
	return EA_OK;
}

static int load(ex *x, ea_node *const *nodes, size_t n)
{
	char *schema = sqlite3_mprintf(schema_sql, x->o.values ? ", value BLOB" : "");
	if (!schema) return EA_ENOMEM;
	int rc = exec(x, schema);
	sqlite3_free(schema);
	if (rc == EA_OK) rc = prepare_all(x);
	if (rc) return rc;

	for (size_t i = 0; i < n; i++) {
		ea_member_set_add(&x->known, nodes[i]->have_wal ? nodes[i]->wal.member_id : 0);
		for (size_t c = 0; c < nodes[i]->nconf; c++)
			if (strcmp(nodes[i]->conf[c].kind, "confchange:remove") != 0) ea_member_set_add(&x->known, nodes[i]->conf[c].member_id);
	}

	double t0 = now_s();
	if (x->o.hash_inputs && (rc = hash_start(x->hash, nodes, n, x->o.stop)) != EA_OK) return rc;
	if ((rc = exec(x, "BEGIN"))) return rc;
	rc = export_meta(x, nodes, n);
	for (size_t i = 0; i < n && rc == EA_OK; i++) rc = export_node_row(x, nodes[i]);
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		for (size_t k = 0; k < ea_input_problem_count(nodes[i]->in) && rc == EA_OK; k++)
			rc = export_problem(x, nodes[i]->name, ea_input_problem_at(nodes[i]->in, k));
		if (rc == EA_OK) rc = export_segments(x, nodes[i]);
	}
	if (rc == EA_OK) rc = exec(x, "COMMIT");

	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		if (!nodes[i]->have_wal) continue;
		if ((rc = exec(x, "BEGIN"))) break;
		rc = export_wal(x, nodes[i]);
		if (rc == EA_OK) rc = exec(x, "COMMIT");
	}
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		if (!nodes[i]->mvcc) continue;
		if ((rc = exec(x, "BEGIN"))) break;
		rc = export_revisions(x, nodes[i]);
		if (rc == EA_OK) rc = exec(x, "COMMIT");
	}
	if (rc) return rc;

	ea_terms terms;
	if ((rc = ea_terms_build(nodes, n, &terms))) return ex_fail(x, rc, "terms: %s", ea_strerror(rc));
	rc = exec(x, "BEGIN");
	for (size_t i = 0; i < n && rc == EA_OK; i++) {
		rc = export_snapshots(x, nodes[i]);
		if (rc == EA_OK) rc = export_conf_changes(x, nodes[i]);
		if (rc == EA_OK) rc = export_buckets(x, nodes[i]);
		if (rc == EA_OK) rc = export_db_problems(x, nodes[i]);
	}
	if (rc == EA_OK) rc = export_terms(x, &terms);
	if (rc == EA_OK) rc = export_events(x, nodes, n, &terms);
	if (rc == EA_OK && stopped(x)) rc = ex_fail(x, EA_EIO, "export interrupted");
	if (rc == EA_OK) rc = export_diff(x, nodes, n, &terms);
	if (rc == EA_OK) rc = exec(x, "COMMIT");
	ea_terms_free(&terms);
	x->stats->load_seconds = now_s() - t0;
	return rc;
}

/* Temporary file in the output's directory, so the final rename stays on one file system. */
static char *make_temp(const char *out_path, ea_error *err)
{
	size_t len = strlen(out_path);
	char *tmp = malloc(len + 16);
	if (!tmp) return NULL;
	snprintf(tmp, len + 16, "%s.tmp-XXXXXX", out_path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		if (err) {
			err->code = EA_EIO;
			snprintf(err->file, sizeof err->file, "%s", out_path);
			snprintf(err->msg, sizeof err->msg, "cannot create a temporary file beside %s: %s", out_path,
			         strerror(errno));
		}
		free(tmp);
		return NULL;
	}
	close(fd);
	return tmp;
}

int ea_export_sqlite(const char *out_path, ea_node *const *nodes, size_t n,
                     const ea_export_options *opts, ea_export_stats *stats, ea_error *err)
{
	ea_error local_err;
	ea_export_stats local_stats;
	if (!err) err = &local_err;
	memset(err, 0, sizeof *err);
	if (!stats) stats = &local_stats;
	memset(stats, 0, sizeof *stats);
	if (!out_path || !*out_path || n == 0 || n > MAX_NODES) {
		err->code = EA_EINVAL;
		snprintf(err->msg, sizeof err->msg, "export needs an output path and 1..%d nodes", MAX_NODES);
		return EA_EINVAL;
	}
	ea_export_options def = EA_EXPORT_OPTIONS_INIT;
	struct stat st;
	if (!(opts ? opts : &def)->force && lstat(out_path, &st) == 0) {
		err->code = EA_EINVAL;
		snprintf(err->file, sizeof err->file, "%s", out_path);
		snprintf(err->msg, sizeof err->msg, "%s exists; not overwriting it (use --force)", out_path);
		return EA_EINVAL;
	}
	double t0 = now_s();
	char *tmp = make_temp(out_path, err);
	if (!tmp) return err->code ? err->code : EA_ENOMEM;

	ex x;
	memset(&x, 0, sizeof x);
	x.o = opts ? *opts : def;
	x.stats = stats;
	x.err = err;
	hash_job hj;
	memset(&hj, 0, sizeof hj);
	x.hash = &hj;
	int rc = EA_OK;
	if (sqlite3_open_v2(tmp, &x.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = x.db ? sql_fail(&x, "open") : EA_ENOMEM;
	} else {
		rc = exec(&x, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
		              "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA foreign_keys=OFF;");
		if (rc == EA_OK) rc = load(&x, nodes, n);
		if (rc == EA_OK && stopped(&x)) rc = ex_fail(&x, EA_EIO, "export interrupted");
		double i0 = now_s();
		if (rc == EA_OK) rc = exec(&x, index_sql);
		stats->index_seconds = now_s() - i0;
		/* the hashing thread had the load and the index builds to finish alongside */
		if (rc == EA_OK && x.o.hash_inputs) {
			rc = exec(&x, "BEGIN");
			if (rc == EA_OK) rc = hash_write(&x, &hj);
			if (rc == EA_OK) rc = exec(&x, "COMMIT");
		}
		i0 = now_s();
		if (rc == EA_OK) rc = exec(&x, "PRAGMA analysis_limit=2000; ANALYZE;");   /* sampled statistics: enough for the planner */
		stats->index_seconds += now_s() - i0;
		/* the finished file is left in rollback-journal mode with full sync for its readers */
		if (rc == EA_OK) rc = exec(&x, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;");
	}
	hash_free(&hj);   /* joins the thread first if the load stopped early */
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) sqlite3_finalize(x.st[t]);
	if (x.db && sqlite3_close(x.db) != SQLITE_OK && rc == EA_OK) rc = ex_fail(&x, EA_EIO, "sqlite: close failed");
	if (rc == EA_OK) {
		/* data on disk before the name: a crash after the rename never exposes a torn file */
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) { fsync(fd); close(fd); }
		if (x.o.force) {
			if (rename(tmp, out_path) != 0)
				rc = ex_fail(&x, EA_EIO, "cannot rename %s to %s: %s", tmp, out_path, strerror(errno));
		} else if (link(tmp, out_path) != 0) {
			/* link() fails if the output appeared meanwhile: never replace a file without --force.
			 * File systems without hard links get a check-then-rename instead. */
			int e = errno;
			struct stat st2;
			if (e != EEXIST && lstat(out_path, &st2) != 0 && rename(tmp, out_path) == 0) {
				/* done */
			} else {
				rc = ex_fail(&x, e == EEXIST ? EA_EINVAL : EA_EIO, "cannot create %s: %s", out_path,
				             strerror(e == EEXIST ? e : errno));
			}
		}
	}
	unlink(tmp);
	free(tmp);
	for (int t = 0; t < EA_EXPORT_T_COUNT; t++) stats->total_rows += stats->rows[t];
	stats->total_seconds = now_s() - t0;
	return rc;
}
