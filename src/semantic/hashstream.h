/* hashstream.h: HashKV of a compacted db (docs/formats.md §7.3, §7.3.1) from one walk of the
 * key bucket, without etcd's key index: mvcc.c feeds every revision element in walk order and
 * asks for both variants at the end. See hashstream.c for why the result equals the index's. */
#ifndef EA_SEMANTIC_HASHSTREAM_H
#define EA_SEMANTIC_HASHSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define EA_HS_CANDIDATES 32

typedef struct ea_hs_key ea_hs_key;
typedef struct ea_hs_block ea_hs_block;

/* A key put above the compaction that no element at or below it names: only used to prove
 * that etcd's keep set is not empty (some key alive at the hash revision). */
typedef struct {
	uint64_t hash;
	uint8_t *key;
	size_t len;
	int used, alive, has_tomb, complete;
	int64_t last_tomb, since;
} ea_hs_cand;

typedef struct {
	int64_t compact, rev, upto;       /* K, R (INT64_MAX: every element), fold only mains <= upto */
	int give_up;                      /* out of order, a non-revision key, no memory: use the index */
	int have_prev;
	int64_t prev_main, prev_sub;
	uint64_t prefix;                  /* elements at or below K */
	int tomb_at_k;                    /* a tombstone with main == K was seen */
	uint32_t pall[2];                 /* "key" + every element <= K (variant 1: minus tombstones at K) */
	int split;                        /* pall[1] is kept apart (a tombstone at K was folded) */
	uint32_t tail;                    /* CRC-32C from 0 of the elements in (K, R] */
	uint64_t tail_len;
	/* the keys with a put at or below K: open addressing, index + 1 into keys */
	ea_hs_key *keys;
	size_t nkeys, capkeys;
	uint32_t *slots;
	size_t nslots;
	ea_hs_block *blocks;              /* the key bytes */
	ea_hs_cand cand[EA_HS_CANDIDATES];
	struct ea_hs_kept *kept;          /* finish: the keep sets' elements <= K, by revision */
	size_t nkept;
	int evicted;                      /* a candidate was dropped: the others may not be all keys */
	uint64_t clock;
} ea_hstream;

typedef struct {
	uint32_t hash[2];                 /* [0] classic, [1] skip-compact-tombstone */
	int keep_nonempty[2];             /* etcd's keep set at R is not empty */
	int skipped_tomb;                 /* variant 1 dropped a tombstone at K (its keep set empty) */
	size_t kept;                      /* elements <= K the keep sets hold (either variant) */
} ea_hs_result;

/* Starts a walk for HashKV at rev (INT64_MAX: R is the last element), compaction `compact`,
 * folding only mains <= upto. */
void ea_hs_init(ea_hstream *s, int64_t compact, int64_t rev, int64_t upto);
/* One revision element in walk order: its raw key and value, parsed revision, and the user key
 * (`uk` NULL when the value holds no decodable mvccpb.KeyValue). */
void ea_hs_feed(ea_hstream *s, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, int64_t main,
                int64_t sub, int tomb, const uint8_t *uk, size_t ul);
/* An element the streaming cannot account for (a non-revision key etcd would still read). */
void ea_hs_give_up(ea_hstream *s);
/* Both variants at R = rev. 0, or 1 when undecided (the caller uses the key index), <0 error. */
int ea_hs_finish(ea_hstream *s, int64_t rev, ea_hs_result *out);
/* "key" and every element fed (<= R, <= upto): HashKV when no element is at or below K. */
uint32_t ea_hs_hash_all(const ea_hstream *s);
/* After a finish that returned 0: calls cb for each element <= K of the keep sets (revision
 * order; in0/in1: in the classic / the newer variant's set); stops at cb's first non-zero. */
int ea_hs_foreach_kept(const ea_hstream *s, int (*cb)(int64_t main, int64_t sub, int in0, int in1, void *p),
                       void *p);
/* CRC-32C of a||b from crc(a), crc(b) and b's length (zlib's crc32_combine for Castagnoli). */
uint32_t ea_hs_crc_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);
void ea_hs_free(ea_hstream *s);

struct ea_mvcc;
/* Tests (mvcc.c): this handle computes HashKV by the key index only, as before the streaming. */
void ea__mvcc_no_stream(struct ea_mvcc *m);
/* Tests: how the handle's last HashKV was made: 0 the light scan (nothing at or below the
 * compaction), 1 the light scan's streaming, 2 a streaming walk, 3 the key index. */
int ea__mvcc_hash_path(const struct ea_mvcc *m);

#endif
