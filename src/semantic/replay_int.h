/* replay_int.h: the replay engine's model, shared by its files (cross-file functions: ea__rp_*):
 *   replay_keys.c  the key state table and the lease table (arena-backed, reset per pass)
 *   replay_counts.c the writes-per-revision vector (a byte per revision)
 *   replay_apply.c etcd's apply rules: one committed request -> the writes of one revision
 *   replay_db.c    the db side: base states at B, the writes checked against the key bucket,
 *                  the db-only walk
 *   replay.c       the iterator, the anchor fixpoint, the summary */
#ifndef EA_REPLAY_INT_H
#define EA_REPLAY_INT_H

#include "etcd-autopsy/replay.h"
#include "util/arena.h"

#include <stdint.h>

#define RP_PREFIX 64            /* value bytes kept per key for GREATER/LESS compares */

enum { RP_UNKNOWN = 0, RP_ABSENT, RP_ALIVE };

/* Where a value's bytes can be read again, so that it is hashed only when a compare or an
 * ignore_value put needs it (replay_value.c): the WAL record of the put, or the db element
 * (rp_key.vsrc, vat, vidx, vseg, vrel, vrec_len). */
enum { RP_VS_NONE = 0, RP_VS_WAL, RP_VS_DB };
#define RP_VREF_MAX (1u << 24)  /* vrel, vrec_len: a WAL record is below etcd's 10 MiB limit */

/* One user key's state at the current point of the replay: 128 bytes (the 8 GB Kubernetes
 * member's window touches 241,413 keys). The value's first RP_PREFIX bytes live out of line
 * (rp_model.pre): only GREATER/LESS compares on VALUE read them, and a value the WAL record or
 * the db element holds is read again for that (once per value), so most keys never keep them. */
typedef struct {
	uint64_t koff;              /* key bytes at kbuf + koff (its hash lives in its slot's tag) */
	int64_t  create, mod, mod_sub, version, lease;
	uint64_t vhash;             /* valid unless vsrc != RP_VS_NONE (hashed on demand) */
	uint64_t vat;               /* WAL: the record's frame offset; DB: main revision */
	uint64_t vidx;              /* WAL: the entry's index (checked when read again); DB: sub */
	int64_t  keep_rev;          /* the window's last put at or below the db's compaction (0: none,
	                             * or a tombstone): compaction keeps it while the key lives */
	uint64_t keep_index, keep_term;   /* the entry that wrote it */
	uint32_t keep_sub;          /* its sub revision (a write's position in its entry) */
	uint32_t klen;
	uint32_t vlen;
	uint32_t pre;               /* the prefix's slot in rp_model.pre + 1 (0: none yet) */
	uint32_t listed;            /* the lease (rp_model.leases index + 1) whose key list holds it */
	uint32_t vseg;              /* WAL: segment index */
	uint32_t vrel : 24;         /* WAL: offset of the value in the entry's data */
	uint32_t vpre_len : 8;      /* min(vlen, RP_PREFIX) */
	uint32_t vrec_len : 24;     /* WAL: walpb.Record length */
	uint32_t vsrc : 2;          /* RP_VS_* */
	uint32_t st : 2;            /* RP_UNKNOWN / RP_ABSENT / RP_ALIVE */
	uint32_t cv_known : 1;      /* create_revision and version known (alive) */
	uint32_t touched : 1;       /* written by the window in this pass */
	uint32_t pre_lazy : 1;      /* the prefix is not in rp_model.pre: read it again (vsrc) */
	uint32_t keep_found : 1;    /* the db still holds it */
} rp_key;

typedef struct {
	int64_t  id;
	int8_t   base;              /* at B: 1 exists, 0 absent, -1 not decided */
	int8_t   exists;            /* now (this pass), -1 unknown */
	int8_t   learned;           /* base decided by the first grant/revoke of the first anchor pass */
	uint32_t *keys;             /* rp_key indexes attached (stale ones filtered at revoke) */
	uint32_t n, cap;
} rp_lease;

