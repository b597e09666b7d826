/* render_page.c: one bbolt page of `db pages` (type, state, count, overflow, owning bucket)
 * as a JSON Lines object and as a table row. */
#include "etcd-autopsy/render.h"

#include <inttypes.h>
#include <string.h>

void ea_render_page_header(FILE *f)
{
	fprintf(f, "%10s %12s %-9s %-11s %6s %8s  %s\n", "PAGE", "OFFSET", "TYPE", "STATE", "COUNT", "OVERFLOW", "BUCKET");
}

void ea_render_page_json(ea_json *j, uint64_t id, uint32_t ps, const ea_bolt_page_info *pi)
{
	ea_json_object_begin(j);
	ea_json_key(j, "page"); ea_json_u64(j, id);
	ea_json_key(j, "offset"); ea_json_u64(j, id * ps);
	ea_json_key(j, "type"); ea_json_str(j, pi->type);
	ea_json_key(j, "state"); ea_json_str(j, pi->state);
	ea_json_key(j, "bucket"); ea_json_str(j, pi->bucket);
	if (strcmp(pi->type, "overflow") == 0) { ea_json_key(j, "continuation_of"); ea_json_u64(j, pi->continuation_of); }
	else {
		ea_json_key(j, "count"); ea_json_u64(j, pi->count);
		ea_json_key(j, "overflow"); ea_json_u64(j, pi->overflow);
		ea_json_key(j, "header_id"); ea_json_u64(j, pi->header_id);
	}
	ea_json_object_end(j);
	ea_json_newline(j);
}

void ea_render_page_table(FILE *f, uint64_t id, uint32_t ps, const ea_bolt_page_info *pi)
{
	fprintf(f, "%10" PRIu64 " %12" PRIu64 " %-9s %-11s ", id, id * (uint64_t)ps, pi->type, pi->state);
	if (strcmp(pi->type, "overflow") == 0) fprintf(f, "%6s %8s  %s (of page %" PRIu64 ")\n", "-", "-",
	                                               pi->bucket ? pi->bucket : "-", pi->continuation_of);
	else fprintf(f, "%6u %8u  %s%s\n", pi->count, pi->overflow, pi->bucket ? pi->bucket : "-",
	             pi->header_ok || strcmp(pi->type, "beyond-eof") == 0 ? "" : "  (header id differs)");
}
