/* ea_synth: write a synthetic etcd data dir for the benchmarks (see synth.h).
 *
 *   ea_synth DATADIR WAL_BYTES DB_BYTES [SEED [KEY_POOL DELETE_PCT COMPACT_REV]]
 *
 * WAL_BYTES of used WAL in 64,000,000-byte segments of realistic put/delete entries (keys
 * ~60 B, values 200 B - 4 KB log-uniform), DB_BYTES of bbolt db with revisions of the same
 * shape. Either size may be 0 (not written). With KEY_POOL, the db's revisions update and delete
 * (DELETE_PCT %) KEY_POOL keys and are compacted at COMPACT_REV as etcd compacts (0: none).
 * Prints what it wrote.
 *
 *   ea_synth DATADIR --k8s WAL_BYTES [SEED [COMPACT_EVERY [DB_BYTES [MEMBER]]]]
 *
 * A Kubernetes-shaped member (synth_k8s.c): WAL_BYTES of WAL from index 1 and the db at its
 * last index from the same operations (so `replay` checks one against the other), a compaction
 * every COMPACT_EVERY revisions (default 30000, ~5 minutes at 100 writes/s); with DB_BYTES the db
 * keeps only as many compacted-away stale pages as bring it to about that size. MEMBER N > 1:
 * only the WAL, as member N of the same cluster (another member ID in its metadata; the leader,
 * whose entries it holds, stays member 1): link member 1's db beside it for a 3-member diff. */
#include "synth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int k8s(int argc, char **argv)
{
	synth_k8s_opts o = { .wal_bytes = strtoull(argv[3], NULL, 10), .compact_every = 30000, .seed = 1 };
	if (argc > 4) o.seed = strtoull(argv[4], NULL, 10);
	if (argc > 5) o.compact_every = strtoull(argv[5], NULL, 10);
	if (argc > 6) o.db_bytes = strtoull(argv[6], NULL, 10);
	uint64_t member = argc > 7 ? strtoull(argv[7], NULL, 10) : 1;
	if (member > 1) o.member_id = SYNTH_MEMBER_ID ^ (member << 40);
	synth_wal_stats ws;
	synth_db_stats ds;
	uint64_t revs, compact;
	if (synth_k8s_wal(argv[1], &o, &ws, &revs, &compact)) { perror("ea_synth: wal"); return 1; }
	printf("wal: %" PRIu64 " entries, %" PRIu64 " hard states, %" PRIu64 " segments, %" PRIu64
	       " bytes used, %" PRIu64 " bytes of files, last index %" PRIu64 " term %" PRIu64 "\n",
	       ws.entries, ws.hard_states, ws.segments, ws.bytes_used, ws.file_bytes, ws.last_index, ws.last_term);
	if (member > 1) return 0;
	if (synth_k8s_db(argv[1], &o, revs, compact, ws.last_index, &ds)) { perror("ea_synth: db"); return 1; }
	printf("db: %" PRIu64 " revisions, compacted at %" PRIu64 ", %" PRIu64 " pages, %" PRIu64 " bytes, %" PRIu64
	       " tombstones kept, %" PRIu64 " revisions compacted away\n",
	       revs, compact, ds.pages, ds.file_bytes, ds.tombstones, ds.dropped);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[2], "--k8s") == 0) return k8s(argc, argv);
	if (argc < 4) {
		fprintf(stderr, "usage: ea_synth DATADIR WAL_BYTES DB_BYTES [SEED [KEY_POOL DELETE_PCT COMPACT_REV]]\n"
		                "       ea_synth DATADIR --k8s WAL_BYTES [SEED [COMPACT_EVERY [DB_BYTES [MEMBER]]]]\n");
		return 2;
	}
	uint64_t wb = strtoull(argv[2], NULL, 10), db = strtoull(argv[3], NULL, 10);
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
	synth_wal_stats ws = { 0 };
	synth_db_stats ds = { 0 };
	uint64_t last_index = 0;
	if (wb) {
		synth_wal_opts o = { .max_bytes = wb, .vmin = 200, .vmax = 4096, .realistic = 1, .seed = seed };
		if (synth_wal(argv[1], &o, &ws)) { perror("ea_synth: wal"); return 1; }
		last_index = ws.last_index;
		printf("wal: %" PRIu64 " entries, %" PRIu64 " hard states, %" PRIu64 " segments, %" PRIu64
		       " bytes used, %" PRIu64 " bytes of files, last index %" PRIu64 " term %" PRIu64 "\n",
		       ws.entries, ws.hard_states, ws.segments, ws.bytes_used, ws.file_bytes, ws.last_index, ws.last_term);
	}
	if (db) {
		synth_db_opts o = { .max_bytes = db, .vmin = 200, .vmax = 4096, .realistic = 1,
		                    .consistent_index = last_index, .seed = seed + 1 };
		if (argc > 7) {
			o.key_pool = strtoull(argv[5], NULL, 10);
			o.delete_pct = (unsigned)strtoul(argv[6], NULL, 10);
			o.compact_rev = strtoull(argv[7], NULL, 10);
		}
		if (synth_db(argv[1], &o, &ds)) { perror("ea_synth: db"); return 1; }
		printf("db: %" PRIu64 " revisions, %" PRIu64 " pages, %" PRIu64 " bytes, %" PRIu64 " tombstones, %"
		       PRIu64 " compacted away\n", ds.revisions, ds.pages, ds.file_bytes, ds.tombstones, ds.dropped);
	}
	return 0;
}