/* A vector of small counts (writes per revision: almost always 1): one byte each, the counts
 * of 255 or more in a sorted side list (position, count). */
typedef struct {
	uint8_t  *b;
	size_t    n, cap;
	struct rp_count_big { uint64_t at; uint32_t n; } *big;
	size_t    nbig, capbig;
} rp_counts;

/* One element a revision writes. */
typedef struct {
	uint32_t key;               /* rp_key index */
	uint8_t  del;               /* tombstone */
	uint8_t  cv_known;
	int64_t  create, version, lease;
	uint32_t vlen;
	uint64_t vhash;             /* set only when val is NULL */
	const uint8_t *val;         /* NULL when only the hash is known (ignore_value) */
} rp_write;

typedef struct {
	/* keys */
	rp_key   *keys;
	size_t    nkeys, capkeys;
	uint64_t *slots;            /* index + 1 (low 32 bits, 0 empty), the key hash's high 32 bits */
	size_t    nslots;
	uint8_t  *kbuf;
	size_t    kbuf_len, kbuf_cap;
	/* value prefixes (rp_key.pre) */
	uint8_t (*pre)[RP_PREFIX];
	size_t    npre, cappre;
	/* leases */
	rp_lease *leases;
	size_t    nleases, capleases;
	/* per entry */
	rp_write *writes;
	size_t    nwrites, capwrites;
	uint32_t *tmp;              /* sort / collect scratch */
	size_t    ntmp, captmp;
} rp_model;

/* A db-only row waiting to be handed out. */
typedef struct {
	int64_t  main, sub;
	uint64_t page;
	uint8_t *key;
	size_t   key_len;
	int      tomb;
	uint64_t index, term;       /* kept-but-missing rows: the entry that wrote it; 0 db-only */
} rp_dbonly;

#define RP_DBONLY_CAP 10000      /* db-only rows listed (all are counted) */

struct ea_replay {
	ea_log   *log;
	ea_mvcc  *db;
	ea_entry_iter *it;
	ea_replay_options opts;
	rp_model  m;
	ea_arena  arena;            /* requests unpacked, reset per entry */
	ea_mvcc_info dbi;
	uint64_t  C;                /* db consistent_index */
	int64_t   R, K;             /* db revision, compaction (finished or scheduled; -1 none) */
	int64_t   B;                /* base revision before the window */
	int64_t   rev;              /* current revision */
	int64_t   compact;          /* the model's compaction revision (-1 unknown / none) */
	uint64_t  commit;           /* entries at or below are committed: max(HardState commit, C) */
	uint64_t  first_index;      /* first committed entry (0: none seen yet) */
	int       from_one;         /* the window starts at index 1: empty keyspace, revision 1 */
	int       learning;         /* first anchor pass: lease bases are being learned */
	int       uncertain;        /* the current entry's effect rests on something unknown */
	int64_t   rev_at_C;         /* revision after entry C */
	int       C_reached;        /* entry C was replayed in this pass (or C is just before it) */
	int       have_C;           /* the db has a consistent_index */
	int       restored;         /* the db was restored from a snapshot beside a fresh WAL */
	int       no_anchor;        /* revisions cannot be anchored: nothing compared */
	uint64_t  first_window;     /* index of the WAL's first entry record */
	uint64_t  F;                /* first index of the anchored window (after the last jump) */
	int       pre_from_one;     /* entries before F start at index 1: replayed on their own */
	int       in_pre;           /* the emitting pass is in those entries */
	int       tail_from_one;    /* F is 1 */
	int       tail_anchored;    /* anchored on the db's compaction K (replay_anchor.c): the entries
	                             * [head_from, F) made their revisions at or below K, unknown */
	uint64_t  head_from;
	ea_replay_difference first_real;   /* the first difference that is not unknown (the list
	                             * keeps only the first EA_REPLAY_DIFFERENCES_CAP): the reason's */
	int       have_first_real;
	uint64_t  value_diffs;      /* revisions the db contradicts on values alone (ea__rp_db_check):
	                             * the compaction anchor's value-blind search counts them */
	uint64_t  last_index, entries;
	uint64_t  cur_index, cur_term;   /* the entry being applied */
	const ea_entry_item *cur_entry;
	uint64_t  missing_after_C, real_differences, dbonly_tallied;
	char      why[256];         /* the current entry's apply note */
	uint8_t  *path;             /* txn compare outcomes, depth first over the chosen branches */
	size_t    npath, cappath;
	struct { uint64_t member; int alarm; } alarms[64];
	size_t    nalarms;
	char      detail[768];
	char      keybuf[160];
	uint8_t  *kscratch;         /* 64 KiB: keys read back from the db (lease revoke) */
	int64_t  *dbleases;         /* the db's lease bucket, sorted */
	size_t    ndbleases, capdbleases;
	int       dbleases_loaded;
	rp_counts nw;               /* writes per revision B+1.. */
	/* the emitting pass */
	ea_replay_item item;
	const ea_entry_item *pending;   /* read ahead by ea_replay_new */
	int       entries_done;
	rp_dbonly *dbonly;
	size_t    ndbonly, capdbonly, dbonly_pos;
	uint64_t  dbonly_total, kept_missing_dropped;
	size_t    nkept;            /* kept-but-missing rows at the head of dbonly */
	ea_replay_summary sum;
	int       sum_done;
};

