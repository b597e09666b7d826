/* rawsql.h: the ceiling of `export`: a raw prepared-insert loop into SQLite of the same row
 * shapes (same columns, same pragmas, one transaction per table, statements reused, same
 * indexes + ANALYZE). Shared by export_bench and ea_baseline. */
#ifndef EA_BENCH_RAWSQL_H
#define EA_BENCH_RAWSQL_H
#include <stdint.h>

typedef struct { double load, index; uint64_t rows; } raw_result;

raw_result raw_loop(const char *path, uint64_t recs, uint64_t ents, uint64_t hs, uint64_t revs);
double now_s(void);

#endif
