/* render_lease.c: a lease of the db's lease bucket as JSON and as a `db stat` row. */
#include "etcd-autopsy/render.h"

#include <inttypes.h>

void ea_render_lease_json(ea_json *j, const ea_mvcc_lease *l)
{
	ea_json_object_begin(j);
	ea_json_key(j, "id"); ea_json_hex(j, (uint64_t)l->id);
	ea_json_key(j, "ttl"); ea_json_i64(j, l->ttl);
	ea_json_key(j, "remaining_ttl"); ea_json_i64(j, l->remaining_ttl);
	ea_json_object_end(j);
}

void ea_render_lease_table(FILE *f, const ea_mvcc_lease *l)
{
	fprintf(f, "  lease %-16" PRIx64 " ttl %" PRId64 " remaining %" PRId64 "\n", (uint64_t)l->id, l->ttl, l->remaining_ttl);
}