typedef struct ea_replay rp_ctx;

/* ---- replay_counts.c ---- */
/* Appends n: EA_OK or EA_ENOMEM (a pass starts again after ea__rp_counts_clear). */
int  ea__rp_counts_push(rp_counts *v, uint32_t n);
/* The i-th count pushed (i < v->n). */
uint32_t ea__rp_counts_get(const rp_counts *v, size_t i);
void ea__rp_counts_clear(rp_counts *v);
void ea__rp_counts_free(rp_counts *v);

/* ---- replay_keys.c ---- */
uint64_t ea__rp_hash(const uint8_t *p, size_t n);
const uint8_t *ea__rp_key_bytes(const rp_model *m, const rp_key *k);
/* Clears keys and writes (not the lease bases) for a new pass. */
void ea__rp_model_reset(rp_model *m);
void ea__rp_model_free(rp_model *m);
/* The key's entry, -1 absent; with create: added (state RP_UNKNOWN, *created = 1). -2 no memory. */
long ea__rp_key_find(rp_model *m, const uint8_t *k, size_t n, int create, int *created);

/* ---- replay_value.c ---- */
/* Sets the value facts of key k: length, prefix, and the hash now (v read from nowhere else):
 * 0, or -1 no memory. */
int  ea__rp_key_set_value(rp_model *m, rp_key *k, const uint8_t *v, size_t n);
/* The same for a put of the current entry: v inside its record is hashed (and its prefix kept)
 * only on demand. */
int  ea__rp_key_set_put_value(rp_ctx *c, rp_key *k, const uint8_t *v, size_t n);
/* The same for the db element kv holds (key state at the base revision). */
void ea__rp_key_set_db_value(rp_key *k, const ea_mvcc_kv *kv);
/* Makes k->vhash valid (reads the value again where it is): 0, or -1 when it cannot be read. */
int  ea__rp_key_hash(rp_ctx *c, rp_key *k);
/* The first k->vpre_len bytes of the value (read again where it is when not kept): NULL when it
 * cannot be read. */
const uint8_t *ea__rp_key_prefix(rp_ctx *c, rp_key *k);
/* 1 if key k lies in etcd's range [key, end) (end NULL: == key; "\0": >= key). */
int  ea__rp_in_range(const uint8_t *k, size_t kn, const uint8_t *key, size_t kl, const uint8_t *end, size_t el);
/* Byte order of two keys. */
int  ea__rp_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);
/* Sorts m->tmp[0..ntmp) (key indexes) by key bytes, dropping duplicates. */
void ea__rp_sort_tmp(rp_model *m);
int  ea__rp_tmp_push(rp_model *m, uint32_t v);
int  ea__rp_write_push(rp_model *m, const rp_write *w);
/* The lease entry for id (created with base -1 when absent); NULL no memory. */
rp_lease *ea__rp_lease_get(rp_model *m, int64_t id);
int  ea__rp_lease_attach(rp_model *m, int64_t id, uint32_t key);

/* ---- replay_db.c ---- */
/* Loads key i's state at the base revision from the db (or the empty keyspace). */
int  ea__rp_db_load_base(rp_ctx *c, uint32_t i);
/* Loads every db key in [key, end) alive at the base revision into the table. */
int  ea__rp_db_load_range(rp_ctx *c, const uint8_t *key, size_t kl, const uint8_t *end, size_t el);
/* The db's tombstone keys at revision rev that an untouched key attached to lease id at B
 * explains, pushed to m->tmp (lease revoke). */
int  ea__rp_db_revoke_extras(rp_ctx *c, int64_t rev, int64_t lease);
/* The db element (rev, 0)'s key, to resolve a txn whose compares are unknown: 1 found. */
int  ea__rp_db_first_key(rp_ctx *c, int64_t rev, uint8_t *buf, size_t cap, size_t *len, int *tomb);
/* Checks the entry's writes (m->writes) against the db at revision rev; fills the item. */
int  ea__rp_db_check(rp_ctx *c, int64_t rev, ea_replay_item *it);
/* Walks the key bucket once for elements above B that no entry made (db-only rows). */
int  ea__rp_db_only_walk(rp_ctx *c);
/* Rows for the window's puts that the db's compaction must have kept (the last one at or below
 * it of a key alive then) but the db lacks: silently lost writes. */
int  ea__rp_db_kept_missing(rp_ctx *c);
/* Lease existence in the db's lease bucket (the state at consistent_index): 1, 0. */
int  ea__rp_db_lease_exists(rp_ctx *c, int64_t id);
/* bytes.Compare(value of key i, v) with the db's copy of the value when the kept prefix ties:
 * 0 and *res, or -1 when the db no longer holds it. */
int  ea__rp_db_value_cmp(rp_ctx *c, uint32_t i, const uint8_t *v, size_t vl, int *res);
/* The db's alarms (state at consistent_index) as the model's starting alarms. */
int  ea__rp_db_load_alarms(rp_ctx *c);

/* ---- replay.c ---- */
/* An anchor pass: replays the committed entries F..C from base B (c->rev_at_C set); *bad, when
 * given, counts the entries the db contradicts or that stay unknown, *first_wrote whether
 * entry F made a revision. */
int  ea__rp_anchor_pass(rp_ctx *c, ea_error *err, uint64_t *bad, int *first_wrote);

/* ---- replay_anchor.c ---- */
/* The compaction anchor, tried when the fixpoint does not settle: *found = 1 with c->F, c->B = K
 * and c->tail_anchored set, or 0 with c->F unchanged. */
int  ea__rp_tail_anchor(rp_ctx *c, ea_error *err, int *found);
/* ---- replay_writes.c ---- */
/* 1 if a write of m->writes learns create_revision/version from the db's element (the check's
 * only effect on the model): no_db_check checks that entry all the same. */
int  ea__rp_writes_learn_from_db(const rp_model *m);

/* ---- replay_apply.c ---- */
/* Applies one committed entry's request to the model: m->writes are the elements of the
 * revision it makes (none: no revision); sets it->txn_applied, it->key and c->why. */
int  ea__rp_apply(rp_ctx *c, const ea_entry_item *e, ea_replay_item *it);

#endif
